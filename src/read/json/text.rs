//! Light normalization of the SQL fragments a snapshot carries (defaults,
//! CHECK expressions, view queries) until the expression canonicalizer is
//! wired in: whitespace only, never inside quotes.

use crate::lex::{self, Syntax};
use crate::model::{Expr, quote_literal};

/// Runs of whitespace outside '…' and "…" become one space; ends trimmed.
pub fn collapse_whitespace(text: &str) -> String {
    let text = text.trim();
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        if c.is_whitespace() {
            pending_space = true;
            i += c.len_utf8();
            continue;
        }
        if std::mem::take(&mut pending_space) {
            out.push(' ');
        }
        let end = lex::quoted_at(text, i, Syntax::STANDARD).map_or(i + c.len_utf8(), |q| q.end);
        out.push_str(&text[i..end]);
        i = end;
    }
    out
}

/// MySQL writes `DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP`;
/// snapshots copy that into `default`. Splits it into the default and the
/// ON UPDATE expression (either may be absent).
pub fn split_on_update(text: &str) -> (Option<String>, Option<String>) {
    let normalized = collapse_whitespace(text);
    // ASCII-only so that byte offsets in `upper` are offsets in `normalized`.
    let upper = normalized.to_ascii_uppercase();
    for (i, _, _) in lex::code(&upper, Syntax::STANDARD) {
        if upper[i..].starts_with("ON UPDATE ") && (i == 0 || upper[..i].ends_with(' ')) {
            let default = normalized[..i].trim();
            let on_update = normalized[i + "ON UPDATE ".len()..].trim();
            let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
            return (some(default), some(on_update));
        }
    }
    (Some(text.to_string()), None)
}

/// SQL key words that are values by themselves (PostgreSQL's SQLValueFunction
/// and friends); a default spelled as one of them is an expression, not text.
const VALUE_KEYWORDS: &[&str] = &[
    "CURRENT_TIMESTAMP",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "LOCALTIME",
    "LOCALTIMESTAMP",
    "CURRENT_USER",
    "SESSION_USER",
    "CURRENT_ROLE",
    "CURRENT_SCHEMA",
    "CURRENT_CATALOG",
    "USER",
];

/// A snapshot's `default` as SQL. Snapshots mix SQL (`CURRENT_TIMESTAMP`,
/// `now()`, `0`) with plain values (`"public"` for a varchar column), so a
/// string that does not look like SQL is taken as the value itself and
/// quoted. `NULL` is no default at all, as in PostgreSQL.
pub fn default_expr(text: &str) -> Option<Expr> {
    let t = collapse_whitespace(text);
    let upper = t.to_uppercase();
    let sql = if upper == "NULL" {
        return None;
    } else if upper == "TRUE" || upper == "FALSE" {
        upper.to_lowercase()
    } else if VALUE_KEYWORDS.contains(&upper.as_str()) {
        upper
    } else if t.starts_with('\'') || is_number(&t) || t.contains("::") || looks_like_call(&t) {
        t
    } else {
        quote_literal(text)
    };
    Some(Expr(sql))
}

fn is_number(t: &str) -> bool {
    let digits = t.strip_prefix('-').unwrap_or(t);
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|&c| c == '.').count() <= 1
        && digits != "."
}

/// `now()`, `gen_random_uuid()`, `nextval('s'::regclass)`: a name then a parenthesized tail.
fn looks_like_call(t: &str) -> bool {
    match t.find('(') {
        Some(open) if open > 0 && t.ends_with(')') => {
            t[..open].trim_end().chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '"')
        }
        _ => false,
    }
}

/// `(a + b)` → `a + b` when the outer parentheses enclose the whole text.
pub fn strip_outer_parens(text: &str) -> &str {
    let t = text.trim();
    if !(t.starts_with('(') && t.ends_with(')')) {
        return t;
    }
    // `(a) + (b)`: the first parenthesis closes early.
    if lex::closing_bracket(t, 0, Syntax::STANDARD).is_some_and(|close| close != t.len() - 1) {
        return t;
    }
    t[1..t.len() - 1].trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace() {
        assert_eq!(collapse_whitespace("  SELECT  a,\n\tb FROM t "), "SELECT a, b FROM t");
        assert_eq!(collapse_whitespace("x = 'two  spaces'"), "x = 'two  spaces'");
    }

    #[test]
    fn on_update() {
        assert_eq!(
            split_on_update("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"),
            (Some("CURRENT_TIMESTAMP".into()), Some("CURRENT_TIMESTAMP".into()))
        );
        assert_eq!(split_on_update("'on update me'"), (Some("'on update me'".into()), None));
        assert_eq!(split_on_update("now()"), (Some("now()".into()), None));
        // Non-ASCII text must not shift byte offsets ('ß' upper-cases to "SS").
        assert_eq!(split_on_update("'straße' ON UPDATE 'ß'"), (Some("'straße'".into()), Some("'ß'".into())));
    }

    #[test]
    fn defaults() {
        let d = |s: &str| default_expr(s).map(|e| e.0);
        assert_eq!(d("CURRENT_TIMESTAMP").as_deref(), Some("CURRENT_TIMESTAMP"));
        assert_eq!(d("current_date").as_deref(), Some("CURRENT_DATE"));
        assert_eq!(d("public").as_deref(), Some("'public'"));
        assert_eq!(d("it's").as_deref(), Some("'it''s'"));
        assert_eq!(d("").as_deref(), Some("''"));
        assert_eq!(d("42").as_deref(), Some("42"));
        assert_eq!(d("-1.5").as_deref(), Some("-1.5"));
        assert_eq!(d("true").as_deref(), Some("true"));
        assert_eq!(d("now()").as_deref(), Some("now()"));
        assert_eq!(d("'x'::text").as_deref(), Some("'x'::text"));
        assert_eq!(d("NULL"), None);
    }

    #[test]
    fn parens() {
        assert_eq!(strip_outer_parens("(lower(email))"), "lower(email)");
        assert_eq!(strip_outer_parens("(a) + (b)"), "(a) + (b)");
        assert_eq!(strip_outer_parens("lower(x)"), "lower(x)");
    }
}
