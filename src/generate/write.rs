//! Writing a migration's files: all of them or none, never over an existing one.
//!
//! Files are first written into a staging directory inside the migrations
//! directory (same file system, so moving them is a rename), then moved into
//! place one by one with an operation that fails when the target exists (a
//! hard link for files). If any step fails, what was already moved is
//! removed again, so an interrupted `generate` leaves the directory as it was.

use crate::error::{Error, Result};
use std::path::{Component, Path, PathBuf};

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
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
    let staging = tempfile::Builder::new()
        .prefix(".schemashift-")
        .tempdir_in(dir)
        .map_err(|e| Error::io(format!("cannot write in {}: {e}", dir.display())))?;
    for f in files {
        let staged = staging.path().join(&f.path);
        if let Some(parent) = staged.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&staged, &f.bytes).map_err(|e| Error::io(format!("cannot write {}: {e}", staged.display())))?;
    }
    commit(dir, staging.path(), files)?;
    Ok(files.iter().map(|f| dir.join(&f.path)).collect())
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
    for top in &tops {
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
