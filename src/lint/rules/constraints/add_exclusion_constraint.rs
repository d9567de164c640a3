//! SS407 add-exclusion-constraint.

use super::{adding, level};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};
use crate::model::ConstraintKind;
use crate::plan::facts::Work;

pub static RULE: Rule = Rule {
    code: "SS407",
    name: "add-exclusion-constraint",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "An exclusion constraint is added to an existing table.",
    why: "The constraint's index is built over every row while the table is locked against reads and writes, and there is \
          no way to build it without that lock: on a large table the application's queries queue up and time out. Two \
          existing rows that conflict (overlapping ranges, say) make the migration fail at the end of that wait. Once in \
          place, writes of the running application that conflict fail.",
    locks: "PostgreSQL: `ALTER TABLE … ADD CONSTRAINT … EXCLUDE` takes ACCESS EXCLUSIVE and builds the index (usually GiST) \
            while holding it. Unlike UNIQUE, there is no `NOT VALID` for it and no `USING INDEX` to attach an index built \
            `CONCURRENTLY`.",
    instead: "Find the conflicting rows with a self-join of the table on the constraint's operators, and fix them. Then add \
              the constraint when the table is quiet, with a short `lock_timeout` so that the statement gives up rather than \
              queue every query behind it; or, for a very large table, create a new table with the constraint, copy the rows \
              in batches while a trigger keeps it in step, and swap the names.",
    fires: &[Example::new(
        "CREATE TABLE booking (id bigint PRIMARY KEY, during tstzrange);",
        "CREATE TABLE booking (id bigint PRIMARY KEY, during tstzrange, CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&));",
    )],
    passes: &[
        Example::new("", "CREATE TABLE booking (id bigint PRIMARY KEY, during tstzrange, CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&));"),
        // An ordinary index on the same column: create-index-non-concurrently's.
        Example::new(
            "CREATE TABLE booking (id bigint PRIMARY KEY, during tstzrange);",
            "CREATE TABLE booking (id bigint PRIMARY KEY, during tstzrange); CREATE INDEX booking_during ON booking USING gist (during);",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::AddConstraint { table, constraint } = change else { continue };
        let ConstraintKind::Exclude { method, elements, .. } = &constraint.kind else { continue };
        if !ctx.existed(table) {
            continue;
        }
        let Some(step) = adding(ctx, table, constraint).filter(|s| s.facts.work == Work::IndexBuild) else { continue };
        let elements: Vec<String> = elements.iter().map(|(e, op)| format!("{e} WITH {op}")).collect();
        let message = format!(
            "adding EXCLUDE constraint {} on {table} builds a {method} index over ({}) under {} (no reads or writes meanwhile), \
             with no concurrent form, and fails if existing rows conflict",
            constraint.name,
            elements.join(", "),
            level(step, "ACCESS EXCLUSIVE")
        );
        hits.push(Hit::new(format!("{table}.{}", constraint.name), message, ctx.at(change)));
    }
    hits
}
