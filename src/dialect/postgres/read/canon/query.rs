//! Query analysis (view and materialized view definitions, subqueries),
//! following `transformSelectStmt` and printed like `pg_get_viewdef`:
//! relations resolved through the schema, `*` expanded to the columns it
//! stands for, every column qualified by the name of its relation, every
//! output column named (`count(*) AS count`), joins parenthesized, the
//! implicit casts PostgreSQL adds made explicit.
//!
//! The analysis also gives the output columns with their types, which is
//! what tells a view whose columns change (it must be dropped and created
//! again) from one whose query changes alone (`CREATE OR REPLACE VIEW`).

use super::catalog::oids;
use super::coerce::Context;
use super::deparse::{self, Deparser};
use super::env::{Columns, Env};
use super::expr::{Analyzer, RelScope, Scope, UNRESOLVED, fold, peel};
use super::node::{Form, Node, Ty};
use crate::model::{QName, View, quote_ident};
use sqlparser::ast::{
    self, Distinct, Expr, GroupByExpr, JoinConstraint, JoinOperator, LimitClause, ObjectNamePart, OrderByKind,
    SelectItem, SelectItemQualifiedWildcardKind, SetExpr, SetOperator, SetQuantifier, TableFactor, TableWithJoins,
};

/// A query's canonical text and its output columns.
#[derive(Debug, Clone)]
pub struct Analyzed {
    pub text: String,
    pub columns: Columns,
}

type Failed = ();

/// A set expression analyzed: its text, the relations of a plain SELECT
/// (for the enclosing ORDER BY) and its output columns.
type Selected = (String, Vec<RelScope>, Columns);

/// An alias applied: the name columns are qualified with, the renamed
/// columns, and how the alias is printed.
type Aliased = (String, Columns, String);

/// Common table expressions in scope: name → output columns.
#[derive(Debug, Clone, Default)]
struct Ctes {
    entries: Vec<(String, Columns)>,
}

impl Ctes {
    fn find(&self, name: &str) -> Option<&Columns> {
        self.entries.iter().rev().find(|(n, _)| n == name).map(|(_, c)| c)
    }
}

thread_local! {
    /// The CTEs visible to the query being analyzed, innermost last.
    static CTES: std::cell::RefCell<Vec<Ctes>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn visible_cte(name: &str) -> Option<Columns> {
    CTES.with(|c| c.borrow().iter().rev().find_map(|level| level.find(name).cloned()))
}

/// Parses a view's stored query text.
fn parse_query(text: &str) -> Option<ast::Query> {
    let q = crate::dialect::postgres::read::compat::parser(text).ok()?.parse_query().ok()?;
    Some(*q)
}

/// The output columns of a view, with their types.
pub fn view_columns(env: &Env<'_>, view: &View) -> Option<Columns> {
    let query = parse_query(&view.query)?;
    let a = Analyzer::new(env);
    analyze(&a, &query, None, Output { names: &view.columns, ..VIEW }).ok().map(|r| r.columns)
}

/// A view's query in canonical form, its column list folded into it, with
/// an analyzer of the caller's (which notes what the query reads).
pub fn analyze_view(a: &Analyzer<'_, '_>, view: &View) -> Option<String> {
    let query = parse_query(&view.query)?;
    analyze(a, &query, None, Output { names: &view.columns, ..VIEW }).ok().map(|r| r.text)
}

/// A parsed query in canonical form, `columns` naming its first outputs.
pub fn canonical_query(env: &Env<'_>, query: &ast::Query, columns: &[String]) -> Option<String> {
    let a = Analyzer::new(env);
    analyze(&a, query, None, Output { names: columns, ..VIEW }).ok().map(|r| r.text)
}

/// A subquery inside an expression, seeing the enclosing query's columns.
pub fn analyze_subquery(a: &Analyzer<'_, '_>, q: &ast::Query, outer: &Scope<'_>) -> Result<Analyzed, Failed> {
    analyze(a, q, Some(outer), SUBLINK)
}

/// `names`: the view's column list, renaming the first output columns.
/// How a query's output columns are printed.
#[derive(Debug, Clone, Copy)]
struct Output<'n> {
    /// Names that replace the query's own (a view's column list), for the
    /// query and every branch of a set operation (`pg_get_viewdef` prints
    /// them from the view's row type).
    names: &'n [String],
    /// Whether the column names are seen (a view, a CTE, a subquery in
    /// FROM); a sublink's and a later set-operation branch's are not, and
    /// PostgreSQL then leaves out the made-up `?column?` labels.
    visible: bool,
    /// The names come from the view's row type: later set-operation
    /// branches are printed with them too.
    result_desc: bool,
}

