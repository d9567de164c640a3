//! Recognised opaque objects: the kinds pg_dump writes that schemashift
//! keeps as statements compared by their text rather than modelling them
//! (event triggers, foreign data wrappers, servers, user mappings, foreign
//! tables, text search objects, operators and operator classes and
//! families, aggregates, casts, collations, conversions, access methods,
//! transforms, languages).
//!
//! They are never a parse error. What is known about them is which object
//! a statement is about — its *identity*, e.g. `TEXT SEARCH CONFIGURATION
//! public.my_cfg` — so that the CREATE, the ALTERs and the COMMENT of one
//! object go together: a `DROP` removes them all, and a migration can drop
//! an object it created (`DROP <identity>`).

use super::tokens::Cursor;
use crate::model::{Opaque, QName, quote_ident};
use sqlparser::tokenizer::Token;

/// The key words of each kind, longest first where one starts another.
const KINDS: &[&[&str]] = &[
    &["EVENT", "TRIGGER"],
    &["FOREIGN", "DATA", "WRAPPER"],
    &["FOREIGN", "TABLE"],
    &["SERVER"],
    &["USER", "MAPPING"],
    &["TEXT", "SEARCH", "CONFIGURATION"],
    &["TEXT", "SEARCH", "DICTIONARY"],
    &["TEXT", "SEARCH", "PARSER"],
    &["TEXT", "SEARCH", "TEMPLATE"],
    &["OPERATOR", "CLASS"],
    &["OPERATOR", "FAMILY"],
    &["OPERATOR"],
    &["AGGREGATE"],
    &["CAST"],
    &["COLLATION"],
    &["CONVERSION"],
    &["ACCESS", "METHOD"],
    &["TRANSFORM"],
    &["LANGUAGE"],
    &["SUBSCRIPTION"],
];

/// Kinds whose objects live in a schema (the others are database-wide).
fn in_schema(kind: &str) -> bool {
    kind.starts_with("TEXT SEARCH")
        || kind.starts_with("OPERATOR")
        || ["FOREIGN TABLE", "AGGREGATE", "COLLATION", "CONVERSION"].contains(&kind)
}

/// The recognised kind at the cursor (its key words consumed), if any.
pub fn eat_kind(cur: &mut Cursor<'_>) -> Option<String> {
    for words in KINDS {
        if cur.eat_kws(words) {
            return Some(words.join(" "));
        }
    }
    None
}

/// The kind of a statement: the key words after `CREATE [OR REPLACE]
/// [DEFAULT | TRUSTED | PROCEDURAL]`, `ALTER`, `DROP` or `COMMENT ON`.
pub fn statement_kind(text: &str) -> Option<(String, String)> {
    let mut cur = Cursor::new(text).ok()?;
    let (verb, kind) = verb_and_kind(&mut cur)?;
    Some((verb, kind))
}

fn verb_and_kind(cur: &mut Cursor<'_>) -> Option<(String, String)> {
    let verb = if cur.eat_kw("CREATE") {
        cur.eat_kws(&["OR", "REPLACE"]);
        while cur.eat_kw("DEFAULT") || cur.eat_kw("TRUSTED") || cur.eat_kw("PROCEDURAL") {}
        "CREATE"
    } else if cur.eat_kw("ALTER") {
        "ALTER"
    } else if cur.eat_kw("DROP") {
        "DROP"
    } else if cur.eat_kws(&["COMMENT", "ON"]) {
        "COMMENT ON"
    } else {
        return None;
    };
    Some((verb.to_string(), eat_kind(cur)?))
}

