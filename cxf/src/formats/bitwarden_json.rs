//! Bitwarden JSON export: plain, organisation (collections), and password-protected (PBKDF2 or
//! Argon2id). Account-restricted exports are refused with [`ReadError::AccountRestricted`].
//!
//! Item types: 1 login (URIs, TOTP, passkeys in `fido2Credentials`), 2 secure note, 3 card,
//! 4 identity, 5 SSH key. Custom fields of types 0–2 become `custom-fields`; linked fields
//! (type 3) point at built-in fields and are reported. Password history, URI match rules and
//! the re-prompt flag have no CXF home and are reported.

use serde_json::{Map, Value, json};
use zeroize::Zeroizing;

use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util::{bwcrypto, iso, keys, otp, time};
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{
    Address, B64, Credential, CreditCard, Document, DriversLicense, EditableField, FieldType,
    IdentityDocument, Item, Passkey, Passport, PersonName, SecretB64, SshKey, Text,
};

const F: Format = Format::BitwardenJson;

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Reads a Bitwarden JSON export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let top: Value = serde_json::from_slice(bytes).map_err(|e| {
        ReadError::syntax(
            F,
            format!("invalid JSON at line {} column {}", e.line(), e.column()),
        )
    })?;
    if top.get("encrypted").and_then(Value::as_bool) == Some(true) {
        if top.get("passwordProtected").and_then(Value::as_bool) != Some(true) {
            return Err(ReadError::AccountRestricted);
        }
        let plain = decrypt(&top, options)?;
        let inner: Value =
            serde_json::from_slice(&plain).map_err(|_| ReadError::DecryptionFailed)?;
        return read_plain(&inner, options, loss);
    }
    read_plain(&top, options, loss)
}

fn decrypt(top: &Value, options: &ReadOptions) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    let password = options
        .password
        .as_ref()
        .ok_or(ReadError::PasswordRequired)?;
    let num = |k: &str| {
        top.get(k)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
    };
    let kdf = match top.get("kdfType").and_then(Value::as_u64) {
        Some(0) => bwcrypto::Kdf::Pbkdf2 {
            iterations: num("kdfIterations").ok_or(ReadError::DecryptionFailed)?,
        },
        Some(1) => bwcrypto::Kdf::Argon2id {
            iterations: num("kdfIterations").ok_or(ReadError::DecryptionFailed)?,
            memory_mib: num("kdfMemory").ok_or(ReadError::DecryptionFailed)?,
            parallelism: num("kdfParallelism").ok_or(ReadError::DecryptionFailed)?,
        },
        _ => {
            return Err(ReadError::Unsupported {
                format: F,
                message: "unknown kdfType".into(),
            });
        }
    };
    if !kdf.within_limits() {
        return Err(ReadError::Unsupported {
            format: F,
            message: "key-derivation cost above the accepted maximum".into(),
        });
    }
    let keys = bwcrypto::derive_keys(password.expose().as_bytes(), s(top, "salt"), kdf)
        .map_err(|_| ReadError::DecryptionFailed)?;
    bwcrypto::decrypt_enc_string(&keys, s(top, "encKeyValidation_DO_NOT_EDIT"))
        .map_err(|_| ReadError::DecryptionFailed)?;
    bwcrypto::decrypt_enc_string(&keys, s(top, "data")).map_err(|_| ReadError::DecryptionFailed)
}

