//! Table and column properties, policies, rules, extended statistics and
//! publications as SQL: the statements `inspect --format sql` prints and
//! the planner builds migrations from.

use crate::model::{
    Column, Enabled, Policy, PolicyCommand, Publication, QName, ReplicaIdentity, Rule, Statistics,
    Table, quote_ident, quote_literal,
};

/// `name=value` items as a parameter list, values quoted (PostgreSQL takes
/// a string for any parameter type, and stores the same text).
pub fn parameters_sql(items: &[String]) -> String {
    items
        .iter()
        .map(|item| match item.split_once('=') {
            Some((name, value)) => format!("{name}={}", quote_literal(value)),
            None => item.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The names of `name=value` items, for `RESET (…)`.
pub fn parameter_names(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|i| i.split_once('=').map_or(i.as_str(), |(n, _)| n).to_string())
        .collect()
}

/// `ALTER TABLE ONLY t ALTER COLUMN c …` for each of a column's properties
/// that differs from the default. `ONLY`, as pg_dump writes it: on a
/// partitioned table the change must not reach the partitions, which the
/// model describes on their own.
pub fn column_properties_sql(table: &QName, column: &Column) -> Vec<String> {
    let alter = |what: String| {
        format!(
            "ALTER TABLE ONLY {table} ALTER COLUMN {} {what};",
            quote_ident(&column.name)
        )
    };
    let mut out = Vec::new();
    if let Some(n) = column.statistics {
        out.push(alter(format!("SET STATISTICS {n}")));
    }
    if let Some(s) = column.storage {
        out.push(alter(format!("SET STORAGE {}", s.sql())));
    }
    if let Some(c) = &column.compression {
        out.push(alter(format!("SET COMPRESSION {c}")));
    }
    if !column.options.is_empty() {
        out.push(alter(format!("SET ({})", parameters_sql(&column.options))));
    }
    out
}

/// `ALTER TABLE t REPLICA IDENTITY …`.
pub fn replica_identity_sql(table: &QName, identity: Option<&ReplicaIdentity>) -> String {
    format!(
        "ALTER TABLE ONLY {table} REPLICA IDENTITY {};",
        ReplicaIdentity::sql(identity)
    )
}

/// `ALTER TABLE t CLUSTER ON i` or `SET WITHOUT CLUSTER`.
pub fn cluster_on_sql(table: &QName, index: Option<&str>) -> String {
    match index {
        Some(i) => format!("ALTER TABLE {table} CLUSTER ON {};", quote_ident(i)),
        None => format!("ALTER TABLE {table} SET WITHOUT CLUSTER;"),
    }
}

pub fn row_level_security_sql(table: &QName, enabled: bool) -> String {
    format!(
        "ALTER TABLE {table} {} ROW LEVEL SECURITY;",
        if enabled { "ENABLE" } else { "DISABLE" }
    )
}

pub fn force_row_level_security_sql(table: &QName, force: bool) -> String {
    format!(
        "ALTER TABLE ONLY {table} {}FORCE ROW LEVEL SECURITY;",
        if force { "" } else { "NO " }
    )
}

/// The statements after CREATE TABLE (and its indexes) that give a table
/// its properties: replica identity, clustering index, row-level security.
pub fn table_properties_sql(table: &Table) -> Vec<String> {
    let mut out = Vec::new();
    if table.replica_identity.is_some() {
        out.push(replica_identity_sql(
            &table.name,
            table.replica_identity.as_ref(),
        ));
    }
    if let Some(i) = &table.cluster_on {
        out.push(cluster_on_sql(&table.name, Some(i)));
    }
    if table.row_level_security {
        out.push(row_level_security_sql(&table.name, true));
    }
    if table.force_row_level_security {
        out.push(force_row_level_security_sql(&table.name, true));
    }
    out
}

/// `ALTER TABLE t {ENABLE | DISABLE} [REPLICA | ALWAYS] {TRIGGER | RULE} name;`
pub fn enabled_sql(relation: &QName, kind: &str, name: &str, enabled: Enabled) -> String {
    format!("ALTER TABLE {relation} {};", enabled.sql(kind, name))
}

/// A role name as a policy's `TO` list takes it: the special roles bare.
fn role_sql(role: &str) -> String {
    match role {
        "current_user" | "session_user" | "current_role" => role.to_ascii_uppercase(),
        other => quote_ident(other),
    }
}

pub fn policy_roles_sql(policy: &Policy) -> String {
    if policy.roles.is_empty() {
        "PUBLIC".into()
    } else {
        policy
            .roles
            .iter()
            .map(|r| role_sql(r))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub fn create_policy_sql(table: &QName, policy: &Policy) -> String {
    let mut sql = format!("CREATE POLICY {} ON {table}", quote_ident(&policy.name));
    if policy.restrictive {
        sql.push_str(" AS RESTRICTIVE");
    }
    if policy.command != PolicyCommand::All {
        sql.push_str(&format!(" FOR {}", policy.command.sql()));
    }
    if !policy.roles.is_empty() {
        sql.push_str(&format!(" TO {}", policy_roles_sql(policy)));
    }
    if let Some(e) = &policy.using {
        sql.push_str(&format!(" USING ({e})"));
    }
    if let Some(e) = &policy.with_check {
        sql.push_str(&format!(" WITH CHECK ({e})"));
    }
    sql.push(';');
    sql
}

pub fn create_rule_sql(relation: &QName, rule: &Rule) -> String {
    let mut sql = format!(
        "CREATE RULE {} AS ON {} TO {relation}",
        quote_ident(&rule.name),
        rule.event.sql()
    );
    if let Some(c) = &rule.condition {
        sql.push_str(&format!(" WHERE ({c})"));
    }
    sql.push_str(if rule.instead {
        " DO INSTEAD"
    } else {
        " DO ALSO"
    });
    match rule.actions.as_slice() {
        [] => sql.push_str(" NOTHING"),
        [one] => sql.push_str(&format!(" {one}")),
        many => sql.push_str(&format!(" ({})", many.join("; "))),
    }
    sql.push(';');
    sql
}

pub fn create_statistics_sql(s: &Statistics) -> String {
    let mut sql = format!("CREATE STATISTICS {}", s.name);
    if !s.kinds.is_empty() {
        sql.push_str(&format!(" ({})", s.kinds.join(", ")));
    }
    let elements: Vec<String> = s
        .columns
        .iter()
        .map(|c| quote_ident(c))
        .chain(s.expressions.iter().map(|e| format!("({e})")))
        .collect();
    sql.push_str(&format!(" ON {} FROM {};", elements.join(", "), s.table));
    sql
}

/// `ALTER STATISTICS s SET STATISTICS n` (-1 for the default).
pub fn statistics_target_sql(s: &Statistics) -> String {
    format!(
        "ALTER STATISTICS {} SET STATISTICS {};",
        s.name,
        s.target.unwrap_or(-1)
    )
}

/// One table of a publication's list: `[ONLY] t [(cols)] [WHERE (e)]`.
pub fn publication_table_sql(name: &QName, table: &crate::model::PublicationTable) -> String {
    let mut sql = format!("TABLE ONLY {name}");
    if !table.columns.is_empty() {
        sql.push_str(&format!(" ({})", super::list(&table.columns)));
    }
    if let Some(e) = &table.row_filter {
        sql.push_str(&format!(" WHERE ({e})"));
    }
    sql
}

pub fn create_publication_sql(p: &Publication) -> String {
    let mut sql = format!("CREATE PUBLICATION {}", quote_ident(&p.name));
    let mut objects: Vec<String> = p
        .tables
        .iter()
        .map(|(n, t)| publication_table_sql(n, t))
        .collect();
    objects.extend(
        p.schemas
            .iter()
            .map(|s| format!("TABLES IN SCHEMA {}", quote_ident(s))),
    );
    if p.all_tables {
        sql.push_str(" FOR ALL TABLES");
    } else if !objects.is_empty() {
        sql.push_str(&format!(" FOR {}", objects.join(", ")));
    }
    if !p.options.is_empty() {
        sql.push_str(&format!(" WITH ({})", p.options.join(", ")));
    }
    sql.push(';');
    sql
}

/// The `object` of COMMENT ON for each new kind.
pub fn policy_comment_target(table: &QName, policy: &str) -> String {
    format!("POLICY {} ON {table}", quote_ident(policy))
}
pub fn rule_comment_target(relation: &QName, rule: &str) -> String {
    format!("RULE {} ON {relation}", quote_ident(rule))
}
pub fn statistics_comment_target(name: &QName) -> String {
    format!("STATISTICS {name}")
}
pub fn publication_comment_target(name: &str) -> String {
    format!("PUBLICATION {}", quote_ident(name))
}
pub fn domain_constraint_comment_target(domain: &QName, constraint: &str) -> String {
    format!("CONSTRAINT {} ON DOMAIN {domain}", quote_ident(constraint))
}

/// The `object` part of `COMMENT ON` for a comment target of the model.
pub fn comment_target_sql(target: &crate::diff::CommentTarget) -> String {
    use crate::diff::CommentTarget::*;
    match target {
        Schema { name } => format!("SCHEMA {}", quote_ident(name)),
        Type { name } => format!("TYPE {name}"),
        Domain { name } => format!("DOMAIN {name}"),
        DomainConstraint { domain, name } => domain_constraint_comment_target(domain, name),
        Sequence { name } => format!("SEQUENCE {name}"),
        Table { name } => format!("TABLE {name}"),
        Column { table, column } => format!("COLUMN {table}.{}", quote_ident(column)),
        Constraint { table, name } => format!("CONSTRAINT {} ON {table}", quote_ident(name)),
        Index { name } => format!("INDEX {name}"),
        Trigger { table, name } => format!("TRIGGER {} ON {table}", quote_ident(name)),
        Policy { table, name } => policy_comment_target(table, name),
        Rule { relation, name } => rule_comment_target(relation, name),
        Statistics { name } => statistics_comment_target(name),
        Publication { name } => publication_comment_target(name),
        View { name, materialized: true } => format!("MATERIALIZED VIEW {name}"),
        View { name, .. } => format!("VIEW {name}"),
        Routine { signature, procedure: true } => format!("PROCEDURE {signature}"),
        Routine { signature, .. } => format!("FUNCTION {signature}"),
    }
}