/// The identity of the object whose name follows the cursor (after the
/// kind's key words and any `IF [NOT] EXISTS` / `ONLY`), e.g. `SERVER srv1`.
pub fn identity_at(kind: &str, cur: &mut Cursor<'_>, default_schema: &str) -> Option<String> {
    cur.eat_kws(&["IF", "NOT", "EXISTS"]);
    cur.eat_kws(&["IF", "EXISTS"]);
    cur.eat_kw("ONLY");
    let name = |cur: &mut Cursor<'_>| -> Option<String> {
        let parts = cur.object_name()?;
        Some(if in_schema(kind) {
            match parts.as_slice() {
                [one] => QName::new(default_schema, one.clone()).to_string(),
                [.., s, n] => QName::new(s.clone(), n.clone()).to_string(),
                [] => return None,
            }
        } else {
            quote_ident(parts.last()?)
        })
    };
    let object = match kind {
        "USER MAPPING" => {
            cur.eat_kw("FOR");
            let role = cur.ident()?;
            cur.eat_kw("SERVER");
            format!(
                "FOR {} SERVER {}",
                quote_ident(&role),
                quote_ident(&cur.ident()?)
            )
        }
        "CAST" => {
            let (a, b) = cur.paren_group()?;
            let inside = cur.text[a..b].to_string();
            let (from, to) = split_as(&inside)?;
            format!(
                "({} AS {})",
                data_type(&from, default_schema),
                data_type(&to, default_schema)
            )
        }
        "TRANSFORM" => {
            cur.eat_kw("FOR");
            let start = cur.offset();
            while !cur.at_end() && !cur.peek_kw("LANGUAGE") {
                cur.next();
            }
            let t = data_type(cur.text[start..cur.offset()].trim(), default_schema);
            cur.eat_kw("LANGUAGE");
            format!("FOR {t} LANGUAGE {}", quote_ident(&cur.ident()?))
        }
        "OPERATOR" => {
            // A symbol, possibly schema-qualified: the text up to `(`.
            let start = cur.offset();
            while !cur.at_end() && cur.peek() != Some(&Token::LParen) {
                cur.next();
            }
            let symbol: String = cur.text[start..cur.offset()].split_whitespace().collect();
            let symbol = if symbol.contains('.') {
                symbol
            } else {
                format!("{}.{symbol}", quote_ident(default_schema))
            };
            let (a, b) = cur.paren_group()?;
            let inside = cur.text[a..b].to_string();
            let args = if inside.contains('=') {
                operator_args_of_definition(&inside, default_schema)?
            } else {
                operator_args(&inside, default_schema)
            };
            format!("{symbol} ({args})")
        }
        "OPERATOR CLASS" | "OPERATOR FAMILY" => {
            let n = name(cur)?;
            // CREATE OPERATOR CLASS name [DEFAULT] FOR TYPE t USING m …
            while !cur.at_end() && !cur.peek_kw("USING") {
                cur.next();
            }
            cur.eat_kw("USING");
            format!("{n} USING {}", quote_ident(&cur.ident()?))
        }
        "AGGREGATE" => {
            let n = name(cur)?;
            let (a, b) = cur.paren_group()?;
            let inside = cur.text[a..b].to_string();
            // The old syntax `CREATE AGGREGATE name (BASETYPE = t, …)`.
            if inside.to_ascii_uppercase().contains("BASETYPE") {
                return None;
            }
            format!("{n}({})", aggregate_args(&inside, default_schema))
        }
        _ => name(cur)?,
    };
    Some(format!("{kind} {object}"))
}

/// The identity of an opaque statement of a recognised kind.
pub fn identity(statement: &Opaque, default_schema: &str) -> Option<String> {
    let mut cur = Cursor::new(&statement.text).ok()?;
    let (_, kind) = verb_and_kind(&mut cur)?;
    identity_at(&kind, &mut cur, default_schema)
}

/// The statement that drops what an opaque `CREATE` made: `DROP <identity>`.
pub fn drop_sql(statement: &Opaque) -> Option<String> {
    if !statement.kind.starts_with("CREATE ") {
        return None;
    }
    Some(format!("DROP {};", identity(statement, "public")?))
}

/// `COMMENT ON <object> IS NULL` for an opaque `COMMENT ON <object> IS '…'`:
/// how a removed comment is undone.
pub fn uncomment_sql(statement: &Opaque) -> Option<String> {
    let mut cur = Cursor::new(&statement.text).ok()?;
    let (verb, kind) = verb_and_kind(&mut cur)?;
    if verb != "COMMENT ON" {
        return None;
    }
    identity_at(&kind, &mut cur, "public")?;
    if !cur.peek_kw("IS") {
        return None;
    }
    Some(format!(
        "{} IS NULL;",
        statement.text[..cur.offset()].trim_end()
    ))
}

