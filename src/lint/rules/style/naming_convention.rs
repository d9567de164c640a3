//! SS809 naming-convention.

use super::{Kind, names};
use crate::lint::{Class, Context, Example, Hit, Located, Rule};
use regex::Regex;
use std::sync::LazyLock;

/// The pattern of a kind of name no configuration sets: snake_case.
const SNAKE_CASE: &str = "[a-z_][a-z0-9_]*";

pub static RULE: Rule = Rule {
    code: "SS809",
    name: "naming-convention",
    class: Class::NonBreaking,
    opt_in: true,
    summary: "A table, column, index, constraint or view name does not match the naming convention.",
    why: "Names are the schema's interface: one that breaks the convention must be quoted wherever it is used (`\"UserId\"` \
          in PostgreSQL, where unquoted names fold to lower case), trips code generators and ORMs that map names by rule, \
          and makes the next name harder to guess. The convention is set per kind in `schemashift.toml` (`[lint.naming]`: \
          `table`, `column`, `index`, `constraint`, `view`), each a regular expression the whole name must match; a kind \
          left unset uses snake_case, `^[a-z_][a-z0-9_]*$`. Names PostgreSQL generates (`orders_pkey`) follow from the \
          table's and columns' names.",
    locks: "None: the rule reads the schema. Renaming a table or a column (`ALTER TABLE … RENAME …`) only changes the \
            catalog, under a brief ACCESS EXCLUSIVE lock; but every query that uses the old name breaks.",
    instead: "Name new objects by the convention. For an existing one, rename it in steps the application survives: deploy \
              code that works with both names (for a table, a view under the other name bridges the gap), rename, then drop \
              the bridge; or set the pattern in `schemashift.toml` to what the schema really follows.",
    fires: &[Example::new("", "CREATE TABLE \"UserAccounts\" (id bigint PRIMARY KEY, \"emailAddress\" text);")],
    passes: &[Example::new("", "CREATE TABLE user_accounts (id bigint PRIMARY KEY, email_address text);\nCREATE INDEX user_accounts_email ON user_accounts (email_address);")],
    check,
};

static DEFAULT: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!("^(?:{SNAKE_CASE})$")).expect("a valid pattern"));

/// The pattern names of a kind must match, whole, and whether it is the default.
fn pattern(configured: Option<&Regex>) -> (Regex, bool) {
    match configured.and_then(|r| Regex::new(&format!("^(?:{})$", r.as_str())).ok()) {
        Some(r) => (r, false),
        None => (DEFAULT.clone(), true),
    }
}

fn check(ctx: &Context) -> Vec<Hit> {
    let naming = &ctx.options.naming;
    let kinds = [
        (Kind::Table, "tables", pattern(naming.table.as_ref())),
        (Kind::Column, "columns", pattern(naming.column.as_ref())),
        (Kind::Index, "indexes", pattern(naming.index.as_ref())),
        (Kind::Constraint, "constraints", pattern(naming.constraint.as_ref())),
        (Kind::View, "views", pattern(naming.view.as_ref())),
    ];
    let mut hits = Vec::new();
    for n in names(ctx.new) {
        let Some((_, plural, (re, default))) = kinds.iter().find(|(k, _, _)| *k == n.kind) else { continue };
        if re.is_match(n.name) {
            continue;
        }
        let source = if *default { " (the default: snake_case)" } else { " (schemashift.toml, [lint.naming])" };
        let mut hit = Hit::new(
            &n.object,
            format!("{} name {:?} does not match the convention for {plural}: {}{source}", n.kind.word(), n.name, re.as_str()),
            Located::new(n.location),
        );
        let suggestion = snake_case(n.name);
        if re.is_match(&suggestion) {
            hit = hit.help(format!("rename it to {suggestion}, in steps the application survives (code that works with both names first)"));
        }
        hits.push(hit);
    }
    hits
}

/// `UserAccounts` → `user_accounts`, `emailAddress` → `email_address`,
/// `Order Lines` → `order_lines`.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    let mut previous: Option<char> = None;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit()) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
        previous = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::style::tests::findings;
    use crate::lint::{Naming, Options};

    #[test]
    fn names_turn_into_snake_case() {
        assert_eq!(snake_case("UserAccounts"), "user_accounts");
        assert_eq!(snake_case("emailAddress"), "email_address");
        assert_eq!(snake_case("Order Lines"), "order_lines");
        assert_eq!(snake_case("already_fine"), "already_fine");
    }

    #[test]
    fn configured_patterns_match_whole_names_and_unset_kinds_use_snake_case() {
        let naming = Naming {
            table: Some(Regex::new("tbl_[a-z]+").unwrap()),
            index: Some(Regex::new("[a-z_]+_idx").unwrap()),
            ..Naming::default()
        };
        let options = Options { naming, ..Options::default() };
        let sql = "CREATE TABLE tbl_users (id bigint PRIMARY KEY, \"userName\" text);\n\
                   CREATE TABLE accounts (id bigint PRIMARY KEY);\n\
                   CREATE TABLE tbl_users2 (id bigint PRIMARY KEY);\n\
                   CREATE INDEX tbl_users_name_idx ON tbl_users (\"userName\");\n\
                   CREATE INDEX accounts_id ON accounts (id);\n\
                   CREATE VIEW \"ActiveUsers\" AS SELECT id FROM tbl_users;";
        let found = findings("SS809", "", sql, options);
        let objects: Vec<&str> = found.iter().map(|f| f.object.as_str()).collect();
        assert_eq!(
            objects,
            ["public.tbl_users.\"userName\"", "public.accounts", "public.tbl_users2", "public.accounts_id", "public.\"ActiveUsers\""],
            "{found:#?}"
        );
        assert!(found[0].message.contains("the default"), "{}", found[0].message);
        assert!(found[1].message.contains("^(?:tbl_[a-z]+)$"), "{}", found[1].message);
        assert!(found.iter().all(|f| f.location.is_some()));
        // With no pattern configured, every kind is snake_case: only the camel-case names stand out.
        let found = findings("SS809", "", sql, Options::default());
        let objects: Vec<&str> = found.iter().map(|f| f.object.as_str()).collect();
        assert_eq!(objects, ["public.tbl_users.\"userName\"", "public.\"ActiveUsers\""]);
    }
}
