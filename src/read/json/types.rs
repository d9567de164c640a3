//! Column types as snapshots write them (`varchar` + `length`, `BIGINT`,
//! `timestamp`) turned into the model's canonical form: the modifiers given
//! as keys joined to the type here, the spelling the dialect's
//! ([`crate::dialect::snapshot_type`]).

use crate::model::{DataType, Dialect};

/// A snapshot type after normalization. `serial` means the type was one of
/// the dialect's serial pseudo-types, which imply an auto-increment column.
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
    let (data_type, serial) = crate::dialect::snapshot_type(dialect, t);
    Some(SnapshotType { data_type, serial })
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
