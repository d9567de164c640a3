//! What PostgreSQL would refuse in a schema that reads fine statement by
//! statement: a key, index, CHECK or trigger on a column that does not
//! exist, a foreign key to a missing table or to columns without a unique
//! constraint, a view over a missing relation or views reading each other,
//! duplicate enum labels, a sequence owned by a missing column, two objects
//! sharing one name (after PostgreSQL cuts identifiers to 63 bytes).
//!
//! Each is the user's mistake, reported at the statement that makes it
//! (exit 65). Left unchecked it would surface later as a migration the
//! planner cannot verify, blamed on schemashift.

use super::canon::{Dependencies, Deps, Place, Resolution, TableExpr};
use crate::error::{Error, Result};
use crate::model::{ConstraintKind, Location, QName, Schema, Table, UserTypeKind};
use std::collections::hash_map::{Entry, HashMap};
use std::collections::{BTreeMap, BTreeSet};

/// PostgreSQL keeps the first 63 bytes of an identifier (`NAMEDATALEN - 1`).
const MAX_IDENTIFIER_BYTES: usize = 63;

/// One problem: where, what, and how to fix it.
struct Problem {
    location: Location,
    message: String,
    help: Option<String>,
}

/// Checks `schema`; the first problem (in file order) is the error.
/// `resolution` tells which table expressions and views resolving already
/// showed to name only columns and relations that exist: those are not
/// analyzed again.
pub fn validate(schema: &Schema, resolution: &Resolution) -> Result<()> {
    let mut problems = Vec::new();
    let deps = Dependencies::new(schema);
    for t in schema.tables.values() {
        table(schema, &deps, resolution, t, &mut problems);
    }
    views(schema, &deps, resolution, &mut problems);
    types_and_sequences(schema, &mut problems);
    names(schema, &mut problems);
    problems.sort_by(|a, b| (&a.location.file, a.location.line, a.location.column).cmp(&(&b.location.file, b.location.line, b.location.column)));
    let count = problems.len();
    let Some(first) = problems.into_iter().next() else { return Ok(()) };
    let mut error = Error::data(first.message).at(first.location);
    let more = if count > 1 { format!(" ({} more problem{} after this one)", count - 1, if count > 2 { "s" } else { "" }) } else { String::new() };
    if let Some(help) = first.help {
        error = error.help(format!("{help}{more}"));
    } else if !more.is_empty() {
        error = error.help(more.trim().to_string());
    }
    Err(error)
}

fn problem(location: &Location, message: String, help: Option<&str>) -> Problem {
    Problem { location: location.clone(), message, help: help.map(str::to_string) }
}

/// The columns an expression at `place` refers to that `table` does not
/// have. Expressions with subqueries are left to PostgreSQL: their scopes
/// are not all known here.
fn missing_columns(deps: &Dependencies<'_>, place: Place<'_>, text: &str) -> Vec<String> {
    let d: Deps = deps.expr(place, text);
    if d.missing_columns.is_empty() || crate::dialect::postgres::identifiers::identifiers(text).contains("select") {
        return Vec::new();
    }
    d.missing_columns.into_iter().collect()
}

