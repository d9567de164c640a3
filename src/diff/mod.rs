//! The differ: model × model → typed changes. Pure, dialect-free and
//! deterministic: changes come out in the models' own (sorted) order; the
//! planner decides the order they are applied in.

mod comment;
mod renames;

pub use comment::CommentTarget;
pub use renames::Renames;

use crate::error::Warning;
use crate::model::{
    Column, Constraint, Enabled, Extension, Function, Index, Location, Namespace, Opaque, Policy, Publication, QName,
    ReplicaIdentity, Rule, Schema, Sequence, Statistics, Table, Trigger, UserType, UserTypeKind, View,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// One difference between two schemas.
// Changes are few and short-lived; boxing the table-sized variants would
// only make every match on them noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    CreateSchema { schema: Namespace },
    DropSchema { schema: Namespace },
    CreateExtension { extension: Extension },
    DropExtension { extension: Extension },
    AlterExtension { from: Extension, to: Extension },
    CreateType { user_type: UserType },
    DropType { user_type: UserType },
    /// Enum labels added without reordering or removing any: `ADD VALUE`.
    AddEnumValues { name: QName, from: Vec<String>, to: Vec<String> },
    /// Enum labels removed or reordered: the type must be rebuilt.
    RebuildEnum { from: UserType, to: UserType },
    AlterDomain { from: UserType, to: UserType },
    /// A composite or range type whose definition changed.
    ReplaceType { from: UserType, to: UserType },
    CreateSequence { sequence: Sequence },
    DropSequence { sequence: Sequence },
    AlterSequence { from: Sequence, to: Sequence },
    /// A sequence owned by a renamed table or column, renamed to its new
    /// generated name (PostgreSQL does not rename it by itself).
    RenameSequence { from: QName, to: QName },
    CreateTable { table: Table },
    DropTable { table: Table },
    RenameTable { from: QName, to: QName },
    AddColumn { table: QName, column: Column },
    DropColumn { table: QName, column: Column },
    RenameColumn { table: QName, from: String, to: String },
    AlterColumn { table: QName, from: Column, to: Column },
    AddConstraint { table: QName, constraint: Constraint },
    /// Same definition, new name (e.g. `old_pkey` after the table was renamed).
    RenameConstraint { table: QName, from: String, to: String },
    DropConstraint { table: QName, constraint: Constraint },
    /// A constraint added `NOT VALID` that is now valid, and otherwise the
    /// same: its existing rows are checked (`VALIDATE CONSTRAINT`) instead of
    /// it being dropped and added again. `constraint` is the new one.
    ValidateConstraint { table: QName, constraint: Constraint },
    CreateIndex { table: QName, index: Index },
    DropIndex { table: QName, index: Index },
    RenameIndex { table: QName, from: String, to: String },
    CreateTrigger { table: QName, trigger: Trigger },
    DropTrigger { table: QName, trigger: Trigger },
    SetLogged { table: QName, unlogged: bool },
    /// Storage parameters: `ALTER TABLE … SET (…)` / `RESET (…)`.
    SetStorageParameters { table: QName, from: Vec<String>, to: Vec<String> },
    /// `REPLICA IDENTITY`; also when the index it names is built again.
    SetReplicaIdentity { table: QName, from: Option<ReplicaIdentity>, to: Option<ReplicaIdentity> },
    /// `CLUSTER ON` / `SET WITHOUT CLUSTER`; also when the index is built again.
    SetClusterOn { table: QName, from: Option<String>, to: Option<String> },
    SetRowLevelSecurity { table: QName, enabled: bool },
    SetForceRowLevelSecurity { table: QName, force: bool },
    /// A trigger's firing state (`ENABLE`, `DISABLE`, `ENABLE REPLICA | ALWAYS`).
    SetTriggerEnabled { table: QName, trigger: String, from: Enabled, to: Enabled },
    CreatePolicy { table: QName, policy: Policy },
    DropPolicy { table: QName, policy: Policy },
    /// Roles or expressions changed, in a way `ALTER POLICY` can make.
    AlterPolicy { table: QName, from: Policy, to: Policy },
    /// A rule on a table or view (changed rules are dropped and created).
    CreateRule { table: QName, rule: Rule },
    DropRule { table: QName, rule: Rule },
    SetRuleEnabled { table: QName, rule: String, from: Enabled, to: Enabled },
    CreateStatistics { statistics: Statistics },
    DropStatistics { statistics: Statistics },
    /// Only the statistics target changed.
    AlterStatistics { from: Statistics, to: Statistics },
    CreatePublication { publication: Publication },
    DropPublication { publication: Publication },
    /// Tables, schemas or parameters changed.
    AlterPublication { from: Publication, to: Publication },
    AttachPartition { table: QName, parent: QName, bound: String },
    DetachPartition { table: QName, parent: QName, bound: String },
    /// `ALTER TABLE table INHERIT parent`: the table becomes a child of
    /// `parent` (appended to its parents).
    Inherit { table: QName, parent: QName },
    /// `ALTER TABLE table NO INHERIT parent`.
    NoInherit { table: QName, parent: QName },
    CreateView { view: View },
    DropView { view: View },
    /// A view whose query changed in a way `CREATE OR REPLACE VIEW` accepts.
    ReplaceView { from: View, to: View },
    RenameView { from: QName, to: QName },
    CreateFunction { function: Function },
    DropFunction { function: Function },
    ReplaceFunction { from: Function, to: Function },
    /// `COMMENT ON <target>`: `target` is the SQL object reference.
    SetComment { target: CommentTarget, from: Option<String>, to: Option<String> },
    AddOpaque { statement: Opaque },
    DropOpaque { statement: Opaque },
}

