//! CREATE INDEX / VIEW / TYPE / DOMAIN / FUNCTION / TRIGGER, DROP, renames
//! and COMMENT ON targets.

use super::names::{self, choose_constraint_name, choose_relation_name, index_column_names, name_addition};
use super::tokens::{Cursor, blank_out};
use super::{Applied, PgReader, Stmt, canon, ident, idents};
use crate::error::{Error, Result};
use crate::model::{
    CompositeAttribute, ConstraintKind, Expr, Index, IndexKey, QName, Trigger,
    UserType, UserTypeKind, View,
};
use sqlparser::ast::{self, Statement};
use sqlparser::tokenizer::Token;
use std::collections::BTreeMap;

fn peel(e: &ast::Expr) -> &ast::Expr {
    match e {
        ast::Expr::Nested(inner) => peel(inner),
        other => other,
    }
}

fn missing(st: &Stmt<'_>, what: &str) -> Error {
    Error::data(format!("{what} does not exist")).at(st.location())
}

/// The text of an index element: a column name, or a canonical expression.
pub fn index_key_text(col: &ast::IndexColumn) -> String {
    match &col.column.expr {
        ast::Expr::Identifier(id) => ident(id),
        e => canon::expr_text(e),
    }
}

fn index_key(r: &PgReader, col: &ast::IndexColumn) -> IndexKey {
    // A COLLATE at the top of a key is the key's collation, not part of its
    // expression, however many parentheses surround it.
    let (expr, collation) = match peel(&col.column.expr) {
        ast::Expr::Collate { expr, collation } => (peel(expr), Some(collation.to_string().trim_matches('"').to_string())),
        e => (e, None),
    };
    let (text, expression) = match expr {
        ast::Expr::Identifier(id) => (ident(id), false),
        e => (canon::expr_text(e), true),
    };
    let descending = matches!(col.column.options.sort, Some(ast::OrderBySort::Desc));
    // NULLS LAST is the default for ASC and NULLS FIRST for DESC.
    let nulls_first = col.column.options.nulls_first.filter(|&nf| nf != descending);
    // pg_dump qualifies operator classes from extensions (`public.gin_trgm_ops`).
    let opclass = col.operator_class.as_ref().map(|o| {
        let s = o.to_string().to_lowercase();
        let s = s.strip_prefix("pg_catalog.").unwrap_or(&s);
        s.strip_prefix(&format!("{}.", r.default_schema())).unwrap_or(s).to_string()
    });
    IndexKey { expr: text, expression, collation, opclass, descending, nulls_first }
}

/// The CREATE INDEX text sqlparser is given.
pub fn index_text(st: &Stmt<'_>) -> String {
    // pg_dump writes `ON ONLY parent` for partitioned tables; sqlparser rejects ONLY.
    let mut text = st.text.to_string();
    if let Some(mut cur) = super::table::contains_word(st.text, "ONLY").then(|| st.cursor().ok()).flatten() {
        while !cur.at_end() {
            if cur.peek_kw("ON") && cur.peek_kw_at(1, "ONLY") {
                cur.next();
                let start = cur.offset();
                cur.next();
                blank_out(&mut text, start, start + 4);
                break;
            }
            cur.next();
        }
    }
    text
}

pub fn create_index(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    let text = index_text(st);
    let parsed = r.parse_shared(st, &text)?;
    let ci = match &*parsed {
        Statement::CreateIndex(ci) => ci,
        _ => return Err(Error::data("expected CREATE INDEX").at(st.location())),
    };
    let table = r.lookup_table(&ci.table_name);
    let keys: Vec<IndexKey> = ci.columns.iter().map(|c| index_key(r, c)).collect();
    let name = match &ci.name {
        Some(n) => n.0.last().map(|p| match p {
            ast::ObjectNamePart::Identifier(id) => ident(id),
            other => other.to_string(),
        }),
        None => None,
    };
    let name = match name {
        Some(n) => n,
        None => {
            let cols = index_column_names(&keys.iter().map(|k| (k.expr.clone(), k.expression)).collect::<Vec<_>>());
            choose_relation_name(r, &table.schema, &table.name, Some(&name_addition(cols.iter().map(String::as_str))), "idx")
        }
    };
    let index = Index {
        name: name.clone(),
        unique: ci.unique,
        method: ci.using.as_ref().map_or("btree".into(), |u| u.to_string().to_lowercase()),
        keys,
        include: idents(&ci.include),
        nulls_not_distinct: ci.nulls_distinct == Some(false),
        predicate: ci.predicate.as_ref().map(|p| Expr(canon::expr_text(p))),
        with: ci.with.iter().map(|w| w.to_string().to_lowercase().replace([' ', '\''], "")).collect(),
        comment: None,
        renamed_from: crate::model::RenameHint(super::hints::statement_hints(st.text, st.leading_comments).object),
        location: st.location(),
    };
    let index_name = QName::new(table.schema.clone(), name.clone());
    if names::NameLookup::relation_exists(r, &index_name) && r.schema.find_index(&index_name).is_some() {
        if ci.if_not_exists {
            return Ok(Applied::Done);
        }
        return Err(Error::data(format!("index {name} is created twice")).at(st.location()));
    }
    r.note_name(&table.schema, &name);
    if let Some(t) = r.schema.tables.get_mut(&table) {
        t.indexes.insert(name, index);
    } else if let Some(v) = r.schema.views.get_mut(&table) {
        v.indexes.insert(name, index);
    } else {
        return Ok(Applied::MissingTable(table));
    }
    Ok(Applied::Done)
}

/// The CREATE VIEW text sqlparser is given, the `WITH … CHECK OPTION` cut
/// from it, and whether it ends `WITH NO DATA`.
fn view_text_and_check_option(st: &Stmt<'_>) -> (String, Option<String>, bool) {
    // `WITH [NO] DATA` ends pg_dump's materialized views; sqlparser rejects it.
    let mut text = st.text.to_string();
    let mut no_data = false;
    if let Some(mut cur) = super::table::contains_word(st.text, "DATA").then(|| st.cursor().ok()).flatten() {
        let n = cur.len();
        for (skip, words) in [(3, ["WITH", "NO", "DATA"].as_slice()), (2, ["WITH", "DATA"].as_slice())] {
            if n >= skip {
                cur.pos = n - skip;
                if cur.eat_kws(words) {
                    let start = cur.tok(n - skip).map_or(text.len(), |t| t.start);
                    blank_out(&mut text, start, st.text.len());
                    no_data = skip == 3;
                    break;
                }
            }
        }
    }
    let check_option = cut_check_option(&mut text);
    if let Some(rewritten) = recursive_view_as_cte(&text) {
        text = rewritten;
    }
    (text, check_option, no_data)
}

