//! `--phases`: a breaking change written as an expand phase and a contract
//! phase an application can be deployed between. On PostgreSQL 15, after
//! the expand migrations, the old application's queries and the new
//! application's both succeed and see each other's writes; after the
//! contract migrations the new ones do, and the schema is new.sql's.

use crate::support::catalog;
use crate::support::read_sql;
use crate::support::roundtrip::{self, Script};
use assert_cmd::Command;
use schemashift::generate::{Unit, segment, units};
use schemashift::model::{Dialect, Schema};
use schemashift::plan::{Options, plan_with};

const OLD: &str = "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text, legacy text, n text);\n";
/// `name` renamed, `email` made NOT NULL, `legacy` dropped, `n` made an integer.
const NEW: &str = "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    -- schemashift:renamed-from name\n    display_name text NOT NULL,\n    email text NOT NULL,\n    n integer\n);\n";
const ROWS: &str = "INSERT INTO users VALUES (1, 'ann', 'a@x', 'keep', '7'), (2, 'bob', 'b@x', NULL, NULL);";

/// The old application: it writes `name`, `legacy` and `n` as text.
const OLD_APP: &str = "INSERT INTO users (id, name, email, legacy, n) VALUES (10, 'old', 'o@x', 'l', '5');\n\
                       UPDATE users SET name = 'old2' WHERE id = 10;\n\
                       SELECT id, name, email, legacy, n FROM users;";
/// The new application: `display_name`, no `legacy`, `n` written as a number.
const NEW_APP: &str = "INSERT INTO users (id, display_name, email, n) VALUES (11, 'new', 'n@x', 6);\n\
                       UPDATE users SET display_name = 'new2' WHERE id = 11;\n\
                       SELECT id, display_name, email, n FROM users;";

fn read(path: &str, sql: &str) -> Schema {
    read_sql(path, sql).unwrap_or_else(|e| panic!("{e}")).0
}

fn phased() -> (Schema, Schema, Vec<Unit>) {
    let (old, new) = (read("old.sql", OLD), read("new.sql", NEW));
    let plan = plan_with(&old, &new, &Options { phases: true, ..Options::default() }).unwrap();
    assert!(!plan.warnings.iter().any(|w| w.message.starts_with("--phases")), "{:?}", plan.warnings);
    let rules = segment::Rules::new(false, Dialect::Postgres, None);
    let parts = units(&old, &new, &plan, rules, true).unwrap();
    (old, new, parts)
}

fn script(steps: &[schemashift::plan::Step], transaction: bool) -> Script {
    Script { sql: steps.iter().map(|s| format!("{}\n", s.sql)).collect(), one_transaction: transaction }
}

fn is_contract(u: &Unit) -> bool {
    u.up.iter().any(|s| s.facts.contract)
}

