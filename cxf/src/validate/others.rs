//! Checks of the non-passkey credential types: totp, ssh-key, file, credit-card, passport,
//! and date ordering in documents.

use super::ctx::{Ptr, Sink};
use super::formats::{self, Base32, quote};
use super::keys::{self, KeyCheck};
use super::rules;

/// Check a `totp` credential (at `cred`).
pub(crate) fn check_totp(
    sink: &mut Sink,
    cred: &Ptr<'_>,
    secret: &str,
    period: u64,
    digits: u64,
    algorithm: &str,
) {
    let at = cred.key("secret");
    match formats::check_base32(secret) {
        Base32::Canonical(_) => {}
        Base32::Lenient(_) => sink.push(
            rules::TOTP_SECRET_FORMAT,
            &at,
            "the TOTP secret is Base32 but not canonical (lower case, padding or separators)",
            "write it upper case without '=' padding, spaces or dashes",
        ),
        Base32::Invalid => sink.push(
            rules::TOTP_SECRET_BASE32,
            &at,
            "the TOTP secret is not RFC 4648 Base32",
            "the secret must be Base32 (A-Z, 2-7); convert hex or base64 seeds first",
        ),
    }
    if !matches!(algorithm, "sha1" | "sha256" | "sha512") {
        sink.push(
            rules::TOTP_ALGORITHM,
            &cred.key("algorithm"),
            format!("unknown TOTP algorithm {}", quote(algorithm)),
            "use \"sha1\", \"sha256\" or \"sha512\" (lower case); importers must ignore this TOTP otherwise",
        );
    }
    if digits == 0 || digits > 10 {
        sink.push(
            rules::TOTP_DIGITS,
            &cred.key("digits"),
            format!("digits is {digits}; a TOTP code has 1 to 10 digits"),
            "use the digit count the service gives (usually 6)",
        );
    } else if !(6..=8).contains(&digits) {
        sink.push(
            rules::TOTP_DIGITS_UNUSUAL,
            &cred.key("digits"),
            format!("digits is {digits}; RFC 4226 codes have 6 to 8 digits"),
            "check the digit count with the service; most use 6",
        );
    }
    if period == 0 {
        sink.push(
            rules::TOTP_PERIOD,
            &cred.key("period"),
            "period is 0 seconds",
            "use the period the service gives (usually 30 seconds)",
        );
    } else if period > 3600 {
        sink.push(
            rules::TOTP_PERIOD_UNUSUAL,
            &cred.key("period"),
            format!("period is {period} seconds"),
            "period is in seconds (default 30); check for a milliseconds or minutes mix-up",
        );
    }
}

/// Check an `ssh-key` credential (at `cred`); `der` is the decoded `privateKey`.
pub(crate) fn check_ssh_key(sink: &mut Sink, cred: &Ptr<'_>, key_type: &str, der: &[u8]) {
    let known_type = keys::SSH_KEY_TYPES.contains(&key_type);
    if !known_type {
        sink.push(
            rules::SSH_KEY_KEY_TYPE,
            &cred.key("keyType"),
            format!(
                "{} is not a known SSH public key algorithm name",
                quote(key_type)
            ),
            "use an OpenSSH algorithm name such as ssh-ed25519, ecdsa-sha2-nistp256 or ssh-rsa",
        );
    }
    let at = cred.key("privateKey");
    match keys::analyse(der) {
        KeyCheck::Pkcs8 { alg, .. } => {
            if keys::ssh_key_type_matches(key_type, &alg) == Some(false) {
                sink.push(
                    rules::SSH_KEY_KEY_TYPE_MISMATCH,
                    &cred.key("keyType"),
                    format!(
                        "keyType {} does not match the {} private key",
                        quote(key_type),
                        alg.name()
                    ),
                    "set keyType to the algorithm of the private key",
                );
            }
        }
        KeyCheck::OpenSsh => sink.push(
            rules::SSH_KEY_PRIVATE_KEY,
            &at,
            "privateKey is an OpenSSH openssh-key-v1 blob, not PKCS#8",
            "convert it: `ssh-keygen -p -m PKCS8 -f KEY`, then DER-encode and base64url it",
        ),
        KeyCheck::Sec1 | KeyCheck::Pkcs1 => sink.push(
            rules::SSH_KEY_PRIVATE_KEY,
            &at,
            "privateKey is a traditional (SEC1 / PKCS#1) key, not PKCS#8",
            "wrap it in PKCS#8 (`openssl pkcs8 -topk8 -nocrypt -outform DER`)",
        ),
        KeyCheck::NotPkcs8 => sink.push(
            rules::SSH_KEY_PRIVATE_KEY,
            &at,
            "privateKey is not a PKCS#8 PrivateKeyInfo (DER)",
            "export the private key as PKCS#8 DER, then base64url-encode it",
        ),
    }
}

