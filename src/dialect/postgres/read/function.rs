//! CREATE FUNCTION / CREATE PROCEDURE, parsed by hand: sqlparser 0.63 does
//! not read PostgreSQL procedures, `COST`, `ROWS`, `SUPPORT`, `BEGIN ATOMIC`
//! bodies or `SET … FROM CURRENT`, all of which pg_dump writes.

use super::tokens::Cursor;
use super::{Applied, PgReader, Stmt, types};
use crate::dialect::postgres::SYNTAX;
use crate::error::{Error, Result};
use crate::lex::{self, Syntax};
use crate::model::{ArgMode, Expr, Function, FunctionArg};
use sqlparser::tokenizer::Token;

/// Key words that end a RETURNS clause or start a function option.
const OPTION_WORDS: &[&str] = &[
    "LANGUAGE", "TRANSFORM", "WINDOW", "IMMUTABLE", "STABLE", "VOLATILE", "NOT", "LEAKPROOF", "CALLED", "RETURNS",
    "STRICT", "EXTERNAL", "SECURITY", "PARALLEL", "COST", "ROWS", "SUPPORT", "SET", "AS", "RETURN", "BEGIN",
];

fn err(st: &Stmt<'_>, what: &str) -> Error {
    Error::data(format!("invalid SQL: expected {what}")).at(st.location())
}

