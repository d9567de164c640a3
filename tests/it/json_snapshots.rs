//! JSON snapshots (fixtures/seed/) read into the model with PostgreSQL's
//! rules, schemashift's canonical JSON round trip, and errors on bad input.
//! Every expected value below was checked by reading the fixture files.

use crate::rich_model;

use schemashift::emit::json::to_canonical_json;
use schemashift::model::*;
use schemashift::read::json::{
    JsonFormat, detect, read_json, read_json_with_warnings, read_snapshot, read_snapshot_with_warnings,
};
use schemashift::{ErrorKind, Warning};

const BEFORE: &str = include_str!("../../fixtures/seed/database_schema_before.json");
const AFTER: &str = include_str!("../../fixtures/seed/database_schema_after.json");

fn before() -> (Schema, Vec<Warning>) {
    read_snapshot_with_warnings("fixtures/seed/database_schema_before.json", BEFORE).expect("before.json reads")
}

fn after() -> (Schema, Vec<Warning>) {
    read_snapshot_with_warnings("fixtures/seed/database_schema_after.json", AFTER).expect("after.json reads")
}

fn p(name: &str) -> QName {
    QName::new("public", name)
}

fn table<'a>(s: &'a Schema, name: &str) -> &'a Table {
    s.tables.get(&p(name)).unwrap_or_else(|| panic!("table {name}"))
}

fn column<'a>(t: &'a Table, name: &str) -> &'a Column {
    t.column(name).unwrap_or_else(|| panic!("column {name}"))
}

fn kind<'a>(t: &'a Table, name: &str) -> &'a ConstraintKind {
    &t.constraints.get(name).unwrap_or_else(|| panic!("constraint {name}; have {:?}", t.constraints.keys())).kind
}

fn names<'a>(it: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
    it.into_iter().map(String::as_str).collect()
}

#[test]
fn before_tables_and_column_types() {
    let (s, _) = before();
    assert_eq!(s.dialect, Dialect::Postgres);
    assert!(s.schemas.contains_key("public"));
    let tables: Vec<String> = s.tables.keys().map(|q| q.to_string()).collect();
    assert_eq!(tables, ["public.user_profiles", "public.user_sessions", "public.users"]);

    let users = table(&s, "users");
    // Column order is the snapshot's order, not alphabetical.
    let cols: Vec<&str> = users.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        cols,
        [
            "id",
            "username",
            "email",
            "password_hash",
            "first_name",
            "last_name",
            "created_at",
            "updated_at",
            "is_active",
            "phone"
        ]
    );
    let ty = |c: &str| column(users, c).data_type.to_string();
    assert_eq!(ty("id"), "bigint");
    assert_eq!(ty("username"), "character varying(50)");
    assert_eq!(ty("email"), "character varying(255)");
    assert_eq!(ty("created_at"), "timestamp without time zone");
    assert_eq!(ty("is_active"), "boolean");
    assert!(!column(users, "username").nullable);
    assert!(column(users, "first_name").nullable);
    assert!(column(users, "phone").nullable);
    assert_eq!(column(users, "created_at").default, Some(Expr("CURRENT_TIMESTAMP".into())));
    assert_eq!(column(users, "is_active").default, Some(Expr("true".into())));

    let profiles = table(&s, "user_profiles");
    assert_eq!(column(profiles, "bio").data_type.to_string(), "character varying(255)");
    assert_eq!(column(profiles, "avatar_url").data_type.to_string(), "character varying(500)");
    assert_eq!(column(profiles, "birth_date").data_type.to_string(), "date");
    // A plain string default is a value, not SQL: it is quoted (and typed
    // by the column, as PostgreSQL stores it).
    assert_eq!(column(profiles, "privacy_level").default, Some(Expr("'public'::character varying".into())));

    let sessions = table(&s, "user_sessions");
    assert_eq!(column(sessions, "id").data_type.to_string(), "character varying(128)");
    assert_eq!(column(sessions, "id").default, None, "not auto_increment: no sequence");
    assert_eq!(column(sessions, "ip_address").data_type.to_string(), "character varying(45)");
}

