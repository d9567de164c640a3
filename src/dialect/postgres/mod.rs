//! PostgreSQL: its reader, canonical forms, DDL renderer and planner.

pub mod casts;
pub mod files;
pub mod identifiers;
pub mod on_update;
pub mod pair;
pub mod plan;
pub mod read;
pub mod render;
pub mod round_trip;
pub mod snapshot_types;
pub mod split;

/// PostgreSQL's quotes, for [`crate::lex`]: `E'…'` escape strings and
/// dollar quotes besides SQL's own.
pub const SYNTAX: crate::lex::Syntax = crate::lex::Syntax { escape_strings: true, dollar_quotes: true, backticks: false };

/// A copy of `schema` with the rename changes applied, by the reader, so
/// that what follows a renamed column, table or view (constraints, indexes,
/// foreign keys, the views that read them) follows it as in PostgreSQL.
pub fn apply_renames(schema: &crate::model::Schema, changes: &[crate::diff::Change]) -> crate::Result<crate::model::Schema> {
    let mut sql = String::new();
    for change in changes {
        let materialized = matches!(change, crate::diff::Change::RenameView { from, .. } if schema.views.get(from).is_some_and(|v| v.materialized));
        if let Some(s) = render::rename_sql(change, materialized) {
            sql.push_str(&s);
            sql.push('\n');
        }
    }
    read::replay(schema.clone(), "<renames>", &sql)
}