/// The CREATE VIEW text sqlparser is given.
pub fn view_text(st: &Stmt<'_>) -> String {
    view_text_and_check_option(st).0
}

pub fn create_view(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    let (text, mut check_option, no_data) = view_text_and_check_option(st);
    let cv = match r.parse(st, &text)? {
        Statement::CreateView(cv) => cv,
        _ => return Err(Error::data("expected CREATE VIEW").at(st.location())),
    };
    let name = r.qname(&cv.name);
    if r.schema.views.contains_key(&name) && !cv.or_replace && !cv.if_not_exists {
        return Err(Error::data(format!("view {name} is created twice")).at(st.location()));
    }
    let mut options: Vec<String> = match &cv.options {
        ast::CreateTableOptions::None => vec![],
        other => {
            let text = other.to_string().to_lowercase().replace([' ', '\''], "");
            let inner = text.trim_start_matches("with").trim_start_matches('(').trim_end_matches(')').to_string();
            inner.split(',').map(str::to_string).filter(|o| !o.is_empty()).collect()
        }
    };
    // `WITH CHECK OPTION` and `WITH (check_option = …)` are the same setting.
    if let Some(pos) = options.iter().position(|o| o.starts_with("check_option=")) {
        check_option = Some(options.remove(pos));
    }
    options.extend(check_option);
    options.sort();
    let indexes = r.schema.views.get(&name).map(|v| v.indexes.clone()).unwrap_or_default();
    let triggers = r.schema.views.get(&name).map(|v| v.triggers.clone()).unwrap_or_default();
    let rules = r.schema.views.get(&name).map(|v| v.rules.clone()).unwrap_or_default();
    // The query is resolved now, against the relations as they are: `*`
    // stands for the columns a table has when the view is created.
    let written_columns: Vec<String> = cv.columns.iter().map(|c| ident(&c.name)).collect();
    let (query, columns) = match canon::view_query_now(&r.schema, &cv.query, &written_columns) {
        Some(text) => (text, Vec::new()),
        None => (canon::query_text(&cv.query), written_columns),
    };
    let with_no_data = cv.materialized && no_data;
    let view = View {
        name: name.clone(),
        materialized: cv.materialized,
        columns,
        query,
        with_no_data,
        options,
        indexes,
        triggers,
        rules,
        comment: r.schema.views.get(&name).and_then(|v| v.comment.clone()),
        renamed_from: crate::model::RenameHint(super::hints::statement_hints(st.text, st.leading_comments).object),
        location: st.location(),
    };
    r.schema.views.insert(name, view);
    Ok(Applied::Done)
}

/// Blanks a trailing `WITH [LOCAL | CASCADED] CHECK OPTION` and returns it
/// as the equivalent view option.
fn cut_check_option(text: &mut String) -> Option<String> {
    if !super::table::contains_word(text, "CHECK") {
        return None;
    }
    let Ok(mut cur) = Cursor::new(text) else { return None };
    let n = cur.len();
    for (words, level) in [
        (&["WITH", "LOCAL", "CHECK", "OPTION"][..], "local"),
        (&["WITH", "CASCADED", "CHECK", "OPTION"][..], "cascaded"),
        (&["WITH", "CHECK", "OPTION"][..], "cascaded"),
    ] {
        if n >= words.len() {
            cur.pos = n - words.len();
            let start = cur.offset();
            if cur.eat_kws(words) {
                let end = text.len();
                blank_out(text, start, end);
                return Some(format!("check_option={level}"));
            }
        }
    }
    None
}

/// `CREATE RECURSIVE VIEW v (cols) AS q` is defined by PostgreSQL as
/// `CREATE VIEW v AS WITH RECURSIVE v (cols) AS (q) SELECT cols FROM v`,
/// which is also how pg_dump prints it.
fn recursive_view_as_cte(text: &str) -> Option<String> {
    if !super::table::contains_word(text, "RECURSIVE") {
        return None;
    }
    let mut cur = Cursor::new(text).ok()?;
    cur.eat_kw("CREATE");
    let or_replace = cur.eat_kws(&["OR", "REPLACE"]);
    while cur.eat_kw("TEMP") || cur.eat_kw("TEMPORARY") {}
    if !cur.eat_kws(&["RECURSIVE", "VIEW"]) {
        return None;
    }
    let name_start = cur.offset();
    let parts = cur.object_name()?;
    let name_text = text[name_start..cur.offset()].trim().to_string();
    let (a, b) = cur.paren_group()?;
    let cols = &text[a..b];
    if !cur.eat_kw("AS") {
        return None;
    }
    let query = cur.rest();
    let short = crate::model::quote_ident(parts.last()?);
    Some(format!(
        "CREATE {}VIEW {name_text} AS WITH RECURSIVE {short}({cols}) AS ({query}) SELECT {cols} FROM {short}",
        if or_replace { "OR REPLACE " } else { "" }
    ))
}

pub fn create_type(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    if let Some(range) = range_type(r, st.text) {
        let (name, kind) = range;
        r.schema.types.insert(name.clone(), UserType { name, kind, comment: None, location: st.location() });
        return Ok(Applied::Done);
    }
    let parsed = r.parse(st, st.text);
    let (name, representation) = match parsed {
        Ok(Statement::CreateType { name, representation }) => (name, representation),
        // Base types and shell types (`CREATE TYPE t (INPUT = …)`, `CREATE TYPE t`).
        _ => {
            r.opaque(st, "CREATE TYPE");
            return Ok(Applied::Done);
        }
    };
    let name = r.qname(&name);
    let kind = match representation {
        Some(ast::UserDefinedTypeRepresentation::Enum { labels }) => {
            UserTypeKind::Enum { values: labels.iter().map(|l| l.value.clone()).collect() }
        }
        Some(ast::UserDefinedTypeRepresentation::Composite { attributes }) => UserTypeKind::Composite {
            attributes: attributes
                .iter()
                .map(|a| CompositeAttribute {
                    name: ident(&a.name),
                    data_type: super::types::resolve(&a.data_type.to_string(), r.default_schema()).data_type,
                    collation: a.collation.as_ref().map(super::table::collation_name),
                })
                .collect(),
        },
        _ => {
            r.opaque(st, "CREATE TYPE");
            return Ok(Applied::Done);
        }
    };
    if r.schema.types.contains_key(&name) {
        return Err(Error::data(format!("type {name} is created twice")).at(st.location()));
    }
    r.schema.types.insert(name.clone(), UserType { name, kind, comment: None, location: st.location() });
    Ok(Applied::Done)
}

