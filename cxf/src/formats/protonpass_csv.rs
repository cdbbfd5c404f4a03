//! Proton Pass CSV: `type,name,url,email,username,password,note,totp,createTime,modifyTime,vault`
//! (older exports lack `email` and `vault`), CRLF, columns matched by name.
//!
//! Logins → `basic-auth` (the username, else the e-mail; when both exist the e-mail goes to a
//! custom field, as in the JSON reader) + `totp` (URI or bare secret) + scope URLs (several are
//! joined with `", "`) + `note`. Notes → `note`. Aliases → `basic-auth` with the alias address
//! (the `email` cell; reported: CXF has no alias). For every other type the `note` cell holds the
//! item's whole content as JSON: credit cards → `credit-card`, identities → `person-name`,
//! `address`, `passport`, `drivers-license`, `identity-document` and custom fields (one
//! `custom-fields` per extra section), the content's own `note` → `note`; the mapping is the one
//! of the Proton Pass JSON reader. Members of that JSON the reader does not map are named as
//! `note.<member>`; item types it does not know are reported. `createTime`/`modifyTime` (Unix
//! seconds) become `creationAt`/`modifiedAt`; `vault` becomes a collection.

use serde_json::Value;

use crate::formats::apple_csv::push_totp;
use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::protonpass_json::{content_mapped, credit_card, extra_sections, identity};
use crate::formats::util::members::Unmapped;
use crate::formats::util::tabular::{self, Table};
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{Document, EditableField, FieldType};

const F: Format = Format::ProtonpassCsv;

/// Reads a Proton Pass CSV export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let table = Table::parse(tabular::text(bytes, F)?, F)?;
    if !table.has_all(&["type", "name", "url", "username", "password", "note"]) {
        return Err(ReadError::syntax(
            F,
            "header must have type, name, url, username, password and note columns",
        ));
    }
    let (kind, name, url, email, user, pass, note, totp, created, modified, vault) = (
        table.col("type"),
        table.col("name"),
        table.col("url"),
        table.col("email"),
        table.col("username"),
        table.col("password"),
        table.col("note"),
        table.col("totp"),
        table.col("createtime"),
        table.col("modifytime"),
        table.col("vault"),
    );
    let mut acc = AccountBuilder::new(F, "");
    for row in table.rows.iter().filter(|r| !r.is_blank()) {
        let kind = row.get(kind).trim();
        let u = row.get(url);
        let id = acc.item_id(None, row.index);
        let mut item = build::item(id.clone(), build::title_or_host(row.get(name), u));
        let title = item.title.to_string();
        let r = ItemRef::new(row.index, &title).with_item(&id);
        build::add_urls(&mut item, u.split(", "));
        item.creation_at = seconds(row.get(created), "createTime", &r, loss);
        item.modified_at = seconds(row.get(modified), "modifyTime", &r, loss);
        let (user, mail) = (row.get(user), row.get(email));
        let mut custom: Vec<EditableField> = Vec::new();
        let username = if kind == "alias" || user.is_empty() {
            mail
        } else {
            custom.extend(build::labelled("Email", FieldType::Email, mail));
            user
        };
        item.credentials
            .extend(build::basic_auth(username, row.get(pass)));
        push_totp(
            &mut item.credentials,
            row.get(totp),
            username,
            &r,
            "totp",
            loss,
        );
        if kind == "alias" && !mail.is_empty() {
            loss.add(
                &r,
                "email",
                LossReason::NoEquivalent,
                "CXF has no e-mail alias; the address was kept as the login's username",
            );
        }
        let cell = row.get(note);
        let content = match kind {
            "login" | "note" | "alias" => None,
            _ => serde_json::from_str::<Value>(cell)
                .ok()
                .filter(Value::is_object),
        };
        let mut unmapped = Unmapped::new();
        match &content {
            None => item.credentials.extend(build::note(cell)),
            Some(content) => {
                read_content(kind, content, &mut item, &mut custom, &mut unmapped);
                if let Some(n) = content.get("note").and_then(Value::as_str) {
                    item.credentials.extend(build::note(n));
                }
            }
        }
        if !matches!(kind, "login" | "note" | "alias" | "creditCard" | "identity") {
            loss.add(
                &r,
                "type",
                LossReason::Unsupported,
                format!("item type {kind:?} not converted; kept its name, note and fields"),
            );
        }
        item.credentials.extend(build::custom_fields(None, custom));
        if let Some(content) = &content {
            extra_sections(content, "note", &mut item, &mut unmapped);
        }
        unmapped.report(&r, F, loss);
        if build::push_unless_empty(&mut acc, item, row.index, loss) {
            acc.add_to_collection(&[row.get(vault)], &id);
        }
    }
    table.report_unread(F, loss);
    Ok(build::document(F, vec![acc.finish()], options))
}

/// Maps the JSON content of a credit card or identity (the `note` cell) into `item`; members
/// not mapped are noted under `note.`.
fn read_content(
    kind: &str,
    content: &Value,
    item: &mut crate::Item,
    custom: &mut Vec<EditableField>,
    u: &mut Unmapped,
) {
    match kind {
        "creditCard" => {
            item.credentials.push(credit_card(content));
            u.check(
                content,
                "note",
                &[content_mapped(kind), &["note", "extraSections"]].concat(),
            );
        }
        "identity" => {
            let mut fields = content.clone();
            if let Some(o) = fields.as_object_mut() {
                o.remove("note");
            }
            // Every string member and `extra*` list is carried (see `identity`).
            let carried: Vec<&str> = content
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, v)| v.is_string() || (v.is_array() && k.starts_with("extra")))
                .map(|(k, _)| k.as_str())
                .collect();
            u.check(content, "note", &carried);
            identity(&fields, item, custom, u);
        }
        _ => u.check(content, "note", &["note", "extraSections"]),
    }
}

/// Unix seconds of a cell; a malformed value is reported.
fn seconds(v: &str, what: &str, r: &ItemRef<'_>, loss: &mut LossReport) -> Option<u64> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let t = v.parse::<u64>().ok();
    if t.is_none() {
        loss.add(
            r,
            what,
            LossReason::InvalidValue,
            "not a Unix time in seconds",
        );
    }
    t
}
