//! SS7xx: rollback safety: whether the down migration gives the old state
//! back, data included, and whether it still runs once the new code has
//! written data.

use crate::lint::Rule;

pub static RULES: &[&Rule] = &[];
