//! Printing an analyzed expression the way PostgreSQL's deparser
//! (`ruleutils.c`, which `pg_get_expr`, `pg_get_constraintdef` and pg_dump
//! use) prints the stored tree, for `search_path = public`.
//!
//! Matching PostgreSQL token for token is the point: two expressions are
//! equal exactly when PostgreSQL prints them alike, and the printed text,
//! loaded back, is stored as the same tree (pg_dump relies on that). Only
//! whitespace differs: everything is on one line.
//!
//! `showimplicit` follows the deparser: an implicit coercion is printed
//! where the deparser shows it (operands, function arguments) and left out
//! where it does not (the top of a stored expression, inside a cast).

use super::catalog::oids;
use super::env::Env;
use super::node::{BoolOp, BoolTestKind, CallForm, Form, Func, Node, SqlValue, SubLinkKind, Syntax, Ty};
use crate::model::{quote_ident, quote_literal};

pub struct Deparser<'e, 'a> {
    pub env: &'e Env<'a>,
}

impl Deparser<'_, '_> {
    /// The text of a stored expression (a default, a CHECK, an index key).
    pub fn root(&self, node: &Node) -> String {
        self.print(node, false)
    }

    pub fn print(&self, node: &Node, showimplicit: bool) -> String {
        match node {
            Node::Const { ty, value } => self.constant(ty, value.as_deref(), 0),
            Node::Var { rel, name, .. } => match rel {
                Some(r) => format!("{}.{}", quote_ident(r), quote_ident(name)),
                None => quote_ident(name),
            },
            Node::WholeRow { rel, .. } => format!("{}.*", quote_ident(rel)),
            Node::DomainValue { .. } => "VALUE".to_string(),
            Node::Cast { arg, ty, form, .. } => {
                if *form == Form::Implicit && !showimplicit {
                    self.print(arg, false)
                } else if let Some(pushed) = self.array_cast(arg, ty) {
                    pushed
                } else {
                    self.coercion(arg, ty)
                }
            }
            Node::Func(f) => self.func(f, showimplicit),
            Node::Op { name, left, right, .. } => {
                let op = match &name.schema {
                    Some(s) => format!("OPERATOR({}.{})", quote_ident(s), name.name),
                    None => name.name.clone(),
                };
                match left {
                    Some(l) => format!("({} {op} {})", self.print(l, true), self.print(right, true)),
                    None => format!("({op} {})", self.print(right, true)),
                }
            }
            Node::Distinct { left, right } => {
                format!("({} IS DISTINCT FROM {})", self.print(left, true), self.print(right, true))
            }
            Node::NullIf { left, right, .. } => format!("NULLIF({}, {})", self.print(left, true), self.print(right, true)),
            Node::ScalarArrayOp { name, any, left, right } => {
                let op = match &name.schema {
                    Some(s) => format!("OPERATOR({}.{})", quote_ident(s), name.name),
                    None => name.name.clone(),
                };
                let right_text = self.print(right, true);
                // A bare scalar sub-SELECT would read back as ANY (SELECT …).
                let cast = match &**right {
                    Node::SubLink(s) if s.kind == SubLinkKind::Expr => format!("::{}", self.type_name(&right.ty())),
                    _ => String::new(),
                };
                format!("({} {op} {} ({right_text}{cast}))", self.print(left, true), if *any { "ANY" } else { "ALL" })
            }
            Node::Bool { op, args } => match op {
                BoolOp::Not => format!("(NOT {})", self.print(&args[0], false)),
                BoolOp::And | BoolOp::Or => {
                    let sep = if *op == BoolOp::And { " AND " } else { " OR " };
                    format!("({})", args.iter().map(|a| self.print(a, false)).collect::<Vec<_>>().join(sep))
                }
            },
            Node::NullTest { arg, not } => {
                format!("({} IS {}NULL)", self.print(arg, true), if *not { "NOT " } else { "" })
            }
            Node::BoolTest { arg, test } => {
                let what = match test {
                    BoolTestKind::IsTrue => "IS TRUE",
                    BoolTestKind::IsNotTrue => "IS NOT TRUE",
                    BoolTestKind::IsFalse => "IS FALSE",
                    BoolTestKind::IsNotFalse => "IS NOT FALSE",
                    BoolTestKind::IsUnknown => "IS UNKNOWN",
                    BoolTestKind::IsNotUnknown => "IS NOT UNKNOWN",
                };
                format!("({} {what})", self.print(arg, false))
            }
            Node::Case { arg, whens, default, .. } => {
                let mut out = String::from("CASE");
                if let Some(a) = arg {
                    out.push(' ');
                    out.push_str(&self.print(a, true));
                }
                for (cond, result) in whens {
                    out.push_str(" WHEN ");
                    let shown = match (arg, cond) {
                        // `CASE x WHEN v`: only the right side of the comparison.
                        (Some(_), Node::Op { left: Some(l), right, .. }) if is_case_test(l) => self.print(right, false),
                        _ => self.print(cond, false),
                    };
                    out.push_str(&shown);
                    out.push_str(" THEN ");
                    out.push_str(&self.print(result, true));
                }
                out.push_str(" ELSE ");
                out.push_str(&self.print(default, true));
                out.push_str(" END");
                out
            }
            Node::CaseTest { .. } => "CASE_TEST".to_string(),
            Node::Coalesce { args, .. } => format!("COALESCE({})", self.list(args)),
            Node::MinMax { greatest, args, .. } => {
                format!("{}({})", if *greatest { "GREATEST" } else { "LEAST" }, self.list(args))
            }
            Node::Array { elems, ty, .. } => {
                let mut out = format!("ARRAY[{}]", self.list(elems));
                if elems.is_empty() {
                    out.push_str(&format!("::{}", self.type_name(&Ty::of(ty.id))));
                }
                out
            }
            Node::Row { args, .. } => format!("ROW({})", self.list(args)),
            Node::SubLink(s) => {
                let test = s.test.as_ref().map(|t| self.print(t, true));
                let op = s.op.as_ref().map(|o| match &o.schema {
                    Some(sc) => format!("OPERATOR({}.{})", quote_ident(sc), o.name),
                    None => o.name.clone(),
                });
                match s.kind {
                    SubLinkKind::Exists => format!("(EXISTS ({}))", s.query),
                    SubLinkKind::Expr => format!("({})", s.query),
                    SubLinkKind::Array => format!("ARRAY({})", s.query),
                    SubLinkKind::Any if op.as_deref() == Some("=") => {
                        format!("({} IN ({}))", test.unwrap_or_default(), s.query)
                    }
                    SubLinkKind::Any => format!("({} {} ANY ({}))", test.unwrap_or_default(), op.unwrap_or_default(), s.query),
                    SubLinkKind::All => format!("({} {} ALL ({}))", test.unwrap_or_default(), op.unwrap_or_default(), s.query),
                }
            }
            Node::SqlValue { kind, precision, .. } => {
                let word = match kind {
                    SqlValue::CurrentDate => "CURRENT_DATE",
                    SqlValue::CurrentTime => "CURRENT_TIME",
                    SqlValue::CurrentTimestamp => "CURRENT_TIMESTAMP",
                    SqlValue::LocalTime => "LOCALTIME",
                    SqlValue::LocalTimestamp => "LOCALTIMESTAMP",
                    SqlValue::CurrentRole => "CURRENT_ROLE",
                    SqlValue::CurrentUser => "CURRENT_USER",
                    SqlValue::User => "USER",
                    SqlValue::SessionUser => "SESSION_USER",
                    SqlValue::CurrentCatalog => "CURRENT_CATALOG",
                    SqlValue::CurrentSchema => "CURRENT_SCHEMA",
                };
                match precision {
                    Some(p) => format!("{word}({p})"),
                    None => word.to_string(),
                }
            }
            Node::Collate { arg, collation, .. } => format!("({} COLLATE {collation})", self.print(arg, showimplicit)),
            Node::FieldSelect { arg, field, .. } => {
                let inner = self.print(arg, true);
                let inner = if matches!(**arg, Node::Subscript { .. } | Node::FieldSelect { .. }) { inner } else { format!("({inner})") };
                format!("{inner}.{}", quote_ident(field))
            }
            Node::Subscript { arg, subscripts, .. } => {
                let inner = self.print(arg, showimplicit);
                let mut out = if matches!(**arg, Node::Var { .. } | Node::FieldSelect { .. }) { inner } else { format!("({inner})") };
                for s in subscripts {
                    out.push('[');
                    if s.slice {
                        if let Some(l) = &s.lower {
                            out.push_str(&self.print(l, false));
                        }
                        out.push(':');
                    }
                    if let Some(u) = &s.upper {
                        out.push_str(&self.print(u, false));
                    }
                    out.push(']');
                }
                out
            }
            Node::Verbatim { text, .. } => text.clone(),
        }
    }

