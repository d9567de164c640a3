//! Canonical text for PostgreSQL expressions and queries: the text
//! PostgreSQL itself prints for what it stores.
//!
//! PostgreSQL keeps column defaults, CHECK constraints, index expressions
//! and predicates, generated columns, trigger conditions and view queries
//! as parse trees, and prints them back (pg_dump, `pg_get_expr`) from those
//! trees: operators resolved and their operands' implicit casts made
//! explicit (`(status)::text = 'a'::text`), constants in their type's
//! output form (`'01:30:00'::interval`), `IN (…)` as `= ANY (ARRAY[…])`,
//! `*` expanded, columns of views qualified. Two expressions are stored
//! alike exactly when they are printed alike.
//!
//! So the canonical form is that printout. Reading an expression resolves
//! it the way PostgreSQL's parser does — against a snapshot of PostgreSQL's
//! own catalog ([`catalog`]) and the schema's tables, types and functions
//! ([`env`]) — and prints the result the way PostgreSQL's deparser does
//! ([`deparse`]), for `search_path = public`. Written by hand or by
//! pg_dump, the same stored tree gives the same text; a cast PostgreSQL
//! keeps, a schema qualifier that changes which function is called, or a
//! `::text` that changes how a sequence is looked up is never dropped.
//!
//! What cannot be resolved (a function no catalog knows) is kept as written
//! ([`fallback`]): it may then differ from its pg_dump spelling (a change
//! reported that is not one), but never compare equal to something else.
//!
//! Resolution needs the whole schema (a CHECK can call a function defined
//! after the table), so the reader stores expressions as written and
//! [`resolve_schema`] makes them canonical once every statement is applied.

pub mod catalog;
mod coerce;
mod deparse;
pub mod deps;
pub mod env;
mod expr;
mod fallback;
mod jsonpath;
mod literal;
mod node;
mod pass;
mod query;
mod resolve;
mod types;

pub use deps::{Dependencies, Deps, Renames};
pub use pass::{Place, Resolution, TableExpr, canonicalize, resolve_schema, scoped_expr, scoped_query, view_output_columns, view_query_now};
pub use types::canonical_type_name;

/// An expression as the reader stores it until [`resolve_schema`] runs:
/// sqlparser's printout, which reads back as the same expression.
pub fn expr_text(e: &sqlparser::ast::Expr) -> String {
    crate::dialect::postgres::read::compat::restore(&e.to_string())
}

/// A query as the reader stores it until [`resolve_schema`] runs.
pub fn query_text(q: &sqlparser::ast::Query) -> String {
    crate::dialect::postgres::read::compat::restore(&q.to_string())
}
