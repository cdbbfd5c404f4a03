//! KeePassXC CSV: `"Group","Title","Username","Password","URL","Notes","TOTP","Icon",
//! "Last Modified","Created"` (KeePassXC before 2.6 writes only the first six columns). Every
//! cell is quoted; columns are matched by name.
//!
//! `Group` is the entry's group path from the root group (`Root/Web/Mail`); the root group is
//! the database itself, not a collection (as in the KeePass XML reader), so `Root/Web/Mail`
//! becomes the collection `Web` holding `Mail`. `TOTP` is an `otpauth://` URI, or KeePassXC's
//! older KeeOtp-style settings `key=BASE32&step=30&size=6` (with `otpHashMode` / `encoder`).
//! `Last Modified` and `Created` (ISO 8601) become `modifiedAt` and `creationAt`. `Icon` (a
//! number of KeePass's built-in icon set) has no CXF home: icons other than the default `0` are
//! reported.

use crate::formats::apple_csv::push_totp;
use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util::tabular::{self, Table};
use crate::formats::util::{otp, time};
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{Credential, Document};

const F: Format = Format::KeepassxcCsv;

/// Reads a KeePassXC CSV export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let table = Table::parse(tabular::text(bytes, F)?, F)?;
    if !table.has_all(&["group", "title", "username", "password", "url", "notes"]) {
        return Err(ReadError::syntax(
            F,
            "header must have Group, Title, Username, Password, URL and Notes columns",
        ));
    }
    let (group, title, user, pass, url, notes, totp, icon, modified, created) = (
        table.col("group"),
        table.col("title"),
        table.col("username"),
        table.col("password"),
        table.col("url"),
        table.col("notes"),
        table.col("totp"),
        table.col("icon"),
        table.col("last modified"),
        table.col("created"),
    );
    let mut acc = AccountBuilder::new(F, "");
    let mut icons = 0usize;
    for row in table.rows.iter().filter(|r| !r.is_blank()) {
        let u = row.get(url);
        let id = acc.item_id(None, row.index);
        let mut item = build::item(id.clone(), build::title_or_host(row.get(title), u));
        let title = item.title.to_string();
        let r = ItemRef::new(row.index, &title).with_item(&id);
        build::add_urls(&mut item, [u]);
        item.credentials
            .extend(build::basic_auth(row.get(user), row.get(pass)));
        push_keepassxc_totp(
            &mut item.credentials,
            row.get(totp),
            row.get(user),
            &r,
            loss,
        );
        item.credentials.extend(build::note(row.get(notes)));
        item.modified_at = read_time(row.get(modified), "Last Modified", &r, loss);
        item.creation_at = read_time(row.get(created), "Created", &r, loss);
        if !matches!(row.get(icon).trim(), "" | "0") {
            icons += 1;
        }
        if build::push_unless_empty(&mut acc, item, row.index, loss) {
            acc.add_to_collection(&group_path(row.get(group)), &id);
        }
    }
    if icons > 0 {
        loss.add(
            &ItemRef::default(),
            "Icon",
            LossReason::NoEquivalent,
            format!("CXF has no item icons; {icons} entries with a non-default icon lost it"),
        );
    }
    table.report_unread(F, loss);
    Ok(build::document(F, vec![acc.finish()], options))
}

/// The collection path of a KeePassXC group path: the root group (the first segment) is the
/// database, not a collection.
pub(crate) fn group_path(group: &str) -> Vec<&str> {
    group.split('/').skip(1).collect()
}

/// Unix seconds of an ISO 8601 cell; a malformed value is reported.
fn read_time(v: &str, what: &str, r: &ItemRef<'_>, loss: &mut LossReport) -> Option<u64> {
    if v.trim().is_empty() {
        return None;
    }
    let t = time::parse_rfc3339(v.trim());
    if t.is_none() {
        loss.add(
            r,
            what,
            LossReason::InvalidValue,
            "not an ISO 8601 time after 1970",
        );
    }
    t
}

