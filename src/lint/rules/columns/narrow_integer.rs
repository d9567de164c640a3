//! SS306 narrow-integer.

use super::casts::{Failure, Narrow, integer_range};
use super::per_altered;
use crate::lint::{Class, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS306",
    name: "narrow-integer",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A column becomes a smaller integer type (`bigint` to `integer` or `smallint`, `integer` to `smallint`), or an integer from a type with fractions.",
    why: "A value outside the new type's range makes the migration fail (`integer out of range`); from `numeric`, `real` or \
          `double precision`, fractions are rounded away without an error. Afterwards the application's writes of larger \
          values fail, and a sequence feeding the column runs out sooner: an `id` that fits today may not next month.",
    locks: "PostgreSQL: `ALTER TABLE … ALTER COLUMN … TYPE integer` takes an ACCESS EXCLUSIVE lock and rewrites the table, \
            checking each value against the new range.",
    instead: "Run the pre-flight query and deal with the rows it lists first. Usually keep the wider type: storage saved by a \
              smaller integer is rarely worth a rewrite and a lower ceiling. To restrict the values, add a `CHECK` \
              constraint `NOT VALID`, then `VALIDATE CONSTRAINT`.",
    fires: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, n bigint);", "CREATE TABLE t (id bigint PRIMARY KEY, n integer);"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, n numeric(10,2));", "CREATE TABLE t (id bigint PRIMARY KEY, n integer);"),
    ],
    passes: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, n integer);", "CREATE TABLE t (id bigint PRIMARY KEY, n bigint);"),
        // Nine digits always fit.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, n numeric(9,0));", "CREATE TABLE t (id bigint PRIMARY KEY, n integer);"),
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, n integer);"),
    ],
    check: |ctx| {
        per_altered(ctx, |a| {
            let Failure::Narrow { kind: Narrow::Integer { target, rounds }, offending } = a.failure() else { return None };
            let object = a.object();
            let (lo, hi) = integer_range(&target).unwrap_or_default();
            let mut message = format!("changing {object} {}: the migration fails on values outside {lo}..{hi}", a.types());
            if rounds {
                message.push_str("; fractions are rounded away");
            }
            Some(Hit::new(&object, message, ctx.at(a.change)).preflight(a.rows_where(&offending)))
        })
    },
};
