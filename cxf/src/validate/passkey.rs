//! Passkey checks (§3.3.12): key, credential id, user handle, RP ID, fido2Extensions.

use std::io::Read as _;

use super::ctx::{Ptr, Sink};
use super::formats::{self, DomainProblem};
use super::keys::{self, KeyAlg, KeyCheck};
use super::p256_batch;
use super::report::Diagnostic;
use super::rules;

/// Inflation cap for one `largeBlob.data` (a claim from the document; never trust it).
pub(crate) const MAX_LARGE_BLOB_BYTES: u64 = 1 << 20;
/// Total bytes one validation run inflates across all large blobs; blobs past this budget are
/// not inflated (so a document of many blob bombs costs bounded time).
pub(crate) const LARGE_BLOB_BUDGET: u64 = 64 << 20;

/// A passkey private key whose checks the walk deferred.
pub(crate) struct DeferredKey {
    /// Where its diagnostics go: the number of walk diagnostics before it.
    pub(crate) pos: usize,
    /// Pointer of the `key` member (rendered: the walk's pointer chain is gone by the time
    /// the key is checked).
    pub(crate) at: String,
    /// The decoded key.
    pub(crate) der: zeroize::Zeroizing<Vec<u8>>,
}

/// Keys per thread below which a thread is not worth starting.
const KEYS_PER_THREAD: usize = 64;

/// Runs the deferred key checks, in parallel over the available cores for many keys, and
/// merges their diagnostics into `walk` at the place the walk would have put them (the result
/// is the same as checking each key during the walk, whatever the thread count).
pub(crate) fn check_keys(walk: Vec<Diagnostic>, keys: Vec<DeferredKey>) -> Vec<Diagnostic> {
    check_keys_on(walk, keys, threads())
}

/// Threads for key checks.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Threads for key checks: one on wasm32 (the browser build has no threads; the walk then
/// checks the keys itself, with the same diagnostics in the same order).
#[cfg(target_arch = "wasm32")]
pub(crate) fn threads() -> usize {
    1
}

/// [`check_keys`] on at most `threads` threads.
pub(crate) fn check_keys_on(
    walk: Vec<Diagnostic>,
    keys: Vec<DeferredKey>,
    threads: usize,
) -> Vec<Diagnostic> {
    if keys.is_empty() {
        return walk;
    }
    let seed = p256_batch::seed();
    let threads = threads.min(keys.len().div_ceil(KEYS_PER_THREAD));
    let found: Vec<Vec<Diagnostic>> = if threads <= 1 {
        check_chunk(&keys, &seed)
    } else {
        let chunk = keys.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = keys
                .chunks(chunk)
                .map(|c| scope.spawn(move || check_chunk(c, &seed)))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("a key check thread panicked"))
                .collect()
        })
    };
    merge(walk, &keys, found)
}

/// The diagnostics of each key of `chunk`. P-256 keys of the usual shape are checked as one
/// batch, narrowed down to the keys that fail it (see `p256_batch`); those get a direct
/// `d·G == Q` check and any other key the per-key check, with the diagnostics of the per-key
/// check either way.
pub(crate) fn check_chunk(chunk: &[DeferredKey], seed: &[u8; 16]) -> Vec<Vec<Diagnostic>> {
    let report = |k: &DeferredKey, check: &KeyCheck| {
        let mut sink = Sink::default();
        report_key(&mut sink, &Ptr::from_pointer(&k.at), check);
        sink.diagnostics
    };
    let mut out: Vec<Vec<Diagnostic>> = vec![Vec::new(); chunk.len()];
    let mut idx = Vec::with_capacity(chunk.len());
    let mut cands = Vec::with_capacity(chunk.len());
    for (i, k) in chunk.iter().enumerate() {
        match p256_batch::candidate(&k.der) {
            Some(c) => {
                idx.push(i);
                cands.push(c);
            }
            None => out[i] = report(k, &keys::analyse(&k.der)),
        }
    }
    // Each batch check is sound on its own for coefficients the file could not know (a fresh
    // seed per run), so chunks may reuse batch numbers.
    let mut batch = 0;
    for s in p256_batch::suspects(&cands, seed, &mut batch) {
        // A candidate is a well-formed P-256 key with an in-range scalar, so the per-key
        // check can only fault its public key; checking that directly skips decoding again.
        let check = KeyCheck::Pkcs8 {
            alg: KeyAlg::P256,
            problem: (!cands[s].matches()).then_some(keys::P256_UNUSABLE),
        };
        out[idx[s]] = report(&chunk[idx[s]], &check);
    }
    out
}

