//! SS602 no-force-row-level-security.

use super::{before, enforced_after};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};

pub static RULE: Rule = Rule {
    code: "SS602",
    name: "no-force-row-level-security",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "Row-level security is no longer forced on the table's owner.",
    why: "With FORCE, the policies apply to the role that owns the table too; without it, the owner sees and changes every \
          row again. Applications often connect as the role that ran the migrations, which owns the tables: for them this \
          lifts the policies entirely, silently.",
    locks: "PostgreSQL: `ALTER TABLE … NO FORCE ROW LEVEL SECURITY` takes ACCESS EXCLUSIVE briefly; catalog only.",
    instead: "Keep FORCE if the application connects as the table's owner. If the owner needs every row for maintenance, \
              run that work as a separate role with BYPASSRLS, or give the application its own role that does not own the \
              tables, before dropping FORCE.",
    fires: &[Example::new(
        "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
         ALTER TABLE doc ENABLE ROW LEVEL SECURITY; ALTER TABLE doc FORCE ROW LEVEL SECURITY;\n\
         CREATE POLICY own ON doc USING (owner = current_user);",
        "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
         ALTER TABLE doc ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY own ON doc USING (owner = current_user);",
    )],
    passes: &[
        // Row-level security goes entirely: disable-row-level-security says so.
        Example::new(
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
             ALTER TABLE doc ENABLE ROW LEVEL SECURITY; ALTER TABLE doc FORCE ROW LEVEL SECURITY;\n\
             CREATE POLICY own ON doc USING (owner = current_user);",
            "CREATE TABLE doc (id bigint PRIMARY KEY, owner text);\n\
             CREATE POLICY own ON doc USING (owner = current_user);",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::SetForceRowLevelSecurity { table, force: false } = change else { continue };
        if before(ctx, table).is_none() || !enforced_after(ctx, table) {
            continue;
        }
        hits.push(Hit::new(
            table.to_string(),
            format!("row-level security is no longer forced on {table}: the table's owner bypasses its policies and sees every row again"),
            ctx.at(change),
        ));
    }
    hits
}
