//! What the specification requires (the constraints, each compliance
//! regime, each special requirement, the performance figures, the business
//! hours and the monitoring), each with the concrete actions the plan takes
//! for it, named with the specification's own tables, dependencies and
//! systems.

use super::{Builder, Requirement, handles_cards, is_pci, list, threshold_text};
use crate::throughput::{self, MB_PER_GB, human, number};
use crate::spec::{Pattern, Spec};

pub(super) fn all(b: &Builder) -> Vec<Requirement> {
    let spec = b.spec;
    let mut out = vec![downtime(b)];
    if let Some(gb) = spec.constraints.data_volume_gb {
        let (_, seconds) = throughput::divide(gb * MB_PER_GB, "MB", &throughput::COPY);
        out.push(Requirement {
            name: format!("data volume: {} GB", number(gb)),
            from: "$.constraints.data_volume_gb".into(),
            actions: vec![format!(
                "copied at {} {} in about {} (timeline), {}",
                number(throughput::COPY.value),
                throughput::COPY.unit,
                human(seconds),
                if seconds > b.budget() { "before the switch, while the source stays live" } else { "within the downtime budget" }
            )],
        });
    }
    if !spec.constraints.dependencies.is_empty() {
        out.push(Requirement {
            name: format!("dependencies: {}", list(&spec.constraints.dependencies)),
            from: "$.constraints.dependencies".into(),
            actions: spec.constraints.dependencies.iter().map(|d| dependency(spec, d)).collect(),
        });
    }
    for (i, c) in spec.constraints.compliance_requirements.iter().enumerate() {
        out.push(Requirement { name: c.clone(), from: format!("$.constraints.compliance_requirements[{i}]"), actions: compliance(spec, c) });
    }
    for (i, r) in spec.constraints.special_requirements.iter().enumerate() {
        out.push(Requirement { name: r.clone(), from: format!("$.constraints.special_requirements[{i}]"), actions: special(spec, r) });
    }
    if let Some(p) = &spec.performance {
        let mut figures = Vec::new();
        if let Some(ms) = p.max_query_response_time_ms {
            figures.push(format!("queries within {} ms", number(ms)));
        }
        if let Some(c) = p.concurrent_connections {
            figures.push(format!("{c} concurrent connections"));
        }
        if let Some(t) = p.transactions_per_second {
            figures.push(format!("{} transactions/s", number(t)));
        }
        if !figures.is_empty() {
            out.push(Requirement {
                name: format!("performance: {}", figures.join(", ")),
                from: "$.performance_requirements".into(),
                actions: vec![
                    format!("measure them on {} before the migration starts: the baseline", spec.source),
                    format!("load test {} against them before any traffic moves (a gate)", spec.target),
                    "falling short of them after the switch is a rollback trigger".into(),
                ],
            });
        }
    }
    if let Some(bc) = &spec.business_continuity {
        if let Some(h) = &bc.critical_business_hours {
            out.push(Requirement {
                name: format!("critical business hours: {}–{} {}", h.start, h.end, h.timezone),
                from: "$.business_continuity.critical_business_hours".into(),
                actions: vec![format!("no step that can make the application wait runs from {} to {} {}", h.start, h.end, h.timezone)],
            });
        }
        if let Some(w) = &bc.preferred_migration_window {
            let mut actions = vec![format!("the switch starts at {} {} and must be complete by {} ({} min)", w.start, w.timezone, w.end, w.minutes())];
            if let Some(h) = &bc.critical_business_hours {
                let gap = (h.start.0 + 24 * 60 - w.end.0) % (24 * 60);
                actions.push(format!("{gap} min remain between the window's end and the business hours at {}, for a rollback", h.start));
            }
            out.push(Requirement {
                name: format!("preferred migration window: {}–{} {}", w.start, w.end, w.timezone),
                from: "$.business_continuity.preferred_migration_window".into(),
                actions,
            });
        }
    }
    if let Some(m) = &spec.monitoring {
        let mut actions: Vec<String> = m.alert_thresholds.iter().map(|(metric, t)| format!("alert when {metric} goes above {}", threshold_text(metric, *t))).collect();
        actions.push(format!("watch every one of them on both {} and {} from preparation to the end", spec.source, spec.target));
        out.push(Requirement { name: format!("monitoring: {}", list(&m.critical_metrics)), from: "$.monitoring".into(), actions });
    }
    out
}

fn downtime(b: &Builder) -> Requirement {
    let spec = b.spec;
    let minutes = spec.constraints.max_downtime_minutes;
    let actions = if minutes == 0.0 {
        vec![
            "no step may block the application's reads or writes: the switch is a routing change".into(),
            "every estimate in the timeline is work done while the application runs".into(),
        ]
    } else {
        vec![
            format!("only the switch counts against the {}: everything else runs while the application works", b.budget_text()),
            "the timeline adds up the steps that make the application wait and holds them against it".into(),
        ]
    };
    Requirement { name: format!("max downtime: {} min", number(minutes)), from: "$.constraints.max_downtime_minutes".into(), actions }
}

