//! `strangler_fig`: the new service takes the legacy one's traffic piece
//! by piece behind a routing layer: preparation (deployed, no traffic),
//! intercept (every request through the routing layer), gradual migration
//! (the feature flags' schedules, every dependency watched at each step),
//! validation (all traffic on the new service, held to its targets),
//! decommission (the legacy service removed).

use super::{Builder, Phase, Severity, hours_text, list, threshold_text};
use crate::throughput::number;
use crate::spec::{Endpoint, FeatureFlag, Infrastructure, Load, Service};

pub(super) fn phases(b: &mut Builder) -> Vec<Phase> {
    let spec = b.spec;
    let legacy = spec.services.as_ref().and_then(|s| s.legacy_service.clone());
    let new = spec.services.as_ref().and_then(|s| s.new_service.clone());
    let flags = &spec.feature_flags;
    let deps = b.dependency_order();
    let flag_names: Vec<String> = flags.iter().map(|f| f.name.clone()).collect();
    let undo = if flags.is_empty() {
        format!("route every request back to {}", spec.source)
    } else {
        format!("set {} to 0 %: every request back to {}", list(&flag_names), spec.source)
    };

    // Timeline.
    if let Some(seconds) = b.copy_estimates("data for the new service") {
        b.copy_verdicts(seconds, "sync the new service's store from the legacy one while both run");
    }
    rollout_timeline(b, flags, legacy.as_ref().and_then(|l| l.current_load.as_ref()));
    capacity_risk(b, legacy.as_ref(), new.as_ref(), flags);

    let mut preparation = Phase::new("preparation", format!("deploy {} beside {}, taking no traffic, with the capacity the load needs", spec.target, spec.source));
    if let Some(i) = new.as_ref().and_then(|n| n.infrastructure.as_ref()) {
        preparation.act(format!("deploy {}: {}", spec.target, infrastructure(i)));
    }
    if let Some(i) = legacy.as_ref().and_then(|l| l.infrastructure.as_ref()) {
        preparation.act(format!("{} keeps running as it is: {}", spec.source, infrastructure(i)));
    }
    if let Some(gb) = spec.constraints.data_volume_gb {
        preparation.act(format!("give {} its {} GB of data and keep it in step with {} until decommission", spec.target, number(gb), spec.source));
    }
    if let Some(schema) = b.schema {
        preparation.act(format!("apply the schema migration from {} to {} to the store {} reads (steps below)", schema.old, schema.new, spec.target));
        preparation.steps = schema.steps().cloned().collect();
        for p in &schema.preflight {
            preparation.gate_query(format!("pre-flight {} on {}", p.code, p.object), p.sql.clone(), p.expect);
        }
    }
    for f in flags {
        let about = f.description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
        preparation.act(format!("create feature flag {}{about}, off", f.name));
    }
    if let Some(n) = &new {
        preparation.gate(format!("each of the {} endpoints of {} passes its contract tests", n.endpoints.len(), spec.target));
    }
    if let (Some(peak), Some(n)) = (legacy.as_ref().and_then(|l| l.current_load.as_ref()).and_then(|l| l.peak_requests_per_second), new.as_ref()) {
        let p95 = n.target_performance.as_ref().and_then(|t| t.p95_response_time_ms);
        preparation.gate(format!(
            "a load test at the legacy peak of {} requests/s{}",
            number(peak),
            p95.map(|ms| format!(" keeps p95 under {} ms (target_performance)", number(ms))).unwrap_or_default()
        ));
    }
    preparation.trigger("the contract tests or the load test fail", "fix them before intercept: no traffic has moved yet", "$.service_details.new_service");

    let mut intercept = Phase::new(
        "intercept",
        format!("put the routing layer in front of {} so that each request can go to either service, still sending them all to {}", spec.source, spec.source),
    );
    let lbs = (
        legacy.as_ref().and_then(|l| l.infrastructure.as_ref()).and_then(|i| i.load_balancer.clone()),
        new.as_ref().and_then(|n| n.infrastructure.as_ref()).and_then(|i| i.load_balancer.clone()),
    );
    match &lbs {
        (Some(old), Some(new_lb)) if old != new_lb => {
            intercept.act(format!("route through {new_lb}, with {} behind it as one target and {} as the other (until now: {old})", spec.source, spec.target));
        }
        (_, Some(lb)) | (Some(lb), None) => intercept.act(format!("route through {lb}, with both services behind it")),
        (None, None) => intercept.act("route through one routing layer (an API gateway or load balancer) with both services behind it"),
    }
    let (pairs, legacy_only, new_only) = match (&legacy, &new) {
        (Some(l), Some(n)) => match_endpoints(&l.endpoints, &n.endpoints),
        _ => (Vec::new(), Vec::new(), Vec::new()),
    };
    for (old, new_e, how) in &pairs {
        intercept.act(format!("route {old} → {new_e}{how}"));
    }
    for e in &legacy_only {
        intercept.act(format!("{e} has no counterpart in {}: it stays on {} until one is built or the routing layer adapts it", spec.target, spec.source));
    }
    if !new_only.is_empty() {
        intercept.act(format!("only {} serves: {}", spec.target, new_only.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")));
    }
    for f in flags {
        intercept.act(format!("set {} to its initial {} %", f.name, number(f.initial_percentage.unwrap_or(0.0))));
    }
    if let Some(l) = legacy.as_ref().and_then(|l| l.current_load.as_ref()) {
        intercept.gate(format!("through the routing layer, {} still answers as before it: {}", spec.source, load(l)));
    }
    b.shared_triggers(&mut intercept, &format!("take the routing layer out of the path: every request straight to {}", spec.source));

    let mut gradual = Phase::new(
        "gradual_migration",
        format!("move the traffic to {} step by step as the feature flags' schedules say, every dependency watched at each step", spec.target),
    );
    let current = legacy.as_ref().and_then(|l| l.current_load.as_ref());
    let replicas = new.as_ref().and_then(|n| n.infrastructure.as_ref()).and_then(|i| i.initial_replicas);
    for f in flags {
        for s in &f.rollout_schedule {
            let hold = if s.duration_hours > 0.0 { format!("for {} h", number(s.duration_hours)) } else { "from then on".to_string() };
            gradual.act(format!("{} at {} % {hold}{}", f.name, number(s.percentage), traffic(s.percentage, current, replicas)));
        }
    }
    if !deps.is_empty() {
        gradual.act(format!(
            "at each step, move the dependencies' requests one after the other, each once the one before passed its gates, in this order: {}",
            list(&deps)
        ));
        gradual.act(format!("a dependency whose gate fails is routed back to {} alone (routing by caller) while the others go on", spec.source));
    }
    let thresholds = alert_thresholds(b);
    for f in flags {
        for s in f.rollout_schedule.iter().filter(|s| s.percentage < 100.0) {
            gradual.gate(format!(
                "before {} goes beyond {} %: {} for the {} h of the step",
                f.name,
                number(s.percentage),
                thresholds.as_deref().unwrap_or("error rate and response times no worse than the legacy service's"),
                number(s.duration_hours)
            ));
        }
    }
    for d in &deps {
        gradual.gate(format!("{d}: its requests served by {} meet the same thresholds", spec.target));
    }
    b.shared_triggers(&mut gradual, &undo);

    let mut validation = Phase::new("validation", format!("run all traffic on {} and hold it to its targets before {} goes", spec.target, spec.source));
    if let Some(t) = new.as_ref().and_then(|n| n.target_performance.as_ref()) {
        let before = current.map(|c| format!(" (legacy: {})", load(c))).unwrap_or_default();
        validation.gate(format!("{} meets its target performance: {}{before}", spec.target, load(t)));
    }
    validation.gate(format!("{} receives no request: every route goes to {}", spec.source, spec.target));
    b.shared_triggers(&mut validation, &undo);

    let mut decommission = Phase::new("decommission", format!("remove {} and the routing that reaches it, once nothing calls it", spec.source));
    if !flags.is_empty() {
        decommission.act(format!("remove the feature flags {} and the code paths they guard", list(&flag_names)));
    }
    if let Some(i) = legacy.as_ref().and_then(|l| l.infrastructure.as_ref()) {
        decommission.act(format!("retire {}: {}", spec.source, infrastructure(i)));
    }
    let hours = spec.phases.iter().find(|p| p.phase == "validation").and_then(|p| p.estimated_duration_hours);
    decommission.gate(format!(
        "{} received no request during validation{}",
        spec.source,
        hours.map(|h| format!(" ({} h)", number(h))).unwrap_or_default()
    ));
    if !legacy_only.is_empty() {
        decommission.gate(format!(
            "the legacy endpoints without a counterpart have one, or an adapter in the routing layer: {}",
            legacy_only.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        ));
    }
    decommission.trigger(
        format!("a dependency still calls {} after it is gone", spec.source),
        format!("redeploy {} from its last release (kept until this phase's gates pass) and route that dependency to it", spec.source),
        "$.constraints.dependencies",
    );

    strangler_risks(b, &legacy_only, &pairs, &lbs);
    vec![preparation, intercept, gradual, validation, decommission]
}

/// The rollout schedules in the timeline; the hours the longest takes
/// (the flags run side by side).
fn rollout_timeline(b: &mut Builder, flags: &[FeatureFlag], current: Option<&Load>) {
    let mut longest: Option<(String, f64)> = None;
    for f in flags {
        let hours: f64 = f.rollout_schedule.iter().map(|s| s.duration_hours).sum();
        let sum = f.rollout_schedule.iter().map(|s| format!("{} h", number(s.duration_hours))).collect::<Vec<_>>().join(" + ");
        b.entry("rollout", &f.name, format!("{sum} = {} h", number(hours)), hours * 3600.0);
        if let Some(rps) = current.and_then(|c| c.requests_per_second) {
            for s in &f.rollout_schedule {
                let moved = s.percentage / 100.0 * rps;
                b.entry(
                    "rollout",
                    format!("{} at {} %", f.name, number(s.percentage)),
                    format!("{} % × {} requests/s = {} requests/s to the new service", number(s.percentage), number(rps), number(moved)),
                    s.duration_hours * 3600.0,
                );
            }
        }
        if longest.as_ref().is_none_or(|(_, h)| hours > *h) {
            longest = Some((f.name.clone(), hours));
        }
    }
    let Some((name, hours)) = longest else { return };
    let stated = b.spec.phases.iter().find(|p| p.phase == "gradual_migration").and_then(|p| p.estimated_duration_hours);
    if let Some(stated) = stated {
        let fits = hours <= stated;
        b.check(
            format!(
                "rollout: {name}'s schedule takes {} h (the flags run side by side), against the {} h stated for gradual_migration: {}",
                number(hours),
                number(stated),
                if fits { "fits".to_string() } else { format!("{} h over", number(hours - stated)) }
            ),
            fits,
        );
        if !fits {
            let total: Vec<(String, f64)> = b
                .spec
                .phases
                .iter()
                .filter_map(|p| Some((p.phase.clone(), if p.phase == "gradual_migration" { hours } else { p.estimated_duration_hours? })))
                .collect();
            let sum: f64 = total.iter().map(|(_, h)| h).sum();
            let terms = total.iter().map(|(_, h)| format!("{} h", number(*h))).collect::<Vec<_>>().join(" + ");
            b.entry("stated phases", "total with the rollout's own length", format!("{terms} = {}", hours_text(sum)), sum * 3600.0);
            b.risk(
                Severity::Medium,
                format!("{name}'s rollout schedule takes {} h, {} h more than the {} h stated for gradual_migration", number(hours), number(hours - stated), number(stated)),
                vec![format!("plan gradual_migration at {} h (the whole plan at {} h), or shorten the schedule's steps", number(hours), number(sum))],
            );
        }
    }
}

/// The requests a rollout step moves, and per replica when the initial
/// replica count is known.
fn traffic(percentage: f64, current: Option<&Load>, replicas: Option<u64>) -> String {
    let Some(c) = current else { return String::new() };
    let share = percentage / 100.0;
    let mut parts = Vec::new();
    if let Some(rps) = c.requests_per_second {
        parts.push(format!("{} requests/s on average ({} % of {})", number(share * rps), number(percentage), number(rps)));
    }
    if let Some(peak) = c.peak_requests_per_second {
        let per = replicas.filter(|r| *r > 0).map(|r| format!(", {} per replica on {r} replicas", number(share * peak / r as f64))).unwrap_or_default();
        parts.push(format!("{} at peak{per}", number(share * peak)));
    }
    if parts.is_empty() { String::new() } else { format!(": {}", parts.join(", ")) }
}

/// `error_rate below 0.05, response_time_p95 below 250`.
fn alert_thresholds(b: &Builder) -> Option<String> {
    let m = b.spec.monitoring.as_ref()?;
    if m.alert_thresholds.is_empty() {
        return None;
    }
    Some(m.alert_thresholds.iter().map(|(metric, t)| format!("{metric} below {}", threshold_text(metric, *t))).collect::<Vec<_>>().join(", "))
}

fn load(l: &Load) -> String {
    let mut parts = Vec::new();
    if let Some(x) = l.requests_per_second {
        parts.push(format!("{} requests/s", number(x)));
    }
    if let Some(x) = l.peak_requests_per_second {
        parts.push(format!("peaks of {}", number(x)));
    }
    if let Some(x) = l.average_response_time_ms {
        parts.push(format!("average {} ms", number(x)));
    }
    if let Some(x) = l.p95_response_time_ms {
        parts.push(format!("p95 {} ms", number(x)));
    }
    parts.join(", ")
}

/// What the infrastructure provides, with the totals worked out.
fn infrastructure(i: &Infrastructure) -> String {
    let mut parts = Vec::new();
    if let Some(n) = i.instances {
        let mut vm = format!("{n} instances");
        if let Some(c) = i.cpu_cores_per_instance {
            vm.push_str(&format!(", {n} × {} cores = {} cores", number(c), number(n as f64 * c)));
        }
        if let Some(m) = i.memory_gb_per_instance {
            vm.push_str(&format!(", {n} × {} GB = {} GB of memory", number(m), number(n as f64 * m)));
        }
        parts.push(vm);
    }
    if let Some(p) = &i.container_platform {
        parts.push(format!("on {p}"));
    }
    match (i.initial_replicas, i.max_replicas) {
        (Some(a), Some(z)) => parts.push(format!("{a} replicas, scaling up to {z}")),
        (Some(a), None) => parts.push(format!("{a} replicas")),
        (None, Some(z)) => parts.push(format!("up to {z} replicas")),
        (None, None) => {}
    }
    let per = |req: Option<u64>, lim: Option<u64>, unit: &str| match (req, lim) {
        (Some(r), Some(l)) => Some(format!("{r}–{l} {unit}")),
        (Some(r), None) => Some(format!("{r} {unit} requested")),
        (None, Some(l)) => Some(format!("at most {l} {unit}")),
        (None, None) => None,
    };
    let cpu = per(i.cpu_request_millicores, i.cpu_limit_millicores, "millicores");
    let mem = per(i.memory_request_mb, i.memory_limit_mb, "MB");
    let each: Vec<String> = [cpu, mem].into_iter().flatten().collect();
    if !each.is_empty() {
        parts.push(format!("each {}", each.join(" and ")));
    }
    if let (Some(z), Some(cpu), Some(mem)) = (i.max_replicas, i.cpu_limit_millicores, i.memory_limit_mb) {
        parts.push(format!("at {z} replicas at most {z} × {cpu} = {} millicores and {z} × {mem} = {} MB", z * cpu, z * mem));
    }
    if let Some(lb) = &i.load_balancer {
        parts.push(format!("behind {lb}"));
    }
    parts.join("; ")
}

/// Legacy endpoints paired with the new ones: the same method and path but
/// for the version segment (`/v1/` ↔ `/v2/`), else the same method and
/// last fixed segment (`/users/login` ↔ `/auth/login`, to be checked by
/// hand: the shapes may differ). Returns the pairs (with how they were
/// matched), the legacy endpoints left, and the new ones left.
type Pairs = Vec<(Endpoint, Endpoint, &'static str)>;
fn match_endpoints(legacy: &[Endpoint], new: &[Endpoint]) -> (Pairs, Vec<Endpoint>, Vec<Endpoint>) {
    let unversioned = |p: &str| -> String {
        p.split('/').map(|s| if is_version(s) { "v" } else { s }).collect::<Vec<_>>().join("/")
    };
    let last_fixed = |p: &str| p.split('/').rev().find(|s| !s.is_empty() && !s.starts_with('{') && !is_version(s)).map(str::to_string);
    let mut pairs = Vec::new();
    let mut left_new: Vec<Endpoint> = new.to_vec();
    let mut left_legacy = Vec::new();
    for e in legacy {
        match left_new.iter().position(|n| n.method == e.method && unversioned(&n.path) == unversioned(&e.path)) {
            Some(i) => pairs.push((e.clone(), left_new.remove(i), "")),
            None => left_legacy.push(e.clone()),
        }
    }
    let mut unmatched = Vec::new();
    for e in left_legacy {
        let key = last_fixed(&e.path);
        match left_new.iter().position(|n| n.method == e.method && key.is_some() && last_fixed(&n.path) == key) {
            Some(i) => pairs.push((e, left_new.remove(i), " (matched by its last segment only: check the request and response shapes)")),
            None => unmatched.push(e),
        }
    }
    (pairs, unmatched, left_new)
}

/// `v1`, `v2`: an API version segment.
fn is_version(segment: &str) -> bool {
    segment.strip_prefix('v').is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn capacity_risk(b: &mut Builder, legacy: Option<&Service>, new: Option<&Service>, flags: &[FeatureFlag]) {
    let (Some(legacy), Some(new)) = (legacy, new) else { return };
    let peak = legacy.current_load.as_ref().and_then(|l| l.peak_requests_per_second);
    let target_peak = new.target_performance.as_ref().and_then(|t| t.peak_requests_per_second);
    let infra = new.infrastructure.clone().unwrap_or_default();
    let (Some(peak), Some(target_peak), Some(max), Some(initial)) = (peak, target_peak, infra.max_replicas, infra.initial_replicas) else { return };
    if max == 0 || target_peak <= 0.0 {
        return;
    }
    // What one replica is expected to serve: the target peak over the most
    // replicas the new service may run.
    let per_replica = target_peak / max as f64;
    let needed = (peak / per_replica).ceil() as u64;
    b.entry(
        "capacity",
        "requests/s per replica",
        format!("{} target peak requests/s ÷ {max} replicas = {} requests/s", number(target_peak), number(per_replica)),
        0.0,
    );
    b.entry(
        "capacity",
        "replicas for the legacy peak",
        format!("{} requests/s ÷ {} requests/s per replica = {} → {needed} replicas", number(peak), number(per_replica), number(peak / per_replica)),
        0.0,
    );
    if needed > initial {
        let first = flags
            .iter()
            .flat_map(|f| f.rollout_schedule.iter())
            .map(|s| s.percentage)
            .filter(|p| p / 100.0 * peak > initial as f64 * per_replica)
            .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.min(p))));
        b.risk(
            Severity::Medium,
            format!(
                "the legacy peak of {} requests/s needs {needed} replicas at {} requests/s each; the new service starts with {initial}{}",
                number(peak),
                number(per_replica),
                first.map(|p| format!(", too few from the {} % step on", number(p))).unwrap_or_default()
            ),
            vec![format!(
                "have autoscaling (up to {max} replicas) tested before that step, or start with {needed} replicas"
            )],
        );
    }
}

fn strangler_risks(b: &mut Builder, legacy_only: &[Endpoint], pairs: &Pairs, lbs: &(Option<String>, Option<String>)) {
    let spec = b.spec;
    if spec.constraints.max_downtime_minutes == 0.0 {
        let lb = lbs.1.clone().unwrap_or_else(|| "the routing layer".to_string());
        b.risk(
            Severity::High,
            "no downtime is allowed: every routing change must be invisible to the callers".to_string(),
            vec![
                format!("move traffic by weights on {lb}, with connection draining, never by a DNS change or a redeploy of the callers"),
                format!("keep {} able to take every request back until decommission", spec.source),
            ],
        );
    }
    let backward = spec.constraints.special_requirements.iter().any(|r| r == "api_backward_compatibility");
    if !legacy_only.is_empty() {
        b.risk(
            if backward { Severity::High } else { Severity::Medium },
            format!(
                "legacy endpoints with no counterpart in {}: {}{}",
                spec.target,
                legacy_only.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                if backward { " (api_backward_compatibility is required)" } else { "" }
            ),
            vec![format!("build them in {}, or translate them in the routing layer, before decommission", spec.target)],
        );
    }
    let loose: Vec<String> = pairs.iter().filter(|(_, _, how)| !how.is_empty()).map(|(o, n, _)| format!("{o} → {n}")).collect();
    if !loose.is_empty() {
        b.risk(
            Severity::Medium,
            format!("endpoints paired by their last segment only, whose paths differ: {}", loose.join(", ")),
            vec!["contract-test each pair with the legacy service's recorded requests before its traffic moves".into()],
        );
    }
    if let (Some(old), Some(new_lb)) = lbs
        && old != new_lb {
            b.risk(
                Severity::Medium,
                format!("the load balancer changes from {old} to {new_lb}: certificates, health checks, timeouts and rate limits move with it"),
                vec![format!("reproduce {old}'s listeners, certificates, idle timeouts and rate limits on {new_lb} before intercept, and compare responses through both")],
            );
        }
    let clients: Vec<String> = b.dependencies().iter().filter(|d| d.contains("mobile") || d.contains("app_v")).cloned().collect();
    if !clients.is_empty() {
        b.risk(
            Severity::Medium,
            format!("{} are released to users' devices: old versions stay in use and keep calling the legacy paths after decommission", list(&clients)),
            vec!["keep the legacy paths answered through the routing layer for as long as those versions are in use (their request share in the access logs says how long)".into()],
        );
    }
}
