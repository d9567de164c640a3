//! Compiler-style diagnostics, rendered with annotate-snippets (the
//! renderer rustc uses): the rule, the message, the schema line with a
//! caret under the object, the safe alternative and the pre-flight query.

use super::Texts;
use crate::lint::{Class, Finding, Report, Revision};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

pub fn render(report: &Report, texts: &Texts, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&renderer.render(&diagnostic(f, texts)).to_string());
        out.push_str("\n\n");
    }
    out.push_str(&summary(report));
    out
}

fn level(class: Class) -> Level<'static> {
    match class {
        Class::Breaking => Level::ERROR,
        Class::PotentiallyBreaking => Level::WARNING,
        Class::NonBreaking | Class::Additive => Level::NOTE,
    }
}

fn diagnostic<'a>(f: &'a Finding, texts: &'a Texts) -> Vec<Group<'a>> {
    let title = level(f.class).primary_title(f.message.as_str()).id(format!("{} {}", f.code, f.rule));
    let mut group = match f.location.as_ref().and_then(|l| snippet(l, texts)) {
        Some(snippet) => title.element(snippet),
        None => title.element(Level::NOTE.message(format!("on {}", f.object))),
    };
    if let Some(l) = f.location.as_ref().filter(|l| l.revision == Revision::Old) {
        group = group.element(Level::NOTE.message(format!("{} is where the old revision defines what this change removes", l.location)));
    }
    group = group.element(Level::HELP.message(f.help.as_str()));
    if let Some(p) = &f.preflight {
        group = group.element(Level::NOTE.message(format!("pre-flight (must return {}): {}", p.expect, p.sql)));
    }
    vec![group]
}

/// The line the finding points at, with a caret from its column to the end
/// of the line.
fn snippet<'a>(at: &'a crate::lint::Located, texts: &'a Texts) -> Option<Snippet<'a, annotate_snippets::Annotation<'a>>> {
    let text = texts.get(at.revision, &at.location.file)?;
    let line_no = at.location.line as usize;
    let line = text.lines().nth(line_no.checked_sub(1)?)?;
    let start = line.char_indices().nth((at.location.column as usize).saturating_sub(1)).map_or(0, |(i, _)| i);
    let end = line.trim_end().len().max(start + 1).min(line.len().max(start));
    Some(
        Snippet::source(line)
            .line_start(line_no)
            .path(&*at.location.file)
            .annotation(AnnotationKind::Primary.span(start..end.max(start))),
    )
}

fn summary(report: &Report) -> String {
    let n = report.findings.len();
    let mut by_class: Vec<String> = Vec::new();
    for class in Class::ALL.iter().rev() {
        let count = report.findings.iter().filter(|f| f.class == *class).count();
        if count > 0 {
            by_class.push(format!("{count} {}", class.name().replace('_', " ")));
        }
    }
    let changes: Vec<String> = report.counts.iter().filter(|(_, n)| **n > 0).map(|(c, n)| format!("{n} {}", c.replace('_', " "))).collect();
    let findings = match n {
        0 => "no findings".to_string(),
        1 => format!("1 finding ({})", by_class.join(", ")),
        _ => format!("{n} findings ({})", by_class.join(", ")),
    };
    let changes = if changes.is_empty() { "no changes".to_string() } else { format!("changes: {}", changes.join(", ")) };
    format!("{findings}; {changes}; level: {}\n", report.level.name())
}
