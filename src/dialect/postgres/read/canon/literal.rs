//! Constants as PostgreSQL prints them back.
//!
//! PostgreSQL stores a typed constant as a value, and prints it with the
//! type's output function: `'90 minutes'::interval` comes back as
//! `'01:30:00'::interval`, `'{"b":1,"a":2}'::jsonb` as `'{"a": 2, "b": 1}'`,
//! `'(1,10]'::int4range` as `'[2,11)'`. [`input`] does the same for the
//! common types, so that a hand-written constant and its pg_dump compare
//! equal. A value it cannot read is kept as written: then the two forms
//! compare different, which is a spurious change, never a missed one.

use super::catalog::oids;
use super::env::{Env, TypeId, TypeKind};
use super::node::Ty;
use crate::model::quote_ident;

/// The text PostgreSQL's output function prints for `text` read by the
/// input function of `ty` (the typmod only matters for interval).
pub fn input(env: &Env<'_>, ty: &Ty, text: &str) -> String {
    normalize(env, ty.id, text).unwrap_or_else(|| text.to_string())
}

fn normalize(env: &Env<'_>, id: TypeId, text: &str) -> Option<String> {
    match id {
        oids::INT2 | oids::INT4 | oids::INT8 | oids::OID => integer(text),
        oids::NUMERIC => numeric(text.trim()),
        oids::MONEY => money(text.trim()),
        oids::FLOAT8 => float(text, false),
        oids::FLOAT4 => float(text, true),
        oids::BOOL => boolean(text).map(|b| if b { "t" } else { "f" }.to_string()),
        oids::DATE => date(text.trim()),
        oids::TIMESTAMP => timestamp(text.trim(), false),
        oids::TIMESTAMPTZ => timestamp(text.trim(), true),
        oids::TIME => time_of_day(text.trim()).map(|(t, _)| t),
        oids::INTERVAL => interval(text.trim()),
        oids::UUID => uuid(text.trim()),
        oids::JSONB => jsonb(text),
        oids::BYTEA => bytea(text),
        oids::INET => inet(text.trim()),
        oids::REGCLASS => regclass(env, text),
        oids::JSONPATH => super::jsonpath::normalize(text),
        _ => {
            let info = env.type_info(id);
            match info.kind {
                TypeKind::Array => array(env, info.elem, text),
                TypeKind::Range => range(env, id, info.range_subtype, text),
                _ if info.name == "hstore" && env.cat.type_row(id).is_some_and(|t| t.extension == Some("hstore")) => hstore(text),
                _ => None,
            }
        }
    }
}

// ----- numbers -----

fn integer(text: &str) -> Option<String> {
    let t = text.trim();
    let n: i128 = t.strip_prefix('+').unwrap_or(t).parse().ok()?;
    Some(n.to_string())
}

/// The numeric input routine's text for a number: exponent applied, scale
/// kept (`1.50` stays `1.50`), sign dropped from zero, `NaN`/`Infinity`.
pub fn numeric(text: &str) -> Option<String> {
    match text.to_ascii_lowercase().as_str() {
        "nan" => return Some("NaN".into()),
        "infinity" | "+infinity" | "inf" | "+inf" => return Some("Infinity".into()),
        "-infinity" | "-inf" => return Some("-Infinity".into()),
        _ => {}
    }
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i64>().ok()?),
        None => (body, 0),
    };
    if exponent.abs() > 1000 {
        return None;
    }
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if (int.is_empty() && frac.is_empty()) || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The scale of the result: the digits after the point, less the exponent.
    let scale = (frac.len() as i64 - exponent).max(0) as usize;
    let digits = format!("{int}{frac}");
    let point = int.len() as i64 + exponent;
    let len = digits.len() as i64;
    let (int_part, mut frac_part) = if point <= 0 {
        ("0".to_string(), format!("{}{}", "0".repeat((-point) as usize), digits))
    } else if point >= len {
        (format!("{}{}", digits, "0".repeat((point - len) as usize)), String::new())
    } else {
        (digits[..point as usize].to_string(), digits[point as usize..].to_string())
    };
    frac_part.truncate(scale);
    while frac_part.len() < scale {
        frac_part.push('0');
    }
    let int_part = match int_part.trim_start_matches('0') {
        "" => "0",
        trimmed => trimmed,
    };
    let zero = int_part == "0" && frac_part.bytes().all(|b| b == b'0');
    let sign = if negative && !zero { "-" } else { "" };
    Some(if frac_part.is_empty() { format!("{sign}{int_part}") } else { format!("{sign}{int_part}.{frac_part}") })
}

