//! Emitters: they format a model or a plan, and decide nothing.
pub mod json;

