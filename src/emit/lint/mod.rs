//! The linter's reports: the same [`Report`] for people (`text`, compiler-
//! style diagnostics; `markdown` for a pull request), for machines (`json`)
//! and for code review systems (`sarif` for code scanning, `github`
//! workflow commands, `gitlab` Code Quality), and the pull request comment
//! (`crate::emit::pr_comment`, which also needs the plan). Reports format the findings;
//! they decide nothing.

mod github;
mod gitlab;
pub(crate) mod markdown;
mod sarif;
mod text;

use crate::lint::Report;
pub use crate::lint::Texts;

/// How to print the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with the source line, a caret and the safe alternative.
    Text,
    /// The whole report: level, counts per class, classified changes, findings.
    Json,
    /// For a pull request comment or a job summary.
    Markdown,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// The pull request comment `schemashift github comment` posts: the
    /// Markdown report with each change's lock, the SQL, rule links and
    /// pre-flight checks, under GitHub's size limit.
    PrComment,
}

/// The report in `format`; `color` only for a terminal.
pub fn render(report: &Report, texts: &Texts, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::render(report, texts, color),
        Format::Json => serde_json::to_string_pretty(report).expect("plain data serializes") + "\n",
        Format::Markdown => markdown::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
        Format::Gitlab => gitlab::render(report),
        // Without the plan: the changes, findings and pre-flight checks
        // (`cli::lint` gives it the plan when there is one).
        Format::PrComment => {
            let preflight = crate::runbook::preflight(report);
            let input = crate::emit::pr_comment::Input {
                report,
                plan: None,
                preflight: &preflight,
                title: "old → new",
                sources: "",
                rules_url: crate::emit::pr_comment::RELATIVE_RULES_URL,
            };
            crate::emit::pr_comment::render(&input)
        }
    }
}

/// One line per finding, for standard error beside `diff` and `generate`
/// (as a warning): `schema.sql:3:5: breaking SS102 drop-column: column public.t.c …`,
/// the place first like every other message there.
pub fn one_line(f: &crate::lint::Finding) -> String {
    let at = f.location.as_ref().map(|l| format!("{}: ", l.location)).unwrap_or_default();
    format!("{at}{} {} {}: {}", f.class.name(), f.code, f.rule, f.message)
}
