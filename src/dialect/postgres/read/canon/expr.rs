//! Expression analysis: a sqlparser expression in, PostgreSQL's parse tree
//! out, following `transformExpr` (`parse_expr.c`), `ParseFuncOrColumn`
//! (`parse_func.c`) and `make_op` (`parse_oper.c`).
//!
//! What cannot be resolved (a function, operator or type the catalog and the
//! schema do not know, syntax PostgreSQL has but this module does not
//! model) becomes a [`Node::Verbatim`] of unknown type, printed from its
//! canonical parts: such an expression is kept as written, so that it means
//! what the user wrote, and compares equal only to the same writing.

use super::catalog::oids;
use super::coerce::{CannotCoerce, Context, is_polymorphic};
use super::deparse::{self, Deparser};
use super::env::{Env, TypeId};
use super::node::{
    Agg, BoolOp, BoolTestKind, CallForm, Form, Func, Name, Node, SqlValue, SubLink, SubLinkKind, Subscript, Syntax,
    Ty,
};
use super::resolve::FuncLookup;
use crate::dialect::postgres::read::compat;
use super::deps::{Deps, Renames};
use crate::model::QName;
use std::cell::RefCell;
use std::cell::Cell;
use sqlparser::ast::{
    self, BinaryOperator, CastKind, DuplicateTreatment, Expr, FunctionArg, FunctionArgExpr, FunctionArgumentClause,
    FunctionArguments, ObjectNamePart, TrimWhereField, UnaryOperator, Value,
};

/// How a function is called, beyond its name and arguments.
#[derive(Debug, Default)]
struct Call {
    /// Names of named arguments, one per argument (`None` for positional ones).
    arg_names: Vec<Option<String>>,
    form: CallForm,
    /// `OVER (…)`, canonical.
    over: Option<String>,
    /// `count(*)`.
    star: bool,
    /// `VARIADIC` written before the last argument.
    explicit_variadic: bool,
}

/// The type of an expression that could not be resolved.
pub const UNRESOLVED: TypeId = 0;

/// One relation whose columns a name may refer to.
#[derive(Debug, Clone)]
pub struct RelScope {
    /// The name its columns are printed with (`users`, an alias, `new`).
    pub refname: String,
    /// The spellings that name it in a qualified column reference, folded:
    /// the alias, or the table name with and without its schema.
    pub names: Vec<Vec<String>>,
    pub columns: Vec<(String, Ty)>,
    /// The table or view the columns are of (none for a subquery's), with
    /// the names its columns have there (a column alias list renames them).
    pub source: Option<(QName, Vec<String>)>,
}

impl RelScope {
    pub fn new(refname: &str, names: Vec<Vec<String>>, columns: Vec<(String, Ty)>, source: Option<QName>) -> RelScope {
        let source = source.map(|q| (q, columns.iter().map(|(n, _)| n.clone()).collect()));
        RelScope { refname: refname.to_string(), names, columns, source }
    }
}

/// What column names resolve against.
#[derive(Debug, Clone, Default)]
pub struct Scope<'p> {
    pub rels: Vec<RelScope>,
    pub parent: Option<&'p Scope<'p>>,
    /// The type of `VALUE` in a domain's CHECK.
    pub value: Option<Ty>,
    /// Print columns with their relation's name (queries, trigger WHEN).
    pub qualify: bool,
}

impl<'p> Scope<'p> {
    /// The columns of one table, printed unqualified (CHECK, DEFAULT, index).
    pub fn table(table: &QName, columns: Vec<(String, Ty)>) -> Scope<'p> {
        let name = &table.name;
        Scope {
            rels: vec![RelScope::new(name, vec![vec![name.to_string()]], columns, Some(table.clone()))],
            parent: None,
            value: None,
            qualify: false,
        }
    }

    fn find_column(&self, name: &str) -> Option<(Option<&RelScope>, Ty, bool)> {
        let mut found: Option<(&RelScope, Ty)> = None;
        for r in &self.rels {
            if let Some((_, t)) = r.columns.iter().find(|(c, _)| c == name) {
                if found.is_some() {
                    // Ambiguous: PostgreSQL refuses the reference.
                    return None;
                }
                found = Some((r, t.clone()));
            }
        }
        match found {
            Some((r, t)) => Some((Some(r), t, false)),
            None => self.parent.and_then(|p| p.find_column(name)).map(|(r, t, _)| (r, t, true)),
        }
    }

    fn find_rel(&self, qualifier: &[String]) -> Option<&RelScope> {
        self.rels
            .iter()
            .find(|r| r.names.iter().any(|n| n.as_slice() == qualifier))
            .or_else(|| self.parent.and_then(|p| p.find_rel(qualifier)))
    }
}

/// The analyzer: resolves against an environment, prints through a
/// deparser, and notes what the analyzed text uses.
pub struct Analyzer<'e, 'a> {
    pub env: &'e Env<'a>,
    pub deps: RefCell<Deps>,
    pub renames: Option<&'e Renames>,
    /// Set when part of the text could not be resolved (and is kept as
    /// written): what it uses is then not all known.
    pub unresolved: Cell<bool>,
}

type Failed = ();

impl<'e, 'a> Analyzer<'e, 'a> {
    pub fn new(env: &'e Env<'a>) -> Analyzer<'e, 'a> {
        Analyzer { env, deps: RefCell::new(Deps::default()), renames: None, unresolved: Cell::new(false) }
    }

    /// A column of `rel` is used: noted, and printed under its new name
    /// when it was renamed.
    pub fn use_column(&self, rel: &RelScope, column: &str) -> String {
        let Some((source, origin)) = &rel.source else { return column.to_string() };
        let Some(at) = rel.columns.iter().position(|(n, _)| n == column) else { return column.to_string() };
        let key = (source.clone(), origin[at].clone());
        let mut deps = self.deps.borrow_mut();
        deps.relations.insert(source.clone());
        deps.columns.insert(key.clone());
        match self.renames.and_then(|r| r.columns.get(&key)) {
            // Under an alias list the column keeps the alias.
            Some(new) if origin[at] == column => new.clone(),
            _ => column.to_string(),
        }
    }

    /// A relation is used (in FROM, or as a sequence): noted, and returned
    /// under the name it has now.
    /// A relation read in FROM whose columns are not known: missing, or
    /// there but unreadable (noted apart, for telling a cycle of views).
    pub fn note_unknown_relation(&self, rel: &QName) {
        let mut deps = self.deps.borrow_mut();
        if self.env.relation_exists(rel) {
            deps.unreadable_relations.insert(rel.clone());
        } else {
            deps.missing_relations.insert(rel.clone());
        }
    }

    pub fn use_relation(&self, rel: &QName) -> QName {
        self.deps.borrow_mut().relations.insert(rel.clone());
        self.renames.and_then(|r| r.relations.get(rel)).cloned().unwrap_or_else(|| rel.clone())
    }

    fn printer(&self) -> Deparser<'_, 'a> {
        Deparser { env: self.env }
    }

    /// `transformExpr`.
    pub fn expr(&self, e: &Expr, scope: &Scope<'_>) -> Node {
        match self.try_expr(e, scope) {
            Ok(n) => n,
            Err(()) => self.verbatim(e, scope),
        }
    }

    /// An expression kept as written: its parts canonical where they can be,
    /// printed with the syntax it was written in.
    fn verbatim(&self, e: &Expr, scope: &Scope<'_>) -> Node {
        self.unresolved.set(true);
        let text = super::fallback::print(self, e, scope);
        Node::Verbatim { text, ty: Ty::of(UNRESOLVED) }
    }

