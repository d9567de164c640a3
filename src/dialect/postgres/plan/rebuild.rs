//! What is dropped and created again around a column's type change.
//!
//! PostgreSQL converts a CHECK, an exclusion constraint or an index
//! expression that uses the column in its own way (or refuses, when an
//! operator does not exist for the new type), so those of the column's
//! table are dropped before and created again after, from the new schema.
//! It refuses the change outright while a trigger (`WHEN`, `UPDATE OF`),
//! a policy (of any table) or a rule uses the column: those are dropped
//! and created again too. Nothing that does not use the column is touched.
//! The same holds around a function dropped and created again (its result
//! type changes): what calls it is dropped first and created after.

use super::facts::{Obj, Ordered};
use super::{Lowering, add_constraint_step, drop_constraint_step, index_object, index_step, step};
use crate::diff::Change;
use crate::dialect::postgres::render as sql;
use crate::model::{Constraint, ConstraintKind, Policy, QName, Rule, Trigger, UserTypeKind, quote_ident};
use crate::plan::{Object as O, Rebuild};
use crate::dialect::postgres::read::canon::Place;

/// How a rebuilt object goes before it comes back.
#[derive(Clone, Copy, PartialEq)]
enum Gone {
    /// Dropped by a step of its own, noted with why (`type change`).
    Drop(&'static str),
    /// Dropped by PostgreSQL with the column it is on.
    WithColumn,
}

impl Lowering<'_> {
    /// Records a rebuild; false when this object is already rebuilt.
    fn note_rebuild(&mut self, kind: &str, object: String, reason: &str) -> bool {
        if !self.rebuilt.insert(format!("{kind} {object}")) {
            return false;
        }
        self.rebuilds.push(Rebuild { kind: kind.to_string(), object, reason: reason.to_string() });
        true
    }

    /// Whether the changes already drop (or create) the constraint `name` of `table`.
    fn constraint_changes(&self, table: &QName, name: &str) -> bool {
        self.changes.iter().any(|ch| {
            matches!(ch, Change::DropConstraint { table: t, constraint } | Change::AddConstraint { table: t, constraint } if t == table && constraint.name == name)
        })
    }

    /// Drops and creates again the constraint `name` of `table` (under the
    /// name a rename gives it: renames run first).
    fn rebuild_constraint(&mut self, table: &QName, name: &str, reason: &str, gone: Gone) {
        let Some(old_table) = self.old.tables.get(table) else { return };
        let Some(c) = old_table.constraints.get(name) else { return };
        let renamed = self.changes.iter().find_map(|ch| match ch {
            Change::RenameConstraint { table: t, from, to } if t == table && from == name => Some(to.as_str()),
            _ => None,
        });
        let name = renamed.unwrap_or(name);
        let in_tree = self.inh.as_ref().is_some_and(|i| i.takes_part(table));
        // A CHECK only inherited goes and comes back with the parent's.
        let inherited_only = in_tree && !c.local && !self.old.check_providers(old_table, name).is_empty();
        let kind = if matches!(c.kind, ConstraintKind::ForeignKey { .. }) { "foreign key" } else { "constraint" };
        if self.constraint_changes(table, name) || inherited_only || !self.note_rebuild(kind, format!("{name} on {table}"), reason) {
            return;
        }
        if let Gone::Drop(why) = gone {
            let drop = drop_constraint_step(
                format!("drop constraint {name} on {table} ({why})"),
                format!("ALTER TABLE {table} DROP CONSTRAINT {};", quote_ident(name)),
                table,
                name,
            );
            if in_tree {
                // One declared too is dropped after the parent's.
                self.p.inherited_drops.push((self.old.inheritance_depth(table), drop));
            } else if kind == "foreign key" {
                self.p.drop_dependents.insert(0, drop);
            } else {
                self.p.drop_dependents.push(drop);
            }
        }
        if let Some(n) = self.new.tables.get(table).and_then(|t| t.constraints.get(name)) {
            let add = add_constraint_step(format!("add constraint {name} on {table}"), table, n);
            if kind == "foreign key" {
                self.p.foreign_keys.push(add);
            } else {
                self.p.constraints.push(add);
            }
        }
    }