impl Change {
    /// The object the change is about, for reports.
    pub fn object(&self) -> String {
        use Change::*;
        match self {
            CreateSchema { schema } | DropSchema { schema } => schema.name.clone(),
            CreateExtension { extension } | DropExtension { extension } => extension.name.clone(),
            AlterExtension { to, .. } => to.name.clone(),
            CreateType { user_type } | DropType { user_type } => user_type.name.to_string(),
            AddEnumValues { name, .. } => name.to_string(),
            RebuildEnum { to, .. } | AlterDomain { to, .. } | ReplaceType { to, .. } => to.name.to_string(),
            CreateSequence { sequence } | DropSequence { sequence } => sequence.name.to_string(),
            AlterSequence { to, .. } => to.name.to_string(),
            RenameSequence { to, .. } => to.to_string(),
            RenameConstraint { table, to, .. } => format!("{table}.{to}"),
            CreateTable { table } | DropTable { table } => table.name.to_string(),
            RenameTable { to, .. } | RenameView { to, .. } => to.to_string(),
            AddColumn { table, column } | DropColumn { table, column } => format!("{table}.{}", column.name),
            RenameColumn { table, to, .. } => format!("{table}.{to}"),
            AlterColumn { table, to, .. } => format!("{table}.{}", to.name),
            AddConstraint { table, constraint } | DropConstraint { table, constraint } | ValidateConstraint { table, constraint } => {
                format!("{table}.{}", constraint.name)
            }
            CreateIndex { table, index } | DropIndex { table, index } => format!("{}.{}", table.schema, index.name),
            RenameIndex { table, to, .. } => format!("{}.{to}", table.schema),
            CreateTrigger { table, trigger } | DropTrigger { table, trigger } => format!("{table}.{}", trigger.name),
            SetLogged { table, .. }
            | AttachPartition { table, .. }
            | DetachPartition { table, .. }
            | Inherit { table, .. }
            | NoInherit { table, .. }
            | SetStorageParameters { table, .. }
            | SetReplicaIdentity { table, .. }
            | SetClusterOn { table, .. }
            | SetRowLevelSecurity { table, .. }
            | SetForceRowLevelSecurity { table, .. } => table.to_string(),
            SetTriggerEnabled { table, trigger, .. } => format!("{table}.{trigger}"),
            CreatePolicy { table, policy } | DropPolicy { table, policy } => format!("{table}.{}", policy.name),
            AlterPolicy { table, to, .. } => format!("{table}.{}", to.name),
            CreateRule { table, rule } | DropRule { table, rule } => format!("{table}.{}", rule.name),
            SetRuleEnabled { table, rule, .. } => format!("{table}.{rule}"),
            CreateStatistics { statistics } | DropStatistics { statistics } => statistics.name.to_string(),
            AlterStatistics { to, .. } => to.name.to_string(),
            CreatePublication { publication } | DropPublication { publication } => publication.name.clone(),
            AlterPublication { to, .. } => to.name.clone(),
            CreateView { view } | DropView { view } => view.name.to_string(),
            ReplaceView { to, .. } => to.name.to_string(),
            CreateFunction { function } | DropFunction { function } => function.signature(),
            ReplaceFunction { to, .. } => to.signature(),
            SetComment { target, .. } => target.describe(),
            AddOpaque { statement } | DropOpaque { statement } => statement.text.clone(),
        }
    }

    /// Where the object was defined in the old and in the new schema.
    pub fn locations(&self) -> (Option<&Location>, Option<&Location>) {
        use Change::*;
        match self {
            CreateSchema { schema } => (None, Some(&schema.location)),
            DropSchema { schema } => (Some(&schema.location), None),
            CreateExtension { extension } => (None, Some(&extension.location)),
            DropExtension { extension } => (Some(&extension.location), None),
            AlterExtension { from, to } => (Some(&from.location), Some(&to.location)),
            CreateType { user_type } => (None, Some(&user_type.location)),
            DropType { user_type } => (Some(&user_type.location), None),
            RebuildEnum { from, to } | AlterDomain { from, to } | ReplaceType { from, to } => {
                (Some(&from.location), Some(&to.location))
            }
            CreateSequence { sequence } => (None, Some(&sequence.location)),
            DropSequence { sequence } => (Some(&sequence.location), None),
            AlterSequence { from, to } => (Some(&from.location), Some(&to.location)),
            CreateTable { table } => (None, Some(&table.location)),
            DropTable { table } => (Some(&table.location), None),
            AddColumn { column, .. } => (None, Some(&column.location)),
            DropColumn { column, .. } => (Some(&column.location), None),
            AlterColumn { from, to, .. } => (Some(&from.location), Some(&to.location)),
            AddConstraint { constraint, .. } => (None, Some(&constraint.location)),
            DropConstraint { constraint, .. } => (Some(&constraint.location), None),
            ValidateConstraint { constraint, .. } => (None, Some(&constraint.location)),
            CreateIndex { index, .. } => (None, Some(&index.location)),
            DropIndex { index, .. } => (Some(&index.location), None),
            CreateTrigger { trigger, .. } => (None, Some(&trigger.location)),
            DropTrigger { trigger, .. } => (Some(&trigger.location), None),
            CreateView { view } => (None, Some(&view.location)),
            DropView { view } => (Some(&view.location), None),
            ReplaceView { from, to } => (Some(&from.location), Some(&to.location)),
            CreateFunction { function } => (None, Some(&function.location)),
            DropFunction { function } => (Some(&function.location), None),
            ReplaceFunction { from, to } => (Some(&from.location), Some(&to.location)),
            AddOpaque { statement } => (None, Some(&statement.location)),
            DropOpaque { statement } => (Some(&statement.location), None),
            CreatePolicy { policy, .. } => (None, Some(&policy.location)),
            DropPolicy { policy, .. } => (Some(&policy.location), None),
            AlterPolicy { from, to, .. } => (Some(&from.location), Some(&to.location)),
            CreateRule { rule, .. } => (None, Some(&rule.location)),
            DropRule { rule, .. } => (Some(&rule.location), None),
            CreateStatistics { statistics } => (None, Some(&statistics.location)),
            DropStatistics { statistics } => (Some(&statistics.location), None),
            AlterStatistics { from, to } => (Some(&from.location), Some(&to.location)),
            CreatePublication { publication } => (None, Some(&publication.location)),
            DropPublication { publication } => (Some(&publication.location), None),
            AlterPublication { from, to } => (Some(&from.location), Some(&to.location)),
            AddEnumValues { .. }
            | RenameTable { .. }
            | RenameColumn { .. }
            | RenameIndex { .. }
            | RenameView { .. }
            | RenameSequence { .. }
            | RenameConstraint { .. }
            | SetLogged { .. }
            | SetStorageParameters { .. }
            | SetReplicaIdentity { .. }
            | SetClusterOn { .. }
            | SetRowLevelSecurity { .. }
            | SetForceRowLevelSecurity { .. }
            | SetTriggerEnabled { .. }
            | SetRuleEnabled { .. }
            | AttachPartition { .. }
            | DetachPartition { .. }
            | Inherit { .. }
            | NoInherit { .. }
            | SetComment { .. } => (None, None),
        }
    }
}

