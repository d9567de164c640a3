//! The dialect seam: everything that depends on the database's own SQL
//! lives below one folder per dialect, and the rest of the pipeline reaches
//! it through the functions here, dispatching on [`Dialect`].
//!
//! A dialect owns its statement splitter, reader (SQL text → model),
//! expression canonicalizer, generated-name rules, DDL renderer and planner
//! lowering (model changes → ordered SQL steps with their facts). Adding a
//! dialect is adding a folder beside `postgres/` and its arms here.

pub mod postgres;

pub use crate::model::Dialect;

use crate::diff::Change;
use crate::error::{Error, Result, Warning};
use crate::model::Schema;
use crate::plan::{Rebuild, Step};
use crate::source::{FileSet, SourceFile};

/// The dialects schemashift reads and plans for; the others are named in
/// the model (JSON snapshots record them) but refused here.
fn unsupported(dialect: Dialect) -> Error {
    Error::usage(format!("the {} dialect is not yet supported", dialect.name())).help("only --dialect postgres is supported in this version")
}

/// Whether schemashift reads and plans `dialect` in this version.
pub fn is_supported(dialect: Dialect) -> bool {
    match dialect {
        Dialect::Postgres => true,
        Dialect::Mysql | Dialect::Sqlite => false,
    }
}

/// Whether a new enum label may be added inside a transaction on a server
/// of major version `server_version` (`None`: a supported release).
/// PostgreSQL allows `ALTER TYPE … ADD VALUE` in a transaction block from
/// version 12.
pub fn enum_label_in_transaction(dialect: Dialect, server_version: Option<u32>) -> bool {
    match dialect {
        Dialect::Postgres => server_version.is_none_or(|major| major >= 12),
        Dialect::Mysql | Dialect::Sqlite => true,
    }
}

/// The `provider` Prisma names the dialect's databases by (in
/// `migration_lock.toml`).
pub fn prisma_provider(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "postgresql",
        Dialect::Mysql => "mysql",
        Dialect::Sqlite => "sqlite",
    }
}

/// Whether an auto-increment column of a JSON snapshot is a serial column:
/// NOT NULL, of an integer type, its default taken from a sequence the
/// column owns. Otherwise it is only marked as an identity.
pub fn serial_columns(dialect: Dialect) -> bool {
    match dialect {
        Dialect::Postgres => true,
        Dialect::Mysql | Dialect::Sqlite => false,
    }
}

/// A JSON snapshot's type (`varchar(20)`, `int4`, `datetime`) in the
/// dialect's canonical spelling, and whether it was a serial pseudo-type
/// (which makes its column auto-increment).
pub fn snapshot_type(dialect: Dialect, data_type: crate::model::DataType) -> (crate::model::DataType, bool) {
    match dialect {
        Dialect::Postgres => postgres::snapshot_types::canonical(data_type),
        // Other dialects keep their own spelling for now; their readers
        // will own the synonym tables.
        Dialect::Mysql | Dialect::Sqlite => (data_type, false),
    }
}

/// Reads the SQL files of one schema into a model.
pub fn read_sql(files: &[SourceFile], dialect: Dialect) -> Result<(Schema, Vec<Warning>)> {
    match dialect {
        Dialect::Postgres => postgres::files::read_schema(files),
        other => Err(unsupported(other)),
    }
}

/// Reads both sides of SQL files at once, sharing the work of the files
/// they have in common; `None` when the dialect reads them one by one.
pub fn read_sql_pair(old: &FileSet, new: &FileSet, dialect: Dialect) -> Option<Result<(crate::read::Read, crate::read::Read)>> {
    match dialect {
        Dialect::Postgres => Some(postgres::pair::read_pair(old, new)),
        _ => None,
    }
}

/// Applies a script (a migration) to a model: how a plan is verified and a
/// migration directory read back.
pub fn replay(schema: Schema, file: &str, sql: &str) -> Result<Schema> {
    match schema.dialect {
        Dialect::Postgres => postgres::read::replay(schema, file, sql),
        other => Err(unsupported(other)),
    }
}

/// Lowers the changes from `old` (renames applied) to `new` into ordered
/// steps, and the objects rebuilt on the way.
pub fn lower(old: &Schema, new: &Schema, changes: &[Change], warnings: &mut Vec<Warning>) -> Result<(Vec<Step>, Vec<Rebuild>)> {
    match new.dialect {
        Dialect::Postgres => Ok(postgres::plan::lower(old, new, changes, warnings)),
        other => Err(unsupported(other)),
    }
}

