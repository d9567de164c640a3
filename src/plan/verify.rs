//! Self-verification: a planned migration is replayed with the reader onto
//! the schema it starts from, and must give the schema it aims at — the up
//! script onto the old model gives the new one, the down script onto the new
//! gives the old. A mismatch is a bug in schemashift (exit 70) and names the
//! object, rather than a wrong migration reaching the user.

use super::Plan;
use crate::diff::Change;
use crate::error::{Error, Result, Warning};
use crate::model::{ConstraintKind, QName, Schema, Table};
use crate::dialect::OutsideNames;
use serde_json::Value;
use std::collections::BTreeSet;

/// One direction after the other: each replay works on a copy of a model,
/// and two at once would double the memory of a large schema's run.
///
/// When the plan only changes tables (and sequences, comments), both
/// directions are first replayed onto a copy of just those tables and their
/// neighbours (see [`touched_tables`]), with every other table checked to be
/// the same on both sides in place: a one-table change to a large schema
/// then costs a comparison of the models, not copies of them. Anything that
/// part-replay cannot show to be right is checked again on whole copies,
/// which alone decide a failure.
pub fn verify(old: &Schema, new: &Schema, plan: &Plan) -> Result<()> {
    verify_noting(old, new, plan).map(|_| ())
}

/// [`verify`], returning what the migrations leave different from the
/// schemas in the one way PostgreSQL allows no migration to avoid (see
/// [`settle_locality`]): for the plan's warnings.
pub fn verify_noting(old: &Schema, new: &Schema, plan: &Plan) -> Result<Vec<Warning>> {
    if !keeps_backups(plan)
        && let Some(tables) = touched_tables(old, new, &plan.changes)
        && untouched_are_same(old, new, &tables)
        && let Some(mut notes) = replays_in_part("up", old, new, &plan.up_sql(), &tables)
        && let Some(down_notes) = replays_in_part("down", new, old, &plan.down_sql(), &tables)
    {
        notes.extend(down_notes);
        return Ok(notes);
    }
    // The down runs where the up left the database: with the copies the up
    // kept (`--preserve-data`), which it reads and drops.
    let (mut notes, kept) = check("up", old, new, &plan.up_sql(), None)?;
    notes.extend(check("down", new, old, &plan.down_sql(), Some(kept))?.0);
    Ok(notes)
}

/// Whether the plan's steps touch the backup schema (`--preserve-data`):
/// its objects are not in either model, so only whole copies can show the
/// plan right.
fn keeps_backups(plan: &Plan) -> bool {
    !plan.backups.is_empty()
        || plan.up.iter().chain(&plan.down).flat_map(|s| &s.facts.touches).any(|t| match &t.object {
            crate::plan::Object::Schema(n) => n == crate::model::BACKUP_SCHEMA,
            crate::plan::Object::Table(q) => q.schema == crate::model::BACKUP_SCHEMA,
            _ => false,
        })
}

/// Whether a table declares an inherited column or CHECK itself
/// (`attislocal`, `conislocal`) is the one thing a migration cannot always
/// give: PostgreSQL makes a column or CHECK inherited-only only when it
/// creates it that way (CREATE TABLE … INHERITS, a parent's ADD COLUMN or
/// ADD CONSTRAINT), so a table that starts inheriting keeps declaring what
/// it had. Where the replayed model differs from the target only so, on a
/// column or CHECK that is inherited in both, the target's word is taken
/// and the difference returned as a note.
fn settle_locality(direction: &str, replayed: &mut Schema, target: &Schema) -> Vec<Warning> {
    let mut columns = Vec::new();
    let mut checks = Vec::new();
    for (name, a) in &replayed.tables {
        let Some(b) = target.tables.get(name).filter(|b| b.inherits == a.inherits && !a.inherits.is_empty()) else { continue };
        for c in &a.columns {
            if let Some(bc) = b.column(&c.name).filter(|bc| bc.local != c.local && !replayed.column_providers(a, &c.name).is_empty()) {
                columns.push((name.clone(), c.name.clone(), bc.local, bc.location.clone()));
            }
        }
        for k in a.constraints.values() {
            if let Some(bk) = b.constraints.get(&k.name).filter(|bk| bk.local != k.local && !replayed.check_providers(a, &k.name).is_empty()) {
                checks.push((name.clone(), k.name.clone(), bk.local, bk.location.clone()));
            }
        }
    }
    // `wanted`: whether the target has it declared by the table.
    let database = target.dialect.product_name();
    let note = |table: &QName, what: &str, wanted: bool| {
        if wanted {
            format!(
                "after the {direction} migration, {table} only inherits {what}, where the schema declares it too: \
                 {database} cannot change that in place; dropping it from the parent will drop it from {table}"
            )
        } else {
            format!(
                "after the {direction} migration, {table} declares {what} itself, where the schema only inherits it: \
                 {database} cannot change that in place; dropping it from the parent will leave it in {table}"
            )
        }
    };
    let mut notes = Vec::new();
    for (table, column, wanted, location) in columns {
        notes.push(Warning { message: note(&table, &format!("column {column}"), wanted), location });
        if let Some(c) = replayed.tables.get_mut(&table).and_then(|t| t.column_mut(&column)) {
            c.local = wanted;
        }
    }
    for (table, check, wanted, location) in checks {
        notes.push(Warning { message: note(&table, &format!("CHECK {check}"), wanted), location });
        if let Some(k) = replayed.tables.get_mut(&table).and_then(|t| t.constraints.get_mut(&check)) {
            k.local = wanted;
        }
    }
    notes
}

