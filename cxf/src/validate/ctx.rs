//! Walking state: RFC 6901 pointers and the diagnostic sink.

use std::fmt::Write as _;

use super::report::Diagnostic;
use super::rules::Rule;

/// An RFC 6901 JSON Pointer under construction (`""` is the document root), as a chain of
/// borrowed segments on the walk's stack: building one costs nothing, and the text is only
/// rendered when a diagnostic needs it (most members of a valid document never do).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ptr<'a> {
    parent: Option<&'a Ptr<'a>>,
    seg: Seg<'a>,
}

#[derive(Clone, Copy, Debug)]
enum Seg<'a> {
    /// The document root.
    Root,
    /// A member name, unescaped.
    Key(&'a str),
    /// An array index.
    Idx(usize),
    /// Pointer text that is already escaped (from a parse note).
    Text(&'a str),
}

impl<'a> Ptr<'a> {
    /// The document root (a static, so that `Ptr::root().key(..)` outlives its statement).
    pub(crate) fn root() -> &'static Ptr<'static> {
        static ROOT: Ptr<'static> = Ptr {
            parent: None,
            seg: Seg::Root,
        };
        &ROOT
    }

    /// Child member `key`.
    pub(crate) fn key<'b>(&'b self, key: &'b str) -> Ptr<'b> {
        Ptr {
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }

    /// Array element `i`.
    pub(crate) fn idx(&self, i: usize) -> Ptr<'_> {
        Ptr {
            parent: Some(self),
            seg: Seg::Idx(i),
        }
    }

    /// A pointer given as RFC 6901 text (already escaped).
    pub(crate) fn from_pointer(text: &'a str) -> Self {
        Ptr {
            parent: None,
            seg: Seg::Text(text),
        }
    }

    /// Append the pointer text to `out` (escaped per RFC 6901: `~` → `~0`, `/` → `~1`).
    pub(crate) fn write_to(&self, out: &mut String) {
        if let Some(parent) = self.parent {
            parent.write_to(out);
        }
        match self.seg {
            Seg::Root => {}
            Seg::Text(t) => out.push_str(t),
            Seg::Idx(i) => {
                let _ = write!(out, "/{i}");
            }
            Seg::Key(k) => {
                out.push('/');
                for c in k.chars() {
                    match c {
                        '~' => out.push_str("~0"),
                        '/' => out.push_str("~1"),
                        c => out.push(c),
                    }
                }
            }
        }
    }

    /// The pointer text.
    pub(crate) fn render(&self) -> String {
        let mut s = String::new();
        self.write_to(&mut s);
        s
    }
}

/// Collects diagnostics.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Sink {
    /// Record a finding of `rule` at `ptr`, with a hint on what to do about it (every finding
    /// has one, so a user is never left with a bare complaint).
    pub(crate) fn push(
        &mut self,
        rule: Rule,
        ptr: &Ptr<'_>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.diagnostics.push(Diagnostic {
            rule: rule.id,
            severity: rule.severity,
            pointer: ptr.render(),
            message: message.into(),
            hint: Some(hint.into()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_per_rfc6901() {
        assert_eq!(
            Ptr::root().key("accounts").idx(0).key("a/b~c").render(),
            "/accounts/0/a~1b~0c"
        );
        assert_eq!(Ptr::root().render(), "");
        let note = Ptr::from_pointer("/accounts/0/x~1y");
        let three = note.idx(3);
        assert_eq!(three.key("~").render(), "/accounts/0/x~1y/3/~0");
    }
}
