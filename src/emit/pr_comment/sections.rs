//! The comment's sections, each written in full or cut down to what
//! [`Keep`] allows, with a line saying what was left out and how to see it.
//! Text from outside (names, messages, file paths, SQL) goes through the
//! escapes `generate` uses, so that it cannot break out of its place.

use super::budget::chars;
use super::{Input, MARKER};
use crate::emit::lint::markdown::badge;
use crate::generate::escape::{markdown_code_block, markdown_text, one_line};
use crate::lint::{Level, Revision};
use std::fmt::Write;

/// How much of each section to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Keep {
    /// Characters of SQL, the up and the down together; `None`: all of it.
    pub sql: Option<usize>,
    /// How many findings, the most severe first.
    pub findings: usize,
    pub preflight: usize,
    /// How many rows of the changes table.
    pub changes: usize,
}

impl Keep {
    /// Everything.
    pub fn all(input: &Input) -> Keep {
        Keep { sql: None, findings: input.report.findings.len(), preflight: input.preflight.len(), changes: input.report.changes.len() }
    }
}

/// The whole comment under `keep`.
pub(super) fn compose(input: &Input, keep: &Keep) -> String {
    let mut out = String::new();
    heading(&mut out, input);
    if input.report.changes.is_empty() && input.report.findings.is_empty() {
        out.push_str("No schema changes.\n");
        return out;
    }
    counts(&mut out, input);
    changes(&mut out, input, keep.changes);
    if let Some(plan) = input.plan.filter(|p| !p.is_empty()) {
        migration(&mut out, input, plan, keep.sql);
    }
    findings(&mut out, input, keep.findings);
    preflight(&mut out, input, keep.preflight);
    out
}

fn level_badge(level: Level) -> &'static str {
    match level {
        Level::FullyCompatible => "🟢 fully compatible",
        Level::BackwardCompatible => "🔵 backward compatible",
        Level::PotentiallyIncompatible => "🟠 potentially incompatible",
        Level::BreakingChanges => "🔴 breaking changes",
    }
}

fn heading(out: &mut String, input: &Input) {
    let _ = writeln!(out, "{MARKER}");
    let _ = writeln!(out, "## schemashift: {}\n", level_badge(input.report.level));
    let _ = writeln!(out, "Schema change {}\n", code(input.title));
}

fn counts(out: &mut String, input: &Input) {
    let report = input.report;
    out.push_str("| class | changes | findings |\n|---|---:|---:|\n");
    for class in crate::lint::Class::ALL.iter().rev() {
        let changes = report.counts.get(class.name()).copied().unwrap_or(0);
        let findings = report.findings.iter().filter(|f| f.class == *class).count();
        let _ = writeln!(out, "| {} | {changes} | {findings} |", badge(*class));
    }
    if report.suppressed > 0 {
        let _ = writeln!(out, "\n{} finding(s) suppressed by `schemashift:ignore` comments.", report.suppressed);
    }
    out.push('\n');
}

/// One row per change: what, its class, and the locks its steps take on
/// tables that exist (a step that creates its table locks nothing anyone waits on).
fn changes(out: &mut String, input: &Input, keep: usize) {
    let all = &input.report.changes;
    if all.is_empty() {
        return;
    }
    let locks = locks_by_change(input);
    out.push_str("### Changes\n\n| object | change | class | lock |\n|---|---|---|---|\n");
    for (i, c) in all.iter().enumerate().take(keep) {
        let lock = locks.get(i).filter(|l| !l.is_empty()).map_or_else(|| "—".to_string(), |l| markdown_text(&l.join("; ")));
        let _ = writeln!(out, "| {} | {} | {} | {lock} |", markdown_text(&c.object), markdown_text(&c.kind.replace('_', " ")), badge(c.class));
    }
    if keep < all.len() {
        let _ = writeln!(
            out,
            "\n_{} of {} changes left out to stay under GitHub's comment limit; `schemashift lint {} --format json` lists them all._",
            thousands(all.len() - keep),
            thousands(all.len()),
            inline_command(input.sources)
        );
    }
    out.push('\n');
}

/// For each change (by index), the locks of the up steps that carry it out:
/// `ACCESS EXCLUSIVE on public.users (rewrite)`.
fn locks_by_change(input: &Input) -> Vec<Vec<String>> {
    let mut locks = vec![Vec::new(); input.report.changes.len()];
    let Some(plan) = input.plan else { return locks };
    for step in &plan.up {
        let (Some(lock), Some(i)) = (&step.facts.lock, crate::runbook::change_of(step, &plan.changes)) else { continue };
        let work = match step.facts.work {
            crate::plan::facts::Work::Metadata => String::new(),
            w => format!(" ({})", crate::runbook::work_words(w)),
        };
        let text = format!("{} on {}{work}", lock.level, lock.on);
        if let Some(list) = locks.get_mut(i).filter(|l| !l.contains(&text)) {
            list.push(text);
        }
    }
    locks
}

