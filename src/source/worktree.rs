//! Reading schema files from the working tree on disk.
//!
//! Like `git status` sees it: ignored files (`.gitignore`, `.git/info/exclude`,
//! `core.excludesFile`, all through gix's exclude stack) are left out unless
//! they are tracked, because a tracked file is part of the project whatever
//! the ignore rules say. Untracked, non-ignored files are read: a new schema
//! file you have not `git add`ed yet is still part of the schema you are
//! working on. Bytes are read raw; no clean filters (CRLF, LFS) are applied.
//!
//! Symbolic links are not followed, as the tree and index readers cannot
//! follow them either; submodules and other nested repositories are not
//! entered. Both are reported when the schema is expected there
//! (see [`super::unreadable`]).

use super::SourceFile;
use super::damage::index_error;
use super::git::{Repo, io_cause};
use super::pathspec::Selection;
use super::unreadable::{Found, What};
use crate::error::{Error, Result};
use gix::index::entry::Mode;
use std::collections::BTreeSet;
use std::path::Path;

/// Where the working tree's problems are said to be.
const PLACE: &str = "in the working tree";

struct Walk<'a> {
    sel: &'a Selection,
    excludes: gix::AttributeStack<'a>,
    /// Paths in the index, to keep tracked files that ignore rules would hide.
    tracked: BTreeSet<String>,
    /// Submodules in the index: an uninitialized one is an empty directory
    /// on disk, with no `.git` to tell it apart.
    gitlinks: BTreeSet<String>,
    found: Found,
}

pub(crate) fn read(repo: &Repo, sel: &Selection) -> Result<Vec<SourceFile>> {
    let root = repo.require_workdir("working tree")?;
    let index = repo.repo.index_or_empty().map_err(|e| index_error(&repo.repo, &e))?;
    let tracked = index.entries().iter().map(|e| e.path(&index).to_string()).collect();
    let gitlinks =
        index.entries().iter().filter(|e| e.mode == Mode::COMMIT).map(|e| e.path(&index).to_string()).collect();
    let excludes = repo
        .repo
        .excludes(&index, None, gix::worktree::stack::state::ignore::Source::WorktreeThenIdMappingIfNotSkipped)
        .map_err(|e| ignore_error("cannot load the .gitignore rules", &e))?;
    let mut walk = Walk { sel, excludes, tracked, gitlinks, found: Found::default() };
    walk.dir(&root, "", false)?;
    walk.found.into_files(PLACE)
}

impl Walk<'_> {
    /// Visits directory `abs` (repository-relative `rel`). `ignored` is true
    /// inside an ignored directory that we only enter for its tracked files.
    fn dir(&mut self, abs: &Path, rel: &str, ignored: bool) -> Result<()> {
        let entries = std::fs::read_dir(abs).map_err(|e| io_error(abs, &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_error(abs, &e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == ".git" {
                continue;
            }
            let child = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            // file_type() does not follow symlinks.
            let kind = entry.file_type().map_err(|e| io_error(&entry.path(), &e))?;
            if kind.is_dir() {
                if !self.sel.may_contain(&child) {
                    continue;
                }
                if self.gitlinks.contains(&child) {
                    self.found.note_unreadable(self.sel, &child, || What::Submodule);
                    continue;
                }
                if entry.path().join(".git").exists() {
                    self.found.note_unreadable(self.sel, &child, || What::NestedRepository);
                    continue;
                }
                let child_ignored = ignored || self.is_excluded(&child, Mode::DIR)?;
                if child_ignored && !self.tracked_under(&child) {
                    continue;
                }
                self.dir(&entry.path(), &child, child_ignored)?;
            } else if kind.is_symlink() && (self.sel.matches(&child) || self.sel.reaches_into(&child)) {
                if self.keeps(&child, ignored, Mode::SYMLINK)? {
                    let target = || std::fs::read_link(entry.path()).ok().map(|t| t.to_string_lossy().into_owned());
                    self.found.note_unreadable(self.sel, &child, || What::Symlink { target: target() });
                }
            } else if kind.is_file() && self.sel.matches(&child) && self.keeps(&child, ignored, Mode::FILE)? {
                let path = entry.path();
                let bytes = std::fs::read(&path).map_err(|e| io_error(&path, &e))?;
                self.found.files.push(SourceFile { path: child, bytes, blob_id: None });
            }
        }
        Ok(())
    }

    /// Whether an entry is part of the project: tracked, or not ignored.
    fn keeps(&mut self, rel: &str, in_ignored_dir: bool, mode: Mode) -> Result<bool> {
        Ok(self.tracked.contains(rel) || !(in_ignored_dir || self.is_excluded(rel, mode)?))
    }

    fn is_excluded(&mut self, rel: &str, mode: Mode) -> Result<bool> {
        let platform = self
            .excludes
            .at_path(Path::new(rel), Some(mode))
            .map_err(|e| ignore_error(&format!("cannot check the ignore rules for '{rel}'"), &e))?;
        Ok(platform.is_excluded())
    }

    fn tracked_under(&self, dir: &str) -> bool {
        let prefix = format!("{dir}/");
        self.tracked.range(prefix.clone()..).next().is_some_and(|p| p.starts_with(&prefix))
    }
}

fn ignore_error(what: &str, e: &gix::Error) -> Error {
    match io_cause(e) {
        Some(io) => Error::io(format!("{what}: {io}")),
        None => Error::io(what.to_string()),
    }
    .help("`git check-ignore -v <path>` shows which rule and file git reads; a file it cannot read must be fixed first")
}

fn io_error(path: &Path, e: &std::io::Error) -> Error {
    Error::io(format!("cannot read {}: {e}", path.display()))
}
