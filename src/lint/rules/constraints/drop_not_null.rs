//! SS402 drop-not-null.

use super::planned;
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS402",
    name: "drop-not-null",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A column that was NOT NULL may now hold NULL.",
    why: "Nothing fails when the migration runs, but code that reads the column was written knowing it always holds a value: \
          once a row is written with NULL, that code gets a NULL it does not expect (a crash on a non-optional field, a \
          wrong sum, a comparison that silently drops the row). Rolling back is no longer simple either: making the column \
          NOT NULL again fails once NULLs are there.",
    locks: "PostgreSQL: `ALTER TABLE … ALTER COLUMN … DROP NOT NULL` takes ACCESS EXCLUSIVE briefly; the catalog only, \
            no scan. A column of the primary key cannot lose NOT NULL while the key exists.",
    instead: "Release the readers first: make every reader of the column handle NULL, deploy that, and only then drop NOT NULL. \
              If the column only needs to be optional for writers, a DEFAULT keeps it filled instead.",
    fires: &[Example::new("CREATE TABLE t (id bigint PRIMARY KEY, email text NOT NULL);", "CREATE TABLE t (id bigint PRIMARY KEY, email text);")],
    passes: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, email text);", "CREATE TABLE t (id bigint PRIMARY KEY, email text NOT NULL);"),
        // Only the default changes: the column stays NOT NULL.
        Example::new(
            "CREATE TABLE t (id bigint PRIMARY KEY, email text NOT NULL);",
            "CREATE TABLE t (id bigint PRIMARY KEY, email text NOT NULL DEFAULT '');",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    ctx.changes()
        .filter_map(|change| {
            let Change::AlterColumn { table, from, to } = change else { return None };
            if from.nullable || !to.nullable || !ctx.existed(table) {
                return None;
            }
            // The planner's own step: none for a column whose parent's change reaches it.
            planned(ctx, &format!("drop not null of {table}.{}", to.name))?;
            let object = format!("{table}.{}", to.name);
            Some(Hit::new(
                object.clone(),
                format!("{object} ({}) may now hold NULL: code that reads it may not expect one", to.data_type),
                ctx.at(change),
            ))
        })
        .collect()
}
