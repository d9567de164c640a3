//! GRANT and REVOKE on objects, kept as one opaque entry per privilege.
//!
//! pg_dump writes privileges back in its own form (`GRANT SELECT,INSERT ON
//! TABLE public.t TO bob`, one statement per grantee, `ALL` when every
//! privilege is held), so the text a user wrote is not comparable. Splitting
//! each grant into (privilege, object, grantee) entries with a canonical
//! text makes both spellings the same set; REVOKE removes entries.

use super::tokens::Cursor;
use super::{Applied, PgReader, Stmt};
use crate::error::{Error, Result};
use crate::model::{Opaque, quote_ident};
use sqlparser::tokenizer::Token;

/// Object kinds whose names live in a schema (and are qualified here).
const SCHEMA_KINDS: &[&str] = &["TABLE", "SEQUENCE", "FUNCTION", "PROCEDURE", "ROUTINE", "TYPE", "DOMAIN"];

/// What `ALL PRIVILEGES` means for each kind of object (PostgreSQL 15, GRANT).
fn all_privileges(kind: &str) -> &'static [&'static str] {
    match kind {
        "TABLE" => &["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"],
        "SEQUENCE" => &["USAGE", "SELECT", "UPDATE"],
        "FUNCTION" | "PROCEDURE" | "ROUTINE" => &["EXECUTE"],
        "SCHEMA" => &["USAGE", "CREATE"],
        "TYPE" | "DOMAIN" | "LANGUAGE" => &["USAGE"],
        "DATABASE" => &["CREATE", "CONNECT", "TEMPORARY"],
        _ => &["ALL"],
    }
}

