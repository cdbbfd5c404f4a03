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
use crate::formats::{Format, LossReport, ReadError, ReadOptions};
use crate::{AndroidAppCertificateFingerprint, AndroidAppId, B64, Document, Item, Text};

const F: Format = Format::ChromeCsv;

/// Reads a Chrome CSV export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    _loss: &mut LossReport,
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

/// Writes a Chrome CSV (CRLF, with the `note` column).
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
        let note = Zeroizing::new(f.notes.join("\n\n"));
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
