//! Lowering changes to PostgreSQL statements, in an order the database accepts.
//!
//! Statements are gathered into phases, applied in this order:
//!
//! 1. `pre`: schemas and extensions, which everything else may live in or use;
//! 2. `types`: new types, enum labels, domains, sequences — before the
//!    columns that use them;
//! 3. `drop_dependents`: views, triggers, foreign keys, constraints and
//!    indexes that are removed or would block a change (a view over a
//!    column whose type changes, a foreign key into a primary key that is
//!    replaced), dependants first;
//! 4. `functions`: functions, so that defaults and checks can call them;
//! 5. `renames`: tables, columns, indexes, constraints, sequences;
//! 6. `tables`: new tables (without foreign keys, so cycles work), then
//!    column changes, enum rebuilds, new and dropped columns; dropped tables
//!    go just before, instead of in (9), when the new schema gives one of
//!    their relation names (the table's, an index's, a key's) to another
//!    relation: tables, indexes, sequences and views share one namespace;
//! 7. `constraints`: new constraints and indexes, then foreign keys, once
//!    every table they refer to exists;
//! 8. `views`: views in dependency order, including those dropped in (3)
//!    only to let a change through;
//! 9. `triggers`, then `policies` (row-level security policies, rules,
//!    extended statistics, publications: they may use any table, view or
//!    function), then `drops` of tables, of objects kept as text, then of
//!    functions, types, sequences, schemas and extensions (reverse
//!    dependency order), and last comments and privileges.
//!
//! Objects kept as text (see `properties`) are created in two more phases:
//! collations and text search objects before functions, operators, casts,
//! servers and the like after them, before the tables.
//! Table and column properties, policies, rules, statistics and
//! publications are lowered in `properties`, which says where each goes.
//! The other families have a module each: `types`, `tables` (and columns),
//! `views`, `routines`, `rebuild` (what a change forces to be dropped and
//! created again); `locks` gives each statement its facts. This file holds
//! the phases and the one `match` that sends each change to its family.

mod facts;
mod inherit;
pub mod locks;
mod online;
pub mod preserve;
mod properties;
mod rebuild;
mod routines;
mod tables;
mod types;
mod views;

use crate::plan::{Object as O, Rebuild, Step};
use facts::Ordered;
use inherit::Inheritance;
use crate::diff::Change;
use crate::dialect::postgres::render as sql;
use crate::error::Warning;
use crate::model::{
    Constraint, ConstraintKind, DataType, Function, QName, Schema, Table, UserType, UserTypeKind, quote_ident, quote_literal,
};
use crate::dialect::postgres::read::canon::Dependencies;
use std::collections::BTreeSet;

#[derive(Default)]
struct Phases {
    pre: Vec<Step>,
    types: Vec<Step>,
    drop_views: Vec<Step>,
    /// `NO INHERIT`, before anything is dropped from a parent: the child
    /// keeps its columns and CHECKs.
    no_inherit: Vec<Step>,
    drop_dependents: Vec<Step>,
    /// CHECKs dropped from tables that take part in inheritance, by depth:
    /// a parent's before its children's (a child cannot drop what it still
    /// inherits); and defaults dropped before a type change in such tables,
    /// which reaches every child at once.
    inherited_drops: Vec<(usize, Step)>,
    opaque_early: Vec<Step>,
    /// New types and functions that need nothing this migration creates
    /// later, ordered by what each uses (see `facts`).
    functions: Vec<Ordered>,
    opaque_late: Vec<Step>,
    renames: Vec<Step>,
    /// Dropped tables whose names the new schema reuses (see `drop_tables`).
    drop_tables_early: Vec<Step>,
    tables: Vec<Step>,
    /// ADD COLUMN on a child that declares a column its parent gains in the
    /// same migration, deepest first: the parent's ADD COLUMN then merges.
    child_columns: Vec<(usize, Step)>,
    columns: Vec<Step>,
    drop_columns: Vec<Step>,
    /// DROP COLUMN on tables that take part in inheritance, parents first.
    inherited_drop_columns: Vec<(usize, Step)>,
    /// Defaults and NOT NULL of columns a child got from its parent's ADD
    /// COLUMN (or kept through its parent's type change) that are its own.
    column_fixes: Vec<Step>,
    /// New tables that inherit, parents first, once their parents have
    /// their new columns (the child copies them, in order).
    child_tables: Vec<(usize, Step)>,
    /// Functions that need a table or column this migration creates (a
    /// row type, a body PostgreSQL checks), before the indexes and CHECKs
    /// that may call them.
    table_functions: Vec<Ordered>,
    constraints: Vec<Step>,
    /// `INHERIT`, once the child has its parent's columns and CHECKs.
    inherit: Vec<Step>,
    foreign_keys: Vec<Step>,
    views: Vec<Step>,
    /// Functions that need a view this migration creates.
    late_functions: Vec<Ordered>,
    triggers: Vec<Step>,
    policies: Vec<Step>,
    drop_tables: Vec<Step>,
    drop_opaque: Vec<Step>,
    /// Functions, types and sequences, users before what they use.
    drops: Vec<Ordered>,
    drop_extensions: Vec<Step>,
    drop_schemas: Vec<Step>,
    post: Vec<Step>,
}

