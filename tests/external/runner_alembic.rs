//! Alembic, the real runner (pip packages `alembic` and `psycopg2-binary`),
//! applies the migrations schemashift generated one change at a time, all up
//! and all down, on a real PostgreSQL 15, through a stock-shaped `env.py`
//! that runs every migration in one transaction.

use crate::support;
use crate::{Need, Test};

use std::process::Command;
use support::git::TestRepo;
use crate::runner::{self, History};

const BOOKKEEPING: &[&str] = &["public.alembic_version"];

const ALEMBIC_INI: &str = "[alembic]
script_location = %(here)s/alembic
prepend_sys_path = .

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
";

/// `alembic init`'s env.py, with the URL taken from the environment.
const ENV_PY: &str = r#"import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = None


def run_migrations_offline() -> None:
    context.configure(url=os.environ["DATABASE_URL"], target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = create_engine(os.environ["DATABASE_URL"])
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
"#;

const SCRIPT_MAKO: &str = r#""""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from alembic import op
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
"#;

const SETUP: &[(&str, &str)] = &[("alembic.ini", ALEMBIC_INI), ("alembic/env.py", ENV_PY), ("alembic/script.py.mako", SCRIPT_MAKO)];
const DIR: &str = "alembic/versions";

fn alembic(server: &support::pg::PgServer, db: &str, repo: &std::path::Path) -> Command {
    let mut c = Command::new("alembic");
    let url = format!("postgresql+psycopg2://postgres@/{db}?host={}&port={}", server.socket_dir().display(), server.port());
    c.current_dir(repo).env("DATABASE_URL", url).env("PYTHONDONTWRITEBYTECODE", "1");
    c
}

fn round_trip(args: &[&str], label: &str) -> Option<History> {
    let server = support::pg::server()?;
    if !runner::runner_available("alembic") {
        return None;
    }
    // No --framework: alembic.ini and env.py must be enough to recognise it.
    let history = runner::generate_history(SETUP, DIR, args);
    let files = runner::listing(&history.dir);
    let db = runner::database_at_first_revision(server, label);
    let path = history.repo.path();
    let heads = runner::run(alembic(server, &db, path).arg("heads"), "alembic heads");
    assert_eq!(heads.lines().filter(|l| l.contains("(head)")).count(), 1, "one head: {heads}");
    runner::run(alembic(server, &db, path).args(["upgrade", "head"]), "alembic upgrade head");
    runner::assert_at_revision(server, &db, 3, BOOKKEEPING, &format!("after alembic upgrade head ({files:?})"));
    runner::assert_rows_kept(server, &db, "content", "after alembic upgrade head");
    runner::run(alembic(server, &db, path).args(["downgrade", "base"]), "alembic downgrade base");
    runner::assert_at_revision(server, &db, 0, BOOKKEEPING, "after alembic downgrade base");
    runner::assert_rows_kept(server, &db, "body", "after alembic downgrade base");
    // And up again, one migration at a time.
    for _ in 0..files.len() {
        runner::run(alembic(server, &db, path).args(["upgrade", "+1"]), "alembic upgrade +1");
    }
    runner::assert_at_revision(server, &db, 3, BOOKKEEPING, "after alembic upgrade +1 for each migration");
    server.drop_database(&db);
    Some(history)
}

fn alembic_applies_and_rolls_back_generated_migrations() {
    round_trip(&[], "alembic");
}

fn alembic_runs_concurrent_indexes_in_an_autocommit_block() {
    let Some(history) = round_trip(&["--concurrently"], "alembic_concurrently") else { return };
    let files = runner::listing(&history.dir);
    let concurrent: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(history.dir.join(f)).unwrap())
        .filter(|t| t.contains("CREATE INDEX CONCURRENTLY"))
        .collect();
    assert_eq!(concurrent.len(), 1, "{files:?}");
    assert!(concurrent[0].contains("with op.get_context().autocommit_block():"), "{}", concurrent[0]);
}

/// A comment with everything a Python literal or SQLAlchemy's `text()` could
/// get wrong: quotes, triple quotes, backslashes, bind-like colons, escaped
/// colons, percent signs.
const AWKWARD: &str = r#"it's "q" """ \ :name \:x \\: a\:b a::int %s %% %(x)s #{x} $1 ''' end\"#;

fn alembic_sends_awkward_sql_exactly() {
    let Some(server) = support::pg::server() else { return };
    if !runner::runner_available("alembic") {
        return;
    }
    let repo = runner::awkward_comment_repo(SETUP, AWKWARD, "alembic", DIR);
    let old = runner::KEEP_TABLE;
    let db = server.create_database("alembic_awkward");
    server.psql_file(&db, old).unwrap();
    runner::run(alembic(server, &db, repo.path()).args(["upgrade", "head"]), "alembic upgrade head");
    let comment = server.query(&db, "SELECT obj_description('t'::regclass, 'pg_class')").unwrap();
    assert_eq!(comment, AWKWARD);
    runner::run(alembic(server, &db, repo.path()).args(["downgrade", "base"]), "alembic downgrade base");
    assert_eq!(server.query(&db, "SELECT to_regclass('t') IS NULL").unwrap(), "t");
    server.drop_database(&db);
    // schemashift reads the file back to the same comment.
    runner::assert_reads_back_comment(&repo, DIR, &["--framework", "alembic"], AWKWARD);
}

fn a_second_branch_is_refused() {
    let repo = TestRepo::new();
    repo.write("alembic.ini", ALEMBIC_INI);
    repo.write(&format!("{DIR}/a.py"), "revision = 'a'\ndown_revision = None\n\ndef upgrade():\n    op.execute('CREATE TABLE t (id int)')\n");
    repo.write(&format!("{DIR}/b.py"), "revision = 'b'\ndown_revision = 'a'\n\ndef upgrade():\n    pass\n");
    repo.write(&format!("{DIR}/c.py"), "revision = 'c'\ndown_revision = 'a'\n\ndef upgrade():\n    pass\n");
    repo.write("db/schema.sql", "CREATE TABLE t (id int);\n");
    repo.commit_all("old");
    repo.write("db/schema.sql", "CREATE TABLE t (id int, x int);\n");
    let out = Command::new(env!("CARGO_BIN_EXE_schemashift"))
        .args(["generate", "HEAD", "--name", "x", "--dir", DIR])
        .current_dir(repo.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{err}");
    assert!(err.contains("2 heads") && err.contains("alembic merge heads"), "{err}");
    assert_eq!(runner::listing(&repo.path().join(DIR)).len(), 3, "nothing written");
}

const NEEDS: &[Need] = &[Need::Postgres, Need::Program("alembic")];

/// The tests of this module, one per mode (`crate::Test`).
pub const TESTS: &[Test] = &[
    Test { name: "alembic_applies_and_rolls_back_generated_migrations", needs: NEEDS, run: alembic_applies_and_rolls_back_generated_migrations },
    Test { name: "alembic_runs_concurrent_indexes_in_an_autocommit_block", needs: NEEDS, run: alembic_runs_concurrent_indexes_in_an_autocommit_block },
    Test { name: "alembic_sends_awkward_sql_exactly", needs: NEEDS, run: alembic_sends_awkward_sql_exactly },
    Test { name: "a_second_branch_is_refused", needs: &[], run: a_second_branch_is_refused },
];
