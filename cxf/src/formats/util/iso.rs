//! ISO 3166 codes and ICAO passport codes, to decide whether a source value can go in a CXF
//! `country-code`, `subdivision-code` or `passportType` member or must stay free text.
//!
//! The same table as the validator's (`validate::formats`, private to that module); keep them in
//! step.

/// Assigned ISO 3166-1 alpha-2 codes, sorted.
const ISO_3166_1_ALPHA2: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// The ISO 3166-1 alpha-2 code for a source value: an assigned code in any case, or `UK` (which
/// several managers write for the United Kingdom) as `GB`.
pub(crate) fn country_code(s: &str) -> Option<String> {
    let up = s.trim().to_ascii_uppercase();
    let up = if up == "UK" { "GB".to_owned() } else { up };
    ISO_3166_1_ALPHA2
        .binary_search(&up.as_str())
        .is_ok()
        .then_some(up)
}

/// Whether `s` has the ISO 3166-2 shape `CC-XXX` with an assigned country code.
pub(crate) fn is_subdivision_code(s: &str) -> bool {
    let Some((cc, sub)) = s.trim().split_once('-') else {
        return false;
    };
    ISO_3166_1_ALPHA2.binary_search(&cc).is_ok()
        && (1..=3).contains(&sub.len())
        && sub
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Whether `s` is an ICAO 9303 passport document code: `P` then an optional upper-case letter
/// or `<`.
pub(crate) fn is_passport_type(s: &str) -> bool {
    match s.as_bytes() {
        [b'P'] => true,
        [b'P', c] => c.is_ascii_uppercase() || *c == b'<',
        _ => false,
    }
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
        assert!(!is_subdivision_code("XX-CA"));
        assert!(is_passport_type("P") && is_passport_type("PD") && !is_passport_type("Regular"));
    }
}
