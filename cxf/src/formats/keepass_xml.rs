//! KeePass 2 XML (KeePass 2.x "KeePass XML (2.x)" export, `keepassxc-cli export -f xml`).
//!
//! Groups become collections (the root group itself is the database, not a collection), with
//! the group's `<Times>` as `creationAt`/`modifiedAt` and its `<Notes>` as the subtitle; the
//! recycle bin is skipped and reported. Times are read as ISO 8601 (XML exports) or as base64
//! of 8 little-endian bytes of seconds since 0001-01-01 (KDBX 4 payloads), as KeePassXC does.
//! Tags are split at `,`, `;` and tab, trimmed and deduplicated, as KeePassXC does.
//! Entry strings: `Title`, `UserName`, `Password`, `URL` (plus `KP2A_URL*` extra URLs),
//! `Notes`; TOTP in any of the three conventions (`otp` URI, KeePass 2.47 `TimeOtp-*`, legacy
//! `TOTP Seed`/`TOTP Settings`); KeePassXC passkeys (`KPEX_PASSKEY_*`, the private key as PEM
//! PKCS#8) together with our `passkey.*` attributes for what KeePassXC has no attribute for
//! (`passkey.userDisplayName`, `passkey.hmacCredentials.{algorithm,credWithUV,credWithoutUV}`,
//! `passkey.largeBlob.{uncompressedSize,data}`, `passkey.credBlob`, `passkey.payments`); every
//! other string becomes a custom field (`ProtectInMemory` → `concealed-string`); the KeePassXC
//! tag `Favorite` is `Item.favorite`. Attachments, history and auto-type settings have no CXF
//! home here and are reported.
//!
//! The writer produces the same layout, so a passkey's display name and FIDO2 extensions (PRF
//! seeds, largeBlob, credBlob) round-trip; the secrets among them are `ProtectInMemory`.
//! Credentials KeePass has no attributes for (cards, addresses, Wi-Fi, ...) are written as
//! attributes named `<type>.<member>` and reported, since they come back as custom fields
//! rather than typed credentials. Reported as lost: labels of the basic-auth user name and
//! password, the label of a custom-fields credential (KeePass attributes are not grouped; an
//! extra attribute would show up as a field in KeePassXC), an Android app's name and
//! certificate (its id is kept as an `AndroidApp` attribute, as KeePassDX writes it), tags
//! containing a separator or named `Favorite`, and collection extensions.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use quick_xml::events::Event;
use zeroize::Zeroizing;

use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util::tabular;
use crate::formats::util::{keys, otp, time};
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{
    B64, Credential, Document, Fido2Extensions, Fido2HmacCredentials, Fido2LargeBlob, FieldType,
    Item, Passkey, SecretB64, Text,
};

const F: Format = Format::KeepassXml;

/// A parsed XML element (only what KeePass files use: names, attributes, text, children).
///
/// The KDBX container (`kdbx.rs`) builds the same tree from a decrypted database, so KeePass
/// entries are mapped to CXF in one place.
#[derive(Default)]
pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) text: Zeroizing<String>,
    pub(crate) children: Vec<Node>,
}

impl Node {
    pub(crate) fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub(crate) fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub(crate) fn text_of(&self, name: &str) -> &str {
        self.child(name).map_or("", |c| c.text.as_str())
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses KeePass XML into its `<KeePassFile>` element.
pub(crate) fn parse_xml(text: &str, options: &ReadOptions) -> Result<Node, ReadError> {
    let bad = |what: String| ReadError::syntax(F, what);
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Node> = vec![Node::default()];
    let mut count = 0usize;
    // KeePass spends about four elements per level of a JSON export (Group, Entry, String,
    // Value): the XML may nest four times `max_depth` (at least 64). A refusal names the
    // configured limit, as every other reader does.
    let max_depth = options.limits.max_depth.saturating_mul(4).max(64);
    loop {
        let event = reader.read_event().map_err(|_| {
            bad(format!(
                "malformed XML near byte {}",
                reader.error_position()
            ))
        })?;
        let is_empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                count += 1;
                if count > options.limits.max_values {
                    return Err(ReadError::Limit {
                        limit: "max_values",
                        max: options.limits.max_values,
                    });
                }
                let mut node = Node {
                    name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                    ..Node::default()
                };
                for a in e.attributes().flatten() {
                    let v = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|_| bad("malformed attribute".into()))?;
                    node.attrs.push((
                        String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                        v.into_owned(),
                    ));
                }
                if is_empty {
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(node);
                    }
                } else {
                    if stack.len() > max_depth {
                        return Err(ReadError::Limit {
                            limit: "max_depth",
                            max: options.limits.max_depth,
                        });
                    }
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let node = stack
                    .pop()
                    .ok_or_else(|| bad("unbalanced end tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Err(bad("unbalanced end tag".into())),
                }
            }
            Event::Text(t) => {
                let s = t
                    .xml10_content()
                    .map_err(|_| bad("invalid text encoding".into()))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|_| bad("invalid CDATA".into()))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                let name = r.decode().map_err(|_| bad("invalid entity".into()))?;
                let resolved = if let Some(num) = name.strip_prefix('#') {
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse().ok(),
                    };
                    code.and_then(char::from_u32).map(String::from)
                } else {
                    quick_xml::escape::resolve_predefined_entity(&name).map(str::to_owned)
                };
                let resolved = resolved.ok_or_else(|| bad("unknown entity reference".into()))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err(bad("unexpected end of file inside an element".into()));
    }
    let mut doc = stack.pop().unwrap_or_default();
    let root = doc
        .children
        .drain(..)
        .find(|c| c.name == "KeePassFile")
        .ok_or_else(|| bad("no <KeePassFile> root".into()))?;
    Ok(root)
}

/// Reads a KeePass 2 XML file.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let text = tabular::text(bytes, F)?;
    let root = parse_xml(text, options)?;
    read_tree(&root, F, options, loss)
}

