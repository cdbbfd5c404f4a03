//! Single-shot HPKE base mode over the supported suites (RFC 9180 §6.1).
//!
//! The KEM (DHKEM X25519 / P-256 with HKDF-SHA256) comes from the `hpke` crate. The key
//! schedule (RFC 9180 §5.1, base mode) is implemented here over the `hkdf` and `sha2` crates,
//! and the AEAD runs on `ring` natively, whose AES-GCM (AES-NI / VAES with (V)PCLMULQDQ) and
//! ChaCha20-Poly1305 are several times faster than the RustCrypto AEADs on large payloads, and
//! on the RustCrypto AEADs on `wasm32` (see the `aead` module: same bytes, tested against each
//! other).
//!
//! Key material: the KEM shared secret (`hpke::kem::SharedSecret`, wiped on drop by `hpke`),
//! our copies of the AEAD key, base nonce and key-schedule `secret` live in [`Zeroizing`]
//! buffers. Two copies are out of our reach and are not wiped: `ring`'s expanded AEAD key
//! schedule in native builds (ring keys do not implement `Zeroize`), and the HMAC states
//! inside `hkdf` (no zeroize-on-drop in `hkdf` 0.13). Both live only for the duration of one
//! call.

use hkdf::{Hkdf, HkdfExtract};
use hpke::rand_core::CryptoRng;
use hpke::{Deserializable as _, Serializable as _};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::Error;
use super::aead::{self, NONCE_LEN};
use super::keys::{PrivateKey, PublicKey};
use super::suite::{Aead, Kem, Suite};

pub(crate) use super::aead::TAG_LEN;
/// Largest AEAD key (`Nk` of AES-256-GCM and ChaCha20Poly1305).
const MAX_KEY_LEN: usize = 32;
/// `Nh` of HKDF-SHA256.
const HASH_LEN: usize = 32;
/// RFC 9180 `mode_base`.
const MODE_BASE: u8 = 0x00;
/// RFC 9180 §4 label prefix.
const HPKE_V1: &[u8] = b"HPKE-v1";

/// `Nk` for an AEAD.
const fn key_len(aead: Aead) -> usize {
    match aead {
        Aead::Aes128Gcm => 16,
        Aead::Aes256Gcm | Aead::ChaCha20Poly1305 => 32,
    }
}

/// `suite_id = "HPKE" ‖ I2OSP(kem_id, 2) ‖ I2OSP(kdf_id, 2) ‖ I2OSP(aead_id, 2)` (§5.1).
fn suite_id(suite: Suite) -> [u8; 10] {
    let (kem, kdf, aead) = suite.ids();
    let mut id = [0u8; 10];
    id[..4].copy_from_slice(b"HPKE");
    id[4..6].copy_from_slice(&kem.to_be_bytes());
    id[6..8].copy_from_slice(&kdf.to_be_bytes());
    id[8..10].copy_from_slice(&aead.to_be_bytes());
    id
}

/// `LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" ‖ suite_id ‖ label ‖ ikm)`.
/// An empty `salt` is HKDF's default (Nh zero bytes), exactly as RFC 5869 and RFC 9180 intend.
fn labeled_extract(
    suite_id: &[u8],
    salt: &[u8],
    label: &[u8],
    ikm: &[u8],
) -> (Zeroizing<[u8; HASH_LEN]>, Hkdf<Sha256>) {
    let mut ext = HkdfExtract::<Sha256>::new(Some(salt));
    for part in [HPKE_V1, suite_id, label, ikm] {
        ext.input_ikm(part);
    }
    let (mut prk, hkdf) = ext.finalize();
    let mut out = Zeroizing::new([0u8; HASH_LEN]);
    out.copy_from_slice(&prk);
    zeroize::Zeroize::zeroize(&mut prk[..]);
    (out, hkdf)
}

