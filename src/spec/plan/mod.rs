//! A specification turned into a phased plan: phases with their goals,
//! actions, validation gates and rollback triggers, chosen per pattern
//! ([`schema_change`], [`strangler_fig`], [`blue_green`]); the risks the
//! specification's own figures show, with mitigations; the requirements it
//! states, each with what the plan does about it ([`requirements`]); and a
//! timeline whose estimates come from the stated volumes and the throughput
//! assumptions of [`super::throughput`], the arithmetic kept for printing.
//!
//! Nothing here prints: [`super::render`] formats the [`MigrationPlan`].

mod blue_green;
mod requirements;
mod schema_change;
mod strangler_fig;

use super::embed::{Embedded, PlannedStep};
use crate::throughput::{self, Assumption, MB_PER_GB, human, number};
use super::{Kind, Pattern, Spec, StatedPhase, Table, TriggerAction};
use crate::model::Dialect;
use serde::Serialize;

/// The phases each pattern plans, by the names a specification's
/// `migration_phases` may state durations for.
pub fn phase_names(pattern: Pattern) -> &'static [&'static str] {
    match pattern {
        Pattern::SchemaChange => &["expand", "migrate", "contract"],
        Pattern::StranglerFig => &["preparation", "intercept", "gradual_migration", "validation", "decommission"],
        Pattern::BlueGreen => &["build_green", "sync", "cutover", "keep_blue"],
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MigrationPlan {
    /// The specification file.
    pub spec: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub pattern: Pattern,
    pub source: String,
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub requirements: Vec<Requirement>,
    pub phases: Vec<Phase>,
    pub risks: Vec<Risk>,
    pub timeline: Timeline,
    /// The migration between the schema revisions, when they were named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<Embedded>,
}

/// Something the specification requires, and what the plan does about it.
#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    pub name: String,
    /// Where the specification states it.
    pub from: String,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub name: String,
    pub goal: String,
    /// What the specification says of this phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stated: Option<StatedPhase>,
    /// For a phase that is one transaction of the real migration: whether
    /// its steps run in a transaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction: Option<bool>,
    pub actions: Vec<String>,
    /// The real migration's steps this phase runs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<PlannedStep>,
    pub gates: Vec<Gate>,
    pub rollback_triggers: Vec<Trigger>,
}

impl Phase {
    fn new(name: impl Into<String>, goal: impl Into<String>) -> Phase {
        Phase {
            name: name.into(),
            goal: goal.into(),
            stated: None,
            transaction: None,
            actions: Vec::new(),
            steps: Vec::new(),
            gates: Vec::new(),
            rollback_triggers: Vec::new(),
        }
    }
    fn act(&mut self, action: impl Into<String>) {
        self.actions.push(action.into());
    }
    fn gate(&mut self, check: impl Into<String>) {
        self.gates.push(Gate { check: check.into(), query: None, expect: None });
    }
    fn gate_query(&mut self, check: impl Into<String>, query: impl Into<String>, expect: impl Into<String>) {
        self.gates.push(Gate { check: check.into(), query: Some(query.into()), expect: Some(expect.into()) });
    }
    fn trigger(&mut self, when: impl Into<String>, then: impl Into<String>, from: impl Into<String>) {
        self.rollback_triggers.push(Trigger { when: when.into(), then: then.into(), from: from.into() });
    }
}

/// A condition the phase must meet before the next one starts.
#[derive(Debug, Clone, Serialize)]
pub struct Gate {
    pub check: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// What the query must return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
}

/// A condition that undoes the phase, and where its threshold comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Trigger {
    pub when: String,
    pub then: String,
    pub from: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    High,
    Medium,
    Low,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    pub severity: Severity,
    pub risk: String,
    pub mitigations: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Timeline {
    /// The throughput figures the estimates used.
    pub assumptions: Vec<Assumption>,
    pub sections: Vec<Section>,
    /// The estimates held against the constraints.
    pub checks: Vec<Verdict>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub title: String,
    pub entries: Vec<Entry>,
}

/// One estimate: `audit_logs`, `2800 MB ÷ 50 MB/s = 56 s`, 56.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub subject: String,
    pub arithmetic: String,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub check: String,
    pub fits: bool,
}

