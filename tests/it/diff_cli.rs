//! `schemashift diff`: output formats, no-ops, exit codes, git sources.

use crate::support::git as git_support;

use assert_cmd::Command;
use std::path::Path;

fn schemashift(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("schemashift").unwrap();
    c.current_dir(dir);
    c
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const OLD: &str = "CREATE TABLE users (id serial PRIMARY KEY, name text);\n";
const NEW: &str = "CREATE TABLE users (\n  id serial PRIMARY KEY,\n  name text,\n  email varchar(255) NOT NULL DEFAULT ''\n);\nCREATE INDEX users_email_idx ON users (email);\n";

#[test]
fn json_output_has_up_down_changes_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "old.sql", OLD);
    write(dir.path(), "new.sql", NEW);
    let out = schemashift(dir.path())
        .args(["diff", "--no-index", "--dialect", "postgres", "old.sql", "new.sql", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let up = json["up"].as_str().unwrap();
    assert!(up.contains("ALTER TABLE public.users ADD COLUMN email character varying(255) DEFAULT ''::character varying NOT NULL;"), "{up}");
    assert!(up.contains("CREATE INDEX users_email_idx ON public.users (email);"), "{up}");
    let down = json["down"].as_str().unwrap();
    assert!(down.contains("DROP INDEX public.users_email_idx;"), "{down}");
    assert!(down.contains("ALTER TABLE public.users DROP COLUMN email;"), "{down}");
    // The index goes before the column it is on.
    assert!(down.find("DROP INDEX").unwrap() < down.find("DROP COLUMN").unwrap(), "{down}");
    let changes = json["changes"].as_array().unwrap();
    let kinds: Vec<&str> = changes.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["add_column", "create_index"]);
    assert_eq!(changes[0]["object"], "public.users.email");
    assert_eq!(changes[0]["new_location"], "new.sql:4:3");
    assert!(changes[0]["old_location"].is_null());
    assert!(json["warnings"].is_array());
}

#[test]
fn sql_output_reverse_and_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "old.sql", OLD);
    write(dir.path(), "new.sql", NEW);
    let up = schemashift(dir.path()).args(["diff", "--no-index", "old.sql", "new.sql"]).output().unwrap();
    assert_eq!(up.status.code(), Some(0));
    let down = schemashift(dir.path()).args(["diff", "--no-index", "old.sql", "new.sql", "--reverse"]).output().unwrap();
    assert_ne!(up.stdout, down.stdout);
    assert!(String::from_utf8_lossy(&down.stdout).contains("DROP COLUMN email"));
    let again = schemashift(dir.path()).args(["diff", "--no-index", "old.sql", "new.sql"]).output().unwrap();
    assert_eq!(up.stdout, again.stdout, "output is deterministic");
    let code = schemashift(dir.path()).args(["diff", "--no-index", "old.sql", "new.sql", "--exit-code"]).output().unwrap();
    assert_eq!(code.status.code(), Some(1));
    let same = schemashift(dir.path()).args(["diff", "--no-index", "old.sql", "old.sql", "--exit-code"]).output().unwrap();
    assert_eq!(same.status.code(), Some(0));
}

#[test]
fn the_same_schema_written_differently_is_no_change() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.sql",
        "CREATE TABLE Users (ID SERIAL PRIMARY KEY, Email VARCHAR(255) UNIQUE, score INT4 DEFAULT 0 CHECK (score >= 0));\n\
         CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users);",
    );
    write(
        dir.path(),
        "b.sql",
        "CREATE TABLE public.posts (\n  id integer NOT NULL,\n  user_id integer,\n  CONSTRAINT posts_pkey PRIMARY KEY (id)\n);\n\
         CREATE SEQUENCE users_id_seq AS integer;\n\
         CREATE TABLE users (\n  id integer NOT NULL DEFAULT nextval('users_id_seq'::regclass),\n  email character varying(255),\n  score integer DEFAULT 0,\n  CONSTRAINT users_pkey PRIMARY KEY (id),\n  CONSTRAINT users_email_key UNIQUE (email),\n  CONSTRAINT users_score_check CHECK ((score >= (0)::integer))\n);\n\
         ALTER SEQUENCE users_id_seq OWNED BY users.id;\n\
         ALTER TABLE posts ADD CONSTRAINT posts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);",
    );
    let out = schemashift(dir.path()).args(["diff", "--no-index", "a.sql", "b.sql", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["up"], "", "{json:#}");
    assert_eq!(json["changes"].as_array().unwrap().len(), 0);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no changes"));
}

