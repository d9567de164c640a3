//! Forms PostgreSQL prints (pg_dump, `pg_get_expr`) that sqlparser 0.63
//! cannot read, rewritten token by token into forms it can, before parsing.
//! Each rewrite keeps the tokens' positions, so errors still point at the
//! user's text, and the analyzer reads the result back as the original:
//!
//! - `TRIM(BOTH FROM x)`: `TRIM(x)`, which is the same call.
//! - `TRIM(LEADING FROM x)`, `TRIM(TRAILING FROM x)`: the characters to
//!   trim become the placeholder [`TRIM_DEFAULT`], which the analyzer reads
//!   as "none given".
//! - `x::type COLLATE c`: `(x::type) COLLATE c`, the same expression.
//! - `f(a, VARIADIC b)`: `f(a, "$variadic" => b)`: a named argument with a
//!   name no parameter has ([`VARIADIC_ARG`]), which the analyzer reads as
//!   the VARIADIC mark.
//! - `money '1.00'` (a constant typed by a name sqlparser does not know as
//!   a type): `('1.00'::money)`, the same constant.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Word};

/// The placeholder standing for "no characters given" in a rewritten TRIM.
pub const TRIM_DEFAULT: &str = "$0";
/// The argument name standing for the VARIADIC mark.
pub const VARIADIC_ARG: &str = "$variadic";

fn is_kw(t: &Token, kw: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.keyword == kw && w.quote_style.is_none())
}

/// The tokens with the rewrites applied (whitespace tokens included or not).
pub fn rewrite(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    // `OPTIONS (host 'db', port '5432')` of foreign data wrappers reads
    // like typed constants: left alone.
    let options = tokens.iter().any(|t| is_kw(&t.token, Keyword::OPTIONS));
    let typed_constant = |i: usize| if options { None } else { typed_constant_at(&tokens, i) };
    if !tokens.iter().any(|t| is_kw(&t.token, Keyword::TRIM) || is_kw(&t.token, Keyword::COLLATE) || is_kw(&t.token, Keyword::VARIADIC))
        && !(0..tokens.len()).any(|i| typed_constant(i).is_some())
    {
        return tokens;
    }
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len() + 4);
    let significant = |v: &[TokenWithSpan], i: usize| -> Option<usize> {
        (i..v.len()).find(|&j| !matches!(v[j].token, Token::Whitespace(_)))
    };
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        // TRIM ( BOTH|LEADING|TRAILING FROM
        if is_kw(&t.token, Keyword::TRIM)
            && let Some(open) = significant(&tokens, i + 1)
            && tokens[open].token == Token::LParen
            && let Some(side) = significant(&tokens, open + 1)
            && let Some(from) = significant(&tokens, side + 1)
            && is_kw(&tokens[from].token, Keyword::FROM)
        {
            let both = is_kw(&tokens[side].token, Keyword::BOTH);
            let one_side = is_kw(&tokens[side].token, Keyword::LEADING) || is_kw(&tokens[side].token, Keyword::TRAILING);
            if both || one_side {
                out.extend(tokens[i..=open].iter().cloned());
                if one_side {
                    out.push(tokens[side].clone());
                    out.push(TokenWithSpan { token: Token::Whitespace(sqlparser::tokenizer::Whitespace::Space), span: tokens[side].span });
                    out.push(TokenWithSpan { token: Token::Placeholder(TRIM_DEFAULT.to_string()), span: tokens[side].span });
                    out.push(TokenWithSpan { token: Token::Whitespace(sqlparser::tokenizer::Whitespace::Space), span: tokens[side].span });
                    out.push(tokens[from].clone());
                }
                i = from + 1;
                continue;
            }
        }
        // VARIADIC as the mark of a function argument: after `(` or `,`.
        if is_kw(&t.token, Keyword::VARIADIC) {
            let prev = out.iter().rev().find(|p| !matches!(p.token, Token::Whitespace(_)));
            if prev.is_some_and(|p| matches!(p.token, Token::LParen | Token::Comma)) {
                let name = Word { value: VARIADIC_ARG.to_string(), quote_style: Some('"'), keyword: Keyword::NoKeyword };
                out.push(TokenWithSpan { token: Token::Word(name), span: t.span });
                out.push(TokenWithSpan { token: Token::Whitespace(sqlparser::tokenizer::Whitespace::Space), span: t.span });
                out.push(TokenWithSpan { token: Token::RArrow, span: t.span });
                i += 1;
                continue;
            }
        }
        // type 'constant' → ('constant'::type)
        if let Some(string) = typed_constant(i) {
            let span = t.span;
            out.push(TokenWithSpan { token: Token::LParen, span });
            out.push(tokens[string].clone());
            out.push(TokenWithSpan { token: Token::DoubleColon, span });
            out.push(t.clone());
            out.push(TokenWithSpan { token: Token::RParen, span });
            i = string + 1;
            continue;
        }
        // <operand> :: <type> COLLATE: parenthesize the cast.
        if is_kw(&t.token, Keyword::COLLATE)
            && let Some(start) = cast_start(&out)
        {
            let span = out[start].span;
            out.insert(start, TokenWithSpan { token: Token::LParen, span });
            out.push(TokenWithSpan { token: Token::RParen, span: t.span });
            out.push(TokenWithSpan { token: Token::Whitespace(sqlparser::tokenizer::Whitespace::Space), span: t.span });
        }
        out.push(t.clone());
        i += 1;
    }
    out
}

