//! Table inheritance (`INHERITS`): what a new table gets from its parents,
//! and what a change to a parent does to the tables that inherit from it.
//!
//! PostgreSQL copies a parent's columns (type, collation, NOT NULL, default,
//! generation expression; not identity) and its CHECK constraints that are
//! not `NO INHERIT` into each child, and keeps them in step by carrying most
//! `ALTER TABLE` actions on a parent down to its children unless `ONLY` is
//! written. A default or NOT NULL is copied, not shared: a child may change
//! its own afterwards (pg_dump writes it with `ALTER TABLE ONLY child`). The
//! rules below are PostgreSQL 15's (tablecmds.c: `MergeAttributes`,
//! `ATExecAddColumn`, `ATExecDropColumn`, `ATAddCheckConstraint`,
//! `ATExecDropConstraint`, `ATExecAddInherit`, `RemoveInheritance`); where
//! PostgreSQL refuses a statement, so does the reader.

use super::canon::{self, Place};
use super::{Applied, PgReader, Stmt};
use crate::error::{Error, Result};
use crate::model::{Column, Constraint, ConstraintKind, Expr, QName, RenameHint, Table};

/// Whether two CHECKs are the same as PostgreSQL judges them: equal once
/// canonical (one may still be as written, the other canonical already).
pub(super) fn same_check(r: &PgReader, table: &QName, a: &ConstraintKind, b: &ConstraintKind) -> bool {
    if a == b {
        return true;
    }
    match (a, b) {
        (ConstraintKind::Check { expr: x, no_inherit: nx }, ConstraintKind::Check { expr: y, no_inherit: ny }) if nx == ny => {
            let c = |e: &Expr| canon::canonicalize(&r.schema, Place::Check { table }, &e.0);
            c(x) == c(y)
        }
        _ => false,
    }
}

/// Whether two defaults of `column` of `table` are the same once canonical.
fn same_default(r: &PgReader, table: &QName, column: &str, a: &Expr, b: &Expr) -> bool {
    a == b || {
        let c = |e: &Expr| canon::canonicalize(&r.schema, Place::Default { table, column }, &e.0);
        c(a) == c(b)
    }
}

/// `CREATE TABLE t (…) INHERITS (parents)`: gives `table` (still without
/// columns of its own) its parents' columns, laid out parent by parent,
/// a column met again in a later parent merged into the first, and its
/// parents' inheritable CHECKs. Returns the columns whose parents give
/// different defaults: PostgreSQL refuses them unless the table declares
/// a default of its own.
pub fn inherit_from_parents(r: &PgReader, table: &mut Table, parents: &[QName], st: &Stmt<'_>) -> Result<Vec<String>> {
    let mut conflicting_defaults = Vec::new();
    for (i, parent) in parents.iter().enumerate() {
        if parents[..i].contains(parent) {
            return Err(Error::data(format!("table {parent} would be inherited from more than once")).at(st.location()));
        }
        let p = r.schema.tables.get(parent).expect("the caller checked that every parent exists");
        if p.partition_by.is_some() {
            return Err(Error::data(format!("cannot inherit from partitioned table {parent}")).at(st.location()));
        }
        if p.partition_of.is_some() {
            return Err(Error::data(format!("cannot inherit from partition {parent}")).at(st.location()));
        }
        for pc in &p.columns {
            match table.column_mut(&pc.name) {
                Some(c) => {
                    if c.data_type != pc.data_type {
                        return Err(Error::data(format!(
                            "inherited column {} has a type conflict: {} versus {}",
                            pc.name, c.data_type, pc.data_type
                        ))
                        .at(st.location()));
                    }
                    if c.collation != pc.collation {
                        return Err(Error::data(format!("inherited column {} has a collation conflict", pc.name)).at(st.location()));
                    }
                    if c.generated != pc.generated {
                        return Err(Error::data(format!("inherited column {} has a generation conflict", pc.name)).at(st.location()));
                    }
                    c.nullable &= pc.nullable;
                    match (&c.default, &pc.default) {
                        (None, Some(d)) => c.default = Some(d.clone()),
                        (Some(a), Some(b)) if !same_default(r, parent, &pc.name, a, b) && !conflicting_defaults.contains(&pc.name) => {
                            conflicting_defaults.push(pc.name.clone())
                        }
                        _ => {}
                    }
                }
                None => table.columns.push(inherited_column(pc, st)),
            }
        }
        for c in p.constraints.values().filter(|c| c.inheritable()) {
            match table.constraints.get(&c.name) {
                Some(existing) if same_check(r, parent, &existing.kind, &c.kind) => {}
                Some(_) => {
                    return Err(Error::data(format!("check constraint {} appears in several parents with different expressions", c.name))
                        .at(st.location()));
                }
                // A copy made at creation is valid even if the parent's is NOT
                // VALID: the new table has no rows to skip.
                None => {
                    table.constraints.insert(c.name.clone(), inherited_check(c, false, st));
                }
            }
        }
    }
    table.inherits = parents.to_vec();
    Ok(conflicting_defaults)
}

