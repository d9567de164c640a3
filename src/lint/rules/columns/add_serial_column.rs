//! SS311 add-serial-column.

use crate::lint::{Class, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS311",
    name: "add-serial-column",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A `serial` column (a default drawing from a new sequence) is added to an existing table.",
    why: "Each existing row gets its own number from the sequence, so PostgreSQL writes the whole table again; while it does, \
          the application can neither read nor write the table. On a large table requests queue up and time out.",
    locks: "PostgreSQL: `ALTER TABLE … ADD COLUMN … DEFAULT nextval(…)` takes an ACCESS EXCLUSIVE lock and rewrites the table \
            and its indexes (`nextval` is volatile: it is called for every row). MySQL/InnoDB: adding an AUTO_INCREMENT column \
            rebuilds the table without allowing concurrent writes.",
    instead: "Add the column without a default, attach the sequence for new rows (`ALTER TABLE t ALTER COLUMN c SET DEFAULT \
              nextval('t_c_seq')`), number the existing rows in batches, then add NOT NULL and the unique index \
              (`CREATE UNIQUE INDEX CONCURRENTLY`). Or create a new table with the column and copy the rows over.",
    fires: &[Example::new("CREATE TABLE t (name text PRIMARY KEY);", "CREATE TABLE t (name text PRIMARY KEY, n serial);")],
    passes: &[
        Example::new("CREATE TABLE t (name text PRIMARY KEY);", "CREATE TABLE t (name text PRIMARY KEY, n integer);"),
        Example::new("", "CREATE TABLE t (name text PRIMARY KEY, n serial);"),
    ],
    check: |ctx| {
        ctx.added_columns()
            .filter(|(_, table, column)| ctx.is_serial(table, column))
            .map(|(change, table, column)| {
                let object = format!("{table}.{}", column.name);
                let lock = ctx.lock_on(table);
                Hit::new(
                    &object,
                    format!("adding serial column {object} numbers every existing row: table {table} is rewritten under {lock}"),
                    ctx.at(change),
                )
            })
            .collect()
    },
};
