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
