//! HPKE envelope for CXF payloads (RFC 9180 base mode), as used by the FIDO Credential Exchange
//! Protocol (CXP) to carry an encrypted CXF `Header` in `ExportResponse.payload`.
//!
//! # Which API do I use?
//!
//! * Importer: [`PrivateKey::generate`] per offered [`Suite`], publish
//!   [`PublicKey::to_jwk`] in the request, later [`open_detect`] (or [`open`] when the
//!   [`Profile`] is known) with the [`Binding`] of the request you sent.
//! * Exporter: [`seal`] the CXF JSON to the importer's [`Recipient`] with [`Profile::DEFAULT`].
//! * Moving an export to another importer without seeing it: [`reencrypt`].
//! * Raw single-shot HPKE base mode, no packaging: [`seal_base`], [`open_base`] (and their
//!   in-place forms, which skip a copy of the payload).
//! * Working with a parsed [`Document`](crate::Document): [`seal_document`], [`open_document`].
//!
//! The CXP message types and the importer/exporter roles live in the `cxp` crate; this module
//! works on bytes and keys only.
//!
//! ```
//! use cxf::envelope::{self, Binding, Kem, Limits, PrivateKey, Profile, Recipient, Suite};
//!
//! let importer_key = PrivateKey::generate(Kem::X25519HkdfSha256);
//! let request = br#"{"version":0,"importer":"importer.example"}"#; // the exact bytes sent
//! let binding = Binding { importer: "importer.example", request };
//! let to = Recipient::new(Suite::X25519_AES256GCM, importer_key.public_key().clone())?;
//!
//! let sealed = envelope::seal(b"{\"version\":{\"major\":1}}", &to, Profile::DEFAULT, &binding, &Limits::default())?;
//! let plaintext = envelope::open(&sealed, &importer_key, Profile::DEFAULT, &binding, &Limits::default())?;
//! assert_eq!(&plaintext[..], b"{\"version\":{\"major\":1}}");
//! # Ok::<(), envelope::Error>(())
//! ```
//!
//! # Suites
//!
//! Offered, in this order: `{base, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM}` and
//! the same with `DHKEM(P-256, HKDF-SHA256)` ([`Suite::OFFERED`]). Also accepted from a peer:
//! AES-128-GCM and ChaCha20Poly1305 with either KEM. Never: other KDFs, the export-only AEAD,
//! reserved or unknown ids, and any mode but `base`.
//!
//! # Packaging profiles
//!
//! The CXP working draft does not pin down `info`, `aad`, where `enc` goes, nor the archive
//! layout (see the implementer digest, §2.2–§2.4). Every known reading is a [`Profile`]; `enc`
//! always travels as the response's `hpke.key` JWK (the one convention all known
//! implementations share).
//!
//! | profile | plaintext processing | `info` | `aad` | `payload` |
//! |---|---|---|---|---|
//! | [`Profile::ToolkitV1`] (default) | raw DEFLATE, then seal | [`TOOLKIT_V1_INFO_LABEL`] ‖ importer | exact request bytes | base64url(ct) |
//! | [`Profile::Bitwarden2024`] | seal | empty | empty | base64url(zip{`index.jwe` = ct}) |
//! | [`Profile::RawDeflate`] | raw DEFLATE, then seal | importer | exact request bytes | base64url(ct) |
//!
//! Why `ToolkitV1` is the default: it binds the request (see below); the label in `info`
//! separates our key schedule from every other use of the same key; compression halves or
//! better the size of JSON vaults. The cost: a peer that only knows the Bitwarden prototype
//! layout cannot read it, so exporters talking to such a peer choose
//! [`Profile::Bitwarden2024`] explicitly. [`open_detect`] accepts all three;
//! [`open_detect_with`] and [`OpenOptions::require_bound`] accept only the binding ones.
//!
//! # What request binding protects against, and what it does not
//!
//! A binding profile ([`Profile::binds_request`]: [`Profile::ToolkitV1`],
//! [`Profile::RawDeflate`]) puts the importer id in `info` and the exact request bytes in
//! `aad`. A response then opens only under the request the importer actually sent.
//!
//! * It protects against an honest exporter answering a request that was changed on the way:
//!   suites stripped or reordered (a downgrade to a suite the importer ranked lower), another
//!   importer id, other credential types or mode. The importer's open fails.
//! * It does so only if the importer refuses unbound responses. [`open_detect`] also opens
//!   [`Profile::Bitwarden2024`], which binds nothing: an exporter using it (by configuration,
//!   or because it only knows that layout) answers a tampered request and the importer cannot
//!   tell. Importers that can insist on a binding peer should open with
//!   [`OpenOptions::require_bound`], which refuses an unbound response with
//!   [`Error::UnboundProfile`].
//! * It does not authenticate the exporter: base mode lets anyone who saw the request (it
//!   carries the public keys and is itself the `aad`) seal a bound response that opens. A
//!   forged vault is not detected by binding.
//! * It does not stop an attacker who controls both directions: one who replaces the
//!   request's public keys with its own reads the response and re-seals it, bound to the
//!   original request, to the importer. Keeping the request and response channel authentic
//!   (the paired local channel, or the user carrying files) is what prevents that.
//! * It does not hide the request (it is public) nor the payload length.
//!
//! # Security considerations
//!
//! * Base mode authenticates nobody: anyone holding the importer's public key can produce a
//!   response that opens. The exporter identity in a response is self-asserted.
//! * [`open`] and friends report one opaque [`Error::DecryptionFailed`] for every failure after
//!   decapsulation (AEAD, decompression, size limits), so they are no oracle for which stage
//!   failed.
//! * Plaintext (and compressed plaintext) only lives in [`Zeroizing`] buffers that never
//!   reallocate without wiping the old copy. The DEFLATE codec's internal window (≤ 64 KiB) is
//!   not zeroized: a residual risk we accept.
//! * Compressing before encrypting leaks the compressed length; with attacker-influenced vault
//!   content and many observations this is a CRIME-style side channel. One export is one
//!   observation; use [`Profile::Bitwarden2024`] when that matters.
//! * Every input is bounded by [`Limits`] before it is decoded or inflated.
//! * Implementation: DHKEM from the `hpke` crate; the RFC 9180 §5.1 base-mode key schedule is
//!   ours (HKDF-SHA256 via `hkdf`/`sha2`, checked against the RFC 9180 known answers); the
//!   AEAD is `ring`'s natively and the RustCrypto `aes-gcm` / `chacha20poly1305` crates' on
//!   `wasm32` (the browser build: `ring` needs a C compiler there; both backends give the same
//!   bytes, tested against each other). The KEM shared secret and our copies of the AEAD key and
//!   base nonce are wiped after use; `ring`'s expanded AES / ChaCha20 key inside its key object
//!   and the HMAC states inside `hkdf` cannot be zeroized (neither crate offers it): they live
//!   for one call.

