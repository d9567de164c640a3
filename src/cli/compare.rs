//! What `diff` and `generate` share: two schemas named like `git diff`
//! names its sides, read, and the verified plan between them.

use crate::error::{Error, Result};
use crate::model::Schema;
use crate::plan::Plan;
use crate::settings::{Flags, Settings};
use crate::source::{self, FileSet, SourceArgs};
use clap::Args;
use std::path::Path;

#[derive(Args, Debug)]
pub struct Sources {
    /// Revisions, as for `git diff`: none (index → working tree), `<rev>`,
    /// `<a> <b>`, `<a>..<b>`, `<a>...<b>`; with --no-index, two paths.
    pub revs: Vec<String>,
    /// Compare HEAD with the index (staged changes).
    #[arg(long, alias = "cached")]
    pub staged: bool,
    /// Compare two files or directories on disk, without git.
    #[arg(long)]
    pub no_index: bool,
    /// SQL dialect of the schema files [default: from schemashift.toml, else postgres]
    #[arg(long)]
    pub dialect: Option<String>,
    /// Allow the new schema to be empty: the migration then drops every
    /// object of the old one.
    #[arg(long)]
    pub allow_empty: bool,
    /// Plan the forms that keep reads and writes going on tables that hold
    /// rows (PostgreSQL): indexes built and dropped CONCURRENTLY, keys and
    /// checks added NOT VALID and validated later, NOT NULL proved by a
    /// check, UNIQUE and PRIMARY KEY over concurrent indexes, type changes
    /// through a new column, lock_timeout and statement_timeout set first.
    #[arg(long)]
    pub online: bool,
    /// Plan in phases an application can be deployed between (PostgreSQL):
    /// the online plan, with what drops or renames what the old application
    /// uses in a contract phase after the rest, and a renamed column kept
    /// under both names until then. `generate` writes each phase as
    /// migrations of its own (`…_expand`, `…_contract`).
    #[arg(long)]
    pub phases: bool,
    /// Keep a copy of the data the migration destroys (a dropped table or
    /// column, values a type change alters, rows holding removed enum
    /// labels) in the schema schemashift_backup, and make the down put it
    /// back; `generate --drop-backups` writes the migration that drops the
    /// copies.
    #[arg(long)]
    pub preserve_data: bool,
    /// Pathspecs choosing the schema files (globs), after `--`.
    #[arg(last = true)]
    pub paths: Vec<String>,
}

/// Two schemas and the migration between them.
pub struct Compared {
    pub old_files: FileSet,
    pub new_files: FileSet,
    pub old: Schema,
    pub new: Schema,
    pub plan: Plan,
    /// The new schema's warnings and the migration's, as printed.
    pub warnings: Vec<crate::Warning>,
    /// The linter's verdict on the migration.
    pub lint: crate::lint::Report,
}

impl Sources {
    /// What these flags contribute to the run's [`Settings`].
    pub fn flags(&self) -> Flags {
        Flags {
            dialect: self.dialect.clone(),
            allow_empty: self.allow_empty,
            online: self.online,
            phases: self.phases,
            preserve_data: self.preserve_data,
            ..Flags::default()
        }
    }

    /// The same sources, with these revisions instead.
    pub fn with_revs(&self, revs: Vec<String>) -> Sources {
        Sources { revs, staged: false, no_index: false, dialect: self.dialect.clone(), paths: self.paths.clone(), ..*self }
    }

    /// Checks the arguments without reading anything.
    pub fn source_args(&self) -> Result<SourceArgs> {
        let (revs, paths) = if self.no_index {
            // `--no-index old new`: the two paths may come before or after `--`.
            let mut all = self.revs.clone();
            all.extend(self.paths.iter().cloned());
            (Vec::new(), all)
        } else {
            (self.revs.clone(), self.paths.clone())
        };
        if self.no_index && paths.len() != 2 {
            return Err(Error::usage("--no-index needs exactly two paths: <old> <new>"));
        }
        Ok(SourceArgs { revs, staged: self.staged, no_index: self.no_index, paths })
    }

