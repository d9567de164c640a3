//! Statements parsed by hand, where sqlparser 0.63 rejects what PostgreSQL
//! (and pg_dump) write: sequence options in any order, `ALTER SEQUENCE …
//! OWNED BY`, `COMMENT ON FUNCTION f(args)`, `ALTER … OWNER TO`,
//! `ALTER TABLE … ATTACH PARTITION`, and a few simple statements.

use super::tokens::Cursor;
use super::{Applied, PgReader, Stmt};
use crate::error::{Error, Result};
use crate::model::{Extension, Namespace, PartitionOf, QName, Sequence, SequenceOptions};
use sqlparser::tokenizer::Token;

fn expected(st: &Stmt<'_>, what: &str) -> Error {
    Error::data(format!("invalid SQL: expected {what}")).at(st.location())
}

/// `ALTER <object> OWNER TO role` — and not `RENAME [COLUMN] owner TO x`,
/// where `owner` is a column's name.
pub fn is_owner_to(text: &str) -> bool {
    if !super::table::contains_word(text, "OWNER") {
        return false;
    }
    let Ok(mut cur) = Cursor::new(text) else { return false };
    let mut words: Vec<(String, bool)> = Vec::new();
    while let Some(t) = cur.next() {
        match t {
            Token::Word(w) => words.push((w.value.to_ascii_uppercase(), w.quote_style.is_none())),
            other => words.push((other.to_string(), false)),
        }
    }
    let n = words.len();
    // OWNER TO <role> closes the statement.
    n >= 4
        && words[n - 3] == ("OWNER".to_string(), true)
        && words[n - 2].0 == "TO"
        && !matches!(words[n - 4].0.as_str(), "COLUMN" | "RENAME")
}

/// `SET search_path = a, b` / `SET search_path TO …`; other settings do not affect the schema.
/// `REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA]`: fills
/// (or empties) the view; its definition is unchanged.
pub fn refresh(r: &mut PgReader, st: &Stmt<'_>) {
    let Ok(mut cur) = st.cursor() else { return };
    cur.eat_kw("REFRESH");
    if !cur.eat_kws(&["MATERIALIZED", "VIEW"]) {
        return;
    }
    cur.eat_kw("CONCURRENTLY");
    let Some(parts) = cur.object_name() else { return };
    let no_data = cur.eat_kws(&["WITH", "NO", "DATA"]);
    let name = r.qname_parts(&parts);
    if let Some(v) = r.schema.views.get_mut(&name) {
        v.with_no_data = no_data;
    }
}

pub fn set(r: &mut PgReader, _st: &Stmt<'_>, cur: &mut Cursor<'_>) {
    cur.next();
    cur.eat_kw("SESSION");
    cur.eat_kw("LOCAL");
    if !cur.eat_kw("search_path") {
        return;
    }
    if !cur.eat(&Token::Eq) {
        cur.eat_kw("TO");
    }
    let mut path = Vec::new();
    while !cur.at_end() {
        if let Some(s) = cur.string() {
            path.extend(s.split(',').map(|p| p.trim().trim_matches('"').to_string()).filter(|p| !p.is_empty()));
        } else if let Some(id) = cur.ident() {
            if id != "default" {
                path.push(id);
            }
        } else {
            cur.next();
        }
    }
    path.retain(|p| p != "$user" && p != "pg_catalog");
    r.set_search_path(path);
}

/// pg_dump's `SELECT pg_catalog.set_config('search_path', '', false)`.
pub fn select_set_config(r: &mut PgReader, st: &Stmt<'_>) {
    let Ok(mut cur) = st.cursor() else { return };
    let mut strings = Vec::new();
    while !cur.at_end() {
        match cur.string() {
            Some(s) => strings.push(s),
            None => {
                cur.next();
            }
        }
    }
    if let [name, value, ..] = strings.as_slice()
        && name == "search_path" {
            let path = value.split(',').map(|p| p.trim().trim_matches('"').to_string()).filter(|p| !p.is_empty() && p != "$user").collect();
            r.set_search_path(path);
        }
}

/// Parses sequence options in any order, as PostgreSQL accepts them
/// (CREATE SEQUENCE, ALTER SEQUENCE, identity column options). Returns the
/// options and, for identity columns, pg_dump's `SEQUENCE NAME`.
pub fn parse_sequence_options(st: &Stmt<'_>, text: &str) -> Result<(SequenceOptions, Option<Vec<String>>)> {
    let mut cur = Cursor::new(text).map_err(|e| Error::data(e.message).at(st.location()))?;
    let mut o = SequenceOptions::default();
    let mut name = None;
    apply_sequence_options(st, &mut cur, &mut o, &mut name, &mut None)?;
    Ok((o, name))
}

