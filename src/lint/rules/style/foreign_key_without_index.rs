//! SS802 foreign-key-without-index.

use super::column_name;
use crate::lint::{Class, Example, Hit, Located, Rule};
use crate::model::{ConstraintKind, Index, Table, quote_ident};

pub static RULE: Rule = Rule {
    code: "SS802",
    name: "foreign-key-without-index",
    class: Class::NonBreaking,
    opt_in: true,
    summary: "A foreign key's columns are not the leading columns of any index of its table.",
    why: "PostgreSQL indexes the referenced side of a foreign key (it must be a key) but not the referencing side. Every \
          DELETE of a referenced row, and every UPDATE of its key, looks for referencing rows: without an index that \
          starts with the foreign key's columns, that is a scan of the whole referencing table, once per row, holding \
          locks meanwhile. Joins from the parent to its children scan too.",
    locks: "None: the rule reads the schema. `CREATE INDEX CONCURRENTLY` builds the index with a SHARE UPDATE EXCLUSIVE \
            lock, which lets reads and writes go on (it cannot run in a transaction block); a plain `CREATE INDEX` takes \
            a SHARE lock that blocks writes for the whole build.",
    instead: "Index the foreign key's columns, in any order, as the first columns of an index: \
              `CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);`. A primary key or UNIQUE \
              constraint that starts with them serves as well (a join table's `PRIMARY KEY (a_id, b_id)` covers the \
              foreign key on `a_id`, not the one on `b_id`).",
    fires: &[
        Example::new(
            "",
            "CREATE TABLE customers (id bigint PRIMARY KEY);\n\
             CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers, placed date);\n\
             CREATE INDEX orders_placed_customer ON orders (placed, customer_id);",
        ),
    ],
    passes: &[
        Example::new(
            "",
            "CREATE TABLE customers (id bigint PRIMARY KEY);\n\
             CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers, placed date);\n\
             CREATE INDEX orders_customer_placed ON orders (customer_id, placed);",
        ),
        Example::new(
            "",
            "CREATE TABLE a (id bigint PRIMARY KEY);\n\
             CREATE TABLE b (id bigint PRIMARY KEY);\n\
             CREATE TABLE a_b (a_id bigint REFERENCES a, b_id bigint REFERENCES b, PRIMARY KEY (a_id, b_id));\n\
             CREATE INDEX a_b_b_id ON a_b (b_id) WHERE b_id IS NOT NULL;",
        ),
    ],
    check: |ctx| {
        let mut hits = Vec::new();
        for t in ctx.new.tables.values() {
            for c in t.constraints.values() {
                let ConstraintKind::ForeignKey { columns, references, .. } = &c.kind else { continue };
                if covered(t, columns) {
                    continue;
                }
                let list = columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
                let object = column_name(&t.name, &c.name);
                let index = quote_ident(&format!("{}_{}_idx", t.name.name, columns.join("_")));
                hits.push(
                    Hit::new(
                        &object,
                        format!(
                            "foreign key {} of {} ({list}) has no index that starts with its columns: each DELETE on {references}, \
                             or change of its key, scans {}",
                            quote_ident(&c.name),
                            t.name,
                            t.name
                        ),
                        Located::new(&c.location),
                    )
                    .help(format!("`CREATE INDEX CONCURRENTLY {index} ON {} ({list});`", t.name)),
                );
            }
        }
        hits
    },
};

/// Whether an index or key of `table` can find the rows with given values
/// of `columns`: its first `columns.len()` keys are those columns (in any
/// order). A partial index counts when its predicate only leaves out rows
/// whose foreign key is NULL, which no lookup asks for.
fn covered(table: &Table, columns: &[String]) -> bool {
    let leads = |keys: &[&str]| keys.len() >= columns.len() && columns.iter().all(|c| keys[..columns.len()].contains(&c.as_str()));
    let index_serves = |i: &Index| {
        let keys: Vec<&str> = i.keys.iter().take_while(|k| !k.expression).map(|k| k.expr.as_str()).collect();
        let method = i.method == "btree" || i.method == "hash" && columns.len() == 1;
        let predicate = i.predicate.as_ref().is_none_or(|p| columns.iter().any(|c| p.0 == format!("({} IS NOT NULL)", quote_ident(c))));
        method && predicate && leads(&keys)
    };
    table.indexes.values().any(index_serves)
        || table.constraints.values().any(|c| match &c.kind {
            ConstraintKind::PrimaryKey { columns: keys, .. } | ConstraintKind::Unique { columns: keys, .. } => {
                leads(&keys.iter().map(String::as_str).collect::<Vec<_>>())
            }
            _ => false,
        })
}
