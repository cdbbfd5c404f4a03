//! Firefox CSV: `"url","username","password","httpRealm","formActionOrigin","guid",
//! "timeCreated","timeLastUsed","timePasswordChanged"`, times in milliseconds.
//!
//! The `chrome://FirefoxAccounts` pseudo-row (sync keys, sometimes malformed CSV) and rows with
//! more cells than the header are skipped and reported. A non-empty `httpRealm` (HTTP
//! authentication rather than a form) is kept as a custom field.

use zeroize::Zeroizing;

use crate::formats::bitwarden_json::uuid_bytes;
use crate::formats::build::{self, AccountBuilder};
use crate::formats::flat::{self, Caps};
use crate::formats::loss::ItemRef;
use crate::formats::util::tabular::{self, CsvOut, Table};
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{Credential, Document, FieldType};

const F: Format = Format::FirefoxCsv;

fn millis(s: &str) -> Option<u64> {
    s.trim().parse::<u64>().ok().map(|ms| ms / 1000)
}

/// Reads a Firefox CSV export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let table = Table::parse(tabular::text(bytes, F)?, F)?;
    let url = table.col_any(&["url", "hostname"]);
    if url.is_none() || !table.has_all(&["username", "password"]) {
        return Err(ReadError::syntax(
            F,
            "header must have url, username and password columns",
        ));
    }
    let (user, pass, realm, action, guid, created, changed) = (
        table.col("username"),
        table.col("password"),
        table.col("httprealm"),
        table.col("formactionorigin"),
        table.col("guid"),
        table.col("timecreated"),
        table.col("timepasswordchanged"),
    );
    let mut acc = AccountBuilder::new(F, "");
    for row in table.rows.iter().filter(|r| !r.is_blank()) {
        let u = row.get(url);
        let r = ItemRef::new(row.index, u);
        if u.starts_with("chrome://") {
            loss.add(
                &r,
                "row",
                LossReason::Skipped,
                "Firefox Accounts sync pseudo-row (not a saved login)",
            );
            continue;
        }
        if row.len() > table.headers.len() {
            loss.add(
                &r,
                "row",
                LossReason::Skipped,
                "malformed row: more cells than the header has columns",
            );
            continue;
        }
        let g = row.get(guid).trim_matches(['{', '}']);
        let id = acc.item_id(uuid_bytes(g).as_ref().map(|b| &b[..]), row.index);
        let mut item = build::item(id, build::title_or_host("", u));
        build::add_urls(&mut item, [u]);
        item.creation_at = millis(row.get(created));
        item.modified_at = millis(row.get(changed));
        item.credentials
            .extend(build::basic_auth(row.get(user), row.get(pass)));
        let mut extra = Vec::new();
        extra.extend(build::labelled(
            "httpRealm",
            FieldType::String,
            row.get(realm),
        ));
        let a = row.get(action);
        if !a.is_empty() && a.trim_end_matches('/') != u.trim_end_matches('/') {
            extra.extend(build::labelled("formActionOrigin", FieldType::String, a));
        }
        item.credentials.extend(build::custom_fields(None, extra));
        acc.push_item(item);
    }
    table.not_carried(
        "timelastused",
        "CXF has no time of last use; these times were not carried",
        loss,
    );
    table.report_unread(F, loss);
    Ok(build::document(F, vec![acc.finish()], options))
}

/// Why Firefox's importer would refuse the row, if it would. Firefox
/// (`LoginCSVImport.sys.mjs`, then `LoginHelper.maybeImportLogins`) reports
/// `error_missing_field` for a row without an origin (`url`) or a password, and
/// `error_invalid_origin` for a URL it cannot turn into an origin (no scheme).
fn refusal(url: &str, password: &str) -> Option<&'static str> {
    if password.is_empty() {
        return Some("a login without a password");
    }
    if url.is_empty() {
        return Some("a login without a URL");
    }
    match url::Url::parse(url) {
        Ok(u) if u.has_host() || u.scheme() == "file" => None,
        _ => Some("a URL that is not an absolute address with a host"),
    }
}

/// Writes a Firefox CSV (CRLF, every field quoted). Rows Firefox's importer would refuse (see
/// [`refusal`]) are not written and are reported as [`LossReason::TargetRefuses`].
pub(crate) fn write(doc: &Document, loss: &mut LossReport) -> Zeroizing<Vec<u8>> {
    let caps = Caps {
        totp: false,
        note: false,
        urls: 1,
        timestamps: true,
        android: false,
        name: "Firefox CSV",
    };
    let mut out = CsvOut::new(true, true);
    out.record([
        "url",
        "username",
        "password",
        "httpRealm",
        "formActionOrigin",
        "guid",
        "timeCreated",
        "timeLastUsed",
        "timePasswordChanged",
    ]);
    for f in flat::flatten(doc, caps, false, loss) {
        let urls = f.urls();
        let url = urls.first().copied().unwrap_or("");
        if let Some(why) = refusal(url, f.password) {
            f.refused("Firefox", why, loss);
            continue;
        }
        // Firefox names a login by its site; the reader gives the host back as the title, and
        // the read-back drops this entry when the title was just that.
        loss.lose(
            &f.item_ref(),
            "/title",
            "title",
            LossReason::NoEquivalent,
            "Firefox CSV has no title column; Firefox shows the site instead",
        );
        let realm = f
            .item
            .credentials
            .iter()
            .filter_map(|c| {
                if let Credential::CustomFields(cf) = c {
                    Some(cf)
                } else {
                    None
                }
            })
            .flat_map(|cf| &cf.fields)
            .find(|fl| fl.label.as_deref() == Some("httpRealm"))
            .map_or("", |fl| fl.value.expose());
        let id = f
            .item
            .id
            .decode()
            .ok()
            .filter(|b| b.len() == 16)
            .or_else(|| {
                build::derived_id(&[b"firefox-guid", f.item.id.as_bytes()])
                    .decode()
                    .ok()
            })
            .filter(|b| b.len() == 16)
            .unwrap_or_else(|| vec![0; 16]);
        let h: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let guid = format!(
            "{{{}-{}-{}-{}-{}}}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        );
        let created = f
            .item
            .creation_at
            .map(|s| s.saturating_mul(1000).to_string())
            .unwrap_or_default();
        let changed = f
            .item
            .modified_at
            .or(f.item.creation_at)
            .map(|s| s.saturating_mul(1000).to_string())
            .unwrap_or_default();
        let action = if realm.is_empty() { url } else { "" };
        out.record([
            url,
            f.username,
            f.password,
            realm,
            action,
            guid.as_str(),
            created.as_str(),
            changed.as_str(),
            changed.as_str(),
        ]);
    }
    out.finish()
}