fn dependency(spec: &Spec, d: &str) -> String {
    match spec.pattern {
        Pattern::SchemaChange if spec.source.trim() != spec.target.trim() => {
            format!("{d}: works against the expanded schema before migrate, switches to {} in migrate, confirms the new version before contract", spec.target)
        }
        Pattern::SchemaChange => format!("{d}: works against the expanded schema before migrate, confirms the new version before contract"),
        Pattern::StranglerFig => format!("{d}: its requests watched at every rollout step, routed back alone if its gate fails, confirmed before decommission"),
        Pattern::BlueGreen => format!("{d}: switched to green at the cutover, confirmed before blue is retired"),
    }
}

/// The actions a compliance regime asks of this migration.
fn compliance(spec: &Spec, regime: &str) -> Vec<String> {
    let key: String = regime.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_uppercase();
    let tables: Vec<String> = spec.tables.iter().map(|t| t.name.clone()).collect();
    let (source, target) = (&spec.source, &spec.target);
    let data = if tables.is_empty() { "the data".to_string() } else { list(&tables) };
    match key.as_str() {
        "GDPR" => vec![
            format!("record the move of personal data from {source} to {target} in the record of processing activities, with where {target} stores it"),
            format!("encrypt {data} in transit and at rest on {target}"),
            format!("apply erasure and rectification requests received during the migration on both {source} and {target} until {source} is retired"),
            format!("delete the copies left on {source} once it is retired, and record the deletion"),
        ],
        "SOX" => {
            let mut a = vec![
                "approve the change before the window; keep the approval, this plan and every gate's result as evidence".to_string(),
                "the person who runs the switch is not the author of the change (segregation of duties)".to_string(),
            ];
            let trails: Vec<&crate::spec::Table> = spec.tables.iter().filter(|t| t.name.contains("audit") || t.name.ends_with("_log") || t.name.ends_with("_logs")).collect();
            for t in trails {
                a.push(format!("{} is an audit trail: its {} rows arrive complete and unchanged, by row count and checksum, and stay append-only on {target}", t.name, t.row_count));
            }
            a.push(format!("keep {source} readable, unchanged, until the audit of the migration is signed off"));
            a
        }
        _ if is_pci(regime) => {
            let mut a = vec![
                format!("{target} enters the cardholder data environment's scope: its network segmentation and access controls are assessed before it takes traffic"),
                format!("no card data in {target}'s logs, traces or error messages: checked on the contract tests' output"),
                "TLS 1.2 or later on every hop the routing layer adds".to_string(),
            ];
            let payments: Vec<String> = spec.constraints.dependencies.iter().filter(|d| handles_cards(d)).cloned().collect();
            match payments.as_slice() {
                [] => {}
                [one] => a.push(format!("{one} handles card data: its traffic moves last, after every other dependency's gates passed")),
                many => a.push(format!("{} handle card data: their traffic moves last, after every other dependency's gates passed", list(many))),
            }
            a.push(format!("rotate the credentials {source} held once it is retired"));
            a
        }
        "HIPAA" => vec![
            format!("a business associate agreement covers {target} before any health data reaches it"),
            format!("encrypt {data} in transit and at rest; log every access to it on {target}"),
            format!("keep the access logs of {source} and {target} for the retention period"),
        ],
        "SOC2" => vec![
            "the change follows the change-management control: approved, tested, its evidence kept".to_string(),
            format!("access to {target} is granted by role and reviewed before it goes live"),
        ],
        "CCPA" | "CPRA" => vec![
            format!("requests to delete or not sell personal data received during the migration are applied on both {source} and {target}"),
            format!("delete what remains on {source} once it is retired"),
        ],
        _ => vec![format!(
            "{regime} has no checklist in schemashift: its owner signs off its controls on {target} before the switch, with this plan as evidence"
        )],
    }
}

/// The actions a special requirement asks of this migration.
fn special(spec: &Spec, requirement: &str) -> Vec<String> {
    let tables: Vec<String> = spec.tables.iter().map(|t| t.name.clone()).collect();
    let (source, target) = (&spec.source, &spec.target);
    match requirement {
        "zero_data_loss" => {
            let mut a = Vec::new();
            if !tables.is_empty() {
                a.push(format!("row counts (and checksums of the critical tables) equal on both sides for {} before the switch", list(&tables)));
            }
            a.push("writes stop on the old side before the switch and resume on the new one only once it has every one of them".into());
            a.push("a step that destroys data waits for a copy of that data to be taken aside".into());
            a
        }
        "referential_integrity" => vec![
            format!("every foreign key on {target} is validated (none left NOT VALID) before the switch"),
            "a constraint added NOT VALID during expand is validated in migrate, never skipped".into(),
        ],
        "performance_baseline_maintained" => vec![
            format!("measure query times and throughput on {source} before the migration: the baseline"),
            format!("the same measurements on {target} after the switch must be no worse; a regression is a rollback trigger"),
        ],
        "api_backward_compatibility" => vec![
            format!("every legacy endpoint keeps answering with the same shapes: routed to its counterpart in {target}, or kept on {source}"),
            "contract tests record the legacy responses and replay them against the new service".into(),
        ],
        "session_continuity" => vec![
            format!("sessions created by {source} stay valid on {target}: one session store, or tokens both accept"),
            format!("test: log in through {source}, then call {target} with that session, at every rollout step"),
        ],
        "rate_limit_preservation" => vec![
            "the rate limits callers have now are configured in the routing layer before intercept".into(),
            format!("test: a burst over a limit is refused the same way by {source} and {target}"),
        ],
        other => vec![format!("{other}: checked by its owner at every phase's gates; schemashift has no built-in check for it")],
    }
}
