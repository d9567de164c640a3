//! SS203 rename-view.

use super::{compatibility_view, old_name_kept};
use crate::diff::Change;
use crate::lint::{Class, Example, Hit, Rule};
use crate::model::quote_ident;

pub static RULE: Rule = Rule {
    code: "SS203",
    name: "rename-view",
    class: Class::Breaking,
    opt_in: false,
    summary: "A view or materialized view is renamed.",
    why: "The definition (and a materialized view's rows) stay, but every query that names the view by its old name \
          fails from the moment the rename commits until the new code is deployed. Other views that read it follow \
          the rename by themselves; function bodies and code outside the database do not. Not reported when the new \
          schema keeps a view under the old name. A view moved to another schema is `set-schema`'s.",
    locks: "PostgreSQL: `ALTER VIEW … RENAME TO` / `ALTER MATERIALIZED VIEW … RENAME TO` takes an ACCESS EXCLUSIVE lock \
            on the view, briefly (the catalog only), waiting for the transactions that read it.",
    instead: "Keep the old name answering while both versions of the code run: after the rename, create a view under the \
              old name over the new one (`CREATE VIEW public.active_users AS SELECT * FROM public.current_users;`), deploy \
              the code that uses the new name, then drop the old-name view in a later migration.",
    fires: &[
        Example::new(
            "CREATE TABLE users (id bigint);\nCREATE VIEW active_users AS SELECT id FROM users;",
            "CREATE TABLE users (id bigint);\n-- schemashift:renamed-from active_users\nCREATE VIEW current_users AS SELECT id FROM users;",
        ),
        Example::new(
            "CREATE MATERIALIZED VIEW totals AS SELECT 1 AS n;",
            "-- schemashift:renamed-from totals\nCREATE MATERIALIZED VIEW daily_totals AS SELECT 1 AS n;",
        ),
    ],
    passes: &[
        // The old name keeps answering through a view over the new one.
        Example::new(
            "CREATE TABLE users (id bigint);\nCREATE VIEW active_users AS SELECT id FROM users;",
            "CREATE TABLE users (id bigint);\n-- schemashift:renamed-from active_users\nCREATE VIEW current_users AS SELECT id FROM users;\n\
             CREATE VIEW active_users AS SELECT * FROM current_users;",
        ),
    ],
    check: |ctx| {
        ctx.changes()
            .filter_map(|c| match c {
                Change::RenameView { from, to } if from.schema == to.schema && !old_name_kept(ctx, from) => {
                    let kind = if ctx.new.views.get(to).is_some_and(|v| v.materialized) { "materialized view" } else { "view" };
                    let message = format!(
                        "{kind} {from} is renamed to {}: queries that name {from} fail until the code that uses the new name is deployed",
                        quote_ident(&to.name)
                    );
                    Some(Hit::new(to.to_string(), message, ctx.at(c)).help(compatibility_view(from, to)))
                }
                _ => None,
            })
            .collect()
    },
};
