//! One CREATE (or COMMENT) statement per model object, other than tables.

use super::list;
use super::table::collation_sql;
use crate::model::{
    ArgMode, Extension, Function, Index, IndexKey, Namespace, QName, Sequence, SequenceOptions, Trigger, UserType,
    UserTypeKind, View, quote_ident, quote_literal,
};

pub fn create_schema_sql(namespace: &Namespace) -> String {
    format!("CREATE SCHEMA {};", quote_ident(&namespace.name))
}

/// `IF NOT EXISTS` because some extensions (plpgsql) exist in every
/// database; the resulting catalog is the same either way.
pub fn create_extension_sql(extension: &Extension) -> String {
    let mut sql = format!("CREATE EXTENSION IF NOT EXISTS {}", quote_ident(&extension.name));
    if !extension.schema.is_empty() {
        sql.push_str(&format!(" WITH SCHEMA {}", quote_ident(&extension.schema)));
    }
    if let Some(version) = &extension.version {
        sql.push_str(&format!(" VERSION {}", quote_literal(version)));
    }
    sql.push(';');
    sql
}

/// CREATE TYPE (enum, composite) or CREATE DOMAIN.
pub fn create_type_sql(user_type: &UserType) -> String {
    let name = &user_type.name;
    match &user_type.kind {
        UserTypeKind::Enum { values } => {
            let values: Vec<String> = values.iter().map(|v| quote_literal(v)).collect();
            format!("CREATE TYPE {name} AS ENUM ({});", values.join(", "))
        }
        UserTypeKind::Composite { attributes } => {
            let attributes: Vec<String> = attributes
                .iter()
                .map(|a| {
                    let collate =
                        a.collation.as_deref().map(|c| format!(" COLLATE {}", collation_sql(c))).unwrap_or_default();
                    format!("{} {}{collate}", quote_ident(&a.name), a.data_type)
                })
                .collect();
            format!("CREATE TYPE {name} AS ({});", attributes.join(", "))
        }
        UserTypeKind::Range { subtype, options } => {
            let mut all = vec![format!("subtype = {subtype}")];
            all.extend(options.iter().cloned());
            format!("CREATE TYPE {name} AS RANGE ({});", all.join(", "))
        }
        UserTypeKind::Domain { base, default, not_null, collation, checks, .. } => {
            let mut sql = format!("CREATE DOMAIN {name} AS {base}");
            if let Some(c) = collation {
                sql.push_str(&format!(" COLLATE {}", collation_sql(c)));
            }
            if let Some(d) = default {
                sql.push_str(&format!(" DEFAULT {d}"));
            }
            if *not_null {
                sql.push_str(" NOT NULL");
            }
            for (check_name, expr) in checks {
                sql.push_str(&format!(" CONSTRAINT {} CHECK ({expr})", quote_ident(check_name)));
            }
            sql.push(';');
            sql
        }
    }
}

/// The clauses of CREATE SEQUENCE / identity options, defaults omitted.
/// `with_type` is false for identity columns, whose sequence takes the
/// column's type and rejects an explicit `AS`.
pub fn sequence_options_sql(options: &SequenceOptions, with_type: bool) -> Vec<String> {
    let mut parts = Vec::new();
    if let (true, Some(t)) = (with_type, &options.data_type) {
        parts.push(format!("AS {t}"));
    }
    if let Some(n) = options.increment {
        parts.push(format!("INCREMENT BY {n}"));
    }
    if let Some(n) = options.min_value {
        parts.push(format!("MINVALUE {n}"));
    }
    if let Some(n) = options.max_value {
        parts.push(format!("MAXVALUE {n}"));
    }
    if let Some(n) = options.start {
        parts.push(format!("START WITH {n}"));
    }
    if let Some(n) = options.cache {
        parts.push(format!("CACHE {n}"));
    }
    if options.cycle {
        parts.push("CYCLE".into());
    }
    parts
}

/// CREATE SEQUENCE without OWNED BY: the owning table may not exist yet.
pub fn create_sequence_sql(sequence: &Sequence) -> String {
    let options = sequence_options_sql(&sequence.options, true);
    let tail = if options.is_empty() { String::new() } else { format!(" {}", options.join(" ")) };
    format!("CREATE SEQUENCE {}{tail};", sequence.name)
}

