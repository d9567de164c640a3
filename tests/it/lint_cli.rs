//! `schemashift lint`: exit codes and `--fail-on`, the text and JSON
//! reports, suppression comments, and the findings `diff` prints beside the
//! migration.

use assert_cmd::Command;
use std::path::Path;

fn schemashift(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("schemashift").unwrap().current_dir(dir).args(args).output().unwrap()
}

fn project(old: &str, new: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.sql"), old).unwrap();
    std::fs::write(dir.path().join("new.sql"), new).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const USERS: &str = "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    email text,\n    name text\n);\n";
const USERS_WITHOUT_EMAIL: &str = "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    name text\n);\n";

#[test]
fn a_breaking_change_exits_2_with_a_diagnostic_at_the_old_line() {
    let dir = project(USERS, USERS_WITHOUT_EMAIL);
    let out = schemashift(dir.path(), &["lint", "--no-index", "old.sql", "new.sql"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("error[SS102 drop-column]: column public.users.email (text) is dropped with its data"), "{stdout}");
    // The dropped column's own line, from the old file, with a caret under it.
    assert!(stdout.contains(" --> old.sql:3:5"), "{stdout}");
    assert!(stdout.contains("3 |     email text,"), "{stdout}");
    assert!(stdout.contains("^^^^^^^^^^^"), "{stdout}");
    assert!(stdout.contains("= help: "), "{stdout}");
    assert!(stdout.contains("level: breaking_changes"), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "no colour when not on a terminal");
}

#[test]
fn fail_on_moves_the_threshold() {
    let dir = project(USERS, USERS_WITHOUT_EMAIL);
    let code = |fail_on: &str| schemashift(dir.path(), &["lint", "--no-index", "old.sql", "new.sql", "--fail-on", fail_on]).status.code();
    assert_eq!(code("breaking"), Some(2));
    assert_eq!(code("non-breaking"), Some(2));
    assert_eq!(code("never"), Some(0));
    assert_eq!(code("fatal"), Some(64), "an unknown class is a usage error");
}

#[test]
fn additive_changes_exit_0_and_are_counted() {
    let dir = project(USERS, &format!("{USERS}CREATE TABLE audit (id bigint);\n"));
    let out = schemashift(dir.path(), &["lint", "--no-index", "old.sql", "new.sql", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["level"], "fully_compatible");
    assert_eq!(json["counts"]["additive"], 1);
    assert_eq!(json["counts"]["breaking"], 0);
    assert_eq!(json["changes"][0]["kind"], "create_table");
    assert_eq!(json["changes"][0]["class"], "additive");
    assert_eq!(json["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn json_findings_carry_code_rule_class_and_location_parts() {
    let dir = project(USERS, USERS_WITHOUT_EMAIL);
    let out = schemashift(dir.path(), &["lint", "--no-index", "old.sql", "new.sql", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &json["findings"][0];
    assert_eq!((f["code"].as_str(), f["rule"].as_str(), f["class"].as_str()), (Some("SS102"), Some("drop-column"), Some("breaking")));
    assert_eq!(f["location"], serde_json::json!({"revision": "old", "file": "old.sql", "line": 3, "column": 5}));
    assert_eq!(json["level"], "breaking_changes");
}

#[test]
fn ignore_file_in_the_new_revision_silences_a_drop() {
    let new = format!("-- schemashift:ignore-file drop-column -- archived in the warehouse\n{USERS_WITHOUT_EMAIL}");
    let dir = tempfile::tempdir().unwrap();
    // Same path on both sides, as in a repository.
    std::fs::create_dir_all(dir.path().join("a")).unwrap();
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    std::fs::write(dir.path().join("a/schema.sql"), USERS).unwrap();
    std::fs::write(dir.path().join("b/schema.sql"), &new).unwrap();
    let out = schemashift(dir.path(), &["lint", "--no-index", "a", "b", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["suppressed"], 1);
    // The change is still what it is: the level does not hide it.
    assert_eq!(json["level"], "breaking_changes");
}

#[test]
fn a_misspelt_rule_in_a_suppression_is_reported_with_a_suggestion() {
    let new = format!("-- schemashift:ignore drop-colum -- typo\n{USERS_WITHOUT_EMAIL}");
    let dir = project(USERS, &new);
    let out = schemashift(dir.path(), &["lint", "--no-index", "old.sql", "new.sql", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let unknown = findings.iter().find(|f| f["code"] == "SS001").expect("SS001 reported");
    assert_eq!(unknown["location"]["line"], 1);
    assert_eq!(unknown["location"]["column"], 23);
    assert!(unknown["help"].as_str().unwrap().contains("did you mean `drop-column`"), "{unknown}");
    // And the drop it meant to silence still stands.
    assert!(findings.iter().any(|f| f["code"] == "SS102"));
}

#[test]
fn diff_prints_findings_on_stderr_and_in_json() {
    let dir = project(USERS, USERS_WITHOUT_EMAIL);
    let out = schemashift(dir.path(), &["diff", "--no-index", "old.sql", "new.sql"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("breaking SS102 drop-column: column public.users.email (text) is dropped with its data (old.sql:3:5)"), "{stderr}");
    assert!(!text(&out.stdout).contains("SS102"), "the migration on standard output stays SQL");
    let quiet = schemashift(dir.path(), &["diff", "--no-index", "old.sql", "new.sql", "--quiet"]);
    assert!(!text(&quiet.stderr).contains("SS102"));
    let json = schemashift(dir.path(), &["diff", "--no-index", "old.sql", "new.sql", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["lint"]["findings"][0]["code"], "SS102");
    assert_eq!(json["lint"]["level"], "breaking_changes");
}

#[test]
fn rules_lists_every_rule_and_markdown_is_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let out = schemashift(dir.path(), &["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let listed = text(&out.stdout);
    for rule in schemashift::lint::rules::all() {
        assert!(listed.contains(rule.code) && listed.contains(rule.name), "{} missing", rule.code);
    }
    let md = schemashift(dir.path(), &["rules", "--format", "markdown"]);
    assert_eq!(text(&md.stdout), schemashift::lint::docs::markdown());
}
