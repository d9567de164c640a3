//! The schema model: plain data, dialect-neutral in shape, normalized on entry.
//!
//! Two models compare equal exactly when the databases they describe would be
//! the same. Source locations are carried for messages but never take part in
//! equality (see [`Location`]), and every collection is ordered so that
//! serialization is deterministic.

mod hint;
mod inherit;
mod location;
mod name;
mod properties;
mod types;

pub use hint::{RenameHint, parse_hint};
pub use location::Location;
pub use name::{QName, name_parts_folded, quote_ident, quote_literal};
pub use properties::{
    Enabled, Policy, PolicyCommand, Publication, PublicationTable, ReplicaIdentity, Rule, RuleEvent, Statistics, Storage,
};
pub use types::DataType;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The SQL dialect a model was read from. Normalization rules (identifier
/// folding, type synonyms, generated names) depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    #[default]
    Postgres,
    Mysql,
    Sqlite,
}

impl Dialect {
    /// Every dialect, in the order messages list them.
    pub const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite];

    pub fn parse(s: &str) -> Option<Dialect> {
        match s.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => Some(Dialect::Postgres),
            "mysql" | "mariadb" => Some(Dialect::Mysql),
            "sqlite" | "sqlite3" => Some(Dialect::Sqlite),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }
    /// The database's own name, for messages.
    pub fn product_name(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::Mysql => "MySQL",
            Dialect::Sqlite => "SQLite",
        }
    }
    /// The namespace unqualified names land in when nothing says otherwise.
    pub fn default_schema(self) -> &'static str {
        match self {
            Dialect::Postgres => "public",
            Dialect::Mysql | Dialect::Sqlite => "",
        }
    }
}

/// The schema that `--preserve-data` migrations keep their backups in
/// (one table per thing a migration destroys). Its objects belong to the
/// migrations, not to the schema files: the differ never plans a change to
/// them (a schema file that does not declare it must not drop it, and a
/// `pg_dump` that shows it must not create it), and verification leaves
/// them out of the comparison. The name is reserved.
pub const BACKUP_SCHEMA: &str = "schemashift_backup";

/// A whole database schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    pub dialect: Dialect,
    /// Namespaces (`CREATE SCHEMA`). PostgreSQL's `public` is always present.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub schemas: BTreeMap<String, Namespace>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extensions: BTreeMap<String, Extension>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub types: BTreeMap<QName, UserType>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sequences: BTreeMap<QName, Sequence>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tables: BTreeMap<QName, Table>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub views: BTreeMap<QName, View>,
    /// Functions and procedures, keyed by their signature
    /// (`schema.name(argtype, …)`) because PostgreSQL allows overloading.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub functions: BTreeMap<String, Function>,
    /// Extended statistics objects (`CREATE STATISTICS`), by name: they live
    /// in a namespace of their own choosing, not necessarily their table's.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub statistics: BTreeMap<QName, Statistics>,
    /// Publications for logical replication, by name (database-wide objects).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub publications: BTreeMap<String, Publication>,
    /// Statements the reader could not model. They are kept with their text so
    /// that a change to them is still reported, never silently dropped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opaque: Vec<Opaque>,
}

impl Schema {
    pub fn new(dialect: Dialect) -> Schema {
        let mut s = Schema { dialect, ..Schema::default() };
        // The namespace every database of the dialect has, if it has namespaces.
        let namespace = dialect.default_schema();
        if !namespace.is_empty() {
            s.schemas.insert(
                namespace.into(),
                Namespace { name: namespace.into(), comment: None, location: Location::default() },
            );
        }
        s
    }

    /// Whether the schema holds anything in [`BACKUP_SCHEMA`].
    pub fn has_backups(&self) -> bool {
        let inside = |q: &QName| q.schema == BACKUP_SCHEMA;
        self.schemas.contains_key(BACKUP_SCHEMA)
            || self.tables.keys().any(inside)
            || self.sequences.keys().any(inside)
            || self.views.keys().any(inside)
            || self.types.keys().any(inside)
            || self.statistics.keys().any(inside)
            || self.functions.values().any(|f| inside(&f.name))
    }

