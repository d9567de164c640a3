//! What PostgreSQL does to a column's values when `ALTER COLUMN … TYPE`
//! changes its type, the statement written the way the planner writes it:
//! whether the table is rewritten, and which existing values make the
//! statement fail (or are silently cut or rounded).
//!
//! Sources, PostgreSQL documentation: "ALTER TABLE" (SET DATA TYPE: no
//! rewrite when the old type is binary coercible to the new one and the
//! conversion is not an explicit expression), "Type Conversion: Value
//! Storage" (an assignment cast checks lengths and ranges and fails, an
//! explicit cast to `varchar(n)` truncates), "Character Types", "Numeric
//! Types", "Boolean Type", "UUID Type", "Date/Time Types", and "CREATE CAST"
//! (an explicit cast from a string type to any type goes through the type's
//! input function). Every case below was checked on PostgreSQL 15: the
//! table's `relfilenode` before and after the change tells whether it was
//! rewritten, and each cast was tried on sample values.
//!
//! The planner's step facts (`src/dialect/postgres/plan/locks.rs`) are being
//! taught the same binary-coercible list; the two should become one.

use crate::model::{DataType, quote_literal};

/// Where a type belongs for the planner's choice of conversion. Mirrors
/// `using_cast` in `src/dialect/postgres/plan.rs`, which writes no `USING`
/// within a family and `USING c::type` or `USING c::text::type` across.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Number,
    String,
    DateTime,
    Array,
    Other,
}

pub fn family(t: &DataType) -> Family {
    if t.array_dims > 0 {
        return Family::Array;
    }
    match t.name.as_str() {
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" => Family::Number,
        "text" | "character varying" | "character" | "bpchar" | "name" | "\"char\"" => Family::String,
        "timestamp without time zone" | "timestamp with time zone" | "date" => Family::DateTime,
        _ => Family::Other,
    }
}

/// How the planned statement converts the values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// No `USING`: PostgreSQL's assignment cast, which fails on a value too
    /// long or out of range rather than cutting it.
    Assignment,
    /// `USING c::type`: an explicit cast (to `varchar(n)` it cuts silently).
    Cast,
    /// `USING c::text::type`: the value's text read by the new type's input
    /// function.
    Text,
}

/// What the existing values do in the conversion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No value fails.
    Never,
    /// PostgreSQL has no cast between the two types: the statement fails
    /// before it reads a row, even on an empty table.
    NoCast,
    /// Every value that is not NULL fails: no text the old type prints is
    /// valid input for the new one.
    EveryRow,
    /// The new type is narrower: `offending` is a condition on the table's
    /// rows that selects the values that fail, are cut or are rounded.
    Narrow { kind: Narrow, offending: String },
    /// Some values may fail. `offending` selects them when an exact
    /// condition is known; otherwise only converting them all tells.
    Some { offending: Option<String> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Narrow {
    /// To `varchar(max)` or `char(max)`: longer values fail, or are cut
    /// (`cuts`) when the planner converts with an explicit cast.
    Length { max: u32, cuts: bool },
    /// To a smaller integer type (`target`), or from a type with fractions
    /// (`rounds`).
    Integer { target: String, rounds: bool },
    /// To `numeric(p,s)`: values too large fail (`overflows`), extra
    /// fractional digits are rounded away (`rounds`).
    Numeric { overflows: bool, rounds: bool },
}

/// One column's type change, as the planner writes it.
pub struct TypeChange<'a> {
    /// The column, quoted for SQL.
    pub column: &'a str,
    pub from: &'a DataType,
    pub to: &'a DataType,
    /// The new type is defined by the schema (an enum, a domain, …): the
    /// planner converts through text.
    pub user_type: bool,
    /// The new type's labels, when it is an enum.
    pub labels: Option<&'a [String]>,
    /// The major version of the server, when known.
    pub version: Option<u32>,
}

