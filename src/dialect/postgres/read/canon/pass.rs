//! Making every expression of a model canonical, each in its own context:
//! the columns it may refer to and the type it is coerced to, the way
//! PostgreSQL analyzes it when the object is created.

use super::coerce::Context;
use super::deparse::Deparser;
use super::env::Env;
use super::expr::{Analyzer, RelScope, Scope, UNRESOLVED};
use super::node::{Form, Node, Ty};
use crate::model::{ConstraintKind, DataType, QName, Schema, UserTypeKind};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Where an expression lives, which decides what it is resolved against.
#[derive(Debug, Clone, Copy)]
pub enum Place<'a> {
    /// A column's DEFAULT: coerced to the column's type. A default that is
    /// just NULL canonicalizes to the empty text: PostgreSQL stores none.
    Default { table: &'a QName, column: &'a str },
    /// A generated column's expression: coerced to the column's type.
    Generated { table: &'a QName, column: &'a str },
    /// A CHECK constraint (or a policy's condition): boolean.
    Check { table: &'a QName },
    /// An index key expression on a table or materialized view.
    IndexKey { table: &'a QName },
    /// A partial index's (or an exclusion constraint's) predicate: boolean.
    IndexPredicate { table: &'a QName },
    /// A trigger's WHEN: boolean, with `new` and `old`.
    TriggerWhen { table: &'a QName },
    /// A domain's CHECK: boolean, with `VALUE`.
    DomainCheck { domain: &'a QName },
    /// A domain's DEFAULT: coerced to the base type.
    DomainDefault { domain: &'a QName },
    /// A function argument's DEFAULT: coerced to the argument's type.
    ArgDefault { data_type: &'a DataType },
}

/// The canonical text of `text` at `place` in `schema` (the text itself
/// when it does not parse).
pub fn canonicalize(schema: &Schema, place: Place<'_>, text: &str) -> String {
    let env = Env::new(schema);
    canonical_in(&env, place, text).unwrap_or_else(|| text.to_string())
}

/// The output columns of a view, with their types (`None` when the query
/// cannot be resolved).
pub fn view_output_columns(schema: &Schema, view: &QName) -> Option<Vec<(String, DataType)>> {
    let env = Env::new(schema);
    let cols = env.relation_columns(view)?;
    cols.into_iter()
        .map(|(n, t)| Some((n, DataType::parse(&Deparser { env: &env }.type_name(&t))?)))
        .collect()
}

/// A view's query made canonical against `schema` as it is now (`None`
/// when it cannot be resolved yet): the reader resolves a view when it is
/// created, because `*` stands for the columns its tables have then.
pub fn view_query_now(schema: &Schema, query: &sqlparser::ast::Query, columns: &[String]) -> Option<String> {
    let env = Env::new(schema);
    super::query::canonical_query(&env, query, columns)
}

/// An expression that sees the relations `rels` (each under its name: a
/// rule's `new` and `old`, an UPDATE's target), resolved against `schema`
/// as it is now, with its columns qualified.
pub fn scoped_expr(schema: &Schema, rels: &[(String, QName)], e: &sqlparser::ast::Expr) -> String {
    let env = Env::new(schema);
    let scope = rel_scope(&env, rels);
    Deparser { env: &env }.root(&Analyzer::new(&env).expr(e, &scope))
}

/// A query that sees the relations `rels` (see [`scoped_expr`]); as
/// written when it cannot be resolved.
pub fn scoped_query(schema: &Schema, rels: &[(String, QName)], q: &sqlparser::ast::Query) -> String {
    let env = Env::new(schema);
    let scope = rel_scope(&env, rels);
    super::query::analyze_subquery(&Analyzer::new(&env), q, &scope).map(|a| a.text).unwrap_or_else(|()| super::query_text(q))
}

fn rel_scope<'p>(env: &Env<'_>, rels: &[(String, QName)]) -> Scope<'p> {
    let rels = rels
        .iter()
        .map(|(refname, table)| {
            RelScope::new(refname, vec![vec![refname.clone()]], env.relation_columns(table).unwrap_or_default(), Some(table.clone()))
        })
        .collect();
    Scope { rels, parent: None, value: None, qualify: true }
}

fn parse_expr(text: &str) -> Option<sqlparser::ast::Expr> {
    crate::dialect::postgres::read::compat::parser(text).ok()?.parse_expr().ok()
}

/// What an expression of `table` sees: its columns. A table's expressions
/// are resolved one after another, so the last table's scope is kept
/// (building it copies every column's name and type twice).
fn table_scope(env: &Env<'_>, table: &QName) -> Rc<Scope<'static>> {
    if let Some((name, scope)) = &*env.last_table_scope.borrow()
        && name == table
    {
        return scope.clone();
    }
    let scope = Rc::new(Scope::table(table, env.relation_columns(table).unwrap_or_default()));
    *env.last_table_scope.borrow_mut() = Some((table.clone(), scope.clone()));
    scope
}

/// The type of `column` in a table's scope.
fn column_type(scope: &Scope<'_>, column: &str) -> Option<Ty> {
    scope.rels.first()?.columns.iter().find(|(c, _)| c == column).map(|(_, t)| t.clone())
}

fn canonical_in(env: &Env<'_>, place: Place<'_>, text: &str) -> Option<String> {
    canonical_with(&Analyzer::new(env), place, text)
}

/// [`canonical_in`] with an analyzer of the caller's (which notes what the
/// text uses).
pub(super) fn canonical_with(a: &Analyzer<'_, '_>, place: Place<'_>, text: &str) -> Option<String> {
    let env = a.env;
    let e = parse_expr(text)?;
    let p = Deparser { env };
    let assign = |node: Node, target: Option<Ty>| -> Node {
        match target {
            Some(t) if node.type_id() != UNRESOLVED => {
                env.coerce_to_target(node.clone(), &t, Context::Assignment, Form::Implicit).unwrap_or(node)
            }
            _ => node,
        }
    };
    let boolean = |node: Node| -> Node {
        if node.type_id() == UNRESOLVED {
            return node;
        }
        env.coerce_to_boolean(node.clone()).unwrap_or(node)
    };
    let node = match place {
        Place::Default { table, column } => {
            let scope = table_scope(env, table);
            let node = assign(a.expr(&e, &scope), column_type(&scope, column));
            // PostgreSQL keeps no default that is just NULL (one over a
            // domain is a domain coercion, not a bare constant, and stays).
            if matches!(node, Node::Const { value: None, .. }) {
                return Some(String::new());
            }
            node
        }
        Place::Generated { table, column } => {
            let scope = table_scope(env, table);
            assign(a.expr(&e, &scope), column_type(&scope, column))
        }
        Place::Check { table } | Place::IndexPredicate { table } => boolean(a.expr(&e, &table_scope(env, table))),
        Place::IndexKey { table } => a.expr(&e, &table_scope(env, table)),
        Place::TriggerWhen { table } => {
            let columns = env.relation_columns(table).unwrap_or_default();
            let rel = |n: &str| RelScope::new(n, vec![vec![n.to_string()]], columns.clone(), Some((*table).clone()));
            let scope = Scope { rels: vec![rel("new"), rel("old")], parent: None, value: None, qualify: true };
            boolean(a.expr(&e, &scope))
        }
        Place::DomainCheck { domain } => {
            let base = domain_base(env, domain);
            let scope = Scope { rels: Vec::new(), parent: None, value: base, qualify: false };
            boolean(a.expr(&e, &scope))
        }
        Place::DomainDefault { domain } => assign(a.expr(&e, &Scope::default()), domain_base(env, domain)),
        Place::ArgDefault { data_type } => assign(a.expr(&e, &Scope::default()), env.lookup_type(data_type)),
    };
    Some(p.root(&node))
}

fn domain_base(env: &Env<'_>, domain: &QName) -> Option<Ty> {
    let t = env.schema?.types.get(domain)?;
    match &t.kind {
        UserTypeKind::Domain { base, .. } => env.lookup_type(base).map(|b| env.base_type(&b)),
        _ => None,
    }
}

/// Where an expression sits in the model, to write its canonical text back.
enum Slot {
    Default(QName, usize),
    Generated(QName, usize),
    Check(QName, String),
    ExcludePredicate(QName, String),
    ExcludeElement(QName, String, usize),
    IndexKey(QName, String, usize),
    IndexPredicate(QName, String),
    ViewIndexKey(QName, String, usize),
    ViewIndexPredicate(QName, String),
    TriggerWhen(QName, String),
    ViewTriggerWhen(QName, String),
    DomainCheck(QName, String),
    DomainDefault(QName),
    ArgDefault(String, usize),
    PartitionBy(QName),
    FunctionBody(String),
    PolicyUsing(QName, String),
    PolicyCheck(QName, String),
    StatisticsExpr(QName, usize),
    RowFilter(String, QName),
    ViewQuery(QName),
}

/// A table expression whose column references the checks after reading
/// (`read::validate`) look at: which object it belongs to is named beside
/// it (the constraint, index, column or trigger).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableExpr {
    Check,
    IndexKey(usize),
    IndexPredicate,
    Generated,
    TriggerWhen,
}

/// What resolving a schema's expressions found out about the columns its
/// table expressions name and the relations its views read, so that the
/// checks after reading (`read::validate`) need not analyze them again.
///
/// An expression is *settled* when its analysis found every column it names
/// in its table and either left its text as it was or resolved all of it
/// (the canonical text then names the same columns): analyzing the stored
/// text again could find no missing column. A view's query likewise, with
/// the relations it reads.
#[derive(Debug, Default)]
pub struct Resolution {
    /// By table: the expressions that are not settled (an unknown column,
    /// or text rewritten from a partial analysis). Few or none.
    unsettled: HashMap<QName, Vec<(TableExpr, String)>>,
    /// The views whose query is not settled: it reads a relation that does
    /// not exist or could not be read, or was rewritten from a partial
    /// analysis.
    unsettled_views: HashSet<QName>,
}

impl Resolution {
    /// Whether the expression `what` of `object` (constraint, index, column
    /// or trigger) of `table` is settled. Only tables as they were resolved:
    /// what [`super::super::finish`] adds afterwards (a partition's copies of
    /// its parent's indexes and CHECKs) was not looked at.
    pub fn settled(&self, table: &QName, what: TableExpr, object: &str) -> bool {
        self.unsettled.get(table).is_none_or(|u| !u.iter().any(|(w, o)| *w == what && o == object))
    }

    /// Whether the query of `view` is settled: it reads only relations that
    /// exist and whose columns are known, so analyzing it again could find
    /// none missing or unreadable.
    pub fn view_settled(&self, view: &QName) -> bool {
        !self.unsettled_views.contains(view)
    }
}

/// Makes every expression and view query of `schema` canonical.
pub fn resolve_schema(schema: &mut Schema) -> Resolution {
    if schema.dialect != crate::model::Dialect::Postgres {
        return Resolution::default();
    }
    let (updates, resolution) = {
        let env = Env::new(schema);
        collect(&env, schema)
    };
    for (slot, text) in updates {
        apply(schema, slot, text);
    }
    resolution
}

/// The canonical text of `text` at `place` (as [`canonical_in`]), and
/// whether the text it leaves is settled (see [`Resolution`]).
fn canonical_settled(env: &Env<'_>, place: Place<'_>, text: &str) -> (Option<String>, bool) {
    let a = Analyzer::new(env);
    let canonical = canonical_with(&a, place, text);
    let all_found = a.deps.borrow().missing_columns.is_empty();
    let unchanged = canonical.as_deref().is_none_or(|c| c == text);
    (canonical, all_found && (unchanged || !a.unresolved.get()))
}

fn collect(env: &Env<'_>, schema: &Schema) -> (Vec<(Slot, String)>, Resolution) {
    let mut out = Vec::new();
    let mut resolution = Resolution::default();
    let mut other = Vec::new();
    // A column default cannot refer to columns: the same text for the same
    // type is the same default wherever it is (large schemas repeat a few
    // defaults thousands of times).
    let mut defaults: HashMap<(&DataType, &str), Option<String>> = HashMap::new();
    for (name, t) in &schema.tables {
        for (i, c) in t.columns.iter().enumerate() {
            let Some(d) = &c.default else { continue };
            let place = Place::Default { table: name, column: &c.name };
            let canonical = defaults.entry((&c.data_type, d.0.as_str())).or_insert_with(|| canonical_in(env, place, &d.0));
            if let Some(text) = canonical.as_ref().filter(|text| **text != d.0) {
                out.push((Slot::Default(name.clone(), i), text.clone()));
            }
        }
    }
    // `noted`: a table expression the checks after reading look at (see
    // [`Resolution`]), with its table and the object it belongs to.
    let mut push = |slot: Slot, place: Place<'_>, text: &str, noted: Option<(&QName, TableExpr, &str)>| {
        let canonical = match noted {
            None => canonical_in(env, place, text),
            Some((table, what, object)) => {
                let (canonical, settled) = canonical_settled(env, place, text);
                if !settled {
                    resolution.unsettled.entry(table.clone()).or_default().push((what, object.to_string()));
                }
                canonical
            }
        };
        if let Some(c) = canonical
            && c != text
        {
            out.push((slot, c));
        }
    };
    for (name, t) in &schema.tables {
        if let Some(by) = &t.partition_by
            && let Some(c) = partition_key(env, name, by)
            && c != *by
        {
            other.push((Slot::PartitionBy(name.clone()), c));
        }
        for (i, c) in t.columns.iter().enumerate() {
            if let Some(g) = &c.generated {
                push(Slot::Generated(name.clone(), i), Place::Generated { table: name, column: &c.name }, &g.0, Some((name, TableExpr::Generated, &c.name)));
            }
        }
        for (cname, c) in &t.constraints {
            match &c.kind {
                ConstraintKind::Check { expr, .. } => {
                    push(Slot::Check(name.clone(), cname.clone()), Place::Check { table: name }, &expr.0, Some((name, TableExpr::Check, cname)))
                }
                ConstraintKind::Exclude { elements, predicate, .. } => {
                    for (i, (el, _)) in elements.iter().enumerate() {
                        if !is_plain_name(el) {
                            push(Slot::ExcludeElement(name.clone(), cname.clone(), i), Place::IndexKey { table: name }, el, None);
                        }
                    }
                    if let Some(p) = predicate {
                        push(Slot::ExcludePredicate(name.clone(), cname.clone()), Place::IndexPredicate { table: name }, &p.0, None);
                    }
                }
                _ => {}
            }
        }
        for (iname, index) in &t.indexes {
            for (k, key) in index.keys.iter().enumerate() {
                if key.expression {
                    push(Slot::IndexKey(name.clone(), iname.clone(), k), Place::IndexKey { table: name }, &key.expr, Some((name, TableExpr::IndexKey(k), iname)));
                }
            }
            if let Some(p) = &index.predicate {
                push(Slot::IndexPredicate(name.clone(), iname.clone()), Place::IndexPredicate { table: name }, &p.0, Some((name, TableExpr::IndexPredicate, iname)));
            }
        }
        for (tname, trigger) in &t.triggers {
            if let Some(w) = &trigger.when {
                push(Slot::TriggerWhen(name.clone(), tname.clone()), Place::TriggerWhen { table: name }, &w.0, Some((name, TableExpr::TriggerWhen, tname)));
            }
        }
        // A policy's conditions are boolean expressions over the table's rows.
        for (pname, policy) in &t.policies {
            if let Some(u) = &policy.using {
                push(Slot::PolicyUsing(name.clone(), pname.clone()), Place::Check { table: name }, &u.0, None);
            }
            if let Some(c) = &policy.with_check {
                push(Slot::PolicyCheck(name.clone(), pname.clone()), Place::Check { table: name }, &c.0, None);
            }
        }
    }
    for (name, s) in &schema.statistics {
        for (i, e) in s.expressions.iter().enumerate() {
            push(Slot::StatisticsExpr(name.clone(), i), Place::IndexKey { table: &s.table }, &e.0, None);
        }
    }
    for (name, p) in &schema.publications {
        for (table, t) in &p.tables {
            if let Some(f) = &t.row_filter {
                push(Slot::RowFilter(name.clone(), table.clone()), Place::Check { table }, &f.0, None);
            }
        }
    }
    for (name, v) in &schema.views {
        for (iname, index) in &v.indexes {
            for (k, key) in index.keys.iter().enumerate() {
                if key.expression {
                    push(Slot::ViewIndexKey(name.clone(), iname.clone(), k), Place::IndexKey { table: name }, &key.expr, None);
                }
            }
            if let Some(p) = &index.predicate {
                push(Slot::ViewIndexPredicate(name.clone(), iname.clone()), Place::IndexPredicate { table: name }, &p.0, None);
            }
        }
        for (tname, trigger) in &v.triggers {
            if let Some(w) = &trigger.when {
                push(Slot::ViewTriggerWhen(name.clone(), tname.clone()), Place::TriggerWhen { table: name }, &w.0, None);
            }
        }
    }
    for (name, t) in &schema.types {
        if let UserTypeKind::Domain { default, checks, .. } = &t.kind {
            if let Some(d) = default {
                push(Slot::DomainDefault(name.clone()), Place::DomainDefault { domain: name }, &d.0, None);
            }
            for (cname, check) in checks {
                push(Slot::DomainCheck(name.clone(), cname.clone()), Place::DomainCheck { domain: name }, &check.0, None);
            }
        }
    }
    for (key, f) in &schema.functions {
        if let Some(body) = sql_body(env, f)
            && body != f.body
        {
            other.push((Slot::FunctionBody(key.clone()), body));
        }
        for (i, arg) in f.args.iter().enumerate() {
            if let Some(d) = &arg.default {
                push(Slot::ArgDefault(key.clone(), i), Place::ArgDefault { data_type: &arg.data_type }, &d.0, None);
            }
        }
    }
    out.extend(other);
    for (name, v) in &schema.views {
        let a = Analyzer::new(env);
        let canonical = super::query::analyze_view(&a, v);
        let changed = canonical.as_ref().filter(|text| **text != v.query || !v.columns.is_empty());
        let deps = a.deps.borrow();
        let reads_all = deps.missing_relations.is_empty() && deps.unreadable_relations.is_empty();
        if !reads_all || (changed.is_some() && a.unresolved.get()) {
            resolution.unsettled_views.insert(name.clone());
        }
        if let Some(text) = changed {
            out.push((Slot::ViewQuery(name.clone()), text.clone()));
        }
    }
    (out, resolution)
}

/// `PARTITION BY RANGE (a, lower(b))` as `pg_get_partkeydef` prints it:
/// each expression key canonical, in parentheses unless it reads as a
/// function call.
fn partition_key(env: &Env<'_>, table: &QName, by: &str) -> Option<String> {
    let open = by.find('(')?;
    let strategy = by[..open].trim();
    let inner = by[open + 1..].trim_end().strip_suffix(')')?;
    let scope = table_scope(env, table);
    let a = Analyzer::new(env);
    let p = Deparser { env };
    let keys: Vec<String> = crate::dialect::postgres::read::function::split_top_level(inner)
        .iter()
        .map(|k| match parse_expr(k) {
            Some(sqlparser::ast::Expr::Identifier(id)) => crate::model::quote_ident(&super::expr::fold(&id)),
            Some(e) => {
                let node = a.expr(&e, &scope);
                let text = p.root(&node);
                if super::deparse::looks_like_function(&node) { text } else { format!("({text})") }
            }
            None => k.clone(),
        })
        .collect();
    Some(format!("{strategy} ({})", keys.join(", ")))
}

/// A SQL-standard `RETURN expr` body as `pg_get_function_sqlbody` prints
/// it: the parameters resolve to the function's arguments, qualified by the
/// function's name where a relation of the query could hide them.
fn sql_body(env: &Env<'_>, f: &crate::model::Function) -> Option<String> {
    sql_body_with(&Analyzer::new(env), f)
}

/// [`sql_body`] with an analyzer of the caller's.
pub(super) fn sql_body_with(a: &Analyzer<'_, '_>, f: &crate::model::Function) -> Option<String> {
    let env = a.env;
    let expr_text = f.body.strip_prefix("RETURN ")?;
    let e = parse_expr(expr_text)?;
    let columns: Vec<(String, Ty)> = f
        .args
        .iter()
        .filter(|a| a.mode != crate::model::ArgMode::Out)
        .filter_map(|a| Some((a.name.clone()?, env.lookup_type(&a.data_type).unwrap_or_else(|| Ty::of(UNRESOLVED)))))
        .collect();
    let name = f.name.name.clone();
    let mut names = vec![vec![name.clone()], vec![f.name.schema.clone(), name.clone()]];
    names.dedup();
    let params = RelScope::new(&name, names, columns, None);
    let scope = Scope { rels: vec![params], parent: None, value: None, qualify: false };
    let node = a.expr(&e, &scope);
    Some(format!("RETURN {}", Deparser { env }.root(&node)))
}

fn is_plain_name(text: &str) -> bool {
    matches!(parse_expr(text), Some(sqlparser::ast::Expr::Identifier(_)))
}

fn apply(schema: &mut Schema, slot: Slot, text: String) {
    use crate::model::Expr;
    match slot {
        Slot::Default(t, i) => set(schema.tables.get_mut(&t).and_then(|t| t.columns.get_mut(i)).map(|c| &mut c.default), text),
        Slot::Generated(t, i) => set(schema.tables.get_mut(&t).and_then(|t| t.columns.get_mut(i)).map(|c| &mut c.generated), text),
        Slot::Check(t, c) => {
            if let Some(ConstraintKind::Check { expr, .. }) = schema.tables.get_mut(&t).and_then(|t| t.constraints.get_mut(&c)).map(|c| &mut c.kind) {
                *expr = Expr(text);
            }
        }
        Slot::ExcludePredicate(t, c) => {
            if let Some(ConstraintKind::Exclude { predicate, .. }) = schema.tables.get_mut(&t).and_then(|t| t.constraints.get_mut(&c)).map(|c| &mut c.kind) {
                *predicate = Some(Expr(text));
            }
        }
        Slot::ExcludeElement(t, c, i) => {
            if let Some(ConstraintKind::Exclude { elements, .. }) = schema.tables.get_mut(&t).and_then(|t| t.constraints.get_mut(&c)).map(|c| &mut c.kind)
                && let Some(el) = elements.get_mut(i)
            {
                el.0 = text;
            }
        }
        Slot::IndexKey(t, i, k) => {
            if let Some(key) = schema.tables.get_mut(&t).and_then(|t| t.indexes.get_mut(&i)).and_then(|i| i.keys.get_mut(k)) {
                key.expr = text;
            }
        }
        Slot::IndexPredicate(t, i) => set(schema.tables.get_mut(&t).and_then(|t| t.indexes.get_mut(&i)).map(|i| &mut i.predicate), text),
        Slot::ViewIndexKey(v, i, k) => {
            if let Some(key) = schema.views.get_mut(&v).and_then(|v| v.indexes.get_mut(&i)).and_then(|i| i.keys.get_mut(k)) {
                key.expr = text;
            }
        }
        Slot::ViewIndexPredicate(v, i) => set(schema.views.get_mut(&v).and_then(|v| v.indexes.get_mut(&i)).map(|i| &mut i.predicate), text),
        Slot::TriggerWhen(t, g) => set(schema.tables.get_mut(&t).and_then(|t| t.triggers.get_mut(&g)).map(|g| &mut g.when), text),
        Slot::ViewTriggerWhen(v, g) => set(schema.views.get_mut(&v).and_then(|v| v.triggers.get_mut(&g)).map(|g| &mut g.when), text),
        Slot::DomainCheck(d, c) => {
            if let Some(UserTypeKind::Domain { checks, .. }) = schema.types.get_mut(&d).map(|t| &mut t.kind)
                && let Some(check) = checks.get_mut(&c)
            {
                *check = Expr(text);
            }
        }
        Slot::DomainDefault(d) => {
            if let Some(UserTypeKind::Domain { default, .. }) = schema.types.get_mut(&d).map(|t| &mut t.kind) {
                *default = Some(Expr(text));
            }
        }
        Slot::ArgDefault(f, i) => set(schema.functions.get_mut(&f).and_then(|f| f.args.get_mut(i)).map(|a| &mut a.default), text),
        Slot::PolicyUsing(t, p) => set(schema.tables.get_mut(&t).and_then(|t| t.policies.get_mut(&p)).map(|p| &mut p.using), text),
        Slot::PolicyCheck(t, p) => set(schema.tables.get_mut(&t).and_then(|t| t.policies.get_mut(&p)).map(|p| &mut p.with_check), text),
        Slot::StatisticsExpr(s, i) => {
            if let Some(e) = schema.statistics.get_mut(&s).and_then(|s| s.expressions.get_mut(i)) {
                *e = Expr(text);
            }
        }
        Slot::RowFilter(p, t) => {
            set(schema.publications.get_mut(&p).and_then(|p| p.tables.get_mut(&t)).map(|t| &mut t.row_filter), text)
        }
        Slot::PartitionBy(t) => {
            if let Some(table) = schema.tables.get_mut(&t) {
                table.partition_by = Some(text);
            }
        }
        Slot::FunctionBody(f) => {
            if let Some(function) = schema.functions.get_mut(&f) {
                function.body = text;
            }
        }
        Slot::ViewQuery(v) => {
            if let Some(view) = schema.views.get_mut(&v) {
                view.query = text;
                view.columns.clear();
            }
        }
    }
}

fn set(slot: Option<&mut Option<crate::model::Expr>>, text: String) {
    if let Some(s) = slot {
        *s = (!text.is_empty()).then_some(crate::model::Expr(text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(sql: &str) -> Schema {
        crate::dialect::postgres::read::replay(Schema::new(crate::model::Dialect::Postgres), "test.sql", sql).expect("reads")
    }

    // Each expected text is what PostgreSQL 15 printed for the same object
    // (tests/it/canon.rs checks hundreds more against a live server).
    #[test]
    fn expressions_print_as_postgres_stores_them() {
        let s = schema(
            "CREATE TYPE mood AS ENUM ('a', 'b'); CREATE EXTENSION pgcrypto;
             CREATE TABLE t (m mood, v varchar(20), i integer, ia integer[], ir int4range, tz timestamptz);",
        );
        let t = QName::new("public", "t");
        let check = |e: &str| canonicalize(&s, Place::Check { table: &t }, e);
        assert_eq!(check("m = 'a'"), "(m = 'a'::mood)");
        assert_eq!(check("m IN ('a','b')"), "(m = ANY (ARRAY['a'::mood, 'b'::mood]))");
        assert_eq!(check("v IN ('x','y')"), "((v)::text = ANY (ARRAY[('x'::character varying)::text, ('y'::character varying)::text]))");
        assert_eq!(check("ir <> '(0,9]'"), "(ir <> '[1,10)'::int4range)");
        assert_eq!(check("ia @> '{1}'"), "(ia @> '{1}'::integer[])");
        assert_eq!(check("i BETWEEN 1 AND 3"), "((i >= 1) AND (i <= 3))");
        assert_eq!(check("tz > now() - interval '1 day'"), "(tz > (now() - '1 day'::interval))");
        let default = |c: &str, e: &str| canonicalize(&s, Place::Default { table: &t, column: c }, e);
        assert_eq!(default("v", "'x'"), "'x'::character varying");
        assert_eq!(default("i", "-1::integer"), "'-1'::integer");
        assert_eq!(default("i", "NULL"), "", "PostgreSQL keeps no default that is just NULL");
        // pgcrypto's gen_random_uuid() in public is not the built-in one.
        assert_eq!(default("v", "public.gen_random_uuid()"), "public.gen_random_uuid()");
        assert_eq!(default("v", "gen_random_uuid()"), "gen_random_uuid()");
        // `'s'::text` is looked up on every call, `'s'::regclass` once.
        assert_eq!(default("i", "nextval('s'::text)"), "nextval(('s'::text)::regclass)");
        assert_eq!(default("i", "nextval('public.s')"), "nextval('s'::regclass)");
    }
}
