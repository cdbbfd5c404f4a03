//! LastPass CSV: `url,username,password,totp,extra,name,grouping,fav` (older exports lack
//! `totp`). Some exports end records with CR CR LF; the web vault wraps the CSV in an HTML
//! `<pre>` block. Both are accepted.
//!
//! Secure notes have the URL `http://sn`. Typed secure notes keep `NoteType:<type>` and
//! `Key:Value` lines in `extra`: credit cards, addresses, bank accounts, SSH keys and Wi-Fi
//! become `credit-card`, `person-name` + `address`, `custom-fields`, `ssh-key` and `wifi`; keys
//! without a CXF member go to `custom-fields`, never dropped. `grouping` (folders separated by
//! `\`) becomes collections; `fav` becomes `favorite`.

use zeroize::Zeroizing;

use crate::formats::apple_csv::push_totp;
use crate::formats::bitwarden_json::{key_loss_detail, key_loss_reason};
use crate::formats::build::{self, AccountBuilder};
use crate::formats::loss::ItemRef;
use crate::formats::util::tabular::{self, Table};
use crate::formats::util::{keys, time};
use crate::formats::{Format, LossReport, ReadError, ReadOptions};
use crate::{
    Address, Credential, CreditCard, Document, EditableField, FieldType, PersonName, SecretB64,
    SshKey, Text, Wifi,
};

const F: Format = Format::LastpassCsv;

/// Un-escapes the HTML entities the web vault export uses.
fn html_unescape(s: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(s.len()));
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let (entity, ch) = [
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&#39;", '\''),
            ("&amp;", '&'),
        ]
        .into_iter()
        .find(|(e, _)| rest.starts_with(e))
        .unwrap_or(("&", '&'));
        out.push(ch);
        rest = &rest[entity.len()..];
    }
    out.push_str(rest);
    out
}

/// Reads a LastPass CSV export.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    let raw = tabular::text(bytes, F)?;
    let mut text = Zeroizing::new(raw.replace("\r\r\n", "\r\n"));
    if text.trim_start().starts_with('<') {
        let start = text
            .find("<pre")
            .and_then(|i| text[i..].find('>').map(|j| i + j + 1));
        let end = text.rfind("</pre>");
        match (start, end) {
            (Some(s), Some(e)) if s <= e => text = html_unescape(text[s..e].trim()),
            _ => {
                return Err(ReadError::syntax(
                    F,
                    "HTML without the <pre> block that holds the CSV",
                ));
            }
        }
    }
    let table = Table::parse(&text, F)?;
    if !table.has_all(&["url", "username", "password", "name"]) {
        return Err(ReadError::syntax(
            F,
            "header must have url, username, password and name columns",
        ));
    }
    let (url, user, pass, totp, extra, name, grouping, fav) = (
        table.col("url"),
        table.col("username"),
        table.col("password"),
        table.col("totp"),
        table.col("extra"),
        table.col("name"),
        table.col("grouping"),
        table.col("fav"),
    );
    let mut acc = AccountBuilder::new(F, "");
    for row in table.rows.iter().filter(|r| !r.is_blank()) {
        let u = row.get(url);
        let title = build::title_or_host(row.get(name), if u == "http://sn" { "" } else { u });
        let r = ItemRef::new(row.index, title);
        let id = acc.item_id(None, row.index);
        let r = r.with_item(&id);
        let mut item = build::item(id.clone(), title);
        let ex = row.get(extra);
        if u == "http://sn" {
            match ex.strip_prefix("NoteType:") {
                Some(_) => typed_note(ex, &mut item.credentials, &r, loss),
                None => item.credentials.extend(build::note(ex)),
            }
        } else {
            build::add_urls(&mut item, [u]);
            item.credentials
                .extend(build::basic_auth(row.get(user), row.get(pass)));
            push_totp(
                &mut item.credentials,
                row.get(totp),
                row.get(user),
                &r,
                "totp",
                loss,
            );
            item.credentials.extend(build::note(ex));
        }
        if build::truthy(row.get(fav)) {
            item.favorite = Some(true);
        }
        let group = row.get(grouping);
        let path: Vec<&str> = group.split('\\').collect();
        acc.add_to_collection(&path, &id);
        acc.push_item(item);
    }
    table.report_unread(F, loss);
    Ok(build::document(F, vec![acc.finish()], options))
}

