//! SS601 disable-row-level-security.
//!
//! Potentially breaking rather than breaking: no query fails, and roles
//! that own the table or bypass row-level security see no difference; but
//! every other role suddenly reads and writes rows the policies kept from
//! it, which for a multi-tenant application is a data leak.

use super::{before, names};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS601",
    name: "disable-row-level-security",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "Row-level security is disabled on a table that had it.",
    why: "The table's policies stop applying: every role with privileges on the table reads, changes and deletes every \
          row, including the rows the policies kept from it (another tenant's, another user's). Nothing fails, so nothing \
          shows it happened. Roles that own the table (without FORCE) or have BYPASSRLS saw every row already.",
    locks: "PostgreSQL: `ALTER TABLE … DISABLE ROW LEVEL SECURITY` takes ACCESS EXCLUSIVE briefly; catalog only. The \
            policies are kept, and apply again once it is enabled.",
    instead: "Keep row-level security on and change the policies instead: to let one role see every row, give it a \
              permissive policy `USING (true)` or the BYPASSRLS attribute, rather than lifting the protection for all.",
    fires: &[Example::new(
        "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
         ALTER TABLE doc ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY own ON doc USING (owner = current_user);",
        "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
         CREATE POLICY own ON doc USING (owner = current_user);",
    )],
    passes: &[
        // Enabled, not disabled.
        Example::new(
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\nCREATE POLICY own ON doc USING (owner = current_user);",
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
             ALTER TABLE doc ENABLE ROW LEVEL SECURITY;\n\
             CREATE POLICY own ON doc USING (owner = current_user);",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::SetRowLevelSecurity { table, enabled: false } = change else { continue };
        let Some(old) = before(ctx, table) else { continue };
        let message = if old.policies.is_empty() {
            format!("row-level security is disabled on {table}: roles that saw none of its rows (it had no policy) now see and change all of them")
        } else {
            format!(
                "row-level security is disabled on {table}: its policies ({}) stop applying, and every role with privileges on it sees and changes every row",
                names(old)
            )
        };
        hits.push(Hit::new(table.to_string(), message, ctx.at(change)));
    }
    hits
}