mod aead;
mod crypto;
mod document;
mod keys;
mod suite;
mod zip;

use std::fmt;
use std::io::{Read as _, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE_NO_PAD, URL_SAFE_NO_PAD_INDIFFERENT};
use hpke::rand_core::UnwrapErr;
use zeroize::{Zeroize as _, Zeroizing};

pub use document::{open_document, seal_document};
pub use keys::{PrivateKey, PublicKey};
pub use suite::{
    AEAD_AES_128_GCM, AEAD_AES_256_GCM, AEAD_CHACHA20_POLY1305, Aead, AeadId, KDF_HKDF_SHA256,
    KEM_P256_HKDF_SHA256, KEM_X25519_HKDF_SHA256, KdfId, Kem, KemId, Suite,
};

/// Fixed label that starts `info` in [`Profile::ToolkitV1`]; the importer id follows it.
pub const TOOLKIT_V1_INFO_LABEL: &[u8] = b"cxf-toolkit/envelope/v1\0";
/// Name of the archive entry holding the ciphertext in [`Profile::Bitwarden2024`].
pub const BITWARDEN_2024_ENTRY: &str = "index.jwe";

/// Default maximum plaintext size (256 MiB), before compression on seal and after
/// decompression on open.
pub const MAX_PLAINTEXT_BYTES: usize = 256 << 20;
/// Default maximum length of a base64url `payload` string: 4/3 of the plaintext limit plus
/// archive overhead.
pub const MAX_PAYLOAD_CHARS: usize = MAX_PLAINTEXT_BYTES / 3 * 4 + (1 << 20);
/// Default maximum inflated/deflated size ratio (applies above [`RATIO_FLOOR_BYTES`]).
pub const MAX_COMPRESSION_RATIO: usize = 100;
/// Output size below which the ratio limit does not apply (tiny inputs compress absurdly well).
pub const RATIO_FLOOR_BYTES: usize = 1 << 20;
/// Default maximum number of entries in a ZIP container.
pub const MAX_ZIP_ENTRIES: usize = 16;