#[test]
fn rename_hints_rename_instead_of_drop_and_add() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "old.sql", "CREATE TABLE users (id int PRIMARY KEY, name text);\nCREATE INDEX users_name ON users (name);\n");
    write(
        dir.path(),
        "new.sql",
        "-- schemashift:renamed-from users\nCREATE TABLE people (\n  id int PRIMARY KEY,\n  -- schemashift:renamed-from name\n  full_name text\n);\nCREATE INDEX users_name ON people (full_name);\n",
    );
    let out = schemashift(dir.path()).args(["diff", "--no-index", "old.sql", "new.sql"]).output().unwrap();
    let up = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(up.contains("ALTER TABLE public.users RENAME TO people;"), "{up}");
    assert!(up.contains("ALTER TABLE public.people RENAME COLUMN name TO full_name;"), "{up}");
    // The primary key keeps its old name under a renamed table, so it is renamed too.
    assert!(up.contains("RENAME CONSTRAINT users_pkey TO people_pkey"), "{up}");
    assert!(!up.contains("DROP") && !up.contains("ADD COLUMN"), "no data is dropped: {up}");
    let down = schemashift(dir.path()).args(["diff", "--no-index", "old.sql", "new.sql", "-R"]).output().unwrap();
    let down = String::from_utf8_lossy(&down.stdout);
    assert!(down.contains("ALTER TABLE public.people RENAME TO users;"), "{down}");
    assert!(down.contains("RENAME COLUMN full_name TO name"), "{down}");
}

#[test]
fn a_likely_rename_without_hint_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "old.sql", "CREATE TABLE t (id int, username text);\n");
    write(dir.path(), "new.sql", "CREATE TABLE t (id int, user_name text);\n");
    let out = schemashift(dir.path()).args(["diff", "--no-index", "old.sql", "new.sql"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("schemashift: warning: new.sql:1:25: ") && err.contains("schemashift:renamed-from username"), "{err}");
    let up = String::from_utf8_lossy(&out.stdout);
    assert!(up.contains("DROP COLUMN username") && up.contains("ADD COLUMN user_name"), "{up}");
}

/// Git with an isolated configuration (shared with the source tests).
fn git(dir: &Path, args: &[&str]) {
    git_support::git_in(dir, args);
}

