//! The rollback runbook of one schema change: what it does and how risky it
//! is, what to check before running it, each step with its lock and how
//! long it may hold it, the deploy order around the application, and the
//! way back — all derived from this change's plan, its steps' facts and the
//! linter's findings, never from a template with blanks.
//!
//! [`build`] gathers it; [`render`] prints it as Markdown (JSON is the
//! same struct serialized). `generate` writes it beside the migration;
//! `schemashift runbook` prints it.

pub mod estimate;
pub mod render;
pub mod stats;

use crate::diff::Change;
use crate::generate::Unit;
use crate::lint::{Class, Level, Report};
use crate::model::{QName, Schema, quote_ident, quote_literal};
use crate::plan::facts::Work;
use crate::plan::{Action, Object, Plan, Step};
use estimate::Estimate;
use serde::Serialize;
pub use stats::Stats;

/// Everything the runbook is made from.
pub struct Input<'a> {
    /// What the change is called (the migration's name, or the revisions).
    pub title: String,
    pub old: &'a Schema,
    pub new: &'a Schema,
    pub plan: &'a Plan,
    pub lint: &'a Report,
    /// The migrations the change is written as, in order.
    pub units: &'a [Unit],
    pub stats: Option<&'a Stats>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Runbook {
    pub title: String,
    pub summary: Summary,
    pub preflight: Vec<Check>,
    pub steps: Vec<StepEntry>,
    pub phases: Vec<Phase>,
    /// Whether the plan's order lets the phases run apart, one after the other.
    pub phases_in_order: bool,
    pub rollback: Rollback,
    pub triggers: Vec<String>,
    /// The rates behind the estimates (empty without `--stats`).
    pub assumptions: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub changes: Vec<String>,
    pub counts: std::collections::BTreeMap<&'static str, usize>,
    pub level: Level,
    /// Whether the down gives back everything the up takes.
    pub lossless_rollback: bool,
    /// The step that blocks the most, and why.
    pub riskiest: Option<String>,
}

