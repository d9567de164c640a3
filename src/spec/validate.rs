//! From the document as read ([`super::raw`]) to a [`Spec`], reporting every
//! problem at its JSON path: members missing, unknown or of the wrong type,
//! values out of range, names listed twice, and references that lead
//! nowhere (a schema change on a table the specification does not list, a
//! rollback trigger on a metric it does not monitor).

use super::raw::{self, Field, List, Unknown};
use super::*;
use crate::spec::plan::phase_names;
use serde_json::Value;

/// The members each kind of schema change takes besides `type`: required,
/// then optional.
pub const CHANGE_MEMBERS: &[(&str, &[&str], &[&str])] = &[
    ("add_column", &["column", "data_type"], &["nullable", "default"]),
    ("drop_column", &["column"], &[]),
    ("modify_column", &["column", "new_type"], &["old_type"]),
    ("rename_column", &["column", "new_name"], &[]),
    ("add_constraint", &["constraint_type", "constraint_name"], &["definition", "columns"]),
    ("drop_constraint", &["constraint_name"], &[]),
    ("add_index", &["index_name", "columns"], &["unique"]),
    ("drop_index", &["index_name"], &[]),
];

/// The HTTP methods an endpoint may name.
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// What a value must be, for the problem that says it is not.
trait Expected {
    const WHAT: &'static str;
}
impl Expected for String {
    const WHAT: &'static str = "a string";
}
impl Expected for f64 {
    const WHAT: &'static str = "a number";
}
impl Expected for u64 {
    const WHAT: &'static str = "a non-negative integer";
}
impl Expected for bool {
    const WHAT: &'static str = "true or false";
}
impl<T> Expected for Vec<T> {
    const WHAT: &'static str = "an array";
}
macro_rules! objects {
    ($($t:ty),*) => { $(impl Expected for $t { const WHAT: &'static str = "an object"; })* };
}
objects!(
    serde_json::Map<String, Value>,
    raw::Constraints,
    raw::Table,
    raw::TableChanges,
    raw::Change,
    raw::Performance,
    raw::BusinessContinuity,
    raw::Window,
    raw::ServiceDetails,
    raw::Service,
    raw::Load,
    raw::Infrastructure,
    raw::Phase,
    raw::FeatureFlag,
    raw::RolloutStep,
    raw::Monitoring,
    raw::RollbackTrigger,
    raw::Revisions
);

/// Checks a parsed document.
pub fn validate(file: &str, root: &Value) -> Result<Spec, Vec<Problem>> {
    let root_path = JsonPath::root();
    let Some(doc) = raw::document(root) else {
        return Err(vec![Problem { path: root_path, message: format!("must be an object, not {}", describe(root)) }]);
    };
    let mut c = Check::default();
    let at = |k: &str| root_path.key(k);
    c.unknown(&doc.unknown, &root_path, raw::DOCUMENT_KEYS);

    let kind = c.need_text(doc.r#type, &at("type")).and_then(|t| c.choose(&t, &at("type"), &Kind::ALL, Kind::name, "type"));
    let pattern = c.need_text(doc.pattern, &at("pattern")).and_then(|t| c.choose(&t, &at("pattern"), &Pattern::ALL, Pattern::name, "pattern"));
    if let (Some(Kind::Service), Some(Pattern::SchemaChange)) = (kind, pattern) {
        c.problem(&at("pattern"), "schema_change changes a database's schema, but type is service");
    }
    let source = c.need_text(doc.source, &at("source"));
    let target = c.need_text(doc.target, &at("target"));
    let description = c.text(doc.description, &at("description"));
    let constraints = c.need(doc.constraints, &at("constraints")).and_then(|r| c.constraints(r, &at("constraints")));
    let tables = c.tables(doc.tables_to_migrate, &at("tables_to_migrate"));
    if let Some(gb) = constraints.as_ref().and_then(|k| k.data_volume_gb) {
        let listed: f64 = tables.iter().map(|t| t.size_mb).sum();
        if listed > gb * 1024.0 {
            c.problem(
                &at("constraints").key("data_volume_gb"),
                format!("{gb} GB ({} MB) is less than the {} MB the tables_to_migrate hold", gb * 1024.0, listed),
            );
        }
    }
    let schema_changes = c.schema_changes(doc.schema_changes, &at("schema_changes"), &tables);
    let performance = c.get(doc.performance_requirements, &at("performance_requirements")).map(|r| c.performance(r, &at("performance_requirements")));
    let business_continuity = c.get(doc.business_continuity, &at("business_continuity")).map(|r| c.business_continuity(r, &at("business_continuity")));
    let services = c.get(doc.service_details, &at("service_details")).map(|r| c.services(r, &at("service_details")));
    if services.is_some() && kind == Some(Kind::Database) {
        c.problem(&at("service_details"), "describes services, but type is database");
    }
    let phases = c.phases(doc.migration_phases, &at("migration_phases"), pattern);
    let feature_flags = c.feature_flags(doc.feature_flags, &at("feature_flags"));
    let monitoring = c.get(doc.monitoring, &at("monitoring")).map(|r| c.monitoring(r, &at("monitoring")));
    let rollback_triggers = c.rollback_triggers(doc.rollback_triggers, &at("rollback_triggers"), monitoring.as_ref());
    let revisions = c.get(doc.revisions, &at("revisions")).and_then(|r| c.revisions(r, &at("revisions")));

    match (kind, pattern, source, target, constraints) {
        (Some(kind), Some(pattern), Some(source), Some(target), Some(constraints)) if c.problems.is_empty() => Ok(Spec {
            file: file.to_string(),
            kind,
            pattern,
            source,
            target,
            description,
            constraints,
            tables,
            schema_changes,
            performance,
            business_continuity,
            services,
            phases,
            feature_flags,
            monitoring,
            rollback_triggers,
            revisions,
        }),
        _ => Err(c.problems),
    }
}

#[derive(Default)]
struct Check {
    problems: Vec<Problem>,
}

impl Check {
    fn problem(&mut self, path: &JsonPath, message: impl Into<String>) {
        self.problems.push(Problem { path: path.clone(), message: message.into() });
    }

    /// An optional member.
    fn get<T: Expected>(&mut self, field: Field<T>, path: &JsonPath) -> Option<T> {
        match field {
            Field::Absent => None,
            Field::Given(t) => Some(t),
            Field::Wrong(v) => {
                self.problem(path, format!("must be {}, not {}", T::WHAT, describe(&v)));
                None
            }
        }
    }

    /// A required member.
    fn need<T: Expected>(&mut self, field: Field<T>, path: &JsonPath) -> Option<T> {
        if matches!(field, Field::Absent) {
            self.problem(path, format!("is required ({})", T::WHAT));
        }
        self.get(field, path)
    }

    /// An optional string that, given, says something.
    fn text(&mut self, field: Field<String>, path: &JsonPath) -> Option<String> {
        let text = self.get(field, path)?;
        if text.trim().is_empty() {
            self.problem(path, "must not be empty");
            return None;
        }
        Some(text)
    }

    fn need_text(&mut self, field: Field<String>, path: &JsonPath) -> Option<String> {
        if matches!(field, Field::Absent) {
            self.problem(path, "is required (a string)");
        }
        self.text(field, path)
    }

    /// A number that is zero or more.
    fn amount(&mut self, field: Field<f64>, path: &JsonPath, required: bool) -> Option<f64> {
        if let Field::Wrong(v) = &field {
            self.problem(path, format!("must be a non-negative number, not {}", describe(v)));
            return None;
        }
        let n = if required { self.need(field, path)? } else { self.get(field, path)? };
        if !(n >= 0.0 && n.is_finite()) {
            self.problem(path, format!("must be a non-negative number, not {n}"));
            return None;
        }
        // -0 is 0 (and must not print as "-0").
        Some(n + 0.0)
    }

    fn percentage(&mut self, field: Field<f64>, path: &JsonPath, required: bool) -> Option<f64> {
        let n = self.amount(field, path, required)?;
        if n > 100.0 {
            self.problem(path, format!("must be a percentage from 0 to 100, not {n}"));
            return None;
        }
        Some(n)
    }

    /// A metric's threshold: a rate or a utilization is a fraction.
    fn threshold(&mut self, metric: Option<&str>, field: Field<f64>, path: &JsonPath, required: bool) -> Option<f64> {
        let n = self.amount(field, path, required)?;
        if metric.is_some_and(is_fraction) && n > 1.0 {
            self.problem(path, format!("must be a fraction from 0 to 1 (0.05 for 5 %), not {n}"));
            return None;
        }
        Some(n)
    }

    /// The elements of an array, each at its index; wrong ones reported.
    fn list<T: Expected>(&mut self, field: Field<List<T>>, path: &JsonPath) -> Vec<(JsonPath, T)> {
        let items = self.get(field, path).unwrap_or_default();
        let mut out = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let at = path.index(i);
            if let Some(t) = self.get(item, &at) {
                out.push((at, t));
            }
        }
        out
    }

    /// An array of names, each said once.
    fn names(&mut self, field: Field<List<String>>, path: &JsonPath) -> Vec<String> {
        let mut seen: Vec<(String, JsonPath)> = Vec::new();
        for (at, name) in self.list(field, path) {
            if name.trim().is_empty() {
                self.problem(&at, "must not be empty");
            } else if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
                self.problem(&at, format!("{name} is listed twice (first at {first})"));
            } else {
                seen.push((name, at));
            }
        }
        seen.into_iter().map(|(n, _)| n).collect()
    }

    /// A name that must be unique among `seen`, noting it there.
    fn unique(&mut self, name: &str, at: &JsonPath, seen: &mut Vec<(String, JsonPath)>) {
        match seen.iter().find(|(n, _)| n == name) {
            Some((_, first)) => {
                let first = first.clone();
                self.problem(at, format!("{name} is listed twice (first at {first})"));
            }
            None => seen.push((name.to_string(), at.clone())),
        }
    }

    fn unknown(&mut self, unknown: &Unknown, path: &JsonPath, known: &[&str]) {
        for key in unknown.keys() {
            let hint = match closest(key, known.iter().copied()) {
                Some(k) => format!("did you mean {k}? "),
                None => String::new(),
            };
            self.problem(&path.key(key), format!("unknown member; {hint}expected one of: {}", known.join(", ")));
        }
    }

    /// One of a fixed set of names.
    fn choose<E: Copy>(&mut self, text: &str, path: &JsonPath, all: &[E], name: fn(E) -> &'static str, what: &str) -> Option<E> {
        if let Some(e) = all.iter().copied().find(|e| name(*e) == text) {
            return Some(e);
        }
        let names: Vec<&str> = all.iter().map(|e| name(*e)).collect();
        let hint = match closest(text, names.iter().copied()) {
            Some(k) => format!("did you mean {k}? "),
            None => String::new(),
        };
        self.problem(path, format!("unknown {what} {text:?}; {hint}expected one of: {}", names.join(", ")));
        None
    }

    fn constraints(&mut self, r: raw::Constraints, path: &JsonPath) -> Option<Constraints> {
        self.unknown(&r.unknown, path, raw::CONSTRAINTS_KEYS);
        let max_downtime_minutes = self.amount(r.max_downtime_minutes, &path.key("max_downtime_minutes"), true);
        let data_volume_gb = self.amount(r.data_volume_gb, &path.key("data_volume_gb"), false);
        let dependencies = self.names(r.dependencies, &path.key("dependencies"));
        let compliance_requirements = self.names(r.compliance_requirements, &path.key("compliance_requirements"));
        let special_requirements = self.names(r.special_requirements, &path.key("special_requirements"));
        Some(Constraints { max_downtime_minutes: max_downtime_minutes?, data_volume_gb, dependencies, compliance_requirements, special_requirements })
    }

    fn tables(&mut self, field: Field<List<raw::Table>>, path: &JsonPath) -> Vec<Table> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for (at, r) in self.list(field, path) {
            self.unknown(&r.unknown, &at, raw::TABLE_KEYS);
            let name = self.need_text(r.name, &at.key("name"));
            if let Some(n) = &name {
                self.unique(n, &at.key("name"), &mut seen);
            }
            let row_count = self.need(r.row_count, &at.key("row_count"));
            let size_mb = self.amount(r.size_mb, &at.key("size_mb"), true);
            let critical = self.get(r.critical, &at.key("critical")).unwrap_or(false);
            if let (Some(name), Some(row_count), Some(size_mb)) = (name, row_count, size_mb) {
                out.push(Table { name, row_count, size_mb, critical });
            }
        }
        // A name listed twice is reported; the plan would count it twice.
        let mut kept: Vec<Table> = Vec::new();
        for t in out {
            if !kept.iter().any(|k| k.name == t.name) {
                kept.push(t);
            }
        }
        kept
    }

    fn schema_changes(&mut self, field: Field<List<raw::TableChanges>>, path: &JsonPath, tables: &[Table]) -> Vec<TableChanges> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for (at, r) in self.list(field, path) {
            self.unknown(&r.unknown, &at, raw::TABLE_CHANGES_KEYS);
            let table = self.need_text(r.table, &at.key("table"));
            if let Some(t) = &table {
                self.unique(t, &at.key("table"), &mut seen);
                if !tables.iter().any(|x| &x.name == t) {
                    let hint = match closest(t, tables.iter().map(|x| x.name.as_str())) {
                        Some(k) => format!("; did you mean {k}?"),
                        None => String::new(),
                    };
                    self.problem(&at.key("table"), format!("{t} is not in tables_to_migrate{hint}"));
                }
            }
            let changes_at = at.key("changes");
            if matches!(r.changes, Field::Absent) {
                self.problem(&changes_at, "is required (an array)");
            }
            let changes: Vec<SchemaChange> =
                self.list(r.changes, &changes_at).into_iter().filter_map(|(at, change)| self.change(change, &at)).collect();
            if let Some(table) = table {
                out.push(TableChanges { table, changes });
            }
        }
        out
    }

    fn change(&mut self, r: raw::Change, at: &JsonPath) -> Option<SchemaChange> {
        self.unknown(&r.unknown, at, raw::CHANGE_KEYS);
        let kind = self.need_text(r.r#type.clone(), &at.key("type"))?;
        let Some((_, required, optional)) = CHANGE_MEMBERS.iter().find(|(k, _, _)| *k == kind) else {
            let kinds: Vec<&str> = CHANGE_MEMBERS.iter().map(|(k, _, _)| *k).collect();
            let hint = closest(&kind, kinds.iter().copied()).map(|k| format!("did you mean {k}? ")).unwrap_or_default();
            self.problem(&at.key("type"), format!("unknown change type {kind:?}; {hint}expected one of: {}", kinds.join(", ")));
            return None;
        };
        let takes: Vec<&str> = required.iter().chain(optional.iter()).copied().collect();
        for member in present(&r) {
            if member != "type" && !takes.contains(&member) {
                self.problem(&at.key(member), format!("is not a member of {kind} changes, which take: {}", takes.join(", ")));
            }
        }
        let need = |c: &mut Check, f: Field<String>, k: &str| c.need_text(f, &at.key(k));
        let data_type = |c: &mut Check, text: Option<String>, k: &str| {
            let text = text?;
            if crate::model::DataType::parse(&text).is_none() {
                c.problem(&at.key(k), format!("{text:?} is not a data type"));
                return None;
            }
            Some(text)
        };
        let change = match kind.as_str() {
            "add_column" => {
                let column = need(self, r.column, "column");
                let ty = need(self, r.data_type, "data_type");
                let data_type = data_type(self, ty, "data_type");
                let nullable = self.get(r.nullable, &at.key("nullable")).unwrap_or(true);
                let default = self.text(r.default, &at.key("default"));
                SchemaChange::AddColumn { column: column?, data_type: data_type?, nullable, default }
            }
            "drop_column" => SchemaChange::DropColumn { column: need(self, r.column, "column")? },
            "modify_column" => {
                let column = need(self, r.column, "column");
                let old = self.text(r.old_type, &at.key("old_type"));
                let old_type = data_type(self, old, "old_type");
                let new = need(self, r.new_type, "new_type");
                let new_type = data_type(self, new, "new_type");
                SchemaChange::ModifyColumn { column: column?, old_type, new_type: new_type? }
            }
            "rename_column" => {
                let column = need(self, r.column, "column");
                let new_name = need(self, r.new_name, "new_name");
                SchemaChange::RenameColumn { column: column?, new_name: new_name? }
            }
            "add_constraint" => {
                let ty_at = at.key("constraint_type");
                let constraint_type = need(self, r.constraint_type, "constraint_type")
                    .and_then(|t| self.choose(&t, &ty_at, &ConstraintType::ALL, ConstraintType::name, "constraint type"));
                let constraint_name = need(self, r.constraint_name, "constraint_name");
                let definition = self.text(r.definition, &at.key("definition"));
                let columns = self.names(r.columns, &at.key("columns"));
                match constraint_type {
                    Some(ConstraintType::Check | ConstraintType::ForeignKey) if definition.is_none() => {
                        self.problem(&at.key("definition"), format!("is required for a {} constraint", constraint_type?.name()));
                        return None;
                    }
                    Some(ConstraintType::Unique | ConstraintType::PrimaryKey) if definition.is_none() && columns.is_empty() => {
                        self.problem(&at.key("columns"), format!("is required for a {} constraint (or its definition)", constraint_type?.name()));
                        return None;
                    }
                    _ => {}
                }
                SchemaChange::AddConstraint { constraint_type: constraint_type?, constraint_name: constraint_name?, definition, columns }
            }
            "drop_constraint" => SchemaChange::DropConstraint { constraint_name: need(self, r.constraint_name, "constraint_name")? },
            "add_index" => {
                let index_name = need(self, r.index_name, "index_name");
                if matches!(r.columns, Field::Absent) {
                    self.problem(&at.key("columns"), "is required (an array)");
                }
                let columns = self.names(r.columns, &at.key("columns"));
                let unique = self.get(r.unique, &at.key("unique")).unwrap_or(false);
                if columns.is_empty() {
                    return None;
                }
                SchemaChange::AddIndex { index_name: index_name?, columns, unique }
            }
            "drop_index" => SchemaChange::DropIndex { index_name: need(self, r.index_name, "index_name")? },
            _ => return None,
        };
        Some(change)
    }

    fn performance(&mut self, r: raw::Performance, path: &JsonPath) -> Performance {
        self.unknown(&r.unknown, path, raw::PERFORMANCE_KEYS);
        Performance {
            max_query_response_time_ms: self.amount(r.max_query_response_time_ms, &path.key("max_query_response_time_ms"), false),
            concurrent_connections: self.get(r.concurrent_connections, &path.key("concurrent_connections")),
            transactions_per_second: self.amount(r.transactions_per_second, &path.key("transactions_per_second"), false),
        }
    }

    fn business_continuity(&mut self, r: raw::BusinessContinuity, path: &JsonPath) -> BusinessContinuity {
        self.unknown(&r.unknown, path, raw::BUSINESS_CONTINUITY_KEYS);
        let hours_at = path.key("critical_business_hours");
        let window_at = path.key("preferred_migration_window");
        BusinessContinuity {
            critical_business_hours: self.get(r.critical_business_hours, &hours_at).and_then(|w| self.window(w, &hours_at)),
            preferred_migration_window: self.get(r.preferred_migration_window, &window_at).and_then(|w| self.window(w, &window_at)),
        }
    }

    fn window(&mut self, r: raw::Window, path: &JsonPath) -> Option<Window> {
        self.unknown(&r.unknown, path, raw::WINDOW_KEYS);
        let time = |c: &mut Check, f: Field<String>, k: &str| {
            let text = c.need_text(f, &path.key(k))?;
            let t = ClockTime::parse(&text);
            if t.is_none() {
                c.problem(&path.key(k), format!("must be a time of day as HH:MM (00:00 to 23:59), not {text:?}"));
            }
            t
        };
        let start = time(self, r.start, "start");
        let end = time(self, r.end, "end");
        let timezone = self.need_text(r.timezone, &path.key("timezone"));
        let window = Window { start: start?, end: end?, timezone: timezone? };
        if window.minutes() == 0 {
            self.problem(&path.key("end"), "equals start: the window is empty");
            return None;
        }
        Some(window)
    }

    fn services(&mut self, r: raw::ServiceDetails, path: &JsonPath) -> ServiceDetails {
        self.unknown(&r.unknown, path, raw::SERVICE_DETAILS_KEYS);
        let legacy_at = path.key("legacy_service");
        let new_at = path.key("new_service");
        ServiceDetails {
            legacy_service: self.get(r.legacy_service, &legacy_at).map(|s| self.service(s, &legacy_at)),
            new_service: self.get(r.new_service, &new_at).map(|s| self.service(s, &new_at)),
        }
    }

    fn service(&mut self, r: raw::Service, path: &JsonPath) -> Service {
        self.unknown(&r.unknown, path, raw::SERVICE_KEYS);
        let mut endpoints: Vec<Endpoint> = Vec::new();
        let mut seen = Vec::new();
        for (at, text) in self.list(r.endpoints, &path.key("endpoints")) {
            let parsed = text.split_once(' ').map(|(m, p)| (m.trim(), p.trim()));
            match parsed {
                Some((method, p)) if METHODS.contains(&method) && p.starts_with('/') && !p.contains(char::is_whitespace) => {
                    self.unique(&text, &at, &mut seen);
                    endpoints.push(Endpoint { method: method.to_string(), path: p.to_string() });
                }
                _ => self.problem(&at, format!("must be an HTTP method ({}) and a path starting with /, not {text:?}", METHODS.join(", "))),
            }
        }
        endpoints.dedup();
        let load_at = |k: &str| path.key(k);
        let current_load = self.get(r.current_load, &load_at("current_load")).map(|l| self.load(l, &load_at("current_load")));
        let target_performance = self.get(r.target_performance, &load_at("target_performance")).map(|l| self.load(l, &load_at("target_performance")));
        let infra_at = path.key("infrastructure");
        let infrastructure = self.get(r.infrastructure, &infra_at).map(|i| self.infrastructure(i, &infra_at));
        Service { endpoints, current_load, target_performance, infrastructure }
    }

    fn load(&mut self, r: raw::Load, path: &JsonPath) -> Load {
        self.unknown(&r.unknown, path, raw::LOAD_KEYS);
        let load = Load {
            requests_per_second: self.amount(r.requests_per_second, &path.key("requests_per_second"), false),
            peak_requests_per_second: self.amount(r.peak_requests_per_second, &path.key("peak_requests_per_second"), false),
            average_response_time_ms: self.amount(r.average_response_time_ms, &path.key("average_response_time_ms"), false),
            p95_response_time_ms: self.amount(r.p95_response_time_ms, &path.key("p95_response_time_ms"), false),
        };
        if let (Some(rps), Some(peak)) = (load.requests_per_second, load.peak_requests_per_second)
            && peak < rps {
                self.problem(&path.key("peak_requests_per_second"), format!("{peak} is below requests_per_second ({rps})"));
            }
        load
    }

    fn infrastructure(&mut self, r: raw::Infrastructure, path: &JsonPath) -> Infrastructure {
        self.unknown(&r.unknown, path, raw::INFRASTRUCTURE_KEYS);
        let k = |key: &str| path.key(key);
        let infra = Infrastructure {
            instances: self.get(r.instances, &k("instances")),
            cpu_cores_per_instance: self.amount(r.cpu_cores_per_instance, &k("cpu_cores_per_instance"), false),
            memory_gb_per_instance: self.amount(r.memory_gb_per_instance, &k("memory_gb_per_instance"), false),
            container_platform: self.text(r.container_platform, &k("container_platform")),
            initial_replicas: self.get(r.initial_replicas, &k("initial_replicas")),
            max_replicas: self.get(r.max_replicas, &k("max_replicas")),
            cpu_request_millicores: self.get(r.cpu_request_millicores, &k("cpu_request_millicores")),
            cpu_limit_millicores: self.get(r.cpu_limit_millicores, &k("cpu_limit_millicores")),
            memory_request_mb: self.get(r.memory_request_mb, &k("memory_request_mb")),
            memory_limit_mb: self.get(r.memory_limit_mb, &k("memory_limit_mb")),
            load_balancer: self.text(r.load_balancer, &k("load_balancer")),
        };
        let pairs = [
            ("initial_replicas", infra.initial_replicas, "max_replicas", infra.max_replicas),
            ("cpu_request_millicores", infra.cpu_request_millicores, "cpu_limit_millicores", infra.cpu_limit_millicores),
            ("memory_request_mb", infra.memory_request_mb, "memory_limit_mb", infra.memory_limit_mb),
        ];
        for (low, a, high, b) in pairs {
            if let (Some(a), Some(b)) = (a, b)
                && a > b {
                    self.problem(&k(low), format!("{a} is above {high} ({b})"));
                }
        }
        infra
    }

    fn phases(&mut self, field: Field<List<raw::Phase>>, path: &JsonPath, pattern: Option<Pattern>) -> Vec<StatedPhase> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for (at, r) in self.list(field, path) {
            self.unknown(&r.unknown, &at, raw::PHASE_KEYS);
            let name = self.need_text(r.phase, &at.key("phase"));
            if let (Some(name), Some(pattern)) = (&name, pattern) {
                self.unique(name, &at.key("phase"), &mut seen);
                let names = phase_names(pattern);
                if !names.contains(&name.as_str()) {
                    let hint = closest(name, names.iter().copied()).map(|k| format!("did you mean {k}? ")).unwrap_or_default();
                    self.problem(&at.key("phase"), format!("{name} is not a phase of {}; {hint}its phases are: {}", pattern.name(), names.join(", ")));
                }
            }
            let description = self.text(r.description, &at.key("description"));
            let hours = self.amount(r.estimated_duration_hours, &at.key("estimated_duration_hours"), false);
            if let Some(phase) = name {
                out.push(StatedPhase { phase, description, estimated_duration_hours: hours });
            }
        }
        out
    }

    fn feature_flags(&mut self, field: Field<List<raw::FeatureFlag>>, path: &JsonPath) -> Vec<FeatureFlag> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for (at, r) in self.list(field, path) {
            self.unknown(&r.unknown, &at, raw::FEATURE_FLAG_KEYS);
            let name = self.need_text(r.name, &at.key("name"));
            if let Some(n) = &name {
                self.unique(n, &at.key("name"), &mut seen);
            }
            let description = self.text(r.description, &at.key("description"));
            let initial_percentage = self.percentage(r.initial_percentage, &at.key("initial_percentage"), false);
            let schedule_at = at.key("rollout_schedule");
            match &r.rollout_schedule {
                Field::Absent => self.problem(&schedule_at, "is required (an array)"),
                Field::Given(steps) if steps.is_empty() => self.problem(&schedule_at, "must list at least one step"),
                _ => {}
            }
            let mut rollout_schedule: Vec<RolloutStep> = Vec::new();
            for (step_at, s) in self.list(r.rollout_schedule, &schedule_at) {
                self.unknown(&s.unknown, &step_at, raw::ROLLOUT_STEP_KEYS);
                let percentage = self.percentage(s.percentage, &step_at.key("percentage"), true);
                let duration_hours = self.amount(s.duration_hours, &step_at.key("duration_hours"), true);
                if let (Some(p), Some(before)) = (percentage, rollout_schedule.last())
                    && p < before.percentage {
                        self.problem(
                            &step_at.key("percentage"),
                            format!("{p} is below the step before ({}): a rollout only moves forward; moving back is a rollback trigger's action", before.percentage),
                        );
                    }
                if let (Some(percentage), Some(duration_hours)) = (percentage, duration_hours) {
                    rollout_schedule.push(RolloutStep { percentage, duration_hours });
                }
            }
            if let Some(name) = name {
                out.push(FeatureFlag { name, description, initial_percentage, rollout_schedule });
            }
        }
        out
    }

    fn monitoring(&mut self, r: raw::Monitoring, path: &JsonPath) -> Monitoring {
        self.unknown(&r.unknown, path, raw::MONITORING_KEYS);
        let critical_metrics = self.names(r.critical_metrics, &path.key("critical_metrics"));
        let thresholds_at = path.key("alert_thresholds");
        let mut alert_thresholds = Vec::new();
        for (metric, value) in self.get(r.alert_thresholds, &thresholds_at).unwrap_or_default() {
            let at = thresholds_at.key(&metric);
            if !critical_metrics.is_empty() && !critical_metrics.contains(&metric) {
                self.problem(&at, format!("{metric} is not one of monitoring.critical_metrics ({})", critical_metrics.join(", ")));
            }
            let field = match serde_json::from_value::<f64>(value.clone()) {
                Ok(n) => Field::Given(n),
                Err(_) => Field::Wrong(value),
            };
            if let Some(n) = self.threshold(Some(&metric), field, &at, true) {
                alert_thresholds.push((metric, n));
            }
        }
        Monitoring { critical_metrics, alert_thresholds }
    }

    fn rollback_triggers(&mut self, field: Field<List<raw::RollbackTrigger>>, path: &JsonPath, monitoring: Option<&Monitoring>) -> Vec<RollbackTrigger> {
        let monitored = monitoring.map(|m| m.critical_metrics.as_slice()).unwrap_or_default();
        let mut out = Vec::new();
        for (at, r) in self.list(field, path) {
            self.unknown(&r.unknown, &at, raw::ROLLBACK_TRIGGER_KEYS);
            let metric = self.need_text(r.metric, &at.key("metric"));
            if let Some(m) = &metric
                && !monitored.is_empty() && !monitored.contains(m) {
                    let hint = closest(m, monitored.iter().map(String::as_str)).map(|k| format!("; did you mean {k}?")).unwrap_or_default();
                    self.problem(&at.key("metric"), format!("{m} is not one of monitoring.critical_metrics{hint}"));
                }
            let threshold = self.threshold(metric.as_deref(), r.threshold, &at.key("threshold"), true);
            let duration_minutes = self.amount(r.duration_minutes, &at.key("duration_minutes"), false);
            let action = self
                .need_text(r.action, &at.key("action"))
                .and_then(|a| self.choose(&a, &at.key("action"), &TriggerAction::ALL, TriggerAction::name, "action"));
            if let (Some(metric), Some(threshold), Some(action)) = (metric, threshold, action) {
                out.push(RollbackTrigger { metric, threshold, duration_minutes, action });
            }
        }
        out
    }

    fn revisions(&mut self, r: raw::Revisions, path: &JsonPath) -> Option<Revisions> {
        self.unknown(&r.unknown, path, raw::REVISIONS_KEYS);
        let from = self.need_text(r.from, &path.key("from"));
        let to = self.text(r.to, &path.key("to"));
        let paths = self.names(r.paths, &path.key("paths"));
        let no_index = self.get(r.no_index, &path.key("no_index")).unwrap_or(false);
        if no_index && to.is_none() {
            self.problem(&path.key("to"), "is required with no_index: the new schema's path");
        }
        Some(Revisions { from: from?, to, paths, no_index })
    }
}

