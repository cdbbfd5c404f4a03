//! Keeper JSON export: `{shared_folders:[…], records:[…]}`.
//!
//! A record's `login`/`password` → `basic-auth` (a Wi-Fi record's password → `wifi`),
//! `login_url` → scope URL, `notes` → `note`, `last_modified` (seconds; milliseconds accepted)
//! → `modifiedAt`. `custom_fields` keys are `$type:label[:n]` (newer exports drop the `:n`
//! index; the oldest have plain labels): `$oneTimeCode` (and the `TFC:Keeper` label) → `totp`;
//! unlabelled `$url` → scope URLs; `$paymentCard` + `cardholderName` + `$pinCode` →
//! `credit-card`; `$address` → `address`; `$name` → `person-name`, or the full name of the
//! record's document (`passport`, `drivers-license`, `identity-document` for passport,
//! driverLicense and ssnCard records, with their number, birth, issue and expiry dates);
//! `$keyPair` → `ssh-key` (PKCS#1 converted; the public key is derived from the private one);
//! `$note` → a second `note`; every other value (phones, hosts, bank accounts, e-mails, dates,
//! labelled URLs, texts, secrets) → `custom-fields`, concealed for `$secret`, `$password`,
//! `$pinCode`, `$keyPair` and account numbers. Dates are milliseconds since the epoch, taken as
//! the nearest day (Keeper stores a local midnight). Folder paths use `\` (`\\` a literal
//! backslash); `folder` and `shared_folder` entries both become collections, and every
//! `shared_folders` path becomes a collection even when empty. Sharing permissions, record
//! `references` and `$fileRef` links are reported; records holding only a title (Keeper's file
//! and photo records, whose files are not in the export) are skipped and reported.

use crate::formats::util;
use base64::Engine as _;
use serde_json::{Map, Value};

use crate::formats::apple_csv::push_totp;
use crate::formats::bitwarden_json::{key_loss_detail, key_loss_reason};
use crate::formats::build::{self, AccountBuilder};
use crate::formats::keeper_csv::path;
use crate::formats::loss::ItemRef;
use crate::formats::util::keys;
use crate::formats::util::members::{Unmapped, report_unmapped};
use crate::formats::util::time;
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{
    Address, Credential, CreditCard, Document, DriversLicense, EditableField, FieldType,
    IdentityDocument, Item, Passport, PersonName, SecretB64, SshKey, Text, Wifi,
};

const F: Format = Format::KeeperJson;

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Record members the reader maps; `schema` lists the field slots of the record type (no
/// values).
const RECORD_MAPPED: &[&str] = &[
    "uid",
    "title",
    "$type",
    "login",
    "password",
    "login_url",
    "notes",
    "last_modified",
    "custom_fields",
    "folders",
    "schema",
];

/// Members of a record's `folders[]` entry the reader maps (`can_edit`/`can_share` are
/// permissions, reported).
const FOLDER_MAPPED: &[&str] = &["folder", "shared_folder"];

/// Members of a `shared_folders[]` entry the reader maps; `uid` is Keeper's id of the folder.
const SHARED_FOLDER_MAPPED: &[&str] = &["path", "uid"];

/// Reads a Keeper JSON export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let top: Value = util::json::parse(bytes, F)?;
    let records = top
        .get("records")
        .and_then(Value::as_array)
        .ok_or_else(|| ReadError::syntax(F, "no `records` array"))?;
    let mut acc = AccountBuilder::new(F, "");
    for sf in top
        .get("shared_folders")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let p = s(sf, "path");
        acc.ensure_collection(&path(p));
        let r = ItemRef {
            title: Some(p),
            ..ItemRef::default()
        };
        report_unmapped(sf, "shared_folders[]", SHARED_FOLDER_MAPPED, &r, F, loss);
    }
    for (index, rec) in records.iter().enumerate() {
        read_record(rec, index, &mut acc, loss);
    }
    if let Some(obj) = top.as_object() {
        for (k, v) in obj {
            if !matches!(k.as_str(), "records" | "shared_folders")
                && !crate::formats::util::members::is_empty(v)
            {
                loss.add(
                    &ItemRef::default(),
                    k.as_str(),
                    LossReason::Unsupported,
                    format!("the Keeper JSON reader does not convert the top-level member {k:?}"),
                );
            }
        }
    }
    Ok(build::document(F, vec![acc.finish()], options))
}

