//! Type coercion, following PostgreSQL's `parse_coerce.c`: which casts
//! exist in which context, what a coercion looks like in the stored tree,
//! and the common type of CASE, COALESCE, UNION and ARRAY items.
//!
//! What the stored tree looks like decides what PostgreSQL prints back, so
//! the rules that matter are reproduced exactly: a string literal coerced
//! to a type becomes a constant of that type (no cast node), a binary
//! coercible cast on a constant stays a node above it (`('x'::text)::character
//! varying`), a cast to the expression's own type and typmod vanishes, and a
//! length coercion on top of a type coercion hides the inner one.

use super::catalog::oids;
use super::env::{Env, TypeId, TypeKind};
use super::literal;
use super::node::{Form, Node, Ty};

/// `CoercionContext`: how much a cast may do here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Context {
    Implicit,
    Assignment,
    Explicit,
}

/// `CoercionPathType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    None,
    Func,
    Relabel,
    ArrayCoerce,
    ViaIo,
}

/// Why a coercion could not be done (PostgreSQL would raise an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannotCoerce;

pub fn is_polymorphic(id: TypeId) -> bool {
    matches!(
        id,
        oids::ANYELEMENT
            | oids::ANYARRAY
            | oids::ANYNONARRAY
            | oids::ANYENUM
            | oids::ANYRANGE
            | oids::ANYMULTIRANGE
            | oids::ANYCOMPATIBLE
            | oids::ANYCOMPATIBLEARRAY
            | oids::ANYCOMPATIBLENONARRAY
            | oids::ANYCOMPATIBLERANGE
            | oids::ANYCOMPATIBLEMULTIRANGE
    )
}

