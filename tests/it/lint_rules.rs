//! The rule registry: every rule's examples (the ones its documentation
//! shows) fire or stay quiet as they say, codes and names are unique and
//! well-formed, and `docs/rules.md` is the registry's own rendering.

use crate::support::read_sql;
use schemashift::lint::{self, Options, Revision, Rule, RuleSetting, Texts, rules};

fn findings_of(rule: &Rule, old_sql: &str, new_sql: &str, version: Option<u32>) -> Vec<lint::Finding> {
    let read = |path: &str, sql: &str| {
        read_sql(path, sql).unwrap_or_else(|e| panic!("{} ({}): example does not read: {e}\n{sql}", rule.code, rule.name)).0
    };
    let (old, new) = (read("old.sql", old_sql), read("new.sql", new_sql));
    let plan = schemashift::plan::plan(&old, &new).unwrap_or_else(|e| panic!("{}: example does not plan: {e}", rule.code));
    let mut options = Options { server_version: version, ..Options::default() };
    options.rules.insert(rule.name.to_string(), RuleSetting { enabled: Some(true), class: None });
    let mut texts = Texts::default();
    texts.insert(Revision::Old, "old.sql", old_sql.to_string());
    texts.insert(Revision::New, "new.sql", new_sql.to_string());
    lint::lint(&old, &new, &plan, &options, &texts).findings.into_iter().filter(|f| f.code == rule.code).collect()
}

#[test]
fn every_rule_fires_on_its_examples_and_only_there() {
    let mut failures = Vec::new();
    for rule in rules::all() {
        for e in rule.fires {
            let found = findings_of(rule, e.old, e.new, e.server_version);
            if found.is_empty() {
                failures.push(format!("{} {} does not fire on:\n-- old\n{}\n-- new\n{}", rule.code, rule.name, e.old, e.new));
            }
            for f in &found {
                if f.location.is_none() {
                    failures.push(format!("{} {}: finding without a location: {}", rule.code, rule.name, f.message));
                }
            }
        }
        for e in rule.passes {
            let found = findings_of(rule, e.old, e.new, e.server_version);
            if !found.is_empty() {
                failures.push(format!("{} {} fires on:\n-- old\n{}\n-- new\n{}\n=> {}", rule.code, rule.name, e.old, e.new, found[0].message));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let all: Vec<&Rule> = rules::all().collect();
    let mut codes: Vec<&str> = all.iter().map(|r| r.code).collect();
    let mut names: Vec<&str> = all.iter().map(|r| r.name).collect();
    codes.sort();
    codes.dedup();
    names.sort();
    names.dedup();
    assert_eq!(codes.len(), all.len(), "a code is used twice");
    assert_eq!(names.len(), all.len(), "a name is used twice");
    for r in &all {
        assert!(r.code.len() == 5 && r.code.starts_with("SS") && r.code[2..].bytes().all(|b| b.is_ascii_digit()), "{}", r.code);
        assert!(r.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{}", r.name);
        assert!(!r.fires.is_empty() && !r.passes.is_empty(), "{} needs examples that fire and that do not", r.code);
        for text in [r.summary, r.why, r.locks, r.instead] {
            assert!(text.trim().len() > 10, "{}: documentation missing", r.code);
        }
    }
}

#[test]
fn docs_rules_md_is_the_registry_rendered() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
    let expected = lint::docs::markdown();
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is out of date: run `cargo run -q -- rules --format markdown > docs/rules.md`"
    );
}
