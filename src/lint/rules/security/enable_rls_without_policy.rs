//! SS605 enable-rls-without-policy.

use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS605",
    name: "enable-rls-without-policy",
    class: Class::Breaking,
    opt_in: false,
    summary: "Row-level security is enabled on a table that has no policy.",
    why: "With row-level security on and no policy, PostgreSQL denies every row by default: every role other than the \
          table's owner (and superusers and roles with BYPASSRLS) sees an empty table, and its inserts, updates and deletes \
          are refused; with FORCE, the owner too. An application that connects as such a role stops working on the table \
          the moment the migration commits. It usually means the policies were meant to come in the same migration.",
    locks: "PostgreSQL: `ALTER TABLE … ENABLE ROW LEVEL SECURITY` takes ACCESS EXCLUSIVE briefly; catalog only.",
    instead: "Create the policies in the same migration as the `ENABLE ROW LEVEL SECURITY` (or before it). If the table is \
              meant to be reachable by its owner only, revoke the other roles' privileges instead, which makes their queries \
              fail loudly rather than return nothing.",
    fires: &[
        Example::new("CREATE TABLE doc (id bigint PRIMARY KEY, owner text);", "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\nALTER TABLE doc ENABLE ROW LEVEL SECURITY;"),
        Example::new("", "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\nALTER TABLE doc ENABLE ROW LEVEL SECURITY;"),
    ],
    passes: &[
        // Enabled together with a policy.
        Example::new(
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);",
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
             ALTER TABLE doc ENABLE ROW LEVEL SECURITY;\n\
             CREATE POLICY own ON doc USING (owner = current_user);",
        ),
        // Already enabled before: not this migration's doing.
        Example::new(
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\nALTER TABLE doc ENABLE ROW LEVEL SECURITY;",
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text, title text);\nALTER TABLE doc ENABLE ROW LEVEL SECURITY;",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let table = match change {
            Change::SetRowLevelSecurity { table, enabled: true } => table,
            Change::CreateTable { table } if table.row_level_security => &table.name,
            _ => continue,
        };
        let Some(t) = ctx.new_table(table).filter(|t| t.row_level_security && t.policies.is_empty()) else { continue };
        let who = if t.force_row_level_security { "every role, its owner included (FORCE)," } else { "every role but its owner" };
        let message = format!("row-level security is enabled on {table} with no policy: {who} sees no rows and can write none");
        hits.push(Hit::new(table.to_string(), message, ctx.at(change)));
    }
    hits
}
