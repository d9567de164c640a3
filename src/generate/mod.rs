//! `generate`: a schema change written as migration files, in the layout of
//! the framework the project already uses.
//!
//! The verified plan is cut into migrations where the transaction demands it
//! ([`segment`]), each migration gets the next version of the directory
//! ([`version`]) and is rendered by its framework ([`formats`]), and all
//! files are written at once or not at all ([`write`]).

pub mod detect;
pub mod escape;
pub mod formats;
pub mod interrupt;
pub mod read_back;
pub mod segment;
pub mod version;
pub mod write;

use crate::error::{Error, Result};
use crate::model::Schema;
use crate::plan::{Plan, Step, concurrently};
use formats::{Existing, Format, Migration};
use std::path::{Path, PathBuf};
use write::OutFile;

/// What `generate` was asked for, beyond the two schemas.
#[derive(Debug, Clone)]
pub struct Options {
    /// The migration's name as given; see [`sanitize_slug`].
    pub name: String,
    /// `--version`: the first migration's version instead of the next one.
    pub version: Option<String>,
    /// One line naming the source revisions and schemashift's version.
    pub header: String,
    /// Build indexes on existing tables with `CONCURRENTLY`.
    pub concurrent_indexes: bool,
    /// The major version of the database server the migrations run on;
    /// `None`: a supported release (see [`crate::dialect::enum_label_in_transaction`]).
    pub server_version: Option<u32>,
    /// The time for timestamp versions (Unix seconds), see [`crate::settings::Settings::now`].
    pub now: i64,
    /// The linter's report on the change: with it, the migration gets its
    /// runbook ([`crate::runbook`]) beside it.
    pub lint: Option<crate::lint::Report>,
    /// Table sizes, for the runbook's durations.
    pub stats: Option<crate::runbook::Stats>,
    /// Where the runbook goes instead of beside the migration (`runbook_dir`
    /// in schemashift.toml), absolute.
    pub runbook_dir: Option<PathBuf>,
}

/// One migration as written.
#[derive(Debug, Clone)]
pub struct Written {
    pub version: String,
    pub files: Vec<PathBuf>,
    pub transaction: bool,
    /// The down SQL when the framework has no down migrations: it goes to
    /// the runbook instead.
    pub down_without_file: Option<String>,
    /// What is left to do by hand (see [`Format::notes`]); on the last migration.
    pub notes: Vec<String>,
}

/// Writes the migration(s) from `old` to `new` into `dir`, `plan` being
/// [`crate::plan::plan`]'s (verified). Returns nothing when the schemas are equal.
pub fn generate(old: &Schema, new: &Schema, plan: &Plan, format: &dyn Format, dir: &Path, opts: &Options) -> Result<Vec<Written>> {
    let (written, files) = render(old, new, plan, format, dir, opts)?;
    // A runbook kept in a directory of its own is written there, after the
    // migrations (which are complete whatever happens to it).
    let (elsewhere, here): (Vec<OutFile>, Vec<OutFile>) =
        files.into_iter().partition(|f| opts.runbook_dir.as_ref().is_some_and(|r| f.path.starts_with(r)));
    if !here.is_empty() {
        write::write_all(dir, &here)?;
    }
    if let Some(r) = &opts.runbook_dir {
        let relative: Vec<OutFile> = elsewhere.into_iter().map(|f| OutFile { path: f.path.strip_prefix(r).expect("under it").to_path_buf(), ..f }).collect();
        if !relative.is_empty() {
            write::write_all(r, &relative)?;
        }
    }
    Ok(written)
}

