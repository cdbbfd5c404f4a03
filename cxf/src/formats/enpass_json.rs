//! Enpass 6 JSON export: `{folders:[{uuid,title,parent_uuid,…}], items:[{uuid,title,subtitle,
//! note,category,template_type,folders:[uuid],favorite,trashed,archived,createdAt,updated_at,
//! fields:[{label,type,value,sensitive,deleted,…}]}]}`.
//!
//! Folders become collections (nested through `parent_uuid`; an item in several folders is in
//! each). Fields by `type`: the first `username` (else `email`) and the first `password` →
//! `basic-auth` (an e-mail beside a username, or on an item with no login such as an identity,
//! and further passwords go to custom fields);
//! `url` → scope URLs, `.Android#` → scope Android apps; `totp` (URI or bare secret) → `totp`; the card types
//! `ccName`, `ccNumber`, `ccCvc`, `ccPin`, `ccExpiry` (`MM/YY`), `ccValidfrom`, `ccType` →
//! `credit-card`; on identities, text fields labelled `First name`, `Middle name`, `Last name`
//! → `person-name`; every other field → `custom-fields` (concealed when `sensitive`, e-mail and
//! date types kept), one credential per `section` field (labelled with it). `note` → `note`,
//! `subtitle` → the item subtitle, `favorite` → favourite, `archived` → the tag `Archived`,
//! `createdAt`/`updated_at` (seconds) → item times. Trashed items are skipped and reported,
//! fields marked `deleted` (Enpass keeps them for its history) are not carried and reported; attachments, field history and every
//! other member with a value the reader does not map are named in the loss report.

use crate::formats::util;
use serde_json::Value;

use crate::formats::apple_csv::push_totp;
use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util::members::{Unmapped, report_unmapped};
use crate::formats::util::time;
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{Credential, CreditCard, Document, EditableField, FieldType, PersonName, Text};

const F: Format = Format::EnpassJson;

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A 0/1 (or boolean) flag.
fn flag(v: &Value, key: &str) -> bool {
    match v.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n != 0.0),
        Some(Value::String(t)) => build::truthy(t),
        _ => false,
    }
}

/// Item members the reader maps; `category`/`template_type` name the Enpass template (the
/// fields carry the values), `icon` is how Enpass draws the item, `auto_submit` an autofill
/// setting, `uuid` the id.
const ITEM_MAPPED: &[&str] = &[
    "uuid",
    "title",
    "subtitle",
    "note",
    "category",
    "template_type",
    "folders",
    "favorite",
    "icon",
    "auto_submit",
    "updated_at",
    "createdAt",
    "trashed",
    "archived",
    "fields",
];

/// Field members the reader maps; `order` is the display order (the array's), `uid` the
/// field's id, `updated_at`/`value_updated_at` edit times, `wearable` whether a watch shows it,
/// `deleted` is handled (skipped and reported).
const FIELD_MAPPED: &[&str] = &[
    "label",
    "type",
    "value",
    "sensitive",
    "deleted",
    "order",
    "uid",
    "updated_at",
    "value_updated_at",
    "wearable",
];

/// Folder members the reader maps; `icon` is how Enpass draws it.
const FOLDER_MAPPED: &[&str] = &["uuid", "title", "parent_uuid", "updated_at", "icon"];

/// Reads an Enpass JSON export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let top: Value = util::json::parse(bytes, F)?;
    let items = top
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| ReadError::syntax(F, "no `items` array"))?;
    let folders: Vec<&Value> = top
        .get("folders")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let mut acc = AccountBuilder::new(F, "");
    for f in &folders {
        let r = ItemRef {
            title: Some(s(f, "title")),
            ..ItemRef::default()
        };
        report_unmapped(f, "folders[]", FOLDER_MAPPED, &r, F, loss);
        let p = util::json::folder_path(&folders, s(f, "uuid"), "parent_uuid");
        let updated = f
            .get("updated_at")
            .and_then(Value::as_u64)
            .filter(|t| *t > 0);
        acc.set_collection_details(&p, None, updated, None);
    }
    for (index, it) in items.iter().enumerate() {
        read_item(it, index, &folders, &mut acc, loss);
    }
    Ok(build::document(F, vec![acc.finish()], options))
}

