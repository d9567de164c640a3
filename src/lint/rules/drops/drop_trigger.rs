//! SS113 drop-trigger.

use crate::diff::Change;
use crate::lint::rules::support::per_change;
use crate::lint::{Class, Example, Rule};

pub static RULE: Rule = Rule {
    code: "SS113",
    name: "drop-trigger",
    class: Class::PotentiallyBreaking,
    opt_in: false,
    summary: "A trigger is dropped: what the database did on writes stops.",
    why: "A trigger is behaviour the application may not know it relies on: an audit row written on every update, an \
          `updated_at` kept current, a denormalized counter, a check that refuses bad writes, the write path of a view \
          (`INSTEAD OF`). Once it is dropped, writes succeed without it, and the data it would have produced or \
          refused is silently missing or wrong. A trigger dropped only to be created again under its name (its \
          definition changed), or one that goes with its table, is not reported.",
    locks: "PostgreSQL: `DROP TRIGGER` takes an ACCESS EXCLUSIVE lock on the table, briefly, which waits for every open \
            transaction that touched the table; no rows are read.",
    instead: "Move what the trigger did into the application (or a replacement trigger) and deploy that first; then drop \
              the trigger. To stop it for a while without losing its definition: `ALTER TABLE orders DISABLE TRIGGER \
              orders_audit;`.",
    fires: &[Example::new(
        "CREATE TABLE t (id bigint, updated_at timestamptz);\n\
         CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.updated_at := now(); RETURN NEW; END';\n\
         CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();",
        "CREATE TABLE t (id bigint, updated_at timestamptz);\n\
         CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.updated_at := now(); RETURN NEW; END';",
    )],
    passes: &[
        // Its table goes, and it with it.
        Example::new(
            "CREATE TABLE t (id bigint, updated_at timestamptz);\n\
             CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.updated_at := now(); RETURN NEW; END';\n\
             CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();",
            "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.updated_at := now(); RETURN NEW; END';",
        ),
        // Created again under its name, on more events.
        Example::new(
            "CREATE TABLE t (id bigint, updated_at timestamptz);\n\
             CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.updated_at := now(); RETURN NEW; END';\n\
             CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();",
            "CREATE TABLE t (id bigint, updated_at timestamptz);\n\
             CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.updated_at := now(); RETURN NEW; END';\n\
             CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();",
        ),
    ],
    check: |ctx| {
        per_change(ctx, |c| match c {
            Change::DropTrigger { table, trigger } => {
                let recreated = ctx.changes().any(|o| matches!(o, Change::CreateTrigger { table: t, trigger: n } if t == table && n.name == trigger.name));
                if recreated {
                    return None;
                }
                let kind = if trigger.constraint { "constraint trigger" } else { "trigger" };
                let each = if trigger.for_each_row { "FOR EACH ROW" } else { "FOR EACH STATEMENT" };
                let events = trigger.events.join(" OR ");
                Some((
                    format!("{table}.{}", trigger.name),
                    format!(
                        "{kind} {} on {table} ({} {events} {each}, EXECUTE FUNCTION {}) is dropped: what it did on {events} stops",
                        trigger.name, trigger.timing, trigger.execute
                    ),
                ))
            }
            _ => None,
        })
    },
};
