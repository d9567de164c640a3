//! SS312 add-identity-column.

use crate::lint::{Class, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS312",
    name: "add-identity-column",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "An identity column (`GENERATED … AS IDENTITY`) is added to an existing table.",
    why: "Each existing row gets its own number from the identity's sequence, so PostgreSQL writes the whole table again; \
          while it does, the application can neither read nor write the table. On a large table requests queue up and time \
          out.",
    locks: "PostgreSQL: `ALTER TABLE … ADD COLUMN … GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY` takes an ACCESS EXCLUSIVE \
            lock and rewrites the table and its indexes, filling the column from the sequence. MySQL/InnoDB: adding an \
            AUTO_INCREMENT column rebuilds the table without allowing concurrent writes.",
    instead: "Add a plain nullable column, number the existing rows in batches from a sequence, then make it NOT NULL (`CHECK \
              … NOT VALID`, `VALIDATE CONSTRAINT`, `SET NOT NULL`) and turn it into an identity (`ALTER COLUMN c ADD GENERATED \
              BY DEFAULT AS IDENTITY (START WITH <max + 1>)`, metadata only). Or create a new table and copy the rows over.",
    fires: &[Example::new(
        "CREATE TABLE t (name text PRIMARY KEY);",
        "CREATE TABLE t (name text PRIMARY KEY, id bigint GENERATED ALWAYS AS IDENTITY);",
    )],
    passes: &[
        Example::new("CREATE TABLE t (name text PRIMARY KEY);", "CREATE TABLE t (name text PRIMARY KEY, id bigint);"),
        Example::new("", "CREATE TABLE t (name text PRIMARY KEY, id bigint GENERATED ALWAYS AS IDENTITY);"),
    ],
    check: |ctx| {
        ctx.added_columns()
            .filter(|(_, _, column)| column.identity.is_some())
            .map(|(change, table, column)| {
                let object = format!("{table}.{}", column.name);
                let lock = ctx.lock_on(table);
                Hit::new(
                    &object,
                    format!("adding identity column {object} numbers every existing row: table {table} is rewritten under {lock}"),
                    ctx.at(change),
                )
            })
            .collect()
    },
};