/// What [`generate`] would write, checked against the directory (nothing
/// would be overwritten) but not written: the migrations and their files,
/// paths relative to `dir`.
pub fn render(old: &Schema, new: &Schema, plan: &Plan, format: &dyn Format, dir: &Path, opts: &Options) -> Result<(Vec<Written>, Vec<OutFile>)> {
    if plan.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let slug = sanitize_slug(&opts.name)?;
    let configured = format.in_dir(dir)?;
    let format = configured.as_deref().unwrap_or(format);
    let existing = format.scan(dir)?;
    let rules = segment::Rules::new(format.one_query_per_file(), new.dialect, opts.server_version);
    let units = units(old, new, plan, rules, opts.concurrent_indexes)?;
    // A runner that always opens a transaction cannot run what the database
    // refuses in one: say so now rather than write a migration that fails.
    if !format.runs_outside_transaction()
        && let Some(unit) = units.iter().find(|u| !u.transaction)
    {
        let statement = unit.up.iter().find(|s| !s.transactional).unwrap_or(&unit.up[0]);
        return Err(Error::usage(format!(
            "{} runs every migration inside a transaction, and {} refuses `{}` in one",
            format.name(),
            new.dialect.product_name(),
            statement.sql.trim_end_matches(';')
        ))
        .help(if opts.concurrent_indexes {
            "leave out --concurrently (and `concurrent_indexes` in schemashift.toml) to build the index with a plain \
             CREATE INDEX, which blocks writes to the table while it builds"
        } else {
            "run this statement by hand, outside the migration runner"
        }));
    }
    let versions = versions(format, &existing, opts, units.len())?;

    let mut files: Vec<OutFile> = Vec::new();
    let mut written = Vec::new();
    let mut previous: Option<Existing> = existing.last().cloned();
    let slugs = part_slugs(&slug, &units);
    for (i, (unit, version)) in units.iter().zip(&versions).enumerate() {
        let part_slug = slugs[i].clone();
        let m = Migration {
            version,
            slug: &part_slug,
            header: &opts.header,
            up: &unit.up,
            down: &unit.down,
            transaction: unit.transaction,
            previous: previous.as_ref(),
        };
        let mut rendered = format.render(&m)?;
        let this = format.describe(&m, &rendered);
        let down_without_file = (!format.has_down()).then(|| crate::plan::script(&unit.down));
        if let Some(down) = &down_without_file {
            rendered.push(rollback_runbook(format, &m, down));
        }
        previous = Some(this);
        written.push(Written {
            version: version.clone(),
            files: rendered.iter().map(|f| dir.join(&f.path)).collect(),
            transaction: unit.transaction,
            down_without_file,
            notes: Vec::new(),
        });
        files.extend(rendered);
    }
    let index = format.index(dir, &files, new.dialect)?;
    let notes = format.notes(dir, &files)?;
    let last = written.last_mut().expect("at least one migration");
    last.files.extend(index.iter().map(|f| dir.join(&f.path)));
    last.notes = notes;
    files.extend(index);
    // The runbook, once the framework's index files are made: it is no
    // migration, and no index (atlas.sum, a changelog) lists it.
    if let Some(lint) = &opts.lint {
        let first = Migration {
            version: &versions[0],
            slug: &slug,
            header: &opts.header,
            up: &units[0].up,
            down: &units[0].down,
            transaction: units[0].transaction,
            previous: existing.last(),
        };
        let input = crate::runbook::Input {
            title: format!("{}_{slug} ({})", versions[0], opts.header),
            old,
            new,
            plan,
            lint,
            units: &units,
            stats: opts.stats.as_ref(),
        };
        let book = crate::runbook::build(&input);
        let text = crate::runbook::render::markdown(&book);
        match &opts.runbook_dir {
            // An absolute path, which `generate` writes apart.
            Some(r) => {
                let path = r.join(format!("{}_{slug}.runbook.md", versions[0]));
                write::check(r, &[OutFile::new(path.strip_prefix(r).expect("under it"), text.clone())])?;
                written[0].files.push(path.clone());
                files.push(OutFile::new(path, text));
            }
            None => {
                files.push(OutFile::new(format.runbook_file(&first), text));
                written[0].files.push(dir.join(format.runbook_file(&first)));
            }
        }
    }
    let in_dir: Vec<OutFile> = files.iter().filter(|f| !f.path.is_absolute()).cloned().collect();
    write::check(dir, &in_dir)?;
    Ok((written, files))
}

