//! Splits SQL text into statements with their positions.
//!
//! Statements are split here rather than by sqlparser so that one statement
//! sqlparser cannot parse does not lose the rest of the file, every statement
//! keeps its exact line and column, and the comment lines right before it
//! (where rename hints live) stay attached to it.

use crate::lex::{self, Quote, Syntax};

/// PostgreSQL's quotes, and backticks: a MySQL-style quoted name is
/// skipped whole, so a `;` inside it does not end the statement.
const SPLIT_SYNTAX: Syntax = Syntax { backticks: true, ..super::SYNTAX };

/// One statement of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct RawStatement<'a> {
    /// The statement text without its terminating `;`, starting at its first token.
    pub text: &'a str,
    /// 1-based line and column of the first token.
    pub line: u32,
    pub column: u32,
    /// `--` comment lines directly above the statement (no blank line between),
    /// without the `--`, trimmed, in source order.
    pub leading_comments: Vec<&'a str>,
}

/// A statement that never ended: an unterminated string, quoted identifier,
/// dollar-quoted body or block comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Unterminated {
    pub what: &'static str,
    pub line: u32,
    pub column: u32,
}

/// Splits `sql` at top-level semicolons. Lines starting with `\` outside a
/// statement are psql meta-commands (pg_dump writes `\restrict`) and are skipped.
pub fn split_statements(sql: &str) -> Result<Vec<RawStatement<'_>>, Unterminated> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut pos = Pos { i: 0, line: 1, col: 1 };
    let mut start: Option<Pos> = None;
    let mut comments: Vec<&str> = Vec::new();
    let mut blank_since_comment = false;
    // Inside `BEGIN ATOMIC … END` (SQL-standard function bodies) semicolons
    // do not end the statement; CASE … END nests inside it (as psql counts).
    let mut atomic_depth = 0u32;
    let mut prev_word = String::new();
    // In `CREATE RULE … DO ( command; command )` semicolons inside the
    // parentheses do not end the statement (psql counts parentheses too).
    let mut words_in_statement = 0u32;
    let mut in_rule = false;
    let mut paren_depth = 0u32;

    while pos.i < bytes.len() {
        let c = bytes[pos.i];
        if start.is_none() {
            // Between statements: whitespace, comments, meta-commands.
            match c {
                b'\n' => {
                    if pos.col == 1 {
                        blank_since_comment = true;
                    }
                    pos.advance(sql, 1);
                    continue;
                }
                b' ' | b'\t' | b'\r' | b'\x0c' => {
                    pos.advance(sql, 1);
                    continue;
                }
                b'-' if bytes.get(pos.i + 1) == Some(&b'-') => {
                    let end = line_end(sql, pos.i);
                    if blank_since_comment {
                        comments.clear();
                    }
                    comments.push(sql[pos.i + 2..end].trim());
                    blank_since_comment = false;
                    pos.advance(sql, end - pos.i);
                    // Consume the newline so it does not count as a blank line.
                    if pos.i < bytes.len() {
                        pos.advance(sql, 1);
                    }
                    continue;
                }
                // A statement never starts with a backslash: this is a psql meta-command.
                b'\\' => {
                    let end = line_end(sql, pos.i);
                    pos.advance(sql, end - pos.i);
                    continue;
                }
                b';' => {
                    pos.advance(sql, 1);
                    continue;
                }
                _ => {
                    if blank_since_comment {
                        comments.clear();
                    }
                    start = Some(pos);
                }
            }
        }
        // Inside a statement. A quote runs to its end (an `E` before `'`
        // has been read as a word and makes it an escape string).
        if matches!(c, b'\'' | b'"' | b'`' | b'$')
            && let Some(q) = lex::quoted_at(sql, pos.i, SPLIT_SYNTAX)
        {
            if !q.closed {
                let what = match q.quote {
                    Quote::String => "string literal",
                    Quote::Identifier => "quoted identifier",
                    Quote::Dollar => "dollar-quoted string",
                };
                return Err(Unterminated { what, line: pos.line, column: pos.col });
            }
            pos.advance(sql, q.end - pos.i);
            continue;
        }
        match c {
            b';' if atomic_depth > 0 || paren_depth > 0 => pos.advance(sql, 1),
            b'(' if in_rule => {
                paren_depth += 1;
                pos.advance(sql, 1);
            }
            b')' if in_rule => {
                paren_depth = paren_depth.saturating_sub(1);
                pos.advance(sql, 1);
            }
            c if (c.is_ascii_alphabetic() || c == b'_') && !ident_char_before(bytes, pos.i) => {
                let end = pos.i + sql[pos.i..].find(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == '$')).unwrap_or(sql.len() - pos.i);
                let word = sql[pos.i..end].to_ascii_uppercase();
                let starts_create = start.is_some_and(|s| sql[s.i..].get(..6).is_some_and(|w| w.eq_ignore_ascii_case("CREATE")));
                if starts_create {
                    match word.as_str() {
                        "ATOMIC" if prev_word == "BEGIN" => atomic_depth += 1,
                        "CASE" if atomic_depth > 0 => atomic_depth += 1,
                        "END" if atomic_depth > 0 => atomic_depth -= 1,
                        "RULE" if words_in_statement == 1 || (words_in_statement == 3 && prev_word == "REPLACE") => in_rule = true,
                        _ => {}
                    }
                }
                words_in_statement += 1;
                prev_word = word;
                pos.advance(sql, end - pos.i);
            }
            b';' => {
                let s = start.take().expect("inside a statement");
                push(&mut out, sql, s, pos.i, std::mem::take(&mut comments));
                prev_word.clear();
                words_in_statement = 0;
                in_rule = false;
                paren_depth = 0;
                blank_since_comment = false;
                pos.advance(sql, 1);
            }
            b'-' if bytes.get(pos.i + 1) == Some(&b'-') => {
                let end = line_end(sql, pos.i);
                pos.advance(sql, end - pos.i);
            }
            b'/' if bytes.get(pos.i + 1) == Some(&b'*') => {
                // PostgreSQL block comments nest.
                let at = pos;
                let mut depth = 0;
                loop {
                    if pos.i >= bytes.len() {
                        return Err(Unterminated { what: "block comment", line: at.line, column: at.col });
                    }
                    if sql[pos.i..].starts_with("/*") {
                        depth += 1;
                        pos.advance(sql, 2);
                    } else if sql[pos.i..].starts_with("*/") {
                        depth -= 1;
                        pos.advance(sql, 2);
                        if depth == 0 {
                            break;
                        }
                    } else {
                        pos.advance_char(sql);
                    }
                }
            }
            _ => pos.advance_char(sql),
        }
    }
    if let Some(s) = start {
        push(&mut out, sql, s, sql.len(), comments);
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy)]
struct Pos {
    i: usize,
    line: u32,
    col: u32,
}