/// `LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖
/// label ‖ info, L)`, with `L = out.len()`.
fn labeled_expand(prk: &Hkdf<Sha256>, suite_id: &[u8], label: &[u8], info: &[u8], out: &mut [u8]) {
    let len = u16::try_from(out.len()).expect("AEAD key and nonce lengths fit in u16");
    prk.expand_multi_info(&[&len.to_be_bytes(), HPKE_V1, suite_id, label, info], out)
        .expect("AEAD key and nonce lengths are far below 255 * Nh");
}

/// The AEAD context of a base-mode single-shot HPKE call: the key and `base_nonce` from
/// `KeySchedule(mode_base, shared_secret, info, "", "")` (RFC 9180 §5.1). Single-shot seal and
/// open use sequence number 0, so the nonce is `base_nonce` itself.
struct Context {
    key: aead::Key,
    nonce: Zeroizing<[u8; NONCE_LEN]>,
}

impl Context {
    fn new(suite: Suite, shared_secret: &[u8], info: &[u8]) -> Context {
        let sid = suite_id(suite);
        // psk_id_hash = LabeledExtract("", "psk_id_hash", psk_id) with psk_id = "".
        let (psk_id_hash, _) = labeled_extract(&sid, b"", b"psk_id_hash", b"");
        // info_hash = LabeledExtract("", "info_hash", info).
        let (info_hash, _) = labeled_extract(&sid, b"", b"info_hash", info);
        // key_schedule_context = mode ‖ psk_id_hash ‖ info_hash.
        let mut ctx = [0u8; 1 + 2 * HASH_LEN];
        ctx[0] = MODE_BASE;
        ctx[1..1 + HASH_LEN].copy_from_slice(&*psk_id_hash);
        ctx[1 + HASH_LEN..].copy_from_slice(&*info_hash);
        // secret = LabeledExtract(shared_secret, "secret", psk) with psk = "".
        let (_secret, secret) = labeled_extract(&sid, shared_secret, b"secret", b"");

        let nk = key_len(suite.aead());
        let mut key = Zeroizing::new([0u8; MAX_KEY_LEN]);
        labeled_expand(&secret, &sid, b"key", &ctx, &mut key[..nk]);
        let mut nonce = Zeroizing::new([0u8; NONCE_LEN]);
        labeled_expand(&secret, &sid, b"base_nonce", &ctx, &mut nonce[..]);

        Context {
            key: aead::Key::new(suite.aead(), &key[..nk]),
            nonce,
        }
    }

    /// The nonce for sequence number 0: `base_nonce` XOR I2OSP(0, Nn) = `base_nonce`.
    fn nonce(&self) -> &[u8; NONCE_LEN] {
        &self.nonce
    }
}

/// `SealBase(pkR, info, aad, pt)`: returns `(enc, ciphertext ‖ tag)`.
pub(crate) fn seal_base(
    suite: Suite,
    recipient: &PublicKey,
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut impl CryptoRng,
) -> Result<(PublicKey, Vec<u8>), Error> {
    // The buffer holds plaintext until sealed in place; zeroize it if sealing fails. The
    // capacity covers the tag, so appending it never reallocates.
    let mut buf = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LEN));
    buf.extend_from_slice(plaintext);
    let enc = seal_base_in_place(suite, recipient, info, aad, &mut buf, rng)?;
    Ok((enc, std::mem::take(&mut *buf)))
}

