//! Calendar helpers: the date and time spellings of the export formats, to and from Unix seconds.
//!
//! Only the proleptic Gregorian calendar in UTC is needed (every format stores UTC or a bare date).

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

fn valid_date(year: i64, month: u32, day: u32) -> bool {
    (1..=9999).contains(&year)
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses an RFC 3339 / ISO 8601 timestamp (`2024-10-23T16:38:08.870Z`, `2010-08-08T17:24:53Z`,
/// `2024-01-02T03:04:05+02:00`, or a bare `2024-01-02`) to Unix seconds. Times before 1970 and
/// anything malformed give `None`; fractions of a second are truncated.
pub(crate) fn parse_rfc3339(s: &str) -> Option<u64> {
    let s = s.trim();
    let (date, rest) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    let (year, month, day) = parse_ymd(date)?;
    let mut secs = days_from_civil(year, month, day) * 86_400;
    if !rest.is_empty() {
        let (clock, offset) = match rest.find(['Z', 'z', '+', '-']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let clock = clock.split('.').next()?;
        let mut parts = clock.split(':');
        let h = num(parts.next()?)?;
        let m = num(parts.next()?)?;
        let sec = parts.next().map_or(Some(0), num)?;
        if h > 23 || m > 59 || sec > 60 || parts.next().is_some() {
            return None;
        }
        secs += i64::from(h * 3600 + m * 60 + sec.min(59));
        match offset.as_bytes().first() {
            None | Some(b'Z' | b'z') => {}
            Some(sign) => {
                let mut op = offset[1..].split(':');
                let oh = num(op.next()?)?;
                let om = op.next().map_or(Some(0), num)?;
                let off = i64::from(oh * 3600 + om * 60);
                secs += if *sign == b'+' { -off } else { off };
            }
        }
    }
    u64::try_from(secs).ok()
}

/// Parses `YYYY-M-D` (zero padding optional, as Dashlane writes it).
pub(crate) fn parse_ymd(s: &str) -> Option<(i64, u32, u32)> {
    let mut it = s.trim().split('-');
    let y = num(it.next()?)?;
    let m = num(it.next()?)?;
    let d = num(it.next()?)?;
    if it.next().is_some() || !valid_date(i64::from(y), m, d) {
        return None;
    }
    Some((i64::from(y), m, d))
}

/// Normalises a loose `YYYY-M-D` date to CXF's `YYYY-MM-DD`.
pub(crate) fn normalize_date(s: &str) -> Option<String> {
    parse_ymd(s).map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn format_rfc3339(secs: u64) -> String {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX / 2);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SS.000Z` (Bitwarden's spelling).
pub(crate) fn format_rfc3339_millis(secs: u64) -> String {
    let mut s = format_rfc3339(secs);
    s.insert_str(s.len() - 1, ".000");
    s
}

/// The date (`YYYY-MM-DD`) of Unix seconds; negative values (1PUX birth dates before 1970) allowed.
pub(crate) fn date_from_unix(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Month number of an English month name or number (`January`, `jan`, `7`, `07`).
pub(crate) fn month_number(s: &str) -> Option<u32> {
    let s = s.trim().to_ascii_lowercase();
    if let Some(n) = num(&s) {
        return (1..=12).contains(&n).then_some(n);
    }
    if s.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&s))
        .map(|i| i as u32 + 1)
}

/// CXF `year-month` (`YYYY-MM`) from a month and a year (two-digit years are 20YY).
pub(crate) fn year_month(month: &str, year: &str) -> Option<String> {
    let m = month_number(month)?;
    let y = num(year.trim())?;
    let y = if y < 100 { 2000 + y } else { y };
    (1000..=9999).contains(&y).then(|| format!("{y:04}-{m:02}"))
}

/// LastPass month dates: `January,2025` → `2025-01`.
pub(crate) fn lastpass_month_year(s: &str) -> Option<String> {
    let (m, y) = s.split_once(',')?;
    year_month(m, y)
}

/// LastPass full dates: `January,31,2001` → `2001-01-31`.
pub(crate) fn lastpass_date(s: &str) -> Option<String> {
    let mut it = s.split(',');
    let m = month_number(it.next()?)?;
    let d = num(it.next()?.trim())?;
    let y = num(it.next()?.trim())?;
    valid_date(i64::from(y), m, d).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_forms() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2024-10-23T16:38:08.870Z"),
            Some(1_729_701_488)
        );
        assert_eq!(
            parse_rfc3339("2024-10-23T18:38:08+02:00"),
            Some(1_729_701_488)
        );
        assert_eq!(parse_rfc3339("2024-01-02"), Some(1_704_153_600));
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), None);
        assert_eq!(parse_rfc3339("2024-02-30T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("garbage"), None);
        assert_eq!(format_rfc3339(1_729_701_488), "2024-10-23T16:38:08Z");
        assert_eq!(format_rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn round_trip_days() {
        for d in [-800_000_i64, -1, 0, 1, 11_016, 2_932_896] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn loose_dates() {
        assert_eq!(normalize_date("2022-1-30").as_deref(), Some("2022-01-30"));
        assert_eq!(date_from_unix(638_928_000), "1990-04-01");
        assert_eq!(date_from_unix(-86_400), "1969-12-31");
        assert_eq!(
            lastpass_month_year("January,2025").as_deref(),
            Some("2025-01")
        );
        assert_eq!(lastpass_month_year(","), None);
        assert_eq!(
            lastpass_date("March,14,1990").as_deref(),
            Some("1990-03-14")
        );
        assert_eq!(year_month("07", "27").as_deref(), Some("2027-07"));
    }
}
