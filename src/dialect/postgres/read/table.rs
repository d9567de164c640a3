//! CREATE TABLE and ALTER TABLE.

use std::collections::HashSet;
use super::hand::{self, parse_sequence_options};
use super::names::{choose_constraint_name, choose_relation_name, index_column_names, name_addition};
use super::tokens::{Cursor, blank_out};
use super::{Applied, PgReader, Stmt, canon, column_of, ident, idents};
use crate::error::{Error, Result};
use crate::model::{
    Column, Constraint, ConstraintKind, DataType, Expr, FkAction, FkMatch, Identity, Location, PartitionOf, QName,
    Sequence, SequenceOptions, Table,
};
use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, ColumnOption, GeneratedAs, ReferentialAction, Statement,
    TableConstraint,
};
use sqlparser::tokenizer::Token;

/// Identity options cut out of the statement before sqlparser sees it
/// (sqlparser 0.63 only accepts sequence options in one fixed order, and not
/// `SEQUENCE NAME`), in the order the identity columns appear.
pub(super) struct IdentityOptions {
    found: std::collections::VecDeque<(SequenceOptions, Option<Vec<String>>)>,
    /// Which column-level UNIQUE constraints (counted in order) were
    /// `UNIQUE NULLS NOT DISTINCT` before their NULLS NOT DISTINCT was cut.
    nulls_not_distinct: Vec<usize>,
    unique_seen: usize,
}

/// Blanks out what sqlparser 0.63 rejects in CREATE/ALTER TABLE — identity
/// option lists (`AS IDENTITY ( … )`) and column-level `UNIQUE NULLS NOT
/// DISTINCT` — remembering them for the columns they belong to.
pub(super) fn cut_identity_options(st: &Stmt<'_>) -> Result<(String, IdentityOptions)> {
    let mut text = st.text.to_string();
    let mut found = std::collections::VecDeque::new();
    let (mut nulls_not_distinct, mut unique_seen) = (Vec::new(), 0usize);
    // Most statements have neither: skip tokenizing them again.
    if !contains_word(st.text, "IDENTITY") && !contains_word(st.text, "NULLS") {
        return Ok((text, IdentityOptions { found, nulls_not_distinct, unique_seen: 0 }));
    }
    let mut cur = st.tokens()?;
    while !cur.at_end() {
        if cur.peek_kw("AS") && cur.peek_kw_at(1, "IDENTITY") {
            // One slot per identity column, with or without options, so that
            // options go to the column they were written on.
            cur.next();
            cur.next();
            if cur.peek() == Some(&Token::LParen) {
                let start = cur.offset();
                let (inner_start, inner_end) =
                    cur.paren_group().ok_or_else(|| Error::data("unbalanced parentheses").at(st.location()))?;
                found.push_back(parse_sequence_options(st, &st.text[inner_start..inner_end])?);
                blank_out(&mut text, start, inner_end + 1);
            } else {
                found.push_back((SequenceOptions::default(), None));
            }
        } else if cur.peek_kw("UNIQUE") && cur.peek_kw_at(1, "NULLS") && cur.peek_kw_at(2, "NOT") && cur.peek_kw_at(3, "DISTINCT")
            && cur.peek_at(4) != Some(&Token::LParen)
        {
            // Column-level UNIQUE NULLS NOT DISTINCT, which sqlparser 0.63 rejects.
            cur.next();
            let start = cur.offset();
            cur.pos += 2;
            let end = cur.tok(cur.pos).map_or(text.len(), |t| t.end);
            cur.next();
            blank_out(&mut text, start, end);
            nulls_not_distinct.push(unique_seen);
            unique_seen += 1;
        } else {
            if cur.peek_kw("UNIQUE") && cur.peek_at(1) != Some(&Token::LParen) && !cur.peek_kw_at(1, "NULLS") {
                unique_seen += 1;
            }
            cur.next();
        }
    }
    Ok((text, IdentityOptions { found, nulls_not_distinct, unique_seen: 0 }))
}

/// What [`cut_table_clauses`] takes out of a CREATE TABLE.
#[derive(Default)]
pub(super) struct TableClauses {
    /// `WITH (…)` storage parameters, as [`super::properties::storage_parameters`] gives them.
    with: Vec<String>,
    /// `column COMPRESSION method` (PostgreSQL 14+).
    compression: Vec<(String, String)>,
    /// `column STORAGE kind` (PostgreSQL 16+).
    storage: Vec<(String, crate::model::Storage)>,
}

/// Blanks out what sqlparser 0.63 does not read in a CREATE TABLE — the
/// table's `WITH (…)` storage parameters (it rejects `toast.` names),
/// `WITHOUT OIDS`, and the column options `COMPRESSION` and `STORAGE` —
/// and returns them.
fn cut_table_clauses(st: &Stmt<'_>, text: &mut String) -> Result<TableClauses> {
    let mut clauses = TableClauses::default();
    let lower = text.to_ascii_lowercase();
    let with_list = lower.match_indices("with").any(|(i, _)| lower[i + 4..].trim_start().starts_with('('));
    if !with_list && !contains_word(text, "COMPRESSION") && !contains_word(text, "STORAGE") && !contains_word(text, "OIDS") {
        return Ok(clauses);
    }
    let original = text.clone();
    let mut cur = Cursor::new(&original).map_err(|e| Error::data(e.message).at(st.location_at(e.line, e.column)))?;
    let (mut depth, mut element_start, mut column): (i32, bool, Option<String>) = (0, false, None);
    let error = |what: &str| Error::data(format!("invalid SQL: {what}")).at(st.location());
    while !cur.at_end() {
        match cur.peek() {
            Some(Token::LParen) if depth == 0 => {
                depth = 1;
                element_start = true;
                cur.next();
                continue;
            }
            Some(Token::LParen) => depth += 1,
            Some(Token::RParen) => depth -= 1,
            Some(Token::Comma) if depth == 1 => {
                element_start = true;
                column = None;
                cur.next();
                continue;
            }
            _ => {}
        }
        if depth == 1 && element_start {
            element_start = false;
            let constraint = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE", "LIKE"].iter().any(|w| cur.peek_kw(w));
            column = if constraint { None } else { cur.ident() };
            continue;
        }
        let option = if cur.peek_kw("COMPRESSION") { Some(true) } else if cur.peek_kw("STORAGE") { Some(false) } else { None };
        if let (1, Some(compression), Some(name), Some(Token::Word(w))) = (depth, option, column.clone(), cur.peek_at(1).cloned()) {
            let start = cur.offset();
            cur.pos += 2;
            let end = cur.tok(cur.pos - 1).map_or(original.len(), |t| t.end);
            blank_out(text, start, end);
            if compression {
                clauses.compression.push((name, w.value.to_ascii_lowercase()));
            } else {
                let storage = crate::model::Storage::parse(&w.value).ok_or_else(|| error("expected PLAIN, EXTERNAL, EXTENDED or MAIN after STORAGE"))?;
                clauses.storage.push((name, storage));
            }
            continue;
        }
        // `FOR VALUES WITH (MODULUS …)` is a hash partition's bound, not parameters.
        let after_values = cur.pos > 0 && matches!(cur.tok(cur.pos - 1).map(|t| &t.token), Some(Token::Word(w)) if w.value.eq_ignore_ascii_case("VALUES"));
        if depth == 0 && !after_values && cur.peek_kw("WITH") && cur.peek_at(1) == Some(&Token::LParen) {
            let start = cur.offset();
            cur.next();
            let (a, b) = cur.paren_group().ok_or_else(|| error("unbalanced parentheses"))?;
            let items = super::properties::storage_parameters(&original[a..b], true)
                .map_err(|what| error(&format!("expected {what} in WITH (…)")))?;
            super::properties::merge_parameters(&mut clauses.with, &items, &[]);
            blank_out(text, start, b + 1);
            continue;
        }
        if depth == 0 && cur.peek_kw("WITHOUT") && cur.peek_kw_at(1, "OIDS") {
            let start = cur.offset();
            cur.pos += 2;
            blank_out(text, start, cur.tok(cur.pos - 1).map_or(original.len(), |t| t.end));
            continue;
        }
        cur.next();
    }
    Ok(clauses)
}

/// The CREATE TABLE text sqlparser is given, and what was cut out of it.
pub(super) fn create_table_text(st: &Stmt<'_>) -> Result<(String, IdentityOptions, TableClauses)> {
    let (mut text, identity) = cut_identity_options(st)?;
    let clauses = cut_table_clauses(st, &mut text)?;
    Ok((text, identity, clauses))
}

