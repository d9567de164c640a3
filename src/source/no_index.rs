//! `--no-index <old> <new>`: two files or directories on disk, no git at all.
//!
//! A file is read as the whole schema; a directory contributes every `.sql`
//! and `.json` file below it (symlinks followed, as plain files are what a
//! user points at here), with paths relative to that directory so that the
//! same layout in two directories lines up file by file.

use super::pathspec::is_schema_file;
use super::{FileSet, SourceFile, sorted};
use crate::error::{Error, Result};
use std::path::Path;

pub(crate) fn read(arg: &str, cwd: &Path) -> Result<FileSet> {
    let path = cwd.join(arg);
    let meta = std::fs::metadata(&path).map_err(|e| {
        let err = if e.kind() == std::io::ErrorKind::NotFound {
            Error::no_input(format!("no such file or directory: '{arg}'"))
        } else {
            Error::io(format!("cannot read '{arg}': {e}"))
        };
        err.help("--no-index compares two existing files or two directories of .sql/.json files")
    })?;
    if !meta.is_dir() {
        let bytes = std::fs::read(&path).map_err(|e| Error::io(format!("cannot read '{arg}': {e}")))?;
        let file = SourceFile { path: arg.replace('\\', "/"), bytes, blob_id: None };
        return Ok(FileSet { label: arg.to_string(), commit: None, files: vec![file], root: None });
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&path).follow_links(true).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::io(format!("cannot read directory '{arg}': {e}")))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(&path).unwrap_or(entry.path());
        let rel = rel.to_string_lossy().replace('\\', "/");
        if !is_schema_file(&rel) {
            continue;
        }
        let bytes = std::fs::read(entry.path())
            .map_err(|e| Error::io(format!("cannot read {}: {e}", entry.path().display())))?;
        files.push(SourceFile { path: rel, bytes, blob_id: None });
    }
    Ok(FileSet { label: arg.to_string(), commit: None, files: sorted(files), root: Some(path) })
}