#[test]
fn auto_increment_is_expanded_like_bigserial() {
    let (s, _) = before();
    let users = table(&s, "users");
    let id = column(users, "id");
    assert!(!id.nullable);
    assert_eq!(id.identity, None);
    // Exactly what the SQL reader makes of `id bigserial`.
    let sql = schemashift::read::read_schema(
        &[schemashift::source::SourceFile { path: "s.sql".into(), bytes: b"CREATE TABLE users (id bigserial);".to_vec(), blob_id: None }],
        schemashift::model::Dialect::Postgres,
    )
    .unwrap()
    .0;
    assert_eq!(id.default, sql.tables[&p("users")].columns[0].default);
    assert_eq!(id.default, Some(Expr("nextval('users_id_seq'::regclass)".into())));
    let seq = &s.sequences[&p("users_id_seq")];
    assert_eq!(seq.owned_by, Some((p("users"), "id".to_string())));
    // bigserial: the sequence has PostgreSQL's default type (bigint), so no AS.
    assert!(seq.options.is_default());
    let seqs: Vec<String> = s.sequences.keys().map(|q| q.to_string()).collect();
    assert_eq!(seqs, ["public.user_profiles_id_seq", "public.users_id_seq"]);

    // serial (integer) gets AS integer, exactly as `serial` would.
    let text =
        r#"{"tables": {"t": {"columns": {"n": {"type": "integer", "auto_increment": true, "nullable": true}}}}}"#;
    let s = read_snapshot("t.json", text).unwrap();
    let seq = &s.sequences[&p("t_n_seq")];
    assert_eq!(seq.options.data_type, Some(DataType::simple("integer")));
    let n = column(table(&s, "t"), "n");
    assert!(!n.nullable, "serial columns are NOT NULL");
    assert_eq!(n.default, Some(Expr("nextval('t_n_seq'::regclass)".into())));
    // The serial pseudo-type itself means the same.
    let text = r#"{"tables": {"t": {"columns": {"n": {"type": "serial"}}}}}"#;
    assert_eq!(read_snapshot("t.json", text).unwrap(), s);
}

#[test]
fn constraint_names_are_postgres_generated_names() {
    let (s, _) = before();
    let users = table(&s, "users");
    assert_eq!(
        names(users.constraints.keys()),
        ["users_email_check", "users_email_key", "users_password_hash_check", "users_pkey", "users_username_key"]
    );
    assert_eq!(*kind(users, "users_pkey"), ConstraintKind::PrimaryKey { columns: vec!["id".into()], include: vec![] });
    assert_eq!(
        *kind(users, "users_email_key"),
        ConstraintKind::Unique { columns: vec!["email".into()], nulls_not_distinct: false, include: vec![] }
    );
    assert_eq!(
        *kind(users, "users_email_check"),
        ConstraintKind::Check { expr: canonical("((email)::text ~~ '%@%'::text)"), no_inherit: false }
    );
    assert_eq!(
        *kind(users, "users_password_hash_check"),
        ConstraintKind::Check { expr: canonical("(length((password_hash)::text) >= 60)"), no_inherit: false }
    );

    let profiles = table(&s, "user_profiles");
    assert_eq!(
        names(profiles.constraints.keys()),
        ["user_profiles_pkey", "user_profiles_privacy_level_check", "user_profiles_user_id_fkey"]
    );
    let sessions = table(&s, "user_sessions");
    assert_eq!(names(sessions.constraints.keys()), ["user_sessions_pkey", "user_sessions_user_id_fkey"]);
    assert_eq!(
        *kind(sessions, "user_sessions_pkey"),
        ConstraintKind::PrimaryKey { columns: vec!["id".into()], include: vec![] }
    );
}

#[test]
fn foreign_keys_target_and_actions() {
    let (s, _) = before();
    for t in ["user_profiles", "user_sessions"] {
        let fk = kind(table(&s, t), &format!("{t}_user_id_fkey"));
        assert_eq!(
            *fk,
            ConstraintKind::ForeignKey {
                columns: vec!["user_id".into()],
                references: p("users"),
                ref_columns: vec!["id".into()],
                on_delete: FkAction::Cascade,
                on_update: FkAction::NoAction,
                match_type: FkMatch::Simple,
            }
        );
    }
}

