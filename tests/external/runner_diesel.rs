//! diesel_cli, the real runner (`cargo install diesel_cli`), applies the
//! migrations schemashift generated one change at a time, all up and all
//! down, on a real PostgreSQL 15.
//!
//! diesel reads one directory per migration (its version is the name up to
//! the first `_` with the dashes removed), sends `up.sql`/`down.sql` whole
//! with `batch_execute`, and wraps each in a transaction unless the
//! directory's `metadata.toml` says `run_in_transaction = false`.

use crate::support;
use crate::{Need, Test};

use crate::runner::{self, History};
use std::process::Command;

const BOOKKEEPING: &[&str] = &["public.__diesel_schema_migrations"];

/// A `diesel.toml` without `[print_schema]`, so `migration run` does not
/// try to write a `schema.rs`.
const DIESEL_TOML: &str = "[migrations_directory]\ndir = \"migrations\"\n";
const CARGO_TOML: &str = "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ndiesel = { version = \"2\", features = [\"postgres\"] }\n";

fn diesel(server: &support::pg::PgServer, db: &str, history: &History, args: &[&str], what: &str) -> String {
    // libpq takes the socket directory as `host`.
    let url = format!("postgres://postgres@/{db}?host={}&port={}&sslmode=disable", server.socket_dir().display(), server.port());
    let mut c = Command::new("diesel");
    c.current_dir(history.repo.path())
        .env_remove("DATABASE_URL")
        .env_remove("DIESEL_CONFIG_FILE")
        .args(["migration"])
        .args(args)
        .args(["--database-url", &url, "--migration-dir", &history.dir.display().to_string()]);
    runner::run(&mut c, what)
}

fn round_trip(args: &[&str], label: &str) {
    let Some(server) = support::pg::server() else { return };
    if !runner::runner_available("diesel") {
        return;
    }
    let mut all_args = vec!["--framework", "diesel"];
    all_args.extend_from_slice(args);
    let history = runner::generate_history(&[("Cargo.toml", CARGO_TOML), ("diesel.toml", DIESEL_TOML)], "migrations", &all_args);
    let files = runner::listing(&history.dir);
    if args.contains(&"--concurrently") {
        let marked = files.iter().filter(|f| f.ends_with("/metadata.toml")).any(|f| {
            std::fs::read_to_string(history.dir.join(f)).unwrap().contains("run_in_transaction = false")
        });
        assert!(marked, "no migration runs outside a transaction: {files:?}");
    }
    let db = runner::database_at_first_revision(server, label);
    diesel(server, &db, &history, &["run"], "diesel migration run");
    runner::assert_at_revision(server, &db, 3, BOOKKEEPING, &format!("after diesel migration run ({files:?})"));
    runner::assert_rows_kept(server, &db, "content", "after diesel migration run");
    diesel(server, &db, &history, &["revert", "--all"], "diesel migration revert --all");
    runner::assert_at_revision(server, &db, 0, BOOKKEEPING, "after diesel migration revert --all");
    runner::assert_rows_kept(server, &db, "body", "after diesel migration revert");
    let applied = server.query(&db, "SELECT count(*) FROM __diesel_schema_migrations").expect("diesel's history table exists");
    assert_eq!(applied, "0", "diesel still lists applied migrations");
    server.drop_database(&db);
}

fn diesel_applies_and_reverts_generated_migrations() {
    round_trip(&[], "diesel");
}

fn diesel_runs_concurrent_indexes_outside_a_transaction() {
    round_trip(&["--concurrently"], "diesel_concurrently");
}

const NEEDS: &[Need] = &[Need::Postgres, Need::Program("diesel")];

/// The tests of this module, one per mode (`crate::Test`).
pub const TESTS: &[Test] = &[
    Test { name: "diesel_applies_and_reverts_generated_migrations", needs: NEEDS, run: diesel_applies_and_reverts_generated_migrations },
    Test { name: "diesel_runs_concurrent_indexes_outside_a_transaction", needs: NEEDS, run: diesel_runs_concurrent_indexes_outside_a_transaction },
];
