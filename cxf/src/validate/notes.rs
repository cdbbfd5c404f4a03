//! Parse notes that are findings: the parser normalised a deviation, the validator reports it.

use super::ctx::{Ptr, Sink};
use super::rules::{self, Rule};
use crate::ParseNote;

/// The rule a parse note code stands for; `None` for codes that are not findings.
pub(crate) fn rule_for(code: &str) -> Option<Rule> {
    Some(match code {
        "empty-optional-array" => rules::ARRAY_EMPTY_OPTIONAL,
        "missing-required-array" => rules::ARRAY_MISSING_REQUIRED,
        "padded-base64url" => rules::B64URL_PADDED,
        "base64-standard-alphabet" => rules::B64URL_NON_CANONICAL,
        "negative-timestamp" | "fractional-timestamp" => rules::TIMESTAMP_IMPLAUSIBLE,
        "wd-version-integer" => rules::VERSION_UNPUBLISHED,
        "ps-hmac-secret" => rules::PASSKEY_LEGACY_EXTENSION,
        "wd-exporter"
        | "wd-user-name"
        | "wd-basic-auth-urls"
        | "wd-bare-string-field"
        | "wd-expiration-date"
        | "wd-integration-hash"
        | "rd-hash-algorithm" => rules::DRAFT_LEGACY_SHAPE,
        "bare-account" => rules::HEADER_BARE_ACCOUNT,
        "null-optional-member" => rules::MEMBER_NULL,
        "byte-order-mark" => rules::DOCUMENT_BYTE_ORDER_MARK,
        _ => return None,
    })
}

/// Report every note that is a finding.
pub(crate) fn report(sink: &mut Sink, notes: &[ParseNote]) {
    for note in notes {
        if let Some(rule) = rule_for(note.code) {
            let at = Ptr::from_pointer(&note.pointer);
            sink.push(
                rule,
                &at,
                note.message.clone(),
                "the parser normalised this; re-exporting with a CXF 1.0 writer fixes it",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every note code the parser documents is either a finding or deliberately not one.
    #[test]
    fn known_note_codes_map_to_rules() {
        let findings = crate::ParseNote::CODES;
        for code in findings {
            assert!(rule_for(code).is_some(), "{code}");
        }
        assert_eq!(
            rule_for("empty-optional-array"),
            Some(rules::ARRAY_EMPTY_OPTIONAL)
        );
        assert_eq!(rule_for("something-new"), None);
    }
}
