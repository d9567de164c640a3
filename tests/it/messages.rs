//! What schemashift says on standard error: one prefix for every message
//! (`schemashift: error: `, `schemashift: warning: `, `schemashift: note: `),
//! and revisions and repositories git cannot give explained in the user's
//! terms, never in gix's.

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

/// Words of gix's internals that have no place in a message.
const INTERNALS: [&str; 8] = ["delegate", "traverse", "NthAncestor", "gix", "Find", "odb", "Error {", "Some("];

fn assert_plain(err: &str, what: &str) {
    for word in INTERNALS {
        assert!(!err.contains(word), "{what}: `{word}` in\n{err}");
    }
}

#[test]
fn bad_revisions_say_what_is_wrong_in_git_terms() {
    let repo = three_commits();
    // Two blobs whose ids both start with 6bb2 (found by hashing numbers).
    for text in ["195\n", "389\n"] {
        let path = repo.path().join("blob.txt");
        std::fs::write(&path, text).unwrap();
        repo.git(&["hash-object", "-w", "blob.txt"]);
        std::fs::remove_file(path).unwrap();
    }
    // (arguments, exit code, the revision named, what the message says)
    let cases: &[(&[&str], i32, &str, &str)] = &[
        (&["diff", "HEAD~999"], 66, "HEAD~999", "HEAD has only 2 ancestors"),
        (&["diff", "HEAD~3"], 66, "HEAD~3", "HEAD has only 2 ancestors"),
        (&["diff", "v1~1"], 66, "v1~1", "v1 is the first commit of its history"),
        (&["diff", "HEAD^2"], 66, "HEAD^2", "HEAD has 1 parent"),
        (&["diff", "HEAD^^^"], 66, "HEAD^^^", "HEAD^^ is the first commit"),
        (&["diff", "nosuchbranch"], 66, "nosuchbranch", "no branch, tag or remote branch is named `nosuchbranch`"),
        (&["diff", "featur"], 66, "featur", "no branch"),
        (&["diff", "HEAD..nosuch"], 66, "nosuch", "named `nosuch`"),
        (&["diff", "nosuch..HEAD"], 66, "nosuch", "named `nosuch`"),
        (&["diff", "main...nosuch"], 66, "nosuch", "named `nosuch`"),
        (&["diff", "HEAD", "nosuch"], 66, "nosuch", "named `nosuch`"),
        (&["diff", "HEAD^{tree}:x"], 66, "HEAD^{tree}:x", "HEAD^{tree} has no file or directory `x`"),
        (&["diff", "HEAD:nosuch.sql"], 66, "HEAD:nosuch.sql", "HEAD has no file or directory `nosuch.sql`"),
        (&["diff", "HEAD^{tree}~1"], 66, "HEAD^{tree}~1", "HEAD^{tree} is a tree"),
        (&["diff", "HEAD^{blob}"], 66, "HEAD^{blob}", "cannot be peeled to a blob"),
        (&["diff", "abc123"], 66, "abc123", "no object id starts with it"),
        (&["diff", "6bb2"], 64, "6bb2", "2 objects have ids starting with 6bb2"),
        (&["diff", "HEAD@{99}"], 66, "HEAD@{99}", "has no entry 99"),
        (&["diff", "@{u}"], 66, "@{u}", "no upstream branch"),
        (&["diff", ":/no such message"], 66, ":/no such message", "no commit message matches"),
        (&["diff", "HEAD^{/no such message}"], 66, "HEAD^{/no such message}", "has a message matching"),
        (&["diff", "HEAD^{kind}"], 64, "HEAD^{kind}", "not a kind of object"),
        (&["diff", "HEAD~99999999999999999999999"], 64, "HEAD~99999999999999999999999", "too large"),
        (&["inspect", "HEAD~5"], 66, "HEAD~5", "HEAD has only 2 ancestors"),
        (&["lint", "HEAD~5"], 66, "HEAD~5", "HEAD has only 2 ancestors"),
        (&["diff", "--staged", "nosuch"], 66, "nosuch", "named `nosuch`"),
    ];
    for (args, code, rev, says) in cases {
        let out = run(repo.path(), args);
        let err = stderr(&out);
        assert_one_error(&out, *code, &format!("{args:?}"));
        assert!(err.contains(&format!("'{rev}'")), "{args:?} names {rev}: {err}");
        assert!(err.contains(says), "{args:?} says {says:?}: {err}");
        assert_plain(&err, &format!("{args:?}"));
    }
    // What the help suggests.
    let help = |args: &[&str]| stderr(&run(repo.path(), args));
    assert!(help(&["diff", "HEAD~999"]).contains("the oldest is `HEAD~2`"));
    assert!(help(&["diff", "featur"]).contains("did you mean `feature`?"));
    assert!(help(&["diff", "6bb2"]).contains("more digits"));
    // And what is right still reads.
    for ok in ["HEAD~2", "v1", "feature", "HEAD^{tree}", "main@{0}"] {
        let out = run(repo.path(), &["diff", ok]);
        assert!(out.status.success(), "{ok}: {}", stderr(&out));
    }
}

