//! SS1xx: objects dropped. What uses a dropped object breaks, and what it
//! held is gone unless it was copied first.

mod drop_column;
mod drop_table;

use crate::lint::Rule;

pub static RULES: &[&Rule] = &[&drop_table::RULE, &drop_column::RULE];