/// For a framework without down migrations: a Markdown file beside the
/// migration with the SQL that undoes it, where the format says its runner
/// never looks (frameworks only pick up their own `.sql` names or folders).
fn rollback_runbook(format: &dyn Format, m: &Migration<'_>, down: &str) -> OutFile {
    let intro = match format.runbook_hint() {
        Some(hint) => format!("{hint} Without it, to undo this migration"),
        None => format!("{} has no down migrations. To undo this migration", format.name()),
    };
    // The header (paths, revision names) and the SQL come from outside:
    // Markdown text on one line, SQL in a fence it cannot close.
    let text = format!(
        "# Rolling back {title}\n\n{header}.\n\n{intro}, run the \
         following SQL{tx}, then remove the migration's row from {name}'s history table.\n\n{down}",
        title = escape::markdown_text(&format!("{}_{}", m.version, m.slug)),
        header = escape::markdown_text(m.header),
        name = format.name(),
        tx = if m.transaction { " in one transaction" } else { " statement by statement, outside a transaction" },
        down = escape::markdown_code_block("sql", down),
    );
    OutFile::new(format.runbook_path(m), text)
}

/// The name of each migration of a change: the change's, then `_2`, `_3`…;
/// in phases, `_expand…` and `_contract…`, so that the deployment can stop
/// between them.
fn part_slugs(slug: &str, units: &[Unit]) -> Vec<String> {
    let contract = |u: &Unit| u.up.iter().any(|s| s.facts.contract);
    let phased = units.iter().any(contract);
    let mut counts = [0usize; 2];
    units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            if !phased {
                return if i == 0 { slug.to_string() } else { format!("{slug}_{}", i + 1) };
            }
            let (k, phase) = if contract(u) { (1, "contract") } else { (0, "expand") };
            counts[k] += 1;
            if counts[k] == 1 { format!("{slug}_{phase}") } else { format!("{slug}_{phase}_{}", counts[k]) }
        })
        .collect()
}

/// One migration's steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub up: Vec<Step>,
    pub down: Vec<Step>,
    pub transaction: bool,
}

