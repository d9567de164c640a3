//! What PostgreSQL does by itself to the tables that inherit from a table a
//! migration changes, so that the planner says each thing once.
//!
//! Without `ONLY`, `ALTER TABLE parent ADD COLUMN` adds the column to every
//! table below (a child that already has it keeps its own), `DROP COLUMN`
//! drops it from the children that only inherit it, and `ADD`/`DROP
//! CONSTRAINT … CHECK` do the same with CHECKs. The differ sees every table
//! change on its own; the planner asks here which of the children's changes
//! the parent's statement already makes, and where `ONLY` is needed so that
//! a child keeps what the new schema keeps.
//!
//! A link that is kept is one to a parent in both schemas: `NO INHERIT` runs
//! before the column and constraint steps and `INHERIT` after them, so only
//! kept links carry changes down.

use crate::model::{Column, Constraint, QName, Schema};

pub struct Inheritance<'a> {
    pub old: &'a Schema,
    pub new: &'a Schema,
}

impl<'a> Inheritance<'a> {
    /// Whether either schema uses inheritance at all (most do not: then
    /// nothing here needs asking).
    pub fn any(old: &Schema, new: &Schema) -> bool {
        old.tables.values().chain(new.tables.values()).any(|t| !t.inherits.is_empty())
    }

    /// The parents `table` has before and after the migration.
    pub fn kept_parents(&self, table: &QName) -> Vec<QName> {
        match (self.old.tables.get(table), self.new.tables.get(table)) {
            (Some(o), Some(n)) => o.inherits.iter().filter(|p| n.inherits.contains(p)).cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// The tables that inherit from `parent` before and after the migration.
    pub fn kept_children(&self, parent: &QName) -> Vec<QName> {
        self.old.inheritors(parent).into_iter().filter(|c| self.kept_parents(c).contains(parent)).collect()
    }

    /// Whether `table` has children or parents in either schema.
    pub fn takes_part(&self, table: &QName) -> bool {
        [self.old, self.new].iter().any(|s| s.tables.get(table).is_some_and(|t| !t.inherits.is_empty()) || !s.inheritors(table).is_empty())
    }

    fn old_column(&self, table: &QName, column: &str) -> Option<&'a Column> {
        self.old.tables.get(table)?.column(column)
    }
    fn new_column(&self, table: &QName, column: &str) -> Option<&'a Column> {
        self.new.tables.get(table)?.column(column)
    }

    /// An existing table that gets the column in this migration.
    pub fn gains_column(&self, table: &QName, column: &str) -> bool {
        self.old.tables.contains_key(table) && self.old_column(table, column).is_none() && self.new_column(table, column).is_some()
    }

    fn loses_column(&self, table: &QName, column: &str) -> bool {
        self.old_column(table, column).is_some() && self.new_column(table, column).is_none()
    }

    /// Whether a column `table` gains reaches it from a parent's ADD COLUMN.
    pub fn column_comes_down(&self, table: &QName, column: &str) -> bool {
        self.kept_parents(table).iter().any(|p| self.gains_column(p, column))
    }

    /// Whether the migration adds the column to `table` with a statement of
    /// its own: `table` declares it, or no parent brings it. A child that
    /// declares a column its parent gains is given it first, so that the
    /// parent's ADD COLUMN merges with it (and leaves it declared).
    pub fn adds_column_itself(&self, table: &QName, column: &str) -> bool {
        self.gains_column(table, column)
            && (self.new_column(table, column).is_some_and(|c| c.local) || !self.column_comes_down(table, column))
    }