impl TypeChange<'_> {
    /// How the planner converts (see [`Via`]).
    pub fn via(&self) -> Via {
        let (from, to) = (self.from, self.to);
        if from.name == to.name && from.array_dims == to.array_dims {
            return Via::Assignment;
        }
        // PostgreSQL's own cast, a relabelling (the planner writes no USING).
        if (from.name.as_str(), to.name.as_str()) == ("cidr", "inet") && from.array_dims == to.array_dims {
            return Via::Assignment;
        }
        let (a, b) = (family(from), family(to));
        if a == b && a != Family::Other && a != Family::Array {
            return Via::Assignment;
        }
        if self.user_type || (a != Family::String && b == Family::Other) { Via::Text } else { Via::Cast }
    }

    /// The conversion as an SQL expression on the column, the way the
    /// statement converts.
    pub fn expression(&self) -> String {
        let (c, to) = (self.column, self.to);
        match self.via() {
            Via::Assignment => format!("CAST({c} AS {to})"),
            Via::Cast => format!("{c}::{to}"),
            Via::Text => format!("{c}::text::{to}"),
        }
    }

    /// Whether the planned statement writes every row again: unless the old
    /// type is binary coercible to the new one and the statement converts
    /// with no `USING` (an expression like `c::text::inet` always rewrites,
    /// even from `cidr`). `timestamp` ↔ `timestamptz` is not counted here:
    /// it depends on the session's time zone (see [`time_zone_change`]).
    pub fn rewrites(&self) -> bool {
        !(self.via() == Via::Assignment && binary_coercible(self.from, self.to))
    }

    /// What the existing values do in the conversion.
    pub fn failure(&self) -> Failure {
        let (from, to) = (self.from, self.to);
        if from == to {
            return Failure::Never;
        }
        if from.array_dims > 0 || to.array_dims > 0 {
            return self.array_failure();
        }
        match self.via() {
            Via::Assignment => self.assignment_failure(),
            Via::Cast => self.cast_failure(),
            Via::Text => self.text_failure(),
        }
    }

    /// Arrays are converted element by element with an explicit cast.
    fn array_failure(&self) -> Failure {
        let (from, to) = (self.from, self.to);
        if from.array_dims != to.array_dims {
            return Failure::Some { offending: None };
        }
        let (fe, te) = (from.element(), to.element());
        let element = TypeChange { from: &fe, to: &te, labels: None, ..*self };
        match element.failure() {
            Failure::Never => Failure::Never,
            Failure::NoCast => Failure::NoCast,
            _ => Failure::Some { offending: None },
        }
    }

    fn assignment_failure(&self) -> Failure {
        let (c, from, to) = (self.column, self.from, self.to);
        match family(to) {
            Family::String => match (length_limit(to), length_limit(from)) {
                (Some(max), old) if old.is_none_or(|old| old > max) => Failure::Narrow {
                    kind: Narrow::Length { max, cuts: false },
                    // Excess characters that are all spaces are dropped without an error.
                    offending: format!("char_length(rtrim({c}, ' ')) > {max}"),
                },
                _ => Failure::Never,
            },
            Family::Number => number_failure(c, from, to),
            Family::DateTime => Failure::Never,
            Family::Other | Family::Array => match to.name.as_str() {
                // Same name, another length: an assignment to bit(n) fails
                // on every other length, to bit varying(n) on longer ones.
                "bit" => bit_length(to).map_or(Failure::Never, |n| Failure::Some { offending: Some(format!("length({c}) <> {n}")) }),
                "bit varying" => match (bit_length(to), bit_length(from)) {
                    (Some(n), old) if old.is_none_or(|old| old > n) => Failure::Some { offending: Some(format!("length({c}) > {n}")) },
                    _ => Failure::Never,
                },
                _ => Failure::Never,
            },
        }
    }

    /// `USING c::type`: from a string type through the input function, or
    /// between families with a cast of their own.
    fn cast_failure(&self) -> Failure {
        let (c, from, to) = (self.column, self.from, self.to);
        let (a, b) = (family(from), family(to));
        if b == Family::String {
            // An explicit cast to varchar(n) or char(n) cuts longer values.
            let Some(max) = length_limit(to) else { return Failure::Never };
            if text_length(from).is_some_and(|longest| longest <= max) {
                return Failure::Never;
            }
            return Failure::Narrow { kind: Narrow::Length { max, cuts: true }, offending: format!("char_length({c}::text) > {max}") };
        }
        if a == Family::String {
            // citext (the extension's case-insensitive text) takes any text.
            if to.name.rsplit('.').next() == Some("citext") {
                return Failure::Never;
            }
            // bpchar prints its padding: the input function sees it, a text
            // predicate would not; only converting tells.
            if from.name == "character" || from.name == "bpchar" {
                return Failure::Some { offending: None };
            }
            return Failure::Some { offending: self.input_check(c) };
        }
        if no_cast(from, to) {
            return Failure::NoCast;
        }
        if from.name == "boolean" && to.name == "integer" {
            return Failure::Never;
        }
        Failure::Some { offending: None }
    }

    /// `USING c::text::type`: the old value's text read by the new type.
    fn text_failure(&self) -> Failure {
        let (c, from, to) = (self.column, self.from, self.to);
        let text = format!("{c}::text");
        let printed = printed_as(from);
        if let Some(labels) = self.labels {
            let fits = labels.iter().any(|l| printed.is_none_or(|p| p.could_print(l)));
            if !fits {
                return Failure::EveryRow;
            }
            let list: Vec<String> = labels.iter().map(|l| quote_literal(l)).collect();
            return Failure::Some { offending: Some(format!("{text} NOT IN ({})", list.join(", "))) };
        }
        match to.name.as_str() {
            "uuid" => match printed {
                Some(Printed::Integer | Printed::Boolean | Printed::DateTime) => Failure::EveryRow,
                _ => Failure::Some { offending: Some(format!("{text} !~ '{UUID_INPUT}'")) },
            },
            "boolean" => match printed {
                Some(Printed::Uuid | Printed::DateTime) => Failure::EveryRow,
                _ => Failure::Some { offending: Some(format!("{text} !~* '{BOOLEAN_INPUT}'")) },
            },
            "json" | "jsonb" => match printed {
                // Integers and true/false are JSON as they print.
                Some(Printed::Integer | Printed::Boolean) => Failure::Never,
                Some(Printed::Uuid | Printed::DateTime) => Failure::EveryRow,
                _ if from.name == "jsonb" => Failure::Never,
                _ => Failure::Some { offending: self.input_check(&text) },
            },
            _ => Failure::Some { offending: self.input_check(&text) },
        }
    }

    /// A condition selecting the rows whose `text` the new type's input
    /// function refuses: exact for integers, booleans and uuids; for other
    /// types `pg_input_is_valid` (PostgreSQL 16 and later) or none.
    fn input_check(&self, text: &str) -> Option<String> {
        let to = self.to;
        if let Some((lo, hi)) = integer_range(&to.name) {
            // int2in/int4in/int8in before PostgreSQL 16: optional white
            // space, an optional sign, decimal digits (16 also takes `_`
            // separators and 0x/0o/0b prefixes, which this check refuses).
            return Some(format!(
                "{text} IS NOT NULL AND CASE WHEN {text} ~ '{INTEGER_INPUT}' THEN {text}::numeric NOT BETWEEN {lo} AND {hi} ELSE true END"
            ));
        }
        match to.name.as_str() {
            "uuid" => Some(format!("{text} !~ '{UUID_INPUT}'")),
            "boolean" => Some(format!("{text} !~* '{BOOLEAN_INPUT}'")),
            _ if self.version.is_some_and(|v| v >= 16) => Some(format!("NOT pg_input_is_valid({text}, {})", quote_literal(&to.to_string()))),
            _ => None,
        }
    }
}

