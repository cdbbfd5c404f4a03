//! The importer and exporter roles as consuming typestates.
//!
//! ```text
//! Importer::new(config) ──▶ (PendingImport, ExportRequest) ──request──▶ Exporter::respond
//!                              │                                              │
//!                              └── PendingImport::open(self, &ExportResponse) ◀┘
//! ```
//!
//! * [`Importer::new`] generates a fresh key pair per offered suite for every request. The keys
//!   live only in the [`PendingImport`], which is not `Clone`, zeroizes its keys on drop, and is
//!   consumed by [`PendingImport::open`]: one response per request. A response made for another
//!   request (another `PendingImport`) does not open. Keys older than
//!   [`DEFAULT_MAX_AGE_SECS`] (or [`PendingImport::with_max_age`]) are not used.
//! * [`Exporter::respond_document`] leaves out credential types the request does not accept.
//! * [`Exporter::respond`] picks the first suite in the importer's order that this crate
//!   supports, checks its key, and seals the CXF bytes with the exporter's
//!   [`Profile`] (default [`Profile::ToolkitV1`], bound to the exact request bytes).
//! * [`PendingImport::reencrypt`] opens a response and seals it to another request without the
//!   plaintext reaching the caller.
//!
//! ```
//! use cxp::roles::{Exporter, Importer, ImporterConfig};
//!
//! let (pending, request) = Importer::new(ImporterConfig::new("importer.example"));
//! let wire = request.binding_bytes().into_owned(); // send exactly these bytes
//!
//! // exporter side
//! let request = cxp::messages::ExportRequest::from_json(&wire)?;
//! let response = Exporter::new("exporter.example")
//!     .respond(&request, br#"{"version":{"major":1,"minor":0}}"#)
//!     .expect("request is acceptable");
//!
//! // importer side
//! let plaintext = pending.open(&response)?;
//! assert_eq!(&plaintext[..], br#"{"version":{"major":1,"minor":0}}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A `PendingImport` is single use; this does not compile:
//!
//! ```compile_fail
//! # use cxp::roles::{Exporter, Importer, ImporterConfig};
//! let (pending, request) = Importer::new(ImporterConfig::new("importer.example"));
//! let response = Exporter::new("e").respond(&request, b"{}").unwrap();
//! let _ = pending.open(&response);
//! let _ = pending.open(&response); // use of moved value
//! ```
//!
//! # Security considerations
//!
//! HPKE base mode authenticates no one: a response opens if it was sealed to the importer's
//! public key, whoever sealed it. The exporter's RP id in the response is self-asserted. The
//! binding profile ties a response to the exact request bytes (so a tampered request, e.g. with
//! suites removed, yields a response that does not open), not to an exporter identity.
//!
//! That protection holds only when unbound responses are refused: by default a
//! [`PendingImport`] also opens [`Profile::Bitwarden2024`] responses, which bind nothing.
//! [`PendingImport::require_binding`] refuses them ([`ImportError::UnboundProfile`]). See the
//! `cxf::envelope` documentation for what binding does and does not protect against.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE_NO_PAD, URL_SAFE_NO_PAD_INDIFFERENT};
use cxf::envelope::{
    self, Binding, Limits, OpenOptions, PrivateKey, Profile, PublicKey, Recipient, Sealed, Suite,
};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::messages::{
    ErrorCode, ErrorResponse, ExportRequest, ExportResponse, HpkeParameters, Jwk, Party,
    ResponseMode, Version,
};

/// What an importer asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImporterConfig {
    /// The importer's identity (RP id, optional display name).
    pub importer: Party,
    /// Suites to offer, in preference order. Default [`Suite::OFFERED`].
    pub suites: Vec<Suite>,
    /// Requested response mode. Default `indirect` (file-based transfer).
    pub mode: Option<ResponseMode>,
    /// CXF credential types accepted (`None`: all).
    pub credential_types: Option<Vec<String>>,
    /// CXF extensions understood.
    pub known_extensions: Option<Vec<String>>,
}

