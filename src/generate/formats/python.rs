//! Just enough Python for Alembic and Django migrations: writing SQL as a
//! string literal that means exactly that SQL, and reading such files back
//! (string literals, names, brackets, logical lines) without running them.

use crate::error::{Error, Result};
use crate::model::Location;
use std::fmt::Write as _;

/// `sql` as a Python string literal: triple-quoted, opened with a line
/// continuation so the SQL starts at the beginning of the next line and
/// keeps its line breaks. Backslashes are doubled, a `"` is escaped where it
/// could close the literal (next to another `"`, or last), and characters
/// that Python source cannot hold literally (`\r`, which the tokenizer would
/// turn into `\n`, other control characters, line separators) are written
/// as escapes.
pub fn literal(sql: &str) -> String {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::from("\"\"\"\\\n");
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' if chars.get(i + 1).is_none_or(|&n| n == '"') => out.push_str("\\\""),
            '\n' | '\t' => out.push(c),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push_str("\"\"\"");
    out
}

/// A short one-line literal (revision ids, app labels, migration names).
pub fn short_literal(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One token of Python source.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Name(String),
    /// A string literal's value; `line` is where its first character comes from.
    Str { value: String, line: u32 },
    /// One punctuation character.
    Op(char),
    /// A number or anything else that is neither of the above.
    Other(String),
}

/// A token and where it starts (1-based line and column).
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub line: u32,
    pub col: u32,
}

impl Token {
    /// The token as it reads in messages (a string literal as `"…"`).
    pub fn text(&self) -> String {
        match &self.tok {
            Tok::Name(n) | Tok::Other(n) => n.clone(),
            Tok::Op(c) => c.to_string(),
            Tok::Str { .. } => "\"…\"".to_string(),
        }
    }
    pub fn is_name(&self, name: &str) -> bool {
        matches!(&self.tok, Tok::Name(n) if n == name)
    }
    pub fn is_op(&self, op: char) -> bool {
        self.tok == Tok::Op(op)
    }
}

/// A logical line: the tokens of one statement, across bracketed line breaks.
#[derive(Debug, Clone)]
pub struct Line {
    /// Column of the first token, 0-based (the indentation).
    pub indent: u32,
    pub tokens: Vec<Token>,
}

impl Line {
    pub fn line(&self) -> u32 {
        self.tokens[0].line
    }
    pub fn starts_with_names(&self, names: &[&str]) -> bool {
        names.iter().enumerate().all(|(i, n)| self.tokens.get(i).is_some_and(|t| t.is_name(n)))
    }
}

/// An error at a place in `file`.
pub fn error_at(file: &str, line: u32, col: u32, message: impl Into<String>) -> Error {
    Error::data(message).at(Location::new(file, line, col))
}

