//! dbmate, the real runner (npm package `dbmate`), applies the migrations
//! schemashift generated one change at a time, all up and all down, on a
//! real PostgreSQL 15.

mod support;

use support::runner::{self, History};
use std::process::Command;

const BOOKKEEPING: &[&str] = &["public.schema_migrations"];

fn dbmate(server: &support::pg::PgServer, db: &str, history: &History) -> Command {
    let mut c = Command::new("dbmate");
    let url = format!("postgres://postgres@/{db}?socket={}&port={}&sslmode=disable", server.socket_dir().display(), server.port());
    c.current_dir(history.repo.path())
        .env("DATABASE_URL", url)
        .args(["--migrations-dir", &history.dir.display().to_string(), "--no-dump-schema"]);
    c
}

fn round_trip(args: &[&str], label: &str) {
    let Some(server) = support::pg::server() else { return };
    if !runner::runner_available("dbmate") {
        return;
    }
    let history = runner::generate_history(&[("package.json", "{\"devDependencies\": {\"dbmate\": \"^2\"}}\n")], "db/migrations", args);
    let files = runner::listing(&history.dir);
    let db = runner::database_at_first_revision(server, label);
    runner::run(dbmate(server, &db, &history).arg("up"), "dbmate up");
    runner::assert_at_revision(server, &db, 3, BOOKKEEPING, &format!("after dbmate up ({files:?})"));
    runner::assert_rows_kept(server, &db, "content", "after dbmate up");
    for _ in 0..files.len() {
        runner::run(dbmate(server, &db, &history).arg("rollback"), "dbmate rollback");
    }
    runner::assert_at_revision(server, &db, 0, BOOKKEEPING, "after dbmate rollback of every migration");
    runner::assert_rows_kept(server, &db, "body", "after dbmate rollback");
    server.drop_database(&db);
}

#[test]
fn dbmate_applies_and_rolls_back_generated_migrations() {
    round_trip(&[], "dbmate");
}

#[test]
fn dbmate_runs_concurrent_indexes_outside_a_transaction() {
    round_trip(&["--concurrently"], "dbmate_concurrently");
}
