//! JSON Pointers (RFC 6901) for locating members in errors, notes and diagnostics.
//!
//! While parsing, the location is a chain of stack frames ([`Path`]) that costs nothing unless
//! an error or a note needs it rendered.

use std::fmt::Write;

/// A location in the document being parsed, as a chain of borrowed frames.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Path<'p> {
    /// The document root.
    Root,
    /// A member of an object.
    Key(&'p Path<'p>, &'p str),
    /// An element of an array.
    Index(&'p Path<'p>, usize),
}

impl<'p> Path<'p> {
    /// The path of member `key` below `self`.
    pub(crate) fn key(&'p self, key: &'p str) -> Path<'p> {
        Path::Key(self, key)
    }

    /// The path of element `index` below `self`.
    pub(crate) fn index(&'p self, index: usize) -> Path<'p> {
        Path::Index(self, index)
    }

    /// Renders the RFC 6901 pointer.
    pub(crate) fn to_pointer(self) -> String {
        let mut segments: Vec<Path<'_>> = Vec::new();
        let mut cur = self;
        loop {
            match cur {
                Path::Root => break,
                Path::Key(parent, _) | Path::Index(parent, _) => {
                    segments.push(cur);
                    cur = *parent;
                }
            }
        }
        let mut out = String::new();
        for seg in segments.iter().rev() {
            match seg {
                Path::Key(_, k) => push_token(&mut out, k),
                Path::Index(_, i) => {
                    let _ = write!(out, "/{i}");
                }
                Path::Root => {}
            }
        }
        out
    }
}

/// Appends `/token` with `~` and `/` escaped as RFC 6901 requires.
pub(crate) fn push_token(out: &mut String, token: &str) {
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_escaped_pointer() {
        let root = Path::Root;
        let a = root.key("accounts");
        let b = a.index(0);
        let c = b.key("a/b~c");
        assert_eq!(c.to_pointer(), "/accounts/0/a~1b~0c");
        assert_eq!(Path::Root.to_pointer(), "");
    }
}
