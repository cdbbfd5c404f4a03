//! Value grammars of CXF field types and credential members (pure functions, no model).

/// ISO 3166-1 alpha-2 codes officially assigned (249; same set as tzdata's `iso3166.tab`), sorted.
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

/// `true` when `s` is an assigned ISO 3166-1 alpha-2 code (upper case).
pub(crate) fn is_country_code(s: &str) -> bool {
    ISO_3166_1_ALPHA2.binary_search(&s).is_ok()
}

/// How a `subdivision-code` value stands against ISO 3166-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subdivision {
    /// In the list the validator carries (`iso3166_2`).
    Listed,
    /// Has the shape `CC-XXX` (an assigned alpha-2 country code, a dash, 1–3 upper-case letters
    /// or digits) but is not in the list: newer than the list, withdrawn, or made up.
    Unlisted,
    /// Not of that shape.
    Malformed,
}

/// Classify a `subdivision-code` value.
pub(crate) fn subdivision(s: &str) -> Subdivision {
    let Some((cc, sub)) = s.split_once('-') else {
        return Subdivision::Malformed;
    };
    let shaped = is_country_code(cc)
        && (1..=3).contains(&sub.len())
        && sub
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !shaped {
        return Subdivision::Malformed;
    }
    let listed = super::iso3166_2::SUBDIVISIONS
        .binary_search_by_key(&cc, |&(c, _)| c)
        .is_ok_and(|i| {
            super::iso3166_2::SUBDIVISIONS[i]
                .1
                .split(' ')
                .any(|x| x == sub)
        });
    if listed {
        Subdivision::Listed
    } else {
        Subdivision::Unlisted
    }
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

/// Parse RFC 3339 `date-fullyear "-" date-month` (`YYYY-MM`) into `(year, month)`.
pub(crate) fn parse_year_month(s: &str) -> Option<(u32, u32)> {
    let (y, m) = s.split_once('-')?;
    let (y, m) = (digits(y, 4)?, digits(m, 2)?);
    (1..=12).contains(&m).then_some((y, m))
}

/// Parse an RFC 3339 `full-date` (`YYYY-MM-DD`) naming a real calendar day.
pub(crate) fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    if s.len() != 10 {
        return None;
    }
    let (ym, d) = s.split_at(7);
    let (y, m) = parse_year_month(ym)?;
    let d = digits(d.strip_prefix('-')?, 2)?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=days).contains(&d).then_some((y, m, d))
}

/// `true` for a decimal number: `-?digits[.digits][(e|E)[+-]digits]` (JSON number grammar,
/// leading zeros and a leading `+` tolerated).
pub(crate) fn is_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((i, f)) => all_digits(i) && all_digits(f),
        None => all_digits(mantissa),
    };
    let exp_ok = exp.is_none_or(|e| all_digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exp_ok
}

/// A light RFC 5322 addr-spec check: one `@`, non-empty local part, a dotted domain, no
/// whitespace or angle brackets (display names are not allowed).
pub(crate) fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let bad = |c: char| c.is_whitespace() || c == '<' || c == '>' || c == ',';
    !local.is_empty()
        && !s.chars().any(bad)
        && !domain.is_empty()
        && domain.contains('.')
        && !domain.contains('@')
        && domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
}

/// The five `WIFINetworkSecurityType` values.
pub(crate) const WIFI_SECURITY_TYPES: [&str; 5] = [
    "unsecured",
    "wep",
    "wpa-personal",
    "wpa2-personal",
    "wpa3-personal",
];

/// What is wrong with an RP ID / domain, if anything.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DomainProblem {
    /// Empty string.
    Empty,
    /// Looks like a URL (`scheme://`, path, query, port).
    Url,
    /// Contains characters no domain has (spaces, `@`, `_` ...), or an empty/oversized label.
    Malformed,
}

/// Check that `s` is shaped like a domain name usable as a WebAuthn RP ID. Unicode labels are
/// accepted (IDNA is not applied); ASCII labels must be letters, digits and inner dashes.
pub(crate) fn check_domain(s: &str) -> Result<(), DomainProblem> {
    if s.is_empty() {
        return Err(DomainProblem::Empty);
    }
    if s.contains("://") || s.contains(['/', '?', '#']) {
        return Err(DomainProblem::Url);
    }
    if let Some((_, port)) = s.rsplit_once(':') {
        if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainProblem::Url);
        }
    }
    let host = s.strip_suffix('.').unwrap_or(s);
    if host.len() > 253 {
        return Err(DomainProblem::Malformed);
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if host.split('.').all(label_ok) {
        Ok(())
    } else {
        Err(DomainProblem::Malformed)
    }
}

