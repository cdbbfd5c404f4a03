//! Format-independent helpers shared by the readers and writers.

pub(crate) mod archive;
pub(crate) mod bwcrypto;
pub(crate) mod iso;
pub(crate) mod json;
pub(crate) mod keys;
pub(crate) mod members;
pub(crate) mod msgpack;
pub(crate) mod otp;
pub(crate) mod tabular;
pub(crate) mod time;

/// Decodes base64 in either alphabet (standard or URL-safe), padded or not; surrounding
/// whitespace is ignored.
pub(crate) fn b64_any(s: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let t = s.trim().trim_end_matches('=');
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(t)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(t))
        .ok()
}
