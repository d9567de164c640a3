//! `schemashift check`, `renumber` and `hook install`, run as a user runs
//! them, in repositories made by real git: drift between the migrations and
//! the schema (working tree, index, a revision), a migration written but not
//! staged, a directory that cannot be replayed; against a base branch, a
//! migration numbered before the base's newest, an edited or removed one, a
//! stale atlas.sum; renumbering for timestamp, sequential, Alembic, Django
//! and Atlas layouts; and the plain git hook stopping a real `git commit`.

use crate::support::git::TestRepo;
use std::path::Path;
use std::process::{Command, Output};

const V1: &str = "CREATE TABLE users (id bigint PRIMARY KEY);\n";
const V2: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n";
const V3: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE TABLE posts (id bigint PRIMARY KEY);\n";

fn run(dir: &Path, args: &[&str], epoch: i64) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemashift"))
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .env_remove("PRE_COMMIT")
        .env_remove("GIT_INDEX_FILE")
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(r) => r.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

/// A repository whose schemashift.toml names the directory and framework.
fn project(framework: &str, dir: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("schemashift.toml", &format!("dir = \"{dir}\"\nframework = \"{framework}\"\n"));
    repo.write("schema.sql", V1);
    repo
}

fn generated(repo: &TestRepo, args: &[&str], epoch: i64) {
    let out = run(repo.path(), &[&["generate"], args].concat(), epoch);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
}

#[test]
fn check_reports_drift_with_the_missing_migration_and_the_command() {
    let repo = project("dbmate", "db/migrations");
    generated(&repo, &[], 1_700_000_000);
    repo.commit_all("init");
    let ok = run(repo.path(), &["check"], 0);
    assert_eq!(code(&ok), 0, "{}", text(&ok.stderr));
    assert!(text(&ok.stderr).contains("migrations are in step: db/migrations, replayed, gives the schema of the working tree"), "{}", text(&ok.stderr));

    // The schema changes; no migration.
    repo.write("schema.sql", V2);
    let drift = run(repo.path(), &["check"], 0);
    assert_eq!(code(&drift), 1, "{}", text(&drift.stderr));
    assert!(text(&drift.stdout).contains("ALTER TABLE public.users ADD COLUMN email text;"), "{}", text(&drift.stdout));
    let err = text(&drift.stderr);
    assert!(err.contains("db/migrations is not in step with the schema of the working tree"), "{err}");
    assert!(err.contains("`schemashift generate --name add_column_email`"), "{err}");
    // The index still has the old schema: in step there.
    assert_eq!(code(&run(repo.path(), &["check", "--staged"], 0)), 0);
    // Staged: the index drifts too, and the command says --staged.
    repo.git(&["add", "schema.sql"]);
    let staged = run(repo.path(), &["check", "--staged"], 0);
    assert_eq!(code(&staged), 1);
    assert!(text(&staged.stderr).contains("`schemashift generate --staged --name add_column_email`"), "{}", text(&staged.stderr));

    // The command it names fixes it; until the file is staged, the index check says so.
    generated(&repo, &["--staged", "--name", "add_column_email"], 1_700_000_100);
    let unstaged = run(repo.path(), &["check", "--staged"], 0);
    assert_eq!(code(&unstaged), 1);
    let err = text(&unstaged.stderr);
    assert!(err.contains("are not staged: db/migrations/20231114221500_add_column_email.runbook.md, db/migrations/20231114221500_add_column_email.sql"), "{err}");
    assert!(err.contains("git add db/migrations/"), "{err}");
    assert_eq!(code(&run(repo.path(), &["check"], 0)), 0, "the working tree is in step");
    repo.git(&["add", "-A"]);
    assert_eq!(code(&run(repo.path(), &["check", "--staged"], 0)), 0);
    repo.commit_all("email");

    // A revision: HEAD is in step, HEAD~1 too; a commit with the schema
    // changed and no migration is not.
    assert_eq!(code(&run(repo.path(), &["check", "HEAD~1"], 0)), 0);
    repo.write("schema.sql", V3);
    repo.commit_all("posts without a migration");
    let rev = run(repo.path(), &["check", "HEAD"], 0);
    assert_eq!(code(&rev), 1);
    assert!(text(&rev.stdout).contains("CREATE TABLE public.posts"), "{}", text(&rev.stdout));
    assert!(text(&rev.stderr).contains("`schemashift generate --name create_table_posts`"), "{}", text(&rev.stderr));
    // A pathspec that matches nothing is the user's mistake, not a schema to drop.
    let none = run(repo.path(), &["check", "--", "nosuch.sql"], 0);
    assert_eq!(code(&none), 66, "{}", text(&none.stderr));
    assert!(text(&none.stderr).contains("no schema files found in the working tree"), "{}", text(&none.stderr));
}

