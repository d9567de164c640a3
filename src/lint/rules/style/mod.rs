//! SS8xx: opt-in conventions over the whole new schema (not only what the
//! change touches): keys, index support, types, name lengths and patterns.
//!
//! Every finding points at the object in the new schema. A partition's
//! columns are its parent's: they are judged on the parent only, as are the
//! columns a table inherits.

mod foreign_key_without_index;
mod identifier_too_long;
mod naming_convention;
mod prefer_bigint;
mod prefer_identity;
mod prefer_jsonb;
mod prefer_text;
mod prefer_timestamptz;
mod table_without_primary_key;

use crate::lint::{Context, Hit, Located, Rule};
use crate::model::{Column, DataType, Location, QName, Schema, Table, UserTypeKind, quote_ident, quote_literal};

pub static RULES: &[&Rule] = &[
    &table_without_primary_key::RULE,
    &foreign_key_without_index::RULE,
    &prefer_bigint::RULE,
    &prefer_identity::RULE,
    &prefer_timestamptz::RULE,
    &prefer_text::RULE,
    &prefer_jsonb::RULE,
    &identifier_too_long::RULE,
    &naming_convention::RULE,
];

/// The columns a table declares itself, with the table: not a partition's
/// (its parent's), not those inherited from a parent.
fn own_columns(schema: &Schema) -> impl Iterator<Item = (&Table, &Column)> {
    schema.tables.values().filter(|t| t.partition_of.is_none()).flat_map(|t| t.columns.iter().filter(|c| c.local).map(move |c| (t, c)))
}

/// `public.t.c`, quoted where needed.
fn column_name(table: &QName, column: &str) -> String {
    format!("{table}.{}", quote_ident(column))
}

/// One hit per own column whose type (an array's element) `pick` judges,
/// at the column; `pick` gives the message's middle part.
fn per_column_type(ctx: &Context, pick: impl Fn(&DataType) -> Option<String>, help: impl Fn(&Table, &Column) -> String) -> Vec<Hit> {
    own_columns(ctx.new)
        .filter_map(|(t, c)| {
            let what = pick(&c.data_type.element())?;
            let object = column_name(&t.name, &c.name);
            Some(Hit::new(&object, format!("column {object} is {}: {what}", c.data_type), Located::new(&c.location)).help(help(t, c)))
        })
        .collect()
}

/// What kind of object a name belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Schema,
    Type,
    EnumLabel,
    Attribute,
    Sequence,
    Table,
    Column,
    Constraint,
    Index,
    Trigger,
    Policy,
    Rule,
    View,
    Function,
    Argument,
    Statistics,
    Publication,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Schema => "schema",
            Kind::Type => "type",
            Kind::EnumLabel => "enum label",
            Kind::Attribute => "attribute",
            Kind::Sequence => "sequence",
            Kind::Table => "table",
            Kind::Column => "column",
            Kind::Constraint => "constraint",
            Kind::Index => "index",
            Kind::Trigger => "trigger",
            Kind::Policy => "policy",
            Kind::Rule => "rule",
            Kind::View => "view",
            Kind::Function => "function",
            Kind::Argument => "argument",
            Kind::Statistics => "statistics object",
            Kind::Publication => "publication",
        }
    }
}

/// One name the schema gives an object: its kind, the name itself, the
/// object as reports name it, and where it is defined.
struct Named<'a> {
    kind: Kind,
    name: &'a str,
    object: String,
    location: &'a Location,
}

