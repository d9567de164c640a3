//! Random schema pairs for the property tests (`tests/it/random_schemas.rs`).
//!
//! [`generate`] turns a seed into an old schema, a new schema derived from it
//! by a few mutations, and rows for the old schema, all as PostgreSQL text,
//! always the same for the same seed (SplitMix64, no crates).
//!
//! The old schema has 1–6 tables in `public` (sometimes a second schema,
//! `app`), columns of many types (integers, numeric, text, varchar, boolean,
//! date, timestamptz, uuid, jsonb, integer arrays, enums, domains), NOT NULL,
//! defaults (constants, casts, `now()`-like expressions), primary keys,
//! UNIQUE, CHECK and foreign keys (to an earlier table's key), indexes (plain,
//! unique, expression, partial), views (some over views), enums and domains.
//! The mutations add, drop and rename (with the rename hint) tables, columns,
//! indexes and views, move a table to the other schema, change column types
//! the way PostgreSQL can cast, defaults, nullability, constraints, indexes,
//! enum labels, views and domains.
//!
//! Everything generated must be valid PostgreSQL, and the migration between
//! the two sides must be possible with the rows in place; the generator keeps
//! to what is: it is a generator bug when PostgreSQL refuses a schema or the
//! rows. In particular:
//! - values come from a "safe universe" (small positive numbers, short
//!   non-empty lower-case strings, dates in 2024, …) that every CHECK the
//!   generator writes accepts, and are distinct per row for the types that
//!   can carry a key, so that any key or unique index either side declares
//!   holds;
//! - a type change is one whose cast takes every generated value there and
//!   back unchanged (`integer` ↔ `bigint`, `date` → `timestamptz`, `text` →
//!   an enum, `numeric` to a wider one, …), never on a column in a foreign key;
//! - a dropped column is nullable or has a default, and is in no key, unique
//!   index or foreign key (the down migration re-adds it to a table with rows);
//!   a dropped table is referenced by no foreign key; an added column to a
//!   table with rows is nullable or has a default; keys are added only on
//!   columns the old side has; an enum label is removed only when no default
//!   uses it (rows use only labels both sides have).
//!
//! Kept away from, being known limits rather than bugs: a re-added column
//! cannot get its old position back (columns are only appended, never
//! re-created under an old name in the middle), and views with `JOIN …
//! USING` (none are generated).
//!
//! Constraints are named the way PostgreSQL would name them when no name is
//! written; the name is written when the table or column was renamed since
//! (PostgreSQL keeps the old name), or at random.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// SplitMix64: small, seedable, the same everywhere.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// True `percent` times in 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One generated case.
#[derive(Debug, Clone)]
pub struct Pair {
    pub seed: u64,
    pub old: String,
    pub new: String,
    /// `INSERT`s for the old schema, valid for the new one too.
    pub rows: String,
    /// The mutations that made the new side, in order (`add_column`, …).
    pub mutations: Vec<&'static str>,
}

// ---------------------------------------------------------------------------
// The model the generator works on.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Ty {
    SmallInt,
    Int,
    BigInt,
    Numeric(u8, u8),
    Text,
    Varchar(u16),
    Bool,
    Date,
    Timestamptz,
    Uuid,
    Jsonb,
    IntArray,
    /// By index into [`Side::enums`].
    Enum(usize),
    /// By index into [`Side::domains`].
    Domain(usize),
}

impl Ty {
    fn is_integer(&self) -> bool {
        matches!(self, Ty::SmallInt | Ty::Int | Ty::BigInt)
    }
    fn is_text(&self) -> bool {
        matches!(self, Ty::Text | Ty::Varchar(_))
    }
}

#[derive(Debug, Clone)]
struct EnumType {
    schema: String,
    name: String,
    labels: Vec<String>,
    dropped: bool,
}

#[derive(Debug, Clone)]
struct Domain {
    schema: String,
    name: String,
    base: Ty,
    check: Option<CheckKind>,
    /// Write `CONSTRAINT <domain>_check`.
    check_named: bool,
    default: Option<String>,
    dropped: bool,
}

/// A CHECK every generated value passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CheckKind {
    NonNegative,
    Below,
    NonEmpty,
    ShortText,
    After2000,
    SmallArray,
    JsonObject,
}

#[derive(Debug, Clone)]
struct Column {
    id: usize,
    name: String,
    ty: Ty,
    not_null: bool,
    default: Option<String>,
}

#[derive(Debug, Clone)]
struct Key {
    name: String,
    cols: Vec<usize>,
    primary: bool,
    named: bool,
    inline: bool,
}

#[derive(Debug, Clone)]
struct Check {
    name: String,
    col: usize,
    kind: CheckKind,
    named: bool,
    inline: bool,
}

#[derive(Debug, Clone)]
struct Fk {
    name: String,
    col: usize,
    ref_table: usize,
    ref_col: usize,
    on_delete: &'static str,
    named: bool,
    /// 0: in the column, 1: in the table, 2: `ALTER TABLE … ADD` after all tables.
    place: u8,
}

