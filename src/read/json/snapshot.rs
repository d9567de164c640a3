//! Reads JSON schema snapshots (the `tables` / `views` / `procedures` shape of
//! `database_schema_before.json`) into the model, with PostgreSQL's rules
//! unless the snapshot has a `"dialect"` key saying otherwise.
//!
//! A snapshot describes a database, not the statements that built it, so
//! everything the database would have derived is derived here the same way:
//! implicit constraint and sequence names, NOT NULL on primary key columns,
//! the sequence behind an auto-increment column. Names in a snapshot are
//! catalog names, not SQL tokens, so they are taken verbatim (no case folding).

use super::positions::Positions;
use super::text::{collapse_whitespace, default_expr, split_on_update, strip_outer_parens};
use super::types::{Modifiers, snapshot_type};
use crate::model::{
    ArgMode, Column, Constraint, ConstraintKind, DataType, Dialect, Expr, FkAction, FkMatch, Function, FunctionArg,
    Identity, Index, IndexKey, Location, QName, Schema, Sequence, SequenceOptions, Table, View, quote_literal,
};
use crate::{Error, Result, Warning};
use serde_json::{Map, Value};
use std::collections::HashSet;

const TOP_KEYS: &[&str] = &["schema_version", "database", "dialect", "tables", "views", "procedures", "functions"];
const TABLE_KEYS: &[&str] = &["columns", "constraints", "indexes", "comment"];
const COLUMN_KEYS: &[&str] = &[
    "type",
    "length",
    "precision",
    "scale",
    "nullable",
    "primary_key",
    "auto_increment",
    "default",
    "unique",
    "comment",
    "on_update",
    "collation",
];
const CONSTRAINT_KEYS: &[&str] = &["primary_key", "unique", "foreign_key", "check"];
const FK_KEYS: &[&str] =
    &["name", "columns", "references", "on_delete", "on_update", "deferrable", "initially_deferred"];
const INDEX_KEYS: &[&str] = &["name", "columns", "unique", "method", "type", "where", "comment"];
const VIEW_KEYS: &[&str] = &["definition", "columns", "materialized", "comment"];
const ROUTINE_KEYS: &[&str] = &["name", "parameters", "definition", "language", "returns", "comment"];

/// Reads a snapshot whose text has already been parsed into `root`.
pub(super) fn read(file: &str, text: &str, root: &Value, warnings: &mut Vec<Warning>) -> Result<Schema> {
    let mut reader = Reader {
        file,
        positions: Positions::scan(text),
        warnings,
        dialect: Dialect::default(),
        namespace: String::new(),
        taken: HashSet::new(),
    };
    reader.document(root)
}

type Path = Vec<String>;

fn child(path: &[String], key: impl Into<String>) -> Path {
    let mut p = path.to_vec();
    p.push(key.into());
    p
}

/// Facts stated on a column that become table-level objects.
#[derive(Default)]
struct ColumnFlags {
    primary_key: bool,
    unique: bool,
    auto_increment: bool,
}

struct Reader<'a> {
    file: &'a str,
    positions: Positions,
    warnings: &'a mut Vec<Warning>,
    dialect: Dialect,
    namespace: String,
    /// Relation and constraint names already used in the namespace. PostgreSQL
    /// picks generated names that avoid both, appending 1, 2, … on collision.
    taken: HashSet<String>,
}

