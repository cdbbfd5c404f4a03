//! Proton Pass export: `data.json`, alone or inside the unencrypted zip (`Proton Pass/data.json`).
//! PGP-encrypted exports are refused as unsupported.
//!
//! Vaults become collections. Logins → `basic-auth` (the username, else the e-mail; when both
//! exist the e-mail goes to a custom field) + `totp` (URI or bare secret) + scope URLs; credit
//! cards → `credit-card`; identities → `person-name`, `address`, `passport`, `drivers-license`,
//! `identity-document` and custom fields (one `custom-fields` per extra section); aliases →
//! `basic-auth` with the alias address (reported: CXF has no alias concept). Extra fields
//! (`text`, `hidden`, `totp`) become custom fields or `totp`. Trashed items (`state` 2) are
//! skipped. Every other member with a value that the reader does not map (newer item types,
//! unknown members) is named in the loss report.
//!
//! # Passkeys
//!
//! A login's `passkeys[]` become CXF `passkey` credentials. Each export passkey has descriptive
//! members (`credentialId`, `userHandle`, `userId` and `content` in standard base64; `keyId`,
//! `domain`, `rpId`, `rpName`, `userName`, `userDisplayName`, `createTime`, `note`,
//! `creationData`) and, in `content`, the record Proton Pass signs with, as written by
//! proton-pass-common (`passkey/passkey_handling.rs`, `protonpasskey.rs`): MessagePack
//! (`rmp_serde`, structs as maps) `{c, v: 1}` whose `c` is the MessagePack of 1Password's
//! `passkey-types` passkey in Proton's own mirror types: its COSE private key (EC2 P-256,
//! ES256, with the public point beside the scalar), credential id, relying party id, user
//! handle, signature counter, `hmac-secret` seeds and, in newer records, the user name and
//! display name. The reader decodes it with a small bounded MessagePack decoder
//! (`util::msgpack`), turns the COSE key into PKCS#8 DER (checking the stored public point
//! against the private scalar), and maps the `hmac-secret` seeds to `hmacCredentials`. A
//! passkey whose `content` cannot be decoded, holds another key type, or has another record
//! version is reported as lost with the reason; so are export members that disagree with the
//! record, `rpName`, `domain`, `note`, a passkey creation time other than the item's,
//! `creationData` and a non-zero signature counter (CXF has no place for them).

