//! Data-preserving plans (`--preserve-data`): before a step destroys data,
//! the up migration copies it into a table of the schema
//! [`BACKUP_SCHEMA`]; the down migration puts it back from there and drops
//! the copy.
//!
//! What is kept, and how it comes back:
//!
//! - a dropped table: every row (`INSERT … SELECT … FROM ONLY`), inserted
//!   again once the down has created the table (and before its foreign keys,
//!   indexes and triggers come back), `OVERRIDING SYSTEM VALUE` for identity
//!   columns; the sequences its columns own are set to the largest value
//!   put back. A partitioned table has no rows of its own: its partitions'
//!   rows are kept with them;
//! - a dropped column: the row key and the column's value in every row,
//!   written back with an `UPDATE … FROM` right after the down adds the
//!   column again (a NOT NULL column without a default is added NULL, filled,
//!   then made NOT NULL);
//! - a type change that alters values it keeps (rounds, cuts, normalizes:
//!   the conversions [`round_trip::loss`] names): the key and the old value
//!   of each row whose value the conversion there and back would change,
//!   written back after the down changes the type back, in the rows that
//!   still hold what the up made of it (a value written since is kept);
//! - enum labels removed from a type: the key and the value of each row
//!   holding one, which the up then sets to NULL (or to the column's default
//!   when it is NOT NULL) so that the type can lose the label; these copies
//!   are taken first, in a migration of their own (`commits_before` on the
//!   step after them), and put back last, once the type has its labels
//!   again: a label added back by `ALTER TYPE … ADD VALUE` can only be used
//!   after that transaction commits, and `generate` gives each migration its
//!   own down, so the label comes back in one migration and the rows in the
//!   next one down.
//!
//! Rows are found again by the table's primary key, or a unique constraint
//! over NOT NULL columns, which must reach the new schema unchanged; a
//! column of a table without one, or of a table that takes part in
//! partitioning or inheritance, or an identity column, is not kept: a
//! warning says so and the step stays as it was. A generated column holds
//! nothing the down cannot compute again.
//!
//! The user's triggers that fire on `UPDATE` are disabled around each
//! `UPDATE` the migrations add, so that putting a value back (or clearing a
//! removed label) changes nothing else in the row.
//!
//! A copy is named `<schema>__<table>` (a table) or
//! `<schema>__<table>__<column>` after the old schema's names; when that is
//! longer than PostgreSQL's 63 bytes, or would be ambiguous (a name holding
//! `__`, or starting or ending with `_`), it is cut and given eight hex
//! digits of a SHA-256 of the parts. A name a copy already present in the
//! schema takes gets a number.

use super::{Using, locks, step, using_of};
use crate::diff::Change;
use crate::dialect::postgres::render as sql;
use crate::dialect::postgres::round_trip;
use crate::error::{Error, Result, Warning};
use crate::model::{BACKUP_SCHEMA, Column, DataType, Enabled, QName, Schema, Table, UserTypeKind, quote_ident, quote_literal};
use crate::plan::backup::{Backup, Cleared, Reason, Saved};
use crate::plan::facts::{Destroys, Lock, Work};
use crate::plan::{Action, Object as O, Plan, Step};
use std::collections::{BTreeMap, BTreeSet};

/// PostgreSQL keeps names up to 63 bytes.
const NAME_LIMIT: usize = 63;

/// `up`, planned from `old` (the migration's renames applied) to `new`,
/// with the copies kept before the steps that destroy their data; and the
/// copies. `existing`: names of tables the backup schema already holds.
pub fn preserve(
    old: &Schema,
    new: &Schema,
    changes: &[Change],
    mut up: Vec<Step>,
    existing: &BTreeSet<String>,
    warnings: &mut Vec<Warning>,
) -> (Vec<Step>, Vec<Backup>) {
    let mut pass = Pass { old, new, changes, warnings, taken: existing.clone(), backups: Vec::new() };
    // Copies to take before step i.
    let mut before: BTreeMap<usize, Vec<Step>> = BTreeMap::new();
    for (i, s) in up.iter_mut().enumerate() {
        let mut copies = Vec::new();
        let dropped_tables: Vec<QName> = s
            .touched(Action::Drop)
            .filter_map(|o| match o {
                O::Table(t) if pass.drops_table(t) => Some(t.clone()),
                _ => None,
            })
            .collect();
        for t in &dropped_tables {
            if let Some((steps, backup)) = pass.dropped_table(t) {
                copies.extend(steps);
                mark(s, t, None, &backup);
            }
        }
        let dropped_column = s.touched(Action::Drop).find_map(|o| match o {
            O::Column(t, c) if pass.drops_column(t, c) => Some((t.clone(), c.clone())),
            _ => None,
        });
        if let Some((t, c)) = dropped_column
            && let Some((steps, backup)) = pass.dropped_column(&t, &c)
        {
            copies.extend(steps);
            mark(s, &t, Some(&c), &backup);
        }
        if let Some((t, from, to)) = pass.type_change_of(s)
            && let Some((steps, backup)) = pass.type_change(&t, from, to)
        {
            copies.extend(steps);
            mark(s, &t, Some(&to.name), &backup);
        }
        if !copies.is_empty() {
            before.insert(i, copies);
        }
    }
    let first = pass.enum_labels();
    if before.is_empty() && first.is_empty() {
        return (up, pass.backups);
    }
    if !first.is_empty()
        && let Some(next) = up.first_mut()
    {
        next.facts.commits_before = true;
    }
    let mut out = vec![step(format!("create schema {BACKUP_SCHEMA}"), format!("CREATE SCHEMA IF NOT EXISTS {};", quote_ident(BACKUP_SCHEMA)))
        .creates(O::Schema(BACKUP_SCHEMA.into()))];
    out.extend(first);
    for (i, s) in up.into_iter().enumerate() {
        out.extend(before.remove(&i).unwrap_or_default());
        out.push(s);
    }
    crate::plan::facts::locate(&mut out, old, new);
    (out, pass.backups)
}

