//! Online plans (`--online`): the forms of a migration that keep the
//! application's reads and writes going on tables that already hold rows.
//!
//! The plain plan adds a foreign key or CHECK by scanning the table under a
//! lock that blocks writes, builds a UNIQUE or PRIMARY KEY index under
//! ACCESS EXCLUSIVE, scans for NULLs under ACCESS EXCLUSIVE to make a column
//! NOT NULL and rewrites the table under ACCESS EXCLUSIVE to change a
//! column's type. This pass replaces each of those steps, when its table
//! existed before the migration and is a plain table (no partitions, no
//! inheritance), by the form the lint rules recommend:
//!
//! - a foreign key or CHECK is added `NOT VALID` (the catalog only), and
//!   `VALIDATE CONSTRAINT` checks the rows in a later transaction, under
//!   SHARE UPDATE EXCLUSIVE (reads and writes go on);
//! - `SET NOT NULL` is proved first by `CHECK (c IS NOT NULL) NOT VALID`,
//!   validated later; with it, `SET NOT NULL` does not scan (PostgreSQL 12
//!   and later), and the check is dropped after;
//! - UNIQUE and PRIMARY KEY constraints take over an index built
//!   `CONCURRENTLY` (`ADD CONSTRAINT … USING INDEX`);
//! - a type change that rewrites the table becomes a new column, kept in
//!   step with the old one by a trigger while a backfill fills it in its own
//!   transaction, then swapped in: the old column dropped, the new one
//!   renamed (the column moves to the end of the table).
//!
//! What takes the long work out of the heavy lock needs a transaction of its
//! own after the lock is released: the steps are put in three groups, each
//! starting a new transaction ([`crate::plan::facts::Facts::commits_before`]):
//! the plan with its replacements; the backfills (one transaction each);
//! the validations, then what needs them (SET NOT NULL, the swaps, keys
//! over columns made NOT NULL). A validation holds SHARE UPDATE EXCLUSIVE
//! while it reads the rows, and what follows it in its transaction takes
//! its stronger lock only for the catalog change. The way back from that
//! last group is to the state after the backfills, where the checks are
//! still NOT VALID: re-adding them needs no valid rows. Index builds become
//! `CONCURRENTLY` in the generic pass that follows ([`crate::plan::concurrently`]).
//!
//! A step with no online form here keeps its plain form, and a warning says
//! why when the form exists but does not apply.

use super::{Using, index_step, step, using_of};
use crate::error::Warning;
use crate::model::{Column, Constraint, ConstraintKind, QName, Schema, Table, quote_ident, quote_literal};
use crate::plan::facts::{Lock, Work};
use crate::plan::{Action, Object as O, Step};

/// PostgreSQL keeps names up to 63 bytes.
const NAME_LIMIT: usize = 63;

/// Rewrites `up`, planned from `old` (with the migration's renames applied)
/// to `new`, into its online form. `server_version`: the major version the
/// migration runs on (`None`: a supported release).
///
/// With `phases`, the steps that drop or rename what the old application
/// uses go to a contract phase after the rest ([`crate::plan::Options::phases`]),
/// and a column rename becomes a new column kept in step with the old one
/// (both names work until the contract drops the old).
pub fn online(old: &Schema, new: &Schema, up: Vec<Step>, server_version: Option<u32>, phases: bool, warnings: &mut Vec<Warning>) -> Vec<Step> {
    let mut pass = Pass { old, new, server_version, phases, groups: Groups::default(), taken: Vec::new(), warnings };
    let swaps: Vec<Swap> = up.iter().filter_map(|s| pass.swap_of(s)).collect();
    for (i, s) in up.iter().enumerate() {
        pass.lower(s, &up[i + 1..], &swaps);
    }
    pass.groups.into_steps(phases)
}

/// The online plan's steps by the transaction they go in.
#[derive(Default)]
struct Groups {
    /// The plan, with its heavy steps replaced by their first, light part.
    main: Vec<Step>,
    /// Backfills: one transaction each.
    backfills: Vec<Step>,
    /// `VALIDATE CONSTRAINT`s, together.
    validates: Vec<Step>,
    /// What needs a validated constraint or a backfilled column.
    finish: Vec<Step>,
    /// In phases: what drops or renames what the old application uses.
    contract: Vec<Step>,
}

