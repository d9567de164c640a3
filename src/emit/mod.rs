//! Emitters: they format a model or a plan, and decide nothing: the
//! canonical model JSON (`json`) and the diff report (`report`). The
//! migration files of each framework are written by `crate::generate`, the
//! SQL by the dialect's renderer.
pub mod json;
pub mod lint;
pub mod report;
