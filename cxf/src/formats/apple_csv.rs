//! Apple Passwords / Safari CSV: `Title,URL,Username,Password,Notes,OTPAuth`, with older
//! variants (`Url`, no `Notes`, `OTPAuth` before `Notes`); columns are matched by name.
//! `OTPAuth` is an `otpauth://` URI.
//!
//! Import rules: Apple publishes none for its Passwords app's CSV import, and its importer is
//! not open source, so this writer refuses no row (unlike the Chrome and Firefox writers, which
//! follow their importers' source). Items without a login are left out and reported, as in
//! every login-only format.

use zeroize::Zeroizing;

use crate::formats::build::{self, AccountBuilder};
use crate::formats::flat::{self, Caps};
use crate::formats::loss::ItemRef;
use crate::formats::util::otp;
use crate::formats::util::tabular::{self, CsvOut, Table};
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{Credential, Document};

const F: Format = Format::AppleCsv;

/// Reads an Apple Passwords CSV export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let table = Table::parse(tabular::text(bytes, F)?, F)?;
    if !table.has_all(&["title", "url", "username", "password"]) {
        return Err(ReadError::syntax(
            F,
            "header must have Title, URL, Username and Password columns",
        ));
    }
    let (title, url, user, pass, notes, otpauth) = (
        table.col("title"),
        table.col("url"),
        table.col("username"),
        table.col("password"),
        table.col("notes"),
        table.col("otpauth"),
    );
    let mut acc = AccountBuilder::new(F, "");
    for row in table.rows.iter().filter(|r| !r.is_blank()) {
        let u = row.get(url);
        let id = acc.item_id(None, row.index);
        let mut item = build::item(id, build::title_or_host(row.get(title), u));
        let r = ItemRef::new(row.index, row.get(title)).with_item(&item.id);
        build::add_urls(&mut item, [u]);
        item.credentials
            .extend(build::basic_auth(row.get(user), row.get(pass)));
        push_totp(
            &mut item.credentials,
            row.get(otpauth),
            row.get(user),
            &r,
            "OTPAuth",
            loss,
        );
        item.credentials.extend(build::note(row.get(notes)));
        acc.push_item(item);
    }
    table.report_unread(F, loss);
    Ok(build::document(F, vec![acc.finish()], options))
}

/// Parses an OTP cell into a `totp` credential, or reports why not.
pub(crate) fn push_totp(
    creds: &mut crate::ThinVec<Credential>,
    value: &str,
    username: &str,
    r: &ItemRef<'_>,
    what: &str,
    loss: &mut LossReport,
) {
    if value.trim().is_empty() {
        return;
    }
    match otp::parse(value) {
        Ok(t) => creds.push(build::totp(&t, Some(username))),
        Err(otp::OtpError::Unsupported) => loss.add(
            r,
            what,
            LossReason::Unsupported,
            "not a TOTP key (HOTP, Steam...); CXF only has TOTP",
        ),
        Err(otp::OtpError::Invalid) => loss.add(
            r,
            what,
            LossReason::InvalidValue,
            "not an otpauth URI or a Base32 secret",
        ),
    }
}

/// Writes an Apple Passwords CSV (the current six-column layout).
pub(crate) fn write(doc: &Document, loss: &mut LossReport) -> Zeroizing<Vec<u8>> {
    let caps = Caps {
        totp: true,
        note: true,
        urls: 1,
        timestamps: false,
        android: false,
        name: "Apple Passwords CSV",
    };
    let mut out = CsvOut::new(false, false);
    out.record(["Title", "URL", "Username", "Password", "Notes", "OTPAuth"]);
    for f in flat::flatten(doc, caps, false, loss) {
        let urls = f.urls();
        let url = urls.first().copied().unwrap_or("");
        let note = f.note();
        let totp = f.totp_uri(loss);
        out.record([
            f.item.title.as_str(),
            url,
            f.username,
            f.password,
            note.as_str(),
            totp.as_str(),
        ]);
    }
    out.finish()
}
