//! Which views depend on what, read off their queries.
//!
//! A view is taken to depend on every table, view or function whose name
//! appears as an identifier in its query. A false match only means a view
//! is dropped and created again unchanged, which is safe; a missed one
//! would make PostgreSQL refuse the migration, which the tests would show.

use crate::model::{QName, View};
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

/// Whether `view` mentions the object `name`.
pub fn mentions(view: &View, name: &QName) -> bool {
    identifiers(&view.query).contains(&name.name)
}
