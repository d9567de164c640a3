//! Creation order for objects that depend on others of their own kind.
//!
//! Every order here is the model's own (sorted) order, changed only as much
//! as dependencies require, so the output stays stable as a schema grows.

use crate::model::{DataType, QName, Schema, Table, UserType, UserTypeKind, View, quote_ident};

/// Enums, then composites, then domains; a type that uses another
/// (a composite attribute, a domain's base type) comes after it.
pub fn types(schema: &Schema) -> Vec<&UserType> {
    let rank = |t: &UserType| match t.kind {
        UserTypeKind::Enum { .. } => 0,
        UserTypeKind::Range { .. } => 1,
        UserTypeKind::Composite { .. } => 2,
        UserTypeKind::Domain { .. } => 3,
    };
    let mut all: Vec<&UserType> = schema.types.values().collect();
    all.sort_by_key(|t| rank(t));
    dependency_order(all, |a, b| type_uses(a, &b.name))
}

fn type_uses(user_type: &UserType, name: &QName) -> bool {
    match &user_type.kind {
        UserTypeKind::Enum { .. } => false,
        UserTypeKind::Composite { attributes } => attributes.iter().any(|a| names_type(&a.data_type, name)),
        UserTypeKind::Domain { base, .. } => names_type(base, name),
        UserTypeKind::Range { subtype, .. } => names_type(subtype, name),
    }
}

/// Whether a column type is the user type `name` (or an array of it). Types
/// in the default namespace may be written unqualified.
pub fn names_type(data_type: &DataType, name: &QName) -> bool {
    data_type.name == name.to_string() || (name.schema == "public" && data_type.name == quote_ident(&name.name))
}

/// Partitioned tables before their partitions, parents before the tables
/// that inherit from them.
pub fn tables(schema: &Schema) -> Vec<&Table> {
    dependency_order(schema.tables.values().collect(), |a, b| {
        a.partition_of.as_ref().is_some_and(|p| p.parent == b.name) || a.inherits.contains(&b.name)
    })
}

/// Views after the views their query mentions. Mention is by name, found by
/// a token scan of the query: a false match only moves a view later.
pub fn views(schema: &Schema) -> Vec<&View> {
    let mentioned: Vec<(QName, std::collections::BTreeSet<String>)> =
        schema.views.values().map(|v| (v.name.clone(), crate::dialect::postgres::identifiers::identifiers(&v.query))).collect();
    dependency_order(schema.views.values().collect(), |a, b| {
        a.name != b.name && mentioned.iter().any(|(n, ids)| *n == a.name && ids.contains(&b.name.name))
    })
}


/// A stable topological order: repeatedly the first remaining item whose
/// dependencies are all placed. `depends(a, b)` says a must follow b. On a
/// cycle the first remaining item is placed anyway, so this always ends.
fn dependency_order<'a, T>(items: Vec<&'a T>, depends: impl Fn(&T, &T) -> bool) -> Vec<&'a T> {
    let mut remaining = items;
    let mut placed: Vec<&'a T> = Vec::with_capacity(remaining.len());
    while !remaining.is_empty() {
        let ready = remaining
            .iter()
            .position(|a| !remaining.iter().any(|b| !std::ptr::eq(*a, *b) && depends(a, b)))
            .unwrap_or(0);
        placed.push(remaining.remove(ready));
    }
    placed
}

/// Whether a function's arguments or result name a table or view row type.
pub fn uses_row_type(schema: &Schema, function: &crate::model::Function) -> bool {
    let relation_named = |text: &str| {
        schema.tables.keys().chain(schema.views.keys()).any(|name| {
            let t = DataType::parse(text.trim_start_matches("SETOF ")).map(|t| t.element());
            t.is_some_and(|t| names_type(&t, name))
        })
    };
    function.args.iter().any(|a| relation_named(&a.data_type.to_string()))
        || function.returns.as_deref().is_some_and(relation_named)
}