impl ImporterConfig {
    /// Defaults for an importer with this RP id.
    pub fn new(rp_id: impl Into<String>) -> ImporterConfig {
        ImporterConfig {
            importer: Party::new(rp_id),
            suites: Suite::OFFERED.to_vec(),
            mode: Some(ResponseMode::Indirect),
            credential_types: None,
            known_extensions: None,
        }
    }
}

/// The importer role. Start here: [`Importer::new`].
#[derive(Debug)]
pub struct Importer {
    _private: (),
}

impl Importer {
    /// Generates one fresh key pair per offered suite and builds the request. Send exactly
    /// [`ExportRequest::binding_bytes`]; keep the [`PendingImport`] to open the response.
    // `Importer` is the typestate's entry point, not a value: `new` starts the protocol.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(config: ImporterConfig) -> (PendingImport, ExportRequest) {
        let mut keys = Vec::with_capacity(config.suites.len());
        let mut hpke = Vec::with_capacity(config.suites.len());
        for suite in config.suites {
            let key = PrivateKey::generate(suite.kem());
            hpke.push(HpkeParameters::new(suite, key.public_key().clone()));
            keys.push((suite, key));
        }
        let mut request = ExportRequest::new(config.importer, hpke);
        request.mode = config.mode.map(|m| vec![m]);
        request.credential_types = config.credential_types;
        request.known_extensions = config.known_extensions;
        request.freeze();
        let pending = PendingImport {
            keys,
            importer: request.importer.rp_id.clone(),
            request: request.binding_bytes().into_owned(),
            version: request.version,
            created: now(),
            max_age: DEFAULT_MAX_AGE_SECS,
            require_bound: false,
        };
        (pending, request)
    }
}

/// Why an import failed. Everything past decapsulation is [`ImportError::DecryptionFailed`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The response has no `hpke` member: an unencrypted payload, which is refused.
    #[error("the response is not encrypted; refusing it")]
    Unencrypted,
    /// The response uses a suite this request did not offer (possible downgrade).
    #[error("the response uses an HPKE suite that was not offered")]
    SuiteNotOffered,
    /// The response's CXP version differs from the request's.
    #[error("the response has another CXP version than the request")]
    VersionMismatch,
    /// The response is structurally unusable (no or bad `enc` key, bad payload encoding).
    #[error("malformed response: {0}")]
    MalformedResponse(&'static str),
    /// The payload exceeds the size limits.
    #[error("the response payload exceeds the size limit")]
    TooLarge,
    /// Decryption failed. Deliberately opaque.
    #[error("decryption failed")]
    DecryptionFailed,
    /// The pending import is older than its maximum age: its keys are no longer used.
    #[error("the importer key has expired; make a new request")]
    Expired,
    /// A key file could not be read.
    #[error("invalid importer key file: {0}")]
    InvalidKeyFile(&'static str),
    /// The response opened only under a packaging profile that does not bind the request, and
    /// the import requires one ([`PendingImport::require_binding`]). Nothing is returned.
    #[error(
        "the response uses a packaging profile that does not bind the request (e.g. bitwarden-2024); refused"
    )]
    UnboundProfile,
}

impl From<envelope::Error> for ImportError {
    fn from(e: envelope::Error) -> Self {
        match e {
            envelope::Error::TooLarge => ImportError::TooLarge,
            envelope::Error::MalformedPayload(d) => ImportError::MalformedResponse(d),
            envelope::Error::UnboundProfile => ImportError::UnboundProfile,
            _ => ImportError::DecryptionFailed,
        }
    }
}

/// An importer waiting for its one response. Holds the private keys (zeroized on drop).
pub struct PendingImport {
    keys: Vec<(Suite, PrivateKey)>,
    importer: String,
    request: Vec<u8>,
    version: Version,
    /// When the keys were made, UNIX seconds.
    created: u64,
    max_age: u64,
    /// Refuse responses whose profile does not bind the request.
    require_bound: bool,
}

