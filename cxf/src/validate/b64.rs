//! Base64url classification: canonical, padded, non-canonical or invalid.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig, general_purpose};
use zeroize::{Zeroize as _, Zeroizing};

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const URL_LENIENT: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);
const STD_LENIENT: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);

/// How a b64url string is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// Unpadded RFC 4648 §5 text that re-encodes to itself.
    Canonical,
    /// Decodes, but carries `=` padding.
    Padded,
    /// Decodes, but uses the standard alphabet (`+`, `/`) or has non-zero trailing bits.
    NonCanonical,
    /// Does not decode at all.
    Invalid,
}

/// The bytes of `text` however it is written (tests: fixtures' keys).
#[cfg(test)]
pub(crate) fn decode(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    assert_ne!(classify_into(text, &mut out), Form::Invalid, "{text}");
    out
}

/// Classify `text`, decoding it into `out` (cleared first; left empty when invalid). For
/// values decoded by the hundred thousand (ids), into one reused buffer.
pub(crate) fn classify_into(text: &str, out: &mut Vec<u8>) -> Form {
    let mut decode = |engine: &GeneralPurpose, input: &str| {
        out.clear();
        let ok = engine.decode_vec(input, out).is_ok();
        if !ok {
            // A failed attempt may have written part of a secret.
            out.zeroize();
        }
        ok
    };
    if decode(&general_purpose::URL_SAFE_NO_PAD, text) {
        return Form::Canonical;
    }
    let unpadded = text.trim_end_matches('=');
    let padded = unpadded.len() != text.len();
    if decode(&URL_LENIENT, text) {
        // Padding is the only flaw when the unpadded text decodes strictly (into a wiped
        // buffer: keys and seeds pass here).
        let strict = padded
            && general_purpose::URL_SAFE_NO_PAD
                .decode_vec(unpadded, &mut Zeroizing::new(Vec::new()))
                .is_ok();
        return if strict {
            Form::Padded
        } else {
            Form::NonCanonical
        };
    }
    if decode(&STD_LENIENT, text) {
        Form::NonCanonical
    } else {
        Form::Invalid
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

    fn classify(text: &str) -> (Form, Vec<u8>) {
        let mut out = vec![9, 9];
        (classify_into(text, &mut out), out)
    }

    #[test]
    fn classifies_each_form() {
        use Form::*;
        assert_eq!(classify("AQID"), (Canonical, vec![1, 2, 3]));
        assert_eq!(classify(""), (Canonical, vec![]));
        assert_eq!(classify("AQ"), (Canonical, vec![1]));
        assert_eq!(classify("AQ=="), (Padded, vec![1]));
        // trailing bits set: "AR" decodes to [1] only leniently
        assert_eq!(classify("AR"), (NonCanonical, vec![1]));
        // standard alphabet
        assert_eq!(classify("+/8"), (NonCanonical, vec![0xfb, 0xff]));
        assert_eq!(classify("-_8"), (Canonical, vec![0xfb, 0xff]));
        // invalid text leaves the buffer empty
        assert_eq!(classify("a b"), (Invalid, vec![]));
        assert_eq!(classify("A"), (Invalid, vec![]));
        assert_eq!(classify("A=B"), (Invalid, vec![]));
        assert_eq!(encode(&[1, 2, 3]), "AQID");
    }
}