/// `SealBase` in place: `buf` holds the plaintext and becomes `ciphertext ‖ tag`; returns
/// `enc`. Saves the plaintext copy (on a 100 MB payload, writing fresh pages costs more than
/// the AEAD itself). If `buf` lacks room for the tag it grows without leaving an unwiped copy.
pub(crate) fn seal_base_in_place(
    suite: Suite,
    recipient: &PublicKey,
    info: &[u8],
    aad: &[u8],
    buf: &mut Zeroizing<Vec<u8>>,
    rng: &mut impl CryptoRng,
) -> Result<PublicKey, Error> {
    if recipient.kem() != suite.kem() {
        return Err(Error::KeyMismatch);
    }
    let (enc, ctx) = match suite.kem() {
        Kem::X25519HkdfSha256 => {
            encap::<hpke::kem::X25519HkdfSha256>(suite, recipient.as_bytes(), info, rng)?
        }
        Kem::P256HkdfSha256 => {
            encap::<hpke::kem::DhP256HkdfSha256>(suite, recipient.as_bytes(), info, rng)?
        }
    };
    let tag = ctx
        .key
        .seal_in_place(ctx.nonce(), aad, &mut buf[..])
        .map_err(|()| Error::EncryptionFailed)?;
    // From here `buf` holds ciphertext: growing it (if it must) leaks nothing.
    buf.extend_from_slice(&tag);
    PublicKey::from_bytes(suite.kem(), &enc).map_err(|_| Error::EncryptionFailed)
}

/// `Encap(pkR)` then the key schedule: returns `(enc, context)`.
fn encap<K: hpke::Kem>(
    suite: Suite,
    pk: &[u8],
    info: &[u8],
    rng: &mut impl CryptoRng,
) -> Result<(Vec<u8>, Context), Error> {
    let pk = K::PublicKey::from_bytes(pk).map_err(|_| Error::InvalidKey("invalid public key"))?;
    let (shared_secret, enc) =
        K::encap_with_rng(&pk, None, rng).map_err(|_| Error::EncryptionFailed)?;
    // `shared_secret` wipes itself on drop.
    let ctx = Context::new(suite, &shared_secret.0, info);
    Ok((enc.to_bytes().to_vec(), ctx))
}

/// `OpenBase(enc, skR, info, aad, ct)`. Every failure is [`Error::DecryptionFailed`].
pub(crate) fn open_base(
    suite: Suite,
    key: &PrivateKey,
    enc: &PublicKey,
    info: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    open_base_in_place(
        suite,
        key,
        enc,
        info,
        aad,
        Zeroizing::new(ciphertext.to_vec()),
    )
}

/// `OpenBase` in place: `buf` holds `ciphertext ‖ tag` and becomes the plaintext (same
/// allocation, tag length cut off). On failure `buf` is wiped on drop.
pub(crate) fn open_base_in_place(
    suite: Suite,
    key: &PrivateKey,
    enc: &PublicKey,
    info: &[u8],
    aad: &[u8],
    mut buf: Zeroizing<Vec<u8>>,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    if key.kem() != suite.kem() || enc.kem() != suite.kem() {
        return Err(Error::KeyMismatch);
    }
    let ctx = match suite.kem() {
        Kem::X25519HkdfSha256 => {
            decap::<hpke::kem::X25519HkdfSha256>(suite, key.secret_bytes(), enc.as_bytes(), info)?
        }
        Kem::P256HkdfSha256 => {
            decap::<hpke::kem::DhP256HkdfSha256>(suite, key.secret_bytes(), enc.as_bytes(), info)?
        }
    };
    if buf.len() < TAG_LEN {
        return Err(Error::DecryptionFailed);
    }
    let len = ctx
        .key
        .open_in_place(ctx.nonce(), aad, &mut buf[..])
        .map_err(|()| Error::DecryptionFailed)?;
    // Dropping the tag keeps the allocation; `Zeroizing` wipes its full capacity on drop.
    buf.truncate(len);
    Ok(buf)
}

/// `Decap(enc, skR)` then the key schedule.
fn decap<K: hpke::Kem>(suite: Suite, sk: &[u8], enc: &[u8], info: &[u8]) -> Result<Context, Error> {
    let sk = K::PrivateKey::from_bytes(sk).map_err(|_| Error::InvalidKey("invalid private key"))?;
    let enc = K::EncappedKey::from_bytes(enc).map_err(|_| Error::DecryptionFailed)?;
    let shared_secret = K::decap(&sk, None, &enc).map_err(|_| Error::DecryptionFailed)?;
    Ok(Context::new(suite, &shared_secret.0, info))
}