impl Reader<'_> {
    fn loc(&self, path: &[String]) -> Location {
        let (line, column) = self.positions.get(path);
        Location::new(self.file, line, column)
    }

    fn warn(&mut self, path: &[String], message: impl Into<String>) {
        let location = self.loc(path);
        self.warnings.push(Warning { message: message.into(), location });
    }

    fn error(&self, path: &[String], message: impl Into<String>) -> Error {
        Error::data(message).at(self.loc(path))
    }

    fn qname(&self, name: &str) -> QName {
        QName::new(self.namespace.clone(), name)
    }

    fn object<'v>(&self, value: &'v Value, path: &[String], what: &str) -> Result<&'v Map<String, Value>> {
        value
            .as_object()
            .ok_or_else(|| self.error(path, format!("{what} must be a JSON object, found {}", kind(value))))
    }

    fn array<'v>(&self, value: &'v Value, path: &[String], what: &str) -> Result<&'v Vec<Value>> {
        value.as_array().ok_or_else(|| self.error(path, format!("{what} must be a JSON array, found {}", kind(value))))
    }

    /// Unknown keys are reported, never silently dropped: they may hold
    /// something the model should know about.
    fn check_keys(&mut self, map: &Map<String, Value>, known: &[&str], path: &[String], what: &str) {
        for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
            self.warn(&child(path, key), format!("unknown key {key:?} in {what} ignored"));
        }
    }

    fn bool(&self, map: &Map<String, Value>, key: &str, path: &[String]) -> Result<Option<bool>> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.error(&child(path, key), format!("{key:?} must be true or false, found {}", kind(v)))),
        }
    }

    fn string<'v>(&self, map: &'v Map<String, Value>, key: &str, path: &[String]) -> Result<Option<&'v str>> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(self.error(&child(path, key), format!("{key:?} must be a string, found {}", kind(v)))),
        }
    }

    fn number(&self, map: &Map<String, Value>, key: &str, path: &[String]) -> Result<Option<u64>> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                self.error(&child(path, key), format!("{key:?} must be a non-negative integer, found {}", kind(v)))
            }),
        }
    }

    fn strings(&self, value: &Value, path: &[String], what: &str) -> Result<Vec<String>> {
        let items = self.array(value, path, what)?;
        items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    self.error(&child(path, i.to_string()), format!("{what} must hold strings, found {}", kind(v)))
                })
            })
            .collect()
    }

    fn document(&mut self, root: &Value) -> Result<Schema> {
        let top = self.object(root, &[], "a schema snapshot")?;
        self.check_keys(top, TOP_KEYS, &[], "the snapshot");
        if let Some(d) = self.string(top, "dialect", &[])? {
            self.dialect = Dialect::parse(d).ok_or_else(|| {
                let names: Vec<String> = Dialect::ALL.iter().map(|d| format!("{:?}", d.name())).collect();
                let (last, others) = names.split_last().expect("dialects");
                self.error(&["dialect".into()], format!("unknown dialect {d:?}"))
                    .help(format!("use {} or {last}", others.join(", ")))
            })?;
        }
        self.namespace = self.dialect.default_schema().to_string();
        let mut schema = Schema::new(self.dialect);

        let tables = match top.get("tables") {
            Some(v) => Some(self.object(v, &["tables".into()], "\"tables\"")?),
            None => None,
        };
        let views = match top.get("views") {
            Some(v) => Some(self.object(v, &["views".into()], "\"views\"")?),
            None => None,
        };
        // Every name the snapshot states is taken before any name is
        // generated, so a generated name never shadows a stated one.
        for name in tables.iter().flat_map(|t| t.keys()).chain(views.iter().flat_map(|v| v.keys())) {
            self.taken.insert(name.clone());
        }
        for (tname, table) in tables.iter().flat_map(|t| t.iter()) {
            let indexes = table.get("indexes").and_then(Value::as_array);
            for name in indexes.iter().flat_map(|i| i.iter()).filter_map(|i| i.get("name")?.as_str()) {
                if !self.taken.insert(name.to_string()) {
                    let path = vec!["tables".into(), tname.clone(), "indexes".into()];
                    return Err(self.error(&path, format!("index name {name:?} is used twice in the schema")));
                }
            }
        }

        let mut foreign_keys = Vec::new();
        for (name, value) in tables.iter().flat_map(|t| t.iter()) {
            let path = vec!["tables".to_string(), name.clone()];
            let (table, sequences) = self.table(name, value, &path, &mut foreign_keys)?;
            for seq in sequences {
                schema.sequences.insert(seq.name.clone(), seq);
            }
            schema.tables.insert(table.name.clone(), table);
        }
        // Foreign keys last: they may point at tables further down the file.
        for fk in foreign_keys {
            self.foreign_key(&mut schema, fk)?;
        }
        for (name, value) in views.iter().flat_map(|v| v.iter()) {
            let view = self.view(name, value, &["views".into(), name.clone()])?;
            schema.views.insert(view.name.clone(), view);
        }
        for (key, procedure) in [("procedures", true), ("functions", false)] {
            let Some(list) = top.get(key) else { continue };
            let path = vec![key.to_string()];
            for (i, value) in self.array(list, &path, &format!("{key:?}"))?.iter().enumerate() {
                let routine_path = child(&path, i.to_string());
                let function = self.routine(value, &routine_path, procedure)?;
                let signature = function.signature();
                if schema.functions.contains_key(&signature) {
                    return Err(self.error(&routine_path, format!("{signature} is defined twice")));
                }
                schema.functions.insert(signature, function);
            }
        }
        // Expressions and view queries as PostgreSQL would store them, like
        // the SQL reader's (the snapshot's SQL is written by hand).
        // After every name the schema states is known, so that the names of
        // the triggers and functions made for ON UPDATE avoid them.
        crate::dialect::settle_json(&mut schema, true, self.warnings)?;
        Ok(schema)
    }

    fn table(
        &mut self,
        name: &str,
        value: &Value,
        path: &[String],
        foreign_keys: &mut Vec<PendingForeignKey>,
    ) -> Result<(Table, Vec<Sequence>)> {
        let map = self.object(value, path, &format!("table {name:?}"))?;
        self.check_keys(map, TABLE_KEYS, path, &format!("table {name:?}"));
        let mut table = Table::new(self.qname(name), self.loc(path));
        table.comment = self.string(map, "comment", path)?.map(str::to_string);

        let mut flags = Vec::new();
        if let Some(columns) = map.get("columns") {
            let cpath = child(path, "columns");
            for (cname, cvalue) in self.object(columns, &cpath, "\"columns\"")? {
                let (column, f) = self.column(name, cname, cvalue, &child(&cpath, cname))?;
                table.columns.push(column);
                flags.push(f);
            }
        }
        let column_names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();

        // Order of generated names follows CREATE TABLE: serial sequences
        // while columns are transformed, CHECK constraints when the table is
        // created, then the indexes behind PRIMARY KEY and UNIQUE.
        let sequences = self.auto_increments(&mut table, &flags, path)?;

        let empty = Map::new();
        let cpath = child(path, "constraints");
        let constraints = match map.get("constraints") {
            Some(v) => self.object(v, &cpath, "\"constraints\"")?,
            None => &empty,
        };
        self.check_keys(constraints, CONSTRAINT_KEYS, &cpath, "\"constraints\"");

        if let Some(checks) = constraints.get("check") {
            let kpath = child(&cpath, "check");
            for (i, check) in self.array(checks, &kpath, "\"check\"")?.iter().enumerate() {
                let ipath = child(&kpath, i.to_string());
                let text = check.as_str().ok_or_else(|| {
                    self.error(&ipath, format!("a CHECK must be an expression string, found {}", kind(check)))
                })?;
                let expr = collapse_whitespace(text);
                let referenced = crate::dialect::check_columns(self.dialect, &expr, &column_names);
                let column = if referenced.len() == 1 { Some(referenced[0].as_str()) } else { None };
                let cname = crate::dialect::implicit_name(self.dialect, name, column, "check", &mut self.taken);
                let kind = ConstraintKind::Check { expr: Expr(expr), no_inherit: false };
                table.constraints.insert(cname.clone(), constraint(cname, kind, self.loc(&ipath)));
            }
        }

        self.primary_key(&mut table, &flags, constraints, path)?;
        self.uniques(&mut table, &flags, constraints, path)?;

        if let Some(fks) = constraints.get("foreign_key") {
            let kpath = child(&cpath, "foreign_key");
            for (i, fk) in self.array(fks, &kpath, "\"foreign_key\"")?.iter().enumerate() {
                foreign_keys.push(self.pending_foreign_key(&table, fk, &child(&kpath, i.to_string()))?);
            }
        }

        if let Some(indexes) = map.get("indexes") {
            let ipath = child(path, "indexes");
            for (i, value) in self.array(indexes, &ipath, "\"indexes\"")?.iter().enumerate() {
                let index = self.index(&table, value, &child(&ipath, i.to_string()))?;
                table.indexes.insert(index.name.clone(), index);
            }
        }
        Ok((table, sequences))
    }

    fn column(&mut self, table: &str, name: &str, value: &Value, path: &[String]) -> Result<(Column, ColumnFlags)> {
        let what = format!("column {table}.{name}");
        let map = self.object(value, path, &what)?;
        self.check_keys(map, COLUMN_KEYS, path, &what);
        let raw_type = self.string(map, "type", path)?.ok_or_else(|| {
            self.error(path, format!("{what} has no \"type\"")).help("add e.g. \"type\": \"integer\"")
        })?;
        let modifiers = Modifiers {
            length: self.number(map, "length", path)?,
            precision: self.number(map, "precision", path)?,
            scale: self.number(map, "scale", path)?,
        };
        let ty = snapshot_type(raw_type, modifiers, self.dialect)
            .ok_or_else(|| self.error(&child(path, "type"), format!("{raw_type:?} is not a data type")))?;
        let mut column = Column::new(name.to_string(), ty.data_type, self.loc(path));
        column.nullable = self.bool(map, "nullable", path)?.unwrap_or(true);
        column.comment = self.string(map, "comment", path)?.map(str::to_string);
        column.collation = self.string(map, "collation", path)?.map(str::to_string);

        let dpath = child(path, "default");
        let (default, mut on_update) = match map.get("default") {
            None | Some(Value::Null) => (None, None),
            Some(Value::String(s)) => split_on_update(s),
            Some(v @ (Value::Bool(_) | Value::Number(_))) => (Some(v.to_string()), None),
            Some(v) => {
                return Err(
                    self.error(&dpath, format!("a default must be a string, number or boolean, found {}", kind(v)))
                );
            }
        };
        column.default = default.as_deref().and_then(default_expr);
        if let Some(explicit) = self.string(map, "on_update", path)? {
            on_update = Some(explicit.to_string());
        }
        // Recorded as read; for PostgreSQL it becomes a trigger once the
        // whole schema is known (see `on_update`).
        column.on_update = on_update.as_deref().and_then(default_expr);
        let flags = ColumnFlags {
            primary_key: self.bool(map, "primary_key", path)?.unwrap_or(false),
            unique: self.bool(map, "unique", path)?.unwrap_or(false),
            auto_increment: self.bool(map, "auto_increment", path)?.unwrap_or(false) || ty.serial,
        };
        Ok((column, flags))
    }

    /// Auto-increment columns. Where the dialect has serial columns
    /// ([`crate::dialect::serial_columns`]: PostgreSQL) they become exactly what
    /// `serial`/`bigserial` would have made: NOT NULL, a `nextval` default and
    /// a sequence `<table>_<column>_seq` owned by the column (`AS integer`
    /// for serial, no AS for bigserial since bigint is the sequence default).
    /// Serial rather than identity because the snapshot format predates
    /// identity columns and tools that write it (and pg_dump of such
    /// databases) describe serial columns.
    fn auto_increments(&mut self, table: &mut Table, flags: &[ColumnFlags], path: &[String]) -> Result<Vec<Sequence>> {
        let mut sequences = Vec::new();
        let serial = crate::dialect::serial_columns(self.dialect);
        for (column, _) in table.columns.iter_mut().zip(flags).filter(|(_, f)| f.auto_increment) {
            let cpath = child(&child(path, "columns"), &column.name);
            let as_type = match column.data_type.to_string().as_str() {
                "bigint" => None,
                "integer" | "smallint" => Some(column.data_type.clone()),
                other if serial => {
                    return Err(self
                        .error(&cpath, format!("auto_increment needs an integer column, {} is {other}", column.name)));
                }
                _ => None,
            };
            if !serial {
                column.identity = Some(Box::new(Identity { always: false, sequence: None, options: SequenceOptions::default() }));
                continue;
            }
            if column.default.is_some() {
                let msg = format!(
                    "{}.{} is auto_increment, its default is replaced by the sequence",
                    table.name.name, column.name
                );
                self.warnings.push(Warning { message: msg, location: column.location.clone() });
            }
            let seq_name = QName::new(
                self.namespace.clone(),
                crate::dialect::implicit_name(self.dialect, &table.name.name, Some(&column.name), "seq", &mut self.taken),
            );
            column.nullable = false;
            let nextval = format!("nextval({}::regclass)", quote_literal(&seq_name.to_string()));
            column.default = Some(Expr(nextval));
            sequences.push(Sequence {
                name: seq_name,
                options: SequenceOptions { data_type: as_type, ..SequenceOptions::default() },
                owned_by: Some((table.name.clone(), column.name.clone())),
                comment: None,
                location: column.location.clone(),
            });
        }
        Ok(sequences)
    }

    fn primary_key(
        &mut self,
        table: &mut Table,
        flags: &[ColumnFlags],
        constraints: &Map<String, Value>,
        tpath: &[String],
    ) -> Result<()> {
        let cpath = child(tpath, "constraints");
        let flagged: Vec<String> =
            table.columns.iter().zip(flags).filter(|(_, f)| f.primary_key).map(|(c, _)| c.name.clone()).collect();
        let kpath = child(&cpath, "primary_key");
        let listed = match constraints.get("primary_key") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => self.strings(v, &kpath, "\"primary_key\"")?,
        };
        let (columns, path) = if listed.is_empty() {
            let first = flagged.first().cloned().unwrap_or_default();
            (flagged, child(&child(tpath, "columns"), first))
        } else {
            let mut a = listed.clone();
            let mut b = flagged.clone();
            a.sort();
            b.sort();
            if !flagged.is_empty() && a != b {
                self.warn(
                    &kpath,
                    format!(
                        "primary key of {} is ({}) but columns flagged primary_key are ({}); used the constraint",
                        table.name.name,
                        listed.join(", "),
                        flagged.join(", ")
                    ),
                );
            }
            (listed, kpath)
        };
        if columns.is_empty() {
            return Ok(());
        }
        self.check_columns(table, &columns, &path)?;
        // PostgreSQL makes primary key columns NOT NULL.
        for c in table.columns.iter_mut().filter(|c| columns.contains(&c.name)) {
            c.nullable = false;
        }
        let name = crate::dialect::implicit_name(self.dialect, &table.name.name, None, "pkey", &mut self.taken);
        let kind = ConstraintKind::PrimaryKey { columns, include: Vec::new() };
        table.constraints.insert(name.clone(), constraint(name, kind, self.loc(&path)));
        Ok(())
    }

    /// UNIQUE constraints from the columns' `unique: true` and from
    /// `constraints.unique`. In that list a string is one column and a nested
    /// array one composite constraint (`[["user_id", "preference_key"]]` in
    /// the seed samples); the flat entries of the samples are exactly the
    /// columns flagged `unique: true`, which confirms the reading. A flat
    /// list naming several unflagged columns might have meant one composite
    /// constraint, so that case is read per column with a warning.
    fn uniques(
        &mut self,
        table: &mut Table,
        flags: &[ColumnFlags],
        constraints: &Map<String, Value>,
        tpath: &[String],
    ) -> Result<()> {
        let mut sets: Vec<(Vec<String>, Path)> = Vec::new();
        for (column, _) in table.columns.iter().zip(flags).filter(|(_, f)| f.unique) {
            sets.push((vec![column.name.clone()], child(&child(tpath, "columns"), &column.name)));
        }
        let kpath = child(&child(tpath, "constraints"), "unique");
        let mut unflagged = Vec::new();
        if let Some(list) = constraints.get("unique") {
            for (i, entry) in self.array(list, &kpath, "\"unique\"")?.iter().enumerate() {
                let ipath = child(&kpath, i.to_string());
                let columns = match entry {
                    Value::String(c) => {
                        let flagged = table.columns.iter().zip(flags).any(|(col, f)| &col.name == c && f.unique);
                        if !flagged {
                            unflagged.push(c.clone());
                        }
                        vec![c.clone()]
                    }
                    other => self.strings(other, &ipath, "a composite UNIQUE")?,
                };
                self.check_columns(table, &columns, &ipath)?;
                if !sets.iter().any(|(s, _)| *s == columns) {
                    sets.push((columns, ipath));
                }
            }
        }
        if unflagged.len() > 1 {
            self.warn(
                &kpath,
                format!(
                    "{}: read \"unique\": [{}] as one UNIQUE constraint per column; write [[{}]] for one composite constraint",
                    table.name.name,
                    unflagged.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", "),
                    unflagged.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", "),
                ),
            );
        }
        for (columns, path) in sets {
            let name = crate::dialect::implicit_name(self.dialect, &table.name.name, Some(&columns.join("_")), "key", &mut self.taken);
            let kind = ConstraintKind::Unique { columns, nulls_not_distinct: false, include: Vec::new() };
            table.constraints.insert(name.clone(), constraint(name, kind, self.loc(&path)));
        }
        Ok(())
    }

    fn check_columns(&self, table: &Table, columns: &[String], path: &[String]) -> Result<()> {
        match columns.iter().find(|c| table.column(c).is_none()) {
            Some(missing) => Err(self.error(path, format!("table {} has no column {missing:?}", table.name.name))),
            None => Ok(()),
        }
    }

    fn pending_foreign_key(&mut self, table: &Table, value: &Value, path: &[String]) -> Result<PendingForeignKey> {
        let map = self.object(value, path, "a foreign key")?;
        self.check_keys(map, FK_KEYS, path, "a foreign key");
        let columns = match map.get("columns") {
            Some(v) => self.strings(v, &child(path, "columns"), "\"columns\"")?,
            None => Vec::new(),
        };
        if columns.is_empty() {
            return Err(self.error(path, "a foreign key needs \"columns\""));
        }
        self.check_columns(table, &columns, path)?;
        let references = self.string(map, "references", path)?.ok_or_else(|| {
            self.error(path, "a foreign key needs \"references\"").help("e.g. \"references\": \"users(id)\"")
        })?;
        let (target, ref_columns) = parse_references(references, &self.namespace).ok_or_else(|| {
            self.error(&child(path, "references"), format!("cannot read {references:?} as table(column, …)"))
        })?;
        let action = |key: &str| -> Result<FkAction> {
            match self.string(map, key, path)? {
                None => Ok(FkAction::NoAction),
                Some(s) => parse_action(s).ok_or_else(|| {
                    self.error(&child(path, key), format!("unknown referential action {s:?}"))
                        .help("use CASCADE, SET NULL, SET DEFAULT, RESTRICT or NO ACTION")
                }),
            }
        };
        let (on_delete, on_update) = (action("on_delete")?, action("on_update")?);
        let deferrable = self.bool(map, "deferrable", path)?.unwrap_or(false);
        let initially_deferred = self.bool(map, "initially_deferred", path)?.unwrap_or(false);
        let name = match self.string(map, "name", path)? {
            Some(n) => {
                self.taken.insert(n.to_string());
                n.to_string()
            }
            None => crate::dialect::implicit_name(self.dialect, &table.name.name, Some(&columns.join("_")), "fkey", &mut self.taken),
        };
        Ok(PendingForeignKey {
            table: table.name.clone(),
            constraint: Constraint {
                not_valid: false,
                local: true,
                name,
                kind: ConstraintKind::ForeignKey {
                    columns,
                    references: target,
                    ref_columns,
                    on_delete,
                    on_update,
                    match_type: FkMatch::Simple,
                },
                deferrable,
                initially_deferred,
                comment: None,
                location: self.loc(path),
            },
            path: path.to_vec(),
        })
    }

    /// Attaches a foreign key once every table is known: `references: "t"`
    /// without columns means t's primary key, as in SQL.
    fn foreign_key(&mut self, schema: &mut Schema, mut fk: PendingForeignKey) -> Result<()> {
        if let ConstraintKind::ForeignKey { references, ref_columns, columns, .. } = &mut fk.constraint.kind {
            match schema.tables.get(references) {
                None => self.warn(
                    &fk.path,
                    format!("foreign key references {}, which is not in the snapshot", references.name),
                ),
                Some(target) => {
                    if ref_columns.is_empty() {
                        match target.primary_key().map(|pk| &pk.kind) {
                            Some(ConstraintKind::PrimaryKey { columns, .. }) => ref_columns.clone_from(columns),
                            _ => {
                                return Err(self
                                    .error(&fk.path, format!("{} has no primary key to reference", references.name)));
                            }
                        }
                    }
                    self.check_columns(target, ref_columns, &fk.path)?;
                }
            }
            if ref_columns.len() != columns.len() {
                return Err(
                    self.error(&fk.path, "a foreign key must name as many referenced columns as it has columns")
                );
            }
        }
        if let Some(table) = schema.tables.get_mut(&fk.table) {
            table.constraints.insert(fk.constraint.name.clone(), fk.constraint);
        }
        Ok(())
    }

    fn index(&mut self, table: &Table, value: &Value, path: &[String]) -> Result<Index> {
        let map = self.object(value, path, "an index")?;
        self.check_keys(map, INDEX_KEYS, path, "an index");
        let entries = match map.get("columns") {
            Some(v) => self.strings(v, &child(path, "columns"), "\"columns\"")?,
            None => Vec::new(),
        };
        if entries.is_empty() {
            return Err(self.error(path, "an index needs \"columns\""));
        }
        let mut keys = Vec::new();
        for entry in &entries {
            let key = index_key(entry);
            if !key.expression && table.column(&key.expr).is_none() {
                return Err(self.error(
                    &child(path, "columns"),
                    format!("table {} has no column {:?}", table.name.name, key.expr),
                ));
            }
            keys.push(key);
        }
        let name = match self.string(map, "name", path)? {
            Some(n) => n.to_string(),
            None => {
                let cols: Vec<&str> =
                    keys.iter().map(|k| if k.expression { "expr" } else { k.expr.as_str() }).collect();
                crate::dialect::implicit_name(self.dialect, &table.name.name, Some(&cols.join("_")), "idx", &mut self.taken)
            }
        };
        if table.indexes.contains_key(&name) {
            return Err(self.error(path, format!("index {name:?} is defined twice")));
        }
        let method = match (self.string(map, "method", path)?, self.string(map, "type", path)?) {
            (Some(m), _) | (None, Some(m)) => m.to_lowercase(),
            (None, None) => "btree".into(),
        };
        Ok(Index {
            name,
            unique: self.bool(map, "unique", path)?.unwrap_or(false),
            method,
            keys,
            include: Vec::new(),
            nulls_not_distinct: false,
            predicate: self.string(map, "where", path)?.map(|w| Expr(collapse_whitespace(w))),
            with: Vec::new(),
            comment: self.string(map, "comment", path)?.map(str::to_string),
            renamed_from: Default::default(),
            location: self.loc(path),
        })
    }

    /// Views keep the snapshot's column list as explicit column names: the
    /// snapshot states them, and `CREATE VIEW v (cols) AS …` gives the same
    /// catalog when they match the query's own output names.
    fn view(&mut self, name: &str, value: &Value, path: &[String]) -> Result<View> {
        let what = format!("view {name:?}");
        let map = self.object(value, path, &what)?;
        self.check_keys(map, VIEW_KEYS, path, &what);
        let definition = self
            .string(map, "definition", path)?
            .ok_or_else(|| self.error(path, format!("{what} has no \"definition\"")))?;
        let columns = match map.get("columns") {
            Some(v) => self.strings(v, &child(path, "columns"), "\"columns\"")?,
            None => Vec::new(),
        };
        let written = collapse_whitespace(definition).trim_end_matches(';').trim_end().to_string();
        let query = written;
        Ok(View {
            name: self.qname(name),
            materialized: self.bool(map, "materialized", path)?.unwrap_or(false),
            columns,
            query,
            with_no_data: false,
            options: Vec::new(),
            indexes: Default::default(),
            triggers: Default::default(),
            rules: Default::default(),
            comment: self.string(map, "comment", path)?.map(str::to_string),
            renamed_from: Default::default(),
            location: self.loc(path),
        })
    }

    /// A procedure (or, under `"functions"` or with `"returns"`, a function).
    fn routine(&mut self, value: &Value, path: &[String], procedure: bool) -> Result<Function> {
        let map = self.object(value, path, "a procedure")?;
        self.check_keys(map, ROUTINE_KEYS, path, "a procedure");
        let name = self.string(map, "name", path)?.ok_or_else(|| self.error(path, "a procedure needs a \"name\""))?;
        let mut args = Vec::new();
        if let Some(params) = map.get("parameters") {
            let ppath = child(path, "parameters");
            for (i, p) in self.strings(params, &ppath, "\"parameters\"")?.iter().enumerate() {
                let arg = parse_parameter(p, self.dialect).ok_or_else(|| {
                    self.error(&child(&ppath, i.to_string()), format!("cannot read parameter {p:?} as \"name TYPE\""))
                })?;
                args.push(arg);
            }
        }
        let returns = self.string(map, "returns", path)?.map(|r| {
            snapshot_type(r, Modifiers::default(), self.dialect)
                .map_or_else(|| r.trim().to_lowercase(), |t| t.data_type.to_string())
        });
        let definition = self
            .string(map, "definition", path)?
            .ok_or_else(|| self.error(path, format!("procedure {name:?} has no \"definition\"")))?;
        Ok(Function {
            name: self.qname(name),
            procedure: procedure && returns.is_none(),
            args,
            returns,
            language: self.string(map, "language", path)?.map_or("sql".into(), |l| l.to_lowercase()),
            body: definition.trim().to_string(),
            attributes: Vec::new(),
            comment: self.string(map, "comment", path)?.map(str::to_string),
            location: self.loc(path),
        })
    }
}