/// Builds the plan of `spec`, embedding `schema` when revisions were named.
pub fn build(spec: &Spec, schema: Option<&Embedded>, dialect: Dialect) -> MigrationPlan {
    let mut b = Builder { spec, schema, dialect, timeline: Timeline::default(), risks: Vec::new() };
    b.stated_phase_entries();
    let mut phases = match spec.pattern {
        Pattern::SchemaChange => schema_change::phases(&mut b),
        Pattern::StranglerFig => strangler_fig::phases(&mut b),
        Pattern::BlueGreen => blue_green::phases(&mut b),
    };
    for phase in &mut phases {
        phase.stated = spec.phases.iter().find(|s| s.phase == phase.name).cloned();
    }
    b.unplanned_phases(&phases);
    b.shared_risks();
    let requirements = requirements::all(&b);
    // Highest first; within a severity, in the order found.
    b.risks.sort_by_key(|r| r.severity);
    MigrationPlan {
        spec: spec.file.clone(),
        kind: spec.kind,
        pattern: spec.pattern,
        source: spec.source.clone(),
        target: spec.target.clone(),
        description: spec.description.clone(),
        requirements,
        phases,
        risks: b.risks,
        timeline: b.timeline,
        schema: schema.cloned(),
    }
}

/// What the pattern modules share while they build.
struct Builder<'a> {
    spec: &'a Spec,
    schema: Option<&'a Embedded>,
    dialect: Dialect,
    timeline: Timeline,
    risks: Vec<Risk>,
}