/// `RETURN …` or `BEGIN ATOMIC … END`: parsed and resolved when created.
pub fn has_sql_standard_body(function: &crate::model::Function) -> bool {
    let upper = function.body.trim_start().to_ascii_uppercase();
    upper.starts_with("RETURN ") || upper.starts_with("BEGIN ATOMIC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_of_a_query() {
        let ids = crate::dialect::postgres::identifiers::identifiers("SELECT a.\"Id\", 'active_users' FROM public.active_users a");
        assert!(ids.contains("Id"));
        assert!(ids.contains("active_users"));
        assert!(ids.contains("public"));
        assert!(!ids.contains("id"));
        let ids = crate::dialect::postgres::identifiers::identifiers("SELECT 1 WHERE x = 'it''s'");
        assert!(!ids.contains("s"));
    }

    #[test]
    fn stable_topological_order() {
        let items = [3, 1, 2];
        // 3 depends on 2: 1 and 2 keep their relative order, 3 moves after 2.
        let ordered = dependency_order(items.iter().collect(), |a, b| *a == 3 && *b == 2);
        assert_eq!(ordered, vec![&1, &2, &3]);
        // A cycle still terminates.
        let ordered = dependency_order(items.iter().collect(), |a, b| a != b);
        assert_eq!(ordered.len(), 3);
    }
}

/// Where an opaque statement goes among the modelled objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OpaquePlace {
    /// Before types, functions and tables: collations, conversions and text
    /// search objects, which columns, indexes and defaults may use.
    Early,
    /// After functions, before tables: operators, operator classes and
    /// families, aggregates, casts, access methods, foreign data wrappers,
    /// servers, user mappings and foreign tables, which use functions and
    /// which indexes and columns may use.
    AfterFunctions,
    /// After everything: event triggers (which would fire on the DDL that
    /// follows them, so pg_dump writes them last too), privileges and
    /// statements schemashift does not recognise.
    Last,
}

/// Kinds in the order they may depend on one another.
const OPAQUE_ORDER: &[&str] = &[
    "COLLATION",
    "CONVERSION",
    "TEXT SEARCH PARSER",
    "TEXT SEARCH TEMPLATE",
    "TEXT SEARCH DICTIONARY",
    "TEXT SEARCH CONFIGURATION",
    "LANGUAGE",
    "ACCESS METHOD",
    "FOREIGN DATA WRAPPER",
    "SERVER",
    "USER MAPPING",
    "FOREIGN TABLE",
    "OPERATOR FAMILY",
    "OPERATOR",
    "OPERATOR CLASS",
    "AGGREGATE",
    "CAST",
    "TRANSFORM",
    "EVENT TRIGGER",
    "SUBSCRIPTION",
];

/// An opaque statement's place, and its rank there: kinds in dependency
/// order, and of one kind the CREATE before the ALTERs before the COMMENT.
pub fn opaque_place(statement: &crate::model::Opaque) -> (OpaquePlace, usize) {
    let (verb, kind) = match statement.kind.split_once(' ') {
        Some(("COMMENT", rest)) => (2, rest.strip_prefix("ON ").unwrap_or(rest)),
        Some(("ALTER", rest)) => (1, rest),
        Some(("CREATE", rest)) => (0, rest),
        _ => return (OpaquePlace::Last, usize::MAX),
    };
    let Some(i) = OPAQUE_ORDER.iter().position(|k| *k == kind) else { return (OpaquePlace::Last, usize::MAX) };
    let place = match kind {
        "COLLATION" | "CONVERSION" => OpaquePlace::Early,
        k if k.starts_with("TEXT SEARCH") => OpaquePlace::Early,
        "EVENT TRIGGER" | "SUBSCRIPTION" => OpaquePlace::Last,
        _ => OpaquePlace::AfterFunctions,
    };
    (place, i * 3 + verb)
}
