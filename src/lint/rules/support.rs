//! Small helpers the rules share.

use crate::diff::Change;
use crate::lint::{Context, Hit};

/// One hit per change `pick` accepts: `pick` returns the object and the
/// message, the location is the change's own.
pub fn per_change(ctx: &Context, pick: impl Fn(&Change) -> Option<(String, String)>) -> Vec<Hit> {
    ctx.changes().filter_map(|c| pick(c).map(|(object, message)| Hit::new(object, message, ctx.at(c)))).collect()
}

/// What the families' unit tests share: reading an example and linting a
/// migration between two examples.
#[cfg(test)]
pub mod testing {
    use crate::lint::{Finding, Options, RuleSetting};
    use crate::model::Schema;

    /// One PostgreSQL schema file's model (the test fails when it does not read).
    pub fn read(path: &str, sql: &str) -> Schema {
        let file = crate::source::SourceFile { path: path.to_string(), bytes: sql.as_bytes().to_vec(), blob_id: None };
        crate::read::read_schema(&[file], crate::model::Dialect::Postgres).unwrap_or_else(|e| panic!("{e}\n{sql}")).0
    }

    /// Every finding on the migration from `old` to `new`, with the rules
    /// named in `enable` (names or codes) switched on in `options`.
    pub fn lint(old: &str, new: &str, mut options: Options, enable: &[&str]) -> Vec<Finding> {
        let (old, new) = (read("old.sql", old), read("new.sql", new));
        let plan = crate::plan::plan(&old, &new).unwrap_or_else(|e| panic!("{e}"));
        for rule in enable {
            options.rules.insert(rule.to_string(), RuleSetting { enabled: Some(true), class: None });
        }
        crate::lint::lint(&old, &new, &plan, &options, &crate::lint::Texts::default()).findings
    }
}
