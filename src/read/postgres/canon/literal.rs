//! Literals as PostgreSQL prints them back: numbers in the text its numeric
//! input routine would produce, `regclass` names folded and qualified the way
//! the name lookup resolves them.

use crate::model::quote_ident;

/// The text PostgreSQL would print for the numeric literal `text`, or `None`
/// when `text` is not a number.
///
/// Integers lose leading zeros (`007` → `7`); decimals keep their scale
/// because `numeric` does (`1.50` stays `1.50`, so does PostgreSQL); an
/// exponent is applied the way numeric input applies it (`1e3` → `1000`,
/// `1.5e-3` → `0.0015`); a zero loses its sign. A leading `-` is accepted so
/// that PostgreSQL's `'-1'::integer` spelling of negative constants can be
/// read back.
pub(super) fn normalize_number(text: &str) -> Option<String> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i64>().ok()?),
        None => (body, 0),
    };
    // Refuse absurd exponents rather than build megabytes of zeros.
    if exponent.abs() > 1000 {
        return None;
    }
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{int}{frac}");
    let point = int.len() as i64 + exponent;
    let len = digits.len() as i64;
    let (int_part, frac_part) = if point <= 0 {
        ("0".to_string(), format!("{}{}", "0".repeat((-point) as usize), digits))
    } else if point >= len {
        (format!("{}{}", digits, "0".repeat((point - len) as usize)), String::new())
    } else {
        (digits[..point as usize].to_string(), digits[point as usize..].to_string())
    };
    let int_part = match int_part.trim_start_matches('0') {
        "" => "0",
        trimmed => trimmed,
    };
    let zero = int_part == "0" && frac_part.bytes().all(|b| b == b'0');
    let sign = if negative && !zero { "-" } else { "" };
    Some(if frac_part.is_empty() { format!("{sign}{int_part}") } else { format!("{sign}{int_part}.{frac_part}") })
}

/// True for numbers written with a fraction or an exponent: casting one of
/// these to an integer type rounds, so that cast is never dropped.
pub(super) fn is_fractional(text: &str) -> bool {
    text.contains(['.', 'e', 'E'])
}

/// Negates number text (already normalized).
pub(super) fn negate(text: &str) -> String {
    match text.strip_prefix('-') {
        Some(rest) => rest.to_string(),
        None => normalize_number(&format!("-{text}")).unwrap_or_else(|| format!("-{text}")),
    }
}

/// The name inside a `regclass` literal the way the lookup resolves it:
/// unquoted parts folded to lower case, quoted parts kept, the default
/// schema's qualifier dropped (pg_dump always qualifies, hand-written SQL
/// rarely does), each part re-quoted only when needed.
pub(super) fn regclass_name(text: &str, default_schema: &str) -> Option<String> {
    let mut parts = split_name(text.trim())?;
    if parts.len() == 2 && (parts[0] == default_schema || parts[0] == "pg_catalog") {
        parts.remove(0);
    }
    Some(parts.iter().map(|p| quote_ident(p)).collect::<Vec<_>>().join("."))
}

/// Splits `a."B.c".d` into folded parts (see [`crate::model::name_parts_folded`]);
/// `None` when a quote is left open or a part is empty.
fn split_name(text: &str) -> Option<Vec<String>> {
    let parts = text.matches('"').count().is_multiple_of(2).then(|| crate::model::name_parts_folded(text))?;
    parts.iter().all(|p| !p.is_empty()).then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_numeric_input_would() {
        for (input, want) in [
            ("0", "0"),
            ("007", "7"),
            ("-1", "-1"),
            ("1.50", "1.50"),
            (".5", "0.5"),
            ("5.", "5"),
            ("1e3", "1000"),
            ("1.5e-3", "0.0015"),
            ("1.50e1", "15.0"),
            ("-0", "0"),
            ("-0.0", "0.0"),
            ("+3", "3"),
        ] {
            assert_eq!(normalize_number(input).as_deref(), Some(want), "{input}");
        }
        for bad in ["", "-", "abc", "1.2.3", "1e", "0x10", "1 "] {
            assert_eq!(normalize_number(bad), None, "{bad}");
        }
        assert_eq!(negate("1"), "-1");
        assert_eq!(negate("-2.5"), "2.5");
        assert_eq!(negate("0"), "0");
    }

    #[test]
    fn regclass_names_fold_and_drop_the_default_schema() {
        assert_eq!(regclass_name("public.users_id_seq", "public").as_deref(), Some("users_id_seq"));
        assert_eq!(regclass_name("Users_Seq", "public").as_deref(), Some("users_seq"));
        assert_eq!(regclass_name("\"Users_Seq\"", "public").as_deref(), Some("\"Users_Seq\""));
        assert_eq!(regclass_name("App.Seq", "public").as_deref(), Some("app.seq"));
        assert_eq!(regclass_name("a..b", "public"), None);
    }
}