/// Resource limits applied by [`seal`] and [`open`]. Defaults are the `MAX_*` constants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Maximum length of the base64url `payload`, checked before decoding.
    pub max_payload_chars: usize,
    /// Maximum plaintext size, checked while inflating (never inflated past it).
    pub max_plaintext_bytes: usize,
    /// Maximum inflated/deflated ratio once output exceeds [`RATIO_FLOOR_BYTES`].
    pub max_compression_ratio: usize,
    /// Maximum number of ZIP entries.
    pub max_zip_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_payload_chars: MAX_PAYLOAD_CHARS,
            max_plaintext_bytes: MAX_PLAINTEXT_BYTES,
            max_compression_ratio: MAX_COMPRESSION_RATIO,
            max_zip_entries: MAX_ZIP_ENTRIES,
        }
    }
}

impl Limits {
    /// Limits scaled for a plaintext of up to `bytes` (payload limit follows).
    pub fn for_plaintext(bytes: usize) -> Limits {
        Limits {
            max_plaintext_bytes: bytes,
            max_payload_chars: (bytes / 3).saturating_mul(4).saturating_add(1 << 20),
            ..Limits::default()
        }
    }

    /// Largest output allowed from `compressed` input bytes.
    fn max_inflated(&self, compressed: usize) -> usize {
        compressed
            .saturating_mul(self.max_compression_ratio)
            .max(RATIO_FLOOR_BYTES)
            .min(self.max_plaintext_bytes)
    }
}

/// Envelope errors. Anything that goes wrong after decapsulation is [`Error::DecryptionFailed`]
/// and says nothing more.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The suite is not one this crate implements (or was not offered).
    #[error("unsupported HPKE suite")]
    UnsupportedSuite,
    /// A key is malformed: wrong length, not on the curve, wrong JWK members, a private `d` in
    /// a public JWK.
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
    /// The key's KEM differs from the suite's.
    #[error("key does not match the HPKE suite")]
    KeyMismatch,
    /// The payload or plaintext exceeds [`Limits`].
    #[error("payload exceeds the size limit")]
    TooLarge,
    /// The payload is not base64url, or its container (before decryption) is malformed.
    #[error("malformed payload: {0}")]
    MalformedPayload(&'static str),
    /// Encryption failed (should not happen with valid keys).
    #[error("encryption failed")]
    EncryptionFailed,
    /// Decryption failed. Deliberately opaque.
    #[error("decryption failed")]
    DecryptionFailed,
    /// The payload opened only under a profile that does not bind the request, and the caller
    /// required a binding one ([`OpenOptions::require_bound`]). Nothing is returned.
    #[error("the response uses a packaging profile that does not bind the request; refused")]
    UnboundProfile,
}

/// A recipient: a supported suite and a public key of the suite's KEM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    suite: Suite,
    key: PublicKey,
}

impl Recipient {
    /// Pairs a suite with a key; refuses a key of another KEM.
    pub fn new(suite: Suite, key: PublicKey) -> Result<Recipient, Error> {
        if key.kem() != suite.kem() {
            return Err(Error::KeyMismatch);
        }
        Ok(Recipient { suite, key })
    }

    /// The suite.
    pub fn suite(&self) -> Suite {
        self.suite
    }

    /// The public key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }
}

/// What a profile binds into the key schedule: the importer id and the exact request bytes.
/// Profiles that bind nothing ignore it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding<'a> {
    /// The importer's RP id as written in the request (`importer` / `importerRpId`).
    pub importer: &'a str,
    /// The exact bytes of the `ExportRequest` as the importer sent them.
    pub request: &'a [u8],
}

impl Binding<'static> {
    /// A binding with no importer and no request (for profiles that bind nothing).
    pub const NONE: Binding<'static> = Binding {
        importer: "",
        request: b"",
    };
}

