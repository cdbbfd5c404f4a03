//! The table-driven conformance test: every file under `fixtures/cxf` is one case.
//!
//! * `valid/NAME.json` — canonical CXF 1.0: parses without notes, and writing it back (compact
//!   and pretty) gives an equal JSON value; parsing the output gives an equal document.
//! * `quirks/NAME.json` — older drafts and exporter quirks: the parser reports exactly the notes
//!   listed in `NAME.expect.json` and writes exactly `NAME.canonical.json`.
//! * `invalid/NAME.json` — must be rejected with the rule (`parse.KIND`) and JSON Pointer in
//!   `NAME.expect.json`; or, for validator rules (`invalid/rule-*.json`, any rule id not starting
//!   with `parse.`), must parse, and the error and warning diagnostics of
//!   `cxf::validate::validate_parsed` must be exactly those of `NAME.expect.json`.

use std::path::Path;

use cxf::{Document, Limits, Shape};
use cxf_workspace_tests::{fixture_files, fixtures_dir, read_json, shared_samples, sidecar};
use serde_json::Value;

/// "Now" for the validator's timestamp checks (2026-11-01), so results do not depend on the clock.
const VALIDATION_NOW: u64 = 1_793_491_200;

fn parse(path: &Path) -> Result<cxf::Parsed, cxf::ParseError> {
    let bytes = std::fs::read(path).unwrap();
    Document::parse(&bytes, &Limits::default())
}

/// The JSON value the writer produced, reduced to the input's granularity.
fn written(parsed: &cxf::Parsed, pretty: bool) -> Value {
    let out = if pretty {
        parsed.document.to_json_vec_pretty()
    } else {
        parsed.document.to_json_vec()
    };
    let value: Value = serde_json::from_slice(&out).expect("writer emits JSON");
    match parsed.shape {
        Shape::BareAccount => value["accounts"][0].clone(),
        _ => value,
    }
}

/// Runs `check` on every fixture of `dir`, collecting failures so one run shows them all.
fn run_all(dir: &str, check: impl Fn(&Path) -> Result<(), String>) -> usize {
    let dir = fixtures_dir().join("cxf").join(dir);
    let files = fixture_files(&dir);
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| {
            check(f)
                .err()
                .map(|e| format!("{}: {e}", f.file_name().unwrap().to_string_lossy()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    files.len()
}

#[test]
fn valid_fixtures_round_trip_losslessly() {
    let n = run_all("valid", |path| {
        let parsed = parse(path).map_err(|e| format!("rejected: {e}"))?;
        if !parsed.notes.is_empty() {
            let codes: Vec<_> = parsed
                .notes
                .iter()
                .map(|n| format!("{} {}", n.code, n.pointer))
                .collect();
            return Err(format!("canonical input produced notes: {codes:?}"));
        }
        let input = read_json(path);
        for pretty in [false, true] {
            if written(&parsed, pretty) != input {
                return Err(format!("output (pretty={pretty}) differs from the input"));
            }
        }
        let again = Document::parse(&parsed.document.to_json_vec(), &Limits::default())
            .map_err(|e| format!("output does not re-parse: {e}"))?;
        if again.document != parsed.document {
            return Err("re-parsed output is a different document".into());
        }
        Ok(())
    });
    eprintln!("{n} valid fixtures");
}

#[test]
fn quirk_fixtures_normalise_with_notes() {
    let n = run_all("quirks", |path| {
        let parsed = parse(path).map_err(|e| format!("rejected: {e}"))?;
        let expect = read_json(&sidecar(path, "expect.json"));
        let mut want: Vec<(String, String)> = expect["notes"]
            .as_array()
            .ok_or("sidecar has no notes array")?
            .iter()
            .map(|n| {
                (
                    n["code"].as_str().unwrap_or("").to_owned(),
                    n["pointer"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        let mut got: Vec<(String, String)> = parsed
            .notes
            .iter()
            .map(|n| (n.code.to_owned(), n.pointer.clone()))
            .collect();
        want.sort();
        got.sort();
        if want != got {
            return Err(format!(
                "notes differ\n  expected {want:?}\n  got      {got:?}"
            ));
        }
        let canonical = read_json(&sidecar(path, "canonical.json"));
        let out: Value = serde_json::from_slice(&parsed.document.to_json_vec()).unwrap();
        if out != canonical {
            return Err(format!(
                "output differs from the canonical sidecar\n  got {}",
                serde_json::to_string(&out).unwrap()
            ));
        }
        let again = Document::parse(&parsed.document.to_json_vec(), &Limits::default())
            .map_err(|e| format!("canonical output does not re-parse: {e}"))?;
        if !again.notes.is_empty() {
            return Err(format!(
                "canonical output still gets notes: {:?}",
                again.notes
            ));
        }
        Ok(())
    });
    eprintln!("{n} quirk fixtures");
}

#[test]
fn invalid_fixtures_are_rejected_with_rule_and_pointer() {
    let n = run_all("invalid", |path| {
        let expect = read_json(&sidecar(path, "expect.json"));
        let want: Vec<(String, String)> = expect["diagnostics"]
            .as_array()
            .ok_or("sidecar has no diagnostics array")?
            .iter()
            .map(|d| {
                (
                    d["rule"].as_str().unwrap_or("").to_owned(),
                    d["pointer"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        let mut want = want;
        let mut got = match parse(path) {
            // Parsed: the expectation is the validator's error and warning diagnostics.
            Ok(parsed) => {
                let report = cxf::validate::validate_parsed_at(&parsed, VALIDATION_NOW);
                // Every finding tells the user what to do, not only what is wrong.
                if let Some(d) = report
                    .diagnostics
                    .iter()
                    .find(|d| d.hint.as_deref().is_none_or(|h| h.trim().is_empty()))
                {
                    return Err(format!("{} at {} has no hint", d.rule, d.pointer));
                }
                report
                    .at_least(cxf::Severity::Warning)
                    .map(|d| (d.rule.to_owned(), d.pointer.clone()))
                    .collect()
            }
            Err(e) => vec![(format!("parse.{}", e.kind().code()), e.pointer().to_owned())],
        };
        want.sort();
        got.sort();
        if want != got {
            return Err(format!("expected {want:?}, got {got:?}"));
        }
        Ok(())
    });
    eprintln!("{n} invalid fixtures");
}

/// The real CXF files other projects wrote: they must parse, and writing is idempotent
/// (write → parse → write gives the same bytes, with no further notes).
#[test]
fn shared_cxf_samples_parse_and_write_idempotently() {
    let Some(samples) = shared_samples() else {
        eprintln!("SKIPPED: CXF_SHARED_SAMPLES is not set (CI sets it to ../shared/samples)");
        return;
    };
    let mut seen = 0;
    for dir in std::fs::read_dir(samples.join("cxf")).expect("samples/cxf") {
        for file in fixture_files(&dir.unwrap().path()) {
            let parsed = parse(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let once = parsed.document.to_json_vec();
            let again = Document::parse(&once, &Limits::default()).unwrap();
            assert!(
                again.notes.is_empty(),
                "{}: {:?}",
                file.display(),
                again.notes
            );
            assert_eq!(*again.document.to_json_vec(), *once, "{}", file.display());
            seen += 1;
        }
    }
    assert!(seen >= 3, "expected the shared CXF samples, found {seen}");
}
