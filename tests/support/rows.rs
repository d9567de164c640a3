//! Row snapshots: what a migration must not lose.
//!
//! A [`Snapshot`] holds every row of every ordinary table of a database, each
//! value as its text form (`value::text`), so that a column whose type changed
//! can still be compared with what it held before. Partitioned parents are
//! left out (their rows are their partitions' rows, snapshotted as leaves):
//! detaching or attaching a partition then moves no row from one table to
//! another as far as the comparison is concerned. Likewise a table's rows are
//! read with `FROM ONLY`, without those of the tables inheriting from it:
//! `INHERIT` and `NO INHERIT` then move no row either.
//!
//! [`compare`] matches tables and columns across a migration, following the
//! renames a schema declares with hint comments ([`Renames::from_hints`]), and
//! compares the multiset of rows projected onto the columns both sides share.
//! Rows are compared as multisets, not in order: a migration that rewrites a
//! table may store its rows in another order, and that is not data loss.

use super::pg::PgServer;
use serde_json::Value;
use std::collections::BTreeMap;

/// A table or column name as PostgreSQL stores it (no quotes, case as is).
pub type TableName = (String, String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    pub name: String,
    /// `format_type` of the column, as written in SQL (`character varying(20)`).
    pub type_name: String,
    /// A generated column: its values are computed, not preserved.
    pub generated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableRows {
    pub columns: Vec<ColumnInfo>,
    /// One entry per row, one value per column in `columns`' order.
    pub rows: Vec<Vec<Option<String>>>,
}

impl TableRows {
    fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// Every row of every ordinary table of one database.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub tables: BTreeMap<TableName, TableRows>,
}

impl Snapshot {
    pub fn total_rows(&self) -> usize {
        self.tables.values().map(|t| t.rows.len()).sum()
    }
}

/// The ordinary tables (including partitions, excluding partitioned parents
/// and extension members) and their columns.
const COLUMNS_QUERY: &str = r#"
SELECT COALESCE(json_agg(json_build_array(n.nspname, c.relname, cols) ORDER BY n.nspname, c.relname), '[]')
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL (
    SELECT json_agg(json_build_array(a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attgenerated <> '')
                    ORDER BY a.attnum) AS cols
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
) cols
WHERE c.relkind = 'r'
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e')
"#;

/// A column as [`COLUMNS_QUERY`] lists it: name, type, generated.
type ListedColumn = (String, String, bool);

/// `"name"` with inner quotes doubled: always valid, whatever the name.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'` with inner quotes doubled (`standard_conforming_strings` is on).
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Reads every row of every ordinary table of `db`, in two psql runs.
///
/// # Panics
/// When a query fails: the database is in a state the harness cannot read.
pub fn snapshot(server: &PgServer, db: &str) -> Snapshot {
    let json = server.query(db, COLUMNS_QUERY).unwrap_or_else(|e| panic!("listing the tables of {db} failed: {e}"));
    let listed: Vec<(String, String, Vec<ListedColumn>)> =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("bad table list from {db} ({e}): {json}"));
    let mut snapshot = Snapshot::default();
    if listed.is_empty() {
        return snapshot;
    }
    // One query for all tables: each table's rows as a JSON array of text arrays.
    // ARRAY[...] rather than json_build_array: the latter takes at most 100 arguments.
    let parts: Vec<String> = listed
        .iter()
        .enumerate()
        .map(|(i, (schema, table, cols))| {
            let values = if cols.is_empty() {
                "ARRAY[]::text[]".to_string()
            } else {
                let list: Vec<String> = cols.iter().map(|(c, _, _)| format!("t.{}::text", quote_ident(c))).collect();
                format!("ARRAY[{}]", list.join(", "))
            };
            format!(
                "SELECT {i} AS n, (SELECT COALESCE(json_agg(to_json({values})), '[]') FROM ONLY {}.{} t) AS r",
                quote_ident(schema),
                quote_ident(table)
            )
        })
        .collect();
    let sql = format!("SELECT json_agg(r ORDER BY n) FROM ({}) s", parts.join("\nUNION ALL\n"));
    let json = server.query(db, &sql).unwrap_or_else(|e| panic!("reading the rows of {db} failed: {e}\n{sql}"));
    let all: Vec<Vec<Vec<Option<String>>>> =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("bad rows from {db} ({e}): {json}"));
    for ((schema, table, cols), rows) in listed.into_iter().zip(all) {
        let columns =
            cols.into_iter().map(|(name, type_name, generated)| ColumnInfo { name, type_name, generated }).collect();
        snapshot.tables.insert((schema, table), TableRows { columns, rows });
    }
    snapshot
}

/// Table and column renames from one schema to another.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renames {
    /// Old table → new table.
    pub tables: BTreeMap<TableName, TableName>,
    /// (new table, old column) → new column.
    pub columns: BTreeMap<(TableName, String), String>,
}

impl Renames {
    /// The name `old` has on the other side.
    pub fn table(&self, old: &TableName) -> TableName {
        self.tables.get(old).cloned().unwrap_or_else(|| old.clone())
    }

