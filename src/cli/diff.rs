//! `schemashift diff [<rev> [<rev>]] [--staged] [--no-index <old> <new>] [-- paths]`.

use super::inspect::resolve_dialect;
use crate::error::{Error, Result};
use crate::source::{self, SourceArgs};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::Path;

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// Revisions, as for `git diff`: none (index → working tree), `<rev>`,
    /// `<a> <b>`, `<a>..<b>`, `<a>...<b>`; with --no-index, two paths.
    pub revs: Vec<String>,
    /// Compare HEAD with the index (staged changes).
    #[arg(long, alias = "cached")]
    pub staged: bool,
    /// Compare two files or directories on disk, without git.
    #[arg(long)]
    pub no_index: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Sql)]
    pub format: Format,
    /// Print the down migration instead of the up (with --format sql).
    #[arg(long, short = 'R')]
    pub reverse: bool,
    /// Exit with 1 when there are changes, like `git diff --exit-code`.
    #[arg(long)]
    pub exit_code: bool,
    /// SQL dialect of the schema files [default: from schemashift.toml, else postgres]
    #[arg(long)]
    pub dialect: Option<String>,
    /// Pathspecs choosing the schema files (globs), after `--`.
    #[arg(last = true)]
    pub paths: Vec<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The up migration (or the down, with --reverse).
    Sql,
    /// One JSON object: up, down, changes, warnings.
    Json,
}

#[derive(Serialize)]
struct JsonChange {
    kind: String,
    object: String,
    old_location: Option<String>,
    new_location: Option<String>,
}

#[derive(Serialize)]
struct JsonWarning {
    message: String,
    location: String,
}

#[derive(Serialize)]
struct JsonOutput {
    up: String,
    down: String,
    changes: Vec<JsonChange>,
    warnings: Vec<JsonWarning>,
}

pub fn run(args: DiffArgs, cwd: &Path) -> Result<i32> {
    let dialect = resolve_dialect(args.dialect.as_deref(), cwd)?;
    let (revs, paths) = if args.no_index {
        // `--no-index old new`: the two paths may come before or after `--`.
        let mut all = args.revs.clone();
        all.extend(args.paths.iter().cloned());
        (Vec::new(), all)
    } else {
        (args.revs.clone(), args.paths.clone())
    };
    if args.no_index && paths.len() != 2 {
        return Err(Error::usage("--no-index needs exactly two paths: <old> <new>"));
    }
    let source_args = SourceArgs { revs, staged: args.staged, no_index: args.no_index, paths };
    let (old_files, new_files) = source::resolve_pair(&source_args, cwd)?;
    // Both sides together: files the same on both are parsed once (BENCHMARKS.md).
    let ((old, old_warnings), (new, new_warnings)) = crate::read::read_pair(&old_files, &new_files, dialect)?;
    super::print_warnings(&old_warnings);
    super::print_warnings(&new_warnings);
    let plan = crate::plan::plan(&old, &new)?;
    super::print_warnings(&plan.warnings);
    if plan.is_empty() {
        eprintln!("no changes");
    }
    let out = match args.format {
        Format::Sql => {
            if args.reverse { plan.down_sql() } else { plan.up_sql() }
        }
        Format::Json => {
            let changes = plan
                .changes
                .iter()
                .map(|c| {
                    let kind = serde_json::to_value(c).ok().and_then(|v| v.get("kind").and_then(|k| k.as_str().map(str::to_string)));
                    let (o, n) = c.locations();
                    let loc = |l: Option<&crate::model::Location>| l.filter(|l| !l.is_unknown()).map(|l| l.to_string());
                    JsonChange { kind: kind.unwrap_or_default(), object: c.object(), old_location: loc(o), new_location: loc(n) }
                })
                .collect();
            let warnings = plan
                .warnings
                .iter()
                .map(|w| JsonWarning { message: w.message.clone(), location: w.location.to_string() })
                .collect();
            let json = JsonOutput { up: plan.up_sql(), down: plan.down_sql(), changes, warnings };
            serde_json::to_string_pretty(&json).expect("plain data serializes") + "\n"
        }
    };
    super::write_stdout(&out)?;
    // Freeing two models of a large schema takes a while (a tenth of a second
    // at 5,000 tables); the process is about to end, so it happens aside.
    std::thread::spawn(move || drop((old, new)));
    Ok(if args.exit_code && !plan.is_empty() { 1 } else { 0 })
}