#[test]
fn indexes_views_and_procedures() {
    let (s, _) = before();
    let users = table(&s, "users");
    assert_eq!(names(users.indexes.keys()), ["idx_users_created_at", "idx_users_email", "idx_users_username"]);
    let email = &users.indexes["idx_users_email"];
    assert!(email.unique);
    assert_eq!(email.method, "btree");
    assert_eq!(email.keys.len(), 1);
    assert_eq!(
        (email.keys[0].expr.as_str(), email.keys[0].expression, email.keys[0].descending),
        ("email", false, false)
    );
    assert!(!users.indexes["idx_users_created_at"].unique);
    let sessions = table(&s, "user_sessions");
    assert_eq!(names(sessions.indexes.keys()), ["idx_user_sessions_expires", "idx_user_sessions_user_id"]);
    assert!(table(&s, "user_profiles").indexes["idx_user_profiles_user_id"].unique);

    let view = &s.views[&p("active_users")];
    assert!(!view.materialized);
    // The column list is folded into the query, as PostgreSQL stores it.
    assert!(view.columns.is_empty());
    assert_eq!(
        view.query,
        // What pg_get_viewdef prints for this view (whitespace aside).
        "SELECT u.id, u.username, u.email, u.first_name, u.last_name FROM users u WHERE (u.is_active = true)"
    );

    // The procedure, and the ON UPDATE trigger functions (see below).
    assert_eq!(s.functions.values().filter(|f| f.procedure).count(), 1);
    let f = &s.functions["public.cleanup_expired_sessions()"];
    assert!(f.procedure);
    assert_eq!(f.language, "sql");
    assert!(f.args.is_empty());
    assert_eq!(f.returns, None);
    assert_eq!(f.body, "DELETE FROM user_sessions WHERE expires_at < NOW()");
}

#[test]
fn on_update_becomes_a_trigger_with_a_warning() {
    let (s, warnings) = before();
    let users = table(&s, "users");
    let updated = column(users, "updated_at");
    assert_eq!(updated.default, Some(Expr("CURRENT_TIMESTAMP".into())));
    // PostgreSQL has no ON UPDATE: the model has what the database will,
    // a BEFORE UPDATE trigger per column and its function.
    assert_eq!(updated.on_update, None);
    assert!(s.tables.values().flat_map(|t| &t.columns).all(|c| c.on_update.is_none()));
    assert_eq!(names(users.triggers.keys()), ["updated_at_on_update"]);
    let trigger = &users.triggers["updated_at_on_update"];
    assert_eq!(trigger.timing, "BEFORE");
    assert_eq!(trigger.events, ["UPDATE"]);
    assert!(trigger.for_each_row && trigger.when.is_none());
    assert_eq!(trigger.execute, "public.users_updated_at_on_update()");
    let f = &s.functions["public.users_updated_at_on_update()"];
    assert_eq!((f.returns.as_deref(), f.language.as_str(), f.procedure), (Some("trigger"), "plpgsql", false));
    assert!(f.body.contains("NEW.updated_at := CURRENT_TIMESTAMP;"), "{}", f.body);
    assert_eq!(
        table(&s, "user_sessions").triggers["last_activity_on_update"].execute,
        "public.user_sessions_last_activity_on_update()"
    );
    assert!(table(&s, "user_profiles").triggers.contains_key("updated_at_on_update"));
    assert_eq!(
        s.functions.keys().collect::<Vec<_>>(),
        [
            "public.cleanup_expired_sessions()",
            "public.user_profiles_updated_at_on_update()",
            "public.user_sessions_last_activity_on_update()",
            "public.users_updated_at_on_update()",
        ]
    );
    // Both made where the column is.
    assert_eq!((trigger.location.line, f.location.line), (45, 45));

    // One warning per ON UPDATE column, in file order, and nothing else (no unknown keys).
    assert_eq!(warnings.len(), 3, "{warnings:#?}");
    assert!(warnings.iter().all(|w| w.message.contains("PostgreSQL has no ON UPDATE")), "{warnings:#?}");
    let first = &warnings[0];
    assert_eq!(
        first.message,
        "column users.updated_at: PostgreSQL has no ON UPDATE; ON UPDATE CURRENT_TIMESTAMP becomes trigger \
         updated_at_on_update on public.users with function public.users_updated_at_on_update(), which sets the \
         column when an UPDATE changes the row but not the column"
    );
    // The users.updated_at key is on line 45, column 9.
    assert_eq!((first.location.line, first.location.column), (45, 9));
    assert_eq!(&*first.location.file, "fixtures/seed/database_schema_before.json");
    let lines: Vec<u32> = warnings.iter().map(|w| w.location.line).collect();
    assert_eq!(lines, [45, 145, 216]);
}