/// The names a table takes in its schema's relation namespace: its own, its
/// indexes' and those of the indexes behind its keys and exclusion constraints.
fn table_relation_names(t: &Table) -> impl Iterator<Item = &str> {
    let keys = t.constraints.values().filter(|c| {
        matches!(c.kind, ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. } | ConstraintKind::Exclude { .. })
    });
    std::iter::once(t.name.name.as_str()).chain(t.indexes.keys().map(String::as_str)).chain(keys.map(|c| c.name.as_str()))
}

/// Every (schema, name) of a relation of `schema`: tables and what
/// [`table_relation_names`] gives, views, sequences.
fn relation_names(schema: &Schema) -> BTreeSet<(&str, &str)> {
    let tables = schema.tables.values().flat_map(|t| table_relation_names(t).map(|n| (t.name.schema.as_str(), n)));
    let others = schema.views.keys().chain(schema.sequences.keys()).map(|q| (q.schema.as_str(), q.name.as_str()));
    tables.chain(others).collect()
}

/// Steps in order of their depth in the inheritance tree (stable).
fn by_depth(mut steps: Vec<(usize, Step)>, deepest_first: bool) -> Vec<Step> {
    steps.sort_by_key(|(depth, _)| if deepest_first { usize::MAX - depth } else { *depth });
    steps.into_iter().map(|(_, s)| s).collect()
}

impl Phases {
    fn into_steps(self) -> Vec<Step> {
        [
            self.pre,
            self.types,
            // Renames first: PostgreSQL keeps references by identity, so
            // everything after can use the new names.
            self.renames,
            self.drop_views,
            self.no_inherit,
            self.drop_dependents,
            by_depth(self.inherited_drops, false),
            // Collations and text search objects, which types, columns
            // and indexes may use.
            self.opaque_early,
            facts::creation_order(self.functions),
            // Operators, casts, aggregates, servers, …: they use functions,
            // and indexes and columns may use them.
            self.opaque_late,
            self.drop_tables_early,
            self.tables,
            by_depth(self.child_columns, true),
            self.columns,
            self.drop_columns,
            by_depth(self.inherited_drop_columns, false),
            self.column_fixes,
            by_depth(self.child_tables, false),
            facts::creation_order(self.table_functions),
            self.constraints,
            self.inherit,
            self.foreign_keys,
            self.views,
            facts::creation_order(self.late_functions),
            self.triggers,
            // Policies, rules and publications: their expressions and
            // commands may use any table, view or function.
            self.policies,
            self.drop_tables,
            // Objects kept as text, once the tables that use them are gone
            // and before the functions they use go.
            self.drop_opaque,
            facts::drop_order(self.drops),
            self.drop_extensions,
            // A schema goes last, once everything in it is gone.
            self.drop_schemas,
            self.post,
        ]
        .concat()
    }
}

/// A step, with the facts its statement has (see [`locks`]).
fn step(summary: impl Into<String>, sql: impl Into<String>) -> Step {
    let mut s = Step::new(summary, sql);
    s.facts = locks::facts_of(&s.sql);
    s.transactional = s.facts.outside_transaction.is_none();
    s
}

/// A plain CREATE or DROP INDEX on table `table`, which may run CONCURRENTLY
/// instead: the online form, without the table's write lock (a DROP INDEX
/// takes ACCESS EXCLUSIVE on the table, a CREATE INDEX SHARE).
fn index_step(summary: impl Into<String>, sql: impl Into<String>, table: &QName) -> Step {
    let mut s = step(summary, sql);
    let create = ["CREATE INDEX ", "CREATE UNIQUE INDEX "].into_iter().find(|p| s.sql.starts_with(p));
    let (prefix, lock) = match create {
        Some(p) => (p, locks::SHARE),
        None => ("DROP INDEX ", locks::ACCESS_EXCLUSIVE),
    };
    if let Some(rest) = s.sql.strip_prefix(prefix) {
        s.facts.lock = Some(crate::plan::facts::Lock { level: lock, on: table.clone() });
        s.facts.online = Some(crate::plan::facts::Online {
            form: "CONCURRENTLY",
            sql: format!("{prefix}CONCURRENTLY {rest}"),
            lock: locks::SHARE_UPDATE_EXCLUSIVE,
            outside_transaction: true,
        });
    }
    s
}

/// The index `name` of `table`: indexes live in their table's schema.
fn index_object(table: &QName, name: &str) -> O {
    O::Index(QName::new(table.schema.clone(), name.to_string()))
}

fn type_object(t: &UserType) -> O {
    if matches!(t.kind, UserTypeKind::Domain { .. }) { O::Domain(t.name.clone()) } else { O::Type(t.name.clone()) }
}

fn routine_object(f: &Function) -> O {
    if f.procedure { O::Procedure(f.signature()) } else { O::Function(f.signature()) }
}