const VIEW: Output<'static> = Output { names: &[], visible: true, result_desc: true };
const NESTED: Output<'static> = Output { names: &[], visible: true, result_desc: false };
const SUBLINK: Output<'static> = Output { names: &[], visible: false, result_desc: false };

fn analyze(a: &Analyzer<'_, '_>, q: &ast::Query, outer: Option<&Scope<'_>>, out: Output<'_>) -> Result<Analyzed, Failed> {
    if q.fetch.is_some() || !q.locks.is_empty() || q.for_clause.is_some() || q.settings.is_some() || q.format_clause.is_some() {
        return Err(());
    }
    if !q.pipe_operators.is_empty() {
        return Err(());
    }
    let mut text = String::new();
    let mut ctes = Ctes::default();
    if let Some(with) = &q.with {
        let mut parts = Vec::new();
        for cte in &with.cte_tables {
            let name = fold(&cte.alias.name);
            let aliases: Vec<String> = cte.alias.columns.iter().map(|c| fold(&c.name)).collect();
            let rename = |mut columns: Columns| {
                for (c, n) in columns.iter_mut().zip(&aliases) {
                    c.0 = n.clone();
                }
                columns
            };
            // A recursive CTE's columns are those of its non-recursive
            // term, which the recursive term may then refer to.
            if with.recursive
                && let SetExpr::SetOperation { left, .. } = &*cte.query.body
            {
                let seed = with_ctes(ctes.clone(), || set_expr(a, left, outer, NESTED))?;
                ctes.entries.push((name.clone(), rename(seed.2)));
            }
            let inner = with_ctes(ctes.clone(), || analyze(a, &cte.query, outer, NESTED))?;
            let columns = rename(inner.columns.clone());
            let alias_list = if aliases.is_empty() { String::new() } else { format!("({})", aliases.iter().map(|n| quote_ident(n)).collect::<Vec<_>>().join(", ")) };
            let materialized = match &cte.materialized {
                Some(ast::CteAsMaterialized::Materialized) => "MATERIALIZED ",
                Some(ast::CteAsMaterialized::NotMaterialized) => "NOT MATERIALIZED ",
                None => "",
            };
            parts.push(format!("{}{alias_list} AS {materialized}({})", quote_ident(&name), inner.text));
            ctes.entries.retain(|(n, _)| *n != name);
            ctes.entries.push((name, columns));
        }
        let recursive = if with.recursive { "RECURSIVE " } else { "" };
        text.push_str(&format!("WITH {recursive}{} ", parts.join(", ")));
    }
    let result = with_ctes(ctes, || {
        let (body, scope_rels, columns) = set_expr(a, &q.body, outer, out)?;
        let mut text = body;
        // ORDER BY, OFFSET, LIMIT of the whole query.
        let scope = Scope { rels: scope_rels, parent: outer, value: None, qualify: true };
        if let Some(order) = &q.order_by {
            let OrderByKind::Expressions(list) = &order.kind else { return Err(()) };
            let items = list
                .iter()
                .map(|o| Ok(format!("{}{}", sort_target(a, &o.expr, &scope, &columns)?, deparse::sort_suffix(&o.options))))
                .collect::<Result<Vec<_>, Failed>>()?;
            text.push_str(&format!(" ORDER BY {}", items.join(", ")));
        }
        if let Some(limit) = &q.limit_clause {
            let (limit, offset) = match limit {
                LimitClause::LimitOffset { limit, offset, limit_by } if limit_by.is_empty() => {
                    (limit.clone(), offset.as_ref().map(|o| o.value.clone()))
                }
                _ => return Err(()),
            };
            let int8 = |e: &Expr| -> Result<String, Failed> {
                let n = a.expr(e, &scope);
                if n.type_id() == UNRESOLVED {
                    return Err(());
                }
                let n = a.env.coerce_to_target(n, &Ty::of(oids::INT8), Context::Implicit, Form::Implicit).map_err(drop)?;
                Ok(Deparser { env: a.env }.print(&n, false))
            };
            if let Some(o) = offset {
                text.push_str(&format!(" OFFSET {}", int8(&o)?));
            }
            match limit {
                Some(Expr::Value(v)) if matches!(v.value, ast::Value::Null) => text.push_str(" LIMIT ALL"),
                Some(l) => text.push_str(&format!(" LIMIT {}", int8(&l)?)),
                None => {}
            }
        }
        Ok(Analyzed { text, columns })
    })?;
    text.push_str(&result.text);
    Ok(Analyzed { text, columns: result.columns })
}