#[test]
fn diff_between_revisions_and_against_the_working_tree() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    std::fs::create_dir_all(d.join("db")).unwrap();
    write(d, "db/schema.sql", OLD);
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "one"]);
    write(d, "db/schema.sql", NEW);
    git(d, &["commit", "-qam", "two"]);

    let out = schemashift(d).args(["diff", "HEAD~1", "HEAD"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ADD COLUMN email"));
    let range = schemashift(d).args(["diff", "HEAD~1..HEAD"]).output().unwrap();
    assert_eq!(out.stdout, range.stdout);

    // Working tree against HEAD: an uncommitted edit.
    write(d, "db/schema.sql", &format!("{NEW}CREATE TABLE audit (id bigint);\n"));
    let out = schemashift(d).args(["diff", "HEAD"]).output().unwrap();
    let up = String::from_utf8_lossy(&out.stdout);
    assert!(up.contains("CREATE TABLE public.audit") && !up.contains("email"), "{up}");
    // Nothing staged: the index equals HEAD.
    let out = schemashift(d).args(["diff", "--staged", "--exit-code"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_rebuilt_enum_whose_default_also_changes_sets_it_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "old.sql", "CREATE TYPE mood AS ENUM ('a', 'b', 'c');\nCREATE TABLE users (id int, m mood DEFAULT 'c', n mood DEFAULT 'b');\n");
    write(dir.path(), "new.sql", "CREATE TYPE mood AS ENUM ('a', 'b');\nCREATE TABLE users (id int, m mood DEFAULT 'a', n mood DEFAULT 'b');\n");
    let up = schemashift(dir.path()).args(["diff", "--no-index", "old.sql", "new.sql"]).output().unwrap();
    assert_eq!(up.status.code(), Some(0), "{}", String::from_utf8_lossy(&up.stderr));
    let sql = String::from_utf8_lossy(&up.stdout);
    assert_eq!(sql.matches("ALTER COLUMN m SET DEFAULT 'a'").count(), 1, "{sql}");
    // The unchanged default is put back after the conversion.
    assert_eq!(sql.matches("ALTER COLUMN n SET DEFAULT 'b'").count(), 1, "{sql}");
}

/// The JSON `changes` list every object the migration drops and creates
/// again unchanged, with the change that reaches it; objects a change does
/// not reach are not listed (nor rebuilt).
#[test]
fn json_changes_list_the_objects_rebuilt_and_why() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "old.sql",
        "CREATE TABLE t (id int PRIMARY KEY, a int, b int);\n\
         CREATE VIEW reads_a AS SELECT id, a FROM t;\n\
         CREATE VIEW reads_b AS SELECT id, b FROM t;\n\
         CREATE VIEW over_reads_a AS SELECT id FROM reads_a;\n",
    );
    write(
        dir.path(),
        "new.sql",
        "CREATE TABLE t (id int PRIMARY KEY, a bigint, b int);\n\
         CREATE VIEW reads_a AS SELECT id, a FROM t;\n\
         CREATE VIEW reads_b AS SELECT id, b FROM t;\n\
         CREATE VIEW over_reads_a AS SELECT id FROM reads_a;\n",
    );
    let out = schemashift(dir.path()).args(["diff", "--no-index", "old.sql", "new.sql", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changes = json["changes"].as_array().unwrap();
    let rebuilt: Vec<(&str, &str, &str)> = changes
        .iter()
        .filter(|c| c["kind"].as_str().unwrap().starts_with("rebuild_"))
        .map(|c| (c["kind"].as_str().unwrap(), c["object"].as_str().unwrap(), c["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rebuilt,
        [
            ("rebuild_view", "public.over_reads_a", "it reads view public.reads_a, which is dropped and created again"),
            ("rebuild_view", "public.reads_a", "the type of column public.t.a changes"),
        ],
        "{json:#}"
    );
    let up = json["up"].as_str().unwrap();
    assert!(!up.contains("reads_b"), "a view that does not read the changed column stays: {up}");
    assert!(changes.iter().all(|c| c["kind"] == "alter_column" || c["reason"].is_string()), "{json:#}");
}

/// An empty file, one of comments only, or a pg_dump preamble with no
/// objects is the empty schema: from it to a schema is the first migration.
#[test]
fn the_first_migration_starts_from_an_empty_schema() {
    let dir = tempfile::tempdir().unwrap();
    let preamble = "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n\
                    SELECT pg_catalog.set_config('search_path', '', false);\n\n--\n-- PostgreSQL database dump complete\n--\n";
    write(dir.path(), "schema.sql", "CREATE TABLE t (id int PRIMARY KEY);\n");
    for (name, text) in [("empty.sql", ""), ("comments.sql", "-- nothing yet\n/* later */\n"), ("preamble.sql", preamble)] {
        write(dir.path(), name, text);
        let out = schemashift(dir.path()).args(["diff", "--no-index", name, "schema.sql"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let up = String::from_utf8_lossy(&out.stdout);
        assert!(up.contains("CREATE TABLE public.t"), "{name}: {up}");
    }
}

/// From a schema to an empty one would drop everything: refused (exit 65,
/// naming the empty side) unless --allow-empty says it is meant.
#[test]
fn emptying_the_schema_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "schema.sql", "CREATE TABLE t (id int PRIMARY KEY);\nCREATE VIEW v AS SELECT id FROM t;\n");
    write(dir.path(), "empty.sql", "-- emptied by mistake\n");
    let out = schemashift(dir.path()).args(["diff", "--no-index", "schema.sql", "empty.sql"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("empty.sql") && err.contains("holds no objects") && err.contains("1 table, 1 view"), "{err}");
    assert!(err.contains("--allow-empty"), "{err}");
    assert!(out.stdout.is_empty());
    let out = schemashift(dir.path()).args(["diff", "--no-index", "schema.sql", "empty.sql", "--allow-empty"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let up = String::from_utf8_lossy(&out.stdout);
    assert!(up.contains("DROP VIEW public.v;") && up.contains("DROP TABLE public.t;"), "{up}");
}

/// In git: a revision without the schema file is the empty schema too.
#[test]
fn a_revision_without_the_schema_file_is_empty() {
    let repo = git_support::TestRepo::new();
    repo.write("README.md", "no schema yet\n");
    repo.commit_all("start");
    repo.write("schema.sql", "CREATE TABLE t (id int);\n");
    let out = schemashift(repo.path()).args(["diff", "HEAD"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("CREATE TABLE public.t"));
    // And deleting it is refused like emptying it.
    repo.commit_all("schema");
    std::fs::remove_file(repo.path().join("schema.sql")).unwrap();
    let out = schemashift(repo.path()).args(["diff", "HEAD"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no schema files"));
}

/// Statements kept as text raise a warning only when they change; every
/// warning is in the JSON with its location; --quiet keeps them off
/// standard error.
#[test]
fn warnings_only_for_what_changes_and_quiet_silences_them() {
    let dir = tempfile::tempdir().unwrap();
    let base = "CREATE TABLE t (id int PRIMARY KEY);\nCREATE AGGREGATE my_sum (int) (sfunc = int4pl, stype = int);\n";
    write(dir.path(), "old.sql", base);
    write(dir.path(), "same.sql", &format!("{base}CREATE TABLE u (id int);\n"));
    let out = schemashift(dir.path()).args(["diff", "--no-index", "old.sql", "same.sql"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "the unchanged aggregate says nothing");

    write(dir.path(), "changed.sql", "CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL);\nCREATE AGGREGATE my_sum (int) (sfunc = int4pl, stype = int, initcond = '0');\n");
    let out = schemashift(dir.path()).args(["diff", "--no-index", "old.sql", "changed.sql"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("schemashift: warning: changed.sql:2:1: CREATE AGGREGATE is not modelled"), "{err}");
    assert!(err.contains("schemashift: warning: changed.sql:1:37: ") && err.contains("NOT NULL"), "{err}");

    let out = schemashift(dir.path()).args(["diff", "--quiet", "--no-index", "old.sql", "changed.sql", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "--quiet");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let locations: Vec<&str> = json["warnings"].as_array().unwrap().iter().map(|w| w["location"].as_str().unwrap()).collect();
    assert!(locations.contains(&"changed.sql:2:1") && locations.contains(&"changed.sql:1:37"), "{json:#}");
}

/// What PostgreSQL cannot alter and schemashift does not rebuild is refused
/// where the new definition is, with the way to do it by hand; never an
/// internal error, never a migration that silently leaves it out.
#[test]
fn a_changed_partitioning_is_refused_with_the_manual_way() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "old.sql", "CREATE TABLE sessions (id bigint, user_id bigint) PARTITION BY HASH (user_id);\n");
    write(dir.path(), "new.sql", "-- plain again\nCREATE TABLE sessions (id bigint, user_id bigint);\n");
    for (a, b, from, to) in [
        ("old.sql", "new.sql", "PARTITION BY HASH (user_id)", "not partitioned"),
        ("new.sql", "old.sql", "not partitioned", "PARTITION BY HASH (user_id)"),
    ] {
        let out = schemashift(dir.path()).args(["diff", "--no-index", a, b]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(65), "{err}");
        assert!(err.contains(&format!("{b}:")) && err.contains(&format!("({from} → {to})")), "{err}");
        assert!(err.contains("copy the rows") && !err.contains("bug"), "{err}");
        assert!(out.stdout.is_empty());
    }
}

/// Each step of `--format json` carries its facts, as PostgreSQL's
/// documentation gives them: the lock, the work on the rows, the data it
/// destroys and the online form it could take.
#[test]
fn json_steps_carry_locks_work_and_data_lost() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "old.sql", "CREATE TABLE users (id int PRIMARY KEY, nick text, email text);\n");
    write(dir.path(), "new.sql", "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);\nCREATE INDEX users_email ON users (email);\n");
    let out = schemashift(dir.path()).args(["diff", "--no-index", "old.sql", "new.sql", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps = json["up_steps"].as_array().unwrap();
    let find = |needle: &str| steps.iter().find(|s| s["sql"].as_str().unwrap().contains(needle)).unwrap_or_else(|| panic!("{needle} in {steps:#?}"));
    let drop = &find("DROP COLUMN nick")["facts"];
    assert_eq!((drop["lock"]["level"].as_str(), drop["work"].as_str()), (Some("ACCESS EXCLUSIVE"), Some("metadata")));
    assert_eq!(drop["destroys"]["relation"], "public.users");
    assert_eq!(drop["destroys"]["columns"], serde_json::json!(["nick"]));
    let not_null = &find("SET NOT NULL")["facts"];
    assert_eq!(not_null["work"], "scan");
    assert!(not_null.get("destroys").is_none());
    let index = &find("CREATE INDEX users_email")["facts"];
    assert_eq!((index["lock"]["level"].as_str(), index["work"].as_str()), (Some("SHARE"), Some("index_build")));
    assert_eq!(index["online"]["form"], "CONCURRENTLY");
    assert!(index["online"]["sql"].as_str().unwrap().starts_with("CREATE INDEX CONCURRENTLY users_email ON public.users"));
    // The down brings the column back, empty: it destroys nothing, and the
    // step that drops the index is the one that could be online.
    let down = json["down_steps"].as_array().unwrap();
    assert!(down.iter().all(|s| s["facts"].get("destroys").is_none()), "{down:#?}");
    assert!(down.iter().any(|s| s["facts"]["online"]["sql"].as_str().is_some_and(|q| q.starts_with("DROP INDEX CONCURRENTLY"))), "{down:#?}");
}

/// A comment change names its object in the model's words; the SQL is the
/// dialect's (`COMMENT ON COLUMN`).
#[test]
fn comment_changes_name_their_object() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "old.sql", "CREATE TABLE t (\"Mixed\" int CONSTRAINT pos CHECK (\"Mixed\" > 0));\n");
    write(
        dir.path(),
        "new.sql",
        "CREATE TABLE t (\"Mixed\" int CONSTRAINT pos CHECK (\"Mixed\" > 0));\nCOMMENT ON COLUMN t.\"Mixed\" IS 'a number';\nCOMMENT ON CONSTRAINT pos ON t IS 'positive';\n",
    );
    let out = schemashift(dir.path()).args(["diff", "--no-index", "old.sql", "new.sql", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let objects: Vec<(&str, &str)> =
        json["changes"].as_array().unwrap().iter().map(|c| (c["kind"].as_str().unwrap(), c["object"].as_str().unwrap())).collect();
    assert_eq!(objects, [("set_comment", "column public.t.Mixed"), ("set_comment", "constraint pos on public.t")]);
    let up = json["up"].as_str().unwrap();
    assert!(up.contains("COMMENT ON COLUMN public.t.\"Mixed\" IS 'a number';"), "{up}");
    assert!(up.contains("COMMENT ON CONSTRAINT pos ON public.t IS 'positive';"), "{up}");
    assert!(json["down"].as_str().unwrap().contains("COMMENT ON COLUMN public.t.\"Mixed\" IS NULL;"));
}
