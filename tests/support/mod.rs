//! Shared test support: a throwaway PostgreSQL server ([`pg`]), a catalog
//! snapshot to compare databases with ([`catalog`]), row snapshots ([`rows`]),
//! and the generator of the large schema ([`big_schema`]).
//!
//! Each integration test binary compiles this module on its own and uses only
//! part of it, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod big_schema;
pub mod catalog;
pub mod git;
pub mod pg;
pub mod rows;
pub mod runner;
pub mod sqldef;

use std::path::{Path, PathBuf};

/// `fixtures` in the source tree.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

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

/// `fixtures/diff` in the source tree: one directory per schema change.
pub fn diff_fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join("diff")
}

/// The names of the schema-change cases: every `fixtures/diff/<case>/` with an `old.sql`.
pub fn diff_cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(diff_fixtures_dir())
        .expect("fixtures/diff exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("old.sql").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    cases
}

/// The catalog without what the model deliberately does not carry, so that
/// the comparison is about everything else:
/// - an extension's comment (the model leaves it to the extension; pg_dump
///   repeats the default, so it cannot tell a user's comment from it);
/// - how a number constant default is spelled: PostgreSQL prints the same
///   value `0`, `(0)::numeric` or `'0'::numeric` depending on how it was written;
/// - an ACL spelled out that equals the owner's default privileges: after a
///   `GRANT` and its `REVOKE`, PostgreSQL keeps `{owner=arwdDxt/owner}` where
///   a fresh table has `NULL`; both grant exactly the same (`acldefault`).
pub fn comparable(c: &catalog::Catalog) -> catalog::Catalog {
    let mut c = c.clone();
    for (key, fields) in c.objects.iter_mut() {
        if key.kind == "extension" {
            fields.remove("comment");
        }
        if let (Some(acl), Some(owner)) = (fields.get("acl"), fields.get("owner"))
            && default_acl(&key.kind, owner).is_some_and(|d| acl_entries(acl) == acl_entries(&d))
        {
            fields.remove("acl");
        }
        if let Some(d) = fields.get_mut("default") {
            *d = number_constant(d).unwrap_or_else(|| d.clone());
        }
    }
    c
}

/// `0`, `(0)::numeric`, `'0'::numeric`, `'-1'::integer` → the number.
pub fn number_constant(text: &str) -> Option<String> {
    let (value, cast) = text.rsplit_once("::").unwrap_or((text, ""));
    let numeric_cast = ["", "numeric", "integer", "bigint", "smallint", "real", "double precision"].contains(&cast);
    let value = value.trim_start_matches('(').trim_end_matches(')').trim_matches('\'');
    (numeric_cast && value.parse::<f64>().is_ok()).then(|| value.to_string())
}

/// The ACL PostgreSQL treats a `NULL` ACL as, for an object of `kind` owned
/// by `owner` (what `acldefault()` returns, as text).
fn default_acl(kind: &str, owner: &str) -> Option<String> {
    let o = owner;
    match kind {
        "table" | "view" | "materialized view" | "foreign table" => Some(format!("{{{o}=arwdDxt/{o}}}")),
        "sequence" => Some(format!("{{{o}=rwU/{o}}}")),
        "function" | "procedure" | "aggregate" | "window function" => Some(format!("{{=X/{o},{o}=X/{o}}}")),
        "schema" => Some(format!("{{{o}=UC/{o}}}")),
        "enum" | "composite type" | "domain" | "range type" => Some(format!("{{=U/{o},{o}=U/{o}}}")),
        _ => None,
    }
}

/// An ACL's entries as a set: PostgreSQL lists them in the order they were granted.
fn acl_entries(acl: &str) -> Vec<String> {
    let mut entries: Vec<String> = acl.trim_matches(|c| c == '{' || c == '}').split(',').map(str::to_string).collect();
    entries.sort();
    entries
}
