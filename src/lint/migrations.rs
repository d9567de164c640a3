//! Linting hand-written migration files (`lint --migrations`), for projects
//! that keep no schema as DDL: each file's effect is found by replaying it
//! onto the model the files before it build, and the change is judged like
//! any other, except that the steps are the file's own statements with the
//! facts the database gives them (a `CREATE INDEX CONCURRENTLY` the author
//! wrote is not reported as a blocking build).

use super::{Class, Level, Options, Report, Revision, Texts, lint};
use crate::error::Result;
use crate::model::{Dialect, Schema};
use crate::plan::Plan;

/// One migration: a label for locations (its path as shown), and its up SQL.
pub struct Migration {
    pub label: String,
    pub sql: String,
}

/// The findings of every migration, in order, as one report.
pub fn lint_migrations(migrations: &[Migration], dialect: Dialect, options: &Options) -> Result<Report> {
    let mut before = Schema::new(dialect);
    let mut texts = Texts::default();
    let mut all = Report { level: Level::FullyCompatible, counts: Default::default(), changes: Vec::new(), findings: Vec::new(), suppressed: 0 };
    for class in Class::ALL {
        all.counts.insert(class.name(), 0);
    }
    for m in migrations {
        let after = crate::dialect::replay(before.clone(), &m.label, &m.sql)?;
        let diff = crate::diff::diff(&before, &after, &crate::diff::Renames::default());
        let plan = Plan {
            changes: diff.changes,
            up: crate::dialect::statement_steps(dialect, &m.label, &m.sql)?,
            ..Plan::default()
        };
        // Earlier files are the old revision: a drop points at where the
        // dropped object was created.
        texts.insert(Revision::New, &m.label, m.sql.clone());
        let report = lint(&before, &after, &plan, options, &texts);
        texts.insert(Revision::Old, &m.label, m.sql.clone());
        all.level = all.level.max(report.level);
        for (class, n) in report.counts {
            *all.counts.entry(class).or_default() += n;
        }
        all.changes.extend(report.changes);
        all.findings.extend(report.findings);
        all.suppressed += report.suppressed;
        before = after;
    }
    Ok(all)
}