fn with_ctes<T>(ctes: Ctes, f: impl FnOnce() -> T) -> T {
    CTES.with(|c| c.borrow_mut().push(ctes));
    let out = f();
    CTES.with(|c| c.borrow_mut().pop());
    out
}

/// A set expression: text, the scope of a plain SELECT (for ORDER BY), and
/// the output columns.
fn set_expr(
    a: &Analyzer<'_, '_>,
    body: &SetExpr,
    outer: Option<&Scope<'_>>,
    out: Output<'_>,
) -> Result<Selected, Failed> {
    match body {
        SetExpr::Select(select) => select_stmt(a, select, outer, out),
        SetExpr::Query(q) => {
            let r = analyze(a, q, outer, out)?;
            Ok((format!("({})", r.text), Vec::new(), r.columns))
        }
        SetExpr::SetOperation { left, op, set_quantifier, right } => {
            // Only the leftmost branch names the columns.
            let (ltext, _, lcols) = set_expr(a, left, outer, out)?;
            let left_names: Vec<String> = lcols.iter().map(|(n, _)| n.clone()).collect();
            let right_out = if out.result_desc {
                Output { names: &left_names, visible: false, result_desc: true }
            } else {
                Output { names: &[], visible: false, result_desc: false }
            };
            let (rtext, _, rcols) = set_expr(a, right, outer, right_out)?;
            if lcols.len() != rcols.len() {
                return Err(());
            }
            // Each output column's type is the common type of both sides.
            let mut columns = Vec::new();
            for ((n, lt), (_, rt)) in lcols.iter().zip(&rcols) {
                if lt.id == UNRESOLVED || rt.id == UNRESOLVED {
                    return Err(());
                }
                let common = a.env.select_common_type(&[lt.id, rt.id]).map_err(drop)?;
                let typmod = if lt == rt { lt.typmod.clone() } else { Vec::new() };
                if common != lt.id || common != rt.id {
                    // The branches would need casts, which PostgreSQL prints
                    // inside them; not modelled.
                    return Err(());
                }
                columns.push((n.clone(), Ty { id: common, typmod }));
            }
            let word = match op {
                SetOperator::Union => "UNION",
                SetOperator::Intersect => "INTERSECT",
                SetOperator::Except => "EXCEPT",
                _ => return Err(()),
            };
            let all = match set_quantifier {
                SetQuantifier::All => " ALL",
                SetQuantifier::None | SetQuantifier::Distinct => "",
                _ => return Err(()),
            };
            Ok((format!("{ltext} {word}{all} {rtext}"), Vec::new(), columns))
        }
        SetExpr::Values(values) => {
            let scope = Scope { rels: Vec::new(), parent: outer, value: None, qualify: true };
            let mut rows = Vec::new();
            let mut types: Vec<Vec<Ty>> = Vec::new();
            for row in &values.rows {
                let nodes: Vec<Node> = row.content.iter().map(|e| a.expr(e, &scope)).collect();
                types.push(nodes.iter().map(Node::ty).collect());
                rows.push(nodes);
            }
            let width = rows.first().map_or(0, Vec::len);
            if rows.iter().any(|r| r.len() != width) {
                return Err(());
            }
            let mut columns = Vec::new();
            for i in 0..width {
                let col_types: Vec<u32> = types.iter().map(|r| r[i].id).collect();
                if col_types.contains(&UNRESOLVED) {
                    return Err(());
                }
                let common = a.env.select_common_type(&col_types).map_err(drop)?;
                for r in rows.iter_mut() {
                    let n = std::mem::replace(&mut r[i], Node::Verbatim { text: String::new(), ty: Ty::of(UNRESOLVED) });
                    r[i] = a.env.coerce_to_common(n, common).map_err(drop)?;
                }
                columns.push((out.names.get(i).cloned().unwrap_or_else(|| format!("column{}", i + 1)), Ty::of(common)));
            }
            let p = Deparser { env: a.env };
            let text = rows
                .iter()
                .map(|r| format!("({})", r.iter().map(|n| p.print(n, true)).collect::<Vec<_>>().join(", ")))
                .collect::<Vec<_>>()
                .join(", ");
            Ok((format!("VALUES {text}"), Vec::new(), columns))
        }
        _ => Err(()),
    }
}