/// `cash_in` then `cash_out` under the C locale (PostgreSQL's fallbacks:
/// `$`, `,` between thousands, two decimals): the amount rounded half away
/// from zero to cents, `(5)` read as negative.
fn money(text: &str) -> Option<String> {
    let (negative, body) = match text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => match text.strip_prefix('-') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        },
    };
    let body = body.strip_prefix('$').unwrap_or(body).replace(',', "");
    let (int, frac) = body.split_once('.').unwrap_or((&body, ""));
    if int.is_empty() && frac.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let cents_text = format!("{int}{:0<2}", &frac[..frac.len().min(2)]);
    let mut cents: i128 = cents_text.trim_start_matches('0').parse().unwrap_or(0);
    if frac.as_bytes().get(2).is_some_and(|d| *d >= b'5') {
        cents += 1;
    }
    if cents > i64::MAX as i128 {
        return None;
    }
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if negative && cents != 0 { "-" } else { "" };
    Some(format!("{sign}${grouped}.{:02}", cents % 100))
}

/// `float4out`/`float8out`: the shortest text that reads back as the same
/// value, in exponent form when the exponent is below -4 or at least the
/// type's decimal digits (6 for real, 15 for double precision).
fn float(text: &str, single: bool) -> Option<String> {
    let t = text.trim();
    match t.to_ascii_lowercase().as_str() {
        "nan" => return Some("NaN".into()),
        "infinity" | "+infinity" | "inf" | "+inf" => return Some("Infinity".into()),
        "-infinity" | "-inf" => return Some("-Infinity".into()),
        _ => {}
    }
    if !t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')) {
        return None;
    }
    let sci = if single {
        let v: f32 = t.parse().ok()?;
        if !v.is_finite() {
            return None;
        }
        format!("{v:e}")
    } else {
        let v: f64 = t.parse().ok()?;
        if !v.is_finite() {
            return None;
        }
        format!("{v:e}")
    };
    let (mantissa, exp) = sci.split_once('e')?;
    let exp: i32 = exp.parse().ok()?;
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if negative { "-" } else { "" };
    if digits == "0" {
        return Some(format!("{sign}0"));
    }
    let limit = if single { 6 } else { 15 };
    if exp < -4 || exp >= limit {
        let rest = &digits[1..];
        let mant = if rest.is_empty() { digits[..1].to_string() } else { format!("{}.{}", &digits[..1], rest) };
        let esign = if exp < 0 { '-' } else { '+' };
        return Some(format!("{sign}{mant}e{esign}{:02}", exp.abs()));
    }
    let point = exp + 1;
    let out = if point <= 0 {
        format!("0.{}{}", "0".repeat((-point) as usize), digits)
    } else if point as usize >= digits.len() {
        format!("{}{}", digits, "0".repeat(point as usize - digits.len()))
    } else {
        format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
    };
    Some(format!("{sign}{out}"))
}

/// `boolin`: the words and unique prefixes PostgreSQL accepts.
pub fn boolean(text: &str) -> Option<bool> {
    let t = text.trim().to_ascii_lowercase();
    if t.is_empty() {
        return None;
    }
    let prefix_of = |word: &str| word.starts_with(t.as_str());
    match t.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        "on" => Some(true),
        "of" | "off" => Some(false),
        _ if prefix_of("true") || prefix_of("yes") => Some(true),
        _ if prefix_of("false") || prefix_of("no") => Some(false),
        _ => None,
    }
}

// ----- dates and times -----

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// `YYYY-MM-DD` or `YYYYMMDD`, checked.
fn ymd(text: &str) -> Option<(i64, i64, i64)> {
    let (y, m, d) = if let Some((y, rest)) = text.split_once('-') {
        let (m, d) = rest.split_once('-')?;
        (y, m, d)
    } else if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        (&text[..4], &text[4..6], &text[6..])
    } else {
        return None;
    };
    if y.len() != 4 || !(1..=2).contains(&m.len()) || !(1..=2).contains(&d.len()) {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some((y, m, d))
}

fn date(text: &str) -> Option<String> {
    match text.to_ascii_lowercase().as_str() {
        "epoch" => return Some("1970-01-01".into()),
        "infinity" | "-infinity" => return Some(text.to_ascii_lowercase()),
        _ => {}
    }
    let (y, m, d) = ymd(text)?;
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// `HH:MM[:SS[.ffffff]]` → (`HH:MM:SS[.f]`, microseconds).
fn time_of_day(text: &str) -> Option<(String, i64)> {
    let mut parts = text.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let (s, frac) = match parts.next() {
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 6 {
                return None;
            }
            (whole.parse::<i64>().ok()?, frac.trim_end_matches('0').to_string())
        }
        None => (0, String::new()),
    };
    if parts.next().is_some() || !(0..=24).contains(&h) || !(0..60).contains(&m) || !(0..=60).contains(&s) {
        return None;
    }
    let micros = ((h * 60 + m) * 60 + s) * 1_000_000 + format!("{frac:0<6}").parse::<i64>().ok()?;
    let frac_text = if frac.is_empty() { String::new() } else { format!(".{frac}") };
    Some((format!("{h:02}:{m:02}:{s:02}{frac_text}"), micros))
}