/// What [`diff`] finds.
pub struct Diff<'a> {
    pub changes: Vec<Change>,
    /// Possible renames without a hint, and the like.
    pub warnings: Vec<Warning>,
    /// The old model with the declared renames applied: what the database
    /// looks like once the rename statements have run, and what the other
    /// changes are computed against (the old model itself when nothing is renamed).
    pub renamed_old: std::borrow::Cow<'a, Schema>,
    /// Changes PostgreSQL has no statement for and schemashift does not
    /// plan (a table's partitioning): the user writes these by hand.
    pub unplannable: Vec<Warning>,
}

/// The changes from `old` to `new`. Declared renames are applied first
/// (replayed onto the old model, so that constraints, indexes and
/// references follow a renamed column as they do in PostgreSQL); everything
/// else is then compared by name.
///
/// What either side holds in [`crate::model::BACKUP_SCHEMA`] is left out:
/// the copies `--preserve-data` keeps belong to the migrations, so a schema
/// file that does not show them must not drop them, and a `pg_dump` that
/// shows them must not create them.
pub fn diff<'a>(old: &'a Schema, new: &Schema, renames: &Renames) -> Diff<'a> {
    if old.has_backups() || new.has_backups() {
        let (old, new) = (old.without_backups().into_owned(), new.without_backups());
        let Diff { changes, warnings, renamed_old, unplannable } = diff(&old, &new, renames);
        let renamed_old = std::borrow::Cow::Owned(renamed_old.into_owned());
        return Diff { changes, warnings, renamed_old, unplannable };
    }
    let (renamed, rename_changes) = renames::apply(old, new, renames);
    let renamed_old = match renamed {
        Some(s) => std::borrow::Cow::Owned(s),
        None => std::borrow::Cow::Borrowed(old),
    };
    let mut d = Differ { changes: rename_changes, warnings: Vec::new(), unplannable: Vec::new(), renames, dialect: new.dialect };
    let old = renamed_old.as_ref();
    d.schemas(old, new);
    d.extensions(old, new);
    d.types(old, new);
    d.sequences(old, new);
    d.tables(old, new);
    d.views(old, new);
    d.functions(old, new);
    d.statistics(old, new);
    d.publications(old, new);
    d.opaque(old, new);
    Diff { changes: d.changes, warnings: d.warnings, renamed_old, unplannable: d.unplannable }
}

struct Differ<'r> {
    changes: Vec<Change>,
    warnings: Vec<Warning>,
    unplannable: Vec<Warning>,
    renames: &'r Renames,
    /// The new schema's, for what messages say of the database.
    dialect: crate::model::Dialect,
}

fn comment_change(target: CommentTarget, from: &Option<String>, to: &Option<String>) -> Option<Change> {
    (from != to).then(|| Change::SetComment { target, from: from.clone(), to: to.clone() })
}

