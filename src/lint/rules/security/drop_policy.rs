//! SS603 drop-policy.

use super::{before, enforced_after, roles, verb};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS603",
    name: "drop-policy",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A row-level security policy in force is dropped from a table that stays.",
    why: "What the policy decided changes at once, and no query fails to show it. A permissive policy granted rows: the \
          roles it named no longer see (or may no longer change) the rows only it allowed, so the application finds less \
          than before and its writes are refused. A restrictive policy limited rows: its roles now reach rows it kept from \
          them. The last policy of a table with row-level security on leaves every role but the owner with no rows at all.",
    locks: "PostgreSQL: `DROP POLICY` takes ACCESS EXCLUSIVE on the table, briefly; catalog only.",
    instead: "Check which roles and rows the policy covered, and make sure another policy covers what must stay visible (a \
              restrictive one's limit, if it must hold, moved to another policy) before dropping it. To change a policy, \
              alter it in place rather than dropping it.",
    fires: &[Example::new(
        "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
         ALTER TABLE doc ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY own ON doc USING (owner = current_user);\n\
         CREATE POLICY public_read ON doc FOR SELECT USING (true);",
        "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
         ALTER TABLE doc ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY own ON doc USING (owner = current_user);",
    )],
    passes: &[
        // Row-level security is off: the policy decided nothing.
        Example::new(
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\nCREATE POLICY own ON doc USING (owner = current_user);",
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);",
        ),
        // Dropped and created again with another definition: alter-policy's finding.
        Example::new(
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
             ALTER TABLE doc ENABLE ROW LEVEL SECURITY;\n\
             CREATE POLICY own ON doc USING (owner = current_user);",
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
             ALTER TABLE doc ENABLE ROW LEVEL SECURITY;\n\
             CREATE POLICY own ON doc FOR SELECT USING (owner = current_user);",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::DropPolicy { table, policy } = change else { continue };
        let recreated = ctx.changes().any(|c| matches!(c, Change::CreatePolicy { table: t, policy: p } if t == table && p.name == policy.name));
        let in_force = before(ctx, table).is_some_and(|t| t.row_level_security);
        // Row-level security turned off: disable-row-level-security's finding.
        if recreated || !in_force || !enforced_after(ctx, table) {
            continue;
        }
        let mut message = if policy.restrictive {
            format!(
                "restrictive policy {} on {table} is dropped: {} may now {} rows it kept from them",
                policy.name,
                roles(policy),
                verb(policy.command)
            )
        } else {
            format!(
                "policy {} on {table} is dropped: {} can no longer {} the rows only it allowed",
                policy.name,
                roles(policy),
                verb(policy.command)
            )
        };
        if ctx.new_table(table).is_some_and(|t| t.policies.is_empty()) {
            message.push_str(&format!("; it was the last policy, so every role but the owner sees no rows of {table}"));
        }
        hits.push(Hit::new(format!("{table}.{}", policy.name), message, ctx.at(change)));
    }
    hits
}
