//! Expression rewriting.
//!
//! # Casts on literals
//!
//! PostgreSQL makes every coercion explicit when it stores an expression:
//! `total > 0` on a numeric column comes back as `total > (0)::numeric`,
//! `DEFAULT 'x'` as `'x'::text`. Dropping *every* cast on a literal would
//! make those equal but would also produce invalid or different SQL:
//! `now() - '1 day'::interval` without its cast reads `'1 day'` as a
//! timestamp (an error), and `date_trunc('day', '2020-01-01'::timestamp)`
//! becomes ambiguous. So a cast on a literal is dropped only where an
//! unadorned literal gets the same type again:
//!
//! * always for text-like types without a length (`text`, `character
//!   varying`, `bpchar`): an unknown literal resolves to text anyway;
//! * always for numeric types on number literals (`(0)::numeric` → `0`),
//!   because PostgreSQL coerces numbers implicitly, except a fractional
//!   number cast to an integer type (that rounds) and arithmetic between two
//!   constants (`2::numeric / 3` is not `2 / 3`);
//! * for any type when the literal is compared with something that is not a
//!   literal (`=`, `<>`, `<`, …, `IN`, `BETWEEN`, `IS DISTINCT FROM`), is a
//!   `CASE` result, `COALESCE`/`NULLIF`/`GREATEST`/`LEAST` or `ARRAY[…]`
//!   element next to a non-literal, or is a whole column default: PostgreSQL
//!   gives an unknown literal the type of the other side, which is exactly
//!   the cast it printed;
//! * for `jsonb`/`json` and array types beside `@>`, `<@` and `&&`, whose
//!   operands must have one type.
//!
//! Lossy: a literal compared with an expression of another type that has an
//! explicit cross-type operator (`int_col = '1'::bigint`) loses its cast;
//! PostgreSQL then resolves the operator on the column's type instead. Casts
//! with a length or precision are always kept (they truncate or round).

use super::literal::{is_fractional, negate, normalize_number, regclass_name};
use super::types::canonical_type;
use super::{Canon, canonical_ident, fold_ident, name_ident};
use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{
    AccessExpr, Array, BinaryOperator, CaseWhen, CastKind, DataType, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArgumentClause, FunctionArgumentList, FunctionArguments, Ident, ObjectName, ObjectNamePart, OrderByExpr,
    OrderBySort, Subscript, TrimWhereField, UnaryOperator, Value, ValueWithSpan, WindowSpec, WindowType,
};
use sqlparser::tokenizer::Span;

