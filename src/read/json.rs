//! stub
pub fn read_json(_p: &str, _t: &str) -> crate::Result<crate::model::Schema> { Err(crate::Error::internal("not yet")) }
