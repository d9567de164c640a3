//! The rule registry. Each family is a folder with one file per rule and a
//! `RULES` list; codes are stable and grouped by family:
//!
//! | codes | family |
//! |---|---|
//! | SS0xx | `meta`: about schemashift's own directives |
//! | SS1xx | `drops`: objects dropped |
//! | SS2xx | `renames`: objects renamed or moved |
//! | SS3xx | `columns`: column types, defaults, identity, generated columns |
//! | SS4xx | `constraints`: NOT NULL, keys, foreign keys, checks |
//! | SS5xx | `indexes`: index builds and lock-heavy table operations |
//! | SS6xx | `security`: row-level security and policies |
//! | SS7xx | `rollback`: whether the down migration gives the old state back |
//! | SS8xx | `style`: opt-in conventions over the whole schema |
//!
//! A new rule: a file in its family's folder, added to that family's
//! `RULES`, with examples on which it fires and on which it does not;
//! `tests/it/lint_rules.rs` runs every example, and `docs/rules.md` is
//! generated from the registry (`schemashift rules --format markdown`).

mod columns;
mod constraints;
mod drops;
mod indexes;
pub mod meta;
mod renames;
mod rollback;
mod security;
mod style;
pub(crate) mod support;

use super::rule::Rule;

/// Every rule, in code order.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    let mut rules: Vec<&'static Rule> = [
        meta::RULES,
        drops::RULES,
        renames::RULES,
        columns::RULES,
        constraints::RULES,
        indexes::RULES,
        security::RULES,
        rollback::RULES,
        style::RULES,
    ].into_iter().flatten().copied().collect();
    rules.sort_by_key(|r| r.code);
    rules.into_iter()
}

/// The rule with this name or code.
pub fn find(name_or_code: &str) -> Option<&'static Rule> {
    all().find(|r| r.name == name_or_code || r.code.eq_ignore_ascii_case(name_or_code))
}

/// Whether the rule judges schemashift's own down migration (the rollback
/// family): not when linting hand-written files, whose down it does not plan,
/// and not for the migration's level, which is about going forward.
pub fn judges_the_down(rule: &Rule) -> bool {
    rollback::RULES.iter().any(|r| std::ptr::eq(*r, rule))
}