/// A custom-field key split into (type without `$`, label); plain labels (the oldest
/// exports) have an empty type.
fn split_key(key: &str) -> (&str, &str) {
    let Some(rest) = key.strip_prefix('$') else {
        return ("", key);
    };
    let (kind, label) = rest.split_once(':').unwrap_or((rest, ""));
    let label = match label.rsplit_once(':') {
        Some((l, n)) if n.bytes().all(|b| b.is_ascii_digit()) => l,
        _ if label.bytes().all(|b| b.is_ascii_digit()) => "",
        _ => label,
    };
    (kind, label)
}

/// A Keeper date (milliseconds since the epoch, a local midnight) as `YYYY-MM-DD`: the nearest
/// day boundary, so midnights of time zones from UTC-12 to UTC+12 give their own date.
fn date(v: &Value) -> Option<String> {
    let ms = v
        .as_i64()
        .or_else(|| v.as_str().and_then(|t| t.trim().parse().ok()))?;
    Some(time::date_from_unix(ms.div_euclid(1000) + 43_200))
}

/// A value as text: strings as they are, numbers and booleans printed.
fn text(v: &Value) -> String {
    match v {
        Value::String(t) => t.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// What the record type makes of its typed values.
#[derive(Default)]
struct Typed {
    card: CreditCard,
    name: Option<String>,
    number: String,
    birth: Option<String>,
    issue: Option<String>,
    expiry: Option<String>,
    ssid: String,
}

fn read_record(rec: &Value, index: usize, acc: &mut AccountBuilder, loss: &mut LossReport) {
    let url = s(rec, "login_url");
    let title = build::title_or_host(s(rec, "title"), url);
    let raw_id = match rec.get("uid") {
        Some(Value::String(u)) => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(u)
            .ok()
            .filter(|b| b.len() == 16)
            .or_else(|| Some(u.as_bytes().to_vec())),
        Some(Value::Number(n)) => Some(n.to_string().into_bytes()),
        _ => None,
    };
    let id = acc.item_id(raw_id.as_deref(), index);
    let r = ItemRef::new(index, title).with_item(&id);
    let kind = s(rec, "$type");
    let mut u = Unmapped::new();
    u.check(rec, "", RECORD_MAPPED);
    let mut item = build::item(id.clone(), title);
    item.modified_at = rec
        .get("last_modified")
        .and_then(Value::as_u64)
        .map(|t| if t > 100_000_000_000 { t / 1000 } else { t });
    build::add_urls(&mut item, [url]);
    let user = s(rec, "login");
    let password = s(rec, "password");
    let mut custom: Vec<EditableField> = Vec::new();
    let mut typed = Typed::default();
    let mut creds: Vec<Credential> = Vec::new();
    let empty = Map::new();
    let fields = rec
        .get("custom_fields")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (key, v) in fields {
        custom_field(
            key,
            v,
            kind,
            user,
            &mut item,
            &mut typed,
            &mut creds,
            &mut custom,
            &r,
            &mut u,
            loss,
        );
    }
    if kind == "wifiCredentials" {
        let ssid = std::mem::take(&mut typed.ssid);
        item.credentials.extend(build::basic_auth(user, ""));
        if !ssid.is_empty() || !password.is_empty() {
            item.credentials.push(
                Wifi {
                    ssid: build::field(FieldType::String, &ssid),
                    passphrase: build::field(FieldType::ConcealedString, password),
                    ..Wifi::default()
                }
                .into(),
            );
        }
    } else {
        item.credentials.extend(build::basic_auth(user, password));
    }
    if !typed.ssid.is_empty() {
        custom.extend(build::labelled("SSID", FieldType::String, &typed.ssid));
    }
    document(kind, &mut typed, &mut item, &mut custom);
    item.credentials.extend(creds);
    item.credentials.extend(build::note(s(rec, "notes")));
    item.credentials.extend(build::custom_fields(None, custom));
    for f in rec
        .get("folders")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        u.check(f, "folders[]", FOLDER_MAPPED);
    }
    u.report(&r, F, loss);
    if build::push_unless_empty(acc, item, index, loss) {
        for f in rec
            .get("folders")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for p in [s(f, "folder"), s(f, "shared_folder")] {
                acc.add_to_collection(&path(p), &id);
            }
        }
    }
}