impl Canon<'_> {
    /// The canonical form of `expr`.
    pub(super) fn expr(&self, expr: &Expr) -> Expr {
        self.expr_k(expr, false)
    }

    /// The whole expression of a CHECK, index column, generated column or
    /// select item. PostgreSQL adds implicit casts only to operands, never at
    /// the root (a generated `text` column over a varchar is stored as plain
    /// `v`), so a text-like cast on a column at the root was written by the
    /// user and changes the result's type (`SELECT id::text`, an index on
    /// `(name::text)`): it is kept.
    pub(super) fn root_expr(&self, expr: &Expr) -> Expr {
        if let Expr::Cast { kind: CastKind::Cast | CastKind::DoubleColon, expr: inner, data_type, format: None } =
            peel(expr)
            && matches!(peel(inner), Expr::Identifier(_) | Expr::CompoundIdentifier(_))
        {
            let type_name = canonical_type(data_type, self.ctx.default_schema);
            if is_text_like(&type_name) {
                return Expr::Cast {
                    kind: CastKind::DoubleColon,
                    expr: Box::new(self.expr(inner)),
                    data_type: type_named(type_name),
                    format: None,
                };
            }
        }
        self.expr(expr)
    }

    /// A column default: constant defaults get their type from the column.
    ///
    /// Integer constants are written as strings. PostgreSQL prints
    /// `DEFAULT '0'` on an integer column as `0` and `DEFAULT -1` as
    /// `'-1'::integer`, so one of the two spellings has to give way. The
    /// brief suggested numbers (`'0'` → `0`), but `DEFAULT 0` is an error on
    /// a jsonb or bit column where `DEFAULT '0'` is fine: an untyped string
    /// goes through the column type's input routine, which accepts an
    /// integer's text for every type that accepts the integer (numbers,
    /// text, json, boolean `'0'`/`'1'`, money, bit). So the string wins.
    /// Fractional numbers stay numbers: `'1.5'` is an error on an integer
    /// column where `1.5` is rounded.
    pub(super) fn default_expr(&self, expr: &Expr) -> Expr {
        match strip_typed(self.expr(expr)) {
            Expr::Value(ValueWithSpan { value: Value::Number(n, _), .. }) if !is_fractional(&n) => string(n),
            other => other,
        }
    }

    /// `keep_casts`: this expression is an operand of arithmetic between
    /// two constants, where a numeric cast on a number changes the result.
    fn expr_k(&self, expr: &Expr, keep_casts: bool) -> Expr {
        match expr {
            Expr::Identifier(ident) => self.identifier(ident),
            Expr::CompoundIdentifier(parts) => self.compound_identifier(parts),
            Expr::CompoundFieldAccess { root, access_chain } => Expr::CompoundFieldAccess {
                root: Box::new(tight_operand(self.expr(root))),
                access_chain: access_chain.iter().map(|a| self.access(a)).collect(),
            },
            Expr::IsFalse(e) => Expr::IsFalse(self.operand(e)),
            Expr::IsNotFalse(e) => Expr::IsNotFalse(self.operand(e)),
            Expr::IsTrue(e) => Expr::IsTrue(self.operand(e)),
            Expr::IsNotTrue(e) => Expr::IsNotTrue(self.operand(e)),
            Expr::IsNull(e) => Expr::IsNull(self.operand(e)),
            Expr::IsNotNull(e) => Expr::IsNotNull(self.operand(e)),
            Expr::IsUnknown(e) => Expr::IsUnknown(self.operand(e)),
            Expr::IsNotUnknown(e) => Expr::IsNotUnknown(self.operand(e)),
            Expr::IsDistinctFrom(a, b) => {
                let (a, b) = typed_pair(self.expr(a), self.expr(b));
                Expr::IsDistinctFrom(Box::new(wrap(a)), Box::new(wrap(b)))
            }
            // PostgreSQL has no node for IS NOT DISTINCT FROM: it stores and
            // prints `NOT (a IS DISTINCT FROM b)`.
            Expr::IsNotDistinctFrom(a, b) => {
                let (a, b) = typed_pair(self.expr(a), self.expr(b));
                Expr::UnaryOp {
                    op: UnaryOperator::Not,
                    expr: Box::new(wrap(Expr::IsDistinctFrom(Box::new(wrap(a)), Box::new(wrap(b))))),
                }
            }
            Expr::IsJson { expr, kind, unique_keys, negated } => {
                Expr::IsJson { expr: self.operand(expr), kind: *kind, unique_keys: *unique_keys, negated: *negated }
            }
            Expr::IsNormalized { expr, form, negated } => {
                Expr::IsNormalized { expr: self.operand(expr), form: *form, negated: *negated }
            }
            Expr::InList { expr, list, negated } => {
                in_list(self.expr(expr), list.iter().map(|e| self.expr(e)).collect(), *negated)
            }
            Expr::InSubquery { expr, subquery, negated } => Expr::InSubquery {
                expr: self.operand(expr),
                subquery: Box::new(self.query(subquery)),
                negated: *negated,
            },
            // BETWEEN is sugar: PostgreSQL stores and prints the two comparisons.
            Expr::Between { expr, negated, low, high } => {
                let (x, low, high) = (self.expr(expr), self.expr(low), self.expr(high));
                if *negated {
                    bool_chain(
                        BinaryOperator::Or,
                        vec![compare(x.clone(), BinaryOperator::Lt, low), compare(x, BinaryOperator::Gt, high)],
                    )
                } else {
                    bool_chain(
                        BinaryOperator::And,
                        vec![compare(x.clone(), BinaryOperator::GtEq, low), compare(x, BinaryOperator::LtEq, high)],
                    )
                }
            }
            Expr::BinaryOp { left, op, right } => self.binary_op(left, op, right),
            Expr::Like { negated, any: false, expr, pattern, escape_char } => {
                like(false, *negated, self.expr(expr), self.expr(pattern), escape_char.as_ref().map(|e| self.expr(e)))
            }
            Expr::ILike { negated, any: false, expr, pattern, escape_char } => {
                like(true, *negated, self.expr(expr), self.expr(pattern), escape_char.as_ref().map(|e| self.expr(e)))
            }
            Expr::SimilarTo { negated, expr, pattern, escape_char } => Expr::SimilarTo {
                negated: *negated,
                expr: self.operand(expr),
                pattern: self.operand(pattern),
                escape_char: escape_char.as_ref().map(|e| self.operand(e)),
            },
            Expr::AnyOp { left, compare_op, right, is_some: _ } => {
                let (left, right) = (self.expr(left), self.expr(right));
                match (compare_op, right) {
                    (BinaryOperator::Eq, Expr::Array(array)) if !array.elem.is_empty() => {
                        in_list(left, array.elem, false)
                    }
                    (_, right) => Expr::AnyOp {
                        // `x = ANY ('{1,2}')`: the array literal takes the
                        // array type of x, which is the cast PostgreSQL prints.
                        right: Box::new(if is_literal(&left) { right } else { strip_typed(right) }),
                        left: Box::new(wrap(left)),
                        compare_op: compare_op.clone(),
                        // SOME is a synonym of ANY.
                        is_some: false,
                    },
                }
            }
            Expr::AllOp { left, compare_op, right } => {
                let (left, right) = (self.expr(left), self.expr(right));
                match (compare_op, right) {
                    (BinaryOperator::NotEq, Expr::Array(array)) if !array.elem.is_empty() => {
                        in_list(left, array.elem, true)
                    }
                    (_, right) => Expr::AllOp {
                        right: Box::new(if is_literal(&left) { right } else { strip_typed(right) }),
                        left: Box::new(wrap(left)),
                        compare_op: compare_op.clone(),
                    },
                }
            }
            Expr::UnaryOp { op, expr } => self.unary_op(op, expr, keep_casts),
            Expr::Cast { kind, expr: inner, data_type, format } => match kind {
                CastKind::Cast | CastKind::DoubleColon if format.is_none() => {
                    let inner = self.expr_k(inner, keep_casts);
                    self.cast(inner, canonical_type(data_type, self.ctx.default_schema), keep_casts)
                }
                _ => Expr::Cast {
                    kind: kind.clone(),
                    expr: Box::new(self.expr(inner)),
                    data_type: data_type.clone(),
                    format: format.clone(),
                },
            },
            Expr::AtTimeZone { timestamp, time_zone } => {
                Expr::AtTimeZone { timestamp: self.operand(timestamp), time_zone: self.operand(time_zone) }
            }
            Expr::Extract { field, syntax, expr } => {
                Expr::Extract { field: field.clone(), syntax: syntax.clone(), expr: Box::new(self.expr(expr)) }
            }
            Expr::Ceil { expr, field } => Expr::Ceil { expr: Box::new(self.expr(expr)), field: field.clone() },
            Expr::Floor { expr, field } => Expr::Floor { expr: Box::new(self.expr(expr)), field: field.clone() },
            Expr::Position { expr, r#in } => Expr::Position { expr: self.operand(expr), r#in: self.operand(r#in) },
            // `substring(a, b, c)` and `SUBSTRING(a FROM b FOR c)` call the
            // same function; the keyword form is the canonical one.
            Expr::Substring { expr, substring_from, substring_for, .. } => Expr::Substring {
                expr: Box::new(self.expr(expr)),
                substring_from: substring_from.as_ref().map(|e| Box::new(self.expr(e))),
                substring_for: substring_for.as_ref().map(|e| Box::new(self.expr(e))),
                special: false,
                shorthand: false,
            },
            // BOTH is the default; PostgreSQL prints `TRIM(BOTH FROM x)`,
            // which sqlparser cannot read back, so the canonical form leaves
            // it out.
            Expr::Trim { trim_where, trim_what, expr, trim_characters } => Expr::Trim {
                trim_where: (*trim_where).filter(|w| *w != TrimWhereField::Both),
                trim_what: trim_what.as_ref().map(|e| Box::new(self.expr(e))),
                expr: Box::new(self.expr(expr)),
                trim_characters: trim_characters.as_ref().map(|list| list.iter().map(|e| self.expr(e)).collect()),
            },
            Expr::Overlay { expr, overlay_what, overlay_from, overlay_for } => Expr::Overlay {
                expr: Box::new(self.expr(expr)),
                overlay_what: Box::new(self.expr(overlay_what)),
                overlay_from: Box::new(self.expr(overlay_from)),
                overlay_for: overlay_for.as_ref().map(|e| Box::new(self.expr(e))),
            },
            // sqlparser 0.63 cannot read `x::text COLLATE "C"`, so a cast
            // (and anything but a name, literal or call) is parenthesized.
            Expr::Collate { expr, collation } => {
                let inner = match self.expr(expr) {
                    e @ (Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Value(_) | Expr::Function(_)) => e,
                    e => Expr::Nested(Box::new(e)),
                };
                Expr::Collate { expr: Box::new(inner), collation: self.object_name(collation) }
            }
            // Parentheses are re-added where the structure needs them.
            Expr::Nested(inner) => self.expr_k(inner, keep_casts),
            Expr::Value(v) => literal_value(&v.value),
            Expr::TypedString(typed) => {
                let inner = literal_value(&typed.value.value);
                self.cast(inner, canonical_type(&typed.data_type, self.ctx.default_schema), keep_casts)
            }
            Expr::Function(function) => self.function(function),
            Expr::Case { operand, conditions, else_result, .. } => self.case(operand, conditions, else_result),
            Expr::Exists { subquery, negated } => {
                Expr::Exists { subquery: Box::new(self.query(subquery)), negated: *negated }
            }
            Expr::Subquery(query) => Expr::Subquery(Box::new(self.query(query))),
            Expr::GroupingSets(sets) => Expr::GroupingSets(self.expr_lists(sets)),
            Expr::Cube(sets) => Expr::Cube(self.expr_lists(sets)),
            Expr::Rollup(sets) => Expr::Rollup(self.expr_lists(sets)),
            Expr::Tuple(items) => Expr::Tuple(items.iter().map(|e| self.expr(e)).collect()),
            Expr::Array(array) => {
                let elems = common_type(array.elem.iter().map(|e| self.expr(e)).collect());
                Expr::Array(Array { elem: elems, named: true })
            }
            // `INTERVAL '1 day'` is the typed literal `'1 day'::interval`,
            // which is how PostgreSQL prints it.
            Expr::Interval(interval)
                if interval.leading_field.is_none()
                    && interval.last_field.is_none()
                    && interval.leading_precision.is_none()
                    && interval.fractional_seconds_precision.is_none()
                    && matches!(literal(&interval.value), Some(Value::SingleQuotedString(_))) =>
            {
                let inner = self.expr(&interval.value);
                self.cast(inner, "interval".to_string(), keep_casts)
            }
            Expr::Interval(interval) => {
                let mut interval = interval.clone();
                interval.value = Box::new(self.expr(&interval.value));
                Expr::Interval(interval)
            }
            Expr::Wildcard(_) => expr.clone(),
            Expr::QualifiedWildcard(name, token) => Expr::QualifiedWildcard(self.object_name(name), token.clone()),
            // Syntax of other dialects (or PostgreSQL forms sqlparser reads
            // into another dialect's node): kept as written. Listed one by
            // one so that a new variant is a compile error, not a silent skip.
            Expr::JsonAccess { .. }
            | Expr::Like { any: true, .. }
            | Expr::ILike { any: true, .. }
            | Expr::RLike { .. }
            | Expr::InUnnest { .. }
            | Expr::Convert { .. }
            | Expr::Prefixed { .. }
            | Expr::Struct { .. }
            | Expr::Named { .. }
            | Expr::Dictionary(_)
            | Expr::Map(_)
            | Expr::MatchAgainst { .. }
            | Expr::OuterJoin(_)
            | Expr::Prior(_)
            | Expr::Lambda(_)
            | Expr::MemberOf(_) => expr.clone(),
        }
    }

    /// An operand of an operator: canonical, parenthesized when compound.
    fn operand(&self, expr: &Expr) -> Box<Expr> {
        Box::new(wrap(self.expr(expr)))
    }

    fn expr_lists(&self, lists: &[Vec<Expr>]) -> Vec<Vec<Expr>> {
        lists.iter().map(|list| list.iter().map(|e| self.expr(e)).collect()).collect()
    }

    fn identifier(&self, ident: &Ident) -> Expr {
        // SQL-standard value functions written without parentheses;
        // sqlparser reads some of them as plain identifiers.
        if ident.quote_style.is_none() && is_value_function(&ident.value.to_ascii_lowercase()) {
            return keyword_function(&ident.value);
        }
        Expr::Identifier(canonical_ident(ident))
    }

    fn compound_identifier(&self, parts: &[Ident]) -> Expr {
        let mut folded: Vec<String> = parts.iter().map(fold_ident).collect();
        if folded.len() >= 3 && folded[0] == self.ctx.default_schema {
            folded.remove(0);
        }
        if let Some((_, qualifier)) = folded.split_last()
            && self.strip_qualifiers.iter().any(|q| q.as_slice() == qualifier)
            && let Some(last) = folded.last()
        {
            return Expr::Identifier(name_ident(last));
        }
        Expr::CompoundIdentifier(folded.iter().map(|p| name_ident(p)).collect())
    }

    fn access(&self, access: &AccessExpr) -> AccessExpr {
        match access {
            AccessExpr::Dot(e) => AccessExpr::Dot(self.expr(e)),
            AccessExpr::Subscript(Subscript::Index { index }) => {
                AccessExpr::Subscript(Subscript::Index { index: self.expr(index) })
            }
            AccessExpr::Subscript(Subscript::Slice { lower_bound, upper_bound, stride }) => {
                AccessExpr::Subscript(Subscript::Slice {
                    lower_bound: lower_bound.as_ref().map(|e| self.expr(e)),
                    upper_bound: upper_bound.as_ref().map(|e| self.expr(e)),
                    stride: stride.as_ref().map(|e| self.expr(e)),
                })
            }
        }
    }

    /// Object names (functions, collations, types): folded, with
    /// `pg_catalog.` (always searched first) and the default schema dropped.
    pub(super) fn object_name(&self, name: &ObjectName) -> ObjectName {
        let mut parts: Vec<ObjectNamePart> = name
            .0
            .iter()
            .map(|part| match part {
                ObjectNamePart::Identifier(ident) => ObjectNamePart::Identifier(canonical_ident(ident)),
                ObjectNamePart::Function(_) => part.clone(),
            })
            .collect();
        if parts.len() == 2
            && let ObjectNamePart::Identifier(first) = &parts[0]
            && (first.value == "pg_catalog" || first.value == self.ctx.default_schema)
        {
            parts.remove(0);
        }
        ObjectName(parts)
    }

    fn binary_op(&self, left: &Expr, op: &BinaryOperator, right: &Expr) -> Expr {
        use BinaryOperator as B;
        if matches!(op, B::And | B::Or) {
            let mut terms = Vec::new();
            self.flatten(op, left, &mut terms);
            self.flatten(op, right, &mut terms);
            return bool_chain(op.clone(), terms);
        }
        // Arithmetic between two constants is the one place where a numeric
        // cast on a number changes the result (`2::numeric / 3`).
        let keep = is_arithmetic(op) && raw_constant(left) && raw_constant(right);
        let (l, r) = (self.expr_k(left, keep), self.expr_k(right, keep));
        match op {
            B::PGLikeMatch => like(false, false, l, r, None),
            B::PGNotLikeMatch => like(false, true, l, r, None),
            B::PGILikeMatch => like(true, false, l, r, None),
            B::PGNotILikeMatch => like(true, true, l, r, None),
            // PostgreSQL stores `x SIMILAR TO p` as `x ~ similar_to_escape(p)`.
            B::PGRegexMatch | B::PGRegexNotMatch if let Some((pattern, escape)) = similar_to_escape(&r) => {
                Expr::SimilarTo {
                    negated: *op == B::PGRegexNotMatch,
                    expr: Box::new(wrap(l)),
                    pattern: Box::new(wrap(pattern)),
                    escape_char: escape.map(|e| Box::new(wrap(e))),
                }
            }
            B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq => compare(l, op.clone(), r),
            // These operators take two operands of one type, so a json or
            // array literal's cast is decided by the other side.
            B::AtArrow | B::ArrowAt | B::PGOverlap => {
                let (l_lit, r_lit) = (is_literal(&l), is_literal(&r));
                let l = if r_lit { l } else { strip_cast_if(l, same_type_operand) };
                let r = if l_lit { r } else { strip_cast_if(r, same_type_operand) };
                binary(l, op.clone(), r)
            }
            _ => binary(l, op.clone(), r),
        }
    }

    fn flatten(&self, op: &BinaryOperator, expr: &Expr, terms: &mut Vec<Expr>) {
        match expr {
            Expr::Nested(inner) => self.flatten(op, inner, terms),
            Expr::BinaryOp { left, op: inner_op, right } if inner_op == op => {
                self.flatten(op, left, terms);
                self.flatten(op, right, terms);
            }
            _ => match self.expr(expr) {
                // A rewrite (BETWEEN, IN) may itself produce a chain.
                Expr::BinaryOp { left, op: inner_op, right } if inner_op == *op => {
                    collect_chain(op, *left, terms);
                    collect_chain(op, *right, terms);
                }
                other => terms.push(other),
            },
        }
    }

    fn unary_op(&self, op: &UnaryOperator, expr: &Expr, keep_casts: bool) -> Expr {
        let inner = self.expr_k(expr, keep_casts);
        if *op == UnaryOperator::Minus {
            // A negative constant is one literal (PostgreSQL prints it as
            // `'-1'::integer`); `-x::t` means `-(x::t)`, so the cast stays
            // outside.
            match inner {
                Expr::Value(ValueWithSpan { value: Value::Number(n, _), .. }) => return number(negate(&n)),
                Expr::Cast { kind, expr, data_type, format } if number_text(&expr).is_some() => {
                    let negated = number(negate(number_text(&expr).unwrap_or_default()));
                    return Expr::Cast { kind, expr: Box::new(tight_operand(negated)), data_type, format };
                }
                other => return Expr::UnaryOp { op: *op, expr: Box::new(wrap(other)) },
            }
        }
        Expr::UnaryOp { op: *op, expr: Box::new(wrap(inner)) }
    }

    /// `inner::type_name`, dropping the casts PostgreSQL adds on its own
    /// (see the module documentation).
    fn cast(&self, inner: Expr, type_name: String, keep_casts: bool) -> Expr {
        let mut inner = inner;
        let base = type_name.as_str();
        // PostgreSQL prints negative and exponent constants as strings:
        // `'-1'::integer`, `'1000'::numeric`.
        if is_numeric_type(base)
            && let Some(Value::SingleQuotedString(s)) = literal(&inner)
            && let Some(n) = normalize_number(s)
        {
            inner = number(n);
        }
        if base == "regclass"
            && let Some(Value::SingleQuotedString(s)) = literal(&inner)
            && let Some(name) = regclass_name(s, self.ctx.default_schema)
        {
            inner = string(name);
        }
        match literal(&inner) {
            Some(Value::SingleQuotedString(_) | Value::Null) if is_text_like(base) => return inner,
            Some(Value::Number(n, _))
                if is_numeric_type(base) && !keep_casts && !(is_integer_type(base) && is_fractional(n)) =>
            {
                return inner;
            }
            Some(Value::Boolean(_)) if base == "boolean" => return inner,
            _ => {}
        }
        // Lossy: PostgreSQL adds `::text` to operands of type character
        // varying (text operators and functions have no varchar version);
        // without the catalog the column's type is unknown, so an operand's
        // cast to text on an integer column (`score::text <> ''`) is dropped
        // too and the result is no longer valid for that column. Casts with
        // a length, and casts at the root (see `root_expr`), are kept.
        if is_text_like(base) && matches!(inner, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) {
            return inner;
        }
        // `(ARRAY['a'::character varying])::text[]`: the array of unknown
        // literals is text[] anyway. An empty ARRAY[] needs its cast.
        if matches!(base, "text[]" | "character varying[]") && matches!(&inner, Expr::Array(a) if !a.elem.is_empty()) {
            return inner;
        }
        Expr::Cast {
            kind: CastKind::DoubleColon,
            expr: Box::new(tight_operand(inner)),
            data_type: type_named(type_name),
            format: None,
        }
    }

    fn function(&self, function: &Function) -> Expr {
        let name = self.object_name(&function.name);
        let simple = match name.0.as_slice() {
            [ObjectNamePart::Identifier(ident)] => Some(ident.value.as_str()),
            _ => None,
        };
        // `CURRENT_TIMESTAMP`, `CURRENT_USER`, …: keywords, not calls.
        if matches!(function.args, FunctionArguments::None)
            && let Some(n) = simple
            && is_value_function(n)
        {
            return keyword_function(n);
        }
        let mut args: Vec<FunctionArg> = match &function.args {
            FunctionArguments::List(list) => list.args.iter().map(|a| self.function_arg(a)).collect(),
            _ => Vec::new(),
        };
        let plain_args: Option<Vec<Expr>> = args
            .iter()
            .map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
                _ => None,
            })
            .collect();
        let is_plain_call = matches!(&function.args, FunctionArguments::List(l)
            if l.duplicate_treatment.is_none() && l.clauses.is_empty())
            && function.filter.is_none()
            && function.over.is_none()
            && function.within_group.is_empty();
        if let (Some(n), Some(plain), true) = (simple, &plain_args, is_plain_call) {
            match (n, plain.as_slice()) {
                // `ROW(a, b)` is how PostgreSQL prints the row constructor
                // `(a, b)`; one element needs the keyword, so it stays.
                ("row", [_, _, ..]) => return Expr::Tuple(plain.clone()),
                ("substring", [e, from, rest @ ..]) if rest.len() <= 1 => {
                    return Expr::Substring {
                        expr: Box::new(e.clone()),
                        substring_from: Some(Box::new(from.clone())),
                        substring_for: rest.first().map(|f| Box::new(f.clone())),
                        special: false,
                        shorthand: false,
                    };
                }
                // The sequence functions take a regclass: `nextval('seq')`
                // and pg_dump's `nextval('public.seq'::regclass)` name the
                // same sequence.
                ("nextval" | "currval" | "setval", [first, ..]) => {
                    let first = match first {
                        Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(_), .. }) => {
                            self.cast(first.clone(), "regclass".to_string(), false)
                        }
                        other => other.clone(),
                    };
                    args[0] = FunctionArg::Unnamed(FunctionArgExpr::Expr(first));
                }
                // These resolve their arguments to one common type.
                ("coalesce" | "nullif" | "greatest" | "least", _) => {
                    args = common_type(plain.clone())
                        .into_iter()
                        .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
                        .collect();
                }
                _ => {}
            }
        }
        let args = match &function.args {
            FunctionArguments::None => FunctionArguments::None,
            FunctionArguments::Subquery(q) => FunctionArguments::Subquery(Box::new(self.query(q))),
            FunctionArguments::List(list) => FunctionArguments::List(FunctionArgumentList {
                // ALL is the default.
                duplicate_treatment: list.duplicate_treatment.filter(|d| *d != sqlparser::ast::DuplicateTreatment::All),
                args,
                clauses: list.clauses.iter().map(|c| self.arg_clause(c)).collect(),
            }),
        };
        Expr::Function(Function {
            name: function_name(name),
            uses_odbc_syntax: false,
            parameters: function.parameters.clone(),
            args,
            within_group: function.within_group.iter().map(|o| self.order_by_expr(o)).collect(),
            filter: function.filter.as_ref().map(|f| Box::new(self.expr(f))),
            null_treatment: function.null_treatment,
            over: function.over.as_ref().map(|w| match w {
                WindowType::WindowSpec(spec) => WindowType::WindowSpec(self.window_spec(spec)),
                WindowType::NamedWindow(name) => WindowType::NamedWindow(canonical_ident(name)),
            }),
        })
    }

    fn function_arg(&self, arg: &FunctionArg) -> FunctionArg {
        let arg_expr = |a: &FunctionArgExpr| match a {
            FunctionArgExpr::Expr(e) => FunctionArgExpr::Expr(self.expr(e)),
            FunctionArgExpr::QualifiedWildcard(name) => FunctionArgExpr::QualifiedWildcard(self.object_name(name)),
            other => other.clone(),
        };
        match arg {
            FunctionArg::Unnamed(a) => FunctionArg::Unnamed(arg_expr(a)),
            FunctionArg::Named { name, arg, operator } => {
                FunctionArg::Named { name: canonical_ident(name), arg: arg_expr(arg), operator: operator.clone() }
            }
            FunctionArg::ExprNamed { name, arg, operator } => {
                FunctionArg::ExprNamed { name: self.expr(name), arg: arg_expr(arg), operator: operator.clone() }
            }
        }
    }

    fn arg_clause(&self, clause: &FunctionArgumentClause) -> FunctionArgumentClause {
        match clause {
            FunctionArgumentClause::OrderBy(list) => {
                FunctionArgumentClause::OrderBy(list.iter().map(|o| self.order_by_expr(o)).collect())
            }
            other => other.clone(),
        }
    }

    pub(super) fn window_spec(&self, spec: &WindowSpec) -> WindowSpec {
        WindowSpec {
            window_name: spec.window_name.as_ref().map(canonical_ident),
            partition_by: spec.partition_by.iter().map(|e| self.expr(e)).collect(),
            order_by: spec.order_by.iter().map(|o| self.order_by_expr(o)).collect(),
            window_frame: spec.window_frame.clone(),
        }
    }

    /// `ORDER BY x ASC NULLS LAST` is `ORDER BY x`: both are the default,
    /// and PostgreSQL prints neither; `DESC NULLS FIRST` is `DESC`.
    pub(super) fn order_by_expr(&self, order: &OrderByExpr) -> OrderByExpr {
        let mut options = order.options.clone();
        let descending = matches!(options.sort, Some(OrderBySort::Desc));
        if matches!(options.sort, Some(OrderBySort::Asc)) {
            options.sort = None;
        }
        if options.nulls_first == Some(descending) && !matches!(options.sort, Some(OrderBySort::Using(_))) {
            options.nulls_first = None;
        }
        OrderByExpr { expr: self.expr(&order.expr), options, with_fill: order.with_fill.clone() }
    }

    fn case(&self, operand: &Option<Box<Expr>>, conditions: &[CaseWhen], else_result: &Option<Box<Expr>>) -> Expr {
        let operand = operand.as_ref().map(|o| self.expr(o));
        let mut whens: Vec<Expr> = conditions.iter().map(|c| self.expr(&c.condition)).collect();
        // `CASE x WHEN 'a' …` compares x with each value.
        if let Some(o) = &operand
            && !is_literal(o)
        {
            whens = whens.into_iter().map(strip_typed).collect();
        }
        // The results resolve to one common type, like COALESCE.
        let mut results: Vec<Expr> = conditions.iter().map(|c| self.expr(&c.result)).collect();
        results.extend(else_result.as_ref().map(|e| self.expr(e)));
        let mut results = common_type(results);
        let mut else_result = if else_result.is_some() { results.pop() } else { None };
        // PostgreSQL fills in a missing ELSE as `ELSE NULL::type`.
        if else_result.as_ref().is_some_and(|e| matches!(literal(strip_any_cast(e)), Some(Value::Null))) {
            else_result = None;
        }
        Expr::Case {
            case_token: AttachedToken::empty(),
            end_token: AttachedToken::empty(),
            operand: operand.map(Box::new),
            conditions: whens
                .into_iter()
                .zip(results)
                .map(|(condition, result)| CaseWhen { condition, result })
                .collect(),
            else_result: else_result.map(Box::new),
        }
    }
}

