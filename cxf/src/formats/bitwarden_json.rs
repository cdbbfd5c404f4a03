//! Bitwarden JSON export: plain, organisation (collections), and password-protected (PBKDF2 or
//! Argon2id). Account-restricted exports are refused with [`ReadError::AccountRestricted`].
//! The writer writes plain exports, or password-protected ones ([`protect`], Argon2id) with
//! `--encrypt`.
//!
//! Item types: 1 login (URIs, TOTP, passkeys in `fido2Credentials`), 2 secure note, 3 card,
//! 4 identity, 5 SSH key. Custom fields of types 0–2 become `custom-fields`; linked fields
//! (type 3) point at built-in fields and are reported. Password history, URI match rules and
//! the re-prompt flag have no CXF home and are reported.
//!
//! The writer puts what Bitwarden has no slot for into custom fields named after the CXF
//! member: `passport.issuingAuthority`, `drivers-license.licenseClass`, `ssh-key.expiryDate`,
//! `passkey.hmacCredentials.credWithUV` (`type#N.member` for the N-th credential of a type), and
//! `PIN`, `Valid from`, `Informal name`... for card and person-name members. The reader puts
//! those fields back into their credentials, so a round trip through Bitwarden keeps them.

use serde_json::{Map, Value, json};
use zeroize::Zeroizing;

use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util;
use crate::formats::util::members::Unmapped;
use crate::formats::util::{b64_any, bwcrypto, iso, keys, otp, time};
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions, WriteError};
use crate::{
    Address, B64, Credential, CreditCard, Document, DriversLicense, EditableField, FieldType,
    IdentityDocument, Item, Passkey, Passport, PersonName, Secret, SecretB64, SshKey, Text,
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
    let top: Value = util::json::parse(bytes, F)?;
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

fn read_plain(
    top: &Value,
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let items = top
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| ReadError::syntax(F, "no `items` array"))?;
    let mut records = Records::new(top, true);
    for (index, it) in items.iter().enumerate() {
        records.record(index, it, loss);
    }
    Ok(build::document(F, vec![records.acc.finish()], options))
}

/// Reads the records of a plain export one at a time: the whole-file reader and the streaming
/// one ([`crate::formats::stream`]) share it, so both give the same items and ids.
pub(crate) struct Records {
    pub(crate) acc: AccountBuilder,
    folder_paths: std::collections::HashMap<String, Vec<String>>,
    /// Whether items are put into their folders' collections (the streaming reader finds the
    /// membership in a first pass instead, with [`Records::membership`]).
    memberships: bool,
}

impl Records {
    /// A reader for the export `top` (its `folders` and `collections`; `items` is not used).
    pub(crate) fn new(top: &Value, memberships: bool) -> Self {
        let mut acc = AccountBuilder::new(F, "");
        let mut folder_paths = std::collections::HashMap::new();
        for key in ["folders", "collections"] {
            for f in top.get(key).and_then(Value::as_array).into_iter().flatten() {
                let path: Vec<String> = s(f, "name").split('/').map(str::to_owned).collect();
                acc.ensure_collection(&path);
                folder_paths.entry(s(f, "id").to_owned()).or_insert(path);
            }
        }
        Records {
            acc,
            folder_paths,
            memberships,
        }
    }

    /// Whether the export has folders or collections at all.
    pub(crate) fn has_folders(&self) -> bool {
        !self.folder_paths.is_empty()
    }

    /// The id record `index` gets and the folders it is in, without reading the rest of it
    /// (`None` for an item in the trash). Ids are given in order: call it for every record.
    pub(crate) fn membership(&mut self, index: usize, it: &Value) -> Option<B64> {
        if it.get("deletedDate").is_some_and(|d| !d.is_null()) {
            return None;
        }
        let id = self
            .acc
            .item_id(uuid_bytes(s(it, "id")).as_ref().map(|b| &b[..]), index);
        self.add_to_folders(it, &id);
        Some(id)
    }

    fn add_to_folders(&mut self, it: &Value, id: &B64) {
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
            if let Some(path) = self.folder_paths.get(t) {
                self.acc.add_to_collection(path, id);
            }
        }
    }

    /// Reads record `index` into an item of the account (an item in the trash is reported
    /// and skipped).
    pub(crate) fn record(&mut self, index: usize, it: &Value, loss: &mut LossReport) {
        let title = s(it, "name");
        let r = ItemRef::new(index, title);
        if it.get("deletedDate").is_some_and(|d| !d.is_null()) {
            loss.add(&r, "item", LossReason::Skipped, "item is in the trash");
            return;
        }
        let acc = &mut self.acc;
        let id = acc.item_id(uuid_bytes(s(it, "id")).as_ref().map(|b| &b[..]), index);
        let r = r.with_item(&id);
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
        read_fields(it, kind, &mut item, &r, loss);
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
        name_unmapped(it, &r, loss);
        if self.memberships {
            self.add_to_folders(it, &id);
        }
        self.acc.push_item(item);
    }
}

