//! Type names in casts, spelled the way PostgreSQL's `format_type` prints
//! them, so that `x::int4`, `x::integer` and `CAST(x AS int)` agree.

use super::expr::fold as fold_ident;
use crate::model::quote_ident;
use sqlparser::ast::{
    ArrayElemTypeDef, CharacterLength, DataType, ExactNumberInfo, ObjectName, ObjectNamePart, TimezoneInfo,
};

/// The canonical PostgreSQL spelling of `dt`: synonyms unified (`int4` →
/// `integer`, `varchar(n)` → `character varying(n)`, `timestamptz` →
/// `timestamp with time zone`, `float` → `double precision`), lower case,
/// `pg_catalog.` and `public.` dropped, user-defined names folded and quoted
/// only when needed. The spelling matches [`crate::model::DataType`]'s
/// display.
pub fn canonical_type_name(dt: &DataType) -> String {
    canonical_type(dt, "public")
}

/// As [`canonical_type_name`], also dropping `default_schema.` from
/// user-defined type names (pg_dump qualifies `public.mood`).
pub(super) fn canonical_type(dt: &DataType, default_schema: &str) -> String {
    use DataType as D;
    match dt {
        // `char` without a length is `char(1)` in PostgreSQL, in casts too.
        D::Character(len) | D::Char(len) => {
            format!("character({})", len.as_ref().map_or("1".to_string(), char_len))
        }
        D::CharacterVarying(len) | D::CharVarying(len) | D::Varchar(len) => match len {
            Some(l) => format!("character varying({})", char_len(l)),
            None => "character varying".to_string(),
        },
        D::Numeric(info) | D::Decimal(info) | D::Dec(info) => with_number_info("numeric", info),
        // PostgreSQL maps float(1..24) to real and float(25..53) or no
        // precision to double precision.
        D::Float(ExactNumberInfo::Precision(p)) if *p <= 24 => "real".to_string(),
        D::Float(_) | D::Float8 | D::Float64 | D::DoublePrecision | D::Double(ExactNumberInfo::None) => {
            "double precision".to_string()
        }
        D::Real | D::Float4 | D::Float32 => "real".to_string(),
        D::SmallInt(_) | D::Int2(_) => "smallint".to_string(),
        D::Int(_) | D::Int4(_) | D::Integer(_) => "integer".to_string(),
        D::BigInt(_) | D::Int8(_) => "bigint".to_string(),
        D::Bool | D::Boolean => "boolean".to_string(),
        D::Text => "text".to_string(),
        D::Uuid => "uuid".to_string(),
        D::Bytea => "bytea".to_string(),
        D::JSON => "json".to_string(),
        D::JSONB => "jsonb".to_string(),
        D::Regclass => "regclass".to_string(),
        D::Date => "date".to_string(),
        D::TsVector => "tsvector".to_string(),
        D::TsQuery => "tsquery".to_string(),
        D::Time(precision, tz) => time_type("time", *precision, tz),
        D::Timestamp(precision, tz) => time_type("timestamp", *precision, tz),
        // `bit` without a length is `bit(1)`, like `char`.
        D::Bit(len) => format!("bit({})", len.unwrap_or(1)),
        D::BitVarying(len) | D::VarBit(len) => match len {
            Some(n) => format!("bit varying({n})"),
            None => "bit varying".to_string(),
        },
        D::Interval { .. } => dt.to_string().to_lowercase(),
        D::Array(elem) => match elem {
            ArrayElemTypeDef::SquareBracket(inner, _)
            | ArrayElemTypeDef::AngleBracket(inner)
            | ArrayElemTypeDef::Parenthesis(inner)
            | ArrayElemTypeDef::Qualified(inner, _) => format!("{}[]", canonical_type(inner, default_schema)),
            ArrayElemTypeDef::None => dt.to_string().to_lowercase(),
        },
        D::Custom(name, modifiers) => custom_type(name, modifiers, default_schema),
        // Everything else is another dialect's type that PostgreSQL does not
        // know under that spelling; listing the ~100 variants one by one
        // would add nothing, so they keep sqlparser's spelling, lower-cased.
        _ => dt.to_string().to_lowercase(),
    }
}

fn char_len(len: &CharacterLength) -> String {
    match len {
        CharacterLength::IntegerLength { length, .. } => length.to_string(),
        CharacterLength::Max => "max".to_string(),
    }
}

fn with_number_info(name: &str, info: &ExactNumberInfo) -> String {
    match info {
        ExactNumberInfo::None => name.to_string(),
        ExactNumberInfo::Precision(p) => format!("{name}({p})"),
        ExactNumberInfo::PrecisionAndScale(p, s) => format!("{name}({p},{s})"),
    }
}

/// `timestamp(3) with time zone`: PostgreSQL puts the precision after the
/// first word.
fn time_type(base: &str, precision: Option<u64>, tz: &TimezoneInfo) -> String {
    let precision = precision.map(|p| format!("({p})")).unwrap_or_default();
    let zone = match tz {
        TimezoneInfo::WithTimeZone | TimezoneInfo::Tz => "with time zone",
        TimezoneInfo::None | TimezoneInfo::WithoutTimeZone => "without time zone",
    };
    format!("{base}{precision} {zone}")
}

/// Names sqlparser does not know as types: PostgreSQL's internal spellings
/// (`int4`, `bpchar`, `timestamptz`, …) and user-defined types.
fn custom_type(name: &ObjectName, modifiers: &[String], default_schema: &str) -> String {
    let mut parts: Vec<(String, bool)> = name
        .0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => (fold_ident(ident), ident.quote_style.is_some()),
            ObjectNamePart::Function(_) => (part.to_string(), true),
        })
        .collect();
    if parts.len() == 2 && (parts[0].0 == "pg_catalog" || parts[0].0 == default_schema) {
        parts.remove(0);
    }
    let modifiers: Vec<String> = modifiers.iter().map(|m| m.trim().to_string()).collect();
    if let [(single, false)] = parts.as_slice()
        && let Some(known) = internal_name(single, &modifiers)
    {
        return known;
    }
    let mut text = parts.iter().map(|(p, _)| quote_ident(p)).collect::<Vec<_>>().join(".");
    if !modifiers.is_empty() {
        text.push_str(&format!("({})", modifiers.join(",")));
    }
    text
}

/// PostgreSQL's internal type names and their `format_type` spelling.
/// `bpchar` without a length stays `bpchar`: that is how PostgreSQL prints a
/// cast to blank-padded char of unspecified length, which differs from
/// `character(1)`.
fn internal_name(name: &str, modifiers: &[String]) -> Option<String> {
    let args = if modifiers.is_empty() { String::new() } else { format!("({})", modifiers.join(",")) };
    let text = match name {
        "int2" => "smallint".to_string(),
        "int4" | "int" => "integer".to_string(),
        "int8" => "bigint".to_string(),
        "float4" => "real".to_string(),
        "float8" => "double precision".to_string(),
        "bool" => "boolean".to_string(),
        "decimal" | "numeric" => format!("numeric{args}"),
        "varchar" => format!("character varying{args}"),
        "bpchar" if modifiers.is_empty() => "bpchar".to_string(),
        "bpchar" | "char" | "character" => format!("character{}", if args.is_empty() { "(1)" } else { &args }),
        "timestamptz" => format!("timestamp{args} with time zone"),
        "timetz" => format!("time{args} with time zone"),
        "varbit" => format!("bit varying{args}"),
        _ => return None,
    };
    Some(text)
}
