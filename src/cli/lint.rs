//! `schemashift lint [<rev> [<rev>]] [--staged] [--no-index <old> <new>] [-- paths]`:
//! the findings of the linter on the change between two schemas.
//!
//! Exit code: 0 when no finding reaches the `--fail-on` class
//! (default `potentially-breaking`), else 2 when the worst is breaking and
//! 1 otherwise.

use super::compare::Sources;
use crate::emit::lint::{Format, Texts};
use crate::error::Result;
use crate::lint::{Class, Report};
use crate::settings::{Settings, parse_fail_on};
use clap::Args;
use std::io::IsTerminal;
use std::path::Path;

#[derive(Args, Debug)]
pub struct LintArgs {
    #[command(flatten)]
    pub sources: Sources,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The lowest class that makes the exit code non-zero: breaking,
    /// potentially-breaking, non-breaking, additive, or never
    /// [default: `[lint] fail_on` in schemashift.toml, else potentially-breaking].
    #[arg(long)]
    pub fail_on: Option<String>,
    /// Lint hand-written migration files instead of a schema change: a
    /// migrations directory (its framework detected) or files, in order.
    #[arg(long, num_args = 1.., value_name = "DIR|FILES")]
    pub migrations: Vec<std::path::PathBuf>,
}

/// The exit code for a report under a threshold.
pub fn exit_code(report: &Report, threshold: Option<Class>) -> i32 {
    match (report.worst(), threshold) {
        (Some(worst), Some(t)) if worst >= t => {
            if worst == Class::Breaking { 2 } else { 1 }
        }
        _ => 0,
    }
}

pub fn run(args: LintArgs, settings: &Settings, cwd: &Path) -> Result<i32> {
    let threshold = match &args.fail_on {
        Some(text) => parse_fail_on(text, "--fail-on")?,
        None => settings.fail_on.unwrap_or(Some(Class::PotentiallyBreaking)),
    };
    if !args.migrations.is_empty() {
        if !args.sources.revs.is_empty() || args.sources.staged || args.sources.no_index {
            return Err(crate::Error::usage("--migrations lints migration files: give no revisions, --staged or --no-index with it"));
        }
        if args.sources.online {
            return Err(crate::Error::usage("--online plans a migration; --migrations lints the migrations as written, with no plan to make online")
                .help("leave out --online, or lint the schema change instead: `schemashift lint --online [revisions]`"));
        }
        if args.sources.preserve_data {
            return Err(crate::Error::usage("--preserve-data plans a migration; --migrations lints the migrations as written, with no plan to keep copies in")
                .help("leave out --preserve-data, or lint the schema change instead: `schemashift lint --preserve-data [revisions]`"));
        }
        let migrations = read_migrations(&args.migrations, settings, cwd)?;
        let (report, texts) = crate::lint::migrations::lint_migrations(&migrations, settings.dialect.value, &settings.lint)?;
        let color = args.format == Format::Text && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        super::write_stdout(&crate::emit::lint::render(&report, &texts, args.format, color))?;
        return Ok(exit_code(&report, threshold));
    }
    let compared = args.sources.compare(settings, cwd)?;
    let report = &compared.lint;
    let texts = Texts::new(&compared.old_files, &compared.new_files);
    let color = args.format == Format::Text && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    super::write_stdout(&crate::emit::lint::render(report, &texts, args.format, color))?;
    let code = exit_code(report, threshold);
    compared.drop_aside();
    Ok(code)
}

/// The up SQL of each migration, oldest first: a directory in its
/// framework's order (detected, or `framework` from the settings), or files
/// in the order given.
fn read_migrations(paths: &[std::path::PathBuf], settings: &Settings, cwd: &Path) -> Result<Vec<crate::lint::migrations::Migration>> {
    use crate::lint::migrations::Migration;
    let shown = |p: &Path| p.display().to_string();
    if let [dir] = paths {
        let full = cwd.join(dir);
        if full.is_dir() {
            let choice = crate::generate::detect::choose(&settings.root, Some(&full), settings.framework()?)?;
            let mut out = Vec::new();
            for e in choice.format.scan(&full)? {
                let sql = choice.format.read_up(&full, &e)?;
                out.push(Migration { label: shown(&dir.join(&e.paths[0])), sql });
            }
            return Ok(out);
        }
    }
    paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(cwd.join(p)).map_err(|e| {
                crate::Error::no_input(format!("cannot read migration {}: {e}", p.display()))
            })?;
            Ok(Migration { label: shown(p), sql: String::from_utf8_lossy(&bytes).into_owned() })
        })
        .collect()
}
