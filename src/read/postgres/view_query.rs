//! What PostgreSQL does to a view's query when it stores it, done to the
//! AST before canonicalization, using what the model knows about tables:
//! `*` is expanded to the columns it stands for at creation time, `GROUP BY
//! 1` names the select item, and a view column list becomes aliases on the
//! select items (pg_dump prints views that way).

use super::{PgReader, ident};
use sqlparser::ast::{self, Expr, GroupByExpr, Ident, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, TableFactor};

pub fn rewrite(r: &PgReader, query: &mut ast::Query, view_columns: &[String]) {
    if let Some(with) = &mut query.with {
        for cte in &mut with.cte_tables {
            rewrite(r, &mut cte.query, &[]);
        }
    }
    rewrite_set_expr(r, &mut query.body, true, view_columns);
}

fn rewrite_set_expr(r: &PgReader, body: &mut SetExpr, first: bool, view_columns: &[String]) {
    match body {
        SetExpr::Select(select) => rewrite_select(r, select, if first { view_columns } else { &[] }),
        SetExpr::SetOperation { left, right, .. } => {
            rewrite_set_expr(r, left, first, view_columns);
            rewrite_set_expr(r, right, false, &[]);
        }
        SetExpr::Query(q) => rewrite(r, q, if first { view_columns } else { &[] }),
        _ => {}
    }
}

/// A FROM item whose columns the model knows: the name used to qualify its
/// columns, and the columns.
struct Source {
    qualifier: String,
    /// False for FROM items whose columns the model does not know (views).
    known: bool,
    columns: Vec<String>,
    types: Vec<crate::model::DataType>,
}

fn sources(r: &PgReader, select: &ast::Select) -> Option<Vec<Source>> {
    let mut out = Vec::new();
    for twj in &select.from {
        collect_sources(r, twj, &mut out)?;
    }
    Some(out)
}

/// The FROM items of a join tree, looking through pg_dump's parenthesized joins.
fn collect_sources(r: &PgReader, twj: &ast::TableWithJoins, out: &mut Vec<Source>) -> Option<()> {
    for factor in std::iter::once(&twj.relation).chain(twj.joins.iter().map(|j| &j.relation)) {
        match factor {
            TableFactor::NestedJoin { table_with_joins, alias: None } => collect_sources(r, table_with_joins, out)?,
            TableFactor::Table { name, alias, args: None, .. } => {
                let table = r.lookup_table(name);
                let t = r.schema.tables.get(&table);
                let known = t.is_some();
                let columns: Vec<String> = t.map(|t| t.columns.iter().map(|c| c.name.clone()).collect()).unwrap_or_default();
                let types = t.map(|t| t.columns.iter().map(|c| c.data_type.clone()).collect()).unwrap_or_default();
                let qualifier = match alias {
                    Some(a) if a.columns.is_empty() => ident(&a.name),
                    Some(_) => return None,
                    None => table.name.clone(),
                };
                out.push(Source { qualifier, known, columns, types });
            }
            _ => return None,
        }
    }
    Some(())
}

fn column_ref(qualifier: Option<&str>, column: &str) -> Expr {
    let quoted = |s: &str| Ident::with_quote('"', s);
    match qualifier {
        Some(q) => Expr::CompoundIdentifier(vec![quoted(q), quoted(column)]),
        None => Expr::Identifier(quoted(column)),
    }
}

fn rewrite_select(r: &PgReader, select: &mut ast::Select, view_columns: &[String]) {
    if let Some(sources) = sources(r, select) {
        let visit = |e: &mut Expr| drop_implicit_numeric_casts(e, &sources);
        for item in &mut select.projection {
            if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item {
                visit(e);
            }
        }
        if let Some(w) = &mut select.selection {
            visit(w);
        }
        if let Some(h) = &mut select.having {
            visit(h);
        }
    }
    // `*` and `t.*` → the columns, when every FROM item is a known table.
    let has_wildcard = select.projection.iter().any(|i| matches!(i, SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)));
    if has_wildcard
        && let Some(sources) = sources(r, select).filter(|s| s.iter().all(|s| s.known)) {
            let single = sources.len() == 1;
            let mut projection = Vec::new();
            for item in select.projection.drain(..) {
                match &item {
                    SelectItem::Wildcard(_) => {
                        for s in &sources {
                            for c in &s.columns {
                                projection.push(SelectItem::UnnamedExpr(column_ref((!single).then_some(s.qualifier.as_str()), c)));
                            }
                        }
                    }
                    SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), _) => {
                        let q = name.0.last().map(|p| match p {
                            ast::ObjectNamePart::Identifier(id) => ident(id),
                            other => other.to_string(),
                        });
                        match sources.iter().find(|s| Some(&s.qualifier) == q.as_ref()) {
                            Some(s) => {
                                for c in &s.columns {
                                    projection.push(SelectItem::UnnamedExpr(column_ref((!single).then_some(s.qualifier.as_str()), c)));
                                }
                            }
                            None => projection.push(item.clone()),
                        }
                    }
                    _ => projection.push(item),
                }
            }
            select.projection = projection;
        }
    // GROUP BY 2 → GROUP BY <the second select item>.
    if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
        for e in exprs.iter_mut() {
            let position = match e {
                Expr::Value(v) => match &v.value {
                    ast::Value::Number(n, _) => n.parse::<usize>().ok(),
                    _ => None,
                },
                _ => None,
            };
            if let Some(SelectItem::UnnamedExpr(x) | SelectItem::ExprWithAlias { expr: x, .. }) =
                position.and_then(|p| p.checked_sub(1)).and_then(|i| select.projection.get(i))
            {
                *e = x.clone();
            }
        }
    }
    // CREATE VIEW v (a, b) AS SELECT x, y → SELECT x AS a, y AS b.
    for (item, name) in select.projection.iter_mut().zip(view_columns) {
        let alias = Ident::with_quote('"', name.clone());
        *item = match std::mem::replace(item, SelectItem::UnnamedExpr(Expr::Identifier(Ident::new("")))) {
            SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } => SelectItem::ExprWithAlias { expr, alias },
            other => other,
        };
    }
}

