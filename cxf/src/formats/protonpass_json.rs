//! Proton Pass export: `data.json`, alone or inside the unencrypted zip (`Proton Pass/data.json`).
//! PGP-encrypted exports are refused as unsupported.
//!
//! Vaults become collections. Logins → `basic-auth` (the username, else the e-mail; when both
//! exist the e-mail goes to a custom field) + `totp` (URI or bare secret) + scope URLs; credit
//! cards → `credit-card`; identities → `person-name`, `address`, `passport`, `drivers-license`,
//! `identity-document` and custom fields (one `custom-fields` per extra section); aliases →
//! `basic-auth` with the alias address (reported: CXF has no alias concept). Extra fields
//! (`text`, `hidden`, `totp`) become custom fields or `totp`. Trashed items (`state` 2) are
//! skipped. Proton's passkeys are an opaque Proton-internal blob and are reported. Every other
//! member with a value that the reader does not map (newer item types, unknown members) is
//! named in the loss report.

use crate::formats::util;
use base64::Engine as _;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::formats::apple_csv::push_totp;
use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util::archive;
use crate::formats::util::members::{Unmapped, report_unmapped};
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{
    Address, CreditCard, Document, DriversLicense, EditableField, FieldType, IdentityDocument,
    Item, Passport, PersonName,
};

const F: Format = Format::ProtonpassJson;

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Reads a Proton Pass JSON export or its zip.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let data: Zeroizing<Vec<u8>> = if archive::is_zip(bytes) {
        let mut members = archive::read_members(bytes, F, &options.limits, |n| {
            n.ends_with("data.json") || n.ends_with("data.pgp")
        })?;
        if members.iter().any(|(n, _)| n.ends_with(".pgp")) {
            return Err(ReadError::Unsupported {
                format: F,
                message: "PGP-encrypted export; export again without encryption".into(),
            });
        }
        members
            .pop()
            .map(|(_, d)| d)
            .ok_or_else(|| ReadError::syntax(F, "zip without data.json"))?
    } else {
        Zeroizing::new(bytes.to_vec())
    };
    let top: Value = util::json::parse(&data, F)?;
    if top.get("encrypted").and_then(Value::as_bool) == Some(true) {
        return Err(ReadError::Unsupported {
            format: F,
            message: "encrypted export; export again without encryption".into(),
        });
    }
    let vaults = top
        .get("vaults")
        .and_then(Value::as_object)
        .ok_or_else(|| ReadError::syntax(F, "no `vaults` object"))?;
    let mut acc = AccountBuilder::new(F, s(&top, "userId"));
    let mut index = 0usize;
    for vault in vaults.values() {
        let name = s(vault, "name");
        acc.ensure_collection(&[name]);
        let vr = ItemRef {
            title: Some(name),
            ..ItemRef::default()
        };
        report_unmapped(vault, "vault", VAULT_MAPPED, &vr, F, loss);
        for it in vault
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            read_item(it, index, name, &mut acc, loss);
            index += 1;
        }
    }
    Ok(build::document(F, vec![acc.finish()], options))
}

/// Vault members the reader maps; `display` (colour and icon numbers) is only how Proton draws
/// the vault.
const VAULT_MAPPED: &[&str] = &["name", "items", "display"];

/// Item members the reader maps (`aliasEmail` only for aliases, below); `shareId` is the id of
/// the vault (which becomes the collection) and `contentFormatVersion` a schema version.
const ITEM_MAPPED: &[&str] = &[
    "itemId",
    "data",
    "state",
    "createTime",
    "modifyTime",
    "pinned",
    "shareId",
    "contentFormatVersion",
];

/// `data` members the reader maps.
const DATA_MAPPED: &[&str] = &["metadata", "extraFields", "type", "content"];

/// `metadata` members the reader maps; `itemUuid` is an id (the item id is `itemId`).
const METADATA_MAPPED: &[&str] = &["name", "note", "itemUuid"];