/// Applies a GRANT or REVOKE. Forms other than privileges on named objects
/// (role membership, `ON ALL TABLES IN SCHEMA`) are kept as opaque text.
pub fn grant_or_revoke(r: &mut PgReader, st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<Applied> {
    let grant = cur.eat_kw("GRANT");
    if !grant {
        cur.next();
        // REVOKE GRANT OPTION FOR privileges, REVOKE ADMIN OPTION FOR roles.
        let _ = cur.eat_kws(&["GRANT", "OPTION", "FOR"]) || cur.eat_kws(&["ADMIN", "OPTION", "FOR"]);
    }
    let at = cur.pos;
    check_privilege_list(st, cur)?;
    cur.pos = at;
    let Some(parsed) = parse(r, cur, grant) else {
        // Forms kept as text (role membership, `ON ALL TABLES IN SCHEMA`, …)
        // still name who gets (or loses) the privilege: without that the
        // statement is a mistake, not something to carry into a migration.
        let to = if grant { "TO" } else { "FROM" };
        if !names_grantee(st, to) {
            let mut end = st.cursor().map_err(|e| Error::data(e.message).at(st.location()))?;
            while !end.at_end() && end.peek() != Some(&Token::SemiColon) {
                end.next();
            }
            return Err(super::expected_at(st, &end, &format!("{to} and the roles {}", if grant { "granted to" } else { "revoked from" })));
        }
        r.opaque(st, if grant { "GRANT" } else { "REVOKE" });
        return Ok(Applied::Done);
    };
    for (privilege, object, grantee) in parsed.entries() {
        let prefix = format!("GRANT {privilege} ON {object} TO {grantee}");
        if grant {
            // Granting back a default PUBLIC privilege undoes its revocation,
            // and is then the default again, not a grant of its own.
            let revoke = format!("REVOKE {privilege} ON {object} FROM {grantee}");
            r.schema.opaque.retain(|o| !(o.kind == "REVOKE" && o.text == revoke));
            if grantee == "PUBLIC" && is_default_public(&privilege, &object) && !parsed.with_grant_option {
                continue;
            }
            let text = if parsed.with_grant_option { format!("{prefix} WITH GRANT OPTION") } else { prefix };
            if !r.schema.opaque.iter().any(|o| o.text == text) {
                r.schema.opaque.push(Opaque { kind: "GRANT".into(), text, location: st.location() });
            }
        } else {
            let before = r.schema.opaque.len();
            r.schema.opaque.retain(|o| !(o.kind == "GRANT" && (o.text == prefix || o.text.starts_with(&format!("{prefix} WITH")))));
            // Revoking what PostgreSQL grants PUBLIC by default (EXECUTE on
            // functions, USAGE on types and languages) is a state of its own.
            let revoke = format!("REVOKE {privilege} ON {object} FROM {grantee}");
            if r.schema.opaque.len() == before && grantee == "PUBLIC" && is_default_public(&privilege, &object)
                && !r.schema.opaque.iter().any(|o| o.text == revoke)
            {
                r.schema.opaque.push(Opaque { kind: "REVOKE".into(), text: revoke, location: st.location() });
            }
        }
    }
    Ok(Applied::Done)
}

struct Parsed {
    privileges: Vec<String>,
    objects: Vec<String>,
    grantees: Vec<String>,
    with_grant_option: bool,
}

impl Parsed {
    fn entries(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for o in &self.objects {
            for p in &self.privileges {
                for g in &self.grantees {
                    out.push((p.clone(), o.clone(), g.clone()));
                }
            }
        }
        out
    }
}

fn parse(r: &PgReader, cur: &mut Cursor<'_>, grant: bool) -> Option<Parsed> {
    // Privileges, each possibly with a column list: `SELECT (a, b)`.
    let mut privileges = Vec::new();
    loop {
        let mut words = Vec::new();
        while let Some(Token::Word(w)) = cur.peek() {
            if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("ON") {
                break;
            }
            words.push(w.value.to_ascii_uppercase());
            cur.next();
        }
        let privilege = words.join(" ");
        if privilege.is_empty() {
            return None;
        }
        let privilege = if privilege == "ALL PRIVILEGES" { "ALL".to_string() } else { privilege };
        if cur.peek() == Some(&Token::LParen) {
            // Column privileges are per column: pg_dump writes `SELECT(a),SELECT(b)`.
            let (a, b) = cur.paren_group()?;
            for col in cur.text[a..b].split(',') {
                let col = col.trim();
                let col = col.strip_prefix('"').and_then(|c| c.strip_suffix('"')).map_or(col.to_lowercase(), str::to_string);
                privileges.push(format!("{privilege} ({})", quote_ident(&col)));
            }
        } else {
            privileges.push(privilege);
        }
        if !cur.eat(&Token::Comma) {
            break;
        }
    }
    if !cur.eat_kw("ON") {
        return None; // role membership: GRANT role TO user
    }
    let kinds = ["TABLE", "SEQUENCE", "FUNCTION", "PROCEDURE", "ROUTINE", "SCHEMA", "TYPE", "DOMAIN", "DATABASE", "LANGUAGE"];
    let kind = kinds.iter().find(|k| cur.eat_kw(k)).copied().unwrap_or("TABLE");
    if cur.peek_kw("ALL") || cur.peek_kw("FOREIGN") || cur.peek_kw("LARGE") {
        return None;
    }
    let mut objects = Vec::new();
    loop {
        let parts = cur.object_name()?;
        let mut name = if SCHEMA_KINDS.contains(&kind) {
            r.qname_parts(&parts).to_string()
        } else {
            parts.iter().map(|p| quote_ident(p)).collect::<Vec<_>>().join(".")
        };
        if cur.peek() == Some(&Token::LParen) {
            // `f(bigint)` and `f(invoice_id bigint)` name the same function: use its signature.
            let (a, b) = cur.paren_group()?;
            let qname = r.qname_parts(&parts);
            name = match super::objects::find_function(r, &qname, Some(&cur.text[a..b])) {
                Some(signature) => signature,
                None => format!("{name}({})", cur.text[a..b].split_whitespace().collect::<Vec<_>>().join(" ")),
            };
        } else if ["FUNCTION", "PROCEDURE", "ROUTINE"].contains(&kind)
            && let Some(signature) = super::objects::find_function(r, &r.qname_parts(&parts), None) {
                name = signature;
            }
        objects.push(format!("{kind} {name}"));
        if !cur.eat(&Token::Comma) {
            break;
        }
    }
    if !(cur.eat_kw(if grant { "TO" } else { "FROM" })) {
        return None;
    }
    let mut grantees = Vec::new();
    loop {
        cur.eat_kw("GROUP");
        let g = cur.ident()?;
        grantees.push(if g == "public" { "PUBLIC".to_string() } else { quote_ident(&g) });
        if !cur.eat(&Token::Comma) {
            break;
        }
    }
    let with_grant_option = cur.eat_kws(&["WITH", "GRANT", "OPTION"]);
    // `ALL` stands for each privilege of the object kind, so that granting
    // them one by one and granting ALL compare equal.
    let privileges = privileges
        .into_iter()
        .flat_map(|p| if p == "ALL" { all_privileges(kind).iter().map(|s| s.to_string()).collect() } else { vec![p] })
        .collect();
    Some(Parsed { privileges, objects, grantees, with_grant_option })
}

/// The privileges every role has through PUBLIC unless revoked (GRANT, "PUBLIC").
fn is_default_public(privilege: &str, object: &str) -> bool {
    let kind = object.split_whitespace().next().unwrap_or("");
    matches!((privilege, kind), ("EXECUTE", "FUNCTION" | "PROCEDURE" | "ROUTINE") | ("USAGE", "TYPE" | "DOMAIN" | "LANGUAGE"))
        || matches!((privilege, kind), ("CONNECT" | "TEMPORARY", "DATABASE"))
}

/// The `KIND object` a privilege entry is about (`TABLE public.t`).
pub fn privilege_object(text: &str) -> Option<&str> {
    let (_, rest) = text.split_once(" ON ")?;
    let end = rest.rfind(" TO ").or_else(|| rest.rfind(" FROM "))?;
    Some(&rest[..end])
}

/// Dropping an object drops its privileges with it.
pub fn forget_privileges(r: &mut PgReader, kind: &str, object: &str) {
    let target = format!("{kind} {object}");
    r.schema.opaque.retain(|o| {
        !((o.kind == "GRANT" || o.kind == "REVOKE")
            && privilege_object(&o.text).is_some_and(|x| x == target || (kind == "FUNCTION" && x.starts_with(&format!("{target}(")))))
    });
}

/// The privileges PostgreSQL 15 knows (GRANT), `ALL PRIVILEGES` included.
const PRIVILEGES: &[&str] = &[
    "SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "CREATE", "CONNECT", "TEMPORARY", "TEMP",
    "EXECUTE", "USAGE", "SET", "ALTER SYSTEM", "ALL", "ALL PRIVILEGES",
];

/// What comes before `ON` is a list of privileges, each one PostgreSQL
/// knows (with an optional column list); without `ON` the statement grants
/// roles, and each item is one role name. Anything else is a typo that must
/// not be carried into a migration as opaque text.
fn check_privilege_list(st: &Stmt<'_>, cur: &mut Cursor<'_>) -> Result<()> {
    // The first of ON, TO and FROM says which kind of list this is.
    let is_privilege_list = {
        let here = cur.pos;
        while !cur.at_end() && !cur.peek_kw("ON") && !cur.peek_kw("TO") && !cur.peek_kw("FROM") {
            cur.next();
        }
        let on = cur.peek_kw("ON");
        cur.pos = here;
        on
    };
    loop {
        let start = cur.pos;
        let mut words = Vec::new();
        while let Some(Token::Word(w)) = cur.peek() {
            if w.quote_style.is_none() && ["ON", "TO", "FROM"].iter().any(|k| w.value.eq_ignore_ascii_case(k)) {
                break;
            }
            words.push(w.value.to_ascii_uppercase());
            cur.next();
        }
        if cur.peek() == Some(&Token::LParen) {
            cur.paren_group();
        }
        let item = words.join(" ");
        let bad = if is_privilege_list { !PRIVILEGES.contains(&item.as_str()) } else { words.len() > 1 };
        if words.is_empty() || bad {
            let what = if is_privilege_list { "a privilege (SELECT, INSERT, UPDATE, …) or ALL" } else { "a role name, or privileges followed by ON and the object" };
            cur.pos = start;
            let mut e = super::expected_at(st, cur, what);
            if let Some(first) = words.first()
                && let Some(help) = super::keywords::suggestion(first, PRIVILEGES, "")
            {
                e = e.help(help);
            }
            return Err(e);
        }
        if !cur.eat(&Token::Comma) {
            return Ok(());
        }
    }
}

/// Whether the statement has the key word `to` (TO or FROM) outside
/// parentheses, followed by a name.
fn names_grantee(st: &Stmt<'_>, to: &str) -> bool {
    let Ok(mut cur) = st.cursor() else { return false };
    let mut depth = 0usize;
    while !cur.at_end() {
        match cur.peek() {
            Some(Token::LParen) => depth += 1,
            Some(Token::RParen) => depth = depth.saturating_sub(1),
            _ if depth == 0 && cur.peek_kw(to) => {
                cur.next();
                return matches!(cur.peek(), Some(Token::Word(_)));
            }
            _ => {}
        }
        cur.next();
    }
    false
}