pub fn create_table(r: &mut PgReader, st: &Stmt<'_>) -> Result<Applied> {
    let (text, mut identity, clauses) = create_table_text(st)?;
    let parsed = r.parse_shared(st, &text)?;
    let ct = match &*parsed {
        Statement::CreateTable(ct) => ct,
        _ => return Err(Error::data("expected CREATE TABLE").at(st.location())),
    };
    let name = r.qname(&ct.name);
    if r.schema.tables.contains_key(&name) {
        if ct.if_not_exists {
            return Ok(Applied::Done);
        }
        return Err(Error::data(format!("table {name} is created twice")).at(st.location()));
    }
    let mut table = Table::new(name.clone(), st.location());
    table.unlogged = ct.unlogged;
    if let Some(parent) = &ct.partition_of {
        let parent = r.lookup_table(parent);
        let Some(parent_table) = r.schema.tables.get(&parent) else { return Ok(Applied::MissingTable(parent)) };
        // A partition has its parent's columns (defaults and NOT NULL
        // included, storage and compression too), but not their statistics
        // targets or options.
        table.columns = parent_table
            .columns
            .iter()
            .map(|c| Column { location: st.location(), statistics: None, options: Vec::new(), ..c.clone() })
            .collect();
        let bound = ct.for_values.as_ref().map_or("DEFAULT".to_string(), |v| v.to_string());
        table.partition_of = Some(PartitionOf { parent, bound: normalize_bound(&bound) });
    }
    if let Some(by) = &ct.partition_by {
        table.partition_by = Some(normalize_partition_by(&by.to_string()).ok_or_else(|| {
            Error::data(format!("invalid SQL: expected RANGE, LIST or HASH and the partition key in parentheses after PARTITION BY, found `{by}`"))
                .at(st.location())
        })?);
    }
    let mut conflicting_defaults = Vec::new();
    if let Some(parents) = ct.inherits.as_ref().filter(|p| !p.is_empty()) {
        let parents: Vec<QName> = parents.iter().map(|p| r.lookup_table(p)).collect();
        // Checked before anything is created (a serial column's sequence):
        // with a schema split over files, the parent may come later.
        if let Some(missing) = parents.iter().find(|p| !r.schema.tables.contains_key(*p)) {
            return Ok(Applied::MissingTable(missing.clone()));
        }
        if table.partition_of.is_some() {
            return Err(Error::data("a partition cannot also inherit from other tables").at(st.location()));
        }
        conflicting_defaults = super::inherit::inherit_from_parents(r, &mut table, &parents, st)?;
    }
    let mut added = Added::new(&table);
    for col in &ct.columns {
        let default_given = add_column(r, &mut table, col, &mut identity, st, &mut added, true)?;
        if default_given {
            conflicting_defaults.retain(|c| *c != ident(&col.name));
        }
    }
    if let Some(column) = conflicting_defaults.first() {
        return Err(Error::data(format!("column {column} of {name} inherits conflicting default values"))
            .at(st.location())
            .help("declare the column with a DEFAULT of its own in this CREATE TABLE"));
    }
    for c in &ct.constraints {
        added.pending.push(table_constraint(r, c, st)?);
    }
    commit_constraints(r, &mut table, added.pending)?;
    table.with = clauses.with;
    for (column, method) in clauses.compression {
        let col = table.column_mut(&column).ok_or_else(|| Error::data(format!("column {column} of {name} does not exist")).at(st.location()))?;
        col.compression = (method != "default").then_some(method);
    }
    for (column, storage) in clauses.storage {
        let default = super::properties::default_storage(&r.schema.types, &table.column(&column).map(|c| c.data_type.clone()).unwrap_or(DataType::simple("")));
        let col = table.column_mut(&column).ok_or_else(|| Error::data(format!("column {column} of {name} does not exist")).at(st.location()))?;
        col.storage = Some(storage).filter(|s| Some(*s) != default);
    }
    let hints = super::hints::statement_hints(st.text, st.leading_comments);
    table.renamed_from = crate::model::RenameHint(hints.object);
    for (column, old) in hints.elements {
        if let Some(c) = table.column_mut(&column) {
            c.renamed_from = crate::model::RenameHint(Some(old));
        }
    }
    r.schema.tables.insert(name, table);
    Ok(Applied::Done)
}

/// What columns added to a table bring: their constraints, still to be
/// named, and every column name so far (for the duplicate check: a linear
/// lookup per column would make a wide table quadratic).
struct Added {
    pending: Vec<Pending>,
    names: HashSet<String>,
}

impl Added {
    fn new(table: &Table) -> Added {
        Added { pending: Vec::new(), names: table.columns.iter().map(|c| c.name.clone()).collect() }
    }
}

/// A constraint read from DDL whose name may still have to be generated.
pub struct Pending {
    pub name: Option<String>,
    pub not_valid: bool,
    pub kind: ConstraintKind,
    pub deferrable: bool,
    pub initially_deferred: bool,
    pub location: Location,
}

/// Adds a column declared in CREATE TABLE or ALTER TABLE … ADD COLUMN to
/// `table`; in CREATE TABLE (`merge`) one of the same name inherited from a
/// parent merges with it. Returns whether a DEFAULT clause was written.
fn add_column(
    r: &mut PgReader,
    table: &mut Table,
    col: &ast::ColumnDef,
    identity: &mut IdentityOptions,
    st: &Stmt<'_>,
    added: &mut Added,
    merge: bool,
) -> Result<bool> {
    let pending = &mut added.pending;
    let name = ident(&col.name);
    let merges = if added.names.insert(name.clone()) {
        false
    } else {
        match table.column(&name) {
            Some(existing) if merge && !existing.local => true,
            _ => return Err(Error::data(format!("column {name} of {} is defined twice", table.name)).at(st.location())),
        }
    };
    let mut default_given = false;
    let written = col.data_type.to_string();
    let resolved = super::types::resolve(&written, r.default_schema());
    // Where the column's name is, when the parser kept its position.
    let at = col.name.span.start;
    let location = if at.line > 0 { st.location_at(at.line, at.column) } else { st.location() };
    let mut column = Column::new(name.clone(), resolved.data_type.clone(), location);
    if resolved.serial {
        // serial = integer NOT NULL DEFAULT nextval('t_c_seq') + a sequence owned by the column.
        let seq_name = choose_relation_name(r, &table.name.schema, &table.name.name, Some(&name), "seq");
        let seq = QName::new(table.name.schema.clone(), seq_name);
        let as_type = match resolved.data_type.name.as_str() {
            "bigint" => None,
            other => Some(DataType::simple(other)),
        };
        r.schema.sequences.insert(
            seq.clone(),
            Sequence {
                name: seq.clone(),
                options: SequenceOptions { data_type: as_type, ..SequenceOptions::default() },
                owned_by: Some((table.name.clone(), name.clone())),
                comment: None,
                location: st.location(),
            },
        );
        column.default = Some(nextval_default(&seq));
        column.nullable = false;
        default_given = true;
    }
    for opt in &col.options {
        let cname = opt.name.as_ref().map(ident);
        match &opt.option {
            ColumnOption::Null => column.nullable = true,
            ColumnOption::NotNull => column.nullable = false,
            ColumnOption::Default(e) => {
                column.default = Some(column_default(e));
                default_given = true;
            }
            ColumnOption::Collation(c) => column.collation = Some(collation_name(c)),
            ColumnOption::PrimaryKey(pk) => {
                column.nullable = false;
                pending.push(Pending {
                not_valid: false,
                    name: cname.or(pk.name.as_ref().map(ident)),
                    kind: ConstraintKind::PrimaryKey { columns: vec![name.clone()], include: vec![] },
                    deferrable: characteristics(&pk.characteristics).0,
                    initially_deferred: characteristics(&pk.characteristics).1,
                    location: st.location(),
                });
            }
            ColumnOption::Unique(u) => pending.push(Pending {
                not_valid: false,
                name: cname.or(u.name.as_ref().map(ident)),
                kind: ConstraintKind::Unique {
                    columns: vec![name.clone()],
                    nulls_not_distinct: matches!(u.nulls_distinct, ast::NullsDistinctOption::NotDistinct) || {
                        let k = identity.unique_seen;
                        identity.unique_seen += 1;
                        identity.nulls_not_distinct.contains(&k)
                    },
                    include: vec![],
                },
                deferrable: characteristics(&u.characteristics).0,
                initially_deferred: characteristics(&u.characteristics).1,
                location: st.location(),
            }),
            ColumnOption::ForeignKey(fk) => {
                let mut p = foreign_key(r, fk, st);
                p.name = cname.or(p.name);
                if let ConstraintKind::ForeignKey { columns, .. } = &mut p.kind {
                    *columns = vec![name.clone()];
                }
                pending.push(p);
            }
            ColumnOption::Check(c) => pending.push(Pending {
                not_valid: false,
                name: cname.or(c.name.as_ref().map(ident)),
                kind: ConstraintKind::Check { expr: Expr(canon::expr_text(&c.expr)), no_inherit: c.no_inherit },
                deferrable: false,
                initially_deferred: false,
                location: st.location(),
            }),
            ColumnOption::Generated { generated_as, generation_expr, .. } => match generation_expr {
                Some(e) => column.generated = Some(Expr(canon::expr_text(e))),
                None => {
                    let (options, seq_name) = identity.found.pop_front().unwrap_or_default();
                    column.identity = Some(Box::new(make_identity(
                        r,
                        table,
                        &name,
                        &column.data_type,
                        matches!(generated_as, GeneratedAs::Always),
                        options,
                        seq_name,
                    )));
                    column.nullable = false;
                }
            },
            ColumnOption::Comment(c) => column.comment = Some(c.clone()),
            other => {
                return Err(Error::data(format!("column option `{other}` is not supported by PostgreSQL")).at(st.location()));
            }
        }
    }
    if merges {
        super::inherit::merge_local_column(table, column, default_given)?;
    } else {
        table.columns.push(column);
    }
    Ok(default_given)
}

