//! What an object's expressions and queries use, as PostgreSQL records it
//! in `pg_depend`: the columns, relations, functions and types the analyzed
//! text refers to. The planner orders steps by it (a function is created
//! before the index that calls it, a domain dropped before the function its
//! CHECK calls) and rebuilds only what a change reaches (a view is dropped
//! around a column's type change only when it reads that column).
//!
//! The same analysis prints a view as PostgreSQL does after a table or
//! column it reads is renamed: it keeps references by identity, so the
//! stored query shows the new names (`t.b AS a` once `a` became `b`).

use super::env::Env;
use super::expr::Analyzer;
use super::pass::Place;
use crate::model::{DataType, QName, Schema, Trigger, UserType, UserTypeKind, View};
use std::collections::{BTreeSet, HashMap};

/// What an expression or query uses: what must exist before it is created,
/// and what cannot change (or go) while it exists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Deps {
    /// Tables and views read.
    pub relations: BTreeSet<QName>,
    /// Columns read, by table or view (a `*` or a whole-row reference
    /// reads every column it stands for).
    pub columns: BTreeSet<(QName, String)>,
    /// The schema's own functions called, by signature (`public.f(integer)`).
    pub functions: BTreeSet<String>,
    /// The schema's own types named (in casts, argument and result types).
    pub types: BTreeSet<QName>,
    /// Part of the text could not be resolved: what it uses may be more
    /// than the above (callers then fall back to reading names).
    pub unresolved: bool,
    /// Column names found in no relation in scope (`t.c` for a qualified one).
    pub missing_columns: BTreeSet<String>,
    /// Relations read that do not exist.
    pub missing_relations: BTreeSet<QName>,
    /// Relations read that exist but whose columns could not be worked out
    /// (a view that cannot be analyzed, or one that reads this one).
    pub unreadable_relations: BTreeSet<QName>,
}

impl Deps {
    pub fn extend(&mut self, other: Deps) {
        self.relations.extend(other.relations);
        self.columns.extend(other.columns);
        self.functions.extend(other.functions);
        self.types.extend(other.types);
        self.unresolved |= other.unresolved;
        self.missing_columns.extend(other.missing_columns);
        self.missing_relations.extend(other.missing_relations);
        self.unreadable_relations.extend(other.unreadable_relations);
    }
}

/// Relations and columns renamed (`ALTER TABLE … RENAME`), by their old
/// names: a query analyzed with them prints the new names.
#[derive(Debug, Clone, Default)]
pub struct Renames {
    pub relations: HashMap<QName, QName>,
    /// (relation as it was called, old column) → new column.
    pub columns: HashMap<(QName, String), String>,
}

/// Dependencies read against one schema (the analysis environment is built
/// once, then shared by every question).
pub struct Dependencies<'a> {
    env: Env<'a>,
}

impl<'a> Dependencies<'a> {
    pub fn new(schema: &'a Schema) -> Dependencies<'a> {
        Dependencies { env: Env::new(schema) }
    }

    /// What an expression at `place` uses.
    pub fn expr(&self, place: Place<'_>, text: &str) -> Deps {
        let a = Analyzer::new(&self.env);
        let resolved = super::pass::canonical_with(&a, place, text).is_some();
        finish(a, resolved)
    }

    /// What a view's query uses.
    pub fn view(&self, view: &View) -> Deps {
        let a = Analyzer::new(&self.env);
        let resolved = super::query::analyze_view(&a, view).is_some();
        finish(a, resolved)
    }

    /// What a function's signature (argument and result types) and a
    /// SQL-standard body (`RETURN …`) use.
    pub fn function(&self, f: &crate::model::Function) -> Deps {
        let mut d = Deps::default();
        let types = f.args.iter().map(|a| a.data_type.clone()).chain(f.returns.as_deref().and_then(crate::model::DataType::parse));
        d.types.extend(types.filter_map(|t| self.type_name(&t)));
        if f.body.starts_with("RETURN ") {
            let a = Analyzer::new(&self.env);
            let resolved = super::pass::sql_body_with(&a, f).is_some();
            d.extend(finish(a, resolved));
        }
        d
    }

    /// What a type uses: the schema's types it is made of (a domain's base,
    /// a composite's attributes, a range's subtype), and what a domain's
    /// CHECKs and DEFAULT call.
    pub fn user_type(&self, t: &UserType) -> Deps {
        let mut d = Deps::default();
        let parts: Vec<&DataType> = match &t.kind {
            UserTypeKind::Enum { .. } => Vec::new(),
            UserTypeKind::Composite { attributes } => attributes.iter().map(|a| &a.data_type).collect(),
            UserTypeKind::Domain { base, .. } => vec![base],
            UserTypeKind::Range { subtype, .. } => vec![subtype],
        };
        d.types.extend(parts.into_iter().filter_map(|p| self.type_name(p)));
        if let UserTypeKind::Domain { default, checks, .. } = &t.kind {
            for c in checks.values() {
                d.extend(self.expr(Place::DomainCheck { domain: &t.name }, &c.0));
            }
            if let Some(e) = default {
                d.extend(self.expr(Place::DomainDefault { domain: &t.name }, &e.0));
            }
        }
        d.types.remove(&t.name);
        d
    }

    /// The schema's own type `dt` is (or is an array of).
    fn type_name(&self, dt: &DataType) -> Option<QName> {
        self.env.lookup_type(dt).and_then(|ty| self.env.user_type_name(ty.id))
    }

    /// What a trigger uses: its function, the columns of `UPDATE OF` and
    /// its WHEN condition.
    pub fn trigger(&self, table: &QName, trigger: &Trigger) -> Deps {
        let mut d = match &trigger.when {
            Some(w) => self.expr(Place::TriggerWhen { table }, &w.0),
            None => Deps::default(),
        };
        for e in &trigger.events {
            if let Some(cols) = e.strip_prefix("UPDATE OF ") {
                for c in cols.split(',') {
                    d.columns.insert((table.clone(), crate::model::name_parts_folded(c.trim()).pop().unwrap_or_default()));
                }
            }
        }
        if let Some(key) = self.trigger_function(trigger) {
            d.functions.insert(key);
        }
        d
    }

    /// The schema's function a trigger executes (`execute` is
    /// `schema.name(arguments)`; a trigger function declares no arguments).
    fn trigger_function(&self, trigger: &Trigger) -> Option<String> {
        let name = trigger.execute.split('(').next()?.trim();
        let key = format!("{name}()");
        self.env.schema?.functions.contains_key(&key).then_some(key)
    }

    /// A view's query as PostgreSQL prints it once `renames` have run
    /// (`None` when it cannot be resolved).
    pub fn renamed_view_query(&self, view: &View, renames: &Renames) -> Option<String> {
        let mut a = Analyzer::new(&self.env);
        a.renames = Some(renames);
        super::query::analyze_view(&a, view)
    }
}

fn finish(a: Analyzer<'_, '_>, resolved: bool) -> Deps {
    let unresolved = !resolved || a.unresolved.get();
    Deps { unresolved, ..a.deps.into_inner() }
}
