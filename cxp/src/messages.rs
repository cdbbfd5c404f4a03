//! CXP messages: [`ExportRequest`], [`ExportResponse`], [`ErrorResponse`] and
//! [`HpkeParameters`].
//!
//! # Readers and writer
//!
//! Readers are tolerant of every shape seen in the wild (see the implementer digest §1.4):
//!
//! | member | accepted | written |
//! |---|---|---|
//! | `version` | integer, or `{"major","minor"}` | as read ([`Version`] keeps the shape); new messages use `0` |
//! | importer id | `importer`, or `importerRpId` (+ `importerDisplayName`) | `importer` (+ `importerDisplayName` when present) |
//! | exporter id | `exporter`, or `exporterRpId` (+ `exporterDisplayName`) | `exporter` (+ `exporterDisplayName` when present) |
//! | `mode` | string or array of strings | a string when there is one mode, else the array |
//! | `credentialTypes` | strings; `driver-license` is read as `drivers-license` | CXF 1.0 names |
//! | `hpke` (request) | array, possibly empty or absent (Android shapes) | array |
//! | `hpke` (response) | object, or absent (unencrypted Android alpha shape) | object when present |
//! | error codes | kebab-case (`invalid-json`) or the enum name (`InvalidJson`) | kebab-case |
//!
//! The canonical writer emits the 2024-10-03 working-draft shape (`version`, `hpke`, `archive`,
//! `mode`, `importer`, `credentialTypes`, `knownExtensions`). Members we do not know are kept in
//! an `extra` map and written back unchanged, so a parse → write round trip loses nothing but
//! the older spellings listed above.
//!
//! JWK keys inside `hpke` are checked when their type is one we implement (`OKP`/`X25519`,
//! `EC`/`P-256`): exact lengths, on-curve points, and no private member `d` (in any JWK).
//! Other key types are kept as opaque JSON objects.
//!
//! Every reader checks the message size first ([`MAX_REQUEST_BYTES`], [`MAX_RESPONSE_BYTES`],
//! [`MAX_ERROR_BYTES`]), then counts and string lengths. Duplicate member names are refused
//! at every depth, so two readers cannot disagree about which one counts.

use std::collections::BTreeMap;
use std::fmt;

use cxf::envelope::{self, Kem, PublicKey, Suite};
use serde_json::{Map, Value};

/// Maximum size of an `ExportRequest` in bytes.
pub const MAX_REQUEST_BYTES: usize = 64 << 10;
/// Maximum size of an `ExportResponse` in bytes: the envelope payload limit plus room for the
/// other members.
pub const MAX_RESPONSE_BYTES: usize = envelope::MAX_PAYLOAD_CHARS + (64 << 10);
/// Maximum size of an `ErrorResponse` in bytes.
pub const MAX_ERROR_BYTES: usize = 4 << 10;
/// Maximum number of `hpke` entries in a request.
pub const MAX_HPKE_ENTRIES: usize = 16;
/// Maximum number of items in `archive`, `mode`, `credentialTypes` and `knownExtensions`.
pub const MAX_LIST_ITEMS: usize = 64;
/// Maximum length of a string member (RP ids, names, list items) in bytes.
pub const MAX_STRING_BYTES: usize = 1024;

/// Members we do not model, kept verbatim (sorted by name) for lossless round trips.
pub type Extra = BTreeMap<String, Value>;

/// What went wrong while reading a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageErrorKind {
    /// The message exceeds a size or count limit.
    Limit,
    /// Not JSON, or not a JSON object.
    Syntax,
    /// A required member is absent.
    MissingMember,
    /// A member has the wrong JSON type.
    WrongType,
    /// A member has a value outside its domain.
    InvalidValue,
    /// A key (JWK) is malformed, off the curve, or holds a private member.
    KeyEncoding,
    /// Two spellings of the same member disagree (e.g. `importer` and `importerRpId`).
    Conflict,
    /// An object has two members with the same name.
    DuplicateMember,
}

