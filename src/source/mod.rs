//! Sources: turns `git diff`-style arguments into the files of the old and the
//! new schema. Git objects are read with gix; nothing is checked out.
//!
//! - [`args`]: which two sides the arguments name (pure, no I/O);
//! - [`pathspec`]: which files form the schema;
//! - `git`: commit trees, the index, revisions and merge bases;
//! - `worktree`: the files on disk, honouring `.gitignore`;
//! - `no_index`: plain files and directories, without git;
//! - `unreadable`: symbolic links and submodules where the schema should be;
//! - `damage`: corrupt objects, shallow clones, revisions that do not resolve;
//! - `revision`: which part of a revision names nothing, and what there is instead.
//!
//! Which files: pathspecs after `--` win, else the `schema` globs of
//! `schemashift.toml` (as [`crate::settings::Settings`] holds them), else
//! [`DEFAULT_SCHEMA_GLOBS`]. The configuration is read ([`read_config`]) from
//! the working tree when the repository has one (the file the user is
//! editing), and from HEAD's tree in a bare repository, which has no other.
//! One selection applies to both sides, so that editing the config does not
//! make files appear or vanish from one side.

mod args;
mod damage;
mod git;
mod no_index;
mod pathspec;
mod revision;
mod unreadable;
mod worktree;

pub use args::{Side, SourceArgs};
pub use pathspec::DEFAULT_SCHEMA_GLOBS;

use crate::config::{CONFIG_FILE, Config};
use crate::error::{Error, Result};
use crate::settings::{ConfigFile, Settings};
use args::{Plan, Want};
use git::Repo;
use pathspec::Selection;
use std::path::{Path, PathBuf};

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
    /// Sorted by `path`.
    pub files: Vec<SourceFile>,
    /// The repository work tree or the `--no-index` directory, when there is one.
    pub root: Option<PathBuf>,
}

impl FileSet {
    /// The same paths with the same bytes as `other` (blob ids, when both
    /// came from git, decide without comparing the bytes).
    pub fn same_files(&self, other: &FileSet) -> bool {
        self.files.len() == other.files.len()
            && self.files.iter().zip(&other.files).all(|(x, y)| {
                x.path == y.path
                    && match (&x.blob_id, &y.blob_id) {
                        (Some(i), Some(j)) => i == j,
                        _ => x.bytes == y.bytes,
                    }
            })
    }
}

/// The old and the new side named by `git diff`-style arguments, run from `cwd`.
///
/// It is an error only when *neither* side has a schema file: one empty side
/// is a schema that did not exist yet (or was removed), a real diff.
pub fn resolve_pair(args: &SourceArgs, settings: &Settings, cwd: &Path) -> Result<(FileSet, FileSet)> {
    let (old, new) = match args::plan(args)? {
        Plan::NoIndex { old, new } => {
            let pair = (no_index::read(&old, cwd)?, no_index::read(&new, cwd)?);
            if pair.0.files.is_empty() && pair.1.files.is_empty() {
                return Err(Error::no_input(format!("no .sql or .json files in '{old}' or '{new}'"))
                    .help("--no-index reads .sql and .json files from the two directories"));
            }
            return Ok(pair);
        }
        Plan::Git { old, new } => (old, new),
    };
    let repo = Repo::discover(cwd)?;
    let sel = selection(&repo, &args.paths, settings)?;
    let old = read_want(&repo, &old, &sel)?;
    let new = read_want(&repo, &new, &sel)?;
    if old.files.is_empty() && new.files.is_empty() {
        return Err(nothing_matched(&sel, &format!("{} or {}", old.label, new.label)));
    }
    Ok((old, new))
}

/// One side for commands that look at a single schema (`inspect`): the
/// working tree by default, else the revision.
pub fn resolve_one(rev: Option<&str>, paths: &[String], settings: &Settings, cwd: &Path) -> Result<FileSet> {
    if let Some(rev) = rev {
        args::single_rev(rev)?;
    }
    let repo = Repo::discover(cwd)?;
    let sel = selection(&repo, paths, settings)?;
    let side = rev.map_or(Side::WorkTree, |r| Side::Rev(r.to_string()));
    let set = read_side(&repo, &side, &sel)?;
    if set.files.is_empty() {
        return Err(nothing_matched(&sel, &set.label));
    }
    Ok(set)
}

/// The schema files of one side (the working tree, the index or a
/// revision), for commands that judge one state (`check`). Unlike
/// [`resolve_one`], an empty side is not an error here: the caller decides.
pub fn read_schema_side(side: &Side, paths: &[String], settings: &Settings, cwd: &Path) -> Result<FileSet> {
    let repo = Repo::discover(cwd)?;
    let sel = selection(&repo, paths, settings)?;
    read_side(&repo, side, &sel)
}

