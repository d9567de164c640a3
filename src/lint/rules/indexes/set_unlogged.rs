//! SS503 set-unlogged.

use super::{level, planned_on};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};
use crate::model::ConstraintKind;

pub static RULE: Rule = Rule {
    code: "SS503",
    name: "set-unlogged",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "An existing table is made UNLOGGED.",
    why: "An unlogged table is not written to the write-ahead log: after a crash or an unclean shutdown PostgreSQL empties \
          it, streaming replicas have no copy of its rows (queries on a standby are refused), backups taken from the WAL or \
          with pg_basebackup restore it empty, and it cannot be published for logical replication. Data that must survive \
          a restart does not belong there. Turning it into one also rewrites the whole table under a lock that stops every \
          read and write.",
    locks: "PostgreSQL: `ALTER TABLE … SET UNLOGGED` takes ACCESS EXCLUSIVE and rewrites the table (and its indexes) while \
            holding it. It fails while a permanent table has a foreign key to it.",
    instead: "Keep durable data in a logged table. For data that can be rebuilt (a cache, a staging area), create a new \
              `UNLOGGED` table, fill it, and switch the application to it, rather than converting a table in place.",
    fires: &[Example::new("CREATE TABLE cache (k text PRIMARY KEY, v text);", "CREATE UNLOGGED TABLE cache (k text PRIMARY KEY, v text);")],
    passes: &[
        Example::new("", "CREATE UNLOGGED TABLE cache (k text PRIMARY KEY, v text);"),
        // The other way: set-logged.
        Example::new("CREATE UNLOGGED TABLE cache (k text PRIMARY KEY, v text);", "CREATE TABLE cache (k text PRIMARY KEY, v text);"),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::SetLogged { table, unlogged: true } = change else { continue };
        if !ctx.existed(table) {
            continue;
        }
        let Some(step) = planned_on(ctx, &format!("set {table} unlogged"), table) else { continue };
        let mut message = format!(
            "{table} becomes UNLOGGED: emptied after a crash and not replicated; making it so rewrites it under {}",
            level(step, "ACCESS EXCLUSIVE")
        );
        let referencing: Vec<String> = ctx
            .new
            .tables
            .values()
            .filter(|t| !t.unlogged && t.constraints.values().any(|c| matches!(&c.kind, ConstraintKind::ForeignKey { references, .. } if references == table)))
            .map(|t| t.name.to_string())
            .collect();
        if !referencing.is_empty() {
            message.push_str(&format!("; PostgreSQL refuses it while {} (logged) references it", referencing.join(", ")));
        }
        hits.push(Hit::new(table.to_string(), message, ctx.at(change)));
    }
    hits
}
