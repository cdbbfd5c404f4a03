//! Dashlane CSV export: a zip of `credentials.csv`, `securenotes.csv`, `payments.csv`,
//! `personalInfo.csv` and `ids.csv`, or any one of those files alone (recognised by its header).
//! The older single-file export ("Unsecured Archive in CSV") has no header: every record is
//! `title,url,login,password,note` (the order pass-import reads), and it is read as a
//! credentials file when no header is recognised and every record has those five cells.
//!
//! Credentials → `basic-auth` (+ `totp` from `otpSecret`, extra usernames as custom fields), the
//! `category` → a collection. Payment cards → `credit-card`; bank accounts → `custom-fields`.
//! Each personal-info row (a name, an e-mail, a phone number, an address...) is its own item, as
//! Dashlane stores them. IDs → `identity-document`, `passport` or `drivers-license`. Dashlane's
//! unpadded dates (`2022-1-30`) are normalised.
//!
//! Passkeys: the CSV export holds none (its five files have no passkey column, and Dashlane's
//! passkeys leave it only through the Credential Exchange Protocol), so there is no private key
//! any reader could carry. A CSV member of the zip with an unknown header, and every column the
//! reader does not map, is named in the loss report.
//!
//! # Writing
//!
//! The writer produces the credentials CSV of Dashlane's import template,
//! `username,username2,username3,title,password,note,url,category,otpSecret` (CRLF, as
//! Dashlane's own `credentials.csv`): Dashlane's CSV import takes logins only ("for each login,
//! you can import the item name, URL, username, password, OTP secret, and note", its import
//! guide), one file. `otpSecret` holds the Base32 secret; a TOTP's issuer, its own username and
//! non-default algorithm, digits or period have no column and are reported. `username2`,
//! `username3` and `category` are left empty. Items without a login (notes, cards, IDs...) are
//! reported, not written.
//!
//! Import rules: Dashlane publishes none that refuse a row (its guide gives the columns only)
//! and its importer is not open source, so this writer refuses no login.

use zeroize::Zeroizing;

use crate::formats::apple_csv::push_totp;
use crate::formats::bitwarden_json::is_subdivision;
use crate::formats::build::{self, AccountBuilder};
use crate::formats::flat::{self, Caps, Flat};
use crate::formats::loss::ItemRef;
use crate::formats::util::otp;
use crate::formats::util::tabular::{self, CsvOut, Row, Table};
use crate::formats::util::{archive, time};
use crate::formats::{Format, LossReason, LossReport, ReadError, ReadOptions};
use crate::{
    Address, CreditCard, Document, DriversLicense, EditableField, FieldType, IdentityDocument,
    Passport, PersonName,
};

const F: Format = Format::DashlaneCsv;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Credentials,
    Notes,
    Payments,
    Personal,
    Ids,
}

/// The older header-less export's columns, named as the credentials CSV names them so that one
/// path reads both.
pub(crate) const LEGACY_COLUMNS: [&str; 5] = ["title", "url", "username", "password", "note"];

fn kind_of(table: &Table) -> Option<Kind> {
    if table.has_all(&["username", "password", "title", "url"]) {
        Some(Kind::Credentials)
    } else if table.has_all(&["type", "cc_number"]) || table.has_all(&["type", "account_number"]) {
        Some(Kind::Payments)
    } else if table.has_all(&["type", "first_name", "item_name"]) {
        Some(Kind::Personal)
    } else if table.has_all(&["type", "number", "issue_date"]) {
        Some(Kind::Ids)
    } else if table.has_all(&["title", "note"]) {
        Some(Kind::Notes)
    } else {
        None
    }
}

