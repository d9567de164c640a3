//! Quotes and brackets in SQL text: the one scanner for where a quoted run
//! ends and which characters stand outside quotes, at what bracket depth.
//!
//! It knows no dialect: the caller says which quotes its text may hold
//! ([`Syntax`]); a dialect keeps its own [`Syntax`] beside its reader. The
//! model uses it too (a data type's modifiers), which is why it lives here
//! and not under `dialect/`.
//!
//! Unterminated quotes and unbalanced brackets are not errors here: a
//! quoted run without its closing quote runs to the end of the text, and a
//! closing bracket without its opening one takes the depth below zero, so
//! that nothing after it is at the top level. Callers that must refuse such
//! text ask [`Quoted::closed`].

/// The quotes a text may hold besides SQL's own `'…'` strings and `"…"`
/// identifiers (in all of which a doubled quote stands for itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syntax {
    /// `E'…'` strings, in which a backslash escapes the next character.
    pub escape_strings: bool,
    /// `$$…$$` and `$tag$…$tag$` strings.
    pub dollar_quotes: bool,
    /// `` `…` `` identifiers.
    pub backticks: bool,
}

impl Syntax {
    /// SQL's own quotes only.
    pub const STANDARD: Syntax = Syntax { escape_strings: false, dollar_quotes: false, backticks: false };
}

/// What a quoted run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    /// `'…'` or `E'…'`.
    String,
    /// `"…"` or `` `…` ``.
    Identifier,
    /// `$tag$…$tag$`.
    Dollar,
}

/// A quoted run found by [`quoted_at`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quoted {
    pub quote: Quote,
    /// The byte offset just past the closing quote; the text's length when
    /// there is none.
    pub end: usize,
    /// Whether the closing quote is there.
    pub closed: bool,
}

/// The quoted run that starts at byte `i` of `text`, if one does: at a
/// quote, at the `E` of `E'…'`, at the `$` of a dollar quote. A `'` right
/// after a lone `E` is taken as that `E'…'`'s opening quote (for a caller
/// that has already stepped over the `E` as a word).
pub fn quoted_at(text: &str, i: usize, syntax: Syntax) -> Option<Quoted> {
    let bytes = text.as_bytes();
    match *bytes.get(i)? {
        b'\'' => {
            let escapes = syntax.escape_strings && i > 0 && matches!(bytes[i - 1], b'e' | b'E') && !ident_char_before(bytes, i - 1);
            Some(string(bytes, i + 1, escapes))
        }
        b'e' | b'E' if syntax.escape_strings && bytes.get(i + 1) == Some(&b'\'') && !ident_char_before(bytes, i) => {
            Some(string(bytes, i + 2, true))
        }
        b'"' => Some(identifier(bytes, i, b'"')),
        b'`' if syntax.backticks => Some(identifier(bytes, i, b'`')),
        b'$' if syntax.dollar_quotes && !ident_char_before(bytes, i) => {
            let tag = dollar_tag(text, i)?;
            let body = i + tag.len();
            Some(match text[body..].find(tag) {
                Some(off) => Quoted { quote: Quote::Dollar, end: body + off + tag.len(), closed: true },
                None => Quoted { quote: Quote::Dollar, end: text.len(), closed: false },
            })
        }
        _ => None,
    }
}

/// A string's body from byte `from` to its closing quote.
fn string(bytes: &[u8], from: usize, escapes: bool) -> Quoted {
    let mut j = from;
    while j < bytes.len() {
        match bytes[j] {
            // The backslash and what it escapes; a multi-byte character's
            // other bytes are never a quote, so stepping one byte is enough.
            b'\\' if escapes => j += 2,
            b'\'' if bytes.get(j + 1) == Some(&b'\'') => j += 2,
            b'\'' => return Quoted { quote: Quote::String, end: j + 1, closed: true },
            _ => j += 1,
        }
    }
    Quoted { quote: Quote::String, end: bytes.len(), closed: false }
}

/// A quoted identifier opened by `quote` at byte `at`.
fn identifier(bytes: &[u8], at: usize, quote: u8) -> Quoted {
    let mut j = at + 1;
    while j < bytes.len() {
        if bytes[j] == quote {
            if bytes.get(j + 1) == Some(&quote) {
                j += 2;
                continue;
            }
            return Quoted { quote: Quote::Identifier, end: j + 1, closed: true };
        }
        j += 1;
    }
    Quoted { quote: Quote::Identifier, end: bytes.len(), closed: false }
}