/// The tables a plan of only table-level changes can touch: the tables it
/// names, the tables their foreign keys reference or are referenced from
/// (a dropped key or table takes dependent keys with it; `REFERENCES t`
/// needs t's primary key) and their partition parents and partitions. None
/// when a change may reach further (types used by columns anywhere, renames
/// that other objects follow, views and functions).
fn touched_tables(old: &Schema, new: &Schema, changes: &[Change]) -> Option<BTreeSet<QName>> {
    let mut named: BTreeSet<QName> = BTreeSet::new();
    for change in changes {
        match change {
            Change::AddColumn { table, .. }
            | Change::DropColumn { table, .. }
            | Change::RenameColumn { table, .. }
            | Change::AlterColumn { table, .. }
            | Change::AddConstraint { table, .. }
            | Change::RenameConstraint { table, .. }
            | Change::DropConstraint { table, .. }
            | Change::ValidateConstraint { table, .. }
            | Change::CreateIndex { table, .. }
            | Change::DropIndex { table, .. }
            | Change::RenameIndex { table, .. }
            | Change::CreateTrigger { table, .. }
            | Change::DropTrigger { table, .. }
            | Change::SetLogged { table, .. }
            | Change::SetStorageParameters { table, .. }
            | Change::SetReplicaIdentity { table, .. }
            | Change::SetClusterOn { table, .. }
            | Change::SetRowLevelSecurity { table, .. }
            | Change::SetForceRowLevelSecurity { table, .. }
            | Change::SetTriggerEnabled { table, .. }
            | Change::CreatePolicy { table, .. }
            | Change::DropPolicy { table, .. }
            | Change::AlterPolicy { table, .. }
            | Change::CreateRule { table, .. }
            | Change::DropRule { table, .. }
            | Change::SetRuleEnabled { table, .. } => {
                named.insert(table.clone());
            }
            Change::CreateTable { table } | Change::DropTable { table } => {
                named.insert(table.name.clone());
            }
            Change::Inherit { table, parent } | Change::NoInherit { table, parent } => {
                named.insert(table.clone());
                named.insert(parent.clone());
            }
            Change::CreateSequence { sequence } | Change::DropSequence { sequence } => {
                named.extend(sequence.owned_by.iter().map(|(t, _)| t.clone()));
            }
            Change::AlterSequence { from, to } => {
                named.extend(from.owned_by.iter().chain(&to.owned_by).map(|(t, _)| t.clone()));
            }
            // Whoever it is on: the object is found in the part or the
            // whole-model check runs (an untouched table must be the same on both sides).
            Change::SetComment { .. } => {}
            _ => return None,
        }
    }
    // A change to a table reaches the tables inheriting from it, and needs
    // its parents (what they give, whether a column is inherited).
    for schema in [old, new].into_iter().filter(|s| s.tables.values().any(|t| !t.inherits.is_empty())) {
        for name in named.clone() {
            named.extend(schema.descendants(&name));
            named.extend(schema.ancestors(&name));
        }
    }
    let mut tables = named.clone();
    for schema in [old, new] {
        for (name, table) in &schema.tables {
            let is_named = named.contains(name);
            for c in table.constraints.values() {
                if let ConstraintKind::ForeignKey { references, .. } = &c.kind {
                    if is_named {
                        tables.insert(references.clone());
                    } else if named.contains(references) {
                        tables.insert(name.clone());
                    }
                }
            }
            if let Some(p) = &table.partition_of {
                if is_named {
                    tables.insert(p.parent.clone());
                } else if named.contains(&p.parent) {
                    tables.insert(name.clone());
                }
            }
        }
    }
    Some(tables)
}

