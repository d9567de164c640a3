//! SS405 add-foreign-key.

use super::before::Before;
use super::{adding, level, list, validate_recipe};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Preflight, Rule};
use crate::model::{ConstraintKind, FkMatch};
use crate::plan::facts::Work;

pub static RULE: Rule = Rule {
    code: "SS405",
    name: "add-foreign-key",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A foreign key is added to an existing table and checked against every row at once.",
    why: "Adding the key checks every existing row against the referenced table, while both tables are locked against \
          writes: on large tables the application's inserts, updates and deletes queue up and time out. One row that \
          references nothing makes the statement fail after that wait. Once in place, writes of the running application that \
          leave a dangling reference fail.",
    locks: "PostgreSQL: `ALTER TABLE … ADD FOREIGN KEY` takes SHARE ROW EXCLUSIVE on the table and on the referenced table \
            (reads go on, writes wait) and scans the table while holding them. With `NOT VALID` it changes only the catalog \
            (the same locks, briefly) and checks only new writes; `VALIDATE CONSTRAINT` then checks the existing rows under \
            SHARE UPDATE EXCLUSIVE, which lets reads and writes go on. \
            MySQL/InnoDB: adding a foreign key copies the table (writes blocked) unless `foreign_key_checks` is off, in which \
            case it is done in place without checking the rows.",
    instead: "Add the key `NOT VALID`, then run `ALTER TABLE … VALIDATE CONSTRAINT …` in a transaction of its own. Fix the \
              orphans the pre-flight query lists before validating. With schemashift: declare the key `NOT VALID` in one \
              commit, and in a later commit declare `ALTER TABLE … VALIDATE CONSTRAINT …` in the schema: that plans a \
              `VALIDATE CONSTRAINT` step, which checks the existing rows while reads and writes go on. Or plan with \
              `--online`: the key is added `NOT VALID` and validated in a later transaction of the same change.",
    fires: &[
        Example::new(
            "CREATE TABLE u (id bigint PRIMARY KEY); CREATE TABLE t (id bigint PRIMARY KEY, u_id bigint);",
            "CREATE TABLE u (id bigint PRIMARY KEY); CREATE TABLE t (id bigint PRIMARY KEY, u_id bigint REFERENCES u (id));",
        ),
    ],
    passes: &[
        // NOT VALID: existing rows are not checked.
        Example::new(
            "CREATE TABLE u (id bigint PRIMARY KEY); CREATE TABLE t (id bigint PRIMARY KEY, u_id bigint);",
            "CREATE TABLE u (id bigint PRIMARY KEY); CREATE TABLE t (id bigint PRIMARY KEY, u_id bigint);\n\
             ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID;",
        ),
        // A table created by the same migration holds no rows.
        Example::new(
            "CREATE TABLE u (id bigint PRIMARY KEY);",
            "CREATE TABLE u (id bigint PRIMARY KEY); CREATE TABLE t (id bigint PRIMARY KEY, u_id bigint REFERENCES u (id));",
        ),
        // Validating the NOT VALID key later: a VALIDATE CONSTRAINT step, which lets writes go on.
        Example::new(
            "CREATE TABLE u (id bigint PRIMARY KEY); CREATE TABLE t (id bigint PRIMARY KEY, u_id bigint);\n\
             ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID;",
            "CREATE TABLE u (id bigint PRIMARY KEY); CREATE TABLE t (id bigint PRIMARY KEY, u_id bigint);\n\
             ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID;\n\
             ALTER TABLE t VALIDATE CONSTRAINT t_u_fk;",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::AddConstraint { table, constraint } = change else { continue };
        let ConstraintKind::ForeignKey { columns, references, ref_columns, match_type, .. } = &constraint.kind else { continue };
        if constraint.not_valid || !ctx.existed(table) {
            continue;
        }
        let Some(step) = adding(ctx, table, constraint).filter(|s| s.facts.work == Work::Scan) else { continue };
        let lock = level(step, "SHARE ROW EXCLUSIVE");
        let parent_is_new = !ctx.existed(references);
        let mut message = format!(
            "adding foreign key {} on {table} ({}) → {references} ({}) checks every row under {lock} on both tables (writes wait), \
             and fails if a row references nothing",
            constraint.name,
            list(columns),
            list(ref_columns)
        );
        if parent_is_new {
            message.push_str(&format!("; {references} is created by this migration, empty: every row with a key fails"));
        }
        let help = format!("fix the orphans first; {}", validate_recipe(table, constraint, step));
        let mut hit = Hit::new(format!("{table}.{}", constraint.name), message, ctx.at(change)).help(help);
        let full = *match_type == FkMatch::Full;
        if let Some(before) = Before::of(ctx, table)
            && let Some(keys) = before.columns(columns)
        {
            let sql = if parent_is_new {
                Some(before.orphans(&keys, None, full))
            } else {
                Before::of(ctx, references)
                    .and_then(|parent| parent.columns(ref_columns).map(|cols| before.orphans(&keys, Some((&parent.name, &cols)), full)))
            };
            if let Some(sql) = sql {
                hit = hit.preflight(Preflight::no_rows(sql));
            }
        }
        hits.push(hit);
    }
    hits
}
