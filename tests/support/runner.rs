//! Shared scaffolding for the real-runner tests (`tests/external/runner_*`)
//! and the layouts checked without a runner (`golden_formats`): a repository
//! whose schema goes through four revisions, with one `schemashift generate`
//! per change (like a developer would: edit, generate, commit). The catalog
//! checks of a database a runner migrated are in `tests/external/runner.rs`.
//!
//! The revisions exercise what makes migrations hard for runners: an enum
//! label used right after it is added (two migrations), a PL/pgSQL function
//! with semicolons in its body, a trigger, a renamed column (data kept), a
//! view, an index that `--concurrently` builds outside a transaction, and a
//! dropped column.

use super::git::TestRepo;
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
            // Each migration is one revision's change: from the commit before.
            .arg("HEAD")
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

/// The runbook `generate` writes beside a change's migrations
/// (`<version>_<slug>.runbook.md`), which no runner reads.
pub fn is_runbook(file_name: &str) -> bool {
    file_name.ends_with(".runbook.md")
}

/// The files of a directory, relative and sorted (to show in messages),
/// but the change's runbooks: the runners never read them.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() && !is_runbook(&e.file_name().to_string_lossy()))
        .map(|e| e.path().strip_prefix(dir).unwrap().display().to_string())
        .collect();
    out.sort();
    out
}
