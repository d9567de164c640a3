//! SS103 drop-schema.

use super::count;
use crate::diff::Change;
use crate::lint::{Class, Context, Example, Hit, Located, Rule};

pub static RULE: Rule = Rule {
    code: "SS103",
    name: "drop-schema",
    class: Class::Breaking,
    opt_in: false,
    summary: "A schema is dropped with the objects in it.",
    why: "Everything the schema holds goes with it: the rows of its tables, its views, types, functions and sequences. \
          Queries that name any of them fail, and so do those that find them through `search_path`. \
          This one finding stands for all of them: the tables, views, types and functions inside are named in its message \
          and not reported again one by one by `drop-table`, `drop-view` and the others. \
          A schema that is emptied first (its tables moved to another schema) drops nothing and is not reported.",
    locks: "PostgreSQL: `DROP SCHEMA` refuses a schema that still holds objects unless `CASCADE` is given; the planner drops \
            the objects first, each with its own lock (ACCESS EXCLUSIVE on every table and view); in a migration that runs \
            in one transaction, every one of those locks is held until it commits.",
    instead: "Move what must survive to another schema first (`ALTER TABLE archive.t SET SCHEMA public;`, with a \
              `-- schemashift:renamed-from archive.t` hint on the table in the new schema), copy aside the rows of the \
              tables that go, deploy code that no longer uses the schema, then drop it in a later migration.",
    fires: &[Example::new("CREATE SCHEMA archive;\nCREATE TABLE archive.orders (id bigint PRIMARY KEY);", "")],
    passes: &[
        Example::new("", "CREATE SCHEMA archive;"),
        // The schema is emptied: its table moves to another one and keeps its rows.
        Example::new(
            "CREATE SCHEMA archive;\nCREATE TABLE archive.orders (id bigint PRIMARY KEY);",
            "-- schemashift:renamed-from archive.orders\nCREATE TABLE public.orders (id bigint PRIMARY KEY);",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for change in ctx.changes() {
        let Change::DropSchema { schema } = change else { continue };
        let contents = contents(ctx, &schema.name);
        if contents.is_empty() {
            continue;
        }
        let parts: Vec<String> = contents
            .iter()
            .map(|(kind, names)| {
                let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
                let more = if names.len() > shown.len() { ", …" } else { "" };
                format!("{} ({}{more})", count(names.len(), kind), shown.join(", "))
            })
            .collect();
        let rows = contents.iter().any(|(kind, _)| kind.ends_with("table") || *kind == "materialized view");
        let what = if rows { "their rows and definitions are gone" } else { "their definitions are gone" };
        // A schema created without a statement of its own has no place: point at what it held.
        let at = ctx.at(change).or_else(|| first_location(ctx, &schema.name));
        hits.push(Hit::new(
            schema.name.clone(),
            format!("schema {} is dropped with everything in it: {}; {what}", schema.name, parts.join(", ")),
            at,
        ));
    }
    hits
}

/// What the migration drops inside `schema`, by kind, in the changes' order.
fn contents(ctx: &Context, schema: &str) -> Vec<(&'static str, Vec<String>)> {
    let mut kinds: Vec<(&'static str, Vec<String>)> = Vec::new();
    let mut add = |kind: &'static str, name: String| match kinds.iter_mut().find(|(k, _)| *k == kind) {
        Some((_, names)) => names.push(name),
        None => kinds.push((kind, vec![name])),
    };
    for c in ctx.changes() {
        match c {
            Change::DropTable { table } if table.name.schema == schema => add("table", table.name.to_string()),
            Change::DropView { view } if view.name.schema == schema => {
                add(if view.materialized { "materialized view" } else { "view" }, view.name.to_string())
            }
            Change::DropType { user_type } if user_type.name.schema == schema => add("type", user_type.name.to_string()),
            Change::DropFunction { function } if function.name.schema == schema => {
                add(if function.procedure { "procedure" } else { "function" }, function.signature())
            }
            // A sequence owned by a table that goes is part of the table.
            Change::DropSequence { sequence } if sequence.name.schema == schema => {
                let owner_dropped = sequence.owned_by.as_ref().is_some_and(|(t, _)| super::table_dropped(ctx, t));
                if !owner_dropped {
                    add("sequence", sequence.name.to_string());
                }
            }
            Change::DropExtension { extension } if extension.schema == schema => add("extension", extension.name.clone()),
            _ => {}
        }
    }
    kinds
}

fn first_location(ctx: &Context, schema: &str) -> Option<Located> {
    ctx.changes()
        .filter(|c| match c {
            Change::DropTable { table } => table.name.schema == schema,
            Change::DropView { view } => view.name.schema == schema,
            Change::DropType { user_type } => user_type.name.schema == schema,
            Change::DropFunction { function } => function.name.schema == schema,
            Change::DropSequence { sequence } => sequence.name.schema == schema,
            _ => false,
        })
        .find_map(|c| ctx.at(c))
}

#[cfg(test)]
mod tests {
    use super::super::testing::findings;

    #[test]
    fn the_message_names_what_goes_with_the_schema() {
        let old = "CREATE SCHEMA s;\nCREATE TABLE s.a (id serial PRIMARY KEY);\nCREATE TABLE s.b (id int);\n\
                   CREATE VIEW s.v AS SELECT id FROM s.a;\nCREATE TYPE s.mood AS ENUM ('ok');\n\
                   CREATE FUNCTION s.f() RETURNS int LANGUAGE sql AS 'select 1';";
        let f = findings("drop-schema", old, "");
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "schema s is dropped with everything in it: 1 type (s.mood), 2 tables (s.a, s.b), 1 view (s.v), 1 function (s.f()); \
             their rows and definitions are gone"
        );
        // The objects inside are not reported again.
        for rule in ["drop-table", "drop-view", "drop-type", "drop-function", "drop-sequence"] {
            assert!(findings(rule, old, "").is_empty(), "{rule}");
        }
    }
}
