//! Qualified names and identifier quoting.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A schema-qualified object name, already case-folded by the dialect's rules.
/// `schema` is empty in dialects without namespaces (SQLite, MySQL's current database).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct QName {
    pub schema: String,
    pub name: String,
}

impl QName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> QName {
        QName { schema: schema.into(), name: name.into() }
    }

    /// Parses the text produced by `Display`: `name`, `schema.name`, either
    /// part double-quoted with `""` for an embedded quote.
    pub fn parse(text: &str) -> Option<QName> {
        let parts = split_qualified(text)?;
        match parts.as_slice() {
            [name] => Some(QName::new("", name.clone())),
            [schema, name] => Some(QName::new(schema.clone(), name.clone())),
            _ => None,
        }
    }
}

impl fmt::Display for QName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.schema.is_empty() {
            write!(f, "{}.", quote_ident(&self.schema))?;
        }
        f.write_str(&quote_ident(&self.name))
    }
}

impl Serialize for QName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for QName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<QName, D::Error> {
        let text = String::deserialize(d)?;
        QName::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("not a qualified name: {text:?}")))
    }
}

/// Splits `a."b.c".d` into its parts, undoing double-quote escaping.
pub(crate) fn split_qualified(text: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        let mut part = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        part.push('"');
                    }
                    '"' => break,
                    c => part.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                part.push(c);
                chars.next();
            }
            if part.is_empty() {
                return None;
            }
        }
        parts.push(part);
        match chars.next() {
            None => return Some(parts),
            Some('.') => continue,
            Some(_) => return None,
        }
    }
}

/// Quotes an identifier for PostgreSQL (and standard SQL) when it would not
/// survive unquoted: anything but lower-case letters, digits, `_` and `$`,
/// a leading digit or `$`, or a reserved key word.
pub fn quote_ident(ident: &str) -> String {
    let plain = !ident.is_empty()
        && ident.chars().enumerate().all(|(i, c)| {
            c.is_ascii_lowercase() || c == '_' || (i > 0 && (c.is_ascii_digit() || c == '$'))
        })
        && !is_reserved(ident);
    if plain { ident.to_string() } else { format!("\"{}\"", ident.replace('"', "\"\"")) }
}

/// A string literal with `'` doubled (standard_conforming_strings = on).
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// PostgreSQL's key words that cannot be used as a bare column or table name:
/// the "reserved" and "reserved (can be function or type)" entries of
/// Appendix C of the PostgreSQL 15 manual, plus the non-reserved ones that
/// cannot be column names.
fn is_reserved(word: &str) -> bool {
    const RESERVED: &[&str] = &[
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
        "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character",
        "check", "coalesce", "collate", "collation", "column", "concurrently", "constraint", "create",
        "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
        "current_timestamp", "current_user", "dec", "decimal", "default", "deferrable", "desc",
        "distinct", "do", "else", "end", "except", "exists", "extract", "false", "fetch", "float",
        "for", "foreign", "freeze", "from", "full", "grant", "greatest", "group", "grouping", "having",
        "ilike", "in", "initially", "inner", "inout", "int", "integer", "intersect", "interval", "into",
        "is", "isnull", "join", "lateral", "leading", "least", "left", "like", "limit", "localtime",
        "localtimestamp", "national", "natural", "nchar", "none", "normalize", "not", "notnull", "null",
        "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer", "overlaps",
        "overlay", "placing", "position", "precision", "primary", "real", "references", "returning",
        "right", "row", "select", "session_user", "setof", "similar", "smallint", "some", "substring",
        "symmetric", "system_user", "table", "tablesample", "then", "time", "timestamp", "to",
        "trailing", "treat", "trim", "true", "union", "unique", "user", "using", "values", "varchar",
        "variadic", "verbose", "when", "where", "window", "with", "xmlattributes", "xmlconcat",
        "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot",
        "xmlserialize", "xmltable",
    ];
    RESERVED.binary_search(&word).is_ok()
}

/// Splits a dotted name as written in SQL and folds unquoted parts to lower
/// case (PostgreSQL's rule). Used for type names that arrive as text.
pub fn name_parts_folded(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut chars = text.trim().chars().peekable();
    while chars.peek().is_some() {
        let mut part = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        part.push('"');
                    } else {
                        break;
                    }
                } else {
                    part.push(c);
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                part.extend(c.to_lowercase());
                chars.next();
            }
            part = part.trim().to_string();
        }
        parts.push(part);
        if chars.peek() == Some(&'.') {
            chars.next();
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_list_is_sorted_for_binary_search() {
        // is_reserved relies on binary search; an unsorted list would miss words.
        for w in ["select", "user", "order", "table", "from", "all", "xmltable"] {
            assert!(is_reserved(w), "{w}");
        }
        assert!(!is_reserved("users"));
    }

    #[test]
    fn quoting() {
        assert_eq!(quote_ident("users"), "users");
        assert_eq!(quote_ident("Users"), "\"Users\"");
        assert_eq!(quote_ident("order"), "\"order\"");
        assert_eq!(quote_ident("a b"), "\"a b\"");
        assert_eq!(quote_ident("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(quote_ident("1st"), "\"1st\"");
        assert_eq!(quote_ident("col$1"), "col$1");
    }

    #[test]
    fn qualified_names_round_trip_through_text() {
        for q in [
            QName::new("public", "users"),
            QName::new("My Schema", "we\"ird.name"),
            QName::new("", "select"),
        ] {
            assert_eq!(QName::parse(&q.to_string()), Some(q.clone()), "{q}");
        }
        assert_eq!(QName::parse("a.b.c"), None);
        assert_eq!(QName::parse("\"unterminated"), None);
    }
}

