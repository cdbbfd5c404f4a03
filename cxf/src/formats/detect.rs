//! Format detection from the bytes alone, by **positive signature**: a format is chosen only
//! when its own markers are present (zip member names, JSON members and the shape of their
//! values, the XML root element, the CSV header row, magic bytes). Evidence that several
//! formats share (`items` and `folders`, a `name,url,username,password` prefix of a longer
//! header) is never enough on its own, and a CSV header with a column the format never writes
//! is refused.
//!
//! CSV headers are compared by name: trimmed, case-insensitive, in any order; empty header
//! cells are ignored. "Required" columns must all be present; "also" columns may be; any other
//! column rules the format out.
//!
//! # Formats this crate reads ([`Detection::Certain`])
//!
//! | format | signature |
//! |---|---|
//! | `cxf` | Header: `accounts` array (of objects without 1PUX's `attrs`/`vaults`) and one of `exporterRpId` (string), `version` object with `major`, `exporter` (string, 2024 draft). Bare Account: `items` array whose objects all carry a `credentials` array, one of `username`/`userName`/`email`/`collections`, no `encrypted`/`folders` (an empty `items` needs `username`, `email` and `collections`) |
//! | `bitwarden-json` | `encrypted` is a boolean when present, and one of: password-protected (`encrypted:true`, `passwordProtected:true`, `salt` or `kdfType`, `encKeyValidation_DO_NOT_EDIT` and `data` strings); account-restricted (`encrypted:true`, `encKeyValidation_DO_NOT_EDIT`, then `data` or Bitwarden items); plain: an `items` array of Bitwarden items (a string `name` and a numeric `type` 1..=5, or, in older hand-made exports without `type`, one of `folderId`, `organizationId`, `collectionIds`, `login`, `secureNote`, `card`, `identity`, `sshKey`, `revisionDate`, `reprompt`; never `credentials`, `category`, `uuid`, `title`, `template_type`), `folders`/`collections` (if present) arrays of objects with `id` and `name`, and either `encrypted:false` with `folders` or `collections`, or non-empty `items` with `folders` or `collections` |
//! | `1password-1pux` | zip with `export.data` and `export.attributes` (or only `files/…` beside it); or the `export.data` JSON: a non-empty `accounts` array of objects with an `attrs` object and a `vaults` array |
//! | `protonpass-json` | zip with `Proton Pass/…data.json`; or JSON with a `vaults` object of objects plus `version` (string), `userId` (string) or `encrypted` (boolean), and no `accounts`/`items` |
//! | `keepass-xml` | XML whose root element is `<KeePassFile>` |
//! | `kdbx` | magic bytes `03 D9 A2 9A` then `67 FB 4B B5` (or the pre-release `66 FB 4B B5`) |
//! | `chrome-csv` | required `name,url,username,password`; also `note` |
//! | `apple-csv` | required `title,url,username,password`; also `notes,otpauth` |
//! | `firefox-csv` | required `url,username,password,httprealm,formactionorigin,guid`; also `timecreated,timelastused,timepasswordchanged` |
//! | `lastpass-csv` | required `url,username,password,extra,name,grouping`; also `totp,fav` |
//! | `bitwarden-csv` | required `type,name,login_uri` and `folder` or `collections`; also `favorite,notes,fields,reprompt,login_username,login_password,login_totp` |
//! | `1password-csv` | 1Password 8: required `title,url,username,password,otpauth,favorite,archived`, also `tags,notes`; 1Password 4: exactly `title,notes,username,password,url` (Apple's columns too: ambiguous); 6/7 Windows: `uuid,title,scope,autosubmit`, every column written in upper case; 6/7 Mac: `title,type,created date,modified date`, every other column `label(fieldId)` or one of `notes,password,scope,tags,url,urls,username` |
//! | `dashlane-csv` | zip whose members are all `.csv` files, one of them `credentials.csv`, `securenotes.csv`, `payments.csv`, `personalInfo.csv` or `ids.csv`; or one of those CSVs: credentials (`username,username2,title,password,otpsecret`, also `username3,note,url,category`), payments (`type,account_name,cc_number,routing_number` + Dashlane's payment columns), personal info (`type,first_name,last_name,item_name,address_recipient` + Dashlane's columns), ids (`type,number,name,issue_date,expiration_date,place_of_issue`, also `state`), secure notes (exactly `title,note`) |
//! | `keepassxc-csv` | required `group,title,username,password,url,notes`; also `totp,icon,last modified,created` |
//! | `keepass-csv` | exactly the columns `account,login name,password,web site,comments` |
//! | `nordpass-csv` | required `name,url,username,password,note,cardholdername,cardnumber,cvc,expirydate,zipcode,folder,full_name`; also `additional_urls,pin,phone_number,email,address1,address2,city,country,state,type,custom_fields` |
//! | `roboform-csv` | required `name,url,matchurl,login,pwd`; also `note,folder,rffieldsv2,rf_fields` |
//! | `keeper-csv` | no header, and no other CSV signature matches; every record fully quoted, 7 cells (`folder,title,login,password,url,notes,shared_folder`) plus label/value pairs, a title in each; and a `TFC:Keeper` label or a first record with an empty cell |
//! | `protonpass-csv` | required `type,name,url,username,password,note,totp,createtime,modifytime`; also `email,vault` |
//! | `keeper-json` | `records` array of objects with `title` and one of `$type`, `uid`, `login`, `login_url`, `password`, `custom_fields`, `folders`, `notes` (an empty `records` needs `shared_folders`) |
//! | `1password-1pif` | a `***5642bee8-a5ff-11dc-8314-0800200c9a66***` record separator after a JSON record |
//! | `dashlane-json` | upper-case top-level members only, one of them Dashlane's `AUTHENTIFIANT`, `PAYMENTMEANS_CREDITCARD`, `BANKSTATEMENT`, `IDCARD`, `FISCALSTATEMENT`, `SOCIALSECURITYSTATEMENT`, `DRIVERLICENCE` holding an array |
//! | `enpass-csv` | header `Title`, then `Field`,`Value` pairs (or a run of dots), then `Note` |
//! | `enpass-json` | `items` array of objects with a string `category`, a `fields` array or `template_type`, and `uuid` or `title`; or `folders` of objects with `uuid` and `title` |
//!
//! # Exports recognised but not read ([`Detection::Unsupported`])
//!
//! | name | signature |
//! |---|---|
//! | KeePass 1 database (KDB) | magic bytes `03 D9 A2 9A 65 FB 4B B5` |
//! | Proton Pass encrypted (PGP) export | zip with `Proton Pass/…data.pgp` |
//! | KeePassX XML export | XML whose root element is `<database>` after a `KEEPASSX_DATABASE` doctype |
//! | macOS keychain dump | text starting `keychain: "` with a `class:` line (`security dump-keychain`) |
//!
//! When signatures of readable formats overlap the result is [`Detection::Ambiguous`]; a
//! readable format's signature wins over a recognised-but-unsupported one.
//!
//! An age file (`age-encryption.org/v1` line, or `-----BEGIN AGE ENCRYPTED FILE-----`) is
//! [`Detection::Age`]: its content is known only once it is opened with the passphrase.

