//! SS401 set-not-null.

use super::before::{Before, proves_not_null};
use super::{dropped, level, planned};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Preflight, Rule};
use crate::model::{ConstraintKind, QName, quote_ident};
use crate::plan::facts::Work;

pub static RULE: Rule = Rule {
    code: "SS401",
    name: "set-not-null",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "An existing column is made NOT NULL.",
    why: "PostgreSQL reads the whole table to make sure no row holds NULL in the column, and holds a lock that stops every \
          read and write of the table until it is done: on a large table the application's queries queue up and time out. \
          If one row holds NULL the statement fails, and the whole migration with it, after that wait. Application code \
          that still writes NULL there (an old release still running) fails once the change is made.",
    locks: "PostgreSQL: `ALTER TABLE … ALTER COLUMN … SET NOT NULL` takes ACCESS EXCLUSIVE and scans every row. Since \
            PostgreSQL 12 the scan is skipped when a valid `CHECK (column IS NOT NULL)` constraint already proves there is no \
            NULL; the lock is then held only for the catalog change. \
            MySQL/InnoDB: `MODIFY … NOT NULL` rebuilds the table in place, letting writes go on, and fails on NULLs in strict \
            SQL mode.",
    instead: "Fill the NULLs first (in batches). Then prove the column is filled without blocking anyone: add \
              `CHECK (column IS NOT NULL) NOT VALID` (catalog only), then `VALIDATE CONSTRAINT` it in another transaction \
              (it scans, but reads and writes go on). With that valid check in place, `SET NOT NULL` (PostgreSQL 12 and later) \
              does not scan; drop the check afterwards. With schemashift: declare the check `NOT VALID` in one commit; in the \
              next, declare `ALTER TABLE … VALIDATE CONSTRAINT …` in the schema, which plans a `VALIDATE CONSTRAINT` step; \
              make the column NOT NULL in a later commit that keeps the check, and drop the check after that. Or plan with \
              `--online`, which writes all of it, in the transactions it needs, from the one change.",
    fires: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, email text);", "CREATE TABLE t (id bigint PRIMARY KEY, email text NOT NULL);"),
        // The check that proves it is dropped by the same migration, before the column is altered.
        Example::new(
            "CREATE TABLE t (id bigint PRIMARY KEY, email text, CONSTRAINT email_filled CHECK (email IS NOT NULL));",
            "CREATE TABLE t (id bigint PRIMARY KEY, email text NOT NULL);",
        ),
        // Before PostgreSQL 12 the check does not spare the scan.
        Example::on_version(
            "CREATE TABLE t (id bigint PRIMARY KEY, email text, CONSTRAINT email_filled CHECK (email IS NOT NULL));",
            "CREATE TABLE t (id bigint PRIMARY KEY, email text NOT NULL, CONSTRAINT email_filled CHECK (email IS NOT NULL));",
            11,
        ),
    ],
    passes: &[
        // A valid check kept through the migration proves it: no scan (PostgreSQL 12+).
        Example::new(
            "CREATE TABLE t (id bigint PRIMARY KEY, email text, CONSTRAINT email_filled CHECK (email IS NOT NULL));",
            "CREATE TABLE t (id bigint PRIMARY KEY, email text NOT NULL, CONSTRAINT email_filled CHECK (email IS NOT NULL));",
        ),
        // A table created by the same migration holds no rows.
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, email text NOT NULL);"),
        // A primary key added makes its columns NOT NULL: add-primary-key says so.
        Example::new("CREATE TABLE t (id bigint, email text);", "CREATE TABLE t (id bigint PRIMARY KEY, email text);"),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::AlterColumn { table, from, to } = change else { continue };
        if !from.nullable || to.nullable || !ctx.existed(table) || primary_key_added_on(ctx, table, &to.name) {
            continue;
        }
        let Some(step) = planned(ctx, &format!("set not null on {table}.{}", to.name)) else { continue };
        // Planned online: a check validated first spares the scan.
        if step.facts.work == Work::Metadata {
            continue;
        }
        let Some(before) = Before::of(ctx, table) else { continue };
        let old_name = before.column_name(&to.name);
        // A valid CHECK of the table before the migration that proves the column filled.
        let proof = old_name.and_then(|col| {
            before.table.constraints.values().find(|c| !c.not_valid && matches!(&c.kind, ConstraintKind::Check { expr, .. } if proves_not_null(&expr.0, col)))
        });
        let skips = ctx.server_version().is_none_or(|v| v >= 12);
        let kept = proof.is_some_and(|c| dropped(ctx, table, &c.name).is_none());
        if kept && skips {
            continue;
        }
        let object = format!("{table}.{}", to.name);
        let lock = level(step, "ACCESS EXCLUSIVE");
        let mut message = format!(
            "making {object} NOT NULL scans every row of {table} under {lock} (no reads or writes meanwhile), and fails if a row holds NULL"
        );
        let help = match (proof, skips) {
            (Some(c), true) => {
                message.push_str(&format!(
                    "; the CHECK {} that would spare the scan is dropped by this migration before the column is altered",
                    c.name
                ));
                format!(
                    "keep the constraint {} in this migration, so that SET NOT NULL finds it and does not scan; drop it in a later one",
                    quote_ident(&c.name)
                )
            }
            (Some(c), false) => {
                message.push_str(&format!(
                    "; PostgreSQL {} scans even though the CHECK {} proves it (the scan is skipped from PostgreSQL 12)",
                    ctx.server_version().unwrap_or_default(),
                    c.name
                ));
                "before PostgreSQL 12 the scan cannot be avoided: fill the NULLs first, and run the migration when the table is quiet, with a short `lock_timeout` so that it gives up rather than queue every query behind it".to_string()
            }
            (None, _) => recipe(table, &to.name),
        };
        let mut hit = Hit::new(object, message, ctx.at(change)).help(help);
        if let Some(col) = old_name {
            hit = hit.preflight(Preflight::no_rows(before.nulls(&[quote_ident(col)])));
        }
        hits.push(hit);
    }
    hits
}

/// Whether the migration adds a primary key over the column (which makes
/// it NOT NULL: add-primary-key reports both).
pub(super) fn primary_key_added_on(ctx: &Context, table: &QName, column: &str) -> bool {
    ctx.changes().any(|c| match c {
        Change::AddConstraint { table: t, constraint } if t == table => {
            matches!(&constraint.kind, ConstraintKind::PrimaryKey { columns, .. } if columns.iter().any(|c| c == column))
        }
        _ => false,
    })
}

/// The statements that make the column NOT NULL without the long lock.
fn recipe(table: &QName, column: &str) -> String {
    let mut check = format!("{}_{column}_not_null", table.name);
    // PostgreSQL cuts names at 63 bytes.
    while check.len() > 63 {
        check.pop();
    }
    let (col, check) = (quote_ident(column), quote_ident(&check));
    format!(
        "fill the NULLs, then prove the column filled without blocking writes, and only then make it NOT NULL (PostgreSQL 12+ skips the scan):\n  \
         ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({col} IS NOT NULL) NOT VALID;\n  \
         ALTER TABLE {table} VALIDATE CONSTRAINT {check};  -- in its own transaction\n  \
         ALTER TABLE {table} ALTER COLUMN {col} SET NOT NULL;\n  \
         ALTER TABLE {table} DROP CONSTRAINT {check};"
    )
}