/// A comparison: a literal on one side takes the type of the other side.
fn compare(l: Expr, op: BinaryOperator, r: Expr) -> Expr {
    let (l, r) = typed_pair(l, r);
    binary(l, op, r)
}

fn typed_pair(l: Expr, r: Expr) -> (Expr, Expr) {
    let (l_lit, r_lit) = (is_literal(&l), is_literal(&r));
    (if r_lit { l } else { strip_typed(l) }, if l_lit { r } else { strip_typed(r) })
}

fn binary(l: Expr, op: BinaryOperator, r: Expr) -> Expr {
    Expr::BinaryOp { left: Box::new(wrap(l)), op, right: Box::new(wrap(r)) }
}

/// `a AND b AND c` as sqlparser reads it back: nested to the left, the left
/// chain unparenthesized, every other compound term parenthesized.
fn bool_chain(op: BinaryOperator, terms: Vec<Expr>) -> Expr {
    let mut flat = Vec::new();
    for term in terms {
        collect_chain(&op, term, &mut flat);
    }
    let mut iter = flat.into_iter();
    let Some(first) = iter.next() else {
        return value(Value::Boolean(op == BinaryOperator::And));
    };
    if iter.len() == 0 {
        return first;
    }
    iter.fold(wrap(first), |acc, term| Expr::BinaryOp {
        left: Box::new(acc),
        op: op.clone(),
        right: Box::new(wrap(term)),
    })
}

