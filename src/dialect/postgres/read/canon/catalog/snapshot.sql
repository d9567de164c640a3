-- The catalog the PostgreSQL canonicalizer resolves types, casts,
-- operators and functions against: everything built into PostgreSQL 15, and
-- the objects of the contrib extensions below (tagged with the extension's
-- name: they exist only where a schema creates the extension).
--
-- pg15.tsv is this script's output on a fresh PostgreSQL 15 database:
--   psql -X -At -q -d <fresh database> -f snapshot.sql > pg15.tsv
-- The test `catalog_snapshot_is_current` runs it on the tests' server and
-- compares; regenerate the file when that test fails after an upgrade.
--
-- Functions that cannot be called from an expression (those taking or
-- returning internal, cstring, handlers or trigger) are left out.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS hstore;
CREATE EXTENSION IF NOT EXISTS ltree;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE EXTENSION IF NOT EXISTS intarray;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE EXTENSION IF NOT EXISTS isn;
CREATE EXTENSION IF NOT EXISTS seg;
CREATE EXTENSION IF NOT EXISTS tablefunc;
SET search_path TO '';
-- Extension objects get new OIDs in every database; number them by name
-- instead, from 100000 up, so that the snapshot is the same wherever it is made.
CREATE TEMP TABLE oidmap AS
SELECT objid AS old, 100000 + pg_catalog.row_number() OVER (ORDER BY key)::int8 AS new FROM (
    SELECT d.objid, pg_catalog.concat_ws(' ', d.classid::pg_catalog.regclass::text,
        CASE d.classid
            WHEN 'pg_catalog.pg_type'::pg_catalog.regclass THEN pg_catalog.format_type(d.objid, NULL)
            WHEN 'pg_catalog.pg_proc'::pg_catalog.regclass THEN d.objid::pg_catalog.regprocedure::text
            WHEN 'pg_catalog.pg_operator'::pg_catalog.regclass THEN d.objid::pg_catalog.regoperator::text
        END) AS key
    FROM pg_catalog.pg_depend d
    WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
      AND d.classid IN ('pg_catalog.pg_type'::pg_catalog.regclass, 'pg_catalog.pg_proc'::pg_catalog.regclass,
                        'pg_catalog.pg_operator'::pg_catalog.regclass)
    UNION ALL  -- array types belong to their element type's extension
    SELECT t.oid, 'pg_type ' || pg_catalog.format_type(t.oid, NULL)
    FROM pg_catalog.pg_type t JOIN pg_catalog.pg_depend d ON d.objid = t.typelem
    WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.deptype = 'e'
      AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
      AND t.typsubscript = 'pg_catalog.array_subscript_handler'::pg_catalog.regproc
) keys;
CREATE FUNCTION pg_temp.m(pg_catalog.oid) RETURNS int8 LANGUAGE sql STABLE
    RETURN COALESCE((SELECT new FROM pg_temp.oidmap WHERE old = $1), $1::int8);
CREATE FUNCTION pg_temp.ms(pg_catalog.oid[]) RETURNS text LANGUAGE sql STABLE
    RETURN (SELECT pg_catalog.string_agg(pg_temp.m(o)::text, ' ' ORDER BY n) FROM pg_catalog.unnest($1) WITH ORDINALITY AS u(o, n));
