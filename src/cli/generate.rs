//! `schemashift generate [sources] --name <slug> [--dir <dir>] [--framework <framework>]`.

use super::compare::{Compared, Sources};
use crate::error::Result;
use crate::generate::{self, Options, detect};
use crate::settings::{Flags, Settings};
use crate::source::FileSet;
use clap::Args;
use std::path::Path;

#[derive(Args, Debug)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub sources: Sources,
    /// What the migration does, used in its file name (e.g. `add_users_email`)
    /// [default: from the change, e.g. `create_table_reviews`].
    #[arg(long, short = 'n')]
    pub name: Option<String>,
    /// The migrations directory [default: from schemashift.toml, else detected].
    #[arg(long)]
    pub dir: Option<String>,
    /// The migration framework: plain, golang-migrate, goose, dbmate, flyway,
    /// sqlx, sqlx-simple, diesel, refinery, sql-migrate, atlas, liquibase,
    /// prisma, rails, django, alembic [default: from schemashift.toml, else detected].
    #[arg(long, value_name = "FRAMEWORK")]
    pub framework: Option<String>,
    /// The old spelling of --framework, kept working with a warning: in
    /// `diff` and `inspect`, --format is the output format.
    #[arg(long = "format", hide = true, conflicts_with = "framework", value_name = "FRAMEWORK")]
    pub deprecated_format: Option<String>,
    /// The new migration's version instead of the next one.
    #[arg(long)]
    pub version: Option<String>,
    /// Build indexes on existing tables with CREATE INDEX CONCURRENTLY (in a
    /// migration of their own, outside a transaction).
    #[arg(long)]
    pub concurrently: bool,
    /// Major version of the database server the migrations will run on
    /// (PostgreSQL before 12: ALTER TYPE … ADD VALUE runs outside a
    /// transaction) [default: a supported release].
    #[arg(long, value_name = "MAJOR")]
    pub server_version: Option<u32>,
    /// The old spelling of --server-version, kept working with a warning.
    #[arg(long = crate::settings::OLD_VERSION_FLAG, hide = true, conflicts_with = "server_version", value_name = "MAJOR")]
    pub deprecated_server_version: Option<u32>,
    /// Exit with 1 when a migration was written (for hooks: the author
    /// reviews and stages it, then commits again).
    #[arg(long)]
    pub exit_code: bool,
    /// Print the files that would be written, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Row counts and sizes per table, for the runbook's durations (see
    /// `schemashift runbook --stats`).
    #[arg(long, value_name = "FILE")]
    pub stats: Option<std::path::PathBuf>,
    /// Write the migration that drops every copy --preserve-data migrations
    /// kept (the schema schemashift_backup, with all in it), instead of a
    /// schema change: no schemas are read. Its down cannot bring the copies
    /// back.
    #[arg(long)]
    pub drop_backups: bool,
}

impl GenerateArgs {
    /// What these flags contribute to the run's [`Settings`].
    pub fn flags(&self) -> Flags {
        Flags {
            dir: self.dir.clone(),
            framework: self.framework.clone(),
            deprecated_format: self.deprecated_format.clone(),
            concurrently: self.concurrently,
            server_version: self.server_version,
            deprecated_server_version: self.deprecated_server_version,
            ..self.sources.flags()
        }
    }
}

pub fn run(args: GenerateArgs, settings: &Settings, cwd: &Path) -> Result<i32> {
    // Checked before any reading: bad arguments are the cheapest errors.
    if args.drop_backups {
        return drop_backups(&args, settings, cwd);
    }
    args.sources.source_args()?;
    if let Some(name) = &args.name {
        generate::sanitize_slug(name)?;
    }
    if let Some(v) = &args.version {
        generate::version::validate(v)?;
    }
    let choice = detect::configured(settings)?;

    if args.sources.staged && args.sources.revs.is_empty() && staged_untouched(&args, &choice, settings, cwd)? {
        return Ok(0);
    }
    let stats = args.stats.as_ref().map(|p| super::runbook::read_stats(&cwd.join(p))).transpose()?;
    let compared = match from_directory(&args, &choice, settings, cwd) {
        OldSide::ReadBack(schema, label) => args.sources.compare_from(*schema, label, settings, cwd)?,
        OldSide::Head => {
            let head = args.sources.with_revs(vec!["HEAD".into()]);
            Sources { staged: args.sources.staged, ..head }.compare(settings, cwd)?
        }
        OldSide::AsGiven => args.sources.compare(settings, cwd)?,
    };
    let Compared { old_files, new_files, old, new, plan, .. } = &compared;
    if plan.is_empty() {
        return unstaged(&args, &choice, settings, cwd);
    }
    compared.print_findings(settings);
    let opts = Options {
        name: args.name.clone().unwrap_or_else(|| generate::slug_for(&plan.changes)),
        version: args.version.clone(),
        header: header(old_files, new_files),
        // An online plan builds its indexes concurrently already; its down
        // does too where its migration runs outside a transaction.
        concurrent_indexes: settings.concurrent_indexes || settings.online.is_some(),
        server_version: settings.server_version,
        now: settings.now.value,
        lint: Some(compared.lint.clone()),
        stats,
        runbook_dir: settings.runbook_dir.clone(),
    };
    write(old, new, plan, &opts, &choice, args.dry_run, cwd)?;
    if old_files.label.ends_with(NO_MIGRATIONS_YET) {
        // A project adopting schemashift usually has a database already.
        super::note(&format!(
            "{} had no migrations: this first one creates the whole schema; on a database that already has it, \
             record it as applied in {} (a baseline) rather than running it",
            choice.dir.strip_prefix(cwd).unwrap_or(&choice.dir).display(),
            choice.format.name()
        ));
    }
    compared.drop_aside();
    // A fixer in a pre-commit hook fails when it wrote something, so that
    // the author reviews and stages it.
    Ok(if args.exit_code && !args.dry_run { 1 } else { 0 })
}