/// `transformSelectStmt` for one SELECT.
fn select_stmt(
    a: &Analyzer<'_, '_>,
    s: &ast::Select,
    outer: Option<&Scope<'_>>,
    out: Output<'_>,
) -> Result<Selected, Failed> {
    if s.top.is_some()
        || s.into.is_some()
        || !s.lateral_views.is_empty()
        || s.prewhere.is_some()
        || !s.connect_by.is_empty()
        || !s.cluster_by.is_empty()
        || !s.distribute_by.is_empty()
        || !s.sort_by.is_empty()
        || s.qualify.is_some()
        || s.value_table_mode.is_some()
        || s.exclude.is_some()
        || !s.named_window.is_empty()
    {
        return Err(());
    }
    let env = a.env;
    let p = Deparser { env };
    // FROM
    let mut rels: Vec<RelScope> = Vec::new();
    let mut from_texts = Vec::new();
    for twj in &s.from {
        let base = Scope { rels: rels.clone(), parent: outer, value: None, qualify: true };
        let (text, item_rels) = table_with_joins(a, twj, &base)?;
        from_texts.push(text);
        rels.extend(item_rels);
    }
    let scope = Scope { rels: rels.clone(), parent: outer, value: None, qualify: true };
    // Target list
    let mut targets: Vec<(Node, String)> = Vec::new();
    for item in &s.projection {
        match item {
            SelectItem::UnnamedExpr(e) => {
                let n = target_expr(a, e, &scope)?;
                let name = figure_colname(e);
                targets.push((n, name));
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                let n = target_expr(a, expr, &scope)?;
                targets.push((n, fold(alias)));
            }
            SelectItem::Wildcard(opts) if is_plain_wildcard(opts) => {
                for r in &rels {
                    for (c, t) in &r.columns {
                        targets.push((Node::Var { rel: Some(r.refname.clone()), name: a.use_column(r, c), ty: t.clone() }, c.clone()));
                    }
                }
            }
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), opts) if is_plain_wildcard(opts) => {
                let parts: Vec<String> = name.0.iter().map(part).collect();
                let r = rels.iter().find(|r| r.names.contains(&parts)).ok_or(())?;
                for (c, t) in &r.columns {
                    targets.push((Node::Var { rel: Some(r.refname.clone()), name: a.use_column(r, c), ty: t.clone() }, c.clone()));
                }
            }
            _ => return Err(()),
        }
    }
    for (t, n) in targets.iter_mut().zip(out.names) {
        t.1 = n.clone();
    }
    let mut text = String::from("SELECT");
    match &s.distinct {
        None | Some(Distinct::All) => {}
        Some(Distinct::Distinct) => text.push_str(" DISTINCT"),
        Some(Distinct::On(list)) => {
            let items = list.iter().map(|e| sort_target(a, e, &scope, &[])).collect::<Result<Vec<_>, _>>()?;
            text.push_str(&format!(" DISTINCT ON ({})", items.join(", ")));
        }
    }
    let target_texts: Vec<String> = targets
        .iter()
        .map(|(n, name)| {
            let printed = p.print(n, true);
            match n {
                Node::Var { name: col, .. } if col == name => printed,
                _ if !out.visible && name == "?column?" => printed,
                _ => format!("{printed} AS {}", quote_ident(name)),
            }
        })
        .collect();
    text.push(' ');
    text.push_str(&target_texts.join(", "));
    if !from_texts.is_empty() {
        text.push_str(&format!(" FROM {}", from_texts.join(", ")));
    }
    if let Some(w) = &s.selection {
        let n = boolean(a, a.expr(w, &scope))?;
        text.push_str(&format!(" WHERE {}", p.print(&n, false)));
    }
    let output: Columns = targets.iter().map(|(n, name)| (name.clone(), n.ty())).collect();
    match &s.group_by {
        GroupByExpr::Expressions(list, modifiers) if modifiers.is_empty() => {
            if !list.is_empty() {
                let items = list
                    .iter()
                    .map(|e| group_item(a, e, &scope, &targets))
                    .collect::<Result<Vec<_>, _>>()?;
                text.push_str(&format!(" GROUP BY {}", items.join(", ")));
            }
        }
        _ => return Err(()),
    }
    if let Some(h) = &s.having {
        let n = boolean(a, a.expr(h, &scope))?;
        text.push_str(&format!(" HAVING {}", p.print(&n, false)));
    }
    if output.iter().any(|(_, t)| t.id == UNRESOLVED) {
        // The output types matter to whoever uses this query's columns; the
        // text still means what was written.
    }
    Ok((text, rels, output))
}

