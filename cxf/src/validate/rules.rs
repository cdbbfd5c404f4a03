//! The rule table: every rule id with its fixed severity (mirrors `docs/validation-rules.md`).

use super::report::Severity;

/// A validation rule: stable id and severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rule {
    /// Stable id, e.g. `id.too-long`.
    pub(crate) id: &'static str,
    /// Severity of every diagnostic of this rule.
    pub(crate) severity: Severity,
}

const fn rule(id: &'static str, severity: Severity) -> Rule {
    Rule { id, severity }
}

/// `version.unpublished` (error).
pub(crate) const VERSION_UNPUBLISHED: Rule = rule("version.unpublished", Severity::Error);
/// `draft.legacy-shape` (warning).
pub(crate) const DRAFT_LEGACY_SHAPE: Rule = rule("draft.legacy-shape", Severity::Warning);
/// `header.bare-account` (info).
pub(crate) const HEADER_BARE_ACCOUNT: Rule = rule("header.bare-account", Severity::Info);
/// `document.byte-order-mark` (warning).
pub(crate) const DOCUMENT_BYTE_ORDER_MARK: Rule =
    rule("document.byte-order-mark", Severity::Warning);
/// `member.null` (warning).
pub(crate) const MEMBER_NULL: Rule = rule("member.null", Severity::Warning);
/// `header.exporter-rp-id` (warning).
pub(crate) const HEADER_EXPORTER_RP_ID: Rule = rule("header.exporter-rp-id", Severity::Warning);
/// `header.display-name-empty` (warning).
pub(crate) const HEADER_DISPLAY_NAME_EMPTY: Rule =
    rule("header.display-name-empty", Severity::Warning);
/// `id.not-base64url` (error).
pub(crate) const ID_NOT_BASE64URL: Rule = rule("id.not-base64url", Severity::Error);
/// `id.too-long` (error).
pub(crate) const ID_TOO_LONG: Rule = rule("id.too-long", Severity::Error);
/// `id.empty` (warning).
pub(crate) const ID_EMPTY: Rule = rule("id.empty", Severity::Warning);
/// `id.duplicate` (error).
pub(crate) const ID_DUPLICATE: Rule = rule("id.duplicate", Severity::Error);
/// `id.duplicate-field` (warning).
pub(crate) const ID_DUPLICATE_FIELD: Rule = rule("id.duplicate-field", Severity::Warning);
/// `b64url.invalid` (error).
pub(crate) const B64URL_INVALID: Rule = rule("b64url.invalid", Severity::Error);
/// `b64url.padded` (warning).
pub(crate) const B64URL_PADDED: Rule = rule("b64url.padded", Severity::Warning);
/// `b64url.non-canonical` (warning).
pub(crate) const B64URL_NON_CANONICAL: Rule = rule("b64url.non-canonical", Severity::Warning);
/// `array.empty-optional` (error).
pub(crate) const ARRAY_EMPTY_OPTIONAL: Rule = rule("array.empty-optional", Severity::Error);
/// `array.missing-required` (error).
pub(crate) const ARRAY_MISSING_REQUIRED: Rule = rule("array.missing-required", Severity::Error);
/// `timestamp.implausible` (warning).
pub(crate) const TIMESTAMP_IMPLAUSIBLE: Rule = rule("timestamp.implausible", Severity::Warning);
/// `timestamp.order` (warning).
pub(crate) const TIMESTAMP_ORDER: Rule = rule("timestamp.order", Severity::Warning);
/// `linked-item.unresolved` (info).
pub(crate) const LINKED_ITEM_UNRESOLVED: Rule = rule("linked-item.unresolved", Severity::Info);
/// `item-reference.unresolved` (warning).
pub(crate) const ITEM_REFERENCE_UNRESOLVED: Rule =
    rule("item-reference.unresolved", Severity::Warning);
/// `item.no-credentials` (info).
pub(crate) const ITEM_NO_CREDENTIALS: Rule = rule("item.no-credentials", Severity::Info);
/// `scope.missing` (warning).
pub(crate) const SCOPE_MISSING: Rule = rule("scope.missing", Severity::Warning);
/// `url.invalid` (warning).
pub(crate) const URL_INVALID: Rule = rule("url.invalid", Severity::Warning);
/// `android-app.bundle-id` (warning).
pub(crate) const ANDROID_APP_BUNDLE_ID: Rule = rule("android-app.bundle-id", Severity::Warning);
/// `android-app.hash-alg-unknown` (info).
pub(crate) const ANDROID_APP_HASH_ALG_UNKNOWN: Rule =
    rule("android-app.hash-alg-unknown", Severity::Info);
