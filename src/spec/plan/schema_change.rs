//! `schema_change`: the schema changes under a running application in
//! three phases. Expand adds what the new version needs beside what the old
//! one uses (catalog-only steps, constraints `NOT VALID`, indexes built
//! concurrently), so both versions run; migrate moves and converts the data
//! (the copy to a new server when the target is another one, backfills,
//! validations, type changes) and switches the dependencies; contract
//! removes what only the old version used. When revisions are named, the
//! phases are the real migration's transactions instead, each with its
//! steps and their lock facts.

use super::{Builder, Phase, Severity, list, quote_table};
use crate::model::quote_ident;
use crate::spec::embed::{Embedded, names_table, work_name};
use crate::throughput::{self, Assumption, human, number};
use crate::spec::{ConstraintType, SchemaChange, Table};
use crate::plan::facts::Work as StepWork;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Expand,
    Migrate,
    Contract,
}

/// What a piece of work costs: nothing but the catalog, or an amount of
/// the table at a throughput.
#[derive(Debug, Clone, Copy)]
enum Cost {
    Catalog,
    Rows(&'static Assumption),
    Megabytes(&'static Assumption),
}

/// One piece of work a stated change takes.
struct Work {
    stage: Stage,
    table: String,
    action: String,
    cost: Cost,
    /// Whether the application waits while it runs.
    blocks: bool,
}

const TIMELINE: &str = "schema changes";

pub(super) fn phases(b: &mut Builder) -> Vec<Phase> {
    match b.schema {
        Some(schema) => transactions(b, schema),
        None => by_stage(b),
    }
}

/// The three phases, from the changes the specification announces.
fn by_stage(b: &mut Builder) -> Vec<Phase> {
    let spec = b.spec;
    let mut works = Vec::new();
    let mut preflight = Vec::new();
    for (i, tc) in spec.schema_changes.iter().enumerate() {
        let Some(table) = b.table(&tc.table).cloned() else { continue };
        for (j, change) in tc.changes.iter().enumerate() {
            let from = format!("$.schema_changes[{i}].changes[{j}]");
            works.extend(assess(b, &table, change));
            let converts = match change {
                SchemaChange::ModifyColumn { old_type: Some(old), new_type, .. } => !keeps_values(b, old, new_type),
                _ => true,
            };
            if let Some(q) = preflight_query(&table, change).filter(|_| converts) {
                preflight.push((q, from));
            }
        }
    }
    let tables_changed: Vec<String> = spec.schema_changes.iter().map(|t| t.table.clone()).collect();
    let deps = b.dependencies().to_vec();
    let moves = b.moves_data();

    // Timeline first: the phases quote its figures.
    let copy_seconds = if moves { b.copy_estimates(&format!("copy to {}", spec.target)) } else { None };
    let mut blocking: Vec<(String, f64)> = Vec::new();
    let mut costs: Vec<String> = Vec::new();
    for w in &works {
        let table = b.table(&w.table).cloned().expect("assessed changes are on listed tables");
        let subject = format!("{}: {}", w.table, w.action);
        let seconds = match w.cost {
            Cost::Catalog => {
                b.entry(TIMELINE, &subject, "catalog only = 0 s", 0.0);
                0.0
            }
            Cost::Rows(by) => b.estimate(TIMELINE, &subject, table.row_count as f64, "rows", by),
            Cost::Megabytes(by) => b.estimate(TIMELINE, &subject, table.size_mb, "MB", by),
        };
        costs.push(match w.cost {
            Cost::Catalog => "catalog only".to_string(),
            _ => format!("about {}{}", human(seconds), if w.blocks { ", the application waiting" } else { ", reads and writes going on" }),
        });
        if w.blocks {
            blocking.push((subject, seconds));
        }
    }
    blocking_verdict(b, &blocking);
    if let Some(seconds) = copy_seconds {
        b.copy_verdicts(seconds, "replicate: an initial copy, then the changes streamed until the switch");
    }
    b.dependency_share("switch");

    let mut expand = Phase::new(
        "expand",
        format!(
            "add what the new version needs beside what the current one uses, so that both run against the schema{}",
            if moves { format!(", on {} built from the schema of {}", spec.target, spec.source) } else { String::new() }
        ),
    );
    let mut migrate = Phase::new(
        "migrate",
        if moves {
            format!(
                "move the data to {}, backfill and validate what expand added, and switch the dependencies within the {} downtime budget",
                spec.target,
                b.budget_text()
            )
        } else {
            "backfill and validate what expand added, and convert what changes type".to_string()
        },
    );
    let mut contract = Phase::new(
        "contract",
        if moves {
            format!("remove what only the old version used, once every dependency runs the new one, and retire {}", spec.source)
        } else {
            "remove what only the old version used, once every dependency runs the new one".to_string()
        },
    );
    if let Some(seconds) = copy_seconds {
        migrate.act(format!(
            "copy the data to {} (about {} at {} {}), then stream the changes until the replication lag is 0",
            spec.target,
            human(seconds),
            number(throughput::COPY.value),
            throughput::COPY.unit
        ));
    }
    if moves {
        expand.act(format!(
            "create the schema on {} as {} has it, then apply the expand changes there; the replication of {}'s rows starts after",
            spec.target, spec.source, spec.source
        ));
    }
    for (w, cost) in works.iter().zip(&costs) {
        let text = format!("{}: {} ({cost})", w.table, w.action);
        match w.stage {
            Stage::Expand => expand.act(text),
            Stage::Migrate => migrate.act(text),
            Stage::Contract => contract.act(text),
        }
    }
    if works.is_empty() {
        expand.act("the specification announces no schema change: expand adds nothing");
    }

    for (query, from) in &preflight {
        expand.gate_query(format!("pre-flight: {}", query.check), query.sql.clone(), query.expect);
        let fails = match query.expect {
            "succeeds" => "fails",
            "0" => "counts rows",
            _ => "returns rows",
        };
        expand.trigger(format!("the pre-flight query for {from} {fails}"), "stop before migrate: correct those rows, or the change", from.clone());
    }
    for t in &tables_changed {
        let added: Vec<String> = added_columns(spec, t);
        if !added.is_empty() {
            let names = added.iter().map(|c| format!("'{}'", c.replace('\'', "''"))).collect::<Vec<_>>().join(", ");
            let table_only = t.rsplit('.').next().unwrap_or(t);
            expand.gate_query(
                format!("{t}: the columns expand adds are there"),
                format!(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = '{}' AND column_name IN ({names});",
                    table_only.replace('\'', "''")
                ),
                format!("{} rows", added.len()),
            );
        }
    }
    if !deps.is_empty() {
        expand.gate(format!("each dependency still works against the expanded schema: {}", list(&deps)));
    }
    if !spec.schema_changes.is_empty() {
        expand.trigger(
            "a dependency fails against the expanded schema",
            "undo the expand changes (they are additions: dropping them loses nothing written by the old version)",
            "$.schema_changes",
        );
    }

    switch_actions(b, &mut migrate);
    let sides = if moves { format!("{} and {}", spec.source, spec.target) } else { "both sides of the migrate steps".to_string() };
    b.row_count_gates(&mut migrate, &sides);
    if moves {
        migrate.gate(format!("replication lag of {} behind {}: 0 once writes to {} stop, before any dependency switches", spec.target, spec.source, spec.source));
    }
    b.performance_gates(&mut migrate, &spec.target);
    let undo = if moves {
        format!("switch the dependencies back to {}, which has taken no writes since the switch began", spec.source)
    } else {
        "run the down migration of the migrate steps".to_string()
    };
    b.shared_triggers(&mut migrate, &undo);
    window_trigger(b, &mut migrate, &undo);
    if !spec.tables.is_empty() {
        migrate.trigger("a listed table's row count differs between the two sides", format!("do not switch; {undo}"), "$.tables_to_migrate");
    }

    if !works.iter().any(|w| w.stage == Stage::Contract) {
        contract.act("the specification drops nothing: contract removes no schema object");
    }
    if moves {
        contract.act(format!("keep {} read-only, as the way back, until contract's gates pass; then retire it", spec.source));
    }
    if !deps.is_empty() {
        contract.gate(format!("each dependency confirms it runs the new version: {}", list(&deps)));
    }
    for (i, tc) in spec.schema_changes.iter().enumerate() {
        for (j, c) in tc.changes.iter().enumerate() {
            if let SchemaChange::DropColumn { column } = c {
                contract.gate(format!("no query reads {}.{column} any more (the database's statement statistics show none since the switch)", tc.table));
                contract.trigger(
                    format!("a dependency fails on the dropped column {}.{column}", tc.table),
                    "add the column back and reload its values from the copy taken before the drop",
                    format!("$.schema_changes[{i}].changes[{j}]"),
                );
            }
        }
    }
    if moves {
        contract.trigger(
            format!("an error that needs the old system appears after the switch, while {} is kept", spec.source),
            format!("switch back to {}, replaying the writes made on {} since the switch", spec.source, spec.target),
            "$.source",
        );
    }
    schema_change_risks(b);
    vec![expand, migrate, contract]
}

/// The switch of the dependencies, in the migration window when one is
/// stated, and the feature flags that move the traffic.
fn switch_actions(b: &Builder, phase: &mut Phase) {
    let spec = b.spec;
    let deps = b.dependency_order();
    let deps = deps.as_slice();
    let when = match spec.business_continuity.as_ref().and_then(|bc| bc.preferred_migration_window.as_ref()) {
        Some(w) => format!("in the window {}–{} {}", w.start, w.end, w.timezone),
        None => "at the switch".to_string(),
    };
    if !deps.is_empty() {
        let share = spec.constraints.max_downtime_minutes / deps.len() as f64;
        let stop = if b.moves_data() { format!("stop writes on {}, wait for replication lag 0, then ", spec.source) } else { String::new() };
        phase.act(format!("{when}: {stop}switch the dependencies in this order, each within {} min: {}", number(share), list(deps)));
    }
    for f in &spec.feature_flags {
        let steps = f.rollout_schedule.iter().map(|s| format!("{} % for {} h", number(s.percentage), number(s.duration_hours))).collect::<Vec<_>>().join(", then ");
        phase.act(format!("feature flag {}: {steps}", f.name));
    }
}

fn window_trigger(b: &Builder, phase: &mut Phase, undo: &str) {
    let window = b.spec.business_continuity.as_ref().and_then(|bc| bc.preferred_migration_window.as_ref());
    if let Some(w) = window {
        let room = b.spec.business_continuity.as_ref().and_then(|bc| bc.critical_business_hours.as_ref()).map(|h| {
            let gap = (h.start.0 + 24 * 60 - w.end.0) % (24 * 60);
            format!(" ({} min before the business hours start at {})", gap, h.start)
        });
        phase.trigger(
            format!("it is {} {} (the window's end) and the switch is not complete{}", w.end, w.timezone, room.unwrap_or_default()),
            undo.to_string(),
            "$.business_continuity.preferred_migration_window.end",
        );
    }
}

/// The time the application waits, held against the downtime budget.
fn blocking_verdict(b: &mut Builder, blocking: &[(String, f64)]) {
    let total: f64 = blocking.iter().map(|(_, s)| s).sum();
    let budget = b.budget();
    let what = if blocking.is_empty() {
        "no step makes the application wait".to_string()
    } else {
        let sum = blocking.iter().map(|(_, s)| format!("{} s", number(*s))).collect::<Vec<_>>().join(" + ");
        format!("steps that make the application wait: {sum} = {}", human(total))
    };
    let fits = total <= budget;
    b.check(format!("{what}, against the {} downtime budget: {}", b.budget_text(), if fits { "fits" } else { "does not fit" }), fits);
    if !fits {
        let names = blocking.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        b.risk(
            Severity::High,
            format!("steps that block the application take {} in all, over the {} downtime budget: {}", human(total), b.budget_text(), list(&names)),
            vec!["plan them online (`schemashift plan --online` with the revisions: a new column, a trigger, a backfill and a swap instead of a rewrite)".into()],
        );
    }
}

/// What a stated change takes, stage by stage.
fn assess(b: &Builder, table: &Table, change: &SchemaChange) -> Vec<Work> {
    let work = |stage, action: String, cost, blocks| Work { stage, table: table.name.clone(), action, cost, blocks };
    match change {
        SchemaChange::AddColumn { column, data_type, nullable, default } => match (nullable, default) {
            (false, None) if table.row_count > 0 => vec![
                work(Stage::Expand, format!("add column {column} {data_type}, nullable at first"), Cost::Catalog, false),
                work(Stage::Migrate, format!("backfill {column}"), Cost::Rows(&throughput::BACKFILL), false),
                work(Stage::Migrate, format!("prove {column} NOT NULL with a CHECK validated while writes go on, then SET NOT NULL"), Cost::Rows(&throughput::SCAN), false),
            ],
            _ => {
                let how = match (nullable, default) {
                    (_, Some(d)) => format!(" DEFAULT {d}{}", if *nullable { "" } else { " NOT NULL" }),
                    (true, None) => ", nullable".to_string(),
                    (false, None) => " NOT NULL (the table is empty)".to_string(),
                };
                vec![work(Stage::Expand, format!("add column {column} {data_type}{how}"), Cost::Catalog, false)]
            }
        },
        SchemaChange::DropColumn { column } => vec![work(Stage::Contract, format!("drop column {column}, destroying its values"), Cost::Catalog, true)],
        SchemaChange::ModifyColumn { column, old_type, new_type } => {
            let keeps = old_type.as_deref().is_some_and(|old| keeps_values(b, old, new_type));
            let change = match old_type {
                Some(old) => format!("change {column} from {old} to {new_type}"),
                None => format!("change {column} to {new_type}"),
            };
            if keeps {
                vec![work(Stage::Migrate, format!("{change}: every value stays as stored"), Cost::Catalog, false)]
            } else {
                vec![work(Stage::Migrate, format!("{change}, rewriting the table"), Cost::Megabytes(&throughput::REWRITE), true)]
            }
        }
        SchemaChange::RenameColumn { column, new_name } => {
            vec![work(Stage::Migrate, format!("rename column {column} to {new_name}"), Cost::Catalog, true)]
        }
        SchemaChange::AddConstraint { constraint_type, constraint_name, definition, columns } => {
            let what = definition.clone().unwrap_or_else(|| format!("({})", columns.join(", ")));
            match constraint_type {
                ConstraintType::Check | ConstraintType::ForeignKey => vec![
                    work(Stage::Expand, format!("add {} {constraint_name} {what} NOT VALID: new rows are checked", constraint_type.name()), Cost::Catalog, false),
                    work(Stage::Migrate, format!("validate {constraint_name} against the existing rows"), Cost::Rows(&throughput::SCAN), false),
                ],
                ConstraintType::Unique | ConstraintType::PrimaryKey => vec![
                    work(Stage::Expand, format!("build the unique index of {constraint_name} {what} concurrently"), Cost::Rows(&throughput::INDEX_BUILD), false),
                    work(Stage::Expand, format!("add {} {constraint_name} using that index", constraint_type.name()), Cost::Catalog, false),
                ],
            }
        }
        SchemaChange::DropConstraint { constraint_name } => vec![work(Stage::Contract, format!("drop constraint {constraint_name}"), Cost::Catalog, false)],
        SchemaChange::AddIndex { index_name, columns, unique } => vec![work(
            Stage::Expand,
            format!("build {}index {index_name} ({}) concurrently", if *unique { "unique " } else { "" }, columns.join(", ")),
            Cost::Rows(&throughput::INDEX_BUILD),
            false,
        )],
        SchemaChange::DropIndex { index_name } => vec![work(Stage::Contract, format!("drop index {index_name} concurrently"), Cost::Catalog, false)],
    }
}

/// Whether changing a column from `old` to `new` keeps every stored value,
/// as the dialect judges it (`varchar(255)` → `text` does).
fn keeps_values(b: &Builder, old: &str, new: &str) -> bool {
    let canonical = |t: &str| {
        let t = crate::model::DataType::parse(&t.to_lowercase())?;
        Some(crate::dialect::snapshot_type(b.dialect, t).0)
    };
    match (canonical(old), canonical(new)) {
        (Some(o), Some(n)) => o == n || crate::dialect::binary_coercible(b.dialect, &o, &n),
        _ => false,
    }
}

/// A query to run before the change, and what it must return.
struct Query {
    /// What the query proves, for the gate.
    check: String,
    sql: String,
    expect: &'static str,
}

/// The rows that would make a stated change fail.
fn preflight_query(table: &Table, change: &SchemaChange) -> Option<Query> {
    let t = quote_table(&table.name);
    let duplicates = |columns: &[String], nulls_fail: bool| {
        let cols = columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>();
        let keys = cols.join(", ");
        if nulls_fail {
            let any_null = cols.iter().map(|c| format!("{c} IS NULL")).collect::<Vec<_>>().join(" OR ");
            format!("SELECT {keys}, count(*) FROM {t} GROUP BY {keys} HAVING count(*) > 1 OR {any_null} LIMIT 100;")
        } else {
            let not_null = cols.iter().map(|c| format!("{c} IS NOT NULL")).collect::<Vec<_>>().join(" AND ");
            format!("SELECT {keys}, count(*) FROM {t} WHERE {not_null} GROUP BY {keys} HAVING count(*) > 1 LIMIT 100;")
        }
    };
    let name = &table.name;
    let (check, sql) = match change {
        SchemaChange::AddConstraint { constraint_type: ConstraintType::Check, constraint_name, definition: Some(d), .. } => {
            (format!("no row of {name} breaks {constraint_name} ({d})"), format!("SELECT count(*) FROM {t} WHERE NOT ({d});"))
        }
        SchemaChange::AddConstraint { constraint_type: ConstraintType::Unique, constraint_name, columns, .. } if !columns.is_empty() => {
            (format!("no two rows of {name} share a key of {constraint_name} ({})", columns.join(", ")), duplicates(columns, false))
        }
        SchemaChange::AddConstraint { constraint_type: ConstraintType::PrimaryKey, constraint_name, columns, .. } if !columns.is_empty() => (
            format!("no two rows of {name} share a key of {constraint_name} ({}), and none is NULL", columns.join(", ")),
            duplicates(columns, true),
        ),
        SchemaChange::AddIndex { index_name, columns, unique: true } => {
            (format!("no two rows of {name} share a key of {index_name} ({})", columns.join(", ")), duplicates(columns, false))
        }
        SchemaChange::ModifyColumn { column, new_type, .. } => {
            // Fails exactly where the conversion would.
            return Some(Query {
                check: format!("every value of {name}.{column} converts to {new_type}"),
                sql: format!("SELECT count(CAST({} AS {new_type})) FROM {t};", quote_ident(column)),
                expect: "succeeds",
            });
        }
        _ => return None,
    };
    let expect = if sql.starts_with("SELECT count(*)") { "0" } else { "no rows" };
    Some(Query { check, sql, expect })
}

fn added_columns(spec: &crate::spec::Spec, table: &str) -> Vec<String> {
    spec.schema_changes
        .iter()
        .filter(|t| t.table == table)
        .flat_map(|t| &t.changes)
        .filter_map(|c| match c {
            SchemaChange::AddColumn { column, .. } => Some(column.clone()),
            _ => None,
        })
        .collect()
}

fn schema_change_risks(b: &mut Builder) {
    let spec = b.spec;
    let zero_loss = spec.constraints.special_requirements.iter().any(|r| r == "zero_data_loss");
    for tc in &spec.schema_changes {
        let Some(table) = spec.tables.iter().find(|t| t.name == tc.table) else { continue };
        for c in &tc.changes {
            match c {
                SchemaChange::AddColumn { column, nullable: false, default: None, .. } if table.row_count > 0 => b.risk(
                    Severity::High,
                    format!("{}.{column} is added NOT NULL without a default, and {} has {} rows: added as stated, it fails on the first row", tc.table, tc.table, table.row_count),
                    vec![
                        "add it nullable, backfill it, then prove NOT NULL with a validated CHECK (the plan's expand and migrate do)".into(),
                        format!("decide the value existing rows get: the specification gives {column} no default"),
                    ],
                ),
                SchemaChange::AddConstraint { constraint_type, constraint_name, definition, .. } => {
                    let what = definition.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
                    b.risk(
                        Severity::Medium,
                        format!("rows of {} ({} rows) may already break {} {constraint_name}{what}: its validation would fail", tc.table, table.row_count, constraint_type.name()),
                        vec![
                            "run the pre-flight query of expand and correct the rows it finds before migrate".into(),
                            "the constraint is added NOT VALID first, so new rows are checked while old ones are corrected".into(),
                        ],
                    );
                }
                SchemaChange::DropColumn { column } => b.risk(
                    if zero_loss { Severity::High } else { Severity::Medium },
                    format!(
                        "dropping {}.{column} destroys its values in {} rows{}",
                        tc.table,
                        table.row_count,
                        if zero_loss { ", against the zero_data_loss requirement" } else { "" }
                    ),
                    vec![format!("copy {}.{column} aside (a table of key and value) before contract, and keep it until the rollback window closes", tc.table)],
                ),
                SchemaChange::RenameColumn { column, new_name } => b.risk(
                    Severity::High,
                    format!("renaming {}.{column} to {new_name} breaks every dependency that reads it by its old name at the moment it runs", tc.table),
                    vec![
                        format!("expand with {new_name} kept in step with {column} by a trigger, move the dependencies ({}), then drop {column} in contract", list(b.dependencies())),
                    ],
                ),
                _ => {}
            }
        }
    }
    let deps = b.dependencies().to_vec();
    if !deps.is_empty() && b.moves_data() {
        let share = spec.constraints.max_downtime_minutes / deps.len() as f64;
        b.risk(
            Severity::Medium,
            format!("{} dependencies switch to {} within {} min: {} min each when done one after the other", deps.len(), spec.target, number(spec.constraints.max_downtime_minutes), number(share)),
            vec![
                "switch by configuration (a connection string, a DNS name, a pooler's target), not by redeploying".into(),
                format!("rehearse the switch of each against a copy, in the order of migrate: {}", list(&deps)),
            ],
        );
    }
}

/// The phases of the real migration: one per migration `generate` would
/// write (a transaction, or steps that must run outside one), with its steps.
fn transactions(b: &mut Builder, schema: &Embedded) -> Vec<Phase> {
    let spec = b.spec;
    let mut phases = Vec::new();
    let moves = b.moves_data();
    if moves {
        let seconds = b.copy_estimates(&format!("copy to {}", spec.target));
        if let Some(seconds) = seconds {
            b.copy_verdicts(seconds, "replicate: an initial copy, then the changes streamed until the switch");
        }
        let mut copy = Phase::new("copy", format!("bring the data to {} and keep it in step with {}", spec.target, spec.source));
        let about = seconds.map(|s| format!(" (about {})", human(s))).unwrap_or_default();
        copy.act(format!("copy the data{about}, then stream the changes until the replication lag is 0"));
        b.row_count_gates(&mut copy, &format!("{} and {}", spec.source, spec.target));
        copy.gate(format!("replication lag of {} behind {}: 0 once writes to {} stop", spec.target, spec.source, spec.source));
        copy.trigger("a listed table's row count differs between the two sides", format!("do not switch; {} stays the primary", spec.source), "$.tables_to_migrate");
        phases.push(copy);
    }
    let n = schema.groups.len();
    let mut blocking: Vec<(String, f64)> = Vec::new();
    let mut not_sized: Vec<String> = Vec::new();
    for (i, group) in schema.groups.iter().enumerate() {
        let name = format!("migration {} of {n}", i + 1);
        let goal = if group.transaction {
            format!("run {} step{} in one transaction: all of them or none", group.steps.len(), if group.steps.len() == 1 { "" } else { "s" })
        } else {
            "run outside a transaction block, as the database requires of these steps".to_string()
        };
        let mut phase = Phase::new(name, goal);
        phase.transaction = Some(group.transaction);
        phase.steps = group.steps.clone();
        for step in &group.steps {
            let lock = step.lock.as_ref().map_or("no lock on an existing table".to_string(), |l| l.describe());
            let mut estimate = String::new();
            if let Some(l) = &step.lock {
                match spec.tables.iter().find(|t| names_table(&t.name, &l.on)) {
                    Some(t) => {
                        let subject = format!("{}: {}", t.name, step.summary);
                        let seconds = match step.work {
                            StepWork::Metadata => {
                                b.entry(TIMELINE, &subject, "catalog only = 0 s", 0.0);
                                0.0
                            }
                            StepWork::Scan => b.estimate(TIMELINE, &subject, t.row_count as f64, "rows", &throughput::SCAN),
                            StepWork::Backfill => b.estimate(TIMELINE, &subject, t.row_count as f64, "rows", &throughput::BACKFILL),
                            StepWork::IndexBuild => b.estimate(TIMELINE, &subject, t.row_count as f64, "rows", &throughput::INDEX_BUILD),
                            StepWork::Rewrite => b.estimate(TIMELINE, &subject, t.size_mb, "MB", &throughput::REWRITE),
                        };
                        estimate = format!(", about {}", human(seconds));
                        if l.blocks_reads || l.blocks_writes {
                            blocking.push((subject, seconds));
                        }
                    }
                    None if step.work != StepWork::Metadata => not_sized.push(l.on.to_string()),
                    None => {}
                }
            }
            let destroys = step.destroys.as_deref().map(|d| format!("; destroys {d}")).unwrap_or_default();
            phase.act(format!("{}: {lock}; {}{estimate}{destroys}", step.summary, work_name(step.work)));
            if step.destroys.is_some() && spec.constraints.special_requirements.iter().any(|r| r == "zero_data_loss") {
                phase.gate(format!("{} is copied aside before this transaction (zero_data_loss)", step.destroys.as_deref().unwrap_or_default()));
            }
        }
        if i == 0 {
            for p in &schema.preflight {
                phase.gate_query(format!("pre-flight {} on {}", p.code, p.object), p.sql.clone(), p.expect);
            }
            if !schema.preflight.is_empty() {
                phase.trigger("a pre-flight query does not return what it must", "do not start: correct the rows it finds", "lint findings with a pre-flight query");
            }
        }
        let undo = if group.transaction {
            "roll back this transaction; run the down migration for the transactions committed before it"
        } else {
            "run the down migration for the steps that completed"
        };
        b.shared_triggers(&mut phase, undo);
        phases.push(phase);
    }
    if let Some(last) = phases.last_mut() {
        if !moves {
            b.row_count_gates(last, "both sides of the migration");
        }
        b.performance_gates(last, &spec.target);
        if !b.dependencies().is_empty() {
            last.gate(format!("each dependency works against the new schema: {}", list(b.dependencies())));
        }
    }
    if schema.groups.is_empty() {
        let mut same = Phase::new("no schema change", format!("the schemas of {} and {} are the same: nothing to run", schema.old, schema.new));
        b.performance_gates(&mut same, &spec.target);
        phases.push(same);
    }
    blocking_verdict(b, &blocking);
    b.dependency_share("switch");
    not_sized.sort();
    not_sized.dedup();
    if !not_sized.is_empty() {
        b.risk(
            Severity::Medium,
            format!("steps work on the rows of tables the specification does not size: {}; their time is not estimated", not_sized.join(", ")),
            vec!["add them to tables_to_migrate with their row counts and sizes".into()],
        );
    }
    announced_vs_diff(b, schema);
    phases
}

/// Each change the specification announces, looked for among the steps'
/// objects: one the migration does not make is a risk.
fn announced_vs_diff(b: &mut Builder, schema: &Embedded) {
    let spec = b.spec;
    let touched: Vec<&(String, String)> = schema.steps().flat_map(|s| &s.touches).collect();
    let has = |kind: &str, suffix: &str| touched.iter().any(|(k, n)| k == kind && (n.ends_with(&format!(".{suffix}")) || n == suffix));
    let mut missing = Vec::new();
    for tc in &spec.schema_changes {
        let t = tc.table.rsplit('.').next().unwrap_or(&tc.table);
        let column = |c: &str| format!("{}.{}", quote_ident(t), quote_ident(c));
        for c in &tc.changes {
            let found = match c {
                SchemaChange::AddColumn { column: c, .. }
                | SchemaChange::DropColumn { column: c }
                | SchemaChange::ModifyColumn { column: c, .. }
                | SchemaChange::RenameColumn { column: c, .. } => has("column", &column(c)),
                SchemaChange::AddConstraint { constraint_name: n, .. } | SchemaChange::DropConstraint { constraint_name: n } => has("constraint", &column(n)),
                SchemaChange::AddIndex { index_name: n, .. } | SchemaChange::DropIndex { index_name: n } => has("index", &quote_ident(n)),
            };
            if !found {
                missing.push(format!("{} {} on {}", c.type_name(), c.object(), tc.table));
            }
        }
    }
    if !missing.is_empty() {
        b.risk(
            Severity::Medium,
            format!("the specification announces changes the migration from {} to {} does not make: {}", schema.old, schema.new, missing.join(", ")),
            vec!["the plan follows the schema files: correct the specification's schema_changes, or the schema".into()],
        );
    }
}
