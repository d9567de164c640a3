pub fn render_schema(_s: &crate::model::Schema) -> String { String::new() }