#[derive(Debug, Clone)]
struct Table {
    id: usize,
    schema: String,
    name: String,
    columns: Vec<Column>,
    keys: Vec<Key>,
    checks: Vec<Check>,
    fks: Vec<Fk>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum IndexItem {
    Col(usize, bool),
    Lower(usize),
}

#[derive(Debug, Clone)]
struct Index {
    id: usize,
    name: String,
    table: usize,
    unique: bool,
    items: Vec<IndexItem>,
    /// `WHERE <col> IS NOT NULL`.
    partial: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A column of the view's table, by id.
    Col(usize),
    /// A column of the view's view, by its id.
    ViewCol(usize),
}

#[derive(Debug, Clone)]
struct ViewCol {
    id: usize,
    source: Source,
    alias: Option<String>,
}

#[derive(Debug, Clone)]
struct View {
    id: usize,
    schema: String,
    name: String,
    /// A table id, or a view id when `over_view`.
    from: usize,
    over_view: bool,
    cols: Vec<ViewCol>,
    /// `WHERE <source> IS NOT NULL`.
    filter: Option<Source>,
}

/// One side of a pair.
#[derive(Debug, Clone, Default)]
struct Side {
    app_schema: bool,
    enums: Vec<EnumType>,
    domains: Vec<Domain>,
    tables: Vec<Table>,
    indexes: Vec<Index>,
    views: Vec<View>,
}

const TABLE_WORDS: &[&str] = &[
    "orders", "items", "users", "accounts", "invoices", "products", "events", "notes", "teams", "tags", "carts", "posts",
    "votes", "pages", "files", "jobs", "tasks", "shops", "clients", "members", "entries", "records", "docs", "lots",
    "boxes", "trips", "rooms", "plans",
];
const COLUMN_WORDS: &[&str] = &[
    "name", "qty", "price", "code", "title", "body", "flag", "born", "seen", "ref", "kind", "state", "score", "total",
    "label", "note", "email", "token", "payload", "nums", "owner", "rank", "size", "level", "mood", "amount", "color",
    "city", "zip", "weight", "hint", "slug", "stamp", "due", "paid", "region",
];
const VIEW_WORDS: &[&str] = &["summary", "report", "listing", "overview", "digest", "recent", "active", "board", "feed", "roster"];
const ENUM_WORDS: &[&str] = &["mood", "status", "shade", "tier", "phase"];
const LABELS: &[&str] = &["red", "green", "blue", "new", "open", "done", "low", "high", "mid", "gold", "iron", "zinc"];
const DOMAIN_WORDS: &[&str] = &["posint", "bigpos", "nonempty", "shortcode", "amount2"];

/// Names handed out once per pair, on either side, so that no new object
/// takes a name an old one had (PostgreSQL keeps implicit index names across
/// renames, and a reused name would make the next implicit one unpredictable).
#[derive(Debug, Default)]
struct Names {
    used: BTreeSet<String>,
    next_id: usize,
}

impl Names {
    fn fresh(&mut self, rng: &mut Rng, words: &[&str]) -> String {
        for _ in 0..words.len() * 2 {
            let w = rng.pick(words).to_string();
            if self.used.insert(w.clone()) {
                return w;
            }
        }
        loop {
            let w = format!("{}{}", rng.pick(words), self.used.len());
            if self.used.insert(w.clone()) {
                return w;
            }
        }
    }
    /// A constraint name: `implicit` when no object of the pair had it yet,
    /// else a fresh one (true: it must be written).
    fn claim(&mut self, implicit: String) -> (String, bool) {
        if self.used.insert(implicit.clone()) {
            return (implicit, false);
        }
        let n = self.id();
        let name = format!("{implicit}{n}");
        self.used.insert(name.clone());
        (name, true)
    }
    fn id(&mut self) -> usize {
        self.next_id += 1;
        self.next_id
    }
}

impl Side {
    fn table(&self, id: usize) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
    fn table_mut(&mut self, id: usize) -> Option<&mut Table> {
        self.tables.iter_mut().find(|t| t.id == id)
    }
    fn column(&self, table: usize, col: usize) -> Option<&Column> {
        self.table(table)?.columns.iter().find(|c| c.id == col)
    }
    fn view(&self, id: usize) -> Option<&View> {
        self.views.iter().find(|v| v.id == id)
    }
    /// The base type of `ty` (a domain's own type).
    fn base<'a>(&'a self, ty: &'a Ty) -> &'a Ty {
        match ty {
            Ty::Domain(d) => &self.domains[*d].base,
            t => t,
        }
    }
    fn qualified(&self, schema: &str, name: &str, qualify_public: bool) -> String {
        if schema == "public" && !qualify_public { name.to_string() } else { format!("{schema}.{name}") }
    }
    /// Whether column `col` of table `table` takes part in a key, a unique
    /// index or a foreign key (either end).
    fn in_key(&self, table: usize, col: usize) -> bool {
        let Some(t) = self.table(table) else { return false };
        t.keys.iter().any(|k| k.cols.contains(&col))
            || self.indexes.iter().any(|i| {
                i.table == table
                    && i.unique
                    && i.items.iter().any(|it| matches!(it, IndexItem::Col(c, _) | IndexItem::Lower(c) if *c == col))
            })
    }
    fn in_fk(&self, table: usize, col: usize) -> bool {
        self.tables.iter().any(|t| {
            t.fks.iter().any(|f| (t.id == table && f.col == col) || (f.ref_table == table && f.ref_col == col))
        })
    }
    fn referenced(&self, table: usize) -> bool {
        self.tables.iter().any(|t| t.id != table && t.fks.iter().any(|f| f.ref_table == table))
    }
    /// The output name of a view column.
    fn view_col_name(&self, view: &View, col: &ViewCol) -> String {
        if let Some(a) = &col.alias {
            return a.clone();
        }
        match col.source {
            Source::Col(c) => self.column(view.from, c).map(|c| c.name.clone()).unwrap_or_default(),
            Source::ViewCol(vc) => {
                let inner = self.view(view.from).expect("inner view");
                let inner_col = inner.cols.iter().find(|c| c.id == vc).expect("inner view column");
                self.view_col_name(inner, inner_col)
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Types, values, defaults, checks.

fn type_sql(side: &Side, ty: &Ty, rng: &mut Rng, q: bool) -> String {
    match ty {
        Ty::SmallInt => rng.pick(&["smallint", "int2"]).to_string(),
        Ty::Int => rng.pick(&["integer", "int", "int4"]).to_string(),
        Ty::BigInt => rng.pick(&["bigint", "int8"]).to_string(),
        Ty::Numeric(p, s) => format!("numeric({p},{s})"),
        Ty::Text => "text".into(),
        Ty::Varchar(n) => format!("{}({n})", rng.pick(&["varchar", "character varying"])),
        Ty::Bool => rng.pick(&["boolean", "bool"]).to_string(),
        Ty::Date => "date".into(),
        Ty::Timestamptz => rng.pick(&["timestamptz", "timestamp with time zone"]).to_string(),
        Ty::Uuid => "uuid".into(),
        Ty::Jsonb => "jsonb".into(),
        Ty::IntArray => rng.pick(&["integer[]", "int[]"]).to_string(),
        Ty::Enum(e) => side.qualified(&side.enums[*e].schema, &side.enums[*e].name, q),
        Ty::Domain(d) => side.qualified(&side.domains[*d].schema, &side.domains[*d].name, q),
    }
}

/// A default for a column of base type `ty` (a value every CHECK accepts).
fn default_for(side: &Side, ty: &Ty, rng: &mut Rng) -> Option<String> {
    let options: Vec<String> = match side.base(ty) {
        Ty::SmallInt => vec!["0".into(), "7".into(), "'3'::smallint".into(), "(1 + 2)".into()],
        Ty::Int => vec!["0".into(), "42".into(), "'7'::integer".into(), "(2 * 3)".into()],
        Ty::BigInt => vec!["0".into(), "1000".into(), "'9'::bigint".into()],
        Ty::Numeric(_, _) => vec!["0".into(), "1.5".into(), "'2.25'::numeric".into()],
        Ty::Text => vec!["'abc'".into(), "'n/a'::text".into(), "lower('XY')".into()],
        Ty::Varchar(_) => vec!["'abc'".into(), "'n/a'::character varying".into()],
        Ty::Bool => vec!["true".into(), "false".into()],
        Ty::Date => vec!["CURRENT_DATE".into(), "'2024-01-01'::date".into()],
        Ty::Timestamptz => vec!["now()".into(), "CURRENT_TIMESTAMP".into(), "'2024-01-01 00:00:00+00'::timestamptz".into()],
        Ty::Uuid => vec!["gen_random_uuid()".into()],
        Ty::Jsonb => vec!["'{}'::jsonb".into(), "'[]'::jsonb".into()],
        Ty::IntArray => vec!["'{}'::integer[]".into(), "ARRAY[1, 2]".into()],
        Ty::Enum(e) => side.enums[*e].labels.iter().map(|l| format!("'{l}'")).collect(),
        Ty::Domain(_) => unreachable!("base() resolves domains"),
    };
    Some(rng.pick(&options).clone())
}

/// The CHECKs that fit base type `ty`.
fn checks_for(ty: &Ty) -> &'static [CheckKind] {
    match ty {
        Ty::SmallInt | Ty::Int | Ty::BigInt | Ty::Numeric(_, _) => &[CheckKind::NonNegative, CheckKind::Below],
        Ty::Text | Ty::Varchar(_) => &[CheckKind::NonEmpty, CheckKind::ShortText],
        Ty::Date | Ty::Timestamptz => &[CheckKind::After2000],
        Ty::IntArray => &[CheckKind::SmallArray],
        Ty::Jsonb => &[CheckKind::JsonObject],
        _ => &[],
    }
}

fn check_sql(kind: CheckKind, col: &str) -> String {
    match kind {
        CheckKind::NonNegative => format!("{col} >= 0"),
        CheckKind::Below => format!("{col} < 100000"),
        CheckKind::NonEmpty => format!("{col} <> ''"),
        CheckKind::ShortText => format!("length({col}) <= 40"),
        CheckKind::After2000 => format!("{col} >= '2000-01-01'"),
        CheckKind::SmallArray => format!("cardinality({col}) <= 5"),
        CheckKind::JsonObject => format!("jsonb_typeof({col}) <> 'string'"),
    }
}

/// Types whose generated values are distinct per row (keys may use them).
fn keyable(ty: &Ty) -> bool {
    matches!(
        ty,
        Ty::SmallInt | Ty::Int | Ty::BigInt | Ty::Numeric(_, _) | Ty::Text | Ty::Varchar(_) | Ty::Date | Ty::Timestamptz | Ty::Uuid
    )
}

/// The literal of row `row` of a column of base type `old` (in the old
/// schema) that becomes `new` (in the new one, if the column stays): a value
/// both types hold, which the cast takes there and back unchanged.
fn literal(old_side: &Side, new_side: &Side, old: &Ty, new: Option<&Ty>, row: usize, salt: usize) -> String {
    let o = old_side.base(old);
    let n = new.map(|t| new_side.base(t));
    let int = 1 + row * 37 + salt % 31;
    // Enum labels: only those both sides have.
    let labels = |side: &Side, t: &Ty| match t {
        Ty::Enum(e) => Some(side.enums[*e].labels.clone()),
        _ => None,
    };
    let (lo, ln) = (labels(old_side, o), n.and_then(|n| labels(new_side, n)));
    if lo.is_some() || ln.is_some() {
        let both: Vec<String> = match (lo, ln) {
            (Some(a), Some(b)) => a.into_iter().filter(|l| b.contains(l)).collect(),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => unreachable!(),
        };
        return format!("'{}'", both[(row + salt) % both.len()]);
    }
    let quoted = o.is_text();
    let number = |s: String| if quoted { format!("'{s}'") } else { s };
    match (o, n) {
        (_, Some(n)) if n.is_integer() => number(int.to_string()),
        (Ty::SmallInt | Ty::Int | Ty::BigInt, _) => int.to_string(),
        (Ty::Numeric(_, s), n) => {
            let scale = match n {
                Some(Ty::Numeric(_, s2)) => (*s).min(*s2),
                _ => *s,
            };
            let frac = ["", "5", "25", "125"][scale.min(3) as usize];
            if frac.is_empty() { int.to_string() } else { format!("{int}.{frac}") }
        }
        (Ty::Text | Ty::Varchar(_), _) => format!("'v{}r{row}'", salt % 1000),
        (Ty::Bool, _) => if row.is_multiple_of(2) { "true" } else { "false" }.into(),
        (Ty::Date, _) => format!("'2024-{:02}-{:02}'", 1 + row, 1 + salt % 28),
        (Ty::Timestamptz, Some(Ty::Date)) => format!("'2024-{:02}-{:02} 00:00:00+00'", 1 + row, 1 + salt % 28),
        (Ty::Timestamptz, _) => format!("'2024-{:02}-{:02} {:02}:{:02}:00+00'", 1 + row, 1 + salt % 28, 8 + salt % 12, salt % 60),
        (Ty::Uuid, _) => format!("'00000000-0000-4000-8000-{:06}{:06}'", salt % 1_000_000, row),
        (Ty::Jsonb, _) => format!("'{{\"k\": {row}}}'"),
        (Ty::IntArray, _) => format!("'{{{row},{}}}'", salt % 100),
        (Ty::Enum(_) | Ty::Domain(_), _) => unreachable!(),
    }
}

/// The types column type `from` may change to: casts that take every
/// generated value there and back unchanged.
fn type_changes(side: &Side, from: &Ty) -> Vec<Ty> {
    let mut out = match from {
        Ty::SmallInt => vec![Ty::Int, Ty::BigInt, Ty::Numeric(10, 0), Ty::Text],
        Ty::Int => vec![Ty::BigInt, Ty::SmallInt, Ty::Numeric(12, 2), Ty::Text, Ty::Varchar(20)],
        Ty::BigInt => vec![Ty::Int, Ty::Numeric(19, 0), Ty::Text],
        Ty::Numeric(p, s) => vec![Ty::Numeric(p + 2, *s), Ty::Numeric(*p + 1, s.saturating_sub(1)), Ty::Int, Ty::Text],
        Ty::Text => vec![Ty::Varchar(24), Ty::Int],
        Ty::Varchar(n) => vec![Ty::Text, Ty::Varchar(n + 10), Ty::Varchar(16)],
        Ty::Bool => vec![Ty::Text],
        Ty::Date => vec![Ty::Timestamptz, Ty::Text],
        Ty::Timestamptz => vec![Ty::Date],
        Ty::Uuid => vec![Ty::Text],
        Ty::Jsonb | Ty::IntArray => vec![],
        Ty::Enum(_) => vec![Ty::Text],
        Ty::Domain(d) => vec![side.domains[*d].base.clone()],
    };
    if from.is_text() {
        out.extend(side.enums.iter().enumerate().filter(|(_, e)| !e.dropped).map(|(i, _)| Ty::Enum(i)));
    }
    // A column may also take a domain over its own type.
    out.extend(side.domains.iter().enumerate().filter(|(_, d)| !d.dropped && d.base == *from).map(|(i, _)| Ty::Domain(i)));
    out.retain(|t| t != from);
    out
}

// ---------------------------------------------------------------------------
// Building the old side.

struct Gen {
    rng: Rng,
    names: Names,
}

impl Gen {
    fn column_type(&mut self, side: &mut Side) -> Ty {
        match self.rng.below(16) {
            0 => Ty::SmallInt,
            1 | 2 => Ty::Int,
            3 => Ty::BigInt,
            4 => {
                let s = self.rng.below(4) as u8;
                Ty::Numeric(s + 6 + self.rng.below(6) as u8, s)
            }
            5 | 6 => Ty::Text,
            7 => Ty::Varchar(16 + 8 * self.rng.below(4) as u16),
            8 => Ty::Bool,
            9 => Ty::Date,
            10 => Ty::Timestamptz,
            11 => Ty::Uuid,
            12 => Ty::Jsonb,
            13 => Ty::IntArray,
            14 => Ty::Enum(self.enum_type(side)),
            _ => Ty::Domain(self.domain(side)),
        }
    }

    fn schema(&mut self, side: &Side) -> String {
        if side.app_schema && self.rng.chance(35) { "app".into() } else { "public".into() }
    }

    /// An existing enum, or a new one.
    fn enum_type(&mut self, side: &mut Side) -> usize {
        let live: Vec<usize> = (0..side.enums.len()).filter(|i| !side.enums[*i].dropped).collect();
        if !live.is_empty() && self.rng.chance(60) {
            return *self.rng.pick(&live);
        }
        let schema = self.schema(side);
        let name = self.names.fresh(&mut self.rng, ENUM_WORDS);
        let mut labels: Vec<String> = Vec::new();
        while labels.len() < 2 + self.rng.below(3) {
            let l = self.rng.pick(LABELS).to_string();
            if !labels.contains(&l) {
                labels.push(l);
            }
        }
        side.enums.push(EnumType { schema, name, labels, dropped: false });
        side.enums.len() - 1
    }

    /// An existing domain, or a new one.
    fn domain(&mut self, side: &mut Side) -> usize {
        let live: Vec<usize> = (0..side.domains.len()).filter(|i| !side.domains[*i].dropped).collect();
        if !live.is_empty() && self.rng.chance(60) {
            return *self.rng.pick(&live);
        }
        let schema = self.schema(side);
        let name = self.names.fresh(&mut self.rng, DOMAIN_WORDS);
        let base = self.rng.pick(&[Ty::Int, Ty::BigInt, Ty::Text, Ty::Varchar(16), Ty::Numeric(12, 2)]).clone();
        let check = if self.rng.chance(75) { Some(*self.rng.pick(checks_for(&base))) } else { None };
        let mut d = Domain { schema, name, base, check, check_named: self.rng.chance(40), default: None, dropped: false };
        if self.rng.chance(30) {
            d.default = default_for(side, &d.base, &mut self.rng);
        }
        side.domains.push(d);
        side.domains.len() - 1
    }

    fn new_column(&mut self, side: &mut Side, used: &BTreeSet<String>) -> Column {
        let ty = self.column_type(side);
        let mut name = self.rng.pick(COLUMN_WORDS).to_string();
        while used.contains(&name) {
            name = format!("{}{}", self.rng.pick(COLUMN_WORDS), self.rng.below(10));
        }
        let default = if self.rng.chance(30) { default_for(side, &ty, &mut self.rng) } else { None };
        Column { id: self.names.id(), name, ty, not_null: self.rng.chance(35), default }
    }

    fn table(&mut self, side: &mut Side) -> Table {
        let schema = self.schema(side);
        let name = self.names.fresh(&mut self.rng, TABLE_WORDS);
        let id = self.names.id();
        let mut t = Table { id, schema, name, columns: Vec::new(), keys: Vec::new(), checks: Vec::new(), fks: Vec::new() };
        // Most tables have an `id` key column.
        if self.rng.chance(80) {
            let ty = self.rng.pick(&[Ty::Int, Ty::Int, Ty::BigInt, Ty::Uuid, Ty::Text]).clone();
            let col = Column { id: self.names.id(), name: "id".into(), ty, not_null: self.rng.chance(50), default: None };
            let (name, forced) = self.names.claim(format!("{}_pkey", t.name));
            t.keys.push(Key { name, cols: vec![col.id], primary: true, named: forced || self.rng.chance(20), inline: self.rng.chance(50) });
            t.columns.push(col);
        }
        let mut used: BTreeSet<String> = t.columns.iter().map(|c| c.name.clone()).collect();
        for _ in 0..1 + self.rng.below(6) {
            let c = self.new_column(side, &used);
            used.insert(c.name.clone());
            t.columns.push(c);
        }
        for _ in 0..self.rng.below(3) {
            self.add_check(side, &mut t, &BTreeSet::new());
        }
        if self.rng.chance(35) {
            self.add_unique(&mut t, &BTreeSet::new(), side);
        }
        t
    }

    /// A CHECK on a column of `t` (not one of `avoid`), when one fits.
    fn add_check(&mut self, side: &Side, t: &mut Table, avoid: &BTreeSet<usize>) -> bool {
        let candidates: Vec<(usize, CheckKind)> = t
            .columns
            .iter()
            .filter(|c| !avoid.contains(&c.id))
            .flat_map(|c| checks_for(side.base(&c.ty)).iter().map(move |k| (c.id, *k)))
            .filter(|(c, k)| !t.checks.iter().any(|ch| ch.col == *c && ch.kind == *k))
            .collect();
        if candidates.is_empty() {
            return false;
        }
        let (col, kind) = *self.rng.pick(&candidates);
        let col_name = t.columns.iter().find(|c| c.id == col).unwrap().name.clone();
        // One implicit name per column; PostgreSQL would number a second one, which we avoid.
        let (name, forced) = self.names.claim(format!("{}_{col_name}_check", t.name));
        t.checks.push(Check { name, col, kind, named: forced || self.rng.chance(25), inline: self.rng.chance(50) });
        true
    }

    /// A UNIQUE (or, without one, sometimes a PRIMARY KEY) over keyable columns of `t` not in `avoid`.
    fn add_unique(&mut self, t: &mut Table, avoid: &BTreeSet<usize>, side: &Side) -> bool {
        let candidates: Vec<&Column> = t.columns.iter().filter(|c| keyable(side.base(&c.ty)) && !avoid.contains(&c.id)).collect();
        if candidates.is_empty() {
            return false;
        }
        let mut cols = vec![self.rng.pick(&candidates).id];
        if candidates.len() > 1 && self.rng.chance(30) {
            let other = self.rng.pick(&candidates).id;
            if !cols.contains(&other) {
                cols.push(other);
            }
        }
        if t.keys.iter().any(|k| k.cols == cols) {
            return false;
        }
        let primary = !t.keys.iter().any(|k| k.primary) && self.rng.chance(30);
        let names: Vec<&str> = cols.iter().map(|c| t.columns.iter().find(|x| x.id == *c).unwrap().name.as_str()).collect();
        let implicit = if primary { format!("{}_pkey", t.name) } else { format!("{}_{}_key", t.name, names.join("_")) };
        let (name, forced) = self.names.claim(implicit);
        let inline = cols.len() == 1 && self.rng.chance(50);
        t.keys.push(Key { name, cols, primary, named: forced || self.rng.chance(20), inline });
        true
    }

    /// A foreign key from a column of table `from` to a single-column key of an
    /// earlier table of `side`, of the same type; `only` limits the referenced
    /// tables (`None`: any earlier one).
    fn add_fk(&mut self, side: &mut Side, from: usize, avoid: &BTreeSet<usize>, only: Option<&BTreeSet<usize>>) -> bool {
        let pos = side.tables.iter().position(|t| t.id == from).unwrap();
        let mut targets: Vec<(usize, usize, Ty)> = Vec::new();
        for t in &side.tables[..pos] {
            if only.is_some_and(|o| !o.contains(&t.id)) {
                continue;
            }
            for k in t.keys.iter().filter(|k| k.cols.len() == 1) {
                let c = t.columns.iter().find(|c| c.id == k.cols[0]).unwrap();
                targets.push((t.id, c.id, c.ty.clone()));
            }
        }
        let table = &side.tables[pos];
        let mut options: Vec<(usize, usize, usize)> = Vec::new();
        for (rt, rc, ty) in &targets {
            for c in &table.columns {
                if c.ty == *ty && !avoid.contains(&c.id) && !side.in_key(from, c.id) && !side.in_fk(from, c.id) {
                    options.push((c.id, *rt, *rc));
                }
            }
        }
        if options.is_empty() {
            return false;
        }
        let (col, ref_table, ref_col) = *self.rng.pick(&options);
        let c = table.columns.iter().find(|c| c.id == col).unwrap();
        let on_delete = if c.not_null { *self.rng.pick(&["", "CASCADE", "RESTRICT"]) } else { *self.rng.pick(&["", "CASCADE", "SET NULL"]) };
        let implicit = format!("{}_{}_fkey", table.name, c.name);
        let (name, forced) = self.names.claim(implicit);
        let fk = Fk { name, col, ref_table, ref_col, on_delete, named: forced || self.rng.chance(25), place: self.rng.below(3) as u8 };
        side.table_mut(from).unwrap().fks.push(fk);
        true
    }

    fn add_index(&mut self, side: &mut Side, table: usize, old_cols: Option<&BTreeSet<usize>>) -> bool {
        let t = side.table(table).unwrap().clone();
        let plain: Vec<&Column> = t.columns.iter().filter(|c| !matches!(side.base(&c.ty), Ty::Jsonb)).collect();
        if plain.is_empty() {
            return false;
        }
        let unique = self.rng.chance(30);
        // A unique index only over keyable columns the old side has values for, not in a foreign key.
        let pool: Vec<&Column> = if unique {
            plain
                .iter()
                .copied()
                .filter(|c| keyable(side.base(&c.ty)) && old_cols.is_none_or(|o| o.contains(&c.id)) && !side.in_fk(table, c.id))
                .collect()
        } else {
            plain
        };
        if pool.is_empty() {
            return false;
        }
        let first = self.rng.pick(&pool);
        let mut items = vec![if side.base(&first.ty).is_text() && self.rng.chance(35) {
            IndexItem::Lower(first.id)
        } else {
            IndexItem::Col(first.id, self.rng.chance(20))
        }];
        if pool.len() > 1 && self.rng.chance(30) {
            let second = self.rng.pick(&pool).id;
            if second != first.id {
                items.push(IndexItem::Col(second, false));
            }
        }
        let partial = if self.rng.chance(30) { Some(self.rng.pick(&t.columns).id) } else { None };
        let name = format!("{}_{}_ix{}", t.name, first.name, self.names.id());
        side.indexes.push(Index { id: self.names.id(), name, table, unique, items, partial });
        true
    }

    /// A view over a table, or over an earlier view.
    fn add_view(&mut self, side: &mut Side) -> bool {
        if side.tables.is_empty() {
            return false;
        }
        let schema = self.schema(side);
        let name = self.names.fresh(&mut self.rng, VIEW_WORDS);
        let id = self.names.id();
        if !side.views.is_empty() && self.rng.chance(30) {
            let inner = self.rng.pick(&side.views).clone();
            let mut cols = Vec::new();
            for c in &inner.cols {
                if cols.is_empty() || self.rng.chance(60) {
                    cols.push(ViewCol { id: self.names.id(), source: Source::ViewCol(c.id), alias: None });
                }
            }
            let filter = if self.rng.chance(30) { Some(Source::ViewCol(inner.cols[0].id)) } else { None };
            side.views.push(View { id, schema, name, from: inner.id, over_view: true, cols, filter });
            return true;
        }
        let t = self.rng.pick(&side.tables).clone();
        let mut cols = Vec::new();
        for c in &t.columns {
            if cols.is_empty() || self.rng.chance(50) {
                let alias = if self.rng.chance(20) { Some(format!("o{}", self.names.id())) } else { None };
                cols.push(ViewCol { id: self.names.id(), source: Source::Col(c.id), alias });
            }
        }
        let filter = if self.rng.chance(30) { Some(Source::Col(self.rng.pick(&t.columns).id)) } else { None };
        side.views.push(View { id, schema, name, from: t.id, over_view: false, cols, filter });
        true
    }

    fn old_side(&mut self) -> Side {
        let mut side = Side { app_schema: self.rng.chance(30), ..Side::default() };
        for _ in 0..1 + self.rng.below(6) {
            let t = self.table(&mut side);
            side.tables.push(t);
        }
        let ids: Vec<usize> = side.tables.iter().map(|t| t.id).collect();
        for id in &ids {
            if self.rng.chance(45) {
                self.add_fk(&mut side, *id, &BTreeSet::new(), None);
            }
            for _ in 0..self.rng.below(3) {
                self.add_index(&mut side, *id, None);
            }
        }
        for _ in 0..self.rng.below(4) {
            self.add_view(&mut side);
        }
        side
    }
}

// ---------------------------------------------------------------------------
// The mutations.

const MUTATIONS: &[&str] = &[
    "add_table",
    "drop_table",
    "rename_table",
    "move_table",
    "add_column",
    "drop_column",
    "rename_column",
    "change_type",
    "change_default",
    "change_not_null",
    "add_check",
    "drop_check",
    "add_unique",
    "drop_key",
    "add_fk",
    "drop_fk",
    "add_index",
    "drop_index",
    "rename_index",
    "add_enum_label",
    "drop_enum_label",
    "change_view",
    "add_view",
    "drop_view",
    "rename_view",
    "change_domain",
];

/// Every mutation kind [`generate`] may apply.
pub fn mutation_kinds() -> &'static [&'static str] {
    MUTATIONS
}

impl Gen {
    /// Applies mutation `kind` to `new` (the old side is `old`); false when it did not fit.
    fn mutate(&mut self, kind: &str, old: &Side, new: &mut Side) -> bool {
        let old_tables: BTreeSet<usize> = old.tables.iter().map(|t| t.id).collect();
        let kept: Vec<usize> = new.tables.iter().map(|t| t.id).filter(|id| old_tables.contains(id)).collect();
        let old_cols = |table: usize| -> BTreeSet<usize> {
            old.table(table).map(|t| t.columns.iter().map(|c| c.id).collect()).unwrap_or_default()
        };
        match kind {
            "add_table" => {
                let t = self.table(new);
                let id = t.id;
                new.tables.push(t);
                if self.rng.chance(50) {
                    self.add_fk(new, id, &BTreeSet::new(), None);
                }
                true
            }
            "drop_table" => {
                let options: Vec<usize> = new.tables.iter().map(|t| t.id).filter(|id| !new.referenced(*id) && !old.referenced(*id)).collect();
                if options.is_empty() || new.tables.len() < 2 {
                    return false;
                }
                let id = *self.rng.pick(&options);
                new.tables.retain(|t| t.id != id);
                true
            }
            "rename_table" | "move_table" => {
                if kept.is_empty() || (kind == "move_table" && !new.app_schema && !self.rng.chance(50)) {
                    return false;
                }
                let id = *self.rng.pick(&kept);
                if kind == "move_table" {
                    new.app_schema = true;
                    let t = new.table_mut(id).unwrap();
                    t.schema = if t.schema == "public" { "app".into() } else { "public".into() };
                } else {
                    let name = self.names.fresh(&mut self.rng, TABLE_WORDS);
                    new.table_mut(id).unwrap().name = name;
                }
                true
            }
            "add_column" => {
                let Some(&id) = (!new.tables.is_empty()).then(|| self.rng.pick(&new.tables).id).as_ref() else { return false };
                let used = column_names(old, new, id);
                let mut c = self.new_column(new, &used);
                // A table with rows takes a NOT NULL column only with a default.
                if c.not_null && c.default.is_none() && old_tables.contains(&id) {
                    c.default = default_for(new, &c.ty, &mut self.rng);
                }
                new.table_mut(id).unwrap().columns.push(c);
                true
            }
            "drop_column" | "rename_column" | "change_type" | "change_default" | "change_not_null" => {
                let mut options: Vec<(usize, usize)> = Vec::new();
                for t in &new.tables {
                    for c in &t.columns {
                        let ok = match kind {
                            "drop_column" => {
                                t.columns.len() > 1
                                    && !new.in_key(t.id, c.id)
                                    && !old.in_key(t.id, c.id)
                                    && !new.in_fk(t.id, c.id)
                                    && !old.in_fk(t.id, c.id)
                                    && old.column(t.id, c.id).is_none_or(|o| !o.not_null || o.default.is_some())
                            }
                            "change_type" => !new.in_fk(t.id, c.id) && !old.in_fk(t.id, c.id),
                            _ => true,
                        };
                        if ok {
                            options.push((t.id, c.id));
                        }
                    }
                }
                if options.is_empty() {
                    return false;
                }
                let (tid, cid) = *self.rng.pick(&options);
                self.column_change(kind, old, new, tid, cid)
            }
            "add_check" => {
                let Some(&id) = (!new.tables.is_empty()).then(|| self.rng.pick(&new.tables).id).as_ref() else { return false };
                let mut t = new.table(id).unwrap().clone();
                let done = self.add_check(new, &mut t, &BTreeSet::new());
                *new.table_mut(id).unwrap() = t;
                done
            }
            "drop_check" | "drop_key" | "drop_fk" => {
                let options: Vec<usize> = new
                    .tables
                    .iter()
                    .filter(|t| match kind {
                        "drop_check" => !t.checks.is_empty(),
                        "drop_key" => !t.keys.is_empty(),
                        _ => !t.fks.is_empty(),
                    })
                    .map(|t| t.id)
                    .collect();
                if options.is_empty() {
                    return false;
                }
                let id = *self.rng.pick(&options);
                let t = new.table_mut(id).unwrap();
                let n = match kind {
                    "drop_check" => t.checks.len(),
                    "drop_key" => t.keys.len(),
                    _ => t.fks.len(),
                };
                let i = self.rng.below(n);
                match kind {
                    "drop_check" => {
                        t.checks.remove(i);
                    }
                    "drop_key" => {
                        t.keys.remove(i);
                    }
                    _ => {
                        t.fks.remove(i);
                    }
                }
                true
            }
            "add_unique" => {
                if kept.is_empty() {
                    return false;
                }
                let id = *self.rng.pick(&kept);
                let mut t = new.table(id).unwrap().clone();
                // Only columns with old rows (distinct there), none in a foreign key.
                let avoid: BTreeSet<usize> = t
                    .columns
                    .iter()
                    .map(|c| c.id)
                    .filter(|c| !old_cols(id).contains(c) || new.in_fk(id, *c) || old.in_fk(id, *c) || !keyable(old.base(&old.column(id, *c).unwrap().ty)))
                    .collect();
                let done = self.add_unique(&mut t, &avoid, new);
                // A new primary key makes its columns NOT NULL: rows are non-null there (see `rows`).
                *new.table_mut(id).unwrap() = t;
                done
            }
            "add_fk" => {
                if kept.is_empty() {
                    return false;
                }
                let id = *self.rng.pick(&kept);
                let t = new.table(id).unwrap();
                // Only from columns the old side has, to tables kept with rows.
                let avoid: BTreeSet<usize> = t
                    .columns
                    .iter()
                    .map(|c| c.id)
                    .filter(|c| !old_cols(id).contains(c) || old.in_fk(id, *c) || old.in_key(id, *c) || old.column(id, *c).unwrap().ty != t.columns.iter().find(|x| x.id == *c).unwrap().ty)
                    .collect();
                let only: BTreeSet<usize> = kept
                    .iter()
                    .copied()
                    .filter(|k| {
                        // The referenced key column must hold the same values on both sides.
                        new.table(*k).unwrap().columns.iter().all(|c| old.column(*k, c.id).is_none_or(|o| o.ty == c.ty))
                    })
                    .collect();
                self.add_fk(new, id, &avoid, Some(&only))
            }
            "add_index" => {
                let Some(&id) = (!new.tables.is_empty()).then(|| self.rng.pick(&new.tables).id).as_ref() else { return false };
                // A unique index on a table with rows only over columns holding old (distinct) values.
                let cols = old_tables.contains(&id).then(|| old_cols(id));
                self.add_index(new, id, cols.as_ref())
            }
            "drop_index" | "rename_index" => {
                if new.indexes.is_empty() {
                    return false;
                }
                let i = self.rng.below(new.indexes.len());
                if kind == "drop_index" {
                    new.indexes.remove(i);
                } else {
                    new.indexes[i].name = format!("{}_rn{}", new.indexes[i].name, self.names.id());
                }
                true
            }
            "add_enum_label" => {
                let live: Vec<usize> = (0..new.enums.len()).filter(|i| !new.enums[*i].dropped).collect();
                if live.is_empty() {
                    return false;
                }
                let e = *self.rng.pick(&live);
                let free: Vec<&&str> = LABELS.iter().filter(|l| !new.enums[e].labels.iter().any(|x| x == **l)).collect();
                if free.is_empty() {
                    return false;
                }
                let label = self.rng.pick(&free).to_string();
                let at = self.rng.below(new.enums[e].labels.len() + 1);
                new.enums[e].labels.insert(at, label);
                true
            }
            "drop_enum_label" => {
                // Only a label no default uses; rows use labels both sides have.
                let mut options = Vec::new();
                for (i, e) in new.enums.iter().enumerate().filter(|(_, e)| !e.dropped && e.labels.len() >= 3) {
                    // Rows need a label both sides have.
                    let shared: Vec<&String> = e.labels.iter().filter(|l| old.enums.get(i).is_none_or(|o| o.labels.contains(l))).collect();
                    for l in &e.labels {
                        if shared.len() < 2 && shared.contains(&l) {
                            continue;
                        }
                        let quoted = format!("'{l}'");
                        let used = [old, &*new].iter().any(|s| {
                            s.tables.iter().flat_map(|t| &t.columns).any(|c| c.default.as_deref() == Some(&quoted))
                                || s.domains.iter().any(|d| d.default.as_deref() == Some(&quoted))
                        });
                        if !used {
                            options.push((i, l.clone()));
                        }
                    }
                }
                if options.is_empty() {
                    return false;
                }
                let (i, l) = self.rng.pick(&options).clone();
                new.enums[i].labels.retain(|x| *x != l);
                true
            }
            "add_view" => self.add_view(new),
            "drop_view" | "rename_view" | "change_view" => {
                if new.views.is_empty() {
                    return false;
                }
                let i = self.rng.below(new.views.len());
                match kind {
                    "drop_view" => {
                        new.views.remove(i);
                    }
                    "rename_view" => new.views[i].name = self.names.fresh(&mut self.rng, VIEW_WORDS),
                    _ => {
                        let v = new.views[i].clone();
                        let sources: Vec<Source> = if v.over_view {
                            new.view(v.from).unwrap().cols.iter().map(|c| Source::ViewCol(c.id)).collect()
                        } else {
                            new.table(v.from).unwrap().columns.iter().map(|c| Source::Col(c.id)).collect()
                        };
                        let v = &mut new.views[i];
                        match self.rng.below(3) {
                            0 => v.filter = if v.filter.is_some() { None } else { Some(*self.rng.pick(&sources)) },
                            1 if v.cols.len() > 1 => {
                                let at = self.rng.below(v.cols.len());
                                v.cols.remove(at);
                            }
                            _ => {
                                let s = *self.rng.pick(&sources);
                                if v.cols.iter().any(|c| c.source == s) {
                                    v.filter = Some(s);
                                } else {
                                    let alias = if self.rng.chance(30) { Some(format!("o{}", self.names.id())) } else { None };
                                    v.cols.push(ViewCol { id: self.names.id(), source: s, alias });
                                }
                            }
                        }
                    }
                }
                true
            }
            "change_domain" => {
                let live: Vec<usize> = (0..new.domains.len()).filter(|i| !new.domains[*i].dropped).collect();
                if live.is_empty() {
                    return false;
                }
                let d = *self.rng.pick(&live);
                match self.rng.below(3) {
                    0 => {
                        let kinds = checks_for(&new.domains[d].base);
                        let current = new.domains[d].check;
                        new.domains[d].check = kinds.iter().copied().find(|k| Some(*k) != current).filter(|_| current.is_none() || self.rng.chance(60));
                    }
                    1 => {
                        new.domains[d].default =
                            if new.domains[d].default.is_some() { None } else { default_for(new, &new.domains[d].base.clone(), &mut self.rng) };
                    }
                    _ => {
                        // A wider base type: int to bigint, varchar to text; the CHECK fits both.
                        let wider = match new.domains[d].base {
                            Ty::Int => Ty::BigInt,
                            Ty::Varchar(_) => Ty::Text,
                            _ => return false,
                        };
                        new.domains[d].base = wider;
                        if new.domains[d].default.is_some() {
                            new.domains[d].default = default_for(new, &new.domains[d].base.clone(), &mut self.rng);
                        }
                    }
                }
                true
            }
            other => unreachable!("mutation {other}"),
        }
    }

    fn column_change(&mut self, kind: &str, old: &Side, new: &mut Side, tid: usize, cid: usize) -> bool {
        let has_rows = old.table(tid).is_some();
        let old_col = old.column(tid, cid).cloned();
        let in_key = new.in_key(tid, cid) || old.in_key(tid, cid);
        let used = column_names(old, new, tid);
        match kind {
            "drop_column" => {
                let t = new.table_mut(tid).unwrap();
                t.columns.retain(|c| c.id != cid);
            }
            "rename_column" => {
                let mut name = self.rng.pick(COLUMN_WORDS).to_string();
                while used.contains(&name) {
                    name = format!("{}{}", self.rng.pick(COLUMN_WORDS), self.rng.below(100));
                }
                let t = new.table_mut(tid).unwrap();
                t.columns.iter_mut().find(|c| c.id == cid).unwrap().name = name;
            }
            "change_type" => {
                let current = new.column(tid, cid).unwrap().ty.clone();
                // Changes keep to casts that take the old values there and back: from the old type when the column has rows.
                let from = old_col.as_ref().map_or(current.clone(), |c| c.ty.clone());
                let mut options = type_changes(new, &from);
                if old_col.is_none() {
                    options = type_changes(new, &current);
                }
                options.retain(|t| !in_key || keyable(new.base(t)));
                // A CHECK written for the old type may not fit the new one; the enum cases need label values.
                if options.is_empty() {
                    return false;
                }
                let ty = self.rng.pick(&options).clone();
                let default = if new.column(tid, cid).unwrap().default.is_some() { default_for(new, &ty, &mut self.rng) } else { None };
                let base = new.base(&ty).clone();
                let t = new.table_mut(tid).unwrap();
                let c = t.columns.iter_mut().find(|c| c.id == cid).unwrap();
                c.ty = ty;
                c.default = default;
                let fits = checks_for(&base);
                t.checks.retain(|ch| ch.col != cid || fits.contains(&ch.kind));
                // An expression index on lower(column) needs text.
                if !base.is_text() {
                    new.indexes.retain(|i| !(i.table == tid && i.items.contains(&IndexItem::Lower(cid))));
                }
            }
            "change_default" => {
                let ty = new.column(tid, cid).unwrap().ty.clone();
                let d = if new.column(tid, cid).unwrap().default.is_some() && self.rng.chance(50) {
                    None
                } else {
                    default_for(new, &ty, &mut self.rng)
                };
                let t = new.table_mut(tid).unwrap();
                let c = t.columns.iter_mut().find(|c| c.id == cid).unwrap();
                if c.default == d {
                    return false;
                }
                // A NOT NULL column added to a table with rows keeps its default.
                if d.is_none() && c.not_null && old_col.is_none() && has_rows {
                    return false;
                }
                c.default = d;
            }
            "change_not_null" => {
                let t = new.table_mut(tid).unwrap();
                let c = t.columns.iter_mut().find(|c| c.id == cid).unwrap();
                if !c.not_null && old_col.is_none() && has_rows && c.default.is_none() {
                    return false;
                }
                c.not_null = !c.not_null;
            }
            _ => unreachable!(),
        }
        true
    }

    /// Drops from `side` what no longer has what it stands on: views over a
    /// dropped table or column, indexes, keys, CHECKs and foreign keys on a
    /// dropped column, foreign keys to a dropped key; unused enums and domains
    /// sometimes go too.
    fn repair(&mut self, side: &mut Side) {
        let columns: BTreeMap<usize, BTreeSet<usize>> =
            side.tables.iter().map(|t| (t.id, t.columns.iter().map(|c| c.id).collect())).collect();
        let has = |t: usize, c: usize| columns.get(&t).is_some_and(|cs| cs.contains(&c));
        side.indexes.retain(|i| {
            columns.contains_key(&i.table)
                && i.items.iter().all(|it| matches!(it, IndexItem::Col(c, _) | IndexItem::Lower(c) if has(i.table, *c)))
                && i.partial.is_none_or(|c| has(i.table, c))
        });
        let keys: BTreeSet<(usize, usize)> = side
            .tables
            .iter()
            .flat_map(|t| t.keys.iter().filter(|k| k.cols.len() == 1 && k.cols.iter().all(|c| has(t.id, *c))).map(move |k| (t.id, k.cols[0])))
            .collect();
        for t in &mut side.tables {
            let id = t.id;
            t.keys.retain(|k| k.cols.iter().all(|c| has(id, *c)));
            t.checks.retain(|k| has(id, k.col));
            t.fks.retain(|f| has(id, f.col) && keys.contains(&(f.ref_table, f.ref_col)));
        }
        // Views, in order: a view over a dropped view goes too.
        let mut kept: Vec<View> = Vec::new();
        for mut v in std::mem::take(&mut side.views) {
            let from = v.from;
            let ok = |s: Source, kept: &[View]| match s {
                Source::Col(c) => has(from, c),
                Source::ViewCol(vc) => kept.iter().any(|k| k.id == from && k.cols.iter().any(|c| c.id == vc)),
            };
            if v.over_view && !kept.iter().any(|k| k.id == v.from) || !v.over_view && !columns.contains_key(&v.from) {
                continue;
            }
            v.cols.retain(|c| ok(c.source, &kept));
            if v.filter.is_some_and(|f| !ok(f, &kept)) {
                v.filter = None;
            }
            if !v.cols.is_empty() {
                kept.push(v);
            }
        }
        side.views = kept;
        // Enums and domains no column uses may go.
        for i in 0..side.enums.len() {
            let used = side.tables.iter().flat_map(|t| &t.columns).any(|c| c.ty == Ty::Enum(i));
            if !used && self.rng.chance(50) {
                side.enums[i].dropped = true;
            }
        }
        for i in 0..side.domains.len() {
            let used = side.tables.iter().flat_map(|t| &t.columns).any(|c| c.ty == Ty::Domain(i));
            if !used && self.rng.chance(50) {
                side.domains[i].dropped = true;
            }
        }
    }
}

/// The names columns of table `id` have on either side: a new or renamed
/// column takes none of them (a column dropped and another added under its
/// name would be one column to the planner, and re-adding a column cannot
/// give it its old position back).
fn column_names(old: &Side, new: &Side, id: usize) -> BTreeSet<String> {
    [old, new].iter().filter_map(|s| s.table(id)).flat_map(|t| t.columns.iter().map(|c| c.name.clone())).collect()
}

// ---------------------------------------------------------------------------
// Writing SQL.

struct Writer<'a> {
    side: &'a Side,
    /// The old side, for rename hints (`None` when writing the old side).
    old: Option<&'a Side>,
    rng: Rng,
    qualify_public: bool,
    out: String,
}

impl Writer<'_> {
    fn q(&self, schema: &str, name: &str) -> String {
        self.side.qualified(schema, name, self.qualify_public)
    }
    fn col_name(&self, table: usize, col: usize) -> String {
        self.side.column(table, col).unwrap().name.clone()
    }