impl MessageErrorKind {
    /// Stable kebab-case code.
    pub const fn code(self) -> &'static str {
        match self {
            MessageErrorKind::Limit => "limit",
            MessageErrorKind::Syntax => "syntax",
            MessageErrorKind::MissingMember => "missing-member",
            MessageErrorKind::WrongType => "wrong-type",
            MessageErrorKind::InvalidValue => "invalid-value",
            MessageErrorKind::KeyEncoding => "key-encoding",
            MessageErrorKind::Conflict => "conflict",
            MessageErrorKind::DuplicateMember => "duplicate-member",
        }
    }
}

/// A message could not be read: what and where (an RFC 6901 JSON Pointer).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} at '{pointer}': {detail}", kind.code())]
pub struct MessageError {
    kind: MessageErrorKind,
    pointer: String,
    detail: &'static str,
}

impl MessageError {
    fn new(kind: MessageErrorKind, pointer: impl Into<String>, detail: &'static str) -> Self {
        MessageError {
            kind,
            pointer: pointer.into(),
            detail,
        }
    }

    /// The kind of problem.
    pub fn kind(&self) -> MessageErrorKind {
        self.kind
    }

    /// Where, as a JSON Pointer (`""` is the whole message).
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// The CXP error code an exporter should answer a bad request with.
    pub fn error_code(&self) -> ErrorCode {
        match self.kind {
            MessageErrorKind::KeyEncoding => ErrorCode::IncorrectImporterKeyEncoding,
            _ => ErrorCode::InvalidJson,
        }
    }
}

type Result<T> = std::result::Result<T, MessageError>;

fn ptr(base: &str, member: &str) -> String {
    let escaped = member.replace('~', "~0").replace('/', "~1");
    format!("{base}/{escaped}")
}

/// A JSON value read by a parser that refuses duplicate member names, so two readers can
/// never disagree about which of two `importer` (or `hpke`) members counts.
struct StrictValue(Value);

const DUPLICATE: &str = "duplicate member name";

impl<'de> serde::Deserialize<'de> for StrictValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = StrictValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue(v.into()))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue(v.into()))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue(v.into()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue(v.into()))
    }
    fn visit_unit<E>(self) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue(Value::Null))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<StrictValue, A::Error> {
        let mut out = Vec::new();
        while let Some(StrictValue(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(StrictValue(Value::Array(out)))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<StrictValue, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(DUPLICATE));
            }
            let StrictValue(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(StrictValue(Value::Object(out)))
    }
}

fn parse_value(bytes: &[u8]) -> Result<Value> {
    match serde_json::from_slice::<StrictValue>(bytes) {
        Ok(StrictValue(v)) => Ok(v),
        Err(e) if e.to_string().starts_with(DUPLICATE) => Err(MessageError::new(
            MessageErrorKind::DuplicateMember,
            "",
            DUPLICATE,
        )),
        Err(_) => Err(MessageError::new(MessageErrorKind::Syntax, "", "not JSON")),
    }
}

fn parse_object(bytes: &[u8], max: usize) -> Result<Map<String, Value>> {
    if bytes.len() > max {
        return Err(MessageError::new(
            MessageErrorKind::Limit,
            "",
            "message too large",
        ));
    }
    match parse_value(bytes)? {
        Value::Object(m) => Ok(m),
        _ => Err(MessageError::new(
            MessageErrorKind::Syntax,
            "",
            "not a JSON object",
        )),
    }
}

fn string(v: &Value, at: &str) -> Result<String> {
    match v {
        Value::String(s) if s.len() <= MAX_STRING_BYTES => Ok(s.clone()),
        Value::String(_) => Err(MessageError::new(
            MessageErrorKind::Limit,
            at,
            "string too long",
        )),
        _ => Err(MessageError::new(
            MessageErrorKind::WrongType,
            at,
            "expected a string",
        )),
    }
}

