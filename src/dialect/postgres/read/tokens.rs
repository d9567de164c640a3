//! A small cursor over sqlparser's tokens, for the statements schemashift
//! parses by hand: forms sqlparser 0.63 rejects (pg_dump's sequence option
//! order, `COMMENT ON FUNCTION f(args)`, `ALTER … OWNER TO`, …).

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};
use std::borrow::Cow;

/// A token with its byte range in the statement text.
#[derive(Debug, Clone)]
pub struct Tok {
    pub token: Token,
    pub start: usize,
    pub end: usize,
}

pub struct Cursor<'a> {
    pub text: &'a str,
    toks: Cow<'a, [Tok]>,
    pub pos: usize,
}

/// A tokenizer failure: message and 1-based line/column within the statement.
#[derive(Debug, Clone)]
pub struct TokenError {
    pub message: String,
    pub line: u64,
    pub column: u64,
}

impl<'a> Cursor<'a> {
    pub fn new(text: &'a str) -> Result<Cursor<'a>, TokenError> {
        let raw = tokenize(text)?;
        Ok(Cursor { text, toks: Cow::Owned(with_offsets(text, raw.into_iter())), pos: 0 })
    }

    /// A cursor over tokens made earlier from exactly `text` (see [`tokenize`] and [`positioned`]).
    pub fn over(text: &'a str, toks: &'a [Tok]) -> Cursor<'a> {
        Cursor { text, toks: Cow::Borrowed(toks), pos: 0 }
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }
    pub fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos).map(|t| &t.token)
    }
    pub fn peek_at(&self, ahead: usize) -> Option<&Token> {
        self.toks.get(self.pos + ahead).map(|t| &t.token)
    }
    pub fn tok(&self, i: usize) -> Option<&Tok> {
        self.toks.get(i)
    }
    pub fn len(&self) -> usize {
        self.toks.len()
    }
    pub fn next(&mut self) -> Option<Token> {
        let t = self.toks.get(self.pos).map(|t| t.token.clone());
        self.pos += 1;
        t
    }

    /// True when the next token is the unquoted key word `kw`.
    pub fn peek_kw(&self, kw: &str) -> bool {
        self.peek_kw_at(0, kw)
    }
    pub fn peek_kw_at(&self, ahead: usize, kw: &str) -> bool {
        matches!(self.peek_at(ahead), Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw))
    }
    pub fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.peek_kw(kw);
        if yes {
            self.pos += 1;
        }
        yes
    }
    /// Consumes a whole sequence of key words, or nothing.
    pub fn eat_kws(&mut self, kws: &[&str]) -> bool {
        if kws.iter().enumerate().all(|(i, kw)| self.peek_kw_at(i, kw)) {
            self.pos += kws.len();
            true
        } else {
            false
        }
    }
    pub fn eat(&mut self, token: &Token) -> bool {
        let yes = self.peek() == Some(token);
        if yes {
            self.pos += 1;
        }
        yes
    }

    /// An identifier, folded by PostgreSQL's rules (unquoted → lower case).
    pub fn ident(&mut self) -> Option<String> {
        match self.peek()? {
            Token::Word(w) => {
                let v = if w.quote_style.is_some() { w.value.clone() } else { w.value.to_lowercase() };
                self.pos += 1;
                Some(v)
            }
            _ => None,
        }
    }

    /// A dotted name (`a`, `a.b`, `a.b.c`), each part folded.
    pub fn object_name(&mut self) -> Option<Vec<String>> {
        let mut parts = vec![self.ident()?];
        while self.peek() == Some(&Token::Period) {
            self.pos += 1;
            parts.push(self.ident()?);
        }
        Some(parts)
    }

    /// A possibly signed integer.
    pub fn integer(&mut self) -> Option<i64> {
        let negative = self.eat(&Token::Minus);
        if !negative {
            self.eat(&Token::Plus);
        }
        match self.peek()? {
            Token::Number(n, _) => {
                let v: i64 = n.parse().ok()?;
                self.pos += 1;
                Some(if negative { -v } else { v })
            }
            _ => None,
        }
    }

    pub fn string(&mut self) -> Option<String> {
        match self.peek()? {
            Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) | Token::NationalStringLiteral(s) => {
                let s = s.clone();
                self.pos += 1;
                Some(s)
            }
            Token::DollarQuotedString(d) => {
                let s = d.value.clone();
                self.pos += 1;
                Some(s)
            }
            _ => None,
        }
    }

    /// Skips a balanced parenthesized group starting at the cursor and
    /// returns the byte range of its inside.
    pub fn paren_group(&mut self) -> Option<(usize, usize)> {
        if self.peek() != Some(&Token::LParen) {
            return None;
        }
        let open = self.toks[self.pos].end;
        let mut depth = 0;
        while let Some(t) = self.toks.get(self.pos) {
            match t.token {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        let close = t.start;
                        self.pos += 1;
                        return Some((open, close));
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
        None
    }

    /// Byte offset where the token at the cursor starts (end of text when done).
    pub fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.text.len(), |t| t.start)
    }
    /// The statement text from the cursor to the end.
    pub fn rest(&self) -> &'a str {
        self.text[self.offset()..].trim()
    }
}

/// sqlparser's tokens of `text`, whitespace and comments included (the
/// parser needs them: adjacent string constants on separate lines are one).
pub fn tokenize(text: &str) -> Result<Vec<TokenWithSpan>, TokenError> {
    Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize_with_location()
        .map_err(|e| TokenError { message: e.message, line: e.location.line, column: e.location.column })
}

/// The tokens a [`Cursor`] walks: `raw` without whitespace, each with its
/// byte range in `text` (copied, so that `raw` can still go to the parser).
/// At most `limit` of them.
pub fn positioned(text: &str, raw: &[TokenWithSpan], limit: usize) -> Vec<Tok> {
    with_offsets(text, raw.iter().filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF)).take(limit).cloned())
}

fn with_offsets(text: &str, raw: impl Iterator<Item = TokenWithSpan>) -> Vec<Tok> {
    let mut offsets = LineOffsets::new(text);
    raw.filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
        .map(|TokenWithSpan { token, span }| Tok {
            token,
            start: offsets.offset(span.start.line, span.start.column),
            end: offsets.offset(span.end.line, span.end.column),
        })
        .collect()
}

/// Maps sqlparser's line/column positions to byte offsets. Tokens are
/// asked for in order, so the walker only moves forward: linear in the
/// statement's length (a one-line CREATE TABLE of thousands of columns
/// would otherwise be walked from its start for every token).
struct LineOffsets<'t> {
    text: &'t str,
    byte: usize,
    line: u64,
    column: u64,
}

impl<'t> LineOffsets<'t> {
    fn new(text: &'t str) -> LineOffsets<'t> {
        LineOffsets { text, byte: 0, line: 1, column: 1 }
    }
    /// sqlparser columns count characters, 1-based.
    fn offset(&mut self, line: u64, column: u64) -> usize {
        if (line, column) < (self.line, self.column) {
            *self = LineOffsets::new(self.text);
        }
        while (self.line, self.column) < (line, column) {
            let Some(c) = self.text[self.byte..].chars().next() else { return self.text.len() };
            self.byte += c.len_utf8();
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.byte
    }
}

/// Replaces a byte range with spaces (keeping newlines), so that the rest of
/// the statement keeps its line and column positions for error messages.
pub fn blank_out(text: &mut String, start: usize, end: usize) {
    let blanked: String = text[start..end].chars().map(|c| if c == '\n' { '\n' } else { ' ' }).collect();
    text.replace_range(start..end, &blanked);
}