    fn write(mut self) -> String {
        let side = self.side;
        if side.app_schema {
            self.out.push_str("CREATE SCHEMA app;\n\n");
        }
        for e in side.enums.iter().filter(|e| !e.dropped) {
            let labels: Vec<String> = e.labels.iter().map(|l| format!("'{l}'")).collect();
            let _ = writeln!(self.out, "CREATE TYPE {} AS ENUM ({});", self.q(&e.schema, &e.name), labels.join(", "));
        }
        for d in side.domains.iter().filter(|d| !d.dropped) {
            let ty = type_sql(side, &d.base, &mut self.rng, self.qualify_public);
            let _ = write!(self.out, "CREATE DOMAIN {} AS {ty}", self.q(&d.schema, &d.name));
            if let Some(def) = &d.default {
                let _ = write!(self.out, " DEFAULT {def}");
            }
            if let Some(k) = d.check {
                if d.check_named {
                    let _ = write!(self.out, " CONSTRAINT {}_check", d.name);
                }
                let _ = write!(self.out, " CHECK ({})", check_sql(k, "VALUE"));
            }
            self.out.push_str(";\n");
        }
        self.out.push('\n');
        let mut after: Vec<String> = Vec::new();
        for t in &side.tables {
            self.table(t, &mut after);
        }
        for a in after {
            let _ = writeln!(self.out, "{a}");
        }
        for i in &side.indexes {
            self.index(i);
        }
        for v in &side.views {
            self.view(v);
        }
        self.out
    }

