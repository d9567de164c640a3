//! What PostgreSQL's conversion of a column's values does when a migration
//! changes the column's type and a rollback changes it back: which
//! conversions silently change values (rounding, cutting, normalizing: the
//! way back cannot restore them, so the rollback rules report them and
//! `--preserve-data` keeps a copy of the old values, see
//! `plan/preserve.rs`) and which can fail on values the target type does
//! not accept.
//!
//! The planner converts without `USING` between numeric types, between
//! string types and between date/time types, and with an explicit cast
//! (`USING c::type`) otherwise (`dialect/postgres/plan.rs`, `using_cast`).
//! The difference matters for length limits: an assignment cast to
//! `varchar(n)`/`character(n)` fails on a longer value, an explicit cast
//! cuts it ("Character Types", PostgreSQL 15 documentation, 8.3). Numeric
//! conversions round to the target's scale and fail beyond its precision
//! ("Numeric Types", 8.1.2); integer types fail outside their range
//! (8.1.1); `real` keeps about 6 significant digits and `double precision`
//! 15 (8.1.3), and converting to `real` fails on overflow and underflow.
//! `jsonb` does not keep white space, key order or duplicate keys (8.14).
//! Converting `character(n)` to another string type removes trailing
//! spaces (8.3). `timestamp with time zone` to `timestamp` keeps the local
//! time of the session's `TimeZone` (8.5.1.3).

use crate::model::{DataType, quote_literal};

/// A type as far as its conversions are concerned.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ty {
    /// `smallint`, `integer`, `bigint`: their size in bytes.
    Int(u8),
    /// `numeric(precision, scale)`; `None`: unconstrained.
    Numeric(Option<(u32, i32)>),
    /// `real` (4) and `double precision` (8).
    Float(u8),
    /// `text`, `varchar[(n)]`, `character(n)` (`padded`).
    Str { len: Option<u32>, padded: bool },
    /// `timestamp[(p)] with[out] time zone`.
    Timestamp { tz: bool, precision: u32 },
    Date,
    /// `time[(p)] with[out] time zone`.
    Time { precision: u32 },
    Json,
    Jsonb,
    Bool,
    Uuid,
    Other,
}

fn arg(t: &DataType, i: usize) -> Option<i64> {
    t.args.get(i).and_then(|a| a.trim().parse().ok())
}

fn ty(t: &DataType) -> Ty {
    let precision = || arg(t, 0).map_or(6, |p| p as u32);
    match t.name.as_str() {
        "smallint" => Ty::Int(2),
        "integer" => Ty::Int(4),
        "bigint" => Ty::Int(8),
        "numeric" => Ty::Numeric(arg(t, 0).map(|p| (p as u32, arg(t, 1).unwrap_or(0) as i32))),
        "real" => Ty::Float(4),
        "double precision" => Ty::Float(8),
        "text" => Ty::Str { len: None, padded: false },
        "character varying" => Ty::Str { len: arg(t, 0).map(|n| n as u32), padded: false },
        "character" | "bpchar" => Ty::Str { len: arg(t, 0).map(|n| n as u32), padded: true },
        "timestamp without time zone" => Ty::Timestamp { tz: false, precision: precision() },
        "timestamp with time zone" => Ty::Timestamp { tz: true, precision: precision() },
        "date" => Ty::Date,
        "time without time zone" | "time with time zone" => Ty::Time { precision: precision() },
        "json" => Ty::Json,
        "jsonb" => Ty::Jsonb,
        "boolean" => Ty::Bool,
        "uuid" => Ty::Uuid,
        _ => Ty::Other,
    }
}

/// Whether the planner converts with an explicit cast (`USING c::type`):
/// the same decision as its `using_cast`, by the types' families.
fn explicit(from: &DataType, to: &DataType) -> bool {
    let family = |t: &DataType| match t.name.as_str() {
        _ if t.array_dims > 0 => "array",
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" => "number",
        "text" | "character varying" | "character" | "bpchar" | "name" | "\"char\"" => "string",
        "timestamp without time zone" | "timestamp with time zone" | "date" => "datetime",
        _ => "other",
    };
    if from.name == to.name && from.array_dims == to.array_dims {
        return false;
    }
    let (a, b) = (family(from), family(to));
    !(a == b && a != "other" && a != "array")
}

/// How many digits before the decimal point a number type can hold
/// (`u32::MAX`: as good as unlimited).
fn int_digits(t: Ty) -> u32 {
    match t {
        Ty::Int(2) => 5,
        Ty::Int(4) => 10,
        Ty::Int(8) => 19,
        Ty::Numeric(Some((p, s))) => (p as i32 - s).max(0) as u32,
        Ty::Bool => 1,
        _ => u32::MAX,
    }
}

/// How many digits an integer type holds whatever their value.
fn safe_int_digits(bytes: u8) -> u32 {
    match bytes {
        2 => 4,
        4 => 9,
        _ => 18,
    }
}

fn int_range(bytes: u8) -> (&'static str, &'static str) {
    match bytes {
        2 => ("-32768", "32767"),
        4 => ("-2147483648", "2147483647"),
        _ => ("-9223372036854775808", "9223372036854775807"),
    }
}