/// `CREATE TYPE name AS RANGE (subtype = t, …)`.
fn range_type(r: &PgReader, text: &str) -> Option<(QName, UserTypeKind)> {
    let mut cur = Cursor::new(text).ok()?;
    cur.eat_kw("CREATE");
    cur.eat_kw("TYPE");
    let name = r.qname_parts(&cur.object_name()?);
    if !cur.eat_kws(&["AS", "RANGE"]) {
        return None;
    }
    let (a, b) = cur.paren_group()?;
    let mut subtype = None;
    let mut options = Vec::new();
    for option in super::function::split_top_level(&text[a..b]) {
        let (key, value) = option.split_once('=')?;
        let key = key.trim().to_lowercase();
        let value = value.trim();
        if key == "subtype" {
            subtype = Some(super::types::resolve(value, r.default_schema()).data_type);
            continue;
        }
        // The multirange type PostgreSQL names by itself: `range` replaced by
        // `multirange` in the range's name, else `_multirange` appended.
        let parts = crate::model::name_parts_folded(value);
        let value_name = r.qname_parts(&parts);
        if key == "multirange_type_name" {
            let default = if name.name.contains("range") { name.name.replacen("range", "multirange", 1) } else { format!("{}_multirange", name.name) };
            if value_name == QName::new(name.schema.clone(), default) {
                continue;
            }
        }
        let shown = if value_name.schema == "public" || value_name.schema == "pg_catalog" { crate::model::quote_ident(&value_name.name) } else { value_name.to_string() };
        options.push(format!("{key} = {shown}"));
    }
    options.sort();
    Some((name, UserTypeKind::Range { subtype: subtype?, options }))
}

pub fn create_domain(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    // sqlparser 0.63 rejects `NOT NULL` / `NULL` among a domain's constraints:
    // note it and blank it out.
    let (text, not_null_written, collation) = cut_domain_null(st.text);
    let cd = match r.parse(st, &text)? {
        Statement::CreateDomain(cd) => cd,
        _ => return Err(Error::data("expected CREATE DOMAIN").at(st.location())),
    };
    let name = r.qname(&cd.name);
    let mut checks = BTreeMap::new();
    let mut not_null = false;
    for c in &cd.constraints {
        match c {
            ast::TableConstraint::Check(ch) => {
                let cname = match &ch.name {
                    Some(n) => ident(n),
                    None => {
                        let taken: Vec<String> = checks.keys().cloned().collect();
                        choose_constraint_name(r, &name.schema, &name.name, None, "check", &taken)
                    }
                };
                checks.insert(cname, Expr(canon::expr_text(&ch.expr)));
            }
            other => {
                let text = other.to_string().to_uppercase();
                if text.contains("NOT NULL") {
                    not_null = true;
                }
            }
        }
    }
    not_null |= not_null_written;
    let kind = UserTypeKind::Domain {
        base: super::types::resolve(&cd.data_type.to_string(), r.default_schema()).data_type,
        default: cd.default.as_ref().map(|d| Expr(canon::expr_text(d))),
        not_null,
        collation: collation.or_else(|| cd.collation.as_ref().map(|c| crate::model::quote_ident(&ident(c)))),
        checks,
        check_comments: BTreeMap::new(),
    };
    r.schema.types.insert(name.clone(), UserType { name, kind, comment: None, location: st.location() });
    Ok(Applied::Done)
}

/// Blanks `[CONSTRAINT name] NOT NULL`, `NULL` and `COLLATE name` outside
/// parentheses in a CREATE DOMAIN (sqlparser 0.63 rejects them or only takes
/// an unqualified collation); returns the text, whether NOT NULL was there,
/// and the collation.
fn cut_domain_null(text: &str) -> (String, bool, Option<String>) {
    let mut out = text.to_string();
    let mut not_null = false;
    let mut collation = None;
    let Ok(mut cur) = Cursor::new(text) else { return (out, false, None) };
    let mut depth = 0;
    let mut after_default = false;
    while !cur.at_end() {
        match cur.peek() {
            Some(Token::LParen) => depth += 1,
            Some(Token::RParen) => depth -= 1,
            _ => {}
        }
        if depth == 0 && cur.peek_kw("COLLATE") {
            let start = cur.offset();
            cur.next();
            if let Some(parts) = cur.object_name() {
                let parts: Vec<&str> = parts.iter().map(String::as_str).filter(|p| *p != "pg_catalog").collect();
                collation = Some(parts.iter().map(|p| crate::model::quote_ident(p)).collect::<Vec<_>>().join("."));
            }
            blank_out(&mut out, start, cur.offset());
            continue;
        }
        if depth == 0 && !after_default {
            let constraint_name = cur.peek_kw("CONSTRAINT") && (cur.peek_kw_at(2, "NOT") || cur.peek_kw_at(2, "NULL"));
            let skip = if constraint_name { 2 } else { 0 };
            let (is_not_null, len) = if cur.peek_kw_at(skip, "NOT") && cur.peek_kw_at(skip + 1, "NULL") {
                (true, skip + 2)
            } else if cur.peek_kw_at(skip, "NULL") {
                (false, skip + 1)
            } else {
                (false, 0)
            };
            if len > 0 {
                let start = cur.offset();
                cur.pos += len - 1;
                let end = cur.tok(cur.pos).map_or(text.len(), |t| t.end);
                blank_out(&mut out, start, end);
                not_null |= is_not_null;
            }
        }
        // `DEFAULT NULL` is a default, not a constraint.
        after_default = depth == 0 && cur.peek_kw("DEFAULT");
        cur.next();
    }
    (out, not_null, collation)
}

