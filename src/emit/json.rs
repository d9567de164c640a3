pub fn to_canonical_json(s: &crate::model::Schema) -> String { serde_json::to_string_pretty(s).unwrap() }
