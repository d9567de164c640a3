//! The names PostgreSQL generates for objects created without one, so that a
//! schema that leaves names implicit and a pg_dump of it (which spells every
//! name out) give the same model. Rules from PostgreSQL's
//! `src/backend/commands/indexcmds.c` (ChooseRelationName, ChooseIndexName)
//! and `catalog/pg_constraint.c` (ChooseConstraintName), as documented
//! behaviour: `<table>_pkey`, `<table>_<cols>_key`, `<table>_<cols>_fkey`,
//! `<table>_<col>_check`, `<table>_<cols>_idx`, `<table>_<col>_seq`, with a
//! number appended on collision and parts truncated to fit 63 bytes.

use crate::model::{QName, Schema};

/// PostgreSQL's NAMEDATALEN − 1: the longest identifier, in bytes.
const MAX_IDENT: usize = 63;

/// `name1_name2_label`, shortening the longer of name1/name2 first until the
/// whole fits in 63 bytes (makeObjectName).
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = name2.map_or(0, |_| 1) + if label.is_empty() { 0 } else { label.len() + 1 };
    let avail = MAX_IDENT.saturating_sub(overhead);
    let mut n1 = name1.len();
    let mut n2 = name2.map_or(0, str::len);
    while n1 + n2 > avail {
        if n1 > n2 { n1 -= 1 } else { n2 -= 1 }
    }
    let mut out = clip(name1, n1).to_string();
    if let Some(name2) = name2 {
        out.push('_');
        out.push_str(clip(name2, n2));
    }
    if !label.is_empty() {
        out.push('_');
        out.push_str(label);
    }
    out
}

/// Cuts at a character boundary at or below `len` bytes (pg_mbcliplen).
fn clip(s: &str, mut len: usize) -> &str {
    while !s.is_char_boundary(len) {
        len -= 1;
    }
    &s[..len]
}

/// Column names joined by `_`, stopping once past NAMEDATALEN
/// (ChooseIndexNameAddition / ChooseForeignKeyConstraintNameAddition).
pub fn name_addition<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut buf = String::new();
    for name in names {
        if !buf.is_empty() {
            buf.push('_');
        }
        buf.push_str(clip(name, name.len().min(MAX_IDENT)));
        if buf.len() > MAX_IDENT {
            break;
        }
    }
    buf
}

/// Answers whether a name is taken in a namespace.
pub trait NameLookup {
    fn relation_exists(&self, name: &QName) -> bool;
    fn constraint_exists(&self, schema: &str, name: &str) -> bool;
}

/// By scanning the model: fine once, too slow per statement of a large schema.
impl NameLookup for Schema {
    fn relation_exists(&self, name: &QName) -> bool {
        Schema::relation_exists(self, name)
    }
    fn constraint_exists(&self, schema: &str, name: &str) -> bool {
        self.find_constraint(schema, name).is_some()
    }
}

/// A relation name (table, index, sequence) free in `schema`: tries the plain
/// name, then label1, label2, … (ChooseRelationName).
pub fn choose_relation_name(model: &impl NameLookup, schema: &str, name1: &str, name2: Option<&str>, label: &str) -> String {
    choose(name1, name2, label, |candidate| model.relation_exists(&QName::new(schema, candidate)))
}

/// A constraint name free among the constraints of `schema` (ChooseConstraintName).
/// Index-backed constraints also need a free relation name.
pub fn choose_constraint_name(
    model: &impl NameLookup,
    schema: &str,
    name1: &str,
    name2: Option<&str>,
    label: &str,
    taken: &[String],
) -> String {
    choose(name1, name2, label, |candidate| {
        taken.iter().any(|t| t == candidate)
            || model.constraint_exists(schema, candidate)
            || model.relation_exists(&QName::new(schema, candidate))
    })
}

fn choose(name1: &str, name2: Option<&str>, label: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut pass = 0;
    let mut modlabel = label.to_string();
    loop {
        let candidate = make_object_name(name1, name2, &modlabel);
        if !taken(&candidate) {
            return candidate;
        }
        pass += 1;
        modlabel = format!("{label}{pass}");
    }
}

/// [`choose`] over the names a snapshot has used so far, which the chosen
/// name joins.
pub fn choose_name(name1: &str, name2: Option<&str>, label: &str, taken: &mut std::collections::HashSet<String>) -> String {
    let name = choose(name1, name2, label, |n| taken.contains(n));
    taken.insert(name.clone());
    name
}

