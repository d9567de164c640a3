//! SS304 narrow-varchar.

use super::casts::{Failure, Narrow};
use super::per_altered;
use crate::lint::{Class, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS304",
    name: "narrow-varchar",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A column's type gets a shorter length limit (`varchar(n)` or `char(n)` smaller, or text to `varchar(n)`).",
    why: "A value longer than the new limit either makes the migration fail (`value too long for type character varying(n)`), \
          or, when the old type is not a string type and the planner converts with an explicit cast, is cut to the limit \
          without any error: the rest of the text is lost. Afterwards, the application's writes of longer values fail.",
    locks: "PostgreSQL: `ALTER TABLE … ALTER COLUMN … TYPE varchar(n)` takes an ACCESS EXCLUSIVE lock and rewrites the table, \
            checking every value (lengthening is done in the catalog only; shortening never is). Between string types the \
            conversion is an assignment: a value whose characters beyond the limit are not all spaces fails, trailing spaces \
            are dropped. From another type the planner writes `USING c::varchar(n)`, an explicit cast, which cuts.",
    instead: "Run the pre-flight query and shorten or fix the rows it lists first. To enforce a limit without a rewrite, keep the \
              type and add `ALTER TABLE t ADD CONSTRAINT t_c_length CHECK (char_length(c) <= n) NOT VALID;` then \
              `ALTER TABLE t VALIDATE CONSTRAINT t_c_length;` (the validation does not block reads or writes).",
    fires: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, name varchar(100));", "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(50));"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, name text);", "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(50));"),
    ],
    passes: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, name varchar(50));", "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(100));"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, name varchar(50));", "CREATE TABLE t (id bigint PRIMARY KEY, name text);"),
        // Every integer fits in 11 characters.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, code integer);", "CREATE TABLE t (id bigint PRIMARY KEY, code varchar(11));"),
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(50));"),
    ],
    check: |ctx| {
        per_altered(ctx, |a| {
            let Failure::Narrow { kind: Narrow::Length { max, cuts }, offending } = a.failure() else { return None };
            let object = a.object();
            let effect = if cuts {
                format!("values longer than {max} characters are cut to {max} without an error")
            } else {
                format!("the migration fails on any value longer than {max} characters")
            };
            Some(
                Hit::new(&object, format!("changing {object} {}: {effect}", a.types()), ctx.at(a.change))
                    .preflight(a.rows_where(&offending)),
            )
        })
    },
};