    fn try_expr(&self, e: &Expr, scope: &Scope<'_>) -> Result<Node, Failed> {
        let env = self.env;
        Ok(match e {
            Expr::Nested(inner) => return self.try_expr(inner, scope),
            Expr::Identifier(ident) => self.column_ref(&[fold(ident)], ident.quote_style.is_none(), scope)?,
            Expr::CompoundIdentifier(parts) => {
                let folded: Vec<String> = parts.iter().map(fold).collect();
                self.column_ref(&folded, false, scope)?
            }
            Expr::Value(v) => self.value(&v.value)?,
            Expr::TypedString(ts) => {
                let target = self.type_of(&ts.data_type)?;
                let text = string_value(&ts.value.value).ok_or(())?;
                let lit = Node::Const { ty: Ty::of(oids::UNKNOWN), value: Some(text) };
                env.coerce_to_target(lit, &target, Context::Explicit, Form::Explicit).map_err(drop)?
            }
            Expr::Interval(iv)
                if iv.leading_field.is_none()
                    && iv.last_field.is_none()
                    && iv.leading_precision.is_none()
                    && iv.fractional_seconds_precision.is_none() =>
            {
                let inner = self.try_expr(&iv.value, scope)?;
                env.coerce_to_target(inner, &Ty::of(oids::INTERVAL), Context::Explicit, Form::Explicit).map_err(drop)?
            }
            Expr::Cast { kind: CastKind::Cast | CastKind::DoubleColon, expr, data_type, format: None } => {
                self.type_cast(expr, data_type, scope)?
            }
            Expr::UnaryOp { op, expr } => self.unary(op, expr, scope)?,
            Expr::BinaryOp { left, op, right } => self.binary(left, op, right, scope)?,
            Expr::IsNull(a) => Node::NullTest { arg: Box::new(self.try_expr(a, scope)?), not: false },
            Expr::IsNotNull(a) => Node::NullTest { arg: Box::new(self.try_expr(a, scope)?), not: true },
            Expr::IsTrue(a) => self.bool_test(a, BoolTestKind::IsTrue, scope)?,
            Expr::IsNotTrue(a) => self.bool_test(a, BoolTestKind::IsNotTrue, scope)?,
            Expr::IsFalse(a) => self.bool_test(a, BoolTestKind::IsFalse, scope)?,
            Expr::IsNotFalse(a) => self.bool_test(a, BoolTestKind::IsNotFalse, scope)?,
            Expr::IsUnknown(a) => self.bool_test(a, BoolTestKind::IsUnknown, scope)?,
            Expr::IsNotUnknown(a) => self.bool_test(a, BoolTestKind::IsNotUnknown, scope)?,
            Expr::IsDistinctFrom(a, b) => self.distinct(a, b, scope)?,
            // PostgreSQL has no node for IS NOT DISTINCT FROM: NOT (a IS DISTINCT FROM b).
            Expr::IsNotDistinctFrom(a, b) => Node::Bool { op: BoolOp::Not, args: vec![self.distinct(a, b, scope)?] },
            Expr::Between { expr, negated, low, high } => {
                let x = self.try_expr(expr, scope)?;
                let (lo, hi) = (self.try_expr(low, scope)?, self.try_expr(high, scope)?);
                let (op1, op2, join) = if *negated { ("<", ">", BoolOp::Or) } else { (">=", "<=", BoolOp::And) };
                let a = self.make_op(None, op1, Some(x.clone()), lo)?;
                let b = self.make_op(None, op2, Some(x), hi)?;
                Node::Bool { op: join, args: vec![a, b] }
            }
            Expr::InList { expr, list, negated } => self.in_list(expr, list, *negated, scope)?,
            Expr::InSubquery { expr, subquery, negated } => {
                let test = self.try_expr(expr, scope)?;
                let link = self.sublink(SubLinkKind::Any, Some(test), Some("="), subquery, scope)?;
                if *negated { Node::Bool { op: BoolOp::Not, args: vec![link] } } else { link }
            }
            Expr::AnyOp { left, compare_op, right, .. } => self.quantified(left, compare_op, right, true, scope)?,
            Expr::AllOp { left, compare_op, right } => self.quantified(left, compare_op, right, false, scope)?,
            Expr::Like { negated, any: false, expr, pattern, escape_char } => {
                self.like(if *negated { "!~~" } else { "~~" }, expr, pattern, escape_char.as_deref(), scope)?
            }
            Expr::ILike { negated, any: false, expr, pattern, escape_char } => {
                self.like(if *negated { "!~~*" } else { "~~*" }, expr, pattern, escape_char.as_deref(), scope)?
            }
            Expr::SimilarTo { negated, expr, pattern, escape_char } => {
                // PostgreSQL stores `x SIMILAR TO p` as `x ~ similar_to_escape(p)`.
                let x = self.try_expr(expr, scope)?;
                let mut args = vec![self.try_expr(pattern, scope)?];
                if let Some(esc) = escape_char {
                    args.push(self.try_expr(esc, scope)?);
                }
                let pat = self.call("similar_to_escape", args, CallForm::Call)?;
                self.make_op(None, if *negated { "!~" } else { "~" }, Some(x), pat)?
            }
            Expr::Case { operand, conditions, else_result, .. } => self.case(operand.as_deref(), conditions, else_result.as_deref(), scope)?,
            Expr::Function(f) => self.function(f, scope)?,
            Expr::Array(a) => self.array(&a.elem, None, scope)?,
            Expr::Tuple(items) => {
                let args = items.iter().map(|i| self.try_expr(i, scope)).collect::<Result<Vec<_>, _>>()?;
                Node::Row { args, ty: Ty::of(oids::RECORD) }
            }
            Expr::Exists { subquery, negated } => {
                let link = self.sublink(SubLinkKind::Exists, None, None, subquery, scope)?;
                if *negated { Node::Bool { op: BoolOp::Not, args: vec![link] } } else { link }
            }
            Expr::Subquery(q) => self.sublink(SubLinkKind::Expr, None, None, q, scope)?,
            Expr::Collate { expr, collation } => {
                let arg = self.try_expr(expr, scope)?;
                let ty = arg.ty();
                let name = collation_name(collation);
                Node::Collate { arg: Box::new(arg), collation: name, ty }
            }
            Expr::Extract { field, expr, .. } => {
                let field_text = field.to_string().to_lowercase();
                let f = Node::Const { ty: Ty::of(oids::UNKNOWN), value: Some(field_text) };
                let x = self.try_expr(expr, scope)?;
                self.call("extract", vec![f, x], CallForm::Syntax(Syntax::Extract))?
            }
            Expr::Position { expr, r#in } => {
                let (needle, hay) = (self.try_expr(expr, scope)?, self.try_expr(r#in, scope)?);
                self.call("position", vec![hay, needle], CallForm::Syntax(Syntax::Position))?
            }
            Expr::Substring { expr, substring_from, substring_for, special, shorthand } => {
                let mut args = vec![self.try_expr(expr, scope)?];
                match (substring_from, substring_for) {
                    (Some(f), Some(n)) => {
                        args.push(self.try_expr(f, scope)?);
                        args.push(self.try_expr(n, scope)?);
                    }
                    (Some(f), None) => args.push(self.try_expr(f, scope)?),
                    // `SUBSTRING(x FOR n)` is substring(x, 1, n).
                    (None, Some(n)) => {
                        args.push(int4_const(1));
                        args.push(self.try_expr(n, scope)?);
                    }
                    (None, None) => return Err(()),
                }
                // `substr(…)` and `substring(a, b, c)` are plain calls; only
                // `SUBSTRING(a FROM b FOR c)` keeps its syntax.
                let (name, form) = match (*shorthand, *special) {
                    (true, _) => ("substr", CallForm::Call),
                    (false, true) => ("substring", CallForm::Call),
                    (false, false) => ("substring", CallForm::Syntax(Syntax::Substring)),
                };
                self.call(name, args, form)?
            }
            Expr::Trim { trim_where, trim_what, expr, trim_characters: None } => {
                let (name, syntax) = match trim_where {
                    None | Some(TrimWhereField::Both) => ("btrim", Syntax::TrimBoth),
                    Some(TrimWhereField::Leading) => ("ltrim", Syntax::TrimLeading),
                    Some(TrimWhereField::Trailing) => ("rtrim", Syntax::TrimTrailing),
                };
                let mut args = vec![self.try_expr(expr, scope)?];
                match trim_what.as_deref() {
                    // `TRIM(LEADING FROM x)` as rewritten for sqlparser: no characters given.
                    Some(Expr::Value(v)) if v.value == Value::Placeholder(compat::TRIM_DEFAULT.into()) => {}
                    Some(w) => args.push(self.try_expr(w, scope)?),
                    None => {}
                }
                self.call(name, args, CallForm::Syntax(syntax))?
            }
            Expr::Overlay { expr, overlay_what, overlay_from, overlay_for } => {
                let mut args = vec![self.try_expr(expr, scope)?, self.try_expr(overlay_what, scope)?, self.try_expr(overlay_from, scope)?];
                if let Some(n) = overlay_for {
                    args.push(self.try_expr(n, scope)?);
                }
                self.call("overlay", args, CallForm::Syntax(Syntax::Overlay))?
            }
            Expr::AtTimeZone { timestamp, time_zone } => {
                let (ts, zone) = (self.try_expr(timestamp, scope)?, self.try_expr(time_zone, scope)?);
                self.call("timezone", vec![zone, ts], CallForm::Syntax(Syntax::AtTimeZone))?
            }
            Expr::Ceil { expr, field: ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime) } => {
                let x = self.try_expr(expr, scope)?;
                self.call("ceil", vec![x], CallForm::Call)?
            }
            Expr::Floor { expr, field: ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime) } => {
                let x = self.try_expr(expr, scope)?;
                self.call("floor", vec![x], CallForm::Call)?
            }
            Expr::CompoundFieldAccess { root, access_chain } => self.access(root, access_chain, scope)?,
            Expr::IsNormalized { .. }
            | Expr::IsJson { .. }
            | Expr::Interval(_)
            | Expr::Cast { .. }
            | Expr::Like { .. }
            | Expr::ILike { .. }
            | Expr::Trim { .. }
            | Expr::Ceil { .. }
            | Expr::Floor { .. }
            | Expr::JsonAccess { .. }
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
            | Expr::MemberOf(_)
            | Expr::GroupingSets(_)
            | Expr::Cube(_)
            | Expr::Rollup(_)
            | Expr::Wildcard(_) => return Err(()),
            // `t.*` in an expression: the whole row.
            Expr::QualifiedWildcard(name, _) => {
                let parts: Vec<String> = name
                    .0
                    .iter()
                    .map(|p| match p {
                        ObjectNamePart::Identifier(i) => Ok(fold(i)),
                        ObjectNamePart::Function(_) => Err(()),
                    })
                    .collect::<Result<_, _>>()?;
                let rel = scope.find_rel(&parts).ok_or(())?;
                for (c, _) in &rel.columns {
                    self.use_column(rel, c);
                }
                Node::WholeRow { rel: rel.refname.clone(), ty: Ty::of(oids::RECORD) }
            }
        })
    }

