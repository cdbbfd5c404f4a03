//! CredentialScope checks (§3.2.4): URLs and Android apps.

use super::ctx::{Ptr, Sink};
use super::formats::{self, quote};
use super::rules;

/// Check that `s` (at `at`) is an absolute URL. The URL is quoted in messages only when
/// `reveal` (scope URLs are not secret; an api-key `url` field value may be).
pub(crate) fn check_url(sink: &mut Sink, at: &Ptr<'_>, s: &str, reveal: bool) {
    let Err(e) = url::Url::parse(s) else {
        return;
    };
    // Quoted only on failure: most URLs are fine, and quoting allocates.
    let shown = if reveal {
        format!("{} ", quote(s))
    } else {
        String::new()
    };
    match e {
        url::ParseError::RelativeUrlWithoutBase => sink.push(
            rules::URL_INVALID,
            at,
            format!("{shown}is not an absolute URL (no scheme)"),
            "write the full URL, e.g. \"https://example.com/login\"",
        ),
        e => sink.push(
            rules::URL_INVALID,
            at,
            format!("{shown}is not a valid URL: {e}"),
            "write an absolute URL with its scheme, e.g. \"https://example.com/\"",
        ),
    }
}

/// Digest length in bytes of a known `hashAlg`.
fn digest_len(hash_alg: &str) -> Option<usize> {
    match hash_alg {
        "sha256" => Some(32),
        "sha512" => Some(64),
        "sha1" => Some(20),
        _ => None,
    }
}

/// Check one AndroidAppId (at `app`): bundle id and certificate fingerprint.
pub(crate) fn check_android_app(
    sink: &mut Sink,
    app: &Ptr<'_>,
    bundle_id: &str,
    certificate: Option<(&str, &[u8])>,
) {
    if !formats::is_bundle_id(bundle_id) {
        sink.push(
            rules::ANDROID_APP_BUNDLE_ID,
            &app.key("bundleId"),
            format!("{} is not an Android package name", quote(bundle_id)),
            "use the application id, e.g. \"com.example.app\"",
        );
    }
    let Some((hash_alg, fingerprint)) = certificate else {
        return;
    };
    let cert = app.key("certificate");
    match digest_len(hash_alg) {
        None => sink.push(
            rules::ANDROID_APP_HASH_ALG_UNKNOWN,
            &cert.key("hashAlg"),
            format!("unknown certificate hashAlg {}", quote(hash_alg)),
            "use sha256, sha512 or sha1 so importers can check the fingerprint",
        ),
        Some(n) if n != fingerprint.len() => sink.push(
            rules::ANDROID_APP_FINGERPRINT_LENGTH,
            &cert.key("fingerprint"),
            format!(
                "fingerprint is {} bytes; a {hash_alg} digest is {n}",
                fingerprint.len()
            ),
            "store the raw digest bytes base64url-encoded, not colon-separated hex text",
        ),
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn got(f: impl FnOnce(&mut Sink)) -> Vec<(&'static str, String)> {
        let mut sink = Sink::default();
        f(&mut sink);
        sink.diagnostics
            .into_iter()
            .map(|d| (d.rule, d.pointer))
            .collect()
    }

    #[test]
    fn urls() {
        let p = Ptr::root().key("u");
        for ok in [
            "https://example.com/login",
            "androidapp://com.example.app",
            "http://10.0.0.1:8080",
        ] {
            assert!(got(|s| check_url(s, &p, ok, true)).is_empty(), "{ok}");
        }
        for bad in ["example.com", "https://exa mple.com", ""] {
            assert_eq!(
                got(|s| check_url(s, &p, bad, false)),
                [("url.invalid", "/u".into())],
                "{bad}"
            );
        }
    }

    #[test]
    fn android_apps() {
        let a = Ptr::root();
        assert!(
            got(|s| check_android_app(s, a, "com.example.app", Some(("sha256", &[0; 32]))))
                .is_empty()
        );
        assert!(
            got(|s| check_android_app(s, a, "com.example.app", Some(("sha512", &[0; 64]))))
                .is_empty()
        );
        assert!(got(|s| check_android_app(s, a, "com.example.app", None)).is_empty());
        assert_eq!(
            got(|s| check_android_app(s, a, "Example App", None)),
            [("android-app.bundle-id", "/bundleId".into())]
        );
        assert_eq!(
            got(|s| check_android_app(s, a, "com.example.app", Some(("sha256", &[0; 95])))),
            [(
                "android-app.fingerprint-length",
                "/certificate/fingerprint".into()
            )]
        );
        assert_eq!(
            got(|s| check_android_app(s, a, "com.example.app", Some(("md5", &[0; 16])))),
            [(
                "android-app.hash-alg-unknown",
                "/certificate/hashAlg".into()
            )]
        );
    }
}
