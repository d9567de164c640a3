//! Catalog normalization shared by the tests that compare a database built by
//! schemashift's output with one built from a hand-written script.

use super::catalog::Catalog;

/// The catalog without what the model deliberately does not carry, so that
/// the comparison is about everything else:
/// - an extension's comment (the model leaves it to the extension; pg_dump
///   repeats the default, so it cannot tell a user's comment from it);
/// - how a number constant default is spelled: PostgreSQL prints the same
///   value `0`, `(0)::numeric` or `'0'::numeric` depending on how it was written.
pub fn comparable(c: &Catalog) -> Catalog {
    let mut c = c.clone();
    for (key, fields) in c.objects.iter_mut() {
        if key.kind == "extension" {
            fields.remove("comment");
        }
        if let Some(d) = fields.get_mut("default") {
            *d = number_constant(d).unwrap_or_else(|| d.clone());
        }
    }
    c
}

/// `0`, `(0)::numeric`, `'0'::numeric`, `'-1'::integer` → the number.
pub fn number_constant(text: &str) -> Option<String> {
    let (value, cast) = text.rsplit_once("::").unwrap_or((text, ""));
    let numeric_cast = ["", "numeric", "integer", "bigint", "smallint", "real", "double precision"].contains(&cast);
    let value = value.trim_start_matches('(').trim_end_matches(')').trim_matches('\'');
    (numeric_cast && value.parse::<f64>().is_ok()).then(|| value.to_string())
}
