//! Expressions the analyzer cannot resolve (a function or type neither the
//! catalog nor the schema knows): printed as written, every part that can
//! be resolved in its canonical form, nothing added and nothing dropped.
//! Such a text means what the user wrote wherever it is loaded; it compares
//! equal only to the same spelling, so the worst it can cause is a change
//! reported where there is none.

use super::deparse::Deparser;
use super::expr::{Analyzer, Scope, fold};
use crate::model::quote_ident;
use sqlparser::ast::{Expr, FunctionArg, FunctionArgExpr, FunctionArguments, ObjectNamePart};

pub fn print(a: &Analyzer<'_, '_>, e: &Expr, scope: &Scope<'_>) -> String {
    let part = |x: &Expr| Deparser { env: a.env }.print(&a.expr(x, scope), true);
    match e {
        Expr::Nested(inner) => print(a, inner, scope),
        Expr::Identifier(id) => quote_ident(&fold(id)),
        Expr::CompoundIdentifier(parts) => parts.iter().map(|p| quote_ident(&fold(p))).collect::<Vec<_>>().join("."),
        Expr::BinaryOp { left, op, right } => format!("({} {op} {})", part(left), part(right)),
        Expr::UnaryOp { op, expr } => format!("({op} {})", part(expr)),
        Expr::Cast { expr, data_type, format: None, .. } => {
            format!("({})::{}", part(expr), type_text(a, &super::types::canonical_type_name(data_type)))
        }
        Expr::Function(f)
            if f.over.is_none()
                && f.filter.is_none()
                && f.within_group.is_empty()
                && matches!(f.parameters, FunctionArguments::None) =>
        {
            let FunctionArguments::List(list) = &f.args else { return crate::dialect::postgres::read::compat::restore(&e.to_string()) };
            if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
                return crate::dialect::postgres::read::compat::restore(&e.to_string());
            }
            let mut args = Vec::new();
            for arg in &list.args {
                match arg {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => args.push(part(x)),
                    FunctionArg::Named { name, arg: FunctionArgExpr::Expr(x), .. }
                    | FunctionArg::ExprNamed { name: Expr::Identifier(name), arg: FunctionArgExpr::Expr(x), .. } => {
                        if name.quote_style.is_some() && name.value == crate::dialect::postgres::read::compat::VARIADIC_ARG {
                            args.push(format!("VARIADIC {}", part(x)))
                        } else {
                            args.push(format!("{} => {}", quote_ident(&fold(name)), part(x)))
                        }
                    }
                    _ => return crate::dialect::postgres::read::compat::restore(&e.to_string()),
                }
            }
            format!("{}({})", function_name(a, f), args.join(", "))
        }
        other => crate::dialect::postgres::read::compat::restore(&other.to_string()),
    }
}

/// A function's name, without a schema that lookup would supply anyway:
/// `pg_catalog.`, and `public.` unless a built-in function of that name
/// would be found first.
fn function_name(a: &Analyzer<'_, '_>, f: &sqlparser::ast::Function) -> String {
    let parts: Vec<String> = f
        .name
        .0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => fold(i),
            other => other.to_string(),
        })
        .collect();
    match parts.as_slice() {
        [s, n] if s == "pg_catalog" => quote_ident(n),
        [s, n] if s == "public" && !a.env.cat.procs.contains_key(n.as_str()) => quote_ident(n),
        _ => parts.iter().map(|p| quote_ident(p)).collect::<Vec<_>>().join("."),
    }
}

/// A type name, `public.` dropped unless a built-in type has that name.
fn type_text(a: &Analyzer<'_, '_>, text: &str) -> String {
    match text.strip_prefix("public.") {
        Some(rest) if !a.env.cat.type_names.contains_key(rest) => rest.to_string(),
        _ => text.to_string(),
    }
}
