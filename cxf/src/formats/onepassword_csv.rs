//! 1Password CSV, all layouts seen in the wild, read by column name:
//!
//! * 1Password 8: `Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes` (tags
//!   separated by `;`);
//! * 1Password 4: `title,notes,username,password,url`;
//! * 1Password 6/7 Windows: quoted upper-case `"UUID","TITLE",...,"SECTION n: X","X n: FIELD"`;
//! * 1Password 6/7 Mac: `"label(fieldId)"` columns, `Type`, `Created Date`, tags as an
//!   Objective-C array description, and quotes escaped with a backslash (`\"`), which is not
//!   RFC 4180: the file is read again with `\` as the escape character when a strict read gives
//!   rows of uneven width.
//!
//! Title, URL(s), username, password, one-time password, notes, favourite, tags and dates map to
//! their CXF homes; every other non-empty column becomes a custom field labelled with the
//! column's label (a value already carried, such as Mac's duplicate `username(username)`, is
//! not repeated). Archived items get the tag `Archived`.
//!
//! # Writing
//!
//! The writer produces a login CSV for 1Password's CSV importer (1Password 8 imports CSV on
//! 1Password.com): `Title,Website,Username,Password,One-time password,Notes`, LF line endings,
//! the column names 1Password documents for a login (title, website, username, password, notes)
//! plus its one-time password, written as an `otpauth://` URI. One URL per login; other items
//! (cards, notes, identities...) and everything else are reported, not written: one CSV file
//! holds one kind of item.
//!
//! Import rule: 1Password's guide to importing a CSV on 1Password.com ("Move your data into
//! your account on 1Password.com", support.1password.com/import-1password-com/) says that for
//! each login a username, a password and a website are required; a login missing one of them
//! is not written and is reported as [`LossReason::TargetRefuses`].

use zeroize::Zeroizing;

use crate::formats::apple_csv::push_totp;
use crate::formats::build::{self, AccountBuilder};
use crate::formats::flat::{self, Caps};
use crate::formats::loss::ItemRef;
use crate::formats::util::tabular::{self, CsvOut, Table};
use crate::formats::{Format, LossReport, ReadError, ReadOptions};
use crate::{Document, EditableField, FieldType, Text};

const F: Format = Format::OnePasswordCsv;

/// The role of a column.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Title,
    Url,
    Username,
    Password,
    Otp,
    Notes,
    Favorite,
    Archived,
    Tags,
    Kind,
    Created,
    Modified,
    Uuid,
    /// A Windows `SECTION n: X` column (its cells hold section titles) or a 1Password setting
    /// left at `Default`.
    Ignore,
    Custom,
}

fn role(header: &str) -> Col {
    match header {
        "title" => Col::Title,
        "url" | "urls" | "website" => Col::Url,
        "username" => Col::Username,
        "password" => Col::Password,
        "otpauth" | "one-time password" => Col::Otp,
        "notes" | "notesplain" => Col::Notes,
        "favorite" => Col::Favorite,
        "archived" => Col::Archived,
        "tags" => Col::Tags,
        "type" => Col::Kind,
        "created date" => Col::Created,
        "modified date" => Col::Modified,
        "uuid" => Col::Uuid,
        h if h.starts_with("section ") => Col::Ignore,
        _ => Col::Custom,
    }
}

/// The label people see for a column: `account number(accountNo)` → `account number`,
/// `NAME 1: FIRST NAME` → `FIRST NAME`.
fn label(raw: &str) -> &str {
    let raw = raw.trim();
    if let Some(open) = raw.rfind('(') {
        if raw.ends_with(')') && open > 0 {
            return raw[..open].trim();
        }
    }
    raw.split_once(": ").map_or(raw, |(_, l)| l.trim())
}

