//! A model as a normalized PostgreSQL schema script: one statement per object,
//! in an order that loads into an empty PostgreSQL 15 database and gives the
//! catalog the model describes.
//!
//! The order, and why:
//! 1. `SET check_function_bodies = false`: function bodies may mention
//!    tables that are created later (pg_dump does the same).
//! 2. schemas, extensions, types (dependencies between types first),
//!    sequences, functions and procedures: everything a table can refer to.
//! 3. tables without foreign keys, partitioned parents before partitions and
//!    parents before the tables inheriting from them (each followed by the
//!    defaults and NOT NULL it does not take from its parents); then
//!    `OWNED BY` of sequences, now that their columns exist.
//! 4. views and materialized views, each after the views it mentions.
//! 5. indexes, then foreign keys (last, so that cycles between tables work),
//!    triggers and comments.
//! 6. statements the reader could not model, verbatim.
//!
//! The per-object functions are public so that the migration planner can
//! build its statements from the same pieces.

mod objects;
pub mod order;
mod table;

pub use objects::{
    comment_on_sql, create_extension_sql, create_function_sql, create_index_sql, create_schema_sql,
    create_sequence_sql, create_trigger_sql, create_type_sql, create_view_sql, function_comment_target,
    sequence_options_sql, sequence_owned_by_sql,
};
pub use table::{
    add_constraint_sql, column_definition_sql, constraint_sql, create_table_sql, inherited_column_fixes, inline_constraints,
    partition_own_constraints, added_after_tables, default_sql,
};

use crate::model::{QName, Schema, Table, quote_ident};
use std::collections::BTreeSet;

/// Comma-separated quoted identifiers.
pub(crate) fn list(names: &[String]) -> String {
    names.iter().map(|n| quote_ident(n)).collect::<Vec<_>>().join(", ")
}

/// The whole schema as SQL; the same model always gives the same text.
pub fn render_schema(schema: &Schema) -> String {
    let mut sections: Vec<Vec<String>> = vec![
        vec!["SET check_function_bodies = false;".into()],
        schema.schemas.values().filter(|n| n.name != schema.dialect.default_schema()).map(create_schema_sql).collect(),
        schema.extensions.values().map(create_extension_sql).collect(),
        order::types(schema).into_iter().map(create_type_sql).collect(),
    ];

    // Identity sequences are created by their column, never on their own.
    let identity_sequences: BTreeSet<&QName> = schema
        .tables
        .values()
        .flat_map(|t| &t.columns)
        .filter_map(|c| c.identity.as_ref()?.sequence.as_ref())
        .collect();
    let sequences: Vec<_> = schema.sequences.values().filter(|s| !identity_sequences.contains(&s.name)).collect();
    sections.push(sequences.iter().map(|s| create_sequence_sql(s)).collect());
    // A function whose signature uses a table's row type needs the table, and
    // so does a SQL-standard body (checked at creation whatever
    // check_function_bodies says); any other function goes first, because
    // defaults and CHECKs may call it.
    let (row_typed, plain): (Vec<_>, Vec<_>) =
        schema.functions.values().partition(|f| order::uses_row_type(schema, f) || order::has_sql_standard_body(f));
    sections.push(plain.into_iter().map(create_function_sql).collect());

    let tables = order::tables(schema);
    // A table that inherits is followed by the defaults and NOT NULL of its
    // inherited columns that are not its parents' (before its own children
    // copy them).
    sections.push(
        tables
            .iter()
            .flat_map(|t| {
                let parents = parents(schema, t);
                std::iter::once(create_table_sql(t, &parents)).chain(inherited_column_fixes(t, &parents))
            })
            .collect(),
    );
    sections.push(row_typed.into_iter().map(create_function_sql).collect());
    // A partition's own constraints (those not cloned from its parent).
    sections.push(
        tables
            .iter()
            .filter_map(|t| Some((t, parent(schema, t)?)))
            .flat_map(|(t, p)| {
                partition_own_constraints(t, p)
                    .into_iter()
                    .filter(|c| !added_after_tables(c))
                    .map(|c| add_constraint_sql(&t.name, c))
            })
            .collect(),
    );
    sections.push(sequences.iter().filter_map(|s| sequence_owned_by_sql(s)).collect());

    sections.push(order::views(schema).into_iter().map(create_view_sql).collect());

    let mut indexes = Vec::new();
    for t in &tables {
        let parent = parent(schema, t);
        for index in t.indexes.values() {
            // Indexes of a partitioned table are created on its partitions
            // by PostgreSQL itself.
            if parent.is_some_and(|p| p.indexes.values().any(|pi| same_index(pi, index))) {
                continue;
            }
            indexes.push(create_index_sql(&t.name, index));
        }
    }
    for v in schema.views.values() {
        indexes.extend(v.indexes.values().map(|i| create_index_sql(&v.name, i)));
    }
    sections.push(indexes);

    let mut foreign_keys = Vec::new();
    for t in &tables {
        let own = match parent(schema, t) {
            Some(p) => partition_own_constraints(t, p),
            // A CHECK a child only inherits comes with its parent's.
            None => t.constraints.values().filter(|c| c.local).collect(),
        };
        foreign_keys
            .extend(own.into_iter().filter(|c| added_after_tables(c)).map(|c| add_constraint_sql(&t.name, c)));
    }
    sections.push(foreign_keys);

    let mut triggers = Vec::new();
    for t in &tables {
        let parent = parent(schema, t);
        for trigger in t.triggers.values() {
            // Row triggers of a partitioned table are cloned onto its
            // partitions under the same name.
            if parent.is_some_and(|p| p.triggers.get(&trigger.name) == Some(trigger)) {
                continue;
            }
            triggers.push(create_trigger_sql(&t.name, trigger));
        }
    }
    for v in schema.views.values() {
        triggers.extend(v.triggers.values().map(|trigger| create_trigger_sql(&v.name, trigger)));
    }
    sections.push(triggers);
    sections.push(comments(schema));

    sections.push(
        schema
            .opaque
            .iter()
            .map(|o| {
                let text = o.text.trim_end();
                let semicolon = if text.ends_with(';') { "" } else { ";" };
                format!("-- opaque: {}\n{text}{semicolon}", o.kind)
            })
            .collect(),
    );

    let mut out = String::new();
    for section in sections.into_iter().filter(|s| !s.is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        for statement in section {
            out.push_str(&statement);
            out.push('\n');
        }
    }
    out
}