/// How long a pending import accepts a response by default: 7 days (a file-based transfer may
/// wait for the user to carry the request and response).
pub const DEFAULT_MAX_AGE_SECS: u64 = 7 * 24 * 3600;
/// Tolerated clock skew for a key file's creation time in the future.
const CLOCK_SKEW_SECS: u64 = 300;

/// Seconds since the Unix epoch: `SystemTime` natively, `Date.now()` in the browser build
/// (where `SystemTime::now()` panics).
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Seconds since the Unix epoch: `SystemTime` natively, `Date.now()` in the browser build
/// (where `SystemTime::now()` panics).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn now() -> u64 {
    // Milliseconds as an f64; `as` saturates (negative and NaN become 0).
    (js_sys::Date::now() / 1000.0) as u64
}

impl fmt::Debug for PendingImport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingImport")
            .field("importer", &self.importer)
            .field(
                "suites",
                &self.keys.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            )
            .field("keys", &"<redacted>")
            .finish()
    }
}

/// Key-file format tag.
const KEY_FILE_FORMAT: &str = "cxf-toolkit/importer-key/v1";
/// Maximum size of a key file.
pub const MAX_KEY_FILE_BYTES: usize = 128 << 10;

impl PendingImport {
    /// The same pending import with another maximum age (seconds from its creation).
    pub fn with_max_age(mut self, secs: u64) -> PendingImport {
        self.max_age = secs;
        self
    }

    /// The same pending import, accepting only responses whose packaging profile binds the
    /// request ([`Profile::binds_request`]); an unbound one (e.g. [`Profile::Bitwarden2024`])
    /// is refused with [`ImportError::UnboundProfile`]. Without this, every profile opens.
    pub fn require_binding(mut self) -> PendingImport {
        self.require_bound = true;
        self
    }

    /// When the keys were made (UNIX seconds).
    pub fn created(&self) -> u64 {
        self.created
    }

    /// The exact request bytes this import is bound to.
    pub fn request_bytes(&self) -> &[u8] {
        &self.request
    }

    /// Checks the response against the request, decrypts it with the stored key for its
    /// suite (never a key from the response), and consumes the pending import.
    pub fn open(self, response: &ExportResponse) -> Result<Zeroizing<Vec<u8>>, ImportError> {
        self.open_with_limits(response, &Limits::default())
    }

    /// [`open`](Self::open) with explicit envelope limits.
    pub fn open_with_limits(
        self,
        response: &ExportResponse,
        limits: &Limits,
    ) -> Result<Zeroizing<Vec<u8>>, ImportError> {
        let (suite, enc, key) = self.match_response(response)?;
        let sealed = Sealed {
            suite,
            enc,
            payload: response.payload.clone(),
        };
        let (plaintext, _profile) =
            envelope::open_detect_owned(sealed, key, &self.binding(), limits, &self.options())?;
        Ok(plaintext)
    }

    /// [`open`](Self::open) taking the response by value, for large exports: its `payload` is
    /// decoded and decrypted in its own allocation and dropped as soon as it has opened, so
    /// peak memory stays near the compressed and inflated plaintext (no copy of the payload).
    pub fn open_owned(self, response: ExportResponse) -> Result<Zeroizing<Vec<u8>>, ImportError> {
        let (suite, enc, key) = self.match_response(&response)?;
        let sealed = Sealed {
            suite,
            enc,
            payload: response.payload,
        };
        let (plaintext, _profile) = envelope::open_detect_owned(
            sealed,
            key,
            &self.binding(),
            &Limits::default(),
            &self.options(),
        )?;
        Ok(plaintext)
    }

    /// [`open_document`](Self::open_document) taking the response by value (see
    /// [`open_owned`](Self::open_owned)); the plaintext is dropped once parsed.
    pub fn open_document_owned(
        self,
        response: ExportResponse,
        cxf_limits: &cxf::Limits,
    ) -> Result<cxf::Parsed, ImportError> {
        let plaintext = self.open_owned(response)?;
        cxf::Document::parse(&plaintext, cxf_limits).map_err(|_| ImportError::DecryptionFailed)
    }

