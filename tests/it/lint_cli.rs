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
    // Only the note that a rollback would drop what the new code wrote there.
    let codes: Vec<&str> = json["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["SS703"]);
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
    let new = format!("-- schemashift:ignore-file drop-column, rollback-loses-data -- archived in the warehouse\n{USERS_WITHOUT_EMAIL}");
    let dir = tempfile::tempdir().unwrap();
    // Same path on both sides, as in a repository.
    std::fs::create_dir_all(dir.path().join("a")).unwrap();
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    std::fs::write(dir.path().join("a/schema.sql"), USERS).unwrap();
    std::fs::write(dir.path().join("b/schema.sql"), &new).unwrap();
    let out = schemashift(dir.path(), &["lint", "--no-index", "a", "b", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["suppressed"], 2);
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
    assert!(stderr.contains("schemashift: warning: old.sql:3:5: breaking SS102 drop-column: column public.users.email (text) is dropped with its data\n"), "{stderr}");
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

#[test]
fn github_workflow_commands_escape_and_locate_each_finding() {
    let dir = tempfile::tempdir().unwrap();
    // A path with a comma and a colon: property values must escape both.
    std::fs::create_dir_all(dir.path().join("a")).unwrap();
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    std::fs::write(dir.path().join("a/x,y:z.sql"), USERS).unwrap();
    std::fs::write(dir.path().join("b/x,y:z.sql"), USERS_WITHOUT_EMAIL).unwrap();
    let out = schemashift(dir.path(), &["lint", "--no-index", "a", "b", "--format", "github"]);
    let stdout = text(&out.stdout);
    let line = stdout.lines().find(|l| l.contains("SS102")).expect("one command per finding");
    assert!(line.starts_with("::error file=x%2Cy%3Az.sql,line=3,col=5,title=SS102 drop-column::"), "{line}");
    // The message's line break is escaped, so the command stays one line.
    assert!(line.contains("dropped with its data%0AInstead: "), "{line}");
    // One command per finding: the drop, and what its rollback cannot restore.
    let codes: Vec<&str> = stdout.lines().filter_map(|l| l.split("title=").nth(1)).map(|t| &t[..5]).collect();
    assert_eq!(codes, ["SS102", "SS701"], "{stdout}");
}

#[test]
fn github_workflow_commands_mark_each_changed_line_of_the_new_schema() {
    // A view no rule is about, and a NOT NULL that SS401 is about.
    let old = "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    email text\n);\n";
    let new = "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    email text NOT NULL\n);\nCREATE VIEW emails AS SELECT email FROM users;\n";
    let dir = project(old, new);
    let out = schemashift(dir.path(), &["lint", "--no-index", "old.sql", "new.sql", "--format", "github"]);
    let stdout = text(&out.stdout);
    let notices: Vec<&str> = stdout.lines().filter(|l| l.contains("title=schemashift%3A ")).collect();
    // The view, where new.sql says it; the NOT NULL has its finding there instead.
    assert_eq!(notices, ["::notice file=new.sql,line=5,col=1,title=schemashift%3A additive::create view public.emails (additive)"], "{stdout}");
    assert!(stdout.lines().any(|l| l.contains("file=new.sql,line=3,col=5,title=SS401")), "{stdout}");
}

#[test]
fn gitlab_code_quality_has_the_fields_gitlab_reads() {
    let dir = project(USERS, USERS_WITHOUT_EMAIL);
    let out = schemashift(dir.path(), &["lint", "--no-index", "old.sql", "new.sql", "--format", "gitlab"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let issue = &json[0];
    assert_eq!(issue["check_name"], "drop-column");
    assert_eq!(issue["severity"], "critical");
    assert_eq!(issue["location"], serde_json::json!({"path": "old.sql", "lines": {"begin": 3}}));
    assert_eq!(issue["fingerprint"].as_str().unwrap().len(), 64);
    let again = schemashift(dir.path(), &["lint", "--no-index", "old.sql", "new.sql", "--format", "gitlab"]);
    assert_eq!(out.stdout, again.stdout, "fingerprints are stable across runs");
}

#[test]
fn markdown_report_has_the_level_counts_and_each_finding() {
    let dir = project(USERS, USERS_WITHOUT_EMAIL);
    let out = schemashift(dir.path(), &["lint", "--no-index", "old.sql", "new.sql", "--format", "markdown"]);
    let md = text(&out.stdout);
    assert!(md.starts_with("## schemashift: `breaking_changes`"), "{md}");
    assert!(md.contains("| 🔴 breaking | 1 | 2 |"), "{md}");
    assert!(md.contains("### 🔴 breaking `SS102` drop-column — `old.sql:3:5`"), "{md}");
    assert!(md.contains("**Instead:** "), "{md}");
}

#[test]
fn schemashift_toml_turns_rules_off_changes_classes_and_sets_fail_on() {
    let dir = project(USERS, USERS_WITHOUT_EMAIL);
    let lint = || schemashift(dir.path(), &["lint", "--no-index", "old.sql", "new.sql", "--format", "json"]);
    let toml = |text: &str| std::fs::write(dir.path().join("schemashift.toml"), text).unwrap();

    toml("[lint.rules]\ndrop-column = \"off\"\nrollback-loses-data = \"off\"\n");
    let out = lint();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 0);

    toml("[lint.rules]\nSS102 = \"potentially-breaking\"\nSS701 = \"off\"\n");
    let out = lint();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"][0]["class"], "potentially_breaking");

    toml("[lint]\nfail_on = \"never\"\n");
    assert_eq!(lint().status.code(), Some(0));
    // The flag wins over the file.
    let out = schemashift(dir.path(), &["lint", "--no-index", "old.sql", "new.sql", "--fail-on", "breaking"]);
    assert_eq!(out.status.code(), Some(2));

    toml("[lint.rules]\ndrop-colunm = \"off\"\n");
    let out = lint();
    assert_eq!(out.status.code(), Some(65));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("`drop-colunm`, which is not a rule") && stderr.contains("did you mean `drop-column`"), "{stderr}");

    toml("[lint.rules]\ndrop-column = \"sometimes\"\n");
    assert_eq!(lint().status.code(), Some(65));
    toml("[lint.naming]\ntable = \"([a-z\"\n");
    let out = lint();
    assert_eq!(out.status.code(), Some(65));
    assert!(text(&out.stderr).contains("[lint.naming] table is not a regular expression"), "{}", text(&out.stderr));
}

#[test]
fn ignore_comments_apply_to_the_statement_or_line_below_and_only_the_rules_named() {
    // A NOT NULL column without a default, added to an existing table (SS310).
    let old = "CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE b (id bigint PRIMARY KEY);\nCREATE TABLE c (id bigint PRIMARY KEY);\n";
    let new = "-- schemashift:ignore add-not-null-column-without-default -- backfilled by the deploy script\n\
               CREATE TABLE a (\n  id bigint PRIMARY KEY,\n  note text NOT NULL\n);\n\
               CREATE TABLE b (\n  id bigint PRIMARY KEY,\n  -- schemashift:ignore SS310\n  note text NOT NULL\n);\n\
               -- schemashift:ignore drop-table\n\
               CREATE TABLE c (\n  id bigint PRIMARY KEY,\n  note text NOT NULL\n);\n";
    let dir = project(old, new);
    let out = schemashift(dir.path(), &["lint", "--no-index", "old.sql", "new.sql", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ss310: Vec<&serde_json::Value> = json["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "SS310").collect();
    assert_eq!(ss310.len(), 1, "{ss310:?}");
    assert_eq!(ss310[0]["object"].as_str().map(|o| o.contains(".c.")), Some(true), "{ss310:?}");
    assert_eq!(json["suppressed"], 2);
}

#[test]
fn lint_migrations_judges_each_statement_of_hand_written_files_where_it_stands() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("db/migrations");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(m.join("20240101000000_init.sql"), "-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n\n-- migrate:down\nDROP TABLE users;\n").unwrap();
    // The author's own online form: not a finding.
    std::fs::write(m.join("20240102000000_idx.sql"), "-- migrate:up\nCREATE INDEX CONCURRENTLY users_email ON users (email);\n\n-- migrate:down\nDROP INDEX users_email;\n").unwrap();
    std::fs::write(
        m.join("20240103000000_bad.sql"),
        "-- migrate:up\nCREATE INDEX users_lower_email ON users (lower(email));\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\n-- schemashift:ignore drop-column -- archived first\nALTER TABLE users DROP COLUMN email;\n\n-- migrate:down\n",
    )
    .unwrap();
    let out = schemashift(dir.path(), &["lint", "--migrations", "db/migrations", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out.stderr)));
    let found: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_string(), format!("{}:{}", f["location"]["file"].as_str().unwrap(), f["location"]["line"])))
        .collect();
    let bad = "db/migrations/20240103000000_bad.sql";
    assert_eq!(found, [("SS501".to_string(), format!("{bad}:2")), ("SS401".to_string(), format!("{bad}:3"))], "{json}");
    assert_eq!(json["suppressed"], 1);
    assert_eq!(out.status.code(), Some(1));

    // Plain files named one by one (read whole), in the order given.
    std::fs::write(dir.path().join("1.sql"), "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n").unwrap();
    std::fs::write(dir.path().join("2.sql"), "CREATE INDEX users_lower_email ON users (lower(email));\n").unwrap();
    let out = schemashift(dir.path(), &["lint", "--format", "json", "--migrations", "1.sql", "2.sql"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out.stderr)));
    assert!(json["findings"].as_array().unwrap().iter().any(|f| f["code"] == "SS501" && f["location"]["file"] == "2.sql"), "{json}");
    let reversed = schemashift(dir.path(), &["lint", "--migrations", "2.sql", "1.sql"]);
    assert_eq!(reversed.status.code(), Some(65), "the index comes before its table: {}", text(&reversed.stderr));

    let both = schemashift(dir.path(), &["lint", "HEAD", "--migrations", "db/migrations"]);
    assert_eq!(both.status.code(), Some(64), "revisions and --migrations together are a usage error");
}

