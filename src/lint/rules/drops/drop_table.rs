//! SS101 drop-table.

use crate::diff::Change;
use super::{count, schema_dropped};
use crate::lint::rules::support::per_change;
use crate::lint::{Class, Example, Rule};

pub static RULE: Rule = Rule {
    code: "SS101",
    name: "drop-table",
    class: Class::Breaking,
    opt_in: false,
    summary: "A table is dropped.",
    why: "Every row of the table is deleted, and every query of the running application that names the table fails. \
          The down migration can create the table again, but empty: the rows come back only from a backup. \
          Its columns, indexes, constraints, triggers and owned sequences go with it and are not reported one by one; \
          a table whose whole schema is dropped is reported by `drop-schema`, with the rest of the schema.",
    locks: "PostgreSQL: `DROP TABLE` takes an ACCESS EXCLUSIVE lock on the table (and on tables whose foreign keys reference it, to drop those keys); it waits for every open transaction that touched the table. The drop itself is fast.",
    instead: "Deploy code that no longer uses the table first; copy its rows aside (or keep a backup) before dropping it, \
              or rename it and drop it in a later release once nothing has failed.",
    fires: &[Example::new("CREATE TABLE t (id bigint PRIMARY KEY);", "")],
    passes: &[
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY);"),
        // Its schema goes with it: that is drop-schema's finding, which names the table.
        Example::new("CREATE SCHEMA archive;\nCREATE TABLE archive.t (id bigint PRIMARY KEY);", ""),
    ],
    check: |ctx| {
        per_change(ctx, |c| match c {
            Change::DropTable { table } if !schema_dropped(ctx, &table.name.schema) => {
                let columns = count(table.columns.len(), "column");
                Some((table.name.to_string(), format!("table {} is dropped with all its rows ({columns})", table.name)))
            }
            _ => None,
        })
    },
};
