//! 1Password Interchange Format (1PIF, 1Password 4–7): one JSON record per line, records
//! separated by `***5642bee8-a5ff-11dc-8314-0800200c9a66***` lines (a UTF-8 BOM and CRLF are
//! common).
//!
//! `system.folder.Regular` records become collections (nested through their `folderUuid`);
//! every other record is an item in its folder. `title`, `createdAt`/`updatedAt` (seconds),
//! `faveIndex` (favourite) and `openContents.tags` map to the item; `location` and
//! `secureContents.URLs` to scope URLs; `notesPlain` to `note`. The web-form `fields` with the
//! `username`/`password` designation (and a password record's `password`) → `basic-auth`, the
//! other captured form fields → `custom-fields`. Section fields (`n` name, `t` label, `k` kind,
//! `v` value) → `totp` for `TOTP_…` names, else the typed credential of the record type
//! (`wallet.financial.CreditCard` → `credit-card`, `identities.Identity` → `person-name` +
//! `address`, `wallet.government.Passport` → `passport`, `…DriversLicense` →
//! `drivers-license`, `…SsnUS` → `identity-document`, `wallet.computer.Router` → `wifi`), and
//! every other field → one `custom-fields` per section, with the kind's CXF field type
//! (`concealed`, `email`, `date` in seconds, `monthYear` as `YYYYMM`). Older records repeat
//! section values as flat `secureContents` members (`ccnum`, `expiry_mm`…): those are
//! duplicates and skipped; flat members with no section twin go to custom fields. Trashed
//! records and tombstones are skipped and reported; saved searches carry no data. Members the
//! reader does not map (password history, unknown members) are named in the loss report.

use crate::formats::util;
use serde_json::Value;

use crate::formats::apple_csv::push_totp;
use crate::formats::bitwarden_json::{is_country, is_subdivision};
use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util::members::{Unmapped, is_empty};
use crate::formats::util::time;
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{
    Address, Credential, CreditCard, Document, DriversLicense, EditableField, FieldType,
    IdentityDocument, Passport, PersonName, Text, Wifi,
};

const F: Format = Format::OnePassword1pif;

/// The line between two records.
const SEPARATOR: &str = "***5642bee8-a5ff-11dc-8314-0800200c9a66***";

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Record members the reader maps; `locationKey` is derived from `location`, `txTimestamp`
/// is a sync time, `securityLevel` names the key the record was encrypted with and
/// `contentsHash` is a checksum.
const RECORD_MAPPED: &[&str] = &[
    "uuid",
    "typeName",
    "title",
    "location",
    "locationKey",
    "folderUuid",
    "createdAt",
    "updatedAt",
    "txTimestamp",
    "securityLevel",
    "contentsHash",
    "faveIndex",
    "trashed",
    "secureContents",
    "openContents",
];

/// `openContents` members the reader maps; `scope` and `autosubmit` are autofill settings of
/// 1Password's browser extension.
const OPEN_MAPPED: &[&str] = &["tags", "scope", "autosubmit"];

/// `secureContents` members the reader maps (besides the flat twins of section fields);
/// `htmlForm` describes the captured web form (its action and method), not user data.
const SECURE_MAPPED: &[&str] = &[
    "fields",
    "URLs",
    "notesPlain",
    "sections",
    "password",
    "htmlForm",
];

/// Members of a web-form field; `id` is the form element's id.
const FORM_FIELD_MAPPED: &[&str] = &["value", "name", "type", "designation", "id"];

/// Members of a section; `name` is its internal name (the `title` is shown).
const SECTION_MAPPED: &[&str] = &["title", "name", "fields"];

/// Members of a section field; `a` (attributes: guarded, generate, clipboard filter,
/// multi-line) and `inputTraits` are display and keyboard hints.
const SECTION_FIELD_MAPPED: &[&str] = &["k", "n", "t", "v", "a", "inputTraits"];

