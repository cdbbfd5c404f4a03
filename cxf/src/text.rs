//! String types of the model: [`Text`] for ordinary values and [`Secret`] for credential material.
//!
//! Both store short strings inline (no heap allocation up to 24 bytes), which keeps a parsed
//! vault smaller than its JSON. [`Secret`] wipes its bytes on drop and never prints them.

use std::fmt;
use std::ops::Deref;

use compact_str::CompactString;
use zeroize::Zeroize;

/// An ordinary (non-secret) string value: ids, titles, URLs, user names, type names.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Text(CompactString);

/// Hashes as the `str` it holds, so a `HashSet<Text>` can be queried with a `&str`.
impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Text {
    /// Creates a text value.
    pub fn new(s: impl AsRef<str>) -> Self {
        Text(CompactString::new(s.as_ref()))
    }

    /// The text as a string slice.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text::new(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(CompactString::from(s))
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.0.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.0.as_str() == *other
    }
}

/// A secret string: a password, a concealed field, a key in base64url, a TOTP seed, a note.
///
/// The bytes are overwritten with zeros when the value is dropped, `Debug` prints
/// `<redacted>`, and there is no `Display`: reading the value takes an explicit
/// [`Secret::expose`].
///
/// The bytes always live on the heap (never inline, unlike [`Text`]), so moving a `Secret`
/// (into a `Vec` that grows, out of a function) copies only the pointer: the one copy of the
/// value is the one wiped on drop.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(Box<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(s: impl AsRef<str>) -> Self {
        Secret(Box::from(s.as_ref()))
    }

    /// Takes ownership of a `String`, wiping the original buffer.
    pub fn from_string(mut s: String) -> Self {
        let secret = Secret::new(&s);
        s.zeroize();
        secret
    }

    /// The secret value. Call sites of this method are the places where a secret leaves the
    /// model; keep them few.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length of the value in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret::from_string(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_bytes_are_never_inline() {
        // A short secret (CompactString kept up to 24 bytes inline) lives on the heap: a move
        // copies the pointer, not the value.
        for value in ["", "pw", "hunter2", "exactly-24-bytes-secret!"] {
            let s = Secret::new(value);
            let inline = (&s as *const Secret).cast::<u8>() as usize;
            let range = inline..inline + std::mem::size_of::<Secret>();
            assert!(
                !range.contains(&(s.expose().as_ptr() as usize)),
                "{value:?} is inline"
            );
            let moved = Box::new(s);
            assert_eq!(moved.expose(), value);
        }
        assert_eq!(
            std::mem::size_of::<Secret>(),
            2 * std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn text_compares_with_str() {
        let t = Text::from("basic-auth");
        assert_eq!(t, "basic-auth");
        assert_eq!(format!("{t:?}"), "\"basic-auth\"");
    }
}