    /// A shown cast of `ARRAY[…]` to another array type. PostgreSQL prints
    /// `(ARRAY[a, b])::text[]`, but reads that text back as a cast of each
    /// element (`ARRAY[(a)::text, (b)::text]`), which is what a schema
    /// settles on after a dump and restore: the canonical form is that one.
    fn array_cast(&self, arg: &Node, ty: &Ty) -> Option<String> {
        let Node::Array { elems, multidim: false, .. } = arg else { return None };
        if elems.is_empty() {
            return None;
        }
        let elem = Ty { id: self.env.elem_of(ty.id), typmod: ty.typmod.clone() };
        if elem.id == 0 {
            return None;
        }
        let mut items = Vec::new();
        for e in elems {
            let cast = self.env.coerce_to_target(e.clone(), &elem, super::coerce::Context::Explicit, Form::Explicit).ok()?;
            items.push(self.print(&cast, true));
        }
        Some(format!("ARRAY[{}]", items.join(", ")))
    }

    fn list(&self, args: &[Node]) -> String {
        args.iter().map(|a| self.print(a, true)).collect::<Vec<_>>().join(", ")
    }

    /// `get_coercion_expr`: `arg::type`, a constant of that very type without
    /// its own label.
    fn coercion(&self, arg: &Node, ty: &Ty) -> String {
        let inner = match arg {
            Node::Const { ty: ct, value } if ct.id == ty.id && ct.typmod.is_empty() => self.constant(ct, value.as_deref(), -1),
            _ => format!("({})", self.print(arg, false)),
        };
        format!("{inner}::{}", self.type_name(ty))
    }

