//! Query rewriting (view definitions).
//!
//! pg_dump prints a view's query from its parse tree: tables qualified by
//! schema, joins wrapped in parentheses, every column qualified by its
//! table, every unnamed output column given the name PostgreSQL chose for it
//! (`count(*) AS count`). The rewrite undoes exactly those additions.

use super::{Canon, canonical_ident, fold_ident};
use sqlparser::ast::{
    Cte, Distinct, Expr, GroupByExpr, Join, JoinConstraint, JoinOperator, LimitClause, NamedWindowDefinition,
    NamedWindowExpr, ObjectNamePart, Offset, OrderBy, OrderByKind, Query, Select, SelectItem, SetExpr, SetQuantifier,
    TableAlias, TableFactor, TableWithJoins, Values, With,
};

impl Canon<'_> {
    pub(super) fn query(&self, query: &Query) -> Query {
        // A subquery starts a new scope: the outer FROM's qualifier must not
        // be dropped inside it (there it may be a correlated reference).
        let outer = Canon { ctx: self.ctx, strip_qualifiers: Vec::new() };
        let with = query.with.as_ref().map(|w| With {
            with_token: w.with_token.clone(),
            recursive: w.recursive,
            cte_tables: w
                .cte_tables
                .iter()
                .map(|cte| Cte {
                    alias: outer.table_alias(&cte.alias),
                    query: Box::new(outer.query(&cte.query)),
                    from: cte.from.clone(),
                    materialized: cte.materialized,
                    closing_paren_token: cte.closing_paren_token.clone(),
                })
                .collect(),
        });
        let (body, scope) = outer.set_expr(&query.body, true);
        // ORDER BY of a plain SELECT sees that SELECT's FROM clause.
        let order_scope = scope.unwrap_or_else(|| outer.clone());
        let order_by = query.order_by.as_ref().map(|o| OrderBy {
            kind: match &o.kind {
                OrderByKind::Expressions(list) => {
                    OrderByKind::Expressions(list.iter().map(|e| order_scope.order_by_expr(e)).collect())
                }
                other => other.clone(),
            },
            interpolate: o.interpolate.clone(),
        });
        let limit_clause = query.limit_clause.as_ref().map(|l| match l {
            LimitClause::LimitOffset { limit, offset, limit_by } => LimitClause::LimitOffset {
                limit: limit.as_ref().map(|e| outer.expr(e)),
                offset: offset.as_ref().map(|o| Offset { value: outer.expr(&o.value), rows: o.rows }),
                limit_by: limit_by.iter().map(|e| outer.expr(e)).collect(),
            },
            LimitClause::OffsetCommaLimit { offset, limit } => {
                LimitClause::OffsetCommaLimit { offset: outer.expr(offset), limit: outer.expr(limit) }
            }
        });
        Query { with, body: Box::new(body), order_by, limit_clause, ..query.clone() }
    }

    /// The rewritten set expression and, for a plain SELECT, the scope its
    /// expressions were rewritten in. `first`: the leftmost branch of a set
    /// operation, the only one whose column names count.
    fn set_expr(&self, body: &SetExpr, first: bool) -> (SetExpr, Option<Canon<'_>>) {
        match body {
            SetExpr::Select(select) => {
                let (select, scope) = self.select(select, first);
                (SetExpr::Select(Box::new(select)), Some(scope))
            }
            SetExpr::Query(query) => (SetExpr::Query(Box::new(self.query(query))), None),
            SetExpr::SetOperation { left, op, set_quantifier, right } => {
                let (left, _) = self.set_expr(left, first);
                let (right, _) = self.set_expr(right, false);
                let set_quantifier = match set_quantifier {
                    // DISTINCT is the default.
                    SetQuantifier::Distinct => SetQuantifier::None,
                    other => *other,
                };
                (SetExpr::SetOperation { left: Box::new(left), op: *op, set_quantifier, right: Box::new(right) }, None)
            }
            SetExpr::Values(values) => (
                SetExpr::Values(Values {
                    explicit_row: values.explicit_row,
                    value_keyword: values.value_keyword,
                    rows: values
                        .rows
                        .iter()
                        .map(|row| {
                            let mut row = row.clone();
                            row.content = row.content.iter().map(|e| self.expr(e)).collect();
                            row
                        })
                        .collect(),
                }),
                None,
            ),
            SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_) | SetExpr::Table(_) => {
                (body.clone(), None)
            }
        }
    }

    fn select(&self, select: &Select, first: bool) -> (Select, Canon<'_>) {
        let from: Vec<TableWithJoins> = select.from.iter().map(|t| self.table_with_joins(t)).collect();
        let scope = Canon { ctx: self.ctx, strip_qualifiers: single_item_qualifiers(&from, self.ctx.default_schema) };
        let projection = select
            .projection
            .iter()
            .map(|item| match item {
                SelectItem::UnnamedExpr(e) => SelectItem::UnnamedExpr(scope.root_expr(e)),
                SelectItem::ExprWithAlias { expr, alias } => {
                    let expr = scope.root_expr(expr);
                    let alias = canonical_ident(alias);
                    // Only the leftmost branch of UNION names the columns;
                    // PostgreSQL prints the others with the leftmost names.
                    let implied = figure_colname(&expr).is_none_or(|name| name == alias.value)
                        && (figure_colname(&expr).is_some() || alias.value == "?column?");
                    if !first || implied {
                        SelectItem::UnnamedExpr(expr)
                    } else {
                        SelectItem::ExprWithAlias { expr, alias }
                    }
                }
                other => other.clone(),
            })
            .collect();
        let group_by = match &select.group_by {
            GroupByExpr::Expressions(list, modifiers) => {
                GroupByExpr::Expressions(list.iter().map(|e| scope.expr(e)).collect(), modifiers.clone())
            }
            other => other.clone(),
        };
        let distinct = match &select.distinct {
            // ALL is the default.
            Some(Distinct::All) => None,
            Some(Distinct::On(list)) => Some(Distinct::On(list.iter().map(|e| scope.expr(e)).collect())),
            other => other.clone(),
        };
        let named_window = select
            .named_window
            .iter()
            .map(|NamedWindowDefinition(name, window)| {
                let window = match window {
                    NamedWindowExpr::WindowSpec(spec) => NamedWindowExpr::WindowSpec(scope.window_spec(spec)),
                    NamedWindowExpr::NamedWindow(n) => NamedWindowExpr::NamedWindow(canonical_ident(n)),
                };
                NamedWindowDefinition(canonical_ident(name), window)
            })
            .collect();
        let select = Select {
            distinct,
            projection,
            from,
            selection: select.selection.as_ref().map(|e| scope.expr(e)),
            group_by,
            having: select.having.as_ref().map(|e| scope.expr(e)),
            named_window,
            ..select.clone()
        };
        (select, scope)
    }

    /// Unwraps left-nested joins (`(a JOIN b ON …) JOIN c ON …` is
    /// `a JOIN b ON … JOIN c ON …`, which is how pg_dump parenthesizes every
    /// join chain); a join nested on the right changes meaning for outer
    /// joins and stays.
    fn table_with_joins(&self, twj: &TableWithJoins) -> TableWithJoins {
        let mut relation = twj.relation.clone();
        let mut joins = twj.joins.clone();
        while let TableFactor::NestedJoin { table_with_joins, alias: None } = relation {
            let inner = *table_with_joins;
            joins = inner.joins.into_iter().chain(joins).collect();
            relation = inner.relation;
        }
        TableWithJoins {
            relation: self.table_factor(&relation),
            joins: joins
                .iter()
                .map(|j| Join {
                    relation: self.table_factor(&j.relation),
                    global: j.global,
                    join_operator: self.join_operator(&j.join_operator),
                })
                .collect(),
        }
    }

    fn table_factor(&self, factor: &TableFactor) -> TableFactor {
        match factor {
            TableFactor::Table { name, alias, args: None, .. } => {
                let mut factor = factor.clone();
                if let TableFactor::Table { name: n, alias: a, .. } = &mut factor {
                    *n = self.object_name(name);
                    *a = alias.as_ref().map(|al| self.table_alias(al));
                }
                factor
            }
            TableFactor::Derived { lateral, subquery, alias, sample } => TableFactor::Derived {
                lateral: *lateral,
                subquery: Box::new(self.query(subquery)),
                alias: alias.as_ref().map(|a| self.table_alias(a)),
                sample: sample.clone(),
            },
            TableFactor::NestedJoin { table_with_joins, alias } => TableFactor::NestedJoin {
                table_with_joins: Box::new(self.table_with_joins(table_with_joins)),
                alias: alias.as_ref().map(|a| self.table_alias(a)),
            },
            other => other.clone(),
        }
    }

    fn table_alias(&self, alias: &TableAlias) -> TableAlias {
        let mut alias = alias.clone();
        alias.name = canonical_ident(&alias.name);
        // `users AS u` and `users u` are the same; PostgreSQL prints the latter.
        alias.explicit = false;
        alias
    }

    /// `INNER JOIN` is `JOIN`, `LEFT OUTER JOIN` is `LEFT JOIN`: PostgreSQL
    /// prints the short forms.
    fn join_operator(&self, op: &JoinOperator) -> JoinOperator {
        let constraint = |c: &JoinConstraint| match c {
            JoinConstraint::On(e) => JoinConstraint::On(self.expr(e)),
            other => other.clone(),
        };
        match op {
            JoinOperator::Join(c) | JoinOperator::Inner(c) => JoinOperator::Join(constraint(c)),
            JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => JoinOperator::Left(constraint(c)),
            JoinOperator::Right(c) | JoinOperator::RightOuter(c) => JoinOperator::Right(constraint(c)),
            JoinOperator::FullOuter(c) => JoinOperator::FullOuter(constraint(c)),
            JoinOperator::CrossJoin(c) => JoinOperator::CrossJoin(constraint(c)),
            other => other.clone(),
        }
    }
}

