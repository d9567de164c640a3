//! A realistic, deterministic PostgreSQL schema of a chosen size, laid out
//! the way a large project keeps it in git:
//!
//! ```text
//! db/schema/00_extensions.sql            extensions, one CREATE SCHEMA per area
//! db/schema/01_types.sql                 enums and domains shared by the areas
//! db/schema/<area>/10_tables_NN.sql      CREATE TABLE + its indexes and comments, 50 tables a file
//! db/schema/<area>/80_views.sql          views over the area's tables
//! db/schema/<area>/90_foreign_keys.sql   ALTER TABLE … ADD CONSTRAINT: cycles, references into the area
//! ```
//!
//! What a table holds is drawn from a seeded SplitMix64 generator, so the text
//! is the same on every run and machine. Tables mix `bigserial`, identity and
//! uuid keys; columns mix the common types with defaults and NOT NULL;
//! foreign keys point at earlier tables of the same area and, for one table in
//! five, at a table of another area (added by ALTER TABLE in the later
//! area's foreign-key file when that area's tables are read later, so that
//! PostgreSQL itself accepts the files in path order). One table in twenty gets a
//! forward reference added by ALTER TABLE at the end of its area, and the
//! next table references it back: a two-table cycle. Indexes are plain,
//! multi-column, unique, partial and on expressions; about a fifth of the
//! indexes and constraints are left unnamed, so PostgreSQL's generated names
//! must be derived (as in hand-written schemas; a pg_dump names everything).
//!
//! [`generate`] with `changed = true` gives the next revision: one table gains
//! a column and an index, and one of its column defaults changes.

use std::fmt::Write;

/// The areas of the application: one PostgreSQL schema and one directory each.
pub const AREAS: &[&str] =
    &["analytics", "billing", "catalog", "content", "crm", "hr", "identity", "inventory", "logistics", "sales"];

/// Nouns the table names are made of, per area (distinct across areas).
const NOUNS: &[&[&str]] = &[
    &["events", "sessions", "funnels", "cohorts", "metrics", "reports", "dashboards", "segments"],
    &["invoices", "invoice_lines", "payments", "refunds", "credit_notes", "tax_rates", "ledgers", "payouts"],
    &["products", "variants", "categories", "brands", "price_lists", "attributes", "bundles", "media"],
    &["articles", "pages", "revisions", "assets", "menus", "translations", "tags", "authors"],
    &["contacts", "companies", "deals", "activities", "pipelines", "notes", "campaigns", "leads"],
    &["employees", "departments", "positions", "contracts", "absences", "reviews", "trainings", "salaries"],
    &["users", "roles", "permissions", "api_keys", "memberships", "devices", "audit_entries", "invitations"],
    &["warehouses", "stock_items", "locations", "movements", "counts", "lots", "reservations", "suppliers"],
    &["shipments", "parcels", "carriers", "routes", "stops", "vehicles", "drivers", "manifests"],
    &["orders", "order_lines", "quotes", "carts", "discounts", "returns", "subscriptions", "channels"],
];

const TABLES_PER_FILE: usize = 50;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    pub tables: usize,
    pub views: usize,
    pub seed: u64,
}

impl Config {
    /// The benchmark's schema: 5,000 tables and 300 views.
    pub fn large() -> Config {
        Config { tables: 5000, views: 300, seed: 0x5eed_5c4e_a5f1 }
    }
    /// The same proportions at another size (views scale with tables).
    pub fn with_tables(tables: usize) -> Config {
        Config { tables, views: (tables * 3 / 50).max(10), ..Config::large() }
    }
}

/// The generated files, sorted by path, plus what the one-table change did.
pub struct Generated {
    pub files: Vec<(String, String)>,
    pub stats: Stats,
    /// `schema.table` of the table the change touches.
    pub changed_table: String,
}

#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub tables: usize,
    pub columns: usize,
    pub views: usize,
    pub indexes: usize,
    pub unnamed_indexes: usize,
    pub constraints: usize,
    pub unnamed_constraints: usize,
    pub foreign_keys: usize,
    pub cycles: usize,
    /// Implicit sequences (serial and identity columns).
    pub sequences: usize,
    pub enums: usize,
    pub domains: usize,
    pub statements: usize,
}

impl Generated {
    pub fn bytes(&self) -> usize {
        self.files.iter().map(|(_, t)| t.len()).sum()
    }
    pub fn lines(&self) -> usize {
        self.files.iter().map(|(_, t)| t.lines().count()).sum()
    }
}

