//! SS4xx: NOT NULL, keys, foreign keys, checks: what existing rows may
//! violate, and what validates under a lock that blocks writes.

mod add_check_constraint;
mod add_exclusion_constraint;
mod add_foreign_key;
mod add_primary_key;
mod add_unique_constraint;
mod add_unique_index;
pub(super) mod before;
mod drop_foreign_key;
mod drop_not_null;
mod set_not_null;

use crate::diff::Change;
use crate::lint::{Context, Rule};
use crate::model::{Constraint, ConstraintKind, QName, quote_ident};
use crate::plan::Step;

pub static RULES: &[&Rule] = &[
    &set_not_null::RULE,
    &drop_not_null::RULE,
    &add_unique_constraint::RULE,
    &add_primary_key::RULE,
    &add_foreign_key::RULE,
    &add_check_constraint::RULE,
    &add_exclusion_constraint::RULE,
    &drop_foreign_key::RULE,
    &add_unique_index::RULE,
];

/// The up step the planner wrote for one change, found by the summary it
/// gives that change (`add constraint k on public.t`, `create index i`):
/// the summary is the one thing that ties a step to its change today.
/// `None` when the planner wrote no step of its own for it (a partition's
/// copy of its parent's constraint comes with the parent's step), and the
/// rules that speak of a step's lock then say nothing.
pub(super) fn planned<'a>(ctx: &Context<'a>, summary: &str) -> Option<&'a Step> {
    ctx.step_for(|s| s.summary == summary)
}

/// The step that adds `constraint` to `table`.
pub(super) fn adding<'a>(ctx: &Context<'a>, table: &QName, constraint: &Constraint) -> Option<&'a Step> {
    planned(ctx, &format!("add constraint {} on {table}", constraint.name))
}

/// The lock level a step takes (its facts'), or `default` when the facts
/// name none.
pub(super) fn level(step: &Step, default: &'static str) -> &'static str {
    step.facts.lock.as_ref().map_or(default, |l| l.level)
}

/// The constraint of this name on `table` that the same migration drops.
pub(super) fn dropped<'a>(ctx: &Context<'a>, table: &QName, name: &str) -> Option<&'a Constraint> {
    ctx.changes().find_map(|c| match c {
        Change::DropConstraint { table: t, constraint } if t == table && constraint.name == name => Some(constraint),
        _ => None,
    })
}

/// Whether the migration adds a constraint of this name on `table`.
pub(super) fn added(ctx: &Context, table: &QName, name: &str) -> bool {
    ctx.changes().any(|c| matches!(c, Change::AddConstraint { table: t, constraint } if t == table && constraint.name == name))
}

/// The statement that adds the same constraint without checking the rows
/// already there: the planned `ADD CONSTRAINT` with `NOT VALID`.
pub(super) fn not_valid_form(step: &Step) -> String {
    format!("{} NOT VALID;", step.sql.trim_end().trim_end_matches(';').trim_end())
}

/// How the help for a constraint added `NOT VALID` and validated goes on.
pub(super) fn validate_recipe(table: &QName, constraint: &Constraint, step: &Step) -> String {
    format!(
        "add it without checking the existing rows, then validate it in a second transaction, which lets reads and writes go on:\n  {}\n  ALTER TABLE {table} VALIDATE CONSTRAINT {};",
        not_valid_form(step),
        quote_ident(&constraint.name)
    )
}

/// Column names quoted and joined (`a, "B"`).
pub(super) fn list(columns: &[String]) -> String {
    columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ")
}

