//! SS108 drop-domain.

use super::drop_type::used_by;
use super::schema_dropped;
use crate::diff::Change;
use crate::lint::rules::support::per_change;
use crate::lint::{Class, Example, Rule};
use crate::model::UserTypeKind;

pub static RULE: Rule = Rule {
    code: "SS108",
    name: "drop-domain",
    class: Class::Breaking,
    opt_in: false,
    summary: "A domain is dropped.",
    why: "Code that names the domain fails once it is gone (casts, function arguments), and the rules it enforced \
          (its CHECK constraints, NOT NULL, default) no longer apply to the values of the columns that used it: those \
          columns are converted to another type first, and keep their values but lose the checks. A domain in a schema \
          that is dropped is `drop-schema`'s.",
    locks: "PostgreSQL: `DROP DOMAIN` locks no table and is immediate, but refuses while a column or function still uses \
            it (the planner converts those first: `ALTER TABLE … ALTER COLUMN … TYPE`, an ACCESS EXCLUSIVE lock on \
            each table, without a rewrite when the new type is the domain's base type).",
    instead: "If the checks must hold, put them on the columns first (`ALTER TABLE orders ADD CONSTRAINT \
              orders_amount_positive CHECK (amount > 0) NOT VALID;` then `VALIDATE CONSTRAINT`), deploy code that no \
              longer names the domain, and drop it in a later migration.",
    fires: &[Example::new("CREATE DOMAIN positive_amount AS numeric CHECK (VALUE > 0);", "")],
    passes: &[
        Example::new("", "CREATE DOMAIN positive_amount AS numeric CHECK (VALUE > 0);"),
        // An enum is drop-type's.
        Example::new("CREATE TYPE order_status AS ENUM ('new', 'shipped');", ""),
    ],
    check: |ctx| {
        per_change(ctx, |c| match c {
            Change::DropType { user_type } if matches!(user_type.kind, UserTypeKind::Domain { .. }) => {
                if schema_dropped(ctx, &user_type.name.schema) {
                    return None;
                }
                let UserTypeKind::Domain { base, checks, not_null, .. } = &user_type.kind else { return None };
                let name = &user_type.name;
                let mut rules: Vec<String> = checks.iter().map(|(name, expr)| format!("{name}: {expr}")).collect();
                if *not_null {
                    rules.insert(0, "NOT NULL".to_string());
                }
                let rules = if rules.is_empty() { String::new() } else { format!(" and what it enforced ({}) no longer applies", rules.join(", ")) };
                Some((name.to_string(), format!("domain {name} (over {base}) is dropped: code that names it fails{rules}{}", used_by(ctx, name))))
            }
            _ => None,
        })
    },
};
