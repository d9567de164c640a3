//! Where an object was defined.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

/// A position in a source file: 1-based line and column.
///
/// Locations are for messages only. Two objects defined in different places
/// are still the same object, so `PartialEq` deliberately treats every pair
/// of locations as equal (sqlparser does the same with its spans).
#[derive(Debug, Clone, Default, Eq)]
pub struct Location {
    /// Shared: a large schema has millions of objects from a few files.
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
}

/// The one shared copy of a file name (per thread; the last few names are
/// kept, which is all a reader going through files in order needs).
fn shared_name(file: &str) -> Arc<str> {
    thread_local! {
        static RECENT: RefCell<Vec<Arc<str>>> = const { RefCell::new(Vec::new()) };
    }
    RECENT.with(|recent| {
        let mut recent = recent.borrow_mut();
        if let Some(found) = recent.iter().find(|f| &***f == file) {
            return found.clone();
        }
        let name: Arc<str> = Arc::from(file);
        if recent.len() >= 8 {
            recent.remove(0);
        }
        recent.push(name.clone());
        name
    })
}

impl PartialEq for Location {
    fn eq(&self, _other: &Location) -> bool {
        true
    }
}

impl Location {
    pub fn new(file: impl AsRef<str>, line: u32, column: u32) -> Location {
        Location { file: shared_name(file.as_ref()), line, column }
    }
    pub fn is_unknown(&self) -> bool {
        self.file.is_empty() && self.line == 0
    }
    /// Field-by-field comparison, for tests that do care where something came from.
    pub fn same_place(&self, other: &Location) -> bool {
        self.file == other.file && self.line == other.line && self.column == other.column
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl Serialize for Location {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Location {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Location, D::Error> {
        let text = String::deserialize(d)?;
        // The file name may itself contain ':'; line and column are the last two fields.
        let mut parts = text.rsplitn(3, ':');
        let column = parts.next().and_then(|c| c.parse().ok());
        let line = parts.next().and_then(|l| l.parse().ok());
        let file = parts.next();
        match (file, line, column) {
            (Some(file), Some(line), Some(column)) => Ok(Location::new(file, line, column)),
            _ => Err(serde::de::Error::custom(format!("expected \"file:line:column\", found {text:?}"))),
        }
    }
}
