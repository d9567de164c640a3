//! What a step does to the database, as facts the linter, the runbook and
//! `generate` read instead of the SQL text: the lock it takes, the work it
//! does on the rows, whether it can run in a transaction and why not, the
//! data it destroys, and the online form that takes a weaker lock.
//!
//! The dialect's planner fills them in (it knows its own statements);
//! everything downstream only reads them. Lock levels are the database's
//! own names (PostgreSQL's `ACCESS EXCLUSIVE`, `SHARE UPDATE EXCLUSIVE`, …).

use crate::model::QName;
use serde::Serialize;

/// The facts of one step.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Facts {
    /// The strongest lock the step takes on an existing relation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock: Option<Lock>,
    /// What the step does to the rows of the relation it locks.
    pub work: Work,
    /// Why the step must run outside a transaction block, when it must.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outside_transaction: Option<OutsideTransaction>,
    /// The data the step destroys, when it destroys any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destroys: Option<Destroys>,
    /// A form of the same step that blocks less, when the step does not use it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online: Option<Online>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lock {
    /// The lock level in the database's own words.
    pub level: &'static str,
    /// The relation locked.
    pub on: QName,
}

/// What a step does to the rows of the table it locks, from cheapest up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Work {
    /// The catalog only: fast whatever the table's size.
    #[default]
    Metadata,
    /// Reads every row (to validate a constraint), holding its lock meanwhile.
    Scan,
    /// Builds an index over every row.
    IndexBuild,
    /// Writes every row again (a new physical table), holding its lock meanwhile.
    Rewrite,
}

/// Why a step runs outside a transaction block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutsideTransaction {
    /// The database refuses the statement inside a transaction block
    /// (`CREATE INDEX CONCURRENTLY`).
    Refused,
    /// An enum label added in a transaction cannot be used before it commits.
    NewEnumLabel,
}

/// Data a step destroys: whole rows of a relation, or some of its columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Destroys {
    pub relation: QName,
    /// Empty: every row (the relation is dropped).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
}

/// The form of a step that takes a weaker lock, with its own SQL and facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Online {
    /// What the form is called (`CONCURRENTLY`).
    pub form: &'static str,
    pub sql: String,
    /// The lock the online form takes instead.
    pub lock: &'static str,
    /// Whether the online form needs its own transaction (or none).
    pub outside_transaction: bool,
}
