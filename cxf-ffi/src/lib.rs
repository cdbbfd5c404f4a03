//! CXF and CXP for other languages: one small, stable surface, bytes in and bytes out.
//!
//! * Swift, Kotlin and Python through [UniFFI](https://mozilla.github.io/uniffi-rs/): the
//!   functions and records below carry `#[uniffi::export]` / `uniffi::Record`; generate the
//!   bindings with this crate's `uniffi-bindgen` binary (feature `bindgen`) in library mode.
//! * C and C++ through a plain C ABI ([`c_api`], header `include/cxf.h`).
//!
//! No function takes a file path: callers pass the file's bytes and write what they get back.
//! Inputs that hold secrets (exports, passwords, importer keys) are wiped when the call ends;
//! outputs that hold secrets (a converted export, an opened CXF document, an importer key) are
//! the caller's to wipe. Errors are one enum, [`CxfError`], with a stable `code` and a message
//! that never contains a value from the input.

pub mod c_api;

use std::collections::HashMap;

use cxf::formats::{self, Detection, Format, LossEntry, LossKind, ReadError, ReadOptions};
use cxp::messages::{ExportRequest, ExportResponse, Message};
use cxp::roles::{Exporter, Importer, ImporterConfig, PendingImport};
use zeroize::{Zeroize as _, Zeroizing};

uniffi::setup_scaffolding!();

/// Why a call failed. Each variant has a stable `code` (e.g. `parse.syntax`,
/// `read.password-required`, `convert.ambiguous`, `cxp.expired`) and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Error)]
pub enum CxfError {
    /// The input is not what the call needs (not CXF, an unreadable export, a malformed CXP
    /// message or key).
    Invalid {
        /// Stable code.
        code: String,
        /// For people; no input values.
        message: String,
    },
    /// The input is encrypted and no password was given.
    PasswordRequired {
        /// Stable code.
        code: String,
        /// For people.
        message: String,
    },
    /// Wrong password or key, or damaged encrypted data (deliberately not told apart).
    DecryptionFailed {
        /// Stable code.
        code: String,
        /// For people.
        message: String,
    },
    /// The operation is not possible: a format that cannot be written or encrypted, an
    /// undetectable input, a CXP request the exporter refuses.
    Unsupported {
        /// Stable code.
        code: String,
        /// For people.
        message: String,
    },
}

impl CxfError {
    fn invalid(code: impl Into<String>, message: impl ToString) -> Self {
        CxfError::Invalid {
            code: code.into(),
            message: message.to_string(),
        }
    }

    fn unsupported(code: impl Into<String>, message: impl ToString) -> Self {
        CxfError::Unsupported {
            code: code.into(),
            message: message.to_string(),
        }
    }

    /// The stable code.
    pub fn code(&self) -> &str {
        match self {
            CxfError::Invalid { code, .. }
            | CxfError::PasswordRequired { code, .. }
            | CxfError::DecryptionFailed { code, .. }
            | CxfError::Unsupported { code, .. } => code,
        }
    }
}

impl std::fmt::Display for CxfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CxfError::Invalid { code, message }
            | CxfError::PasswordRequired { code, message }
            | CxfError::DecryptionFailed { code, message }
            | CxfError::Unsupported { code, message } => write!(f, "{code}: {message}"),
        }
    }
}

impl std::error::Error for CxfError {}

impl From<ReadError> for CxfError {
    fn from(e: ReadError) -> Self {
        let code = format!("read.{}", e.kind());
        match e {
            ReadError::PasswordRequired => CxfError::PasswordRequired {
                code,
                message: "the input is encrypted; pass its password".to_owned(),
            },
            ReadError::DecryptionFailed => CxfError::DecryptionFailed {
                code,
                message: e.to_string(),
            },
            ReadError::Unsupported { .. } | ReadError::AccountRestricted => {
                CxfError::unsupported(code, e)
            }
            other => CxfError::invalid(code, other),
        }
    }
}

