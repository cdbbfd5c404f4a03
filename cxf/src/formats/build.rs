//! Helpers the readers share to build a CXF [`Document`]: ids, the collection tree, and
//! credentials from plain values (empty values give no field, so no empty members are written).

use std::collections::{BTreeMap, HashSet};

use sha2::Digest as _;
use zeroize::Zeroizing;

use crate::formats::loss::ItemRef;
use crate::formats::util::otp;
use crate::formats::{Format, LossReason, LossReport, ReadOptions};
use crate::{
    Account, B64, BasicAuth, Collection, Credential, CustomFields, Document, EditableField,
    FieldType, Item, LinkedItem, Note, Secret, Text, Totp, TotpAlgorithm,
};

/// Builds one CXF account from the records of a source file.
pub(crate) struct AccountBuilder {
    format: Format,
    scope: String,
    /// Ids given so far, as 64-bit FNV-1a hashes of their bytes: 8 bytes per item, so that a
    /// streamed million-item read stays small. Two ids with the same hash count as the same
    /// id (the second gets a derived id): deterministic, and harmless.
    used_ids: HashSet<u64>,
    items: Vec<Item>,
    collections: CollectionTree,
    pub(crate) username: String,
    pub(crate) email: String,
    pub(crate) full_name: Option<String>,
}

impl AccountBuilder {
    /// A builder whose generated ids are derived from `format` and `scope` (so reading the same
    /// file twice gives the same ids).
    pub(crate) fn new(format: Format, scope: &str) -> Self {
        Self {
            format,
            scope: scope.to_owned(),
            used_ids: HashSet::new(),
            items: Vec::new(),
            collections: CollectionTree::default(),
            username: String::new(),
            email: String::new(),
            full_name: None,
        }
    }

    /// A fresh item id: the source's own id bytes when they fit CXF's 64-byte limit and are
    /// unique, else a hash of the source position.
    pub(crate) fn item_id(&mut self, source_id: Option<&[u8]>, index: usize) -> B64 {
        if let Some(bytes) = source_id.filter(|b| !b.is_empty() && b.len() <= 64) {
            let id = B64::encode(bytes);
            if self.used_ids.insert(fnv1a(id.as_str().as_bytes())) {
                return id;
            }
        }
        let mut n = 0u32;
        loop {
            let id = derived_id(&[
                self.format.name().as_bytes(),
                self.scope.as_bytes(),
                &(index as u64).to_be_bytes(), // u64: the same id on 32-bit targets (wasm32)
                &n.to_be_bytes(),
            ]);
            if self.used_ids.insert(fnv1a(id.as_str().as_bytes())) {
                return id;
            }
            n += 1;
        }
    }

    /// Takes back the item added last (the streaming reader hands items on one at a time).
    pub(crate) fn take_item(&mut self) -> Option<Item> {
        self.items.pop()
    }

    /// Adds an item; returns its position.
    pub(crate) fn push_item(&mut self, item: Item) -> usize {
        self.items.push(item);
        self.items.len() - 1
    }

    /// Puts an item into the collection at `path` (outermost first), creating it as needed.
    pub(crate) fn add_to_collection<S: AsRef<str>>(&mut self, path: &[S], item: &B64) {
        let path = clean_path(path);
        if !path.is_empty() {
            self.collections.add(&path, item);
        }
    }

    /// Makes sure the collection at `path` exists, even if empty.
    pub(crate) fn ensure_collection<S: AsRef<str>>(&mut self, path: &[S]) {
        let path = clean_path(path);
        if !path.is_empty() {
            self.collections.node(&path);
        }
    }

    /// Sets the times and description of the collection at `path` (creating it as needed);
    /// `None` leaves a value as it was.
    pub(crate) fn set_collection_details<S: AsRef<str>>(
        &mut self,
        path: &[S],
        creation_at: Option<u64>,
        modified_at: Option<u64>,
        subtitle: Option<&str>,
    ) {
        let path = clean_path(path);
        if path.is_empty() {
            return;
        }
        let node = self.collections.node(&path);
        node.creation_at = creation_at.or(node.creation_at);
        node.modified_at = modified_at.or(node.modified_at);
        if let Some(s) = subtitle.filter(|s| !s.trim().is_empty()) {
            node.subtitle = Some(s.to_owned());
        }
    }

