//! The PostgreSQL reader: applies statements, in order, to a model.
//!
//! Statements are split by [`crate::dialect::postgres::split`], classified by their
//! leading key words, and then either parsed by sqlparser (most DDL) or by
//! hand (forms sqlparser 0.63 rejects but pg_dump writes). Anything that is
//! valid SQL but not modelled becomes an [`Opaque`] object with a warning;
//! a statement of a modelled kind that does not parse is an error.

pub mod canon;
pub mod compat;
mod follow;
mod function;
pub(crate) mod grant;
mod hand;
mod hints;
mod inherit;
mod keywords;
pub(crate) mod names;
mod objects;
pub mod opaque;
mod policy;
pub mod prepare;
pub mod properties;
mod publication;
mod rule;
mod statistics;
mod table;
mod tokens;
mod using_index;
pub mod validate;
pub mod types;

use crate::error::{Error, Result, Warning};
use crate::model::{Dialect, Location, Opaque, QName, Schema};
use crate::dialect::postgres::split::RawStatement;
use sqlparser::ast::{self, Ident, ObjectName, ObjectNamePart, Statement};
use prepare::Prepared;
use std::sync::Arc;
use tokens::Cursor;

/// What applying one statement did.
pub enum Applied {
    Done,
    /// The statement refers to a table that does not exist yet; with a schema
    /// split over several files it may be created by a later file.
    MissingTable(QName),
}

/// One statement being applied: its text and where it came from.
pub struct Stmt<'a> {
    pub text: &'a str,
    pub file: &'a str,
    pub line: u32,
    pub column: u32,
    pub leading_comments: &'a [&'a str],
    /// Tokens and parse made earlier (see [`prepare`]), with the text they
    /// were made from: they stand for `text` only while it is that very text
    /// (a statement rewritten into a new string is tokenized again).
    pub prepared: Option<(&'a str, &'a Prepared)>,
}

impl<'a> Stmt<'a> {
    /// A cursor over the statement's tokens, or a data error where they
    /// cannot be told apart (an unterminated string, a stray character).
    pub fn tokens(&self) -> Result<Cursor<'a>> {
        self.cursor().map_err(|e| Error::data(e.message).at(self.location_at(e.line, e.column)))
    }

    /// A cursor over the statement's tokens.
    pub fn cursor(&self) -> std::result::Result<Cursor<'a>, tokens::TokenError> {
        match self.prepared {
            Some((text, p)) if std::ptr::eq(text, self.text) && !p.head_only() => match p.toks() {
                Ok(toks) => Ok(Cursor::over(self.text, toks)),
                Err(e) => Err(e.clone()),
            },
            _ => Cursor::new(self.text),
        }
    }

    /// A cursor over at least the statement's first tokens, enough to tell
    /// what kind of statement it is (all of them unless the statement was
    /// prepared as one whose tokens are not walked: see [`Prepared`]).
    fn head_cursor(&self) -> std::result::Result<Cursor<'a>, tokens::TokenError> {
        match self.prepared {
            Some((text, p)) if std::ptr::eq(text, self.text) => match p.toks() {
                Ok(toks) => Ok(Cursor::over(self.text, toks)),
                Err(e) => Err(e.clone()),
            },
            _ => Cursor::new(self.text),
        }
    }

    pub fn location(&self) -> Location {
        Location::new(self.file, self.line, self.column)
    }
    /// Just past the last character of the statement: where an unexpected end is reported.
    pub fn end_location(&self) -> Location {
        let lines = self.text.split('\n').count() as u64;
        let last = self.text.rsplit('\n').next().unwrap_or("");
        self.location_at(lines, last.chars().count() as u64 + 1)
    }

    /// The file position of a 1-based line/column inside the statement text.
    pub fn location_at(&self, line: u64, column: u64) -> Location {
        let line = line.max(1) as u32;
        let column = column.max(1) as u32;
        if line == 1 {
            Location::new(self.file, self.line, self.column + column - 1)
        } else {
            Location::new(self.file, self.line + line - 1, column)
        }
    }
}

