//! ALTER TABLE actions that set table and column properties, parsed by hand
//! (sqlparser 0.63 rejects most of them): column `SET STATISTICS`, `SET
//! STORAGE`, `SET COMPRESSION`, `SET (…)`/`RESET (…)`; table `SET (…)`/`RESET
//! (…)`, `REPLICA IDENTITY`, `CLUSTER ON`/`SET WITHOUT CLUSTER`, `ENABLE`/
//! `DISABLE` triggers and rules, row-level security, `SET WITHOUT OIDS`.
//!
//! An ALTER TABLE may mix these with actions sqlparser parses (`ADD COLUMN
//! …, ALTER COLUMN c SET STATISTICS 100`): the statement is split, the other
//! actions go on to sqlparser with these blanked out (so that positions in
//! error messages stay right), and these are applied after them, as
//! PostgreSQL runs column additions before property changes.

use super::tokens::Cursor;
use super::{Applied, PgReader, Stmt};
use crate::error::{Error, Result};
use crate::model::{DataType, Enabled, QName, ReplicaIdentity, Storage, UserType, UserTypeKind};
use sqlparser::tokenizer::Token;
use std::collections::BTreeMap;

/// One property action and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Action {
    ColumnStatistics {
        column: String,
        target: Option<i32>,
    },
    /// `None`: `SET STORAGE DEFAULT` (PostgreSQL 16+), the type's own storage.
    ColumnStorage {
        column: String,
        storage: Option<Storage>,
    },
    ColumnCompression {
        column: String,
        method: Option<String>,
    },
    ColumnOptions {
        column: String,
        set: Vec<String>,
        reset: Vec<String>,
    },
    TableOptions {
        set: Vec<String>,
        reset: Vec<String>,
    },
    ReplicaIdentity(Option<ReplicaIdentity>),
    ClusterOn(String),
    SetWithoutCluster,
    /// `name` is `None` for `ALL` and `USER` (every trigger the model holds).
    TriggerEnabled {
        name: Option<String>,
        enabled: Enabled,
    },
    RuleEnabled {
        name: String,
        enabled: Enabled,
    },
    RowLevelSecurity(bool),
    ForceRowLevelSecurity(bool),
    /// `SET WITHOUT OIDS`: accepted and ignored since PostgreSQL 12.
    Nothing,
}

/// The property actions of an ALTER TABLE, and the statement without them.
pub(super) struct Split {
    if_exists: bool,
    table: Vec<String>,
    actions: Vec<(Action, crate::model::Location)>,
    /// The statement with the property actions blanked out, when other
    /// actions remain; `None` when every action is a property action.
    pub rest: Option<String>,
}

/// Words at least one of which every property action contains: statements
/// without any are not tokenized again.
const CUE_WORDS: &[&str] = &[
    "STATISTICS",
    "STORAGE",
    "COMPRESSION",
    "REPLICA",
    "CLUSTER",
    "TRIGGER",
    "RULE",
    "SECURITY",
    "OIDS",
    "RESET",
    "SET",
];

