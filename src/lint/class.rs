//! How much a change can hurt the application that runs against the
//! database: the four classes every change and every finding carries, and
//! the one level a whole migration gets from them.

use crate::diff::Change;
use crate::model::{ConstraintKind, UserTypeKind};
use serde::Serialize;

/// A change's or a finding's class, from harmless up. The order matters:
/// the worst class of a migration decides its level and `lint`'s exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Something new that nothing uses yet: a table, a nullable column.
    Additive,
    /// Changes how the database works, not what the application sees: an
    /// index, a comment, a storage parameter.
    NonBreaking,
    /// May break the application or the migration, depending on the data
    /// or the code: NOT NULL or UNIQUE added, a type changed.
    PotentiallyBreaking,
    /// Breaks what uses the object: a table or column dropped or renamed.
    Breaking,
}

impl Class {
    pub const ALL: [Class; 4] = [Class::Additive, Class::NonBreaking, Class::PotentiallyBreaking, Class::Breaking];

    /// The name used in reports and configuration (`potentially_breaking`).
    pub fn name(self) -> &'static str {
        match self {
            Class::Additive => "additive",
            Class::NonBreaking => "non_breaking",
            Class::PotentiallyBreaking => "potentially_breaking",
            Class::Breaking => "breaking",
        }
    }

    /// Parses a name as written in `schemashift.toml` or `--fail-on`
    /// (`potentially_breaking` or `potentially-breaking`).
    pub fn parse(text: &str) -> Option<Class> {
        let text = text.trim().replace('-', "_").to_ascii_lowercase();
        Class::ALL.into_iter().find(|c| c.name() == text)
    }
}

/// The level of a whole migration: its worst class, in words that say what
/// a deploy may rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Only additions: old and new application both work, before and after.
    FullyCompatible,
    /// Nothing the application sees changes in a way that can break it.
    BackwardCompatible,
    /// Something may break, depending on the data or the code.
    PotentiallyIncompatible,
    /// Something breaks what uses it.
    BreakingChanges,
}

impl Level {
    pub fn of(worst: Option<Class>) -> Level {
        match worst {
            None | Some(Class::Additive) => Level::FullyCompatible,
            Some(Class::NonBreaking) => Level::BackwardCompatible,
            Some(Class::PotentiallyBreaking) => Level::PotentiallyIncompatible,
            Some(Class::Breaking) => Level::BreakingChanges,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Level::FullyCompatible => "fully_compatible",
            Level::BackwardCompatible => "backward_compatible",
            Level::PotentiallyIncompatible => "potentially_incompatible",
            Level::BreakingChanges => "breaking_changes",
        }
    }
}

