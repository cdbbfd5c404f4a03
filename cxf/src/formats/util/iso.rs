//! ISO 3166 codes and ICAO passport codes, to decide whether a source value can go in a CXF
//! `country-code`, `subdivision-code` or `passportType` member or must stay free text.
//!
//! The code tables are the validator's (`validate::formats`), so the two never disagree.

use crate::validate::formats::is_country_code;
pub(crate) use crate::validate::formats::is_passport_type;

/// The ISO 3166-1 alpha-2 code for a source value: an assigned code in any case, or `UK` (which
/// several managers write for the United Kingdom) as `GB`.
pub(crate) fn country_code(s: &str) -> Option<String> {
    let up = s.trim().to_ascii_uppercase();
    let up = if up == "UK" { "GB".to_owned() } else { up };
    is_country_code(&up).then_some(up)
}

/// Whether `s` (trimmed) is an ISO 3166-2 code in the validator's list, so that writing it as
/// a `subdivision-code` never draws a validation finding.
pub(crate) fn is_subdivision_code(s: &str) -> bool {
    use crate::validate::formats::{Subdivision, subdivision};
    subdivision(s.trim()) == Subdivision::Listed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(country_code("us").as_deref(), Some("US"));
        assert_eq!(country_code("UK").as_deref(), Some("GB"));
        assert_eq!(country_code("XX"), None);
        assert!(is_subdivision_code("US-CA"));
        assert!(!is_subdivision_code("XX-CA") && !is_subdivision_code("US-XX"));
        assert!(is_subdivision_code(" CA-ON "));
        assert!(is_passport_type("P") && is_passport_type("PD") && !is_passport_type("Regular"));
    }
}
