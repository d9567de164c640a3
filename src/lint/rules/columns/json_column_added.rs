//! SS316 json-column-added.

use crate::diff::Change;
use crate::lint::{Class, Example, Hit, Located, Rule};
use crate::model::{Column, QName};

pub static RULE: Rule = Rule {
    code: "SS316",
    name: "json-column-added",
    class: Class::NonBreaking,
    opt_in: false,
    summary: "A column is added as, or changed to, `json` rather than `jsonb`.",
    why: "`json` keeps the text as written and parses it again on every access: it has no equality operator (`DISTINCT`, \
          `GROUP BY`, `UNION` and unique constraints refuse it), no GIN index for containment (`@>`) or key lookups, and keeps \
          duplicate keys and key order. `jsonb` is what applications almost always want; changing later rewrites the table. \
          The opt-in style rules judge every `json` column of the schema; this rule only the ones a migration adds.",
    locks: "None of its own: the column is added or changed by the statements other rules judge. Converting a `json` column to \
            `jsonb` later is a type change that rewrites the table under an ACCESS EXCLUSIVE lock (and fails on a `\\u0000` \
            escape, which `jsonb` refuses).",
    instead: "Declare the column `jsonb`. Keep `json` only when the exact text (key order, duplicate keys, white space) must be \
              returned as it was stored.",
    fires: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY);", "CREATE TABLE t (id bigint PRIMARY KEY, payload json);"),
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, payload json NOT NULL);"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, payload text);", "CREATE TABLE t (id bigint PRIMARY KEY, payload json);"),
    ],
    passes: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY);", "CREATE TABLE t (id bigint PRIMARY KEY, payload jsonb);"),
        // Already json: nothing new.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, payload json);", "CREATE TABLE t (id bigint PRIMARY KEY, payload json NOT NULL);"),
    ],
    check: |ctx| {
        let is_json = |c: &Column| c.data_type.name == "json";
        let hit = |table: &QName, column: &Column, what: &str, at: Option<Located>| {
            let object = format!("{table}.{}", column.name);
            Hit::new(&object, format!("{object} {what} {}: jsonb can be indexed, compared and deduplicated", column.data_type), at)
        };
        let mut hits = Vec::new();
        for change in ctx.changes() {
            match change {
                Change::CreateTable { table } => {
                    // A partition's or child's copy of its parent's column is the parent's finding.
                    let parents = table.partition_of.iter().map(|p| &p.parent).chain(&table.inherits);
                    let inherited = |c: &Column| parents.clone().any(|p| ctx.new_column(p, &c.name).is_some());
                    for column in table.columns.iter().filter(|c| is_json(c) && !inherited(c)) {
                        hits.push(hit(&table.name, column, "is created as", Located::new(&column.location).or_else(|| ctx.at(change))));
                    }
                }
                Change::AddColumn { table, column } if is_json(column) && !ctx.added_through_parent(table, &column.name) => {
                    hits.push(hit(table, column, "is added as", ctx.at(change)))
                }
                Change::AlterColumn { table, from, to } if is_json(to) && !is_json(from) => {
                    hits.push(hit(table, to, &format!("changes from {} to", from.data_type), ctx.at(change)))
                }
                _ => {}
            }
        }
        hits
    },
};