struct PendingForeignKey {
    table: QName,
    constraint: Constraint,
    path: Path,
}

fn constraint(name: String, kind: ConstraintKind, location: Location) -> Constraint {
    Constraint { name, kind, deferrable: false, initially_deferred: false, not_valid: false, local: true, comment: None, location }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An identifier as written in SQL-ish snapshot text: double quotes removed
/// (`""` → `"`), otherwise verbatim like the rest of the snapshot's names.
fn unquote(ident: &str) -> String {
    let t = ident.trim();
    match t.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => t.to_string(),
    }
}

/// `users(id)`, `public.users (a, b)` or just `users`.
fn parse_references(text: &str, namespace: &str) -> Option<(QName, Vec<String>)> {
    let (table, columns) = match text.find('(') {
        Some(open) => {
            let inner = text[open + 1..].trim_end().strip_suffix(')')?;
            let cols: Vec<String> = inner.split(',').map(unquote).collect();
            if cols.iter().any(String::is_empty) {
                return None;
            }
            (text[..open].trim(), cols)
        }
        None => (text.trim(), Vec::new()),
    };
    let mut name = QName::parse(table)?;
    if name.schema.is_empty() {
        name.schema = namespace.to_string();
    }
    Some((name, columns))
}

fn parse_action(text: &str) -> Option<FkAction> {
    let words = text.replace('_', " ").split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase();
    Some(match words.as_str() {
        "NO ACTION" => FkAction::NoAction,
        "RESTRICT" => FkAction::Restrict,
        "CASCADE" => FkAction::Cascade,
        "SET NULL" => FkAction::SetNull,
        "SET DEFAULT" => FkAction::SetDefault,
        _ => return None,
    })
}

