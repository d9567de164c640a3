//! SS206 rename-enum-value.

use crate::lint::rules::drops::enum_labels::{columns_using, converted, preflight, rebuilds};
use crate::lint::{Class, Context, Example, Hit, Rule};
use crate::model::quote_literal;

pub static RULE: Rule = Rule {
    code: "SS206",
    name: "rename-enum-value",
    class: Class::Breaking,
    opt_in: false,
    summary: "An enum label is replaced at its place by a new one: a rename the plan carries out as a removal.",
    why: "When a label disappears and a new one appears at the same place (between the same neighbours), it is most \
          likely a rename. But the schemas cannot say so, and the plan does what the difference says: it creates the \
          type again without the old label and converts every column through text, so a row that holds the old label \
          makes the conversion, and the whole migration, fail; and code that still writes the old label fails \
          afterwards. This finding stands for such a label instead of `drop-enum-value`, and carries the query that \
          lists the rows holding it.",
    locks: "PostgreSQL: the planned rebuild converts each column with `ALTER TABLE … ALTER COLUMN … TYPE … USING \
            col::text::type`: an ACCESS EXCLUSIVE lock on its table and a rewrite. `ALTER TYPE … RENAME VALUE` \
            (PostgreSQL 10+) renames a label in the catalog only: no table is locked or rewritten, and the rows holding \
            it hold the new label at once.",
    instead: "If it is a rename, write this migration by hand: `ALTER TYPE public.status RENAME VALUE 'void' TO \
              'cancelled';` (PostgreSQL 10+), and deploy code that accepts both labels first. If the old label's rows must \
              really move to another label, update them first (`UPDATE … SET status = 'cancelled' WHERE status = 'void';`) \
              and run the finding's query before the migration.",
    fires: &[Example::new(
        "CREATE TYPE status AS ENUM ('new', 'void', 'shipped');\nCREATE TABLE orders (id bigint, s status);",
        "CREATE TYPE status AS ENUM ('new', 'cancelled', 'shipped');\nCREATE TABLE orders (id bigint, s status);",
    )],
    passes: &[
        // Removed, with nothing in its place: drop-enum-value's finding.
        Example::new(
            "CREATE TYPE status AS ENUM ('new', 'void', 'shipped');\nCREATE TABLE orders (id bigint, s status);",
            "CREATE TYPE status AS ENUM ('new', 'shipped');\nCREATE TABLE orders (id bigint, s status);",
        ),
        // Added elsewhere while another goes: not at the same place.
        Example::new(
            "CREATE TYPE status AS ENUM ('new', 'void', 'shipped');\nCREATE TABLE orders (id bigint, s status);",
            "CREATE TYPE status AS ENUM ('new', 'shipped', 'cancelled');\nCREATE TABLE orders (id bigint, s status);",
        ),
    ],
    check,
};

fn check(ctx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (change, to, labels) in rebuilds(ctx) {
        if labels.replaced.is_empty() {
            continue;
        }
        let name = &to.name;
        let columns = columns_using(ctx, name);
        let pairs: Vec<String> =
            labels.replaced.iter().map(|(a, b)| format!("{} by {}", quote_literal(a), quote_literal(b))).collect();
        let olds: Vec<String> = labels.replaced.iter().map(|(a, _)| a.clone()).collect();
        let consequence = if columns.is_empty() {
            "code that writes the old label fails".to_string()
        } else {
            format!(
                "the plan removes and adds rather than renames: the type is created again and its columns converted, {}, and a row holding the old label makes the migration fail",
                converted(ctx, &columns)
            )
        };
        let renames: Vec<String> = labels
            .replaced
            .iter()
            .map(|(a, b)| format!("ALTER TYPE {name} RENAME VALUE {} TO {};", quote_literal(a), quote_literal(b)))
            .collect();
        let version_note = match ctx.server_version() {
            Some(v) if v < 10 => " (needs PostgreSQL 10 or later; this server is older: move the rows to the new label first instead)",
            _ => "",
        };
        let mut hit = Hit::new(
            name.to_string(),
            format!("enum {name} replaces {} at the same place, which looks like a rename; {consequence}", pairs.join(", ")),
            ctx.at(change),
        )
        .help(format!(
            "If it is a rename, write the migration by hand with `{}`{version_note}: the rows keep their value under the new label, without a rewrite.",
            renames.join(" ")
        ));
        if let Some(p) = preflight(&columns, &olds) {
            hit = hit.preflight(p);
        }
        hits.push(hit);
    }
    hits
}
