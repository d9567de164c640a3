//! SS0xx: findings about schemashift's own directives in the schema files.

mod unknown_rule;

use crate::lint::Rule;

pub use unknown_rule::RULE as UNKNOWN_RULE;
pub static UNKNOWN_RULE_REF: &Rule = &unknown_rule::RULE;

pub static RULES: &[&Rule] = &[&unknown_rule::RULE];