    // ----- names -----

    fn column_ref(&self, parts: &[String], unquoted_single: bool, scope: &Scope<'_>) -> Result<Node, Failed> {
        match parts {
            [name] => {
                if let Some((rel, ty, _outer)) = scope.find_column(name) {
                    let printed = rel.map_or_else(|| name.clone(), |r| self.use_column(r, name));
                    let rel = rel.filter(|_| scope.qualify).map(|r| r.refname.clone());
                    return Ok(Node::Var { rel, name: printed, ty });
                }
                if name == "value"
                    && let Some(ty) = &scope.value
                {
                    return Ok(Node::DomainValue { ty: ty.clone() });
                }
                // The SQL value functions written without parentheses.
                if unquoted_single && let Some(n) = self.sql_value(name, None) {
                    return Ok(n);
                }
                self.deps.borrow_mut().missing_columns.insert(name.clone());
                Err(())
            }
            [qualifier @ .., column] => {
                let rel = scope.find_rel(qualifier).ok_or(())?;
                let Some((_, ty)) = rel.columns.iter().find(|(c, _)| c == column) else {
                    self.deps.borrow_mut().missing_columns.insert(format!("{}.{column}", qualifier.join(".")));
                    return Err(());
                };
                let refname = if scope.qualify || scope.rels.iter().all(|r| r.refname != rel.refname) {
                    Some(rel.refname.clone())
                } else {
                    None
                };
                let printed = self.use_column(rel, column);
                Ok(Node::Var { rel: refname, name: printed, ty: ty.clone() })
            }
            [] => Err(()),
        }
    }

    fn sql_value(&self, name: &str, precision: Option<u32>) -> Option<Node> {
        let (kind, ty) = match name {
            "current_date" => (SqlValue::CurrentDate, oids::DATE),
            "current_time" => (SqlValue::CurrentTime, oids::TIMETZ),
            "current_timestamp" => (SqlValue::CurrentTimestamp, oids::TIMESTAMPTZ),
            "localtime" => (SqlValue::LocalTime, oids::TIME),
            "localtimestamp" => (SqlValue::LocalTimestamp, oids::TIMESTAMP),
            "current_role" => (SqlValue::CurrentRole, oids::NAME),
            "current_user" => (SqlValue::CurrentUser, oids::NAME),
            "user" => (SqlValue::User, oids::NAME),
            "session_user" => (SqlValue::SessionUser, oids::NAME),
            "current_catalog" => (SqlValue::CurrentCatalog, oids::NAME),
            "current_schema" => (SqlValue::CurrentSchema, oids::NAME),
            _ => return None,
        };
        let typmod = precision.map(|p| vec![p.to_string()]).unwrap_or_default();
        Some(Node::SqlValue { kind, precision, ty: Ty { id: ty, typmod } })
    }

    /// A type named in a cast.
    fn type_of(&self, dt: &ast::DataType) -> Result<Ty, Failed> {
        let text = super::types::canonical_type_name(dt);
        let parsed = crate::model::DataType::parse(&text).ok_or(())?;
        let ty = self.env.lookup_type(&parsed).ok_or(())?;
        if let Some(q) = self.env.user_type_name(ty.id) {
            self.deps.borrow_mut().types.insert(q);
        }
        Ok(ty)
    }

    // ----- constants -----

    fn value(&self, v: &Value) -> Result<Node, Failed> {
        Ok(match v {
            Value::Number(n, _) => number_const(n).ok_or(())?,
            Value::Boolean(b) => Node::Const { ty: Ty::of(oids::BOOL), value: Some(if *b { "t" } else { "f" }.into()) },
            Value::Null => Node::Const { ty: Ty::of(oids::UNKNOWN), value: None },
            Value::SingleQuotedByteStringLiteral(bits) => Node::Const { ty: Ty::of(oids::BIT), value: Some(bits.clone()) },
            Value::HexStringLiteral(hex) => {
                let bits: String = hex
                    .chars()
                    .map(|c| c.to_digit(16).map(|d| format!("{d:04b}")))
                    .collect::<Option<String>>()
                    .ok_or(())?;
                Node::Const { ty: Ty::of(oids::BIT), value: Some(bits) }
            }
            other => Node::Const { ty: Ty::of(oids::UNKNOWN), value: Some(string_value(other).ok_or(())?) },
        })
    }

    // ----- operators -----

