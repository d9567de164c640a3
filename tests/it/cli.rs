//! The `schemashift` command: exit codes and messages for good and bad input.

use crate::support::git as git_support;

use assert_cmd::Command;
use std::path::Path;

fn schemashift(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("schemashift").unwrap();
    c.current_dir(dir);
    c
}

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn inspect_quickstart_fixture_as_json() {
    let out = schemashift(repo_root()).args(["inspect", "--no-index", "fixtures/quickstart/schema.sql"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tables = json["schema"]["tables"].as_object().unwrap();
    assert!(tables.contains_key("public.orders"), "{:?}", tables.keys());
    assert_eq!(json["schema"]["tables"]["public.orders"]["constraints"]["orders_customer_id_fkey"]["references"], "public.customers");
    assert_eq!(json["format"], "schemashift/1");
    assert!(json["schema"]["sequences"].as_object().unwrap().contains_key("public.orders_id_seq"));
}

#[test]
fn help_and_version_exit_zero_usage_errors_exit_64() {
    let out = schemashift(repo_root()).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("inspect"));
    assert_eq!(schemashift(repo_root()).arg("--version").output().unwrap().status.code(), Some(0));
    assert_eq!(schemashift(repo_root()).args(["inspect", "--bogus"]).output().unwrap().status.code(), Some(64));
    assert_eq!(schemashift(repo_root()).arg("frobnicate").output().unwrap().status.code(), Some(64));
    let out = schemashift(repo_root())
        .args(["inspect", "--no-index", "fixtures/quickstart/schema.sql", "--dialect", "oracle"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(stderr(&out).contains("unknown dialect"));
    let out = schemashift(repo_root())
        .args(["inspect", "--no-index", "fixtures/quickstart/schema.sql", "--dialect", "mysql"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(stderr(&out).contains("not yet supported"), "{}", stderr(&out));
}

/// Writes `bytes` to a file in a fresh directory and inspects it.
fn inspect_bytes(bytes: &[u8]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.sql"), bytes).unwrap();
    let out = schemashift(dir.path()).args(["inspect", "--no-index", "schema.sql"]).output().unwrap();
    (out.status.code(), stderr(&out))
}

#[test]
fn bad_input_files_are_data_errors_with_positions() {
    let (code, err) = inspect_bytes(b"CREATE TABLE t (\n  a text DEFAULT '\xe9t\xe9'\n);");
    assert_eq!(code, Some(65));
    assert!(err.contains("schema.sql:2:19") && err.contains("UTF-8"), "{err}");

    let (code, err) = inspect_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    assert_eq!(code, Some(65));
    assert!(err.contains("binary"), "{err}");

    // An empty file is the empty schema (a project's first migration starts from it).
    let (code, err) = inspect_bytes(b"");
    assert_eq!(code, Some(0), "{err}");

    let (code, err) = inspect_bytes(b"CREATE TABLE a (id int);\nCREATE TABLE b (id int,\n  name text");
    assert_eq!(code, Some(65));
    assert!(err.contains("schema.sql:3:12"), "{err}");

    let (code, err) = inspect_bytes(b"CREATE TABLE a (id int);\nCREATE TABLE b (id int, note text DEFAULT 'x);\n");
    assert_eq!(code, Some(65));
    assert!(err.contains("schema.sql:2:43") && err.contains("unterminated string"), "{err}");
    assert!(!err.contains("panicked"));

    // A parent that no file creates: after every file is read, at the statement.
    let (code, err) = inspect_bytes(b"CREATE TABLE a (id int);

  CREATE TABLE b (x int) INHERITS (missing_table);
");
    assert_eq!(code, Some(65));
    assert!(err.contains("schema.sql:3:3") && err.contains("missing_table"), "{err}");
    assert!(!err.contains("panicked"));
}

/// Git with an isolated configuration (shared with the source tests).
fn git(dir: &Path, args: &[&str]) {
    git_support::git_in(dir, args);
}

#[test]
fn missing_input_exits_66_naming_what_was_looked_for() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    std::fs::write(dir.path().join("schema.sql"), "CREATE TABLE t (a int);").unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "one"]);

    let out = schemashift(dir.path()).args(["inspect", "no-such-branch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(66));
    assert!(stderr(&out).contains("no-such-branch"), "{}", stderr(&out));

    let out = schemashift(dir.path()).args(["inspect", "HEAD", "--", "db/*.sql"]).output().unwrap();
    assert_eq!(out.status.code(), Some(66));
    assert!(stderr(&out).contains("db/*.sql"), "{}", stderr(&out));

    let out = schemashift(dir.path()).args(["inspect", "--no-index", "nowhere.sql"]).output().unwrap();
    assert_eq!(out.status.code(), Some(66));

    // The same repository read at HEAD works, straight from git objects.
    std::fs::remove_file(dir.path().join("schema.sql")).unwrap();
    let out = schemashift(dir.path()).args(["inspect", "HEAD"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("public.t"));
}

/// A repository at `dir` whose `schema.sql` went through three commits.
fn three_commits(dir: &Path) -> Vec<String> {
    git(dir, &["init", "-q"]);
    let mut ids = Vec::new();
    for table in ["a", "b", "c"] {
        std::fs::write(dir.join("schema.sql"), format!("CREATE TABLE {table} (id int);\n")).unwrap();
        git(dir, &["add", "."]);
        git(dir, &["commit", "-qm", table]);
        ids.push(git_support::git_in(dir, &["rev-parse", "HEAD"]));
    }
    ids
}

#[test]
fn git_edge_cases_exit_with_their_own_codes_and_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    let ids = three_commits(&repo);

    // A clone one commit deep: HEAD~1 is not there, and the message says why.
    let url = format!("file://{}", repo.display());
    git(tmp.path(), &["clone", "-q", "--depth", "1", &url, "shallow"]);
    let out = schemashift(&tmp.path().join("shallow")).args(["diff", "HEAD~1", "HEAD"]).output().unwrap();
    assert_eq!(out.status.code(), Some(66), "{}", stderr(&out));
    assert!(stderr(&out).contains("shallow clone") && stderr(&out).contains("git fetch --deepen"), "{}", stderr(&out));

    // A schema file that is a symbolic link: 66 and the reason.
    std::fs::remove_file(repo.join("schema.sql")).unwrap();
    std::fs::write(repo.join("real.sql"), "CREATE TABLE t (id int);\n").unwrap();
    std::os::unix::fs::symlink("real.sql", repo.join("schema.sql")).unwrap();
    let out = schemashift(&repo).args(["inspect"]).output().unwrap();
    assert_eq!(out.status.code(), Some(66), "{}", stderr(&out));
    assert!(stderr(&out).contains("schema.sql is a symbolic link in the working tree"), "{}", stderr(&out));

    // A corrupt commit: 74, naming it, not "unknown revision".
    let object = repo.join(".git/objects").join(&ids[1][..2]).join(&ids[1][2..]);
    std::fs::remove_file(&object).unwrap();
    std::fs::write(&object, b"garbage").unwrap();
    let out = schemashift(&repo).args(["inspect", "HEAD~1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(74), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("corrupt object {}", ids[1])), "{}", stderr(&out));
    assert!(!stderr(&out).contains("unknown revision"), "{}", stderr(&out));
}

#[test]
fn inspect_migrations_of_a_missing_directory_exits_66_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = schemashift(dir.path()).args(["inspect", "--migrations", "nosuchdir"]).output().unwrap();
    assert_eq!(out.status.code(), Some(66), "{}", stderr(&out));
    assert!(stderr(&out).contains("nosuchdir") && stderr(&out).contains("no such directory"), "{}", stderr(&out));
    // Also with the framework given, which skips detection.
    let out = schemashift(dir.path()).args(["inspect", "--migrations", "nosuchdir", "--framework", "plain"]).output().unwrap();
    assert_eq!(out.status.code(), Some(66), "{}", stderr(&out));
    std::fs::write(dir.path().join("file.sql"), "SELECT 1;\n").unwrap();
    let out = schemashift(dir.path()).args(["inspect", "--migrations", "file.sql"]).output().unwrap();
    assert_eq!(out.status.code(), Some(66), "{}", stderr(&out));
    assert!(stderr(&out).contains("file.sql: not a directory"), "{}", stderr(&out));
}

#[test]
fn opaque_statements_are_kept_without_noise_on_inspect() {
    // Reading a schema is not a change: statements kept as opaque text are
    // listed in the model, and warned about only when a diff changes them.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.sql"), "CREATE TABLE t (a int);\nCREATE AGGREGATE s (int) (SFUNC = int4pl, STYPE = int);\n").unwrap();
    let out = schemashift(dir.path()).args(["inspect", "--no-index", "s.sql"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(!err.contains("warning"), "{err}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["schema"]["opaque"][0]["kind"], "CREATE AGGREGATE");
}

#[test]
fn readme_quick_start_diff_runs_on_the_shipped_fixtures() {
    let out = schemashift(repo_root())
        .args(["diff", "--no-index", "fixtures/quickstart/schema.sql", "fixtures/quickstart/schema_v2.sql"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let up = String::from_utf8_lossy(&out.stdout);
    // The hinted rename keeps the column's data; the enum gains a label in place.
    assert!(up.contains("ALTER TABLE public.customers RENAME COLUMN name TO display_name;"), "{up}");
    assert!(up.contains("ALTER TYPE public.order_status ADD VALUE 'delivered' AFTER 'shipped';"), "{up}");
    assert!(!up.contains("DROP COLUMN"), "{up}");
}

/// A bare repository has no work tree: its `schemashift.toml` is the one in
/// HEAD's tree, and every setting comes from it, not only the schema globs.
#[test]
fn a_bare_repository_takes_its_settings_from_heads_config() {
    let repo = git_support::TestRepo::new();
    repo.write("schemashift.toml", "schema = [\"ddl/*.sql\"]\n");
    repo.write("ddl/t.sql", "CREATE TABLE configured (id int);\n");
    repo.write("schema.sql", "CREATE TABLE not_configured (id int);\n");
    repo.commit_all("configured");
    let bare = repo.clone_to("bare.git", &["--bare"]);
    let out = schemashift(&bare).args(["inspect", "main"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("public.configured") && !text.contains("not_configured"), "{text}");

    repo.write("schemashift.toml", "schema = [\"ddl/*.sql\"]\ndialect = \"sqlite\"\n");
    repo.commit_all("sqlite");
    let bare = repo.clone_to("bare2.git", &["--bare"]);
    let out = schemashift(&bare).args(["inspect", "main"]).output().unwrap();
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    assert!(stderr(&out).contains("(from `dialect` in HEAD:schemashift.toml)"), "{}", stderr(&out));
}