#[test]
fn a_hook_run_reads_the_index_and_returns_at_once_when_nothing_is_staged() {
    let repo = project("dbmate", "db/migrations");
    generated(&repo, &[], 1_700_000_000);
    repo.commit_all("init");
    // An unstaged schema change with a broken file elsewhere: in a hook
    // (PRE_COMMIT=1, as the pre-commit framework sets), check reads the
    // index, where nothing changed, and reads no schema at all.
    repo.write("schema.sql", "CREATE TABLE users (id bigint PRIMARY KEY,, oops);\n");
    let hook = Command::new(env!("CARGO_BIN_EXE_schemashift")).current_dir(repo.path()).env("PRE_COMMIT", "1").arg("check").output().unwrap();
    assert_eq!(code(&hook), 0, "{}", text(&hook.stderr));
    assert_eq!(text(&hook.stderr), "", "nothing to say when nothing is staged");
    // Outside a hook the working tree is checked, and its error is the user's.
    let plain = run(repo.path(), &["check"], 0);
    assert_eq!(code(&plain), 65, "{}", text(&plain.stderr));
    assert!(text(&plain.stderr).contains("schema.sql:1:"), "{}", text(&plain.stderr));
    // The same blob staged again (touched, re-added): still nothing to do.
    repo.write("schema.sql", V1);
    repo.git(&["add", "schema.sql"]);
    assert_eq!(code(&run(repo.path(), &["check", "--staged"], 0)), 0);
    assert_eq!(code(&run(repo.path(), &["lint", "--staged"], 0)), 0);
    let gen_out = run(repo.path(), &["generate", "--staged", "--exit-code"], 0);
    assert_eq!(code(&gen_out), 0, "{}", text(&gen_out.stderr));
    assert!(text(&gen_out.stderr).contains("nothing staged changes the schema or db/migrations"), "{}", text(&gen_out.stderr));
}

#[test]
fn generate_exit_code_writes_then_fails_until_staged() {
    let repo = project("dbmate", "db/migrations");
    generated(&repo, &[], 1_700_000_000);
    repo.commit_all("init");
    repo.write("schema.sql", V2);
    repo.git(&["add", "schema.sql"]);
    // Unstaged edits beyond the index are not the staged change.
    repo.write("schema.sql", V3);
    let first = run(repo.path(), &["generate", "--staged", "--exit-code"], 1_700_000_100);
    assert_eq!(code(&first), 1, "wrote a migration: {}", text(&first.stderr));
    let names = listing(&repo.path().join("db/migrations"));
    assert!(names.contains(&"20231114221500_add_column_email.sql".to_string()), "named from the change: {names:?}");
    let sql = std::fs::read_to_string(repo.path().join("db/migrations/20231114221500_add_column_email.sql")).unwrap();
    assert!(sql.contains("ADD COLUMN email") && !sql.contains("posts"), "the staged change only:\n{sql}");
    // Again, not staged yet: nothing new written, and it still fails.
    let second = run(repo.path(), &["generate", "--staged", "--exit-code"], 1_700_000_200);
    assert_eq!(code(&second), 1, "{}", text(&second.stderr));
    assert!(text(&second.stderr).contains("migration files are not staged"), "{}", text(&second.stderr));
    assert_eq!(listing(&repo.path().join("db/migrations")), names, "no duplicate");
    repo.git(&["add", "db"]);
    let third = run(repo.path(), &["generate", "--staged", "--exit-code"], 1_700_000_300);
    assert_eq!(code(&third), 0, "{}", text(&third.stderr));
    assert!(text(&third.stderr).contains("migrations are up to date"), "{}", text(&third.stderr));
}

