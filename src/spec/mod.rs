//! Migration specifications: a JSON description of a migration (what moves
//! where, under which constraints: downtime, volume, dependencies,
//! compliance, the tables and their sizes, for services the endpoints,
//! load, feature flags and rollback triggers) read into [`Spec`], and
//! turned into a phased plan ([`plan`]) printed as text, Markdown or JSON
//! ([`render`]) by `schemashift plan --spec`.
//!
//! Reading is two steps: [`raw`] reads the document with serde into
//! structs that keep wrong values instead of failing on them, then
//! [`validate`] turns those into the types below, reporting every problem
//! with its JSON path (and its line and column). A specification is user
//! input: bad JSON and an invalid specification are data errors (exit 65).

pub mod embed;
pub mod plan;
pub mod raw;
pub mod render;

pub(crate) mod validate;

use crate::error::{Error, Result};
use serde::Serialize;
use std::fmt;

/// A validated migration specification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spec {
    /// The file it was read from, as given.
    pub file: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub pattern: Pattern,
    pub source: String,
    pub target: String,
    pub description: Option<String>,
    pub constraints: Constraints,
    pub tables: Vec<Table>,
    pub schema_changes: Vec<TableChanges>,
    pub performance: Option<Performance>,
    pub business_continuity: Option<BusinessContinuity>,
    pub services: Option<ServiceDetails>,
    /// The phases the specification states, in its order.
    pub phases: Vec<StatedPhase>,
    pub feature_flags: Vec<FeatureFlag>,
    pub monitoring: Option<Monitoring>,
    pub rollback_triggers: Vec<RollbackTrigger>,
    /// The schema revisions whose migration the plan embeds.
    pub revisions: Option<Revisions>,
}

/// What is migrated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Database,
    Service,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Database, Kind::Service];
    pub fn name(self) -> &'static str {
        match self {
            Kind::Database => "database",
            Kind::Service => "service",
        }
    }
}

/// How it is migrated; each pattern has its own phases ([`plan`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// The schema changes in place: expand, migrate, contract.
    SchemaChange,
    /// The new system takes the old one's traffic piece by piece, behind a
    /// routing layer, until the old one serves nothing.
    StranglerFig,
    /// A second, complete environment is built and synced; traffic switches
    /// at once, and the first stays ready to switch back to.
    BlueGreen,
}