impl Pos {
    /// Advances over `n` bytes that contain no multi-byte characters or newlines,
    /// except that newlines are counted when present.
    fn advance(&mut self, sql: &str, n: usize) {
        for ch in sql[self.i..self.i + n].chars() {
            if ch == '\n' {
                self.line += 1;
                self.col = 1;
            } else {
                self.col += 1;
            }
        }
        self.i += n;
    }
    fn advance_char(&mut self, sql: &str) {
        let n = sql[self.i..].chars().next().map_or(1, char::len_utf8);
        self.advance(sql, n);
    }
}

fn push<'a>(out: &mut Vec<RawStatement<'a>>, sql: &'a str, s: Pos, end: usize, leading_comments: Vec<&'a str>) {
    let text = sql[s.i..end].trim_end();
    if !text.is_empty() {
        out.push(RawStatement { text, line: s.line, column: s.col, leading_comments });
    }
}

fn line_end(sql: &str, from: usize) -> usize {
    sql[from..].find('\n').map_or(sql.len(), |n| from + n)
}

fn ident_char_before(bytes: &[u8], i: usize) -> bool {
    i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] >= 0x80)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        split_statements(sql).unwrap().into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn splits_at_top_level_semicolons_only() {
        let sql = "CREATE TABLE a (x text DEFAULT ';');\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n\
                   CREATE FUNCTION g() RETURNS int AS $body$ SELECT $$;$$; $body$ LANGUAGE sql;\nCREATE TABLE \"x;y\" (a int) /* ; /* nested ; */ */;";
        assert_eq!(
            texts(sql),
            vec![
                "CREATE TABLE a (x text DEFAULT ';')",
                "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
                "CREATE FUNCTION g() RETURNS int AS $body$ SELECT $$;$$; $body$ LANGUAGE sql",
                "CREATE TABLE \"x;y\" (a int) /* ; /* nested ; */ */",
            ]
        );
    }

    #[test]
    fn positions_and_leading_comments() {
        let sql = "-- file header\n\n-- schemashift:renamed-from old\n  CREATE TABLE t (a int);\nSELECT 1; SELECT 'é'; SELECT 2";
        let stmts = split_statements(sql).unwrap();
        assert_eq!((stmts[0].line, stmts[0].column), (4, 3));
        assert_eq!(stmts[0].leading_comments, vec!["schemashift:renamed-from old"]);
        assert_eq!((stmts[1].line, stmts[1].column), (5, 1));
        assert!(stmts[1].leading_comments.is_empty());
        assert_eq!((stmts[3].line, stmts[3].column), (5, 23));
        assert_eq!(stmts[3].text, "SELECT 2");
    }

    #[test]
    fn escape_strings_and_meta_commands() {
        let sql = "\\restrict abc\nSELECT E'it\\'s;';\n\\unrestrict abc\n";
        assert_eq!(texts(sql), vec!["SELECT E'it\\'s;'"]);
        // A backslash escapes a whole character, of however many bytes.
        assert_eq!(texts("SELECT E'\\én'; SELECT E'\\𝄞'"), vec!["SELECT E'\\én'", "SELECT E'\\𝄞'"]);
        assert!(split_statements("E'\\é").is_err());
    }

    #[test]
    fn unterminated_constructs_are_reported_where_they_start() {
        let err = split_statements("SELECT 1;\nSELECT 'abc").unwrap_err();
        assert_eq!((err.what, err.line, err.column), ("string literal", 2, 8));
        let err = split_statements("CREATE FUNCTION f() AS $$ SELECT 1").unwrap_err();
        assert_eq!(err.what, "dollar-quoted string");
        assert!(split_statements("/* open").is_err());
    }

    #[test]
    fn sql_standard_function_bodies_keep_their_semicolons() {
        let sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;\nSELECT 3;";
        assert_eq!(
            texts(sql),
            vec!["CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END", "SELECT 3"]
        );
        // Outside CREATE, BEGIN is a transaction.
        assert_eq!(texts("BEGIN; SELECT 1; END;"), vec!["BEGIN", "SELECT 1", "END"]);
    }

    #[test]
    fn rule_commands_in_parentheses_keep_their_semicolons() {
        let sql = "CREATE RULE r AS ON DELETE TO t DO INSTEAD ( DELETE FROM a; NOTIFY x; );\nCREATE OR REPLACE RULE s AS ON INSERT TO t DO (INSERT INTO a VALUES (1); );SELECT 1;";
        assert_eq!(
            texts(sql),
            vec![
                "CREATE RULE r AS ON DELETE TO t DO INSTEAD ( DELETE FROM a; NOTIFY x; )",
                "CREATE OR REPLACE RULE s AS ON INSERT TO t DO (INSERT INTO a VALUES (1); )",
                "SELECT 1"
            ]
        );
        // Elsewhere parentheses do not hold a statement open.
        assert_eq!(texts("SELECT (1; SELECT 2"), vec!["SELECT (1", "SELECT 2"]);
    }

    #[test]
    fn dollar_in_identifiers_is_not_a_quote() {
        assert_eq!(texts("SELECT a$b, $1 FROM t; SELECT 2"), vec!["SELECT a$b, $1 FROM t", "SELECT 2"]);
    }
}