fn string_list(v: &Value, at: &str) -> Result<Vec<String>> {
    let items = v
        .as_array()
        .ok_or_else(|| MessageError::new(MessageErrorKind::WrongType, at, "expected an array"))?;
    if items.len() > MAX_LIST_ITEMS {
        return Err(MessageError::new(
            MessageErrorKind::Limit,
            at,
            "too many items",
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, s)| string(s, &format!("{at}/{i}")))
        .collect()
}

fn u16_id(v: &Value, at: &str) -> Result<u16> {
    let n = v
        .as_u64()
        .ok_or_else(|| MessageError::new(MessageErrorKind::WrongType, at, "expected an integer"))?;
    u16::try_from(n)
        .map_err(|_| MessageError::new(MessageErrorKind::InvalidValue, at, "id out of range"))
}

fn required(m: &mut Map<String, Value>, name: &str, base: &str) -> Result<Value> {
    m.remove(name).ok_or_else(|| {
        MessageError::new(
            MessageErrorKind::MissingMember,
            ptr(base, name),
            "required member",
        )
    })
}

fn into_extra(m: Map<String, Value>) -> Extra {
    m.into_iter().collect()
}

fn write_extra(m: &mut Map<String, Value>, extra: &Extra) {
    for (k, v) in extra {
        m.entry(k.clone()).or_insert_with(|| v.clone());
    }
}

/// The CXP `version` member, in the shape it was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// An integer (`0` in the working drafts).
    Integer(u64),
    /// `{"major": …, "minor": …}` (androidx / Bitwarden Android shapes).
    MajorMinor {
        /// Major version.
        major: u64,
        /// Minor version.
        minor: u64,
    },
}

impl Version {
    /// The working-draft version, `0`.
    pub const WD: Version = Version::Integer(0);

    /// The major version (the integer itself for the integer shape).
    pub fn major(self) -> u64 {
        match self {
            Version::Integer(n) => n,
            Version::MajorMinor { major, .. } => major,
        }
    }

    fn parse(v: &Value, at: &str) -> Result<Version> {
        match v {
            Value::Number(n) => n.as_u64().map(Version::Integer).ok_or_else(|| {
                MessageError::new(MessageErrorKind::InvalidValue, at, "version must be a u64")
            }),
            Value::Object(o) => {
                let part = |name: &str| -> Result<u64> {
                    match o.get(name) {
                        Some(v) => v.as_u64().ok_or_else(|| {
                            MessageError::new(
                                MessageErrorKind::WrongType,
                                ptr(at, name),
                                "expected an integer",
                            )
                        }),
                        None => Err(MessageError::new(
                            MessageErrorKind::MissingMember,
                            ptr(at, name),
                            "required member",
                        )),
                    }
                };
                Ok(Version::MajorMinor {
                    major: part("major")?,
                    minor: part("minor")?,
                })
            }
            _ => Err(MessageError::new(
                MessageErrorKind::WrongType,
                at,
                "expected a version",
            )),
        }
    }

    fn to_value(self) -> Value {
        match self {
            Version::Integer(n) => n.into(),
            Version::MajorMinor { major, minor } => {
                serde_json::json!({ "major": major, "minor": minor })
            }
        }
    }
}

/// HPKE mode names (RFC 9180 §5). Only `base` is ever used by this crate.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HpkeMode {
    /// `base` (0x00).
    Base,
    /// `psk` (0x01).
    Psk,
    /// `auth` (0x02).
    Auth,
    /// `auth-psk` (0x03).
    AuthPsk,
    /// Anything else, kept as written.
    Other(String),
}

impl HpkeMode {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            HpkeMode::Base => "base",
            HpkeMode::Psk => "psk",
            HpkeMode::Auth => "auth",
            HpkeMode::AuthPsk => "auth-psk",
            HpkeMode::Other(s) => s,
        }
    }

    fn from_wire(s: String) -> HpkeMode {
        match s.as_str() {
            "base" => HpkeMode::Base,
            "psk" => HpkeMode::Psk,
            "auth" => HpkeMode::Auth,
            "auth-psk" => HpkeMode::AuthPsk,
            _ => HpkeMode::Other(s),
        }
    }
}

/// A JWK inside `hpke.key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Jwk {
    /// A key type we implement, validated; other members (`kid`, `alg`, `use`, …) in `extra`.
    Public {
        /// The validated key.
        key: PublicKey,
        /// Members besides `kty`, `crv`, `x`, `y`.
        extra: Extra,
    },
    /// A key type we do not implement (`P-384`, `X448`, …), kept verbatim. Never holds `d`.
    Other(Map<String, Value>),
}

impl Jwk {
    /// A JWK for a validated public key.
    pub fn new(key: PublicKey) -> Jwk {
        Jwk::Public {
            key,
            extra: Extra::new(),
        }
    }

