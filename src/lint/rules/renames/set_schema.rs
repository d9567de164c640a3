//! SS204 set-schema.

use super::{compatibility_view, lock_on, old_name_kept};
use crate::diff::Change;
use crate::lint::{Class, Example, Hit, Rule};
use crate::model::quote_ident;

pub static RULE: Rule = Rule {
    code: "SS204",
    name: "set-schema",
    class: Class::Breaking,
    opt_in: false,
    summary: "A table or view moves to another schema.",
    why: "The rows stay, but the object's qualified name changes: queries that name it with its old schema fail, and so \
          do unqualified ones that found it through a `search_path` that does not include the new schema. Its indexes, \
          constraints and owned sequences move with it, and roles need `USAGE` on the new schema to reach it. The differ shows \
          the move as a rename whose schema part changes; this finding stands for it alone, also when the name changes \
          too (`rename-table` does not report it again). Not reported when the new schema keeps a view under the old name.",
    locks: "PostgreSQL: `ALTER TABLE … SET SCHEMA` takes an ACCESS EXCLUSIVE lock on the table, briefly (the catalog only; \
            no rows move), and waits for every open transaction that touched it.",
    instead: "Keep the old name answering while both versions of the code run: after the move, create a view under the \
              old name (`CREATE VIEW legacy.orders AS SELECT * FROM sales.orders;`), or put both schemas on the \
              application's `search_path`; deploy code that uses the new schema, then drop the view.",
    fires: &[Example::new(
        "CREATE SCHEMA legacy;\nCREATE SCHEMA sales;\nCREATE TABLE legacy.orders (id bigint PRIMARY KEY);",
        "CREATE SCHEMA legacy;\nCREATE SCHEMA sales;\n-- schemashift:renamed-from legacy.orders\nCREATE TABLE sales.orders (id bigint PRIMARY KEY);",
    )],
    passes: &[
        // Renamed within its schema: rename-table's finding.
        Example::new(
            "CREATE TABLE orders (id bigint PRIMARY KEY);",
            "-- schemashift:renamed-from orders\nCREATE TABLE purchases (id bigint PRIMARY KEY);",
        ),
        // Moved, with a view left under the old name.
        Example::new(
            "CREATE SCHEMA legacy;\nCREATE SCHEMA sales;\nCREATE TABLE legacy.orders (id bigint PRIMARY KEY);",
            "CREATE SCHEMA legacy;\nCREATE SCHEMA sales;\n-- schemashift:renamed-from legacy.orders\nCREATE TABLE sales.orders (id bigint PRIMARY KEY);\n\
             CREATE VIEW legacy.orders AS SELECT * FROM sales.orders;",
        ),
    ],
    check: |ctx| {
        ctx.changes()
            .filter_map(|c| {
                let (from, to, kind) = match c {
                    Change::RenameTable { from, to } => (from, to, if ctx.new.views.contains_key(to) { "view" } else { "table" }),
                    Change::RenameView { from, to } => (from, to, "view"),
                    _ => return None,
                };
                if from.schema == to.schema || old_name_kept(ctx, from) {
                    return None;
                }
                let schema = quote_ident(&to.schema);
                let renamed = if from.name == to.name { String::new() } else { " and is renamed".to_string() };
                let message = format!(
                    "{kind} {from} moves to schema {schema}{renamed}, as {to}: queries that name {from}, or find it through a \
                     search_path without {schema}, fail{}",
                    lock_on(ctx, from),
                );
                Some(Hit::new(to.to_string(), message, ctx.at(c)).help(compatibility_view(from, to)))
            })
            .collect()
    },
};
