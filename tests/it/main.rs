//! The integration tests, one module per area, in one test binary.
//!
//! One binary rather than one per file: the shared support below and the
//! crate are compiled and linked once instead of two dozen times, and the
//! tests that need PostgreSQL share one throwaway server
//! ([`support::pg::server`]). `cargo test --test it <filter>` runs part of
//! it: `cargo test --test it migrate_roundtrip::`, `… it diff_cli::`.
//!
//! The tests that need a migration framework's own runner or the sqldef
//! corpus are in `tests/external/`, a binary of its own whose harness can
//! report them as ignored, with the reason, when what they need is missing.

#[path = "../support/mod.rs"]
mod support;

mod rich_model;

mod canon;
mod cli;
mod diff_cli;
mod generate_cli;
mod generate_interrupt;
mod generate_safety;
mod git_sources;
mod golden_formats;
mod golden_rails;
mod invalid_schemas;
mod json_snapshots;
mod migrate_roundtrip;
mod on_update;
mod pg_dump_roundtrip;
mod random_schemas;
mod read_pg_dump_forms;
mod read_postgres;
mod render_sql;
mod step_facts;