/// Reads a `<KeePassFile>` tree (parsed XML, or a KDBX database as `kdbx.rs` builds it) as a
/// document converted from `format`.
pub(crate) fn read_tree(
    root: &Node,
    format: Format,
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let meta = root.child("Meta");
    let recycle = meta
        .filter(|m| !m.text_of("RecycleBinEnabled").eq_ignore_ascii_case("false"))
        .map(|m| m.text_of("RecycleBinUUID").trim().to_owned())
        .filter(|u| !u.is_empty() && u != "AAAAAAAAAAAAAAAAAAAAAA==");
    let mut acc = AccountBuilder::new(format, "");
    if let Some(name) = meta
        .map(|m| m.text_of("DatabaseName"))
        .filter(|n| !n.is_empty())
    {
        acc.username = name.to_owned();
    }
    let top = root
        .child("Root")
        .and_then(|r| r.child("Group"))
        .ok_or_else(|| ReadError::syntax(format, "no <Root><Group>"))?;
    let mut index = 0usize;
    walk(
        top,
        &[],
        recycle.as_deref(),
        false,
        &mut acc,
        &mut index,
        loss,
    );
    Ok(build::document(format, vec![acc.finish()], options))
}

fn walk(
    group: &Node,
    path: &[String],
    recycle: Option<&str>,
    in_bin: bool,
    acc: &mut AccountBuilder,
    index: &mut usize,
    loss: &mut LossReport,
) {
    for entry in group.children("Entry") {
        let i = *index;
        *index += 1;
        if in_bin {
            let title = string_value(entry, "Title");
            loss.add(
                &ItemRef::new(i, &title),
                "item",
                LossReason::Skipped,
                "entry is in the recycle bin",
            );
            continue;
        }
        let (item, id) = read_entry(entry, i, acc, loss);
        acc.add_to_collection(path, &id);
        acc.push_item(item);
    }
    for sub in group.children("Group") {
        let bin = in_bin || recycle.is_some_and(|r| sub.text_of("UUID").trim() == r);
        let mut p = path.to_vec();
        p.push(sub.text_of("Name").to_owned());
        if !bin {
            acc.ensure_collection(&p);
            let times = sub.child("Times");
            let time_of = |name: &str| times.and_then(|t| parse_time(t.text_of(name)));
            acc.set_collection_details(
                &p,
                time_of("CreationTime"),
                time_of("LastModificationTime"),
                Some(sub.text_of("Notes")),
            );
        }
        walk(sub, &p, recycle, bin, acc, index, loss);
    }
}

/// Seconds between 0001-01-01T00:00:00Z and the Unix epoch.
pub(crate) const EPOCH_FROM_YEAR_1: i64 = 62_135_596_800;

/// A KeePass time: ISO 8601 (`2024-01-02T03:04:05Z`, KeePass XML exports) or, as KeePassXC and
/// KeePass write KDBX 4 payloads, base64 of 8 little-endian bytes counting seconds since
/// 0001-01-01 UTC. Times before 1970 have no CXF form and are dropped.
fn parse_time(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(t) = time::parse_rfc3339(s) {
        return Some(t);
    }
    let bytes = STANDARD.decode(s).ok()?;
    if bytes.is_empty() || bytes.len() > 8 {
        return None;
    }
    let mut le = [0u8; 8];
    le[..bytes.len()].copy_from_slice(&bytes);
    let secs = i64::try_from(u64::from_le_bytes(le)).ok()?;
    u64::try_from(secs.checked_sub(EPOCH_FROM_YEAR_1)?).ok()
}

/// KeePassXC splits tags at `,`, `;` and tab, trims them and drops empty and repeated ones.
const TAG_SEPARATORS: [char; 3] = [',', ';', '\t'];

fn string_value(entry: &Node, key: &str) -> Zeroizing<String> {
    entry
        .children("String")
        .find(|s| s.text_of("Key") == key)
        .map_or_else(
            || Zeroizing::new(String::new()),
            |s| Zeroizing::new(s.text_of("Value").to_owned()),
        )
}

/// The `<String>` attributes of an entry: key, value, protected.
struct Strings(Vec<(String, Zeroizing<String>, bool)>);

impl Strings {
    fn get(&self, key: &str) -> &str {
        self.find(key).unwrap_or("")
    }

    /// The value of `key` when the entry has that attribute (even empty).
    fn find(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str())
    }
}

/// Attributes that carry the members of a KeePassXC passkey that KeePassXC has no attribute
/// for, named like the flattened credentials (`passkey.<member>`, `build::credential_members`).
/// KeePassXC defines only `KPEX_PASSKEY_{CREDENTIAL_ID, PRIVATE_KEY_PEM, RELYING_PARTY,
/// USERNAME, USER_HANDLE, GENERATED_USER_ID, FLAG_BE, FLAG_BS}`; no name of its own is made up
/// here. They are read back into the passkey only next to the `KPEX_PASSKEY_*` attributes.
const PK_DISPLAY_NAME: &str = "passkey.userDisplayName";
const PK_HMAC_ALGORITHM: &str = "passkey.hmacCredentials.algorithm";
const PK_HMAC_WITH_UV: &str = "passkey.hmacCredentials.credWithUV";
const PK_HMAC_WITHOUT_UV: &str = "passkey.hmacCredentials.credWithoutUV";
const PK_LARGE_BLOB_SIZE: &str = "passkey.largeBlob.uncompressedSize";
const PK_LARGE_BLOB_DATA: &str = "passkey.largeBlob.data";
const PK_CRED_BLOB: &str = "passkey.credBlob";
const PK_PAYMENTS: &str = "passkey.payments";
const PASSKEY_EXTRAS: &[&str] = &[
    PK_DISPLAY_NAME,
    PK_HMAC_ALGORITHM,
    PK_HMAC_WITH_UV,
    PK_HMAC_WITHOUT_UV,
    PK_LARGE_BLOB_SIZE,
    PK_LARGE_BLOB_DATA,
    PK_CRED_BLOB,
    PK_PAYMENTS,
];