/// Inserts each key's diagnostics (`found`, in key order) into `walk` at the key's position.
pub(crate) fn merge(
    walk: Vec<Diagnostic>,
    keys: &[DeferredKey],
    found: Vec<Vec<Diagnostic>>,
) -> Vec<Diagnostic> {
    let extra: usize = found.iter().map(Vec::len).sum();
    if extra == 0 {
        return walk;
    }
    let mut merged = Vec::with_capacity(walk.len() + extra);
    let mut walk = walk.into_iter();
    let mut taken = 0;
    for (key, diags) in keys.iter().zip(found) {
        merged.extend(walk.by_ref().take(key.pos - taken));
        taken = key.pos;
        merged.extend(diags);
    }
    merged.extend(walk);
    merged
}

/// Check the passkey private key `der` (decoded `key`, at `at`) on its own: the reference
/// the batched [`check_chunk`] is tested against.
#[cfg(test)]
pub(crate) fn check_key(sink: &mut Sink, at: &Ptr<'_>, der: &[u8]) {
    report_key(sink, at, &keys::analyse(der));
}

/// The diagnostics of an analysed key (the batch path reports its suspects through it too).
fn report_key(sink: &mut Sink, at: &Ptr<'_>, check: &KeyCheck) {
    match check {
        KeyCheck::Pkcs8 { alg, problem } => {
            if let Some(problem) = *problem {
                sink.push(rules::PASSKEY_KEY_INVALID, at, problem, "this key cannot sign for the passkey; export it again from the original manager");
            }
            if matches!(alg, KeyAlg::OtherEc(_) | KeyAlg::Other(_)) {
                sink.push(
                    rules::PASSKEY_KEY_ALGORITHM,
                    at,
                    format!("the key is a PKCS#8 {} key, which WebAuthn does not use", alg.name()),
                    "WebAuthn credentials are EC P-256/P-384/P-521, Ed25519, Ed448 or RSA keys",
                );
            }
        }
        KeyCheck::Sec1 => sink.push(
            rules::PASSKEY_KEY_PKCS8,
            at,
            "the key is a SEC1 ECPrivateKey (RFC 5915), not a PKCS#8 PrivateKeyInfo",
            "wrap it in PKCS#8 (e.g. `openssl pkcs8 -topk8 -nocrypt -outform DER`) before base64url-encoding",
        ),
        KeyCheck::Pkcs1 => sink.push(
            rules::PASSKEY_KEY_PKCS8,
            at,
            "the key is a PKCS#1 RSAPrivateKey, not a PKCS#8 PrivateKeyInfo",
            "wrap it in PKCS#8 before base64url-encoding",
        ),
        KeyCheck::OpenSsh | KeyCheck::NotPkcs8 => sink.push(
            rules::PASSKEY_KEY_PKCS8,
            at,
            "the key is not a PKCS#8 PrivateKeyInfo (DER)",
            "export the credential private key as PKCS#8 DER, then base64url-encode it",
        ),
    }
}