/// The step destroys what `backup` keeps: its facts say where it is kept.
fn mark(s: &mut Step, table: &QName, column: Option<&str>, backup: &QName) {
    match &mut s.facts.destroys {
        Some(d) if d.relation == *table => d.backed_up_in = Some(backup.clone()),
        Some(_) => {}
        None => {
            let mut d = Destroys::new(table.clone(), column.map(|c| vec![c.to_string()]).unwrap_or_default());
            d.backed_up_in = Some(backup.clone());
            s.facts.destroys = Some(d);
        }
    }
}

struct Pass<'a, 'w> {
    old: &'a Schema,
    new: &'a Schema,
    changes: &'a [Change],
    warnings: &'w mut Vec<Warning>,
    /// Names of backup tables taken.
    taken: BTreeSet<String>,
    backups: Vec<Backup>,
}

impl<'a> Pass<'a, '_> {
    fn warn(&mut self, message: String, location: &crate::model::Location) {
        self.warnings.push(Warning { message, location: location.clone() });
    }

    fn drops_table(&self, t: &QName) -> bool {
        self.changes.iter().any(|c| matches!(c, Change::DropTable { table } if table.name == *t))
    }

    fn drops_column(&self, t: &QName, column: &str) -> bool {
        self.changes.iter().any(|c| matches!(c, Change::DropColumn { table, column: col } if table == t && col.name == column))
    }

    /// The table's name before the migration's renames.
    fn table_before(&self, t: &QName) -> QName {
        table_before(self.changes, t)
    }

    /// The column's name before the migration's renames (`t` as renamed).
    fn column_before(&self, t: &QName, column: &str) -> String {
        column_before(self.changes, t, column)
    }

    /// The table and the column change a `change type of` step makes, when
    /// the type changes.
    fn type_change_of(&self, s: &Step) -> Option<(QName, &'a Column, &'a Column)> {
        self.changes.iter().find_map(|c| match c {
            Change::AlterColumn { table, from, to }
                if from.data_type != to.data_type && s.summary == format!("change type of {table}.{}", to.name) =>
            {
                Some((table.clone(), from, to))
            }
            _ => None,
        })
    }

    /// Whether the copy of a value of type `t` holds its text: the type is
    /// one the schema defines, which the migration may drop or rebuild.
    fn as_text(&self, t: &DataType) -> bool {
        [self.old, self.new].iter().any(|s| s.types.keys().any(|k| k.to_string() == t.name))
    }

    fn saved(&self, t: &QName, c: &Column) -> Saved {
        Saved { name: self.column_before(t, &c.name), renamed: c.name.clone(), data_type: c.data_type.clone(), as_text: self.as_text(&c.data_type) }
    }

    /// Whether `t` is an ordinary table on both sides: not partitioned, not
    /// a partition, not in an inheritance tree (an `UPDATE` of the parent
    /// reaches the children, whose keys need not be unique across the tree).
    fn plain(&self, t: &QName) -> bool {
        [self.old, self.new].iter().all(|s| {
            s.tables.get(t).is_some_and(|x| x.partition_by.is_none() && x.partition_of.is_none() && x.inherits.is_empty())
                && s.inheritors(t).is_empty()
        })
    }

    /// The columns that find a row of `t` again after a rollback: its row
    /// key, every column of which reaches the new schema with its type and
    /// is none of `excluded`.
    fn key(&self, t: &QName, excluded: &str) -> Option<Vec<&'a Column>> {
        let (ot, nt) = (self.old.tables.get(t)?, self.new.tables.get(t)?);
        let key = ot.row_key()?;
        key.iter()
            .map(|k| {
                let oc = ot.column(k)?;
                let nc = nt.column(k)?;
                (oc.data_type == nc.data_type && oc.generated.is_none() && k != excluded).then_some(oc)
            })
            .collect()
    }

    /// The key of `t` for a copy of `column`, or a warning saying why the
    /// column's data is not kept.
    fn key_or_warn(&mut self, t: &QName, column: &Column, what: &str) -> Option<Vec<&'a Column>> {
        let why = if !self.plain(t) {
            "the table takes part in partitioning or inheritance"
        } else if column.identity.is_some() {
            "it is an identity column"
        } else {
            match self.key(t, &column.name) {
                Some(key) => return Some(key),
                None => "the table has no primary key or unique NOT NULL key (other than it) that reaches the new schema unchanged, to find its rows by",
            }
        };
        self.warn(
            format!("--preserve-data: {what} of {t}.{} are not kept, because {why}; the step runs as without --preserve-data", column.name),
            &column.location,
        );
        None
    }

    /// A free name for the copy of `parts` (the old schema's names).
    fn name(&mut self, parts: &[&str]) -> QName {
        let joined = parts.join("__");
        let plain = parts.iter().all(|p| !p.is_empty() && !p.contains("__") && !p.starts_with('_') && !p.ends_with('_'));
        let mut name = if plain && joined.len() <= NAME_LIMIT { joined.clone() } else { hashed(&joined, &parts.join("\0")) };
        let mut n = 2;
        while self.taken.contains(&name) {
            let suffix = format!("_{n}");
            name = format!("{}{suffix}", cut(&name, NAME_LIMIT - suffix.len()));
            n += 1;
        }
        self.taken.insert(name.clone());
        QName::new(BACKUP_SCHEMA, name)
    }

    /// Every row of dropped table `t`.
    fn dropped_table(&mut self, t: &QName) -> Option<(Vec<Step>, QName)> {
        let table = self.old.tables.get(t)?;
        // A partitioned table's rows are its partitions'.
        if table.partition_by.is_some() {
            return None;
        }
        let saved: Vec<Saved> = table.columns.iter().filter(|c| c.generated.is_none()).map(|c| self.saved(t, c)).collect();
        if saved.is_empty() {
            return None;
        }
        let backup = self.name(&[&t.schema, &t.name]);
        let columns = list(saved.iter().map(|c| quote_ident(&c.name)));
        let values = list(saved.iter().map(|c| value(&quote_ident(&c.renamed), c)));
        let steps = vec![
            create_step(&backup, &saved, 0, t),
            comment_step(&backup, &format!("every row of table {t}, which the migration drops")),
            copy_step(&backup, t, None, format!("INSERT INTO {backup} ({columns}) SELECT {values} FROM ONLY {t};")),
        ];
        self.backups.push(Backup {
            table: backup.clone(),
            relation: t.clone(),
            column: None,
            reason: Reason::DropTable,
            renamed: (t.clone(), None),
            saved,
            key: 0,
        });
        Some((steps, backup))
    }

    /// The values of dropped column `t.column`.
    fn dropped_column(&mut self, t: &QName, column: &str) -> Option<(Vec<Step>, QName)> {
        let c = self.old.tables.get(t)?.column(column)?;
        // Computed: the down computes it again.
        if c.generated.is_some() {
            return None;
        }
        let key = self.key_or_warn(t, c, "the values")?;
        let before = self.table_before(t);
        let backup = self.name(&[&before.schema, &before.name, column]);
        let mut saved: Vec<Saved> = key.iter().map(|k| self.saved(t, k)).collect();
        saved.push(self.saved(t, c));
        let steps = self.column_copy(&backup, t, &saved, key.len(), &format!("the values of column {before}.{}, which the migration drops", quote_ident(column)), None);
        self.backups.push(Backup {
            table: backup.clone(),
            relation: before,
            column: Some(column.to_string()),
            reason: Reason::DropColumn,
            renamed: (t.clone(), Some(column.to_string())),
            saved,
            key: key.len(),
        });
        Some((steps, backup))
    }

    /// The old values of `t.column` that its type change alters.
    fn type_change(&mut self, t: &QName, from: &Column, to: &Column) -> Option<(Vec<Step>, QName)> {
        round_trip::loss(&from.data_type, &to.data_type)?;
        if from.generated.is_some() || to.generated.is_some() {
            return None;
        }
        let c = self.old.tables.get(t)?.column(&to.name)?;
        let key = self.key_or_warn(t, c, "the values its type change alters")?;
        let (before, column_before) = (self.table_before(t), self.column_before(t, &to.name));
        let backup = self.name(&[&before.schema, &before.name, &column_before]);
        let mut saved: Vec<Saved> = key.iter().map(|k| self.saved(t, k)).collect();
        saved.push(self.saved(t, c));
        let col = quote_ident(&to.name);
        let back = there_and_back(&col, &from.data_type, &to.data_type, self.old, self.new);
        let what = format!("the values of column {before}.{} that its change from {} to {} alters", quote_ident(&column_before), from.data_type, to.data_type);
        let steps = self.column_copy(&backup, t, &saved, key.len(), &what, Some(format!("{} IS DISTINCT FROM {}", as_text(&col), as_text(&back))));
        self.backups.push(Backup {
            table: backup.clone(),
            relation: before,
            column: Some(column_before),
            reason: Reason::TypeChange { from: from.data_type.clone(), to: to.data_type.clone() },
            renamed: (t.clone(), Some(to.name.clone())),
            saved,
            key: key.len(),
        });
        Some((steps, backup))
    }

    /// The statements that copy `saved` (key first) of the rows of `t` that
    /// `filter` selects into `backup`.
    fn column_copy(&self, backup: &QName, t: &QName, saved: &[Saved], key: usize, what: &str, filter: Option<String>) -> Vec<Step> {
        let columns = list(saved.iter().map(|c| quote_ident(&c.name)));
        let values = list(saved.iter().map(|c| value(&quote_ident(&c.renamed), c)));
        let filter = filter.map(|f| format!(" WHERE {f}")).unwrap_or_default();
        let kept = saved.last().map(|c| c.renamed.as_str());
        vec![
            create_step(backup, saved, key, t),
            comment_step(backup, what),
            copy_step(backup, t, kept, format!("INSERT INTO {backup} ({columns}) SELECT {values} FROM {t}{filter};")),
        ]
    }

    /// Copies of the rows holding enum labels the migration removes, and
    /// the `UPDATE`s that clear them: the first steps of the up, under the
    /// old schema's names.
    fn enum_labels(&mut self) -> Vec<Step> {
        let mut out = Vec::new();
        for change in self.changes {
            let Change::RebuildEnum { from, to } = change else { continue };
            let (UserTypeKind::Enum { values: a }, UserTypeKind::Enum { values: b }) = (&from.kind, &to.kind) else { continue };
            let removed: Vec<String> = a.iter().filter(|v| !b.contains(v)).cloned().collect();
            if removed.is_empty() {
                continue;
            }
            let type_name = to.name.to_string();
            let mut all_kept = true;
            for table in self.new.tables.values() {
                for column in table.columns.iter().filter(|c| c.data_type.name == type_name) {
                    let Some(c) = self.old.tables.get(&table.name).and_then(|t| t.column(&column.name)) else { continue };
                    if c.data_type != column.data_type {
                        continue;
                    }
                    let steps = self.enum_column(&table.name, c, column, &removed);
                    all_kept &= !steps.is_empty();
                    out.extend(steps);
                }
            }
            // The lowering's warning that such rows make the migration fail
            // no longer holds.
            let failing = format!("enum {} loses labels ", to.name);
            if all_kept && let Some(w) = self.warnings.iter_mut().find(|w| w.message.starts_with(&failing)) {
                w.message = format!(
                    "enum {} loses labels {removed:?}: --preserve-data keeps the rows holding them in {BACKUP_SCHEMA} and sets those values to NULL \
                     (or the column's default) first; the down puts them back",
                    to.name
                );
            }
        }
        out
    }

    fn enum_column(&mut self, t: &QName, c: &'a Column, new_column: &Column, removed: &[String]) -> Vec<Step> {
        let cleared = if c.nullable && new_column.nullable {
            Cleared::Null
        } else if c.default.is_some() {
            Cleared::Default
        } else {
            self.warn(
                format!(
                    "--preserve-data: the rows of {t}.{} holding the labels the enum loses are not kept, because the column is NOT NULL \
                     without a default to put in their place; the conversion fails on such rows, as without --preserve-data",
                    c.name
                ),
                &c.location,
            );
            return Vec::new();
        };
        let Some(key) = self.key_or_warn(t, c, "the rows holding removed enum labels") else { return Vec::new() };
        let before = self.table_before(t);
        let column = self.column_before(t, &c.name);
        let backup = self.name(&[&before.schema, &before.name, &column]);
        // At the start of the up, every name is the old schema's.
        let mut saved: Vec<Saved> = key.iter().map(|k| self.saved(t, k)).collect();
        saved.push(self.saved(t, c));
        for s in &mut saved {
            s.renamed = s.name.clone();
        }
        let col = quote_ident(&column);
        let filter = label_filter(&col, &c.data_type, removed);
        let labels = removed.iter().map(|l| quote_literal(l)).collect::<Vec<_>>().join(", ");
        let mut steps = self.column_copy(
            &backup,
            &before,
            &saved,
            key.len(),
            &format!("the values of column {before}.{col} in the rows holding the labels {labels}, which the migration removes from its type"),
            Some(filter.clone()),
        );
        let value = match cleared {
            Cleared::Null => "NULL",
            Cleared::Default => "DEFAULT",
        };
        let triggers = update_triggers(self.old.tables.get(t));
        steps.extend(triggers.iter().map(|(name, _)| trigger_step(&before, name, Enabled::Disabled)));
        let mut clear = step(
            format!("clear the removed enum labels in {before}.{column}"),
            format!("UPDATE {before} SET {col} = {value} WHERE {filter};"),
        )
        .alters(O::Table(before.clone()))
        .alters(O::Column(before.clone(), column.clone()));
        clear.facts.lock = Some(Lock { level: locks::ROW_EXCLUSIVE, on: before.clone() });
        clear.facts.work = Work::Backfill;
        mark(&mut clear, &before, Some(&column), &backup);
        steps.push(clear);
        steps.extend(triggers.iter().map(|(name, enabled)| trigger_step(&before, name, *enabled)));
        self.backups.push(Backup {
            table: backup,
            relation: before,
            column: Some(column),
            reason: Reason::EnumLabels { labels: removed.to_vec(), cleared },
            renamed: (t.clone(), Some(c.name.clone())),
            saved,
            key: key.len(),
        });
        steps
    }
}

