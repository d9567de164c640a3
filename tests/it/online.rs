//! Online plans (`--online`) on PostgreSQL 15, with rows: each form the
//! planner writes instead of a blocking step is cut into migrations as
//! `generate` cuts it, each migration applied in its own transaction (or
//! none, as it says), the catalog compared with the new schema's and the rows
//! with the old ones; then the downs, in reverse, back to the old schema.
//! The linter finds none of what the online form fixed (and finds it in the
//! plain plan, so the check can fail).

use crate::support::catalog;
use crate::support::pg::PgServer;
use crate::support::roundtrip::{self, Case, Script};
use crate::support::rows::{self, Renames};
use crate::support::{comparable, read_sql};
use schemashift::generate::{Unit, segment, units};
use schemashift::lint::{self, Revision, Texts};
use schemashift::model::{Dialect, Schema};
use schemashift::plan::{Online, Options, Plan, plan, plan_with};

fn read(path: &str, sql: &str) -> Schema {
    read_sql(path, sql).unwrap_or_else(|e| panic!("{e}")).0
}

fn online() -> Options {
    Options { online: Some(Online::default()), ..Options::default() }
}

/// The codes of the findings of `plan`.
fn findings(old: &Schema, new: &Schema, plan: &Plan, old_sql: &str, new_sql: &str) -> Vec<&'static str> {
    let mut texts = Texts::default();
    texts.insert(Revision::Old, "old.sql", old_sql.to_string());
    texts.insert(Revision::New, "new.sql", new_sql.to_string());
    lint::lint(old, new, plan, &lint::Options::default(), &texts).findings.iter().map(|f| f.code).collect()
}

/// The migrations `generate --online` would write for the change.
fn migrations(old: &Schema, new: &Schema, plan: &Plan) -> Vec<Unit> {
    let rules = segment::Rules::new(false, Dialect::Postgres, None);
    units(old, new, plan, rules, true).unwrap_or_else(|e| panic!("the online plan cuts into migrations: {e}"))
}

fn script(steps: &[schemashift::plan::Step], transaction: bool) -> Script {
    Script { sql: steps.iter().map(|s| format!("{}\n", s.sql)).collect(), one_transaction: transaction }
}

/// One online form's case.
struct Form<'a> {
    name: &'a str,
    old: &'a str,
    new: &'a str,
    data: &'a str,
    /// Lint rules that fire on the plain plan and must not on the online one.
    fixed: &'a [&'a str],
    /// SQL the old application runs after the first migration, before the
    /// rest (rows written while the online plan is half-way).
    meanwhile: Option<&'a str>,
    /// Tables whose column positions change (a column swapped in goes last);
    /// `None`: positions are not compared at all.
    reordered: Option<&'a [(&'a str, &'a str)]>,
    /// `schema.table.column` whose values the change transforms on purpose.
    values_change: &'a [String],
}

