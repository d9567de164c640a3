//! Rename hints inside a statement: which comment belongs to which definition.
//!
//! A hint belongs to the statement's object when it is in the comment lines
//! right above the statement or outside its parentheses; inside the
//! parentheses of a CREATE TABLE (or an enum's value list) it belongs to the
//! element on the same line when it follows that element (`a int, -- hint`),
//! and to the next element when it stands on a line of its own.

use crate::model::parse_hint;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

#[derive(Debug, Default, PartialEq)]
pub struct StatementHints {
    /// The old name of the object the statement creates.
    pub object: Option<String>,
    /// (element key, old name): the key is the element's first word, folded
    /// (a column name), or a string literal's value (an enum label).
    pub elements: Vec<(String, String)>,
}

pub fn statement_hints(text: &str, leading_comments: &[&str]) -> StatementHints {
    let mut hints = StatementHints { object: leading_comments.iter().rev().find_map(|c| parse_hint(c)), elements: Vec::new() };
    if !text.contains("renamed") {
        return hints;
    }
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, text).tokenize_with_location() else { return hints };
    let mut depth = 0usize;
    // Element bookkeeping at depth 1.
    let mut element_key: Option<String> = None; // key of the element being read
    let mut element_started = false;
    let mut previous_key: Option<String> = None; // the element just closed by a comma
    let mut last_line = 0u64; // line of the last significant token
    let mut last_was_comma = false;
    let mut last_was_open = false; // the last significant token opened the element list
    let mut pending: Option<String> = None; // hint waiting for the next element
    for t in &tokens {
        let line = t.span.start.line;
        match &t.token {
            Token::Whitespace(Whitespace::SingleLineComment { comment, .. }) | Token::Whitespace(Whitespace::MultiLineComment(comment)) => {
                let Some(old) = parse_hint(comment) else { continue };
                if depth == 0 || (depth == 1 && last_was_open && line == last_line) {
                    // Outside the parentheses, or right after `(` on the statement's line.
                    hints.object.get_or_insert(old);
                } else if depth == 1 && line == last_line && (element_started || last_was_comma) {
                    let key = if last_was_comma { previous_key.clone() } else { element_key.clone() };
                    match key {
                        Some(k) => hints.elements.push((k, old)),
                        None => pending = Some(old),
                    }
                } else if depth == 1 {
                    pending = Some(old);
                }
            }
            Token::Whitespace(_) => {}
            Token::LParen => {
                depth += 1;
                if depth == 1 {
                    element_started = false;
                    element_key = None;
                }
                last_was_open = depth == 1;
                last_line = line;
                last_was_comma = false;
                continue;
            }
            Token::RParen => {
                last_was_open = false;
                depth = depth.saturating_sub(1);
                last_line = line;
                last_was_comma = false;
            }
            Token::Comma if depth == 1 => {
                last_was_open = false;
                previous_key = element_key.take();
                element_started = false;
                last_line = line;
                last_was_comma = true;
            }
            other => {
                last_was_open = false;
                if depth == 1 && !element_started {
                    element_started = true;
                    element_key = match other {
                        Token::Word(w) if w.quote_style.is_some() => Some(w.value.clone()),
                        Token::Word(w) => Some(w.value.to_lowercase()),
                        Token::SingleQuotedString(s) => Some(s.clone()),
                        _ => None,
                    };
                    if let (Some(old), Some(key)) = (pending.take(), element_key.clone()) {
                        hints.elements.push((key, old));
                    }
                }
                last_line = line;
                last_was_comma = false;
            }
        }
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_attach_to_the_right_definition() {
        let sql = "CREATE TABLE users ( -- @renamed from=old_users\n  id int,\n  -- schemashift:renamed-from username\n  user_name text, -- @renamed from=mail\n  email text,\n  age int -- @renamed from=years\n)";
        let h = statement_hints(sql, &[]);
        assert_eq!(h.object.as_deref(), Some("old_users"));
        assert_eq!(
            h.elements,
            vec![("user_name".into(), "username".into()), ("user_name".into(), "mail".into()), ("age".into(), "years".into())]
        );
        let h = statement_hints("CREATE TABLE t ( -- @renamed from=Old_T\n a int)", &[]);
        assert_eq!(h.object.as_deref(), Some("Old_T"), "kept as written, folded where used");
        let h = statement_hints("CREATE INDEX new_idx /* @renamed from=old_idx */ ON t (a)", &[]);
        assert_eq!(h.object.as_deref(), Some("old_idx"));
        let h = statement_hints("CREATE VIEW v AS SELECT 1", &["schemashift:renamed-from old_v"]);
        assert_eq!(h.object.as_deref(), Some("old_v"));
        let h = statement_hints("CREATE TYPE s AS ENUM ('a', 'waiting' /* @renamed from=pending */, 'c')", &[]);
        assert_eq!(h.elements, vec![("waiting".into(), "pending".into())]);
    }
}