/// Collects the terms of an already canonical chain of `op`.
fn collect_chain(op: &BinaryOperator, expr: Expr, terms: &mut Vec<Expr>) {
    match expr {
        Expr::Nested(inner) => collect_chain(op, *inner, terms),
        Expr::BinaryOp { left, op: inner_op, right } if inner_op == *op => {
            collect_chain(op, *left, terms);
            collect_chain(op, *right, terms);
        }
        other => terms.push(other),
    }
}

/// `x IN (…)`, the way PostgreSQL's parser (transformAExprIn) stores it:
/// the elements without column references become one `= ANY (ARRAY[…])`
/// (printed here as `IN (…)`) when there are at least two of them, and every
/// remaining element becomes its own `x = e`, OR-ed (`NOT IN`: `<>`, AND-ed).
/// So `x IN ('a')` is `x = 'a'` and `x IN (1, y)` is `x = 1 OR x = y`, both
/// as PostgreSQL prints them. The order of the elements is kept: it is part
/// of what was written, and PostgreSQL keeps it too.
fn in_list(lhs: Expr, elems: Vec<Expr>, negated: bool) -> Expr {
    if elems.is_empty() {
        return Expr::InList { expr: Box::new(wrap(lhs)), list: elems, negated };
    }
    let elems = if is_literal(&lhs) { elems } else { elems.into_iter().map(strip_typed).collect() };
    let (vars, constants): (Vec<Expr>, Vec<Expr>) = elems.iter().cloned().partition(has_column_ref);
    let (mut terms, rest) = if constants.len() > 1 {
        (vec![Expr::InList { expr: Box::new(wrap(lhs.clone())), list: constants, negated }], vars)
    } else {
        (Vec::new(), elems)
    };
    let (cmp, join) =
        if negated { (BinaryOperator::NotEq, BinaryOperator::And) } else { (BinaryOperator::Eq, BinaryOperator::Or) };
    terms.extend(rest.into_iter().map(|e| compare(lhs.clone(), cmp.clone(), e)));
    bool_chain(join, terms)
}