    /// The name column `old_column` has on the other side, in table `new_table`.
    pub fn column(&self, new_table: &TableName, old_column: &str) -> String {
        self.columns.get(&(new_table.clone(), old_column.to_string())).cloned().unwrap_or_else(|| old_column.to_string())
    }

    /// The renames read the other way (for the down migration).
    pub fn inverse(&self) -> Renames {
        let tables: BTreeMap<TableName, TableName> = self.tables.iter().map(|(o, n)| (n.clone(), o.clone())).collect();
        let columns = self
            .columns
            .iter()
            .map(|((new_table, old_col), new_col)| {
                let old_table = tables.get(new_table).cloned().unwrap_or_else(|| new_table.clone());
                ((old_table, new_col.clone()), old_col.clone())
            })
            .collect();
        Renames { tables, columns }
    }

    /// The renames a schema text declares with `-- schemashift:renamed-from <old>`
    /// or sqldef's `-- @renamed from=<old>` on the line before a `CREATE TABLE`
    /// or before a column definition inside one. Index and view hints are
    /// irrelevant to rows and ignored. `default_schema` qualifies bare names.
    pub fn from_hints(sql: &str, default_schema: &str) -> Renames {
        let mut renames = Renames::default();
        let mut current_table: Option<TableName> = None;
        let mut pending: Option<String> = None;
        for line in sql.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() {
                continue;
            }
            if let Some(old) = hint(trimmed) {
                pending = Some(old);
                continue;
            }
            let created = created_table(trimmed, default_schema);
            if let Some(table) = &created {
                current_table = Some(table.clone());
            }
            let Some(old) = pending.take() else { continue };
            if let Some(new_table) = created {
                let parts = identifier_list(&old);
                let old_table = match parts.as_slice() {
                    [name] => (new_table.0.clone(), name.clone()),
                    [schema, name] => (schema.clone(), name.clone()),
                    _ => panic!("rename hint with a strange name: {old:?}"),
                };
                renames.tables.insert(old_table, new_table);
            } else if upper_starts(trimmed, "CREATE ") || upper_starts(trimmed, "ALTER ") {
                // An index or view hint: no rows involved.
            } else if let Some(table) = &current_table {
                let new_column = identifier_list(trimmed).into_iter().next().expect("a column name after a hint");
                let old_column = identifier_list(&old).into_iter().next_back().expect("a name in the hint");
                renames.columns.insert((table.clone(), old_column), new_column);
            }
        }
        renames
    }
}

fn upper_starts(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The old name in a rename hint comment line, if it is one.
fn hint(line: &str) -> Option<String> {
    let body = line.strip_prefix("--")?.trim();
    if let Some(rest) = body.strip_prefix("schemashift:renamed-from") {
        return Some(rest.trim().to_string());
    }
    body.strip_prefix("@renamed").map(|rest| rest.trim().trim_start_matches("from=").trim().to_string())
}

/// The table a `CREATE [UNLOGGED] TABLE [IF NOT EXISTS] name` line creates.
fn created_table(line: &str, default_schema: &str) -> Option<TableName> {
    let words: Vec<&str> = line.split_whitespace().collect();
    if !words.first()?.eq_ignore_ascii_case("CREATE") {
        return None;
    }
    let mut i = 1;
    while i < words.len() && ["UNLOGGED", "TEMP", "TEMPORARY"].iter().any(|w| words[i].eq_ignore_ascii_case(w)) {
        i += 1;
    }
    if !words.get(i)?.eq_ignore_ascii_case("TABLE") {
        return None;
    }
    let mut rest = line;
    for _ in 0..=i {
        rest = rest.trim_start();
        rest = &rest[rest.find(char::is_whitespace).unwrap_or(rest.len())..];
    }
    let mut rest = rest.trim_start();
    if upper_starts(rest, "IF NOT EXISTS") {
        rest = rest["IF NOT EXISTS".len()..].trim_start();
    }
    let parts = identifier_list(rest);
    match parts.as_slice() {
        [name] => Some((default_schema.to_string(), name.clone())),
        [schema, name] => Some((schema.clone(), name.clone())),
        _ => None,
    }
}

/// The dotted identifier at the start of `text`, folded like PostgreSQL:
/// quoted parts as written (`""` → `"`), bare parts lower-cased.
fn identifier_list(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut chars = text.trim_start().chars().peekable();
    loop {
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
                if c.is_alphanumeric() || c == '_' || c == '$' {
                    part.push(c.to_ascii_lowercase());
                    chars.next();
                } else {
                    break;
                }
            }
            if part.is_empty() {
                break;
            }
        }
        parts.push(part);
        if chars.peek() == Some(&'.') {
            chars.next();
        } else {
            break;
        }
    }
    parts
}