/// Nothing to write. In a hook (`--staged --exit-code`), a migration the
/// directory holds but the index does not would still be left out of the
/// commit: that fails, naming the files to stage.
fn unstaged(args: &GenerateArgs, choice: &detect::Choice, settings: &Settings, cwd: &Path) -> Result<i32> {
    if !(args.exit_code && args.sources.staged && args.sources.revs.is_empty()) {
        return Ok(0);
    }
    let files = crate::check::unstaged(choice, settings, cwd)?;
    if files.is_empty() {
        return Ok(0);
    }
    super::report(&crate::Error::data(format!("migration files are not staged: {}", files.join(", "))).help(format!("review them and stage them: `git add {}`", files.join(" "))));
    Ok(1)
}

/// `generate --staged` in a hook: nothing staged touches the schema or the
/// migrations directory, so there is nothing to write — told from blob ids
/// alone, without reading the schema.
fn staged_untouched(args: &GenerateArgs, choice: &detect::Choice, settings: &Settings, cwd: &Path) -> Result<bool> {
    let Ok(rel) = crate::check::snapshot::relative(&choice.dir, &settings.root) else { return Ok(false) };
    let untouched = crate::source::staged_unchanged(&args.sources.paths, &[&rel], settings, cwd)?;
    if untouched && !settings.quiet {
        super::note(&format!("nothing staged changes the schema or {}", if rel.is_empty() { "." } else { &rel }));
    }
    Ok(untouched)
}

/// `generate --drop-backups`: the migration that drops the backup schema.
/// It depends on no schema, so it reads none; like every migration, it is
/// verified by replaying it before it is written.
fn drop_backups(args: &GenerateArgs, settings: &Settings, cwd: &Path) -> Result<i32> {
    let sources = &args.sources;
    if !sources.revs.is_empty() || !sources.paths.is_empty() || sources.staged || sources.no_index || sources.online || sources.preserve_data || sources.phases {
        return Err(crate::Error::usage(
            "--drop-backups writes the migration that drops the backups; it compares no schemas: give no revisions, paths, --staged, --no-index, --online, --phases or --preserve-data with it",
        ));
    }
    let name = args.name.clone().unwrap_or_else(|| "drop_backups".to_string());
    generate::sanitize_slug(&name)?;
    if let Some(v) = &args.version {
        generate::version::validate(v)?;
    }
    let choice = detect::configured(settings)?;
    let dialect = settings.dialect.value;
    let plan = crate::dialect::drop_backups(dialect)?;
    let empty = crate::model::Schema::new(dialect);
    crate::plan::verify::verify(&empty, &empty, &plan)?;
    let opts = Options {
        name,
        version: args.version.clone(),
        header: format!(
            "Generated by schemashift {}: drops every copy that --preserve-data migrations kept in schema {}",
            env!("CARGO_PKG_VERSION"),
            crate::model::BACKUP_SCHEMA
        ),
        concurrent_indexes: false,
        server_version: settings.server_version,
        now: settings.now.value,
        // Dropping the backups is no schema change to write a runbook for.
        lint: None,
        stats: None,
        runbook_dir: None,
    };
    write(&empty, &empty, &plan, &opts, &choice, args.dry_run, cwd)?;
    Ok(0)
}

/// How the old side's label ends when the directory had no migrations.
const NO_MIGRATIONS_YET: &str = " (no migrations yet)";

/// What `generate` compares the schema with.
enum OldSide {
    /// The schema the migrations directory's migrations build, and a label.
    ReadBack(Box<crate::model::Schema>, String),
    /// HEAD, the directory's migrations being unreadable.
    Head,
    /// The sources as given (git diff's: the index, with none).
    AsGiven,
}