/// The statements that build a key's index without blocking writes and
/// then make it the constraint (`ADD CONSTRAINT … USING INDEX`); on a
/// partitioned table, where PostgreSQL refuses both, what to do instead.
pub(super) fn index_then_constraint(ctx: &Context, table: &QName, constraint: &Constraint, what: &str) -> String {
    if ctx.new_table(table).is_some_and(|t| t.partition_by.is_some()) {
        // CREATE INDEX, "Notes": an index built on a partitioned table attaches
        // an equivalent index a partition already has instead of building one.
        return format!(
            "as {table} is partitioned, where CREATE INDEX CONCURRENTLY and ADD CONSTRAINT … USING INDEX are refused: build the same \
             unique index CONCURRENTLY on each partition first; adding the {what} to {table} then takes those indexes over \
             instead of building new ones under its lock"
        );
    }
    let (columns, include, nulls_not_distinct) = match &constraint.kind {
        ConstraintKind::PrimaryKey { columns, include } => (columns, include, false),
        ConstraintKind::Unique { columns, include, nulls_not_distinct } => (columns, include, *nulls_not_distinct),
        _ => return String::new(),
    };
    let name = quote_ident(&constraint.name);
    let include = if include.is_empty() { String::new() } else { format!(" INCLUDE ({})", list(include)) };
    let nulls = if nulls_not_distinct { " NULLS NOT DISTINCT" } else { "" };
    let deferrable = match (constraint.deferrable, constraint.initially_deferred) {
        (true, true) => " DEFERRABLE INITIALLY DEFERRED",
        (true, false) => " DEFERRABLE",
        _ => "",
    };
    format!(
        "build the index without blocking writes, then make it the {what}:\n  \
         CREATE UNIQUE INDEX CONCURRENTLY {name} ON {table} ({}){include}{nulls};  -- outside a transaction block\n  \
         ALTER TABLE {table} ADD CONSTRAINT {name} {what} USING INDEX {name}{deferrable};",
        list(columns)
    )
}

/// Linting schema pairs in unit tests: the findings of one rule.
#[cfg(test)]
pub(in crate::lint::rules) mod testing {
    use crate::lint::{Finding, Options};

    /// The findings of rule `name` from `old` to `new` (PostgreSQL DDL).
    pub fn findings(name: &str, old: &str, new: &str) -> Vec<Finding> {
        crate::lint::rules::support::testing::lint(old, new, Options::default(), &[name]).into_iter().filter(|f| f.rule == name).collect()
    }

