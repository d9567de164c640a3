//! MySQL's `ON UPDATE CURRENT_TIMESTAMP` in JSON snapshots, planned for
//! PostgreSQL: the JSON reader makes each such column a `BEFORE UPDATE`
//! trigger with its own plpgsql function (src/dialect/postgres/on_update.rs).
//!
//! - The seed samples' migration is pinned: the up and down SQL of `diff`,
//!   and the files `generate --framework plain` and `--framework goose` write,
//!   under `fixtures/seed_migration/` (each read and checked by hand).
//! - The seed samples and every case of `fixtures/on_update/` (`old.json`,
//!   `new.json`, `data.sql`) migrate a PostgreSQL 15 database built from the
//!   old snapshot (its model rendered with `render_schema`) holding the
//!   case's rows: after the up its catalog is that of the new snapshot
//!   rendered, after the down that of the old one, and the rows are kept
//!   both ways. The catalogs and rows are compared as in
//!   tests/it/migrate_roundtrip.rs (functions by `pg_get_functiondef`, triggers
//!   by `pg_get_triggerdef`).
//! - On the server, the triggers do what MySQL's ON UPDATE does: the column
//!   takes the current timestamp when an UPDATE changes the row but not the
//!   column, and keeps what an UPDATE sets it to (`*_like_mysql` tests).

use crate::support;

use schemashift::dialect::postgres::render::render_schema;
use schemashift::model::{Schema, quote_ident};
use schemashift::plan::Step;
use std::path::Path;
use std::process::{Command, Output};
use support::catalog;
use support::pg::{self, PgServer};
use support::rows::{self, Renames, TableName};

const SEED_BEFORE: &str = "fixtures/seed/database_schema_before.json";
const SEED_AFTER: &str = "fixtures/seed/database_schema_after.json";

/// The cases under `fixtures/on_update/`, each tested by the function of its name.
const CASES: &[&str] = &[
    "column_added",
    "column_dropped",
    "column_renamed",
    "expression_changed",
    "name_taken",
    "quoted_names",
    "removed",
    "table_created",
    "table_dropped",
];

