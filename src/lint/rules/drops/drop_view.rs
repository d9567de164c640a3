//! SS104 drop-view.

use super::schema_dropped;
use crate::diff::Change;
use crate::lint::rules::support::per_change;
use crate::lint::{Class, Context, Example, Rule};
use crate::model::View;

pub static RULE: Rule = Rule {
    code: "SS104",
    name: "drop-view",
    class: Class::Breaking,
    opt_in: false,
    summary: "A view is dropped.",
    why: "A view holds no rows, but it is an interface: every query of the running application, report or other \
          view that reads it fails once it is gone, and writes through an updatable view (or its INSTEAD OF triggers \
          and rules) stop working. A view the migration drops only to create it again under the same name (its query \
          changed in a way `CREATE OR REPLACE VIEW` cannot take) is not reported; a materialized view is \
          `drop-materialized-view`'s, a view in a schema that is dropped `drop-schema`'s.",
    locks: "PostgreSQL: `DROP VIEW` takes an ACCESS EXCLUSIVE lock on the view, which waits for every transaction \
            that is reading it; the drop itself is immediate.",
    instead: "Deploy code that no longer reads the view first, then drop it in a later migration. To replace a view by \
              another one, create the new one beside it (`CREATE VIEW reporting.orders_v2 AS …`), move the readers, \
              and only then drop the old one.",
    fires: &[Example::new("CREATE TABLE t (id bigint);\nCREATE VIEW active_t AS SELECT id FROM t;", "CREATE TABLE t (id bigint);")],
    passes: &[
        // Dropped and created again under its name: a new definition, not a drop.
        Example::new(
            "CREATE TABLE t (id bigint, n int);\nCREATE VIEW v AS SELECT id, n FROM t;",
            "CREATE TABLE t (id bigint, n int);\nCREATE VIEW v AS SELECT n FROM t;",
        ),
        Example::new("CREATE MATERIALIZED VIEW m AS SELECT 1 AS x;", ""),
    ],
    check: |ctx| {
        per_change(ctx, |c| match c {
            Change::DropView { view } if !view.materialized && dropped_for_good(ctx, view) => {
                let writable = if view.triggers.is_empty() && view.rules.is_empty() {
                    String::new()
                } else {
                    " and writes through it stop working (it has INSTEAD OF triggers or rules)".to_string()
                };
                Some((view.name.to_string(), format!("view {} is dropped: queries that read it fail{writable}", view.name)))
            }
            _ => None,
        })
    },
};

/// Whether the view goes for good: not created again under its name (a
/// new definition) and not part of a schema that goes as a whole.
pub(super) fn dropped_for_good(ctx: &Context, view: &View) -> bool {
    let recreated = ctx.changes().any(|c| matches!(c, Change::CreateView { view: v } if v.name == view.name));
    !recreated && !schema_dropped(ctx, &view.name.schema)
}