fn table(schema: &Schema, deps: &Dependencies<'_>, resolution: &Resolution, t: &Table, out: &mut Vec<Problem>) {
    let name = &t.name;
    let has = |c: &str| t.column(c).is_some();
    let no_column = |what: &str, c: &str| format!("column {c} named in {what} does not exist in table {name}");
    // Settled expressions name only columns that exist (see `Resolution`).
    // A partition also holds copies of its parent's indexes and CHECKs,
    // made after resolving: its expressions are all analyzed here.
    let settled = |what: TableExpr, object: &str| t.partition_of.is_none() && resolution.settled(name, what, object);
    for c in t.constraints.values() {
        let what = || format!("constraint {}", c.name);
        let at = &c.location;
        match &c.kind {
            ConstraintKind::PrimaryKey { columns, include } | ConstraintKind::Unique { columns, include, .. } => {
                for col in columns.iter().chain(include).filter(|c| !has(c)) {
                    out.push(problem(at, no_column(&what(), col), None));
                }
            }
            ConstraintKind::ForeignKey { columns, references, ref_columns, .. } => {
                for col in columns.iter().filter(|c| !has(c)) {
                    out.push(problem(at, no_column(&what(), col), None));
                }
                foreign_key(schema, name, &c.name, at, columns, references, ref_columns, out);
            }
            ConstraintKind::Check { expr, .. } => {
                if settled(TableExpr::Check, &c.name) {
                    continue;
                }
                for col in missing_columns(deps, Place::Check { table: name }, &expr.0) {
                    out.push(problem(at, no_column(&what(), &col), None));
                }
            }
            ConstraintKind::Exclude { elements, .. } => {
                for (e, _) in elements {
                    for col in missing_columns(deps, Place::IndexKey { table: name }, e) {
                        out.push(problem(at, no_column(&what(), &col), None));
                    }
                }
            }
        }
    }
    for i in t.indexes.values() {
        let what = || format!("index {}", i.name);
        for (n, k) in i.keys.iter().enumerate() {
            let missing = if k.expression {
                if settled(TableExpr::IndexKey(n), &i.name) { Vec::new() } else { missing_columns(deps, Place::IndexKey { table: name }, &k.expr) }
            } else if has(&k.expr) {
                Vec::new()
            } else {
                vec![k.expr.clone()]
            };
            for col in missing {
                out.push(problem(&i.location, no_column(&what(), &col), None));
            }
        }
        for col in i.include.iter().filter(|c| !has(c)) {
            out.push(problem(&i.location, no_column(&what(), col), None));
        }
        if let Some(p) = &i.predicate
            && !settled(TableExpr::IndexPredicate, &i.name)
        {
            for col in missing_columns(deps, Place::IndexPredicate { table: name }, &p.0) {
                out.push(problem(&i.location, no_column(&what(), &col), None));
            }
        }
    }
    for c in &t.columns {
        if let Some(g) = &c.generated
            && !settled(TableExpr::Generated, &c.name)
        {
            for col in missing_columns(deps, Place::Generated { table: name, column: &c.name }, &g.0) {
                out.push(problem(&c.location, no_column(&format!("the expression of generated column {}", c.name), &col), None));
            }
        }
    }
    for tr in t.triggers.values() {
        for e in &tr.events {
            for col in e.strip_prefix("UPDATE OF ").into_iter().flat_map(|cols| cols.split(',')) {
                let col = crate::model::name_parts_folded(col.trim()).pop().unwrap_or_default();
                if !has(&col) {
                    out.push(problem(&tr.location, no_column(&format!("trigger {}", tr.name), &col), None));
                }
            }
        }
        if let Some(w) = &tr.when
            && !settled(TableExpr::TriggerWhen, &tr.name)
        {
            let missing = deps.expr(Place::TriggerWhen { table: name }, &w.0).missing_columns;
            for col in missing.into_iter().filter(|c| c.starts_with("new.") || c.starts_with("old.")) {
                out.push(problem(&tr.location, no_column(&format!("the WHEN of trigger {}", tr.name), &col[4..]), None));
            }
        }
    }
}

/// A foreign key's target: the table, its columns, and a primary key or
/// unique constraint (or unique index) on exactly those columns.
#[allow(clippy::too_many_arguments)]
fn foreign_key(
    schema: &Schema,
    table: &QName,
    constraint: &str,
    at: &Location,
    columns: &[String],
    references: &QName,
    ref_columns: &[String],
    out: &mut Vec<Problem>,
) {
    let Some(target) = schema.tables.get(references) else {
        out.push(problem(
            at,
            format!("table {references} referenced by foreign key {constraint} of {table} does not exist"),
            Some("create the referenced table in the schema, or correct the name after REFERENCES"),
        ));
        return;
    };
    if ref_columns.is_empty() {
        out.push(problem(at, format!("foreign key {constraint} of {table} references {references}, which has no primary key"), Some("name the referenced columns: REFERENCES t (col)")));
        return;
    }
    let absent: Vec<&String> = ref_columns.iter().filter(|c| target.column(c).is_none()).collect();
    for col in &absent {
        out.push(problem(at, format!("column {col} referenced by foreign key {constraint} of {table} does not exist in table {references}"), None));
    }
    if !absent.is_empty() {
        return;
    }
    if columns.len() != ref_columns.len() {
        out.push(problem(at, format!("foreign key {constraint} of {table} has {} columns but references {}", columns.len(), ref_columns.len()), None));
        return;
    }
    let unique_constraint = target.constraints.values().any(|c| match &c.kind {
        ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => same_names(columns.iter(), ref_columns),
        _ => false,
    });
    let unique_index = target
        .indexes
        .values()
        .any(|i| i.unique && i.predicate.is_none() && i.keys.iter().all(|k| !k.expression) && same_names(i.keys.iter().map(|k| &k.expr), ref_columns));
    if !unique_constraint && !unique_index {
        let cols = ref_columns.join(", ");
        out.push(problem(
            at,
            format!("foreign key {constraint} of {table} references {references} ({cols}), which has no primary key or unique constraint on those columns"),
            Some("PostgreSQL needs a PRIMARY KEY or UNIQUE constraint (or a unique index) on exactly the referenced columns"),
        ));
    }
}

