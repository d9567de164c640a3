//! Table and column properties that change what a migration must do, and
//! the objects that hang off tables without being part of their rows:
//! row-level security policies, rules, extended statistics and publications.
//!
//! Names follow PostgreSQL's documentation (`ALTER TABLE`, `CREATE POLICY`,
//! `CREATE RULE`, `CREATE STATISTICS`, `CREATE PUBLICATION`). Every field
//! that has PostgreSQL's default value is left out of the serialized form,
//! so that a schema that never mentions a property serializes as before.

use super::{Expr, Location, QName};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `ALTER COLUMN … SET STORAGE` (`pg_attribute.attstorage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Storage {
    Plain,
    External,
    Extended,
    Main,
}

impl Storage {
    pub fn sql(self) -> &'static str {
        match self {
            Storage::Plain => "PLAIN",
            Storage::External => "EXTERNAL",
            Storage::Extended => "EXTENDED",
            Storage::Main => "MAIN",
        }
    }
    pub fn parse(word: &str) -> Option<Storage> {
        match word.to_ascii_uppercase().as_str() {
            "PLAIN" => Some(Storage::Plain),
            "EXTERNAL" => Some(Storage::External),
            "EXTENDED" => Some(Storage::Extended),
            "MAIN" => Some(Storage::Main),
            _ => None,
        }
    }
}

/// `ALTER TABLE … REPLICA IDENTITY` (`pg_class.relreplident`); the model
/// keeps `None` for `DEFAULT` (the primary key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaIdentity {
    Full,
    Nothing,
    /// `USING INDEX name`: a unique index (or the index of a PRIMARY KEY or
    /// UNIQUE constraint) of the same table, by name.
    Index(String),
}

impl ReplicaIdentity {
    /// The clause after `REPLICA IDENTITY`.
    pub fn sql(identity: Option<&ReplicaIdentity>) -> String {
        match identity {
            None => "DEFAULT".into(),
            Some(ReplicaIdentity::Full) => "FULL".into(),
            Some(ReplicaIdentity::Nothing) => "NOTHING".into(),
            Some(ReplicaIdentity::Index(i)) => format!("USING INDEX {}", super::quote_ident(i)),
        }
    }
}

/// When a trigger or rule fires, by `session_replication_role`
/// (`pg_trigger.tgenabled`, `pg_rewrite.ev_enabled`): `ENABLE` (origin),
/// `DISABLE`, `ENABLE REPLICA`, `ENABLE ALWAYS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Enabled {
    /// Fires in `origin` and `local` mode: what CREATE TRIGGER / RULE gives.
    #[default]
    Origin,
    Disabled,
    Replica,
    Always,
}

impl Enabled {
    pub fn is_default(&self) -> bool {
        *self == Enabled::Origin
    }
    /// The ALTER TABLE action for a trigger or rule (`kind` is `TRIGGER` or `RULE`).
    pub fn sql(self, kind: &str, name: &str) -> String {
        let name = super::quote_ident(name);
        match self {
            Enabled::Origin => format!("ENABLE {kind} {name}"),
            Enabled::Disabled => format!("DISABLE {kind} {name}"),
            Enabled::Replica => format!("ENABLE REPLICA {kind} {name}"),
            Enabled::Always => format!("ENABLE ALWAYS {kind} {name}"),
        }
    }
}

/// The command a row-level security policy applies to (`FOR …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyCommand {
    #[default]
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    pub fn is_default(&self) -> bool {
        *self == PolicyCommand::All
    }
    pub fn sql(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }
}

/// `CREATE POLICY name ON table [AS RESTRICTIVE] [FOR cmd] [TO roles]
/// [USING (…)] [WITH CHECK (…)]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub name: String,
    /// `AS RESTRICTIVE`; policies are permissive by default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub restrictive: bool,
    #[serde(default, skip_serializing_if = "PolicyCommand::is_default")]
    pub command: PolicyCommand,
    /// The roles it applies to, sorted; empty means `PUBLIC`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<Expr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check: Option<Expr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}

/// The event a rule is on (`ON SELECT | INSERT | UPDATE | DELETE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleEvent {
    Select,
    Insert,
    Update,
    Delete,
}

impl RuleEvent {
    pub fn sql(self) -> &'static str {
        match self {
            RuleEvent::Select => "SELECT",
            RuleEvent::Insert => "INSERT",
            RuleEvent::Update => "UPDATE",
            RuleEvent::Delete => "DELETE",
        }
    }
}

/// `CREATE RULE name AS ON event TO table [WHERE cond] DO [ALSO | INSTEAD]
/// { NOTHING | command | ( command ; … ) }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    pub event: RuleEvent,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub instead: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Expr>,
    /// The commands in canonical text, in order; empty means `NOTHING`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Enabled::is_default")]
    pub enabled: Enabled,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}

/// An extended statistics object: `CREATE STATISTICS name [(kinds)] ON
/// columns, (expressions) FROM table`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statistics {
    pub name: QName,
    pub table: QName,
    /// `ndistinct`, `dependencies`, `mcv`, in that order; empty when all of
    /// them are built (what an omitted list means, and how pg_dump prints it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    /// Plain columns, sorted: PostgreSQL keeps them as a sorted set of
    /// column numbers, whatever order they were written in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// Expressions, in the order written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expressions: Vec<Expr>,
    /// `ALTER STATISTICS … SET STATISTICS n`; `None` is the default (-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}

/// A table in a publication, with its column list and row filter (15+).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicationTable {
    /// Published columns, sorted (a set of column numbers in the catalog);
    /// empty means all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "where")]
    pub row_filter: Option<Expr>,
}

/// `CREATE PUBLICATION name [FOR ALL TABLES | FOR TABLE … | FOR TABLES IN
/// SCHEMA …] [WITH (…)]`, with the tables `ALTER PUBLICATION … ADD TABLE`
/// puts in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    pub name: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_tables: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tables: BTreeMap<QName, PublicationTable>,
    /// `TABLES IN SCHEMA s` (15+), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    /// `WITH (…)` parameters that differ from the defaults, as `name = value`
    /// (`publish = 'insert, update'`, `publish_via_partition_root = true`), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}