pub fn create_trigger(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    // Trigger arguments are string constants (`f('price', 2)`); sqlparser 0.63
    // expects argument declarations there, so they are cut out and kept.
    let mut text = st.text.to_string();
    let mut trigger_args: Vec<String> = Vec::new();
    if let Ok(mut cur) = st.cursor() {
        while !cur.at_end() {
            if cur.peek_kw("EXECUTE") && (cur.peek_kw_at(1, "FUNCTION") || cur.peek_kw_at(1, "PROCEDURE")) {
                cur.pos += 2;
                cur.object_name();
                if let Some((a, b)) = cur.paren_group() {
                    trigger_args = super::function::split_top_level(&st.text[a..b])
                        .into_iter()
                        .map(|arg| {
                            let unquoted = arg.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')).map(|x| x.replace("''", "'"));
                            crate::model::quote_literal(&unquoted.unwrap_or(arg))
                        })
                        .collect();
                    blank_out(&mut text, a, b);
                }
                break;
            }
            cur.next();
        }
    }
    let ct = match r.parse(st, &text)? {
        Statement::CreateTrigger(ct) => ct,
        _ => return Err(Error::data("expected CREATE TRIGGER").at(st.location())),
    };
    let table = r.lookup_table(&ct.table_name);
    let name = ct.name.0.last().map(|p| match p {
        ast::ObjectNamePart::Identifier(id) => ident(id),
        other => other.to_string(),
    });
    let name = name.unwrap_or_default();
    // pg_get_triggerdef lists events as INSERT, DELETE, UPDATE, TRUNCATE.
    let mut events: Vec<(u8, String)> = ct
        .events
        .iter()
        .map(|e| match e {
            ast::TriggerEvent::Insert => (0, "INSERT".to_string()),
            ast::TriggerEvent::Delete => (1, "DELETE".to_string()),
            ast::TriggerEvent::Update(cols) if cols.is_empty() => (2, "UPDATE".to_string()),
            ast::TriggerEvent::Update(cols) => (2, format!("UPDATE OF {}", idents(cols).join(", "))),
            ast::TriggerEvent::Truncate => (3, "TRUNCATE".to_string()),
        })
        .collect();
    events.sort();
    let execute = match &ct.exec_body {
        Some(body) => {
            let f = r.qname(&body.func_desc.name);
            format!("{}({})", f, trigger_args.join(", "))
        }
        None => String::new(),
    };
    let trigger = Trigger {
        name: name.clone(),
        timing: ct.period.as_ref().map_or("AFTER".into(), |p| p.to_string().to_uppercase()),
        events: events.into_iter().map(|(_, e)| e).collect(),
        for_each_row: matches!(ct.trigger_object, Some(ast::TriggerObjectKind::ForEach(ast::TriggerObject::Row)) | Some(ast::TriggerObjectKind::For(ast::TriggerObject::Row))),
        when: ct.condition.as_ref().map(|c| Expr(canon::expr_text(c))),
        execute,
        referencing: {
            // pg_get_triggerdef lists OLD TABLE before NEW TABLE.
            let mut refs: Vec<String> = ct
                .referencing
                .iter()
                .map(|t| format!("{} AS {}", t.refer_type.to_string().to_uppercase(), crate::model::quote_ident(&super::ident_of_name(&t.transition_relation_name))))
                .collect();
            refs.sort_by_key(|t| !t.starts_with("OLD"));
            refs
        },
        constraint: ct.is_constraint,
        deferrable: super::table::characteristics(&ct.characteristics).0,
        initially_deferred: super::table::characteristics(&ct.characteristics).1,
        enabled: crate::model::Enabled::default(),
        comment: None,
        location: st.location(),
    };
    match r.schema.tables.get_mut(&table) {
        Some(t) => {
            t.triggers.insert(name, trigger);
            Ok(Applied::Done)
        }
        None if r.schema.views.contains_key(&table) => {
            r.schema.views.get_mut(&table).expect("checked").triggers.insert(name, trigger);
            Ok(Applied::Done)
        }
        None => Ok(Applied::MissingTable(table)),
    }
}

/// `DROP <kind> [IF EXISTS] name [, …] [CASCADE | RESTRICT]`.
pub fn drop(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    let mut cur = st.cursor().map_err(|e| Error::data(e.message).at(st.location()))?;
    cur.next();
    if cur.peek_kw("POLICY") {
        return super::policy::drop_policy(r, st);
    }
    if cur.peek_kw("RULE") {
        return super::rule::drop_rule(r, st);
    }
    if let Some(kind) = super::opaque::eat_kind(&mut cur) {
        return drop_opaque(r, st, &kind, &mut cur);
    }
    let at = cur.offset();
    let first = match cur.peek() {
        Some(Token::Word(w)) if w.quote_style.is_none() => w.value.to_ascii_uppercase(),
        _ => return Err(super::expected_at(st, &cur, "what to drop (TABLE, INDEX, VIEW, …)")),
    };
    if !super::keywords::DROP_KINDS.contains(&first.as_str()) {
        return Err(super::unknown_word(st, &first, super::keywords::DROP_KINDS, "DROP ", at, "what to drop"));
    }
    // The kind: one key word, or MATERIALIZED VIEW (the name after it may
    // itself be a key word: `DROP SCHEMA type`).
    let kind = if cur.eat_kws(&["MATERIALIZED", "VIEW"]) {
        "MATERIALIZED VIEW".to_string()
    } else if ["VIEW", "TABLE", "INDEX", "SEQUENCE", "TYPE", "DOMAIN", "SCHEMA", "EXTENSION", "FUNCTION", "PROCEDURE", "TRIGGER", "STATISTICS", "PUBLICATION"]
        .contains(&first.as_str())
    {
        cur.next();
        first.clone()
    } else {
        String::new()
    };
    cur.eat_kw("CONCURRENTLY");
    let if_exists = cur.eat_kws(&["IF", "EXISTS"]);
    let mut names = Vec::new();
    let mut arg_lists: Vec<Option<String>> = Vec::new();
    while let Some(parts) = cur.object_name() {
        arg_lists.push(if cur.peek() == Some(&Token::LParen) { cur.paren_group().map(|(a, b)| st.text[a..b].to_string()) } else { None });
        names.push(parts);
        if !cur.eat(&Token::Comma) {
            break;
        }
    }
    let mut on_table = None;
    if cur.eat_kw("ON") {
        on_table = cur.object_name();
    }
    let cascade = cur.eat_kw("CASCADE");
    if names.is_empty() {
        return Err(Error::data("invalid SQL: expected a name to drop").at(st.location()));
    }
    if kind == "TABLE" || kind == "FOREIGN TABLE" {
        drop_inheritors(r, st, &names, cascade)?;
    }
    for (parts, args) in names.into_iter().zip(arg_lists) {
        let privilege_kind = match kind.as_str() {
            "TABLE" | "FOREIGN TABLE" | "VIEW" | "MATERIALIZED VIEW" => Some("TABLE"),
            "SEQUENCE" => Some("SEQUENCE"),
            "FUNCTION" | "PROCEDURE" => Some("FUNCTION"),
            "TYPE" | "DOMAIN" => Some("TYPE"),
            _ => None,
        };
        if let Some(pk) = privilege_kind {
            let object = r.qname_parts(&parts).to_string();
            super::grant::forget_privileges(r, pk, &object);
            if pk == "FUNCTION" {
                super::grant::forget_privileges(r, "PROCEDURE", &object);
            }
        }
        let found = match kind.as_str() {
            "TABLE" | "FOREIGN TABLE" => {
                let name = r.qname_parts(&parts);
                let name = if parts.len() == 1 { r.lookup_table(&ast::ObjectName::from(vec![ast::Ident::with_quote('"', parts[0].clone())])) } else { name };
                let found = r.schema.tables.remove(&name).is_some();
                if found {
                    super::table::drop_owned_sequences(r, &name, None);
                    // Its extended statistics go with it, and it leaves every publication.
                    r.schema.statistics.retain(|_, s| s.table != name);
                    for p in r.schema.publications.values_mut() {
                        p.tables.remove(&name);
                    }
                    if cascade {
                        for t in r.schema.tables.values_mut() {
                            t.constraints.retain(|_, c| !matches!(&c.kind, ConstraintKind::ForeignKey { references, .. } if *references == name));
                        }
                    }
                }
                found
            }
            "VIEW" | "MATERIALIZED VIEW" => r.schema.views.remove(&r.qname_parts(&parts)).is_some(),
            "INDEX" => drop_index(r, &r.qname_parts(&parts)),
            "SEQUENCE" => r.schema.sequences.remove(&r.qname_parts(&parts)).is_some(),
            "TYPE" | "DOMAIN" => r.schema.types.remove(&r.qname_parts(&parts)).is_some(),
            "SCHEMA" => r.schema.schemas.remove(&parts[parts.len() - 1]).is_some(),
            "EXTENSION" => r.schema.extensions.remove(&parts[parts.len() - 1]).is_some(),
            "STATISTICS" => r.schema.statistics.remove(&r.qname_parts(&parts)).is_some(),
            "PUBLICATION" => r.schema.publications.remove(&parts[parts.len() - 1]).is_some(),
            "FUNCTION" | "PROCEDURE" => {
                let name = r.qname_parts(&parts);
                let prefix = format!("{name}(");
                // With an argument list, exactly that overload; without, the only one.
                let keys: Vec<String> = match &args {
                    Some(args) => find_function(r, &name, Some(args)).into_iter().collect(),
                    None => r.schema.functions.keys().filter(|k| k.starts_with(&prefix)).cloned().collect(),
                };
                for k in &keys {
                    r.schema.functions.remove(k);
                }
                !keys.is_empty()
            }
            "TRIGGER" => {
                let table = r.qname_parts(on_table.as_deref().unwrap_or_default());
                let name = &parts[parts.len() - 1];
                r.schema.tables.get_mut(&table).is_some_and(|t| t.triggers.remove(name).is_some())
            }
            _ => {
                r.opaque(st, &format!("DROP {kind}"));
                return Ok(Applied::Done);
            }
        };
        if !found && !if_exists {
            return Err(missing(st, &format!("{} {}", kind.to_lowercase(), parts.join("."))));
        }
    }
    Ok(Applied::Done)
}

