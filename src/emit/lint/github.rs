//! GitHub Actions workflow commands: one `::error` / `::warning` /
//! `::notice` line per finding, which the runner turns into annotations on
//! the pull request's files.

use crate::lint::{Class, Report};

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
    out
}
