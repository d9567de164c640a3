//! squawk (PyPI `squawk-cli`), a PostgreSQL migration linter written by
//! others, judges the migrations `generate --online` writes: each migration
//! is given to squawk as the runner runs it (`--assume-in-transaction` for
//! those that run in a transaction), and none of the lock hazards squawk
//! reports on the plain migrations of the same change may be left. The
//! plain migrations must show every one of them, so the judge is seen to
//! judge.

use crate::{Need, Test};
use schemashift::generate::{Unit, segment, units};
use schemashift::model::{Dialect, Schema};
use schemashift::plan::{Online, Options, plan_with};
use std::collections::BTreeSet;

pub const TESTS: &[Test] = &[Test {
    name: "squawk_finds_no_lock_hazard_in_online_migrations",
    needs: &[Need::Program("squawk")],
    run: squawk_finds_no_lock_hazard_in_online_migrations,
}];

/// Tables with rows, and every change that has an online form.
const OLD: &str = "\
CREATE TABLE users (id bigint PRIMARY KEY, email text, nick text, code text);
CREATE TABLE posts (id bigint, user_id bigint, score int, title text, n text);
CREATE INDEX posts_title ON posts (title);
";
const NEW: &str = "\
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, nick text UNIQUE, code text);
CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), score int CHECK (score >= 0), title text, n integer);
CREATE INDEX posts_user ON posts (user_id);
";

/// What squawk says of the plain migrations, and what the online ones must
/// not give it cause to say: blocking index builds and drops, constraints
/// validated under the lock that adds them, a unique constraint or a
/// primary key built under ACCESS EXCLUSIVE, NOT NULL set by a scan, a type
/// changed by a rewrite, no timeouts.
const HAZARDS: &[&str] = &[
    "require-concurrent-index-creation",
    "require-concurrent-index-deletion",
    "constraint-missing-not-valid",
    "adding-foreign-key-constraint",
    "disallowed-unique-constraint",
    "adding-serial-primary-key-field",
    "changing-column-type",
    "adding-not-nullable-field",
    "require-lock-timeout",
    "require-statement-timeout",
];

/// Rules that must not fire on either: transactions misused.
const NEVER: &[&str] = &["ban-concurrent-index-creation-in-transaction", "transaction-nesting", "ban-uncommitted-transaction"];

fn read(path: &str, sql: &str) -> Schema {
    let files = [schemashift::source::SourceFile { path: path.into(), bytes: sql.as_bytes().to_vec(), blob_id: None }];
    schemashift::read::read_schema(&files, Dialect::Postgres).unwrap_or_else(|e| panic!("{e}")).0
}

/// The rule names squawk reports on `units`, each given to it as a file.
fn squawk(units: &[Unit], dir: &std::path::Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, unit) in units.iter().enumerate() {
        let path = dir.join(format!("{i:03}.sql"));
        std::fs::write(&path, unit.up.iter().map(|s| format!("{}\n", s.sql)).collect::<String>()).unwrap();
        let mut cmd = std::process::Command::new("squawk");
        cmd.args(["--reporter", "json", "--pg-version", "15.0"]);
        if unit.transaction {
            cmd.arg("--assume-in-transaction");
        }
        let out = cmd.arg(&path).output().expect("squawk runs");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("squawk's report is not JSON ({e}): {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
        for v in report.as_array().expect("a list of violations") {
            found.insert(v["rule_name"].as_str().expect("a rule name").to_string());
        }
    }
    found
}

fn squawk_finds_no_lock_hazard_in_online_migrations() {
    let (old, new) = (read("old.sql", OLD), read("new.sql", NEW));
    let rules = segment::Rules::new(false, Dialect::Postgres, None);
    let dir = tempfile::tempdir().unwrap();

    let plain = schemashift::plan::plan(&old, &new).unwrap();
    let plain_units = units(&old, &new, &plain, rules, false).unwrap();
    let online = plan_with(&old, &new, &Options { online: Some(Online::default()), ..Options::default() }).unwrap();
    let online_units = units(&old, &new, &online, rules, true).unwrap();

    let before = squawk(&plain_units, &mkdir(dir.path().join("plain")));
    let after = squawk(&online_units, &mkdir(dir.path().join("online")));
    let shown = |units: &[Unit]| {
        units.iter().map(|u| format!("-- transaction: {}\n{}", u.transaction, u.up.iter().map(|s| format!("{}\n", s.sql)).collect::<String>())).collect::<String>()
    };
    let missed: Vec<&&str> = HAZARDS.iter().filter(|h| !before.contains(**h)).collect();
    assert!(missed.is_empty(), "squawk does not report {missed:?} on the plain migrations (it reports {before:?}):\n{}", shown(&plain_units));
    let left: Vec<&&str> = HAZARDS.iter().chain(NEVER).filter(|h| after.contains(**h)).collect();
    assert!(left.is_empty(), "squawk reports {left:?} on the online migrations (all: {after:?}):\n{}", shown(&online_units));
}

fn mkdir(path: std::path::PathBuf) -> std::path::PathBuf {
    std::fs::create_dir_all(&path).unwrap();
    path
}
