//! CXF and CXP for JavaScript and TypeScript, in the browser or Node, through
//! [wasm-bindgen](https://rustwasm.github.io/docs/wasm-bindgen/): the operations of `cxf-ffi`
//! (inspect, validate, convert with the loss report, formats, and the file-based CXP roles
//! request / respond / open / reencrypt), bytes in (`Uint8Array`) and bytes out.
//!
//! This crate holds no logic: every function calls the `cxf-ffi` function of the same name,
//! so the errors, their codes and the loss report are the same in every binding, and turns
//! its records into plain JavaScript objects with camelCase members (typed in the generated
//! `.d.ts`, see the interfaces below).
//!
//! Errors are thrown as a JavaScript `Error` whose `name` is `CxfError`, with a stable `code`
//! (`read.password-required`, `convert.ambiguous`, `cxp.decryption-failed`, ...) and a `kind`
//! (`invalid`, `password-required`, `decryption-failed`, `unsupported`). A message never holds
//! a value from the input.
//!
//! Secrets: inputs (exports, passwords, importer keys) are copied into the module's memory and
//! wiped there when the call ends; outputs that hold secrets (a converted export, an opened
//! document, an importer key) are handed over as `Uint8Array`s that the caller should
//! `fill(0)` after use, and the module's copy is wiped. JavaScript strings (passwords) cannot
//! be wiped on the JavaScript side.
//!
//! Build: `wasm32-unknown-unknown` with the `wasm` profile, then `wasm-bindgen --target web`
//! (the page in `web/`) or `--target nodejs` (the tests in `tests/wasm/`); see
//! `tests/wasm/build.sh`. On wasm32 the envelope's AEAD is the RustCrypto one (same bytes as
//! `ring` natively), randomness is `crypto.getRandomValues`, the clock is `Date.now()`, and
//! validation checks passkey keys on one thread.

use std::collections::HashMap;

use cxf_ffi::CxfError;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use zeroize::Zeroize as _;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** What `inspect` found: counts only, never a secret. */
export interface Summary {
  /** The format the input was read as (`cxf`, `bitwarden-json`, ...). */
  format: string;
  /** The exporter's RP ID (empty for another manager's export). */
  exporterRpId: string;
  accounts: number;
  items: number;
  credentials: number;
  /** Credentials by CXF type (`basic-auth`, `passkey`, ...). */
  credentialsByType: Record<string, number>;
  /** Passkeys by relying-party ID. */
  passkeysByRpId: Record<string, number>;
  /** How many values reading another manager's export could not carry into CXF. */
  notCarried: number;
}

/** One finding of `validate`: a rule and a JSON Pointer (RFC 6901) into the input. */
export interface Diagnostic {
  /** Rule id (`field.date`), or `parse.KIND` when the document did not parse. */
  rule: string;
  severity: "error" | "warning" | "info";
  pointer: string;
  message: string;
  hint?: string;
}

/** One value a conversion did not carry as it was. Never holds a secret value. */
export interface Loss {
  kind: "lost" | "changed";
  /** JSON Pointer into the CXF form of the input. */
  pointer: string;
  itemIndex?: number;
  itemTitle?: string;
  /** What it is (a member path or a column name). */
  what: string;
  /** `no-equivalent`, `unsupported`, `invalid-value`, `skipped`, `target-refuses`, `not-read-back`. */
  reason: string;
  detail: string;
}

/** The result of `convert`. */
export interface Converted {
  /** The format the input was read as. */
  sourceFormat: string;
  /** The output file (holds secrets: `fill(0)` it after use). */
  output: Uint8Array;
  /** Values not in the output. */
  lost: Loss[];
  /** Values in the output in another shape. */
  changed: Loss[];
  /** What the CXF parser normalised in a CXF input. */
  notes: string[];
}

/** Options of `convert`. */
export interface ConvertOptions {
  /** The input's format; detected when absent. */
  from?: string;
  /** Opens an encrypted input; protects an encrypted output (`kdbx`, or with `encrypt`). */
  password?: string;
  /** Protect the output with `password` (`cxf` as an age file, `bitwarden-json`). */
  encrypt?: boolean;
}

/** A format `convert` knows. */
export interface FormatInfo {
  name: string;
  displayName: string;
  /** File name extensions, the usual one first. */
  extensions: string[];
  canRead: boolean;
  canWrite: boolean;
  canEncrypt: boolean;
  /** Kinds read out of it (`logins`, `passkeys`, ...). */
  reads: string[];
  /** Kinds written into it. */
  writes: string[];
}

/** The importer's half of a file-based CXP exchange. */
export interface RequestPair {
  /** The export request (JSON) to hand to the exporter. */
  request: Uint8Array;
  /** The importer's private key file (secret: keep it, then `fill(0)` it). */
  key: Uint8Array;
}