/// `android-app.fingerprint-length` (warning).
pub(crate) const ANDROID_APP_FINGERPRINT_LENGTH: Rule =
    rule("android-app.fingerprint-length", Severity::Warning);
/// `field.empty-value` (warning).
pub(crate) const FIELD_EMPTY_VALUE: Rule = rule("field.empty-value", Severity::Warning);
/// `field.boolean` (error).
pub(crate) const FIELD_BOOLEAN: Rule = rule("field.boolean", Severity::Error);
/// `field.date` (error).
pub(crate) const FIELD_DATE: Rule = rule("field.date", Severity::Error);
/// `field.year-month` (error).
pub(crate) const FIELD_YEAR_MONTH: Rule = rule("field.year-month", Severity::Error);
/// `field.country-code` (error).
pub(crate) const FIELD_COUNTRY_CODE: Rule = rule("field.country-code", Severity::Error);
/// `field.subdivision-code` (error).
pub(crate) const FIELD_SUBDIVISION_CODE: Rule = rule("field.subdivision-code", Severity::Error);
/// `field.subdivision-unlisted` (warning).
pub(crate) const FIELD_SUBDIVISION_UNLISTED: Rule =
    rule("field.subdivision-unlisted", Severity::Warning);
/// `field.number` (error).
pub(crate) const FIELD_NUMBER: Rule = rule("field.number", Severity::Error);
/// `field.email` (warning).
pub(crate) const FIELD_EMAIL: Rule = rule("field.email", Severity::Warning);
/// `field.wifi-security-type` (warning).
pub(crate) const FIELD_WIFI_SECURITY_TYPE: Rule =
    rule("field.wifi-security-type", Severity::Warning);
/// `field.type-mismatch` (warning).
pub(crate) const FIELD_TYPE_MISMATCH: Rule = rule("field.type-mismatch", Severity::Warning);
/// `field.unknown-type` (info).
pub(crate) const FIELD_UNKNOWN_TYPE: Rule = rule("field.unknown-type", Severity::Info);
/// `credential.unknown-type` (info).
pub(crate) const CREDENTIAL_UNKNOWN_TYPE: Rule = rule("credential.unknown-type", Severity::Info);
/// `totp.secret-base32` (error).
pub(crate) const TOTP_SECRET_BASE32: Rule = rule("totp.secret-base32", Severity::Error);
/// `totp.secret-format` (warning).
pub(crate) const TOTP_SECRET_FORMAT: Rule = rule("totp.secret-format", Severity::Warning);
/// `totp.algorithm` (warning).
pub(crate) const TOTP_ALGORITHM: Rule = rule("totp.algorithm", Severity::Warning);
/// `totp.digits` (error).
pub(crate) const TOTP_DIGITS: Rule = rule("totp.digits", Severity::Error);
/// `totp.digits-unusual` (warning).
pub(crate) const TOTP_DIGITS_UNUSUAL: Rule = rule("totp.digits-unusual", Severity::Warning);
/// `totp.period` (error).
pub(crate) const TOTP_PERIOD: Rule = rule("totp.period", Severity::Error);
/// `totp.period-unusual` (warning).
pub(crate) const TOTP_PERIOD_UNUSUAL: Rule = rule("totp.period-unusual", Severity::Warning);
/// `totp.defaults-missing` (warning).
pub(crate) const TOTP_DEFAULTS_MISSING: Rule = rule("totp.defaults-missing", Severity::Warning);
/// `passkey.key-pkcs8` (error).
pub(crate) const PASSKEY_KEY_PKCS8: Rule = rule("passkey.key-pkcs8", Severity::Error);
/// `passkey.key-invalid` (error).
pub(crate) const PASSKEY_KEY_INVALID: Rule = rule("passkey.key-invalid", Severity::Error);
/// `passkey.key-algorithm` (warning).
pub(crate) const PASSKEY_KEY_ALGORITHM: Rule = rule("passkey.key-algorithm", Severity::Warning);
/// `passkey.credential-id` (error).
pub(crate) const PASSKEY_CREDENTIAL_ID: Rule = rule("passkey.credential-id", Severity::Error);
/// `passkey.user-handle` (error).
pub(crate) const PASSKEY_USER_HANDLE: Rule = rule("passkey.user-handle", Severity::Error);
/// `passkey.rp-id` (error).
pub(crate) const PASSKEY_RP_ID: Rule = rule("passkey.rp-id", Severity::Error);
/// `passkey.hmac-algorithm` (warning).
pub(crate) const PASSKEY_HMAC_ALGORITHM: Rule = rule("passkey.hmac-algorithm", Severity::Warning);
/// `passkey.hmac-length` (warning).
pub(crate) const PASSKEY_HMAC_LENGTH: Rule = rule("passkey.hmac-length", Severity::Warning);
/// `passkey.hmac-incomplete` (error).
pub(crate) const PASSKEY_HMAC_INCOMPLETE: Rule = rule("passkey.hmac-incomplete", Severity::Error);
/// `passkey.large-blob` (error).
pub(crate) const PASSKEY_LARGE_BLOB: Rule = rule("passkey.large-blob", Severity::Error);
/// `passkey.legacy-extension` (warning).
pub(crate) const PASSKEY_LEGACY_EXTENSION: Rule =
    rule("passkey.legacy-extension", Severity::Warning);