impl Differ<'_> {
    fn push(&mut self, c: Change) {
        self.changes.push(c);
    }
    fn comment(&mut self, target: CommentTarget, from: &Option<String>, to: &Option<String>) {
        if let Some(c) = comment_change(target, from, to) {
            self.push(c);
        }
    }

    fn schemas(&mut self, old: &Schema, new: &Schema) {
        for (name, n) in &new.schemas {
            match old.schemas.get(name) {
                None => self.push(Change::CreateSchema { schema: n.clone() }),
                Some(o) => self.comment(CommentTarget::Schema { name: name.clone() }, &o.comment, &n.comment),
            }
        }
        for (name, o) in &old.schemas {
            if !new.schemas.contains_key(name) {
                self.push(Change::DropSchema { schema: o.clone() });
            }
        }
    }

    fn extensions(&mut self, old: &Schema, new: &Schema) {
        for (name, n) in &new.extensions {
            match old.extensions.get(name) {
                None => self.push(Change::CreateExtension { extension: n.clone() }),
                Some(o) if o != n => self.push(Change::AlterExtension { from: o.clone(), to: n.clone() }),
                Some(_) => {}
            }
        }
        for (name, o) in &old.extensions {
            if !new.extensions.contains_key(name) {
                self.push(Change::DropExtension { extension: o.clone() });
            }
        }
    }

    fn types(&mut self, old: &Schema, new: &Schema) {
        for (name, n) in &new.types {
            let Some(o) = old.types.get(name) else {
                self.push(Change::CreateType { user_type: n.clone() });
                continue;
            };
            // A type created again under its name has lost its comments.
            let mut recreated = false;
            if without_check_comments(&o.kind) != without_check_comments(&n.kind) {
                let change = match (&o.kind, &n.kind) {
                    (UserTypeKind::Enum { values: from }, UserTypeKind::Enum { values: to }) => {
                        if is_subsequence(from, to) {
                            Change::AddEnumValues { name: name.clone(), from: from.clone(), to: to.clone() }
                        } else {
                            Change::RebuildEnum { from: o.clone(), to: n.clone() }
                        }
                    }
                    (UserTypeKind::Domain { base: a, .. }, UserTypeKind::Domain { base: b, .. }) if a == b => {
                        Change::AlterDomain { from: o.clone(), to: n.clone() }
                    }
                    _ => Change::ReplaceType { from: o.clone(), to: n.clone() },
                };
                recreated = match &change {
                    Change::RebuildEnum { .. } => true,
                    Change::ReplaceType { from, to } => !alters_in_place(from, to, new),
                    _ => false,
                };
                self.push(change);
            }
            let target = match n.kind {
                UserTypeKind::Domain { .. } => CommentTarget::Domain { name: name.clone() },
                _ => CommentTarget::Type { name: name.clone() },
            };
            let kept = |comment: Option<&String>| comment.filter(|_| !recreated).cloned();
            self.comment(target, &kept(o.comment.as_ref()), &n.comment);
            if let (UserTypeKind::Domain { checks: oc, check_comments: a, .. }, UserTypeKind::Domain { checks: nc, check_comments: b, .. }) =
                (&o.kind, &n.kind)
            {
                for c in nc.keys() {
                    // A check dropped and added again loses its comment: set it again.
                    let from = if oc.get(c) == nc.get(c) { kept(a.get(c)) } else { None };
                    let target = CommentTarget::DomainConstraint { domain: name.clone(), name: c.clone() };
                    self.comment(target, &from, &b.get(c).cloned());
                }
            }
        }
        for (name, o) in &old.types {
            if !new.types.contains_key(name) {
                self.push(Change::DropType { user_type: o.clone() });
            }
        }
    }

    fn sequences(&mut self, old: &Schema, new: &Schema) {
        // A sequence owned by a renamed table or column keeps its counter:
        // it is the old one under a new name.
        let source_owner = |(t, c): &(QName, String)| {
            let table = self.renames.tables.get(t).cloned().unwrap_or_else(|| t.clone());
            let column = self.renames.columns.get(&(t.clone(), c.clone())).cloned().unwrap_or_else(|| c.clone());
            (table, column)
        };
        let mut renamed_away: Vec<&QName> = Vec::new();
        for (name, n) in &new.sequences {
            if old.sequences.get(name) == Some(n) {
                continue;
            }
            let renamed = (!old.sequences.contains_key(name))
                .then(|| n.owned_by.as_ref().map(source_owner))
                .flatten()
                .and_then(|owner| old.sequences.values().find(|o| o.owned_by.as_ref() == Some(&owner) && !new.sequences.contains_key(&o.name)));
            let o = match renamed {
                Some(o) => {
                    renamed_away.push(&o.name);
                    self.push(Change::RenameSequence { from: o.name.clone(), to: name.clone() });
                    Some(o)
                }
                None => old.sequences.get(name),
            };
            match o {
                None => self.push(Change::CreateSequence { sequence: n.clone() }),
                Some(o) => {
                    let owner_moved = o.owned_by.as_ref().map(source_owner) != n.owned_by.as_ref().map(source_owner)
                        && o.owned_by != n.owned_by.as_ref().map(source_owner);
                    if o.options != n.options || owner_moved {
                        self.push(Change::AlterSequence { from: Sequence { name: name.clone(), ..o.clone() }, to: n.clone() });
                    }
                    self.comment(CommentTarget::Sequence { name: name.clone() }, &o.comment, &n.comment);
                }
            }
        }
        for (name, o) in &old.sequences {
            if !new.sequences.contains_key(name) && !renamed_away.contains(&name) {
                self.push(Change::DropSequence { sequence: o.clone() });
            }
        }
    }

    fn tables(&mut self, old: &Schema, new: &Schema) {
        for (name, n) in &new.tables {
            match old.tables.get(name) {
                // Equal tables make no changes; most of a large schema is equal.
                Some(o) if o == n => {}
                Some(o) => self.table(o, n),
                None => self.push(Change::CreateTable { table: n.clone() }),
            }
        }
        let dropped: Vec<&Table> = old.tables.iter().filter(|(name, _)| !new.tables.contains_key(*name)).map(|(_, t)| t).collect();
        for o in &dropped {
            self.push(Change::DropTable { table: (*o).clone() });
        }
        self.possible_table_renames(&dropped, old, new);
    }

    /// A dropped and a created table with the same columns are probably one
    /// table renamed: say how to keep its rows.
    fn possible_table_renames(&mut self, dropped: &[&Table], old: &Schema, new: &Schema) {
        let shape = |t: &Table| t.columns.iter().map(|c| (c.name.clone(), c.data_type.clone())).collect::<Vec<_>>();
        for d in dropped {
            for (name, n) in &new.tables {
                if !old.tables.contains_key(name) && !self.renames.tables.contains_key(name) && shape(n) == shape(d) {
                    self.warnings.push(Warning {
                        message: format!(
                            "table {} is dropped and {name} created with the same columns: if it was renamed, add `-- schemashift:renamed-from {}` on the line before its CREATE TABLE to keep its rows",
                            d.name,
                            crate::model::quote_ident(&d.name.name)
                        ),
                        location: n.location.clone(),
                    });
                }
            }
        }
    }

    fn table(&mut self, o: &Table, n: &Table) {
        let t = &n.name;
        // Columns: renames first, then changes, additions and drops.
        let mut matched_old: Vec<&str> = Vec::new();
        for nc in &n.columns {
            match o.column(&nc.name) {
                None => self.push(Change::AddColumn { table: t.clone(), column: nc.clone() }),
                Some(oc) => {
                    matched_old.push(&oc.name);
                    if (Column { comment: None, ..oc.clone() }) != (Column { comment: None, ..nc.clone() }) {
                        self.push(Change::AlterColumn { table: t.clone(), from: oc.clone(), to: nc.clone() });
                    }
                    self.comment(CommentTarget::Column { table: t.clone(), column: nc.name.clone() }, &oc.comment, &nc.comment);
                }
            }
        }
        let dropped: Vec<&Column> = o.columns.iter().filter(|c| !matched_old.contains(&c.name.as_str())).collect();
        for oc in &dropped {
            self.push(Change::DropColumn { table: t.clone(), column: (*oc).clone() });
            if let Some(nc) = n.columns.iter().find(|nc| {
                nc.data_type == oc.data_type && o.column(&nc.name).is_none() && !self.renames.columns.contains_key(&(t.clone(), nc.name.clone()))
            }) {
                self.warnings.push(Warning {
                    message: format!(
                        "column {t}.{} is dropped and {} added with the same type: if it was renamed, add `-- schemashift:renamed-from {}` on the line before the column to keep its values",
                        oc.name,
                        nc.name,
                        crate::model::quote_ident(&oc.name)
                    ),
                    location: nc.location.clone(),
                });
            }
        }

        // Constraints are compared by definition under their name; a changed
        // one is dropped and added again, but one added NOT VALID that is
        // now valid is validated. One that only changed name (a
        // table rename leaves `old_pkey` behind) is renamed. Whether a table
        // declares a CHECK it also inherits (`local`) is no definition: it
        // follows from INHERIT and NO INHERIT, and nothing else changes it.
        let definition = |c: &Constraint| Constraint { name: String::new(), comment: None, local: true, ..c.clone() };
        let same = |a: &Constraint, b: &Constraint| {
            Constraint { comment: None, local: true, ..a.clone() } == Constraint { comment: None, local: true, ..b.clone() }
        };
        let mut renamed_constraints: Vec<&str> = Vec::new();
        let mut renamed_to: Vec<&str> = Vec::new();
        for (name, nc) in &n.constraints {
            if o.constraints.contains_key(name) {
                continue;
            }
            if let Some(oc) = o.constraints.values().find(|oc| {
                !n.constraints.contains_key(&oc.name) && !renamed_constraints.contains(&oc.name.as_str()) && definition(oc) == definition(nc)
            }) {
                renamed_constraints.push(&oc.name);
                renamed_to.push(name);
                self.push(Change::RenameConstraint { table: t.clone(), from: oc.name.clone(), to: name.clone() });
                self.comment(CommentTarget::Constraint { table: t.clone(), name: name.clone() }, &oc.comment, &nc.comment);
            }
        }
        for (name, nc) in &n.constraints {
            if renamed_to.contains(&name.as_str()) {
                continue;
            }
            match o.constraints.get(name) {
                Some(oc) if same(oc, nc) => {
                    self.comment(CommentTarget::Constraint { table: t.clone(), name: name.clone() }, &oc.comment, &nc.comment);
                }
                Some(oc) if oc.not_valid && !nc.not_valid && same(&Constraint { not_valid: false, ..oc.clone() }, nc) => {
                    self.push(Change::ValidateConstraint { table: t.clone(), constraint: nc.clone() });
                    self.comment(CommentTarget::Constraint { table: t.clone(), name: name.clone() }, &oc.comment, &nc.comment);
                }
                Some(oc) => {
                    self.push(Change::DropConstraint { table: t.clone(), constraint: oc.clone() });
                    self.push(Change::AddConstraint { table: t.clone(), constraint: nc.clone() });
                }
                None => self.push(Change::AddConstraint { table: t.clone(), constraint: nc.clone() }),
            }
        }
        for (name, oc) in &o.constraints {
            if !n.constraints.contains_key(name) && !renamed_constraints.contains(&name.as_str()) {
                self.push(Change::DropConstraint { table: t.clone(), constraint: oc.clone() });
            }
        }

        self.indexes(t, &o.indexes, &n.indexes);

        for (name, nt) in &n.triggers {
            let definition = |tr: &Trigger| Trigger { comment: None, enabled: Enabled::Origin, ..tr.clone() };
            match o.triggers.get(name) {
                Some(ot) if definition(ot) == definition(nt) => {
                    self.comment(CommentTarget::Trigger { table: t.clone(), name: name.clone() }, &ot.comment, &nt.comment);
                    if ot.enabled != nt.enabled {
                        self.push(Change::SetTriggerEnabled { table: t.clone(), trigger: name.clone(), from: ot.enabled, to: nt.enabled });
                    }
                }
                Some(ot) => {
                    self.push(Change::DropTrigger { table: t.clone(), trigger: ot.clone() });
                    self.push(Change::CreateTrigger { table: t.clone(), trigger: nt.clone() });
                }
                None => self.push(Change::CreateTrigger { table: t.clone(), trigger: nt.clone() }),
            }
        }
        for (name, ot) in &o.triggers {
            if !n.triggers.contains_key(name) {
                self.push(Change::DropTrigger { table: t.clone(), trigger: ot.clone() });
            }
        }

        if o.unlogged != n.unlogged {
            self.push(Change::SetLogged { table: t.clone(), unlogged: n.unlogged });
        }
        self.table_properties(o, n);
        if o.partition_of != n.partition_of {
            if let Some(p) = &o.partition_of {
                self.push(Change::DetachPartition { table: t.clone(), parent: p.parent.clone(), bound: p.bound.clone() });
            }
            if let Some(p) = &n.partition_of {
                self.push(Change::AttachPartition { table: t.clone(), parent: p.parent.clone(), bound: p.bound.clone() });
            }
        }
        if o.inherits != n.inherits {
            // PostgreSQL can only append a parent: the old parents that the new
            // list keeps in order stay, the others go, and the rest is added.
            let mut kept = Vec::new();
            let mut from = 0;
            for p in &n.inherits {
                match o.inherits[from..].iter().position(|x| x == p) {
                    Some(i) => {
                        kept.push(p);
                        from += i + 1;
                    }
                    None => break,
                }
            }
            for p in o.inherits.iter().filter(|p| !kept.contains(p)) {
                self.push(Change::NoInherit { table: t.clone(), parent: p.clone() });
            }
            for p in &n.inherits[kept.len()..] {
                self.push(Change::Inherit { table: t.clone(), parent: p.clone() });
            }
        }
        if o.partition_by != n.partition_by {
            let key = |k: &Option<String>| k.as_ref().map_or("not partitioned".to_string(), |k| format!("PARTITION BY {k}"));
            self.unplannable.push(Warning {
                message: format!(
                    "the partitioning of table {t} changes ({} → {}): {} cannot alter it, and schemashift does not move a table's rows into a new one",
                    key(&o.partition_by),
                    key(&n.partition_by),
                    self.dialect.product_name()
                ),
                location: n.location.clone(),
            });
        }
        self.comment(CommentTarget::Table { name: t.clone() }, &o.comment, &n.comment);
    }

    /// Storage parameters, replica identity, clustering, row-level security,
    /// policies and rules.
    fn table_properties(&mut self, o: &Table, n: &Table) {
        let t = &n.name;
        if o.with != n.with {
            self.push(Change::SetStorageParameters { table: t.clone(), from: o.with.clone(), to: n.with.clone() });
        }
        // An index built again (its definition changed) loses its part in
        // the replica identity and clustering: they are set again.
        let rebuilt = |name: &str| {
            self.changes.iter().any(|c| match c {
                Change::DropIndex { table, index } => table == t && index.name == name,
                Change::DropConstraint { table, constraint } => table == t && constraint.name == name,
                _ => false,
            })
        };
        let identity_rebuilt = matches!(&n.replica_identity, Some(ReplicaIdentity::Index(i)) if rebuilt(i));
        let cluster_rebuilt = n.cluster_on.as_deref().is_some_and(rebuilt);
        if o.replica_identity != n.replica_identity || identity_rebuilt {
            self.push(Change::SetReplicaIdentity { table: t.clone(), from: o.replica_identity.clone(), to: n.replica_identity.clone() });
        }
        if o.cluster_on != n.cluster_on || cluster_rebuilt {
            self.push(Change::SetClusterOn { table: t.clone(), from: o.cluster_on.clone(), to: n.cluster_on.clone() });
        }
        if o.row_level_security != n.row_level_security {
            self.push(Change::SetRowLevelSecurity { table: t.clone(), enabled: n.row_level_security });
        }
        if o.force_row_level_security != n.force_row_level_security {
            self.push(Change::SetForceRowLevelSecurity { table: t.clone(), force: n.force_row_level_security });
        }
        self.policies(t, &o.policies, &n.policies);
        self.rules(t, &o.rules, &n.rules);
    }

    fn policies(&mut self, t: &QName, old: &BTreeMap<String, Policy>, new: &BTreeMap<String, Policy>) {
        let target = |name: &str| CommentTarget::Policy { table: t.clone(), name: name.to_string() };
        for (name, np) in new {
            match old.get(name) {
                None => self.push(Change::CreatePolicy { table: t.clone(), policy: np.clone() }),
                Some(op) if Policy { comment: None, ..op.clone() } == Policy { comment: None, ..np.clone() } => {
                    self.comment(target(name), &op.comment, &np.comment);
                }
                Some(op) if alterable_policy(op, np) => {
                    self.push(Change::AlterPolicy { table: t.clone(), from: op.clone(), to: np.clone() });
                    self.comment(target(name), &op.comment, &np.comment);
                }
                Some(op) => {
                    self.push(Change::DropPolicy { table: t.clone(), policy: op.clone() });
                    self.push(Change::CreatePolicy { table: t.clone(), policy: np.clone() });
                }
            }
        }
        for (name, op) in old {
            if !new.contains_key(name) {
                self.push(Change::DropPolicy { table: t.clone(), policy: op.clone() });
            }
        }
    }

    /// Rules on a table or view: a changed rule is dropped and created
    /// again; only its comment and firing state change in place.
    fn rules(&mut self, t: &QName, old: &BTreeMap<String, Rule>, new: &BTreeMap<String, Rule>) {
        let definition = |r: &Rule| Rule { comment: None, enabled: Enabled::Origin, ..r.clone() };
        for (name, nr) in new {
            match old.get(name) {
                None => self.push(Change::CreateRule { table: t.clone(), rule: nr.clone() }),
                Some(or) if definition(or) == definition(nr) => {
                    self.comment(CommentTarget::Rule { relation: t.clone(), name: name.clone() }, &or.comment, &nr.comment);
                    if or.enabled != nr.enabled {
                        self.push(Change::SetRuleEnabled { table: t.clone(), rule: name.clone(), from: or.enabled, to: nr.enabled });
                    }
                }
                Some(or) => {
                    self.push(Change::DropRule { table: t.clone(), rule: or.clone() });
                    self.push(Change::CreateRule { table: t.clone(), rule: nr.clone() });
                }
            }
        }
        for (name, or) in old {
            if !new.contains_key(name) {
                self.push(Change::DropRule { table: t.clone(), rule: or.clone() });
            }
        }
    }

    /// Extended statistics: only the target changes in place (`ALTER
    /// STATISTICS … SET STATISTICS`); a changed definition is dropped and
    /// created again (a statistics object holds nothing ANALYZE cannot rebuild).
    fn statistics(&mut self, old: &Schema, new: &Schema) {
        let definition = |s: &Statistics| Statistics { comment: None, target: None, ..s.clone() };
        for (name, ns) in &new.statistics {
            let target = CommentTarget::Statistics { name: name.clone() };
            match old.statistics.get(name) {
                None => self.push(Change::CreateStatistics { statistics: ns.clone() }),
                Some(os) if definition(os) == definition(ns) => {
                    if os.target != ns.target {
                        self.push(Change::AlterStatistics { from: os.clone(), to: ns.clone() });
                    }
                    self.comment(target, &os.comment, &ns.comment);
                }
                Some(os) => {
                    self.push(Change::DropStatistics { statistics: os.clone() });
                    self.push(Change::CreateStatistics { statistics: ns.clone() });
                }
            }
        }
        for (name, os) in &old.statistics {
            if !new.statistics.contains_key(name) {
                self.push(Change::DropStatistics { statistics: os.clone() });
            }
        }
    }

    fn publications(&mut self, old: &Schema, new: &Schema) {
        for (name, np) in &new.publications {
            let target = CommentTarget::Publication { name: name.clone() };
            match old.publications.get(name) {
                None => self.push(Change::CreatePublication { publication: np.clone() }),
                Some(op) if Publication { comment: None, ..op.clone() } == Publication { comment: None, ..np.clone() } => {
                    self.comment(target, &op.comment, &np.comment);
                }
                // FOR ALL TABLES cannot be altered into a table list or back.
                Some(op) if op.all_tables != np.all_tables => {
                    self.push(Change::DropPublication { publication: op.clone() });
                    self.push(Change::CreatePublication { publication: np.clone() });
                }
                Some(op) => {
                    self.push(Change::AlterPublication { from: op.clone(), to: np.clone() });
                    self.comment(target, &op.comment, &np.comment);
                }
            }
        }
        for (name, op) in &old.publications {
            if !new.publications.contains_key(name) {
                self.push(Change::DropPublication { publication: op.clone() });
            }
        }
    }

    fn indexes(
        &mut self,
        t: &QName,
        old: &std::collections::BTreeMap<String, Index>,
        new: &std::collections::BTreeMap<String, Index>,
    ) {
        let mut renamed_away: Vec<&str> = Vec::new();
        let definition = |i: &Index| Index { name: String::new(), comment: None, ..i.clone() };
        for (name, ni) in new {
            // Same definition under another name: a rename, not a rebuild.
            let hinted = None
                .or_else(|| {
                    (!old.contains_key(name))
                        .then(|| {
                            old.values()
                                .find(|oi| !new.contains_key(&oi.name) && !renamed_away.contains(&oi.name.as_str()) && definition(oi) == definition(ni))
                                .map(|oi| &oi.name)
                        })
                        .flatten()
                });
            let oi = match hinted {
                Some(old_name) => {
                    renamed_away.push(old_name);
                    self.push(Change::RenameIndex { table: t.clone(), from: old_name.clone(), to: name.clone() });
                    old.get(old_name).map(|i| Index { name: name.clone(), ..i.clone() })
                }
                None => old.get(name).cloned(),
            };
            let index_ref = CommentTarget::Index { name: QName::new(t.schema.clone(), name.clone()) };
            match oi {
                Some(oi) if Index { comment: None, ..oi.clone() } == Index { comment: None, ..ni.clone() } => {
                    self.comment(index_ref, &oi.comment, &ni.comment);
                }
                Some(oi) => {
                    self.push(Change::DropIndex { table: t.clone(), index: oi });
                    self.push(Change::CreateIndex { table: t.clone(), index: ni.clone() });
                }
                None => self.push(Change::CreateIndex { table: t.clone(), index: ni.clone() }),
            }
        }
        for (name, oi) in old {
            if !new.contains_key(name) && !renamed_away.contains(&name.as_str()) {
                self.push(Change::DropIndex { table: t.clone(), index: oi.clone() });
            }
        }
    }

    fn views(&mut self, old: &Schema, new: &Schema) {
        // Declared renames are already applied to `old` (see `renames::apply`).
        for (name, n) in &new.views {
            let o = match old.views.get(name) {
                Some(o) if o == n => continue,
                Some(o) => o,
                None => {
                    self.push(Change::CreateView { view: n.clone() });
                    continue;
                }
            };
            let same = |v: &View| View {
                comment: None,
                with_no_data: false,
                indexes: Default::default(),
                triggers: Default::default(),
                rules: Default::default(),
                name: name.clone(),
                ..v.clone()
            };
            if same(o) != same(n) {
                if replaceable(old, o, new, n) {
                    self.push(Change::ReplaceView { from: View { name: name.clone(), ..o.clone() }, to: n.clone() });
                } else {
                    self.push(Change::DropView { view: View { name: name.clone(), ..o.clone() } });
                    self.push(Change::CreateView { view: n.clone() });
                    continue;
                }
            }
            // Indexes of a materialized view and triggers of a view.
            self.indexes(name, &o.indexes, &n.indexes);
            for (tn, nt) in &n.triggers {
                match o.triggers.get(tn) {
                    Some(ot) if ot == nt => {}
                    Some(ot) => {
                        self.push(Change::DropTrigger { table: name.clone(), trigger: ot.clone() });
                        self.push(Change::CreateTrigger { table: name.clone(), trigger: nt.clone() });
                    }
                    None => self.push(Change::CreateTrigger { table: name.clone(), trigger: nt.clone() }),
                }
            }
            for (tn, ot) in &o.triggers {
                if !n.triggers.contains_key(tn) {
                    self.push(Change::DropTrigger { table: name.clone(), trigger: ot.clone() });
                }
            }
            self.rules(name, &o.rules, &n.rules);
            self.comment(CommentTarget::View { name: name.clone(), materialized: n.materialized }, &o.comment, &n.comment);
        }
        for (name, o) in &old.views {
            if !new.views.contains_key(name) {
                self.push(Change::DropView { view: o.clone() });
            }
        }
    }

    fn functions(&mut self, old: &Schema, new: &Schema) {
        for (key, n) in &new.functions {
            match old.functions.get(key) {
                Some(o) if o == n => {}
                None => self.push(Change::CreateFunction { function: n.clone() }),
                Some(o) => {
                    if (Function { comment: None, ..o.clone() }) != (Function { comment: None, ..n.clone() }) {
                        self.push(Change::ReplaceFunction { from: o.clone(), to: n.clone() });
                    }
                    self.comment(CommentTarget::Routine { signature: key.clone(), procedure: n.procedure }, &o.comment, &n.comment);
                }
            }
        }
        for (key, o) in &old.functions {
            if !new.functions.contains_key(key) {
                self.push(Change::DropFunction { function: o.clone() });
            }
        }
    }

    fn opaque(&mut self, old: &Schema, new: &Schema) {
        for n in &new.opaque {
            if !old.opaque.iter().any(|o| o.kind == n.kind && o.text == n.text) {
                self.push(Change::AddOpaque { statement: n.clone() });
            }
        }
        for o in &old.opaque {
            if !new.opaque.iter().any(|n| o.kind == n.kind && o.text == n.text) {
                self.push(Change::DropOpaque { statement: o.clone() });
            }
        }
    }
}