/// What `int2in`/`int4in`/`int8in` accept before PostgreSQL 16.
pub const INTEGER_INPUT: &str = r"^\s*[-+]?[0-9]+\s*$";
/// What `uuid_in` accepts: 32 hex digits, a hyphen allowed after any group
/// of four but the last, the whole optionally in braces; no white space.
pub const UUID_INPUT: &str = r"^(\{[0-9a-fA-F]{4}(-?[0-9a-fA-F]{4}){7}\}|[0-9a-fA-F]{4}(-?[0-9a-fA-F]{4}){7})$";
/// What `boolin` accepts (case-insensitive, surrounding white space
/// ignored): a prefix of true, false, yes, no; on, of, off; 1, 0.
pub const BOOLEAN_INPUT: &str = r"^\s*(t|tr|tru|true|f|fa|fal|fals|false|y|ye|yes|n|no|on|of|off|1|0)\s*$";

/// The range of an integer type.
pub fn integer_range(name: &str) -> Option<(i64, i64)> {
    match name {
        "smallint" => Some((i16::MIN.into(), i16::MAX.into())),
        "integer" => Some((i32::MIN.into(), i32::MAX.into())),
        "bigint" => Some((i64::MIN, i64::MAX)),
        _ => None,
    }
}

/// Digits an integer type's values can have.
fn integer_digits(name: &str) -> Option<u32> {
    match name {
        "smallint" => Some(5),
        "integer" => Some(10),
        "bigint" => Some(19),
        _ => None,
    }
}