/// `true` for a dotted Java/Android package name (`com.example.app`): at least two segments,
/// each starting with a letter, then letters, digits or `_`.
pub(crate) fn is_bundle_id(s: &str) -> bool {
    let mut n = 0;
    let ok = s.split('.').all(|seg| {
        n += 1;
        let mut chars = seg.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    ok && n >= 2
}

/// Result of reading a TOTP secret as RFC 4648 §6 Base32.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Base32 {
    /// Upper case, unpadded, no separators: decodes to this many bytes.
    Canonical(usize),
    /// Decodes to this many bytes after ignoring case, `=` padding, spaces and dashes.
    Lenient(usize),
    /// Not Base32.
    Invalid,
}

/// Read a TOTP secret as Base32 without keeping the decoded bytes.
pub(crate) fn check_base32(s: &str) -> Base32 {
    let body = s.trim_end_matches('=');
    let mut bits = 0usize;
    let mut canonical = body.len() == s.len();
    for c in body.chars() {
        match c {
            'A'..='Z' | '2'..='7' => bits += 5,
            'a'..='z' => {
                bits += 5;
                canonical = false;
            }
            ' ' | '-' => canonical = false,
            _ => return Base32::Invalid,
        }
    }
    // Symbols per final quantum must be 2, 4, 5 or 7 (RFC 4648 §6): 1, 3 or 6 leftover symbols
    // cannot encode whole bytes.
    let symbols = bits / 5;
    if symbols == 0 || matches!(symbols % 8, 1 | 3 | 6) {
        return Base32::Invalid;
    }
    let bytes = bits / 8;
    if canonical {
        Base32::Canonical(bytes)
    } else {
        Base32::Lenient(bytes)
    }
}

/// Luhn check over the digits of `s` (spaces and dashes ignored); `None` when `s` holds other
/// characters or fewer than 12 / more than 19 digits.
pub(crate) fn luhn(s: &str) -> Option<bool> {
    let mut digits = Vec::with_capacity(19);
    for c in s.chars() {
        match c {
            '0'..='9' => digits.push(c as u32 - '0' as u32),
            ' ' | '-' => {}
            _ => return None,
        }
    }
    if !(12..=19).contains(&digits.len()) {
        return None;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    Some(sum.is_multiple_of(10))
}

/// `true` for an ICAO 9303 passport document code: `P` then an optional upper-case letter or `<`.
pub(crate) fn is_passport_type(s: &str) -> bool {
    let b = s.as_bytes();
    match b {
        [b'P'] => true,
        [b'P', c] => c.is_ascii_uppercase() || *c == b'<',
        _ => false,
    }
}

/// Shorten and escape a non-secret value for a message (at most 40 characters).
pub(crate) fn quote(s: &str) -> String {
    let mut out: String = s.chars().take(40).flat_map(char::escape_debug).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    format!("\"{out}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_and_subdivision_codes() {
        assert!(is_country_code("US") && is_country_code("DE") && is_country_code("ZW"));
        assert!(!is_country_code("us") && !is_country_code("USA") && !is_country_code("XX"));
        use Subdivision::*;
        for listed in ["US-CA", "FR-75C", "GB-ENG", "DE-BY", "AD-02", "ZW-MI"] {
            assert_eq!(subdivision(listed), Listed, "{listed}");
        }
        for malformed in ["CA", "US-", "XX-CA", "US-CALI", "us-ca", "US_CA", "-CA", ""] {
            assert_eq!(subdivision(malformed), Malformed, "{malformed}");
        }
        // Well formed, not in the list: no such state, a renamed Indian state, a country
        // without subdivisions.
        for unlisted in ["US-XX", "IN-OR", "AQ-01"] {
            assert_eq!(subdivision(unlisted), Unlisted, "{unlisted}");
        }
    }

    #[test]
    fn subdivision_table_is_sorted_and_well_formed() {
        let table = &super::super::iso3166_2::SUBDIVISIONS;
        assert!(table.windows(2).all(|w| w[0].0 < w[1].0));
        let mut n = 0;
        for (cc, subs) in table {
            assert!(is_country_code(cc), "{cc}");
            let subs: Vec<&str> = subs.split(' ').collect();
            assert!(subs.windows(2).all(|w| w[0] < w[1]), "{cc}");
            for sub in &subs {
                assert_eq!(
                    subdivision(&format!("{cc}-{sub}")),
                    Subdivision::Listed,
                    "{cc}-{sub}"
                );
            }
            n += subs.len();
        }
        assert_eq!(n, 5046);
    }

    #[test]
    fn dates_and_year_months() {
        assert_eq!(parse_date("2024-02-29"), Some((2024, 2, 29)));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("1900-02-29"), None);
        assert_eq!(parse_date("2000-02-29"), Some((2000, 2, 29)));
        assert_eq!(parse_date("2024-04-31"), None);
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("24-01-01"), None);
        assert_eq!(parse_date("2024/01/01"), None);
        assert_eq!(parse_date("2024-01-01T00:00:00Z"), None);
        assert_eq!(parse_year_month("2027-12"), Some((2027, 12)));
        assert_eq!(parse_year_month("2027-00"), None);
        assert_eq!(parse_year_month("12/27"), None);
        assert_eq!(parse_year_month("2027-1"), None);
    }

    #[test]
    fn numbers() {
        for ok in ["0", "3", "-1.5", "1e10", "2.5E-3", "+4", "007"] {
            assert!(is_number(ok), "{ok}");
        }
        for bad in ["", "-", "1.", ".5", "1,5", "abc", "1e", "0x10", "NaN", " 1"] {
            assert!(!is_number(bad), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert!(is_email("alex@example.com") && is_email("a.b+c@mail.example.org"));
        for bad in [
            "alex",
            "alex@",
            "@example.com",
            "alex@example",
            "Alex <a@example.com>",
            "a b@example.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn domains_and_bundle_ids() {
        assert_eq!(check_domain("example.com"), Ok(()));
        assert_eq!(check_domain("localhost"), Ok(()));
        assert_eq!(check_domain("bücher.example"), Ok(()));
        assert_eq!(check_domain(""), Err(DomainProblem::Empty));
        assert_eq!(check_domain("https://example.com"), Err(DomainProblem::Url));
        assert_eq!(check_domain("example.com:8443"), Err(DomainProblem::Url));
        assert_eq!(check_domain("example.com/login"), Err(DomainProblem::Url));
        assert_eq!(check_domain("exa mple.com"), Err(DomainProblem::Malformed));
        assert_eq!(check_domain("a..b"), Err(DomainProblem::Malformed));
        assert!(is_bundle_id("com.example.app") && is_bundle_id("org.x_y.z1"));
        assert!(!is_bundle_id("app") && !is_bundle_id("com..app") && !is_bundle_id("1com.app"));
    }

    #[test]
    fn base32_secrets() {
        assert_eq!(check_base32("JBSWY3DPEHPK3PXP"), Base32::Canonical(10));
        assert_eq!(check_base32("jbswy3dpehpk3pxp"), Base32::Lenient(10));
        assert_eq!(check_base32("JBSW Y3DP EHPK 3PXP"), Base32::Lenient(10));
        assert_eq!(check_base32("MZXW6==="), Base32::Lenient(3));
        assert_eq!(check_base32("MZXW6"), Base32::Canonical(3));
        assert_eq!(check_base32("JBSWY3DPEHPK3PX1"), Base32::Invalid);
        assert_eq!(check_base32(""), Base32::Invalid);
        assert_eq!(check_base32("A"), Base32::Invalid);
        assert_eq!(check_base32("ABC"), Base32::Invalid);
    }

    #[test]
    fn luhn_and_passport_types() {
        assert_eq!(luhn("4111 1111 1111 1111"), Some(true));
        assert_eq!(luhn("4111-1111-1111-1112"), Some(false));
        assert_eq!(luhn("1234"), None);
        assert_eq!(luhn("4111x"), None);
        assert!(is_passport_type("P") && is_passport_type("PP") && is_passport_type("PD"));
        assert!(!is_passport_type("Regular") && !is_passport_type("p") && !is_passport_type("ID"));
    }

    #[test]
    fn quoting_escapes_and_truncates() {
        assert_eq!(quote("a\"b\n"), "\"a\\\"b\\n\"");
        assert_eq!(quote(&"x".repeat(50)).chars().count(), 40 + 3);
    }
}
