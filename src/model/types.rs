//! Column data types in canonical form.

use crate::lex::{self, Syntax};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A data type as the database itself would print it (PostgreSQL's
/// `format_type`): synonyms already unified (`int4` → `integer`,
/// `varchar` → `character varying`, `timestamptz` → `timestamp with time zone`).
///
/// `name` is the type without its modifiers, `args` the modifiers
/// (`numeric(10,2)` → `["10", "2"]`), `array_dims` the number of `[]`.
/// User-defined types keep their (quoted when needed) qualified name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DataType {
    pub name: String,
    pub args: Vec<String>,
    pub array_dims: u8,
}

impl DataType {
    pub fn simple(name: impl Into<String>) -> DataType {
        DataType { name: name.into(), args: Vec::new(), array_dims: 0 }
    }
    pub fn with_args(name: impl Into<String>, args: Vec<String>) -> DataType {
        DataType { name: name.into(), args, array_dims: 0 }
    }
    /// The element type of an array type (itself for a scalar).
    pub fn element(&self) -> DataType {
        DataType { array_dims: 0, ..self.clone() }
    }

    /// Parses the text produced by `Display`.
    pub fn parse(text: &str) -> Option<DataType> {
        let mut rest = text.trim();
        let mut array_dims = 0u8;
        while let Some(r) = rest.strip_suffix("[]") {
            rest = r.trim_end();
            array_dims += 1;
        }
        // The first parenthesis outside quotes: a user-defined type's quoted
        // name may hold one.
        let open = lex::code(rest, Syntax::STANDARD).find(|&(_, c, _)| c == '(').map(|(i, _, _)| i);
        let (name, args) = match open {
            Some(open) => {
                let close = lex::closing_bracket(rest, open, Syntax::STANDARD)?;
                let args = lex::split_top_level(&rest[open + 1..close], Syntax::STANDARD);
                let name = format!("{} {}", rest[..open].trim(), rest[close + 1..].trim());
                (name.trim().to_string(), args)
            }
            None => (rest.to_string(), Vec::new()),
        };
        if name.is_empty() {
            return None;
        }
        Some(DataType { name, args, array_dims })
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args = if self.args.is_empty() { String::new() } else { format!("({})", self.args.join(",")) };
        // PostgreSQL prints the precision of time types after the first word:
        // `timestamp(3) with time zone`, `time(0) without time zone`.
        match self.name.split_once(' ') {
            Some((first @ ("timestamp" | "time"), rest)) if !args.is_empty() => write!(f, "{first}{args} {rest}")?,
            _ => write!(f, "{}{}", self.name, args)?,
        }
        for _ in 0..self.array_dims {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

impl Serialize for DataType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DataType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DataType, D::Error> {
        let text = String::deserialize(d)?;
        DataType::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("not a data type: {text:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_are_inverse() {
        for text in [
            "integer",
            "character varying(255)",
            "numeric(10,2)",
            "timestamp(3) with time zone",
            "timestamp with time zone",
            "text[]",
            "integer[][]",
            "public.mood",
            "\"My Schema\".\"Weird Type\"[]",
            "enum('a','b,c')",
            "\"odd(type\"(1)",
        ] {
            let t = DataType::parse(text).unwrap();
            assert_eq!(t.to_string(), text);
        }
        let t = DataType::parse("timestamp(3) with time zone").unwrap();
        assert_eq!(t.name, "timestamp with time zone");
        assert_eq!(t.args, vec!["3"]);
        assert_eq!(DataType::parse("enum('a','b,c')").unwrap().args, vec!["'a'", "'b,c'"]);
        assert_eq!(DataType::parse("enum('a)','it''s')").unwrap().args, vec!["'a)'", "'it''s'"]);
        let t = DataType::parse("\"odd(type\"(1)").unwrap();
        assert_eq!((t.name.as_str(), t.args.as_slice()), ("\"odd(type\"", ["1".to_string()].as_slice()));
        assert_eq!(DataType::parse("numeric(10,2"), None);
    }
}
