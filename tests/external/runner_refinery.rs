//! refinery_cli, the real runner (`cargo install refinery_cli`), applies the
//! migrations schemashift generated one change at a time on a real
//! PostgreSQL 15. refinery has no down migrations, so only the up direction
//! is run; the down SQL goes to a `.rollback.md` beside each migration.
//!
//! refinery (0.10) picks up `V{n}__{name}.sql` files, runs each one whole
//! (`batch_execute`) inside a transaction it always opens, and has no marker
//! to opt out: `CREATE INDEX CONCURRENTLY` cannot be a refinery migration,
//! and `generate --concurrently` says so instead of writing one.

use crate::support;
use crate::{Need, Test};

use crate::runner::{self, History};
use std::process::Command;

const BOOKKEEPING: &[&str] = &["public.refinery_schema_history"];
const CARGO_TOML: &str = "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nrefinery = { version = \"0.8\", features = [\"postgres\"] }\n";

/// `refinery migrate` with the database URL in an environment variable.
/// refinery rebuilds the URL from its parts and drops the query string, so
/// the socket directory goes in the host, percent-encoded; rust-postgres
/// reads a host starting with `/` as a Unix socket directory.
fn refinery_migrate(server: &support::pg::PgServer, db: &str, history: &History) -> Command {
    let socket: String = server
        .socket_dir()
        .display()
        .to_string()
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    let url = format!("postgres://postgres@{socket}:{}/{db}", server.port());
    let mut c = Command::new("refinery");
    c.current_dir(history.repo.path())
        .env("SCHEMASHIFT_REFINERY_URL", url)
        .args(["migrate", "-e", "SCHEMASHIFT_REFINERY_URL", "-p"])
        .arg(&history.dir);
    c
}

fn refinery_applies_generated_migrations() {
    let Some(server) = support::pg::server() else { return };
    if !runner::runner_available("refinery") {
        return;
    }
    let history = runner::generate_history(&[("Cargo.toml", CARGO_TOML)], "migrations", &["--framework", "refinery"]);
    let files = runner::listing(&history.dir);
    let scripts = files.iter().filter(|f| f.starts_with('V') && f.ends_with(".sql")).count();
    let runbooks = files.iter().filter(|f| f.ends_with(".rollback.md")).count();
    assert!(scripts > 0 && runbooks == scripts, "every refinery migration has its rollback runbook: {files:?}");
    let db = runner::database_at_first_revision(server, "refinery");
    runner::run(&mut refinery_migrate(server, &db, &history), "refinery migrate");
    runner::assert_at_revision(server, &db, 3, BOOKKEEPING, &format!("after refinery migrate ({files:?})"));
    runner::assert_rows_kept(server, &db, "content", "after refinery migrate");
    let applied = server.query(&db, "SELECT count(*) FROM refinery_schema_history").expect("refinery's history table exists");
    assert_eq!(applied, scripts.to_string(), "refinery applied a different number of migrations than were written: {files:?}");
    // Running again finds nothing to do: the versions and checksums it recorded match the files.
    runner::run(&mut refinery_migrate(server, &db, &history), "refinery migrate, again");
    runner::assert_at_revision(server, &db, 3, BOOKKEEPING, "after a second refinery migrate");
    server.drop_database(&db);
}

/// refinery cannot run anything outside a transaction, so a concurrent
/// index build is refused with a usage error naming the runner, and nothing
/// is written. This needs neither refinery nor a server.
fn refinery_refuses_concurrent_indexes() {
    let repo = support::git::TestRepo::new();
    repo.write("Cargo.toml", CARGO_TOML);
    repo.write(runner::SCHEMA_PATH, runner::REVISIONS[1]);
    repo.commit_all("schema");
    repo.write(runner::SCHEMA_PATH, runner::REVISIONS[2]);
    let out = Command::new(env!("CARGO_BIN_EXE_schemashift"))
        .args(["generate", "HEAD", "--name", "index", "--framework", "refinery", "--concurrently"])
        .current_dir(repo.path())
        .output()
        .expect("schemashift runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{stderr}");
    assert!(stderr.contains("refinery runs every migration inside a transaction") && stderr.contains("CONCURRENTLY"), "{stderr}");
    assert!(!repo.path().join("migrations").exists(), "nothing may be written");
    // Without --concurrently the same change is an ordinary migration.
    let out = Command::new(env!("CARGO_BIN_EXE_schemashift"))
        .args(["generate", "HEAD", "--name", "index", "--framework", "refinery"])
        .current_dir(repo.path())
        .output()
        .expect("schemashift runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The tests of this module (`crate::Test`).
pub const TESTS: &[Test] = &[
    Test {
        name: "refinery_applies_generated_migrations",
        needs: &[Need::Postgres, Need::Program("refinery")],
        run: refinery_applies_generated_migrations,
    },
    Test { name: "refinery_refuses_concurrent_indexes", needs: &[], run: refinery_refuses_concurrent_indexes },
];