/// `name` cut to `limit` bytes, at a character boundary.
fn cut(name: &str, limit: usize) -> &str {
    let mut end = name.len().min(limit);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// `joined` cut to fit with `_` and eight hex digits of the SHA-256 of `identity`.
fn hashed(joined: &str, identity: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(identity.as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("{}_{hex}", cut(joined, NAME_LIMIT - 9).trim_end_matches('_'))
}

fn list(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

/// The column's value as its copy holds it.
fn value(column: &str, c: &Saved) -> String {
    if c.as_text { format!("{column}::text") } else { column.to_string() }
}

/// The copy's value as the column's type takes it.
fn restored(saved: &str, c: &Saved) -> String {
    if c.as_text { format!("{saved}::{}", c.data_type) } else { saved.to_string() }
}

/// `expr` of type `from` converted to `to` the way a type change converts
/// it (see `using_of`), as an expression (PostgreSQL's assignment cast and
/// its explicit cast agree on every value the assignment accepts).
fn convert(expr: &str, from: &DataType, to: &DataType, target: &Schema) -> String {
    match using_of(from, to, target) {
        Using::Implicit | Using::Cast => format!("CAST({expr} AS {to})"),
        Using::ThroughText => format!("CAST(CAST({expr} AS text) AS {to})"),
    }
}

/// `expr`'s text: values are compared by it, which every type has (`json`
/// has no equality) and which tells apart what equality may not
/// (`2.50` and `2.5`, `-0` and `0`).
fn as_text(expr: &str) -> String {
    format!("CAST({expr} AS text)")
}

/// What a value of `from` is once changed to `to` by the up and back by
/// the down.
fn there_and_back(expr: &str, from: &DataType, to: &DataType, old: &Schema, new: &Schema) -> String {
    convert(&convert(expr, from, to, new), to, from, old)
}

/// Selects the rows whose `column` (of enum type `t`, or an array of it)
/// holds one of `labels`. The labels are written out: `generate` sees in
/// them the use of labels a down adds back, and commits before.
fn label_filter(column: &str, t: &DataType, labels: &[String]) -> String {
    let quoted = labels.iter().map(|l| quote_literal(l)).collect::<Vec<_>>().join(", ");
    if t.array_dims > 0 { format!("{column}::text[] && ARRAY[{quoted}]::text[]") } else { format!("{column}::text IN ({quoted})") }
}

/// The user's triggers of `table` that fire on `UPDATE` and are enabled in
/// the origin session, with their firing state.
fn update_triggers(table: Option<&Table>) -> Vec<(String, Enabled)> {
    firing_on_update(table.into_iter().flat_map(|t| t.triggers.values()))
}

/// Of `triggers`, the user's that fire on `UPDATE` in the origin session.
fn firing_on_update<'t>(triggers: impl Iterator<Item = &'t crate::model::Trigger>) -> Vec<(String, Enabled)> {
    triggers
        .filter(|tr| !tr.constraint && matches!(tr.enabled, Enabled::Origin | Enabled::Always) && tr.events.iter().any(|e| e.starts_with("UPDATE")))
        .map(|tr| (tr.name.clone(), tr.enabled))
        .collect()
}

fn trigger_step(table: &QName, name: &str, enabled: Enabled) -> Step {
    let what = if enabled == Enabled::Disabled { "disable" } else { "enable again" };
    step(format!("{what} trigger {name} on {table}"), sql::properties::enabled_sql(table, "TRIGGER", name, enabled))
        .alters(O::Table(table.clone()))
        .alters(O::Trigger(table.clone(), name.to_string()))
}

fn create_step(backup: &QName, saved: &[Saved], key: usize, of: &QName) -> Step {
    let columns = list(saved.iter().map(|c| format!("{} {}", quote_ident(&c.name), if c.as_text { "text".to_string() } else { c.data_type.to_string() })));
    let primary_key = if key > 0 { format!(", PRIMARY KEY ({})", list(saved[..key].iter().map(|c| quote_ident(&c.name)))) } else { String::new() };
    step(format!("create backup table {backup}"), format!("CREATE TABLE {backup} ({columns}{primary_key});"))
        .creates(O::Table(backup.clone()))
        .uses(O::Table(of.clone()))
}

fn comment_step(backup: &QName, what: &str) -> Step {
    let text = format!("schemashift --preserve-data: {what}; the down migration puts them back");
    step(format!("comment on backup table {backup}"), sql::comment_on_sql(&format!("TABLE {backup}"), Some(&text))).alters(O::Table(backup.clone()))
}

/// The `INSERT … SELECT` that fills `backup` from `table`: it reads every
/// row under ACCESS SHARE (reads and writes go on).
fn copy_step(backup: &QName, table: &QName, column: Option<&str>, sql: String) -> Step {
    let mut s = step(format!("copy into backup table {backup}"), sql).alters(O::Table(backup.clone())).uses(O::Table(table.clone()));
    if let Some(c) = column {
        s = s.uses(O::Column(table.clone(), c.to_string()));
    }
    s.facts.lock = Some(Lock { level: locks::ACCESS_SHARE, on: table.clone() });
    s.facts.work = Work::Scan;
    s
}

fn table_before(changes: &[Change], t: &QName) -> QName {
    changes
        .iter()
        .find_map(|c| match c {
            Change::RenameTable { from, to } if to == t => Some(from.clone()),
            _ => None,
        })
        .unwrap_or_else(|| t.clone())
}

fn column_before(changes: &[Change], t: &QName, column: &str) -> String {
    changes
        .iter()
        .find_map(|c| match c {
            Change::RenameColumn { table, from, to } if table == t && to == column => Some(from.clone()),
            _ => None,
        })
        .unwrap_or_else(|| column.to_string())
}

// ----- the way back ------------------------------------------------------

/// `down`, planned from `from` to `to`, with what `backups` keep put back:
/// a table's rows once the down has created every table it puts rows in, a
/// column's values right after the down adds the column again or changes
/// its type back, enum labels' rows at the end.
pub fn restore(from: &Schema, to: &Schema, mut down: Vec<Step>, backups: &[Backup]) -> Result<Vec<Step>> {
    let mut after: BTreeMap<usize, Vec<Step>> = BTreeMap::new();
    let mut last = Vec::new();
    let tables: Vec<&Backup> = backups.iter().filter(|b| b.reason == Reason::DropTable).collect();
    if !tables.is_empty() {
        let created = |s: &Step| s.touched(Action::Create).any(|o| tables.iter().any(|b| *o == O::Table(b.relation.clone())));
        let Some(at) = down.iter().rposition(created) else {
            return Err(misplaced(&tables[0].relation.to_string(), "create the table again"));
        };
        for b in &tables {
            after.entry(at).or_default().extend(restore_table(b, to));
        }
    }
    for b in backups {
        let column = b.column.as_deref().unwrap_or_default();
        match &b.reason {
            Reason::DropTable => {}
            Reason::DropColumn => {
                let found = down.iter().enumerate().find_map(|(i, s)| {
                    s.touched(Action::Create).find_map(|o| match o {
                        O::Column(t, c) if c == column && names(b).contains(&t) => Some((i, t.clone())),
                        _ => None,
                    })
                });
                let Some((at, table)) = found else { return Err(misplaced(&format!("{}.{column}", b.relation), "add the column again")) };
                let renamed = table != b.relation;
                let definition = to.tables.get(&table).and_then(|t| t.column(column));
                let not_null = definition.filter(|c| !c.nullable && c.default.is_none() && c.identity.is_none() && c.generated.is_none());
                let mut steps = restore_values(b, from, to, &down[..=at], &table, renamed, None);
                if let Some(c) = not_null {
                    // Added NOT NULL, the column could not be added to a
                    // table with rows: NULL first, filled, then NOT NULL.
                    let nullable = Column { nullable: true, ..c.clone() };
                    down[at].sql = format!("ALTER TABLE {table} ADD COLUMN {};", sql::column_definition_sql(&nullable));
                    steps.insert(
                        steps.len() - 1,
                        step(format!("set not null on {table}.{column}"), format!("ALTER TABLE {table} ALTER COLUMN {} SET NOT NULL;", quote_ident(column)))
                            .alters(O::Table(table.clone()))
                            .alters(O::Column(table.clone(), column.to_string())),
                    );
                }
                if let Some(seq) = to.sequences.values().find(|s| s.owned_by.as_ref().is_some_and(|(t, c)| *t == table && c == column)) {
                    steps.insert(steps.len() - 1, setval_step(&table, column, &quote_literal(&seq.name.to_string()), &seq.name));
                }
                after.entry(at).or_default().extend(steps);
            }
            Reason::TypeChange { from: a, to: z } => {
                let renamed_column = b.renamed.1.as_deref().unwrap_or(column);
                let found = down.iter().enumerate().find_map(|(i, s)| {
                    names(b).into_iter().find_map(|t| {
                        [column, renamed_column]
                            .into_iter()
                            .find(|c| s.summary == format!("change type of {t}.{c}"))
                            .map(|_| (i, t.clone()))
                    })
                });
                let Some((at, table)) = found else { return Err(misplaced(&format!("{}.{column}", b.relation), "change the type back")) };
                let renamed = table != b.relation;
                let saved = b.saved.last().expect("the column is saved");
                let current = format!("cur.{}", quote_ident(if renamed { &saved.renamed } else { &saved.name }));
                // Only where the row still holds what the up made of the
                // saved value: a value written since the up is kept.
                let kept = restored(&format!("saved.{}", quote_ident(&saved.name)), saved);
                let guard = format!("{} IS NOT DISTINCT FROM {}", as_text(&current), as_text(&there_and_back(&kept, a, z, to, from)));
                after.entry(at).or_default().extend(restore_values(b, from, to, &down[..=at], &table, renamed, Some(guard)));
            }
            Reason::EnumLabels { labels, cleared } => {
                // At the end, under the names the down ends with.
                let table = names(b).into_iter().find(|t| to.tables.contains_key(*t)).unwrap_or(&b.relation).clone();
                let renamed = table != b.relation;
                let saved = b.saved.last().expect("the column is saved");
                let name = if renamed { &saved.renamed } else { &saved.name };
                let current = format!("cur.{}", quote_ident(name));
                let held = match cleared {
                    Cleared::Null => format!("{current} IS NULL"),
                    Cleared::Default => {
                        let default = to.tables.get(&table).and_then(|t| t.column(name)).and_then(|c| c.default.as_ref());
                        match default {
                            Some(d) => format!("{current} IS NOT DISTINCT FROM ({})", d.0),
                            None => format!("{current} IS NULL"),
                        }
                    }
                };
                let guard = format!("{} AND {held}", label_filter(&format!("saved.{}", quote_ident(&saved.name)), &saved.data_type, labels));
                last.extend(restore_values(b, to, to, &down, &table, renamed, Some(guard)));
            }
        }
    }
    let mut out = Vec::with_capacity(down.len() + after.values().map(Vec::len).sum::<usize>() + last.len());
    for (i, s) in down.into_iter().enumerate() {
        out.push(s);
        out.extend(after.remove(&i).unwrap_or_default());
    }
    out.extend(last);
    crate::plan::facts::locate(&mut out, to, from);
    Ok(out)
}

/// The names a backup's relation may have in a down: the old schema's, or
/// the one the up gave it (in a migration cut after the rename).
fn names(b: &Backup) -> Vec<&QName> {
    let mut out = vec![&b.relation];
    if b.renamed.0 != b.relation {
        out.push(&b.renamed.0);
    }
    out
}

fn misplaced(what: &str, needed: &str) -> Error {
    Error::internal(format!("--preserve-data: no step of the down migration is there to {needed} ({what}) before its data is put back"))
        .help("this is a bug in schemashift; no migration was written. Please report it with the two schemas")
}

/// The rows of a dropped table, inserted again; its sequences set past them.
fn restore_table(b: &Backup, to: &Schema) -> Vec<Step> {
    let t = &b.relation;
    let table = to.tables.get(t);
    let columns = list(b.saved.iter().map(|c| quote_ident(&c.name)));
    let values = list(b.saved.iter().map(|c| restored(&format!("saved.{}", quote_ident(&c.name)), c)));
    let identity = table.is_some_and(|x| x.columns.iter().any(|c| c.identity.is_some()));
    let overriding = if identity { " OVERRIDING SYSTEM VALUE" } else { "" };
    let mut insert = step(
        format!("put back the rows of {t} from {}", b.table),
        format!("INSERT INTO {t} ({columns}){overriding} SELECT {values} FROM {} AS saved;", b.table),
    )
    .alters(O::Table(t.clone()))
    .uses(O::Table(b.table.clone()));
    insert.facts.lock = Some(Lock { level: locks::ROW_EXCLUSIVE, on: t.clone() });
    insert.facts.work = Work::Backfill;
    let mut steps = vec![insert];
    for c in table.into_iter().flat_map(|x| &x.columns) {
        if c.identity.is_some() {
            let seq = format!("pg_catalog.pg_get_serial_sequence({}, {})", quote_literal(&t.to_string()), quote_literal(&c.name));
            steps.push(setval_step(t, &c.name, &seq, &QName::new(t.schema.clone(), format!("{}_{}_seq", t.name, c.name))));
        } else if let Some(seq) = to.sequences.values().find(|s| s.owned_by.as_ref().is_some_and(|(o, oc)| o == t && *oc == c.name)) {
            steps.push(setval_step(t, &c.name, &quote_literal(&seq.name.to_string()), &seq.name));
        }
    }
    steps.push(drop_backup_step(&b.table));
    steps
}

/// The values a backup keeps of a column, written back into `table` (the
/// name the down gives it there; `renamed`: the up's names), in the rows
/// `guard` accepts; the user's `UPDATE` triggers off meanwhile. `down`: the
/// down's steps up to where this goes, which decide the triggers there.
fn restore_values(b: &Backup, from: &Schema, to: &Schema, down: &[Step], table: &QName, renamed: bool, guard: Option<String>) -> Vec<Step> {
    let name = |c: &Saved| if renamed { c.renamed.clone() } else { c.name.clone() };
    let (key, value) = b.saved.split_at(b.key);
    let value = &value[0];
    let column = name(value);
    let mut condition: Vec<String> =
        key.iter().map(|k| format!("cur.{} = {}", quote_ident(&name(k)), restored(&format!("saved.{}", quote_ident(&k.name)), k))).collect();
    condition.extend(guard);
    let mut update = step(
        format!("put back the values of {table}.{column} from {}", b.table),
        format!(
            "UPDATE {table} AS cur SET {} = {} FROM {} AS saved WHERE {};",
            quote_ident(&column),
            restored(&format!("saved.{}", quote_ident(&value.name)), value),
            b.table,
            condition.join(" AND ")
        ),
    )
    .alters(O::Table(table.clone()))
    .alters(O::Column(table.clone(), column.clone()))
    .uses(O::Table(b.table.clone()));
    update.facts.lock = Some(Lock { level: locks::ROW_EXCLUSIVE, on: table.clone() });
    update.facts.work = Work::Backfill;
    let triggers = triggers_at(from, to, down, table, &b.renamed.0);
    let mut steps: Vec<Step> = triggers.iter().map(|(n, _)| trigger_step(table, n, Enabled::Disabled)).collect();
    steps.push(update);
    steps.extend(triggers.iter().map(|(n, e)| trigger_step(table, n, *e)));
    steps.push(drop_backup_step(&b.table));
    steps
}

/// The `UPDATE` triggers `table` has once `down` has run: those of `from`
/// (under either of the table's names) it did not drop, and those of `to`
/// it created.
fn triggers_at(from: &Schema, to: &Schema, down: &[Step], table: &QName, renamed: &QName) -> Vec<(String, Enabled)> {
    let start = from.tables.get(table).or_else(|| from.tables.get(renamed));
    let mut triggers: BTreeMap<String, &crate::model::Trigger> = start.into_iter().flat_map(|t| t.triggers.values().map(|tr| (tr.name.clone(), tr))).collect();
    let on = |t: &QName| t == table || t == renamed;
    for s in down {
        for touch in &s.facts.touches {
            match (&touch.object, touch.action) {
                (O::Trigger(t, n), Action::Drop) if on(t) => {
                    triggers.remove(n);
                }
                (O::Trigger(t, n), Action::Create) if on(t) => {
                    if let Some(tr) = to.tables.get(table).and_then(|x| x.triggers.get(n)) {
                        triggers.insert(n.clone(), tr);
                    }
                }
                _ => {}
            }
        }
    }
    firing_on_update(triggers.into_values())
}

/// `setval` of the sequence `seq` (an SQL expression giving it) numbering
/// `table.column`, past the largest value put back.
fn setval_step(table: &QName, column: &str, seq: &str, object: &QName) -> Step {
    let c = quote_ident(column);
    step(
        format!("set sequence of {table}.{column} past the values put back"),
        format!("SELECT pg_catalog.setval({seq}, max({c})) FROM {table} HAVING max({c}) IS NOT NULL;"),
    )
    .alters(O::Sequence(object.clone()))
    .uses(O::Column(table.clone(), column.to_string()))
}

/// The backup, once read: its rows are back where they came from.
fn drop_backup_step(backup: &QName) -> Step {
    let mut s = step(format!("drop backup table {backup}"), format!("DROP TABLE {backup};")).drops(O::Table(backup.clone()));
    s.facts.destroys = None;
    s
}

// ----- cleanup -----------------------------------------------------------

/// The migration that drops every backup (`generate --drop-backups`): the
/// backup schema with everything in it. Its down creates the schema again,
/// empty: the rows are gone, and the downs of the migrations that kept them
/// fail on the missing copies rather than restore nothing.
pub fn drop_backups() -> Plan {
    let schema = quote_ident(BACKUP_SCHEMA);
    let up = step(
        format!("drop schema {BACKUP_SCHEMA}"),
        format!(
            "-- Drops every copy that --preserve-data migrations kept: their down migrations cannot put that data back any more.\n\
             DROP SCHEMA IF EXISTS {schema} CASCADE;"
        ),
    )
    .drops(O::Schema(BACKUP_SCHEMA.into()));
    let down = step(
        format!("create schema {BACKUP_SCHEMA}"),
        format!(
            "-- The backups dropped by the up migration cannot come back: this creates their schema again, empty.\n\
             CREATE SCHEMA IF NOT EXISTS {schema};"
        ),
    )
    .creates(O::Schema(BACKUP_SCHEMA.into()));
    Plan { up: vec![up], down: vec![down], ..Plan::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_parts_or_cut_with_a_hash() {
        let mut pass_taken = BTreeSet::new();
        let mut name = |parts: &[&str]| {
            let mut warnings = Vec::new();
            let schema = Schema::default();
            let mut p = Pass { old: &schema, new: &schema, changes: &[], warnings: &mut warnings, taken: pass_taken.clone(), backups: Vec::new() };
            let n = p.name(parts);
            pass_taken = p.taken;
            n.name
        };
        assert_eq!(name(&["public", "users", "email"]), "public__users__email");
        // Taken (by an earlier copy still there): numbered.
        assert_eq!(name(&["public", "users", "email"]), "public__users__email_2");
        // Ambiguous: `a__b` + `c` and `a` + `b__c` would both be `a__b__c`.
        let ambiguous = name(&["s", "a__b", "c"]);
        assert!(ambiguous.starts_with("s__a__b__c_") && ambiguous.len() == "s__a__b__c_".len() + 8, "{ambiguous}");
        assert_ne!(ambiguous, name(&["s", "a", "b__c"]));
        let long = "x".repeat(60);
        let cut = name(&["public", &long, "é"]);
        assert!(cut.len() <= NAME_LIMIT, "{cut}");
        assert_ne!(cut, name(&["public", &long, "è"]));
    }
}
