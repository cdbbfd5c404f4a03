//! Chrome / Google Password Manager / Chromium-family CSV: `name,url,username,password[,note]`.
//!
//! Android credentials carry `android://<base64 SHA-256 of the signing certificate>@<package>/`
//! instead of a URL; they become `scope.androidApps`. A quoted `url` cell holding several
//! comma-separated URLs (seen in the wild) gives several scope URLs.

use base64::Engine as _;
use zeroize::Zeroizing;

use crate::formats::build::{self, AccountBuilder};
use crate::formats::flat::{self, Caps};
use crate::formats::util::tabular::{self, CsvOut, Table};
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{AndroidAppCertificateFingerprint, AndroidAppId, B64, Document, Item, Text};

const F: Format = Format::ChromeCsv;

/// Reads a Chrome CSV export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let table = Table::parse(tabular::text(bytes, F)?, F)?;
    if !table.has_all(&["url", "username", "password"]) {
        return Err(ReadError::syntax(
            F,
            "header must have url, username and password columns",
        ));
    }
    let (name, url, user, pass, note) = (
        table.col("name"),
        table.col("url"),
        table.col("username"),
        table.col("password"),
        table.col_any(&["note", "notes"]),
    );
    let mut acc = AccountBuilder::new(F, "");
    for row in table.rows.iter().filter(|r| !r.is_blank()) {
        let u = row.get(url);
        let id = acc.item_id(None, row.index);
        let mut item = build::item(id, build::title_or_host(row.get(name), u));
        add_chrome_url(&mut item, u);
        item.credentials
            .extend(build::basic_auth(row.get(user), row.get(pass)));
        item.credentials.extend(build::note(row.get(note)));
        acc.push_item(item);
    }
    table.report_unread(F, loss);
    Ok(build::document(F, vec![acc.finish()], options))
}

/// Adds a Chrome `url` cell to an item: an `android://` realm, one URL, or several.
pub(crate) fn add_chrome_url(item: &mut Item, cell: &str) {
    let cell = cell.trim();
    if let Some(rest) = cell.strip_prefix("android://") {
        let rest = rest.trim_end_matches('/');
        let (hash, package) = rest.rsplit_once('@').unwrap_or(("", rest));
        let certificate = base64::engine::general_purpose::STANDARD
            .decode(hash)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(hash))
            .ok()
            .map(|h| AndroidAppCertificateFingerprint {
                fingerprint: B64::encode(&h),
                hash_alg: Text::from("sha256"),
                ..Default::default()
            });
        let scope = item.scope.get_or_insert_with(Default::default);
        scope.android_apps.push(AndroidAppId {
            bundle_id: Text::from(package),
            certificate,
            ..Default::default()
        });
    } else if cell.contains(",http") {
        build::add_urls(item, cell.split(','));
    } else {
        build::add_urls(item, [cell]);
    }
}

/// The Chrome `url` cell for an item: its first URL, or an `android://` realm.
pub(crate) fn chrome_url(item: &Item) -> String {
    let Some(scope) = &item.scope else {
        return String::new();
    };
    if let Some(u) = scope.urls.first() {
        return u.to_string();
    }
    scope.android_apps.first().map_or_else(String::new, |app| {
        let hash = app
            .certificate
            .as_ref()
            .and_then(|c| c.fingerprint.decode().ok())
            .map(|h| base64::engine::general_purpose::STANDARD.encode(h))
            .unwrap_or_default();
        format!("android://{hash}@{}/", app.bundle_id)
    })
}

/// Chrome's importer refuses a cell longer than this (password, username, note).
const MAX_CELL: usize = 1000;
/// ... and a URL longer than this.
const MAX_URL: usize = 2048;

/// Why Chrome's importer would refuse the row, if it would. Chromium's password importer
/// (`CSVPasswordToCredentialUIEntry` in `password_importer.cc`) requires a non-empty password
/// of at most 1000 characters, a username and a note of at most 1000, and a valid URL of at
/// most 2048 characters that is `http`/`https` or an `android://` app.
fn refusal(url: &str, username: &str, password: &str) -> Option<&'static str> {
    if password.is_empty() {
        return Some("a login without a password");
    }
    if password.chars().count() > MAX_CELL {
        return Some("a password of more than 1000 characters");
    }
    if username.chars().count() > MAX_CELL {
        return Some("a username of more than 1000 characters");
    }
    if url.is_empty() {
        return Some("a login without a URL");
    }
    if url.len() > MAX_URL {
        return Some("a URL of more than 2048 characters");
    }
    if url.starts_with("android://") {
        return None;
    }
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => None,
        _ => Some("a URL that is not an http or https address"),
    }
}

/// Writes a Chrome CSV (CRLF, with the `note` column). Rows Chrome's importer would refuse
/// (see [`refusal`]) are not written and are reported as [`LossReason::TargetRefuses`].
pub(crate) fn write(doc: &Document, loss: &mut LossReport) -> Zeroizing<Vec<u8>> {
    let caps = Caps {
        totp: false,
        note: true,
        urls: 1,
        timestamps: false,
        android: true,
        name: "Chrome CSV",
    };
    let mut out = CsvOut::new(true, false);
    out.record(["name", "url", "username", "password", "note"]);
    for f in flat::flatten(doc, caps, false, loss) {
        let url = chrome_url(f.item);
        if let Some(why) = refusal(&url, f.username, f.password) {
            f.refused("Chrome", why, loss);
            continue;
        }
        let mut note = f.note();
        if note.chars().count() > MAX_CELL {
            for (ci, _) in &f.notes {
                loss.lose(
                    &f.item_ref(),
                    &format!("/credentials/{ci}"),
                    format!("credentials[{ci}]:note"),
                    LossReason::TargetRefuses,
                    "Chrome refuses a note of more than 1000 characters with the whole login; the note was left out so that the login imports",
                );
            }
            note = Zeroizing::new(String::new());
        }
        out.record([
            f.item.title.as_str(),
            url.as_str(),
            f.username,
            f.password,
            note.as_str(),
        ]);
    }
    out.finish()
}
