//! What a step does to the database, as facts the linter, the runbook and
//! `generate` read instead of the SQL text: the objects it touches (and
//! where each is defined), the lock it takes, the work it does on the rows,
//! whether it can run in a transaction and why not, the data it destroys,
//! and the online form that takes a weaker lock.
//!
//! The dialect's planner fills them in (it knows its own statements);
//! everything downstream only reads them. Lock levels are the database's
//! own names (PostgreSQL's `ACCESS EXCLUSIVE`, `SHARE UPDATE EXCLUSIVE`, …).

use crate::model::{Location, QName, Schema, quote_ident};
use serde::Serialize;
use serde::ser::SerializeMap;

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
    /// The step must not share a transaction with the steps before it: they
    /// commit first (a `VALIDATE CONSTRAINT` after the `NOT VALID` add, so
    /// that the add's lock is not held while the rows are checked).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub commits_before: bool,
    /// The step belongs to the contract phase of a change planned in
    /// phases (`--phases`): it runs only once the new application is live
    /// everywhere (it drops or renames what the old one uses).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub contract: bool,
    /// A form of the same step that blocks less, when the step does not use it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online: Option<Online>,
    /// The objects the step creates, drops, renames, alters or uses, in
    /// the order the statement names them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub touches: Vec<Touch>,
}

/// An object a step touches, what the step does to it, and where the
/// object is defined: in the old schema for a drop, in the new one
/// otherwise (the other when it is not there). No location for what only
/// the migration names (a type renamed out of the way) or what a schema
/// read from a snapshot does not place.
#[derive(Debug, Clone, PartialEq)]
pub struct Touch {
    pub object: Object,
    pub action: Action,
    pub location: Option<Location>,
}

impl Touch {
    pub fn new(action: Action, object: Object) -> Touch {
        Touch { object, action, location: None }
    }
}

/// `{"kind": "column", "name": "public.users.email", "action": "alter",
/// "location": "schema.sql:3:5"}`.
impl Serialize for Touch {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("kind", self.object.kind())?;
        map.serialize_entry("name", &self.object.name())?;
        map.serialize_entry("action", &self.action)?;
        if let Some(l) = &self.location {
            map.serialize_entry("location", l)?;
        }
        map.end()
    }
}

/// What a step does to an object it touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Drop,
    /// Renamed: the object under the name it had.
    Rename,
    /// The same object under the name a rename gives it.
    RenameTo,
    /// Changed in place (a table gaining a column, a comment set).
    Alter,
    /// Read or referred to, unchanged (the table a foreign key references).
    Use,
}

/// An object of a schema, by kind and qualified name, the way the model
/// keys it. Objects that live in a table (columns, constraints, triggers,
/// policies, rules) are named with their table; an index with its schema,
/// like every relation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Object {
    Schema(String),
    Extension(String),
    /// An enum, composite or range type.
    Type(QName),
    Domain(QName),
    DomainConstraint(QName, String),
    Sequence(QName),
    Table(QName),
    Column(QName, String),
    Constraint(QName, String),
    Index(QName),
    Trigger(QName, String),
    Policy(QName, String),
    Rule(QName, String),
    View(QName),
    MaterializedView(QName),
    /// By signature: `public.f(integer)`.
    Function(String),
    Procedure(String),
    Statistics(QName),
    Publication(String),
    /// An object the model keeps as a statement's text, by the kind and
    /// identity the dialect gives it (`aggregate`, `public.total(integer)`).
    Other { kind: String, name: String },
}

impl Object {
    /// `table`, `column`, `materialized view`, …
    pub fn kind(&self) -> &str {
        match self {
            Object::Schema(_) => "schema",
            Object::Extension(_) => "extension",
            Object::Type(_) => "type",
            Object::Domain(_) => "domain",
            Object::DomainConstraint(..) => "domain constraint",
            Object::Sequence(_) => "sequence",
            Object::Table(_) => "table",
            Object::Column(..) => "column",
            Object::Constraint(..) => "constraint",
            Object::Index(_) => "index",
            Object::Trigger(..) => "trigger",
            Object::Policy(..) => "policy",
            Object::Rule(..) => "rule",
            Object::View(_) => "view",
            Object::MaterializedView(_) => "materialized view",
            Object::Function(_) => "function",
            Object::Procedure(_) => "procedure",
            Object::Statistics(_) => "statistics",
            Object::Publication(_) => "publication",
            Object::Other { kind, .. } => kind,
        }
    }