    pub fn type_name(&self, ty: &Ty) -> String {
        // With an explicit typmod of -1, `bpchar` and `bit` are printed as
        // such: `character` and `bit` alone would mean a length of 1.
        if ty.typmod.is_empty() {
            match ty.id {
                oids::BPCHAR => return "bpchar".into(),
                oids::BIT => return "\"bit\"".into(),
                _ => {}
            }
        }
        self.env.type_display(ty)
    }

    /// `get_const_expr`; `showtype` -1 leaves the type label off.
    pub fn constant(&self, ty: &Ty, value: Option<&str>, showtype: i32) -> String {
        let Some(v) = value else {
            return if showtype >= 0 { format!("NULL::{}", self.type_name(ty)) } else { "NULL".into() };
        };
        let (text, mut needlabel) = match ty.id {
            // A negative integer is quoted so that it reads back as one constant.
            oids::INT4 if !v.starts_with('-') => (v.to_string(), false),
            oids::INT4 => (quote_literal(v), true),
            oids::NUMERIC if v.starts_with(|c: char| c.is_ascii_digit()) && v.contains(['.', 'e', 'E']) => (v.to_string(), false),
            oids::NUMERIC => (quote_literal(v), true),
            oids::BOOL => ((if v == "t" { "true" } else { "false" }).to_string(), false),
            _ => (quote_literal(v), true),
        };
        if showtype < 0 {
            return text;
        }
        needlabel = match ty.id {
            oids::BOOL | oids::UNKNOWN => false,
            oids::INT4 => needlabel,
            oids::NUMERIC => needlabel || !ty.typmod.is_empty(),
            _ => true,
        };
        if needlabel { format!("{text}::{}", self.type_name(ty)) } else { text }
    }

    fn func(&self, f: &Func, _showimplicit: bool) -> String {
        if let CallForm::Syntax(syntax) = f.form
            && let Some(text) = self.sql_syntax(syntax, &f.args)
        {
            return text;
        }
        let name = match &f.name.schema {
            Some(s) => format!("{}.{}", quote_ident(s), quote_ident(&f.name.name)),
            None => quote_ident(&f.name.name),
        };
        let mut args: Vec<String> = Vec::new();
        let last = f.args.len().saturating_sub(1);
        for (i, a) in f.args.iter().enumerate() {
            let mut text = String::new();
            if f.variadic && i == last {
                text.push_str("VARIADIC ");
            }
            if let Some(Some(n)) = f.arg_names.get(i) {
                text.push_str(&format!("{} => ", quote_ident(n)));
            }
            text.push_str(&self.print(a, true));
            args.push(text);
        }
        let mut out = match &f.agg {
            Some(agg) if agg.within_group.is_some() => {
                format!("{name}({}) WITHIN GROUP (ORDER BY {})", args.join(", "), agg.within_group.clone().unwrap_or_default())
            }
            Some(agg) => {
                let mut inner = String::new();
                if agg.distinct {
                    inner.push_str("DISTINCT ");
                }
                if agg.star {
                    inner.push('*');
                } else {
                    inner.push_str(&args.join(", "));
                }
                if let Some(order) = &agg.order_by {
                    inner.push_str(" ORDER BY ");
                    inner.push_str(order);
                }
                format!("{name}({inner})")
            }
            None => format!("{name}({})", args.join(", ")),
        };
        if let Some(filter) = f.agg.as_ref().and_then(|a| a.filter.as_ref()) {
            out.push_str(&format!(" FILTER (WHERE {})", self.print(filter, false)));
        }
        if let Some(over) = &f.over {
            out.push_str(" OVER ");
            out.push_str(over);
        }
        out
    }