/// Reads a Dashlane zip or one of its CSV files.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let mut acc = AccountBuilder::new(F, "");
    let mut index = 0usize;
    if archive::is_zip(bytes) {
        let members = archive::read_members(bytes, F, &options.limits, |n| {
            n.to_ascii_lowercase().ends_with(".csv")
        })?;
        for (name, data) in &members {
            let table = Table::parse(tabular::text(data, F)?, F)?;
            match kind_of(&table) {
                Some(kind) => {
                    read_table(&table, kind, &mut acc, &mut index, loss);
                    table.report_unread(F, loss);
                }
                None => loss.add(
                    &ItemRef::default(),
                    name.clone(),
                    LossReason::Unsupported,
                    "CSV member with an unknown header",
                ),
            }
        }
    } else {
        let text = tabular::text(bytes, F)?;
        let table = Table::parse(text, F)?;
        let (table, kind) = match kind_of(&table) {
            Some(kind) => (table, kind),
            None => {
                let legacy = Table::parse_headerless(text, F, &LEGACY_COLUMNS)?;
                if legacy.rows.iter().any(|r| r.len() != LEGACY_COLUMNS.len()) {
                    return Err(ReadError::syntax(
                        F,
                        "header matches none of Dashlane's five CSV files, and the records are \
                         not the older header-less layout (five cells: title, url, login, \
                         password, note)",
                    ));
                }
                (legacy, Kind::Credentials)
            }
        };
        read_table(&table, kind, &mut acc, &mut index, loss);
        table.report_unread(F, loss);
    }
    Ok(build::document(F, vec![acc.finish()], options))
}

fn read_table(
    table: &Table,
    kind: Kind,
    acc: &mut AccountBuilder,
    index: &mut usize,
    loss: &mut LossReport,
) {
    for row in table.rows.iter().filter(|r| !r.is_blank()) {
        let i = *index;
        *index += 1;
        let get = |name: &str| row.get(table.col(name));
        match kind {
            Kind::Credentials => credential(table, row, i, acc, loss),
            Kind::Notes => {
                let id = acc.item_id(None, i);
                let mut item = build::item(id.clone(), build::title_or_host(get("title"), ""));
                item.credentials.extend(build::note(get("note")));
                acc.add_to_collection(&[get("category")], &id);
                acc.push_item(item);
            }
            Kind::Payments => payment(table, row, i, acc),
            Kind::Personal => personal(table, row, i, acc),
            Kind::Ids => ids(table, row, i, acc),
        }
    }
}

fn credential(table: &Table, row: &Row, i: usize, acc: &mut AccountBuilder, loss: &mut LossReport) {
    let get = |name: &str| row.get(table.col(name));
    let url = get("url");
    let title = build::title_or_host(get("title"), url);
    let r = ItemRef::new(i, title);
    let id = acc.item_id(None, i);
    let r = r.with_item(&id);
    let mut item = build::item(id.clone(), title);
    build::add_urls(&mut item, [url]);
    item.credentials
        .extend(build::basic_auth(get("username"), get("password")));
    push_totp(
        &mut item.credentials,
        get("otpsecret"),
        get("username"),
        &r,
        "otpSecret",
        loss,
    );
    push_totp(
        &mut item.credentials,
        get("otpurl"),
        get("username"),
        &r,
        "otpUrl",
        loss,
    );
    item.credentials.extend(build::note(get("note")));
    let mut extra = Vec::new();
    extra.extend(build::labelled(
        "Username 2",
        FieldType::String,
        get("username2"),
    ));
    extra.extend(build::labelled(
        "Username 3",
        FieldType::String,
        get("username3"),
    ));
    item.credentials.extend(build::custom_fields(None, extra));
    acc.add_to_collection(&[get("category")], &id);
    acc.push_item(item);
}

fn date(v: &str) -> Option<EditableField> {
    time::normalize_date(v).and_then(|d| build::field(FieldType::Date, &d))
}

fn payment(table: &Table, row: &Row, i: usize, acc: &mut AccountBuilder) {
    let get = |name: &str| row.get(table.col(name));
    let s = |v: &str| build::field(FieldType::String, v);
    let id = acc.item_id(None, i);
    if get("type") == "bank" {
        let mut item = build::item(id, build::title_or_host(get("account_name"), "").trim());
        let mut f = Vec::new();
        f.extend(build::labelled(
            "Account holder",
            FieldType::String,
            get("account_holder"),
        ));
        f.extend(build::labelled(
            "Bank",
            FieldType::String,
            get("issuing_bank"),
        ));
        f.extend(build::labelled(
            "Routing number",
            FieldType::String,
            get("routing_number"),
        ));
        f.extend(build::labelled(
            "Account number",
            FieldType::ConcealedString,
            get("account_number"),
        ));
        f.extend(build::labelled(
            "Country",
            FieldType::String,
            get("country"),
        ));
        item.credentials
            .extend(build::custom_fields(Some("Bank account"), f));
        item.credentials.extend(build::note(get("note")));
        acc.push_item(item);
        return;
    }
    let name = if get("name").is_empty() {
        get("account_name")
    } else {
        get("name")
    };
    let mut item = build::item(id, build::title_or_host(name, ""));
    item.credentials.push(
        CreditCard {
            full_name: s(get("account_name")),
            number: build::field(FieldType::ConcealedString, get("cc_number")),
            verification_number: build::field(FieldType::ConcealedString, get("code")),
            expiry_date: time::year_month(get("expiration_month"), get("expiration_year"))
                .and_then(|v| build::field(FieldType::YearMonth, &v)),
            ..CreditCard::default()
        }
        .into(),
    );
    item.credentials.extend(build::note(get("note")));
    acc.push_item(item);
}