/// A parent's column as a child gets it: not declared by the child, without
/// the parent's identity (PostgreSQL does not inherit it), comment or hint.
fn inherited_column(pc: &Column, st: &Stmt<'_>) -> Column {
    Column { local: false, identity: None, comment: None, renamed_from: RenameHint::default(), location: st.location(), ..pc.clone() }
}

fn inherited_check(c: &Constraint, not_valid: bool, st: &Stmt<'_>) -> Constraint {
    Constraint { local: false, not_valid, comment: None, location: st.location(), ..c.clone() }
}

/// A column a table declares itself (`default_given`: with a DEFAULT clause,
/// possibly `DEFAULT NULL`) where it already has an inherited one of the same
/// name: the two merge, in the inherited column's place. The declared
/// default wins; NOT NULL holds if either says it.
pub fn merge_local_column(table: &mut Table, column: Column, default_given: bool) -> Result<()> {
    let name = table.name.clone();
    let existing = table.column_mut(&column.name).expect("the caller found the inherited column");
    if existing.data_type != column.data_type {
        return Err(Error::data(format!(
            "column {} of {name} has a type conflict: {} versus {}",
            column.name, existing.data_type, column.data_type
        ))
        .at(column.location.clone()));
    }
    if column.collation.is_some() && column.collation != existing.collation {
        return Err(Error::data(format!("column {} of {name} has a collation conflict with the inherited column", column.name))
            .at(column.location.clone()));
    }
    *existing = Column {
        local: true,
        nullable: existing.nullable && column.nullable,
        default: if default_given { column.default.clone() } else { existing.default.clone() },
        collation: existing.collation.clone(),
        generated: column.generated.clone().or(existing.generated.clone()),
        ..column
    };
    Ok(())
}

