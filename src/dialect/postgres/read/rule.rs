//! Rewrite rules: `CREATE [OR REPLACE] RULE name AS ON event TO relation
//! [WHERE condition] DO [ALSO | INSTEAD] { NOTHING | command | ( command ; … ) }`.
//!
//! PostgreSQL stores a rule's commands as query trees and pg_dump prints
//! them deparsed: the target table schema-qualified, an INSERT's column list
//! spelled out, casts added, and the columns of an UPDATE or DELETE target
//! qualified with its name (`WHERE (t.id = old.id)`). Each command is
//! brought to one canonical text here, its expressions and queries through
//! the same canonicalizer as CHECK constraints and views.

use super::canon;
use super::tokens::Cursor;
use super::{Applied, PgReader, Stmt, expected_at, location_of};
use crate::error::{Error, Result};
use crate::model::{Enabled, Expr, QName, Rule, RuleEvent, quote_ident};
use sqlparser::ast::{self, Statement};
use sqlparser::tokenizer::{Token, Tokenizer};

pub fn create_rule(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    let mut cur = st.tokens()?;
    cur.eat_kw("CREATE");
    let or_replace = cur.eat_kws(&["OR", "REPLACE"]);
    cur.eat_kw("RULE");
    let name = cur
        .ident()
        .ok_or_else(|| expected_at(st, &cur, "a rule name"))?;
    if !cur.eat_kws(&["AS", "ON"]) {
        return Err(expected_at(st, &cur, "AS ON"));
    }
    let at = cur.offset();
    let event = match cur.ident().as_deref() {
        Some("select") => RuleEvent::Select,
        Some("insert") => RuleEvent::Insert,
        Some("update") => RuleEvent::Update,
        Some("delete") => RuleEvent::Delete,
        _ => {
            return Err(Error::data(
                "invalid SQL: expected SELECT, INSERT, UPDATE or DELETE after ON",
            )
            .at(location_of(st, at)));
        }
    };
    if !cur.eat_kw("TO") {
        return Err(expected_at(st, &cur, "TO table"));
    }
    let parts = cur
        .object_name()
        .ok_or_else(|| expected_at(st, &cur, "a table name"))?;
    let relation = super::policy::table_name(r, &parts);
    // A rule's condition and commands see the relation as `new` and `old`,
    // and are resolved now, against the schema as it is.
    let ctx = vec![("new".to_string(), relation.clone()), ("old".to_string(), relation.clone())];
    let mut condition = None;
    if cur.eat_kw("WHERE") {
        let start = cur.offset();
        let mut depth = 0;
        while !cur.at_end() && (depth != 0 || !cur.peek_kw("DO")) {
            match cur.peek() {
                Some(Token::LParen) => depth += 1,
                Some(Token::RParen) => depth -= 1,
                _ => {}
            }
            cur.next();
        }
        let e = super::parse_expr_at(st, start, cur.offset())?;
        condition = Some(Expr(canon::scoped_expr(&r.schema, &ctx, &e)));
    }
    if !cur.eat_kw("DO") {
        return Err(expected_at(st, &cur, "DO"));
    }
    let instead = if cur.eat_kw("INSTEAD") {
        true
    } else {
        cur.eat_kw("ALSO");
        false
    };
    // The commands' byte ranges.
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    if cur.eat_kw("NOTHING") {
        if !cur.at_end() {
            return Err(expected_at(
                st,
                &cur,
                "the end of the statement after NOTHING",
            ));
        }
    } else if cur.peek() == Some(&Token::LParen) {
        let open = cur.pos;
        let (a, b) = cur
            .paren_group()
            .ok_or_else(|| expected_at(st, &cur, "a closing parenthesis"))?;
        if !cur.at_end() {
            return Err(expected_at(
                st,
                &cur,
                "the end of the statement after the commands",
            ));
        }
        // Commands end at semicolons outside their own parentheses.
        cur.pos = open + 1;
        let (mut start, mut depth) = (a, 0);
        while cur.offset() < b {
            match cur.peek() {
                Some(Token::LParen) => depth += 1,
                Some(Token::RParen) => depth -= 1,
                Some(Token::SemiColon) if depth == 0 => {
                    ranges.push((start, cur.offset()));
                    start = cur.tok(cur.pos).map_or(b, |t| t.end);
                }
                _ => {}
            }
            cur.next();
        }
        ranges.push((start, b));
    } else {
        ranges.push((cur.offset(), st.text.len()));
    }
    let mut actions = Vec::new();
    for (a, b) in ranges {
        if st.text[a..b].trim().is_empty() {
            continue;
        }
        actions.push(canonical_action(r, st, &ctx, a, b)?);
    }
    let rule = Rule {
        name: name.clone(),
        event,
        instead,
        condition,
        actions,
        enabled: Enabled::Origin,
        comment: None,
        location: st.location(),
    };
    let existing = if let Some(t) = r.schema.tables.get_mut(&relation) {
        &mut t.rules
    } else if let Some(v) = r.schema.views.get_mut(&relation) {
        &mut v.rules
    } else {
        return Ok(Applied::MissingTable(relation));
    };
    match existing.get(&name) {
        Some(old) if or_replace => {
            // CREATE OR REPLACE keeps the rule's comment and firing state.
            let (comment, enabled) = (old.comment.clone(), old.enabled);
            existing.insert(
                name,
                Rule {
                    comment,
                    enabled,
                    ..rule
                },
            );
        }
        Some(_) => {
            return Err(Error::data(format!(
                "rule {name} for relation {relation} already exists"
            ))
            .at(st.location()));
        }
        None => {
            existing.insert(name, rule);
        }
    }
    Ok(Applied::Done)
}

