//! Django, the real runner (pip packages `django` and `psycopg2-binary`),
//! applies the migrations schemashift generated one change at a time, all up
//! and all down (`migrate notes` / `migrate notes zero`), on a real
//! PostgreSQL 15.

use crate::support;
use crate::{Need, Test};

use std::process::Command;
use crate::runner;

const BOOKKEEPING: &[&str] = &["public.django_migrations"];

const MANAGE_PY: &str = r#"#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"#;

const SETTINGS: &str = r#"import os

SECRET_KEY = "test only"
INSTALLED_APPS = ["notes"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["TEST_DATABASE"],
        "USER": "postgres",
        "HOST": os.environ["TEST_SOCKET_DIR"],
        "PORT": os.environ["TEST_PORT"],
    }
}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
"#;

const APPS_PY: &str = r#"from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "notes"
"#;

const SETUP: &[(&str, &str)] = &[
    ("manage.py", MANAGE_PY),
    ("site_settings.py", SETTINGS),
    ("notes/__init__.py", ""),
    ("notes/apps.py", APPS_PY),
    ("notes/models.py", "from django.db import models  # noqa: F401\n"),
    ("notes/migrations/__init__.py", ""),
];
const DIR: &str = "notes/migrations";

/// Whether Django can be imported; like [`runner::runner_available`], a
/// failure under CI and a notice otherwise.
fn django_available() -> bool {
    if !runner::runner_available("python3") {
        return false;
    }
    let ok = Command::new("python3").args(["-c", "import django, psycopg2"]).output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "django or psycopg2 is not installed, and CI is set");
        eprintln!("skipping: django or psycopg2 is not installed (run .ci/run to install them)");
    }
    ok
}

fn manage(server: &support::pg::PgServer, db: &str, repo: &std::path::Path) -> Command {
    let mut c = Command::new("python3");
    c.current_dir(repo)
        .arg("manage.py")
        .env("TEST_DATABASE", db)
        .env("TEST_SOCKET_DIR", server.socket_dir())
        .env("TEST_PORT", server.port().to_string())
        .env("PYTHONDONTWRITEBYTECODE", "1");
    c
}

fn round_trip(args: &[&str], label: &str) -> Option<Vec<String>> {
    let server = support::pg::server()?;
    if !django_available() {
        return None;
    }
    // No --framework: manage.py and apps.py must be enough to recognise it.
    let history = runner::generate_history(SETUP, DIR, args);
    let files = runner::listing(&history.dir);
    let db = runner::database_at_first_revision(server, label);
    let path = history.repo.path();
    runner::run(manage(server, &db, path).args(["migrate", "notes"]), "manage.py migrate notes");
    runner::assert_at_revision(server, &db, 3, BOOKKEEPING, &format!("after migrate notes ({files:?})"));
    runner::assert_rows_kept(server, &db, "content", "after migrate notes");
    runner::run(manage(server, &db, path).args(["migrate", "notes", "zero"]), "manage.py migrate notes zero");
    runner::assert_at_revision(server, &db, 0, BOOKKEEPING, "after migrate notes zero");
    runner::assert_rows_kept(server, &db, "body", "after migrate notes zero");
    server.drop_database(&db);
    Some(files.iter().map(|f| std::fs::read_to_string(history.dir.join(f)).unwrap()).collect())
}

fn django_applies_and_rolls_back_generated_migrations() {
    let Some(texts) = round_trip(&[], "django") else { return };
    // Each migration but the first depends on the one before it.
    assert!(texts.iter().any(|t| t.contains("initial = True")));
    assert!(texts.iter().all(|t| !t.contains("atomic = False")));
}

fn django_runs_concurrent_indexes_in_a_non_atomic_migration() {
    let Some(texts) = round_trip(&["--concurrently"], "django_concurrently") else { return };
    let concurrent: Vec<&String> = texts.iter().filter(|t| t.contains("CREATE INDEX CONCURRENTLY")).collect();
    assert_eq!(concurrent.len(), 1);
    assert!(concurrent[0].contains("    atomic = False\n"), "{}", concurrent[0]);
}

/// Everything a Python literal or a driver's `%` formatting could get wrong.
const AWKWARD: &str = r#"it's "q" """ \ :name \:x %s %% %(x)s {x} $1 ''' end\"#;

fn django_sends_awkward_sql_exactly_and_reads_it_back() {
    let Some(server) = support::pg::server() else { return };
    if !django_available() {
        return;
    }
    let repo = runner::awkward_comment_repo(SETUP, AWKWARD, "django", DIR);
    let old = runner::KEEP_TABLE;
    let db = server.create_database("django_awkward");
    server.psql_file(&db, old).unwrap();
    runner::run(manage(server, &db, repo.path()).args(["migrate", "notes"]), "migrate notes");
    assert_eq!(server.query(&db, "SELECT obj_description('t'::regclass, 'pg_class')").unwrap(), AWKWARD);
    runner::run(manage(server, &db, repo.path()).args(["migrate", "notes", "zero"]), "migrate notes zero");
    assert_eq!(server.query(&db, "SELECT to_regclass('t') IS NULL").unwrap(), "t");
    server.drop_database(&db);
    runner::assert_reads_back_comment(&repo, DIR, &[], AWKWARD);
}

fn migrations_show_the_dependency_chain() {
    let Some(server) = support::pg::server() else { return };
    if !django_available() {
        return;
    }
    let history = runner::generate_history(SETUP, DIR, &[]);
    let db = server.create_database("django_showmigrations");
    let shown = runner::run(manage(server, &db, history.repo.path()).args(["showmigrations", "notes", "--plan"]), "showmigrations");
    let names: Vec<String> = runner::listing(&history.dir)
        .iter()
        .filter(|f| !f.starts_with("__"))
        .map(|f| format!("notes.{}", f.trim_end_matches(".py")))
        .collect();
    let plan: Vec<&str> = shown.lines().map(|l| l.trim_start_matches("[ ]").trim()).filter(|l| !l.is_empty()).collect();
    assert_eq!(plan, names, "Django's plan follows the file numbers:\n{shown}");
    server.drop_database(&db);
}

const NEEDS: &[Need] = &[Need::Postgres, Need::Program("python3"), Need::PythonModules("django, psycopg2")];

/// The tests of this module, one per mode (`crate::Test`).
pub const TESTS: &[Test] = &[
    Test { name: "django_applies_and_rolls_back_generated_migrations", needs: NEEDS, run: django_applies_and_rolls_back_generated_migrations },
    Test {
        name: "django_runs_concurrent_indexes_in_a_non_atomic_migration",
        needs: NEEDS,
        run: django_runs_concurrent_indexes_in_a_non_atomic_migration,
    },
    Test { name: "django_sends_awkward_sql_exactly_and_reads_it_back", needs: NEEDS, run: django_sends_awkward_sql_exactly_and_reads_it_back },
    Test { name: "migrations_show_the_dependency_chain", needs: NEEDS, run: migrations_show_the_dependency_chain },
];