/// An index column entry: `email`, `"Email" DESC`, `created_at DESC NULLS LAST`,
/// or an expression such as `lower(email)`.
fn index_key(entry: &str) -> IndexKey {
    let mut key = IndexKey {
        expr: String::new(),
        expression: false,
        collation: None,
        opclass: None,
        descending: false,
        nulls_first: None,
    };
    let text = collapse_whitespace(entry);
    let mut words: Vec<&str> = text.split(' ').collect();
    // Direction and null ordering are trailing keywords.
    loop {
        let upper: Vec<String> = words.iter().rev().take(2).map(|w| w.to_uppercase()).collect();
        match upper.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["FIRST", "NULLS", ..] => key.nulls_first = Some(true),
            ["LAST", "NULLS", ..] => key.nulls_first = Some(false),
            ["DESC", ..] => key.descending = true,
            ["ASC", ..] => {}
            _ => break,
        }
        let n = if matches!(upper.first().map(String::as_str), Some("FIRST" | "LAST")) { 2 } else { 1 };
        if words.len() <= n {
            break;
        }
        words.truncate(words.len() - n);
    }
    // NULLS FIRST is the default for DESC and NULLS LAST for ASC: the model
    // records only a departure from the default.
    if key.nulls_first == Some(key.descending) {
        key.nulls_first = None;
    }
    let rest = words.join(" ");
    if rest.contains('(') || rest.contains(' ') {
        let inner = strip_outer_parens(&rest);
        key.expr = inner.to_string();
        key.expression = true;
    } else {
        key.expr = unquote(&rest);
    }
    key
}