    fn binding(&self) -> Binding<'_> {
        Binding {
            importer: &self.importer,
            request: &self.request,
        }
    }

    fn options(&self) -> OpenOptions {
        if self.require_bound {
            OpenOptions::require_bound()
        } else {
            OpenOptions::default()
        }
    }

    /// [`open`](Self::open), then parses the plaintext as CXF. A plaintext that is not
    /// readable CXF is [`ImportError::DecryptionFailed`], like any failure past decapsulation.
    pub fn open_document(
        self,
        response: &ExportResponse,
        cxf_limits: &cxf::Limits,
    ) -> Result<cxf::Parsed, ImportError> {
        let plaintext = self.open(response)?;
        cxf::Document::parse(&plaintext, cxf_limits).map_err(|_| ImportError::DecryptionFailed)
    }

    /// Checks the response against this import: the suite, the `enc` key and our key for it.
    fn match_response(
        &self,
        response: &ExportResponse,
    ) -> Result<(Suite, PublicKey, &PrivateKey), ImportError> {
        let now = now();
        if now.saturating_add(CLOCK_SKEW_SECS) < self.created
            || now.saturating_sub(self.created) > self.max_age
        {
            return Err(ImportError::Expired);
        }
        let hpke = response.hpke.as_ref().ok_or(ImportError::Unencrypted)?;
        if response.version != self.version && response.version.major() != self.version.major() {
            return Err(ImportError::VersionMismatch);
        }
        let suite = hpke.suite().ok_or(ImportError::SuiteNotOffered)?;
        let key = self
            .keys
            .iter()
            .find(|(s, _)| *s == suite)
            .map(|(_, k)| k)
            .ok_or(ImportError::SuiteNotOffered)?;
        let enc = hpke
            .public_key()
            .cloned()
            .ok_or(ImportError::MalformedResponse(
                "response lacks a valid `hpke.key`",
            ))?;
        Ok((suite, enc, key))
    }

    /// Opens `response` and seals its plaintext to `other_request` as `exporter` would, without
    /// the plaintext reaching the caller. Consumes the pending import.
    pub fn reencrypt(
        self,
        response: &ExportResponse,
        other_request: &ExportRequest,
        exporter: &Exporter,
    ) -> Result<ExportResponse, ReencryptError> {
        let plaintext = self.open_with_limits(response, &exporter.limits)?;
        exporter
            .respond(other_request, &plaintext)
            .map_err(ReencryptError::Refused)
    }

    /// Serialises the pending import (keys, importer id, request bytes) for a key file. The
    /// result is secret: write it with mode 0600.
    pub fn to_key_file(&self) -> Zeroizing<Vec<u8>> {
        // Built by hand so the private JWKs are never copied into non-zeroizing JSON values.
        let importer = Value::from(self.importer.as_str()).to_string();
        let request = URL_SAFE_NO_PAD.encode(&self.request);
        let jwks: Vec<Zeroizing<String>> =
            self.keys.iter().map(|(_, k)| k.to_private_jwk()).collect();
        let cap =
            256 + importer.len() + request.len() + jwks.iter().map(|j| j.len() + 64).sum::<usize>();
        let mut out = Zeroizing::new(String::with_capacity(cap));
        out.push_str("{\"format\":\"");
        out.push_str(KEY_FILE_FORMAT);
        out.push_str(&format!("\",\"created\":{},\"importer\":", self.created));
        out.push_str(&importer);
        out.push_str(",\"request\":\"");
        out.push_str(&request);
        out.push_str("\",\"keys\":[");
        for (i, ((suite, _), jwk)) in self.keys.iter().zip(&jwks).enumerate() {
            let (kem, kdf, aead) = suite.ids();
            if i > 0 {
                out.push(',');
            }
            out.push_str(&format!(
                "{{\"kem\":{kem},\"kdf\":{kdf},\"aead\":{aead},\"jwk\":"
            ));
            out.push_str(jwk);
            out.push('}');
        }
        out.push_str("]}\n");
        Zeroizing::new(std::mem::take(&mut *out).into_bytes())
    }

    /// Reads a key file written by [`to_key_file`](Self::to_key_file).
    ///
    /// The JSON parser's own copies of the private scalars are not zeroized (a residual risk
    /// of using `serde_json`); the keys themselves are.
    pub fn from_key_file(bytes: &[u8]) -> Result<PendingImport, ImportError> {
        let bad = ImportError::InvalidKeyFile;
        if bytes.len() > MAX_KEY_FILE_BYTES {
            return Err(bad("too large"));
        }
        let v: Value = serde_json::from_slice(bytes).map_err(|_| bad("not JSON"))?;
        if v.get("format").and_then(Value::as_str) != Some(KEY_FILE_FORMAT) {
            return Err(bad("unknown format"));
        }
        let importer = v
            .get("importer")
            .and_then(Value::as_str)
            .ok_or(bad("no importer"))?;
        let created = v
            .get("created")
            .and_then(Value::as_u64)
            .ok_or(bad("no creation time"))?;
        let request = v
            .get("request")
            .and_then(Value::as_str)
            .and_then(|r| URL_SAFE_NO_PAD_INDIFFERENT.decode(r).ok())
            .ok_or(bad("no request"))?;
        let request_msg = ExportRequest::from_json(&request).map_err(|_| bad("bad request"))?;
        let mut keys = Vec::new();
        for k in v
            .get("keys")
            .and_then(Value::as_array)
            .ok_or(bad("no keys"))?
        {
            let id = |name: &str| {
                k.get(name)
                    .and_then(Value::as_u64)
                    .and_then(|n| u16::try_from(n).ok())
            };
            let suite = match (id("kem"), id("kdf"), id("aead")) {
                (Some(kem), Some(kdf), Some(aead)) => Suite::from_ids(kem, kdf, aead),
                _ => None,
            }
            .ok_or(bad("unsupported suite"))?;
            let jwk = k
                .get("jwk")
                .and_then(Value::as_object)
                .ok_or(bad("no jwk"))?;
            let key = PrivateKey::from_private_jwk(jwk).map_err(|_| bad("bad private key"))?;
            if key.kem() != suite.kem() {
                return Err(bad("key does not match its suite"));
            }
            // The key must be the one the request offered for this suite.
            let offered = request_msg
                .hpke
                .iter()
                .any(|h| h.suite() == Some(suite) && h.public_key() == Some(key.public_key()));
            if !offered {
                return Err(bad("key was not offered in the request"));
            }
            keys.push((suite, key));
        }
        if keys.is_empty() {
            return Err(bad("no keys"));
        }
        Ok(PendingImport {
            keys,
            importer: importer.to_owned(),
            version: request_msg.version,
            request,
            created,
            max_age: DEFAULT_MAX_AGE_SECS,
            require_bound: false,
        })
    }
}