/// Every table outside `tables` is on both sides, the same.
fn untouched_are_same(old: &Schema, new: &Schema, tables: &BTreeSet<QName>) -> bool {
    let mut a = old.tables.iter().filter(|(n, _)| !tables.contains(*n));
    let mut b = new.tables.iter().filter(|(n, _)| !tables.contains(*n));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some((ka, ta)), Some((kb, tb))) if ka == kb && same_table(ta, tb) => {}
            _ => return false,
        }
    }
}

/// Replays `sql` onto a copy of `from` holding only `tables`, and compares
/// the result with `to` there and everywhere but in the other tables.
/// `None` when they differ (or the replay fails).
fn replays_in_part(direction: &str, from: &Schema, to: &Schema, sql: &str, tables: &BTreeSet<QName>) -> Option<Vec<Warning>> {
    let part = Schema {
        dialect: from.dialect,
        schemas: from.schemas.clone(),
        extensions: from.extensions.clone(),
        types: from.types.clone(),
        sequences: from.sequences.clone(),
        tables: from.tables.iter().filter(|(n, _)| tables.contains(*n)).map(|(n, t)| (n.clone(), t.clone())).collect(),
        views: from.views.clone(),
        functions: from.functions.clone(),
        statistics: from.statistics.clone(),
        publications: from.publications.clone(),
        opaque: from.opaque.clone(),
    };
    let mut outside = OutsideNames::default();
    for (name, table) in from.tables.iter().filter(|(n, _)| !tables.contains(*n)) {
        outside.add_relation(&name.schema, &name.name);
        for index in table.indexes.keys() {
            outside.add_relation(&name.schema, index);
        }
        for constraint in table.constraints.keys() {
            outside.add_constraint(&name.schema, constraint);
        }
    }
    let file = format!("<{direction} migration>");
    let Ok(mut replayed) = crate::dialect::replay_part(part, &file, sql, outside) else { return None };
    let notes = settle_locality(direction, &mut replayed, to);
    let same = same_but_tables(&replayed, to)
        && replayed.tables.keys().all(|n| tables.contains(n))
        && tables.iter().all(|n| match (replayed.tables.get(n), to.tables.get(n)) {
            (Some(a), Some(b)) => same_table(a, b),
            (None, None) => true,
            _ => false,
        });
    same.then_some(notes)
}

/// Whether `sql` replayed onto `from` gives `to` (for an order of the
/// steps other than the planner's: the runbook's phases).
pub fn replays_to(from: &Schema, to: &Schema, sql: &str) -> bool {
    check("up", from, to, sql, None).is_ok()
}

/// Replays `sql` onto `from` (with the backups `kept`, when a migration
/// before left some) and compares the result with `to`, leaving the backup
/// schema out of the comparison (see [`crate::model::BACKUP_SCHEMA`]).
/// Returns what the replay leaves in the backup schema too.
fn check(direction: &str, from: &Schema, to: &Schema, sql: &str, kept: Option<Schema>) -> Result<(Vec<Warning>, Schema)> {
    let mut start = from.clone();
    if let Some(kept) = kept {
        start.add_backups(kept);
    }
    let mut replayed = crate::dialect::replay(start, &format!("<{direction} migration>"), sql).map_err(|e| {
        Error::internal(format!("the planned {direction} migration does not replay: {}", e.line()))
            .help("this is a bug in schemashift; please report it with the two schemas")
    })?;
    let backups = replayed.take_backups();
    let to = to.without_backups();
    let to = to.as_ref();
    let notes = settle_locality(direction, &mut replayed, to);
    if same(&replayed, to) {
        return Ok((notes, backups));
    }
    let a = serde_json::to_value(comparable(&replayed)).expect("model serializes");
    let b = serde_json::to_value(comparable(to)).expect("model serializes");
    let mut differences = Vec::new();
    json_diff("", &a, &b, &mut differences);
    let shown: Vec<&String> = differences.iter().take(5).collect();
    Err(Error::internal(format!(
        "the planned {direction} migration does not produce the target schema: {}",
        shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ")
    ))
    .help("this is a bug in schemashift; no migration was written. Please report it with the two schemas"))
}

/// Whether two models are equal but for what [`comparable`] leaves out,
/// compared in place: the models can be large, and copying them to compare
/// would double the memory a run needs.
fn same(a: &Schema, b: &Schema) -> bool {
    same_but_tables(a, b)
        && a.tables.len() == b.tables.len()
        && a.tables.iter().zip(&b.tables).all(|((ka, ta), (kb, tb))| ka == kb && same_table(ta, tb))
}