/// Check a `file` credential (at `cred`): decoded `integrityHash` length and `name`.
pub(crate) fn check_file(
    sink: &mut Sink,
    cred: &Ptr<'_>,
    name: &str,
    integrity_hash: Option<&[u8]>,
) {
    if let Some(integrity_hash) = integrity_hash.filter(|h| h.len() != 32) {
        sink.push(
            rules::FILE_INTEGRITY_HASH,
            &cred.key("integrityHash"),
            format!(
                "integrityHash is {} bytes; a SHA-256 digest is 32",
                integrity_hash.len()
            ),
            "store the raw SHA-256 digest of the decrypted file, base64url-encoded",
        );
    }
    if name.trim().is_empty() {
        sink.push(
            rules::FILE_NAME_EMPTY,
            &cred.key("name"),
            "the file name is empty",
            "give the file the name it was stored under",
        );
    }
}

/// A date-valued field of a credential: member name and its value (when present and typed as a
/// date / year-month).
pub(crate) type DateField<'a> = (&'a str, Option<&'a str>);

/// Check `earlier ≤ later` for pairs of date members (`YYYY-MM-DD` or `YYYY-MM`) of one
/// credential; unparsable values are skipped (their own rule reports them).
pub(crate) fn check_date_order(
    sink: &mut Sink,
    cred: &Ptr<'_>,
    pairs: &[(DateField<'_>, DateField<'_>)],
) {
    for &((a_name, a), (b_name, b)) in pairs {
        let (Some(a), Some(b)) = (a, b) else { continue };
        let (Some(ka), Some(kb)) = (date_key(a), date_key(b)) else {
            continue;
        };
        if ka > kb {
            sink.push(
                rules::DATES_ORDER,
                &cred.key(b_name).key("value"),
                format!("{b_name} is before {a_name}"),
                "check the dates on the document; they are probably swapped or mistyped",
            );
        }
    }
}

fn date_key(s: &str) -> Option<(u32, u32, u32)> {
    formats::parse_date(s).or_else(|| formats::parse_year_month(s).map(|(y, m)| (y, m, 0)))
}

/// Check a `credit-card`: `validFrom ≤ expiryDate` (both `YYYY-MM`) and the number's Luhn digit.
/// `number` is `None` when absent; concealed values are never echoed.
pub(crate) fn check_card(
    sink: &mut Sink,
    cred: &Ptr<'_>,
    number: Option<&str>,
    valid_from: Option<&str>,
    expiry: Option<&str>,
) {
    if let (Some(from), Some(exp)) = (valid_from, expiry) {
        if let (Some(f), Some(e)) = (
            formats::parse_year_month(from),
            formats::parse_year_month(exp),
        ) {
            if e < f {
                sink.push(
                    rules::CARD_EXPIRY,
                    &cred.key("expiryDate").key("value"),
                    "expiryDate is before validFrom",
                    "check the dates on the card; they are probably swapped",
                );
            }
        }
    }
    if let Some(number) = number {
        if !number.is_empty() && formats::luhn(number) != Some(true) {
            sink.push(
                rules::CARD_NUMBER,
                &cred.key("number").key("value"),
                "the card number is not 12-19 digits with a valid Luhn check digit", "check the number printed on the card (some cards use other lengths, so this is only a note)",
);
        }
    }
}