/// Parses `8-4-4-4-12` hex UUIDs to their 16 bytes.
pub(crate) fn uuid_bytes(s: &str) -> Option<[u8; 16]> {
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || s.len() != 36 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn uuid_string(bytes: &[u8]) -> String {
    let mut b = [0u8; 16];
    for (i, x) in bytes.iter().take(16).enumerate() {
        b[i] = *x;
    }
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn b64url_any(s: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let t = s.trim().trim_end_matches('=');
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(t)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(t))
        .ok()
}

fn read_plain(
    top: &Value,
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let items = top
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| ReadError::syntax(F, "no `items` array"))?;
    let mut acc = AccountBuilder::new(F, "");
    let mut folders: Vec<(String, Vec<String>)> = Vec::new();
    for key in ["folders", "collections"] {
        for f in top.get(key).and_then(Value::as_array).into_iter().flatten() {
            let path: Vec<String> = s(f, "name").split('/').map(str::to_owned).collect();
            acc.ensure_collection(&path);
            folders.push((s(f, "id").to_owned(), path));
        }
    }
    let folder_paths: std::collections::HashMap<&str, &Vec<String>> = folders
        .iter()
        .map(|(id, path)| (id.as_str(), path))
        .collect();
    for (index, it) in items.iter().enumerate() {
        let title = s(it, "name");
        let r = ItemRef::new(index, title);
        if it.get("deletedDate").is_some_and(|d| !d.is_null()) {
            loss.add(&r, "item", LossReason::Skipped, "item is in the trash");
            continue;
        }
        let id = acc.item_id(uuid_bytes(s(it, "id")).as_ref().map(|b| &b[..]), index);
        let mut item = build::item(id.clone(), title);
        item.creation_at = time::parse_rfc3339(s(it, "creationDate"));
        item.modified_at = time::parse_rfc3339(s(it, "revisionDate"));
        if it.get("favorite").and_then(Value::as_bool) == Some(true) {
            item.favorite = Some(true);
        }
        let creds = &mut item.credentials;
        // Hand-made and very old exports omit `type`: infer it from the object present.
        let kind = it.get("type").and_then(Value::as_u64).or_else(|| {
            [
                ("login", 1),
                ("secureNote", 2),
                ("card", 3),
                ("identity", 4),
                ("sshKey", 5),
            ]
            .iter()
            .find(|(k, _)| it.get(*k).is_some_and(Value::is_object))
            .map(|(_, t)| *t)
            .or(Some(2))
        });
        match kind {
            Some(1) => read_login(it.get("login").unwrap_or(&Value::Null), &mut item, &r, loss),
            Some(3) => creds.extend(read_card(it.get("card").unwrap_or(&Value::Null))),
            Some(4) => creds.extend(read_identity(it.get("identity").unwrap_or(&Value::Null))),
            Some(5) => read_ssh(it.get("sshKey").unwrap_or(&Value::Null), creds, &r, loss),
            Some(2) => {}
            _ => loss.add(
                &r,
                "type",
                LossReason::Unsupported,
                "unknown Bitwarden item type; only its name, notes and fields were kept",
            ),
        }
        item.credentials.extend(build::note(s(it, "notes")));
        read_fields(it, &mut item, &r, loss);
        if it
            .get("passwordHistory")
            .and_then(Value::as_array)
            .is_some_and(|h| !h.is_empty())
        {
            loss.add(
                &r,
                "passwordHistory",
                LossReason::NoEquivalent,
                "CXF has no password history",
            );
        }
        if it
            .get("reprompt")
            .and_then(Value::as_u64)
            .is_some_and(|n| n != 0)
        {
            loss.add(
                &r,
                "reprompt",
                LossReason::NoEquivalent,
                "CXF has no master-password re-prompt flag",
            );
        }
        let mut targets: Vec<&str> = Vec::new();
        if let Some(f) = it.get("folderId").and_then(Value::as_str) {
            targets.push(f);
        }
        for c in it
            .get("collectionIds")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            targets.extend(c.as_str());
        }
        for t in targets {
            if let Some(path) = folder_paths.get(t) {
                acc.add_to_collection(path, &id);
            }
        }
        acc.push_item(item);
    }
    Ok(build::document(F, vec![acc.finish()], options))
}