    fn unary(&self, op: &UnaryOperator, expr: &Expr, scope: &Scope<'_>) -> Result<Node, Failed> {
        if *op == UnaryOperator::Not {
            let arg = self.try_expr(expr, scope)?;
            let arg = self.env.coerce_to_boolean(arg).map_err(drop)?;
            return Ok(Node::Bool { op: BoolOp::Not, args: vec![arg] });
        }
        // The grammar folds a minus into a numeric constant (doNegate).
        if *op == UnaryOperator::Minus
            && let Expr::Value(v) = peel(expr)
            && let Value::Number(n, _) = &v.value
        {
            return number_const(&format!("-{n}")).ok_or(());
        }
        let name = match op {
            UnaryOperator::Minus => "-",
            UnaryOperator::Plus => "+",
            UnaryOperator::BitwiseNot => "~",
            UnaryOperator::PGSquareRoot => "|/",
            UnaryOperator::PGCubeRoot => "||/",
            UnaryOperator::PGAbs => "@",
            UnaryOperator::AtDashAt => "@-@",
            UnaryOperator::DoubleAt => "@@",
            UnaryOperator::Hash => "#",
            UnaryOperator::QuestionDash => "?-",
            UnaryOperator::QuestionPipe => "?|",
            _ => return Err(()),
        };
        let arg = self.try_expr(expr, scope)?;
        let op = self.make_op(None, name, None, arg)?;
        // `-(1::integer)` prints as `(- 1)`, which PostgreSQL reads back as
        // the constant -1: the form it settles on after a dump and restore.
        if let Node::Op { name: n, left: None, right, ty } = &op
            && n.schema.is_none()
            && n.name == "-"
            && let Node::Const { ty: ct, value: Some(v) } = &**right
            && ct.typmod.is_empty()
            && *ct == *ty
            && (ct.id == oids::INT4 || (ct.id == oids::NUMERIC && v.contains(['.', 'e', 'E'])))
            && v.starts_with(|c: char| c.is_ascii_digit())
        {
            return Ok(Node::Const { ty: ct.clone(), value: Some(super::literal::numeric(&format!("-{v}")).unwrap_or(format!("-{v}"))) });
        }
        Ok(op)
    }

    fn binary(&self, left: &Expr, op: &BinaryOperator, right: &Expr, scope: &Scope<'_>) -> Result<Node, Failed> {
        use BinaryOperator as B;
        if matches!(op, B::And | B::Or) {
            // The grammar appends to a left operand that is already the same
            // boolean operator (makeAndExpr/makeOrExpr): `a AND b AND c` is one
            // node of three; `a AND (b AND c)` is two.
            let bop = if *op == B::And { BoolOp::And } else { BoolOp::Or };
            let left_node = self.try_expr(left, scope)?;
            let left_is_chain = matches!(peel(left), Expr::BinaryOp { op: inner, .. } if inner == op);
            let right_node = self.env.coerce_to_boolean(self.try_expr(right, scope)?).map_err(drop)?;
            return Ok(match left_node {
                Node::Bool { op: o, mut args } if left_is_chain && o == bop => {
                    args.push(right_node);
                    Node::Bool { op: bop, args }
                }
                other => {
                    let l = self.env.coerce_to_boolean(other).map_err(drop)?;
                    Node::Bool { op: bop, args: vec![l, right_node] }
                }
            });
        }
        // Row comparisons: `(a, b) = (1, 2)`.
        if let (Expr::Tuple(l), Expr::Tuple(r)) = (peel(left), peel(right)) {
            return self.row_compare(l, op, r, scope);
        }
        let (schema, name) = match op {
            B::PGCustomBinaryOperator(parts) => match parts.as_slice() {
                [name] => (None, name.clone()),
                [schema, name] => (Some(schema.clone()), name.clone()),
                _ => return Err(()),
            },
            B::Xor | B::DuckIntegerDivide | B::MyIntegerDivide | B::Match | B::Regexp | B::Glob | B::Spaceship => {
                return Err(());
            }
            B::Overlaps | B::Assignment => return Err(()),
            // `^` is exponentiation in PostgreSQL (PGExp); this is another dialect's XOR.
            B::BitwiseXor => return Err(()),
            other => (None, other.to_string()),
        };
        let (l, r) = (self.try_expr(left, scope)?, self.try_expr(right, scope)?);
        self.make_op(schema.as_deref(), &name, Some(l), r)
    }

    /// `make_op`: the operator, its arguments coerced to its declared types.
    pub fn make_op(&self, schema: Option<&str>, name: &str, left: Option<Node>, right: Node) -> Result<Node, Failed> {
        let env = self.env;
        let lt = left.as_ref().map(Node::type_id);
        let rt = right.type_id();
        if lt == Some(UNRESOLVED) || rt == UNRESOLVED {
            return Err(());
        }
        let oper = env.lookup_operator(schema, name, lt, rt).ok_or(())?;
        let mut declared: Vec<TypeId> = if left.is_some() { vec![oper.left, oper.right] } else { vec![oper.right] };
        let actual: Vec<TypeId> = lt.into_iter().chain([rt]).collect();
        let mut result = oper.result;
        if declared.iter().any(|d| is_polymorphic(*d)) || is_polymorphic(result) {
            let (args, ret) = env.resolve_polymorphic(&actual, &declared, result).ok_or(())?;
            declared = args;
            result = ret;
        }
        let mut args = Vec::new();
        for (node, target) in left.into_iter().chain([right]).zip(&declared) {
            args.push(self.coerce_arg(node, *target)?);
        }
        let types: Vec<TypeId> = args.iter().map(Node::type_id).collect();
        let visible = match types.as_slice() {
            [l, r] => env.lookup_operator(None, name, Some(*l), *r),
            [r] => env.lookup_operator(None, name, None, *r),
            _ => None,
        }
        .is_some_and(|o| o.schema == oper.schema && o.left == oper.left && o.right == oper.right);
        let printed = Name { schema: (!visible).then(|| oper.schema.clone()), name: name.to_string() };
        let mut it = args.into_iter();
        let (left, right) = if types.len() == 2 {
            (Some(Box::new(it.next().ok_or(())?)), Box::new(it.next().ok_or(())?))
        } else {
            (None, Box::new(it.next().ok_or(())?))
        };
        Ok(Node::Op { name: printed, left, right, ty: Ty::of(result) })
    }

    /// An argument coerced to the type a function or operator declares for it.
    fn coerce_arg(&self, node: Node, target: TypeId) -> Result<Node, Failed> {
        let input = node.type_id();
        if input == target {
            return Ok(node);
        }
        self.env.coerce_type(node, input, &Ty::of(target), Context::Implicit, Form::Implicit).map_err(drop)
    }

    fn distinct(&self, a: &Expr, b: &Expr, scope: &Scope<'_>) -> Result<Node, Failed> {
        let op = self.make_op(None, "=", Some(self.try_expr(a, scope)?), self.try_expr(b, scope)?)?;
        match op {
            Node::Op { left: Some(l), right, ty, .. } if ty.id == oids::BOOL => Ok(Node::Distinct { left: l, right }),
            _ => Err(()),
        }
    }

    fn bool_test(&self, a: &Expr, test: BoolTestKind, scope: &Scope<'_>) -> Result<Node, Failed> {
        let arg = self.env.coerce_to_boolean(self.try_expr(a, scope)?).map_err(drop)?;
        Ok(Node::BoolTest { arg: Box::new(arg), test })
    }

    fn like(&self, op: &str, expr: &Expr, pattern: &Expr, escape: Option<&Expr>, scope: &Scope<'_>) -> Result<Node, Failed> {
        let x = self.try_expr(expr, scope)?;
        let mut pat = self.try_expr(pattern, scope)?;
        if let Some(esc) = escape {
            // `LIKE p ESCAPE e` is `~~ like_escape(p, e)`.
            let e = self.try_expr(esc, scope)?;
            pat = self.call("like_escape", vec![pat, e], CallForm::Call)?;
        }
        self.make_op(None, op, Some(x), pat)
    }

