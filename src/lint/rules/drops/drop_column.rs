//! SS102 drop-column.

use crate::diff::Change;
use crate::lint::rules::support::per_change;
use crate::lint::{Class, Example, Rule};

pub static RULE: Rule = Rule {
    code: "SS102",
    name: "drop-column",
    class: Class::Breaking,
    opt_in: false,
    summary: "A column is dropped from a table.",
    why: "The column's values are deleted, and the running application's queries that name the column fail \
          (including `INSERT`s that list it). The down migration adds the column back, empty or with its default.",
    locks: "PostgreSQL: `ALTER TABLE … DROP COLUMN` takes an ACCESS EXCLUSIVE lock, briefly: the column is only marked dropped, \
            its space is reclaimed by later updates or a rewrite. Indexes and constraints that use the column are dropped with it.",
    instead: "Stop reading and writing the column in the application and deploy that first (Rails: `ignored_columns`); \
              copy the values aside if they may be needed again; then drop the column in a later migration.",
    fires: &[Example::new("CREATE TABLE t (id bigint PRIMARY KEY, email text);", "CREATE TABLE t (id bigint PRIMARY KEY);")],
    passes: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY);", "CREATE TABLE t (id bigint PRIMARY KEY, email text);"),
        // The table goes as a whole: that is drop-table's finding, not one per column.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, email text);", ""),
    ],
    check: |ctx| {
        per_change(ctx, |c| match c {
            Change::DropColumn { table, column } => Some((
                format!("{table}.{}", column.name),
                format!("column {}.{} ({}) is dropped with its data", table, column.name, column.data_type),
            )),
            _ => None,
        })
    },
};
