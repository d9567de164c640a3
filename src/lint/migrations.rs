//! Linting hand-written migration files (`lint --migrations`), for projects
//! that keep no schema as DDL. Each statement's effect is found by
//! replaying it onto the model the statements before it build, and judged
//! like any other change, except that the step is the statement itself with
//! the facts the database gives it (a `CREATE INDEX CONCURRENTLY` the author
//! wrote is not reported as a blocking build). Statement by statement, not
//! file by file: a file that adds an index and then drops its column must
//! still be told about the blocking build.

use super::{Class, Level, Located, Options, Report, Revision, Texts, lint_statement};
use crate::error::Result;
use crate::model::{Dialect, Schema};
use crate::plan::Plan;

/// One migration: a label for locations (its path as shown), and its up SQL.
pub struct Migration {
    pub label: String,
    pub sql: String,
}

/// The findings of every migration, in order, as one report, and the
/// migrations' text for quoting them.
pub fn lint_migrations(migrations: &[Migration], dialect: Dialect, options: &Options) -> Result<(Report, Texts)> {
    let mut before = Schema::new(dialect);
    let mut texts = Texts::default();
    let mut all = Report { level: Level::FullyCompatible, counts: Default::default(), changes: Vec::new(), findings: Vec::new(), suppressed: 0 };
    for class in Class::ALL {
        all.counts.insert(class.name(), 0);
    }
    for m in migrations {
        // The file is the new revision while its statements are judged; a
        // drop points at where an earlier file (the old revision) made it.
        texts.insert(Revision::New, &m.label, m.sql.clone());
        for (line, column, step) in crate::dialect::statement_steps(dialect, &m.label, &m.sql)? {
            // Replayed where it stands in the file, so that what it creates
            // is located at its own line and column.
            let placed = format!("{}{}{}", "\n".repeat(line as usize - 1), " ".repeat(column as usize - 1), step.sql);
            let after = crate::dialect::replay(before.clone(), &m.label, &placed)?;
            let diff = crate::diff::diff(&before, &after, &crate::diff::Renames::default());
            let plan = Plan { changes: diff.changes, up: vec![step], ..Plan::default() };
            let at = Located { revision: Revision::New, location: crate::model::Location::new(&m.label, line, column) };
            let report = lint_statement(&before, &after, &plan, options, &texts, at);
            all.level = all.level.max(report.level);
            for (class, n) in report.counts {
                *all.counts.entry(class).or_default() += n;
            }
            all.changes.extend(report.changes);
            all.findings.extend(report.findings);
            all.suppressed += report.suppressed;
            before = after;
        }
        texts.insert(Revision::Old, &m.label, m.sql.clone());
    }
    // The suppression check reports a misspelt rule once per statement linted.
    all.findings.dedup_by(|a, b| a.code == b.code && a.location == b.location && a.object == b.object);
    Ok((all, texts))
}