    /// `transformAExprIn`: the constant elements of an IN list become one
    /// `= ANY (ARRAY[…])` when there are at least two of them; the others are
    /// compared one by one.
    fn in_list(&self, expr: &Expr, list: &[Expr], negated: bool, scope: &Scope<'_>) -> Result<Node, Failed> {
        let env = self.env;
        let (op, use_or) = if negated { ("<>", false) } else { ("=", true) };
        let lexpr = self.try_expr(expr, scope)?;
        let items: Vec<(Node, bool)> = list
            .iter()
            .map(|e| Ok((self.try_expr(e, scope)?, has_column_ref(e))))
            .collect::<Result<_, Failed>>()?;
        let nonvars: Vec<&Node> = items.iter().filter(|(_, var)| !*var).map(|(n, _)| n).collect();
        // Without the array, every element is compared on its own, in the written order.
        let mut rest: Vec<Node> = items.iter().map(|(n, _)| n.clone()).collect();
        let mut result: Option<Node> = None;
        if nonvars.len() > 1 {
            let mut types = vec![lexpr.type_id()];
            types.extend(nonvars.iter().map(|n| n.type_id()));
            let common = if types.contains(&UNRESOLVED) { None } else { env.select_common_type(&types).ok() };
            let array_type = common.filter(|t| *t != oids::RECORD).map(|t| env.array_of(t)).unwrap_or(0);
            if let Some(scalar) = common
                && array_type != 0
            {
                let elems = nonvars
                    .iter()
                    .map(|n| env.coerce_to_common((*n).clone(), scalar))
                    .collect::<Result<Vec<_>, CannotCoerce>>()
                    .map_err(drop)?;
                let array = Node::Array { elems, ty: Ty::of(array_type), multidim: false };
                result = Some(self.scalar_array_op(op, use_or, lexpr.clone(), array)?);
                rest = items.into_iter().filter(|(_, var)| *var).map(|(n, _)| n).collect();
            }
        }
        for r in rest {
            let cmp = env.coerce_to_boolean(self.make_op(None, op, Some(lexpr.clone()), r)?).map_err(drop)?;
            result = Some(match result {
                None => cmp,
                Some(prev) => Node::Bool { op: if use_or { BoolOp::Or } else { BoolOp::And }, args: vec![prev, cmp] },
            });
        }
        result.ok_or(())
    }

    /// `make_scalar_array_op`: `x op ANY/ALL (array)`.
    fn scalar_array_op(&self, op: &str, any: bool, left: Node, right: Node) -> Result<Node, Failed> {
        let env = self.env;
        let lt = left.type_id();
        let rt = right.type_id();
        if lt == UNRESOLVED || rt == UNRESOLVED {
            return Err(());
        }
        // An untyped right side is assumed to be an array of the left's type.
        let elem = if rt == oids::UNKNOWN {
            if env.array_of(lt) == 0 {
                return Err(());
            }
            lt
        } else {
            let e = env.elem_of(env.base_type(&Ty::of(rt)).id);
            if e == 0 {
                return Err(());
            }
            e
        };
        let oper = env.lookup_operator(None, op, Some(lt), elem).ok_or(())?;
        if oper.result != oids::BOOL {
            return Err(());
        }
        let mut declared = vec![oper.left, oper.right];
        if declared.iter().any(|d| is_polymorphic(*d)) {
            let actual = vec![lt, elem];
            declared = env.resolve_polymorphic(&actual, &declared, 0).ok_or(())?.0;
        }
        let right_target = env.array_of(declared[1]);
        if right_target == 0 {
            return Err(());
        }
        let l = self.coerce_arg(left, declared[0])?;
        let r = self.coerce_arg(right, right_target)?;
        let visible = env
            .lookup_operator(None, op, Some(l.type_id()), env.elem_of(env.base_type(&r.ty()).id))
            .is_some_and(|o| o.schema == oper.schema && o.left == oper.left && o.right == oper.right);
        Ok(Node::ScalarArrayOp {
            name: Name { schema: (!visible).then(|| oper.schema.clone()), name: op.to_string() },
            any,
            left: Box::new(l),
            right: Box::new(r),
        })
    }

    fn quantified(&self, left: &Expr, op: &BinaryOperator, right: &Expr, any: bool, scope: &Scope<'_>) -> Result<Node, Failed> {
        let name = op.to_string();
        if let Expr::Subquery(q) = peel(right) {
            let test = self.try_expr(left, scope)?;
            let kind = if any { SubLinkKind::Any } else { SubLinkKind::All };
            return self.sublink(kind, Some(test), Some(&name), q, scope);
        }
        let (l, r) = (self.try_expr(left, scope)?, self.try_expr(right, scope)?);
        self.scalar_array_op(&name, any, l, r)
    }

    /// `(a, b) op (c, d)`: `=` and `<>` compare column by column (AND / OR);
    /// the ordering operators make a row comparison.
    fn row_compare(&self, l: &[Expr], op: &BinaryOperator, r: &[Expr], scope: &Scope<'_>) -> Result<Node, Failed> {
        if l.len() != r.len() || l.is_empty() {
            return Err(());
        }
        let name = op.to_string();
        let mut pairs = Vec::new();
        for (a, b) in l.iter().zip(r) {
            pairs.push(self.make_op(None, &name, Some(self.try_expr(a, scope)?), self.try_expr(b, scope)?)?);
        }
        match name.as_str() {
            "=" | "<>" => {
                if pairs.len() == 1 {
                    return pairs.pop().ok_or(());
                }
                Ok(Node::Bool { op: if name == "=" { BoolOp::And } else { BoolOp::Or }, args: pairs })
            }
            "<" | "<=" | ">" | ">=" => {
                let (mut ls, mut rs) = (Vec::new(), Vec::new());
                for p in pairs {
                    match p {
                        Node::Op { left: Some(a), right: b, .. } => {
                            ls.push(*a);
                            rs.push(*b);
                        }
                        _ => return Err(()),
                    }
                }
                let p = self.printer();
                let text = format!(
                    "({} {name} {})",
                    p.print(&Node::Row { args: ls, ty: Ty::of(oids::RECORD) }, true),
                    p.print(&Node::Row { args: rs, ty: Ty::of(oids::RECORD) }, true)
                );
                Ok(Node::Verbatim { text, ty: Ty::of(oids::BOOL) })
            }
            _ => Err(()),
        }
    }

    // ----- CASE, COALESCE, … -----

    /// `transformCaseExpr`.
    fn case(&self, operand: Option<&Expr>, conditions: &[ast::CaseWhen], else_result: Option<&Expr>, scope: &Scope<'_>) -> Result<Node, Failed> {
        let env = self.env;
        let arg = match operand {
            Some(o) => {
                let a = self.try_expr(o, scope)?;
                // An untyped operand is made text: the placeholder needs a type.
                Some(if a.type_id() == oids::UNKNOWN { env.coerce_to_common(a, oids::TEXT).map_err(drop)? } else { a })
            }
            None => None,
        };
        let mut whens = Vec::new();
        let mut results = Vec::new();
        for w in conditions {
            let cond = match &arg {
                Some(a) => {
                    let placeholder = Node::CaseTest { ty: a.ty() };
                    self.make_op(None, "=", Some(placeholder), self.try_expr(&w.condition, scope)?)?
                }
                None => self.try_expr(&w.condition, scope)?,
            };
            whens.push(env.coerce_to_boolean(cond).map_err(drop)?);
            results.push(self.try_expr(&w.result, scope)?);
        }
        let default = match else_result {
            Some(e) => self.try_expr(e, scope)?,
            None => Node::Const { ty: Ty::of(oids::UNKNOWN), value: None },
        };
        // The ELSE result counts first when choosing the type.
        let mut types = vec![default.type_id()];
        types.extend(results.iter().map(Node::type_id));
        if types.contains(&UNRESOLVED) {
            return Err(());
        }
        let common = env.select_common_type(&types).map_err(drop)?;
        let default = env.coerce_to_common(default, common).map_err(drop)?;
        let results = results.into_iter().map(|r| env.coerce_to_common(r, common)).collect::<Result<Vec<_>, _>>().map_err(drop)?;
        let mut all: Vec<Node> = results.clone();
        all.push(default.clone());
        let typmod = Env::common_typmod(&all, common);
        Ok(Node::Case {
            arg: arg.map(Box::new),
            whens: whens.into_iter().zip(results).collect(),
            default: Box::new(default),
            ty: Ty { id: common, typmod },
        })
    }