/// The class of one change by its kind alone, before any rule looks at the
/// data or the locks: what it does to the application's view of the schema.
/// `existed` says whether the table the change is on was there before (a
/// constraint on a table created in the same migration restricts no row).
pub fn classify(change: &Change, dialect: crate::model::Dialect, existed: impl Fn(&crate::model::QName) -> bool) -> Class {
    use Change::*;
    use Class::*;
    match change {
        CreateSchema { .. }
        | CreateExtension { .. }
        | CreateType { .. }
        | CreateSequence { .. }
        | CreateTable { .. }
        | CreateView { .. }
        | CreateFunction { .. }
        | CreateStatistics { .. }
        | CreatePublication { .. }
        | AddEnumValues { .. } => Additive,
        // Old code that inserts without naming the column still works when
        // the column may be NULL or has a default (or is computed).
        AddColumn { table, column } => {
            let filled = column.nullable || column.default.is_some() || column.identity.is_some() || column.generated.is_some();
            if filled || !existed(table) { Additive } else { Breaking }
        }
        DropSchema { .. }
        | DropExtension { .. }
        | DropType { .. }
        | DropSequence { .. }
        | DropTable { .. }
        | DropColumn { .. }
        | DropView { .. }
        | DropFunction { .. }
        | RenameTable { .. }
        | RenameColumn { .. }
        | RenameView { .. } => Breaking,
        RebuildEnum { from, to } => match (&from.kind, &to.kind) {
            (UserTypeKind::Enum { values: old }, UserTypeKind::Enum { values: new }) if old.iter().all(|v| new.contains(v)) => {
                PotentiallyBreaking
            }
            _ => Breaking,
        },
        AlterColumn { table, from, to } => {
            if !existed(table) {
                return NonBreaking;
            }
            let mut class = NonBreaking;
            // A wider type (varchar(50) → varchar(200), varchar → text)
            // keeps every value and every reader working.
            let retyped = from.data_type != to.data_type && !crate::dialect::binary_coercible(dialect, &from.data_type, &to.data_type);
            if retyped || from.nullable && !to.nullable || from.identity.is_some() != to.identity.is_some() || from.generated != to.generated {
                class = PotentiallyBreaking;
            }
            // Readers that relied on a value being present now get NULLs.
            if !from.nullable && to.nullable {
                class = class.max(PotentiallyBreaking);
            }
            class
        }
        AddConstraint { table, constraint } => match constraint.kind {
            _ if !existed(table) => NonBreaking,
            ConstraintKind::PrimaryKey { .. }
            | ConstraintKind::Unique { .. }
            | ConstraintKind::ForeignKey { .. }
            | ConstraintKind::Check { .. }
            | ConstraintKind::Exclude { .. } => PotentiallyBreaking,
        },
        CreateIndex { table, index } => {
            if index.unique && existed(table) { PotentiallyBreaking } else { NonBreaking }
        }
        // New writes already had to satisfy it; the rows from before it was
        // added were never checked, and one that breaks it makes the
        // validation (and the migration) fail.
        ValidateConstraint { .. } => PotentiallyBreaking,
        DropConstraint { .. } | DropIndex { .. } | DropStatistics { .. } => NonBreaking,
        DropTrigger { .. } | DropPolicy { .. } | DropRule { .. } | DropPublication { .. } | DropOpaque { .. } => PotentiallyBreaking,
        AlterDomain { .. } | ReplaceType { .. } | ReplaceView { .. } | ReplaceFunction { .. } => PotentiallyBreaking,
        SetRowLevelSecurity { .. } | SetForceRowLevelSecurity { .. } | AlterPolicy { .. } | CreatePolicy { .. } => PotentiallyBreaking,
        CreateTrigger { .. } | SetTriggerEnabled { .. } | CreateRule { .. } | SetRuleEnabled { .. } => PotentiallyBreaking,
        AttachPartition { .. } | DetachPartition { .. } | Inherit { .. } | NoInherit { .. } => PotentiallyBreaking,
        RenameIndex { .. }
        | RenameConstraint { .. }
        | RenameSequence { .. }
        | AlterSequence { .. }
        | AlterExtension { .. }
        | AlterStatistics { .. }
        | AlterPublication { .. }
        | SetLogged { .. }
        | SetStorageParameters { .. }
        | SetReplicaIdentity { .. }
        | SetClusterOn { .. }
        | SetComment { .. }
        | AddOpaque { .. } => NonBreaking,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_order_from_harmless_to_breaking_and_parse_both_spellings() {
        assert!(Class::Additive < Class::NonBreaking && Class::NonBreaking < Class::PotentiallyBreaking);
        assert!(Class::PotentiallyBreaking < Class::Breaking);
        assert_eq!(Class::parse("potentially-breaking"), Some(Class::PotentiallyBreaking));
        assert_eq!(Class::parse("Breaking"), Some(Class::Breaking));
        assert_eq!(Class::parse("fatal"), None);
    }

    #[test]
    fn validating_a_constraint_may_break_on_the_rows_from_before() {
        use crate::model::{Constraint, Expr, QName};
        let constraint = Constraint {
            name: "n_positive".into(),
            kind: ConstraintKind::Check { expr: Expr("n > 0".into()), no_inherit: false },
            deferrable: false,
            initially_deferred: false,
            not_valid: false,
            local: true,
            comment: None,
            location: Default::default(),
        };
        let change = Change::ValidateConstraint { table: QName::new("public", "t"), constraint };
        assert_eq!(classify(&change, crate::model::Dialect::Postgres, |_| true), Class::PotentiallyBreaking);
    }

    #[test]
    fn a_migration_is_as_compatible_as_its_worst_change() {
        assert_eq!(Level::of(None), Level::FullyCompatible);
        assert_eq!(Level::of(Some(Class::Additive)), Level::FullyCompatible);
        assert_eq!(Level::of(Some(Class::NonBreaking)), Level::BackwardCompatible);
        assert_eq!(Level::of(Some(Class::PotentiallyBreaking)), Level::PotentiallyIncompatible);
        assert_eq!(Level::of(Some(Class::Breaking)), Level::BreakingChanges);
    }
}