use crate::formats::util;
use base64::Engine as _;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::formats::apple_csv::push_totp;
use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util::members::{Unmapped, report_unmapped};
use crate::formats::util::msgpack::{self, Mp};
use crate::formats::util::{archive, b64_any};
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{
    Address, B64, CreditCard, Document, DriversLicense, EditableField, Fido2Extensions,
    Fido2HmacCredentials, FieldType, IdentityDocument, Item, Passkey, Passport, PersonName,
    SecretB64, Text,
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
            for (i, pk) in content
                .get("passkeys")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                u.check(pk, "login.passkeys[]", PASSKEY_MAPPED);
                let created = it.get("createTime").and_then(Value::as_u64);
                if let Some(p) = read_passkey(pk, i, created, &r, loss) {
                    item.credentials.push(p.into());
                }
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

// ------------------------------------------------------------------------------------ passkeys

/// Members of an export passkey (`login.passkeys[]`) the reader maps, or checks against the
/// passkey record in `content` (see [`read_passkey`]). `creationData` (the device and app that
/// made the passkey) has no CXF home and is reported when it has values.
const PASSKEY_MAPPED: &[&str] = &[
    "keyId",
    "content",
    "domain",
    "rpId",
    "rpName",
    "userName",
    "userDisplayName",
    "userId",
    "createTime",
    "note",
    "credentialId",
    "userHandle",
];

/// Why a passkey's `content` gave no CXF passkey: the loss reason and its detail.
type Refusal = (LossReason, &'static str);

const NOT_PROTON: Refusal = (
    LossReason::InvalidValue,
    "the passkey content is not Proton Pass's passkey record (MessagePack {c, v} holding the \
     credential); the passkey was not converted",
);
const NOT_P256: Refusal = (
    LossReason::Unsupported,
    "the passkey's key is not an ECDSA P-256 (ES256) COSE key, the only kind Proton Pass creates \
     and this reader converts; the passkey was not converted",
);

/// The passkey record inside an export passkey's `content`, decoded.
struct ProtonPasskey {
    credential_id: Vec<u8>,
    rp_id: String,
    user_handle: Option<Vec<u8>>,
    username: Option<String>,
    user_display_name: Option<String>,
    counter: u64,
    /// The private key as PKCS#8 DER.
    pkcs8: Zeroizing<Vec<u8>>,
    /// `hmac-secret` seeds.
    hmac: Option<HmacSeeds>,
}

/// `hmac-secret` seeds: with user verification, and without it when stored.
type HmacSeeds = (Zeroizing<Vec<u8>>, Option<Zeroizing<Vec<u8>>>);

/// Decodes an export passkey's `content`.
///
/// Proton Pass (proton-pass-common, `passkey_handling.rs`) serialises 1Password's
/// `passkey-types` passkey, converted to its own `ProtonPassKey`, with `rmp_serde::to_vec_named`
/// (MessagePack, structs as maps keyed by their serde names), and wraps it in a second record
/// `{c: <those bytes>, v: 1}`; the export holds that record in standard base64. Serde writes
/// every `Vec<u8>` as an array of integers, not as MessagePack `bin`, and both are accepted
/// here. The passkey record is `{key, cid, rid, uhd, cnt, ext, udn, un}`: the COSE private key,
/// credential id, relying party id, user handle, signature counter, extension state
/// (`hmac_secret {cred_with_uv, cred_without_uv}`), user display name and user name (the last
/// three absent in older records). The COSE key is `{kty, kid, alg, kops, biv, par}` where the
/// enums are adjacently tagged `{t, c}` (`{t: "assign", c: "EC2"}`) and `par` lists
/// `[label, value]` pairs: labels `{t: "int", c: -1}`, values `{t: "bytes", c: [...]}` or
/// `{t: "int", c: {inner: [16 bytes, little-endian i128]}}`.
fn decode_passkey(content: &str) -> Result<ProtonPasskey, Refusal> {
    let raw = Zeroizing::new(b64_any(content).ok_or((
        LossReason::InvalidValue,
        "the passkey content is not base64; the passkey was not converted",
    ))?);
    let outer = msgpack::decode(&raw).map_err(|_| NOT_PROTON)?;
    match outer.get("v").and_then(Mp::as_int) {
        Some(1) => {}
        Some(_) => {
            return Err((
                LossReason::Unsupported,
                "the passkey content has a format version other than 1, the only one this \
                 reader knows; the passkey was not converted",
            ));
        }
        None => return Err(NOT_PROTON),
    }
    let inner = outer.get("c").and_then(Mp::bytes).ok_or(NOT_PROTON)?;
    let pk = msgpack::decode(&inner).map_err(|_| NOT_PROTON)?;
    let optional_text = |key: &str| match pk.get(key) {
        None | Some(Mp::Nil) => Ok(None),
        Some(Mp::Str(s)) => Ok(Some(s.clone())),
        Some(_) => Err(NOT_PROTON),
    };
    let user_handle = match pk.get("uhd") {
        None | Some(Mp::Nil) => None,
        Some(v) => Some(v.bytes().ok_or(NOT_PROTON)?.to_vec()),
    };
    let counter = match pk.get("cnt") {
        None | Some(Mp::Nil) => 0,
        Some(v) => v
            .as_int()
            .and_then(|n| u64::try_from(n).ok())
            .ok_or(NOT_PROTON)?,
    };
    let hmac = match pk.get("ext").and_then(|e| e.get("hmac_secret")) {
        None | Some(Mp::Nil) => None,
        Some(h) => {
            let with_uv = h
                .get("cred_with_uv")
                .and_then(Mp::bytes)
                .ok_or(NOT_PROTON)?;
            let without_uv = match h.get("cred_without_uv") {
                None | Some(Mp::Nil) => None,
                Some(v) => Some(v.bytes().ok_or(NOT_PROTON)?),
            };
            Some((with_uv, without_uv))
        }
    };
    Ok(ProtonPasskey {
        credential_id: pk
            .get("cid")
            .and_then(Mp::bytes)
            .ok_or(NOT_PROTON)?
            .to_vec(),
        rp_id: pk
            .get("rid")
            .and_then(Mp::as_str)
            .ok_or(NOT_PROTON)?
            .to_owned(),
        user_handle,
        username: optional_text("un")?,
        user_display_name: optional_text("udn")?,
        counter,
        pkcs8: cose_p256_to_pkcs8(pk.get("key").ok_or(NOT_PROTON)?)?,
        hmac,
    })
}

/// An adjacently tagged serde enum `{t, c}`: its tag and content.
fn tagged(v: &Mp) -> Option<(&str, Option<&Mp>)> {
    Some((v.get("t")?.as_str()?, v.get("c")))
}

/// A Proton COSE key (see [`decode_passkey`]) holding an EC2 P-256 private key, as PKCS#8 DER.
/// The public point stored beside the private scalar must be the scalar's.
fn cose_p256_to_pkcs8(key: &Mp) -> Result<Zeroizing<Vec<u8>>, Refusal> {
    use p256::elliptic_curve::sec1::ToSec1Point as _;
    use p256::pkcs8::EncodePrivateKey as _;
    match key.get("kty").and_then(tagged) {
        Some(("assign", Some(Mp::Str(t)))) if t == "EC2" => {}
        Some(_) => return Err(NOT_P256),
        None => return Err(NOT_PROTON),
    }
    match key.get("alg") {
        None | Some(Mp::Nil) => {}
        Some(alg) => match tagged(alg) {
            Some(("assign", Some(Mp::Str(a)))) if a == "ES256" => {}
            _ => return Err(NOT_P256),
        },
    }
    let (mut crv, mut x, mut y, mut d) = (None, None, None, None);
    for pair in key.get("par").and_then(Mp::as_array).ok_or(NOT_PROTON)? {
        let [label, value] = pair.as_array().ok_or(NOT_PROTON)? else {
            return Err(NOT_PROTON);
        };
        // Text labels are not COSE EC2 parameters; they carry nothing this reader needs.
        let Some(("int", Some(Mp::Int(label)))) = tagged(label) else {
            continue;
        };
        match (*label, tagged(value)) {
            (-1, Some(("int", Some(n)))) => crv = Some(proton_integer(n).ok_or(NOT_PROTON)?),
            (-2, Some(("bytes", Some(b)))) => x = Some(b.bytes().ok_or(NOT_PROTON)?),
            (-3, Some(("bytes", Some(b)))) => y = Some(b.bytes().ok_or(NOT_PROTON)?),
            (-4, Some(("bytes", Some(b)))) => d = Some(b.bytes().ok_or(NOT_PROTON)?),
            (-4..=-1, _) => return Err(NOT_PROTON),
            _ => {}
        }
    }
    if crv != Some(1) {
        return Err(NOT_P256);
    }
    let d = d.ok_or(NOT_P256)?;
    if d.len() != 32 {
        return Err(NOT_PROTON);
    }
    let secret = p256::SecretKey::from_slice(&d).map_err(|_| {
        (
            LossReason::InvalidValue,
            "the passkey's private key is not a valid P-256 scalar; the passkey was not converted",
        )
    })?;
    if let (Some(x), Some(y)) = (x, y) {
        let point = secret.public_key().to_sec1_point(false);
        if point.x().map(|c| c.as_slice()) != Some(x.as_slice())
            || point.y().map(|c| c.as_slice()) != Some(y.as_slice())
        {
            return Err((
                LossReason::InvalidValue,
                "the public key stored with the passkey is not the public key of its private \
                 key; the passkey was not converted",
            ));
        }
    }
    let der = secret.to_pkcs8_der().map_err(|_| NOT_P256)?;
    Ok(Zeroizing::new(der.as_bytes().to_vec()))
}

/// A Proton integer value `{inner: [up to 16 bytes]}`: a little-endian `i128`.
fn proton_integer(v: &Mp) -> Option<i128> {
    let inner = v.get("inner")?.bytes()?;
    if inner.len() > 16 {
        return None;
    }
    let mut le = [0u8; 16];
    le[..inner.len()].copy_from_slice(&inner);
    Some(i128::from_le_bytes(le))
}

/// The CXF passkey of the export passkey `pk` (the `i`-th of its login), or `None` with a loss
/// entry when its `content` cannot be converted.
///
/// The record in `content` is what Proton Pass signs with, so its credential id, relying party
/// id and user handle are kept; the export's copies of them (`credentialId`, `keyId`, `rpId`,
/// `userHandle`, `userId`) are reported when they say something else. The user name and
/// display name come from the record, or from the export when an older record has none.
/// `rpName`, `domain`, `note` and a passkey `createTime` other than the item's have no CXF
/// home and are reported, as is a non-zero signature counter (CXF passkeys have none).
fn read_passkey(
    pk: &Value,
    i: usize,
    item_created: Option<u64>,
    r: &ItemRef<'_>,
    loss: &mut LossReport,
) -> Option<Passkey> {
    let at = format!("login.passkeys[{i}]");
    let d = match decode_passkey(s(pk, "content")) {
        Ok(d) => d,
        Err((reason, detail)) => {
            loss.add(r, at, reason, detail);
            return None;
        }
    };
    let mut differs = |member: &str, reason: LossReason, detail: &str| {
        loss.add(r, format!("{at}.{member}"), reason, detail.to_owned());
    };
    let same_bytes = |member: &str, bytes: &[u8]| {
        let v = s(pk, member);
        v.is_empty() || b64_any(v).as_deref() == Some(bytes)
    };
    for member in ["credentialId", "keyId"] {
        if !same_bytes(member, &d.credential_id) {
            differs(
                member,
                LossReason::InvalidValue,
                "differs from the credential id in the passkey record, which was kept",
            );
        }
    }
    let rp_id = s(pk, "rpId");
    if !rp_id.is_empty() && rp_id != d.rp_id {
        differs(
            "rpId",
            LossReason::InvalidValue,
            "differs from the relying party id in the passkey record, which was kept",
        );
    }
    let handle = match &d.user_handle {
        Some(h) => h.clone(),
        None => b64_any(s(pk, "userHandle"))
            .filter(|h| !h.is_empty())
            .or_else(|| b64_any(s(pk, "userId")))
            .unwrap_or_default(),
    };
    for member in ["userHandle", "userId"] {
        if !same_bytes(member, &handle) {
            differs(
                member,
                LossReason::NoEquivalent,
                "differs from the user handle kept (the passkey record's); a CXF passkey has one",
            );
        }
    }
    let mut name = |own: &Option<String>, member: &str| -> String {
        let export = s(pk, member);
        match own {
            Some(v) => {
                if !export.is_empty() && export != v {
                    differs(
                        member,
                        LossReason::NoEquivalent,
                        "differs from the passkey record's, which was kept",
                    );
                }
                v.clone()
            }
            None => export.to_owned(),
        }
    };
    let username = name(&d.username, "userName");
    let user_display_name = name(&d.user_display_name, "userDisplayName");
    let rp_name = s(pk, "rpName");
    if !rp_name.is_empty() && rp_name != d.rp_id {
        differs(
            "rpName",
            LossReason::NoEquivalent,
            "a CXF passkey has no relying party name",
        );
    }
    let domain = s(pk, "domain");
    if !domain.is_empty() && domain != d.rp_id {
        differs(
            "domain",
            LossReason::NoEquivalent,
            "a CXF passkey has no origin domain besides its relying party id",
        );
    }
    if !s(pk, "note").trim().is_empty() {
        differs(
            "note",
            LossReason::NoEquivalent,
            "a CXF passkey has no note",
        );
    }
    let created = pk.get("createTime").and_then(Value::as_u64);
    if created.is_some_and(|t| t != 0 && Some(t) != item_created) {
        differs(
            "createTime",
            LossReason::NoEquivalent,
            "a CXF passkey has no creation time of its own (the item's is kept)",
        );
    }
    if d.counter != 0 {
        differs(
            "content.cnt",
            LossReason::NoEquivalent,
            "the signature counter is not carried: CXF passkeys have none (importers start at \
             0), and a site that checks counters may refuse the imported passkey",
        );
    }
    let fido2_extensions = d.hmac.as_ref().map(|(with_uv, without_uv)| {
        Box::new(Fido2Extensions {
            hmac_credentials: Some(Fido2HmacCredentials {
                algorithm: Text::from("hmac-sha256"),
                cred_with_uv: SecretB64::encode(with_uv),
                cred_without_uv: without_uv.as_deref().map(|w| SecretB64::encode(w)),
                ..Default::default()
            }),
            ..Default::default()
        })
    });
    Some(Passkey {
        credential_id: B64::encode(&d.credential_id),
        rp_id: Text::from(d.rp_id.as_str()),
        username: Text::from(username.as_str()),
        user_display_name: Text::from(user_display_name.as_str()),
        user_handle: B64::encode(&handle),
        key: SecretB64::encode(&d.pkcs8),
        fido2_extensions,
        ..Passkey::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::util::msgpack::tests::W;
    use p256::elliptic_curve::sec1::ToSec1Point as _;

    /// An invented P-256 key: (d, x, y).
    fn key() -> ([u8; 32], Vec<u8>, Vec<u8>) {
        let d = [7u8; 32];
        let point = p256::SecretKey::from_slice(&d)
            .unwrap()
            .public_key()
            .to_sec1_point(false);
        (d, point.x().unwrap().to_vec(), point.y().unwrap().to_vec())
    }

    /// A byte string as serde writes a `Vec<u8>` (array of integers), or as `bin`.
    fn b(bin: bool, bytes: &[u8]) -> W<'_> {
        if bin { W::Bin(bytes) } else { W::Seq(bytes) }
    }

    fn tag<'a>(t: &'a str, c: W<'a>) -> W<'a> {
        W::Map(vec![("t", W::Str(t)), ("c", c)])
    }

    fn int(n: i64) -> W<'static> {
        W::Map(vec![("t", W::Str("int")), ("c", W::Int(n))])
    }

    /// A Proton COSE key with the key type `kty` and the byte strings written by `bytes`.
    fn cose<'a>(kty: &'a str, d: &'a [u8], x: &'a [u8], y: &'a [u8], bin: bool) -> W<'a> {
        // crv = 1 (P-256) as a 16-byte little-endian integer.
        const CRV: [u8; 16] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        W::Map(vec![
            ("kty", tag("assign", W::Str(kty))),
            ("kid", b(bin, &[])),
            ("alg", tag("assign", W::Str("ES256"))),
            ("kops", W::Arr(vec![])),
            ("biv", b(bin, &[])),
            (
                "par",
                W::Arr(vec![
                    W::Arr(vec![
                        int(-1),
                        tag("int", W::Map(vec![("inner", b(bin, &CRV))])),
                    ]),
                    W::Arr(vec![int(-2), tag("bytes", b(bin, x))]),
                    W::Arr(vec![int(-3), tag("bytes", b(bin, y))]),
                    W::Arr(vec![int(-4), tag("bytes", b(bin, d))]),
                ]),
            ),
        ])
    }

    fn content(record: W<'_>, version: i64) -> String {
        let mut inner = Vec::new();
        record.encode(&mut inner);
        let mut outer = Vec::new();
        W::Map(vec![("c", W::Seq(&inner)), ("v", W::Int(version))]).encode(&mut outer);
        base64::engine::general_purpose::STANDARD.encode(outer)
    }

    fn record(key: W<'_>, bin: bool) -> W<'_> {
        W::Map(vec![
            ("key", key),
            ("cid", b(bin, b"cred")),
            ("rid", W::Str("rp.example")),
            ("uhd", W::Nil),
            ("cnt", W::Nil),
        ])
    }

    #[test]
    fn reads_byte_strings_written_as_arrays_or_as_bin() {
        let (d, x, y) = key();
        for bin in [false, true] {
            let c = content(record(cose("EC2", &d, &x, &y, bin), bin), 1);
            let p = decode_passkey(&c).unwrap_or_else(|e| panic!("{}", e.1));
            assert_eq!(p.credential_id, b"cred");
            assert_eq!(p.rp_id, "rp.example");
            assert_eq!(p.user_handle, None);
            assert_eq!((p.username, p.user_display_name), (None, None));
            assert_eq!(p.counter, 0);
            assert!(p.hmac.is_none());
            let back = <p256::SecretKey as p256::pkcs8::DecodePrivateKey>::from_pkcs8_der(&p.pkcs8)
                .unwrap();
            assert_eq!(back.to_bytes().as_slice(), d);
        }
    }

    #[test]
    fn refuses_other_keys_versions_and_mismatched_public_keys() {
        let (d, x, y) = key();
        let okp = content(record(cose("OKP", &d, &x, &y, false), false), 1);
        assert_eq!(decode_passkey(&okp).err(), Some(NOT_P256));
        let v2 = content(record(cose("EC2", &d, &x, &y, false), false), 2);
        assert_eq!(
            decode_passkey(&v2).err().map(|e| e.0),
            Some(LossReason::Unsupported)
        );
        let wrong = content(record(cose("EC2", &d, &y, &x, false), false), 1);
        let err = decode_passkey(&wrong).err().unwrap();
        assert_eq!(err.0, LossReason::InvalidValue);
        assert!(err.1.contains("public key"));
        let mut not_a_record = Vec::new();
        W::Map(vec![("c", W::Str("x")), ("v", W::Int(1))]).encode(&mut not_a_record);
        let b64 = base64::engine::general_purpose::STANDARD.encode(not_a_record);
        assert_eq!(decode_passkey(&b64).err(), Some(NOT_PROTON));
        assert_eq!(decode_passkey("").err(), Some(NOT_PROTON));
    }
}
