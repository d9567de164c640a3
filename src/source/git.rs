//! Reading schema files out of git objects with gix: commit trees and the
//! index. Nothing is checked out, so this works in bare repositories and never
//! touches the user's working tree.

use super::SourceFile;
use super::damage::{index_error, no_merge_base, object_error, unopenable, unreadable_revision, unresolved_revision};
use super::pathspec::Selection;
use super::unreadable::{Found, What};
use crate::error::{Error, Result};
use gix::ObjectId;
use gix::bstr::ByteSlice;
use std::path::{Path, PathBuf};

/// A discovered repository and where the user stands in it.
pub(crate) struct Repo {
    pub repo: gix::Repository,
    /// The current directory relative to the work tree root, `/`-separated;
    /// `""` at the root and in bare repositories. Pathspecs are relative to it.
    pub prefix: String,
}

impl Repo {
    /// Finds the repository containing `cwd`, like git does, walking upwards.
    pub fn discover(cwd: &Path) -> Result<Repo> {
        let repo = gix::discover(cwd).map_err(|e| unopenable(cwd, &e))?;
        let prefix = repo.workdir().map(|wd| relative_prefix(wd, cwd)).unwrap_or_default();
        Ok(Repo { repo, prefix })
    }

    pub fn workdir(&self) -> Option<PathBuf> {
        self.repo.workdir().map(Path::to_path_buf)
    }

    /// Fails with a clear message when a side needs a work tree or index.
    pub fn require_workdir(&self, what: &str) -> Result<PathBuf> {
        self.workdir().ok_or_else(|| {
            Error::no_input(format!("the {what} was asked for, but {} is a bare repository", self.repo.git_dir().display()))
                .help("a bare repository has no working tree or index; compare two revisions, e.g. `main feature` or `main...feature`")
        })
    }

    /// Resolves a revision to the commit (if it is one) and the tree to read.
    /// `None` for the tree means the empty tree: `HEAD` before the first commit,
    /// which `git diff --staged` also treats as empty.
    pub fn resolve(&self, rev: &str) -> Result<(Option<ObjectId>, Option<ObjectId>)> {
        let id = match self.repo.rev_parse_single(rev) {
            Ok(id) => id,
            Err(_) => {
                if rev == "HEAD" && self.repo.head().is_ok_and(|h| h.is_unborn()) {
                    return Ok((None, None));
                }
                return Err(unresolved_revision(&self.repo, rev));
            }
        };
        let object = id
            .object()
            .and_then(|o| o.peel_tags_to_end())
            .map_err(|e| unreadable_revision(&self.repo, rev, id.detach(), &e))?;
        match object.kind {
            gix::objs::Kind::Commit => {
                let commit = object.into_commit();
                // Decoding the whole commit, not only its first line, so that a
                // damaged commit is reported as such rather than half read.
                let tree = commit
                    .decode()
                    .map(|c| c.tree())
                    .map_err(|e| object_error(&self.repo, commit.id, &format!("the commit '{rev}'"), &e))?;
                Ok((Some(commit.id), Some(tree)))
            }
            gix::objs::Kind::Tree => Ok((None, Some(object.id))),
            kind => Err(Error::no_input(format!("revision '{rev}' names a {kind}, not a commit or tree"))
                .help("give a branch, tag or commit, e.g. `main`, `v1.0` or `HEAD~1`")),
        }
    }

