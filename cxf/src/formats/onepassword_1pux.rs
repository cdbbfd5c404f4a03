//! 1Password 1PUX: a zip holding `export.attributes`, `export.data` (JSON) and `files/`. The
//! bare `export.data` JSON is accepted too.
//!
//! Each 1Password account becomes a CXF account, each vault a collection. Categories map to
//! CXF types: 001 Login and 005 Password → `basic-auth` (+ `totp` from section fields),
//! 002 → `credit-card`, 003 → `note`, 004 → `person-name` + `address`, 103 → `drivers-license`,
//! 106 → `passport`, 108 → `identity-document`, 109 → `wifi`, 112 → `api-key`, 114 → `ssh-key`;
//! 102 Database and 110 Server give `basic-auth` from their section fields. Every other field, and
//! every field of the other categories (bank accounts, memberships...), goes to a
//! `custom-fields` credential labelled with the field titles: one for the login fields and the
//! untitled sections, one per titled section (labelled with its title). Archived items are kept
//! with the tag `Archived`; trashed items are skipped. Documents (category 006) and password
//! history are reported, and so is every other member with a value the reader does not map.
//!
//! Passkeys: a 1PUX export does not contain a passkey's private key, so no reader can carry a
//! 1Password passkey out of it (1Password's own 1PUX description lists no passkey member, and
//! the 1PUX readers of Bitwarden, KeePassXC and Proton Pass read none). 1Password moves passkeys
//! through the Credential Exchange Protocol instead. Whatever passkey record a 1PUX file holds
//! (`details.passkey`, or any other member) is named in the loss report.

use serde_json::Value;
use zeroize::Zeroizing;

use crate::IdentityDocument;
use crate::formats::bitwarden_json::{
    is_country, is_subdivision, key_loss_detail, key_loss_reason,
};
use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util::members::{Unmapped, report_unmapped};
use crate::formats::util::{archive, iso, keys, otp, time};
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{
    Address, ApiKey, Credential, CreditCard, Document, DriversLicense, EditableField, FieldType,
    Passport, PersonName, SecretB64, SshKey, Text, Wifi,
};

