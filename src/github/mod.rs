//! GitHub: what the GitHub Action (`action.yml`) needs beyond `lint`.
//!
//! - [`context`]: the repository, pull request and token, from the
//!   variables GitHub Actions sets;
//! - [`client`]: the REST API over HTTPS (ureq), with retries and errors
//!   that say what to fix, the token never printed;
//! - [`comment`]: the one sticky comment per pull request, found by its
//!   marker and edited in place;
//! - [`outputs`]: a lint report as step outputs.
//!
//! The comment's body is `lint --format pr-comment`
//! ([`crate::emit::pr_comment`]); this module only posts what it is given.

pub mod client;
pub mod comment;
pub mod context;
pub mod outputs;
