//! The names PostgreSQL gives to objects created without one, so that a model
//! read from a snapshot names its constraints and sequences exactly as the
//! database would (and so compares equal with a model read from a dump).
//!
//! Follows `makeObjectName` and `ChooseRelationName`/`ChooseConstraintName`
//! in PostgreSQL's `src/backend/commands/indexcmds.c` and `pg_constraint.c`.

use std::collections::HashSet;

/// NAMEDATALEN - 1: the longest identifier PostgreSQL keeps, in bytes.
const MAX_IDENTIFIER_BYTES: usize = 63;

/// `name1_name2_label`, shortened to fit in 63 bytes the way PostgreSQL does
/// it: the label is kept whole and the longer of the two names loses one
/// byte at a time (never splitting a multi-byte character).
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let mut overhead = label.len() + 1;
    if name2.is_some() {
        overhead += 1; // the underscore between name1 and name2
    }
    let available = MAX_IDENTIFIER_BYTES.saturating_sub(overhead);
    let (mut n1, mut n2) = (name1.len(), name2.map_or(0, str::len));
    while n1 + n2 > available {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut out = clip(name1, n1).to_string();
    if let Some(name2) = name2 {
        out.push('_');
        out.push_str(clip(name2, n2));
    }
    out.push('_');
    out.push_str(label);
    out
}

/// The longest prefix of `s` of at most `bytes` bytes that ends on a character boundary.
fn clip(s: &str, bytes: usize) -> &str {
    let mut end = bytes.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `make_object_name`, then `label1`, `label2`, … until the name is not in
/// `taken`; the chosen name is added to `taken`.
pub fn choose_name(name1: &str, name2: Option<&str>, label: &str, taken: &mut HashSet<String>) -> String {
    let mut pass = 0;
    loop {
        let modlabel = if pass == 0 { label.to_string() } else { format!("{label}{pass}") };
        let name = make_object_name(name1, name2, &modlabel);
        if taken.insert(name.clone()) {
            return name;
        }
        pass += 1;
    }
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
    let chars: Vec<char> = expr.chars().collect();
    let mut found: Vec<String> = Vec::new();
    let mut i = 0;
    let mut after_cast = false;
    while i < chars.len() {
        let c = chars[i];
        let word = if c == '\'' {
            i = skip_quoted(&chars, i, '\'');
            after_cast = false;
            continue;
        } else if c == '"' {
            let end = skip_quoted(&chars, i, '"');
            let inner: String = chars[i + 1..end.saturating_sub(1).max(i + 1)].iter().collect();
            i = end;
            inner.replace("\"\"", "\"")
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$') {
                i += 1;
            }
            // PostgreSQL folds unquoted identifiers to lower case in ASCII only.
            chars[start..i].iter().collect::<String>().to_ascii_lowercase()
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            after_cast = false;
            continue;
        } else {
            after_cast = c == ':' && chars.get(i + 1) == Some(&':');
            i += if after_cast { 2 } else { 1 };
            continue;
        };
        let next = chars[i..].iter().find(|c| !c.is_whitespace());
        let is_type = std::mem::take(&mut after_cast);
        if !is_type && next != Some(&'(') && columns.contains(&word) && !found.contains(&word) {
            found.push(word);
        }
    }
    found
}

/// Index just past the closing quote of a quoted run starting at `start`
/// (a doubled quote inside is an escaped quote).
fn skip_quoted(chars: &[char], start: usize, quote: char) -> usize {
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == quote {
            if chars.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    chars.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_like_postgres() {
        assert_eq!(make_object_name("users", None, "pkey"), "users_pkey");
        assert_eq!(make_object_name("users", Some("email"), "key"), "users_email_key");
        // 63-byte limit: the longer part is shortened first.
        let long = "a".repeat(70);
        let name = make_object_name(&long, Some("id"), "seq");
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("_id_seq"));
        let mut taken = HashSet::new();
        assert_eq!(choose_name("t", None, "check", &mut taken), "t_check");
        assert_eq!(choose_name("t", None, "check", &mut taken), "t_check1");
        assert_eq!(choose_name("t", None, "check", &mut taken), "t_check2");
    }

    #[test]
    fn finds_columns_in_checks() {
        let cols: Vec<String> = ["email", "phone", "length", "text", "Mixed"].iter().map(|s| s.to_string()).collect();
        assert_eq!(referenced_columns("email LIKE '%@%'", &cols), vec!["email"]);
        assert_eq!(referenced_columns("phone IS NULL OR LENGTH(phone) >= 10", &cols), vec!["phone"]);
        assert_eq!(referenced_columns("'phone' <> email::text", &cols), vec!["email"]);
        assert_eq!(referenced_columns("\"Mixed\" > 0 AND mixed > 1", &cols), vec!["Mixed"]);
        assert!(referenced_columns("1 = 1", &cols).is_empty());
    }
}