/// `ALTER TABLE parent ADD COLUMN`: every table below gets the column too,
/// not declared by it; a child that already has a column of that name
/// keeps its own (they merge, and PostgreSQL goes no further down there).
pub fn add_column_to_children(r: &mut PgReader, parent: &QName, column: &Column, st: &Stmt<'_>) -> Result<()> {
    let mut pending = vec![parent.clone()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(p) = pending.pop() {
        for child in r.schema.inheritors(&p) {
            if !seen.insert(child.clone()) {
                continue;
            }
            let t = r.schema.tables.get_mut(&child).expect("listed by inheritors");
            match t.column(&column.name) {
                Some(existing) if existing.data_type != column.data_type => {
                    return Err(Error::data(format!(
                        "child table {child} has a different type for column {}: {} versus {}",
                        column.name, existing.data_type, column.data_type
                    ))
                    .at(st.location()));
                }
                Some(_) => {}
                None => {
                    if column.identity.is_some() {
                        return Err(Error::data(format!("cannot add identity column {} to {parent}: tables inherit from it", column.name))
                            .at(st.location()));
                    }
                    t.columns.push(inherited_column(column, st));
                    pending.push(child);
                }
            }
        }
    }
    Ok(())
}

/// `ALTER TABLE [ONLY] parent DROP COLUMN`: a child's column goes too when
/// the child does not declare it and no other parent gives it; otherwise it
/// stays. With ONLY it stays everywhere, now declared by the child.
pub fn drop_column_from_children(r: &mut PgReader, parent: &QName, column: &str, recurse: bool) {
    for child in r.schema.inheritors(parent) {
        let Some(t) = r.schema.tables.get(&child) else { continue };
        let Some(c) = t.column(column) else { continue };
        if !recurse {
            r.schema.tables.get_mut(&child).expect("exists").column_mut(column).expect("exists").local = true;
            continue;
        }
        let other_parent = r.schema.column_providers(t, column).iter().any(|p| p != parent);
        if c.local || other_parent {
            continue;
        }
        let mut t = r.schema.tables.remove(&child).expect("exists");
        super::table::drop_column(r, &mut t, column);
        r.schema.tables.insert(child.clone(), t);
        drop_column_from_children(r, &child, column, true);
    }
}

/// Applies `f` to the column `column` of every table below `parent` (the
/// ALTER COLUMN actions PostgreSQL carries down: SET/DROP DEFAULT, SET/DROP
/// NOT NULL, TYPE, DROP EXPRESSION).
pub fn alter_column_below(r: &mut PgReader, parent: &QName, column: &str, f: impl Fn(&mut Column)) {
    for t in r.schema.descendants(parent) {
        if let Some(c) = r.schema.tables.get_mut(&t).and_then(|t| t.column_mut(column)) {
            f(c);
        }
    }
}

/// `ALTER TABLE parent ADD CONSTRAINT … CHECK`: each child gets a copy
/// under the same name, not declared by it, unless it has that CHECK
/// already (they merge, and PostgreSQL goes no further down there).
pub fn add_check_to_children(r: &mut PgReader, parent: &QName, check: &Constraint, st: &Stmt<'_>) -> Result<()> {
    for child in r.schema.inheritors(parent) {
        let existing = r.schema.tables[&child].constraints.get(&check.name).map(|e| same_check(r, &child, &e.kind, &check.kind));
        let t = r.schema.tables.get_mut(&child).expect("listed by inheritors");
        match existing {
            Some(true) => {}
            Some(false) => {
                return Err(Error::data(format!(
                    "constraint {} of child table {child} conflicts with the inherited one being added",
                    check.name
                ))
                .at(st.location()));
            }
            None => {
                // Unlike a copy made by CREATE TABLE, this one is NOT VALID
                // when the parent's is: the child's rows were not checked either.
                t.constraints.insert(check.name.clone(), inherited_check(check, check.not_valid, st));
                r.note_name(&child.schema, &check.name);
                add_check_to_children(r, &child, check, st)?;
            }
        }
    }
    Ok(())
}

/// `ALTER TABLE [ONLY] parent DROP CONSTRAINT`: like a dropped column, a
/// child's copy goes when the child does not declare it and no other
/// parent gives it; with ONLY it stays, now declared by the child.
pub fn drop_check_from_children(r: &mut PgReader, parent: &QName, name: &str, recurse: bool) {
    for child in r.schema.inheritors(parent) {
        let Some(t) = r.schema.tables.get(&child) else { continue };
        let Some(c) = t.constraints.get(name).filter(|c| c.inheritable()) else { continue };
        if !recurse {
            r.schema.tables.get_mut(&child).expect("exists").constraints.get_mut(name).expect("exists").local = true;
            continue;
        }
        let other_parent = r.schema.check_providers(t, name).iter().any(|p| p != parent);
        if c.local || other_parent {
            continue;
        }
        r.schema.tables.get_mut(&child).expect("exists").constraints.remove(name);
        drop_check_from_children(r, &child, name, true);
    }
}

/// Whether `table`'s column `column` comes from a parent (then PostgreSQL
/// refuses to drop, rename or retype it on the child alone).
pub fn column_is_inherited(r: &PgReader, table: &Table, column: &str) -> bool {
    !r.schema.column_providers(table, column).is_empty()
}

/// Whether `table`'s CHECK `name` comes from a parent.
pub fn check_is_inherited(r: &PgReader, table: &Table, name: &str) -> bool {
    !r.schema.check_providers(table, name).is_empty()
}

/// `ALTER TABLE child INHERIT parent`: the child must already have every
/// column of the parent (same type, NOT NULL where the parent's is) and
/// every inheritable CHECK (same name and expression). Nothing is copied:
/// the child's columns and CHECKs stay declared by it.
pub fn inherit(r: &mut PgReader, child: &QName, parent: &QName, st: &Stmt<'_>) -> Result<Applied> {
    let Some(p) = r.schema.tables.get(parent) else { return Ok(Applied::MissingTable(parent.clone())) };
    let Some(c) = r.schema.tables.get(child) else { return Ok(Applied::MissingTable(child.clone())) };
    let refuse = |message: String| Err(Error::data(message).at(st.location()));
    if parent == child || r.schema.ancestors(parent).contains(child) {
        return refuse(format!("circular inheritance not allowed: {child} is already a parent of {parent}"));
    }
    if c.inherits.contains(parent) {
        return refuse(format!("table {parent} would be inherited from more than once"));
    }
    if p.partition_by.is_some() || p.partition_of.is_some() || c.partition_of.is_some() || c.partition_by.is_some() {
        return refuse(format!("ALTER TABLE {child} INHERIT {parent}: partitioned tables and partitions cannot take part in inheritance"));
    }
    for pc in &p.columns {
        let Some(cc) = c.column(&pc.name) else { return refuse(format!("child table {child} is missing column {}", pc.name)) };
        if cc.data_type != pc.data_type || cc.collation != pc.collation {
            return refuse(format!("child table {child} has a different type for column {}", pc.name));
        }
        if !pc.nullable && cc.nullable {
            return refuse(format!("column {} in child table {child} must be marked NOT NULL", pc.name));
        }
        if cc.generated.is_some() != pc.generated.is_some() {
            return refuse(format!("column {} in child table {child} must be generated exactly when the parent's is", pc.name));
        }
    }
    for pk in p.constraints.values().filter(|k| k.inheritable()) {
        match c.constraints.get(&pk.name) {
            Some(ck) if same_check(r, parent, &ck.kind, &pk.kind) => {}
            Some(_) => return refuse(format!("child table {child} has a different definition for check constraint {}", pk.name)),
            None => return refuse(format!("child table {child} is missing constraint {}", pk.name)),
        }
    }
    r.schema.tables.get_mut(child).expect("exists").inherits.push(parent.clone());
    Ok(Applied::Done)
}

/// `ALTER TABLE child NO INHERIT parent`: the child keeps the columns and
/// CHECKs it had from the parent, now as its own unless another parent
/// still gives them.
pub fn no_inherit(r: &mut PgReader, child: &QName, parent: &QName, st: &Stmt<'_>) -> Result<Applied> {
    let Some(c) = r.schema.tables.get(child) else { return Ok(Applied::MissingTable(child.clone())) };
    if !c.inherits.contains(parent) {
        return Err(Error::data(format!("table {parent} is not a parent of {child}")).at(st.location()));
    }
    let (columns, checks): (Vec<String>, Vec<String>) = match r.schema.tables.get(parent) {
        Some(p) => (
            p.columns.iter().map(|c| c.name.clone()).collect(),
            p.constraints.values().filter(|k| k.inheritable()).map(|k| k.name.clone()).collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let mut t = r.schema.tables.remove(child).expect("exists");
    t.inherits.retain(|p| p != parent);
    for name in columns {
        let still = column_is_inherited(r, &t, &name);
        if let Some(col) = t.column_mut(&name).filter(|_| !still) {
            col.local = true;
        }
    }
    for name in checks {
        let still = check_is_inherited(r, &t, &name);
        if let Some(k) = t.constraints.get_mut(&name).filter(|k| matches!(k.kind, ConstraintKind::Check { .. }) && !still) {
            k.local = true;
        }
    }
    r.schema.tables.insert(child.clone(), t);
    Ok(Applied::Done)
}
