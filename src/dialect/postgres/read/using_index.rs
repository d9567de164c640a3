//! `ALTER TABLE t ADD [CONSTRAINT name] { UNIQUE | PRIMARY KEY } USING INDEX idx`:
//! an existing unique index becomes the index of a new constraint.
//!
//! PostgreSQL's rules (`transformIndexConstraint`, `ATExecAddIndexConstraint`):
//! the index, looked up in the table's schema, must be a unique btree index
//! of that table on plain columns, with no predicate and each key in its
//! default operator class, collation and sort order, and not yet the index of
//! a constraint. The constraint takes the index's key columns (and its
//! INCLUDE columns and NULLS NOT DISTINCT); the index is renamed to the
//! constraint's name when the two differ, and from then on it is the
//! constraint's, like the index of any other UNIQUE or PRIMARY KEY
//! constraint. A PRIMARY KEY makes its columns NOT NULL.

use super::table::{Pending, characteristics, commit_constraints};
use super::{PgReader, Stmt, ident};
use crate::error::{Error, Result};
use crate::model::{ConstraintKind, Index, Location, Table};
use sqlparser::ast::ConstraintUsingIndex;

/// The detail PostgreSQL gives with every refusal of an unsuitable index.
const CANNOT: &str = "PostgreSQL cannot make a primary key or unique constraint from such an index";

/// Adds the constraint and takes the index into it.
pub fn add(
    r: &mut PgReader,
    table: &mut Table,
    c: &ConstraintUsingIndex,
    primary: bool,
    not_valid: bool,
    st: &Stmt<'_>,
) -> Result<()> {
    let at = {
        let p = c.index_name.span.start;
        if p.line > 0 { st.location_at(p.line, p.column) } else { st.location() }
    };
    let what = if primary { "PRIMARY KEY" } else { "UNIQUE" };
    if table.partition_by.is_some() {
        return Err(Error::data(format!("ADD CONSTRAINT … USING INDEX is not supported on partitioned tables ({} is one)", table.name))
            .at(at)
            .help(format!("declare the constraint with its columns: ADD CONSTRAINT … {what} (…)")));
    }
    if not_valid {
        return Err(Error::data(format!("{what} constraints cannot be marked NOT VALID")).at(st.location()));
    }
    let index_name = ident(&c.index_name);
    let Some(index) = table.indexes.get(&index_name) else {
        return Err(not_an_index_of(r, table, &index_name, at));
    };
    let columns = key_columns(table, index, at.clone())?;
    if !index.with.is_empty() {
        // pg_dump writes such a constraint `… UNIQUE (a) WITH (…)`, which
        // the model cannot hold.
        return Err(Error::data(format!(
            "index {index_name} has storage parameters ({}): schemashift does not model them on the index of a constraint",
            index.with.join(", ")
        ))
        .at(at)
        .help("create the index without WITH (…) to use it for a constraint"));
    }
    if primary && index.nulls_not_distinct {
        // PostgreSQL keeps the flag (pg_dump writes `PRIMARY KEY NULLS NOT
        // DISTINCT (…)`), which the model's primary keys do not carry.
        return Err(Error::data(format!(
            "index {index_name} is NULLS NOT DISTINCT: schemashift does not model a primary key whose index is"
        ))
        .at(at)
        .help("create the index without NULLS NOT DISTINCT: a primary key's columns hold no NULLs anyway"));
    }
    let index = table.indexes.remove(&index_name).expect("looked up above");
    let name = c.name.as_ref().map_or_else(|| index_name.clone(), ident);
    let (deferrable, initially_deferred) = characteristics(&c.characteristics);
    let kind = if primary {
        ConstraintKind::PrimaryKey { columns: columns.clone(), include: index.include.clone() }
    } else {
        ConstraintKind::Unique { columns: columns.clone(), nulls_not_distinct: index.nulls_not_distinct, include: index.include.clone() }
    };
    let pending = Pending { name: Some(name.clone()), not_valid: false, kind, deferrable, initially_deferred, location: st.location() };
    commit_constraints(r, table, vec![pending])?;
    // PostgreSQL renames the index: what named it (CLUSTER ON, REPLICA
    // IDENTITY USING INDEX) names it by its new name.
    super::properties::rename_index(table, &index_name, &name);
    if let Some(comment) = &index.comment {
        // The index keeps its comment; as for the index of any constraint,
        // the model keeps it as text, the way pg_dump writes it.
        let text = format!(
            "COMMENT ON INDEX {}.{} IS {}",
            crate::model::quote_ident(&table.name.schema),
            crate::model::quote_ident(&name),
            crate::model::quote_literal(comment)
        );
        r.opaque(&Stmt { text: &text, prepared: None, ..*st }, "COMMENT ON INDEX");
    }
    Ok(())
}