WITH ext AS (
    SELECT d.classid, d.objid, e.extname
    FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
    WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
),
unusable AS (
    SELECT t.oid FROM pg_catalog.pg_type t
    WHERE t.typname IN ('internal', 'cstring', 'language_handler', 'fdw_handler', 'index_am_handler',
                        'tsm_handler', 'table_am_handler', 'trigger', 'event_trigger', 'pg_ddl_command')
),
types AS (
    SELECT t.oid, t.typname, t.typtype, t.typcategory, t.typispreferred,
           CASE WHEN t.typsubscript = 'pg_catalog.array_subscript_handler'::pg_catalog.regproc THEN t.typelem ELSE 0 END AS elem,
           t.typarray, t.typbasetype, t.typcollation <> 0 AS collatable,
           COALESCE((SELECT r.rngsubtype FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid), 0) AS range_subtype,
           COALESCE((SELECT x.extname FROM ext x WHERE x.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
                     AND (x.objid = t.oid OR x.objid = t.typelem AND t.typsubscript = 'pg_catalog.array_subscript_handler'::pg_catalog.regproc)), '-') AS extname,
           t.typnamespace
    FROM pg_catalog.pg_type t
    WHERE (t.typnamespace = 'pg_catalog'::pg_catalog.regnamespace AND t.oid < 16384)
       OR EXISTS (SELECT 1 FROM ext x WHERE x.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
                  AND (x.objid = t.oid OR x.objid = t.typelem AND t.typsubscript = 'pg_catalog.array_subscript_handler'::pg_catalog.regproc))
)
SELECT line FROM (
    SELECT 1 AS part, pg_temp.m(t.oid) AS k1, 0::int8 AS k2,
           pg_catalog.concat_ws(E'\t', 'T', pg_temp.m(t.oid), t.typname,
               CASE WHEN t.extname = '-' THEN pg_catalog.format_type(t.oid, NULL) ELSE t.typname END,
               t.typtype, t.typcategory, CASE WHEN t.typispreferred THEN 't' ELSE 'f' END,
               pg_temp.m(t.elem), pg_temp.m(t.typarray), pg_temp.m(t.typbasetype), CASE WHEN t.collatable THEN 't' ELSE 'f' END, pg_temp.m(t.range_subtype), t.extname) AS line
    FROM types t
    UNION ALL
    SELECT 2, pg_temp.m(c.castsource), pg_temp.m(c.casttarget),
           pg_catalog.concat_ws(E'\t', 'C', pg_temp.m(c.castsource), pg_temp.m(c.casttarget), pg_temp.m(c.castfunc), c.castcontext, c.castmethod,
               COALESCE((SELECT x.extname FROM ext x WHERE x.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass AND x.objid = c.oid), '-'))
    FROM pg_catalog.pg_cast c
    WHERE c.castsource IN (SELECT oid FROM types) AND c.casttarget IN (SELECT oid FROM types)
    UNION ALL
    SELECT 3, pg_temp.m(o.oid), 0,
           pg_catalog.concat_ws(E'\t', 'O', pg_temp.m(o.oid), o.oprname, o.oprkind, pg_temp.m(o.oprleft), pg_temp.m(o.oprright), pg_temp.m(o.oprresult), pg_temp.m(o.oprcode::pg_catalog.oid),
               COALESCE((SELECT x.extname FROM ext x WHERE x.classid = 'pg_catalog.pg_operator'::pg_catalog.regclass AND x.objid = o.oid), '-'))
    FROM pg_catalog.pg_operator o
    WHERE (o.oprnamespace = 'pg_catalog'::pg_catalog.regnamespace AND o.oid < 16384)
       OR EXISTS (SELECT 1 FROM ext x WHERE x.classid = 'pg_catalog.pg_operator'::pg_catalog.regclass AND x.objid = o.oid)
    UNION ALL
    SELECT 4, pg_temp.m(p.oid), 0,
           pg_catalog.concat_ws(E'\t', 'P', pg_temp.m(p.oid), p.proname, p.prokind, pg_temp.m(p.provariadic),
               CASE WHEN p.proretset THEN 't' ELSE 'f' END, pg_temp.m(p.prorettype),
               COALESCE(pg_temp.ms(p.proargtypes::pg_catalog.oid[]), ''), p.pronargdefaults,
               COALESCE(pg_temp.ms(p.proallargtypes), '-'),
               COALESCE(pg_catalog.array_to_string(p.proargmodes, ' '), '-'),
               COALESCE(pg_catalog.array_to_string(p.proargnames, ' ', '""'), '-'),
               p.provolatile, CASE WHEN p.proisstrict THEN 't' ELSE 'f' END,
               COALESCE((SELECT x.extname FROM ext x WHERE x.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND x.objid = p.oid), '-'))
    FROM pg_catalog.pg_proc p
    WHERE ((p.pronamespace = 'pg_catalog'::pg_catalog.regnamespace AND p.oid < 16384)
           OR EXISTS (SELECT 1 FROM ext x WHERE x.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND x.objid = p.oid))
      AND p.prorettype NOT IN (SELECT oid FROM unusable)
      AND NOT (p.proargtypes::pg_catalog.oid[] && ARRAY(SELECT oid FROM unusable))
) lines
ORDER BY part, k1, k2;
