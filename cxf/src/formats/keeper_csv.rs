//! Keeper CSV: no header; each record is `folder,title,login,password,url,notes,shared_folder`
//! followed by `label,value` pairs of custom fields. Record types are not in the file.
//!
//! `login`/`password` → `basic-auth`, `url` → scope URL, `notes` → `note`. The pair labelled
//! `TFC:Keeper` is the TOTP (an `otpauth://` URI) → `totp`; `Website Address` pairs are further
//! URLs; every other pair → `custom-fields` (concealed when its label says hidden, password,
//! secret, PIN or key pair: the CSV has lost Keeper's field types). Folder paths use `\`, with
//! `\\` for a literal backslash; the folder and the shared folder both become collections (a
//! record can sit in several). A record holding nothing but a title (Keeper's address, file or
//! general records, whose values the CSV does not carry) is skipped and reported.

use crate::formats::apple_csv::push_totp;
use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util::tabular::{self, Table};
use crate::formats::{Format, LossReport, ReadError, ReadOptions};
use crate::{Document, EditableField, FieldType};

const F: Format = Format::KeeperCsv;

/// The named leading columns of every record.
const COLUMNS: [&str; 7] = [
    "folder",
    "title",
    "login",
    "password",
    "url",
    "notes",
    "shared_folder",
];

/// Reads a Keeper CSV export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let table = Table::parse_headerless(tabular::text(bytes, F)?, F, &COLUMNS)?;
    let [folder, title, login, password, url, notes, shared] = COLUMNS.map(|c| table.col(c));
    let mut acc = AccountBuilder::new(F, "");
    for row in table.rows.iter().filter(|r| !r.is_blank()) {
        let u = row.get(url);
        let id = acc.item_id(None, row.index);
        let mut item = build::item(id.clone(), build::title_or_host(row.get(title), u));
        let item_title = item.title.to_string();
        let r = ItemRef::new(row.index, &item_title).with_item(&id);
        build::add_urls(&mut item, [u]);
        let user = row.get(login);
        item.credentials
            .extend(build::basic_auth(user, row.get(password)));
        let mut custom: Vec<EditableField> = Vec::new();
        let mut i = COLUMNS.len();
        while i < row.len() {
            let (label, value) = (row.get(Some(i)), row.get(Some(i + 1)));
            i += 2;
            match label {
                "TFC:Keeper" => {
                    push_totp(&mut item.credentials, value, user, &r, label, loss);
                }
                "Website Address" => build::add_urls(&mut item, [value]),
                _ => {
                    let ft = if concealed(label) {
                        FieldType::ConcealedString
                    } else {
                        FieldType::String
                    };
                    custom.extend(build::labelled(label, ft, value));
                }
            }
        }
        item.credentials.extend(build::note(row.get(notes)));
        item.credentials.extend(build::custom_fields(None, custom));
        if build::push_unless_empty(&mut acc, item, row.index, loss) {
            for cell in [row.get(folder), row.get(shared)] {
                acc.add_to_collection(&path(cell), &id);
            }
        }
    }
    table.report_unread(F, loss);
    Ok(build::document(F, vec![acc.finish()], options))
}

/// Whether a custom field's label says its value is secret.
pub(crate) fn concealed(label: &str) -> bool {
    let l = label.to_ascii_lowercase();
    ["hidden", "password", "secret", "pin", "key pair"]
        .iter()
        .any(|k| l.contains(k))
}

/// A Keeper folder path: `\`-separated, `\\` a literal backslash.
pub(crate) fn path(cell: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if chars.peek() == Some(&'\\') {
                chars.next();
                if let Some(s) = out.last_mut() {
                    s.push('\\');
                }
            } else {
                out.push(String::new());
            }
        } else if let Some(s) = out.last_mut() {
            s.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_paths_split_on_single_backslashes() {
        assert_eq!(path("a\\b"), ["a", "b"]);
        assert_eq!(
            path("Dev\\Name/with\\\\both/slashes"),
            ["Dev", "Name/with\\both/slashes"]
        );
        assert_eq!(path(""), [""]);
    }
}
