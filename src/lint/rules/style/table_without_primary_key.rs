//! SS801 table-without-primary-key.

use crate::lint::{Class, Example, Hit, Located, Rule};

pub static RULE: Rule = Rule {
    code: "SS801",
    name: "table-without-primary-key",
    class: Class::NonBreaking,
    opt_in: true,
    summary: "A table has no primary key.",
    why: "Without a primary key nothing identifies a row: duplicates creep in, an ORM cannot update or delete one row, and \
          logical replication (a publication that includes UPDATE or DELETE) refuses those statements on the table unless \
          its replica identity is set to an index or FULL. Tools that copy or compare tables row by row need a key too.",
    locks: "None: the rule reads the schema. Adding a key later is `ALTER TABLE … ADD PRIMARY KEY`, which builds its \
            unique index under an ACCESS EXCLUSIVE lock (and scans for NULLs when the columns are not yet NOT NULL); \
            with `CREATE UNIQUE INDEX CONCURRENTLY` first and `ADD PRIMARY KEY USING INDEX`, the lock is brief. \
            A partition takes its parent's key: the rule judges the parent.",
    instead: "Give every table a primary key: a surrogate `id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY`, or the \
              columns that identify a row (`PRIMARY KEY (order_id, line_no)`). On a large existing table: \
              `CREATE UNIQUE INDEX CONCURRENTLY t_pkey ON t (id);` then `ALTER TABLE t ADD PRIMARY KEY USING INDEX t_pkey;`.",
    fires: &[Example::new("", "CREATE TABLE events (payload text, created_at timestamptz);")],
    passes: &[
        Example::new("", "CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text);"),
        // A partition has its parent's key.
        Example::new(
            "",
            "CREATE TABLE m (id bigint, day date, PRIMARY KEY (id, day)) PARTITION BY RANGE (day);\n\
             CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
        ),
    ],
    check: |ctx| {
        ctx.new
            .tables
            .values()
            .filter(|t| t.partition_of.is_none() && t.primary_key().is_none())
            .map(|t| Hit::new(t.name.to_string(), format!("table {} has no primary key", t.name), Located::new(&t.location)))
            .collect()
    },
};
