//! What a rule's check can look at: the two models, the changes and the
//! planned steps with their facts, the target database version and the
//! configuration. Helpers here answer the questions many rules ask.

use super::finding::Located;
use super::Options;
use crate::diff::Change;
use crate::model::{Column, QName, Schema, Table};
use crate::plan::{Plan, Step};
use crate::plan::facts::Work;

pub struct Context<'a> {
    /// The schema before, as read (its locations are the old revision's).
    pub old: &'a Schema,
    pub new: &'a Schema,
    pub plan: &'a Plan,
    pub options: &'a Options,
    /// Where the statement is when the plan is one statement of a
    /// hand-written migration (`lint --migrations`), not schemashift's own
    /// steps: every finding then points at it.
    pub statement: Option<Located>,
}

impl<'a> Context<'a> {
    pub fn changes(&self) -> impl Iterator<Item = &'a Change> + 'a {
        self.plan.changes.iter()
    }

    /// The major version of the database the migration runs on, when known.
    pub fn server_version(&self) -> Option<u32> {
        self.options.server_version
    }

    /// Whether the table (by its new name) holds rows when the migration
    /// runs: it existed before, possibly under another name. What a
    /// migration does to a table it creates itself blocks no one.
    pub fn existed(&self, table: &QName) -> bool {
        self.old.tables.contains_key(table) && !self.created(table)
            || self.changes().any(|c| matches!(c, Change::RenameTable { to, .. } if to == table))
    }

    fn created(&self, table: &QName) -> bool {
        self.changes().any(|c| matches!(c, Change::CreateTable { table: t } if &t.name == table))
    }

    pub fn new_table(&self, name: &QName) -> Option<&'a Table> {
        self.new.tables.get(name)
    }

    pub fn new_column(&self, table: &QName, column: &str) -> Option<&'a Column> {
        self.new_table(table)?.column(column)
    }

    /// The up step for one change, found by `is_it` (which reads the
    /// planner's summary: no step names its change yet). Linting a
    /// migration file, the plan is one statement the user wrote: that
    /// statement is then the step, whatever its text.
    pub fn step_for(&self, is_it: impl Fn(&Step) -> bool) -> Option<&'a Step> {
        self.plan.up.iter().find(|s| is_it(s)).or(match self.plan.up.as_slice() {
            // One change from one statement: the statement made it. (A
            // statement with several effects, `DROP COLUMN` taking its
            // indexes along, is not attributed to each of them.)
            [only] if self.statement.is_some() && self.plan.changes.len() == 1 => Some(only),
            _ => None,
        })
    }

    /// The up steps that lock `relation`, with their facts.
    pub fn up_steps_on<'s>(&'s self, relation: &'s QName) -> impl Iterator<Item = &'a Step> + 's {
        self.plan.up.iter().filter(move |s| s.facts.lock.as_ref().is_some_and(|l| &l.on == relation))
    }

    /// The heaviest work an up step does on `relation`, and that step.
    pub fn heaviest_on(&self, relation: &QName) -> Option<&'a Step> {
        self.up_steps_on(relation).max_by_key(|s| s.facts.work)
    }

    /// Whether some up step rewrites `relation`.
    pub fn rewrites(&self, relation: &QName) -> bool {
        self.up_steps_on(relation).any(|s| s.facts.work == Work::Rewrite)
    }

    /// Where a finding about `change` points: the new revision, or the old
    /// one for what the change removes; objects a change only renames or
    /// alters in place are looked up in the new model.
    pub fn at(&self, change: &Change) -> Option<Located> {
        let (old, new) = change.locations();
        if let Some(l) = new.and_then(Located::new) {
            return Some(l);
        }
        if let Some(l) = old.and_then(Located::old) {
            return Some(l);
        }
        use Change::*;
        let table_at = |t: &QName| self.new.tables.get(t).and_then(|t| Located::new(&t.location));
        match change {
            RenameTable { to, .. } => table_at(to).or_else(|| self.new.views.get(to).and_then(|v| Located::new(&v.location))),
            RenameView { to, .. } => self.new.views.get(to).and_then(|v| Located::new(&v.location)),
            RenameColumn { table, to, .. } => self.new_column(table, to).and_then(|c| Located::new(&c.location)),
            RenameIndex { table, to, .. } => {
                self.new_table(table).and_then(|t| t.indexes.get(to)).and_then(|i| Located::new(&i.location)).or_else(|| table_at(table))
            }
            RenameConstraint { table, to, .. } => {
                self.new_table(table).and_then(|t| t.constraints.get(to)).and_then(|c| Located::new(&c.location)).or_else(|| table_at(table))
            }
            RenameSequence { to, .. } => self.new.sequences.get(to).and_then(|s| Located::new(&s.location)),
            AddEnumValues { name, .. } => self.new.types.get(name).and_then(|t| Located::new(&t.location)),
            SetTriggerEnabled { table, trigger, .. } => {
                self.new_table(table).and_then(|t| t.triggers.get(trigger)).and_then(|t| Located::new(&t.location)).or_else(|| table_at(table))
            }
            SetLogged { table, .. }
            | SetStorageParameters { table, .. }
            | SetReplicaIdentity { table, .. }
            | SetClusterOn { table, .. }
            | SetRowLevelSecurity { table, .. }
            | SetForceRowLevelSecurity { table, .. }
            | SetRuleEnabled { table, .. }
            | AttachPartition { table, .. }
            | DetachPartition { table, .. }
            | Inherit { table, .. }
            | NoInherit { table, .. } => table_at(table),
            _ => None,
        }
    }
}