    fn hint(&mut self, old_name: Option<String>, indent: &str) {
        if let Some(n) = old_name {
            if self.rng.chance(15) {
                let _ = writeln!(self.out, "{indent}-- @renamed from={n}");
            } else {
                let _ = writeln!(self.out, "{indent}-- schemashift:renamed-from {n}");
            }
        }
    }

    /// `CONSTRAINT name ` when the name must or may be written.
    fn constraint_name(&mut self, name: &str, implicit: &str, named: bool) -> String {
        if named || name != implicit { format!("CONSTRAINT {name} ") } else { String::new() }
    }

    fn table(&mut self, t: &Table, after: &mut Vec<String>) {
        let old_t = self.old.and_then(|o| o.table(t.id));
        let renamed = old_t.filter(|o| o.name != t.name || o.schema != t.schema).map(|o| {
            if o.schema != t.schema || o.schema != "public" { format!("{}.{}", o.schema, o.name) } else { o.name.clone() }
        });
        self.hint(renamed, "");
        let _ = writeln!(self.out, "CREATE TABLE {} (", self.q(&t.schema, &t.name));
        let mut lines: Vec<(Option<String>, String)> = Vec::new();
        for c in &t.columns {
            let mut line = format!("    {} {}", c.name, type_sql(self.side, &c.ty, &mut self.rng, self.qualify_public));
            let old_c = old_t.and_then(|o| o.columns.iter().find(|x| x.id == c.id));
            let hint = old_c.filter(|o| o.name != c.name).map(|o| o.name.clone());
            if c.not_null {
                line.push_str(" NOT NULL");
            }
            if let Some(d) = &c.default {
                let _ = write!(line, " DEFAULT {d}");
            }
            for k in t.keys.iter().filter(|k| k.inline && k.cols == [c.id]) {
                let implicit = if k.primary { format!("{}_pkey", t.name) } else { format!("{}_{}_key", t.name, c.name) };
                let n = self.constraint_name(&k.name, &implicit, k.named);
                let _ = write!(line, " {n}{}", if k.primary { "PRIMARY KEY" } else { "UNIQUE" });
            }
            for ch in t.checks.iter().filter(|ch| ch.inline && ch.col == c.id) {
                let n = self.constraint_name(&ch.name, &format!("{}_{}_check", t.name, c.name), ch.named);
                let _ = write!(line, " {n}CHECK ({})", check_sql(ch.kind, &c.name));
            }
            for f in t.fks.iter().filter(|f| f.place == 0 && f.col == c.id) {
                let n = self.constraint_name(&f.name, &format!("{}_{}_fkey", t.name, c.name), f.named);
                let _ = write!(line, " {n}REFERENCES {}", self.fk_target(f));
            }
            lines.push((hint, line));
        }
        for k in t.keys.iter().filter(|k| !k.inline || k.cols.len() != 1) {
            let names: Vec<String> = k.cols.iter().map(|c| self.col_name(t.id, *c)).collect();
            let implicit = if k.primary { format!("{}_pkey", t.name) } else { format!("{}_{}_key", t.name, names.join("_")) };
            let n = self.constraint_name(&k.name, &implicit, k.named);
            lines.push((None, format!("    {n}{} ({})", if k.primary { "PRIMARY KEY" } else { "UNIQUE" }, names.join(", "))));
        }
        for ch in t.checks.iter().filter(|ch| !ch.inline) {
            let col = self.col_name(t.id, ch.col);
            let n = self.constraint_name(&ch.name, &format!("{}_{col}_check", t.name), ch.named);
            lines.push((None, format!("    {n}CHECK ({})", check_sql(ch.kind, &col))));
        }
        for f in t.fks.iter().filter(|f| f.place != 0) {
            let col = self.col_name(t.id, f.col);
            let target = self.fk_target(f);
            if f.place == 1 {
                let n = self.constraint_name(&f.name, &format!("{}_{col}_fkey", t.name), f.named);
                lines.push((None, format!("    {n}FOREIGN KEY ({col}) REFERENCES {target}")));
            } else {
                // Named always: the ALTER TABLE form here is how pg_dump writes them.
                after.push(format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({col}) REFERENCES {target};",
                    self.q(&t.schema, &t.name),
                    f.name
                ));
            }
        }
        let n = lines.len();
        for (i, (hint, line)) in lines.into_iter().enumerate() {
            self.hint(hint, "    ");
            let _ = writeln!(self.out, "{line}{}", if i + 1 < n { "," } else { "" });
        }
        self.out.push_str(");\n\n");
    }

