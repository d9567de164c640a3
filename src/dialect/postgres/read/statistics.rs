//! Extended statistics: `CREATE STATISTICS [IF NOT EXISTS] name [(kinds)]
//! ON column_or_expression, … FROM table`, `ALTER STATISTICS`, `DROP STATISTICS`.

use super::canon;
use super::tokens::Cursor;
use super::{Applied, PgReader, Stmt, expected_at, location_of};
use crate::error::{Error, Result};
use crate::model::{Expr, QName, Statistics};
use sqlparser::tokenizer::Token;

/// The kinds in the order `pg_get_statisticsobjdef` lists them.
const KINDS: [&str; 3] = ["ndistinct", "dependencies", "mcv"];

pub fn create_statistics(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    let mut cur = st.tokens()?;
    cur.eat_kw("CREATE");
    cur.eat_kw("STATISTICS");
    let if_not_exists = cur.eat_kws(&["IF", "NOT", "EXISTS"]);
    let parts = cur
        .object_name()
        .ok_or_else(|| expected_at(st, &cur, "a statistics name"))?;
    let name = r.qname_parts(&parts);
    let mut kinds = Vec::new();
    if cur.peek() == Some(&Token::LParen) {
        cur.next();
        loop {
            let kind = cur
                .ident()
                .ok_or_else(|| expected_at(st, &cur, "a statistics kind"))?;
            if !KINDS.contains(&kind.as_str()) {
                return Err(
                    Error::data(format!("unrecognized statistics kind \"{kind}\""))
                        .at(st.location()),
                );
            }
            kinds.push(kind);
            if !cur.eat(&Token::Comma) {
                break;
            }
        }
        if !cur.eat(&Token::RParen) {
            return Err(expected_at(st, &cur, "`)` after the statistics kinds"));
        }
    }
    if !cur.eat_kw("ON") {
        return Err(expected_at(st, &cur, "ON"));
    }
    // Elements up to FROM at depth 0, split at commas.
    let mut elements: Vec<(usize, usize)> = Vec::new();
    let (mut start, mut depth) = (cur.offset(), 0);
    while !cur.at_end() && (depth != 0 || !cur.peek_kw("FROM")) {
        match cur.peek() {
            Some(Token::LParen) => depth += 1,
            Some(Token::RParen) => depth -= 1,
            Some(Token::Comma) if depth == 0 => {
                elements.push((start, cur.offset()));
                start = cur.tok(cur.pos).map_or(st.text.len(), |t| t.end);
            }
            _ => {}
        }
        cur.next();
    }
    elements.push((start, cur.offset()));
    if !cur.eat_kw("FROM") {
        return Err(expected_at(st, &cur, "FROM table"));
    }
    let table_parts = cur
        .object_name()
        .ok_or_else(|| expected_at(st, &cur, "a table name"))?;
    if !cur.at_end() {
        return Err(expected_at(st, &cur, "the end of the statement"));
    }
    let table = super::policy::table_name(r, &table_parts);
    let mut columns = Vec::new();
    let mut expressions = Vec::new();
    for (a, b) in elements {
        if st.text[a..b].trim().is_empty() {
            return Err(
                Error::data("invalid SQL: expected a column or an expression")
                    .at(location_of(st, a)),
            );
        }
        let e = super::parse_expr_at(st, a, b)?;
        // A bare column, parenthesized or not, is a column (PostgreSQL
        // treats a simple column reference among the expressions so).
        let mut inner = &e;
        while let sqlparser::ast::Expr::Nested(x) = inner {
            inner = x;
        }
        match super::column_of(inner) {
            Some(c) => columns.push(c),
            None => expressions.push(Expr(canon::expr_text(&e))),
        }
    }
    let Some(t) = r.schema.tables.get(&table) else {
        return Ok(Applied::MissingTable(table));
    };
    if let Some(c) = columns.iter().find(|c| t.column(c).is_none()) {
        return Err(Error::data(format!("column {c} of {table} does not exist")).at(st.location()));
    }
    columns.sort();
    let single_expression = columns.is_empty() && expressions.len() == 1;
    if single_expression && !kinds.is_empty() {
        return Err(Error::data("when building statistics on a single expression, statistics kinds may not be specified").at(st.location()));
    }
    if columns.len() + expressions.len() < 2 && !single_expression {
        return Err(
            Error::data("extended statistics require at least 2 columns").at(st.location()),
        );
    }
    // All kinds is what an omitted list means, and how pg_dump prints it.
    let kinds: Vec<String> = KINDS
        .iter()
        .filter(|k| kinds.iter().any(|x| x == *k))
        .map(|k| k.to_string())
        .collect();
    let kinds = if kinds.len() == KINDS.len() {
        Vec::new()
    } else {
        kinds
    };
    if r.schema.statistics.contains_key(&name) {
        if if_not_exists {
            return Ok(Applied::Done);
        }
        return Err(
            Error::data(format!("statistics object {name} already exists")).at(st.location()),
        );
    }
    let statistics = Statistics {
        name: name.clone(),
        table,
        kinds,
        columns,
        expressions,
        target: None,
        comment: None,
        location: st.location(),
    };
    r.schema.statistics.insert(name, statistics);
    Ok(Applied::Done)
}

/// `ALTER STATISTICS name { SET STATISTICS n | RENAME TO new | SET SCHEMA s }`.
pub fn alter_statistics(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    let mut cur = st.tokens()?;
    cur.eat_kw("ALTER");
    cur.eat_kw("STATISTICS");
    let if_exists = cur.eat_kws(&["IF", "EXISTS"]);
    let parts = cur
        .object_name()
        .ok_or_else(|| expected_at(st, &cur, "a statistics name"))?;
    let name = r.qname_parts(&parts);
    let Some(mut s) = r.schema.statistics.remove(&name) else {
        if if_exists {
            return Ok(Applied::Done);
        }
        return Err(
            Error::data(format!("statistics object {name} does not exist")).at(st.location()),
        );
    };
    let result = alter(st, &mut cur, &mut s);
    r.schema.statistics.insert(s.name.clone(), s);
    result.map(|()| Applied::Done)
}

fn alter(st: &Stmt<'_>, cur: &mut Cursor<'_>, s: &mut Statistics) -> Result<()> {
    if cur.eat_kws(&["SET", "STATISTICS"]) {
        // PostgreSQL 17 also takes DEFAULT; -1 is the default in every version.
        s.target = if cur.eat_kw("DEFAULT") {
            None
        } else {
            match cur
                .integer()
                .ok_or_else(|| expected_at(st, cur, "a number after SET STATISTICS"))?
            {
                -1 => None,
                n if n < -1 => {
                    return Err(
                        Error::data(format!("statistics target {n} is too low")).at(st.location())
                    );
                }
                n => Some(n.min(10_000) as i32),
            }
        };
    } else if cur.eat_kws(&["RENAME", "TO"]) {
        s.name = QName::new(
            s.name.schema.clone(),
            cur.ident()
                .ok_or_else(|| expected_at(st, cur, "a new name"))?,
        );
    } else if cur.eat_kws(&["SET", "SCHEMA"]) {
        s.name = QName::new(
            cur.ident()
                .ok_or_else(|| expected_at(st, cur, "a schema name"))?,
            s.name.name.clone(),
        );
    } else {
        return Err(expected_at(
            st,
            cur,
            "SET STATISTICS, RENAME TO or SET SCHEMA",
        ));
    }
    if !cur.at_end() {
        return Err(expected_at(st, cur, "the end of the statement"));
    }
    Ok(())
}