/// Reads a 1PIF export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| ReadError::syntax(F, "not UTF-8"))?;
    let mut records: Vec<Value> = Vec::new();
    let mut chunk = String::new();
    let flush = |chunk: &mut String, records: &mut Vec<Value>| -> Result<(), ReadError> {
        if !chunk.trim().is_empty() {
            let v: Value = serde_json::from_str(chunk).map_err(|e| {
                ReadError::syntax(
                    F,
                    format!(
                        "record {} is not valid JSON (line {} column {} of the record)",
                        records.len() + 1,
                        e.line(),
                        e.column()
                    ),
                )
            })?;
            if !v.is_object() {
                return Err(ReadError::syntax(
                    F,
                    format!("record {} is not a JSON object", records.len() + 1),
                ));
            }
            records.push(v);
        }
        chunk.clear();
        Ok(())
    };
    for line in text.lines() {
        if line.trim() == SEPARATOR {
            flush(&mut chunk, &mut records)?;
        } else {
            chunk.push_str(line);
            chunk.push('\n');
        }
    }
    flush(&mut chunk, &mut records)?;
    if records.is_empty() {
        return Err(ReadError::syntax(F, "no records"));
    }
    let mut acc = AccountBuilder::new(F, "");
    let folders: Vec<&Value> = records
        .iter()
        .filter(|r| s(r, "typeName").starts_with("system.folder.Regular"))
        .collect();
    for f in &folders {
        let p = util::json::folder_path(&folders, s(f, "uuid"), "folderUuid");
        let created = f
            .get("createdAt")
            .and_then(Value::as_u64)
            .filter(|t| *t > 0);
        let updated = f
            .get("updatedAt")
            .and_then(Value::as_u64)
            .filter(|t| *t > 0);
        acc.set_collection_details(&p, created, updated, None);
    }
    for (index, rec) in records.iter().enumerate() {
        let kind = s(rec, "typeName");
        if kind.starts_with("system.folder.") {
            // Regular folders are collections (above); saved searches are queries, no data.
            continue;
        }
        let title = s(rec, "title");
        if kind == "system.Tombstone" {
            loss.add(
                &ItemRef::new(index, title),
                "item",
                LossReason::Skipped,
                "a deleted record (tombstone)",
            );
            continue;
        }
        if rec.get("trashed").and_then(Value::as_bool) == Some(true) {
            loss.add(
                &ItemRef::new(index, title),
                "item",
                LossReason::Skipped,
                "item is in the trash",
            );
            continue;
        }
        read_item(rec, index, &folders, &mut acc, loss);
    }
    Ok(build::document(F, vec![acc.finish()], options))
}

/// A `monthYear` value (`YYYYMM`, a number or a string) as `YYYY-MM`.
fn month_year(v: &Value) -> Option<String> {
    let n = v
        .as_u64()
        .or_else(|| v.as_str().and_then(|t| t.trim().parse().ok()))?;
    let (y, m) = (n / 100, n % 100);
    ((1000..=9999).contains(&y) && (1..=12).contains(&m)).then(|| format!("{y:04}-{m:02}"))
}

/// A section field's value as a CXF field type and text; `None` for an empty value.
fn field_value(kind: &str, v: &Value) -> Option<(FieldType, String)> {
    let text = match v {
        Value::String(t) => t.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    };
    let out = match kind {
        "concealed" => (FieldType::ConcealedString, text),
        "email" => (FieldType::Email, text),
        "date" => match v.as_i64() {
            Some(secs) => (FieldType::Date, time::date_from_unix(secs)),
            None => (FieldType::String, text),
        },
        "monthYear" => match month_year(v) {
            Some(ym) => (FieldType::YearMonth, ym),
            None => (FieldType::String, text),
        },
        _ => (FieldType::String, text),
    };
    (!out.1.trim().is_empty()).then_some(out)
}

/// Values of a record's section fields that have a typed home.
#[derive(Default)]
struct Typed {
    card: CreditCard,
    name: PersonName,
    passport: Passport,
    license: DriversLicense,
    id_doc: IdentityDocument,
    wifi: Wifi,
    addresses: Vec<Address>,
}