/// Applies the options at the cursor to `o`; `owned_by` receives `OWNED BY`.
fn apply_sequence_options(
    st: &Stmt<'_>,
    cur: &mut Cursor<'_>,
    o: &mut SequenceOptions,
    seq_name: &mut Option<Vec<String>>,
    owned_by: &mut Option<Option<Vec<String>>>,
) -> Result<()> {
    while !cur.at_end() {
        if cur.eat_kw("AS") {
            let mut words = Vec::new();
            while let Some(Token::Word(w)) = cur.peek() {
                let upper = w.value.to_ascii_uppercase();
                if ["START", "INCREMENT", "MINVALUE", "MAXVALUE", "NO", "CACHE", "CYCLE", "OWNED", "RESTART"].contains(&upper.as_str()) {
                    break;
                }
                words.push(w.value.clone());
                cur.next();
            }
            o.data_type = Some(super::types::resolve(&words.join(" "), "public").data_type);
        } else if cur.eat_kw("INCREMENT") {
            cur.eat_kw("BY");
            o.increment = Some(cur.integer().ok_or_else(|| expected(st, "a number after INCREMENT"))?);
        } else if cur.eat_kw("MINVALUE") {
            o.min_value = Some(cur.integer().ok_or_else(|| expected(st, "a number after MINVALUE"))?);
        } else if cur.eat_kw("MAXVALUE") {
            o.max_value = Some(cur.integer().ok_or_else(|| expected(st, "a number after MAXVALUE"))?);
        } else if cur.eat_kws(&["NO", "MINVALUE"]) {
            o.min_value = None;
        } else if cur.eat_kws(&["NO", "MAXVALUE"]) {
            o.max_value = None;
        } else if cur.eat_kws(&["NO", "CYCLE"]) {
            o.cycle = false;
        } else if cur.eat_kw("CYCLE") {
            o.cycle = true;
        } else if cur.eat_kw("START") {
            cur.eat_kw("WITH");
            o.start = Some(cur.integer().ok_or_else(|| expected(st, "a number after START"))?);
        } else if cur.eat_kw("RESTART") {
            // RESTART changes the current value, not the definition.
            cur.eat_kw("WITH");
            cur.integer();
        } else if cur.eat_kw("CACHE") {
            o.cache = Some(cur.integer().ok_or_else(|| expected(st, "a number after CACHE"))?);
        } else if cur.eat_kws(&["SEQUENCE", "NAME"]) {
            *seq_name = Some(cur.object_name().ok_or_else(|| expected(st, "a sequence name"))?);
        } else if cur.eat_kws(&["OWNED", "BY"]) {
            *owned_by = Some(if cur.eat_kw("NONE") { None } else { Some(cur.object_name().ok_or_else(|| expected(st, "table.column after OWNED BY"))?) });
        } else if cur.eat_kw("LOGGED") || cur.eat_kw("UNLOGGED") {
        } else {
            let found = cur.rest().chars().take(30).collect::<String>();
            return Err(expected(st, &format!("a sequence option, found `{found}`")));
        }
    }
    Ok(())
}

/// Drops options that only restate PostgreSQL's defaults, so that
/// `CREATE SEQUENCE s` and pg_dump's spelled-out form compare equal.
pub fn normalize_sequence_options(o: &mut SequenceOptions) {
    let (type_min, type_max) = match o.data_type.as_ref().map(|t| t.name.as_str()) {
        Some("smallint") => (i16::MIN as i64, i16::MAX as i64),
        Some("integer") => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    };
    if o.data_type.as_ref().is_some_and(|t| t.name == "bigint") {
        o.data_type = None;
    }
    let inc = o.increment.unwrap_or(1);
    if inc == 1 {
        o.increment = None;
    }
    let (def_min, def_max) = if inc > 0 { (1, type_max) } else { (type_min, -1) };
    if o.min_value == Some(def_min) {
        o.min_value = None;
    }
    if o.max_value == Some(def_max) {
        o.max_value = None;
    }
    let start_default = if inc > 0 { o.min_value.unwrap_or(def_min) } else { o.max_value.unwrap_or(def_max) };
    if o.start == Some(start_default) {
        o.start = None;
    }
    if o.cache == Some(1) {
        o.cache = None;
    }
}