/// A packaging profile: how the CXF bytes become `payload`. Versioned by name; see the
/// [module documentation](self) for the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Profile {
    /// Ours, the default: raw DEFLATE, then HPKE with `info` = [`TOOLKIT_V1_INFO_LABEL`] ‖
    /// importer and `aad` = the exact request bytes; `payload` = base64url(ciphertext).
    ToolkitV1,
    /// Bitwarden's 2024 prototype: HPKE with empty `info`/`aad`; `payload` = base64url of a
    /// ZIP holding one DEFLATE entry `index.jwe` = raw HPKE ciphertext (not a JOSE JWE).
    Bitwarden2024,
    /// The Proton-lineage reading: raw DEFLATE, then HPKE with `info` = importer and `aad` =
    /// the exact request bytes; `payload` = base64url(ciphertext).
    RawDeflate,
}

impl Profile {
    /// The profile exporters use unless told otherwise.
    pub const DEFAULT: Profile = Profile::ToolkitV1;
    /// Every profile, in the order [`open_detect`] tries them.
    pub const ALL: [Profile; 3] = [
        Profile::ToolkitV1,
        Profile::RawDeflate,
        Profile::Bitwarden2024,
    ];

    /// Stable name (`cxf-toolkit-v1`, `bitwarden-2024`, `raw-deflate`).
    pub const fn name(self) -> &'static str {
        match self {
            Profile::ToolkitV1 => "cxf-toolkit-v1",
            Profile::Bitwarden2024 => "bitwarden-2024",
            Profile::RawDeflate => "raw-deflate",
        }
    }

    /// The profile with this [`name`](Profile::name).
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether the profile binds the importer id and the exact request bytes into the key
    /// schedule (see the [module documentation](self) for what that protects against).
    pub const fn binds_request(self) -> bool {
        match self {
            Profile::ToolkitV1 | Profile::RawDeflate => true,
            Profile::Bitwarden2024 => false,
        }
    }

    /// The CXP `archive` value a response using this profile carries.
    pub const fn archive(self) -> &'static str {
        "deflate"
    }

    fn info(self, b: &Binding<'_>) -> Vec<u8> {
        match self {
            Profile::ToolkitV1 => [TOOLKIT_V1_INFO_LABEL, b.importer.as_bytes()].concat(),
            Profile::Bitwarden2024 => Vec::new(),
            Profile::RawDeflate => b.importer.as_bytes().to_vec(),
        }
    }

    fn aad<'a>(self, b: &Binding<'a>) -> &'a [u8] {
        match self {
            Profile::ToolkitV1 | Profile::RawDeflate => b.request,
            Profile::Bitwarden2024 => b"",
        }
    }

    fn compresses(self) -> bool {
        !matches!(self, Profile::Bitwarden2024)
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The result of [`seal`]: what goes into an `ExportResponse`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// The suite used (the response's `hpke` ids).
    pub suite: Suite,
    /// HPKE `enc`, the exporter's ephemeral public key (the response's `hpke.key` JWK).
    pub enc: PublicKey,
    /// The base64url (unpadded) `payload`.
    pub payload: String,
}

/// Encrypts `plaintext` (CXF JSON bytes) to `recipient` with `profile`.
pub fn seal(
    plaintext: &[u8],
    recipient: &Recipient,
    profile: Profile,
    binding: &Binding<'_>,
    limits: &Limits,
) -> Result<Sealed, Error> {
    seal_with_rng(
        plaintext,
        recipient,
        profile,
        binding,
        limits,
        &mut UnwrapErr(getrandom::SysRng),
    )
}

fn seal_with_rng(
    plaintext: &[u8],
    recipient: &Recipient,
    profile: Profile,
    binding: &Binding<'_>,
    limits: &Limits,
    rng: &mut impl hpke::rand_core::CryptoRng,
) -> Result<Sealed, Error> {
    if plaintext.len() > limits.max_plaintext_bytes {
        return Err(Error::TooLarge);
    }
    let info = profile.info(binding);
    let aad = profile.aad(binding);
    let (enc, ct) = if profile.compresses() {
        // Sealed in place: the compressed plaintext is never copied.
        let mut packed = deflate_secret(plaintext)?;
        let enc = crypto::seal_base_in_place(
            recipient.suite,
            &recipient.key,
            &info,
            aad,
            &mut packed,
            rng,
        )?;
        (enc, std::mem::take(&mut *packed))
    } else {
        crypto::seal_base(recipient.suite, &recipient.key, &info, aad, plaintext, rng)?
    };
    let body = match profile {
        Profile::Bitwarden2024 => zip::write_single(BITWARDEN_2024_ENTRY, &ct),
        Profile::ToolkitV1 | Profile::RawDeflate => ct,
    };
    let payload = URL_SAFE_NO_PAD.encode(&body);
    if payload.len() > limits.max_payload_chars {
        return Err(Error::TooLarge);
    }
    Ok(Sealed {
        suite: recipient.suite,
        enc,
        payload,
    })
}