/// Cuts the plan into migrations. A single migration uses the plan's own
/// script (`plan` comes verified, from [`crate::plan::plan`]). When the up (or the down) must be cut, each cut point is a
/// schema of its own (one end with the parts before it replayed onto it),
/// and each part is planned between its two schemas, up and down, so every
/// migration applies and rolls back alone. The whole sequence is verified
/// by replaying it.
///
/// An online plan (one with session settings) is cut where its steps say
/// ([`crate::plan::facts::Facts::commits_before`]), and each part keeps
/// the plan's own steps. So does a plan that keeps backups
/// (`--preserve-data`): its copies are data, which the schemas between the
/// parts do not show; each part's down puts back the copies its up keeps.
pub fn units(old: &Schema, new: &Schema, plan: &Plan, rules: segment::Rules, concurrent_indexes: bool) -> Result<Vec<Unit>> {
    let online = !plan.session.is_empty();
    let preserving = !plan.backups.is_empty();
    let mut up = plan.up.clone();
    let mut down = plan.down.clone();
    if concurrent_indexes {
        // An online plan's up has its concurrent builds where the planner put them.
        if !online {
            concurrently::rewrite(&mut up, old, new);
        }
        concurrently::rewrite(&mut down, new, old);
    }
    let segments = segment::split(&up, rules);
    let down_segments = segment::split(&down, rules);
    if segments.len() <= 1 && down_segments.len() <= 1 {
        // The plan was verified when it was made; replay it again only if
        // `CONCURRENTLY` rewrote some of it.
        let rewritten = up != plan.up || down != plan.down;
        let mut units = vec![Unit { up, down, transaction: segments.first().is_none_or(|s| s.transaction) }];
        with_session(&mut units, &plan.session, rules);
        if rewritten {
            verify_units(old, new, &units)?;
        }
        return Ok(units);
    }
    // The schemas between the parts: where the up must be cut, or else where
    // the down must (a label the down adds back and then uses), replayed
    // from the other end and taken in reverse.
    let (from, to, cuts) = if segments.len() > 1 { (old, new, &segments) } else { (new, old, &down_segments) };
    let mut points = vec![from.clone()];
    for s in &cuts[..cuts.len() - 1] {
        let before = points.last().expect("starts with one end").clone();
        let after = crate::dialect::replay(before, "<generated migration>", &crate::plan::script(&s.up))?;
        points.push(carry_rename_hints(after, new));
    }
    points.push(to.clone());
    if segments.len() == 1 {
        points.reverse();
    }
    let own_steps = (online || preserving) && segments.len() > 1;
    let mut out = Vec::new();
    for (i, pair) in points.windows(2).enumerate() {
        // Planned again between two points, a part keeps copies of what it
        // destroys when the plan does (names follow what is kept, so they
        // are the plan's).
        let options = crate::plan::Options { preserve_data: preserving && !own_steps, ..crate::plan::Options::default() };
        let part = crate::plan::plan_with(&pair[0], &pair[1], &options)?;
        let (mut part_up, mut part_down) = (part.up, part.down);
        // An online plan's parts are its own steps: planned again between
        // two points, a part would lose what ties it to the others (the
        // check a later part's SET NOT NULL needs, validated in between).
        // Its down is the plain way back from its end to its start, and puts
        // back the copies its up keeps.
        if own_steps {
            part_up = segments[i].up.clone();
            let kept: Vec<crate::plan::Backup> = plan
                .backups
                .iter()
                .filter(|b| part_up.iter().any(|s| s.touched(crate::plan::Action::Create).any(|o| *o == crate::plan::Object::Table(b.table.clone()))))
                .cloned()
                .collect();
            if !kept.is_empty() {
                part_down = crate::dialect::restore(&pair[1], &pair[0], part_down, &kept)?;
            }
        }
        if concurrent_indexes {
            concurrently::rewrite(&mut part_up, &pair[0], &pair[1]);
        }
        let transaction = !part_up.iter().any(|s| rules.outside_transaction(s));
        // The down of a part that runs in a transaction keeps the plain
        // form of its index steps, so it can run in one too.
        if concurrent_indexes && !transaction {
            concurrently::rewrite(&mut part_down, &pair[1], &pair[0]);
        }
        out.push(Unit { up: part_up, down: part_down, transaction });
    }
    if online && segments.len() > 1 {
        refill_on_the_way_back(&mut out, &points);
    }
    with_session(&mut out, &plan.session, rules);
    verify_units(old, new, &out)?;
    Ok(out)
}

/// A migration's down is planned from the schemas alone, which do not say
/// what a column holds: where an online plan's later migration is undone
/// and its down creates again a column an earlier migration's backfill
/// filled or read, the dialect makes the down fill it again
/// ([`crate::dialect::refill_down`]), so that the database is back where the
/// earlier migration left it (and that later migration can run again).
/// `points[j]`: the schema migration `j` starts from, where its down goes.
fn refill_on_the_way_back(units: &mut [Unit], points: &[Schema]) {
    for k in 0..units.len() {
        let backfills: Vec<Step> = units[k].up.iter().filter(|s| s.facts.work == crate::plan::facts::Work::Backfill).cloned().collect();
        for b in backfills {
            for (j, later) in units.iter_mut().enumerate().skip(k + 1) {
                crate::dialect::refill_down(&mut later.down, &points[j], &b);
            }
        }
    }
}

/// Puts the plan's session settings (an online plan's timeouts) at the top
/// of each migration, up and down: runners may use a new connection for
/// each. Not where the runner sends the file as one query and the migration
/// runs outside a transaction: it must be that one statement alone (the
/// settings of the migration before it hold on the same connection).
fn with_session(units: &mut [Unit], session: &[Step], rules: segment::Rules) {
    if session.is_empty() {
        return;
    }
    for unit in units {
        if unit.transaction || !rules.one_query_per_file {
            for steps in [&mut unit.up, &mut unit.down] {
                steps.splice(0..0, session.iter().cloned());
            }
        }
    }
}

