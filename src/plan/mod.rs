//! The planner: orders changes and lowers them into SQL steps, through the
//! dialect's lowering (see [`crate::dialect`]).
//!
//! The up migration is planned from the old model to the new one; the down
//! migration is planned the same way from the new model back to the old,
//! with the declared renames reversed, so both directions get the same
//! ordering rules. Both are verified by replaying them onto the models
//! (see [`verify`]) before anything is printed.

pub mod backup;
pub mod concurrently;
pub mod facts;
pub mod verify;

use crate::diff::{Change, Renames};
use crate::error::{Result, Warning};
use crate::model::Schema;
pub use backup::Backup;
pub use facts::{Action, Facts, Object, OutsideTransaction, Touch};
use serde::Serialize;

/// One statement of a migration and what it does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// What this step does, for reports (e.g. `add column public.users.email`).
    pub summary: String,
    /// The SQL, ending with `;` (or a `--` comment when nothing can be run).
    pub sql: String,
    /// False for statements the database refuses inside a transaction block,
    /// or whose effect cannot be used later in the same transaction (why:
    /// `facts.outside_transaction`).
    pub transactional: bool,
    /// Objects touched, lock, work on the rows, data destroyed, online form
    /// (see [`facts`]).
    pub facts: Facts,
}

impl Step {
    /// A step that runs in a transaction, its facts to be filled in.
    pub fn new(summary: impl Into<String>, sql: impl Into<String>) -> Step {
        Step { summary: summary.into(), sql: sql.into(), transactional: true, facts: Facts::default() }
    }
    /// A step that runs outside a transaction block, for `why`.
    pub fn outside_transaction(summary: impl Into<String>, sql: impl Into<String>, why: OutsideTransaction) -> Step {
        let facts = Facts { outside_transaction: Some(why), ..Facts::default() };
        Step { summary: summary.into(), sql: sql.into(), transactional: false, facts }
    }
    /// The step, noting that it does `action` to `object`.
    pub fn touching(mut self, action: Action, object: Object) -> Step {
        let touch = Touch::new(action, object);
        if !self.facts.touches.contains(&touch) {
            self.facts.touches.push(touch);
        }
        self
    }
    pub fn creates(self, object: Object) -> Step {
        self.touching(Action::Create, object)
    }
    pub fn drops(self, object: Object) -> Step {
        self.touching(Action::Drop, object)
    }
    /// The step gives `from` the name `to` is under.
    pub fn renames(self, from: Object, to: Object) -> Step {
        self.touching(Action::Rename, from).touching(Action::RenameTo, to)
    }
    pub fn alters(self, object: Object) -> Step {
        self.touching(Action::Alter, object)
    }
    pub fn uses(self, object: Object) -> Step {
        self.touching(Action::Use, object)
    }
    /// The objects the step does `action` to.
    pub fn touched(&self, action: Action) -> impl Iterator<Item = &Object> {
        self.facts.touches.iter().filter(move |t| t.action == action).map(|t| &t.object)
    }
}

/// An object a migration drops and creates again, unchanged, because a
/// change reaches it (a view over a column whose type changes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rebuild {
    /// `view`, `materialized view`, `policy`, `trigger`, `index`, …
    pub kind: String,
    pub object: String,
    pub reason: String,
}

/// A migration between two schemas.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    /// What differs, old → new.
    pub changes: Vec<Change>,
    /// Settings each session running the migration starts with (an online
    /// plan's `SET lock_timeout`), before the up or the down steps.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub session: Vec<Step>,
    pub up: Vec<Step>,
    pub down: Vec<Step>,
    /// What the up migration rebuilds.
    pub rebuilds: Vec<Rebuild>,
    pub warnings: Vec<Warning>,
    /// The copies the up keeps of the data it destroys, which the down puts
    /// back (`--preserve-data`; see [`backup`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub backups: Vec<Backup>,
}

impl Plan {
    /// Nothing to migrate: no change (a plan made of steps alone, such as
    /// the one that drops the backups, is not empty).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.up.is_empty()
    }
    /// The whole up script, the session settings first.
    pub fn up_sql(&self) -> String {
        script(&self.session) + &script(&self.up)
    }
    /// The whole down script, the session settings first.
    pub fn down_sql(&self) -> String {
        script(&self.session) + &script(&self.down)
    }
}

/// Steps as one script: each statement on its own line(s), in order.
pub fn script(steps: &[Step]) -> String {
    steps.iter().map(|s| format!("{}\n", s.sql)).collect()
}

/// How to plan, beyond the two schemas.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// Plan the forms that keep reads and writes going on tables that hold
    /// rows (`--online`), with these session timeouts; `None`: the plain forms.
    pub online: Option<Online>,
    /// The major version of the server the migration runs on (`None`: a
    /// supported release): some online forms only help from a version on.
    pub server_version: Option<u32>,
    /// Plan in phases an application can be deployed between (`--phases`):
    /// the online plan, with what drops or renames what the old application
    /// uses moved to a contract phase (`facts.contract`), and a column
    /// rename made an added column kept in step with the old one until then.
    pub phases: bool,
    /// Copy what a step destroys (a dropped table or column, the values a
    /// type change alters, the rows holding removed enum labels) into a
    /// backup table first, and put it back in the down (`--preserve-data`).
    pub preserve_data: bool,
}

