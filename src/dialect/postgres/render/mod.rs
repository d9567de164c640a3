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
pub mod properties;
mod table;

pub use objects::{
    comment_on_sql, create_extension_sql, create_function_sql, create_index_sql, create_schema_sql,
    create_sequence_sql, create_trigger_sql, create_type_sql, create_view_sql, function_comment_target, rename_sql,
    sequence_options_sql, sequence_owned_by_sql,
};
pub use table::{
    add_constraint_sql, column_definition_sql, constraint_sql, create_table_sql, inherited_column_fixes, inline_constraints,
    partition_own_constraints, added_after_tables, default_sql,
};

use crate::model::{Opaque, QName, Schema, Table, quote_ident};
use order::OpaquePlace;
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
        opaque_sql(schema, OpaquePlace::Early),
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
    sections.push(opaque_sql(schema, OpaquePlace::AfterFunctions));

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
    // Column properties, `ONLY` so that a partitioned table's do not reach
    // its partitions, which carry their own.
    sections.push(
        tables.iter().flat_map(|t| t.columns.iter().flat_map(|c| properties::column_properties_sql(&t.name, c))).collect(),
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
    // A trigger fires in `origin` mode unless told otherwise.
    for t in &tables {
        for trigger in t.triggers.values().filter(|tr| !tr.enabled.is_default()) {
            if parent(schema, t).is_some_and(|p| p.triggers.get(&trigger.name) == Some(trigger)) {
                continue;
            }
            triggers.push(properties::enabled_sql(&t.name, "TRIGGER", &trigger.name, trigger.enabled));
        }
    }
    for v in schema.views.values() {
        for trigger in v.triggers.values().filter(|tr| !tr.enabled.is_default()) {
            triggers.push(properties::enabled_sql(&v.name, "TRIGGER", &trigger.name, trigger.enabled));
        }
    }
    sections.push(triggers);
    // Replica identity and clustering name indexes; row-level security
    // comes with the policies after it.
    sections.push(tables.iter().flat_map(|t| properties::table_properties_sql(t)).collect());
    sections.push(
        tables.iter().flat_map(|t| t.policies.values().map(|p| properties::create_policy_sql(&t.name, p))).collect(),
    );
    // Rules may name any table or view in their commands.
    let mut rules = Vec::new();
    let relations = tables.iter().map(|t| (&t.name, &t.rules)).chain(order::views(schema).into_iter().map(|v| (&v.name, &v.rules)));
    for (name, relation_rules) in relations {
        for rule in relation_rules.values() {
            rules.push(properties::create_rule_sql(name, rule));
            if !rule.enabled.is_default() {
                rules.push(properties::enabled_sql(name, "RULE", &rule.name, rule.enabled));
            }
        }
    }
    sections.push(rules);
    let mut statistics = Vec::new();
    for s in schema.statistics.values() {
        statistics.push(properties::create_statistics_sql(s));
        if s.target.is_some() {
            statistics.push(properties::statistics_target_sql(s));
        }
    }
    sections.push(statistics);
    sections.push(schema.publications.values().map(properties::create_publication_sql).collect());
    sections.push(comments(schema));
    sections.push(opaque_sql(schema, OpaquePlace::Last));

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

/// The opaque statements of one place, in dependency order (stable otherwise).
fn opaque_sql(schema: &Schema, place: OpaquePlace) -> Vec<String> {
    let mut here: Vec<(usize, &Opaque)> =
        schema.opaque.iter().map(|o| (order::opaque_place(o), o)).filter(|((p, _), _)| *p == place).map(|((_, rank), o)| (rank, o)).collect();
    here.sort_by_key(|(rank, _)| *rank);
    here.into_iter()
        .map(|(_, o)| {
            let text = o.text.trim_end();
            let semicolon = if text.ends_with(';') { "" } else { ";" };
            format!("-- opaque: {}\n{text}{semicolon}", o.kind)
        })
        .collect()
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
        if let crate::model::UserTypeKind::Domain { check_comments, .. } = &t.kind {
            for (c, text) in check_comments {
                comment(properties::domain_constraint_comment_target(&t.name, c), &Some(text.clone()));
            }
        }
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
        for p in t.policies.values() {
            comment(properties::policy_comment_target(&t.name, &p.name), &p.comment);
        }
        for r in t.rules.values() {
            comment(properties::rule_comment_target(&t.name, &r.name), &r.comment);
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
        for r in v.rules.values() {
            comment(properties::rule_comment_target(&v.name, &r.name), &r.comment);
        }
    }
    for s in schema.statistics.values() {
        comment(properties::statistics_comment_target(&s.name), &s.comment);
    }
    for p in schema.publications.values() {
        comment(properties::publication_comment_target(&p.name), &p.comment);
    }
    out
}