/// `ALTER TABLE table ADD CONSTRAINT …`, touching the table, the
/// constraint and the table a foreign key references (the same one too).
fn add_constraint_step(summary: impl Into<String>, table: &QName, c: &Constraint) -> Step {
    let s = step(summary, sql::add_constraint_sql(table, c)).alters(O::Table(table.clone())).creates(O::Constraint(table.clone(), c.name.clone()));
    match &c.kind {
        ConstraintKind::ForeignKey { references, .. } => s.uses(O::Table(references.clone())),
        _ => s,
    }
}

/// `ALTER TABLE [ONLY] table DROP CONSTRAINT name`.
fn drop_constraint_step(summary: impl Into<String>, sql: impl Into<String>, table: &QName, name: &str) -> Step {
    step(summary, sql).alters(O::Table(table.clone())).drops(O::Constraint(table.clone(), name.to_string()))
}

struct Lowering<'a> {
    old: &'a Schema,
    new: &'a Schema,
    /// Set when either schema uses inheritance.
    inh: Option<Inheritance<'a>>,
    changes: &'a [Change],
    p: Phases,
    warnings: &'a mut Vec<Warning>,
    /// Dependants already dropped and recreated around a type change.
    rebuilt: BTreeSet<String>,
    /// Old views dropped (and created again if they remain), computed once by `views()`.
    recreated_views: BTreeSet<QName>,
    /// Opaque statements to add, by place and rank (see `place_opaque`).
    opaque_adds: Vec<(sql::order::OpaquePlace, usize, Step)>,
    /// Opaque objects to drop, by rank.
    opaque_drops: Vec<(usize, Step)>,
    /// Objects dropped and created again unchanged, with why.
    rebuilds: Vec<Rebuild>,
    /// What the old model's expressions and views use, analyzed on demand.
    old_deps: std::cell::OnceCell<Dependencies<'a>>,
    /// The same for the new model.
    new_deps: std::cell::OnceCell<Dependencies<'a>>,
}

/// The steps of the migration, and the objects it rebuilds.
pub use online::{online, refill_down, session_timeouts};

pub fn lower(old: &Schema, new: &Schema, changes: &[Change], warnings: &mut Vec<Warning>) -> (Vec<Step>, Vec<Rebuild>) {
    let inh = Inheritance::any(old, new).then_some(Inheritance { old, new });
    let mut l = Lowering {
        old,
        new,
        inh,
        changes,
        p: Phases::default(),
        warnings,
        rebuilt: BTreeSet::new(),
        recreated_views: BTreeSet::new(),
        opaque_adds: Vec::new(),
        opaque_drops: Vec::new(),
        rebuilds: Vec::new(),
        old_deps: std::cell::OnceCell::new(),
        new_deps: std::cell::OnceCell::new(),
    };
    l.views();
    l.create_types();
    let (replaced, dropped) = l.opaque_objects();
    for change in changes {
        match change {
            Change::DropOpaque { statement } if l.drop_recognised_opaque(statement, &replaced, &dropped) => {}
            _ => l.change(change),
        }
    }
    l.drop_validations_of_readded();
    l.re_add_opaque_of_replaced(&replaced);
    l.place_opaque();
    l.drop_tables();
    l.drop_types();
    let mut steps = l.p.into_steps();
    crate::plan::facts::locate(&mut steps, old, new);
    (steps, l.rebuilds)
}