pub fn create_sequence(r: &mut PgReader, st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<Applied> {
    cur.eat_kw("SEQUENCE");
    let if_not_exists = cur.eat_kws(&["IF", "NOT", "EXISTS"]);
    let parts = cur.object_name().ok_or_else(|| expected(st, "a sequence name"))?;
    let name = r.qname_parts(&parts);
    let mut options = SequenceOptions::default();
    let mut owned = None;
    apply_sequence_options(st, cur, &mut options, &mut None, &mut owned)?;
    normalize_sequence_options(&mut options);
    if r.schema.sequences.contains_key(&name) {
        if if_not_exists {
            return Ok(Applied::Done);
        }
        return Err(Error::data(format!("sequence {name} is created twice")).at(st.location()));
    }
    let owned_by = owned.flatten().and_then(|p| owned_by_target(r, &p));
    r.schema.sequences.insert(name.clone(), Sequence { name, options, owned_by, comment: None, location: st.location() });
    Ok(Applied::Done)
}

fn owned_by_target(r: &PgReader, parts: &[String]) -> Option<(QName, String)> {
    let (column, table) = parts.split_last()?;
    Some((r.qname_parts(table), column.clone()))
}

pub fn alter_sequence(r: &mut PgReader, st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<Applied> {
    cur.eat_kw("SEQUENCE");
    let if_exists = cur.eat_kws(&["IF", "EXISTS"]);
    let parts = cur.object_name().ok_or_else(|| expected(st, "a sequence name"))?;
    let name = r.qname_parts(&parts);
    if cur.eat_kws(&["RENAME", "TO"]) {
        let new = cur.ident().ok_or_else(|| expected(st, "a new name"))?;
        if let Some(mut s) = r.schema.sequences.remove(&name) {
            s.name = QName::new(name.schema.clone(), new);
            r.schema.sequences.insert(s.name.clone(), s);
        }
        return Ok(Applied::Done);
    }
    let Some(mut seq) = r.schema.sequences.remove(&name) else {
        if if_exists {
            return Ok(Applied::Done);
        }
        return Err(Error::data(format!("sequence {name} does not exist")).at(st.location()));
    };
    let mut owned = None;
    let result = apply_sequence_options(st, cur, &mut seq.options, &mut None, &mut owned);
    normalize_sequence_options(&mut seq.options);
    if let Some(target) = owned {
        seq.owned_by = target.and_then(|p| owned_by_target(r, &p));
    }
    r.schema.sequences.insert(name, seq);
    result.map(|()| Applied::Done)
}

pub fn create_schema(r: &mut PgReader, st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<Applied> {
    cur.eat_kw("SCHEMA");
    let if_not_exists = cur.eat_kws(&["IF", "NOT", "EXISTS"]);
    let name = if cur.peek_kw("AUTHORIZATION") {
        cur.next();
        cur.ident()
    } else {
        cur.ident()
    }
    .ok_or_else(|| expected(st, "a schema name"))?;
    if r.schema.schemas.contains_key(&name) && !if_not_exists && name != "public" {
        return Err(Error::data(format!("schema {name} is created twice")).at(st.location()));
    }
    r.schema.schemas.entry(name.clone()).or_insert(Namespace { name, comment: None, location: st.location() });
    Ok(Applied::Done)
}

pub fn create_extension(r: &mut PgReader, st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<Applied> {
    cur.eat_kw("EXTENSION");
    cur.eat_kws(&["IF", "NOT", "EXISTS"]);
    let name = cur.ident().ok_or_else(|| expected(st, "an extension name"))?;
    cur.eat_kw("WITH");
    let mut schema = r.default_schema().to_string();
    let mut version = None;
    while !cur.at_end() {
        if cur.eat_kw("SCHEMA") {
            schema = cur.ident().ok_or_else(|| expected(st, "a schema name"))?;
        } else if cur.eat_kw("VERSION") {
            version = cur.string().or_else(|| cur.ident());
        } else {
            cur.next();
        }
    }
    // plpgsql is installed in every database (template1); pg_dump never writes it.
    if name == "plpgsql" {
        return Ok(Applied::Done);
    }
    r.schema.extensions.insert(name.clone(), Extension { name, schema, version, location: st.location() });
    Ok(Applied::Done)
}

/// `ALTER TABLE [ONLY] parent ATTACH PARTITION child FOR VALUES … | DEFAULT`
/// and `DETACH PARTITION child`. Returns `None` for other ALTER TABLE forms.
pub fn attach_or_detach_partition(r: &mut PgReader, st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<Option<Applied>> {
    let start = cur.pos;
    cur.eat_kw("TABLE");
    cur.eat_kws(&["IF", "EXISTS"]);
    cur.eat_kw("ONLY");
    let Some(parent) = cur.object_name() else {
        cur.pos = start;
        return Ok(None);
    };
    let attach = cur.eat_kws(&["ATTACH", "PARTITION"]);
    if !attach && !cur.eat_kws(&["DETACH", "PARTITION"]) {
        cur.pos = start;
        return Ok(None);
    }
    let child = r.qname_parts(&cur.object_name().ok_or_else(|| expected(st, "a partition name"))?);
    let parent = r.qname_parts(&parent);
    let bound = cur.rest().split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(table) = r.schema.tables.get_mut(&child) else { return Ok(Some(Applied::MissingTable(child))) };
    if attach {
        table.partition_of = Some(PartitionOf { parent, bound });
    } else {
        table.partition_of = None;
    }
    Ok(Some(Applied::Done))
}

/// `ALTER TABLE [IF EXISTS] [ONLY] child [NO] INHERIT parent` (sqlparser 0.63
/// does not parse it). Returns `None` for other ALTER TABLE forms.
pub fn inherit_or_no_inherit(r: &mut PgReader, st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<Option<Applied>> {
    if !super::table::contains_word(st.text, "INHERIT") {
        return Ok(None);
    }
    let start = cur.pos;
    cur.eat_kw("TABLE");
    let if_exists = cur.eat_kws(&["IF", "EXISTS"]);
    cur.eat_kw("ONLY");
    let child = cur.object_name();
    let inherit = cur.eat_kw("INHERIT");
    let (Some(child), true) = (child, inherit || cur.eat_kws(&["NO", "INHERIT"])) else {
        cur.pos = start;
        return Ok(None);
    };
    let parent = cur.object_name().ok_or_else(|| expected(st, "a parent table name after INHERIT"))?;
    if !cur.at_end() {
        return Err(Error::data("schemashift reads INHERIT and NO INHERIT only as the one action of an ALTER TABLE")
            .at(st.location())
            .help("write the other actions in an ALTER TABLE of their own"));
    }
    let lookup = |parts: &[String]| match parts {
        [one] => r.lookup_table(&sqlparser::ast::ObjectName::from(vec![sqlparser::ast::Ident::with_quote('"', one.clone())])),
        _ => r.qname_parts(parts),
    };
    let (child, parent) = (lookup(&child), lookup(&parent));
    if if_exists && !r.schema.tables.contains_key(&child) {
        return Ok(Some(Applied::Done));
    }
    let applied = if inherit { super::inherit::inherit(r, &child, &parent, st)? } else { super::inherit::no_inherit(r, &child, &parent, st)? };
    Ok(Some(applied))
}

/// `COMMENT ON <kind> <name> IS '…' | NULL`.
pub fn comment(r: &mut PgReader, st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<Applied> {
    cur.next();
    if !cur.eat_kw("ON") {
        return Err(expected(st, "ON after COMMENT"));
    }
    // Comments on the objects kept as text (see `opaque`) are kept as text too.
    let start = cur.pos;
    if let Some(kind) = super::opaque::eat_kind(cur) {
        r.opaque(st, &format!("COMMENT ON {kind}"));
        return Ok(Applied::Done);
    }
    cur.pos = start;
    let mut kind = Vec::new();
    while let Some(Token::Word(w)) = cur.peek() {
        let upper = w.value.to_ascii_uppercase();
        if w.quote_style.is_none()
            && ["TABLE", "COLUMN", "VIEW", "MATERIALIZED", "INDEX", "SEQUENCE", "TYPE", "DOMAIN", "FUNCTION", "PROCEDURE", "SCHEMA", "EXTENSION", "CONSTRAINT", "TRIGGER", "POLICY", "RULE", "STATISTICS", "PUBLICATION"]
                .contains(&upper.as_str())
            && kind.last().is_none_or(|k: &String| k == "MATERIALIZED" || k == "FOREIGN")
        {
            kind.push(upper);
            cur.next();
        } else {
            break;
        }
    }
    let kind = kind.join(" ");
    let name = cur.object_name().ok_or_else(|| expected(st, "an object name after COMMENT ON"))?;
    let mut args = None;
    if cur.peek() == Some(&Token::LParen) {
        let (a, b) = cur.paren_group().ok_or_else(|| expected(st, "a closing parenthesis"))?;
        args = Some(cur.text[a..b].to_string());
    }
    let mut on_table = None;
    let mut on_domain = false;
    if cur.eat_kw("ON") {
        on_domain = cur.eat_kw("DOMAIN");
        on_table = Some(cur.object_name().ok_or_else(|| expected(st, "a table name"))?);
    }
    if !cur.eat_kw("IS") {
        return Err(expected(st, "IS"));
    }
    // PostgreSQL stores an empty comment as no comment.
    let text = if cur.eat_kw("NULL") { None } else { Some(cur.string().ok_or_else(|| expected(st, "a string after IS"))?) };
    let text = text.filter(|t| !t.is_empty());
    let kind = if on_domain { "CONSTRAINT ON DOMAIN".to_string() } else { kind };
    super::objects::set_comment(r, st, &kind, &name, args.as_deref(), on_table.as_deref(), text)
}
