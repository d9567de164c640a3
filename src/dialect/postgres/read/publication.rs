//! Publications for logical replication: `CREATE PUBLICATION`, `ALTER
//! PUBLICATION … ADD | SET | DROP …`, `DROP PUBLICATION`.
//!
//! pg_dump creates a publication empty and adds each table with its own
//! `ALTER PUBLICATION p ADD TABLE ONLY t`; written by hand the tables are
//! usually listed in `CREATE PUBLICATION p FOR TABLE a, b`. Both give the
//! same set of tables here.

use super::tokens::Cursor;
use super::{Applied, PgReader, Stmt, expected_at};
use crate::error::{Error, Result};
use crate::model::{Publication, PublicationTable, QName};
use sqlparser::tokenizer::Token;
use std::collections::BTreeMap;

/// The operations a publication publishes by default, in pg_dump's order.
const PUBLISH: [&str; 4] = ["insert", "update", "delete", "truncate"];

/// What a list of publication objects names.
#[derive(Default)]
struct Objects {
    tables: BTreeMap<QName, PublicationTable>,
    schemas: Vec<String>,
}

/// `TABLE [ONLY] t [*] [(cols)] [WHERE (e)], … | TABLES IN SCHEMA s, …`, repeated.
fn objects(
    r: &PgReader,
    st: &Stmt<'_>,
    cur: &mut Cursor<'_>,
    with_details: bool,
) -> Result<Objects> {
    let mut out = Objects::default();
    let mut in_schema = None;
    loop {
        if cur.eat_kws(&["TABLES", "IN", "SCHEMA"]) {
            in_schema = Some(true);
        } else if cur.eat_kw("TABLE") {
            in_schema = Some(false);
        }
        match in_schema {
            None => return Err(expected_at(st, cur, "TABLE or TABLES IN SCHEMA")),
            Some(true) => {
                let schema = if cur.eat_kw("CURRENT_SCHEMA") {
                    r.default_schema().to_string()
                } else {
                    cur.ident()
                        .ok_or_else(|| expected_at(st, cur, "a schema name"))?
                };
                out.schemas.push(schema);
            }
            Some(false) => {
                cur.eat_kw("ONLY");
                let parts = cur
                    .object_name()
                    .ok_or_else(|| expected_at(st, cur, "a table name"))?;
                cur.eat(&Token::Mul);
                let mut table = PublicationTable::default();
                if with_details && cur.peek() == Some(&Token::LParen) {
                    cur.next();
                    loop {
                        table.columns.push(
                            cur.ident()
                                .ok_or_else(|| expected_at(st, cur, "a column name"))?,
                        );
                        if !cur.eat(&Token::Comma) {
                            break;
                        }
                    }
                    if !cur.eat(&Token::RParen) {
                        return Err(expected_at(st, cur, "`)` after the column list"));
                    }
                    table.columns.sort();
                }
                if with_details && cur.eat_kw("WHERE") {
                    table.row_filter = Some(super::policy::paren_expr(st, cur, "WHERE")?);
                }
                out.tables
                    .insert(super::policy::table_name(r, &parts), table);
            }
        }
        if !cur.eat(&Token::Comma) {
            break;
        }
    }
    out.schemas.sort();
    out.schemas.dedup();
    Ok(out)
}