/// When `tokens[i]` is a name sqlparser does not know as a type (no key
/// word, unquoted, not part of a dotted name or a cast's type) directly
/// followed by a string: the string's index. `money '1.00'` is a typed
/// constant; a name followed by a string means nothing else in SQL.
fn typed_constant_at(tokens: &[TokenWithSpan], i: usize) -> Option<usize> {
    let Token::Word(w) = &tokens[i].token else { return None };
    if w.keyword != Keyword::NoKeyword || w.quote_style.is_some() {
        return None;
    }
    let next = (i + 1..tokens.len()).find(|&j| !matches!(tokens[j].token, Token::Whitespace(_)))?;
    if !matches!(tokens[next].token, Token::SingleQuotedString(_)) {
        return None;
    }
    let prev = (0..i).rev().find(|&j| !matches!(tokens[j].token, Token::Whitespace(_)));
    let after_name = prev.is_some_and(|p| matches!(tokens[p].token, Token::Period | Token::DoubleColon | Token::Word(_)))
        && !prev.is_some_and(|p| matches!(&tokens[p].token, Token::Word(k) if k.keyword != Keyword::NoKeyword));
    (!after_name).then_some(next)
}

/// When the tokens so far end with `operand::type`, where the operand
/// starts.
fn cast_start(out: &[TokenWithSpan]) -> Option<usize> {
    let sig: Vec<usize> = (0..out.len()).filter(|&j| !matches!(out[j].token, Token::Whitespace(_))).collect();
    let mut k = sig.len();
    // The type: words (`character varying`), `(n)`, `[]`, dotted names.
    let mut saw_type = false;
    while k > 0 {
        match &out[sig[k - 1]].token {
            Token::Word(_) | Token::Period => {
                k -= 1;
                saw_type = true;
            }
            Token::RBracket | Token::LBracket => k -= 1,
            Token::RParen => {
                let mut depth = 0;
                loop {
                    k -= 1;
                    match out[sig[k]].token {
                        Token::RParen => depth += 1,
                        Token::LParen => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    if k == 0 {
                        return None;
                    }
                }
            }
            Token::DoubleColon => break,
            _ => return None,
        }
    }
    if !saw_type || k == 0 || out[sig[k - 1]].token != Token::DoubleColon {
        return None;
    }
    k -= 1;
    // The operand: a parenthesized group, or one literal or name.
    if k == 0 {
        return None;
    }
    match &out[sig[k - 1]].token {
        Token::RParen => {
            let mut depth = 0;
            let mut j = k;
            loop {
                j -= 1;
                match out[sig[j]].token {
                    Token::RParen => depth += 1,
                    Token::LParen => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(sig[j]);
                        }
                    }
                    _ => {}
                }
                if j == 0 {
                    return None;
                }
            }
        }
        Token::SingleQuotedString(_) | Token::Number(..) | Token::Word(_) | Token::EscapedStringLiteral(_) | Token::DollarQuotedString(_) => {
            let mut j = k - 1;
            // A dotted name: `t.col::text`.
            while j >= 2 && out[sig[j - 1]].token == Token::Period && matches!(out[sig[j - 2]].token, Token::Word(_)) {
                j -= 2;
            }
            Some(sig[j])
        }
        _ => None,
    }
}

/// The text sqlparser prints for a rewritten statement, with the marks of
/// [`rewrite`] turned back into what they stand for.
pub fn restore(printed: &str) -> String {
    if !printed.contains('$') {
        return printed.to_string();
    }
    printed.replace(&format!("\"{VARIADIC_ARG}\" => "), "VARIADIC ").replace(&format!(" {TRIM_DEFAULT} FROM "), " FROM ")
}

/// Tokenizes `text` for the PostgreSQL dialect and applies the rewrites.
pub fn tokens(text: &str) -> Result<Vec<TokenWithSpan>, sqlparser::tokenizer::TokenizerError> {
    let t = sqlparser::tokenizer::Tokenizer::new(&sqlparser::dialect::PostgreSqlDialect {}, text).tokenize_with_location()?;
    Ok(rewrite(t))
}

/// A parser over `text`, rewritten.
pub fn parser(text: &str) -> Result<sqlparser::parser::Parser<'static>, sqlparser::parser::ParserError> {
    static DIALECT: sqlparser::dialect::PostgreSqlDialect = sqlparser::dialect::PostgreSqlDialect {};
    let toks = tokens(text).map_err(|e| sqlparser::parser::ParserError::TokenizerError(e.to_string()))?;
    Ok(sqlparser::parser::Parser::new(&DIALECT).with_tokens_with_locations(toks))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> String {
        parser(text).and_then(|mut p| p.parse_expr()).map(|e| e.to_string()).unwrap_or_else(|e| format!("ERROR {e}"))
    }

    #[test]
    fn postgres_printouts_become_readable() {
        assert_eq!(parse("TRIM(BOTH FROM x)"), "TRIM(x)");
        assert_eq!(parse("TRIM(LEADING FROM x)"), "TRIM(LEADING $0 FROM x)");
        assert_eq!(parse("TRIM(BOTH 'x' FROM y)"), "TRIM(BOTH 'x' FROM y)");
        assert_eq!(parse("('x'::text COLLATE \"C\")"), "(('x'::TEXT) COLLATE \"C\")");
        assert_eq!(parse("((v)::character varying(10) COLLATE \"C\")"), "(((v)::CHARACTER VARYING(10)) COLLATE \"C\")");
        assert_eq!(parse("t.c::text COLLATE \"C\""), "(t.c::TEXT) COLLATE \"C\"");
        assert_eq!(parse("x COLLATE \"C\""), "x COLLATE \"C\"");
        assert_eq!(parse("f(a, VARIADIC ARRAY[b])"), "f(a, \"$variadic\" => ARRAY[b])");
        assert_eq!(restore(&parse("f(a, VARIADIC ARRAY[b])")), "f(a, VARIADIC ARRAY[b])");
        assert_eq!(restore(&parse("TRIM(LEADING FROM x)")), "TRIM(LEADING FROM x)");
    }
}
