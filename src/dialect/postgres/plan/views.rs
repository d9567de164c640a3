//! Views: which to drop and create again, and in what order.
//!
//! PostgreSQL refuses to change what a view reads in a way that changes the
//! view: a column's type, a dropped column or table, a function dropped.
//! Such a view is dropped before the change and created again after it,
//! with its dependants. Nothing else is rebuilt: a view reads columns by
//! identity, so renames reach it by themselves, and a table change that
//! does not touch the columns it reads leaves it alone. What a view reads
//! comes from analyzing its query (see `canon::deps`); a query that cannot
//! be analyzed is taken to read every table and function it names.

use super::{Lowering, index_object, step};
use crate::diff::Change;
use crate::dialect::postgres::render as sql;
use crate::model::{QName, View};
use crate::plan::{Object as O, Rebuild};
use crate::dialect::postgres::read::canon::Deps;
use std::collections::{BTreeMap, BTreeSet};

/// What this migration changes that other objects may be built on, each
/// with the reason a dependant has to be rebuilt.
#[derive(Default)]
pub(super) struct Reach {
    /// Columns whose type, collation or generation changes, or that are dropped.
    pub columns: BTreeMap<(QName, String), String>,
    /// Tables dropped.
    pub relations: BTreeMap<QName, String>,
    /// Functions dropped (or dropped and created again), by signature.
    pub functions: BTreeMap<String, String>,
    /// Types rebuilt or replaced.
    pub types: BTreeMap<QName, String>,
}

impl Reach {
    fn is_empty(&self) -> bool {
        self.columns.is_empty() && self.relations.is_empty() && self.functions.is_empty() && self.types.is_empty()
    }

    /// Why an object using `deps` must be rebuilt, if it must. An object
    /// whose expressions could not all be analyzed is matched by the names
    /// its text mentions (`mentions`).
    pub fn reason(&self, deps: &Deps, mentions: impl Fn(&str) -> bool) -> Option<String> {
        if deps.unresolved {
            let by_name = self
                .columns
                .iter()
                .find(|((t, c), _)| mentions(&t.name) && mentions(c))
                .map(|(_, why)| why)
                .or_else(|| self.relations.iter().find(|(t, _)| mentions(&t.name)).map(|(_, why)| why))
                .or_else(|| self.functions.iter().find(|(f, _)| mentions(function_name(f))).map(|(_, why)| why))
                .or_else(|| self.types.iter().find(|(t, _)| mentions(&t.name)).map(|(_, why)| why));
            if let Some(why) = by_name {
                return Some(format!("{why} (and it could not be analyzed, so it is taken to use what it names)"));
            }
        }
        deps.columns
            .iter()
            .find_map(|c| self.columns.get(c))
            .or_else(|| deps.relations.iter().find_map(|r| self.relations.get(r)))
            .or_else(|| deps.functions.iter().find_map(|f| self.functions.get(f)))
            .or_else(|| deps.types.iter().find_map(|t| self.types.get(t)))
            .cloned()
    }
}

/// `public.f` of `public.f(integer)`, unqualified: `f`.
fn function_name(signature: &str) -> &str {
    let name = signature.split('(').next().unwrap_or(signature);
    name.rsplit('.').next().unwrap_or(name).trim_matches('"')
}

/// Whether two views have the same definition (what `CREATE VIEW` says,
/// but for whether a materialized view is filled).
fn same_definition(a: &View, b: &View) -> bool {
    (a.columns.as_slice(), a.query.as_str(), a.options.as_slice()) == (b.columns.as_slice(), b.query.as_str(), b.options.as_slice())
}

fn kind_of(v: &View) -> &'static str {
    if v.materialized { "MATERIALIZED VIEW" } else { "VIEW" }
}

fn object_of(v: &View) -> O {
    if v.materialized { O::MaterializedView(v.name.clone()) } else { O::View(v.name.clone()) }
}