/// Names the members of a Bitwarden item that the reader does not map. Ids, organisation and
/// folder references are structure; `secureNote` holds only its type; `passwordHistory` and
/// `reprompt` are reported where they are read; a passkey's `keyType`, `keyAlgorithm` and
/// `keyCurve` are implied by its key, `discoverable` is always true for a passkey, and its
/// `counter` is a signature counter that CXF does not carry by design (synced passkeys keep 0).
fn name_unmapped(it: &Value, r: &ItemRef<'_>, loss: &mut LossReport) {
    const ITEM: &[&str] = &[
        "id",
        "organizationId",
        "folderId",
        "collectionIds",
        "type",
        "name",
        "notes",
        "favorite",
        "fields",
        "login",
        "card",
        "identity",
        "secureNote",
        "sshKey",
        "creationDate",
        "revisionDate",
        "deletedDate",
        "passwordHistory",
        "reprompt",
    ];
    const LOGIN: &[&str] = &["uris", "username", "password", "totp", "fido2Credentials"];
    const URI: &[&str] = &["uri", "match"];
    const PASSKEY: &[&str] = &[
        "credentialId",
        "keyType",
        "keyAlgorithm",
        "keyCurve",
        "keyValue",
        "rpId",
        "userHandle",
        "userName",
        "userDisplayName",
        "counter",
        "discoverable",
        "rpName",
        "creationDate",
    ];
    const CARD: &[&str] = &[
        "cardholderName",
        "brand",
        "number",
        "expMonth",
        "expYear",
        "code",
    ];
    const IDENTITY: &[&str] = &[
        "title",
        "firstName",
        "middleName",
        "lastName",
        "address1",
        "address2",
        "address3",
        "city",
        "state",
        "postalCode",
        "country",
        "company",
        "email",
        "phone",
        "ssn",
        "username",
        "passportNumber",
        "licenseNumber",
    ];
    const SSH: &[&str] = &["privateKey", "publicKey", "keyFingerprint"];
    const FIELD: &[&str] = &["name", "value", "type", "linkedId"];
    let mut u = Unmapped::new();
    u.check(it, "", ITEM);
    let login = it.get("login").unwrap_or(&Value::Null);
    u.check(login, "login", LOGIN);
    for uri in login
        .get("uris")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        u.check(uri, "login.uris[]", URI);
    }
    for pk in login
        .get("fido2Credentials")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        u.check(pk, "login.fido2Credentials[]", PASSKEY);
        // Bitwarden fills these from the relying party id and the item (as our writer does);
        // only a different value is information CXF has no place for.
        let (rp_name, created) = (s(pk, "rpName"), s(pk, "creationDate"));
        if !rp_name.is_empty() && rp_name != s(pk, "rpId") {
            loss.add(
                r,
                "login.fido2Credentials[].rpName",
                LossReason::NoEquivalent,
                "a CXF passkey has no relying party name",
            );
        }
        if !created.is_empty() && created != s(it, "creationDate") {
            loss.add(
                r,
                "login.fido2Credentials[].creationDate",
                LossReason::NoEquivalent,
                "a CXF passkey has no creation time of its own (the item's is kept)",
            );
        }
    }
    u.check(it.get("card").unwrap_or(&Value::Null), "card", CARD);
    u.check(
        it.get("identity").unwrap_or(&Value::Null),
        "identity",
        IDENTITY,
    );
    u.check(it.get("sshKey").unwrap_or(&Value::Null), "sshKey", SSH);
    for f in it
        .get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        u.check(f, "fields[]", FIELD);
    }
    u.report(r, F, loss);
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
        Some(b) => b64_any(b)?,
        None => uuid_bytes(id)?.to_vec(),
    };
    let key = Zeroizing::new(b64_any(s(pk, "keyValue"))?);
    keys::pkcs8_algorithm(&key).ok()?;
    let handle = b64_any(s(pk, "userHandle"))?;
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
    let (territory, country) = build::place(state, country, ["State", "Country"], &mut extra);
    let address = Address {
        street_address: build::field(FieldType::String, &street.join("\n")),
        postal_code: f("postalCode"),
        city: f("city"),
        territory,
        country,
        tel: f("phone"),
        ..Address::default()
    };
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

fn read_fields(
    it: &Value,
    kind: Option<u64>,
    item: &mut Item,
    r: &ItemRef<'_>,
    loss: &mut LossReport,
) {
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
    let fields = absorb_fields(kind, item, fields);
    item.credentials.extend(build::custom_fields(None, fields));
}

// ------------------------------------------------------------------- custom fields written back

/// Credential types the writer stores as custom fields `type.member` (or `type#N.member` for the
/// N-th of a type) when Bitwarden has no slot for them.
const FLATTENED: [&str; 14] = [
    "address",
    "api-key",
    "basic-auth",
    "credit-card",
    "drivers-license",
    "file",
    "generated-password",
    "identity-document",
    "passkey",
    "passport",
    "person-name",
    "ssh-key",
    "totp",
    "wifi",
];

/// Members that are JSON numbers or booleans, not strings, in CXF.
const NUMBERS: [&str; 4] = ["period", "digits", "decryptedSize", "uncompressedSize"];
const BOOLEANS: [&str; 1] = ["payments"];

/// `passport#2.issuingAuthority` → (`passport`, 2, `issuingAuthority`).
fn flattened_name(name: &str) -> Option<(&'static str, usize, &str)> {
    let (head, member) = name.split_once('.')?;
    let (t, n) = match head.split_once('#') {
        Some((t, n)) => (t, n.parse::<usize>().ok().filter(|n| *n >= 2)?),
        None => (head, 1),
    };
    let t = FLATTENED.iter().copied().find(|k| *k == t)?;
    let ok = !member.is_empty()
        && member
            .split('.')
            .all(|seg| !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_alphanumeric()));
    ok.then_some((t, n, member))
}

