//! SS305 narrow-numeric.

use super::casts::{Failure, Narrow};
use super::per_altered;
use crate::lint::{Class, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS305",
    name: "narrow-numeric",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A column becomes a `numeric(p,s)` that holds fewer whole digits or fewer decimals than it did.",
    why: "A value with more whole digits than the new precision allows makes the migration fail (`numeric field overflow`); \
          decimals beyond the new scale are rounded away without an error, so amounts change. Afterwards the application's \
          writes of such values fail or are rounded too.",
    locks: "PostgreSQL: `ALTER TABLE … ALTER COLUMN … TYPE numeric(p,s)` takes an ACCESS EXCLUSIVE lock; it is done in the \
            catalog only when the scale stays the same and the precision does not shrink, and otherwise rewrites the table, \
            rounding each value to the new scale and checking that it still fits (rounding can add a digit: 99.999 as \
            `numeric(4,2)` is 100.00, which does not fit).",
    instead: "Run the pre-flight query: it lists the values that would not fit or would be rounded; fix them first, or keep the \
              wider type and add a `CHECK` constraint `NOT VALID`, then `VALIDATE CONSTRAINT`.",
    fires: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, price numeric(12,2));", "CREATE TABLE t (id bigint PRIMARY KEY, price numeric(8,2));"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, rate numeric(10,4));", "CREATE TABLE t (id bigint PRIMARY KEY, rate numeric(10,2));"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, price numeric);", "CREATE TABLE t (id bigint PRIMARY KEY, price numeric(10,2));"),
    ],
    passes: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, price numeric(8,2));", "CREATE TABLE t (id bigint PRIMARY KEY, price numeric(12,2));"),
        // More decimals and as many whole digits.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, price numeric(8,2));", "CREATE TABLE t (id bigint PRIMARY KEY, price numeric(9,3));"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, n integer);", "CREATE TABLE t (id bigint PRIMARY KEY, n numeric(12,2));"),
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, price numeric(8,2));"),
    ],
    check: |ctx| {
        per_altered(ctx, |a| {
            let Failure::Narrow { kind: Narrow::Numeric { overflows, rounds }, offending } = a.failure() else { return None };
            let object = a.object();
            let mut effects = Vec::new();
            if overflows {
                effects.push("the migration fails on values with more whole digits than fit");
            }
            if rounds {
                effects.push("decimals beyond the new scale are rounded away");
            }
            Some(
                Hit::new(&object, format!("changing {object} {}: {}", a.types(), effects.join("; ")), ctx.at(a.change))
                    .preflight(a.rows_where(&offending)),
            )
        })
    },
};