/// Single-shot HPKE `SealBase(pkR, info, aad, pt)` (RFC 9180 §6.1) with no packaging: no
/// compression, no container, no base64. Returns `enc` (the ephemeral public key) and
/// `ciphertext ‖ tag`. [`seal`] is this plus a [`Profile`]; use it unless you need the raw
/// primitive (interoperability tests, benchmarks, other HPKE framings).
pub fn seal_base(
    recipient: &Recipient,
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(PublicKey, Vec<u8>), Error> {
    crypto::seal_base(
        recipient.suite,
        &recipient.key,
        info,
        aad,
        plaintext,
        &mut UnwrapErr(getrandom::SysRng),
    )
}

/// [`seal_base`] in place: `buf` holds the plaintext and becomes `ciphertext ‖ tag`; returns
/// `enc`. Avoids copying the plaintext (on large payloads the copy into fresh memory costs more
/// than the AEAD). Reserve 16 bytes of spare capacity for the tag; without it `buf` grows after
/// sealing (by then it holds only ciphertext).
pub fn seal_base_in_place(
    recipient: &Recipient,
    info: &[u8],
    aad: &[u8],
    buf: &mut Zeroizing<Vec<u8>>,
) -> Result<PublicKey, Error> {
    crypto::seal_base_in_place(
        recipient.suite,
        &recipient.key,
        info,
        aad,
        buf,
        &mut UnwrapErr(getrandom::SysRng),
    )
}

/// [`open_base`] in place: `buf` holds `ciphertext ‖ tag` and is returned holding the
/// plaintext (same allocation, tag cut off). On failure it is wiped and dropped.
pub fn open_base_in_place(
    suite: Suite,
    key: &PrivateKey,
    enc: &PublicKey,
    info: &[u8],
    aad: &[u8],
    buf: Zeroizing<Vec<u8>>,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    crypto::open_base_in_place(suite, key, enc, info, aad, buf)
}

/// Single-shot HPKE `OpenBase(enc, skR, info, aad, ct)` (RFC 9180 §6.1) with no packaging: the
/// inverse of [`seal_base`]. Every failure past key checks is [`Error::DecryptionFailed`].
pub fn open_base(
    suite: Suite,
    key: &PrivateKey,
    enc: &PublicKey,
    info: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    crypto::open_base(suite, key, enc, info, aad, ciphertext)
}

/// Decrypts a sealed payload with the importer's key, using a known `profile`.
///
/// The caller must pass the key it generated for `sealed.suite` (never a key taken from the
/// response) and the [`Binding`] of the request it sent.
pub fn open(
    sealed: &Sealed,
    key: &PrivateKey,
    profile: Profile,
    binding: &Binding<'_>,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    check_payload_len(&sealed.payload, limits)?;
    let mut body = Zeroizing::new(decode_payload(sealed.payload.as_bytes())?);
    let header = SealedHeader {
        suite: sealed.suite,
        enc: &sealed.enc,
    };
    open_attempt(header, &mut body, true, key, profile, binding, limits)
}

/// Like [`open`] but tries every [`Profile`] that fits the payload's shape; returns the
/// plaintext and the profile that opened it. Still one opaque error if none does.
///
/// This accepts unbound profiles ([`Profile::Bitwarden2024`]); to refuse them use
/// [`open_detect_with`] and [`OpenOptions::require_bound`].
pub fn open_detect(
    sealed: &Sealed,
    key: &PrivateKey,
    binding: &Binding<'_>,
    limits: &Limits,
) -> Result<(Zeroizing<Vec<u8>>, Profile), Error> {
    open_detect_with(sealed, key, binding, limits, &OpenOptions::default())
}

/// How [`open_detect_with`] treats what it opens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenOptions {
    /// Accept only profiles that bind the request ([`Profile::binds_request`]). An unbound
    /// response that would open is refused with [`Error::UnboundProfile`]; anything else that
    /// does not open is still the opaque [`Error::DecryptionFailed`]. Default `false` (every
    /// profile is accepted, as [`open_detect`] does).
    pub require_bound: bool,
}

