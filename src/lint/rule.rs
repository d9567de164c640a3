//! What a rule is: a stable code and name, a class, its documentation and
//! examples, and a check that reads the change, the planned steps and the
//! models (never SQL text).

use super::class::Class;
use super::context::Context;
use super::finding::{Located, Preflight};

/// One lint rule. Every rule lives in a file of its own under `rules/`,
/// and is listed once in [`super::rules::ALL`].
pub struct Rule {
    /// Stable code (`SS101`): never reused, never renumbered.
    pub code: &'static str,
    /// Stable kebab-case name (`drop-table`), used in configuration and
    /// suppression comments.
    pub name: &'static str,
    /// The class of what it finds (a configuration may change it).
    pub class: Class,
    /// Style rules over the whole schema: off unless enabled in
    /// `schemashift.toml`.
    pub opt_in: bool,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// What goes wrong, in a paragraph.
    pub why: &'static str,
    /// What the database does: the lock, whether the table is rewritten or
    /// scanned, per dialect and version.
    pub locks: &'static str,
    /// The safe alternative.
    pub instead: &'static str,
    /// Schema pairs on which the rule must fire, and pairs on which it must
    /// not: documentation and tests at once (`tests/it/lint_rules.rs`).
    pub fires: &'static [Example],
    pub passes: &'static [Example],
    pub check: fn(&Context) -> Vec<Hit>,
}

/// An old and a new schema, as SQL of the default dialect.
pub struct Example {
    pub old: &'static str,
    pub new: &'static str,
    /// The database's major version the example assumes, when it matters.
    pub server_version: Option<u32>,
}

impl Example {
    pub const fn new(old: &'static str, new: &'static str) -> Example {
        Example { old, new, server_version: None }
    }
    pub const fn on_version(old: &'static str, new: &'static str, version: u32) -> Example {
        Example { old, new, server_version: Some(version) }
    }
}

/// What a rule's check found, before the linter adds the rule's identity,
/// applies the configuration and the suppressions.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The object, as reports name it (`public.users.email`).
    pub object: String,
    /// The finding, specific to this change (`dropping column
    /// public.users.email destroys its data`).
    pub message: String,
    pub at: Option<Located>,
    /// The safe alternative for this very change, when there is one more
    /// specific than the rule's.
    pub help: Option<String>,
    /// The query that finds the rows this change would fail on.
    pub preflight: Option<Preflight>,
}

impl Hit {
    pub fn new(object: impl Into<String>, message: impl Into<String>, at: Option<Located>) -> Hit {
        Hit { object: object.into(), message: message.into(), at, help: None, preflight: None }
    }
    pub fn help(mut self, help: impl Into<String>) -> Hit {
        self.help = Some(help.into());
        self
    }
    pub fn preflight(mut self, preflight: Preflight) -> Hit {
        self.preflight = Some(preflight);
        self
    }
}
