//! Dashlane's legacy JSON export: one upper-case member per kind, each an array of records
//! (`AUTHENTIFIANT`, `PAYMENTMEANS_CREDITCARD`, `ADDRESS`, `IDENTITY`, `EMAIL`, `SECURENOTE`,
//! `BANKSTATEMENT`, `IDCARD`, …). The file has no folders.
//!
//! `AUTHENTIFIANT` (logins): `login` (else `secondaryLogin`, else `email`) and `password` →
//! `basic-auth`, `domain` → scope URL (`https://` added to a bare domain), `note` → `note`; an e-mail or secondary login beside the
//! login goes to custom fields. `PAYMENTMEANS_CREDITCARD`: `cardNumber`, `owner`,
//! `securityCode`, `expireMonth`/`expireYear` → `credit-card`. `ADDRESS`: `addressFull`,
//! `city`, `zipcode`, `state`, `country` → `address`. `IDENTITY`: `firstName`, `middleName`,
//! `lastName` (else `fullName`) → `person-name`. `SECURENOTE`: `content` → `note`. Every
//! other string or number member of a record, and every record of the other kinds, goes to
//! `custom-fields` labelled with the member name (the title is the first of `title`, `name`,
//! `addressName`, `bank`, `fullName`, `email`… that is set, else the kind). Nested values are reported; a
//! top-level member that is not an array of records is reported.

use crate::formats::util;
use serde_json::{Map, Value};

use crate::formats::bitwarden_json::{is_country, is_subdivision};
use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util::members::is_empty;
use crate::formats::util::time;
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{Address, Credential, CreditCard, Document, EditableField, FieldType, PersonName};

const F: Format = Format::DashlaneJson;

fn s<'a>(v: &'a Map<String, Value>, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Members giving a record its title, in order of preference.
const TITLE_MEMBERS: &[&str] = &[
    "title",
    "name",
    "addressName",
    "bank",
    "bankAccountName",
    "fullName",
    "fullname",
    "emailName",
    "email",
];

/// Members holding ids or Dashlane's own bookkeeping, not user data.
const IGNORED: &[&str] = &["id", "uuid", "kwType", "lastBackupTime", "creationDate"];

/// Reads a Dashlane JSON export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let top: Value = util::json::parse(bytes, F)?;
    let top = top
        .as_object()
        .ok_or_else(|| ReadError::syntax(F, "not a JSON object"))?;
    let mut acc = AccountBuilder::new(F, "");
    let mut index = 0usize;
    for (kind, records) in top {
        let Some(records) = records.as_array() else {
            if !is_empty(records) {
                loss.add(
                    &ItemRef::default(),
                    kind.as_str(),
                    LossReason::Unsupported,
                    "not an array of records",
                );
            }
            continue;
        };
        for rec in records {
            match rec.as_object() {
                Some(rec) => read_record(kind, rec, index, &mut acc, loss),
                None if is_empty(rec) => {}
                None => loss.add(
                    &ItemRef::new(index, ""),
                    format!("{kind}[]"),
                    LossReason::Unsupported,
                    "not a record (a JSON object)",
                ),
            }
            index += 1;
        }
    }
    Ok(build::document(F, vec![acc.finish()], options))
}

/// A member's value as text (strings and numbers; booleans only when true).
fn text(v: &Value) -> String {
    match v {
        Value::String(t) => t.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(true) => "true".to_owned(),
        _ => String::new(),
    }
}