const CARD: &[&str] = &[
    "Name on Card",
    "Type",
    "Number",
    "Security Code",
    "Start Date",
    "Expiration Date",
];
const ADDRESS: &[&str] = &[
    "Title",
    "First Name",
    "Middle Name",
    "Last Name",
    "Username",
    "Gender",
    "Birthday",
    "Company",
    "Address 1",
    "Address 2",
    "Address 3",
    "City / Town",
    "County",
    "State",
    "Zip / Postal Code",
    "Country",
    "Timezone",
    "Email Address",
    "Phone",
    "Evening Phone",
    "Mobile Phone",
    "Fax",
];
const BANK: &[&str] = &[
    "Bank Name",
    "Account Type",
    "Routing Number",
    "Account Number",
    "SWIFT Code",
    "IBAN Number",
    "Pin",
    "Branch Address",
    "Branch Phone",
];
const SSH: &[&str] = &[
    "Bit Strength",
    "Format",
    "Passphrase",
    "Private Key",
    "Public Key",
    "Hostname",
    "Date",
];
const WIFI: &[&str] = &[
    "SSID",
    "Password",
    "Connection Type",
    "Connection Mode",
    "Authentication",
    "Encryption",
    "Use 802.1X",
    "FIPS Mode",
    "Key Type",
    "Protected",
    "Key Index",
];
const CONCEALED: &[&str] = &[
    "Number",
    "Security Code",
    "Pin",
    "Account Number",
    "IBAN Number",
    "Passphrase",
    "Password",
    "Private Key",
];

/// Splits a typed note into its type, `Key:Value` pairs (multi-line values continued) and notes.
/// A typed note: its type, its `Key:Value` pairs, and its free-text notes.
type TypedNote = (String, Vec<(String, Zeroizing<String>)>, Zeroizing<String>);

fn parse_typed(extra: &str) -> TypedNote {
    let mut lines = extra.split('\n').map(|l| l.trim_end_matches('\r'));
    let kind = lines
        .next()
        .unwrap_or("")
        .trim_start_matches("NoteType:")
        .to_owned();
    let known: Option<&[&str]> = match kind.as_str() {
        "Credit Card" => Some(CARD),
        "Address" => Some(ADDRESS),
        "Bank Account" => Some(BANK),
        "SSH Key" => Some(SSH),
        "Wi-Fi Password" => Some(WIFI),
        _ => None,
    };
    let mut pairs: Vec<(String, Zeroizing<String>)> = Vec::new();
    let mut notes = Zeroizing::new(String::new());
    let mut in_notes = false;
    for line in lines {
        if in_notes {
            notes.push('\n');
            notes.push_str(line);
            continue;
        }
        let key = line.split_once(':').map(|(k, _)| k);
        match key {
            Some("Notes") => {
                in_notes = true;
                notes.push_str(&line["Notes:".len()..]);
            }
            Some("Language") => {}
            Some(k) if known.map_or(!k.is_empty() && k.len() <= 40, |ks| ks.contains(&k)) => {
                pairs.push((k.to_owned(), Zeroizing::new(line[k.len() + 1..].to_owned())));
            }
            _ => {
                if let Some((_, v)) = pairs.last_mut() {
                    v.push('\n');
                    v.push_str(line);
                }
            }
        }
    }
    (kind, pairs, notes)
}