#[test]
fn a_branch_without_commits_and_damaged_repositories_are_explained() {
    // A branch with no commits yet: HEAD~1 names nothing, and the message says why.
    let repo = TestRepo::new();
    repo.write("schema.sql", "CREATE TABLE t (id int);\n");
    let out = run(repo.path(), &["diff", "HEAD~1"]);
    assert_one_error(&out, 66, "unborn");
    assert!(stderr(&out).contains("'HEAD~1'") && stderr(&out).contains("the branch `main` has no commits yet"), "{}", stderr(&out));
    assert_plain(&stderr(&out), "unborn");

    // Each damage, in a fresh copy: (what, how, command, exit code, what the message says).
    type Damage = fn(&Path);
    let cases: &[(&str, Damage, &[&str], i32, &str)] = &[
        ("HEAD is garbage", |d| std::fs::write(d.join(".git/HEAD"), "garbage\n").unwrap(), &["diff", "HEAD~1"], 74, "does not name a branch or commit"),
        ("no objects directory", |d| std::fs::remove_dir_all(d.join(".git/objects")).unwrap(), &["diff", "HEAD~1"], 74, "has no `objects`"),
        ("configuration that does not parse", |d| std::fs::write(d.join(".git/config"), "[core\n").unwrap(), &["diff", "HEAD~1"], 65, "syntax error on line 1"),
        ("damaged index", |d| std::fs::write(d.join(".git/index"), "garbage").unwrap(), &["diff"], 74, "index"),
        (
            "a .git file pointing nowhere",
            |d| {
                std::fs::remove_dir_all(d.join(".git")).unwrap();
                std::fs::write(d.join(".git"), "gitdir: /nonexistent/repo.git\n").unwrap();
            },
            &["diff", "HEAD~1"],
            66,
            "/nonexistent/repo.git",
        ),
    ];
    for (what, damage, args, code, says) in cases {
        let repo = three_commits();
        damage(repo.path());
        let out = run(repo.path(), args);
        let err = stderr(&out);
        assert_one_error(&out, *code, what);
        assert!(err.contains(says), "{what}: {err}");
        assert_plain(&err, what);
    }

    // A corrupt commit object: named, with where it is stored.
    let repo = three_commits();
    let id = repo.git(&["rev-parse", "HEAD~1"]);
    repo.overwrite_object(&id, b"this is not zlib");
    let out = run(repo.path(), &["diff", "HEAD~2"]);
    let err = stderr(&out);
    assert_one_error(&out, 74, "corrupt commit");
    assert!(err.contains(&format!("corrupt object {id}: its file ")) && err.contains("'HEAD~2'"), "{err}");
    assert_plain(&err, "corrupt commit");
}
