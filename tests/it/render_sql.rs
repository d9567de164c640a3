//! The PostgreSQL renderer: statement order, quoting, the per-object building
//! blocks, and (when PostgreSQL 15 is installed) that the rendered scripts
//! load into a real server and give the names PostgreSQL itself would.

use crate::rich_model;
use crate::support;

use rich_model::{q, rich_model};
use schemashift::dialect::postgres::render::*;
use schemashift::model::*;
use schemashift::read::json::read_snapshot;

const BEFORE: &str = include_str!("../../fixtures/seed/database_schema_before.json");
const AFTER: &str = include_str!("../../fixtures/seed/database_schema_after.json");

fn seed(text: &str) -> Schema {
    read_snapshot("seed.json", text).expect("seed sample reads")
}

fn pos(sql: &str, needle: &str) -> usize {
    sql.find(needle).unwrap_or_else(|| panic!("{needle:?} not in:\n{sql}"))
}

fn assert_before(sql: &str, first: &str, then: &str) {
    assert!(pos(sql, first) < pos(sql, then), "{first:?} should come before {then:?} in:\n{sql}");
}

#[test]
fn seed_statement_order() {
    let sql = render_schema(&seed(AFTER));
    assert!(sql.starts_with("SET check_function_bodies = false;\n"), "{sql}");
    // Sequences before the tables whose defaults call nextval on them, and
    // owned by their column once the table exists.
    assert_before(&sql, "CREATE SEQUENCE public.users_id_seq;", "CREATE TABLE public.users (");
    assert_before(&sql, "CREATE TABLE public.users (", "ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;");
    // Foreign keys after both of their tables.
    let fk = "ALTER TABLE public.user_profiles ADD CONSTRAINT user_profiles_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE;";
    assert_before(&sql, "CREATE TABLE public.users (", fk);
    assert_before(&sql, "CREATE TABLE public.user_profiles (", fk);
    // Views after tables, indexes after views, comments near the end.
    assert_before(&sql, "CREATE TABLE public.users (", "CREATE VIEW public.active_users");
    assert_before(
        &sql,
        "CREATE VIEW public.verified_users",
        "CREATE UNIQUE INDEX idx_users_email ON public.users (email);",
    );
    assert_before(&sql, fk, "COMMENT ON COLUMN public.users.email_verified_at IS 'When email was verified';");
    // Procedures before tables (their bodies are not checked).
    assert_before(
        &sql,
        "CREATE PROCEDURE public.get_user_with_profile(user_id bigint) LANGUAGE sql AS $$",
        "CREATE TABLE",
    );
    // Constraints inline, with their generated names.
    assert!(
        sql.contains("    CONSTRAINT user_preferences_user_id_preference_key_key UNIQUE (user_id, preference_key)\n);"),
        "{sql}"
    );
    // Expressions as PostgreSQL stores them (snapshots go through the
    // canonicalizer; the text is pg_get_constraintdef's for the same CHECK).
    assert!(
        sql.contains("    CONSTRAINT users_phone_check CHECK (((phone IS NULL) OR (length((phone)::text) >= 10)))\n);"),
        "{sql}"
    );
    assert!(sql.contains("    id bigint DEFAULT nextval('users_id_seq'::regclass) NOT NULL,"), "{sql}");
    // MySQL's ON UPDATE is a trigger function, created with the other
    // functions, and a trigger after the tables.
    assert!(sql.contains("updated_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,\n"), "{sql}");
    assert!(!sql.contains("ON UPDATE CURRENT_TIMESTAMP"), "{sql}");
    let function = "CREATE FUNCTION public.user_preferences_updated_at_on_update() RETURNS trigger LANGUAGE plpgsql AS $$";
    let trigger = "CREATE TRIGGER updated_at_on_update BEFORE UPDATE ON public.user_preferences FOR EACH ROW \
                   EXECUTE FUNCTION public.user_preferences_updated_at_on_update();";
    assert_before(&sql, function, "CREATE TABLE public.user_preferences (");
    assert_before(&sql, "CREATE TABLE public.user_preferences (", trigger);
    assert_eq!(sql.matches("CREATE TRIGGER").count(), 4);
    assert_eq!(sql.matches("CREATE TABLE").count(), 4);
    assert_eq!(sql.matches("FOREIGN KEY").count(), 3);
    assert_eq!(sql, render_schema(&seed(AFTER)), "deterministic");
}

