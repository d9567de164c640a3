//! SS202 rename-column.

use crate::diff::Change;
use crate::lint::rules::support::per_change;
use crate::lint::{Class, Example, Rule};
use crate::model::quote_ident;

pub static RULE: Rule = Rule {
    code: "SS202",
    name: "rename-column",
    class: Class::Breaking,
    opt_in: false,
    summary: "A column is renamed.",
    why: "The values stay, but every query of the running application that names the column by its old name fails \
          from the moment the rename commits until the new code is deployed (`SELECT *` readers see the new key \
          instead, which breaks code mapping rows by column name). Indexes, constraints and views follow the rename \
          by themselves (a view keeps its own output column name); function bodies, triggers' code and code outside \
          the database do not.",
    locks: "PostgreSQL: `ALTER TABLE … RENAME COLUMN` takes an ACCESS EXCLUSIVE lock on the table, briefly: only the \
            catalog changes, but it waits for every open transaction that touched the table.",
    instead: "Expand, then contract: add the new column (`ALTER TABLE users ADD COLUMN full_name text;`), have the code \
              write both (or a trigger copy one into the other), copy the existing values over in batches \
              (`UPDATE users SET full_name = name WHERE id BETWEEN … AND …;`), move the readers to the new column, and \
              drop the old one in a later migration. For a short transition, a view over the table that exposes both \
              names can stand in for it.",
    fires: &[Example::new(
        "CREATE TABLE users (id bigint PRIMARY KEY, name text);",
        "CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  -- schemashift:renamed-from name\n  full_name text\n);",
    )],
    passes: &[
        // Only the table is renamed: rename-table's finding.
        Example::new(
            "CREATE TABLE users (id bigint PRIMARY KEY, name text);",
            "-- schemashift:renamed-from users\nCREATE TABLE people (id bigint PRIMARY KEY, name text);",
        ),
        // A new column beside the old one: expand, nothing renamed yet.
        Example::new(
            "CREATE TABLE users (id bigint PRIMARY KEY, name text);",
            "CREATE TABLE users (id bigint PRIMARY KEY, name text, full_name text);",
        ),
    ],
    check: |ctx| {
        per_change(ctx, |c| match c {
            Change::RenameColumn { table, from, to } => Some((
                format!("{table}.{}", quote_ident(to)),
                format!(
                    "column {table}.{} is renamed to {}: queries that use the old name fail until the code that uses the new one is deployed",
                    quote_ident(from),
                    quote_ident(to),
                ),
            )),
            _ => None,
        })
    },
};