const F: Format = Format::OnePassword1pux;

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Reads a 1PUX zip or its `export.data` JSON.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let data: Zeroizing<Vec<u8>> = if archive::is_zip(bytes) {
        let mut members = archive::read_members(bytes, F, &options.limits, |n| n == "export.data")?;
        members
            .pop()
            .map(|(_, d)| d)
            .ok_or_else(|| ReadError::syntax(F, "zip without export.data"))?
    } else {
        Zeroizing::new(bytes.to_vec())
    };
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&data);
    let top: Value = serde_json::from_slice(data).map_err(|e| {
        ReadError::syntax(
            F,
            format!(
                "export.data is not JSON (line {} column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    let accounts = top
        .get("accounts")
        .and_then(Value::as_array)
        .ok_or_else(|| ReadError::syntax(F, "no `accounts` array"))?;
    report_unmapped(&top, "", &["accounts"], &ItemRef::default(), F, loss);
    let mut out = Vec::new();
    let mut index = 0usize;
    for a in accounts {
        let attrs = a.get("attrs").unwrap_or(&Value::Null);
        let ar = ItemRef {
            title: Some(s(attrs, "accountName")),
            ..ItemRef::default()
        };
        report_unmapped(a, "account", &["attrs", "vaults"], &ar, F, loss);
        report_unmapped(attrs, "account.attrs", ACCOUNT_ATTRS_MAPPED, &ar, F, loss);
        let mut acc = AccountBuilder::new(F, s(attrs, "uuid"));
        acc.username = s(attrs, "name").to_owned();
        acc.email = s(attrs, "email").to_owned();
        acc.full_name = Some(s(attrs, "accountName"))
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        for v in a
            .get("vaults")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let vattrs = v.get("attrs").unwrap_or(&Value::Null);
            let vault = s(vattrs, "name");
            acc.ensure_collection(&[vault]);
            let vr = ItemRef {
                title: Some(vault),
                ..ItemRef::default()
            };
            report_unmapped(v, "vault", &["attrs", "items"], &vr, F, loss);
            report_unmapped(vattrs, "vault.attrs", VAULT_ATTRS_MAPPED, &vr, F, loss);
            for it in v
                .get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                read_item(it, index, vault, &mut acc, loss);
                index += 1;
            }
        }
        out.push(acc.finish());
    }
    Ok(build::document(F, out, options))
}

/// Account attributes the reader maps; `avatar` is a picture in `files/` that only decorates
/// the account in 1Password.
const ACCOUNT_ATTRS_MAPPED: &[&str] = &["accountName", "name", "email", "uuid", "avatar"];

/// Vault attributes the reader maps; `uuid` is an id, `type` the vault's kind in 1Password
/// (personal, shared...), `avatar` a decorating picture.
const VAULT_ATTRS_MAPPED: &[&str] = &["name", "uuid", "type", "avatar"];

/// Item members the reader maps.
const ITEM_MAPPED: &[&str] = &[
    "uuid",
    "favIndex",
    "createdAt",
    "updatedAt",
    "state",
    "trashed",
    "categoryUuid",
    "details",
    "overview",
];

/// `overview` members the reader maps; `subtitle` is computed by 1Password from the item's
/// fields, `ps`, `pbe` and `pgrng` are its password strength, entropy and generated-flag, and
/// `icons` a decorating picture.
const OVERVIEW_MAPPED: &[&str] = &[
    "title", "url", "urls", "tags", "subtitle", "ps", "pbe", "pgrng", "icons",
];

/// `details` members the reader maps or reports by name (`passwordHistory`,
/// `documentAttributes`, `passkey`).
const DETAILS_MAPPED: &[&str] = &[
    "loginFields",
    "notesPlain",
    "sections",
    "password",
    "passwordHistory",
    "documentAttributes",
    "passkey",
];

/// Login field members the reader maps; `id` is the form field's HTML id.
const LOGIN_FIELD_MAPPED: &[&str] = &["value", "designation", "fieldType", "name", "id"];

/// Section members the reader maps; `name` is the section's id.
const SECTION_MAPPED: &[&str] = &["title", "name", "fields"];

/// Section field members the reader maps; the others only shape 1Password's form: the field's
/// position (`indexAtSource`), `guarded`, `multiline`, `dontGenerate`, `inputTraits` (keyboard),
/// `placeholder` (hint text) and `clipboardFilter` (characters kept on copy).
const FIELD_MAPPED: &[&str] = &[
    "title",
    "id",
    "value",
    "indexAtSource",
    "guarded",
    "multiline",
    "dontGenerate",
    "inputTraits",
    "placeholder",
    "clipboardFilter",
];

/// Members of a field value of `kind` that is an object, which the reader maps; an `sshKey`'s
/// `metadata` (public key, fingerprint, key type) is derived from the private key.
fn value_mapped(kind: &str) -> &'static [&'static str] {
    match kind {
        "email" => &["email_address"],
        "address" => &["street", "city", "state", "zip", "country"],
        "sshKey" => &["privateKey", "metadata"],
        _ => &[],
    }
}

