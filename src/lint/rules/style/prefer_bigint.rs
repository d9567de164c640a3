//! SS803 prefer-bigint.

use super::{column_name, is_serial, own_columns};
use crate::lint::{Class, Example, Hit, Located, Rule};
use crate::model::{ConstraintKind, quote_ident};

pub static RULE: Rule = Rule {
    code: "SS803",
    name: "prefer-bigint",
    class: Class::NonBreaking,
    opt_in: true,
    summary: "A primary key, identity or serial column is integer or smallint.",
    why: "Numbers drawn from a sequence only grow, gaps included (rolled-back inserts, cached values): an integer key \
          stops at 2147483647, a smallint at 32767, and from then on every insert fails until the column is converted. \
          The conversion rewrites the table, its indexes and every referencing column, on the largest table, at the \
          worst moment. bigint costs four more bytes a row and never runs out in practice. Keys made of several columns \
          are left out: their columns are usually references, judged where they point.",
    locks: "None: the rule reads the schema. Converting later, `ALTER TABLE … ALTER COLUMN id TYPE bigint` rewrites the \
            table and rebuilds its indexes under an ACCESS EXCLUSIVE lock (integer to bigint is not binary compatible), \
            and each foreign key column that references it needs the same conversion.",
    instead: "Declare keys and generated numbers bigint from the start: `id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY`. \
              For an existing large table, add a bigint column, fill it in batches (and keep it filled with a trigger), \
              build its unique index CONCURRENTLY, then swap the columns and the key in one short transaction; set the \
              type of a serial's sequence too (`ALTER SEQUENCE t_id_seq AS bigint`; an identity's follows its column).",
    fires: &[
        Example::new("", "CREATE TABLE t (id integer PRIMARY KEY);"),
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, n smallserial);"),
    ],
    passes: &[
        Example::new("", "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, qty integer);"),
        // A key of several columns: each is judged where it comes from.
        Example::new("", "CREATE TABLE t (a integer, b integer, PRIMARY KEY (a, b));"),
    ],
    check: |ctx| {
        let mut hits = Vec::new();
        for (t, c) in own_columns(ctx.new) {
            let (bits, max) = match c.data_type.name.as_str() {
                _ if c.data_type.array_dims > 0 => continue,
                "integer" => ("integer", "2147483647"),
                "smallint" => ("smallint", "32767"),
                _ => continue,
            };
            let single_key = matches!(&t.primary_key().map(|k| &k.kind), Some(ConstraintKind::PrimaryKey { columns, .. }) if columns.len() == 1 && columns[0] == c.name);
            let serial = is_serial(ctx.new, t, c);
            let what = if c.identity.is_some() {
                "an identity column"
            } else if serial.is_some() {
                "a serial column"
            } else if single_key {
                "the primary key"
            } else {
                continue;
            };
            let object = column_name(&t.name, &c.name);
            let mut help = format!("`ALTER TABLE {} ALTER COLUMN {} TYPE bigint;` (rewrites the table: on a large one, add a bigint column and swap)", t.name, quote_ident(&c.name));
            // An identity's sequence follows the column's type; a serial's does not.
            if let Some(s) = serial {
                help.push_str(&format!(", then `ALTER SEQUENCE {s} AS bigint;`"));
            }
            hits.push(
                Hit::new(&object, format!("{object} is {what} of type {bits}: its values stop at {max}"), Located::new(&c.location)).help(help),
            );
        }
        hits
    },
};
