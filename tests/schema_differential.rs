//! Differential test: the JSON Schema `schemas/cxf-1.0.schema.json` (run by the `jsonschema`
//! crate) and the Rust parser + validator must agree on every fixture under `fixtures/cxf` about
//! the *structural* rules, the ones a JSON Schema can express.
//!
//! # Which findings are structural
//!
//! A finding is structural when the JSON value alone, checked member by member against types,
//! required members, patterns and ranges, shows it. The schema must reject a document with a
//! structural finding and accept a document without one (it allows unknown members everywhere,
//! §3.1.1, so it never rejects what the Rust side accepts as well-formed).
//!
//! * Parse errors ([`STRUCTURAL_PARSE_KINDS`]): `missing-member`, `wrong-type`, `not-cxf` (not
//!   a Header object), `invalid-value` (a number out of its range: negative size, version member
//!   above 255). **Not** structural: `syntax` (not JSON: no value to check), `limit` (a
//!   resource limit of ours, not a format rule). **Undetermined**: `duplicate-member` (the JSON
//!   value the schema sees keeps one of the two members, RFC 8259 leaves which open, so the
//!   schema's verdict depends on the surviving value: it is shown, not compared).
//! * Parse notes ([`STRUCTURAL_NOTES`]): the parser accepted and normalised a deviation that the
//!   schema sees in the input (`empty-optional-array` ↔ `minItems: 1`, `missing-required-array`
//!   ↔ `required`, `padded-base64url` / `base64-standard-alphabet` ↔ the b64url `pattern`,
//!   `negative-timestamp` ↔ `minimum: 0`, `fractional-timestamp` ↔ `type: integer`,
//!   `null-optional-member` ↔ the member's type, `bare-account` ↔ the Header's required members,
//!   and the older-draft shapes that rename a required member or change a type). **Not**
//!   structural ([`SEMANTIC_NOTES`]): `byte-order-mark` (text level: stripped before the schema
//!   runs), and the draft shapes whose old member is merely unknown now while the new one is
//!   optional (`wd-basic-auth-urls`, `wd-expiration-date`, `ps-hmac-secret`): the schema cannot
//!   tell an unknown member from a renamed one.
//! * Validator rules ([`STRUCTURAL_RULES`]): `array.empty-optional`, `array.missing-required`,
//!   `id.too-long` (`maxLength: 86`), the members the CDDL requires but the parser tolerates
//!   missing (`passkey.hmac-incomplete`: `credWithoutUV`; `totp.defaults-missing`: `period`,
//!   `digits`), the integer ranges `totp.digits` (1–10) and `totp.period` (≥ 1), and — only when the value has a character outside the
//!   base64url alphabet (`+`, `/`, `=`, spaces ...) — `id.not-base64url`, `b64url.invalid`,
//!   `b64url.padded`, `b64url.non-canonical` ([`ALPHABET_RULES`]). A value of the right alphabet
//!   that still does not decode (length 1 mod 4) or has stray trailing bits passes the pattern:
//!   those are semantic. Every other rule of `docs/validation-rules.md` is semantic (decoded
//!   lengths, keys, dates, field grammars, references, uniqueness, plausibility of timestamps
//!   in range, the published version level).
//!
//! A validator finding on a member the parser built from an older shape (its parent object is
//! not in the input) does not count for the input: its note does.
//!
//! Checked per directory: `valid/*.json` and `quirks/*.canonical.json` pass the schema (and the
//! Rust side finds nothing structural; one documented exception, see
//! [`canonical_quirk_outputs_pass_the_schema`]); for `quirks/*.json` and `invalid/*.json` the schema
//! rejects exactly when the Rust side has a structural finding. Any disagreement fails the test
//! with the fixture name and both verdicts.

use std::path::{Path, PathBuf};

use cxf::{Document, Limits};
use cxf_workspace_tests::{fixture_files, fixtures_dir, repo_root, sidecar};
use serde_json::Value;

/// Parse error kinds the schema must reject.
const STRUCTURAL_PARSE_KINDS: &[&str] =
    &["missing-member", "wrong-type", "not-cxf", "invalid-value"];

