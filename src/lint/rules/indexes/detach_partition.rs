//! SS506 detach-partition.

use super::{level, partitions, planned_on};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS506",
    name: "detach-partition",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A partition is detached from its partitioned table, which stays.",
    why: "The partition's rows no longer appear in queries on the partitioned table, and writes there for values in its \
          bound fail (no partition accepts them) or land in the default partition. Without `CONCURRENTLY` the detach also \
          waits for every query on the partitioned table and blocks every query that comes after it, until it is done.",
    locks: "PostgreSQL: `ALTER TABLE … DETACH PARTITION` takes ACCESS EXCLUSIVE on the partitioned table and the partition, \
            briefly (catalog only). `DETACH PARTITION … CONCURRENTLY` (PostgreSQL 14 and later) takes SHARE UPDATE EXCLUSIVE \
            on the partitioned table instead; it cannot run in a transaction block, nor when the table has a default \
            partition.",
    instead: "Stop the application reading and writing the partition's range through the partitioned table first. Then, on \
              PostgreSQL 14 or later, `ALTER TABLE parent DETACH PARTITION part CONCURRENTLY` outside a transaction block; \
              otherwise run the detach when the table is quiet, with a short `lock_timeout`.",
    fires: &[Example::new(
        "CREATE TABLE m (id bigint, at date) PARTITION BY RANGE (at);\n\
         CREATE TABLE m2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
        "CREATE TABLE m (id bigint, at date) PARTITION BY RANGE (at); CREATE TABLE m2024 (id bigint, at date);",
    )],
    passes: &[
        // The partition is dropped with its rows: drop-table's finding.
        Example::new(
            "CREATE TABLE m (id bigint, at date) PARTITION BY RANGE (at);\n\
             CREATE TABLE m2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
            "CREATE TABLE m (id bigint, at date) PARTITION BY RANGE (at);",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::DetachPartition { table, parent, bound } = change else { continue };
        if !ctx.existed(table) || !ctx.existed(parent) {
            continue;
        }
        let Some(step) = planned_on(ctx, &format!("detach partition {table} from {parent}"), parent) else { continue };
        let message = format!(
            "detaching {table} ({bound}) from {parent} takes {} on {parent}: its rows leave the partitioned table's queries, \
             and every query on {parent} waits for the detach",
            level(step, "ACCESS EXCLUSIVE")
        );
        let (_, default) = partitions(ctx, parent);
        let help = match (ctx.server_version(), default) {
            (Some(v), _) if v < 14 => format!(
                "PostgreSQL {v} has no concurrent detach: run it when {parent} is quiet, with a short `lock_timeout`, once the application no longer uses the range"
            ),
            (_, Some(d)) => format!(
                "{parent} has a default partition ({d}), so DETACH … CONCURRENTLY is refused: run the detach when {parent} is quiet, with a short `lock_timeout`"
            ),
            _ => format!(
                "once the application no longer uses the range, detach it without blocking queries, outside a transaction block:\n  \
                 ALTER TABLE {parent} DETACH PARTITION {table} CONCURRENTLY;"
            ),
        };
        hits.push(Hit::new(table.to_string(), message, ctx.at(change)).help(help));
    }
    hits
}
