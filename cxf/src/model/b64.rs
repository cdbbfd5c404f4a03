//! Base64url values (RFC 4648 §5): identifiers, key material, hashes.
//!
//! CXF writes binary data as unpadded base64url. Values are kept as text (so that an id that is
//! not valid base64url still round-trips and the validator can point at it); padded input and
//! the standard alphabet are normalised on read with a note.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use zeroize::{Zeroize, Zeroizing};

use crate::json::reader::{Reader, Result};
use crate::json::writer::Writer;
use crate::model::codec::{FromJson, ToJson};
use crate::parse::Ctx;
use crate::pointer::Path;
use crate::text::{Secret, Text};

/// Lenient decoder: URL-safe alphabet, padding optional, trailing bits allowed.
const DECODER: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Why a base64url value could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not valid base64url")]
pub struct B64Error;

fn decode(s: &str) -> std::result::Result<Vec<u8>, B64Error> {
    DECODER.decode(s).map_err(|_| B64Error)
}

/// The unpadded base64url alphabet, as a table.
static URL_SAFE: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        i += 1;
    }
    table
};

/// Whether `s` uses only the unpadded base64url alphabet.
pub(crate) fn is_url_safe(s: &str) -> bool {
    s.bytes().all(|b| URL_SAFE[b as usize])
}

/// Converts padded or standard-alphabet base64 to canonical unpadded base64url. Returns the
/// converted text and the note code, or `None` when `s` is canonical already or not base64 at
/// all (then it is kept as is for the validator to report).
fn canonicalize(s: &str) -> Option<(String, &'static str)> {
    if is_url_safe(s) {
        return None;
    }
    let trimmed = s.trim_end_matches('=');
    if s.len() - trimmed.len() > 2 {
        return None;
    }
    let standard = trimmed.contains(['+', '/']);
    let converted: String = trimmed
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    if !is_url_safe(&converted) {
        return None;
    }
    Some((
        converted,
        if standard {
            "base64-standard-alphabet"
        } else {
            "padded-base64url"
        },
    ))
}

fn note_for(code: &'static str) -> &'static str {
    if code == "padded-base64url" {
        "base64url padding removed"
    } else {
        "standard base64 alphabet converted to base64url"
    }
}

/// A base64url value that is not secret (identifiers, credential ids, hashes, fingerprints).
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct B64(Text);

impl B64 {
    /// Encodes bytes as unpadded base64url.
    pub fn encode(bytes: &[u8]) -> Self {
        B64(Text::from(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
        ))
    }

    /// Wraps text that is already base64url (not checked; see [`B64::decode`]).
    pub fn from_text(text: impl Into<Text>) -> Self {
        B64(text.into())
    }

    /// The value as written.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Decodes the value (padding optional).
    pub fn decode(&self) -> std::result::Result<Vec<u8>, B64Error> {
        decode(self.as_str())
    }
}

impl Deref for B64 {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for B64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for B64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for B64 {
    fn from(s: &str) -> Self {
        B64(Text::from(s))
    }
}

impl FromJson for B64 {
    fn from_json(r: &mut Reader<'_>, ctx: &mut Ctx, path: &Path<'_>) -> Result<Self> {
        let s = r.read_str(path)?;
        if let Some((fixed, code)) = canonicalize(&s) {
            ctx.note(code, path, note_for(code));
            return Ok(B64(Text::from(fixed)));
        }
        Ok(B64(match s {
            Cow::Borrowed(s) => Text::from(s),
            Cow::Owned(s) => Text::from(s),
        }))
    }
}

impl ToJson for B64 {
    fn to_json(&self, w: &mut Writer) {
        w.string(self.as_str());
    }
}

/// A secret base64url value (private keys, PRF seeds, credBlob, largeBlob): wiped on drop,
/// redacted in `Debug`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretB64(Secret);

impl SecretB64 {
    /// Encodes secret bytes as unpadded base64url.
    pub fn encode(bytes: &[u8]) -> Self {
        let text = Zeroizing::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
        SecretB64(Secret::new(text.as_str()))
    }

    /// Wraps a secret that is already base64url text.
    pub fn from_secret(secret: Secret) -> Self {
        SecretB64(secret)
    }

    /// The base64url text.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// Decodes into a buffer that is wiped on drop.
    pub fn decode(&self) -> std::result::Result<Zeroizing<Vec<u8>>, B64Error> {
        decode(self.expose()).map(Zeroizing::new)
    }
}

impl fmt::Debug for SecretB64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl SecretB64 {
    /// A secret read from `s` at `path`, canonicalised like every base64url member (padding
    /// removed, standard alphabet converted) with a note. Used where a value arrives outside
    /// the member reader, e.g. an older draft's secret moved to its 1.0 place.
    pub(crate) fn canonical_from(s: &str, ctx: &mut Ctx, path: &Path<'_>) -> Self {
        match canonicalize(s) {
            Some((mut fixed, code)) => {
                ctx.note(code, path, note_for(code));
                let secret = Secret::new(&fixed);
                fixed.zeroize();
                SecretB64(secret)
            }
            None => SecretB64(Secret::new(s)),
        }
    }
}

impl FromJson for SecretB64 {
    fn from_json(r: &mut Reader<'_>, ctx: &mut Ctx, path: &Path<'_>) -> Result<Self> {
        let s = r.read_str(path)?;
        let secret = SecretB64::canonical_from(&s, ctx, path);
        if let Cow::Owned(mut original) = s {
            original.zeroize();
        }
        Ok(secret)
    }
}

impl ToJson for SecretB64 {
    fn to_json(&self, w: &mut Writer) {
        w.string(self.expose());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalizes_padding_and_alphabet() {
        assert_eq!(canonicalize("YWJj"), None);
        assert_eq!(
            canonicalize("YWI="),
            Some(("YWI".into(), "padded-base64url"))
        );
        assert_eq!(
            canonicalize("+/8="),
            Some(("-_8".into(), "base64-standard-alphabet"))
        );
        assert_eq!(canonicalize("not base64!"), None);
    }

    #[test]
    fn decodes_padded_and_unpadded() {
        assert_eq!(B64::from("YWI").decode().unwrap(), b"ab");
        assert_eq!(B64::from("YWI=").decode().unwrap(), b"ab");
        assert!(B64::from("a!").decode().is_err());
        assert_eq!(B64::encode(b"ab").as_str(), "YWI");
    }
}
