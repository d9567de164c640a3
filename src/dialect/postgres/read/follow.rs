//! Views follow what they read when it is renamed.
//!
//! PostgreSQL stores a view's query with its tables and columns by
//! identity: after `ALTER TABLE t RENAME COLUMN a TO b` the view still reads
//! the same column and prints it as `t.b AS a` (its own column keeps its
//! name). The reader re-prints every view that reads a renamed relation or
//! column the same way, before the rename is applied to the model.

use super::PgReader;
use super::canon::{Dependencies, Renames};
use crate::model::{QName, Table};

/// Re-prints the views that read what `renames` renames. `detached` is a
/// table the caller holds outside the model while altering it: it is seen
/// as it is now.
pub fn views_after_renames(r: &mut PgReader, detached: Option<&Table>, renames: &Renames) {
    if r.schema.views.is_empty() {
        return;
    }
    let names: Vec<&str> = renames
        .relations
        .keys()
        .map(|q| q.name.as_str())
        .chain(renames.columns.keys().map(|(q, _)| q.name.as_str()))
        .collect();
    // Only views whose text names a renamed relation can read it.
    let candidates: Vec<QName> = r
        .schema
        .views
        .values()
        .filter(|v| {
            let idents = crate::dialect::postgres::identifiers::identifiers(&v.query);
            names.iter().any(|n| idents.contains(*n))
        })
        .map(|v| v.name.clone())
        .collect();
    if candidates.is_empty() {
        return;
    }
    let put_back = detached.filter(|t| !r.schema.tables.contains_key(&t.name)).map(|t| t.name.clone());
    if let (Some(name), Some(t)) = (&put_back, detached) {
        r.schema.tables.insert(name.clone(), t.clone());
    }
    let updates: Vec<(QName, String)> = {
        let deps = Dependencies::new(&r.schema);
        candidates
            .iter()
            .filter_map(|name| {
                let v = &r.schema.views[name];
                let text = deps.renamed_view_query(v, renames)?;
                (text != v.query).then(|| (name.clone(), text))
            })
            .collect()
    };
    if let Some(name) = put_back {
        r.schema.tables.remove(&name);
    }
    for (name, text) in updates {
        if let Some(v) = r.schema.views.get_mut(&name) {
            v.query = text;
        }
    }
}

/// One column of a relation renamed.
pub fn column(relation: &QName, old: &str, new: &str) -> Renames {
    let mut r = Renames::default();
    r.columns.insert((relation.clone(), old.to_string()), new.to_string());
    r
}

/// One relation renamed (or moved to another schema).
pub fn relation(old: &QName, new: &QName) -> Renames {
    let mut r = Renames::default();
    r.relations.insert(old.clone(), new.clone());
    r
}
