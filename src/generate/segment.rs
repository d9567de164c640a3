//! Splitting an up script into migrations by what the transaction allows.
//!
//! Most runners wrap each migration in a transaction. Two kinds of
//! statements do not fit in one with the rest:
//!
//! - statements PostgreSQL refuses inside a transaction block at all
//!   (`CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`): they get a
//!   migration of their own, marked with the framework's no-transaction
//!   mechanism, and one migration per statement when the runner sends a
//!   whole file as one query (PostgreSQL runs a multi-statement query as one
//!   implicit transaction);
//! - `ALTER TYPE … ADD VALUE`: allowed in a transaction since PostgreSQL 12,
//!   but the new label cannot be used before it commits ("unsafe use of new
//!   value"), so when a later statement uses it the migration ends after
//!   the labels are added and the rest goes in the next one.
//!
//! And a step that must not share a transaction with the steps before it
//! (`facts.commits_before`: an online plan's validations, backfills and
//! swaps, which must not hold the locks taken before them) starts a new
//! migration.

use crate::model::Dialect;
use crate::plan::{OutsideTransaction, Step};

/// Consecutive up steps that go into one migration.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub up: Vec<Step>,
    /// False: the migration must run outside a transaction.
    pub transaction: bool,
}

/// What decides the cuts: the runner and the server version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// The runner sends each migration file as a single query.
    pub one_query_per_file: bool,
    /// `ALTER TYPE … ADD VALUE` may run in a transaction block (PostgreSQL 12
    /// and later; before, it must run outside one).
    pub add_value_in_transaction: bool,
}

impl Rules {
    /// The rules for a runner on a `dialect` server of major version
    /// `server_version` (`None`: a supported release).
    pub fn new(one_query_per_file: bool, dialect: Dialect, server_version: Option<u32>) -> Rules {
        Rules { one_query_per_file, add_value_in_transaction: crate::dialect::enum_label_in_transaction(dialect, server_version) }
    }

    /// Whether `step` must run outside a transaction block.
    pub fn outside_transaction(&self, step: &Step) -> bool {
        match step.facts.outside_transaction {
            Some(OutsideTransaction::Refused) => true,
            Some(OutsideTransaction::NewEnumLabel) => !self.add_value_in_transaction,
            None => !step.transactional,
        }
    }
}

/// Splits `up` into migrations.
pub fn split(up: &[Step], rules: Rules) -> Vec<Segment> {
    let one_query_per_file = rules.one_query_per_file;
    let mut segments: Vec<Segment> = Vec::new();
    let mut current = Segment { up: Vec::new(), transaction: true };
    // Labels added in `current` that a later statement must not use before commit.
    let mut uncommitted: Vec<String> = Vec::new();
    for step in up {
        // A step that must not share the transaction of the steps before it
        // (an online plan's `VALIDATE CONSTRAINT`) starts a migration.
        if step.facts.commits_before && !current.up.is_empty() {
            segments.push(std::mem::replace(&mut current, Segment { up: Vec::new(), transaction: true }));
            uncommitted.clear();
        }
        if let Some(label) = added_enum_label(step).filter(|_| rules.add_value_in_transaction) {
            current.up.push(step.clone());
            uncommitted.push(label);
            continue;
        }
        if uncommitted.iter().any(|l| step.sql.contains(l.as_str())) {
            segments.push(std::mem::replace(&mut current, Segment { up: Vec::new(), transaction: true }));
            uncommitted.clear();
        }
        if !rules.outside_transaction(step) {
            if !current.transaction {
                segments.push(std::mem::replace(&mut current, Segment { up: Vec::new(), transaction: true }));
            }
            current.up.push(step.clone());
        } else {
            let joins = !current.transaction && !one_query_per_file;
            if !joins {
                segments.push(std::mem::replace(&mut current, Segment { up: Vec::new(), transaction: false }));
                uncommitted.clear();
            }
            current.up.push(step.clone());
        }
    }
    segments.push(current);
    segments.retain(|s| !s.up.is_empty());
    segments
}