    /// Reads both sides and plans the migration; warnings go to standard
    /// error, and so does "no changes".
    pub fn compare(&self, settings: &Settings, cwd: &Path) -> Result<Compared> {
        let args = self.source_args()?;
        // A hook with nothing staged: git's object ids say the sides are the
        // same, and no blob is read (BENCHMARKS.md, hook_5000).
        if let Some((old_files, new_files)) = source::same_blobs(&args, settings, cwd)? {
            let empty = || Schema::new(settings.dialect.value);
            return Self::compared(old_files, empty(), new_files, empty(), Vec::new(), settings, "no changes");
        }
        let (old_files, new_files) = source::resolve_pair(&args, settings, cwd)?;
        if old_files.same_files(&new_files) {
            // Byte for byte the same files: the same schema, whatever it
            // holds, so nothing is parsed (a hook with nothing staged).
            let empty = || Schema::new(settings.dialect.value);
            return Self::compared(old_files, empty(), new_files, empty(), Vec::new(), settings, "no changes");
        }
        // Both sides together: files the same on both are parsed once (BENCHMARKS.md).
        let ((old, old_warnings), (new, new_warnings)) = crate::read::read_pair(&old_files, &new_files, settings.dialect.value)?;
        let _ = old_warnings;
        Self::compared(old_files, old, new_files, new, new_warnings, settings, "no changes")
    }

    /// [`Self::compare`] from a schema already read (the state a migrations
    /// directory leads to, `old_label` saying so) to the working tree, or
    /// with `--staged` to the index.
    pub fn compare_from(&self, old: Schema, old_label: String, settings: &Settings, cwd: &Path) -> Result<Compared> {
        let side = if self.staged { source::Side::Index } else { source::Side::WorkTree };
        let new_files = source::read_schema_side(&side, &self.paths, settings, cwd)?;
        if new_files.files.is_empty() && old.is_empty() {
            return Err(Error::no_input(format!("no schema files found in the {}", new_files.label))
                .help("name the files after `--`, e.g. `-- db/schema.sql`, or set `schema` in schemashift.toml"));
        }
        let (new, new_warnings) = crate::read::read_schema(&new_files.files, settings.dialect.value)?;
        let old_files = FileSet { label: old_label, commit: None, files: Vec::new(), root: new_files.root.clone() };
        let up_to_date = format!("migrations are up to date: {} gives the schema of the {}", old_files.label, new_files.label);
        Self::compared(old_files, old, new_files, new, new_warnings, settings, &up_to_date)
    }

    /// The plan and the lint verdict between two schemas read; `unchanged`
    /// is said when they are equal.
    fn compared(
        old_files: FileSet,
        old: Schema,
        new_files: FileSet,
        new: Schema,
        new_warnings: Vec<crate::Warning>,
        settings: &Settings,
        unchanged: &str,
    ) -> Result<Compared> {
        if new.is_empty() && !old.is_empty() && !settings.allow_empty {
            return Err(emptied(&old_files, &old, &new_files));
        }
        // What the new schema says about itself, and what the migration
        // says: the old schema's own notes were shown when it was new.
        let plan = crate::plan::plan_with(&old, &new, &settings.plan_options())?;
        let mut warnings = new_warnings;
        for w in &plan.warnings {
            if !warnings.iter().any(|x| x.message == w.message && x.location.same_place(&w.location)) {
                warnings.push(w.clone());
            }
        }
        super::print_warnings(settings, &warnings);
        if plan.is_empty() {
            super::note(unchanged);
        }
        let texts = crate::lint::Texts::new(&old_files, &new_files);
        let lint = crate::lint::lint(&old, &new, &plan, &lint_options(settings), &texts);
        Ok(Compared { old_files, new_files, old, new, plan, warnings, lint })
    }
}

/// What the run's settings say about linting.
pub fn lint_options(settings: &Settings) -> crate::lint::Options {
    settings.lint.clone()
}

impl Compared {
    /// The findings that can break something (potentially breaking and
    /// up), one line each, on standard error (for `diff` and `generate`,
    /// whose standard output is the migration); `lint` and the JSON report
    /// have them all.
    pub fn print_findings(&self, settings: &Settings) {
        if settings.quiet {
            return;
        }
        for f in self.lint.findings.iter().filter(|f| f.class >= crate::lint::Class::PotentiallyBreaking) {
            super::warn(settings, &crate::emit::lint::one_line(f));
        }
    }

    /// Frees the two models aside: for a large schema that takes a while, and
    /// the process is about to end.
    pub fn drop_aside(self) {
        std::thread::spawn(move || drop(self));
    }
}

/// The new side holds nothing while the old one has objects: more often a
/// wrong path, revision or pathspec (or a file emptied by mistake) than a
/// wish to drop everything, so it is refused unless said explicitly.
fn emptied(old_files: &FileSet, old: &Schema, new_files: &FileSet) -> Error {
    let what = if new_files.files.is_empty() { "has no schema files" } else { "holds no objects" };
    let error = Error::data(format!(
        "the new schema ({}) {what}, while the old one ({}) has {}: the migration would drop all of it",
        new_files.label,
        old_files.label,
        old.summary()
    ))
    .help("check the revision and the schema paths; if dropping everything is meant, pass --allow-empty");
    match new_files.files.first() {
        Some(f) => error.at(crate::model::Location::new(&f.path, 1, 1)),
        None => error,
    }
}