/// Why a re-encryption failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReencryptError {
    /// The original response could not be opened.
    #[error(transparent)]
    Open(#[from] ImportError),
    /// The other request is not acceptable (as an exporter would answer it).
    #[error("the other request was refused: {}", .0.error)]
    Refused(ErrorResponse),
}

/// The exporter role.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Exporter {
    /// The exporter's identity (RP id, optional display name). Self-asserted.
    pub exporter: Party,
    /// Packaging profile. Default [`Profile::DEFAULT`] (`cxf-toolkit-v1`); choose
    /// [`Profile::Bitwarden2024`] for peers that only know that layout.
    pub profile: Profile,
    /// Envelope limits.
    pub limits: Limits,
}

impl Exporter {
    /// An exporter with the default profile and limits.
    pub fn new(rp_id: impl Into<String>) -> Exporter {
        Exporter {
            exporter: Party::new(rp_id),
            profile: Profile::DEFAULT,
            limits: Limits::default(),
        }
    }

    /// The same exporter with another packaging profile.
    pub fn with_profile(mut self, profile: Profile) -> Exporter {
        self.profile = profile;
        self
    }

    /// The same exporter with other envelope limits.
    pub fn with_limits(mut self, limits: Limits) -> Exporter {
        self.limits = limits;
        self
    }