impl<'a> Lowering<'a> {
    /// What the old model's objects use.
    fn old_deps(&self) -> &Dependencies<'a> {
        self.old_deps.get_or_init(|| Dependencies::new(self.old))
    }

    fn warn(&mut self, change: &Change, message: String) {
        let location = change.locations().1.or(change.locations().0).cloned().unwrap_or_default();
        self.warnings.push(Warning { message, location });
    }

    /// The relation `name` as an object: a table, a view or a materialized
    /// view, as the new model has it (or the old one, when it goes).
    fn relation(&self, name: &QName) -> O {
        let view = |s: &'a Schema| s.views.get(name).map(|v| v.materialized);
        let materialized = if self.new.tables.contains_key(name) { None } else { view(self.new).or_else(|| view(self.old)) };
        match materialized {
            Some(true) => O::MaterializedView(name.clone()),
            Some(false) => O::View(name.clone()),
            None => O::Table(name.clone()),
        }
    }

    /// The table in the new model a (possibly renamed) old table became.
    fn new_table(&self, name: &QName) -> Option<&Table> {
        self.new.tables.get(name)
    }

    fn is_dropped_table(&self, name: &QName) -> bool {
        self.changes.iter().any(|c| matches!(c, Change::DropTable { table } if table.name == *name))
    }

    fn change(&mut self, change: &Change) {
        use Change::*;
        match change {
            CreateSchema { schema } => {
                self.p.pre.push(step(format!("create schema {}", schema.name), sql::create_schema_sql(schema)).creates(O::Schema(schema.name.clone())));
                self.comment(format!("SCHEMA {}", quote_ident(&schema.name)), O::Schema(schema.name.clone()), &schema.comment);
            }
            DropSchema { schema } => self.p.drop_schemas.push(
                step(format!("drop schema {}", schema.name), format!("DROP SCHEMA {};", quote_ident(&schema.name)))
                    .drops(O::Schema(schema.name.clone())),
            ),
            CreateExtension { extension } => self.p.pre.push(
                step(format!("create extension {}", extension.name), sql::create_extension_sql(extension))
                    .creates(O::Extension(extension.name.clone())),
            ),
            DropExtension { extension } => self.p.drop_extensions.push(
                step(format!("drop extension {}", extension.name), format!("DROP EXTENSION {};", quote_ident(&extension.name)))
                    .drops(O::Extension(extension.name.clone())),
            ),
            AlterExtension { from, to } => {
                if from.schema != to.schema {
                    self.p.pre.push(
                        step(
                            format!("move extension {}", to.name),
                            format!("ALTER EXTENSION {} SET SCHEMA {};", quote_ident(&to.name), quote_ident(&to.schema)),
                        )
                        .alters(O::Extension(to.name.clone()))
                        .uses(O::Schema(to.schema.clone())),
                    );
                }
                if from.version != to.version
                    && let Some(v) = &to.version {
                        self.p.pre.push(
                            step(
                                format!("update extension {}", to.name),
                                format!("ALTER EXTENSION {} UPDATE TO {};", quote_ident(&to.name), quote_literal(v)),
                            )
                            .alters(O::Extension(to.name.clone())),
                        );
                    }
            }
            CreateType { .. } => {} // in dependency order, below
            DropType { .. } => {} // in reverse dependency order, below
            AddEnumValues { name, from, to } => self.add_enum_values(name, from, to),
            RebuildEnum { from, to } => self.rebuild_enum(change, from, to),
            AlterDomain { from, to } => self.alter_domain(from, to),
            ReplaceType { from, to } => self.replace_type(change, from, to),
            CreateSequence { sequence } => {
                let replaces_identity = sequence.owned_by.as_ref().is_some_and(|(t, c)| self.stops_being_identity(t, c));
                if !replaces_identity {
                    self.p.types.push(
                        step(format!("create sequence {}", sequence.name), sql::create_sequence_sql(sequence))
                            .creates(O::Sequence(sequence.name.clone())),
                    );
                }
                if let Some(owned) = sql::sequence_owned_by_sql(sequence) {
                    let mut s = step(format!("sequence {} owned by its column", sequence.name), owned).alters(O::Sequence(sequence.name.clone()));
                    if let Some((t, c)) = &sequence.owned_by {
                        s = s.uses(O::Column(t.clone(), c.clone()));
                    }
                    self.p.constraints.push(s);
                }
                self.comment(format!("SEQUENCE {}", sequence.name), O::Sequence(sequence.name.clone()), &sequence.comment);
            }
            DropSequence { sequence } => {
                // A sequence owned by a dropped table or column goes with it;
                // one replaced by an identity is dropped with that change.
                let goes_with_owner = sequence.owned_by.as_ref().is_some_and(|(t, c)| {
                    self.is_dropped_table(t)
                        || self.changes.iter().any(|ch| matches!(ch, Change::DropColumn { table, column } if table == t && column.name == *c))
                        || self.becomes_identity(t, c)
                });
                if !goes_with_owner {
                    let s = step(format!("drop sequence {}", sequence.name), format!("DROP SEQUENCE {};", sequence.name));
                    self.p.drops.push(Ordered::plain(s.drops(O::Sequence(sequence.name.clone()))));
                }
            }
            AlterSequence { from, to } => {
                if from.options != to.options {
                    let options = sequence_alter_options(&from.options, &to.options);
                    self.p.types.push(
                        step(format!("alter sequence {}", to.name), format!("ALTER SEQUENCE {} {};", to.name, options.join(" ")))
                            .alters(O::Sequence(to.name.clone())),
                    );
                }
                if from.owned_by != to.owned_by {
                    let owner = match &to.owned_by {
                        Some((t, c)) => format!("{t}.{}", quote_ident(c)),
                        None => "NONE".into(),
                    };
                    let mut s = step(format!("sequence {} owned by {owner}", to.name), format!("ALTER SEQUENCE {} OWNED BY {owner};", to.name))
                        .alters(O::Sequence(to.name.clone()));
                    if let Some((t, c)) = &to.owned_by {
                        s = s.uses(O::Column(t.clone(), c.clone()));
                    }
                    self.p.constraints.push(s);
                }
            }
            RenameSequence { from, to } => self.p.renames.push(
                step(format!("rename sequence {from} to {to}"), format!("ALTER SEQUENCE {from} RENAME TO {};", quote_ident(&to.name)))
                    .renames(O::Sequence(from.clone()), O::Sequence(to.clone())),
            ),
            CreateTable { table } => self.create_table(table),
            DropTable { .. } => {} // together, below
            RenameTable { from, to } => self.p.renames.insert(
                // Tables first, so that column renames can use the new name.
                self.p.renames.iter().take_while(|s| s.summary.starts_with("rename table")).count(),
                step(format!("rename table {from} to {to}"), sql::rename_sql(change, false).expect("a rename")).renames(O::Table(from.clone()), O::Table(to.clone())),
            ),
            AddColumn { table, column } => self.add_column(change, table, column),
            DropColumn { table, column } => self.drop_column(table, column),
            RenameColumn { table, from, to } => self.p.renames.push(
                step(format!("rename column {table}.{from} to {to}"), sql::rename_sql(change, false).expect("a rename"))
                    .alters(O::Table(table.clone()))
                    .renames(O::Column(table.clone(), from.clone()), O::Column(table.clone(), to.clone())),
            ),
            AlterColumn { table, from, to } => self.alter_column(change, table, from, to),
            AddConstraint { table, constraint } => {
                if self.inherited_constraint(self.new, table, constraint) {
                    return;
                }
                // A CHECK the table only inherits comes with its parent's ADD CONSTRAINT.
                if self.inh.as_ref().is_some_and(|i| i.check_comes_down(table, constraint)) {
                    return;
                }
                let s = add_constraint_step(format!("add constraint {} on {table}", constraint.name), table, constraint);
                if matches!(constraint.kind, ConstraintKind::ForeignKey { .. }) {
                    self.p.foreign_keys.push(s);
                } else {
                    self.p.constraints.push(s);
                }
                let object = O::Constraint(table.clone(), constraint.name.clone());
                self.comment(format!("CONSTRAINT {} ON {table}", quote_ident(&constraint.name)), object, &constraint.comment);
            }
            DropConstraint { table, constraint } => {
                if self.inherited_constraint(self.old, table, constraint) {
                    return;
                }
                if constraint.inheritable() && self.drop_check(table, &constraint.name, "") {
                    return;
                }
                let s = drop_constraint_step(
                    format!("drop constraint {} on {table}", constraint.name),
                    format!("ALTER TABLE {table} DROP CONSTRAINT {};", quote_ident(&constraint.name)),
                    table,
                    &constraint.name,
                );
                // Foreign keys first: they may depend on a unique index dropped next.
                if matches!(constraint.kind, ConstraintKind::ForeignKey { .. }) {
                    self.p.drop_dependents.insert(0, s);
                } else {
                    self.p.drop_dependents.push(s);
                }
                if matches!(constraint.kind, ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }) {
                    self.recreate_foreign_keys_into(table, constraint);
                }
            }
            ValidateConstraint { table, constraint } => self.validate_constraint(table, constraint),
            // A parent's CHECK renamed is renamed in the tables inheriting it.
            RenameConstraint { table, from, to }
                if self.inh.as_ref().is_some_and(|i| {
                    i.kept_parents(table).iter().any(|p| {
                        self.changes.iter().any(|c| matches!(c, Change::RenameConstraint { table: t, from: f, to: n } if t == p && f == from && n == to))
                    })
                }) => {}
            RenameConstraint { table, from, to } => self.p.renames.push(
                step(
                    format!("rename constraint {from} on {table} to {to}"),
                    format!("ALTER TABLE {table} RENAME CONSTRAINT {} TO {};", quote_ident(from), quote_ident(to)),
                )
                .alters(O::Table(table.clone()))
                .renames(O::Constraint(table.clone(), from.clone()), O::Constraint(table.clone(), to.clone())),
            ),
            CreateIndex { table, index } => {
                if self.inherited_index(self.new, table, index) {
                    return;
                }
                let object = index_object(table, &index.name);
                if self.new.views.contains_key(table) {
                    let s = step(format!("create index {}", index.name), sql::create_index_sql(table, index));
                    self.p.views.push(s.alters(self.relation(table)).creates(object.clone()));
                } else {
                    let s = index_step(format!("create index {}", index.name), sql::create_index_sql(table, index), table);
                    self.p.constraints.push(s.alters(O::Table(table.clone())).creates(object.clone()));
                }
                self.comment(format!("INDEX {}", QName::new(table.schema.clone(), index.name.clone())), object, &index.comment);
            }
            DropIndex { table, index } => {
                if self.inherited_index(self.old, table, index) {
                    return;
                }
                let summary = format!("drop index {}", index.name);
                let sql = format!("DROP INDEX {};", QName::new(table.schema.clone(), index.name.clone()));
                let s = if self.old.views.contains_key(table) { step(summary, sql) } else { index_step(summary, sql, table) };
                self.p.drop_dependents.push(s.alters(self.relation(table)).drops(index_object(table, &index.name)))
            }
            RenameIndex { table, from, to } => self.p.renames.push(
                step(format!("rename index {from} to {to}"), sql::rename_sql(change, false).expect("a rename"))
                    .renames(index_object(table, from), index_object(table, to)),
            ),
            CreateTrigger { table, trigger } => self.create_trigger(table, trigger),
            DropTrigger { table, trigger } => {
                if self.old.views.contains_key(table) && self.recreated_view(table) {
                    return; // goes with the view
                }
                self.drop_trigger(table, trigger);
            }
            SetLogged { table, unlogged } => self.p.columns.push(
                step(
                    format!("set {table} {}", if *unlogged { "unlogged" } else { "logged" }),
                    format!("ALTER TABLE {table} SET {};", if *unlogged { "UNLOGGED" } else { "LOGGED" }),
                )
                .alters(O::Table(table.clone())),
            ),
            SetStorageParameters { table, from, to } => self.set_storage_parameters(table, from, to),
            SetReplicaIdentity { table, to, .. } => self.set_replica_identity(table, to),
            SetClusterOn { table, to, .. } => self.set_cluster_on(table, to),
            SetRowLevelSecurity { table, enabled } => self.p.columns.push(
                step(
                    format!("{} row level security on {table}", if *enabled { "enable" } else { "disable" }),
                    sql::properties::row_level_security_sql(table, *enabled),
                )
                .alters(O::Table(table.clone())),
            ),
            SetForceRowLevelSecurity { table, force } => self.p.columns.push(
                step(
                    format!("{} row level security on {table}", if *force { "force" } else { "stop forcing" }),
                    sql::properties::force_row_level_security_sql(table, *force),
                )
                .alters(O::Table(table.clone())),
            ),
            SetTriggerEnabled { table, trigger, to, .. } => self.p.triggers.push(
                step(format!("set firing of trigger {trigger} on {table}"), sql::properties::enabled_sql(table, "TRIGGER", trigger, *to))
                    .alters(self.relation(table))
                    .alters(O::Trigger(table.clone(), trigger.clone())),
            ),
            CreatePolicy { table, policy } => self.create_policy(table, policy),
            DropPolicy { table, policy } => self.drop_policy(table, policy),
            AlterPolicy { table, from, to } => self.alter_policy(table, from, to),
            CreateRule { table, rule } => {
                if !(self.new.views.contains_key(table) && self.recreated_view(table)) {
                    self.create_rule(table, rule);
                }
            }
            DropRule { table, rule } => self.drop_rule(table, rule),
            SetRuleEnabled { table, rule, to, .. } => self.set_rule_enabled(table, rule, *to),
            CreateStatistics { statistics } => self.create_statistics(statistics),
            DropStatistics { statistics } => self.drop_statistics(statistics),
            AlterStatistics { to, .. } => self.p.policies.push(
                step(format!("set statistics target of {}", to.name), sql::properties::statistics_target_sql(to))
                    .alters(O::Statistics(to.name.clone())),
            ),
            CreatePublication { publication } => self.create_publication(publication),
            DropPublication { publication } => self.drop_publication(publication),
            AlterPublication { from, to } => self.alter_publication(from, to),
            AttachPartition { table, parent, bound } => self.p.constraints.push(
                step(format!("attach partition {table} to {parent}"), format!("ALTER TABLE {parent} ATTACH PARTITION {table} {bound};"))
                    .alters(O::Table(parent.clone()))
                    .alters(O::Table(table.clone())),
            ),
            DetachPartition { table, parent, .. } => self.p.drop_dependents.push(
                step(format!("detach partition {table} from {parent}"), format!("ALTER TABLE {parent} DETACH PARTITION {table};"))
                    .alters(O::Table(parent.clone()))
                    .alters(O::Table(table.clone())),
            ),
            Inherit { table, parent } => self.p.inherit.push(
                step(format!("make {table} inherit from {parent}"), format!("ALTER TABLE {table} INHERIT {parent};"))
                    .alters(O::Table(table.clone()))
                    .uses(O::Table(parent.clone())),
            ),
            NoInherit { table, parent } => self.p.no_inherit.push(
                step(format!("stop {table} inheriting from {parent}"), format!("ALTER TABLE {table} NO INHERIT {parent};"))
                    .alters(O::Table(table.clone()))
                    .uses(O::Table(parent.clone())),
            ),
            CreateView { .. } | DropView { .. } | ReplaceView { .. } | RenameView { .. } => {} // see views()
            CreateFunction { function } => self.create_function(function, false),
            DropFunction { function } => self.drop_function(function),
            ReplaceFunction { from, to } => {
                if replaceable_function(from, to) {
                    self.create_function(to, true);
                } else {
                    self.rebuild_function_dependents(from);
                    self.p.drop_dependents.push(
                        step(format!("drop function {}", from.signature()), format!("DROP {} {};", routine_keyword(from), function_ref(from)))
                            .drops(routine_object(from)),
                    );
                    self.create_function(to, false);
                }
            }
            SetComment { target, to, .. } => self.set_comment(sql::properties::comment_target_sql(target), O::from(target), to),
            AddOpaque { statement } => {
                if statement.kind != "GRANT" && statement.kind != "REVOKE" {
                    self.warn(change, format!("{} is not modelled; it is copied into the migration as written", statement.kind));
                }
                self.add_opaque(statement);
            }
            DropOpaque { statement } => self.undo_opaque(change, statement),
        }
    }

    /// The comment of an object this migration creates (nothing to do without one).
    fn comment(&mut self, target: String, object: O, comment: &Option<String>) {
        if comment.is_some() {
            self.set_comment(target, object, comment);
        }
    }

    /// `COMMENT ON target`, the SQL's name for `object`.
    fn set_comment(&mut self, target: String, object: O, comment: &Option<String>) {
        self.p.post.push(step(format!("comment on {target}"), sql::comment_on_sql(&target, comment.as_deref())).alters(object));
    }

    // ----- opaque statements ---------------------------------------------

    fn undo_opaque(&mut self, change: &Change, statement: &crate::model::Opaque) {
        let text = &statement.text;
        // What the statement was about, changed back.
        let step = |summary: &str, sql: String| properties::opaque_step(step(summary, sql), crate::plan::Action::Alter, statement);
        // Privileges on an object that is dropped go with it.
        if let Some(object) = crate::dialect::postgres::read::grant::privilege_object(text)
            && self.dropped_objects().iter().any(|d| object == d || object.starts_with(&format!("{d}("))) {
                return;
            }
        if statement.kind == "GRANT" {
            // `GRANT p ON o TO g [WITH GRANT OPTION]` → `REVOKE p ON o FROM g`.
            if let Some((head, grantee)) = text.rsplit_once(" TO ") {
                let grantee = grantee.trim_end_matches(" WITH GRANT OPTION");
                let revoke = format!("REVOKE{} FROM {grantee};", head.trim_start_matches("GRANT"));
                self.p.drop_dependents.insert(0, step("revoke", revoke));
                return;
            }
        }
        if statement.kind == "REVOKE"
            && let Some((head, grantee)) = text.rsplit_once(" FROM ") {
                self.p.post.push(step("grant", format!("GRANT{} TO {grantee};", head.trim_start_matches("REVOKE"))));
                return;
            }
        // `ALTER DEFAULT PRIVILEGES [FOR ROLE r] [IN SCHEMA s] GRANT p ON kind TO g`
        // is undone by the same with REVOKE … FROM g, and the other way round.
        if statement.kind == "ALTER DEFAULT PRIVILEGES" {
            let text = text.trim_end_matches(';').trim_end_matches(" WITH GRANT OPTION");
            let undo = match (text.split_once(" GRANT "), text.split_once(" REVOKE ")) {
                (Some((head, rest)), None) => rest.rsplit_once(" TO ").map(|(what, to)| format!("{head} REVOKE {what} FROM {to};")),
                (None, Some((head, rest))) => {
                    let rest = rest.trim_start_matches("GRANT OPTION FOR ");
                    rest.rsplit_once(" FROM ").map(|(what, from)| format!("{head} GRANT {what} TO {};", from.trim_end_matches(" CASCADE").trim_end_matches(" RESTRICT")))
                }
                _ => None,
            };
            if let Some(undo) = undo {
                self.p.post.push(step("undo default privileges", undo));
                return;
            }
        }
        self.warn(change, format!("cannot undo a statement schemashift does not model: {text}"));
        self.p.post.push(step(&format!("cannot undo {}", statement.kind), format!("-- schemashift cannot undo: {text}")));
    }
}