/// Days since 1970-01-01 (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `timestamp` and `timestamptz` (printed in UTC, the zone a schema's
/// constants are assumed to be written in when they name none).
fn timestamp(text: &str, with_zone: bool) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    match lower.as_str() {
        "epoch" => return Some(if with_zone { "1970-01-01 00:00:00+00" } else { "1970-01-01 00:00:00" }.into()),
        "infinity" | "-infinity" => return Some(lower),
        _ => {}
    }
    let (date_part, rest) = match text.find([' ', 'T', 't']) {
        Some(i) => (&text[..i], text[i + 1..].trim()),
        None => (text, ""),
    };
    let (y, m, d) = ymd(date_part)?;
    // The time, then an optional zone: Z, UTC, GMT, ±HH, ±HH:MM, ±HHMM.
    let (time_text, zone) = match rest.find(['+', '-', 'Z', 'z', ' ']) {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    let (time_text, micros) = if time_text.is_empty() { ("00:00:00".to_string(), 0) } else { time_of_day(time_text)? };
    let offset_minutes: i64 = match zone.to_ascii_uppercase().as_str() {
        "" | "Z" | "UTC" | "GMT" | "+00" | "-00" | "+00:00" => 0,
        z => {
            let (sign, body) = match z.as_bytes().first()? {
                b'+' => (1, &z[1..]),
                b'-' => (-1, &z[1..]),
                _ => return None,
            };
            let (h, mi) = match body.split_once(':') {
                Some((h, mi)) => (h.parse::<i64>().ok()?, mi.parse::<i64>().ok()?),
                None if body.len() == 4 => (body[..2].parse().ok()?, body[2..].parse().ok()?),
                None => (body.parse().ok()?, 0),
            };
            sign * (h * 60 + mi)
        }
    };
    if !with_zone {
        if !zone.is_empty() {
            // A zone on a plain timestamp is ignored by PostgreSQL.
            return Some(format!("{y:04}-{m:02}-{d:02} {time_text}"));
        }
        return Some(format!("{y:04}-{m:02}-{d:02} {time_text}"));
    }
    let total = days_from_civil(y, m, d) * 86_400_000_000 + micros - offset_minutes * 60_000_000;
    let days = total.div_euclid(86_400_000_000);
    let rem = total.rem_euclid(86_400_000_000);
    let (y, m, d) = civil_from_days(days);
    if !(1..=9999).contains(&y) {
        return None;
    }
    let secs = rem / 1_000_000;
    let frac = rem % 1_000_000;
    let frac_text = if frac == 0 { String::new() } else { format!(".{}", format!("{frac:06}").trim_end_matches('0')) };
    Some(format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}{frac_text}+00", secs / 3600, secs / 60 % 60, secs % 60))
}

/// `interval` in the `postgres` IntervalStyle.
fn interval(text: &str) -> Option<String> {
    let (months, days, micros) = parse_interval(text)?;
    Some(format_interval(months, days, micros))
}

fn parse_interval(text: &str) -> Option<(i64, i64, i64)> {
    let lower = text.to_ascii_lowercase();
    if let Some(iso) = lower.strip_prefix('p') {
        return parse_iso_interval(iso);
    }
    let mut months = 0f64;
    let mut days = 0f64;
    let mut micros = 0f64;
    let mut ago = false;
    let mut words = lower.split_whitespace().peekable();
    let mut seen = false;
    while let Some(word) = words.next() {
        if word == "ago" {
            ago = true;
            continue;
        }
        if word.starts_with('@') {
            continue;
        }
        if word.contains(':') {
            let (negative, body) = match word.strip_prefix('-') {
                Some(b) => (true, b),
                None => (false, word.strip_prefix('+').unwrap_or(word)),
            };
            let (_, t) = time_of_day(body)?;
            micros += if negative { -(t as f64) } else { t as f64 };
            seen = true;
            continue;
        }
        let (number, unit) = match word.find(|c: char| c.is_ascii_alphabetic()) {
            Some(0) => return None,
            Some(i) => (&word[..i], Some(word[i..].to_string())),
            None => (word, None),
        };
        let value: f64 = number.parse().ok()?;
        let unit = match unit {
            Some(u) => u,
            None => match words.peek() {
                Some(w) if w.chars().all(|c| c.is_ascii_alphabetic()) && *w != "ago" => words.next()?.to_string(),
                // A bare number is seconds.
                _ => "second".into(),
            },
        };
        match unit.as_str() {
            "microsecond" | "microseconds" | "us" | "usec" | "usecs" | "useconds" => micros += value,
            "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" | "mseconds" => micros += value * 1e3,
            "second" | "seconds" | "s" | "sec" | "secs" => micros += value * 1e6,
            "minute" | "minutes" | "m" | "min" | "mins" => micros += value * 60e6,
            "hour" | "hours" | "h" | "hr" | "hrs" => micros += value * 3600e6,
            "day" | "days" | "d" => days += value,
            "week" | "weeks" | "w" => days += value * 7.0,
            "month" | "months" | "mon" | "mons" => months += value,
            "year" | "years" | "y" | "yr" | "yrs" => months += value * 12.0,
            "decade" | "decades" => months += value * 120.0,
            "century" | "centuries" => months += value * 1200.0,
            "millennium" | "millennia" | "millenniums" => months += value * 12000.0,
            _ => return None,
        }
        seen = true;
    }
    if !seen {
        return None;
    }
    // Fractions spill down: a fraction of a month is days of 30, of a day
    // hours of 24 (PostgreSQL's AdjustFractDays/AdjustFractSeconds).
    let whole_months = months.trunc();
    days += (months - whole_months) * 30.0;
    let whole_days = days.trunc();
    micros += (days - whole_days) * 86_400e6;
    let sign = if ago { -1 } else { 1 };
    Some((sign * whole_months as i64, sign * whole_days as i64, sign * micros.round() as i64))
}