/// Every file under the repository-relative directory `dir` at one side:
/// a migrations directory as that side holds it.
pub fn read_dir_side(side: &Side, dir: &str, cwd: &Path) -> Result<FileSet> {
    let repo = Repo::discover(cwd)?;
    read_side(&repo, side, &Selection::under(dir))
}

/// Where git looks for this repository's hooks: `core.hooksPath` when set
/// (relative to the work tree), else `hooks` in the common git directory
/// (shared by all work trees).
pub fn hooks_dir(cwd: &Path) -> Result<PathBuf> {
    let repo = Repo::discover(cwd)?;
    let root = repo.require_workdir("hooks directory")?;
    let configured = repo.repo.config_snapshot().string("core.hooksPath").map(|p| p.to_string());
    Ok(match configured {
        Some(p) if !p.is_empty() => {
            let p = match p.strip_prefix("~/") {
                Some(rest) => std::env::var_os("HOME").map_or_else(|| PathBuf::from(&p), |h| PathBuf::from(h).join(rest)),
                None => PathBuf::from(p),
            };
            root.join(p)
        }
        _ => repo.repo.common_dir().join("hooks"),
    })
}

/// The best common ancestor of two revisions, as a commit id.
pub fn merge_base(a: &str, b: &str, cwd: &Path) -> Result<String> {
    Ok(Repo::discover(cwd)?.merge_base(a, b)?.to_string())
}

/// Whether the index holds exactly HEAD's files under the schema selection
/// and under `dirs`: nothing staged touches them. Compares blob ids only,
/// which is what keeps a pre-commit hook with nothing to do fast.
pub fn staged_unchanged(paths: &[String], dirs: &[&str], settings: &Settings, cwd: &Path) -> Result<bool> {
    let repo = Repo::discover(cwd)?;
    let mut sels = vec![selection(&repo, paths, settings)?];
    sels.extend(dirs.iter().map(|d| Selection::under(d)));
    Ok(repo.blob_ids(&Side::Rev("HEAD".into()), &sels)? == repo.blob_ids(&Side::Index, &sels)?)
}

/// When the two sides named by `args` hold the same schema files with the
/// same blobs — told from git's object ids, without reading a blob — the two
/// sides, labelled but without their files; `None` whenever that cannot be
/// told so cheaply (the working tree, `--no-index`) or they differ.
pub fn same_blobs(args: &SourceArgs, settings: &Settings, cwd: &Path) -> Result<Option<(FileSet, FileSet)>> {
    let Plan::Git { old, new } = args::plan(args)? else { return Ok(None) };
    let repo = Repo::discover(cwd)?;
    let sels = [selection(&repo, &args.paths, settings)?];
    // A side as reading labels it, and as a side the ids can be told of.
    let side_of = |want: &Want| -> Result<(String, Side)> {
        Ok(match want {
            Want::Side(side) => (side.label(), side.clone()),
            Want::MergeBase(a, b) => (format!("merge-base({a}, {b})"), Side::Rev(repo.merge_base(a, b)?.to_string())),
        })
    };
    let ((old_label, old_side), (new_label, new_side)) = (side_of(&old)?, side_of(&new)?);
    let (Some(a), Some(b)) = (repo.blob_ids(&old_side, &sels)?, repo.blob_ids(&new_side, &sels)?) else { return Ok(None) };
    // Both empty is "no schema files", which reading reports.
    if a.is_empty() || a != b {
        return Ok(None);
    }
    let side = |label: String| FileSet { label, commit: None, files: Vec::new(), root: repo.workdir() };
    Ok(Some((side(old_label), side(new_label))))
}

/// The work tree root of the repository containing `cwd`, where
/// `schemashift.toml` lives; `None` outside a repository or in a bare one.
pub fn repo_root(cwd: &Path) -> Option<PathBuf> {
    gix::discover(cwd).ok()?.workdir().map(Path::to_path_buf)
}

