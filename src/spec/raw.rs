//! The specification as written, read with serde into structs that cannot
//! fail on a wrong value: each member is a [`Field`] that keeps what it
//! found (the typed value, or the JSON it could not read), and each object
//! keeps the members it does not know. Validation ([`super::validate`])
//! then walks these structs once and reports every problem with its path,
//! rather than stopping at serde's first error.
//!
//! The member lists (`*_KEYS`) are what a problem names as expected, and
//! must list every field of their struct (a unit test checks it).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// One member of an object: absent, read as `T`, or present with a value
/// that is not a `T` (kept, so that the problem can quote it).
#[derive(Debug, Clone, Default)]
pub enum Field<T> {
    #[default]
    Absent,
    Given(T),
    Wrong(Value),
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Field<T>, D::Error> {
        // Any JSON value is accepted here; whether it is a `T` is decided on
        // the value, so one wrong member never hides the others.
        let value = Value::deserialize(d)?;
        Ok(match T::deserialize(&value) {
            Ok(t) => Field::Given(t),
            Err(_) => Field::Wrong(value),
        })
    }
}

/// Members an object has beyond its struct's fields, in document order.
pub type Unknown = serde_json::Map<String, Value>;

/// A list whose elements are each read on their own.
pub type List<T> = Vec<Field<T>>;

