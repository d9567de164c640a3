//! Canonical text for PostgreSQL expressions and queries.
//!
//! PostgreSQL keeps column defaults, CHECK constraints, index expressions and
//! predicates, view queries, trigger conditions and generated columns as
//! parse trees, and pg_dump prints them back deparsed: every operator
//! parenthesized, implicit casts made explicit (`(status)::text`,
//! `'x'::text`, `(0)::numeric`), `IN (…)` as `= ANY (ARRAY[…])`, `LIKE` as
//! `~~`, columns of views qualified by their table. A hand-written schema and
//! the dump of the database built from it must compare equal, so both are
//! brought to one canonical form here.
//!
//! The canonical form is itself valid PostgreSQL (it is emitted into
//! migrations) and a fixed point: canonicalizing the parse of the output
//! gives the output again. It is built by rewriting the sqlparser AST and
//! printing it with sqlparser's own `Display`, which keeps the output
//! parseable by construction.
//!
//! The rules, each justified where it is implemented:
//!
//! * parentheses: all dropped, then every compound operand of an operator
//!   is parenthesized again, so precedence is always explicit; `AND`/`OR`
//!   chains are flattened (`a AND (b AND c)` = `a AND b AND c`);
//! * identifiers folded (unquoted → lower case) and quoted only when needed;
//!   function names lower-cased; `pg_catalog.` and `<default_schema>.`
//!   qualifiers dropped;
//! * casts: `CAST(x AS t)` → `x::t` with the type in `format_type` spelling;
//!   casts that PostgreSQL adds on its own are removed (see [`expr`]):
//!   text-like casts on literals, on column references and on `ARRAY[…]`,
//!   numeric casts on number literals, and any cast on a literal where the
//!   other side of a comparison (or the column, for a default) decides its
//!   type;
//! * `x = ANY (ARRAY[…])` ↔ `x IN (…)`, following PostgreSQL's own rule for
//!   which IN lists become arrays; `~~` ↔ `LIKE`; `BETWEEN` → two
//!   comparisons; `!=` → `<>`;
//! * queries: default schema dropped from table names, left-nested joins
//!   unwrapped, column qualifiers dropped where the FROM clause has a single
//!   item, `AS name` dropped where PostgreSQL would choose that name anyway.
//!
//! What cannot be done without the catalog (types of columns, the columns
//! behind `*`) is listed under "Limitations" in the tests' module doc.

mod expr;
mod literal;
mod query;
mod types;

pub use types::canonical_type_name;

use crate::model::quote_ident;
use sqlparser::ast::{Expr, Ident, Query};
use sqlparser::tokenizer::Span;

/// What canonicalization needs to know about where the expression lives.
#[derive(Debug, Clone, Copy)]
pub struct CanonContext<'a> {
    /// The schema whose qualifier is implied and therefore dropped from
    /// object names: normally `public`.
    pub default_schema: &'a str,
}

impl Default for CanonContext<'_> {
    fn default() -> Self {
        CanonContext { default_schema: "public" }
    }
}

/// Canonical text of an expression (CHECK, index expression or predicate,
/// trigger WHEN, generated column).
pub fn canonical_expr(expr: &Expr, ctx: &CanonContext) -> String {
    Canon::new(ctx).root_expr(expr).to_string()
}

/// Canonical text of a column DEFAULT. On top of [`canonical_expr`]: the
/// column's type decides the type of a constant default, so a cast on it is
/// dropped whatever the type (`'{}'::jsonb` → `'{}'`, `NULL::character
/// varying` → `NULL`), and an integer constant is written as a string
/// (`-1`, `'-1'::integer` and `'-1'` all give `'-1'`; see
/// `Canon::default_expr` for why the string and not the number).
/// `nextval('seq')` and `nextval('public.seq'::regclass)` both become
/// `nextval('seq'::regclass)` (that rule lives in [`canonical_expr`], which
/// sees the same calls in other places).
pub fn canonical_default(expr: &Expr, ctx: &CanonContext) -> String {
    Canon::new(ctx).default_expr(expr).to_string()
}

/// Canonical text of a query (view and materialized view definitions).
pub fn canonical_query(query: &Query, ctx: &CanonContext) -> String {
    Canon::new(ctx).query(query).to_string()
}

/// The rewriting state: the context and the name scope of the SELECT whose
/// expressions are being rewritten.
#[derive(Clone)]
pub(super) struct Canon<'a> {
    ctx: &'a CanonContext<'a>,
    /// Qualifiers that may be dropped from column references because they
    /// name the only item in the current FROM clause (`users.id` → `id` in
    /// `… FROM users`): each entry is one spelling of it, as folded parts.
    strip_qualifiers: Vec<Vec<String>>,
}

impl<'a> Canon<'a> {
    fn new(ctx: &'a CanonContext<'a>) -> Canon<'a> {
        Canon { ctx, strip_qualifiers: Vec::new() }
    }
}

/// An identifier's value as PostgreSQL resolves it: unquoted names are
/// folded to lower case (ASCII only, as PostgreSQL does), quoted ones kept.
pub(super) fn fold_ident(ident: &Ident) -> String {
    if ident.quote_style.is_some() { ident.value.clone() } else { ident.value.to_ascii_lowercase() }
}

/// `ident` folded and marked for quoting exactly when PostgreSQL needs it.
pub(super) fn canonical_ident(ident: &Ident) -> Ident {
    name_ident(&fold_ident(ident))
}

/// An identifier for an already folded name, quoted only when needed.
pub(super) fn name_ident(value: &str) -> Ident {
    let quote_style = if quote_ident(value) == value { None } else { Some('"') };
    Ident { value: value.to_string(), quote_style, span: Span::empty() }
}

/// Text helpers for readers that hold SQL as strings (JSON snapshots): the
/// canonical form of the parsed text, or `None` when it does not parse.
pub fn canonical_expr_text(text: &str) -> Option<String> {
    parse_expr(text).map(|e| canonical_expr(&e, &CanonContext::default()))
}

pub fn canonical_default_text(text: &str) -> Option<String> {
    parse_expr(text).map(|e| canonical_default(&e, &CanonContext::default()))
}

pub fn canonical_query_text(text: &str) -> Option<String> {
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let mut parser = sqlparser::parser::Parser::new(&dialect).try_with_sql(text).ok()?;
    let query = parser.parse_query().ok()?;
    Some(canonical_query(&query, &CanonContext::default()))
}

fn parse_expr(text: &str) -> Option<Expr> {
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    sqlparser::parser::Parser::new(&dialect).try_with_sql(text).ok()?.parse_expr().ok()
}
