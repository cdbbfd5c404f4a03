//! Passkey checks (§3.3.12): key, credential id, user handle, RP ID, fido2Extensions.

use std::io::Read as _;

use super::ctx::{Ptr, Sink};
use super::formats::{self, DomainProblem};
use super::keys::{self, KeyAlg, KeyCheck};
use super::rules;

/// Inflation cap for one `largeBlob.data` (a claim from the document; never trust it).
pub(crate) const MAX_LARGE_BLOB_BYTES: u64 = 1 << 20;
/// Total bytes one validation run inflates across all large blobs; blobs past this budget are
/// not inflated (so a document of many blob bombs costs bounded time).
pub(crate) const LARGE_BLOB_BUDGET: u64 = 64 << 20;

/// Check the passkey private key `der` (decoded `key`, at `at`).
pub(crate) fn check_key(sink: &mut Sink, at: &Ptr, der: &[u8]) {
    match keys::analyse(der) {
        KeyCheck::Pkcs8 { alg, problem } => {
            if let Some(problem) = problem {
                sink.push(rules::PASSKEY_KEY_INVALID, at, problem);
            }
            if matches!(alg, KeyAlg::OtherEc(_) | KeyAlg::Other(_)) {
                sink.push_hint(
                    rules::PASSKEY_KEY_ALGORITHM,
                    at,
                    format!("the key is a PKCS#8 {} key, which WebAuthn does not use", alg.name()),
                    "WebAuthn credentials are EC P-256/P-384/P-521, Ed25519, Ed448 or RSA keys",
                );
            }
        }
        KeyCheck::Sec1 => sink.push_hint(
            rules::PASSKEY_KEY_PKCS8,
            at,
            "the key is a SEC1 ECPrivateKey (RFC 5915), not a PKCS#8 PrivateKeyInfo",
            "wrap it in PKCS#8 (e.g. `openssl pkcs8 -topk8 -nocrypt -outform DER`) before base64url-encoding",
        ),
        KeyCheck::Pkcs1 => sink.push_hint(
            rules::PASSKEY_KEY_PKCS8,
            at,
            "the key is a PKCS#1 RSAPrivateKey, not a PKCS#8 PrivateKeyInfo",
            "wrap it in PKCS#8 before base64url-encoding",
        ),
        KeyCheck::OpenSsh | KeyCheck::NotPkcs8 => sink.push_hint(
            rules::PASSKEY_KEY_PKCS8,
            at,
            "the key is not a PKCS#8 PrivateKeyInfo (DER)",
            "export the credential private key as PKCS#8 DER, then base64url-encode it",
        ),
    }
}

/// Check the decoded `credentialId` length (WebAuthn: 1..=1023 bytes).
pub(crate) fn check_credential_id(sink: &mut Sink, at: &Ptr, bytes: &[u8]) {
    if bytes.is_empty() || bytes.len() > 1023 {
        sink.push_hint(
            rules::PASSKEY_CREDENTIAL_ID,
            at,
            format!(
                "credentialId is {} bytes; a WebAuthn credential id has 1 to 1023 bytes",
                bytes.len()
            ),
            "credentialId must be the raw credential id (rawId) from registration",
        );
    }
}

/// Check the decoded `userHandle` length (WebAuthn user.id: 1..=64 bytes).
pub(crate) fn check_user_handle(sink: &mut Sink, at: &Ptr, bytes: &[u8]) {
    if bytes.is_empty() || bytes.len() > 64 {
        sink.push_hint(
            rules::PASSKEY_USER_HANDLE,
            at,
            format!(
                "userHandle is {} bytes; a WebAuthn user handle has 1 to 64 bytes",
                bytes.len()
            ),
            "userHandle must be the user.id the relying party sent at registration",
        );
    }
}

/// Check that `rp_id` is a domain.
pub(crate) fn check_rp_id(sink: &mut Sink, at: &Ptr, rp_id: &str) {
    let problem = match formats::check_domain(rp_id) {
        Ok(()) => return,
        Err(DomainProblem::Empty) => "rpId is empty",
        Err(DomainProblem::Url) => "rpId looks like a URL; an RP ID is a bare domain",
        Err(DomainProblem::Malformed) => "rpId is not a valid domain",
    };
    sink.push_hint(
        rules::PASSKEY_RP_ID,
        at,
        format!("{problem} ({})", formats::quote(rp_id)),
        "use the RP ID from registration, e.g. \"example.com\" (no scheme, port or path)",
    );
}

/// Check `hmacCredentials` (at `at`): algorithm and seed lengths.
pub(crate) fn check_hmac(
    sink: &mut Sink,
    at: &Ptr,
    algorithm: &str,
    with_uv: &[u8],
    without_uv: &[u8],
) {
    if algorithm != "hmac-sha256" {
        sink.push_hint(
            rules::PASSKEY_HMAC_ALGORITHM,
            &at.key("algorithm"),
            format!(
                "unknown hmacCredentials algorithm {}",
                formats::quote(algorithm)
            ),
            "the only defined value is \"hmac-sha256\"; importers ignore this entry otherwise",
        );
    }
    for (name, seed) in [("credWithUV", with_uv), ("credWithoutUV", without_uv)] {
        if seed.len() != 32 {
            sink.push(
                rules::PASSKEY_HMAC_LENGTH,
                &at.key(name),
                format!("{name} is {} bytes; it should be 32", seed.len()),
            );
        }
    }
}