/// The quoted label of an `ALTER TYPE … ADD VALUE '<label>'` step, as a
/// later statement would spell it.
fn added_enum_label(step: &Step) -> Option<String> {
    if step.facts.outside_transaction != Some(OutsideTransaction::NewEnumLabel) {
        return None;
    }
    let sql = step.sql.trim_start();
    let rest = &sql[sql.find(" ADD VALUE ")? + " ADD VALUE ".len()..];
    let rest = rest.strip_prefix("IF NOT EXISTS ").unwrap_or(rest);
    // A literal: '…' with '' for a quote inside.
    let q = crate::lex::quoted_at(rest, 0, crate::lex::Syntax::STANDARD).filter(|q| q.quote == crate::lex::Quote::String && q.closed)?;
    Some(rest[..q.end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(sql: &str) -> Step {
        match sql.contains("CONCURRENTLY") {
            true => Step::outside_transaction("", sql, OutsideTransaction::Refused),
            false => Step::new("", sql),
        }
    }
    fn add_value(sql: &str) -> Step {
        Step::outside_transaction("", sql, OutsideTransaction::NewEnumLabel)
    }
    const SPLITS: Rules = Rules { one_query_per_file: false, add_value_in_transaction: true };
    const WHOLE: Rules = Rules { one_query_per_file: true, add_value_in_transaction: true };
    fn shape(segments: &[Segment]) -> Vec<(usize, bool)> {
        segments.iter().map(|s| (s.up.len(), s.transaction)).collect()
    }

    #[test]
    fn plain_steps_make_one_migration() {
        let up = [st("CREATE TABLE a (x int);"), st("ALTER TABLE a ADD COLUMN y int;")];
        assert_eq!(shape(&split(&up, SPLITS)), vec![(2, true)]);
    }

    #[test]
    fn an_unused_new_label_stays_in_the_transaction() {
        let up = [add_value("ALTER TYPE mood ADD VALUE 'meh' AFTER 'ok';"), st("ALTER TABLE a ADD COLUMN y int;")];
        assert_eq!(shape(&split(&up, SPLITS)), vec![(2, true)]);
    }

    #[test]
    fn a_used_new_label_commits_first() {
        let up = [
            add_value("ALTER TYPE mood ADD VALUE 'it''s' AFTER 'ok';"),
            st("CREATE TABLE b (x int);"),
            st("ALTER TABLE a ALTER COLUMN m SET DEFAULT 'it''s'::mood;"),
        ];
        assert_eq!(shape(&split(&up, SPLITS)), vec![(2, true), (1, true)]);
    }

    #[test]
    fn before_postgres_12_a_new_label_runs_outside_a_transaction() {
        let up = [add_value("ALTER TYPE mood ADD VALUE 'meh' AFTER 'ok';"), st("ALTER TABLE a ADD COLUMN y int;")];
        let pg11 = Rules::new(false, Dialect::Postgres, Some(11));
        assert_eq!(shape(&split(&up, pg11)), vec![(1, false), (1, true)]);
        assert!(pg11.outside_transaction(&up[0]) && !Rules::new(false, Dialect::Postgres, Some(12)).outside_transaction(&up[0]));
        assert_eq!(shape(&split(&up, Rules::new(false, Dialect::Postgres, None))), vec![(2, true)]);
    }

    #[test]
    fn a_step_that_commits_before_starts_a_migration() {
        let mut validate = st("ALTER TABLE a VALIDATE CONSTRAINT k;");
        validate.facts.commits_before = true;
        let up = [st("ALTER TABLE a ADD CONSTRAINT k CHECK (y > 0) NOT VALID;"), validate.clone(), st("ALTER TABLE a ALTER COLUMN y SET NOT NULL;")];
        assert_eq!(shape(&split(&up, SPLITS)), vec![(1, true), (2, true)]);
        // First of all, it has nothing to commit.
        assert_eq!(shape(&split(&up[1..], SPLITS)), vec![(2, true)]);
        // After a statement outside a transaction, it starts a transaction anyway.
        let up = [st("CREATE INDEX CONCURRENTLY a_y ON a (y);"), validate];
        assert_eq!(shape(&split(&up, SPLITS)), vec![(1, false), (1, true)]);
    }

    #[test]
    fn concurrent_statements_get_their_own_migration() {
        let up = [
            st("ALTER TABLE a ADD COLUMN y int;"),
            st("CREATE INDEX CONCURRENTLY a_y ON a (y);"),
            st("CREATE INDEX CONCURRENTLY a_z ON a (z);"),
            st("COMMENT ON TABLE a IS 'x';"),
        ];
        assert_eq!(shape(&split(&up, SPLITS)), vec![(1, true), (2, false), (1, true)]);
        assert_eq!(shape(&split(&up, WHOLE)), vec![(1, true), (1, false), (1, false), (1, true)]);
    }
}