/// Whether the byte before `i` continues a word (then a `$` or `E` at `i`
/// is part of it, not the start of a quote).
fn ident_char_before(bytes: &[u8], i: usize) -> bool {
    i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] >= 0x80)
}

/// `$$` or `$tag$` starting at `i`, if that is what is there.
fn dollar_tag(text: &str, i: usize) -> Option<&str> {
    let rest = &text[i + 1..];
    let end = rest.find('$')?;
    let tag = &rest[..end];
    let valid = tag.chars().enumerate().all(|(k, c)| c == '_' || c.is_alphabetic() || (k > 0 && c.is_ascii_digit()));
    valid.then(|| &text[i..i + end + 2])
}

/// The characters of `text` outside quotes, each with its byte offset and
/// its bracket depth: `(` and `[` open, `)` and `]` close, and a bracket
/// has the depth of what surrounds it (`f(x)`: `f`, `(` and `)` at 0, `x`
/// at 1).
pub fn code(text: &str, syntax: Syntax) -> Code<'_> {
    Code { text, syntax, i: 0, depth: 0 }
}

/// The iterator of [`code`].
#[derive(Debug, Clone)]
pub struct Code<'a> {
    text: &'a str,
    syntax: Syntax,
    i: usize,
    depth: i32,
}

impl Iterator for Code<'_> {
    type Item = (usize, char, i32);

    fn next(&mut self) -> Option<(usize, char, i32)> {
        while let Some(q) = quoted_at(self.text, self.i, self.syntax) {
            self.i = q.end;
        }
        let at = self.i;
        let c = self.text[at..].chars().next()?;
        self.i += c.len_utf8();
        let depth = match c {
            '(' | '[' => {
                self.depth += 1;
                self.depth - 1
            }
            ')' | ']' => {
                self.depth -= 1;
                self.depth
            }
            _ => self.depth,
        };
        Some((at, c, depth))
    }
}

/// The byte offset of the bracket that closes the one at `open`; `None`
/// when nothing closes it (or `open` is inside quotes).
pub fn closing_bracket(text: &str, open: usize, syntax: Syntax) -> Option<usize> {
    let mut chars = code(text, syntax).skip_while(|&(i, _, _)| i < open);
    let (_, '(' | '[', depth) = chars.next().filter(|&(i, _, _)| i == open)? else { return None };
    chars.find(|&(_, c, d)| matches!(c, ')' | ']') && d == depth).map(|(i, _, _)| i)
}