impl OpenOptions {
    /// Options that accept only request-binding profiles.
    pub const fn require_bound() -> OpenOptions {
        OpenOptions {
            require_bound: true,
        }
    }
}

/// [`open_detect`] with [`OpenOptions`].
///
/// With [`OpenOptions::require_bound`], an unbound response is refused with the distinct
/// [`Error::UnboundProfile`] rather than the opaque error. It is reported only after the
/// response authenticated under the importer's key, so it tells the sender nothing it could not
/// know (in base mode anyone holding the public key can make such a response), and it tells the
/// user what to change (the exporter's profile) instead of suggesting a wrong key.
pub fn open_detect_with(
    sealed: &Sealed,
    key: &PrivateKey,
    binding: &Binding<'_>,
    limits: &Limits,
    options: &OpenOptions,
) -> Result<(Zeroizing<Vec<u8>>, Profile), Error> {
    let header = SealedHeader {
        suite: sealed.suite,
        enc: &sealed.enc,
    };
    open_detect_all(
        header,
        PayloadText::Borrowed(&sealed.payload),
        key,
        binding,
        limits,
        options,
    )
}

/// [`open_detect_with`] taking the sealed payload by value, for large payloads: the base64url
/// text is decoded in place, in its own buffer (no second copy of the payload). Each profile
/// tried but the last decrypts a copy of the decoded body (the zip profile reads its entry out
/// of it instead), the last one decrypts the body itself, and the body is freed as soon as a
/// profile authenticates, before the plaintext is inflated.
pub fn open_detect_owned(
    sealed: Sealed,
    key: &PrivateKey,
    binding: &Binding<'_>,
    limits: &Limits,
    options: &OpenOptions,
) -> Result<(Zeroizing<Vec<u8>>, Profile), Error> {
    let header = SealedHeader {
        suite: sealed.suite,
        enc: &sealed.enc,
    };
    let text = PayloadText::Owned(Zeroizing::new(sealed.payload.into_bytes()));
    open_detect_all(header, text, key, binding, limits, options)
}

/// The parts of a [`Sealed`] other than its payload.
#[derive(Clone, Copy)]
struct SealedHeader<'a> {
    suite: Suite,
    enc: &'a PublicKey,
}

/// The base64url payload, borrowed from the caller or owned (then decoded in place).
enum PayloadText<'a> {
    Borrowed(&'a str),
    Owned(Zeroizing<Vec<u8>>),
}

fn open_detect_all(
    sealed: SealedHeader<'_>,
    text: PayloadText<'_>,
    key: &PrivateKey,
    binding: &Binding<'_>,
    limits: &Limits,
    options: &OpenOptions,
) -> Result<(Zeroizing<Vec<u8>>, Profile), Error> {
    let mut body = match text {
        PayloadText::Borrowed(text) => {
            check_payload_len(text, limits)?;
            Zeroizing::new(decode_payload(text.as_bytes())?)
        }
        PayloadText::Owned(mut text) => {
            if text.len() > limits.max_payload_chars {
                return Err(Error::TooLarge);
            }
            decode_payload_in_place(&mut text)?;
            text
        }
    };
    let is_zip = zip::looks_like_zip(&body);
    // A zip-shaped body is almost surely the zip profile: try it first. The others stay as
    // fallbacks since a raw ciphertext may start with the zip magic by chance (2^-32).
    let order: &[Profile] = if is_zip {
        &[
            Profile::Bitwarden2024,
            Profile::ToolkitV1,
            Profile::RawDeflate,
        ]
    } else {
        &[Profile::ToolkitV1, Profile::RawDeflate]
    };
    // With `require_bound`, an unbound profile is still tried, but only to refuse it by name
    // when it opens; its failures are not reported (as if it had not been tried).
    let mut first = None;
    for (i, &profile) in order.iter().enumerate() {
        let allowed = !options.require_bound || profile.binds_request();
        let result = open_attempt(
            sealed,
            &mut body,
            i + 1 == order.len(),
            key,
            profile,
            binding,
            limits,
        );
        match result {
            Ok(pt) if allowed => return Ok((pt, profile)),
            Ok(pt) => {
                drop(pt);
                return Err(Error::UnboundProfile);
            }
            // Caller mistakes (wrong key type) are reported as such; a malformed container
            // only rules out that profile.
            Err(e @ (Error::KeyMismatch | Error::InvalidKey(_))) => return Err(e),
            Err(e) => {
                if allowed {
                    first.get_or_insert(e);
                }
            }
        }
        if body.capacity() == 0 {
            // Freed: it authenticated under this profile (whose later stage failed), so no
            // other can open it (or it was empty, which no profile opens).
            break;
        }
    }
    Err(first.unwrap_or(Error::DecryptionFailed))
}