/// LIKE and its operator spellings; PostgreSQL stores `LIKE p ESCAPE e` as
/// `~~ like_escape(p, e)`.
fn like(ilike: bool, negated: bool, expr: Expr, pattern: Expr, escape: Option<Expr>) -> Expr {
    let (pattern, escape) = match (&pattern, escape) {
        (Expr::Function(f), None) if function_is(f, "like_escape") => match plain_args(f).as_deref() {
            Some([p, e]) => (p.clone(), Some(e.clone())),
            _ => (pattern, None),
        },
        (_, escape) => (pattern, escape),
    };
    let (expr, pattern, escape_char) =
        (Box::new(wrap(expr)), Box::new(wrap(pattern)), escape.map(|e| Box::new(wrap(e))));
    if ilike {
        Expr::ILike { negated, any: false, expr, pattern, escape_char }
    } else {
        Expr::Like { negated, any: false, expr, pattern, escape_char }
    }
}

/// The pattern (and escape) of `similar_to_escape(p [, e])`.
fn similar_to_escape(expr: &Expr) -> Option<(Expr, Option<Expr>)> {
    match expr {
        Expr::Function(f) if function_is(f, "similar_to_escape") => match plain_args(f)?.as_slice() {
            [p] => Some((p.clone(), None)),
            [p, e] => Some((p.clone(), Some(e.clone()))),
            _ => None,
        },
        _ => None,
    }
}