/// SplitMix64: small, fast, and good enough to make a schema look unplanned.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Key {
    BigSerial,
    Identity,
    Uuid,
}

impl Key {
    fn fk_type(self) -> &'static str {
        match self {
            Key::Uuid => "uuid",
            _ => "bigint",
        }
    }
}

/// What later tables and views need to know about a table.
struct TableInfo {
    area: usize,
    name: String,
    key: Key,
    /// Plain (non-key, non-FK) columns, for views.
    label_column: &'static str,
    has_deleted_at: bool,
    /// (child table index, FK column) of tables referencing this one.
    children: Vec<(usize, String)>,
}

impl TableInfo {
    fn qualified(&self) -> String {
        format!("{}.{}", AREAS[self.area], self.name)
    }
}

/// Optional columns: (name, type, default, not null, check).
/// Name, type, default, NOT NULL, CHECK.
type OptionalColumn = (&'static str, &'static str, Option<&'static str>, bool, Option<&'static str>);

const OPTIONAL_COLUMNS: &[OptionalColumn] = &[
    ("description", "character varying(255)", None, false, None),
    ("amount", "numeric(12,2)", Some("0"), true, Some("amount >= 0")),
    ("quantity", "integer", Some("1"), true, Some("quantity > 0")),
    ("is_active", "boolean", Some("true"), true, None),
    ("metadata", "jsonb", Some("'{}'::jsonb"), true, None),
    ("tags", "text[]", Some("'{}'::text[]"), false, None),
    ("starts_on", "date", None, false, None),
    ("ip_address", "inet", None, false, None),
    ("payload", "bytea", None, false, None),
    ("score", "double precision", None, false, Some("score BETWEEN 0 AND 100")),
    ("position", "smallint", Some("0"), true, None),
    ("external_id", "uuid", None, false, None),
    ("currency", "character(3)", Some("'EUR'"), true, Some("currency ~ '^[A-Z]{3}$'")),
    ("notes", "text", None, false, None),
    ("version", "integer", Some("1"), true, None),
    ("valid_until", "timestamp without time zone", None, false, None),
    ("weight_grams", "bigint", None, false, Some("weight_grams >= 0")),
    ("locale", "varchar(16)", Some("'en'"), true, None),
];

/// Enums: (schema, name, labels). Column `status` uses the area's enum when it has one.
const ENUMS: &[(&str, &str, &[&str])] = &[
    ("identity", "record_status", &["draft", "active", "suspended", "archived"]),
    ("billing", "invoice_state", &["draft", "issued", "paid", "void", "overdue"]),
    ("sales", "order_state", &["cart", "placed", "paid", "shipped", "delivered", "cancelled"]),
    ("logistics", "shipment_state", &["pending", "in_transit", "delivered", "lost"]),
    ("crm", "deal_stage", &["lead", "qualified", "proposal", "won", "lost"]),
    ("hr", "employment_kind", &["full_time", "part_time", "contractor", "intern"]),
];