    /// The finished account.
    pub(crate) fn finish(self) -> Account {
        let id = derived_id(&[
            b"account",
            self.format.name().as_bytes(),
            self.scope.as_bytes(),
        ]);
        let prefix = [self.format.name(), self.scope.as_str()].join("/");
        Account {
            id,
            username: Text::from(self.username),
            email: Text::from(self.email),
            full_name: self.full_name.map(Text::from),
            collections: self.collections.into_collections(&prefix).into(),
            items: self.items.into(),
            ..Account::default()
        }
    }
}

/// 64-bit FNV-1a: a fixed, fast hash (ids are never secret).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A collection path without blank names, names trimmed.
fn clean_path<S: AsRef<str>>(path: &[S]) -> Vec<&str> {
    path.iter()
        .map(AsRef::as_ref)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// A document holding `accounts`, with the header filled from the options.
pub(crate) fn document(format: Format, accounts: Vec<Account>, options: &ReadOptions) -> Document {
    Document {
        exporter_rp_id: Text::from(options.exporter_rp_id.as_str()),
        exporter_display_name: Text::from(format!("{} (converted by cxf)", format.display_name())),
        timestamp: options.timestamp.unwrap_or_else(now),
        accounts,
        ..Document::default()
    }
}

pub(crate) fn now() -> u64 {
    crate::clock::unix_now()
}

/// A 16-byte id derived from the parts.
pub(crate) fn derived_id(parts: &[&[u8]]) -> B64 {
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    B64::encode(&h.finalize()[..16])
}

#[derive(Default)]
struct CollectionTree {
    children: BTreeMap<String, CollectionTree>,
    order: Vec<String>,
    items: Vec<B64>,
    seen: HashSet<B64>,
    creation_at: Option<u64>,
    modified_at: Option<u64>,
    subtitle: Option<String>,
}

/// The deepest folder nesting a reader builds. A collection `k` levels down sits at JSON depth
/// `3 + 2k` and holds arrays of its own, so 24 keeps every document a reader makes within the
/// parser's default `max_depth` (64): a hostile export with a 1,000-level folder path would
/// otherwise give CXF that does not parse back (found by fuzzing `nordpass-csv`). The rest of a
/// deeper path stays in the last folder's title, joined with `/`.
pub(crate) const MAX_FOLDER_DEPTH: usize = 24;

impl CollectionTree {
    fn node(&mut self, path: &[&str]) -> &mut CollectionTree {
        let (head, tail) = if path.len() > MAX_FOLDER_DEPTH {
            let (head, rest) = path.split_at(MAX_FOLDER_DEPTH - 1);
            (head, Some(rest.join("/")))
        } else {
            (path, None)
        };
        let mut node = self;
        for seg in head.iter().copied().chain(tail.as_deref()) {
            if !node.children.contains_key(seg) {
                node.order.push(seg.to_owned());
            }
            node = node.children.entry(seg.to_owned()).or_default();
        }
        node
    }

    fn add(&mut self, path: &[&str], item: &B64) {
        let node = self.node(path);
        if node.seen.insert(item.clone()) {
            node.items.push(item.clone());
        }
    }

    fn into_collections(mut self, prefix: &str) -> Vec<Collection> {
        let mut out = Vec::new();
        for name in std::mem::take(&mut self.order) {
            let Some(child) = self.children.remove(&name) else {
                continue;
            };
            let path = format!("{prefix}/{name}");
            let items = child
                .items
                .iter()
                .map(|i| LinkedItem {
                    item: i.clone(),
                    ..LinkedItem::default()
                })
                .collect();
            let id = derived_id(&[b"collection", path.as_bytes()]);
            let (creation_at, modified_at) = (child.creation_at, child.modified_at);
            let subtitle = child.subtitle.clone().map(Text::from);
            let sub_collections = child.into_collections(&path);
            out.push(Collection {
                id,
                creation_at,
                modified_at,
                title: Text::from(name),
                subtitle,
                items,
                sub_collections: sub_collections.into(),
                ..Collection::default()
            });
        }
        out
    }
}

// ---------------------------------------------------------------------------------- credentials

/// A field when `value` is not empty.
pub(crate) fn field(field_type: FieldType, value: &str) -> Option<EditableField> {
    (!value.trim().is_empty()).then(|| EditableField::new(field_type, value))
}

/// A labelled field when `value` is not empty.
pub(crate) fn labelled(label: &str, field_type: FieldType, value: &str) -> Option<EditableField> {
    field(field_type, value).map(|mut f| {
        if !label.is_empty() {
            f.label = Some(Text::from(label));
        }
        f
    })
}

/// Reports what no format but CXF holds: an item's subtitle and its extensions.
pub(crate) fn report_item_extras(
    item: &Item,
    r: &ItemRef<'_>,
    target: &str,
    loss: &mut LossReport,
) {
    if item.subtitle.is_some() {
        loss.lose(
            r,
            "/subtitle",
            "subtitle",
            LossReason::NoEquivalent,
            format!("{target} has no item subtitle"),
        );
    }
    if !item.extensions.is_empty() {
        loss.lose(
            r,
            "/extensions",
            "extensions",
            LossReason::NoEquivalent,
            format!("{target} cannot hold CXF extensions"),
        );
    }
}

/// Reports what only CXF holds of an account: its user name, e-mail and full name.
pub(crate) fn report_account_extras(
    ai: usize,
    account: &crate::Account,
    target: &str,
    loss: &mut LossReport,
) {
    for (member, present) in [
        ("username", !account.username.is_empty()),
        ("email", !account.email.is_empty()),
        ("fullName", account.full_name.is_some()),
    ] {
        if present {
            loss.lose(
                &ItemRef::node(format!("/accounts/{ai}/{member}")),
                "",
                format!("account.{member}"),
                LossReason::NoEquivalent,
                format!("{target} has no account owner details"),
            );
        }
    }
}

/// The place of an address: a state that is an ISO 3166-2 code becomes the `territory` and a
/// country that is (or names) an ISO 3166-1 code the `country`; a value that is neither is kept
/// as a field labelled `labels[0]` or `labels[1]` in `extra`, never dropped.
pub(crate) fn place(
    state: &str,
    country_name: &str,
    labels: [&str; 2],
    extra: &mut Vec<EditableField>,
) -> (Option<EditableField>, Option<EditableField>) {
    let territory = if crate::formats::util::iso::is_subdivision_code(state) {
        field(FieldType::SubdivisionCode, state)
    } else {
        extra.extend(labelled(labels[0], FieldType::String, state));
        None
    };
    let code = country(country_name);
    if code.is_none() {
        extra.extend(labelled(labels[1], FieldType::String, country_name));
    }
    (territory, code)
}

/// A `country-code` field when the value is (or names, like `uk`) an ISO 3166-1 alpha-2 code.
pub(crate) fn country(v: &str) -> Option<EditableField> {
    crate::formats::util::iso::country_code(v).and_then(|c| field(FieldType::CountryCode, &c))
}

/// `basic-auth` when there is a username or a password.
pub(crate) fn basic_auth(username: &str, password: &str) -> Option<Credential> {
    let username = field(FieldType::String, username);
    let password = if password.is_empty() {
        None
    } else {
        Some(EditableField::new(FieldType::ConcealedString, password))
    };
    (username.is_some() || password.is_some()).then(|| {
        BasicAuth {
            username,
            password,
            ..BasicAuth::default()
        }
        .into()
    })
}

/// `note` when `content` is not blank.
pub(crate) fn note(content: &str) -> Option<Credential> {
    (!content.trim().is_empty()).then(|| {
        Note {
            content: EditableField::new(FieldType::String, content),
            ..Note::default()
        }
        .into()
    })
}

/// `custom-fields` when there is at least one field.
pub(crate) fn custom_fields(label: Option<&str>, fields: Vec<EditableField>) -> Option<Credential> {
    (!fields.is_empty()).then(|| {
        CustomFields {
            label: label.filter(|l| !l.is_empty()).map(Text::from),
            fields: fields.into(),
            ..CustomFields::default()
        }
        .into()
    })
}

/// A CXF `totp` from a parsed OTP value.
pub(crate) fn totp(t: &otp::Totp, username: Option<&str>) -> Credential {
    Totp {
        secret: Secret::new(t.secret.as_str()),
        period: Some(u64::from(t.period)),
        digits: Some(u64::from(t.digits)),
        username: t
            .account
            .as_deref()
            .or(username)
            .filter(|u| !u.is_empty())
            .map(Text::from),
        algorithm: match t.algorithm {
            otp::OtpAlgorithm::Sha1 => TotpAlgorithm::Sha1,
            otp::OtpAlgorithm::Sha256 => TotpAlgorithm::Sha256,
            otp::OtpAlgorithm::Sha512 => TotpAlgorithm::Sha512,
        },
        issuer: t.issuer.as_deref().map(Text::from),
        ..Totp::default()
    }
    .into()
}

/// The model's `Totp` as the OTP helper's value, for writers.
pub(crate) fn otp_of(t: &Totp) -> Option<otp::Totp> {
    let algorithm = match &t.algorithm {
        TotpAlgorithm::Sha1 => otp::OtpAlgorithm::Sha1,
        TotpAlgorithm::Sha256 => otp::OtpAlgorithm::Sha256,
        TotpAlgorithm::Sha512 => otp::OtpAlgorithm::Sha512,
        _ => return None,
    };
    Some(otp::Totp {
        secret: zeroize::Zeroizing::new(otp::normalize_base32(t.secret.expose())?.to_string()),
        algorithm,
        digits: u8::try_from(t.digits.unwrap_or(6)).ok()?,
        period: u32::try_from(t.period.unwrap_or(30)).ok()?,
        issuer: t.issuer.as_ref().map(|s| s.to_string()),
        account: t.username.as_ref().map(|s| s.to_string()),
        assumed_defaults: false,
    })
}

/// A new item with a title and an id.
pub(crate) fn item(id: B64, title: &str) -> Item {
    Item {
        id,
        title: Text::from(title),
        ..Item::default()
    }
}

/// Adds URLs to an item's scope (deduplicated, blanks skipped).
pub(crate) fn add_urls<'a>(item: &mut Item, urls: impl IntoIterator<Item = &'a str>) {
    for url in urls {
        let url = url.trim();
        if url.is_empty() {
            continue;
        }
        let scope = item.scope.get_or_insert_with(Default::default);
        if !scope.urls.iter().any(|u| u.as_str() == url) {
            scope.urls.push(Text::from(url));
        }
    }
}

