//! SS105 drop-materialized-view.

use super::drop_view::dropped_for_good;
use crate::diff::Change;
use crate::lint::rules::support::per_change;
use crate::lint::{Class, Example, Rule};

pub static RULE: Rule = Rule {
    code: "SS105",
    name: "drop-materialized-view",
    class: Class::Breaking,
    opt_in: false,
    summary: "A materialized view is dropped, with the rows it stored.",
    why: "Queries that read the materialized view fail once it is gone, and the rows it stored go with it, with its \
          indexes. Creating it again (the down migration does) runs its whole query and stores the result again: \
          as long as a full `REFRESH`, on every table the query reads, and the view cannot be read meanwhile. \
          If the tables it read have changed since the last refresh, the rows it held cannot be had again at all. \
          A materialized view dropped only to create it again under the same name (its query changed) is not \
          reported; one in a schema that is dropped is `drop-schema`'s.",
    locks: "PostgreSQL: `DROP MATERIALIZED VIEW` takes an ACCESS EXCLUSIVE lock on it, which waits for every \
            transaction reading it; the drop itself is immediate. `CREATE MATERIALIZED VIEW` (to bring it back) runs \
            the query in full; `WITH NO DATA` postpones that to a `REFRESH`, and the view cannot be queried until then.",
    instead: "Deploy code that no longer reads it first; if its rows may be needed again, keep a copy \
              (`CREATE TABLE reporting.daily_totals_copy AS SELECT * FROM reporting.daily_totals;`) before dropping it \
              in a later migration.",
    fires: &[Example::new("CREATE MATERIALIZED VIEW totals AS SELECT 1 AS n;", "")],
    passes: &[
        Example::new("CREATE VIEW totals AS SELECT 1 AS n;", ""),
        // The same name, defined anew: its rows are computed again, nothing is lost for good.
        Example::new("CREATE MATERIALIZED VIEW totals AS SELECT 1 AS n;", "CREATE MATERIALIZED VIEW totals AS SELECT 2 AS n;"),
    ],
    check: |ctx| {
        per_change(ctx, |c| match c {
            Change::DropView { view } if view.materialized && dropped_for_good(ctx, view) => {
                let indexes = if view.indexes.is_empty() { String::new() } else { format!(" and its {}", super::count(view.indexes.len(), "index")) };
                Some((
                    view.name.to_string(),
                    format!(
                        "materialized view {} is dropped with the rows it stored{indexes}: queries that read it fail, \
                         and creating it again means computing its whole query again",
                        view.name
                    ),
                ))
            }
            _ => None,
        })
    },
};