fn personal(table: &Table, row: &Row, i: usize, acc: &mut AccountBuilder) {
    let get = |name: &str| row.get(table.col(name));
    let s = |v: &str| build::field(FieldType::String, v);
    let kind = get("type");
    let full = [get("first_name"), get("middle_name"), get("last_name")]
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let title = [get("item_name"), full.as_str(), kind]
        .into_iter()
        .find(|t| !t.trim().is_empty())
        .unwrap_or("(untitled)");
    let id = acc.item_id(None, i);
    let mut item = build::item(id, title);
    let mut extra = Vec::new();
    match kind {
        "name" => {
            item.credentials.push(
                PersonName {
                    title: s(get("title")),
                    given: s(get("first_name")),
                    given2: s(get("middle_name")),
                    surname: s(get("last_name")),
                    ..PersonName::default()
                }
                .into(),
            );
            extra.extend(build::labelled("Login", FieldType::String, get("login")));
            match time::normalize_date(get("date_of_birth")) {
                Some(d) => extra.extend(build::labelled("Date of birth", FieldType::Date, &d)),
                None => extra.extend(build::labelled(
                    "Date of birth",
                    FieldType::String,
                    get("date_of_birth"),
                )),
            }
            extra.extend(build::labelled(
                "Place of birth",
                FieldType::String,
                get("place_of_birth"),
            ));
            extra.extend(build::labelled(
                "Job title",
                FieldType::String,
                get("job_title"),
            ));
        }
        "address" => {
            let state = get("state");
            let country = get("country");
            let building: Vec<&str> = [
                get("address"),
                get("address_building"),
                get("address_apartment"),
                get("address_floor"),
            ]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect();
            let (territory, country) =
                build::place(state, country, ["State", "Country"], &mut extra);
            item.credentials.push(
                Address {
                    street_address: s(&building.join("\n")),
                    city: s(get("city")),
                    postal_code: s(get("zip")),
                    territory,
                    country,
                    tel: s(get("phone_number")),
                    ..Address::default()
                }
                .into(),
            );
            extra.extend(build::labelled(
                "Recipient",
                FieldType::String,
                get("address_recipient"),
            ));
            extra.extend(build::labelled(
                "Door code",
                FieldType::ConcealedString,
                get("address_door_code"),
            ));
        }
        "website" => build::add_urls(&mut item, [get("url")]),
        _ => {}
    }
    if kind != "address" {
        extra.extend(build::labelled("Email", FieldType::Email, get("email")));
        extra.extend(build::labelled(
            "Email type",
            FieldType::String,
            get("email_type"),
        ));
        extra.extend(build::labelled(
            "Phone",
            FieldType::String,
            get("phone_number"),
        ));
    }
    if kind != "name" {
        extra.extend(build::labelled(
            "Job title",
            FieldType::String,
            get("job_title"),
        ));
    }
    if kind != "website" {
        extra.extend(build::labelled("URL", FieldType::String, get("url")));
    }
    item.credentials.extend(build::custom_fields(None, extra));
    acc.push_item(item);
}