/// The longest text form of a value of the type, when it is bounded.
fn text_len(t: Ty) -> Option<u32> {
    match t {
        Ty::Int(2) => Some(6),
        Ty::Int(4) => Some(11),
        Ty::Int(8) => Some(20),
        Ty::Bool => Some(5),
        Ty::Uuid => Some(36),
        Ty::Str { len, .. } => len,
        _ => None,
    }
}

/// How many significant digits a float keeps exactly.
fn float_digits(bytes: u8) -> u32 {
    if bytes == 4 { 6 } else { 15 }
}

/// What converting values of `from` to `to` changes for good, when the
/// conversion succeeds: the words for a message (`are rounded to 2
/// decimal places`), or `None` when every value survives the way back.
pub fn loss(from: &DataType, to: &DataType) -> Option<String> {
    if from.array_dims != to.array_dims {
        return None;
    }
    let explicit = explicit(from, to);
    let (a, b) = (ty(&from.element()), ty(&to.element()));
    let what = match (a, b) {
        (Ty::Numeric(n), Ty::Int(_)) if n.is_none_or(|(_, s)| s > 0) => "fractions are rounded to whole numbers".to_string(),
        (Ty::Float(_), Ty::Int(_)) => "fractions are rounded to whole numbers".to_string(),
        (Ty::Numeric(n), Ty::Numeric(Some((_, s)))) if n.is_none_or(|(_, old)| old > s) => format!("values are rounded to {s} decimal places"),
        (Ty::Float(_), Ty::Numeric(Some((_, s)))) => format!("values are rounded to {s} decimal places"),
        (Ty::Float(8), Ty::Float(4)) => "values keep only about 6 significant digits".to_string(),
        (Ty::Int(n), Ty::Float(f)) if int_digits(Ty::Int(n)) > float_digits(f) => {
            format!("integers of more than {} digits lose their last ones", float_digits(f))
        }
        (Ty::Numeric(n), Ty::Float(f)) if n.is_none_or(|(p, _)| p > float_digits(f)) => {
            format!("values keep only about {} significant digits", float_digits(f))
        }
        (_, Ty::Str { len: Some(n), .. }) if explicit && text_len(a).is_none_or(|l| l > n) => {
            format!("values longer than {n} characters are cut to {n}")
        }
        (Ty::Str { padded: false, .. }, Ty::Str { padded: true, .. }) => {
            "trailing spaces are dropped (character(n) ignores them, and converting back removes them)".to_string()
        }
        (Ty::Timestamp { tz: true, precision: p }, Ty::Timestamp { tz: false, precision: q }) => {
            let mut what = "values lose their time zone: they become local times of the session's TimeZone, \
                            and the way back reads them in the TimeZone of the session that rolls back"
                .to_string();
            if q < p {
                what.push_str(&format!("; fractional seconds are rounded to {q} digits"));
            }
            what
        }
        (Ty::Timestamp { precision: p, .. }, Ty::Timestamp { precision: q, .. }) | (Ty::Time { precision: p }, Ty::Time { precision: q }) if q < p => {
            format!("fractional seconds are rounded to {q} digits")
        }
        (Ty::Timestamp { .. }, Ty::Date) => "the time of day is lost".to_string(),
        (Ty::Timestamp { .. }, Ty::Time { .. }) => "the date is lost".to_string(),
        (Ty::Json, Ty::Jsonb) => "documents lose their white space, key order and duplicate keys (jsonb keeps the last)".to_string(),
        (Ty::Int(_) | Ty::Numeric(_), Ty::Bool) => "every value other than 0 becomes true".to_string(),
        _ => return None,
    };
    Some(what)
}

/// Why converting `from` to `to` can fail, and the rows it fails on.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The words for a message (`values longer than 50 characters`).
    pub values: String,
    /// An SQL condition on `column` that holds for those rows; its note
    /// (`PostgreSQL 16+`) when it needs a version.
    pub rows: String,
}