/// Check `largeBlob` (at `at`): `data` is raw DEFLATE inflating to `uncompressed_size` bytes.
pub(crate) fn check_large_blob(sink: &mut Sink, at: &Ptr, uncompressed_size: u64, data: &[u8]) {
    if uncompressed_size > MAX_LARGE_BLOB_BYTES {
        sink.push(
            rules::PASSKEY_LARGE_BLOB,
            at,
            format!(
                "largeBlob claims {uncompressed_size} bytes uncompressed, above the {MAX_LARGE_BLOB_BYTES}-byte limit"
            ),
        );
        return;
    }
    let mut out = zeroize::Zeroizing::new(Vec::new());
    let decoder = flate2::read::DeflateDecoder::new(data);
    match decoder.take(uncompressed_size + 1).read_to_end(&mut out) {
        Ok(n) if n as u64 == uncompressed_size => {}
        Ok(n) if n as u64 > uncompressed_size => sink.push(
            rules::PASSKEY_LARGE_BLOB,
            at,
            format!(
                "largeBlob data inflates to more than uncompressedSize ({uncompressed_size}) bytes"
            ),
        ),
        Ok(n) => sink.push(
            rules::PASSKEY_LARGE_BLOB,
            at,
            format!(
                "largeBlob data inflates to {n} bytes, not uncompressedSize ({uncompressed_size})"
            ),
        ),
        Err(_) => sink.push_hint(
            rules::PASSKEY_LARGE_BLOB,
            at,
            "largeBlob data is not a raw DEFLATE stream",
            "compress with raw DEFLATE (RFC 1951, no zlib or gzip header)",
        ),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write as _;

    use super::*;
    use crate::validate::b64;
    use crate::validate::keys::tests::{ED25519_PKCS8, P256_PKCS8, P256_SEC1};

    fn rules_of(f: impl FnOnce(&mut Sink)) -> Vec<&'static str> {
        let mut sink = Sink::default();
        f(&mut sink);
        sink.diagnostics.iter().map(|d| d.rule).collect()
    }

    fn bytes(s: &str) -> Vec<u8> {
        b64::classify(s).bytes().unwrap().to_vec()
    }

    /// Raw DEFLATE of `data`.
    pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn keys() {
        let p = Ptr::root();
        assert!(rules_of(|s| check_key(s, &p, &bytes(P256_PKCS8))).is_empty());
        assert!(rules_of(|s| check_key(s, &p, &bytes(ED25519_PKCS8))).is_empty());
        assert_eq!(
            rules_of(|s| check_key(s, &p, &bytes(P256_SEC1))),
            ["passkey.key-pkcs8"]
        );
        assert_eq!(
            rules_of(|s| check_key(s, &p, b"junk")),
            ["passkey.key-pkcs8"]
        );
        let mut bad = bytes(P256_PKCS8);
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(
            rules_of(|s| check_key(s, &p, &bad)),
            ["passkey.key-invalid"]
        );
    }

    #[test]
    fn lengths_and_rp_id() {
        let p = Ptr::root();
        assert!(rules_of(|s| check_credential_id(s, &p, &[1; 16])).is_empty());
        assert_eq!(
            rules_of(|s| check_credential_id(s, &p, &[])),
            ["passkey.credential-id"]
        );
        assert_eq!(
            rules_of(|s| check_credential_id(s, &p, &[0; 1024])),
            ["passkey.credential-id"]
        );
        assert!(rules_of(|s| check_user_handle(s, &p, &[1; 64])).is_empty());
        assert_eq!(
            rules_of(|s| check_user_handle(s, &p, &[1; 65])),
            ["passkey.user-handle"]
        );
        assert!(rules_of(|s| check_rp_id(s, &p, "login.example.com")).is_empty());
        assert_eq!(
            rules_of(|s| check_rp_id(s, &p, "https://example.com")),
            ["passkey.rp-id"]
        );
    }

    #[test]
    fn hmac_credentials() {
        let p = Ptr::root().key("h");
        assert!(rules_of(|s| check_hmac(s, &p, "hmac-sha256", &[0; 32], &[1; 32])).is_empty());
        let mut sink = Sink::default();
        check_hmac(&mut sink, &p, "HS256", &[0; 32], &[1; 16]);
        let got: Vec<_> = sink
            .diagnostics
            .iter()
            .map(|d| (d.rule, d.pointer.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("passkey.hmac-algorithm", "/h/algorithm"),
                ("passkey.hmac-length", "/h/credWithoutUV")
            ]
        );
    }

    #[test]
    fn large_blob_inflation() {
        let p = Ptr::root();
        let blob = deflate(&[7; 129]);
        assert!(rules_of(|s| check_large_blob(s, &p, 129, &blob)).is_empty());
        assert_eq!(
            rules_of(|s| check_large_blob(s, &p, 128, &blob)),
            ["passkey.large-blob"]
        );
        assert_eq!(
            rules_of(|s| check_large_blob(s, &p, 130, &blob)),
            ["passkey.large-blob"]
        );
        assert_eq!(
            rules_of(|s| check_large_blob(s, &p, 5, b"\xff\xff\xff")),
            ["passkey.large-blob"]
        );
        assert_eq!(
            rules_of(|s| check_large_blob(s, &p, MAX_LARGE_BLOB_BYTES + 1, &blob)),
            ["passkey.large-blob"]
        );
    }
}
