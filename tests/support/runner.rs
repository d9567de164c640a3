//! Shared scaffolding for the real-runner tests: a repository whose schema
//! goes through four revisions, with one `schemashift generate` per change
//! (like a developer would: edit, generate, commit), and catalog checks of a
//! database that a framework's own runner migrated.
//!
//! The revisions exercise what makes migrations hard for runners: an enum
//! label used right after it is added (two migrations), a PL/pgSQL function
//! with semicolons in its body, a trigger, a renamed column (data kept), a
//! view, an index that `--concurrently` builds outside a transaction, and a
//! dropped column.

use super::catalog::{self, Catalog};
use super::git::TestRepo;
use super::pg::PgServer;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The schema file's path in the repository.
pub const SCHEMA_PATH: &str = "db/schema.sql";

/// The four revisions of the schema, oldest first.
pub const REVISIONS: [&str; 4] = [
    r#"CREATE TYPE status AS ENUM ('active', 'closed');

CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    status status NOT NULL DEFAULT 'active'
);

CREATE TABLE notes (
    id serial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    body text,
    legacy_flag boolean
);
"#,
    r#"CREATE TYPE status AS ENUM ('pending', 'active', 'closed');

CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    status status NOT NULL DEFAULT 'pending',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notes (
    id serial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    body text,
    legacy_flag boolean,
    updated_at timestamptz
);

CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER notes_touch BEFORE UPDATE ON notes FOR EACH ROW EXECUTE FUNCTION touch();
"#,
    r#"CREATE TYPE status AS ENUM ('pending', 'active', 'closed');

CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    status status NOT NULL DEFAULT 'pending',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notes (
    id serial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    -- schemashift:renamed-from body
    content text,
    legacy_flag boolean,
    updated_at timestamptz
);

CREATE INDEX notes_account_id_idx ON notes (account_id);

CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER notes_touch BEFORE UPDATE ON notes FOR EACH ROW EXECUTE FUNCTION touch();

CREATE VIEW account_notes AS
    SELECT a.email, n.content FROM accounts a JOIN notes n ON n.account_id = a.id;
"#,
    r#"CREATE TYPE status AS ENUM ('pending', 'active', 'closed');

CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    status status NOT NULL DEFAULT 'pending',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notes (
    id serial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    content text,
    updated_at timestamptz,
    CONSTRAINT notes_content_length CHECK (length(content) < 10000)
);

CREATE INDEX notes_account_id_idx ON notes (account_id);

CREATE TABLE tags (
    note_id integer NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    tag text NOT NULL,
    PRIMARY KEY (note_id, tag)
);

CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER notes_touch BEFORE UPDATE ON notes FOR EACH ROW EXECUTE FUNCTION touch();

CREATE VIEW account_notes AS
    SELECT a.email, n.content FROM accounts a JOIN notes n ON n.account_id = a.id;
"#,
];

/// The names given to the three `generate` runs.
pub const NAMES: [&str; 3] = ["add pending status", "rename note body", "add tags"];

/// Rows loaded with the first revision, which every migration must keep.
pub const SEED_ROWS: &str = "INSERT INTO accounts (email) VALUES ('a@example.com'), ('b@example.com');
INSERT INTO notes (account_id, body) VALUES (1, 'first note'), (2, 'second note');
";

/// A repository after three `generate` runs.
pub struct History {
    pub repo: TestRepo,
    /// The migrations directory, absolute.
    pub dir: PathBuf,
    /// What each `generate` printed on standard output (the files it wrote).
    pub outputs: Vec<String>,
}

/// Builds the repository: `setup` files first (telltales, runner
/// configuration), the first revision committed, then for each later
/// revision: write it, `schemashift generate <args>`, commit. Timestamps come
/// from `SOURCE_DATE_EPOCH`, a minute apart, so runs are reproducible.
pub fn generate_history(setup: &[(&str, &str)], dir: &str, args: &[&str]) -> History {
    generate_history_of(&REVISIONS, setup, dir, args)
}

/// [`generate_history`] over other revisions.
pub fn generate_history_of(revisions: &[&str], setup: &[(&str, &str)], dir: &str, args: &[&str]) -> History {
    let repo = TestRepo::new();
    for (path, text) in setup {
        repo.write(path, text);
    }
    repo.write(SCHEMA_PATH, revisions[0]);
    repo.commit_all("first schema");
    let mut outputs = Vec::new();
    for (i, revision) in revisions.iter().enumerate().skip(1) {
        repo.write(SCHEMA_PATH, revision);
        let name = NAMES.get(i - 1).map_or_else(|| format!("change {i}"), |n| n.to_string());
        let out = Command::new(env!("CARGO_BIN_EXE_schemashift"))
            .arg("generate")
            .args(["--name", &name, "--dir", dir])
            .args(args)
            .current_dir(repo.path())
            .env("SOURCE_DATE_EPOCH", (1_700_000_000 + 60 * i as i64).to_string())
            .output()
            .expect("schemashift runs");
        assert!(
            out.status.success(),
            "generate {i} failed ({:?}):\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push(String::from_utf8_lossy(&out.stdout).into_owned());
        repo.commit_all(&format!("schema revision {}", i + 1));
    }
    let dir = repo.path().join(dir);
    History { repo, dir, outputs }
}

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
        .args(["generate", "--name", "awkward comment", "--dir", dir, "--framework", format])
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
    let mut c = super::comparable(&catalog::catalog(server, db));
    c.objects.retain(|k, _| !bookkeeping.iter().any(|b| k.name.starts_with(b)));
    c
}

/// The catalog of a fresh database loaded with revision `i`.
pub fn expected_catalog(server: &PgServer, i: usize) -> Catalog {
    catalog_of_schema(server, REVISIONS[i])
}

/// The catalog of a fresh database loaded with `schema`.
pub fn catalog_of_schema(server: &PgServer, schema: &str) -> Catalog {
    let db = server.create_database("expected");
    server.psql_file(&db, schema).unwrap_or_else(|e| panic!("the schema does not load: {e}\n{schema}"));
    let c = super::comparable(&catalog::catalog(server, &db));
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
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "{program} is not installed, and CI is set");
        eprintln!("skipping: {program} is not installed (run .ci/run to install it)");
    }
    found
}

/// The files of a directory, relative and sorted (to show in messages).
pub fn listing(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().display().to_string())
        .collect();
    out.sort();
    out
}
