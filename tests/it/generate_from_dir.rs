//! `generate` with no sources takes its old side from the migrations
//! directory: its migrations replayed. So it never writes the same change
//! twice, works before and after `git add` and after a commit, and says
//! when the migrations are up to date; a directory it cannot read back
//! falls back to HEAD, and says so; explicit sources still rule.

use crate::support::git::TestRepo;
use std::process::{Command, Output};

fn generate(repo: &TestRepo, name: &str, epoch: i64, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemashift"))
        .current_dir(repo.path())
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .args(["generate", "--name", name, "--framework", "dbmate", "--dir", "db/migrations"])
        .args(extra)
        .output()
        .unwrap()
}

fn migrations(repo: &TestRepo) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(repo.path().join("db/migrations")) {
        Ok(r) => r.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".sql")).collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn ok(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
}

const V1: &str = "CREATE TABLE users (id bigint PRIMARY KEY);\n";
const V2: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n";
const V3: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text, nick text);\n";

#[test]
fn the_directory_is_the_old_side_so_nothing_is_written_twice() {
    let repo = TestRepo::new();
    repo.write("schema.sql", V1);
    repo.commit_all("schema");
    // No migrations yet: the first one creates the schema.
    let first = generate(&repo, "init", 1_700_000_000, &[]);
    ok(&first);
    assert_eq!(migrations(&repo), ["20231114221320_init.sql"]);
    assert!(
        stderr(&first).contains("db/migrations had no migrations: this first one creates the whole schema; on a database that already has it, record it as applied in dbmate (a baseline)"),
        "{}",
        stderr(&first)
    );
    let init = std::fs::read_to_string(repo.path().join("db/migrations/20231114221320_init.sql")).unwrap();
    assert!(init.contains("CREATE TABLE public.users"), "{init}");

    // Run again: up to date, nothing written.
    let again = generate(&repo, "init", 1_700_000_060, &[]);
    ok(&again);
    assert!(stderr(&again).contains("migrations are up to date"), "{}", stderr(&again));
    assert_eq!(migrations(&repo).len(), 1);

    // A change in the working tree, not staged.
    repo.write("schema.sql", V2);
    ok(&generate(&repo, "email", 1_700_000_120, &[]));
    assert_eq!(migrations(&repo).len(), 2);
    assert!(stderr(&generate(&repo, "email", 1_700_000_180, &[])).contains("migrations are up to date"));

    // Staged (after `git add`), then committed: the same.
    repo.write("schema.sql", V3);
    repo.git(&["add", "-A"]);
    let staged = generate(&repo, "nick", 1_700_000_240, &[]);
    ok(&staged);
    assert_eq!(migrations(&repo).len(), 3, "{}", stderr(&staged));
    let nick = std::fs::read_to_string(repo.path().join(format!("db/migrations/{}", migrations(&repo)[2]))).unwrap();
    assert!(nick.contains("ADD COLUMN nick text") && !nick.contains("email"), "only what the directory lacks:\n{nick}");
    repo.commit_all("nick");
    let committed = generate(&repo, "nick", 1_700_000_300, &[]);
    ok(&committed);
    assert!(stderr(&committed).contains("migrations are up to date"), "{}", stderr(&committed));
    assert_eq!(migrations(&repo).len(), 3);

    // Explicit sources are honoured: HEAD to the working tree is empty now.
    let explicit = generate(&repo, "x", 1_700_000_360, &["HEAD"]);
    ok(&explicit);
    assert!(stderr(&explicit).contains("no changes"), "{}", stderr(&explicit));
    // And a revision range writes that change, directory or not.
    let range = generate(&repo, "again", 1_700_000_420, &["HEAD~1", "HEAD"]);
    ok(&range);
    assert_eq!(migrations(&repo).len(), 4, "{}", stderr(&range));
}

#[test]
fn a_directory_that_cannot_be_read_back_falls_back_to_head_and_says_so() {
    let repo = TestRepo::new();
    repo.write("schema.sql", V1);
    // A hand-written migration that changes a table no migration created.
    repo.write("db/migrations/20230101000000_partial.sql", "-- migrate:up\nALTER TABLE users ADD COLUMN legacy text;\n\n-- migrate:down\n");
    repo.commit_all("schema");
    repo.write("schema.sql", V2);
    let out = generate(&repo, "email", 1_700_000_000, &[]);
    ok(&out);
    let err = stderr(&out);
    assert!(err.contains("cannot read the migrations in db/migrations back") && err.contains("generating from HEAD to the working tree"), "{err}");
    let written = std::fs::read_to_string(repo.path().join("db/migrations/20231114221320_email.sql")).unwrap();
    assert!(written.contains("ADD COLUMN email text") && !written.contains("CREATE TABLE"), "HEAD to the working tree:\n{written}");
}
