//! age files with a passphrase (<https://age-encryption.org/v1>, scrypt recipient): the
//! container `--encrypt` puts a CXF document in, so a backup or a hand-over is never plaintext
//! on disk. Any age file with a passphrase is opened the same way, whatever it holds: [`read()`]
//! and [`convert()`] open one before reading its content.
//!
//! The files are the age format's own (binary; armored files are read too), so the `age` and
//! `rage` tools decrypt ours and we decrypt theirs. Files encrypted to age keys (X25519, SSH,
//! plugins) need the key, not a passphrase: they are refused with a message saying so.
//!
//! [`read()`]: super::read
//! [`convert()`]: super::convert

use std::io::{Read as _, Write as _};

use age::secrecy::SecretString;
use zeroize::Zeroizing;

use crate::Secret;
use crate::formats::{Format, ReadError, WriteError};

/// scrypt work factor of the files we write: N = 2^18 (256 MiB, about a second here), what
/// the `age` tool picks on a typical machine.
pub(crate) const WORK_FACTOR: u8 = 18;
/// Test-only work factor ([`WriteOptions::dangerous_cheap_kdf`](super::WriteOptions)).
pub(crate) const CHEAP_WORK_FACTOR: u8 = 10;
/// The largest work factor we accept when opening a file: N = 2^20 needs 1 GiB, the same bound
/// as the Argon2 memory of Bitwarden exports. A hostile file cannot ask for more.
pub(crate) const MAX_WORK_FACTOR: u8 = 20;

/// Whether `bytes` is an age file (binary or armored).
pub fn is_age(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..];
    bytes.starts_with(b"age-encryption.org/v1\n")
        || head.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
}

fn passphrase(password: &Secret) -> SecretString {
    SecretString::from(password.expose().to_owned())
}

/// Encrypts `plain` to `password` (scrypt with 2^`work_factor`).
pub(crate) fn seal(
    plain: &[u8],
    password: &Secret,
    work_factor: u8,
    format: Format,
) -> Result<Zeroizing<Vec<u8>>, WriteError> {
    let fail = |message: &str| WriteError::Encrypt {
        format,
        message: message.to_owned(),
    };
    let mut recipient = age::scrypt::Recipient::new(passphrase(password));
    recipient.set_work_factor(work_factor);
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as _))
        .map_err(|_| fail("age encryption could not start"))?;
    // age adds a 16-byte tag per 64 KiB chunk and a header of about 200 bytes.
    let mut out = Zeroizing::new(Vec::with_capacity(plain.len() + plain.len() / 4096 + 256));
    let mut writer = encryptor
        .wrap_output(&mut *out)
        .map_err(|_| fail("age encryption failed"))?;
    writer
        .write_all(plain)
        .and_then(|()| writer.finish().map(drop))
        .map_err(|_| fail("age encryption failed"))?;
    Ok(out)
}

/// Decrypts an age file with a passphrase. The plaintext may be at most `max_bytes` long.
///
/// # Errors
/// [`ReadError::PasswordRequired`] without a password; [`ReadError::DecryptionFailed`] for a
/// wrong passphrase or damaged file (not told apart); [`ReadError::Unsupported`] for a file
/// encrypted to a key rather than a passphrase, or whose work factor is above
/// [`MAX_WORK_FACTOR`]; [`ReadError::Limit`] when the content is larger than `max_bytes`.
pub(crate) fn open(
    bytes: &[u8],
    password: Option<&Secret>,
    max_bytes: usize,
) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    let unsupported = |message: String| ReadError::Unsupported {
        format: Format::Cxf,
        message,
    };
    let decryptor = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(bytes))
        .map_err(|_| ReadError::DecryptionFailed)?;
    if !decryptor.is_scrypt() {
        return Err(unsupported(
            "this age file is encrypted to a key, not a passphrase; decrypt it with `age -d -i KEYFILE` first".to_owned(),
        ));
    }
    let password = password.ok_or(ReadError::PasswordRequired)?;
    let mut identity = age::scrypt::Identity::new(passphrase(password));
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    let reader = decryptor
        .decrypt(std::iter::once(&identity as _))
        .map_err(|e| match e {
            age::DecryptError::ExcessiveWork { required, .. } => unsupported(format!(
                "the age file asks for a scrypt work factor of 2^{required}, above the accepted 2^{MAX_WORK_FACTOR}"
            )),
            _ => ReadError::DecryptionFailed,
        })?;
    let mut plain = Zeroizing::new(Vec::new());
    let limit = u64::try_from(max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    reader
        .take(limit)
        .read_to_end(&mut plain)
        .map_err(|_| ReadError::DecryptionFailed)?;
    if plain.len() > max_bytes {
        return Err(ReadError::Limit {
            limit: "max_document_bytes",
            max: max_bytes,
        });
    }
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_what_it_seals_and_refuses_a_wrong_passphrase() {
        let pw = Secret::new("correct horse");
        let sealed = seal(b"{\"a\":1}", &pw, CHEAP_WORK_FACTOR, Format::Cxf).unwrap();
        assert!(is_age(&sealed));
        assert!(sealed.starts_with(b"age-encryption.org/v1\n-> scrypt "));
        assert_eq!(&open(&sealed, Some(&pw), 100).unwrap()[..], b"{\"a\":1}");
        assert!(matches!(
            open(&sealed, Some(&Secret::new("wrong")), 100),
            Err(ReadError::DecryptionFailed)
        ));
        assert!(matches!(
            open(&sealed, None, 100),
            Err(ReadError::PasswordRequired)
        ));
        assert!(matches!(
            open(&sealed, Some(&pw), 3),
            Err(ReadError::Limit { max: 3, .. })
        ));
    }

    #[test]
    fn refuses_a_work_factor_above_the_cap_before_running_it() {
        let pw = Secret::new("pw");
        // Sealing at 2^30 would take minutes and 128 GiB: raise the stanza's work factor of a
        // cheap file instead (its header MAC then fails, but the cap is checked first).
        let cheap = seal(b"x", &pw, CHEAP_WORK_FACTOR, Format::Cxf).unwrap();
        let text = cheap.to_vec();
        let line_end = text.iter().skip(22).position(|&b| b == b'\n').unwrap() + 22;
        let line = String::from_utf8(text[22..line_end].to_vec()).unwrap();
        let raised = line.replace(" 10", " 30");
        let mut forged = text[..22].to_vec();
        forged.extend_from_slice(raised.as_bytes());
        forged.extend_from_slice(&text[line_end..]);
        let started = std::time::Instant::now();
        let err = open(&forged, Some(&pw), 100).unwrap_err();
        assert!(
            matches!(&err, ReadError::Unsupported { message, .. } if message.contains("2^30")),
            "{err:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn recognises_binary_and_armored_files_only() {
        assert!(is_age(b"age-encryption.org/v1\n-> scrypt x 10\n"));
        assert!(is_age(b"\n-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n"));
        assert!(!is_age(b"{\"age-encryption.org/v1\":1}"));
    }
}
