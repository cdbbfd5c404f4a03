//! EditableField checks: value grammar per `fieldType`, expected `fieldType` per member.

use super::ctx::{Ptr, Sink};
use super::formats::{self, quote};
use super::rules;

/// The ten `fieldType` values of CXF 1.0.
pub(crate) const KNOWN_FIELD_TYPES: [&str; 10] = [
    "string",
    "concealed-string",
    "email",
    "number",
    "boolean",
    "date",
    "year-month",
    "wifi-network-security-type",
    "country-code",
    "subdivision-code",
];

/// Check an EditableField at `field`: its `fieldType` against `expected` (the type the
/// credential member should carry; `None` for custom fields), then its `value` against the
/// grammar of its declared `fieldType`.
pub(crate) fn check_field(
    sink: &mut Sink,
    field: &Ptr<'_>,
    field_type: &str,
    value: &str,
    expected: Option<&str>,
) {
    let known = KNOWN_FIELD_TYPES.contains(&field_type);
    if !known {
        sink.push(
            rules::FIELD_UNKNOWN_TYPE,
            &field.key("fieldType"),
            format!("unknown fieldType {}", quote(field_type)),
            "importers read an unknown fieldType as \"string\"",
        );
    }
    if let Some(expected) = expected {
        if expected != field_type {
            sink.push(
                rules::FIELD_TYPE_MISMATCH,
                &field.key("fieldType"),
                format!(
                    "fieldType is {} but this member should be \"{expected}\"",
                    quote(field_type)
                ),
                if expected == "concealed-string" {
                    "use \"concealed-string\" so importers hide the value"
                } else {
                    "use the fieldType the credential type defines for this member"
                },
            );
        }
    }
    check_value(sink, &field.key("value"), field_type, value);
}

