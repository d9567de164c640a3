//! Readers: replay statements onto a model.

pub mod postgres;