/// The value of an optional field, or "".
/// The warning a loss detail carries when a passkey with PRF seeds (`hmacCredentials`) is not
/// carried: sites derive encryption keys from the PRF output, and without the seeds the same
/// passkey can no longer give it.
pub(crate) const PRF_UNREADABLE: &str =
    "data a site encrypted with this passkey's PRF (hmac-secret) output may become unreadable";

/// Whether `c` is a passkey holding PRF seeds.
pub(crate) fn has_prf(c: &Credential) -> bool {
    matches!(c, Credential::Passkey(p) if p
        .fido2_extensions
        .as_ref()
        .is_some_and(|x| x.hmac_credentials.is_some()))
}

/// `detail` of a lost credential (or item, for `credentials` of a whole item), with
/// [`PRF_UNREADABLE`] added when one of them is a passkey with PRF seeds.
pub(crate) fn prf_detail<'a>(
    credentials: impl IntoIterator<Item = &'a Credential>,
    detail: String,
) -> String {
    if credentials.into_iter().any(has_prf) {
        format!("{detail}; {PRF_UNREADABLE}")
    } else {
        detail
    }
}

pub(crate) fn value(f: &Option<EditableField>) -> &str {
    f.as_ref().map_or("", |f| f.value.expose())
}

/// `true`/`false` spellings of the sources (`1`, `yes`, `true`, `✓`).
pub(crate) fn truthy(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "y" | "on" | "\u{2713}"
    )
}

