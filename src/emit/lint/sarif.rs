//! SARIF 2.1.0, as GitHub code scanning ingests it: one run, the rules that
//! fired as the driver's rules (with their documentation), one result per
//! finding with a physical location. Breaking findings are `error`,
//! potentially breaking ones `warning`, the rest `note`.

use crate::lint::{Class, Finding, Report, Revision, Rule, rules};
use serde_json::{Value, json};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(class: Class) -> &'static str {
    match class {
        Class::Breaking => "error",
        Class::PotentiallyBreaking => "warning",
        Class::NonBreaking | Class::Additive => "note",
    }
}

fn rule_descriptor(rule: &Rule) -> Value {
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": rule.why },
        "help": {
            "text": format!("{}\n\nLocks and rewrites: {}\n\nInstead: {}", rule.why, rule.locks, rule.instead),
            "markdown": format!("{}\n\n**Locks and rewrites.** {}\n\n**Instead.** {}", rule.why, rule.locks, rule.instead),
        },
        "defaultConfiguration": { "level": level(rule.class) },
        "properties": { "tags": ["schema", rule.class.name()] },
    })
}

fn result(f: &Finding, index: usize) -> Value {
    let mut text = f.message.clone();
    text.push_str(&format!(". Instead: {}", f.help));
    if let Some(p) = &f.preflight {
        text.push_str(&format!(" Pre-flight (must return {}): {}", p.expect, p.sql));
    }
    let mut result = json!({
        "ruleId": f.code,
        "ruleIndex": index,
        "level": level(f.class),
        "message": { "text": text },
        // Stable across runs and line moves: the rule and the object.
        "partialFingerprints": { "schemashiftObject/v1": format!("{}:{}", f.code, f.object) },
        "properties": { "class": f.class.name(), "object": f.object },
    });
    if let Some(at) = &f.location {
        result["locations"] = json!([{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&at.location.file) },
                "region": { "startLine": at.location.line.max(1), "startColumn": at.location.column.max(1) },
            },
        }]);
        if at.revision == Revision::Old {
            result["properties"]["revision"] = json!("old");
        }
    }
    result
}

/// A relative path as a URI reference: forward slashes, spaces and the
/// like percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn render(report: &Report) -> String {
    // Every rule is described, not only those that fired: code scanning
    // then knows a rule that stopped firing (its alerts are fixed).
    let all: Vec<&Rule> = rules::all().collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, all.iter().position(|r| r.code == f.code).unwrap_or(0)))
        .collect();
    let sarif = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "schemashift",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": all.iter().map(|r| rule_descriptor(r)).collect::<Vec<_>>(),
            }},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    });
    serde_json::to_string_pretty(&sarif).expect("plain data serializes") + "\n"
}
