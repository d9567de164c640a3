//! What a database contains, read from its system catalogs.
//!
//! This is the ground truth the reader's model is checked against: two
//! databases are the same when their [`Catalog`]s are equal. It is built from
//! the catalogs and PostgreSQL's own deparsers (`pg_get_constraintdef`,
//! `pg_get_indexdef`, `pg_get_viewdef`, …), never from the text of the DDL that
//! created the objects, so two different scripts that build the same database
//! give the same catalog.
//!
//! Everything comes back from one query as one JSON document (`json_agg`),
//! which keeps definitions with newlines intact and costs one `psql` call.
//! The query runs with an empty `search_path`, so every name in a definition
//! is schema-qualified and the diff messages are unambiguous.
//!
//! Every property the model holds is here, or a round trip would prove
//! nothing: column statistics targets, storage (when it is not the type's
//! own, as pg_dump decides), compression and options; table and TOAST
//! storage parameters, replica identity, row-level security; policies,
//! rules, extended statistics and publications; and the objects the model
//! keeps as text (event triggers, foreign data wrappers, servers and user
//! mappings, text search objects, operators and their classes and families,
//! aggregates, casts, collations, conversions, access methods, default
//! privileges), so that a migration carrying them is checked too.
//!
//! Objects that belong to an extension (pgcrypto's functions, citext's type,
//! …) are left out: they are the extension's, and the extension is listed.
//! Deliberately left out as well, because they are state rather than schema or
//! differ between a script and its `pg_dump`: sequence positions, whether a
//! materialized view is populated, OIDs.

use super::pg::PgServer;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// One object: its kind (`table`, `column`, `index`, …) and its qualified
/// name, quoted where PostgreSQL would quote it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub kind: String,
    pub name: String,
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.name)
    }
}

/// Field name → value, sorted. Absent fields are `NULL` in the catalog.
/// Values that are not text (booleans, numbers, arrays) are kept as compact JSON.
pub type Fields = BTreeMap<String, String>;

/// A database described by its catalogs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Catalog {
    pub objects: BTreeMap<ObjectKey, Fields>,
}

impl Catalog {
    /// The catalog without one field of every object.
    pub fn without(&self, field: &str) -> Catalog {
        let mut c = self.clone();
        for fields in c.objects.values_mut() {
            fields.remove(field);
        }
        c
    }

    /// How many objects of a kind there are.
    pub fn count(&self, kind: &str) -> usize {
        self.objects.keys().filter(|k| k.kind == kind).count()
    }
}

