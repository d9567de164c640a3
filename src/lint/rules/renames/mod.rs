//! SS2xx: objects renamed or moved to another schema. Code that uses the
//! old name breaks the moment the statement commits.
//!
//! Renames come from hints in the new schema (`-- schemashift:renamed-from
//! <old>` on the line before the table, column or view); without one, the
//! differ sees a drop and a create, which the `drops` family reports. A
//! table moved to another schema is a rename whose schema part changes: it
//! is `set-schema`'s finding alone, even when its name changes too.

mod rename_column;
mod rename_enum_value;
mod rename_table;
mod rename_view;
mod reorder_enum_values;
mod set_schema;

use crate::lint::{Context, Rule};
use crate::model::QName;

pub static RULES: &[&Rule] = &[
    &rename_table::RULE,
    &rename_column::RULE,
    &rename_view::RULE,
    &set_schema::RULE,
    &reorder_enum_values::RULE,
    &rename_enum_value::RULE,
];

/// Whether the new schema keeps the old name answering: a view under it
/// (`CREATE VIEW old AS SELECT * FROM new`), which old code reads, and
/// writes through when it is a simple view over one table.
fn old_name_kept(ctx: &Context, old: &QName) -> bool {
    ctx.new.views.contains_key(old)
}

/// `; it takes a brief ACCESS EXCLUSIVE lock on public.t (catalog only)`:
/// what the planned steps do to the relation (by its old name), from their facts.
fn lock_on(ctx: &Context, relation: &QName) -> String {
    match ctx.heaviest_on(relation).and_then(|s| s.facts.lock.as_ref().map(|l| (l, s.facts.work))) {
        Some((lock, crate::plan::facts::Work::Metadata)) => format!("; it takes a brief {} lock on {} (catalog only)", lock.level, lock.on),
        Some((lock, _)) => format!("; it takes an {} lock on {}", lock.level, lock.on),
        None => String::new(),
    }
}

/// The help for a relation renamed or moved: a view under the old name.
fn compatibility_view(from: &QName, to: &QName) -> String {
    format!(
        "Keep the old name answering while both versions of the code run: add `CREATE VIEW {from} AS SELECT * FROM {to};` \
         to the new schema (a simple view over one table also takes INSERT, UPDATE and DELETE), deploy the code that uses \
         {to}, and drop the view in a later migration."
    )
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::drops::testing::findings;

    #[test]
    fn a_table_moved_and_renamed_is_set_schemas_finding_alone() {
        let old = "CREATE SCHEMA legacy;\nCREATE SCHEMA sales;\nCREATE TABLE legacy.orders (id bigint PRIMARY KEY);";
        let new = "CREATE SCHEMA legacy;\nCREATE SCHEMA sales;\n-- schemashift:renamed-from legacy.orders\nCREATE TABLE sales.purchases (id bigint PRIMARY KEY);";
        assert!(findings("rename-table", old, new).is_empty());
        let f = findings("set-schema", old, new);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "table legacy.orders moves to schema sales and is renamed, as sales.purchases: queries that name legacy.orders, \
             or find it through a search_path without sales, fail; it takes a brief ACCESS EXCLUSIVE lock on legacy.orders (catalog only)"
        );
        assert!(f[0].help.contains("CREATE VIEW legacy.orders AS SELECT * FROM sales.purchases;"), "{}", f[0].help);
    }

    #[test]
    fn an_enum_label_replaced_in_place_is_a_rename_and_not_also_a_drop() {
        let old = "CREATE TYPE status AS ENUM ('new', 'void', 'shipped', 'old');\nCREATE TABLE orders (id bigint, s status);";
        // 'void' is replaced at its place; 'old' goes with nothing in its place.
        let new = "CREATE TYPE status AS ENUM ('new', 'cancelled', 'shipped');\nCREATE TABLE orders (id bigint, s status);";
        let renamed = findings("rename-enum-value", old, new);
        let dropped = findings("drop-enum-value", old, new);
        assert_eq!((renamed.len(), dropped.len()), (1, 1));
        assert!(renamed[0].message.contains("replaces 'void' by 'cancelled'"), "{}", renamed[0].message);
        assert!(renamed[0].help.contains("ALTER TYPE public.status RENAME VALUE 'void' TO 'cancelled';"), "{}", renamed[0].help);
        assert!(renamed[0].preflight.as_ref().unwrap().sql.ends_with("WHERE s::text IN ('void');"));
        assert!(dropped[0].message.starts_with("label 'old' removed"), "{}", dropped[0].message);
        assert!(dropped[0].preflight.as_ref().unwrap().sql.ends_with("WHERE s::text IN ('old');"));
    }

    #[test]
    fn a_reorder_with_a_removal_is_reported_by_both_rules() {
        let old = "CREATE TYPE p AS ENUM ('low', 'high', 'medium', 'urgent');\nCREATE TABLE tasks (p p);";
        let new = "CREATE TYPE p AS ENUM ('low', 'medium', 'high');\nCREATE TABLE tasks (p p);";
        assert_eq!(findings("reorder-enum-values", old, new).len(), 1);
        assert_eq!(findings("drop-enum-value", old, new).len(), 1);
        // Reordered: nothing pairs up as a rename.
        assert!(findings("rename-enum-value", old, new).is_empty());
    }
}