#[test]
fn rich_model_order() {
    let sql = render_schema(&rich_model());
    assert_before(&sql, "SET check_function_bodies", "CREATE SCHEMA \"App\";");
    assert_before(&sql, "CREATE SCHEMA \"App\";", "CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;");
    assert_before(&sql, "CREATE EXTENSION", "CREATE TYPE");
    // The enum before the table that uses it; the domain before the
    // composite that uses it, although domains otherwise come last.
    assert_before(
        &sql,
        "CREATE TYPE \"App\".\"Mood\" AS ENUM ('sad', 'ok', 'it''s fine');",
        "CREATE TABLE \"App\".\"Order Items\"",
    );
    assert_before(
        &sql,
        "CREATE DOMAIN public.positive_int",
        "CREATE TYPE public.pair AS (a public.positive_int, label text COLLATE \"C\");",
    );
    assert_before(&sql, "CREATE TYPE public.pair", "CREATE SEQUENCE");
    assert_before(&sql, "CREATE SEQUENCE public.order_no_seq", "CREATE FUNCTION");
    assert_before(&sql, "CREATE FUNCTION public.touch_updated_at()", "CREATE TABLE");
    // Partitioned parent before its partition.
    assert_before(&sql, "CREATE TABLE public.events (", "CREATE TABLE public.events_2024 PARTITION OF public.events");
    // A view after the view it reads, whatever their names.
    assert_before(&sql, "CREATE VIEW public.z_base AS", "CREATE VIEW public.a_summary AS");
    // Both foreign keys of the cycle after both tables.
    for fk in ["ADD CONSTRAINT parent_a_b_id_fkey", "ADD CONSTRAINT parent_b_a_id_fkey"] {
        assert_before(&sql, "CREATE TABLE public.parent_a (", fk);
        assert_before(&sql, "CREATE TABLE public.parent_b (", fk);
        assert_before(&sql, "CREATE INDEX", fk);
    }
    assert_before(&sql, "parent_b_a_id_fkey", "CREATE TRIGGER");
    assert_before(&sql, "CREATE TRIGGER", "COMMENT ON");
    assert_before(&sql, "COMMENT ON", "-- opaque: GRANT\nGRANT SELECT ON public.parent_a TO PUBLIC;");
    assert!(sql.trim_end().ends_with("GRANT SELECT ON public.parent_a TO PUBLIC;"));
    // The serial-style sequence: created early, owned after its table.
    assert_before(
        &sql,
        "CREATE TABLE public.parent_a (",
        "ALTER SEQUENCE public.parent_a_id_seq OWNED BY public.parent_a.id;",
    );
    // Identity sequences are never created on their own.
    assert!(!sql.contains("CREATE SEQUENCE \"App\".\"Order Items_id_seq\""));
}

#[test]
fn partitions_do_not_repeat_what_they_inherit() {
    let sql = render_schema(&rich_model());
    assert!(sql.contains(
        "CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
    ));
    assert!(sql.contains("CREATE TABLE public.events (\n    id bigint NOT NULL,\n    created_at date NOT NULL,\n    CONSTRAINT events_pkey PRIMARY KEY (id, created_at)\n) PARTITION BY RANGE (created_at);"));
    assert!(!sql.contains("events_2024_pkey"), "the partition's copy of the primary key is PostgreSQL's to make");
    assert!(!sql.contains("events_2024_created_at_idx"), "so is its copy of the parent's index");
    assert!(sql.contains("ALTER TABLE public.events_2024 ADD CONSTRAINT events_2024_id_check CHECK (id > 0);"));
    assert!(sql.contains("CREATE INDEX events_created_at_idx ON public.events (created_at);"));
}

#[test]
fn inheriting_tables_list_only_their_own_columns() {
    let sql = render_schema(&rich_model());
    let child = "CREATE TABLE public.cache_archive (\n    archived_at date\n)\nINHERITS (public.cache);\n\
                 ALTER TABLE ONLY public.cache_archive ALTER COLUMN k SET DEFAULT 'archived';\n";
    assert!(sql.contains(child), "{sql}");
    assert_before(&sql, "CREATE UNLOGGED TABLE public.cache (", "CREATE TABLE public.cache_archive (");
}