/// Check the decoded `credentialId` length (WebAuthn: 1..=1023 bytes).
pub(crate) fn check_credential_id(sink: &mut Sink, at: &Ptr<'_>, bytes: &[u8]) {
    if bytes.is_empty() || bytes.len() > 1023 {
        sink.push(
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
pub(crate) fn check_user_handle(sink: &mut Sink, at: &Ptr<'_>, bytes: &[u8]) {
    if bytes.is_empty() || bytes.len() > 64 {
        sink.push(
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
pub(crate) fn check_rp_id(sink: &mut Sink, at: &Ptr<'_>, rp_id: &str) {
    let problem = match formats::check_domain(rp_id) {
        Ok(()) => return,
        Err(DomainProblem::Empty) => "rpId is empty",
        Err(DomainProblem::Url) => "rpId looks like a URL; an RP ID is a bare domain",
        Err(DomainProblem::Malformed) => "rpId is not a valid domain",
    };
    sink.push(
        rules::PASSKEY_RP_ID,
        at,
        format!("{problem} ({})", formats::quote(rp_id)),
        "use the RP ID from registration, e.g. \"example.com\" (no scheme, port or path)",
    );
}

/// Check `hmacCredentials` (at `at`): algorithm and seed lengths.
pub(crate) fn check_hmac(
    sink: &mut Sink,
    at: &Ptr<'_>,
    algorithm: &str,
    with_uv: &[u8],
    without_uv: &[u8],
) {
    if algorithm != "hmac-sha256" {
        sink.push(
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
                "export the authenticator's 32-byte hmac-secret values unchanged",
            );
        }
    }
}

/// Check `largeBlob` (at `at`): `data` is raw DEFLATE inflating to `uncompressed_size` bytes.
pub(crate) fn check_large_blob(sink: &mut Sink, at: &Ptr<'_>, uncompressed_size: u64, data: &[u8]) {
    if uncompressed_size > MAX_LARGE_BLOB_BYTES {
        sink.push(
            rules::PASSKEY_LARGE_BLOB,
            at,
            format!(
                "largeBlob claims {uncompressed_size} bytes uncompressed, above the {MAX_LARGE_BLOB_BYTES}-byte limit"
            ), "store the blob as the authenticator wrote it: DEFLATE data with its exact uncompressedSize",
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
            ), "store the blob as the authenticator wrote it: DEFLATE data with its exact uncompressedSize",
),
        Ok(n) => sink.push(
            rules::PASSKEY_LARGE_BLOB,
            at,
            format!(
                "largeBlob data inflates to {n} bytes, not uncompressedSize ({uncompressed_size})"
            ), "store the blob as the authenticator wrote it: DEFLATE data with its exact uncompressedSize",
),
        Err(_) => sink.push(
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
        b64::decode(s)
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
        assert!(rules_of(|s| check_key(s, p, &bytes(P256_PKCS8))).is_empty());
        assert!(rules_of(|s| check_key(s, p, &bytes(ED25519_PKCS8))).is_empty());
        assert_eq!(
            rules_of(|s| check_key(s, p, &bytes(P256_SEC1))),
            ["passkey.key-pkcs8"]
        );
        assert_eq!(
            rules_of(|s| check_key(s, p, b"junk")),
            ["passkey.key-pkcs8"]
        );
        let mut bad = bytes(P256_PKCS8);
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(rules_of(|s| check_key(s, p, &bad)), ["passkey.key-invalid"]);
    }

    /// A key whose embedded public key is another key's valid point: only `d·G == Q` can
    /// catch it.
    fn mismatched(good: &[u8]) -> Vec<u8> {
        use p256::pkcs8::EncodePrivateKey as _;
        let other = p256::SecretKey::from_slice(&[0x11; 32])
            .unwrap()
            .to_pkcs8_der()
            .unwrap();
        let other = other.as_bytes();
        let mut k = good.to_vec();
        let n = k.len();
        k[n - 64..].copy_from_slice(&other[other.len() - 64..]);
        k
    }

    #[test]
    fn batch_path_reports_what_the_per_key_check_reports() {
        let good = bytes(P256_PKCS8);
        let mut off_curve = good.clone();
        let last = off_curve.len() - 1;
        off_curve[last] ^= 1;
        let kinds = [
            good.clone(),
            mismatched(&good),
            off_curve,
            bytes(P256_SEC1),
            bytes(ED25519_PKCS8),
        ];
        // Enough keys that the batch is split, with bad keys both sparse and clustered.
        let chunk: Vec<DeferredKey> = (0..300)
            .map(|i| DeferredKey {
                pos: 0,
                at: format!("/{i}/key"),
                der: zeroize::Zeroizing::new(
                    kinds[match i {
                        7 | 150..=160 => 1,
                        40 => 2,
                        99 => 3,
                        200 => 4,
                        _ => 0,
                    }]
                    .clone(),
                ),
            })
            .collect();
        let found = check_chunk(&chunk, &p256_batch::seed());
        for (k, diags) in chunk.iter().zip(&found) {
            let mut sink = Sink::default();
            check_key(&mut sink, &Ptr::from_pointer(&k.at), &k.der);
            assert_eq!(diags, &sink.diagnostics, "{}", k.at);
        }
        let invalid = found.iter().filter(|d| !d.is_empty()).count();
        assert_eq!(
            invalid,
            1 + 11 + 1 + 1,
            "mismatched, off-curve and SEC1 keys"
        );
    }

    #[test]
    fn parallel_key_checks_keep_walk_order_for_any_thread_count() {
        // 140 keys (up to 3 threads of 64), every 7th a SEC1 key, every 11th holding another
        // key's public key; walk diagnostics before and after each key.
        let good = bytes(P256_PKCS8);
        let sec1 = bytes(P256_SEC1);
        let mismatched = mismatched(&good);
        assert!(
            p256_batch::candidate(&mismatched).is_some(),
            "takes the batch path"
        );
        let mut walk = Sink::default();
        let mut keys = Vec::new();
        for i in 0..140 {
            let at = Ptr::root().idx(i);
            walk.push(rules::PASSKEY_RP_ID, &at.key("rpId"), "before", "");
            keys.push(DeferredKey {
                pos: walk.diagnostics.len(),
                at: at.key("key").render(),
                der: zeroize::Zeroizing::new(match i {
                    _ if i % 7 == 3 => sec1.clone(),
                    _ if i % 11 == 5 => mismatched.clone(),
                    _ => good.clone(),
                }),
            });
            if i % 2 == 0 {
                walk.push(rules::PASSKEY_HMAC_ALGORITHM, &at.key("ext"), "after", "");
            }
        }
        let clone = |keys: &[DeferredKey]| -> Vec<DeferredKey> {
            keys.iter()
                .map(|k| DeferredKey {
                    pos: k.pos,
                    at: k.at.clone(),
                    der: k.der.clone(),
                })
                .collect()
        };
        let one = check_keys_on(walk.diagnostics.clone(), clone(&keys), 1);
        // Document order: per element, rpId, then key, then ext.
        let mut expected = Vec::new();
        for i in 0..140 {
            expected.push(format!("/{i}/rpId"));
            if i % 7 == 3 || i % 11 == 5 {
                expected.push(format!("/{i}/key"));
            }
            if i % 2 == 0 {
                expected.push(format!("/{i}/ext"));
            }
        }
        let pointers: Vec<&str> = one.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(pointers, expected);
        let invalid = one
            .iter()
            .filter(|d| d.rule == "passkey.key-invalid")
            .count();
        assert_eq!(
            invalid,
            (0..140).filter(|i| i % 11 == 5 && i % 7 != 3).count()
        );
        for threads in [2, 3, 8] {
            let many = check_keys_on(walk.diagnostics.clone(), clone(&keys), threads);
            assert_eq!(many, one, "{threads} threads");
        }
    }

    #[test]
    fn lengths_and_rp_id() {
        let p = Ptr::root();
        assert!(rules_of(|s| check_credential_id(s, p, &[1; 16])).is_empty());
        assert_eq!(
            rules_of(|s| check_credential_id(s, p, &[])),
            ["passkey.credential-id"]
        );
        assert_eq!(
            rules_of(|s| check_credential_id(s, p, &[0; 1024])),
            ["passkey.credential-id"]
        );
        assert!(rules_of(|s| check_user_handle(s, p, &[1; 64])).is_empty());
        assert_eq!(
            rules_of(|s| check_user_handle(s, p, &[1; 65])),
            ["passkey.user-handle"]
        );
        assert!(rules_of(|s| check_rp_id(s, p, "login.example.com")).is_empty());
        assert_eq!(
            rules_of(|s| check_rp_id(s, p, "https://example.com")),
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
        assert!(rules_of(|s| check_large_blob(s, p, 129, &blob)).is_empty());
        assert_eq!(
            rules_of(|s| check_large_blob(s, p, 128, &blob)),
            ["passkey.large-blob"]
        );
        assert_eq!(
            rules_of(|s| check_large_blob(s, p, 130, &blob)),
            ["passkey.large-blob"]
        );
        assert_eq!(
            rules_of(|s| check_large_blob(s, p, 5, b"\xff\xff\xff")),
            ["passkey.large-blob"]
        );
        assert_eq!(
            rules_of(|s| check_large_blob(s, p, MAX_LARGE_BLOB_BYTES + 1, &blob)),
            ["passkey.large-blob"]
        );
    }
}
