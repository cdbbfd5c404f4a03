//! One-time-password values: `otpauth://` key URIs (Google Authenticator conventions) and bare
//! Base32 secrets, both ways.

use zeroize::Zeroizing;

/// TOTP hash algorithms CXF names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OtpAlgorithm {
    /// HMAC-SHA-1 (the default of every source).
    Sha1,
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
}

impl OtpAlgorithm {
    /// Parses `SHA1`, `sha-256`, `HMAC-SHA-512`, ... case-insensitively.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase().replace(['-', '_'], "");
        match s.strip_prefix("hmac").unwrap_or(&s) {
            "sha1" => Some(Self::Sha1),
            "sha256" => Some(Self::Sha256),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }

    fn uri_name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }
}

/// A parsed TOTP configuration. The secret is upper-case unpadded Base32.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Totp {
    /// Base32 shared secret.
    pub(crate) secret: Zeroizing<String>,
    /// Hash algorithm.
    pub(crate) algorithm: OtpAlgorithm,
    /// Code length.
    pub(crate) digits: u8,
    /// Step in seconds.
    pub(crate) period: u32,
    /// Issuer, when the URI named one.
    pub(crate) issuer: Option<String>,
    /// Account name, when the URI named one.
    pub(crate) account: Option<String>,
    /// True when the source gave a bare secret, so the parameters are the defaults (SHA-1, 6, 30).
    pub(crate) assumed_defaults: bool,
}

impl core::fmt::Debug for Totp {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Totp")
            .field("secret", &"<redacted>")
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("period", &self.period)
            .field("issuer", &self.issuer)
            .field("account", &self.account)
            .finish()
    }
}

/// Why an OTP value could not become a CXF `totp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OtpError {
    /// HOTP, Steam or another scheme CXF has no credential for.
    Unsupported,
    /// Not an otpauth URI and not a Base32 secret, or a URI with bad parameters.
    Invalid,
}

/// Normalises a bare Base32 secret: drops spaces, dashes and `=` padding, upper-cases.
pub(crate) fn normalize_base32(s: &str) -> Option<Zeroizing<String>> {
    let out: Zeroizing<String> = Zeroizing::new(
        s.chars()
            .filter(|c| !matches!(c, ' ' | '-' | '=' | '\t'))
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    );
    // Unpadded Base32 lengths are 0, 2, 4, 5 or 7 modulo 8; others cannot encode whole bytes.
    (!out.is_empty()
        && matches!(out.len() % 8, 0 | 2 | 4 | 5 | 7)
        && out
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)))
    .then_some(out)
}

/// Parses an `otpauth://totp/...` URI or a bare Base32 secret.
pub(crate) fn parse(value: &str) -> Result<Totp, OtpError> {
    let value = value.trim();
    let lower = value
        .get(..10)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if lower.starts_with("otpauth://") {
        return parse_uri(value);
    }
    if lower.starts_with("steam://") || value.contains("://") {
        return Err(OtpError::Unsupported);
    }
    let secret = normalize_base32(value).ok_or(OtpError::Invalid)?;
    Ok(Totp {
        secret,
        algorithm: OtpAlgorithm::Sha1,
        digits: 6,
        period: 30,
        issuer: None,
        account: None,
        assumed_defaults: true,
    })
}

