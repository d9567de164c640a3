//! `schemashift diff [<rev> [<rev>]] [--staged] [--no-index <old> <new>] [-- paths]`.

use super::compare::Sources;
use crate::error::Result;
use crate::settings::Settings;
use clap::{Args, ValueEnum};
use serde::Serialize;
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

#[derive(Serialize)]
struct JsonChange {
    kind: String,
    object: String,
    old_location: Option<String>,
    new_location: Option<String>,
    /// For an object rebuilt (`rebuild_view`, …): the change that reaches it.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Serialize)]
struct JsonWarning {
    message: String,
    location: String,
}

#[derive(Serialize)]
struct JsonOutput<'p> {
    up: String,
    down: String,
    /// The steps of each, with their facts: lock, work on the rows,
    /// transaction, data destroyed, online form.
    up_steps: &'p [crate::plan::Step],
    down_steps: &'p [crate::plan::Step],
    changes: Vec<JsonChange>,
    warnings: Vec<JsonWarning>,
}

pub fn run(args: DiffArgs, settings: &Settings, cwd: &Path) -> Result<i32> {
    let compared = args.sources.compare(settings, cwd)?;
    let plan = &compared.plan;
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
                    JsonChange { kind: kind.unwrap_or_default(), object: c.object(), old_location: loc(o), new_location: loc(n), reason: None }
                })
                .chain(plan.rebuilds.iter().map(|r| JsonChange {
                    kind: format!("rebuild_{}", r.kind.replace(' ', "_")),
                    object: r.object.clone(),
                    old_location: None,
                    new_location: None,
                    reason: Some(r.reason.clone()),
                }))
                .collect();
            let warnings = compared
                .warnings
                .iter()
                .map(|w| JsonWarning { message: w.message.clone(), location: w.location.to_string() })
                .collect();
            let json = JsonOutput { up: plan.up_sql(), down: plan.down_sql(), up_steps: &plan.up, down_steps: &plan.down, changes, warnings };
            serde_json::to_string_pretty(&json).expect("plain data serializes") + "\n"
        }
    };
    super::write_stdout(&out)?;
    let code = if args.exit_code && !plan.is_empty() { 1 } else { 0 };
    compared.drop_aside();
    Ok(code)
}
