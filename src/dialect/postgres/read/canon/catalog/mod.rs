//! PostgreSQL's own catalog of types, casts, operators and functions, as
//! the canonicalizer needs it to resolve an expression the way PostgreSQL's
//! parser does (which `=` is meant, which implicit casts it adds, what
//! `lower(x)` returns).
//!
//! The data is `pg15.tsv`, made by `snapshot.sql` from a fresh PostgreSQL 15
//! database (the test `catalog_snapshot_is_current` proves it still is):
//! every built-in object, plus the objects of common contrib extensions,
//! tagged with the extension's name so that they are only visible where a
//! schema creates that extension. Built-in objects keep their OIDs (stable
//! across releases); extension objects are numbered from 100000 by name.

use std::collections::HashMap;
use std::sync::OnceLock;

pub type Oid = u32;

/// `pg_type`, the columns the parser uses.
#[derive(Debug)]
pub struct TypeRow {
    pub oid: Oid,
    pub typname: &'static str,
    /// `format_type(oid, NULL)`: `integer`, `character varying`, `"char"`.
    pub display: &'static str,
    /// `b` base, `c` composite, `d` domain, `e` enum, `p` pseudo, `r` range, `m` multirange.
    pub typtype: u8,
    /// `typcategory`: `N` numeric, `S` string, `D` date/time, `A` array, …
    pub category: u8,
    pub preferred: bool,
    /// The element type of an array type (0 otherwise).
    pub elem: Oid,
    /// The array type whose elements are this type (0 when none).
    pub array: Oid,
    /// The base type of a domain (0 otherwise).
    pub base: Oid,
    pub collatable: bool,
    pub range_subtype: Oid,
    pub extension: Option<&'static str>,
}

/// `pg_cast`.
#[derive(Debug, Clone, Copy)]
pub struct CastRow {
    pub source: Oid,
    pub target: Oid,
    pub func: Oid,
    /// `e` explicit only, `a` assignment, `i` implicit.
    pub context: u8,
    /// `f` function, `b` binary coercible, `i` input/output.
    pub method: u8,
    pub extension: Option<&'static str>,
}

/// `pg_operator`.
#[derive(Debug)]
pub struct OperRow {
    pub oid: Oid,
    pub name: &'static str,
    /// `b` binary, `l` prefix.
    pub kind: u8,
    pub left: Oid,
    pub right: Oid,
    pub result: Oid,
    pub func: Oid,
    pub extension: Option<&'static str>,
}

/// `pg_proc`.
#[derive(Debug)]
pub struct ProcRow {
    pub oid: Oid,
    pub name: &'static str,
    /// `f` function, `a` aggregate, `w` window, `p` procedure.
    pub kind: u8,
    /// The element type of a VARIADIC last argument (0 when not variadic).
    pub variadic: Oid,
    pub retset: bool,
    pub rettype: Oid,
    /// Input argument types.
    pub args: Vec<Oid>,
    pub ndefaults: usize,
    /// All arguments (OUT ones too) with their modes, when there are OUT arguments.
    pub all_args: Option<Vec<Oid>>,
    pub modes: Option<Vec<u8>>,
    pub arg_names: Option<Vec<&'static str>>,
    /// `i` immutable, `s` stable, `v` volatile.
    pub volatility: u8,
    pub strict: bool,
    pub extension: Option<&'static str>,
}

#[derive(Debug, Default)]
pub struct Catalog {
    pub types: HashMap<Oid, TypeRow>,
    /// `typname` → OID, built-in types only (the names pg_catalog resolves).
    pub type_names: HashMap<&'static str, Oid>,
    pub casts: HashMap<(Oid, Oid), CastRow>,
    pub operators: HashMap<&'static str, Vec<OperRow>>,
    pub procs: HashMap<&'static str, Vec<ProcRow>>,
    /// Where each proc is in `procs`: (name, index).
    pub proc_index: HashMap<Oid, (&'static str, usize)>,
}

const DATA: &str = include_str!("pg15.tsv");

/// The catalog, parsed on first use.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| parse(DATA))
}

impl Catalog {
    pub fn proc(&self, oid: Oid) -> Option<&ProcRow> {
        let (name, i) = self.proc_index.get(&oid)?;
        self.procs.get(name)?.get(*i)
    }
    pub fn type_row(&self, oid: Oid) -> Option<&TypeRow> {
        self.types.get(&oid)
    }
}

