//! SS303 cast-may-fail.

use super::casts::Failure;
use super::per_altered;
use crate::lint::{Class, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS303",
    name: "cast-may-fail",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A column's type change converts values that may not be valid for the new type (text to integer, uuid, date, an enum, …).",
    why: "One row whose value the new type refuses (`'n/a'` in a text column becoming integer, a badly formed uuid, a date \
          written the other way round) makes the whole migration fail and roll back, possibly after minutes of rewriting. \
          Whether it succeeds depends on production's data, not on what the tests saw. The finding's pre-flight query \
          finds those rows before the migration runs.",
    locks: "PostgreSQL: `ALTER TABLE … ALTER COLUMN … TYPE` takes an ACCESS EXCLUSIVE lock and rewrites the table, \
            converting each value; the first value that does not convert aborts the statement, after the lock has been \
            held for the time spent so far. The planner converts from a string type with `USING c::type` (the new type's \
            input function reads the text), and to types outside the number, string and date families through text \
            (`USING c::text::type`). Date and time input depends on the session's `DateStyle`. On PostgreSQL 16 and later \
            `pg_input_is_valid(text, type)` tells whether a text converts without trying it.",
    instead: "Run the pre-flight query and clean the rows it lists first (or convert them with an explicit `USING` expression \
              that handles them, e.g. `NULLIF(trim(c), '')::integer`). On a large table, add a new column of the new type, \
              fill it in batches with the conversion, switch the application, then drop the old column.",
    fires: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, qty text);", "CREATE TABLE t (id bigint PRIMARY KEY, qty integer);"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, born varchar(20));", "CREATE TABLE t (id bigint PRIMARY KEY, born date);"),
        Example::new(
            "CREATE TYPE mood AS ENUM ('happy', 'sad');\nCREATE TABLE t (id bigint PRIMARY KEY, mood text);",
            "CREATE TYPE mood AS ENUM ('happy', 'sad');\nCREATE TABLE t (id bigint PRIMARY KEY, mood mood);",
        ),
        Example::on_version("CREATE TABLE t (id bigint PRIMARY KEY, born text);", "CREATE TABLE t (id bigint PRIMARY KEY, born date);", 16),
    ],
    passes: &[
        // Widening never fails.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, qty integer);", "CREATE TABLE t (id bigint PRIMARY KEY, qty bigint);"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, qty integer);", "CREATE TABLE t (id bigint PRIMARY KEY, qty text);"),
        // Fails on every row: cast-always-fails.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, ref bigint);", "CREATE TABLE t (id bigint PRIMARY KEY, ref uuid);"),
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, qty integer);"),
    ],
    check: |ctx| {
        per_altered(ctx, |a| {
            let Failure::Some { offending } = a.failure() else { return None };
            let object = a.object();
            let expr = a.cast().expression();
            let (how, preflight) = match offending {
                Some(condition) => ("the pre-flight query lists the values that do not convert", a.rows_where(&condition)),
                None => ("the pre-flight query converts them all and fails where the migration would", a.converts_all()),
            };
            Some(
                Hit::new(
                    &object,
                    format!("changing {object} {} converts each value as `{expr}`, which fails on values {} does not accept: {how}", a.types(), a.to.data_type),
                    ctx.at(a.change),
                )
                .preflight(preflight),
            )
        })
    },
};
