//! Lowering table and column properties, policies, rules, extended
//! statistics, publications and recognised opaque objects.
//!
//! Where each goes, and why:
//! - column properties (statistics target, storage, compression, options)
//!   right after the column exists or changes type: `ALTER COLUMN … TYPE`
//!   resets storage and compression to the new type's;
//! - storage parameters and row-level security with the column changes;
//! - `REPLICA IDENTITY USING INDEX` and `CLUSTER ON` once their index is
//!   built (with the indexes), going back to the default before an index
//!   is dropped;
//! - policies, rules and publications after tables, views and functions
//!   (their expressions and commands may use any of them), dropped before
//!   any of those change;
//! - extended statistics with them too (their expressions may call any
//!   function, and nothing depends on them);
//! - opaque objects by kind: collations and text search objects before
//!   types and tables, operators, casts, aggregates, servers, … after
//!   functions, event triggers last; dropped after the tables that may use
//!   them and before the functions they use.

use super::{Lowering, index_object, step};
use crate::diff::Change;
use crate::dialect::postgres::render::order::{OpaquePlace, opaque_place};
use crate::dialect::postgres::render::properties as sql;
use crate::model::{
    Column, Enabled, Opaque, Policy, Publication, QName, ReplicaIdentity, Rule, Statistics, Table,
    quote_ident,
};
use crate::dialect::postgres::read::opaque;
use crate::plan::{Object as O, Step};

/// What an opaque statement is about: the object its identity names (`aggregate
/// public.total(integer)`), the object of a privilege (`privileges` on `TABLE
/// public.t`), or else the statement itself by its kind.
fn opaque_object(statement: &Opaque) -> O {
    if let Some(id) = opaque::identity(statement, "public")
        && let Some((_, kind)) = opaque::statement_kind(&statement.text)
        && let Some(name) = id.strip_prefix(&format!("{kind} "))
    {
        return O::Other { kind: kind.to_lowercase(), name: name.to_string() };
    }
    if let Some(object) = crate::dialect::postgres::read::grant::privilege_object(&statement.text)
        && (statement.kind == "GRANT" || statement.kind == "REVOKE")
    {
        return O::Other { kind: "privileges".into(), name: object.to_string() };
    }
    O::Other { kind: statement.kind.to_lowercase(), name: String::new() }
}

/// A step about an opaque statement, placed where the statement is.
pub(super) fn opaque_step(s: Step, action: crate::plan::Action, statement: &Opaque) -> Step {
    let mut s = s.touching(action, opaque_object(statement));
    if let Some(t) = s.facts.touches.last_mut()
        && !statement.location.is_unknown()
    {
        t.location = Some(statement.location.clone());
    }
    s
}