fn read_text(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A snapshot (or canonical JSON) read as `diff` reads it.
fn model(rel: &str) -> Schema {
    schemashift::read::json::read_json(rel, &read_text(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn schemashift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemashift"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("schemashift runs")
}

/// `actual` must be the text of the fixture file `rel`.
fn assert_golden(rel: &str, actual: &str) {
    let expected = read_text(rel);
    assert!(
        actual == expected,
        "{rel} is not what schemashift writes now.\n--- {rel}\n{expected}\n--- written\n{actual}"
    );
}

// ---------------------------------------------------------------------------
// The seed samples, pinned.

#[test]
fn seed_diff_up_and_down_are_pinned() {
    for (args, golden) in [
        (vec!["diff", "--no-index", SEED_BEFORE, SEED_AFTER], "fixtures/seed_migration/up.sql"),
        (vec!["diff", "--reverse", "--no-index", SEED_BEFORE, SEED_AFTER], "fixtures/seed_migration/down.sql"),
    ] {
        let out = schemashift(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}:\n{stderr}");
        assert_golden(golden, &String::from_utf8_lossy(&out.stdout));
        // Each ON UPDATE column of the side diffed to says what it became,
        // at its key (the old side's are what the database already has).
        let said: Vec<&str> = stderr.lines().filter(|l| l.contains("PostgreSQL has no ON UPDATE")).collect();
        assert_eq!(said.len(), 4, "{stderr}");
        assert!(said.iter().all(|l| l.starts_with(&format!("schemashift: warning: {SEED_AFTER}"))), "{stderr}");
        assert!(
            said.contains(
                &"schemashift: warning: fixtures/seed/database_schema_after.json:348:9: column user_preferences.updated_at: \
                PostgreSQL has no ON UPDATE; ON UPDATE CURRENT_TIMESTAMP becomes trigger updated_at_on_update on \
                public.user_preferences with function public.user_preferences_updated_at_on_update(), which sets the \
                column when an UPDATE changes the row but not the column"
            ),
            "{stderr}"
        );
    }
}

#[test]
fn seed_generate_is_pinned() {
    let version = env!("CARGO_PKG_VERSION");
    for (format, files) in [
        ("plain", &["0001_seed_samples.up.sql", "0001_seed_samples.down.sql"][..]),
        ("goose", &["20231114221320_seed_samples.sql"][..]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("migrations");
        let target_arg = target.to_str().unwrap();
        let out = schemashift(&[
            "generate",
            "--no-index",
            SEED_BEFORE,
            SEED_AFTER,
            "--name",
            "seed samples",
            "--framework",
            format,
            "--dir",
            target_arg,
        ]);
        assert_eq!(out.status.code(), Some(0), "{format}:\n{}", String::from_utf8_lossy(&out.stderr));
        let mut written: Vec<String> = std::fs::read_dir(&target)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !crate::support::runner::is_runbook(n))
            .collect();
        written.sort();
        let mut expected: Vec<String> = files.iter().map(|f| f.to_string()).collect();
        expected.sort();
        assert_eq!(written, expected, "{format}");
        for file in files {
            // The header names schemashift's version: `<version>` in the fixture.
            let text = std::fs::read_to_string(target.join(file)).unwrap().replace(version, "<version>");
            assert_golden(&format!("fixtures/seed_migration/{format}/{file}"), &text);
        }
    }
}

// ---------------------------------------------------------------------------
// Round trips on PostgreSQL 15.

/// A database holding `schema`, rendered, and then `data`.
fn build(server: &PgServer, name: &str, schema: &Schema, data: Option<&str>) -> String {
    let db = server.create_database(name);
    let sql = render_schema(schema);
    server.psql_file(&db, &sql).unwrap_or_else(|e| panic!("{name}: the rendered schema does not load:\n{e}\n{sql}"));
    if let Some(data) = data {
        server.psql_file(&db, data).unwrap_or_else(|e| panic!("{name}: the rows do not load:\n{e}"));
    }
    db
}

/// Runs a migration like a careful deployment: one transaction, stopping
/// at the first error (no step of these plans must run outside one).
fn apply(server: &PgServer, db: &str, steps: &[Step]) -> Result<(), String> {
    assert!(steps.iter().all(|s| s.transactional), "every step can run in a transaction");
    let sql: String = steps.iter().map(|s| format!("{}\n", s.sql)).collect();
    server.psql_file(db, &format!("BEGIN;\n{sql}COMMIT;\n")).map(|_| ())
}

/// The table and column renames the new model declares (`renamed_from`).
fn renames(new: &Schema) -> Renames {
    let mut r = Renames::default();
    for (name, table) in &new.tables {
        let new_name: TableName = (name.schema.clone(), name.name.clone());
        if let Some(old) = table.renamed_from.get() {
            r.tables.insert((name.schema.clone(), old.to_string()), new_name.clone());
        }
        for column in &table.columns {
            if let Some(old) = column.renamed_from.get() {
                r.columns.insert((new_name.clone(), old.to_string()), column.name.clone());
            }
        }
    }
    r
}

/// Up then down on a database built from `old` with `data`: the catalog
/// after each is that of the other side built directly, and no row is lost.
fn round_trip(server: &PgServer, case: &str, old_rel: &str, new_rel: &str, data: Option<&str>) {
    let (old, new) = (model(old_rel), model(new_rel));
    let plan = schemashift::plan::plan(&old, &new).unwrap_or_else(|e| panic!("{case}: the planner fails: {e}"));
    assert!(!plan.is_empty(), "{case}: the snapshots differ");
    let show = || format!("== up ==\n{}== down ==\n{}", plan.up_sql(), plan.down_sql());
    let old_catalog =
        support::comparable(&catalog::catalog(server, &build(server, &format!("{case}_old"), &old, None)));
    let new_catalog =
        support::comparable(&catalog::catalog(server, &build(server, &format!("{case}_new"), &new, None)));
    assert!(old_catalog != new_catalog, "{case}: the two sides give the same database");

    let db = build(server, &format!("{case}_migrated"), &old, data);
    let original = rows::snapshot(server, &db);
    assert!(data.is_none() || original.total_rows() > 0, "{case}: the rows loaded");
    let renames = renames(&new);

    apply(server, &db, &plan.up).unwrap_or_else(|e| panic!("{case}: the up migration fails:\n{e}\n{}", show()));
    let migrated = support::comparable(&catalog::catalog(server, &db));
    // PostgreSQL appends an added column: where the new snapshot places one
    // before others, no migration gives its position (the plan warns).
    let appended_early = added_before_others(&old, &new, &renames);
    let (migrated, new_catalog) =
        (without_positions(&migrated, &appended_early), without_positions(&new_catalog, &appended_early));
    assert!(
        migrated == new_catalog,
        "{case}: after the up (left) vs the new snapshot (right):\n{}\n{}",
        catalog::diff(&migrated, &new_catalog),
        show()
    );
    let after_up = rows::snapshot(server, &db);
    let lost = rows::compare(server, &db, &original, &after_up, &renames, &|_, _| true);
    assert!(lost.is_empty(), "{case}: rows changed by the up:\n{lost}\n{}", show());

    apply(server, &db, &plan.down).unwrap_or_else(|e| panic!("{case}: the down migration fails:\n{e}\n{}", show()));
    let back = support::comparable(&catalog::catalog(server, &db));
    assert!(
        back == old_catalog,
        "{case}: after the down (left) vs the old snapshot (right):\n{}\n{}",
        catalog::diff(&back, &old_catalog),
        show()
    );
    // What the new side kept comes back as it was; a dropped column comes
    // back empty (with its default).
    let after_down = rows::snapshot(server, &db);
    let kept = |table: &TableName, column: Option<&str>| {
        let new_table = renames.table(table);
        after_up
            .tables
            .get(&new_table)
            .is_some_and(|t| column.is_none_or(|c| t.columns.iter().any(|n| n.name == renames.column(&new_table, c))))
    };
    let lost = rows::compare(server, &db, &original, &after_down, &Renames::default(), &kept);
    assert!(lost.is_empty(), "{case}: rows changed by the round trip:\n{lost}\n{}", show());
}

/// The tables of `new` with a column `old` lacks before one it has: the
/// new column's position is out of a migration's reach.
fn added_before_others(old: &Schema, new: &Schema, renames: &Renames) -> Vec<TableName> {
    let mut out = Vec::new();
    for (name, table) in &new.tables {
        let new_name: TableName = (name.schema.clone(), name.name.clone());
        let old_table = old.tables.iter().find(|(o, _)| renames.table(&(o.schema.clone(), o.name.clone())) == new_name);
        let Some((_, old_table)) = old_table else { continue };
        let existed = |c: &str| old_table.columns.iter().any(|o| renames.column(&new_name, &o.name) == c);
        let first_added = table.columns.iter().position(|c| !existed(&c.name));
        if first_added.is_some_and(|i| table.columns[i..].iter().any(|c| existed(&c.name))) {
            out.push(new_name);
        }
    }
    out
}

/// `c` without the column positions of `tables`.
fn without_positions(c: &catalog::Catalog, tables: &[TableName]) -> catalog::Catalog {
    let mut c = c.clone();
    for (schema, table) in tables {
        let prefix = format!("{}.{}.", quote_ident(schema), quote_ident(table));
        for (key, fields) in c.objects.iter_mut() {
            if key.kind == "column" && key.name.starts_with(&prefix) {
                fields.remove("position");
            }
        }
    }
    c
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn seed_samples_round_trip() {
    let Some(server) = pg::server() else { return };
    let data = read_text("fixtures/seed_migration/data.sql");
    round_trip(server, "seed", SEED_BEFORE, SEED_AFTER, Some(&data));
}

fn case_round_trip(case: &str) {
    let Some(server) = pg::server() else { return };
    let dir = format!("fixtures/on_update/{case}");
    let data = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&dir).join("data.sql")).ok();
    round_trip(server, case, &format!("{dir}/old.json"), &format!("{dir}/new.json"), data.as_deref());
}

macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        $(
            #[test]
            #[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
            fn $case() {
                case_round_trip(stringify!($case));
            }
        )*

        #[test]
        fn every_case_is_tested() {
            let listed = [$(stringify!($case)),*];
            assert_eq!(listed, CASES);
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/on_update");
            let mut found: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .filter_map(|e| e.ok())
                .filter(|e| e.path().join("old.json").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            found.sort();
            assert_eq!(found, CASES, "a case directory without its test, or a test without its directory");
        }
    };
}

cases!(
    column_added,
    column_dropped,
    column_renamed,
    expression_changed,
    name_taken,
    quoted_names,
    removed,
    table_created,
    table_dropped,
);

// ---------------------------------------------------------------------------
// What the triggers do.

/// Runs `sql` (one transaction) and returns what its last statement printed.
fn query(server: &PgServer, db: &str, sql: &str) -> String {
    server.query(db, sql).unwrap_or_else(|e| panic!("{sql}\n{e}"))
}

/// Runs `update`, then selects `what` in the same transaction (so that
/// `LOCALTIMESTAMP` is the time the triggers saw: the transaction's start,
/// in the session's zone, as a `timestamp` column stores `CURRENT_TIMESTAMP`).
fn after(server: &PgServer, db: &str, update: &str, what: &str) -> String {
    query(server, db, &format!("{update}; SELECT {what}"))
}

/// MySQL's rules, on the seed samples migrated up: an UPDATE that changes a
/// row but not its ON UPDATE column sets the column to the current time; one
/// that sets the column keeps what it sets; one that changes nothing
/// changes nothing.
///
/// One difference, documented in src/dialect/postgres/on_update.rs and the README:
/// a trigger cannot see which columns an UPDATE names, so setting the column
/// to the value it already has, while changing another, is read as not
/// setting it (MySQL would keep the value).
#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn seed_samples_behave_like_mysql() {
    let Some(server) = pg::server() else { return };
    let (old, new) = (model(SEED_BEFORE), model(SEED_AFTER));
    let db = build(server, "seed_behaviour", &old, Some(&read_text("fixtures/seed_migration/data.sql")));
    let plan = schemashift::plan::plan(&old, &new).unwrap();
    apply(server, &db, &plan.up).unwrap();
    let ann = "FROM users WHERE username = 'ann'";
    let updated = |sql: &str| after(server, &db, sql, &format!("updated_at {ann}"));
    let updated_now = |sql: &str| after(server, &db, sql, &format!("updated_at = LOCALTIMESTAMP {ann}"));

    // Nothing changes: nothing is set.
    assert_eq!(updated("UPDATE users SET first_name = first_name WHERE username = 'ann'"), "2024-01-02 11:00:00");
    // Another column changes: the column is set, in that row only, and
    // created_at (a DEFAULT CURRENT_TIMESTAMP without ON UPDATE) is not.
    assert_eq!(updated_now("UPDATE users SET first_name = 'Annie' WHERE username = 'ann'"), "t");
    assert_eq!(query(server, &db, &format!("SELECT created_at {ann}")), "2024-01-01 10:00:00");
    assert_eq!(query(server, &db, "SELECT updated_at FROM users WHERE username = 'bob'"), "2024-02-01 10:00:00");
    // The column is set by the UPDATE, with or without other changes: kept.
    assert_eq!(
        updated("UPDATE users SET last_name = 'Li', updated_at = '1999-12-31 23:59:59' WHERE username = 'ann'"),
        "1999-12-31 23:59:59"
    );
    assert_eq!(
        updated("UPDATE users SET updated_at = '1998-01-01 00:00:00' WHERE username = 'ann'"),
        "1998-01-01 00:00:00"
    );
    // The difference from MySQL: set to its own value, it counts as not set.
    assert_eq!(updated_now("UPDATE users SET last_name = 'Lo', updated_at = updated_at WHERE username = 'ann'"), "t");

    // A table with a json column (json has no `=`: the row comparison must
    // not need one), created by the migration with its trigger.
    query(
        server,
        &db,
        "INSERT INTO user_preferences (user_id, preference_key, preference_value, updated_at) \
         VALUES (1, 'theme', '{\"dark\": true}', '2000-01-01 00:00:00')",
    );
    let pref = "updated_at FROM user_preferences WHERE preference_key = 'theme'";
    assert_eq!(
        after(server, &db, "UPDATE user_preferences SET preference_value = preference_value", pref),
        "2000-01-01 00:00:00"
    );
    assert_eq!(
        after(
            server,
            &db,
            "UPDATE user_preferences SET preference_value = '{\"dark\": false}'",
            "updated_at = LOCALTIMESTAMP FROM user_preferences WHERE preference_key = 'theme'"
        ),
        "t"
    );
    // The other tables' ON UPDATE columns.
    assert_eq!(
        after(
            server,
            &db,
            "UPDATE user_sessions SET ip_address = '10.0.0.1'",
            "last_activity = LOCALTIMESTAMP FROM user_sessions"
        ),
        "t"
    );
    assert_eq!(
        after(
            server,
            &db,
            "UPDATE user_profiles SET language = 'fr'",
            "updated_at = LOCALTIMESTAMP FROM user_profiles"
        ),
        "t"
    );

    // Down again: the tables that keep their ON UPDATE keep their trigger.
    apply(server, &db, &plan.down).unwrap();
    assert_eq!(updated_now("UPDATE users SET first_name = 'Ann' WHERE username = 'ann'"), "t");
}

