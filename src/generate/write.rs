//! Writing a migration's files: all of them or none, never over an existing
//! one, and durable once `generate` says they are written.
//!
//! 1. **Stage.** Files are written into a staging directory inside the
//!    migrations directory (same file system, so moving them is a rename),
//!    and each is fsynced, as is each new directory among them: what is moved
//!    into place next is already on disk.
//! 2. **Place.** They are moved into place one by one with an operation that
//!    fails when the target exists (a hard link for files), index files
//!    (`atlas.sum`) last, each replaced in one rename. Then the migrations
//!    directory is fsynced, so the new names survive a crash too.
//! 3. **Clean up.** The staging directory is removed, whatever happened.
//!
//! If any step fails, what was already moved is removed again, so the
//! directory is left as it was. SIGINT, SIGTERM and SIGHUP are held off
//! while this runs ([`super::interrupt`]): one that arrives before the last
//! file is in place is a failure like any other (everything is undone),
//! one that arrives after finds the migration complete; either way the
//! staging directory is gone before the signal is let through.
//!
//! `SCHEMASHIFT_PAUSE_WRITE=<point>` is a debugging aid: the writer stops at
//! that point, says so on standard error, and waits (up to 30 seconds) for
//! a signal, so that an interruption can be tried at an exact moment. The
//! points, in order: `staging` (staging directory made, nothing in it),
//! `staged-1` (the first file staged), `synced` (everything staged and on
//! disk, nothing placed), `placed-1` (the first file or directory in place,
//! the others not), `placed` (all in place but the index files),
//! `committed` (the migration complete, the staging directory not yet
//! removed). `tests/it/generate_interrupt.rs` interrupts `generate` at each.

use super::interrupt;
use crate::error::{Error, Result};
use std::fs::File;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

/// The environment variable of the debugging pause, see the module documentation.
pub const PAUSE_VAR: &str = "SCHEMASHIFT_PAUSE_WRITE";

/// One file to write, relative to the migrations directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    /// A relative path; its first component may be a new directory (diesel's
    /// and Prisma's `<version>_<name>/`), which must not exist yet.
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    /// An index file the framework keeps over all migrations (Atlas's
    /// `atlas.sum`), which is replaced rather than refused when it exists.
    pub replace: bool,
}

impl OutFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> OutFile {
        OutFile { path: path.into(), bytes: text.into().into_bytes(), replace: false }
    }
}

/// Refuses a file set that would overwrite anything or leave the directory.
pub fn check(dir: &Path, files: &[OutFile]) -> Result<()> {
    for f in files {
        let inside = !f.path.as_os_str().is_empty()
            && f.path.components().all(|c| matches!(c, Component::Normal(_)));
        if !inside {
            return Err(Error::internal(format!("refusing to write {} outside {}", f.path.display(), dir.display())));
        }
        if f.replace {
            continue;
        }
        let top = dir.join(first_component(&f.path));
        if top.symlink_metadata().is_ok() {
            return Err(Error::usage(format!("{} already exists; refusing to overwrite it", top.display()))
                .help("schemashift never replaces a migration; choose another --version or remove the file yourself"));
        }
    }
    Ok(())
}

/// Writes every file or none. Returns the paths written, in order.
pub fn write_all(dir: &Path, files: &[OutFile]) -> Result<Vec<PathBuf>> {
    check(dir, files)?;
    let held = interrupt::Deferred::new();
    let result = write_held(dir, files);
    // Lets a signal that came meanwhile through, now that the directory is
    // either as it was or complete: by default it ends the process here.
    drop(held);
    result?;
    Ok(files.iter().map(|f| dir.join(&f.path)).collect())
}

/// [`write_all`]'s work, with signals held off.
fn write_held(dir: &Path, files: &[OutFile]) -> Result<()> {
    let created = create_dirs(dir)?;
    let staging = match tempfile::Builder::new().prefix(".schemashift-").tempdir_in(dir) {
        Ok(s) => s,
        Err(e) => {
            remove_created(&created);
            return Err(Error::io(format!("cannot write in {}: {e}", dir.display())));
        }
    };
    let result = stage(staging.path(), files).and_then(|()| commit(dir, staging.path(), files));
    if result.is_ok() {
        pause_at("committed");
    }
    // Removing the staging directory is tidying up: the migration is
    // already in place (or undone), so a failure here changes nothing.
    let _ = staging.close();
    match result {
        // The index files' renames and the staging directory's removal,
        // made durable (the new migration's names already are).
        Ok(()) => sync_dir(dir),
        Err(e) => {
            remove_created(&created);
            Err(e)
        }
    }
}