#[test]
fn awkward_names_are_quoted() {
    let model = rich_model();
    let sql = render_schema(&model);
    assert!(sql.contains("CREATE TABLE \"App\".\"Order Items\" (\n"));
    assert!(sql.contains("    \"select\" integer DEFAULT nextval('public.order_no_seq'::regclass) NOT NULL,"));
    assert!(sql.contains("    \"userId\" integer,"));
    assert!(sql.contains("    mood \"App\".\"Mood\","));
    assert!(sql.contains("    \"we\"\"ird\" text COLLATE \"C\","));
    assert!(sql.contains("CONSTRAINT \"Order Items_pkey\" PRIMARY KEY (id)"));
    assert!(sql.contains("CREATE INDEX \"Order Items fancy\" ON \"App\".\"Order Items\" (\"userId\" DESC NULLS LAST, (lower(\"we\"\"ird\")) COLLATE \"C\" text_pattern_ops NULLS FIRST) INCLUDE (mood) WITH (fillfactor = 70) WHERE (\"select\" > 0);"), "{sql}");
    assert!(sql.contains("CREATE TRIGGER \"Touch\" BEFORE UPDATE ON public.parent_a FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION public.touch_updated_at();"));
    assert!(sql.contains("COMMENT ON COLUMN \"App\".\"Order Items\".\"we\"\"ird\" IS 'a column with a \"quote\"';"));
    assert!(sql.contains("COMMENT ON TABLE \"App\".\"Order Items\" IS 'line items, it''s a table';"));
    assert!(sql.contains("COMMENT ON SCHEMA \"App\" IS 'the app''s own schema';"));
    assert!(sql.contains("COMMENT ON CONSTRAINT \"Order Items_pkey\" ON \"App\".\"Order Items\" IS 'the key';"));
    assert!(sql.contains("COMMENT ON INDEX \"App\".\"Order Items fancy\" IS 'an index';"));
    assert!(sql.contains("COMMENT ON TRIGGER \"Touch\" ON public.parent_a IS 'a trigger';"));
    assert!(sql.contains("COMMENT ON PROCEDURE public.purge(integer) IS 'a procedure';"));
    assert!(sql.contains("COMMENT ON MATERIALIZED VIEW \"App\".\"Stats\" IS 'a materialized view';"));
    assert!(sql.contains("COMMENT ON DOMAIN public.positive_int IS 'a domain';"));
}

