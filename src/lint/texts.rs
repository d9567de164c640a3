//! The schema files' text of both revisions: for suppression comments, and
//! for reports that quote the line a finding points at.

use super::Revision;
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct Texts {
    files: BTreeMap<(Revision, String), String>,
}

impl Texts {
    pub fn new(old: &crate::source::FileSet, new: &crate::source::FileSet) -> Texts {
        let mut texts = Texts::default();
        for (revision, set) in [(Revision::Old, old), (Revision::New, new)] {
            for f in &set.files {
                texts.insert(revision, &f.path, String::from_utf8_lossy(&f.bytes).into_owned());
            }
        }
        texts
    }
    pub fn insert(&mut self, revision: Revision, path: &str, text: String) {
        self.files.insert((revision, path.to_string()), text);
    }
    /// Every file: revision, path, text.
    pub fn iter(&self) -> impl Iterator<Item = (Revision, &str, &str)> {
        self.files.iter().map(|((r, p), t)| (*r, p.as_str(), t.as_str()))
    }
    pub fn get(&self, revision: Revision, path: &str) -> Option<&str> {
        self.files.get(&(revision, path.to_string())).map(String::as_str)
    }
}
