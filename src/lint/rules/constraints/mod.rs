//! SS4xx: NOT NULL, keys, foreign keys, checks: what existing rows may
//! violate, and what validates under a lock that blocks writes.

use crate::lint::Rule;

pub static RULES: &[&Rule] = &[];
