//! The analyzed expression tree: what PostgreSQL's parser makes of an
//! expression (its `Node`s: `Const`, `Var`, `OpExpr`, `FuncExpr`,
//! `RelabelType`, …), reduced to what decides how PostgreSQL prints it back.
//!
//! Two expressions that PostgreSQL stores as the same tree print the same
//! (see [`super::deparse`]); that printed text is the canonical form.

use super::env::TypeId;

/// A type with its modifier (`numeric(10,2)` → `["10", "2"]`; empty when
/// PostgreSQL's typmod is -1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ty {
    pub id: TypeId,
    pub typmod: Vec<String>,
}

impl Ty {
    pub fn of(id: TypeId) -> Ty {
        Ty { id, typmod: Vec::new() }
    }
}

/// How a coercion was written, which decides whether it is printed: an
/// implicit one is left out where PostgreSQL's deparser leaves it out (at
/// the top of a stored expression), shown everywhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Explicit,
    Implicit,
}

/// Where a function call's spelling comes from (`CoercionForm` for calls).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallForm {
    /// `f(x)`.
    #[default]
    Call,
    /// SQL-standard syntax that PostgreSQL keeps (`EXTRACT(year FROM x)`,
    /// `SUBSTRING(x FROM 1 FOR 2)`, `TRIM(BOTH FROM x)`, `x AT TIME ZONE z`, …).
    Syntax(Syntax),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Extract,
    Overlay,
    Position,
    Substring,
    SubstringSimilar,
    TrimBoth,
    TrimLeading,
    TrimTrailing,
    AtTimeZone,
    Normalize,
    IsNormalized,
    CollationFor,
}