impl Lowering<'_> {
    fn stops_being_identity(&self, table: &QName, column: &str) -> bool {
        self.changes.iter().any(|c| {
            matches!(c, Change::AlterColumn { table: t, from, to } if t == table && to.name == column && from.identity.is_some() && to.identity.is_none())
        })
    }

    /// The sequence this migration creates that `table.column` owns.
    fn created_sequence_owned_by(&self, table: &QName, column: &str) -> Option<crate::model::Sequence> {
        self.changes.iter().find_map(|c| match c {
            Change::CreateSequence { sequence } if sequence.owned_by.as_ref().is_some_and(|(t, col)| t == table && col == column) => {
                Some(sequence.clone())
            }
            _ => None,
        })
    }

    fn becomes_identity(&self, table: &QName, column: &str) -> bool {
        self.changes.iter().any(|c| {
            matches!(c, Change::AlterColumn { table: t, from, to } if t == table && to.name == column && from.identity.is_none() && to.identity.is_some())
        })
    }

    /// The sequence this migration drops that `table.column` owns.
    fn dropped_sequence_owned_by(&self, table: &QName, column: &str) -> Option<QName> {
        self.changes.iter().find_map(|c| match c {
            Change::DropSequence { sequence }
                if sequence.owned_by.as_ref().is_some_and(|(t, col)| t == table && col == column) =>
            {
                Some(sequence.name.clone())
            }
            _ => None,
        })
    }

    /// `KIND name` of every object this migration drops, as privilege entries name them.
    fn dropped_objects(&self) -> Vec<String> {
        self.changes
            .iter()
            .filter_map(|c| match c {
                Change::DropTable { table } => Some(format!("TABLE {}", table.name)),
                Change::DropView { view } => Some(format!("TABLE {}", view.name)),
                Change::DropSequence { sequence } => Some(format!("SEQUENCE {}", sequence.name)),
                Change::DropFunction { function } => {
                    Some(format!("{} {}", if function.procedure { "PROCEDURE" } else { "FUNCTION" }, function.name))
                }
                Change::DropType { user_type } => Some(format!("TYPE {}", user_type.name)),
                _ => None,
            })
            .collect()
    }
}

