//! SS6xx: row-level security and its policies: who may see which rows.

use crate::lint::Rule;

pub static RULES: &[&Rule] = &[];
