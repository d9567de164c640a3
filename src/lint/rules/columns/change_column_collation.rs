//! SS308 change-column-collation.

use super::per_altered;
use crate::lint::{Class, Example, Hit, Rule};
use crate::model::{ConstraintKind, Table};

pub static RULE: Rule = Rule {
    code: "SS308",
    name: "change-column-collation",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A column's collation changes: its indexes are rebuilt, and its ordering and equality change.",
    why: "`ORDER BY`, comparisons (`<`, `BETWEEN`, `LIKE` prefixes) and range scans follow the new collation: result orders \
          change, and queries whose index has the old collation no longer use it. With a nondeterministic collation (case- or \
          accent-insensitive) equality follows it too: a unique index may then refuse values that differed only in case or \
          accents, and the rebuild fails.",
    locks: "PostgreSQL: `ALTER TABLE … ALTER COLUMN … TYPE … COLLATE …` takes an ACCESS EXCLUSIVE lock. With the type unchanged \
            the table is not rewritten, but every index and unique or primary key constraint that includes the column is \
            rebuilt while the lock is held.",
    instead: "Build the indexes the new collation needs first, without blocking writes: `CREATE INDEX CONCURRENTLY … (c COLLATE \
              \"C\")`; or query with an explicit `COLLATE` where the other ordering is wanted, and leave the column as it is. \
              For uniqueness, check for values that collide under the new collation before the change.",
    fires: &[Example::new(
        "CREATE TABLE t (id bigint PRIMARY KEY, name text);\nCREATE INDEX t_name ON t (name);",
        "CREATE TABLE t (id bigint PRIMARY KEY, name text COLLATE \"C\");\nCREATE INDEX t_name ON t (name);",
    )],
    passes: &[
        // The type changes, the collation stays.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, name varchar(10) COLLATE \"C\");", "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(20) COLLATE \"C\");"),
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, name text COLLATE \"C\");"),
    ],
    check: |ctx| {
        per_altered(ctx, |a| {
            if a.from.collation == a.to.collation {
                return None;
            }
            let object = a.object();
            let name = |c: &Option<String>| c.clone().unwrap_or_else(|| "the default collation".into());
            let rebuilt = ctx.new_table(a.table).map(|t| indexes_on(t, &a.to.name)).unwrap_or_default();
            let indexes = if rebuilt.is_empty() {
                String::new()
            } else {
                format!("; rebuilds {} under {}", rebuilt.join(", "), ctx.lock_on(a.table))
            };
            Some(Hit::new(
                &object,
                format!("{object} changes from {} to {}: ordering and comparisons of its values change{indexes}", name(&a.from.collation), name(&a.to.collation)),
                ctx.at(a.change),
            ))
        })
    },
};

/// The indexes and index-backed constraints of `table` that include `column`.
fn indexes_on(table: &Table, column: &str) -> Vec<String> {
    let mut out: Vec<String> = table
        .indexes
        .values()
        .filter(|i| i.keys.iter().any(|k| !k.expression && k.expr == column) || i.include.iter().any(|c| c == column))
        .map(|i| format!("index {}", i.name))
        .collect();
    for c in table.constraints.values() {
        let columns = match &c.kind {
            ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => columns,
            _ => continue,
        };
        if columns.iter().any(|c| c == column) {
            out.push(format!("constraint {}", c.name));
        }
    }
    out
}