/// `numeric(p,s)` → `(p, s)`; `numeric(p)` has scale 0; `numeric` none.
pub fn numeric_typmod(t: &DataType) -> Option<(u32, u32)> {
    if t.name != "numeric" {
        return None;
    }
    let p = t.args.first()?.trim().parse().ok()?;
    let s = t.args.get(1).map_or(Some(0), |s| s.trim().parse().ok())?;
    Some((p, s))
}

/// `varchar(n)`/`char(n)` → n; `None` when unbounded. A bare `character`
/// is `character(1)`.
fn length_limit(t: &DataType) -> Option<u32> {
    match t.name.as_str() {
        "character varying" => t.args.first().and_then(|a| a.trim().parse().ok()),
        "character" | "bpchar" => t.args.first().map_or(Some(1), |a| a.trim().parse().ok()),
        _ => None,
    }
}

fn bit_length(t: &DataType) -> Option<u32> {
    match t.name.as_str() {
        "bit varying" => t.args.first().and_then(|a| a.trim().parse().ok()),
        "bit" => t.args.first().map_or(Some(1), |a| a.trim().parse().ok()),
        _ => None,
    }
}

/// The longest text a value of the type prints as, when it is bounded.
fn text_length(t: &DataType) -> Option<u32> {
    match t.name.as_str() {
        "smallint" => Some(6),
        "integer" => Some(11),
        "bigint" => Some(20),
        "boolean" => Some(5),
        "uuid" => Some(36),
        _ => length_limit(t),
    }
}

/// What the text of a value of the old type looks like, for the types
/// whose text can be told apart from another type's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Printed {
    /// An optional `-` and decimal digits.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// 8-4-4-4-12 lower-case hex digits.
    Uuid,
    /// A date or a timestamp (`2024-05-01 12:00:00+00`, `infinity`).
    DateTime,
}

impl Printed {
    /// Whether a value could print as `text`.
    fn could_print(self, text: &str) -> bool {
        match self {
            Printed::Integer => {
                let digits = text.strip_prefix('-').unwrap_or(text);
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
            }
            Printed::Boolean => text == "true" || text == "false",
            Printed::Uuid => text.len() == 36 && text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'),
            // Dates print digits, `BC`, `infinity`: no quick test; assume it may.
            Printed::DateTime => true,
        }
    }
}

fn printed_as(t: &DataType) -> Option<Printed> {
    if t.array_dims > 0 {
        return None;
    }
    match t.name.as_str() {
        "smallint" | "integer" | "bigint" => Some(Printed::Integer),
        "boolean" => Some(Printed::Boolean),
        "uuid" => Some(Printed::Uuid),
        "date" | "timestamp without time zone" | "timestamp with time zone" => Some(Printed::DateTime),
        _ => None,
    }
}

/// Pairs `c::type` is written for and PostgreSQL has no cast for ("cannot
/// cast type … to …"): between numbers and dates, from booleans to any
/// number but `integer` (the only cast from boolean to a number is to
/// integer), from uuid and json to numbers and dates.
fn no_cast(from: &DataType, to: &DataType) -> bool {
    let (a, b) = (family(from), family(to));
    match (a, b) {
        (Family::Number, Family::DateTime) | (Family::DateTime, Family::Number) => true,
        (Family::Other, Family::Number) => matches!(from.name.as_str(), "uuid" | "json") || from.name == "boolean" && to.name != "integer",
        (Family::Other, Family::DateTime) => matches!(from.name.as_str(), "boolean" | "uuid" | "json" | "jsonb"),
        _ => false,
    }
}