/// A function or operator name as it must be printed: `schema` is set
/// when the name alone would not find it (it lives outside the search path,
/// or another object of that name would be found first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub schema: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A constant: `value` is the text of the type's output function
    /// (`None` for NULL). Type `unknown` for a string literal whose type
    /// nothing decided (an argument of a `"any"` function).
    Const { ty: Ty, value: Option<String> },
    /// A column: `rel` is the range-table name it is printed with (in
    /// queries; `None` in a table's own expressions), `new`/`old` in a
    /// trigger's WHEN.
    Var { rel: Option<String>, name: String, ty: Ty },
    /// A whole row, `t.*`.
    WholeRow { rel: String, ty: Ty },
    /// `VALUE` in a domain's CHECK.
    DomainValue { ty: Ty },
    /// A coercion (`RelabelType`, `CoerceViaIO`, `ArrayCoerceExpr`,
    /// `CoerceToDomain` or a cast function): all are printed `arg::type`.
    /// `relabel`: a `RelabelType` (binary coercible, no work done), which
    /// PostgreSQL collapses when another relabel is put on top.
    Cast { arg: Box<Node>, ty: Ty, form: Form, relabel: bool },
    Func(Box<Func>),
    Op { name: Name, left: Option<Box<Node>>, right: Box<Node>, ty: Ty },
    /// `a IS DISTINCT FROM b` (PostgreSQL's `DistinctExpr`).
    Distinct { left: Box<Node>, right: Box<Node> },
    NullIf { left: Box<Node>, right: Box<Node>, ty: Ty },
    /// `x op ANY (array)` / `x op ALL (array)`.
    ScalarArrayOp { name: Name, any: bool, left: Box<Node>, right: Box<Node> },
    Bool { op: BoolOp, args: Vec<Node> },
    NullTest { arg: Box<Node>, not: bool },
    BoolTest { arg: Box<Node>, test: BoolTestKind },
    Case { arg: Option<Box<Node>>, whens: Vec<(Node, Node)>, default: Box<Node>, ty: Ty },
    /// The placeholder for the CASE operand inside a `WHEN` comparison.
    CaseTest { ty: Ty },
    Coalesce { args: Vec<Node>, ty: Ty },
    MinMax { greatest: bool, args: Vec<Node>, ty: Ty },
    Array { elems: Vec<Node>, ty: Ty, multidim: bool },
    Row { args: Vec<Node>, ty: Ty },
    SubLink(Box<SubLink>),
    SqlValue { kind: SqlValue, precision: Option<u32>, ty: Ty },
    Collate { arg: Box<Node>, collation: String, ty: Ty },
    FieldSelect { arg: Box<Node>, field: String, ty: Ty },
    Subscript { arg: Box<Node>, subscripts: Vec<Subscript>, ty: Ty },
    /// `x IS [NOT] DOCUMENT`, `x IS JSON …` and other forms kept as text.
    Verbatim { text: String, ty: Ty },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Func {
    pub name: Name,
    pub args: Vec<Node>,
    /// Names of named arguments (`make_interval(days => 1)`).
    pub arg_names: Vec<Option<String>>,
    pub ty: Ty,
    pub form: CallForm,
    /// `VARIADIC` written before the last argument.
    pub variadic: bool,
    pub agg: Option<Agg>,
    /// `OVER (…)` of a window function call, canonical text.
    pub over: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Agg {
    pub star: bool,
    pub distinct: bool,
    /// `ORDER BY` inside the call, canonical text.
    pub order_by: Option<String>,
    /// `WITHIN GROUP (ORDER BY …)`, canonical text.
    pub within_group: Option<String>,
    pub filter: Option<Box<Node>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoolOp {
    And,
    Or,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // PostgreSQL's own names (IS_TRUE, …)
pub enum BoolTestKind {
    IsTrue,
    IsNotTrue,
    IsFalse,
    IsNotFalse,
    IsUnknown,
    IsNotUnknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlValue {
    CurrentDate,
    CurrentTime,
    CurrentTimestamp,
    LocalTime,
    LocalTimestamp,
    CurrentRole,
    CurrentUser,
    User,
    SessionUser,
    CurrentCatalog,
    CurrentSchema,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubLink {
    pub kind: SubLinkKind,
    /// The left operand of `IN`/`ANY`/`ALL`/`op (SELECT …)`.
    pub test: Option<Node>,
    pub op: Option<Name>,
    /// The subquery, canonical text.
    pub query: String,
    pub ty: Ty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubLinkKind {
    Exists,
    Any,
    All,
    Expr,
    Array,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Subscript {
    pub lower: Option<Node>,
    pub upper: Option<Node>,
    pub slice: bool,
}

impl Node {
    /// PostgreSQL's `exprType` and `exprTypmod`.
    pub fn ty(&self) -> Ty {
        use super::catalog::oids;
        match self {
            Node::Const { ty, .. }
            | Node::Var { ty, .. }
            | Node::WholeRow { ty, .. }
            | Node::DomainValue { ty }
            | Node::Cast { ty, .. }
            | Node::Op { ty, .. }
            | Node::NullIf { ty, .. }
            | Node::Case { ty, .. }
            | Node::CaseTest { ty }
            | Node::Coalesce { ty, .. }
            | Node::MinMax { ty, .. }
            | Node::Array { ty, .. }
            | Node::Row { ty, .. }
            | Node::SqlValue { ty, .. }
            | Node::Collate { ty, .. }
            | Node::FieldSelect { ty, .. }
            | Node::Subscript { ty, .. }
            | Node::Verbatim { ty, .. } => ty.clone(),
            Node::Func(f) => f.ty.clone(),
            Node::SubLink(s) => s.ty.clone(),
            Node::Distinct { .. }
            | Node::ScalarArrayOp { .. }
            | Node::Bool { .. }
            | Node::NullTest { .. }
            | Node::BoolTest { .. } => Ty::of(oids::BOOL),
        }
    }

    pub fn type_id(&self) -> TypeId {
        self.ty().id
    }

    /// A constant of type `unknown`: a string literal (or NULL) whose type
    /// the context has not decided yet.
    pub fn is_unknown_literal(&self) -> bool {
        matches!(self, Node::Const { ty, .. } if ty.id == super::catalog::oids::UNKNOWN)
    }
}