use serde_json::{Map, Value};

use crate::formats::Format;
use crate::formats::util::archive;

/// What [`detect`] concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Detection {
    /// Exactly one format matches.
    Certain(Format),
    /// Several formats match equally well; pass one explicitly.
    Ambiguous(Vec<Format>),
    /// The input is a known kind of export (or vault file) that this crate cannot read yet,
    /// such as a KeePassX XML export or a KDBX database.
    Unsupported {
        /// What the input is, for people: a noun phrase such as `"KeePassX XML export"` or
        /// `"KeePass database (KDBX)"` (not a stable identifier; see the module's table).
        name: &'static str,
    },
    /// An age file (encrypted; what it holds is known once it is opened). [`read()`] and
    /// [`convert()`] open age files with a passphrase ([`ReadOptions::password`]) before
    /// reading their content, which `convert` then detects.
    ///
    /// [`read()`]: super::read
    /// [`convert()`]: super::convert
    /// [`ReadOptions::password`]: super::ReadOptions::password
    Age,
    /// No known format matches.
    Unknown,
}

/// Guesses the format of an export from its content (the file name is not consulted).
///
/// A format is chosen only on its own markers (see the table in this module's source). Only the
/// first 64 KiB of text formats are examined, and a JSON file is parsed once (use it on inputs
/// already checked against the size limit).
pub fn detect(bytes: &[u8]) -> Detection {
    if super::age_file::is_age(bytes) {
        return Detection::Age;
    }
    if let Some(name) = magic(bytes) {
        if name == KDBX {
            return Detection::Certain(Format::Kdbx);
        }
        return Detection::Unsupported { name };
    }
    let mut found = Found::default();
    if archive::is_zip(bytes) {
        detect_zip(bytes, &mut found);
        return found.conclude();
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..];
    match head.first() {
        Some(b'{') => detect_json(head, &mut found),
        Some(b'<') => detect_xml(head, &mut found),
        Some(_) => detect_text(head, &mut found),
        None => {}
    }
    found.conclude()
}

