//! The base document of the validator's rule fixtures must be clean.
//!
//! `fixtures/cxf/invalid/rule-*.json` (checked by the workspace's table-driven test,
//! `tests/fixtures.rs`) are each `fixtures/cxf/valid/validation-clean.json` with one change; this
//! test pins that the base itself gets no diagnostic at all, so each fixture's expectation is
//! exactly the rule it breaks.

use std::path::{Path, PathBuf};

use cxf::{Document, Limits, Severity};

/// "Now" for reproducible timestamp checks: 2026-11-01.
const NOW: u64 = 1_793_491_200;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/cxf")
}

fn found(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    let parsed = Document::parse(bytes, &Limits::default()).map_err(|e| e.to_string())?;
    let report = cxf::validate::validate_parsed_at(&parsed, NOW);
    let mut got: Vec<(String, String)> = report
        .at_least(Severity::Warning)
        .map(|d| (d.rule.to_owned(), d.pointer.clone()))
        .collect();
    got.sort();
    Ok(got)
}

#[test]
fn the_base_document_is_clean() {
    let bytes = std::fs::read(fixtures().join("valid/validation-clean.json")).unwrap();
    assert_eq!(found(&bytes).unwrap(), Vec::<(String, String)>::new());
    let parsed = Document::parse(&bytes, &Limits::default()).unwrap();
    assert!(parsed.notes.is_empty(), "{:?}", parsed.notes);
    let report = cxf::validate::validate_parsed_at(&parsed, NOW);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
}

/// Whether `pointer` names a node of `v`.
fn resolves(v: &serde_json::Value, pointer: &str) -> bool {
    v.pointer(pointer).is_some()
}

/// Every finding points into the document as the user wrote it: over every fixture (valid,
/// invalid, quirks, and the shared real samples when present), every diagnostic's pointer and
/// every parse note's pointer resolve in the input, including after a normalisation (a bare
/// Account, the Appendix A `hmacSecret`, older-draft member names).
#[test]
fn every_pointer_resolves_in_the_input() {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["valid", "invalid", "quirks"] {
        for e in std::fs::read_dir(fixtures().join(dir)).unwrap() {
            let p = e.unwrap().path();
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            if n.ends_with(".json")
                && !n.ends_with(".expect.json")
                && !n.ends_with(".canonical.json")
            {
                files.push(p);
            }
        }
    }
    if let Some(samples) = std::env::var_os("CXF_SHARED_SAMPLES") {
        for e in std::fs::read_dir(Path::new(&samples).join("cxf"))
            .into_iter()
            .flatten()
        {
            for f in std::fs::read_dir(e.unwrap().path()).into_iter().flatten() {
                files.push(f.unwrap().path());
            }
        }
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let Ok(input) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            continue;
        };
        let Ok(parsed) = Document::parse(&bytes, &Limits::default()) else {
            continue;
        };
        let report = cxf::validate::validate_parsed_at(&parsed, NOW);
        for d in &report.diagnostics {
            checked += 1;
            if !resolves(&input, &d.pointer) {
                failures.push(format!("{}: {} at {}", path.display(), d.rule, d.pointer));
            }
        }
        for n in &parsed.notes {
            checked += 1;
            if !resolves(&input, &n.pointer) {
                failures.push(format!(
                    "{}: note {} at {}",
                    path.display(),
                    n.code,
                    n.pointer
                ));
            }
        }
    }
    assert!(checked > 100, "only {checked} pointers checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} pointers do not resolve in their input:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