/// `ALTER SEQUENCE s OWNED BY t.c;` once the table exists.
pub fn sequence_owned_by_sql(sequence: &Sequence) -> Option<String> {
    let (table, column) = sequence.owned_by.as_ref()?;
    Some(format!("ALTER SEQUENCE {} OWNED BY {table}.{};", sequence.name, quote_ident(column)))
}

/// CREATE FUNCTION or CREATE PROCEDURE, body dollar-quoted with a tag that
/// does not occur in it.
pub fn create_function_sql(function: &Function) -> String {
    let args: Vec<String> = function
        .args
        .iter()
        .map(|a| {
            let mode = match a.mode {
                ArgMode::In => "",
                ArgMode::Out => "OUT ",
                ArgMode::InOut => "INOUT ",
                ArgMode::Variadic => "VARIADIC ",
            };
            let name = a.name.as_deref().map(|n| format!("{} ", quote_ident(n))).unwrap_or_default();
            let default = a.default.as_ref().map(|d| format!(" DEFAULT {}", super::table::default_sql(&a.data_type, d))).unwrap_or_default();
            format!("{mode}{name}{}{default}", a.data_type)
        })
        .collect();
    let kind = if function.procedure { "PROCEDURE" } else { "FUNCTION" };
    let mut sql = format!("CREATE {kind} {}({})", function.name, args.join(", "));
    if let Some(returns) = &function.returns {
        sql.push_str(&format!(" RETURNS {returns}"));
    }
    sql.push_str(&format!(" LANGUAGE {}", quote_ident(&function.language)));
    for attribute in &function.attributes {
        sql.push_str(&format!(" {attribute}"));
    }
    // A SQL-standard body (`RETURN …`, `BEGIN ATOMIC … END`) is SQL, not a string.
    if super::order::has_sql_standard_body(function) {
        sql.push_str(&format!(" {};", function.body));
        return sql;
    }
    // The body exactly as stored: PostgreSQL keeps its whitespace.
    let tag = dollar_tag(&function.body);
    sql.push_str(&format!(" AS {tag}{}{tag};", function.body));
    sql
}

/// `$$`, or `$body$`, `$body1$`, … when the body itself contains the tag.
fn dollar_tag(body: &str) -> String {
    if !body.contains("$$") {
        return "$$".into();
    }
    (0..)
        .map(|n| if n == 0 { "$body$".to_string() } else { format!("$body{n}$") })
        .find(|tag| !body.contains(tag.as_str()))
        .expect("some tag is free")
}

/// CREATE [MATERIALIZED] VIEW; a materialized view declared `WITH NO DATA`
/// is created so (otherwise PostgreSQL fills it when it is created).
pub fn create_view_sql(view: &View) -> String {
    let kind = if view.materialized { "MATERIALIZED VIEW" } else { "VIEW" };
    let mut sql = format!("CREATE {kind} {}", view.name);
    if !view.columns.is_empty() {
        sql.push_str(&format!(" ({})", list(&view.columns)));
    }
    // `options` holds both storage options (`security_barrier=true`) and
    // the trailing `WITH [CASCADED|LOCAL] CHECK OPTION`.
    let (check_option, storage): (Vec<&String>, Vec<&String>) =
        view.options.iter().partition(|o| o.to_uppercase().contains("CHECK OPTION"));
    if !storage.is_empty() {
        let storage: Vec<&str> = storage.iter().map(|s| s.as_str()).collect();
        sql.push_str(&format!(" WITH ({})", storage.join(", ")));
    }
    sql.push_str(&format!(" AS\n{}", view.query.trim_end().trim_end_matches(';')));
    for option in check_option {
        if option.trim_start().to_uppercase().starts_with("WITH") {
            sql.push_str(&format!("\n{option}"));
        } else {
            sql.push_str(&format!("\nWITH {option}"));
        }
    }
    if view.materialized && view.with_no_data {
        sql.push_str("\nWITH NO DATA");
    }
    sql.push(';');
    sql
}

fn index_key_sql(key: &IndexKey) -> String {
    let mut sql = if key.expression { format!("({})", key.expr) } else { quote_ident(&key.expr) };
    if let Some(c) = &key.collation {
        sql.push_str(&format!(" COLLATE {}", collation_sql(c)));
    }
    if let Some(op) = &key.opclass {
        sql.push_str(&format!(" {op}"));
    }
    if key.descending {
        sql.push_str(" DESC");
    }
    match key.nulls_first {
        Some(true) => sql.push_str(" NULLS FIRST"),
        Some(false) => sql.push_str(" NULLS LAST"),
        None => {}
    }
    sql
}

