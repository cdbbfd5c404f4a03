//! Identifier and b64url member checks (§1.3, §2.1).

use std::collections::HashMap;

use zeroize::Zeroizing;

use super::b64::{self, B64};
use super::ctx::{Ptr, Sink};
use super::rules;

/// Largest identifier, in decoded bytes.
pub(crate) const MAX_ID_BYTES: usize = 64;

/// Check a b64url member written as `text` (at `at`) and return its bytes when it decodes.
pub(crate) fn check_b64_text(sink: &mut Sink, at: &Ptr, text: &str) -> Option<Zeroizing<Vec<u8>>> {
    classify_into(sink, at, text, rules::B64URL_INVALID)
}

fn classify_into(
    sink: &mut Sink,
    at: &Ptr,
    text: &str,
    invalid: rules::Rule,
) -> Option<Zeroizing<Vec<u8>>> {
    match b64::classify(text) {
        B64::Canonical(b) => Some(b),
        B64::Padded(b) => {
            sink.push_hint(
                rules::B64URL_PADDED,
                at,
                "base64url value carries '=' padding",
                "CXF producers write base64url without padding",
            );
            Some(b)
        }
        B64::NonCanonical(b) => {
            sink.push_hint(
                rules::B64URL_NON_CANONICAL,
                at,
                "base64url value is not canonical (standard-alphabet '+' or '/', or stray trailing bits)",
                "re-encode the bytes with the URL-safe alphabet, unpadded",
            );
            Some(b)
        }
        B64::Invalid => {
            sink.push(invalid, at, "value is not base64url");
            None
        }
    }
}

/// Check an identifier written as `text`; returns its bytes when it decodes.
pub(crate) fn check_id_text(sink: &mut Sink, at: &Ptr, text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let bytes = classify_into(sink, at, text, rules::ID_NOT_BASE64URL)?;
    check_id_bytes(sink, at, &bytes);
    Some(bytes)
}

/// Check the decoded length of an identifier.
pub(crate) fn check_id_bytes(sink: &mut Sink, at: &Ptr, bytes: &[u8]) {
    if bytes.len() > MAX_ID_BYTES {
        sink.push_hint(
            rules::ID_TOO_LONG,
            at,
            format!(
                "identifier is {} bytes; at most {MAX_ID_BYTES} are allowed",
                bytes.len()
            ),
            "identifiers are opaque: hash or replace long ids (e.g. 16 random bytes)",
        );
    } else if bytes.is_empty() {
        sink.push(rules::ID_EMPTY, at, "identifier is empty");
    }
}

/// Per-Account uniqueness of identifiers.
#[derive(Debug, Default)]
pub(crate) struct IdScope {
    entities: HashMap<Vec<u8>, String>,
    fields: HashMap<Vec<u8>, String>,
}

impl IdScope {
    /// Record an Account/Collection/Item id; reports `id.duplicate` on a repeat.
    pub(crate) fn entity(&mut self, sink: &mut Sink, at: &Ptr, bytes: &[u8]) {
        Self::record(&mut self.entities, sink, at, bytes, rules::ID_DUPLICATE);
    }

    /// Record an EditableField / custom-fields id (unique within the current Item); reports
    /// `id.duplicate-field` on a repeat.
    pub(crate) fn field(&mut self, sink: &mut Sink, at: &Ptr, bytes: &[u8]) {
        Self::record(&mut self.fields, sink, at, bytes, rules::ID_DUPLICATE_FIELD);
    }

    /// Start a new Item: field ids are compared within one Item only.
    pub(crate) fn begin_item(&mut self) {
        self.fields.clear();
    }

    fn record(
        map: &mut HashMap<Vec<u8>, String>,
        sink: &mut Sink,
        at: &Ptr,
        bytes: &[u8],
        rule: rules::Rule,
    ) {
        if let Some(first) = map.get(bytes) {
            sink.push_hint(
                rule,
                at,
                format!("identifier already used at {first}"),
                if rule.id == rules::ID_DUPLICATE.id {
                    "identifiers must be unique within an Account"
                } else {
                    "field identifiers must be unique within an Item"
                },
            );
        } else {
            map.insert(bytes.to_vec(), at.as_str().to_owned());
        }
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
    fn id_text_rules() {
        let p = Ptr::root().key("id");
        assert!(got(|s| drop(check_id_text(s, &p, "AAECAwQFBgcICQoLDA0ODw"))).is_empty());
        assert_eq!(
            got(|s| drop(check_id_text(s, &p, "not base64!"))),
            [("id.not-base64url", "/id".into())]
        );
        assert_eq!(
            got(|s| drop(check_id_text(s, &p, &"A".repeat(88)))),
            [("id.too-long", "/id".into())]
        );
        assert_eq!(
            got(|s| drop(check_id_text(s, &p, ""))),
            [("id.empty", "/id".into())]
        );
        assert_eq!(
            got(|s| drop(check_id_text(s, &p, "AQ=="))),
            [("b64url.padded", "/id".into())]
        );
        assert_eq!(
            got(|s| drop(check_b64_text(s, &p, "+/8"))),
            [("b64url.non-canonical", "/id".into())]
        );
        assert_eq!(
            got(|s| drop(check_b64_text(s, &p, "*"))),
            [("b64url.invalid", "/id".into())]
        );
    }

    #[test]
    fn duplicates_are_per_namespace() {
        let mut scope = IdScope::default();
        let mut sink = Sink::default();
        scope.entity(&mut sink, &Ptr::root().key("a"), b"x");
        scope.field(&mut sink, &Ptr::root().key("f"), b"x");
        assert!(sink.diagnostics.is_empty());
        scope.entity(&mut sink, &Ptr::root().key("b"), b"x");
        scope.field(&mut sink, &Ptr::root().key("g"), b"x");
        let got: Vec<_> = sink
            .diagnostics
            .iter()
            .map(|d| (d.rule, d.pointer.as_str()))
            .collect();
        assert_eq!(got, [("id.duplicate", "/b"), ("id.duplicate-field", "/g")]);
        assert!(sink.diagnostics[0].message.contains("/a"));
        scope.begin_item();
        scope.field(&mut sink, &Ptr::root().key("h"), b"x");
        scope.entity(&mut sink, &Ptr::root().key("c"), b"x");
        assert_eq!(
            sink.diagnostics.len(),
            3,
            "field ids restart per item, entity ids do not"
        );
    }
}
