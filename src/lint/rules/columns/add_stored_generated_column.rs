//! SS313 add-stored-generated-column.

use crate::lint::{Class, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS313",
    name: "add-stored-generated-column",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A stored generated column (`GENERATED ALWAYS AS (…) STORED`) is added to an existing table, or an existing column becomes one or gets another expression.",
    why: "The expression is computed and stored for every existing row, so PostgreSQL writes the whole table again; while it \
          does, the application can neither read nor write the table. An expression that fails on some row (a division by \
          zero, a cast) makes the migration fail.",
    locks: "PostgreSQL: `ALTER TABLE … ADD COLUMN … GENERATED ALWAYS AS (…) STORED` takes an ACCESS EXCLUSIVE lock and \
            rewrites the table and its indexes. A generation expression cannot be changed in place before PostgreSQL 17, \
            so the planner drops the column and adds it again, with the same rewrite (and the same when a plain column \
            becomes generated: its stored values are replaced). MySQL: adding a STORED generated column copies the table; a VIRTUAL one is \
            added in place.",
    instead: "Add a plain column, fill it in batches with the expression and keep it current with a trigger; or compute the \
              value in a view or in the query; or index the expression itself (`CREATE INDEX CONCURRENTLY … ((expr))`) when \
              it is only needed for lookups.",
    fires: &[
        Example::new(
            "CREATE TABLE t (id bigint PRIMARY KEY, price numeric, qty integer);",
            "CREATE TABLE t (id bigint PRIMARY KEY, price numeric, qty integer, total numeric GENERATED ALWAYS AS (price * qty) STORED);",
        ),
        Example::new(
            "CREATE TABLE t (id bigint PRIMARY KEY, price numeric, qty integer, total numeric GENERATED ALWAYS AS (price * qty) STORED);",
            "CREATE TABLE t (id bigint PRIMARY KEY, price numeric, qty integer, total numeric GENERATED ALWAYS AS (price * qty * 1.2) STORED);",
        ),
    ],
    passes: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, price numeric, qty integer);", "CREATE TABLE t (id bigint PRIMARY KEY, price numeric, qty integer, total numeric);"),
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, price numeric, qty integer, total numeric GENERATED ALWAYS AS (price * qty) STORED);"),
    ],
    check: |ctx| {
        let mut hits: Vec<Hit> = ctx
            .added_columns()
            .filter_map(|(change, table, column)| {
                let expr = column.generated.as_ref()?;
                let object = format!("{table}.{}", column.name);
                let lock = ctx.lock_on(table);
                Some(Hit::new(
                    &object,
                    format!("adding generated column {object} computes ({expr}) for every existing row: table {table} is rewritten under {lock}"),
                    ctx.at(change),
                ))
            })
            .collect();
        // A column that becomes generated, or whose expression changes, is
        // dropped and added again (an expression cannot be changed in place
        // before PostgreSQL 17).
        hits.extend(ctx.altered_columns().iter().filter_map(|a| {
            let expr = a.to.generated.as_ref().filter(|e| a.from.generated.as_ref() != Some(*e))?;
            let object = a.object();
            let lock = ctx.lock_on(a.table);
            let what = if a.from.generated.is_some() { "'s generation expression changes" } else { " becomes a generated column, its stored values replaced" };
            Some(Hit::new(
                &object,
                format!("{object}{what}: the column is dropped and added again, computing ({expr}) for every row: table {} is rewritten under {lock}", a.table),
                ctx.at(a.change),
            ))
        }));
        hits
    },
};
