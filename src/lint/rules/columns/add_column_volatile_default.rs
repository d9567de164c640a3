//! SS309 add-column-volatile-default.

use crate::lint::{Class, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS309",
    name: "add-column-volatile-default",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A column is added to an existing table with a default that must be computed for every row (a volatile function; before PostgreSQL 11, any default).",
    why: "To give each existing row its own value (a random uuid, the current clock time, the next sequence value) PostgreSQL \
          writes the whole table again, and while it does, the application can neither read nor write the table: on a large \
          table, requests queue up and time out.",
    locks: "PostgreSQL: `ALTER TABLE … ADD COLUMN … DEFAULT …` takes an ACCESS EXCLUSIVE lock. Since PostgreSQL 11 a default \
            that is not volatile (a constant, `now()`, `current_user`) is evaluated once and kept in the catalog: no rewrite. \
            A volatile default (`random()`, `clock_timestamp()`, `gen_random_uuid()`, `uuid_generate_v4()`, `nextval()`, \
            `timeofday()`, a function declared VOLATILE or not declared at all) is evaluated for each row, rewriting the table \
            and its indexes under the lock. Before PostgreSQL 11, every default other than NULL rewrites the table.",
    instead: "Add the column without a default (or with a constant one), set the volatile default afterwards for new rows \
              (`ALTER TABLE t ALTER COLUMN c SET DEFAULT gen_random_uuid();`, metadata only), then fill the existing rows in \
              batches (`UPDATE t SET c = gen_random_uuid() WHERE c IS NULL AND id BETWEEN …`), and add NOT NULL last \
              (`CHECK (c IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT`, then `SET NOT NULL`).",
    fires: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY);", "CREATE TABLE t (id bigint PRIMARY KEY, token uuid DEFAULT gen_random_uuid());"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY);", "CREATE TABLE t (id bigint PRIMARY KEY, seen timestamptz DEFAULT clock_timestamp());"),
        Example::on_version("CREATE TABLE t (id bigint PRIMARY KEY);", "CREATE TABLE t (id bigint PRIMARY KEY, status integer NOT NULL DEFAULT 0);", 10),
    ],
    passes: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY);", "CREATE TABLE t (id bigint PRIMARY KEY, status integer NOT NULL DEFAULT 0);"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY);", "CREATE TABLE t (id bigint PRIMARY KEY, created timestamptz DEFAULT now());"),
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, token uuid DEFAULT gen_random_uuid());"),
    ],
    check: |ctx| {
        ctx.added_columns()
            .filter(|(_, table, column)| column.identity.is_none() && column.generated.is_none() && !ctx.is_serial(table, column))
            .filter_map(|(change, table, column)| {
                let default = column.default.as_ref().filter(|d| !d.0.eq_ignore_ascii_case("NULL"))?;
                let object = format!("{table}.{}", column.name);
                let lock = ctx.lock_on(table);
                let message = match ctx.volatile_call(default) {
                    Some(f) => format!(
                        "adding {object} with DEFAULT {default} calls the volatile {f} for every existing row: table {table} is rewritten under {lock}"
                    ),
                    None => match ctx.server_version() {
                        Some(v) if v < 11 => format!(
                            "adding {object} with DEFAULT {default} on PostgreSQL {v} writes the default into every existing row: table {table} is rewritten under {lock}"
                        ),
                        _ => return None,
                    },
                };
                Some(Hit::new(object, message, ctx.at(change)))
            })
            .collect()
    },
};
