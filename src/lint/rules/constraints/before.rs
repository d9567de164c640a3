//! The queries a finding gives to run before the migration: they find the
//! rows a constraint or a unique index would fail on. They run against the
//! database as it is *before* the migration, so they name the table and its
//! columns as they were then (a rename in the same migration has not
//! happened yet), and there is no query when what they need does not exist
//! yet (a column the same migration adds).

use crate::diff::Change;
use crate::lint::Context;
use crate::model::{QName, Table, quote_ident};

/// Rows a pre-flight query lists at most: enough to see the problem, cheap
/// to stop at.
const LIMIT: u32 = 100;

/// A table as it was before the migration, seen from its new name.
pub struct Before<'a> {
    /// The old name (what a query run before the migration uses).
    pub name: QName,
    pub table: &'a Table,
    /// `(new name, old name)` of the columns the migration renames.
    renamed: Vec<(&'a str, &'a str)>,
}

impl<'a> Before<'a> {
    /// The table `table` (its new name) was before the migration; `None`
    /// when the migration creates it.
    pub fn of(ctx: &Context<'a>, table: &QName) -> Option<Before<'a>> {
        if !ctx.existed(table) {
            return None;
        }
        let name = ctx
            .changes()
            .find_map(|c| match c {
                Change::RenameTable { from, to } if to == table => Some(from.clone()),
                _ => None,
            })
            .unwrap_or_else(|| table.clone());
        let old = ctx.old.tables.get(&name)?;
        let renamed = ctx
            .changes()
            .filter_map(|c| match c {
                Change::RenameColumn { table: t, from, to } if t == table => Some((to.as_str(), from.as_str())),
                _ => None,
            })
            .collect();
        Some(Before { name, table: old, renamed })
    }

    /// The old name of the column `column` (its new name), quoted; `None`
    /// when the column did not exist before.
    pub fn column(&self, column: &str) -> Option<String> {
        self.column_name(column).map(quote_ident)
    }

    /// The old name of the column `column`, as stored (unquoted).
    pub fn column_name(&self, column: &str) -> Option<&'a str> {
        let old = self.renamed.iter().find(|(to, _)| *to == column).map_or(column, |(_, from)| *from);
        self.table.column(old).map(|c| c.name.as_str())
    }

    /// The old names of all of `columns`, quoted; `None` when one is new.
    pub fn columns(&self, columns: &[String]) -> Option<Vec<String>> {
        columns.iter().map(|c| self.column(c)).collect()
    }

    /// Whether an expression over the table's columns (canonical text, as
    /// the new schema has it) reads the same before the migration: every
    /// column it names existed then under that name.
    pub fn reads_same(&self, expr: &str, new: &Table) -> bool {
        identifiers(expr).iter().all(|name| {
            new.column(name).is_none() || (self.table.column(name).is_some() && !self.renamed.iter().any(|(to, _)| to == name))
        })
    }

    /// What identifies a row in a query's output: the primary key's columns
    /// as they were, else the row's physical address (`ctid`).
    pub fn row_ref(&self) -> String {
        match self.table.primary_key().map(|pk| &pk.kind) {
            Some(crate::model::ConstraintKind::PrimaryKey { columns, .. }) => {
                columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ")
            }
            _ => "ctid".to_string(),
        }
    }

    /// The rows where any of `columns` (old names, quoted) is NULL.
    pub fn nulls(&self, columns: &[String]) -> String {
        let any_null = columns.iter().map(|c| format!("{c} IS NULL")).collect::<Vec<_>>().join(" OR ");
        format!("SELECT {} FROM {} WHERE {any_null} LIMIT {LIMIT};", self.row_ref(), self.name)
    }