/// Members of an extra field (and of a section field); its `data` is checked by type.
const EXTRA_FIELD_MAPPED: &[&str] = &["fieldName", "type", "data"];

/// Members of an extra section.
const SECTION_MAPPED: &[&str] = &["sectionName", "sectionFields"];

/// `content` members the reader maps, by item type (`extraSections` is read for every type).
pub(crate) fn content_mapped(kind: &str) -> &'static [&'static str] {
    match kind {
        "login" => &[
            "itemEmail",
            "itemUsername",
            "username",
            "password",
            "urls",
            "totpUri",
            "passkeys",
        ],
        "creditCard" => &[
            "cardholderName",
            "cardType",
            "number",
            "verificationNumber",
            "expirationDate",
            "pin",
        ],
        _ => &[],
    }
}

/// Checks the members of the extra fields (or section fields) `fields` under `prefix`.
pub(crate) fn check_fields(fields: Option<&Value>, prefix: &str, u: &mut Unmapped) {
    for f in fields.and_then(Value::as_array).into_iter().flatten() {
        u.check(f, prefix, EXTRA_FIELD_MAPPED);
        let data_mapped: &[&str] = if s(f, "type") == "totp" {
            &["totpUri"]
        } else {
            &["content"]
        };
        u.check(
            f.get("data").unwrap_or(&Value::Null),
            &format!("{prefix}.data"),
            data_mapped,
        );
    }
}

/// A Proton `CardType` (a number, or its name) as a CXF card type; `Unspecified` and `Other`
/// say nothing.
fn card_type(v: Option<&Value>) -> &str {
    match v {
        Some(Value::Number(n)) => match n.as_u64() {
            Some(2) => "Visa",
            Some(3) => "Mastercard",
            Some(4) => "American Express",
            _ => "",
        },
        Some(Value::String(t)) if t != "Unspecified" && t != "Other" => t,
        _ => "",
    }
}