pub fn create_function(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    let mut cur = st.tokens()?;
    cur.eat_kw("CREATE");
    let or_replace = cur.eat_kws(&["OR", "REPLACE"]);
    let procedure = if cur.eat_kw("PROCEDURE") {
        true
    } else if cur.eat_kw("FUNCTION") {
        false
    } else {
        return Err(err(st, "FUNCTION or PROCEDURE"));
    };
    let name = r.qname_parts(&cur.object_name().ok_or_else(|| err(st, "a function name"))?);
    let (a, b) = cur.paren_group().ok_or_else(|| err(st, "the argument list in parentheses"))?;
    let args: Vec<FunctionArg> = split_top_level(&st.text[a..b]).iter().map(|arg| parse_arg(r, arg)).collect::<Option<_>>().ok_or_else(|| err(st, "an argument type"))?;

    let mut returns = None;
    let mut language = "sql".to_string();
    let mut body = String::new();
    let mut attributes: Vec<String> = Vec::new();
    let mut cost = None;
    let mut rows = None;
    while !cur.at_end() {
        if cur.eat_kws(&["RETURNS", "NULL", "ON", "NULL", "INPUT"]) {
            attributes.push("STRICT".into());
        } else if cur.eat_kw("RETURNS") {
            returns = Some(return_type(r, st, &mut cur)?);
        } else if cur.eat_kw("LANGUAGE") {
            language = cur.string().or_else(|| cur.ident()).ok_or_else(|| err(st, "a language name"))?.to_lowercase();
        } else if cur.eat_kw("AS") {
            body = cur.string().ok_or_else(|| err(st, "the function body as a string"))?;
            if cur.eat(&Token::Comma) {
                // C functions: AS 'obj_file', 'link_symbol'.
                let symbol = cur.string().ok_or_else(|| err(st, "a link symbol"))?;
                body = format!("{body}, {symbol}");
            }
        } else if cur.peek_kw("RETURN") || cur.peek_kw("BEGIN") {
            // A SQL-standard body: `RETURN expr` or `BEGIN ATOMIC … END`.
            if cur.peek_kw("BEGIN") && !cur.peek_kw_at(1, "ATOMIC") {
                cur.next();
                return Err(super::expected_at(st, &cur, "ATOMIC after BEGIN")
                    .help("a body written without quotes is `BEGIN ATOMIC … END` or `RETURN …`; otherwise quote it: `AS $$ … $$`"));
            }
            body = sql_standard_body(&name.name, cur.rest());
            break;
        } else if ["IMMUTABLE", "STABLE"].iter().any(|w| cur.peek_kw(w)) {
            attributes.push(word(&mut cur));
        } else if cur.eat_kw("VOLATILE") || cur.eat_kws(&["CALLED", "ON", "NULL", "INPUT"]) || cur.eat_kws(&["NOT", "LEAKPROOF"]) {
            // Defaults.
        } else if cur.eat_kw("STRICT") || cur.eat_kws(&["RETURNS", "NULL", "ON", "NULL", "INPUT"]) {
            attributes.push("STRICT".into());
        } else if cur.eat_kw("LEAKPROOF") {
            attributes.push("LEAKPROOF".into());
        } else if cur.eat_kw("WINDOW") {
            attributes.push("WINDOW".into());
        } else if cur.peek_kw("EXTERNAL") || cur.peek_kw("SECURITY") {
            cur.eat_kw("EXTERNAL");
            cur.eat_kw("SECURITY");
            if cur.eat_kw("DEFINER") {
                attributes.push("SECURITY DEFINER".into());
            } else {
                cur.eat_kw("INVOKER");
            }
        } else if cur.eat_kw("PARALLEL") {
            let level = word(&mut cur);
            if level != "UNSAFE" {
                attributes.push(format!("PARALLEL {level}"));
            }
        } else if cur.eat_kw("COST") {
            cost = Some(number(&mut cur).ok_or_else(|| err(st, "a number after COST"))?);
        } else if cur.eat_kw("ROWS") {
            rows = Some(number(&mut cur).ok_or_else(|| err(st, "a number after ROWS"))?);
        } else if cur.eat_kw("SUPPORT") {
            let f = cur.object_name().ok_or_else(|| err(st, "a support function"))?;
            attributes.push(format!("SUPPORT {}", r.qname_parts(&f)));
        } else if cur.eat_kw("SET") {
            attributes.push(set_clause(st, &mut cur)?);
        } else if cur.eat_kw("TRANSFORM") {
            let mut words = vec!["TRANSFORM".to_string()];
            while !cur.at_end() && !OPTION_WORDS.iter().any(|w| cur.peek_kw(w)) {
                words.push(cur.next().map(|t| t.to_string()).unwrap_or_default());
            }
            attributes.push(words.join(" "));
        } else {
            let found: String = cur.rest().chars().take(30).collect();
            return Err(err(st, &format!("a function option, found `{found}`")));
        }
    }
    // Default COST is 1 for C and internal functions, 100 otherwise; ROWS is
    // 1000 for set-returning functions. pg_dump writes them only when different.
    let default_cost = if language == "c" || language == "internal" { 1.0 } else { 100.0 };
    if let Some(c) = cost.filter(|c| *c != default_cost) {
        attributes.push(format!("COST {c}"));
    }
    if let Some(n) = rows.filter(|n| *n != 1000.0) {
        attributes.push(format!("ROWS {n}"));
    }
    attributes.sort();
    if !procedure && returns.is_none() {
        // Without RETURNS the result is the OUT parameters: one is its type, several a record.
        let outs: Vec<&FunctionArg> = args.iter().filter(|a| matches!(a.mode, ArgMode::Out | ArgMode::InOut)).collect();
        returns = match outs.as_slice() {
            [] => None,
            [one] => Some(one.data_type.to_string()),
            _ => Some("record".into()),
        };
    }
    let function = Function {
        name,
        procedure,
        args,
        returns,
        language,
        body,
        attributes,
        comment: None,
        location: st.location(),
    };
    let key = function.signature();
    if r.schema.functions.contains_key(&key) && !or_replace {
        return Err(Error::data(format!("function {key} is created twice")).at(st.location()));
    }
    let comment = r.schema.functions.get(&key).and_then(|f| f.comment.clone());
    r.schema.functions.insert(key, Function { comment, ..function });
    Ok(Applied::Done)
}

fn word(cur: &mut Cursor<'_>) -> String {
    match cur.next() {
        Some(Token::Word(w)) => w.value.to_ascii_uppercase(),
        other => other.map(|t| t.to_string()).unwrap_or_default(),
    }
}

fn number(cur: &mut Cursor<'_>) -> Option<f64> {
    match cur.next()? {
        Token::Number(n, _) => n.parse().ok(),
        _ => None,
    }
}