    /// Drops and creates again the index `name` of `table` (under the name a
    /// rename gives it: renames run first).
    fn rebuild_index(&mut self, table: &QName, name: &str, reason: &str, gone: Gone) {
        let renamed = self.changes.iter().find_map(|ch| match ch {
            Change::RenameIndex { table: t, from, to } if t == table && from == name => Some(to.as_str()),
            _ => None,
        });
        let name = renamed.unwrap_or(name);
        let handled = self.changes.iter().any(|ch| {
            matches!(ch, Change::DropIndex { table: t, index } | Change::CreateIndex { table: t, index } if t == table && index.name == name)
        });
        let qualified = QName::new(table.schema.clone(), name.to_string());
        if handled || !self.note_rebuild("index", qualified.to_string(), reason) {
            return;
        }
        if let Gone::Drop(why) = gone {
            let drop = step(format!("drop index {name} ({why})"), format!("DROP INDEX {qualified};"));
            self.p.drop_dependents.push(drop.alters(O::Table(table.clone())).drops(index_object(table, name)));
        }
        if let Some(n) = self.new.tables.get(table).and_then(|t| t.indexes.get(name)) {
            let create = index_step(format!("create index {name}"), sql::create_index_sql(table, n), table);
            self.p.constraints.push(create.alters(O::Table(table.clone())).creates(index_object(table, name)));
        }
    }

    fn rebuild_trigger(&mut self, table: &QName, t: &Trigger, reason: &str) {
        let handled = self.changes.iter().any(|ch| matches!(ch, Change::DropTrigger { table: tt, trigger } if tt == table && trigger.name == t.name));
        if handled || !self.note_rebuild("trigger", format!("{} on {table}", t.name), reason) {
            return;
        }
        self.drop_trigger(table, t);
        if let Some(n) = self.new.tables.get(table).and_then(|nt| nt.triggers.get(&t.name)) {
            self.create_trigger(table, &n.clone());
        }
    }

    fn rebuild_policy(&mut self, table: &QName, p: &Policy, reason: &str) {
        let handled = self.changes.iter().any(|ch| matches!(ch, Change::DropPolicy { table: t, policy } if t == table && policy.name == p.name));
        if handled || !self.note_rebuild("policy", format!("{} on {table}", p.name), reason) {
            return;
        }
        self.drop_policy(table, p);
        if let Some(n) = self.new.tables.get(table).and_then(|t| t.policies.get(&p.name)) {
            self.create_policy(table, &n.clone());
        }
    }

    fn rebuild_rule(&mut self, table: &QName, r: &Rule, reason: &str) {
        let handled = self.changes.iter().any(|ch| matches!(ch, Change::DropRule { table: t, rule } if t == table && rule.name == r.name));
        if handled || !self.note_rebuild("rule", format!("{} on {table}", r.name), reason) {
            return;
        }
        self.drop_rule(table, r);
        if let Some(n) = self.new.tables.get(table).and_then(|t| t.rules.get(&r.name)) {
            self.create_rule(table, &n.clone());
        }
    }

    /// Rebuilds what uses `table.column`, whose type or collation changes.
    pub(super) fn rebuild_column_dependents(&mut self, table: &QName, column: &str) {
        let reason = format!("the type of column {table}.{column} changes");
        let mentions = |text: &str| crate::dialect::postgres::identifiers::identifiers(text).contains(column);
        let Some(old_table) = self.old.tables.get(table) else { return };
        let constraints: Vec<String> = old_table
            .constraints
            .values()
            .filter(|c| match &c.kind {
                ConstraintKind::Check { expr, .. } => mentions(&expr.0),
                ConstraintKind::Exclude { elements, predicate, .. } => {
                    elements.iter().any(|(e, _)| e == column || mentions(e)) || predicate.as_ref().is_some_and(|p| mentions(&p.0))
                }
                _ => false,
            })
            .map(|c| c.name.clone())
            .collect();
        let indexes: Vec<String> = old_table
            .indexes
            .values()
            .filter(|i| i.keys.iter().any(|k| k.expression && mentions(&k.expr)) || i.predicate.as_ref().is_some_and(|p| mentions(&p.0)))
            .map(|i| i.name.clone())
            .collect();
        let rules: Vec<Rule> = old_table
            .rules
            .values()
            .filter(|r| r.condition.iter().any(|e| mentions(&e.0)) || r.actions.iter().any(|a| mentions(a)))
            .cloned()
            .collect();
        for name in constraints {
            self.rebuild_constraint(table, &name, &reason, Gone::Drop("type change"));
        }
        for name in indexes {
            self.rebuild_index(table, &name, &reason, Gone::Drop("type change"));
        }
        self.rebuild_triggers_using(table, column, &reason);
        self.rebuild_policies_using(table, column, &reason);
        for r in rules {
            self.rebuild_rule(table, &r, &reason);
        }
    }

