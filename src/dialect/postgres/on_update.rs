//! MySQL's `ON UPDATE CURRENT_TIMESTAMP`, made into what PostgreSQL has.
//!
//! PostgreSQL has no ON UPDATE for columns: a `BEFORE UPDATE … FOR EACH ROW`
//! trigger does the same. When a snapshot is read for PostgreSQL, each
//! column's ON UPDATE becomes two ordinary model objects, as if the schema
//! had declared them:
//!
//! - a plpgsql function `<schema>.<table>_<column>_on_update()` returning
//!   `trigger`, which sets the column;
//! - a trigger `<column>_on_update` on the table, `BEFORE UPDATE FOR EACH
//!   ROW`, executing it.
//!
//! and the column's `on_update` is cleared. From then on the differ, the
//! planner, the emitter and the self-verification treat them like any other
//! trigger and function: created with the table or column, dropped with it,
//! undone by the down migration, and the replayed SQL reads back to the very
//! same model (a PostgreSQL model never carries `on_update`, which no SQL
//! statement can give it).
//!
//! **One trigger and one function per column**, not one per table: a column
//! gaining, losing or changing its ON UPDATE then touches its own two
//! objects only, and each name follows from the table and column alone.
//! Several such triggers on one table fire in name order (PostgreSQL's rule
//! for triggers of the same event), and the order does not matter: each
//! sets its column only when some other column changed, and it never
//! changes the row unless the row had already changed.
//!
//! **What is reproduced of MySQL**: MySQL sets the column when an UPDATE
//! changes the value of any other column and does not set the column itself.
//! A trigger cannot see which columns an UPDATE names, only the old and new
//! row, so "not set" is read as "not changed": the column is set when the
//! new row differs from the old one and the column's value does not. Where
//! this differs from MySQL: an UPDATE that sets the column explicitly to its
//! current value while changing others gets the current timestamp (MySQL
//! keeps the value), and changes made by BEFORE UPDATE triggers that fire
//! after this one (later in name order) do not count. The value is the
//! snapshot's expression as PostgreSQL reads it: `CURRENT_TIMESTAMP` is the
//! start of the transaction there (of the statement in MySQL), the same
//! time the column's `DEFAULT CURRENT_TIMESTAMP` gives a new row.
//!
//! Names are chosen the way PostgreSQL names the objects it creates
//! implicitly (see [`choose_name`]): cut to fit its 63-byte identifiers,
//! and numbered (`…_on_update1`) when taken — by a function the schema
//! defines (a snapshot's procedure of that name), by a trigger the table
//! has, or by another column's (two long names that differ only past the
//! cut). Taking a free name rather than refusing the schema: the names are
//! schemashift's invention, so a clash with them is no mistake of the
//! user's. Taken names are those of the schema as written, so a name
//! depends on nothing but the schema, and quoting is left to the SQL
//! printer like for any other name.

use super::read::names::choose_name;
use crate::model::{Dialect, Enabled, Expr, Function, Location, QName, Schema, Trigger, quote_ident};
use crate::dialect::postgres::read::canon::{self, Place};
use crate::{Error, Result, Warning};
use std::collections::{HashMap, HashSet};

/// The label PostgreSQL-style generated names end with.
const LABEL: &str = "on_update";

/// One column with an ON UPDATE, as found in the model.
struct OnUpdate {
    table: QName,
    column: String,
    expr: Expr,
    location: Location,
}

/// Replaces the ON UPDATE of every column of a PostgreSQL model by its
/// trigger and trigger function, with a warning for each saying what was
/// made. Models of other dialects keep `on_update` as it is.
///
/// An ON UPDATE that is not one SQL expression is an error at its column:
/// it becomes part of a function body, so it is never copied in unchecked.
pub fn expand(schema: &mut Schema, warnings: &mut Vec<Warning>) -> Result<()> {
    if schema.dialect != Dialect::Postgres {
        return Ok(());
    }
    let found = columns_with_on_update(schema);
    if found.is_empty() {
        return Ok(());
    }
    let mut names = Names { functions: function_names(schema), triggers: HashMap::new() };
    let mut notes = Vec::new();
    for on_update in found {
        notes.push(expand_one(schema, on_update, &mut names)?);
    }
    // In the order of the file, like the reader's other warnings (names
    // were chosen in the model's order, which is sorted by name).
    notes.sort_by_key(|w| (w.location.file.clone(), w.location.line, w.location.column));
    warnings.extend(notes);
    Ok(())
}

