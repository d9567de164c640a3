//! Suppression comments in the schema files:
//!
//! - `-- schemashift:ignore <rule>[, <rule>…] [-- reason]` on the lines just
//!   above a statement (or just above the line a finding points at, e.g. a
//!   column inside `CREATE TABLE`) silences those rules there;
//! - `-- schemashift:ignore-file [<rule>…] [-- reason]` anywhere in a file
//!   silences those rules (all, without a list) for findings in that file.
//!
//! A finding about something removed points at the old revision, where no
//! one can add a comment any more: for those, the new revision's file of the
//! same path is read for `ignore-file`. A rule name that no rule has is
//! itself a finding (`unknown-rule-in-suppression`): a typo must not
//! silently suppress nothing.

use super::{Finding, Located, Revision, Texts, rules};

/// One directive, as written.
#[derive(Debug, Clone, PartialEq)]
struct Directive {
    whole_file: bool,
    /// Names or codes; empty: every rule (only for `ignore-file`).
    rules: Vec<String>,
    /// 1-based line of the comment.
    line: u32,
    /// 1-based column of the first rule name, for reporting a typo.
    column: u32,
}

/// Parses a `--` comment line holding a directive.
fn directive(text: &str, line: u32) -> Option<Directive> {
    let body = text.trim_start().strip_prefix("--")?.trim_start();
    let (whole_file, rest) = if let Some(r) = body.strip_prefix("schemashift:ignore-file") {
        (true, r)
    } else if let Some(r) = body.strip_prefix("schemashift:ignore") {
        (false, r)
    } else {
        return None;
    };
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let list = rest.split(" --").next().unwrap_or("");
    let rules: Vec<String> = list.split([',', ' ', '\t']).filter(|s| !s.is_empty()).map(str::to_string).collect();
    // The column of the list: where `rest` starts in the line, past its blanks.
    let list_at = text.len() - rest.trim_start().len();
    Some(Directive { whole_file, rules, line, column: list_at as u32 + 1 })
}

/// The directives of one file.
fn directives(text: &str) -> Vec<Directive> {
    text.lines().enumerate().filter_map(|(i, l)| directive(l, i as u32 + 1)).collect()
}

/// The lines of the comment block just above `line` (blank lines allowed
/// between the comments and the line).
fn comments_above(lines: &[&str], line: u32) -> std::ops::Range<u32> {
    let mut start = line.saturating_sub(1);
    while start >= 1 {
        let l = lines.get(start as usize - 1).map_or("", |l| l.trim());
        if l.starts_with("--") || l.is_empty() {
            start -= 1;
        } else {
            break;
        }
    }
    start + 1..line
}

/// The first line of the statement holding `line`: the line after the last
/// one above it that ends a statement (with `;`), skipping comments.
fn statement_start(lines: &[&str], line: u32) -> u32 {
    let mut l = line;
    while l > 1 {
        let above = lines.get(l as usize - 2).map_or("", |t| t.trim());
        if above.ends_with(';') || above.starts_with("--") || above.is_empty() {
            break;
        }
        l -= 1;
    }
    l
}

fn names(d: &Directive, rule: &str, code: &str) -> bool {
    d.rules.is_empty() && d.whole_file || d.rules.iter().any(|r| r == rule || r.eq_ignore_ascii_case(code))
}

/// Whether a directive in `texts` silences `f`.
fn suppressed(f: &Finding, texts: &Texts) -> bool {
    let Some(at) = &f.location else { return false };
    let file = &*at.location.file;
    let mut sides = vec![at.revision];
    if at.revision == Revision::Old {
        sides.push(Revision::New);
    }
    for side in sides {
        let Some(text) = texts.get(side, file) else { continue };
        let all = directives(text);
        if all.iter().any(|d| d.whole_file && names(d, f.rule, f.code)) {
            return true;
        }
        if side != at.revision {
            continue;
        }
        let lines: Vec<&str> = text.lines().collect();
        let line = at.location.line;
        let blocks = [comments_above(&lines, line), comments_above(&lines, statement_start(&lines, line))];
        if all.iter().any(|d| !d.whole_file && blocks.iter().any(|b| b.contains(&d.line)) && names(d, f.rule, f.code)) {
            return true;
        }
    }
    false
}

/// Removes the suppressed findings; returns how many, and the findings for
/// directives naming rules that do not exist.
pub fn apply(findings: &mut Vec<Finding>, texts: &Texts) -> (usize, Vec<Finding>) {
    let before = findings.len();
    findings.retain(|f| !suppressed(f, texts));
    let unknown = unknown_names(texts);
    (before - findings.len(), unknown)
}

fn unknown_names(texts: &Texts) -> Vec<Finding> {
    let rule = &super::rules::meta::UNKNOWN_RULE;
    let mut out = Vec::new();
    for (revision, path, text) in texts.iter() {
        // A directive in the old revision is history; only the new one is the user's to fix.
        if revision != Revision::New {
            continue;
        }
        for d in directives(text) {
            for name in d.rules.iter().filter(|n| rules::find(n).is_none()) {
                let hint = rules::all().map(|r| r.name).find(|r| super::similar(r, name));
                let help = match hint {
                    Some(h) => format!("did you mean `{h}`? `schemashift rules` lists every rule"),
                    None => "`schemashift rules` lists every rule".to_string(),
                };
                out.push(Finding {
                    code: rule.code,
                    rule: rule.name,
                    class: rule.class,
                    object: name.clone(),
                    message: format!("`{name}` in a suppression comment is not a rule: nothing is suppressed by it"),
                    location: Located::new(&crate::model::Location::new(path, d.line, d.column)),
                    help,
                    preflight: None,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_parse_lists_reasons_and_whole_file() {
        let d = directive("  -- schemashift:ignore drop-column, SS101 -- moved to archive", 4).unwrap();
        assert_eq!((d.whole_file, d.rules.clone(), d.line), (false, vec!["drop-column".to_string(), "SS101".to_string()], 4));
        assert_eq!(d.column, 25);
        let d = directive("-- schemashift:ignore-file", 1).unwrap();
        assert!(d.whole_file && d.rules.is_empty());
        assert!(directive("-- schemashift:ignored drop-table", 1).is_none());
        assert!(directive("CREATE TABLE t (); -- schemashift:ignore drop-table", 1).is_none());
    }

    #[test]
    fn comment_blocks_above_a_line_and_its_statement() {
        let text = "CREATE TABLE a (x int);\n-- schemashift:ignore r\n\nCREATE TABLE t (\n  id int,\n  c text\n);";
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(statement_start(&lines, 6), 4);
        assert_eq!(comments_above(&lines, 4), 2..4);
        assert_eq!(comments_above(&lines, 6), 6..6);
    }
}
