//! The pull request comment: what a reviewer needs to judge a schema change,
//! in one Markdown body that `schemashift github comment` posts and then
//! keeps up to date (`lint --format pr-comment`).
//!
//! It opens with [`MARKER`], an HTML comment GitHub does not show, by which
//! the next run finds the comment to update instead of adding another.
//! Then: the level and the counts per class, one row per change with its
//! class and the lock its steps take (read from the steps' facts), the up
//! and down SQL folded in `<details>`, the findings linked to their rule's
//! documentation, and the pre-flight checks the runbook lists.
//!
//! GitHub refuses a comment over 65,536 characters, and a migration's SQL
//! alone can be longer. [`render`] fits the body under the limit by leaving
//! out first what one command gives back in full (the SQL: `schemashift
//! diff`), then the least severe findings (`schemashift lint`), then
//! pre-flight checks and change rows, and says each time what it left out
//! and how to see it ([`budget`]).

mod budget;
mod sections;

use crate::lint::Report;
use crate::plan::Plan;
use crate::runbook::Check;

pub use budget::{MAX_CHARS, chars, cut};

/// The first line of every comment schemashift writes: how the next run
/// recognises its own comment among the pull request's.
pub const MARKER: &str = "<!-- schemashift:comment -->";

/// Where the rule reference is when nothing says otherwise: the repository's
/// own copy, as a relative link.
pub const RELATIVE_RULES_URL: &str = "docs/rules.md";

/// What the comment is made from.
pub struct Input<'a> {
    pub report: &'a Report,
    /// The migration's plan; `None` when hand-written migrations were
    /// linted (`lint --migrations`), which have no plan of schemashift's.
    pub plan: Option<&'a Plan>,
    /// The runbook's pre-flight checks.
    pub preflight: &'a [Check],
    /// What was compared: `main → HEAD`, the migration files linted.
    pub title: &'a str,
    /// The sources as command-line arguments, for the commands the comment
    /// tells the reader to run to see what it left out.
    pub sources: &'a str,
    /// The rule reference a finding's code links to (its anchor appended).
    pub rules_url: &'a str,
}

/// The comment's Markdown, under [`MAX_CHARS`].
pub fn render(input: &Input) -> String {
    budget::fit(input)
}

/// The rule reference to link to: `--rules-url`, else
/// `SCHEMASHIFT_RULES_URL`, else the repository's `docs/rules.md` on GitHub
/// when running in GitHub Actions (`GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`),
/// else the relative [`RELATIVE_RULES_URL`]. `env` looks a variable up.
pub fn rules_url(flag: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> String {
    let set = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    if let Some(url) = flag.map(str::to_string).or_else(|| set(env("SCHEMASHIFT_RULES_URL"))) {
        return url;
    }
    match (set(env("GITHUB_SERVER_URL")), set(env("GITHUB_REPOSITORY"))) {
        // `HEAD` rather than the commit: the link stays the same from one
        // run to the next, and so does the comment when nothing changed.
        (Some(server), Some(repo)) => format!("{}/{}/blob/HEAD/{RELATIVE_RULES_URL}", server.trim_end_matches('/'), repo.trim_matches('/')),
        _ => RELATIVE_RULES_URL.to_string(),
    }
}

#[cfg(test)]
mod tests;
