//! SS604 alter-policy.

use super::{before, enforced_after, roles};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};
use crate::model::{Policy, QName};

pub static RULE: Rule = Rule {
    code: "SS604",
    name: "alter-policy",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A row-level security policy in force changes its roles, command or expressions.",
    why: "Which rows each role sees and may write changes at once: a wider role list or a looser `USING` shows rows to \
          roles that could not see them (a leak, and nothing fails to show it); a narrower one hides rows the application \
          expects, and a stricter `WITH CHECK` makes its writes fail. The down migration puts the old policy back, but what \
          was read or written meanwhile stays.",
    locks: "PostgreSQL: `ALTER POLICY` (or `DROP POLICY` and `CREATE POLICY`, for a change of command or kind) takes ACCESS \
            EXCLUSIVE on the table, briefly; catalog only.",
    instead: "Review the new policy against the roles the application connects as: for each, which rows it could see and \
              write before and after. Test with `SET ROLE` on a copy of the data. Widen in one release and narrow in a \
              later one, after the application stopped relying on what is taken away.",
    fires: &[Example::new(
        "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
         ALTER TABLE doc ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY own ON doc TO app USING (owner = current_user);",
        "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
         ALTER TABLE doc ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY own ON doc TO app, support USING (owner = current_user OR owner IS NULL);",
    )],
    passes: &[
        // Row-level security is off: the policy decides nothing.
        Example::new(
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\nCREATE POLICY own ON doc TO app USING (owner = current_user);",
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\nCREATE POLICY own ON doc TO app, support USING (owner = current_user);",
        ),
        // Only its comment changes.
        Example::new(
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
             ALTER TABLE doc ENABLE ROW LEVEL SECURITY;\n\
             CREATE POLICY own ON doc USING (owner = current_user);",
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
             ALTER TABLE doc ENABLE ROW LEVEL SECURITY;\n\
             CREATE POLICY own ON doc USING (owner = current_user);\n\
             COMMENT ON POLICY own ON doc IS 'each user their own documents';",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let (table, from, to) = match change {
            Change::AlterPolicy { table, from, to } => (table, from, to),
            // A change ALTER POLICY cannot make is planned as a drop and a create.
            Change::CreatePolicy { table, policy } => match dropped(ctx, table, &policy.name) {
                Some(from) => (table, from, policy),
                None => continue,
            },
            _ => continue,
        };
        if before(ctx, table).is_none() || !enforced_after(ctx, table) {
            continue;
        }
        let message = format!("policy {} on {table} changes ({}): roles may now see or write other rows than before", to.name, differences(from, to).join("; "));
        hits.push(Hit::new(format!("{table}.{}", to.name), message, ctx.at(change)));
    }
    hits
}

/// The policy of this name the migration drops from `table`.
fn dropped<'a>(ctx: &Context<'a>, table: &QName, name: &str) -> Option<&'a Policy> {
    ctx.changes().find_map(|c| match c {
        Change::DropPolicy { table: t, policy } if t == table && policy.name == name => Some(policy),
        _ => None,
    })
}

/// What differs between two definitions of a policy, in words.
fn differences(from: &Policy, to: &Policy) -> Vec<String> {
    let mut out = Vec::new();
    let kind = |p: &Policy| if p.restrictive { "restrictive" } else { "permissive" };
    if from.restrictive != to.restrictive {
        out.push(format!("{} → {}", kind(from), kind(to)));
    }
    if from.command != to.command {
        out.push(format!("FOR {} → FOR {}", from.command.sql(), to.command.sql()));
    }
    if from.roles != to.roles {
        out.push(format!("TO {} → TO {}", roles(from), roles(to)));
    }
    let expr = |e: &Option<crate::model::Expr>| e.as_ref().map_or("(none)".to_string(), |e| e.to_string());
    if from.using != to.using {
        out.push(format!("USING {} → {}", expr(&from.using), expr(&to.using)));
    }
    if from.with_check != to.with_check {
        out.push(format!("WITH CHECK {} → {}", expr(&from.with_check), expr(&to.with_check)));
    }
    out
}