/// Writes the files into `staging`, each fsynced, then fsyncs the new
/// directories among them (their entries are what a rename moves).
fn stage(staging: &Path, files: &[OutFile]) -> Result<()> {
    checkpoint("staging")?;
    let mut dirs: Vec<PathBuf> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let staged = staging.join(&f.path);
        if let Some(parent) = staged.parent()
            && parent != staging
        {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(format!("cannot create {}: {e}", parent.display())))?;
            if !dirs.iter().any(|d| d == parent) {
                dirs.push(parent.to_path_buf());
            }
        }
        write_synced(&staged, &f.bytes)?;
        if i == 0 {
            checkpoint("staged-1")?;
        } else {
            interrupt::check()?;
        }
    }
    for d in &dirs {
        sync_dir(d)?;
    }
    checkpoint("synced")
}

/// Creates `path` with `bytes` and waits until they are on disk.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let fail = |e: std::io::Error| Error::io(format!("cannot write {}: {e}", path.display()));
    let mut file = File::create_new(path).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.sync_all().map_err(fail)
}

/// Makes `dir` and its missing ancestors, each made durable in its parent.
/// Returns the directories made, outermost first.
fn create_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut missing: Vec<PathBuf> = Vec::new();
    let mut at = Some(dir);
    while let Some(d) = at.filter(|d| !d.as_os_str().is_empty() && d.symlink_metadata().is_err()) {
        missing.push(d.to_path_buf());
        at = d.parent();
    }
    missing.reverse();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
    for d in &missing {
        if let Some(parent) = d.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync_dir(parent)?;
        }
    }
    Ok(missing)
}

/// Removes the directories [`create_dirs`] made, innermost first, if empty.
fn remove_created(created: &[PathBuf]) {
    for d in created.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
}

/// Flushes a directory's entries to disk (a new, renamed or removed name).
/// Only Unix can open a directory for that; elsewhere it is a no-op.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| Error::io(format!("cannot sync {}: {e}", dir.display())))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The debugging pause at `point` (see the module documentation), then an
/// error if a signal has arrived.
fn checkpoint(point: &str) -> Result<()> {
    pause_at(point);
    interrupt::check()
}