/// [`same`] for all but the tables.
fn same_but_tables(a: &Schema, b: &Schema) -> bool {
    fn privileges(s: &Schema) -> Vec<&crate::model::Opaque> {
        s.opaque.iter().filter(|o| o.kind == "GRANT" || o.kind == "REVOKE").collect()
    }
    a.dialect == b.dialect
        && a.schemas == b.schemas
        && a.extensions == b.extensions
        && a.types == b.types
        && a.sequences == b.sequences
        && a.views.len() == b.views.len()
        && a.views.iter().zip(&b.views).all(|((ka, va), (kb, vb))| ka == kb && same_view(va, vb))
        && a.functions == b.functions
        && a.statistics == b.statistics
        && a.publications == b.publications
        && privileges(a) == privileges(b)
}

/// [`same`] for one view: whether a materialized view holds data is not
/// part of its definition (a view the migration leaves alone keeps its own).
fn same_view(va: &crate::model::View, vb: &crate::model::View) -> bool {
    va.with_no_data == vb.with_no_data || crate::model::View { with_no_data: vb.with_no_data, ..va.clone() } == *vb
}

/// [`same`] for one table: columns in any order.
fn same_table(ta: &Table, tb: &Table) -> bool {
    ta.columns.len() == tb.columns.len()
        && ta.columns.iter().all(|c| tb.column(&c.name) == Some(c))
        && ta.constraints == tb.constraints
        && ta.indexes == tb.indexes
        && ta.triggers == tb.triggers
        && ta.partition_by == tb.partition_by
        && ta.partition_of == tb.partition_of
        && ta.inherits == tb.inherits
        && ta.unlogged == tb.unlogged
        && ta.with == tb.with
        && ta.replica_identity == tb.replica_identity
        && ta.cluster_on == tb.cluster_on
        && ta.row_level_security == tb.row_level_security
        && ta.force_row_level_security == tb.force_row_level_security
        && ta.policies == tb.policies
        && ta.rules == tb.rules
        && ta.comment == tb.comment
}