/// Takes a section field into the typed credential of the record type; false when the field
/// has no typed home there.
fn typed(record: &str, n: &str, ft: &FieldType, value: &str, t: &mut Typed) -> bool {
    let f = || build::field(ft.clone(), value);
    let st = || build::field(FieldType::String, value);
    let country = || is_country(value).then(|| build::country(value)).flatten();
    let slot: &mut Option<EditableField> = match (record, n) {
        ("wallet.financial.CreditCard", "cardholder") => &mut t.card.full_name,
        ("wallet.financial.CreditCard", "type") => &mut t.card.card_type,
        ("wallet.financial.CreditCard", "ccnum") => {
            t.card.number = build::field(FieldType::ConcealedString, value);
            return true;
        }
        ("wallet.financial.CreditCard", "cvv") => {
            t.card.verification_number = build::field(FieldType::ConcealedString, value);
            return true;
        }
        ("wallet.financial.CreditCard", "pin") => {
            t.card.pin = build::field(FieldType::ConcealedString, value);
            return true;
        }
        ("wallet.financial.CreditCard", "expiry") if *ft == FieldType::YearMonth => {
            &mut t.card.expiry_date
        }
        ("wallet.financial.CreditCard", "validFrom") if *ft == FieldType::YearMonth => {
            &mut t.card.valid_from
        }
        ("identities.Identity", "firstname") => &mut t.name.given,
        ("identities.Identity", "initial") => &mut t.name.given2,
        ("identities.Identity", "lastname") => &mut t.name.surname,
        ("wallet.government.Passport", "number") => &mut t.passport.passport_number,
        ("wallet.government.Passport", "fullname") => &mut t.passport.full_name,
        ("wallet.government.Passport", "type") => &mut t.passport.passport_type,
        ("wallet.government.Passport", "nationality") => &mut t.passport.nationality,
        ("wallet.government.Passport", "issuing_authority") => &mut t.passport.issuing_authority,
        ("wallet.government.Passport", "birthplace") => &mut t.passport.birth_place,
        ("wallet.government.Passport", "sex") => &mut t.passport.sex,
        ("wallet.government.Passport", "birthdate") if *ft == FieldType::Date => {
            &mut t.passport.birth_date
        }
        ("wallet.government.Passport", "issue_date") if *ft == FieldType::Date => {
            &mut t.passport.issue_date
        }
        ("wallet.government.Passport", "expiry_date") if *ft == FieldType::Date => {
            &mut t.passport.expiry_date
        }
        ("wallet.government.Passport", "issuing_country") if is_country(value) => {
            t.passport.issuing_country = country();
            return true;
        }
        ("wallet.government.DriversLicense", "number") => &mut t.license.license_number,
        ("wallet.government.DriversLicense", "fullname") => &mut t.license.full_name,
        ("wallet.government.DriversLicense", "class") => &mut t.license.license_class,
        ("wallet.government.DriversLicense", "birthdate") if *ft == FieldType::Date => {
            &mut t.license.birth_date
        }
        ("wallet.government.DriversLicense", "state") if is_subdivision(value) => {
            t.license.territory = build::field(FieldType::SubdivisionCode, value);
            return true;
        }
        ("wallet.government.DriversLicense", "country") if is_country(value) => {
            t.license.country = country();
            return true;
        }
        ("wallet.government.SsnUS", "number") => {
            t.id_doc.identification_number = build::field(FieldType::String, value);
            return true;
        }
        ("wallet.government.SsnUS", "name") => &mut t.id_doc.full_name,
        ("wallet.computer.Router", "network_name") => &mut t.wifi.ssid,
        ("wallet.computer.Router", "wireless_password") => {
            t.wifi.passphrase = build::field(FieldType::ConcealedString, value);
            return true;
        }
        ("wallet.computer.Router", "wireless_security") => {
            let sec = match value {
                "wpa3p" => "wpa3-personal",
                "wpa2p" | "wpa2" => "wpa2-personal",
                "wpa" | "wpap" => "wpa-personal",
                "wep" => "wep",
                "none" => "unsecured",
                _ => return false,
            };
            t.wifi.network_security_type = build::field(FieldType::WifiNetworkSecurityType, sec);
            return true;
        }
        _ => return false,
    };
    if slot.is_some() {
        return false;
    }
    *slot = if matches!(ft, FieldType::Date | FieldType::YearMonth) {
        f()
    } else {
        st()
    };
    true
}