/// Tags: `a;b` (1Password 8), or `{(\n    "Starter Kit",\n    b\n)}` (Mac).
fn tags(cell: &str) -> Vec<String> {
    let cell = cell.trim();
    let inner = cell.strip_prefix("{(").and_then(|c| c.strip_suffix(")}"));
    let parts: Vec<&str> = match inner {
        Some(i) => i.split(',').collect(),
        None => cell.split(';').collect(),
    };
    parts
        .iter()
        .map(|p| p.trim().trim_matches('"').to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

fn concealed(label: &str) -> bool {
    let l = label.to_ascii_lowercase();
    [
        "password",
        "pin",
        "cvv",
        "verification",
        "secret",
        "key",
        "number",
    ]
    .iter()
    .any(|w| l.contains(w))
}

/// Reads a 1Password CSV export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    _loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let text = tabular::text(bytes, F)?;
    let mut table = Table::parse(text, F)?;
    if table.rows.iter().any(|r| r.len() != table.headers.len()) {
        let escaped = Table::parse_with_escape(text, F, b'\\')?;
        if escaped
            .rows
            .iter()
            .all(|r| r.len() == escaped.headers.len())
        {
            table = escaped;
        }
    }
    let raw_headers: Vec<String> = table.raw.clone();
    let roles: Vec<Col> = table.headers.iter().map(|h| role(h)).collect();
    if !roles.contains(&Col::Title) {
        return Err(ReadError::syntax(F, "header must have a title column"));
    }
    let first = |row: &tabular::Row, want: Col| -> String {
        roles
            .iter()
            .enumerate()
            .filter(|(_, r)| **r == want)
            .map(|(i, _)| row.get(Some(i)))
            .find(|v| !v.trim().is_empty())
            .unwrap_or("")
            .to_owned()
    };
    let mut acc = AccountBuilder::new(F, "");
    for row in table.rows.iter().filter(|r| !r.is_blank()) {
        let title = first(row, Col::Title);
        let mut urls: Vec<String> = Vec::new();
        for (i, r) in roles.iter().enumerate() {
            if *r == Col::Url {
                urls.extend(
                    row.get(Some(i))
                        .lines()
                        .map(str::trim)
                        .filter(|u| !u.is_empty())
                        .map(str::to_owned),
                );
            }
        }
        let title =
            build::title_or_host(&title, urls.first().map_or("", String::as_str)).to_owned();
        let r = ItemRef::new(row.index, &title);
        let uuid = first(row, Col::Uuid);
        let id = acc.item_id(Some(uuid.as_bytes()).filter(|u| !u.is_empty()), row.index);
        let r = r.with_item(&id);
        let mut item = build::item(id, &title);
        build::add_urls(&mut item, urls.iter().map(String::as_str));
        let username = first(row, Col::Username);
        let password = zeroize::Zeroizing::new(first(row, Col::Password));
        item.credentials
            .extend(build::basic_auth(&username, &password));
        push_totp(
            &mut item.credentials,
            &first(row, Col::Otp),
            &username,
            &r,
            "OTPAuth",
            _loss,
        );
        let notes = zeroize::Zeroizing::new(first(row, Col::Notes));
        item.credentials.extend(build::note(&notes));
        if build::truthy(&first(row, Col::Favorite)) {
            item.favorite = Some(true);
        }
        item.tags = tags(&first(row, Col::Tags))
            .into_iter()
            .map(Text::from)
            .collect();
        if build::truthy(&first(row, Col::Archived)) {
            item.tags.push(Text::from("Archived"));
        }
        let kind = first(row, Col::Kind);
        if !kind.is_empty() {
            item.subtitle = Some(Text::from(kind));
        }
        item.creation_at = first(row, Col::Created).trim().parse().ok();
        item.modified_at = first(row, Col::Modified).trim().parse().ok();
        let carried: Vec<&str> = [
            username.as_str(),
            password.as_str(),
            notes.as_str(),
            title.as_str(),
        ]
        .into_iter()
        .chain(urls.iter().map(String::as_str))
        .collect();
        let mut custom: Vec<EditableField> = Vec::new();
        for (i, role) in roles.iter().enumerate() {
            let v = row.get(Some(i));
            if v.trim().is_empty() || carried.contains(&v) {
                continue;
            }
            match role {
                Col::Custom => {
                    if matches!(table.headers[i].as_str(), "scope" | "autosubmit") && v == "Default"
                    {
                        continue;
                    }
                    if custom.iter().any(|f| f.value.expose() == v) {
                        continue;
                    }
                    let l = label(&raw_headers[i]);
                    let ft = if concealed(l) {
                        FieldType::ConcealedString
                    } else {
                        FieldType::String
                    };
                    custom.extend(build::labelled(l, ft, v));
                }
                Col::Ignore => {}
                _ => {}
            }
        }
        item.credentials.extend(build::custom_fields(None, custom));
        acc.push_item(item);
    }
    Ok(build::document(F, vec![acc.finish()], options))
}

/// Why 1Password's importer would refuse the login, if it would: its CSV guide requires a
/// username, a password and a website for each login (see the module docs).
fn refusal(url: &str, username: &str, password: &str) -> Option<&'static str> {
    if username.is_empty() {
        Some("a login without a username")
    } else if password.is_empty() {
        Some("a login without a password")
    } else if url.is_empty() {
        Some("a login without a website")
    } else {
        None
    }
}

/// Writes a 1Password login CSV (see the module docs). Logins 1Password's importer would refuse
/// are not written and are reported as [`LossReason::TargetRefuses`].
pub(crate) fn write(doc: &Document, loss: &mut LossReport) -> Zeroizing<Vec<u8>> {
    let caps = Caps {
        totp: true,
        note: true,
        urls: 1,
        timestamps: false,
        android: false,
        name: "1Password CSV",
    };
    let mut out = CsvOut::new(false, false);
    out.record([
        "Title",
        "Website",
        "Username",
        "Password",
        "One-time password",
        "Notes",
    ]);
    for f in flat::flatten(doc, caps, false, loss) {
        let urls = f.urls();
        let url = urls.first().copied().unwrap_or("");
        if let Some(why) = refusal(url, f.username, f.password) {
            f.refused("1Password", why, loss);
            continue;
        }
        let note = f.note();
        let totp = f.totp_uri(loss);
        out.record([
            f.item.title.as_str(),
            url,
            f.username,
            f.password,
            totp.as_str(),
            note.as_str(),
        ]);
    }
    out.finish()
}