/// Compares the rows of `before` with those of `after` (a snapshot of `db`,
/// taken after a migration): for every table of `before` that still exists
/// (after `renames`) and that `keep(old table, None)` accepts, the same number
/// of rows and, projected onto the columns both share (after `renames`, kept
/// by `keep(old table, Some(old column))`, generated columns excepted), the
/// same multiset of values. A column whose
/// type changed is compared through a cast of the old value to the new type on
/// `db` (`'23.00'::numeric(13,2)::integer::text`), which is what a correct
/// `USING` cast produces; when the old type has no cast to the new one (or is
/// gone), through a cast of the old text (`'red'::mood`). Returns the
/// differences, empty when there is none.
pub fn compare(
    server: &PgServer,
    db: &str,
    before: &Snapshot,
    after: &Snapshot,
    renames: &Renames,
    keep: &dyn Fn(&TableName, Option<&str>) -> bool,
) -> String {
    let mut out = String::new();
    for (old_name, old_rows) in &before.tables {
        if !keep(old_name, None) {
            continue;
        }
        let new_name = renames.table(old_name);
        let Some(new_rows) = after.tables.get(&new_name) else { continue };
        let shown = if new_name == *old_name {
            format!("{}.{}", old_name.0, old_name.1)
        } else {
            format!("{}.{} (now {}.{})", old_name.0, old_name.1, new_name.0, new_name.1)
        };
        if old_rows.rows.len() != new_rows.rows.len() {
            out.push_str(&format!("{shown}: {} rows before, {} after\n", old_rows.rows.len(), new_rows.rows.len()));
            continue;
        }
        // (index in old, index in new, values of the old column as the new type).
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let mut converted: BTreeMap<usize, Vec<Option<String>>> = BTreeMap::new();
        for (oi, col) in old_rows.columns.iter().enumerate() {
            if !keep(old_name, Some(&col.name)) {
                continue;
            }
            let new_col = renames.column(&new_name, &col.name);
            let Some(ni) = new_rows.column_index(&new_col) else { continue };
            let new_info = &new_rows.columns[ni];
            if col.generated || new_info.generated {
                continue;
            }
            pairs.push((oi, ni));
            if new_info.type_name != col.type_name {
                let values: Vec<Option<String>> = old_rows.rows.iter().map(|r| r[oi].clone()).collect();
                match cast_all(server, db, &values, &col.type_name, &new_info.type_name)
                    .or_else(|_| cast_all(server, db, &values, "text", &new_info.type_name))
                {
                    Ok(cast) => {
                        converted.insert(oi, cast);
                    }
                    Err(e) => out.push_str(&format!(
                        "{shown}: the old values of {} ({}) do not cast to {}: {e}\n",
                        col.name, col.type_name, new_info.type_name
                    )),
                }
            }
        }
        if pairs.is_empty() {
            continue;
        }
        let mut old_tuples: Vec<Vec<Option<String>>> = old_rows
            .rows
            .iter()
            .enumerate()
            .map(|(ri, r)| {
                pairs.iter().map(|(oi, _)| converted.get(oi).map(|c| c[ri].clone()).unwrap_or_else(|| r[*oi].clone())).collect()
            })
            .collect();
        let mut new_tuples: Vec<Vec<Option<String>>> =
            new_rows.rows.iter().map(|r| pairs.iter().map(|(_, ni)| r[*ni].clone()).collect()).collect();
        old_tuples.sort();
        new_tuples.sort();
        if old_tuples != new_tuples {
            let names: Vec<String> = pairs.iter().map(|(_, ni)| new_rows.columns[*ni].name.clone()).collect();
            out.push_str(&format!("{shown}: rows differ in columns ({})\n", names.join(", ")));
            let missing: Vec<_> = old_tuples.iter().filter(|t| !new_tuples.contains(t)).take(5).collect();
            let extra: Vec<_> = new_tuples.iter().filter(|t| !old_tuples.contains(t)).take(5).collect();
            for t in missing {
                out.push_str(&format!("    - {}\n", show_tuple(t)));
            }
            for t in extra {
                out.push_str(&format!("    + {}\n", show_tuple(t)));
            }
        }
    }
    out
}

fn show_tuple(values: &[Option<String>]) -> String {
    let shown: Vec<String> = values.iter().map(|v| v.as_ref().map_or("NULL".into(), |s| format!("{s:?}"))).collect();
    format!("({})", shown.join(", "))
}

/// Casts text values of type `from` to `type_name` on the server and returns their text form.
fn cast_all(server: &PgServer, db: &str, values: &[Option<String>], from: &str, type_name: &str) -> Result<Vec<Option<String>>, String> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let json = Value::Array(values.iter().map(|v| v.clone().map_or(Value::Null, Value::String)).collect()).to_string();
    let sql = format!(
        "SELECT json_agg((v::{from}::{type_name})::text ORDER BY n) FROM json_array_elements_text({}::json) WITH ORDINALITY u(v, n)",
        quote_literal(&json)
    );
    let out = server.query(db, &sql)?;
    serde_json::from_str(&out).map_err(|e| format!("bad JSON ({e}): {out}"))
}