fn type_keyword(t: &UserType) -> &'static str {
    if matches!(t.kind, UserTypeKind::Domain { .. }) { "DOMAIN" } else { "TYPE" }
}

fn routine_keyword(f: &Function) -> &'static str {
    if f.procedure { "PROCEDURE" } else { "FUNCTION" }
}

/// `name(argtype, …)` with the input argument types, as DROP FUNCTION wants.
fn function_ref(f: &Function) -> String {
    let args: Vec<String> = f
        .args
        .iter()
        .filter(|a| a.mode != crate::model::ArgMode::Out)
        .map(|a| {
            let mode = match a.mode {
                crate::model::ArgMode::InOut => "INOUT ",
                crate::model::ArgMode::Variadic => "VARIADIC ",
                _ => "",
            };
            format!("{mode}{}", a.data_type)
        })
        .collect();
    format!("{}({})", f.name, args.join(", "))
}

/// `CREATE OR REPLACE FUNCTION` cannot change the result type, argument
/// names or defaults, or turn a function into a procedure.
fn replaceable_function(from: &Function, to: &Function) -> bool {
    from.procedure == to.procedure
        && from.returns == to.returns
        && from.args.len() == to.args.len()
        && from.args.iter().zip(&to.args).all(|(a, b)| a.name == b.name && a.mode == b.mode && a.data_type == b.data_type && (a.default.is_none() || a.default == b.default))
}