#[test]
#[cfg_attr(pg_missing, ignore = "needs PostgreSQL 15 server binaries (initdb, pg_ctl) — not found; set CI=1 to make this a failure")]
fn old_and_new_applications_both_work_between_expand_and_contract() {
    let Some(server) = crate::support::pg::server() else { return };
    let (_, _, parts) = phased();
    let split = parts.iter().position(is_contract).expect("a contract phase");
    assert!(split > 0 && parts[split..].iter().all(is_contract), "expand first, then contract: {}", parts.len());
    let db = roundtrip::load(server, "phases", &[OLD, ROWS]).unwrap();
    for u in &parts[..split] {
        roundtrip::apply(server, &db, &script(&u.up, u.transaction)).unwrap_or_else(|e| panic!("expand: {e}"));
    }
    // Between the phases both applications run, and see each other's writes.
    server.psql_file(&db, OLD_APP).unwrap_or_else(|e| panic!("the old application fails after expand: {e}"));
    server.psql_file(&db, NEW_APP).unwrap_or_else(|e| panic!("the new application fails after expand: {e}"));
    let both = server.query(&db, "SELECT string_agg(id || ':' || name || '/' || display_name, ',' ORDER BY id) FROM users").unwrap();
    assert_eq!(both.trim(), "1:ann/ann,2:bob/bob,10:old2/old2,11:new2/new2");

    for u in &parts[split..] {
        roundtrip::apply(server, &db, &script(&u.up, u.transaction)).unwrap_or_else(|e| panic!("contract: {e}"));
    }
    // After the contract: the new application only, with n a number now.
    server.psql_file(&db, NEW_APP.replace("11", "12").as_str()).unwrap_or_else(|e| panic!("the new application fails after contract: {e}"));
    assert!(server.psql_file(&db, "SELECT name FROM users;").is_err(), "the old name is gone");
    let rows = server.query(&db, "SELECT string_agg(id || ':' || display_name || ':' || coalesce((n + 1)::text, '-'), ',' ORDER BY id) FROM users").unwrap();
    assert_eq!(rows.trim(), "1:ann:8,2:bob:-,10:old2:6,11:new2:7,12:new2:7");
    // The schema is new.sql's (the renamed and retyped columns now last).
    let new_db = roundtrip::load(server, "phases_new", &[NEW]).unwrap();
    let tables = [("public".to_string(), "users".to_string())];
    let wanted = roundtrip::without_positions(server, &new_db, &crate::support::comparable(&catalog::catalog(server, &new_db)), &tables);
    let got = roundtrip::without_positions(server, &db, &crate::support::comparable(&catalog::catalog(server, &db)), &tables);
    assert!(got == wanted, "{}", catalog::diff(&got, &wanted));
    server.drop_database(&new_db);

    // And back: the downs, last first.
    for u in parts.iter().rev() {
        roundtrip::apply(server, &db, &script(&u.down, u.transaction)).unwrap_or_else(|e| panic!("down: {e}"));
    }
    let old_db = roundtrip::load(server, "phases_old", &[OLD]).unwrap();
    let wanted = roundtrip::without_positions(server, &old_db, &crate::support::comparable(&catalog::catalog(server, &old_db)), &tables);
    let got = roundtrip::without_positions(server, &db, &crate::support::comparable(&catalog::catalog(server, &db)), &tables);
    assert!(got == wanted, "{}", catalog::diff(&got, &wanted));
    server.drop_database(&old_db);
    server.drop_database(&db);
}

#[test]
fn generate_names_the_phases_and_the_runbook_says_when_to_deploy() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.sql"), OLD).unwrap();
    std::fs::write(dir.path().join("new.sql"), NEW).unwrap();
    let out = Command::cargo_bin("schemashift")
        .unwrap()
        .current_dir(dir.path())
        .args(["generate", "--no-index", "old.sql", "new.sql", "--name", "users v2", "--framework", "plain", "--phases", "--dir", "m"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("m")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert!(names.contains(&"0001_users_v2_expand.up.sql".to_string()), "{names:?}");
    let last_up = names.iter().rfind(|n| n.ends_with(".up.sql")).unwrap();
    assert!(last_up.ends_with("_users_v2_contract.up.sql"), "{names:?}");
    let contract = std::fs::read_to_string(dir.path().join("m").join(last_up)).unwrap();
    assert!(contract.contains("DROP COLUMN name;") && contract.contains("DROP COLUMN legacy;"), "{contract}");
    let book = std::fs::read_to_string(dir.path().join("m/0001_users_v2.runbook.md")).unwrap();
    assert!(book.contains("- **contract**: steps"), "{book}");
    assert!(book.contains("no running release reads or writes public.users.legacy"), "{book}");
}

#[test]
fn a_change_without_anything_to_contract_is_not_split() {
    let (old, new) = (read("old.sql", OLD), read("new.sql", "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text, legacy text, n text, m text);\n"));
    let plan = plan_with(&old, &new, &Options { phases: true, ..Options::default() }).unwrap();
    assert!(!plan.up.iter().any(|s| s.facts.contract), "{}", plan.up_sql());
}
