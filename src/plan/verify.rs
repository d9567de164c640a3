//! Self-verification: a planned migration is replayed with the reader onto
//! the schema it starts from, and must give the schema it aims at — the up
//! script onto the old model gives the new one, the down script onto the new
//! gives the old. A mismatch is a bug in schemashift (exit 70) and names the
//! object, rather than a wrong migration reaching the user.

use super::Plan;
use crate::error::{Error, Result};
use crate::model::Schema;
use serde_json::Value;

/// One direction after the other: each replay works on a copy of a model,
/// and two at once would double the memory of a large schema's run.
pub fn verify(old: &Schema, new: &Schema, plan: &Plan) -> Result<()> {
    check("up", old, new, &plan.up_sql())?;
    check("down", new, old, &plan.down_sql())
}

fn check(direction: &str, from: &Schema, to: &Schema, sql: &str) -> Result<()> {
    let replayed = crate::read::postgres::replay(from.clone(), &format!("<{direction} migration>"), sql).map_err(|e| {
        Error::internal(format!("the planned {direction} migration does not replay: {e}"))
            .help("this is a bug in schemashift; please report it with the two schemas")
    })?;
    if same(&replayed, to) {
        return Ok(());
    }
    let a = serde_json::to_value(comparable(&replayed)).expect("model serializes");
    let b = serde_json::to_value(comparable(to)).expect("model serializes");
    let mut differences = Vec::new();
    json_diff("", &a, &b, &mut differences);
    let shown: Vec<&String> = differences.iter().take(5).collect();
    Err(Error::internal(format!(
        "the planned {direction} migration does not produce the target schema: {}",
        shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ")
    ))
    .help("this is a bug in schemashift; no migration was written. Please report it with the two schemas"))
}

/// Whether two models are equal but for what [`comparable`] leaves out,
/// compared in place: the models can be large, and copying them to compare
/// would double the memory a run needs.
fn same(a: &Schema, b: &Schema) -> bool {
    fn privileges(s: &Schema) -> Vec<&crate::model::Opaque> {
        s.opaque.iter().filter(|o| o.kind == "GRANT" || o.kind == "REVOKE").collect()
    }
    a.dialect == b.dialect
        && a.schemas == b.schemas
        && a.extensions == b.extensions
        && a.types == b.types
        && a.sequences == b.sequences
        && a.views == b.views
        && a.functions == b.functions
        && privileges(a) == privileges(b)
        && a.tables.len() == b.tables.len()
        && a.tables.iter().zip(&b.tables).all(|((ka, ta), (kb, tb))| {
            ka == kb
                && ta.columns.len() == tb.columns.len()
                && ta.columns.iter().all(|c| tb.column(&c.name) == Some(c))
                && ta.constraints == tb.constraints
                && ta.indexes == tb.indexes
                && ta.triggers == tb.triggers
                && ta.partition_by == tb.partition_by
                && ta.partition_of == tb.partition_of
                && ta.unlogged == tb.unlogged
                && ta.comment == tb.comment
        })
}

/// The model without what a migration cannot carry: statements schemashift
/// does not model are copied forward but cannot be undone, and PostgreSQL
/// adds columns at the end of a table and cannot reorder them (the plan
/// warns about both).
fn comparable(schema: &Schema) -> Schema {
    let mut s = schema.clone();
    s.opaque.retain(|o| o.kind == "GRANT" || o.kind == "REVOKE");
    for t in s.tables.values_mut() {
        t.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    s
}

/// Paths where two JSON values differ, with both values (shortened).
fn json_diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).filter(|k| *k != "location").collect();
            for k in keys {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match (x.get(k), y.get(k)) {
                    (Some(va), Some(vb)) => json_diff(&p, va, vb, out),
                    (Some(va), None) => out.push(format!("{p}: {} ≠ (absent)", short(va))),
                    (None, Some(vb)) => out.push(format!("{p}: (absent) ≠ {}", short(vb))),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                json_diff(&format!("{path}[{i}]"), va, vb, out);
            }
        }
        _ if a != b => out.push(format!("{path}: {} ≠ {}", short(a), short(b))),
        _ => {}
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 200 { format!("{}…", s.chars().take(200).collect::<String>()) } else { s }
}