const KNOWN: &[&str] = &[
    "Title",
    "UserName",
    "Password",
    "URL",
    "Notes",
    "otp",
    "TimeOtp-Secret-Base32",
    "TimeOtp-Period",
    "TimeOtp-Length",
    "TimeOtp-Algorithm",
    "TOTP Seed",
    "TOTP Settings",
    "KPEX_PASSKEY_CREDENTIAL_ID",
    "KPEX_PASSKEY_PRIVATE_KEY_PEM",
    "KPEX_PASSKEY_RELYING_PARTY",
    "KPEX_PASSKEY_USERNAME",
    "KPEX_PASSKEY_USER_HANDLE",
    "KPEX_PASSKEY_FLAG_BE",
    "KPEX_PASSKEY_FLAG_BS",
    "KPEX_PASSKEY_GENERATED_USER_ID",
    "KPXC_PASSKEY_USERNAME",
];

fn read_entry(
    entry: &Node,
    index: usize,
    acc: &mut AccountBuilder,
    loss: &mut LossReport,
) -> (Item, B64) {
    let strings: Vec<(String, Zeroizing<String>, bool)> = entry
        .children("String")
        .filter(|s| {
            !s.child("Value")
                .and_then(|v| v.attr("Protected"))
                .is_some_and(|p| p.eq_ignore_ascii_case("true"))
        })
        .map(|s| {
            let v = s.child("Value");
            let protected = v
                .and_then(|v| v.attr("ProtectInMemory"))
                .is_some_and(|p| p.eq_ignore_ascii_case("true"));
            (
                s.text_of("Key").to_owned(),
                Zeroizing::new(v.map_or("", |v| v.text.as_str()).to_owned()),
                protected,
            )
        })
        .collect();
    let strings = Strings(strings);
    let get = |k: &str| strings.get(k);
    let url = get("URL");
    let title = build::title_or_host(get("Title"), url).to_owned();
    let r = ItemRef::new(index, &title);
    let uuid = STANDARD.decode(entry.text_of("UUID").trim()).ok();
    let id = acc.item_id(uuid.as_deref(), index);
    let r = r.with_item(&id);
    let mut item = build::item(id.clone(), &title);
    if let Some(times) = entry.child("Times") {
        item.creation_at = parse_time(times.text_of("CreationTime"));
        item.modified_at = parse_time(times.text_of("LastModificationTime"));
        if times.text_of("Expires").eq_ignore_ascii_case("true") {
            loss.add(
                &r,
                "Times.ExpiryTime",
                LossReason::NoEquivalent,
                "CXF items have no expiry date",
            );
        }
    }
    for s in entry.children("String") {
        if s.child("Value")
            .and_then(|v| v.attr("Protected"))
            .is_some_and(|p| p.eq_ignore_ascii_case("true"))
        {
            loss.add(
                &r,
                format!("String:{}", s.text_of("Key")),
                LossReason::Unsupported,
                "value is encrypted with the database's inner stream key (XML taken from inside a KDBX); export as KeePass XML instead",
            );
        }
    }
    // KeePassXC marks favourites with the tag `Favorite`.
    for tag in entry
        .text_of("Tags")
        .split(TAG_SEPARATORS)
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        if tag.eq_ignore_ascii_case("Favorite") {
            item.favorite = Some(true);
        } else if !item.tags.iter().any(|t| t.as_str() == tag) {
            item.tags.push(Text::from(tag));
        }
    }
    build::add_urls(&mut item, [url]);
    // `KP2A_URL`, `KP2A_URL_1`, `KP2A_URL_2`, ... in numeric order.
    let mut extra_urls: Vec<(u32, &str)> = strings
        .0
        .iter()
        .filter_map(|(k, v, _)| {
            let n = k.strip_prefix("KP2A_URL")?;
            let n = if n.is_empty() {
                0
            } else {
                n.strip_prefix('_')?.parse().ok()?
            };
            Some((n, v.as_str()))
        })
        .collect();
    extra_urls.sort_by_key(|(n, _)| *n);
    build::add_urls(&mut item, extra_urls.into_iter().map(|(_, v)| v));
    let username = get("UserName");
    item.credentials
        .extend(build::basic_auth(username, get("Password")));
    read_totp(&strings, username, &mut item.credentials, &r, loss);
    let mut has_passkey = false;
    if !get("KPEX_PASSKEY_PRIVATE_KEY_PEM").is_empty()
        || !get("KPEX_PASSKEY_CREDENTIAL_ID").is_empty()
    {
        match read_passkey(&strings) {
            Some(p) => {
                has_passkey = true;
                item.credentials.push(p.into());
            }
            None => loss.add(
                &r,
                "KPEX_PASSKEY_*",
                LossReason::InvalidValue,
                "passkey attributes incomplete or the key is not PEM PKCS#8",
            ),
        }
    }
    item.credentials.extend(build::note(get("Notes")));
    let mut custom = Vec::new();
    for (k, v, protected) in &strings.0 {
        if KNOWN.contains(&k.as_str())
            || k.starts_with("KP2A_URL")
            || (has_passkey && PASSKEY_EXTRAS.contains(&k.as_str()))
        {
            continue;
        }
        let ft = if *protected {
            FieldType::ConcealedString
        } else {
            FieldType::String
        };
        custom.extend(build::labelled(k, ft, v));
    }
    item.credentials.extend(build::custom_fields(None, custom));
    for b in entry.children("Binary") {
        loss.add(
            &r,
            format!("Binary:{}", b.text_of("Key")),
            LossReason::Unsupported,
            "attachments are not converted",
        );
    }
    if entry
        .child("History")
        .is_some_and(|h| !h.children.is_empty())
    {
        loss.add(
            &r,
            "History",
            LossReason::NoEquivalent,
            "CXF has no entry history",
        );
    }
    if entry.child("AutoType").is_some_and(|a| {
        a.child("Association").is_some() || !a.text_of("DefaultSequence").is_empty()
    }) {
        loss.add(
            &r,
            "AutoType",
            LossReason::NoEquivalent,
            "CXF has no auto-type settings",
        );
    }
    // Whatever else the entry holds is named, never ignored silently. Icons, colours, the
    // password-quality flag and the previous parent group are display state, not user data.
    const READ: &[&str] = &[
        "UUID",
        "Times",
        "String",
        "Binary",
        "History",
        "AutoType",
        "Tags",
        "IconID",
        "CustomIconUUID",
        "ForegroundColor",
        "BackgroundColor",
        "QualityCheck",
        "PreviousParentGroup",
    ];
    for c in &entry.children {
        if READ.contains(&c.name.as_str()) || (c.text.trim().is_empty() && c.children.is_empty()) {
            continue;
        }
        loss.add(
            &r,
            c.name.clone(),
            if c.name == "OverrideURL" || c.name == "CustomData" {
                LossReason::NoEquivalent
            } else {
                LossReason::Unsupported
            },
            format!(
                "the KeePass XML reader does not carry the entry's <{}>",
                c.name
            ),
        );
    }
    (item, id)
}