/// A value as text: strings as they are, numbers printed.
fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// An Enpass Android app field (`androidapp://PACKAGE`, `androidapp://HASH==@PACKAGE`, an
/// `android://HASH@PACKAGE/` realm, or a bare package name) as a scope Android app.
fn add_android(item: &mut crate::Item, value: &str) {
    let v = value.trim();
    if v.starts_with("android://") {
        crate::formats::chrome_csv::add_chrome_url(item, v);
        return;
    }
    let rest = v.strip_prefix("androidapp://").unwrap_or(v);
    let package = rest
        .rsplit('@')
        .next()
        .unwrap_or(rest)
        .trim_end_matches('/');
    if package.is_empty() {
        return;
    }
    let scope = item.scope.get_or_insert_with(Default::default);
    scope.android_apps.push(crate::AndroidAppId {
        bundle_id: Text::from(package),
        ..Default::default()
    });
}

/// An expiry such as `08/27` or `08/2027` as `YYYY-MM`.
fn expiry(v: &str) -> Option<String> {
    let (m, y) = v.trim().split_once('/')?;
    time::year_month(m, y)
}

fn read_item(
    it: &Value,
    index: usize,
    folders: &[&Value],
    acc: &mut AccountBuilder,
    loss: &mut LossReport,
) {
    let title = s(it, "title");
    if flag(it, "trashed") {
        loss.add(
            &ItemRef::new(index, title),
            "item",
            LossReason::Skipped,
            "item is in the trash",
        );
        return;
    }
    let uuid = s(it, "uuid");
    let id = acc.item_id(Some(uuid.as_bytes()), index);
    let mut u = Unmapped::new();
    u.check(it, "", ITEM_MAPPED);
    let fields: Vec<&Value> = it
        .get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let first_url = fields
        .iter()
        .find(|f| s(f, "type") == "url" && !flag(f, "deleted"))
        .map_or("", |f| s(f, "value"));
    let title = build::title_or_host(title, first_url);
    let r = ItemRef::new(index, title).with_item(&id);
    let mut item = build::item(id.clone(), title);
    let subtitle = s(it, "subtitle").trim();
    if !subtitle.is_empty() {
        item.subtitle = Some(Text::from(subtitle));
    }
    item.creation_at = it
        .get("createdAt")
        .and_then(Value::as_u64)
        .filter(|t| *t > 0);
    item.modified_at = it
        .get("updated_at")
        .and_then(Value::as_u64)
        .filter(|t| *t > 0);
    if flag(it, "favorite") {
        item.favorite = Some(true);
    }
    if flag(it, "archived") {
        item.tags.push(Text::from("Archived"));
    }

    let mut username = String::new();
    let mut email = String::new();
    // Where the first e-mail stood (label, section), for when it is not the username.
    let mut email_at = (String::new(), 0usize);
    let mut password = String::new();
    let mut totps: Vec<String> = Vec::new();
    let mut card = CreditCard::default();
    let mut name = PersonName::default();
    let identity = s(it, "category") == "identity";
    // Custom fields grouped by section: (section label, fields).
    let mut groups: Vec<(String, Vec<EditableField>)> = vec![(String::new(), Vec::new())];
    let mut deleted = 0usize;
    for f in &fields {
        u.check(f, "fields[]", FIELD_MAPPED);
        let kind = s(f, "type");
        let label = s(f, "label");
        let value = text(f.get("value"));
        if kind == "section" {
            groups.push((label.to_owned(), Vec::new()));
            continue;
        }
        if value.trim().is_empty() {
            continue;
        }
        if flag(f, "deleted") {
            deleted += 1;
            continue;
        }
        let sensitive = flag(f, "sensitive");
        let mut custom = |ft: FieldType, value: &str| {
            if let Some((_, g)) = groups.last_mut() {
                g.extend(build::labelled(label, ft, value));
            }
        };
        let slot = |slot: &mut Option<EditableField>, ft: FieldType| -> bool {
            if slot.is_some() {
                return false;
            }
            *slot = build::field(ft, &value);
            true
        };
        match kind {
            "username" if username.is_empty() => username = value,
            "email" if email.is_empty() => {
                email_at = (label.to_owned(), groups.len() - 1);
                email = value;
            }
            "password" if password.is_empty() => password = value,
            "url" => build::add_urls(&mut item, [value.as_str()]),
            ".Android#" => add_android(&mut item, &value),
            "totp" => totps.push(value),
            "ccName" if slot(&mut card.full_name, FieldType::String) => {}
            "ccNumber" if slot(&mut card.number, FieldType::ConcealedString) => {}
            "ccCvc" if slot(&mut card.verification_number, FieldType::ConcealedString) => {}
            "ccPin" if slot(&mut card.pin, FieldType::ConcealedString) => {}
            "ccType" if slot(&mut card.card_type, FieldType::String) => {}
            "ccExpiry" if card.expiry_date.is_none() && expiry(&value).is_some() => {
                card.expiry_date =
                    expiry(&value).and_then(|e| build::field(FieldType::YearMonth, &e));
            }
            "ccValidfrom" if card.valid_from.is_none() && expiry(&value).is_some() => {
                card.valid_from =
                    expiry(&value).and_then(|e| build::field(FieldType::YearMonth, &e));
            }
            // Enpass's identity template stores names as text fields labelled in English.
            "text"
                if identity
                    && label.eq_ignore_ascii_case("first name")
                    && slot(&mut name.given, FieldType::String) => {}
            "text"
                if identity
                    && label.eq_ignore_ascii_case("middle name")
                    && slot(&mut name.given2, FieldType::String) => {}
            "text"
                if identity
                    && label.eq_ignore_ascii_case("last name")
                    && slot(&mut name.surname, FieldType::String) => {}
            "email" => custom(FieldType::Email, &value),
            "date" => {
                let date = value
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .map(time::date_from_unix)
                    .or_else(|| time::normalize_date(&value));
                match date {
                    Some(d) => custom(FieldType::Date, &d),
                    None => custom(FieldType::String, &value),
                }
            }
            _ if sensitive || matches!(kind, "password" | "pin" | "ccTxnpassword") => {
                custom(FieldType::ConcealedString, &value)
            }
            _ => custom(FieldType::String, &value),
        }
    }
    if deleted > 0 {
        loss.add(
            &r,
            "fields[].deleted",
            LossReason::NoEquivalent,
            format!(
                "{deleted} field{} deleted in Enpass (kept in its history) not carried",
                if deleted == 1 { "" } else { "s" }
            ),
        );
    }
    // An e-mail is the login's username only on an item with a login (not on an identity).
    let login = !username.is_empty()
        || !password.is_empty()
        || matches!(s(it, "category"), "login" | "password");
    let user = if username.is_empty() && login {
        &email
    } else {
        &username
    };
    item.credentials.extend(build::basic_auth(user, &password));
    if user != &email {
        let (label, at) = &email_at;
        groups[*at]
            .1
            .extend(build::labelled(label, FieldType::Email, &email));
    }
    for t in &totps {
        push_totp(&mut item.credentials, t, user, &r, "fields[].totp", loss);
    }
    if card != CreditCard::default() {
        item.credentials.push(Credential::from(card));
    }
    if name != PersonName::default() {
        item.credentials.push(Credential::from(name));
    }
    item.credentials.extend(build::note(s(it, "note")));
    for (label, fields) in groups {
        item.credentials
            .extend(build::custom_fields(Some(&label), fields));
    }
    u.report(&r, F, loss);
    if build::push_unless_empty(acc, item, index, loss) {
        for uuid in it
            .get("folders")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let p = util::json::folder_path(folders, uuid, "parent_uuid");
            acc.add_to_collection(&p, &id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_expiries() {
        assert_eq!(expiry("08/27").as_deref(), Some("2027-08"));
        assert_eq!(expiry(" 8/2031 ").as_deref(), Some("2031-08"));
        assert_eq!(expiry("soon"), None);
    }
}