/// The session timeouts an online plan sets before its steps: a step that
/// waits longer than `lock_timeout` for its lock gives up rather than queue
/// every query of the table behind it, and no statement runs longer than
/// `statement_timeout`. PostgreSQL's interval syntax (`5s`, `1h`, `0` for none).
#[derive(Debug, Clone, PartialEq)]
pub struct Online {
    pub lock_timeout: String,
    pub statement_timeout: String,
}

impl Default for Online {
    /// Five seconds of waiting for a lock: long enough for a busy table's
    /// short transactions to finish, short enough that the queries queued
    /// behind the waiting migration do not time out. An hour for a
    /// statement: the long steps of an online plan (index builds,
    /// validations, backfills) hold locks that let reads and writes go on.
    fn default() -> Online {
        Online { lock_timeout: "5s".into(), statement_timeout: "1h".into() }
    }
}

/// Plans the migration from `old` to `new`, and verifies it by replaying it.
pub fn plan(old: &Schema, new: &Schema) -> Result<Plan> {
    plan_with(old, new, &Options::default())
}

/// [`plan`], as `options` say.
pub fn plan_with(old: &Schema, new: &Schema, options: &Options) -> Result<Plan> {
    let mut plan = plan_unverified(old, new, options)?;
    let notes = verify::verify_noting(old, new, &plan)?;
    plan.warnings.extend(notes);
    Ok(plan)
}

/// Plans without the replay check (for measuring the stages separately).
pub fn plan_unverified(old: &Schema, new: &Schema, options: &Options) -> Result<Plan> {
    if old.dialect != new.dialect {
        return Err(crate::Error::usage(format!(
            "the two schemas are of different dialects ({} and {})",
            old.dialect.name(),
            new.dialect.name()
        )));
    }
    // Backups belong to the migrations that keep them, not to the schemas;
    // those the old schema shows (a pg_dump of a database holding some)
    // keep their names.
    let existing: std::collections::BTreeSet<String> =
        old.tables.keys().filter(|t| t.schema == crate::model::BACKUP_SCHEMA).map(|t| t.name.clone()).collect();
    let (old, new) = (old.without_backups(), new.without_backups());
    let (old, new) = (old.as_ref(), new.as_ref());
    let renames = Renames::from_hints(new);
    let reversed = renames.reversed();
    // Up and down are planned independently, so side by side.
    let (forward, (down, down_from)) = std::thread::scope(|s| {
        let down = s.spawn(|| {
            let backward = crate::diff::diff(new, old, &reversed);
            let lowered = crate::dialect::lower(&backward.renamed_old, old, &backward.changes, &mut Vec::new());
            (lowered, backward.renamed_old)
        });
        let forward = crate::diff::diff(old, new, &renames);
        let planned = forward.unplannable.is_empty().then(|| {
            let mut warnings = forward.warnings.clone();
            let (mut up, rebuilds) = crate::dialect::lower(&forward.renamed_old, new, &forward.changes, &mut warnings)?;
            let mut backups = Vec::new();
            // Before the online forms: a type change whose old values are
            // kept stays in place (see the dialect's online pass).
            if options.preserve_data {
                (up, backups) = crate::dialect::preserve(&forward.renamed_old, new, &forward.changes, up, &existing, &mut warnings)?;
            }
            if options.online.is_some() || options.phases {
                let plain = up.clone();
                up = crate::dialect::online(&forward.renamed_old, new, plain.clone(), options.server_version, options.phases, &mut warnings)?;
                concurrently::rewrite(&mut up, &forward.renamed_old, new);
                // The contract phase moves steps after others: when that
                // order does not give the new schema, the change stays one.
                if options.phases && !verify::replays_to(old, new, &script(&up)) {
                    warnings.push(Warning {
                        message: "--phases: this change cannot be split into expand and contract phases (a step that drops or \
                                  renames what the old application uses must come before others); it is planned online, as one change"
                            .into(),
                        location: crate::model::Location::default(),
                    });
                    up = crate::dialect::online(&forward.renamed_old, new, plain, options.server_version, false, &mut warnings)?;
                    concurrently::rewrite(&mut up, &forward.renamed_old, new);
                }
            }
            Ok((up, rebuilds, warnings, backups))
        });
        ((forward.changes, forward.unplannable, planned), down.join().expect("the planner does not panic"))
    });
    let (changes, unplannable, planned) = forward;
    let Some(planned) = planned else {
        let u = &unplannable[0];
        return Err(crate::Error::data(u.message.clone()).at(u.location.clone()).help(
            "write this migration by hand: create the new table under another name, copy the rows, drop the old one and rename it; \
             or change the schema in two commits, the table dropped in one and created in the next",
        ));
    };
    let (up, rebuilds, warnings, backups) = planned?;
    let (mut down, _) = down?;
    if !backups.is_empty() {
        down = crate::dialect::restore(&down_from, old, down, &backups)?;
    }
    let timeouts = options.online.clone().or_else(|| options.phases.then(Online::default));
    let session = match &timeouts {
        Some(online) if !up.is_empty() => crate::dialect::session_timeouts(new.dialect, online)?,
        _ => Vec::new(),
    };
    Ok(Plan { changes, session, up, down, rebuilds, warnings, backups })
}