    /// The validated public key, if the key type is one we implement.
    pub fn public_key(&self) -> Option<&PublicKey> {
        match self {
            Jwk::Public { key, .. } => Some(key),
            Jwk::Other(_) => None,
        }
    }

    fn parse(v: &Value, at: &str) -> Result<Jwk> {
        let m = v
            .as_object()
            .ok_or_else(|| MessageError::new(MessageErrorKind::WrongType, at, "expected a JWK"))?;
        let key_err = |detail| MessageError::new(MessageErrorKind::KeyEncoding, at, detail);
        if m.contains_key("d") {
            return Err(key_err("JWK holds a private key member `d`"));
        }
        let known = matches!(
            (
                m.get("kty").and_then(Value::as_str),
                m.get("crv").and_then(Value::as_str)
            ),
            (Some("OKP"), Some("X25519")) | (Some("EC"), Some("P-256"))
        );
        if !known {
            if !m.get("kty").is_some_and(Value::is_string) {
                return Err(key_err("JWK lacks `kty`"));
            }
            return Ok(Jwk::Other(m.clone()));
        }
        let key = PublicKey::from_jwk(m).map_err(|e| match e {
            envelope::Error::InvalidKey(detail) => key_err(detail),
            _ => key_err("invalid key"),
        })?;
        let extra = m
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "kty" | "crv" | "x" | "y"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(Jwk::Public { key, extra })
    }

    fn to_value(&self) -> Value {
        match self {
            Jwk::Public { key, extra } => {
                let mut m = key.to_jwk();
                write_extra(&mut m, extra);
                Value::Object(m)
            }
            Jwk::Other(m) => Value::Object(m.clone()),
        }
    }
}

/// `HPKEParameters`: a suite (and, in a request, the importer's key for it; in a response,
/// the exporter's `enc`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HpkeParameters {
    /// `mode`.
    pub mode: HpkeMode,
    /// `kem`, IANA id.
    pub kem: u16,
    /// `kdf`, IANA id.
    pub kdf: u16,
    /// `aead`, IANA id.
    pub aead: u16,
    /// `key`, a JWK.
    pub key: Option<Jwk>,
    /// Unknown members.
    pub extra: Extra,
}

impl HpkeParameters {
    /// Base-mode parameters for a supported suite and key.
    pub fn new(suite: Suite, key: PublicKey) -> HpkeParameters {
        let (kem, kdf, aead) = suite.ids();
        HpkeParameters {
            mode: HpkeMode::Base,
            kem,
            kdf,
            aead,
            key: Some(Jwk::new(key)),
            extra: Extra::new(),
        }
    }

    /// The suite, if the mode is `base` and the ids are ones this crate implements.
    pub fn suite(&self) -> Option<Suite> {
        match self.mode {
            HpkeMode::Base => Suite::from_ids(self.kem, self.kdf, self.aead),
            _ => None,
        }
    }

    /// Same mode and ids (the key is ignored, as when matching a response to an offer).
    pub fn same_suite(&self, other: &HpkeParameters) -> bool {
        self.mode == other.mode
            && self.kem == other.kem
            && self.kdf == other.kdf
            && self.aead == other.aead
    }

    /// The validated public key, when present and of the suite's KEM.
    pub fn public_key(&self) -> Option<&PublicKey> {
        let key = self.key.as_ref()?.public_key()?;
        (Kem::from_id(self.kem) == Some(key.kem())).then_some(key)
    }

    fn parse(v: &Value, at: &str) -> Result<HpkeParameters> {
        let mut m = v
            .as_object()
            .ok_or_else(|| {
                MessageError::new(MessageErrorKind::WrongType, at, "expected an object")
            })?
            .clone();
        let mode = HpkeMode::from_wire(string(&required(&mut m, "mode", at)?, &ptr(at, "mode"))?);
        let kem = u16_id(&required(&mut m, "kem", at)?, &ptr(at, "kem"))?;
        let kdf = u16_id(&required(&mut m, "kdf", at)?, &ptr(at, "kdf"))?;
        let aead = u16_id(&required(&mut m, "aead", at)?, &ptr(at, "aead"))?;
        let key = match m.remove("key") {
            None | Some(Value::Null) => None,
            Some(k) => Some(Jwk::parse(&k, &ptr(at, "key"))?),
        };
        if let Some(Jwk::Public { key, .. }) = &key {
            if Kem::from_id(kem).is_some_and(|k| k != key.kem()) {
                return Err(MessageError::new(
                    MessageErrorKind::KeyEncoding,
                    ptr(at, "key"),
                    "key type does not match the KEM",
                ));
            }
        }
        Ok(HpkeParameters {
            mode,
            kem,
            kdf,
            aead,
            key,
            extra: into_extra(m),
        })
    }

    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("mode".into(), self.mode.as_str().into());
        m.insert("kem".into(), self.kem.into());
        m.insert("kdf".into(), self.kdf.into());
        m.insert("aead".into(), self.aead.into());
        if let Some(k) = &self.key {
            m.insert("key".into(), k.to_value());
        }
        write_extra(&mut m, &self.extra);
        Value::Object(m)
    }
}

