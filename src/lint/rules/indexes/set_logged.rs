//! SS504 set-logged.

use super::{level, planned_on};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS504",
    name: "set-logged",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "An existing UNLOGGED table is made logged.",
    why: "The whole table is written again, and all of it goes through the write-ahead log at once, while a lock stops every \
          read and write of the table: on a large table the application's queries queue up and time out, and the burst of \
          WAL makes replicas fall behind and can fill the disk that holds it.",
    locks: "PostgreSQL: `ALTER TABLE … SET LOGGED` takes ACCESS EXCLUSIVE and rewrites the table and its indexes into the WAL \
            while holding it. It fails while the table has a foreign key to an unlogged table.",
    instead: "For a large table, create a new logged table, copy the rows over in batches, and switch the application to it \
              (rename both in one short transaction). For a small one, run it when the table is quiet, with a short \
              `lock_timeout` so that it gives up rather than queue every query behind it.",
    fires: &[Example::new("CREATE UNLOGGED TABLE events (id bigint PRIMARY KEY, body text);", "CREATE TABLE events (id bigint PRIMARY KEY, body text);")],
    passes: &[
        Example::new("", "CREATE TABLE events (id bigint PRIMARY KEY, body text);"),
        // The other way: set-unlogged.
        Example::new("CREATE TABLE events (id bigint PRIMARY KEY, body text);", "CREATE UNLOGGED TABLE events (id bigint PRIMARY KEY, body text);"),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::SetLogged { table, unlogged: false } = change else { continue };
        if !ctx.existed(table) {
            continue;
        }
        let Some(step) = planned_on(ctx, &format!("set {table} logged"), table) else { continue };
        let message = format!(
            "making {table} logged rewrites it, and writes all of it to the WAL, under {} (no reads or writes meanwhile)",
            level(step, "ACCESS EXCLUSIVE")
        );
        hits.push(Hit::new(table.to_string(), message, ctx.at(change)));
    }
    hits
}
