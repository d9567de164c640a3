//! Renames declared by hints in the new schema, in a form that can be reversed.

use crate::model::{QName, Schema};
use std::collections::BTreeMap;

/// Declared renames, keyed by the name in the target schema, valued by the
/// name in the source schema. Built from the target's hints for the up
/// migration, and reversed (source and target swapped) for the down.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Renames {
    pub tables: BTreeMap<QName, QName>,
    /// (target table, target column) → source column.
    pub columns: BTreeMap<(QName, String), String>,
    /// (target table, target index) → source index.
    pub indexes: BTreeMap<(QName, String), String>,
    pub views: BTreeMap<QName, QName>,
}

impl Renames {
    /// The renames `new`'s hints declare.
    pub fn from_hints(new: &Schema) -> Renames {
        let mut r = Renames::default();
        for (name, t) in &new.tables {
            // `schema.table` moves a table between schemas.
            match t.renamed_from.parts().as_deref() {
                Some([schema, table]) => {
                    r.tables.insert(name.clone(), QName::new(schema.clone(), table.clone()));
                }
                Some([.., table]) => {
                    r.tables.insert(name.clone(), QName::new(name.schema.clone(), table.clone()));
                }
                _ => {}
            }
            for c in &t.columns {
                if let Some(old) = c.renamed_from.name() {
                    r.columns.insert((name.clone(), c.name.clone()), old);
                }
            }
            for i in t.indexes.values() {
                if let Some(old) = i.renamed_from.name() {
                    r.indexes.insert((name.clone(), i.name.clone()), old);
                }
            }
        }
        for (name, v) in &new.views {
            if let Some(old) = v.renamed_from.name() {
                r.views.insert(name.clone(), QName::new(name.schema.clone(), old));
            }
        }
        r
    }

    /// The same renames seen from the other side: for the down migration.
    pub fn reversed(&self) -> Renames {
        let table_in_source = |t: &QName| self.tables.get(t).cloned().unwrap_or_else(|| t.clone());
        Renames {
            tables: self.tables.iter().map(|(new, old)| (old.clone(), new.clone())).collect(),
            columns: self
                .columns
                .iter()
                .map(|((table, new), old)| ((table_in_source(table), old.clone()), new.clone()))
                .collect(),
            indexes: self
                .indexes
                .iter()
                .map(|((table, new), old)| ((table_in_source(table), old.clone()), new.clone()))
                .collect(),
            views: self.views.iter().map(|(new, old)| (old.clone(), new.clone())).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.columns.is_empty() && self.indexes.is_empty() && self.views.is_empty()
    }
}

/// Applies the declared renames that make sense (the old name exists in
/// `old`, the new one does not yet, and the old one is gone from `new`) to
/// a copy of `old`, as the dialect does them (see [`crate::dialect::apply_renames`]):
/// constraints, indexes, foreign keys and the views that read them follow
/// a renamed column, table or view.
pub fn apply(old: &Schema, new: &Schema, renames: &Renames) -> (Option<Schema>, Vec<super::Change>) {
    use super::Change;
    let mut changes = Vec::new();
    for (to, from) in &renames.tables {
        if old.tables.contains_key(from) && !old.tables.contains_key(to) && !new.tables.contains_key(from) && new.tables.contains_key(to) {
            changes.push(Change::RenameTable { from: from.clone(), to: to.clone() });
        }
    }
    let table_in_old = |t: &QName| {
        let renamed = changes.iter().any(|c| matches!(c, Change::RenameTable { to, .. } if to == t));
        if renamed { renames.tables.get(t).cloned() } else { Some(t.clone()) }
    };
    let mut column_changes = Vec::new();
    for ((table, to), from) in &renames.columns {
        let Some(old_table) = table_in_old(table).and_then(|t| old.tables.get(&t)) else { continue };
        let Some(new_table) = new.tables.get(table) else { continue };
        // Renaming a parent's column renames it in every table inheriting
        // from it; a child that declares it too (with its own hint) follows.
        let parent_renames = old.ancestors(&old_table.name).iter().any(|a| {
            renames.columns.get(&(a.clone(), to.clone())) == Some(from) && old.tables.get(a).is_some_and(|t| t.column(from).is_some())
        });
        if parent_renames {
            continue;
        }
        if old_table.column(from).is_some() && old_table.column(to).is_none() && new_table.column(from).is_none() {
            column_changes.push(Change::RenameColumn { table: table.clone(), from: from.clone(), to: to.clone() });
        }
    }
    for ((table, to), from) in &renames.indexes {
        let Some(old_table) = table_in_old(table).and_then(|t| old.tables.get(&t)) else { continue };
        let Some(new_table) = new.tables.get(table) else { continue };
        if old_table.indexes.contains_key(from) && !old_table.indexes.contains_key(to) && !new_table.indexes.contains_key(from) {
            column_changes.push(Change::RenameIndex { table: table.clone(), from: from.clone(), to: to.clone() });
        }
    }
    changes.extend(column_changes);
    for (to, from) in &renames.views {
        if old.views.contains_key(from)
            && !old.views.contains_key(to)
            && !new.views.contains_key(from)
            && new.views.contains_key(to)
            && from.schema == to.schema
        {
            changes.push(Change::RenameView { from: from.clone(), to: to.clone() });
        }
    }
    if changes.is_empty() {
        return (None, changes);
    }
    match crate::dialect::apply_renames(old, &changes) {
        Ok(renamed) => (Some(renamed), changes),
        // The renames are of names the old model has; if the dialect still
        // refuses them, they are not applied.
        Err(_) => (None, Vec::new()),
    }
}
