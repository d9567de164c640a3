//! SS502 drop-index-non-concurrently.

use super::{level, planned_on};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS502",
    name: "drop-index-non-concurrently",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "An index of a table that stays is dropped without CONCURRENTLY.",
    why: "Dropping the index needs the table to itself: the statement waits for every running query on the table, and \
          every query that arrives after it (reads included) waits behind it. A long report running on the table turns the \
          quick drop into an outage. Queries that used the index may also get much slower once it is gone.",
    locks: "PostgreSQL: `DROP INDEX` takes ACCESS EXCLUSIVE on the index's table (briefly, once it has it). `DROP INDEX \
            CONCURRENTLY` waits for the queries using the index without blocking new ones; it cannot run inside a \
            transaction block, and cannot drop the index of a partitioned table or one that backs a constraint. \
            MySQL/InnoDB: `DROP INDEX` is done in place, changing only metadata.",
    instead: "Drop it with `DROP INDEX CONCURRENTLY`, outside a transaction block (`schemashift generate --concurrently` \
              or `--online` writes the migration so). To change an index's definition, build the new one `CONCURRENTLY` under another name \
              first, then drop the old one `CONCURRENTLY`, then rename the new one.",
    fires: &[Example::new(
        "CREATE TABLE t (id bigint PRIMARY KEY, email text); CREATE INDEX t_email ON t (email);",
        "CREATE TABLE t (id bigint PRIMARY KEY, email text);",
    )],
    passes: &[
        // The table goes, and its indexes with it: drop-table's finding.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, email text); CREATE INDEX t_email ON t (email);", ""),
        // Renamed, not dropped.
        Example::new(
            "CREATE TABLE t (id bigint PRIMARY KEY, email text); CREATE INDEX t_email ON t (email);",
            "CREATE TABLE t (id bigint PRIMARY KEY, email text); CREATE INDEX t_email_idx ON t (email);",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::DropIndex { table, index } = change else { continue };
        if !ctx.existed(table) {
            continue;
        }
        let Some(step) = planned_on(ctx, &format!("drop index {}", index.name), table) else { continue };
        if step.facts.outside_transaction.is_some() {
            continue;
        }
        let rebuilt = ctx.changes().any(|c| matches!(c, Change::CreateIndex { table: t, index: i } if t == table && i.name == index.name));
        let mut message = format!(
            "dropping index {} takes {} on {table}: it waits for every running query on the table, and every query after it waits too",
            index.name,
            level(step, "ACCESS EXCLUSIVE")
        );
        if rebuilt {
            message.push_str(", before the index is built again with its new definition");
        }
        // (A migration never changes a table's partitioning.)
        let partitioned = ctx.new_table(table).is_some_and(|t| t.partition_by.is_some());
        let help = if partitioned {
            format!(
                "{table} is partitioned, and DROP INDEX CONCURRENTLY is refused there: run the drop when the table is quiet, \
                 with a short `lock_timeout` so that it gives up rather than queue every query behind it"
            )
        } else if rebuilt {
            format!(
                "build the new definition CONCURRENTLY under another name, drop the old index CONCURRENTLY, then rename the new one \
                 (ALTER INDEX … RENAME TO {}); with schemashift, declare the new index under a new name in one commit and drop the old \
                 one in the next",
                crate::model::quote_ident(&index.name)
            )
        } else if let Some(online) = &step.facts.online {
            format!(
                "drop it {}, outside a transaction block: it does not block the table's other queries:\n  {}\n\
                 `schemashift generate --concurrently` writes it so",
                online.form, online.sql
            )
        } else {
            "drop it with DROP INDEX CONCURRENTLY, outside a transaction block".to_string()
        };
        hits.push(Hit::new(format!("{}.{}", table.schema, index.name), message, ctx.at(change)).help(help));
    }
    hits
}