/// The index's key columns, or PostgreSQL's refusal of the index.
fn key_columns(table: &Table, index: &Index, at: Location) -> Result<Vec<String>> {
    let name = &index.name;
    let refuse = |message: String| Error::data(message).at(at.clone()).help(CANNOT);
    if !index.unique {
        return Err(refuse(format!("index {name} is not a unique index")));
    }
    if index.keys.iter().any(|k| k.expression) {
        return Err(refuse(format!("index {name} contains expressions")));
    }
    if index.predicate.is_some() {
        return Err(refuse(format!("index {name} is a partial index")));
    }
    if index.method != "btree" {
        return Err(refuse(format!("index {name} is not a btree")));
    }
    for (i, k) in index.keys.iter().enumerate() {
        let number = i + 1;
        let column = table.column(&k.expr);
        let default_collation = match (&k.collation, column.and_then(|c| c.collation.as_deref())) {
            (None, _) => true,
            (Some(key), Some(col)) => bare_collation(key) == bare_collation(col),
            (Some(key), None) => bare_collation(key) == "default",
        };
        if k.descending || k.nulls_first.is_some() || !default_collation {
            return Err(refuse(format!("index {name} column number {number} does not have default sorting behavior")));
        }
        if let Some(opclass) = &k.opclass {
            // PostgreSQL takes the type's default operator class only, and
            // the model does not know which one that is.
            return Err(Error::data(format!(
                "index {name} column number {number} names operator class {opclass}: PostgreSQL accepts only the column type's default one here, which schemashift cannot confirm"
            ))
            .at(at)
            .help("leave the operator class out of the index (the default one is used)"));
        }
    }
    Ok(index.keys.iter().map(|k| k.expr.clone()).collect())
}

/// A collation name without quotes and `pg_catalog.`, for comparing the
/// spellings of an index key's and a column's.
fn bare_collation(name: &str) -> String {
    let name = name.replace('"', "");
    name.strip_prefix("pg_catalog.").map_or(name.clone(), str::to_string)
}

/// Why `name` is not an index of `table` that a constraint can use.
fn not_an_index_of(r: &PgReader, table: &Table, name: &str, at: Location) -> Error {
    let schema = &table.name.schema;
    let keyed = |t: &Table| {
        t.constraints.get(name).is_some_and(|c| {
            matches!(c.kind, ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. } | ConstraintKind::Exclude { .. })
        })
    };
    // The table being altered is out of the schema's map while it is.
    let others = || r.schema.tables.values().filter(|t| &t.name.schema == schema && t.name != table.name);
    if keyed(table) || others().any(keyed) {
        return Error::data(format!("index {name} is already associated with a constraint")).at(at);
    }
    let elsewhere = others().find(|t| t.indexes.contains_key(name)).map(|t| t.name.to_string()).or_else(|| {
        r.schema.views.values().find(|v| &v.name.schema == schema && v.indexes.contains_key(name)).map(|v| v.name.to_string())
    });
    match elsewhere {
        Some(owner) => Error::data(format!("index {name} does not belong to table {}: it is an index of {owner}", table.name)).at(at),
        None => Error::data(format!("index {name} does not exist in schema {schema}"))
            .at(at)
            .help(format!("create it on {} with CREATE UNIQUE INDEX before this statement", table.name)),
    }
}

#[cfg(test)]
mod tests {
    use crate::error::{Error, ErrorKind};
    use crate::model::{ConstraintKind, Dialect, QName, Schema, Table};

    fn read(sql: &str) -> Result<Schema, Error> {
        let files = [crate::source::SourceFile { path: "schema.sql".into(), bytes: sql.as_bytes().to_vec(), blob_id: None }];
        crate::read::read_schema(&files, Dialect::Postgres).map(|(s, _)| s)
    }