/// Whether a view column list can be folded into the select items (it can
/// when the query's first SELECT has at least as many plain items).
pub fn can_fold_columns(query: &ast::Query, view_columns: &[String]) -> bool {
    fn first_select(body: &SetExpr) -> Option<&ast::Select> {
        match body {
            SetExpr::Select(s) => Some(s),
            SetExpr::SetOperation { left, .. } => first_select(left),
            SetExpr::Query(q) => first_select(&q.body),
            _ => None,
        }
    }
    !view_columns.is_empty()
        && first_select(&query.body).is_some_and(|s| {
            s.projection.len() >= view_columns.len()
                && s.projection.iter().take(view_columns.len()).all(|i| matches!(i, SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. }))
        })
}

/// The type of a column reference, when the model knows it.
fn column_type<'s>(e: &Expr, sources: &'s [Source]) -> Option<&'s crate::model::DataType> {
    let (qualifier, column) = match e {
        Expr::Nested(inner) => return column_type(inner, sources),
        Expr::Identifier(id) => (None, ident(id)),
        Expr::CompoundIdentifier(parts) if parts.len() == 2 => (Some(ident(&parts[0])), ident(&parts[1])),
        _ => return None,
    };
    // An unqualified name could belong to a FROM item whose columns are unknown.
    if qualifier.is_none() && sources.iter().any(|s| !s.known) {
        return None;
    }
    let mut found = sources.iter().filter(|s| qualifier.as_ref().is_none_or(|q| *q == s.qualifier)).filter_map(|s| {
        s.columns.iter().position(|c| *c == column).map(|i| &s.types[i])
    });
    let t = found.next()?;
    found.next().is_none().then_some(t)
}

/// `int_col::numeric * numeric_col` is what PostgreSQL stores for
/// `int_col * numeric_col`: the integer operand is promoted implicitly. The
/// cast is dropped only in exactly that case, where it changes nothing.
fn drop_implicit_numeric_casts(e: &mut Expr, sources: &[Source]) {
    let is_int = |t: &crate::model::DataType| t.array_dims == 0 && ["smallint", "integer", "bigint"].contains(&t.name.as_str());
    let is_numeric = |t: &crate::model::DataType| t.array_dims == 0 && t.name == "numeric";
    let implicit = |cast: &Expr, other: &Expr| match cast {
        Expr::Cast { expr, data_type, .. } => {
            data_type.to_string().eq_ignore_ascii_case("numeric")
                && column_type(expr, sources).is_some_and(is_int)
                && column_type(other, sources).is_some_and(is_numeric)
        }
        _ => false,
    };
    match e {
        Expr::BinaryOp { left, op, right } => {
            let arithmetic = matches!(op, ast::BinaryOperator::Plus | ast::BinaryOperator::Minus | ast::BinaryOperator::Multiply | ast::BinaryOperator::Divide);
            if arithmetic && implicit(left, right)
                && let Expr::Cast { expr, .. } = left.as_mut() {
                    **left = (**expr).clone();
                }
            if arithmetic && implicit(right, left)
                && let Expr::Cast { expr, .. } = right.as_mut() {
                    **right = (**expr).clone();
                }
            drop_implicit_numeric_casts(left, sources);
            drop_implicit_numeric_casts(right, sources);
        }
        Expr::Nested(inner) | Expr::UnaryOp { expr: inner, .. } => drop_implicit_numeric_casts(inner, sources),
        Expr::Function(f) => {
            if let ast::FunctionArguments::List(list) = &mut f.args {
                for a in &mut list.args {
                    if let ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(x)) = a {
                        drop_implicit_numeric_casts(x, sources);
                    }
                }
            }
        }
        _ => {}
    }
}