/// A domain's definition without the comments on its checks (those change by COMMENT ON).
fn without_check_comments(kind: &UserTypeKind) -> UserTypeKind {
    match kind {
        UserTypeKind::Domain { .. } => {
            let mut k = kind.clone();
            if let UserTypeKind::Domain { check_comments, .. } = &mut k {
                check_comments.clear();
            }
            k
        }
        other => other.clone(),
    }
}

/// `ALTER POLICY` changes the roles and the expressions, but cannot make a
/// policy restrictive or permissive, change its command, or take an
/// expression away.
fn alterable_policy(from: &Policy, to: &Policy) -> bool {
    from.restrictive == to.restrictive
        && from.command == to.command
        && (to.using.is_some() || from.using.is_none())
        && (to.with_check.is_some() || from.with_check.is_none())
}

/// Whether `to` keeps every label of `from` in the same order (labels only added).
fn is_subsequence(from: &[String], to: &[String]) -> bool {
    let mut it = to.iter();
    from.iter().all(|f| it.any(|t| t == f))
}

/// `CREATE OR REPLACE VIEW` keeps the existing columns: the new query must
/// produce the same leading columns, with the same names and types (new
/// ones may only be appended), and the kind must match. The columns come
/// from analyzing both queries; when either cannot be analyzed the view is
/// dropped and created instead, which PostgreSQL always accepts.
fn replaceable(old: &Schema, o: &View, new: &Schema, n: &View) -> bool {
    use crate::dialect::view_output_columns;
    if o.materialized || n.materialized || o.columns != n.columns || !n.columns.is_empty() {
        return false;
    }
    match (view_output_columns(old, &o.name), view_output_columns(new, &n.name)) {
        (Some(a), Some(b)) => b.len() >= a.len() && b[..a.len()] == a[..],
        _ => false,
    }
}