impl Groups {
    fn into_steps(self, phases: bool) -> Vec<Step> {
        let mut out = self.main;
        for mut b in self.backfills {
            b.facts.commits_before = true;
            out.push(b);
        }
        if !phases {
            for (i, mut s) in self.validates.into_iter().chain(self.finish).enumerate() {
                s.facts.commits_before = i == 0;
                out.push(s);
            }
            return out;
        }
        // In phases the validations end the expand phase; what needs them
        // (SET NOT NULL, the swaps) waits for the contract with the drops.
        for (i, mut s) in self.validates.into_iter().enumerate() {
            s.facts.commits_before = i == 0;
            out.push(s);
        }
        for (i, mut s) in self.finish.into_iter().chain(self.contract).enumerate() {
            s.facts.commits_before = i == 0;
            s.facts.contract = true;
            out.push(s);
        }
        out
    }
}

struct Pass<'a, 'w> {
    old: &'a Schema,
    new: &'a Schema,
    server_version: Option<u32>,
    phases: bool,
    groups: Groups,
    /// Names this pass gave (schema, name), besides those of the models.
    taken: Vec<(String, String)>,
    warnings: &'w mut Vec<Warning>,
}

/// A column whose type change goes through a new column.
struct Swap {
    table: QName,
    column: String,
}

/// What [`Pass::kept_in_step`] builds from.
struct KeptInStep<'k> {
    table: &'k QName,
    /// The column the old application uses, dropped at the end.
    old: &'k str,
    /// The column added beside it.
    added: &'k str,
    /// The column as the new schema has it (its name is the one it ends under).
    target: &'k Column,
    /// The trigger function's body, keeping `added` in step.
    body: String,
    /// The backfill's expression for `added`, over `old`.
    fill: String,
}