fn is_plain_wildcard(opts: &ast::WildcardAdditionalOptions) -> bool {
    opts.opt_ilike.is_none() && opts.opt_exclude.is_none() && opts.opt_except.is_none() && opts.opt_replace.is_none() && opts.opt_rename.is_none()
}

/// A target list entry: unknown literals become text
/// (`resolveTargetListUnknowns`).
fn target_expr(a: &Analyzer<'_, '_>, e: &Expr, scope: &Scope<'_>) -> Result<Node, Failed> {
    let n = a.expr(e, scope);
    if n.type_id() == oids::UNKNOWN {
        return a.env.coerce_to_common(n, oids::TEXT).map_err(drop);
    }
    Ok(n)
}

fn boolean(a: &Analyzer<'_, '_>, n: Node) -> Result<Node, Failed> {
    if n.type_id() == UNRESOLVED {
        return Ok(n);
    }
    a.env.coerce_to_boolean(n).map_err(drop)
}

/// A GROUP BY item: an output column's position or name, or an expression.
fn group_item(a: &Analyzer<'_, '_>, e: &Expr, scope: &Scope<'_>, targets: &[(Node, String)]) -> Result<String, Failed> {
    let node = match peel(e) {
        Expr::Value(v) if matches!(v.value, ast::Value::Number(..)) => {
            let ast::Value::Number(n, _) = &v.value else { return Err(()) };
            let i: usize = n.parse().map_err(drop)?;
            targets.get(i.checked_sub(1).ok_or(())?).ok_or(())?.0.clone()
        }
        Expr::Identifier(id) => {
            let name = fold(id);
            // An input column wins over an output column of the same name.
            let n = a.expr(e, scope);
            if n.type_id() == UNRESOLVED {
                targets.iter().find(|(_, t)| *t == name).map(|(n, _)| n.clone()).ok_or(())?
            } else {
                n
            }
        }
        _ => a.expr(e, scope),
    };
    Ok(sortgroup_text(a, &node))
}

/// `get_rule_sortgroupclause`: a function call is parenthesized so that it
/// does not read back as something else.
fn sortgroup_text(a: &Analyzer<'_, '_>, node: &Node) -> String {
    let p = Deparser { env: a.env };
    match node {
        Node::Const { ty, value } => p.constant(ty, value.as_deref(), 1),
        Node::Func(_) => format!("({})", p.print(node, true)),
        _ => p.print(node, true),
    }
}