fn parse_iso_interval(iso: &str) -> Option<(i64, i64, i64)> {
    let (date_part, time_part) = iso.split_once('t').unwrap_or((iso, ""));
    let mut months = 0i64;
    let mut days = 0i64;
    let mut micros = 0f64;
    let mut number = String::new();
    for c in date_part.chars() {
        if c.is_ascii_digit() || c == '.' || c == '-' {
            number.push(c);
            continue;
        }
        let v: i64 = number.parse().ok()?;
        number.clear();
        match c {
            'y' => months += v * 12,
            'm' => months += v,
            'w' => days += v * 7,
            'd' => days += v,
            _ => return None,
        }
    }
    for c in time_part.chars() {
        if c.is_ascii_digit() || c == '.' || c == '-' {
            number.push(c);
            continue;
        }
        let v: f64 = number.parse().ok()?;
        number.clear();
        match c {
            'h' => micros += v * 3600e6,
            'm' => micros += v * 60e6,
            's' => micros += v * 1e6,
            _ => return None,
        }
    }
    if !number.is_empty() {
        return None;
    }
    Some((months, days, micros.round() as i64))
}

fn format_interval(months: i64, days: i64, micros: i64) -> String {
    let mut parts = Vec::new();
    let plural = |n: i64, unit: &str| if n == 1 { format!("{n} {unit}") } else { format!("{n} {unit}s") };
    let (years, mons) = (months / 12, months % 12);
    if years != 0 {
        parts.push(plural(years, "year"));
    }
    if mons != 0 {
        parts.push(plural(mons, "mon"));
    }
    if days != 0 {
        parts.push(plural(days, "day"));
    }
    if micros != 0 || parts.is_empty() {
        let sign = if micros < 0 { "-" } else if !parts.is_empty() && (days < 0 || months < 0) { "+" } else { "" };
        let m = micros.abs();
        let secs = m / 1_000_000;
        let frac = m % 1_000_000;
        let frac_text = if frac == 0 { String::new() } else { format!(".{}", format!("{frac:06}").trim_end_matches('0')) };
        parts.push(format!("{sign}{:02}:{:02}:{:02}{frac_text}", secs / 3600, secs / 60 % 60, secs % 60));
    }
    parts.join(" ")
}

// ----- other scalar types -----

fn uuid(text: &str) -> Option<String> {
    let t = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')).unwrap_or(text);
    let hex: String = t.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let h = hex.to_ascii_lowercase();
    Some(format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]))
}