/// CXP response modes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseMode {
    /// `direct`: the response returns over the request's transport.
    Direct,
    /// `indirect`: request and response are files.
    Indirect,
    /// `self`: exporter and importer are the same provider.
    SelfExport,
    /// Anything else, kept as written.
    Other(String),
}

impl ResponseMode {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            ResponseMode::Direct => "direct",
            ResponseMode::Indirect => "indirect",
            ResponseMode::SelfExport => "self",
            ResponseMode::Other(s) => s,
        }
    }

    fn from_wire(s: String) -> ResponseMode {
        match s.as_str() {
            "direct" => ResponseMode::Direct,
            "indirect" => ResponseMode::Indirect,
            "self" => ResponseMode::SelfExport,
            _ => ResponseMode::Other(s),
        }
    }
}

/// A party's self-asserted identity: RP id and optional display name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    /// RP id (`importer` / `importerRpId`, `exporter` / `exporterRpId`). Display only: nothing
    /// authenticates it.
    pub rp_id: String,
    /// Display name (`importerDisplayName` / `exporterDisplayName`), not in the working draft.
    pub display_name: Option<String>,
}

impl Party {
    /// A party with an RP id only.
    pub fn new(rp_id: impl Into<String>) -> Party {
        Party {
            rp_id: rp_id.into(),
            display_name: None,
        }
    }

    fn parse(m: &mut Map<String, Value>, role: &str) -> Result<Party> {
        let short = m.remove(role);
        let rp_name = format!("{role}RpId");
        let long = m.remove(&rp_name);
        let rp_id = match (short, long) {
            (Some(a), Some(b)) => {
                let (a, b) = (string(&a, &ptr("", role))?, string(&b, &ptr("", &rp_name))?);
                if a != b {
                    return Err(MessageError::new(
                        MessageErrorKind::Conflict,
                        ptr("", &rp_name),
                        "differs from the short member",
                    ));
                }
                a
            }
            (Some(a), None) => string(&a, &ptr("", role))?,
            (None, Some(b)) => string(&b, &ptr("", &rp_name))?,
            (None, None) => {
                return Err(MessageError::new(
                    MessageErrorKind::MissingMember,
                    ptr("", role),
                    "required member",
                ));
            }
        };
        let dn_name = format!("{role}DisplayName");
        let display_name = match m.remove(&dn_name) {
            None | Some(Value::Null) => None,
            Some(v) => Some(string(&v, &ptr("", &dn_name))?),
        };
        Ok(Party {
            rp_id,
            display_name,
        })
    }

    fn write(&self, m: &mut Map<String, Value>, role: &str) {
        m.insert(role.into(), self.rp_id.clone().into());
        if let Some(dn) = &self.display_name {
            m.insert(format!("{role}DisplayName"), dn.clone().into());
        }
    }
}

/// Reads a CXF credential type name, mapping the `driver-license` alias to `drivers-license`.
fn credential_type(s: String) -> String {
    if s == "driver-license" {
        "drivers-license".to_owned()
    } else {
        s
    }
}