fn read_item(
    it: &Value,
    index: usize,
    vault: &str,
    acc: &mut AccountBuilder,
    loss: &mut LossReport,
) {
    let overview = it.get("overview").unwrap_or(&Value::Null);
    let details = it.get("details").unwrap_or(&Value::Null);
    let title = s(overview, "title");
    let r = ItemRef::new(index, title);
    let state = s(it, "state");
    if state == "deleted" || it.get("trashed").and_then(Value::as_bool) == Some(true) {
        loss.add(&r, "item", LossReason::Skipped, "item is in the trash");
        return;
    }
    let id = acc.item_id(Some(s(it, "uuid").as_bytes()), index);
    let r = r.with_item(&id);
    let mut u = Unmapped::new();
    u.check(it, "", ITEM_MAPPED);
    u.check(overview, "overview", OVERVIEW_MAPPED);
    for url in overview
        .get("urls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        u.check(url, "overview.urls[]", &["url"]);
    }
    u.check(details, "details", DETAILS_MAPPED);
    if details
        .get("passkey")
        .is_some_and(|p| !crate::formats::util::members::is_empty(p))
    {
        loss.add(
            &r,
            "details.passkey",
            LossReason::NoEquivalent,
            "a 1PUX export holds no passkey private key (1Password moves passkeys only through \
             the Credential Exchange Protocol), so the passkey cannot be carried; export it from \
             1Password through CXP",
        );
    }
    let mut item = build::item(id.clone(), title);
    item.creation_at = it.get("createdAt").and_then(Value::as_u64);
    item.modified_at = it.get("updatedAt").and_then(Value::as_u64);
    if it
        .get("favIndex")
        .and_then(Value::as_u64)
        .is_some_and(|f| f > 0)
    {
        item.favorite = Some(true);
    }
    let mut urls: Vec<&str> = overview
        .get("urls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|u| s(u, "url"))
        .collect();
    urls.push(s(overview, "url"));
    build::add_urls(&mut item, urls);
    item.tags = overview
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(Text::from)
        .collect();
    if state == "archived" {
        item.tags.push(Text::from("Archived"));
    }
    let category = s(it, "categoryUuid");
    let mut custom: Vec<EditableField> = Vec::new();
    let mut username = String::new();
    let mut password = Zeroizing::new(String::new());
    for f in details
        .get("loginFields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        u.check(f, "details.loginFields[]", LOGIN_FIELD_MAPPED);
        let value = s(f, "value");
        match s(f, "designation") {
            "username" => username = value.to_owned(),
            "password" => password = Zeroizing::new(value.to_owned()),
            _ => {
                let (ft, v) = match s(f, "fieldType") {
                    "C" => (
                        FieldType::Boolean,
                        if build::truthy(value) {
                            "true"
                        } else {
                            "false"
                        },
                    ),
                    "E" => (FieldType::Email, value),
                    "P" => (FieldType::ConcealedString, value),
                    _ => (FieldType::String, value),
                };
                if !value.is_empty() {
                    custom.extend(build::labelled(s(f, "name"), ft, v));
                }
            }
        }
    }
    if password.is_empty() {
        password = Zeroizing::new(s(details, "password").to_owned());
    }
    let mut t = Typed::default();
    let mut totps = Vec::new();
    // Custom fields of the titled sections, labelled with the title.
    let mut titled: Vec<(&str, Vec<EditableField>)> = Vec::new();
    for section in details
        .get("sections")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        u.check(section, "details.sections[]", SECTION_MAPPED);
        let section_title = s(section, "title").trim();
        let bucket = if section_title.is_empty() {
            None
        } else {
            titled.push((section_title, Vec::new()));
            Some(titled.len() - 1)
        };
        for f in section
            .get("fields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            u.check(f, "details.sections[].fields[]", FIELD_MAPPED);
            let Some((kind, v)) = f
                .get("value")
                .and_then(Value::as_object)
                .and_then(|o| o.iter().next())
            else {
                continue;
            };
            // A value holds one kind; anything beside it is not read.
            u.check(&f["value"], "details.sections[].fields[].value", &[kind]);
            u.check(
                v,
                &format!("details.sections[].fields[].value.{kind}"),
                value_mapped(kind),
            );
            let fid = s(f, "id");
            let label = s(f, "title");
            if kind == "totp" {
                if let Some(v) = v.as_str().filter(|v| !v.trim().is_empty()) {
                    match otp::parse(v) {
                        Ok(o) => totps.push(o),
                        Err(_) => loss.add(
                            &r,
                            format!("sections.{fid}"),
                            LossReason::InvalidValue,
                            "one-time password field is not a TOTP key",
                        ),
                    }
                }
                continue;
            }
            if kind == "sshKey" {
                let pk = v.get("privateKey").and_then(Value::as_str).unwrap_or("");
                match keys::private_key_to_pkcs8(pk) {
                    Ok(key) => item.credentials.push(
                        SshKey {
                            key_type: Text::from(key.algorithm.ssh_name()),
                            private_key: SecretB64::encode(&key.pkcs8),
                            key_comment: (!key.comment.is_empty())
                                .then(|| Text::from(key.comment.as_str())),
                            ..SshKey::default()
                        }
                        .into(),
                    ),
                    Err(e) => loss.add(
                        &r,
                        format!("sections.{fid}"),
                        key_loss_reason(e),
                        key_loss_detail(e),
                    ),
                }
                continue;
            }
            let Some((ft, value)) = field_value(kind, v) else {
                if !v.is_null() && v.as_str() != Some("") {
                    loss.add(
                        &r,
                        format!("sections.{fid}"),
                        LossReason::Unsupported,
                        format!("1Password field of kind {kind:?} is not converted"),
                    );
                }
                continue;
            };
            if value.trim().is_empty() {
                continue;
            }
            // Database and server items hold a login in their sections.
            if matches!(category, "102" | "110") {
                match fid {
                    "username" if username.is_empty() => {
                        username = value;
                        continue;
                    }
                    "password" if password.is_empty() => {
                        password = Zeroizing::new(value);
                        continue;
                    }
                    "url" if category == "110" => {
                        build::add_urls(&mut item, [value.as_str()]);
                        continue;
                    }
                    _ => {}
                }
            }
            if !t.take(category, fid, kind, v, &value) {
                let fields = match bucket {
                    Some(b) => &mut titled[b].1,
                    None => &mut custom,
                };
                fields.extend(build::labelled(label, ft, &value));
            }
        }
    }
    if matches!(category, "001" | "005") || !username.is_empty() || !password.is_empty() {
        item.credentials
            .extend(build::basic_auth(&username, &password));
    }
    for o in &totps {
        item.credentials.push(build::totp(o, Some(&username)));
    }
    item.credentials.extend(t.finish());
    item.credentials
        .extend(build::note(s(details, "notesPlain")));
    item.credentials.extend(build::custom_fields(None, custom));
    for (title, fields) in titled {
        item.credentials
            .extend(build::custom_fields(Some(title), fields));
    }
    if details
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
    if details
        .get("documentAttributes")
        .is_some_and(|d| !d.is_null())
    {
        loss.add(
            &r,
            "documentAttributes",
            LossReason::Unsupported,
            "document files are not converted",
        );
    }
    u.report(&r, F, loss);
    acc.add_to_collection(&[vault], &id);
    acc.push_item(item);
}

