//! A hand-built model with every kind of object the model has, and awkward
//! names (mixed case, reserved words, embedded quotes). Shared by the
//! canonical JSON round trip and the SQL rendering tests; every expression is
//! valid PostgreSQL so the rendered script can be loaded for real.

use schemashift::model::*;
use std::collections::BTreeMap;

pub fn q(schema: &str, name: &str) -> QName {
    QName::new(schema, name)
}

fn loc(line: u32) -> Location {
    Location::new("rich.sql", line, 1)
}

fn col(name: &str, ty: &str) -> Column {
    Column::new(name.into(), DataType::parse(ty).expect("type"), loc(1))
}

fn constraint(name: &str, kind: ConstraintKind) -> Constraint {
    Constraint {
        not_valid: false,
        local: true,
        name: name.into(),
        kind,
        deferrable: false,
        initially_deferred: false,
        comment: None,
        location: loc(2),
    }
}

fn key(expr: &str) -> IndexKey {
    IndexKey {
        expr: expr.into(),
        expression: false,
        collation: None,
        opclass: None,
        descending: false,
        nulls_first: None,
    }
}

fn index(name: &str, keys: Vec<IndexKey>) -> Index {
    Index {
        name: name.into(),
        unique: false,
        method: "btree".into(),
        keys,
        include: vec![],
        nulls_not_distinct: false,
        predicate: None,
        with: vec![],
        comment: None,
        renamed_from: Default::default(),
        location: loc(3),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn view(name: QName, query: &str) -> View {
    View {
        name,
        materialized: false,
        columns: vec![],
        query: query.into(),
        with_no_data: false,
        options: vec![],
        indexes: BTreeMap::new(),
        triggers: BTreeMap::new(),
        rules: BTreeMap::new(),
        comment: None,
        renamed_from: Default::default(),
        location: loc(4),
    }
}

pub fn rich_model() -> Schema {
    let mut s = Schema::new(Dialect::Postgres);
    s.schemas.insert(
        "App".into(),
        Namespace { name: "App".into(), comment: Some("the app's own schema".into()), location: loc(5) },
    );
    s.extensions.insert(
        "citext".into(),
        Extension { name: "citext".into(), schema: "public".into(), version: None, location: loc(6) },
    );

    // Types: the composite uses the domain, so the domain must come first
    // even though composites are otherwise written before domains.
    let mood = q("App", "Mood");
    s.types.insert(
        mood.clone(),
        UserType {
            name: mood.clone(),
            kind: UserTypeKind::Enum { values: strings(&["sad", "ok", "it's fine"]) },
            comment: Some("how it feels".into()),
            location: loc(7),
        },
    );
    let positive = q("public", "positive_int");
    s.types.insert(
        positive.clone(),
        UserType {
            name: positive.clone(),
            kind: UserTypeKind::Domain {
                base: DataType::simple("integer"),
                default: Some(Expr("1".into())),
                not_null: true,
                collation: None,
                checks: BTreeMap::from([("positive_int_check".to_string(), Expr("VALUE > 0".into()))]),
                check_comments: BTreeMap::from([("positive_int_check".to_string(), "must be positive".to_string())]),
            },
            comment: Some("a domain".into()),
            location: loc(8),
        },
    );
    let pair = q("public", "pair");
    s.types.insert(
        pair.clone(),
        UserType {
            name: pair.clone(),
            kind: UserTypeKind::Composite {
                attributes: vec![
                    CompositeAttribute {
                        name: "a".into(),
                        data_type: DataType::simple("public.positive_int"),
                        collation: None,
                    },
                    CompositeAttribute {
                        name: "label".into(),
                        data_type: DataType::simple("text"),
                        collation: Some("C".into()),
                    },
                ],
            },
            comment: None,
            location: loc(9),
        },
    );

    let order_no = q("public", "order_no_seq");
    s.sequences.insert(
        order_no.clone(),
        Sequence {
            name: order_no,
            options: SequenceOptions {
                data_type: Some(DataType::simple("integer")),
                increment: Some(2),
                min_value: Some(1),
                max_value: Some(1_000_000),
                start: Some(10),
                cache: Some(5),
                cycle: true,
            },
            owned_by: None,
            comment: Some("order numbers".into()),
            location: loc(10),
        },
    );
    // A serial-style column: the sequence exists before the table and is
    // owned by the column afterwards.
    let a_id_seq = q("public", "parent_a_id_seq");
    s.sequences.insert(
        a_id_seq.clone(),
        Sequence {
            name: a_id_seq,
            options: SequenceOptions { data_type: Some(DataType::simple("integer")), ..Default::default() },
            owned_by: Some((q("public", "parent_a"), "id".into())),
            comment: None,
            location: loc(11),
        },
    );

    let touch = Function {
        name: q("public", "touch_updated_at"),
        procedure: false,
        args: vec![],
        returns: Some("trigger".into()),
        language: "plpgsql".into(),
        body: "BEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND".into(),
        attributes: vec![],
        comment: Some("keeps updated_at current".into()),
        location: loc(12),
    };
    s.functions.insert(touch.signature(), touch);
    let dollars = Function {
        name: q("App", "Dollars"),
        procedure: false,
        args: vec![
            FunctionArg {
                name: Some("n".into()),
                mode: ArgMode::In,
                data_type: DataType::simple("integer"),
                default: Some(Expr("2".into())),
            },
            FunctionArg {
                name: Some("out".into()),
                mode: ArgMode::Out,
                data_type: DataType::simple("text"),
                default: None,
            },
        ],
        returns: Some("text".into()),
        language: "sql".into(),
        body: "SELECT repeat('$$', n)".into(),
        attributes: strings(&["IMMUTABLE", "STRICT"]),
        comment: None,
        location: loc(13),
    };
    s.functions.insert(dollars.signature(), dollars);
    let purge = Function {
        name: q("public", "purge"),
        procedure: true,
        args: vec![FunctionArg {
            name: Some("keep".into()),
            mode: ArgMode::InOut,
            data_type: DataType::simple("integer"),
            default: None,
        }],
        returns: None,
        language: "plpgsql".into(),
        body: "BEGIN\n    DELETE FROM public.parent_b WHERE id > keep;\nEND".into(),
        attributes: vec![],
        comment: Some("a procedure".into()),
        location: loc(14),
    };
    s.functions.insert(purge.signature(), purge);

    // "App"."Order Items": awkward names, identity, generated and collated
    // columns, every non-FK constraint kind, an index with every key option.
    let items_name = q("App", "Order Items");
    let mut items = Table::new(items_name.clone(), loc(20));
    let mut id = col("id", "bigint");
    id.nullable = false;
    id.identity = Some(Box::new(Identity {
        always: true,
        sequence: Some(q("App", "Order Items_id_seq")),
        options: SequenceOptions { start: Some(100), increment: Some(10), ..Default::default() },
    }));
    let mut select = col("select", "integer");
    select.nullable = false;
    select.default = Some(Expr("nextval('public.order_no_seq'::regclass)".into()));
    let mut weird = col("we\"ird", "text");
    weird.collation = Some("C".into());
    weird.comment = Some("a column with a \"quote\"".into());
    let mut doubled = col("doubled", "integer");
    doubled.generated = Some(Expr("\"select\" * 2".into()));
    let mut email = col("email", "public.citext");
    email.on_update = None;
    items.columns = vec![
        id,
        select,
        col("userId", "integer"),
        col("mood", "\"App\".\"Mood\""),
        weird,
        doubled,
        col("pair", "public.pair"),
        col("qty", "public.positive_int"),
        email,
        col("tags", "text[]"),
    ];
    items.comment = Some("line items, it's a table".into());
    let mut pk =
        constraint("Order Items_pkey", ConstraintKind::PrimaryKey { columns: strings(&["id"]), include: vec![] });
    pk.comment = Some("the key".into());
    let mut unique = constraint(
        "order_items_user_key",
        ConstraintKind::Unique {
            columns: strings(&["userId", "mood"]),
            nulls_not_distinct: true,
            include: strings(&["select"]),
        },
    );
    unique.deferrable = false;
    let mut deferred = constraint(
        "order_items_email_key",
        ConstraintKind::Unique { columns: strings(&["email"]), nulls_not_distinct: false, include: vec![] },
    );
    deferred.deferrable = true;
    deferred.initially_deferred = true;
    for c in [
        pk,
        unique,
        deferred,
        constraint("select_positive", ConstraintKind::Check { expr: Expr("\"select\" > 0".into()), no_inherit: true }),
        constraint(
            "one_per_user",
            ConstraintKind::Exclude {
                method: "btree".into(),
                elements: vec![("\"userId\"".into(), "=".into())],
                include: vec![],
                predicate: Some(Expr("\"userId\" IS NOT NULL".into())),
            },
        ),
    ] {
        items.constraints.insert(c.name.clone(), c);
    }
    let mut fancy = index(
        "Order Items fancy",
        vec![
            IndexKey { descending: true, nulls_first: Some(false), ..key("userId") },
            IndexKey {
                expr: "lower(\"we\"\"ird\")".into(),
                expression: true,
                collation: Some("C".into()),
                opclass: Some("text_pattern_ops".into()),
                descending: false,
                nulls_first: Some(true),
            },
        ],
    );
    fancy.include = strings(&["mood"]);
    fancy.with = strings(&["fillfactor = 70"]);
    fancy.predicate = Some(Expr("\"select\" > 0".into()));
    fancy.comment = Some("an index".into());
    items.indexes.insert(fancy.name.clone(), fancy);
    let mut tags = index("order_items_tags", vec![key("tags")]);
    tags.method = "gin".into();
    items.indexes.insert(tags.name.clone(), tags);
    let mut unique_index = index("order_items_select_uidx", vec![key("select")]);
    unique_index.unique = true;
    unique_index.nulls_not_distinct = true;
    items.indexes.insert(unique_index.name.clone(), unique_index);
    s.tables.insert(items_name, items);

    // A foreign-key cycle: parent_a → parent_b → parent_a.
    let a_name = q("public", "parent_a");
    let mut a = Table::new(a_name.clone(), loc(30));
    let mut a_id = col("id", "integer");
    a_id.nullable = false;
    a_id.default = Some(Expr("nextval('public.parent_a_id_seq'::regclass)".into()));
    let mut updated = col("updated_at", "timestamp with time zone");
    updated.default = Some(Expr("CURRENT_TIMESTAMP".into()));
    updated.statistics = Some(500);
    a.columns = vec![a_id, col("b_id", "integer"), updated];
    let fk_ab = ConstraintKind::ForeignKey {
        columns: strings(&["b_id"]),
        references: q("public", "parent_b"),
        ref_columns: strings(&["id"]),
        on_delete: FkAction::SetNull,
        on_update: FkAction::Cascade,
        match_type: FkMatch::Full,
    };
    for c in [
        constraint("parent_a_pkey", ConstraintKind::PrimaryKey { columns: strings(&["id"]), include: vec![] }),
        constraint("parent_a_b_id_fkey", fk_ab),
    ] {
        a.constraints.insert(c.name.clone(), c);
    }
    a.triggers.insert(
        "Touch".into(),
        Trigger {
            name: "Touch".into(),
            timing: "BEFORE".into(),
            events: strings(&["UPDATE"]),
            for_each_row: true,
            when: Some(Expr("OLD.* IS DISTINCT FROM NEW.*".into())),
            execute: "EXECUTE FUNCTION public.touch_updated_at()".into(),
            referencing: vec![],
            constraint: false,
            deferrable: false,
            initially_deferred: false,
            enabled: Enabled::Always,
            comment: Some("a trigger".into()),
            location: loc(31),
        },
    );
    s.tables.insert(a_name, a);

    let b_name = q("public", "parent_b");
    let mut b = Table::new(b_name.clone(), loc(40));
    let mut b_id = col("id", "integer");
    b_id.nullable = false;
    b.columns = vec![b_id, col("a_id", "integer")];
    let mut fk_ba = constraint(
        "parent_b_a_id_fkey",
        ConstraintKind::ForeignKey {
            columns: strings(&["a_id"]),
            references: q("public", "parent_a"),
            ref_columns: strings(&["id"]),
            on_delete: FkAction::Cascade,
            on_update: FkAction::NoAction,
            match_type: FkMatch::Simple,
        },
    );
    fk_ba.deferrable = true;
    for c in
        [constraint("parent_b_pkey", ConstraintKind::PrimaryKey { columns: strings(&["id"]), include: vec![] }), fk_ba]
    {
        b.constraints.insert(c.name.clone(), c);
    }
    // Every table property, a policy of each sort and a rule.
    b.with = strings(&["autovacuum_enabled=false", "fillfactor=80"]);
    b.replica_identity = Some(ReplicaIdentity::Full);
    b.cluster_on = Some("parent_b_pkey".into());
    b.row_level_security = true;
    b.force_row_level_security = true;
    b.policies.insert(
        "any b".into(),
        Policy {
            name: "any b".into(),
            restrictive: false,
            command: PolicyCommand::All,
            roles: vec![],
            using: Some(Expr("a_id IS NOT NULL".into())),
            with_check: Some(Expr("id > 0".into())),
            comment: Some("a policy".into()),
            location: loc(41),
        },
    );
    b.policies.insert(
        "mine".into(),
        Policy {
            name: "mine".into(),
            restrictive: true,
            command: PolicyCommand::Select,
            roles: strings(&["current_user"]),
            using: Some(Expr("id < 1000".into())),
            with_check: None,
            comment: None,
            location: loc(42),
        },
    );
    b.rules.insert(
        "keep b".into(),
        Rule {
            name: "keep b".into(),
            event: RuleEvent::Delete,
            instead: true,
            condition: Some(Expr("old.id < 0".into())),
            actions: vec![],
            enabled: Enabled::Replica,
            comment: Some("a rule".into()),
            location: loc(43),
        },
    );
    s.tables.insert(b_name, b);
    s.statistics.insert(
        q("App", "a stats"),
        Statistics {
            name: q("App", "a stats"),
            table: q("public", "parent_a"),
            kinds: strings(&["ndistinct", "mcv"]),
            columns: strings(&["b_id", "id"]),
            expressions: vec![Expr("date_trunc('day', updated_at)".into())],
            target: Some(200),
            comment: Some("extended statistics".into()),
            location: loc(44),
        },
    );
    s.publications.insert(
        "changes".into(),
        Publication {
            name: "changes".into(),
            all_tables: false,
            tables: BTreeMap::from([(
                q("public", "parent_a"),
                PublicationTable { columns: strings(&["b_id", "id"]), row_filter: Some(Expr("id > 0".into())) },
            )]),
            schemas: vec![],
            options: strings(&["publish = 'insert, update'"]),
            comment: Some("a publication".into()),
            location: loc(45),
        },
    );

    // Range partitioning: the partition repeats what it inherits (as a
    // reader of pg_dump output would record it) plus one check of its own.
    let events_name = q("public", "events");
    let mut events = Table::new(events_name.clone(), loc(50));
    let mut ev_id = col("id", "bigint");
    ev_id.nullable = false;
    let mut ev_at = col("created_at", "date");
    ev_at.nullable = false;
    events.columns = vec![ev_id.clone(), ev_at.clone()];
    events.partition_by = Some("RANGE (created_at)".into());
    let ev_pk = ConstraintKind::PrimaryKey { columns: strings(&["id", "created_at"]), include: vec![] };
    events.constraints.insert("events_pkey".into(), constraint("events_pkey", ev_pk.clone()));
    events.indexes.insert("events_created_at_idx".into(), index("events_created_at_idx", vec![key("created_at")]));
    s.tables.insert(events_name.clone(), events);

    let part_name = q("public", "events_2024");
    let mut part = Table::new(part_name.clone(), loc(60));
    part.columns = vec![ev_id, ev_at];
    part.partition_of =
        Some(PartitionOf { parent: events_name, bound: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')".into() });
    part.constraints.insert("events_2024_pkey".into(), constraint("events_2024_pkey", ev_pk));
    part.constraints.insert(
        "events_2024_id_check".into(),
        constraint("events_2024_id_check", ConstraintKind::Check { expr: Expr("id > 0".into()), no_inherit: false }),
    );
    part.indexes
        .insert("events_2024_created_at_idx".into(), index("events_2024_created_at_idx", vec![key("created_at")]));
    s.tables.insert(part_name, part);

    let cache_name = q("public", "cache");
    let mut cache = Table::new(cache_name.clone(), loc(70));
    let mut k = col("k", "text");
    k.nullable = false;
    let mut v = col("v", "text");
    v.storage = Some(Storage::Main);
    v.compression = Some("pglz".into());
    v.options = strings(&["n_distinct=-1"]);
    cache.columns = vec![k, v];
    cache.unlogged = true;
    cache.constraints.insert(
        "cache_pkey".into(),
        constraint("cache_pkey", ConstraintKind::PrimaryKey { columns: strings(&["k"]), include: vec![] }),
    );
    s.tables.insert(cache_name.clone(), cache);

    // Inheritance: the child has the parent's column (not declared by it,
    // with a default of its own) and one of its own.
    let archive_name = q("public", "cache_archive");
    let mut archive = Table::new(archive_name.clone(), loc(75));
    let mut inherited_k = col("k", "text");
    inherited_k.nullable = false;
    inherited_k.local = false;
    inherited_k.default = Some(Expr("'archived'".into()));
    archive.columns = vec![inherited_k, col("archived_at", "date")];
    archive.inherits = vec![cache_name];
    s.tables.insert(archive_name, archive);

    // Views: a_summary sorts first but reads z_base, so it must come after it.
    let mut z = view(q("public", "z_base"), "SELECT id, b_id FROM public.parent_a");
    z.rules.insert(
        "z_insert".into(),
        Rule {
            name: "z_insert".into(),
            event: RuleEvent::Insert,
            instead: true,
            condition: None,
            actions: vec!["INSERT INTO public.parent_a (id, b_id) VALUES (new.id, new.b_id)".into()],
            enabled: Enabled::Origin,
            comment: None,
            location: loc(46),
        },
    );
    let mut a_summary = view(q("public", "a_summary"), "SELECT count(*) AS n FROM public.z_base");
    a_summary.comment = Some("a view".into());
    let mut checked = view(q("public", "checked"), "SELECT id, b_id FROM public.parent_a WHERE id > 0");
    checked.options = strings(&["security_barrier=true", "CASCADED CHECK OPTION"]);
    let mut stats = view(q("App", "Stats"), "SELECT count(*) FROM public.parent_b");
    stats.materialized = true;
    stats.with_no_data = true;
    stats.columns = strings(&["n"]);
    stats.comment = Some("a materialized view".into());
    stats.indexes.insert("stats_n_idx".into(), index("stats_n_idx", vec![key("n")]));
    for v in [z, a_summary, checked, stats] {
        s.views.insert(v.name.clone(), v);
    }

    s.opaque.push(Opaque {
        kind: "GRANT".into(),
        text: "GRANT SELECT ON public.parent_a TO PUBLIC".into(),
        location: loc(80),
    });
    s
}