/// The options of `ALTER SEQUENCE` that take a sequence from `from` to `to`,
/// spelling out defaults (`NO MAXVALUE`) where `to` went back to one.
fn sequence_alter_options(from: &crate::model::SequenceOptions, to: &crate::model::SequenceOptions) -> Vec<String> {
    let mut out = Vec::new();
    if from.data_type != to.data_type {
        out.push(format!("AS {}", to.data_type.as_ref().map_or("bigint".to_string(), |t| t.to_string())));
    }
    if from.increment != to.increment {
        out.push(format!("INCREMENT BY {}", to.increment.unwrap_or(1)));
    }
    if from.min_value != to.min_value || from.data_type != to.data_type {
        out.push(to.min_value.map_or("NO MINVALUE".into(), |v| format!("MINVALUE {v}")));
    }
    if from.max_value != to.max_value || from.data_type != to.data_type {
        out.push(to.max_value.map_or("NO MAXVALUE".into(), |v| format!("MAXVALUE {v}")));
    }
    if from.start != to.start {
        let start = to.start.unwrap_or_else(|| if to.increment.unwrap_or(1) > 0 { to.min_value.unwrap_or(1) } else { to.max_value.unwrap_or(-1) });
        out.push(format!("START WITH {start}"));
    }
    if from.cache != to.cache {
        out.push(format!("CACHE {}", to.cache.unwrap_or(1)));
    }
    if from.cycle != to.cycle {
        out.push(if to.cycle { "CYCLE".into() } else { "NO CYCLE".into() });
    }
    out
}