/// Whether `a` and `b` hold the same names, as sets (a handful each:
/// compared in place rather than collected).
fn same_names<'n>(a: impl Iterator<Item = &'n String> + Clone, b: &[String]) -> bool {
    a.clone().all(|x| b.contains(x)) && b.iter().all(|y| a.clone().any(|x| x == y))
}

fn views(schema: &Schema, deps: &Dependencies<'_>, resolution: &Resolution, out: &mut Vec<Problem>) {
    let foreign_tables: BTreeSet<String> = schema
        .opaque
        .iter()
        .filter(|o| o.kind == "CREATE FOREIGN TABLE")
        .flat_map(|o| crate::dialect::postgres::identifiers::identifiers(&o.text))
        .collect();
    // Edges to the views each reads but could not read.
    let mut unreadable: BTreeMap<&QName, BTreeSet<QName>> = BTreeMap::new();
    // A settled view reads only relations that exist and can be read: it
    // has no problem here and is in no cycle.
    for (name, v) in schema.views.iter().filter(|(name, _)| !resolution.view_settled(name)) {
        let d = deps.view(v);
        for missing in d.missing_relations.iter().filter(|m| !foreign_tables.contains(&m.name)) {
            out.push(problem(
                &v.location,
                format!("relation {missing} read by view {name} does not exist"),
                Some("create it in the schema, or correct the name in the view's query"),
            ));
        }
        unreadable.insert(name, d.unreadable_relations.into_iter().filter(|r| schema.views.contains_key(r)).collect());
    }
    // A cycle: views that read each other, which PostgreSQL cannot create.
    for start in unreadable.keys() {
        if let Some(cycle) = cycle_from(start, &unreadable)
            && cycle.iter().min() == Some(start)
        {
            let path: Vec<String> = cycle.iter().chain(std::iter::once(start)).map(|v| v.to_string()).collect();
            out.push(problem(
                &schema.views[*start].location,
                format!("views read each other in a cycle: {}", path.join(" → ")),
                Some("PostgreSQL creates a view only over relations that exist; break the cycle"),
            ));
        }
    }
}

