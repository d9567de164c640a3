//! Placeholder until the expression canonicalizer lands: prints sqlparser's text.
use sqlparser::ast;

pub struct CanonContext<'a> {
    pub default_schema: &'a str,
}
pub fn canonical_expr(expr: &ast::Expr, _ctx: &CanonContext) -> String {
    expr.to_string()
}
pub fn canonical_default(expr: &ast::Expr, _ctx: &CanonContext) -> String {
    expr.to_string()
}
pub fn canonical_query(query: &ast::Query, _ctx: &CanonContext) -> String {
    query.to_string()
}
pub fn canonical_type_name(dt: &ast::DataType) -> String {
    dt.to_string()
}