    /// `get_func_sql_syntax`: calls PostgreSQL prints in the SQL-standard
    /// syntax they were written in.
    fn sql_syntax(&self, syntax: Syntax, args: &[Node]) -> Option<String> {
        let p = |n: &Node| self.print(n, false);
        Some(match (syntax, args) {
            (Syntax::AtTimeZone, [zone, ts]) => format!("({} AT TIME ZONE {})", p(ts), p(zone)),
            (Syntax::Extract, [Node::Const { value: Some(field), .. }, x]) => format!("EXTRACT({field} FROM {})", p(x)),
            (Syntax::Overlay, [a, b, c]) => format!("OVERLAY({} PLACING {} FROM {})", p(a), p(b), p(c)),
            (Syntax::Overlay, [a, b, c, d]) => format!("OVERLAY({} PLACING {} FROM {} FOR {})", p(a), p(b), p(c), p(d)),
            (Syntax::Position, [hay, needle]) => format!("POSITION(({}) IN ({}))", p(needle), p(hay)),
            (Syntax::Substring, [a, b]) => format!("SUBSTRING({} FROM {})", p(a), p(b)),
            (Syntax::Substring, [a, b, c]) => format!("SUBSTRING({} FROM {} FOR {})", p(a), p(b), p(c)),
            (Syntax::SubstringSimilar, [a, b, c]) => format!("SUBSTRING({} SIMILAR {} ESCAPE {})", p(a), p(b), p(c)),
            (Syntax::TrimBoth | Syntax::TrimLeading | Syntax::TrimTrailing, [x, rest @ ..]) => {
                let word = match syntax {
                    Syntax::TrimBoth => "BOTH",
                    Syntax::TrimLeading => "LEADING",
                    _ => "TRAILING",
                };
                match rest {
                    [] => format!("TRIM({word} FROM {})", p(x)),
                    [chars] => format!("TRIM({word} {} FROM {})", p(chars), p(x)),
                    _ => return None,
                }
            }
            (Syntax::Normalize, [x]) => format!("NORMALIZE({})", p(x)),
            (Syntax::IsNormalized, [x]) => format!("({} IS NORMALIZED)", p(x)),
            (Syntax::CollationFor, [x]) => format!("COLLATION FOR ({})", p(x)),
            _ => return None,
        })
    }
}

/// `looks_like_function`: what an index or partition key prints without
/// parentheses of its own.
pub fn looks_like_function(node: &Node) -> bool {
    matches!(node, Node::Func(_) | Node::Coalesce { .. } | Node::MinMax { .. } | Node::NullIf { .. } | Node::SqlValue { .. })
}

fn is_case_test(node: &Node) -> bool {
    match node {
        Node::CaseTest { .. } => true,
        Node::Cast { arg, form: Form::Implicit, .. } => is_case_test(arg),
        _ => false,
    }
}

/// ` DESC`, ` NULLS FIRST`: only what differs from the default ordering.
pub fn sort_suffix(options: &sqlparser::ast::OrderByOptions) -> String {
    let desc = matches!(options.sort, Some(sqlparser::ast::OrderBySort::Desc));
    let mut out = String::new();
    if desc {
        out.push_str(" DESC");
    }
    match (desc, options.nulls_first) {
        (false, Some(true)) => out.push_str(" NULLS FIRST"),
        (true, Some(false)) => out.push_str(" NULLS LAST"),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::postgres::read::canon::node::Ty;

    #[test]
    fn constants_are_labelled_as_postgres_labels_them() {
        let env = Env::builtin();
        let d = Deparser { env: &env };
        let c = |id, v: &str| d.constant(&Ty::of(id), Some(v), 0);
        assert_eq!(c(oids::INT4, "1"), "1");
        assert_eq!(c(oids::INT4, "-1"), "'-1'::integer");
        assert_eq!(c(oids::INT8, "5000000000"), "'5000000000'::bigint");
        assert_eq!(c(oids::NUMERIC, "1.5"), "1.5");
        assert_eq!(c(oids::NUMERIC, "1000"), "'1000'::numeric");
        assert_eq!(c(oids::BOOL, "t"), "true");
        assert_eq!(c(oids::TEXT, "it's"), "'it''s'::text");
        assert_eq!(c(oids::VARCHAR, "x"), "'x'::character varying");
        assert_eq!(c(oids::BPCHAR, "x"), "'x'::bpchar");
        assert_eq!(c(oids::UNKNOWN, "x"), "'x'");
        assert_eq!(d.constant(&Ty::of(oids::TEXT), None, 0), "NULL::text");
    }
}
