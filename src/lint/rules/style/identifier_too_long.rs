//! SS808 identifier-too-long.
//!
//! schemashift's reader keeps a name as written, however long, and refuses
//! two names that PostgreSQL's cut to 63 bytes would make one (a data
//! error, `read/validate.rs`); the JSON reader keeps names as they are. So
//! a long name reaches the model, and this rule sees it whichever reader
//! read it.

use super::{Kind, names};
use crate::lint::{Class, Example, Hit, Located, Rule};
use crate::model::Dialect;

pub static RULE: Rule = Rule {
    code: "SS808",
    name: "identifier-too-long",
    class: Class::NonBreaking,
    opt_in: true,
    summary: "A name is longer than the database keeps: over 63 bytes in PostgreSQL, 64 characters in MySQL.",
    why: "PostgreSQL keeps the first 63 bytes of an identifier (NAMEDATALEN − 1) and drops the rest with only a NOTICE: the \
          database's object then has another name than the schema file, every tool that reads the catalog (pg_dump, \
          an ORM's introspection, a schema diff against the live database) sees the cut name, and two long names that \
          share their first 63 bytes are the same name. An enum label over 63 bytes is refused outright. MySQL refuses \
          table, column, index, constraint, view and routine names over 64 characters (error 1059). SQLite has no limit.",
    locks: "None: the rule reads the schema. Renaming a table or a column (`ALTER TABLE … RENAME …`) only changes the \
            catalog, under a brief ACCESS EXCLUSIVE lock; the application must use the new name.",
    instead: "Choose a shorter name, at most 63 bytes (mind multi-byte characters: `é` takes two). Shorten the parts a \
              generated name would repeat: name constraints and indexes yourself (`CONSTRAINT orders_customer_fk …`) rather \
              than letting the database derive them from long table and column names.",
    fires: &[
        // 64 bytes.
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, when_the_customer_first_confirmed_their_email_address_on_the_web date);"),
    ],
    passes: &[
        // Exactly 63 bytes: kept whole.
        Example::new("", "CREATE TABLE t (id bigint PRIMARY KEY, when_the_customer_first_confirmed_their_email_address_on_the_we date);"),
    ],
    check: |ctx| {
        let dialect = ctx.new.dialect;
        names(ctx.new)
            .into_iter()
            .filter_map(|n| {
                let over = match dialect {
                    Dialect::Postgres if n.name.len() > 63 => format!("{} bytes, over PostgreSQL's 63", n.name.len()),
                    Dialect::Mysql if n.kind != Kind::EnumLabel && n.name.chars().count() > 64 => {
                        format!("{} characters, over MySQL's 64", n.name.chars().count())
                    }
                    _ => return None,
                };
                let what = n.kind.word();
                let effect = match (dialect, n.kind) {
                    (Dialect::Postgres, Kind::EnumLabel) => "PostgreSQL refuses it".to_string(),
                    (Dialect::Postgres, _) => format!("PostgreSQL keeps only {:?}", cut(n.name, 63)),
                    _ => "MySQL refuses it".to_string(),
                };
                Some(Hit::new(&n.object, format!("{what} name {:?} is {over}: {effect}", n.name), Located::new(n.location)))
            })
            .collect()
    },
};

/// The first `max` bytes of `name`, not cutting a character (PostgreSQL's
/// `pg_mbcliplen`).
fn cut(name: &str, max: usize) -> &str {
    let mut end = name.len().min(max);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::Options;
    use crate::lint::rules::style::tests::findings;

    #[test]
    fn names_are_cut_at_a_character_boundary() {
        assert_eq!(cut(&"é".repeat(40), 63).len(), 62);
        assert_eq!(cut("short", 63), "short");
    }

    #[test]
    fn every_kind_of_name_is_measured_in_bytes() {
        let long = format!("{}é", "a".repeat(62)); // 62 + 2 bytes, 63 characters
        let sql = format!(
            "CREATE TABLE \"{long}\" (id bigint PRIMARY KEY);\nCREATE INDEX \"i_{long}\" ON \"{long}\" (id);\nCREATE TYPE m AS ENUM ('{long}');"
        );
        let found = findings("SS808", "", &sql, Options::default());
        let what: Vec<&str> = found.iter().map(|f| f.message.split(' ').next().unwrap()).collect();
        assert_eq!(what, ["table", "index", "enum"], "{found:#?}");
        assert!(found.iter().all(|f| f.location.is_some()));
        assert!(found[2].message.contains("refuses"));
    }

    #[test]
    fn a_json_snapshot_keeps_long_names_too() {
        let long = "x".repeat(70);
        let json = format!(
            r#"{{"format": "schemashift/1", "schema": {{"dialect": "postgres", "tables": {{"public.{long}": {{"name": "public.{long}",
               "columns": [{{"name": "id", "type": "bigint", "location": "snap.json:3:5"}}], "location": "snap.json:2:3"}}}}}}}}"#
        );
        let new = crate::read::json::read_json("snap.json", &json).unwrap();
        let old = crate::model::Schema::new(Dialect::Postgres);
        let plan = crate::plan::plan(&old, &new).unwrap();
        let mut options = Options::default();
        options.rules.insert(RULE.name.to_string(), crate::lint::RuleSetting { enabled: Some(true), class: None });
        let found: Vec<_> = crate::lint::lint(&old, &new, &plan, &options, &crate::lint::Texts::default()).findings.into_iter().filter(|f| f.code == RULE.code).collect();
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].message.starts_with("table name") && found[0].message.contains("70 bytes"), "{}", found[0].message);
        assert_eq!(found[0].location.as_ref().map(|l| l.location.to_string()).as_deref(), Some("snap.json:2:3"));
    }

    #[test]
    fn mysql_counts_characters_and_sqlite_has_no_limit() {
        use crate::lint::Context;
        use crate::model::{QName, Schema, Table};
        let lint = |dialect: Dialect, name: &str| {
            let mut new = Schema::new(dialect);
            let table = Table::new(QName::new("", name), crate::model::Location::new("s.sql", 1, 1));
            new.tables.insert(table.name.clone(), table);
            let old = Schema::new(dialect);
            let plan = crate::plan::Plan::default();
            let options = Options::default();
            (RULE.check)(&Context { old: &old, new: &new, plan: &plan, options: &options, statement: None }).into_iter().map(|h| h.message).collect::<Vec<_>>()
        };
        // 64 characters, 128 bytes: MySQL keeps it, PostgreSQL cuts it.
        let wide = "é".repeat(64);
        assert!(lint(Dialect::Mysql, &wide).is_empty());
        assert_eq!(lint(Dialect::Postgres, &wide).len(), 1);
        assert!(lint(Dialect::Mysql, &"a".repeat(65))[0].contains("65 characters, over MySQL's 64: MySQL refuses it"));
        assert!(lint(Dialect::Sqlite, &"a".repeat(300)).is_empty());
    }
}