/// `user_id BIGINT`, `IN p_limit integer DEFAULT 10`, or a bare type.
fn parse_parameter(text: &str, dialect: Dialect) -> Option<FunctionArg> {
    let mut text = collapse_whitespace(text);
    let mut default = None;
    if let Some(at) = text.to_ascii_uppercase().find(" DEFAULT ").or_else(|| text.find(" = ")) {
        let sep = if text[at..].starts_with(" = ") { 3 } else { 9 };
        // TODO(expr): canonicalize the parameter default.
        default = Some(Expr(text[at + sep..].trim().to_string()));
        text.truncate(at);
    }
    let mut words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    let mode = match words.first().map(|w| w.to_uppercase()).as_deref() {
        Some("IN") => ArgMode::In,
        Some("OUT") => ArgMode::Out,
        Some("INOUT") => ArgMode::InOut,
        Some("VARIADIC") => ArgMode::Variadic,
        _ => ArgMode::In,
    };
    if words.len() > 1 && matches!(words[0].to_uppercase().as_str(), "IN" | "OUT" | "INOUT" | "VARIADIC") {
        words.remove(0);
    }
    if words.is_empty() {
        return None;
    }
    // A parameter name is optional; multi-word type names must not be
    // mistaken for a name followed by a type.
    let joined = words.join(" ").to_lowercase();
    let multiword_type =
        ["double precision", "character varying", "char varying", "bit varying", "timestamp ", "time "]
            .iter()
            .any(|t| joined.starts_with(t));
    let (name, type_text) = if words.len() > 1 && !multiword_type {
        (Some(unquote(words[0])), words[1..].join(" "))
    } else {
        (None, words.join(" "))
    };
    let data_type: DataType = snapshot_type(&type_text, Modifiers::default(), dialect)?.data_type;
    Some(FunctionArg { name, mode, data_type, default })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(parse_references("users(id)", "public"), Some((QName::new("public", "users"), vec!["id".into()])));
        assert_eq!(
            parse_references("app.\"Orders\" (a, \"B\")", "public"),
            Some((QName::new("app", "Orders"), vec!["a".into(), "B".into()]))
        );
        assert_eq!(parse_references("users", "public"), Some((QName::new("public", "users"), vec![])));
        assert_eq!(parse_references("users(", "public"), None);
    }

    #[test]
    fn actions() {
        assert_eq!(parse_action("CASCADE"), Some(FkAction::Cascade));
        assert_eq!(parse_action("set_null"), Some(FkAction::SetNull));
        assert_eq!(parse_action("no  action"), Some(FkAction::NoAction));
        assert_eq!(parse_action("explode"), None);
    }

    #[test]
    fn index_keys() {
        let k = index_key("created_at DESC");
        assert_eq!((k.expr.as_str(), k.descending, k.nulls_first), ("created_at", true, None));
        let k = index_key("created_at DESC NULLS LAST");
        assert_eq!((k.descending, k.nulls_first), (true, Some(false)));
        let k = index_key("lower(email)");
        assert!(k.expression);
        assert_eq!(k.expr, "lower(email)");
        assert_eq!(index_key("\"Email\"").expr, "Email");
    }

    #[test]
    fn parameters() {
        let a = parse_parameter("user_id BIGINT", Dialect::Postgres).unwrap();
        assert_eq!(
            (a.name.as_deref(), a.data_type.to_string(), a.mode),
            (Some("user_id"), "bigint".into(), ArgMode::In)
        );
        let a = parse_parameter("double precision", Dialect::Postgres).unwrap();
        assert_eq!((a.name, a.data_type.to_string()), (None, "double precision".into()));
        let a = parse_parameter("OUT total numeric(10,2)", Dialect::Postgres).unwrap();
        assert_eq!((a.mode, a.data_type.to_string()), (ArgMode::Out, "numeric(10,2)".into()));
        let a = parse_parameter("p_limit int DEFAULT 10", Dialect::Postgres).unwrap();
        assert_eq!(a.default, Some(Expr("10".into())));
        assert!(parse_parameter("   ", Dialect::Postgres).is_none());
    }
}
