//! A finding: one rule's verdict on one object, where it is, and what to do.

use super::class::Class;
use crate::model::Location;
use serde::Serialize;

/// Which side of the change a location is in: the new schema, or the old
/// one for what the change removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Revision {
    Old,
    New,
}

/// A place in one side's schema files.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub revision: Revision,
    pub location: Location,
}

/// `{"revision": "new", "file": …, "line": …, "column": …}`: machines want
/// the parts, not `file:line:column`.
impl Serialize for Located {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Located", 4)?;
        st.serialize_field("revision", &self.revision)?;
        st.serialize_field("file", &*self.location.file)?;
        st.serialize_field("line", &self.location.line)?;
        st.serialize_field("column", &self.location.column)?;
        st.end()
    }
}

impl Located {
    pub fn old(location: &Location) -> Option<Located> {
        (!location.is_unknown()).then(|| Located { revision: Revision::Old, location: location.clone() })
    }
    pub fn new(location: &Location) -> Option<Located> {
        (!location.is_unknown()).then(|| Located { revision: Revision::New, location: location.clone() })
    }
}

/// A query to run before the migration, and what it must return for the
/// step to succeed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preflight {
    pub sql: String,
    /// `no rows`, or `succeeds` for a query that fails where the step would.
    pub expect: &'static str,
}

impl Preflight {
    /// A query that lists the offending rows: it must return none.
    pub fn no_rows(sql: impl Into<String>) -> Preflight {
        Preflight { sql: sql.into(), expect: "no rows" }
    }
    /// A query that fails exactly where the step would: it must succeed.
    pub fn succeeds(sql: impl Into<String>) -> Preflight {
        Preflight { sql: sql.into(), expect: "succeeds" }
    }
}

/// One finding, as every report prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub rule: &'static str,
    pub class: Class,
    pub object: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Located>,
    /// The safe alternative: the hit's own, else the rule's.
    pub help: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preflight: Option<Preflight>,
}