fn read_login(login: &Value, item: &mut Item, r: &ItemRef<'_>, loss: &mut LossReport) {
    for (i, uri) in login
        .get("uris")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let u = s(uri, "uri");
        if let Some(app) = u.strip_prefix("androidapp://") {
            let scope = item.scope.get_or_insert_with(Default::default);
            scope.android_apps.push(crate::AndroidAppId {
                bundle_id: Text::from(app.trim_end_matches('/')),
                ..Default::default()
            });
        } else {
            build::add_urls(item, [u]);
        }
        if uri.get("match").is_some_and(|m| !m.is_null()) {
            loss.add(
                r,
                format!("login.uris[{i}].match"),
                LossReason::NoEquivalent,
                "CXF has no URI match rules",
            );
        }
    }
    let username = s(login, "username");
    item.credentials
        .extend(build::basic_auth(username, s(login, "password")));
    let totp = s(login, "totp");
    if !totp.trim().is_empty() {
        match otp::parse(totp) {
            Ok(t) => item.credentials.push(build::totp(&t, Some(username))),
            Err(otp::OtpError::Unsupported) => {
                loss.add(
                    r,
                    "login.totp",
                    LossReason::Unsupported,
                    "not a TOTP key (HOTP or Steam); CXF only has TOTP",
                );
            }
            Err(otp::OtpError::Invalid) => loss.add(
                r,
                "login.totp",
                LossReason::InvalidValue,
                "not an otpauth URI or a Base32 secret",
            ),
        }
    }
    for (i, pk) in login
        .get("fido2Credentials")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        match read_passkey(pk) {
            Some(p) => item.credentials.push(p.into()),
            None => loss.add(
                r,
                format!("login.fido2Credentials[{i}]"),
                LossReason::InvalidValue,
                "passkey with a credential id, user handle or key that is not valid (the key must be PKCS#8)",
            ),
        }
    }
}

fn read_passkey(pk: &Value) -> Option<Passkey> {
    let id = s(pk, "credentialId");
    let credential_id = match id.strip_prefix("b64.") {
        Some(b) => b64url_any(b)?,
        None => uuid_bytes(id)?.to_vec(),
    };
    let key = Zeroizing::new(b64url_any(s(pk, "keyValue"))?);
    keys::pkcs8_algorithm(&key).ok()?;
    let handle = b64url_any(s(pk, "userHandle"))?;
    Some(Passkey {
        credential_id: B64::encode(&credential_id),
        rp_id: Text::from(s(pk, "rpId")),
        username: Text::from(s(pk, "userName")),
        user_display_name: Text::from(s(pk, "userDisplayName")),
        user_handle: B64::encode(&handle),
        key: SecretB64::encode(&key),
        ..Passkey::default()
    })
}

fn read_card(c: &Value) -> Option<Credential> {
    let card = CreditCard {
        number: build::field(FieldType::ConcealedString, s(c, "number")),
        full_name: build::field(FieldType::String, s(c, "cardholderName")),
        card_type: build::field(FieldType::String, s(c, "brand")),
        verification_number: build::field(FieldType::ConcealedString, s(c, "code")),
        expiry_date: time::year_month(s(c, "expMonth"), s(c, "expYear"))
            .and_then(|v| build::field(FieldType::YearMonth, &v)),
        ..CreditCard::default()
    };
    (card != CreditCard::default()).then(|| card.into())
}

/// Whether a value is an ISO 3166-2 subdivision code (`US-CA`).
pub(crate) fn is_subdivision(v: &str) -> bool {
    iso::is_subdivision_code(v)
}

/// Whether a value is (or names, like `uk`) an ISO 3166-1 alpha-2 country code; see
/// [`country`] for the code to write.
pub(crate) fn is_country(v: &str) -> bool {
    iso::country_code(v).is_some()
}