#[test]
fn locations_point_at_the_keys() {
    let (s, _) = before();
    let users = table(&s, "users");
    assert_eq!((users.location.line, users.location.column), (5, 5));
    assert_eq!(column(users, "updated_at").location.line, 45);
    assert_eq!(s.views[&p("active_users")].location.line, 255);
    assert!(users.location.file.ends_with("database_schema_before.json"));
}

#[test]
fn after_snapshot() {
    let (s, warnings) = after();
    assert_eq!(warnings.len(), 4, "{warnings:#?}");
    let users = table(&s, "users");
    assert_eq!(column(users, "email").data_type.to_string(), "character varying(320)");
    assert_eq!(column(users, "email_verified_at").comment.as_deref(), Some("When email was verified"));
    assert_eq!(column(users, "two_factor_enabled").default, Some(Expr("false".into())));
    assert_eq!(
        *kind(users, "users_phone_check"),
        ConstraintKind::Check { expr: canonical("((phone IS NULL) OR (length((phone)::text) >= 10))"), no_inherit: false }
    );

    let profiles = table(&s, "user_profiles");
    assert_eq!(column(profiles, "bio").data_type.to_string(), "text");
    let tz = column(profiles, "timezone");
    assert!(tz.nullable);
    assert_eq!(tz.default, Some(Expr("'UTC'::character varying".into())));
    assert_eq!(column(profiles, "language").default, Some(Expr("'en'::character varying".into())));
    assert!(profiles.constraints.contains_key("user_profiles_bio_check"));
    assert!(profiles.constraints.contains_key("user_profiles_language_check"));

    let sessions = table(&s, "user_sessions");
    assert_eq!(column(sessions, "user_agent").data_type.to_string(), "text");
    assert!(sessions.constraints.contains_key("user_sessions_session_type_check"));

    // A nested array in "unique" is one composite constraint.
    let prefs = table(&s, "user_preferences");
    assert_eq!(column(prefs, "preference_value").data_type.to_string(), "json");
    assert_eq!(
        *kind(prefs, "user_preferences_user_id_preference_key_key"),
        ConstraintKind::Unique {
            columns: vec!["user_id".into(), "preference_key".into()],
            nulls_not_distinct: false,
            include: vec![]
        }
    );
    let idx = &prefs.indexes["idx_user_preferences_user_key"];
    assert!(idx.unique);
    assert_eq!(idx.keys.iter().map(|k| k.expr.as_str()).collect::<Vec<_>>(), ["user_id", "preference_key"]);
    assert!(s.sequences.contains_key(&p("user_preferences_id_seq")));

    let verified = &s.views[&p("verified_users")];
    // The column list is folded into the query; the text is pg_get_viewdef's.
    assert!(verified.columns.is_empty());
    assert_eq!(
        verified.query,
        "SELECT u.id, u.username, u.email FROM users u WHERE ((u.is_active = true) AND (u.email_verified_at IS NOT NULL))"
    );

    let f = &s.functions["public.get_user_with_profile(bigint)"];
    assert!(f.procedure);
    assert_eq!(f.args.len(), 1);
    assert_eq!(f.args[0].name.as_deref(), Some("user_id"));
    assert_eq!(f.args[0].data_type, DataType::simple("bigint"));
    assert_eq!(f.args[0].mode, ArgMode::In);
    // Two procedures and four ON UPDATE trigger functions, one of them for
    // the new table.
    assert_eq!(s.functions.len(), 6);
    assert!(s.functions.contains_key("public.user_preferences_updated_at_on_update()"));
    assert_eq!(names(prefs.triggers.keys()), ["updated_at_on_update"]);
}