/// The columns of `columns` that a CHECK expression mentions, in order of
/// first mention. PostgreSQL names an unnamed CHECK after its column when it
/// references exactly one (`t_col_check`), else `t_check`.
///
/// A token scan rather than a parse: string literals and quoted identifiers
/// are honoured, words followed by `(` are function names and words after
/// `::` are type names. Good enough for the constraint expressions snapshots
/// contain; the expression canonicalizer can replace it later.
pub fn referenced_columns(expr: &str, columns: &[String]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut i = 0;
    let mut after_cast = false;
    while let Some(c) = expr[i..].chars().next() {
        let word = if let Some(q) = crate::lex::quoted_at(expr, i, crate::dialect::postgres::SYNTAX) {
            let start = i;
            i = q.end;
            if q.quote != crate::lex::Quote::Identifier {
                after_cast = false;
                continue;
            }
            // Without the closing quote; an unterminated one loses its last character.
            let inner = &expr[start + 1..q.end];
            let inner = match q.closed {
                true => &inner[..inner.len() - 1],
                false => inner.char_indices().last().map_or(inner, |(k, _)| &inner[..k]),
            };
            inner.replace("\"\"", "\"")
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            i = expr[i..].find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')).map_or(expr.len(), |n| i + n);
            // PostgreSQL folds unquoted identifiers to lower case in ASCII only.
            expr[start..i].to_ascii_lowercase()
        } else if c.is_ascii_digit() {
            i = expr[i..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '.')).map_or(expr.len(), |n| i + n);
            after_cast = false;
            continue;
        } else {
            after_cast = c == ':' && expr[i + 1..].starts_with(':');
            i += if after_cast { 2 } else { c.len_utf8() };
            continue;
        };
        let next = expr[i..].chars().find(|c| !c.is_whitespace());
        let is_type = std::mem::take(&mut after_cast);
        if !is_type && next != Some('(') && columns.contains(&word) && !found.contains(&word) {
            found.push(word);
        }
    }
    found
}

/// Index column names for the name addition: the column, or for an
/// expression the function's name, else `expr`; repeated names get a number
/// (ChooseIndexColumnNames).
pub fn index_column_names(keys: &[(String, bool)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (text, is_expr) in keys {
        let base = if *is_expr { expression_name(text) } else { text.clone() };
        let mut name = base.clone();
        let mut i = 0;
        while out.contains(&name) {
            i += 1;
            name = format!("{base}{i}");
        }
        out.push(name);
    }
    out
}

/// FigureColname for an index expression: a function call is named after the function.
fn expression_name(expr: &str) -> String {
    let head: String = expr.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.' || *c == '"').collect();
    let rest = &expr[head.len()..];
    if !head.is_empty() && rest.trim_start().starts_with('(') {
        let last = head.rsplit('.').next().unwrap_or(&head);
        last.trim_matches('"').to_string()
    } else {
        "expr".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_chosen_for_a_snapshot() {
        let mut taken = std::collections::HashSet::new();
        assert_eq!(choose_name("t", None, "check", &mut taken), "t_check");
        assert_eq!(choose_name("t", None, "check", &mut taken), "t_check1");
        assert_eq!(choose_name("t", None, "check", &mut taken), "t_check2");
        let name = choose_name(&"a".repeat(70), Some("id"), "seq", &mut taken);
        assert_eq!((name.len(), name.ends_with("_id_seq")), (63, true));
    }

    #[test]
    fn finds_columns_in_checks() {
        let cols: Vec<String> = ["email", "phone", "length", "text", "Mixed"].iter().map(|s| s.to_string()).collect();
        assert_eq!(referenced_columns("email LIKE '%@%'", &cols), vec!["email"]);
        assert_eq!(referenced_columns("phone IS NULL OR LENGTH(phone) >= 10", &cols), vec!["phone"]);
        assert_eq!(referenced_columns("'phone' <> email::text", &cols), vec!["email"]);
        assert_eq!(referenced_columns("\"Mixed\" > 0 AND mixed > 1", &cols), vec!["Mixed"]);
        assert!(referenced_columns("1 = 1", &cols).is_empty());
        // Quotes of every kind: a doubled quote, an escape string, a dollar quote, a quoted name with a quote in it.
        let cols: Vec<String> = ["e", "x", "y", "z", "a\"b", "ü"].iter().map(|s| s.to_string()).collect();
        assert_eq!(referenced_columns("x <> E'a\\' y' AND z > 0", &cols), vec!["x", "z"]);
        assert_eq!(referenced_columns("x <> 'it''s y' AND $q$ z $q$ = \"a\"\"b\"", &cols), vec!["x", "a\"b"]);
        assert_eq!(referenced_columns("ü > 0 AND \"y", &cols), vec!["ü"]);
    }

    #[test]
    fn short_names() {
        assert_eq!(make_object_name("users", None, "pkey"), "users_pkey");
        assert_eq!(make_object_name("users", Some("email"), "key"), "users_email_key");
        assert_eq!(make_object_name("orders", Some(&name_addition(["user_id", "total"])), "key"), "orders_user_id_total_key");
    }

    #[test]
    fn long_names_truncate_the_longer_part_first() {
        // 60-char table, 10-char column: overhead 1 + 5 = 6, 57 available,
        // the table part shrinks to 47 and the column keeps its 10.
        let table = "t".repeat(60);
        let name = make_object_name(&table, Some("abcdefghij"), "fkey");
        assert_eq!(name.len(), 63);
        assert_eq!(name, format!("{}_abcdefghij_fkey", "t".repeat(47)));
        // Two long parts shrink evenly.
        let name = make_object_name(&"a".repeat(40), Some(&"b".repeat(40)), "key");
        assert_eq!(name, format!("{}_{}_key", "a".repeat(29), "b".repeat(29)));
    }

    #[test]
    fn expression_keys_are_named_after_their_function() {
        let names = index_column_names(&[("lower(email)".into(), true), ("a + b".into(), true), ("(a * 2)".into(), true)]);
        assert_eq!(names, vec!["lower", "expr", "expr1"]);
    }
}