/// One profile's attempt at the decoded `body`. Decryption works in place (and wipes its
/// buffer when it fails), so the ciphertext is a copy of `body` for every attempt but the
/// `last`, which takes it; the zip profile reads its entry out of `body` without changing it.
/// Once a profile authenticates, `body` is freed (no other profile can open it) before the
/// plaintext is inflated.
fn open_attempt(
    sealed: SealedHeader<'_>,
    body: &mut Zeroizing<Vec<u8>>,
    last: bool,
    key: &PrivateKey,
    profile: Profile,
    binding: &Binding<'_>,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    if key.kem() != sealed.suite.kem() {
        return Err(Error::KeyMismatch);
    }
    let ct = match profile {
        Profile::Bitwarden2024 => {
            Zeroizing::new(zip::read_entry(body, BITWARDEN_2024_ENTRY, limits)?)
        }
        Profile::ToolkitV1 | Profile::RawDeflate if last => std::mem::take(body),
        Profile::ToolkitV1 | Profile::RawDeflate => Zeroizing::new(body.to_vec()),
    };
    let opened = decrypt(sealed, ct, key, profile, binding)?;
    *body = Zeroizing::new(Vec::new());
    unpack(opened, profile, limits)
}

/// Opens `sealed` and seals the same plaintext to `to`, without handing the plaintext to the
/// caller. The old payload's profile is detected; the new one is `profile` bound to
/// `new_binding`.
pub fn reencrypt(
    sealed: &Sealed,
    key: &PrivateKey,
    binding: &Binding<'_>,
    to: &Recipient,
    profile: Profile,
    new_binding: &Binding<'_>,
    limits: &Limits,
) -> Result<Sealed, Error> {
    let (plaintext, _) = open_detect(sealed, key, binding, limits)?;
    seal(&plaintext, to, profile, new_binding, limits)
}

fn check_payload_len(payload: &str, limits: &Limits) -> Result<(), Error> {
    if payload.len() > limits.max_payload_chars {
        return Err(Error::TooLarge);
    }
    Ok(())
}

fn decode_payload(payload: &[u8]) -> Result<Vec<u8>, Error> {
    URL_SAFE_NO_PAD_INDIFFERENT
        .decode(payload)
        .map_err(|_| Error::MalformedPayload("payload is not base64url"))
}

/// Decodes base64url text in its own buffer (the output is never longer than the input and
/// never ahead of it), accepting exactly what [`decode_payload`] accepts.
fn decode_payload_in_place(buf: &mut Vec<u8>) -> Result<(), Error> {
    const CHUNK: usize = 4 << 10;
    let bad = || Error::MalformedPayload("payload is not base64url");
    let mut out = [0u8; CHUNK / 4 * 3];
    let (mut read, mut written) = (0, 0);
    while read < buf.len() {
        let end = (read + CHUNK).min(buf.len());
        let chunk = &buf[read..end];
        // Whole quanta inside the text: padding may only end the last chunk.
        if end < buf.len() && chunk.contains(&b'=') {
            return Err(bad());
        }
        let n = URL_SAFE_NO_PAD_INDIFFERENT
            .decode_slice(chunk, &mut out)
            .map_err(|_| bad())?;
        buf[written..written + n].copy_from_slice(&out[..n]);
        written += n;
        read = end;
    }
    buf.truncate(written);
    Ok(())
}

/// Decrypts a ciphertext in place (the AEAD stage of a profile).
fn decrypt(
    sealed: SealedHeader<'_>,
    ct: Zeroizing<Vec<u8>>,
    key: &PrivateKey,
    profile: Profile,
    binding: &Binding<'_>,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let info = profile.info(binding);
    let aad = profile.aad(binding);
    // Opened in place: the ciphertext buffer becomes the (zeroizing) plaintext.
    crypto::open_base_in_place(sealed.suite, key, sealed.enc, &info, aad, ct)
}