    /// Items resolved to one common type (COALESCE, GREATEST, LEAST).
    fn common(&self, args: &[FunctionArg], scope: &Scope<'_>) -> Result<(Vec<Node>, Ty), Failed> {
        let nodes = plain_args(args)?.iter().map(|a| self.try_expr(a, scope)).collect::<Result<Vec<_>, _>>()?;
        let types: Vec<TypeId> = nodes.iter().map(Node::type_id).collect();
        if types.contains(&UNRESOLVED) || nodes.is_empty() {
            return Err(());
        }
        let common = self.env.select_common_type(&types).map_err(drop)?;
        let nodes = nodes.into_iter().map(|n| self.env.coerce_to_common(n, common)).collect::<Result<Vec<_>, _>>().map_err(drop)?;
        let typmod = Env::common_typmod(&nodes, common);
        Ok((nodes, Ty { id: common, typmod }))
    }

    /// `transformArrayExpr`; `target` is the array type of an enclosing cast,
    /// which the elements are cast to instead of their common type.
    fn array(&self, elems: &[Expr], target: Option<&Ty>, scope: &Scope<'_>) -> Result<Node, Failed> {
        let env = self.env;
        let multidim = !elems.is_empty() && elems.iter().all(|e| matches!(peel(e), Expr::Array(_)));
        let (array_type, elem_target) = match target {
            Some(t) => {
                let e = env.elem_of(t.id);
                if e == 0 {
                    return Err(());
                }
                (Some(t.clone()), Some(Ty { id: e, typmod: t.typmod.clone() }))
            }
            None => (None, None),
        };
        let mut nodes = Vec::new();
        for e in elems {
            nodes.push(match (peel(e), &array_type) {
                (Expr::Array(inner), Some(t)) => self.array(&inner.elem, Some(t), scope)?,
                (Expr::Array(inner), None) => self.array(&inner.elem, None, scope)?,
                _ => self.try_expr(e, scope)?,
            });
        }
        if let (Some(at), Some(et)) = (&array_type, &elem_target) {
            let coerced = nodes
                .into_iter()
                .map(|n| {
                    if multidim {
                        Ok(n)
                    } else {
                        env.coerce_to_target(n, et, Context::Explicit, Form::Explicit).map_err(drop)
                    }
                })
                .collect::<Result<Vec<_>, Failed>>()?;
            return Ok(Node::Array { elems: coerced, ty: Ty::of(at.id), multidim });
        }
        if nodes.is_empty() {
            // `ARRAY[]` needs a type from a cast.
            return Err(());
        }
        let types: Vec<TypeId> = nodes.iter().map(Node::type_id).collect();
        if types.contains(&UNRESOLVED) {
            return Err(());
        }
        if multidim {
            let common = env.select_common_type(&types).map_err(drop)?;
            let nodes = nodes.into_iter().map(|n| env.coerce_to_common(n, common)).collect::<Result<Vec<_>, _>>().map_err(drop)?;
            return Ok(Node::Array { elems: nodes, ty: Ty::of(common), multidim: true });
        }
        let common = env.select_common_type(&types).map_err(drop)?;
        let array = env.array_of(common);
        if array == 0 {
            return Err(());
        }
        let nodes = nodes.into_iter().map(|n| env.coerce_to_common(n, common)).collect::<Result<Vec<_>, _>>().map_err(drop)?;
        Ok(Node::Array { elems: nodes, ty: Ty::of(array), multidim: false })
    }

    /// `transformTypeCast`.
    fn type_cast(&self, expr: &Expr, data_type: &ast::DataType, scope: &Scope<'_>) -> Result<Node, Failed> {
        let target = self.type_of(data_type)?;
        let arg = match peel(expr) {
            // The cast's element type is pushed down into ARRAY[…].
            Expr::Array(a) if self.env.is_array(target.id) => self.array(&a.elem, Some(&target), scope)?,
            _ => self.try_expr(expr, scope)?,
        };
        if arg.type_id() == UNRESOLVED {
            return Err(());
        }
        self.env.coerce_to_target(arg, &target, Context::Explicit, Form::Explicit).map_err(drop)
    }

    // ----- function calls -----