    /// Picks the first offered suite this crate supports and its key. Errors are the CXP codes
    /// to send back.
    pub fn negotiate(request: &ExportRequest) -> Result<Recipient, ErrorCode> {
        if request.version.major() != 0 {
            return Err(ErrorCode::UnsupportedVersion);
        }
        let (params, suite) = request
            .hpke
            .iter()
            .find_map(|p| p.suite().map(|s| (p, s)))
            .ok_or(ErrorCode::IncompatibleHpkeParameters)?;
        let key = match &params.key {
            None => return Err(ErrorCode::MissingImporterKey),
            Some(Jwk::Other(_)) => return Err(ErrorCode::IncorrectImporterKeyEncoding),
            Some(Jwk::Public { .. }) => params
                .public_key()
                .ok_or(ErrorCode::IncorrectImporterKeyEncoding)?,
        };
        Recipient::new(suite, key.clone()).map_err(|_| ErrorCode::IncorrectImporterKeyEncoding)
    }

    /// Encrypts a CXF [`Document`](cxf::Document) (its canonical JSON) to the request's first
    /// supported suite, leaving out credentials of types the request's `credentialTypes` does
    /// not list (see [`filter_credential_types`]).
    pub fn respond_document(
        &self,
        request: &ExportRequest,
        document: &cxf::Document,
    ) -> Result<ExportResponse, ErrorResponse> {
        if request.credential_types.is_some() {
            let mut filtered = document.clone();
            filter_credential_types(&mut filtered, request);
            self.respond(request, &filtered.to_json_vec())
        } else {
            self.respond(request, &document.to_json_vec())
        }
    }

    /// Encrypts `plaintext` (CXF JSON) to the request's first supported suite. On refusal,
    /// the [`ErrorResponse`] to send back.
    pub fn respond(
        &self,
        request: &ExportRequest,
        plaintext: &[u8],
    ) -> Result<ExportResponse, ErrorResponse> {
        let refuse = |code| {
            let mut e = ErrorResponse::new(code);
            e.version = request.version;
            e
        };
        let recipient = Exporter::negotiate(request).map_err(refuse)?;
        let request_bytes = request.binding_bytes();
        let binding = Binding {
            importer: &request.importer.rp_id,
            request: &request_bytes,
        };
        let sealed = envelope::seal(plaintext, &recipient, self.profile, &binding, &self.limits)
            .map_err(|e| match e {
                envelope::Error::TooLarge => refuse(ErrorCode::ForbiddenAction),
                _ => refuse(ErrorCode::IncorrectImporterKeyEncoding),
            })?;
        let mut hpke = HpkeParameters::new(sealed.suite, sealed.enc);
        hpke.extra.clear();
        Ok(ExportResponse {
            version: request.version,
            hpke: Some(hpke),
            archive: request
                .archive
                .as_ref()
                .map(|_| self.profile.archive().to_owned()),
            exporter: self.exporter.clone(),
            payload: sealed.payload,
            extra: Default::default(),
        })
    }
}

/// Removes the credentials whose `type` the request's `credentialTypes` does not list (the
/// `driver-license` alias already reads as `drivers-license`); returns how many were removed.
/// Items are kept, even when left without credentials, so collection links stay valid. Does
/// nothing when the request has no `credentialTypes`.
pub fn filter_credential_types(document: &mut cxf::Document, request: &ExportRequest) -> usize {
    let Some(accepted) = &request.credential_types else {
        return 0;
    };
    let mut removed = 0;
    for account in &mut document.accounts {
        for item in &mut account.items {
            let before = item.credentials.len();
            item.credentials
                .retain(|c| accepted.iter().any(|t| t == c.type_name()));
            removed += before - item.credentials.len();
        }
    }
    removed
}

#[cfg(test)]
mod tests;