    /// Triggers of `table` whose `WHEN` or `UPDATE OF` uses the column.
    fn rebuild_triggers_using(&mut self, table: &QName, column: &str, reason: &str) {
        let Some(old_table) = self.old.tables.get(table) else { return };
        let key = (table.clone(), column.to_string());
        let using: Vec<Trigger> = {
            let deps = self.old_deps();
            old_table.triggers.values().filter(|t| deps.trigger(table, t).columns.contains(&key)).cloned().collect()
        };
        for t in using {
            self.rebuild_trigger(table, &t, reason);
        }
    }

    /// Policies, of any table, whose conditions use the column.
    fn rebuild_policies_using(&mut self, table: &QName, column: &str, reason: &str) {
        let key = (table.clone(), column.to_string());
        let using: Vec<(QName, Policy)> = {
            let deps = self.old_deps();
            let mut out = Vec::new();
            for (tname, t) in &self.old.tables {
                for p in t.policies.values() {
                    let texts: Vec<&str> = p.using.iter().chain(&p.with_check).map(|e| e.0.as_str()).collect();
                    // Cheap first: the column's name must appear.
                    if !texts.iter().any(|x| crate::dialect::postgres::identifiers::identifiers(x).contains(column)) {
                        continue;
                    }
                    let uses = texts.iter().any(|x| {
                        let d = deps.expr(Place::Check { table: tname }, x);
                        d.columns.contains(&key) || (d.unresolved && (tname == table || crate::dialect::postgres::identifiers::identifiers(x).contains(&table.name)))
                    });
                    if uses {
                        out.push((tname.clone(), p.clone()));
                    }
                }
            }
            out
        };
        for (tname, p) in using {
            self.rebuild_policy(&tname, &p, reason);
        }
    }

    /// What goes with `table.column` when it is dropped and added again (a
    /// generated column's new expression): PostgreSQL drops the indexes
    /// and constraints on it along with it, so they are created again after
    /// the new column, and refuses while a trigger, a policy or another
    /// table's foreign key uses it, so those go first and come back after.
    pub(super) fn rebuild_around_readded_column(&mut self, table: &QName, column: &str) {
        let reason = format!("column {table}.{column} is dropped and added again with its new expression");
        let mentions = |text: &str| crate::dialect::postgres::identifiers::identifiers(text).contains(column);
        let Some(old_table) = self.old.tables.get(table) else { return };
        let on_column = |c: &Constraint| match &c.kind {
            ConstraintKind::PrimaryKey { columns, include } | ConstraintKind::Unique { columns, include, .. } => {
                columns.iter().chain(include).any(|c| c == column)
            }
            ConstraintKind::ForeignKey { columns, .. } => columns.iter().any(|c| c == column),
            ConstraintKind::Check { expr, .. } => mentions(&expr.0),
            ConstraintKind::Exclude { elements, predicate, .. } => {
                elements.iter().any(|(e, _)| e == column || mentions(e)) || predicate.as_ref().is_some_and(|p| mentions(&p.0))
            }
        };
        let constraints: Vec<String> = old_table.constraints.values().filter(|c| on_column(c)).map(|c| c.name.clone()).collect();
        let indexes: Vec<String> = old_table
            .indexes
            .values()
            .filter(|i| {
                i.keys.iter().any(|k| if k.expression { mentions(&k.expr) } else { k.expr == column })
                    || i.include.iter().any(|c| c == column)
                    || i.predicate.as_ref().is_some_and(|p| mentions(&p.0))
            })
            .map(|i| i.name.clone())
            .collect();
        // Foreign keys of other tables into the column.
        let into: Vec<(QName, String)> = self
            .old
            .tables
            .values()
            .filter(|t| t.name != *table)
            .flat_map(|t| {
                t.constraints.values().filter_map(move |c| match &c.kind {
                    ConstraintKind::ForeignKey { references, ref_columns, .. } if references == table && ref_columns.iter().any(|r| r == column) => {
                        Some((t.name.clone(), c.name.clone()))
                    }
                    _ => None,
                })
            })
            .collect();
        for name in constraints {
            self.rebuild_constraint(table, &name, &reason, Gone::WithColumn);
        }
        for name in indexes {
            self.rebuild_index(table, &name, &reason, Gone::WithColumn);
        }
        for (other, name) in into {
            self.rebuild_constraint(&other, &name, &reason, Gone::Drop("re-added below"));
        }
        self.rebuild_triggers_using(table, column, &reason);
        self.rebuild_policies_using(table, column, &reason);
    }

