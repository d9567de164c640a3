//! Shared test support: a throwaway PostgreSQL server ([`pg`], looked for by
//! [`pg_find`], which `build.rs` shares), a catalog snapshot to compare
//! databases with ([`catalog`]), row snapshots ([`rows`]), the strict
//! migration round trip ([`roundtrip`]), random schema pairs
//! ([`random_schema`]) and the generator of the large schema ([`big_schema`]).

pub mod big_schema;
pub mod catalog;
pub mod git;
pub mod pg;
pub mod pg_find;
pub mod random_schema;
pub mod roundtrip;
pub mod rows;
pub mod runner;

use std::path::{Path, PathBuf};

/// Reads PostgreSQL schema files `(path, text)` with the library: the model
/// and the reader's warnings.
pub fn read_files(files: &[(&str, &str)]) -> schemashift::Result<(schemashift::model::Schema, Vec<schemashift::Warning>)> {
    let files: Vec<schemashift::source::SourceFile> = files
        .iter()
        .map(|(p, t)| schemashift::source::SourceFile { path: p.to_string(), bytes: t.as_bytes().to_vec(), blob_id: None })
        .collect();
    schemashift::read::read_schema(&files, schemashift::model::Dialect::Postgres)
}

/// [`read_files`] of one file.
pub fn read_sql(path: &str, text: &str) -> schemashift::Result<(schemashift::model::Schema, Vec<schemashift::Warning>)> {
    read_files(&[(path, text)])
}

/// The model of one schema text that must read (the test fails otherwise).
pub fn read_ok(sql: &str) -> schemashift::model::Schema {
    match read_sql("schema.sql", sql) {
        Ok((s, _)) => s,
        Err(e) => panic!("{e}"),
    }
}

/// `fixtures` in the source tree.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// `fixtures/pgdump` in the source tree.
pub fn pgdump_fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join("pgdump")
}

/// The names of the hand-written cases: every `fixtures/pgdump/<case>/schema.sql`.
pub fn pgdump_cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(pgdump_fixtures_dir())
        .expect("fixtures/pgdump exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("schema.sql").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    cases
}

/// The text of `fixtures/pgdump/<case>/schema.sql`.
pub fn pgdump_fixture(case: &str) -> String {
    let path = pgdump_fixtures_dir().join(case).join("schema.sql");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `fixtures/diff` in the source tree: one directory per schema change.
pub fn diff_fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join("diff")
}

/// The names of the schema-change cases: every `fixtures/diff/<case>/` with an `old.sql`.
pub fn diff_cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(diff_fixtures_dir())
        .expect("fixtures/diff exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("old.sql").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    cases
}

/// The catalog without what the model deliberately does not carry, so that
/// the comparison is about everything else:
/// - an extension's comment (the model leaves it to the extension; pg_dump
///   repeats the default, so it cannot tell a user's comment from it);
/// - how a number constant default is spelled: PostgreSQL prints the same
///   value `0`, `(0)::numeric` or `'0'::numeric` depending on how it was written;
/// - an ACL spelled out that equals the owner's default privileges: after a
///   `GRANT` and its `REVOKE`, PostgreSQL keeps `{owner=arwdDxt/owner}` where
///   a fresh table has `NULL`; both grant exactly the same (`acldefault`);
/// - the two printouts PostgreSQL stores differently when it reads them back
///   (see [`settled`]): schemashift writes the settled one, a fresh load of a
///   schema file holds the other.
pub fn comparable(c: &catalog::Catalog) -> catalog::Catalog {
    let mut c = c.clone();
    for fields in c.objects.values_mut() {
        for value in fields.values_mut() {
            if value.contains("(ARRAY[") || value.contains("(- ") {
                *value = settled(value);
            }
        }
    }
    for (key, fields) in c.objects.iter_mut() {
        if key.kind == "extension" {
            fields.remove("comment");
        }
        if let (Some(acl), Some(owner)) = (fields.get("acl"), fields.get("owner"))
            && default_acl(&key.kind, owner).is_some_and(|d| acl_entries(acl) == acl_entries(&d))
        {
            fields.remove("acl");
        }
        if let Some(d) = fields.get_mut("default") {
            *d = number_constant(d).unwrap_or_else(|| d.clone());
        }
    }
    c
}