fn read_identity(i: &Value) -> Vec<Credential> {
    let mut out: Vec<Credential> = Vec::new();
    let f = |k: &str| build::field(FieldType::String, s(i, k));
    let name = PersonName {
        title: f("title"),
        given: f("firstName"),
        given2: f("middleName"),
        surname: f("lastName"),
        ..PersonName::default()
    };
    if name != PersonName::default() {
        out.push(name.into());
    }
    let street: Vec<&str> = ["address1", "address2", "address3"]
        .iter()
        .map(|k| s(i, k))
        .filter(|v| !v.trim().is_empty())
        .collect();
    let mut extra = Vec::new();
    let state = s(i, "state");
    let country = s(i, "country");
    let address = Address {
        street_address: build::field(FieldType::String, &street.join("\n")),
        postal_code: f("postalCode"),
        city: f("city"),
        territory: if is_subdivision(state) {
            build::field(FieldType::SubdivisionCode, state)
        } else {
            None
        },
        country: if is_country(country) {
            build::country(country)
        } else {
            None
        },
        tel: f("phone"),
        ..Address::default()
    };
    if !is_subdivision(state) {
        extra.extend(build::labelled("State", FieldType::String, state));
    }
    if !is_country(country) {
        extra.extend(build::labelled("Country", FieldType::String, country));
    }
    if address != Address::default() {
        out.push(address.into());
    }
    let full: Vec<&str> = ["firstName", "middleName", "lastName"]
        .iter()
        .map(|k| s(i, k))
        .filter(|v| !v.is_empty())
        .collect();
    let full = full.join(" ");
    if !s(i, "ssn").is_empty() {
        out.push(
            IdentityDocument {
                identification_number: f("ssn"),
                full_name: build::field(FieldType::String, &full),
                ..IdentityDocument::default()
            }
            .into(),
        );
    }
    if !s(i, "passportNumber").is_empty() {
        out.push(
            Passport {
                passport_number: f("passportNumber"),
                full_name: build::field(FieldType::String, &full),
                ..Passport::default()
            }
            .into(),
        );
    }
    if !s(i, "licenseNumber").is_empty() {
        out.push(
            DriversLicense {
                license_number: f("licenseNumber"),
                full_name: build::field(FieldType::String, &full),
                ..DriversLicense::default()
            }
            .into(),
        );
    }
    extra.extend(build::labelled(
        "Company",
        FieldType::String,
        s(i, "company"),
    ));
    extra.extend(build::labelled("Email", FieldType::Email, s(i, "email")));
    extra.extend(build::labelled(
        "Username",
        FieldType::String,
        s(i, "username"),
    ));
    out.extend(build::custom_fields(Some("Identity"), extra));
    out
}

fn read_ssh(
    k: &Value,
    creds: &mut crate::ThinVec<Credential>,
    r: &ItemRef<'_>,
    loss: &mut LossReport,
) {
    match keys::private_key_to_pkcs8(s(k, "privateKey")) {
        Ok(key) => creds.push(
            SshKey {
                key_type: Text::from(key.algorithm.ssh_name()),
                private_key: SecretB64::encode(&key.pkcs8),
                key_comment: (!key.comment.is_empty()).then(|| Text::from(key.comment.as_str())),
                ..SshKey::default()
            }
            .into(),
        ),
        Err(e) => loss.add(
            r,
            "sshKey.privateKey",
            key_loss_reason(e),
            key_loss_detail(e),
        ),
    }
}

pub(crate) fn key_loss_reason(e: keys::KeyError) -> LossReason {
    match e {
        keys::KeyError::Malformed => LossReason::InvalidValue,
        _ => LossReason::Unsupported,
    }
}

pub(crate) fn key_loss_detail(e: keys::KeyError) -> &'static str {
    match e {
        keys::KeyError::Malformed => "the private key is not a readable OpenSSH or PEM key",
        keys::KeyError::Encrypted => {
            "the private key is passphrase-protected; remove the passphrase and convert again"
        }
        keys::KeyError::UnsupportedAlgorithm => {
            "key algorithm not supported (Ed25519, RSA and ECDSA P-256/384/521 are)"
        }
        keys::KeyError::MissingPublicKey => "the key lacks its public half",
    }
}