fn make_identity(
    r: &PgReader,
    table: &Table,
    column: &str,
    column_type: &DataType,
    always: bool,
    mut options: SequenceOptions,
    seq_name: Option<Vec<String>>,
) -> Identity {
    let sequence = match seq_name {
        Some(parts) => r.qname_parts(&parts),
        None => QName::new(
            table.name.schema.clone(),
            choose_relation_name(r, &table.name.schema, &table.name.name, Some(column), "seq"),
        ),
    };
    // An identity sequence has the column's type unless told otherwise, and
    // pg_dump leaves `AS` out when it matches.
    let seq_type = options.data_type.take().unwrap_or_else(|| column_type.clone());
    options.data_type = Some(seq_type);
    hand::normalize_sequence_options(&mut options);
    Identity { always, sequence: Some(sequence), options }
}

/// The default PostgreSQL stores for a serial column (made canonical with
/// the rest of the model's expressions).
pub fn nextval_default(seq: &QName) -> Expr {
    Expr(format!("nextval({}::regclass)", crate::model::quote_literal(&seq.to_string())))
}

pub fn characteristics(c: &Option<ast::ConstraintCharacteristics>) -> (bool, bool) {
    match c {
        Some(c) => {
            let deferred = matches!(c.initially, Some(ast::DeferrableInitial::Deferred));
            (c.deferrable.unwrap_or(false) || deferred, deferred)
        }
        None => (false, false),
    }
}

fn action(a: &Option<ReferentialAction>) -> FkAction {
    match a {
        None | Some(ReferentialAction::NoAction) => FkAction::NoAction,
        Some(ReferentialAction::Restrict) => FkAction::Restrict,
        Some(ReferentialAction::Cascade) => FkAction::Cascade,
        Some(ReferentialAction::SetNull) => FkAction::SetNull,
        Some(ReferentialAction::SetDefault) => FkAction::SetDefault,
    }
}

fn foreign_key(r: &PgReader, fk: &ast::ForeignKeyConstraint, st: &Stmt<'_>) -> Pending {
    let (deferrable, initially_deferred) = characteristics(&fk.characteristics);
    Pending {
                not_valid: false,
        name: fk.name.as_ref().map(ident),
        kind: ConstraintKind::ForeignKey {
            columns: idents(&fk.columns),
            references: r.lookup_table(&fk.foreign_table),
            ref_columns: idents(&fk.referred_columns),
            on_delete: action(&fk.on_delete),
            on_update: action(&fk.on_update),
            match_type: match fk.match_kind {
                Some(ast::ConstraintReferenceMatchKind::Full) => FkMatch::Full,
                Some(ast::ConstraintReferenceMatchKind::Partial) => FkMatch::Partial,
                _ => FkMatch::Simple,
            },
        },
        deferrable,
        initially_deferred,
        location: st.location(),
    }
}

fn index_columns(cols: &[ast::IndexColumn], st: &Stmt<'_>) -> Result<Vec<String>> {
    cols.iter()
        .map(|c| {
            column_of(&c.column.expr)
                .ok_or_else(|| Error::data(format!("expected a column name, found `{}`", c.column.expr)).at(st.location()))
        })
        .collect()
}

pub fn table_constraint(r: &PgReader, c: &TableConstraint, st: &Stmt<'_>) -> Result<Pending> {
    Ok(match c {
        TableConstraint::PrimaryKey(pk) => {
            let (deferrable, initially_deferred) = characteristics(&pk.characteristics);
            Pending {
                not_valid: false,
                name: pk.name.as_ref().map(ident),
                kind: ConstraintKind::PrimaryKey { columns: index_columns(&pk.columns, st)?, include: idents(&pk.include) },
                deferrable,
                initially_deferred,
                location: st.location(),
            }
        }
        TableConstraint::Unique(u) => {
            let (deferrable, initially_deferred) = characteristics(&u.characteristics);
            Pending {
                not_valid: false,
                name: u.name.as_ref().map(ident),
                kind: ConstraintKind::Unique {
                    columns: index_columns(&u.columns, st)?,
                    nulls_not_distinct: matches!(u.nulls_distinct, ast::NullsDistinctOption::NotDistinct),
                    include: idents(&u.include),
                },
                deferrable,
                initially_deferred,
                location: st.location(),
            }
        }
        TableConstraint::ForeignKey(fk) => foreign_key(r, fk, st),
        TableConstraint::Check(ch) => Pending {
                not_valid: false,
            name: ch.name.as_ref().map(ident),
            kind: ConstraintKind::Check { expr: Expr(canon::expr_text(&ch.expr)), no_inherit: ch.no_inherit },
            deferrable: false,
            initially_deferred: false,
            location: st.location(),
        },
        TableConstraint::Exclude(ex) => {
            let (deferrable, initially_deferred) = characteristics(&ex.characteristics);
            Pending {
                not_valid: false,
                name: ex.name.as_ref().map(ident),
                kind: ConstraintKind::Exclude {
                    // Without USING, an exclusion constraint's index is a btree.
                    method: ex.index_method.as_ref().map_or("btree".into(), |m| m.value.to_lowercase()),
                    elements: ex
                        .elements
                        .iter()
                        .map(|e| (super::objects::index_key_text(&e.column), e.operator.to_string()))
                        .collect(),
                    include: idents(&ex.include),
                    predicate: ex.where_clause.as_ref().map(|w| Expr(canon::expr_text(w))),
                },
                deferrable,
                initially_deferred,
                location: st.location(),
            }
        }
        TableConstraint::UniqueUsingIndex(_) | TableConstraint::PrimaryKeyUsingIndex(_) => {
            return Err(Error::data("cannot use an existing index in CREATE TABLE")
                .at(st.location())
                .help("create the table, then ALTER TABLE … ADD CONSTRAINT … USING INDEX"));
        }
        other => return Err(Error::data(format!("constraint `{other}` is not supported by PostgreSQL")).at(st.location())),
    })
}