/// Whether a replaced type is altered in place rather than created again: a
/// composite type no column uses, whose kept attributes stay in order with
/// new ones appended (`ALTER TYPE … ADD/DROP/ALTER ATTRIBUTE`). Any other
/// replaced type (a domain's new base type, a composite in use) is created
/// again, and loses what hangs on it, such as its comments.
pub fn alters_in_place(from: &UserType, to: &UserType, new: &Schema) -> bool {
    let (UserTypeKind::Composite { attributes: a }, UserTypeKind::Composite { attributes: b }) = (&from.kind, &to.kind) else {
        return false;
    };
    let used = columns_use_type(new, &to.name);
    let kept_a: Vec<&String> = a.iter().map(|x| &x.name).filter(|n| b.iter().any(|y| y.name == **n)).collect();
    let kept_b: Vec<&String> = b.iter().map(|y| &y.name).filter(|n| a.iter().any(|x| x.name == **n)).collect();
    let appended_only = b.iter().skip_while(|y| a.iter().any(|x| x.name == y.name)).all(|y| !a.iter().any(|x| x.name == y.name));
    !used && kept_a == kept_b && appended_only
}

/// Whether a column of some table of `schema` has the type `name` (or an
/// array of it): PostgreSQL then refuses to alter or drop the type in place.
pub fn columns_use_type(schema: &Schema, name: &QName) -> bool {
    let name = name.to_string();
    schema.tables.values().any(|t| t.columns.iter().any(|c| c.data_type.name == name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dialect;

    fn model(sql: &str) -> Schema {
        let file = crate::source::SourceFile { path: "schema.sql".into(), bytes: sql.as_bytes().to_vec(), blob_id: None };
        crate::read::read_schema(&[file], Dialect::Postgres).expect("reads").0
    }

    /// The kinds and objects of the changes from `old` to `new`.
    fn changes(old: &str, new: &str) -> Vec<String> {
        let (old, new) = (model(old), model(new));
        let kind = |c: &Change| serde_json::to_value(c).expect("serializes")["kind"].as_str().expect("a kind").to_string();
        diff(&old, &new, &Renames::default()).changes.iter().map(|c| format!("{} {}", kind(c), c.object())).collect()
    }

    const OLD: &str = "CREATE TABLE u (id int PRIMARY KEY);
        CREATE TABLE t (id int PRIMARY KEY, u_id int, n int);
        ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID;
        ALTER TABLE t ADD CONSTRAINT n_positive CHECK (n > 0) NOT VALID;";

    #[test]
    fn the_backup_schema_is_never_compared() {
        let backups = "CREATE SCHEMA schemashift_backup;
            CREATE TABLE schemashift_backup.public__t__x (id int PRIMARY KEY, x text);
            CREATE SEQUENCE schemashift_backup.s;";
        let with = format!("{OLD}\n{backups}");
        for (old, new) in [(with.as_str(), OLD), (OLD, with.as_str()), (with.as_str(), with.as_str())] {
            assert_eq!(changes(old, new), Vec::<String>::new());
        }
        // Other changes are found as ever, and the renamed model has no copies.
        let new = OLD.replace("n int", "n bigint");
        assert_eq!(changes(&with, &new), ["alter_column public.t.n"]);
        let (old, new) = (model(&with), model(&new));
        assert!(!diff(&old, &new, &Renames::default()).renamed_old.has_backups());
    }

    #[test]
    fn a_not_valid_constraint_validated_is_validated_not_replaced() {
        let new = format!("{OLD}\nALTER TABLE t VALIDATE CONSTRAINT t_u_fk;\nALTER TABLE t VALIDATE CONSTRAINT n_positive;");
        assert_eq!(changes(OLD, &new), ["validate_constraint public.t.n_positive", "validate_constraint public.t.t_u_fk"]);
        // A comment set at the same time is a comment change beside it.
        let commented = format!("{new}\nCOMMENT ON CONSTRAINT n_positive ON t IS 'no zero';");
        assert_eq!(changes(OLD, &commented)[..2], ["validate_constraint public.t.n_positive", "set_comment constraint n_positive on public.t"]);
    }

    #[test]
    fn other_constraint_changes_are_still_a_drop_and_an_add() {
        // Back to NOT VALID: nothing un-validates a constraint.
        let new = format!("{OLD}\nALTER TABLE t VALIDATE CONSTRAINT n_positive;");
        assert_eq!(changes(&new, OLD), ["drop_constraint public.t.n_positive", "add_constraint public.t.n_positive"]);
        // Validated and changed: the new definition is added, checked.
        let changed = OLD.replace("CHECK (n > 0) NOT VALID", "CHECK (n >= 0)");
        assert_eq!(changes(OLD, &changed), ["drop_constraint public.t.n_positive", "add_constraint public.t.n_positive"]);
    }
}