    /// Moves what the schema holds in [`BACKUP_SCHEMA`] out, into a schema
    /// of its own (see [`Schema::add_backups`]).
    pub fn take_backups(&mut self) -> Schema {
        fn split<K: Ord + Clone, V>(map: &mut BTreeMap<K, V>, inside: impl Fn(&K, &V) -> bool) -> BTreeMap<K, V> {
            let keys: Vec<K> = map.iter().filter(|(k, v)| inside(k, v)).map(|(k, _)| k.clone()).collect();
            keys.into_iter().filter_map(|k| map.remove(&k).map(|v| (k, v))).collect()
        }
        let inside = |q: &QName| q.schema == BACKUP_SCHEMA;
        Schema {
            dialect: self.dialect,
            schemas: split(&mut self.schemas, |k, _| k == BACKUP_SCHEMA),
            types: split(&mut self.types, |k, _| inside(k)),
            sequences: split(&mut self.sequences, |k, _| inside(k)),
            tables: split(&mut self.tables, |k, _| inside(k)),
            views: split(&mut self.views, |k, _| inside(k)),
            functions: split(&mut self.functions, |_, f| inside(&f.name)),
            statistics: split(&mut self.statistics, |k, _| inside(k)),
            ..Schema::default()
        }
    }

    /// Puts back what [`Schema::take_backups`] took (replacing what has the
    /// same name).
    pub fn add_backups(&mut self, backups: Schema) {
        self.schemas.extend(backups.schemas);
        self.types.extend(backups.types);
        self.sequences.extend(backups.sequences);
        self.tables.extend(backups.tables);
        self.views.extend(backups.views);
        self.functions.extend(backups.functions);
        self.statistics.extend(backups.statistics);
    }

    /// The schema without what it holds in [`BACKUP_SCHEMA`]: borrowed when
    /// it holds nothing there.
    pub fn without_backups(&self) -> std::borrow::Cow<'_, Schema> {
        if !self.has_backups() {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut s = self.clone();
        s.take_backups();
        std::borrow::Cow::Owned(s)
    }

    /// Whether the schema holds nothing but what every database has (the
    /// `public` schema): an empty file, only comments, a pg_dump preamble.
    pub fn is_empty(&self) -> bool {
        self.schemas.keys().all(|s| s == "public")
            && self.extensions.is_empty()
            && self.types.is_empty()
            && self.sequences.is_empty()
            && self.tables.is_empty()
            && self.views.is_empty()
            && self.functions.is_empty()
            && self.statistics.is_empty()
            && self.publications.is_empty()
            && self.opaque.is_empty()
    }

    /// What the schema holds, counted for a message (`12 tables, 3 views`).
    pub fn summary(&self) -> String {
        let counts = [
            (self.tables.len(), "table"),
            (self.views.len(), "view"),
            (self.types.len(), "type"),
            (self.functions.len(), "function"),
            (self.sequences.len(), "sequence"),
            (self.extensions.len(), "extension"),
            (self.opaque.len(), "other statement"),
        ];
        let parts: Vec<String> =
            counts.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{n} {what}{}", if *n == 1 { "" } else { "s" })).collect();
        if parts.is_empty() { "no objects".to_string() } else { parts.join(", ") }
    }

    /// Every relation-like name in a namespace: PostgreSQL keeps tables,
    /// views, sequences and indexes in one catalog (`pg_class`), so a generated
    /// name must avoid all of them.
    pub fn relation_exists(&self, name: &QName) -> bool {
        self.tables.contains_key(name)
            || self.views.contains_key(name)
            || self.sequences.contains_key(name)
            || self.find_index(name).is_some()
    }

    /// The table that owns the index `name` (index names are unique per namespace).
    pub fn find_index(&self, name: &QName) -> Option<&QName> {
        self.tables
            .iter()
            .find(|(t, table)| t.schema == name.schema && table.indexes.contains_key(&name.name))
            .map(|(t, _)| t)
    }

    /// The table that owns the constraint `name` in a namespace.
    pub fn find_constraint(&self, schema: &str, name: &str) -> Option<&QName> {
        self.tables
            .iter()
            .find(|(t, table)| t.schema == schema && table.constraints.contains_key(name))
            .map(|(t, _)| t)
    }

