//! The `schemashift.toml` reference in the README and the example
//! `fixtures/schemashift.toml`, held to the parser so that neither can rot:
//! the example loads through the real loader, every documented key parses,
//! and every key the parser accepts is documented.

use crate::support::git::TestRepo;
use assert_cmd::Command;
use schemashift::config::Config;
use schemashift::lint::Class;
use schemashift::model::Dialect;
use schemashift::settings::{Flags, Settings};
use std::path::Path;

fn repo_file(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// `(key, type)` of each row of the README's reference table.
fn documented_keys() -> Vec<(String, String)> {
    let readme = repo_file("README.md");
    let section = readme.split("### `schemashift.toml` reference\n").nth(1).expect("the reference section");
    let section = section.split("\n#").next().unwrap();
    let rows: Vec<(String, String)> = section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            (cells[0].trim_start_matches("| ").trim_matches('`').to_string(), cells[1].to_string())
        })
        .collect();
    assert!(rows.len() > 10, "{rows:?}");
    rows
}

/// A value of the documented type, as TOML.
fn value_of(ty: &str) -> &'static str {
    match ty {
        "list of strings" => "[\"db/*.sql\"]",
        "boolean" => "true",
        "integer" => "11",
        t if t.starts_with("string") => "\"x\"",
        other => panic!("the reference table has a type the test does not know: {other}"),
    }
}

#[test]
fn every_documented_key_is_one_the_parser_accepts_with_its_type() {
    for (key, ty) in documented_keys() {
        // Dotted keys are TOML's own way to write `[lint.rules] drop-column = …`.
        let key_text = key.replace("<rule>", "drop-column");
        let text = format!("{key_text} = {}\n", value_of(&ty));
        let parsed = Config::parse(&text, "schemashift.toml");
        assert!(parsed.is_ok(), "documented `{key}` ({ty}): {}", parsed.unwrap_err());
        assert_ne!(parsed.unwrap(), Config::default(), "`{key}` was parsed into nothing");
        // And a value of another type is refused, so the documented type is the parser's.
        let wrong = if ty == "boolean" { "\"yes\"" } else { "true" };
        assert!(Config::parse(&format!("{key_text} = {wrong}\n"), "schemashift.toml").is_err(), "`{key}` takes a {ty}");
    }
}

/// The keys the parser accepts at one level, as its error for an unknown
/// one lists them (`expected one of `a`, `b``), prefixed with `table.`.
fn accepted_keys(table: &str) -> Vec<String> {
    let text = if table.is_empty() { "not_a_key = 1\n".to_string() } else { format!("[{table}]\nnot_a_key = 1\n") };
    let e = Config::parse(&text, "schemashift.toml").unwrap_err();
    let listed = e.message.split("expected one of").nth(1).unwrap_or_else(|| panic!("{}", e.message));
    let prefix = if table.is_empty() { String::new() } else { format!("{table}.") };
    listed.split('`').skip(1).step_by(2).map(|k| format!("{prefix}{k}")).collect()
}

#[test]
fn every_key_the_parser_accepts_is_documented() {
    let documented: Vec<String> = documented_keys().into_iter().map(|(k, _)| k).collect();
    let mut accepted = Vec::new();
    for table in ["", "lint", "lint.naming"] {
        accepted.extend(accepted_keys(table));
    }
    assert!(accepted.len() > 15, "{accepted:?}");
    for key in &accepted {
        // `lint` and `lint.naming` are tables: their keys are the rows. `lint.rules`
        // is a table of any rule name.
        if key == "lint" || key == "lint.naming" {
            continue;
        }
        let key = if key == "lint.rules" { "lint.rules.<rule>".to_string() } else { key.clone() };
        assert!(documented.contains(&key), "`{key}` is accepted but not in the README's reference: {documented:?}");
    }
}

#[test]
fn the_example_file_loads_through_the_real_loader() {
    let example = repo_file("fixtures/schemashift.toml");
    let repo = TestRepo::new();
    repo.write("schemashift.toml", &example);
    repo.write("db/schema/users.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n");
    repo.write("db/schema/billing/invoices.sql", "CREATE TABLE invoices (id bigint PRIMARY KEY, user_id bigint);\n");
    repo.commit_all("schema");

    let s = Settings::load(Flags::default(), repo.path()).unwrap();
    assert!(s.deprecations.is_empty(), "{:?}", s.deprecations);
    assert_eq!(s.config_file.as_deref(), Some(repo.path().join("schemashift.toml").to_str().unwrap()));
    assert_eq!(s.dialect.value, Dialect::Postgres);
    assert_eq!(s.schema.as_ref().unwrap().value, ["db/schema/*.sql", "db/schema/**/*.sql"]);
    assert_eq!(s.dir.as_ref().unwrap().value, repo.path().join("db/migrations"));
    assert_eq!(s.framework().unwrap().unwrap().name(), "goose");
    assert_eq!(s.server_version, Some(14));
    assert!(s.concurrent_indexes && s.preserve_data);
    let online = s.online.as_ref().expect("online");
    assert_eq!((online.lock_timeout.as_str(), online.statement_timeout.as_str()), ("3s", "30min"));
    assert_eq!(s.runbook_dir, Some(repo.path().join("docs/runbooks")));
    assert_eq!(s.fail_on, Some(Some(Class::Breaking)));
    for rule in ["drop-column", "drop-index-non-concurrently", "table-without-primary-key", "naming-convention"] {
        assert!(s.lint.rules.contains_key(rule), "{rule}: {:?}", s.lint.rules.keys());
    }
    let naming = &s.lint.naming;
    assert!([&naming.table, &naming.column, &naming.index, &naming.constraint, &naming.view].iter().all(|p| p.is_some()));

    // The command line reads it too: the schema is the two files its globs name.
    let out = Command::cargo_bin("schemashift").unwrap().current_dir(repo.path()).args(["inspect", "HEAD"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tables = json["schema"]["tables"].as_object().unwrap();
    assert!(tables.contains_key("public.users") && tables.contains_key("public.invoices"), "{:?}", tables.keys());
}