/// Between two number types, with the assignment cast: integers fail out
/// of range, numerics overflow their precision, fractions are rounded.
fn number_failure(c: &str, from: &DataType, to: &DataType) -> Failure {
    let exact = integer_digits(&from.name).is_some();
    if let Some((lo, hi)) = integer_range(&to.name) {
        let fits = match (integer_range(&from.name), numeric_typmod(from)) {
            (Some((flo, fhi)), _) => flo >= lo && fhi <= hi,
            (None, Some((p, s))) => s == 0 && p < integer_digits(&to.name).unwrap_or(0),
            (None, None) => false,
        };
        if fits {
            return Failure::Never;
        }
        let rounds = !exact && numeric_typmod(from).is_none_or(|(_, s)| s > 0);
        let value = if exact { c.to_string() } else { format!("round({c})") };
        let mut offending = format!("{value} NOT BETWEEN {lo} AND {hi}");
        if rounds {
            offending.push_str(&format!(" OR {c} <> round({c})"));
        }
        return Failure::Narrow { kind: Narrow::Integer { target: to.name.clone(), rounds }, offending };
    }
    if let Some((p, s)) = numeric_typmod(to) {
        let whole = p.saturating_sub(s);
        let (overflows, rounds) = match (integer_digits(&from.name), numeric_typmod(from), from.name.as_str()) {
            (Some(digits), _, _) => (whole < digits, false),
            // Rounding to fewer fractional digits can carry into one more
            // whole digit (99.999 → 100.00).
            (None, Some((p0, s0)), _) => (whole < p0.saturating_sub(s0) || whole == p0.saturating_sub(s0) && s < s0, s < s0),
            (None, None, "numeric") => (true, true),
            // real and double precision: infinities and NaN as well.
            _ => return Failure::Some { offending: None },
        };
        if !overflows && !rounds {
            return Failure::Never;
        }
        let mut conditions = Vec::new();
        if overflows {
            let value = if exact { format!("abs({c}::numeric)") } else { format!("abs(round({c}, {s}))") };
            conditions.push(format!("{value} >= 1e{whole}"));
        }
        if rounds {
            conditions.push(format!("{c} <> round({c}, {s})"));
        }
        return Failure::Narrow { kind: Narrow::Numeric { overflows, rounds }, offending: conditions.join(" OR ") };
    }
    // To real: values beyond its range fail. To double precision or an
    // unbounded numeric, nothing a number column holds fails.
    if to.name == "real" && matches!(from.name.as_str(), "numeric" | "double precision") {
        return Failure::Some { offending: None };
    }
    Failure::Never
}

/// Whether PostgreSQL changes the type in the catalog only, the values
/// being valid for the new type as they are stored: a binary-coercible
/// cast, or a length, precision or scale the support function of the type
/// knows to be a no-op.
///
/// - `varchar(n)` → `varchar(m ≥ n)`, `varchar`, `text`; `text` → `varchar`
/// - `numeric(p,s)` → `numeric(q ≥ p, s)` (the same scale), `numeric`
/// - `bit varying(n)` → `bit varying(m ≥ n)`, `bit varying`
/// - `timestamp`, `timestamptz`, `time`, `timetz` to a higher precision
///   (unbounded is 6)
/// - `cidr` → `inet`
///
/// Not: `text` → `varchar(n)` (every value is checked against the length,
/// and the table rewritten), `char(n)` to any other length (padding),
/// `bit(n)` → `bit varying`, arrays of any of these (converted element by
/// element), a scale change of a numeric.
pub fn binary_coercible(from: &DataType, to: &DataType) -> bool {
    if from.array_dims > 0 || to.array_dims > 0 {
        return false;
    }
    let arg = |t: &DataType| -> Option<u32> { t.args.first().and_then(|a| a.trim().parse().ok()) };
    let wider = |from: Option<u32>, to: Option<u32>| match (from, to) {
        (_, None) => true,
        (Some(a), Some(b)) => b >= a,
        (None, Some(_)) => false,
    };
    match (from.name.as_str(), to.name.as_str()) {
        ("character varying", "text") => true,
        ("text", "character varying") => to.args.is_empty(),
        ("character varying", "character varying") | ("bit varying", "bit varying") => wider(arg(from), arg(to)),
        ("numeric", "numeric") => match (numeric_typmod(from), numeric_typmod(to)) {
            (_, None) => to.args.is_empty(),
            (Some((p, s)), Some((q, t))) => t == s && q >= p,
            (None, Some(_)) => false,
        },
        (a, b) if a == b && matches!(a, "timestamp without time zone" | "timestamp with time zone" | "time without time zone" | "time with time zone") => {
            // No precision is the highest, 6.
            arg(to).unwrap_or(6) >= arg(from).unwrap_or(6)
        }
        ("cidr", "inet") => true,
        _ => false,
    }
}

