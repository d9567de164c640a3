//! SS406 add-check-constraint.

use super::before::Before;
use super::{adding, level, validate_recipe};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Preflight, Rule};
use crate::model::ConstraintKind;
use crate::plan::facts::Work;

pub static RULE: Rule = Rule {
    code: "SS406",
    name: "add-check-constraint",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A CHECK constraint is added to an existing table and checked against every row at once.",
    why: "Adding the constraint evaluates it on every existing row while the table is locked against reads and writes: on \
          a large table the application's queries queue up and time out. One row that fails it makes the migration fail \
          after that wait. Once in place, writes of the running application that break it fail.",
    locks: "PostgreSQL: `ALTER TABLE … ADD CHECK` takes ACCESS EXCLUSIVE and scans the table while holding it (and the \
            tables inheriting from it). With `NOT VALID` it changes only the catalog and checks only new writes; `VALIDATE \
            CONSTRAINT` then checks the existing rows under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on. \
            MySQL 8.0.16 and later enforce CHECK constraints; adding one checks every row.",
    instead: "Add the constraint `NOT VALID`, then `ALTER TABLE … VALIDATE CONSTRAINT …` in a transaction of its own, after \
              fixing the rows the pre-flight query lists. With schemashift: declare it `NOT VALID` in one commit, and in a \
              later commit declare `ALTER TABLE … VALIDATE CONSTRAINT …` in the schema: that plans a `VALIDATE CONSTRAINT` \
              step, which checks the existing rows while reads and writes go on. Or plan with `--online`: the constraint is \
              added `NOT VALID` and validated in a later transaction of the same change.",
    fires: &[Example::new(
        "CREATE TABLE t (id bigint PRIMARY KEY, price numeric);",
        "CREATE TABLE t (id bigint PRIMARY KEY, price numeric, CONSTRAINT price_positive CHECK (price > 0));",
    )],
    passes: &[
        Example::new(
            "CREATE TABLE t (id bigint PRIMARY KEY, price numeric);",
            "CREATE TABLE t (id bigint PRIMARY KEY, price numeric);\nALTER TABLE t ADD CONSTRAINT price_positive CHECK (price > 0) NOT VALID;",
        ),
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, price numeric, CONSTRAINT price_positive CHECK (price > 0));"),
        // Validating the NOT VALID check later: a VALIDATE CONSTRAINT step, which lets reads and writes go on.
        Example::new(
            "CREATE TABLE t (id bigint PRIMARY KEY, price numeric);\nALTER TABLE t ADD CONSTRAINT price_positive CHECK (price > 0) NOT VALID;",
            "CREATE TABLE t (id bigint PRIMARY KEY, price numeric);\nALTER TABLE t ADD CONSTRAINT price_positive CHECK (price > 0) NOT VALID;\n\
             ALTER TABLE t VALIDATE CONSTRAINT price_positive;",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::AddConstraint { table, constraint } = change else { continue };
        let ConstraintKind::Check { expr, .. } = &constraint.kind else { continue };
        if constraint.not_valid || !ctx.existed(table) {
            continue;
        }
        // No step of its own: a CHECK that comes with its parent's.
        let Some(step) = adding(ctx, table, constraint).filter(|s| s.facts.work == Work::Scan) else { continue };
        let message = format!(
            "adding CHECK {} on {table} evaluates {expr} on every row under {} (no reads or writes meanwhile), and fails if a row breaks it",
            constraint.name,
            level(step, "ACCESS EXCLUSIVE")
        );
        let help = format!("fix the rows that break it first; {}", validate_recipe(table, constraint, step));
        let mut hit = Hit::new(format!("{table}.{}", constraint.name), message, ctx.at(change)).help(help);
        if let (Some(before), Some(new)) = (Before::of(ctx, table), ctx.new_table(table))
            && before.reads_same(&expr.0, new)
        {
            hit = hit.preflight(Preflight::no_rows(before.violations(&expr.0)));
        }
        hits.push(hit);
    }
    hits
}
