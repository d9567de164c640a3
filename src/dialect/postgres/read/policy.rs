//! Row-level security policies: `CREATE POLICY`, `ALTER POLICY`, `DROP POLICY`.
//!
//! The USING and WITH CHECK expressions are canonical expressions, like a
//! CHECK constraint's: PostgreSQL stores them as parse trees and pg_dump
//! prints them deparsed (`((tenant_id = (current_setting('app.tenant'::text))::integer))`).

use super::canon;
use super::tokens::Cursor;
use super::{Applied, PgReader, Stmt, expected_at, location_of};
use crate::error::{Error, Result};
use crate::model::{Expr, Location, Policy, PolicyCommand, QName};

/// `TO role [, …]`: the roles sorted, `PUBLIC` as none (it means everyone,
/// and PostgreSQL ignores the other roles listed beside it).
fn roles(st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut public = false;
    loop {
        let quoted = matches!(cur.peek(), Some(sqlparser::tokenizer::Token::Word(w)) if w.quote_style.is_some());
        let role = cur
            .ident()
            .ok_or_else(|| expected_at(st, cur, "a role name"))?;
        if role == "public" && !quoted {
            public = true;
        }
        out.push(role);
        if !cur.eat(&sqlparser::tokenizer::Token::Comma) {
            break;
        }
    }
    if public {
        return Ok(Vec::new());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A parenthesized expression at the cursor, canonical.
/// A parenthesized expression after `clause`, as written (made canonical
/// with the model's other expressions).
pub(super) fn paren_expr(
    st: &Stmt<'_>,
    cur: &mut Cursor<'_>,
    clause: &str,
) -> Result<Expr> {
    let (a, b) = cur.paren_group().ok_or_else(|| {
        expected_at(
            st,
            cur,
            &format!("a parenthesized expression after {clause}"),
        )
    })?;
    let e = super::parse_expr_at(st, a, b)?;
    Ok(Expr(canon::expr_text(&e)))
}

/// The table a policy is on: an existing one, else the name to wait for.
pub(super) fn table_name(r: &PgReader, parts: &[String]) -> QName {
    match parts {
        [one] => r.lookup_table(&sqlparser::ast::ObjectName::from(vec![
            sqlparser::ast::Ident::with_quote('"', one.clone()),
        ])),
        parts => r.qname_parts(parts),
    }
}

/// `[TO roles] [USING (…)] [WITH CHECK (…)]`, on top of `policy`.
fn clauses(
    st: &Stmt<'_>,
    cur: &mut Cursor<'_>,
    policy: &mut Policy,
) -> Result<()> {
    if cur.eat_kw("TO") {
        policy.roles = roles(st, cur)?;
    }
    if cur.eat_kw("USING") {
        policy.using = Some(paren_expr(st, cur, "USING")?);
    }
    if cur.eat_kws(&["WITH", "CHECK"]) {
        policy.with_check = Some(paren_expr(st, cur, "WITH CHECK")?);
    }
    if !cur.at_end() {
        return Err(expected_at(st, cur, "TO, USING or WITH CHECK"));
    }
    Ok(())
}

/// PostgreSQL's own checks: an INSERT policy has only WITH CHECK, SELECT
/// and DELETE policies only USING.
fn check_clauses(policy: &Policy, location: &Location) -> Result<()> {
    let wrong = match policy.command {
        PolicyCommand::Insert if policy.using.is_some() => {
            Some("only WITH CHECK expression allowed for INSERT")
        }
        PolicyCommand::Select | PolicyCommand::Delete if policy.with_check.is_some() => {
            Some("WITH CHECK cannot be applied to SELECT or DELETE")
        }
        _ => None,
    };
    match wrong {
        Some(message) => Err(Error::data(message).at(location.clone())),
        None => Ok(()),
    }
}

/// `name ON table`, as CREATE, ALTER and DROP POLICY spell it.
fn name_on_table(st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<(String, Vec<String>)> {
    let name = cur.ident().ok_or_else(|| expected_at(st, cur, "a policy name"))?;
    if !cur.eat_kw("ON") {
        return Err(expected_at(st, cur, "ON table"));
    }
    let parts = cur.object_name().ok_or_else(|| expected_at(st, cur, "a table name"))?;
    Ok((name, parts))
}

pub fn create_policy(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    let mut cur = st.tokens()?;
    cur.eat_kw("CREATE");
    cur.eat_kw("POLICY");
    let (name, parts) = name_on_table(st, &mut cur)?;
    let mut policy = Policy {
        name: name.clone(),
        restrictive: false,
        command: PolicyCommand::All,
        roles: Vec::new(),
        using: None,
        with_check: None,
        comment: None,
        location: st.location(),
    };
    if cur.eat_kw("AS") {
        policy.restrictive = if cur.eat_kw("RESTRICTIVE") {
            true
        } else if cur.eat_kw("PERMISSIVE") {
            false
        } else {
            return Err(expected_at(st, &cur, "PERMISSIVE or RESTRICTIVE after AS"));
        };
    }
    if cur.eat_kw("FOR") {
        let at = cur.offset();
        policy.command = match cur.ident().as_deref() {
            Some("all") => PolicyCommand::All,
            Some("select") => PolicyCommand::Select,
            Some("insert") => PolicyCommand::Insert,
            Some("update") => PolicyCommand::Update,
            Some("delete") => PolicyCommand::Delete,
            _ => {
                return Err(Error::data(
                    "invalid SQL: expected ALL, SELECT, INSERT, UPDATE or DELETE after FOR",
                )
                .at(location_of(st, at)));
            }
        };
    }
    clauses(st, &mut cur, &mut policy)?;
    check_clauses(&policy, &st.location())?;
    let table = table_name(r, &parts);
    let Some(t) = r.schema.tables.get_mut(&table) else {
        return Ok(Applied::MissingTable(table));
    };
    if t.policies.contains_key(&name) {
        return Err(
            Error::data(format!("policy {name} for table {table} already exists"))
                .at(st.location()),
        );
    }
    t.policies.insert(name, policy);
    Ok(Applied::Done)
}

/// `ALTER POLICY name ON table { RENAME TO new | [TO …] [USING (…)] [WITH CHECK (…)] }`.
pub fn alter_policy(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    let mut cur = st.tokens()?;
    cur.eat_kw("ALTER");
    cur.eat_kw("POLICY");
    let (name, parts) = name_on_table(st, &mut cur)?;
    let table = table_name(r, &parts);
    let Some(t) = r.schema.tables.get_mut(&table) else {
        return Ok(Applied::MissingTable(table));
    };
    let missing =
        || Error::data(format!("policy {name} for table {table} does not exist")).at(st.location());
    if cur.eat_kws(&["RENAME", "TO"]) {
        let new = cur
            .ident()
            .ok_or_else(|| expected_at(st, &cur, "a new name"))?;
        let mut p = t.policies.remove(&name).ok_or_else(missing)?;
        p.name = new.clone();
        t.policies.insert(new, p);
        return Ok(Applied::Done);
    }
    let mut p = t.policies.get(&name).cloned().ok_or_else(missing)?;
    clauses(st, &mut cur, &mut p)?;
    check_clauses(&p, &st.location())?;
    t.policies.insert(name, p);
    Ok(Applied::Done)
}

/// `DROP POLICY [IF EXISTS] name ON table [CASCADE | RESTRICT]`.
pub fn drop_policy(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    let mut cur = st.tokens()?;
    cur.eat_kw("DROP");
    cur.eat_kw("POLICY");
    let if_exists = cur.eat_kws(&["IF", "EXISTS"]);
    let (name, parts) = name_on_table(st, &mut cur)?;
    let table = table_name(r, &parts);
    let Some(t) = r.schema.tables.get_mut(&table) else {
        return Ok(if if_exists {
            Applied::Done
        } else {
            Applied::MissingTable(table)
        });
    };
    if t.policies.remove(&name).is_none() && !if_exists {
        return Err(
            Error::data(format!("policy {name} for table {table} does not exist"))
                .at(st.location()),
        );
    }
    Ok(Applied::Done)
}