fn read_record(
    kind: &str,
    rec: &Map<String, Value>,
    index: usize,
    acc: &mut AccountBuilder,
    loss: &mut LossReport,
) {
    let domain = s(rec, "domain");
    // The member naming the record (a login is named by its title, else its domain's host).
    let title_member = if kind == "AUTHENTIFIANT" {
        Some("title")
    } else {
        TITLE_MEMBERS
            .iter()
            .find(|k| !s(rec, k).trim().is_empty())
            .copied()
    };
    let named = title_member.map_or("", |k| s(rec, k));
    let title = if named.trim().is_empty() && domain.trim().is_empty() {
        // No name: the kind of record (never a value, which may be a number or a secret).
        format!("Dashlane {kind}")
    } else {
        build::title_or_host(named, domain).to_owned()
    };
    let id = acc.item_id(None, index);
    let r = ItemRef::new(index, &title).with_item(&id);
    let mut item = build::item(id.clone(), &title);
    // Members taken into typed credentials (the rest go to custom fields).
    let mut used: Vec<&str> = Vec::new();
    let mut custom: Vec<EditableField> = Vec::new();
    let f = |k: &str| build::field(FieldType::String, s(rec, k));
    match kind {
        "AUTHENTIFIANT" => {
            let (login, second, email) =
                (s(rec, "login"), s(rec, "secondaryLogin"), s(rec, "email"));
            let user = [login, second, email]
                .into_iter()
                .find(|u| !u.trim().is_empty())
                .unwrap_or("");
            item.credentials
                .extend(build::basic_auth(user, s(rec, "password")));
            // Dashlane often stores a bare domain: it is a web site, so `https://` is added.
            let url = if domain.trim().is_empty() || domain.contains("://") {
                domain.trim().to_owned()
            } else {
                format!("https://{}", domain.trim())
            };
            build::add_urls(&mut item, [url.as_str()]);
            item.credentials.extend(build::note(s(rec, "note")));
            for (k, v) in [("secondaryLogin", second), ("email", email)] {
                if v != user {
                    let ft = if k == "email" {
                        FieldType::Email
                    } else {
                        FieldType::String
                    };
                    custom.extend(build::labelled(k, ft, v));
                }
            }
            used.extend([
                "login",
                "secondaryLogin",
                "email",
                "password",
                "domain",
                "note",
            ]);
        }
        "PAYMENTMEANS_CREDITCARD" => {
            let member = |k: &str| text(rec.get(k).unwrap_or(&Value::Null));
            let expiry = time::year_month(&member("expireMonth"), &member("expireYear"));
            let card = CreditCard {
                number: build::field(FieldType::ConcealedString, s(rec, "cardNumber")),
                full_name: f("owner"),
                verification_number: build::field(
                    FieldType::ConcealedString,
                    s(rec, "securityCode"),
                ),
                expiry_date: expiry
                    .as_deref()
                    .and_then(|e| build::field(FieldType::YearMonth, e)),
                ..CreditCard::default()
            };
            used.extend([
                "cardNumber",
                "owner",
                "securityCode",
                "cardNumberLastDigits",
            ]);
            if expiry.is_some() {
                used.extend(["expireMonth", "expireYear"]);
            }
            if card != CreditCard::default() {
                item.credentials.push(Credential::from(card));
            }
        }
        "ADDRESS" => {
            let (state, country) = (s(rec, "state"), s(rec, "country"));
            let address = Address {
                street_address: f("addressFull"),
                city: f("city"),
                postal_code: f("zipcode"),
                territory: is_subdivision(state)
                    .then(|| build::field(FieldType::SubdivisionCode, state))
                    .flatten(),
                country: is_country(country)
                    .then(|| build::country(country))
                    .flatten(),
                ..Address::default()
            };
            used.extend(["addressFull", "city", "zipcode"]);
            if is_subdivision(state) {
                used.push("state");
            }
            if is_country(country) {
                used.push("country");
            }
            if address != Address::default() {
                item.credentials.push(address.into());
            }
        }
        "IDENTITY" => {
            let mut name = PersonName {
                given: f("firstName"),
                given2: f("middleName"),
                surname: f("lastName"),
                ..PersonName::default()
            };
            used.extend(["firstName", "middleName", "lastName"]);
            if name == PersonName::default() {
                name.given = f("fullName");
                used.push("fullName");
            }
            if name != PersonName::default() {
                item.credentials.push(name.into());
            }
        }
        "SECURENOTE" => {
            item.credentials.extend(build::note(s(rec, "content")));
            used.push("content");
        }
        _ => {}
    }
    // The title member is the item's title; the rest goes to custom fields.
    for (k, v) in rec {
        let k = k.as_str();
        if used.contains(&k) || IGNORED.contains(&k) || Some(k) == title_member {
            continue;
        }
        match v {
            Value::Object(_) | Value::Array(_) if !is_empty(v) => loss.add(
                &r,
                format!("{kind}[].{k}"),
                LossReason::Unsupported,
                "a nested value the Dashlane JSON reader does not convert",
            ),
            _ => {
                let lower = k.to_ascii_lowercase();
                let ft = if lower.contains("email") && !lower.contains("name") {
                    FieldType::Email
                } else if ["password", "code", "pin", "number", "iban", "bic"]
                    .iter()
                    .any(|w| lower.contains(w))
                {
                    FieldType::ConcealedString
                } else {
                    FieldType::String
                };
                custom.extend(build::labelled(k, ft, &text(v)));
            }
        }
    }
    item.credentials.extend(build::custom_fields(None, custom));
    build::push_unless_empty(acc, item, index, loss);
}
