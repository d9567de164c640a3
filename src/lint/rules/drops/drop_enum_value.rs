//! SS114 drop-enum-value.

use super::enum_labels::{columns_using, converted, preflight, quoted, rebuilds};
use crate::lint::{Class, Context, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS114",
    name: "drop-enum-value",
    class: Class::Breaking,
    opt_in: false,
    summary: "A label is removed from an enum type.",
    why: "PostgreSQL cannot remove a label from an enum: the planner creates the type again without it and converts \
          every column that uses it through text. A row that holds the removed label makes that conversion fail, and \
          the whole migration with it; the finding carries the query that lists those rows. Code that still writes the \
          label fails once it is gone. A label replaced at the same place by a new one looks like a rename and is \
          `rename-enum-value`'s finding, not this one's.",
    locks: "PostgreSQL: each column of the type is converted with `ALTER TABLE … ALTER COLUMN … TYPE … USING col::text::type`, \
            which takes an ACCESS EXCLUSIVE lock on its table and rewrites it (with its indexes) while readers and \
            writers wait. `ALTER TYPE … DROP VALUE` does not exist.",
    instead: "First move the rows off the label (`UPDATE orders SET status = 'cancelled' WHERE status = 'void';`) and stop \
              writing it, in an earlier deploy; run the finding's query, which must return no rows; then remove the label. \
              On a large table, consider keeping the label and refusing it with a CHECK constraint instead of rebuilding the type.",
    fires: &[Example::new(
        "CREATE TYPE status AS ENUM ('new', 'void', 'shipped');\nCREATE TABLE orders (id bigint, s status);",
        "CREATE TYPE status AS ENUM ('new', 'shipped');\nCREATE TABLE orders (id bigint, s status);",
    )],
    passes: &[
        // Only added: ALTER TYPE … ADD VALUE, nothing removed.
        Example::new(
            "CREATE TYPE status AS ENUM ('new', 'shipped');\nCREATE TABLE orders (id bigint, s status);",
            "CREATE TYPE status AS ENUM ('new', 'paid', 'shipped');\nCREATE TABLE orders (id bigint, s status);",
        ),
        // Replaced at its place: rename-enum-value's finding.
        Example::new(
            "CREATE TYPE status AS ENUM ('new', 'void', 'shipped');\nCREATE TABLE orders (id bigint, s status);",
            "CREATE TYPE status AS ENUM ('new', 'cancelled', 'shipped');\nCREATE TABLE orders (id bigint, s status);",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (change, to, labels) in rebuilds(ctx) {
        if labels.removed.is_empty() {
            continue;
        }
        let name = &to.name;
        let columns = columns_using(ctx, name);
        let s = if labels.removed.len() == 1 { "" } else { "s" };
        let removed = quoted(&labels.removed);
        // `--preserve-data` keeps the rows holding the labels and clears them first.
        let kept = |c: &super::enum_labels::EnumColumn| ctx.plan.backups.iter().any(|b| b.relation == c.table && b.column.as_deref() == Some(c.column.as_str()));
        let message = if columns.is_empty() {
            format!("label{s} {removed} removed from enum {name}: the type is created again, and code that writes {removed} fails")
        } else if columns.iter().all(kept) {
            format!(
                "label{s} {removed} removed from enum {name}: the type is created again and its columns converted, {}; the rows holding {removed} \
                 are kept in {} and set to NULL (or the column's default) first, and the down puts them back, but the application sees them changed",
                converted(ctx, &columns),
                crate::model::BACKUP_SCHEMA
            )
        } else {
            format!(
                "label{s} {removed} removed from enum {name}: the type is created again and its columns converted, {}; a row holding {removed} makes the migration fail",
                converted(ctx, &columns)
            )
        };
        let mut hit = Hit::new(name.to_string(), message, ctx.at(change));
        if let Some(p) = preflight(&columns, &labels.removed) {
            hit = hit.preflight(p);
        }
        hits.push(hit);
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::super::testing::findings;

    #[test]
    fn the_preflight_covers_every_column_of_the_type() {
        let old = "CREATE SCHEMA s;\nCREATE TYPE s.status AS ENUM ('new', 'void', 'shipped');\n\
                   CREATE TABLE orders (id bigint, s s.status, history s.status[]);\nCREATE TABLE gone (s s.status);";
        let new = "CREATE SCHEMA s;\nCREATE TYPE s.status AS ENUM ('new', 'shipped');\n\
                   CREATE TABLE orders (id bigint, s s.status, history s.status[]);";
        let f = findings("drop-enum-value", old, new);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "label 'void' removed from enum s.status: the type is created again and its columns converted, public.orders.s, \
             public.orders.history (rewriting public.orders under ACCESS EXCLUSIVE); a row holding 'void' makes the migration fail"
        );
        let p = f[0].preflight.as_ref().expect("a preflight query");
        assert_eq!(
            p.sql,
            "SELECT 'public.orders' AS table_name, 's' AS column_name, s::text AS value FROM public.orders WHERE s::text IN ('void')\n\
             UNION ALL\n\
             SELECT 'public.orders' AS table_name, 'history' AS column_name, history::text AS value FROM public.orders WHERE history::text[] && ARRAY['void'];"
        );
    }
}