impl Lowering<'_> {
    /// What the changes reach (computed from the changes and the old model).
    pub(super) fn reach(&self) -> Reach {
        let mut r = Reach::default();
        for c in self.changes {
            match c {
                Change::AlterColumn { table, from, to } => {
                    let why = if from.data_type != to.data_type {
                        Some(format!("the type of column {table}.{} changes", to.name))
                    } else if from.collation != to.collation {
                        Some(format!("the collation of column {table}.{} changes", to.name))
                    } else if from.generated != to.generated && to.generated.is_some() {
                        Some(format!("column {table}.{} is dropped and added again with its new expression", to.name))
                    } else {
                        None
                    };
                    if let Some(why) = why {
                        r.columns.insert((table.clone(), to.name.clone()), why);
                    }
                }
                Change::DropColumn { table, column } => {
                    r.columns.insert((table.clone(), column.name.clone()), format!("column {table}.{} is dropped", column.name));
                }
                Change::DropTable { table } => {
                    r.relations.insert(table.name.clone(), format!("table {} is dropped", table.name));
                }
                Change::RebuildEnum { to, .. } | Change::ReplaceType { to, .. } => {
                    let why = format!("type {} is created again", to.name);
                    let type_name = to.name.to_string();
                    for t in self.old.tables.values() {
                        for col in t.columns.iter().filter(|col| col.data_type.name == type_name) {
                            r.columns.insert((t.name.clone(), col.name.clone()), why.clone());
                        }
                    }
                    r.types.insert(to.name.clone(), why);
                }
                Change::ReplaceFunction { from, to } if !super::replaceable_function(from, to) => {
                    r.functions.insert(from.signature(), format!("function {} is dropped and created again", from.signature()));
                }
                Change::DropFunction { function } => {
                    r.functions.insert(function.signature(), format!("function {} is dropped", function.signature()));
                }
                _ => {}
            }
        }
        r
    }

    /// The views to drop before the changes and create after them: those
    /// that changed or go, and those that read something a change reaches,
    /// transitively. Returns the old names to drop and the new names to create.
    fn views_to_recreate(&mut self) -> (BTreeSet<QName>, BTreeSet<QName>) {
        let mut drop: BTreeSet<QName> = BTreeSet::new();
        let mut create: BTreeSet<QName> = BTreeSet::new();
        for c in self.changes {
            match c {
                Change::DropView { view } => {
                    drop.insert(view.name.clone());
                }
                Change::CreateView { view } => {
                    create.insert(view.name.clone());
                }
                _ => {}
            }
        }
        let reach = self.reach();
        if reach.is_empty() && drop.is_empty() {
            return (drop, create);
        }
        let analyzed: BTreeMap<&QName, Deps> = {
            let deps = self.old_deps();
            self.old.views.iter().filter(|(n, _)| !drop.contains(*n)).map(|(n, v)| (n, deps.view(v))).collect()
        };
        // Old views reached: by a change, or through a view dropped before them.
        let mut rebuilt: BTreeMap<QName, String> = BTreeMap::new();
        loop {
            let mut found = Vec::new();
            for (name, deps) in &analyzed {
                if drop.contains(*name) || rebuilt.contains_key(*name) {
                    continue;
                }
                let v = &self.old.views[*name];
                let idents = crate::dialect::postgres::identifiers::identifiers(&v.query);
                let mentions = |n: &str| idents.contains(n);
                let through_view = drop.iter().chain(rebuilt.keys()).find(|d| {
                    deps.relations.contains(*d) || (deps.unresolved && mentions(&d.name))
                });
                let why = match through_view {
                    Some(d) => Some(format!("it reads view {d}, which is dropped and created again")),
                    None => reach.reason(deps, mentions),
                };
                if let Some(why) = why {
                    found.push(((*name).clone(), why));
                }
            }
            if found.is_empty() {
                break;
            }
            rebuilt.extend(found);
        }
        for (name, why) in rebuilt {
            let v = &self.old.views[&name];
            if self.new.views.contains_key(&name) {
                create.insert(name.clone());
                let kind = kind_of(v).to_lowercase();
                self.rebuilds.push(Rebuild { kind, object: name.to_string(), reason: why });
            }
            drop.insert(name);
        }
        for name in &drop {
            if self.new.views.contains_key(name) {
                create.insert(name.clone());
            }
        }
        (drop, create)
    }

    pub(super) fn recreated_view(&self, name: &QName) -> bool {
        self.recreated_views.contains(name)
    }

    pub(super) fn views(&mut self) {
        for c in self.changes {
            if let Change::RenameView { from, to } = c {
                let materialized = self.old.views.get(from).or(self.new.views.get(to)).is_some_and(|v| v.materialized);
                let object = |q: &QName| if materialized { O::MaterializedView(q.clone()) } else { O::View(q.clone()) };
                let rename = step(format!("rename view {from} to {to}"), sql::rename_sql(c, materialized).expect("a rename"));
                self.p.renames.push(rename.renames(object(from), object(to)));
            }
        }
        let (drop, create) = self.views_to_recreate();
        if drop.is_empty() && create.is_empty() && !self.changes.iter().any(|c| matches!(c, Change::ReplaceView { .. })) {
            // Nothing to order (ordering every view of a large schema is not free).
            return;
        }
        self.recreated_views = drop.clone();
        // Dependants first: the reverse of the creation order.
        for v in sql::order::views(self.old).into_iter().rev().filter(|v| drop.contains(&v.name)) {
            self.p.drop_views.push(step(format!("drop view {}", v.name), format!("DROP {} {};", kind_of(v), v.name)).drops(object_of(v)));
        }
        for v in sql::order::views(self.new) {
            if create.contains(&v.name) {
                self.create_view(v);
            } else if let Some(Change::ReplaceView { to, .. }) =
                self.changes.iter().find(|c| matches!(c, Change::ReplaceView { to, .. } if to.name == v.name))
            {
                let text = sql::create_view_sql(to).replacen("CREATE VIEW", "CREATE OR REPLACE VIEW", 1);
                self.p.views.push(step(format!("replace view {}", to.name), text).alters(object_of(to)));
            }
        }
    }

    fn create_view(&mut self, v: &View) {
        // A materialized view is filled when it is created, unless declared
        // `WITH NO DATA`. One created again only because something it reads
        // changes keeps the state it had.
        let rebuilt_from = self.old.views.get(&v.name).filter(|o| o.materialized && v.materialized && same_definition(o, v));
        let with_no_data = rebuilt_from.map_or(v.with_no_data, |o| o.with_no_data);
        if v.materialized && with_no_data {
            let again = if self.old.views.contains_key(&v.name) { " again" } else { "" };
            self.warnings.push(crate::error::Warning {
                message: format!(
                    "materialized view {} is created{again} WITH NO DATA: it cannot be queried until REFRESH MATERIALIZED VIEW {} runs",
                    v.name, v.name
                ),
                location: v.location.clone(),
            });
        }
        let view = View { with_no_data, ..v.clone() };
        self.p.views.push(step(format!("create view {}", v.name), sql::create_view_sql(&view)).creates(object_of(v)));
        for i in v.indexes.values() {
            let create = step(format!("create index {}", i.name), sql::create_index_sql(&v.name, i));
            self.p.views.push(create.alters(object_of(v)).creates(index_object(&v.name, &i.name)));
        }
        for t in v.triggers.values() {
            let trigger = O::Trigger(v.name.clone(), t.name.clone());
            let create = step(format!("create trigger {}", t.name), sql::create_trigger_sql(&v.name, t));
            self.p.triggers.push(create.alters(object_of(v)).creates(trigger.clone()));
            if !t.enabled.is_default() {
                self.p.triggers.push(
                    step(format!("set firing of trigger {} on {}", t.name, v.name), sql::properties::enabled_sql(&v.name, "TRIGGER", &t.name, t.enabled))
                        .alters(object_of(v))
                        .alters(trigger),
                );
            }
        }
        self.created_view_rules(&v.name.clone(), &v.rules.clone());
        if v.comment.is_some() {
            self.comment(format!("{} {}", kind_of(v), v.name), object_of(v), &v.comment);
        }
    }
}