/// Waits at `point` when [`PAUSE_VAR`] names it, until a signal arrives.
fn pause_at(point: &str) {
    if std::env::var_os(PAUSE_VAR).is_none_or(|p| p != point) {
        return;
    }
    eprintln!("{}note: paused at {point} ({PAUSE_VAR}), waiting for a signal", crate::cli::PREFIX);
    let start = Instant::now();
    while !interrupt::pending() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Moves the staged files into place; on failure removes those already moved.
fn commit(dir: &Path, staging: &Path, files: &[OutFile]) -> Result<()> {
    let mut placed: Vec<PathBuf> = Vec::new();
    let result = place(dir, staging, files, &mut placed);
    if result.is_err() {
        for p in placed.iter().rev() {
            let _ = if p.is_dir() { std::fs::remove_dir_all(p) } else { std::fs::remove_file(p) };
        }
    }
    result
}

fn place(dir: &Path, staging: &Path, files: &[OutFile], placed: &mut Vec<PathBuf>) -> Result<()> {
    let mut tops: Vec<PathBuf> = Vec::new();
    for f in files.iter().filter(|f| !f.replace) {
        let top = first_component(&f.path);
        if !tops.contains(&top) {
            tops.push(top);
        }
    }
    for (i, top) in tops.iter().enumerate() {
        if i == 1 {
            checkpoint("placed-1")?;
        } else {
            interrupt::check()?;
        }
        let (from, to) = (staging.join(top), dir.join(top));
        if from.is_dir() {
            // No portable no-replace rename for directories: check, then rename.
            if to.symlink_metadata().is_ok() {
                return Err(Error::usage(format!("{} appeared while writing; refusing to overwrite it", to.display())));
            }
            std::fs::rename(&from, &to).map_err(|e| Error::io(format!("cannot create {}: {e}", to.display())))?;
        } else {
            // A hard link fails when the target exists: no file is ever replaced.
            std::fs::hard_link(&from, &to).map_err(|e| Error::io(format!("cannot create {}: {e}", to.display())))?;
        }
        placed.push(to);
    }
    sync_dir(dir)?;
    // The last moment to back out: once an index file is replaced, the
    // migration is complete.
    checkpoint("placed")?;
    // Index files last, each replaced in one rename.
    for f in files.iter().filter(|f| f.replace) {
        let to = dir.join(&f.path);
        std::fs::rename(staging.join(&f.path), &to).map_err(|e| Error::io(format!("cannot update {}: {e}", to.display())))?;
    }
    Ok(())
}

fn first_component(path: &Path) -> PathBuf {
    path.components().next().map(|c| PathBuf::from(c.as_os_str())).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`write_all`] holding the lock of the tests that change signal actions.
    fn write_all(dir: &Path, files: &[OutFile]) -> Result<Vec<PathBuf>> {
        let _alone = interrupt::TEST_GUARDS.lock().unwrap_or_else(|e| e.into_inner());
        super::write_all(dir, files)
    }

    #[test]
    fn writes_files_and_new_directories() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![
            OutFile::new("0001_a.up.sql", "up"),
            OutFile::new("2024_x/up.sql", "u"),
            OutFile::new("2024_x/down.sql", "d"),
        ];
        write_all(dir.path(), &files).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("0001_a.up.sql")).unwrap(), "up");
        assert_eq!(std::fs::read_to_string(dir.path().join("2024_x/down.sql")).unwrap(), "d");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "no staging directory is left behind: {names:?}");
    }

    #[test]
    fn refuses_to_overwrite_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("0001_a.down.sql"), "mine").unwrap();
        let files = vec![OutFile::new("0001_a.up.sql", "up"), OutFile::new("0001_a.down.sql", "down")];
        let err = write_all(dir.path(), &files).unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        assert!(!dir.path().join("0001_a.up.sql").exists());
        assert_eq!(std::fs::read_to_string(dir.path().join("0001_a.down.sql")).unwrap(), "mine");
    }

    #[test]
    fn replaces_index_files_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("atlas.sum"), "old").unwrap();
        let mut sum = OutFile::new("atlas.sum", "new");
        sum.replace = true;
        write_all(dir.path(), &[OutFile::new("1_a.sql", "x"), sum]).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("atlas.sum")).unwrap(), "new");
    }

    #[test]
    fn a_failed_write_leaves_no_directory_it_made() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("db/migrations");
        // The same name twice: the second cannot be staged.
        let files = vec![OutFile::new("1_a.sql", "x"), OutFile::new("1_a.sql", "y")];
        assert!(write_all(&dir, &files).is_err());
        assert!(!root.path().join("db").exists(), "db/migrations, made for the write, is removed again");
        write_all(&dir, &files[..1]).unwrap();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    }

    #[test]
    fn refuses_paths_outside_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write_all(dir.path(), &[OutFile::new("../x.sql", "x")]).is_err());
        assert!(write_all(dir.path(), &[OutFile::new("/tmp/x.sql", "x")]).is_err());
    }

    #[test]
    fn a_failure_midway_removes_what_was_placed() {
        let dir = tempfile::tempdir().unwrap();
        // The second target appears between the check and the move.
        let files = vec![OutFile::new("a.sql", "x"), OutFile::new("b/up.sql", "y")];
        check(dir.path(), &files).unwrap();
        std::fs::create_dir_all(dir.path()).unwrap();
        let staging = tempfile::tempdir_in(dir.path()).unwrap();
        std::fs::write(staging.path().join("a.sql"), "x").unwrap();
        std::fs::create_dir(staging.path().join("b")).unwrap();
        std::fs::write(dir.path().join("b"), "in the way").unwrap();
        assert!(commit(dir.path(), staging.path(), &files).is_err());
        assert!(!dir.path().join("a.sql").exists(), "a.sql, placed before the failure, is removed again");
        assert_eq!(std::fs::read_to_string(dir.path().join("b")).unwrap(), "in the way");
    }
}
