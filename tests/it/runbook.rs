//! The rollback runbook: for a change that drops a column, tightens a
//! column to NOT NULL UNIQUE and changes a type, it holds the pre-flight
//! queries, the locks with durations from table sizes, the phases and the
//! rollback with what it cannot restore; and on PostgreSQL 15 its queries
//! do what it says: the pre-flight queries find the rows that would fail,
//! the validation queries tell the old schema from the new, and the restore
//! commands put the dropped values back.

use crate::support::pg::PgServer;
use crate::support::roundtrip::{self, Script};
use assert_cmd::Command;
use std::path::Path;

const OLD: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy_code text, age text);\n";
const NEW: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, age integer);\n";
const STATS: &str = r#"{"tables_to_migrate": [{"name": "users", "row_count": 1500000, "size_mb": 450, "critical": true}]}"#;

fn runbook(dir: &Path, format: &str) -> String {
    std::fs::write(dir.join("old.sql"), OLD).unwrap();
    std::fs::write(dir.join("new.sql"), NEW).unwrap();
    std::fs::write(dir.join("stats.json"), STATS).unwrap();
    let out = Command::cargo_bin("schemashift")
        .unwrap()
        .current_dir(dir)
        .args(["runbook", "--no-index", "old.sql", "new.sql", "--stats", "stats.json", "--format", format])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&runbook(dir, "json")).unwrap()
}

fn strings(v: &serde_json::Value, field: &str) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x[field].as_str().unwrap_or_default().to_string()).collect()
}

#[test]
fn the_runbook_holds_checks_locks_phases_and_what_the_rollback_cannot_restore() {
    let dir = tempfile::tempdir().unwrap();
    let r = json(dir.path());
    // Summary.
    assert_eq!(r["summary"]["level"], "breaking_changes");
    assert_eq!(r["summary"]["lossless_rollback"], false);
    assert_eq!(r["summary"]["counts"]["breaking"], 1);
    // Both hold ACCESS EXCLUSIVE; the unique index of 1,500,000 rows at 200,000 rows/s (7.5 s)
    // holds it longer than the rewrite of 450 MB at 100 MB/s (4.5 s).
    assert_eq!(r["summary"]["riskiest"], "step 4 (add constraint users_email_key on public.users): ACCESS EXCLUSIVE on public.users for about 7.5 s", "{}", r["summary"]);
    // Pre-flight: NULLs, duplicates, values that do not convert.
    let checks = strings(&r["preflight"], "sql");
    assert!(checks.iter().any(|q| q.contains("WHERE email IS NULL")), "{checks:?}");
    assert!(checks.iter().any(|q| q.contains("GROUP BY email HAVING count(*) > 1")), "{checks:?}");
    assert!(checks.iter().any(|q| q.contains("FROM public.users WHERE age IS NOT NULL")), "{checks:?}");
    // Steps: locks, durations from the sizes, rewrite, what cannot be restored.
    let steps = r["steps"].as_array().unwrap();
    let step = |summary: &str| steps.iter().find(|s| s["summary"] == summary).unwrap_or_else(|| panic!("no step {summary}: {steps:?}"));
    let retype = step("change type of public.users.age");
    assert_eq!(retype["lock"], "ACCESS EXCLUSIVE on public.users");
    assert_eq!(retype["rewrites_table"], true);
    assert_eq!(retype["duration"]["arithmetic"], "public.users: 450 MB ÷ 100 MB/s = 4.5 s (rewrite)");
    assert_eq!(retype["down"][0], "ALTER TABLE public.users ALTER COLUMN age TYPE text USING age::text;");
    let dropped = step("drop column public.users.legacy_code");
    assert_eq!(dropped["cannot_restore"], "the values of legacy_code in public.users");
    assert_eq!(dropped["phase"], "contract");
    assert_eq!(step("set not null on public.users.email")["duration"]["arithmetic"], "public.users: 1500000 rows ÷ 1000000 rows/s = 1.5 s (scan)");
    // Phases, each with what the application must do first.
    let phases = r["phases"].as_array().unwrap();
    let names: Vec<&str> = phases.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["migrate", "contract"]);
    let contract = phases[1]["before"].to_string();
    assert!(contract.contains("no running release reads or writes public.users.legacy_code"), "{contract}");
    // Rollback: the down, the restore of the dropped values, validations.
    assert!(r["rollback"]["migrations"][0]["sql"].as_str().unwrap().contains("ADD COLUMN legacy_code text"));
    let restore = &r["rollback"]["restore"][0];
    assert!(restore["before"].as_str().unwrap().starts_with("\\copy (SELECT id, legacy_code FROM public.users)"), "{restore}");
    assert!(restore["after"].as_str().unwrap().contains("UPDATE public.users t SET legacy_code = b.legacy_code FROM b WHERE t.id = b.id;"));
    assert_eq!(r["rollback"]["validation"].as_array().unwrap().len(), 4, "{}", r["rollback"]["validation"]);
    // integer back to text always converts: nothing makes this down fail.
    assert_eq!(r["rollback"]["risks"], serde_json::json!([]));
    // Triggers name the steps.
    let triggers = r["triggers"].to_string();
    assert!(triggers.contains("55P03") && triggers.contains("22P02") && triggers.contains("past twice its estimate (9 s)"), "{triggers}");
}