/// With no sources named, a migration generator's old side is where the
/// migrations directory leads: its migrations replayed. A directory with
/// no migrations yet leads to the empty schema (its first migration creates
/// everything); one that cannot be read back falls back to HEAD, and says so.
fn from_directory(args: &GenerateArgs, choice: &detect::Choice, settings: &Settings, cwd: &Path) -> OldSide {
    let s = &args.sources;
    // `--staged` alone names the new side (the index), not the old one: the
    // old side is still where the directory leads, so a pre-commit hook
    // never writes a change twice. `--staged HEAD` is git diff's.
    if !s.revs.is_empty() || s.no_index {
        return OldSide::AsGiven;
    }
    let shown = choice.dir.strip_prefix(cwd).unwrap_or(&choice.dir).to_path_buf();
    let new_side = if s.staged { "the index" } else { "the working tree" };
    let say = |why: String| super::warn(settings, &why);
    match choice.format.scan(&choice.dir) {
        // No migrations yet: the first one creates the whole schema.
        Ok(found) if found.is_empty() => OldSide::ReadBack(Box::new(crate::model::Schema::new(settings.dialect.value)), format!("{}{NO_MIGRATIONS_YET}", shown.display())),
        Err(e) => {
            say(format!("cannot read the migrations in {}: {}; generating from HEAD to {new_side}", shown.display(), e.message));
            OldSide::Head
        }
        Ok(_) => match crate::generate::read_back::read_migrations(&choice.dir, &shown, choice.format, settings.dialect.value) {
            Ok(schema) => OldSide::ReadBack(Box::new(schema), format!("{} (its migrations replayed)", shown.display())),
            Err(e) => {
                say(format!("cannot read the migrations in {} back ({}); generating from HEAD to {new_side}", shown.display(), e.line()));
                OldSide::Head
            }
        },
    }
}

/// Writes (or with `dry_run`, prints) the migrations of `plan` in the
/// chosen framework's layout, and says what it wrote.
fn write(old: &crate::model::Schema, new: &crate::model::Schema, plan: &crate::plan::Plan, opts: &Options, choice: &detect::Choice, dry_run: bool, cwd: &Path) -> Result<()> {
    if dry_run {
        let (_, files) = generate::render(old, new, plan, choice.format, &choice.dir, opts)?;
        let mut out = String::new();
        for f in &files {
            let path = choice.dir.join(&f.path);
            out.push_str(&format!("==> {} <==\n{}\n", path.strip_prefix(cwd).unwrap_or(&path).display(), String::from_utf8_lossy(&f.bytes)));
        }
        super::write_stdout(&out)?;
        super::note(&format!("dry run: nothing written ({})", choice.reason));
        return Ok(());
    }
    let written = generate::generate(old, new, plan, choice.format, &choice.dir, opts)?;
    let mut out = String::new();
    for w in &written {
        for f in &w.files {
            out.push_str(&format!("{}\n", f.strip_prefix(cwd).unwrap_or(f).display()));
        }
    }
    super::write_stdout(&out)?;
    super::note(&format!(
        "wrote {} {} migration{} ({})",
        written.len(),
        choice.format.name(),
        if written.len() == 1 { "" } else { "s" },
        choice.reason
    ));
    for note in written.iter().flat_map(|w| &w.notes) {
        super::note(note);
    }
    if written.len() > 1 {
        super::note("the change is split: statements that cannot share a transaction with the rest run in migrations of their own");
    }
    if written.iter().any(|w| w.down_without_file.is_some()) {
        // The SQL follows as it is, to be copied and run.
        super::note(&format!("{} has no down migrations; to roll back, run:", choice.format.name()));
        for w in written.iter().rev() {
            if let Some(down) = &w.down_without_file {
                eprint!("{down}");
            }
        }
    }
    Ok(())
}

/// `Generated by schemashift 0.1.0 from HEAD (1a2b3c4) to working tree`.
fn header(old: &FileSet, new: &FileSet) -> String {
    let side = |s: &FileSet| match &s.commit {
        Some(c) if !s.label.starts_with(&c[..7.min(c.len())]) => format!("{} ({})", s.label, &c[..7.min(c.len())]),
        _ => s.label.clone(),
    };
    format!("Generated by schemashift {} from {} to {}", env!("CARGO_PKG_VERSION"), side(old), side(new))
}

#[cfg(test)]
mod tests {
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn flags(args: &[&str]) -> Result<crate::settings::Flags, clap::Error> {
        let cli = Cli::try_parse_from(["schemashift", "generate", "--name", "x"].iter().chain(args))?;
        match cli.command {
            Command::Generate(g) => Ok(g.flags()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn server_version_and_its_old_spelling() {
        let f = flags(&["--server-version", "11"]).unwrap();
        assert_eq!((f.server_version, f.deprecated_server_version), (Some(11), None));
        let f = flags(&["--postgres-version", "11"]).unwrap();
        assert_eq!((f.server_version, f.deprecated_server_version), (None, Some(11)));
        assert!(flags(&["--postgres-version", "11", "--server-version", "12"]).is_err());
        let help = Cli::try_parse_from(["schemashift", "generate", "--help"]).unwrap_err().to_string();
        assert!(help.contains("--server-version <MAJOR>") && !help.contains("--postgres-version"), "{help}");
    }
}