impl Pattern {
    pub const ALL: [Pattern; 3] = [Pattern::SchemaChange, Pattern::StranglerFig, Pattern::BlueGreen];
    pub fn name(self) -> &'static str {
        match self {
            Pattern::SchemaChange => "schema_change",
            Pattern::StranglerFig => "strangler_fig",
            Pattern::BlueGreen => "blue_green",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Constraints {
    pub max_downtime_minutes: f64,
    pub data_volume_gb: Option<f64>,
    pub dependencies: Vec<String>,
    pub compliance_requirements: Vec<String>,
    pub special_requirements: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub name: String,
    pub row_count: u64,
    pub size_mb: f64,
    pub critical: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableChanges {
    pub table: String,
    pub changes: Vec<SchemaChange>,
}

/// One change the specification announces for a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SchemaChange {
    AddColumn { column: String, data_type: String, nullable: bool, default: Option<String> },
    DropColumn { column: String },
    ModifyColumn { column: String, old_type: Option<String>, new_type: String },
    RenameColumn { column: String, new_name: String },
    AddConstraint { constraint_type: ConstraintType, constraint_name: String, definition: Option<String>, columns: Vec<String> },
    DropConstraint { constraint_name: String },
    AddIndex { index_name: String, columns: Vec<String>, unique: bool },
    DropIndex { index_name: String },
}

impl SchemaChange {
    /// The column, constraint or index it is about.
    pub fn object(&self) -> &str {
        match self {
            SchemaChange::AddColumn { column, .. }
            | SchemaChange::DropColumn { column }
            | SchemaChange::ModifyColumn { column, .. }
            | SchemaChange::RenameColumn { column, .. } => column,
            SchemaChange::AddConstraint { constraint_name, .. } | SchemaChange::DropConstraint { constraint_name } => constraint_name,
            SchemaChange::AddIndex { index_name, .. } | SchemaChange::DropIndex { index_name } => index_name,
        }
    }

    /// The `type` a specification writes for it.
    pub fn type_name(&self) -> &'static str {
        match self {
            SchemaChange::AddColumn { .. } => "add_column",
            SchemaChange::DropColumn { .. } => "drop_column",
            SchemaChange::ModifyColumn { .. } => "modify_column",
            SchemaChange::RenameColumn { .. } => "rename_column",
            SchemaChange::AddConstraint { .. } => "add_constraint",
            SchemaChange::DropConstraint { .. } => "drop_constraint",
            SchemaChange::AddIndex { .. } => "add_index",
            SchemaChange::DropIndex { .. } => "drop_index",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintType {
    Check,
    Unique,
    ForeignKey,
    PrimaryKey,
}

impl ConstraintType {
    pub const ALL: [ConstraintType; 4] = [ConstraintType::Check, ConstraintType::Unique, ConstraintType::ForeignKey, ConstraintType::PrimaryKey];
    pub fn name(self) -> &'static str {
        match self {
            ConstraintType::Check => "check",
            ConstraintType::Unique => "unique",
            ConstraintType::ForeignKey => "foreign_key",
            ConstraintType::PrimaryKey => "primary_key",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Performance {
    pub max_query_response_time_ms: Option<f64>,
    pub concurrent_connections: Option<u64>,
    pub transactions_per_second: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BusinessContinuity {
    pub critical_business_hours: Option<Window>,
    pub preferred_migration_window: Option<Window>,
}

/// A daily span of wall-clock time; it may cross midnight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Window {
    pub start: ClockTime,
    pub end: ClockTime,
    pub timezone: String,
}

impl Window {
    /// Its length in minutes (crossing midnight when the end is earlier).
    pub fn minutes(&self) -> u32 {
        (self.end.0 + 24 * 60 - self.start.0) % (24 * 60)
    }
    /// Whether the two windows share a minute (same time zone assumed).
    pub fn overlaps(&self, other: &Window) -> bool {
        let minutes = |w: &Window| -> Vec<u32> { (0..w.minutes()).map(|m| (w.start.0 + m) % (24 * 60)).collect() };
        let theirs: std::collections::HashSet<u32> = minutes(other).into_iter().collect();
        minutes(self).into_iter().any(|m| theirs.contains(&m))
    }
}

/// `HH:MM`, as minutes since midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockTime(pub u32);

impl ClockTime {
    pub fn parse(text: &str) -> Option<ClockTime> {
        let (h, m) = text.split_once(':')?;
        let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(h) || !digits(m) {
            return None;
        }
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(ClockTime(h * 60 + m))
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceDetails {
    pub legacy_service: Option<Service>,
    pub new_service: Option<Service>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    pub endpoints: Vec<Endpoint>,
    pub current_load: Option<Load>,
    pub target_performance: Option<Load>,
    pub infrastructure: Option<Infrastructure>,
}

/// `GET /api/v1/users/{id}`: a method and a path template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    pub method: String,
    pub path: String,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Load {
    pub requests_per_second: Option<f64>,
    pub peak_requests_per_second: Option<f64>,
    pub average_response_time_ms: Option<f64>,
    pub p95_response_time_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Infrastructure {
    pub instances: Option<u64>,
    pub cpu_cores_per_instance: Option<f64>,
    pub memory_gb_per_instance: Option<f64>,
    pub container_platform: Option<String>,
    pub initial_replicas: Option<u64>,
    pub max_replicas: Option<u64>,
    pub cpu_request_millicores: Option<u64>,
    pub cpu_limit_millicores: Option<u64>,
    pub memory_request_mb: Option<u64>,
    pub memory_limit_mb: Option<u64>,
    pub load_balancer: Option<String>,
}

/// A phase as the specification states it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatedPhase {
    pub phase: String,
    pub description: Option<String>,
    pub estimated_duration_hours: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureFlag {
    pub name: String,
    pub description: Option<String>,
    pub initial_percentage: Option<f64>,
    pub rollout_schedule: Vec<RolloutStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RolloutStep {
    pub percentage: f64,
    pub duration_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Monitoring {
    pub critical_metrics: Vec<String>,
    /// Metric and threshold, in the specification's order.
    pub alert_thresholds: Vec<(String, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollbackTrigger {
    pub metric: String,
    pub threshold: f64,
    pub duration_minutes: Option<f64>,
    pub action: TriggerAction,
}

/// What happens when a rollback trigger fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerAction {
    AutomaticRollback,
    AlertTeam,
    ScaleUp,
    PauseRollout,
}

impl TriggerAction {
    pub const ALL: [TriggerAction; 4] = [TriggerAction::AutomaticRollback, TriggerAction::AlertTeam, TriggerAction::ScaleUp, TriggerAction::PauseRollout];
    pub fn name(self) -> &'static str {
        match self {
            TriggerAction::AutomaticRollback => "automatic_rollback",
            TriggerAction::AlertTeam => "alert_team",
            TriggerAction::ScaleUp => "scale_up",
            TriggerAction::PauseRollout => "pause_rollout",
        }
    }
}

/// The schema revisions the plan embeds the migration of, named as
/// `schemashift diff` names them: `from` and `to` revisions (`to` absent:
/// the working tree), or, with `no_index`, two paths relative to the
/// specification's directory; `paths` are pathspecs choosing the files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revisions {
    pub from: String,
    pub to: Option<String>,
    pub paths: Vec<String>,
    pub no_index: bool,
}

/// Where a value is in the document: `$.tables_to_migrate[2].row_count`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonPath(Vec<Segment>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl JsonPath {
    pub fn root() -> JsonPath {
        JsonPath(Vec::new())
    }
    pub fn key(&self, key: &str) -> JsonPath {
        let mut p = self.clone();
        p.0.push(Segment::Key(key.to_string()));
        p
    }
    pub fn index(&self, i: usize) -> JsonPath {
        let mut p = self.clone();
        p.0.push(Segment::Index(i));
        p
    }
    /// The path as [`crate::read::json::positions::Positions`] keys it.
    fn keys(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|s| match s {
                Segment::Key(k) => k.clone(),
                Segment::Index(i) => i.to_string(),
            })
            .collect()
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for s in &self.0 {
            match s {
                Segment::Key(k) if is_plain_key(k) => write!(f, ".{k}")?,
                // JSONPath's bracket notation, the quote and backslash escaped.
                Segment::Key(k) => write!(f, "['{}']", k.replace('\\', "\\\\").replace('\'', "\\'"))?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

fn is_plain_key(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// One thing wrong with a specification.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub path: JsonPath,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Reads the specification in `text`, read from `file`: bad JSON is a data
/// error at its line and column; an invalid specification is one data error
/// listing every problem, each at its path, line and column.
pub fn read(file: &str, text: &str) -> Result<Spec> {
    let root: serde_json::Value = serde_json::from_str(text).map_err(|e| crate::read::json::json_error(file, &e, "invalid JSON"))?;
    match validate::validate(file, &root) {
        Ok(spec) => Ok(spec),
        Err(problems) => Err(invalid(file, text, &problems)),
    }
}

/// The problems as one error, each on its own line at `file:line:column`.
fn invalid(file: &str, text: &str, problems: &[Problem]) -> Error {
    let positions = crate::read::json::positions::Positions::scan(text);
    let count = match problems.len() {
        1 => "1 problem".to_string(),
        n => format!("{n} problems"),
    };
    let mut message = format!("{file}: {count} in the migration specification:");
    // In the order of the document, as an editor shows it.
    let mut placed: Vec<((u32, u32), &Problem)> = problems.iter().map(|p| (positions.get(&p.path.keys()), p)).collect();
    placed.sort_by_key(|(at, _)| *at);
    for ((line, column), p) in placed {
        message.push_str(&format!("\n  {file}:{line}:{column}: {p}"));
    }
    Error::data(message).help("the specification's format is described under `schemashift plan` in README.md")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_as_jsonpath() {
        let p = JsonPath::root().key("tables_to_migrate").index(2).key("row_count");
        assert_eq!(p.to_string(), "$.tables_to_migrate[2].row_count");
        assert_eq!(JsonPath::root().key("alert thresholds").key("it's").to_string(), "$['alert thresholds']['it\\'s']");
        assert_eq!(JsonPath::root().to_string(), "$");
    }

    #[test]
    fn windows_know_their_length_across_midnight() {
        let w = |a: &str, b: &str| Window { start: ClockTime::parse(a).unwrap(), end: ClockTime::parse(b).unwrap(), timezone: "UTC".into() };
        assert_eq!(w("02:00", "06:00").minutes(), 240);
        assert_eq!(w("22:30", "01:00").minutes(), 150);
        assert!(!w("02:00", "06:00").overlaps(&w("08:00", "18:00")));
        assert!(w("17:00", "19:00").overlaps(&w("08:00", "18:00")));
        assert!(w("23:00", "09:00").overlaps(&w("08:00", "18:00")));
        assert_eq!(ClockTime::parse("24:00"), None);
        assert_eq!(ClockTime::parse("7:00"), None);
        assert_eq!(ClockTime::parse("07:05").unwrap().to_string(), "07:05");
    }
}