fn bytea(text: &str) -> Option<String> {
    if let Some(hex) = text.strip_prefix("\\x").or_else(|| text.strip_prefix("\\X")) {
        let hex: String = hex.chars().filter(|c| !c.is_whitespace()).collect();
        if !hex.len().is_multiple_of(2) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        return Some(format!("\\x{}", hex.to_ascii_lowercase()));
    }
    // The escape format: `\\` is a backslash, `\ooo` an octal byte.
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes.get(i + 1) == Some(&b'\\') {
                out.push(b'\\');
                i += 2;
                continue;
            }
            let oct = text.get(i + 1..i + 4)?;
            out.push(u8::from_str_radix(oct, 8).ok()?);
            i += 4;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    Some(format!("\\x{}", out.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

fn inet(text: &str) -> Option<String> {
    // An IPv4 host address is printed without its /32.
    let (addr, bits) = text.split_once('/').unwrap_or((text, "32"));
    let octets: Vec<&str> = addr.split('.').collect();
    if octets.len() != 4 || !octets.iter().all(|o| o.parse::<u8>().is_ok()) {
        return None;
    }
    let addr = octets.iter().map(|o| o.parse::<u8>().expect("checked").to_string()).collect::<Vec<_>>().join(".");
    match bits.parse::<u8>().ok()? {
        32 => Some(addr),
        b if b < 32 => Some(format!("{addr}/{b}")),
        _ => None,
    }
}

/// `regclass`: the relation's name, qualified only when `public` would not find it.
fn regclass(env: &Env<'_>, text: &str) -> Option<String> {
    let parts = crate::model::name_parts_folded(text.trim());
    let (schema, name) = match parts.as_slice() {
        [n] => (None, n.clone()),
        [s, n] => (Some(s.clone()), n.clone()),
        _ => return None,
    };
    if name.is_empty() {
        return None;
    }
    match schema.as_deref() {
        None | Some("public") | Some("pg_catalog") => Some(quote_ident(&name)),
        Some(s) => {
            let _ = env;
            Some(format!("{}.{}", quote_ident(s), quote_ident(&name)))
        }
    }
}

// ----- hstore -----

/// `hstore_out`: every key and value quoted, keys ordered by length then
/// bytes, the first of two equal keys kept.
fn hstore(text: &str) -> Option<String> {
    let c: Vec<char> = text.chars().collect();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < c.len() && c[*i].is_whitespace() {
            *i += 1;
        }
    };
    // A quoted or bare word; `None` inside for a bare NULL.
    let word = |i: &mut usize| -> Option<Option<String>> {
        let mut s = String::new();
        if c.get(*i) == Some(&'"') {
            *i += 1;
            loop {
                let ch = *c.get(*i)?;
                *i += 1;
                match ch {
                    '"' => return Some(Some(s)),
                    '\\' => {
                        s.push(*c.get(*i)?);
                        *i += 1;
                    }
                    other => s.push(other),
                }
            }
        }
        while *i < c.len() && !c[*i].is_whitespace() && !matches!(c[*i], ',' | '=' | '>') {
            if c[*i] == '\\' {
                *i += 1;
            }
            s.push(*c.get(*i)?);
            *i += 1;
        }
        if s.is_empty() {
            return None;
        }
        Some(if s.eq_ignore_ascii_case("null") { None } else { Some(s) })
    };
    let mut pairs: Vec<(String, Option<String>)> = Vec::new();
    skip_ws(&mut i);
    while i < c.len() {
        let key = word(&mut i)??;
        skip_ws(&mut i);
        if c.get(i) != Some(&'=') || c.get(i + 1) != Some(&'>') {
            return None;
        }
        i += 2;
        skip_ws(&mut i);
        let value = word(&mut i)?;
        if !pairs.iter().any(|(k, _)| *k == key) {
            pairs.push((key, value));
        }
        skip_ws(&mut i);
        if i < c.len() {
            if c[i] != ',' {
                return None;
            }
            i += 1;
            skip_ws(&mut i);
        }
    }
    pairs.sort_by(|a, b| (a.0.len(), a.0.as_bytes()).cmp(&(b.0.len(), b.0.as_bytes())));
    let quoted = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    Some(
        pairs
            .iter()
            .map(|(k, v)| format!("{}=>{}", quoted(k), v.as_deref().map_or("NULL".to_string(), quoted)))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

// ----- json -----

fn jsonb(text: &str) -> Option<String> {
    let mut p = Json { s: text.as_bytes(), i: 0 };
    let value = p.value()?;
    p.ws();
    if p.i != p.s.len() {
        return None;
    }
    let mut out = String::new();
    value.write(&mut out);
    Some(out)
}

enum JsonValue {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<JsonValue>),
    Object(Vec<(String, JsonValue)>),
}

impl JsonValue {
    fn write(&self, out: &mut String) {
        match self {
            JsonValue::Null => out.push_str("null"),
            JsonValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            JsonValue::Number(n) => out.push_str(n),
            JsonValue::String(s) => write_json_string(s, out),
            JsonValue::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write(out);
                }
                out.push(']');
            }
            JsonValue::Object(fields) => {
                // jsonb keeps one value per key (the last) and orders keys by
                // length, then bytes.
                let mut map: Vec<(&String, &JsonValue)> = Vec::new();
                for (k, v) in fields {
                    match map.iter_mut().find(|(key, _)| *key == k) {
                        Some(slot) => slot.1 = v,
                        None => map.push((k, v)),
                    }
                }
                map.sort_by(|a, b| (a.0.len(), a.0.as_bytes()).cmp(&(b.0.len(), b.0.as_bytes())));
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_json_string(k, out);
                    out.push_str(": ");
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Json<'a> {
    s: &'a [u8],
    i: usize,
}

impl Json<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn eat(&mut self, word: &str) -> bool {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            true
        } else {
            false
        }
    }
    fn value(&mut self) -> Option<JsonValue> {
        self.ws();
        let c = *self.s.get(self.i)?;
        match c {
            b'{' => {
                self.i += 1;
                let mut fields = Vec::new();
                self.ws();
                if self.eat("}") {
                    return Some(JsonValue::Object(fields));
                }
                loop {
                    self.ws();
                    let key = self.string()?;
                    self.ws();
                    if !self.eat(":") {
                        return None;
                    }
                    fields.push((key, self.value()?));
                    self.ws();
                    if self.eat("}") {
                        return Some(JsonValue::Object(fields));
                    }
                    if !self.eat(",") {
                        return None;
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat("]") {
                    return Some(JsonValue::Array(items));
                }
                loop {
                    items.push(self.value()?);
                    self.ws();
                    if self.eat("]") {
                        return Some(JsonValue::Array(items));
                    }
                    if !self.eat(",") {
                        return None;
                    }
                }
            }
            b'"' => self.string().map(JsonValue::String),
            b't' if self.eat("true") => Some(JsonValue::Bool(true)),
            b'f' if self.eat("false") => Some(JsonValue::Bool(false)),
            b'n' if self.eat("null") => Some(JsonValue::Null),
            _ => {
                let start = self.i;
                while self.i < self.s.len() && matches!(self.s[self.i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
                numeric(text).filter(|n| n != "NaN" && !n.contains("Infinity")).map(JsonValue::Number)
            }
        }
    }
    fn string(&mut self) -> Option<String> {
        if !self.eat("\"") {
            return None;
        }
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = *self.s.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = *self.s.get(self.i)?;
                    self.i += 1;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let hex = std::str::from_utf8(self.s.get(self.i..self.i + 4)?).ok()?;
                            self.i += 4;
                            let code = u32::from_str_radix(hex, 16).ok()?;
                            let ch = char::from_u32(code)?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return None,
                    }
                }
                c => out.push(c),
            }
        }
    }
}

// ----- arrays and ranges -----

/// An array literal, each element read by the element type, printed the way
/// `array_out` prints it.
fn array(env: &Env<'_>, elem: TypeId, text: &str) -> Option<String> {
    let t = text.trim();
    if !t.starts_with('{') {
        // Explicit bounds (`[0:1]={…}`) are kept as written.
        return None;
    }
    let mut p = ArrayParser { s: t.as_bytes(), i: 0 };
    let value = p.value()?;
    if p.i != p.s.len() {
        return None;
    }
    let mut out = String::new();
    write_array(env, elem, &value, &mut out)?;
    Some(out)
}

enum ArrayItem {
    Null,
    Text(String),
    List(Vec<ArrayItem>),
}

struct ArrayParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl ArrayParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn value(&mut self) -> Option<ArrayItem> {
        self.ws();
        if self.s.get(self.i) != Some(&b'{') {
            return None;
        }
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Some(ArrayItem::List(items));
        }
        loop {
            self.ws();
            let item = match self.s.get(self.i)? {
                b'{' => self.value()?,
                b'"' => {
                    self.i += 1;
                    let mut out = Vec::new();
                    loop {
                        let c = *self.s.get(self.i)?;
                        self.i += 1;
                        match c {
                            b'"' => break,
                            b'\\' => {
                                out.push(*self.s.get(self.i)?);
                                self.i += 1;
                            }
                            c => out.push(c),
                        }
                    }
                    ArrayItem::Text(String::from_utf8(out).ok()?)
                }
                _ => {
                    let start = self.i;
                    while self.i < self.s.len() && !matches!(self.s[self.i], b',' | b'}') {
                        if matches!(self.s[self.i], b'{' | b'"' | b'\\') {
                            return None;
                        }
                        self.i += 1;
                    }
                    let raw = std::str::from_utf8(&self.s[start..self.i]).ok()?.trim();
                    if raw.is_empty() {
                        return None;
                    }
                    if raw.eq_ignore_ascii_case("null") { ArrayItem::Null } else { ArrayItem::Text(raw.to_string()) }
                }
            };
            items.push(item);
            self.ws();
            match self.s.get(self.i)? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(ArrayItem::List(items));
                }
                _ => return None,
            }
        }
    }
}

