//! Which function or operator a call means, following PostgreSQL's
//! `parse_func.c` and `parse_oper.c`: exact matches first, then the
//! candidates the arguments can be coerced to, narrowed by
//! `func_select_candidate`'s heuristics (exact types, preferred types,
//! string category for unknown literals).

use super::catalog::oids;
use super::coerce::Context;
use super::env::{DEFAULT_SCHEMA, Env, Oper, Proc, TypeId};

/// A function that could be meant, with its argument list as the call
/// would use it (VARIADIC expanded, defaulted arguments cut off, named
/// arguments in call order).
#[derive(Debug, Clone)]
pub struct FuncCandidate {
    pub proc: Proc,
    pub args: Vec<TypeId>,
    /// How many trailing arguments were folded into the VARIADIC one.
    pub variadic_count: usize,
    /// For a call with named arguments: the parameter each argument goes to.
    pub positions: Option<Vec<usize>>,
}

#[derive(Debug)]
pub enum FuncLookup {
    Found(Box<FuncCandidate>),
    /// `typename(x)` where no function matches: a cast.
    Coercion(TypeId),
    NotFound,
    Ambiguous,
}

fn schema_rank(schema: &str) -> usize {
    match schema {
        "pg_catalog" => 0,
        DEFAULT_SCHEMA => 1,
        _ => 2,
    }
}

