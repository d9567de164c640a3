//! What is dropped and created again around a column's type change.
//!
//! PostgreSQL converts a CHECK, an exclusion constraint or an index
//! expression that uses the column in its own way (or refuses, when an
//! operator does not exist for the new type), so those of the column's
//! table are dropped before and created again after, from the new schema.
//! It refuses the change outright while a trigger (`WHEN`, `UPDATE OF`),
//! a policy (of any table) or a rule uses the column: those are dropped
//! and created again too. Nothing that does not use the column is touched.

use super::{Lowering, index_step, step};
use crate::diff::Change;
use crate::emit::postgres as sql;
use crate::model::{Constraint, ConstraintKind, Index, Policy, QName, Rule, Trigger, quote_ident};
use crate::plan::Rebuild;
use crate::read::postgres::canon::Place;

impl Lowering<'_> {
    /// Records a rebuild; false when this object is already rebuilt.
    fn note_rebuild(&mut self, kind: &str, object: String, reason: &str) -> bool {
        if !self.rebuilt.insert(format!("{kind} {object}")) {
            return false;
        }
        self.rebuilds.push(Rebuild { kind: kind.to_string(), object, reason: reason.to_string() });
        true
    }

    /// Rebuilds what uses `table.column`, whose type or collation changes.
    pub(super) fn rebuild_column_dependents(&mut self, table: &QName, column: &str) {
        let reason = format!("the type of column {table}.{column} changes");
        let mentions = |text: &str| crate::plan::deps::identifiers(text).contains(column);
        let Some(old_table) = self.old.tables.get(table) else { return };
        let new_table = self.new.tables.get(table);
        let constraints: Vec<Constraint> = old_table
            .constraints
            .values()
            .filter(|c| match &c.kind {
                ConstraintKind::Check { expr, .. } => mentions(&expr.0),
                ConstraintKind::Exclude { elements, predicate, .. } => {
                    elements.iter().any(|(e, _)| e == column || mentions(e)) || predicate.as_ref().is_some_and(|p| mentions(&p.0))
                }
                _ => false,
            })
            .cloned()
            .collect();
        for c in constraints {
            let handled = self.changes.iter().any(|ch| matches!(ch, Change::DropConstraint { table: t, constraint } if t == table && constraint.name == c.name));
            let in_tree = self.inh.as_ref().is_some_and(|i| i.takes_part(table));
            // A CHECK only inherited goes and comes back with the parent's.
            let inherited_only = in_tree && !c.local && !self.old.check_providers(old_table, &c.name).is_empty();
            if handled || inherited_only || !self.note_rebuild("constraint", format!("{} on {table}", c.name), &reason) {
                continue;
            }
            let drop = step(
                format!("drop constraint {} on {table} (type change)", c.name),
                format!("ALTER TABLE {table} DROP CONSTRAINT {};", quote_ident(&c.name)),
            );
            if in_tree {
                // One declared too is dropped after the parent's.
                self.p.inherited_drops.push((self.old.inheritance_depth(table), drop));
            } else {
                self.p.drop_dependents.push(drop);
            }
            if let Some(n) = new_table.and_then(|t| t.constraints.get(&c.name)) {
                self.p.constraints.push(step(format!("add constraint {} on {table}", n.name), sql::add_constraint_sql(table, n)));
            }
        }
        let indexes: Vec<Index> = old_table
            .indexes
            .values()
            .filter(|i| i.keys.iter().any(|k| k.expression && mentions(&k.expr)) || i.predicate.as_ref().is_some_and(|p| mentions(&p.0)))
            .cloned()
            .collect();
        for i in indexes {
            let handled = self.changes.iter().any(|ch| matches!(ch, Change::DropIndex { table: t, index } if t == table && index.name == i.name));
            if handled || !self.note_rebuild("index", QName::new(table.schema.clone(), i.name.clone()).to_string(), &reason) {
                continue;
            }
            self.p.drop_dependents.push(step(
                format!("drop index {} (type change)", i.name),
                format!("DROP INDEX {};", QName::new(table.schema.clone(), i.name.clone())),
            ));
            if let Some(n) = new_table.and_then(|t| t.indexes.get(&i.name)) {
                self.p.constraints.push(index_step(format!("create index {}", n.name), sql::create_index_sql(table, n), table));
            }
        }
        self.rebuild_triggers(table, column, &reason);
        self.rebuild_policies(table, column, &reason);
        let rules: Vec<Rule> = old_table
            .rules
            .values()
            .filter(|r| r.condition.iter().any(|e| mentions(&e.0)) || r.actions.iter().any(|a| mentions(a)))
            .cloned()
            .collect();
        for r in rules {
            let handled = self.changes.iter().any(|ch| matches!(ch, Change::DropRule { table: t, rule } if t == table && rule.name == r.name));
            if handled || !self.note_rebuild("rule", format!("{} on {table}", r.name), &reason) {
                continue;
            }
            self.drop_rule(table, &r);
            if let Some(n) = new_table.and_then(|t| t.rules.get(&r.name)) {
                self.create_rule(table, &n.clone());
            }
        }
    }

    /// Triggers of `table` whose `WHEN` or `UPDATE OF` uses the column.
    fn rebuild_triggers(&mut self, table: &QName, column: &str, reason: &str) {
        let Some(old_table) = self.old.tables.get(table) else { return };
        let key = (table.clone(), column.to_string());
        let using: Vec<Trigger> = {
            let deps = self.old_deps();
            old_table.triggers.values().filter(|t| deps.trigger(table, t).columns.contains(&key)).cloned().collect()
        };
        for t in using {
            let handled = self.changes.iter().any(|ch| matches!(ch, Change::DropTrigger { table: tt, trigger } if tt == table && trigger.name == t.name));
            if handled || !self.note_rebuild("trigger", format!("{} on {table}", t.name), reason) {
                continue;
            }
            self.drop_trigger(table, &t);
            if let Some(n) = self.new.tables.get(table).and_then(|nt| nt.triggers.get(&t.name)) {
                self.create_trigger(table, &n.clone());
            }
        }
    }

    /// Policies, of any table, whose conditions use the column.
    fn rebuild_policies(&mut self, table: &QName, column: &str, reason: &str) {
        let key = (table.clone(), column.to_string());
        let using: Vec<(QName, Policy)> = {
            let deps = self.old_deps();
            let mut out = Vec::new();
            for (tname, t) in &self.old.tables {
                for p in t.policies.values() {
                    let texts: Vec<&str> = p.using.iter().chain(&p.with_check).map(|e| e.0.as_str()).collect();
                    // Cheap first: the column's name must appear.
                    if !texts.iter().any(|x| crate::plan::deps::identifiers(x).contains(column)) {
                        continue;
                    }
                    let uses = texts.iter().any(|x| {
                        let d = deps.expr(Place::Check { table: tname }, x);
                        d.columns.contains(&key) || (d.unresolved && (tname == table || crate::plan::deps::identifiers(x).contains(&table.name)))
                    });
                    if uses {
                        out.push((tname.clone(), p.clone()));
                    }
                }
            }
            out
        };
        for (tname, p) in using {
            let handled = self.changes.iter().any(|ch| matches!(ch, Change::DropPolicy { table: t, policy } if *t == tname && policy.name == p.name));
            if handled || !self.note_rebuild("policy", format!("{} on {tname}", p.name), reason) {
                continue;
            }
            self.drop_policy(&tname, &p);
            if let Some(n) = self.new.tables.get(&tname).and_then(|t| t.policies.get(&p.name)) {
                self.create_policy(&tname, &n.clone());
            }
        }
    }

    pub(super) fn create_trigger(&mut self, table: &QName, trigger: &Trigger) {
        self.p.triggers.push(step(format!("create trigger {} on {table}", trigger.name), sql::create_trigger_sql(table, trigger)));
        if !trigger.enabled.is_default() {
            self.p.triggers.push(step(
                format!("set firing of trigger {} on {table}", trigger.name),
                sql::properties::enabled_sql(table, "TRIGGER", &trigger.name, trigger.enabled),
            ));
        }
        self.comment(format!("TRIGGER {} ON {table}", quote_ident(&trigger.name)), &trigger.comment);
    }

    pub(super) fn drop_trigger(&mut self, table: &QName, trigger: &Trigger) {
        self.p.drop_dependents.insert(
            0,
            step(format!("drop trigger {} on {table}", trigger.name), format!("DROP TRIGGER {} ON {table};", quote_ident(&trigger.name))),
        )
    }
}