    fn fk_target(&mut self, f: &Fk) -> String {
        let rt = self.side.table(f.ref_table).unwrap();
        let mut s = format!("{} ({})", self.q(&rt.schema, &rt.name), self.col_name(rt.id, f.ref_col));
        if !f.on_delete.is_empty() {
            let _ = write!(s, " ON DELETE {}", f.on_delete);
        }
        s
    }

    fn index(&mut self, i: &Index) {
        let t = self.side.table(i.table).unwrap();
        let old_name = self.old.and_then(|o| o.indexes.iter().find(|x| x.id == i.id)).filter(|o| o.name != i.name).map(|o| o.name.clone());
        self.hint(old_name, "");
        let items: Vec<String> = i
            .items
            .iter()
            .map(|it| match it {
                IndexItem::Col(c, desc) => format!("{}{}", self.col_name(t.id, *c), if *desc { " DESC" } else { "" }),
                IndexItem::Lower(c) => format!("lower({})", self.col_name(t.id, *c)),
            })
            .collect();
        let _ = write!(
            self.out,
            "CREATE {}INDEX {} ON {} ({})",
            if i.unique { "UNIQUE " } else { "" },
            i.name,
            self.q(&t.schema, &t.name),
            items.join(", ")
        );
        if let Some(c) = i.partial {
            let _ = write!(self.out, " WHERE {} IS NOT NULL", self.col_name(t.id, c));
        }
        self.out.push_str(";\n");
    }

