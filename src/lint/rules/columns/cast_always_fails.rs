//! SS302 cast-always-fails.

use super::casts::Failure;
use super::per_altered;
use crate::lint::{Class, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS302",
    name: "cast-always-fails",
    class: Class::Breaking,
    opt_in: false,
    summary: "A column's type change cannot convert its values: it fails on every row that is not NULL, or PostgreSQL has no cast at all.",
    why: "The migration stops with an error (`invalid input syntax for type uuid: \"5\"`, `cannot cast type integer to date`) \
          and rolls back: the deploy fails, and everything after it in the same migration waits. A conversion that no \
          value survives succeeds only where the column is NULL in every row; a missing cast fails even on an empty table. \
          Such a change needs a conversion that says what the new value of \
          each row is (new identifiers, a lookup, a formula), which an automatic cast cannot know.",
    locks: "PostgreSQL: `ALTER TABLE … ALTER COLUMN … TYPE` takes an ACCESS EXCLUSIVE lock and starts rewriting the table; it \
            holds the lock until it reaches the first value it cannot convert. Without a cast between the types (between \
            numbers and dates, from `boolean` to any number but `integer`, from `uuid` or `json` to numbers or dates) it \
            fails before reading a row. The planner converts across type families with `USING c::type`, and through text \
            (`USING c::text::type`) to types such as `uuid`, `boolean` and enums: a `bigint` prints as digits, which are \
            never a valid `uuid`.",
    instead: "Add a new column of the new type, fill it with an explicit conversion of your own (for `bigint` → `uuid`: new \
              identifiers and a mapping table that the referencing columns are migrated through; for integer → timestamp: \
              `to_timestamp(c)`), switch the application to it, then drop the old column. If the column really is empty \
              everywhere, drop it and add it again with the new type.",
    fires: &[
        Example::new(
            "CREATE TABLE sessions (id bigint PRIMARY KEY, login_session_id bigint);",
            "CREATE TABLE sessions (id bigint PRIMARY KEY, login_session_id uuid);",
        ),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, day integer);", "CREATE TABLE t (id bigint PRIMARY KEY, day date);"),
    ],
    passes: &[
        // Text may hold valid uuids: that is cast-may-fail.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, token text);", "CREATE TABLE t (id bigint PRIMARY KEY, token uuid);"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, flag boolean);", "CREATE TABLE t (id bigint PRIMARY KEY, flag integer);"),
        Example::new("", "CREATE TABLE sessions (id bigint PRIMARY KEY, login_session_id uuid);"),
    ],
    check: |ctx| {
        per_altered(ctx, |a| {
            let (object, types, expr) = (a.object(), a.types(), a.cast().expression());
            match a.failure() {
                Failure::EveryRow => Some(
                    Hit::new(
                        &object,
                        format!(
                            "changing {object} {types} converts each value as `{expr}`, and no {} value is valid {} input: \
                             the migration fails on the first row where {} is not NULL",
                            a.from.data_type, a.to.data_type, a.to.name
                        ),
                        ctx.at(a.change),
                    )
                    .preflight(a.rows_where(&format!("{} IS NOT NULL", a.column_before))),
                ),
                Failure::NoCast => Some(Hit::new(
                    &object,
                    format!(
                        "changing {object} {types} converts with `{expr}`, but PostgreSQL has no cast from {} to {}: the migration fails before reading a row",
                        a.from.data_type, a.to.data_type
                    ),
                    ctx.at(a.change),
                )),
                _ => None,
            }
        })
    },
};
