//! `CREATE INDEX CONCURRENTLY` for tables that already hold data.
//!
//! A plain `CREATE INDEX` takes a SHARE lock: writes to the table wait until
//! the index is built, which on a large table is an outage. `CONCURRENTLY`
//! builds it without blocking writes, at the price of running outside a
//! transaction (see [`super::segment`]). Indexes on tables created in the
//! same migration gain nothing from it and keep the plain form, as do
//! partitioned tables, where PostgreSQL does not support it.

use crate::model::{QName, Schema};
use crate::plan::Step;

/// Rewrites the index steps of `steps`, a migration from `from` to `to`.
pub fn rewrite(steps: &mut [Step], from: &Schema, to: &Schema) {
    for step in steps {
        let Some(table) = &step.index_of else { continue };
        if !(plain_table(from, table) && plain_table(to, table)) {
            continue;
        }
        if let Some(sql) = insert_after(&step.sql, &["CREATE INDEX ", "CREATE UNIQUE INDEX ", "DROP INDEX "], "CONCURRENTLY ") {
            step.sql = sql;
            step.transactional = false;
        }
    }
}

/// A table that exists, is not partitioned and is not a partition.
fn plain_table(schema: &Schema, name: &QName) -> bool {
    schema.tables.get(name).is_some_and(|t| t.partition_by.is_none() && t.partition_of.is_none())
}

fn insert_after(sql: &str, prefixes: &[&str], word: &str) -> Option<String> {
    prefixes.iter().find(|p| sql.starts_with(*p)).map(|p| format!("{p}{word}{}", &sql[p.len()..]))
}