/// `ssh-key.private-key` (error).
pub(crate) const SSH_KEY_PRIVATE_KEY: Rule = rule("ssh-key.private-key", Severity::Error);
/// `ssh-key.key-type-mismatch` (error).
pub(crate) const SSH_KEY_KEY_TYPE_MISMATCH: Rule =
    rule("ssh-key.key-type-mismatch", Severity::Error);
/// `ssh-key.key-type` (warning).
pub(crate) const SSH_KEY_KEY_TYPE: Rule = rule("ssh-key.key-type", Severity::Warning);
/// `file.integrity-hash` (error).
pub(crate) const FILE_INTEGRITY_HASH: Rule = rule("file.integrity-hash", Severity::Error);
/// `file.name-empty` (warning).
pub(crate) const FILE_NAME_EMPTY: Rule = rule("file.name-empty", Severity::Warning);
/// `card.expiry` (warning).
pub(crate) const CARD_EXPIRY: Rule = rule("card.expiry", Severity::Warning);
/// `card.number` (info).
pub(crate) const CARD_NUMBER: Rule = rule("card.number", Severity::Info);
/// `dates.order` (warning).
pub(crate) const DATES_ORDER: Rule = rule("dates.order", Severity::Warning);
/// `passport.type` (error).
pub(crate) const PASSPORT_TYPE: Rule = rule("passport.type", Severity::Error);
/// `extension.unknown` (info).
pub(crate) const EXTENSION_UNKNOWN: Rule = rule("extension.unknown", Severity::Info);
/// `extension.shared-placement` (error).
pub(crate) const EXTENSION_SHARED_PLACEMENT: Rule =
    rule("extension.shared-placement", Severity::Error);
/// `shared.accessor-type` (warning).
pub(crate) const SHARED_ACCESSOR_TYPE: Rule = rule("shared.accessor-type", Severity::Warning);
/// `shared.permission` (warning).
pub(crate) const SHARED_PERMISSION: Rule = rule("shared.permission", Severity::Warning);
/// `shared.no-permissions` (warning).
pub(crate) const SHARED_NO_PERMISSIONS: Rule = rule("shared.no-permissions", Severity::Warning);

