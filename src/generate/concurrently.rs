//! `CREATE INDEX CONCURRENTLY` for tables that already hold data.
//!
//! A plain `CREATE INDEX` takes a SHARE lock: writes to the table wait until
//! the index is built, which on a large table is an outage. `CONCURRENTLY`
//! builds it without blocking writes, at the price of running outside a
//! transaction (see [`super::segment`]). Indexes on tables created in the
//! same migration gain nothing from it and keep the plain form, as do
//! partitioned tables, where PostgreSQL does not support it.

use crate::model::{QName, Schema};
use crate::plan::Step;
use crate::plan::facts::{Lock, OutsideTransaction, Work};

/// Rewrites the index steps of `steps`, a migration from `from` to `to`,
/// into their online form (see [`crate::plan::facts::Online`]).
pub fn rewrite(steps: &mut Vec<Step>, from: &Schema, to: &Schema) {
    for step in steps.iter_mut() {
        let (Some(online), Some(lock)) = (&step.facts.online, &step.facts.lock) else { continue };
        if online.form != "CONCURRENTLY" || !(plain_table(from, &lock.on) && plain_table(to, &lock.on)) {
            continue;
        }
        let online = step.facts.online.take().expect("checked above");
        step.sql = online.sql;
        step.transactional = !online.outside_transaction;
        step.facts.outside_transaction = online.outside_transaction.then_some(OutsideTransaction::Refused);
        step.facts.lock = step.facts.lock.take().map(|l| Lock { level: online.lock, ..l });
    }

    keep_rebuilds_together(steps, to.dialect);
}

/// A concurrent index build ends the transaction it would sit in. When it
/// sits between the drop of an object the migration rebuilds (a view over a
/// changed column, a trigger, a policy, a CHECK) and its re-creation, the
/// object would be missing while the index builds, and for good if the
/// build fails. Such builds move after the re-creations, with the steps
/// that need the new index (`CLUSTER ON`, `REPLICA IDENTITY USING INDEX`,
/// its comment, a foreign key into the table of a new unique index).
fn keep_rebuilds_together(steps: &mut Vec<Step>, dialect: crate::model::Dialect) {
    let is_build = |s: &Step| s.facts.outside_transaction == Some(OutsideTransaction::Refused) && s.facts.work == Work::IndexBuild;
    let Some(first_build) = steps.iter().position(is_build) else { return };
    // The last re-creation of something dropped before the first build.
    let dropped: Vec<&str> = steps[..first_build].iter().filter_map(|s| rebuilt_object(&s.summary, "drop ")).collect();
    let Some(last) = steps
        .iter()
        .rposition(|s| ["create ", "add "].iter().any(|p| rebuilt_object(&s.summary, p).is_some_and(|o| dropped.contains(&o))))
    else {
        return;
    };
    if last < first_build {
        return;
    }
    let mut moved_indexes: Vec<(String, bool, QName)> = Vec::new();
    let mut kept = Vec::new();
    let mut moved = Vec::new();
    for (i, s) in std::mem::take(steps).into_iter().enumerate() {
        let in_window = (first_build..=last).contains(&i);
        let needs_moved = || {
            let names = crate::dialect::mentioned_names(dialect, &s.sql);
            moved_indexes.iter().any(|(index, unique, table)| {
                names.contains(index) || (*unique && s.sql.contains("FOREIGN KEY") && s.sql.contains(&format!("REFERENCES {table}")))
            })
        };
        if in_window && (is_build(&s) || needs_moved()) {
            if is_build(&s)
                && let (Some(table), Some(index)) = (s.facts.lock.as_ref().map(|l| &l.on), index_name(&s.sql))
            {
                moved_indexes.push((index, s.sql.starts_with("CREATE UNIQUE"), table.clone()));
            }
            moved.push(s);
        } else {
            kept.push(s);
            if i == last {
                kept.append(&mut moved);
            }
        }
    }
    kept.append(&mut moved);
    *steps = kept;
}

/// The object of a step summary that starts with `verb` (`drop view
/// public.v` → `view public.v`), without the note on why.
fn rebuilt_object<'s>(summary: &'s str, verb: &str) -> Option<&'s str> {
    let rest = summary.strip_prefix(verb)?;
    let rest = rest.split(" (").next().unwrap_or(rest);
    let kind = rest.split(' ').next()?;
    ["view", "trigger", "policy", "rule", "constraint"].contains(&kind).then_some(rest)
}

/// The index a `CREATE [UNIQUE] INDEX CONCURRENTLY name ON …` creates.
fn index_name(sql: &str) -> Option<String> {
    let rest = sql.split_once("CONCURRENTLY ")?.1;
    let name = rest.split(" ON ").next()?.trim();
    Some(crate::model::name_parts_folded(name).pop().unwrap_or_default())
}

/// A table that exists, is not partitioned and is not a partition.
fn plain_table(schema: &Schema, name: &QName) -> bool {
    schema.tables.get(name).is_some_and(|t| t.partition_by.is_none() && t.partition_of.is_none())
}