fn parse(data: &'static str) -> Catalog {
    let mut c = Catalog::default();
    for line in data.lines() {
        let f: Vec<&'static str> = line.split('\t').collect();
        let oid = |i: usize| f.get(i).and_then(|s| s.parse::<Oid>().ok()).unwrap_or(0);
        let flag = |i: usize| f.get(i) == Some(&"t");
        let byte = |i: usize| f.get(i).and_then(|s| s.bytes().next()).unwrap_or(0);
        let ext = |i: usize| f.get(i).copied().filter(|s| *s != "-");
        let oids = |i: usize| -> Vec<Oid> {
            f.get(i).map(|s| s.split(' ').filter_map(|x| x.parse().ok()).collect()).unwrap_or_default()
        };
        match f.first().copied() {
            Some("T") => {
                let row = TypeRow {
                    oid: oid(1),
                    typname: f[2],
                    display: f[3],
                    typtype: byte(4),
                    category: byte(5),
                    preferred: flag(6),
                    elem: oid(7),
                    array: oid(8),
                    base: oid(9),
                    collatable: flag(10),
                    range_subtype: oid(11),
                    extension: ext(12),
                };
                if row.extension.is_none() {
                    c.type_names.insert(row.typname, row.oid);
                }
                c.types.insert(row.oid, row);
            }
            Some("C") => {
                let row = CastRow {
                    source: oid(1),
                    target: oid(2),
                    func: oid(3),
                    context: byte(4),
                    method: byte(5),
                    extension: ext(6),
                };
                c.casts.insert((row.source, row.target), row);
            }
            Some("O") => {
                let row = OperRow {
                    oid: oid(1),
                    name: f[2],
                    kind: byte(3),
                    left: oid(4),
                    right: oid(5),
                    result: oid(6),
                    func: oid(7),
                    extension: ext(8),
                };
                c.operators.entry(row.name).or_default().push(row);
            }
            Some("P") => {
                let optional = |i: usize| f.get(i).copied().filter(|s| *s != "-");
                let row = ProcRow {
                    oid: oid(1),
                    name: f[2],
                    kind: byte(3),
                    variadic: oid(4),
                    retset: flag(5),
                    rettype: oid(6),
                    args: oids(7),
                    ndefaults: f.get(8).and_then(|s| s.parse().ok()).unwrap_or(0),
                    all_args: optional(9).map(|s| s.split(' ').filter_map(|x| x.parse().ok()).collect()),
                    modes: optional(10).map(|s| s.split(' ').filter_map(|x| x.bytes().next()).collect()),
                    arg_names: optional(11).map(|s| s.split(' ').map(|n| if n == "\"\"" { "" } else { n }).collect()),
                    volatility: byte(12),
                    strict: flag(13),
                    extension: ext(14),
                };
                let list = c.procs.entry(row.name).or_default();
                c.proc_index.insert(row.oid, (row.name, list.len()));
                list.push(row);
            }
            _ => {}
        }
    }
    c
}

/// OIDs of the built-in types the parser itself refers to.
pub mod oids {
    use super::Oid;
    pub const BOOL: Oid = 16;
    pub const BYTEA: Oid = 17;
    pub const CHAR: Oid = 18;
    pub const NAME: Oid = 19;
    pub const INT8: Oid = 20;
    pub const INT2: Oid = 21;
    pub const INT2VECTOR: Oid = 22;
    pub const INT4: Oid = 23;
    pub const REGPROC: Oid = 24;
    pub const TEXT: Oid = 25;
    pub const OID: Oid = 26;
    pub const OIDVECTOR: Oid = 30;
    pub const JSON: Oid = 114;
    pub const XML: Oid = 142;
    pub const FLOAT4: Oid = 700;
    pub const FLOAT8: Oid = 701;
    pub const UNKNOWN: Oid = 705;
    pub const MONEY: Oid = 790;
    pub const INET: Oid = 869;
    pub const CIDR: Oid = 650;
    pub const MACADDR: Oid = 829;
    pub const BPCHAR: Oid = 1042;
    pub const VARCHAR: Oid = 1043;
    pub const DATE: Oid = 1082;
    pub const TIME: Oid = 1083;
    pub const TIMESTAMP: Oid = 1114;
    pub const TIMESTAMPTZ: Oid = 1184;
    pub const INTERVAL: Oid = 1186;
    pub const TIMETZ: Oid = 1266;
    pub const BIT: Oid = 1560;
    pub const VARBIT: Oid = 1562;
    pub const NUMERIC: Oid = 1700;
    pub const REGCLASS: Oid = 2205;
    pub const REGTYPE: Oid = 2206;
    pub const RECORD: Oid = 2249;
    pub const ANY: Oid = 2276;
    pub const ANYARRAY: Oid = 2277;
    pub const VOID: Oid = 2278;
    pub const ANYELEMENT: Oid = 2283;
    pub const ANYNONARRAY: Oid = 2776;
    pub const UUID: Oid = 2950;
    pub const ANYENUM: Oid = 3500;
    pub const TSVECTOR: Oid = 3614;
    pub const TSQUERY: Oid = 3615;
    pub const ANYRANGE: Oid = 3831;
    pub const JSONB: Oid = 3802;
    pub const JSONPATH: Oid = 4072;
    pub const ANYMULTIRANGE: Oid = 4537;
    pub const ANYCOMPATIBLE: Oid = 5077;
    pub const ANYCOMPATIBLEARRAY: Oid = 5078;
    pub const ANYCOMPATIBLENONARRAY: Oid = 5079;
    pub const ANYCOMPATIBLERANGE: Oid = 5080;
    pub const ANYCOMPATIBLEMULTIRANGE: Oid = 4538;
    pub const INT4RANGE: Oid = 3904;
    pub const INT8RANGE: Oid = 3926;
    pub const DATERANGE: Oid = 3912;
    pub const RECORD_ARRAY: Oid = 2287;
    pub const TEXT_ARRAY: Oid = 1009;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snapshot_parses_into_what_the_parser_needs() {
        let c = catalog();
        assert_eq!(c.types[&oids::INT4].display, "integer");
        assert_eq!(c.types[&oids::VARCHAR].category, b'S');
        assert!(c.types[&oids::TEXT].preferred);
        assert_eq!(c.types[&oids::TEXT_ARRAY].elem, oids::TEXT);
        assert!(c.casts.contains_key(&(oids::INT4, oids::NUMERIC)));
        let lower: Vec<_> = c.procs["lower"].iter().map(|p| p.args.clone()).collect();
        assert!(lower.contains(&vec![oids::TEXT]));
        assert!(c.operators["="].iter().any(|o| o.left == oids::INT4 && o.right == oids::INT8));
        let citext = c.types.values().find(|t| t.typname == "citext").expect("citext is in the snapshot");
        assert_eq!(citext.extension, Some("citext"));
        assert!(!c.type_names.contains_key("citext"), "an extension's type is not a built-in name");
    }
}
