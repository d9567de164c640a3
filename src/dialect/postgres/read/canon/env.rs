//! What an expression is resolved against: PostgreSQL's built-in catalog,
//! the extensions the schema creates, and the schema's own types, functions
//! and relations — looked up the way PostgreSQL looks names up with
//! `search_path = public` (`pg_catalog` is always searched first).
//!
//! Canonical text is written for that search path: a name in `public` is
//! printed without its schema unless a `pg_catalog` object of that name
//! would be found instead (`public.gen_random_uuid()` stays qualified: the
//! unqualified call finds the built-in one).

use super::catalog::{self, Catalog, Oid, oids};
use super::expr::Scope;
use super::node::Ty;
use crate::model::{DataType, QName, Schema, UserTypeKind, quote_ident};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// A type: a built-in or extension OID from the catalog snapshot, or one of
/// the schema's own types (numbered from [`USER_TYPES`]).
pub type TypeId = u32;
/// A relation's columns: names and types.
pub type Columns = Vec<(String, Ty)>;

/// Operators of one name resolved, by operand types (left `None` for a prefix operator).
pub type OperatorsByOperands = HashMap<(Option<TypeId>, TypeId), Option<Oper>>;

/// A function: a catalog OID, or one of the schema's own (from [`USER_PROCS`]).
pub type ProcId = u32;

const USER_TYPES: TypeId = 0x2000_0000;
const USER_ARRAYS: TypeId = 0x3000_0000;
const USER_PROCS: ProcId = 0x2000_0000;

/// The schema searched for unqualified names after `pg_catalog`.
pub const DEFAULT_SCHEMA: &str = "public";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeKind {
    Base,
    Domain,
    Enum,
    Composite,
    Range,
    Multirange,
    Array,
    Pseudo,
}

/// What the parser needs to know about a type.
#[derive(Debug, Clone)]
pub struct TypeInfo {
    pub kind: TypeKind,
    pub category: u8,
    pub preferred: bool,
    pub elem: TypeId,
    pub array: TypeId,
    /// A domain's base type.
    pub base: Option<Ty>,
    pub range_subtype: TypeId,
    pub collatable: bool,
    /// Where it lives and its name there.
    pub schema: String,
    pub name: String,
}

/// A function, built-in or the schema's own, as overload resolution sees it.
#[derive(Debug, Clone)]
pub struct Proc {
    pub id: ProcId,
    pub schema: String,
    pub name: String,
    /// `f` function, `a` aggregate, `w` window, `p` procedure.
    pub kind: u8,
    pub args: Vec<TypeId>,
    /// Element type of a VARIADIC last argument (0 when none).
    pub variadic: TypeId,
    pub ret: Ty,
    pub retset: bool,
    pub ndefaults: usize,
    /// Names of the input arguments ("" for unnamed ones).
    pub arg_names: Vec<String>,
    /// The columns of a function returning a row (`RETURNS TABLE`, OUT arguments).
    pub out_columns: Vec<(String, Ty)>,
    pub volatility: u8,
    /// For one of the schema's own functions: its key in the model
    /// (`public.f(integer)`).
    pub key: Option<String>,
}

/// An operator.
#[derive(Debug, Clone)]
pub struct Oper {
    pub schema: String,
    pub name: String,
    /// 0 for a prefix operator.
    pub left: TypeId,
    pub right: TypeId,
    pub result: TypeId,
}

/// One of the schema's own types.
struct UserType {
    qname: QName,
    kind: TypeKind,
    base: Option<Ty>,
    subtype: TypeId,
    category: u8,
    collatable: bool,
}

/// Everything names resolve against, for one schema.
pub struct Env<'a> {
    pub cat: &'static Catalog,
    pub schema: Option<&'a Schema>,
    /// Extension name → the schema its objects live in.
    extensions: HashMap<&'static str, String>,
    user_types: Vec<UserType>,
    user_type_ids: HashMap<QName, TypeId>,
    user_procs: Vec<Proc>,
    /// The output columns of views, worked out when first asked for
    /// (`None` while being worked out, and for a view that cannot be).
    pub view_columns: RefCell<HashMap<QName, Option<Columns>>>,
    /// Operators resolved, by name and operand types (unqualified names
    /// only): a schema asks for the same few over and over.
    pub oper_cache: RefCell<HashMap<String, OperatorsByOperands>>,
    /// The scope of the table whose expression was resolved last, with
    /// its columns' types: a table's expressions are resolved one after
    /// another (see `pass::table_scope`).
    pub last_table_scope: RefCell<Option<(QName, Rc<Scope<'static>>)>>,
    /// Display name of a built-in type → OID (`integer` → 23).
    display_names: &'static HashMap<&'static str, Oid>,
}