    /// The qualified name: `public.users`, `public.users.email`,
    /// `public.f(integer)`.
    pub fn name(&self) -> String {
        match self {
            Object::Schema(n) | Object::Extension(n) | Object::Publication(n) => quote_ident(n),
            Object::Function(n) | Object::Procedure(n) | Object::Other { name: n, .. } => n.clone(),
            Object::Type(q)
            | Object::Domain(q)
            | Object::Sequence(q)
            | Object::Table(q)
            | Object::Index(q)
            | Object::View(q)
            | Object::MaterializedView(q)
            | Object::Statistics(q) => q.to_string(),
            Object::DomainConstraint(on, n)
            | Object::Column(on, n)
            | Object::Constraint(on, n)
            | Object::Trigger(on, n)
            | Object::Policy(on, n)
            | Object::Rule(on, n) => format!("{on}.{}", quote_ident(n)),
        }
    }

    /// Where `schema` defines the object, if it has it (a domain's
    /// constraint is placed by its domain).
    pub fn location_in<'s>(&self, schema: &'s Schema) -> Option<&'s Location> {
        self.location_with(schema, None)
    }

    /// [`Self::location_in`], with the indexes of `schema` by name when the
    /// caller has them (finding an index otherwise goes through every table).
    fn location_with<'s>(&self, schema: &'s Schema, indexes: Option<&Indexes<'s>>) -> Option<&'s Location> {
        let table = |q: &QName| schema.tables.get(q);
        let view = |q: &QName| schema.views.get(q);
        let found = match self {
            Object::Schema(n) => schema.schemas.get(n).map(|s| &s.location),
            Object::Extension(n) => schema.extensions.get(n).map(|e| &e.location),
            Object::Type(q) | Object::Domain(q) | Object::DomainConstraint(q, _) => schema.types.get(q).map(|t| &t.location),
            Object::Sequence(q) => schema.sequences.get(q).map(|s| &s.location),
            Object::Table(q) => table(q).map(|t| &t.location),
            Object::Column(q, c) => table(q).and_then(|t| t.column(c)).map(|c| &c.location),
            Object::Constraint(q, c) => table(q).and_then(|t| t.constraints.get(c)).map(|c| &c.location),
            Object::Index(q) => match indexes {
                Some(by_name) => by_name.get(&(q.schema.as_str(), q.name.as_str())).copied(),
                None => index_locations(schema).find(|(at, _)| *at == (q.schema.as_str(), q.name.as_str())).map(|(_, l)| l),
            },
            Object::Trigger(q, n) => {
                table(q).and_then(|t| t.triggers.get(n)).or_else(|| view(q).and_then(|v| v.triggers.get(n))).map(|t| &t.location)
            }
            Object::Policy(q, n) => table(q).and_then(|t| t.policies.get(n)).map(|p| &p.location),
            Object::Rule(q, n) => table(q).and_then(|t| t.rules.get(n)).or_else(|| view(q).and_then(|v| v.rules.get(n))).map(|r| &r.location),
            Object::View(q) | Object::MaterializedView(q) => view(q).map(|v| &v.location),
            Object::Function(sig) | Object::Procedure(sig) => schema.functions.get(sig).map(|f| &f.location),
            Object::Statistics(q) => schema.statistics.get(q).map(|s| &s.location),
            Object::Publication(n) => schema.publications.get(n).map(|p| &p.location),
            Object::Other { .. } => None,
        };
        found.filter(|l| !l.is_unknown())
    }
}

/// The indexes of a schema (of its tables and materialized views) by
/// schema and name, with where each is defined.
type Indexes<'s> = std::collections::HashMap<(&'s str, &'s str), &'s Location>;

