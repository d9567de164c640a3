//! What schemashift says on standard error: one prefix for every message
//! (`schemashift: error: `, `schemashift: warning: `, `schemashift: note: `).

use crate::support::git::TestRepo;
use assert_cmd::Command;
use std::path::Path;
use std::process::Output;

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("schemashift").unwrap().current_dir(dir).args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The one shape of a failure on standard error: the first line is the
/// error with the prefix, and no other line is a message of its own (an
/// unprefixed `error:`, `warning:` or `note:`); what follows is the help,
/// or clap's tip and usage lines.
fn assert_one_error(out: &Output, code: i32, what: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{what}: {err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(first.starts_with("schemashift: error: "), "{what}: first line {first:?}\n{err}");
    for line in err.lines().skip(1) {
        assert!(!line.starts_with("schemashift: "), "{what}: one message only, got {line:?}\n{err}");
        for severity in ["error:", "warning:", "note:"] {
            assert!(!line.trim_start().starts_with(severity), "{what}: unprefixed {line:?}\n{err}");
        }
    }
}

/// A repository with three commits of `schema.sql` on `main`, a branch
/// `feature` and a tag `v1` (the first commit).
fn three_commits() -> TestRepo {
    let repo = TestRepo::new();
    for (i, table) in ["a", "b", "c"].iter().enumerate() {
        let sql: String = ["a", "b", "c"][..=i].iter().map(|t| format!("CREATE TABLE {t} (id int);\n")).collect();
        repo.write("schema.sql", &sql);
        repo.commit_all(&format!("add {table}"));
    }
    repo.git(&["branch", "feature", "HEAD~1"]);
    repo.git(&["tag", "v1", "HEAD~2"]);
    repo
}

#[test]
fn every_failing_command_reports_one_error_line_with_the_prefix() {
    let repo = three_commits();
    let dir = repo.path();
    std::fs::write(dir.join("bad.sql"), "CREATE TABLE t (\n  id int,\n  name text DEFAULT 'x\n);\n").unwrap();
    let cases: &[(&[&str], i32, &str)] = &[
        (&["diff", "nosuchbranch"], 66, "bad revision"),
        (&["diff", "HEAD~999"], 66, "revision beyond the history"),
        (&["inspect", "--no-index", "bad.sql"], 65, "bad SQL file"),
        (&["inspect", "--no-index", "nowhere.sql"], 66, "missing path"),
        (&["diff", "--no-index", "nowhere.sql", "schema.sql"], 66, "missing path of a pair"),
        (&["inspect", "HEAD", "--", "nosuch.sql"], 66, "missing file at a revision"),
        (&["diff", "HEAD", "--", "../outside.sql"], 64, "path outside the repository"),
        (&["diff", "--bogus"], 64, "bad flag"),
        (&["frobnicate"], 64, "unknown command"),
        (&["lint", "--fail-on", "sometimes"], 64, "bad value"),
        (&["completions", "tcsh"], 64, "unknown shell"),
        (&["help", "nosuch"], 64, "help for an unknown command"),
        (&["diff", "a", "b", "c"], 64, "too many revisions"),
    ];
    for (args, code, what) in cases {
        assert_one_error(&run(dir, args), *code, what);
    }
    std::fs::write(dir.join("schemashift.toml"), "dialect = \"postgres\"\nshcema = [\"db/*.sql\"]\n").unwrap();
    let out = run(dir, &["diff", "HEAD"]);
    assert_one_error(&out, 65, "bad config");
    assert!(stderr(&out).contains("schemashift.toml:2:1: "), "{}", stderr(&out));
}

#[test]
fn the_place_follows_the_prefix_and_the_help_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.sql"), "CREATE TABLE a (id int);\nCREATE TABLE b (id int,\n  name text").unwrap();
    let err = stderr(&run(dir.path(), &["inspect", "--no-index", "bad.sql"]));
    assert!(err.starts_with("schemashift: error: bad.sql:3:12: "), "{err}");
    let err = stderr(&run(dir.path(), &["diff", "a", "b", "c"]));
    assert!(err.starts_with("schemashift: error: at most two revisions can be compared, got 3\n"), "{err}");
    assert!(err.lines().nth(1).is_some_and(|l| l.starts_with("  help: ")), "{err}");
}

#[test]
fn warnings_and_notes_have_their_prefix_too() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("old.sql", "CREATE TABLE users (id int, email text);\n");
    // An aggregate is kept as an opaque statement (a warning), the dropped
    // column is a breaking finding (a warning), the old key a deprecation.
    write("new.sql", "CREATE TABLE users (id int);\nCREATE AGGREGATE s (int) (SFUNC = int4pl, STYPE = int);\n");
    write("schemashift.toml", "postgres_version = 15\n");
    let out = run(dir.path(), &["diff", "--no-index", "old.sql", "new.sql"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines.len() >= 3, "{err}");
    assert!(lines.iter().all(|l| l.starts_with("schemashift: warning: ")), "{err}");
    assert!(lines.iter().any(|l| l.contains("`postgres_version`") && l.contains("deprecated")), "{err}");
    assert!(lines.iter().any(|l| l.starts_with("schemashift: warning: new.sql:2:1: CREATE AGGREGATE")), "{err}");
    assert!(lines.iter().any(|l| l.starts_with("schemashift: warning: old.sql:1:29: breaking SS102 drop-column: ")), "{err}");
    // --quiet silences them all.
    assert_eq!(stderr(&run(dir.path(), &["-q", "diff", "--no-index", "old.sql", "new.sql"])), "");

    let out = run(dir.path(), &["diff", "--no-index", "old.sql", "old.sql"]);
    let err = stderr(&out);
    assert!(err.lines().any(|l| l == "schemashift: note: no changes"), "{err}");
}