    /// The one finding of rule `name`.
    pub fn one(name: &str, old: &str, new: &str) -> Finding {
        let mut found = findings(name, old, new);
        assert_eq!(found.len(), 1, "{name}: {found:#?}");
        found.pop().unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{findings, one};

    fn preflight(f: &crate::lint::Finding) -> String {
        f.preflight.as_ref().map(|p| p.sql.clone()).unwrap_or_default()
    }

    #[test]
    fn pre_flight_queries_name_the_table_and_columns_as_they_were() {
        // Renamed in the same migration: the query runs before the rename.
        let f = one(
            "set-not-null",
            "CREATE TABLE t (id bigint PRIMARY KEY, mail text);",
            "-- schemashift:renamed-from t\nCREATE TABLE users (id bigint PRIMARY KEY,\n-- schemashift:renamed-from mail\nemail text NOT NULL);",
        );
        assert_eq!(preflight(&f), "SELECT id FROM public.t WHERE mail IS NULL LIMIT 100;");
        assert!(f.message.contains("public.users.email"), "{}", f.message);
        // A column the migration adds has no rows to ask about.
        let f = one(
            "add-unique-constraint",
            "CREATE TABLE t (id bigint PRIMARY KEY);",
            "CREATE TABLE t (id bigint PRIMARY KEY, code text, CONSTRAINT t_code_key UNIQUE (code));",
        );
        assert!(f.preflight.is_none());
    }

    #[test]
    fn duplicates_leave_out_null_keys_unless_they_conflict_or_fail() {
        let f = one(
            "add-unique-constraint",
            "CREATE TABLE t (id bigint PRIMARY KEY, a int, \"B\" int);",
            "CREATE TABLE t (id bigint PRIMARY KEY, a int, \"B\" int, CONSTRAINT k UNIQUE NULLS NOT DISTINCT (a, \"B\"));",
        );
        assert_eq!(preflight(&f), "SELECT a, \"B\", count(*) FROM public.t GROUP BY a, \"B\" HAVING count(*) > 1 LIMIT 100;");
        assert!(f.help.contains("NULLS NOT DISTINCT"), "{}", f.help);
        let f = one("add-primary-key", "CREATE TABLE t (a int, b int NOT NULL);", "CREATE TABLE t (a int, b int NOT NULL, PRIMARY KEY (a, b));");
        assert_eq!(preflight(&f), "SELECT a, b, count(*) FROM public.t GROUP BY a, b HAVING count(*) > 1 OR a IS NULL OR b IS NULL LIMIT 100;");
        assert!(f.message.contains("makes a NOT NULL"), "{}", f.message);
        let f = one(
            "add-unique-index",
            "CREATE TABLE t (id bigint PRIMARY KEY, email text);",
            "CREATE TABLE t (id bigint PRIMARY KEY, email text); CREATE UNIQUE INDEX e ON t (email);",
        );
        assert_eq!(preflight(&f), "SELECT email, count(*) FROM public.t WHERE email IS NOT NULL GROUP BY email HAVING count(*) > 1 LIMIT 100;");
    }

    #[test]
    fn orphans_follow_the_match_rule_and_an_empty_parent() {
        let old = "CREATE TABLE u (a int, b int, PRIMARY KEY (a, b)); CREATE TABLE t (id int PRIMARY KEY, x int, y int);";
        let f = one("add-foreign-key", old, &format!("{old} ALTER TABLE t ADD FOREIGN KEY (x, y) REFERENCES u (a, b) MATCH FULL;"));
        assert_eq!(
            preflight(&f),
            "SELECT c.x, c.y FROM public.t AS c LEFT JOIN public.u AS p ON p.a = c.x AND p.b = c.y WHERE (c.x IS NOT NULL OR c.y IS NOT NULL) AND p.a IS NULL LIMIT 100;"
        );
        let f = one(
            "add-foreign-key",
            "CREATE TABLE t (id int PRIMARY KEY, u_id int);",
            "CREATE TABLE u (id int PRIMARY KEY); CREATE TABLE t (id int PRIMARY KEY, u_id int REFERENCES u);",
        );
        assert_eq!(preflight(&f), "SELECT c.u_id FROM public.t AS c WHERE c.u_id IS NOT NULL LIMIT 100;");
        assert!(f.message.contains("created by this migration"), "{}", f.message);
    }

    #[test]
    fn the_help_gives_the_statements_for_this_very_constraint() {
        let f = one(
            "add-check-constraint",
            "CREATE TABLE t (id int PRIMARY KEY, n int);",
            "CREATE TABLE t (id int PRIMARY KEY, n int, CONSTRAINT n_positive CHECK (n > 0));",
        );
        assert!(f.help.contains("ADD CONSTRAINT n_positive CHECK ((n > 0)) NOT VALID;"), "{}", f.help);
        assert!(f.help.contains("VALIDATE CONSTRAINT n_positive;"), "{}", f.help);
        assert_eq!(preflight(&f), "SELECT id FROM public.t WHERE NOT ((n > 0)) LIMIT 100;");
        // A check over a column added by the same migration: nothing to ask before.
        let f = one("add-check-constraint", "CREATE TABLE t (id int PRIMARY KEY);", "CREATE TABLE t (id int PRIMARY KEY, n int DEFAULT 0, CHECK (n >= 0));");
        assert!(f.preflight.is_none());
        // Validating a NOT VALID check is the recommended form: a VALIDATE CONSTRAINT step, nothing to say.
        let old = "CREATE TABLE t (id int PRIMARY KEY, n int); ALTER TABLE t ADD CONSTRAINT c CHECK (n > 0) NOT VALID;";
        assert!(findings("add-check-constraint", old, &format!("{old} ALTER TABLE t VALIDATE CONSTRAINT c;")).is_empty());
        // On a partitioned table, USING INDEX and CONCURRENTLY are refused.
        let f = one(
            "add-unique-constraint",
            "CREATE TABLE m (id int, at date) PARTITION BY RANGE (at);",
            "CREATE TABLE m (id int, at date, UNIQUE (id, at)) PARTITION BY RANGE (at);",
        );
        assert!(f.help.contains("is partitioned") && !f.help.contains("USING INDEX m_"), "{}", f.help);
    }

    #[test]
    fn set_not_null_counts_on_a_kept_check_only_from_postgresql_12() {
        let old = "CREATE TABLE t (id int PRIMARY KEY, e text, CONSTRAINT e_nn CHECK (e IS NOT NULL AND e <> ''));";
        let new = "CREATE TABLE t (id int PRIMARY KEY, e text NOT NULL, CONSTRAINT e_nn CHECK (e IS NOT NULL AND e <> ''));";
        assert!(findings("set-not-null", old, new).is_empty());
        // NOT VALID proves nothing.
        let old = "CREATE TABLE t (id int PRIMARY KEY, e text); ALTER TABLE t ADD CONSTRAINT e_nn CHECK (e IS NOT NULL) NOT VALID;";
        let new = "CREATE TABLE t (id int PRIMARY KEY, e text NOT NULL); ALTER TABLE t ADD CONSTRAINT e_nn CHECK (e IS NOT NULL) NOT VALID;";
        let f = one("set-not-null", old, new);
        assert!(f.help.contains("ADD CONSTRAINT t_e_not_null CHECK (e IS NOT NULL) NOT VALID;"), "{}", f.help);
    }
}
