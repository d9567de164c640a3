//! SS112 drop-extension.

use super::schema_dropped;
use crate::diff::Change;
use crate::lint::rules::support::per_change;
use crate::lint::{Class, Example, Rule};

pub static RULE: Rule = Rule {
    code: "SS112",
    name: "drop-extension",
    class: Class::Breaking,
    opt_in: false,
    summary: "An extension is dropped, with the types, functions and operators it provides.",
    why: "An extension installs objects of its own (`citext` a type, `pgcrypto` functions, `postgis` types, functions \
          and operators, `pg_trgm` operator classes). They all go with it: queries calling its functions fail, and \
          columns, indexes, defaults or views that use its objects must go first, or PostgreSQL refuses the drop and \
          the migration fails. Some extensions also keep data of their own (configuration tables), which is gone too. \
          An extension installed in a schema that is dropped is `drop-schema`'s.",
    locks: "PostgreSQL: `DROP EXTENSION` locks no user table itself and is fast; without `CASCADE` it refuses while \
            anything outside the extension depends on its objects (with `CASCADE` it drops those too: columns, \
            indexes and views, each taking the lock its own drop takes).",
    instead: "Find what still uses it (for `citext`: columns of that type; for `pg_trgm`: indexes with its operator classes), \
              convert or drop those in an earlier migration, deploy code that no longer calls its functions, then drop \
              the extension.",
    fires: &[Example::new("CREATE EXTENSION pg_trgm;", "")],
    passes: &[
        Example::new("", "CREATE EXTENSION pg_trgm;"),
        // Its schema goes with it: drop-schema's finding, which names it.
        Example::new("CREATE SCHEMA ext;\nCREATE EXTENSION pg_trgm SCHEMA ext;", ""),
    ],
    check: |ctx| {
        per_change(ctx, |c| match c {
            Change::DropExtension { extension } if !schema_dropped(ctx, &extension.schema) => Some((
                extension.name.clone(),
                format!(
                    "extension {} (in schema {}) is dropped: the types, functions and operators it provides go with it, \
                     and whatever still uses them fails or makes the drop fail",
                    extension.name, extension.schema
                ),
            )),
            _ => None,
        })
    },
};