/// The product's original sample change (`fixtures/seed`, JSON snapshots):
/// every finding checked by hand against the two snapshots. users.email
/// varchar(255) → (320), user_profiles.bio varchar(255) → text and
/// user_sessions.user_agent varchar(500) → text only relabel the column
/// (no finding going forward), but the down narrows them again (SS702);
/// the CHECKs added to existing tables scan them under ACCESS EXCLUSIVE
/// (SS406, with the query that finds violating rows where the column
/// already held data); the indexes on existing tables block writes while
/// they build (SS501); the new columns and table are dropped by the down
/// (SS703); the new table's `json` column (SS316). No column is dropped,
/// no NOT NULL is added to existing rows, no default is volatile.
#[test]
fn the_seed_sample_report_is_complete_and_correct() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = schemashift(root, &["lint", "--no-index", "fixtures/seed/database_schema_before.json", "fixtures/seed/database_schema_after.json", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "potentially breaking: {}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["level"], "potentially_incompatible");
    assert_eq!(json["counts"], serde_json::json!({"additive": 14, "breaking": 0, "non_breaking": 7, "potentially_breaking": 5}));
    let found: Vec<(String, String, u64, bool)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (f["code"].as_str().unwrap().into(), f["object"].as_str().unwrap().into(), f["location"]["line"].as_u64().unwrap(), f["preflight"].is_object())
        })
        .collect();
    let expected: Vec<(String, String, u64, bool)> = [
        ("SS702", "public.users.email", 19, false),
        ("SS703", "public.users.email_verified_at", 60, false),
        ("SS703", "public.users.phone_verified_at", 65, false),
        ("SS703", "public.users.two_factor_enabled", 70, false),
        ("SS703", "public.users.last_login_at", 75, false),
        ("SS406", "public.users.users_phone_check", 92, true),
        ("SS501", "public.idx_users_email_verified", 116, false),
        ("SS501", "public.idx_users_last_login", 122, false),
        ("SS702", "public.user_profiles.bio", 142, false),
        ("SS703", "public.user_profiles.timezone", 171, false),
        ("SS703", "public.user_profiles.language", 177, false),
        ("SS406", "public.user_profiles.user_profiles_bio_check", 210, true),
        // The column is new in this migration, filled with its default 'en'.
        ("SS406", "public.user_profiles.user_profiles_language_check", 211, false),
        ("SS501", "public.idx_user_profiles_language", 228, false),
        ("SS702", "public.user_sessions.user_agent", 253, false),
        ("SS703", "public.user_sessions.session_type", 271, false),
        ("SS703", "public.user_sessions.is_mobile", 277, false),
        ("SS406", "public.user_sessions.user_sessions_session_type_check", 298, false),
        ("SS501", "public.idx_user_sessions_type", 314, false),
        ("SS703", "public.user_preferences", 322, false),
        ("SS316", "public.user_preferences.preference_value", 339, false),
    ]
    .iter()
    .map(|(c, o, l, p)| (c.to_string(), o.to_string(), *l, *p))
    .collect();
    assert_eq!(found, expected);
    // Every location is in the new snapshot, and points at what it names.
    let after = std::fs::read_to_string(root.join("fixtures/seed/database_schema_after.json")).unwrap();
    let lines: Vec<&str> = after.lines().collect();
    for (_, object, line, _) in &expected {
        let parts: Vec<&str> = object.split('.').collect();
        let mut name = *parts.last().unwrap();
        // An unnamed CHECK's generated name (`<table>_<column>_check`)
        // points at its expression, which names the column.
        if let (Some(table), Some(rest)) = (parts.get(1), name.strip_suffix("_check")) {
            name = rest.strip_prefix(&format!("{table}_")).unwrap_or(rest);
        }
        // The object's own line, or the `{` that opens it.
        let at = &lines[*line as usize - 1..=*line as usize];
        assert!(at[0].contains(name) || at[0].trim() == "{" && at[1].contains(name), "line {line} does not name {name}: {at:?}");
    }
}