fn read_item(
    it: &Value,
    index: usize,
    vault: &str,
    acc: &mut AccountBuilder,
    loss: &mut LossReport,
) {
    let data = it.get("data").unwrap_or(&Value::Null);
    let meta = data.get("metadata").unwrap_or(&Value::Null);
    let content = data.get("content").unwrap_or(&Value::Null);
    let title = s(meta, "name");
    let r = ItemRef::new(index, title);
    if it.get("state").and_then(Value::as_u64) == Some(2) {
        loss.add(&r, "item", LossReason::Skipped, "item is in the trash");
        return;
    }
    let raw_id = base64::engine::general_purpose::STANDARD
        .decode(s(it, "itemId"))
        .ok();
    let id = acc.item_id(raw_id.as_deref(), index);
    let r = r.with_item(&id);
    let mut item = build::item(id.clone(), title);
    let kind = s(data, "type");
    let mut u = Unmapped::new();
    let content_prefix = if kind.is_empty() { "content" } else { kind };
    if kind == "alias" {
        u.check(it, "", &[ITEM_MAPPED, &["aliasEmail"]].concat());
    } else {
        u.check(it, "", ITEM_MAPPED);
    }
    u.check(data, "data", DATA_MAPPED);
    u.check(meta, "metadata", METADATA_MAPPED);
    if kind == "identity" {
        // Every string member and `extra*` list is carried (see `identity`).
        let carried: Vec<&str> = content
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, v)| v.is_string() || (v.is_array() && k.starts_with("extra")))
            .map(|(k, _)| k.as_str())
            .collect();
        u.check(content, content_prefix, &carried);
    } else {
        u.check(
            content,
            content_prefix,
            &[content_mapped(kind), &["extraSections"]].concat(),
        );
    }
    item.creation_at = it.get("createTime").and_then(Value::as_u64);
    item.modified_at = it.get("modifyTime").and_then(Value::as_u64);
    if it.get("pinned").and_then(Value::as_bool) == Some(true) {
        item.favorite = Some(true);
    }
    let mut custom: Vec<EditableField> = Vec::new();
    let mut username = String::new();
    match kind {
        "login" => {
            let user = s(content, "itemUsername");
            let user = if user.is_empty() {
                s(content, "username")
            } else {
                user
            };
            let email = s(content, "itemEmail");
            username = if user.is_empty() {
                email.to_owned()
            } else {
                user.to_owned()
            };
            if !user.is_empty() {
                custom.extend(build::labelled("Email", FieldType::Email, email));
            }
            build::add_urls(
                &mut item,
                content
                    .get("urls")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str),
            );
            item.credentials
                .extend(build::basic_auth(&username, s(content, "password")));
            push_totp(
                &mut item.credentials,
                s(content, "totpUri"),
                &username,
                &r,
                "login.totpUri",
                loss,
            );
            for (i, _) in content
                .get("passkeys")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                loss.add(
                    &r,
                    format!("login.passkeys[{i}]"),
                    LossReason::Unsupported,
                    "Proton Pass passkeys are stored in a Proton-internal encoding",
                );
            }
        }
        "creditCard" => item.credentials.push(credit_card(content)),
        "alias" => {
            let alias = it.get("aliasEmail").and_then(Value::as_str).unwrap_or("");
            item.credentials.extend(build::basic_auth(alias, ""));
            loss.add(
                &r,
                "aliasEmail",
                LossReason::NoEquivalent,
                "CXF has no e-mail alias; the address was kept as the login's username",
            );
        }
        "identity" => identity(content, &mut item, &mut custom, &mut u),
        "note" => {}
        other => loss.add(
            &r,
            "type",
            LossReason::Unsupported,
            format!("item type {other:?} not converted; kept its name, note and extra fields"),
        ),
    }
    item.credentials.extend(build::note(s(meta, "note")));
    check_fields(data.get("extraFields"), "extraFields[]", &mut u);
    for (i, f) in data
        .get("extraFields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let fd = f.get("data").unwrap_or(&Value::Null);
        let name = s(f, "fieldName");
        match s(f, "type") {
            "totp" => push_totp(
                &mut item.credentials,
                s(fd, "totpUri"),
                &username,
                &r,
                &format!("extraFields[{i}]"),
                loss,
            ),
            "hidden" => custom.extend(build::labelled(
                name,
                FieldType::ConcealedString,
                s(fd, "content"),
            )),
            _ => custom.extend(build::labelled(name, FieldType::String, s(fd, "content"))),
        }
    }
    item.credentials.extend(build::custom_fields(None, custom));
    extra_sections(content, content_prefix, &mut item, &mut u);
    u.report(&r, F, loss);
    acc.add_to_collection(&[vault], &id);
    acc.push_item(item);
}

/// A `creditCard` content as a CXF `credit-card`.
pub(crate) fn credit_card(content: &Value) -> crate::Credential {
    CreditCard {
        full_name: build::field(FieldType::String, s(content, "cardholderName")),
        number: build::field(FieldType::ConcealedString, s(content, "number")),
        verification_number: build::field(
            FieldType::ConcealedString,
            s(content, "verificationNumber"),
        ),
        pin: build::field(FieldType::ConcealedString, s(content, "pin")),
        expiry_date: build::field(FieldType::YearMonth, s(content, "expirationDate")),
        card_type: build::field(FieldType::String, card_type(content.get("cardType"))),
        ..CreditCard::default()
    }
    .into()
}

/// The `extraSections` of a content: one `custom-fields` per section; their members are
/// checked under `prefix.extraSections[]`.
pub(crate) fn extra_sections(content: &Value, prefix: &str, item: &mut Item, u: &mut Unmapped) {
    let sections: Vec<&Value> = content
        .get("extraSections")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let section_prefix = format!("{prefix}.extraSections[]");
    for section in sections {
        u.check(section, &section_prefix, SECTION_MAPPED);
        check_fields(
            section.get("sectionFields"),
            &format!("{section_prefix}.sectionFields[]"),
            u,
        );
        let mut fields = Vec::new();
        for f in section
            .get("sectionFields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let ft = if s(f, "type") == "hidden" {
                FieldType::ConcealedString
            } else {
                FieldType::String
            };
            fields.extend(build::labelled(
                s(f, "fieldName"),
                ft,
                s(f.get("data").unwrap_or(&Value::Null), "content"),
            ));
        }
        item.credentials.extend(build::custom_fields(
            Some(s(section, "sectionName")),
            fields,
        ));
    }
}