/// An ORDER BY item: a position or an output column name, else an expression.
fn sort_target(a: &Analyzer<'_, '_>, e: &Expr, scope: &Scope<'_>, columns: &[(String, Ty)]) -> Result<String, Failed> {
    match peel(e) {
        Expr::Value(v) if matches!(v.value, ast::Value::Number(..)) => {
            let _ = columns;
            Err(())
        }
        _ => {
            let n = a.expr(e, scope);
            Ok(sortgroup_text(a, &n))
        }
    }
}

fn part(p: &ObjectNamePart) -> String {
    match p {
        ObjectNamePart::Identifier(i) => fold(i),
        other => other.to_string(),
    }
}

/// A FROM item with its joins: text and the relations it brings into scope.
fn table_with_joins(a: &Analyzer<'_, '_>, twj: &TableWithJoins, base: &Scope<'_>) -> Result<(String, Vec<RelScope>), Failed> {
    let (mut text, mut rels) = table_factor(a, &twj.relation, base)?;
    for join in &twj.joins {
        let (rtext, rrels) = table_factor(a, &join.relation, base)?;
        let (word, constraint) = match &join.join_operator {
            JoinOperator::Join(c) | JoinOperator::Inner(c) => ("JOIN", c),
            JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => ("LEFT JOIN", c),
            JoinOperator::Right(c) | JoinOperator::RightOuter(c) => ("RIGHT JOIN", c),
            JoinOperator::FullOuter(c) => ("FULL JOIN", c),
            JoinOperator::CrossJoin(c) => ("CROSS JOIN", c),
            _ => return Err(()),
        };
        let mut all = rels.clone();
        all.extend(rrels.clone());
        let scope = Scope { rels: all.clone(), parent: base.parent, value: None, qualify: true };
        let cond = match constraint {
            JoinConstraint::On(e) => {
                let n = boolean(a, a.expr(e, &scope))?;
                format!(" ON ({})", Deparser { env: a.env }.print(&n, false))
            }
            JoinConstraint::None if word == "CROSS JOIN" || word == "JOIN" => String::new(),
            _ => return Err(()),
        };
        let word = if cond.is_empty() { "CROSS JOIN" } else { word };
        text = format!("({text} {word} {rtext}{cond})");
        rels = all;
    }
    Ok((text, rels))
}

fn table_factor(a: &Analyzer<'_, '_>, tf: &TableFactor, base: &Scope<'_>) -> Result<(String, Vec<RelScope>), Failed> {
    match tf {
        TableFactor::Table { name, alias, args: None, with_hints, version: None, with_ordinality: false, partitions, json_path: None, sample: None, index_hints } => {
            if !with_hints.is_empty() || !partitions.is_empty() || !index_hints.is_empty() {
                return Err(());
            }
            let parts: Vec<String> = name.0.iter().map(part).collect();
            let (qname, columns, source) = match parts.as_slice() {
                [n] if visible_cte(n).is_some() => (QName::new("", n.clone()), visible_cte(n).ok_or(())?, None),
                [n] => {
                    let q = QName::new("public", n.clone());
                    (q.clone(), columns_of(a, &q)?, Some(q))
                }
                [s, n] => {
                    let q = QName::new(s.clone(), n.clone());
                    (q.clone(), columns_of(a, &q)?, Some(q))
                }
                _ => return Err(()),
            };
            // A renamed relation is printed, and named, as it is called now.
            let current = source.as_ref().map(|q| a.use_relation(q));
            let printed = match &current {
                None => quote_ident(&qname.name),
                Some(q) if q.schema == "public" => quote_ident(&q.name),
                Some(q) => q.to_string(),
            };
            let shown = current.as_ref().map_or(qname.name.as_str(), |q| q.name.as_str());
            let (refname, aliased, alias_text) = apply_alias(shown, columns.clone(), alias.as_ref())?;
            let mut names = vec![vec![refname.clone()]];
            if alias.is_none() {
                names.push(vec![qname.name.clone()]);
                if !qname.schema.is_empty() {
                    names.push(vec![qname.schema.clone(), qname.name.clone()]);
                }
                names.dedup();
            }
            let mut rel = RelScope::new(&refname, names, aliased, None);
            rel.source = source.map(|q| (q, columns.into_iter().map(|(n, _)| n).collect()));
            Ok((format!("{printed}{alias_text}"), vec![rel]))
        }
        TableFactor::Derived { lateral, subquery, alias, sample: None } => {
            let outer = if *lateral { Some(base) } else { base.parent };
            let inner = match outer {
                Some(o) => analyze(a, subquery, Some(o), NESTED)?,
                None => analyze(a, subquery, None, NESTED)?,
            };
            let alias = alias.as_ref().ok_or(())?;
            let (refname, columns, alias_text) = apply_alias("", inner.columns, Some(alias))?;
            let lat = if *lateral { "LATERAL " } else { "" };
            Ok((format!("{lat}({}){alias_text}", inner.text), vec![RelScope::new(&refname, vec![vec![refname.clone()]], columns, None)]))
        }
        TableFactor::NestedJoin { table_with_joins, alias: None } => table_with_joins_inner(a, table_with_joins, base),
        _ => Err(()),
    }
}

