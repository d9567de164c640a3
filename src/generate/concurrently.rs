//! `CREATE INDEX CONCURRENTLY` for tables that already hold data.
//!
//! A plain `CREATE INDEX` takes a SHARE lock: writes to the table wait until
//! the index is built, which on a large table is an outage. `CONCURRENTLY`
//! builds it without blocking writes, at the price of running outside a
//! transaction (see [`super::segment`]). Indexes on tables created in the
//! same migration gain nothing from it and keep the plain form, as do
//! partitioned tables, where PostgreSQL does not support it.

use crate::model::{QName, Schema, quote_ident};
use crate::plan::Step;

/// Rewrites the index steps of `steps`, a migration from `from` to `to`.
pub fn rewrite(steps: &mut [Step], from: &Schema, to: &Schema) {
    for step in steps {
        if let Some(name) = step.summary.strip_prefix("create index ") {
            let table = table_of_index(to, &step.sql, name);
            if table.is_some_and(|t| plain_table(from, &t) && plain_table(to, &t))
                && let Some(sql) = insert_after(&step.sql, &["CREATE INDEX ", "CREATE UNIQUE INDEX "], "CONCURRENTLY ")
            {
                step.sql = sql;
                step.transactional = false;
            }
        } else if let Some(name) = step.summary.strip_prefix("drop index ") {
            let table = table_of_index(from, &step.sql, name);
            if table.is_some_and(|t| plain_table(from, &t) && plain_table(to, &t))
                && let Some(sql) = insert_after(&step.sql, &["DROP INDEX "], "CONCURRENTLY ")
            {
                step.sql = sql;
                step.transactional = false;
            }
        }
    }
}

/// The table holding index `name`: index names are unique per schema, so
/// among tables with such an index, the one whose schema the SQL names.
fn table_of_index(schema: &Schema, sql: &str, name: &str) -> Option<QName> {
    let mut holders = schema.tables.values().filter(|t| t.indexes.contains_key(name));
    let first = holders.next()?;
    let named = |t: &&crate::model::Table| sql.contains(&format!("{}.", quote_ident(&t.name.schema)));
    if named(&first) {
        return Some(first.name.clone());
    }
    holders.find(named).map(|t| t.name.clone())
}

/// A table that exists, is not partitioned and is not a partition.
fn plain_table(schema: &Schema, name: &QName) -> bool {
    schema.tables.get(name).is_some_and(|t| t.partition_by.is_none() && t.partition_of.is_none())
}

fn insert_after(sql: &str, prefixes: &[&str], word: &str) -> Option<String> {
    prefixes.iter().find(|p| sql.starts_with(*p)).map(|p| format!("{p}{word}{}", &sql[p.len()..]))
}
