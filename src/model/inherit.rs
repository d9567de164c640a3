//! Table inheritance seen from the model: who inherits from whom, and
//! what a table has because of a parent.
//!
//! The model keeps only what PostgreSQL cannot derive: each table's parents
//! in order, and whether a column or CHECK is declared by the table itself
//! (`local`). How many parents a column or CHECK comes from (`attinhcount`,
//! `coninhcount`) follows from the parents, and is computed here.
//!
//! Every walk over the inheritance graph is guarded against cycles:
//! PostgreSQL refuses circular inheritance, but a model read from JSON is
//! not checked by PostgreSQL.

use super::{ConstraintKind, QName, Schema, Table};
use std::collections::BTreeSet;

impl Schema {
    /// The tables that inherit directly from `parent`, in name order.
    pub fn inheritors(&self, parent: &QName) -> Vec<QName> {
        self.tables.values().filter(|t| t.inherits.contains(parent)).map(|t| t.name.clone()).collect()
    }

    /// Every table that inherits from `parent`, directly or not, each once,
    /// nearer ones first.
    pub fn descendants(&self, parent: &QName) -> Vec<QName> {
        let mut seen: BTreeSet<QName> = BTreeSet::from([parent.clone()]);
        let mut out = Vec::new();
        let mut level = vec![parent.clone()];
        while !level.is_empty() {
            let mut next = Vec::new();
            for p in &level {
                for c in self.inheritors(p) {
                    if seen.insert(c.clone()) {
                        out.push(c.clone());
                        next.push(c);
                    }
                }
            }
            level = next;
        }
        out
    }

    /// Every table `table` inherits from, directly or not, each once.
    pub fn ancestors(&self, table: &QName) -> Vec<QName> {
        let mut seen: BTreeSet<QName> = BTreeSet::from([table.clone()]);
        let mut out = Vec::new();
        let mut level = vec![table.clone()];
        while !level.is_empty() {
            let mut next = Vec::new();
            for t in &level {
                for p in self.tables.get(t).map(|t| t.inherits.as_slice()).unwrap_or_default() {
                    if seen.insert(p.clone()) {
                        out.push(p.clone());
                        next.push(p.clone());
                    }
                }
            }
            level = next;
        }
        out
    }

    /// The length of the longest chain of parents above `table` (0 for a
    /// table that inherits from nothing): parents sort before children by it.
    pub fn inheritance_depth(&self, table: &QName) -> usize {
        fn depth(schema: &Schema, table: &QName, path: &mut Vec<QName>) -> usize {
            if path.contains(table) || path.len() > schema.tables.len() {
                return 0;
            }
            let Some(t) = schema.tables.get(table) else { return 0 };
            path.push(table.clone());
            let d = t.inherits.iter().map(|p| 1 + depth(schema, p, path)).max().unwrap_or(0);
            path.pop();
            d
        }
        depth(self, table, &mut Vec::new())
    }

    /// The parents of `table` that have a column `column` (`attinhcount` is their number).
    pub fn column_providers(&self, table: &Table, column: &str) -> Vec<QName> {
        table.inherits.iter().filter(|p| self.tables.get(*p).is_some_and(|p| p.column(column).is_some())).cloned().collect()
    }

    /// The parents of `table` with an inheritable CHECK named `name` (`coninhcount` is their number).
    pub fn check_providers(&self, table: &Table, name: &str) -> Vec<QName> {
        table
            .inherits
            .iter()
            .filter(|p| self.tables.get(*p).and_then(|p| p.constraints.get(name)).is_some_and(|c| c.inheritable()))
            .cloned()
            .collect()
    }
}

impl super::Constraint {
    /// A CHECK that children inherit (not `NO INHERIT`); no other kind of
    /// constraint is inherited by a child table.
    pub fn inheritable(&self) -> bool {
        matches!(self.kind, ConstraintKind::Check { no_inherit: false, .. })
    }
}
