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
    field: &Ptr,
    field_type: &str,
    value: &str,
    expected: Option<&str>,
) {
    let known = KNOWN_FIELD_TYPES.contains(&field_type);
    if !known {
        sink.push_hint(
            rules::FIELD_UNKNOWN_TYPE,
            &field.key("fieldType"),
            format!("unknown fieldType {}", quote(field_type)),
            "importers read an unknown fieldType as \"string\"",
        );
    }
    if let Some(expected) = expected {
        if expected != field_type {
            sink.push_hint(
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

/// Check a field `value` (at `at`) against the grammar of `field_type`.
pub(crate) fn check_value(sink: &mut Sink, at: &Ptr, field_type: &str, value: &str) {
    match field_type {
        "boolean" => {
            if value != "true" && value != "false" {
                sink.push_hint(
                    rules::FIELD_BOOLEAN,
                    at,
                    format!(
                        "boolean value {} is not \"true\" or \"false\"",
                        quote(value)
                    ),
                    "write exactly \"true\" or \"false\" (lower case, as a string)",
                );
            }
        }
        "date" => {
            if formats::parse_date(value).is_none() {
                sink.push_hint(
                    rules::FIELD_DATE,
                    at,
                    format!(
                        "date value {} is not a calendar date YYYY-MM-DD",
                        quote(value)
                    ),
                    "use the RFC 3339 full-date form, e.g. \"2030-01-31\"",
                );
            }
        }
        "year-month" => {
            if formats::parse_year_month(value).is_none() {
                sink.push_hint(
                    rules::FIELD_YEAR_MONTH,
                    at,
                    format!("year-month value {} is not YYYY-MM", quote(value)),
                    "use four-digit year, dash, two-digit month, e.g. \"2030-01\"",
                );
            }
        }
        "country-code" => {
            if !formats::is_country_code(value) {
                let hint = if formats::is_country_code(&value.to_ascii_uppercase()) {
                    "write the code in upper case"
                } else {
                    "use an ISO 3166-1 alpha-2 code such as \"US\" or \"DE\""
                };
                sink.push_hint(
                    rules::FIELD_COUNTRY_CODE,
                    at,
                    format!("{} is not an ISO 3166-1 alpha-2 country code", quote(value)),
                    hint,
                );
            }
        }
        "subdivision-code" => {
            if !formats::is_subdivision_code(value) {
                let hint = if !value.contains('-') && value.len() <= 3 {
                    "prefix the country: ISO 3166-2 codes look like \"US-CA\""
                } else {
                    "use an ISO 3166-2 code such as \"US-CA\" or \"DE-BY\""
                };
                sink.push_hint(
                    rules::FIELD_SUBDIVISION_CODE,
                    at,
                    format!("{} is not an ISO 3166-2 subdivision code", quote(value)),
                    hint,
                );
            }
        }
        "number" => {
            if !formats::is_number(value) {
                sink.push_hint(
                    rules::FIELD_NUMBER,
                    at,
                    format!("number value {} is not a decimal number", quote(value)),
                    "write digits with an optional sign, '.' fraction and exponent",
                );
            }
        }
        "email" => {
            if !formats::is_email(value) {
                sink.push(
                    rules::FIELD_EMAIL,
                    at,
                    "email value is not an address of the form local@domain",
                );
            }
        }
        "wifi-network-security-type" => {
            if !formats::WIFI_SECURITY_TYPES.contains(&value) {
                sink.push_hint(
                    rules::FIELD_WIFI_SECURITY_TYPE,
                    at,
                    format!("{} is not a known Wi-Fi security type", quote(value)),
                    "use one of unsecured, wep, wpa-personal, wpa2-personal, wpa3-personal",
                );
            }
        }
        _ => {}
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
    fn messages_do_not_echo_emails() {
        let mut sink = Sink::default();
        check_value(&mut sink, &Ptr::root(), "email", "secret person");
        assert!(!sink.diagnostics[0].message.contains("secret"));
    }
}
