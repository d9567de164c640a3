//! SS805 prefer-timestamptz.

use super::per_column_type;
use crate::lint::{Class, Example, Rule};
use crate::model::quote_ident;

pub static RULE: Rule = Rule {
    code: "SS805",
    name: "prefer-timestamptz",
    class: Class::NonBreaking,
    opt_in: true,
    summary: "A column is timestamp without time zone.",
    why: "A timestamp without time zone is a wall-clock reading with no zone: the same value means different instants \
          to clients in different zones, `now()` stored into it is the session's local time, and around a daylight \
          saving change an hour repeats or never exists. timestamptz stores the instant (in UTC) and shows it in the \
          session's TimeZone, so comparisons and intervals are right whatever the clients' zones. It takes the same \
          8 bytes.",
    locks: "None: the rule reads the schema. `ALTER COLUMN … TYPE timestamptz` rewrites the table under an ACCESS \
            EXCLUSIVE lock; since PostgreSQL 12 it skips the table rewrite when the session's TimeZone is UTC and no \
            USING clause is given (indexes on the column are still rebuilt).",
    instead: "Declare `timestamptz` (`timestamp with time zone`). To convert a column whose values are UTC: \
              `SET timezone = 'UTC'; ALTER TABLE t ALTER COLUMN c TYPE timestamptz;`; when they are local times of one \
              zone, say which: `ALTER TABLE t ALTER COLUMN c TYPE timestamptz USING c AT TIME ZONE 'Europe/Paris';`.",
    fires: &[Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, created_at timestamp(3));")],
    passes: &[Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, created_at timestamptz, opens time, day date);")],
    check: |ctx| {
        per_column_type(
            ctx,
            |t| (t.name == "timestamp without time zone").then(|| "its values carry no time zone".to_string()),
            |t, c| {
                format!(
                    "if its values are UTC: `SET timezone = 'UTC'; ALTER TABLE {} ALTER COLUMN {} TYPE timestamptz{};`",
                    t.name,
                    quote_ident(&c.name),
                    if c.data_type.array_dims > 0 { "[]" } else { "" }
                )
            },
        )
    },
};
