//! Emitters: they format a model or a plan, and decide nothing: the
//! canonical model JSON (`json`), the diff report (`report`), the linter's
//! reports (`lint`) and the pull request comment (`pr_comment`). The
//! migration files of each framework are written by `crate::generate`, the
//! SQL by the dialect's renderer.
pub mod json;
pub mod lint;
pub mod pr_comment;
pub mod report;