impl Builder<'_> {
    /// The downtime budget in seconds.
    fn budget(&self) -> f64 {
        self.spec.constraints.max_downtime_minutes * 60.0
    }

    /// `30 min (1800 s)`, or `0 min` when none is allowed.
    fn budget_text(&self) -> String {
        let minutes = self.spec.constraints.max_downtime_minutes;
        if minutes == 0.0 { "0 min".into() } else { format!("{} min ({} s)", number(minutes), number(minutes * 60.0)) }
    }

    fn table(&self, name: &str) -> Option<&Table> {
        self.spec.tables.iter().find(|t| t.name == name)
    }

    /// Whether the data moves to another system (the source and target are
    /// different), rather than changing where it is.
    fn moves_data(&self) -> bool {
        self.spec.source.trim() != self.spec.target.trim()
    }

    fn dependencies(&self) -> &[String] {
        &self.spec.constraints.dependencies
    }

    fn risk(&mut self, severity: Severity, risk: impl Into<String>, mitigations: Vec<String>) {
        self.risks.push(Risk { severity, risk: risk.into(), mitigations });
    }

    fn check(&mut self, check: impl Into<String>, fits: bool) {
        self.timeline.checks.push(Verdict { check: check.into(), fits });
    }

    /// Adds an estimate line to the timeline section `title`.
    fn entry(&mut self, title: &str, subject: impl Into<String>, arithmetic: impl Into<String>, seconds: f64) {
        let entry = Entry { subject: subject.into(), arithmetic: arithmetic.into(), seconds };
        match self.timeline.sections.iter_mut().find(|s| s.title == title) {
            Some(s) => s.entries.push(entry),
            None => self.timeline.sections.push(Section { title: title.to_string(), entries: vec![entry] }),
        }
    }

    /// `amount unit ÷ throughput`, recorded under `title`; the seconds.
    fn estimate(&mut self, title: &str, subject: impl Into<String>, amount: f64, unit: &str, by: &Assumption) -> f64 {
        if !self.timeline.assumptions.contains(by) {
            self.timeline.assumptions.push(*by);
        }
        let (text, seconds) = throughput::divide(amount, unit, by);
        self.entry(title, subject, text, seconds);
        seconds
    }

    /// The copy of every listed table and of the whole stated volume to the
    /// target, under `title`; the whole copy's seconds (the listed tables'
    /// when no volume is stated), `None` when the specification sizes
    /// nothing.
    fn copy_estimates(&mut self, title: &str) -> Option<f64> {
        if self.spec.tables.is_empty() && self.spec.constraints.data_volume_gb.is_none() {
            return None;
        }
        let tables = self.spec.tables.clone();
        let mut listed_seconds = 0.0;
        for t in &tables {
            listed_seconds += self.estimate(title, &t.name, t.size_mb, "MB", &throughput::COPY);
        }
        let listed_mb: f64 = tables.iter().map(|t| t.size_mb).sum();
        if tables.len() > 1 {
            let sum = tables.iter().map(|t| number(t.size_mb)).collect::<Vec<_>>().join(" + ");
            let (text, seconds) = throughput::divide(listed_mb, "MB", &throughput::COPY);
            self.entry(title, "listed tables", format!("{sum} = {text}"), seconds);
        }
        let Some(gb) = self.spec.constraints.data_volume_gb else { return Some(listed_seconds) };
        let mb = gb * MB_PER_GB;
        let (text, seconds) = throughput::divide(mb, "MB", &throughput::COPY);
        self.entry(title, "whole data volume", format!("{} GB × {} MB/GB = {text}", number(gb), number(MB_PER_GB)), seconds);
        Some(seconds)
    }

    /// The copy held against the downtime budget and the migration window;
    /// a copy that does not fit either is a risk.
    fn copy_verdicts(&mut self, copy_seconds: f64, how: &str) {
        let budget = self.budget();
        let fits = copy_seconds <= budget;
        self.check(
            format!(
                "copy of the data: {} against the {} downtime budget: {}",
                human(copy_seconds),
                self.budget_text(),
                if fits { "fits, even offline" } else { "does not fit: the copy runs while the source stays live" }
            ),
            fits,
        );
        if !fits {
            self.risk(
                Severity::High,
                format!(
                    "copying the data takes {} at {} {}, over the {} downtime budget",
                    human(copy_seconds),
                    number(throughput::COPY.value),
                    throughput::COPY.unit,
                    self.budget_text()
                ),
                vec![
                    format!("{how}; only the final switch counts against the budget"),
                    format!("start the copy at least {} before the switch, and measure its real rate on the first table to correct this estimate", human(copy_seconds)),
                ],
            );
        }
        let window = self.spec.business_continuity.as_ref().and_then(|b| b.preferred_migration_window.clone());
        if let Some(w) = window {
            let minutes = f64::from(w.minutes());
            let fits = copy_seconds <= minutes * 60.0;
            self.check(
                format!(
                    "copy of the data: {} against the preferred window {}–{} {} ({} min): {}",
                    human(copy_seconds),
                    w.start,
                    w.end,
                    w.timezone,
                    minutes,
                    if fits { "fits" } else { "does not fit: it starts before the window, only the switch happens in it" }
                ),
                fits,
            );
        }
    }

    /// The budget each dependency has when the downtime is shared out.
    fn dependency_share(&mut self, title: &str) {
        let n = self.dependencies().len();
        let minutes = self.spec.constraints.max_downtime_minutes;
        if n == 0 || minutes == 0.0 {
            return;
        }
        let share = minutes / n as f64;
        self.entry(
            title,
            "switch of each dependency",
            format!("{} min ÷ {n} dependencies = {} min each ({} s)", number(minutes), number(share), number(share * 60.0)),
            share * 60.0,
        );
    }

    /// Triggers every phase that changes what the application sees shares:
    /// the downtime budget, the performance requirements, the window's end,
    /// and those the specification states, with the action that undoes
    /// `what`.
    fn shared_triggers(&self, phase: &mut Phase, undo: &str) {
        let minutes = self.spec.constraints.max_downtime_minutes;
        if minutes > 0.0 {
            phase.trigger(
                format!("the application has been unable to work for {} min", number(minutes)),
                undo.to_string(),
                "$.constraints.max_downtime_minutes",
            );
        } else {
            phase.trigger("any request fails or waits because of the switch (no downtime is allowed)", undo.to_string(), "$.constraints.max_downtime_minutes");
        }
        if let Some(p) = &self.spec.performance {
            if let Some(ms) = p.max_query_response_time_ms {
                phase.trigger(format!("query response time goes above {} ms", number(ms)), undo.to_string(), "$.performance_requirements.max_query_response_time_ms");
            }
            if let Some(tps) = p.transactions_per_second {
                phase.trigger(
                    format!("throughput falls below {} transactions/s while the load asks for it", number(tps)),
                    undo.to_string(),
                    "$.performance_requirements.transactions_per_second",
                );
            }
        }
        for (i, t) in self.spec.rollback_triggers.iter().enumerate() {
            let over = match t.duration_minutes {
                Some(m) if m > 0.0 => format!(" for {} min", number(m)),
                _ => String::new(),
            };
            let threshold = threshold_text(&t.metric, t.threshold);
            let then = match t.action {
                TriggerAction::AutomaticRollback => format!("automatic_rollback: {undo}"),
                TriggerAction::AlertTeam => "alert_team: page the migration's owner; the next step waits until it is understood".into(),
                TriggerAction::ScaleUp => match self.max_replicas() {
                    Some(n) => format!("scale_up: add capacity to {}, up to its {n} replicas", self.spec.target),
                    None => format!("scale_up: add capacity to {}", self.spec.target),
                },
                TriggerAction::PauseRollout => "pause_rollout: hold the traffic where it is until the metric recovers".into(),
            };
            phase.trigger(format!("{} stays above {threshold}{over}", t.metric), then, format!("$.rollback_triggers[{i}]"));
        }
    }

    fn max_replicas(&self) -> Option<u64> {
        self.spec.services.as_ref()?.new_service.as_ref()?.infrastructure.as_ref()?.max_replicas
    }

    /// Gates on the figures the performance requirements state.
    fn performance_gates(&self, phase: &mut Phase, on: &str) {
        let Some(p) = &self.spec.performance else { return };
        let mut parts = Vec::new();
        if let Some(ms) = p.max_query_response_time_ms {
            parts.push(format!("queries answer within {} ms", number(ms)));
        }
        if let Some(tps) = p.transactions_per_second {
            parts.push(format!("{} transactions/s are sustained", number(tps)));
        }
        if let Some(c) = p.concurrent_connections {
            parts.push(format!("with {c} concurrent connections"));
        }
        if !parts.is_empty() {
            phase.gate(format!("{on}: {}", parts.join(", ")));
        }
    }

    /// Row counts of every listed table, equal on both sides.
    fn row_count_gates(&self, phase: &mut Phase, sides: &str) {
        for t in &self.spec.tables {
            let critical = if t.critical { " and a checksum of every row (critical table)" } else { "" };
            phase.gate_query(
                format!("{}: the row count{critical} equal on {sides} (stated: {} rows)", t.name, t.row_count),
                format!("SELECT count(*) FROM {};", quote_table(&t.name)),
                format!("the same number on {sides}"),
            );
        }
    }

    /// The stated phases' durations, and their total.
    fn stated_phase_entries(&mut self) {
        let hours: Vec<(String, f64)> = self.spec.phases.iter().filter_map(|p| Some((p.phase.clone(), p.estimated_duration_hours?))).collect();
        for (name, h) in &hours {
            self.entry("stated phases", name, format!("{} h", number(*h)), h * 3600.0);
        }
        if hours.len() > 1 {
            let total: f64 = hours.iter().map(|(_, h)| h).sum();
            let sum = hours.iter().map(|(_, h)| format!("{} h", number(*h))).collect::<Vec<_>>().join(" + ");
            self.entry("stated phases", "total", format!("{sum} = {}", hours_text(total)), total * 3600.0);
        }
    }

    /// Stated phases the plan has no phase for (a plan by the revisions' migrations).
    fn unplanned_phases(&mut self, phases: &[Phase]) {
        let unplanned: Vec<String> =
            self.spec.phases.iter().map(|p| p.phase.clone()).filter(|n| !phases.iter().any(|p| &p.name == n)).collect();
        if !unplanned.is_empty() {
            self.risk(
                Severity::Low,
                format!("the stated phases {} are not phases of this plan (its phases are the migrations the schema revisions give)", unplanned.join(", ")),
                vec!["their durations are kept in the timeline; map them onto the transactions, or leave the revisions out to plan by phase".into()],
            );
        }
    }

    /// The dependencies in the order the traffic moves: as stated, but those
    /// that handle card data last when PCI DSS applies (the compliance
    /// requirement's action says so).
    fn dependency_order(&self) -> Vec<String> {
        let deps = self.dependencies().to_vec();
        if !self.spec.constraints.compliance_requirements.iter().any(|c| is_pci(c)) {
            return deps;
        }
        let (card, other): (Vec<String>, Vec<String>) = deps.into_iter().partition(|d| handles_cards(d));
        other.into_iter().chain(card).collect()
    }

    /// Risks any pattern has: critical tables, thresholds out of order,
    /// metrics nobody alerts on, windows that overlap business hours,
    /// tables the specification does not size.
    fn shared_risks(&mut self) {
        let spec = self.spec;
        for t in spec.tables.iter().filter(|t| t.critical) {
            let (_, copy) = throughput::divide(t.size_mb, "MB", &throughput::COPY);
            self.risk(
                Severity::High,
                format!("{} is critical ({} rows, {} MB): a row lost or changed on the way is a production incident", t.name, t.row_count, number(t.size_mb)),
                vec![
                    format!("compare its row count and a checksum of its rows on both sides before any traffic moves (the copy takes about {})", human(copy)),
                    format!("keep the old copy of {} readable until the last phase's gates pass", t.name),
                ],
            );
        }
        if let Some(m) = &spec.monitoring {
            for (metric, alert) in &m.alert_thresholds {
                for t in spec.rollback_triggers.iter().filter(|t| &t.metric == metric && t.threshold < *alert) {
                    self.risk(
                        Severity::Medium,
                        format!(
                            "{metric} rolls back at {} before it alerts at {}: the rollback comes without warning",
                            threshold_text(metric, t.threshold),
                            threshold_text(metric, *alert)
                        ),
                        vec![format!("set the alert threshold of {metric} below its rollback threshold")],
                    );
                }
            }
            let unwatched: Vec<&str> =
                m.critical_metrics.iter().filter(|c| !m.alert_thresholds.iter().any(|(a, _)| a == *c) && !spec.rollback_triggers.iter().any(|t| &t.metric == *c)).map(String::as_str).collect();
            if !unwatched.is_empty() {
                self.risk(
                    Severity::Low,
                    format!("critical metrics with no alert threshold and no rollback trigger: {}", unwatched.join(", ")),
                    vec!["give each a threshold from its value before the migration (its baseline), so that a regression is seen".into()],
                );
            }
        }
        if let Some(bc) = &spec.business_continuity
            && let (Some(hours), Some(window)) = (&bc.critical_business_hours, &bc.preferred_migration_window) {
                if hours.timezone == window.timezone && window.overlaps(hours) {
                    self.risk(
                        Severity::High,
                        format!(
                            "the migration window {}–{} overlaps the critical business hours {}–{} {}",
                            window.start, window.end, hours.start, hours.end, hours.timezone
                        ),
                        vec!["move the window out of the business hours, or shorten it to end before they start".into()],
                    );
                } else if hours.timezone != window.timezone {
                    self.risk(
                        Severity::Low,
                        format!("the window is in {} and the business hours in {}: whether they overlap depends on the date", window.timezone, hours.timezone),
                        vec!["state both in one time zone".into()],
                    );
                }
            }
        if let Some(gb) = spec.constraints.data_volume_gb {
            let listed: f64 = spec.tables.iter().map(|t| t.size_mb).sum();
            let rest = gb * MB_PER_GB - listed;
            if !spec.tables.is_empty() && rest > 0.0 {
                self.risk(
                    Severity::Low,
                    format!(
                        "the listed tables hold {} MB of the {} MB stated ({} GB): {} MB is in tables the specification does not describe",
                        number(listed),
                        number(gb * MB_PER_GB),
                        number(gb),
                        number(rest)
                    ),
                    vec!["the timeline counts their copy in the whole data volume; list them in tables_to_migrate to have them checked table by table".into()],
                );
            }
        }
    }
}