/// The detected format, or [`Format::Cxf`] when detection is not certain (a convenience for
/// callers that then report the read error).
pub fn detect_format(bytes: &[u8]) -> Format {
    match detect(bytes) {
        Detection::Certain(f) => f,
        _ => Format::Cxf,
    }
}

const KDBX: &str = "KeePass database (KDBX)";
const KDB: &str = "KeePass 1 database (KDB)";
const PROTON_PGP: &str = "Proton Pass encrypted (PGP) export";
const KEEPASSX_XML: &str = "KeePassX XML export";
const KEYCHAIN: &str = "macOS keychain dump";

/// How much of a text input the CSV and keychain checks look at.
const TEXT_WINDOW: usize = 64 * 1024;
/// How many CSV records the header-less checks (Keeper) look at.
const SAMPLE_RECORDS: usize = 50;

/// Signatures seen so far: readable formats, then recognised but unreadable exports.
#[derive(Default)]
struct Found {
    readable: Vec<Format>,
    unsupported: Vec<&'static str>,
}

impl Found {
    fn format(&mut self, f: Format) {
        if !self.readable.contains(&f) {
            self.readable.push(f);
        }
    }

    fn unsupported(&mut self, name: &'static str) {
        self.unsupported.push(name);
    }

    fn conclude(self) -> Detection {
        match self.readable.as_slice() {
            [one] => Detection::Certain(*one),
            [] => match self.unsupported.first() {
                Some(name) => Detection::Unsupported { name },
                None => Detection::Unknown,
            },
            _ => Detection::Ambiguous(self.readable),
        }
    }
}

/// Binary signatures at offset 0.
fn magic(bytes: &[u8]) -> Option<&'static str> {
    const KEEPASS: [u8; 4] = [0x03, 0xD9, 0xA2, 0x9A];
    if let Some(rest) = bytes.strip_prefix(&KEEPASS) {
        return match rest.get(..4) {
            Some([0x67 | 0x66, 0xFB, 0x4B, 0xB5]) => Some(KDBX),
            Some([0x65, 0xFB, 0x4B, 0xB5]) => Some(KDB),
            _ => None,
        };
    }
    None
}

