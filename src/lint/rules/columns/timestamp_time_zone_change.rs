//! SS307 timestamp-time-zone-change.

use super::casts;
use super::per_altered;
use crate::lint::{Class, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS307",
    name: "timestamp-time-zone-change",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A column changes between `timestamp` and `timestamptz`: its values are reinterpreted in the migration session's time zone.",
    why: "`timestamp` → `timestamptz` takes each stored wall-clock time as a time in the session's `TimeZone` (a server set to \
          Europe/Paris shifts every value by one or two hours compared with UTC); `timestamptz` → `timestamp` keeps the \
          wall-clock time the instant had in that zone. If the values were written in another zone than the one the \
          migration runs in, every one of them now means another instant. The application also gets values of another type \
          back (with an offset, or without).",
    locks: "PostgreSQL: `ALTER TABLE … ALTER COLUMN … TYPE` takes an ACCESS EXCLUSIVE lock and rewrites the table. Since \
            PostgreSQL 12, in either direction, the rewrite is skipped when the session's `TimeZone` is UTC (a zone whose \
            offset is always zero), the values being the same bits then; the indexes on the column are rebuilt even so, \
            while the lock is held. Before 12, and for arrays of timestamps, the table is always rewritten.",
    instead: "Decide which zone the stored values are in, and run the migration in it: `SET TimeZone = 'UTC';` before the \
              `ALTER TABLE` in the same session (on PostgreSQL 12 and later this also avoids the rewrite). For another zone, \
              convert explicitly: `ALTER TABLE t ALTER COLUMN c TYPE timestamptz USING c AT TIME ZONE 'Europe/Paris';` (this \
              rewrites). On a large table, prefer a new column filled in batches.",
    fires: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, at timestamp);", "CREATE TABLE t (id bigint PRIMARY KEY, at timestamptz);"),
        Example::on_version("CREATE TABLE t (id bigint PRIMARY KEY, at timestamptz);", "CREATE TABLE t (id bigint PRIMARY KEY, at timestamp);", 11),
    ],
    passes: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, at timestamp(0));", "CREATE TABLE t (id bigint PRIMARY KEY, at timestamp);"),
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, at timestamptz);"),
    ],
    check: |ctx| {
        per_altered(ctx, |a| {
            if !casts::time_zone_change(&a.from.data_type, &a.to.data_type) {
                return None;
            }
            let object = a.object();
            let meaning = if a.to.data_type.name == "timestamp with time zone" {
                "each stored time is taken as a time in the migration session's TimeZone"
            } else {
                "each instant becomes its wall-clock time in the migration session's TimeZone"
            };
            let lock = ctx.lock_on(a.table);
            let rewrite = match ctx.server_version() {
                // Arrays are converted element by element: always a rewrite.
                _ if a.to.data_type.array_dims > 0 => format!("the table is rewritten and its indexes rebuilt under {lock}"),
                Some(v) if v < 12 => format!("the table is rewritten and its indexes rebuilt under {lock}"),
                _ => format!("the table is rewritten under {lock} unless the session's TimeZone is UTC, and the column's indexes are rebuilt either way"),
            };
            Some(Hit::new(&object, format!("changing {object} {}: {meaning}; {rewrite}", a.types()), ctx.at(a.change)))
        })
    },
};
