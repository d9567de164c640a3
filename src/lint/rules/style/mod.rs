//! SS8xx: opt-in conventions over the whole new schema (not only what the
//! change touches): keys, index support, types, name lengths and patterns.

use crate::lint::Rule;

pub static RULES: &[&Rule] = &[];