/// Parse notes for deviations the schema must reject.
const STRUCTURAL_NOTES: &[&str] = &[
    "empty-optional-array",
    "missing-required-array",
    "padded-base64url",
    "base64-standard-alphabet",
    "negative-timestamp",
    "fractional-timestamp",
    "null-optional-member",
    "bare-account",
    "wd-version-integer",
    "wd-exporter",
    "wd-user-name",
    "wd-bare-string-field",
    "wd-integration-hash",
    "rd-hash-algorithm",
];

/// Parse notes the schema cannot see (listed so that a new note code fails the test until it is
/// classified).
const SEMANTIC_NOTES: &[&str] = &[
    "byte-order-mark",
    "wd-basic-auth-urls",
    "wd-expiration-date",
    "ps-hmac-secret",
];

/// Validator rules that are always structural.
const STRUCTURAL_RULES: &[&str] = &[
    "array.empty-optional",
    "array.missing-required",
    "id.too-long",
    // A member the CDDL requires, which the parser tolerates missing.
    "passkey.hmac-incomplete",
    "totp.defaults-missing",
    // Integer ranges.
    "totp.digits",
    "totp.period",
];

/// Validator rules that are structural when the value has a character outside the base64url
/// alphabet (the schema's `pattern`), semantic otherwise.
const ALPHABET_RULES: &[&str] = &[
    "id.not-base64url",
    "b64url.invalid",
    "b64url.padded",
    "b64url.non-canonical",
];

/// "Now" for the validator (2026-11-01): no finding here depends on it, but keep runs equal.
const VALIDATION_NOW: u64 = 1_793_491_200;

fn schema_validator() -> jsonschema::Validator {
    let path = repo_root().join("schemas/cxf-1.0.schema.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    jsonschema::draft202012::new(&schema).expect("the schema compiles")
}

/// The schema's verdict on a file: `None` when it is not JSON, else `Ok` or the first errors.
fn schema_verdict(validator: &jsonschema::Validator, bytes: &[u8]) -> Option<Result<(), String>> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(text).ok()?;
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .take(3)
        .map(|e| format!("{} at '{}'", e, e.instance_path()))
        .collect();
    Some(if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    })
}

/// The Rust side's structural findings on a file (empty: structurally fine), and whether it
/// parsed at all.
fn rust_structural(bytes: &[u8]) -> (Vec<String>, Option<&'static str>) {
    let parsed = match Document::parse(bytes, &Limits::default()) {
        Ok(p) => p,
        Err(e) => {
            let code = e.kind().code();
            let found = if STRUCTURAL_PARSE_KINDS.contains(&code) {
                vec![format!("parse.{code} at '{}'", e.pointer())]
            } else {
                Vec::new()
            };
            return (found, Some(code));
        }
    };
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let input: Value = serde_json::from_slice(text).expect("a parsed document is JSON");
    let mut found = Vec::new();
    // Inside an older shape the schema does not model (it sees an unknown member there), a
    // finding is judged by that shape's own note, not compared.
    // Findings about the migrated member point at `hmacSecret` itself or below it.
    let in_legacy_member = |pointer: &str| {
        pointer.contains("/fido2Extensions/hmacSecret/")
            || pointer.ends_with("/fido2Extensions/hmacSecret")
    };
    for note in &parsed.notes {
        let code: &str = note.code;
        if in_legacy_member(&note.pointer) {
            continue;
        }
        if STRUCTURAL_NOTES.contains(&code) {
            found.push(format!("note {code} at '{}'", note.pointer));
        } else {
            assert!(
                SEMANTIC_NOTES.contains(&code),
                "parse note {code} is not classified: add it to STRUCTURAL_NOTES or SEMANTIC_NOTES"
            );
        }
    }
    let report = cxf::validate::validate_parsed_at(&parsed, VALIDATION_NOW);
    for d in &report.diagnostics {
        let structural = STRUCTURAL_RULES.contains(&d.rule)
            || (ALPHABET_RULES.contains(&d.rule)
                && input
                    .pointer(&d.pointer)
                    .and_then(Value::as_str)
                    .is_some_and(|s| {
                        !s.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    }));
        // A finding on a member the parser made up from an older shape (its parent is not in
        // the input) is invisible to the schema: the input's old shape is judged by its note.
        let parent = d.pointer.rsplit_once('/').map_or("", |(p, _)| p);
        if structural && input.pointer(parent).is_some() && !in_legacy_member(&d.pointer) {
            found.push(format!("{} at '{}'", d.rule, d.pointer));
        }
    }
    (found, None)
}