    /// The values of `keys` (SQL over the old table) that more than one row
    /// holds. `nulls_distinct`: rows with a NULL key never conflict (as in
    /// a UNIQUE constraint or index without `NULLS NOT DISTINCT`), so they
    /// are left out; `null_fails`: a NULL key is itself a violation (a
    /// primary key), so those groups are listed too. `only`: a partial
    /// index's predicate.
    pub fn duplicates(&self, keys: &[String], nulls_distinct: bool, null_fails: bool, only: Option<&str>) -> String {
        let list = keys.join(", ");
        let mut filters: Vec<String> = Vec::new();
        if nulls_distinct && !null_fails {
            filters.extend(keys.iter().map(|k| format!("{k} IS NOT NULL")));
        }
        if let Some(p) = only {
            filters.push(format!("({p})"));
        }
        let filter = if filters.is_empty() { String::new() } else { format!(" WHERE {}", filters.join(" AND ")) };
        let mut having = "count(*) > 1".to_string();
        if null_fails {
            for k in keys {
                having.push_str(&format!(" OR {k} IS NULL"));
            }
        }
        format!("SELECT {list}, count(*) FROM {}{filter} GROUP BY {list} HAVING {having} LIMIT {LIMIT};", self.name)
    }

    /// The rows for which `check` (canonical text) is false: CHECK accepts
    /// a NULL result, and so does `WHERE NOT (…)`.
    pub fn violations(&self, check: &str) -> String {
        format!("SELECT {} FROM {} WHERE NOT ({check}) LIMIT {LIMIT};", self.row_ref(), self.name)
    }

    /// The rows whose foreign key `columns` find no row of `parent` with
    /// `parent_columns` (old names, quoted), under the key's MATCH rule:
    /// SIMPLE (and PARTIAL, which PostgreSQL does not implement) checks a
    /// row only when none of its key columns is NULL; FULL when any is not,
    /// and a row with some but not all NULL then fails to match anything.
    /// `parent` is `None` when the referenced table is created by the same
    /// migration: it is empty, so every row that is checked fails.
    pub fn orphans(&self, columns: &[String], parent: Option<(&QName, &[String])>, full: bool) -> String {
        let join = if full { " OR " } else { " AND " };
        let checked = columns.iter().map(|c| format!("c.{c} IS NOT NULL")).collect::<Vec<_>>().join(join);
        let checked = if columns.len() > 1 { format!("({checked})") } else { checked };
        let shown = columns.iter().map(|c| format!("c.{c}")).collect::<Vec<_>>().join(", ");
        match parent {
            Some((parent, parent_columns)) => {
                let on = columns
                    .iter()
                    .zip(parent_columns)
                    .map(|(c, p)| format!("p.{p} = c.{c}"))
                    .collect::<Vec<_>>()
                    .join(" AND ");
                let missing = format!("p.{} IS NULL", parent_columns[0]);
                format!(
                    "SELECT {shown} FROM {} AS c LEFT JOIN {parent} AS p ON {on} WHERE {checked} AND {missing} LIMIT {LIMIT};",
                    self.name
                )
            }
            None => format!("SELECT {shown} FROM {} AS c WHERE {checked} LIMIT {LIMIT};", self.name),
        }
    }
}

