//! `blue_green`: a complete second environment (green) is built beside the
//! running one (blue), synced until it holds the same data, and the traffic
//! switches to it at once; blue stays, kept in step the other way, to
//! switch back to until green has proved itself.

use super::{Builder, Phase, Severity, list};
use crate::throughput::{self, human, number};

pub(super) fn phases(b: &mut Builder) -> Vec<Phase> {
    let spec = b.spec;
    let (blue, green) = (spec.source.clone(), spec.target.clone());
    let deps = b.dependencies().to_vec();

    let copy_seconds = b.copy_estimates(&format!("sync to {green}"));
    if let Some(seconds) = copy_seconds {
        b.copy_verdicts(seconds, "sync green while blue serves: an initial copy, then the changes streamed");
    }
    b.dependency_share("cutover");

    let mut build = Phase::new("build_green", format!("build {green} (green) beside {blue} (blue), complete and taking no traffic"));
    build.act(format!("provision {green} with the capacity of {blue}"));
    match b.schema {
        Some(schema) => {
            let steps: usize = schema.groups.iter().map(|g| g.steps.len()).sum();
            build.act(format!(
                "create blue's schema on green, then apply the migration from {} to {} there ({steps} steps in {} migrations, below)",
                schema.old,
                schema.new,
                schema.groups.len()
            ));
            build.steps = schema.steps().cloned().collect();
            for p in &schema.preflight {
                build.gate_query(format!("pre-flight {} on {}, against blue's data", p.code, p.object), p.sql.clone(), p.expect);
            }
        }
        None => build.act("create blue's schema on green, with the schema changes the specification announces"),
    }
    for tc in &spec.schema_changes {
        let kinds = tc.changes.iter().map(|c| c.type_name()).collect::<Vec<_>>().join(", ");
        build.act(format!("{}: {kinds}, applied on green only", tc.table));
    }
    b.performance_gates(&mut build, &format!("a load test on {green}"));
    build.trigger("green fails its load test or its schema check", "rebuild green; blue has served throughout", "$.target");

    let mut sync = Phase::new("sync", format!("bring {green} to the same data as {blue}, and keep it there"));
    let about = copy_seconds.map(|s| format!(" (about {} at {} {})", human(s), number(throughput::COPY.value), throughput::COPY.unit)).unwrap_or_default();
    sync.act(format!("copy blue's data to green{about}, then stream blue's changes"));
    b.row_count_gates(&mut sync, "blue and green");
    let lag_limit = if spec.constraints.max_downtime_minutes > 0.0 {
        format!("under the {} downtime budget, and falling", b.budget_text())
    } else {
        "0: no downtime is allowed, so green must be caught up when the traffic moves".to_string()
    };
    sync.gate(format!("replication lag of green behind blue: {lag_limit}"));
    sync.trigger("the replication lag grows for longer than the downtime budget", "stop and find why green cannot keep up (capacity, long transactions on blue) before the cutover", "$.constraints.max_downtime_minutes");
    if !spec.tables.is_empty() {
        sync.trigger("a listed table's row count differs between blue and green once the lag is 0", "do not cut over: resync that table", "$.tables_to_migrate");
    }

    let mut cutover = Phase::new("cutover", format!("move every request to {green} at once, within the {} downtime budget", b.budget_text()));
    let window = spec.business_continuity.as_ref().and_then(|bc| bc.preferred_migration_window.as_ref());
    let when = window.map(|w| format!("in the window {}–{} {}: ", w.start, w.end, w.timezone)).unwrap_or_default();
    cutover.act(format!("{when}stop writes on blue, wait for lag 0, reverse the replication (green to blue), switch the traffic"));
    if !deps.is_empty() {
        cutover.act(format!("switch the dependencies in this order: {}", list(&deps)));
    }
    for f in &spec.feature_flags {
        let steps = f.rollout_schedule.iter().map(|s| format!("{} % for {} h", number(s.percentage), number(s.duration_hours))).collect::<Vec<_>>().join(", then ");
        cutover.act(format!("feature flag {}: {steps}", f.name));
    }
    b.performance_gates(&mut cutover, &green);
    if !deps.is_empty() {
        cutover.gate(format!("each dependency is on green: {}", list(&deps)));
    }
    let undo = format!("switch the traffic back to {blue}, which the reversed replication kept current");
    b.shared_triggers(&mut cutover, &undo);
    if let Some(w) = window {
        cutover.trigger(format!("it is {} {} (the window's end) and the cutover is not complete", w.end, w.timezone), undo.clone(), "$.business_continuity.preferred_migration_window.end");
    }

    let mut keep = Phase::new("keep_blue", format!("keep {blue} current and ready to take the traffic back until {green} has proved itself, then retire it"));
    let hours = spec.phases.iter().find(|p| p.phase == "keep_blue").and_then(|p| p.estimated_duration_hours);
    keep.act(match hours {
        Some(h) => format!("keep blue in step with green for the {} h stated", number(h)),
        None => "keep blue in step with green until the gates below pass".to_string(),
    });
    keep.act(format!("then stop the reversed replication and retire {blue}"));
    b.performance_gates(&mut keep, &format!("{green} over the whole keep_blue phase"));
    keep.gate("no rollback trigger fired since the cutover".to_string());
    b.shared_triggers(&mut keep, &undo);

    if !deps.is_empty() && spec.constraints.max_downtime_minutes > 0.0 {
        b.risk(
            Severity::Medium,
            format!("{} dependencies switch at the cutover, within {} min", deps.len(), number(spec.constraints.max_downtime_minutes)),
            vec!["switch them by one shared name (DNS or a pooler) rather than one by one".into()],
        );
    }
    b.risk(
        Severity::Medium,
        "writes made on green after the cutover must reach blue, or switching back loses them".to_string(),
        vec!["reverse the replication before the traffic moves, and check its lag with the other gates".into()],
    );
    vec![build, sync, cutover, keep]
}
