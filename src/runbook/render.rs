//! The runbook as Markdown: what a team reads before, during and after
//! the migration. Text from outside (names, SQL, the title) goes through
//! the escapes `generate` uses, so it cannot break out of its place.

use super::{Runbook, work_words};
use crate::generate::escape::{markdown_code_block, markdown_text};

pub fn markdown(r: &Runbook) -> String {
    let mut o = String::new();
    let t = |s: &str| markdown_text(s);
    o.push_str(&format!("# Runbook: {}\n\n", t(&r.title)));

    o.push_str("## Summary\n\n");
    o.push_str(&format!("- Compatibility: **{}**\n", r.summary.level.name()));
    let counts: Vec<String> = r.summary.counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    o.push_str(&format!("- Changes: {}\n", counts.join(", ")));
    for c in &r.summary.changes {
        o.push_str(&format!("  - {}\n", t(c)));
    }
    o.push_str(&format!(
        "- Rollback: {}\n",
        match (r.summary.lossless_rollback, r.rollback.risks.is_empty()) {
            (true, true) => "lossless: the down gives back everything the up changes",
            (true, false) => "lossless now; once the new application writes data, see the risks under \"Rollback\"",
            (false, _) => "**loses data**: see \"Restoring data\"",
        }
    ));
    if let Some(risk) = &r.summary.riskiest {
        o.push_str(&format!("- Riskiest step: {}\n", t(risk)));
    }
    o.push('\n');

    o.push_str("## Pre-flight checks\n\n");
    if r.preflight.is_empty() {
        o.push_str("No step of this change can fail on the rows already there.\n\n");
    }
    for (i, c) in r.preflight.iter().enumerate() {
        o.push_str(&format!("{}. {} — {}. Must return: **{}**.\n\n", i + 1, t(&c.about), t(&c.why), c.expect));
        o.push_str(&markdown_code_block("sql", &format!("{}\n", c.sql)));
        o.push('\n');
    }

    o.push_str("## Steps\n\n");
    if !r.assumptions.is_empty() {
        o.push_str(&format!("Durations assume {} (from the table sizes given).\n\n", r.assumptions.join("; ")));
    }
    for s in &r.steps {
        o.push_str(&format!("### {}. {} (migration {}, {})\n\n", s.number, t(&s.summary), s.migration, s.phase.title()));
        let lock = match &s.lock {
            Some(l) => format!("{} — {} work", t(l), work_words(s.work)),
            None => "no lock on an existing table".into(),
        };
        o.push_str(&format!("- Lock: {lock}\n"));
        if let Some(d) = &s.duration {
            o.push_str(&format!("- Holds it for about: {}\n", t(&d.arithmetic)));
        }
        o.push_str(&format!("- Rewrites the table: {}\n", if s.rewrites_table { "yes" } else { "no" }));
        o.push_str(&format!("- In a transaction: {}\n", if s.in_transaction { "yes" } else { "no (it cannot run in one)" }));
        if let Some(lost) = &s.cannot_restore {
            o.push_str(&format!("- The down cannot restore: {}\n", t(lost)));
        }
        o.push('\n');
        o.push_str(&markdown_code_block("sql", &format!("{}\n", s.up)));
        if !s.down.is_empty() {
            o.push_str("\nUndone by:\n\n");
            o.push_str(&markdown_code_block("sql", &format!("{}\n", s.down.join("\n"))));
        }
        o.push('\n');
    }

    o.push_str("## Deploy order\n\n");
    if !r.phases_in_order {
        o.push_str(
            "The planned order mixes the phases (a later step needs an earlier one of another phase): run the migration as one, once \
             the new application is live; to deploy in phases, make the expand changes in one commit and the contract changes in a later one.\n\n",
        );
    }
    if r.phases_in_order && r.phases.len() > 1 {
        o.push_str("The phases can run apart, in this order, each phase's steps in the order listed:\n\n");
    }
    for p in &r.phases {
        let steps: Vec<String> = p.steps.iter().map(|n| n.to_string()).collect();
        o.push_str(&format!("- **{}**: steps {}\n", p.name.title(), steps.join(", ")));
        for b in &p.before {
            o.push_str(&format!("  - before it: {}\n", t(b)));
        }
    }
    o.push('\n');

    o.push_str("## Rollback\n\n");
    o.push_str("Run the downs of the migrations that ran, the last one first:\n\n");
    for m in &r.rollback.migrations {
        o.push_str(&format!(
            "Migration {} ({}):\n\n",
            m.migration,
            if m.in_transaction { "in one transaction" } else { "statement by statement, outside a transaction" }
        ));
        o.push_str(&markdown_code_block("sql", &m.sql));
        o.push('\n');
    }
    for p in &r.rollback.after_phase {
        o.push_str(&format!("If the deployment stopped after the {} phase, undo only what ran:\n\n", p.reached.title()));
        o.push_str(&markdown_code_block("sql", &p.sql.iter().map(|l| format!("{l}\n")).collect::<String>()));
        o.push('\n');
    }
    if !r.rollback.risks.is_empty() {
        o.push_str("Once the new application has written data, the down may fail or lose it:\n\n");
        for risk in &r.rollback.risks {
            o.push_str(&format!("- {}\n", t(risk)));
        }
        o.push('\n');
    }
    o.push_str("### Restoring data\n\n");
    if r.rollback.restore.is_empty() {
        o.push_str("Nothing to restore: the down gives back every row and value.\n\n");
    }
    for x in &r.rollback.restore {
        o.push_str(&format!("- {}.\n", t(&x.what)));
        if let Some(before) = &x.before {
            o.push_str("\n  Before the migration:\n\n");
            o.push_str(&indent(&markdown_code_block("sql", &format!("{before}\n"))));
        }
        if let Some(after) = &x.after {
            o.push_str("\n  After the down:\n\n");
            o.push_str(&indent(&markdown_code_block("sql", &format!("{after}\n"))));
        }
    }
    o.push_str("\n### Validation\n\nAfter the down, each query returns the old schema's answer:\n\n");
    for c in &r.rollback.validation {
        o.push_str(&format!("- {} ({}): **{}**\n\n", t(&c.about), t(&c.why), t(&c.expect)));
        o.push_str(&markdown_code_block("sql", &format!("{}\n", c.sql)));
        o.push('\n');
    }

    o.push_str("## Rollback triggers\n\n");
    for line in &r.triggers {
        o.push_str(&format!("- {}\n", t(line)));
    }
    o
}

/// A block inside a list item.
fn indent(text: &str) -> String {
    text.lines().map(|l| if l.is_empty() { "\n".to_string() } else { format!("  {l}\n") }).collect()
}
