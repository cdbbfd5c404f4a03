//! Table-driven validator test over `fixtures/cxf/invalid/rule-*.json`.
//!
//! Each fixture must parse, and the error and warning diagnostics of
//! `cxf::validate::validate_parsed` must equal its sidecar `NAME.expect.json`
//! (`{"diagnostics":[{"rule","pointer"}]}`) as a multiset. Info diagnostics are not compared.
//! `fixtures/cxf/valid/validation-clean.json`, the base every rule fixture is derived from, must
//! have no error or warning. A new fixture file is a new test case.

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

fn expected(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut out: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["pointer"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_rule_fixture_reports_exactly_its_expectation() {
    let dir = fixtures().join("invalid");
    let mut cases = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if !name.starts_with("rule-") || name.ends_with(".expect.json") {
            continue;
        }
        cases += 1;
        let want = expected(&path.with_extension("expect.json"));
        match found(&std::fs::read(&path).unwrap()) {
            Ok(got) if got == want => {}
            Ok(got) => failures.push(format!("{name}: expected {want:?}, got {got:?}")),
            Err(e) => failures.push(format!("{name}: does not parse: {e}")),
        }
    }
    assert!(
        cases >= 60,
        "only {cases} rule fixtures found in {}",
        dir.display()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
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