fn table_with_joins_inner(a: &Analyzer<'_, '_>, twj: &TableWithJoins, base: &Scope<'_>) -> Result<(String, Vec<RelScope>), Failed> {
    table_with_joins(a, twj, base)
}

/// An alias (with column aliases) over a relation's columns: the name its
/// columns are qualified with, the renamed columns, and how it is printed.
/// The columns of a relation read in FROM; one not known is noted.
fn columns_of(a: &Analyzer<'_, '_>, q: &QName) -> Result<Columns, Failed> {
    a.env.relation_columns(q).ok_or_else(|| a.note_unknown_relation(q))
}

fn apply_alias(name: &str, mut columns: Columns, alias: Option<&ast::TableAlias>) -> Result<Aliased, Failed> {
    let Some(alias) = alias else { return Ok((name.to_string(), columns, String::new())) };
    let refname = fold(&alias.name);
    let col_aliases: Vec<String> = alias.columns.iter().map(|c| fold(&c.name)).collect();
    if col_aliases.len() > columns.len() {
        return Err(());
    }
    for (c, n) in columns.iter_mut().zip(&col_aliases) {
        c.0 = n.clone();
    }
    let mut text = if refname == name { String::new() } else { format!(" {}", quote_ident(&refname)) };
    if !col_aliases.is_empty() {
        if text.is_empty() {
            text = format!(" {}", quote_ident(&refname));
        }
        text.push_str(&format!("({})", col_aliases.iter().map(|n| quote_ident(n)).collect::<Vec<_>>().join(", ")));
    }
    Ok((refname, columns, text))
}

/// `FigureColname`: the name PostgreSQL gives an output column written
/// without `AS`.
fn figure_colname(e: &Expr) -> String {
    let from_expr = match peel(e) {
        Expr::Identifier(id) => Some(fold(id)),
        Expr::CompoundIdentifier(parts) => parts.last().map(fold),
        Expr::Function(f) => f.name.0.last().map(part),
        Expr::Cast { expr, data_type, .. } => {
            let inner = figure_colname(expr);
            if inner == "?column?" {
                Some(type_colname(data_type))
            } else {
                Some(inner)
            }
        }
        Expr::TypedString(ts) => Some(type_colname(&ts.data_type)),
        Expr::Case { .. } => Some("case".into()),
        Expr::Array(_) => Some("array".into()),
        Expr::Exists { negated: false, .. } => Some("exists".into()),
        Expr::Extract { .. } => Some("extract".into()),
        Expr::Position { .. } => Some("position".into()),
        Expr::Substring { .. } => Some("substring".into()),
        Expr::Trim { .. } => Some("btrim".into()),
        Expr::Overlay { .. } => Some("overlay".into()),
        Expr::Ceil { .. } => Some("ceil".into()),
        Expr::Floor { .. } => Some("floor".into()),
        Expr::Interval(_) => Some("interval".into()),
        Expr::Subquery(_) => None,
        Expr::CompoundFieldAccess { root, access_chain } => match access_chain.last() {
            Some(ast::AccessExpr::Dot(Expr::Identifier(id))) => Some(fold(id)),
            _ => Some(figure_colname(root)),
        },
        _ => None,
    };
    from_expr.unwrap_or_else(|| "?column?".to_string())
}