#[test]
fn a_directory_that_cannot_be_replayed_still_needs_a_migration_with_a_schema_change() {
    let repo = project("dbmate", "db/migrations");
    // The history starts from an existing database: it alters a table no migration created.
    repo.write("db/migrations/20230101000000_partial.sql", "-- migrate:up\nALTER TABLE users ADD COLUMN legacy text;\n\n-- migrate:down\n");
    repo.commit_all("init");
    repo.write("schema.sql", V2);
    repo.git(&["add", "schema.sql"]);
    let out = run(repo.path(), &["check", "--staged"], 0);
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("cannot replay the migrations in db/migrations") && err.contains("the schema changed since HEAD, and db/migrations did not"), "{err}");
    repo.write("db/migrations/20230102000000_email.sql", "-- migrate:up\nALTER TABLE users ADD COLUMN email text;\n\n-- migrate:down\n");
    repo.git(&["add", "-A"]);
    assert_eq!(code(&run(repo.path(), &["check", "--staged"], 0)), 0);
}

/// main with a migration; a feature branch forked before main's second
/// migration, with its own; returns the repository on the feature branch.
fn two_branches(framework: &str, dir: &str) -> TestRepo {
    let repo = project(framework, dir);
    generated(&repo, &["--name", "init"], 1_700_000_000);
    repo.commit_all("init");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("schema.sql", V2);
    generated(&repo, &["--name", "email"], 1_700_000_100);
    repo.commit_all("email");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("schema.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE posts (id bigint PRIMARY KEY);\n");
    generated(&repo, &["--name", "posts"], 1_700_000_200);
    repo.commit_all("posts");
    repo.git(&["checkout", "-q", "feature"]);
    // The branch takes main in (as a rebase or a merge would), schema resolved by hand.
    repo.git(&["merge", "-q", "-X", "theirs", "main", "-m", "merge main"]);
    repo.write("schema.sql", V3);
    repo.commit_all("schema with both");
    repo
}

#[test]
fn base_catches_a_migration_numbered_before_the_base_and_renumber_fixes_it() {
    let repo = two_branches("golang-migrate", "db/migrations");
    let dir = repo.path().join("db/migrations");
    // Replayed in version order the directory still gives the schema, but
    // the runner of a database already at main's newest would skip the branch's.
    assert_eq!(code(&run(repo.path(), &["check"], 0)), 0);
    let out = run(repo.path(), &["check", "--base", "main"], 0);
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("db/migrations/20231114221500_email.up.sql (version 20231114221500) is new on this branch but does not sort after db/migrations/20231114221640_posts.up.sql (version 20231114221640) on main"),
        "{err}"
    );
    assert!(err.contains("`schemashift renumber --base main`"), "{err}");

    let renumbered = run(repo.path(), &["renumber", "--base", "main"], 1_700_000_300);
    assert_eq!(code(&renumbered), 0, "{}", text(&renumbered.stderr));
    assert_eq!(
        text(&renumbered.stdout),
        "db/migrations/20231114221500_email.up.sql -> db/migrations/20231114221820_email.up.sql\n\
         db/migrations/20231114221500_email.down.sql -> db/migrations/20231114221820_email.down.sql\n\
         db/migrations/20231114221500_email.runbook.md -> db/migrations/20231114221820_email.runbook.md\n"
    );
    let names = listing(&dir);
    assert!(names.contains(&"20231114221820_email.up.sql".into()) && !names.iter().any(|n| n.starts_with("20231114221500")), "{names:?}");
    let ok = run(repo.path(), &["check", "--base", "main"], 0);
    assert_eq!(code(&ok), 0, "{}", text(&ok.stderr));
    // Run again: nothing to do.
    let again = run(repo.path(), &["renumber", "--base", "main"], 1_700_000_400);
    assert_eq!((code(&again), text(&again.stdout)), (0, String::new()));
    assert!(text(&again.stderr).contains("nothing to renumber"));
}