/// Replays all ups in order onto `old` and all downs in reverse onto `new`.
fn verify_units(old: &Schema, new: &Schema, units: &[Unit]) -> Result<()> {
    let joined = Plan {
        up: units.iter().flat_map(|u| u.up.iter().cloned()).collect(),
        down: units.iter().rev().flat_map(|u| u.down.iter().cloned()).collect(),
        ..Plan::default()
    };
    crate::plan::verify::verify(old, new, &joined)
}

/// `-- schemashift:renamed-from` hints live in the new schema's text; a
/// schema replayed from the old one has none, so the part planned after it
/// would drop and add what the hint renames. Copy them over by name.
fn carry_rename_hints(mut at: Schema, new: &Schema) -> Schema {
    for (name, t) in &mut at.tables {
        let Some(target) = new.tables.get(name) else { continue };
        t.renamed_from = target.renamed_from.clone();
        for c in &mut t.columns {
            if let Some(tc) = target.column(&c.name) {
                c.renamed_from = tc.renamed_from.clone();
            }
        }
        for (iname, i) in &mut t.indexes {
            if let Some(ti) = target.indexes.get(iname) {
                i.renamed_from = ti.renamed_from.clone();
            }
        }
    }
    for (name, v) in &mut at.views {
        if let Some(tv) = new.views.get(name) {
            v.renamed_from = tv.renamed_from.clone();
        }
    }
    at
}

/// The versions of `count` new migrations.
fn versions(format: &dyn Format, existing: &[Existing], opts: &Options, count: usize) -> Result<Vec<String>> {
    let taken: Vec<String> = existing.iter().map(|e| e.version.clone()).collect();
    let first = match &opts.version {
        Some(v) => {
            version::validate(v)?;
            v.clone()
        }
        None => {
            let style = version::detect(&taken).unwrap_or(format.style());
            version::next(style, &taken, opts.now)
        }
    };
    let mut out = vec![first];
    while out.len() < count {
        let next = version::successor(out.last().expect("not empty"))?;
        out.push(next);
    }
    for v in &out {
        if let Some(e) = existing.iter().find(|e| version::same(&e.version, v)) {
            return Err(Error::usage(format!("version {v} already exists: {}", e.paths[0].display()))
                .help("choose a version that is not taken, or leave out --version to take the next one"));
        }
    }
    Ok(out)
}

/// The longest slug a migration name may give. File names hold at most 255
/// bytes on the usual file systems (ext4, APFS, NTFS), and the slug shares
/// its file name with the version (at most [`version::MAX_LEN`], 32) and
/// the layout: the longest is Alembic's `<version>_<12-hex revision>_<slug>.py`,
/// 17 bytes besides the two, and a change cut into several migrations adds
/// `_<n>` to the slug. 150 + 32 + 17 leaves 56 bytes for that `_<n>`, and
/// is still more than any description of one change needs.
pub const MAX_SLUG_LEN: usize = 150;

/// A migration name for `changes` when none is given: the first change's
/// kind and object (`create_table_reviews`), and how many more there are.
pub fn slug_for(changes: &[crate::diff::Change]) -> String {
    let Some(first) = changes.first() else { return "schema_change".to_string() };
    let kind = serde_json::to_value(first).ok().and_then(|v| v.get("kind").and_then(|k| k.as_str().map(str::to_string)));
    let object = first.object();
    // The unqualified name: `public.reviews` → `reviews`.
    let name = object.rsplit('.').next().unwrap_or(&object);
    let mut slug = format!("{}_{name}", kind.unwrap_or_else(|| "change".into()));
    if changes.len() > 1 {
        slug.push_str(&format!("_and_{}_more", changes.len() - 1));
    }
    let slug = sanitize_slug(&slug).unwrap_or_else(|_| "schema_change".to_string());
    // Within the limit on names, cut at a word.
    if slug.len() <= MAX_SLUG_LEN {
        return slug;
    }
    let cut = slug[..MAX_SLUG_LEN].rfind('_').unwrap_or(MAX_SLUG_LEN);
    slug[..cut].to_string()
}

