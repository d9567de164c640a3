//! `cargo bench --bench hook_5000`: what a pre-commit hook costs on a
//! 5,000-table schema (about 5 MB of DDL in 200-odd files, the `diff_5000`
//! schema) with a migrations directory that builds it. Design budget: under
//! 20 ms when nothing staged touches the schema or the migrations.
//!
//! Cases, each the release binary run as a hook runs it, wall time from
//! spawn to exit:
//! - nothing staged: `check --staged`, `generate --staged --exit-code`,
//!   `lint --staged`, `diff --staged`;
//! - every schema file staged again with the same content (the same blobs):
//!   `check --staged`, `lint --staged`;
//! - for contrast, one table changed and staged: `check --staged`, which
//!   replays the directory and reads the schema.
//!
//! Options (after `--`): `--runs N` (default 20), `--tables N` (default 5000).

// Shared with diff_5000, which reads all of them; this bench needs fewer.
#[allow(dead_code)]
#[path = "support/schema_gen.rs"]
mod schema_gen;
#[allow(dead_code)]
#[path = "support/process.rs"]
mod process;
#[path = "support/repo.rs"]
mod repo;

use repo::{git, write_files};
use process::timed_process;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

fn main() {
    let mut runs = 20;
    let mut tables = 5000;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            "--tables" => tables = args.next().and_then(|v| v.parse().ok()).expect("--tables N"),
            _ => {} // cargo bench passes --bench
        }
    }
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_schemashift"));
    let cfg = if tables == 5000 { schema_gen::Config::large() } else { schema_gen::Config::with_tables(tables) };
    let (old, new) = (schema_gen::generate(cfg, false), schema_gen::generate(cfg, true));
    println!("schemashift benchmark: pre-commit hook runs on a {tables}-table schema");
    println!("schema: {} files, {:.2} MB; {} runs per case", old.files.len(), old.bytes() as f64 / 1e6, runs);

    let dir = tempfile::Builder::new().prefix("schemashift-hook-bench-").tempdir().expect("temporary directory");
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("schemashift.toml"), "dir = \"db/migrations\"\nframework = \"dbmate\"\nschema = [\"db/schema/**/*.sql\"]\n").unwrap();
    write_files(repo, &old.files);
    // The migration that builds the whole schema, so the directory is real.
    let out = Command::new(&bin).args(["generate", "--name", "init"]).current_dir(repo).env("SOURCE_DATE_EPOCH", "1700000000").output().unwrap();
    assert!(out.status.success(), "generate: {}", String::from_utf8_lossy(&out.stderr));
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "schema"]);
    let migration_bytes: u64 = std::fs::read_dir(repo.join("db/migrations")).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
    println!("migrations: db/migrations, {:.2} MB", migration_bytes as f64 / 1e6);
    println!("load average before: {}", load_average());
    println!();
    println!("| case | command | median | min | max |");
    println!("|---|---|---:|---:|---:|");

    let case = |what: &str, args: &[&str], expect: i32| {
        let mut walls: Vec<Duration> = Vec::new();
        for _ in 0..runs {
            let run = timed_process(&bin, args, repo);
            let code = if run.success { 0 } else { 1 };
            assert_eq!(code, expect.min(1), "{what}: {} {}", args.join(" "), run.stderr_tail);
            walls.push(run.wall);
        }
        walls.sort();
        println!(
            "| {what} | `schemashift {}` | {:.1} ms | {:.1} ms | {:.1} ms |",
            args.join(" "),
            ms(walls[walls.len() / 2]),
            ms(walls[0]),
            ms(walls[walls.len() - 1])
        );
    };
    case("nothing staged", &["check", "--staged"], 0);
    case("nothing staged", &["generate", "--staged", "--exit-code"], 0);
    case("nothing staged", &["lint", "--staged"], 0);
    case("nothing staged", &["diff", "--staged"], 0);
    // Touched and staged again: new mtimes in the index, the same blobs.
    write_files(repo, &old.files);
    git(repo, &["add", "-A"]);
    case("same blobs staged", &["check", "--staged"], 0);
    case("same blobs staged", &["lint", "--staged"], 0);
    // A real change staged: the full check, for contrast (fewer runs).
    write_files(repo, &new.files);
    git(repo, &["add", "-A"]);
    let runs_before = runs;
    let full = |args: &[&str]| {
        let mut walls: Vec<Duration> = (0..runs_before.min(5)).map(|_| timed_process(&bin, args, repo).wall).collect();
        walls.sort();
        println!("| one table changed, staged | `schemashift {}` | {:.0} ms | {:.0} ms | {:.0} ms |", args.join(" "), ms(walls[walls.len() / 2]), ms(walls[0]), ms(walls[walls.len() - 1]));
    };
    full(&["check", "--staged"]);
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or("?".into(), |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