    fn source_sql(&self, v: &View, s: Source) -> String {
        match s {
            Source::Col(c) => self.col_name(v.from, c),
            Source::ViewCol(vc) => {
                let inner = self.side.view(v.from).unwrap();
                self.side.view_col_name(inner, inner.cols.iter().find(|c| c.id == vc).unwrap())
            }
        }
    }

    fn view(&mut self, v: &View) {
        let old_name = self.old.and_then(|o| o.view(v.id)).filter(|o| o.name != v.name).map(|o| o.name.clone());
        self.hint(old_name, "");
        let cols: Vec<String> = v
            .cols
            .iter()
            .map(|c| {
                let s = self.source_sql(v, c.source);
                match &c.alias {
                    Some(a) => format!("{s} AS {a}"),
                    None => s,
                }
            })
            .collect();
        let from = if v.over_view {
            let inner = self.side.view(v.from).unwrap();
            self.q(&inner.schema, &inner.name)
        } else {
            let t = self.side.table(v.from).unwrap();
            self.q(&t.schema, &t.name)
        };
        let _ = write!(self.out, "CREATE VIEW {} AS SELECT {} FROM {from}", self.q(&v.schema, &v.name), cols.join(", "));
        if let Some(f) = v.filter {
            let _ = write!(self.out, " WHERE {} IS NOT NULL", self.source_sql(v, f));
        }
        self.out.push_str(";\n");
    }
}

