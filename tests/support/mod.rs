//! Shared test support: a throwaway PostgreSQL server ([`pg`]), a catalog
//! snapshot to compare databases with ([`catalog`]), and the generator of the
//! large schema ([`big_schema`]).
//!
//! Each integration test binary compiles this module on its own and uses only
//! part of it, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod big_schema;
pub mod catalog;
pub mod comparable;
pub mod pg;
pub mod sqldef;

use std::path::{Path, PathBuf};

/// `fixtures/pgdump` in the source tree.
pub fn pgdump_fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join("pgdump")
}

/// The names of the hand-written cases: every `fixtures/pgdump/<case>/schema.sql`.
pub fn pgdump_cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(pgdump_fixtures_dir())
        .expect("fixtures/pgdump exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("schema.sql").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    cases
}

/// The text of `fixtures/pgdump/<case>/schema.sql`.
pub fn pgdump_fixture(case: &str) -> String {
    let path = pgdump_fixtures_dir().join(case).join("schema.sql");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}