/// Everything user-defined in the database, one row per object, as one JSON
/// document (see [`parse`]). Public so that a test can append it to a script
/// and read the catalog in the same `psql` session (no statement terminator at
/// its end; it sets `search_path` for the rest of the session).
pub const CATALOG_QUERY: &str = r#"
SET search_path TO '';
WITH
ns AS (
    SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
),
members AS (  -- objects owned by an extension
    SELECT classid, objid FROM pg_catalog.pg_depend WHERE deptype = 'e'
),
rels AS (
    SELECT c.oid, c.relname, c.relkind, c.relispopulated, c.relpersistence, c.relpartbound, c.reloptions, c.relacl,
           c.relowner, c.relrowsecurity, c.relforcerowsecurity, c.relreplident, c.reltoastrelid, c.relispartition, ns.nspname,
           pg_catalog.format('%I.%I', ns.nspname, c.relname) AS qname
    FROM pg_catalog.pg_class c JOIN ns ON ns.oid = c.relnamespace
    WHERE NOT EXISTS (SELECT 1 FROM members m
                      WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND m.objid = c.oid)
),
objects(kind, name, fields) AS (
    SELECT 'schema', pg_catalog.format('%I', ns.nspname), pg_catalog.json_build_object(
        'owner', pg_catalog.pg_get_userbyid(n.nspowner),
        'acl', n.nspacl::text,
        'comment', pg_catalog.obj_description(n.oid, 'pg_namespace'))
    FROM ns JOIN pg_catalog.pg_namespace n ON n.oid = ns.oid

    UNION ALL
    SELECT 'extension', pg_catalog.format('%I', e.extname), pg_catalog.json_build_object(
        'schema', n.nspname,
        'version', e.extversion,
        'comment', pg_catalog.obj_description(e.oid, 'pg_extension'))
    FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace

    UNION ALL
    SELECT CASE r.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                          WHEN 'f' THEN 'foreign table' ELSE 'table' END,
           r.qname, pg_catalog.json_build_object(
        'partitioned', r.relkind = 'p',
        'persistence', r.relpersistence,
        'partition_key', CASE WHEN r.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(r.oid) END,
        'partition_bound', pg_catalog.pg_get_expr(r.relpartbound, r.oid),
        'inherits', (SELECT pg_catalog.json_agg(p.qname ORDER BY i.inhseqno)
                     FROM pg_catalog.pg_inherits i JOIN rels p ON p.oid = i.inhparent
                     WHERE i.inhrelid = r.oid),
        'definition', CASE WHEN r.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(r.oid) END,
        -- A materialized view created WITH NO DATA cannot be read until refreshed.
        'populated', CASE WHEN r.relkind = 'm' THEN r.relispopulated END,
        -- Storage options are a set of settings; PostgreSQL keeps them in the order written.
        'options', (SELECT pg_catalog.array_agg(o ORDER BY o) FROM pg_catalog.unnest(r.reloptions) o)::text,
        'toast_options', (SELECT pg_catalog.array_agg(o ORDER BY o)
                          FROM pg_catalog.pg_class t, pg_catalog.unnest(t.reloptions) o WHERE t.oid = r.reltoastrelid)::text,
        'row_security', r.relrowsecurity,
        'force_row_security', r.relforcerowsecurity,
        'replica_identity', r.relreplident,
        'owner', pg_catalog.pg_get_userbyid(r.relowner),
        'acl', r.relacl::text,
        'comment', pg_catalog.obj_description(r.oid, 'pg_class'))
    FROM rels r WHERE r.relkind IN ('r', 'p', 'f', 'v', 'm')

    UNION ALL
    SELECT 'column', pg_catalog.format('%s.%I', r.qname, a.attname), pg_catalog.json_build_object(
        'position', pg_catalog.row_number() OVER (PARTITION BY r.oid ORDER BY a.attnum),
        'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
        'not_null', a.attnotnull,
        'default', CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
        'generated', CASE WHEN a.attgenerated <> '' THEN a.attgenerated::text || ' ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
        'identity', NULLIF(a.attidentity, ''),
        'collation', CASE WHEN a.attcollation <> t.typcollation
                          THEN (SELECT pg_catalog.format('%I.%I', cn.nspname, co.collname)
                                FROM pg_catalog.pg_collation co
                                JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
                                WHERE co.oid = a.attcollation) END,
        -- Inheritance: declared by the table itself, and how many parents give it.
        'local', a.attislocal,
        'inherited_from', a.attinhcount,
        'statistics_target', NULLIF(a.attstattarget, -1),
        -- Storage only when it is not the type's own, as pg_dump decides.
        'storage', NULLIF(a.attstorage, t.typstorage),
        'compression', NULLIF(a.attcompression, ''),
        'options', (SELECT pg_catalog.array_agg(o ORDER BY o) FROM pg_catalog.unnest(a.attoptions) o)::text,
        'acl', a.attacl::text,
        'comment', pg_catalog.col_description(r.oid, a.attnum))
    FROM rels r
    JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE r.relkind IN ('r', 'p', 'f', 'v', 'm')

    UNION ALL
    SELECT 'constraint', pg_catalog.format('%s.%I', r.qname, c.conname), pg_catalog.json_build_object(
        'type', c.contype,
        'definition', pg_catalog.pg_get_constraintdef(c.oid),
        'local', c.conislocal,
        'inherited_from', c.coninhcount,
        -- Only a CHECK is inherited or not; on other kinds PostgreSQL sets the
        -- flag inconsistently (a partition's primary key has it when the
        -- partition was attached, not when created with PARTITION OF).
        'no_inherit', CASE WHEN c.contype = 'c' THEN c.connoinherit END,
        'comment', pg_catalog.obj_description(c.oid, 'pg_constraint'))
    FROM pg_catalog.pg_constraint c JOIN rels r ON r.oid = c.conrelid

    UNION ALL
    SELECT 'index', i.qname, pg_catalog.json_build_object(
        'table', r.qname,
        'definition', pg_catalog.pg_get_indexdef(i.oid),
        'clustered', x.indisclustered,
        'replica_identity', x.indisreplident,
        'comment', pg_catalog.obj_description(i.oid, 'pg_class'))
    FROM pg_catalog.pg_index x JOIN rels i ON i.oid = x.indexrelid JOIN rels r ON r.oid = x.indrelid

    UNION ALL
    SELECT 'sequence', r.qname, pg_catalog.json_build_object(
        'type', pg_catalog.format_type(s.seqtypid, NULL),
        'start', s.seqstart, 'increment', s.seqincrement, 'min', s.seqmin, 'max', s.seqmax,
        'cache', s.seqcache, 'cycle', s.seqcycle,
        'owned_by', (SELECT pg_catalog.format('%s.%I', t.qname, a.attname)
                     FROM pg_catalog.pg_depend d
                     JOIN rels t ON t.oid = d.refobjid
                     JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                     WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = r.oid
                       AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')),
        'identity', EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                            WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                              AND d.objid = r.oid AND d.deptype = 'i'),
        'owner', pg_catalog.pg_get_userbyid(r.relowner),
        'acl', r.relacl::text,
        'comment', pg_catalog.obj_description(r.oid, 'pg_class'))
    FROM rels r JOIN pg_catalog.pg_sequence s ON s.seqrelid = r.oid

    UNION ALL
    SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'c' THEN 'composite type' WHEN 'd' THEN 'domain'
                          WHEN 'r' THEN 'range type' ELSE 'type ' || t.typtype::text END,
           pg_catalog.format('%I.%I', ns.nspname, t.typname), pg_catalog.json_build_object(
        'labels', (SELECT pg_catalog.json_agg(e.enumlabel ORDER BY e.enumsortorder)
                   FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid),
        'attributes', (SELECT pg_catalog.json_agg(
                           pg_catalog.format('%I %s', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod))
                           || CASE WHEN a.attcollation <> at.typcollation
                                   THEN ' COLLATE ' || a.attcollation::pg_catalog.regcollation::text ELSE '' END
                           ORDER BY a.attnum)
                       FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
                       WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped),
        'base', CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END,
        'default', t.typdefault,
        'not_null', CASE WHEN t.typtype = 'd' THEN t.typnotnull END,
        'collation', CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation
                          THEN t.typcollation::pg_catalog.regcollation::text END,
        'constraints', (SELECT pg_catalog.json_object_agg(c.conname, pg_catalog.pg_get_constraintdef(c.oid) ORDER BY c.conname)
                        FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid),
        'constraint_comments', (SELECT pg_catalog.json_object_agg(c.conname, pg_catalog.obj_description(c.oid, 'pg_constraint') ORDER BY c.conname)
                                FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid
                                  AND pg_catalog.obj_description(c.oid, 'pg_constraint') IS NOT NULL),
        'range_subtype', (SELECT pg_catalog.format_type(rg.rngsubtype, NULL) FROM pg_catalog.pg_range rg WHERE rg.rngtypid = t.oid),
        'owner', pg_catalog.pg_get_userbyid(t.typowner),
        'acl', t.typacl::text,
        'comment', pg_catalog.obj_description(t.oid, 'pg_type'))
    FROM pg_catalog.pg_type t
    JOIN ns ON ns.oid = t.typnamespace
    LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
    WHERE t.typtype IN ('e', 'c', 'd', 'r', 'b')
      AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
      AND NOT (t.typtype = 'b' AND (t.typelem <> 0 OR t.typcategory = 'A'))
      AND NOT EXISTS (SELECT 1 FROM members m
                      WHERE m.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND m.objid = t.oid)

    UNION ALL
    SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window function'
                          ELSE 'function' END,
           pg_catalog.format('%I.%I(%s)', ns.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)),
           pg_catalog.json_build_object(
        'definition', CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END,
        'owner', pg_catalog.pg_get_userbyid(p.proowner),
        'acl', p.proacl::text,
        'comment', pg_catalog.obj_description(p.oid, 'pg_proc'))
    FROM pg_catalog.pg_proc p JOIN ns ON ns.oid = p.pronamespace
    -- Neither extension members nor functions PostgreSQL made itself (a range
    -- type's constructors, which depend on the type internally).
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid
                        AND d.deptype IN ('e', 'i'))

    UNION ALL
    SELECT 'trigger', pg_catalog.format('%s.%I', r.qname, g.tgname), pg_catalog.json_build_object(
        'definition', pg_catalog.pg_get_triggerdef(g.oid),
        'enabled', g.tgenabled,
        'cloned', g.tgparentid <> 0,
        'comment', pg_catalog.obj_description(g.oid, 'pg_trigger'))
    FROM pg_catalog.pg_trigger g JOIN rels r ON r.oid = g.tgrelid
    WHERE NOT g.tgisinternal

    UNION ALL
    SELECT 'rule', pg_catalog.format('%s.%I', r.qname, w.rulename), pg_catalog.json_build_object(
        'definition', pg_catalog.pg_get_ruledef(w.oid),
        'enabled', w.ev_enabled,
        'comment', pg_catalog.obj_description(w.oid, 'pg_rewrite'))
    FROM pg_catalog.pg_rewrite w JOIN rels r ON r.oid = w.ev_class
    WHERE w.rulename <> '_RETURN'

    UNION ALL
    SELECT 'statistics', pg_catalog.format('%I.%I', ns.nspname, s.stxname), pg_catalog.json_build_object(
        'definition', pg_catalog.pg_get_statisticsobjdef(s.oid),
        'target', NULLIF(s.stxstattarget, -1),
        'comment', pg_catalog.obj_description(s.oid, 'pg_statistic_ext'))
    FROM pg_catalog.pg_statistic_ext s JOIN ns ON ns.oid = s.stxnamespace

    UNION ALL
    SELECT 'publication', pg_catalog.format('%I', p.pubname), pg_catalog.json_build_object(
        'all_tables', p.puballtables,
        'publish', pg_catalog.concat_ws(',', CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END,
                                        CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END),
        'via_root', p.pubviaroot,
        'tables', (SELECT pg_catalog.json_agg(r.qname
                        || COALESCE(' (' || (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
                                             FROM pg_catalog.pg_attribute a WHERE a.attrelid = pr.prrelid AND a.attnum = ANY (pr.prattrs)) || ')', '')
                        || COALESCE(' WHERE ' || pg_catalog.pg_get_expr(pr.prqual, pr.prrelid), '')
                        ORDER BY r.qname)
                   FROM pg_catalog.pg_publication_rel pr JOIN rels r ON r.oid = pr.prrelid WHERE pr.prpubid = p.oid),
        'schemas', (SELECT pg_catalog.json_agg(n.nspname ORDER BY n.nspname)
                    FROM pg_catalog.pg_publication_namespace pn JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid
                    WHERE pn.pnpubid = p.oid),
        'comment', pg_catalog.obj_description(p.oid, 'pg_publication'))
    FROM pg_catalog.pg_publication p

    UNION ALL
    SELECT 'policy', pg_catalog.format('%s.%I', r.qname, pol.polname), pg_catalog.json_build_object(
        'command', pol.polcmd,
        'permissive', pol.polpermissive,
        'roles', (SELECT pg_catalog.json_agg(n ORDER BY n)
                  FROM (SELECT CASE WHEN x = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(x) END AS n
                        FROM pg_catalog.unnest(pol.polroles) x) roles),
        'using', pg_catalog.pg_get_expr(pol.polqual, pol.polrelid),
        'check', pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid),
        'comment', pg_catalog.obj_description(pol.oid, 'pg_policy'))
    FROM pg_catalog.pg_policy pol JOIN rels r ON r.oid = pol.polrelid

    UNION ALL
    SELECT 'event trigger', pg_catalog.format('%I', e.evtname), pg_catalog.json_build_object(
        'event', e.evtevent, 'function', e.evtfoid::pg_catalog.regprocedure::text, 'enabled', e.evtenabled,
        'tags', e.evttags::text, 'comment', pg_catalog.obj_description(e.oid, 'pg_event_trigger'))
    FROM pg_catalog.pg_event_trigger e

    UNION ALL
    SELECT 'foreign data wrapper', pg_catalog.format('%I', w.fdwname), pg_catalog.json_build_object(
        'handler', NULLIF(w.fdwhandler, 0)::pg_catalog.regproc::text, 'validator', NULLIF(w.fdwvalidator, 0)::pg_catalog.regproc::text,
        'options', w.fdwoptions::text, 'comment', pg_catalog.obj_description(w.oid, 'pg_foreign_data_wrapper'))
    FROM pg_catalog.pg_foreign_data_wrapper w
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_foreign_data_wrapper'::pg_catalog.regclass AND m.objid = w.oid)

    UNION ALL
    SELECT 'server', pg_catalog.format('%I', s.srvname), pg_catalog.json_build_object(
        'wrapper', (SELECT w.fdwname FROM pg_catalog.pg_foreign_data_wrapper w WHERE w.oid = s.srvfdw),
        'type', s.srvtype, 'version', s.srvversion, 'options', s.srvoptions::text,
        'user_mappings', (SELECT pg_catalog.json_object_agg(n, o ORDER BY n)
                          FROM (SELECT CASE WHEN u.umuser = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(u.umuser) END AS n,
                                       u.umoptions::text AS o
                                FROM pg_catalog.pg_user_mapping u WHERE u.umserver = s.oid) mappings),
        'comment', pg_catalog.obj_description(s.oid, 'pg_foreign_server'))
    FROM pg_catalog.pg_foreign_server s

    UNION ALL
    SELECT 'foreign table options', r.qname, pg_catalog.json_build_object(
        'server', (SELECT s.srvname FROM pg_catalog.pg_foreign_server s WHERE s.oid = f.ftserver), 'options', f.ftoptions::text)
    FROM pg_catalog.pg_foreign_table f JOIN rels r ON r.oid = f.ftrelid

    UNION ALL
    SELECT 'text search dictionary', pg_catalog.format('%I.%I', ns.nspname, d.dictname), pg_catalog.json_build_object(
        'template', (SELECT pg_catalog.format('%I.%I', tn.nspname, t.tmplname) FROM pg_catalog.pg_ts_template t
                     JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace WHERE t.oid = d.dicttemplate),
        'options', d.dictinitoption,
        'comment', pg_catalog.obj_description(d.oid, 'pg_ts_dict'))
    FROM pg_catalog.pg_ts_dict d JOIN ns ON ns.oid = d.dictnamespace

    UNION ALL
    SELECT 'text search configuration', pg_catalog.format('%I.%I', ns.nspname, c.cfgname), pg_catalog.json_build_object(
        'parser', (SELECT pg_catalog.format('%I.%I', pn.nspname, p.prsname) FROM pg_catalog.pg_ts_parser p
                   JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace WHERE p.oid = c.cfgparser),
        'mappings', (SELECT pg_catalog.json_agg(pg_catalog.format('%s %s %s', m.maptokentype, m.mapseqno, m.mapdict::pg_catalog.regdictionary)
                                                ORDER BY m.maptokentype, m.mapseqno)
                     FROM pg_catalog.pg_ts_config_map m WHERE m.mapcfg = c.oid),
        'comment', pg_catalog.obj_description(c.oid, 'pg_ts_config'))
    FROM pg_catalog.pg_ts_config c JOIN ns ON ns.oid = c.cfgnamespace

    UNION ALL
    SELECT 'operator', pg_catalog.format('%I.%s(%s, %s)', ns.nspname, o.oprname, NULLIF(o.oprleft, 0)::pg_catalog.regtype, NULLIF(o.oprright, 0)::pg_catalog.regtype),
        pg_catalog.json_build_object(
        'function', o.oprcode::text, 'commutator', NULLIF(o.oprcom, 0)::pg_catalog.regoperator::text,
        'negator', NULLIF(o.oprnegate, 0)::pg_catalog.regoperator::text, 'restrict', NULLIF(o.oprrest, 0)::pg_catalog.regproc::text,
        'join', NULLIF(o.oprjoin, 0)::pg_catalog.regproc::text, 'hashes', o.oprcanhash, 'merges', o.oprcanmerge,
        'comment', pg_catalog.obj_description(o.oid, 'pg_operator'))
    FROM pg_catalog.pg_operator o JOIN ns ON ns.oid = o.oprnamespace
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_operator'::pg_catalog.regclass AND m.objid = o.oid)

    UNION ALL
    SELECT 'operator family', pg_catalog.format('%I.%I USING %s', ns.nspname, f.opfname, am.amname), pg_catalog.json_build_object(
        'operators', (SELECT pg_catalog.json_agg(pg_catalog.format('%s %s', a.amopstrategy, a.amopopr::pg_catalog.regoperator)
                                                 ORDER BY a.amopstrategy, a.amopopr::pg_catalog.regoperator::text)
                      FROM pg_catalog.pg_amop a WHERE a.amopfamily = f.oid),
        'functions', (SELECT pg_catalog.json_agg(pg_catalog.format('%s %s', p.amprocnum, p.amproc::pg_catalog.regprocedure)
                                                 ORDER BY p.amprocnum, p.amproc::pg_catalog.regprocedure::text)
                      FROM pg_catalog.pg_amproc p WHERE p.amprocfamily = f.oid),
        'comment', pg_catalog.obj_description(f.oid, 'pg_opfamily'))
    FROM pg_catalog.pg_opfamily f JOIN ns ON ns.oid = f.opfnamespace JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass AND m.objid = f.oid)

    UNION ALL
    SELECT 'operator class', pg_catalog.format('%I.%I USING %s', ns.nspname, c.opcname, am.amname), pg_catalog.json_build_object(
        'family', (SELECT pg_catalog.format('%I.%I', fn.nspname, f.opfname) FROM pg_catalog.pg_opfamily f
                   JOIN pg_catalog.pg_namespace fn ON fn.oid = f.opfnamespace WHERE f.oid = c.opcfamily),
        'type', c.opcintype::pg_catalog.regtype::text, 'default', c.opcdefault,
        'comment', pg_catalog.obj_description(c.oid, 'pg_opclass'))
    FROM pg_catalog.pg_opclass c JOIN ns ON ns.oid = c.opcnamespace JOIN pg_catalog.pg_am am ON am.oid = c.opcmethod
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_opclass'::pg_catalog.regclass AND m.objid = c.oid)

    UNION ALL
    SELECT 'aggregate definition', pg_catalog.format('%I.%I(%s)', ns.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)),
        pg_catalog.json_build_object(
        'transition', a.aggtransfn::text, 'final', NULLIF(a.aggfinalfn, 0)::pg_catalog.regproc::text,
        'state_type', a.aggtranstype::pg_catalog.regtype::text, 'initial', a.agginitval, 'kind', a.aggkind,
        'combine', NULLIF(a.aggcombinefn, 0)::pg_catalog.regproc::text, 'sort_operator', NULLIF(a.aggsortop, 0)::pg_catalog.regoperator::text)
    FROM pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid JOIN ns ON ns.oid = p.pronamespace
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND m.objid = p.oid)

    UNION ALL
    SELECT 'cast', pg_catalog.format('(%s AS %s)', c.castsource::pg_catalog.regtype, c.casttarget::pg_catalog.regtype), pg_catalog.json_build_object(
        'function', NULLIF(c.castfunc, 0)::pg_catalog.regprocedure::text, 'context', c.castcontext, 'method', c.castmethod,
        'comment', pg_catalog.obj_description(c.oid, 'pg_cast'))
    FROM pg_catalog.pg_cast c
    WHERE c.oid >= 16384
      AND NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass AND m.objid = c.oid)

    UNION ALL
    SELECT 'collation', pg_catalog.format('%I.%I', ns.nspname, c.collname), pg_catalog.json_build_object(
        'provider', c.collprovider, 'deterministic', c.collisdeterministic, 'encoding', c.collencoding,
        'collate', c.collcollate, 'ctype', c.collctype, 'icu_locale', c.colliculocale,
        'comment', pg_catalog.obj_description(c.oid, 'pg_collation'))
    FROM pg_catalog.pg_collation c JOIN ns ON ns.oid = c.collnamespace
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_collation'::pg_catalog.regclass AND m.objid = c.oid)

    UNION ALL
    SELECT 'conversion', pg_catalog.format('%I.%I', ns.nspname, c.conname), pg_catalog.json_build_object(
        'from', pg_catalog.pg_encoding_to_char(c.conforencoding), 'to', pg_catalog.pg_encoding_to_char(c.contoencoding),
        'function', c.conproc::text, 'default', c.condefault, 'comment', pg_catalog.obj_description(c.oid, 'pg_conversion'))
    FROM pg_catalog.pg_conversion c JOIN ns ON ns.oid = c.connamespace
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_conversion'::pg_catalog.regclass AND m.objid = c.oid)

    UNION ALL
    SELECT 'access method', pg_catalog.format('%I', a.amname), pg_catalog.json_build_object(
        'type', a.amtype, 'handler', a.amhandler::text, 'comment', pg_catalog.obj_description(a.oid, 'pg_am'))
    FROM pg_catalog.pg_am a
    WHERE a.oid >= 16384
      AND NOT EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_catalog.pg_am'::pg_catalog.regclass AND m.objid = a.oid)

    UNION ALL
    SELECT 'default privileges', pg_catalog.format('%s %s %s', pg_catalog.pg_get_userbyid(d.defaclrole), COALESCE((SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = d.defaclnamespace), '-'), d.defaclobjtype),
        pg_catalog.json_build_object('acl', d.defaclacl::text)
    FROM pg_catalog.pg_default_acl d
)
SELECT COALESCE(pg_catalog.json_agg(pg_catalog.json_build_array(kind, name, pg_catalog.json_strip_nulls(fields))
                                    ORDER BY kind, name), '[]')