impl Lowering<'_> {
    /// The properties of a column that was just added (or built again).
    pub(super) fn column_properties(&mut self, table: &QName, column: &Column) {
        for s in sql::column_properties_sql(table, column) {
            self.p.columns.push(
                step(format!("set properties of {table}.{}", column.name), s)
                    .alters(O::Table(table.clone()))
                    .alters(O::Column(table.clone(), column.name.clone())),
            );
        }
    }

    /// The property steps of a column change; `type_changed` when an
    /// `ALTER COLUMN … TYPE` ran before, which reset storage and compression.
    pub(super) fn column_property_changes(
        &mut self,
        table: &QName,
        from: &Column,
        to: &Column,
        type_changed: bool,
    ) -> Vec<(String, String)> {
        let col = quote_ident(&to.name);
        let alter = |what: String| format!("ALTER TABLE ONLY {table} ALTER COLUMN {col} {what};");
        let summary = |what: &str| format!("{what} {table}.{}", to.name);
        let mut out = Vec::new();
        if from.statistics != to.statistics {
            out.push((
                summary("set statistics target of"),
                alter(format!("SET STATISTICS {}", to.statistics.unwrap_or(-1))),
            ));
        }
        let storage_before = if type_changed { None } else { from.storage };
        if storage_before != to.storage {
            let target = match to.storage {
                Some(s) => s.sql().to_string(),
                None => match crate::dialect::postgres::read::properties::default_storage(
                    &self.new.types,
                    &to.data_type,
                ) {
                    Some(s) => s.sql().to_string(),
                    None => {
                        self.warnings.push(crate::error::Warning {
                            message: format!(
                                "the storage of {table}.{} goes back to its type's own: schemashift does not know it for type {}, so the migration says SET STORAGE DEFAULT, which needs PostgreSQL 16",
                                to.name, to.data_type
                            ),
                            location: to.location.clone(),
                        });
                        "DEFAULT".to_string()
                    }
                },
            };
            out.push((
                summary("set storage of"),
                alter(format!("SET STORAGE {target}")),
            ));
        }
        let compression_before = if type_changed {
            None
        } else {
            from.compression.clone()
        };
        if compression_before != to.compression {
            // PostgreSQL compresses the values it stores from now on; the
            // ones already stored keep their method until rewritten.
            if !type_changed && from.compression != to.compression {
                self.warnings.push(crate::error::Warning {
                    message: format!(
                        "the compression of {table}.{} changes for values stored from now on; existing values keep theirs until the table is rewritten (VACUUM FULL)",
                        to.name
                    ),
                    location: to.location.clone(),
                });
            }
            out.push((
                summary("set compression of"),
                alter(format!(
                    "SET COMPRESSION {}",
                    to.compression.as_deref().unwrap_or("default")
                )),
            ));
        }
        if from.options != to.options {
            let reset: Vec<String> = sql::parameter_names(&from.options)
                .into_iter()
                .filter(|n| !sql::parameter_names(&to.options).contains(n))
                .collect();
            if !reset.is_empty() {
                out.push((
                    summary("reset options of"),
                    alter(format!("RESET ({})", reset.join(", "))),
                ));
            }
            let set: Vec<String> = to
                .options
                .iter()
                .filter(|o| !from.options.contains(o))
                .cloned()
                .collect();
            if !set.is_empty() {
                out.push((
                    summary("set options of"),
                    alter(format!("SET ({})", sql::parameters_sql(&set))),
                ));
            }
        }
        out
    }

    /// What CREATE TABLE cannot say: column properties, then (once its
    /// indexes exist) replica identity, clustering and row-level security.
    pub(super) fn created_table_properties(&mut self, table: &Table) {
        let t = || O::Table(table.name.clone());
        for c in &table.columns {
            for s in sql::column_properties_sql(&table.name, c) {
                self.p.tables.push(
                    step(format!("set properties of {}.{}", table.name, c.name), s)
                        .alters(t())
                        .alters(O::Column(table.name.clone(), c.name.clone())),
                );
            }
        }
        // The index a replica identity or the clustering names.
        let identity_index = match &table.replica_identity {
            Some(ReplicaIdentity::Index(i)) => Some((sql::replica_identity_sql(&table.name, table.replica_identity.as_ref()), i)),
            _ => None,
        };
        let cluster_index = table.cluster_on.as_ref().map(|i| (sql::cluster_on_sql(&table.name, Some(i)), i));
        for s in sql::table_properties_sql(table) {
            let index = [&identity_index, &cluster_index].into_iter().flatten().find(|(made, _)| *made == s).map(|(_, i)| *i);
            let mut step = step(format!("set properties of {}", table.name), s).alters(t());
            if let Some(i) = index {
                step = step.uses(index_object(&table.name, i));
            }
            self.p.constraints.push(step);
        }
        for trigger in table.triggers.values().filter(|t| !t.enabled.is_default()) {
            self.p.triggers.push(
                step(
                    format!("set firing of trigger {} on {}", trigger.name, table.name),
                    sql::enabled_sql(&table.name, "TRIGGER", &trigger.name, trigger.enabled),
                )
                .alters(t())
                .alters(O::Trigger(table.name.clone(), trigger.name.clone())),
            );
        }
        for policy in table.policies.values() {
            self.create_policy(&table.name, policy);
        }
        for rule in table.rules.values() {
            self.create_rule(&table.name, rule);
        }
    }

    /// A created view's rules (its triggers and indexes are made with it).
    pub(super) fn created_view_rules(
        &mut self,
        view: &QName,
        rules: &std::collections::BTreeMap<String, Rule>,
    ) {
        for rule in rules.values() {
            self.create_rule(view, rule);
        }
    }

    pub(super) fn set_storage_parameters(&mut self, table: &QName, from: &[String], to: &[String]) {
        let names_to = sql::parameter_names(to);
        let reset: Vec<String> = sql::parameter_names(from)
            .into_iter()
            .filter(|n| !names_to.contains(n))
            .collect();
        if !reset.is_empty() {
            self.p.columns.push(
                step(format!("reset storage parameters of {table}"), format!("ALTER TABLE {table} RESET ({});", reset.join(", ")))
                    .alters(O::Table(table.clone())),
            );
        }
        let set: Vec<String> = to.iter().filter(|o| !from.contains(o)).cloned().collect();
        if !set.is_empty() {
            self.p.columns.push(
                step(format!("set storage parameters of {table}"), format!("ALTER TABLE {table} SET ({});", sql::parameters_sql(&set)))
                    .alters(O::Table(table.clone())),
            );
        }
    }

    /// An identity on an index once the index exists; any other before an
    /// index it named is dropped (PostgreSQL keeps a dangling `USING INDEX`).
    pub(super) fn set_replica_identity(&mut self, table: &QName, to: &Option<ReplicaIdentity>) {
        let mut s = step(
            format!("set replica identity of {table}"),
            sql::replica_identity_sql(table, to.as_ref()),
        )
        .alters(O::Table(table.clone()));
        if let Some(ReplicaIdentity::Index(i)) = to {
            s = s.uses(index_object(table, i));
        }
        if matches!(to, Some(ReplicaIdentity::Index(_))) {
            self.p.constraints.push(s);
        } else {
            self.p.drop_dependents.insert(0, s);
        }
    }

    pub(super) fn set_cluster_on(&mut self, table: &QName, to: &Option<String>) {
        let mut s = step(
            format!("set the clustering index of {table}"),
            sql::cluster_on_sql(table, to.as_deref()),
        )
        .alters(O::Table(table.clone()));
        if let Some(i) = to {
            s = s.uses(index_object(table, i));
        }
        if to.is_some() {
            self.p.constraints.push(s);
        } else {
            self.p.drop_dependents.insert(0, s);
        }
    }

    pub(super) fn create_policy(&mut self, table: &QName, policy: &Policy) {
        let object = O::Policy(table.clone(), policy.name.clone());
        self.p.policies.push(
            step(format!("create policy {} on {table}", policy.name), sql::create_policy_sql(table, policy))
                .alters(O::Table(table.clone()))
                .creates(object.clone()),
        );
        self.comment(
            sql::policy_comment_target(table, &policy.name),
            object,
            &policy.comment,
        );
    }

    pub(super) fn drop_policy(&mut self, table: &QName, policy: &Policy) {
        self.p.drop_dependents.push(
            step(format!("drop policy {} on {table}", policy.name), format!("DROP POLICY {} ON {table};", quote_ident(&policy.name)))
                .alters(O::Table(table.clone()))
                .drops(O::Policy(table.clone(), policy.name.clone())),
        );
    }

    /// `ALTER POLICY` with the clauses that changed.
    pub(super) fn alter_policy(&mut self, table: &QName, from: &Policy, to: &Policy) {
        let mut sql = format!("ALTER POLICY {} ON {table}", quote_ident(&to.name));
        if from.roles != to.roles {
            sql.push_str(&format!(" TO {}", sql::policy_roles_sql(to)));
        }
        if from.using != to.using
            && let Some(e) = &to.using
        {
            sql.push_str(&format!(" USING ({e})"));
        }
        if from.with_check != to.with_check
            && let Some(e) = &to.with_check
        {
            sql.push_str(&format!(" WITH CHECK ({e})"));
        }
        self.p.policies.push(
            step(format!("alter policy {} on {table}", to.name), format!("{sql};"))
                .alters(O::Table(table.clone()))
                .alters(O::Policy(table.clone(), to.name.clone())),
        );
    }

    pub(super) fn create_rule(&mut self, relation: &QName, rule: &Rule) {
        let object = O::Rule(relation.clone(), rule.name.clone());
        self.p.policies.push(
            step(format!("create rule {} on {relation}", rule.name), sql::create_rule_sql(relation, rule))
                .alters(self.relation(relation))
                .creates(object.clone()),
        );
        if !rule.enabled.is_default() {
            self.set_rule_enabled(relation, &rule.name, rule.enabled);
        }
        self.comment(
            sql::rule_comment_target(relation, &rule.name),
            object,
            &rule.comment,
        );
    }

    pub(super) fn drop_rule(&mut self, relation: &QName, rule: &Rule) {
        if self.old.views.contains_key(relation) && self.recreated_view(relation) {
            return; // goes with the view
        }
        self.p.drop_dependents.push(
            step(format!("drop rule {} on {relation}", rule.name), format!("DROP RULE {} ON {relation};", quote_ident(&rule.name)))
                .alters(self.relation(relation))
                .drops(O::Rule(relation.clone(), rule.name.clone())),
        );
    }

    pub(super) fn set_rule_enabled(&mut self, relation: &QName, rule: &str, enabled: Enabled) {
        self.p.policies.push(
            step(format!("set firing of rule {rule} on {relation}"), sql::enabled_sql(relation, "RULE", rule, enabled))
                .alters(self.relation(relation))
                .alters(O::Rule(relation.clone(), rule.to_string())),
        );
    }

    pub(super) fn create_statistics(&mut self, s: &Statistics) {
        // With the policies: nothing depends on statistics, and their
        // expressions may call any function.
        let object = O::Statistics(s.name.clone());
        self.p.policies.push(
            step(format!("create statistics {}", s.name), sql::create_statistics_sql(s)).creates(object.clone()).uses(O::Table(s.table.clone())),
        );
        if s.target.is_some() {
            self.p.policies.push(step(format!("set statistics target of {}", s.name), sql::statistics_target_sql(s)).alters(object.clone()));
        }
        self.comment(sql::statistics_comment_target(&s.name), object, &s.comment);
    }

    pub(super) fn drop_statistics(&mut self, s: &Statistics) {
        // Dropped with its table (or a column it uses) anyway, but early is
        // harmless, and it may be gone before a column changes type.
        self.p.drop_dependents.push(
            step(format!("drop statistics {}", s.name), format!("DROP STATISTICS {};", s.name)).drops(O::Statistics(s.name.clone())),
        );
    }

    pub(super) fn create_publication(&mut self, p: &Publication) {
        let mut create = step(format!("create publication {}", p.name), sql::create_publication_sql(p)).creates(O::Publication(p.name.clone()));
        for t in p.tables.keys() {
            create = create.uses(O::Table(t.clone()));
        }
        self.p.policies.push(create);
        self.comment(sql::publication_comment_target(&p.name), O::Publication(p.name.clone()), &p.comment);
    }

    pub(super) fn drop_publication(&mut self, p: &Publication) {
        self.p.drop_dependents.push(
            step(format!("drop publication {}", p.name), format!("DROP PUBLICATION {};", quote_ident(&p.name)))
                .drops(O::Publication(p.name.clone())),
        );
    }

    /// Tables and schemas leave a publication before the changes (a table
    /// whose column list or filter changed leaves and comes back), and join
    /// it after them; parameters change with the additions.
    pub(super) fn alter_publication(&mut self, from: &Publication, to: &Publication) {
        let name = quote_ident(&to.name);
        let leaving: Vec<&QName> = from
            .tables
            .iter()
            .filter(|(t, d)| to.tables.get(*t) != Some(*d))
            .map(|(t, _)| t)
            .collect();
        let joining: Vec<String> = to
            .tables
            .iter()
            .filter(|(t, d)| from.tables.get(*t) != Some(*d))
            .map(|(t, d)| sql::publication_table_sql(t, d))
            .collect();
        let schemas_leaving: Vec<&String> = from
            .schemas
            .iter()
            .filter(|s| !to.schemas.contains(s))
            .collect();
        let schemas_joining: Vec<&String> = to
            .schemas
            .iter()
            .filter(|s| !from.schemas.contains(s))
            .collect();
        let mut drop: Vec<String> = leaving.iter().map(|t| format!("TABLE ONLY {t}")).collect();
        drop.extend(
            schemas_leaving
                .iter()
                .map(|s| format!("TABLES IN SCHEMA {}", quote_ident(s))),
        );
        let publication = || O::Publication(to.name.clone());
        if !drop.is_empty() {
            let mut s = step(format!("remove from publication {}", to.name), format!("ALTER PUBLICATION {name} DROP {};", drop.join(", ")))
                .alters(publication());
            for t in &leaving {
                s = s.uses(O::Table((*t).clone()));
            }
            self.p.drop_dependents.push(s);
        }
        if from.options != to.options {
            let parameter = |options: &[String], key: &str, default: &str| -> String {
                options
                    .iter()
                    .find(|o| o.starts_with(&format!("{key} = ")))
                    .cloned()
                    .unwrap_or_else(|| format!("{key} = {default}"))
            };
            let mut set = Vec::new();
            for (key, default) in [
                ("publish", "'insert, update, delete, truncate'"),
                ("publish_via_partition_root", "false"),
            ] {
                let (a, b) = (
                    parameter(&from.options, key, default),
                    parameter(&to.options, key, default),
                );
                if a != b {
                    set.push(b);
                }
            }
            set.extend(
                to.options
                    .iter()
                    .filter(|o| !from.options.contains(o) && !o.starts_with("publish"))
                    .cloned(),
            );
            if !set.is_empty() {
                self.p.policies.push(
                    step(format!("set parameters of publication {}", to.name), format!("ALTER PUBLICATION {name} SET ({});", set.join(", ")))
                        .alters(publication()),
                );
            }
        }
        let mut add = joining;
        add.extend(
            schemas_joining
                .iter()
                .map(|s| format!("TABLES IN SCHEMA {}", quote_ident(s))),
        );
        if !add.is_empty() {
            let mut s = step(format!("add to publication {}", to.name), format!("ALTER PUBLICATION {name} ADD {};", add.join(", "))).alters(publication());
            for t in to.tables.iter().filter(|(t, d)| from.tables.get(*t) != Some(*d)).map(|(t, _)| t) {
                s = s.uses(O::Table(t.clone()));
            }
            self.p.policies.push(s);
        }
    }

    // ----- opaque objects --------------------------------------------------

    /// Identities of the objects kept as text whose CREATE this migration
    /// drops and adds back changed (`replaced`), and only drops (`dropped`).
    pub(super) fn opaque_objects(&self) -> (Vec<String>, Vec<String>) {
        let ids = |f: fn(&Change) -> Option<&Opaque>| -> Vec<String> {
            self.changes
                .iter()
                .filter_map(f)
                .filter(|o| o.kind.starts_with("CREATE "))
                .filter_map(|o| opaque::identity(o, "public"))
                .collect()
        };
        let added = ids(|c| match c {
            Change::AddOpaque { statement } => Some(statement),
            _ => None,
        });
        let removed = ids(|c| match c {
            Change::DropOpaque { statement } => Some(statement),
            _ => None,
        });
        let replaced: Vec<String> = removed
            .iter()
            .filter(|i| added.contains(i))
            .cloned()
            .collect();
        let dropped: Vec<String> = removed
            .into_iter()
            .filter(|i| !replaced.contains(i))
            .collect();
        (replaced, dropped)
    }

    /// An opaque statement added: in its place among the modelled objects.
    pub(super) fn add_opaque(&mut self, statement: &Opaque) {
        let text = statement.text.trim_end_matches(';');
        let s = step(statement.kind.to_lowercase(), format!("{text};"));
        // Whatever the statement says about its object, it makes or changes it.
        let action = if statement.kind.starts_with("CREATE ") { crate::plan::Action::Create } else { crate::plan::Action::Alter };
        let s = opaque_step(s, action, statement);
        let (place, rank) = opaque_place(statement);
        self.opaque_adds.push((place, rank, s));
    }

    /// Everything else said about a replaced object is said again: its
    /// ALTERs and COMMENT went with the old one.
    pub(super) fn re_add_opaque_of_replaced(&mut self, replaced: &[String]) {
        let added: Vec<&Opaque> = self
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::AddOpaque { statement } => Some(statement),
                _ => None,
            })
            .collect();
        let again: Vec<Opaque> = self
            .new
            .opaque
            .iter()
            .filter(|o| !o.kind.starts_with("CREATE ") && !added.iter().any(|a| a.text == o.text))
            .filter(|o| opaque::identity(o, "public").is_some_and(|id| replaced.contains(&id)))
            .cloned()
            .collect();
        for o in &again {
            self.add_opaque(o);
        }
    }

    /// An opaque statement removed: a CREATE of a recognised object is
    /// undone with `DROP`; what is said about an object that goes (or is
    /// replaced) goes with it; a comment is set back to none. `Ok(false)`
    /// when none of this applies.
    pub(super) fn drop_recognised_opaque(
        &mut self,
        statement: &Opaque,
        replaced: &[String],
        dropped: &[String],
    ) -> bool {
        let Some(id) = opaque::identity(statement, "public") else {
            return false;
        };
        if statement.kind.starts_with("CREATE ") {
            let Some(drop) = opaque::drop_sql(statement) else {
                return false;
            };
            let s = opaque_step(step(format!("drop {}", id.to_lowercase()), drop), crate::plan::Action::Drop, statement);
            if replaced.contains(&id) {
                // Dropped before its replacement is created, early.
                self.p.drop_dependents.push(s);
            } else {
                let (_, rank) = opaque_place(statement);
                self.opaque_drops.push((rank, s));
            }
            return true;
        }
        if replaced.contains(&id) || dropped.contains(&id) {
            return true;
        }
        if statement.kind.starts_with("COMMENT ON ")
            && let Some(undo) = opaque::uncomment_sql(statement)
        {
            self.p.post.push(opaque_step(
                step(format!("remove the comment on {}", id.to_lowercase()), undo),
                crate::plan::Action::Alter,
                statement,
            ));
            return true;
        }
        false
    }

    /// The collected opaque steps into their phases, in dependency order:
    /// creates by rank, drops by reverse rank.
    pub(super) fn place_opaque(&mut self) {
        let mut adds = std::mem::take(&mut self.opaque_adds);
        adds.sort_by_key(|(place, rank, _)| (*place, *rank));
        for (place, _, s) in adds {
            match place {
                OpaquePlace::Early => self.p.opaque_early.push(s),
                OpaquePlace::AfterFunctions => self.p.opaque_late.push(s),
                OpaquePlace::Last => self.p.post.push(s),
            }
        }
        let mut drops = std::mem::take(&mut self.opaque_drops);
        drops.sort_by_key(|(rank, _)| std::cmp::Reverse(*rank));
        self.p.drop_opaque.extend(drops.into_iter().map(|(_, s)| s));
    }
}
