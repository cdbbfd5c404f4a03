#![doc = include_str!("../../../docs/validation-rules.md")]
//!
//! # Use
//!
//! ```
//! let input = br#"{"version":{"major":1,"minor":0},"exporterRpId":"vault.example",
//!   "exporterDisplayName":"Vault","timestamp":1760000000,"accounts":[{"id":"AAEC",
//!   "username":"","email":"ada@example.com","collections":[],"items":[{"id":"AwQF",
//!   "title":"Wi-Fi","credentials":[{"type":"wifi","hidden":{"fieldType":"boolean",
//!   "value":"yes"}}]}]}]}"#;
//! let parsed = cxf::Document::parse(input, &cxf::Limits::default())?;
//! let report = cxf::validate::validate_parsed(&parsed);
//! assert!(!report.is_valid());
//! let d = &report.diagnostics[0];
//! assert_eq!((d.rule, d.pointer.as_str()), ("field.boolean", "/accounts/0/items/0/credentials/0/hidden/value"));
//! # Ok::<(), cxf::ParseError>(())
//! ```

mod b64;
mod ctx;
mod extensions;
mod fields;
mod formats;
mod ids;
mod keys;
mod notes;
mod others;
mod passkey;
mod report;
mod rules;
mod scope;
mod time;
mod walk;

use std::time::{SystemTime, UNIX_EPOCH};

pub use report::{Diagnostic, Report, Severity};

use crate::{Document, Parsed, Shape};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn run(doc: &Document, header: bool, now: u64, notes: &[crate::ParseNote]) -> Report {
    let mut walk = walk::Walk {
        sink: ctx::Sink::default(),
        now,
    };
    notes::report(&mut walk.sink, notes);
    let from_notes = walk.sink.diagnostics.len();
    walk.document(doc, header);
    let mut diagnostics = walk.sink.diagnostics;
    if !header {
        // A bare Account was wrapped by the parser: point into the file as written.
        for d in &mut diagnostics[from_notes..] {
            if let Some(rest) = d.pointer.strip_prefix("/accounts/0") {
                d.pointer = rest.to_owned();
            }
        }
    }
    Report { diagnostics }
}

/// Check a typed document against the CXF 1.0 rules (table above).
///
/// Deviations that the parser already normalised (padding, empty optional arrays, older-draft
/// names) are no longer visible in a [`Document`]; use [`validate_parsed`] to report them too.
pub fn validate(doc: &Document) -> Report {
    run(doc, true, now(), &[])
}

/// Check a parse result: the parse notes that are findings, then the document. For a bare
/// Account ([`Shape::BareAccount`]) the header rules are skipped, since the parser made the
/// header up, and pointers point into the Account as written (no `/accounts/0` prefix).
pub fn validate_parsed(parsed: &Parsed) -> Report {
    run(
        &parsed.document,
        parsed.shape == Shape::Header,
        now(),
        &parsed.notes,
    )
}

/// [`validate_parsed`] with a fixed "now" (UNIX seconds), for reproducible results.
pub fn validate_parsed_at(parsed: &Parsed, now: u64) -> Report {
    run(
        &parsed.document,
        parsed.shape == Shape::Header,
        now,
        &parsed.notes,
    )
}