/// The model without what a migration cannot carry: statements schemashift
/// does not model are copied forward but cannot be undone, and PostgreSQL
/// adds columns at the end of a table and cannot reorder them (the plan
/// warns about both).
fn comparable(schema: &Schema) -> Schema {
    let mut s = schema.clone();
    s.opaque.retain(|o| o.kind == "GRANT" || o.kind == "REVOKE");
    for v in s.views.values_mut() {
        v.with_no_data = false;
    }
    for t in s.tables.values_mut() {
        t.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    s
}

/// Paths where two JSON values differ, with both values (shortened).
fn json_diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).filter(|k| *k != "location").collect();
            for k in keys {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match (x.get(k), y.get(k)) {
                    (Some(va), Some(vb)) => json_diff(&p, va, vb, out),
                    (Some(va), None) => out.push(format!("{p}: {} ≠ (absent)", short(va))),
                    (None, Some(vb)) => out.push(format!("{p}: (absent) ≠ {}", short(vb))),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                json_diff(&format!("{path}[{i}]"), va, vb, out);
            }
        }
        _ if a != b => out.push(format!("{path}: {} ≠ {}", short(a), short(b))),
        _ => {}
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 200 { format!("{}…", s.chars().take(200).collect::<String>()) } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dialect;
    use crate::source::SourceFile;

    fn model(sql: &str) -> Schema {
        let file = SourceFile { path: "schema.sql".into(), bytes: sql.as_bytes().to_vec(), blob_id: None };
        crate::read::read_schema(&[file], Dialect::Postgres).expect("reads").0
    }

    const OLD: &str = "CREATE TABLE a (id int PRIMARY KEY, n int);
        CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a, code text UNIQUE);
        CREATE TABLE c (id int PRIMARY KEY, code text UNIQUE);
        CREATE TABLE d (id int PRIMARY KEY);";
    const NEW: &str = "CREATE TABLE a (id int PRIMARY KEY, n int DEFAULT 0);
        CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a, code text UNIQUE);
        CREATE TABLE c (id int PRIMARY KEY, code text UNIQUE, extra text UNIQUE);
        CREATE TABLE d (id int PRIMARY KEY);";

    #[test]
    fn a_table_change_is_verified_on_the_tables_it_touches() {
        let (old, new) = (model(OLD), model(NEW));
        let plan = super::super::plan_unverified(&old, &new, &Default::default()).expect("plans");
        let tables = touched_tables(&old, &new, &plan.changes).expect("table-level changes only");
        // a is changed, b references it, c is changed; d is left out.
        let names: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
        assert_eq!(names, ["public.a", "public.b", "public.c"]);
        assert!(untouched_are_same(&old, &new, &tables));
        assert!(replays_in_part("up", &old, &new, &plan.up_sql(), &tables).is_some(), "{}", plan.up_sql());
        assert!(replays_in_part("down", &new, &old, &plan.down_sql(), &tables).is_some(), "{}", plan.down_sql());
        verify(&old, &new, &plan).expect("verifies");
    }

    #[test]
    fn a_validated_constraint_is_verified_on_its_table() {
        let old = model("CREATE TABLE a (id int PRIMARY KEY, n int);\nALTER TABLE a ADD CONSTRAINT n_positive CHECK (n > 0) NOT VALID;\nCREATE TABLE d (id int);");
        let new = model("CREATE TABLE a (id int PRIMARY KEY, n int);\nALTER TABLE a ADD CONSTRAINT n_positive CHECK (n > 0) NOT VALID;\nCREATE TABLE d (id int);\nALTER TABLE a VALIDATE CONSTRAINT n_positive;");
        let plan = super::super::plan_unverified(&old, &new, &Default::default()).expect("plans");
        let tables = touched_tables(&old, &new, &plan.changes).expect("table-level changes only");
        assert_eq!(tables.iter().map(|t| t.to_string()).collect::<Vec<_>>(), ["public.a"]);
        assert_eq!(plan.up_sql(), "ALTER TABLE public.a VALIDATE CONSTRAINT n_positive;\n");
        verify(&old, &new, &plan).expect("verifies");
    }

    #[test]
    fn a_wrong_plan_fails_however_it_is_checked() {
        let (old, new) = (model(OLD), model(NEW));
        let good = super::super::plan_unverified(&old, &new, &Default::default()).expect("plans");
        let mut missing_step = good.clone();
        missing_step.up.pop();
        assert!(verify(&old, &new, &missing_step).is_err());
        // A step on a table the changes do not name: outside the part.
        let mut extra_step = good.clone();
        extra_step.up.push(super::super::Step {
            summary: "stray".into(),
            sql: "ALTER TABLE d ADD COLUMN stray int;".into(),
            transactional: true,
            facts: Default::default(),
        });
        assert!(verify(&old, &new, &extra_step).is_err());
        let mut stray_down = good.clone();
        stray_down.down.push(super::super::Step {
            summary: "stray".into(),
            sql: "DROP TABLE d;".into(),
            transactional: true,
            facts: Default::default(),
        });
        assert!(verify(&old, &new, &stray_down).is_err());
    }

    #[test]
    fn a_table_that_starts_inheriting_keeps_declaring_its_columns() {
        let old = model("CREATE TABLE p (id int); CREATE TABLE c (id int, x int);");
        let new = model("CREATE TABLE p (id int); CREATE TABLE c (x int) INHERITS (p);");
        let plan = super::super::plan(&old, &new).expect("plans and verifies");
        assert_eq!(plan.up_sql(), "ALTER TABLE public.c INHERIT public.p;\n");
        assert!(plan.warnings.iter().any(|w| w.message.contains("public.c declares column id itself")), "{:?}", plan.warnings);
        // Only whether the column is declared is let go: a plan that does not
        // make c inherit is still wrong.
        let mut wrong = plan.clone();
        wrong.up.clear();
        assert!(verify(&old, &new, &wrong).is_err());
    }

    #[test]
    fn generated_names_avoid_the_tables_outside_the_part() {
        // The new unnamed UNIQUE on c.extra is named c_extra_key; a constraint
        // of that name on d (outside the part) makes PostgreSQL pick c_extra_key1.
        let old = model("CREATE TABLE d (id int CONSTRAINT c_extra_key UNIQUE); CREATE TABLE c (id int);");
        let new = model("CREATE TABLE d (id int CONSTRAINT c_extra_key UNIQUE); CREATE TABLE c (id int, extra text UNIQUE);");
        assert!(new.tables[&QName::new("public", "c")].constraints.contains_key("c_extra_key1"));
        let mut plan = super::super::plan_unverified(&old, &new, &Default::default()).expect("plans");
        let tables = touched_tables(&old, &new, &plan.changes).expect("table-level changes only");
        assert!(!tables.contains(&QName::new("public", "d")));
        // The planner names the constraint; left unnamed, the replay must generate the same name.
        for step in &mut plan.up {
            step.sql = step.sql.replace("CONSTRAINT c_extra_key1 ", "");
        }
        assert!(replays_in_part("up", &old, &new, &plan.up_sql(), &tables).is_some(), "{}", plan.up_sql());
    }
}
