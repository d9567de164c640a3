//! sql-migrate, the real runner (Debian package `sql-migrate`), applies the
//! migrations schemashift generated one change at a time, all up and all
//! down, on a real PostgreSQL 15.
//!
//! sql-migrate splits a file into statements at lines ending in `;` (so the
//! PL/pgSQL function must be fenced with `StatementBegin`/`End`) and runs
//! them one by one, in a transaction unless the direction's marker line says
//! `notransaction`.

use crate::support;
use crate::{Need, Test};

use crate::runner::{self, History};
use std::process::Command;

const BOOKKEEPING: &[&str] = &["public.gorp_migrations"];

/// The configuration sql-migrate reads; it expands environment variables in
/// the data source, so one file serves every database of the run. lib/pq
/// takes the socket directory as `host`.
const DBCONFIG: &str = "development:
  dialect: postgres
  datasource: ${SQL_MIGRATE_DSN}
  dir: db/migrations
";

fn sql_migrate(server: &support::pg::PgServer, db: &str, history: &History) -> Command {
    let mut c = Command::new("sql-migrate");
    let dsn = format!("host={} port={} user=postgres dbname={db} sslmode=disable", server.socket_dir().display(), server.port());
    c.current_dir(history.repo.path()).env("SQL_MIGRATE_DSN", dsn);
    c
}

fn round_trip(args: &[&str], label: &str) {
    let Some(server) = support::pg::server() else { return };
    if !runner::runner_available("sql-migrate") {
        return;
    }
    let mut all_args = vec!["--framework", "sql-migrate"];
    all_args.extend_from_slice(args);
    let history = runner::generate_history(&[("dbconfig.yml", DBCONFIG)], "db/migrations", &all_args);
    let files = runner::listing(&history.dir);
    if args.contains(&"--concurrently") {
        let marked = files.iter().any(|f| std::fs::read_to_string(history.dir.join(f)).unwrap().contains("-- +migrate Up notransaction"));
        assert!(marked, "no migration runs outside a transaction: {files:?}");
    }
    let db = runner::database_at_first_revision(server, label);
    let out = runner::run(sql_migrate(server, &db, &history).arg("up"), "sql-migrate up");
    assert!(out.contains(&format!("Applied {} migration", files.len())), "sql-migrate up did not apply {files:?}:\n{out}");
    runner::assert_at_revision(server, &db, 3, BOOKKEEPING, &format!("after sql-migrate up ({files:?})"));
    runner::assert_rows_kept(server, &db, "content", "after sql-migrate up");
    runner::run(sql_migrate(server, &db, &history).args(["down", "-limit=0"]), "sql-migrate down -limit=0");
    runner::assert_at_revision(server, &db, 0, BOOKKEEPING, "after sql-migrate down of every migration");
    runner::assert_rows_kept(server, &db, "body", "after sql-migrate down");
    server.drop_database(&db);
}

fn sql_migrate_applies_and_rolls_back_generated_migrations() {
    round_trip(&[], "sql_migrate");
}

fn sql_migrate_runs_concurrent_indexes_outside_a_transaction() {
    round_trip(&["--concurrently"], "sql_migrate_concurrently");
}

const NEEDS: &[Need] = &[Need::Postgres, Need::Program("sql-migrate")];

/// The tests of this module, one per mode (`crate::Test`).
pub const TESTS: &[Test] = &[
    Test {
        name: "sql_migrate_applies_and_rolls_back_generated_migrations",
        needs: NEEDS,
        run: sql_migrate_applies_and_rolls_back_generated_migrations,
    },
    Test {
        name: "sql_migrate_runs_concurrent_indexes_outside_a_transaction",
        needs: NEEDS,
        run: sql_migrate_runs_concurrent_indexes_outside_a_transaction,
    },
];