fn read_fields(it: &Value, item: &mut Item, r: &ItemRef<'_>, loss: &mut LossReport) {
    let mut fields = Vec::new();
    for (i, f) in it
        .get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let name = s(f, "name");
        let value = s(f, "value");
        let ft = match f.get("type").and_then(Value::as_u64) {
            Some(1) => FieldType::ConcealedString,
            Some(2) => FieldType::Boolean,
            Some(3) => {
                loss.add(
                    r,
                    format!("fields[{i}]"),
                    LossReason::Unsupported,
                    "linked field (a pointer to a built-in field) not carried",
                );
                continue;
            }
            _ => FieldType::String,
        };
        let value = if ft == FieldType::Boolean {
            if build::truthy(value) {
                "true"
            } else {
                "false"
            }
        } else {
            value
        };
        let mut field = EditableField::new(ft, value);
        if !name.is_empty() {
            field.label = Some(Text::from(name));
        }
        fields.push(field);
    }
    item.credentials.extend(build::custom_fields(None, fields));
}

// ----------------------------------------------------------------------------------- writer

/// Writes an unencrypted Bitwarden JSON export.
pub(crate) fn write(doc: &Document, loss: &mut LossReport) -> Zeroizing<Vec<u8>> {
    let mut folders = Vec::new();
    let mut folder_of: Vec<(B64, String)> = Vec::new();
    let mut memberships_of: std::collections::HashMap<B64, Vec<String>> =
        std::collections::HashMap::new();
    let mut items = Vec::new();
    let mut index = 0usize;
    for (ai, account) in doc.accounts.iter().enumerate() {
        build::report_account_extras(ai, account, "Bitwarden JSON", loss);
        folder_of.clear();
        collect_folders(&account.collections, "", &mut folders, &mut folder_of);
        memberships_of.clear();
        for (item, folder) in folder_of.drain(..) {
            memberships_of.entry(item).or_default().push(folder);
        }
        for (ii, item) in account.items.iter().enumerate() {
            let r = ItemRef::in_document(ai, ii, index, item.title.as_str());
            index += 1;
            let memberships: &[String] = memberships_of.get(&item.id).map_or(&[], Vec::as_slice);
            if memberships.len() > 1 {
                loss.lose(
                    &r,
                    "",
                    "collections",
                    LossReason::NoEquivalent,
                    "a Bitwarden item sits in one folder; only the first collection was kept",
                );
            }
            items.push(write_item(
                item,
                memberships.first().map(|s| s.as_str()),
                &r,
                loss,
            ));
        }
    }
    let out = json!({ "encrypted": false, "folders": folders, "items": items });
    let mut bytes = Zeroizing::new(Vec::new());
    // Serialising a Value into a Vec cannot fail.
    let _ = serde_json::to_writer_pretty(&mut *bytes, &out);
    bytes.push(b'\n');
    bytes
}

fn collect_folders(
    cs: &[crate::Collection],
    prefix: &str,
    folders: &mut Vec<Value>,
    of: &mut Vec<(B64, String)>,
) {
    for c in cs {
        let path = if prefix.is_empty() {
            c.title.to_string()
        } else {
            format!("{prefix}/{}", c.title)
        };
        let id = uuid_string(
            &build::derived_id(&[b"bitwarden-folder", path.as_bytes()])
                .decode()
                .unwrap_or_default(),
        );
        folders.push(json!({ "id": id, "name": path }));
        for li in &c.items {
            of.push((li.item.clone(), id.clone()));
        }
        collect_folders(&c.sub_collections, &path, folders, of);
    }
}

fn fv(f: &Option<EditableField>) -> Value {
    match f {
        Some(f) if !f.value.is_empty() => Value::String(f.value.expose().to_owned()),
        _ => Value::Null,
    }
}

