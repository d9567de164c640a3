//! Readers: replay statements onto a model.