/// Splits the property actions off an `ALTER TABLE`; `None` when it has none.
pub(super) fn split(st: &Stmt<'_>) -> Result<Option<Split>> {
    if !CUE_WORDS
        .iter()
        .any(|w| super::table::contains_word(st.text, w))
    {
        return Ok(None);
    }
    let mut cur = st.tokens()?;
    cur.eat_kw("ALTER");
    if !cur.eat_kw("TABLE") {
        return Ok(None);
    }
    let if_exists = cur.eat_kws(&["IF", "EXISTS"]);
    cur.eat_kw("ONLY");
    let Some(table) = cur.object_name() else {
        return Ok(None);
    };
    cur.eat(&Token::Mul);
    let mut ranges: Vec<Written> = Vec::new();
    while !cur.at_end() {
        let start_pos = cur.pos;
        let start = cur.offset();
        let action = parse_action(st, &mut cur)?;
        // The action ends at the next comma outside parentheses.
        if action.is_none() {
            cur.pos = start_pos;
        }
        let mut depth = 0i32;
        while let Some(t) = cur.peek() {
            match t {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                Token::Comma if depth == 0 => break,
                _ => {}
            }
            if action.is_some() {
                // A property action must end here: anything more is a mistake.
                let found: String = cur.rest().chars().take(30).collect();
                return Err(expected(
                    st,
                    &cur,
                    &format!("`,` or the end of the statement, found `{found}`"),
                ));
            }
            cur.next();
        }
        let end = cur
            .tok(cur.pos.saturating_sub(1))
            .map_or(st.text.len(), |t| t.end)
            .max(start);
        let comma = if cur.peek() == Some(&Token::Comma) {
            let t = cur.tok(cur.pos).expect("peeked");
            let r = (t.start, t.end);
            cur.next();
            Some(r)
        } else {
            None
        };
        ranges.push(Written {
            start,
            end,
            comma,
            action,
        });
    }
    if ranges.iter().all(|r| r.action.is_none()) {
        return Ok(None);
    }
    let rest = if ranges.iter().all(|r| r.action.is_some()) {
        None
    } else {
        // Blank every action and comma, then bring back the other actions
        // and one comma between each two of them.
        let mut text = st.text.to_string();
        for r in &ranges {
            super::tokens::blank_out(&mut text, r.start, r.end);
            if let Some((a, b)) = r.comma {
                super::tokens::blank_out(&mut text, a, b);
            }
        }
        let kept: Vec<&Written> = ranges.iter().filter(|r| r.action.is_none()).collect();
        for (i, r) in kept.iter().enumerate() {
            text.replace_range(r.start..r.end, &st.text[r.start..r.end]);
            if i + 1 < kept.len()
                && let Some((a, b)) = r.comma
            {
                text.replace_range(a..b, &st.text[a..b]);
            }
        }
        Some(text)
    };
    let actions = ranges
        .into_iter()
        .filter_map(|r| {
            let (line, column) = line_column(st.text, r.start);
            r.action.map(|a| (a, st.location_at(line, column)))
        })
        .collect();
    Ok(Some(Split {
        if_exists,
        table,
        actions,
        rest,
    }))
}

/// One action of an ALTER TABLE as written: its byte range, the comma
/// after it, and what it is when it is a property action.
struct Written {
    start: usize,
    end: usize,
    comma: Option<(usize, usize)>,
    action: Option<Action>,
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() as u64 + 1;
    (line, column)
}

fn expected(st: &Stmt<'_>, cur: &Cursor<'_>, what: &str) -> Error {
    let (line, column) = line_column(st.text, cur.offset());
    Error::data(format!("invalid SQL: expected {what}")).at(st.location_at(line, column))
}