#[test]
fn base_catches_edited_and_removed_migrations() {
    let repo = project("golang-migrate", "db/migrations");
    generated(&repo, &["--name", "init"], 1_700_000_000);
    repo.write("schema.sql", V2);
    generated(&repo, &["--name", "email"], 1_700_000_100);
    repo.commit_all("two");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let up = repo.path().join("db/migrations/20231114221500_email.up.sql");
    let edited = std::fs::read_to_string(&up).unwrap().replace("email text", "email varchar(100)");
    std::fs::write(&up, edited).unwrap();
    repo.write("schema.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100));\n");
    repo.remove("db/migrations/20231114221320_init.down.sql");
    let out = run(repo.path(), &["check", "--base", "main"], 0);
    assert_eq!(code(&out), 1);
    let err = text(&out.stderr);
    assert!(err.contains("db/migrations/20231114221500_email.up.sql is already on main and was changed"), "{err}");
    assert!(err.contains("git checkout main -- db/migrations/20231114221500_email.up.sql"), "{err}");
    assert!(err.contains("db/migrations/20231114221320_init.down.sql is on main but not on this branch"), "{err}");
}

#[test]
fn atlas_sum_is_checked_and_rewritten_by_renumber() {
    let repo = two_branches("atlas", "migrations");
    let sum = repo.path().join("migrations/atlas.sum");
    // The merge kept the branch's atlas.sum (-X theirs took main's lines where they clashed): stale.
    let out = run(repo.path(), &["check", "--base", "main"], 0);
    assert_eq!(code(&out), 1);
    let err = text(&out.stderr);
    assert!(err.contains("migrations/atlas.sum does not match the migration files"), "{err}");
    assert!(err.contains("does not sort after"), "{err}");
    let renumbered = run(repo.path(), &["renumber", "--base", "main"], 1_700_000_300);
    assert_eq!(code(&renumbered), 0, "{}", text(&renumbered.stderr));
    assert!(text(&renumbered.stderr).contains("rewrote migrations/atlas.sum"), "{}", text(&renumbered.stderr));
    let listed = std::fs::read_to_string(&sum).unwrap();
    assert!(listed.contains("20231114221820_email.sql h1:") && !listed.contains("20231114221500"), "{listed}");
    let ok = run(repo.path(), &["check", "--base", "main"], 0);
    assert_eq!(code(&ok), 0, "{}", text(&ok.stderr));
}