/// `timestamp` ↔ `timestamptz` (arrays of them too): the values are
/// reinterpreted in the session's `TimeZone`.
pub fn time_zone_change(from: &DataType, to: &DataType) -> bool {
    const PAIR: [&str; 2] = ["timestamp without time zone", "timestamp with time zone"];
    from.array_dims == to.array_dims && from.name != to.name && PAIR.contains(&from.name.as_str()) && PAIR.contains(&to.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> DataType {
        DataType::parse(text).unwrap()
    }

    fn change<'a>(from: &'a DataType, to: &'a DataType) -> TypeChange<'a> {
        TypeChange { column: "c", from, to, user_type: false, labels: None, version: None }
    }

    fn failure(from: &str, to: &str) -> Failure {
        let (from, to) = (t(from), t(to));
        change(&from, &to).failure()
    }

    fn offending(from: &str, to: &str) -> Option<String> {
        match failure(from, to) {
            Failure::Narrow { offending, .. } => Some(offending),
            Failure::Some { offending } => offending,
            _ => None,
        }
    }

    #[test]
    fn binary_coercible_changes_are_the_ones_postgresql_does_in_the_catalog() {
        let yes = [
            ("character varying(10)", "character varying(20)"),
            ("character varying(10)", "character varying(10)"),
            ("character varying(10)", "character varying"),
            ("character varying(10)", "text"),
            ("character varying", "text"),
            ("text", "character varying"),
            ("numeric(10,2)", "numeric(12,2)"),
            ("numeric(10,2)", "numeric"),
            ("numeric(10)", "numeric(12,0)"),
            ("bit varying(5)", "bit varying(10)"),
            ("bit varying(5)", "bit varying"),
            ("timestamp(3) without time zone", "timestamp(6) without time zone"),
            ("timestamp(3) with time zone", "timestamp with time zone"),
            ("time(3) without time zone", "time without time zone"),
            ("timestamp without time zone", "timestamp(6) without time zone"),
            ("cidr", "inet"),
        ];
        for (a, b) in yes {
            assert!(binary_coercible(&t(a), &t(b)), "{a} → {b} should be binary coercible");
        }
        let no = [
            ("text", "character varying(10)"),
            ("character varying(20)", "character varying(10)"),
            ("character varying", "character varying(10)"),
            ("numeric(10,2)", "numeric(12,3)"),
            ("numeric(10,2)", "numeric(8,2)"),
            ("numeric", "numeric(10,2)"),
            ("character(5)", "character(10)"),
            ("character(5)", "text"),
            ("bit(4)", "bit varying(8)"),
            ("character varying(10)[]", "text[]"),
            ("timestamp without time zone", "timestamp(3) without time zone"),
            ("timestamp without time zone", "timestamp with time zone"),
            ("inet", "cidr"),
            ("integer", "bigint"),
            ("integer", "text"),
        ];
        for (a, b) in no {
            assert!(!binary_coercible(&t(a), &t(b)), "{a} → {b} is a rewrite");
        }
    }

    #[test]
    fn the_planners_using_clause_decides_the_rewrite_too() {
        // cidr → inet is binary coercible, and the planner writes no USING
        // for it (an expression would rewrite the table).
        let (cidr, inet) = (t("cidr"), t("inet"));
        assert_eq!(change(&cidr, &inet).via(), Via::Assignment);
        assert!(!change(&cidr, &inet).rewrites());
        let (v, text) = (t("character varying(10)"), t("text"));
        assert!(!change(&v, &text).rewrites());
        let (b, u) = (t("bigint"), t("uuid"));
        assert_eq!(change(&b, &u).expression(), "c::text::uuid");
        let (s, i) = (t("text"), t("integer"));
        assert_eq!(change(&s, &i).expression(), "c::integer");
        let (i, b) = (t("integer"), t("bigint"));
        assert_eq!(change(&i, &b).expression(), "CAST(c AS bigint)");
    }

    #[test]
    fn casts_that_fail_on_every_row_or_before_any() {
        assert_eq!(failure("bigint", "uuid"), Failure::EveryRow);
        assert_eq!(failure("integer", "uuid"), Failure::EveryRow);
        assert_eq!(failure("boolean", "uuid"), Failure::EveryRow);
        assert_eq!(failure("date", "uuid"), Failure::EveryRow);
        assert_eq!(failure("uuid", "boolean"), Failure::EveryRow);
        assert_eq!(failure("timestamp with time zone", "jsonb"), Failure::EveryRow);
        assert_eq!(failure("integer", "date"), Failure::NoCast);
        assert_eq!(failure("date", "bigint"), Failure::NoCast);
        assert_eq!(failure("boolean", "bigint"), Failure::NoCast);
        assert_eq!(failure("uuid", "integer"), Failure::NoCast);
        // The one cast from boolean to a number.
        assert_eq!(failure("boolean", "integer"), Failure::Never);
        // A numeric of 32 digits prints as valid uuid input.
        assert!(matches!(failure("numeric", "uuid"), Failure::Some { offending: Some(_) }));
        // 0 and 1 are booleans.
        assert_eq!(offending("integer", "boolean").unwrap(), format!("c::text !~* '{BOOLEAN_INPUT}'"));
    }

    #[test]
    fn casts_that_may_fail_say_which_rows() {
        let int = offending("text", "integer").unwrap();
        assert!(int.contains(INTEGER_INPUT) && int.contains("NOT BETWEEN -2147483648 AND 2147483647"), "{int}");
        assert_eq!(offending("text", "uuid").unwrap(), format!("c !~ '{UUID_INPUT}'"));
        assert_eq!(offending("character varying(40)", "boolean").unwrap(), format!("c !~* '{BOOLEAN_INPUT}'"));
        // No exact condition for dates before pg_input_is_valid.
        assert_eq!(failure("text", "date"), Failure::Some { offending: None });
        let (s, d) = (t("text"), t("date"));
        let on_16 = TypeChange { version: Some(16), ..change(&s, &d) };
        assert_eq!(on_16.failure(), Failure::Some { offending: Some("NOT pg_input_is_valid(c, 'date')".into()) });
        assert_eq!(failure("json", "jsonb"), Failure::Some { offending: None });
        assert_eq!(failure("jsonb", "json"), Failure::Never);
        assert_eq!(failure("integer", "jsonb"), Failure::Never);
        assert_eq!(failure("character(10)", "integer"), Failure::Some { offending: None });
        assert_eq!(failure("integer", "text"), Failure::Never);
        assert_eq!(failure("text", "character varying"), Failure::Never);
        assert_eq!(failure("character varying(40)", "public.citext"), Failure::Never);
        assert_eq!(failure("text", "bytea"), Failure::Some { offending: None });
    }

    #[test]
    fn enums_are_checked_against_their_labels() {
        let (from, to) = (t("text"), t("public.mood"));
        let labels = ["happy".to_string(), "it's ok".to_string()];
        let c = TypeChange { user_type: true, labels: Some(&labels), ..change(&from, &to) };
        assert_eq!(c.expression(), "c::text::public.mood");
        assert_eq!(c.failure(), Failure::Some { offending: Some("c::text NOT IN ('happy', 'it''s ok')".into()) });
        let int = t("integer");
        let c = TypeChange { user_type: true, labels: Some(&labels), ..change(&int, &to) };
        assert_eq!(c.failure(), Failure::EveryRow);
        let numbered = ["1".to_string(), "2".to_string()];
        let c = TypeChange { user_type: true, labels: Some(&numbered), ..change(&int, &to) };
        assert!(matches!(c.failure(), Failure::Some { offending: Some(_) }));
    }

    #[test]
    fn narrowing_to_a_length() {
        let cut = |from: &str, to: &str| match failure(from, to) {
            Failure::Narrow { kind: Narrow::Length { max, cuts }, offending } => Some((max, cuts, offending)),
            _ => None,
        };
        assert_eq!(cut("character varying(20)", "character varying(10)"), Some((10, false, "char_length(rtrim(c, ' ')) > 10".into())));
        assert_eq!(cut("text", "character varying(10)").map(|c| c.0), Some(10));
        assert_eq!(cut("character varying", "character(2)").map(|c| c.0), Some(2));
        assert_eq!(cut("character varying(10)", "character varying(20)"), None);
        assert_eq!(cut("character varying(10)", "text"), None);
        // An explicit cast cuts rather than fails.
        assert_eq!(cut("timestamp with time zone", "character varying(10)"), Some((10, true, "char_length(c::text) > 10".into())));
        assert_eq!(cut("boolean", "character varying(3)").map(|c| c.1), Some(true));
        assert_eq!(cut("bigint", "character varying(20)"), None);
        assert_eq!(cut("uuid", "character varying(36)"), None);
    }

    #[test]
    fn narrowing_integers() {
        assert_eq!(offending("bigint", "integer").unwrap(), "c NOT BETWEEN -2147483648 AND 2147483647");
        assert_eq!(offending("integer", "smallint").unwrap(), "c NOT BETWEEN -32768 AND 32767");
        assert_eq!(failure("integer", "bigint"), Failure::Never);
        assert_eq!(failure("smallint", "integer"), Failure::Never);
        assert_eq!(offending("numeric(10,2)", "integer").unwrap(), "round(c) NOT BETWEEN -2147483648 AND 2147483647 OR c <> round(c)");
        assert_eq!(offending("double precision", "bigint").unwrap(), "round(c) NOT BETWEEN -9223372036854775808 AND 9223372036854775807 OR c <> round(c)");
        assert_eq!(failure("numeric(9,0)", "integer"), Failure::Never);
        assert!(matches!(failure("numeric(10,0)", "integer"), Failure::Narrow { kind: Narrow::Integer { rounds: false, .. }, .. }));
    }

    #[test]
    fn narrowing_numerics() {
        assert_eq!(offending("numeric(10,2)", "numeric(8,2)").unwrap(), "abs(round(c, 2)) >= 1e6");
        assert_eq!(offending("numeric(10,2)", "numeric(10,1)").unwrap(), "c <> round(c, 1)");
        // 99.999 rounds to 100.00, one digit too many for numeric(4,2).
        assert_eq!(offending("numeric(5,3)", "numeric(4,2)").unwrap(), "abs(round(c, 2)) >= 1e2 OR c <> round(c, 2)");
        assert_eq!(offending("numeric", "numeric(5,2)").unwrap(), "abs(round(c, 2)) >= 1e3 OR c <> round(c, 2)");
        assert_eq!(offending("bigint", "numeric(5,0)").unwrap(), "abs(c::numeric) >= 1e5");
        assert_eq!(failure("integer", "numeric(12,2)"), Failure::Never);
        assert_eq!(failure("numeric(10,2)", "numeric(12,2)"), Failure::Never);
        assert_eq!(failure("numeric(10,2)", "numeric(11,3)"), Failure::Never);
        assert_eq!(failure("real", "numeric(5,2)"), Failure::Some { offending: None });
        assert_eq!(failure("numeric(10,2)", "double precision"), Failure::Never);
    }

    #[test]
    fn time_zone_changes() {
        assert!(time_zone_change(&t("timestamp without time zone"), &t("timestamp with time zone")));
        assert!(time_zone_change(&t("timestamp(3) with time zone"), &t("timestamp without time zone")));
        assert!(!time_zone_change(&t("timestamp without time zone"), &t("date")));
        assert!(!time_zone_change(&t("timestamp with time zone"), &t("timestamp(3) with time zone")));
    }
}