fn detect_zip(bytes: &[u8], found: &mut Found) {
    let Some(names) = archive::names(bytes) else {
        return;
    };
    let has = |n: &str| names.iter().any(|m| m == n);
    if has("export.data")
        && (has("export.attributes")
            || names
                .iter()
                .all(|n| n == "export.data" || n.starts_with("files/")))
    {
        found.format(Format::OnePassword1pux);
    }
    let proton = |suffix: &str| {
        names
            .iter()
            .any(|n| n.starts_with("Proton Pass") && n.ends_with(suffix))
    };
    if proton("data.json") {
        found.format(Format::ProtonpassJson);
    } else if proton("data.pgp") {
        found.unsupported(PROTON_PGP);
    }
    let dashlane = [
        "credentials.csv",
        "securenotes.csv",
        "payments.csv",
        "personalinfo.csv",
        "ids.csv",
    ];
    let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    if !lower.is_empty()
        && lower.iter().all(|n| n.ends_with(".csv"))
        && lower.iter().any(|n| dashlane.contains(&base_name(n)))
    {
        found.format(Format::DashlaneCsv);
    }
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

// ---------------------------------------------------------------------------------------------
// JSON

type Obj = Map<String, Value>;

fn detect_json(bytes: &[u8], found: &mut Found) {
    let top = match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(top)) => top,
        Ok(_) => return,
        Err(_) => {
            if contains(bytes, b"\n***5642bee8-a5ff-11dc-8314-0800200c9a66***") {
                found.format(Format::OnePassword1pif);
            }
            return;
        }
    };
    if is_cxf_header(&top) || is_cxf_account(&top) {
        found.format(Format::Cxf);
    }
    if is_bitwarden(&top) {
        found.format(Format::BitwardenJson);
    }
    if is_1pux_data(&top) {
        found.format(Format::OnePassword1pux);
    }
    if is_protonpass(&top) {
        found.format(Format::ProtonpassJson);
    }
    if is_enpass(&top) {
        found.format(Format::EnpassJson);
    }
    if is_keeper(&top) {
        found.format(Format::KeeperJson);
    }
    if is_dashlane_json(&top) {
        found.format(Format::DashlaneJson);
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn is_str(o: &Obj, k: &str) -> bool {
    o.get(k).is_some_and(Value::is_string)
}

fn array<'a>(o: &'a Obj, k: &str) -> Option<&'a Vec<Value>> {
    o.get(k).and_then(Value::as_array)
}

/// Every element is an object that `f` accepts.
fn all_objects(values: &[Value], f: impl Fn(&Obj) -> bool) -> bool {
    values.iter().all(|v| v.as_object().is_some_and(&f))
}

fn has_any(o: &Obj, keys: &[&str]) -> bool {
    keys.iter().any(|k| o.contains_key(*k))
}

fn is_cxf_header(top: &Obj) -> bool {
    let Some(accounts) = array(top, "accounts") else {
        return false;
    };
    let accounts_ok = all_objects(accounts, |a| !has_any(a, &["attrs", "vaults"]));
    let version_object = top
        .get("version")
        .and_then(Value::as_object)
        .is_some_and(|v| v.get("major").is_some_and(Value::is_u64));
    accounts_ok && (is_str(top, "exporterRpId") || version_object || is_str(top, "exporter"))
}

fn is_cxf_account(top: &Obj) -> bool {
    let Some(items) = array(top, "items") else {
        return false;
    };
    if has_any(top, &["encrypted", "folders"]) {
        return false;
    }
    let user = is_str(top, "username") || is_str(top, "userName");
    let collections = array(top, "collections").is_some();
    if items.is_empty() {
        return user && is_str(top, "email") && collections;
    }
    (user || is_str(top, "email") || collections)
        && all_objects(items, |i| i.get("credentials").is_some_and(Value::is_array))
}

fn is_bitwarden(top: &Obj) -> bool {
    let encrypted = match top.get("encrypted") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return false,
    };
    let named_list = |k: &str| match top.get(k) {
        None => Some(false),
        Some(Value::Array(list)) => Some(all_objects(list, |o| {
            o.contains_key("id") && is_str(o, "name")
        })),
        Some(_) => None,
    };
    let (Some(folders), Some(collections)) = (named_list("folders"), named_list("collections"))
    else {
        return false;
    };
    let items = array(top, "items");
    let items_ok = items.is_some_and(|items| all_objects(items, bitwarden_item));
    let validation = is_str(top, "encKeyValidation_DO_NOT_EDIT");
    match encrypted {
        Some(true) => {
            let password_protected = top.get("passwordProtected") == Some(&Value::Bool(true));
            if password_protected {
                validation && is_str(top, "data") && has_any(top, &["salt", "kdfType"])
            } else {
                validation && (is_str(top, "data") || items_ok)
            }
        }
        Some(false) => items_ok && (folders || collections),
        None => items_ok && items.is_some_and(|i| !i.is_empty()) && (folders || collections),
    }
}

/// An item of a Bitwarden JSON export.
fn bitwarden_item(o: &Obj) -> bool {
    if !is_str(o, "name")
        || has_any(
            o,
            &["credentials", "category", "template_type", "uuid", "title"],
        )
    {
        return false;
    }
    match o.get("type") {
        Some(t) => t.as_u64().is_some_and(|t| (1..=5).contains(&t)),
        None => has_any(
            o,
            &[
                "folderId",
                "organizationId",
                "collectionIds",
                "login",
                "secureNote",
                "card",
                "identity",
                "sshKey",
                "revisionDate",
                "reprompt",
            ],
        ),
    }
}