fn ids(table: &Table, row: &Row, i: usize, acc: &mut AccountBuilder) {
    let get = |name: &str| row.get(table.col(name));
    let s = |v: &str| build::field(FieldType::String, v);
    let kind = get("type");
    let title = if get("name").is_empty() {
        kind
    } else {
        get("name")
    };
    let id = acc.item_id(None, i);
    let mut item = build::item(id, build::title_or_host(title, ""));
    let mut extra = Vec::new();
    let state = get("state");
    if !(kind == "license" && is_subdivision(state)) {
        extra.extend(build::labelled("State", FieldType::String, state));
    }
    if matches!(kind, "social_security" | "tax_number") {
        extra.extend(build::labelled(
            "Place of issue",
            FieldType::String,
            get("place_of_issue"),
        ));
    }
    match kind {
        "passport" => item.credentials.push(
            Passport {
                passport_number: s(get("number")),
                full_name: s(get("name")),
                issue_date: date(get("issue_date")),
                expiry_date: date(get("expiration_date")),
                issuing_authority: s(get("place_of_issue")),
                ..Passport::default()
            }
            .into(),
        ),
        "license" => item.credentials.push(
            DriversLicense {
                license_number: s(get("number")),
                full_name: s(get("name")),
                issue_date: date(get("issue_date")),
                expiry_date: date(get("expiration_date")),
                issuing_authority: s(get("place_of_issue")),
                territory: if is_subdivision(get("state")) {
                    build::field(FieldType::SubdivisionCode, get("state"))
                } else {
                    None
                },
                ..DriversLicense::default()
            }
            .into(),
        ),
        "social_security" | "tax_number" => item.credentials.push(
            IdentityDocument {
                identification_number: s(get("number")),
                full_name: s(get("name")),
                ..IdentityDocument::default()
            }
            .into(),
        ),
        _ => item.credentials.push(
            IdentityDocument {
                document_number: s(get("number")),
                full_name: s(get("name")),
                issue_date: date(get("issue_date")),
                expiry_date: date(get("expiration_date")),
                issuing_authority: s(get("place_of_issue")),
                ..IdentityDocument::default()
            }
            .into(),
        ),
    }
    item.credentials.extend(build::custom_fields(None, extra));
    acc.push_item(item);
}

/// The `otpSecret` cell of a login: the Base32 secret of its first TOTP. What the cell cannot
/// hold (issuer, a username other than the login's, non-default parameters) is reported.
fn otp_secret(f: &Flat<'_>, loss: &mut LossReport) -> Zeroizing<String> {
    let Some((ci, t)) = f.totp else {
        return Zeroizing::new(String::new());
    };
    let Some(o) = build::otp_of(t) else {
        loss.lose(
            &f.item_ref(),
            &format!("/credentials/{ci}"),
            format!("credentials[{ci}]:totp"),
            LossReason::InvalidValue,
            "TOTP secret or algorithm not writable as a Base32 secret",
        );
        return Zeroizing::new(String::new());
    };
    let username = o.account.as_deref().unwrap_or("");
    let lost = [
        ("issuer", o.issuer.as_deref().is_some_and(|i| !i.is_empty())),
        ("username", !username.is_empty() && username != f.username),
        ("algorithm", o.algorithm != otp::OtpAlgorithm::Sha1),
        ("digits", o.digits != 6),
        ("period", o.period != 30),
    ];
    for (member, _) in lost.iter().filter(|(_, l)| *l) {
        loss.lose(
            &f.item_ref(),
            &format!("/credentials/{ci}/{member}"),
            format!("credentials[{ci}]:totp.{member}"),
            LossReason::NoEquivalent,
            "Dashlane's otpSecret column holds only the Base32 secret (SHA-1, 6 digits, 30 s)",
        );
    }
    o.secret
}

/// Writes Dashlane's credentials CSV (see the module docs).
pub(crate) fn write(doc: &Document, loss: &mut LossReport) -> Zeroizing<Vec<u8>> {
    let caps = Caps {
        totp: true,
        note: true,
        urls: 1,
        timestamps: false,
        android: false,
        name: "Dashlane CSV",
    };
    let mut out = CsvOut::new(true, false);
    out.record([
        "username",
        "username2",
        "username3",
        "title",
        "password",
        "note",
        "url",
        "category",
        "otpSecret",
    ]);
    for f in flat::flatten(doc, caps, false, loss) {
        let urls = f.urls();
        let url = urls.first().copied().unwrap_or("");
        let note = f.note();
        let secret = otp_secret(&f, loss);
        out.record([
            f.username,
            "",
            "",
            f.item.title.as_str(),
            f.password,
            note.as_str(),
            url,
            "",
            secret.as_str(),
        ]);
    }
    out.finish()
}