/// A table name from a specification (`users` or `public.users`) as SQL.
fn quote_table(name: &str) -> String {
    name.split('.').map(crate::model::quote_ident).collect::<Vec<_>>().join(".")
}

/// `86 h`, or `110 h (4 d 14 h)` when it is a day or more.
fn hours_text(hours: f64) -> String {
    if hours >= 24.0 { format!("{} h ({})", number(hours), human(hours * 3600.0)) } else { format!("{} h", number(hours)) }
}

/// Whether a compliance requirement names PCI DSS.
fn is_pci(regime: &str) -> bool {
    let key: String = regime.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_uppercase();
    key == "PCIDSS" || key == "PCI"
}

/// Whether a dependency's name says it handles card data.
fn handles_cards(dependency: &str) -> bool {
    ["payment", "card", "billing"].iter().any(|w| dependency.contains(w))
}

/// A metric's threshold with the unit its name implies: a fraction also as
/// a percentage, a response time in milliseconds.
fn threshold_text(metric: &str, value: f64) -> String {
    if crate::spec::validate::is_fraction(metric) {
        format!("{} ({} %)", number(value), number(value * 100.0))
    } else if metric.contains("response_time") || metric.contains("latency") || metric.ends_with("_ms") {
        format!("{} ms", number(value))
    } else {
        number(value)
    }
}

