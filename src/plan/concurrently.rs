//! `CREATE INDEX CONCURRENTLY` for tables that already hold data.
//!
//! A plain `CREATE INDEX` takes a SHARE lock: writes to the table wait until
//! the index is built, which on a large table is an outage. `CONCURRENTLY`
//! builds it without blocking writes, at the price of running outside a
//! transaction (see [`crate::generate::segment`]). Indexes on tables created in the
//! same migration gain nothing from it and keep the plain form, as do
//! partitioned tables, where PostgreSQL does not support it.

use crate::model::{ConstraintKind, QName, Schema};
use crate::plan::facts::{Lock, OutsideTransaction, Work};
use crate::plan::{Action, Object, Step};

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

    keep_rebuilds_together(steps, to);
}

/// A concurrent index build ends the transaction it would sit in. When it
/// sits between the drop of an object the migration rebuilds (a view over a
/// changed column, a trigger, a policy, a CHECK) and its re-creation, the
/// object would be missing while the index builds, and for good if the
/// build fails; between the change of an object and its drop (an enum
/// replaced by a new one), the migration would stop half-way through. Such builds move after the re-creations, with the steps
/// that need the new index (`CLUSTER ON`, `REPLICA IDENTITY USING INDEX`,
/// its comment, a foreign key into the table of a new unique index), all
/// of it read from the steps' facts (what each creates, drops and uses)
/// and the new schema (which indexes are unique).
fn keep_rebuilds_together(steps: &mut Vec<Step>, to: &Schema) {
    let is_build = |s: &Step| s.facts.outside_transaction == Some(OutsideTransaction::Refused) && s.facts.work == Work::IndexBuild;
    let Some(first_build) = steps.iter().position(is_build) else { return };
    // The last re-creation of something dropped before the first build, or
    // the last drop of something changed before it: a replacement under
    // way (an enum renamed out of the way while its columns are converted
    // to the new one, which the steps name by the enum's name).
    let dropped: Vec<&Object> = steps[..first_build].iter().flat_map(|s| s.touched(Action::Drop)).filter(|o| rebuilt_kind(o)).collect();
    let changed = [Action::Create, Action::Alter, Action::RenameTo];
    let set_aside: Vec<&Object> = steps[..first_build].iter().flat_map(|s| changed.iter().flat_map(move |a| s.touched(*a))).collect();
    let Some(last) = steps.iter().rposition(|s| {
        s.touched(Action::Create).any(|o| dropped.contains(&o)) || s.touched(Action::Drop).any(|o| set_aside.contains(&o))
    }) else {
        return;
    };
    if last < first_build {
        return;
    }
    // Each index moved, whether it is unique, and its table.
    let mut moved_indexes: Vec<(Object, bool, QName)> = Vec::new();
    let mut kept = Vec::new();
    let mut moved = Vec::new();
    for (i, s) in std::mem::take(steps).into_iter().enumerate() {
        let in_window = (first_build..=last).contains(&i);
        let needs_moved = || {
            moved_indexes.iter().any(|(index, unique, table)| {
                s.facts.touches.iter().any(|t| t.object == *index) || (*unique && creates_foreign_key_into(&s, table))
            })
        };
        // What must commit first (an online plan's validations) does not
        // wait for the builds: they go before it.
        if s.facts.commits_before && i > first_build {
            kept.append(&mut moved);
        }
        if in_window && (is_build(&s) || needs_moved()) {
            if is_build(&s)
                && let Some(table) = s.facts.lock.as_ref().map(|l| &l.on)
            {
                for index in s.touched(Action::Create).filter(|o| matches!(o, Object::Index(_))) {
                    let Object::Index(name) = index else { continue };
                    // A unique index, or the one a UNIQUE or PRIMARY KEY constraint takes over.
                    let unique = to.tables.get(table).is_some_and(|t| {
                        t.indexes.get(&name.name).is_some_and(|i| i.unique)
                            || t.constraints.get(&name.name).is_some_and(|c| matches!(c.kind, ConstraintKind::Unique { .. } | ConstraintKind::PrimaryKey { .. }))
                    });
                    moved_indexes.push((index.clone(), unique, table.clone()));
                }
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

/// The kinds of object a migration drops and creates again around a
/// change, which must not be missing while an index builds (indexes
/// themselves are what moves).
fn rebuilt_kind(object: &Object) -> bool {
    matches!(
        object,
        Object::View(_)
            | Object::MaterializedView(_)
            | Object::Trigger(..)
            | Object::Policy(..)
            | Object::Rule(..)
            | Object::Constraint(..)
            | Object::DomainConstraint(..)
    )
}

/// Whether `step` adds a foreign key into `table`: it creates a constraint
/// and uses the table.
fn creates_foreign_key_into(step: &Step, table: &QName) -> bool {
    step.touched(Action::Create).any(|o| matches!(o, Object::Constraint(..)))
        && step.touched(Action::Use).any(|o| matches!(o, Object::Table(t) if t == table))
}

/// A table that exists, is not partitioned and is not a partition.
fn plain_table(schema: &Schema, name: &QName) -> bool {
    schema.tables.get(name).is_some_and(|t| t.partition_by.is_none() && t.partition_of.is_none())
}


#[cfg(test)]
mod tests {
    use super::*;

    /// A step known only by its facts: no SQL, no summary.
    fn fact(touches: &[(Action, Object)]) -> Step {
        touches.iter().fold(Step::new("", ""), |s, (a, o)| s.touching(*a, o.clone()))
    }

    fn q(name: &str) -> QName {
        QName::new("public", name)
    }

    #[test]
    fn a_build_moves_after_the_rebuilt_view_with_what_needs_its_index() {
        let to = crate::dialect::postgres::read::replay(
            Schema::new(crate::model::Dialect::Postgres),
            "new.sql",
            "CREATE TABLE t (a int, b int); CREATE UNIQUE INDEX i ON t (a); CREATE TABLE u (a int);",
        )
        .expect("reads");
        let index = Object::Index(q("i"));
        let mut build = fact(&[(Action::Alter, Object::Table(q("t"))), (Action::Create, index.clone())]);
        build.facts.outside_transaction = Some(OutsideTransaction::Refused);
        build.facts.work = Work::IndexBuild;
        build.facts.lock = Some(Lock { level: "SHARE UPDATE EXCLUSIVE", on: q("t") });
        let mut steps = vec![
            fact(&[(Action::Drop, Object::View(q("v")))]),
            build,
            fact(&[(Action::Create, Object::Constraint(q("u"), "fk".into())), (Action::Use, Object::Table(q("t")))]),
            fact(&[(Action::Alter, Object::Table(q("t"))), (Action::Alter, Object::Column(q("t"), "b".into()))]),
            fact(&[(Action::Alter, index)]),
            fact(&[(Action::Create, Object::View(q("v")))]),
            fact(&[(Action::Alter, Object::Table(q("u")))]),
        ];
        for (i, s) in steps.iter_mut().enumerate() {
            s.summary = i.to_string();
        }
        keep_rebuilds_together(&mut steps, &to);
        let order: Vec<&str> = steps.iter().map(|s| s.summary.as_str()).collect();
        // The view is back before the build ends the transaction; the
        // foreign key into t and the index's comment wait for the index.
        assert_eq!(order, ["0", "3", "5", "1", "2", "4", "6"]);
    }

    #[test]
    fn a_build_waits_until_a_replaced_type_is_dropped() {
        let to = crate::dialect::postgres::read::replay(Schema::new(crate::model::Dialect::Postgres), "new.sql", "CREATE TABLE t (a int);")
            .expect("reads");
        let mood = Object::Type(q("mood"));
        let mut build = fact(&[(Action::Alter, Object::Table(q("t"))), (Action::Create, Object::Index(q("i")))]);
        build.facts.outside_transaction = Some(OutsideTransaction::Refused);
        build.facts.work = Work::IndexBuild;
        build.facts.lock = Some(Lock { level: "SHARE UPDATE EXCLUSIVE", on: q("t") });
        // The enum renamed out of the way, the new one, the column converted,
        // the build, the old enum dropped (all named by the enum's name).
        let mut steps = vec![
            fact(&[(Action::Alter, mood.clone())]),
            fact(&[(Action::Create, mood.clone())]),
            fact(&[(Action::Alter, Object::Column(q("t"), "a".into())), (Action::Use, mood.clone())]),
            build,
            fact(&[(Action::Drop, mood)]),
            fact(&[(Action::Alter, Object::Table(q("u")))]),
        ];
        for (i, s) in steps.iter_mut().enumerate() {
            s.summary = i.to_string();
        }
        keep_rebuilds_together(&mut steps, &to);
        let order: Vec<&str> = steps.iter().map(|s| s.summary.as_str()).collect();
        assert_eq!(order, ["0", "1", "2", "4", "3", "5"]);
    }
}