#[test]
fn the_markdown_runbook_has_every_section_and_no_blanks_to_fill() {
    let dir = tempfile::tempdir().unwrap();
    let md = runbook(dir.path(), "markdown");
    for section in ["# Runbook: ", "## Summary", "## Pre-flight checks", "## Steps", "## Deploy order", "## Rollback", "### Restoring data", "### Validation", "## Rollback triggers"] {
        assert!(md.contains(section), "no {section}:\n{md}");
    }
    for blank in ["TBD", "TODO", "XXX", "{table", "{column", "<table>", "N/A"] {
        assert!(!md.contains(blank), "{blank} in:\n{md}");
    }
    assert!(md.contains("Durations assume SCAN_ROWS_PER_S = 1000000 rows/s (sequential scan evaluating a condition on every row); INDEX_BUILD_ROWS_PER_S = 200000 rows/s"), "the assumptions are stated:\n{md}");
}

#[test]
fn without_sizes_there_are_no_durations_and_bad_sizes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    runbook(dir.path(), "json");
    let out = Command::cargo_bin("schemashift").unwrap().current_dir(dir.path()).args(["runbook", "--no-index", "old.sql", "new.sql", "--format", "json"]).output().unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r["steps"].as_array().unwrap().iter().all(|s| s.get("duration").is_none()));
    assert!(r["assumptions"].as_array().unwrap().is_empty());
    std::fs::write(dir.path().join("bad.json"), "[{\"name\": \"users\", \"rows\": 3}]").unwrap();
    let out = Command::cargo_bin("schemashift").unwrap().current_dir(dir.path()).args(["runbook", "--no-index", "old.sql", "new.sql", "--stats", "bad.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json"));
}

#[test]
fn generate_writes_the_runbook_beside_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.sql"), OLD).unwrap();
    std::fs::write(dir.path().join("new.sql"), NEW).unwrap();
    let out = Command::cargo_bin("schemashift")
        .unwrap()
        .current_dir(dir.path())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["generate", "--no-index", "old.sql", "new.sql", "--name", "tighten users", "--framework", "dbmate", "--dir", "db/migrations"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let book = std::fs::read_to_string(dir.path().join("db/migrations/20231114221320_tighten_users.runbook.md")).unwrap();
    assert!(book.starts_with("# Runbook: 20231114221320_tighten_users"), "{book}");
    assert!(book.contains("WHERE email IS NULL"), "{book}");
}

