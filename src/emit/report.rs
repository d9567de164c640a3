//! The JSON report of a diff: the up and down scripts, their steps with
//! their facts, the changes (and the objects rebuilt, with why), the copies
//! a `--preserve-data` plan keeps, and the warnings. A report formats the plan; it decides nothing.

use crate::error::Warning;
use crate::plan::Plan;
use serde::Serialize;

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
    /// The steps of each, with their facts: objects touched (with where
    /// each is defined), lock, work on the rows, transaction, data
    /// destroyed, online form.
    up_steps: &'p [crate::plan::Step],
    down_steps: &'p [crate::plan::Step],
    changes: Vec<JsonChange>,
    /// The copies the up keeps of what it destroys (`--preserve-data`):
    /// table, relation, column, reason.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    backups: &'p [crate::plan::Backup],
    warnings: Vec<JsonWarning>,
    /// The linter's verdict: level, counts per class, findings.
    lint: &'p crate::lint::Report,
}

/// The report as pretty-printed JSON, ending with a newline.
pub fn diff_json(plan: &Plan, warnings: &[Warning], lint: &crate::lint::Report) -> String {
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
    let warnings = warnings.iter().map(|w| JsonWarning { message: w.message.clone(), location: w.location.to_string() }).collect();
    let json = JsonOutput { up: plan.up_sql(), down: plan.down_sql(), up_steps: &plan.up, down_steps: &plan.down, changes, backups: &plan.backups, warnings, lint };
    serde_json::to_string_pretty(&json).expect("plain data serializes") + "\n"
}