fn display_names() -> &'static HashMap<&'static str, Oid> {
    static NAMES: std::sync::OnceLock<HashMap<&'static str, Oid>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut m = HashMap::new();
        for t in catalog::catalog().types.values().filter(|t| t.extension.is_none()) {
            m.insert(t.display, t.oid);
        }
        m
    })
}

impl<'a> Env<'a> {
    /// Built-in objects only.
    pub fn builtin() -> Env<'static> {
        Env {
            cat: catalog::catalog(),
            schema: None,
            extensions: HashMap::new(),
            user_types: Vec::new(),
            user_type_ids: HashMap::new(),
            user_procs: Vec::new(),
            view_columns: RefCell::new(HashMap::new()),
            oper_cache: RefCell::new(HashMap::new()),
            last_table_scope: RefCell::new(None),
            display_names: display_names(),
        }
    }

    pub fn new(schema: &'a Schema) -> Env<'a> {
        let cat = catalog::catalog();
        let mut env = Env { schema: Some(schema), ..Env::builtin() };
        let known: HashMap<&str, &'static str> = cat
            .types
            .values()
            .filter_map(|t| t.extension)
            .chain(cat.procs.values().flatten().filter_map(|p| p.extension))
            .map(|e| (e, e))
            .collect();
        for e in schema.extensions.values() {
            if let Some(name) = known.get(e.name.as_str()) {
                env.extensions.insert(name, e.schema.clone());
            }
        }
        // Types first (ids), then what they refer to: a domain may be over
        // another domain declared later in name order.
        for (i, t) in schema.types.values().enumerate() {
            env.user_type_ids.insert(t.name.clone(), USER_TYPES + i as TypeId);
        }
        for t in schema.types.values() {
            let (kind, category) = match &t.kind {
                UserTypeKind::Enum { .. } => (TypeKind::Enum, b'E'),
                UserTypeKind::Composite { .. } => (TypeKind::Composite, b'C'),
                UserTypeKind::Domain { .. } => (TypeKind::Domain, b'U'),
                UserTypeKind::Range { .. } => (TypeKind::Range, b'R'),
            };
            env.user_types.push(UserType { qname: t.name.clone(), kind, base: None, subtype: 0, category, collatable: false });
        }
        for (i, t) in schema.types.values().enumerate() {
            match &t.kind {
                UserTypeKind::Domain { base, .. } => {
                    let resolved = env.lookup_type(base);
                    if let Some(b) = &resolved {
                        let base_info = env.type_info(b.id);
                        env.user_types[i].category = base_info.category;
                        env.user_types[i].collatable = base_info.collatable;
                    }
                    env.user_types[i].base = resolved;
                }
                UserTypeKind::Range { subtype, .. } => {
                    env.user_types[i].subtype = env.lookup_type(subtype).map_or(0, |t| t.id);
                }
                _ => {}
            }
        }
        for (key, f) in &schema.functions {
            if let Some(mut p) = env.user_proc(f, USER_PROCS + env.user_procs.len() as ProcId) {
                p.key = Some(key.clone());
                env.user_procs.push(p);
            }
        }
        env
    }

    fn user_proc(&self, f: &crate::model::Function, id: ProcId) -> Option<Proc> {
        use crate::model::ArgMode;
        let mut args = Vec::new();
        let mut arg_names = Vec::new();
        let mut out_columns = Vec::new();
        let mut variadic = 0;
        let mut ndefaults = 0;
        for a in &f.args {
            let ty = self.lookup_type(&a.data_type)?;
            match a.mode {
                ArgMode::Out => out_columns.push((a.name.clone().unwrap_or_default(), ty)),
                mode => {
                    if mode == ArgMode::InOut {
                        out_columns.push((a.name.clone().unwrap_or_default(), ty.clone()));
                    }
                    if mode == ArgMode::Variadic {
                        variadic = self.type_info(ty.id).elem;
                    }
                    if a.default.is_some() {
                        ndefaults += 1;
                    }
                    args.push(ty.id);
                    arg_names.push(a.name.clone().unwrap_or_default());
                }
            }
        }
        let returns = f.returns.as_deref().unwrap_or("void");
        let (retset, ret) = if let Some(cols) = returns.strip_prefix("TABLE(").and_then(|r| r.strip_suffix(')')) {
            out_columns = crate::dialect::postgres::read::function::split_top_level(cols)
                .iter()
                .filter_map(|c| {
                    let (name, ty) = c.trim().split_once(' ')?;
                    Some((crate::model::name_parts_folded(name).pop()?, self.lookup_type(&DataType::parse(ty)?)?))
                })
                .collect();
            (true, Ty::of(oids::RECORD))
        } else if let Some(rest) = returns.strip_prefix("SETOF ") {
            (true, self.lookup_type(&DataType::parse(rest)?)?)
        } else if out_columns.len() > 1 {
            (false, Ty::of(oids::RECORD))
        } else {
            (false, self.lookup_type(&DataType::parse(returns)?).unwrap_or_else(|| Ty::of(oids::RECORD)))
        };
        Some(Proc {
            id,
            schema: f.name.schema.clone(),
            name: f.name.name.clone(),
            kind: if f.procedure { b'p' } else { b'f' },
            args,
            variadic,
            ret,
            retset,
            ndefaults,
            arg_names,
            out_columns,
            key: None,
            volatility: if f.attributes.iter().any(|a| a == "IMMUTABLE") {
                b'i'
            } else if f.attributes.iter().any(|a| a == "STABLE") {
                b's'
            } else {
                b'v'
            },
        })
    }

    fn ext_schema(&self, ext: Option<&'static str>) -> Option<&str> {
        match ext {
            None => Some("pg_catalog"),
            Some(e) => self.extensions.get(e).map(String::as_str),
        }
    }

    // ----- types -----

    pub fn type_info(&self, id: TypeId) -> TypeInfo {
        if id >= USER_ARRAYS {
            let elem = id - USER_ARRAYS + USER_TYPES;
            let u = &self.user_types[(elem - USER_TYPES) as usize];
            return TypeInfo {
                kind: TypeKind::Array,
                category: b'A',
                preferred: false,
                elem,
                array: 0,
                base: None,
                range_subtype: 0,
                collatable: u.collatable,
                schema: u.qname.schema.clone(),
                name: format!("_{}", u.qname.name),
            };
        }
        if id >= USER_TYPES {
            let u = &self.user_types[(id - USER_TYPES) as usize];
            return TypeInfo {
                kind: u.kind,
                category: u.category,
                preferred: false,
                elem: 0,
                array: id - USER_TYPES + USER_ARRAYS,
                base: u.base.clone(),
                range_subtype: u.subtype,
                collatable: u.collatable,
                schema: u.qname.schema.clone(),
                name: u.qname.name.clone(),
            };
        }
        match self.cat.type_row(id) {
            Some(t) => TypeInfo {
                kind: match t.typtype {
                    b'd' => TypeKind::Domain,
                    b'e' => TypeKind::Enum,
                    b'c' => TypeKind::Composite,
                    b'r' => TypeKind::Range,
                    b'm' => TypeKind::Multirange,
                    b'p' => TypeKind::Pseudo,
                    _ if t.elem != 0 => TypeKind::Array,
                    _ => TypeKind::Base,
                },
                category: t.category,
                preferred: t.preferred,
                elem: t.elem,
                array: t.array,
                base: (t.base != 0).then(|| Ty::of(t.base)),
                range_subtype: t.range_subtype,
                collatable: t.collatable,
                schema: self.ext_schema(t.extension).unwrap_or(DEFAULT_SCHEMA).to_string(),
                name: t.typname.to_string(),
            },
            None => TypeInfo {
                kind: TypeKind::Pseudo,
                category: b'X',
                preferred: false,
                elem: 0,
                array: 0,
                base: None,
                range_subtype: 0,
                collatable: false,
                schema: "pg_catalog".into(),
                name: "unknown".into(),
            },
        }
    }

    pub fn category(&self, id: TypeId) -> u8 {
        self.type_info(id).category
    }

    pub fn is_array(&self, id: TypeId) -> bool {
        self.type_info(id).kind == TypeKind::Array
    }

    pub fn elem_of(&self, id: TypeId) -> TypeId {
        self.type_info(id).elem
    }

    pub fn array_of(&self, id: TypeId) -> TypeId {
        self.type_info(id).array
    }

    /// `getBaseTypeAndTypmod`: a domain's base type, through nested domains.
    pub fn base_type(&self, ty: &Ty) -> Ty {
        let mut current = ty.clone();
        for _ in 0..32 {
            match self.type_info(current.id).base {
                Some(b) if self.type_info(current.id).kind == TypeKind::Domain => current = b,
                _ => break,
            }
        }
        current
    }

    /// `format_type_with_typmod` for `search_path = public`.
    pub fn type_display(&self, ty: &Ty) -> String {
        let info = self.type_info(ty.id);
        if info.kind == TypeKind::Array && ty.id < USER_TYPES && self.cat.type_row(ty.id).is_some_and(|t| t.extension.is_none())
        {
            let elem = Ty { id: info.elem, typmod: ty.typmod.clone() };
            return format!("{}[]", self.type_display(&elem));
        }
        if info.kind == TypeKind::Array {
            return format!("{}[]", self.type_display(&Ty { id: info.elem, typmod: ty.typmod.clone() }));
        }
        if let Some(row) = self.cat.type_row(ty.id).filter(|t| t.extension.is_none()) {
            if ty.typmod.is_empty() {
                return row.display.to_string();
            }
            let name = match row.oid {
                oids::BPCHAR => "character",
                _ => row.display,
            };
            return DataType::with_args(name, ty.typmod.clone()).to_string();
        }
        let name = if self.type_visible(&info) { quote_ident(&info.name) } else { QName::new(info.schema.clone(), info.name.clone()).to_string() };
        if ty.typmod.is_empty() { name } else { format!("{name}({})", ty.typmod.join(",")) }
    }

    /// `TypeIsVisible`: the unqualified name finds this very type.
    fn type_visible(&self, info: &TypeInfo) -> bool {
        info.schema == "pg_catalog"
            || (info.schema == DEFAULT_SCHEMA && !self.cat.type_names.contains_key(info.name.as_str()))
    }

    /// A model data type (`integer`, `character varying(20)[]`, `public.mood`).
    pub fn lookup_type(&self, dt: &DataType) -> Option<Ty> {
        let base = self.lookup_type_name(&dt.name)?;
        let mut id = base;
        for _ in 0..dt.array_dims {
            let array = self.array_of(id);
            if array == 0 {
                return None;
            }
            id = array;
        }
        Some(Ty { id, typmod: dt.args.clone() })
    }

    /// A type name without modifiers: a built-in display name (`integer`,
    /// `timestamp with time zone`), a `pg_catalog` type name (`int4`), or a
    /// (qualified) user or extension type.
    pub fn lookup_type_name(&self, name: &str) -> Option<TypeId> {
        if let Some(oid) = self.display_names.get(name) {
            return Some(*oid);
        }
        let parts = crate::model::name_parts_folded(name);
        let (schema, name) = match parts.as_slice() {
            [n] => (None, n.as_str()),
            [s, n] => (Some(s.as_str()), n.as_str()),
            _ => return None,
        };
        if schema.is_none_or(|s| s == "pg_catalog")
            && let Some(oid) = self.cat.type_names.get(name)
        {
            return Some(*oid);
        }
        if schema == Some("pg_catalog") {
            return None;
        }
        let in_schema = |s: &str| -> Option<TypeId> {
            if let Some(id) = self.user_type_ids.get(&QName::new(s, name)) {
                return Some(*id);
            }
            if let Some(elem) = name.strip_prefix('_')
                && let Some(id) = self.user_type_ids.get(&QName::new(s, elem))
            {
                return Some(id - USER_TYPES + USER_ARRAYS);
            }
            self.cat
                .types
                .values()
                .find(|t| t.typname == name && t.extension.is_some() && self.ext_schema(t.extension) == Some(s))
                .map(|t| t.oid)
        };
        in_schema(schema.unwrap_or(DEFAULT_SCHEMA))
    }

    /// The schema's own type `id` is (or is an array of).
    pub fn user_type_name(&self, id: TypeId) -> Option<QName> {
        let elem = if id >= USER_ARRAYS { id - USER_ARRAYS + USER_TYPES } else { id };
        (USER_TYPES..USER_ARRAYS).contains(&elem).then(|| self.user_types[(elem - USER_TYPES) as usize].qname.clone())
    }

    pub fn user_type_kind(&self, id: TypeId) -> Option<&UserTypeKind> {
        if !(USER_TYPES..USER_ARRAYS).contains(&id) {
            return None;
        }
        let q = &self.user_types[(id - USER_TYPES) as usize].qname;
        self.schema?.types.get(q).map(|t| &t.kind)
    }

    // ----- casts -----

    /// The `pg_cast` entry from `source` to `target`, if the cast exists here.
    pub fn cast(&self, source: TypeId, target: TypeId) -> Option<catalog::CastRow> {
        let row = self.cat.casts.get(&(source, target))?;
        self.ext_schema(row.extension)?;
        Some(*row)
    }

    // ----- functions and operators -----

    /// Every function named `name` that lookup can see: in `schema` when
    /// given, else along the search path (`pg_catalog`, then `public`).
    pub fn functions(&self, schema: Option<&str>, name: &str) -> Vec<Proc> {
        let mut out = Vec::new();
        let wanted = |s: &str| match schema {
            Some(x) => x == s,
            None => s == "pg_catalog" || s == DEFAULT_SCHEMA,
        };
        if let Some(rows) = self.cat.procs.get(name) {
            for p in rows {
                if let Some(s) = self.ext_schema(p.extension)
                    && wanted(s)
                {
                    out.push(self.catalog_proc(p, s));
                }
            }
        }
        out.extend(self.user_procs.iter().filter(|p| p.name == name && wanted(&p.schema)).cloned());
        out
    }

    fn catalog_proc(&self, p: &catalog::ProcRow, schema: &str) -> Proc {
        let mut out_columns = Vec::new();
        let mut arg_names = Vec::new();
        if let (Some(all), Some(modes)) = (&p.all_args, &p.modes) {
            let names = p.arg_names.clone().unwrap_or_default();
            for (i, (t, m)) in all.iter().zip(modes).enumerate() {
                let n = names.get(i).copied().unwrap_or("").to_string();
                match m {
                    b'o' | b't' => out_columns.push((n, Ty::of(*t))),
                    b'b' => {
                        out_columns.push((n.clone(), Ty::of(*t)));
                        arg_names.push(n);
                    }
                    _ => arg_names.push(n),
                }
            }
        } else if let Some(names) = &p.arg_names {
            arg_names = names.iter().map(|n| n.to_string()).collect();
        }
        Proc {
            id: p.oid,
            schema: schema.to_string(),
            name: p.name.to_string(),
            kind: p.kind,
            args: p.args.clone(),
            variadic: p.variadic,
            ret: Ty::of(p.rettype),
            retset: p.retset,
            ndefaults: p.ndefaults,
            arg_names,
            out_columns,
            volatility: p.volatility,
            key: None,
        }
    }

    pub fn proc(&self, id: ProcId) -> Option<Proc> {
        if id >= USER_PROCS {
            return self.user_procs.get((id - USER_PROCS) as usize).cloned();
        }
        let p = self.cat.proc(id)?;
        Some(self.catalog_proc(p, self.ext_schema(p.extension)?))
    }

    /// Every operator named `name` of `kind` (`b` binary, `l` prefix) that lookup can see.
    pub fn operators(&self, schema: Option<&str>, name: &str, kind: u8) -> Vec<Oper> {
        let Some(rows) = self.cat.operators.get(name) else { return Vec::new() };
        rows.iter()
            .filter(|o| o.kind == kind)
            .filter_map(|o| {
                let s = self.ext_schema(o.extension)?;
                let visible = match schema {
                    Some(x) => x == s,
                    None => s == "pg_catalog" || s == DEFAULT_SCHEMA,
                };
                visible.then(|| Oper { schema: s.to_string(), name: o.name.to_string(), left: o.left, right: o.right, result: o.result })
            })
            .collect()
    }

    // ----- relations -----

    /// The columns of a table or view, with their types (a type the
    /// environment does not know is [`super::expr::UNRESOLVED`]: expressions
    /// over that column are kept as written, the others still resolve).
    pub fn relation_columns(&self, name: &QName) -> Option<Vec<(String, Ty)>> {
        let schema = self.schema?;
        if let Some(t) = schema.tables.get(name) {
            let columns: Columns = t
                .columns
                .iter()
                .map(|c| (c.name.clone(), self.lookup_type(&c.data_type).unwrap_or_else(|| Ty::of(super::expr::UNRESOLVED))))
                .collect();
            return Some(columns);
        }
        if schema.views.contains_key(name) {
            if let Some(known) = self.view_columns.borrow().get(name) {
                return known.clone();
            }
            self.view_columns.borrow_mut().insert(name.clone(), None);
            let columns = super::query::view_columns(self, &schema.views[name]);
            self.view_columns.borrow_mut().insert(name.clone(), columns.clone());
            return columns;
        }
        None
    }

    /// Whether a relation of that name exists (table, view or sequence).
    pub fn relation_exists(&self, name: &QName) -> bool {
        self.schema.is_some_and(|s| s.tables.contains_key(name) || s.views.contains_key(name) || s.sequences.contains_key(name))
    }
}