/// The names taken so far: functions per namespace, triggers per table.
struct Names {
    functions: HashMap<String, HashSet<String>>,
    triggers: HashMap<QName, HashSet<String>>,
}

/// Gives one column its trigger and function, and says so.
fn expand_one(schema: &mut Schema, on_update: OnUpdate, names: &mut Names) -> Result<Warning> {
    let expr = expression(schema, &on_update)?;
    let OnUpdate { table: table_name, column, location, .. } = on_update;
    let taken = names.functions.entry(table_name.schema.clone()).or_default();
    let function_name =
        QName::new(table_name.schema.clone(), choose_name(&table_name.name, Some(&column), LABEL, taken));
    let table = schema.tables.get_mut(&table_name).expect("the column was found in this table");
    let taken = names.triggers.entry(table_name.clone()).or_insert_with(|| table.triggers.keys().cloned().collect());
    let trigger_name = choose_name(&column, None, LABEL, taken);

    table.triggers.insert(trigger_name.clone(), trigger(&trigger_name, &function_name, &location));
    if let Some(c) = table.column_mut(&column) {
        c.on_update = None;
    }
    let function = function(&function_name, &column, &expr, &location);
    schema.functions.insert(function.signature(), function);
    Ok(Warning {
        message: format!(
            "column {}.{column}: PostgreSQL has no ON UPDATE; ON UPDATE {expr} becomes trigger {} on {table_name} \
             with function {function_name}(), which sets the column when an UPDATE changes the row but not the column",
            table_name.name,
            quote_ident(&trigger_name),
        ),
        location,
    })
}

/// The columns with an ON UPDATE, table by table in the model's (sorted)
/// order and in column order within a table: the order names are chosen in.
fn columns_with_on_update(schema: &Schema) -> Vec<OnUpdate> {
    schema
        .tables
        .values()
        .flat_map(|t| {
            t.columns.iter().filter_map(|c| {
                Some(OnUpdate {
                    table: t.name.clone(),
                    column: c.name.clone(),
                    expr: c.on_update.clone()?,
                    location: c.location.clone(),
                })
            })
        })
        .collect()
}

/// The function names the schema already uses, per namespace. All of them,
/// whatever their arguments: a trigger function takes none, so only a
/// function without arguments would clash, but a second function of the
/// same name would still be confusing to whoever reads the database.
fn function_names(schema: &Schema) -> HashMap<String, HashSet<String>> {
    let mut taken: HashMap<String, HashSet<String>> = HashMap::new();
    for f in schema.functions.values() {
        taken.entry(f.name.schema.clone()).or_default().insert(f.name.name.clone());
    }
    taken
}

/// The ON UPDATE expression as it goes into the function body: checked to
/// be exactly one SQL expression (so that nothing else can be carried into
/// the body, not even a comment that would swallow the `;` after it), then
/// printed back and made canonical the way the column's DEFAULT would be.
fn expression(schema: &Schema, on_update: &OnUpdate) -> Result<String> {
    let parsed = crate::dialect::postgres::read::compat::parser(&on_update.expr.0).and_then(|mut p| {
        let e = p.parse_expr()?;
        p.expect_token(&sqlparser::tokenizer::Token::EOF)?;
        Ok(e)
    });
    let parsed = parsed.map_err(|e| {
        Error::data(format!(
            "column {}.{}: ON UPDATE {} is not a SQL expression ({e})",
            on_update.table.name, on_update.column, on_update.expr
        ))
        .at(on_update.location.clone())
        .help("write one expression, e.g. \"CURRENT_TIMESTAMP\"; it becomes the value the column is set to on UPDATE")
    })?;
    let place = Place::Default { table: &on_update.table, column: &on_update.column };
    let canonical = canon::canonicalize(schema, place, &canon::expr_text(&parsed));
    // A DEFAULT that is just NULL canonicalizes to nothing (PostgreSQL
    // stores none); as a value to assign it is NULL.
    Ok(if canonical.is_empty() { "NULL".into() } else { canonical })
}

