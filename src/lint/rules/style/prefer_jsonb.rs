//! SS807 prefer-jsonb.

use super::per_column_type;
use crate::lint::{Class, Example, Rule};
use crate::model::quote_ident;

pub static RULE: Rule = Rule {
    code: "SS807",
    name: "prefer-jsonb",
    class: Class::NonBreaking,
    opt_in: true,
    summary: "A column is json rather than jsonb.",
    why: "json keeps the document's text and parses it again on every access. It has no equality operator, so `DISTINCT`, \
          `GROUP BY`, `UNION` and unique indexes refuse it, and no operator class for GIN: containment (`@>`) and key \
          tests (`?`) are jsonb's only. jsonb stores the parsed document, compares, indexes and queries it directly. json is \
          right only when the exact text matters: white space, key order, duplicate keys.",
    locks: "None: the rule reads the schema. `ALTER COLUMN … TYPE jsonb` parses every value and rewrites the table under an \
            ACCESS EXCLUSIVE lock; it fails on a document jsonb refuses (a `\\u0000` escape in a string).",
    instead: "Declare `jsonb`. To convert a large table without a long lock: add a jsonb column, fill it in batches \
              (`UPDATE t SET doc_b = doc::jsonb WHERE id BETWEEN …`), keep it filled with a trigger meanwhile, then switch \
              the application and drop the old column; on a small one, `ALTER TABLE t ALTER COLUMN doc TYPE jsonb USING doc::jsonb;`.",
    fires: &[Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, doc json);")],
    passes: &[Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, doc jsonb);")],
    check: |ctx| {
        per_column_type(
            ctx,
            |t| (t.name == "json").then(|| "its documents are text, parsed on every access, and cannot be compared or indexed with GIN".to_string()),
            |t, c| {
                let col = quote_ident(&c.name);
                let ty = if c.data_type.array_dims > 0 { "jsonb[]" } else { "jsonb" };
                format!("`ALTER TABLE {} ALTER COLUMN {col} TYPE {ty} USING {col}::{ty};` (rewrites the table)", t.name)
            },
        )
    },
};