/// A section field's value as a CXF field type and string.
fn field_value(kind: &str, v: &Value) -> Option<(FieldType, String)> {
    Some(match kind {
        "concealed" | "creditCardNumber" => (FieldType::ConcealedString, v.as_str()?.to_owned()),
        "email" => (
            FieldType::Email,
            v.as_str()
                .map(str::to_owned)
                .or_else(|| v.get("email_address")?.as_str().map(str::to_owned))?,
        ),
        "date" => (FieldType::Date, time::date_from_unix(v.as_i64()?)),
        "monthYear" => {
            let n = v.as_u64()?;
            (
                FieldType::YearMonth,
                format!("{:04}-{:02}", n / 100, n % 100),
            )
        }
        "address" => {
            let parts: Vec<&str> = ["street", "city", "state", "zip", "country"]
                .iter()
                .map(|k| s(v, k))
                .filter(|p| !p.is_empty())
                .collect();
            (FieldType::String, parts.join(", "))
        }
        _ => (
            FieldType::String,
            v.as_str()
                .map(str::to_owned)
                .or_else(|| v.as_i64().map(|n| n.to_string()))?,
        ),
    })
}

/// Typed credentials gathered from section fields by category and field id.
#[derive(Default)]
struct Typed {
    card: CreditCard,
    name: PersonName,
    address: Address,
    wifi: Wifi,
    api: ApiKey,
    passport: Passport,
    license: DriversLicense,
    ssn: IdentityDocument,
}