/// `text` cut at its top-level commas, each part trimmed; an empty last
/// part (nothing, or a trailing comma) is left out.
pub fn split_top_level(text: &str, syntax: Syntax) -> Vec<String> {
    let mut parts = Vec::new();
    let mut from = 0;
    for (i, _, _) in code(text, syntax).filter(|&(_, c, d)| c == ',' && d == 0) {
        parts.push(text[from..i].trim().to_string());
        from = i + 1;
    }
    let last = text[from..].trim();
    if !last.is_empty() {
        parts.push(last.to_string());
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    const PG: Syntax = Syntax { escape_strings: true, dollar_quotes: true, backticks: false };

    fn code_text(text: &str, syntax: Syntax) -> String {
        code(text, syntax).map(|(_, c, _)| c).collect()
    }

    #[test]
    fn quotes_hide_parentheses_and_commas() {
        assert_eq!(split_top_level("'a,b', \"c,(d\", f(x, y), [1, 2]", Syntax::STANDARD), ["'a,b'", "\"c,(d\"", "f(x, y)", "[1, 2]"]);
        assert_eq!(code_text("f(')', \"(\")", Syntax::STANDARD), "f(, )");
        assert_eq!(closing_bracket("f(')') + 1", 1, Syntax::STANDARD), Some(5));
    }

    #[test]
    fn doubled_quotes_stay_inside() {
        assert_eq!(quoted_at("'it''s', x", 0, Syntax::STANDARD), Some(Quoted { quote: Quote::String, end: 7, closed: true }));
        assert_eq!(quoted_at("\"a\"\"b\" c", 0, Syntax::STANDARD).map(|q| q.end), Some(6));
        assert_eq!(split_top_level("'a'',b', c", Syntax::STANDARD), ["'a'',b'", "c"]);
        // One quote of each kind inside the other is just a character.
        assert_eq!(split_top_level("'\"', \"'\", z", Syntax::STANDARD), ["'\"'", "\"'\"", "z"]);
    }

    #[test]
    fn brackets_nest() {
        let text = "numeric(f(a, (b)), [c])[1]";
        assert_eq!(closing_bracket(text, 7, Syntax::STANDARD), Some(22));
        assert_eq!(closing_bracket(text, 9, Syntax::STANDARD), Some(16));
        assert_eq!(closing_bracket(text, 23, Syntax::STANDARD), Some(25));
        // Not a bracket, or inside quotes: nothing to close.
        assert_eq!(closing_bracket(text, 0, Syntax::STANDARD), None);
        assert_eq!(closing_bracket("'(' )", 1, Syntax::STANDARD), None);
        assert_eq!(split_top_level("a(1, 2), b[3, 4], c", Syntax::STANDARD), ["a(1, 2)", "b[3, 4]", "c"]);
        let depths: Vec<i32> = code("f(x[1])", Syntax::STANDARD).map(|(_, _, d)| d).collect();
        assert_eq!(depths, [0, 0, 1, 1, 2, 1, 0]);
    }

    #[test]
    fn unbalanced_input() {
        // An unterminated quote runs to the end.
        assert_eq!(quoted_at("'abc", 0, Syntax::STANDARD), Some(Quoted { quote: Quote::String, end: 4, closed: false }));
        assert_eq!(quoted_at("\"a\"\"", 0, Syntax::STANDARD).map(|q| (q.end, q.closed)), Some((4, false)));
        assert_eq!(split_top_level("a, 'b, c", Syntax::STANDARD), ["a", "'b, c"]);
        // An unclosed bracket is never closed; a stray closing one puts the rest below the top level.
        assert_eq!(closing_bracket("f((x)", 1, Syntax::STANDARD), None);
        assert_eq!(split_top_level("a), b, c", Syntax::STANDARD), ["a), b, c"]);
        assert_eq!(split_top_level("a, b,", Syntax::STANDARD), ["a", "b"]);
        assert_eq!(split_top_level("a,,b", Syntax::STANDARD), ["a", "", "b"]);
        assert!(split_top_level("  ", Syntax::STANDARD).is_empty());
    }

    #[test]
    fn escape_strings() {
        // A backslash escapes the quote in E'…' only.
        assert_eq!(quoted_at("E'it\\'s', x", 0, PG).map(|q| q.end), Some(8));
        assert_eq!(quoted_at("E'it\\'s', x", 1, PG).map(|q| q.end), Some(8));
        assert_eq!(quoted_at("'it\\'s', x", 0, PG).map(|q| q.end), Some(5));
        assert_eq!(split_top_level("E'a\\',b', c", PG), ["E'a\\',b'", "c"]);
        assert_eq!(split_top_level("E'a\\',b', c", Syntax::STANDARD), ["E'a\\'", "b', c"]);
        // The E of a word is no prefix; a backslash before a multi-byte character.
        assert_eq!(quoted_at("typE'x'", 3, PG), None);
        assert_eq!(quoted_at("typE'x\\'", 4, PG).map(|q| (q.end, q.closed)), Some((8, true)));
        assert_eq!(quoted_at("e'\\é' z", 0, PG).map(|q| (q.end, q.closed)), Some((6, true)));
        assert_eq!(quoted_at("E'\\", 0, PG).map(|q| q.closed), Some(false));
    }

    #[test]
    fn dollar_quotes() {
        let text = "$$ a, (b $$, $t$ $$, ) $t$, c";
        assert_eq!(split_top_level(text, PG), ["$$ a, (b $$", "$t$ $$, ) $t$", "c"]);
        assert_eq!(quoted_at(text, 0, Syntax::STANDARD), None);
        // Parameters and a `$` inside a word are no quotes.
        assert_eq!(quoted_at("$1, $2", 0, PG), None);
        assert_eq!(quoted_at("a$b$ c", 1, PG), None);
        assert_eq!(quoted_at("$x$ never closed", 0, PG), Some(Quoted { quote: Quote::Dollar, end: 16, closed: false }));
    }

    #[test]
    fn backticks_only_when_asked() {
        let mysql = Syntax { backticks: true, ..Syntax::STANDARD };
        assert_eq!(split_top_level("`a,b`, c", mysql), ["`a,b`", "c"]);
        assert_eq!(split_top_level("`a,b`, c", Syntax::STANDARD), ["`a", "b`", "c"]);
    }

    #[test]
    fn offsets_are_bytes() {
        let text = "'é', (ü), ñ";
        let found: Vec<(usize, char)> = code(text, Syntax::STANDARD).filter(|(_, c, _)| !c.is_whitespace()).map(|(i, c, _)| (i, c)).collect();
        assert_eq!(found, [(4, ','), (6, '('), (7, 'ü'), (9, ')'), (10, ','), (12, 'ñ')]);
    }
}