impl<'a> Pass<'a, '_> {
    fn lower(&mut self, s: &Step, later: &[Step], swaps: &[Swap]) {
        if let Some(swap) = swaps.iter().find(|w| self.part_of_swap(s, w)) {
            // Only the type change itself carries the swap; the default's
            // drop and set around it are the swap's to do.
            if s.summary == format!("change type of {}.{}", swap.table, swap.column) {
                self.swap(s, swap);
            }
            return;
        }
        if let Some((table, constraint)) = self.created_constraint(s) {
            match &constraint.kind {
                ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. } if s.facts.work == Work::Scan => {
                    return self.not_valid_then_validate(s, &table, constraint);
                }
                ConstraintKind::Unique { .. } | ConstraintKind::PrimaryKey { .. }
                    if s.facts.work == Work::IndexBuild && self.using_index(s, &table, constraint) =>
                {
                    return;
                }
                _ => {}
            }
        }
        if let Some((table, column)) = self.set_not_null(s)
            && self.not_null_through_check(s, &table, &column, later)
        {
            return;
        }
        if self.phases {
            if self.rename_through_sync(s) {
                return;
            }
            if self.contracts(s) {
                return self.groups.contract.push(s.clone());
            }
        }
        self.groups.main.push(s.clone());
    }

    /// Whether `s` drops or renames something the old application may use
    /// and the new schema no longer has under that name: the contract
    /// phase's. (What is dropped to be created again stays where it is.)
    fn contracts(&self, s: &Step) -> bool {
        let new = self.new;
        let gone = |o: &O| match o {
            O::Table(q) => !new.tables.contains_key(q),
            O::Column(q, c) => new.tables.get(q).is_some_and(|t| t.column(c).is_none()),
            O::View(q) | O::MaterializedView(q) => !new.views.contains_key(q),
            O::Type(q) | O::Domain(q) => !new.types.contains_key(q),
            O::Sequence(q) => !new.sequences.contains_key(q),
            O::Function(sig) | O::Procedure(sig) => !new.functions.contains_key(sig),
            O::Schema(n) => !new.schemas.contains_key(n),
            _ => false,
        };
        s.touched(Action::Drop).any(gone) || s.touched(Action::Rename).any(|o| matches!(o, O::Table(_) | O::Column(..) | O::View(_)))
    }

    /// In phases, `RENAME COLUMN a TO b` becomes: `b` added and kept in step
    /// with `a` by a trigger both ways, and filled (expand), so that the old
    /// application's `a` and the new one's `b` both work; then the trigger and
    /// `a` dropped (contract). For the columns a type change could be swapped
    /// for ([`Self::swap_blocker`]); otherwise the rename stays one step of
    /// the contract, and a warning says why.
    fn rename_through_sync(&mut self, s: &Step) -> bool {
        let Some(O::Column(table, from)) = s.touched(Action::Rename).next().cloned() else { return false };
        let Some(O::Column(_, to)) = s.touched(Action::RenameTo).next().cloned() else { return false };
        if !self.existing_plain(&table) {
            return false;
        }
        let (Some(ot), Some(nt)) = (self.old.tables.get(&table), self.new.tables.get(&table)) else { return false };
        // The model planned from has the renames applied: the column is under its new name there.
        let (Some(a), Some(b)) = (ot.column(&to), nt.column(&to)) else { return false };
        if let Some(why) = self.swap_blocker(ot, a, nt, b) {
            self.warnings.push(Warning {
                message: format!(
                    "--phases: {table}.{from} is renamed to {to} in the contract phase, because {why}: the new application cannot use {to} before then"
                ),
                location: b.location.clone(),
            });
            return false;
        }
        let (old_col, new_col) = (quote_ident(&from), quote_ident(&to));
        // A write that sets one name sets the other: on INSERT the one given,
        // on UPDATE the one changed.
        let body = format!(
            "BEGIN IF TG_OP = 'INSERT' THEN IF NEW.{new_col} IS NULL THEN NEW.{new_col} := NEW.{old_col}; ELSE NEW.{old_col} := NEW.{new_col}; END IF; \
             ELSIF NEW.{old_col} IS DISTINCT FROM OLD.{old_col} THEN NEW.{new_col} := NEW.{old_col}; \
             ELSE NEW.{old_col} := NEW.{new_col}; END IF; RETURN NEW; END"
        );
        let contract = self.kept_in_step(KeptInStep { table: &table, old: &from, added: &to, target: b, body, fill: old_col });
        self.groups.contract.extend(contract);
        true
    }

    /// The table, existing before the migration and plain, and the
    /// constraint of the new model that `s` creates.
    fn created_constraint(&self, s: &Step) -> Option<(QName, &'a Constraint)> {
        s.touched(Action::Create).find_map(|o| match o {
            O::Constraint(t, name) if self.existing_plain(t) => self.new.tables.get(t)?.constraints.get(name).map(|c| (t.clone(), c)),
            _ => None,
        })
    }

    /// Whether `table` held rows before the migration and is a plain table
    /// on both sides: the online forms are for those (a table created by the
    /// migration is empty; partitioned tables and inheritance trees do not
    /// take `CONCURRENTLY` or `NOT VALID` the same way).
    fn existing_plain(&self, table: &QName) -> bool {
        let plain = |s: &Schema| {
            s.tables.get(table).is_some_and(|t| t.partition_by.is_none() && t.partition_of.is_none() && t.inherits.is_empty())
                && s.inheritors(table).is_empty()
        };
        plain(self.old) && plain(self.new)
    }

    /// FOREIGN KEY or CHECK: `NOT VALID` now, `VALIDATE CONSTRAINT` later.
    fn not_valid_then_validate(&mut self, s: &Step, table: &QName, constraint: &Constraint) {
        let sql = format!("{} NOT VALID;", s.sql.trim_end().trim_end_matches(';').trim_end());
        let mut added = step(s.summary.clone(), sql);
        added.facts.touches = s.facts.touches.clone();
        self.groups.main.push(added);
        self.groups.validates.push(validate(table, &constraint.name, &s.facts.touches));
    }

    /// UNIQUE or PRIMARY KEY over an index built concurrently: the index
    /// first (made `CONCURRENTLY` by the generic pass), then `ADD
    /// CONSTRAINT … USING INDEX`, which only changes the catalog when the
    /// columns are NOT NULL already (a primary key's are made NOT NULL
    /// through checks, so that constraint waits for them). PostgreSQL takes
    /// over only a plain b-tree index: no INCLUDE here.
    fn using_index(&mut self, s: &Step, table: &QName, constraint: &Constraint) -> bool {
        let (what, columns, extra) = match &constraint.kind {
            ConstraintKind::PrimaryKey { columns, include } if include.is_empty() => ("PRIMARY KEY", columns, ""),
            ConstraintKind::Unique { columns, nulls_not_distinct, include } if include.is_empty() => {
                ("UNIQUE", columns, if *nulls_not_distinct { " NULLS NOT DISTINCT" } else { "" })
            }
            _ => return false,
        };
        let name = quote_ident(&constraint.name);
        let cols = columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
        let index = index_step(
            format!("create index {}", QName::new(table.schema.clone(), constraint.name.clone())),
            format!("CREATE UNIQUE INDEX {name} ON {table} ({cols}){extra};"),
            table,
        )
        .alters(O::Table(table.clone()))
        .creates(O::Index(QName::new(table.schema.clone(), constraint.name.clone())));
        let mut deferrable = String::new();
        if constraint.deferrable {
            deferrable.push_str(" DEFERRABLE");
            if constraint.initially_deferred {
                deferrable.push_str(" INITIALLY DEFERRED");
            }
        }
        let mut attach = step(s.summary.clone(), format!("ALTER TABLE {table} ADD CONSTRAINT {name} {what} USING INDEX {name}{deferrable};"));
        attach.facts.lock = Some(Lock { level: super::locks::ACCESS_EXCLUSIVE, on: table.clone() });
        attach.facts.work = Work::Metadata;
        attach.facts.touches = s.facts.touches.clone();
        attach = attach.uses(O::Index(QName::new(table.schema.clone(), constraint.name.clone())));
        self.groups.main.push(index);
        // A key over a column this pass makes NOT NULL later must come after.
        let waits = self.groups.finish.iter().any(|f| columns.iter().any(|c| f.summary == format!("set not null on {table}.{c}")));
        if waits { self.groups.finish.push(attach) } else { self.groups.main.push(attach) }
        true
    }

    /// The table and column of a plain `SET NOT NULL` step.
    fn set_not_null(&self, s: &Step) -> Option<(QName, String)> {
        let (table, column) = s.touched(Action::Alter).find_map(|o| match o {
            O::Column(t, c) => Some((t.clone(), c.clone())),
            _ => None,
        })?;
        let plain = format!("ALTER TABLE {table} ALTER COLUMN {} SET NOT NULL;", quote_ident(&column));
        (s.summary == format!("set not null on {table}.{column}") && s.sql == plain).then_some((table, column))
    }

    /// `SET NOT NULL` proved by a check validated first. Not before
    /// PostgreSQL 12 (which scans anyway), and not when a later step needs
    /// the column NOT NULL within the same transaction (an identity added).
    fn not_null_through_check(&mut self, s: &Step, table: &QName, column: &str, later: &[Step]) -> bool {
        if !self.existing_plain(table) || self.server_version.is_some_and(|v| v < 12) {
            return false;
        }
        let object = O::Column(table.clone(), column.to_string());
        if later.iter().any(|l| l.touched(Action::Alter).any(|o| *o == object) && l.summary.starts_with("add identity to ")) {
            return false;
        }
        let check = self.fresh_constraint_name(table, &format!("{}_{column}_not_null", table.name));
        let col = quote_ident(column);
        let add = step(
            format!("add constraint {check} on {table}"),
            format!("ALTER TABLE {table} ADD CONSTRAINT {} CHECK ({col} IS NOT NULL) NOT VALID;", quote_ident(&check)),
        )
        .alters(O::Table(table.clone()))
        .creates(O::Constraint(table.clone(), check.clone()));
        self.groups.main.push(add);
        self.groups.validates.push(validate(table, &check, &[]));
        let mut set = s.clone();
        // The validated check spares the scan: the lock is held for the catalog only.
        set.facts.work = Work::Metadata;
        self.groups.finish.push(set);
        self.groups.finish.push(drop_constraint(table, &check));
        true
    }

    /// Whether `s` is one of the steps a swap replaces: the type change and
    /// the changes of the column's default around it.
    fn part_of_swap(&self, s: &Step, swap: &Swap) -> bool {
        let object = O::Column(swap.table.clone(), swap.column.clone());
        let on = format!("{}.{}", swap.table, swap.column);
        let comment = format!("COMMENT ON COLUMN {} IS ", on_sql(&swap.table, &swap.column));
        s.touched(Action::Alter).any(|o| *o == object)
            && (["change type of", "drop default of", "set default of"].iter().any(|w| s.summary == format!("{w} {on}")) || s.sql.starts_with(&comment))
    }

    /// The swap for a type change step, when it rewrites an existing plain
    /// table and the column is one the swap can replace: no index,
    /// constraint, view, rule, policy, statistics, trigger condition or
    /// sequence depends on it, it is not an identity or generated column,
    /// keeps its nullability and has no storage options of its own. A
    /// warning says why when it is not.
    fn swap_of(&mut self, s: &Step) -> Option<Swap> {
        if s.facts.work != Work::Rewrite || !s.summary.starts_with("change type of ") {
            return None;
        }
        let (table, column) = s.touched(Action::Alter).find_map(|o| match o {
            O::Column(t, c) => Some((t.clone(), c.clone())),
            _ => None,
        })?;
        if !self.existing_plain(&table) {
            return None;
        }
        let (ot, nt) = (self.old.tables.get(&table)?, self.new.tables.get(&table)?);
        let (from, to) = (ot.column(&column)?, nt.column(&column)?);
        // The copy `--preserve-data` keeps of the values the conversion alters
        // must be taken in the transaction that converts them: through a new
        // column, rows written during the backfill would escape it.
        let kept = s.facts.destroys.as_ref().is_some_and(|d| d.backed_up_in.is_some());
        let why_not = if kept {
            Some("--preserve-data keeps a copy of the values it alters, which must be taken in the transaction that converts them".to_string())
        } else {
            self.swap_blocker(ot, from, nt, to)
        };
        if let Some(why) = why_not {
            self.warnings.push(Warning {
                message: format!(
                    "online: the type of {table}.{column} is changed in place, rewriting the table under ACCESS EXCLUSIVE, because {why}"
                ),
                location: to.location.clone(),
            });
            return None;
        }
        Some(Swap { table, column })
    }

    /// Why the column cannot be swapped, if it cannot.
    fn swap_blocker(&self, ot: &Table, from: &Column, nt: &Table, to: &Column) -> Option<String> {
        if from.identity.is_some() || to.identity.is_some() || from.generated.is_some() || to.generated.is_some() {
            return Some("it is an identity or generated column".into());
        }
        if from.nullable != to.nullable {
            return Some("its NOT NULL changes in the same migration".into());
        }
        if to.statistics.is_some() || to.storage.is_some() || to.compression.is_some() || !to.options.is_empty() {
            return Some("it has storage settings of its own".into());
        }
        // The column under its name on each side (a rename gives it two).
        for (schema, t, column) in [(self.old, ot, from.name.as_str()), (self.new, nt, to.name.as_str())] {
            let mentions = |text: &str| crate::dialect::postgres::identifiers::identifiers(text).contains(column);
            if t.indexes.values().any(|i| i.keys.iter().any(|k| if k.expression { mentions(&k.expr) } else { k.expr == column }) || i.predicate.as_ref().is_some_and(|p| mentions(&p.0)) || i.include.iter().any(|x| x == column)) {
                return Some("an index uses it".into());
            }
            if t.constraints.values().any(|k| constraint_uses(k, column, &mentions)) {
                return Some("a constraint uses it".into());
            }
            let referenced = schema.tables.values().flat_map(|o| o.constraints.values()).any(|k| {
                matches!(&k.kind, ConstraintKind::ForeignKey { references, ref_columns, .. } if *references == t.name && ref_columns.iter().any(|r| r == column))
            });
            if referenced {
                return Some("a foreign key references it".into());
            }
            if !t.rules.is_empty() || !t.policies.is_empty() {
                return Some("the table has rules or policies, which may use it".into());
            }
            if t.triggers.values().any(|tr| tr.when.as_ref().is_some_and(|w| mentions(&w.0)) || tr.events.iter().any(|e| mentions(e))) {
                return Some("a trigger's condition uses it".into());
            }
            let reads_table = |text: &str| {
                let ids = crate::dialect::postgres::identifiers::identifiers(text);
                ids.contains(t.name.name.as_str()) && ids.contains(column)
            };
            if schema.views.values().any(|v| reads_table(&v.query)) {
                return Some("a view may read it".into());
            }
            if schema.functions.values().any(|f| f.language == "sql" && reads_table(&f.body)) {
                return Some("a SQL function may read it".into());
            }
            if schema.statistics.values().any(|st| st.table == t.name) {
                return Some("extended statistics are defined on the table".into());
            }
            if schema.sequences.values().any(|q| q.owned_by.as_ref().is_some_and(|(ot, oc)| *ot == t.name && oc == column)) {
                return Some("it owns a sequence (serial), which dropping the column would drop".into());
            }
            if schema.publications.values().any(|p| p.tables.get(&t.name).is_some_and(|pt| !pt.columns.is_empty() || pt.row_filter.is_some())) {
                return Some("a publication lists the table's columns or filters its rows".into());
            }
        }
        None
    }

    /// The swap's steps: the new column, the trigger that keeps it in step
    /// and (for a NOT NULL column) its NOT VALID check now; the backfill; the
    /// check's validation; then the swap itself.
    fn swap(&mut self, s: &Step, swap: &Swap) {
        let (table, column) = (&swap.table, swap.column.as_str());
        let (Some(ot), Some(nt)) = (self.old.tables.get(table), self.new.tables.get(table)) else {
            return self.groups.main.push(s.clone());
        };
        let (Some(from), Some(to)) = (ot.column(column), nt.column(column)) else {
            return self.groups.main.push(s.clone());
        };
        let fresh = self.fresh_column_name(ot, nt, &format!("{column}_new"));
        let (col, tmp) = (quote_ident(column), quote_ident(&fresh));
        let new = self.new;
        // Values converted as the in-place change would have.
        let convert = |source: &str| using_of(&from.data_type, &to.data_type, new).expr(source, &to.data_type);
        let body = format!("BEGIN NEW.{tmp} := {}; RETURN NEW; END", convert(&format!("NEW.{col}")));
        let finish = self.kept_in_step(KeptInStep { table, old: column, added: &fresh, target: to, body, fill: convert(&col) });
        self.groups.finish.extend(finish);
    }

    /// A column added beside `old` and kept in step with it (the type swap's
    /// new column, a rename's new name): now, the column, the trigger that
    /// keeps it in step and, for a NOT NULL target, its check `NOT VALID`;
    /// the backfill and the check's validation in their groups. Returns the
    /// steps that end it, for the group that waits for them: the trigger and
    /// `old` dropped, the added column under the target's name with the
    /// target's NOT NULL (through the validated check), default and comment.
    fn kept_in_step(&mut self, k: KeptInStep) -> Vec<Step> {
        let KeptInStep { table, old, added, target, body, fill } = k;
        let name = target.name.as_str();
        let (old_col, added_col, col) = (quote_ident(old), quote_ident(added), quote_ident(name));
        let on_table = |st: Step| st.alters(O::Table(table.clone()));
        let collate = target.collation.as_deref().map(|c| format!(" COLLATE {}", super::collation_ref(c))).unwrap_or_default();
        self.groups.main.push(
            on_table(step(format!("add column {table}.{added}"), format!("ALTER TABLE {table} ADD COLUMN {added_col} {}{collate};", target.data_type)))
                .creates(O::Column(table.clone(), added.to_string())),
        );
        let function = QName::new(table.schema.clone(), self.fresh_function_name(&table.schema, &format!("{}_{name}_sync", table.name)));
        let trigger = truncate(&format!("{}_{name}_sync", table.name));
        self.groups.main.push(
            step(format!("create function {function}()"), format!("CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS {};", dollar_quote(&body)))
                .creates(O::Function(format!("{function}()"))),
        );
        let execute = if self.server_version.is_some_and(|v| v < 11) { "PROCEDURE" } else { "FUNCTION" };
        self.groups.main.push(
            on_table(step(
                format!("create trigger {trigger} on {table}"),
                format!("CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE {execute} {function}();", quote_ident(&trigger)),
            ))
            .creates(O::Trigger(table.clone(), trigger.clone()))
            .uses(O::Function(format!("{function}()"))),
        );
        let check = (!target.nullable).then(|| {
            let check = self.fresh_constraint_name(table, &format!("{}_{added}_not_null", table.name));
            self.groups.main.push(
                on_table(step(
                    format!("add constraint {check} on {table}"),
                    format!("ALTER TABLE {table} ADD CONSTRAINT {} CHECK ({added_col} IS NOT NULL) NOT VALID;", quote_ident(&check)),
                ))
                .creates(O::Constraint(table.clone(), check.clone())),
            );
            self.groups.validates.push(validate(table, &check, &[]));
            check
        });
        let mut backfill = step(format!("backfill {table}.{added}"), format!("UPDATE {table} SET {added_col} = {fill};"));
        backfill.facts.lock = Some(Lock { level: super::locks::ROW_EXCLUSIVE, on: table.clone() });
        backfill.facts.work = Work::Backfill;
        self.groups.backfills.push(backfill.alters(O::Column(table.clone(), added.to_string())).uses(O::Column(table.clone(), old.to_string())));

        let mut end = vec![
            on_table(step(format!("drop trigger {trigger} on {table}"), format!("DROP TRIGGER {} ON {table};", quote_ident(&trigger))))
                .drops(O::Trigger(table.clone(), trigger.clone())),
            step(format!("drop function {function}()"), format!("DROP FUNCTION {function}();")).drops(O::Function(format!("{function}()"))),
        ];
        let mut drop_old = step(format!("drop column {table}.{old}"), format!("ALTER TABLE {table} DROP COLUMN {old_col};"));
        // Its values live on in the added column.
        drop_old.facts.destroys = None;
        end.push(on_table(drop_old).drops(O::Column(table.clone(), old.to_string())));
        if added != name {
            end.push(
                on_table(step(format!("rename column {table}.{added} to {name}"), format!("ALTER TABLE {table} RENAME COLUMN {added_col} TO {col};")))
                    .renames(O::Column(table.clone(), added.to_string()), O::Column(table.clone(), name.to_string())),
            );
        }
        let on_column = |st: Step| on_table(st).alters(O::Column(table.clone(), name.to_string()));
        if let Some(check) = &check {
            let mut set = on_column(step(format!("set not null on {table}.{name}"), format!("ALTER TABLE {table} ALTER COLUMN {col} SET NOT NULL;")));
            // The validated check spares the scan.
            set.facts.work = Work::Metadata;
            end.push(set);
            end.push(drop_constraint(table, check));
        }
        if let Some(d) = &target.default {
            let sql = format!("ALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT {};", crate::dialect::postgres::render::default_sql(&target.data_type, d));
            end.push(on_column(step(format!("set default of {table}.{name}"), sql)));
        }
        if let Some(c) = &target.comment {
            let sql = format!("COMMENT ON COLUMN {} IS {};", on_sql(table, name), quote_literal(c));
            end.push(on_column(step(format!("comment on column {table}.{name}"), sql)));
        }
        end
    }

    /// `wanted`, or `wanted` with a number, cut to PostgreSQL's limit, that
    /// no constraint or relation of the table's schema has in either model.
    fn fresh_constraint_name(&mut self, table: &QName, wanted: &str) -> String {
        let (old, new) = (self.old, self.new);
        let used = |n: &str| {
            [old, new].iter().any(|s| {
                s.tables.get(table).is_some_and(|t| t.constraints.contains_key(n))
                    || s.tables.values().any(|t| t.name.schema == table.schema && (t.name.name == n || t.indexes.contains_key(n)))
            })
        };
        self.fresh(&table.schema, wanted, used)
    }

    fn fresh_column_name(&mut self, ot: &Table, nt: &Table, wanted: &str) -> String {
        let schema = nt.name.schema.clone();
        self.fresh(&schema, wanted, |n| ot.column(n).is_some() || nt.column(n).is_some())
    }

    fn fresh_function_name(&mut self, schema: &str, wanted: &str) -> String {
        let (old, new) = (self.old, self.new);
        self.fresh(schema, wanted, |n| [old, new].iter().any(|s| s.functions.values().any(|f| f.name.schema == schema && f.name.name == n)))
    }

    fn fresh(&mut self, schema: &str, wanted: &str, used: impl Fn(&str) -> bool) -> String {
        let mut n = 1;
        loop {
            let candidate = if n == 1 { truncate(wanted) } else { format!("{}{n}", truncate_to(wanted, NAME_LIMIT - n.to_string().len())) };
            let mine = self.taken.iter().any(|(s, t)| s == schema && *t == candidate);
            if !mine && !used(&candidate) {
                self.taken.push((schema.to_string(), candidate.clone()));
                return candidate;
            }
            n += 1;
        }
    }
}