fn parse_error(e: &cxf::ParseError) -> CxfError {
    CxfError::invalid(format!("parse.{}", e.kind().code()), e)
}

/// A password from a caller's string: the caller's copy is wiped here.
fn secret(password: Option<String>) -> Option<cxf::Secret> {
    password.map(|mut p| {
        let s = cxf::Secret::new(p.as_str());
        p.zeroize();
        s
    })
}

// ------------------------------------------------------------------------------------- records

/// What [`inspect`] found: counts only, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Summary {
    /// The format the input was read as (`cxf`, `bitwarden-json`, ...).
    pub format: String,
    /// The exporter's RP ID (empty for another manager's export).
    pub exporter_rp_id: String,
    /// Number of accounts.
    pub accounts: u64,
    /// Number of items.
    pub items: u64,
    /// Number of credentials.
    pub credentials: u64,
    /// Credentials by CXF type.
    pub credentials_by_type: HashMap<String, u64>,
    /// Passkeys by relying-party ID.
    pub passkeys_by_rp_id: HashMap<String, u64>,
    /// How many values reading another manager's export could not carry into CXF.
    pub not_carried: u64,
}

/// One finding of [`validate`]: a rule, where it applies (RFC 6901 JSON Pointer into the
/// input) and what to do.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Diagnostic {
    /// Rule id (`field.year-month`), or `parse.KIND` when the document did not parse.
    pub rule: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// JSON Pointer into the input.
    pub pointer: String,
    /// For people.
    pub message: String,
    /// How to fix it, when there is a hint.
    pub hint: Option<String>,
}

/// One value a conversion did not carry as it was (see the `cxf::formats` loss report).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Loss {
    /// `lost` or `changed`.
    pub kind: String,
    /// JSON Pointer into the CXF form of the input.
    pub pointer: String,
    /// Position of the item in the source, when known.
    pub item_index: Option<u64>,
    /// Title of the item, when it has one.
    pub item_title: Option<String>,
    /// What it is (a member path or a column name).
    pub what: String,
    /// `no-equivalent`, `unsupported`, `invalid-value`, `skipped`, `target-refuses`,
    /// `not-read-back`.
    pub reason: String,
    /// For people.
    pub detail: String,
}

impl From<&LossEntry> for Loss {
    fn from(e: &LossEntry) -> Self {
        Loss {
            kind: e.kind.code().to_owned(),
            pointer: e.pointer.clone(),
            item_index: e.item_index.map(|i| i as u64),
            item_title: e.item_title.clone(),
            what: e.what.clone(),
            reason: e.reason.code().to_owned(),
            detail: e.detail.clone(),
        }
    }
}

/// The result of [`convert`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Converted {
    /// The format the input was read as (`bitwarden-json`, ...).
    pub source_format: String,
    /// The output file's bytes (holds secrets: wipe it after use).
    pub output: Vec<u8>,
    /// Values not in the output.
    pub lost: Vec<Loss>,
    /// Values in the output in another shape.
    pub changed: Vec<Loss>,
    /// What the CXF parser normalised in a CXF input (codes and messages).
    pub notes: Vec<String>,
}

/// A format [`convert`] knows.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FormatInfo {
    /// Name for `from`/`to` (`bitwarden-json`).
    pub name: String,
    /// Name for people.
    pub display_name: String,
    /// File name extensions, the usual one first.
    pub extensions: Vec<String>,
    /// Whether it can be read.
    pub can_read: bool,
    /// Whether it can be written.
    pub can_write: bool,
    /// Whether the output can be protected with a password.
    pub can_encrypt: bool,
    /// Kinds read out of it (`logins`, `passkeys`, ...).
    pub reads: Vec<String>,
    /// Kinds written into it.
    pub writes: Vec<String>,
}

