//! RoboForm CSV: `Name,Url,MatchUrl,Login,Pwd,Note,Folder,RfFieldsV2`, then one extra cell per
//! form field, each a small CSV record `Label$,…,…,txt|pwd|…,value` (older exports:
//! `Rf_fields` with `Label$:txt:value`). Rows vary in width by design.
//!
//! RoboForm protects values from spreadsheet formulas: a value starting with `@` or `'` is
//! written with a `'` before it; that quote is removed. `Login`/`Pwd` → `basic-auth`;
//! `Url` and `MatchUrl` → scope URLs; `Note` → `note`, or, for notes imported from LastPass
//! (`NoteType:…`), the typed credentials of the LastPass reader (card, address, bank account…).
//! Form fields that repeat the login or password are dropped as duplicates; a field labelled
//! TOTP becomes `totp` when it parses (else a concealed custom field, reported as changed);
//! the others become `custom-fields` (`pwd` concealed). `Folder` (`/`-separated, with a
//! leading `/`) becomes collections.

use crate::formats::build::{self, AccountBuilder};
use crate::formats::lastpass_csv::typed_note;
use crate::formats::loss::ItemRef;
use crate::formats::util::otp;
use crate::formats::util::tabular::{self, Table};
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{Document, EditableField, FieldType};

const F: Format = Format::RoboformCsv;

/// Removes the `'` RoboForm writes before a value starting with `@` or `'`.
fn unprotect(v: &str) -> &str {
    if v.starts_with("'@") || v.starts_with("''") {
        &v[1..]
    } else {
        v
    }
}

/// One form field of the extra cells: (label, type, value).
fn form_field(cell: &str) -> Option<(String, String, String)> {
    let cut = cell.find(['$'])?;
    let (label, rest) = (&cell[..cut], &cell[cut + 1..]);
    if let Some(rest) = rest.strip_prefix(':') {
        // `Rf_fields`: `Label$:type:value`.
        let (kind, value) = rest.split_once(':')?;
        return Some((label.to_owned(), kind.to_owned(), value.to_owned()));
    }
    // `RfFieldsV2`: the cell is itself a CSV record `Label$,a,b,type,value`.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(cell.as_bytes());
    let record = reader.records().next()?.ok()?;
    let kind = record.get(3)?.to_owned();
    let value: Vec<&str> = record.iter().skip(4).collect();
    Some((label.to_owned(), kind, value.join(",")))
}

/// Reads a RoboForm CSV export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let table = Table::parse(tabular::text(bytes, F)?, F)?;
    if !table.has_all(&["name", "url", "login", "pwd"]) {
        return Err(ReadError::syntax(
            F,
            "header must have Name, Url, Login and Pwd columns",
        ));
    }
    let (name, url, match_url, login, pwd, note, folder, fields) = (
        table.col("name"),
        table.col("url"),
        table.col("matchurl"),
        table.col("login"),
        table.col("pwd"),
        table.col("note"),
        table.col("folder"),
        table.col_any(&["rffieldsv2", "rf_fields"]),
    );
    let mut acc = AccountBuilder::new(F, "");
    for row in table.rows.iter().filter(|r| !r.is_blank()) {
        let u = row.get(url);
        let id = acc.item_id(None, row.index);
        let mut item = build::item(
            id.clone(),
            build::title_or_host(unprotect(row.get(name)), u),
        );
        let title = item.title.to_string();
        let r = ItemRef::new(row.index, &title).with_item(&id);
        build::add_urls(&mut item, [u, row.get(match_url)]);
        let (user, pass) = (unprotect(row.get(login)), unprotect(row.get(pwd)));
        item.credentials.extend(build::basic_auth(user, pass));
        let mut custom: Vec<EditableField> = Vec::new();
        let first = fields.unwrap_or(usize::MAX);
        let mut odd = 0usize;
        for i in first..row.len() {
            let cell = row.get(Some(i));
            if cell.trim().is_empty() {
                continue;
            }
            let Some((label, kind, value)) = form_field(cell) else {
                odd += 1;
                continue;
            };
            let value = unprotect(&value);
            let duplicate = (kind == "pwd" && value == pass) || (kind != "pwd" && value == user);
            if duplicate || value.trim().is_empty() {
                continue;
            }
            if label.to_ascii_lowercase().contains("totp") {
                match otp::parse(value) {
                    Ok(t) => {
                        item.credentials.push(build::totp(&t, Some(user)));
                        continue;
                    }
                    Err(_) => loss.change(
                        &r,
                        "",
                        "RfFieldsV2",
                        LossReason::InvalidValue,
                        format!(
                            "the field {label:?} is not a TOTP secret or otpauth URI; kept as a concealed custom field"
                        ),
                    ),
                }
                custom.extend(build::labelled(&label, FieldType::ConcealedString, value));
                continue;
            }
            let ft = if kind == "pwd" {
                FieldType::ConcealedString
            } else {
                FieldType::String
            };
            custom.extend(build::labelled(&label, ft, value));
        }
        if odd > 0 {
            loss.add(
                &r,
                "RfFieldsV2",
                LossReason::InvalidValue,
                format!("{odd} extra cell(s) are not RoboForm form fields"),
            );
        }
        let n = unprotect(row.get(note));
        if n.starts_with("NoteType:") {
            typed_note(n, &mut item.credentials, &r, loss);
        } else {
            item.credentials.extend(build::note(n));
        }
        item.credentials.extend(build::custom_fields(None, custom));
        if build::push_unless_empty(&mut acc, item, row.index, loss) {
            let f = row.get(folder);
            let path: Vec<&str> = f.split('/').collect();
            acc.add_to_collection(&path, &id);
        }
    }
    table.report_unread(F, loss);
    Ok(build::document(F, vec![acc.finish()], options))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_of_both_layouts() {
        assert_eq!(
            form_field("User ID$,,,txt,kim"),
            Some(("User ID".into(), "txt".into(), "kim".into()))
        );
        assert_eq!(
            form_field("Password$,,,pwd,\"a,\"\"b\""),
            Some(("Password".into(), "pwd".into(), "a,\"b".into()))
        );
        assert_eq!(
            form_field("PIN$:pwd:12:34"),
            Some(("PIN".into(), "pwd".into(), "12:34".into()))
        );
        assert_eq!(form_field("no marker"), None);
    }

    #[test]
    fn formula_protection_is_removed() {
        assert_eq!(unprotect("'@home"), "@home");
        assert_eq!(unprotect("''quoted"), "'quoted");
        assert_eq!(unprotect("'plain"), "'plain");
    }
}
