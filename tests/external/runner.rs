//! The real-runner tests' own scaffolding: databases at a revision, catalog
//! checks of a database a framework's runner migrated, running the runner.
//! The repository history they migrate (the revisions, `generate` per
//! change) is shared with `golden_formats` and lives in `support::runner`,
//! re-exported here so that the tests name one module.

pub use crate::support::runner::*;

use crate::support::catalog::{self, Catalog};
use crate::support::git::TestRepo;
use crate::support::pg::PgServer;
use std::process::Command;

/// Rows loaded with the first revision, which every migration must keep.
pub const SEED_ROWS: &str = "INSERT INTO accounts (email) VALUES ('a@example.com'), ('b@example.com');
INSERT INTO notes (account_id, body) VALUES (1, 'first note'), (2, 'second note');
";

/// The schema before [`awkward_comment_repo`]'s change.
pub const KEEP_TABLE: &str = "CREATE TABLE keep (id int);\n";

/// A repository whose change adds a table `t` whose comment is `comment`
/// (text a string literal or a driver could get wrong), with the migration
/// generated in `format` into `dir`.
pub fn awkward_comment_repo(setup: &[(&str, &str)], comment: &str, format: &str, dir: &str) -> TestRepo {
    let repo = TestRepo::new();
    for (path, text) in setup {
        repo.write(path, text);
    }
    repo.write(SCHEMA_PATH, KEEP_TABLE);
    repo.commit_all("old");
    repo.write(SCHEMA_PATH, &format!("{KEEP_TABLE}CREATE TABLE t (id int);\nCOMMENT ON TABLE t IS '{}';\n", comment.replace('\'', "''")));
    let out = Command::new(env!("CARGO_BIN_EXE_schemashift"))
        .args(["generate", "HEAD", "--name", "awkward comment", "--dir", dir, "--framework", format])
        .current_dir(repo.path())
        .output()
        .expect("schemashift runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    repo
}

/// Asserts that `inspect --migrations <dir> <args>` reads the migrations of
/// [`awkward_comment_repo`] back to the same comment.
pub fn assert_reads_back_comment(repo: &TestRepo, dir: &str, args: &[&str], comment: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_schemashift"))
        .args(["inspect", "--migrations", dir])
        .args(args)
        .args(["--format", "sql"])
        .current_dir(repo.path())
        .output()
        .expect("schemashift runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "inspect --migrations failed:\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains(&format!("'{}'", comment.replace('\'', "''"))), "{text}");
}

/// The catalog of `db` without the runner's bookkeeping: every object whose
/// qualified name starts with one of `bookkeeping` (`public.schema_migrations`
/// covers its columns, key and sequence).
pub fn catalog_without(server: &PgServer, db: &str, bookkeeping: &[&str]) -> Catalog {
    let mut c = crate::support::comparable(&catalog::catalog(server, db));
    c.objects.retain(|k, _| !bookkeeping.iter().any(|b| k.name.starts_with(b)));
    c
}

/// The catalog of a fresh database loaded with `schema`.
pub fn catalog_of_schema(server: &PgServer, schema: &str) -> Catalog {
    let db = server.create_database("expected");
    server.psql_file(&db, schema).unwrap_or_else(|e| panic!("the schema does not load: {e}\n{schema}"));
    let c = crate::support::comparable(&catalog::catalog(server, &db));
    server.drop_database(&db);
    c
}

/// A database at the first revision, with [`SEED_ROWS`].
pub fn database_at_first_revision(server: &PgServer, prefix: &str) -> String {
    let db = server.create_database(prefix);
    server.psql_file(&db, REVISIONS[0]).expect("revision 1 loads");
    server.psql_file(&db, SEED_ROWS).expect("seed rows load");
    db
}

/// Asserts that `db` (bookkeeping left out) has the catalog of revision `i`.
pub fn assert_at_revision(server: &PgServer, db: &str, i: usize, bookkeeping: &[&str], when: &str) {
    assert_matches_schema(server, db, REVISIONS[i], bookkeeping, &format!("{when} (revision {})", i + 1));
}

/// Asserts that `db` (bookkeeping left out) has the catalog of `schema`.
pub fn assert_matches_schema(server: &PgServer, db: &str, schema: &str, bookkeeping: &[&str], when: &str) {
    let actual = catalog_without(server, db, bookkeeping);
    let expected = catalog_of_schema(server, schema);
    assert!(actual == expected, "{when}: the database differs from the schema:\n{}", catalog::diff(&expected, &actual));
}

/// Asserts the seed rows survived (the renamed column keeps its values).
pub fn assert_rows_kept(server: &PgServer, db: &str, column: &str, when: &str) {
    let rows = server
        .query(db, &format!("SELECT a.email || ':' || n.{column} FROM notes n JOIN accounts a ON a.id = n.account_id ORDER BY n.id"))
        .unwrap_or_else(|e| panic!("{when}: rows cannot be read: {e}"));
    assert_eq!(rows, "a@example.com:first note\nb@example.com:second note", "{when}: rows lost");
}

/// Runs a runner command, panicking with its output when it fails.
pub fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed ({:?}):\n{text}", out.status.code());
    text
}

/// Whether a runner program is installed; when it is not, `CI` makes that a
/// failure and otherwise the test prints a notice and is skipped.
pub fn runner_available(program: &str) -> bool {
    let found = installed(program);
    if !found {
        assert!(std::env::var_os("CI").is_none(), "{program} is not installed, and CI is set");
        eprintln!("skipping: {program} is not installed (run .ci/run to install it)");
    }
    found
}

/// Whether `program` is on `PATH`.
pub fn installed(program: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {program}")]).output().is_ok_and(|o| o.status.success())
}