/// The importer's half of a file-based CXP exchange: the request to hand to the exporter,
/// and the private key that opens the answer (a secret: keep it, then wipe it).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RequestPair {
    /// The export request (JSON).
    pub request: Vec<u8>,
    /// The importer's key file (secret).
    pub key: Vec<u8>,
}

// ------------------------------------------------------------------------------------ functions

/// Every format, in the order `cxf formats` lists them.
#[uniffi::export]
pub fn formats() -> Vec<FormatInfo> {
    let names = |kinds: &[formats::Kind]| kinds.iter().map(|k| k.name().to_owned()).collect();
    Format::ALL
        .iter()
        .map(|&f| FormatInfo {
            name: f.name().to_owned(),
            display_name: f.display_name().to_owned(),
            extensions: f.extensions().iter().map(|e| (*e).to_owned()).collect(),
            can_read: f.can_read(),
            can_write: f.can_write(),
            can_encrypt: f.can_encrypt(),
            reads: names(f.reads()),
            writes: names(f.writes()),
        })
        .collect()
}

fn format_named(name: &str) -> Result<Format, CxfError> {
    name.parse::<Format>()
        .map_err(|e| CxfError::invalid("format.unknown", e))
}

/// Reads `input` as `from` (or the detected format) with the library's one reading path
/// (`formats::read_input`: age files opened, CXF parse notes kept).
fn read_any(
    input: &[u8],
    from: Option<Format>,
    password: Option<cxf::Secret>,
) -> Result<
    (
        Format,
        cxf::Document,
        Vec<cxf::ParseNote>,
        formats::LossReport,
    ),
    CxfError,
> {
    let mut options = ReadOptions::default();
    options.password = password;
    let read = formats::read_input(input, from, &options).map_err(|e| read_error(input, e))?;
    Ok((read.format, read.document, read.notes, read.loss))
}

/// The error of a failed read of `input`.
fn read_error(input: &[u8], e: formats::ConvertError) -> CxfError {
    match e {
        formats::ConvertError::Read(ReadError::Cxf(e)) => parse_error(&e),
        formats::ConvertError::Read(ReadError::PasswordRequired) if formats::is_age(input) => {
            CxfError::PasswordRequired {
                code: "read.password-required".to_owned(),
                message: "the input is an age file; pass its passphrase".to_owned(),
            }
        }
        formats::ConvertError::Read(e) => e.into(),
        formats::ConvertError::Detection(Detection::Ambiguous(c)) => {
            let names: Vec<&str> = c.iter().map(|f| f.name()).collect();
            CxfError::unsupported(
                "convert.ambiguous",
                format!(
                    "the input could be any of {}; name its format",
                    names.join(", ")
                ),
            )
        }
        other => CxfError::unsupported("convert.unknown-format", other),
    }
}

/// Summarises a CXF document or another manager's export (detected), never showing a secret.
/// `password` opens an encrypted export (Bitwarden, KeePass database, age file).
#[uniffi::export]
pub fn inspect(input: Vec<u8>, password: Option<String>) -> Result<Summary, CxfError> {
    let input = Zeroizing::new(input);
    let (format, doc, _, loss) = read_any(&input, None, secret(password))?;
    let s = cxf::Summary::of(&doc);
    let counts = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter().map(|(k, v)| (k.clone(), *v as u64)).collect()
    };
    Ok(Summary {
        format: format.name().to_owned(),
        exporter_rp_id: doc.exporter_rp_id.to_string(),
        accounts: s.accounts.len() as u64,
        items: s.items as u64,
        credentials: s.credentials as u64,
        credentials_by_type: counts(&s.credentials_by_type),
        passkeys_by_rp_id: counts(&s.passkeys_by_rp_id),
        not_carried: loss.len() as u64,
    })
}