pub struct PgReader {
    pub schema: Schema,
    pub warnings: Vec<Warning>,
    /// `SET search_path`: where unqualified names are created and looked up.
    search_path: Vec<String>,
    /// (namespace, name) of every index and constraint created so far (a
    /// superset: drops are not removed). Generated names are checked against
    /// the model only when this says the name may be taken; scanning every
    /// table for each unnamed index would make reading quadratic.
    taken_names: std::collections::HashSet<(String, String)>,
    /// Names taken by objects that are not in the model but exist beside it
    /// (see [`replay_part`]).
    outside: Option<OutsideNames>,
}

pub use crate::dialect::OutsideNames;

impl Default for PgReader {
    fn default() -> Self {
        PgReader::new()
    }
}

impl PgReader {
    pub fn new() -> PgReader {
        PgReader {
            schema: Schema::new(Dialect::Postgres),
            warnings: Vec::new(),
            search_path: vec!["public".into()],
            taken_names: Default::default(),
            outside: None,
        }
    }

    /// Records an index or constraint name (see `taken_names`).
    pub fn note_name(&mut self, schema: &str, name: &str) {
        self.taken_names.insert((schema.to_string(), name.to_string()));
    }

    /// A reader that applies statements on top of an existing model: how a
    /// migration is replayed onto the schema it starts from.
    pub fn from_schema(schema: Schema) -> PgReader {
        let mut taken_names = std::collections::HashSet::new();
        for t in schema.tables.values() {
            for n in t.indexes.keys().chain(t.constraints.keys()) {
                taken_names.insert((t.name.schema.clone(), n.clone()));
            }
        }
        for v in schema.views.values() {
            for n in v.indexes.keys() {
                taken_names.insert((v.name.schema.clone(), n.clone()));
            }
        }
        PgReader { schema, warnings: Vec::new(), search_path: vec!["public".into()], taken_names, outside: None }
    }

    /// A reader in the same state, to read on from here with other statements.
    pub fn fork(&self) -> PgReader {
        PgReader {
            schema: self.schema.clone(),
            warnings: self.warnings.clone(),
            search_path: self.search_path.clone(),
            taken_names: self.taken_names.clone(),
            outside: None,
        }
    }

    /// The schema unqualified names are created in.
    pub fn default_schema(&self) -> &str {
        self.search_path.first().map_or("public", String::as_str)
    }

    pub fn warn(&mut self, location: Location, message: impl Into<String>) {
        self.warnings.push(Warning { message: message.into(), location });
    }

    /// Applies one statement of a file.
    pub fn apply(&mut self, file: &str, raw: &RawStatement<'_>) -> Result<Applied> {
        self.apply_prepared(file, raw, &Prepared::new(raw.text))
    }

    /// Applies one statement of a file, tokenized and parsed beforehand
    /// (from the same text, possibly from another revision's copy of the file).
    pub fn apply_prepared(&mut self, file: &str, raw: &RawStatement<'_>, prepared: &Prepared) -> Result<Applied> {
        let st = Stmt {
            text: raw.text,
            file,
            line: raw.line,
            column: raw.column,
            leading_comments: &raw.leading_comments,
            prepared: Some((raw.text, prepared)),
        };
        // Classifying takes the first tokens; the statements prepared with
        // only those (CREATE TABLE, INDEX, VIEW) go where the cursor is not used further.
        let cur = st.head_cursor().map_err(|e| {
            Error::data(format!("cannot read this statement: {}", e.message)).at(st.location_at(e.line, e.column))
        })?;
        if cur.at_end() {
            return Ok(Applied::Done);
        }
        self.dispatch(&st, cur)
    }

