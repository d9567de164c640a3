//! Ordering steps inside a phase by what each creates, drops and uses.
//!
//! Functions and types may use each other in any direction: a domain's
//! CHECK calls a function, a function takes a domain argument, a
//! SQL-standard body calls another function. Their steps carry facts, and
//! a phase of them is put in an order PostgreSQL accepts: what is used is
//! created first, and dropped last. Otherwise the order is kept (the sort
//! is stable), so that plans stay predictable.

use super::Step;
use crate::model::QName;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// An object a step creates, drops or uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Obj {
    /// A function, by signature (`public.f(integer)`).
    Function(String),
    Type(QName),
}

/// A step with what it creates or drops (`object`) and what that object uses.
pub(super) struct Ordered {
    pub step: Step,
    pub object: Option<Obj>,
    pub uses: Vec<Obj>,
}

impl Ordered {
    pub fn new(step: Step, object: Obj, uses: Vec<Obj>) -> Ordered {
        Ordered { step, object: Some(object), uses }
    }

    /// A step that creates nothing others use, after what it uses.
    pub fn using(step: Step, uses: Vec<Obj>) -> Ordered {
        Ordered { step, object: None, uses }
    }

    /// A step nothing is ordered by (kept where it is).
    pub fn plain(step: Step) -> Ordered {
        Ordered { step, object: None, uses: Vec::new() }
    }
}

/// Creation order: a step comes after the steps creating what it uses.
pub(super) fn creation_order(steps: Vec<Ordered>) -> Vec<Step> {
    sort(steps, false)
}

/// Drop order: a step comes after the steps dropping what uses its object.
pub(super) fn drop_order(steps: Vec<Ordered>) -> Vec<Step> {
    sort(steps, true)
}

fn sort(steps: Vec<Ordered>, drops: bool) -> Vec<Step> {
    let n = steps.len();
    let by_object: HashMap<&Obj, usize> = steps.iter().enumerate().filter_map(|(i, s)| Some((s.object.as_ref()?, i))).collect();
    // Edges `before → after`.
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut waiting = vec![0usize; n];
    for (user, s) in steps.iter().enumerate() {
        for used in &s.uses {
            let Some(&provider) = by_object.get(used) else { continue };
            if provider == user {
                continue;
            }
            let (first, then) = if drops { (user, provider) } else { (provider, user) };
            after[first].push(then);
            waiting[then] += 1;
        }
    }
    // Kahn's algorithm, always taking the earliest ready step: stable.
    let mut ready: BinaryHeap<Reverse<usize>> = (0..n).filter(|&i| waiting[i] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for &j in &after[i] {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                ready.push(Reverse(j));
            }
        }
    }
    // A cycle (which PostgreSQL could not create either) keeps its order.
    if order.len() < n {
        let placed: std::collections::HashSet<usize> = order.iter().copied().collect();
        order.extend((0..n).filter(|i| !placed.contains(i)));
    }
    let mut slots: Vec<Option<Step>> = steps.into_iter().map(|s| Some(s.step)).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(name: &str) -> Step {
        super::super::step(name, format!("-- {name}"))
    }

    fn f(name: &str) -> Obj {
        Obj::Function(format!("public.{name}()"))
    }

    fn t(name: &str) -> Obj {
        Obj::Type(QName::new("public", name))
    }

    fn names(steps: &[Step]) -> Vec<&str> {
        steps.iter().map(|s| s.summary.as_str()).collect()
    }

    #[test]
    fn what_is_used_is_created_first_and_the_rest_keeps_its_order() {
        let steps = vec![
            Ordered::new(st("domain d"), t("d"), vec![f("check_d")]),
            Ordered::plain(st("unrelated")),
            Ordered::new(st("function check_d"), f("check_d"), vec![]),
            Ordered::new(st("function takes_d"), f("takes_d"), vec![t("d")]),
        ];
        assert_eq!(names(&creation_order(steps)), ["unrelated", "function check_d", "domain d", "function takes_d"]);
    }

    #[test]
    fn what_is_used_is_dropped_last() {
        let steps = vec![
            Ordered::new(st("drop function check_d"), f("check_d"), vec![]),
            Ordered::new(st("drop function takes_d"), f("takes_d"), vec![t("d")]),
            Ordered::new(st("drop domain d"), t("d"), vec![f("check_d")]),
        ];
        assert_eq!(names(&drop_order(steps)), ["drop function takes_d", "drop domain d", "drop function check_d"]);
    }

    #[test]
    fn a_cycle_keeps_its_order() {
        let steps = vec![Ordered::new(st("a"), f("a"), vec![f("b")]), Ordered::new(st("b"), f("b"), vec![f("a")])];
        assert_eq!(names(&creation_order(steps)), ["a", "b"]);
    }
}
