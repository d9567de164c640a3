//! SS1xx: objects dropped. What uses a dropped object breaks, and what it
//! held is gone unless it was copied first.
//!
//! One decision, one finding: an object that goes because something larger
//! goes is reported with that larger object, not again on its own. A
//! schema dropped with what is in it is `drop-schema`'s finding alone (it
//! names its tables, views, types…); a table's columns, constraints,
//! indexes, triggers and owned sequences go with the table (`drop-table`);
//! a constraint, an index or an owned sequence that goes because a column
//! it uses is dropped is `drop-column`'s.

mod drop_column;
mod drop_constraint;
mod drop_domain;
mod drop_enum_value;
mod drop_extension;
mod drop_function;
mod drop_index;
mod drop_materialized_view;
mod drop_schema;
mod drop_sequence;
mod drop_table;
mod drop_trigger;
mod drop_type;
mod drop_view;
pub(super) mod enum_labels;

use crate::diff::Change;
use crate::lint::{Context, Rule};
use crate::model::{ConstraintKind, QName, Table};

pub static RULES: &[&Rule] = &[
    &drop_table::RULE,
    &drop_column::RULE,
    &drop_schema::RULE,
    &drop_view::RULE,
    &drop_materialized_view::RULE,
    &drop_sequence::RULE,
    &drop_type::RULE,
    &drop_domain::RULE,
    &drop_function::RULE,
    &drop_constraint::RULE,
    &drop_index::RULE,
    &drop_extension::RULE,
    &drop_trigger::RULE,
    &drop_enum_value::RULE,
];

/// Whether the migration drops the schema (namespace) `schema`: what is in
/// it is then `drop-schema`'s finding.
pub(super) fn schema_dropped(ctx: &Context, schema: &str) -> bool {
    ctx.changes().any(|c| matches!(c, Change::DropSchema { schema: s } if s.name == schema))
}

/// Whether the migration drops the table `table` (its old name).
pub(super) fn table_dropped(ctx: &Context, table: &QName) -> bool {
    ctx.changes().any(|c| matches!(c, Change::DropTable { table: t } if &t.name == table))
}

/// Whether the migration drops the column `column` of `table`.
pub(super) fn column_dropped(ctx: &Context, table: &QName, column: &str) -> bool {
    ctx.changes().any(|c| matches!(c, Change::DropColumn { table: t, column: col } if t == table && col.name == column))
}

/// The columns of `table` among `names` that the migration drops: an object
/// that uses one goes with the column (PostgreSQL drops an index or a
/// constraint whose column is dropped, even a multi-column one).
pub(super) fn dropped_columns<'n>(ctx: &Context, table: &QName, names: impl IntoIterator<Item = &'n String>) -> Vec<&'n String> {
    names.into_iter().filter(|c| column_dropped(ctx, table, c)).collect()
}

/// The columns of the old `table` an expression mentions.
pub(super) fn columns_in(ctx: &Context, table: &QName, expr: &str) -> Vec<String> {
    let Some(t) = ctx.old.tables.get(table).or_else(|| ctx.new.tables.get(table)) else { return Vec::new() };
    let names: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
    crate::dialect::check_columns(ctx.old.dialect, expr, &names)
}

/// Whether `table` is a partition whose parent drops the same thing: a
/// partition holds a copy of each of its parent's constraints and indexes,
/// which goes with the parent's and is reported there. `same` says whether
/// a change on the parent drops the copy's original.
pub(super) fn parent_drops(ctx: &Context, table: &QName, same: impl Fn(&Change) -> bool) -> bool {
    let Some(parent) = ctx.old.tables.get(table).or_else(|| ctx.new_table(table)).and_then(|t| t.partition_of.as_ref()) else {
        return false;
    };
    ctx.changes().any(|c| match c {
        Change::DropConstraint { table: t, .. } | Change::DropIndex { table: t, .. } => t == &parent.parent && same(c),
        _ => false,
    })
}

/// The constraint or index of `table` (new model) that still makes `columns`
/// unique: a PRIMARY KEY, a UNIQUE constraint or a full (not partial)
/// unique index on plain columns, all among `columns` (a set unique on
/// fewer columns is unique on more).
pub(super) fn uniqueness_kept_by(table: Option<&Table>, columns: &[String]) -> Option<String> {
    let table = table?;
    let within = |cols: &[String]| !cols.is_empty() && cols.iter().all(|c| columns.contains(c));
    let by_constraint = table.constraints.values().find_map(|c| match &c.kind {
        ConstraintKind::PrimaryKey { columns: cols, .. } => within(cols).then(|| format!("primary key {}", c.name)),
        ConstraintKind::Unique { columns: cols, .. } => within(cols).then(|| format!("unique constraint {}", c.name)),
        _ => None,
    });
    by_constraint.or_else(|| {
        table.indexes.values().filter(|i| i.unique && i.predicate.is_none()).find_map(|i| {
            let cols: Option<Vec<String>> = i.keys.iter().map(|k| (!k.expression).then(|| k.expr.clone())).collect();
            cols.filter(|cols| within(cols)).map(|_| format!("unique index {}", i.name))
        })
    })
}

/// "1 table", "3 views", "2 indexes".
pub(super) fn count(n: usize, what: &str) -> String {
    let plural = if n == 1 { "" } else if what.ends_with('x') || what.ends_with('s') { "es" } else { "s" };
    format!("{n} {what}{plural}")
}

/// Linting two schema texts, for the rules' own tests.
#[cfg(test)]
pub(super) mod testing {
    use crate::lint::{Finding, Options};

    pub fn read(sql: &str) -> crate::model::Schema {
        let f = crate::source::SourceFile { path: "schema.sql".into(), bytes: sql.as_bytes().to_vec(), blob_id: None };
        crate::read::read_schema(&[f], crate::model::Dialect::Postgres).expect("the example reads").0
    }

    /// The findings of the rule `name` on the migration from `old` to `new`.
    pub fn findings(name: &str, old: &str, new: &str) -> Vec<Finding> {
        crate::lint::rules::support::testing::lint(old, new, Options::default(), &[name]).into_iter().filter(|f| f.rule == name).collect()
    }
}