/// A statement's normalised text, how statements kept as text are
/// compared: tokens separated by one space where the text had any
/// whitespace or comment between them and after every comma, and by none
/// inside parentheses and brackets, before a comma and around a period (`OPTIONS ( host 'x' )`,
/// pg_dump's layout, and `OPTIONS (host 'x')` are one text). Quoted strings
/// and identifiers are kept exactly; unquoted words, case-insensitive,
/// are written in one case.
pub fn normalize(text: &str) -> String {
    let Ok(cur) = Cursor::new(text) else {
        return text.split_whitespace().collect::<Vec<_>>().join(" ");
    };
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<&super::tokens::Tok> = None;
    for i in 0..cur.len() {
        let tok = cur.tok(i).expect("in range");
        if let Some(p) = prev {
            let tight = matches!(p.token, Token::LParen | Token::LBracket | Token::Period)
                || matches!(
                    tok.token,
                    Token::RParen
                        | Token::RBracket
                        | Token::Comma
                        | Token::Period
                        | Token::SemiColon
                );
            if !tight && (p.end < tok.start || p.token == Token::Comma) {
                out.push(' ');
            }
        }
        // A part of a dotted name is a name, whatever word it is (`public.t`).
        let in_name = prev.is_some_and(|p| p.token == Token::Period)
            || cur.tok(i + 1).is_some_and(|n| n.token == Token::Period);
        match &tok.token {
            // Unquoted words are case-insensitive in PostgreSQL: key words
            // upper case, other names lower case, as pg_dump prints them.
            Token::Word(w)
                if w.quote_style.is_none()
                    && w.keyword != sqlparser::keywords::Keyword::NoKeyword
                    && !in_name =>
            {
                out.push_str(&w.value.to_ascii_uppercase())
            }
            Token::Word(w) if w.quote_style.is_none() => {
                out.push_str(&w.value.to_ascii_lowercase())
            }
            _ => out.push_str(&text[tok.start..tok.end]),
        }
        prev = Some(tok);
    }
    out
}

/// `a AS b` inside `CAST (…)`.
fn split_as(text: &str) -> Option<(String, String)> {
    let upper = text.to_ascii_uppercase();
    let at = upper.find(" AS ")?;
    Some((
        text[..at].trim().to_string(),
        text[at + 4..].trim().to_string(),
    ))
}

fn data_type(text: &str, default_schema: &str) -> String {
    if text.eq_ignore_ascii_case("NONE") {
        return "NONE".into();
    }
    super::types::resolve(text, default_schema)
        .data_type
        .to_string()
}