FROM objects
"#;

/// Reads the catalog of database `db`.
///
/// # Panics
/// When the query fails or answers something unexpected: a harness bug.
pub fn catalog(server: &PgServer, db: &str) -> Catalog {
    let json = server.query(db, CATALOG_QUERY).unwrap_or_else(|e| panic!("catalog query on {db} failed: {e}"));
    parse(db, &json)
}

/// The catalog from the answer of [`CATALOG_QUERY`] on database `db`.
///
/// # Panics
/// When the answer is not what the query gives: a harness bug.
pub fn parse(db: &str, json: &str) -> Catalog {
    let rows: Vec<(String, String, serde_json::Map<String, Value>)> =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("catalog query on {db} gave bad JSON ({e}): {json}"));
    let mut catalog = Catalog::default();
    for (kind, name, fields) in rows {
        let fields = fields
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, v)
            })
            .collect();
        let key = ObjectKey { kind, name };
        if let Some(old) = catalog.objects.insert(key.clone(), fields) {
            panic!("catalog of {db} lists {key} twice (first: {old:?})");
        }
    }
    catalog
}

/// The differences between two catalogs, one object per paragraph, for
/// assertion messages. Empty when they are equal.
pub fn diff(a: &Catalog, b: &Catalog) -> String {
    let mut out = String::new();
    let keys: std::collections::BTreeSet<&ObjectKey> = a.objects.keys().chain(b.objects.keys()).collect();
    for key in keys {
        match (a.objects.get(key), b.objects.get(key)) {
            (Some(fa), None) => {
                out.push_str(&format!("- {key} (only in the first)\n"));
                push_fields(&mut out, fa);
            }
            (None, Some(fb)) => {
                out.push_str(&format!("+ {key} (only in the second)\n"));
                push_fields(&mut out, fb);
            }
            (Some(fa), Some(fb)) if fa != fb => {
                out.push_str(&format!("~ {key}\n"));
                let names: std::collections::BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
                for name in names {
                    let (va, vb) = (fa.get(name), fb.get(name));
                    if va != vb {
                        out.push_str(&format!("    {name}:\n      first:  {}\n      second: {}\n", show(va), show(vb)));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn push_fields(out: &mut String, fields: &Fields) {
    for (name, value) in fields {
        out.push_str(&format!("    {name}: {}\n", show(Some(value))));
    }
}

fn show(value: Option<&String>) -> String {
    match value {
        None => "(none)".into(),
        Some(v) if v.contains('\n') => format!("{v:?}"),
        Some(v) => v.clone(),
    }
}