    fn table<'s>(schema: &'s Schema, name: &str) -> &'s Table {
        &schema.tables[&QName::new("public", name)]
    }

    /// The error's `line:column` and message.
    fn refused(sql: &str) -> (String, String) {
        let e = read(sql).expect_err("refused");
        assert_eq!(e.kind, ErrorKind::Data, "{e}");
        let at = e.location.as_ref().map(|l| format!("{}:{}", l.line, l.column)).unwrap_or_default();
        (at, e.message)
    }

    const T: &str = "CREATE TABLE t (a int, b int, c text COLLATE \"C\", d text);\n";

    #[test]
    fn a_unique_index_becomes_a_renamed_unique_constraint() {
        let s = read(&format!(
            "{T}CREATE UNIQUE INDEX i ON t (a, b) INCLUDE (d) NULLS NOT DISTINCT;\n\
             ALTER TABLE t CLUSTER ON i;\n\
             ALTER TABLE t ADD CONSTRAINT k UNIQUE USING INDEX i DEFERRABLE INITIALLY DEFERRED;"
        ))
        .unwrap();
        let t = table(&s, "t");
        assert!(t.indexes.is_empty(), "the index is the constraint's now: {:?}", t.indexes);
        let k = &t.constraints["k"];
        assert_eq!(
            k.kind,
            ConstraintKind::Unique { columns: vec!["a".into(), "b".into()], nulls_not_distinct: true, include: vec!["d".into()] }
        );
        assert!(k.deferrable && k.initially_deferred && !k.not_valid);
        assert_eq!(t.cluster_on.as_deref(), Some("k"), "CLUSTER ON follows the rename");
        assert!(t.columns.iter().all(|c| c.nullable), "UNIQUE leaves NULL allowed");
        // The same model as the constraint declared with its columns.
        let declared = read(&format!(
            "{T}ALTER TABLE t ADD CONSTRAINT k UNIQUE NULLS NOT DISTINCT (a, b) INCLUDE (d) DEFERRABLE INITIALLY DEFERRED;\n\
             ALTER TABLE t CLUSTER ON k;"
        ))
        .unwrap();
        let (mut a, mut b) = (t.clone(), table(&declared, "t").clone());
        for x in [&mut a, &mut b] {
            x.constraints.values_mut().for_each(|c| c.location = Default::default());
        }
        assert_eq!(a.constraints, b.constraints);
    }

    #[test]
    fn without_a_name_the_constraint_takes_the_index_name() {
        let s = read(&format!("{T}CREATE UNIQUE INDEX t_c ON t (c COLLATE \"C\");\nALTER TABLE t ADD UNIQUE USING INDEX t_c;")).unwrap();
        let t = table(&s, "t");
        assert!(t.indexes.is_empty());
        assert!(matches!(&t.constraints["t_c"].kind, ConstraintKind::Unique { columns, .. } if columns == &["c"]));
    }

    #[test]
    fn a_primary_key_makes_its_columns_not_null_here_and_below() {
        let s = read(&format!(
            "{T}CREATE TABLE child (e int) INHERITS (t);\n\
             CREATE TABLE only_child (e int) INHERITS (t);\n\
             CREATE UNIQUE INDEX t_ab ON t (a, b);\n\
             ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_ab;"
        ))
        .unwrap();
        let t = table(&s, "t");
        assert!(t.indexes.is_empty());
        assert!(matches!(&t.constraints["t_pkey"].kind, ConstraintKind::PrimaryKey { columns, .. } if columns == &["a", "b"]));
        for name in ["t", "child"] {
            let nullable: Vec<bool> = table(&s, name).columns.iter().filter(|c| c.name == "a" || c.name == "b").map(|c| c.nullable).collect();
            assert_eq!(nullable, [false, false], "{name}");
        }
        // With ONLY, the tables below keep NULL allowed (as with a primary key declared with its columns).
        for form in ["PRIMARY KEY USING INDEX t_ab", "PRIMARY KEY (a, b)"] {
            let s = read(&format!(
                "{T}CREATE TABLE child (e int) INHERITS (t);\nCREATE UNIQUE INDEX t_ab ON t (a, b);\nALTER TABLE ONLY t ADD CONSTRAINT t_pkey {form};"
            ))
            .unwrap();
            assert!(table(&s, "child").columns.iter().all(|c| c.nullable), "{form}");
            assert!(!table(&s, "t").column("a").unwrap().nullable, "{form}");
        }
        // Without ONLY, a primary key declared with its columns reaches them too.
        let s = read(&format!("{T}CREATE TABLE child (e int) INHERITS (t);\nALTER TABLE t ADD PRIMARY KEY (b);")).unwrap();
        assert!(!table(&s, "child").column("b").unwrap().nullable);
    }

    #[test]
    fn the_index_comment_stays_with_the_renamed_index() {
        let s = read(&format!("{T}CREATE UNIQUE INDEX i ON t (a);\nCOMMENT ON INDEX i IS 'it''s a';\nALTER TABLE t ADD CONSTRAINT k UNIQUE USING INDEX i;"))
            .unwrap();
        let texts: Vec<&str> = s.opaque.iter().map(|o| o.text.as_str()).collect();
        assert_eq!(texts, ["COMMENT ON INDEX public.k IS 'it''s a'"]);
    }

    #[test]
    fn the_index_is_looked_up_in_the_table_schema() {
        let s = read(
            "CREATE SCHEMA s;\nCREATE TABLE s.t (a int);\nCREATE UNIQUE INDEX i ON s.t (a);\nALTER TABLE s.t ADD CONSTRAINT k PRIMARY KEY USING INDEX i;",
        )
        .unwrap();
        let t = &s.tables[&QName::new("s", "t")];
        assert!(t.indexes.is_empty() && t.constraints.contains_key("k"));
        let (at, message) = refused(
            "CREATE SCHEMA s;\nCREATE TABLE s.t (a int);\nCREATE TABLE t (a int);\nCREATE UNIQUE INDEX i ON t (a);\nALTER TABLE s.t ADD CONSTRAINT k UNIQUE USING INDEX i;",
        );
        assert_eq!((at.as_str(), message.as_str()), ("5:53", "index i does not exist in schema s"));
    }

    #[test]
    fn unsuitable_indexes_are_refused_where_they_are_named() {
        // Each: the index, then the words of the error.
        let cases = [
            ("CREATE INDEX i ON t (a)", "index i is not a unique index"),
            ("CREATE UNIQUE INDEX i ON t ((a + 1))", "index i contains expressions"),
            ("CREATE UNIQUE INDEX i ON t (a) WHERE a > 0", "index i is a partial index"),
            ("CREATE UNIQUE INDEX i ON t (b, a DESC)", "index i column number 2 does not have default sorting behavior"),
            ("CREATE UNIQUE INDEX i ON t (a NULLS FIRST)", "column number 1 does not have default sorting behavior"),
            ("CREATE UNIQUE INDEX i ON t (d COLLATE \"C\")", "column number 1 does not have default sorting behavior"),
            ("CREATE UNIQUE INDEX i ON t (c text_pattern_ops)", "names operator class text_pattern_ops"),
            ("CREATE UNIQUE INDEX i ON t (a) WITH (fillfactor = 70)", "has storage parameters (fillfactor=70)"),
            ("CREATE UNIQUE INDEX x ON t (a)", "index i does not exist"),
            ("CREATE TABLE u (a int);\nCREATE UNIQUE INDEX i ON u (a)", "index i does not belong to table public.t: it is an index of public.u"),
            ("ALTER TABLE t ADD CONSTRAINT i UNIQUE (a)", "index i is already associated with a constraint"),
        ];
        for (index, message) in cases {
            let sql = format!("{T}{index};\nALTER TABLE t ADD CONSTRAINT k UNIQUE USING INDEX i;");
            let line = sql.lines().count();
            let (at, found) = refused(&sql);
            assert_eq!(at, format!("{line}:51"), "{index}: {found}");
            assert!(found.contains(message), "{index}: expected {message:?} in {found:?}");
        }
    }

    #[test]
    fn postgres_other_refusals() {
        let (at, m) = refused(&format!("{T}CREATE UNIQUE INDEX i ON t (a);\nCREATE UNIQUE INDEX j ON t (b);\nALTER TABLE t ADD PRIMARY KEY (a);\nALTER TABLE t ADD PRIMARY KEY USING INDEX j;"));
        assert_eq!((at.as_str(), m.as_str()), ("5:1", "multiple primary keys for table public.t"));
        let (_, m) = refused(&format!("{T}CREATE UNIQUE INDEX i ON t (a) NULLS NOT DISTINCT;\nALTER TABLE t ADD PRIMARY KEY USING INDEX i;"));
        assert!(m.contains("is NULLS NOT DISTINCT"), "{m}");
        let (at, m) = refused(&format!("{T}CREATE UNIQUE INDEX i ON t (a);\nALTER TABLE t ADD CONSTRAINT k UNIQUE USING INDEX i NOT VALID;"));
        assert_eq!((at.as_str(), m.as_str()), ("3:1", "UNIQUE constraints cannot be marked NOT VALID"));
        let (at, m) = refused("CREATE TABLE p (a int) PARTITION BY RANGE (a);\nCREATE UNIQUE INDEX i ON p (a);\nALTER TABLE p ADD UNIQUE USING INDEX i;");
        assert_eq!(at, "3:38");
        assert!(m.contains("not supported on partitioned tables"), "{m}");
        let (_, m) = refused("CREATE TABLE t (a int, UNIQUE USING INDEX i);");
        assert!(m.contains("cannot use an existing index in CREATE TABLE"), "{m}");
    }
}
