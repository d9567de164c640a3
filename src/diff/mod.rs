//! The differ: model × model → typed changes. Pure and dialect-free.