/// Compares both verdicts on every file. With `must_pass`, files must also be accepted by both
/// sides, except for structural findings of the rules in `may_remain`.
fn check_all(files: &[PathBuf], must_pass: bool, may_remain: &[&str]) -> Vec<String> {
    let validator = schema_validator();
    let mut failures = Vec::new();
    for path in files {
        let name = path
            .strip_prefix(fixtures_dir().join("cxf"))
            .unwrap_or(path)
            .display()
            .to_string();
        let bytes = std::fs::read(path).unwrap();
        let (rust, parse_error) = rust_structural(&bytes);
        let Some(schema) = schema_verdict(&validator, &bytes) else {
            // Not JSON: only a syntax error may explain that.
            if parse_error != Some("syntax") {
                failures.push(format!(
                    "{name}: not JSON, but the parser said {parse_error:?}"
                ));
            }
            continue;
        };
        if parse_error == Some("duplicate-member") {
            continue;
        }
        let rust_rejects = !rust.is_empty();
        let schema_rejects = schema.is_err();
        let excused = rust
            .iter()
            .all(|f| may_remain.iter().any(|r| f.starts_with(&format!("{r} at"))));
        if rust_rejects != schema_rejects || (must_pass && schema_rejects && !excused) {
            failures.push(format!(
                "{name}:\n    rust:   {}\n    schema: {}",
                if rust.is_empty() {
                    "no structural finding".to_owned()
                } else {
                    format!("structural: {}", rust.join(", "))
                },
                match &schema {
                    Ok(()) => "accepts".to_owned(),
                    Err(e) => format!("rejects: {e}"),
                }
            ));
        }
    }
    failures
}

fn dir(name: &str) -> PathBuf {
    fixtures_dir().join("cxf").join(name)
}

fn assert_agree(files: &[PathBuf], must_pass: bool, may_remain: &[&str], what: &str) {
    assert!(!files.is_empty(), "no {what} fixtures");
    let failures = check_all(files, must_pass, may_remain);
    assert!(
        failures.is_empty(),
        "schema and Rust disagree on {} of {} {what} fixtures:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    eprintln!("{} {what} fixtures agree", files.len());
}

#[test]
fn valid_fixtures_pass_the_schema() {
    assert_agree(&fixture_files(&dir("valid")), true, &[], "valid");
}

#[test]
fn canonical_quirk_outputs_pass_the_schema() {
    let files: Vec<PathBuf> = fixture_files(&dir("quirks"))
        .iter()
        .map(|f| sidecar(f, "canonical.json"))
        .filter(|p| Path::exists(p))
        .collect();
    // A single Appendix A `hmacSecret` cannot be split into the two seeds: the canonical output
    // keeps it as `credWithUV` and leaves `credWithoutUV` missing (docs/spec-notes.md), which
    // both sides report.
    assert_agree(
        &files,
        true,
        &["passkey.hmac-incomplete"],
        "quirks canonical",
    );
}

#[test]
fn quirk_inputs_are_rejected_exactly_when_structural() {
    assert_agree(&fixture_files(&dir("quirks")), false, &[], "quirks input");
}

#[test]
fn invalid_fixtures_are_rejected_exactly_when_structural() {
    let files = fixture_files(&dir("invalid"));
    assert_agree(&files, false, &[], "invalid");
    // The corpus exercises each structural class at least once.
    let names: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(sidecar(f, "expect.json")).unwrap())
        .collect();
    for rule in [
        "parse.missing-member",
        "parse.wrong-type",
        "array.empty-optional",
        "id.not-base64url",
    ] {
        assert!(
            names.iter().any(|n| n.contains(&format!("\"{rule}\""))),
            "no invalid fixture for {rule}"
        );
    }
}