/// When the FROM clause has exactly one item, its columns need no
/// qualifier: every spelling of that item's name (alias, or table name with
/// and without schema). PostgreSQL qualifies them all the same in its
/// output; a hand-written view usually does not.
///
/// Deviation from "keep alias qualifiers": with a single FROM item an alias
/// qualifier is as redundant as a table name, and dropping it makes
/// `SELECT id FROM users u` equal to PostgreSQL's `SELECT u.id FROM users u`.
fn single_item_qualifiers(from: &[TableWithJoins], default_schema: &str) -> Vec<Vec<String>> {
    let [only] = from else { return Vec::new() };
    if !only.joins.is_empty() {
        return Vec::new();
    }
    match &only.relation {
        TableFactor::Table { alias: Some(alias), .. } | TableFactor::Derived { alias: Some(alias), .. } => {
            vec![vec![alias.name.value.clone()]]
        }
        TableFactor::Table { name, alias: None, args: None, .. } => {
            let parts: Vec<String> = name
                .0
                .iter()
                .map(|p| match p {
                    ObjectNamePart::Identifier(ident) => fold_ident(ident),
                    other => other.to_string(),
                })
                .collect();
            let mut forms = vec![parts.clone()];
            if let Some(last) = parts.last()
                && parts.len() > 1
            {
                forms.push(vec![last.clone()]);
            }
            if parts.len() == 1 {
                forms.push(vec![default_schema.to_string(), parts[0].clone()]);
            }
            forms
        }
        _ => Vec::new(),
    }
}

/// The name PostgreSQL gives an output column written without `AS`
/// (FigureColname in its parser), where it is knowable without the catalog.
fn figure_colname(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Identifier(ident) => Some(ident.value.clone()),
        Expr::CompoundIdentifier(parts) => parts.last().map(|p| p.value.clone()),
        Expr::Function(f) => match f.name.0.last()? {
            ObjectNamePart::Identifier(ident) => Some(ident.value.to_ascii_lowercase()),
            ObjectNamePart::Function(_) => None,
        },
        Expr::Cast { expr, .. } => figure_colname(expr),
        Expr::Nested(inner) => figure_colname(inner),
        Expr::CompoundFieldAccess { root, .. } => figure_colname(root),
        Expr::Case { .. } => Some("case".to_string()),
        Expr::Array(_) => Some("array".to_string()),
        Expr::Exists { negated: false, .. } => Some("exists".to_string()),
        Expr::Extract { .. } => Some("extract".to_string()),
        Expr::Position { .. } => Some("position".to_string()),
        Expr::Substring { .. } => Some("substring".to_string()),
        Expr::Ceil { .. } => Some("ceil".to_string()),
        Expr::Floor { .. } => Some("floor".to_string()),
        _ => None,
    }
}