// ---------------------------------------------------------------------------
// Rows.

/// `INSERT`s for every table of `old`, valid for `new` too.
fn rows(rng: &mut Rng, old: &Side, new: &Side) -> String {
    let mut out = String::new();
    // The values written so far, per (table, column): foreign keys copy them.
    let mut written: BTreeMap<(usize, usize), Vec<Option<String>>> = BTreeMap::new();
    let referenced: BTreeSet<usize> =
        [old, new].iter().flat_map(|s| s.tables.iter().flat_map(|t| t.fks.iter().map(|f| f.ref_table))).collect();
    for t in &old.tables {
        let count = if referenced.contains(&t.id) { 2 + rng.below(4) } else { rng.below(6) };
        if count == 0 {
            continue;
        }
        let new_t = new.table(t.id);
        let mut values: Vec<Vec<String>> = vec![Vec::new(); count];
        for c in &t.columns {
            let new_c = new_t.and_then(|n| n.columns.iter().find(|x| x.id == c.id));
            // The foreign key this column has on either side (one at most).
            let fk = t.fks.iter().chain(new_t.map(|n| n.fks.as_slice()).unwrap_or(&[])).find(|f| f.col == c.id);
            let referenced_col = [old, new].iter().any(|s| s.tables.iter().any(|x| x.fks.iter().any(|f| f.ref_table == t.id && f.ref_col == c.id)));
            let non_null = referenced_col
                || c.not_null
                || new_c.is_some_and(|n| n.not_null)
                || old.in_key(t.id, c.id) && t.keys.iter().any(|k| k.primary && k.cols.contains(&c.id))
                || new_t.is_some_and(|n| n.keys.iter().any(|k| k.primary && k.cols.contains(&c.id)));
            let mut col_values = Vec::new();
            for (row, vals) in values.iter_mut().enumerate() {
                let v = if let Some(f) = fk {
                    let pool = &written[&(f.ref_table, f.ref_col)];
                    let pick = pool[rng.below(pool.len())].clone();
                    match pick {
                        Some(v) => Some(v),
                        None if non_null => pool.iter().flatten().next().cloned(),
                        None => None,
                    }
                } else if !non_null && rng.chance(20) {
                    None
                } else {
                    Some(literal(old, new, &c.ty, new_c.map(|n| &n.ty), row, c.id * 7 + t.id))
                };
                vals.push(v.clone().unwrap_or_else(|| "NULL".into()));
                col_values.push(v);
            }
            written.insert((t.id, c.id), col_values);
        }
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        let rows: Vec<String> = values.iter().map(|v| format!("({})", v.join(", "))).collect();
        let _ = writeln!(out, "INSERT INTO {}.{} ({}) VALUES\n    {};", t.schema, t.name, names.join(", "), rows.join(",\n    "));
    }
    out
}

// ---------------------------------------------------------------------------

/// The pair for `seed`.
pub fn generate(seed: u64) -> Pair {
    let mut g = Gen { rng: Rng(seed), names: Names::default() };
    let old = g.old_side();
    let mut new = old.clone();
    let mut mutations = Vec::new();
    let wanted = 1 + g.rng.below(6);
    let mut tries = 0;
    while mutations.len() < wanted && tries < 50 {
        tries += 1;
        let kind = *g.rng.pick(MUTATIONS);
        if g.mutate(kind, &old, &mut new) {
            mutations.push(kind);
            g.repair(&mut new);
        }
    }
    let mut rng = Rng(seed ^ 0x5EED);
    let qualify_public = rng.chance(30);
    let old_sql = Writer { side: &old, old: None, rng: rng.clone(), qualify_public, out: String::new() }.write();
    let new_sql = Writer { side: &new, old: Some(&old), rng: Rng(seed ^ 0xFEED), qualify_public: !qualify_public && rng.chance(30), out: String::new() }.write();
    let rows = rows(&mut g.rng, &old, &new);
    Pair { seed, old: old_sql, new: new_sql, rows, mutations }
}