/// `SET param { TO | = } value [, …]` or `SET param FROM CURRENT`, as
/// `SET param TO v1, v2` with quotes and case normalized.
fn set_clause(st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<String> {
    let param = cur.ident().ok_or_else(|| err(st, "a parameter name after SET"))?;
    if cur.eat_kws(&["FROM", "CURRENT"]) {
        return Ok(format!("SET {param} FROM CURRENT"));
    }
    if !cur.eat(&Token::Eq) && !cur.eat_kw("TO") {
        return Err(err(st, "TO or = after SET parameter"));
    }
    let mut values = Vec::new();
    loop {
        let v = match cur.peek() {
            Some(Token::SingleQuotedString(s)) => s.clone(),
            Some(Token::Word(w)) => {
                if w.quote_style.is_none() && OPTION_WORDS.iter().any(|o| w.value.eq_ignore_ascii_case(o)) {
                    break;
                }
                // PostgreSQL keeps a setting's value as written (`UTC` stays `UTC`).
                w.value.clone()
            }
            Some(Token::Number(n, _)) => {
                // `30s`: a number and a unit written together.
                let mut v = n.clone();
                if let Some(Token::Word(unit)) = cur.peek_at(1)
                    && cur.tok(cur.pos + 1).zip(cur.tok(cur.pos)).is_some_and(|(u, n)| u.start == n.end) {
                        v.push_str(&unit.value);
                        cur.next();
                    }
                v
            }
            _ => break,
        };
        cur.next();
        values.extend(v.split(',').map(|p| p.trim().trim_matches('"').to_string()).filter(|p| !p.is_empty()));
        if !cur.eat(&Token::Comma) {
            break;
        }
    }
    // Written back quoted, which any value accepts.
    let values: Vec<String> = values.iter().map(|v| crate::model::quote_literal(v)).collect();
    Ok(format!("SET {param} TO {}", values.join(", ")))
}

/// `RETURNS type`, `RETURNS SETOF type` or `RETURNS TABLE (col type, …)`.
fn return_type(r: &PgReader, st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<String> {
    if cur.eat_kw("TABLE") {
        let (a, b) = cur.paren_group().ok_or_else(|| err(st, "TABLE (…) columns"))?;
        let cols: Vec<String> = split_top_level(&cur.text[a..b])
            .iter()
            .map(|c| match parse_arg(r, c) {
                Some(arg) => format!("{} {}", crate::model::quote_ident(arg.name.as_deref().unwrap_or("")), arg.data_type),
                None => c.clone(),
            })
            .collect();
        return Ok(format!("TABLE({})", cols.join(", ")));
    }
    let setof = cur.eat_kw("SETOF");
    let start = cur.offset();
    let mut end = start;
    while !cur.at_end() && !OPTION_WORDS.iter().any(|w| cur.peek_kw(w)) {
        cur.next();
        end = cur.tok(cur.pos - 1).map_or(end, |t| t.end);
    }
    let t = types::resolve(&cur.text[start..end], r.default_schema()).data_type.to_string();
    Ok(if setof { format!("SETOF {t}") } else { t })
}

/// Type names that take more than one word, so that `double precision` is
/// not read as an argument named `double` of type `precision`.
fn starts_multiword_type(first: &str, second: &str) -> bool {
    matches!(
        (first, second),
        ("double", "precision")
            | ("character" | "char" | "bit" | "national", "varying" | "character" | "char")
            | ("timestamp" | "time", "with" | "without")
    ) || second.starts_with('(')
}

/// `[mode] [name] type [DEFAULT expr | = expr]`.
fn parse_arg(r: &PgReader, text: &str) -> Option<FunctionArg> {
    let (decl, default) = split_default(text);
    let mut words: Vec<String> = split_words(&decl);
    let mut mode = ArgMode::In;
    if let Some(first) = words.first() {
        match first.to_ascii_uppercase().as_str() {
            "IN" => {
                words.remove(0);
            }
            "OUT" => {
                mode = ArgMode::Out;
                words.remove(0);
            }
            "INOUT" => {
                mode = ArgMode::InOut;
                words.remove(0);
            }
            "VARIADIC" => {
                mode = ArgMode::Variadic;
                words.remove(0);
            }
            _ => {}
        }
    }
    if words.is_empty() {
        return None;
    }
    let has_name = words.len() > 1 && !starts_multiword_type(&words[0].to_lowercase(), &words[1].to_lowercase());
    let name = has_name.then(|| fold(&words[0]));
    let type_text = if has_name { words[1..].join(" ") } else { words.join(" ") };
    if !looks_like_a_type(&type_text) {
        return None;
    }
    let default = default.and_then(|d| {
        let parsed = sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {}).try_with_sql(&d).and_then(|mut p| p.parse_expr()).ok()?;
        Some(Expr(super::canon::expr_text(&parsed)))
    });
    Some(FunctionArg { name, mode, data_type: types::resolve(&type_text, r.default_schema()).data_type, default })
}

/// A type name as PostgreSQL writes one: words, quoted names, a schema
/// qualifier, modifiers and array bounds (`numeric(10, 2)[]`), or a
/// `table.column%TYPE` reference; not an expression or stray punctuation.
fn looks_like_a_type(text: &str) -> bool {
    if !text.starts_with(|c: char| c.is_alphabetic() || c == '_' || c == '"') {
        return false;
    }
    // Anything goes inside a quoted name.
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        i = match c {
            '"' => lex::quoted_at(text, i, Syntax::STANDARD).map_or(text.len(), |q| q.end),
            c if c.is_alphanumeric() || " _.[](),%$-".contains(c) => i + c.len_utf8(),
            _ => return false,
        };
    }
    true
}