fn collation_ref(c: &str) -> String {
    if c.contains('"') || c.contains('.') { c.to_string() } else { quote_ident(c) }
}

/// How a column type change converts the values.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Using {
    /// PostgreSQL's own assignment cast.
    Implicit,
    /// `USING c::type`.
    Cast,
    /// `USING c::text::type`.
    ThroughText,
}

impl Using {
    /// The `USING` clause converting `column` to `to` this way (nothing when
    /// PostgreSQL converts by itself).
    fn sql(self, column: &str, to: &DataType) -> String {
        match self {
            Using::Implicit => String::new(),
            _ => format!(" USING {}", self.expr(column, to)),
        }
    }
}

/// How a column changing type from `from` to `to` is converted: by
/// PostgreSQL itself between numeric types, between string types, between
/// date/time types, from `cidr` to `inet`, and when only a modifier
/// (length, precision) changes.
/// Anything else is converted explicitly, through text for user-defined
/// types (text converts to any type through its input function).
fn using_of(from: &DataType, to: &DataType, new: &Schema) -> Using {
    let family = |t: &DataType| -> &'static str {
        if t.array_dims > 0 {
            return "array";
        }
        match t.name.as_str() {
            "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" => "number",
            "text" | "character varying" | "character" | "bpchar" | "name" | "\"char\"" => "string",
            "timestamp without time zone" | "timestamp with time zone" | "date" => "datetime",
            _ => "other",
        }
    };
    if from.name == to.name && from.array_dims == to.array_dims {
        return Using::Implicit;
    }
    // An implicit cast that keeps the bytes: through text, every value
    // would be computed again.
    if (from.name.as_str(), to.name.as_str()) == ("cidr", "inet") && from.array_dims == to.array_dims {
        return Using::Implicit;
    }
    let (a, b) = (family(from), family(to));
    if a == b && a != "other" && a != "array" {
        return Using::Implicit;
    }
    let user_type = new.types.keys().any(|k| k.to_string() == to.name);
    if user_type || (a != "string" && b == "other") { Using::ThroughText } else { Using::Cast }
}