    fn dispatch(&mut self, st: &Stmt<'_>, mut cur: Cursor<'_>) -> Result<Applied> {
        let first = match cur.peek() {
            Some(sqlparser::tokenizer::Token::Word(w)) if w.quote_style.is_none() => w.value.to_ascii_uppercase(),
            _ => return Err(not_a_statement(st)),
        };
        match first.as_str() {
            // Session settings: only search_path changes how names resolve.
            "SET" | "RESET" => {
                hand::set(self, st, &mut cur);
                Ok(Applied::Done)
            }
            "SELECT" if st.text.contains("set_config") => {
                hand::select_set_config(self, st);
                Ok(Applied::Done)
            }
            // Transaction control and data statements do not change the schema
            // (Rails' structure.sql ends with INSERTs into schema_migrations).
            "BEGIN" | "COMMIT" | "START" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" | "SELECT" | "INSERT"
            | "UPDATE" | "DELETE" | "COPY" | "VALUES" | "WITH" | "ANALYZE" | "VACUUM" | "CHECKPOINT" | "LOCK"
            | "NOTIFY" | "LISTEN" | "DISCARD" | "TRUNCATE" | "CLUSTER" | "REINDEX" => Ok(Applied::Done),
            "REFRESH" => {
                hand::refresh(self, st);
                Ok(Applied::Done)
            }
            "CREATE" => self.create(st, cur),
            "ALTER" => self.alter(st, cur),
            "DROP" => objects::drop(self, st),
            "COMMENT" => hand::comment(self, st, &mut cur),
            "GRANT" | "REVOKE" => grant::grant_or_revoke(self, st, &mut cur),
            "SECURITY" | "DO" | "CALL" | "IMPORT" => {
                // Privileges and anonymous code are kept and compared as text.
                self.opaque(st, &first);
                Ok(Applied::Done)
            }
            // The other commands (SHOW, EXPLAIN, PREPARE, …) change no schema.
            word if keywords::COMMANDS.contains(&word) => Ok(Applied::Done),
            _ => Err(unknown_word(st, &first, keywords::COMMANDS, "", 0, "a SQL command")),
        }
    }

    fn create(&mut self, st: &Stmt<'_>, mut cur: Cursor<'_>) -> Result<Applied> {
        cur.next();
        let Some(kind) = create_kind(&mut cur) else { return Err(expected_at(st, &cur, "what to create (TABLE, INDEX, VIEW, …)")) };
        let at = cur.offset();
        match kind.as_str() {
            "TABLE" => table::create_table(self, st),
            "INDEX" => objects::create_index(self, st),
            "VIEW" | "MATERIALIZED" => objects::create_view(self, st),
            "SEQUENCE" => hand::create_sequence(self, st, &mut cur),
            "SCHEMA" => hand::create_schema(self, st, &mut cur),
            "EXTENSION" => hand::create_extension(self, st, &mut cur),
            "TYPE" => objects::create_type(self, st),
            "DOMAIN" => objects::create_domain(self, st),
            "FUNCTION" | "PROCEDURE" => function::create_function(self, st),
            "TRIGGER" => objects::create_trigger(self, st),
            "POLICY" => policy::create_policy(self, st),
            "RULE" => rule::create_rule(self, st),
            "STATISTICS" => statistics::create_statistics(self, st),
            "PUBLICATION" => publication::create_publication(self, st),
            _ => {
                // CREATE AGGREGATE, OPERATOR, CAST, COLLATION, EVENT TRIGGER, …:
                // kept as text, under their whole kind (`CREATE TEXT SEARCH DICTIONARY`),
                // and so are roles, databases and tablespaces; anything else is a mistake.
                let kind = match opaque::statement_kind(st.text) {
                    Some((_, k)) => k,
                    None if keywords::CLUSTER_KINDS.contains(&kind.as_str()) => kind,
                    None => return Err(unknown_word(st, &kind, keywords::CREATE_KINDS, "CREATE ", at, "what to create")),
                };
                self.opaque(st, &format!("CREATE {kind}"));
                Ok(Applied::Done)
            }
        }
    }

