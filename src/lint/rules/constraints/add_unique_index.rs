//! SS409 add-unique-index.

use super::before::Before;
use super::planned;
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Preflight, Rule};
use crate::model::{Index, QName};

pub static RULE: Rule = Rule {
    code: "SS409",
    name: "add-unique-index",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A unique index is built on an existing table.",
    why: "If two existing rows hold the same key, the build fails after reading the whole table, and the migration with \
          it; a `CONCURRENTLY` build that fails also leaves an INVALID index behind, which still slows every write until it \
          is dropped. Once the index is in place, writes of the running application that repeat a key fail.",
    locks: "PostgreSQL: `CREATE UNIQUE INDEX` takes SHARE (writes wait, reads go on) for the whole build; `CONCURRENTLY` \
            takes SHARE UPDATE EXCLUSIVE and lets writes go on (see `create-index-non-concurrently`). Rows with a NULL key \
            never conflict unless the index is `NULLS NOT DISTINCT` (PostgreSQL 15+). \
            MySQL/InnoDB: `ADD UNIQUE INDEX` is built in place with writes going on, and fails on duplicates.",
    instead: "Run the pre-flight query and resolve the duplicates before the migration (and stop the application writing new \
              ones). Build the index `CONCURRENTLY`; if that build fails, `DROP INDEX CONCURRENTLY` the INVALID index before \
              trying again.",
    fires: &[
        Example::new(
            "CREATE TABLE t (id bigint PRIMARY KEY, email text);",
            "CREATE TABLE t (id bigint PRIMARY KEY, email text); CREATE UNIQUE INDEX t_email ON t (lower(email)) WHERE id > 0;",
        ),
    ],
    passes: &[
        // Not unique: nothing can fail.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, email text);", "CREATE TABLE t (id bigint PRIMARY KEY, email text); CREATE INDEX t_email ON t (email);"),
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, email text); CREATE UNIQUE INDEX t_email ON t (email);"),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::CreateIndex { table, index } = change else { continue };
        if !index.unique || !ctx.existed(table) {
            continue;
        }
        // A partition's copy of its parent's index comes with the parent's step.
        if planned(ctx, &format!("create index {}", index.name)).is_none_or(|s| s.facts.lock.as_ref().is_none_or(|l| &l.on != table)) {
            continue;
        }
        let keys: Vec<&str> = index.keys.iter().map(|k| k.expr.as_str()).collect();
        let mut message = format!("unique index {} on {table} ({}) fails to build if existing rows share a key", index.name, keys.join(", "));
        if let Some(p) = &index.predicate {
            message.push_str(&format!(" among the rows where {p}"));
        }
        let mut hit = Hit::new(format!("{}.{}", table.schema, index.name), message, ctx.at(change));
        if let Some(sql) = preflight(ctx, table, index) {
            hit = hit.preflight(Preflight::no_rows(sql));
        }
        hits.push(hit);
    }
    hits
}

/// The duplicate keys among the existing rows, when every key and the
/// predicate read the same before the migration.
fn preflight(ctx: &Context, table: &QName, index: &Index) -> Option<String> {
    let before = Before::of(ctx, table)?;
    let new = ctx.new_table(table)?;
    // Key columns come back quoted, under their old names; expressions are canonical SQL.
    let keys = index
        .keys
        .iter()
        .map(|k| if k.expression { before.reads_same(&k.expr, new).then(|| format!("({})", k.expr)) } else { before.column(&k.expr) })
        .collect::<Option<Vec<String>>>()?;
    let predicate = match &index.predicate {
        Some(p) if !before.reads_same(&p.0, new) => return None,
        p => p.as_ref().map(|p| p.0.as_str()),
    };
    Some(before.duplicates(&keys, !index.nulls_not_distinct, false, predicate))
}