/// `ExportRequest`, importer → exporter.
#[derive(Clone, Debug)]
pub struct ExportRequest {
    /// `version`.
    pub version: Version,
    /// `hpke`: offered suites in preference order, each with the importer's public key.
    pub hpke: Vec<HpkeParameters>,
    /// `archive`: accepted archive algorithms (`deflate`).
    pub archive: Option<Vec<String>>,
    /// `mode`: requested response modes.
    pub mode: Option<Vec<ResponseMode>>,
    /// `importer` (+ display name).
    pub importer: Party,
    /// `credentialTypes`, CXF 1.0 names.
    pub credential_types: Option<Vec<String>>,
    /// `knownExtensions`.
    pub known_extensions: Option<Vec<String>>,
    /// Unknown members.
    pub extra: Extra,
    raw: Option<Vec<u8>>,
}

impl PartialEq for ExportRequest {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
            && self.hpke == other.hpke
            && self.archive == other.archive
            && self.mode == other.mode
            && self.importer == other.importer
            && self.credential_types == other.credential_types
            && self.known_extensions == other.known_extensions
            && self.extra == other.extra
    }
}

impl Eq for ExportRequest {}

impl ExportRequest {
    /// A working-draft request: version 0, `archive: ["deflate"]`, no mode or type filters.
    pub fn new(importer: Party, hpke: Vec<HpkeParameters>) -> ExportRequest {
        ExportRequest {
            version: Version::WD,
            hpke,
            archive: Some(vec!["deflate".to_owned()]),
            mode: None,
            importer,
            credential_types: None,
            known_extensions: None,
            extra: Extra::new(),
            raw: None,
        }
    }

    /// Reads a request (any known shape), keeping a copy of `bytes` for
    /// [`binding_bytes`](Self::binding_bytes).
    pub fn from_json(bytes: &[u8]) -> Result<ExportRequest> {
        let mut m = parse_object(bytes, MAX_REQUEST_BYTES)?;
        let version = Version::parse(&required(&mut m, "version", "")?, "/version")?;
        let hpke = match m.remove("hpke") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                if items.len() > MAX_HPKE_ENTRIES {
                    return Err(MessageError::new(
                        MessageErrorKind::Limit,
                        "/hpke",
                        "too many entries",
                    ));
                }
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| HpkeParameters::parse(v, &format!("/hpke/{i}")))
                    .collect::<Result<_>>()?
            }
            Some(_) => {
                return Err(MessageError::new(
                    MessageErrorKind::WrongType,
                    "/hpke",
                    "expected an array",
                ));
            }
        };
        let archive = m
            .remove("archive")
            .map(|v| string_list(&v, "/archive"))
            .transpose()?;
        let mode = match m.remove("mode") {
            None | Some(Value::Null) => None,
            Some(v @ Value::String(_)) => Some(vec![ResponseMode::from_wire(string(&v, "/mode")?)]),
            Some(v) => Some(
                string_list(&v, "/mode")?
                    .into_iter()
                    .map(ResponseMode::from_wire)
                    .collect(),
            ),
        };
        let importer = Party::parse(&mut m, "importer")?;
        let credential_types = m
            .remove("credentialTypes")
            .map(|v| string_list(&v, "/credentialTypes"))
            .transpose()?
            .map(|v| v.into_iter().map(credential_type).collect());
        let known_extensions = m
            .remove("knownExtensions")
            .map(|v| string_list(&v, "/knownExtensions"))
            .transpose()?;
        Ok(ExportRequest {
            version,
            hpke,
            archive,
            mode,
            importer,
            credential_types,
            known_extensions,
            extra: into_extra(m),
            // Surrounding whitespace (an editor's final newline) is not part of the binding.
            raw: Some(bytes.trim_ascii().to_vec()),
        })
    }

    /// Canonical compact JSON (working-draft shape).
    pub fn to_json_vec(&self) -> Vec<u8> {
        let mut m = Map::new();
        m.insert("version".into(), self.version.to_value());
        m.insert(
            "hpke".into(),
            self.hpke.iter().map(HpkeParameters::to_value).collect(),
        );
        if let Some(a) = &self.archive {
            m.insert("archive".into(), a.clone().into());
        }
        if let Some(modes) = &self.mode {
            let v: Value = match modes.as_slice() {
                [one] => one.as_str().into(),
                many => many.iter().map(|x| Value::from(x.as_str())).collect(),
            };
            m.insert("mode".into(), v);
        }
        self.importer.write(&mut m, "importer");
        if let Some(c) = &self.credential_types {
            m.insert("credentialTypes".into(), c.clone().into());
        }
        if let Some(k) = &self.known_extensions {
            m.insert("knownExtensions".into(), k.clone().into());
        }
        write_extra(&mut m, &self.extra);
        Value::Object(m).to_string().into_bytes()
    }

    /// Fixes the bytes this request will be sent as (its canonical serialization), so that
    /// [`binding_bytes`](Self::binding_bytes) stays the same whatever happens to the value.
    pub(crate) fn freeze(&mut self) {
        self.raw = Some(self.to_json_vec());
    }

    /// The exact bytes a binding envelope profile authenticates: the bytes this request was
    /// read from (without surrounding whitespace), or its canonical serialization if it was
    /// built in memory.
    pub fn binding_bytes(&self) -> std::borrow::Cow<'_, [u8]> {
        match &self.raw {
            Some(raw) => std::borrow::Cow::Borrowed(raw),
            None => std::borrow::Cow::Owned(self.to_json_vec()),
        }
    }
}