fn is_1pux_data(top: &Obj) -> bool {
    array(top, "accounts").is_some_and(|accounts| {
        !accounts.is_empty()
            && all_objects(accounts, |a| {
                a.get("attrs").is_some_and(Value::is_object)
                    && a.get("vaults").is_some_and(Value::is_array)
            })
    })
}

fn is_protonpass(top: &Obj) -> bool {
    let Some(vaults) = top.get("vaults").and_then(Value::as_object) else {
        return false;
    };
    vaults.values().all(Value::is_object)
        && (is_str(top, "version")
            || is_str(top, "userId")
            || top.get("encrypted").is_some_and(Value::is_boolean))
        && !has_any(top, &["accounts", "items"])
}

fn is_enpass(top: &Obj) -> bool {
    let item = |i: &Obj| {
        is_str(i, "category")
            && (i.get("fields").is_some_and(Value::is_array) || i.contains_key("template_type"))
            && has_any(i, &["uuid", "title"])
    };
    let folder = |f: &Obj| f.contains_key("uuid") && f.contains_key("title");
    match (array(top, "items"), array(top, "folders")) {
        (Some(items), _) if !items.is_empty() => all_objects(items, item),
        (Some(_) | None, Some(folders)) => !folders.is_empty() && all_objects(folders, folder),
        _ => false,
    }
}

fn is_keeper(top: &Obj) -> bool {
    let Some(records) = array(top, "records") else {
        return false;
    };
    let shared = top.get("shared_folders");
    if shared.is_some_and(|s| !s.is_array()) {
        return false;
    }
    if records.is_empty() {
        return shared.is_some();
    }
    all_objects(records, |r| {
        r.contains_key("title")
            && has_any(
                r,
                &[
                    "$type",
                    "uid",
                    "login",
                    "login_url",
                    "password",
                    "custom_fields",
                    "folders",
                    "notes",
                ],
            )
    })
}

fn is_dashlane_json(top: &Obj) -> bool {
    const KEYS: [&str; 7] = [
        "AUTHENTIFIANT",
        "PAYMENTMEANS_CREDITCARD",
        "BANKSTATEMENT",
        "IDCARD",
        "FISCALSTATEMENT",
        "SOCIALSECURITYSTATEMENT",
        "DRIVERLICENCE",
    ];
    top.keys()
        .all(|k| !k.bytes().any(|b| b.is_ascii_lowercase()))
        && KEYS
            .iter()
            .any(|k| top.get(*k).is_some_and(Value::is_array))
}

// ---------------------------------------------------------------------------------------------
// XML

fn detect_xml(head: &[u8], found: &mut Found) {
    let window = &head[..head.len().min(TEXT_WINDOW)];
    let text = String::from_utf8_lossy(window);
    match xml_root(&text) {
        Some(("KeePassFile", _)) => found.format(Format::KeepassXml),
        Some(("database", prolog)) if prolog.contains("KEEPASSX_DATABASE") => {
            found.unsupported(KEEPASSX_XML);
        }
        _ => {}
    }
}

/// The root element's name and the prolog before it (declaration, comments, doctype).
fn xml_root(text: &str) -> Option<(&str, &str)> {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        let skip = if rest.starts_with("<?") {
            rest.find("?>").map(|i| i + 2)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|i| i + 3)
        } else if rest.starts_with("<!") {
            rest.find('>').map(|i| i + 1)
        } else {
            break;
        };
        rest = &rest[skip?..];
    }
    let prolog = &text[..text.len() - rest.len()];
    let name = rest.strip_prefix('<')?;
    let end = name
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(name.len());
    Some((&name[..end], prolog))
}

// ---------------------------------------------------------------------------------------------
// Text: CSV and friends

fn detect_text(head: &[u8], found: &mut Found) {
    let truncated = head.len() > TEXT_WINDOW;
    let window = &head[..head.len().min(TEXT_WINDOW)];
    if window.contains(&0) {
        return;
    }
    let text = String::from_utf8_lossy(window);
    if text.starts_with("keychain: \"") && text.contains("\nclass: ") {
        found.unsupported(KEYCHAIN);
        return;
    }
    detect_csv(&text, truncated, found);
}