/// The members of a raw change that are present, by name.
fn present(r: &raw::Change) -> Vec<&'static str> {
    fn has<T>(f: &Field<T>) -> bool {
        !matches!(f, Field::Absent)
    }
    let all = [
        ("type", has(&r.r#type)),
        ("column", has(&r.column)),
        ("data_type", has(&r.data_type)),
        ("nullable", has(&r.nullable)),
        ("default", has(&r.default)),
        ("old_type", has(&r.old_type)),
        ("new_type", has(&r.new_type)),
        ("new_name", has(&r.new_name)),
        ("constraint_type", has(&r.constraint_type)),
        ("constraint_name", has(&r.constraint_name)),
        ("definition", has(&r.definition)),
        ("columns", has(&r.columns)),
        ("index_name", has(&r.index_name)),
        ("unique", has(&r.unique)),
    ];
    all.into_iter().filter(|(_, p)| *p).map(|(k, _)| k).collect()
}

/// Whether a metric is measured as a fraction (an error rate, a CPU
/// utilization), so that its thresholds are from 0 to 1.
pub(crate) fn is_fraction(metric: &str) -> bool {
    ["_rate", "_utilization", "_ratio"].iter().any(|s| metric.ends_with(s))
}

/// A value as a problem quotes it.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.chars().count() > 40 => format!("{:?}…", s.chars().take(40).collect::<String>()),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// The candidate nearest to `word` by edit distance, when near enough to be
/// a typo of it.
fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates.map(|c| (distance(word, c), c)).filter(|(d, _)| *d <= limit).min_by_key(|(d, _)| *d).map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(json: &str) -> Vec<String> {
        let v: Value = serde_json::from_str(json).unwrap();
        match validate("s.json", &v) {
            Ok(_) => Vec::new(),
            Err(p) => p.iter().map(ToString::to_string).collect(),
        }
    }

    const MINIMAL: &str = r#"{"type": "database", "pattern": "schema_change", "source": "a", "target": "b", "constraints": {"max_downtime_minutes": 5}}"#;

    #[test]
    fn a_minimal_spec_is_valid() {
        assert_eq!(problems(MINIMAL), Vec::<String>::new());
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let p = problems(
            r#"{"pattern": "canary", "source": "", "target": "b", "constraints": {"max_downtime_minutes": -1, "dependencies": ["x", "x", 3]},
                "tables_to_migrate": [{"name": "t", "row_count": 1, "size_mb": 1}, {"name": "u", "row_count": -5, "size_mb": 2, "colour": "red"},
                                      {"name": "t", "row_count": 2, "size_mb": 1}],
                "schema_changes": [{"table": "v", "changes": [{"type": "add_column", "column": "c", "data_type": "int", "old_type": "int"}]}]}"#,
        );
        let expected = [
            "$.type: is required (a string)",
            "$.pattern: unknown pattern \"canary\"; expected one of: schema_change, strangler_fig, blue_green",
            "$.source: must not be empty",
            "$.constraints.max_downtime_minutes: must be a non-negative number, not -1",
            "$.constraints.dependencies[2]: must be a string, not 3",
            "$.constraints.dependencies[1]: x is listed twice (first at $.constraints.dependencies[0])",
            "$.tables_to_migrate[1].colour: unknown member; expected one of: name, row_count, size_mb, critical",
            "$.tables_to_migrate[1].row_count: must be a non-negative integer, not -5",
            "$.tables_to_migrate[2].name: t is listed twice (first at $.tables_to_migrate[0].name)",
            "$.schema_changes[0].table: v is not in tables_to_migrate; did you mean t?",
            "$.schema_changes[0].changes[0].old_type: is not a member of add_column changes, which take: column, data_type, nullable, default",
        ];
        assert_eq!(p, expected);
    }

    #[test]
    fn typos_get_a_suggestion() {
        let json = MINIMAL.replace("\"source\"", "\"sorce\": 1, \"source\"").replace("schema_change", "schema_chnage");
        let p = problems(&json);
        assert!(p.contains(&"$.sorce: unknown member; did you mean source? expected one of: type, pattern, source, target, description, constraints, tables_to_migrate, schema_changes, performance_requirements, business_continuity, service_details, migration_phases, feature_flags, monitoring, rollback_triggers, revisions".to_string()), "{p:?}");
        assert!(p.iter().any(|x| x.starts_with("$.pattern: unknown pattern \"schema_chnage\"; did you mean schema_change?")), "{p:?}");
    }

    #[test]
    fn thresholds_rollouts_and_windows_are_checked() {
        let json = MINIMAL.replace(
            "\"constraints\"",
            r#""monitoring": {"critical_metrics": ["error_rate"], "alert_thresholds": {"error_rate": 5, "latency": 1}},
               "rollback_triggers": [{"metric": "eror_rate", "threshold": 0.1, "action": "explode"}],
               "feature_flags": [{"name": "f", "rollout_schedule": [{"percentage": 50, "duration_hours": 1}, {"percentage": 20, "duration_hours": 1}, {"percentage": 120, "duration_hours": 1}]}],
               "business_continuity": {"preferred_migration_window": {"start": "2am", "end": "06:00", "timezone": "UTC"}},
               "constraints""#,
        );
        let p = problems(&json);
        let expected = [
            "$.business_continuity.preferred_migration_window.start: must be a time of day as HH:MM (00:00 to 23:59), not \"2am\"",
            "$.feature_flags[0].rollout_schedule[1].percentage: 20 is below the step before (50): a rollout only moves forward; moving back is a rollback trigger's action",
            "$.feature_flags[0].rollout_schedule[2].percentage: must be a percentage from 0 to 100, not 120",
            "$.monitoring.alert_thresholds.error_rate: must be a fraction from 0 to 1 (0.05 for 5 %), not 5",
            "$.monitoring.alert_thresholds.latency: latency is not one of monitoring.critical_metrics (error_rate)",
            "$.rollback_triggers[0].metric: eror_rate is not one of monitoring.critical_metrics; did you mean error_rate?",
            "$.rollback_triggers[0].action: unknown action \"explode\"; expected one of: automatic_rollback, alert_team, scale_up, pause_rollout",
        ];
        assert_eq!(p, expected);
    }

    #[test]
    fn a_root_that_is_not_an_object() {
        assert_eq!(problems("[1]"), ["$: must be an object, not an array"]);
    }
}