/// Identity members with a typed CXF home; the rest of the scalar members go to custom fields.
const IDENTITY_TYPED: &[&str] = &[
    "firstName",
    "middleName",
    "lastName",
    "fullName",
    "streetAddress",
    "zipOrPostalCode",
    "city",
    "stateOrProvince",
    "countryOrRegion",
    "phoneNumber",
    "passportNumber",
    "licenseNumber",
    "socialSecurityNumber",
];

pub(crate) fn identity(
    c: &Value,
    item: &mut Item,
    custom: &mut Vec<EditableField>,
    u: &mut Unmapped,
) {
    let f = |k: &str| build::field(FieldType::String, s(c, k));
    let mut name = PersonName {
        given: f("firstName"),
        given2: f("middleName"),
        surname: f("lastName"),
        ..PersonName::default()
    };
    // The full name goes into the person name when there is no other, else into the documents;
    // without those it is kept as a custom field.
    let mut full_kept = false;
    if name == PersonName::default() {
        name.given = f("fullName");
        full_kept = true;
    }
    if name != PersonName::default() {
        item.credentials.push(name.into());
    }
    let state = s(c, "stateOrProvince");
    let country = s(c, "countryOrRegion");
    let (territory, country) = build::place(
        state,
        country,
        ["State or province", "Country or region"],
        custom,
    );
    let address = Address {
        street_address: f("streetAddress"),
        postal_code: f("zipOrPostalCode"),
        city: f("city"),
        territory,
        country,
        tel: f("phoneNumber"),
        ..Address::default()
    };
    if address != Address::default() {
        item.credentials.push(address.into());
    }
    let full = f("fullName");
    full_kept |= ["passportNumber", "licenseNumber", "socialSecurityNumber"]
        .iter()
        .any(|k| !s(c, k).is_empty());
    if !full_kept {
        custom.extend(build::labelled(
            "fullName",
            FieldType::String,
            s(c, "fullName"),
        ));
    }
    if !s(c, "passportNumber").is_empty() {
        item.credentials.push(
            Passport {
                passport_number: f("passportNumber"),
                full_name: full.clone(),
                ..Passport::default()
            }
            .into(),
        );
    }
    if !s(c, "licenseNumber").is_empty() {
        item.credentials.push(
            DriversLicense {
                license_number: f("licenseNumber"),
                full_name: full.clone(),
                ..DriversLicense::default()
            }
            .into(),
        );
    }
    if !s(c, "socialSecurityNumber").is_empty() {
        item.credentials.push(
            IdentityDocument {
                identification_number: f("socialSecurityNumber"),
                full_name: full,
                ..IdentityDocument::default()
            }
            .into(),
        );
    }
    if let Some(obj) = c.as_object() {
        for (k, v) in obj {
            if IDENTITY_TYPED.contains(&k.as_str()) {
                continue;
            }
            match v {
                Value::String(v) => {
                    let ft = if k.to_ascii_lowercase().contains("email") {
                        FieldType::Email
                    } else {
                        FieldType::String
                    };
                    custom.extend(build::labelled(k, ft, v));
                }
                Value::Array(extra) if k.starts_with("extra") && k != "extraSections" => {
                    check_fields(Some(&c[k]), &format!("identity.{k}[]"), u);
                    for f in extra {
                        let ft = if s(f, "type") == "hidden" {
                            FieldType::ConcealedString
                        } else {
                            FieldType::String
                        };
                        custom.extend(build::labelled(
                            s(f, "fieldName"),
                            ft,
                            s(f.get("data").unwrap_or(&Value::Null), "content"),
                        ));
                    }
                }
                _ => {}
            }
        }
    }
}
