//! SS404 add-primary-key.

use super::before::Before;
use super::{adding, index_then_constraint, level, list};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Preflight, Rule};
use crate::model::{ConstraintKind, QName};
use crate::plan::facts::Work;

pub static RULE: Rule = Rule {
    code: "SS404",
    name: "add-primary-key",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A primary key is added to an existing table.",
    why: "The key's unique index is built over every row while the table is locked against reads and writes, and its \
          columns that allowed NULL are first made NOT NULL, which reads the whole table under the same lock: on a large table \
          the application's queries queue up and time out. Two rows with the same key, or a row with a NULL in it, make the \
          migration fail at the end of that wait.",
    locks: "PostgreSQL: `ALTER TABLE … ADD PRIMARY KEY` takes ACCESS EXCLUSIVE, makes the key's columns NOT NULL (a scan, \
            unless they already are) and builds a unique index while holding it. `ADD CONSTRAINT … PRIMARY KEY USING INDEX` \
            with a unique index already built on NOT NULL columns changes only the catalog. \
            MySQL/InnoDB: adding a primary key rebuilds the table in place, letting writes go on.",
    instead: "Resolve duplicates and NULLs first. Make the columns NOT NULL without the long lock (see `set-not-null`: \
              `CHECK … NOT VALID`, `VALIDATE CONSTRAINT`, `SET NOT NULL`), build the index with `CREATE UNIQUE INDEX \
              CONCURRENTLY` (outside a transaction), then `ALTER TABLE … ADD CONSTRAINT name PRIMARY KEY USING INDEX name`. \
              `--online` plans these steps.",
    fires: &[Example::new("CREATE TABLE t (id bigint, email text);", "CREATE TABLE t (id bigint PRIMARY KEY, email text);")],
    passes: &[
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, email text);"),
        // A unique constraint, not a primary key: add-unique-constraint.
        Example::new("CREATE TABLE t (id bigint NOT NULL, email text);", "CREATE TABLE t (id bigint NOT NULL UNIQUE, email text);"),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::AddConstraint { table, constraint } = change else { continue };
        let ConstraintKind::PrimaryKey { columns, .. } = &constraint.kind else { continue };
        if !ctx.existed(table) {
            continue;
        }
        let Some(step) = adding(ctx, table, constraint).filter(|s| s.facts.work == Work::IndexBuild) else { continue };
        let filled = made_not_null(ctx, table, columns);
        let lock = level(step, "ACCESS EXCLUSIVE");
        let mut message = format!(
            "adding PRIMARY KEY {} on {table} ({}) builds its index over every row under {lock} (no reads or writes meanwhile), \
             and fails if rows share a key or hold NULL in it",
            constraint.name,
            list(columns)
        );
        if !filled.is_empty() {
            message.push_str(&format!("; before that it makes {} NOT NULL, which scans the table under the same lock", list(&filled)));
        }
        let mut help = String::from("resolve duplicates and NULLs, then");
        if !filled.is_empty() {
            help.push_str(&format!(
                " make {} NOT NULL without the long lock (CHECK … IS NOT NULL NOT VALID, VALIDATE CONSTRAINT, SET NOT NULL: see set-not-null), then",
                list(&filled)
            ));
        }
        help.push_str(&format!(" {}", index_then_constraint(ctx, table, constraint, "PRIMARY KEY")));
        let mut hit = Hit::new(format!("{table}.{}", constraint.name), message, ctx.at(change)).help(help);
        if let Some(before) = Before::of(ctx, table)
            && let Some(keys) = before.columns(columns)
        {
            let nullable = columns.iter().any(|c| before.column_name(c).and_then(|n| before.table.column(n)).is_some_and(|c| c.nullable));
            hit = hit.preflight(Preflight::no_rows(before.duplicates(&keys, false, nullable, None)));
        }
        hits.push(hit);
    }
    hits
}

/// The key's columns the migration makes NOT NULL.
fn made_not_null(ctx: &Context, table: &QName, columns: &[String]) -> Vec<String> {
    columns
        .iter()
        .filter(|col| {
            ctx.changes().any(|c| matches!(c, Change::AlterColumn { table: t, from, to } if t == table && &to.name == *col && from.nullable && !to.nullable))
        })
        .cloned()
        .collect()
}