/// Puts the custom fields the writer made out of members Bitwarden has no slot for back into
/// their credentials; returns the fields that stay custom fields.
///
/// * card items: `PIN` and `Valid from` (a `YYYY-MM` value) go to the card;
/// * identity items: `Informal name`, `Surname prefix`, `Second surname`, `Credentials` and
///   `Generation` go to the person name;
/// * `type.member` and `type#N.member` fields (`passport.issuingAuthority`,
///   `passkey.hmacCredentials.credWithUV`) are merged into the N-th credential of that type
///   (a passkey's extension state into its `fido2Extensions`), or make a new credential when
///   the item has no such credential. A group that would not make a valid credential stays as
///   custom fields.
fn absorb_fields(
    kind: Option<u64>,
    item: &mut Item,
    fields: Vec<EditableField>,
) -> Vec<EditableField> {
    let mut kept: Vec<Option<EditableField>> = Vec::with_capacity(fields.len());
    let mut groups: Vec<((&'static str, usize), Vec<usize>)> = Vec::new();
    for f in fields {
        let name = f.label.as_deref().unwrap_or("").to_owned();
        if (kind == Some(3) && absorb_card_field(item, &name, &f))
            || (kind == Some(4) && absorb_name_field(item, &name, &f))
        {
            kept.push(None);
            continue;
        }
        if let Some((t, n, _)) = flattened_name(&name) {
            match groups.iter_mut().find(|(k, _)| *k == (t, n)) {
                Some((_, g)) => g.push(kept.len()),
                None => groups.push(((t, n), vec![kept.len()])),
            }
        }
        kept.push(Some(f));
    }
    for ((t, n), group) in groups {
        let fs: Vec<&EditableField> = group.iter().filter_map(|&i| kept[i].as_ref()).collect();
        if absorb_group(item, t, n, &fs) {
            for i in group {
                kept[i] = None;
            }
        }
    }
    kept.into_iter().flatten().collect()
}

fn absorb_card_field(item: &mut Item, name: &str, f: &EditableField) -> bool {
    let Some(card) = item.credentials.iter_mut().find_map(|c| match c {
        Credential::CreditCard(cc) => Some(cc),
        _ => None,
    }) else {
        return false;
    };
    let v = f.value.expose();
    match name {
        "PIN" if card.pin.is_none() => {
            card.pin = build::field(FieldType::ConcealedString, v);
            card.pin.is_some()
        }
        "Valid from" if card.valid_from.is_none() && is_year_month(v) => {
            card.valid_from = build::field(FieldType::YearMonth, v);
            true
        }
        _ => false,
    }
}

fn is_year_month(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
        && matches!(
            &v[5..],
            "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12"
        )
}

fn absorb_name_field(item: &mut Item, name: &str, f: &EditableField) -> bool {
    if !NAME_EXTRAS.iter().any(|(_, n, _)| *n == name) || f.value.expose().trim().is_empty() {
        return false;
    }
    if !item
        .credentials
        .iter()
        .any(|c| matches!(c, Credential::PersonName(_)))
    {
        item.credentials.push(PersonName::default().into());
    }
    let Some(person) = item.credentials.iter_mut().find_map(|c| match c {
        Credential::PersonName(p) => Some(p),
        _ => None,
    }) else {
        return false;
    };
    let slot = match name {
        "Informal name" => &mut person.given_informal,
        "Surname prefix" => &mut person.surname_prefix,
        "Second surname" => &mut person.surname2,
        "Credentials" => &mut person.credentials,
        _ => &mut person.generation,
    };
    if slot.is_some() {
        return false;
    }
    *slot = build::field(FieldType::String, f.value.expose());
    true
}

/// Merges the fields of one `type[#N].*` group into the N-th credential of `t` (or a new one).
fn absorb_group(item: &mut Item, t: &str, n: usize, group: &[&EditableField]) -> bool {
    let existing = item
        .credentials
        .iter()
        .enumerate()
        .filter(|(_, c)| c.type_name() == t)
        .nth(n - 1)
        .map(|(i, _)| i);
    let mut obj = match existing {
        Some(i) => match credential_json(&item.credentials[i]) {
            Some(m) => m,
            None => return false,
        },
        None => {
            let mut m = Map::new();
            m.insert("type".into(), Value::String(t.to_owned()));
            m
        }
    };
    let mut ok = true;
    for f in group {
        let Some((_, _, member)) = flattened_name(f.label.as_deref().unwrap_or("")) else {
            continue;
        };
        let mut path: Vec<&str> = member.split('.').collect();
        if t == "passkey" && PASSKEY_EXTENSIONS.contains(&path[0]) {
            path.insert(0, "fido2Extensions");
        }
        ok &= insert_member(&mut obj, &path, f.value.expose());
    }
    let mut obj = Value::Object(obj);
    let made = if ok {
        credential_from_json(&obj, t)
    } else {
        None
    };
    wipe_value(&mut obj);
    let Some(made) = made else {
        return false;
    };
    // A group must not make the credential less valid than it was.
    let errors = |c: &Credential| {
        crate::validate(&probe(c.clone()))
            .diagnostics
            .iter()
            .filter(|d| {
                d.severity == crate::Severity::Error
                    && d.pointer.starts_with("/accounts/0/items/0/credentials/0")
            })
            .count()
    };
    let before = existing.map_or(0, |i| errors(&item.credentials[i]));
    if errors(&made) > before {
        return false;
    }
    match existing {
        Some(i) => item.credentials[i] = made,
        None => item.credentials.push(made),
    }
    true
}

/// Sets `path` in a credential's JSON to `value`: the value of an editable field already there,
/// else a bare string (the parser gives it the member's field type), number or boolean.
fn insert_member(obj: &mut Map<String, Value>, path: &[&str], value: &str) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut cur = obj;
    for p in parents {
        let next = cur
            .entry((*p).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        match next {
            Value::Object(m) => cur = m,
            _ => return false,
        }
    }
    let v = if NUMBERS.contains(last) {
        match value.trim().parse::<u64>() {
            Ok(n) => Value::from(n),
            Err(_) => return false,
        }
    } else if BOOLEANS.contains(last) {
        Value::Bool(build::truthy(value))
    } else {
        Value::String(value.to_owned())
    };
    match cur.get_mut(*last) {
        Some(Value::Object(field)) if field.contains_key("fieldType") => {
            if let Some(mut old) = field.insert("value".into(), v) {
                wipe_value(&mut old);
            }
        }
        _ => {
            if let Some(mut old) = cur.insert((*last).to_owned(), v) {
                wipe_value(&mut old);
            }
        }
    }
    true
}

/// Parses a credential from its CXF JSON object; `None` unless it is a valid `t`.
fn credential_from_json(obj: &Value, t: &str) -> Option<Credential> {
    let doc = json!({
        "version": { "major": 1, "minor": 0 },
        "exporterRpId": "cxf.invalid",
        "exporterDisplayName": "probe",
        "timestamp": 0,
        "accounts": [{
            "id": "AAAAAAAAAAAAAAAAAAAAAA",
            "username": "",
            "email": "",
            "items": [{ "id": "AAAAAAAAAAAAAAAAAAAAAA", "title": "probe", "credentials": [obj] }],
        }],
    });
    let bytes = Zeroizing::new(serde_json::to_vec(&doc).ok()?);
    let mut doc = doc;
    wipe_value(&mut doc);
    let parsed = Document::parse(&bytes, &crate::Limits::default()).ok()?;
    let c = parsed
        .document
        .accounts
        .into_iter()
        .next()?
        .items
        .into_iter()
        .next()?
        .credentials
        .into_iter()
        .next()?;
    (c.type_name() == t && !matches!(c, Credential::Unknown(_))).then_some(c)
}

/// Wipes the strings of a JSON value (secrets pass through JSON on the way to the model).
pub(crate) fn wipe_value(v: &mut Value) {
    use zeroize::Zeroize as _;
    match v {
        Value::String(s) => s.zeroize(),
        Value::Array(a) => a.iter_mut().for_each(wipe_value),
        Value::Object(m) => m.values_mut().for_each(wipe_value),
        _ => {}
    }
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
        collect_folders(
            &account.collections,
            "",
            &format!("/accounts/{ai}/collections"),
            &mut folders,
            &mut folder_of,
            loss,
        );
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

/// Key derivation of the password-protected exports we write: Bitwarden's Argon2id defaults.
pub(crate) const PROTECT_KDF: bwcrypto::Kdf = bwcrypto::Kdf::Argon2id {
    iterations: 3,
    memory_mib: 64,
    parallelism: 4,
};
/// Test-only key derivation ([`WriteOptions::dangerous_cheap_kdf`](super::WriteOptions)).
pub(crate) const CHEAP_KDF: bwcrypto::Kdf = bwcrypto::Kdf::Argon2id {
    iterations: 1,
    memory_mib: 1,
    parallelism: 1,
};

/// Wraps a plain export (the output of [`write`]) in Bitwarden's password-protected export,
/// which Bitwarden imports with the password: the layout of [`decrypt`], with a fresh salt and
/// a random GUID as the validation value, as Bitwarden's own exporter does.
pub(crate) fn protect(
    plain: &[u8],
    password: &Secret,
    kdf: bwcrypto::Kdf,
) -> Result<Zeroizing<Vec<u8>>, WriteError> {
    let fail = || WriteError::Encrypt {
        format: F,
        message: "the random number generator or the key derivation failed".to_owned(),
    };
    let salt = bwcrypto::new_salt().ok_or_else(fail)?;
    let keys =
        bwcrypto::derive_keys(password.expose().as_bytes(), &salt, kdf).map_err(|_| fail())?;
    let mut guid = [0u8; 16];
    getrandom::fill(&mut guid).map_err(|_| fail())?;
    guid[6] = (guid[6] & 0x0f) | 0x40;
    guid[8] = (guid[8] & 0x3f) | 0x80;
    let validation =
        bwcrypto::encrypt_enc_string(&keys, uuid_string(&guid).as_bytes()).ok_or_else(fail)?;
    let data = bwcrypto::encrypt_enc_string(&keys, plain).ok_or_else(fail)?;
    let mut out = json!({
        "encrypted": true,
        "passwordProtected": true,
        "salt": salt,
        "encKeyValidation_DO_NOT_EDIT": validation,
        "data": data,
    });
    match kdf {
        bwcrypto::Kdf::Pbkdf2 { iterations } => {
            out["kdfType"] = json!(0);
            out["kdfIterations"] = json!(iterations);
        }
        bwcrypto::Kdf::Argon2id {
            iterations,
            memory_mib,
            parallelism,
        } => {
            out["kdfType"] = json!(1);
            out["kdfIterations"] = json!(iterations);
            out["kdfMemory"] = json!(memory_mib);
            out["kdfParallelism"] = json!(parallelism);
        }
    }
    let mut bytes = Zeroizing::new(Vec::new());
    // Serialising a Value into a Vec cannot fail.
    let _ = serde_json::to_writer_pretty(&mut *bytes, &out);
    bytes.push(b'\n');
    Ok(bytes)
}

fn collect_folders(
    cs: &[crate::Collection],
    prefix: &str,
    pointer: &str,
    folders: &mut Vec<Value>,
    of: &mut Vec<(B64, String)>,
    loss: &mut LossReport,
) {
    for (i, c) in cs.iter().enumerate() {
        let here = format!("{pointer}/{i}");
        let path = if prefix.is_empty() {
            c.title.to_string()
        } else {
            format!("{prefix}/{}", c.title)
        };
        for (member, present, detail) in [
            (
                "creationAt",
                c.creation_at.is_some(),
                "Bitwarden folders have no creation time",
            ),
            (
                "modifiedAt",
                c.modified_at.is_some(),
                "Bitwarden folders have no modification time",
            ),
            (
                "subtitle",
                c.subtitle.is_some(),
                "Bitwarden folders have no description",
            ),
        ] {
            if present {
                loss.lose(
                    &ItemRef::node(format!("{here}/{member}")),
                    "",
                    format!("collection.{member}"),
                    LossReason::NoEquivalent,
                    detail,
                );
            }
        }
        if c.title.contains('/') {
            loss.change(
                &ItemRef::node(format!("{here}/title")),
                "",
                "collection.title",
                LossReason::NoEquivalent,
                "Bitwarden nests folders at `/`: this name will read back as nested folders",
            );
        }
        let id = uuid_string(
            &build::derived_id(&[b"bitwarden-folder", path.as_bytes()])
                .decode()
                .unwrap_or_default(),
        );
        folders.push(json!({ "id": id, "name": path }));
        for li in &c.items {
            of.push((li.item.clone(), id.clone()));
        }
        collect_folders(
            &c.sub_collections,
            &path,
            &format!("{here}/subCollections"),
            folders,
            of,
            loss,
        );
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
    // The first credential of each type that has a Bitwarden slot takes it; the others are
    // stored as custom fields.
    let mut seen: Vec<&str> = Vec::new();
    let created = item.creation_at.map(time::format_rfc3339_millis);
    // The reader derives a document's holder name from the identity's name parts.
    let derived_name = if kind == 4 {
        item.credentials
            .iter()
            .find_map(|c| match c {
                Credential::PersonName(n) => Some(
                    [&n.given, &n.given2, &n.surname]
                        .into_iter()
                        .map(build::value)
                        .filter(|v| !v.is_empty())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                _ => None,
            })
            .unwrap_or_default()
    } else {
        String::new()
    };
    if let Some(scope) = &item.scope {
        let mut uris = Vec::new();
        for u in &scope.urls {
            uris.push(json!({ "match": null, "uri": u.as_str() }));
        }
        for app in &scope.android_apps {
            uris.push(json!({ "match": null, "uri": format!("androidapp://{}", app.bundle_id) }));
        }
        if kind == 1 {
            login["uris"] = Value::Array(uris);
            for (i, app) in scope.android_apps.iter().enumerate() {
                if app.name.is_some() {
                    loss.lose(
                        r,
                        &format!("/scope/androidApps/{i}/name"),
                        format!("scope.androidApps[{i}].name"),
                        LossReason::NoEquivalent,
                        "Bitwarden knows an Android app by its package name only (an androidapp:// URI); the app's display name is not carried",
                    );
                }
                if app.certificate.is_some() {
                    loss.lose(
                        r,
                        &format!("/scope/androidApps/{i}/certificate"),
                        format!("scope.androidApps[{i}].certificate"),
                        LossReason::NoEquivalent,
                        "Bitwarden knows an Android app by its package name only (an androidapp:// URI); the signing-certificate fingerprint is not carried",
                    );
                }
            }
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
        let first = !seen.contains(&c.type_name());
        let slot = Slot { c, ci, at: &at, r };
        match c {
            Credential::BasicAuth(b) if kind == 1 && first => {
                login["username"] = fv(&b.username);
                login["password"] = fv(&b.password);
                slot.lose_labels(&members(c), loss);
            }
            Credential::Totp(t) if kind == 1 && first => {
                if let Some(o) = build::otp_of(t) {
                    // A bare secret when nothing else needs saying: the reader gives a bare
                    // secret the login's user name, so another account name needs the URI.
                    let login_user = item.credentials.iter().find_map(|c| match c {
                        Credential::BasicAuth(b) => Some(build::value(&b.username)),
                        _ => None,
                    });
                    let default = o.algorithm == otp::OtpAlgorithm::Sha1
                        && o.digits == 6
                        && o.period == 30
                        && o.issuer.is_none()
                        && o.account.as_deref().is_none_or(|a| Some(a) == login_user);
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
                        let prefix = numbered("passkey", a.len());
                        a.push(v);
                        slot.passkey_extensions(p, &prefix, &mut fields, loss);
                    }
                }
                None => lost(
                    loss,
                    &build::prf_detail([c], "Bitwarden stores only ECDSA P-256 passkeys".into()),
                ),
            },
            Credential::CreditCard(cc) if kind == 3 && first => {
                let (y, m) = value_ym(&cc.expiry_date);
                card.insert("cardholderName".into(), fv(&cc.full_name));
                card.insert("brand".into(), fv(&cc.card_type));
                card.insert("number".into(), fv(&cc.number));
                card.insert("expMonth".into(), m);
                card.insert("expYear".into(), y);
                card.insert("code".into(), fv(&cc.verification_number));
                for (member, name, t, f) in CARD_EXTRAS
                    .iter()
                    .zip([&cc.pin, &cc.valid_from])
                    .map(|((m, n, t), f)| (*m, *n, *t, f))
                {
                    slot.extra_field(member, name, t, f, "card", &mut fields, loss);
                }
                slot.lose_labels(&members(c), loss);
            }
            Credential::PersonName(n) if kind == 4 && first => {
                put(&mut identity, "title", &n.title);
                put(&mut identity, "firstName", &n.given);
                put(&mut identity, "middleName", &n.given2);
                put(&mut identity, "lastName", &n.surname);
                for (member, name, t, f) in NAME_EXTRAS
                    .iter()
                    .zip([
                        &n.given_informal,
                        &n.surname_prefix,
                        &n.surname2,
                        &n.credentials,
                        &n.generation,
                    ])
                    .map(|((m, n, t), f)| (*m, *n, *t, f))
                {
                    slot.extra_field(member, name, t, f, "identity", &mut fields, loss);
                }
                slot.lose_labels(&members(c), loss);
            }
            Credential::Address(a) if kind == 4 && first => {
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
                slot.lose_labels(&members(c), loss);
            }
            Credential::IdentityDocument(d) if kind == 4 && first => {
                // The SSN / national id slot takes the stable identification number, else the
                // document number (which then reads back as the identification number).
                let (number, member) = if d.identification_number.is_some() {
                    (&d.identification_number, "identificationNumber")
                } else {
                    (&d.document_number, "documentNumber")
                };
                put(&mut identity, "ssn", number);
                if member == "documentNumber" && d.document_number.is_some() {
                    loss.change(
                        r,
                        &format!("{at}/documentNumber/value"),
                        format!("credentials[{ci}]:identity-document.documentNumber"),
                        LossReason::NoEquivalent,
                        "stored in the Bitwarden identity's SSN / national id field, which reads back as the identification number",
                    );
                }
                slot.document(
                    &[member],
                    identity.contains_key("ssn"),
                    &derived_name,
                    &mut fields,
                    loss,
                );
            }
            Credential::Passport(p) if kind == 4 && first => {
                put(&mut identity, "passportNumber", &p.passport_number);
                slot.document(
                    &["passportNumber"],
                    identity.contains_key("passportNumber"),
                    &derived_name,
                    &mut fields,
                    loss,
                );
            }
            Credential::DriversLicense(d) if kind == 4 && first => {
                put(&mut identity, "licenseNumber", &d.license_number);
                slot.document(
                    &["licenseNumber"],
                    identity.contains_key("licenseNumber"),
                    &derived_name,
                    &mut fields,
                    loss,
                );
            }
            Credential::SshKey(k) if kind == 5 && ssh.is_null() => match k
                .private_key
                .decode()
                .ok()
                .map(|der| keys::pkcs8_to_openssh(&der, k.key_comment.as_deref().unwrap_or("")))
            {
                Some(Ok(o)) => {
                    ssh = json!({ "privateKey": o.private_pem.as_str(), "publicKey": o.public_line, "keyFingerprint": o.fingerprint });
                    let ms = members(c);
                    slot.flatten(
                        &ms,
                        &["keyType", "privateKey", "keyComment"],
                        "ssh-key",
                        "SSH key",
                        &mut fields,
                        loss,
                    );
                    slot.lose_labels(&ms, loss);
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
            Credential::Note(n) => {
                notes.push(n.content.value.expose());
                slot.lose_labels(&members(c), loss);
            }
            Credential::CustomFields(cf)
                if kind == 4 && cf.label.as_deref() == Some("Identity") =>
            {
                // Identity extras read from Bitwarden go back to their members.
                let mut to_members = false;
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
                    to_members = true;
                    identity.insert(key.into(), Value::String(f.value.expose().to_owned()));
                }
                if !to_members {
                    slot.lose_group_label(loss);
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
                if cf.label.is_some() {
                    slot.lose_group_label(loss);
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
                    let prefix = numbered(c.type_name(), same_before);
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
        seen.push(c.type_name());
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

/// `type` for the first credential of a type stored as custom fields, `type#N` for the N-th.
fn numbered(type_name: &str, before: usize) -> String {
    if before == 0 {
        type_name.to_owned()
    } else {
        format!("{type_name}#{}", before + 1)
    }
}

/// Card members written as custom fields of these names (member, field name, field type).
const CARD_EXTRAS: [(&str, &str, u8); 2] = [("pin", "PIN", 1), ("validFrom", "Valid from", 0)];

/// Person-name members written as custom fields of these names.
const NAME_EXTRAS: [(&str, &str, u8); 5] = [
    ("givenInformal", "Informal name", 0),
    ("surnamePrefix", "Surname prefix", 0),
    ("surname2", "Second surname", 0),
    ("credentials", "Credentials", 0),
    ("generation", "Generation", 0),
];

/// Passkey extension state written as custom fields `passkey.NAME...`.
const PASSKEY_EXTENSIONS: [&str; 4] = ["hmacCredentials", "credBlob", "largeBlob", "payments"];

/// A member of a credential as its canonical CXF JSON has it (a top-level string or editable
/// field), for the members Bitwarden has no slot for.
struct Member {
    name: String,
    value: Zeroizing<String>,
    concealed: bool,
    /// An editable field (its text is at `/NAME/value`), not a plain string.
    field: bool,
    /// The field has a label of its own.
    labelled: bool,
}

/// A document holding one item with `c`, to read a credential as JSON or validate it.
fn probe(c: Credential) -> Document {
    let id = build::derived_id(&[b"bitwarden-json probe"]);
    Document {
        exporter_rp_id: Text::from("cxf.invalid"),
        exporter_display_name: Text::from("probe"),
        accounts: vec![crate::Account {
            id: id.clone(),
            items: vec![Item {
                id,
                title: Text::from("probe"),
                credentials: vec![c].into(),
                ..Item::default()
            }]
            .into(),
            ..crate::Account::default()
        }],
        ..Document::default()
    }
}

/// The members of a credential's canonical CXF JSON object, in the spec's order.
fn credential_entries(c: &Credential) -> Option<Vec<(String, Value)>> {
    use crate::model::codec::ToJson as _;

    let mut w = crate::json::writer::Writer::new(512, false);
    c.to_json(&mut w);
    let bytes = w.finish();
    // The keys in the order written (serde_json's map sorts them), then the values.
    let text = std::str::from_utf8(&bytes).ok()?;
    let limits = crate::Limits {
        max_document_bytes: usize::MAX,
        max_depth: 1024,
        max_items: usize::MAX,
        max_string_bytes: usize::MAX,
        max_values: usize::MAX,
    };
    let root = crate::pointer::Path::Root;
    let mut r = crate::json::reader::Reader::new(text, &limits);
    let mut cur = r.begin_object(&root).ok()?;
    let mut order = Vec::new();
    while let Some(key) = r.next_key(&mut cur, &root).ok()? {
        order.push(key.to_string());
        r.skip_value(&root).ok()?;
    }
    let mut map: Map<String, Value> = serde_json::from_slice(&bytes).ok()?;
    Some(
        order
            .into_iter()
            .filter_map(|k| map.remove(&k).map(|v| (k, v)))
            .collect(),
    )
}

/// The canonical CXF JSON object of a credential.
fn credential_json(c: &Credential) -> Option<Map<String, Value>> {
    credential_entries(c).map(|e| e.into_iter().collect())
}

fn members(c: &Credential) -> Vec<Member> {
    let Some(entries) = credential_entries(c) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in &entries {
        match v {
            Value::String(s) if k != "type" && k != "id" => out.push(Member {
                name: k.clone(),
                value: Zeroizing::new(s.clone()),
                concealed: matches!(k.as_str(), "key" | "privateKey" | "secret" | "password"),
                field: false,
                labelled: false,
            }),
            Value::Object(f) => {
                if let Some(val) = f.get("value").and_then(Value::as_str) {
                    out.push(Member {
                        name: k.clone(),
                        value: Zeroizing::new(val.to_owned()),
                        concealed: f.get("fieldType").and_then(Value::as_str)
                            == Some("concealed-string"),
                        field: true,
                        labelled: f.get("label").is_some_and(|l| !l.is_null()),
                    });
                }
            }
            _ => {}
        }
    }
    for (_, mut v) in entries {
        wipe_value(&mut v);
    }
    out
}

fn custom_field(fields: &mut Vec<Value>, name: &str, value: &str, t: u8) {
    fields.push(json!({ "name": name, "value": value, "type": t, "linkedId": null }));
}

/// A credential that takes a Bitwarden slot, with what it needs to report on its members.
struct Slot<'a, 'r> {
    c: &'a Credential,
    ci: usize,
    at: &'a str,
    r: &'a ItemRef<'r>,
}

impl Slot<'_, '_> {
    fn what(&self, member: &str) -> String {
        format!("credentials[{}]:{}.{member}", self.ci, self.c.type_name())
    }

    /// Bitwarden's fields have fixed names: the labels of the credential's fields are lost.
    fn lose_labels(&self, ms: &[Member], loss: &mut LossReport) {
        for m in ms.iter().filter(|m| m.labelled) {
            loss.lose(
                self.r,
                &format!("{}/{}/label", self.at, m.name),
                self.what(&format!("{}.label", m.name)),
                LossReason::NoEquivalent,
                "Bitwarden's fields have fixed names; the field's own label is not carried (its value is)",
            );
        }
    }

    fn lose_group_label(&self, loss: &mut LossReport) {
        loss.lose(
            self.r,
            &format!("{}/label", self.at),
            self.what("label"),
            LossReason::NoEquivalent,
            "Bitwarden custom fields are not grouped; the group's label is not carried (its fields are)",
        );
    }

    /// A member written as the custom field `name` (Bitwarden field type `t`).
    #[allow(clippy::too_many_arguments)]
    fn extra_field(
        &self,
        member: &str,
        name: &str,
        t: u8,
        f: &Option<EditableField>,
        target: &str,
        fields: &mut Vec<Value>,
        loss: &mut LossReport,
    ) {
        if let Some(f) = f.as_ref().filter(|f| !f.value.is_empty()) {
            custom_field(fields, name, f.value.expose(), t);
            loss.change(
                self.r,
                &format!("{}/{member}/value", self.at),
                self.what(member),
                LossReason::NoEquivalent,
                format!("Bitwarden's {target} has no {member} field; stored as the custom field `{name}`"),
            );
        }
    }

    /// Writes the members not in `skip` as custom fields `prefix.member` and reports each.
    fn flatten(
        &self,
        ms: &[Member],
        skip: &[&str],
        prefix: &str,
        target: &str,
        fields: &mut Vec<Value>,
        loss: &mut LossReport,
    ) {
        for m in ms.iter().filter(|m| !skip.contains(&m.name.as_str())) {
            custom_field(
                fields,
                &format!("{prefix}.{}", m.name),
                &m.value,
                u8::from(m.concealed),
            );
            let at = if m.field {
                format!("{}/{}/value", self.at, m.name)
            } else {
                format!("{}/{}", self.at, m.name)
            };
            loss.change(
                self.r,
                &at,
                self.what(&m.name),
                LossReason::NoEquivalent,
                format!(
                    "Bitwarden's {target} has no {} field; stored as the custom field `{prefix}.{}`",
                    m.name, m.name
                ),
            );
        }
    }

    /// An identity document whose number took its Bitwarden identity member: every other
    /// member becomes a custom field. The holder's name is left out when the reader derives
    /// the same name from the identity's name parts (it does when the number is written).
    fn document(
        &self,
        number: &[&str],
        number_written: bool,
        derived_name: &str,
        fields: &mut Vec<Value>,
        loss: &mut LossReport,
    ) {
        let ms = members(self.c);
        let mut skip = number.to_vec();
        if number_written
            && !derived_name.is_empty()
            && ms
                .iter()
                .any(|m| m.name == "fullName" && m.value.as_str() == derived_name)
        {
            skip.push("fullName");
        }
        let target = match self.c.type_name() {
            "passport" => "identity (for a passport)",
            "drivers-license" => "identity (for a driver's license)",
            _ => "identity (for an identity document)",
        };
        self.flatten(&ms, &skip, self.c.type_name(), target, fields, loss);
        self.lose_labels(&ms, loss);
    }

    /// Passkey extension state Bitwarden has no place for, as custom fields
    /// `PREFIX.hmacCredentials.*`, `PREFIX.credBlob`, `PREFIX.largeBlob.*`, `PREFIX.payments`.
    fn passkey_extensions(
        &self,
        p: &Passkey,
        prefix: &str,
        fields: &mut Vec<Value>,
        loss: &mut LossReport,
    ) {
        let Some(x) = &p.fido2_extensions else {
            return;
        };
        let at = format!("{}/fido2Extensions", self.at);
        let mut change = |member: &str, detail: String| {
            loss.change(
                self.r,
                &format!("{at}/{member}"),
                self.what(&format!("fido2Extensions.{member}")),
                LossReason::NoEquivalent,
                detail,
            );
        };
        if let Some(h) = &x.hmac_credentials {
            custom_field(
                fields,
                &format!("{prefix}.hmacCredentials.algorithm"),
                h.algorithm.as_str(),
                0,
            );
            custom_field(
                fields,
                &format!("{prefix}.hmacCredentials.credWithUV"),
                h.cred_with_uv.expose(),
                1,
            );
            if let Some(w) = &h.cred_without_uv {
                custom_field(
                    fields,
                    &format!("{prefix}.hmacCredentials.credWithoutUV"),
                    w.expose(),
                    1,
                );
            }
            change(
                "hmacCredentials",
                format!(
                    "Bitwarden passkeys have no PRF (hmac-secret) state: the PRF secrets are stored as hidden custom fields `{prefix}.hmacCredentials.*`, which Bitwarden will not use as PRF; data a site encrypted with this passkey's PRF (end-to-end encrypted backups, vault unlock) may become unreadable after import"
                ),
            );
        }
        if let Some(b) = &x.cred_blob {
            custom_field(fields, &format!("{prefix}.credBlob"), b.expose(), 1);
            change(
                "credBlob",
                format!(
                    "Bitwarden passkeys have no credBlob: stored as the hidden custom field `{prefix}.credBlob`, which Bitwarden will not return to sites"
                ),
            );
        }
        if let Some(l) = &x.large_blob {
            custom_field(
                fields,
                &format!("{prefix}.largeBlob.uncompressedSize"),
                &l.uncompressed_size.to_string(),
                0,
            );
            custom_field(
                fields,
                &format!("{prefix}.largeBlob.data"),
                l.data.expose(),
                1,
            );
            change(
                "largeBlob",
                format!(
                    "Bitwarden passkeys have no largeBlob: stored as custom fields `{prefix}.largeBlob.*`, which Bitwarden will not return to sites"
                ),
            );
        }
        if let Some(pay) = x.payments {
            custom_field(
                fields,
                &format!("{prefix}.payments"),
                if pay { "true" } else { "false" },
                2,
            );
            change(
                "payments",
                format!(
                    "Bitwarden passkeys have no Secure Payment Confirmation flag: stored as the boolean custom field `{prefix}.payments`"
                ),
            );
        }
        for (name, _) in x.unknown.iter() {
            loss.lose(
                self.r,
                &format!("{at}/{}", name.replace('~', "~0").replace('/', "~1")),
                self.what(&format!("fido2Extensions.{name}")),
                LossReason::NoEquivalent,
                "an extension Bitwarden (and this converter) does not know",
            );
        }
    }
}

fn put(m: &mut Map<String, Value>, key: &str, f: &Option<EditableField>) {
    if let Some(f) = f.as_ref().filter(|f| !f.value.is_empty()) {
        m.insert(key.into(), Value::String(f.value.expose().to_owned()));
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