    fn alter(&mut self, st: &Stmt<'_>, mut cur: Cursor<'_>) -> Result<Applied> {
        if hand::is_owner_to(st.text) {
            // Ownership depends on the role that runs the migration; like
            // pg_dump --no-owner, schemashift does not manage it.
            return Ok(Applied::Done);
        }
        cur.next();
        let at = cur.offset();
        let kind = match cur.peek() {
            Some(sqlparser::tokenizer::Token::Word(w)) => w.value.to_ascii_uppercase(),
            _ => return Err(expected_at(st, &cur, "what to alter (TABLE, INDEX, VIEW, …)")),
        };
        if let Some((_, opaque_kind)) = opaque::statement_kind(st.text) {
            // The other statements about an object kept as text, like its CREATE.
            self.opaque(st, &format!("ALTER {opaque_kind}"));
            return Ok(Applied::Done);
        }
        match kind.as_str() {
            "TABLE" => table::alter_table(self, st, &mut cur),
            "POLICY" => policy::alter_policy(self, st),
            "RULE" => rule::alter_rule(self, st),
            "STATISTICS" => statistics::alter_statistics(self, st),
            "PUBLICATION" => publication::alter_publication(self, st),
            "SEQUENCE" => hand::alter_sequence(self, st, &mut cur),
            "INDEX" => objects::alter_index(self, st, &mut cur),
            "TYPE" => objects::alter_type(self, st),
            "DOMAIN" => objects::alter_domain(self, st, &mut cur),
            "SCHEMA" | "VIEW" | "MATERIALIZED" => objects::alter_rename(self, st, &mut cur),
            "DEFAULT" => {
                self.opaque(st, "ALTER DEFAULT PRIVILEGES");
                Ok(Applied::Done)
            }
            _ if keywords::ALTER_KINDS.contains(&kind.as_str()) => {
                self.opaque(st, &format!("ALTER {kind}"));
                Ok(Applied::Done)
            }
            _ => Err(unknown_word(st, &kind, keywords::ALTER_KINDS, "ALTER ", at, "what to alter")),
        }
    }

    /// Whether an object kept as text (see [`opaque`]) has this identity,
    /// e.g. `FOREIGN TABLE public.remote`.
    pub fn has_opaque_object(&self, identity: &str) -> bool {
        let default_schema = self.default_schema().to_string();
        self.schema.opaque.iter().any(|o| o.kind.starts_with("CREATE ") && opaque::identity(o, &default_schema).as_deref() == Some(identity))
    }

    /// Keeps a statement as text; `warn` when it is something the user may
    /// expect schemashift to understand.
    /// Keeps a statement as text. No warning here: the planner says so when
    /// such a statement changes, not every read of a schema that holds it.
    pub fn opaque(&mut self, st: &Stmt<'_>, kind: &str) {
        let text = opaque::normalize(st.text);
        self.schema.opaque.push(Opaque { kind: kind.to_string(), text, location: st.location() });
    }

    /// Parses statement text (possibly rewritten) with sqlparser, or takes
    /// the parse prepared for that text.
    pub fn parse(&self, st: &Stmt<'_>, text: &str) -> Result<Statement> {
        let shared = self.parse_shared(st, text)?;
        Ok(match Arc::try_unwrap(shared.0) {
            Ok(mut only) => only.remove(0),
            Err(shared) => shared[0].clone(),
        })
    }

    /// [`PgReader::parse`] without a copy of a parse the readers of two revisions share.
    pub fn parse_shared(&self, st: &Stmt<'_>, text: &str) -> Result<ParsedStatement> {
        let result = match st.prepared.and_then(|(_, p)| p.parsed()).and_then(|p| p.get(text)) {
            Some(result) => result,
            None => compat::parser(text).and_then(|mut p| p.parse_statements()).map(Arc::new),
        };
        let stmts = result.map_err(|e| parse_error(st, &e.to_string()))?;
        match stmts.len() {
            1 => Ok(ParsedStatement(stmts)),
            _ => Err(Error::data("expected exactly one statement").at(st.location())),
        }
    }