/// `BEFORE UPDATE … FOR EACH ROW EXECUTE FUNCTION <function>()`, in the
/// canonical form the PostgreSQL reader gives the same statement.
fn trigger(name: &str, function: &QName, location: &Location) -> Trigger {
    Trigger {
        name: name.to_string(),
        timing: "BEFORE".into(),
        events: vec!["UPDATE".into()],
        for_each_row: true,
        when: None,
        execute: format!("{function}()"),
        referencing: Vec::new(),
        constraint: false,
        deferrable: false,
        initially_deferred: false,
        enabled: Enabled::default(),
        comment: None,
        location: location.clone(),
    }
}

/// The trigger function: `RETURNS trigger LANGUAGE plpgsql`, volatile (the
/// default; it reads the clock), with the body of [`body`].
fn function(name: &QName, column: &str, expr: &str, location: &Location) -> Function {
    Function {
        name: name.clone(),
        procedure: false,
        args: Vec::new(),
        returns: Some("trigger".into()),
        language: "plpgsql".into(),
        body: body(column, expr),
        attributes: Vec::new(),
        comment: None,
        location: location.clone(),
    }
}

/// The plpgsql body. Two comparisons, each chosen for what it must accept:
///
/// - the row: `NEW *<> OLD` compares the rows' stored bytes, which every
///   type has; `NEW IS DISTINCT FROM OLD` needs an `=` for every column and
///   fails at run time on a table with a `json` column (it has none);
/// - the column: `IS NOT DISTINCT FROM`, because the column is a timestamp
///   (MySQL allows ON UPDATE on TIMESTAMP and DATETIME only), and NULL to
///   NULL is no change.
///
/// The column name is quoted when needed and appears nowhere else (not in
/// the comments, where a name with a line break would end the comment).
fn body(column: &str, expr: &str) -> String {
    let col = quote_ident(column);
    format!(
        "
BEGIN
    -- MySQL's ON UPDATE: set the column when an UPDATE changes the row but not the column.
    IF NEW *<> OLD AND NEW.{col} IS NOT DISTINCT FROM OLD.{col} THEN
        NEW.{col} := {expr};
    END IF;
    RETURN NEW;
END;
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, DataType, Table};

    fn column(name: &str, on_update: Option<&str>) -> Column {
        let mut c = Column::new(
            name.into(),
            DataType::parse("timestamp without time zone").unwrap(),
            Location::new("s.json", 3, 5),
        );
        c.on_update = on_update.map(|e| Expr(e.into()));
        c
    }

    fn schema(tables: &[(&str, &str, Vec<Column>)]) -> Schema {
        let mut s = Schema::new(Dialect::Postgres);
        for (ns, name, columns) in tables {
            let mut t = Table::new(QName::new(*ns, *name), Location::default());
            t.columns = columns.clone();
            s.tables.insert(t.name.clone(), t);
        }
        s
    }

    fn expanded(mut s: Schema) -> (Schema, Vec<Warning>) {
        let mut warnings = Vec::new();
        expand(&mut s, &mut warnings).expect("expands");
        (s, warnings)
    }

    #[test]
    fn a_column_gets_its_trigger_and_function() {
        let (s, warnings) = expanded(schema(&[(
            "public",
            "users",
            vec![column("id", None), column("updated_at", Some("CURRENT_TIMESTAMP"))],
        )]));
        let users = &s.tables[&QName::new("public", "users")];
        assert_eq!(users.column("updated_at").unwrap().on_update, None, "the column's ON UPDATE is now the trigger");
        assert_eq!(users.triggers.keys().collect::<Vec<_>>(), ["updated_at_on_update"]);
        let t = &users.triggers["updated_at_on_update"];
        assert_eq!(
            (t.timing.as_str(), t.events.as_slice(), t.for_each_row),
            ("BEFORE", &["UPDATE".to_string()][..], true)
        );
        assert_eq!(t.execute, "public.users_updated_at_on_update()");
        assert_eq!((t.location.line, t.location.column), (3, 5), "at the column");
        let f = &s.functions["public.users_updated_at_on_update()"];
        assert_eq!((f.returns.as_deref(), f.language.as_str()), (Some("trigger"), "plpgsql"));
        assert!(
            f.body.contains("    IF NEW *<> OLD AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN\n"),
            "{}",
            f.body
        );
        assert!(f.body.contains("        NEW.updated_at := CURRENT_TIMESTAMP;\n"), "{}", f.body);
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].message.contains("becomes trigger updated_at_on_update on public.users"),
            "{}",
            warnings[0].message
        );
    }

    #[test]
    fn two_columns_of_one_table_get_one_trigger_each() {
        let (s, _) = expanded(schema(&[(
            "public",
            "t",
            vec![column("b_at", Some("CURRENT_TIMESTAMP")), column("a_at", Some("LOCALTIMESTAMP"))],
        )]));
        let t = &s.tables[&QName::new("public", "t")];
        assert_eq!(t.triggers.keys().collect::<Vec<_>>(), ["a_at_on_update", "b_at_on_update"]);
        assert_eq!(s.functions.keys().collect::<Vec<_>>(), ["public.t_a_at_on_update()", "public.t_b_at_on_update()"]);
        assert!(s.functions["public.t_a_at_on_update()"].body.contains("NEW.a_at := LOCALTIMESTAMP;"));
    }

    #[test]
    fn names_are_quoted_in_the_body_and_in_sql() {
        let (s, _) = expanded(schema(&[("App", "Order Items", vec![column("Updated At", Some("now()"))])]));
        let f = &s.functions["\"App\".\"Order Items_Updated At_on_update\"()"];
        assert!(f.body.contains("NEW.\"Updated At\" IS NOT DISTINCT FROM OLD.\"Updated At\""), "{}", f.body);
        assert!(f.body.contains("NEW.\"Updated At\" := now();"), "{}", f.body);
        let t = &s.tables[&QName::new("App", "Order Items")].triggers["Updated At_on_update"];
        assert_eq!(t.execute, "\"App\".\"Order Items_Updated At_on_update\"()");
    }

    #[test]
    fn long_names_are_cut_to_63_bytes_and_numbered_when_they_meet() {
        let long_table = "t".repeat(40);
        let (a, b) = (format!("{}_a", "c".repeat(60)), format!("{}_b", "c".repeat(60)));
        let (s, _) = expanded(schema(&[(
            "public",
            &long_table,
            vec![column(&a, Some("CURRENT_TIMESTAMP")), column(&b, Some("CURRENT_TIMESTAMP"))],
        )]));
        let t = &s.tables[&QName::new("public", long_table.as_str())];
        // Whose trigger and function is whose, by the column the body sets.
        let of = |column: &str| {
            let f = s
                .functions
                .values()
                .find(|f| f.body.contains(&format!("NEW.{column} :=")))
                .expect("a function per column");
            let (name, _) =
                t.triggers.iter().find(|(_, tr)| tr.execute == format!("{}()", f.name)).expect("its trigger");
            (name.clone(), f.name.name.clone())
        };
        // PostgreSQL's cut: the label is kept whole, the name before it cut
        // to fit 63 bytes. The columns differ only after their first 53
        // bytes, so the second is numbered, which costs it one more byte.
        let (a_trigger, a_function) = of(&a);
        let (b_trigger, b_function) = of(&b);
        assert_eq!(a_trigger, format!("{}_on_update", "c".repeat(53)));
        assert_eq!(b_trigger, format!("{}_on_update1", "c".repeat(52)));
        // Table and column: the longer loses bytes first, down to 26 each.
        assert_eq!(a_function, format!("{}_{}_on_update", "t".repeat(26), "c".repeat(26)));
        assert_eq!(b_function, format!("{}_{}_on_update1", "t".repeat(26), "c".repeat(25)));
        for name in [a_trigger, b_trigger, a_function, b_function] {
            assert_eq!(name.len(), 63, "{name}");
        }
    }

    #[test]
    fn names_cut_inside_a_multibyte_character_stay_valid() {
        let table = "é".repeat(40); // 80 bytes
        let (s, _) = expanded(schema(&[("public", &table, vec![column("ü", Some("CURRENT_TIMESTAMP"))])]));
        let f = s.functions.values().next().unwrap();
        assert!(f.name.name.len() <= 63 && f.name.name.ends_with("_ü_on_update"), "{}", f.name.name);
    }

    #[test]
    fn names_taken_by_the_schema_are_avoided() {
        let mut s = schema(&[("public", "users", vec![column("updated_at", Some("CURRENT_TIMESTAMP"))])]);
        // A procedure of the function's name, and a trigger of the trigger's.
        let mut own = function(&QName::new("public", "users_updated_at_on_update"), "x", "1", &Location::default());
        own.procedure = true;
        own.returns = None;
        s.functions.insert(own.signature(), own.clone());
        let users = s.tables.get_mut(&QName::new("public", "users")).unwrap();
        users
            .triggers
            .insert("updated_at_on_update".into(), trigger("updated_at_on_update", &own.name, &Location::default()));
        let (s, _) = expanded(s);
        let users = &s.tables[&QName::new("public", "users")];
        assert_eq!(users.triggers.keys().collect::<Vec<_>>(), ["updated_at_on_update", "updated_at_on_update1"]);
        assert_eq!(users.triggers["updated_at_on_update1"].execute, "public.users_updated_at_on_update1()");
        assert_eq!(s.functions["public.users_updated_at_on_update()"], own, "the schema's own procedure is untouched");
    }

    #[test]
    fn the_same_name_in_two_schemas_is_no_clash() {
        let (s, _) = expanded(schema(&[
            ("a", "t", vec![column("u", Some("CURRENT_TIMESTAMP"))]),
            ("b", "t", vec![column("u", Some("CURRENT_TIMESTAMP"))]),
        ]));
        assert_eq!(s.functions.keys().collect::<Vec<_>>(), ["a.t_u_on_update()", "b.t_u_on_update()"]);
    }

    #[test]
    fn the_expression_is_one_expression_printed_back() {
        let (s, _) = expanded(schema(&[("public", "t", vec![column("u", Some("NOW() -- the clock"))])]));
        assert!(s.functions["public.t_u_on_update()"].body.contains("NEW.u := now();\n"));
        for bad in ["now(); DROP TABLE t", "now()) ; SELECT (1", "CURRENT_TIMESTAMP ON UPDATE"] {
            let mut s = schema(&[("public", "t", vec![column("u", Some(bad))])]);
            let e = expand(&mut s, &mut Vec::new()).expect_err(bad);
            assert_eq!(e.kind, crate::ErrorKind::Data, "{bad}: {e}");
            let at = e.location.as_ref().map(|l| (l.file.as_ref(), l.line, l.column));
            assert_eq!(at, Some(("s.json", 3, 5)), "{bad}: at the column");
            assert!(e.message.contains("t.u: ON UPDATE"), "{e}");
        }
    }

    #[test]
    fn the_sql_of_the_objects_reads_back_to_the_same_objects() {
        // Odd names included: quoting, a `$$` in a column name (the body's
        // dollar quote must change), a name cut inside a multibyte character.
        let (s, _) = expanded(schema(&[
            ("public", "users", vec![column("id", None), column("updated_at", Some("CURRENT_TIMESTAMP"))]),
            (
                "App",
                "Order Items",
                vec![column("Updated At", Some("now()")), column("a$$b", Some("LOCALTIMESTAMP(3)"))],
            ),
            ("public", &"é".repeat(40), vec![column("ü", Some("CURRENT_TIMESTAMP"))]),
        ]));
        let mut s = s;
        s.schemas.insert(
            "App".into(),
            crate::model::Namespace { name: "App".into(), comment: None, location: Location::default() },
        );
        let sql = crate::dialect::postgres::render::render_schema(&s);
        let file =
            crate::source::SourceFile { path: "rendered.sql".into(), bytes: sql.clone().into_bytes(), blob_id: None };
        let (back, _) = crate::read::read_schema(&[file], Dialect::Postgres).unwrap_or_else(|e| panic!("{e}\n{sql}"));
        assert_eq!(back.functions, s.functions, "{sql}");
        for (name, table) in &s.tables {
            assert_eq!(back.tables[name].triggers, table.triggers, "{sql}");
        }
        assert_eq!(back, s, "{sql}");
    }

    #[test]
    fn other_dialects_keep_on_update() {
        let mut s = schema(&[("", "t", vec![column("u", Some("CURRENT_TIMESTAMP"))])]);
        s.dialect = Dialect::Mysql;
        let (s, warnings) = expanded(s);
        assert!(s.functions.is_empty() && warnings.is_empty());
        assert_eq!(s.tables[&QName::new("", "t")].columns[0].on_update, Some(Expr("CURRENT_TIMESTAMP".into())));
    }
}