fn write_item(item: &Item, folder: Option<&str>, r: &ItemRef<'_>, loss: &mut LossReport) -> Value {
    let has = |t: &str| item.credentials.iter().any(|c| c.type_name() == t);
    let kind = if has("basic-auth") || has("passkey") || has("totp") {
        1
    } else if has("credit-card") {
        3
    } else if [
        "person-name",
        "address",
        "passport",
        "drivers-license",
        "identity-document",
    ]
    .iter()
    .any(|t| has(t))
    {
        4
    } else if has("ssh-key") {
        5
    } else {
        2
    };
    let id = item.id.decode().ok().filter(|b| b.len() == 16).map_or_else(
        || {
            uuid_string(
                &build::derived_id(&[b"bitwarden-item", item.id.as_bytes()])
                    .decode()
                    .unwrap_or_default(),
            )
        },
        |b| uuid_string(&b),
    );
    let mut notes: Vec<&str> = Vec::new();
    let mut fields: Vec<Value> = Vec::new();
    let mut login = json!({ "uris": [], "username": null, "password": null, "totp": null, "fido2Credentials": [] });
    let mut card = Map::new();
    let mut identity = Map::new();
    let mut ssh = Value::Null;
    let mut seen_auth = false;
    let mut seen_totp = false;
    let created = item.creation_at.map(time::format_rfc3339_millis);
    if let Some(scope) = &item.scope {
        let uris = login["uris"]
            .as_array_mut()
            .map(std::mem::take)
            .unwrap_or_default();
        let mut uris = uris;
        for u in &scope.urls {
            uris.push(json!({ "match": null, "uri": u.as_str() }));
        }
        for app in &scope.android_apps {
            uris.push(json!({ "match": null, "uri": format!("androidapp://{}", app.bundle_id) }));
        }
        if kind == 1 {
            login["uris"] = Value::Array(uris);
        } else if !uris.is_empty() {
            loss.lose(
                r,
                "/scope",
                "scope",
                LossReason::NoEquivalent,
                "only Bitwarden logins have URIs",
            );
        }
    }
    for (ci, c) in item.credentials.iter().enumerate() {
        let at = format!("/credentials/{ci}");
        let lost = |loss: &mut LossReport, why: &str| {
            loss.lose(
                r,
                &at,
                format!("credentials[{ci}]:{}", c.type_name()),
                LossReason::NoEquivalent,
                why.to_owned(),
            );
        };
        match c {
            Credential::BasicAuth(b) if kind == 1 && !seen_auth => {
                seen_auth = true;
                login["username"] = fv(&b.username);
                login["password"] = fv(&b.password);
            }
            Credential::Totp(t) if kind == 1 && !seen_totp => {
                seen_totp = true;
                if let Some(o) = build::otp_of(t) {
                    let default = o.algorithm == otp::OtpAlgorithm::Sha1
                        && o.digits == 6
                        && o.period == 30
                        && o.issuer.is_none();
                    login["totp"] = Value::String(if default {
                        o.secret.to_string()
                    } else {
                        otp::to_uri(&o).to_string()
                    });
                } else {
                    lost(loss, "TOTP with an algorithm Bitwarden does not know");
                }
            }
            Credential::Passkey(p) if kind == 1 => match write_passkey(p, created.as_deref()) {
                Some(v) => {
                    if let Some(a) = login["fido2Credentials"].as_array_mut() {
                        a.push(v);
                    }
                }
                None => lost(loss, "Bitwarden stores only ECDSA P-256 passkeys"),
            },
            Credential::CreditCard(cc) if kind == 3 && card.is_empty() => {
                let (y, m) = value_ym(&cc.expiry_date);
                card.insert("cardholderName".into(), fv(&cc.full_name));
                card.insert("brand".into(), fv(&cc.card_type));
                card.insert("number".into(), fv(&cc.number));
                card.insert("expMonth".into(), m);
                card.insert("expYear".into(), y);
                card.insert("code".into(), fv(&cc.verification_number));
                push_field(&mut fields, "PIN", 1, &cc.pin);
                push_field(&mut fields, "Valid from", 0, &cc.valid_from);
            }
            Credential::PersonName(n) if kind == 4 => {
                put(&mut identity, "title", &n.title);
                put(&mut identity, "firstName", &n.given);
                put(&mut identity, "middleName", &n.given2);
                put(&mut identity, "lastName", &n.surname);
                for (label, f) in [
                    ("Informal name", &n.given_informal),
                    ("Surname prefix", &n.surname_prefix),
                    ("Second surname", &n.surname2),
                    ("Credentials", &n.credentials),
                    ("Generation", &n.generation),
                ] {
                    push_field(&mut fields, label, 0, f);
                }
            }
            Credential::Address(a) if kind == 4 && !identity.contains_key("city") => {
                let street = build::value(&a.street_address);
                let mut lines = street.splitn(3, '\n');
                for k in ["address1", "address2", "address3"] {
                    identity.insert(
                        k.into(),
                        lines
                            .next()
                            .map_or(Value::Null, |l| Value::String(l.to_owned())),
                    );
                }
                put(&mut identity, "city", &a.city);
                put(&mut identity, "state", &a.territory);
                put(&mut identity, "postalCode", &a.postal_code);
                put(&mut identity, "country", &a.country);
                put(&mut identity, "phone", &a.tel);
            }
            Credential::IdentityDocument(d) if kind == 4 && !identity.contains_key("ssn") => {
                put(
                    &mut identity,
                    "ssn",
                    if d.identification_number.is_some() {
                        &d.identification_number
                    } else {
                        &d.document_number
                    },
                );
            }
            Credential::Passport(p) if kind == 4 && !identity.contains_key("passportNumber") => {
                put(&mut identity, "passportNumber", &p.passport_number);
            }
            Credential::DriversLicense(d)
                if kind == 4 && !identity.contains_key("licenseNumber") =>
            {
                put(&mut identity, "licenseNumber", &d.license_number);
            }
            Credential::SshKey(k) if kind == 5 && ssh.is_null() => match k
                .private_key
                .decode()
                .ok()
                .map(|der| keys::pkcs8_to_openssh(&der, k.key_comment.as_deref().unwrap_or("")))
            {
                Some(Ok(o)) => {
                    ssh = json!({ "privateKey": o.private_pem.as_str(), "publicKey": o.public_line, "keyFingerprint": o.fingerprint });
                }
                Some(Err(e)) => loss.lose(
                    r,
                    &at,
                    format!("credentials[{ci}]:ssh-key"),
                    key_loss_reason(e),
                    key_loss_detail(e),
                ),
                None => lost(loss, "the private key is not base64url"),
            },
            Credential::Note(n) => notes.push(n.content.value.expose()),
            Credential::CustomFields(cf)
                if kind == 4 && cf.label.as_deref() == Some("Identity") =>
            {
                // Identity extras read from Bitwarden go back to their members.
                for f in &cf.fields {
                    let key = match f.label.as_deref() {
                        Some("Company") => "company",
                        Some("Email") => "email",
                        Some("Username") => "username",
                        _ => {
                            let t = if f.field_type == FieldType::ConcealedString {
                                1
                            } else {
                                0
                            };
                            fields.push(json!({ "name": f.label.as_deref().unwrap_or(""), "value": f.value.expose(), "type": t, "linkedId": null }));
                            continue;
                        }
                    };
                    identity.insert(key.into(), Value::String(f.value.expose().to_owned()));
                }
            }
            Credential::CustomFields(cf) => {
                for f in &cf.fields {
                    let t = match f.field_type {
                        FieldType::ConcealedString => 1,
                        FieldType::Boolean => 2,
                        _ => 0,
                    };
                    fields.push(json!({ "name": f.label.as_deref().unwrap_or(""), "value": f.value.expose(), "type": t, "linkedId": null }));
                }
            }
            _ => {
                let members = build::credential_members(item, c);
                if members.is_empty() {
                    lost(
                        loss,
                        "Bitwarden items hold one login, card, identity or SSH key; this credential does not fit the item",
                    );
                } else {
                    let same_before = item.credentials[..ci]
                        .iter()
                        .filter(|o| o.type_name() == c.type_name())
                        .count();
                    let prefix = if same_before == 0 {
                        c.type_name().to_owned()
                    } else {
                        format!("{}#{}", c.type_name(), same_before + 1)
                    };
                    for (member, value, concealed) in &members {
                        fields.push(json!({ "name": format!("{prefix}.{member}"), "value": value.as_str(), "type": u8::from(*concealed), "linkedId": null }));
                    }
                    loss.change(
                        r,
                        &at,
                        format!("credentials[{ci}]:{}", c.type_name()),
                        LossReason::NoEquivalent,
                        format!(
                            "Bitwarden has no place for this {} here; stored as custom fields `{prefix}.*`",
                            c.type_name()
                        ),
                    );
                }
            }
        }
    }
    build::report_item_extras(item, r, "Bitwarden JSON", loss);
    if !item.tags.is_empty() {
        loss.lose(
            r,
            "/tags",
            "tags",
            LossReason::NoEquivalent,
            "Bitwarden has no tags",
        );
    }
    let mut out = json!({
        "passwordHistory": null,
        "revisionDate": item.modified_at.or(item.creation_at).map(time::format_rfc3339_millis),
        "creationDate": created,
        "deletedDate": null,
        "id": id,
        "organizationId": null,
        "folderId": folder,
        "type": kind,
        "reprompt": 0,
        "name": item.title.as_str(),
        "notes": if notes.is_empty() { Value::Null } else { Value::String(notes.join("\n\n")) },
        "favorite": item.favorite == Some(true),
        "fields": fields,
        "collectionIds": null,
    });
    match kind {
        1 => out["login"] = login,
        2 => out["secureNote"] = json!({ "type": 0 }),
        3 => out["card"] = Value::Object(card),
        4 => out["identity"] = Value::Object(identity),
        _ => out["sshKey"] = ssh,
    }
    out
}