#[test]
fn building_blocks() {
    let model = rich_model();
    let items = &model.tables[&q("App", "Order Items")];
    let id = items.column("id").unwrap();
    assert_eq!(
        column_definition_sql(id),
        "id bigint GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME \"App\".\"Order Items_id_seq\" INCREMENT BY 10 START WITH 100) NOT NULL"
    );
    assert_eq!(
        column_definition_sql(items.column("doubled").unwrap()),
        "doubled integer GENERATED ALWAYS AS (\"select\" * 2) STORED"
    );
    assert_eq!(
        constraint_sql(&items.constraints["order_items_user_key"]),
        "UNIQUE NULLS NOT DISTINCT (\"userId\", mood) INCLUDE (\"select\")"
    );
    assert_eq!(
        constraint_sql(&items.constraints["order_items_email_key"]),
        "UNIQUE (email) DEFERRABLE INITIALLY DEFERRED"
    );
    assert_eq!(constraint_sql(&items.constraints["select_positive"]), "CHECK (\"select\" > 0) NO INHERIT");
    assert_eq!(
        constraint_sql(&items.constraints["one_per_user"]),
        "EXCLUDE USING btree (\"userId\" WITH =) WHERE (\"userId\" IS NOT NULL)"
    );
    let a = &model.tables[&q("public", "parent_a")];
    assert_eq!(
        add_constraint_sql(&a.name, &a.constraints["parent_a_b_id_fkey"]),
        "ALTER TABLE public.parent_a ADD CONSTRAINT parent_a_b_id_fkey FOREIGN KEY (b_id) REFERENCES public.parent_b (id) MATCH FULL ON UPDATE CASCADE ON DELETE SET NULL;"
    );
    assert_eq!(
        create_sequence_sql(&model.sequences[&q("public", "order_no_seq")]),
        "CREATE SEQUENCE public.order_no_seq AS integer INCREMENT BY 2 MINVALUE 1 MAXVALUE 1000000 START WITH 10 CACHE 5 CYCLE;"
    );
    assert_eq!(
        create_type_sql(&model.types[&q("public", "positive_int")]),
        "CREATE DOMAIN public.positive_int AS integer DEFAULT 1 NOT NULL CONSTRAINT positive_int_check CHECK (VALUE > 0);"
    );
    let dollars = model.functions.values().find(|f| f.name.name == "Dollars").unwrap();
    assert_eq!(
        create_function_sql(dollars),
        "CREATE FUNCTION \"App\".\"Dollars\"(n integer DEFAULT 2, OUT \"out\" text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $body$SELECT repeat('$$', n)$body$;"
    );
    let stats = &model.views[&q("App", "Stats")];
    assert_eq!(
        create_view_sql(stats),
        "CREATE MATERIALIZED VIEW \"App\".\"Stats\" (n) AS\nSELECT count(*) FROM public.parent_b\nWITH NO DATA;"
    );
    let checked = &model.views[&q("public", "checked")];
    assert_eq!(
        create_view_sql(checked),
        "CREATE VIEW public.checked WITH (security_barrier=true) AS\nSELECT id, b_id FROM public.parent_a WHERE id > 0\nWITH CASCADED CHECK OPTION;"
    );
    assert_eq!(
        create_index_sql(&stats.name, &stats.indexes["stats_n_idx"]),
        "CREATE INDEX stats_n_idx ON \"App\".\"Stats\" (n);"
    );
    assert_eq!(
        create_index_sql(&items.name, &items.indexes["order_items_tags"]),
        "CREATE INDEX order_items_tags ON \"App\".\"Order Items\" USING gin (tags);"
    );
    assert_eq!(comment_on_sql("TABLE public.t", None), "COMMENT ON TABLE public.t IS NULL;");
    let table = create_table_sql(&model.tables[&q("public", "cache")], &[]);
    assert_eq!(
        table,
        "CREATE UNLOGGED TABLE public.cache (\n    k text NOT NULL,\n    v text,\n    CONSTRAINT cache_pkey PRIMARY KEY (k)\n);"
    );
    // What CREATE TABLE cannot say, as pg_dump writes it.
    let cache = &model.tables[&q("public", "cache")];
    assert_eq!(
        properties::column_properties_sql(&cache.name, &cache.columns[1]),
        [
            "ALTER TABLE ONLY public.cache ALTER COLUMN v SET STORAGE MAIN;",
            "ALTER TABLE ONLY public.cache ALTER COLUMN v SET COMPRESSION pglz;",
            "ALTER TABLE ONLY public.cache ALTER COLUMN v SET (n_distinct='-1');",
        ]
    );
    let b = &model.tables[&q("public", "parent_b")];
    assert!(create_table_sql(b, &[]).ends_with(") WITH (autovacuum_enabled='false', fillfactor='80');"), "{}", create_table_sql(b, &[]));
    assert_eq!(
        properties::table_properties_sql(b),
        [
            "ALTER TABLE ONLY public.parent_b REPLICA IDENTITY FULL;",
            "ALTER TABLE public.parent_b CLUSTER ON parent_b_pkey;",
            "ALTER TABLE public.parent_b ENABLE ROW LEVEL SECURITY;",
            "ALTER TABLE ONLY public.parent_b FORCE ROW LEVEL SECURITY;",
        ]
    );
    assert_eq!(
        properties::create_policy_sql(&b.name, &b.policies["mine"]),
        "CREATE POLICY mine ON public.parent_b AS RESTRICTIVE FOR SELECT TO CURRENT_USER USING (id < 1000);"
    );
    assert_eq!(
        properties::create_rule_sql(&b.name, &b.rules["keep b"]),
        "CREATE RULE \"keep b\" AS ON DELETE TO public.parent_b WHERE (old.id < 0) DO INSTEAD NOTHING;"
    );
    assert_eq!(
        properties::create_statistics_sql(&model.statistics[&q("App", "a stats")]),
        "CREATE STATISTICS \"App\".\"a stats\" (ndistinct, mcv) ON b_id, id, (date_trunc('day', updated_at)) FROM public.parent_a;"
    );
    assert_eq!(
        properties::create_publication_sql(&model.publications["changes"]),
        "CREATE PUBLICATION changes FOR TABLE ONLY public.parent_a (b_id, id) WHERE (id > 0) WITH (publish = 'insert, update');"
    );
}

