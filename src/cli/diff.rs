//! `schemashift diff [<rev> [<rev>]] [--staged] [--no-index <old> <new>] [-- paths]`.

use super::compare::Sources;
use crate::error::Result;
use crate::settings::Settings;
use clap::{Args, ValueEnum};
use std::path::Path;

#[derive(Args, Debug)]
pub struct DiffArgs {
    #[command(flatten)]
    pub sources: Sources,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Sql)]
    pub format: Format,
    /// Print the down migration instead of the up (with --format sql).
    #[arg(long, short = 'R')]
    pub reverse: bool,
    /// Exit with 1 when there are changes, like `git diff --exit-code`.
    #[arg(long)]
    pub exit_code: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The up migration (or the down, with --reverse).
    Sql,
    /// One JSON object: up, down, changes (with the objects rebuilt), warnings.
    Json,
}

pub fn run(args: DiffArgs, settings: &Settings, cwd: &Path) -> Result<i32> {
    let compared = args.sources.compare(settings, cwd)?;
    let plan = &compared.plan;
    compared.print_findings(settings);
    let out = match args.format {
        Format::Sql => {
            if args.reverse { plan.down_sql() } else { plan.up_sql() }
        }
        Format::Json => crate::emit::report::diff_json(plan, &compared.warnings, &compared.lint),
    };
    super::write_stdout(&out)?;
    let code = if args.exit_code && !plan.is_empty() { 1 } else { 0 };
    compared.drop_aside();
    Ok(code)
}
