//! SS3xx: column types, defaults, identity and generated columns: what
//! rewrites a table, what fails on existing rows, what narrows.

use crate::lint::Rule;

pub static RULES: &[&Rule] = &[];
