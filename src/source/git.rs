//! Reading schema files out of git objects with gix: commit trees and the
//! index. Nothing is checked out, so this works in bare repositories and never
//! touches the user's working tree.

use super::SourceFile;
use super::pathspec::Selection;
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
        let repo = gix::discover(cwd).map_err(|e| {
            Error::no_input(format!("not a git repository (or any parent directory): {}", cwd.display())).help(format!(
                "run schemashift inside a git repository, or compare two paths without git: \
                     `--no-index <old> <new>`{}",
                // gix's own message repeats the path; keep only other causes.
                if e.to_string().contains("Could not find a git repository") {
                    String::new()
                } else {
                    format!(" ({})", first_line(&e))
                }
            ))
        })?;
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
            Err(e) => {
                if rev == "HEAD" && self.repo.head().is_ok_and(|h| h.is_unborn()) {
                    return Ok((None, None));
                }
                return Err(unknown_revision(rev, &e));
            }
        };
        let object = id
            .object()
            .and_then(|o| o.peel_tags_to_end())
            .map_err(|e| Error::io(format!("cannot read revision '{rev}': {}", first_line(&e))))?;
        match object.kind {
            gix::objs::Kind::Commit => {
                let commit = object.into_commit();
                let tree = commit
                    .tree_id()
                    .map_err(|e| Error::io(format!("cannot read the tree of '{rev}': {}", first_line(&e))))?;
                Ok((Some(commit.id), Some(tree.detach())))
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
            Ok(None) => Err(Error::no_input(format!("'{a}' and '{b}' have no common ancestor"))
                .help(format!("compare them directly with `{a} {b}` or `{a}..{b}`"))),
            Err(e) => Err(Error::io(format!("cannot compute the merge base of '{a}' and '{b}': {}", first_line(&e)))),
        }
    }

    /// The schema files of a tree, walking only directories that may hold one.
    pub fn read_tree(&self, tree: ObjectId, sel: &Selection) -> Result<Vec<SourceFile>> {
        let mut out = Vec::new();
        self.walk_tree(tree, "", sel, &mut out)?;
        Ok(out)
    }

    fn walk_tree(&self, tree: ObjectId, dir: &str, sel: &Selection, out: &mut Vec<SourceFile>) -> Result<()> {
        let tree = self.repo.find_tree(tree).map_err(|e| read_error(dir, &e))?;
        for entry in tree.iter() {
            let entry = entry.map_err(|e| read_error(dir, &e))?;
            let name = entry.inner.filename.to_str_lossy();
            let path = if dir.is_empty() { name.into_owned() } else { format!("{dir}/{name}") };
            let mode = entry.inner.mode;
            if mode.is_tree() {
                if sel.may_contain(&path) {
                    self.walk_tree(entry.inner.oid.to_owned(), &path, sel, out)?;
                }
            } else if mode.is_blob() && sel.matches(&path) {
                // Symlinks and submodules are skipped: their blob is a target
                // path or a commit id, never SQL.
                out.push(self.read_blob(entry.inner.oid.to_owned(), path)?);
            }
        }
        Ok(())
    }

    /// The schema files as staged in the index (stage 0 entries).
    pub fn read_index(&self, sel: &Selection) -> Result<Vec<SourceFile>> {
        self.require_workdir("index")?;
        let index = self
            .repo
            .index_or_empty()
            .map_err(|e| Error::io(format!("cannot read the git index: {}", first_line(&e))))?;
        let mut out = Vec::new();
        let mut conflicted = Vec::new();
        for entry in index.entries() {
            let path = entry.path(&index).to_str_lossy().into_owned();
            if !sel.matches(&path) {
                continue;
            }
            if entry.stage() != gix::index::entry::Stage::Unconflicted {
                if !conflicted.contains(&path) {
                    conflicted.push(path);
                }
                continue;
            }
            let mode = entry.mode;
            if mode == gix::index::entry::Mode::FILE || mode == gix::index::entry::Mode::FILE_EXECUTABLE {
                out.push(self.read_blob(entry.id, path)?);
            }
        }
        if !conflicted.is_empty() {
            // Picking "ours" or "theirs" silently would produce a migration for
            // a schema nobody wrote; make the user finish the merge first.
            return Err(Error::data(format!("unresolved merge conflict in the index: {}", conflicted.join(", ")))
                .help("resolve the conflict and `git add` the file, then run schemashift again"));
        }
        Ok(out)
    }

    /// One blob by its path in HEAD's tree, if HEAD and the file exist.
    pub fn head_file(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let Ok(tree) = self.repo.head_tree() else { return Ok(None) };
        let entry = tree.lookup_entry_by_path(path).map_err(|e| read_error(path, &e))?;
        match entry {
            Some(entry) if entry.mode().is_blob() => {
                Ok(Some(self.read_blob(entry.object_id(), path.to_string())?.bytes))
            }
            _ => Ok(None),
        }
    }

    fn read_blob(&self, id: ObjectId, path: String) -> Result<SourceFile> {
        let mut blob = self.repo.find_blob(id).map_err(|e| read_error(&path, &e))?;
        Ok(SourceFile { bytes: blob.take_data(), blob_id: Some(id.to_string()), path })
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

fn unknown_revision(rev: &str, e: &gix::Error) -> Error {
    Error::no_input(format!("unknown revision '{rev}'")).help(format!(
        "give a branch, tag, commit id or expression such as `HEAD~1` or `main@{{1}}` \
         (`git branch -a` and `git tag` list them); reason: {}",
        first_line(e)
    ))
}

fn read_error(path: &str, e: &dyn std::fmt::Display) -> Error {
    let what = if path.is_empty() { "the root tree".to_string() } else { format!("'{path}'") };
    Error::io(format!("cannot read {what} from the git object database: {}", first_line(e)))
}

/// gix errors can chain several lines of context; the first says what failed.
pub(crate) fn first_line(e: &dyn std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}