/// Every name of the new schema, in a stable order. A partition's columns
/// and a table's inherited columns are left out (they are the parent's).
fn names(schema: &Schema) -> Vec<Named<'_>> {
    let mut out = Vec::new();
    for n in schema.schemas.values() {
        out.push(Named { kind: Kind::Schema, name: &n.name, object: quote_ident(&n.name), location: &n.location });
    }
    for t in schema.types.values() {
        out.push(Named { kind: Kind::Type, name: &t.name.name, object: t.name.to_string(), location: &t.location });
        match &t.kind {
            UserTypeKind::Enum { values } => {
                for v in values {
                    out.push(Named { kind: Kind::EnumLabel, name: v, object: format!("{} {}", t.name, quote_literal(v)), location: &t.location });
                }
            }
            UserTypeKind::Composite { attributes } => {
                for a in attributes {
                    out.push(Named { kind: Kind::Attribute, name: &a.name, object: column_name(&t.name, &a.name), location: &t.location });
                }
            }
            _ => {}
        }
    }
    for s in schema.sequences.values() {
        out.push(Named { kind: Kind::Sequence, name: &s.name.name, object: s.name.to_string(), location: &s.location });
    }
    for t in schema.tables.values() {
        let in_schema = |n: &str| format!("{}.{}", quote_ident(&t.name.schema), quote_ident(n));
        out.push(Named { kind: Kind::Table, name: &t.name.name, object: t.name.to_string(), location: &t.location });
        if t.partition_of.is_none() {
            for c in t.columns.iter().filter(|c| c.local) {
                out.push(Named { kind: Kind::Column, name: &c.name, object: column_name(&t.name, &c.name), location: &c.location });
            }
        }
        for c in t.constraints.values() {
            out.push(Named { kind: Kind::Constraint, name: &c.name, object: column_name(&t.name, &c.name), location: &c.location });
        }
        for i in t.indexes.values() {
            out.push(Named { kind: Kind::Index, name: &i.name, object: in_schema(&i.name), location: &i.location });
        }
        for r in t.triggers.values() {
            out.push(Named { kind: Kind::Trigger, name: &r.name, object: column_name(&t.name, &r.name), location: &r.location });
        }
        for p in t.policies.values() {
            out.push(Named { kind: Kind::Policy, name: &p.name, object: column_name(&t.name, &p.name), location: &p.location });
        }
        for r in t.rules.values() {
            out.push(Named { kind: Kind::Rule, name: &r.name, object: column_name(&t.name, &r.name), location: &r.location });
        }
    }
    for v in schema.views.values() {
        let in_schema = |n: &str| format!("{}.{}", quote_ident(&v.name.schema), quote_ident(n));
        out.push(Named { kind: Kind::View, name: &v.name.name, object: v.name.to_string(), location: &v.location });
        for c in &v.columns {
            out.push(Named { kind: Kind::Column, name: c, object: column_name(&v.name, c), location: &v.location });
        }
        for i in v.indexes.values() {
            out.push(Named { kind: Kind::Index, name: &i.name, object: in_schema(&i.name), location: &i.location });
        }
        for r in v.triggers.values() {
            out.push(Named { kind: Kind::Trigger, name: &r.name, object: column_name(&v.name, &r.name), location: &r.location });
        }
        for r in v.rules.values() {
            out.push(Named { kind: Kind::Rule, name: &r.name, object: column_name(&v.name, &r.name), location: &r.location });
        }
    }
    for f in schema.functions.values() {
        out.push(Named { kind: Kind::Function, name: &f.name.name, object: f.signature(), location: &f.location });
        for a in f.args.iter().filter_map(|a| a.name.as_deref()) {
            out.push(Named { kind: Kind::Argument, name: a, object: format!("{} argument {}", f.signature(), quote_ident(a)), location: &f.location });
        }
    }
    for s in schema.statistics.values() {
        out.push(Named { kind: Kind::Statistics, name: &s.name.name, object: s.name.to_string(), location: &s.location });
    }
    for p in schema.publications.values() {
        out.push(Named { kind: Kind::Publication, name: &p.name, object: quote_ident(&p.name), location: &p.location });
    }
    out
}

/// The sequence a column default draws from (`nextval('s'::regclass)`),
/// resolved in the schema's default namespace when unqualified.
fn nextval_sequence(schema: &Schema, default: &str) -> Option<QName> {
    let inner = default.trim().strip_prefix("nextval('")?;
    let inner = inner.strip_suffix("'::regclass)")?.replace("''", "'");
    let name = QName::parse(&inner)?;
    if name.schema.is_empty() { Some(QName::new(schema.dialect.default_schema(), name.name)) } else { Some(name) }
}

/// Whether the column is a `serial`: its default draws from a sequence it owns.
fn is_serial(schema: &Schema, table: &Table, column: &Column) -> Option<QName> {
    let sequence = nextval_sequence(schema, &column.default.as_ref()?.0)?;
    let owned = schema.sequences.get(&sequence)?.owned_by.as_ref()?;
    (owned.0 == table.name && owned.1 == column.name).then_some(sequence)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::lint::{Finding, Options};


    /// The findings of the rule `code`, enabled in `options`, on the
    /// migration from `old` to `new`.
    pub fn findings(code: &str, old: &str, new: &str, options: Options) -> Vec<Finding> {
        crate::lint::rules::support::testing::lint(old, new, options, &[code]).into_iter().filter(|f| f.code == code).collect()
    }

    #[test]
    fn a_serial_default_names_its_sequence() {
        let s = Schema::new(crate::model::Dialect::Postgres);
        assert_eq!(nextval_sequence(&s, "nextval('t_id_seq'::regclass)"), Some(QName::new("public", "t_id_seq")));
        assert_eq!(nextval_sequence(&s, "nextval('app.\"My seq\"'::regclass)"), Some(QName::new("app", "My seq")));
        assert_eq!(nextval_sequence(&s, "now()"), None);
    }
}
