//! SS5xx: index builds and drops, and table operations that hold a heavy
//! lock for as long as the table is large.

use crate::lint::Rule;

pub static RULES: &[&Rule] = &[];
