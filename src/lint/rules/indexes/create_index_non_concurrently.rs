//! SS501 create-index-non-concurrently.

use super::{level, partitions, planned_on};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};
use crate::model::quote_ident;

pub static RULE: Rule = Rule {
    code: "SS501",
    name: "create-index-non-concurrently",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "An index is built on an existing table without CONCURRENTLY.",
    why: "The build reads the whole table and sorts it while every insert, update and delete of the table waits: on a large \
          table the application's writes queue up for minutes and time out, and reads that queue behind a waiting write \
          stall too.",
    locks: "PostgreSQL: `CREATE INDEX` takes SHARE on the table for the whole build (reads go on, writes wait). `CREATE INDEX \
            CONCURRENTLY` takes SHARE UPDATE EXCLUSIVE, which lets writes go on; it scans the table twice, waits for the \
            transactions already running, cannot run inside a transaction block, and leaves an INVALID index behind if it \
            fails. A partitioned table's index cannot be built `CONCURRENTLY` in one statement. \
            MySQL/InnoDB: `CREATE INDEX` is built in place and lets writes go on.",
    instead: "Build it with `CREATE INDEX CONCURRENTLY`, outside a transaction block (`schemashift generate --concurrently` \
              or `--online` writes the migration so). On a partitioned table: create the index `ON ONLY` the parent (it stays invalid), \
              build it `CONCURRENTLY` on each partition, and `ALTER INDEX … ATTACH PARTITION` each one; the parent's index is \
              valid once every partition's is attached.",
    fires: &[Example::new(
        "CREATE TABLE t (id bigint PRIMARY KEY, email text);",
        "CREATE TABLE t (id bigint PRIMARY KEY, email text); CREATE INDEX t_email ON t (email);",
    )],
    passes: &[
        // A table created by the same migration holds no rows and blocks no one.
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, email text); CREATE INDEX t_email ON t (email);"),
        // Only renamed: nothing is built.
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
        let Change::CreateIndex { table, index } = change else { continue };
        if !ctx.existed(table) {
            continue;
        }
        let Some(step) = planned_on(ctx, &format!("create index {}", index.name), table) else { continue };
        // Already built concurrently: nothing to say.
        if step.facts.outside_transaction.is_some() {
            continue;
        }
        let message = format!(
            "building index {} on {table} holds {} on the table for the whole build: inserts, updates and deletes wait until it is done",
            index.name,
            level(step, "SHARE")
        );
        let (parts, _) = partitions(ctx, table);
        let partitioned = ctx.new_table(table).is_some_and(|t| t.partition_by.is_some());
        let help = if partitioned {
            let parts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
            format!(
                "{table} is partitioned, and CONCURRENTLY is refused there: create the index ON ONLY {table} (catalog only; it stays invalid), \
                 build the same index CONCURRENTLY on each partition ({}), and `ALTER INDEX {} ATTACH PARTITION …` each one",
                if parts.is_empty() { "none yet".to_string() } else { parts.join(", ") },
                crate::model::QName::new(table.schema.clone(), index.name.clone())
            )
        } else if let Some(online) = &step.facts.online {
            format!(
                "build it {}, outside a transaction block: it takes {} instead, so writes go on (if it fails, drop the INVALID index it leaves):\n  {}\n\
                 `schemashift generate --concurrently` writes it so",
                online.form, online.lock, online.sql
            )
        } else {
            format!("build {} with CREATE INDEX CONCURRENTLY, outside a transaction block", quote_ident(&index.name))
        };
        hits.push(Hit::new(format!("{}.{}", table.schema, index.name), message, ctx.at(change)).help(help));
    }
    hits
}
