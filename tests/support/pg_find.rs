//! Where PostgreSQL's binaries are looked for, shared by `build.rs` and
//! [`super::pg`] so that both look in the same places the same way.
//!
//! `build.rs` decides when the tests are compiled whether the `tests/it` tests
//! that need the server are ignored (`cfg(pg_missing)`); `pg::find_bin_dir`
//! decides at run time where the server comes from. Only file checks here:
//! a build script must stay cheap, so it runs no program. The run-time finder
//! adds the one check that needs one (`postgres --version` is 15).
//!
//! The environment is read through the caller's `var`, lazily, so that
//! `build.rs` learns which variables its decision depended on (and cargo runs
//! it again only when one of those changes).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// When set (and not empty), the only directory looked in: the binaries of a
/// particular installation, or an empty directory to see how the tests behave
/// on a machine without PostgreSQL.
pub const OVERRIDE_VAR: &str = "SCHEMASHIFT_PG_BIN";

/// The directory Debian/Ubuntu install PostgreSQL 15's server binaries into,
/// looked in before `PATH`.
pub const DEBIAN_BIN_DIR: &str = "/usr/lib/postgresql/15/bin";

/// The programs the tests run, all taken from one directory.
pub const NEEDED: &[&str] = &["initdb", "pg_ctl", "postgres", "psql", "pg_dump"];

/// The directories holding every [`NEEDED`] program, in the order they are
/// preferred: `$SCHEMASHIFT_PG_BIN` alone when it is set, otherwise
/// [`DEBIAN_BIN_DIR`] and then `PATH`'s directories (`PATH` is read only when
/// the iteration gets that far).
pub fn dirs_with_binaries(mut var: impl FnMut(&str) -> Option<OsString>) -> impl Iterator<Item = PathBuf> {
    let overridden = var(OVERRIDE_VAR).filter(|dir| !dir.is_empty());
    let defaults = overridden.is_none();
    let path_dirs = std::iter::once(()).flat_map(move |()| match defaults.then(|| var("PATH")).flatten() {
        Some(path) => std::env::split_paths(&path).collect(),
        None => Vec::new(),
    });
    overridden
        .map(PathBuf::from)
        .into_iter()
        .chain(defaults.then(|| PathBuf::from(DEBIAN_BIN_DIR)))
        .chain(path_dirs)
        .filter(|dir| has_binaries(dir))
}

fn has_binaries(dir: &Path) -> bool {
    NEEDED.iter().all(|program| dir.join(program).is_file())
}