/// A `TOTP` cell: an `otpauth://` URI, a bare secret, or KeeOtp-style settings
/// (`key=…&step=…&size=…`).
fn push_keepassxc_totp(
    creds: &mut crate::ThinVec<Credential>,
    value: &str,
    username: &str,
    r: &ItemRef<'_>,
    loss: &mut LossReport,
) {
    let v = value.trim();
    let is_settings = !v.to_ascii_lowercase().starts_with("otpauth:")
        && v.split('&').any(|p| p.starts_with("key="));
    if !is_settings {
        push_totp(creds, v, username, r, "TOTP", loss);
        return;
    }
    match keeotp_settings(v) {
        Ok(t) => creds.push(build::totp(&t, Some(username))),
        Err(otp::OtpError::Unsupported) => loss.add(
            r,
            "TOTP",
            LossReason::Unsupported,
            "not a TOTP key (Steam...); CXF only has TOTP",
        ),
        Err(otp::OtpError::Invalid) => loss.add(
            r,
            "TOTP",
            LossReason::InvalidValue,
            "TOTP settings without a valid Base32 key, step or size",
        ),
    }
}

/// KeeOtp-style settings as KeePassXC stores them: `key=BASE32&step=30&size=6`, optionally
/// `otpHashMode=Sha256` and `encoder=steam`.
fn keeotp_settings(v: &str) -> Result<otp::Totp, otp::OtpError> {
    let mut key = None;
    let (mut step, mut size, mut algorithm) = (30u32, 6u8, otp::OtpAlgorithm::Sha1);
    for pair in v.split('&') {
        let (k, val) = pair.split_once('=').unwrap_or((pair, ""));
        let val = otp::percent_decode(val).ok_or(otp::OtpError::Invalid)?;
        match k.to_ascii_lowercase().as_str() {
            "key" => key = Some(zeroize::Zeroizing::new(val)),
            "step" => {
                step = val
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or(otp::OtpError::Invalid)?
            }
            "size" => {
                size = val
                    .parse()
                    .ok()
                    .filter(|d| (1..=10).contains(d))
                    .ok_or(otp::OtpError::Invalid)?
            }
            "otphashmode" | "otphashtype" | "algorithm" => {
                algorithm = otp::OtpAlgorithm::parse(&val).ok_or(otp::OtpError::Invalid)?
            }
            "encoder" if !val.eq_ignore_ascii_case("rfc6238") && !val.is_empty() => {
                return Err(otp::OtpError::Unsupported);
            }
            _ => {}
        }
    }
    let mut t = otp::parse(key.ok_or(otp::OtpError::Invalid)?.as_str())?;
    t.period = step;
    t.digits = size;
    t.algorithm = algorithm;
    t.assumed_defaults = false;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeotp_settings_carry_step_size_and_hash() {
        let t = keeotp_settings("key=JBSWY3DPEHPK3PXP&step=60&size=8&otpHashMode=Sha256").unwrap();
        assert_eq!(t.secret.as_str(), "JBSWY3DPEHPK3PXP");
        assert_eq!((t.period, t.digits), (60, 8));
        assert_eq!(t.algorithm, otp::OtpAlgorithm::Sha256);
        assert!(!t.assumed_defaults);
        assert!(matches!(
            keeotp_settings("key=JBSWY3DPEHPK3PXP&encoder=steam"),
            Err(otp::OtpError::Unsupported)
        ));
        assert!(matches!(
            keeotp_settings("key=not*base32&step=30"),
            Err(otp::OtpError::Invalid)
        ));
        assert!(matches!(
            keeotp_settings("key=JBSWY3DPEHPK3PXP&step=x"),
            Err(otp::OtpError::Invalid)
        ));
    }

    #[test]
    fn the_root_group_is_not_a_collection() {
        assert_eq!(group_path("Root/Web/Mail"), ["Web", "Mail"]);
        assert!(group_path("Root").is_empty());
        assert!(group_path("").is_empty());
    }
}
