//! The integration tests, one module per area, in one test binary.
//!
//! One binary rather than one per file: the shared support below and the
//! crate are compiled and linked once instead of two dozen times, and the
//! tests that need PostgreSQL share one throwaway server
//! ([`support::pg::server`]). `cargo test --test it <filter>` runs part of
//! it: `cargo test --test it migrate_roundtrip::`, `… it diff_cli::`.
//!
//! The tests that need PostgreSQL 15 carry `#[cfg_attr(pg_missing, ignore =
//! …)]`, the same reason in each (checked below). `build.rs` sets
//! `pg_missing` when the server binaries are not installed and `CI` is unset:
//! those tests are then reported as ignored, with the reason, rather than
//! passing without having run. A test that needs the server and lacks the
//! mark fails on such a machine ([`support::pg::server`] says why);
//! `SCHEMASHIFT_PG_BIN=<empty dir> cargo test --test it` makes any machine one.
//!
//! The tests that need a migration framework's own runner or the sqldef
//! corpus are in `tests/external/`, a binary of its own whose harness can
//! report them as ignored, with the reason, when what they need is missing.

#[path = "../support/mod.rs"]
mod support;

mod rich_model;

mod canon;
mod check_cli;
mod cli;
mod completions_help;
mod config_reference;
mod diff_cli;
mod generate_cli;
mod generate_from_dir;
mod generate_interrupt;
mod generate_safety;
mod git_sources;
mod github_action;
mod github_comment;
mod github_fake;
mod github_pr_comment;
mod golden_formats;
mod golden_rails;
mod invalid_schemas;
mod json_snapshots;
mod lint_cli;
mod lint_rules;
mod messages;
mod migrate_roundtrip;
mod on_update;
mod online;
mod phases;
mod plan_spec;
mod pg_dump_roundtrip;
mod preserve;
mod random_schemas;
mod read_pg_dump_forms;
mod read_postgres;
mod render_sql;
mod runbook;
mod step_facts;

/// The decision `build.rs` took when this binary was built (`pg_missing`:
/// the tests that need PostgreSQL are ignored) must still hold: cargo builds
/// again when `CI`, `SCHEMASHIFT_PG_BIN` or `PATH` change, but cannot see
/// PostgreSQL being installed or removed. And every ignore mark gives the
/// same reason.
#[test]
fn pg_missing_decided_by_build_rs_still_holds() {
    let ci = std::env::var_os("CI").is_some();
    let found = support::pg_find::dirs_with_binaries(|v| std::env::var_os(v)).next();
    let rebuild = "build again (cargo does when CI, SCHEMASHIFT_PG_BIN or PATH changed; touch build.rs when PostgreSQL \
                   was installed or removed) so that build.rs decides again";
    if cfg!(pg_missing) {
        assert!(!ci, "this binary was built without CI, so the tests that need PostgreSQL are ignored; with CI they must run: {rebuild}");
        if let Some(dir) = found {
            panic!("PostgreSQL's binaries are in {}, which they were not when this binary was built: {rebuild}", dir.display());
        }
    } else if !ci {
        // A server of another version is reported by support::pg::server.
        assert!(found.is_some(), "PostgreSQL's binaries are missing, which they were not when this binary was built: {rebuild}");
    }

    let mark = "cfg_attr(pg_missing, ignore = \"";
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    let mut marks = 0;
    for entry in walkdir::WalkDir::new(&dir) {
        let path = entry.unwrap().into_path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (at, _) in text.match_indices(mark) {
            let reason = text[at + mark.len()..].split('"').next().unwrap();
            assert_eq!(reason, support::pg::IGNORE_REASON, "{}: the ignore mark's reason", path.display());
            marks += 1;
        }
    }
    assert!(marks > 0, "no test in {} is marked as needing PostgreSQL", dir.display());
}