fn check(server: &PgServer, form: &Form) -> Result<(), String> {
    let (old, new) = (read("old.sql", form.old), read("new.sql", form.new));
    let plain = plan(&old, &new).map_err(|e| e.to_string())?;
    let planned = plan_with(&old, &new, &online()).map_err(|e| format!("the online plan: {e}"))?;

    // What the online form fixes, the linter says of the plain plan only.
    let before = findings(&old, &new, &plain, form.old, form.new);
    let after = findings(&old, &new, &planned, form.old, form.new);
    for code in form.fixed {
        if !before.contains(code) {
            return Err(format!("{code} does not fire on the plain plan (findings: {before:?})"));
        }
        if after.contains(code) {
            return Err(format!("{code} still fires on the online plan:\n{}", planned.up_sql()));
        }
    }

    let case = Case { name: form.name, old: form.old, new: form.new, data: Some(form.data), values_change: &[] };
    let expected = roundtrip::expected(server, &case)?;
    let db = roundtrip::load(server, &format!("{}_online", form.name), &[form.old, form.data]).map_err(|(_, e)| e)?;
    let original = rows::snapshot(server, &db);
    let rules = segment::Rules::new(false, Dialect::Postgres, None);
    let parts = units(&old, &new, &planned, rules, true).map_err(|e| format!("the online plan does not cut into migrations: {e}"))?;
    for (i, unit) in parts.iter().enumerate() {
        roundtrip::apply(server, &db, &script(&unit.up, unit.transaction))
            .map_err(|e| format!("migration {} of {} fails: {e}\n{}", i + 1, parts.len(), script(&unit.up, unit.transaction).sql))?;
        if i == 0
            && let Some(sql) = form.meanwhile
        {
            server.psql_file(&db, sql).map_err(|e| format!("the old application's writes fail half-way: {e}"))?;
        }
    }
    let tables: Vec<rows::TableName> = form.reordered.unwrap_or_default().iter().map(|(s, t)| (s.to_string(), t.to_string())).collect();
    let positions = |c: &catalog::Catalog| match form.reordered {
        Some(_) => roundtrip::without_positions(server, &db, c, &tables),
        None => without_any_position(c),
    };
    let migrated = positions(&comparable(&catalog::catalog(server, &db)));
    let wanted = positions(&expected.new);
    if migrated != wanted {
        return Err(format!("after the online up, the catalog differs from new.sql's:\n{}", catalog::diff(&migrated, &wanted)));
    }
    let after_up = rows::snapshot(server, &db);
    let keep = |table: &rows::TableName, column: Option<&str>| {
        column.is_none_or(|c| !form.values_change.contains(&format!("{}.{}.{c}", table.0, table.1)))
    };
    if form.meanwhile.is_none() {
        let lost = rows::compare(server, &db, &original, &after_up, &Renames::from_hints(form.new, "public"), &keep);
        if !lost.is_empty() {
            return Err(format!("rows lost or changed by the online up:\n{lost}"));
        }
    }
    for unit in parts.iter().rev() {
        roundtrip::apply(server, &db, &script(&unit.down, unit.transaction)).map_err(|e| format!("a down fails: {e}"))?;
    }
    let back = positions(&comparable(&catalog::catalog(server, &db)));
    let old_catalog = positions(&expected.old);
    if back != old_catalog {
        return Err(format!("after the downs, the catalog differs from old.sql's:\n{}", catalog::diff(&back, &old_catalog)));
    }
    server.drop_database(&db);
    Ok(())
}

/// `c` without the position of any column.
fn without_any_position(c: &catalog::Catalog) -> catalog::Catalog {
    let mut c = c.clone();
    for (key, fields) in c.objects.iter_mut() {
        if key.kind == "column" {
            fields.remove("position");
        }
    }
    c
}

fn run(form: Form) {
    let Some(server) = crate::support::pg::server() else { return };
    if let Err(e) = check(server, &form) {
        panic!("{}: {e}", form.name);
    }
}

const USERS: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text, nick text);\n";
const USER_ROWS: &str = "INSERT INTO users VALUES (1, 'a@x', 'a'), (2, 'b@x', 'b'), (3, 'c@x', NULL);\n";

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn foreign_key_and_check_are_added_not_valid_then_validated() {
    run(Form {
        name: "online_fk_check",
        old: &format!("{USERS}CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint, score int);"),
        new: &format!("{USERS}CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), score int CHECK (score >= 0));"),
        data: &format!("{USER_ROWS}INSERT INTO posts VALUES (10, 1, 5), (11, 2, 0), (12, NULL, NULL);"),
        fixed: &["SS405", "SS406"],
        meanwhile: None,
        reordered: Some(&[]),
        values_change: &[],
    });
}