/// A CSV header: names trimmed and lower-cased, as written (trimmed).
struct Header {
    cols: Vec<String>,
    raw: Vec<String>,
}

impl Header {
    fn has(&self, name: &str) -> bool {
        self.cols.iter().any(|c| c == name)
    }

    fn exactly(&self, names: &[&str]) -> bool {
        self.cols == names
    }

    /// All of `required` are columns, and every non-empty column is in `required` or `also`.
    fn sig(&self, required: &[&str], also: &[&str]) -> bool {
        required.iter().all(|n| self.has(n))
            && self.cols.iter().all(|c| {
                c.is_empty() || required.contains(&c.as_str()) || also.contains(&c.as_str())
            })
    }
}

fn detect_csv(text: &str, truncated: bool, found: &mut Found) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records: Vec<csv::StringRecord> = reader
        .records()
        .take(SAMPLE_RECORDS + 1)
        .map_while(Result::ok)
        .collect();
    if truncated && records.len() > 1 {
        // The last record may be cut by the window.
        records.pop();
    }
    let Some(first) = records.first() else {
        return;
    };
    let raw: Vec<String> = first.iter().map(|h| h.trim().to_owned()).collect();
    if raw.iter().any(|h| h.contains('\u{FFFD}')) {
        return;
    }
    let header = Header {
        cols: raw.iter().map(|h| h.to_lowercase()).collect(),
        raw,
    };
    csv_readable(&header, found);
    csv_unsupported(&header, found);
    if found.readable.is_empty() && found.unsupported.is_empty() && is_keeper_csv(text, &records) {
        found.format(Format::KeeperCsv);
    }
}

fn csv_readable(h: &Header, found: &mut Found) {
    if h.sig(&["name", "url", "username", "password"], &["note"]) {
        found.format(Format::ChromeCsv);
    }
    if h.sig(
        &["title", "url", "username", "password"],
        &["notes", "otpauth"],
    ) {
        found.format(Format::AppleCsv);
    }
    if h.sig(
        &[
            "url",
            "username",
            "password",
            "httprealm",
            "formactionorigin",
            "guid",
        ],
        &["timecreated", "timelastused", "timepasswordchanged"],
    ) {
        found.format(Format::FirefoxCsv);
    }
    if h.sig(
        &["url", "username", "password", "extra", "name", "grouping"],
        &["totp", "fav"],
    ) {
        found.format(Format::LastpassCsv);
    }
    if (h.has("folder") || h.has("collections"))
        && h.sig(
            &["type", "name", "login_uri"],
            &[
                "folder",
                "collections",
                "favorite",
                "notes",
                "fields",
                "reprompt",
                "login_username",
                "login_password",
                "login_totp",
            ],
        )
    {
        found.format(Format::BitwardenCsv);
    }
    if is_1password_csv(h) {
        found.format(Format::OnePasswordCsv);
    }
    if is_dashlane_csv(h) {
        found.format(Format::DashlaneCsv);
    }
    if h.sig(
        &["group", "title", "username", "password", "url", "notes"],
        &["totp", "icon", "last modified", "created"],
    ) {
        found.format(Format::KeepassxcCsv);
    }
    if h.sig(
        &["account", "login name", "password", "web site", "comments"],
        &[],
    ) {
        found.format(Format::KeepassCsv);
    }
    if h.sig(
        &[
            "type",
            "name",
            "url",
            "username",
            "password",
            "note",
            "totp",
            "createtime",
            "modifytime",
        ],
        &["email", "vault"],
    ) {
        found.format(Format::ProtonpassCsv);
    }
    if h.sig(
        &[
            "name",
            "url",
            "username",
            "password",
            "note",
            "cardholdername",
            "cardnumber",
            "cvc",
            "expirydate",
            "zipcode",
            "folder",
            "full_name",
        ],
        &[
            "additional_urls",
            "pin",
            "phone_number",
            "email",
            "address1",
            "address2",
            "city",
            "country",
            "state",
            "type",
            "custom_fields",
        ],
    ) {
        found.format(Format::NordpassCsv);
    }
    if h.sig(
        &["name", "url", "matchurl", "login", "pwd"],
        &["note", "folder", "rffieldsv2", "rf_fields"],
    ) {
        found.format(Format::RoboformCsv);
    }
}