fn write_array(env: &Env<'_>, elem: TypeId, item: &ArrayItem, out: &mut String) -> Option<()> {
    match item {
        ArrayItem::Null => out.push_str("NULL"),
        ArrayItem::Text(t) => {
            let v = normalize(env, elem, t).unwrap_or_else(|| t.clone());
            let v = if elem == oids::BOOL { if v == "t" { "t".to_string() } else { v } } else { v };
            let needs_quotes = v.is_empty()
                || v.eq_ignore_ascii_case("null")
                || v.chars().any(|c| matches!(c, '{' | '}' | ',' | '"' | '\\') || c.is_ascii_whitespace());
            if needs_quotes {
                out.push('"');
                for c in v.chars() {
                    if c == '"' || c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push('"');
            } else {
                out.push_str(&v);
            }
        }
        ArrayItem::List(items) => {
            // Sub-arrays must all be lists, or none.
            let lists = items.iter().filter(|i| matches!(i, ArrayItem::List(_))).count();
            if lists != 0 && lists != items.len() {
                return None;
            }
            out.push('{');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_array(env, elem, it, out)?;
            }
            out.push('}');
        }
    }
    Some(())
}

/// A range literal: bounds read by the subtype; the discrete built-in
/// ranges (int4range, int8range, daterange) made `[lower,upper)` as their
/// canonical function does.
fn range(env: &Env<'_>, id: TypeId, subtype: TypeId, text: &str) -> Option<String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("empty") {
        return Some("empty".into());
    }
    let lower_inc = match t.as_bytes().first()? {
        b'[' => true,
        b'(' => false,
        _ => return None,
    };
    let upper_inc = match t.as_bytes().last()? {
        b']' => true,
        b')' => false,
        _ => return None,
    };
    let inner = &t[1..t.len() - 1];
    let (lo, hi) = split_range_bounds(inner)?;
    let norm = |b: Option<String>| b.map(|v| normalize(env, subtype, &v).unwrap_or(v));
    let (mut lo, mut hi) = (norm(lo), norm(hi));
    let (mut lower_inc, mut upper_inc) = (lower_inc && lo.is_some(), upper_inc && hi.is_some());
    if matches!(id, oids::INT4RANGE | oids::INT8RANGE | oids::DATERANGE) {
        let step = |v: &str, by: i64| -> Option<String> {
            if id == oids::DATERANGE {
                if v.contains("infinity") {
                    return Some(v.to_string());
                }
                let (y, m, d) = ymd(v)?;
                let (y, m, d) = civil_from_days(days_from_civil(y, m, d) + by);
                Some(format!("{y:04}-{m:02}-{d:02}"))
            } else {
                Some((v.parse::<i64>().ok()? + by).to_string())
            }
        };
        if let Some(l) = &lo
            && !lower_inc
        {
            lo = Some(step(l, 1)?);
            lower_inc = true;
        }
        if let Some(h) = &hi
            && upper_inc
        {
            hi = Some(step(h, 1)?);
            upper_inc = false;
        }
        if let (Some(l), Some(h)) = (&lo, &hi) {
            let empty = if id == oids::DATERANGE { l >= h } else { l.parse::<i64>().ok()? >= h.parse::<i64>().ok()? };
            if empty {
                return Some("empty".into());
            }
        }
    }
    let bound = |b: &Option<String>| match b {
        None => String::new(),
        Some(v) if v.is_empty() || v.chars().any(|c| matches!(c, '(' | ')' | '[' | ']' | ',' | '"' | '\\') || c.is_ascii_whitespace()) => {
            let mut s = String::from('"');
            for c in v.chars() {
                if c == '"' || c == '\\' {
                    s.push('\\');
                }
                s.push(c);
            }
            s.push('"');
            s
        }
        Some(v) => v.clone(),
    };
    Some(format!(
        "{}{},{}{}",
        if lower_inc { '[' } else { '(' },
        bound(&lo),
        bound(&hi),
        if upper_inc { ']' } else { ')' }
    ))
}