/// `schemashift.toml` for this run, and the project root it belongs to:
/// from the work tree of the repository containing `cwd`; from HEAD's tree
/// in a bare repository, where the schema (and the file that says where it
/// is) only exists in commits; from `cwd` outside a repository (`--no-index`).
/// The root is the work tree, else `cwd`.
///
/// `explicit` (`SCHEMASHIFT_CONFIG`, relative to `cwd`) names the file to
/// read instead, wherever it is (a monorepo's `db/schemashift.toml`); the
/// root stays the work tree, and the paths in the file are relative to it.
pub fn read_config(cwd: &Path, explicit: Option<&Path>) -> Result<(PathBuf, Option<ConfigFile>)> {
    if let Some(path) = explicit {
        let root = repo_root(cwd).unwrap_or_else(|| cwd.to_path_buf());
        return Ok((root, Some(load_explicit(&cwd.join(path))?)));
    }
    // Not a repository (or a broken one) is not an error here: `--no-index`
    // needs none, and the sides report what is wrong when they read it.
    let Ok(repo) = Repo::discover(cwd) else {
        return Ok((cwd.to_path_buf(), load(cwd)?));
    };
    match repo.workdir() {
        Some(root) => {
            let file = load(&root)?;
            Ok((root, file))
        }
        None => {
            let origin = format!("HEAD:{CONFIG_FILE}");
            let file = match repo.head_file(CONFIG_FILE)? {
                Some(bytes) => Some(ConfigFile { config: Config::parse_bytes(&bytes, &origin)?, origin }),
                None => None,
            };
            Ok((cwd.to_path_buf(), file))
        }
    }
}

/// The configuration file `SCHEMASHIFT_CONFIG` names: it must be there.
fn load_explicit(path: &Path) -> Result<ConfigFile> {
    let origin = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        let message = format!("cannot read the configuration file {origin} (SCHEMASHIFT_CONFIG): {e}");
        let error = if e.kind() == std::io::ErrorKind::NotFound { Error::no_input(message) } else { Error::io(message) };
        error.help(format!("unset SCHEMASHIFT_CONFIG to read {CONFIG_FILE} at the repository root"))
    })?;
    Ok(ConfigFile { config: Config::parse_bytes(&bytes, &origin)?, origin })
}

fn load(root: &Path) -> Result<Option<ConfigFile>> {
    let origin = root.join(CONFIG_FILE).display().to_string();
    Ok(Config::load(root)?.map(|config| ConfigFile { config, origin }))
}

/// Pathspecs, else the config's globs, else the defaults.
fn selection(repo: &Repo, paths: &[String], settings: &Settings) -> Result<Selection> {
    if !paths.is_empty() {
        return Selection::pathspecs(paths, &repo.prefix, repo.workdir().as_deref());
    }
    match &settings.schema {
        Some(globs) => Selection::config(&globs.value, settings.config_file.as_deref().unwrap_or(CONFIG_FILE)),
        None => Ok(Selection::defaults()),
    }
}

fn read_want(repo: &Repo, want: &Want, sel: &Selection) -> Result<FileSet> {
    match want {
        Want::Side(side) => read_side(repo, side, sel),
        Want::MergeBase(a, b) => {
            let base = repo.merge_base(a, b)?;
            let tree = repo.resolve(&base.to_string())?.1;
            let label = format!("merge-base({a}, {b})");
            let files = match tree {
                Some(tree) => sorted(repo.read_tree(tree, sel, &format!("in {label}"))?),
                None => Vec::new(),
            };
            Ok(FileSet {
                label,
                commit: Some(base.to_string()),
                files,
                root: repo.workdir(),
            })
        }
    }
}

fn read_side(repo: &Repo, side: &Side, sel: &Selection) -> Result<FileSet> {
    let (commit, files) = match side {
        Side::WorkTree => (None, worktree::read(repo, sel)?),
        Side::Index => (None, repo.read_index(sel)?),
        Side::Rev(rev) => {
            let (commit, tree) = repo.resolve(rev)?;
            let files = match tree {
                Some(tree) => repo.read_tree(tree, sel, &format!("in {rev}"))?,
                None => Vec::new(),
            };
            (commit.map(|c| c.to_string()), files)
        }
    };
    Ok(FileSet { label: side.label(), commit, files: sorted(files), root: repo.workdir() })
}

/// Byte order of paths, the same on every platform and run.
pub(crate) fn sorted(mut files: Vec<SourceFile>) -> Vec<SourceFile> {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

fn nothing_matched(sel: &Selection, label: &str) -> Error {
    Error::no_input(format!("no schema files found in {label}: looked for {}", sel.describe())).help(format!(
        "name the files after `--`, e.g. `-- db/schema.sql` or `-- 'db/**/*.sql'`, \
         or set `schema = [\"db/**/*.sql\"]` in {CONFIG_FILE} at the repository root"
    ))
}

/// One file or directory read from disk without git (`inspect --no-index`).
pub fn read_no_index(arg: &str, cwd: &Path) -> Result<FileSet> {
    no_index::read(arg, cwd)
}
