//! SS703 rollback-drops-new-data.

use super::{idents, name_after};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Rule};
use crate::model::{QName, Table, quote_ident, quote_literal};

pub static RULE: Rule = Rule {
    code: "SS703",
    name: "rollback-drops-new-data",
    class: Class::NonBreaking,
    opt_in: false,
    summary: "The down migration drops a table, column or sequence the up adds, with whatever the new application wrote there.",
    why: "Once the migration is deployed, the new application writes into what it added: rows of the new table, values of \
          the new column, numbers drawn from the new sequence. Rolling back drops them: the data is gone, and deploying \
          again later starts from empty tables and columns and from a sequence at its start value (numbers handed out \
          before may come again). The finding stands for every table and column the migration adds, because nothing in \
          the schema says whether the application has written there yet; a rollback right after the deploy loses \
          nothing. Generated columns are left out: their values are computed again.",
    locks: "None of its own: the finding is about the data. The down's DROP TABLE and DROP COLUMN take an ACCESS EXCLUSIVE \
            lock briefly and do not scan the table.",
    instead: "Decide before deploying whether a rollback may lose what the new version writes. If not, have the down keep it: \
              rename the table aside (`ALTER TABLE t RENAME TO t_rolled_back`) instead of dropping it, or copy the column out \
              (`CREATE TABLE t_c_saved AS SELECT id, c FROM t`) before dropping it; note a sequence's position \
              (`SELECT last_value FROM s`) to set it again with `setval` when deploying again. Or roll forward: fix the new \
              version rather than roll it back.",
    fires: &[
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, note text);"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY);", "CREATE TABLE t (id bigint PRIMARY KEY, note text);"),
    ],
    passes: &[
        // The down only drops an index: no data goes.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, note text);", "CREATE TABLE t (id bigint PRIMARY KEY, note text);\nCREATE INDEX t_note ON t (note);"),
        // A generated column's values are computed again after a redeploy.
        Example::new(
            "CREATE TABLE t (id bigint PRIMARY KEY, a int);",
            "CREATE TABLE t (id bigint PRIMARY KEY, a int, b int GENERATED ALWAYS AS (a * 2) STORED);",
        ),
        // A view holds no data of its own.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY);", "CREATE TABLE t (id bigint PRIMARY KEY);\nCREATE VIEW v AS SELECT id FROM t;"),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for d in ctx.plan.down.iter().filter_map(|s| s.facts.destroys.as_ref()) {
        // The down names a renamed table by its old name.
        let relation = name_after(ctx, &d.relation);
        if d.columns.is_empty() {
            for change in ctx.changes() {
                match change {
                    Change::CreateTable { table } if table.name == relation => {
                        let aside = quote_ident(&format!("{}_rolled_back", relation.name));
                        hits.push(
                            Hit::new(
                                relation.to_string(),
                                format!("table {relation} is new: the down drops it with every row the new application has written to it"),
                                ctx.at(change),
                            )
                            .help(format!(
                                "if its rows must survive a rollback, make the down set the table aside instead of dropping it: \
                                 `ALTER TABLE {relation} RENAME TO {aside};` (and drop it once it is no longer needed)"
                            )),
                        );
                    }
                    Change::CreateSequence { sequence } if sequence.name == relation => {
                        // A sequence owned by a column the up adds goes with that column's finding.
                        let owner_added = sequence.owned_by.as_ref().is_some_and(|(t, c)| {
                            ctx.changes().any(|x| match x {
                                Change::CreateTable { table } => &table.name == t,
                                Change::AddColumn { table, column } => table == t && &column.name == c,
                                _ => false,
                            })
                        });
                        if !owner_added {
                            hits.push(
                                Hit::new(
                                    relation.to_string(),
                                    format!(
                                        "sequence {relation} is new: the down drops it and its position; deployed again, it starts over and hands out numbers already used"
                                    ),
                                    ctx.at(change),
                                )
                                .help(format!(
                                    "before rolling back, note its position: `SELECT last_value FROM {relation};`; when deploying again, \
                                     continue from there: `SELECT setval({}, <that value>);`",
                                    quote_literal(&relation.to_string())
                                )),
                            );
                        }
                    }
                    _ => {}
                }
            }
            continue;
        }
        for name in &d.columns {
            let added = ctx.changes().find(|c| matches!(c, Change::AddColumn { table, column } if *table == relation && &column.name == name));
            let Some(change @ Change::AddColumn { column, .. }) = added else { continue };
            if column.generated.is_some() {
                continue;
            }
            let object = format!("{relation}.{}", quote_ident(name));
            let saved = QName::new(relation.schema.clone(), format!("{}_{name}_saved", relation.name));
            let help = match ctx.new_table(&relation).and_then(Table::row_key) {
                Some(key) => format!(
                    "if its values must survive a rollback, make the down copy them out first: \
                     `CREATE TABLE {saved} AS SELECT {}, {} FROM {relation};` (at the start of the down, before any rename)",
                    idents(&key),
                    quote_ident(name)
                ),
                None => format!(
                    "if its values must survive a rollback, make the down copy the rows out first: \
                     `CREATE TABLE {saved} AS SELECT * FROM {relation};` (at the start of the down, before any rename)"
                ),
            };
            hits.push(
                Hit::new(
                    &object,
                    format!("column {object} ({}) is new: the down drops it with every value the new application has written to it", column.data_type),
                    ctx.at(change),
                )
                .help(help),
            );
        }
    }
    hits
}