fn split_range_bounds(inner: &str) -> Option<(Option<String>, Option<String>)> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            '\\' => current.push(chars.next()?),
            ',' if !quoted => {
                parts.push((std::mem::take(&mut current), was_quoted));
                was_quoted = false;
            }
            c => current.push(c),
        }
    }
    parts.push((current, was_quoted));
    let [(lo, lq), (hi, hq)] = <[(String, bool); 2]>::try_from(parts).ok()?;
    let bound = |v: String, q: bool| if v.is_empty() && !q { None } else { Some(v) };
    Some((bound(lo, lq), bound(hi, hq)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env<'static> {
        Env::builtin()
    }
    fn norm(id: TypeId, text: &str) -> String {
        input(&env(), &Ty::of(id), text)
    }

    // Each expected value is what PostgreSQL 15 printed for the constant.
    #[test]
    fn values_print_as_postgres_prints_them() {
        let cases: &[(TypeId, &str, &str)] = &[
            (oids::INT4, " 12 ", "12"),
            (oids::NUMERIC, "1e3", "1000"),
            (oids::NUMERIC, "1.50", "1.50"),
            (oids::NUMERIC, "  1.50 ", "1.50"),
            (oids::NUMERIC, "nan", "NaN"),
            (oids::FLOAT8, "1e16", "1e+16"),
            (oids::FLOAT8, "1e-5", "1e-05"),
            (oids::FLOAT8, "0.0001", "0.0001"),
            (oids::FLOAT8, "123456789012345", "123456789012345"),
            (oids::FLOAT8, "1234567890123456", "1.234567890123456e+15"),
            (oids::FLOAT8, "-1e-7", "-1e-07"),
            (oids::FLOAT8, "12345.6789", "12345.6789"),
            (oids::FLOAT4, "3.14159265", "3.1415927"),
            (oids::FLOAT4, "123456789", "1.2345679e+08"),
            (oids::FLOAT4, "100000", "100000"),
            (oids::FLOAT4, "1234567", "1.234567e+06"),
            (oids::BOOL, "yes", "t"),
            (oids::DATE, "20200101", "2020-01-01"),
            (oids::TIMESTAMP, "2020-01-01 10:00", "2020-01-01 10:00:00"),
            (oids::TIMESTAMP, "epoch", "1970-01-01 00:00:00"),
            (oids::TIMESTAMPTZ, "2020-01-01 10:00+02", "2020-01-01 08:00:00+00"),
            (oids::TIMESTAMPTZ, "2020-01-01", "2020-01-01 00:00:00+00"),
            (oids::INTERVAL, "90 minutes", "01:30:00"),
            (oids::INTERVAL, "1 week 2 hours", "7 days 02:00:00"),
            (oids::INTERVAL, "2 months", "2 mons"),
            (oids::INTERVAL, "-1 day", "-1 days"),
            (oids::INTERVAL, "1.5 hours", "01:30:00"),
            (oids::INTERVAL, "1 day 1 hour", "1 day 01:00:00"),
            (oids::INTERVAL, "P1D", "1 day"),
            (oids::INTERVAL, "1 year 2 months 3 days 04:05:06.5", "1 year 2 mons 3 days 04:05:06.5"),
            (oids::INTERVAL, "-1 hours", "-01:00:00"),
            (oids::INTERVAL, "1:30", "01:30:00"),
            (oids::INTERVAL, "100 seconds", "00:01:40"),
            (oids::INTERVAL, "0", "00:00:00"),
            (oids::UUID, "{3FA85F64-5717-4562-B3FC-2C963F66AFA6}", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
            (oids::JSONB, r#"{"b":1,"aa":[1,2.50,1e2]}"#, r#"{"b": 1, "aa": [1, 2.50, 100]}"#),
            (oids::BYTEA, "abc", "\\x616263"),
            (oids::BYTEA, "\\x00FF", "\\x00ff"),
            (oids::INET, "10.0.0.1/32", "10.0.0.1"),
            (oids::INT4RANGE, "(1,10]", "[2,11)"),
            (oids::TEXT_ARRAY, r#"{"a",b}"#, "{a,b}"),
            (oids::TEXT_ARRAY, r#"{"a b","c\"d",""}"#, r#"{"a b","c\"d",""}"#),
            (oids::TEXT_ARRAY, r#"{NULL,"NULL"}"#, r#"{NULL,"NULL"}"#),
            (1007, "{ 1 , 2 }", "{1,2}"),
            (1007, "{{1,2},{3,4}}", "{{1,2},{3,4}}"),
        ];
        for (ty, written, printed) in cases {
            assert_eq!(norm(*ty, written), *printed, "{written:?} as type {ty}");
        }
    }

    #[test]
    fn hstore_prints_as_hstore_out() {
        // What PostgreSQL 15 with the hstore extension printed.
        assert_eq!(hstore(r#"a=>1, b=>NULL, "c d"=>"x", a=>2, bb=>1, b=>3"#).as_deref(), Some(r#""a"=>"1", "b"=>NULL, "bb"=>"1", "c d"=>"x""#));
        assert_eq!(hstore("z=>1,aa=>2,b=>3").as_deref(), Some(r#""b"=>"3", "z"=>"1", "aa"=>"2""#));
        assert_eq!(hstore(r#"a=>"q\"t""#).as_deref(), Some(r#""a"=>"q\"t""#));
        assert_eq!(hstore("").as_deref(), Some(""));
        assert_eq!(hstore("a=>"), None);
    }

    #[test]
    fn unreadable_values_are_kept_as_written() {
        assert_eq!(norm(oids::DATE, "today"), "today");
        assert_eq!(norm(oids::INT4, "x"), "x");
        assert_eq!(norm(1007, "[0:1]={1,2}"), "[0:1]={1,2}");
    }
}