/// `ExportResponse`, exporter → importer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportResponse {
    /// `version`.
    pub version: Version,
    /// `hpke`: the suite the exporter chose, with `enc` as `key`. Absent in the unencrypted
    /// Android alpha shape, which [`crate::roles`] refuses to open.
    pub hpke: Option<HpkeParameters>,
    /// `archive`: the archive algorithm used (`deflate`).
    pub archive: Option<String>,
    /// `exporter` (+ display name). Self-asserted.
    pub exporter: Party,
    /// `payload`: base64url.
    pub payload: String,
    /// Unknown members.
    pub extra: Extra,
}

impl ExportResponse {
    /// Reads a response (any known shape).
    pub fn from_json(bytes: &[u8]) -> Result<ExportResponse> {
        ExportResponse::from_object(parse_object(bytes, MAX_RESPONSE_BYTES)?)
    }

    /// Reads a response from its parsed top-level object (the `payload` string is moved, not
    /// copied).
    fn from_object(mut m: Map<String, Value>) -> Result<ExportResponse> {
        let version = Version::parse(&required(&mut m, "version", "")?, "/version")?;
        let hpke = match m.remove("hpke") {
            None | Some(Value::Null) => None,
            Some(v) => Some(HpkeParameters::parse(&v, "/hpke")?),
        };
        let archive = match m.remove("archive") {
            None | Some(Value::Null) => None,
            Some(v) => Some(string(&v, "/archive")?),
        };
        let exporter = Party::parse(&mut m, "exporter")?;
        let payload = match required(&mut m, "payload", "")? {
            Value::String(s) => s,
            _ => {
                return Err(MessageError::new(
                    MessageErrorKind::WrongType,
                    "/payload",
                    "expected a string",
                ));
            }
        };
        Ok(ExportResponse {
            version,
            hpke,
            archive,
            exporter,
            payload,
            extra: into_extra(m),
        })
    }

    /// Canonical compact JSON (working-draft shape).
    pub fn to_json_vec(&self) -> Vec<u8> {
        let mut m = Map::new();
        m.insert("version".into(), self.version.to_value());
        if let Some(h) = &self.hpke {
            m.insert("hpke".into(), h.to_value());
        }
        if let Some(a) = &self.archive {
            m.insert("archive".into(), a.clone().into());
        }
        self.exporter.write(&mut m, "exporter");
        m.insert("payload".into(), self.payload.clone().into());
        write_extra(&mut m, &self.extra);
        Value::Object(m).to_string().into_bytes()
    }
}

/// CXP error codes. Serialised as kebab-case strings (the wire strings are UNCONFIRMED
/// against the working draft; they follow the only implementation that has any).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `user-canceled`: the user refused.
    UserCanceled,
    /// `incompatible-hpke-parameters`: no offered suite is supported.
    IncompatibleHpkeParameters,
    /// `missing-importer-key`: the chosen suite needs a key and none was given.
    MissingImporterKey,
    /// `incorrect-importer-key-encoding`: the key is invalid for its suite.
    IncorrectImporterKeyEncoding,
    /// `unsupported-version`.
    UnsupportedVersion,
    /// `invalid-json`: the request could not be read.
    InvalidJson,
    /// `forbidden-action`: policy refusal.
    ForbiddenAction,
    /// Any other code, kept as written.
    Other(String),
}

