//! SS205 reorder-enum-values.

use crate::lint::rules::drops::enum_labels::{columns_using, converted, quoted, rebuilds, values};
use crate::lint::{Class, Context, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS205",
    name: "reorder-enum-values",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "An enum's labels are put in another order.",
    why: "An enum sorts and compares by the order of its labels, not alphabetically. Reordering them changes the meaning \
          of every comparison on the type without changing a single value: `WHERE status >= 'shipped'`, `ORDER BY \
          status`, `min(status)`, range conditions and the order of an index on the column all give other answers, and \
          code that relied on them misbehaves silently. PostgreSQL cannot reorder labels in place, so the type is also \
          created again and every column of it converted. Labels added in the middle (`ADD VALUE … BEFORE`) leave the \
          existing order alone and are not reported.",
    locks: "PostgreSQL: each column of the type is converted with `ALTER TABLE … ALTER COLUMN … TYPE … USING \
            col::text::type`, which takes an ACCESS EXCLUSIVE lock on its table and rewrites it, with its indexes.",
    instead: "Keep the existing order and add new labels where they belong (`ALTER TYPE status ADD VALUE 'paid' BEFORE \
              'shipped';`). If the order itself must change, check every comparison and ORDER BY on the type first, and \
              plan the rewrite of its tables for a quiet moment.",
    fires: &[Example::new(
        "CREATE TYPE priority AS ENUM ('low', 'high', 'medium');\nCREATE TABLE tasks (id bigint, p priority);",
        "CREATE TYPE priority AS ENUM ('low', 'medium', 'high');\nCREATE TABLE tasks (id bigint, p priority);",
    )],
    passes: &[
        // A label added in the middle: the existing ones keep their order.
        Example::new(
            "CREATE TYPE priority AS ENUM ('low', 'high');\nCREATE TABLE tasks (id bigint, p priority);",
            "CREATE TYPE priority AS ENUM ('low', 'medium', 'high');\nCREATE TABLE tasks (id bigint, p priority);",
        ),
        // A label removed: drop-enum-value's finding; the rest keep their order.
        Example::new(
            "CREATE TYPE priority AS ENUM ('low', 'medium', 'high');\nCREATE TABLE tasks (id bigint, p priority);",
            "CREATE TYPE priority AS ENUM ('low', 'high');\nCREATE TABLE tasks (id bigint, p priority);",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (change, to, labels) in rebuilds(ctx) {
        if !labels.reordered {
            continue;
        }
        let crate::diff::Change::RebuildEnum { from, .. } = change else { continue };
        let (Some(old), Some(new)) = (values(from), values(to)) else { continue };
        let kept_old: Vec<String> = old.iter().filter(|l| new.contains(l)).cloned().collect();
        let kept_new: Vec<String> = new.iter().filter(|l| old.contains(l)).cloned().collect();
        let name = &to.name;
        let columns = columns_using(ctx, name);
        let columns = if columns.is_empty() {
            String::new()
        } else {
            format!("; the type is created again and its columns converted, {}", converted(ctx, &columns))
        };
        hits.push(Hit::new(
            name.to_string(),
            format!(
                "the labels of enum {name} change order, ({}) becoming ({}): comparisons, ORDER BY and min/max on it give other answers{columns}",
                quoted(&kept_old),
                quoted(&kept_new)
            ),
            ctx.at(change),
        ));
    }
    hits
}
