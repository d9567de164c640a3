//! The linter: judges a planned migration the way a schema linter judges a
//! migration file, but from the model and the planned steps, so it knows
//! the table, the lock, the rewrite and the data lost, not just the text.
//!
//! Every change gets a [`Class`] ([`class::classify`]), the migration a
//! [`Level`]; each rule of the registry ([`rules`], one file per rule) reads
//! the changes, the steps' facts and the models and reports [`Finding`]s
//! at `file:line:column`. Configuration and suppression comments decide
//! which findings stand. Reports only format the [`Report`].

pub mod class;
mod context;
pub mod docs;
mod finding;
pub mod migrations;
mod rule;
pub mod rules;
mod suppress;
mod texts;

pub use class::{Class, Level};
pub use context::Context;
pub use finding::{Finding, Located, Preflight, Revision};
pub use rule::{Example, Hit, Rule};
pub use texts::Texts;

use crate::diff::Change;
use crate::model::Schema;
use crate::plan::Plan;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the configuration says about one rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleSetting {
    /// `Some(false)`: off; `Some(true)`: on (an opt-in rule too).
    pub enabled: Option<bool>,
    /// The class its findings get instead of the rule's own.
    pub class: Option<Class>,
}

/// Naming conventions, each a regular expression a whole name must match
/// (the `naming-convention` rule).
#[derive(Debug, Clone, Default)]
pub struct Naming {
    pub table: Option<regex::Regex>,
    pub column: Option<regex::Regex>,
    pub index: Option<regex::Regex>,
    pub constraint: Option<regex::Regex>,
    pub view: Option<regex::Regex>,
}

/// How to lint: from `schemashift.toml` and the flags.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The major version of the database the migration runs on; `None`:
    /// assume a supported one (rules whose behaviour changed with a version
    /// say which).
    pub server_version: Option<u32>,
    /// By rule name or code.
    pub rules: BTreeMap<String, RuleSetting>,
    pub naming: Naming,
}

impl Options {
    fn setting(&self, rule: &Rule) -> Option<&RuleSetting> {
        self.rules.get(rule.name).or_else(|| self.rules.get(rule.code))
    }
    /// Whether the rule runs: opt-in rules only when enabled.
    pub fn enabled(&self, rule: &Rule) -> bool {
        self.setting(rule).and_then(|s| s.enabled).unwrap_or(!rule.opt_in)
    }
    pub fn class(&self, rule: &Rule) -> Class {
        self.setting(rule).and_then(|s| s.class).unwrap_or(rule.class)
    }
}

/// One change with its class.
#[derive(Debug, Clone, Serialize)]
pub struct ClassifiedChange {
    pub kind: String,
    pub object: String,
    pub class: Class,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Located>,
}

/// The linter's verdict on a migration.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The migration's level: its worst change or finding.
    pub level: Level,
    /// How many changes of each class (every class listed, zeros too).
    pub counts: BTreeMap<&'static str, usize>,
    pub changes: Vec<ClassifiedChange>,
    /// In file order; then by rule code.
    pub findings: Vec<Finding>,
    /// How many findings suppression comments silenced.
    pub suppressed: usize,
}

impl Report {
    /// The worst class among the findings.
    pub fn worst(&self) -> Option<Class> {
        self.findings.iter().map(|f| f.class).max()
    }
}

/// Lints the migration `plan` from `old` to `new`; `texts` are the schema
/// files, read for suppression comments.
pub fn lint(old: &Schema, new: &Schema, plan: &Plan, options: &Options, texts: &Texts) -> Report {
    judge(Context { old, new, plan, options, statement: None }, texts)
}

/// Lints one statement of a hand-written migration, which is `at`:
/// `plan.up` is that statement alone, with the facts the database gives it.
pub fn lint_statement(old: &Schema, new: &Schema, plan: &Plan, options: &Options, texts: &Texts, at: Located) -> Report {
    judge(Context { old, new, plan, options, statement: Some(at) }, texts)
}

fn judge(ctx: Context, texts: &Texts) -> Report {
    let Context { new, plan, options, .. } = ctx;
    let mut changes: Vec<ClassifiedChange> = plan
        .changes
        .iter()
        .map(|c| ClassifiedChange {
            kind: change_kind(c),
            object: c.object(),
            class: class::classify(c, new.dialect, |t| ctx.existed(t)),
            location: ctx.at(c),
        })
        .collect();
    replacements(&mut changes);
    let mut findings = Vec::new();
    for rule in rules::all().filter(|r| options.enabled(r) && !(ctx.statement.is_some() && rules::judges_the_down(r))) {
        let class = options.class(rule);
        for hit in (rule.check)(&ctx) {
            findings.push(Finding {
                code: rule.code,
                rule: rule.name,
                class,
                object: hit.object,
                message: hit.message,
                location: ctx.statement.clone().or(hit.at),
                help: hit.help.unwrap_or_else(|| rule.instead.to_string()),
                preflight: hit.preflight,
            });
        }
    }
    let (suppressed, unknown) = suppress::apply(&mut findings, texts);
    let meta = rules::meta::UNKNOWN_RULE_REF;
    if options.enabled(meta) {
        findings.extend(unknown.into_iter().map(|f| Finding { class: options.class(meta), ..f }));
    }
    findings.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    let mut counts: BTreeMap<&'static str, usize> = Class::ALL.iter().map(|c| (c.name(), 0)).collect();
    for c in &changes {
        *counts.entry(c.class.name()).or_default() += 1;
    }
    // Going forward: what the rollback could not give back is reported, but
    // does not make the change itself less compatible.
    let forward = findings.iter().filter(|f| rules::find(f.code).is_none_or(|r| !rules::judges_the_down(r)));
    let worst = changes.iter().map(|c| c.class).chain(forward.map(|f| f.class)).max();
    Report { level: Level::of(worst), counts, changes, findings, suppressed }
}

/// Where a finding is: revision, file, line, column.
type Place<'a> = (Revision, &'a str, u32, u32);

fn sort_key(f: &Finding) -> (Option<Place<'_>>, &'static str, &str) {
    let at = f.location.as_ref().map(|l| (l.revision, &*l.location.file, l.location.line, l.location.column));
    (at, f.code, f.object.as_str())
}

/// The change's kind as the JSON report names it (`drop_column`).
pub fn change_kind(change: &Change) -> String {
    serde_json::to_value(change)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str().map(str::to_string)))
        .unwrap_or_default()
}

/// Whether `b` is one or two edits away from `a`: a likely typo of it, for
/// "did you mean".
pub fn similar(a: &str, b: &str) -> bool {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()] <= 2
}

/// An object dropped and created again under the same name (a view whose
/// columns change, a function whose result type changes) is replaced, not
/// gone: what uses it may break, but it is still there.
fn replacements(changes: &mut [ClassifiedChange]) {
    let created: std::collections::BTreeSet<(String, String)> = changes
        .iter()
        .filter_map(|c| c.kind.strip_prefix("create_").map(|k| (k.to_string(), c.object.clone())))
        .collect();
    for c in changes.iter_mut() {
        if let Some(kind) = c.kind.strip_prefix("drop_")
            && created.contains(&(kind.to_string(), c.object.clone()))
        {
            c.class = c.class.min(Class::PotentiallyBreaking);
        }
    }
}