impl ErrorCode {
    const KNOWN: [(ErrorCode, &'static str, &'static str); 7] = [
        (ErrorCode::UserCanceled, "user-canceled", "UserCanceled"),
        (
            ErrorCode::IncompatibleHpkeParameters,
            "incompatible-hpke-parameters",
            "IncompatibleHpkeParameters",
        ),
        (
            ErrorCode::MissingImporterKey,
            "missing-importer-key",
            "MissingImporterKey",
        ),
        (
            ErrorCode::IncorrectImporterKeyEncoding,
            "incorrect-importer-key-encoding",
            "IncorrectImporterKeyEncoding",
        ),
        (
            ErrorCode::UnsupportedVersion,
            "unsupported-version",
            "UnsupportedVersion",
        ),
        (ErrorCode::InvalidJson, "invalid-json", "InvalidJson"),
        (
            ErrorCode::ForbiddenAction,
            "forbidden-action",
            "ForbiddenAction",
        ),
    ];

    /// The kebab-case wire string.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::Other(s) => s,
            known => ErrorCode::KNOWN
                .iter()
                .find(|(c, _, _)| c == known)
                .map_or("", |(_, kebab, _)| kebab),
        }
    }

    /// Reads a code: kebab-case or the enum-style name; anything else is [`ErrorCode::Other`].
    pub fn from_wire(s: &str) -> ErrorCode {
        ErrorCode::KNOWN
            .iter()
            .find(|(_, kebab, pascal)| *kebab == s || *pascal == s)
            .map_or_else(|| ErrorCode::Other(s.to_owned()), |(c, _, _)| c.clone())
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `ErrorResponse`: `{"version": …, "error": …}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorResponse {
    /// `version`.
    pub version: Version,
    /// `error`.
    pub error: ErrorCode,
    /// Unknown members.
    pub extra: Extra,
}

impl ErrorResponse {
    /// A working-draft error response.
    pub fn new(error: ErrorCode) -> ErrorResponse {
        ErrorResponse {
            version: Version::WD,
            error,
            extra: Extra::new(),
        }
    }

    /// Reads an error response.
    pub fn from_json(bytes: &[u8]) -> Result<ErrorResponse> {
        let mut m = parse_object(bytes, MAX_ERROR_BYTES)?;
        let version = Version::parse(&required(&mut m, "version", "")?, "/version")?;
        let error = ErrorCode::from_wire(&string(&required(&mut m, "error", "")?, "/error")?);
        Ok(ErrorResponse {
            version,
            error,
            extra: into_extra(m),
        })
    }

    /// Canonical compact JSON.
    pub fn to_json_vec(&self) -> Vec<u8> {
        let mut m = Map::new();
        m.insert("version".into(), self.version.to_value());
        m.insert("error".into(), self.error.as_str().into());
        write_extra(&mut m, &self.extra);
        Value::Object(m).to_string().into_bytes()
    }
}

/// Any CXP message, told apart by its members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// An `ExportRequest`.
    Request(ExportRequest),
    /// An `ExportResponse`.
    Response(ExportResponse),
    /// An `ErrorResponse`.
    Error(ErrorResponse),
}

impl Message {
    /// Reads any message: one with `error` is an error response, one with `payload` a response,
    /// anything else a request.
    pub fn from_json(bytes: &[u8]) -> Result<Message> {
        if bytes.len() > MAX_RESPONSE_BYTES {
            return Err(MessageError::new(
                MessageErrorKind::Limit,
                "",
                "message too large",
            ));
        }
        let probe = parse_value(bytes)?;
        let o = match probe {
            Value::Object(o) => o,
            _ => {
                return Err(MessageError::new(
                    MessageErrorKind::Syntax,
                    "",
                    "not a JSON object",
                ));
            }
        };
        if o.contains_key("error") {
            drop(o);
            ErrorResponse::from_json(bytes).map(Message::Error)
        } else if o.contains_key("payload") {
            // Read from the object already parsed: a large payload is not parsed twice.
            ExportResponse::from_object(o).map(Message::Response)
        } else {
            drop(o);
            ExportRequest::from_json(bytes).map(Message::Request)
        }
    }
}

#[cfg(test)]
mod tests;