    /// Rebuilds what calls `function`, which is dropped and created again
    /// (its result type or arguments change): PostgreSQL refuses to drop a
    /// function a CHECK, an index, a column default, a trigger or a policy
    /// uses. Views are rebuilt with the others (see `views`).
    pub(super) fn rebuild_function_dependents(&mut self, function: &crate::model::Function) {
        let signature = function.signature();
        let reason = format!("function {signature} is dropped and created again");
        let name = &function.name.name;
        let uses = |deps: &crate::dialect::postgres::read::canon::Dependencies<'_>, place: Place<'_>, text: &str| {
            crate::dialect::postgres::identifiers::identifiers(text).contains(name) && {
                let d = deps.expr(place, text);
                d.functions.contains(&signature) || d.unresolved
            }
        };
        let mut constraints: Vec<(QName, String)> = Vec::new();
        let mut indexes: Vec<(QName, String)> = Vec::new();
        let mut defaults: Vec<(QName, String)> = Vec::new();
        let mut triggers: Vec<(QName, Trigger)> = Vec::new();
        let mut policies: Vec<(QName, Policy)> = Vec::new();
        {
            let deps = self.old_deps();
            for (tname, t) in &self.old.tables {
                let check = |text: &str| uses(deps, Place::Check { table: tname }, text);
                let key = |text: &str| uses(deps, Place::IndexKey { table: tname }, text);
                for c in t.constraints.values() {
                    let calls = match &c.kind {
                        ConstraintKind::Check { expr, .. } => check(&expr.0),
                        ConstraintKind::Exclude { elements, predicate, .. } => {
                            elements.iter().any(|(e, _)| key(e)) || predicate.as_ref().is_some_and(|p| check(&p.0))
                        }
                        _ => false,
                    };
                    if calls {
                        constraints.push((tname.clone(), c.name.clone()));
                    }
                }
                for i in t.indexes.values() {
                    if i.keys.iter().any(|k| k.expression && key(&k.expr)) || i.predicate.as_ref().is_some_and(|p| check(&p.0)) {
                        indexes.push((tname.clone(), i.name.clone()));
                    }
                }
                for c in &t.columns {
                    if c.default.as_ref().is_some_and(|d| uses(deps, Place::Default { table: tname, column: &c.name }, &d.0)) {
                        defaults.push((tname.clone(), c.name.clone()));
                    }
                }
                for tr in t.triggers.values() {
                    if deps.trigger(tname, tr).functions.contains(&signature) {
                        triggers.push((tname.clone(), tr.clone()));
                    }
                }
                for p in t.policies.values() {
                    if p.using.iter().chain(&p.with_check).any(|e| check(&e.0)) {
                        policies.push((tname.clone(), p.clone()));
                    }
                }
            }
        }
        for (table, c) in constraints {
            self.rebuild_constraint(&table, &c, &reason, Gone::Drop("function change"));
        }
        for (table, i) in indexes {
            self.rebuild_index(&table, &i, &reason, Gone::Drop("function change"));
        }
        for (table, column) in defaults {
            self.rebuild_default(&table, &column, &reason);
        }
        for (table, t) in triggers {
            self.rebuild_trigger(&table, &t, &reason);
        }
        for (table, p) in policies {
            self.rebuild_policy(&table, &p, &reason);
        }
        self.rebuild_domain_checks_calling(function, &reason);
    }

