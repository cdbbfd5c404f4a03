//! NordPass CSV: one table for logins, notes, cards, identities and folders:
//! `name,url,additional_urls,username,password,note,cardholdername,cardnumber,cvc,pin,
//! expirydate,zipcode,folder,full_name,phone_number,email,address1,address2,city,country,state,
//! type,custom_fields` (older exports lack `additional_urls`, `pin`, `custom_fields` and even
//! `type`). Columns are matched by name.
//!
//! Each row is mapped by what it holds, whatever its `type`: `username`/`password` →
//! `basic-auth`; `url` and the JSON list `additional_urls` → scope URLs; `note` → `note`; the
//! card columns → `credit-card` (`expirydate` `MM/YY`, `MM / YY` → `year-month`); `full_name` →
//! `person-name`; the address columns, `zipcode` and `phone_number` → `address` (a country or
//! state that is not an ISO code stays a custom field); `email` and the JSON `custom_fields`
//! (`hidden` → concealed, ISO `date` → date) → `custom-fields`. Rows of type `folder` (or, in
//! exports without `type`, rows holding nothing but a name) declare folders; `folder` and folder
//! names are `/`-separated paths and become collections.

use serde_json::Value;

use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util::tabular::{self, Row, Table};
use crate::formats::util::time;
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{Address, CreditCard, Document, EditableField, FieldType, PersonName};

const F: Format = Format::NordpassCsv;

/// Reads a NordPass CSV export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let table = Table::parse(tabular::text(bytes, F)?, F)?;
    if !table.has_all(&["name", "url", "username", "password", "note", "folder"]) {
        return Err(ReadError::syntax(
            F,
            "header must have name, url, username, password, note and folder columns",
        ));
    }
    let c = Cols::new(&table);
    let mut acc = AccountBuilder::new(F, "");
    for row in table.rows.iter().filter(|r| !r.is_blank()) {
        let get = |col| row.get(col);
        let kind = get(c.kind).trim();
        let others_blank = || {
            (0..row.len())
                .filter(|i| Some(*i) != c.name && Some(*i) != c.kind)
                .all(|i| row.get(Some(i)).trim().is_empty())
        };
        if kind == "folder" || (c.kind.is_none() && others_blank()) {
            acc.ensure_collection(&path(get(c.name)));
            continue;
        }
        let u = get(c.url);
        let id = acc.item_id(None, row.index);
        let mut item = build::item(id.clone(), build::title_or_host(get(c.name), u));
        let title = item.title.to_string();
        let r = ItemRef::new(row.index, &title).with_item(&id);
        build::add_urls(&mut item, [u]);
        let extra = get(c.additional_urls);
        if !extra.trim().is_empty() {
            match serde_json::from_str::<Vec<String>>(extra) {
                Ok(urls) => build::add_urls(&mut item, urls.iter().map(String::as_str)),
                Err(_) => loss.add(
                    &r,
                    "additional_urls",
                    LossReason::InvalidValue,
                    "not a JSON list of URLs",
                ),
            }
        }
        item.credentials
            .extend(build::basic_auth(get(c.username), get(c.password)));
        let mut custom: Vec<EditableField> = Vec::new();
        card(row, &c, &mut item, &mut custom);
        identity(row, &c, &mut item, &mut custom);
        item.credentials.extend(build::note(get(c.note)));
        custom_fields(get(c.custom_fields), &mut custom, &r, loss);
        item.credentials.extend(build::custom_fields(None, custom));
        if build::push_unless_empty(&mut acc, item, row.index, loss) {
            acc.add_to_collection(&path(get(c.folder)), &id);
        }
    }
    table.report_unread(F, loss);
    Ok(build::document(F, vec![acc.finish()], options))
}

/// The columns, looked up once.
struct Cols {
    name: Option<usize>,
    url: Option<usize>,
    additional_urls: Option<usize>,
    username: Option<usize>,
    password: Option<usize>,
    note: Option<usize>,
    cardholder: Option<usize>,
    number: Option<usize>,
    cvc: Option<usize>,
    pin: Option<usize>,
    expiry: Option<usize>,
    zip: Option<usize>,
    folder: Option<usize>,
    full_name: Option<usize>,
    phone: Option<usize>,
    email: Option<usize>,
    address1: Option<usize>,
    address2: Option<usize>,
    city: Option<usize>,
    country: Option<usize>,
    state: Option<usize>,
    kind: Option<usize>,
    custom_fields: Option<usize>,
}