/// Checks a CXF document against the CXF 1.0 rules. A document that does not parse gives one
/// `parse.KIND` diagnostic pointing where parsing stopped. Empty means valid.
#[uniffi::export]
pub fn validate(input: Vec<u8>) -> Vec<Diagnostic> {
    let input = Zeroizing::new(input);
    match cxf::Document::parse(&input, &cxf::Limits::default()) {
        Err(e) => vec![Diagnostic {
            rule: format!("parse.{}", e.kind().code()),
            severity: "error".to_owned(),
            pointer: e.pointer().to_owned(),
            message: e.to_string(),
            hint: Some(e.kind().hint().to_owned()),
        }],
        Ok(parsed) => cxf::validate::validate_parsed(&parsed)
            .diagnostics
            .into_iter()
            .map(|d| Diagnostic {
                rule: d.rule.to_owned(),
                severity: d.severity.as_str().to_owned(),
                pointer: d.pointer,
                message: d.message,
                hint: d.hint,
            })
            .collect(),
    }
}

/// Converts an export to another format through CXF. `from_format` is detected when absent;
/// `password` opens an encrypted input and protects an encrypted output (`kdbx`, or any
/// format when `encrypt` is set: `cxf` as an age file, `bitwarden-json` as Bitwarden's
/// password-protected export).
#[uniffi::export]
pub fn convert(
    input: Vec<u8>,
    from_format: Option<String>,
    to: String,
    password: Option<String>,
    encrypt: bool,
) -> Result<Converted, CxfError> {
    convert_streamed(input, from_format, to, password, encrypt, &mut |_, _| {})
}

/// Told how far a conversion has come.
#[uniffi::export(with_foreign)]
pub trait ProgressListener: Send + Sync {
    /// `items` converted so far of `total` in the input (0 when not known).
    fn on_progress(&self, items: u64, total: u64);
}

/// [`convert`], telling `listener` after each chunk of items (a few hundred): for a progress
/// bar over a large vault.
#[uniffi::export]
pub fn convert_with_progress(
    input: Vec<u8>,
    from_format: Option<String>,
    to: String,
    password: Option<String>,
    encrypt: bool,
    listener: std::sync::Arc<dyn ProgressListener>,
) -> Result<Converted, CxfError> {
    convert_streamed(
        input,
        from_format,
        to,
        password,
        encrypt,
        &mut |items, total| {
            listener.on_progress(items, total);
        },
    )
}