    fn function(&self, f: &ast::Function, scope: &Scope<'_>) -> Result<Node, Failed> {
        let parts: Vec<String> = f
            .name
            .0
            .iter()
            .map(|p| match p {
                ObjectNamePart::Identifier(i) => Ok(fold(i)),
                ObjectNamePart::Function(_) => Err(()),
            })
            .collect::<Result<_, _>>()?;
        let (schema, name) = match parts.as_slice() {
            [n] => (None, n.clone()),
            [s, n] => (Some(s.clone()), n.clone()),
            _ => return Err(()),
        };
        if !matches!(f.parameters, FunctionArguments::None) || f.null_treatment.is_some() {
            return Err(());
        }
        let builtin_syntax = schema.as_deref().is_none_or(|s| s == "pg_catalog");
        let list = match &f.args {
            FunctionArguments::None => {
                // `CURRENT_DATE` and friends.
                let unquoted = matches!(f.name.0.last(), Some(ObjectNamePart::Identifier(i)) if i.quote_style.is_none());
                if builtin_syntax && unquoted && let Some(n) = self.sql_value(&name, None) {
                    return Ok(n);
                }
                return Err(());
            }
            FunctionArguments::Subquery(q) if builtin_syntax && name == "array" => {
                return self.sublink(SubLinkKind::Array, None, None, q, scope);
            }
            FunctionArguments::Subquery(_) => return Err(()),
            FunctionArguments::List(list) => list,
        };
        if builtin_syntax && f.over.is_none() && f.filter.is_none() && f.within_group.is_empty() && list.clauses.is_empty() && list.duplicate_treatment.is_none() {
            match name.as_str() {
                "coalesce" => {
                    let (args, ty) = self.common(&list.args, scope)?;
                    return Ok(Node::Coalesce { args, ty });
                }
                "greatest" | "least" => {
                    let (args, ty) = self.common(&list.args, scope)?;
                    return Ok(Node::MinMax { greatest: name == "greatest", args, ty });
                }
                "nullif" => {
                    let [a, b] = plain_args(&list.args)?.try_into().map_err(drop)?;
                    let op = self.make_op(None, "=", Some(self.try_expr(&a, scope)?), self.try_expr(&b, scope)?)?;
                    return match op {
                        Node::Op { left: Some(l), right, ty, .. } if ty.id == oids::BOOL => {
                            let t = l.ty();
                            Ok(Node::NullIf { left: l, right, ty: Ty::of(t.id) })
                        }
                        _ => Err(()),
                    };
                }
                "row" => {
                    let args = plain_args(&list.args)?.iter().map(|a| self.try_expr(a, scope)).collect::<Result<Vec<_>, _>>()?;
                    return Ok(Node::Row { args, ty: Ty::of(oids::RECORD) });
                }
                n @ ("current_time" | "current_timestamp" | "localtime" | "localtimestamp") => {
                    if let [FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v)))] = list.args.as_slice()
                        && let Value::Number(p, _) = &v.value
                    {
                        return self.sql_value(n, p.parse().ok()).ok_or(());
                    }
                }
                _ => {}
            }
        }
        let mut agg = Agg { distinct: matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct)), ..Agg::default() };
        let mut args = Vec::new();
        let mut names = Vec::new();
        let mut explicit_variadic = false;
        for a in &list.args {
            match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => {
                    args.push(self.try_expr(e, scope)?);
                    names.push(None);
                }
                FunctionArg::Unnamed(FunctionArgExpr::Wildcard) if list.args.len() == 1 => agg.star = true,
                FunctionArg::Named { name: n, arg: FunctionArgExpr::Expr(e), operator }
                | FunctionArg::ExprNamed { name: Expr::Identifier(n), arg: FunctionArgExpr::Expr(e), operator } => {
                    if !matches!(operator, ast::FunctionArgOperator::RightArrow | ast::FunctionArgOperator::Assignment) {
                        return Err(());
                    }
                    args.push(self.try_expr(e, scope)?);
                    // `VARIADIC arg`, as rewritten for sqlparser.
                    if n.quote_style.is_some() && n.value == compat::VARIADIC_ARG {
                        names.push(None);
                        explicit_variadic = true;
                    } else {
                        names.push(Some(fold(n)));
                    }
                }
                _ => return Err(()),
            }
        }
        let mut order_by = Vec::new();
        for clause in &list.clauses {
            match clause {
                FunctionArgumentClause::OrderBy(order) => order_by = self.sort_items(order, scope)?,
                _ => return Err(()),
            }
        }
        if let Some(filter) = &f.filter {
            let cond = self.env.coerce_to_boolean(self.try_expr(filter, scope)?).map_err(drop)?;
            agg.filter = Some(Box::new(cond));
        }
        // An ordered-set aggregate takes its WITHIN GROUP keys as its last
        // arguments: they are resolved and coerced with the others.
        let within = self.sort_items(&f.within_group, scope)?;
        let direct = args.len();
        args.extend(within.iter().map(|(n, _)| n.clone()));
        names.extend(within.iter().map(|_| None));
        let written: Vec<Node> = args.clone();
        let over = match &f.over {
            None => None,
            Some(w) => Some(super::query::window_text(self, w, scope)?),
        };
        let has_agg = agg != Agg::default() || !order_by.is_empty() || !within.is_empty();
        let how = Call { arg_names: names, form: CallForm::Call, over, star: agg.star, explicit_variadic };
        let node = self.resolve_call(schema.as_deref(), &name, args, how)?;
        let Node::Func(mut func) = node else {
            return if has_agg { Err(()) } else { Ok(node) };
        };
        let kind = self.env.proc_kind(&func);
        if (has_agg && kind != b'a') || (func.over.is_some() && kind == b'f') {
            return Err(());
        }
        let p = self.printer();
        if !within.is_empty() {
            let sorted = func.args.split_off(direct);
            func.arg_names.truncate(direct);
            let keys: Vec<String> = sorted.iter().zip(&within).map(|(n, (_, suffix))| format!("{}{suffix}", p.print(n, true))).collect();
            agg.within_group = Some(keys.join(", "));
        }
        if !order_by.is_empty() {
            // An ORDER BY key that is one of the arguments is that argument,
            // coerced like it (PostgreSQL shares the target entry).
            let keys: Vec<String> = order_by
                .iter()
                .map(|(n, suffix)| {
                    let shown = match written[..direct].iter().position(|a| a == n) {
                        Some(i) => func.args.get(i).unwrap_or(n),
                        None => n,
                    };
                    format!("{}{suffix}", p.print(shown, true))
                })
                .collect();
            agg.order_by = Some(keys.join(", "));
        }
        if kind == b'a' || has_agg {
            func.agg = Some(agg);
        }
        Ok(Node::Func(func))
    }

    /// ORDER BY keys: each expression, with its ` DESC`/` NULLS …` suffix.
    fn sort_items(&self, order: &[ast::OrderByExpr], scope: &Scope<'_>) -> Result<Vec<(Node, String)>, Failed> {
        order.iter().map(|o| Ok((self.try_expr(&o.expr, scope)?, deparse::sort_suffix(&o.options)))).collect()
    }

    /// A call of a built-in function (`name` resolved in `pg_catalog`
    /// first), positional arguments only.
    pub fn call(&self, name: &str, args: Vec<Node>, form: CallForm) -> Result<Node, Failed> {
        self.resolve_call(None, name, args, Call { form, ..Call::default() })
    }

    /// `ParseFuncOrColumn` for a resolved argument list.
    fn resolve_call(&self, schema: Option<&str>, name: &str, args: Vec<Node>, how: Call) -> Result<Node, Failed> {
        let Call { arg_names, form, over, star, explicit_variadic } = how;
        let env = self.env;
        let inputs: Vec<TypeId> = args.iter().map(Node::type_id).collect();
        if inputs.contains(&UNRESOLVED) {
            return Err(());
        }
        let names = if arg_names.len() == args.len() { arg_names } else { vec![None; args.len()] };
        let single_unknown_const = args.len() == 1 && args[0].is_unknown_literal();
        let lookup = env.lookup_function(schema, name, &inputs, &names, explicit_variadic, single_unknown_const);
        let candidate = match lookup {
            FuncLookup::Found(c) => c,
            FuncLookup::Coercion(target) => {
                let arg = args.into_iter().next().ok_or(())?;
                return env.coerce_type(arg.clone(), arg.type_id(), &Ty::of(target), Context::Explicit, Form::Explicit).map_err(drop);
            }
            FuncLookup::NotFound | FuncLookup::Ambiguous => return Err(()),
        };
        if candidate.proc.retset && over.is_none() && candidate.proc.kind == b'f' {
            // A set-returning function in an expression: not modelled.
        }
        if let Some(key) = &candidate.proc.key {
            self.deps.borrow_mut().functions.insert(key.clone());
        }
        let mut declared = candidate.args.clone();
        let mut ret = candidate.proc.ret.clone();
        if declared.iter().any(|d| is_polymorphic(*d)) || is_polymorphic(ret.id) {
            let (a, r) = env.resolve_polymorphic(&inputs, &declared, ret.id).ok_or(())?;
            declared = a;
            ret = Ty::of(r);
        }
        if ret.id == oids::RECORD && !candidate.proc.out_columns.is_empty() {
            ret = Ty::of(oids::RECORD);
        }
        let mut coerced = Vec::new();
        for (node, target) in args.into_iter().zip(&declared) {
            coerced.push(if *target == oids::ANY { node } else { self.coerce_arg(node, *target)? });
        }
        // VARIADIC arguments of a type other than "any" are passed as one
        // array, which PostgreSQL prints as `VARIADIC ARRAY[…]`.
        let mut variadic = explicit_variadic;
        let mut out_names = names.clone();
        if candidate.variadic_count > 0 && candidate.proc.variadic != oids::ANY {
            let elem = *declared.last().ok_or(())?;
            let array = env.array_of(elem);
            if array == 0 {
                return Err(());
            }
            let split = coerced.len() - candidate.variadic_count;
            let tail: Vec<Node> = coerced.split_off(split);
            coerced.push(Node::Array { elems: tail, ty: Ty::of(array), multidim: false });
            out_names.truncate(split);
            out_names.push(None);
            variadic = true;
        }
        let final_types: Vec<TypeId> = coerced.iter().map(Node::type_id).collect();
        let visible = match env.lookup_function(None, name, &final_types, &out_names, variadic, false) {
            FuncLookup::Found(c) => c.proc.id == candidate.proc.id,
            _ => false,
        };
        Ok(Node::Func(Box::new(Func {
            name: Name { schema: (!visible).then(|| candidate.proc.schema.clone()), name: name.to_string() },
            args: coerced,
            arg_names: out_names,
            ty: ret,
            form,
            variadic,
            agg: if star { Some(Agg { star: true, ..Agg::default() }) } else { None },
            over,
        })))
    }

    // ----- subqueries, field access -----

    fn sublink(&self, kind: SubLinkKind, test: Option<Node>, op: Option<&str>, query: &ast::Query, scope: &Scope<'_>) -> Result<Node, Failed> {
        let env = self.env;
        let analyzed = super::query::analyze_subquery(self, query, scope)?;
        let first = analyzed.columns.first().map(|(_, t)| t.clone());
        Ok(match kind {
            SubLinkKind::Exists => Node::SubLink(Box::new(SubLink { kind, test: None, op: None, query: analyzed.text, ty: Ty::of(oids::BOOL) })),
            SubLinkKind::Expr => {
                let ty = first.ok_or(())?;
                Node::SubLink(Box::new(SubLink { kind, test: None, op: None, query: analyzed.text, ty }))
            }
            SubLinkKind::Array => {
                let ty = first.ok_or(())?;
                let array = env.array_of(ty.id);
                if array == 0 {
                    return Err(());
                }
                Node::SubLink(Box::new(SubLink { kind, test: None, op: None, query: analyzed.text, ty: Ty::of(array) }))
            }
            SubLinkKind::Any | SubLinkKind::All => {
                let sub_ty = first.ok_or(())?;
                let op_name = op.ok_or(())?;
                // The comparison is made between the test expression and the
                // subquery's column; only the left side's coercion shows.
                let placeholder = Node::Verbatim { text: String::new(), ty: sub_ty };
                let cmp = self.make_op(None, op_name, test, placeholder)?;
                let (left, name) = match cmp {
                    Node::Op { left: Some(l), name, ty, .. } if ty.id == oids::BOOL => (*l, name),
                    _ => return Err(()),
                };
                Node::SubLink(Box::new(SubLink { kind, test: Some(left), op: Some(name), query: analyzed.text, ty: Ty::of(oids::BOOL) }))
            }
        })
    }

    fn access(&self, root: &Expr, chain: &[ast::AccessExpr], scope: &Scope<'_>) -> Result<Node, Failed> {
        let env = self.env;
        let mut node = self.try_expr(root, scope)?;
        let mut subscripts: Vec<Subscript> = Vec::new();
        let flush = |node: Node, subs: &mut Vec<Subscript>| -> Result<Node, Failed> {
            if subs.is_empty() {
                return Ok(node);
            }
            let t = env.base_type(&node.ty());
            let slice = subs.iter().any(|s| s.slice);
            let ty = if env.is_array(t.id) {
                if slice { t.clone() } else { Ty { id: env.elem_of(t.id), typmod: t.typmod.clone() } }
            } else if t.id == oids::JSONB && !slice {
                Ty::of(oids::JSONB)
            } else {
                return Err(());
            };
            Ok(Node::Subscript { arg: Box::new(node), subscripts: std::mem::take(subs), ty })
        };
        for a in chain {
            match a {
                ast::AccessExpr::Subscript(s) => {
                    let is_json = env.base_type(&node.ty()).id == oids::JSONB;
                    // Array subscripts are integers; jsonb's are text or integers
                    // (an untyped literal is taken as text).
                    let index = |e: &Expr| -> Result<Node, Failed> {
                        let n = self.try_expr(e, scope)?;
                        match (is_json, n.type_id()) {
                            (true, oids::UNKNOWN) => self.coerce_arg(n, oids::TEXT),
                            (true, _) => Ok(n),
                            (false, _) => self.coerce_arg(n, oids::INT4),
                        }
                    };
                    subscripts.push(match s {
                        ast::Subscript::Index { index: i } => Subscript { lower: None, upper: Some(index(i)?), slice: false },
                        ast::Subscript::Slice { lower_bound, upper_bound, stride: None } => Subscript {
                            lower: lower_bound.as_ref().map(index).transpose()?,
                            upper: upper_bound.as_ref().map(index).transpose()?,
                            slice: true,
                        },
                        _ => return Err(()),
                    });
                }
                ast::AccessExpr::Dot(Expr::Identifier(field)) => {
                    node = flush(node, &mut subscripts)?;
                    let field = fold(field);
                    let ty = env.field_type(&node.ty(), &field).ok_or(())?;
                    node = Node::FieldSelect { arg: Box::new(node), field, ty };
                }
                _ => return Err(()),
            }
        }
        flush(node, &mut subscripts)
    }
}

