//! A [`MigrationPlan`] as text for the terminal, Markdown for a pull
//! request or a wiki, or JSON for machines. Formatting only: every word of
//! substance comes from the plan.

use super::embed::{Embedded, PlannedStep, work_name};
use super::plan::{Gate, MigrationPlan, Phase};
use crate::throughput::number;
use std::fmt::Write;

/// An output format of `schemashift plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

pub fn render(plan: &MigrationPlan, format: Format) -> String {
    match format {
        Format::Text => text(plan),
        Format::Markdown => markdown(plan),
        Format::Json => serde_json::to_string_pretty(plan).expect("the plan is plain data") + "\n",
    }
}

fn stated(phase: &Phase) -> Option<String> {
    let s = phase.stated.as_ref()?;
    let mut parts = Vec::new();
    if let Some(d) = &s.description {
        parts.push(d.clone());
    }
    if let Some(h) = s.estimated_duration_hours {
        parts.push(format!("{} h", number(h)));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn lock_line(step: &PlannedStep) -> String {
    let lock = step.lock.as_ref().map_or("no lock on an existing table".to_string(), |l| format!("lock {}", l.describe()));
    let destroys = step.destroys.as_deref().map(|d| format!("; destroys {d}")).unwrap_or_default();
    format!("{lock}; work: {}{destroys}", work_name(step.work))
}

fn text(plan: &MigrationPlan) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Migration plan: {} migration, pattern {}", plan.kind.name(), plan.pattern.name());
    let _ = writeln!(o, "  source: {}", plan.source);
    let _ = writeln!(o, "  target: {}", plan.target);
    if let Some(d) = &plan.description {
        let _ = writeln!(o, "  description: {d}");
    }
    let _ = writeln!(o, "  specification: {}", plan.spec);
    if let Some(s) = &plan.schema {
        let _ = writeln!(o, "  schema: {} → {}{}", s.old, s.new, if s.online { " (online forms)" } else { "" });
    }

    let _ = writeln!(o, "\nRequirements");
    for r in &plan.requirements {
        let _ = writeln!(o, "  {} ({})", r.name, r.from);
        for a in &r.actions {
            let _ = writeln!(o, "    - {a}");
        }
    }

    let _ = writeln!(o, "\nPhases");
    for (i, p) in plan.phases.iter().enumerate() {
        let _ = writeln!(o, "  {}. {}", i + 1, p.name);
        if let Some(s) = stated(p) {
            let _ = writeln!(o, "     stated: {s}");
        }
        let _ = writeln!(o, "     goal: {}", p.goal);
        if !p.actions.is_empty() {
            let _ = writeln!(o, "     actions:");
            for a in &p.actions {
                let _ = writeln!(o, "       - {a}");
            }
        }
        if !p.steps.is_empty() {
            let _ = writeln!(o, "     steps:");
            for s in &p.steps {
                for line in s.sql.lines() {
                    let _ = writeln!(o, "         {line}");
                }
                let _ = writeln!(o, "           -- {}", lock_line(s));
            }
        }
        if !p.gates.is_empty() {
            let _ = writeln!(o, "     validation gates:");
            for g in &p.gates {
                text_gate(&mut o, g);
            }
        }
        if !p.rollback_triggers.is_empty() {
            let _ = writeln!(o, "     rollback triggers:");
            for t in &p.rollback_triggers {
                let _ = writeln!(o, "       - when {}: {} ({})", t.when, t.then, t.from);
            }
        }
    }

    let _ = writeln!(o, "\nRisks");
    if plan.risks.is_empty() {
        let _ = writeln!(o, "  none found in the specification's figures");
    }
    for (i, r) in plan.risks.iter().enumerate() {
        let _ = writeln!(o, "  {}. [{}] {}", i + 1, r.severity.name(), r.risk);
        for m in &r.mitigations {
            let _ = writeln!(o, "     mitigation: {m}");
        }
    }

    let _ = writeln!(o, "\nTimeline");
    if !plan.timeline.assumptions.is_empty() {
        let _ = writeln!(o, "  assumptions:");
        for a in &plan.timeline.assumptions {
            let _ = writeln!(o, "    {} = {} {}: {}", a.name, number(a.value), a.unit, a.why);
        }
    }
    for s in &plan.timeline.sections {
        let _ = writeln!(o, "  {}:", s.title);
        for e in &s.entries {
            let _ = writeln!(o, "    {}: {}", e.subject, e.arithmetic);
        }
    }
    if !plan.timeline.checks.is_empty() {
        let _ = writeln!(o, "  checks:");
        for c in &plan.timeline.checks {
            let _ = writeln!(o, "    [{}] {}", if c.fits { "fits" } else { "over" }, c.check);
        }
    }
    if let Some(s) = &plan.schema {
        text_schema(&mut o, s);
    }
    o
}

fn text_gate(o: &mut String, g: &Gate) {
    let _ = writeln!(o, "       - {}", g.check);
    if let Some(q) = &g.query {
        let mut lines = q.lines();
        if let Some(first) = lines.next() {
            let _ = writeln!(o, "         query: {first}");
        }
        for line in lines {
            let _ = writeln!(o, "                {line}");
        }
    }
    if let Some(e) = &g.expect {
        let _ = writeln!(o, "         expect: {e}");
    }
}

fn text_schema(o: &mut String, s: &Embedded) {
    let _ = writeln!(o, "\nSchema migration {} → {}", s.old, s.new);
    let _ = writeln!(o, "  lint level: {}", s.level);
    for line in &s.session {
        let _ = writeln!(o, "  session: {line}");
    }
    for f in &s.findings {
        let _ = writeln!(o, "  {} {} [{}] {}: {}", f.code, f.rule, f.class, f.object, f.message);
    }
}

fn markdown(plan: &MigrationPlan) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Migration plan: {} migration, pattern `{}`\n", plan.kind.name(), plan.pattern.name());
    let _ = writeln!(o, "- **Source:** {}", md(&plan.source));
    let _ = writeln!(o, "- **Target:** {}", md(&plan.target));
    if let Some(d) = &plan.description {
        let _ = writeln!(o, "- **Description:** {}", md(d));
    }
    let _ = writeln!(o, "- **Specification:** {}", code(&plan.spec));
    if let Some(s) = &plan.schema {
        let _ = writeln!(o, "- **Schema:** {} → {}{}", code(&s.old), code(&s.new), if s.online { " (online forms)" } else { "" });
    }

    let _ = writeln!(o, "\n## Requirements\n");
    for r in &plan.requirements {
        let _ = writeln!(o, "- **{}** ({})", md(&r.name), code(&r.from));
        for a in &r.actions {
            let _ = writeln!(o, "  - {}", md(a));
        }
    }

    let _ = writeln!(o, "\n## Phases");
    for (i, p) in plan.phases.iter().enumerate() {
        let _ = writeln!(o, "\n### {}. {}\n", i + 1, md(&p.name));
        if let Some(s) = stated(p) {
            let _ = writeln!(o, "*Stated:* {}\n", md(&s));
        }
        let _ = writeln!(o, "**Goal:** {}\n", md(&p.goal));
        if !p.actions.is_empty() {
            let _ = writeln!(o, "**Actions**\n");
            for a in &p.actions {
                let _ = writeln!(o, "- {}", md(a));
            }
            o.push('\n');
        }
        if !p.steps.is_empty() {
            let _ = writeln!(o, "**Steps**\n");
            for s in &p.steps {
                let _ = writeln!(o, "- {}", md(&lock_line(s)));
                fenced(&mut o, "sql", &s.sql, "  ");
            }
            o.push('\n');
        }
        if !p.gates.is_empty() {
            let _ = writeln!(o, "**Validation gates**\n");
            for g in &p.gates {
                let _ = writeln!(o, "- [ ] {}", md(&g.check));
                if let Some(q) = &g.query {
                    fenced(&mut o, "sql", q, "  ");
                }
                if let Some(e) = &g.expect {
                    let _ = writeln!(o, "  expect: {}", md(e));
                }
            }
            o.push('\n');
        }
        if !p.rollback_triggers.is_empty() {
            let _ = writeln!(o, "**Rollback triggers**\n");
            for t in &p.rollback_triggers {
                let _ = writeln!(o, "- when {}: {} ({})", md(&t.when), md(&t.then), code(&t.from));
            }
        }
    }

    let _ = writeln!(o, "\n## Risks\n");
    if plan.risks.is_empty() {
        let _ = writeln!(o, "None found in the specification's figures.");
    }
    for r in &plan.risks {
        let _ = writeln!(o, "- **{}**: {}", r.severity.name(), md(&r.risk));
        for m in &r.mitigations {
            let _ = writeln!(o, "  - mitigation: {}", md(m));
        }
    }

    let _ = writeln!(o, "\n## Timeline\n");
    if !plan.timeline.assumptions.is_empty() {
        let _ = writeln!(o, "Assumptions:\n");
        for a in &plan.timeline.assumptions {
            let _ = writeln!(o, "- {} = {} {}: {}", code(a.name), number(a.value), a.unit, md(a.why));
        }
        o.push('\n');
    }
    for s in &plan.timeline.sections {
        let _ = writeln!(o, "**{}**\n", md(&s.title));
        for e in &s.entries {
            let _ = writeln!(o, "- {}: {}", md(&e.subject), code(&e.arithmetic));
        }
        o.push('\n');
    }
    if !plan.timeline.checks.is_empty() {
        let _ = writeln!(o, "**Checks**\n");
        for c in &plan.timeline.checks {
            let _ = writeln!(o, "- {} {}", if c.fits { "✅ fits:" } else { "⚠️ over:" }, md(&c.check));
        }
    }
    if let Some(s) = &plan.schema {
        let _ = writeln!(o, "\n## Schema migration {} → {}\n", code(&s.old), code(&s.new));
        let _ = writeln!(o, "Lint level: `{}`\n", s.level);
        for f in &s.findings {
            let _ = writeln!(o, "- {} {} ({}) {}: {}", code(f.code), f.rule, f.class, code(&f.object), md(&f.message));
        }
    }
    o
}

/// Text from the specification in Markdown: the characters that would
/// start emphasis, a link or inline HTML are escaped.
fn md(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        // An underscore inside a word (`user_profiles`) starts no emphasis.
        let inside_word = c == '_'
            && i > 0
            && chars[i - 1].is_alphanumeric()
            && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') && !inside_word {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Inline code whose fence is longer than any run of backticks inside.
fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A fenced block, indented, whose fence no line of `text` can close.
fn fenced(o: &mut String, lang: &str, text: &str, indent: &str) {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let _ = writeln!(o, "{indent}{fence}{lang}");
    for line in text.lines() {
        let _ = writeln!(o, "{indent}{line}");
    }
    let _ = writeln!(o, "{indent}{fence}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_helpers_keep_text_inert() {
        assert_eq!(md("a_b _c_ *d* [e](f)"), "a_b \\_c\\_ \\*d\\* \\[e\\](f)");
        assert_eq!(code("x`y"), "``x`y``");
        let mut o = String::new();
        fenced(&mut o, "sql", "SELECT '```';", "");
        assert_eq!(o, "````sql\nSELECT '```';\n````\n");
    }
}
