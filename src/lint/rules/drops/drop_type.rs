//! SS107 drop-type.

use super::schema_dropped;
use crate::diff::Change;
use crate::lint::rules::support::per_change;
use crate::lint::{Class, Context, Example, Rule};
use crate::model::{QName, UserTypeKind};

pub static RULE: Rule = Rule {
    code: "SS107",
    name: "drop-type",
    class: Class::Breaking,
    opt_in: false,
    summary: "An enum, composite or range type is dropped.",
    why: "Code that names the type fails once it is gone: casts (`'shipped'::order_status`), function arguments and \
          results, and the columns that held it, which the migration must drop or convert first (their values are \
          converted or gone). The type's definition (an enum's labels and their order) comes back only from the old \
          schema. Domains are `drop-domain`'s; a type in a schema that is dropped is `drop-schema`'s.",
    locks: "PostgreSQL: `DROP TYPE` locks no table and is immediate, but refuses while a column, function or other type \
            still uses the type (the planner drops or converts those first, each with its own lock).",
    instead: "Deploy code that no longer uses the type first; convert its columns to another type in one migration \
              (`ALTER TABLE orders ALTER COLUMN status TYPE text USING status::text;`) and drop the type in a later one.",
    fires: &[Example::new("CREATE TYPE order_status AS ENUM ('new', 'shipped');", "")],
    passes: &[
        Example::new("", "CREATE TYPE order_status AS ENUM ('new', 'shipped');"),
        // A domain is drop-domain's.
        Example::new("CREATE DOMAIN positive AS integer CHECK (VALUE > 0);", ""),
    ],
    check: |ctx| {
        per_change(ctx, |c| match c {
            Change::DropType { user_type } if !matches!(user_type.kind, UserTypeKind::Domain { .. }) => {
                if schema_dropped(ctx, &user_type.name.schema) {
                    return None;
                }
                let kind = match &user_type.kind {
                    UserTypeKind::Enum { .. } => "enum type",
                    UserTypeKind::Composite { .. } => "composite type",
                    UserTypeKind::Range { .. } => "range type",
                    UserTypeKind::Domain { .. } => "domain",
                };
                let name = &user_type.name;
                Some((name.to_string(), format!("{kind} {name} is dropped: code that names it fails{}", used_by(ctx, name))))
            }
            _ => None,
        })
    },
};

/// `; columns that held it: public.t.a, public.u.b`, from the old schema.
pub(super) fn used_by(ctx: &Context, name: &QName) -> String {
    let name = name.to_string();
    let columns: Vec<String> = ctx
        .old
        .tables
        .iter()
        .flat_map(|(t, table)| table.columns.iter().filter(|c| c.data_type.name == name).map(move |c| format!("{t}.{}", c.name)))
        .collect();
    if columns.is_empty() { String::new() } else { format!("; columns that held it: {}", columns.join(", ")) }
}