fn function_is(f: &Function, name: &str) -> bool {
    matches!(f.name.0.as_slice(), [ObjectNamePart::Identifier(i)] if i.value == name)
}

fn plain_args(f: &Function) -> Option<Vec<Expr>> {
    match &f.args {
        FunctionArguments::List(list) => list
            .args
            .iter()
            .map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Values that resolve to one common type (CASE results, COALESCE, ARRAY
/// elements): when any of them is not a literal, the literals' casts are
/// decided by it.
fn common_type(items: Vec<Expr>) -> Vec<Expr> {
    if items.iter().all(is_literal) { items } else { items.into_iter().map(strip_typed).collect() }
}

/// Drops a cast on a literal whose type the context decides, unless the
/// cast has a length or precision (it would truncate or round) or rounds a
/// fraction to an integer.
fn strip_typed(expr: Expr) -> Expr {
    strip_cast_if(expr, |_| true)
}

fn strip_cast_if(expr: Expr, allowed: fn(&str) -> bool) -> Expr {
    match expr {
        Expr::Cast { expr: inner, data_type, kind, format } => {
            let type_name = data_type.to_string();
            let keeps_value = match literal(&inner) {
                Some(Value::Number(n, _)) => !(is_integer_type(&type_name) && is_fractional(n)),
                Some(_) => true,
                None => false,
            };
            if keeps_value && !type_name.contains('(') && allowed(&type_name) {
                untight(*inner)
            } else {
                Expr::Cast { expr: inner, data_type, kind, format }
            }
        }
        other => other,
    }
}

fn same_type_operand(type_name: &str) -> bool {
    matches!(type_name, "jsonb" | "json") || type_name.ends_with("[]")
}

/// A literal, possibly under casts: something whose type a context may
/// decide.
fn is_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Value(v) => !matches!(v.value, Value::Placeholder(_)),
        Expr::Cast { expr, .. } | Expr::Nested(expr) => is_literal(expr),
        _ => false,
    }
}

/// Before rewriting: a constant, seen through parentheses, casts and signs.
fn raw_constant(expr: &Expr) -> bool {
    match expr {
        Expr::Value(v) => !matches!(v.value, Value::Placeholder(_)),
        Expr::TypedString(_) => true,
        Expr::Cast { expr, .. } | Expr::Nested(expr) | Expr::UnaryOp { expr, .. } => raw_constant(expr),
        _ => false,
    }
}

fn is_arithmetic(op: &BinaryOperator) -> bool {
    use BinaryOperator as B;
    matches!(op, B::Plus | B::Minus | B::Multiply | B::Divide | B::Modulo | B::PGExp)
}

/// Whether an IN-list element refers to a column (PostgreSQL's
/// `contain_vars_of_level`); anything not understood counts as one, which
/// keeps it out of the array like PostgreSQL does for subqueries.
fn has_column_ref(expr: &Expr) -> bool {
    match expr {
        Expr::Value(_) | Expr::TypedString(_) => false,
        Expr::Cast { expr, .. } | Expr::Nested(expr) | Expr::UnaryOp { expr, .. } | Expr::Collate { expr, .. } => {
            has_column_ref(expr)
        }
        Expr::BinaryOp { left, right, .. } => has_column_ref(left) || has_column_ref(right),
        Expr::Function(f) => match &f.args {
            FunctionArguments::None => false,
            FunctionArguments::List(list) => list.args.iter().any(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
                | FunctionArg::Named { arg: FunctionArgExpr::Expr(e), .. } => has_column_ref(e),
                _ => true,
            }),
            FunctionArguments::Subquery(_) => true,
        },
        Expr::Array(a) => a.elem.iter().any(has_column_ref),
        Expr::Tuple(items) => items.iter().any(has_column_ref),
        _ => true,
    }
}

