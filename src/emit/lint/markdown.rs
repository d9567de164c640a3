//! Markdown, for a pull request comment or a job summary: the level, the
//! counts, then one section per finding with the safe alternative and the
//! pre-flight query.

use crate::lint::{Class, Report};
use std::fmt::Write;

/// The class with its colour, as the Markdown reports show it.
pub(crate) fn badge(class: Class) -> &'static str {
    match class {
        Class::Breaking => "🔴 breaking",
        Class::PotentiallyBreaking => "🟠 potentially breaking",
        Class::NonBreaking => "🔵 non-breaking",
        Class::Additive => "🟢 additive",
    }
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## schemashift: `{}`\n", report.level.name());
    out.push_str("| class | changes | findings |\n|---|---:|---:|\n");
    for class in Class::ALL.iter().rev() {
        let changes = report.counts.get(class.name()).copied().unwrap_or(0);
        let findings = report.findings.iter().filter(|f| f.class == *class).count();
        let _ = writeln!(out, "| {} | {changes} | {findings} |", badge(*class));
    }
    if report.suppressed > 0 {
        let _ = writeln!(out, "\n{} finding(s) suppressed by `schemashift:ignore` comments.", report.suppressed);
    }
    if report.findings.is_empty() {
        out.push_str("\nNo findings.\n");
        return out;
    }
    out.push('\n');
    for f in &report.findings {
        let at = f.location.as_ref().map(|l| format!(" — `{}`", l.location)).unwrap_or_default();
        let _ = writeln!(out, "### {} `{}` {}{at}\n", badge(f.class), f.code, f.rule);
        let _ = writeln!(out, "{}\n\n**Instead:** {}\n", f.message, f.help);
        if let Some(p) = &f.preflight {
            let _ = writeln!(out, "Pre-flight (must return {}):\n\n```sql\n{}\n```\n", p.expect, p.sql);
        }
    }
    out
}