/// A query to run, and what it must return.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub about: String,
    pub why: String,
    pub sql: String,
    pub expect: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepEntry {
    /// 1-based, in the order the steps run.
    pub number: usize,
    pub summary: String,
    /// Which migration (1-based) the step is in.
    pub migration: usize,
    pub up: String,
    /// The down steps that undo it; one that undoes many steps at once
    /// (`DROP TABLE a, b, …`) abbreviated, as the migration's down has it whole.
    pub down: Vec<String>,
    /// Their places in the plan's down.
    #[serde(skip)]
    pub undo: Vec<usize>,
    pub lock: Option<String>,
    pub work: Work,
    pub rewrites_table: bool,
    pub in_transaction: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<Estimate>,
    /// What the down cannot give back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cannot_restore: Option<String>,
    pub phase: PhaseName,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseName {
    /// Safe before the new application is deployed: the old one keeps working.
    Expand,
    /// Backfills and validations: the data is brought in line.
    Migrate,
    /// Only once the new application is live everywhere.
    Contract,
}

impl PhaseName {
    pub fn title(self) -> &'static str {
        match self {
            PhaseName::Expand => "expand",
            PhaseName::Migrate => "migrate",
            PhaseName::Contract => "contract",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub name: PhaseName,
    /// Step numbers.
    pub steps: Vec<usize>,
    /// What the application must do before this phase runs.
    pub before: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rollback {
    /// The down of each migration, in the order they are run back (last first).
    pub migrations: Vec<MigrationDown>,
    /// When the phases run apart: the down steps that undo what ran, for
    /// each phase the deployment may have stopped after.
    pub after_phase: Vec<PhaseDown>,
    /// How to get data back that the down cannot.
    pub restore: Vec<Restore>,
    /// What can make the down fail, or lose what the new application wrote
    /// (the rollback lint rules' findings).
    pub risks: Vec<String>,
    /// Catalog queries that prove the database is back to the old schema.
    pub validation: Vec<Check>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseDown {
    /// The last phase that ran.
    pub reached: PhaseName,
    /// The down steps, in the order they run.
    pub sql: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MigrationDown {
    pub migration: usize,
    pub in_transaction: bool,
    pub sql: String,
}

/// Builds the runbook.
pub fn build(input: &Input) -> Runbook {
    let changes = &input.plan.changes;
    let classes: Vec<Class> = input.lint.changes.iter().map(|c| c.class).collect();
    let class_of = |i: Option<usize>| i.and_then(|i| classes.get(i).copied());

    // The steps, numbered across the migrations.
    let mut steps = Vec::new();
    let session = input.plan.session.len();
    let undoers = Undoers::new(&input.plan.down);
    for (m, unit) in input.units.iter().enumerate() {
        let skip = if unit.up.len() >= session && unit.up[..session] == input.plan.session[..] { session } else { 0 };
        for s in &unit.up[skip..] {
            let change = change_of(s, changes);
            let phase = phase_of(s, change.map(|i| &changes[i]), class_of(change));
            let table = s.facts.lock.as_ref().map(|l| &l.on);
            let undo = undoers.of(s);
            let duration = table.zip(input.stats).and_then(|(t, st)| st.of(t).and_then(|ts| estimate::estimate(s.facts.work, &t.to_string(), ts)));
            steps.push(StepEntry {
                number: steps.len() + 1,
                summary: s.summary.clone(),
                migration: m + 1,
                up: s.sql.clone(),
                down: undo.iter().map(|&i| abbreviated(&input.plan.down[i].sql)).collect(),
                undo,
                lock: s.facts.lock.as_ref().map(|l| format!("{} on {}", l.level, l.on)),
                work: s.facts.work,
                rewrites_table: s.facts.work == Work::Rewrite,
                in_transaction: unit.transaction,
                duration,
                // Data kept in a backup table (--preserve-data) the down puts back.
                cannot_restore: s.facts.destroys.as_ref().filter(|d| d.backed_up_in.is_none()).map(|d| match d.columns.as_slice() {
                    [] => format!("every row of {}", d.relation),
                    cols => format!("the values of {} in {}", cols.join(", "), d.relation),
                }),
                phase,
            });
        }
    }

    let preflight = preflight(input.lint);

    let phases_in_order = steps.windows(2).all(|w| w[0].phase <= w[1].phase) || phases_can_run_apart(input, &steps);
    let phases = phases(&steps, changes, &classes);
    let losses: Vec<&StepEntry> = steps.iter().filter(|s| s.cannot_restore.is_some()).collect();
    let lossy_findings = input.lint.findings.iter().any(|f| f.rule == "rollback-loses-data");
    let summary = Summary {
        changes: changes.iter().zip(&classes).map(|(c, class)| format!("{} {} ({})", kind_words(c), c.object(), class.name())).collect(),
        counts: input.lint.counts.clone(),
        level: input.lint.level,
        lossless_rollback: losses.is_empty() && !lossy_findings,
        riskiest: riskiest(&steps),
    };
    let rollback = Rollback {
        migrations: input
            .units
            .iter()
            .enumerate()
            .rev()
            .map(|(i, u)| MigrationDown { migration: i + 1, in_transaction: u.transaction, sql: crate::plan::script(&u.down) })
            .collect(),
        after_phase: if phases_in_order { after_phase(&steps, &input.plan.down, &phases) } else { Vec::new() },
        restore: restore(input, &losses),
        risks: input
            .lint
            .findings
            .iter()
            .filter(|f| ["rollback-fails-on-new-data", "rollback-drops-new-data"].contains(&f.rule))
            .map(|f| f.message.clone())
            .collect(),
        validation: validation(input),
    };
    let triggers = triggers(&steps, &preflight_count(input.lint));
    let assumptions = if steps.iter().any(|s| s.duration.is_some()) { estimate::assumptions() } else { Vec::new() };
    Runbook { title: input.title.clone(), summary, preflight, steps, phases, phases_in_order, rollback, triggers, assumptions }
}

/// The queries to run before the migration, one per finding that has one:
/// what the runbook and the pull request comment list as pre-flight checks.
pub fn preflight(lint: &Report) -> Vec<Check> {
    lint.findings
        .iter()
        .filter_map(|f| {
            f.preflight.as_ref().map(|p| Check { about: f.object.clone(), why: f.message.clone(), sql: p.sql.clone(), expect: p.expect.to_string() })
        })
        .collect()
}

fn preflight_count(lint: &Report) -> Vec<String> {
    lint.findings.iter().filter(|f| f.preflight.is_some()).map(|f| f.object.clone()).collect()
}

/// `add column`, `drop table`, … from the change's kind.
fn kind_words(c: &Change) -> String {
    crate::lint::change_kind(c).replace('_', " ")
}

/// The name as reports write it, without quotes, for matching.
fn bare(name: &str) -> String {
    name.replace('"', "")
}

/// The change a step belongs to: the one whose object the step creates,
/// drops, renames or alters (the most specific: a column before its table).
/// The pull request comment reads each change's locks through it too.
pub fn change_of(step: &Step, changes: &[Change]) -> Option<usize> {
    let names: Vec<String> = step.facts.touches.iter().filter(|t| t.action != Action::Use).map(|t| bare(&t.object.name())).collect();
    let objects: Vec<String> = changes.iter().map(|c| bare(&c.object())).collect();
    // Touches name the specific object after its table: try them from the last.
    names.iter().rev().find_map(|n| objects.iter().position(|o| o == n))
}

/// Which phase a step belongs in: backfills and validations migrate the
/// data; what removes or renames something the old application uses is
/// contract; tightening a column's rules (NOT NULL, a key, a type) waits
/// for the data too; the rest is expand.
fn phase_of(step: &Step, change: Option<&Change>, class: Option<Class>) -> PhaseName {
    // A change planned in phases says which steps wait for the contract.
    if step.facts.contract {
        return PhaseName::Contract;
    }
    if step.facts.work == Work::Backfill || step.sql.contains(" VALIDATE CONSTRAINT ") {
        return PhaseName::Migrate;
    }
    let Some(change) = change else { return PhaseName::Expand };
    let kind = crate::lint::change_kind(change);
    if kind.starts_with("drop_") || kind.starts_with("rename_") || class == Some(Class::Breaking) {
        return PhaseName::Contract;
    }
    match class {
        Some(Class::PotentiallyBreaking) => PhaseName::Migrate,
        _ => PhaseName::Expand,
    }
}

/// The down steps by the objects they act on, to find those that undo an
/// up step without comparing every up step with every down step (a first
/// migration creating thousands of tables has one DROP for all of them).
struct Undoers<'a>(std::collections::HashMap<&'a Object, Vec<usize>>);

impl<'a> Undoers<'a> {
    fn new(down: &'a [Step]) -> Undoers<'a> {
        let mut by: std::collections::HashMap<&Object, Vec<usize>> = Default::default();
        for (i, d) in down.iter().enumerate() {
            for t in d.facts.touches.iter().filter(|t| t.action != Action::Use) {
                let list = by.entry(&t.object).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        Undoers(by)
    }

    /// The down steps that undo `up`, in the down's order: those acting on
    /// what it created, dropped, renamed or altered (its tables only when it
    /// acts on nothing else, so that an index's undo is not every step on its table).
    fn of(&self, up: &Step) -> Vec<usize> {
        let acted = || up.facts.touches.iter().filter(|t| t.action != Action::Use);
        let objects: Vec<&Object> = acted().filter(|t| !matches!(t.object, Object::Table(_))).map(|t| &t.object).collect();
        let objects = if objects.is_empty() { acted().map(|t| &t.object).collect() } else { objects };
        let mut out: Vec<usize> = objects.iter().filter_map(|o| self.0.get(o)).flatten().copied().collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// A down statement as a step quotes it: whole when short, else its start,
/// since the migration's down (under Rollback) has it whole.
fn abbreviated(sql: &str) -> String {
    const LIMIT: usize = 400;
    if sql.len() <= LIMIT {
        return sql.to_string();
    }
    let cut = (0..=200).rev().find(|&i| sql.is_char_boundary(i)).unwrap_or(0);
    format!("{} … -- {} characters in all; the whole statement is in the migration's down", &sql[..cut], sql.len())
}

fn phases(steps: &[StepEntry], changes: &[Change], classes: &[Class]) -> Vec<Phase> {
    let mut out = Vec::new();
    for name in [PhaseName::Expand, PhaseName::Migrate, PhaseName::Contract] {
        let numbers: Vec<usize> = steps.iter().filter(|s| s.phase == name).map(|s| s.number).collect();
        if numbers.is_empty() {
            continue;
        }
        let mut before = Vec::new();
        for (c, class) in changes.iter().zip(classes) {
            if let Some(line) = duty(c, *class, name) {
                before.push(line);
            }
        }
        out.push(Phase { name, steps: numbers, before });
    }
    out
}

/// What the application must do before `phase` for change `c`.
fn duty(c: &Change, class: Class, phase: PhaseName) -> Option<String> {
    use Change::*;
    match (phase, c) {
        (PhaseName::Migrate, AlterColumn { table, from, to }) if from.nullable && !to.nullable => {
            Some(format!("every running release writes a value into {table}.{} (it becomes NOT NULL)", to.name))
        }
        (PhaseName::Migrate, AlterColumn { table, from, to }) if from.data_type != to.data_type => Some(format!(
            "every running release reads and writes {table}.{} as {} as well as {} (its type changes)",
            to.name, to.data_type, from.data_type
        )),
        (PhaseName::Migrate, AddConstraint { table, constraint }) => {
            Some(format!("every running release writes rows that satisfy {} on {table} (it is enforced from now on)", constraint.name))
        }
        (PhaseName::Contract, DropColumn { table, column }) => {
            Some(format!("no running release reads or writes {table}.{} (it is dropped); deploy the new application everywhere first", column.name))
        }
        (PhaseName::Contract, DropTable { table }) => Some(format!("no running release uses {} (it is dropped)", table.name)),
        (PhaseName::Contract, RenameColumn { table, from, to }) => {
            Some(format!("every running release uses {table}.{to}, not {table}.{from} (renamed)"))
        }
        (PhaseName::Contract, RenameTable { from, to }) => Some(format!("every running release uses {to}, not {from} (renamed)")),
        (PhaseName::Expand, _) if class <= Class::NonBreaking => None,
        _ => None,
    }
}

/// Whether the steps, taken phase by phase (each phase's in the planned
/// order), still give the new schema: replayed like any plan.
fn phases_can_run_apart(input: &Input, steps: &[StepEntry]) -> bool {
    let mut ordered: Vec<&StepEntry> = steps.iter().collect();
    ordered.sort_by_key(|s| (s.phase, s.number));
    let sql: String = ordered.iter().map(|s| format!("{}\n", s.up)).collect();
    crate::plan::verify::replays_to(input.old, input.new, &sql)
}

/// For each phase but the last, the down steps undoing the steps of the
/// phases up to it, in the down's order (after the last, the whole down).
fn after_phase(steps: &[StepEntry], down: &[Step], phases: &[Phase]) -> Vec<PhaseDown> {
    let mut out = Vec::new();
    for p in phases.iter().take(phases.len().saturating_sub(1)) {
        let undo: std::collections::BTreeSet<usize> = steps.iter().filter(|s| s.phase <= p.name).flat_map(|s| s.undo.iter().copied()).collect();
        let sql: Vec<String> = undo.iter().map(|&i| down[i].sql.clone()).collect();
        out.push(PhaseDown { reached: p.name, sql });
    }
    out
}

/// Step numbers, runs of three or more as ranges: `1, 4–9, 12`.
fn ranges(numbers: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let mut j = i;
        while j + 1 < numbers.len() && numbers[j + 1] == numbers[j] + 1 {
            j += 1;
        }
        if j >= i + 2 {
            parts.push(format!("{}–{}", numbers[i], numbers[j]));
        } else {
            parts.extend(numbers[i..=j].iter().map(|n| n.to_string()));
        }
        i = j + 1;
    }
    parts.join(", ")
}

/// The step that blocks the most: the strongest lock held the longest.
fn riskiest(steps: &[StepEntry]) -> Option<String> {
    let rank = |s: &StepEntry| {
        let lock = match s.lock.as_deref().map(|l| l.split(" on ").next().unwrap_or("")) {
            Some("ACCESS EXCLUSIVE") => 4,
            Some("EXCLUSIVE") | Some("SHARE ROW EXCLUSIVE") => 3,
            Some("SHARE") => 2,
            Some(_) => 1,
            None => 0,
        };
        (s.work != Work::Metadata, lock, s.duration.as_ref().map_or(0, |d| d.seconds as u64), s.work)
    };
    let s = steps.iter().filter(|s| s.lock.is_some()).max_by_key(|s| rank(s))?;
    let held = match (&s.duration, s.work) {
        (Some(d), _) => format!("for about {}", estimate::duration(d.seconds)),
        (None, Work::Metadata) => "briefly (catalog only)".to_string(),
        (None, w) => format!("while it does {} work on every row", work_words(w)),
    };
    Some(format!("step {} ({}): {} {held}", s.number, s.summary, s.lock.as_deref().unwrap_or("")))
}

pub fn work_words(w: Work) -> &'static str {
    match w {
        Work::Metadata => "catalog-only",
        Work::Scan => "scan",
        Work::Backfill => "backfill",
        Work::IndexBuild => "index build",
        Work::Rewrite => "rewrite",
    }
}

/// How to get back what the down cannot: export before, import after.
fn restore(input: &Input, losses: &[&StepEntry]) -> Vec<Restore> {
    let mut out = Vec::new();
    for s in losses {
        let Some(step) = input.units.iter().flat_map(|u| &u.up).find(|u| u.sql == s.up) else { continue };
        let Some(d) = &step.facts.destroys else { continue };
        let rel = &d.relation;
        let file = format!("{}_{}{}", rel.schema, rel.name, d.columns.iter().map(|c| format!("_{c}")).collect::<String>());
        if d.columns.is_empty() {
            out.push(Restore {
                what: format!("{rel} is dropped with its rows by step {}; the down creates it empty", s.number),
                before: Some(format!("pg_dump --data-only --table={rel} > {file}.sql")),
                after: Some(format!("psql -f {file}.sql")),
            });
            continue;
        }
        let cols: Vec<String> = d.columns.iter().map(|c| quote_ident(c)).collect();
        let what = format!("the values of {} in {rel} are lost by step {}; the down adds the column{} back empty", d.columns.join(", "), s.number, if cols.len() == 1 { "" } else { "s" });
        match input.old.tables.get(rel).and_then(primary_key) {
            Some(key) => {
                let keys: Vec<String> = key.iter().map(|c| quote_ident(c)).collect();
                let join: Vec<String> = keys.iter().map(|k| format!("t.{k} = b.{k}")).collect();
                let set: Vec<String> = cols.iter().map(|c| format!("{c} = b.{c}")).collect();
                let both = format!("{}, {}", keys.join(", "), cols.join(", "));
                out.push(Restore {
                    what,
                    before: Some(format!("\\copy (SELECT {both} FROM {rel}) TO '{file}.csv' WITH (FORMAT csv)")),
                    after: Some(format!(
                        "CREATE TEMP TABLE b AS SELECT {both} FROM {rel} WITH NO DATA;\n\\copy b FROM '{file}.csv' WITH (FORMAT csv)\nUPDATE {rel} t SET {} FROM b WHERE {};",
                        set.join(", "),
                        join.join(" AND ")
                    )),
                });
            }
            None => out.push(Restore {
                what: format!("{what}, and {rel} has no primary key to put them back by: keep a copy of the whole table and restore it"),
                before: Some(format!("pg_dump --data-only --table={rel} > {file}.sql")),
                after: None,
            }),
        }
    }
    // What the steps' facts already cover, the rule's findings need not repeat.
    let covered: Vec<String> = losses
        .iter()
        .flat_map(|s| input.units.iter().flat_map(|u| &u.up).filter(move |u| u.sql == s.up))
        .filter_map(|u| u.facts.destroys.as_ref())
        .flat_map(|d| {
            let whole = std::iter::once(d.relation.to_string());
            whole.chain(d.columns.iter().map(move |c| format!("{}.{c}", d.relation)))
        })
        .map(|n| bare(&n))
        .collect();
    for f in input.lint.findings.iter().filter(|f| f.rule == "rollback-loses-data") {
        if !covered.contains(&bare(&f.object)) {
            out.push(Restore { what: format!("{}: {}", f.object, f.message), before: None, after: None });
        }
    }
    out
}

/// Data the down cannot give back, and the commands that keep it.
#[derive(Debug, Clone, Serialize)]
pub struct Restore {
    pub what: String,
    /// Run before the migration (psql or shell).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Run after the down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

fn primary_key(t: &crate::model::Table) -> Option<Vec<String>> {
    t.constraints.values().find_map(|c| match &c.kind {
        crate::model::ConstraintKind::PrimaryKey { columns, .. } => Some(columns.clone()),
        _ => None,
    })
}

/// Catalog queries whose results tell the old schema from the new one, as
/// the old schema gives them: after the down, each must return what it says.
fn validation(input: &Input) -> Vec<Check> {
    use Change::*;
    let mut out = Vec::new();
    let regclass = |q: &QName| quote_literal(&q.to_string());
    let exists = |about: String, sql: String, there: bool| Check {
        about,
        why: if there { "the old schema has it".into() } else { "the old schema does not have it".into() },
        sql,
        expect: if there { "t".into() } else { "f".into() },
    };
    let column = |t: &QName, c: &str| {
        format!(
            "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass({}) AND attname = {} AND NOT attisdropped);",
            regclass(t),
            quote_literal(c)
        )
    };
    for c in &input.plan.changes {
        match c {
            CreateTable { table } => out.push(exists(format!("table {}", table.name), format!("SELECT to_regclass({}) IS NOT NULL;", regclass(&table.name)), false)),
            DropTable { table } => out.push(exists(format!("table {}", table.name), format!("SELECT to_regclass({}) IS NOT NULL;", regclass(&table.name)), true)),
            AddColumn { table, column: col } => out.push(exists(format!("column {table}.{}", col.name), column(table, &col.name), false)),
            DropColumn { table, column: col } => out.push(exists(format!("column {table}.{}", col.name), column(table, &col.name), true)),
            AlterColumn { table, from, to } => {
                let attribute = |what: &str| {
                    format!(
                        "SELECT {what} FROM pg_attribute WHERE attrelid = to_regclass({}) AND attname = {};",
                        regclass(table),
                        quote_literal(&to.name)
                    )
                };
                if from.data_type != to.data_type {
                    out.push(Check {
                        about: format!("type of {table}.{}", to.name),
                        why: "the old schema's type".into(),
                        sql: attribute("format_type(atttypid, atttypmod)"),
                        expect: from.data_type.to_string(),
                    });
                }
                if from.nullable != to.nullable {
                    out.push(Check {
                        about: format!("NOT NULL of {table}.{}", to.name),
                        why: "the old schema's NULL-ability".into(),
                        sql: attribute("attnotnull"),
                        expect: if from.nullable { "f".into() } else { "t".into() },
                    });
                }
            }
            AddConstraint { table, constraint } | DropConstraint { table, constraint } => {
                let there = matches!(c, DropConstraint { .. });
                let sql = format!(
                    "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass({}) AND conname = {});",
                    regclass(table),
                    quote_literal(&constraint.name)
                );
                out.push(exists(format!("constraint {} on {table}", constraint.name), sql, there));
            }
            CreateIndex { table, index } | DropIndex { table, index } => {
                let there = matches!(c, DropIndex { .. });
                let q = QName::new(table.schema.clone(), index.name.clone());
                out.push(exists(format!("index {q}"), format!("SELECT to_regclass({}) IS NOT NULL;", regclass(&q)), there));
            }
            _ => {}
        }
    }
    out
}

/// When to stop and roll back, step by step.
fn triggers(steps: &[StepEntry], preflighted: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    if !preflighted.is_empty() {
        out.push(format!(
            "A pre-flight query returns rows (for {}): do not start; fix the rows first, the step would fail on them.",
            preflighted.join(", ")
        ));
    }
    // Steps that block reads or writes while they wait for their lock, by
    // lock level (one line for a level, however many tables).
    let mut blocking: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for s in steps {
        if let Some(lock) = s.lock.as_deref().filter(|l| !l.starts_with("SHARE UPDATE EXCLUSIVE") && !l.starts_with("ROW EXCLUSIVE")) {
            blocking.entry(lock.split(" on ").next().unwrap_or(lock)).or_default().push(s.number);
        }
    }
    for (level, numbers) in &blocking {
        let one = numbers.len() == 1;
        out.push(format!(
            "Step{} {} wait{} for {level} on {}, and every query of the table queues behind a waiting step: with lock_timeout set \
             (an online plan sets it; else run SET lock_timeout = '5s' first), a wait past it fails with 55P03 \
             (canceling statement due to lock timeout) and its transaction rolls back by itself; retry when the table is \
             quieter, or run the downs of the migrations already applied.",
            if one { "" } else { "s" },
            ranges(numbers),
            if one { "s" } else { "" },
            if one { "its table" } else { "their tables" },
        ));
    }
    for s in steps {
        if let Some(d) = &s.duration {
            out.push(format!(
                "Step {} runs past twice its estimate ({}): cancel it (pg_cancel_backend with its pid from pg_stat_activity) and roll back.",
                s.number,
                estimate::duration(d.seconds * 2.0)
            ));
        }
        if s.up.contains(" VALIDATE CONSTRAINT ") {
            out.push(format!(
                "Step {} fails (23514 check_violation or 23503 foreign_key_violation): rows break the constraint; it stays NOT VALID, \
                 nothing was blocked; fix the rows and run the migration again, or roll back.",
                s.number
            ));
        }
        if s.summary.starts_with("change type of") || s.work == Work::Backfill {
            out.push(format!(
                "Step {} fails converting a value (22P02 invalid_text_representation, 22003 numeric_value_out_of_range, 22001 \
                 string_data_right_truncation): the transaction rolls back; find the values with the pre-flight query.",
                s.number
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_numbers_in_ranges() {
        assert_eq!(ranges(&[1, 2, 3, 5, 7, 8, 9, 10, 12, 13]), "1–3, 5, 7–10, 12, 13");
        assert_eq!(ranges(&[4]), "4");
    }

    #[test]
    fn a_long_down_statement_is_abbreviated_at_a_character() {
        let short = "DROP TABLE public.t;";
        assert_eq!(abbreviated(short), short);
        let long = format!("DROP TABLE {};", (0..200).map(|i| format!("public.tä{i}")).collect::<Vec<_>>().join(", "));
        let a = abbreviated(&long);
        assert!(a.starts_with("DROP TABLE public.tä0, ") && a.ends_with(&format!("{} characters in all; the whole statement is in the migration's down", long.len())), "{a}");
        assert!(a.len() < 300);
    }
}