/// A path of views from `start` back to it, if there is one.
fn cycle_from<'v>(start: &'v QName, edges: &'v BTreeMap<&QName, BTreeSet<QName>>) -> Option<Vec<&'v QName>> {
    fn walk<'v>(at: &'v QName, start: &QName, edges: &'v BTreeMap<&QName, BTreeSet<QName>>, path: &mut Vec<&'v QName>, seen: &mut BTreeSet<&'v QName>) -> bool {
        for next in edges.get(at).into_iter().flatten() {
            if next == start {
                return true;
            }
            if seen.insert(next) {
                path.push(next);
                if walk(next, start, edges, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start];
    walk(start, start, edges, &mut path, &mut BTreeSet::new()).then_some(path)
}

fn types_and_sequences(schema: &Schema, out: &mut Vec<Problem>) {
    for t in schema.types.values() {
        if let UserTypeKind::Enum { values } = &t.kind {
            let mut seen = BTreeSet::new();
            for v in values.iter().filter(|v| !seen.insert(*v)) {
                out.push(problem(&t.location, format!("enum {} has the label {v:?} twice", t.name), None));
            }
        }
    }
    for s in schema.sequences.values() {
        if let Some((table, column)) = &s.owned_by
            && schema.tables.get(table).and_then(|t| t.column(column)).is_none()
        {
            out.push(problem(&s.location, format!("sequence {} is owned by {table}.{column}, which does not exist", s.name), None));
        }
    }
}

/// `name` as PostgreSQL stores it: at most 63 bytes, not cutting a character.
fn truncated(name: &str) -> &str {
    let mut end = name.len().min(MAX_IDENTIFIER_BYTES);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// A relation, as a collision names it.
#[derive(Clone, Copy)]
enum Relation<'a> {
    Table(&'a QName),
    View(&'a QName),
    Sequence(&'a QName),
    Type(&'a QName),
    Index(&'a str),
    Key(&'a str),
}

impl std::fmt::Display for Relation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Relation::Table(q) => write!(f, "table {q}"),
            Relation::View(q) => write!(f, "view {q}"),
            Relation::Sequence(q) => write!(f, "sequence {q}"),
            Relation::Type(q) => write!(f, "type {q}"),
            Relation::Index(n) => write!(f, "index {n}"),
            Relation::Key(n) => write!(f, "constraint {n} (and its index)"),
        }
    }
}

/// The relations of one namespace by schema and truncated name: `name`
/// (`what`) is added, or collides with the one added first.
fn add<'s>(relations: &mut HashMap<(&'s str, &'s str), Relation<'s>>, out: &mut Vec<Problem>, schema: &'s str, name: &'s str, what: Relation<'s>, at: &Location) {
    match relations.entry((schema, truncated(name))) {
        Entry::Occupied(first) => out.push(problem(at, collision(&what.to_string(), &first.get().to_string(), name), None)),
        Entry::Vacant(slot) => {
            slot.insert(what);
        }
    }
}

/// Names that must differ within their namespace, once truncated.
fn names(schema: &Schema, out: &mut Vec<Problem>) {
    // Tables, views, sequences, indexes (and the indexes behind keys) and
    // composite types share one namespace per schema (pg_class, and pg_type
    // for the row types). The first of a name is kept; what a message says
    // is written only when two collide.
    let mut relations = HashMap::new();
    for t in schema.tables.values() {
        add(&mut relations, out, &t.name.schema, &t.name.name, Relation::Table(&t.name), &t.location);
    }
    for v in schema.views.values() {
        add(&mut relations, out, &v.name.schema, &v.name.name, Relation::View(&v.name), &v.location);
    }
    for s in schema.sequences.values() {
        add(&mut relations, out, &s.name.schema, &s.name.name, Relation::Sequence(&s.name), &s.location);
    }
    for t in schema.types.values().filter(|t| matches!(t.kind, UserTypeKind::Composite { .. })) {
        add(&mut relations, out, &t.name.schema, &t.name.name, Relation::Type(&t.name), &t.location);
    }
    for t in schema.tables.values() {
        for i in t.indexes.values() {
            add(&mut relations, out, &t.name.schema, &i.name, Relation::Index(&i.name), &i.location);
        }
        for c in t.constraints.values().filter(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. } | ConstraintKind::Exclude { .. })) {
            add(&mut relations, out, &t.name.schema, &c.name, Relation::Key(&c.name), &c.location);
        }
        // Columns and constraints of one table: two different names can
        // only meet once cut when one of them is longer than that.
        let long = |n: &str| n.len() > MAX_IDENTIFIER_BYTES;
        if t.columns.iter().any(|c| long(&c.name)) {
            let mut columns: BTreeMap<&str, &str> = BTreeMap::new();
            for c in &t.columns {
                if let Some(first) = columns.insert(truncated(&c.name), &c.name).filter(|f| *f != c.name) {
                    out.push(problem(&c.location, collision(&format!("column {}", c.name), &format!("column {first}"), &c.name), None));
                }
            }
        }
        if t.constraints.values().any(|c| long(&c.name)) {
            let mut constraints: BTreeMap<&str, &str> = BTreeMap::new();
            for c in t.constraints.values() {
                if let Some(first) = constraints.insert(truncated(&c.name), &c.name).filter(|f| *f != c.name) {
                    out.push(problem(&c.location, collision(&format!("constraint {}", c.name), &format!("constraint {first}"), &c.name), None));
                }
            }
        }
    }
    for v in schema.views.values() {
        for i in v.indexes.values() {
            add(&mut relations, out, &v.name.schema, &i.name, Relation::Index(&i.name), &i.location);
        }
    }
}

fn collision(what: &str, first: &str, name: &str) -> String {
    if name.len() > MAX_IDENTIFIER_BYTES {
        format!("{what} has the same name as {first} once PostgreSQL cuts it to 63 bytes ({:?})", truncated(name))
    } else {
        format!("{what} has the same name as {first}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_whole_characters() {
        let long = "é".repeat(40); // 80 bytes
        assert_eq!(truncated(&long).len(), 62);
        assert_eq!(truncated("short"), "short");
        assert_eq!(truncated(&"a".repeat(70)).len(), 63);
    }
}