/// `WITH (…)` / `SET (…)` parameters as the model keeps them: defaults left
/// out, `publish` in one spelling.
fn parameters(st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<Vec<(String, Option<String>)>> {
    let (a, b) = cur
        .paren_group()
        .ok_or_else(|| expected_at(st, cur, "a parenthesized parameter list"))?;
    let items = super::properties::storage_parameters(&st.text[a..b], true).map_err(|what| {
        Error::data(format!("invalid SQL: expected {what}")).at(super::location_of(st, a))
    })?;
    let mut out = Vec::new();
    for item in items {
        let (name, value) = item
            .split_once('=')
            .expect("storage_parameters gives name=value");
        let normalized = match name {
            "publish" => {
                let listed: Vec<String> = value
                    .split(',')
                    .map(|v| v.trim().to_ascii_lowercase())
                    .filter(|v| !v.is_empty())
                    .collect();
                if let Some(bad) = listed.iter().find(|v| !PUBLISH.contains(&v.as_str())) {
                    return Err(Error::data(format!(
                        "unrecognized value for publication option \"publish\": \"{bad}\""
                    ))
                    .at(st.location()));
                }
                let ordered: Vec<&str> = PUBLISH
                    .iter()
                    .copied()
                    .filter(|p| listed.iter().any(|v| v == p))
                    .collect();
                (ordered.len() < PUBLISH.len()).then(|| {
                    format!(
                        "publish = {}",
                        crate::model::quote_literal(&ordered.join(", "))
                    )
                })
            }
            "publish_via_partition_root" => matches!(value, "true" | "on" | "1" | "yes")
                .then(|| "publish_via_partition_root = true".to_string()),
            other => Some(format!("{other} = {value}")),
        };
        out.push((name.to_string(), normalized));
    }
    Ok(out)
}

fn set_parameters(options: &mut Vec<String>, changes: Vec<(String, Option<String>)>) {
    for (name, value) in changes {
        options.retain(|o| o.split(" = ").next() != Some(name.as_str()));
        options.extend(value);
    }
    options.sort();
}

pub fn create_publication(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    let mut cur = st.tokens()?;
    cur.eat_kw("CREATE");
    cur.eat_kw("PUBLICATION");
    let name = cur
        .ident()
        .ok_or_else(|| expected_at(st, &cur, "a publication name"))?;
    let mut p = Publication {
        name: name.clone(),
        all_tables: false,
        tables: BTreeMap::new(),
        schemas: Vec::new(),
        options: Vec::new(),
        comment: None,
        location: st.location(),
    };
    if cur.eat_kw("FOR") {
        if cur.eat_kws(&["ALL", "TABLES"]) {
            p.all_tables = true;
        } else {
            let o = objects(r, st, &mut cur, true)?;
            p.tables = o.tables;
            p.schemas = o.schemas;
        }
    }
    if cur.eat_kw("WITH") {
        set_parameters(&mut p.options, parameters(st, &mut cur)?);
    }
    if !cur.at_end() {
        return Err(expected_at(
            st,
            &cur,
            "FOR, WITH or the end of the statement",
        ));
    }
    if r.schema.publications.contains_key(&name) {
        return Err(
            Error::data(format!("publication \"{name}\" already exists")).at(st.location()),
        );
    }
    if let Some(missing) = p.tables.keys().find(|t| !r.schema.tables.contains_key(*t)) {
        return Ok(Applied::MissingTable(missing.clone()));
    }
    r.schema.publications.insert(name, p);
    Ok(Applied::Done)
}

/// `ALTER PUBLICATION name { ADD | SET | DROP } objects | SET (…) | RENAME TO new`.
pub fn alter_publication(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    let mut cur = st.tokens()?;
    cur.eat_kw("ALTER");
    cur.eat_kw("PUBLICATION");
    let name = cur
        .ident()
        .ok_or_else(|| expected_at(st, &cur, "a publication name"))?;
    let Some(mut p) = r.schema.publications.get(&name).cloned() else {
        return Err(
            Error::data(format!("publication \"{name}\" does not exist")).at(st.location()),
        );
    };
    if cur.eat_kws(&["RENAME", "TO"]) {
        let new = cur
            .ident()
            .ok_or_else(|| expected_at(st, &cur, "a new name"))?;
        r.schema.publications.remove(&name);
        p.name = new.clone();
        r.schema.publications.insert(new, p);
        return Ok(Applied::Done);
    }
    if cur.peek_kw("SET") && cur.peek_at(1) == Some(&Token::LParen) {
        cur.next();
        set_parameters(&mut p.options, parameters(st, &mut cur)?);
    } else if cur.eat_kw("ADD") {
        let o = objects(r, st, &mut cur, true)?;
        if let Some(missing) = o.tables.keys().find(|t| !r.schema.tables.contains_key(*t)) {
            return Ok(Applied::MissingTable(missing.clone()));
        }
        p.tables.extend(o.tables);
        p.schemas.extend(o.schemas);
        p.schemas.sort();
        p.schemas.dedup();
    } else if cur.eat_kw("SET") {
        let o = objects(r, st, &mut cur, true)?;
        if let Some(missing) = o.tables.keys().find(|t| !r.schema.tables.contains_key(*t)) {
            return Ok(Applied::MissingTable(missing.clone()));
        }
        p.tables = o.tables;
        p.schemas = o.schemas;
    } else if cur.eat_kw("DROP") {
        let o = objects(r, st, &mut cur, false)?;
        for t in o.tables.keys() {
            if p.tables.remove(t).is_none() {
                return Err(Error::data(format!(
                    "relation \"{}\" is not part of the publication",
                    t.name
                ))
                .at(st.location()));
            }
        }
        p.schemas.retain(|s| !o.schemas.contains(s));
    } else {
        return Err(expected_at(st, &cur, "ADD, SET, DROP or RENAME TO"));
    }
    if !cur.at_end() {
        return Err(expected_at(st, &cur, "the end of the statement"));
    }
    r.schema.publications.insert(name, p);
    Ok(Applied::Done)
}