/// Splits Python source into logical lines of tokens. Comments are dropped;
/// f-strings and bytes are refused (their value is not plain text).
pub fn logical_lines(text: &str, file: &str) -> Result<Vec<Line>> {
    let chars: Vec<char> = text.chars().collect();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    let mut lines: Vec<Line> = Vec::new();
    let mut current: Vec<Token> = Vec::new();
    let mut depth = 0i32;
    macro_rules! advance {
        () => {{
            if chars[i] == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
            i += 1;
        }};
    }
    while i < chars.len() {
        let c = chars[i];
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                advance!();
            }
            continue;
        }
        if c == '\\' && chars.get(i + 1) == Some(&'\n') {
            advance!();
            advance!();
            continue;
        }
        if c == '\n' {
            if depth <= 0 && !current.is_empty() {
                let indent = current[0].col - 1;
                lines.push(Line { indent, tokens: std::mem::take(&mut current) });
            }
            advance!();
            continue;
        }
        if c.is_whitespace() {
            advance!();
            continue;
        }
        let (start_line, start_col) = (line, col);
        // A string literal, with up to two prefix letters.
        let prefix_len = (0..=2).find(|&n| {
            chars[i..].len() > n
                && chars[i..i + n].iter().all(|p| "rRbBuUfF".contains(*p))
                && matches!(chars[i + n], '"' | '\'')
        });
        if let Some(n) = prefix_len {
            let prefix: String = chars[i..i + n].iter().collect::<String>().to_ascii_lowercase();
            if prefix.contains('f') || prefix.contains('b') {
                return Err(error_at(file, start_line, start_col, format!("a `{prefix}` string cannot be read as SQL"))
                    .help("write the SQL as a plain string literal"));
            }
            for _ in 0..n {
                advance!();
            }
            let raw = prefix.contains('r');
            let quote = chars[i];
            let triple = chars.get(i + 1) == Some(&quote) && chars.get(i + 2) == Some(&quote);
            for _ in 0..if triple { 3 } else { 1 } {
                advance!();
            }
            let mut value = String::new();
            let mut first_line: Option<u32> = None;
            loop {
                if i >= chars.len() {
                    return Err(error_at(file, start_line, start_col, "string literal is not closed"));
                }
                let c = chars[i];
                if c == quote && (!triple || (chars.get(i + 1) == Some(&quote) && chars.get(i + 2) == Some(&quote))) {
                    for _ in 0..if triple { 3 } else { 1 } {
                        advance!();
                    }
                    break;
                }
                if c == '\n' && !triple {
                    return Err(error_at(file, start_line, start_col, "string literal is not closed on its line"));
                }
                if c == '\\' && i + 1 < chars.len() {
                    let here = line;
                    let (decoded, used) = if raw {
                        (format!("\\{}", chars[i + 1]), 2)
                    } else {
                        escape(&chars[i..]).ok_or_else(|| error_at(file, line, col, "invalid escape sequence in a string literal"))?
                    };
                    if !decoded.is_empty() && first_line.is_none() {
                        first_line = Some(here);
                    }
                    value.push_str(&decoded);
                    for _ in 0..used {
                        advance!();
                    }
                    continue;
                }
                if first_line.is_none() {
                    first_line = Some(line);
                }
                value.push(c);
                advance!();
            }
            current.push(Token { tok: Tok::Str { value, line: first_line.unwrap_or(start_line) }, line: start_line, col: start_col });
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let mut name = String::new();
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                name.push(chars[i]);
                advance!();
            }
            current.push(Token { tok: Tok::Name(name), line: start_line, col: start_col });
            continue;
        }
        if c.is_ascii_digit() {
            let mut num = String::new();
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                num.push(chars[i]);
                advance!();
            }
            current.push(Token { tok: Tok::Other(num), line: start_line, col: start_col });
            continue;
        }
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        current.push(Token { tok: Tok::Op(c), line: start_line, col: start_col });
        advance!();
    }
    if !current.is_empty() {
        let indent = current[0].col - 1;
        lines.push(Line { indent, tokens: current });
    }
    Ok(lines)
}

/// One escape sequence of a non-raw string at the start of `s` (which
/// starts with the backslash): its value and how many characters it took.
fn escape(s: &[char]) -> Option<(String, usize)> {
    let simple = |c: char| Some((c.to_string(), 2));
    let hex = |n: usize| -> Option<(String, usize)> {
        let digits: String = s.get(2..2 + n)?.iter().collect();
        let code = u32::from_str_radix(&digits, 16).ok()?;
        Some((char::from_u32(code)?.to_string(), 2 + n))
    };
    match *s.get(1)? {
        '\n' => Some((String::new(), 2)),
        '\\' => simple('\\'),
        '\'' => simple('\''),
        '"' => simple('"'),
        'a' => simple('\x07'),
        'b' => simple('\x08'),
        'f' => simple('\x0c'),
        'n' => simple('\n'),
        'r' => simple('\r'),
        't' => simple('\t'),
        'v' => simple('\x0b'),
        'x' => hex(2),
        'u' => hex(4),
        'U' => hex(8),
        'N' => None,
        '0'..='7' => {
            let digits: String = s[1..].iter().take(3).take_while(|c| ('0'..='7').contains(c)).collect();
            let code = u32::from_str_radix(&digits, 8).ok()?;
            Some((char::from_u32(code)?.to_string(), 1 + digits.len()))
        }
        // Python keeps the backslash of an unknown escape.
        other => Some((format!("\\{other}"), 2)),
    }
}

/// The value of one or more adjacent string literals (Python joins them)
/// at `tokens[at..]`: the text, the line its first character comes from,
/// and the index after the last literal.
pub fn strings_at(tokens: &[Token], at: usize) -> Option<(String, u32, usize)> {
    let mut value = String::new();
    let mut first = None;
    let mut i = at;
    while let Some(Token { tok: Tok::Str { value: v, line }, .. }) = tokens.get(i) {
        first.get_or_insert(*line);
        value.push_str(v);
        i += 1;
    }
    first.map(|line| (value, line, i))
}

