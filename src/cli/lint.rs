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
    let compared = args.sources.compare(settings, cwd)?;
    let report = &compared.lint;
    let texts = Texts::new(&compared.old_files, &compared.new_files);
    let color = args.format == Format::Text && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    super::write_stdout(&crate::emit::lint::render(report, &texts, args.format, color))?;
    let code = exit_code(report, threshold);
    compared.drop_aside();
    Ok(code)
}