    /// The definitions (in the new schema) of the ADD COLUMN statements that
    /// may bring the column down to `table`: its default and NOT NULL are
    /// what `table` gets.
    pub fn column_origins(&self, table: &QName, column: &str) -> Vec<&'a Column> {
        let mut out = Vec::new();
        let mut seen = Vec::new();
        let mut pending: Vec<QName> = self.kept_parents(table).into_iter().filter(|p| self.gains_column(p, column)).collect();
        while let Some(p) = pending.pop() {
            if seen.contains(&p) {
                continue;
            }
            seen.push(p.clone());
            if self.adds_column_itself(&p, column) {
                out.extend(self.new_column(&p, column));
            } else {
                pending.extend(self.kept_parents(&p).into_iter().filter(|q| self.gains_column(q, column)));
            }
        }
        out
    }

    /// Whether `table` declares the column by the time columns are dropped
    /// (after `NO INHERIT`: a column no kept parent gives is declared).
    fn column_local_at_drop(&self, table: &QName, column: &str) -> bool {
        self.old_column(table, column).is_some_and(|c| c.local)
            || !self.kept_parents(table).iter().any(|p| self.old_column(p, column).is_some())
    }

    /// `DROP COLUMN` on `parent` must be `ONLY` when a child keeps the column
    /// but only inherits it: PostgreSQL would drop it there too (and further
    /// down: so also when the child itself must drop it with ONLY).
    pub fn drop_column_needs_only(&self, parent: &QName, column: &str) -> bool {
        self.column_needs_only(parent, column, &mut Vec::new())
    }

    fn column_needs_only(&self, parent: &QName, column: &str, seen: &mut Vec<QName>) -> bool {
        if seen.contains(parent) {
            return false;
        }
        seen.push(parent.clone());
        self.kept_children(parent).iter().any(|c| {
            self.old_column(c, column).is_some()
                && !self.column_local_at_drop(c, column)
                && (self.new_column(c, column).is_some() || self.column_needs_only(c, column, seen))
        })
    }

    /// Whether a parent's DROP COLUMN already drops the column from `table`.
    pub fn column_goes_down(&self, table: &QName, column: &str) -> bool {
        let providers: Vec<QName> = self.kept_parents(table).into_iter().filter(|p| self.old_column(p, column).is_some()).collect();
        !providers.is_empty()
            && !self.column_local_at_drop(table, column)
            && providers.iter().all(|p| self.loses_column(p, column) && !self.drop_column_needs_only(p, column))
    }

    /// Whether the column of `table` comes from a parent when the column
    /// steps run: then its type can only change from the top.
    pub fn column_inherited_during(&self, table: &QName, column: &str) -> bool {
        self.kept_parents(table).iter().any(|p| self.old_column(p, column).is_some() && self.new_column(p, column).is_some())
    }

    fn old_check(&self, table: &QName, name: &str) -> Option<&'a Constraint> {
        self.old.tables.get(table)?.constraints.get(name)
    }
    fn new_check(&self, table: &QName, name: &str) -> Option<&'a Constraint> {
        self.new.tables.get(table)?.constraints.get(name)
    }

    /// Whether a parent's inheritable CHECK `name` is added in this migration
    /// (new, or changed and so dropped and added again).
    fn gains_check(&self, parent: &QName, name: &str) -> bool {
        self.old.tables.contains_key(parent)
            && self
                .new_check(parent, name)
                .is_some_and(|n| n.inheritable() && self.old_check(parent, name).is_none_or(|o| !same_check(o, n)))
    }

    fn loses_check(&self, parent: &QName, name: &str) -> bool {
        self.old_check(parent, name).is_some_and(|o| o.inheritable() && self.new_check(parent, name).is_none_or(|n| !same_check(o, n)))
    }

    /// Whether a parent's ADD CONSTRAINT brings the CHECK to `table`, which
    /// does not declare it (one it declares is added first, to merge with).
    pub fn check_comes_down(&self, table: &QName, check: &Constraint) -> bool {
        !check.local && self.kept_parents(table).iter().any(|p| self.gains_check(p, &check.name))
    }

    fn check_local_at_drop(&self, table: &QName, name: &str) -> bool {
        self.old_check(table, name).is_some_and(|c| c.local)
            || !self.kept_parents(table).iter().any(|p| self.old_check(p, name).is_some_and(|k| k.inheritable()))
    }

    /// `DROP CONSTRAINT` on `parent` must be `ONLY` when a child keeps the
    /// CHECK unchanged but only inherits it (or itself drops it with ONLY).
    pub fn drop_check_needs_only(&self, parent: &QName, name: &str) -> bool {
        self.check_needs_only(parent, name, &mut Vec::new())
    }

    fn check_needs_only(&self, parent: &QName, name: &str, seen: &mut Vec<QName>) -> bool {
        if seen.contains(parent) {
            return false;
        }
        seen.push(parent.clone());
        self.kept_children(parent).iter().any(|c| {
            let kept = match (self.old_check(c, name), self.new_check(c, name)) {
                (Some(o), Some(n)) => same_check(o, n),
                _ => false,
            };
            self.old_check(c, name).is_some() && !self.check_local_at_drop(c, name) && (kept || self.check_needs_only(c, name, seen))
        })
    }

    /// Whether a parent's DROP CONSTRAINT already drops the CHECK from `table`.
    pub fn check_goes_down(&self, table: &QName, name: &str) -> bool {
        let providers: Vec<QName> =
            self.kept_parents(table).into_iter().filter(|p| self.old_check(p, name).is_some_and(|k| k.inheritable())).collect();
        !providers.is_empty()
            && !self.check_local_at_drop(table, name)
            && providers.iter().all(|p| self.loses_check(p, name) && !self.drop_check_needs_only(p, name))
    }
}

/// Two CHECKs alike but for comment and whether the table declares them.
fn same_check(a: &Constraint, b: &Constraint) -> bool {
    Constraint { comment: None, local: true, ..a.clone() } == Constraint { comment: None, local: true, ..b.clone() }
}