/// The document of a passport, driverLicense or ssnCard record; on other records the typed
/// values gathered go to custom fields.
fn document(kind: &str, t: &mut Typed, item: &mut Item, custom: &mut Vec<EditableField>) {
    let f = |v: &str| build::field(FieldType::String, v);
    let d = |v: &Option<String>| v.as_deref().and_then(|v| build::field(FieldType::Date, v));
    let full = t.name.as_deref().and_then(f);
    let cred: Option<Credential> = match kind {
        "passport" => Some(
            Passport {
                passport_number: f(&t.number),
                full_name: full,
                birth_date: d(&t.birth),
                issue_date: d(&t.issue),
                expiry_date: d(&t.expiry),
                ..Passport::default()
            }
            .into(),
        ),
        "driverLicense" => Some(
            DriversLicense {
                license_number: f(&t.number),
                full_name: full,
                birth_date: d(&t.birth),
                issue_date: d(&t.issue),
                expiry_date: d(&t.expiry),
                ..DriversLicense::default()
            }
            .into(),
        ),
        "ssnCard" => Some(
            IdentityDocument {
                identification_number: f(&t.number),
                full_name: full,
                birth_date: d(&t.birth),
                issue_date: d(&t.issue),
                expiry_date: d(&t.expiry),
                ..IdentityDocument::default()
            }
            .into(),
        ),
        _ => {
            for (label, v) in [
                ("Birth date", &t.birth),
                ("Issue date", &t.issue),
                ("Expiration date", &t.expiry),
            ] {
                if let Some(v) = v {
                    custom.extend(build::labelled(label, FieldType::Date, v));
                }
            }
            None
        }
    };
    item.credentials.extend(cred);
    let card = std::mem::take(&mut t.card);
    if card != CreditCard::default() {
        item.credentials.push(card.into());
    }
}

/// The known members of Keeper's object-valued fields.
fn object_members(kind: &str) -> &'static [&'static str] {
    match kind {
        "name" => &["first", "middle", "last"],
        "address" => &["street1", "street2", "city", "state", "zip", "country"],
        "paymentCard" => &["cardNumber", "cardExpirationDate", "cardSecurityCode"],
        "phone" => &["number", "ext", "type", "region"],
        "keyPair" => &["publicKey", "privateKey"],
        "host" => &["hostName", "port"],
        "bankAccount" => &["accountType", "routingNumber", "accountNumber", "otherType"],
        _ => &[],
    }
}