/// Generates the schema; `changed` gives the revision after the one-table change.
pub fn generate(cfg: Config, changed: bool) -> Generated {
    let mut rng = Rng(cfg.seed);
    let mut stats = Stats::default();
    let mut files: Vec<(String, String)> = Vec::new();

    // Extensions and schemas.
    let mut base = String::from("-- Extensions and the schemas of every area.\n\n");
    base.push_str("CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;\n");
    base.push_str("CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;\n\n");
    for area in AREAS {
        writeln!(base, "CREATE SCHEMA {area};").unwrap();
        writeln!(base, "COMMENT ON SCHEMA {area} IS 'The {area} area of the application.';").unwrap();
    }
    stats.statements += 2 + 2 * AREAS.len();
    files.push(("db/schema/00_extensions.sql".into(), base));

    // Enums and domains.
    let mut types = String::from("-- Types shared across areas.\n\n");
    for (schema, name, labels) in ENUMS {
        let labels: Vec<String> = labels.iter().map(|l| format!("'{l}'")).collect();
        writeln!(types, "CREATE TYPE {schema}.{name} AS ENUM ({});", labels.join(", ")).unwrap();
        stats.enums += 1;
        stats.statements += 1;
    }
    types.push_str("\nCREATE DOMAIN identity.email_address AS public.citext\n    CHECK (VALUE ~ '^[^@[:space:]]+@[^@[:space:]]+$');\n");
    types.push_str("CREATE DOMAIN billing.money_amount AS numeric(14,2) NOT NULL DEFAULT 0\n    CHECK (VALUE >= 0);\n");
    stats.domains += 2;
    stats.statements += 2;
    files.push(("db/schema/01_types.sql".into(), types));

    // Tables are numbered globally; area = i % areas keeps areas the same size.
    let per_area = cfg.tables.div_ceil(AREAS.len());
    let mut infos: Vec<TableInfo> = Vec::with_capacity(cfg.tables);
    // Per area: files of tables, then the ALTER TABLEs closing cycles.
    let mut area_tables: Vec<Vec<usize>> = vec![Vec::new(); AREAS.len()];
    let mut area_files: Vec<Vec<String>> = vec![Vec::new(); AREAS.len()];
    let mut area_alters: Vec<String> = vec![String::new(); AREAS.len()];
    // Tables that must reference their predecessor (the other half of a cycle).
    let mut must_reference_prev = vec![false; cfg.tables];
    // The changed table: in the middle of the `sales` area.
    let change_target = (per_area / 2) * AREAS.len() + AREAS.iter().position(|a| *a == "sales").unwrap();
    let change_target = change_target.min(cfg.tables.saturating_sub(1));

    // Key kinds are drawn up front (own stream): a cycle's first table needs
    // the type of the key of a table not generated yet.
    let mut key_rng = Rng(cfg.seed ^ 0x6b65_7973);
    let keys: Vec<Key> = (0..cfg.tables)
        .map(|_| match key_rng.below(10) {
            0..=4 => Key::BigSerial,
            5..=7 => Key::Identity,
            _ => Key::Uuid,
        })
        .collect();

    for i in 0..cfg.tables {
        let area = i % AREAS.len();
        let local = i / AREAS.len();
        let nouns = NOUNS[area];
        let name = format!("{}_{:04}", nouns[local % nouns.len()], local);
        let key = keys[i];
        let q = format!("{}.{name}", AREAS[area]);
        let is_changed = changed && i == change_target;

        let mut cols: Vec<String> = Vec::new();
        let mut constraints: Vec<String> = Vec::new();
        let mut after: Vec<String> = Vec::new(); // indexes and comments after the table
        let mut col_names: Vec<String> = Vec::new();

        match key {
            Key::BigSerial => cols.push("id bigserial PRIMARY KEY".into()),
            Key::Identity => cols.push("id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY".into()),
            Key::Uuid => {
                cols.push("id uuid DEFAULT gen_random_uuid() NOT NULL".into());
                constraints.push(format!("CONSTRAINT {name}_pkey PRIMARY KEY (id)"));
                stats.constraints += 1;
            }
        }
        if key != Key::Uuid {
            stats.sequences += 1;
            stats.constraints += 1;
            stats.unnamed_constraints += 1;
        }
        col_names.push("id".into());

        // Foreign keys to earlier tables of the same area, sometimes another area.
        let same_area = &area_tables[area];
        let mut targets: Vec<usize> = Vec::new();
        if must_reference_prev[i] {
            targets.push(*same_area.last().expect("a cycle starts at an earlier table"));
        }
        let fk_count = if same_area.is_empty() { 0 } else { rng.below(4) };
        for _ in 0..fk_count {
            let t = same_area[same_area.len() - 1 - rng.below(same_area.len().min(40))];
            if !targets.contains(&t) {
                targets.push(t);
            }
        }
        if i >= AREAS.len() * 2 && rng.chance(20) {
            let other = (area + 1 + rng.below(AREAS.len() - 1)) % AREAS.len();
            if let Some(&t) = area_tables[other].get(rng.below(area_tables[other].len())) {
                targets.push(t);
            }
        }
        for &t in &targets {
            let target = &infos[t];
            let col = if target.area == area {
                format!("{}_id", target.name)
            } else {
                format!("{}_{}_id", AREAS[target.area], target.name)
            };
            let not_null = rng.chance(60);
            let action = *rng.pick(&["", "", " ON DELETE CASCADE", " ON DELETE SET NULL", " ON DELETE RESTRICT"]);
            let action = if not_null && action == " ON DELETE SET NULL" { "" } else { action };
            let nn = if not_null { " NOT NULL" } else { "" };
            let inline = rng.chance(50);
            if target.area > area {
                // The target's file is read later: as in PostgreSQL, the
                // constraint can only be added once both tables exist, by the
                // later area's foreign-key file.
                cols.push(format!("{col} {}{nn}", target.key.fk_type()));
                writeln!(
                    area_alters[target.area],
                    "ALTER TABLE ONLY {q}\n    ADD CONSTRAINT fk_{name}_{col} FOREIGN KEY ({col}) REFERENCES {} (id){action};",
                    target.qualified()
                )
                .unwrap();
                stats.statements += 1;
            } else if inline {
                // Inline, unnamed: PostgreSQL names it <table>_<column>_fkey.
                cols.push(format!("{col} {}{nn} REFERENCES {} (id){action}", target.key.fk_type(), target.qualified()));
                stats.unnamed_constraints += 1;
            } else {
                cols.push(format!("{col} {}{nn}", target.key.fk_type()));
                constraints.push(format!(
                    "CONSTRAINT fk_{name}_{col} FOREIGN KEY ({col}) REFERENCES {} (id){action}",
                    target.qualified()
                ));
            }
            stats.constraints += 1;
            stats.foreign_keys += 1;
            if rng.chance(80) {
                after.push(index(&mut rng, &mut stats, &q, &name, &format!("({col})"), &col, ""));
            }
            col_names.push(col.clone());
            infos[t].children.push((i, col));
        }

        // A forward reference closing a cycle with the next table of the area.
        let next_in_area = i + AREAS.len();
        if local > 0 && next_in_area < cfg.tables && rng.chance(5) {
            must_reference_prev[next_in_area] = true;
            let next_local = next_in_area / AREAS.len();
            let next_name = format!("{}_{:04}", nouns[next_local % nouns.len()], next_local);
            let col = format!("latest_{next_name}_id");
            cols.push(format!("{col} {}", keys[next_in_area].fk_type()));
            col_names.push(col.clone());
            writeln!(
                area_alters[area],
                "ALTER TABLE ONLY {q}\n    ADD CONSTRAINT {name}_{col}_fkey FOREIGN KEY ({col}) REFERENCES {}.{next_name} (id) DEFERRABLE INITIALLY DEFERRED;",
                AREAS[area]
            )
            .unwrap();
            stats.constraints += 1;
            stats.foreign_keys += 1;
            stats.cycles += 1;
            stats.statements += 1;
        }

        // A self reference for trees.
        if rng.chance(8) {
            cols.push(format!("parent_id {} REFERENCES {q} (id) ON DELETE CASCADE", key.fk_type()));
            col_names.push("parent_id".into());
            stats.constraints += 1;
            stats.unnamed_constraints += 1;
            stats.foreign_keys += 1;
        }

        // Always: a code or name, timestamps; the rest drawn.
        let label_column = if rng.chance(50) { "code" } else { "name" };
        if label_column == "code" {
            cols.push("code varchar(32) NOT NULL".into());
            if rng.chance(70) {
                constraints.push(format!("CONSTRAINT {name}_code_key UNIQUE (code)"));
            } else {
                constraints.push("UNIQUE (code)".into());
                stats.unnamed_constraints += 1;
            }
            stats.constraints += 1;
            constraints.push("CHECK (char_length(code) BETWEEN 1 AND 32)".into());
            stats.constraints += 1;
            stats.unnamed_constraints += 1;
        } else {
            cols.push("name text NOT NULL".into());
        }
        col_names.push(label_column.into());

        if let Some(&(schema, enum_name, labels)) = ENUMS.iter().find(|(s, _, _)| *s == AREAS[area])
            && rng.chance(60)
        {
            cols.push(format!("status {schema}.{enum_name} DEFAULT '{}' NOT NULL", labels[0]));
            col_names.push("status".into());
            if rng.chance(50) {
                after.push(index(&mut rng, &mut stats, &q, &name, "(status, created_at DESC)", "status_created_at", ""));
            }
        }
        let email = rng.chance(15);
        if email {
            let ty = if AREAS[area] == "identity" { "identity.email_address" } else { "text" };
            cols.push(format!("email {ty}"));
            col_names.push("email".into());
        }
        if AREAS[area] == "billing" && rng.chance(30) {
            cols.push("balance billing.money_amount".into());
            col_names.push("balance".into());
        }

        let extra = 3 + rng.below(8);
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < extra.min(OPTIONAL_COLUMNS.len()) {
            let c = rng.below(OPTIONAL_COLUMNS.len());
            if !chosen.contains(&c) {
                chosen.push(c);
            }
        }
        // The changed table must have a column with a default to change: `version`.
        if i == change_target && !chosen.iter().any(|&c| OPTIONAL_COLUMNS[c].0 == "version") {
            chosen.push(OPTIONAL_COLUMNS.iter().position(|c| c.0 == "version").unwrap());
        }
        chosen.sort();
        for c in chosen {
            let (cname, ty, default, not_null, check) = OPTIONAL_COLUMNS[c];
            let mut def = format!("{cname} {ty}");
            if let Some(d) = default {
                let d = if is_changed && cname == "version" { "0" } else { d };
                write!(def, " DEFAULT {d}").unwrap();
            }
            if not_null {
                def.push_str(" NOT NULL");
            }
            cols.push(def);
            col_names.push(cname.into());
            if let Some(check) = check {
                if rng.chance(70) {
                    constraints.push(format!("CONSTRAINT {name}_{cname}_check CHECK ({check})"));
                } else {
                    constraints.push(format!("CHECK ({check})"));
                    stats.unnamed_constraints += 1;
                }
                stats.constraints += 1;
            }
        }
        if chosen_has(&col_names, "starts_on") && rng.chance(50) {
            cols.push("ends_on date".into());
            col_names.push("ends_on".into());
            constraints.push(format!("CONSTRAINT {name}_period_check CHECK (ends_on IS NULL OR ends_on >= starts_on)"));
            stats.constraints += 1;
        }
        cols.push("created_at timestamp with time zone DEFAULT now() NOT NULL".into());
        cols.push("updated_at timestamptz DEFAULT now() NOT NULL".into());
        let has_deleted_at = rng.chance(30);
        if has_deleted_at {
            cols.push("deleted_at timestamptz".into());
        }
        if is_changed {
            cols.push("loyalty_tier smallint DEFAULT 0 NOT NULL".into());
        }

        // Indexes beyond the FK ones.
        if email {
            let pred = if has_deleted_at { " WHERE deleted_at IS NULL" } else { "" };
            after.push(index(&mut rng, &mut stats, &q, &name, "(lower(email))", "lower_email", &format!("UNIQUE{pred}")));
        }
        if has_deleted_at && rng.chance(50) {
            after.push(index(&mut rng, &mut stats, &q, &name, "(created_at)", "created_at_live", " WHERE deleted_at IS NULL"));
        }
        if chosen_has(&col_names, "metadata") && rng.chance(30) {
            let idx = format!("{name}_metadata_gin");
            after.push(format!("CREATE INDEX {idx} ON {q} USING gin (metadata);"));
            stats.indexes += 1;
        }
        if chosen_has(&col_names, "external_id") && rng.chance(50) {
            after.push(index(&mut rng, &mut stats, &q, &name, "(external_id)", "external_id", "UNIQUE WHERE external_id IS NOT NULL"));
        }
        if label_column == "name" && rng.chance(40) {
            after.push(index(&mut rng, &mut stats, &q, &name, "(lower(name) text_pattern_ops)", "lower_name", ""));
        }
        if is_changed {
            after.push(format!("CREATE INDEX {name}_loyalty_tier_idx ON {q} (loyalty_tier) WHERE loyalty_tier > 0;"));
        }
        if rng.chance(25) {
            after.push(format!("COMMENT ON TABLE {q} IS 'Holds the {} of the {} area.';", name.replace('_', " "), AREAS[area]));
        }
        if rng.chance(10) {
            after.push(format!("COMMENT ON COLUMN {q}.created_at IS 'When the row was inserted (UTC).';"));
        }

        // The text.
        let mut text = format!("CREATE TABLE {q} (\n");
        let body: Vec<String> = cols.iter().chain(constraints.iter()).map(|l| format!("    {l}")).collect();
        text.push_str(&body.join(",\n"));
        text.push_str("\n);\n");
        for a in &after {
            text.push_str(a);
            text.push('\n');
        }
        text.push('\n');
        stats.tables += 1;
        stats.columns += col_names.len() + usize::from(has_deleted_at) + 2;
        stats.statements += 1 + after.len();

        let file_no = local / TABLES_PER_FILE;
        if area_files[area].len() <= file_no {
            area_files[area].push(format!("-- {} tables, part {}.\n\n", AREAS[area], file_no + 1));
        }
        area_files[area][file_no].push_str(&text);

        infos.push(TableInfo { area, name, key, label_column, has_deleted_at, children: Vec::new() });
        area_tables[area].push(i);
    }

    // Views: a summary per referenced table, live-row filters, some joins.
    let mut area_views: Vec<String> = vec![String::new(); AREAS.len()];
    let mut v = 0;
    let mut cursor = 0usize;
    while v < cfg.views && !infos.is_empty() {
        let t = &infos[(cursor * 7919) % infos.len()];
        cursor += 1;
        let q = t.qualified();
        let area = t.area;
        let text = match v % 3 {
            // Joined to a child of the same area: another area's tables may be read later.
            0 if t.children.iter().any(|(c, _)| infos[*c].area == area) => {
                let (child, col) = t.children.iter().find(|(c, _)| infos[*c].area == area).unwrap();
                let c = &infos[*child];
                format!(
                    "CREATE VIEW {}.{}_summary AS\n SELECT p.id,\n    p.{label},\n    count(c.id) AS {}_count,\n    max(c.created_at) AS last_{}_at\n   FROM {q} p\n     LEFT JOIN {} c ON c.{col} = p.id\n  GROUP BY p.id, p.{label};\n",
                    AREAS[area],
                    t.name,
                    c.name,
                    c.name,
                    c.qualified(),
                    label = t.label_column,
                )
            }
            1 if t.has_deleted_at => format!(
                "CREATE VIEW {}.live_{} AS\n SELECT t.id,\n    t.{},\n    t.created_at,\n    t.updated_at\n   FROM {q} t\n  WHERE t.deleted_at IS NULL;\n",
                AREAS[area], t.name, t.label_column
            ),
            _ => format!(
                "CREATE VIEW {}.recent_{} AS\n SELECT t.id,\n    t.{},\n    t.created_at\n   FROM {q} t\n  WHERE t.created_at > (now() - '30 days'::interval)\n  ORDER BY t.created_at DESC;\n",
                AREAS[area], t.name, t.label_column
            ),
        };
        if area_views[area].contains(&text[..text.find(" AS\n").unwrap()]) {
            continue;
        }
        area_views[area].push_str(&text);
        area_views[area].push('\n');
        v += 1;
        stats.views += 1;
        stats.statements += 1;
    }

    for (a, area) in AREAS.iter().enumerate() {
        for (n, text) in area_files[a].iter().enumerate() {
            files.push((format!("db/schema/{area}/10_tables_{:02}.sql", n + 1), text.clone()));
        }
        if !area_views[a].is_empty() {
            files.push((format!("db/schema/{area}/80_views.sql"), format!("-- {area} views.\n\n{}", area_views[a])));
        }
        if !area_alters[a].is_empty() {
            files.push((
                format!("db/schema/{area}/90_foreign_keys.sql"),
                format!("-- {area}: references added once both tables exist (cycles, other areas).\n\n{}", area_alters[a]),
            ));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let changed_table = infos.get(change_target).map(TableInfo::qualified).unwrap_or_default();
    Generated { files, stats, changed_table }
}

fn chosen_has(cols: &[String], name: &str) -> bool {
    cols.iter().any(|c| c == name)
}

/// A CREATE INDEX, named `<table>_<suffix>_idx` (or `_key` when unique) four
/// times in five, else unnamed. `kind` is `""`, `"UNIQUE"`, or either followed
/// by ` WHERE …`.
fn index(rng: &mut Rng, stats: &mut Stats, q: &str, table: &str, keys: &str, suffix: &str, kind: &str) -> String {
    let (unique, predicate) = match kind.split_once(" WHERE ") {
        Some((u, p)) => (u.trim() == "UNIQUE", format!(" WHERE {p}")),
        None => (kind.trim() == "UNIQUE", String::new()),
    };
    stats.indexes += 1;
    let u = if unique { "UNIQUE " } else { "" };
    if rng.chance(80) {
        let label = if unique { "key" } else { "idx" };
        format!("CREATE {u}INDEX {table}_{suffix}_{label} ON {q} {keys}{predicate};")
    } else {
        stats.unnamed_indexes += 1;
        format!("CREATE {u}INDEX ON {q} {keys}{predicate};")
    }
}