/// The up and the down SQL, folded; with `room`, only that many characters
/// of the two together, whole lines from the top of each.
fn migration(out: &mut String, input: &Input, plan: &crate::plan::Plan, room: Option<usize>) {
    let up = plan.up_sql();
    let down = plan.down_sql();
    let (up_room, down_room) = match room {
        None => (usize::MAX, usize::MAX),
        Some(room) => share(room, chars(&up), chars(&down)),
    };
    out.push_str("### Migration\n\n");
    let (up_kept, up_left) = clip(&up, up_room);
    let (down_kept, down_left) = clip(&down, down_room);
    fold(out, &format!("Up: {}", statements(plan.session.len() + plan.up.len())), &up_kept, up_left);
    fold(out, &format!("Down: {}", statements(plan.session.len() + plan.down.len())), &down_kept, down_left);
    if up_left + down_left > 0 {
        let _ = writeln!(
            out,
            "> SQL trimmed: {} characters left out to stay under GitHub's comment limit; run `schemashift diff {}` to see the up, \
             and with `--reverse` the down.\n",
            thousands(up_left + down_left),
            inline_command(input.sources)
        );
    }
}

fn statements(n: usize) -> String {
    if n == 1 { "1 statement".into() } else { format!("{n} statements") }
}

/// How `room` characters are shared between the up (`up` long) and the
/// down: half each, and what one does not need goes to the other.
pub(super) fn share(room: usize, up: usize, down: usize) -> (usize, usize) {
    let half = room / 2;
    let up_room = if up <= half { up } else { room.saturating_sub(down.min(room - half)) };
    (up_room, room - up_room.min(up))
}

/// The whole lines of `sql` that fit in `room` characters, and how many
/// characters were left out.
pub(super) fn clip(sql: &str, room: usize) -> (String, usize) {
    let total = chars(sql);
    if total <= room {
        return (sql.to_string(), 0);
    }
    let mut kept = String::new();
    let mut used = 0;
    for line in sql.split_inclusive('\n') {
        let n = chars(line);
        if used + n > room {
            break;
        }
        kept.push_str(line);
        used += n;
    }
    (kept, total - used)
}

fn fold(out: &mut String, summary: &str, sql: &str, left_out: usize) {
    let _ = writeln!(out, "<details>\n<summary>{}</summary>\n", markdown_text(summary));
    let mut body = sql.to_string();
    if left_out > 0 {
        let _ = writeln!(body, "-- … {} more characters left out", thousands(left_out));
    }
    out.push_str(&markdown_code_block("sql", &body));
    out.push_str("\n</details>\n\n");
}

/// The findings, the most severe first when not all fit, each linked to its
/// rule's documentation.
fn findings(out: &mut String, input: &Input, keep: usize) {
    let all = &input.report.findings;
    out.push_str("### Findings\n\n");
    if all.is_empty() {
        out.push_str("No findings.\n\n");
        return;
    }
    for i in kept_findings(input, keep) {
        let f = &all[i];
        let anchor = crate::lint::docs::anchor(f.code, f.rule);
        let at = match &f.location {
            Some(l) => {
                let side = if l.revision == Revision::Old { " (old schema)" } else { "" };
                format!(" at {}{side}", code(&l.location.to_string()))
            }
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "- {} [{} {}]({}#{anchor}){at}: {}\n  **Instead:** {}",
            badge(f.class),
            f.code,
            f.rule,
            link_target(input.rules_url),
            prose(&f.message),
            prose(&f.help)
        );
    }
    if keep < all.len() {
        let _ = writeln!(
            out,
            "\n_{} of {} findings left out (the least severe) to stay under GitHub's comment limit; run `schemashift lint {}` to see them all._",
            thousands(all.len() - keep),
            thousands(all.len()),
            inline_command(input.sources)
        );
    }
    out.push('\n');
}

/// The indexes of the `keep` findings shown: the most severe, then the
/// first in file order; listed in file order.
fn kept_findings(input: &Input, keep: usize) -> Vec<usize> {
    let all = &input.report.findings;
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(all[i].class), i));
    order.truncate(keep);
    order.sort_unstable();
    order
}

fn preflight(out: &mut String, input: &Input, keep: usize) {
    let all = input.preflight;
    if all.is_empty() {
        return;
    }
    out.push_str("### Pre-flight checks\n\nRun each before the migration; a step fails on the rows a check finds.\n\n");
    for (i, c) in all.iter().enumerate().take(keep) {
        let _ = writeln!(out, "{}. {} — {}. Must return: **{}**.\n", i + 1, markdown_text(&c.about), markdown_text(&c.why), markdown_text(&c.expect));
        for line in markdown_code_block("sql", &format!("{}\n", c.sql)).lines() {
            let _ = writeln!(out, "   {line}");
        }
        out.push('\n');
    }
    if keep < all.len() {
        let _ = writeln!(
            out,
            "_{} of {} checks left out to stay under GitHub's comment limit; `schemashift lint {} --format markdown` lists them all._\n",
            thousands(all.len() - keep),
            thousands(all.len()),
            inline_command(input.sources)
        );
    }
}

/// `65536` as `65,536`.
pub(super) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rule's message or advice: its `code spans` kept as code (a statement
/// to run reads better so), the rest escaped. Spans hold names from the
/// schema, so a text whose backticks do not pair up is escaped whole.
fn prose(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) || parts.iter().skip(1).step_by(2).any(|p| p.is_empty()) {
        return markdown_text(text);
    }
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 0 {
            out.push_str(&markdown_text(part));
        } else {
            let _ = write!(out, "`{}`", one_line(part));
        }
    }
    out
}

/// Text as inline code, on one line: the fence is longer than any run of
/// backticks inside.
fn code(text: &str) -> String {
    let text = one_line(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// The sources inside a command already in backticks: no backtick of
/// their own can end the span early.
fn inline_command(sources: &str) -> String {
    one_line(sources).replace('`', "'")
}

/// A link target that cannot end the link early: `)`, spaces and angle
/// brackets percent-encoded.
fn link_target(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
