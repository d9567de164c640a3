//! The part of reading a statement that depends on its text alone: its
//! tokens, and sqlparser's parse of the kinds sqlparser reads. Done once per
//! statement text, it can be shared by the readers of two revisions (most
//! files are the same in both) and done on another thread than the one
//! applying statements to the model, which depends on everything read before.

use super::tokens::{self, Cursor, Tok, TokenError};
use super::{Stmt, hand, objects, table};
use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use std::sync::Arc;

/// A statement tokenized and, when it is of a kind sqlparser reads, parsed.
pub struct Prepared {
    toks: Result<Vec<Tok>, TokenError>,
    /// `toks` holds only the first few tokens: enough to classify a CREATE
    /// TABLE, INDEX or VIEW that needs no walk over its tokens (the tokens
    /// went to sqlparser; copying them all would cost more than the walk saves).
    head_only: bool,
    parsed: Option<Parsed>,
}

/// Tokens kept of a statement whose walk is not needed: `CREATE`, up to
/// seven words before the kind (`OR REPLACE`, `UNLOGGED`, …), the kind.
const HEAD: usize = 10;

/// sqlparser's result for the text a reader will hand it (the statement
/// after the rewrites that work around sqlparser's gaps), shared by the readers.
pub struct Parsed {
    text: String,
    result: Result<Arc<Vec<Statement>>, ParserError>,
}

impl Parsed {
    /// sqlparser's result for `text`, when it is the text that was parsed.
    pub fn get(&self, text: &str) -> Option<Result<Arc<Vec<Statement>>, ParserError>> {
        (self.text == text).then(|| self.result.clone())
    }
}

impl Prepared {
    /// Tokenizes and parses `text`.
    pub fn new(text: &str) -> Prepared {
        let raw = match tokens::tokenize(text) {
            Ok(raw) => raw,
            Err(e) => return Prepared { toks: Err(e), head_only: false, parsed: None },
        };
        let head = tokens::positioned(text, &raw, HEAD);
        // Words that make the reader walk the tokens of these kinds (see
        // `cut_identity_options`, `index_text`, `view_text`).
        let walked = ["IDENTITY", "NULLS", "ONLY", "DATA"].iter().any(|w| table::contains_word(text, w));
        let complete = head.len() < HEAD;
        let head_only = !complete && !walked && is_create_of(text, &head, &["TABLE", "INDEX", "VIEW", "MATERIALIZED"]);
        let toks = if complete || head_only { head } else { tokens::positioned(text, &raw, usize::MAX) };
        let mut prepared = Prepared { toks: Ok(toks), head_only, parsed: None };
        let parse_text = {
            let st = Stmt { text, file: "", line: 1, column: 1, leading_comments: &[], prepared: Some((text, &prepared)) };
            text_to_parse(&st)
        };
        if let Some(parse_text) = parse_text {
            let dialect = PostgreSqlDialect {};
            let result = if parse_text == text {
                // The tokens made above: the text is not tokenized twice.
                Parser::new(&dialect).with_tokens_with_locations(super::compat::rewrite(raw)).parse_statements()
            } else {
                super::compat::parser(&parse_text).and_then(|mut p| p.parse_statements())
            };
            prepared.parsed = Some(Parsed { text: parse_text, result: result.map(Arc::new) });
        }
        prepared
    }

    pub fn toks(&self) -> &Result<Vec<Tok>, TokenError> {
        &self.toks
    }
    /// Whether [`Prepared::toks`] are only the first few (see `head_only`).
    pub fn head_only(&self) -> bool {
        self.head_only
    }
    pub fn parsed(&self) -> Option<&Parsed> {
        self.parsed.as_ref()
    }
}

/// The text the reader will give sqlparser for this statement, if it is of
/// a kind read through sqlparser; the same rewrites as the reader's own.
fn text_to_parse(st: &Stmt<'_>) -> Option<String> {
    let mut cur: Cursor<'_> = st.head_cursor().ok()?;
    if cur.eat_kw("CREATE") {
        match super::create_kind(&mut cur)?.as_str() {
            "TABLE" => table::create_table_text(st).ok().map(|(text, ..)| text),
            "INDEX" => Some(objects::index_text(st)),
            "VIEW" | "MATERIALIZED" => Some(objects::view_text(st)),
            _ => None,
        }
    } else if cur.eat_kw("ALTER") && cur.peek_kw("TABLE") {
        if hand::is_owner_to(st.text) {
            return None;
        }
        // Property actions are read by hand; what remains is parsed then.
        if super::properties::split(st).map_or(true, |split| split.is_some()) {
            return None;
        }
        table::cut_identity_options(st).ok().map(|(text, _)| text)
    } else {
        None
    }
}

/// Whether `head` (the first tokens of `text`) starts `CREATE … <one of kinds>`.
fn is_create_of(text: &str, head: &[Tok], kinds: &[&str]) -> bool {
    let mut cur = Cursor::over(text, head);
    cur.eat_kw("CREATE") && super::create_kind(&mut cur).is_some_and(|k| kinds.contains(&k.as_str()))
}