    /// An object name resolved against the search path.
    pub fn qname(&self, name: &ObjectName) -> QName {
        let parts: Vec<String> = name.0.iter().map(part_name).collect();
        self.qname_parts(&parts)
    }

    pub fn qname_parts(&self, parts: &[String]) -> QName {
        match parts {
            [name] => QName::new(self.default_schema(), name.clone()),
            [.., schema, name] => QName::new(schema.clone(), name.clone()),
            [] => QName::new(self.default_schema(), ""),
        }
    }

    /// The table a name refers to, looking through the search path for unqualified names.
    pub fn lookup_table(&self, name: &ObjectName) -> QName {
        let parts: Vec<String> = name.0.iter().map(part_name).collect();
        if parts.len() == 1 {
            for schema in &self.search_path {
                let q = QName::new(schema.clone(), parts[0].clone());
                if self.schema.tables.contains_key(&q) {
                    return q;
                }
            }
        }
        self.qname_parts(&parts)
    }

    pub fn set_search_path(&mut self, path: Vec<String>) {
        // An empty search_path (pg_dump sets one) means every name is qualified;
        // keep resolving unqualified names in public.
        self.search_path = if path.is_empty() { vec!["public".into()] } else { path };
    }
}

/// After `CREATE`: skips `OR REPLACE` and the words that may stand before
/// the object kind, and returns the kind (upper case), at the cursor.
fn create_kind(cur: &mut Cursor<'_>) -> Option<String> {
    cur.eat_kws(&["OR", "REPLACE"]);
    while ["UNLOGGED", "TEMP", "TEMPORARY", "GLOBAL", "LOCAL", "UNIQUE", "RECURSIVE", "TRUSTED", "PROCEDURAL", "CONSTRAINT", "DEFAULT"]
        .iter()
        .any(|w| cur.peek_kw(w))
    {
        cur.next();
    }
    match cur.peek() {
        Some(sqlparser::tokenizer::Token::Word(w)) => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

impl names::NameLookup for PgReader {
    fn relation_exists(&self, name: &QName) -> bool {
        let key = || (name.schema.clone(), name.name.clone());
        self.schema.tables.contains_key(name)
            || self.schema.views.contains_key(name)
            || self.schema.sequences.contains_key(name)
            || (self.taken_names.contains(&key()) && self.schema.find_index(name).is_some())
            || self.outside.as_ref().is_some_and(|o| o.has_relation(&name.schema, &name.name))
    }
    fn constraint_exists(&self, schema: &str, name: &str) -> bool {
        let key = || (schema.to_string(), name.to_string());
        (self.taken_names.contains(&key()) && self.schema.find_constraint(schema, name).is_some())
            || self.outside.as_ref().is_some_and(|o| o.has_constraint(schema, name))
    }
}

/// One statement as sqlparser parsed it, possibly shared with another reader.
pub struct ParsedStatement(Arc<Vec<Statement>>);

impl std::ops::Deref for ParsedStatement {
    type Target = Statement;
    fn deref(&self) -> &Statement {
        &self.0[0]
    }
}

/// PostgreSQL's identifier folding: unquoted names are lower-cased.
pub fn ident(id: &Ident) -> String {
    if id.quote_style.is_some() { id.value.clone() } else { id.value.to_lowercase() }
}

fn part_name(part: &ObjectNamePart) -> String {
    match part {
        ObjectNamePart::Identifier(id) => ident(id),
        ObjectNamePart::Function(f) => f.name.value.to_lowercase(),
    }
}

/// The last part of a dotted name, folded.
pub fn ident_of_name(name: &ObjectName) -> String {
    name.0.last().map(part_name).unwrap_or_default()
}

pub fn idents(ids: &[Ident]) -> Vec<String> {
    ids.iter().map(ident).collect()
}

/// The plain column name of an index or constraint element, if it is one.
pub fn column_of(expr: &ast::Expr) -> Option<String> {
    match expr {
        ast::Expr::Identifier(id) => Some(ident(id)),
        _ => None,
    }
}

/// `word` (at byte `at` of the statement) is none of the key words that
/// may stand there: an error, naming the one meant when it is a typo.
pub(crate) fn unknown_word(st: &Stmt<'_>, word: &str, expected: &[&'static str], before: &str, at: usize, what: &str) -> Error {
    // As written (the key word lists are upper case).
    let written: String = st.text.get(at..).unwrap_or(word).chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    let written = if written.is_empty() { word.to_string() } else { written };
    let error = Error::data(format!("invalid SQL: `{before}{written}` is not a statement PostgreSQL knows; expected {what}"))
        .at(location_of(st, at));
    match keywords::suggestion(word, expected, before) {
        Some(help) => error.help(help),
        None => error.help("schema files hold DDL statements (CREATE, ALTER, COMMENT, GRANT, …) separated by `;`"),
    }
}

fn not_a_statement(st: &Stmt<'_>) -> Error {
    let start: String = st.text.chars().take(40).collect();
    Error::data(format!("expected a SQL statement, found `{}`", start.split_whitespace().collect::<Vec<_>>().join(" ")))
        .at(st.location())
        .help("schema files hold DDL statements separated by `;`")
}

/// Turns sqlparser's "… at Line: L, Column: C" into a file position.
pub fn parse_error(st: &Stmt<'_>, message: &str) -> Error {
    let message = message.strip_prefix("sql parser error: ").unwrap_or(message);
    let (text, loc) = match message.rfind(" at Line: ") {
        Some(i) => {
            let pos = &message[i + " at Line: ".len()..];
            let mut nums = pos.split(", Column: ").map(|n| n.trim().parse::<u64>().ok());
            match (nums.next().flatten(), nums.next().flatten()) {
                (Some(l), Some(c)) => (&message[..i], st.location_at(l, c)),
                _ => (message, st.location()),
            }
        }
        None if message.ends_with("found: EOF") => (message, st.end_location()),
        None => (message, st.location()),
    };
    let text = text.replace("found: EOF", "found: end of statement");
    Error::data(format!("invalid SQL: {text}")).at(loc)
}

/// Parses the expression written at `st.text[start..end]` (the inside of a
/// parenthesized clause): everything before it is blanked out, so that a
/// parse error names its line and column in the statement.
pub fn parse_expr_at(st: &Stmt<'_>, start: usize, end: usize) -> Result<ast::Expr> {
    let mut text = st.text[..end].to_string();
    tokens::blank_out(&mut text, 0, start);
    let parsed = compat::parser(&text).and_then(|mut p| {
        let e = p.parse_expr()?;
        p.expect_token(&sqlparser::tokenizer::Token::EOF)?;
        Ok(e)
    });
    parsed.map_err(|e| parse_error(st, &e.to_string()))
}

/// The 1-based line and column of a byte offset of a statement, as a location.
pub fn location_of(st: &Stmt<'_>, offset: usize) -> Location {
    let before = &st.text[..offset.min(st.text.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() as u64 + 1;
    st.location_at(line, column)
}

/// `invalid SQL: expected …` at the cursor's position in the statement.
pub fn expected_at(st: &Stmt<'_>, cur: &Cursor<'_>, what: &str) -> Error {
    let found: String = cur.rest().chars().take(30).collect();
    let found = if found.is_empty() { "the end of the statement".to_string() } else { format!("`{}`", found.split_whitespace().collect::<Vec<_>>().join(" ")) };
    Error::data(format!("invalid SQL: expected {what}, found {found}")).at(location_of(st, cur.offset()))
}

/// Applies a script (a migration) to a model and returns the result.
pub fn replay(schema: Schema, file: &str, sql: &str) -> Result<Schema> {
    replay_part(schema, file, sql, None)
}

/// Applies a script to part of a model: `outside` names what the rest holds.
pub fn replay_part(schema: Schema, file: &str, sql: &str, outside: Option<OutsideNames>) -> Result<Schema> {
    let mut reader = PgReader::from_schema(schema);
    reader.outside = outside;
    let statements = crate::dialect::postgres::split::split_statements(sql)
        .map_err(|u| Error::data(format!("unterminated {}", u.what)).at(Location::new(file, u.line, u.column)))?;
    for st in statements {
        if let Applied::MissingTable(t) = reader.apply(file, &st)? {
            return Err(Error::data(format!("table {t} does not exist")).at(Location::new(file, st.line, st.column)));
        }
    }
    let mut schema = reader.schema;
    finish(&mut schema);
    Ok(schema)
}

/// Completes a model once every statement has been applied: what PostgreSQL
/// derives at creation time but a statement-by-statement reader can only
/// know at the end (referenced primary keys, indexes cloned to partitions).
/// Returns what resolving the expressions found, for [`validate::validate`].
pub fn finish(schema: &mut Schema) -> canon::Resolution {
    // Expressions first: the steps below compare them.
    let resolution = canon::resolve_schema(schema);
    resolve_fk_targets(schema);
    clone_indexes_to_partitions(schema);
    normalize_partition_bounds(schema);
    // Opaque statements are compared as a set: pg_dump orders them by its
    // own rules, not as the user wrote them.
    schema.opaque.sort_by(|a, b| (&a.kind, &a.text).cmp(&(&b.kind, &b.text)));
    resolution
}

/// `REFERENCES t` without columns means t's primary key.
fn resolve_fk_targets(schema: &mut Schema) {
    let pks: std::collections::BTreeMap<QName, Vec<String>> = schema
        .tables
        .iter()
        .filter_map(|(n, t)| match t.primary_key().map(|c| &c.kind) {
            Some(crate::model::ConstraintKind::PrimaryKey { columns, .. }) => Some((n.clone(), columns.clone())),
            _ => None,
        })
        .collect();
    for t in schema.tables.values_mut() {
        for c in t.constraints.values_mut() {
            if let crate::model::ConstraintKind::ForeignKey { references, ref_columns, .. } = &mut c.kind
                && ref_columns.is_empty()
                    && let Some(pk) = pks.get(references) {
                        *ref_columns = pk.clone();
                    }
        }
    }
}

/// A partitioned table's indexes and PRIMARY KEY / UNIQUE constraints exist
/// on every partition too, named after the partition (PostgreSQL creates
/// them on CREATE TABLE … PARTITION OF; pg_dump spells them out).
fn clone_indexes_to_partitions(schema: &mut Schema) {
    use crate::model::ConstraintKind;
    // Parents first, so that sub-partitions inherit what their parent got.
    let mut children: Vec<(usize, QName)> = schema
        .tables
        .values()
        .filter_map(|t| t.partition_of.as_ref().map(|_| (partition_depth(schema, &t.name), t.name.clone())))
        .collect();
    children.sort();
    for (_, child) in children {
        let parent = schema.tables[&child].partition_of.as_ref().expect("is a partition").parent.clone();
        let Some(parent_table) = schema.tables.get(&parent).cloned() else { continue };
        for c in parent_table.constraints.values() {
            let (label, cols) = match &c.kind {
                ConstraintKind::PrimaryKey { .. } => ("pkey", None),
                ConstraintKind::Unique { columns, .. } => ("key", Some(columns.clone())),
                _ => continue,
            };
            let child_table = &schema.tables[&child];
            if child_table.constraints.values().any(|x| x.kind == c.kind) {
                continue;
            }
            let addition = cols.map(|c| names::name_addition(c.iter().map(String::as_str)));
            let name = names::choose_relation_name(schema, &child.schema, &child.name, addition.as_deref(), label);
            let mut clone = c.clone();
            clone.name = name.clone();
            clone.comment = None;
            schema.tables.get_mut(&child).expect("exists").constraints.insert(name, clone);
        }
        // CHECK constraints are inherited under the same name.
        for c in parent_table.constraints.values() {
            if matches!(c.kind, ConstraintKind::Check { no_inherit: false, .. }) && !schema.tables[&child].constraints.contains_key(&c.name) {
                let mut clone = c.clone();
                clone.comment = None;
                schema.tables.get_mut(&child).expect("exists").constraints.insert(c.name.clone(), clone);
            }
        }
        for i in parent_table.indexes.values() {
            let child_table = &schema.tables[&child];
            let same = |x: &crate::model::Index| {
                x.keys == i.keys && x.unique == i.unique && x.method == i.method && x.predicate == i.predicate && x.include == i.include
            };
            if child_table.indexes.values().any(same) {
                continue;
            }
            let cols = names::index_column_names(&i.keys.iter().map(|k| (k.expr.clone(), k.expression)).collect::<Vec<_>>());
            let addition = names::name_addition(cols.iter().map(String::as_str));
            let name = names::choose_relation_name(schema, &child.schema, &child.name, Some(&addition), "idx");
            let mut clone = i.clone();
            clone.name = name.clone();
            clone.comment = None;
            schema.tables.get_mut(&child).expect("exists").indexes.insert(name, clone);
        }
    }
}

fn partition_depth(schema: &Schema, name: &QName) -> usize {
    let mut depth = 0;
    let mut current = name.clone();
    while let Some(p) = schema.tables.get(&current).and_then(|t| t.partition_of.as_ref()) {
        depth += 1;
        current = p.parent.clone();
        if depth > 64 {
            break;
        }
    }
    depth
}

/// Partition bounds in one spelling: values as string constants (PostgreSQL
/// coerces them to the key's type; pg_dump prints them quoted), key words
/// upper case.
fn normalize_partition_bounds(schema: &mut Schema) {
    for t in schema.tables.values_mut() {
        if let Some(p) = &mut t.partition_of {
            p.bound = canonical_bound(&p.bound);
        }
    }
}

fn canonical_bound(bound: &str) -> String {
    let Ok(mut cur) = tokens::Cursor::new(bound) else { return bound.to_string() };
    if cur.eat_kw("DEFAULT") {
        return "DEFAULT".into();
    }
    cur.eat_kws(&["FOR", "VALUES"]);
    let list = |cur: &mut tokens::Cursor<'_>| -> Option<String> {
        let (a, b) = cur.paren_group()?;
        let values: Vec<String> = function::split_top_level(&cur.text[a..b])
            .iter()
            .map(|v| {
                let upper = v.to_ascii_uppercase();
                if upper == "MINVALUE" || upper == "MAXVALUE" || upper == "NULL" {
                    return upper;
                }
                let raw = v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')).map_or(v.clone(), |x| x.replace("''", "'"));
                // pg_dump prints a timestamp bound at midnight with its time; a
                // date key prints without. Midnight is dropped so both meet
                // (key types are not always known: keys may be expressions).
                let is_midnight = raw.len() == 19 && raw.ends_with(" 00:00:00") && raw.as_bytes()[4] == b'-';
                let raw = if is_midnight { raw[..10].to_string() } else { raw };
                crate::model::quote_literal(&raw)
            })
            .collect();
        Some(values.join(", "))
    };
    let out = if cur.eat_kw("IN") {
        list(&mut cur).map(|v| format!("FOR VALUES IN ({v})"))
    } else if cur.eat_kw("FROM") {
        let from = list(&mut cur);
        cur.eat_kw("TO");
        let to = list(&mut cur);
        from.zip(to).map(|(f, t)| format!("FOR VALUES FROM ({f}) TO ({t})"))
    } else if cur.eat_kw("WITH") {
        cur.paren_group().map(|(a, b)| {
            let inner = bound[a..b].split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            format!("FOR VALUES WITH ({inner})")
        })
    } else {
        None
    };
    out.unwrap_or_else(|| bound.split_whitespace().collect::<Vec<_>>().join(" "))
}
