//! SS806 prefer-text.

use super::per_column_type;
use crate::lint::{Class, Example, Rule};
use crate::model::quote_ident;

pub static RULE: Rule = Rule {
    code: "SS806",
    name: "prefer-text",
    class: Class::NonBreaking,
    opt_in: true,
    summary: "A column is varchar(n) or char(n): a length limit in the type.",
    why: "In PostgreSQL, text, varchar and char are stored alike; the limit is all varchar(n) adds, and a limit in the type \
          is hard to change: shortening it rewrites the table and fails on longer values, and every view over the column \
          must be dropped and created again around the change. char(n) pads values with spaces to n characters, ignores \
          trailing spaces in comparisons and drops them when converted to text, which surprises applications. A CHECK \
          constraint says the same limit and can be changed without touching the rows.",
    locks: "None: the rule reads the schema. `ALTER COLUMN … TYPE text` from varchar(n), or a longer varchar limit, only \
            changes the catalog (binary compatible types, PostgreSQL 9.2+), under an ACCESS EXCLUSIVE lock; from char(n) \
            it rewrites the table (the values lose their padding). A CHECK added `NOT VALID` takes a brief lock, and \
            `VALIDATE CONSTRAINT` scans under SHARE UPDATE EXCLUSIVE, which lets writes go on.",
    instead: "Declare `text` and put the limit in a constraint: `name text CONSTRAINT name_length CHECK (char_length(name) <= 50)`. \
              For an existing column: `ALTER TABLE t ALTER COLUMN name TYPE text;`, \
              `ALTER TABLE t ADD CONSTRAINT name_length CHECK (char_length(name) <= 50) NOT VALID;`, then \
              `ALTER TABLE t VALIDATE CONSTRAINT name_length;`.",
    fires: &[
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(50));"),
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, code char(3));"),
    ],
    passes: &[Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, name text CHECK (char_length(name) <= 50), note varchar);")],
    check: |ctx| {
        per_column_type(
            ctx,
            |t| match (t.name.as_str(), t.args.first()) {
                ("character varying", Some(n)) => Some(format!("a limit of {n} characters in the type; prefer text with a CHECK")),
                ("character" | "bpchar", n) => {
                    let n = n.map_or("1", |n| n.as_str());
                    Some(format!("padded with spaces to {n} character{}; prefer text with a CHECK", if n == "1" { "" } else { "s" }))
                }
                _ => None,
            },
            |t, c| {
                let col = quote_ident(&c.name);
                let n = c.data_type.args.first().map_or("1", |n| n.as_str());
                let check = quote_ident(&format!("{}_length", c.name));
                if c.data_type.array_dims > 0 {
                    return format!("`ALTER TABLE {} ALTER COLUMN {col} TYPE text[];` and check the elements' length in a CHECK", t.name);
                }
                format!(
                    "`ALTER TABLE {t} ALTER COLUMN {col} TYPE text;` then `ALTER TABLE {t} ADD CONSTRAINT {check} CHECK (char_length({col}) <= {n}) NOT VALID;` \
                     and `ALTER TABLE {t} VALIDATE CONSTRAINT {check};`",
                    t = t.name
                )
            },
        )
    },
};