/// `up`, planned from `old` to `new`, in the forms that keep reads and
/// writes going (see [`crate::plan::Options::online`]).
pub fn online(old: &Schema, new: &Schema, up: Vec<Step>, server_version: Option<u32>, phases: bool, warnings: &mut Vec<Warning>) -> Result<Vec<Step>> {
    match new.dialect {
        Dialect::Postgres => Ok(postgres::plan::online(old, new, up, server_version, phases, warnings)),
        other => Err(unsupported(other)),
    }
}

/// `down` made to put back what the backfill `b` of an earlier migration
/// filled, where it creates again a column `b` uses (see the PostgreSQL
/// version for what that means).
pub fn refill_down(down: &mut Vec<Step>, target: &Schema, b: &Step) {
    if target.dialect == Dialect::Postgres {
        postgres::plan::refill_down(down, target, b)
    }
}

/// `up`, planned from `old` (renames applied) to `new`, with a copy of
/// what its steps destroy kept first, and the copies (see
/// [`crate::plan::Options::preserve_data`]); `existing`: the names of the
/// copies the database already holds, which new ones must not take.
pub fn preserve(
    old: &Schema,
    new: &Schema,
    changes: &[Change],
    up: Vec<Step>,
    existing: &std::collections::BTreeSet<String>,
    warnings: &mut Vec<Warning>,
) -> Result<(Vec<Step>, Vec<crate::plan::Backup>)> {
    match new.dialect {
        Dialect::Postgres => Ok(postgres::plan::preserve::preserve(old, new, changes, up, existing, warnings)),
        other => Err(unsupported(other)),
    }
}

/// `down`, planned from `from` to `to`, putting back what `backups` keep,
/// each where the down has made room for it.
pub fn restore(from: &Schema, to: &Schema, down: Vec<Step>, backups: &[crate::plan::Backup]) -> Result<Vec<Step>> {
    match to.dialect {
        Dialect::Postgres => postgres::plan::preserve::restore(from, to, down, backups),
        other => Err(unsupported(other)),
    }
}

/// The migration that drops every backup `--preserve-data` migrations
/// kept (`generate --drop-backups`).
pub fn drop_backups(dialect: Dialect) -> Result<crate::plan::Plan> {
    match dialect {
        Dialect::Postgres => Ok(postgres::plan::preserve::drop_backups()),
        other => Err(unsupported(other)),
    }
}

/// The statements that set an online plan's session timeouts.
pub fn session_timeouts(dialect: Dialect, online: &crate::plan::Online) -> Result<Vec<Step>> {
    match dialect {
        Dialect::Postgres => Ok(postgres::plan::session_timeouts(online)),
        other => Err(unsupported(other)),
    }
}

/// The model as DDL that creates it.
pub fn render_schema(schema: &Schema) -> Result<String> {
    match schema.dialect {
        Dialect::Postgres => Ok(postgres::render::render_schema(schema)),
        other => Err(unsupported(other)),
    }
}

/// (namespace, name) of relations (tables, their indexes) and of
/// constraints that exist in the database but not in the model a reader
/// works on: generated names must avoid them too. Kept as hashes (a
/// collision only makes a name look taken, which the caller must tolerate).
#[derive(Debug, Default)]
pub struct OutsideNames {
    relations: std::collections::HashSet<u64>,
    constraints: std::collections::HashSet<u64>,
}

impl OutsideNames {
    fn key(schema: &str, name: &str) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        (schema, name).hash(&mut h);
        h.finish()
    }
    pub fn add_relation(&mut self, schema: &str, name: &str) {
        self.relations.insert(Self::key(schema, name));
    }
    pub fn add_constraint(&mut self, schema: &str, name: &str) {
        self.constraints.insert(Self::key(schema, name));
    }
    fn has_relation(&self, schema: &str, name: &str) -> bool {
        self.relations.contains(&Self::key(schema, name))
    }
    fn has_constraint(&self, schema: &str, name: &str) -> bool {
        self.constraints.contains(&Self::key(schema, name))
    }
}