impl Env<'_> {
    /// Aggregate (`a`), window (`w`) or plain (`f`) function.
    pub fn proc_kind(&self, f: &Func) -> u8 {
        let types: Vec<TypeId> = f.args.iter().map(Node::type_id).collect();
        match self.lookup_function(f.name.schema.as_deref(), &f.name.name, &types, &f.arg_names, f.variadic, false) {
            FuncLookup::Found(c) => c.proc.kind,
            _ => b'f',
        }
    }

    /// The type of `field` of a composite value.
    pub fn field_type(&self, ty: &Ty, field: &str) -> Option<Ty> {
        match self.user_type_kind(ty.id)? {
            crate::model::UserTypeKind::Composite { attributes } => {
                let a = attributes.iter().find(|a| a.name == field)?;
                self.lookup_type(&a.data_type)
            }
            _ => None,
        }
    }
}

pub fn fold(ident: &ast::Ident) -> String {
    if ident.quote_style.is_some() { ident.value.clone() } else { ident.value.to_ascii_lowercase() }
}

pub fn peel(e: &Expr) -> &Expr {
    match e {
        Expr::Nested(inner) => peel(inner),
        other => other,
    }
}

fn plain_args(args: &[FunctionArg]) -> Result<Vec<Expr>, Failed> {
    args.iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Ok(e.clone()),
            _ => Err(()),
        })
        .collect()
}

fn collation_name(name: &ast::ObjectName) -> String {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => fold(i),
            other => other.to_string(),
        })
        .collect();
    let parts: Vec<&String> = match parts.as_slice() {
        [s, n] if s == "pg_catalog" || s == "public" => vec![n],
        _ => parts.iter().collect(),
    };
    parts.iter().map(|p| format!("\"{}\"", p.replace('"', "\"\""))).collect::<Vec<_>>().join(".")
}

/// The text of a string literal in any of its spellings.
fn string_value(v: &Value) -> Option<String> {
    match v {
        Value::SingleQuotedString(s)
        | Value::EscapedStringLiteral(s)
        | Value::UnicodeStringLiteral(s)
        | Value::NationalStringLiteral(s)
        | Value::TripleSingleQuotedString(s) => Some(s.clone()),
        Value::DollarQuotedString(d) => Some(d.value.clone()),
        _ => None,
    }
}

fn int4_const(n: i64) -> Node {
    Node::Const { ty: Ty::of(oids::INT4), value: Some(n.to_string()) }
}

/// `make_const` for a number: int4 when it fits, then int8, else numeric.
fn number_const(text: &str) -> Option<Node> {
    let integral = text.bytes().enumerate().all(|(i, b)| b.is_ascii_digit() || (i == 0 && b == b'-'));
    if integral {
        if let Ok(v) = text.parse::<i32>() {
            return Some(Node::Const { ty: Ty::of(oids::INT4), value: Some(v.to_string()) });
        }
        if let Ok(v) = text.parse::<i64>() {
            return Some(Node::Const { ty: Ty::of(oids::INT8), value: Some(v.to_string()) });
        }
    }
    let n = super::literal::numeric(text)?;
    Some(Node::Const { ty: Ty::of(oids::NUMERIC), value: Some(n) })
}

/// Whether an IN-list element refers to a column (PostgreSQL's
/// `contain_vars_of_level`); anything not understood counts as one.
fn has_column_ref(e: &Expr) -> bool {
    match e {
        Expr::Value(_) | Expr::TypedString(_) => false,
        Expr::Cast { expr, .. } | Expr::Nested(expr) | Expr::UnaryOp { expr, .. } | Expr::Collate { expr, .. } => has_column_ref(expr),
        Expr::BinaryOp { left, right, .. } => has_column_ref(left) || has_column_ref(right),
        Expr::Function(f) => match &f.args {
            FunctionArguments::None => false,
            FunctionArguments::List(list) => list.args.iter().any(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) | FunctionArg::Named { arg: FunctionArgExpr::Expr(e), .. } => {
                    has_column_ref(e)
                }
                _ => true,
            }),
            FunctionArguments::Subquery(_) => true,
        },
        Expr::Array(a) => a.elem.iter().any(has_column_ref),
        Expr::Tuple(items) => items.iter().any(has_column_ref),
        Expr::Interval(i) => has_column_ref(&i.value),
        _ => true,
    }
}
