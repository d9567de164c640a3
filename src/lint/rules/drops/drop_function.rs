//! SS109 drop-function.

use super::schema_dropped;
use crate::diff::Change;
use crate::lint::rules::support::per_change;
use crate::lint::{Class, Example, Rule};

pub static RULE: Rule = Rule {
    code: "SS109",
    name: "drop-function",
    class: Class::Breaking,
    opt_in: false,
    summary: "A function or procedure is dropped (or its argument types change).",
    why: "PostgreSQL identifies a function by its name and argument types, so changing the arguments drops the old \
          function and creates another one. Every caller of the old one fails: the application's queries and `CALL`s, \
          and the other functions whose bodies call it (PostgreSQL does not check function bodies, so it fails only \
          when they run). A call may also start resolving to another overload, with different behaviour. A function in \
          a schema that is dropped is `drop-schema`'s.",
    locks: "PostgreSQL: `DROP FUNCTION` / `DROP PROCEDURE` locks no table and is immediate; it refuses while a trigger, \
            a default, a view or an index still uses the function (the planner drops or changes those first).",
    instead: "Create the new function beside the old one (a new name, or the new argument types as an overload), move \
              every caller to it and deploy that, then drop the old one in a later migration \
              (`DROP FUNCTION public.order_total(integer);`).",
    fires: &[
        Example::new("CREATE FUNCTION order_total(o integer) RETURNS numeric LANGUAGE sql AS 'SELECT 0';", ""),
        // Another argument type: the old signature is gone.
        Example::new(
            "CREATE FUNCTION order_total(o integer) RETURNS numeric LANGUAGE sql AS 'SELECT 0';",
            "CREATE FUNCTION order_total(o bigint) RETURNS numeric LANGUAGE sql AS 'SELECT 0';",
        ),
    ],
    passes: &[
        // A new body under the same signature is replaced in place.
        Example::new(
            "CREATE FUNCTION order_total(o integer) RETURNS numeric LANGUAGE sql AS 'SELECT 0';",
            "CREATE FUNCTION order_total(o integer) RETURNS numeric LANGUAGE sql AS 'SELECT 1';",
        ),
    ],
    check: |ctx| {
        per_change(ctx, |c| match c {
            Change::DropFunction { function } if !schema_dropped(ctx, &function.name.schema) => {
                let kind = if function.procedure { "procedure" } else { "function" };
                let signature = function.signature();
                let others: Vec<String> = ctx.new.functions.values().filter(|f| f.name == function.name).map(|f| f.signature()).collect();
                let others = if others.is_empty() {
                    String::new()
                } else {
                    format!("; {} remains, and calls may resolve to it instead, or fail", others.join(", "))
                };
                Some((signature.clone(), format!("{kind} {signature} is dropped: its callers fail{others}")))
            }
            _ => None,
        })
    },
};
