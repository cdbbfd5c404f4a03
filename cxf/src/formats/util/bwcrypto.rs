//! Decryption and encryption of Bitwarden password-protected exports.
//!
//! Layout (checked against real exports): the file key is PBKDF2-HMAC-SHA256 or Argon2id of the
//! password over the `salt` string's UTF-8 bytes (Argon2id hashes that string with SHA-256 first,
//! memory given in MiB); HKDF-Expand-SHA256 of it with `enc` and `mac` gives the AES-256-CBC and
//! HMAC-SHA256 keys; `data` and the validation value are "EncString type 2":
//! `2.<iv b64>|<ciphertext b64>|<mac b64>`, the MAC covering `iv || ciphertext`.
//!
//! Every failure (wrong password, tampered data, bad padding) is the one opaque
//! [`DecryptError`].

use aes::cipher::{
    BlockModeDecrypt as _, BlockModeEncrypt as _, KeyIvInit as _, block_padding::Pkcs7,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::Mac as _;
use sha2::Digest as _;
use zeroize::Zeroizing;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The one error of this module: "decryption failed", whatever the stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DecryptError;

/// Key-derivation settings read from the export header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kdf {
    /// PBKDF2-HMAC-SHA256 with this many iterations.
    Pbkdf2 {
        /// Iterations.
        iterations: u32,
    },
    /// Argon2id.
    Argon2id {
        /// Passes.
        iterations: u32,
        /// Memory in MiB.
        memory_mib: u32,
        /// Lanes.
        parallelism: u32,
    },
}

/// Upper bounds on the KDF cost an export may ask for (Bitwarden's own maxima), so that a hostile
/// file cannot make us spin or allocate without end.
pub(crate) const MAX_PBKDF2_ITERATIONS: u32 = 2_000_000;
/// Argon2id passes limit.
pub(crate) const MAX_ARGON2_ITERATIONS: u32 = 10;
/// Argon2id memory limit in MiB.
pub(crate) const MAX_ARGON2_MEMORY_MIB: u32 = 1024;
/// Argon2id lanes limit.
pub(crate) const MAX_ARGON2_PARALLELISM: u32 = 16;

impl Kdf {
    /// Checks the parameters against the limits above.
    pub(crate) fn within_limits(self) -> bool {
        match self {
            Self::Pbkdf2 { iterations } => (1..=MAX_PBKDF2_ITERATIONS).contains(&iterations),
            Self::Argon2id {
                iterations,
                memory_mib,
                parallelism,
            } => {
                (1..=MAX_ARGON2_ITERATIONS).contains(&iterations)
                    && (1..=MAX_ARGON2_MEMORY_MIB).contains(&memory_mib)
                    && (1..=MAX_ARGON2_PARALLELISM).contains(&parallelism)
            }
        }
    }
}

/// The pair of keys that opens EncStrings.
pub(crate) struct FileKeys {
    enc: Zeroizing<[u8; 32]>,
    mac: Zeroizing<[u8; 32]>,
}

impl core::fmt::Debug for FileKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("FileKeys(<redacted>)")
    }
}

/// Derives the file keys from the password and the header's salt string.
pub(crate) fn derive_keys(password: &[u8], salt: &str, kdf: Kdf) -> Result<FileKeys, DecryptError> {
    if !kdf.within_limits() {
        return Err(DecryptError);
    }
    let mut master = Zeroizing::new([0u8; 32]);
    match kdf {
        Kdf::Pbkdf2 { iterations } => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
                password,
                salt.as_bytes(),
                iterations,
                master.as_mut(),
            );
        }
        Kdf::Argon2id {
            iterations,
            memory_mib,
            parallelism,
        } => {
            let params = argon2::Params::new(memory_mib * 1024, iterations, parallelism, Some(32))
                .map_err(|_| DecryptError)?;
            let salt_hash = sha2::Sha256::digest(salt.as_bytes());
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
                .hash_password_into(password, &salt_hash, master.as_mut())
                .map_err(|_| DecryptError)?;
        }
    }
    Ok(FileKeys {
        enc: hkdf_expand(&master[..], b"enc")?,
        mac: hkdf_expand(&master[..], b"mac")?,
    })
}

