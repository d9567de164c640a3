//! SS6xx: row-level security and its policies: who may see which rows.

mod alter_policy;
mod disable_row_level_security;
mod drop_policy;
mod enable_rls_without_policy;
mod no_force_row_level_security;

use super::constraints::before::Before;
use crate::lint::{Context, Rule};
use crate::model::{Policy, PolicyCommand, QName, Table};

pub static RULES: &[&Rule] = &[
    &disable_row_level_security::RULE,
    &no_force_row_level_security::RULE,
    &drop_policy::RULE,
    &alter_policy::RULE,
    &enable_rls_without_policy::RULE,
];

/// The table as it was before the migration (`None` when it creates it).
fn before<'a>(ctx: &Context<'a>, table: &QName) -> Option<&'a Table> {
    Before::of(ctx, table).map(|b| b.table)
}

/// Whether row-level security applies to `table` after the migration.
fn enforced_after(ctx: &Context, table: &QName) -> bool {
    ctx.new_table(table).is_some_and(|t| t.row_level_security)
}

/// The roles a policy applies to, as SQL says them.
fn roles(p: &Policy) -> String {
    if p.roles.is_empty() { "PUBLIC".to_string() } else { p.roles.join(", ") }
}

/// What a policy lets a role do to a row, in words.
fn verb(command: PolicyCommand) -> &'static str {
    match command {
        PolicyCommand::All => "see or change",
        PolicyCommand::Select => "see",
        PolicyCommand::Insert => "insert",
        PolicyCommand::Update => "update",
        PolicyCommand::Delete => "delete",
    }
}

/// The policies of a table, named, for a message (`p, q`).
fn names(t: &Table) -> String {
    t.policies.keys().cloned().collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::constraints::testing::{findings, one};

    const RLS: &str = "CREATE TABLE doc (id int PRIMARY KEY, owner text); ALTER TABLE doc ENABLE ROW LEVEL SECURITY;";

    #[test]
    fn dropping_the_last_policy_leaves_no_rows() {
        let f = one("drop-policy", &format!("{RLS} CREATE POLICY own ON doc USING (owner = current_user);"), RLS);
        assert!(f.message.contains("last policy"), "{}", f.message);
        let f = one(
            "drop-policy",
            &format!("{RLS} CREATE POLICY own ON doc USING (true); CREATE POLICY mine ON doc AS RESTRICTIVE TO app USING (owner = current_user);"),
            &format!("{RLS} CREATE POLICY own ON doc USING (true);"),
        );
        assert!(f.message.starts_with("restrictive policy mine") && f.message.contains("app may now see or change"), "{}", f.message);
    }

    #[test]
    fn a_policy_changed_beyond_alter_policy_is_still_one_finding() {
        let f = one(
            "alter-policy",
            &format!("{RLS} CREATE POLICY own ON doc USING (owner = current_user);"),
            &format!("{RLS} CREATE POLICY own ON doc FOR SELECT USING (owner = current_user);"),
        );
        assert!(f.message.contains("FOR ALL → FOR SELECT"), "{}", f.message);
        assert!(findings("drop-policy", &format!("{RLS} CREATE POLICY own ON doc USING (true);"), &format!("{RLS} CREATE POLICY own ON doc FOR SELECT USING (true);")).is_empty());
    }

    #[test]
    fn forced_row_level_security_without_policy_shuts_the_owner_out_too() {
        let f = one("enable-rls-without-policy", "", &format!("{RLS} ALTER TABLE doc FORCE ROW LEVEL SECURITY;"));
        assert!(f.message.contains("owner included"), "{}", f.message);
    }
}