/// Whether converting values of `from` to `to` can fail on some values of
/// `from`; `column` is the column as SQL, for the condition.
pub fn failure(from: &DataType, to: &DataType, column: &str) -> Option<Failure> {
    if from.array_dims != to.array_dims {
        return None;
    }
    let array = from.array_dims > 0;
    let explicit = explicit(from, to);
    let (a, b) = (ty(&from.element()), ty(&to.element()));
    let rows = |scalar: String| if array { format!("the rows whose {column} holds such an element") } else { scalar };
    let f = |values: String, rows: String| Some(Failure { values, rows });
    match (a, b) {
        (Ty::Int(m), Ty::Int(n)) if m > n => {
            let (lo, hi) = int_range(n);
            f(format!("values outside {}'s range ({lo} to {hi})", to.element()), rows(format!("{column} NOT BETWEEN {lo} AND {hi}")))
        }
        (Ty::Numeric(_) | Ty::Float(_), Ty::Int(n)) if int_digits(a) > safe_int_digits(n) => {
            let (lo, hi) = int_range(n);
            f(format!("values outside {}'s range ({lo} to {hi})", to.element()), rows(format!("{column} NOT BETWEEN {lo} AND {hi}")))
        }
        (Ty::Int(_) | Ty::Numeric(_) | Ty::Float(_), Ty::Numeric(Some((p, s)))) if int_digits(a) > int_digits(b) => {
            let digits = (p as i32 - s).max(0);
            f(
                format!("values of {digits} or more digits before the decimal point (numeric({p},{s}) holds fewer)"),
                rows(format!("abs({column}) >= 1e{digits}")),
            )
        }
        (Ty::Float(8), Ty::Float(4)) => f(
            "values outside real's range (beyond about 3.4e38, or non-zero and below about 1.4e-45)".to_string(),
            rows(format!("abs({column}) > 3.4028234663852886e38 OR ({column} <> 0 AND abs({column}) < 1.401298464324817e-45)")),
        ),
        (Ty::Str { .. }, Ty::Str { len: Some(n), .. }) if !explicit && text_len(a).is_none_or(|l| l > n) => {
            f(format!("values longer than {n} characters"), rows(format!("char_length({column}) > {n}")))
        }
        (Ty::Str { .. }, _) if !matches!(b, Ty::Str { .. }) => f(
            format!("text that is not a valid {}", to.element()),
            rows(format!("NOT pg_input_is_valid({column}, {}) (PostgreSQL 16+)", quote_literal(&to.element().to_string()))),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> DataType {
        DataType::parse(text).unwrap()
    }

    #[test]
    fn rounding_cutting_and_normalizing_lose_values() {
        let lost = |a: &str, b: &str| loss(&t(a), &t(b));
        assert_eq!(lost("numeric(10,2)", "numeric(10,0)").as_deref(), Some("values are rounded to 0 decimal places"));
        assert_eq!(lost("numeric", "numeric(12,3)").as_deref(), Some("values are rounded to 3 decimal places"));
        assert!(lost("numeric(10,2)", "integer").is_some());
        assert!(lost("double precision", "bigint").is_some());
        assert!(lost("double precision", "real").is_some());
        assert!(lost("bigint", "double precision").is_some());
        assert!(lost("json", "jsonb").is_some());
        assert!(lost("text", "character(4)").is_some());
        assert!(lost("timestamp with time zone", "date").is_some());
        assert!(lost("timestamp with time zone", "timestamp without time zone").is_some());
        assert!(lost("timestamp(6) without time zone", "timestamp(0) without time zone").is_some());
        assert!(lost("integer", "boolean").is_some());
        // An explicit cast to a bounded string cuts; a short enough value cannot be cut.
        assert!(lost("uuid", "character varying(10)").is_some());
        assert!(lost("integer", "character varying(11)").is_none());
        // Widening keeps every value.
        for (a, b) in [
            ("numeric(10,0)", "numeric(12,2)"),
            ("integer", "bigint"),
            ("real", "double precision"),
            ("smallint", "real"),
            ("integer", "double precision"),
            ("character varying(50)", "character varying(200)"),
            ("character varying(50)", "text"),
            ("date", "timestamp with time zone"),
            ("timestamp without time zone", "timestamp with time zone"),
            ("jsonb", "json"),
            ("integer", "text"),
            ("text", "integer"),
        ] {
            assert_eq!(lost(a, b), None, "{a} -> {b}");
        }
        assert!(lost("numeric(10,2)[]", "numeric(10,0)[]").is_some());
    }

    #[test]
    fn narrowing_fails_on_values_the_target_rejects() {
        let fails = |a: &str, b: &str| failure(&t(a), &t(b), "c");
        assert_eq!(fails("bigint", "integer").unwrap().rows, "c NOT BETWEEN -2147483648 AND 2147483647");
        assert_eq!(fails("character varying(200)", "character varying(50)").unwrap().rows, "char_length(c) > 50");
        assert_eq!(fails("text", "character(3)").unwrap().rows, "char_length(c) > 3");
        assert_eq!(fails("numeric(12,2)", "numeric(10,2)").unwrap().rows, "abs(c) >= 1e8");
        assert!(fails("integer", "numeric(5,0)").is_some());
        assert!(fails("numeric(12,2)", "integer").is_some());
        assert!(fails("numeric(8,2)", "integer").is_none());
        assert!(fails("double precision", "real").is_some());
        assert!(fails("text", "integer").unwrap().rows.contains("pg_input_is_valid(c, 'integer')"));
        assert!(fails("text", "public.mood").is_some());
        for (a, b) in [
            ("integer", "bigint"),
            ("character varying(50)", "character varying(200)"),
            ("character varying(5)", "text"),
            ("integer", "text"),
            ("integer", "character varying(11)"),
            ("numeric(10,2)", "numeric(12,2)"),
            ("timestamp with time zone", "timestamp without time zone"),
            ("jsonb", "json"),
            ("smallint", "integer"),
            ("numeric(4,0)", "smallint"),
        ] {
            assert_eq!(fails(a, b), None, "{a} -> {b}");
        }
        assert!(fails("bigint[]", "integer[]").unwrap().rows.contains("element"));
    }
}
