//! Types: enums gaining labels in place or created again, domains altered
//! or created again over a new base type, composite types altered or
//! rebuilt, their columns converted on the way.

use super::facts::{Obj, Ordered};
use super::routines::facts_of;
use super::{Lowering, locks, step, type_keyword, type_object};
use crate::diff::Change;
use crate::dialect::postgres::render as sql;
use crate::error::Warning;
use crate::model::{QName, UserType, UserTypeKind, quote_ident, quote_literal};
use crate::plan::{Object as O, Step};
use std::collections::BTreeSet;

impl Lowering<'_> {
    /// New types, a type after the types it uses.
    pub(super) fn create_types(&mut self) {
        let created: BTreeSet<&QName> = self
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::CreateType { user_type } => Some(&user_type.name),
                _ => None,
            })
            .collect();
        for t in sql::order::types(self.new) {
            if created.contains(&t.name) {
                // With the functions: a domain's CHECK may call one, and one
                // may take any new type.
                let s = step(format!("create type {}", t.name), sql::create_type_sql(t)).creates(type_object(t));
                let uses = facts_of(&self.new_deps().user_type(t));
                self.p.functions.push(Ordered::new(s, Obj::Type(t.name.clone()), uses));
                self.type_comments(t);
            }
        }
    }

    /// The comments of a type this migration creates.
    pub(super) fn type_comments(&mut self, t: &UserType) {
        let kind = if matches!(t.kind, UserTypeKind::Domain { .. }) { "DOMAIN" } else { "TYPE" };
        self.comment(format!("{kind} {}", t.name), type_object(t), &t.comment);
        if let UserTypeKind::Domain { check_comments, .. } = &t.kind {
            for (c, text) in check_comments {
                let object = O::DomainConstraint(t.name.clone(), c.clone());
                self.comment(sql::properties::domain_constraint_comment_target(&t.name, c), object, &Some(text.clone()));
            }
        }
    }

    pub(super) fn add_enum_values(&mut self, name: &QName, from: &[String], to: &[String]) {
        for (i, value) in to.iter().enumerate() {
            if from.contains(value) {
                continue;
            }
            // Labels are added in order, so the one before exists by now; the
            // first label goes before the first one the type already has (the
            // label after it may be new too).
            let position = match i.checked_sub(1).map(|p| &to[p]) {
                Some(prev) => format!(" AFTER {}", quote_literal(prev)),
                None => match to.iter().find(|v| from.contains(v)) {
                    Some(next) => format!(" BEFORE {}", quote_literal(next)),
                    None => String::new(),
                },
            };
            // A label added in a transaction cannot be used until it commits.
            self.p.types.push(
                Step::outside_transaction(
                    format!("add value {value:?} to enum {name}"),
                    format!("ALTER TYPE {name} ADD VALUE {}{position};", quote_literal(value)),
                    crate::plan::OutsideTransaction::NewEnumLabel,
                )
                .alters(O::Type(name.clone())),
            );
        }
    }

    /// Labels removed or reordered: PostgreSQL cannot do that in place. The
    /// old type is renamed, the new one created, every column converted
    /// through text (rows holding a removed label make this fail, rather than
    /// lose data), and the old type dropped.
    /// An enum or a domain created again under its name, its columns
    /// converted through their text form: PostgreSQL cannot drop an enum's
    /// labels or change a domain's base type in place.
    pub(super) fn rebuild_enum(&mut self, change: &Change, from: &UserType, to: &UserType) {
        let name = &to.name;
        if let (UserTypeKind::Enum { values: a }, UserTypeKind::Enum { values: b }) = (&from.kind, &to.kind) {
            let removed: Vec<&String> = a.iter().filter(|v| !b.contains(v)).collect();
            if !removed.is_empty() {
                self.warn(change, format!("enum {name} loses labels {removed:?}: rows holding them make this migration fail; update them first"));
            }
        }
        let kind = if matches!(to.kind, UserTypeKind::Domain { .. }) { "domain" } else { "enum" };
        let old_name = QName::new(name.schema.clone(), format!("{}__old", name.name));
        // The type under its name: the new one, and the old one until it goes.
        let (old_type, new_type) = (type_object(from), type_object(to));
        let t = &mut self.p.tables;
        t.push(
            step(format!("rename {kind} {name} out of the way"), format!("ALTER TYPE {name} RENAME TO {};", quote_ident(&old_name.name)))
                .alters(old_type.clone()),
        );
        t.push(step(format!("create {kind} {name}"), sql::create_type_sql(to)).creates(new_type.clone()));
        for table in self.new.tables.values() {
            for column in &table.columns {
                if column.data_type.name != name.to_string() || self.is_added_column(&table.name, &column.name) {
                    continue;
                }
                let col = quote_ident(&column.name);
                let on_column =
                    |s: Step| s.alters(O::Table(table.name.clone())).alters(O::Column(table.name.clone(), column.name.clone()));
                self.rebuild_column_dependents(&table.name.clone(), &column.name.clone());
                let t = &mut self.p.tables;
                t.push(on_column(step(
                    format!("drop default of {}.{}", table.name, column.name),
                    format!("ALTER TABLE {} ALTER COLUMN {col} DROP DEFAULT;", table.name),
                )));
                let mut convert = on_column(step(
                    format!("convert {}.{} to the new {kind}", table.name, column.name),
                    format!("ALTER TABLE {} ALTER COLUMN {col} TYPE {} USING {col}::text::{};", table.name, column.data_type, column.data_type),
                ))
                .uses(new_type.clone());
                if let Some(before) = self.old.tables.get(&table.name).and_then(|t| t.column(&column.name)) {
                    convert.facts.work = locks::type_change_work(self.old, before, self.new, column, true, Some(table));
                }
                t.push(convert);
                // The conversion resets storage and compression (an array of the enum has them).
                let reset = crate::model::Column { storage: None, compression: None, ..column.clone() };
                for (summary, s) in self.column_property_changes(&table.name, &reset, column, false) {
                    if s.contains(" SET STORAGE ") || s.contains(" SET COMPRESSION ") {
                        self.p.tables.push(on_column(step(summary, s)));
                    }
                }
                let t = &mut self.p.tables;
                // A default that changes too is set by the column's own step,
                // which comes after this conversion.
                let unchanged = self.old.tables.get(&table.name).and_then(|t| t.column(&column.name)).is_some_and(|c| c.default == column.default);
                if let Some(d) = column.default.as_ref().filter(|_| unchanged) {
                    t.push(on_column(step(
                        format!("set default of {}.{}", table.name, column.name),
                        format!("ALTER TABLE {} ALTER COLUMN {col} SET DEFAULT {};", table.name, sql::default_sql(&column.data_type, d)),
                    )));
                }
            }
        }
        // Dropped once the columns still using it (being dropped themselves) are gone.
        let drop = step(format!("drop the old {kind} {name}"), format!("DROP TYPE {old_name};")).drops(old_type);
        self.p.drops.push(Ordered::plain(drop));
    }

    pub(super) fn rebuild_composite(
        &mut self,
        to: &UserType,
        old_attrs: &[crate::model::CompositeAttribute],
        new_attrs: &[crate::model::CompositeAttribute],
    ) {
        let name = &to.name;
        let old_name = QName::new(name.schema.clone(), format!("{}__old", name.name));
        let object = || O::Type(name.clone());
        self.p.tables.push(
            step(format!("rename type {name} out of the way"), format!("ALTER TYPE {name} RENAME TO {};", quote_ident(&old_name.name))).alters(object()),
        );
        self.p.tables.push(step(format!("create type {name}"), sql::create_type_sql(to)).creates(object()));
        for table in self.new.tables.values() {
            for column in table.columns.iter().filter(|c| c.data_type.name == name.to_string() && c.data_type.array_dims == 0) {
                if self.is_added_column(&table.name, &column.name) {
                    continue;
                }
                let col = quote_ident(&column.name);
                let on_column =
                    |s: Step| s.alters(O::Table(table.name.clone())).alters(O::Column(table.name.clone(), column.name.clone()));
                let fields: Vec<String> = new_attrs
                    .iter()
                    .map(|attr| match old_attrs.iter().find(|o| o.name == attr.name) {
                        Some(_) => format!("({col}).{}::{}", quote_ident(&attr.name), attr.data_type),
                        None => format!("NULL::{}", attr.data_type),
                    })
                    .collect();
                self.p.tables.push(
                    on_column(step(
                        format!("convert {}.{} to the new {name}", table.name, column.name),
                        // A NULL value stays NULL rather than becoming a row of NULLs.
                        format!(
                            "ALTER TABLE {} ALTER COLUMN {col} TYPE {name} USING CASE WHEN {col} IS NULL THEN NULL ELSE ROW({})::{name} END;",
                            table.name,
                            fields.join(", ")
                        ),
                    ))
                    .uses(object()),
                );
                // The conversion resets storage and compression.
                let reset = crate::model::Column { storage: None, compression: None, ..column.clone() };
                for (summary, s) in self.column_property_changes(&table.name, &reset, column, false) {
                    if s.contains(" SET STORAGE ") || s.contains(" SET COMPRESSION ") {
                        self.p.tables.push(on_column(step(summary, s)));
                    }
                }
            }
        }
        self.p.drops.push(Ordered::plain(step(format!("drop the old type {name}"), format!("DROP TYPE {old_name};")).drops(object())));
    }

    pub(super) fn alter_domain(&mut self, from: &UserType, to: &UserType) {
        let (
            UserTypeKind::Domain { default: d1, not_null: n1, checks: c1, collation: k1, .. },
            UserTypeKind::Domain { default: d2, not_null: n2, checks: c2, collation: k2, .. },
        ) = (&from.kind, &to.kind)
        else {
            return;
        };
        let name = &to.name;
        let domain = || O::Domain(name.clone());
        let constraint = |c: &String| O::DomainConstraint(name.clone(), c.clone());
        let mut out = Vec::new();
        if k1 != k2 {
            self.warnings.push(Warning {
                message: format!("the collation of domain {name} changed; PostgreSQL cannot alter it: recreate the domain by hand"),
                location: to.location.clone(),
            });
        }
        let summary = format!("alter domain {name}");
        for (cname, _) in c1.iter().filter(|(n, e)| c2.get(*n) != Some(e)) {
            let s = step(&summary, format!("ALTER DOMAIN {name} DROP CONSTRAINT {};", quote_ident(cname)));
            out.push(s.alters(domain()).drops(constraint(cname)));
        }
        if d1 != d2 {
            let s = match d2 {
                Some(d) => format!("ALTER DOMAIN {name} SET DEFAULT {d};"),
                None => format!("ALTER DOMAIN {name} DROP DEFAULT;"),
            };
            out.push(step(&summary, s).alters(domain()));
        }
        if n1 != n2 {
            out.push(step(&summary, format!("ALTER DOMAIN {name} {} NOT NULL;", if *n2 { "SET" } else { "DROP" })).alters(domain()));
        }
        for (cname, expr) in c2.iter().filter(|(n, e)| c1.get(*n) != Some(e)) {
            let s = step(&summary, format!("ALTER DOMAIN {name} ADD CONSTRAINT {} CHECK ({expr});", quote_ident(cname)));
            out.push(s.alters(domain()).creates(constraint(cname)));
        }
        self.p.types.extend(out);
    }

    /// A composite type changes attribute by attribute; a range type (or a
    /// composite whose attributes were reordered) is dropped and created.
    pub(super) fn replace_type(&mut self, change: &Change, from: &UserType, to: &UserType) {
        let name = &to.name;
        // CASCADE makes PostgreSQL convert the columns of this type too.
        if let (UserTypeKind::Composite { attributes: a }, UserTypeKind::Composite { attributes: b }) = (&from.kind, &to.kind) {
            if crate::diff::alters_in_place(from, to, self.new) {
                let object = || O::Type(name.clone());
                for x in a.iter().filter(|x| !b.iter().any(|y| y.name == x.name)) {
                    let s = step(format!("drop attribute {}", x.name), format!("ALTER TYPE {name} DROP ATTRIBUTE {} CASCADE;", quote_ident(&x.name)));
                    self.p.types.push(s.alters(object()));
                }
                for y in b {
                    match a.iter().find(|x| x.name == y.name) {
                        Some(x) if x == y => {}
                        Some(_) => self.p.types.push(
                            step(
                                format!("alter attribute {}", y.name),
                                format!("ALTER TYPE {name} ALTER ATTRIBUTE {} TYPE {} CASCADE;", quote_ident(&y.name), y.data_type),
                            )
                            .alters(object()),
                        ),
                        None => self.p.types.push(
                            step(
                                format!("add attribute {}", y.name),
                                format!("ALTER TYPE {name} ADD ATTRIBUTE {} {} CASCADE;", quote_ident(&y.name), y.data_type),
                            )
                            .alters(object()),
                        ),
                    }
                }
                return;
            }
            if crate::diff::columns_use_type(self.new, name) {
                // PostgreSQL cannot alter a composite type that columns use:
                // the type is rebuilt and each column converted field by field.
                self.rebuild_composite(to, a, b);
                return;
            }
        }
        if let (UserTypeKind::Domain { .. }, UserTypeKind::Domain { .. }) = (&from.kind, &to.kind) {
            // A new base type (or collation): the columns are converted.
            self.rebuild_enum(change, from, to);
            return;
        }
        self.warn(change, format!("type {name} is dropped and created again: this fails while columns use it"));
        self.p.drop_dependents.push(step(format!("drop type {name}"), format!("DROP {} {name};", type_keyword(from))).drops(type_object(from)));
        self.p.types.push(step(format!("create type {name}"), sql::create_type_sql(to)).creates(type_object(to)));
    }
}
