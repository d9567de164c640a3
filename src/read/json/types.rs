//! Column types as snapshots write them (`varchar` + `length`, `BIGINT`,
//! `timestamp`) turned into the model's canonical form, which for PostgreSQL
//! is what `format_type` prints.

use crate::model::{DataType, Dialect};

/// A snapshot type after normalization. `serial` means the type was one of
/// PostgreSQL's serial pseudo-types, which imply an auto-increment column.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotType {
    pub data_type: DataType,
    pub serial: bool,
}

/// Size modifiers given as separate keys next to `type`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Modifiers {
    pub length: Option<u64>,
    pub precision: Option<u64>,
    pub scale: Option<u64>,
}

/// Normalizes `raw` (a type name, possibly with its own modifiers and `[]`).
pub fn snapshot_type(raw: &str, modifiers: Modifiers, dialect: Dialect) -> Option<SnapshotType> {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let mut t = DataType::parse(&text)?;
    if t.args.is_empty() {
        if let Some(p) = modifiers.precision {
            t.args.push(p.to_string());
            if let Some(s) = modifiers.scale {
                t.args.push(s.to_string());
            }
        } else if let Some(n) = modifiers.length {
            t.args.push(n.to_string());
        }
    }
    if dialect != Dialect::Postgres {
        // Other dialects keep their own spelling for now; their readers own
        // the synonym tables.
        return Some(SnapshotType { data_type: t, serial: false });
    }
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
    Some(SnapshotType { data_type: t, serial })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(raw: &str, length: Option<u64>) -> String {
        let m = Modifiers { length, ..Modifiers::default() };
        snapshot_type(raw, m, Dialect::Postgres).unwrap().data_type.to_string()
    }

    #[test]
    fn postgres_spellings() {
        assert_eq!(pg("varchar", Some(255)), "character varying(255)");
        assert_eq!(pg("VARCHAR(20)", None), "character varying(20)");
        assert_eq!(pg("varchar", None), "character varying");
        assert_eq!(pg("char", None), "character(1)");
        assert_eq!(pg("BIGINT", None), "bigint");
        assert_eq!(pg("timestamp", None), "timestamp without time zone");
        assert_eq!(pg("timestamptz", None), "timestamp with time zone");
        assert_eq!(pg("timestamp(3) with time zone", None), "timestamp(3) with time zone");
        assert_eq!(pg("bool", None), "boolean");
        assert_eq!(pg("json", None), "json");
        assert_eq!(pg("text[]", None), "text[]");
        assert_eq!(pg("float(10)", None), "real");
        let m = Modifiers { precision: Some(10), scale: Some(2), ..Modifiers::default() };
        assert_eq!(snapshot_type("decimal", m, Dialect::Postgres).unwrap().data_type.to_string(), "numeric(10,2)");
        let s = snapshot_type("bigserial", Modifiers::default(), Dialect::Postgres).unwrap();
        assert!(s.serial);
        assert_eq!(s.data_type.to_string(), "bigint");
    }
}