/// One command of a rule in canonical text.
fn canonical_action(
    r: &PgReader,
    st: &Stmt<'_>,
    ctx: &[(String, QName)],
    start: usize,
    end: usize,
) -> Result<String> {
    let mut text = st.text[..end].to_string();
    super::tokens::blank_out(&mut text, 0, start);
    let parsed = super::compat::parser(&text)
        .and_then(|mut p| {
            let s = p.parse_statement()?;
            p.expect_token(&Token::EOF)?;
            Ok(s)
        });
    let written = || {
        st.text[start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let statement = match parsed {
        Ok(s) => s,
        // NOTIFY and the like, which sqlparser may not read: kept as text.
        Err(_) if !starts_with_dml(&st.text[start..end]) => return Ok(written()),
        Err(e) => return Err(super::parse_error(st, &e.to_string())),
    };
    Ok(match statement {
        Statement::Query(q) => canon::scoped_query(&r.schema, ctx, &q),
        Statement::Insert(ins)
            if ins.on.is_none() && ins.returning.is_none() && ins.assignments.is_empty() =>
        {
            let ast::TableObject::TableName(name) = &ins.table else {
                return Ok(written());
            };
            let target = r.lookup_table(name);
            let mut columns: Vec<String> = ins.columns.iter().map(super::ident_of_name).collect();
            if columns.is_empty()
                && let Some(t) = r.schema.tables.get(&target)
            {
                // Without a column list the values go to the first columns, and
                // PostgreSQL records (and pg_dump prints) those columns.
                let n = ins
                    .source
                    .as_deref()
                    .and_then(source_width)
                    .unwrap_or(t.columns.len());
                columns = t.columns.iter().take(n).map(|c| c.name.clone()).collect();
            }
            let columns = if columns.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    columns
                        .iter()
                        .map(|c| quote_ident(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let source = match &ins.source {
                Some(q) => canon::scoped_query(&r.schema, ctx, q),
                None => "DEFAULT VALUES".into(),
            };
            format!("INSERT INTO {target}{columns} {source}")
        }
        Statement::Update(u)
            if u.from.is_none() && u.returning.is_none() && u.table.joins.is_empty() =>
        {
            let ast::TableFactor::Table { name, alias, .. } = &u.table.relation else {
                return Ok(written());
            };
            let t = Target::new(r, ctx, name, alias.as_ref());
            let mut sets = Vec::new();
            for a in &u.assignments {
                let ast::AssignmentTarget::ColumnName(c) = &a.target else {
                    return Ok(written());
                };
                sets.push(format!("{} = {}", quote_ident(&super::ident_of_name(c)), t.expr(r, &a.value)));
            }
            let filter = t.filter(r, u.selection.as_ref());
            format!("UPDATE {}{} SET {}{filter}", t.name, t.alias_sql, sets.join(", "))
        }
        Statement::Delete(d)
            if d.using.is_none() && d.returning.is_none() && d.tables.is_empty() =>
        {
            let (ast::FromTable::WithFromKeyword(from) | ast::FromTable::WithoutKeyword(from)) =
                &d.from;
            let [only] = from.as_slice() else {
                return Ok(written());
            };
            let ast::TableFactor::Table { name, alias, .. } = &only.relation else {
                return Ok(written());
            };
            if !only.joins.is_empty() {
                return Ok(written());
            }
            let t = Target::new(r, ctx, name, alias.as_ref());
            let filter = t.filter(r, d.selection.as_ref());
            format!("DELETE FROM {}{}{filter}", t.name, t.alias_sql)
        }
        _ => written(),
    })
}

/// The table an UPDATE or DELETE of a rule writes, and how its expressions
/// are printed: resolved in the scope the command sees (its target under
/// its alias or name, then `new` and `old`), without the target's qualifier.
struct Target {
    name: QName,
    qualifier: String,
    /// ` alias`, or nothing.
    alias_sql: String,
    scope: Vec<(String, QName)>,
}

impl Target {
    fn new(r: &PgReader, ctx: &[(String, QName)], name: &ast::ObjectName, alias: Option<&ast::TableAlias>) -> Target {
        let name = r.lookup_table(name);
        let qualifier = alias.map_or(name.name.clone(), |a| super::ident(&a.name));
        let alias_sql = alias.map(|a| format!(" {}", quote_ident(&super::ident(&a.name)))).unwrap_or_default();
        let mut scope = vec![(qualifier.clone(), name.clone())];
        scope.extend(ctx.iter().cloned());
        Target { name, qualifier, alias_sql, scope }
    }

    fn expr(&self, r: &PgReader, e: &ast::Expr) -> String {
        unqualify(&canon::scoped_expr(&r.schema, &self.scope, e), &self.qualifier)
    }

    /// ` WHERE …`, or nothing.
    fn filter(&self, r: &PgReader, selection: Option<&ast::Expr>) -> String {
        selection.map(|w| format!(" WHERE {}", self.expr(r, w))).unwrap_or_default()
    }
}

fn starts_with_dml(text: &str) -> bool {
    let first = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    ["INSERT", "UPDATE", "DELETE", "SELECT", "WITH", "VALUES"].contains(&first.as_str())
}

/// How many values each row of an INSERT source has, when it can be told.
fn source_width(q: &ast::Query) -> Option<usize> {
    match q.body.as_ref() {
        ast::SetExpr::Values(v) => v.rows.first().map(|row| row.content.len()),
        ast::SetExpr::Select(s)
            if !s.projection.iter().any(|i| {
                matches!(
                    i,
                    ast::SelectItem::Wildcard(_) | ast::SelectItem::QualifiedWildcard(..)
                )
            }) =>
        {
            Some(s.projection.len())
        }
        _ => None,
    }
}

/// `qualifier.column` → `column` in canonical text: inside an UPDATE or
/// DELETE the target's columns need no qualifier, and pg_dump adds one.
fn unqualify(text: &str, qualifier: &str) -> String {
    let Ok(tokens) = Tokenizer::new(&sqlparser::dialect::PostgreSqlDialect {}, text).tokenize() else {
        return text.to_string();
    };
    let folded = |t: &Token| match t {
        Token::Word(w) if w.quote_style.is_some() => Some(w.value.clone()),
        Token::Word(w) => Some(w.value.to_lowercase()),
        _ => None,
    };
    let mut out = String::new();
    let mut i = 0;
    while i < tokens.len() {
        let after_period = i > 0 && tokens[i - 1] == Token::Period;
        if !after_period
            && folded(&tokens[i]).as_deref() == Some(qualifier)
            && tokens.get(i + 1) == Some(&Token::Period)
            && tokens
                .get(i + 2)
                .is_some_and(|t| matches!(t, Token::Word(_)))
            && tokens.get(i + 3) != Some(&Token::Period)
        {
            i += 2;
            continue;
        }
        out.push_str(&tokens[i].to_string());
        i += 1;
    }
    out
}

/// The relation a `… ON relation` names, for COMMENT ON RULE and DROP RULE.
pub fn rules_of<'a>(
    r: &'a mut PgReader,
    relation: &QName,
) -> Option<&'a mut std::collections::BTreeMap<String, Rule>> {
    if r.schema.tables.contains_key(relation) {
        return r.schema.tables.get_mut(relation).map(|t| &mut t.rules);
    }
    r.schema.views.get_mut(relation).map(|v| &mut v.rules)
}

/// `DROP RULE [IF EXISTS] name ON relation [CASCADE | RESTRICT]`.
pub fn drop_rule(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    let mut cur = st.tokens()?;
    cur.eat_kw("DROP");
    cur.eat_kw("RULE");
    let if_exists = cur.eat_kws(&["IF", "EXISTS"]);
    let name = cur
        .ident()
        .ok_or_else(|| expected_at(st, &cur, "a rule name"))?;
    if !cur.eat_kw("ON") {
        return Err(expected_at(st, &cur, "ON table"));
    }
    let parts = cur
        .object_name()
        .ok_or_else(|| expected_at(st, &cur, "a table name"))?;
    let relation = super::policy::table_name(r, &parts);
    let Some(rules) = rules_of(r, &relation) else {
        return Ok(if if_exists {
            Applied::Done
        } else {
            Applied::MissingTable(relation)
        });
    };
    if rules.remove(&name).is_none() && !if_exists {
        return Err(Error::data(format!(
            "rule {name} for relation {relation} does not exist"
        ))
        .at(st.location()));
    }
    Ok(Applied::Done)
}

/// `ALTER RULE name ON relation RENAME TO new`.
pub fn alter_rule(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    let mut cur: Cursor<'_> = st.tokens()?;
    cur.eat_kw("ALTER");
    cur.eat_kw("RULE");
    let name = cur
        .ident()
        .ok_or_else(|| expected_at(st, &cur, "a rule name"))?;
    if !cur.eat_kw("ON") {
        return Err(expected_at(st, &cur, "ON table"));
    }
    let parts = cur
        .object_name()
        .ok_or_else(|| expected_at(st, &cur, "a table name"))?;
    if !cur.eat_kws(&["RENAME", "TO"]) {
        return Err(expected_at(st, &cur, "RENAME TO"));
    }
    let new = cur
        .ident()
        .ok_or_else(|| expected_at(st, &cur, "a new name"))?;
    let relation = super::policy::table_name(r, &parts);
    let Some(rules) = rules_of(r, &relation) else {
        return Ok(Applied::MissingTable(relation));
    };
    let mut rule = rules.remove(&name).ok_or_else(|| {
        Error::data(format!(
            "rule {name} for relation {relation} does not exist"
        ))
        .at(st.location())
    })?;
    rule.name = new.clone();
    rules.insert(new, rule);
    Ok(Applied::Done)
}

#[cfg(test)]
mod tests {
    use super::unqualify;

    #[test]
    fn target_qualifiers_are_dropped() {
        assert_eq!(unqualify("b.id = old.id", "b"), "id = old.id");
        assert_eq!(
            unqualify("x.b.id = old.id AND b.c > 0", "b"),
            "x.b.id = old.id AND c > 0"
        );
        assert_eq!(unqualify("'b.id' = bb.id", "b"), "'b.id' = bb.id");
    }
}
