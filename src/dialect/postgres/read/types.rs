//! PostgreSQL data types: synonyms unified to the names `format_type` prints.

use crate::model::{DataType, quote_ident};

/// What a type name written in DDL really is.
pub struct ResolvedType {
    pub data_type: DataType,
    /// `serial`, `bigserial`, `smallserial`: the column also gets a sequence
    /// and a `nextval` default (PostgreSQL manual, 8.1.4 Serial Types).
    pub serial: bool,
}

/// Normalizes a type as sqlparser prints it (`INT4`, `VARCHAR(20)[]`,
/// `TIMESTAMP(3) WITH TIME ZONE`, `public."Mood"`). `default_schema` qualifies
/// user-defined types the way pg_dump prints them.
pub fn resolve(written: &str, default_schema: &str) -> ResolvedType {
    let mut rest = written.trim();
    let mut array_dims = 0u8;
    loop {
        if let Some(r) = rest.strip_suffix(']') {
            // `[]` or `[3]`: PostgreSQL ignores declared array sizes.
            if let Some(open) = r.rfind('[') {
                rest = r[..open].trim_end();
                array_dims += 1;
                continue;
            }
        }
        let upper = rest.to_ascii_uppercase();
        if upper.ends_with(" ARRAY") {
            rest = rest[..rest.len() - 6].trim_end();
            array_dims += 1;
            continue;
        }
        break;
    }
    let (base, args) = split_args(rest);
    let mut serial = false;
    let (name, args) = if is_user_type(&base) {
        (qualify_user_type(&base, default_schema), args)
    } else {
        let lower = base.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
        let lower = lower.strip_prefix("pg_catalog.").unwrap_or(&lower);
        let (name, args): (&str, Vec<String>) = match lower {
            "int" | "int4" | "integer" => ("integer", vec![]),
            "int2" | "smallint" => ("smallint", vec![]),
            "int8" | "bigint" => ("bigint", vec![]),
            "serial" | "serial4" => {
                serial = true;
                ("integer", vec![])
            }
            "bigserial" | "serial8" => {
                serial = true;
                ("bigint", vec![])
            }
            "smallserial" | "serial2" => {
                serial = true;
                ("smallint", vec![])
            }
            "float4" | "real" => ("real", vec![]),
            "float8" | "double precision" => ("double precision", vec![]),
            // float(p): 1..24 is real, 25..53 double precision (manual 8.1.3).
            "float" => match args.first().and_then(|p| p.parse::<u32>().ok()) {
                Some(p) if p <= 24 => ("real", vec![]),
                _ => ("double precision", vec![]),
            },
            "decimal" | "numeric" | "dec" => ("numeric", args),
            "bool" | "boolean" => ("boolean", vec![]),
            "varchar" | "character varying" | "char varying" => ("character varying", args),
            // char without a length is char(1); bpchar without one is unbounded.
            "char" | "character" => ("character", if args.is_empty() { vec!["1".into()] } else { args }),
            "bpchar" => if args.is_empty() { ("bpchar", vec![]) } else { ("character", args) },
            "nchar" | "national character" | "national char" => ("character", if args.is_empty() { vec!["1".into()] } else { args }),
            "nvarchar" | "national character varying" => ("character varying", args),
            "timestamp" | "timestamp without time zone" => ("timestamp without time zone", args),
            "timestamptz" | "timestamp with time zone" => ("timestamp with time zone", args),
            "time" | "time without time zone" => ("time without time zone", args),
            "timetz" | "time with time zone" => ("time with time zone", args),
            "varbit" | "bit varying" => ("bit varying", args),
            "bit" => ("bit", if args.is_empty() { vec!["1".into()] } else { args }),
            "\"char\"" => ("\"char\"", vec![]),
            other => {
                // A built-in type (or a type qualified with pg_catalog) keeps its
                // name; the list below covers the types `format_type` prints bare.
                return ResolvedType {
                    data_type: DataType { name: other.to_string(), args: normalize_args(&args), array_dims: array_dims.min(1) },
                    serial: false,
                };
            }
        };
        (name.to_string(), args)
    };
    // PostgreSQL does not enforce or record the number of dimensions:
    // `integer[][]` is `integer[]` in the catalog.
    ResolvedType { data_type: DataType { name, args: normalize_args(&args), array_dims: array_dims.min(1) }, serial }
}

fn normalize_args(args: &[String]) -> Vec<String> {
    args.iter().map(|a| a.split_whitespace().collect::<Vec<_>>().join(" ")).collect()
}

/// Splits `numeric(10, 2)` into `numeric` and `["10", "2"]`, and
/// `timestamp(3) with time zone` into `timestamp with time zone` and `["3"]`.
fn split_args(text: &str) -> (String, Vec<String>) {
    let Some(open) = find_unquoted(text, '(') else { return (text.to_string(), vec![]) };
    let Some(close) = text.rfind(')') else { return (text.to_string(), vec![]) };
    let inside = &text[open + 1..close];
    let args = inside.split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
    let name = format!("{} {}", text[..open].trim(), text[close + 1..].trim());
    (name.trim().to_string(), args)
}