impl Env<'_> {
    /// `find_coercion_pathway(target, source, context)`.
    pub fn coercion_path(&self, target: TypeId, source: TypeId, ctx: Context) -> Path {
        if source == target {
            return Path::Relabel;
        }
        let source = self.base_type(&Ty::of(source)).id;
        let target = self.base_type(&Ty::of(target)).id;
        if source == target {
            return Path::Relabel;
        }
        if let Some(cast) = self.cast(source, target) {
            let allowed = match cast.context {
                b'i' => true,
                b'a' => ctx >= Context::Assignment,
                _ => ctx == Context::Explicit,
            };
            if !allowed {
                return Path::None;
            }
            return match cast.method {
                b'f' => Path::Func,
                b'b' => Path::Relabel,
                _ => Path::ViaIo,
            };
        }
        // No pg_cast entry: arrays coerce element-wise, and anything goes
        // to a string type by its output function (in assignments) and from
        // one by its input function (explicitly).
        let (ti, si) = (self.type_info(target), self.type_info(source));
        // oidvector and int2vector look like arrays but take no array coercion.
        let vector = matches!(target, oids::OIDVECTOR | oids::INT2VECTOR);
        if ti.kind == TypeKind::Array && si.kind == TypeKind::Array && !vector {
            if self.coercion_path(ti.elem, si.elem, ctx) != Path::None {
                return Path::ArrayCoerce;
            }
            return Path::None;
        }
        if ctx >= Context::Assignment && ti.category == b'S' {
            return Path::ViaIo;
        }
        if ctx == Context::Explicit && si.category == b'S' {
            return Path::ViaIo;
        }
        Path::None
    }

    /// `can_coerce_type` for one argument.
    pub fn can_coerce(&self, input: TypeId, target: TypeId, ctx: Context) -> bool {
        if input == target || target == oids::ANY || is_polymorphic(target) || input == oids::UNKNOWN {
            return true;
        }
        let ti = self.type_info(target);
        let ii = self.type_info(input);
        if target == oids::RECORD && ii.kind == TypeKind::Composite {
            return true;
        }
        if target == oids::RECORD_ARRAY && ii.kind == TypeKind::Array && self.type_info(ii.elem).kind == TypeKind::Composite {
            return true;
        }
        if ti.kind == TypeKind::Pseudo {
            return false;
        }
        self.coercion_path(target, input, ctx) != Path::None
    }

    /// `can_coerce_type` for a whole argument list, polymorphic consistency included.
    pub fn can_coerce_all(&self, inputs: &[TypeId], targets: &[TypeId], ctx: Context) -> bool {
        inputs.len() == targets.len()
            && inputs.iter().zip(targets).all(|(i, t)| self.can_coerce(*i, *t, ctx))
            && (!targets.iter().any(|t| is_polymorphic(*t)) || self.resolve_polymorphic(inputs, targets, 0).is_some())
    }

    /// `coerce_to_target_type`: the coercion of `node` to `target`, with a
    /// length coercion on top when the typmod asks for one.
    pub fn coerce_to_target(&self, node: Node, target: &Ty, ctx: Context, form: Form) -> Result<Node, CannotCoerce> {
        let input = node.type_id();
        if !self.can_coerce(input, target.id, ctx) {
            return Err(CannotCoerce);
        }
        let coerced = self.coerce_type(node.clone(), input, target, ctx, form)?;
        // A type and a length coercion together: the inner one is not shown.
        let hide_inner = coerced != node && !matches!(coerced, Node::Const { .. });
        Ok(self.coerce_typmod(coerced, target, ctx, form, hide_inner))
    }

    /// `coerce_type`.
    pub fn coerce_type(&self, node: Node, input: TypeId, target: &Ty, ctx: Context, form: Form) -> Result<Node, CannotCoerce> {
        if target.id == input {
            return Ok(node);
        }
        if matches!(
            target.id,
            oids::ANY | oids::ANYELEMENT | oids::ANYNONARRAY | oids::ANYCOMPATIBLE | oids::ANYCOMPATIBLENONARRAY
        ) {
            return Ok(node);
        }
        if is_polymorphic(target.id) || target.id == oids::RECORD || target.id == oids::RECORD_ARRAY {
            // A domain over an array passed to anyarray is relabeled to its base.
            if input != oids::UNKNOWN {
                let base = self.base_type(&Ty::of(input));
                if base.id != input {
                    return Ok(Node::Cast { arg: Box::new(node), ty: Ty::of(base.id), form: Form::Implicit, relabel: true });
                }
            }
            return Ok(node);
        }
        if input == oids::UNKNOWN
            && let Node::Const { value, .. } = &node
        {
            let base = self.base_type(&Ty::of(target.id));
            // The input function sees the typmod only for interval (its
            // fields decide how the text is read).
            let input_typmod = if base.id == oids::INTERVAL { base.typmod.clone() } else { Vec::new() };
            let value = match value {
                Some(text) => Some(literal::input(self, &Ty { id: base.id, typmod: input_typmod.clone() }, text)),
                None => None,
            };
            let c = Node::Const { ty: Ty { id: base.id, typmod: input_typmod }, value };
            return Ok(self.coerce_to_domain(c, &base, target.id, ctx, form, false));
        }
        if let Node::Collate { arg, collation, .. } = node {
            let inner_type = arg.type_id();
            let inner = self.coerce_type(*arg, inner_type, target, ctx, form)?;
            return Ok(Node::Collate { arg: Box::new(inner), collation, ty: target.clone() });
        }
        match self.coercion_path(target.id, input, ctx) {
            Path::None => Err(CannotCoerce),
            Path::Relabel => {
                let coerced = self.coerce_to_domain(node.clone(), &self.base_type(&Ty::of(target.id)), target.id, ctx, form, false);
                if coerced != node {
                    return Ok(coerced);
                }
                Ok(Node::Cast { arg: Box::new(node), ty: Ty::of(target.id), form, relabel: true })
            }
            Path::Func | Path::ArrayCoerce | Path::ViaIo => {
                let base = self.base_type(&Ty::of(target.id));
                let result = Node::Cast { arg: Box::new(node), ty: Ty::of(base.id), form, relabel: false };
                Ok(self.coerce_to_domain(result, &base, target.id, ctx, form, true))
            }
        }
    }

    /// `coerce_to_domain`: a constraint check above the value when `target`
    /// is a domain (after the base type's own typmod is applied).
    fn coerce_to_domain(&self, node: Node, base: &Ty, target: TypeId, ctx: Context, form: Form, hide_input: bool) -> Node {
        if base.id == target {
            return node;
        }
        let node = if hide_input { hide(node) } else { node };
        let node = self.coerce_typmod(node, base, ctx, Form::Implicit, false);
        Node::Cast { arg: Box::new(node), ty: Ty::of(target), form, relabel: false }
    }

    /// `coerce_type_typmod`: a length coercion to `target`'s typmod.
    pub fn coerce_typmod(&self, node: Node, target: &Ty, _ctx: Context, form: Form, hide_input: bool) -> Node {
        if node.ty().typmod == target.typmod {
            return node;
        }
        let node = if hide_input { hide(node) } else { node };
        let has_length_function = !target.typmod.is_empty()
            && (self.is_array(target.id) || self.cast(target.id, target.id).is_some_and(|c| c.func != 0));
        if has_length_function {
            return Node::Cast { arg: Box::new(node), ty: target.clone(), form, relabel: false };
        }
        apply_relabel(node, target.clone(), form)
    }

    /// `coerce_to_common_type`.
    pub fn coerce_to_common(&self, node: Node, target: TypeId) -> Result<Node, CannotCoerce> {
        let input = node.type_id();
        if input == target {
            return Ok(node);
        }
        if !self.can_coerce(input, target, Context::Implicit) {
            return Err(CannotCoerce);
        }
        self.coerce_type(node, input, &Ty::of(target), Context::Implicit, Form::Implicit)
    }

    /// `coerce_to_boolean`.
    pub fn coerce_to_boolean(&self, node: Node) -> Result<Node, CannotCoerce> {
        let input = node.type_id();
        if input == oids::BOOL {
            return Ok(node);
        }
        if !self.can_coerce(input, oids::BOOL, Context::Assignment) {
            return Err(CannotCoerce);
        }
        self.coerce_type(node, input, &Ty::of(oids::BOOL), Context::Assignment, Form::Implicit)
    }

    /// `select_common_type`: the type CASE results, COALESCE arguments,
    /// UNION columns and ARRAY elements are resolved to.
    pub fn select_common_type(&self, types: &[TypeId]) -> Result<TypeId, CannotCoerce> {
        let Some(&first) = types.first() else { return Ok(oids::TEXT) };
        if first != oids::UNKNOWN && types.iter().all(|t| *t == first) {
            return Ok(first);
        }
        let mut ptype = self.base_type(&Ty::of(first)).id;
        let mut pinfo = self.type_info(ptype);
        for &t in &types[1..] {
            let ntype = self.base_type(&Ty::of(t)).id;
            if ntype == oids::UNKNOWN || ntype == ptype {
                continue;
            }
            let ninfo = self.type_info(ntype);
            if ptype == oids::UNKNOWN {
                ptype = ntype;
                pinfo = ninfo;
            } else if ninfo.category != pinfo.category {
                return Err(CannotCoerce);
            } else if !pinfo.preferred
                && self.can_coerce(ptype, ntype, Context::Implicit)
                && !self.can_coerce(ntype, ptype, Context::Implicit)
            {
                ptype = ntype;
                pinfo = ninfo;
            }
        }
        Ok(if ptype == oids::UNKNOWN { oids::TEXT } else { ptype })
    }

    /// `select_common_typmod`: the typmod shared by every input of the
    /// common type, or none.
    pub fn common_typmod(nodes: &[Node], common: TypeId) -> Vec<String> {
        let mut typmod: Option<Vec<String>> = None;
        for n in nodes {
            let t = n.ty();
            if t.id != common {
                return Vec::new();
            }
            match &typmod {
                None => typmod = Some(t.typmod),
                Some(m) if *m != t.typmod => return Vec::new(),
                _ => {}
            }
        }
        typmod.unwrap_or_default()
    }

    /// `enforce_generic_type_consistency`: the actual types of a call's
    /// polymorphic arguments and result. Returns the declared argument
    /// types with the polymorphic ones replaced, and the result type
    /// (`declared_ret` replaced likewise; 0 when not asked).
    pub fn resolve_polymorphic(&self, actual: &[TypeId], declared: &[TypeId], declared_ret: TypeId) -> Option<(Vec<TypeId>, TypeId)> {
        let mut elem: TypeId = 0;
        let mut array: TypeId = 0;
        let mut range: TypeId = 0;
        let mut compatible: Vec<TypeId> = Vec::new();
        let mut compatible_array_elems: Vec<TypeId> = Vec::new();
        let mut compatible_range: TypeId = 0;
        let (mut have_nonarray, mut have_enum, mut have_compatible, mut have_unknown_only) = (false, false, false, false);
        for (&a, &d) in actual.iter().zip(declared) {
            match d {
                oids::ANYELEMENT | oids::ANYNONARRAY | oids::ANYENUM => {
                    have_nonarray |= d == oids::ANYNONARRAY;
                    have_enum |= d == oids::ANYENUM;
                    if a == oids::UNKNOWN {
                        have_unknown_only = true;
                        continue;
                    }
                    if elem != 0 && elem != a {
                        return None;
                    }
                    elem = a;
                }
                oids::ANYARRAY => {
                    if a == oids::UNKNOWN {
                        have_unknown_only = true;
                        continue;
                    }
                    let a = self.base_type(&Ty::of(a)).id;
                    if array != 0 && array != a {
                        return None;
                    }
                    array = a;
                }
                oids::ANYRANGE => {
                    if a == oids::UNKNOWN {
                        continue;
                    }
                    let a = self.base_type(&Ty::of(a)).id;
                    if range != 0 && range != a {
                        return None;
                    }
                    range = a;
                }
                // Multiranges are not modelled: only an actual multirange fits.
                oids::ANYMULTIRANGE | oids::ANYCOMPATIBLEMULTIRANGE
                    if a == oids::UNKNOWN || self.type_info(a).kind != TypeKind::Multirange =>
                {
                    return None;
                }
                oids::ANYCOMPATIBLE | oids::ANYCOMPATIBLENONARRAY => {
                    have_compatible = true;
                    if a != oids::UNKNOWN {
                        compatible.push(a);
                    }
                }
                oids::ANYCOMPATIBLEARRAY => {
                    have_compatible = true;
                    if a != oids::UNKNOWN {
                        let a = self.base_type(&Ty::of(a)).id;
                        let e = self.elem_of(a);
                        if e == 0 {
                            return None;
                        }
                        compatible_array_elems.push(e);
                    }
                }
                oids::ANYCOMPATIBLERANGE => {
                    have_compatible = true;
                    if a != oids::UNKNOWN {
                        compatible_range = self.base_type(&Ty::of(a)).id;
                    }
                }
                _ => {}
            }
        }
        if array != 0 {
            let e = self.elem_of(array);
            if e == 0 {
                return None;
            }
            if elem == 0 {
                elem = e;
            } else if elem != e {
                return None;
            }
        }
        if range != 0 {
            let s = self.type_info(range).range_subtype;
            if s == 0 {
                return None;
            }
            if elem == 0 {
                elem = s;
            } else if elem != s {
                return None;
            }
        }
        let needs_elem = declared.iter().chain([&declared_ret]).any(|d| {
            matches!(*d, oids::ANYELEMENT | oids::ANYNONARRAY | oids::ANYENUM | oids::ANYARRAY | oids::ANYRANGE)
        });
        if needs_elem && elem == 0 {
            // Every polymorphic input is an unknown literal: PostgreSQL
            // cannot decide the type either.
            let _ = have_unknown_only;
            return None;
        }
        if have_nonarray && elem != 0 && self.is_array(elem) {
            return None;
        }
        if have_enum && elem != 0 && self.type_info(elem).kind != TypeKind::Enum {
            return None;
        }
        let mut compat: TypeId = 0;
        if have_compatible {
            let mut all = compatible.clone();
            all.extend(compatible_array_elems.iter().copied());
            if compatible_range != 0 {
                all.push(self.type_info(compatible_range).range_subtype);
            }
            compat = if all.is_empty() { oids::TEXT } else { self.select_common_type(&all).ok()? };
            if !all.iter().all(|t| self.can_coerce(*t, compat, Context::Implicit)) {
                return None;
            }
        }
        let substitute = |d: TypeId| -> Option<TypeId> {
            Some(match d {
                oids::ANYELEMENT | oids::ANYNONARRAY | oids::ANYENUM => elem,
                oids::ANYARRAY => {
                    if array != 0 {
                        array
                    } else {
                        let a = self.array_of(elem);
                        if a == 0 {
                            return None;
                        }
                        a
                    }
                }
                oids::ANYRANGE => {
                    if range == 0 {
                        return None;
                    }
                    range
                }
                oids::ANYCOMPATIBLE | oids::ANYCOMPATIBLENONARRAY => compat,
                oids::ANYCOMPATIBLEARRAY => {
                    let a = self.array_of(compat);
                    if a == 0 {
                        return None;
                    }
                    a
                }
                oids::ANYCOMPATIBLERANGE => {
                    if compatible_range == 0 {
                        return None;
                    }
                    compatible_range
                }
                other => other,
            })
        };
        let args = declared.iter().map(|d| substitute(*d)).collect::<Option<Vec<_>>>()?;
        let ret = if declared_ret == 0 { 0 } else { substitute(declared_ret)? };
        Some((args, ret))
    }
}

/// `applyRelabelType`: a constant takes the new type itself; a relabel
/// below is replaced rather than stacked; a relabel that changes nothing is
/// not made.
pub fn apply_relabel(node: Node, ty: Ty, form: Form) -> Node {
    let mut arg = node;
    while let Node::Cast { arg: inner, relabel: true, .. } = arg {
        arg = *inner;
    }
    match arg {
        Node::Const { value, .. } => Node::Const { ty, value },
        other if other.ty() == ty => other,
        other => Node::Cast { arg: Box::new(other), ty, form, relabel: true },
    }
}

/// `hide_coercion_node`: a coercion below a length coercion is not shown.
fn hide(node: Node) -> Node {
    match node {
        Node::Cast { arg, ty, relabel, .. } => Node::Cast { arg, ty, form: Form::Implicit, relabel },
        other => other,
    }
}