/** What every function throws: `name` is `"CxfError"`. */
export interface CxfError extends Error {
  /** Stable code (`read.password-required`, `convert.ambiguous`, `cxp.decryption-failed`, ...). */
  code: string;
  kind: "invalid" | "password-required" | "decryption-failed" | "unsupported";
}
"#;

// ------------------------------------------------------------------------------------- helpers

/// A plain object from `(member, value)` pairs.
fn object(members: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (name, value) in members {
        // Setting a data member on a fresh plain object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(name), value);
    }
    o.into()
}

fn string_array<S: AsRef<str>>(items: &[S]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from_str(s.as_ref()))
        .collect::<Array>()
        .into()
}

fn counts(map: &HashMap<String, u64>) -> JsValue {
    // Sorted, so the object's member order is stable.
    let mut pairs: Vec<_> = map.iter().collect();
    pairs.sort();
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_f64(*v as f64));
    }
    o.into()
}

fn optional_str(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::UNDEFINED, JsValue::from_str)
}

/// Bytes for JavaScript; the module's copy is wiped.
fn bytes_out(mut bytes: Vec<u8>) -> JsValue {
    let out = Uint8Array::from(&bytes[..]);
    bytes.zeroize();
    out.into()
}

/// The thrown value: an `Error` named `CxfError` with `code` and `kind`.
fn error(e: CxfError) -> JsValue {
    let kind = match &e {
        CxfError::Invalid { .. } => "invalid",
        CxfError::PasswordRequired { .. } => "password-required",
        CxfError::DecryptionFailed { .. } => "decryption-failed",
        CxfError::Unsupported { .. } => "unsupported",
    };
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("CxfError");
    let _ = Reflect::set(&err, &"code".into(), &JsValue::from_str(e.code()));
    let _ = Reflect::set(&err, &"kind".into(), &JsValue::from_str(kind));
    err.into()
}

fn usage(message: &str) -> JsValue {
    error(CxfError::Invalid {
        code: "usage".to_owned(),
        message: message.to_owned(),
    })
}

/// A member of an options object: `undefined`/`null` is absent; anything else must be `T`.
fn member<T>(
    options: &JsValue,
    name: &str,
    get: impl Fn(&JsValue) -> Option<T>,
    expected: &str,
) -> Result<Option<T>, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    let v = Reflect::get(options, &JsValue::from_str(name))
        .map_err(|_| usage("convert: the options are not an object"))?;
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    get(&v)
        .map(Some)
        .ok_or_else(|| usage(&format!("convert: options.{name} must be {expected}")))
}

// ----------------------------------------------------------------------------------- functions

/// Every format, in the order `cxf formats` lists them.
#[wasm_bindgen(unchecked_return_type = "FormatInfo[]")]
pub fn formats() -> JsValue {
    cxf_ffi::formats()
        .iter()
        .map(|f| {
            object(&[
                ("name", JsValue::from_str(&f.name)),
                ("displayName", JsValue::from_str(&f.display_name)),
                ("extensions", string_array(&f.extensions)),
                ("canRead", JsValue::from_bool(f.can_read)),
                ("canWrite", JsValue::from_bool(f.can_write)),
                ("canEncrypt", JsValue::from_bool(f.can_encrypt)),
                ("reads", string_array(&f.reads)),
                ("writes", string_array(&f.writes)),
            ])
        })
        .collect::<Array>()
        .into()
}

/// Summarises a CXF document or another manager's export (detected), never showing a secret.
/// `password` opens an encrypted export (Bitwarden, KeePass database, age file).
#[wasm_bindgen(unchecked_return_type = "Summary")]
pub fn inspect(input: Vec<u8>, password: Option<String>) -> Result<JsValue, JsValue> {
    let s = cxf_ffi::inspect(input, password).map_err(error)?;
    Ok(object(&[
        ("format", JsValue::from_str(&s.format)),
        ("exporterRpId", JsValue::from_str(&s.exporter_rp_id)),
        ("accounts", JsValue::from_f64(s.accounts as f64)),
        ("items", JsValue::from_f64(s.items as f64)),
        ("credentials", JsValue::from_f64(s.credentials as f64)),
        ("credentialsByType", counts(&s.credentials_by_type)),
        ("passkeysByRpId", counts(&s.passkeys_by_rp_id)),
        ("notCarried", JsValue::from_f64(s.not_carried as f64)),
    ]))
}

/// Checks a CXF document against the CXF 1.0 rules. A document that does not parse gives one
/// `parse.KIND` diagnostic pointing where parsing stopped. Empty means valid.
#[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
pub fn validate(input: Vec<u8>) -> JsValue {
    cxf_ffi::validate(input)
        .iter()
        .map(|d| {
            object(&[
                ("rule", JsValue::from_str(&d.rule)),
                ("severity", JsValue::from_str(&d.severity)),
                ("pointer", JsValue::from_str(&d.pointer)),
                ("message", JsValue::from_str(&d.message)),
                ("hint", optional_str(d.hint.as_deref())),
            ])
        })
        .collect::<Array>()
        .into()
}

