//! Format detection from the bytes alone: zip member names, JSON top-level members, the XML root,
//! or the CSV header row.

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
    /// No known format matches.
    Unknown,
}

/// Guesses the format of an export from its content (the file name is not consulted).
///
/// Only the first kilobytes of text formats are examined, and a JSON file is parsed once (use
/// it on inputs already checked against the size limit).
pub fn detect(bytes: &[u8]) -> Detection {
    if archive::is_zip(bytes) {
        return detect_zip(bytes);
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..];
    match head.first() {
        Some(b'{') => detect_json(head),
        Some(b'<') => {
            let prefix = String::from_utf8_lossy(&head[..head.len().min(4096)]).to_string();
            if prefix.contains("<KeePassFile") {
                Detection::Certain(Format::KeepassXml)
            } else {
                Detection::Unknown
            }
        }
        Some(_) => detect_csv(head),
        None => Detection::Unknown,
    }
}

/// The detected format, or [`Format::Cxf`] when detection is not certain (a convenience for
/// callers that then report the read error).
pub fn detect_format(bytes: &[u8]) -> Format {
    match detect(bytes) {
        Detection::Certain(f) => f,
        _ => Format::Cxf,
    }
}

fn detect_zip(bytes: &[u8]) -> Detection {
    let Some(names) = archive::names(bytes) else {
        return Detection::Unknown;
    };
    let has = |n: &str| names.iter().any(|m| m == n);
    if has("export.data")
        && (has("export.attributes")
            || names
                .iter()
                .all(|n| n == "export.data" || n.starts_with("files/")))
    {
        return Detection::Certain(Format::OnePassword1pux);
    }
    if names
        .iter()
        .any(|n| n.ends_with("data.json") && n.starts_with("Proton Pass"))
    {
        return Detection::Certain(Format::ProtonpassJson);
    }
    let dashlane = [
        "credentials.csv",
        "securenotes.csv",
        "payments.csv",
        "personalInfo.csv",
        "ids.csv",
    ];
    if names.iter().any(|n| dashlane.contains(&base_name(n))) {
        return Detection::Certain(Format::DashlaneCsv);
    }
    Detection::Unknown
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn detect_json(bytes: &[u8]) -> Detection {
    let Ok(serde_json::Value::Object(top)) = serde_json::from_slice::<serde_json::Value>(bytes)
    else {
        return Detection::Unknown;
    };
    let has = |k: &str| top.contains_key(k);
    if has("exporterRpId")
        || has("exporter")
        || (has("version") && has("accounts") && has("timestamp"))
    {
        return Detection::Certain(Format::Cxf);
    }
    if has("encrypted")
        && (has("items") || has("passwordProtected") || has("data") || has("folders"))
    {
        if has("vaults") {
            return Detection::Certain(Format::ProtonpassJson);
        }
        return Detection::Certain(Format::BitwardenJson);
    }
    if has("vaults") {
        return Detection::Certain(Format::ProtonpassJson);
    }
    if let Some(serde_json::Value::Array(accounts)) = top.get("accounts") {
        if accounts.iter().any(|a| a.get("vaults").is_some()) {
            return Detection::Certain(Format::OnePassword1pux);
        }
    }
    if has("items") && (has("collections") || has("username") || has("email")) {
        return Detection::Certain(Format::Cxf);
    }
    if has("items") && has("folders") {
        return Detection::Certain(Format::BitwardenJson);
    }
    Detection::Unknown
}

fn detect_csv(bytes: &[u8]) -> Detection {
    let head = &bytes[..bytes.len().min(8192)];
    let text = String::from_utf8_lossy(head);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let Some(Ok(record)) = reader.records().next() else {
        return Detection::Unknown;
    };
    let headers: Vec<String> = record
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let has = |n: &str| headers.iter().any(|h| h == n);
    let only = |allowed: &[&str]| {
        headers
            .iter()
            .all(|h| h.is_empty() || allowed.contains(&h.as_str()))
    };
    let mut found = Vec::new();
    if has("name")
        && has("url")
        && has("username")
        && has("password")
        && only(&["name", "url", "username", "password", "note"])
    {
        found.push(Format::ChromeCsv);
    }
    if has("title")
        && has("url")
        && has("username")
        && has("password")
        && only(&["title", "url", "username", "password", "notes", "otpauth"])
    {
        found.push(Format::AppleCsv);
    }
    if has("url") && has("username") && has("password") && has("httprealm") && has("guid") {
        found.push(Format::FirefoxCsv);
    }
    if has("url")
        && has("username")
        && has("password")
        && has("extra")
        && has("name")
        && has("grouping")
    {
        found.push(Format::LastpassCsv);
    }
    if (has("folder") || has("collections")) && has("type") && has("name") && has("login_uri") {
        found.push(Format::BitwardenCsv);
    }
    let one_password = has("title")
        && ((has("otpauth") && has("favorite") && has("archived") && has("username"))
            || (has("uuid") && has("scope"))
            || (has("created date") && headers.iter().any(|h| h.ends_with(')')))
            || headers == ["title", "notes", "username", "password", "url"]);
    if one_password {
        found.push(Format::OnePasswordCsv);
    }
    let dashlane: &[&[&str]] = &[
        &["username", "username2", "title", "password", "otpsecret"],
        &["type", "account_name", "cc_number", "routing_number"],
        &[
            "type",
            "first_name",
            "last_name",
            "item_name",
            "address_recipient",
        ],
        &[
            "type",
            "number",
            "name",
            "issue_date",
            "expiration_date",
            "place_of_issue",
        ],
    ];
    if dashlane.iter().any(|names| names.iter().all(|n| has(n))) || headers == ["title", "note"] {
        found.push(Format::DashlaneCsv);
    }
    match found.len() {
        0 => Detection::Unknown,
        1 => Detection::Certain(found[0]),
        _ => Detection::Ambiguous(found),
    }
}
