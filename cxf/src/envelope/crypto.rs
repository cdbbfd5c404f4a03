//! Single-shot HPKE base mode over the supported suites (RFC 9180 §6.1).

use hpke::aead::{AeadTag, AesGcm128, AesGcm256, ChaCha20Poly1305};
use hpke::inout::InOutBuf;
use hpke::kdf::HkdfSha256;
use hpke::kem::{DhP256HkdfSha256, X25519HkdfSha256};
use hpke::rand_core::CryptoRng;
use hpke::{Deserializable as _, OpModeR, OpModeS, Serializable as _};
use zeroize::Zeroizing;

use super::Error;
use super::keys::{PrivateKey, PublicKey};
use super::suite::{Aead, Kem, Suite};

/// AEAD tag length of every supported AEAD (`Nt`).
pub(crate) const TAG_LEN: usize = 16;

macro_rules! dispatch {
    ($suite:expr, $f:ident, $($arg:expr),*) => {
        match ($suite.kem(), $suite.aead()) {
            (Kem::X25519HkdfSha256, Aead::Aes128Gcm) => $f::<AesGcm128, X25519HkdfSha256>($($arg),*),
            (Kem::X25519HkdfSha256, Aead::Aes256Gcm) => $f::<AesGcm256, X25519HkdfSha256>($($arg),*),
            (Kem::X25519HkdfSha256, Aead::ChaCha20Poly1305) => $f::<ChaCha20Poly1305, X25519HkdfSha256>($($arg),*),
            (Kem::P256HkdfSha256, Aead::Aes128Gcm) => $f::<AesGcm128, DhP256HkdfSha256>($($arg),*),
            (Kem::P256HkdfSha256, Aead::Aes256Gcm) => $f::<AesGcm256, DhP256HkdfSha256>($($arg),*),
            (Kem::P256HkdfSha256, Aead::ChaCha20Poly1305) => $f::<ChaCha20Poly1305, DhP256HkdfSha256>($($arg),*),
        }
    };
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
    if recipient.kem() != suite.kem() {
        return Err(Error::KeyMismatch);
    }
    let (enc, ct) = dispatch!(
        suite,
        seal_with,
        recipient.as_bytes(),
        info,
        aad,
        plaintext,
        rng
    )?;
    let enc = PublicKey::from_bytes(suite.kem(), &enc).map_err(|_| Error::EncryptionFailed)?;
    Ok((enc, ct))
}

fn seal_with<A: hpke::aead::Aead, K: hpke::Kem>(
    pk: &[u8],
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut impl CryptoRng,
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let pk = K::PublicKey::from_bytes(pk).map_err(|_| Error::InvalidKey("invalid public key"))?;
    // The buffer holds plaintext until sealed in place; zeroize it if sealing fails.
    let mut buf = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LEN));
    buf.extend_from_slice(plaintext);
    let (enc, tag) = hpke::single_shot_seal_inout_detached_with_rng::<A, HkdfSha256, K>(
        &OpModeS::Base,
        &pk,
        info,
        InOutBuf::from(&mut buf[..]),
        aad,
        rng,
    )
    .map_err(|_| Error::EncryptionFailed)?;
    buf.extend_from_slice(&tag.to_bytes());
    let ct = std::mem::take(&mut *buf);
    Ok((enc.to_bytes().to_vec(), ct))
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
    if key.kem() != suite.kem() || enc.kem() != suite.kem() {
        return Err(Error::KeyMismatch);
    }
    dispatch!(
        suite,
        open_with,
        key.secret_bytes(),
        enc.as_bytes(),
        info,
        aad,
        ciphertext
    )
}

fn open_with<A: hpke::aead::Aead, K: hpke::Kem>(
    sk: &[u8],
    enc: &[u8],
    info: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let sk = K::PrivateKey::from_bytes(sk).map_err(|_| Error::InvalidKey("invalid private key"))?;
    let enc = K::EncappedKey::from_bytes(enc).map_err(|_| Error::DecryptionFailed)?;
    if ciphertext.len() < TAG_LEN {
        return Err(Error::DecryptionFailed);
    }
    let (body, tag) = ciphertext.split_at(ciphertext.len() - TAG_LEN);
    let tag = AeadTag::<A>::from_bytes(tag).map_err(|_| Error::DecryptionFailed)?;
    let mut buf = Zeroizing::new(body.to_vec());
    hpke::single_shot_open_inout_detached::<A, HkdfSha256, K>(
        &OpModeR::Base,
        &sk,
        &enc,
        info,
        InOutBuf::from(&mut buf[..]),
        aad,
        &tag,
    )
    .map_err(|_| Error::DecryptionFailed)?;
    Ok(buf)
}