/// `a, b, c`.
fn list(items: &[String]) -> String {
    items.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::render::{Format, render};

    fn spec(json: &str) -> Spec {
        crate::spec::read("s.json", json).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn sparse_and_zero_specifications_plan_without_estimates_they_cannot_make() {
        for pattern in ["schema_change", "strangler_fig", "blue_green"] {
            for (kind, extra) in [
                ("database", ""),
                ("database", r#", "tables_to_migrate": [{"name": "t", "row_count": 0, "size_mb": 0}], "schema_changes": [{"table": "t", "changes": [{"type": "add_column", "column": "c", "data_type": "int", "nullable": false}, {"type": "drop_column", "column": "d"}, {"type": "rename_column", "column": "e", "new_name": "f"}, {"type": "add_index", "index_name": "i", "columns": ["c"], "unique": true}, {"type": "modify_column", "column": "g", "new_type": "bigint"}]}]"#),
                ("service", r#", "service_details": {"legacy_service": {"current_load": {"peak_requests_per_second": 0}}, "new_service": {"target_performance": {"peak_requests_per_second": 0}, "infrastructure": {"initial_replicas": 0, "max_replicas": 0}}}, "feature_flags": [{"name": "f", "rollout_schedule": [{"percentage": 100, "duration_hours": 0}]}]"#),
            ] {
                if kind == "service" && pattern == "schema_change" {
                    continue;
                }
                let json = format!(r#"{{"type": "{kind}", "pattern": "{pattern}", "source": "a", "target": "a", "constraints": {{"max_downtime_minutes": 0}}{extra}}}"#);
                let plan = build(&spec(&json), None, Dialect::Postgres);
                assert_eq!(plan.phases.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), phase_names(plan.pattern), "{json}");
                for format in [Format::Text, Format::Markdown, Format::Json] {
                    let out = render(&plan, format);
                    let odd = out.split(|c: char| !c.is_alphanumeric()).any(|w| w == "inf" || w == "NaN");
                    assert!(!odd && !out.contains("-0 "), "{json}:\n{out}");
                }
            }
        }
    }

    #[test]
    fn a_rewrite_over_the_budget_is_a_risk_with_its_arithmetic() {
        let s = spec(
            r#"{"type": "database", "pattern": "schema_change", "source": "db", "target": "db",
                "constraints": {"max_downtime_minutes": 1},
                "tables_to_migrate": [{"name": "events", "row_count": 1000000, "size_mb": 12000}],
                "schema_changes": [{"table": "events", "changes": [{"type": "modify_column", "column": "id", "old_type": "integer", "new_type": "bigint"}]}]}"#,
        );
        let plan = build(&s, None, Dialect::Postgres);
        let entries: Vec<&Entry> = plan.timeline.sections.iter().flat_map(|s| &s.entries).collect();
        assert!(entries.iter().any(|e| e.arithmetic == "12000 MB ÷ 100 MB/s = 120 s (2 min)"), "{entries:?}");
        assert!(plan.risks.iter().any(|r| r.severity == Severity::High && r.risk.starts_with("steps that block the application take 2 min")), "{:?}", plan.risks);
        assert!(plan.timeline.checks.iter().any(|c| !c.fits));
        let expand = &plan.phases[0];
        assert!(expand.gates.iter().any(|g| g.query.as_deref() == Some("SELECT count(CAST(id AS bigint)) FROM events;")), "{:?}", expand.gates);
    }
}