/// The host of a URL (`https://user@www.example.com:8443/x` → `www.example.com`), or the input
/// when it has no scheme.
pub(crate) fn host(url: &str) -> &str {
    let rest = url.trim().split_once("://").map_or(url.trim(), |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    authority.split(':').next().unwrap_or(authority)
}

/// Title for a record without one: the host of its URL, else `(untitled)`.
pub(crate) fn title_or_host<'a>(title: &'a str, url: &'a str) -> &'a str {
    if !title.trim().is_empty() {
        title
    } else if !host(url).is_empty() {
        host(url)
    } else {
        "(untitled)"
    }
}

/// The members of a credential as (member, value, concealed), read from its canonical CXF
/// JSON: how writers store credentials their format has no type for as plain fields.
pub(crate) fn credential_members(
    item: &Item,
    c: &Credential,
) -> Vec<(String, Zeroizing<String>, bool)> {
    let probe = Item {
        id: item.id.clone(),
        title: Text::from("x"),
        credentials: vec![c.clone()].into(),
        ..Item::default()
    };
    let doc = Document {
        accounts: vec![crate::Account {
            id: item.id.clone(),
            items: vec![probe].into(),
            ..crate::Account::default()
        }],
        ..Document::default()
    };
    let json = doc.to_json_vec();
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&json) else {
        return Vec::new();
    };
    let Some(obj) = value["accounts"][0]["items"][0]["credentials"][0].as_object() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in obj {
        if k == "type" {
            continue;
        }
        match v {
            serde_json::Value::String(s) => {
                let secret = matches!(k.as_str(), "key" | "privateKey" | "secret" | "password");
                out.push((k.clone(), Zeroizing::new(s.clone()), secret));
            }
            serde_json::Value::Number(n) => {
                out.push((k.clone(), Zeroizing::new(n.to_string()), false))
            }
            serde_json::Value::Object(f) => {
                if let Some(val) = f.get("value").and_then(serde_json::Value::as_str) {
                    let concealed = f.get("fieldType").and_then(serde_json::Value::as_str)
                        == Some("concealed-string");
                    out.push((k.clone(), Zeroizing::new(val.to_owned()), concealed));
                }
            }
            _ => {}
        }
    }
    out
}