    /// Domain CHECKs that call `function`: dropped first, added again once
    /// the function is back.
    fn rebuild_domain_checks_calling(&mut self, function: &crate::model::Function, reason: &str) {
        let signature = function.signature();
        let calling: Vec<(QName, String)> = {
            let deps = self.old_deps();
            self.old
                .types
                .values()
                .flat_map(|t| match &t.kind {
                    UserTypeKind::Domain { checks, .. } => checks
                        .iter()
                        .filter(|(_, e)| deps.expr(Place::DomainCheck { domain: &t.name }, &e.0).functions.contains(&signature))
                        .map(|(c, _)| (t.name.clone(), c.clone()))
                        .collect::<Vec<_>>(),
                    _ => Vec::new(),
                })
                .collect()
        };
        for (domain, check) in calling {
            let handled = self.changes.iter().any(|ch| matches!(ch, Change::AlterDomain { to, .. } | Change::DropType { user_type: to } if to.name == domain));
            if handled || !self.note_rebuild("domain constraint", format!("{check} on {domain}"), reason) {
                continue;
            }
            let name = quote_ident(&check);
            let object = O::DomainConstraint(domain.clone(), check.clone());
            self.p.drop_dependents.push(
                step(format!("drop constraint {check} on domain {domain} (function change)"), format!("ALTER DOMAIN {domain} DROP CONSTRAINT {name};"))
                    .alters(O::Domain(domain.clone()))
                    .drops(object.clone()),
            );
            let expr = self.new.types.get(&domain).and_then(|t| match &t.kind {
                UserTypeKind::Domain { checks, .. } => checks.get(&check).cloned(),
                _ => None,
            });
            if let Some(expr) = expr {
                // With the functions, after the one it calls.
                let add = step(format!("add constraint {check} on domain {domain}"), format!("ALTER DOMAIN {domain} ADD CONSTRAINT {name} CHECK ({});", expr.0))
                    .alters(O::Domain(domain.clone()))
                    .creates(object);
                self.p.functions.push(Ordered::using(add, vec![Obj::Function(signature.clone())]));
            }
        }
    }

    /// Drops a column's default before, and sets it again after.
    fn rebuild_default(&mut self, table: &QName, column: &str, reason: &str) {
        let changed = self.changes.iter().any(|ch| {
            matches!(ch, Change::AlterColumn { table: t, from, to } if t == table && to.name == column && from.default != to.default)
                || matches!(ch, Change::DropColumn { table: t, column: c } if t == table && c.name == column)
        });
        if changed || !self.note_rebuild("default", format!("{table}.{column}"), reason) {
            return;
        }
        let col = quote_ident(column);
        let on_column = |s: crate::plan::Step| s.alters(O::Table(table.clone())).alters(O::Column(table.clone(), column.to_string()));
        self.p.drop_dependents.push(on_column(step(
            format!("drop default of {table}.{column} (function change)"),
            format!("ALTER TABLE {table} ALTER COLUMN {col} DROP DEFAULT;"),
        )));
        if let Some(c) = self.new.tables.get(table).and_then(|t| t.column(column))
            && let Some(d) = &c.default
        {
            self.p.columns.push(on_column(step(
                format!("set default of {table}.{column}"),
                format!("ALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT {};", sql::default_sql(&c.data_type, d)),
            )));
        }
    }

    pub(super) fn create_trigger(&mut self, table: &QName, trigger: &Trigger) {
        let object = O::Trigger(table.clone(), trigger.name.clone());
        let relation = self.relation(table);
        let create = step(format!("create trigger {} on {table}", trigger.name), sql::create_trigger_sql(table, trigger));
        self.p.triggers.push(create.alters(relation.clone()).creates(object.clone()));
        if !trigger.enabled.is_default() {
            self.p.triggers.push(
                step(
                    format!("set firing of trigger {} on {table}", trigger.name),
                    sql::properties::enabled_sql(table, "TRIGGER", &trigger.name, trigger.enabled),
                )
                .alters(relation)
                .alters(object.clone()),
            );
        }
        self.comment(format!("TRIGGER {} ON {table}", quote_ident(&trigger.name)), object, &trigger.comment);
    }

    pub(super) fn drop_trigger(&mut self, table: &QName, trigger: &Trigger) {
        let drop = step(format!("drop trigger {} on {table}", trigger.name), format!("DROP TRIGGER {} ON {table};", quote_ident(&trigger.name)));
        let drop = drop.alters(self.relation(table)).drops(O::Trigger(table.clone(), trigger.name.clone()));
        self.p.drop_dependents.insert(0, drop)
    }
}
