//! sqlx-cli, the real runner (`cargo install sqlx-cli`), applies the
//! migrations schemashift generated one change at a time on a real
//! PostgreSQL 15: reversible migrations (`sqlx`) all up and all down, simple
//! ones (`sqlx-simple`) up only, since they have no down.
//!
//! sqlx sends each file to the server as one query, in a transaction unless
//! the file starts with `-- no-transaction` (sqlx-core's `migrate/source.rs`
//! checks `starts_with`, so the marker must be the very first line).

use crate::support;
use crate::{Need, Test};

use crate::runner::{self, History};
use std::process::Command;

const BOOKKEEPING: &[&str] = &["public._sqlx_migrations"];

fn run_sqlx(server: &support::pg::PgServer, db: &str, history: &History, sub: &[&str], what: &str) -> String {
    let url = format!("postgres://postgres@localhost/{db}?host={}&port={}&sslmode=disable", server.socket_dir().display(), server.port());
    let mut c = Command::new("sqlx");
    c.current_dir(history.repo.path())
        .env_remove("DATABASE_URL")
        .arg("migrate")
        .args(sub)
        .args(["--source", &history.dir.display().to_string(), "--no-dotenv", "--database-url", &url]);
    runner::run(&mut c, what)
}

/// Asserts that a migration of the directory runs outside a transaction.
fn assert_some_file_without_transaction(history: &History, files: &[String]) {
    let marked = files.iter().any(|f| std::fs::read_to_string(history.dir.join(f)).unwrap().starts_with("-- no-transaction\n"));
    assert!(marked, "no migration runs outside a transaction: {files:?}");
}

/// Generates the history in `format` and has `sqlx migrate run` apply it to
/// a database at the first revision; checks it reaches the last one.
/// Returns the history, its files and the database.
fn generate_and_run(server: &support::pg::PgServer, format: &str, args: &[&str], label: &str) -> (History, Vec<String>, String) {
    let mut all_args = vec!["--framework", format];
    all_args.extend_from_slice(args);
    let history = runner::generate_history(&[("Cargo.toml", CARGO_TOML)], "migrations", &all_args);
    let files = runner::listing(&history.dir);
    if args.contains(&"--concurrently") {
        assert_some_file_without_transaction(&history, &files);
    }
    let db = runner::database_at_first_revision(server, label);
    run_sqlx(server, &db, &history, &["run"], "sqlx migrate run");
    runner::assert_at_revision(server, &db, 3, BOOKKEEPING, &format!("after sqlx migrate run ({files:?})"));
    runner::assert_rows_kept(server, &db, "content", "after sqlx migrate run");
    (history, files, db)
}

fn reversible(args: &[&str], label: &str) {
    let Some(server) = support::pg::server() else { return };
    if !runner::runner_available("sqlx") {
        return;
    }
    let (history, _, db) = generate_and_run(server, "sqlx", args, label);
    run_sqlx(server, &db, &history, &["revert", "--target-version", "0"], "sqlx migrate revert --target-version 0");
    runner::assert_at_revision(server, &db, 0, BOOKKEEPING, "after sqlx migrate revert of every migration");
    runner::assert_rows_kept(server, &db, "body", "after sqlx migrate revert");
    let applied = server.query(&db, "SELECT count(*) FROM _sqlx_migrations").expect("sqlx's history table exists");
    assert_eq!(applied, "0", "sqlx still lists applied migrations");
    server.drop_database(&db);
}

fn simple(args: &[&str], label: &str) {
    let Some(server) = support::pg::server() else { return };
    if !runner::runner_available("sqlx") {
        return;
    }
    let (_, files, db) = generate_and_run(server, "sqlx-simple", args, label);
    assert!(files.iter().all(|f| !f.ends_with(".up.sql") && !f.ends_with(".down.sql")), "{files:?}");
    let sql_files = files.iter().filter(|f| f.ends_with(".sql")).count();
    let applied = server.query(&db, "SELECT count(*) FROM _sqlx_migrations WHERE success").expect("sqlx's history table exists");
    assert_eq!(applied, sql_files.to_string(), "sqlx applied a different number of migrations than were written: {files:?}");
    server.drop_database(&db);
}

const CARGO_TOML: &str = "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nsqlx = { version = \"0.8\", features = [\"postgres\"] }\n";

fn sqlx_applies_and_reverts_generated_migrations() {
    reversible(&[], "sqlx");
}

fn sqlx_runs_concurrent_indexes_outside_a_transaction() {
    reversible(&["--concurrently"], "sqlx_concurrently");
}

fn sqlx_applies_simple_migrations() {
    simple(&[], "sqlx_simple");
}

fn sqlx_applies_simple_migrations_with_concurrent_indexes() {
    simple(&["--concurrently"], "sqlx_simple_concurrently");
}

const NEEDS: &[Need] = &[Need::Postgres, Need::Program("sqlx")];

/// The tests of this module, one per mode (`crate::Test`).
pub const TESTS: &[Test] = &[
    Test { name: "sqlx_applies_and_reverts_generated_migrations", needs: NEEDS, run: sqlx_applies_and_reverts_generated_migrations },
    Test { name: "sqlx_runs_concurrent_indexes_outside_a_transaction", needs: NEEDS, run: sqlx_runs_concurrent_indexes_outside_a_transaction },
    Test { name: "sqlx_applies_simple_migrations", needs: NEEDS, run: sqlx_applies_simple_migrations },
    Test {
        name: "sqlx_applies_simple_migrations_with_concurrent_indexes",
        needs: NEEDS,
        run: sqlx_applies_simple_migrations_with_concurrent_indexes,
    },
];