fn put(m: &mut Map<String, Value>, key: &str, f: &Option<EditableField>) {
    if let Some(f) = f.as_ref().filter(|f| !f.value.is_empty()) {
        m.insert(key.into(), Value::String(f.value.expose().to_owned()));
    }
}

fn push_field(fields: &mut Vec<Value>, name: &str, t: u8, f: &Option<EditableField>) {
    if let Some(f) = f.as_ref().filter(|f| !f.value.is_empty()) {
        fields
            .push(json!({ "name": name, "value": f.value.expose(), "type": t, "linkedId": null }));
    }
}

fn value_ym(f: &Option<EditableField>) -> (Value, Value) {
    let v = build::value(f);
    match v.split_once('-') {
        Some((y, m)) => (
            Value::String(y.to_owned()),
            Value::String(m.trim_start_matches('0').to_owned()),
        ),
        None => (Value::Null, Value::Null),
    }
}

fn write_passkey(p: &Passkey, created: Option<&str>) -> Option<Value> {
    let key = p.key.decode().ok()?;
    if keys::pkcs8_algorithm(&key).ok()? != keys::KeyAlgorithm::P256 {
        return None;
    }
    let id = p.credential_id.decode().ok()?;
    let credential_id = if id.len() == 16 {
        uuid_string(&id)
    } else {
        format!("b64.{}", p.credential_id.as_str())
    };
    Some(json!({
        "credentialId": credential_id,
        "keyType": "public-key",
        "keyAlgorithm": "ECDSA",
        "keyCurve": "P-256",
        "keyValue": p.key.expose(),
        "rpId": p.rp_id.as_str(),
        "userHandle": p.user_handle.as_str(),
        "userName": p.username.as_str(),
        "counter": "0",
        "rpName": p.rp_id.as_str(),
        "userDisplayName": p.user_display_name.as_str(),
        "discoverable": "true",
        "creationDate": created,
    }))
}