// ------------------------------------------------------------------------- records with no value

/// Whether an item holds no value: no credential and no URL or app (a title alone is not a
/// value).
/// An item with no credential, no title and no scope: a record the reader did not understand
/// (the file is likely another format with similar markers).
pub(crate) fn holds_no_value(i: &Item) -> bool {
    i.credentials.is_empty()
        && i.title.trim().is_empty()
        && i.scope
            .as_ref()
            .is_none_or(|s| s.urls.is_empty() && s.android_apps.is_empty())
}

pub(crate) fn holds_nothing(item: &Item) -> bool {
    item.credentials.is_empty()
        && item
            .scope
            .as_ref()
            .is_none_or(|s| s.urls.is_empty() && s.android_apps.is_empty())
}

/// Adds `item` to the account unless it holds nothing ([`holds_nothing`]); a record with no
/// value is not produced but reported as skipped (with no pointer: it has no item). Returns
/// whether the item was added.
pub(crate) fn push_unless_empty(
    acc: &mut AccountBuilder,
    item: Item,
    index: usize,
    loss: &mut LossReport,
) -> bool {
    if holds_nothing(&item) {
        loss.add(
            &ItemRef::new(index, item.title.as_str()),
            "item",
            LossReason::Skipped,
            "the record holds no value besides its title (no login, URL, note or other field)",
        );
        return false;
    }
    acc.push_item(item);
    true
}