fn losses(entries: &[cxf_ffi::Loss]) -> JsValue {
    entries
        .iter()
        .map(|l| {
            object(&[
                ("kind", JsValue::from_str(&l.kind)),
                ("pointer", JsValue::from_str(&l.pointer)),
                (
                    "itemIndex",
                    l.item_index
                        .map_or(JsValue::UNDEFINED, |i| JsValue::from_f64(i as f64)),
                ),
                ("itemTitle", optional_str(l.item_title.as_deref())),
                ("what", JsValue::from_str(&l.what)),
                ("reason", JsValue::from_str(&l.reason)),
                ("detail", JsValue::from_str(&l.detail)),
            ])
        })
        .collect::<Array>()
        .into()
}

/// Converts an export to format `to` through CXF, with the loss report. `options.from` names
/// the input's format (detected when absent); `options.password` opens an encrypted input and
/// protects an encrypted output (`kdbx`, or any format that can be encrypted when
/// `options.encrypt` is set: `cxf` as an age file, `bitwarden-json` as Bitwarden's
/// password-protected export).
#[wasm_bindgen(unchecked_return_type = "Converted")]
pub fn convert(
    input: Vec<u8>,
    to: String,
    #[wasm_bindgen(unchecked_param_type = "ConvertOptions")] options: Option<Object>,
) -> Result<JsValue, JsValue> {
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let mut input = input;
    let parsed = (|| {
        Ok::<_, JsValue>((
            member(&options, "from", JsValue::as_string, "a string")?,
            member(&options, "password", JsValue::as_string, "a string")?,
            member(&options, "encrypt", JsValue::as_bool, "a boolean")?,
        ))
    })();
    let (from, password, encrypt) = match parsed {
        Ok(v) => v,
        Err(e) => {
            input.zeroize();
            return Err(e);
        }
    };
    let c = cxf_ffi::convert(input, from, to, password, encrypt.unwrap_or(false)).map_err(error)?;
    Ok(object(&[
        ("sourceFormat", JsValue::from_str(&c.source_format)),
        ("lost", losses(&c.lost)),
        ("changed", losses(&c.changed)),
        ("notes", string_array(&c.notes)),
        ("output", bytes_out(c.output)),
    ]))
}

/// CXP importer, step 1: an export request from `importerRpId` and the private key that will
/// open the answer.
#[wasm_bindgen(js_name = request, unchecked_return_type = "RequestPair")]
pub fn request(#[wasm_bindgen(js_name = importerRpId)] importer_rp_id: String) -> JsValue {
    let pair = cxf_ffi::request(importer_rp_id);
    object(&[
        ("request", bytes_out(pair.request)),
        ("key", bytes_out(pair.key)),
    ])
}

/// CXP exporter: the export response (JSON bytes) that carries `document` (CXF JSON)
/// encrypted to the request's first supported suite. A request the exporter cannot answer
/// throws code `cxp.refused`.
#[wasm_bindgen]
pub fn respond(
    request: Vec<u8>,
    document: Vec<u8>,
    #[wasm_bindgen(js_name = exporterRpId)] exporter_rp_id: String,
) -> Result<Uint8Array, JsValue> {
    cxf_ffi::respond(request, document, exporter_rp_id)
        .map(|r| Uint8Array::from(&r[..]))
        .map_err(error)
}

/// CXP importer, step 2: opens `response` with the key of `request`: the CXF document,
/// canonical JSON (a secret: `fill(0)` it after use). With `requireBinding`, only the bound
/// packaging profile is accepted.
#[wasm_bindgen]
pub fn open(
    response: Vec<u8>,
    key: Vec<u8>,
    #[wasm_bindgen(js_name = requireBinding)] require_binding: Option<bool>,
) -> Result<Uint8Array, JsValue> {
    cxf_ffi::open(response, key, require_binding.unwrap_or(false))
        .map(|doc| {
            let out = Uint8Array::from(&doc[..]);
            let mut doc = doc;
            doc.zeroize();
            out
        })
        .map_err(error)
}

/// Re-encrypts `response` (opened with `key`) to `otherRequest` without handing the plaintext
/// to the caller.
#[wasm_bindgen]
pub fn reencrypt(
    response: Vec<u8>,
    key: Vec<u8>,
    #[wasm_bindgen(js_name = otherRequest)] other_request: Vec<u8>,
    #[wasm_bindgen(js_name = exporterRpId)] exporter_rp_id: String,
) -> Result<Uint8Array, JsValue> {
    cxf_ffi::reencrypt(response, key, other_request, exporter_rp_id)
        .map(|r| Uint8Array::from(&r[..]))
        .map_err(error)
}

/// The version of this package (the workspace version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
