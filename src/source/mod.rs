//! Sources: turns `git diff`-style arguments into the files of the old and the
//! new schema. Git objects are read with gix; nothing is checked out.

use std::path::PathBuf;

/// One schema file as read from git or disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to the repository root (or to the `--no-index` argument), `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
    /// The git blob id when the file came from git objects (key for parse caching).
    pub blob_id: Option<String>,
}

/// The files that make up one side of a comparison.
#[derive(Debug, Clone)]
pub struct FileSet {
    /// What this side is, for messages and migration headers: `HEAD`, `index`,
    /// `working tree`, a revision as given, or a path.
    pub label: String,
    /// The commit id when this side is a commit.
    pub commit: Option<String>,
    pub files: Vec<SourceFile>,
    /// The repository work tree or the `--no-index` directory, when there is one.
    pub root: Option<PathBuf>,
}

// TEMPORARY stubs until the git source module lands.
pub fn resolve_one(_rev: Option<&str>, _paths: &[String], _cwd: &std::path::Path) -> crate::Result<FileSet> {
    Err(crate::Error::internal("not yet"))
}
pub fn read_no_index(_p: &std::path::Path, _l: &str) -> crate::Result<FileSet> {
    Err(crate::Error::internal("not yet"))
}
pub fn repo_root(_cwd: &std::path::Path) -> Option<PathBuf> {
    None
}
