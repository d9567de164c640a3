//! SS310 add-not-null-column-without-default.

use crate::lint::{Class, Example, Hit, Preflight, Rule};

pub static RULE: Rule = Rule {
    code: "SS310",
    name: "add-not-null-column-without-default",
    class: Class::Breaking,
    opt_in: false,
    summary: "A NOT NULL column without a default is added to an existing table.",
    why: "The existing rows would have NULL in the new column, so the migration fails (`column … contains null values`) as \
          soon as the table has a row; it only passes where the table is empty, as in development. And if it does pass, the \
          running application's `INSERT`s, which do not name the new column, fail until the new code is deployed.",
    locks: "PostgreSQL: `ALTER TABLE … ADD COLUMN … NOT NULL` takes an ACCESS EXCLUSIVE lock and checks the existing rows; on a \
            table with rows it fails. MySQL instead fills the existing rows with the type's implicit default (0, ''); \
            SQLite refuses to add a NOT NULL column without a default.",
    instead: "Add the column with a default (`ADD COLUMN c integer NOT NULL DEFAULT 0`: metadata only since PostgreSQL 11), or \
              add it nullable, fill it in batches, then add NOT NULL (`CHECK (c IS NOT NULL) NOT VALID`, `VALIDATE \
              CONSTRAINT`, then `SET NOT NULL`, which uses the valid check on PostgreSQL 12 and later).",
    fires: &[Example::new("CREATE TABLE t (id bigint PRIMARY KEY);", "CREATE TABLE t (id bigint PRIMARY KEY, tenant_id bigint NOT NULL);")],
    passes: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY);", "CREATE TABLE t (id bigint PRIMARY KEY, tenant_id bigint NOT NULL DEFAULT 0);"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY);", "CREATE TABLE t (id bigint PRIMARY KEY, tenant_id bigint);"),
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, tenant_id bigint NOT NULL);"),
    ],
    check: |ctx| {
        ctx.added_columns()
            .filter(|(_, _, c)| !c.nullable && c.default.is_none() && c.identity.is_none() && c.generated.is_none())
            .map(|(change, table, column)| {
                let object = format!("{table}.{}", column.name);
                Hit::new(
                    &object,
                    format!("adding {object} ({}) NOT NULL without a default fails if table {table} has any row, and old code's INSERTs fail after it", column.data_type),
                    ctx.at(change),
                )
                .preflight(Preflight::no_rows(format!("SELECT 1 FROM {} LIMIT 1;", ctx.table_before(table))))
            })
            .collect()
    },
};
