//! SS2xx: objects renamed or moved to another schema. Code that uses the
//! old name breaks the moment the statement commits.

use crate::lint::Rule;

pub static RULES: &[&Rule] = &[];
