//! The names a text mentions: what an object is taken to depend on when
//! its expressions cannot be analyzed. A false match only means an object
//! is dropped and created again unchanged, which is safe; a missed one
//! would make PostgreSQL refuse the migration. (One scanner for the planner,
//! the renderer's view order and the reader's checks.)

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};
use std::collections::BTreeSet;

/// The identifiers of a query, folded.
pub fn identifiers(query: &str) -> BTreeSet<String> {
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, query).tokenize() else { return BTreeSet::new() };
    tokens
        .into_iter()
        .filter_map(|t| match t {
            Token::Word(w) if w.quote_style.is_some() => Some(w.value),
            Token::Word(w) => Some(w.value.to_lowercase()),
            _ => None,
        })
        .collect()
}
