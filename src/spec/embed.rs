//! The real migration between two schema revisions, as a plan embeds it:
//! the up steps with their lock and work facts, cut into the transactions
//! `generate` would cut them into, and the pre-flight queries of the lint
//! findings. Read from the planner's and the linter's output; nothing here
//! looks at SQL text.

use crate::generate::segment;
use crate::lint::Report;
use crate::model::{Dialect, QName};
use crate::plan::{Plan, Step, facts::Work};
use serde::Serialize;

/// The migration between the revisions.
#[derive(Debug, Clone, Serialize)]
pub struct Embedded {
    /// The two sides, as `schemashift diff` names them.
    pub old: String,
    pub new: String,
    /// Whether the online forms were planned (`--online`).
    pub online: bool,
    /// What each session running the migration sets first.
    pub session: Vec<String>,
    /// Consecutive steps that run in one transaction (or, `transaction:
    /// false`, outside any), in order.
    pub groups: Vec<Group>,
    /// The linter's verdict on the migration.
    pub level: &'static str,
    pub findings: Vec<FindingLine>,
    /// Queries to run before the migration, from the findings.
    pub preflight: Vec<Preflight>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub transaction: bool,
    pub steps: Vec<PlannedStep>,
}

/// One up step and its facts.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedStep {
    pub summary: String,
    pub sql: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock: Option<LockFact>,
    pub work: Work,
    /// `public.users (email)`: what the step destroys, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destroys: Option<String>,
    /// The objects the step touches, by kind and qualified name, to hold
    /// the specification's announced changes against (`diff --format json`
    /// prints them; the plan need not).
    #[serde(skip)]
    pub touches: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LockFact {
    pub level: &'static str,
    #[serde(serialize_with = "as_text")]
    pub on: QName,
    /// Whether the application's reads, and its writes, wait while it is held.
    pub blocks_reads: bool,
    pub blocks_writes: bool,
}

impl LockFact {
    /// `ACCESS EXCLUSIVE on public.users (reads and writes wait)`.
    pub fn describe(&self) -> String {
        let waits = match (self.blocks_reads, self.blocks_writes) {
            (true, _) => "reads and writes wait",
            (false, true) => "writes wait",
            (false, false) => "reads and writes go on",
        };
        format!("{} on {} ({waits})", self.level, self.on)
    }
}

fn as_text<S: serde::Serializer>(q: &QName, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(q)
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingLine {
    pub code: &'static str,
    pub rule: &'static str,
    pub class: &'static str,
    pub object: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Preflight {
    pub code: &'static str,
    pub object: String,
    pub sql: String,
    /// `no rows`, or `succeeds`.
    pub expect: &'static str,
}

/// What a plan embeds of the migration `plan` (linted as `lint`) between
/// the sides labelled `old` and `new`.
pub fn embed(old: &str, new: &str, plan: &Plan, lint: &Report, dialect: Dialect, server_version: Option<u32>) -> Embedded {
    // The cuts `generate` makes for a runner that sends one statement at a
    // time: what must not share a transaction does not.
    let rules = segment::Rules::new(false, dialect, server_version);
    let groups = segment::split(&plan.up, rules)
        .into_iter()
        .map(|s| Group { transaction: s.transaction, steps: s.up.iter().map(|step| planned(step, dialect)).collect() })
        .collect();
    Embedded {
        old: old.to_string(),
        new: new.to_string(),
        online: !plan.session.is_empty(),
        session: plan.session.iter().map(|s| s.sql.clone()).collect(),
        groups,
        level: lint.level.name(),
        findings: lint
            .findings
            .iter()
            .map(|f| FindingLine { code: f.code, rule: f.rule, class: f.class.name(), object: f.object.clone(), message: f.message.clone() })
            .collect(),
        preflight: lint
            .findings
            .iter()
            .filter_map(|f| {
                let p = f.preflight.as_ref()?;
                Some(Preflight { code: f.code, object: f.object.clone(), sql: p.sql.clone(), expect: p.expect })
            })
            .collect(),
    }
}

fn planned(step: &Step, dialect: Dialect) -> PlannedStep {
    let lock = step.facts.lock.as_ref().map(|l| {
        let blocks = crate::dialect::lock_blocks(dialect, l.level);
        LockFact { level: l.level, on: l.on.clone(), blocks_reads: blocks.reads, blocks_writes: blocks.writes }
    });
    let destroys = step.facts.destroys.as_ref().map(|d| match d.columns.as_slice() {
        [] => format!("{} (every row)", d.relation),
        columns => format!("{} ({})", d.relation, columns.join(", ")),
    });
    let touches = step.facts.touches.iter().map(|t| (t.object.kind().to_string(), t.object.name())).collect();
    PlannedStep { summary: step.summary.clone(), sql: step.sql.clone(), lock, work: step.facts.work, destroys, touches }
}

impl Embedded {
    pub fn steps(&self) -> impl Iterator<Item = &PlannedStep> {
        self.groups.iter().flat_map(|g| &g.steps)
    }
}

/// Whether the table a specification names (`users`, or qualified
/// `public.users`) is `q`.
pub fn names_table(spec_name: &str, q: &QName) -> bool {
    match spec_name.split_once('.') {
        Some((schema, name)) => schema == q.schema && name == q.name,
        None => spec_name == q.name,
    }
}

/// How a kind of work is called in a plan.
pub fn work_name(work: Work) -> &'static str {
    match work {
        Work::Metadata => "catalog only",
        Work::Scan => "scans every row",
        Work::Backfill => "backfills every row",
        Work::IndexBuild => "builds an index over every row",
        Work::Rewrite => "rewrites the table",
    }
}