/// Applies a script to part of a model: `outside` names what the rest of
/// the database holds (see [`crate::plan::verify`]).
pub fn replay_part(schema: Schema, file: &str, sql: &str, outside: OutsideNames) -> Result<Schema> {
    match schema.dialect {
        Dialect::Postgres => postgres::read::replay_part(schema, file, sql, Some(outside)),
        other => Err(unsupported(other)),
    }
}

/// The name the database gives an object created without one
/// (`<table>_<column>_key`), avoiding the names in `taken`, which it joins:
/// so that a model read from a JSON snapshot names what the snapshot leaves
/// unnamed as the database would. Until another dialect has its own rules,
/// PostgreSQL's apply.
pub fn implicit_name(dialect: Dialect, name1: &str, name2: Option<&str>, label: &str, taken: &mut std::collections::HashSet<String>) -> String {
    match dialect {
        Dialect::Postgres | Dialect::Mysql | Dialect::Sqlite => postgres::read::names::choose_name(name1, name2, label, taken),
    }
}

/// The columns of `columns` a CHECK expression mentions, in order of first
/// mention: the database names an unnamed CHECK after them.
pub fn check_columns(dialect: Dialect, expr: &str, columns: &[String]) -> Vec<String> {
    match dialect {
        Dialect::Postgres | Dialect::Mysql | Dialect::Sqlite => postgres::read::names::referenced_columns(expr, columns),
    }
}

/// What a model read from JSON needs before it compares with one read from
/// SQL: expressions in the dialect's canonical form (`canonicalize`, for
/// snapshots written by hand), and column features the dialect lacks (a
/// MySQL-style `ON UPDATE`) lowered into what it has.
pub fn settle_json(schema: &mut Schema, canonicalize: bool, warnings: &mut Vec<Warning>) -> Result<()> {
    // Until another dialect has its own canonical forms, PostgreSQL's apply
    // to every snapshot; ON UPDATE is lowered for PostgreSQL only.
    if canonicalize {
        postgres::read::canon::resolve_schema(schema);
    }
    match schema.dialect {
        Dialect::Postgres => postgres::on_update::expand(schema, warnings),
        Dialect::Mysql | Dialect::Sqlite => Ok(()),
    }
}

/// A copy of `schema` with rename changes applied as the database applies
/// them: what refers to a renamed column, table or view follows it.
pub fn apply_renames(schema: &Schema, changes: &[Change]) -> Result<Schema> {
    match schema.dialect {
        Dialect::Postgres => postgres::apply_renames(schema, changes),
        other => Err(unsupported(other)),
    }
}

/// The output columns of a view, with their types, as the database derives
/// them from its query; None when they cannot be worked out.
pub fn view_output_columns(schema: &Schema, view: &crate::model::QName) -> Option<Vec<(String, crate::model::DataType)>> {
    match schema.dialect {
        Dialect::Postgres => postgres::read::canon::view_output_columns(schema, view),
        Dialect::Mysql | Dialect::Sqlite => None,
    }
}

/// What a lock level, in the database's own words (a step's
/// `facts.lock.level`), keeps the application from doing on the relation
/// while it is held.
pub fn lock_blocks(dialect: Dialect, level: &str) -> crate::plan::facts::Blocks {
    match dialect {
        Dialect::Postgres => postgres::plan::locks::blocks(level),
        // Unknown: assume the worst, so that no estimate is too hopeful.
        Dialect::Mysql | Dialect::Sqlite => crate::plan::facts::Blocks { reads: true, writes: true },
    }
}

/// Whether changing a column from `from` to `to` keeps every stored value
/// as it is (no rewrite, nothing can fail): the database only updates its
/// catalog.
pub fn binary_coercible(dialect: Dialect, from: &crate::model::DataType, to: &crate::model::DataType) -> bool {
    match dialect {
        Dialect::Postgres => postgres::casts::binary_coercible(from, to),
        Dialect::Mysql | Dialect::Sqlite => false,
    }
}

/// The statements of a hand-written migration as steps with the facts the
/// database gives them (lock, work, transaction), for linting migration
/// files: what the user wrote, not what schemashift would have planned.
/// Each comes with the line and column where it starts.
pub fn statement_steps(dialect: Dialect, file: &str, sql: &str) -> Result<Vec<(u32, u32, Step)>> {
    match dialect {
        Dialect::Postgres => postgres::plan::locks::statement_steps(file, sql),
        other => Err(unsupported(other)),
    }
}
