//! `schemashift generate [sources] --name <slug> [--dir <dir>] [--format <framework>]`.

use super::inspect::resolve_dialect;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::generate::{self, Options, detect};
use crate::source::{self, FileSet, SourceArgs};
use clap::Args;
use std::path::Path;

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Revisions, as for `git diff`: none (HEAD → working tree), `<rev>`,
    /// `<a> <b>`, `<a>..<b>`, `<a>...<b>`; with --no-index, two paths.
    pub revs: Vec<String>,
    /// What the migration does, used in its file name (e.g. `add_users_email`).
    #[arg(long, short = 'n')]
    pub name: String,
    /// The migrations directory [default: from schemashift.toml, else detected].
    #[arg(long)]
    pub dir: Option<String>,
    /// The migration framework: plain, golang-migrate, goose, dbmate, flyway,
    /// sqlx, sqlx-simple, diesel, refinery, sql-migrate, atlas, liquibase,
    /// prisma, rails, django, alembic [default: from schemashift.toml, else detected].
    #[arg(long)]
    pub format: Option<String>,
    /// The new migration's version instead of the next one.
    #[arg(long)]
    pub version: Option<String>,
    /// Build indexes on existing tables with CREATE INDEX CONCURRENTLY (in a
    /// migration of their own, outside a transaction).
    #[arg(long)]
    pub concurrently: bool,
    /// Major version of the PostgreSQL the migrations will run on; before 12,
    /// ALTER TYPE … ADD VALUE runs outside a transaction [default: 12 or later].
    #[arg(long, value_name = "MAJOR")]
    pub postgres_version: Option<u32>,
    /// Print the files that would be written, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Compare HEAD with the index (staged changes).
    #[arg(long, alias = "cached")]
    pub staged: bool,
    /// Compare two files or directories on disk, without git.
    #[arg(long)]
    pub no_index: bool,
    /// SQL dialect of the schema files [default: from schemashift.toml, else postgres]
    #[arg(long)]
    pub dialect: Option<String>,
    /// Pathspecs choosing the schema files (globs), after `--`.
    #[arg(last = true)]
    pub paths: Vec<String>,
}

pub fn run(args: GenerateArgs, cwd: &Path) -> Result<i32> {
    let dialect = resolve_dialect(args.dialect.as_deref(), cwd)?;
    let root = source::repo_root(cwd).unwrap_or_else(|| cwd.to_path_buf());
    let config = Config::load(&root)?.unwrap_or_default();
    let (revs, paths) = if args.no_index {
        let mut all = args.revs.clone();
        all.extend(args.paths.iter().cloned());
        (Vec::new(), all)
    } else {
        (args.revs.clone(), args.paths.clone())
    };
    if args.no_index && paths.len() != 2 {
        return Err(Error::usage("--no-index needs exactly two paths: <old> <new>"));
    }
    // Checked before any reading: a bad name or version is the cheapest error.
    generate::sanitize_slug(&args.name)?;
    if let Some(v) = &args.version {
        generate::version::validate(v)?;
    }
    let choice = detect::choose(&root, cwd, args.dir.as_deref(), config.dir.as_deref(), args.format.as_deref().or(config.format.as_deref()))?;

    let source_args = SourceArgs { revs, staged: args.staged, no_index: args.no_index, paths };
    let (old_files, new_files) = source::resolve_pair(&source_args, cwd)?;
    let (old, old_warnings) = crate::read::read_files(&old_files, dialect)?;
    let (new, new_warnings) = crate::read::read_files(&new_files, dialect)?;
    super::print_warnings(&old_warnings);
    super::print_warnings(&new_warnings);
    let plan = crate::plan::plan(&old, &new)?;
    super::print_warnings(&plan.warnings);
    if plan.is_empty() {
        eprintln!("no changes");
        return Ok(0);
    }
    let opts = Options {
        name: args.name.clone(),
        version: args.version.clone(),
        header: header(&old_files, &new_files),
        concurrent_indexes: args.concurrently || config.concurrent_indexes.unwrap_or(false),
        postgres_version: args.postgres_version.or(config.postgres_version),
        now: generate::version::now(),
    };
    if args.dry_run {
        let (_, files) = generate::render(&old, &new, &plan, choice.format, &choice.dir, &opts)?;
        let mut out = String::new();
        for f in &files {
            let path = choice.dir.join(&f.path);
            out.push_str(&format!("==> {} <==\n{}\n", path.strip_prefix(cwd).unwrap_or(&path).display(), String::from_utf8_lossy(&f.bytes)));
        }
        super::write_stdout(&out)?;
        eprintln!("dry run: nothing written ({})", choice.reason);
        return Ok(0);
    }
    let written = generate::generate(&old, &new, &plan, choice.format, &choice.dir, &opts)?;
    let mut out = String::new();
    for w in &written {
        for f in &w.files {
            out.push_str(&format!("{}\n", f.strip_prefix(cwd).unwrap_or(f).display()));
        }
    }
    super::write_stdout(&out)?;
    eprintln!(
        "wrote {} {} migration{} ({})",
        written.len(),
        choice.format.name(),
        if written.len() == 1 { "" } else { "s" },
        choice.reason
    );
    for note in written.iter().flat_map(|w| &w.notes) {
        eprintln!("{note}");
    }
    if written.len() > 1 {
        eprintln!("the change is split: statements that cannot share a transaction with the rest run in migrations of their own");
    }
    if written.iter().any(|w| w.down_without_file.is_some()) {
        eprintln!("{} has no down migrations; to roll back, run:", choice.format.name());
        for w in written.iter().rev() {
            if let Some(down) = &w.down_without_file {
                eprint!("{down}");
            }
        }
    }
    Ok(0)
}

/// `Generated by schemashift 0.1.0 from HEAD (1a2b3c4) to working tree`.
fn header(old: &FileSet, new: &FileSet) -> String {
    let side = |s: &FileSet| match &s.commit {
        Some(c) if !s.label.starts_with(&c[..7.min(c.len())]) => format!("{} ({})", s.label, &c[..7.min(c.len())]),
        _ => s.label.clone(),
    };
    format!("Generated by schemashift {} from {} to {}", env!("CARGO_PKG_VERSION"), side(old), side(new))
}