/// Runs `sql` and returns psql's unaligned output.
fn query(server: &PgServer, db: &str, sql: &str) -> String {
    server.query(db, sql).unwrap_or_else(|e| panic!("{sql}: {e}")).trim().to_string()
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn the_runbooks_queries_do_what_it_says_on_postgres() {
    let Some(server) = crate::support::pg::server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let r = json(dir.path());
    let sql = |v: &serde_json::Value| v.as_str().unwrap().to_string();

    // Pre-flight: rows that would fail are found, and none in clean data.
    let bad = roundtrip::load(server, "runbook_bad", &[OLD, "INSERT INTO users VALUES (1, NULL, 'a', '1'), (2, 'x@y', 'b', 'two'), (3, 'x@y', 'c', '3');"]).unwrap();
    for check in r["preflight"].as_array().unwrap() {
        assert!(!query(server, &bad, &sql(&check["sql"])).is_empty(), "finds nothing on bad rows: {check}");
    }
    server.drop_database(&bad);
    let db = roundtrip::load(server, "runbook_ok", &[OLD, "INSERT INTO users VALUES (1, 'a@x', 'keep-1', '41'), (2, 'b@x', 'keep-2', '42');"]).unwrap();
    for check in r["preflight"].as_array().unwrap() {
        assert_eq!(query(server, &db, &sql(&check["sql"])), "", "finds rows in clean data: {check}");
    }

    // Before the migration: the export the restore needs, run by psql where the file goes.
    let restore = &r["rollback"]["restore"][0];
    let psql = |text: &str| {
        let mut cmd = server.client("psql", &db);
        let out = cmd.current_dir(dir.path()).args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", text]).output().unwrap();
        assert!(out.status.success(), "{text}: {}", String::from_utf8_lossy(&out.stderr));
    };
    psql(&sql(&restore["before"]));

    // The up; the validations do not give the old answers yet.
    let up: String = r["steps"].as_array().unwrap().iter().map(|s| format!("{}\n", sql(&s["up"]))).collect();
    roundtrip::apply(server, &db, &Script { sql: up, one_transaction: true }).unwrap();
    let validations = r["rollback"]["validation"].as_array().unwrap();
    for v in validations {
        assert_ne!(query(server, &db, &sql(&v["sql"])), sql(&v["expect"]), "already the old answer after the up: {v}");
    }
    // The down; now every validation gives the old schema's answer.
    let down = sql(&r["rollback"]["migrations"][0]["sql"]);
    roundtrip::apply(server, &db, &Script { sql: down, one_transaction: true }).unwrap();
    for v in validations {
        assert_eq!(query(server, &db, &sql(&v["sql"])), sql(&v["expect"]), "{v}");
    }
    // The dropped values come back with the restore commands, one psql session.
    assert_eq!(query(server, &db, "SELECT count(legacy_code) FROM users"), "0");
    let after = sql(&restore["after"]);
    let mut cmd = server.client("psql", &db);
    let out = cmd.current_dir(dir.path()).args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"]).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().and_then(|mut child| {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(after.as_bytes())?;
        child.wait_with_output()
    }).unwrap();
    assert!(out.status.success(), "{after}: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(query(server, &db, "SELECT string_agg(id || '=' || legacy_code, ',' ORDER BY id) FROM users"), "1=keep-1,2=keep-2");
    server.drop_database(&db);
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn phases_that_can_run_apart_are_undone_phase_by_phase() {
    let Some(server) = crate::support::pg::server() else { return };
    let old = "CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy_code text);\n";
    let new = "CREATE TABLE users (id bigint PRIMARY KEY, email text, phone text);\nCREATE INDEX users_email ON users (email);\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.sql"), old).unwrap();
    std::fs::write(dir.path().join("new.sql"), new).unwrap();
    let out = Command::cargo_bin("schemashift").unwrap().current_dir(dir.path()).args(["runbook", "--no-index", "old.sql", "new.sql", "--format", "json"]).output().unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The planner puts the drop between the two additions; the phases can still run apart.
    assert_eq!(r["phases_in_order"], true, "{}", r["phases"]);
    let expand: Vec<u64> = r["phases"][0]["steps"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).collect();
    assert_eq!(r["phases"][0]["name"], "expand");
    let undo = &r["rollback"]["after_phase"][0];
    assert_eq!(undo["reached"], "expand");
    let undo_sql: Vec<String> = undo["sql"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
    assert!(!undo_sql.iter().any(|s| s.contains("legacy_code")), "the contract phase did not run: {undo_sql:?}");

    // On PostgreSQL: the expand steps alone, then their undo, give the old schema back.
    let case = roundtrip::Case { name: "runbook_phases", old, new, data: Some("INSERT INTO users VALUES (1, 'a', 'x');"), values_change: &[] };
    let expected = roundtrip::expected(server, &case).unwrap();
    let db = roundtrip::load(server, "runbook_phases_run", &[old, "INSERT INTO users VALUES (1, 'a', 'x');"]).unwrap();
    let steps = r["steps"].as_array().unwrap();
    let sql: String = steps.iter().filter(|s| expand.contains(&s["number"].as_u64().unwrap())).map(|s| format!("{}\n", s["up"].as_str().unwrap())).collect();
    roundtrip::apply(server, &db, &Script { sql, one_transaction: true }).unwrap();
    assert_eq!(query(server, &db, "SELECT legacy_code FROM users"), "x", "the expand phase keeps what the contract drops");
    roundtrip::apply(server, &db, &Script { sql: undo_sql.iter().map(|s| format!("{s}\n")).collect(), one_transaction: true }).unwrap();
    let back = crate::support::comparable(&crate::support::catalog::catalog(server, &db));
    assert!(back == expected.old, "{}", crate::support::catalog::diff(&back, &expected.old));
    server.drop_database(&db);
}

