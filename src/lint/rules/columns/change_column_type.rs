//! SS301 change-column-type.

use super::casts::{self, Failure};
use super::per_altered;
use crate::lint::{Class, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS301",
    name: "change-column-type",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A column's type changes in a way that rewrites the whole table and rebuilds its indexes.",
    why: "While every row is written again and every index on the table is built anew, the table is locked against reads \
          and writes: on a large table the application's queries queue up behind the migration for minutes or hours, and \
          time out. The new type may also behave differently for the application (comparisons, arithmetic, what the driver \
          returns).",
    locks: "PostgreSQL: `ALTER TABLE … ALTER COLUMN … TYPE` takes an ACCESS EXCLUSIVE lock and, unless the old type is binary \
            coercible to the new one, rewrites the table and rebuilds all its indexes while holding it. Changes done in the \
            catalog only: `varchar(n)` to `varchar(m)` with m ≥ n, to unbounded `varchar` or to `text`; `text` to unbounded \
            `varchar`; `numeric(p,s)` to `numeric(q,s)` with q ≥ p (same scale) or to unbounded `numeric`; `bit varying(n)` \
            to a wider or unbounded `bit varying`; `timestamp`, `timestamptz`, `time`, `timetz` to a higher precision; \
            `cidr` to `inet` only without a `USING` expression (any `USING` other than the bare column rewrites). \
            `text` to `varchar(n)` is not one of them: every value is checked and the table rewritten. `timestamp` ↔ \
            `timestamptz` is reported by `timestamp-time-zone-change`. \
            MySQL/InnoDB: changing a column's type copies the table (ALGORITHM=COPY, writes blocked), except lengthening \
            a `VARCHAR` while its length prefix stays one byte (up to 255 bytes) or stays two, which is done in place.",
    instead: "Add a new column of the new type, fill it in batches (`UPDATE … WHERE id BETWEEN …`), keep it in step with a \
              trigger while the application still writes the old one, switch the application to the new column, then drop \
              the old one. To enforce a shorter length, keep the type and add `CHECK (char_length(c) <= n) NOT VALID`, then \
              `VALIDATE CONSTRAINT` (which does not block writes). `--online` plans the new column, the trigger, the backfill \
              and the swap (for a column no index, constraint or view uses).",
    fires: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, n integer);", "CREATE TABLE t (id bigint PRIMARY KEY, n bigint);"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, code text);", "CREATE TABLE t (id bigint PRIMARY KEY, code varchar(20));"),
    ],
    passes: &[
        // Binary coercible: the catalog only.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, name varchar(50));", "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(100));"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, name varchar(50));", "CREATE TABLE t (id bigint PRIMARY KEY, name text);"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, price numeric(10,2));", "CREATE TABLE t (id bigint PRIMARY KEY, price numeric(12,2));"),
        // A table created by the same migration holds no rows.
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, n bigint);"),
    ],
    check: |ctx| {
        per_altered(ctx, |a| {
            if !a.type_changed() || casts::time_zone_change(&a.from.data_type, &a.to.data_type) || !a.cast().rewrites() {
                return None;
            }
            // A change that cannot run at all rewrites nothing (cast-always-fails says so).
            if a.failure() == Failure::NoCast {
                return None;
            }
            // Planned online, through a new column and a backfill: nothing rewrites.
            if !ctx.rewrites(a.table) {
                return None;
            }
            let lock = ctx.lock_on(a.table);
            let tree = match a.descendants {
                0 => String::new(),
                1 => " and its partition or child table".to_string(),
                n => format!(" and its {n} partitions or child tables"),
            };
            Some(Hit::new(
                a.object(),
                format!(
                    "changing {} {} rewrites table {}{tree} and rebuilds the indexes, holding {lock} (no reads or writes) until done",
                    a.object(),
                    a.types(),
                    a.table
                ),
                ctx.at(a.change),
            ))
        })
    },
};
