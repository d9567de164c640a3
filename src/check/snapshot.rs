//! A migrations directory as one side (the working tree, the index, a
//! revision) holds it, on disk so that the framework layouts can scan and
//! read it as they read the real one.

use crate::error::{Error, Result};
use crate::generate::detect::Choice;
use crate::generate::formats::Existing;
use crate::source::{self, Side};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The directory's files at one side.
pub struct Snapshot {
    /// What the side is, for messages: `working tree`, `index`, `origin/main`.
    pub label: String,
    /// The directory relative to the repository root, `/`-separated.
    pub rel: String,
    /// Where the files are on disk: the directory itself for the working
    /// tree, else a temporary copy.
    pub dir: PathBuf,
    /// Path relative to the directory → content.
    pub files: BTreeMap<String, Vec<u8>>,
    _copy: Option<tempfile::TempDir>,
}

impl Snapshot {
    /// Reads `choice.dir` at `side` of the repository at `root`.
    pub fn at(side: &Side, choice: &Choice, root: &Path, cwd: &Path) -> Result<Snapshot> {
        let rel = relative(&choice.dir, root)?;
        let set = source::read_dir_side(side, &rel, cwd)?;
        let prefix = if rel.is_empty() { String::new() } else { format!("{rel}/") };
        let files: BTreeMap<String, Vec<u8>> =
            set.files.into_iter().filter_map(|f| f.path.strip_prefix(&prefix).map(|p| (p.to_string(), f.bytes))).collect();
        if *side == Side::WorkTree {
            return Ok(Snapshot { label: set.label, rel, dir: choice.dir.clone(), files, _copy: None });
        }
        let copy = tempfile::tempdir().map_err(|e| Error::io(format!("cannot create a temporary directory: {e}")))?;
        let dir = copy.path().join("migrations");
        for (path, bytes) in &files {
            let to = dir.join(path);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(format!("cannot create {}: {e}", parent.display())))?;
            }
            std::fs::write(&to, bytes).map_err(|e| Error::io(format!("cannot write {}: {e}", to.display())))?;
        }
        Ok(Snapshot { label: set.label, rel, dir, files, _copy: Some(copy) })
    }

    /// The migrations in it, oldest first, as the framework orders them.
    pub fn migrations(&self, choice: &Choice) -> Result<Vec<Existing>> {
        if !self.dir.exists() {
            return Ok(Vec::new());
        }
        choice.format.scan(&self.dir).map_err(|e| self.relabel(e))
    }

    /// The path of a file of the directory as the user knows it
    /// (`db/migrations/0001_init.sql`).
    pub fn shown(&self, path: &Path) -> String {
        let path = path.to_string_lossy().replace('\\', "/");
        if self.rel.is_empty() { path } else { format!("{}/{path}", self.rel) }
    }

    /// An error naming the temporary copy names the directory instead.
    pub fn relabel(&self, mut e: Error) -> Error {
        let tmp = self.dir.display().to_string();
        e.message = e.message.replace(&tmp, &self.rel);
        if let Some(loc) = &mut e.location
            && let Some(rest) = loc.file.strip_prefix(&tmp) {
                loc.file = format!("{}{rest}", self.rel).into();
            }
        e
    }
}

/// `dir` relative to the repository root, `/`-separated.
pub fn relative(dir: &Path, root: &Path) -> Result<String> {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (d, r) = (canon(dir), canon(root));
    let rel = dir.strip_prefix(root).or_else(|_| d.strip_prefix(&r)).map_err(|_| {
        Error::usage(format!("the migrations directory {} is outside the repository {}", dir.display(), root.display()))
            .help("check compares the directory as git holds it; give a directory inside the repository")
    })?;
    Ok(rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/"))
}