/// The name of a column made by a cast to `dt` of something unnamed: the
/// type's name (`'x'::varchar` is named `varchar`).
fn type_colname(dt: &ast::DataType) -> String {
    let text = super::types::canonical_type_name(dt);
    let base = text.split('(').next().unwrap_or(&text).trim_end_matches("[]").trim().to_string();
    match base.as_str() {
        "character varying" => "varchar".into(),
        "integer" => "int4".into(),
        "smallint" => "int2".into(),
        "bigint" => "int8".into(),
        "boolean" => "bool".into(),
        "character" => "bpchar".into(),
        "double precision" => "float8".into(),
        "real" => "float4".into(),
        "timestamp without time zone" => "timestamp".into(),
        "timestamp with time zone" => "timestamptz".into(),
        "time without time zone" => "time".into(),
        "time with time zone" => "timetz".into(),
        "bit varying" => "varbit".into(),
        other => crate::model::name_parts_folded(other).pop().unwrap_or_default(),
    }
}

/// `OVER (…)` of a window function call, canonical.
pub fn window_text(a: &Analyzer<'_, '_>, w: &ast::WindowType, scope: &Scope<'_>) -> Result<String, Failed> {
    match w {
        ast::WindowType::NamedWindow(name) => Ok(quote_ident(&fold(name))),
        ast::WindowType::WindowSpec(spec) => {
            if spec.window_name.is_some() {
                return Err(());
            }
            let p = Deparser { env: a.env };
            let mut parts = Vec::new();
            if !spec.partition_by.is_empty() {
                let items: Vec<String> = spec.partition_by.iter().map(|e| p.print(&a.expr(e, scope), true)).collect();
                parts.push(format!("PARTITION BY {}", items.join(", ")));
            }
            if !spec.order_by.is_empty() {
                let items: Vec<String> = spec
                    .order_by
                    .iter()
                    .map(|o| format!("{}{}", p.print(&a.expr(&o.expr, scope), true), deparse::sort_suffix(&o.options)))
                    .collect();
                parts.push(format!("ORDER BY {}", items.join(", ")));
            }
            if let Some(frame) = &spec.window_frame {
                let units = match frame.units {
                    ast::WindowFrameUnits::Rows => "ROWS",
                    ast::WindowFrameUnits::Range => "RANGE",
                    ast::WindowFrameUnits::Groups => "GROUPS",
                };
                let bound = |b: &ast::WindowFrameBound| -> Result<String, Failed> {
                    Ok(match b {
                        ast::WindowFrameBound::CurrentRow => "CURRENT ROW".into(),
                        ast::WindowFrameBound::Preceding(None) => "UNBOUNDED PRECEDING".into(),
                        ast::WindowFrameBound::Following(None) => "UNBOUNDED FOLLOWING".into(),
                        ast::WindowFrameBound::Preceding(Some(e)) => format!("{} PRECEDING", p.print(&a.expr(e, scope), false)),
                        ast::WindowFrameBound::Following(Some(e)) => format!("{} FOLLOWING", p.print(&a.expr(e, scope), false)),
                    })
                };
                match &frame.end_bound {
                    Some(end) => parts.push(format!("{units} BETWEEN {} AND {}", bound(&frame.start_bound)?, bound(end)?)),
                    None => parts.push(format!("{units} {}", bound(&frame.start_bound)?)),
                }
            }
            Ok(format!("({})", parts.join(" ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_of_unnamed_casts() {
        let dt = |s: &str| {
            sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {}).try_with_sql(s).unwrap().parse_data_type().unwrap()
        };
        assert_eq!(type_colname(&dt("varchar(10)")), "varchar");
        assert_eq!(type_colname(&dt("int")), "int4");
        assert_eq!(type_colname(&dt("text[]")), "text");
    }
}