fn fold(word: &str) -> String {
    match word.strip_prefix('"').and_then(|w| w.strip_suffix('"')) {
        Some(q) => q.replace("\"\"", "\""),
        None => word.to_lowercase(),
    }
}

/// Splits at ` DEFAULT ` or ` = ` outside quotes and parentheses.
fn split_default(text: &str) -> (String, Option<String>) {
    let upper = text.to_ascii_uppercase();
    for (i, c, _) in lex::code(text, SYNTAX).filter(|&(_, _, depth)| depth == 0) {
        if c == '=' {
            return (text[..i].trim().to_string(), Some(text[i + 1..].trim().to_string()));
        }
        if upper[i..].starts_with("DEFAULT") && (i == 0 || text[..i].ends_with(char::is_whitespace)) {
            return (text[..i].trim().to_string(), Some(text[i + 7..].trim().to_string()));
        }
    }
    (text.trim().to_string(), None)
}

/// Words, keeping quoted identifiers and parenthesized modifiers together.
fn split_words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    // Where the text not yet in `cur` starts.
    let mut from = 0;
    for (i, c, _) in lex::code(text, SYNTAX).filter(|&(_, _, depth)| depth == 0) {
        if c.is_whitespace() {
            cur.push_str(&text[from..i]);
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            from = i + c.len_utf8();
        } else if c == '(' && from == i && cur.is_empty() {
            // `numeric (10, 2)`: a parenthesis belongs to the word before it.
            if let Some(prev) = out.pop() {
                cur = prev;
            }
        }
    }
    cur.push_str(&text[from..]);
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Splits at commas outside parentheses, brackets and quotes.
pub fn split_top_level(text: &str) -> Vec<String> {
    lex::split_top_level(text, SYNTAX)
}

/// A SQL-standard body (`RETURN expr` or `BEGIN ATOMIC … END`). A `RETURN`
/// expression is kept as written and made canonical with the model's other
/// expressions, its parameters resolved. The statements of a `BEGIN ATOMIC`
/// body are not analyzed: pg_dump prints them with parameters qualified by
/// the function's name and tables by their schema, which are removed here
/// so that both spellings meet (lossy for a table named like the function).
fn sql_standard_body(function: &str, text: &str) -> String {
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let collapse = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(expr_text) = strip_keyword(text, "RETURN") {
        return match super::compat::parser(expr_text).and_then(|mut p| p.parse_expr()) {
            Ok(e) => format!("RETURN {}", super::canon::expr_text(&e)),
            Err(_) => collapse(text),
        };
    }
    let unqualified = text.replace(&format!("{}.", crate::model::quote_ident(function)), "");
    let Some(inner) = strip_keyword(&unqualified, "BEGIN").and_then(|t| strip_keyword(t, "ATOMIC")) else {
        return collapse(&unqualified);
    };
    let inner = inner.trim_end();
    let inner = inner.strip_suffix("END").or_else(|| inner.strip_suffix("end")).unwrap_or(inner);
    let statements: Vec<String> = crate::dialect::postgres::split::split_statements(inner)
        .map(|stmts| {
            stmts
                .iter()
                .map(|s| match sqlparser::parser::Parser::parse_sql(&dialect, s.text) {
                    Ok(parsed) if parsed.len() == 1 => match &parsed[0] {
                        sqlparser::ast::Statement::Query(q) => super::canon::query_text(q),
                        other => collapse(&other.to_string().replace("public.", "")),
                    },
                    _ => collapse(&s.text.replace("public.", "")),
                })
                .collect()
        })
        .unwrap_or_else(|_| vec![collapse(inner)]);
    format!("BEGIN ATOMIC {}; END", statements.join("; "))
}

fn strip_keyword<'t>(text: &'t str, kw: &str) -> Option<&'t str> {
    let t = text.trim_start();
    // `get`: the text may hold multi-byte characters where the key word would end.
    t.get(..kw.len()).filter(|head| head.eq_ignore_ascii_case(kw)).map(|_| &t[kw.len()..])
}