#[test]
fn check_names_follow_the_column_rule_and_count_on_collision() {
    let text = r#"{"tables": {"t": {
        "columns": {"a": {"type": "int"}, "b": {"type": "int"}},
        "constraints": {"check": ["a > b", "a < b", "a > 0", "a < 100", "1 = 1", "'b' <> lower(\"a\"::text)"]}
    }}}"#;
    let s = read_snapshot("t.json", text).unwrap();
    let t = table(&s, "t");
    // These are the names PostgreSQL 15 gives the same unnamed CHECKs
    // (tests/it/render_sql.rs checks against a live server).
    assert_eq!(
        names(t.constraints.keys()),
        ["t_a_check", "t_a_check1", "t_a_check2", "t_check", "t_check1", "t_check2"]
    );
    assert!(matches!(&t.constraints["t_check2"].kind, ConstraintKind::Check { expr, .. } if expr.0 == "(1 = 1)"));
    assert!(
        matches!(&t.constraints["t_a_check2"].kind, ConstraintKind::Check { expr, .. } if expr.0 == "('b'::text <> lower((a)::text))")
    );
}

#[test]
fn generated_names_avoid_stated_names() {
    // An index already called t_pkey pushes the primary key to t_pkey1.
    let text = r#"{"tables": {"t": {
        "columns": {"id": {"type": "int", "primary_key": true}},
        "indexes": [{"name": "t_pkey", "columns": ["id"]}]
    }}}"#;
    let s = read_snapshot("t.json", text).unwrap();
    assert!(table(&s, "t").constraints.contains_key("t_pkey1"));
}

#[test]
fn flat_unique_list_of_unflagged_columns_warns() {
    let text = r#"{"tables": {"t": {
        "columns": {"a": {"type": "int"}, "b": {"type": "int"}},
        "constraints": {"unique": ["a", "b"]}
    }}}"#;
    let (s, warnings) = read_snapshot_with_warnings("t.json", text).unwrap();
    assert_eq!(names(table(&s, "t").constraints.keys()), ["t_a_key", "t_b_key"]);
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].message.contains("[[\"a\", \"b\"]]"), "{}", warnings[0].message);
}

#[test]
fn unknown_keys_warn_with_their_location() {
    let text = "{\n  \"tables\": {\n    \"t\": {\n      \"columns\": {\"a\": {\"type\": \"int\", \"colour\": \"red\"}},\n      \"engine\": \"InnoDB\"\n    }\n  },\n  \"triggers\": []\n}";
    let (_, warnings) = read_snapshot_with_warnings("t.json", text).unwrap();
    let found: Vec<(String, u32, u32)> =
        warnings.iter().map(|w| (w.message.clone(), w.location.line, w.location.column)).collect();
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].0.contains("\"triggers\""), "{found:#?}");
    assert_eq!((found[0].1, found[0].2), (8, 3));
    assert!(found[1].0.contains("\"engine\""));
    assert_eq!((found[1].1, found[1].2), (5, 7));
    assert!(found[2].0.contains("\"colour\""));
    assert_eq!(found[2].1, 4);
}

#[test]
fn bad_json_is_a_data_error_at_line_and_column() {
    let text = "{\n  \"tables\": {\n    \"t\": {\"columns\": {,}}\n  }\n}";
    let err = read_json("broken.json", text).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Data);
    assert_eq!(err.exit_code(), 65);
    let loc = err.location.clone().expect("a location");
    assert_eq!((loc.file.as_ref(), loc.line, loc.column), ("broken.json", 3, 23));
    assert!(err.to_string().starts_with("error: broken.json:3:23: invalid JSON"), "{err}");

    let err = read_snapshot("trunc.json", "{\"tables\": {").unwrap_err();
    assert_eq!(err.location.unwrap().line, 1);
}

