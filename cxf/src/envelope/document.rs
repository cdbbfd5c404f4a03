//! [`Document`]-level helpers: seal a CXF document, open straight into a parsed one.

use zeroize::Zeroizing;

use super::{Binding, Error, Limits, PrivateKey, Profile, Recipient, Sealed, open_detect, seal};
use crate::{Document, Parsed};

/// Seals `document` (its canonical CXF 1.0 JSON) to `recipient`.
pub fn seal_document(
    document: &Document,
    recipient: &Recipient,
    profile: Profile,
    binding: &Binding<'_>,
    limits: &Limits,
) -> Result<Sealed, Error> {
    let json: Zeroizing<Vec<u8>> = document.to_json_vec();
    seal(&json, recipient, profile, binding, limits)
}

/// Opens `sealed` (any profile) and parses the plaintext as CXF under `cxf_limits`.
///
/// A plaintext that is not a readable CXF document is reported as
/// [`Error::DecryptionFailed`] like every other failure after decapsulation, so the outcome
/// is no oracle on the payload. Parse it yourself from [`super::open`]'s output to debug a
/// peer.
pub fn open_document(
    sealed: &Sealed,
    key: &PrivateKey,
    binding: &Binding<'_>,
    limits: &Limits,
    cxf_limits: &crate::Limits,
) -> Result<(Parsed, Profile), Error> {
    let (plaintext, profile) = open_detect(sealed, key, binding, limits)?;
    let parsed = Document::parse(&plaintext, cxf_limits).map_err(|_| Error::DecryptionFailed)?;
    Ok((parsed, profile))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{Kem, Suite};

    #[test]
    fn a_document_survives_sealing_and_opening() {
        let input = br#"{"version":{"major":1,"minor":0},"exporterRpId":"e.example","exporterDisplayName":"E","timestamp":1760000000,"accounts":[{"id":"AAEC","username":"","email":"a@example.com","collections":[],"items":[{"id":"AwQF","title":"Mail","credentials":[{"type":"basic-auth","password":{"fieldType":"concealed-string","value":"hunter2"}}]}]}]}"#;
        let doc = Document::parse(input, &crate::Limits::default())
            .unwrap()
            .document;
        let sk = PrivateKey::generate(Kem::P256HkdfSha256);
        let to = Recipient::new(Suite::P256_AES256GCM, sk.public_key().clone()).unwrap();
        let binding = Binding {
            importer: "i.example",
            request: b"{\"version\":0}",
        };
        let limits = Limits::default();
        for profile in Profile::ALL {
            let sealed = seal_document(&doc, &to, profile, &binding, &limits).unwrap();
            assert!(!sealed.payload.contains("hunter2"));
            let (parsed, detected) =
                open_document(&sealed, &sk, &binding, &limits, &crate::Limits::default()).unwrap();
            assert_eq!(detected, profile);
            assert_eq!(&parsed.document.to_json_vec()[..], &doc.to_json_vec()[..]);
        }
        // Not CXF inside: the same opaque error.
        let sealed =
            super::super::seal(b"[1,2]", &to, Profile::DEFAULT, &binding, &limits).unwrap();
        assert_eq!(
            open_document(&sealed, &sk, &binding, &limits, &crate::Limits::default()).unwrap_err(),
            Error::DecryptionFailed
        );
    }
}