    /// The best common ancestor, the old side of `a...b`.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<ObjectId> {
        let commit = |rev: &str| -> Result<ObjectId> {
            match self.resolve(rev)? {
                (Some(c), _) => Ok(c),
                _ => {
                    Err(Error::no_input(format!("revision '{rev}' is not a commit")).help("`a...b` needs two commits"))
                }
            }
        };
        let (ca, cb) = (commit(a)?, commit(b)?);
        match self.repo.merge_base(ca, cb) {
            Ok(Some(id)) => Ok(id.detach()),
            Ok(None) => Err(no_merge_base(&self.repo, a, b)),
            Err(_) => Err(Error::io(format!(
                "cannot compute the merge base of '{a}' and '{b}': a commit in their history cannot be read"
            ))
            .help(super::damage::FSCK_HELP)),
        }
    }

    /// The schema files of a tree, walking only directories that may hold
    /// one; `place` says whose tree it is for messages (`in HEAD~1`).
    pub fn read_tree(&self, tree: ObjectId, sel: &Selection, place: &str) -> Result<Vec<SourceFile>> {
        let mut found = Found::default();
        self.walk_tree(tree, "", sel, place, &mut found)?;
        found.into_files(place)
    }

    fn walk_tree(&self, tree: ObjectId, dir: &str, sel: &Selection, place: &str, found: &mut Found) -> Result<()> {
        let context = || if dir.is_empty() { format!("the root tree {place}") } else { format!("the tree of {dir} {place}") };
        let tree = self.repo.find_tree(tree).map_err(|e| object_error(&self.repo, tree, &context(), &e))?;
        let entries = tree.decode().map_err(|e| object_error(&self.repo, tree.id, &context(), &e))?;
        for entry in &entries.entries {
            let name = entry.filename.to_str_lossy();
            let path = if dir.is_empty() { name.into_owned() } else { format!("{dir}/{name}") };
            let (mode, oid) = (entry.mode, entry.oid.to_owned());
            if mode.is_tree() {
                if sel.may_contain(&path) {
                    self.walk_tree(oid, &path, sel, place, found)?;
                }
            } else if mode.is_blob() {
                if sel.matches(&path) {
                    found.files.push(self.read_blob(oid, path, place)?);
                }
            } else if mode.is_link() {
                // The blob of a link is its target, a path: useful in the message.
                found.note_unreadable(sel, &path, || What::Symlink { target: self.blob_text(oid) });
            } else if mode.is_commit() {
                found.note_unreadable(sel, &path, || What::Submodule);
            }
        }
        Ok(())
    }

    /// The schema files as staged in the index (stage 0 entries).
    pub fn read_index(&self, sel: &Selection) -> Result<Vec<SourceFile>> {
        self.require_workdir("index")?;
        let index = self.repo.index_or_empty().map_err(|e| index_error(&self.repo, &e))?;
        let mut found = Found::default();
        let mut conflicted = Vec::new();
        for entry in index.entries() {
            let path = entry.path(&index).to_str_lossy().into_owned();
            let mode = entry.mode;
            if mode == gix::index::entry::Mode::SYMLINK {
                found.note_unreadable(sel, &path, || What::Symlink { target: self.blob_text(entry.id) });
                continue;
            }
            if mode == gix::index::entry::Mode::COMMIT {
                found.note_unreadable(sel, &path, || What::Submodule);
                continue;
            }
            if !sel.matches(&path) {
                continue;
            }
            if entry.stage() != gix::index::entry::Stage::Unconflicted {
                if !conflicted.contains(&path) {
                    conflicted.push(path);
                }
                continue;
            }
            if mode == gix::index::entry::Mode::FILE || mode == gix::index::entry::Mode::FILE_EXECUTABLE {
                found.files.push(self.read_blob(entry.id, path, "in the index")?);
            }
        }
        if !conflicted.is_empty() {
            // Picking "ours" or "theirs" silently would produce a migration for
            // a schema nobody wrote; make the user finish the merge first.
            return Err(Error::data(format!("unresolved merge conflict in the index: {}", conflicted.join(", ")))
                .help("resolve the conflict and `git add` the file, then run schemashift again"));
        }
        found.into_files("in the index")
    }

    /// (path, blob id) of the files of `side` any of `sels` matches, sorted,
    /// told without reading a blob; `None` for the working tree, whose files
    /// have no ids until they are read.
    pub fn blob_ids(&self, side: &super::Side, sels: &[Selection]) -> Result<Option<Vec<(String, ObjectId)>>> {
        Ok(match side {
            super::Side::WorkTree => None,
            super::Side::Index => Some(self.blob_ids_in_index(sels)?),
            super::Side::Rev(rev) => Some(self.blob_ids_at(self.resolve(rev)?.1, sels)?),
        })
    }

    /// (path, blob id) of a tree's files any of `sels` matches, sorted;
    /// none for the empty tree. No blob is read.
    fn blob_ids_at(&self, tree: Option<ObjectId>, sels: &[Selection]) -> Result<Vec<(String, ObjectId)>> {
        let Some(tree) = tree else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        self.walk_ids(tree, "", sels, &mut out)?;
        out.sort();
        Ok(out)
    }

    fn walk_ids(&self, tree: ObjectId, dir: &str, sels: &[Selection], out: &mut Vec<(String, ObjectId)>) -> Result<()> {
        let place = if dir.is_empty() { "the root tree".to_string() } else { format!("the tree of {dir}") };
        let tree = self.repo.find_tree(tree).map_err(|e| object_error(&self.repo, tree, &place, &e))?;
        let entries = tree.decode().map_err(|e| object_error(&self.repo, tree.id, &place, &e))?;
        for entry in &entries.entries {
            let name = entry.filename.to_str_lossy();
            let path = if dir.is_empty() { name.into_owned() } else { format!("{dir}/{name}") };
            if entry.mode.is_tree() {
                if sels.iter().any(|s| s.may_contain(&path)) {
                    self.walk_ids(entry.oid.to_owned(), &path, sels, out)?;
                }
            } else if sels.iter().any(|s| s.matches(&path)) {
                out.push((path, entry.oid.to_owned()));
            }
        }
        Ok(())
    }

    /// (path, blob id) of the index's entries any of `sels` matches, sorted;
    /// a conflicted path counts as changed (its id is the null id).
    fn blob_ids_in_index(&self, sels: &[Selection]) -> Result<Vec<(String, ObjectId)>> {
        self.require_workdir("index")?;
        let index = self
            .repo
            .index_or_empty()
            .map_err(|e| index_error(&self.repo, &e))?;
        let mut out: Vec<(String, ObjectId)> = Vec::new();
        for entry in index.entries() {
            let path = entry.path(&index).to_str_lossy().into_owned();
            if !sels.iter().any(|s| s.matches(&path)) {
                continue;
            }
            let id = if entry.stage() == gix::index::entry::Stage::Unconflicted { entry.id } else { ObjectId::null(gix::hash::Kind::Sha1) };
            if out.last().is_none_or(|(p, _)| *p != path) {
                out.push((path, id));
            }
        }
        out.sort();
        Ok(out)
    }

    /// One blob by its path in HEAD's tree, if HEAD and the file exist.
    pub fn head_file(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let Ok(tree) = self.repo.head_tree() else { return Ok(None) };
        let entry =
            tree.lookup_entry_by_path(path).map_err(|e| object_error(&self.repo, tree.id, "HEAD's tree", &e))?;
        match entry {
            Some(entry) if entry.mode().is_blob() => {
                Ok(Some(self.read_blob(entry.object_id(), path.to_string(), "in HEAD")?.bytes))
            }
            _ => Ok(None),
        }
    }

    /// The file `path` of blob `id`; `place` says where it was found.
    fn read_blob(&self, id: ObjectId, path: String, place: &str) -> Result<SourceFile> {
        let mut blob = self.repo.find_blob(id).map_err(|e| object_error(&self.repo, id, &format!("{path} {place}"), &e))?;
        Ok(SourceFile { bytes: blob.take_data(), blob_id: Some(id.to_string()), path })
    }

    /// A small blob as text (a link's target), or `None` when unreadable:
    /// only ever used to make a message more helpful.
    fn blob_text(&self, id: ObjectId) -> Option<String> {
        let blob = self.repo.find_blob(id).ok()?;
        String::from_utf8(blob.data.clone()).ok()
    }
}

/// `cwd` relative to the work tree root, `/`-separated; `""` when outside it
/// (e.g. `cwd` inside `.git`) or at the root.
fn relative_prefix(workdir: &Path, cwd: &Path) -> String {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (wd, cwd) = (canon(workdir), canon(cwd));
    match cwd.strip_prefix(&wd) {
        Ok(rel) if !rel.starts_with(".git") => {
            rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
        }
        _ => String::new(),
    }
}

/// The operating system's reason inside a gix error (permission denied, …),
/// the one part of its chain written for people rather than for gix's
/// developers.
pub(crate) fn io_cause(e: &gix::Error) -> Option<&std::io::Error> {
    e.iter_errors().find_map(|cause| cause.downcast_ref::<std::io::Error>())
}
