//! Walking state: RFC 6901 pointers and the diagnostic sink.

use std::fmt::Write as _;

use super::report::Diagnostic;
use super::rules::Rule;

/// An RFC 6901 JSON Pointer under construction (`""` is the document root).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Ptr(String);

impl Ptr {
    /// The document root.
    pub(crate) fn root() -> Self {
        Ptr(String::new())
    }

    /// Child member `key` (escaped per RFC 6901: `~` → `~0`, `/` → `~1`).
    pub(crate) fn key(&self, key: &str) -> Self {
        let mut s = String::with_capacity(self.0.len() + key.len() + 1);
        s.push_str(&self.0);
        s.push('/');
        for c in key.chars() {
            match c {
                '~' => s.push_str("~0"),
                '/' => s.push_str("~1"),
                c => s.push(c),
            }
        }
        Ptr(s)
    }

    /// Array element `i`.
    pub(crate) fn idx(&self, i: usize) -> Self {
        let mut s = self.0.clone();
        let _ = write!(s, "/{i}");
        Ptr(s)
    }

    /// A pointer given as RFC 6901 text (already escaped).
    pub(crate) fn from_pointer(text: &str) -> Self {
        Ptr(text.to_owned())
    }

    /// The pointer text.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// Collects diagnostics.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Sink {
    /// Record a finding of `rule` at `ptr`.
    pub(crate) fn push(&mut self, rule: Rule, ptr: &Ptr, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            rule: rule.id,
            severity: rule.severity,
            pointer: ptr.as_str().to_owned(),
            message: message.into(),
            hint: None,
        });
    }

    /// Record a finding with a hint on what to do.
    pub(crate) fn push_hint(
        &mut self,
        rule: Rule,
        ptr: &Ptr,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(rule, ptr, message);
        if let Some(last) = self.diagnostics.last_mut() {
            last.hint = Some(hint.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_per_rfc6901() {
        let p = Ptr::root().key("accounts").idx(0).key("a/b~c");
        assert_eq!(p.as_str(), "/accounts/0/a~1b~0c");
        assert_eq!(Ptr::root().as_str(), "");
    }
}