#[test]
fn a_down_that_new_data_can_break_is_named_a_risk() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.sql"), "CREATE TABLE t (id bigint PRIMARY KEY, n integer);\n").unwrap();
    std::fs::write(dir.path().join("new.sql"), "CREATE TABLE t (id bigint PRIMARY KEY, n bigint);\n").unwrap();
    let out = Command::cargo_bin("schemashift").unwrap().current_dir(dir.path()).args(["runbook", "--no-index", "old.sql", "new.sql"]).output().unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("- Rollback: lossless now; once the new application writes data, see the risks"), "{md}");
    assert!(md.contains("the down may fail or lose it:\n\n- column public.t.n changes from integer to bigint"), "{md}");
}

#[test]
fn runbook_dir_in_the_configuration_keeps_runbooks_apart() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.sql"), OLD).unwrap();
    std::fs::write(dir.path().join("new.sql"), NEW).unwrap();
    std::fs::write(dir.path().join("schemashift.toml"), "runbook_dir = \"docs/runbooks\"\n").unwrap();
    let out = Command::cargo_bin("schemashift")
        .unwrap()
        .current_dir(dir.path())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["generate", "--no-index", "old.sql", "new.sql", "--name", "tighten", "--framework", "plain", "--dir", "m"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let mut in_m: Vec<String> = std::fs::read_dir(dir.path().join("m")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    in_m.sort();
    assert_eq!(in_m, ["0001_tighten.down.sql", "0001_tighten.up.sql"]);
    let book = std::fs::read_to_string(dir.path().join("docs/runbooks/0001_tighten.runbook.md")).unwrap();
    assert!(book.contains("## Rollback triggers"), "{book}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("docs/runbooks/0001_tighten.runbook.md"));
    // A runbook already there is never overwritten: refused before any file is written.
    std::fs::write(dir.path().join("docs/runbooks/0002_tighten.runbook.md"), "mine").unwrap();
    let again = Command::cargo_bin("schemashift")
        .unwrap()
        .current_dir(dir.path())
        .args(["generate", "--no-index", "old.sql", "new.sql", "--name", "tighten", "--framework", "plain", "--dir", "m", "--version", "0002"])
        .output()
        .unwrap();
    assert_ne!(again.status.code(), Some(0), "{}", String::from_utf8_lossy(&again.stdout));
    assert_eq!(std::fs::read_to_string(dir.path().join("docs/runbooks/0002_tighten.runbook.md")).unwrap(), "mine");
    assert!(!dir.path().join("m/0002_tighten.up.sql").exists(), "no migration written");
}

#[test]
fn data_kept_by_preserve_data_is_no_loss_in_the_runbook() {
    let dir = tempfile::tempdir().unwrap();
    runbook(dir.path(), "json");
    let out = Command::cargo_bin("schemashift").unwrap().current_dir(dir.path()).args(["runbook", "--no-index", "old.sql", "new.sql", "--preserve-data", "--format", "json"]).output().unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["summary"]["lossless_rollback"], true, "{}", r["summary"]);
    assert!(r["steps"].as_array().unwrap().iter().all(|s| s.get("cannot_restore").is_none()));
    assert_eq!(r["rollback"]["restore"], serde_json::json!([]));
}