/// Check a passport's `passportType` value (at the field `field`).
pub(crate) fn check_passport_type(sink: &mut Sink, field: &Ptr<'_>, value: &str) {
    if !formats::is_passport_type(value) {
        sink.push(
            rules::PASSPORT_TYPE,
            &field.key("value"),
            "passportType is not an ICAO 9303 document code",
            "use the code printed in the passport, e.g. \"P\" or \"PP\"",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::b64;
    use crate::validate::keys::tests::{ED25519_PKCS8, P256_SEC1, RSA_PKCS8};

    fn got(f: impl FnOnce(&mut Sink)) -> Vec<(&'static str, String)> {
        let mut sink = Sink::default();
        f(&mut sink);
        sink.diagnostics
            .into_iter()
            .map(|d| (d.rule, d.pointer))
            .collect()
    }

    fn bytes(s: &str) -> Vec<u8> {
        b64::decode(s)
    }

    #[test]
    fn totp_rules() {
        let c = Ptr::root();
        assert!(got(|s| check_totp(s, c, "JBSWY3DPEHPK3PXP", 30, 6, "sha1")).is_empty());
        assert_eq!(
            got(|s| check_totp(s, c, "not base32!", 30, 6, "sha1")),
            [("totp.secret-base32", "/secret".into())]
        );
        assert_eq!(
            got(|s| check_totp(s, c, "jbswy3dpehpk3pxp", 30, 6, "sha1")),
            [("totp.secret-format", "/secret".into())]
        );
        assert_eq!(
            got(|s| check_totp(s, c, "JBSWY3DPEHPK3PXP", 30, 6, "SHA1")),
            [("totp.algorithm", "/algorithm".into())]
        );
        assert_eq!(
            got(|s| check_totp(s, c, "JBSWY3DPEHPK3PXP", 30, 0, "sha1")),
            [("totp.digits", "/digits".into())]
        );
        assert_eq!(
            got(|s| check_totp(s, c, "JBSWY3DPEHPK3PXP", 30, 5, "sha1")),
            [("totp.digits-unusual", "/digits".into())]
        );
        assert_eq!(
            got(|s| check_totp(s, c, "JBSWY3DPEHPK3PXP", 0, 6, "sha1")),
            [("totp.period", "/period".into())]
        );
        assert_eq!(
            got(|s| check_totp(s, c, "JBSWY3DPEHPK3PXP", 30000, 6, "sha1")),
            [("totp.period-unusual", "/period".into())]
        );
    }

    #[test]
    fn ssh_rules() {
        let c = Ptr::root();
        assert!(got(|s| check_ssh_key(s, c, "ssh-ed25519", &bytes(ED25519_PKCS8))).is_empty());
        assert!(got(|s| check_ssh_key(s, c, "ssh-rsa", &bytes(RSA_PKCS8))).is_empty());
        assert_eq!(
            got(|s| check_ssh_key(s, c, "ssh-rsa", &bytes(ED25519_PKCS8))),
            [("ssh-key.key-type-mismatch", "/keyType".into())]
        );
        assert_eq!(
            got(|s| check_ssh_key(s, c, "ecdsa-sha2-nistp256", &bytes(P256_SEC1))),
            [("ssh-key.private-key", "/privateKey".into())]
        );
        assert_eq!(
            got(|s| check_ssh_key(s, c, "ssh-foo", &bytes(ED25519_PKCS8))),
            [("ssh-key.key-type", "/keyType".into())]
        );
    }

    #[test]
    fn file_card_dates_passport() {
        let c = Ptr::root();
        assert!(got(|s| check_file(s, c, "a.txt", Some(&[0; 32]))).is_empty());
        assert_eq!(
            got(|s| check_file(s, c, "a.txt", Some(b"abc"))),
            [("file.integrity-hash", "/integrityHash".into())]
        );
        assert_eq!(
            got(|s| check_file(s, c, " ", Some(&[0; 32]))),
            [("file.name-empty", "/name".into())]
        );
        assert!(
            got(|s| check_card(
                s,
                c,
                Some("4111111111111111"),
                Some("2024-01"),
                Some("2029-12")
            ))
            .is_empty()
        );
        assert_eq!(
            got(|s| check_card(s, c, None, Some("2030-01"), Some("2029-12"))),
            [("card.expiry", "/expiryDate/value".into())]
        );
        assert_eq!(
            got(|s| check_card(s, c, Some("4111111111111112"), None, None)),
            [("card.number", "/number/value".into())]
        );
        let pairs = [(
            ("issueDate", Some("2030-01-01")),
            ("expiryDate", Some("2020-01-01")),
        )];
        assert_eq!(
            got(|s| check_date_order(s, c, &pairs)),
            [("dates.order", "/expiryDate/value".into())]
        );
        let ok = [(
            ("issueDate", Some("2020-01-01")),
            ("expiryDate", Some("bogus")),
        )];
        assert!(got(|s| check_date_order(s, c, &ok)).is_empty());
        assert_eq!(
            got(|s| check_passport_type(s, &c.key("passportType"), "Regular")),
            [("passport.type", "/passportType/value".into())]
        );
    }
}