/// CREATE INDEX on a table or materialized view. The index lives in the
/// namespace of its table, so its own name is never qualified.
pub fn create_index_sql(table: &QName, index: &Index) -> String {
    let unique = if index.unique { "UNIQUE " } else { "" };
    let mut sql = format!("CREATE {unique}INDEX {} ON {table}", quote_ident(&index.name));
    if index.method != "btree" {
        sql.push_str(&format!(" USING {}", quote_ident(&index.method)));
    }
    let keys: Vec<String> = index.keys.iter().map(index_key_sql).collect();
    sql.push_str(&format!(" ({})", keys.join(", ")));
    if !index.include.is_empty() {
        sql.push_str(&format!(" INCLUDE ({})", list(&index.include)));
    }
    if index.nulls_not_distinct {
        sql.push_str(" NULLS NOT DISTINCT");
    }
    if !index.with.is_empty() {
        sql.push_str(&format!(" WITH ({})", index.with.join(", ")));
    }
    if let Some(p) = &index.predicate {
        sql.push_str(&format!(" WHERE ({p})"));
    }
    sql.push(';');
    sql
}

pub fn create_trigger_sql(table: &QName, trigger: &Trigger) -> String {
    let level = if trigger.for_each_row { "ROW" } else { "STATEMENT" };
    let constraint = if trigger.constraint { "CONSTRAINT " } else { "" };
    let mut sql = format!(
        "CREATE {constraint}TRIGGER {} {} {} ON {table}",
        quote_ident(&trigger.name),
        trigger.timing,
        trigger.events.join(" OR ")
    );
    if trigger.deferrable {
        sql.push_str(if trigger.initially_deferred { " DEFERRABLE INITIALLY DEFERRED" } else { " DEFERRABLE" });
    }
    if !trigger.referencing.is_empty() {
        sql.push_str(&format!(" REFERENCING {}", trigger.referencing.join(" ")));
    }
    sql.push_str(&format!(" FOR EACH {level}"));
    if let Some(when) = &trigger.when {
        sql.push_str(&format!(" WHEN ({when})"));
    }
    if trigger.execute.trim_start().to_uppercase().starts_with("EXECUTE ") {
        sql.push_str(&format!(" {}", trigger.execute.trim()));
    } else {
        sql.push_str(&format!(" EXECUTE FUNCTION {}", trigger.execute.trim()));
    }
    sql.push(';');
    sql
}

/// `COMMENT ON <object> IS '…';` (or `IS NULL` to remove a comment), where
/// `object` is e.g. `TABLE public.users` or `COLUMN public.users.email`.
pub fn comment_on_sql(object: &str, comment: Option<&str>) -> String {
    format!("COMMENT ON {object} IS {};", comment.map_or("NULL".into(), quote_literal))
}

/// The `object` part of COMMENT ON for a function or procedure.
pub fn function_comment_target(function: &Function) -> String {
    let kind = if function.procedure { "PROCEDURE" } else { "FUNCTION" };
    format!("{kind} {}", function.signature())
}

/// The statement of a rename change (`ALTER TABLE … RENAME …`), without its
/// final newline; `materialized` says whether a renamed view is one. None
/// for any other change.
pub fn rename_sql(change: &crate::diff::Change, materialized: bool) -> Option<String> {
    use crate::diff::Change::*;
    Some(match change {
        RenameTable { from, to } => {
            let mut sql = Vec::new();
            let mut current = from.clone();
            if from.schema != to.schema {
                sql.push(format!("ALTER TABLE {from} SET SCHEMA {};", quote_ident(&to.schema)));
                current = QName::new(to.schema.clone(), from.name.clone());
            }
            if current.name != to.name {
                sql.push(format!("ALTER TABLE {current} RENAME TO {};", quote_ident(&to.name)));
            }
            sql.join("\n")
        }
        RenameColumn { table, from, to } => format!("ALTER TABLE {table} RENAME COLUMN {} TO {};", quote_ident(from), quote_ident(to)),
        RenameIndex { table, from, to } => format!("ALTER INDEX {} RENAME TO {};", QName::new(table.schema.clone(), from.clone()), quote_ident(to)),
        RenameView { from, to } => {
            let kind = if materialized { "MATERIALIZED VIEW" } else { "VIEW" };
            format!("ALTER {kind} {from} RENAME TO {};", quote_ident(&to.name))
        }
        _ => return None,
    })
}