/// Names the pending constraints the way PostgreSQL would and adds them.
pub fn commit_constraints(r: &mut PgReader, table: &mut Table, pending: Vec<Pending>) -> Result<()> {
    // PostgreSQL names index-backed constraints first, then CHECKs, then foreign keys.
    let order = |k: &ConstraintKind| match k {
        ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. } | ConstraintKind::Exclude { .. } => 0,
        ConstraintKind::Check { .. } => 1,
        ConstraintKind::ForeignKey { .. } => 2,
    };
    let mut pending = pending;
    pending.sort_by_key(|p| order(&p.kind));
    let mut taken: Vec<String> = table.constraints.keys().cloned().collect();
    for p in pending {
        if let ConstraintKind::PrimaryKey { columns, .. } = &p.kind {
            if table.primary_key().is_some() {
                return Err(Error::data(format!("multiple primary keys for table {}", table.name)).at(p.location));
            }
            for c in columns {
                if let Some(col) = table.column_mut(c) {
                    col.nullable = false;
                }
            }
        }
        let name = match p.name {
            Some(n) => n,
            None => generated_name(r, table, &p.kind, &taken),
        };
        if let Some(existing) = table.constraints.get_mut(&name) {
            // A CHECK declared by a table that inherits the same CHECK (same
            // name and expression) merges with it: the table now declares it too.
            if !existing.local && super::inherit::same_check(r, &table.name, &existing.kind, &p.kind) && existing.inheritable() {
                existing.local = true;
                existing.location = p.location;
                continue;
            }
            let what = if existing.local { "is defined twice" } else { "conflicts with the inherited constraint of that name" };
            return Err(Error::data(format!("constraint {name} of {} {what}", table.name)).at(p.location));
        }
        taken.push(name.clone());
        r.note_name(&table.name.schema, &name);
        table.constraints.insert(
            name.clone(),
            Constraint {
                name,
                kind: p.kind,
                deferrable: p.deferrable,
                initially_deferred: p.initially_deferred,
                not_valid: p.not_valid,
                local: true,
                comment: None,
                location: p.location,
            },
        );
    }
    Ok(())
}

fn generated_name(r: &PgReader, table: &Table, kind: &ConstraintKind, taken: &[String]) -> String {
    let (schema, tname) = (&table.name.schema, &table.name.name);
    match kind {
        ConstraintKind::PrimaryKey { .. } => choose_constraint_name(r, schema, tname, None, "pkey", taken),
        ConstraintKind::Unique { columns, .. } => {
            choose_constraint_name(r, schema, tname, Some(&name_addition(columns.iter().map(String::as_str))), "key", taken)
        }
        ConstraintKind::Exclude { elements, .. } => {
            let keys: Vec<(String, bool)> = elements.iter().map(|(e, _)| (e.clone(), table.column(e).is_none())).collect();
            let cols = index_column_names(&keys);
            choose_constraint_name(r, schema, tname, Some(&name_addition(cols.iter().map(String::as_str))), "excl", taken)
        }
        ConstraintKind::ForeignKey { columns, .. } => {
            choose_constraint_name(r, schema, tname, Some(&name_addition(columns.iter().map(String::as_str))), "fkey", taken)
        }
        ConstraintKind::Check { expr, .. } => {
            // One referenced column → <table>_<column>_check, else <table>_check.
            let cols = referenced_columns(&expr.0, table);
            let col = if cols.len() == 1 { Some(cols[0].as_str()) } else { None };
            choose_constraint_name(r, schema, tname, col, "check", taken)
        }
    }
}