macro_rules! raw_object {
    ($(#[$doc:meta])* $name:ident, $keys:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(default)]
        pub struct $name {
            $(pub $field: Field<$ty>,)*
            #[serde(flatten)]
            pub unknown: Unknown,
        }
        /// The members a problem names as expected, in the order of the struct.
        pub const $keys: &[&str] = &[$(raw_object!(@key $field)),*];
    };
    (@key r#type) => { "type" };
    (@key $field:ident) => { stringify!($field) };
}

raw_object!(
    /// The whole document.
    Document, DOCUMENT_KEYS {
        r#type: String,
        pattern: String,
        source: String,
        target: String,
        description: String,
        constraints: Constraints,
        tables_to_migrate: List<Table>,
        schema_changes: List<TableChanges>,
        performance_requirements: Performance,
        business_continuity: BusinessContinuity,
        service_details: ServiceDetails,
        migration_phases: List<Phase>,
        feature_flags: List<FeatureFlag>,
        monitoring: Monitoring,
        rollback_triggers: List<RollbackTrigger>,
        revisions: Revisions,
    }
);

raw_object!(Constraints, CONSTRAINTS_KEYS {
    max_downtime_minutes: f64,
    data_volume_gb: f64,
    dependencies: List<String>,
    compliance_requirements: List<String>,
    special_requirements: List<String>,
});

raw_object!(Table, TABLE_KEYS {
    name: String,
    row_count: u64,
    size_mb: f64,
    critical: bool,
});

raw_object!(TableChanges, TABLE_CHANGES_KEYS {
    table: String,
    changes: List<Change>,
});

raw_object!(
    /// One schema change: `type` says which of the other members apply
    /// (see `super::validate::CHANGE_MEMBERS`).
    Change, CHANGE_KEYS {
        r#type: String,
        column: String,
        data_type: String,
        nullable: bool,
        default: String,
        old_type: String,
        new_type: String,
        new_name: String,
        constraint_type: String,
        constraint_name: String,
        definition: String,
        columns: List<String>,
        index_name: String,
        unique: bool,
    }
);

raw_object!(Performance, PERFORMANCE_KEYS {
    max_query_response_time_ms: f64,
    concurrent_connections: u64,
    transactions_per_second: f64,
});

raw_object!(BusinessContinuity, BUSINESS_CONTINUITY_KEYS {
    critical_business_hours: Window,
    preferred_migration_window: Window,
});

raw_object!(Window, WINDOW_KEYS {
    start: String,
    end: String,
    timezone: String,
});

raw_object!(ServiceDetails, SERVICE_DETAILS_KEYS {
    legacy_service: Service,
    new_service: Service,
});

raw_object!(
    /// A service: the legacy one states its `current_load`, the new one its
    /// `target_performance` (validation says which belongs where).
    Service, SERVICE_KEYS {
        endpoints: List<String>,
        current_load: Load,
        target_performance: Load,
        infrastructure: Infrastructure,
    }
);

raw_object!(Load, LOAD_KEYS {
    requests_per_second: f64,
    peak_requests_per_second: f64,
    average_response_time_ms: f64,
    p95_response_time_ms: f64,
});

raw_object!(
    /// Virtual machines (`instances`, cores, memory) or containers
    /// (replicas, millicores, megabytes): either shape, or a mix.
    Infrastructure, INFRASTRUCTURE_KEYS {
        instances: u64,
        cpu_cores_per_instance: f64,
        memory_gb_per_instance: f64,
        container_platform: String,
        initial_replicas: u64,
        max_replicas: u64,
        cpu_request_millicores: u64,
        cpu_limit_millicores: u64,
        memory_request_mb: u64,
        memory_limit_mb: u64,
        load_balancer: String,
    }
);

raw_object!(Phase, PHASE_KEYS {
    phase: String,
    description: String,
    estimated_duration_hours: f64,
});

raw_object!(FeatureFlag, FEATURE_FLAG_KEYS {
    name: String,
    description: String,
    initial_percentage: f64,
    rollout_schedule: List<RolloutStep>,
});

raw_object!(RolloutStep, ROLLOUT_STEP_KEYS {
    percentage: f64,
    duration_hours: f64,
});

raw_object!(
    /// `alert_thresholds` maps a metric to its threshold: its keys are the
    /// user's, so it is read as an object whose values validation checks.
    Monitoring, MONITORING_KEYS {
        critical_metrics: List<String>,
        alert_thresholds: serde_json::Map<String, Value>,
    }
);

raw_object!(RollbackTrigger, ROLLBACK_TRIGGER_KEYS {
    metric: String,
    threshold: f64,
    duration_minutes: f64,
    action: String,
});

raw_object!(
    /// schemashift's own addition: the schema revisions whose migration the
    /// plan embeds, as `schemashift diff <from> <to> -- <paths>` names them.
    Revisions, REVISIONS_KEYS {
        from: String,
        to: String,
        paths: List<String>,
        no_index: bool,
    }
);

/// Reads a parsed document. Fails only when the root is not an object.
pub fn document(root: &Value) -> Option<Document> {
    if !root.is_object() {
        return None;
    }
    Document::deserialize(root).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_member_is_kept_and_the_others_read() {
        let v: Value = serde_json::json!({"name": "t", "row_count": -5, "size_mb": "big", "colour": 1});
        let t = Table::deserialize(&v).unwrap();
        assert!(matches!(t.name, Field::Given(ref n) if n == "t"));
        assert!(matches!(t.row_count, Field::Wrong(Value::Number(_))));
        assert!(matches!(t.size_mb, Field::Wrong(Value::String(_))));
        assert!(matches!(t.critical, Field::Absent));
        assert_eq!(t.unknown.keys().collect::<Vec<_>>(), ["colour"]);
    }

    #[test]
    fn key_lists_name_the_fields() {
        assert_eq!(TABLE_KEYS, ["name", "row_count", "size_mb", "critical"]);
        assert_eq!(DOCUMENT_KEYS[0], "type");
        // Every listed key is read as a field, never left as unknown.
        let all: serde_json::Map<String, Value> = CHANGE_KEYS.iter().map(|k| (k.to_string(), Value::Null)).collect();
        assert!(Change::deserialize(&Value::Object(all)).unwrap().unknown.is_empty());
        let all: serde_json::Map<String, Value> = DOCUMENT_KEYS.iter().map(|k| (k.to_string(), Value::Null)).collect();
        assert!(Document::deserialize(&Value::Object(all)).unwrap().unknown.is_empty());
    }

    #[test]
    fn an_object_given_as_something_else_is_wrong_not_fatal() {
        let v: Value = serde_json::json!({"constraints": [1, 2], "tables_to_migrate": {"a": 1}});
        let d = document(&v).unwrap();
        assert!(matches!(d.constraints, Field::Wrong(Value::Array(_))));
        assert!(matches!(d.tables_to_migrate, Field::Wrong(Value::Object(_))));
    }
}