fn parse_uri(uri: &str) -> Result<Totp, OtpError> {
    let rest = &uri["otpauth://".len()..];
    let (kind, rest) = rest.split_once('/').ok_or(OtpError::Invalid)?;
    if !kind.eq_ignore_ascii_case("totp") {
        return Err(OtpError::Unsupported);
    }
    let (label, query) = rest.split_once('?').unwrap_or((rest, ""));
    let label = percent_decode(label).ok_or(OtpError::Invalid)?;
    let (mut issuer, account) = match label.split_once(':') {
        Some((i, a)) => (Some(i.trim().to_owned()), a.trim().to_owned()),
        None => (None, label.trim().to_owned()),
    };
    let mut secret = None;
    let mut algorithm = OtpAlgorithm::Sha1;
    let mut digits = 6u8;
    let mut period = 30u32;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = Zeroizing::new(percent_decode(v).ok_or(OtpError::Invalid)?);
        match k.to_ascii_lowercase().as_str() {
            "secret" => secret = Some(normalize_base32(&v).ok_or(OtpError::Invalid)?),
            "issuer" if !v.is_empty() => issuer = Some(v.to_string()),
            "algorithm" => algorithm = OtpAlgorithm::parse(&v).ok_or(OtpError::Invalid)?,
            "digits" => {
                digits = v
                    .parse()
                    .ok()
                    .filter(|d| (1..=10).contains(d))
                    .ok_or(OtpError::Invalid)?
            }
            "period" => period = v.parse().ok().filter(|p| *p > 0).ok_or(OtpError::Invalid)?,
            _ => {}
        }
    }
    Ok(Totp {
        secret: secret.ok_or(OtpError::Invalid)?,
        algorithm,
        digits,
        period,
        issuer: issuer.filter(|i| !i.is_empty()),
        account: (!account.is_empty()).then_some(account),
        assumed_defaults: false,
    })
}

/// Writes a TOTP configuration as an `otpauth://totp/` URI.
pub(crate) fn to_uri(totp: &Totp) -> Zeroizing<String> {
    let mut label = String::new();
    if let Some(issuer) = &totp.issuer {
        label.push_str(&percent_encode(issuer));
        label.push(':');
    }
    label.push_str(&percent_encode(totp.account.as_deref().unwrap_or("")));
    let mut uri = Zeroizing::new(format!("otpauth://totp/{label}?secret="));
    uri.push_str(&totp.secret);
    if let Some(issuer) = &totp.issuer {
        uri.push_str("&issuer=");
        uri.push_str(&percent_encode(issuer));
    }
    uri.push_str(&format!(
        "&algorithm={}&digits={}&period={}",
        totp.algorithm.uri_name(),
        totp.digits,
        totp.period
    ));
    uri
}

/// Decodes `%XX` escapes (and `+` as a space, as some exporters write it). `None` on bad escapes
/// or invalid UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_with_everything() {
        let t = parse("otpauth://totp/Example%20Co:alice%40example.com?secret=jbsw%20y3dpehpk3pxp&issuer=Example%20Co&algorithm=SHA256&digits=8&period=60").unwrap();
        assert_eq!(t.secret.as_str(), "JBSWY3DPEHPK3PXP");
        assert_eq!(t.algorithm, OtpAlgorithm::Sha256);
        assert_eq!((t.digits, t.period), (8, 60));
        assert_eq!(t.issuer.as_deref(), Some("Example Co"));
        assert_eq!(t.account.as_deref(), Some("alice@example.com"));
        assert!(!t.assumed_defaults);
        let again = parse(&to_uri(&t)).unwrap();
        assert_eq!(again, t);
    }

    #[test]
    fn bare_secret_gets_defaults() {
        let t = parse(" jbsw y3dp ehpk 3pxp== ").unwrap();
        assert_eq!(t.secret.as_str(), "JBSWY3DPEHPK3PXP");
        assert!(t.assumed_defaults);
        assert_eq!(
            (t.algorithm, t.digits, t.period),
            (OtpAlgorithm::Sha1, 6, 30)
        );
    }

    #[test]
    fn rejects() {
        assert_eq!(
            parse("otpauth://hotp/x?secret=GEZDGNBV&counter=1"),
            Err(OtpError::Unsupported)
        );
        assert_eq!(parse("steam://ABCDEF"), Err(OtpError::Unsupported));
        assert_eq!(parse("not base32 1!"), Err(OtpError::Invalid));
        assert_eq!(
            parse("ABC"),
            Err(OtpError::Invalid),
            "3 characters cannot encode whole bytes"
        );
        assert_eq!(parse("otpauth://totp/x?issuer=a"), Err(OtpError::Invalid));
        assert_eq!(
            parse("otpauth://totp/x?secret=GEZDGNBV&algorithm=MD5"),
            Err(OtpError::Invalid)
        );
        assert!(format!("{:?}", parse("GEZDGNBV").unwrap()).contains("<redacted>"));
    }
}
