//! GitHub Actions workflow commands: one `::error` / `::warning` /
//! `::notice` line per finding, which the runner turns into annotations on
//! the pull request's files; and a `::notice` on each changed line of the new
//! schema that no finding is about, so that every change shows on the diff.

use crate::lint::{Class, Report, Revision};

/// Escapes a command's message: `%`, CR and LF (GitHub's toolkit rules).
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command's property value: also `:` and `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let command = match f.class {
            Class::Breaking => "error",
            Class::PotentiallyBreaking => "warning",
            Class::NonBreaking | Class::Additive => "notice",
        };
        let mut props = Vec::new();
        if let Some(at) = &f.location {
            props.push(format!("file={}", property(&at.location.file)));
            props.push(format!("line={}", at.location.line));
            props.push(format!("col={}", at.location.column));
        }
        props.push(format!("title={}", property(&format!("{} {}", f.code, f.rule))));
        let message = format!("{}\nInstead: {}", f.message, f.help);
        out.push_str(&format!("::{command} {}::{}\n", props.join(","), data(&message)));
    }
    // The changes where the new schema says them (a drop is in the old
    // schema only, whose lines the pull request's files no longer have).
    for c in &report.changes {
        let Some(at) = c.location.as_ref().filter(|l| l.revision == Revision::New) else { continue };
        let found = report.findings.iter().any(|f| f.location.as_ref().is_some_and(|l| l.revision == Revision::New && l.location.same_place(&at.location)));
        if found {
            continue;
        }
        let props = [
            format!("file={}", property(&at.location.file)),
            format!("line={}", at.location.line),
            format!("col={}", at.location.column),
            format!("title={}", property(&format!("schemashift: {}", c.class.name()))),
        ];
        out.push_str(&format!("::notice {}::{}\n", props.join(","), data(&format!("{} {} ({})", c.kind.replace('_', " "), c.object, c.class.name()))));
    }
    out
}
