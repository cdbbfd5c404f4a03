//! Base64url classification: canonical, padded, non-canonical or invalid.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig, general_purpose};
use zeroize::Zeroizing;

/// How a b64url string is written. Decoded bytes are wiped on drop (keys and seeds pass here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum B64 {
    /// Unpadded RFC 4648 §5 text that re-encodes to itself.
    Canonical(Zeroizing<Vec<u8>>),
    /// Decodes, but carries `=` padding.
    Padded(Zeroizing<Vec<u8>>),
    /// Decodes, but uses the standard alphabet (`+`, `/`) or has non-zero trailing bits.
    NonCanonical(Zeroizing<Vec<u8>>),
    /// Does not decode at all.
    Invalid,
}

impl B64 {
    /// The decoded bytes, when the text decodes.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> Option<&[u8]> {
        match self {
            B64::Canonical(b) | B64::Padded(b) | B64::NonCanonical(b) => Some(b),
            B64::Invalid => None,
        }
    }
}

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const URL_LENIENT: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);
const STD_LENIENT: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);

/// Classify `text` as written b64url.
pub(crate) fn classify(text: &str) -> B64 {
    if let Ok(b) = general_purpose::URL_SAFE_NO_PAD.decode(text) {
        return B64::Canonical(Zeroizing::new(b));
    }
    let unpadded = text.trim_end_matches('=');
    let padded = unpadded.len() != text.len();
    if let Ok(b) = URL_LENIENT.decode(text) {
        let b = Zeroizing::new(b);
        let strict = general_purpose::URL_SAFE_NO_PAD.decode(unpadded).is_ok();
        return if padded && strict {
            B64::Padded(b)
        } else {
            B64::NonCanonical(b)
        };
    }
    match STD_LENIENT.decode(text) {
        Ok(b) => B64::NonCanonical(Zeroizing::new(b)),
        Err(_) => B64::Invalid,
    }
}

/// Canonical unpadded base64url text of `bytes` (for tests and hints).
#[cfg(test)]
pub(crate) fn encode(bytes: &[u8]) -> String {
    general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_each_form() {
        assert_eq!(
            classify("AQID"),
            B64::Canonical(Zeroizing::new(vec![1, 2, 3]))
        );
        assert_eq!(classify(""), B64::Canonical(Zeroizing::new(vec![])));
        assert_eq!(classify("AQ"), B64::Canonical(Zeroizing::new(vec![1])));
        assert_eq!(classify("AQ=="), B64::Padded(Zeroizing::new(vec![1])));
        // trailing bits set: "AR" decodes to [1] only leniently
        assert_eq!(classify("AR"), B64::NonCanonical(Zeroizing::new(vec![1])));
        // standard alphabet
        assert_eq!(
            classify("+/8"),
            B64::NonCanonical(Zeroizing::new(vec![0xfb, 0xff]))
        );
        assert_eq!(
            classify("-_8"),
            B64::Canonical(Zeroizing::new(vec![0xfb, 0xff]))
        );
        assert_eq!(classify("a b"), B64::Invalid);
        assert_eq!(classify("A"), B64::Invalid);
        assert_eq!(classify("A=B"), B64::Invalid);
        assert_eq!(encode(&[1, 2, 3]), "AQID");
    }
}