impl Typed {
    /// Files the field into a typed credential; `false` when it has no typed home.
    fn take(&mut self, category: &str, id: &str, kind: &str, raw: &Value, value: &str) -> bool {
        let f = |ft| build::field(ft, value);
        let st = || build::field(FieldType::String, value);
        let country = || {
            if is_country(value) {
                build::country(value)
            } else {
                None
            }
        };
        let slot: &mut Option<EditableField> = match (category, id) {
            ("002", "cardholder") => &mut self.card.full_name,
            ("002", "type") => &mut self.card.card_type,
            ("002", "ccnum") => &mut self.card.number,
            ("002", "cvv") => &mut self.card.verification_number,
            ("002", "pin") => &mut self.card.pin,
            ("002", "expiry") => &mut self.card.expiry_date,
            ("002", "validFrom") => &mut self.card.valid_from,
            ("004", "firstname") => &mut self.name.given,
            ("004", "initial") => &mut self.name.given2,
            ("004", "lastname") => &mut self.name.surname,
            ("004", "address") if kind == "address" => {
                let street = s(raw, "street");
                self.address.street_address = build::field(FieldType::String, street);
                self.address.city = build::field(FieldType::String, s(raw, "city"));
                self.address.postal_code = build::field(FieldType::String, s(raw, "zip"));
                let c = s(raw, "country");
                let st = s(raw, "state");
                self.address.country = build::country(c);
                let code = iso::country_code(c)
                    .map(|cc| format!("{cc}-{}", st.trim().to_ascii_uppercase()));
                self.address.territory = code
                    .filter(|t| !st.trim().is_empty() && iso::is_subdivision_code(t))
                    .and_then(|t| build::field(FieldType::SubdivisionCode, &t));
                // A country or state that is not a code stays in the full address, kept as a
                // custom field.
                let whole = (c.trim().is_empty() || self.address.country.is_some())
                    && (st.trim().is_empty() || self.address.territory.is_some());
                return whole;
            }
            ("004", "defphone") => &mut self.address.tel,
            ("109", "network_name") => &mut self.wifi.ssid,
            ("109", "wireless_password") => &mut self.wifi.passphrase,
            ("109", "wireless_security") => {
                let t = match value {
                    "wpa3p" | "wpa3" => "wpa3-personal",
                    "wpa2p" | "wpa2" => "wpa2-personal",
                    "wpa" | "wpap" => "wpa-personal",
                    "wep" => "wep",
                    "none" | "open" => "unsecured",
                    _ => return false,
                };
                self.wifi.network_security_type =
                    build::field(FieldType::WifiNetworkSecurityType, t);
                return true;
            }
            ("112", "username") => &mut self.api.username,
            ("112", "credential") => &mut self.api.key,
            ("112", "type") => &mut self.api.key_type,
            ("112", "hostname") => &mut self.api.url,
            ("112", "validFrom") => &mut self.api.valid_from,
            ("112", "expires") => &mut self.api.expiry_date,
            ("106", "type") if iso::is_passport_type(value) => &mut self.passport.passport_type,
            ("106", "issuing_country") => {
                self.passport.issuing_country = country();
                return self.passport.issuing_country.is_some();
            }
            ("106", "number") => &mut self.passport.passport_number,
            ("106", "fullname") => &mut self.passport.full_name,
            ("106", "sex") => &mut self.passport.sex,
            ("106", "nationality") => &mut self.passport.nationality,
            ("106", "issuing_authority") => &mut self.passport.issuing_authority,
            ("106", "birthdate") => &mut self.passport.birth_date,
            ("106", "birthplace") => &mut self.passport.birth_place,
            ("106", "issue_date") => &mut self.passport.issue_date,
            ("106", "expiry_date") => &mut self.passport.expiry_date,
            ("103", "fullname") => &mut self.license.full_name,
            ("103", "state") if is_subdivision(value) => {
                self.license.territory = build::field(FieldType::SubdivisionCode, value);
                return true;
            }
            ("108", "name") => &mut self.ssn.full_name,
            ("108", "number") => {
                self.ssn.identification_number = st();
                return true;
            }
            ("103", "birthdate") => &mut self.license.birth_date,
            ("103", "number") => &mut self.license.license_number,
            ("103", "class") => &mut self.license.license_class,
            ("103", "expiry_date") => &mut self.license.expiry_date,
            ("103", "country") => {
                self.license.country = country();
                return self.license.country.is_some();
            }
            _ => return false,
        };
        let ft = match kind {
            "concealed" | "creditCardNumber" => FieldType::ConcealedString,
            "date" => FieldType::Date,
            "monthYear" => FieldType::YearMonth,
            _ => FieldType::String,
        };
        *slot = if ft == FieldType::String { st() } else { f(ft) };
        true
    }

    fn finish(self) -> Vec<Credential> {
        let mut out: Vec<Credential> = Vec::new();
        if self.card != CreditCard::default() {
            out.push(self.card.into());
        }
        if self.name != PersonName::default() {
            out.push(self.name.into());
        }
        if self.address != Address::default() {
            out.push(self.address.into());
        }
        if self.wifi != Wifi::default() {
            out.push(self.wifi.into());
        }
        if self.api != ApiKey::default() {
            out.push(self.api.into());
        }
        if self.passport != Passport::default() {
            out.push(self.passport.into());
        }
        if self.ssn != IdentityDocument::default() {
            out.push(self.ssn.into());
        }
        if self.license != DriversLicense::default() {
            out.push(self.license.into());
        }
        out
    }
}
