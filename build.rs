//! For the tests only: sets `cfg(pg_missing)` when PostgreSQL's server
//! binaries are not installed and `CI` is unset. The `tests/it` tests that
//! need the server carry `#[cfg_attr(pg_missing, ignore = "…")]`, so that on
//! such a machine they are reported as ignored, with the reason, instead of
//! passing without having run. Nothing under `src/` reads the cfg: the
//! library and the `schemashift` binary are the same either way.
//!
//! The search is `tests/support/pg_find.rs`, the one `tests/support/pg.rs`
//! uses at run time (file checks only; no program is run here). Cargo runs
//! this again when a variable the decision read changes (`CI`,
//! `SCHEMASHIFT_PG_BIN`, `PATH`), not when PostgreSQL is installed or
//! removed; the test `pg_missing_decided_by_build_rs_still_holds` in
//! `tests/it/main.rs` then fails and says to touch this file.

#[path = "tests/support/pg_find.rs"]
mod pg_find;

use std::ffi::OsString;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(pg_missing)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=tests/support/pg_find.rs");
    // Each variable is declared as it is read: once the binaries are found,
    // PATH (when they are in the Debian directory) and CI do not matter, and
    // changing them does not rebuild the crate.
    let mut var = |name: &str| -> Option<OsString> {
        println!("cargo::rerun-if-env-changed={name}");
        std::env::var_os(name)
    };
    let found = pg_find::dirs_with_binaries(&mut var).next().is_some();
    if !found && var("CI").is_none() {
        println!("cargo::rustc-cfg=pg_missing");
    }
}