/// Reduces a migration name to what every framework accepts: lower-case
/// ASCII letters, digits and single underscores (`Add users.email` →
/// `add_users_email`). Path separators, `..` and `__` (Flyway's separator)
/// cannot survive. Longer than [`MAX_SLUG_LEN`] is a usage error, found
/// before anything is read or written rather than as "File name too long"
/// from the file system.
pub fn sanitize_slug(name: &str) -> Result<String> {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('_') {
            slug.push('_');
        }
    }
    let slug = slug.trim_matches('_').to_string();
    if slug.is_empty() {
        return Err(Error::usage(format!("the migration name `{name}` has no letters or digits"))
            .help("give a short description such as `--name add_users_email`"));
    }
    if slug.len() > MAX_SLUG_LEN {
        return Err(Error::usage(format!(
            "the migration name is too long: it gives a file name part of {} characters, and at most {MAX_SLUG_LEN} are allowed",
            slug.len()
        ))
        .help("file names are limited to 255 bytes; give a short description such as `--name add_users_email`"));
    }
    Ok(slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runbook_keeps_outside_text_in_its_place() {
        let down = [Step { summary: String::new(), sql: "COMMENT ON TABLE t IS '\n```\n# Injected';".into(), transactional: true, facts: Default::default() }];
        let m = Migration {
            version: "1",
            slug: "x",
            header: "from <b>x</b>\n# DROP TABLE users;",
            up: &[],
            down: &down,
            transaction: true,
            previous: None,
        };
        let book = rollback_runbook(formats::by_name("refinery").unwrap(), &m, &crate::plan::script(&down));
        let text = String::from_utf8(book.bytes).unwrap();
        assert!(text.starts_with("# Rolling back 1_x\n\nfrom \\<b\\>x\\</b\\>\\\\n\\# DROP TABLE users;.\n\n"), "{text}");
        assert!(text.ends_with("\n````sql\nCOMMENT ON TABLE t IS '\n```\n# Injected';\n````\n"), "{text}");
    }

    #[test]
    fn slugs_are_safe_everywhere() {
        assert_eq!(sanitize_slug("Add users.email").unwrap(), "add_users_email");
        assert_eq!(sanitize_slug("../../etc/passwd").unwrap(), "etc_passwd");
        assert_eq!(sanitize_slug("a__b--c").unwrap(), "a_b_c");
        assert_eq!(sanitize_slug("ünïcode").unwrap(), "n_code");
        assert!(sanitize_slug("../..").is_err());
    }

    #[test]
    fn slugs_are_limited_so_that_every_file_name_fits_in_255_bytes() {
        let longest = "a".repeat(MAX_SLUG_LEN);
        assert_eq!(sanitize_slug(&longest).unwrap(), longest);
        // Separators collapse, so the limit is on the slug, not the name typed.
        assert!(sanitize_slug(&format!("{longest}  ")).is_ok());
        let e = sanitize_slug(&"a".repeat(MAX_SLUG_LEN + 1)).unwrap_err();
        assert_eq!(e.exit_code(), 64);
        assert!(e.message.contains(&MAX_SLUG_LEN.to_string()), "{e}");

        // Every format's files for the longest slug, the longest version and
        // a part number, with a no-transaction statement (Flyway's `.sql.conf`).
        let step = Step { summary: String::new(), sql: "CREATE INDEX CONCURRENTLY i ON t (a);".into(), transactional: false, facts: Default::default() };
        let slug = format!("{longest}_999");
        let version = "1".repeat(version::MAX_LEN);
        let steps = [step];
        for format in formats::all() {
            let m = Migration { version: &version, slug: &slug, header: "h", up: &steps, down: &steps, transaction: false, previous: None };
            let mut paths: Vec<PathBuf> = format.render(&m).unwrap().into_iter().map(|f| f.path).collect();
            paths.push(format.runbook_path(&m));
            for path in paths {
                for part in path.iter() {
                    assert!(part.len() < 255, "{}: {} is {} bytes", format.name(), path.display(), part.len());
                }
            }
        }
    }
}
