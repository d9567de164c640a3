//! SS505 attach-partition.

use super::{level, partitions, planned_on};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS505",
    name: "attach-partition",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "An existing table is attached as a partition, and scanned to check its rows fit the bound.",
    why: "PostgreSQL reads every row of the table to make sure it belongs within the partition's bound, while no one can \
          read or write that table; if the partitioned table has a default partition, that one is scanned too, under the \
          same lock, for rows that now belong in the new partition. One row outside the bound makes the migration fail. \
          Once attached, the table's rows appear in every query on the partitioned table.",
    locks: "PostgreSQL: `ALTER TABLE … ATTACH PARTITION` takes SHARE UPDATE EXCLUSIVE on the partitioned table (ACCESS \
            EXCLUSIVE before PostgreSQL 12) and ACCESS EXCLUSIVE on the table attached and on the default partition, which \
            are scanned. The scan of the table is skipped when a valid CHECK constraint on it already proves every row fits \
            the bound (and that of the default partition when one of its constraints proves none does).",
    instead: "Before attaching, add a CHECK constraint to the table that says what the bound says (the same range or list, \
              and `IS NOT NULL` on the key columns unless the bound admits NULL) `NOT VALID`, then `VALIDATE CONSTRAINT` it, \
              which lets reads and writes go on; the ATTACH then skips the scan. Drop the constraint once attached.",
    fires: &[Example::new(
        "CREATE TABLE m (id bigint, at date) PARTITION BY RANGE (at); CREATE TABLE m2024 (id bigint, at date);",
        "CREATE TABLE m (id bigint, at date) PARTITION BY RANGE (at);\n\
         CREATE TABLE m2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
    )],
    passes: &[
        // A new partition holds no rows.
        Example::new(
            "CREATE TABLE m (id bigint, at date) PARTITION BY RANGE (at);",
            "CREATE TABLE m (id bigint, at date) PARTITION BY RANGE (at);\n\
             CREATE TABLE m2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::AttachPartition { table, parent, bound } = change else { continue };
        if !ctx.existed(table) {
            continue;
        }
        let Some(step) = planned_on(ctx, &format!("attach partition {table} to {parent}"), parent) else { continue };
        let parent_lock = match ctx.server_version() {
            Some(v) if v < 12 => "ACCESS EXCLUSIVE",
            _ => level(step, "SHARE UPDATE EXCLUSIVE"),
        };
        let mut message = format!(
            "attaching {table} to {parent} ({bound}) scans every row of {table} under ACCESS EXCLUSIVE to check it fits, \
             holding {parent_lock} on {parent}"
        );
        if let (_, Some(default)) = partitions(ctx, parent)
            && default != table
        {
            message.push_str(&format!("; the default partition {default} is scanned too, under ACCESS EXCLUSIVE"));
        }
        hits.push(Hit::new(table.to_string(), message, ctx.at(change)));
    }
    hits
}