/// Check a field `value` (at `at`) against the grammar of `field_type`. Messages never repeat
/// the value: any field may hold a secret, whatever its declared type.
pub(crate) fn check_value(sink: &mut Sink, at: &Ptr<'_>, field_type: &str, value: &str) {
    const TYPED: [&str; 8] = [
        "boolean",
        "date",
        "year-month",
        "country-code",
        "subdivision-code",
        "number",
        "email",
        "wifi-network-security-type",
    ];
    if value.is_empty() && TYPED.contains(&field_type) {
        sink.push(
            rules::FIELD_EMPTY_VALUE,
            at,
            format!("the {field_type} field has an empty value"),
            "omit the member when there is no value",
        );
        return;
    }
    let (ok, rule, message, hint) = match field_type {
        "boolean" => (
            value == "true" || value == "false",
            rules::FIELD_BOOLEAN,
            "boolean value is not \"true\" or \"false\"",
            "write exactly \"true\" or \"false\" (lower case, as a string)",
        ),
        "date" => (
            formats::parse_date(value).is_some(),
            rules::FIELD_DATE,
            "date value is not a calendar date YYYY-MM-DD",
            "use the RFC 3339 full-date form, e.g. \"2030-01-31\"",
        ),
        "year-month" => (
            formats::parse_year_month(value).is_some(),
            rules::FIELD_YEAR_MONTH,
            "year-month value is not YYYY-MM",
            "use four-digit year, dash, two-digit month, e.g. \"2030-01\"",
        ),
        "country-code" => (
            formats::is_country_code(value),
            rules::FIELD_COUNTRY_CODE,
            "country-code value is not an ISO 3166-1 alpha-2 code",
            if formats::is_country_code(&value.to_ascii_uppercase()) {
                "write the code in upper case"
            } else {
                "use an ISO 3166-1 alpha-2 code such as \"US\" or \"DE\""
            },
        ),
        "subdivision-code" => (
            match formats::subdivision(value) {
                formats::Subdivision::Listed => true,
                formats::Subdivision::Malformed => false,
                formats::Subdivision::Unlisted => {
                    sink.push(
                        rules::FIELD_SUBDIVISION_UNLISTED,
                        at,
                        format!(
                            "subdivision-code value is not in the ISO 3166-2 list of {}",
                            super::iso3166_2::SOURCE
                        ),
                        "check the code against ISO 3166-2; it may be newer than this list, or withdrawn",
                    );
                    true
                }
            },
            rules::FIELD_SUBDIVISION_CODE,
            "subdivision-code value is not an ISO 3166-2 code",
            if !value.contains('-') && value.len() <= 3 {
                "prefix the country: ISO 3166-2 codes look like \"US-CA\""
            } else {
                "use an ISO 3166-2 code such as \"US-CA\" or \"DE-BY\""
            },
        ),
        "number" => (
            formats::is_number(value),
            rules::FIELD_NUMBER,
            "number value is not a decimal number",
            "write digits with an optional sign, '.' fraction and exponent",
        ),
        "email" => (
            formats::is_email(value),
            rules::FIELD_EMAIL,
            "email value is not an address of the form local@domain",
            "write a bare address such as \"ada@example.com\" (no display name)",
        ),
        "wifi-network-security-type" => (
            formats::WIFI_SECURITY_TYPES.contains(&value),
            rules::FIELD_WIFI_SECURITY_TYPE,
            "wifi-network-security-type value is not one of the five defined values",
            "use one of unsecured, wep, wpa-personal, wpa2-personal, wpa3-personal",
        ),
        _ => return,
    };
    if !ok {
        sink.push(rule, at, message, hint);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(field_type: &str, value: &str, expected: Option<&str>) -> Vec<(&'static str, String)> {
        let mut sink = Sink::default();
        check_field(
            &mut sink,
            &Ptr::root().key("f"),
            field_type,
            value,
            expected,
        );
        sink.diagnostics
            .into_iter()
            .map(|d| (d.rule, d.pointer))
            .collect()
    }

    #[test]
    fn good_values_pass() {
        for (t, v) in [
            ("string", "anything"),
            ("concealed-string", ""),
            ("boolean", "false"),
            ("date", "2030-01-31"),
            ("year-month", "2030-01"),
            ("country-code", "US"),
            ("subdivision-code", "US-CA"),
            ("number", "-1.5"),
            ("email", "a@example.com"),
            ("wifi-network-security-type", "wpa3-personal"),
        ] {
            assert!(run(t, v, Some(t)).is_empty(), "{t} {v}");
        }
    }

    #[test]
    fn each_grammar_has_its_rule() {
        let cases = [
            ("boolean", "yes", "field.boolean"),
            ("boolean", "True", "field.boolean"),
            ("date", "2030-02-30", "field.date"),
            ("year-month", "01/30", "field.year-month"),
            ("country-code", "USA", "field.country-code"),
            ("subdivision-code", "CA", "field.subdivision-code"),
            ("number", "1,5", "field.number"),
            ("email", "not an email", "field.email"),
            (
                "wifi-network-security-type",
                "WPA2",
                "field.wifi-security-type",
            ),
        ];
        for (t, v, rule) in cases {
            assert_eq!(
                run(t, v, None),
                vec![(rule, "/f/value".to_owned())],
                "{t} {v}"
            );
        }
    }

    #[test]
    fn empty_typed_values_are_one_warning() {
        assert_eq!(
            run("country-code", "", Some("country-code")),
            vec![("field.empty-value", "/f/value".to_owned())]
        );
        assert!(run("string", "", Some("string")).is_empty());
        assert!(run("concealed-string", "", None).is_empty());
    }

    #[test]
    fn type_mismatch_and_unknown_type() {
        assert_eq!(
            run("string", "hunter2", Some("concealed-string")),
            vec![("field.type-mismatch", "/f/fieldType".to_owned())]
        );
        assert_eq!(
            run("colour", "red", Some("string")),
            vec![
                ("field.unknown-type", "/f/fieldType".to_owned()),
                ("field.type-mismatch", "/f/fieldType".to_owned())
            ]
        );
        assert_eq!(
            run("colour", "red", None),
            vec![("field.unknown-type", "/f/fieldType".to_owned())]
        );
    }

    #[test]
    fn messages_never_echo_values() {
        for t in [
            "email",
            "boolean",
            "date",
            "year-month",
            "country-code",
            "subdivision-code",
            "number",
            "wifi-network-security-type",
        ] {
            let mut sink = Sink::default();
            check_value(&mut sink, Ptr::root(), t, "hunter2 secret");
            let d = &sink.diagnostics[0];
            assert!(
                !d.message.contains("hunter2")
                    && !d.hint.as_deref().unwrap_or("").contains("hunter2"),
                "{t}"
            );
        }
    }
}