/// The distinct table columns an expression mentions (names not followed by `(`).
pub fn referenced_columns(expr: &str, table: &Table) -> Vec<String> {
    let Ok(mut cur) = Cursor::new(expr) else { return vec![] };
    let mut out: Vec<String> = Vec::new();
    while let Some(tok) = cur.next() {
        if let Token::Word(w) = tok {
            let name = if w.quote_style.is_some() { w.value.clone() } else { w.value.to_lowercase() };
            if cur.peek() != Some(&Token::LParen) && table.column(&name).is_some() && !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// A collation name as pg_dump prints it: quoted when needed, without `pg_catalog.`.
pub fn collation_name(c: &ast::ObjectName) -> String {
    let parts: Vec<String> = c
        .0
        .iter()
        .map(|p| match p {
            ast::ObjectNamePart::Identifier(id) => crate::model::quote_ident(&ident(id)),
            other => other.to_string(),
        })
        .collect();
    let joined = parts.join(".");
    joined.strip_prefix("pg_catalog.").map(str::to_string).unwrap_or(joined)
}

/// `RANGE (a, lower(b))`, its key expressions as written (made canonical
/// with the rest of the model's expressions).
fn normalize_partition_by(text: &str) -> Option<String> {
    let text = text.trim();
    let open = text.find('(')?;
    let strategy = text[..open].trim().to_uppercase();
    if !["RANGE", "LIST", "HASH"].contains(&strategy.as_str()) {
        return None;
    }
    let inner = text[open + 1..].trim_end().strip_suffix(')').unwrap_or(&text[open + 1..]);
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let keys: Vec<String> = super::function::split_top_level(inner)
        .iter()
        .map(|k| match sqlparser::parser::Parser::new(&dialect).try_with_sql(k).and_then(|mut p| p.parse_expr()) {
            Ok(e) => canon::expr_text(&e),
            Err(_) => k.split_whitespace().collect::<Vec<_>>().join(" "),
        })
        .collect();
    Some(format!("{strategy} ({})", keys.join(", ")))
}

fn normalize_bound(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn alter_table(r: &mut PgReader, st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<Applied> {
    // Forms sqlparser 0.63 does not parse: ATTACH/DETACH PARTITION.
    if let Some(applied) = hand::attach_or_detach_partition(r, st, cur)? {
        return Ok(applied);
    }
    if let Some(applied) = hand::inherit_or_no_inherit(r, st, cur)? {
        return Ok(applied);
    }
    if let Some(applied) = identity_or_expression(r, st)? {
        return Ok(applied);
    }
    if let Some(applied) = set_schema(r, st)? {
        return Ok(applied);
    }
    if let Some(split) = super::properties::split(st)? {
        // The other actions first (PostgreSQL adds columns before it sets
        // their properties), then the property actions.
        if let Some(rest) = &split.rest {
            let sub = Stmt { text: rest, prepared: None, ..*st };
            let mut sub_cur = sub.tokens()?;
            sub_cur.next();
            if let Applied::MissingTable(t) = alter_table(r, &sub, &mut sub_cur)? {
                return Ok(Applied::MissingTable(t));
            }
        }
        return super::properties::apply(r, st, split);
    }
    let (text, mut identity) = cut_identity_options(st)?;
    let parsed = r.parse_shared(st, &text)?;
    let at = match &*parsed {
        Statement::AlterTable(at) => at,
        _ => return Err(Error::data("expected ALTER TABLE").at(st.location())),
    };
    let name = r.lookup_table(&at.name);
    let Some(mut table) = r.schema.tables.remove(&name) else {
        if at.if_exists {
            return Ok(Applied::Done);
        }
        return Ok(Applied::MissingTable(name));
    };
    // Without ONLY, PostgreSQL carries most actions down to the tables that inherit from this one.
    let result = alter_operations(r, &mut table, &at.operations, &mut identity, st, !at.only);
    let new_name = table.name.clone();
    r.schema.tables.insert(new_name, table);
    result.map(|()| Applied::Done)
}

fn alter_operations(
    r: &mut PgReader,
    table: &mut Table,
    ops: &[AlterTableOperation],
    identity: &mut IdentityOptions,
    st: &Stmt<'_>,
    recurse: bool,
) -> Result<()> {
    use super::inherit;
    let has_children = |r: &PgReader, table: &Table| !r.schema.inheritors(&table.name).is_empty();
    for op in ops {
        match op {
            AlterTableOperation::AddColumn { column_def, if_not_exists, .. } => {
                let name = ident(&column_def.name);
                if *if_not_exists && table.column(&name).is_some() {
                    continue;
                }
                if !recurse && has_children(r, table) {
                    return Err(only_refused(table, &format!("column {name} must be added to the tables that inherit from it too"), st));
                }
                let before: Vec<String> = table.constraints.keys().cloned().collect();
                let mut added = Added::new(table);
                add_column(r, table, column_def, identity, st, &mut added, false)?;
                commit_constraints(r, table, added.pending)?;
                let column = table.column(&name).cloned().expect("just added");
                inherit::add_column_to_children(r, &table.name, &column, st)?;
                add_new_checks_to_children(r, table, &before, recurse, st)?;
            }
            AlterTableOperation::AddConstraint { constraint, not_valid } => {
                let before: Vec<String> = table.constraints.keys().cloned().collect();
                match constraint {
                    TableConstraint::UniqueUsingIndex(c) => super::using_index::add(r, table, c, false, *not_valid, st)?,
                    TableConstraint::PrimaryKeyUsingIndex(c) => super::using_index::add(r, table, c, true, *not_valid, st)?,
                    _ => {
                        let mut p = table_constraint(r, constraint, st)?;
                        p.not_valid = *not_valid;
                        commit_constraints(r, table, vec![p])?;
                    }
                }
                // A primary key makes its columns NOT NULL, and without ONLY
                // in the tables that inherit from this one too.
                let added_key = table.constraints.values().find(|c| !before.contains(&c.name)).and_then(|c| match &c.kind {
                    ConstraintKind::PrimaryKey { columns, .. } => Some(columns.clone()),
                    _ => None,
                });
                if let Some(columns) = added_key.filter(|_| recurse) {
                    for column in columns {
                        inherit::alter_column_below(r, &table.name, &column, |c| c.nullable = false);
                    }
                }
                add_new_checks_to_children(r, table, &before, recurse, st)?;
            }
            AlterTableOperation::DropColumn { column_names, if_exists, .. } => {
                for c in column_names {
                    let c = ident(c);
                    if table.column(&c).is_none() {
                        if *if_exists {
                            continue;
                        }
                        return Err(Error::data(format!("column {c} of {} does not exist", table.name)).at(st.location()));
                    }
                    if inherit::column_is_inherited(r, table, &c) {
                        return Err(inherited_refused(table, &format!("cannot drop inherited column {c}"), st));
                    }
                    drop_column(r, table, &c);
                    inherit::drop_column_from_children(r, &table.name, &c, recurse);
                }
            }
            AlterTableOperation::DropConstraint { name, if_exists, .. } => {
                let n = ident(name);
                if table.constraints.contains_key(&n) && inherit::check_is_inherited(r, table, &n) {
                    return Err(inherited_refused(table, &format!("cannot drop inherited constraint {n}"), st));
                }
                match table.constraints.remove(&n) {
                    Some(c) => {
                        super::properties::forget_index(table, &n);
                        // The partitions' copies go with it (same kind, or same name for a CHECK).
                        super::objects::remove_partition_clones(r, &table.name, |t| {
                            t.constraints.retain(|cn, x| !(x.kind == c.kind && (cn == &c.name || !matches!(c.kind, ConstraintKind::Check { .. }))))
                        });
                        if c.inheritable() {
                            inherit::drop_check_from_children(r, &table.name, &n, recurse);
                        }
                    }
                    None if *if_exists => {}
                    None => return Err(Error::data(format!("constraint {n} of {} does not exist", table.name)).at(st.location())),
                }
            }
            AlterTableOperation::RenameColumn { old_column_name, new_column_name } => {
                let (old, new) = (ident(old_column_name), ident(new_column_name));
                if inherit::column_is_inherited(r, table, &old) {
                    return Err(inherited_refused(table, &format!("cannot rename inherited column {old}"), st));
                }
                if !recurse && has_children(r, table) {
                    return Err(only_refused(table, &format!("column {old} must be renamed in the tables that inherit from it too"), st));
                }
                let mut renames = super::follow::column(&table.name, &old, &new);
                for d in r.schema.descendants(&table.name) {
                    if r.schema.tables.get(&d).is_some_and(|t| t.column(&old).is_some()) {
                        renames.columns.insert((d, old.clone()), new.clone());
                    }
                }
                super::follow::views_after_renames(r, Some(table), &renames);
                rename_column(r, table, &old, &new, st)?;
                for d in r.schema.descendants(&table.name) {
                    let mut t = r.schema.tables.remove(&d).expect("listed by descendants");
                    let result = if t.column(&old).is_some() { rename_column(r, &mut t, &old, &new, st) } else { Ok(()) };
                    r.schema.tables.insert(d, t);
                    result?;
                }
            }
            AlterTableOperation::RenameTable { table_name } => {
                let new = match table_name {
                    ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n) => n,
                };
                let parts: Vec<String> = new.0.iter().map(|p| p.to_string()).collect();
                let new_name = QName::new(table.name.schema.clone(), ident(&ast::Ident::new(parts.last().cloned().unwrap_or_default())));
                let new_name = match new.0.last() {
                    Some(ast::ObjectNamePart::Identifier(id)) => QName::new(table.name.schema.clone(), ident(id)),
                    _ => new_name,
                };
                super::follow::views_after_renames(r, Some(table), &super::follow::relation(&table.name, &new_name));
                rename_table_refs(r, &table.name, &new_name);
                for c in table.constraints.values_mut() {
                    if let ConstraintKind::ForeignKey { references, .. } = &mut c.kind
                        && *references == table.name
                    {
                        *references = new_name.clone();
                    }
                }
                table.name = new_name;
            }
            AlterTableOperation::RenameConstraint { old_name, new_name } => {
                let (old, new) = (ident(old_name), ident(new_name));
                if table.constraints.contains_key(&old) && inherit::check_is_inherited(r, table, &old) {
                    return Err(inherited_refused(table, &format!("cannot rename inherited constraint {old}"), st));
                }
                let mut c = table
                    .constraints
                    .remove(&old)
                    .ok_or_else(|| Error::data(format!("constraint {old} of {} does not exist", table.name)).at(st.location()))?;
                let inheritable = c.inheritable();
                c.name = new.clone();
                r.note_name(&table.name.schema, &new);
                // The constraint's index (if it has one) is renamed with it.
                super::properties::rename_index(table, &old, &new);
                table.constraints.insert(new.clone(), c);
                if inheritable {
                    for d in r.schema.descendants(&table.name) {
                        let t = r.schema.tables.get_mut(&d).expect("listed by descendants");
                        if let Some(mut k) = t.constraints.remove(&old) {
                            k.name = new.clone();
                            t.constraints.insert(new.clone(), k);
                        }
                    }
                }
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                alter_column(r, table, &ident(column_name), op, identity, st, recurse)?
            }
            AlterTableOperation::SetLogged => table.unlogged = false,
            AlterTableOperation::SetUnlogged => table.unlogged = true,
            AlterTableOperation::ValidateConstraint { name } => {
                let n = ident(name);
                let Some(c) = table.constraints.get(&n) else {
                    return Err(Error::data(format!("constraint {n} of {} does not exist", table.name)).at(st.location()));
                };
                let (inheritable, kind) = (c.inheritable(), c.kind.clone());
                // The copies below: of a CHECK in the tables that inherit
                // it, and in the partitions. PostgreSQL marks the constraint
                // valid only when it is valid in every one of them.
                let partitioned = table.partition_by.is_some();
                if inheritable && !recurse && (has_children(r, table) || partitioned) {
                    return Err(only_refused(table, &format!("constraint {n} must be validated on the tables below it too"), st));
                }
                table.constraints.get_mut(&n).expect("looked up above").not_valid = false;
                if inheritable {
                    for d in r.schema.descendants(&table.name) {
                        if let Some(k) = r.schema.tables.get_mut(&d).and_then(|t| t.constraints.get_mut(&n)) {
                            k.not_valid = false;
                        }
                    }
                }
                if partitioned {
                    super::objects::remove_partition_clones(r, &table.name, |t| {
                        if let Some(k) = t.constraints.get_mut(&n).filter(|k| k.kind == kind) {
                            k.not_valid = false;
                        }
                    });
                }
            }
            AlterTableOperation::OwnerTo { .. } => {}
            other => {
                // ENABLE ROW LEVEL SECURITY, REPLICA IDENTITY, SET (…), …
                let text = format!("ALTER TABLE {} {other}", table.name);
                r.opaque(&Stmt { text: &text, ..*st }, "ALTER TABLE");
            }
        }
    }
    Ok(())
}

/// PostgreSQL refuses `ALTER TABLE ONLY` for actions that must reach the
/// tables inheriting from this one.
fn only_refused(table: &Table, what: &str, st: &Stmt<'_>) -> Error {
    Error::data(format!("ALTER TABLE ONLY {}: {what}", table.name)).at(st.location()).help("leave out ONLY")
}

/// PostgreSQL refuses to change on a child alone what it inherits.
fn inherited_refused(table: &Table, what: &str, st: &Stmt<'_>) -> Error {
    Error::data(format!("{what} of {}: it comes from a table {} inherits from", table.name, table.name))
        .at(st.location())
        .help("change it on the parent table, or detach the table first with NO INHERIT")
}

/// The inheritable CHECKs `table` has now and did not have `before`, carried
/// down to the tables that inherit from it (PostgreSQL refuses ONLY there).
fn add_new_checks_to_children(r: &mut PgReader, table: &Table, before: &[String], recurse: bool, st: &Stmt<'_>) -> Result<()> {
    let added: Vec<Constraint> =
        table.constraints.values().filter(|c| c.inheritable() && !before.contains(&c.name)).cloned().collect();
    for c in added {
        if !recurse && !r.schema.inheritors(&table.name).is_empty() {
            return Err(only_refused(table, &format!("constraint {} must be added to the tables that inherit from it too", c.name), st));
        }
        super::inherit::add_check_to_children(r, &table.name, &c, st)?;
    }
    Ok(())
}

fn alter_column(
    r: &mut PgReader,
    table: &mut Table,
    column: &str,
    op: &AlterColumnOperation,
    identity: &mut IdentityOptions,
    st: &Stmt<'_>,
    recurse: bool,
) -> Result<()> {
    if table.column(column).is_none() {
        return Err(Error::data(format!("column {column} of {} does not exist", table.name)).at(st.location()));
    }
    // The same change on every table below, unless ONLY (ALTER TABLE's recursion).
    let below = |r: &mut PgReader, table: &Table, f: &dyn Fn(&mut Column)| {
        if recurse {
            super::inherit::alter_column_below(r, &table.name, column, f);
        }
    };
    match op {
        AlterColumnOperation::SetNotNull => {
            table.column_mut(column).unwrap().nullable = false;
            below(r, table, &|c| c.nullable = false);
        }
        AlterColumnOperation::DropNotNull => {
            table.column_mut(column).unwrap().nullable = true;
            below(r, table, &|c| c.nullable = true);
        }
        AlterColumnOperation::SetDefault { value } => {
            // A default that is just NULL is dropped with the model's other
            // expressions made canonical (PostgreSQL stores none).
            let d = Some(column_default(value));
            table.column_mut(column).unwrap().default = d.clone();
            below(r, table, &|c| c.default = d.clone());
        }
        AlterColumnOperation::DropDefault => {
            table.column_mut(column).unwrap().default = None;
            below(r, table, &|c| c.default = None);
        }
        AlterColumnOperation::SetDataType { data_type, .. } => {
            check_type_change(r, table, column, recurse, st)?;
            // Without COLLATE the column takes the new type's default collation.
            let t = super::types::resolve(&data_type.to_string(), r.default_schema()).data_type;
            let col = table.column_mut(column).unwrap();
            col.data_type = t.clone();
            col.collation = None;
            super::properties::reset_after_type_change(col);
            below(r, table, &|c| {
                c.data_type = t.clone();
                c.collation = None;
            });
        }
        AlterColumnOperation::AddGenerated { generated_as, .. } => {
            let (options, seq_name) = identity.found.pop_front().unwrap_or_default();
            let always = matches!(generated_as, Some(GeneratedAs::Always));
            let column_type = table.column(column).unwrap().data_type.clone();
            let id = make_identity(r, table, column, &column_type, always, options, seq_name);
            let col = table.column_mut(column).unwrap();
            col.identity = Some(Box::new(id));
            col.nullable = false;
        }
    }
    Ok(())
}

/// PostgreSQL changes the type of an inherited column only from the top:
/// on the parent, for every table below at once.
fn check_type_change(r: &PgReader, table: &Table, column: &str, recurse: bool, st: &Stmt<'_>) -> Result<()> {
    if super::inherit::column_is_inherited(r, table, column) {
        return Err(inherited_refused(table, &format!("cannot alter the type of inherited column {column}"), st));
    }
    if !recurse && !r.schema.inheritors(&table.name).is_empty() {
        return Err(only_refused(table, &format!("the type of column {column} must be changed in the tables that inherit from it too"), st));
    }
    Ok(())
}

/// Dropping a column drops what depends on it: constraints and indexes on
/// it, and the sequences it owns.
pub fn drop_column(r: &mut PgReader, table: &mut Table, column: &str) {
    table.columns.retain(|c| c.name != column);
    let mut gone: Vec<String> = Vec::new();
    table.constraints.retain(|n, c| constraint_uses(&c.kind, column).then(|| gone.push(n.clone())).is_none());
    table.indexes.retain(|n, i| {
        let uses = i.keys.iter().any(|k| k.expr == column || k.expression && referenced_in(&k.expr, column))
            || i.predicate.as_ref().is_some_and(|p| referenced_in(&p.0, column));
        uses.then(|| gone.push(n.clone())).is_none()
    });
    for n in gone {
        super::properties::forget_index(table, &n);
    }
    // So do the policies and extended statistics that mention it
    // (PostgreSQL refuses to drop a column a policy uses; the policy would
    // have to go first).
    table.policies.retain(|_, p| {
        !p.using.iter().chain(&p.with_check).any(|e| referenced_in(&e.0, column))
    });
    let tname = table.name.clone();
    r.schema.statistics.retain(|_, s| {
        s.table != tname || !(s.columns.iter().any(|c| c == column) || s.expressions.iter().any(|e| referenced_in(&e.0, column)))
    });
    for p in r.schema.publications.values_mut() {
        if let Some(t) = p.tables.get_mut(&tname) {
            t.columns.retain(|c| c != column);
        }
    }
    drop_owned_sequences(r, &tname, Some(column));
}

/// The sequences a table (or one of its columns) owns go with it, and so do
/// the privileges granted on them.
pub fn drop_owned_sequences(r: &mut PgReader, table: &QName, column: Option<&str>) {
    let owned: Vec<QName> = r
        .schema
        .sequences
        .values()
        .filter(|s| s.owned_by.as_ref().is_some_and(|(t, c)| t == table && column.is_none_or(|column| c == column)))
        .map(|s| s.name.clone())
        .collect();
    for s in owned {
        r.schema.sequences.remove(&s);
        super::grant::forget_privileges(r, "SEQUENCE", &s.to_string());
    }
}

fn referenced_in(expr: &str, column: &str) -> bool {
    let Ok(mut cur) = Cursor::new(expr) else { return false };
    while let Some(t) = cur.next() {
        if let Token::Word(w) = t {
            let n = if w.quote_style.is_some() { w.value } else { w.value.to_lowercase() };
            if n == column {
                return true;
            }
        }
    }
    false
}

fn constraint_uses(kind: &ConstraintKind, column: &str) -> bool {
    match kind {
        ConstraintKind::PrimaryKey { columns, include } | ConstraintKind::Unique { columns, include, .. } => {
            columns.iter().chain(include).any(|c| c == column)
        }
        ConstraintKind::ForeignKey { columns, .. } => columns.iter().any(|c| c == column),
        ConstraintKind::Check { expr, .. } => referenced_in(&expr.0, column),
        ConstraintKind::Exclude { elements, .. } => elements.iter().any(|(e, _)| e == column || referenced_in(e, column)),
    }
}

fn rename_column(r: &mut PgReader, table: &mut Table, old: &str, new: &str, st: &Stmt<'_>) -> Result<()> {
    if table.column(new).is_some() {
        return Err(Error::data(format!("column {new} of {} already exists", table.name)).at(st.location()));
    }
    if table.column(old).is_none() {
        return Err(Error::data(format!("column {old} of {} does not exist", table.name)).at(st.location()));
    }
    table.column_mut(old).expect("checked").name = new.to_string();
    let rename = |v: &mut Vec<String>| v.iter_mut().filter(|c| *c == old).for_each(|c| *c = new.to_string());
    // PostgreSQL refers to columns by number, so everything that uses the
    // column follows the rename: constraints, index keys and expressions.
    let tname = table.name.clone();
    for c in table.constraints.values_mut() {
        match &mut c.kind {
            ConstraintKind::PrimaryKey { columns, include } | ConstraintKind::Unique { columns, include, .. } => {
                rename(columns);
                rename(include);
            }
            ConstraintKind::ForeignKey { columns, references, ref_columns, .. } => {
                rename(columns);
                if *references == tname {
                    rename(ref_columns);
                }
            }
            ConstraintKind::Check { expr, .. } => expr.0 = rename_identifier(&expr.0, old, new),
            ConstraintKind::Exclude { elements, predicate, .. } => {
                for (e, _) in elements.iter_mut() {
                    *e = if *e == old { new.to_string() } else { rename_identifier(e, old, new) };
                }
                if let Some(p) = predicate {
                    p.0 = rename_identifier(&p.0, old, new);
                }
            }
        }
    }
    for i in table.indexes.values_mut() {
        for k in &mut i.keys {
            if !k.expression && k.expr == old {
                k.expr = new.to_string();
            } else if k.expression {
                k.expr = rename_identifier(&k.expr, old, new);
            }
        }
        rename(&mut i.include);
        if let Some(p) = &mut i.predicate {
            p.0 = rename_identifier(&p.0, old, new);
        }
    }
    for c in &mut table.columns {
        if let Some(g) = &mut c.generated {
            g.0 = rename_identifier(&g.0, old, new);
        }
    }
    for t in r.schema.tables.values_mut() {
        for c in t.constraints.values_mut() {
            if let ConstraintKind::ForeignKey { references, ref_columns, .. } = &mut c.kind
                && *references == tname {
                    rename(ref_columns);
                }
        }
    }
    for s in r.schema.sequences.values_mut() {
        if let Some((t, c)) = &mut s.owned_by
            && *t == tname && c == old {
                *c = new.to_string();
            }
    }
    let rename_expr = |e: &mut Expr| e.0 = rename_identifier(&e.0, old, new);
    for p in table.policies.values_mut() {
        p.using.iter_mut().chain(p.with_check.iter_mut()).for_each(rename_expr);
    }
    for rule in table.rules.values_mut() {
        rule.condition.iter_mut().for_each(rename_expr);
        for a in &mut rule.actions {
            *a = rename_identifier(a, old, new);
        }
    }
    for s in r.schema.statistics.values_mut().filter(|s| s.table == tname) {
        rename(&mut s.columns);
        s.columns.sort();
        s.expressions.iter_mut().for_each(rename_expr);
    }
    for p in r.schema.publications.values_mut() {
        if let Some(t) = p.tables.get_mut(&tname) {
            rename(&mut t.columns);
            t.columns.sort();
            t.row_filter.iter_mut().for_each(rename_expr);
        }
    }
    Ok(())
}

fn rename_table_refs(r: &mut PgReader, old: &QName, new: &QName) {
    for t in r.schema.tables.values_mut() {
        for c in t.constraints.values_mut() {
            if let ConstraintKind::ForeignKey { references, .. } = &mut c.kind
                && references == old {
                    *references = new.clone();
                }
        }
        if let Some(p) = &mut t.partition_of
            && p.parent == *old {
                p.parent = new.clone();
            }
        for p in t.inherits.iter_mut().filter(|p| *p == old) {
            *p = new.clone();
        }
    }
    for s in r.schema.sequences.values_mut() {
        if let Some((t, _)) = &mut s.owned_by
            && t == old {
                *t = new.clone();
            }
    }
    for s in r.schema.statistics.values_mut().filter(|s| s.table == *old) {
        s.table = new.clone();
    }
    for p in r.schema.publications.values_mut() {
        if let Some(t) = p.tables.remove(old) {
            p.tables.insert(new.clone(), t);
        }
    }
}

/// A column default as written; made canonical for the column's type with
/// the rest of the model's expressions (a default that is just NULL is then
/// dropped: PostgreSQL stores none).
fn column_default(e: &ast::Expr) -> Expr {
    Expr(canon::expr_text(e))
}

/// `ALTER TABLE [IF EXISTS] [ONLY] name rest` as `ALTER TABLE schema.name rest`.
pub(super) fn qualified_alter_table(r: &PgReader, text: &str) -> Option<String> {
    let mut cur = Cursor::new(text).ok()?;
    cur.eat_kw("ALTER");
    cur.eat_kw("TABLE");
    cur.eat_kws(&["IF", "EXISTS"]);
    cur.eat_kw("ONLY");
    let parts = cur.object_name()?;
    let name = match parts.as_slice() {
        [one] => r.lookup_table(&ast::ObjectName::from(vec![ast::Ident::with_quote('"', one.clone())])),
        _ => r.qname_parts(&parts),
    };
    Some(format!("ALTER TABLE {name} {}", cur.rest()))
}

/// An expression's text with the identifier `old` renamed to `new`
/// (token by token, so strings and longer names are left alone).
pub fn rename_identifier(text: &str, old: &str, new: &str) -> String {
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let Ok(tokens) = sqlparser::tokenizer::Tokenizer::new(&dialect, text).tokenize() else { return text.to_string() };
    if !tokens.iter().any(|t| matches!(t, Token::Word(w) if (if w.quote_style.is_some() { w.value.clone() } else { w.value.to_lowercase() }) == old)) {
        return text.to_string();
    }
    tokens
        .iter()
        .map(|t| match t {
            Token::Word(w) if (if w.quote_style.is_some() { w.value.clone() } else { w.value.to_lowercase() }) == old => {
                crate::model::quote_ident(new)
            }
            other => other.to_string(),
        })
        .collect()
}

/// `ALTER TABLE t ALTER [COLUMN] c` followed by `DROP IDENTITY`, `SET
/// GENERATED …`, identity sequence options (`SET INCREMENT BY 2 …`) or `DROP
/// EXPRESSION`: forms sqlparser 0.63 does not parse. Returns `None` for
/// anything else.
fn identity_or_expression(r: &mut PgReader, st: &Stmt<'_>) -> Result<Option<Applied>> {
    if !["IDENTITY", "GENERATED", "EXPRESSION", "COLLATE", "RESTART", "INCREMENT", "MINVALUE", "MAXVALUE", "START", "CACHE", "CYCLE"]
        .iter()
        .any(|w| contains_word(st.text, w))
    {
        return Ok(None);
    }
    let default_schema = r.default_schema().to_string();
    let Ok(mut cur) = st.cursor() else { return Ok(None) };
    cur.eat_kw("ALTER");
    cur.eat_kw("TABLE");
    let if_exists = cur.eat_kws(&["IF", "EXISTS"]);
    let recurse = !cur.eat_kw("ONLY");
    let Some(parts) = cur.object_name() else { return Ok(None) };
    if !cur.eat_kw("ALTER") {
        return Ok(None);
    }
    cur.eat_kw("COLUMN");
    let Some(column) = cur.ident() else { return Ok(None) };
    enum Action {
        DropIdentity,
        SetGenerated(bool),
        Options(String),
        DropExpression,
        TypeCollate(String, String),
    }
    let type_start = {
        let save = cur.pos;
        cur.eat_kws(&["SET", "DATA"]);
        let is_type = cur.eat_kw("TYPE");
        let at = cur.offset();
        if !is_type {
            cur.pos = save;
        }
        is_type.then_some(at)
    };
    let action = if let Some(start) = type_start {
        // `TYPE t COLLATE c [USING e]`: sqlparser 0.63 takes no COLLATE here.
        let rest = &st.text[start..];
        let upper = rest.to_ascii_uppercase();
        let Some(collate_at) = upper.find(" COLLATE ") else { return Ok(None) };
        let type_text = rest[..collate_at].trim().to_string();
        let after = &rest[collate_at + " COLLATE ".len()..];
        let collation = after[..after.to_ascii_uppercase().find(" USING ").unwrap_or(after.len())].trim();
        let parts = crate::model::name_parts_folded(collation);
        let parts: Vec<String> = parts.into_iter().filter(|p| p != "pg_catalog").map(|p| crate::model::quote_ident(&p)).collect();
        Action::TypeCollate(type_text, parts.join("."))
    } else if cur.eat_kws(&["DROP", "IDENTITY"]) {
        cur.eat_kws(&["IF", "EXISTS"]);
        Action::DropIdentity
    } else if cur.eat_kws(&["DROP", "EXPRESSION"]) {
        cur.eat_kws(&["IF", "EXISTS"]);
        Action::DropExpression
    } else if cur.eat_kws(&["SET", "GENERATED"]) {
        let always = cur.eat_kw("ALWAYS");
        if !always {
            cur.eat_kws(&["BY", "DEFAULT"]);
        }
        Action::SetGenerated(always)
    } else if (cur.peek_kw("SET") && ["INCREMENT", "START", "MINVALUE", "MAXVALUE", "NO", "CACHE", "CYCLE"].iter().any(|w| cur.peek_kw_at(1, w)))
        || cur.peek_kw("RESTART")
    {
        // `SET a SET b …`: the options without their SETs.
        let rest = cur.rest();
        let options = rest.split_whitespace().filter(|w| !w.eq_ignore_ascii_case("SET")).collect::<Vec<_>>().join(" ");
        Action::Options(options)
    } else {
        return Ok(None);
    };
    let name = match parts.as_slice() {
        [one] => r.lookup_table(&ast::ObjectName::from(vec![ast::Ident::with_quote('"', one.clone())])),
        _ => r.qname_parts(&parts),
    };
    let Some(table) = r.schema.tables.get(&name) else {
        return Ok(Some(if if_exists { Applied::Done } else { Applied::MissingTable(name) }));
    };
    if table.column(&column).is_none() {
        return Err(Error::data(format!("column {column} of {name} does not exist")).at(st.location()));
    }
    // A type change and DROP EXPRESSION reach the tables that inherit from this one.
    match &action {
        Action::TypeCollate(type_text, collation) => {
            check_type_change(r, table, &column, recurse, st)?;
            let data_type = super::types::resolve(type_text, &default_schema).data_type;
            let collation = Some(collation.clone());
            let set = |c: &mut Column| {
                c.data_type = data_type.clone();
                c.collation = collation.clone();
            };
            set(r.schema.tables.get_mut(&name).and_then(|t| t.column_mut(&column)).expect("checked above"));
            if recurse {
                super::inherit::alter_column_below(r, &name, &column, set);
            }
            return Ok(Some(Applied::Done));
        }
        Action::DropExpression => {
            r.schema.tables.get_mut(&name).and_then(|t| t.column_mut(&column)).expect("checked above").generated = None;
            if recurse {
                super::inherit::alter_column_below(r, &name, &column, |c| c.generated = None);
            }
            return Ok(Some(Applied::Done));
        }
        _ => {}
    }
    let col = r.schema.tables.get_mut(&name).and_then(|t| t.column_mut(&column)).expect("checked above");
    match action {
        Action::TypeCollate(..) | Action::DropExpression => unreachable!("handled above"),
        Action::DropIdentity => col.identity = None,
        Action::SetGenerated(always) => {
            let id = col.identity.as_mut().ok_or_else(|| Error::data(format!("column {column} of {name} is not an identity column")).at(st.location()))?;
            id.always = always;
        }
        Action::Options(text) => {
            let (changes, _) = parse_sequence_options(st, &text)?;
            let id = col.identity.as_mut().ok_or_else(|| Error::data(format!("column {column} of {name} is not an identity column")).at(st.location()))?;
            merge_sequence_options(&mut id.options, &text, changes);
            hand::normalize_sequence_options(&mut id.options);
        }
    }
    Ok(Some(Applied::Done))
}

/// Applies the options written in `text` (parsed into `changes`) on top of `options`.
fn merge_sequence_options(options: &mut SequenceOptions, text: &str, changes: SequenceOptions) {
    let upper = text.to_ascii_uppercase();
    let has = |w: &str| upper.split_whitespace().any(|x| x == w);
    if has("INCREMENT") {
        options.increment = changes.increment;
    }
    if has("MINVALUE") {
        options.min_value = changes.min_value;
    }
    if has("MAXVALUE") {
        options.max_value = changes.max_value;
    }
    if has("START") {
        options.start = changes.start;
    }
    if has("CACHE") {
        options.cache = changes.cache;
    }
    if has("CYCLE") {
        options.cycle = changes.cycle;
    }
    if has("AS") {
        options.data_type = changes.data_type;
    }
}

/// `ALTER TABLE t SET SCHEMA s`: the table moves with its indexes,
/// constraints and the sequences it owns.
fn set_schema(r: &mut PgReader, st: &Stmt<'_>) -> Result<Option<Applied>> {
    if !contains_word(st.text, "SCHEMA") {
        return Ok(None);
    }
    let Ok(mut cur) = st.cursor() else { return Ok(None) };
    cur.eat_kw("ALTER");
    cur.eat_kw("TABLE");
    let if_exists = cur.eat_kws(&["IF", "EXISTS"]);
    let Some(parts) = cur.object_name() else { return Ok(None) };
    if !cur.eat_kws(&["SET", "SCHEMA"]) {
        return Ok(None);
    }
    let Some(schema) = cur.ident() else { return Ok(None) };
    let name = match parts.as_slice() {
        [one] => r.lookup_table(&ast::ObjectName::from(vec![ast::Ident::with_quote('"', one.clone())])),
        _ => r.qname_parts(&parts),
    };
    let Some(mut table) = r.schema.tables.remove(&name) else {
        return Ok(Some(if if_exists { Applied::Done } else { Applied::MissingTable(name) }));
    };
    let new_name = QName::new(schema.clone(), name.name.clone());
    super::follow::views_after_renames(r, Some(&table), &super::follow::relation(&name, &new_name));
    rename_table_refs(r, &name, &new_name);
    for c in table.constraints.values_mut() {
        if let ConstraintKind::ForeignKey { references, .. } = &mut c.kind
            && *references == name
        {
            *references = new_name.clone();
        }
    }
    let owned: Vec<QName> = r
        .schema
        .sequences
        .values()
        .filter(|s| s.owned_by.as_ref().is_some_and(|(t, _)| *t == new_name))
        .map(|s| s.name.clone())
        .collect();
    for s in owned {
        if let Some(mut seq) = r.schema.sequences.remove(&s) {
            seq.name = QName::new(schema.clone(), s.name.clone());
            r.schema.sequences.insert(seq.name.clone(), seq);
        }
    }
    table.name = new_name.clone();
    r.schema.tables.insert(new_name, table);
    Ok(Some(Applied::Done))
}

/// A cheap check before tokenizing a statement again: whether `word`
/// occurs in it, in any case (it may be inside a string; then the
/// tokenizing that follows decides).
///
/// Every statement is checked for several words, most of them absent, so
/// the text is scanned for the word's first letter eight bytes at a time and
/// the rest compared only there (comparing a window at every byte was a
/// tenth of the instructions of reading a large schema).
pub fn contains_word(text: &str, word: &str) -> bool {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let (t, w) = (text.as_bytes(), word.as_bytes());
    let Some((&first, rest)) = w.split_first() else { return true };
    if t.len() < w.len() {
        return false;
    }
    let starts = t.len() - w.len() + 1;
    // For a letter, OR-ing 0x20 folds both cases onto the lower one, and
    // only them.
    let (fold, target) = if first.is_ascii_alphabetic() { (0x20, first | 0x20) } else { (0, first) };
    let is_at = |i: usize| t[i] | fold == target && rest.iter().zip(&t[i + 1..i + w.len()]).all(|(a, b)| a.eq_ignore_ascii_case(b));
    let (folds, targets) = (u64::from_le_bytes([fold; 8]), u64::from_le_bytes([target; 8]));
    let mut i = 0;
    while i + 8 <= starts {
        let chunk = u64::from_le_bytes(t[i..i + 8].try_into().expect("eight bytes"));
        // A byte of `x` is zero where the first letter is. `found` has the
        // high bit of each such byte set (and perhaps of a byte above one:
        // `is_at` tells), and is zero when there is none.
        let x = (chunk | folds) ^ targets;
        let mut found = x.wrapping_sub(ONES) & !x & HIGHS;
        while found != 0 {
            if is_at(i + found.trailing_zeros() as usize / 8) {
                return true;
            }
            found &= found - 1;
        }
        i += 8;
    }
    (i..starts).any(is_at)
}

#[cfg(test)]
mod tests {
    use super::contains_word;

    #[test]
    fn contains_word_finds_a_word_in_any_case_anywhere() {
        let naive = |t: &str, w: &str| t.as_bytes().windows(w.len()).any(|win| win.eq_ignore_ascii_case(w.as_bytes()));
        let texts = [
            "",
            "I",
            "ID",
            "identity",
            "GENERATED ALWAYS AS IDENTITY",
            "xidentit",
            "a IDENTITy",
            "iiiidentity",
            "ONLY ony onl only",
            "é IDENTITY é",
            "ÀIDENTITY",
            "data@ DATA`",
            "@ata `ata",
            "create table t (a integer, b text, c only_not, d data_type) -- identit",
            "CREATE TABLE accounting.ledger_entries_0001 (id bigint GENERATED BY DEFAULT AS IDENTITY, x int)",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaIdentity",
            "0123456data",
            "01234567data",
            "012345678data",
        ];
        for t in texts {
            for w in ["IDENTITY", "ONLY", "DATA", "I", "@ATA", "`ATA"] {
                assert_eq!(contains_word(t, w), naive(t, w), "{w:?} in {t:?}");
            }
            // Every piece of the text, in upper case, is found in it.
            for start in (0..t.len()).filter(|&i| t.is_char_boundary(i)) {
                for end in (start + 1..=t.len().min(start + 12)).filter(|&i| t.is_char_boundary(i)) {
                    let w = t[start..end].to_ascii_uppercase();
                    assert!(contains_word(t, &w), "{w:?} in {t:?}");
                }
            }
        }
    }
}