pub(crate) fn typed_note(
    extra: &str,
    creds: &mut crate::ThinVec<Credential>,
    r: &ItemRef<'_>,
    loss: &mut LossReport,
) {
    let (kind, mut pairs, notes) = parse_typed(extra);
    let mut take = |k: &str| -> Zeroizing<String> {
        match pairs.iter().position(|(pk, _)| pk == k) {
            Some(i) => pairs.remove(i).1,
            None => Zeroizing::new(String::new()),
        }
    };
    let s = |v: &str| build::field(FieldType::String, v);
    let mut extra_fields: Vec<EditableField> = Vec::new();
    let mut label: Option<&str> = None;
    match kind.as_str() {
        "Credit Card" => {
            let card = CreditCard {
                full_name: s(&take("Name on Card")),
                card_type: s(&take("Type")),
                number: build::field(FieldType::ConcealedString, &take("Number")),
                verification_number: build::field(
                    FieldType::ConcealedString,
                    &take("Security Code"),
                ),
                valid_from: time::lastpass_month_year(&take("Start Date"))
                    .and_then(|v| build::field(FieldType::YearMonth, &v)),
                expiry_date: time::lastpass_month_year(&take("Expiration Date"))
                    .and_then(|v| build::field(FieldType::YearMonth, &v)),
                ..CreditCard::default()
            };
            creds.push(card.into());
        }
        "Address" => {
            let name = PersonName {
                title: s(&take("Title")),
                given: s(&take("First Name")),
                given2: s(&take("Middle Name")),
                surname: s(&take("Last Name")),
                ..PersonName::default()
            };
            if name != PersonName::default() {
                creds.push(name.into());
            }
            let street: Vec<Zeroizing<String>> = ["Address 1", "Address 2", "Address 3"]
                .iter()
                .map(|k| take(k))
                .collect();
            let street: Vec<&str> = street
                .iter()
                .map(|v| v.as_str())
                .filter(|v| !v.trim().is_empty())
                .collect();
            let state = take("State");
            let country = take("Country");
            let birthday = take("Birthday");
            let (territory, country) =
                build::place(&state, &country, ["State", "Country"], &mut extra_fields);
            let address = Address {
                street_address: s(&street.join("\n")),
                city: s(&take("City / Town")),
                postal_code: s(&take("Zip / Postal Code")),
                territory,
                country,
                tel: s(&take("Phone")),
                ..Address::default()
            };
            match time::lastpass_date(&birthday) {
                Some(d) => extra_fields.extend(build::labelled("Birthday", FieldType::Date, &d)),
                None if birthday.trim_matches([',', ' ']).is_empty() => {}
                None => {
                    extra_fields.extend(build::labelled("Birthday", FieldType::String, &birthday))
                }
            }
            extra_fields.extend(build::labelled(
                "Email Address",
                FieldType::Email,
                &take("Email Address"),
            ));
            if address != Address::default() {
                creds.push(address.into());
            }
        }
        "Bank Account" => label = Some("Bank Account"),
        "SSH Key" => {
            let private = take("Private Key");
            if !private.trim().is_empty() {
                match keys::private_key_to_pkcs8(&private) {
                    Ok(key) => creds.push(
                        SshKey {
                            key_type: Text::from(key.algorithm.ssh_name()),
                            private_key: SecretB64::encode(&key.pkcs8),
                            key_comment: (!key.comment.is_empty())
                                .then(|| Text::from(key.comment.as_str())),
                            ..SshKey::default()
                        }
                        .into(),
                    ),
                    Err(e) => {
                        loss.add(
                            r,
                            "Private Key",
                            key_loss_reason(e),
                            format!("{}; kept as a concealed custom field", key_loss_detail(e)),
                        );
                        extra_fields.extend(build::labelled(
                            "Private Key",
                            FieldType::ConcealedString,
                            &private,
                        ));
                    }
                }
            }
        }
        "Wi-Fi Password" => {
            let security = match take("Connection Type")
                .to_ascii_uppercase()
                .replace(['-', ' '], "")
                .as_str()
            {
                "WPA3" => Some("wpa3-personal"),
                "WPA2" => Some("wpa2-personal"),
                "WPA" => Some("wpa-personal"),
                "WEP" => Some("wep"),
                "NONE" | "OPEN" => Some("unsecured"),
                _ => None,
            };
            creds.push(
                Wifi {
                    ssid: s(&take("SSID")),
                    passphrase: build::field(FieldType::ConcealedString, &take("Password")),
                    network_security_type: security
                        .and_then(|v| build::field(FieldType::WifiNetworkSecurityType, v)),
                    ..Wifi::default()
                }
                .into(),
            );
        }
        other => label = Some(other),
    }
    for (k, v) in &pairs {
        let ft = if CONCEALED.contains(&k.as_str()) {
            FieldType::ConcealedString
        } else {
            FieldType::String
        };
        extra_fields.extend(build::labelled(k, ft, v));
    }
    creds.extend(build::custom_fields(label, extra_fields));
    creds.extend(build::note(&notes));
}