#[test]
fn wrong_shapes_are_data_errors_at_the_key() {
    let text = "{\"tables\": {\"t\": {\"columns\": {\n  \"a\": {\"type\": \"int\", \"nullable\": \"yes\"}}}}}";
    let err = read_snapshot("t.json", text).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Data);
    assert!(err.message.contains("\"nullable\" must be true or false"), "{err}");
    assert_eq!(err.location.unwrap().line, 2);

    let text = r#"{"tables": {"t": {"columns": {"a": {"type": "int"}}, "constraints": {"foreign_key": [{"columns": ["a"], "references": "u(id)", "on_delete": "EXPLODE"}]}}}}"#;
    let err = read_snapshot("t.json", text).unwrap_err();
    assert!(err.message.contains("EXPLODE"), "{err}");
    assert!(err.help.is_some());

    let text = r#"{"tables": {"t": {"columns": {"a": {"type": "int"}}, "constraints": {"primary_key": ["nope"]}}}}"#;
    assert!(read_snapshot("t.json", text).unwrap_err().message.contains("no column \"nope\""));

    let err = read_json("x.json", r#"{"hello": 1}"#).unwrap_err();
    assert!(err.message.contains("not a schema"), "{err}");
    let err = read_json("x.json", r#"{"format": "schemashift/9", "schema": {}}"#).unwrap_err();
    assert!(err.message.contains("unsupported format"), "{err}");
}

#[test]
fn read_json_detects_the_format() {
    let from_json = read_json("b.json", BEFORE).unwrap();
    assert_eq!(from_json, before().0);
    assert_eq!(detect(&serde_json::from_str(BEFORE).unwrap()), Some(JsonFormat::Snapshot));
    let canonical = to_canonical_json(&from_json);
    assert_eq!(detect(&serde_json::from_str(&canonical).unwrap()), Some(JsonFormat::Canonical));
}

#[test]
fn canonical_json_of_the_seed_samples_round_trips() {
    for (s, _) in [before(), after()] {
        let json = to_canonical_json(&s);
        assert!(json.starts_with("{\n  \"format\": \"schemashift/1\",\n  \"schema\": {"), "{}", &json[..80]);
        let (back, warnings) = read_json_with_warnings("c.json", &json).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(back, s);
        assert_eq!(to_canonical_json(&back), json, "locations survive too");
    }
}

#[test]
fn canonical_json_round_trips_every_object_kind() {
    let model = rich_model::rich_model();
    let json = to_canonical_json(&model);
    assert_eq!(json, to_canonical_json(&model.clone()), "deterministic");
    let back = read_json("rich.json", &json).unwrap_or_else(|e| panic!("{e}\n{json}"));
    assert_eq!(back, model);
    // Equality ignores locations; the text comparison does not.
    assert_eq!(to_canonical_json(&back), json);
    for needle in [
        "\"kind\": \"exclude\"",
        "\"kind\": \"domain\"",
        "\"kind\": \"composite\"",
        "\"partition_of\"",
        "\"inherits\"",
        "\"local\": false",
        "\"identity\"",
        "\"opaque\"",
        "\"policies\"",
        "\"rules\"",
        "\"statistics\"",
        "\"publications\"",
        "\"replica_identity\"",
        "\"check_comments\"",
        "\"enabled\": \"always\"",
        "\"storage\": \"main\"",
    ] {
        assert!(json.contains(needle), "{needle} missing from the canonical JSON");
    }
}

#[test]
fn canonical_json_refuses_missing_or_circular_parents() {
    let mut model = rich_model::rich_model();
    let json = to_canonical_json(&model).replace("\"public.cache\"\n", "\"public.nowhere\"\n");
    let err = read_json("rich.json", &json).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Data);
    assert!(err.message.contains("public.nowhere"), "{err}");
    assert!(err.location.unwrap().line > 1);
    let child = QName::new("public", "cache_archive");
    model.tables.get_mut(&QName::new("public", "cache")).unwrap().inherits = vec![child];
    let err = read_json("rich.json", &to_canonical_json(&model)).unwrap_err();
    assert!(err.message.contains("circular"), "{err}");
}

#[test]
fn canonical_json_errors_name_the_place() {
    let model = rich_model::rich_model();
    let json = to_canonical_json(&model).replacen("\"kind\": \"check\"", "\"kind\": \"chekc\"", 1);
    let err = read_json("rich.json", &json).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Data);
    assert!(err.message.contains("chekc"), "{err}");
    assert!(err.location.unwrap().line > 1);
}

/// A CHECK as PostgreSQL stores it (pg_get_constraintdef's text, checked
/// against PostgreSQL 15): snapshot expressions are resolved like the SQL
/// reader's, so a snapshot and DDL of one schema compare equal.
fn canonical(text: &str) -> Expr {
    Expr(text.to_string())
}