/// Makes `down`, a migration's way back to `target`, put back what the
/// backfill `b` of an earlier migration of the same change filled, when the
/// down creates again a column `b` reads or writes (the schemas do not say
/// what a column holds, so the down planned from them leaves it empty):
/// `b` again after the down when it re-creates the column `b` filled (a
/// type change's new column); the column `b` copied from (a rename's old
/// name) added NULL-able, filled from the new one, then made NOT NULL.
pub fn refill_down(down: &mut Vec<Step>, target: &Schema, b: &Step) {
    let (Some(O::Column(table, filled)), Some(O::Column(_, source))) = (b.touched(Action::Alter).next(), b.touched(Action::Use).next()) else {
        return;
    };
    let creates = |s: &Step, column: &str| s.touched(Action::Create).any(|o| *o == O::Column(table.clone(), column.to_string()));
    if down.iter().any(|s| creates(s, filled)) {
        down.push(b.clone());
    }
    let Some(t) = target.tables.get(table) else { return };
    let (Some(from), Some(to)) = (t.column(source), t.column(filled)) else { return };
    let Some(at) = down.iter().position(|s| creates(s, source)) else { return };
    // Only a copy can be made backwards; a conversion cannot.
    if from.data_type != to.data_type {
        return;
    }
    let nullable = crate::model::Column { nullable: true, ..from.clone() };
    let mut add = step(down[at].summary.clone(), format!("ALTER TABLE {table} ADD COLUMN {};", crate::dialect::postgres::render::column_definition_sql(&nullable)));
    add.facts.touches = down[at].facts.touches.clone();
    let mut fill = step(format!("backfill {table}.{source}"), format!("UPDATE {table} SET {} = {};", quote_ident(source), quote_ident(filled)));
    fill.facts.lock = Some(Lock { level: super::locks::ROW_EXCLUSIVE, on: table.clone() });
    fill.facts.work = Work::Backfill;
    let mut replacement = vec![add, fill.alters(O::Column(table.clone(), source.clone())).uses(O::Column(table.clone(), filled.clone()))];
    if !from.nullable {
        replacement.push(
            step(format!("set not null on {table}.{source}"), format!("ALTER TABLE {table} ALTER COLUMN {} SET NOT NULL;", quote_ident(source)))
                .alters(O::Table(table.clone()))
                .alters(O::Column(table.clone(), source.clone())),
        );
    }
    down.splice(at..=at, replacement);
}

