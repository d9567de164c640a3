//! SS408 drop-foreign-key.
//!
//! Potentially breaking rather than non-breaking: no query fails, but what
//! the database did for the application stops. Deletes no longer cascade
//! (or set NULL), and writes that leave a dangling reference, which failed
//! before, succeed and leave data the application may not expect.

use super::{added, list};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};
use crate::model::{ConstraintKind, FkAction};

pub static RULE: Rule = Rule {
    code: "SS408",
    name: "drop-foreign-key",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A foreign key is dropped while both tables remain.",
    why: "No query fails, but the database stops guarding the reference: rows that point at nothing can now be written, \
          and deleting a referenced row no longer cascades to (or clears) the rows that point at it, if the key said so. \
          Code that relied on either (on the error to reject a bad reference, on the cascade to clean up) now leaves orphans \
          behind. Adding the key back later fails until those are cleaned up.",
    locks: "PostgreSQL: `ALTER TABLE … DROP CONSTRAINT` of a foreign key takes ACCESS EXCLUSIVE on the table and on the \
            referenced table (to remove the key's triggers from both), briefly: reads of either table wait for it.",
    instead: "Make sure no code relies on the key: delete dependent rows explicitly where the key cascaded, and check \
              references where the key rejected bad ones. To replace the key by another, add the new one first (`NOT VALID`, \
              then `VALIDATE CONSTRAINT`) and drop the old one afterwards, so the data is never unguarded.",
    fires: &[Example::new(
        "CREATE TABLE u (id bigint PRIMARY KEY); CREATE TABLE t (id bigint PRIMARY KEY, u_id bigint REFERENCES u (id) ON DELETE CASCADE);",
        "CREATE TABLE u (id bigint PRIMARY KEY); CREATE TABLE t (id bigint PRIMARY KEY, u_id bigint);",
    )],
    passes: &[
        // The referenced table goes: drop-table's finding.
        Example::new(
            "CREATE TABLE u (id bigint PRIMARY KEY); CREATE TABLE t (id bigint PRIMARY KEY, u_id bigint REFERENCES u (id));",
            "CREATE TABLE t (id bigint PRIMARY KEY, u_id bigint);",
        ),
        // The key is redefined (dropped and added again): add-foreign-key's finding.
        Example::new(
            "CREATE TABLE u (id bigint PRIMARY KEY); CREATE TABLE t (id bigint PRIMARY KEY, u_id bigint REFERENCES u (id));",
            "CREATE TABLE u (id bigint PRIMARY KEY); CREATE TABLE t (id bigint PRIMARY KEY, u_id bigint REFERENCES u (id) ON DELETE CASCADE);",
        ),
        // Its column goes: drop-column's finding.
        Example::new(
            "CREATE TABLE u (id bigint PRIMARY KEY); CREATE TABLE t (id bigint PRIMARY KEY, u_id bigint REFERENCES u (id));",
            "CREATE TABLE u (id bigint PRIMARY KEY); CREATE TABLE t (id bigint PRIMARY KEY);",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::DropConstraint { table, constraint } = change else { continue };
        let ConstraintKind::ForeignKey { columns, references, ref_columns, on_delete, .. } = &constraint.kind else { continue };
        if added(ctx, table, &constraint.name) || ctx.new_table(table).is_none() {
            continue;
        }
        let parent_kept = ctx.new.tables.contains_key(references)
            || ctx.changes().any(|c| matches!(c, Change::RenameTable { from, .. } if from == references));
        let column_dropped = ctx.changes().any(|c| matches!(c, Change::DropColumn { table: t, column } if t == table && columns.contains(&column.name)));
        if !parent_kept || column_dropped {
            continue;
        }
        let mut message = format!(
            "foreign key {} on {table} ({}) → {references} ({}) is dropped: rows that reference nothing are no longer refused",
            constraint.name,
            list(columns),
            list(ref_columns)
        );
        let action = match on_delete {
            FkAction::Cascade => Some("deletes the rows of"),
            FkAction::SetNull => Some("sets the key to NULL in"),
            FkAction::SetDefault => Some("sets the key to its default in"),
            FkAction::NoAction | FkAction::Restrict => None,
        };
        if let Some(action) = action {
            message.push_str(&format!(", and deleting from {references} no longer {action} {table}"));
        }
        hits.push(Hit::new(format!("{table}.{}", constraint.name), message, ctx.at(change)));
    }
    hits
}