fn read_totp(
    strings: &Strings,
    username: &str,
    creds: &mut crate::ThinVec<Credential>,
    r: &ItemRef<'_>,
    loss: &mut LossReport,
) {
    let get = |k: &str| strings.get(k);
    let mut push = |what: &str, parsed: Result<otp::Totp, otp::OtpError>| match parsed {
        Ok(t) => creds.push(build::totp(&t, Some(username))),
        Err(otp::OtpError::Unsupported) => loss.add(
            r,
            what,
            LossReason::Unsupported,
            "not a TOTP key (HOTP, Steam...)",
        ),
        Err(otp::OtpError::Invalid) => loss.add(
            r,
            what,
            LossReason::InvalidValue,
            "not a valid TOTP configuration",
        ),
    };
    if !get("otp").trim().is_empty() {
        push("otp", otp::parse(get("otp")));
    } else if !get("TimeOtp-Secret-Base32").trim().is_empty() {
        let parsed = otp::parse(get("TimeOtp-Secret-Base32")).and_then(|mut t| {
            if let Ok(p) = get("TimeOtp-Period").trim().parse() {
                t.period = p;
            }
            if let Ok(d) = get("TimeOtp-Length").trim().parse() {
                t.digits = d;
            }
            let alg = get("TimeOtp-Algorithm");
            if !alg.trim().is_empty() {
                t.algorithm = otp::OtpAlgorithm::parse(alg).ok_or(otp::OtpError::Invalid)?;
            }
            t.assumed_defaults = false;
            Ok(t)
        });
        push("TimeOtp-Secret-Base32", parsed);
    } else if !get("TOTP Seed").trim().is_empty() {
        let parsed = otp::parse(get("TOTP Seed")).and_then(|mut t| {
            let settings = get("TOTP Settings");
            let mut parts = settings.split(';');
            if let Some(p) = parts.next().and_then(|p| p.trim().parse().ok()) {
                t.period = p;
            }
            match parts.next().map(str::trim) {
                Some("S") => return Err(otp::OtpError::Unsupported),
                Some(d) => {
                    if let Ok(d) = d.parse() {
                        t.digits = d;
                    }
                }
                None => {}
            }
            Ok(t)
        });
        push("TOTP Seed", parsed);
    }
}

fn read_passkey(strings: &Strings) -> Option<Passkey> {
    let get = |k: &str| strings.get(k);
    let key = keys::private_key_to_pkcs8(get("KPEX_PASSKEY_PRIVATE_KEY_PEM")).ok()?;
    let b64 = |s: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s.trim().trim_end_matches('='))
            .or_else(|_| {
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(s.trim().trim_end_matches('='))
            })
            .ok()
    };
    let credential_id = b64(get("KPEX_PASSKEY_CREDENTIAL_ID")).filter(|c| !c.is_empty())?;
    // `KPEX_PASSKEY_GENERATED_USER_ID` is what StrongBox wrote; KeePassXC reads it too.
    let handle = b64(strings
        .find("KPEX_PASSKEY_USER_HANDLE")
        .unwrap_or(get("KPEX_PASSKEY_GENERATED_USER_ID")))?;
    // `KPXC_PASSKEY_USERNAME` is the name of KeePassXC 2.7.7's first passkeys.
    let username = strings
        .find("KPEX_PASSKEY_USERNAME")
        .unwrap_or(get("KPXC_PASSKEY_USERNAME"));
    let display_name = strings.find(PK_DISPLAY_NAME).unwrap_or(username);
    let rp = get("KPEX_PASSKEY_RELYING_PARTY");
    let secret = |k: &str| {
        strings
            .find(k)
            .and_then(&b64)
            .map(|bytes| SecretB64::encode(&Zeroizing::new(bytes)))
    };
    let hmac_credentials = secret(PK_HMAC_WITH_UV).map(|with_uv| Fido2HmacCredentials {
        algorithm: Text::from(
            strings
                .find(PK_HMAC_ALGORITHM)
                .filter(|a| !a.trim().is_empty())
                .unwrap_or("hmac-sha256")
                .trim(),
        ),
        cred_with_uv: with_uv,
        cred_without_uv: secret(PK_HMAC_WITHOUT_UV),
        ..Fido2HmacCredentials::default()
    });
    let large_blob = secret(PK_LARGE_BLOB_DATA).and_then(|data| {
        Some(Fido2LargeBlob {
            uncompressed_size: get(PK_LARGE_BLOB_SIZE).trim().parse().ok()?,
            data,
            ..Fido2LargeBlob::default()
        })
    });
    let payments = match get(PK_PAYMENTS).trim() {
        "" => None,
        v => Some(build::truthy(v)),
    };
    let extensions = Fido2Extensions {
        hmac_credentials,
        cred_blob: secret(PK_CRED_BLOB),
        large_blob,
        payments,
        ..Fido2Extensions::default()
    };
    let has_extensions = extensions.hmac_credentials.is_some()
        || extensions.cred_blob.is_some()
        || extensions.large_blob.is_some()
        || extensions.payments.is_some();
    (!rp.is_empty()).then(|| Passkey {
        credential_id: B64::encode(&credential_id),
        rp_id: Text::from(rp),
        username: Text::from(username),
        user_display_name: Text::from(display_name),
        user_handle: B64::encode(&handle),
        key: SecretB64::encode(&key.pkcs8),
        fido2_extensions: has_extensions.then(|| Box::new(extensions)),
        ..Passkey::default()
    })
}

// ----------------------------------------------------------------------------------- writer

/// Escapes text for XML, including `\r`, which XML parsers would otherwise turn into `\n`.
fn esc(s: &str) -> Zeroizing<String> {
    let escaped = quick_xml::escape::escape(s);
    Zeroizing::new(if escaped.contains('\r') {
        escaped.replace('\r', "&#13;")
    } else {
        escaped.into_owned()
    })
}