/// `SET lock_timeout` and `SET statement_timeout`, as `online` says. A
/// session setting rather than `SET LOCAL`, so that it also covers the
/// steps that run outside a transaction block.
pub fn session_timeouts(online: &crate::plan::Online) -> Vec<Step> {
    [("lock_timeout", &online.lock_timeout), ("statement_timeout", &online.statement_timeout)]
        .into_iter()
        .map(|(name, value)| Step::new(format!("set {name}"), format!("SET {name} = {};", quote_literal(value))))
        .collect()
}

/// Whether constraint `k` uses `column`.
fn constraint_uses(k: &Constraint, column: &str, mentions: &dyn Fn(&str) -> bool) -> bool {
    let named = |cols: &[String]| cols.iter().any(|c| c == column);
    match &k.kind {
        ConstraintKind::PrimaryKey { columns, include } | ConstraintKind::Unique { columns, include, .. } => named(columns) || named(include),
        ConstraintKind::ForeignKey { columns, .. } => named(columns),
        ConstraintKind::Check { expr, .. } => mentions(&expr.0),
        ConstraintKind::Exclude { elements, include, predicate, .. } => {
            elements.iter().any(|(e, _)| e == column || mentions(e)) || named(include) || predicate.as_ref().is_some_and(|p| mentions(&p.0))
        }
    }
}