impl Cols {
    fn new(t: &Table) -> Self {
        Self {
            name: t.col("name"),
            url: t.col("url"),
            additional_urls: t.col("additional_urls"),
            username: t.col("username"),
            password: t.col("password"),
            note: t.col("note"),
            cardholder: t.col("cardholdername"),
            number: t.col("cardnumber"),
            cvc: t.col("cvc"),
            pin: t.col("pin"),
            expiry: t.col("expirydate"),
            zip: t.col("zipcode"),
            folder: t.col("folder"),
            full_name: t.col("full_name"),
            phone: t.col("phone_number"),
            email: t.col("email"),
            address1: t.col("address1"),
            address2: t.col("address2"),
            city: t.col("city"),
            country: t.col("country"),
            state: t.col("state"),
            kind: t.col("type"),
            custom_fields: t.col("custom_fields"),
        }
    }
}

/// A `/`-separated folder path.
fn path(folder: &str) -> Vec<&str> {
    folder.split('/').collect()
}

/// `MM/YY`, `MM / YY` or `MM/YYYY` as CXF `year-month`.
fn expiry(v: &str) -> Option<String> {
    let (m, y) = v.split_once('/')?;
    time::year_month(m.trim(), y.trim())
}

fn card(row: &Row, c: &Cols, item: &mut crate::Item, custom: &mut Vec<EditableField>) {
    let exp = row.get(c.expiry);
    let expiry_date = expiry(exp).and_then(|v| build::field(FieldType::YearMonth, &v));
    if expiry_date.is_none() {
        custom.extend(build::labelled("Expiry date", FieldType::String, exp));
    }
    let card = CreditCard {
        full_name: build::field(FieldType::String, row.get(c.cardholder)),
        number: build::field(FieldType::ConcealedString, row.get(c.number)),
        verification_number: build::field(FieldType::ConcealedString, row.get(c.cvc)),
        pin: build::field(FieldType::ConcealedString, row.get(c.pin)),
        expiry_date,
        ..CreditCard::default()
    };
    if card != CreditCard::default() {
        item.credentials.push(card.into());
    }
}

fn identity(row: &Row, c: &Cols, item: &mut crate::Item, custom: &mut Vec<EditableField>) {
    let s = |col| build::field(FieldType::String, row.get(col));
    let name = PersonName {
        given: s(c.full_name),
        ..PersonName::default()
    };
    if name != PersonName::default() {
        item.credentials.push(name.into());
    }
    let street: Vec<&str> = [row.get(c.address1), row.get(c.address2)]
        .into_iter()
        .filter(|v| !v.trim().is_empty())
        .collect();
    let (state, country) = (row.get(c.state), row.get(c.country));
    let (territory, country) = build::place(state, country, ["State", "Country"], custom);
    let address = Address {
        street_address: build::field(FieldType::String, &street.join("\n")),
        city: s(c.city),
        postal_code: s(c.zip),
        territory,
        country,
        tel: s(c.phone),
        ..Address::default()
    };
    if address != Address::default() {
        item.credentials.push(address.into());
    }
    custom.extend(build::labelled("Email", FieldType::Email, row.get(c.email)));
}

/// The JSON list `custom_fields`: `[{"label","type","value"}]`.
fn custom_fields(
    cell: &str,
    custom: &mut Vec<EditableField>,
    r: &ItemRef<'_>,
    loss: &mut LossReport,
) {
    if cell.trim().is_empty() {
        return;
    }
    let Ok(Value::Array(fields)) = serde_json::from_str::<Value>(cell) else {
        loss.add(
            r,
            "custom_fields",
            LossReason::InvalidValue,
            "not a JSON list of fields",
        );
        return;
    };
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let mut odd = 0usize;
    for f in &fields {
        let (label, kind, value) = (s(f, "label"), s(f, "type"), s(f, "value"));
        if !f.is_object() {
            odd += 1;
            continue;
        }
        let field = match kind.as_str() {
            "hidden" => build::labelled(&label, FieldType::ConcealedString, &value),
            "date" => match time::normalize_date(&value) {
                Some(d) => build::labelled(&label, FieldType::Date, &d),
                None => build::labelled(&label, FieldType::String, &value),
            },
            "email" => build::labelled(&label, FieldType::Email, &value),
            _ => build::labelled(&label, FieldType::String, &value),
        };
        custom.extend(field);
    }
    if odd > 0 {
        loss.add(
            r,
            "custom_fields",
            LossReason::InvalidValue,
            format!("{odd} entries of the list are not fields"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_dates() {
        assert_eq!(expiry("01 / 22").as_deref(), Some("2022-01"));
        assert_eq!(expiry("12/2027").as_deref(), Some("2027-12"));
        assert_eq!(expiry("soon"), None);
    }
}