/// What follows decryption: the size check, and inflating for compressing profiles. Every
/// failure is the same opaque error.
fn unpack(
    opened: Zeroizing<Vec<u8>>,
    profile: Profile,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    if !profile.compresses() {
        if opened.len() > limits.max_plaintext_bytes {
            return Err(Error::DecryptionFailed);
        }
        return Ok(opened);
    }
    inflate_secret(opened, limits).map_err(|_| Error::DecryptionFailed)
}

/// Appends to a zeroizing buffer without ever leaving an unwiped copy behind on growth.
fn push_secure(buf: &mut Zeroizing<Vec<u8>>, data: &[u8]) {
    let needed = buf.len() + data.len();
    if needed > buf.capacity() {
        let mut grown = Zeroizing::new(Vec::with_capacity(needed.max(buf.capacity() * 2)));
        grown.extend_from_slice(buf);
        std::mem::swap(buf, &mut grown);
        // `grown` (the old allocation) is zeroized on drop here.
    }
    buf.extend_from_slice(data);
}

/// A `Write` sink over a zeroizing buffer.
struct SecureSink(Zeroizing<Vec<u8>>);

impl std::io::Write for SecureSink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        push_secure(&mut self.0, data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn deflate_secret(plaintext: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let sink = SecureSink(Zeroizing::new(Vec::with_capacity(
        plaintext.len() / 2 + 1024,
    )));
    let mut enc = flate2::write::DeflateEncoder::new(sink, flate2::Compression::fast());
    enc.write_all(plaintext)
        .map_err(|_| Error::EncryptionFailed)?;
    Ok(enc.finish().map_err(|_| Error::EncryptionFailed)?.0)
}

/// Inflates into chunks, then into one buffer of the exact size (each chunk wiped and freed as
/// soon as it is copied): the plaintext is the caller's to keep while it parses, and a buffer
/// with spare capacity would cost its whole capacity when it is wiped on drop. The compressed
/// input is dropped before the copy. Chunks double from 64 KiB to 32 MiB, so a small plaintext
/// allocates little and a large one is a few large allocations, which the allocator maps and
/// unmaps on their own (their memory goes back as soon as they are copied).
fn inflate_secret(
    compressed: Zeroizing<Vec<u8>>,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    const FIRST_CHUNK: usize = 64 << 10;
    const MAX_CHUNK: usize = 32 << 20;
    let max = limits.max_inflated(compressed.len());
    let mut chunks: Vec<SecretChunk> = Vec::new();
    let mut total = 0usize;
    let mut decoder = flate2::bufread::DeflateDecoder::new(&compressed[..]);
    let mut size = FIRST_CHUNK;
    loop {
        let mut chunk = SecretChunk(vec![0u8; size]);
        let mut filled = 0;
        while filled < size {
            let n = decoder
                .read(&mut chunk.0[filled..])
                .map_err(|_| Error::DecryptionFailed)?;
            if n == 0 {
                break;
            }
            filled += n;
            if total + filled > max {
                return Err(Error::DecryptionFailed);
            }
        }
        total += filled;
        chunk.0.truncate(filled);
        let done = filled < size;
        chunks.push(chunk);
        if done {
            break;
        }
        size = (size * 2).min(MAX_CHUNK);
    }
    // Trailing bytes after the DEFLATE stream are refused.
    if decoder.total_in() != compressed.len() as u64 {
        return Err(Error::DecryptionFailed);
    }
    drop(decoder);
    drop(compressed);
    let mut out = Zeroizing::new(Vec::with_capacity(total));
    for chunk in chunks.drain(..) {
        out.extend_from_slice(&chunk.0);
    }
    Ok(out)
}

/// A piece of inflated plaintext: its bytes are wiped on drop. Only the written length is
/// wiped (`Zeroizing<Vec>` wipes the whole capacity, which would first bring the untouched
/// pages of a large, partly filled chunk into memory).
struct SecretChunk(Vec<u8>);

impl Drop for SecretChunk {
    fn drop(&mut self) {
        self.0.as_mut_slice().zeroize();
    }
}

#[cfg(test)]
mod tests;