/// Expression text as PostgreSQL stores it once its own printout is read
/// back (what a dump and restore gives; `tests/it/canon.rs` proves both forms
/// against PostgreSQL):
/// - an array coerced to another array type, `(ARRAY[a, b])::text[]`, is read
///   as a cast of each element: `ARRAY[(a)::text, (b)::text]`;
/// - `(- 1)`, the negation of a constant, is read as the constant `'-1'::integer`.
pub fn settled(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("(ARRAY[").into_iter().chain(rest.find("(- ")).min() {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some((replacement, used)) = settle_array_cast(tail).or_else(|| settle_negation(tail)) {
            out.push_str(&replacement);
            rest = &tail[used..];
        } else {
            out.push('(');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// `(ARRAY[a, b])::t[]` at the start of `text` → (`ARRAY[(a)::t, (b)::t]`, bytes used).
fn settle_array_cast(text: &str) -> Option<(String, usize)> {
    let inner_start = "(ARRAY[".len();
    let close = matching(text, inner_start - 1, '[', ']')?;
    let after = &text[close + 1..];
    let after = after.strip_prefix(")::")?;
    // The type runs to its `[]`: words, quotes, a typmod in parentheses.
    let type_end = after.find("[]")?;
    let elem_type = &after[..type_end];
    if elem_type.contains([',', ')', '(']) && !elem_type.ends_with(')') {
        return None;
    }
    let elems = split_top_level(&text[inner_start..close]);
    if elems.is_empty() || elems.iter().any(|e| e.starts_with("ARRAY[")) {
        return None;
    }
    let cast: Vec<String> = elems.iter().map(|e| format!("({})::{elem_type}", e.trim())).collect();
    let used = close + 1 + ")::".len() + type_end + "[]".len();
    Some((format!("ARRAY[{}]", cast.join(", ")), used))
}

/// `(- 12)` at the start of `text` → (`'-12'::integer`, bytes used).
fn settle_negation(text: &str) -> Option<(String, usize)> {
    let body = text.strip_prefix("(- ")?;
    let end = body.find(')')?;
    let number = &body[..end];
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let typed = if number.contains('.') {
        format!("'-{number}'::numeric")
    } else if number.parse::<i32>().is_ok() {
        format!("'-{number}'::integer")
    } else {
        return None;
    };
    Some((typed, "(- ".len() + end + 1))
}

/// The index of the bracket closing the one at `open` (quotes respected).
fn matching(text: &str, open: usize, open_ch: char, close_ch: char) -> Option<usize> {
    let mut depth = 0;
    let mut quoted = false;
    for (i, c) in text.char_indices().skip_while(|(i, _)| *i < open) {
        match c {
            '\'' => quoted = !quoted,
            c if c == open_ch && !quoted => depth += 1,
            c if c == close_ch && !quoted => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `a, f(b, c), 'x, y'` → its top-level items.
fn split_top_level(text: &str) -> Vec<String> {
    let (mut items, mut current, mut depth, mut quoted) = (Vec::new(), String::new(), 0, false);
    for c in text.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' | '[' if !quoted => depth += 1,
            ')' | ']' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                items.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        items.push(current);
    }
    items
}

/// `0`, `(0)::numeric`, `'0'::numeric`, `'-1'::integer` → the number.
pub fn number_constant(text: &str) -> Option<String> {
    let (value, cast) = text.rsplit_once("::").unwrap_or((text, ""));
    let numeric_cast = ["", "numeric", "integer", "bigint", "smallint", "real", "double precision"].contains(&cast);
    let value = value.trim_start_matches('(').trim_end_matches(')').trim_matches('\'');
    (numeric_cast && value.parse::<f64>().is_ok()).then(|| value.to_string())
}

/// The ACL PostgreSQL treats a `NULL` ACL as, for an object of `kind` owned
/// by `owner` (what `acldefault()` returns, as text).
fn default_acl(kind: &str, owner: &str) -> Option<String> {
    let o = owner;
    match kind {
        "table" | "view" | "materialized view" | "foreign table" => Some(format!("{{{o}=arwdDxt/{o}}}")),
        "sequence" => Some(format!("{{{o}=rwU/{o}}}")),
        "function" | "procedure" | "aggregate" | "window function" => Some(format!("{{=X/{o},{o}=X/{o}}}")),
        "schema" => Some(format!("{{{o}=UC/{o}}}")),
        "enum" | "composite type" | "domain" | "range type" => Some(format!("{{=U/{o},{o}=U/{o}}}")),
        _ => None,
    }
}

/// An ACL's entries as a set: PostgreSQL lists them in the order they were granted.
fn acl_entries(acl: &str) -> Vec<String> {
    let mut entries: Vec<String> = acl.trim_matches(|c| c == '{' || c == '}').split(',').map(str::to_string).collect();
    entries.sort();
    entries
}