/// One property action at the cursor, or `None` (cursor anywhere) when the
/// action is not one of them.
fn parse_action(st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<Option<Action>> {
    if cur.peek_kw("ALTER") {
        cur.next();
        cur.eat_kw("COLUMN");
        let Some(column) = cur.ident() else {
            return Ok(None);
        };
        if cur.eat_kws(&["SET", "STATISTICS"]) {
            if cur.eat_kw("DEFAULT") {
                return Ok(Some(Action::ColumnStatistics {
                    column,
                    target: None,
                }));
            }
            let n = cur
                .integer()
                .ok_or_else(|| expected(st, cur, "a number after SET STATISTICS"))?;
            return Ok(Some(Action::ColumnStatistics {
                column,
                target: statistics_target(st, n)?,
            }));
        }
        if cur.eat_kws(&["SET", "STORAGE"]) {
            if cur.eat_kw("DEFAULT") {
                return Ok(Some(Action::ColumnStorage {
                    column,
                    storage: None,
                }));
            }
            let at = cur.pos;
            let Some(storage) = cur.ident().and_then(|w| Storage::parse(&w)) else {
                cur.pos = at;
                return Err(expected(
                    st,
                    cur,
                    "PLAIN, EXTERNAL, EXTENDED or MAIN after SET STORAGE",
                ));
            };
            return Ok(Some(Action::ColumnStorage {
                column,
                storage: Some(storage),
            }));
        }
        if cur.eat_kws(&["SET", "COMPRESSION"]) {
            let at = cur.pos;
            let method = cur
                .ident()
                .ok_or_else(|| expected(st, cur, "a compression method after SET COMPRESSION"))?;
            let method = compression_method(&method).map_err(|what| {
                cur.pos = at;
                expected(st, cur, &what)
            })?;
            return Ok(Some(Action::ColumnCompression { column, method }));
        }
        if cur.peek_kw("SET") && cur.peek_at(1) == Some(&Token::LParen) {
            cur.next();
            let set = option_list(st, cur, true)?;
            return Ok(Some(Action::ColumnOptions {
                column,
                set,
                reset: vec![],
            }));
        }
        if cur.peek_kw("RESET") && cur.peek_at(1) == Some(&Token::LParen) {
            cur.next();
            let reset = option_list(st, cur, false)?;
            return Ok(Some(Action::ColumnOptions {
                column,
                set: vec![],
                reset,
            }));
        }
        return Ok(None);
    }
    if cur.peek_kw("SET") && cur.peek_at(1) == Some(&Token::LParen) {
        cur.next();
        return Ok(Some(Action::TableOptions {
            set: option_list(st, cur, true)?,
            reset: vec![],
        }));
    }
    if cur.peek_kw("RESET") && cur.peek_at(1) == Some(&Token::LParen) {
        cur.next();
        return Ok(Some(Action::TableOptions {
            set: vec![],
            reset: option_list(st, cur, false)?,
        }));
    }
    if cur.eat_kws(&["REPLICA", "IDENTITY"]) {
        let identity = if cur.eat_kw("DEFAULT") {
            None
        } else if cur.eat_kw("FULL") {
            Some(ReplicaIdentity::Full)
        } else if cur.eat_kw("NOTHING") {
            Some(ReplicaIdentity::Nothing)
        } else if cur.eat_kws(&["USING", "INDEX"]) {
            Some(ReplicaIdentity::Index(
                cur.ident()
                    .ok_or_else(|| expected(st, cur, "an index name"))?,
            ))
        } else {
            return Err(expected(
                st,
                cur,
                "DEFAULT, FULL, NOTHING or USING INDEX after REPLICA IDENTITY",
            ));
        };
        return Ok(Some(Action::ReplicaIdentity(identity)));
    }
    if cur.eat_kws(&["CLUSTER", "ON"]) {
        return Ok(Some(Action::ClusterOn(cur.ident().ok_or_else(|| {
            expected(st, cur, "an index name after CLUSTER ON")
        })?)));
    }
    if cur.eat_kws(&["SET", "WITHOUT", "CLUSTER"]) {
        return Ok(Some(Action::SetWithoutCluster));
    }
    if cur.eat_kws(&["SET", "WITHOUT", "OIDS"]) {
        return Ok(Some(Action::Nothing));
    }
    for (words, on) in [(&["ENABLE"][..], true), (&["DISABLE"][..], false)] {
        if !cur.peek_kw(words[0]) {
            continue;
        }
        let save = cur.pos;
        cur.next();
        if cur.eat_kws(&["ROW", "LEVEL", "SECURITY"]) {
            return Ok(Some(Action::RowLevelSecurity(on)));
        }
        let enabled = if !on {
            Enabled::Disabled
        } else if cur.eat_kw("REPLICA") {
            Enabled::Replica
        } else if cur.eat_kw("ALWAYS") {
            Enabled::Always
        } else {
            Enabled::Origin
        };
        if cur.eat_kw("TRIGGER") {
            let name = if cur.eat_kw("ALL") || cur.eat_kw("USER") {
                None
            } else {
                Some(
                    cur.ident()
                        .ok_or_else(|| expected(st, cur, "a trigger name, ALL or USER"))?,
                )
            };
            return Ok(Some(Action::TriggerEnabled { name, enabled }));
        }
        if cur.eat_kw("RULE") {
            let name = cur
                .ident()
                .ok_or_else(|| expected(st, cur, "a rule name"))?;
            return Ok(Some(Action::RuleEnabled { name, enabled }));
        }
        cur.pos = save;
        return Ok(None);
    }
    if cur.eat_kws(&["FORCE", "ROW", "LEVEL", "SECURITY"]) {
        return Ok(Some(Action::ForceRowLevelSecurity(true)));
    }
    if cur.eat_kws(&["NO", "FORCE", "ROW", "LEVEL", "SECURITY"]) {
        return Ok(Some(Action::ForceRowLevelSecurity(false)));
    }
    Ok(None)
}

/// PostgreSQL takes -1 (the default) to 10000 and lowers larger targets to
/// 10000 with a warning.
fn statistics_target(st: &Stmt<'_>, n: i64) -> Result<Option<i32>> {
    match n {
        -1 => Ok(None),
        n if n < -1 => {
            Err(Error::data(format!("statistics target {n} is too low")).at(st.location()))
        }
        n => Ok(Some(n.min(10_000) as i32)),
    }
}

/// `pglz` or `lz4`; `default` means none (the `default_toast_compression` setting).
fn compression_method(method: &str) -> std::result::Result<Option<String>, String> {
    match method.to_ascii_lowercase().as_str() {
        "default" => Ok(None),
        m @ ("pglz" | "lz4") => Ok(Some(m.to_string())),
        other => Err(format!(
            "pglz, lz4 or default as compression method, found `{other}`"
        )),
    }
}

/// A parenthesized option list at the cursor: `name=value` items as
/// PostgreSQL stores them (`values`), or the bare names of a RESET.
fn option_list(st: &Stmt<'_>, cur: &mut Cursor<'_>, values: bool) -> Result<Vec<String>> {
    let (a, b) = cur
        .paren_group()
        .ok_or_else(|| expected(st, cur, "a parenthesized list"))?;
    let items = storage_parameters(&st.text[a..b], values).map_err(|what| {
        let (line, column) = line_column(st.text, a);
        Error::data(format!("invalid SQL: expected {what}")).at(st.location_at(line, column))
    })?;
    Ok(items)
}

/// The items of a storage parameter list (`fillfactor = 70, toast.autovacuum_enabled
/// = 'false'`) as PostgreSQL keeps them in `reloptions`/`attoptions`: `name=value`,
/// the name folded, the value as its text (a quoted string unquoted, an
/// unquoted word lower-cased, an integer as PostgreSQL prints it), `true`
/// for a name without a value. With `values` false, the names of a RESET list.
pub fn storage_parameters(text: &str, values: bool) -> std::result::Result<Vec<String>, String> {
    let mut cur = Cursor::new(text).map_err(|e| e.message)?;
    let mut out = Vec::new();
    while !cur.at_end() {
        let mut name = cur.ident().ok_or("a parameter name")?;
        if cur.eat(&Token::Period) {
            name = format!(
                "{name}.{}",
                cur.ident().ok_or("a parameter name after `.`")?
            );
        }
        if !values {
            out.push(name);
        } else if cur.eat(&Token::Eq) {
            // One value: a word, a string or a (signed) number.
            let mut value = String::new();
            if cur.eat(&Token::Minus) {
                value.push('-');
            } else {
                cur.eat(&Token::Plus);
            }
            if let Some(t) = cur.peek().filter(|t| **t != Token::Comma) {
                let piece = match t {
                    Token::SingleQuotedString(s) => s.clone(),
                    Token::Number(n, _) if n.bytes().all(|b| b.is_ascii_digit()) => n
                        .parse::<i64>()
                        .map(|v| v.to_string())
                        .unwrap_or_else(|_| n.clone()),
                    Token::Number(n, _) => n.clone(),
                    Token::Word(w) if w.quote_style.is_none() => w.value.to_lowercase(),
                    Token::Word(w) => w.value.clone(),
                    other => other.to_string(),
                };
                value.push_str(&piece);
                cur.next();
            }
            if value.is_empty() || value == "-" {
                return Err("a value after `=`".into());
            }
            out.push(format!("{name}={value}"));
        } else {
            out.push(format!("{name}=true"));
        }
        if !cur.eat(&Token::Comma) && !cur.at_end() {
            return Err("`,` between parameters".into());
        }
    }
    Ok(out)
}

/// `set` merged into `current` (a later value for a name replaces the
/// earlier one), `reset` names removed; sorted, as the model keeps them.
pub fn merge_parameters(current: &mut Vec<String>, set: &[String], reset: &[String]) {
    let name_of = |item: &str| item.split_once('=').map_or(item, |(n, _)| n).to_string();
    for item in set {
        let name = name_of(item);
        current.retain(|c| name_of(c) != name);
        current.push(item.clone());
    }
    current.retain(|c| !reset.contains(&name_of(c)));
    current.sort();
}

/// The storage a column of type `t` gets by default (`pg_type.typstorage`),
/// when it is known: `SET STORAGE` to it is no change, and pg_dump leaves it out.
pub fn default_storage(types: &BTreeMap<QName, UserType>, t: &DataType) -> Option<Storage> {
    if t.array_dims > 0 {
        return Some(Storage::Extended);
    }
    if let Some(user) = QName::parse(&t.name).and_then(|n| types.get(&n)) {
        return match &user.kind {
            UserTypeKind::Enum { .. } => Some(Storage::Plain),
            UserTypeKind::Composite { .. } | UserTypeKind::Range { .. } => Some(Storage::Extended),
            UserTypeKind::Domain { base, .. } if base != t => default_storage(types, base),
            UserTypeKind::Domain { .. } => None,
        };
    }
    let bare = t.name.rsplit('.').next().unwrap_or(&t.name);
    match t.name.as_str() {
        "text" | "character varying" | "character" | "bpchar" | "bytea" | "json" | "jsonb"
        | "jsonpath" | "xml" | "tsvector" | "bit" | "bit varying" | "path" | "polygon"
        | "refcursor" | "txid_snapshot" | "pg_snapshot" => Some(Storage::Extended),
        "numeric" | "inet" | "cidr" => Some(Storage::Main),
        "smallint"
        | "integer"
        | "bigint"
        | "real"
        | "double precision"
        | "boolean"
        | "date"
        | "time without time zone"
        | "time with time zone"
        | "timestamp without time zone"
        | "timestamp with time zone"
        | "interval"
        | "uuid"
        | "money"
        | "point"
        | "line"
        | "lseg"
        | "box"
        | "circle"
        | "macaddr"
        | "macaddr8"
        | "oid"
        | "pg_lsn"
        | "tsquery"
        | "\"char\""
        | "name" => Some(Storage::Plain),
        n if n.ends_with("range") || n.ends_with("multirange") => Some(Storage::Extended),
        // Common extension types, by their own definitions.
        _ if ["citext", "hstore", "ltree"].contains(&bare) => Some(Storage::Extended),
        _ => None,
    }
}

/// Applies the property actions of a split ALTER TABLE.
pub(super) fn apply(r: &mut PgReader, st: &Stmt<'_>, split: Split) -> Result<Applied> {
    let name = match split.table.as_slice() {
        [one] => r.lookup_table(&sqlparser::ast::ObjectName::from(vec![
            sqlparser::ast::Ident::with_quote('"', one.clone()),
        ])),
        parts => r.qname_parts(parts),
    };
    if !r.schema.tables.contains_key(&name) {
        // pg_dump enables and disables the triggers and rules of views with ALTER TABLE too.
        if r.schema.views.contains_key(&name)
            && split.actions.iter().all(|(a, _)| {
                matches!(
                    a,
                    Action::TriggerEnabled { .. } | Action::RuleEnabled { .. }
                )
            })
        {
            return apply_to_view(r, &name, split);
        }
        return Ok(if split.if_exists {
            Applied::Done
        } else {
            Applied::MissingTable(name)
        });
    }
    let schema_types = r.schema.types.clone();
    let table = r.schema.tables.get_mut(&name).expect("checked above");
    // A partition's copies of its parent's indexes and row triggers are
    // made once the whole schema is read (and pg_dump names the cloned
    // triggers it writes a firing state for): they are not checked here.
    let partition = table.partition_of.is_some();
    let mut kept_as_text = false;
    for (action, at) in split.actions {
        let missing_column =
            |c: &str| Error::data(format!("column {c} of {name} does not exist")).at(at.clone());
        match action {
            Action::ColumnStatistics { column, target } => {
                table
                    .column_mut(&column)
                    .ok_or_else(|| missing_column(&column))?
                    .statistics = target;
            }
            Action::ColumnStorage { column, storage } => {
                let col = table
                    .column_mut(&column)
                    .ok_or_else(|| missing_column(&column))?;
                let default = default_storage(&schema_types, &col.data_type);
                if storage.is_some() && default == Some(Storage::Plain) && storage != default {
                    return Err(Error::data(format!(
                        "column data type {} can only have storage PLAIN",
                        col.data_type
                    ))
                    .at(at));
                }
                col.storage = storage.filter(|s| Some(*s) != default);
            }
            Action::ColumnCompression { column, method } => {
                let col = table
                    .column_mut(&column)
                    .ok_or_else(|| missing_column(&column))?;
                if method.is_some()
                    && default_storage(&schema_types, &col.data_type) == Some(Storage::Plain)
                {
                    return Err(Error::data(format!(
                        "column data type {} does not support compression",
                        col.data_type
                    ))
                    .at(at));
                }
                col.compression = method;
            }
            Action::ColumnOptions { column, set, reset } => {
                let col = table
                    .column_mut(&column)
                    .ok_or_else(|| missing_column(&column))?;
                merge_parameters(&mut col.options, &set, &reset);
            }
            Action::TableOptions { set, reset } => merge_parameters(&mut table.with, &set, &reset),
            Action::ReplicaIdentity(identity) => {
                if let Some(ReplicaIdentity::Index(i)) = &identity
                    && !has_index(table, i)
                    && !partition
                {
                    return Err(
                        Error::data(format!("index {i} for table {name} does not exist")).at(at),
                    );
                }
                table.replica_identity = identity;
            }
            Action::ClusterOn(i) => {
                if !has_index(table, &i) && !partition {
                    return Err(
                        Error::data(format!("index {i} for table {name} does not exist")).at(at),
                    );
                }
                table.cluster_on = Some(i);
            }
            Action::SetWithoutCluster => table.cluster_on = None,
            Action::TriggerEnabled {
                name: Some(trigger),
                ..
            } if partition && !table.triggers.contains_key(&trigger) => kept_as_text = true,
            Action::TriggerEnabled {
                name: trigger,
                enabled,
            } => set_trigger_enabled(&mut table.triggers, trigger, enabled, &name, at)?,
            Action::RuleEnabled {
                name: rule,
                enabled,
            } => {
                table
                    .rules
                    .get_mut(&rule)
                    .ok_or_else(|| {
                        Error::data(format!("rule {rule} for table {name} does not exist")).at(at)
                    })?
                    .enabled = enabled;
            }
            Action::RowLevelSecurity(on) => table.row_level_security = on,
            Action::ForceRowLevelSecurity(on) => table.force_row_level_security = on,
            Action::Nothing => {}
        }
    }
    if kept_as_text {
        // With the table name qualified, as pg_dump writes it.
        let text = super::table::qualified_alter_table(r, st.text).unwrap_or_else(|| st.text.to_string());
        r.opaque(&Stmt { text: &text, prepared: None, ..*st }, "ALTER TABLE");
    }
    Ok(Applied::Done)
}

fn apply_to_view(r: &mut PgReader, name: &QName, split: Split) -> Result<Applied> {
    let view = r.schema.views.get_mut(name).expect("checked by the caller");
    for (action, at) in split.actions {
        match action {
            Action::TriggerEnabled {
                name: trigger,
                enabled,
            } => set_trigger_enabled(&mut view.triggers, trigger, enabled, name, at)?,
            Action::RuleEnabled {
                name: rule,
                enabled,
            } => {
                view.rules
                    .get_mut(&rule)
                    .ok_or_else(|| {
                        Error::data(format!("rule {rule} for relation {name} does not exist"))
                            .at(at)
                    })?
                    .enabled = enabled;
            }
            _ => unreachable!("only trigger and rule actions reach a view"),
        }
    }
    Ok(Applied::Done)
}

fn set_trigger_enabled(
    triggers: &mut std::collections::BTreeMap<String, crate::model::Trigger>,
    trigger: Option<String>,
    enabled: Enabled,
    table: &QName,
    at: crate::model::Location,
) -> Result<()> {
    match trigger {
        Some(t) => {
            triggers
                .get_mut(&t)
                .ok_or_else(|| {
                    Error::data(format!("trigger {t} for table {table} does not exist")).at(at)
                })?
                .enabled = enabled;
        }
        None => triggers.values_mut().for_each(|t| t.enabled = enabled),
    }
    Ok(())
}

/// An index of the table by name: one made with CREATE INDEX, or the
/// index of a PRIMARY KEY, UNIQUE or EXCLUDE constraint.
fn has_index(table: &crate::model::Table, name: &str) -> bool {
    table.indexes.contains_key(name)
        || table.constraints.get(name).is_some_and(|c| {
            matches!(
                c.kind,
                crate::model::ConstraintKind::PrimaryKey { .. }
                    | crate::model::ConstraintKind::Unique { .. }
                    | crate::model::ConstraintKind::Exclude { .. }
            )
        })
}

/// What a table keeps that names one of its indexes follows the index's
/// rename (PostgreSQL refers to the index by identity).
pub fn rename_index(table: &mut crate::model::Table, old: &str, new: &str) {
    if table.cluster_on.as_deref() == Some(old) {
        table.cluster_on = Some(new.to_string());
    }
    if let Some(ReplicaIdentity::Index(i)) = &mut table.replica_identity
        && i == old
    {
        *i = new.to_string();
    }
}

/// An index is gone: it no longer clusters the table, and the table's
/// replica identity is what a dump of it would restore, `DEFAULT`
/// (PostgreSQL keeps `USING INDEX` with no index, which acts as `NOTHING`;
/// pg_dump cannot write that).
pub fn forget_index(table: &mut crate::model::Table, name: &str) {
    if table.cluster_on.as_deref() == Some(name) {
        table.cluster_on = None;
    }
    if matches!(&table.replica_identity, Some(ReplicaIdentity::Index(i)) if i == name) {
        table.replica_identity = None;
    }
}

/// After a column's type changed: PostgreSQL gives it the new type's
/// storage and drops its compression method (`ALTER COLUMN … TYPE`).
pub fn reset_after_type_change(column: &mut crate::model::Column) {
    column.storage = None;
    column.compression = None;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_parameters_as_postgres_stores_them() {
        let p = |t: &str| storage_parameters(t, true).unwrap();
        assert_eq!(
            p("fillfactor = 70, autovacuum_enabled = false"),
            ["fillfactor=70", "autovacuum_enabled=false"]
        );
        assert_eq!(
            p("fillfactor='70', autovacuum_enabled='false'"),
            ["fillfactor=70", "autovacuum_enabled=false"]
        );
        assert_eq!(
            p("FILLFACTOR=070, toast.autovacuum_enabled = OFF"),
            ["fillfactor=70", "toast.autovacuum_enabled=off"]
        );
        assert_eq!(
            p("n_distinct = -0.5, autovacuum_enabled"),
            ["n_distinct=-0.5", "autovacuum_enabled=true"]
        );
        assert_eq!(
            storage_parameters("fillfactor, toast.x", false).unwrap(),
            ["fillfactor", "toast.x"]
        );
        assert!(storage_parameters("= 3", true).is_err());
        assert!(storage_parameters("a = ", true).is_err());
        assert!(storage_parameters("a = 1 b = 2", true).is_err());
    }

    #[test]
    fn merging_replaces_and_resets() {
        let mut current = vec![
            "fillfactor=70".to_string(),
            "autovacuum_enabled=false".to_string(),
        ];
        merge_parameters(
            &mut current,
            &["fillfactor=80".into()],
            &["autovacuum_enabled".into()],
        );
        assert_eq!(current, ["fillfactor=80"]);
    }
}