/// A table that others inherit from is dropped only together with them, or
/// with CASCADE, which drops them (and the tables inheriting from them) too.
fn drop_inheritors(r: &mut PgReader, st: &Stmt<'_>, names: &[Vec<String>], cascade: bool) -> Result<()> {
    let dropped: Vec<QName> = names
        .iter()
        .map(|parts| match parts.as_slice() {
            [one] => r.lookup_table(&ast::ObjectName::from(vec![ast::Ident::with_quote('"', one.clone())])),
            _ => r.qname_parts(parts),
        })
        .collect();
    let mut orphans: Vec<QName> = Vec::new();
    for t in &dropped {
        for d in r.schema.descendants(t) {
            if !dropped.contains(&d) && !orphans.contains(&d) {
                orphans.push(d);
            }
        }
    }
    let Some(first) = orphans.first() else { return Ok(()) };
    if !cascade {
        let parent = dropped.iter().find(|t| r.schema.descendants(t).contains(first)).expect("found above");
        return Err(Error::data(format!("cannot drop table {parent}: table {first} inherits from it"))
            .at(st.location())
            .help("drop the inheriting tables too, detach them first with ALTER TABLE … NO INHERIT, or add CASCADE"));
    }
    for t in orphans {
        r.schema.tables.remove(&t);
        r.schema.sequences.retain(|_, s| s.owned_by.as_ref().is_none_or(|(owner, _)| *owner != t));
    }
    Ok(())
}

/// `DROP <kind> [IF EXISTS] object [, …]` of an object kept as text: its
/// CREATE, ALTERs and COMMENT go. A DROP of something the model does not
/// hold (a migration dropping an object made outside the schema files) is
/// kept as text itself.
fn drop_opaque(r: &mut PgReader, st: &Stmt<'_>, kind: &str, cur: &mut Cursor<'_>) -> Result<Applied> {
    let default_schema = r.default_schema().to_string();
    let mut identities = Vec::new();
    cur.eat_kws(&["IF", "EXISTS"]);
    while let Some(id) = super::opaque::identity_at(kind, cur, &default_schema) {
        identities.push(id);
        if !cur.eat(&Token::Comma) {
            break;
        }
    }
    let before = r.schema.opaque.len();
    r.schema.opaque.retain(|o| super::opaque::identity(o, &default_schema).is_none_or(|id| !identities.contains(&id)));
    if r.schema.opaque.len() == before {
        r.opaque(st, &format!("DROP {kind}"));
    }
    Ok(Applied::Done)
}

fn drop_index(r: &mut PgReader, name: &QName) -> bool {
    let owner = r.schema.tables.values().find(|t| t.name.schema == name.schema && t.indexes.contains_key(&name.name)).map(|t| t.name.clone());
    if let Some(owner) = owner {
        let table = r.schema.tables.get_mut(&owner).expect("found above");
        let index = table.indexes.remove(&name.name).expect("found above");
        super::properties::forget_index(table, &name.name);
        // The copies PostgreSQL made on the partitions go with it.
        remove_partition_clones(r, &owner, |t| t.indexes.retain(|_, i| !crate::dialect::postgres::render::same_index(i, &index)));
        return true;
    }
    for v in r.schema.views.values_mut().filter(|v| v.name.schema == name.schema) {
        if v.indexes.remove(&name.name).is_some() {
            return true;
        }
    }
    false
}

