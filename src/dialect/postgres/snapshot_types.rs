//! The spellings of JSON snapshots' column types (`varchar`, `int4`,
//! MySQL's `datetime` and `longtext`) as PostgreSQL's `format_type` prints
//! them, which is the model's canonical form for PostgreSQL.

use crate::model::DataType;

/// `t` in canonical spelling, and whether it was a serial pseudo-type.
pub fn canonical(mut t: DataType) -> (DataType, bool) {
    let mut serial = false;
    let name = match t.name.as_str() {
        "varchar" | "char varying" => "character varying",
        "char" | "character" => {
            // `char` without a length is char(1) in PostgreSQL.
            if t.args.is_empty() {
                t.args.push("1".into());
            }
            "character"
        }
        // Bare `bpchar` is blank-padded text of any length and prints as itself.
        "bpchar" if !t.args.is_empty() => "character",
        "int" | "int4" | "integer" | "mediumint" => "integer",
        "int8" | "bigint" => "bigint",
        "int2" | "smallint" | "tinyint" => "smallint",
        "serial" | "serial4" => {
            serial = true;
            "integer"
        }
        "bigserial" | "serial8" => {
            serial = true;
            "bigint"
        }
        "smallserial" | "serial2" => {
            serial = true;
            "smallint"
        }
        "bool" | "boolean" => "boolean",
        "float4" | "real" => "real",
        "float8" | "double" | "double precision" => "double precision",
        // float(p): 1..24 is real, 25..53 double precision; the modifier goes away.
        "float" => {
            let p: u32 = t.args.first().and_then(|a| a.parse().ok()).unwrap_or(53);
            t.args.clear();
            if p <= 24 { "real" } else { "double precision" }
        }
        "decimal" | "numeric" => "numeric",
        "timestamp" | "timestamp without time zone" | "datetime" => "timestamp without time zone",
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone",
        "time" | "time without time zone" => "time without time zone",
        "timetz" | "time with time zone" => "time with time zone",
        "varbit" | "bit varying" => "bit varying",
        "bit" => {
            if t.args.is_empty() {
                t.args.push("1".into());
            }
            "bit"
        }
        "tinytext" | "mediumtext" | "longtext" => "text",
        other => other,
    }
    .to_string();
    t.name = name;
    (t, serial)
}
