//! Enpass CSV export: a header `"Title","Field","Value","Field","Value",…,"Note"` (Enpass
//! writes a run of dots in the middle), then one record per item: the title, `label,value`
//! pairs, and, when the record has an even number of cells, the note as the unpaired last
//! cell. The CSV has lost Enpass's field types, so the labels decide (compared
//! case-insensitively; Enpass marks sensitive fields with a leading `*`, which makes them
//! concealed and is not part of the label).
//!
//! `Username`/`Login` (else `E-mail`/`Email`) and `Password` → `basic-auth`, `URL`/`Website` →
//! scope URLs, `TOTP`/`One-time code` → `totp`; a record with `Cardholder`, `Number` and
//! `Expiry date` is a card: those, `CVC`, `PIN` and `Type` → `credit-card`. Every other pair →
//! `custom-fields`. A record holding nothing but a title is skipped and reported. Folders,
//! categories and attachments are not in the CSV.

use crate::formats::apple_csv::push_totp;
use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util::tabular::{self, Table};
use crate::formats::util::time;
use crate::formats::{Format, LossReport, ReadError, ReadOptions};
use crate::{Credential, CreditCard, Document, EditableField, FieldType};

const F: Format = Format::EnpassCsv;

/// Whether a record is the header row.
fn is_header(cells: &[&str]) -> bool {
    cells
        .first()
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("title"))
        && cells
            .last()
            .is_some_and(|c| c.trim().eq_ignore_ascii_case("note"))
        && cells[1..cells.len() - 1].iter().all(|c| {
            let c = c.trim();
            c.eq_ignore_ascii_case("field")
                || c.eq_ignore_ascii_case("value")
                || (!c.is_empty() && c.bytes().all(|b| b == b'.'))
        })
}

/// Reads an Enpass CSV export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let table = Table::parse_headerless(tabular::text(bytes, F)?, F, &["title"])?;
    let mut acc = AccountBuilder::new(F, "");
    for row in table.rows.iter().filter(|r| !r.is_blank()) {
        let cells: Vec<&str> = (0..row.len()).map(|i| row.get(Some(i))).collect();
        if row.index == 0 && is_header(&cells) {
            continue;
        }
        let note = if cells.len().is_multiple_of(2) {
            cells.last().copied().unwrap_or("")
        } else {
            ""
        };
        let pairs_end = if cells.len().is_multiple_of(2) {
            cells.len() - 1
        } else {
            cells.len()
        };
        // (label without the `*`, lower-case label, value, sensitive)
        let pairs: Vec<(&str, String, &str, bool)> = cells[1.min(pairs_end)..pairs_end]
            .chunks(2)
            .map(|p| {
                let raw = p[0].trim();
                let label = raw.strip_prefix('*').unwrap_or(raw).trim();
                (
                    label,
                    label.to_lowercase(),
                    p.get(1).copied().unwrap_or(""),
                    raw.starts_with('*'),
                )
            })
            .collect();
        let has = |l: &str| pairs.iter().any(|p| p.1 == l);
        let is_card = has("cardholder") && has("number") && has("expiry date");
        let first_url = pairs
            .iter()
            .find(|p| matches!(p.1.as_str(), "url" | "website"))
            .map_or("", |p| p.2);
        let id = acc.item_id(None, row.index);
        let mut item = build::item(id.clone(), build::title_or_host(cells[0], first_url));
        let item_title = item.title.to_string();
        let r = ItemRef::new(row.index, &item_title).with_item(&id);
        let (mut username, mut email, mut password) = (String::new(), String::new(), String::new());
        let mut totps: Vec<&str> = Vec::new();
        let mut card = CreditCard::default();
        let mut custom: Vec<EditableField> = Vec::new();
        for (label, lower, value, sensitive) in &pairs {
            if value.trim().is_empty() {
                continue;
            }
            let set = |slot: &mut Option<EditableField>, ft: FieldType| -> bool {
                if slot.is_some() {
                    return false;
                }
                *slot = build::field(ft, value);
                true
            };
            match lower.as_str() {
                "username" | "login" if username.is_empty() => username = (*value).to_owned(),
                "e-mail" | "email" if email.is_empty() => email = (*value).to_owned(),
                "password" if password.is_empty() => password = (*value).to_owned(),
                "url" | "website" => build::add_urls(&mut item, [*value]),
                "totp" | "one-time code" | "one-time password" => totps.push(value),
                "cardholder" if is_card && set(&mut card.full_name, FieldType::String) => {}
                "number" if is_card && set(&mut card.number, FieldType::ConcealedString) => {}
                "cvc" | "cvv"
                    if is_card
                        && set(&mut card.verification_number, FieldType::ConcealedString) => {}
                "pin" if is_card && set(&mut card.pin, FieldType::ConcealedString) => {}
                "type" if is_card && set(&mut card.card_type, FieldType::String) => {}
                "expiry date"
                    if is_card
                        && card.expiry_date.is_none()
                        && value
                            .split_once('/')
                            .and_then(|(m, y)| time::year_month(m, y))
                            .is_some() =>
                {
                    let ym = value
                        .split_once('/')
                        .and_then(|(m, y)| time::year_month(m, y))
                        .unwrap_or_default();
                    card.expiry_date = build::field(FieldType::YearMonth, &ym);
                }
                _ => {
                    let ft = if *sensitive || lower == "password" {
                        FieldType::ConcealedString
                    } else if lower == "e-mail" || lower == "email" {
                        FieldType::Email
                    } else {
                        FieldType::String
                    };
                    custom.extend(build::labelled(label, ft, value));
                }
            }
        }
        let user = if username.is_empty() {
            &email
        } else {
            &username
        };
        item.credentials.extend(build::basic_auth(user, &password));
        if user != &email {
            if let Some(f) = build::labelled("E-mail", FieldType::Email, &email) {
                custom.insert(0, f);
            }
        }
        for t in totps {
            push_totp(&mut item.credentials, t, user, &r, "TOTP", loss);
        }
        if card != CreditCard::default() {
            item.credentials.push(Credential::from(card));
        }
        item.credentials.extend(build::note(note));
        item.credentials.extend(build::custom_fields(None, custom));
        build::push_unless_empty(&mut acc, item, row.index, loss);
    }
    Ok(build::document(F, vec![acc.finish()], options))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_rows() {
        assert!(is_header(&["Title", "Field", "Value", ".........", "Note"]));
        assert!(is_header(&["title", "field", "value", "note"]));
        assert!(!is_header(&["Mail", "Username", "kim", "notes"]));
    }
}