#[allow(clippy::too_many_arguments)]
fn custom_field(
    key: &str,
    v: &Value,
    record_kind: &str,
    user: &str,
    item: &mut Item,
    t: &mut Typed,
    creds: &mut Vec<Credential>,
    custom: &mut Vec<EditableField>,
    r: &ItemRef<'_>,
    u: &mut Unmapped,
    loss: &mut LossReport,
) {
    let (kind, label) = split_key(key);
    let what = format!("custom_fields.{key}");
    // Objects (and arrays of them) of a known kind: check their members.
    let known = object_members(kind);
    let values: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    if !known.is_empty() {
        for o in &values {
            u.check(o, &what, known);
        }
    }
    let shown = |fallback: &str| -> String {
        if label.is_empty() {
            fallback.to_owned()
        } else {
            label.to_owned()
        }
    };
    let plain = |v: &Value, ft: FieldType, l: &str, custom: &mut Vec<EditableField>| {
        custom.extend(build::labelled(l, ft, &text(v)));
    };
    for v in values {
        match (kind, label) {
            ("", "TFC:Keeper") | ("oneTimeCode", _) => {
                push_totp(&mut item.credentials, &text(v), user, r, &what, loss);
            }
            ("url", "") => build::add_urls(item, [text(v).as_str()]),
            ("paymentCard", _) => {
                t.card.number = build::field(FieldType::ConcealedString, s(v, "cardNumber"));
                t.card.verification_number =
                    build::field(FieldType::ConcealedString, s(v, "cardSecurityCode"));
                let exp = s(v, "cardExpirationDate");
                match exp
                    .split_once('/')
                    .and_then(|(m, y)| time::year_month(m, y))
                {
                    Some(ym) => t.card.expiry_date = build::field(FieldType::YearMonth, &ym),
                    None => {
                        custom.extend(build::labelled("Expiration date", FieldType::String, exp))
                    }
                }
            }
            ("text", "cardholderName") if record_kind == "bankCard" => {
                t.card.full_name = build::field(FieldType::String, &text(v));
            }
            ("pinCode", _) if record_kind == "bankCard" => {
                t.card.pin = build::field(FieldType::ConcealedString, &text(v));
            }
            ("text", "SSID") if t.ssid.is_empty() => t.ssid = text(v),
            ("name", _) => {
                let full: Vec<&str> = ["first", "middle", "last"]
                    .iter()
                    .map(|k| s(v, k).trim())
                    .filter(|p| !p.is_empty())
                    .collect();
                if matches!(record_kind, "passport" | "driverLicense" | "ssnCard")
                    && t.name.is_none()
                    && label.is_empty()
                {
                    t.name = Some(full.join(" "));
                } else {
                    let name = PersonName {
                        given: build::field(FieldType::String, s(v, "first")),
                        given2: build::field(FieldType::String, s(v, "middle")),
                        surname: build::field(FieldType::String, s(v, "last")),
                        ..PersonName::default()
                    };
                    if name != PersonName::default() {
                        creds.push(name.into());
                    }
                }
            }
            ("address", _) => {
                let street = [s(v, "street1"), s(v, "street2")]
                    .iter()
                    .map(|p| p.trim())
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join("\n");
                let (state, country) = (s(v, "state"), s(v, "country"));
                let (territory, country) =
                    build::place(state, country, ["State", "Country"], custom);
                let address = Address {
                    street_address: build::field(FieldType::String, &street),
                    city: build::field(FieldType::String, s(v, "city")),
                    postal_code: build::field(FieldType::String, s(v, "zip")),
                    territory,
                    country,
                    ..Address::default()
                };
                if address != Address::default() {
                    creds.push(address.into());
                }
            }
            ("keyPair", _) => {
                let private = s(v, "privateKey");
                let mut keep_public = private.trim().is_empty();
                if !private.trim().is_empty() {
                    match keys::private_key_to_pkcs8(private) {
                        Ok(key) => creds.push(
                            SshKey {
                                key_type: Text::from(key.algorithm.ssh_name()),
                                private_key: SecretB64::encode(&key.pkcs8),
                                key_comment: (!key.comment.is_empty())
                                    .then(|| Text::from(key.comment.as_str())),
                                ..SshKey::default()
                            }
                            .into(),
                        ),
                        Err(e) => {
                            loss.add(
                                r,
                                format!("{what}.privateKey"),
                                key_loss_reason(e),
                                format!("{}; kept as a concealed custom field", key_loss_detail(e)),
                            );
                            custom.extend(build::labelled(
                                "Private key",
                                FieldType::ConcealedString,
                                private,
                            ));
                            keep_public = true;
                        }
                    }
                }
                if keep_public {
                    custom.extend(build::labelled(
                        "Public key",
                        FieldType::String,
                        s(v, "publicKey"),
                    ));
                }
            }
            ("phone", _) => {
                let l = if label.is_empty() {
                    match s(v, "type") {
                        "" => "Phone".to_owned(),
                        ty => ty.to_owned(),
                    }
                } else {
                    label.to_owned()
                };
                if v.is_object() {
                    custom.extend(build::labelled(&l, FieldType::String, s(v, "number")));
                    custom.extend(build::labelled(
                        &format!("{l} extension"),
                        FieldType::String,
                        s(v, "ext"),
                    ));
                    custom.extend(build::labelled(
                        &format!("{l} region"),
                        FieldType::String,
                        s(v, "region"),
                    ));
                    if !label.is_empty() {
                        custom.extend(build::labelled(
                            &format!("{l} type"),
                            FieldType::String,
                            s(v, "type"),
                        ));
                    }
                } else {
                    plain(v, FieldType::String, &l, custom);
                }
            }
            ("host", _) => {
                let l = shown("Host");
                custom.extend(build::labelled(&l, FieldType::String, s(v, "hostName")));
                custom.extend(build::labelled(
                    &format!("{l} port"),
                    FieldType::String,
                    &text(v.get("port").unwrap_or(&Value::Null)),
                ));
            }
            ("bankAccount", _) => {
                let l = shown("Bank account");
                for (m, sub, ft) in [
                    ("accountType", "type", FieldType::String),
                    ("otherType", "other type", FieldType::String),
                    ("routingNumber", "routing number", FieldType::String),
                    (
                        "accountNumber",
                        "account number",
                        FieldType::ConcealedString,
                    ),
                ] {
                    custom.extend(build::labelled(&format!("{l} {sub}"), ft, s(v, m)));
                }
            }
            ("accountNumber", "passportNumber" | "dlNumber" | "identityNumber")
                if matches!(record_kind, "passport" | "driverLicense" | "ssnCard")
                    && t.number.is_empty() =>
            {
                t.number = text(v);
            }
            ("birthDate", "") if t.birth.is_none() => t.birth = date(v),
            ("expirationDate", "") if t.expiry.is_none() => t.expiry = date(v),
            ("date", "dateIssued") if t.issue.is_none() => t.issue = date(v),
            ("date" | "birthDate" | "expirationDate", _) => match date(v) {
                Some(d) => custom.extend(build::labelled(
                    &shown(&camel_words(kind)),
                    FieldType::Date,
                    &d,
                )),
                None => plain(v, FieldType::String, &shown(&camel_words(kind)), custom),
            },
            ("note", _) => creds.extend(build::note(&text(v))),
            ("email", _) => plain(v, FieldType::Email, &shown("Email"), custom),
            ("fileRef", _) => loss.add(
                r,
                &what,
                LossReason::Unsupported,
                "a link to a Keeper file attachment; the export holds no file",
            ),
            ("secret" | "password" | "pinCode" | "accountNumber" | "licenseNumber", _) => plain(
                v,
                FieldType::ConcealedString,
                &shown(&camel_words(kind)),
                custom,
            ),
            ("", l) => {
                let ft = if crate::formats::keeper_csv::concealed(l) {
                    FieldType::ConcealedString
                } else {
                    FieldType::String
                };
                plain(v, ft, l, custom);
            }
            (_, _) => match v {
                Value::Object(o) => {
                    // An object kind this reader does not know: its scalar members, labelled.
                    let l = shown(&camel_words(kind));
                    for (m, mv) in o {
                        if mv.is_object() || mv.is_array() {
                            if !crate::formats::util::members::is_empty(mv) {
                                loss.add(
                                    r,
                                    format!("{what}.{m}"),
                                    LossReason::Unsupported,
                                    "a nested value of a Keeper field kind the reader does not know",
                                );
                            }
                        } else {
                            plain(mv, FieldType::String, &format!("{l} {m}"), custom);
                        }
                    }
                }
                _ => plain(v, FieldType::String, &shown(&camel_words(kind)), custom),
            },
        }
    }
}

/// `expirationDate` → `Expiration date`: a field kind as a label.
fn camel_words(kind: &str) -> String {
    let mut out = String::new();
    for (i, c) in kind.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else if c.is_uppercase() {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_and_without_index() {
        assert_eq!(
            split_key("$text:cardholderName:1"),
            ("text", "cardholderName")
        );
        assert_eq!(
            split_key("$text:cardholderName"),
            ("text", "cardholderName")
        );
        assert_eq!(split_key("$name::1"), ("name", ""));
        assert_eq!(split_key("$host"), ("host", ""));
        assert_eq!(split_key("TFC:Keeper"), ("", "TFC:Keeper"));
        assert_eq!(split_key("$text:a:b"), ("text", "a:b"));
    }

    #[test]
    fn dates_are_the_nearest_midnight() {
        // 1990-07-22 00:00 in UTC+2.
        assert_eq!(
            date(&Value::from(648_597_600_000_i64)).unwrap(),
            "1990-07-22"
        );
        // 2024-10-15 00:00 in UTC-7.
        assert_eq!(
            date(&Value::from(1_728_975_600_000_i64)).unwrap(),
            "2024-10-15"
        );
        assert_eq!(camel_words("expirationDate"), "Expiration date");
    }
}
