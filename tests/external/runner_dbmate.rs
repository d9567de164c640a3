//! dbmate, the real runner (npm package `dbmate`), applies the migrations
//! schemashift generated one change at a time, all up and all down, on a
//! real PostgreSQL 15.

use crate::support;
use crate::{Need, Test};

use crate::runner::{self, History};
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

fn dbmate_applies_and_rolls_back_generated_migrations() {
    round_trip(&[], "dbmate");
}

fn dbmate_runs_concurrent_indexes_outside_a_transaction() {
    round_trip(&["--concurrently"], "dbmate_concurrently");
}

/// An enum label removed while a default moves off it: the down adds the
/// label back and then uses it, which PostgreSQL refuses in one
/// transaction, so the change is cut where the down must commit, and each
/// part rolls back alone.
fn dbmate_rolls_back_a_removed_enum_label_in_committed_steps() {
    let Some(server) = support::pg::server() else { return };
    if !runner::runner_available("dbmate") {
        return;
    }
    let revisions = [
        "CREATE TYPE mood AS ENUM ('a', 'b', 'c');\nCREATE TABLE users (id bigint PRIMARY KEY, m mood DEFAULT 'c');\n",
        "CREATE TYPE mood AS ENUM ('a', 'b');\nCREATE TABLE users (id bigint PRIMARY KEY, m mood DEFAULT 'a');\n",
    ];
    let history = runner::generate_history_of(&revisions, &[], "db/migrations", &["--framework", "dbmate"]);
    let files = runner::listing(&history.dir);
    assert_eq!(files.len(), 2, "the change is cut in two: {files:?}");
    let db = server.create_database("dbmate_enum");
    server.psql_file(&db, revisions[0]).unwrap();
    server.psql_file(&db, "INSERT INTO users (id, m) VALUES (1, 'a'), (2, 'b');").unwrap();
    runner::run(dbmate(server, &db, &history).arg("up"), "dbmate up");
    runner::assert_matches_schema(server, &db, revisions[1], BOOKKEEPING, "after dbmate up");
    for _ in 0..files.len() {
        runner::run(dbmate(server, &db, &history).arg("rollback"), "dbmate rollback");
    }
    runner::assert_matches_schema(server, &db, revisions[0], BOOKKEEPING, "after dbmate rollback");
    assert_eq!(server.query(&db, "SELECT string_agg(id || ':' || m, ',' ORDER BY id) FROM users").unwrap(), "1:a,2:b");
    server.drop_database(&db);
}

/// `generate --online`: the change cut into migrations where a transaction
/// must end (the NOT VALID adds, the backfill, the validations and the
/// swap), the index builds in migrations dbmate runs outside a
/// transaction; all applied on a table with rows, then all rolled back.
fn dbmate_applies_and_rolls_back_an_online_migration() {
    let Some(server) = support::pg::server() else { return };
    if !runner::runner_available("dbmate") {
        return;
    }
    let revisions = [
        "CREATE TABLE users (id bigint PRIMARY KEY, email text, nick text);
         CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint, score int, title text, n text NOT NULL);
         CREATE INDEX posts_title ON posts (title);
",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, nick text UNIQUE);
         CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), score int CHECK (score >= 0), title text, n integer NOT NULL);
         CREATE INDEX posts_user ON posts (user_id);
",
    ];
    let history = runner::generate_history_of(&revisions, &[], "db/migrations", &["--framework", "dbmate", "--online"]);
    let files = runner::listing(&history.dir);
    assert!(files.len() >= 4, "cut where transactions end: {files:?}");
    let db = server.create_database("dbmate_online");
    server.psql_file(&db, revisions[0]).unwrap();
    let rows = "INSERT INTO users VALUES (1, 'a@x', 'a'), (2, 'b@x', NULL);
                INSERT INTO posts VALUES (10, 1, 3, 't', '7'), (11, NULL, 0, NULL, '-1');";
    server.psql_file(&db, rows).unwrap();
    runner::run(dbmate(server, &db, &history).arg("up"), "dbmate up");
    runner::assert_matches_schema(server, &db, revisions[1], BOOKKEEPING, &format!("after dbmate up ({files:?})"));
    let posts = "SELECT string_agg(id || ':' || coalesce(user_id::text, '-') || ':' || n, ',' ORDER BY id) FROM posts";
    assert_eq!(server.query(&db, posts).unwrap(), "10:1:7,11:-:-1");
    for _ in 0..files.len() {
        runner::run(dbmate(server, &db, &history).arg("rollback"), "dbmate rollback");
    }
    runner::assert_matches_schema(server, &db, revisions[0], BOOKKEEPING, "after dbmate rollback");
    assert_eq!(server.query(&db, posts).unwrap(), "10:1:7,11:-:-1");
    server.drop_database(&db);
}

const NEEDS: &[Need] = &[Need::Postgres, Need::Program("dbmate")];

/// The tests of this module, one per mode (`crate::Test`).
pub const TESTS: &[Test] = &[
    Test { name: "dbmate_applies_and_rolls_back_generated_migrations", needs: NEEDS, run: dbmate_applies_and_rolls_back_generated_migrations },
    Test { name: "dbmate_runs_concurrent_indexes_outside_a_transaction", needs: NEEDS, run: dbmate_runs_concurrent_indexes_outside_a_transaction },
    Test { name: "dbmate_applies_and_rolls_back_an_online_migration", needs: NEEDS, run: dbmate_applies_and_rolls_back_an_online_migration },
    Test {
        name: "dbmate_rolls_back_a_removed_enum_label_in_committed_steps",
        needs: NEEDS,
        run: dbmate_rolls_back_a_removed_enum_label_in_committed_steps,
    },
];