/// The index of the bracket closing the one opened at `tokens[open]`.
pub fn closing(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.tok {
            Tok::Op('(' | '[' | '{') => depth += 1,
            Tok::Op(')' | ']' | '}') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The lines of the body of the top-level `def <name>(…):`, or `None`.
pub fn function_body<'a>(lines: &'a [Line], name: &str) -> Option<(&'a Line, &'a [Line])> {
    let at = lines.iter().position(|l| l.indent == 0 && l.starts_with_names(&["def", name]))?;
    let end = lines[at + 1..].iter().position(|l| l.indent == 0).map_or(lines.len(), |p| at + 1 + p);
    Some((&lines[at], &lines[at + 1..end]))
}

/// Builds SQL text whose statements sit on the lines they come from in the
/// migration file, so errors in them point at the right line.
#[derive(Debug, Default)]
pub struct Placer {
    out: String,
    line: u32,
}

impl Placer {
    pub fn new() -> Placer {
        Placer { out: String::new(), line: 1 }
    }
    /// Adds one statement starting at `line` (or right after the last one
    /// when that line is already taken), ending it with `;` when it lacks one.
    pub fn place(&mut self, line: u32, sql: &str) {
        if sql.trim().is_empty() {
            return;
        }
        while self.line < line {
            self.out.push('\n');
            self.line += 1;
        }
        self.out.push_str(sql);
        if !sql.trim_end().ends_with(';') {
            self.out.push(';');
        }
        self.out.push('\n');
        self.line += sql.matches('\n').count() as u32 + 1;
    }
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(literal: &str) -> String {
        let lines = logical_lines(&format!("x = {literal}\n"), "t.py").unwrap();
        assert_eq!(lines.len(), 1, "{literal}");
        strings_at(&lines[0].tokens, 2).unwrap().0
    }

    #[test]
    fn literals_mean_exactly_the_sql() {
        for sql in [
            "",
            "CREATE TABLE \"users\" (id int);",
            "COMMENT ON TABLE t IS 'say \"\"\"hi\"\"\" \\ and \\\\';",
            "SELECT '\"'",
            "SELECT 1 -- ends with a quote \"",
            "a\"\"",
            "\"\"\"\"",
            "line\\\nnext",
            "cr\r\nlf \0 nul \x0b vt \u{2028} sep é ünï",
            "'''",
            "tab\there",
        ] {
            let lit = literal(sql);
            assert!(lit.starts_with("\"\"\"\\\n"), "{lit}");
            assert_eq!(read_back(&lit), sql, "literal {lit}");
            assert_eq!(read_back(&short_literal(sql)), sql);
        }
    }

    #[test]
    fn the_written_literal_is_readable_sql() {
        assert_eq!(literal("SELECT \"a\"\nFROM t;"), "\"\"\"\\\nSELECT \"a\"\nFROM t;\"\"\"");
        assert_eq!(literal("SELECT '\\d';"), "\"\"\"\\\nSELECT '\\\\d';\"\"\"");
    }

    #[test]
    fn reads_hand_written_strings() {
        assert_eq!(read_back("'it\\'s'"), "it's");
        assert_eq!(read_back("r'\\d+'"), "\\d+");
        assert_eq!(read_back("'a' \"b\"\n"), "ab");
        assert_eq!(read_back("'''x\"y'''"), "x\"y");
        assert_eq!(read_back("u'\\x41\\u00e9\\101'"), "AéA");
        assert!(logical_lines("x = f'{y}'\n", "t.py").is_err());
        assert!(logical_lines("x = 'open\n", "t.py").is_err());
    }

    #[test]
    fn logical_lines_and_bodies() {
        let src = "def upgrade():\n    op.execute(\n        'a'\n    )  # c\n\n\ndef downgrade():\n    pass\n";
        let lines = logical_lines(src, "t.py").unwrap();
        assert_eq!(lines.len(), 4);
        let (_, body) = function_body(&lines, "upgrade").unwrap();
        assert_eq!(body.len(), 1);
        assert_eq!(body[0].indent, 4);
        assert_eq!(strings_at(&body[0].tokens, 4).unwrap().1, 3);
    }

    #[test]
    fn placing_keeps_lines() {
        let mut p = Placer::new();
        p.place(3, "CREATE TABLE a (x int)");
        p.place(3, "DROP TABLE b;");
        assert_eq!(p.finish(), "\n\nCREATE TABLE a (x int);\nDROP TABLE b;\n");
    }
}
