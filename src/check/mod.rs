//! `schemashift check`: are the migrations in step with the schema?
//!
//! The migrations directory, replayed, must give the schema of the side
//! checked (the working tree, the index, a revision) — the same read-back
//! `generate` starts from, so a drift here is exactly the migration
//! `generate` would write. With a base revision, [`base`] also checks what a
//! branch did to the directory: its migrations sort after the base's, the
//! base's are unchanged, `atlas.sum` matches.
//!
//! - [`snapshot`]: the directory as one side holds it;
//! - [`base`]: the rules against a base revision;
//! - [`renumber`]: moving a branch's migrations after the base's newest.

pub mod base;
pub mod renumber;
pub mod snapshot;

use crate::error::{Error, Result};
use crate::generate::detect::Choice;
use crate::plan::Plan;
use crate::settings::Settings;
use crate::source::{self, Side};
use snapshot::Snapshot;
use std::path::Path;

/// What the check found.
pub enum Outcome {
    /// Nothing staged touches the schema or the migrations: the commit
    /// cannot put them out of step.
    Untouched,
    /// The replayed directory gives the schema.
    InStep { dir: String, side: String },
    /// It does not: `plan` is the migration the directory lacks.
    Drift(Box<Drift>),
    /// The directory cannot be replayed (a history that starts from an
    /// existing database, SQL the reader refuses); only whether a change
    /// to the schema comes with a change to the directory was checked.
    Unreplayable { why: Error, schema_changed: bool, migrations_changed: bool, dir: String },
}

pub struct Drift {
    pub plan: Plan,
    pub lint: crate::lint::Report,
    /// The directory, as the user knows it.
    pub dir: String,
    /// The side checked: `the working tree`, `the index`, a revision.
    pub side: String,
    /// Files of the directory that differ between the working tree and the
    /// index, when the index was checked: a migration written but not staged.
    pub unstaged: Vec<String>,
}

/// The side a check reads when none is named: what is about to be committed
/// when a git hook runs it (git and the pre-commit framework say so in the
/// environment), else the working tree.
pub fn default_side() -> Side {
    let in_hook = std::env::var_os("PRE_COMMIT").is_some_and(|v| v == "1") || std::env::var_os("GIT_INDEX_FILE").is_some();
    if in_hook { Side::Index } else { Side::WorkTree }
}

/// Checks that the migrations in `choice.dir` lead to the schema at `side`.
pub fn check(side: &Side, paths: &[String], choice: &Choice, settings: &Settings, cwd: &Path) -> Result<Outcome> {
    let rel = snapshot::relative(&choice.dir, &settings.root)?;
    // A hook with nothing to do must not read and parse a large schema:
    // comparing blob ids in HEAD and the index is enough (BENCHMARKS.md).
    if *side == Side::Index && source::staged_unchanged(paths, &[&rel], settings, cwd)? {
        return Ok(Outcome::Untouched);
    }
    let dialect = settings.dialect.value;
    let files = source::read_schema_side(side, paths, settings, cwd)?;
    if files.files.is_empty() {
        // More often a wrong path or glob than a schema emptied on purpose:
        // a drift of "drop everything" would mislead.
        return Err(Error::no_input(format!("no schema files found in {}", side_name(side)))
            .help("name the files after `--`, e.g. `-- db/schema.sql`, or set `schema = [\"db/**/*.sql\"]` in schemashift.toml"));
    }
    let dir = Snapshot::at(side, choice, &settings.root, cwd)?;
    let replayed = dir
        .migrations(choice)
        .and_then(|_| crate::generate::read_back::read_migrations(&dir.dir, Path::new(&rel), choice.format, dialect))
        .map_err(|e| dir.relabel(e));
    let old = match replayed {
        Ok(schema) => schema,
        Err(why) => return unreplayable(why, side, paths, &rel, settings, cwd),
    };
    let (new, _) = crate::read::read_schema(&files.files, dialect)?;
    let plan = crate::plan::plan_with(&old, &new, &settings.plan_options())?;
    let shown = if rel.is_empty() { ".".to_string() } else { rel.clone() };
    if plan.is_empty() {
        return Ok(Outcome::InStep { dir: shown, side: side_name(side) });
    }
    let old_files = source::FileSet { label: format!("{shown} replayed"), commit: None, files: Vec::new(), root: files.root.clone() };
    let texts = crate::lint::Texts::new(&old_files, &files);
    let lint = crate::lint::lint(&old, &new, &plan, &settings.lint, &texts);
    let unstaged = if *side == Side::Index { unstaged_in(&dir, choice, settings, cwd)? } else { Vec::new() };
    Ok(Outcome::Drift(Box::new(Drift { plan, lint, dir: shown, side: side_name(side), unstaged })))
}

/// A side as a sentence names it: `the index`, `HEAD`.
fn side_name(side: &Side) -> String {
    match side {
        Side::Rev(rev) => rev.clone(),
        other => format!("the {}", other.label()),
    }
}

/// Files of the migrations directory in the working tree that the index
/// does not hold as they are: a migration written but not staged.
pub fn unstaged(choice: &Choice, settings: &Settings, cwd: &Path) -> Result<Vec<String>> {
    unstaged_in(&Snapshot::at(&Side::Index, choice, &settings.root, cwd)?, choice, settings, cwd)
}

fn unstaged_in(staged: &Snapshot, choice: &Choice, settings: &Settings, cwd: &Path) -> Result<Vec<String>> {
    let worktree = Snapshot::at(&Side::WorkTree, choice, &settings.root, cwd)?;
    Ok(worktree
        .files
        .iter()
        .filter(|(path, bytes)| staged.files.get(*path) != Some(*bytes))
        .map(|(path, _)| worktree.shown(Path::new(path)))
        .collect())
}

/// Without a replay, the one thing left to check: a schema change since
/// HEAD comes with a change to the migrations directory.
fn unreplayable(why: Error, side: &Side, paths: &[String], rel: &str, settings: &Settings, cwd: &Path) -> Result<Outcome> {
    let head = Side::Rev("HEAD".into());
    let schema_changed = !source::read_schema_side(&head, paths, settings, cwd)?.same_files(&source::read_schema_side(side, paths, settings, cwd)?);
    let migrations_changed = !source::read_dir_side(&head, rel, cwd)?.same_files(&source::read_dir_side(side, rel, cwd)?);
    Ok(Outcome::Unreplayable { why, schema_changed, migrations_changed, dir: rel.to_string() })
}