/// Every rule, in catalogue order.
#[cfg(test)]
pub(crate) const ALL: [Rule; 73] = [
    VERSION_UNPUBLISHED,
    DRAFT_LEGACY_SHAPE,
    HEADER_BARE_ACCOUNT,
    DOCUMENT_BYTE_ORDER_MARK,
    MEMBER_NULL,
    HEADER_EXPORTER_RP_ID,
    HEADER_DISPLAY_NAME_EMPTY,
    ID_NOT_BASE64URL,
    ID_TOO_LONG,
    ID_EMPTY,
    ID_DUPLICATE,
    ID_DUPLICATE_FIELD,
    B64URL_INVALID,
    B64URL_PADDED,
    B64URL_NON_CANONICAL,
    ARRAY_EMPTY_OPTIONAL,
    ARRAY_MISSING_REQUIRED,
    TIMESTAMP_IMPLAUSIBLE,
    TIMESTAMP_ORDER,
    LINKED_ITEM_UNRESOLVED,
    ITEM_REFERENCE_UNRESOLVED,
    ITEM_NO_CREDENTIALS,
    SCOPE_MISSING,
    URL_INVALID,
    ANDROID_APP_BUNDLE_ID,
    ANDROID_APP_HASH_ALG_UNKNOWN,
    ANDROID_APP_FINGERPRINT_LENGTH,
    FIELD_EMPTY_VALUE,
    FIELD_BOOLEAN,
    FIELD_DATE,
    FIELD_YEAR_MONTH,
    FIELD_COUNTRY_CODE,
    FIELD_SUBDIVISION_CODE,
    FIELD_SUBDIVISION_UNLISTED,
    FIELD_NUMBER,
    FIELD_EMAIL,
    FIELD_WIFI_SECURITY_TYPE,
    FIELD_TYPE_MISMATCH,
    FIELD_UNKNOWN_TYPE,
    CREDENTIAL_UNKNOWN_TYPE,
    TOTP_SECRET_BASE32,
    TOTP_SECRET_FORMAT,
    TOTP_ALGORITHM,
    TOTP_DIGITS,
    TOTP_DIGITS_UNUSUAL,
    TOTP_PERIOD,
    TOTP_PERIOD_UNUSUAL,
    TOTP_DEFAULTS_MISSING,
    PASSKEY_KEY_PKCS8,
    PASSKEY_KEY_INVALID,
    PASSKEY_KEY_ALGORITHM,
    PASSKEY_CREDENTIAL_ID,
    PASSKEY_USER_HANDLE,
    PASSKEY_RP_ID,
    PASSKEY_HMAC_ALGORITHM,
    PASSKEY_HMAC_LENGTH,
    PASSKEY_HMAC_INCOMPLETE,
    PASSKEY_LARGE_BLOB,
    PASSKEY_LEGACY_EXTENSION,
    SSH_KEY_PRIVATE_KEY,
    SSH_KEY_KEY_TYPE_MISMATCH,
    SSH_KEY_KEY_TYPE,
    FILE_INTEGRITY_HASH,
    FILE_NAME_EMPTY,
    CARD_EXPIRY,
    CARD_NUMBER,
    DATES_ORDER,
    PASSPORT_TYPE,
    EXTENSION_UNKNOWN,
    EXTENSION_SHARED_PLACEMENT,
    SHARED_ACCESSOR_TYPE,
    SHARED_PERMISSION,
    SHARED_NO_PERMISSIONS,
];

/// The rule of `id`, if there is one.
#[cfg(test)]
pub(crate) fn by_id(id: &str) -> Option<Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The catalogue in docs/ and this table must agree on ids and severities.
    #[test]
    fn table_matches_the_catalogue() {
        let md = include_str!("../../docs/validation-rules.md");
        let mut documented = Vec::new();
        for line in md.lines() {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if cells.len() > 3
                && cells[1].starts_with('`')
                && matches!(cells[2], "error" | "warning" | "info")
            {
                documented.push((cells[1].trim_matches('`').to_owned(), cells[2].to_owned()));
            }
        }
        let table: Vec<(String, String)> = ALL
            .iter()
            .map(|r| (r.id.to_owned(), r.severity.as_str().to_owned()))
            .collect();
        assert_eq!(documented, table);
        let mut ids: Vec<&str> = ALL.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ALL.len(), "duplicate rule id");
        assert_eq!(by_id("id.too-long"), Some(ID_TOO_LONG));
    }

    /// Every error and warning rule has at least one fixture in `fixtures/cxf/invalid/`.
    #[test]
    fn every_error_and_warning_rule_has_a_fixture() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/cxf/invalid");
        let mut covered = std::collections::HashSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.to_string_lossy().ends_with(".expect.json") {
                let v: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                for d in v["diagnostics"].as_array().unwrap() {
                    covered.insert(d["rule"].as_str().unwrap().to_owned());
                }
            }
        }
        let missing: Vec<&str> = ALL
            .iter()
            .filter(|r| r.severity != Severity::Info && !covered.contains(r.id))
            .map(|r| r.id)
            .collect();
        assert!(missing.is_empty(), "rules without a fixture: {missing:?}");
    }
}