/// Every case of `fixtures/diff/` (the plain planner's round trips), planned
/// online and applied migration by migration to its rows: what the online
/// forms change must not break any of them. Column positions are not
/// compared (a swapped column moves to the end; the plain round trip
/// checks positions).
#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn every_fixture_round_trips_online() {
    let Some(server) = crate::support::pg::server() else { return };
    let dir = crate::support::diff_fixtures_dir();
    let mut cases: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    cases.sort();
    let mut failures = Vec::new();
    let mut online_steps = 0;
    for case in &cases {
        let read = |name: &str| std::fs::read_to_string(dir.join(case).join(name));
        // The plain round trip's known failures (what PostgreSQL cannot give back) are its own.
        let (Ok(old), Ok(new), Err(_)) = (read("old.sql"), read("new.sql"), read("known_failure")) else { continue };
        let data = read("data.sql").unwrap_or_default();
        let values_change: Vec<String> = read("values_change").unwrap_or_default().lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
        let form = Form { name: &format!("onl_{case}"), old: &old, new: &new, data: &data, fixed: &[], meanwhile: None, reordered: None, values_change: &values_change };
        if let Ok(planned) = plan_with(&read_sql("old.sql", &old).unwrap().0, &read_sql("new.sql", &new).unwrap().0, &online()) {
            online_steps += planned.up.iter().filter(|s| s.sql.contains("NOT VALID") || s.sql.contains("CONCURRENTLY") || s.sql.contains("USING INDEX") || s.sql.starts_with("UPDATE")).count();
        }
        if let Err(e) = check(server, &form) {
            failures.push(format!("{case}: {e}"));
        }
    }
    assert!(online_steps > 50, "the fixtures exercise the online forms: {online_steps} steps");
    assert!(failures.is_empty(), "{} of {} cases fail online:\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn not_null_is_proved_by_a_validated_check() {
    run(Form {
        name: "online_not_null",
        old: USERS,
        new: "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, nick text);",
        data: USER_ROWS,
        fixed: &["SS401"],
        meanwhile: None,
        reordered: Some(&[]),
        values_change: &[],
    });
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn indexes_are_built_and_dropped_concurrently() {
    run(Form {
        name: "online_index",
        old: &format!("{USERS}CREATE INDEX users_nick ON users (nick);"),
        new: &format!("{USERS}CREATE INDEX users_email ON users (email);"),
        data: USER_ROWS,
        fixed: &["SS501", "SS502"],
        meanwhile: None,
        reordered: Some(&[]),
        values_change: &[],
    });
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn a_type_change_goes_through_a_new_column_kept_in_step() {
    // text → integer: a cast that can fail, and a rewrite in place. The old
    // application inserts and updates rows after the first migration: the
    // trigger converts them, and the swap keeps them.
    run(Form {
        name: "online_swap",
        old: "CREATE TABLE m (id bigint PRIMARY KEY, n text, age text NOT NULL DEFAULT '0', note text);\n\
              COMMENT ON COLUMN m.age IS 'in years';",
        new: "CREATE TABLE m (id bigint PRIMARY KEY, n integer, age integer NOT NULL DEFAULT 0, note text);\n\
              COMMENT ON COLUMN m.age IS 'in years';",
        data: "INSERT INTO m VALUES (1, '10', '30', 'x'), (2, NULL, '41', NULL), (3, '-7', '0', 'z');",
        fixed: &["SS301"],
        meanwhile: Some("INSERT INTO m (id, n, note) VALUES (4, '12', 'new'); UPDATE m SET n = '11', age = '31' WHERE id = 1;"),
        reordered: Some(&[("public", "m")]),
        values_change: &[],
    });
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn rows_written_half_way_through_a_swap_are_converted() {
    let Some(server) = crate::support::pg::server() else { return };
    let old_sql = "CREATE TABLE m (id bigint PRIMARY KEY, n text NOT NULL DEFAULT '5');";
    let new_sql = "CREATE TABLE m (id bigint PRIMARY KEY, n bigint NOT NULL DEFAULT 5);";
    let (old, new) = (read("old.sql", old_sql), read("new.sql", new_sql));
    let planned = plan_with(&old, &new, &online()).unwrap();
    let parts = migrations(&old, &new, &planned);
    assert!(parts.len() >= 3, "add + sync, backfill, validate, swap: {} migrations", parts.len());
    let db = roundtrip::load(server, "online_half_way", &[old_sql, "INSERT INTO m VALUES (1, '1'), (2, '2');"]).unwrap();
    roundtrip::apply(server, &db, &script(&parts[0].up, parts[0].transaction)).unwrap();
    // The old application: an insert with the default, one with a value, an update.
    server.psql_file(&db, "INSERT INTO m (id) VALUES (3); INSERT INTO m VALUES (4, '44'); UPDATE m SET n = '22' WHERE id = 2;").unwrap();
    for unit in &parts[1..] {
        roundtrip::apply(server, &db, &script(&unit.up, unit.transaction)).unwrap();
    }
    let got = server.query(&db, "SELECT string_agg(id || '=' || n, ',' ORDER BY id) FROM m").unwrap();
    assert_eq!(got.trim(), "1=1,2=22,3=5,4=44");
    let types = server.query(&db, "SELECT format_type(atttypid, atttypmod) || ' ' || attnotnull FROM pg_attribute WHERE attrelid = 'm'::regclass AND attname = 'n'").unwrap();
    assert_eq!(types.trim(), "bigint true");
    server.drop_database(&db);
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn a_null_found_by_the_validation_stops_the_migration_before_any_long_lock() {
    let Some(server) = crate::support::pg::server() else { return };
    let new_sql = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, nick text);";
    let (old, new) = (read("old.sql", USERS), read("new.sql", new_sql));
    let planned = plan_with(&old, &new, &online()).unwrap();
    let parts = migrations(&old, &new, &planned);
    let db = roundtrip::load(server, "online_null", &[USERS, "INSERT INTO users VALUES (1, NULL, 'a');"]).unwrap();
    let results: Vec<Result<(), String>> = parts.iter().map(|u| roundtrip::apply(server, &db, &script(&u.up, u.transaction))).collect();
    let failed = results.iter().position(|r| r.is_err()).expect("a NULL email stops the migration");
    let failing = &parts[failed].up;
    assert!(failing.iter().any(|s| s.sql.contains("VALIDATE CONSTRAINT")), "it stops at the validation: {failing:?}");
    assert!(results[failed].as_ref().unwrap_err().contains("is violated by some row"), "{:?}", results[failed]);
    server.drop_database(&db);
}

#[test]
fn a_column_an_index_uses_keeps_its_type_change_in_place_and_says_why() {
    let old = read("old.sql", "CREATE TABLE m (id bigint PRIMARY KEY, n text); CREATE INDEX m_n ON m (n);");
    let new = read("new.sql", "CREATE TABLE m (id bigint PRIMARY KEY, n integer); CREATE INDEX m_n ON m (n);");
    let planned = plan_with(&old, &new, &online()).unwrap();
    assert!(planned.up_sql().contains("ALTER COLUMN n TYPE integer"), "{}", planned.up_sql());
    let why = planned.warnings.iter().find(|w| w.message.starts_with("online:")).expect("a warning says why");
    assert!(why.message.contains("an index uses it"), "{}", why.message);
}

#[test]
fn an_online_plan_sets_its_timeouts_first_and_plain_plans_do_not() {
    let old = read("old.sql", USERS);
    let new = read("new.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, nick text);");
    let planned = plan_with(&old, &new, &online()).unwrap();
    assert!(planned.up_sql().starts_with("SET lock_timeout = '5s';\nSET statement_timeout = '1h';\n"), "{}", planned.up_sql());
    assert!(!plan(&old, &new).unwrap().up_sql().contains("SET lock_timeout"));
    // Every migration starts with them (a runner may use a new connection each time).
    for unit in migrations(&old, &new, &planned) {
        assert!(unit.up[0].sql.starts_with("SET lock_timeout"), "{:?}", unit.up);
        assert!(unit.down[0].sql.starts_with("SET lock_timeout"), "{:?}", unit.down);
    }
    // A table created by the migration holds no rows: nothing to do online.
    let created = plan_with(&read("old.sql", ""), &new, &online()).unwrap();
    assert!(!created.up_sql().contains("NOT VALID") && !created.up_sql().contains("VALIDATE"), "{}", created.up_sql());
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn the_last_migration_of_a_swap_rolls_back_and_runs_again() {
    // A runner's `rollback` undoes one migration: the database must be where
    // the migration before it left it, the new column filled, so that the
    // migration can run again.
    let Some(server) = crate::support::pg::server() else { return };
    let old_sql = "CREATE TABLE m (id bigint PRIMARY KEY, n text NOT NULL);";
    let new_sql = "CREATE TABLE m (id bigint PRIMARY KEY, n integer NOT NULL);";
    let (old, new) = (read("old.sql", old_sql), read("new.sql", new_sql));
    let parts = migrations(&old, &new, &plan_with(&old, &new, &online()).unwrap());
    let db = roundtrip::load(server, "online_redo", &[old_sql, "INSERT INTO m VALUES (1, '1'), (2, '2');"]).unwrap();
    let last = parts.last().unwrap();
    for unit in &parts {
        roundtrip::apply(server, &db, &script(&unit.up, unit.transaction)).unwrap();
    }
    roundtrip::apply(server, &db, &script(&last.down, last.transaction)).unwrap();
    roundtrip::apply(server, &db, &script(&last.up, last.transaction)).unwrap_or_else(|e| panic!("the last migration does not run again: {e}"));
    let got = server.query(&db, "SELECT string_agg(id || '=' || n, ',' ORDER BY id) FROM m").unwrap();
    assert_eq!(got.trim(), "1=1,2=2");
    server.drop_database(&db);
}

mod cli {
    use assert_cmd::Command;
    use std::path::Path;

    const OLD: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint);\n";
    const NEW: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n\
                       CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n";

    fn run(dir: &Path, args: &[&str]) -> std::process::Output {
        std::fs::write(dir.join("old.sql"), OLD).unwrap();
        std::fs::write(dir.join("new.sql"), NEW).unwrap();
        Command::cargo_bin("schemashift").unwrap().current_dir(dir).args(args).output().unwrap()
    }

    fn json(out: &std::process::Output) -> serde_json::Value {
        assert!(out.status.code().is_some_and(|c| c < 64), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
    }

    fn codes(report: &serde_json::Value) -> Vec<String> {
        report["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
    }

    #[test]
    fn diff_online_writes_the_safe_forms_and_says_where_transactions_end() {
        let dir = tempfile::tempdir().unwrap();
        let report = json(&run(dir.path(), &["diff", "--no-index", "old.sql", "new.sql", "--online", "--format", "json"]));
        let up = report["up"].as_str().unwrap();
        assert!(up.starts_with("SET lock_timeout = '5s';\nSET statement_timeout = '1h';\n"), "{up}");
        assert!(up.contains("FOREIGN KEY (user_id) REFERENCES public.users (id) NOT VALID;"), "{up}");
        assert!(up.contains("ALTER TABLE public.posts VALIDATE CONSTRAINT posts_user_id_fkey;"), "{up}");
        assert!(up.contains("CHECK (email IS NOT NULL) NOT VALID;"), "{up}");
        let steps = report["up_steps"].as_array().unwrap();
        let first_validate = steps.iter().position(|s| s["sql"].as_str().unwrap().contains("VALIDATE")).unwrap();
        assert_eq!(steps[first_validate]["facts"]["commits_before"], true, "{:?}", steps[first_validate]);
        assert_eq!(steps.iter().filter(|s| s["facts"]["commits_before"] == true).count(), 1);
        // What the plan fixed, the findings in the same report no longer say.
        let plain = json(&run(dir.path(), &["diff", "--no-index", "old.sql", "new.sql", "--format", "json"]));
        let (before, after) = (codes(&plain["lint"]), codes(&report["lint"]));
        assert!(before.contains(&"SS405".to_string()) && before.contains(&"SS401".to_string()), "{before:?}");
        assert!(!after.contains(&"SS405".to_string()) && !after.contains(&"SS401".to_string()), "{after:?}");
    }

    #[test]
    fn lint_online_judges_the_online_plan() {
        let dir = tempfile::tempdir().unwrap();
        let plain = json(&run(dir.path(), &["lint", "--no-index", "old.sql", "new.sql", "--format", "json"]));
        let online = json(&run(dir.path(), &["lint", "--no-index", "old.sql", "new.sql", "--online", "--format", "json"]));
        assert!(codes(&plain).contains(&"SS405".to_string()), "{:?}", codes(&plain));
        assert!(!codes(&online).contains(&"SS405".to_string()), "{:?}", codes(&online));
    }

    #[test]
    fn online_and_its_timeouts_come_from_the_configuration() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("schemashift.toml"), "online = true\nlock_timeout = \"2s\"\nstatement_timeout = \"0\"\n").unwrap();
        let out = run(dir.path(), &["diff", "--no-index", "old.sql", "new.sql"]);
        let up = String::from_utf8(out.stdout).unwrap();
        assert!(up.starts_with("SET lock_timeout = '2s';\nSET statement_timeout = '0';\n"), "{up}");
        assert!(up.contains("NOT VALID"), "{up}");

        std::fs::write(dir.path().join("schemashift.toml"), "online = true\nlock_timeout = \"5 seconds\"\n").unwrap();
        let out = run(dir.path(), &["diff", "--no-index", "old.sql", "new.sql"]);
        assert_eq!(out.status.code(), Some(65));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("`lock_timeout` in") && err.contains("is not a duration: `5 seconds`"), "{err}");
    }

    #[test]
    fn linting_migration_files_has_no_plan_to_make_online() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("001.sql"), "CREATE TABLE t (id int);\n").unwrap();
        let out = run(dir.path(), &["lint", "--migrations", "001.sql", "--online"]);
        assert_eq!(out.status.code(), Some(64), "{}", String::from_utf8_lossy(&out.stderr));
    }
}
