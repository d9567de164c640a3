//! Tables and columns: created, dropped, columns added (in place where
//! inheritance allows), dropped and altered, and the foreign keys that must
//! be created again around a key's change.

use super::facts::{Obj, Ordered};
use super::routines::facts_of;
use super::{
    Lowering, add_constraint_step, collation_ref, drop_constraint_step, index_object, index_step, locks, relation_names, sequence_alter_options, step,
    table_relation_names, type_keyword, type_object, using_of, Using,
};
use crate::diff::Change;
use crate::dialect::postgres::render as sql;
use crate::model::{Column, ConstraintKind, Index, QName, Schema, Table, quote_ident};
use crate::plan::{Action, Object as O, Rebuild, Step};
use std::collections::BTreeSet;

impl Lowering<'_> {
    pub(super) fn is_added_column(&self, table: &QName, column: &str) -> bool {
        self.changes.iter().any(|c| matches!(c, Change::AddColumn { table: t, column: col } if t == table && col.name == column))
            || self.changes.iter().any(|c| matches!(c, Change::CreateTable { table: t } if t.name == *table))
    }

    pub(super) fn create_table(&mut self, table: &Table) {
        let parents = sql::parents(self.new, table);
        let t = || O::Table(table.name.clone());
        let mut create = step(format!("create table {}", table.name), sql::create_table_sql(table, &parents)).creates(t());
        for parent in &table.inherits {
            create = create.uses(O::Table(parent.clone()));
        }
        if let Some(p) = &table.partition_of {
            create = create.uses(O::Table(p.parent.clone()));
        }
        if table.inherits.is_empty() {
            self.p.tables.push(create);
        } else {
            // Once its parents have their new columns, which it copies in order.
            let depth = self.new.inheritance_depth(&table.name);
            self.p.child_tables.push((depth, create));
            for fix in sql::inherited_column_fixes(table, &parents) {
                // The column the fix is for, by the words the fix starts with.
                let column = table.columns.iter().find(|c| {
                    fix.starts_with(&format!("ALTER TABLE ONLY {} ALTER COLUMN {} ", table.name, quote_ident(&c.name)))
                });
                let mut s = step(format!("inherited column of {}", table.name), fix).alters(t());
                if let Some(c) = column {
                    s = s.alters(O::Column(table.name.clone(), c.name.clone()));
                }
                self.p.child_tables.push((depth, s));
            }
        }
        let parent = table.partition_of.as_ref().and_then(|p| self.new.tables.get(&p.parent));
        let own: Vec<&crate::model::Constraint> = match parent {
            Some(p) => sql::partition_own_constraints(table, p),
            // A CHECK the table only inherits comes with its parent's.
            None => table.constraints.values().filter(|c| c.local && sql::added_after_tables(c)).collect(),
        };
        for c in own {
            let s = add_constraint_step(format!("add constraint {} on {}", c.name, table.name), &table.name, c);
            if matches!(c.kind, ConstraintKind::ForeignKey { .. }) {
                self.p.foreign_keys.push(s);
            } else {
                self.p.constraints.push(s);
            }
        }
        for index in table.indexes.values() {
            if parent.is_some_and(|p| p.indexes.values().any(|pi| sql::same_index(pi, index))) {
                continue;
            }
            let s = index_step(format!("create index {}", index.name), sql::create_index_sql(&table.name, index), &table.name);
            self.p.constraints.push(s.alters(t()).creates(index_object(&table.name, &index.name)));
        }
        for trigger in table.triggers.values() {
            let object = O::Trigger(table.name.clone(), trigger.name.clone());
            let s = step(format!("create trigger {}", trigger.name), sql::create_trigger_sql(&table.name, trigger));
            self.p.triggers.push(s.alters(t()).creates(object.clone()));
            self.comment(format!("TRIGGER {} ON {}", quote_ident(&trigger.name), table.name), object, &trigger.comment);
        }
        if table.comment.is_some() {
            self.comment(format!("TABLE {}", table.name), t(), &table.comment);
        }
        for c in table.columns.iter().filter(|c| c.comment.is_some()) {
            let object = O::Column(table.name.clone(), c.name.clone());
            self.comment(format!("COLUMN {}.{}", table.name, quote_ident(&c.name)), object, &c.comment);
        }
        for c in table.constraints.values().filter(|c| c.comment.is_some()) {
            let object = O::Constraint(table.name.clone(), c.name.clone());
            self.comment(format!("CONSTRAINT {} ON {}", quote_ident(&c.name), table.name), object, &c.comment);
        }
        for i in table.indexes.values().filter(|i| i.comment.is_some()) {
            let object = index_object(&table.name, &i.name);
            self.comment(format!("INDEX {}", QName::new(table.name.schema.clone(), i.name.clone())), object, &i.comment);
        }
        self.created_table_properties(table);
    }

    /// Dropped types, a type before the types it uses.
    pub(super) fn drop_types(&mut self) {
        let dropped: BTreeSet<&QName> = self
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::DropType { user_type } => Some(&user_type.name),
                _ => None,
            })
            .collect();
        for t in sql::order::types(self.old).into_iter().rev() {
            if dropped.contains(&t.name) {
                let s = step(format!("drop type {}", t.name), format!("DROP {} {};", type_keyword(t), t.name)).drops(type_object(t));
                let uses = facts_of(&self.old_deps().user_type(t));
                self.p.drops.push(Ordered::new(s, Obj::Type(t.name.clone()), uses));
            }
        }
    }

    /// Dropped tables go in one statement, so that foreign keys between them
    /// (even in a cycle) do not decide an order.
    pub(super) fn drop_tables(&mut self) {
        let dropped: Vec<&Table> = self
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::DropTable { table } => Some(table),
                _ => None,
            })
            .collect();
        if dropped.is_empty() {
            return;
        }
        let names: Vec<String> = dropped.iter().map(|t| t.name.to_string()).collect();
        let mut drop = step(format!("drop table {}", names.join(", ")), format!("DROP TABLE {};", names.join(", ")));
        for t in &dropped {
            drop = drop.drops(O::Table(t.name.clone()));
        }
        // A name another relation of the new schema takes must be free
        // before that relation is created: then every dropped table goes
        // early, in one statement (they may refer to each other). What
        // refers to them (views, foreign keys) is gone by then.
        let taken = relation_names(self.new);
        if dropped.iter().any(|t| table_relation_names(t).any(|n| taken.contains(&(t.name.schema.as_str(), n)))) {
            self.p.drop_tables_early.push(drop);
        } else {
            // Tables go before the types and functions their columns use.
            self.p.drop_tables.push(drop);
        }
    }

    pub(super) fn add_column(&mut self, change: &Change, table: &QName, column: &Column) {
        let (adds_itself, comes_down) = match &self.inh {
            Some(i) => (i.adds_column_itself(table, &column.name), i.column_comes_down(table, &column.name)),
            None => (true, false),
        };
        if !adds_itself {
            self.column_from_parent(change, table, column);
            return;
        }
        if !column.nullable && column.default.is_none() && column.identity.is_none() && column.generated.is_none() {
            self.warn(
                change,
                format!("column {table}.{} is added NOT NULL without a default: this fails if the table has rows", column.name),
            );
        }
        if !self.lands_in_place(table, &column.name) {
            self.warn(
                change,
                format!("column {table}.{} is added at the end of the table: PostgreSQL cannot place it where the schema does", column.name),
            );
        }
        let add = step(
            format!("add column {table}.{}", column.name),
            format!("ALTER TABLE {table} ADD COLUMN {};", sql::column_definition_sql(column)),
        )
        .alters(O::Table(table.clone()))
        .creates(O::Column(table.clone(), column.name.clone()));
        if comes_down {
            // Declared by this child too: added before its parent's, which merges with it.
            self.p.child_columns.push((self.new.inheritance_depth(table), add));
        } else {
            self.p.columns.push(add);
        }
        self.column_properties(table, column);
        if column.comment.is_some() {
            let object = O::Column(table.clone(), column.name.clone());
            self.comment(format!("COLUMN {table}.{}", quote_ident(&column.name)), object, &column.comment);
        }
    }

    /// Whether a column added to `table` ends where the schema has it:
    /// PostgreSQL appends, and every column after it is added too (in order).
    pub(super) fn lands_in_place(&self, table: &QName, column: &str) -> bool {
        let Some(t) = self.new.tables.get(table) else { return true };
        let old = self.old.tables.get(table);
        t.columns
            .iter()
            .skip_while(|c| c.name != column)
            .skip(1)
            .all(|c| old.is_some_and(|o| o.column(&c.name).is_none()))
    }

    /// A column a parent's ADD COLUMN brings to `table`: it arrives with
    /// the parent's default and NOT NULL, made the child's own afterwards
    /// where they differ (with ONLY, so that its own children keep theirs).
    pub(super) fn column_from_parent(&mut self, change: &Change, table: &QName, column: &Column) {
        let origins = self.inh.as_ref().map(|i| i.column_origins(table, &column.name)).unwrap_or_default();
        let alter = |what: String| format!("ALTER TABLE ONLY {table} ALTER COLUMN {} {what};", quote_ident(&column.name));
        let summary = |what: &str| format!("{what} {table}.{} (inherited)", column.name);
        let touch = |s: Step| s.alters(O::Table(table.clone())).alters(O::Column(table.clone(), column.name.clone()));
        if origins.iter().any(|o| o.default != column.default) {
            self.p.column_fixes.push(touch(match &column.default {
                Some(d) => step(summary("set default of"), alter(format!("SET DEFAULT {}", sql::default_sql(&column.data_type, d)))),
                None => step(summary("drop default of"), alter("DROP DEFAULT".into())),
            }));
        }
        if origins.iter().any(|o| o.nullable != column.nullable) {
            if !column.nullable {
                self.warn(change, format!("{table}.{} becomes NOT NULL: this fails if it holds NULLs; fill them first", column.name));
            }
            let what = if column.nullable { "DROP NOT NULL" } else { "SET NOT NULL" };
            self.p.column_fixes.push(touch(step(summary(&what.to_lowercase()), alter(what.into()))));
        }
        if !self.lands_in_place(table, &column.name) {
            self.warn(
                change,
                format!(
                    "column {table}.{} comes from its parent's new column, at the end of the table: \
                     PostgreSQL cannot place it where the schema does",
                    column.name
                ),
            );
        }
        if column.comment.is_some() {
            let object = O::Column(table.clone(), column.name.clone());
            self.comment(format!("COLUMN {table}.{}", quote_ident(&column.name)), object, &column.comment);
        }
    }

    /// DROP COLUMN, once: not on a child whose parent's DROP COLUMN takes
    /// the column with it; with ONLY on a parent whose child keeps it.
    pub(super) fn drop_column(&mut self, table: &QName, column: &Column) {
        let summary = format!("drop column {table}.{}", column.name);
        let touch = |s: Step| s.alters(O::Table(table.clone())).drops(O::Column(table.clone(), column.name.clone()));
        let Some(inh) = self.inh.as_ref().filter(|i| i.takes_part(table)) else {
            self.p.drop_columns.push(touch(step(summary, format!("ALTER TABLE {table} DROP COLUMN {};", quote_ident(&column.name)))));
            return;
        };
        if inh.column_goes_down(table, &column.name) {
            return;
        }
        let only = if inh.drop_column_needs_only(table, &column.name) { "ONLY " } else { "" };
        let depth = self.old.inheritance_depth(table);
        self.p
            .inherited_drop_columns
            .push((depth, touch(step(summary, format!("ALTER TABLE {only}{table} DROP COLUMN {};", quote_ident(&column.name))))));
    }

    /// For a CHECK of a table taking part in inheritance: whether its drop is
    /// taken care of (by the parent's, or here, parents first, with ONLY where
    /// a child keeps it). `why` goes into the summary.
    pub(super) fn drop_check(&mut self, table: &QName, name: &str, why: &str) -> bool {
        let Some(inh) = self.inh.as_ref().filter(|i| i.takes_part(table)) else { return false };
        if !inh.check_goes_down(table, name) {
            let only = if inh.drop_check_needs_only(table, name) { "ONLY " } else { "" };
            let depth = self.old.inheritance_depth(table);
            self.p.inherited_drops.push((
                depth,
                drop_constraint_step(
                    format!("drop constraint {name} on {table}{why}"),
                    format!("ALTER TABLE {only}{table} DROP CONSTRAINT {};", quote_ident(name)),
                    table,
                    name,
                ),
            ));
        }
        true
    }

    pub(super) fn alter_column(&mut self, change: &Change, table: &QName, from: &Column, to: &Column) {
        let col = quote_ident(&to.name);
        let alter = |what: &str| format!("ALTER TABLE {table} ALTER COLUMN {col} {what};");
        let mut out: Vec<Step> = Vec::new();
        let summary = |what: &str| format!("{what} {table}.{}", to.name);
        // A step on the column.
        let on_column = |summary: String, sql: String| step(summary, sql).alters(O::Table(table.clone())).alters(O::Column(table.clone(), to.name.clone()));
        // In an inheritance tree, a default or NOT NULL is changed with ONLY
        // (each child has its own, changed by its own step), while a type
        // changes on the topmost table only and reaches the children by
        // itself: around it, every default is dropped before and set after.
        let inheritance = self.inh.as_ref().filter(|i| i.takes_part(table));
        let takes_part = inheritance.is_some();
        let type_from_parent = inheritance.is_some_and(|i| i.column_inherited_during(table, &to.name));
        let has_children = !self.old.inheritors(table).is_empty() || !self.new.inheritors(table).is_empty();
        let only = if has_children { "ONLY " } else { "" };
        let alter_only = |what: &str| format!("ALTER TABLE {only}{table} ALTER COLUMN {col} {what};");
        let depth = self.old.inheritance_depth(table);

        // A generated column's expression cannot be changed in place (before
        // PostgreSQL 17): the column is computed, so dropping and adding it
        // loses nothing.
        if from.generated != to.generated && to.generated.is_some() {
            // A child's column goes and comes back with its parent's.
            if type_from_parent {
                return;
            }
            if from.generated.is_none() {
                self.warn(change, format!("column {table}.{} becomes generated: its stored values are replaced by the expression", to.name));
            }
            let column = || O::Column(table.clone(), to.name.clone());
            let drop = step(summary("drop column"), format!("ALTER TABLE {table} DROP COLUMN {col};")).alters(O::Table(table.clone())).drops(column());
            let add = step(summary("add column"), format!("ALTER TABLE {table} ADD COLUMN {};", sql::column_definition_sql(to)));
            self.p.columns.push(drop);
            self.p.columns.push(add.alters(O::Table(table.clone())).creates(column()));
            self.column_properties(table, to);
            self.rebuild_around_readded_column(table, &to.name);
            return;
        }
        // Like a type, a generation expression is dropped from the top only.
        if from.generated.is_some() && to.generated.is_none() && !type_from_parent {
            out.push(on_column(summary("drop expression of"), alter("DROP EXPRESSION")));
        }
        let mut default_cleared = false;
        let type_changed = from.data_type != to.data_type || from.collation != to.collation;
        if type_changed {
            self.rebuild_column_dependents(table, &to.name);
            if from.default.is_some() {
                if takes_part {
                    self.p.inherited_drops.push((depth, on_column(summary("drop default of"), alter_only("DROP DEFAULT"))));
                } else {
                    out.push(on_column(summary("drop default of"), alter("DROP DEFAULT")));
                }
                default_cleared = true;
            }
            if !type_from_parent {
                let collate = to.collation.as_deref().map(|c| format!(" COLLATE {}", collation_ref(c))).unwrap_or_default();
                let conversion = using_of(&from.data_type, &to.data_type, self.new);
                let using = conversion.sql(&col, &to.data_type);
                let mut s = on_column(summary("change type of"), alter(&format!("TYPE {}{collate}{using}", to.data_type)));
                // What PostgreSQL does to the rows depends on the two types.
                let via_text = conversion == Using::ThroughText;
                s.facts.work = locks::type_change_work(self.old, from, self.new, to, via_text, self.new.tables.get(table));
                out.push(s);
            }
        }
        if from.identity != to.identity {
            match (&from.identity, &to.identity) {
                (None, Some(id)) => {
                    // An identity column must be NOT NULL first.
                    if from.nullable {
                        out.push(on_column(summary("set not null on"), alter("SET NOT NULL")));
                    }
                    if from.default.is_some() && !default_cleared {
                        out.push(on_column(summary("drop default of"), alter("DROP DEFAULT")));
                        default_cleared = true;
                    }
                    // serial → identity: the serial's sequence goes first (the
                    // identity sequence usually takes its name).
                    if let Some(seq) = self.dropped_sequence_owned_by(table, &to.name) {
                        out.push(step(format!("drop sequence {seq}"), format!("DROP SEQUENCE {seq};")).drops(O::Sequence(seq)));
                    }
                    let kind = if id.always { "ALWAYS" } else { "BY DEFAULT" };
                    let mut options = Vec::new();
                    if let Some(seq) = &id.sequence {
                        options.push(format!("SEQUENCE NAME {seq}"));
                    }
                    // The identity sequence has the column's type; `AS` is not allowed here.
                    options.extend(sql::sequence_options_sql(&id.options, false));
                    out.push(on_column(summary("add identity to"), alter(&format!("ADD GENERATED {kind} AS IDENTITY ({})", options.join(" ")))));
                }
                (Some(_), None) => {
                    out.push(on_column(summary("drop identity of"), alter("DROP IDENTITY")));
                    // identity → serial: the serial's sequence usually takes the
                    // identity sequence's name, so it is created only now.
                    if let Some(seq) = self.created_sequence_owned_by(table, &to.name) {
                        out.push(step(format!("create sequence {}", seq.name), sql::create_sequence_sql(&seq)).creates(O::Sequence(seq.name.clone())));
                    }
                }
                (Some(a), Some(b)) => {
                    if a.always != b.always {
                        out.push(on_column(summary("change identity of"), alter(if b.always { "SET GENERATED ALWAYS" } else { "SET GENERATED BY DEFAULT" })));
                    }
                    if a.options != b.options {
                        let options = sequence_alter_options(&a.options, &b.options);
                        let options: Vec<String> = options.into_iter().map(|o| format!("SET {o}")).collect();
                        if !options.is_empty() {
                            out.push(on_column(summary("change identity options of"), alter(&options.join(" "))));
                        }
                    }
                    if a.sequence != b.sequence
                        && let (Some(sa), Some(sb)) = (&a.sequence, &b.sequence) {
                            let s = step(summary("rename identity sequence of"), format!("ALTER SEQUENCE {sa} RENAME TO {};", quote_ident(&sb.name)));
                            out.push(s.renames(O::Sequence(sa.clone()), O::Sequence(sb.clone())).uses(O::Column(table.clone(), to.name.clone())));
                        }
                }
                (None, None) => {}
            }
        }
        if from.default != to.default || (default_cleared && to.default.is_some()) {
            let set = match &to.default {
                Some(d) => Some((summary("set default of"), alter_only(&format!("SET DEFAULT {}", sql::default_sql(&to.data_type, d))))),
                None if !default_cleared => Some((summary("drop default of"), alter_only("DROP DEFAULT"))),
                None => None,
            };
            match set {
                // After every type change of the tree.
                Some((summary, s)) if takes_part && default_cleared => self.p.column_fixes.push(on_column(summary, s)),
                Some((summary, s)) => out.push(on_column(summary, s)),
                None => {}
            }
        }
        if from.nullable != to.nullable && !(to.identity.is_some() && !to.nullable && from.identity.is_none()) {
            if !to.nullable {
                self.warn(change, format!("{table}.{} becomes NOT NULL: this fails if it holds NULLs; fill them first", to.name));
            }
            let (what, sql) = if to.nullable { ("drop not null of", "DROP NOT NULL") } else { ("set not null on", "SET NOT NULL") };
            out.push(on_column(summary(what), alter_only(sql)));
        }
        for (summary, s) in self.column_property_changes(table, from, to, type_changed) {
            out.push(on_column(summary, s));
        }
        self.p.columns.extend(out);
    }

    /// `VALIDATE CONSTRAINT`: a constraint added `NOT VALID` checked against
    /// the rows already there, under SHARE UPDATE EXCLUSIVE (reads and
    /// writes go on). A partition's clone of its parent's constraint, and a
    /// CHECK a child inherits from a parent validated in the same migration,
    /// are validated by the parent's statement (PostgreSQL recurses).
    pub(super) fn validate_constraint(&mut self, table: &QName, constraint: &crate::model::Constraint) {
        if self.inherited_constraint(self.new, table, constraint) {
            return;
        }
        let parent_validates = |p: &QName| {
            self.changes.iter().any(|c| matches!(c, Change::ValidateConstraint { table: t, constraint: k } if t == p && k.name == constraint.name && k.inheritable()))
        };
        if constraint.inheritable() && self.inh.as_ref().is_some_and(|i| i.kept_parents(table).iter().any(parent_validates)) {
            return;
        }
        let s = step(
            format!("validate constraint {} on {table}", constraint.name),
            format!("ALTER TABLE {table} VALIDATE CONSTRAINT {};", quote_ident(&constraint.name)),
        )
        .alters(O::Table(table.clone()))
        .alters(O::Constraint(table.clone(), constraint.name.clone()));
        match &constraint.kind {
            // With the other foreign keys: the table it references may get
            // the rows' targets (or its key) earlier in the migration.
            ConstraintKind::ForeignKey { references, .. } => self.p.foreign_keys.push(s.uses(O::Table(references.clone()))),
            _ => self.p.constraints.push(s),
        }
    }

    /// A constraint validated that the migration also drops and adds again
    /// (rebuilt around a column's type change, a foreign key into a key that
    /// is replaced) is added checked, from the new schema: its VALIDATE
    /// CONSTRAINT step goes (run between the drop and the add, it would
    /// find no constraint).
    pub(super) fn drop_validations_of_readded(&mut self) {
        let readded: Vec<O> = self.p.constraints.iter().chain(&self.p.foreign_keys).flat_map(|s| s.touched(Action::Create).cloned()).collect();
        let needless = |s: &Step| s.summary.starts_with("validate constraint ") && s.touched(Action::Alter).any(|o| matches!(o, O::Constraint(..)) && readded.contains(o));
        self.p.constraints.retain(|s| !needless(s));
        self.p.foreign_keys.retain(|s| !needless(s));
    }

    /// Whether a constraint on a partition is PostgreSQL's clone of its parent's.
    pub(super) fn inherited_constraint(&self, schema: &Schema, table: &QName, constraint: &crate::model::Constraint) -> bool {
        let Some(parent) = schema.tables.get(table).and_then(|t| t.partition_of.as_ref()).and_then(|p| schema.tables.get(&p.parent)) else {
            return false;
        };
        parent.constraints.values().any(|p| p.kind == constraint.kind)
    }

    pub(super) fn inherited_index(&self, schema: &Schema, table: &QName, index: &Index) -> bool {
        let Some(parent) = schema.tables.get(table).and_then(|t| t.partition_of.as_ref()).and_then(|p| schema.tables.get(&p.parent)) else {
            return false;
        };
        parent.indexes.values().any(|p| sql::same_index(p, index))
    }

    /// Foreign keys into a primary key or unique constraint that is dropped
    /// must go first; the ones that still exist come back afterwards.
    pub(super) fn recreate_foreign_keys_into(&mut self, table: &QName, constraint: &crate::model::Constraint) {
        let columns = match &constraint.kind {
            ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => columns,
            _ => return,
        };
        for t in self.old.tables.values() {
            for fk in t.constraints.values() {
                let ConstraintKind::ForeignKey { references, ref_columns, .. } = &fk.kind else { continue };
                if references != table || ref_columns != columns {
                    continue;
                }
                let already = self.changes.iter().any(|c| matches!(c, Change::DropConstraint { table: tt, constraint: cc } if tt == &t.name && cc.name == fk.name));
                if already {
                    continue;
                }
                if self.is_dropped_table(&t.name) {
                    // The table goes later; its key into this one must go now.
                    self.p.drop_dependents.insert(
                        0,
                        drop_constraint_step(
                            format!("drop constraint {} on {}", fk.name, t.name),
                            format!("ALTER TABLE {} DROP CONSTRAINT {};", t.name, quote_ident(&fk.name)),
                            &t.name,
                            &fk.name,
                        ),
                    );
                    continue;
                }
                self.rebuilds.push(Rebuild {
                    kind: "foreign key".into(),
                    object: format!("{} on {}", fk.name, t.name),
                    reason: format!("constraint {} on {table}, which it references, is dropped", constraint.name),
                });
                self.p.drop_dependents.insert(
                    0,
                    drop_constraint_step(
                        format!("drop constraint {} on {} (re-added below)", fk.name, t.name),
                        format!("ALTER TABLE {} DROP CONSTRAINT {};", t.name, quote_ident(&fk.name)),
                        &t.name,
                        &fk.name,
                    ),
                );
                if let Some(n) = self.new_table(&t.name).and_then(|nt| nt.constraints.get(&fk.name)) {
                    self.p.foreign_keys.push(add_constraint_step(format!("add constraint {} on {}", n.name, t.name), &t.name, n));
                }
            }
        }
    }
}