/// The tables `table` inherits from, in order.
pub fn parents<'a>(schema: &'a Schema, table: &Table) -> Vec<&'a Table> {
    table.inherits.iter().filter_map(|p| schema.tables.get(p)).collect()
}

fn parent<'a>(schema: &'a Schema, table: &Table) -> Option<&'a Table> {
    schema.tables.get(&table.partition_of.as_ref()?.parent)
}

/// Two indexes that differ only by name: PostgreSQL's copy of a partitioned
/// table's index on a partition gets a generated name.
pub fn same_index(a: &crate::model::Index, b: &crate::model::Index) -> bool {
    a.unique == b.unique
        && a.method == b.method
        && a.keys == b.keys
        && a.include == b.include
        && a.nulls_not_distinct == b.nulls_not_distinct
        && a.predicate == b.predicate
        && a.with == b.with
}

/// Every COMMENT ON, in the order of the objects above.
fn comments(schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let mut comment = |target: String, text: &Option<String>| {
        if let Some(text) = text {
            out.push(comment_on_sql(&target, Some(text)));
        }
    };
    for n in schema.schemas.values() {
        comment(format!("SCHEMA {}", quote_ident(&n.name)), &n.comment);
    }
    for t in schema.types.values() {
        let kind = if matches!(t.kind, crate::model::UserTypeKind::Domain { .. }) { "DOMAIN" } else { "TYPE" };
        comment(format!("{kind} {}", t.name), &t.comment);
    }
    for s in schema.sequences.values() {
        comment(format!("SEQUENCE {}", s.name), &s.comment);
    }
    for f in schema.functions.values() {
        comment(function_comment_target(f), &f.comment);
    }
    for t in schema.tables.values() {
        comment(format!("TABLE {}", t.name), &t.comment);
        for c in &t.columns {
            comment(format!("COLUMN {}.{}", t.name, quote_ident(&c.name)), &c.comment);
        }
        for c in t.constraints.values() {
            comment(format!("CONSTRAINT {} ON {}", quote_ident(&c.name), t.name), &c.comment);
        }
        for i in t.indexes.values() {
            comment(format!("INDEX {}", QName::new(t.name.schema.clone(), i.name.clone())), &i.comment);
        }
        for tr in t.triggers.values() {
            comment(format!("TRIGGER {} ON {}", quote_ident(&tr.name), t.name), &tr.comment);
        }
    }
    for v in schema.views.values() {
        let kind = if v.materialized { "MATERIALIZED VIEW" } else { "VIEW" };
        comment(format!("{kind} {}", v.name), &v.comment);
        for i in v.indexes.values() {
            comment(format!("INDEX {}", QName::new(v.name.schema.clone(), i.name.clone())), &i.comment);
        }
        for tr in v.triggers.values() {
            comment(format!("TRIGGER {} ON {}", quote_ident(&tr.name), v.name), &tr.comment);
        }
    }
    out
}