/// `ALTER TABLE table VALIDATE CONSTRAINT name`: reads every row, under
/// SHARE UPDATE EXCLUSIVE (reads and writes go on). `touches`: those of
/// the step that added the constraint (a foreign key's referenced table).
fn validate(table: &QName, name: &str, touches: &[crate::plan::Touch]) -> Step {
    let mut s = Step::new(format!("validate constraint {name} on {table}"), format!("ALTER TABLE {table} VALIDATE CONSTRAINT {};", quote_ident(name)));
    s.facts.lock = Some(Lock { level: super::locks::SHARE_UPDATE_EXCLUSIVE, on: table.clone() });
    s.facts.work = Work::Scan;
    let s = s.alters(O::Table(table.clone())).alters(O::Constraint(table.clone(), name.to_string()));
    touches.iter().filter(|t| t.action == Action::Use).fold(s, |s, t| s.uses(t.object.clone()))
}

fn drop_constraint(table: &QName, name: &str) -> Step {
    step(format!("drop constraint {name} on {table}"), format!("ALTER TABLE {table} DROP CONSTRAINT {};", quote_ident(name)))
        .alters(O::Table(table.clone()))
        .drops(O::Constraint(table.clone(), name.to_string()))
}

/// `table.column` as the planner writes it in a statement.
fn on_sql(table: &QName, column: &str) -> String {
    format!("{table}.{}", quote_ident(column))
}

fn truncate(name: &str) -> String {
    truncate_to(name, NAME_LIMIT)
}

/// `name` cut to at most `limit` bytes, on a character boundary.
fn truncate_to(name: &str, limit: usize) -> String {
    let mut end = name.len().min(limit);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}

/// `body` between dollar quotes it cannot close.
fn dollar_quote(body: &str) -> String {
    let mut tag = String::from("$$");
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$s{n}$");
    }
    format!("{tag}{body}{tag}")
}

impl Using {
    /// The expression converting `column` to `to` (the column itself when
    /// PostgreSQL's assignment cast does it, as in an UPDATE or a PL/pgSQL
    /// assignment).
    pub(super) fn expr(self, column: &str, to: &crate::model::DataType) -> String {
        match self {
            Using::Implicit => column.to_string(),
            Using::Cast => format!("{column}::{to}"),
            Using::ThroughText => format!("{column}::text::{to}"),
        }
    }
}