/// The identifiers an expression in canonical text names, unquoted:
/// lower-case words, and double-quoted names; string literals and the
/// upper-case keywords of the canonical form are skipped. A function name
/// counts too, which only makes a caller more careful.
pub fn identifiers(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // A literal, with '' for a quote inside.
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i += 1;
        } else if c == '"' {
            let mut name = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '"' {
                    if chars.get(i + 1) == Some(&'"') {
                        name.push('"');
                        i += 2;
                        continue;
                    }
                    break;
                }
                name.push(chars[i]);
                i += 1;
            }
            i += 1;
            out.push(name);
        } else if c.is_ascii_lowercase() || c == '_' || (!c.is_ascii() && c.is_alphabetic()) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_lowercase() || chars[i].is_ascii_digit() || chars[i] == '_' || chars[i] == '$' || (!chars[i].is_ascii() && chars[i].is_alphanumeric())) {
                i += 1;
            }
            // A word with capitals is a keyword (`IS`, `CURRENT_USER`) or part of one.
            if i < chars.len() && chars[i].is_ascii_uppercase() {
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                continue;
            }
            out.push(chars[start..i].iter().collect());
        } else if c.is_ascii_alphanumeric() {
            // Upper-case keywords and numbers.
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || (chars[i] == '.' && c.is_ascii_digit())) {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Whether a CHECK expression (canonical text) proves `column` is never
/// NULL: one of its top-level `AND` terms is `column IS NOT NULL`. That is
/// the form PostgreSQL's proof recognizes for certain (ALTER TABLE, "SET
/// NOT NULL": since PostgreSQL 12 the scan is skipped when a valid CHECK
/// constraint proves the column cannot be NULL); a cleverer proof it may
/// also find is not counted on.
pub fn proves_not_null(expr: &str, column: &str) -> bool {
    let wanted = quote_ident(column);
    conjuncts(expr).into_iter().any(|term| {
        let upper = term.to_ascii_uppercase();
        upper.ends_with(" IS NOT NULL") && unwrap(&term[..term.len() - " IS NOT NULL".len()]) == wanted
    })
}

/// The top-level `AND` terms of an expression, each without its wrapping
/// parentheses.
fn conjuncts(expr: &str) -> Vec<&str> {
    let expr = unwrap(expr);
    let mut out = Vec::new();
    let (mut depth, mut start, mut quote) = (0i32, 0usize, None::<u8>);
    let bytes = expr.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'\'' | b'"' => quote = Some(b),
                b'(' => depth += 1,
                b')' => depth -= 1,
                b' ' if depth == 0 && expr[i..].to_ascii_uppercase().starts_with(" AND ") => {
                    out.push(unwrap(&expr[start..i]));
                    i += " AND ".len();
                    start = i;
                    continue;
                }
                _ => {}
            },
        }
        i += 1;
    }
    out.push(unwrap(&expr[start..]));
    out
}

/// The text without the parentheses that wrap all of it.
fn unwrap(mut text: &str) -> &str {
    loop {
        text = text.trim();
        if !(text.starts_with('(') && text.ends_with(')')) {
            return text;
        }
        // The first parenthesis must close at the very end.
        let (mut depth, mut quote) = (0i32, None::<u8>);
        for (i, b) in text.bytes().enumerate() {
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None => match b {
                    b'\'' | b'"' => quote = Some(b),
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 && i + 1 != text.len() {
                            return text;
                        }
                    }
                    _ => {}
                },
            }
        }
        text = &text[1..text.len() - 1];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_proves_not_null_by_one_of_its_and_terms() {
        assert!(proves_not_null("(email IS NOT NULL)", "email"));
        assert!(proves_not_null("((email IS NOT NULL) AND (length(email) > 2))", "email"));
        assert!(proves_not_null("(\"Email\" IS NOT NULL)", "Email"));
        assert!(!proves_not_null("(\"Email\" IS NOT NULL)", "email"));
        assert!(!proves_not_null("((email IS NOT NULL) OR (id > 0))", "email"));
        assert!(!proves_not_null("(other IS NOT NULL)", "email"));
        assert!(!proves_not_null("(email IS NULL)", "email"));
        assert!(!proves_not_null("(lower(email) IS NOT NULL)", "email"));
        // A literal's AND is not a term boundary.
        assert!(!proves_not_null("(note <> ' AND email IS NOT NULL')", "email"));
    }

    #[test]
    fn parentheses_come_off_only_when_they_wrap_everything() {
        assert_eq!(unwrap("((a > 0))"), "a > 0");
        assert_eq!(unwrap("(a > 0) AND (b > 0)"), "(a > 0) AND (b > 0)");
        assert_eq!(unwrap("(')(')"), "')('");
    }

    #[test]
    fn identifiers_skip_keywords_literals_and_numbers() {
        assert_eq!(identifiers("((e2 IS NOT NULL) AND (length(e2) > 2))"), ["e2", "length", "e2"]);
        assert_eq!(identifiers("(\"Email\" = 'x y' AND a_b1 > 1.5)"), ["Email", "a_b1"]);
        assert_eq!(identifiers("(tenant = CURRENT_USER)"), ["tenant"]);
        assert_eq!(identifiers("('it''s' = \"a\"\"b\")"), ["a\"b"]);
    }
}