/// `(left, right)` of DROP/ALTER/COMMENT ON OPERATOR.
fn operator_args(text: &str, default_schema: &str) -> String {
    text.split(',')
        .map(|t| data_type(t.trim(), default_schema))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `(LEFTARG = a, RIGHTARG = b, …)` of CREATE OPERATOR, as `a, b`.
fn operator_args_of_definition(text: &str, default_schema: &str) -> Option<String> {
    let mut left = "NONE".to_string();
    let mut right = "NONE".to_string();
    for item in super::function::split_top_level(text) {
        let (key, value) = item.split_once('=')?;
        match key.trim().to_ascii_uppercase().as_str() {
            "LEFTARG" => left = data_type(value.trim(), default_schema),
            "RIGHTARG" => right = data_type(value.trim(), default_schema),
            _ => {}
        }
    }
    Some(format!("{left}, {right}"))
}

/// An aggregate's argument types: modes and names dropped, types unified.
fn aggregate_args(text: &str, default_schema: &str) -> String {
    if text.trim() == "*" {
        return "*".into();
    }
    let upper = text.to_ascii_uppercase();
    let (direct, ordered) = match upper.find("ORDER BY") {
        Some(i) => (&text[..i], Some(&text[i + 8..])),
        None => (text, None),
    };
    let types = |list: &str| -> Vec<String> {
        list.split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                let words: Vec<&str> = a.split_whitespace().collect();
                let words = match words.first().map(|w| w.to_ascii_uppercase()) {
                    Some(m) if ["IN", "VARIADIC"].contains(&m.as_str()) => &words[1..],
                    _ => &words[..],
                };
                // `name type` or just `type`.
                let whole = data_type(&words.join(" "), default_schema);
                if words.len() > 1 && whole.contains('.') {
                    data_type(&words[1..].join(" "), default_schema)
                } else {
                    whole
                }
            })
            .collect()
    };
    let mut out = types(direct).join(", ");
    if let Some(o) = ordered {
        out = format!(
            "{}{}ORDER BY {}",
            out,
            if out.is_empty() { "" } else { " " },
            types(o).join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> Option<String> {
        let (verb, kind) = statement_kind(text)?;
        identity(
            &Opaque {
                kind: format!("{verb} {kind}"),
                text: text.into(),
                location: Default::default(),
            },
            "public",
        )
    }

    #[test]
    fn create_alter_comment_and_drop_name_one_object() {
        let same = [
            "CREATE TEXT SEARCH CONFIGURATION my_cfg (COPY = english)",
            "ALTER TEXT SEARCH CONFIGURATION public.my_cfg ADD MAPPING FOR word WITH simple",
            "COMMENT ON TEXT SEARCH CONFIGURATION public.my_cfg IS 'x'",
            "DROP TEXT SEARCH CONFIGURATION IF EXISTS my_cfg",
        ];
        for text in same {
            assert_eq!(
                id(text).as_deref(),
                Some("TEXT SEARCH CONFIGURATION public.my_cfg"),
                "{text}"
            );
        }
        assert_eq!(
            id("CREATE EVENT TRIGGER Evt ON ddl_command_end EXECUTE FUNCTION f()").as_deref(),
            Some("EVENT TRIGGER evt")
        );
        assert_eq!(
            id("CREATE SERVER s FOREIGN DATA WRAPPER w").as_deref(),
            Some("SERVER s")
        );
        assert_eq!(
            id("CREATE USER MAPPING FOR app_user SERVER s OPTIONS (user 'u')").as_deref(),
            Some("USER MAPPING FOR app_user SERVER s")
        );
        assert_eq!(
            id("CREATE CAST (int4 AS text) WITH INOUT").as_deref(),
            Some("CAST (integer AS text)")
        );
        assert_eq!(
            id("DROP CAST (integer AS text)").as_deref(),
            Some("CAST (integer AS text)")
        );
        assert_eq!(
            id("CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int4, FUNCTION = f)").as_deref(),
            Some("OPERATOR public.=== (integer, integer)")
        );
        assert_eq!(
            id("DROP OPERATOR public.=== (integer, integer)").as_deref(),
            Some("OPERATOR public.=== (integer, integer)")
        );
        assert_eq!(
            id("CREATE OPERATOR CLASS c DEFAULT FOR TYPE int USING hash AS OPERATOR 1 =")
                .as_deref(),
            Some("OPERATOR CLASS public.c USING hash")
        );
        assert_eq!(
            id("CREATE AGGREGATE s(x int) (SFUNC = int4pl, STYPE = int)").as_deref(),
            Some("AGGREGATE public.s(integer)")
        );
        assert_eq!(
            id("CREATE AGGREGATE public.s(integer) (SFUNC = int4pl, STYPE = integer)").as_deref(),
            Some("AGGREGATE public.s(integer)")
        );
        assert_eq!(
            normalize(
                "CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (\n    host 'x' , port '5432'\n) -- c\n"
            ),
            "CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (host 'x', port '5432')"
        );
        assert_eq!(
            normalize("SELECT  'a  b' ,\"x  y\" . z"),
            "SELECT 'a  b', \"x  y\".z"
        );
        assert_eq!(
            drop_sql(&Opaque {
                kind: "CREATE COLLATION".into(),
                text: "CREATE COLLATION c (provider = icu, locale = 'de')".into(),
                location: Default::default()
            })
            .as_deref(),
            Some("DROP COLLATION public.c;")
        );
    }
}