/// Compound expressions need parentheses as operands; everything that
/// delimits itself (names, literals, calls, casts, CASE … END, ARRAY[…],
/// subqueries) does not.
fn is_compound(expr: &Expr) -> bool {
    match expr {
        Expr::Identifier(_)
        | Expr::CompoundIdentifier(_)
        | Expr::CompoundFieldAccess { .. }
        | Expr::Value(_)
        | Expr::TypedString(_)
        | Expr::Function(_)
        | Expr::Cast { .. }
        | Expr::Nested(_)
        | Expr::Case { .. }
        | Expr::Subquery(_)
        | Expr::Array(_)
        | Expr::Tuple(_)
        | Expr::Extract { .. }
        | Expr::Ceil { .. }
        | Expr::Floor { .. }
        | Expr::Position { .. }
        | Expr::Substring { .. }
        | Expr::Trim { .. }
        | Expr::Overlay { .. }
        | Expr::Interval(_)
        | Expr::Wildcard(_)
        | Expr::QualifiedWildcard(..) => false,
        Expr::Exists { negated, .. } => *negated,
        _ => true,
    }
}

fn wrap(expr: Expr) -> Expr {
    if is_compound(&expr) { Expr::Nested(Box::new(expr)) } else { expr }
}

/// The operand of `::` or `[…]`, which bind tighter than unary minus:
/// `(-1)::integer`.
fn tight_operand(expr: Expr) -> Expr {
    if is_compound(&expr) || number_text(&expr).is_some_and(|n| n.starts_with('-')) {
        Expr::Nested(Box::new(expr))
    } else {
        expr
    }
}

