//! Functions: where each is created, and what it is ordered by.
//!
//! A function goes with the new types, before the tables, unless it needs
//! something this migration creates later: a table's row type, or a body
//! PostgreSQL analyzes when the function is created (a SQL-standard body,
//! or a `LANGUAGE sql` one while `check_function_bodies` is on) that reads
//! a table created or changed here. Such a function waits for the tables
//! and columns, and comes before the indexes and CHECKs (which may call
//! it); one that reads a view created here waits for the views.

use super::facts::{Obj, Ordered};
use super::{Lowering, routine_keyword, routine_object, function_ref, step};
use crate::diff::Change;
use crate::dialect::postgres::render as sql;
use crate::model::{ConstraintKind, Function, QName, Schema};
use crate::dialect::postgres::identifiers::identifiers;
use crate::dialect::postgres::read::canon::{Dependencies, Deps};
use std::collections::BTreeSet;

/// Where a function is created.
#[derive(Debug, PartialEq)]
enum Needs {
    Nothing,
    Tables,
    Views,
}

/// The ordering facts of what an object uses.
pub(super) fn facts_of(deps: &Deps) -> Vec<Obj> {
    deps.types.iter().map(|t| Obj::Type(t.clone())).chain(deps.functions.iter().map(|f| Obj::Function(f.clone()))).collect()
}

/// What a function uses: the types in its signature, and the functions its
/// body calls (read off a SQL body by name, all overloads).
fn function_uses(deps: &Dependencies<'_>, schema: &Schema, f: &Function) -> Vec<Obj> {
    let mut uses = facts_of(&deps.function(f));
    if f.language == "sql" && !sql::order::has_sql_standard_body(f) {
        let named = identifiers(&f.body);
        let own = f.signature();
        for (key, g) in &schema.functions {
            if *key != own && named.contains(&g.name.name) {
                uses.push(Obj::Function(key.clone()));
            }
        }
    }
    uses
}

impl<'a> Lowering<'a> {
    /// What the new model's objects use.
    pub(super) fn new_deps(&self) -> &Dependencies<'a> {
        self.new_deps.get_or_init(|| Dependencies::new(self.new))
    }

    pub(super) fn create_function(&mut self, function: &Function, replace: bool) {
        let mut text = sql::create_function_sql(function);
        if replace {
            text = text.replacen("CREATE ", "CREATE OR REPLACE ", 1);
        }
        let s = step(format!("create function {}", function.signature()), text);
        let s = if replace { s.alters(routine_object(function)) } else { s.creates(routine_object(function)) };
        let uses = function_uses(self.new_deps(), self.new, function);
        let ordered = Ordered::new(s, Obj::Function(function.signature()), uses);
        match self.function_needs(function) {
            Needs::Nothing => self.p.functions.push(ordered),
            Needs::Tables => self.p.table_functions.push(ordered),
            Needs::Views => self.p.late_functions.push(ordered),
        }
        if function.comment.is_some() {
            self.comment(sql::function_comment_target(function), routine_object(function), &function.comment);
        }
    }

    pub(super) fn drop_function(&mut self, function: &Function) {
        let s = step(
            format!("drop function {}", function.signature()),
            format!("DROP {} {};", routine_keyword(function), function_ref(function)),
        )
        .drops(routine_object(function));
        let uses = function_uses(self.old_deps(), self.old, function);
        self.p.drops.push(Ordered::new(s, Obj::Function(function.signature()), uses));
    }

    /// What a function needs that this migration creates.
    fn function_needs(&self, f: &Function) -> Needs {
        let standard = sql::order::has_sql_standard_body(f);
        let checked_sql = f.language == "sql" && !standard;
        if !(standard || checked_sql || sql::order::uses_row_type(self.new, f)) {
            return Needs::Nothing;
        }
        // Called by a column default or a CHECK of a table created here: it
        // has to exist first (its body is then checked against what exists).
        if checked_sql && (self.used_by_tables(f) || self.used_by_opaque(f)) {
            return Needs::Nothing;
        }
        let (tables, views) = self.created_relations();
        let mut reads: BTreeSet<QName> = BTreeSet::new();
        let named = |text: &str| -> BTreeSet<String> { identifiers(text).into_iter().collect() };
        let mut names = named(&f.body);
        for t in f.args.iter().map(|a| a.data_type.to_string()).chain(f.returns.clone()) {
            names.extend(named(&t));
        }
        if standard {
            let d = self.new_deps().function(f);
            reads.extend(d.relations);
            if !d.unresolved {
                names.clear();
            }
        }
        let reads_any = |set: &BTreeSet<QName>| set.iter().any(|r| reads.contains(r) || names.contains(&r.name));
        if reads_any(&views) {
            Needs::Views
        } else if reads_any(&tables) {
            Needs::Tables
        } else {
            Needs::Nothing
        }
    }

    /// Tables this migration creates or changes the columns of, and views
    /// it creates (or creates again).
    fn created_relations(&self) -> (BTreeSet<QName>, BTreeSet<QName>) {
        let mut tables = BTreeSet::new();
        let mut views: BTreeSet<QName> = self.recreated_views.clone();
        for c in self.changes {
            match c {
                Change::CreateTable { table } => {
                    tables.insert(table.name.clone());
                }
                Change::AddColumn { table, .. } | Change::AlterColumn { table, .. } | Change::DropColumn { table, .. } => {
                    tables.insert(table.clone());
                }
                Change::CreateView { view } | Change::ReplaceView { to: view, .. } => {
                    views.insert(view.name.clone());
                }
                _ => {}
            }
        }
        (tables, views)
    }

    /// Whether a column default, generated column or CHECK of the new schema calls `function`.
    fn used_by_tables(&self, function: &Function) -> bool {
        let name = &function.name.name;
        self.new.tables.values().any(|t| {
            t.columns.iter().any(|c| {
                c.default.as_ref().is_some_and(|d| identifiers(&d.0).contains(name))
                    || c.generated.as_ref().is_some_and(|g| identifiers(&g.0).contains(name))
            }) || t.constraints.values().any(|c| matches!(&c.kind, ConstraintKind::Check { expr, .. } if identifiers(&expr.0).contains(name)))
        })
    }

    /// Whether a statement kept as text (an operator, a cast, an aggregate,
    /// …) names `function`: it is created before them.
    fn used_by_opaque(&self, function: &Function) -> bool {
        let name = &function.name.name;
        self.new.opaque.iter().any(|o| identifiers(&o.text).contains(name))
    }
}