fn find_unquoted(text: &str, needle: char) -> Option<usize> {
    crate::lex::code(text, crate::dialect::postgres::SYNTAX).find(|&(_, c, _)| c == needle).map(|(i, _, _)| i)
}

/// Types `format_type` prints without a schema (pg_catalog's, by their SQL names).
const BUILTIN: &[&str] = &[
    "aclitem", "bigint", "bigserial", "bit", "bit varying", "bool", "boolean", "box", "bpchar", "bytea", "char",
    "character", "character varying", "char varying", "cid", "cidr", "circle", "date", "datemultirange", "daterange", "dec",
    "decimal", "double precision", "float", "float4", "float8", "gtsvector", "inet", "int", "int2", "int4",
    "int4multirange", "int4range", "int8", "int8multirange", "int8range", "integer", "interval", "json", "jsonb",
    "jsonpath", "line", "lseg", "macaddr", "macaddr8", "money", "name", "national char", "national character",
    "national character varying", "nchar", "numeric", "nummultirange", "numrange", "nvarchar", "oid", "path", "pg_lsn",
    "pg_snapshot", "point", "polygon", "real", "record", "refcursor", "regclass", "regcollation", "regconfig",
    "regdictionary", "regnamespace", "regoper", "regoperator", "regproc", "regprocedure", "regrole", "regtype",
    "serial", "serial2", "serial4", "serial8", "smallint", "smallserial", "text", "tid", "time",
    "time with time zone", "time without time zone", "timestamp", "timestamp with time zone",
    "timestamp without time zone", "timestamptz", "timetz", "tsmultirange", "tsquery", "tsrange", "tstzmultirange",
    "tstzrange", "tsvector", "txid_snapshot", "uuid", "varbit", "varchar", "void", "trigger", "event_trigger",
    "anyelement", "anyarray", "anynonarray", "anyenum", "anyrange", "anymultirange", "anycompatible",
    "anycompatiblearray", "cstring", "internal", "language_handler", "fdw_handler", "index_am_handler",
    "tsm_handler", "table_am_handler", "xid", "xid8", "xml", "unknown",
];

fn is_user_type(base: &str) -> bool {
    if base.starts_with("\"char\"") {
        return false;
    }
    let lower = base.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    if lower.starts_with("pg_catalog.") {
        return false;
    }
    if base.contains('"') || base.contains('.') {
        return true;
    }
    // Interval with fields (`interval day to second`) is built in.
    if lower.starts_with("interval") {
        return false;
    }
    !BUILTIN.contains(&lower.as_str())
}

/// `mood` → `public.mood`; `"My Type"` → `public."My Type"`; `app.Mood` → `app.mood`.
fn qualify_user_type(base: &str, default_schema: &str) -> String {
    let parts = crate::model::name_parts_folded(base);
    match parts.as_slice() {
        [name] => format!("{}.{}", quote_ident(default_schema), quote_ident(name)),
        [.., schema, name] => format!("{}.{}", quote_ident(schema), quote_ident(name)),
        [] => base.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> String {
        resolve(s, "public").data_type.to_string()
    }

    #[test]
    fn synonyms_are_unified() {
        assert_eq!(t("INT4"), "integer");
        assert_eq!(t("int"), "integer");
        assert_eq!(t("VARCHAR(255)"), "character varying(255)");
        assert_eq!(t("CHARACTER VARYING(255)"), "character varying(255)");
        assert_eq!(t("TIMESTAMPTZ"), "timestamp with time zone");
        assert_eq!(t("TIMESTAMP(3) WITH TIME ZONE"), "timestamp(3) with time zone");
        assert_eq!(t("timestamp"), "timestamp without time zone");
        assert_eq!(t("NUMERIC(10, 2)"), "numeric(10,2)");
        assert_eq!(t("DECIMAL(10,2)"), "numeric(10,2)");
        assert_eq!(t("char"), "character(1)");
        assert_eq!(t("FLOAT"), "double precision");
        assert_eq!(t("float(10)"), "real");
        assert_eq!(t("TEXT[]"), "text[]");
        assert_eq!(t("integer[3][]"), "integer[]");
        assert_eq!(t("int ARRAY"), "integer[]");
        assert_eq!(t("bool"), "boolean");
    }

    #[test]
    fn user_types_are_qualified() {
        assert_eq!(t("mood"), "public.mood");
        assert_eq!(t("Mood"), "public.mood");
        assert_eq!(t("\"Mood\""), "public.\"Mood\"");
        assert_eq!(t("app.addr[]"), "app.addr[]");
        assert_eq!(t("citext"), "public.citext");
        assert_eq!(t("pg_catalog.int4"), "integer");
        assert_eq!(t("tsvector"), "tsvector");
        assert_eq!(t("interval day to second"), "interval day to second");
    }

    #[test]
    fn serial_types_expand() {
        let r = resolve("bigserial", "public");
        assert!(r.serial);
        assert_eq!(r.data_type.to_string(), "bigint");
        assert!(resolve("SERIAL", "public").serial);
        assert!(!resolve("integer", "public").serial);
    }
}