/// Two ON UPDATE columns of one table: each has its trigger, and which
/// fires first does not matter. As in MySQL, a column set by the UPDATE
/// counts as a change for the other one.
#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn two_columns_of_one_table_behave_like_mysql() {
    let Some(server) = pg::server() else { return };
    let db = build(
        server,
        "two_columns",
        &model("fixtures/on_update/table_created/new.json"),
        Some(
            "INSERT INTO t (id, a, u, v) VALUES (1, 'x', '2000-01-01 00:00:00', '2000-01-01 00:00:00'), (2, 'y', NULL, NULL);",
        ),
    );
    let both = "u = LOCALTIMESTAMP, v = LOCALTIMESTAMP FROM t WHERE id";
    assert_eq!(after(server, &db, "UPDATE t SET a = 'z' WHERE id = 1", &format!("{both} = 1")), "t|t");
    assert_eq!(
        after(server, &db, "UPDATE t SET u = '2001-01-01' WHERE id = 1", "u, v = LOCALTIMESTAMP FROM t WHERE id = 1"),
        "2001-01-01 00:00:00|t"
    );
    assert_eq!(
        after(server, &db, "UPDATE t SET v = '2002-01-01' WHERE id = 1", "u = LOCALTIMESTAMP, v FROM t WHERE id = 1"),
        "t|2002-01-01 00:00:00"
    );
    // NULL to a time is a change of the column, and a time to NULL too.
    assert_eq!(after(server, &db, "UPDATE t SET a = 'w' WHERE id = 2", &format!("{both} = 2")), "t|t");
    assert_eq!(
        after(server, &db, "UPDATE t SET v = NULL WHERE id = 2", "u = LOCALTIMESTAMP, v IS NULL FROM t WHERE id = 2"),
        "t|t"
    );
}

/// Quoted names and names cut to 63 bytes work on the server (the body
/// refers to the column by its full, quoted name).
#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn quoted_and_long_names_behave_like_mysql() {
    let Some(server) = pg::server() else { return };
    let db = build(
        server,
        "quoted_names",
        &model("fixtures/on_update/quoted_names/new.json"),
        Some("INSERT INTO \"Order Items\" (id, \"Note\", \"Updated At\") VALUES (1, 'first', '2001-02-03 04:05:06');"),
    );
    let triggers =
        query(server, &db, "SELECT tgname FROM pg_trigger WHERE tgrelid = '\"Order Items\"'::regclass ORDER BY 1");
    assert_eq!(triggers, "Updated At_on_update\nlast_changed_by_the_nightly_reconciliation_job_of_bil_on_update");
    let long = "last_changed_by_the_nightly_reconciliation_job_of_billing_at";
    assert_eq!(
        after(
            server,
            &db,
            "UPDATE \"Order Items\" SET \"Note\" = 'second'",
            &format!("\"Updated At\" = LOCALTIMESTAMP, {long} = now() FROM \"Order Items\"")
        ),
        "t|t"
    );
}