#[test]
fn renumber_moves_alembic_and_django_chains_onto_the_base() {
    for (framework, dir) in [("alembic", "alembic/versions"), ("django", "notes/migrations")] {
        let repo = two_branches(framework, dir);
        // Both branches took 0002: the directory has two heads / two 0002s.
        let out = run(repo.path(), &["check", "--base", "main"], 0);
        assert_ne!(code(&out), 0, "{framework}: {}", text(&out.stderr));
        let renumbered = run(repo.path(), &["renumber", "--base", "main"], 0);
        assert_eq!(code(&renumbered), 0, "{framework}: {}", text(&renumbered.stderr));
        let names = listing(&repo.path().join(dir));
        let moved = names.iter().find(|n| n.starts_with("0003_") && n.ends_with(".py")).unwrap_or_else(|| panic!("{framework}: {names:?}"));
        assert!(names.contains(&"0003_email.runbook.md".to_string()) && !names.contains(&"0002_email.runbook.md".to_string()), "the runbook moves too: {names:?}");
        let moved_text = std::fs::read_to_string(repo.path().join(dir).join(moved)).unwrap();
        let posts = names.iter().find(|n| n.starts_with("0002_") && n.ends_with("posts.py")).unwrap();
        match framework {
            "alembic" => {
                let posts_text = std::fs::read_to_string(repo.path().join(dir).join(posts)).unwrap();
                let posts_rev = posts_text.lines().find_map(|l| l.strip_prefix("revision = ")).unwrap().trim_matches(['\'', '"']);
                assert!(moved_text.contains(&format!("down_revision = '{posts_rev}'")), "{moved_text}");
            }
            _ => assert!(moved_text.contains("(\"notes\", \"0002_posts\")"), "{moved_text}"),
        }
        let ok = run(repo.path(), &["check", "--base", "main"], 0);
        assert_eq!(code(&ok), 0, "{framework}: {}{}", text(&ok.stdout), text(&ok.stderr));
    }
}

#[test]
fn hook_install_stops_a_real_commit_until_the_migration_is_staged() {
    let repo = project("dbmate", "db/migrations");
    generated(&repo, &[], 1_700_000_000);
    repo.commit_all("init");
    let installed = run(repo.path(), &["hook", "install"], 0);
    assert_eq!(code(&installed), 0, "{}", text(&installed.stderr));
    let hook = repo.path().join(".git/hooks/pre-commit");
    assert!(std::fs::read_to_string(&hook).unwrap().contains("check --staged"));

    let commit = |args: &[&str]| {
        Command::new("git")
            .current_dir(repo.path())
            .args(["-c", "commit.gpgsign=false", "commit", "-q", "-m", "change"])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("PRE_COMMIT")
            .output()
            .unwrap()
    };
    repo.write("schema.sql", V2);
    repo.git(&["add", "schema.sql"]);
    let refused = commit(&[]);
    assert_ne!(refused.status.code(), Some(0), "the hook stops it");
    assert!(text(&refused.stderr).contains("generate --staged --name add_column_email"), "{}", text(&refused.stderr));
    // `git commit -a` runs the hook on a temporary index (GIT_INDEX_FILE): it must be read.
    repo.git(&["reset", "-q"]);
    let all = commit(&["-a"]);
    assert_ne!(all.status.code(), Some(0), "{}", text(&all.stderr));
    generated(&repo, &["--name", "email"], 1_700_000_100);
    repo.git(&["add", "-A"]);
    let ok = commit(&[]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));

    // A hook it did not write is left alone, and so is uninstall's.
    assert_eq!(code(&run(repo.path(), &["hook", "uninstall"], 0)), 0);
    assert!(!hook.exists());
    std::fs::write(&hook, "#!/bin/sh\nexit 0\n").unwrap();
    let refused = run(repo.path(), &["hook", "install"], 0);
    assert_eq!(code(&refused), 65);
    assert!(text(&refused.stderr).contains("was not written by schemashift"), "{}", text(&refused.stderr));
    assert_eq!(code(&run(repo.path(), &["hook", "uninstall"], 0)), 65);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), "#!/bin/sh\nexit 0\n");
    // core.hooksPath is where git looks, so it is where the hook goes.
    std::fs::remove_file(&hook).unwrap();
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    assert_eq!(code(&run(repo.path(), &["hook", "install", "--run", "generate,check"], 0)), 0);
    let text_ = std::fs::read_to_string(repo.path().join(".githooks/pre-commit")).unwrap();
    assert!(text_.find("generate --staged --exit-code").unwrap() < text_.find("check --staged").unwrap(), "{text_}");
}