/// HKDF-Expand (RFC 5869) with SHA-256 for a 32-byte output: one block, `T(1)`.
fn hkdf_expand(prk: &[u8], info: &[u8]) -> Result<Zeroizing<[u8; 32]>, DecryptError> {
    let mut mac = <HmacSha256 as hmac::KeyInit>::new_from_slice(prk).map_err(|_| DecryptError)?;
    mac.update(info);
    mac.update(&[1]);
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    Ok(out)
}

/// Opens an EncString of type 2 (AES-256-CBC, HMAC-SHA256), verifying the MAC first.
pub(crate) fn decrypt_enc_string(
    keys: &FileKeys,
    enc_string: &str,
) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    let body = enc_string.trim().strip_prefix("2.").ok_or(DecryptError)?;
    let mut parts = body.split('|');
    let (Some(iv), Some(ct), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(DecryptError);
    };
    let iv = STANDARD.decode(iv).map_err(|_| DecryptError)?;
    let mut ct = Zeroizing::new(STANDARD.decode(ct).map_err(|_| DecryptError)?);
    let tag = STANDARD.decode(tag).map_err(|_| DecryptError)?;
    if iv.len() != 16 || ct.is_empty() || ct.len() % 16 != 0 {
        return Err(DecryptError);
    }
    let mut mac =
        <HmacSha256 as hmac::KeyInit>::new_from_slice(&keys.mac[..]).map_err(|_| DecryptError)?;
    mac.update(&iv);
    mac.update(&ct);
    mac.verify_slice(&tag).map_err(|_| DecryptError)?;
    let decryptor = cbc::Decryptor::<aes::Aes256>::new_from_slices(&keys.enc[..], &iv)
        .map_err(|_| DecryptError)?;
    let len = decryptor
        .decrypt_padded::<Pkcs7>(&mut ct)
        .map_err(|_| DecryptError)?
        .len();
    ct.truncate(len);
    Ok(ct)
}

/// Encrypts `plain` as an EncString of type 2 under a fresh random IV; `None` only when the
/// operating system's random number generator fails.
pub(crate) fn encrypt_enc_string(keys: &FileKeys, plain: &[u8]) -> Option<String> {
    let mut iv = [0u8; 16];
    getrandom::fill(&mut iv).ok()?;
    let padded = (plain.len() / 16 + 1) * 16;
    let mut buf = Zeroizing::new(vec![0u8; padded]);
    buf[..plain.len()].copy_from_slice(plain);
    let encryptor = cbc::Encryptor::<aes::Aes256>::new_from_slices(&keys.enc[..], &iv).ok()?;
    let ct = encryptor
        .encrypt_padded::<Pkcs7>(&mut buf, plain.len())
        .ok()?;
    let mut mac = <HmacSha256 as hmac::KeyInit>::new_from_slice(&keys.mac[..]).ok()?;
    mac.update(&iv);
    mac.update(ct);
    let tag = mac.finalize().into_bytes();
    Some(format!(
        "2.{}|{}|{}",
        STANDARD.encode(iv),
        STANDARD.encode(ct),
        STANDARD.encode(tag)
    ))
}

/// A fresh salt as Bitwarden writes it: 16 random bytes in base64 (the string is the salt).
pub(crate) fn new_salt() -> Option<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).ok()?;
    Some(STANDARD.encode(salt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enc_strings_round_trip_and_any_changed_byte_fails() {
        let keys = derive_keys(b"pw", "salt", Kdf::Pbkdf2 { iterations: 10 }).unwrap();
        for len in [0, 1, 15, 16, 17, 100] {
            let plain: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let enc = encrypt_enc_string(&keys, &plain).unwrap();
            assert_eq!(&decrypt_enc_string(&keys, &enc).unwrap()[..], &plain[..]);
        }
        let enc = encrypt_enc_string(&keys, b"hello").unwrap();
        let other = derive_keys(b"pw2", "salt", Kdf::Pbkdf2 { iterations: 10 }).unwrap();
        assert!(decrypt_enc_string(&other, &enc).is_err());
        let mut tampered = enc.into_bytes();
        tampered[5] ^= 1;
        assert!(decrypt_enc_string(&keys, &String::from_utf8_lossy(&tampered)).is_err());
    }
}
