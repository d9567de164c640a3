//! Small helpers the rules share.

use crate::diff::Change;
use crate::lint::{Context, Hit};

/// One hit per change `pick` accepts: `pick` returns the object and the
/// message, the location is the change's own.
pub fn per_change(ctx: &Context, pick: impl Fn(&Change) -> Option<(String, String)>) -> Vec<Hit> {
    ctx.changes().filter_map(|c| pick(c).map(|(object, message)| Hit::new(object, message, ctx.at(c)))).collect()
}