/// The conversion of [`convert`] and [`convert_with_progress`], through the streaming spine
/// (`cxf::formats::stream`): the output is written as items are read, without a second copy
/// of the vault as a document.
pub(crate) fn convert_streamed(
    input: Vec<u8>,
    from_format: Option<String>,
    to: String,
    password: Option<String>,
    encrypt: bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Converted, CxfError> {
    let input = Zeroizing::new(input);
    let from = from_format.as_deref().map(format_named).transpose()?;
    let to = format_named(&to)?;
    if !to.can_write() {
        return Err(CxfError::unsupported(
            "write.not-writable",
            formats::WriteError::NotWritable(to),
        ));
    }
    let password = secret(password);
    let mut options = ReadOptions::default();
    options.password.clone_from(&password);
    let mut write_options = formats::WriteOptions::default();
    write_options.password = password;
    write_options.encrypt = encrypt;
    let mut output = Zeroizing::new(Vec::with_capacity(input.len() + input.len() / 2));
    let streamed = formats::stream::convert_stream(
        std::io::Cursor::new(&input[..]),
        from,
        to,
        &options,
        &write_options,
        &formats::stream::StreamOptions::default(),
        &mut *output,
        &mut |event| {
            if let formats::stream::Event::Progress(p) = event {
                progress(p.items as u64, p.total_items.unwrap_or(0) as u64);
            }
        },
    )
    .map_err(|e| match e {
        formats::ConvertError::Write(formats::WriteError::PasswordRequired) => {
            CxfError::PasswordRequired {
                code: "write.password-required".to_owned(),
                message: formats::WriteError::PasswordRequired.to_string(),
            }
        }
        formats::ConvertError::Write(other) => CxfError::unsupported("write.refused", other),
        other => read_error(&input, other),
    })?;
    let entries = |kind: LossKind| {
        streamed
            .loss
            .entries()
            .iter()
            .filter(|e| e.kind == kind)
            .map(Loss::from)
            .collect()
    };
    Ok(Converted {
        source_format: streamed.from.name().to_owned(),
        output: std::mem::take(&mut *output),
        lost: entries(LossKind::Lost),
        changed: entries(LossKind::Changed),
        notes: streamed
            .notes
            .iter()
            .map(|n| format!("{} at {}: {}", n.code, n.pointer, n.message))
            .collect(),
    })
}

// ------------------------------------------------------------------------------------------ CXP

fn request_of(bytes: &[u8]) -> Result<ExportRequest, CxfError> {
    ExportRequest::from_json(bytes).map_err(|e| CxfError::invalid("cxp.request", e))
}

fn response_of(bytes: &[u8]) -> Result<ExportResponse, CxfError> {
    match Message::from_json(bytes) {
        Ok(Message::Response(r)) => Ok(r),
        Ok(Message::Error(e)) => Err(CxfError::unsupported(
            "cxp.refused",
            format!(
                "the exporter refused the request with \"{}\"",
                e.error.as_str()
            ),
        )),
        Ok(Message::Request(_)) => Err(CxfError::invalid(
            "cxp.response",
            "this is an export request, not a response",
        )),
        Err(e) => Err(CxfError::invalid("cxp.response", e)),
    }
}

fn key_of(bytes: &[u8]) -> Result<PendingImport, CxfError> {
    PendingImport::from_key_file(bytes).map_err(|e| CxfError::invalid("cxp.key", e))
}

fn import_error(e: cxp::roles::ImportError) -> CxfError {
    match e {
        cxp::roles::ImportError::DecryptionFailed => CxfError::DecryptionFailed {
            code: "cxp.decryption-failed".to_owned(),
            message: e.to_string(),
        },
        other => CxfError::unsupported("cxp.open", other),
    }
}

/// CXP importer, step 1: an export request from `importer_rp_id` and the private key that
/// will open the answer.
#[uniffi::export]
pub fn request(importer_rp_id: String) -> RequestPair {
    let (pending, request) = Importer::new(ImporterConfig::new(importer_rp_id));
    RequestPair {
        request: request.binding_bytes().into_owned(),
        key: std::mem::take(&mut *pending.to_key_file()),
    }
}

/// CXP exporter: the export response that carries `document` (CXF JSON) encrypted to the
/// request's first supported suite. A request the exporter cannot answer is
/// [`CxfError::Unsupported`] with code `cxp.refused` and the CXP error code in the message.
#[uniffi::export]
pub fn respond(
    request: Vec<u8>,
    document: Vec<u8>,
    exporter_rp_id: String,
) -> Result<Vec<u8>, CxfError> {
    let document = Zeroizing::new(document);
    let request = request_of(&request)?;
    let parsed =
        cxf::Document::parse(&document, &cxf::Limits::default()).map_err(|e| parse_error(&e))?;
    Exporter::new(exporter_rp_id)
        .respond_document(&request, &parsed.document)
        .map(|r| r.to_json_vec())
        .map_err(|refusal| {
            CxfError::unsupported(
                "cxp.refused",
                format!("the request cannot be answered: {}", refusal.error.as_str()),
            )
        })
}

/// CXP importer, step 2: opens `response` with the key of [`request`]: the CXF document,
/// canonical JSON (a secret: wipe it after use). With `require_binding`, only the bound
/// packaging profile is accepted.
#[uniffi::export]
pub fn open(response: Vec<u8>, key: Vec<u8>, require_binding: bool) -> Result<Vec<u8>, CxfError> {
    let key = Zeroizing::new(key);
    let message = response_of(&response)?;
    drop(response);
    let mut pending = key_of(&key)?;
    if require_binding {
        pending = pending.require_binding();
    }
    // By value: the payload is decrypted in its own buffer, not copied (see `cxf open`).
    let parsed = pending
        .open_document_owned(message, &cxf::Limits::default())
        .map_err(import_error)?;
    let mut out = parsed.document.to_json_vec();
    drop(parsed);
    Ok(std::mem::take(&mut *out))
}

/// Re-encrypts `response` (opened with `key`) to `other_request` without handing the
/// plaintext to the caller.
#[uniffi::export]
pub fn reencrypt(
    response: Vec<u8>,
    key: Vec<u8>,
    other_request: Vec<u8>,
    exporter_rp_id: String,
) -> Result<Vec<u8>, CxfError> {
    let key = Zeroizing::new(key);
    let response = response_of(&response)?;
    let other = request_of(&other_request)?;
    let pending = key_of(&key)?;
    let exporter = Exporter::new(exporter_rp_id);
    pending
        .reencrypt(&response, &other, &exporter)
        .map(|r| r.to_json_vec())
        .map_err(|e| match e {
            cxp::roles::ReencryptError::Open(e) => import_error(e),
            other => CxfError::unsupported("cxp.refused", other),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME: &[u8] =
        b"name,url,username,password,note\r\nexample.com,https://example.com/,alice,hunter2,\r\n";

    #[test]
    fn converts_with_the_loss_report_and_names_errors_by_code() {
        let c = convert(CHROME.to_vec(), None, "cxf".into(), None, false).unwrap();
        assert_eq!(c.source_format, "chrome-csv");
        assert!(c.lost.is_empty());
        let back = convert(c.output, None, "firefox-csv".into(), None, false).unwrap();
        assert!(String::from_utf8(back.output).unwrap().contains("alice"));
        let e = convert(CHROME.to_vec(), None, "lastpass-csv".into(), None, false).unwrap_err();
        assert_eq!(e.code(), "write.not-writable");
        let e = convert(b"nothing".to_vec(), None, "cxf".into(), None, false).unwrap_err();
        assert_eq!(e.code(), "convert.unknown-format");
    }

    #[test]
    fn progress_is_told_per_chunk_with_the_total() {
        struct Seen(std::sync::Mutex<Vec<(u64, u64)>>);
        impl ProgressListener for Seen {
            fn on_progress(&self, items: u64, total: u64) {
                self.0.lock().unwrap().push((items, total));
            }
        }
        let mut csv = String::from("name,url,username,password,note\r\n");
        for i in 0..600 {
            csv.push_str(&format!(
                "s{i}.example,https://s{i}.example/,u{i},p{i},\r\n"
            ));
        }
        let cxf = convert(csv.into_bytes(), None, "cxf".into(), None, false).unwrap();
        let seen = std::sync::Arc::new(Seen(std::sync::Mutex::new(Vec::new())));
        let back = convert_with_progress(
            cxf.output,
            None,
            "chrome-csv".into(),
            None,
            false,
            seen.clone(),
        )
        .unwrap();
        assert_eq!(back.source_format, "cxf");
        assert_eq!(
            *seen.0.lock().unwrap(),
            vec![(256, 600), (512, 600), (600, 600)]
        );
    }

    #[test]
    fn request_respond_open_round_trip() {
        let c = convert(CHROME.to_vec(), None, "cxf".into(), None, false).unwrap();
        let pair = request("importer.example".into());
        let response = respond(pair.request, c.output.clone(), "exporter.example".into()).unwrap();
        let opened = open(response.clone(), pair.key.clone(), false).unwrap();
        let a = cxf::Document::parse(&opened, &cxf::Limits::default()).unwrap();
        let b = cxf::Document::parse(&c.output, &cxf::Limits::default()).unwrap();
        assert_eq!(a.document, b.document);
        let other = request("importer.example".into());
        assert_eq!(
            open(response, other.key, false).unwrap_err().code(),
            "cxp.decryption-failed"
        );
    }
}