    /// Number of objects of every kind, for summaries and benchmarks.
    pub fn object_count(&self) -> usize {
        self.schemas.len()
            + self.extensions.len()
            + self.types.len()
            + self.sequences.len()
            + self
                .tables
                .values()
                .map(|t| 1 + t.columns.len() + t.constraints.len() + t.indexes.len() + t.triggers.len() + t.policies.len() + t.rules.len())
                .sum::<usize>()
            + self.views.len()
            + self.functions.len()
            + self.statistics.len()
            + self.publications.len()
            + self.opaque.len()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Namespace {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    pub name: String,
    /// The namespace its objects are installed into.
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}

/// A SQL expression in canonical form: parsed, then printed back with
/// redundant parentheses, implicit casts and default-schema qualifiers
/// removed, so that the same expression written two ways compares equal.
/// The text is always valid SQL for the dialect it was read from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Expr(pub String);

impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub name: QName,
    pub columns: Vec<Column>,
    /// Constraints by name (PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK, EXCLUDE).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub constraints: BTreeMap<String, Constraint>,
    /// Indexes created with CREATE INDEX, by name. Indexes that back a
    /// PRIMARY KEY, UNIQUE or EXCLUDE constraint belong to the constraint.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub indexes: BTreeMap<String, Index>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub triggers: BTreeMap<String, Trigger>,
    /// `PARTITION BY …` of a partitioned table, canonical text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    /// Set when this table is a partition of another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<PartitionOf>,
    /// The parents of a table that uses inheritance (`INHERITS (a, b)`), in
    /// order: PostgreSQL keeps that order (`pg_inherits.inhseqno`) and lays
    /// out the inherited columns by it. The table's own `columns` include the
    /// inherited ones, as `pg_attribute` does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<QName>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unlogged: bool,
    /// Storage parameters (`WITH (fillfactor = 70)`, `SET (…)`), each
    /// `name=value` as PostgreSQL stores it in `reloptions`, sorted; those of
    /// the TOAST table keep their `toast.` prefix.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<String>,
    /// `REPLICA IDENTITY`; `None` is `DEFAULT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_identity: Option<ReplicaIdentity>,
    /// `CLUSTER ON index`: the index `CLUSTER` without an index name uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_on: Option<String>,
    /// `ENABLE ROW LEVEL SECURITY`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub row_level_security: bool,
    /// `FORCE ROW LEVEL SECURITY`: the policies apply to the owner too.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force_row_level_security: bool,
    /// Row-level security policies, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, Policy>,
    /// Rewrite rules (`CREATE RULE`), by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, Rule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "RenameHint::is_none")]
    pub renamed_from: RenameHint,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}

impl Table {
    pub fn new(name: QName, location: Location) -> Table {
        Table {
            name,
            columns: Vec::new(),
            constraints: BTreeMap::new(),
            indexes: BTreeMap::new(),
            triggers: BTreeMap::new(),
            partition_by: None,
            partition_of: None,
            inherits: Vec::new(),
            unlogged: false,
            with: Vec::new(),
            replica_identity: None,
            cluster_on: None,
            row_level_security: false,
            force_row_level_security: false,
            policies: BTreeMap::new(),
            rules: BTreeMap::new(),
            comment: None,
            renamed_from: RenameHint::default(),
            location,
        }
    }
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }
    pub fn primary_key(&self) -> Option<&Constraint> {
        self.constraints.values().find(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. }))
    }

    /// The columns that identify a row: the primary key's, else those of a
    /// unique constraint over NOT NULL columns.
    pub fn row_key(&self) -> Option<Vec<String>> {
        if let Some(ConstraintKind::PrimaryKey { columns, .. }) = self.primary_key().map(|c| &c.kind) {
            return Some(columns.clone());
        }
        self.constraints.values().find_map(|c| match &c.kind {
            ConstraintKind::Unique { columns, .. } if columns.iter().all(|n| self.column(n).is_some_and(|c| !c.nullable)) => Some(columns.clone()),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionOf {
    pub parent: QName,
    /// `FOR VALUES …` or `DEFAULT`, canonical text.
    pub bound: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: DataType,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub nullable: bool,
    /// Whether the table declares the column itself (`pg_attribute.attislocal`).
    /// Only a column inherited from a parent and never declared by the table
    /// is not local. The difference shows when the parent lets go of it: `ALTER
    /// TABLE parent DROP COLUMN` drops a child's inherited-only column and keeps
    /// a local one, and `NO INHERIT` turns inherited-only columns into local
    /// ones. How many parents a column comes from (`attinhcount`) is not kept:
    /// it is the number of parents that have a column of that name.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub local: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Expr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Box<Identity>>,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<Expr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// `SET STATISTICS n` (`attstattarget`); `None` is the default (-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<i32>,
    /// `SET STORAGE …`; `None` is the column type's own storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Storage>,
    /// `SET COMPRESSION pglz | lz4`; `None` is `default_toast_compression`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<String>,
    /// Attribute options (`SET (n_distinct = 100)`), each `name=value` as
    /// PostgreSQL stores it in `attoptions`, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// MySQL's `ON UPDATE CURRENT_TIMESTAMP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<Expr>,
    #[serde(default, skip_serializing_if = "RenameHint::is_none")]
    pub renamed_from: RenameHint,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}

fn yes() -> bool {
    true
}
fn is_true(b: &bool) -> bool {
    *b
}

impl Column {
    pub fn new(name: String, data_type: DataType, location: Location) -> Column {
        Column {
            name,
            data_type,
            nullable: true,
            local: true,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            statistics: None,
            storage: None,
            compression: None,
            options: Vec::new(),
            comment: None,
            on_update: None,
            renamed_from: RenameHint::default(),
            location,
        }
    }
}

/// An identity column (`GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY`), or
/// MySQL's AUTO_INCREMENT / SQLite's AUTOINCREMENT in the other dialects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    pub always: bool,
    /// The implicit sequence's name (PostgreSQL: `<table>_<column>_seq`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<QName>,
    #[serde(default, skip_serializing_if = "SequenceOptions::is_default")]
    pub options: SequenceOptions,
}

/// Sequence parameters, each `None` when it has the value PostgreSQL would
/// choose by itself, so that explicit and implicit defaults compare equal.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SequenceOptions {
    /// `AS type`; `None` means bigint.
    #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
    pub data_type: Option<DataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<i64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cycle: bool,
}

impl SequenceOptions {
    pub fn is_default(&self) -> bool {
        *self == SequenceOptions::default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sequence {
    pub name: QName,
    #[serde(default, skip_serializing_if = "SequenceOptions::is_default")]
    pub options: SequenceOptions,
    /// `OWNED BY table.column`: dropped with the column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<(QName, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
// No deny_unknown_fields: serde does not support it together with `flatten`.
pub struct Constraint {
    pub name: String,
    #[serde(flatten)]
    pub kind: ConstraintKind,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferrable: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub initially_deferred: bool,
    /// Added `NOT VALID`: existing rows were not checked (CHECK and FOREIGN KEY).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
    /// Whether the table declares the constraint itself
    /// (`pg_constraint.conislocal`): false only for a CHECK a table has because
    /// a parent has it (inheritance, `INHERITS`). Like a column's, it decides
    /// whether the CHECK survives its parent's dropping it or `NO INHERIT`.
    /// The number of parents it comes from (`coninhcount`) is that of the
    /// parents with an inheritable CHECK of the same name. (A partition's
    /// copies of its parent's constraints are derived from the parent
    /// instead, see `finish`, and stay marked local.)
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub local: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ConstraintKind {
    PrimaryKey {
        columns: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        include: Vec<String>,
    },
    Unique {
        columns: Vec<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        nulls_not_distinct: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        include: Vec<String>,
    },
    ForeignKey {
        columns: Vec<String>,
        references: QName,
        ref_columns: Vec<String>,
        #[serde(default, skip_serializing_if = "FkAction::is_default")]
        on_delete: FkAction,
        #[serde(default, skip_serializing_if = "FkAction::is_default")]
        on_update: FkAction,
        #[serde(default, skip_serializing_if = "FkMatch::is_default")]
        match_type: FkMatch,
    },
    Check {
        expr: Expr,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        no_inherit: bool,
    },
    Exclude {
        method: String,
        /// `(element, operator)` pairs, element in canonical text.
        elements: Vec<(String, String)>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        include: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        predicate: Option<Expr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    pub fn is_default(&self) -> bool {
        *self == FkAction::NoAction
    }
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FkMatch {
    #[default]
    Simple,
    Full,
    Partial,
}

impl FkMatch {
    pub fn is_default(&self) -> bool {
        *self == FkMatch::Simple
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    pub name: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    /// Access method; `btree` is PostgreSQL's default.
    pub method: String,
    pub keys: Vec<IndexKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nulls_not_distinct: bool,
    /// Partial index predicate (`WHERE …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<Expr>,
    /// Storage parameters (`WITH (fillfactor = 70)`), canonical text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "RenameHint::is_none")]
    pub renamed_from: RenameHint,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}

/// One key of an index: a column or an expression with its options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexKey {
    /// A column name, or an expression in canonical text when `expression`.
    pub expr: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expression: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub descending: bool,
    /// `NULLS FIRST`/`LAST` only when it differs from the default for the
    /// direction (last for ASC, first for DESC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nulls_first: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    pub name: QName,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub materialized: bool,
    /// Explicit column names (`CREATE VIEW v (a, b) AS …`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// The query in canonical text.
    pub query: String,
    /// A materialized view created `WITH NO DATA` (and not refreshed since):
    /// it cannot be queried until `REFRESH MATERIALIZED VIEW`. Not a
    /// difference between two schemas (it is the state of the data), but
    /// kept when the planner creates the view.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub with_no_data: bool,
    /// `WITH (…)` options and `WITH CHECK OPTION`, canonical text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Indexes on a materialized view.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub indexes: BTreeMap<String, Index>,
    /// `INSTEAD OF` (and statement-level) triggers on a view.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub triggers: BTreeMap<String, Trigger>,
    /// Rewrite rules on the view (`CREATE RULE … ON INSERT TO view DO INSTEAD …`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, Rule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "RenameHint::is_none")]
    pub renamed_from: RenameHint,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
// No deny_unknown_fields: serde does not support it together with `flatten`.
pub struct UserType {
    pub name: QName,
    #[serde(flatten)]
    pub kind: UserTypeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum UserTypeKind {
    Enum {
        values: Vec<String>,
    },
    Composite {
        attributes: Vec<CompositeAttribute>,
    },
    Domain {
        base: DataType,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        default: Option<Expr>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        not_null: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        collation: Option<String>,
        /// CHECK constraints by name.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        checks: BTreeMap<String, Expr>,
        /// `COMMENT ON CONSTRAINT c ON DOMAIN d`, by constraint name.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        check_comments: BTreeMap<String, String>,
    },
    /// `CREATE TYPE … AS RANGE`.
    Range {
        subtype: DataType,
        /// The other options (`subtype_diff = float8mi`, …), canonical text,
        /// those equal to PostgreSQL's defaults left out.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        options: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositeAttribute {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: DataType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Function {
    pub name: QName,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub procedure: bool,
    pub args: Vec<FunctionArg>,
    /// Return type in canonical text (`None` for procedures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<String>,
    pub language: String,
    /// The body exactly as written between the quotes (PostgreSQL keeps its
    /// whitespace), or a SQL-standard body (`RETURN …`, `BEGIN ATOMIC … END`)
    /// in canonical form.
    pub body: String,
    /// Other attributes (volatility, STRICT, SECURITY DEFINER, PARALLEL, …)
    /// in canonical text, defaults omitted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}

impl Function {
    /// The key under which PostgreSQL identifies a function: name and input
    /// argument types (OUT arguments are not part of the signature).
    pub fn signature(&self) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .filter(|a| a.mode != ArgMode::Out)
            .map(|a| a.data_type.to_string())
            .collect();
        format!("{}({})", self.name, args.join(", "))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionArg {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "ArgMode::is_default")]
    pub mode: ArgMode,
    #[serde(rename = "type")]
    pub data_type: DataType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Expr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArgMode {
    #[default]
    In,
    Out,
    InOut,
    Variadic,
}

impl ArgMode {
    pub fn is_default(&self) -> bool {
        *self == ArgMode::In
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    pub name: String,
    /// `BEFORE`, `AFTER` or `INSTEAD OF`.
    pub timing: String,
    /// `INSERT`, `UPDATE`, `UPDATE OF a, b`, `DELETE`, `TRUNCATE`, in canonical order.
    pub events: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub for_each_row: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Expr>,
    /// `EXECUTE FUNCTION name(args)` in canonical text.
    pub execute: String,
    /// Transition tables: `OLD TABLE AS name`, `NEW TABLE AS name`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referencing: Vec<String>,
    /// `CREATE CONSTRAINT TRIGGER`, with its deferrability.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub constraint: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferrable: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub initially_deferred: bool,
    /// `ALTER TABLE … DISABLE TRIGGER` / `ENABLE REPLICA | ALWAYS TRIGGER`.
    #[serde(default, skip_serializing_if = "Enabled::is_default")]
    pub enabled: Enabled,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}

/// A statement the reader does not model (GRANT, CREATE AGGREGATE, …).
/// Compared by its whitespace-normalized text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Opaque {
    /// The statement's leading keywords, e.g. `GRANT` or `CREATE AGGREGATE`.
    pub kind: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Location::is_unknown")]
    pub location: Location,
}