fn read_item(
    rec: &Value,
    index: usize,
    folders: &[&Value],
    acc: &mut AccountBuilder,
    loss: &mut LossReport,
) {
    let sc = rec.get("secureContents").unwrap_or(&Value::Null);
    let oc = rec.get("openContents").unwrap_or(&Value::Null);
    let kind = s(rec, "typeName");
    let location = s(rec, "location");
    let title = build::title_or_host(s(rec, "title"), location);
    let uuid = s(rec, "uuid");
    // 1Password's UUIDs are 32 hex digits: their 16 bytes are the id.
    let raw: Option<Vec<u8>> = (uuid.len() == 32)
        .then(|| {
            (0..16)
                .map(|i| u8::from_str_radix(uuid.get(2 * i..2 * i + 2)?, 16).ok())
                .collect()
        })
        .flatten();
    let id = acc.item_id(Some(raw.as_deref().unwrap_or(uuid.as_bytes())), index);
    let r = ItemRef::new(index, title).with_item(&id);
    let mut item = build::item(id.clone(), title);
    let mut u = Unmapped::new();
    u.check(rec, "", RECORD_MAPPED);
    u.check(oc, "openContents", OPEN_MAPPED);
    item.creation_at = rec
        .get("createdAt")
        .and_then(Value::as_u64)
        .filter(|t| *t > 0);
    item.modified_at = rec
        .get("updatedAt")
        .and_then(Value::as_u64)
        .filter(|t| *t > 0);
    if rec
        .get("faveIndex")
        .and_then(Value::as_i64)
        .is_some_and(|n| n != 0)
    {
        item.favorite = Some(true);
    }
    let tags: Vec<Text> = oc
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .map(Text::from)
        .collect();
    if !tags.is_empty() {
        item.tags = tags.into();
    }
    build::add_urls(&mut item, [location]);
    for url in sc
        .get("URLs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        u.check(url, "secureContents.URLs[]", &["url", "label"]);
        build::add_urls(&mut item, [s(url, "url")]);
    }

    // Web-form fields.
    let mut username = String::new();
    let mut password = s(sc, "password").to_owned();
    let mut form: Vec<EditableField> = Vec::new();
    for f in sc
        .get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        u.check(f, "secureContents.fields[]", FORM_FIELD_MAPPED);
        let value = match f.get("value") {
            Some(Value::String(v)) => v.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        match s(f, "designation") {
            "username" if username.is_empty() => username = value,
            "password" if password.is_empty() => password = value,
            _ => {
                let ft = match s(f, "type") {
                    // A button's value is its caption.
                    "B" => continue,
                    "P" => FieldType::ConcealedString,
                    "E" => FieldType::Email,
                    _ => FieldType::String,
                };
                let label = match s(f, "name") {
                    "" => s(f, "designation"),
                    n => n,
                };
                form.extend(build::labelled(label, ft, &value));
            }
        }
    }
    item.credentials
        .extend(build::basic_auth(&username, &password));

    // Sections.
    let mut t = Typed::default();
    let mut section_creds: Vec<Credential> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for section in sc
        .get("sections")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        u.check(section, "secureContents.sections[]", SECTION_MAPPED);
        let mut fields: Vec<EditableField> = Vec::new();
        for f in section
            .get("fields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            u.check(
                f,
                "secureContents.sections[].fields[]",
                SECTION_FIELD_MAPPED,
            );
            let (k, n, label) = (s(f, "k"), s(f, "n"), s(f, "t"));
            names.push(n);
            let v = f.get("v").unwrap_or(&Value::Null);
            if n.starts_with("TOTP_") || k == "totp" {
                if let Some(uri) = v.as_str() {
                    push_totp(
                        &mut item.credentials,
                        uri,
                        &username,
                        &r,
                        "secureContents.sections[].fields[].v",
                        loss,
                    );
                }
                continue;
            }
            if k == "address" {
                u.check(
                    v,
                    "secureContents.sections[].fields[].v",
                    &["street", "city", "state", "zip", "country", "region"],
                );
                let state = s(v, "state");
                let country = s(v, "country");
                let (territory, country) =
                    build::place(state, country, ["State", "Country"], &mut fields);
                let address = Address {
                    street_address: build::field(FieldType::String, s(v, "street")),
                    city: build::field(FieldType::String, s(v, "city")),
                    postal_code: build::field(FieldType::String, s(v, "zip")),
                    territory,
                    country,
                    ..Address::default()
                };
                fields.extend(build::labelled("Region", FieldType::String, s(v, "region")));
                if address != Address::default() {
                    t.addresses.push(address);
                }
                continue;
            }
            let Some((ft, value)) = field_value(k, v) else {
                if !is_empty(v) {
                    loss.add(
                        &r,
                        format!("secureContents.sections[].fields[{n}]"),
                        LossReason::Unsupported,
                        format!("a section field value of kind {k:?} the reader cannot read"),
                    );
                }
                continue;
            };
            if typed(kind, n, &ft, &value, &mut t) {
                continue;
            }
            let label = if label.is_empty() { n } else { label };
            fields.extend(build::labelled(label, ft, &value));
        }
        section_creds.extend(build::custom_fields(
            Some(match s(section, "title") {
                "" => s(section, "name"),
                title => title,
            }),
            fields,
        ));
    }

    // Flat members: twins of section fields (older 1Password copies) or values of their own.
    let mut flat: Vec<EditableField> = Vec::new();
    let mut mapped: Vec<&str> = SECURE_MAPPED.to_vec();
    if let Some(obj) = sc.as_object() {
        for (key, v) in obj {
            if SECURE_MAPPED.contains(&key.as_str()) {
                continue;
            }
            let twin = names.iter().any(|n| {
                !n.is_empty()
                    && (key == n
                        || key
                            .strip_prefix(n)
                            .is_some_and(|rest| matches!(rest, "_mm" | "_yy" | "_dd")))
            });
            match v {
                _ if twin => mapped.push(key),
                Value::String(_) | Value::Number(_) => {
                    if let Some((ft, value)) = field_value("string", v) {
                        flat.extend(build::labelled(key, ft, &value));
                    }
                    mapped.push(key);
                }
                _ => {}
            }
        }
    }
    u.check(sc, "secureContents", &mapped);

    let card = std::mem::take(&mut t.card);
    if card != CreditCard::default() {
        item.credentials.push(card.into());
    }
    if t.name != PersonName::default() {
        item.credentials.push(std::mem::take(&mut t.name).into());
    }
    item.credentials
        .extend(t.addresses.drain(..).map(Credential::from));
    if t.passport != Passport::default() {
        item.credentials
            .push(std::mem::take(&mut t.passport).into());
    }
    if t.license != DriversLicense::default() {
        item.credentials.push(std::mem::take(&mut t.license).into());
    }
    if t.id_doc != IdentityDocument::default() {
        item.credentials.push(std::mem::take(&mut t.id_doc).into());
    }
    if t.wifi != Wifi::default() {
        item.credentials.push(std::mem::take(&mut t.wifi).into());
    }
    item.credentials.extend(build::note(s(sc, "notesPlain")));
    item.credentials
        .extend(build::custom_fields(Some("Form fields"), form));
    item.credentials.extend(section_creds);
    item.credentials.extend(build::custom_fields(None, flat));
    u.report(&r, F, loss);
    if build::push_unless_empty(acc, item, index, loss) {
        let p = util::json::folder_path(folders, s(rec, "folderUuid"), "folderUuid");
        acc.add_to_collection(&p, &id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_years() {
        assert_eq!(
            month_year(&Value::from(201_911)).as_deref(),
            Some("2019-11")
        );
        assert_eq!(
            month_year(&Value::from("202401")).as_deref(),
            Some("2024-01")
        );
        assert_eq!(month_year(&Value::from(201_913)), None);
    }
}