/// `ALTER INDEX name RENAME TO new`; pg_dump's `ALTER INDEX … ATTACH PARTITION`
/// only confirms what the model already derives from the partitioned parent.
pub fn alter_index(r: &mut PgReader, st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<Applied> {
    cur.eat_kw("INDEX");
    let if_exists = cur.eat_kws(&["IF", "EXISTS"]);
    let parts = cur.object_name().ok_or_else(|| Error::data("invalid SQL: expected an index name").at(st.location()))?;
    if cur.eat_kws(&["ATTACH", "PARTITION"]) {
        return Ok(Applied::Done);
    }
    if !cur.eat_kws(&["RENAME", "TO"]) {
        r.opaque(st, "ALTER INDEX");
        return Ok(Applied::Done);
    }
    let new = cur.ident().ok_or_else(|| Error::data("invalid SQL: expected a new name").at(st.location()))?;
    let name = r.qname_parts(&parts);
    r.note_name(&name.schema, &new);
    for t in r.schema.tables.values_mut().filter(|t| t.name.schema == name.schema) {
        if let Some(mut i) = t.indexes.remove(&name.name) {
            i.name = new.clone();
            super::properties::rename_index(t, &name.name, &new);
            t.indexes.insert(new, i);
            return Ok(Applied::Done);
        }
        // Renaming the index of a PRIMARY KEY / UNIQUE constraint renames the constraint.
        if let Some(mut c) = t.constraints.remove(&name.name) {
            c.name = new.clone();
            super::properties::rename_index(t, &name.name, &new);
            t.constraints.insert(new, c);
            return Ok(Applied::Done);
        }
    }
    if if_exists { Ok(Applied::Done) } else { Err(missing(st, &format!("index {name}"))) }
}

pub fn alter_type(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    if let Some(applied) = alter_attributes(r, st)? {
        return Ok(applied);
    }
    let at = match r.parse(st, st.text) {
        Ok(Statement::AlterType(at)) => at,
        _ => {
            r.opaque(st, "ALTER TYPE");
            return Ok(Applied::Done);
        }
    };
    let name = r.qname(&at.name);
    let mut ty = r.schema.types.remove(&name).ok_or_else(|| missing(st, &format!("type {name}")))?;
    let result = match (&at.operation, &mut ty.kind) {
        (ast::AlterTypeOperation::Rename(rn), _) => {
            ty.name = QName::new(name.schema.clone(), ident(&rn.new_name));
            Ok(())
        }
        (ast::AlterTypeOperation::AddValue(av), UserTypeKind::Enum { values }) => {
            let v = av.value.value.clone();
            if values.contains(&v) {
                if av.if_not_exists { Ok(()) } else { Err(Error::data(format!("enum label {v:?} already exists")).at(st.location())) }
            } else {
                let at_index = match &av.position {
                    Some(ast::AlterTypeAddValuePosition::Before(n)) => values.iter().position(|x| *x == n.value),
                    Some(ast::AlterTypeAddValuePosition::After(n)) => values.iter().position(|x| *x == n.value).map(|i| i + 1),
                    None => Some(values.len()),
                };
                match at_index {
                    Some(i) => {
                        values.insert(i, v);
                        Ok(())
                    }
                    None => Err(Error::data("enum label to place the new value next to does not exist").at(st.location())),
                }
            }
        }
        (ast::AlterTypeOperation::RenameValue(rv), UserTypeKind::Enum { values }) => {
            match values.iter_mut().find(|x| **x == rv.from.value) {
                Some(x) => {
                    *x = rv.to.value.clone();
                    Ok(())
                }
                None => Err(Error::data(format!("enum label {:?} does not exist", rv.from.value)).at(st.location())),
            }
        }
        _ => Err(Error::data(format!("type {name} is not an enum")).at(st.location())),
    };
    let renamed = ty.name.clone();
    if renamed != name {
        rename_type_uses(r, &name, &renamed);
    }
    r.schema.types.insert(renamed, ty);
    result.map(|()| Applied::Done)
}

fn rename_type_uses(r: &mut PgReader, old: &QName, new: &QName) {
    let (old, new) = (old.to_string(), new.to_string());
    for t in r.schema.tables.values_mut() {
        for c in &mut t.columns {
            if c.data_type.name == old {
                c.data_type.name = new.clone();
            }
        }
    }
}

/// `ALTER SCHEMA|VIEW|MATERIALIZED VIEW name RENAME TO new`; other forms are kept opaque.
pub fn alter_rename(r: &mut PgReader, st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<Applied> {
    let schema_kind = cur.eat_kw("SCHEMA");
    cur.eat_kw("MATERIALIZED");
    cur.eat_kw("VIEW");
    cur.eat_kws(&["IF", "EXISTS"]);
    let parts = cur.object_name().unwrap_or_default();
    if !cur.eat_kws(&["RENAME", "TO"]) {
        r.opaque(st, if schema_kind { "ALTER SCHEMA" } else { "ALTER VIEW" });
        return Ok(Applied::Done);
    }
    let new = cur.ident().ok_or_else(|| Error::data("invalid SQL: expected a new name").at(st.location()))?;
    if schema_kind {
        let old = parts.last().cloned().unwrap_or_default();
        let mut ns = r.schema.schemas.remove(&old).ok_or_else(|| missing(st, &format!("schema {old}")))?;
        ns.name = new.clone();
        r.schema.schemas.insert(new, ns);
    } else {
        let name = r.qname_parts(&parts);
        if !r.schema.views.contains_key(&name) {
            return Err(missing(st, &format!("view {name}")));
        }
        let new_name = QName::new(name.schema.clone(), new);
        super::follow::views_after_renames(r, None, &super::follow::relation(&name, &new_name));
        let mut v = r.schema.views.remove(&name).expect("checked");
        v.name = new_name;
        r.schema.views.insert(v.name.clone(), v);
    }
    Ok(Applied::Done)
}

/// Stores a COMMENT ON on the object it names.
pub fn set_comment(
    r: &mut PgReader,
    st: &Stmt<'_>,
    kind: &str,
    parts: &[String],
    args: Option<&str>,
    on_table: Option<&[String]>,
    text: Option<String>,
) -> Result<Applied> {
    let target = |what: &str| missing(st, what);
    match kind {
        "TABLE" | "FOREIGN TABLE" => {
            let name = r.qname_parts(parts);
            match r.schema.tables.get_mut(&name) {
                Some(t) => t.comment = text,
                None => return Ok(Applied::MissingTable(name)),
            }
        }
        "COLUMN" => {
            let (column, table) = parts.split_last().ok_or_else(|| target("column"))?;
            let name = r.qname_parts(table);
            // Columns of views, attributes of composite types and columns
            // of foreign tables (kept as text).
            let elsewhere = !r.schema.tables.contains_key(&name)
                && (r.schema.views.contains_key(&name)
                    || r.schema.types.contains_key(&name)
                    || r.has_opaque_object(&format!("FOREIGN TABLE {name}")));
            if elsewhere {
                r.opaque(st, "COMMENT ON COLUMN");
                return Ok(Applied::Done);
            }
            match r.schema.tables.get_mut(&name) {
                Some(t) => t.column_mut(column).ok_or_else(|| target(&format!("column {name}.{column}")))?.comment = text,
                None => return Ok(Applied::MissingTable(name)),
            }
        }
        "VIEW" | "MATERIALIZED VIEW" => {
            let name = r.qname_parts(parts);
            r.schema.views.get_mut(&name).ok_or_else(|| target(&format!("view {name}")))?.comment = text;
        }
        "INDEX" => {
            let name = r.qname_parts(parts);
            let in_views = r.schema.views.values_mut().filter(|v| v.name.schema == name.schema).find_map(|v| v.indexes.get_mut(&name.name));
            let index = match in_views {
                Some(i) => Some(i),
                None => r.schema.tables.values_mut().filter(|t| t.name.schema == name.schema).find_map(|t| t.indexes.get_mut(&name.name)),
            };
            match index {
                Some(i) => i.comment = text,
                None => r.opaque(st, "COMMENT ON INDEX"),
            }
        }
        "SEQUENCE" => {
            let name = r.qname_parts(parts);
            r.schema.sequences.get_mut(&name).ok_or_else(|| target(&format!("sequence {name}")))?.comment = text;
        }
        "TYPE" | "DOMAIN" => {
            let name = r.qname_parts(parts);
            r.schema.types.get_mut(&name).ok_or_else(|| target(&format!("type {name}")))?.comment = text;
        }
        "SCHEMA" => {
            let name = parts.last().cloned().unwrap_or_default();
            r.schema.schemas.get_mut(&name).ok_or_else(|| target(&format!("schema {name}")))?.comment = text;
        }
        // An extension's comment comes from its control file and pg_dump
        // repeats it; it is not part of the user's schema.
        "EXTENSION" => {}
        "FUNCTION" | "PROCEDURE" => {
            let name = r.qname_parts(parts);
            let key = find_function(r, &name, args).ok_or_else(|| target(&format!("function {name}")))?;
            r.schema.functions.get_mut(&key).expect("key just found").comment = text;
        }
        "CONSTRAINT ON DOMAIN" => {
            let domain = r.qname_parts(on_table.unwrap_or_default());
            let name = parts.last().cloned().unwrap_or_default();
            let ty = r.schema.types.get_mut(&domain).ok_or_else(|| target(&format!("domain {domain}")))?;
            let UserTypeKind::Domain { checks, check_comments, .. } = &mut ty.kind else {
                return Err(Error::data(format!("{domain} is not a domain")).at(st.location()));
            };
            if !checks.contains_key(&name) {
                // NOT NULL constraints of a domain are not modelled by name.
                r.opaque(st, "COMMENT ON CONSTRAINT");
                return Ok(Applied::Done);
            }
            match text {
                Some(text) => check_comments.insert(name, text),
                None => check_comments.remove(&name),
            };
        }
        "POLICY" => {
            let table = super::policy::table_name(r, on_table.unwrap_or_default());
            let name = parts.last().cloned().unwrap_or_default();
            let Some(t) = r.schema.tables.get_mut(&table) else { return Ok(Applied::MissingTable(table)) };
            t.policies.get_mut(&name).ok_or_else(|| target(&format!("policy {name} for table {table}")))?.comment = text;
        }
        "RULE" => {
            let relation = super::policy::table_name(r, on_table.unwrap_or_default());
            let name = parts.last().cloned().unwrap_or_default();
            let Some(rules) = super::rule::rules_of(r, &relation) else { return Ok(Applied::MissingTable(relation)) };
            rules.get_mut(&name).ok_or_else(|| target(&format!("rule {name} for relation {relation}")))?.comment = text;
        }
        "STATISTICS" => {
            let name = r.qname_parts(parts);
            r.schema.statistics.get_mut(&name).ok_or_else(|| target(&format!("statistics object {name}")))?.comment = text;
        }
        "PUBLICATION" => {
            let name = parts.last().cloned().unwrap_or_default();
            r.schema.publications.get_mut(&name).ok_or_else(|| target(&format!("publication {name}")))?.comment = text;
        }
        "CONSTRAINT" | "TRIGGER" => {
            let table = r.qname_parts(on_table.unwrap_or_default());
            let name = parts.last().cloned().unwrap_or_default();
            if kind == "TRIGGER" && r.schema.views.contains_key(&table) {
                let v = r.schema.views.get_mut(&table).expect("checked");
                v.triggers.get_mut(&name).ok_or_else(|| target(&format!("trigger {name} on {table}")))?.comment = text;
                return Ok(Applied::Done);
            }
            let Some(t) = r.schema.tables.get_mut(&table) else { return Ok(Applied::MissingTable(table)) };
            if kind == "CONSTRAINT" {
                t.constraints.get_mut(&name).ok_or_else(|| target(&format!("constraint {name} on {table}")))?.comment = text;
            } else {
                t.triggers.get_mut(&name).ok_or_else(|| target(&format!("trigger {name} on {table}")))?.comment = text;
            }
        }
        _ => r.opaque(st, &format!("COMMENT ON {kind}")),
    }
    Ok(Applied::Done)
}

/// The function a `name(args)` refers to: the only one of that name, else
/// the one whose input argument types match.
pub(super) fn find_function(r: &PgReader, name: &QName, args: Option<&str>) -> Option<String> {
    let prefix = format!("{name}(");
    let candidates: Vec<&String> = r.schema.functions.keys().filter(|k| k.starts_with(&prefix)).collect();
    if candidates.len() == 1 {
        return Some(candidates[0].clone());
    }
    let args = args?;
    let types: Vec<String> = args
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .filter_map(|a| {
            let words: Vec<&str> = a.split_whitespace().collect();
            let words = match words.first().map(|w| w.to_ascii_uppercase()) {
                Some(m) if m == "OUT" => return None,
                Some(m) if ["IN", "INOUT", "VARIADIC"].contains(&m.as_str()) => &words[1..],
                _ => &words[..],
            };
            // `name type` or just `type`: try the whole as a type first.
            let whole = super::types::resolve(&words.join(" "), r.default_schema()).data_type.to_string();
            if r.schema.functions.contains_key(&format!("{prefix}{whole})")) || words.len() == 1 {
                Some(whole)
            } else {
                Some(super::types::resolve(&words[1..].join(" "), r.default_schema()).data_type.to_string())
            }
        })
        .collect();
    let key = format!("{prefix}{})", types.join(", "));
    r.schema.functions.contains_key(&key).then_some(key)
}

/// `ALTER TYPE t ADD ATTRIBUTE a type | DROP ATTRIBUTE [IF EXISTS] a | ALTER
/// ATTRIBUTE a [SET DATA] TYPE type [, …]` on a composite type.
fn alter_attributes(r: &mut PgReader, st: &Stmt<'_>) -> Result<Option<Applied>> {
    let Ok(mut cur) = st.cursor() else { return Ok(None) };
    cur.eat_kw("ALTER");
    cur.eat_kw("TYPE");
    let Some(parts) = cur.object_name() else { return Ok(None) };
    if !(cur.peek_kw_at(1, "ATTRIBUTE") && (cur.peek_kw("ADD") || cur.peek_kw("DROP") || cur.peek_kw("ALTER"))) {
        return Ok(None);
    }
    let name = r.qname_parts(&parts);
    let schema = r.default_schema().to_string();
    let mut ty = r.schema.types.remove(&name).ok_or_else(|| missing(st, &format!("type {name}")))?;
    let result = (|| {
        let UserTypeKind::Composite { attributes } = &mut ty.kind else {
            return Err(Error::data(format!("type {name} is not a composite type")).at(st.location()));
        };
        for action in super::function::split_top_level(cur.rest()) {
            let mut a = Cursor::new(&action).map_err(|e| Error::data(e.message).at(st.location()))?;
            let verb = if a.eat_kw("ADD") { "ADD" } else if a.eat_kw("DROP") { "DROP" } else if a.eat_kw("ALTER") { "ALTER" } else { "" };
            a.eat_kw("ATTRIBUTE");
            let if_exists = verb == "DROP" && a.eat_kws(&["IF", "EXISTS"]);
            let attr = a.ident().ok_or_else(|| Error::data("invalid SQL: expected an attribute name").at(st.location()))?;
            if verb == "ALTER" {
                a.eat_kws(&["SET", "DATA"]);
                a.eat_kw("TYPE");
            }
            let rest = a.rest();
            let type_text = rest
                .strip_suffix("CASCADE")
                .or_else(|| rest.strip_suffix("RESTRICT"))
                .unwrap_or(rest)
                .trim()
                .to_string();
            match verb {
                "ADD" => attributes.push(CompositeAttribute {
                    name: attr,
                    data_type: super::types::resolve(&type_text, &schema).data_type,
                    collation: None,
                }),
                "DROP" => {
                    let before = attributes.len();
                    attributes.retain(|x| x.name != attr);
                    if attributes.len() == before && !if_exists {
                        return Err(Error::data(format!("attribute {attr} of {name} does not exist")).at(st.location()));
                    }
                }
                _ => {
                    let x = attributes
                        .iter_mut()
                        .find(|x| x.name == attr)
                        .ok_or_else(|| Error::data(format!("attribute {attr} of {name} does not exist")).at(st.location()))?;
                    x.data_type = super::types::resolve(&type_text, &schema).data_type;
                }
            }
        }
        Ok(())
    })();
    r.schema.types.insert(name, ty);
    result.map(|()| Some(Applied::Done))
}

/// `ALTER DOMAIN d { SET DEFAULT e | DROP DEFAULT | SET NOT NULL | DROP NOT
/// NULL | ADD CONSTRAINT n CHECK (e) | DROP CONSTRAINT [IF EXISTS] n |
/// RENAME CONSTRAINT a TO b | RENAME TO n | VALIDATE CONSTRAINT n }`.
pub fn alter_domain(r: &mut PgReader, st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<Applied> {
    cur.eat_kw("DOMAIN");
    let parts = cur.object_name().ok_or_else(|| Error::data("invalid SQL: expected a domain name").at(st.location()))?;
    let name = r.qname_parts(&parts);
    let parse_expr = |text: &str| -> Result<Expr> {
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        let e = sqlparser::parser::Parser::new(&dialect)
            .try_with_sql(text)
            .and_then(|mut p| p.parse_expr())
            .map_err(|e| super::parse_error(st, &e.to_string()))?;
        Ok(Expr(canon::expr_text(&e)))
    };
    let mut ty = r.schema.types.remove(&name).ok_or_else(|| missing(st, &format!("domain {name}")))?;
    let result = (|| {
        if cur.eat_kws(&["RENAME", "TO"]) {
            let new = cur.ident().ok_or_else(|| Error::data("invalid SQL: expected a new name").at(st.location()))?;
            ty.name = QName::new(name.schema.clone(), new);
            return Ok(());
        }
        let UserTypeKind::Domain { default, not_null, checks, .. } = &mut ty.kind else {
            return Err(Error::data(format!("type {name} is not a domain")).at(st.location()));
        };
        if cur.eat_kws(&["SET", "DEFAULT"]) {
            let d = parse_expr(cur.rest())?;
            *default = Some(d);
        } else if cur.eat_kws(&["DROP", "DEFAULT"]) {
            *default = None;
        } else if cur.eat_kws(&["SET", "NOT", "NULL"]) {
            *not_null = true;
        } else if cur.eat_kws(&["DROP", "NOT", "NULL"]) {
            *not_null = false;
        } else if cur.eat_kw("ADD") {
            let cname = if cur.eat_kw("CONSTRAINT") { cur.ident() } else { None };
            if !cur.eat_kw("CHECK") {
                return Err(Error::data("invalid SQL: expected CHECK in ALTER DOMAIN … ADD").at(st.location()));
            }
            let (a, b) = cur.paren_group().ok_or_else(|| Error::data("invalid SQL: expected (expression)").at(st.location()))?;
            let expr = parse_expr(&cur.text[a..b])?;
            let cname = match cname {
                Some(n) => n,
                None => {
                    let taken: Vec<String> = checks.keys().cloned().collect();
                    choose_constraint_name(r, &name.schema, &name.name, None, "check", &taken)
                }
            };
            checks.insert(cname, expr);
        } else if cur.eat_kws(&["DROP", "CONSTRAINT"]) {
            let if_exists = cur.eat_kws(&["IF", "EXISTS"]);
            let cname = cur.ident().unwrap_or_default();
            if checks.remove(&cname).is_none() && !if_exists {
                return Err(Error::data(format!("constraint {cname} of domain {name} does not exist")).at(st.location()));
            }
        } else if cur.eat_kws(&["RENAME", "CONSTRAINT"]) {
            let from = cur.ident().unwrap_or_default();
            cur.eat_kw("TO");
            let to = cur.ident().unwrap_or_default();
            let e = checks.remove(&from).ok_or_else(|| Error::data(format!("constraint {from} of domain {name} does not exist")).at(st.location()))?;
            checks.insert(to, e);
        } else if cur.eat_kws(&["VALIDATE", "CONSTRAINT"]) {
        } else {
            return Err(Error::data("invalid SQL: unsupported ALTER DOMAIN action").at(st.location()));
        }
        Ok(())
    })();
    r.schema.types.insert(ty.name.clone(), ty);
    result.map(|()| Applied::Done)
}

/// Applies `f` to every partition (at any depth) of `parent`.
pub fn remove_partition_clones(r: &mut PgReader, parent: &QName, f: impl Fn(&mut crate::model::Table)) {
    let mut level = vec![parent.clone()];
    while !level.is_empty() {
        let children: Vec<QName> = r
            .schema
            .tables
            .values()
            .filter(|t| t.partition_of.as_ref().is_some_and(|p| level.contains(&p.parent)))
            .map(|t| t.name.clone())
            .collect();
        for c in &children {
            if let Some(t) = r.schema.tables.get_mut(c) {
                f(t);
            }
        }
        level = children;
    }
}