impl Env<'_> {
    /// `FuncnameGetCandidates`.
    pub fn func_candidates(
        &self,
        schema: Option<&str>,
        name: &str,
        nargs: usize,
        arg_names: &[Option<String>],
        explicit_variadic: bool,
    ) -> Vec<FuncCandidate> {
        let named: Vec<&str> = arg_names.iter().filter_map(|n| n.as_deref()).collect();
        let mut out: Vec<FuncCandidate> = Vec::new();
        for proc in self.functions(schema, name) {
            let pronargs = proc.args.len();
            let candidate = if !named.is_empty() {
                // MatchNamedCall: positional arguments first, then every name
                // must be a parameter not already filled; the rest defaulted.
                let positional = nargs - named.len();
                if positional > pronargs {
                    continue;
                }
                let mut positions: Vec<usize> = (0..positional).collect();
                let mut ok = true;
                for n in &named {
                    match proc.arg_names.iter().position(|p| p == n) {
                        Some(p) if !positions.contains(&p) => positions.push(p),
                        _ => {
                            ok = false;
                            break;
                        }
                    }
                }
                let first_default = pronargs - proc.ndefaults.min(pronargs);
                if !ok || (0..pronargs).any(|p| p < first_default && !positions.contains(&p)) {
                    continue;
                }
                let args = positions.iter().map(|p| proc.args[*p]).collect();
                FuncCandidate { proc, args, variadic_count: 0, positions: Some(positions) }
            } else if proc.variadic != 0 && !explicit_variadic && nargs >= pronargs {
                let mut args: Vec<TypeId> = proc.args[..pronargs - 1].to_vec();
                args.extend(std::iter::repeat_n(proc.variadic, nargs - pronargs + 1));
                FuncCandidate { proc, args, variadic_count: nargs - pronargs + 1, positions: None }
            } else if pronargs > nargs && nargs + proc.ndefaults >= pronargs {
                if explicit_variadic {
                    continue;
                }
                let args = proc.args[..nargs].to_vec();
                FuncCandidate { proc, args, variadic_count: 0, positions: None }
            } else if pronargs == nargs {
                if explicit_variadic && proc.variadic == 0 {
                    continue;
                }
                let args = proc.args.clone();
                FuncCandidate { proc, args, variadic_count: 0, positions: None }
            } else {
                continue;
            };
            // The same signature in two schemas: the earlier in the path wins.
            if let Some(existing) = out.iter_mut().find(|c| c.args == candidate.args) {
                let better = schema_rank(&candidate.proc.schema) < schema_rank(&existing.proc.schema)
                    || (schema_rank(&candidate.proc.schema) == schema_rank(&existing.proc.schema)
                        && existing.variadic_count > 0
                        && candidate.variadic_count == 0);
                if better {
                    *existing = candidate;
                }
                continue;
            }
            out.push(candidate);
        }
        out
    }

    /// `func_get_detail`: the function `name(inputs)` calls.
    pub fn lookup_function(
        &self,
        schema: Option<&str>,
        name: &str,
        inputs: &[TypeId],
        arg_names: &[Option<String>],
        explicit_variadic: bool,
        single_unknown_const: bool,
    ) -> FuncLookup {
        let candidates = self.func_candidates(schema, name, inputs.len(), arg_names, explicit_variadic);
        if let Some(exact) = candidates.iter().find(|c| c.args == inputs) {
            return FuncLookup::Found(Box::new(exact.clone()));
        }
        // `text(x)`, `int4(x)`: a function-call spelling of a cast, when the
        // name is a type and the cast needs no function.
        if inputs.len() == 1
            && arg_names.iter().all(Option::is_none)
            && let Some(target) = self.lookup_type_name(&match schema {
                Some(s) => format!("{}.{}", crate::model::quote_ident(s), crate::model::quote_ident(name)),
                None => crate::model::quote_ident(name),
            })
        {
            let source = inputs[0];
            let is_coercion = if source == oids::UNKNOWN {
                single_unknown_const
            } else {
                match self.coercion_path(target, source, Context::Explicit) {
                    super::coerce::Path::Relabel => true,
                    super::coerce::Path::ViaIo => {
                        let complex = source == oids::RECORD
                            || self.type_info(source).kind == super::env::TypeKind::Composite;
                        !(complex && self.category(target) == b'S')
                    }
                    _ => false,
                }
            };
            if is_coercion {
                return FuncLookup::Coercion(target);
            }
        }
        let matching: Vec<FuncCandidate> = candidates
            .into_iter()
            .filter(|c| self.can_coerce_all(inputs, &c.args, Context::Implicit))
            .collect();
        match matching.len() {
            0 => FuncLookup::NotFound,
            1 => FuncLookup::Found(Box::new(matching.into_iter().next().expect("one"))),
            _ => {
                let arg_lists: Vec<Vec<TypeId>> = matching.iter().map(|c| c.args.clone()).collect();
                match self.select_candidate(inputs, &arg_lists) {
                    Some(i) => FuncLookup::Found(Box::new(matching[i].clone())),
                    None => FuncLookup::Ambiguous,
                }
            }
        }
    }

    /// Every visible operator `name` of the given arity, one per signature
    /// (the earlier schema in the path wins).
    fn oper_candidates(&self, schema: Option<&str>, name: &str, prefix: bool) -> Vec<Oper> {
        let mut out: Vec<Oper> = Vec::new();
        for o in self.operators(schema, name, if prefix { b'l' } else { b'b' }) {
            match out.iter_mut().find(|x| x.left == o.left && x.right == o.right) {
                Some(existing) => {
                    if schema_rank(&o.schema) < schema_rank(&existing.schema) {
                        *existing = o;
                    }
                }
                None => out.push(o),
            }
        }
        out
    }

    /// `oper()` / `left_oper()`: the operator `left name right` means
    /// (`left` is `None` for a prefix operator).
    pub fn lookup_operator(&self, schema: Option<&str>, name: &str, left: Option<TypeId>, right: TypeId) -> Option<Oper> {
        if schema.is_some() {
            return self.resolve_operator(schema, name, left, right);
        }
        if let Some(known) = self.oper_cache.borrow().get(name).and_then(|m| m.get(&(left, right))) {
            return known.clone();
        }
        let found = self.resolve_operator(None, name, left, right);
        self.oper_cache.borrow_mut().entry(name.to_string()).or_default().insert((left, right), found.clone());
        found
    }

    fn resolve_operator(&self, schema: Option<&str>, name: &str, left: Option<TypeId>, right: TypeId) -> Option<Oper> {
        let candidates = self.oper_candidates(schema, name, left.is_none());
        let exact = |l: TypeId, r: TypeId| candidates.iter().find(|o| o.left == l && o.right == r).cloned();
        match left {
            Some(l) => {
                // binary_oper_exact: an unknown side is assumed to be the other's type.
                let (mut a, mut b) = (l, right);
                let mut was_unknown = false;
                if a == oids::UNKNOWN && b != oids::UNKNOWN {
                    a = b;
                    was_unknown = true;
                } else if b == oids::UNKNOWN && a != oids::UNKNOWN {
                    b = a;
                    was_unknown = true;
                }
                if let Some(o) = exact(a, b) {
                    return Some(o);
                }
                if was_unknown {
                    let base = self.base_type(&super::node::Ty::of(a)).id;
                    if base != a
                        && let Some(o) = exact(base, base)
                    {
                        return Some(o);
                    }
                }
            }
            None => {
                if let Some(o) = exact(0, right) {
                    return Some(o);
                }
            }
        }
        let inputs: Vec<TypeId> = match left {
            Some(l) => vec![l, right],
            None => vec![right],
        };
        let arg_list = |o: &Oper| if left.is_some() { vec![o.left, o.right] } else { vec![o.right] };
        let matching: Vec<&Oper> =
            candidates.iter().filter(|o| self.can_coerce_all(&inputs, &arg_list(o), Context::Implicit)).collect();
        match matching.len() {
            0 => None,
            1 => Some(matching[0].clone()),
            _ => {
                let lists: Vec<Vec<TypeId>> = matching.iter().map(|o| arg_list(o)).collect();
                self.select_candidate(&inputs, &lists).map(|i| matching[i].clone())
            }
        }
    }

    /// `func_select_candidate`: the one candidate the heuristics leave, if any.
    pub fn select_candidate(&self, inputs: &[TypeId], candidates: &[Vec<TypeId>]) -> Option<usize> {
        let nargs = inputs.len();
        let base: Vec<TypeId> =
            inputs.iter().map(|t| if *t == oids::UNKNOWN { *t } else { self.base_type(&super::node::Ty::of(*t)).id }).collect();
        let nunknowns = base.iter().filter(|t| **t == oids::UNKNOWN).count();
        let mut current: Vec<usize> = (0..candidates.len()).collect();

        // Most exact matches on the known inputs.
        let keep_best = |current: &Vec<usize>, score: &dyn Fn(usize) -> usize| -> Vec<usize> {
            let best = current.iter().map(|&c| score(c)).max().unwrap_or(0);
            current.iter().copied().filter(|&c| score(c) == best).collect()
        };
        current = keep_best(&current, &|c| (0..nargs).filter(|&i| base[i] != oids::UNKNOWN && base[i] == candidates[c][i]).count());
        if current.len() == 1 {
            return Some(current[0]);
        }
        // Then exact or preferred types of the input's category.
        let slot_category: Vec<u8> = base.iter().map(|t| self.category(*t)).collect();
        current = keep_best(&current, &|c| {
            (0..nargs)
                .filter(|&i| {
                    base[i] != oids::UNKNOWN && {
                        let t = candidates[c][i];
                        let info = self.type_info(t);
                        base[i] == t || (info.preferred && info.category == slot_category[i])
                    }
                })
                .count()
        });
        if current.len() == 1 {
            return Some(current[0]);
        }
        if nunknowns == 0 {
            return None;
        }
        // Unknown literals: a category for each position (string wins), and
        // a preference for preferred types within it.
        let mut resolved = true;
        let mut category = vec![0u8; nargs];
        let mut has_preferred = vec![false; nargs];
        for i in 0..nargs {
            if base[i] != oids::UNKNOWN {
                continue;
            }
            let mut conflict = false;
            for &c in &current {
                let info = self.type_info(candidates[c][i]);
                if category[i] == 0 {
                    category[i] = info.category;
                    has_preferred[i] = info.preferred;
                } else if info.category == category[i] {
                    has_preferred[i] |= info.preferred;
                } else if info.category == b'S' {
                    category[i] = b'S';
                    has_preferred[i] = info.preferred;
                } else {
                    conflict = true;
                }
            }
            if conflict && category[i] != b'S' {
                resolved = false;
                break;
            }
        }
        if resolved {
            let kept: Vec<usize> = current
                .iter()
                .copied()
                .filter(|&c| {
                    (0..nargs).filter(|&i| base[i] == oids::UNKNOWN).all(|i| {
                        let info = self.type_info(candidates[c][i]);
                        info.category == category[i] && (!has_preferred[i] || info.preferred)
                    })
                })
                .collect();
            if !kept.is_empty() {
                current = kept;
                if current.len() == 1 {
                    return Some(current[0]);
                }
            }
        }
        // Last gasp: the known inputs all have one type; assume the unknown
        // ones have it too.
        if nunknowns < nargs {
            let known: Vec<TypeId> = base.iter().copied().filter(|t| *t != oids::UNKNOWN).collect();
            if known.iter().all(|t| *t == known[0]) {
                let assumed = vec![known[0]; nargs];
                let fits: Vec<usize> = current
                    .iter()
                    .copied()
                    .filter(|&c| self.can_coerce_all(&assumed, &candidates[c], Context::Implicit))
                    .collect();
                if fits.len() == 1 {
                    return Some(fits[0]);
                }
            }
        }
        None
    }
}