/// A throwaway PostgreSQL 15 server for this test binary: data directory on
/// /dev/shm, durability off, Unix socket only. Run as `nobody` when the tests
/// run as root, because PostgreSQL refuses to run as root.
/// (A private helper until the shared harness in tests/support/pg.rs lands.)
/// The seed samples written the way a person would, with every name left
/// to PostgreSQL: the reader must arrive at the same names.
const AFTER_AS_PLAIN_DDL: &str = r#"
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    username varchar(50) NOT NULL UNIQUE,
    email varchar(320) NOT NULL UNIQUE,
    password_hash varchar(255) NOT NULL,
    first_name varchar(100),
    last_name varchar(100),
    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    is_active boolean NOT NULL DEFAULT true,
    phone varchar(20),
    email_verified_at timestamp,
    phone_verified_at timestamp,
    two_factor_enabled boolean NOT NULL DEFAULT false,
    last_login_at timestamp,
    CHECK (email LIKE '%@%'),
    CHECK (LENGTH(password_hash) >= 60),
    CHECK (phone IS NULL OR LENGTH(phone) >= 10)
);
CREATE TABLE user_profiles (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    bio text, avatar_url varchar(500), birth_date date, location varchar(100), website varchar(255),
    privacy_level varchar(20) NOT NULL DEFAULT 'public',
    timezone varchar(50) DEFAULT 'UTC',
    language varchar(10) NOT NULL DEFAULT 'en',
    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (privacy_level IN ('public', 'private', 'friends_only')),
    CHECK (bio IS NULL OR LENGTH(bio) <= 2000),
    CHECK (language IN ('en', 'es', 'fr', 'de', 'it', 'pt', 'ru', 'ja', 'ko', 'zh'))
);
CREATE TABLE user_sessions (
    id varchar(128) PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ip_address varchar(45), user_agent text,
    expires_at timestamp NOT NULL,
    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_activity timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    session_type varchar(20) NOT NULL DEFAULT 'web',
    is_mobile boolean NOT NULL DEFAULT false,
    CHECK (session_type IN ('web', 'mobile', 'api', 'admin'))
);
CREATE TABLE user_preferences (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    preference_key varchar(100) NOT NULL,
    preference_value json,
    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (user_id, preference_key)
);
"#;

/// Constraints, sequences (type and owner) and columns (type, NOT NULL) of
/// the public schema, one line each, for comparing two databases.
const CATALOG_QUERY: &str = r#"
SET search_path = public;
SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT 'sequence ' || s.seqrelid::regclass || ' ' || s.seqtypid::regtype || ' owned by '
       || coalesce(d.refobjid::regclass || '.' || a.attname, '-')
  FROM pg_sequence s
  LEFT JOIN pg_depend d ON d.objid = s.seqrelid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
  LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
UNION ALL
SELECT 'column ' || attrelid::regclass || '.' || attname || ' ' || format_type(atttypid, atttypmod) || CASE WHEN attnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
  FROM pg_attribute JOIN pg_class c ON c.oid = attrelid
  LEFT JOIN pg_attrdef ad ON ad.adrelid = attrelid AND ad.adnum = attnum
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND attnum > 0 AND NOT attisdropped
ORDER BY 1;
"#;

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn rendered_sql_loads_into_postgres_15() {
    let Some(server) = support::pg::server() else { return };

    let mut dbs = Vec::new();
    for (name, model) in [("seed_before", seed(BEFORE)), ("seed_after", seed(AFTER)), ("rich", rich_model())] {
        let db = server.create_database(name);
        let sql = render_schema(&model);
        if let Err(e) = server.psql_file(&db, &sql) {
            panic!("{name}: the rendered SQL does not load:\n{e}\n{sql}");
        }
        dbs.push(db);
    }
    let (seed_after, rich) = (&dbs[1], &dbs[2]);

    // The rendered snapshot and the same schema written as plain DDL give
    // the same constraints (names and definitions), sequences and columns.
    // The rendered expressions are in the form PostgreSQL settles on after
    // a dump and restore, so both are compared in that form.
    let plain_after = server.create_database("plain_after");
    server.psql_file(&plain_after, AFTER_AS_PLAIN_DDL).expect("plain DDL loads");
    let rendered = support::settled(&server.query(seed_after, CATALOG_QUERY).unwrap());
    let plain = support::settled(&server.query(&plain_after, CATALOG_QUERY).unwrap());
    assert!(rendered.lines().count() > 60, "{rendered}");
    assert_eq!(rendered, plain);

    // The rich model's catalog has what the model says.
    let partition_constraints = server
        .query(rich, "SELECT conname FROM pg_constraint WHERE conrelid = 'public.events_2024'::regclass ORDER BY 1;")
        .unwrap();
    assert_eq!(partition_constraints, "events_2024_id_check\nevents_2024_pkey");
    let partition_indexes =
        server.query(rich, "SELECT indexname FROM pg_indexes WHERE tablename = 'events_2024' ORDER BY 1;").unwrap();
    assert_eq!(partition_indexes, "events_2024_created_at_idx\nevents_2024_pkey");
    let identity = server.query(rich, "SELECT pg_get_serial_sequence('\"App\".\"Order Items\"', 'id');").unwrap();
    assert_eq!(identity.trim(), "\"App\".\"Order Items_id_seq\"");
}
