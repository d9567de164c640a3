//! `schemashift runbook [sources] [--format markdown|json] [--stats <file>]`.

use super::compare::{Compared, Sources};
use crate::error::Result;
use crate::runbook::{self, Stats};
use crate::settings::Settings;
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct RunbookArgs {
    #[command(flatten)]
    pub sources: Sources,
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: Format,
    /// Row counts and sizes per table (JSON: a list of {"name", "row_count",
    /// "size_mb"}, or an object with it as `tables_to_migrate`), for how long
    /// each step holds its lock.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// For people: a Markdown document.
    Markdown,
    /// For machines: the same content.
    Json,
}

pub fn run(args: RunbookArgs, settings: &Settings, cwd: &Path) -> Result<i32> {
    args.sources.source_args()?;
    // Read before the schemas: a wrong path is the cheapest error.
    let stats = args.stats.as_ref().map(|p| read_stats(&cwd.join(p))).transpose()?;
    let compared = args.sources.compare(settings, cwd)?;
    let Compared { old, new, plan, lint, old_files, new_files, .. } = &compared;
    if plan.is_empty() {
        return Ok(0);
    }
    let rules = crate::generate::segment::Rules::new(false, new.dialect, settings.server_version);
    let units = crate::generate::units(old, new, plan, rules, settings.concurrent_indexes || settings.online.is_some())?;
    let input = runbook::Input {
        title: format!("{} → {}", old_files.label, new_files.label),
        old,
        new,
        plan,
        lint,
        units: &units,
        stats: stats.as_ref(),
    };
    let book = runbook::build(&input);
    let out = match args.format {
        Format::Markdown => runbook::render::markdown(&book),
        Format::Json => serde_json::to_string_pretty(&book).expect("the runbook serializes") + "\n",
    };
    super::write_stdout(&out)?;
    Ok(0)
}

/// `--stats <file>`, read and checked.
pub fn read_stats(path: &Path) -> Result<Stats> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| crate::Error::usage(format!("cannot read --stats {}: {e}", path.display())))?;
    Stats::parse(&text, &path.display().to_string())
}
