//! SS201 rename-table.

use super::{compatibility_view, lock_on, old_name_kept};
use crate::diff::Change;
use crate::lint::{Class, Example, Hit, Rule};
use crate::model::quote_ident;

pub static RULE: Rule = Rule {
    code: "SS201",
    name: "rename-table",
    class: Class::Breaking,
    opt_in: false,
    summary: "A table is renamed.",
    why: "The rows stay, but every query of the running application that names the table by its old name fails from \
          the moment the rename commits until the new code is deployed: there is no moment at which old and new code \
          both work. Views, foreign keys, indexes and triggers follow the rename by themselves (PostgreSQL refers to \
          the table by its identity, not its name); function bodies and code outside the database do not. Not \
          reported when the new schema keeps a view under the old name. A table moved to another schema is \
          `set-schema`'s.",
    locks: "PostgreSQL: `ALTER TABLE … RENAME TO` takes an ACCESS EXCLUSIVE lock on the table, briefly: only the catalog \
            changes, but it waits for every open transaction that touched the table, and blocks everything queued \
            behind it meanwhile.",
    instead: "Keep the old name answering while both versions of the code run: in the same migration, after the rename, \
              create a view under the old name (`CREATE VIEW public.orders AS SELECT * FROM public.purchases;` — a simple \
              view over one table accepts INSERT, UPDATE and DELETE too), deploy the code that uses the new name, and \
              drop the view in a later migration.",
    fires: &[Example::new(
        "CREATE TABLE orders (id bigint PRIMARY KEY);",
        "-- schemashift:renamed-from orders\nCREATE TABLE purchases (id bigint PRIMARY KEY);",
    )],
    passes: &[
        // The old name keeps answering through a view.
        Example::new(
            "CREATE TABLE orders (id bigint PRIMARY KEY);",
            "-- schemashift:renamed-from orders\nCREATE TABLE purchases (id bigint PRIMARY KEY);\n\
             CREATE VIEW orders AS SELECT * FROM purchases;",
        ),
        // Without a hint it is a drop and a create (drop-table's finding), not a rename.
        Example::new("CREATE TABLE orders (id bigint PRIMARY KEY);", "CREATE TABLE purchases (id bigint PRIMARY KEY);"),
    ],
    check: |ctx| {
        ctx.changes()
            .filter_map(|c| match c {
                Change::RenameTable { from, to } if from.schema == to.schema && !old_name_kept(ctx, from) && !ctx.new.views.contains_key(to) => {
                    let message = format!(
                        "table {from} is renamed to {}: queries that name {from} fail until the code that uses the new name is deployed{}",
                        quote_ident(&to.name),
                        lock_on(ctx, from)
                    );
                    Some(Hit::new(to.to_string(), message, ctx.at(c)).help(compatibility_view(from, to)))
                }
                _ => None,
            })
            .collect()
    },
};
