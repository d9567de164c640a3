//! SS403 add-unique-constraint.

use super::before::Before;
use super::{adding, index_then_constraint, level, list};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Preflight, Rule};
use crate::model::ConstraintKind;
use crate::plan::facts::Work;

pub static RULE: Rule = Rule {
    code: "SS403",
    name: "add-unique-constraint",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A UNIQUE constraint is added to an existing table.",
    why: "The constraint's index is built over every row while the table is locked against reads and writes: on a large \
          table the application's queries queue up and time out. If two rows hold the same values the build fails at the end, \
          and the migration with it. Once it is in place, writes of the running application that repeat a value fail.",
    locks: "PostgreSQL: `ALTER TABLE … ADD CONSTRAINT … UNIQUE` takes ACCESS EXCLUSIVE and builds a unique index while \
            holding it. `ADD CONSTRAINT … UNIQUE USING INDEX` with an index already built takes ACCESS EXCLUSIVE only for \
            the catalog change. \
            MySQL/InnoDB: `ADD UNIQUE` builds the index in place and lets writes go on; it fails on duplicates.",
    instead: "Find and resolve the duplicates first. Build the index with `CREATE UNIQUE INDEX CONCURRENTLY` (outside a \
              transaction; writes go on; a failed build leaves an INVALID index to drop), then attach it with `ALTER TABLE … \
              ADD CONSTRAINT name UNIQUE USING INDEX name`. With schemashift, a unique index in the schema instead of the \
              constraint enforces the same (a foreign key can reference it) and `generate --concurrently` builds it that way; \
              `--online` plans the concurrent index and `USING INDEX` for the constraint itself.",
    fires: &[Example::new(
        "CREATE TABLE t (id bigint PRIMARY KEY, email text);",
        "CREATE TABLE t (id bigint PRIMARY KEY, email text, CONSTRAINT t_email_key UNIQUE (email));",
    )],
    passes: &[
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, email text, CONSTRAINT t_email_key UNIQUE (email));"),
        // A unique index instead: add-unique-index and create-index-non-concurrently speak of it.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, email text);", "CREATE TABLE t (id bigint PRIMARY KEY, email text); CREATE UNIQUE INDEX t_email_key ON t (email);"),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::AddConstraint { table, constraint } = change else { continue };
        let ConstraintKind::Unique { columns, nulls_not_distinct, .. } = &constraint.kind else { continue };
        if !ctx.existed(table) {
            continue;
        }
        let Some(step) = adding(ctx, table, constraint).filter(|s| s.facts.work == Work::IndexBuild) else { continue };
        let object = format!("{table}.{}", constraint.name);
        let message = format!(
            "adding UNIQUE constraint {} on {table} ({}) builds its index over every row under {} (no reads or writes meanwhile), \
             and fails if rows share a value",
            constraint.name,
            list(columns),
            level(step, "ACCESS EXCLUSIVE")
        );
        let help = format!("resolve the duplicates, then {}", index_then_constraint(ctx, table, constraint, "UNIQUE"));
        let mut hit = Hit::new(object, message, ctx.at(change)).help(help);
        if let Some(before) = Before::of(ctx, table)
            && let Some(keys) = before.columns(columns)
        {
            hit = hit.preflight(Preflight::no_rows(before.duplicates(&keys, !nulls_not_distinct, false, None)));
        }
        hits.push(hit);
    }
    hits
}