fn is_1password_csv(h: &Header) -> bool {
    let v8 = h.sig(
        &[
            "title", "url", "username", "password", "otpauth", "favorite", "archived",
        ],
        &["tags", "notes"],
    );
    let v4 = h.exactly(&["title", "notes", "username", "password", "url"]);
    // The import layout our `1password-csv` writer produces (1Password's CSV import guide).
    let import = h.exactly(&[
        "title",
        "website",
        "username",
        "password",
        "one-time password",
        "notes",
    ]);
    let windows = ["uuid", "title", "scope", "autosubmit"]
        .iter()
        .all(|n| h.has(n))
        && h.raw
            .iter()
            .all(|r| !r.bytes().any(|b| b.is_ascii_lowercase()));
    let mac_plain = [
        "title",
        "type",
        "created date",
        "modified date",
        "notes",
        "password",
        "scope",
        "tags",
        "url",
        "urls",
        "username",
    ];
    let mac = ["title", "type", "created date", "modified date"]
        .iter()
        .all(|n| h.has(n))
        && h.cols.iter().all(|c| {
            c.is_empty()
                || mac_plain.contains(&c.as_str())
                || (c.ends_with(')') && c.find('(').is_some_and(|i| i > 0))
        });
    v8 || v4 || import || windows || mac
}

fn is_dashlane_csv(h: &Header) -> bool {
    let credentials = h.sig(
        &["username", "username2", "title", "password", "otpsecret"],
        &["username3", "note", "url", "category"],
    );
    let payments = h.sig(
        &["type", "account_name", "cc_number", "routing_number"],
        &[
            "account_holder",
            "code",
            "expiration_month",
            "expiration_year",
            "account_number",
            "country",
            "issuing_bank",
            "note",
            "name",
        ],
    );
    let personal = h.sig(
        &[
            "type",
            "first_name",
            "last_name",
            "item_name",
            "address_recipient",
        ],
        &[
            "title",
            "middle_name",
            "login",
            "date_of_birth",
            "place_of_birth",
            "email",
            "email_type",
            "phone_number",
            "address",
            "country",
            "state",
            "city",
            "zip",
            "address_building",
            "address_apartment",
            "address_floor",
            "address_door_code",
            "job_title",
            "url",
        ],
    );
    let ids = h.sig(
        &[
            "type",
            "number",
            "name",
            "issue_date",
            "expiration_date",
            "place_of_issue",
        ],
        &["state"],
    );
    let notes = h.exactly(&["title", "note"]);
    credentials || payments || personal || ids || notes
}

fn csv_unsupported(h: &Header, found: &mut Found) {
    if is_enpass_csv(h) {
        found.format(Format::EnpassCsv);
    }
}

/// `"Title","Field","Value",…,"Note"`.
fn is_enpass_csv(h: &Header) -> bool {
    let [first, middle @ .., last] = h.cols.as_slice() else {
        return false;
    };
    let dots = |c: &str| !c.is_empty() && c.bytes().all(|b| b == b'.');
    first == "title"
        && last == "note"
        && middle.iter().any(|c| c == "field")
        && middle.iter().any(|c| c == "value")
        && middle
            .iter()
            .all(|c| c == "field" || c == "value" || dots(c))
}

/// Keeper's header-less CSV: `folder,title,login,password,url,notes,shared_folder` then
/// label/value pairs of custom fields, every cell quoted.
fn is_keeper_csv(text: &str, records: &[csv::StringRecord]) -> bool {
    if !text.starts_with('"') || records.is_empty() {
        return false;
    }
    let shape = records.iter().all(|r| {
        r.len() >= 7 && (r.len() - 7) % 2 == 0 && r.get(1).is_some_and(|t| !t.trim().is_empty())
    });
    let totp_label = records
        .iter()
        .any(|r| r.iter().skip(7).step_by(2).any(|c| c == "TFC:Keeper"));
    let first_has_empty = records[0].iter().take(7).any(|c| c.trim().is_empty());
    shape && (totp_label || first_has_empty)
}