struct Out {
    buf: Zeroizing<String>,
}

impl Out {
    fn line(&mut self, depth: usize, s: &str) {
        for _ in 0..depth {
            self.buf.push('\t');
        }
        self.buf.push_str(s);
        self.buf.push('\n');
    }

    fn string(&mut self, depth: usize, key: &str, value: &str, protect: bool) {
        let attr = if protect {
            " ProtectInMemory=\"True\""
        } else {
            ""
        };
        let mut s = Zeroizing::new(format!(
            "<String><Key>{}</Key><Value{attr}>",
            esc(key).as_str()
        ));
        s.push_str(&esc(value));
        s.push_str("</Value></String>");
        self.line(depth, &s);
    }
}

fn uuid_b64(id: &B64, salt: &[u8]) -> String {
    let bytes = id
        .decode()
        .ok()
        .filter(|b| b.len() == 16)
        .unwrap_or_else(|| {
            build::derived_id(&[salt, id.as_bytes()])
                .decode()
                .unwrap_or_else(|_| vec![0; 16])
        });
    STANDARD.encode(bytes)
}

/// Writes a KeePass 2 XML file.
pub(crate) fn write(doc: &Document, loss: &mut LossReport) -> Zeroizing<Vec<u8>> {
    let mut out = Out {
        buf: Zeroizing::new(String::new()),
    };
    out.line(
        0,
        r#"<?xml version="1.0" encoding="utf-8" standalone="yes"?>"#,
    );
    out.line(0, "<KeePassFile>");
    out.line(1, "<Meta>");
    out.line(2, "<Generator>cxf</Generator>");
    let name = doc
        .accounts
        .first()
        .map(|a| a.username.as_str())
        .filter(|n| !n.is_empty())
        .unwrap_or("Imported");
    out.line(
        2,
        &format!("<DatabaseName>{}</DatabaseName>", esc(name).as_str()),
    );
    out.line(1, "</Meta>");
    out.line(1, "<Root>");
    out.line(2, "<Group>");
    out.line(
        3,
        &format!(
            "<UUID>{}</UUID>",
            STANDARD.encode(
                build::derived_id(&[b"keepass-root"])
                    .decode()
                    .unwrap_or_default()
            )
        ),
    );
    out.line(3, &format!("<Name>{}</Name>", esc(name).as_str()));
    let mut offset = 0usize;
    for (ai, account) in doc.accounts.iter().enumerate() {
        build::report_account_extras(ai, account, "KeePass XML", loss);
        let mut placed: std::collections::HashSet<B64> = std::collections::HashSet::new();
        let by_id: std::collections::HashMap<&B64, (ItemRef<'_>, &Item)> = account
            .items
            .iter()
            .enumerate()
            .map(|(ii, i)| {
                (
                    &i.id,
                    (
                        ItemRef::in_document(ai, ii, offset + ii, i.title.as_str()),
                        i,
                    ),
                )
            })
            .collect();
        let mut groups = Zeroizing::new(String::new());
        let mut sub = Out {
            buf: Zeroizing::new(String::new()),
        };
        write_groups(
            &account.collections,
            &format!("/accounts/{ai}/collections"),
            3,
            &mut sub,
            &mut placed,
            &by_id,
            loss,
        );
        groups.push_str(&sub.buf);
        for (ii, item) in account.items.iter().enumerate() {
            if !placed.contains(&item.id) {
                let r = ItemRef::in_document(ai, ii, offset + ii, item.title.as_str());
                write_entry(item, 3, &mut out, &r, loss);
            }
        }
        out.buf.push_str(&groups);
        offset += account.items.len();
    }
    out.line(2, "</Group>");
    out.line(1, "</Root>");
    out.line(0, "</KeePassFile>");
    Zeroizing::new(out.buf.as_bytes().to_vec())
}

/// `<Times>` with the creation and modification times that are known (the modification time
/// defaults to the creation time, as KeePass requires one).
fn write_times(out: &mut Out, depth: usize, created: Option<u64>, modified: Option<u64>) {
    let created = created.map(time::format_rfc3339);
    let modified = modified
        .map(time::format_rfc3339)
        .or_else(|| created.clone());
    out.line(depth, "<Times>");
    if let Some(m) = &modified {
        out.line(
            depth + 1,
            &format!("<LastModificationTime>{m}</LastModificationTime>"),
        );
    }
    if let Some(c) = &created {
        out.line(depth + 1, &format!("<CreationTime>{c}</CreationTime>"));
    }
    out.line(depth + 1, "<Expires>False</Expires>");
    out.line(depth, "</Times>");
}

fn write_groups(
    cs: &[crate::Collection],
    at: &str,
    depth: usize,
    out: &mut Out,
    placed: &mut std::collections::HashSet<B64>,
    by_id: &std::collections::HashMap<&B64, (ItemRef<'_>, &Item)>,
    loss: &mut LossReport,
) {
    for (gi, c) in cs.iter().enumerate() {
        let pointer = format!("{at}/{gi}");
        out.line(depth, "<Group>");
        out.line(
            depth + 1,
            &format!("<UUID>{}</UUID>", uuid_b64(&c.id, b"keepass-group")),
        );
        out.line(
            depth + 1,
            &format!("<Name>{}</Name>", esc(&c.title).as_str()),
        );
        // A group's notes hold the collection's description.
        if let Some(sub) = c.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
            out.line(depth + 1, &format!("<Notes>{}</Notes>", esc(sub).as_str()));
        }
        write_times(out, depth + 1, c.creation_at, c.modified_at);
        if !c.extensions.is_empty() {
            loss.lose(
                &ItemRef::node(format!("{pointer}/extensions")),
                "",
                "collections.extensions",
                LossReason::NoEquivalent,
                "KeePass groups cannot hold CXF extensions (sharing is not converted)",
            );
        }
        for li in &c.items {
            let Some((r, item)) = by_id.get(&li.item) else {
                continue;
            };
            if placed.contains(&item.id) {
                loss.lose(
                    r,
                    "",
                    "collections",
                    LossReason::NoEquivalent,
                    "a KeePass entry sits in one group; only the first collection was kept",
                );
                continue;
            }
            placed.insert(item.id.clone());
            write_entry(item, depth + 1, out, r, loss);
        }
        write_groups(
            &c.sub_collections,
            &format!("{pointer}/subCollections"),
            depth + 1,
            out,
            placed,
            by_id,
            loss,
        );
        out.line(depth, "</Group>");
    }
}

fn write_entry(item: &Item, depth: usize, out: &mut Out, r: &ItemRef<'_>, loss: &mut LossReport) {
    let d = depth + 1;
    out.line(depth, "<Entry>");
    out.line(
        d,
        &format!("<UUID>{}</UUID>", uuid_b64(&item.id, b"keepass-entry")),
    );
    // Tags are joined with `;`, which KeePass and KeePassXC both split at; KeePassXC also
    // splits at `,` and tab, and reads `Favorite` as the favourite mark.
    let mut tags: Vec<&str> = Vec::new();
    for (ti, t) in item.tags.iter().enumerate() {
        let t = t.as_str().trim();
        if t.contains(TAG_SEPARATORS) {
            loss.lose(
                r,
                &format!("/tags/{ti}"),
                "tags",
                LossReason::NoEquivalent,
                "KeePass splits tags at `,`, `;` and tab; a tag containing one would come back as several",
            );
        } else if t.eq_ignore_ascii_case("Favorite") {
            loss.lose(
                r,
                &format!("/tags/{ti}"),
                "tags",
                LossReason::NoEquivalent,
                "KeePassXC reads the tag `Favorite` as the favourite mark",
            );
        } else if !t.is_empty() && !tags.contains(&t) {
            tags.push(t);
        }
    }
    if item.favorite == Some(true) {
        tags.push("Favorite");
    }
    if !tags.is_empty() {
        out.line(
            d,
            &format!("<Tags>{}</Tags>", esc(&tags.join(";")).as_str()),
        );
    }
    write_times(out, d, item.creation_at, item.modified_at);
    build::report_item_extras(item, r, "KeePass XML", loss);
    let mut used: Vec<String> = Vec::new();
    let mut strings: Vec<(String, Zeroizing<String>, bool)> = Vec::new();
    let mut put = |key: &str,
                   value: &str,
                   protect: bool,
                   strings: &mut Vec<(String, Zeroizing<String>, bool)>| {
        let mut k = key.to_owned();
        let mut n = 2;
        while used.contains(&k) {
            k = format!("{key} ({n})");
            n += 1;
        }
        used.push(k.clone());
        strings.push((k, Zeroizing::new(value.to_owned()), protect));
    };
    put("Title", &item.title, false, &mut strings);
    let urls: Vec<&str> = item
        .scope
        .as_ref()
        .map(|s| s.urls.iter().map(|u| u.as_str()).collect())
        .unwrap_or_default();
    let mut username = "";
    let mut password = "";
    let mut notes: Vec<&str> = Vec::new();
    let (mut has_auth, mut has_totp, mut has_passkey) = (false, false, false);
    let mut flattened: Vec<(usize, &Credential)> = Vec::new();
    for (ci, c) in item.credentials.iter().enumerate() {
        match c {
            Credential::BasicAuth(b) if !has_auth => {
                has_auth = true;
                username = build::value(&b.username);
                password = build::value(&b.password);
                for (member, f) in [("username", &b.username), ("password", &b.password)] {
                    if f.as_ref().is_some_and(|f| f.label.is_some()) {
                        loss.lose(
                            r,
                            &format!("/credentials/{ci}/{member}/label"),
                            format!("credentials[{ci}].{member}.label"),
                            LossReason::NoEquivalent,
                            "KeePass's user name and password have fixed names",
                        );
                    }
                }
            }
            Credential::Note(n) => {
                notes.push(n.content.value.expose());
                if n.content.label.is_some() {
                    loss.lose(
                        r,
                        &format!("/credentials/{ci}/content/label"),
                        format!("credentials[{ci}]:note.label"),
                        LossReason::NoEquivalent,
                        "a KeePass entry has one Notes field; the note's label is not carried",
                    );
                }
            }
            Credential::Totp(t) if !has_totp => match build::otp_of(t) {
                Some(o) => {
                    has_totp = true;
                    put("otp", &otp::to_uri(&o), true, &mut strings);
                }
                None => flattened.push((ci, c)),
            },
            Credential::Passkey(p) if !has_passkey => match p
                .key
                .decode()
                .ok()
                .map(|k| keys::pem_encode("PRIVATE KEY", &k, 64))
            {
                Some(pem) => {
                    has_passkey = true;
                    put(
                        "KPEX_PASSKEY_CREDENTIAL_ID",
                        p.credential_id.as_str(),
                        false,
                        &mut strings,
                    );
                    put(
                        "KPEX_PASSKEY_PRIVATE_KEY_PEM",
                        pem.trim_end(),
                        true,
                        &mut strings,
                    );
                    put("KPEX_PASSKEY_RELYING_PARTY", &p.rp_id, false, &mut strings);
                    put("KPEX_PASSKEY_USERNAME", &p.username, false, &mut strings);
                    put(
                        "KPEX_PASSKEY_USER_HANDLE",
                        p.user_handle.as_str(),
                        true,
                        &mut strings,
                    );
                    write_passkey_extras(p, ci, &mut strings, &mut put, r, loss);
                    if username.is_empty() && !has_auth {
                        username = p.username.as_str();
                    }
                }
                None => flattened.push((ci, c)),
            },
            // KeePassXC signs in with the one passkey of an entry; a second one as plain
            // attributes would look carried and never sign in.
            Credential::Passkey(_) if has_passkey => loss.lose(
                r,
                &format!("/credentials/{ci}"),
                format!("credentials[{ci}]:passkey"),
                LossReason::NoEquivalent,
                build::prf_detail(
                    [c],
                    "a KeePass entry holds one passkey and this item's first one was written; move this passkey to an item of its own before converting".to_owned(),
                ),
            ),
            Credential::CustomFields(cf) => {
                if cf.label.is_some() {
                    loss.lose(
                        r,
                        &format!("/credentials/{ci}/label"),
                        format!("credentials[{ci}].label"),
                        LossReason::NoEquivalent,
                        "KeePass attributes are not grouped; the fields are kept, the group's name is not",
                    );
                }
                for f in &cf.fields {
                    let label = f
                        .label
                        .as_deref()
                        .filter(|l| !l.is_empty())
                        .unwrap_or("Field");
                    put(
                        label,
                        f.value.expose(),
                        f.field_type == FieldType::ConcealedString,
                        &mut strings,
                    );
                }
            }
            _ => flattened.push((ci, c)),
        }
    }
    put("UserName", username, false, &mut strings);
    put("Password", password, true, &mut strings);
    put(
        "URL",
        urls.first().copied().unwrap_or(""),
        false,
        &mut strings,
    );
    for (i, u) in urls.iter().enumerate().skip(1) {
        let key = if i == 1 {
            "KP2A_URL".to_owned()
        } else {
            format!("KP2A_URL_{}", i - 1)
        };
        put(&key, u, false, &mut strings);
    }
    put("Notes", &notes.join("\n\n"), false, &mut strings);
    if item
        .scope
        .as_ref()
        .is_some_and(|s| !s.android_apps.is_empty())
    {
        for (ai, app) in item.scope.iter().flat_map(|s| &s.android_apps).enumerate() {
            put("AndroidApp", &app.bundle_id, false, &mut strings);
            loss.change(
                r,
                &format!("/scope/androidApps/{ai}/bundleId"),
                "scope.androidApps.bundleId",
                LossReason::NoEquivalent,
                "stored as an `AndroidApp` attribute (as KeePassDX does), read back as a custom field",
            );
            if app.name.is_some() {
                loss.lose(
                    r,
                    &format!("/scope/androidApps/{ai}/name"),
                    "scope.androidApps.name",
                    LossReason::NoEquivalent,
                    "KeePass has no place for an app's display name",
                );
            }
            if app.certificate.is_some() {
                loss.lose(
                    r,
                    &format!("/scope/androidApps/{ai}/certificate"),
                    "scope.androidApps.certificate",
                    LossReason::NoEquivalent,
                    "KeePass has no place for an app's signing certificate fingerprint",
                );
            }
        }
    }
    for (fi, &(ci, c)) in flattened.iter().enumerate() {
        let at = format!("/credentials/{ci}");
        let fields = build::credential_members(item, c);
        if fields.is_empty() {
            loss.lose(
                r,
                &at,
                format!("credentials[{ci}]:{}", c.type_name()),
                LossReason::NoEquivalent,
                "no KeePass equivalent",
            );
            continue;
        }
        let same_before = flattened[..fi]
            .iter()
            .filter(|o| o.1.type_name() == c.type_name())
            .count();
        let prefix = if same_before == 0 {
            c.type_name().to_owned()
        } else {
            format!("{}#{}", c.type_name(), same_before + 1)
        };
        for (member, value, concealed) in &fields {
            put(
                &format!("{prefix}.{member}"),
                value,
                *concealed,
                &mut strings,
            );
        }
        loss.change(
            r,
            &at,
            format!("credentials[{ci}]:{}", c.type_name()),
            LossReason::NoEquivalent,
            format!(
                "KeePass has no {} type; stored as plain attributes `{prefix}.*`",
                c.type_name()
            ),
        );
    }
    for (k, v, p) in &strings {
        out.string(d, k, v, *p);
    }
    out.line(depth, "</Entry>");
}

type StringList = Vec<(String, Zeroizing<String>, bool)>;

/// Writes what KeePassXC's passkey attributes do not hold as `passkey.*` attributes (secrets
/// protected), which [`read_passkey`] maps back; reports the members that cannot travel.
fn write_passkey_extras(
    p: &Passkey,
    ci: usize,
    strings: &mut StringList,
    put: &mut impl FnMut(&str, &str, bool, &mut StringList),
    r: &ItemRef<'_>,
    loss: &mut LossReport,
) {
    const PRF_WARNING: &str = "not converted: KeePass has no place for it; data an app encrypted \
         with this passkey's PRF (hmac-secret) output may become unreadable";
    let at = format!("/credentials/{ci}");
    let mut lose_unknown = |unknown: &crate::Unknown, under: &str| {
        for (name, _) in unknown.iter() {
            let token = name.replace('~', "~0").replace('/', "~1");
            loss.lose(
                r,
                &format!("{at}{under}/{token}"),
                format!("credentials[{ci}]{}.{name}", under.replace('/', ".")),
                LossReason::Unsupported,
                PRF_WARNING,
            );
        }
    };
    if p.user_display_name != p.username {
        put(PK_DISPLAY_NAME, &p.user_display_name, false, strings);
    }
    lose_unknown(&p.unknown, "");
    let Some(ext) = p.fido2_extensions.as_deref() else {
        return;
    };
    if let Some(h) = &ext.hmac_credentials {
        put(PK_HMAC_ALGORITHM, &h.algorithm, false, strings);
        put(PK_HMAC_WITH_UV, h.cred_with_uv.expose(), true, strings);
        if let Some(w) = &h.cred_without_uv {
            put(PK_HMAC_WITHOUT_UV, w.expose(), true, strings);
        }
        lose_unknown(&h.unknown, "/fido2Extensions/hmacCredentials");
    }
    if let Some(b) = &ext.cred_blob {
        put(PK_CRED_BLOB, b.expose(), true, strings);
    }
    if let Some(lb) = &ext.large_blob {
        put(
            PK_LARGE_BLOB_SIZE,
            &lb.uncompressed_size.to_string(),
            false,
            strings,
        );
        put(PK_LARGE_BLOB_DATA, lb.data.expose(), true, strings);
        lose_unknown(&lb.unknown, "/fido2Extensions/largeBlob");
    }
    if let Some(pay) = ext.payments {
        put(
            PK_PAYMENTS,
            if pay { "true" } else { "false" },
            false,
            strings,
        );
    }
    lose_unknown(&ext.unknown, "/fido2Extensions");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::{self, LossKind};

    fn fixture(rel: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures")
            .join(rel);
        std::fs::read(path).unwrap()
    }

    /// Fuzz finding (formats_read, 2026-12-07): too deep an XML was refused naming the XML
    /// depth (4 x the limit) as the limit's value; it names the configured limit.
    #[test]
    fn too_deep_xml_names_the_configured_depth_limit() {
        let xml = format!(
            "<?xml version=\"1.0\"?><KeePassFile><Root>{}{}</Root></KeePassFile>",
            "<Group>".repeat(120),
            "</Group>".repeat(120)
        );
        let mut options = ReadOptions::default();
        options.limits.max_depth = 24;
        match formats::read(Format::KeepassXml, xml.as_bytes(), &options) {
            Err(ReadError::Limit { limit, max }) => assert_eq!((limit, max), ("max_depth", 24)),
            other => panic!("{:?}", other.map(|_| ())),
        }
    }

    fn read_kp(bytes: &[u8]) -> (Document, LossReport) {
        formats::read(F, bytes, &ReadOptions::default().with_timestamp(1)).unwrap()
    }

    #[test]
    fn times_are_read_as_iso_8601_and_as_kdbx4_base64() {
        assert_eq!(parse_time("JXQl3Q4AAAA="), Some(1_704_164_645));
        assert_eq!(parse_time("2024-01-02T03:04:05Z"), Some(1_704_164_645));
        // Before 1970, empty, and not a time at all.
        assert_eq!(parse_time("AAAAAAAAAAA="), None);
        assert_eq!(parse_time(""), None);
        assert_eq!(parse_time("yesterday"), None);
        let (doc, _) = read_kp(&fixture("formats/keepass-xml/kdbx4-base64-times.xml"));
        let a = &doc.accounts[0];
        let by_title = |t: &str| a.items.iter().find(|i| i.title.as_str() == t).unwrap();
        let bank = by_title("Bank");
        assert_eq!(bank.creation_at, Some(1_704_164_645));
        assert_eq!(bank.modified_at, Some(1_714_979_289));
        let web = by_title("Mixed ISO times");
        assert_eq!(web.creation_at, Some(1_704_164_645));
        assert_eq!(web.modified_at, Some(1_714_979_289));
        assert_eq!(web.favorite, Some(true));
        let tags: Vec<&str> = bank.tags.iter().map(|t| t.as_str()).collect();
        assert_eq!(tags, ["bank", "money", "2fa", "paper"]);
        let group = &a.collections[0];
        assert_eq!(group.title.as_str(), "Banking");
        assert_eq!(group.creation_at, Some(1_703_440_800));
        assert_eq!(group.modified_at, Some(1_709_208_000));
        assert_eq!(
            group.subtitle.as_ref().map(|s| s.as_str()),
            Some("Accounts at the bank")
        );
    }

    fn planted() -> Document {
        Document::parse(
            &fixture("planted/every-field.cxf.json"),
            &crate::Limits::default(),
        )
        .unwrap()
        .document
    }

    fn passkeys(doc: &Document) -> Vec<&Passkey> {
        doc.accounts
            .iter()
            .flat_map(|a| &a.items)
            .flat_map(|i| &i.credentials)
            .filter_map(|c| match c {
                Credential::Passkey(p) => Some(&**p),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn passkeys_round_trip_with_display_name_and_extensions() {
        let doc = planted();
        let (bytes, loss) = formats::write(F, &doc).unwrap();
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.contains(
            "<Key>passkey.hmacCredentials.credWithUV</Key><Value ProtectInMemory=\"True\">"
        ));
        assert!(text.contains("<Key>passkey.largeBlob.data</Key><Value ProtectInMemory=\"True\">"));
        let (back, _) = read_kp(&bytes);
        let want = passkeys(&doc);
        let got = passkeys(&back);
        assert!(!want.is_empty());
        assert_eq!(got.len(), want.len());
        for (w, g) in want.iter().zip(&got) {
            assert_eq!(w, g);
        }
        // The extension attributes became the passkey's, not custom fields.
        let item = back.accounts[0]
            .items
            .iter()
            .find(|i| {
                i.credentials
                    .iter()
                    .any(|c| matches!(c, Credential::Passkey(_)))
            })
            .unwrap();
        assert!(
            !item
                .credentials
                .iter()
                .any(|c| matches!(c, Credential::CustomFields(_)))
        );
        for e in loss.entries() {
            assert_ne!(e.reason, LossReason::NotReadBack, "{e:?}");
            assert!(!e.pointer.contains("fido2Extensions"), "{e:?}");
            assert!(!e.pointer.ends_with("/userDisplayName"), "{e:?}");
        }
        // Collection times travel in the groups' <Times>.
        let (c, b) = (
            &doc.accounts[0].collections[0],
            &back.accounts[0].collections[0],
        );
        assert_eq!(
            (b.creation_at, b.modified_at),
            (c.creation_at, c.modified_at)
        );
        let (c, b) = (&c.sub_collections[0], &b.sub_collections[0]);
        assert_eq!(
            (b.creation_at, b.modified_at),
            (c.creation_at, c.modified_at)
        );
    }

    #[test]
    fn tags_with_a_separator_are_reported_not_split() {
        let mut doc = planted();
        let item = &mut doc.accounts[0].items[0];
        item.tags = vec![
            Text::from("plain"),
            Text::from("a,b"),
            Text::from("c;d"),
            Text::from("favorite"),
        ]
        .into();
        item.favorite = None;
        let (bytes, loss) = formats::write(F, &doc).unwrap();
        let (back, _) = read_kp(&bytes);
        let title = doc.accounts[0].items[0].title.as_str();
        let got = back.accounts[0]
            .items
            .iter()
            .find(|i| i.title.as_str() == title)
            .unwrap();
        let tags: Vec<&str> = got.tags.iter().map(|t| t.as_str()).collect();
        assert_eq!(tags, ["plain"]);
        assert_eq!(got.favorite, None);
        let lost: Vec<&str> = loss
            .entries()
            .iter()
            .filter(|e| e.kind == LossKind::Lost && e.what == "tags")
            .map(|e| e.pointer.as_str())
            .collect();
        assert_eq!(
            lost,
            [
                "/accounts/0/items/0/tags/1",
                "/accounts/0/items/0/tags/2",
                "/accounts/0/items/0/tags/3"
            ]
        );
    }
}
