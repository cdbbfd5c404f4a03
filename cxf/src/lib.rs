//! FIDO Credential Exchange Format (CXF 1.0): a lossless typed model, a parser that reads the
//! Proposed Standard (2025-08-14, errata 2026-03-09), older drafts and real exporter quirks, and
//! a canonical writer.
//!
//! # Which API do I use?
//!
//! | to ... | use |
//! |---|---|
//! | read a CXF file (Header or bare Account) | [`Document::parse`] with [`Limits`] |
//! | show what was normalised | [`Parsed::notes`] ([`ParseNote::code`]) |
//! | write canonical CXF 1.0 | [`Document::to_json_vec`] / [`Document::to_json_vec_pretty`] |
//! | count items, credentials by type, passkeys by RP | [`Summary::of`] |
//! | walk items and credentials | [`Document::accounts`] → [`Account::items`] → [`Item::credentials`] → [`Credential`] |
//!
//! ```
//! let input = br#"{"version":{"major":1,"minor":0},"exporterRpId":"vault.example",
//!   "exporterDisplayName":"Vault","timestamp":1760000000,"accounts":[{"id":"AAEC",
//!   "username":"","email":"ada@example.com","collections":[],"items":[{"id":"AwQF",
//!   "title":"Mail","credentials":[{"type":"basic-auth","password":{"fieldType":
//!   "concealed-string","value":"hunter2"}}]}]}]}"#;
//! let parsed = cxf::Document::parse(input, &cxf::Limits::default())?;
//! let item = &parsed.document.accounts[0].items[0];
//! let cxf::Credential::BasicAuth(login) = &item.credentials[0] else { unreachable!() };
//! assert_eq!(login.password.as_ref().unwrap().value.expose(), "hunter2");
//! // Secrets never print:
//! assert!(!format!("{:?}", parsed.document).contains("hunter2"));
//! let canonical = parsed.document.to_json_vec();
//! # let _ = canonical;
//! # Ok::<(), cxf::ParseError>(())
//! ```
//!
//! # Features
//!
//! | feature | default | what it adds | what it pulls in |
//! |---|---|---|---|
//! | (none) | | parse, canonical write, the model, [`Summary`] | serde_json, compact_str, thin-vec, zeroize, base64, thiserror, memchr |
//! | `validate` | ✓ | `validate` (the CXF 1.0 rules), `cose` (passkey public keys) | p256, pkcs8, url, flate2, hashbrown, ciborium, curve25519-dalek, sha2, getrandom |
//! | `envelope` | ✓ | `envelope` (HPKE for CXP) | hpke, ring (aes-gcm and chacha20poly1305 on wasm32), hkdf, flate2, sha2, getrandom |
//! | `formats` | | `formats` (other managers' exports; implies `validate`) | csv, zip, quick-xml, keepass, age, pbkdf2, argon2, aes, cbc, hmac |
//! | `serde` | | `Serialize`/`Deserialize` for [`Document`], [`Account`], [`Item`] through the strict reader and canonical writer | serde |
//!
//! The package is published as `fido-cxf` (the name `cxf` is taken on crates.io); the library
//! is `cxf`: `cxf = { package = "fido-cxf", version = "0.1", features = ["formats"] }`.
//!
//! **WebAssembly** (`wasm32-unknown-unknown`, the browser build of `cxf-wasm`): every feature
//! builds, every format included. There the envelope's AEAD is RustCrypto's `aes-gcm` /
//! `chacha20poly1305` instead of `ring` (same bytes), the clock is `Date.now()` (through
//! `js-sys`), and validation checks passkey keys on one thread. Randomness comes from
//! `getrandom`, whose `wasm_js` feature the final binary must enable (as `cxf-wasm` does).
//!
//! # Parsing policy
//!
//! * **Lossless.** Members the model does not know are kept on every object
//!   ([`Unknown`]), as are unknown credential types ([`UnknownCredential`]), unknown extensions
//!   ([`UnknownExtension`]) and unknown enumeration values (`Other` variants). Parse → write
//!   gives back an equal JSON value, apart from the canonicalisations listed below.
//! * **Strict on structure.** A known credential (or object) with a missing required member, a
//!   member of the wrong JSON type or a duplicate member name is an error carrying the JSON
//!   Pointer of the member. It is never silently downgraded to an unknown credential.
//! * **Lenient on encoding.** Values that have the right JSON type but break a content rule
//!   (an id that is not base64url, a date in the wrong format) are kept for the validator to
//!   report, so a user can see every problem of a file at once.
//! * **Limits.** Input size, nesting depth, item count, string length and value count are
//!   bounded ([`Limits`]); exceeding one is an error naming the limit.
//! * **Duplicate member names** are rejected everywhere (including inside unknown members), so
//!   two parsers can never disagree about which value counts.
//!
//! # Normalisations (note codes)
//!
//! | code | input | becomes |
//! |---|---|---|
//! | `wd-version-integer` | `"version": 0` (2024 working draft) | `{"major":1,"minor":0}` |
//! | `wd-exporter` | `exporter` | `exporterRpId` and `exporterDisplayName` |
//! | `wd-user-name` | `userName` (Account, passkey) | `username` |
//! | `wd-basic-auth-urls` | `basic-auth.urls` | `Item.scope.urls` |
//! | `wd-bare-string-field` | a plain string where an EditableField belongs | a field of the member's type |
//! | `wd-expiration-date` | ssh-key `expirationDate` | `expiryDate` |
//! | `wd-integration-hash` | file `integrationHash` | `integrityHash` |
//! | `rd-hash-algorithm` | certificate `hashAlgorithm` | `hashAlg` |
//! | `ps-hmac-secret` | `fido2Extensions.hmacSecret` (PS Appendix A) | `hmacCredentials` with `credWithUV` only |
//! | `negative-timestamp` | a negative timestamp (exporter placeholder) | member dropped (`timestamp`: 0) |
//! | `fractional-timestamp` | `1705228800.5` | `1705228800` |
//! | `padded-base64url` | `YWI=` | `YWI` |
//! | `base64-standard-alphabet` | `+/` | `-_` |
//! | `empty-optional-array` | `"tags": []` | member omitted |
//! | `missing-required-array` | a required array absent | `[]` |
//! | `bare-account` | a bare Account | wrapped in a Header (empty exporter fields, timestamp 0) |
//! | `null-optional-member` | `"id": null` on an optional member | member omitted |
//! | `byte-order-mark` | a UTF-8 BOM | ignored |
//!
//! # Security considerations
//!
//! CXF is plaintext: everything in a document is as sensitive as the vault. Secret values
//! (passwords, concealed and other field values, notes, TOTP seeds, passkey and SSH private
//! keys, PRF seeds, card numbers) are held in [`Secret`] / [`SecretB64`], wiped on drop and
//! printed as `<redacted>` by `Debug`. The writer grows its buffer by hand so no unwiped copy of
//! the output is left in freed memory. Values of unknown members are wiped on drop too, but
//! their member *names* are not. Nothing in a CXF document is authenticated: `exporterRpId` is
//! self-asserted.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "validate")]
mod clock;
#[cfg(feature = "validate")]
pub mod cose;
#[cfg(feature = "envelope")]
pub mod envelope;
mod error;
mod json;
mod limits;
mod model;
mod parse;
mod pointer;
#[cfg(feature = "serde")]
mod serde_support;
mod summary;
mod text;
#[cfg(feature = "validate")]
pub mod validate;

pub use error::{ParseError, ParseErrorKind};
pub use limits::{
    DEFAULT_MAX_DEPTH, DEFAULT_MAX_DOCUMENT_BYTES, DEFAULT_MAX_ITEMS, DEFAULT_MAX_STRING_BYTES,
    DEFAULT_MAX_VALUES, Limits,
};
pub use model::*;
pub use parse::{ParseNote, Parsed, Shape};
pub use summary::{AccountSummary, Summary};
pub use text::{Secret, Text};
/// The vector type of the model's arrays (one pointer wide; re-exported so callers need no
/// extra dependency).
pub use thin_vec::{ThinVec, thin_vec};
#[cfg(feature = "validate")]
pub use validate::{Diagnostic, Report, Severity, validate};

#[cfg(feature = "formats")]
pub mod formats;

// The README's Rust examples compile as doctests (`cargo test -p fido-cxf --features formats --doc`).
#[cfg(all(doctest, feature = "formats"))]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