fn index_locations(schema: &Schema) -> impl Iterator<Item = ((&str, &str), &Location)> {
    let tables = schema.tables.values().flat_map(|t| t.indexes.values().map(move |i| ((t.name.schema.as_str(), i.name.as_str()), &i.location)));
    let views = schema.views.values().flat_map(|v| v.indexes.values().map(move |i| ((v.name.schema.as_str(), i.name.as_str()), &i.location)));
    tables.chain(views)
}

impl From<&crate::diff::CommentTarget> for Object {
    fn from(target: &crate::diff::CommentTarget) -> Object {
        use crate::diff::CommentTarget as C;
        match target.clone() {
            C::Schema { name } => Object::Schema(name),
            C::Type { name } => Object::Type(name),
            C::Domain { name } => Object::Domain(name),
            C::DomainConstraint { domain, name } => Object::DomainConstraint(domain, name),
            C::Sequence { name } => Object::Sequence(name),
            C::Table { name } => Object::Table(name),
            C::Column { table, column } => Object::Column(table, column),
            C::Constraint { table, name } => Object::Constraint(table, name),
            C::Index { name } => Object::Index(name),
            C::Trigger { table, name } => Object::Trigger(table, name),
            C::Policy { table, name } => Object::Policy(table, name),
            C::Rule { relation, name } => Object::Rule(relation, name),
            C::Statistics { name } => Object::Statistics(name),
            C::Publication { name } => Object::Publication(name),
            C::View { name, materialized: true } => Object::MaterializedView(name),
            C::View { name, .. } => Object::View(name),
            C::Routine { signature, procedure: true } => Object::Procedure(signature),
            C::Routine { signature, .. } => Object::Function(signature),
        }
    }
}

/// Gives every touch of `steps`, a migration from `old` to `new`, that has
/// no location yet the object's: from `old` for a drop, `new` otherwise,
/// the other model when the first does not have it. `old` is the old model
/// with the migration's renames applied (what the planner lowers from): an
/// object renamed is placed by the old model under its new name.
pub fn locate(steps: &mut [crate::plan::Step], old: &Schema, new: &Schema) {
    let any_index = steps.iter().flat_map(|s| &s.facts.touches).any(|t| matches!(t.object, Object::Index(_)));
    let by_name = |schema| if any_index { index_locations(schema).collect() } else { Indexes::new() };
    let (old_indexes, new_indexes) = (by_name(old), by_name(new));
    let in_old = |o: &Object| o.location_with(old, Some(&old_indexes));
    let in_new = |o: &Object| o.location_with(new, Some(&new_indexes));
    for step in steps {
        let renamed_to: Vec<Object> = step.touched(Action::RenameTo).cloned().collect();
        for touch in step.facts.touches.iter_mut().filter(|t| t.location.is_none()) {
            let found = match touch.action {
                Action::Drop => in_old(&touch.object).or_else(|| in_new(&touch.object)),
                Action::Rename => renamed_to.iter().chain([&touch.object]).find_map(in_old),
                _ => in_new(&touch.object).or_else(|| in_old(&touch.object)),
            };
            touch.location = found.cloned();
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lock {
    /// The lock level in the database's own words.
    pub level: &'static str,
    /// The relation locked.
    pub on: QName,
}

/// What the application cannot do on a relation while a lock is held
/// (answered by the dialect: `crate::dialect::lock_blocks`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Blocks {
    pub reads: bool,
    pub writes: bool,
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
    /// Writes a column of every row with an `UPDATE`, under a lock that
    /// lets reads and writes go on (rows are locked one by one, until commit).
    Backfill,
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
    /// The table an earlier step of the migration copied the data into
    /// (`--preserve-data`), which the down migration puts back from: the data
    /// is destroyed here but kept there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backed_up_in: Option<QName>,
}

impl Destroys {
    pub fn new(relation: QName, columns: Vec<String>) -> Destroys {
        Destroys { relation, columns, backed_up_in: None }
    }
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