fn peel(expr: &Expr) -> &Expr {
    match expr {
        Expr::Nested(inner) => peel(inner),
        other => other,
    }
}

fn untight(expr: Expr) -> Expr {
    match expr {
        Expr::Nested(inner) => *inner,
        other => other,
    }
}

fn strip_any_cast(expr: &Expr) -> &Expr {
    match expr {
        Expr::Cast { expr, .. } | Expr::Nested(expr) => strip_any_cast(expr),
        other => other,
    }
}

/// The literal value of `expr`, seen through parentheses.
fn literal(expr: &Expr) -> Option<&Value> {
    match expr {
        Expr::Value(v) if !matches!(v.value, Value::Placeholder(_)) => Some(&v.value),
        Expr::Nested(inner) => literal(inner),
        _ => None,
    }
}

fn number_text(expr: &Expr) -> Option<&str> {
    match literal(expr) {
        Some(Value::Number(n, _)) => Some(n),
        _ => None,
    }
}

/// Literals in one spelling: numbers as PostgreSQL prints them, every kind
/// of string (`E'…'`, `$$…$$`) as a standard string, which is how
/// PostgreSQL prints them.
fn literal_value(v: &Value) -> Expr {
    match v {
        Value::Number(n, _) => number(normalize_number(n).unwrap_or_else(|| n.clone())),
        Value::EscapedStringLiteral(s) => string(s.clone()),
        Value::DollarQuotedString(d) => string(d.value.clone()),
        other => value(other.clone()),
    }
}

fn value(v: Value) -> Expr {
    Expr::Value(ValueWithSpan { value: v, span: Span::empty() })
}

fn number(text: String) -> Expr {
    value(Value::Number(text, false))
}

fn string(text: String) -> Expr {
    value(Value::SingleQuotedString(text))
}

/// A data type printed exactly as `name` (already canonical).
fn type_named(name: String) -> DataType {
    DataType::Custom(ObjectName::from(vec![Ident::new(name)]), Vec::new())
}

/// Function names are folded like identifiers but quoted only when their
/// characters need it: a key word is a fine function name (`left(x, 2)`,
/// `coalesce(…)`), and quoting `coalesce` would name a function that does
/// not exist.
fn function_name(name: ObjectName) -> ObjectName {
    ObjectName(
        name.0
            .into_iter()
            .map(|part| match part {
                ObjectNamePart::Identifier(mut ident) => {
                    let plain = ident.value.chars().enumerate().all(|(i, c)| {
                        c.is_ascii_lowercase() || c == '_' || (i > 0 && (c.is_ascii_digit() || c == '$'))
                    }) && !ident.value.is_empty();
                    ident.quote_style = if plain { None } else { Some('"') };
                    ObjectNamePart::Identifier(ident)
                }
                other => other,
            })
            .collect(),
    )
}

/// The SQL value functions PostgreSQL prints as bare key words.
fn is_value_function(name: &str) -> bool {
    matches!(
        name,
        "current_date"
            | "current_time"
            | "current_timestamp"
            | "localtime"
            | "localtimestamp"
            | "current_user"
            | "current_role"
            | "session_user"
            | "user"
            | "current_catalog"
            | "current_schema"
            | "system_user"
    )
}

fn keyword_function(name: &str) -> Expr {
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new(name.to_ascii_uppercase())]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::None,
        within_group: Vec::new(),
        filter: None,
        null_treatment: None,
        over: None,
    })
}

fn is_text_like(type_name: &str) -> bool {
    matches!(type_name, "text" | "character varying" | "bpchar")
}

fn is_integer_type(type_name: &str) -> bool {
    matches!(type_name, "smallint" | "integer" | "bigint")
}

fn is_numeric_type(type_name: &str) -> bool {
    is_integer_type(type_name) || matches!(type_name, "numeric" | "real" | "double precision")
}
