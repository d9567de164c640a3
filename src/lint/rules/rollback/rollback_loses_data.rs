//! SS701 rollback-loses-data.

use super::{casts, columns_of_type, keep_a_copy, old_table};
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Located, Rule};
use crate::model::{QName, UserTypeKind, quote_ident, quote_literal};
use crate::plan::facts::Destroys;

pub static RULE: Rule = Rule {
    code: "SS701",
    name: "rollback-loses-data",
    class: Class::Breaking,
    opt_in: false,
    summary: "The up migration destroys or alters data that the down migration cannot give back.",
    why: "A down migration restores the old schema, not the old data. A table the up drops comes back empty; a column \
          comes back NULL (or with its default) in every row, and a NOT NULL column without a default cannot even be \
          added back to a table with rows; a sequence comes back at its start value and hands out numbers already used. \
          A type change that rounds, cuts or normalizes values (numeric(10,2) to numeric(10,0), timestamptz to date, \
          json to jsonb) is undone in type only; enum labels the up removes come back, but not in the rows that held \
          them. Rolling back after such a migration leaves the application with data it did not have before.",
    locks: "None of its own: the finding is about the data. The up's DROP TABLE and DROP COLUMN take an ACCESS EXCLUSIVE \
            lock briefly; a type change that converts values rewrites the table under an ACCESS EXCLUSIVE lock.",
    instead: "Keep a copy of what the up destroys before it runs, and make the rollback put it back: \
              `--preserve-data` (or `preserve_data = true`) plans exactly that for a dropped table or column, a type change \
              that alters values and rows holding removed enum labels (copies in the schema `schemashift_backup`, put back \
              by the down; `generate --drop-backups` drops them once no rollback is expected), and this rule then stays \
              quiet about what is kept. By hand: `CREATE TABLE t_backup AS TABLE t;` for a table, \
              `CREATE TABLE t_c_backup AS SELECT id, c FROM t;` for a column (then \
              `UPDATE t SET c = b.c FROM t_c_backup b WHERE b.id = t.id` after the down), `SELECT last_value FROM s` for a \
              sequence (then `setval`). Better still, split the migration: stop using the object first, and drop it in a \
              later release when a rollback past that point is no longer expected.",
    fires: &[
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, email text);", "CREATE TABLE t (id bigint PRIMARY KEY);"),
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, price numeric(10,2));", "CREATE TABLE t (id bigint PRIMARY KEY, price numeric(10,0));"),
        Example::new(
            "CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');\nCREATE TABLE t (id bigint PRIMARY KEY, m mood);",
            "CREATE TYPE mood AS ENUM ('happy', 'sad');\nCREATE TABLE t (id bigint PRIMARY KEY, m mood);",
        ),
        Example::new("CREATE SEQUENCE invoice_no;", ""),
    ],
    passes: &[
        // Widening keeps every value.
        Example::new("CREATE TABLE t (id bigint PRIMARY KEY, price numeric(10,2));", "CREATE TABLE t (id bigint PRIMARY KEY, price numeric(12,4));"),
        // A generated column holds nothing the down cannot compute again.
        Example::new(
            "CREATE TABLE t (id bigint PRIMARY KEY, a int, b int GENERATED ALWAYS AS (a * 2) STORED);",
            "CREATE TABLE t (id bigint PRIMARY KEY, a int, b int GENERATED ALWAYS AS (a * 3) STORED);",
        ),
        // A label removed from an enum no column uses loses no row.
        Example::new("CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');", "CREATE TYPE mood AS ENUM ('happy', 'sad');"),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for step in &ctx.plan.up {
        if let Some(d) = &step.facts.destroys {
            destroyed(ctx, d, &mut hits);
        }
    }
    for change in ctx.changes() {
        match change {
            Change::AlterColumn { table, from, to } if ctx.existed(table) && from.generated.is_none() && to.generated.is_none() => {
                let Some(what) = casts::loss(&from.data_type, &to.data_type) else { continue };
                if ctx.plan.backups.iter().any(|b| b.renamed == (table.clone(), Some(to.name.clone()))) {
                    continue;
                }
                let help = old_table(ctx, table).map(|t| keep_a_copy(t, std::slice::from_ref(&from.name), None));
                let mut hit = Hit::new(
                    format!("{table}.{}", to.name),
                    format!(
                        "column {table}.{} changes from {} to {}: {what}; the down changes the type back, not the values",
                        to.name, from.data_type, to.data_type
                    ),
                    ctx.at(change),
                );
                hit.help = help;
                hits.push(hit);
            }
            Change::RebuildEnum { from, to } => {
                let (UserTypeKind::Enum { values: old }, UserTypeKind::Enum { values: new }) = (&from.kind, &to.kind) else { continue };
                let removed: Vec<&String> = old.iter().filter(|v| !new.contains(v)).collect();
                // The rows of a column whose values the up keeps come back.
                let kept = |t: &QName, c: &str| ctx.plan.backups.iter().any(|b| b.relation == *t && b.column.as_deref() == Some(c));
                let users: Vec<_> = columns_of_type(ctx.old, &from.name).into_iter().filter(|(t, c)| !kept(&t.name, &c.name)).collect();
                if removed.is_empty() || users.is_empty() {
                    continue;
                }
                let labels = removed.iter().map(|v| quote_literal(v)).collect::<Vec<_>>().join(", ");
                let columns = users.iter().map(|(t, c)| format!("{}.{}", t.name, quote_ident(&c.name))).collect::<Vec<_>>().join(", ");
                let help = users
                    .iter()
                    .map(|(t, c)| {
                        let filter = if c.data_type.array_dims > 0 {
                            format!("{}::text[] && ARRAY[{labels}]", quote_ident(&c.name))
                        } else {
                            format!("{}::text IN ({labels})", quote_ident(&c.name))
                        };
                        keep_a_copy(t, std::slice::from_ref(&c.name), Some(&filter))
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                hits.push(
                    Hit::new(
                        to.name.to_string(),
                        format!(
                            "enum {} loses {labels}: the rows of {columns} that hold them must be changed before the up runs, \
                             and the down adds the labels back without knowing which rows had them",
                            to.name
                        ),
                        ctx.at(change),
                    )
                    .help(help),
                );
            }
            _ => {}
        }
    }
    hits
}

/// One hit for what an up step destroys, unless a hit of its own covers it
/// (a sequence dropped with its table) or nothing is lost (a generated
/// column, a materialized view).
fn destroyed(ctx: &Context, d: &Destroys, hits: &mut Vec<Hit>) {
    // Kept (`--preserve-data`): the down puts it back.
    if d.backed_up_in.is_some() {
        return;
    }
    let relation = &d.relation;
    if d.columns.is_empty() {
        if let Some(table) = ctx.old.tables.get(relation) {
            let at = change_at(ctx, |c| matches!(c, Change::DropTable { table } if &table.name == relation)).or_else(|| Located::old(&table.location));
            let backup = QName::new(relation.schema.clone(), format!("{}_backup", relation.name));
            hits.push(
                Hit::new(
                    relation.to_string(),
                    format!("table {relation} is dropped: the down creates it again with its {} columns but none of its rows", table.columns.len()),
                    at,
                )
                .help(format!(
                    "before the up migration, keep a copy: `CREATE TABLE {backup} AS TABLE {relation};` (or `pg_dump --table={relation}`); \
                     after a rollback, put the rows back: `INSERT INTO {relation} SELECT * FROM {backup};`"
                )),
            );
        } else if let Some(sequence) = ctx.old.sequences.get(relation) {
            // A sequence owned by a column or table the up drops goes with it: that hit says it.
            let owner_dropped = sequence.owned_by.as_ref().is_some_and(|(t, c)| {
                ctx.plan.up.iter().filter_map(|s| s.facts.destroys.as_ref()).any(|o| &o.relation == t && (o.columns.is_empty() || o.columns.contains(c)))
            });
            if owner_dropped {
                return;
            }
            let at = change_at(ctx, |c| matches!(c, Change::DropSequence { sequence } if &sequence.name == relation)).or_else(|| Located::old(&sequence.location));
            let user = sequence.owned_by.as_ref().map(|(t, c)| format!(" (it numbers {t}.{})", quote_ident(c))).unwrap_or_default();
            let setval = match &sequence.owned_by {
                Some((t, c)) => format!("`SELECT setval({}, (SELECT max({}) FROM {t}));`", quote_literal(&relation.to_string()), quote_ident(c)),
                None => format!("`SELECT setval({}, <that value>);`", quote_literal(&relation.to_string())),
            };
            hits.push(
                Hit::new(
                    relation.to_string(),
                    format!(
                        "sequence {relation} is dropped{user}: the down creates it again at its start value, and it hands out numbers already used"
                    ),
                    at,
                )
                .help(format!(
                    "before the up migration, note its position: `SELECT last_value FROM {relation};`; after a rollback, set it again: {setval}"
                )),
            );
        }
        return;
    }
    let Some(table) = old_table(ctx, relation) else { return };
    for name in &d.columns {
        let Some(column) = table.column(name) else { continue };
        if column.generated.is_some() {
            continue;
        }
        // The up names a table by its new name: a column it drops that the
        // new schema still has is dropped and added again.
        let rebuilt = ctx.new_column(relation, name).is_some();
        let at = change_at(ctx, |c| match c {
            Change::DropColumn { table: t, column: c } => t == relation && &c.name == name,
            Change::AlterColumn { table: t, to, .. } => t == relation && &to.name == name,
            _ => false,
        })
        .or_else(|| Located::old(&column.location));
        let back = if rebuilt {
            "it is dropped and added again, so its values are replaced, and the down cannot bring them back".to_string()
        } else if !column.nullable && column.default.is_none() && column.identity.is_none() {
            "the down adds it back NOT NULL without a default, which fails on a table with rows, and could not refill it anyway".to_string()
        } else if let Some(default) = &column.default {
            format!("the down adds it back with its default ({default}) in every row, not the values it held")
        } else {
            "the down adds it back NULL in every row".to_string()
        };
        hits.push(
            Hit::new(
                format!("{relation}.{}", quote_ident(name)),
                format!("column {relation}.{} ({}) loses its values: {back}", quote_ident(name), column.data_type),
                at,
            )
            .help(keep_a_copy(table, std::slice::from_ref(name), None)),
        );
    }
}

/// Where the first change `pick` accepts points.
fn change_at(ctx: &Context, pick: impl Fn(&Change) -> bool) -> Option<Located> {
    ctx.changes().find(|c| pick(c)).and_then(|c| ctx.at(c))
}
