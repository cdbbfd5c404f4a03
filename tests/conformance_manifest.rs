//! `fixtures/manifest.json` is generated from the fixture tree (`tests/manifest.rs`) and checked
//! in: this test regenerates it and fails when the checked-in file differs, with the command
//! that refreshes it. `CXF_WRITE_MANIFEST=1` rewrites the file instead.
//! The manifest is also checked against its JSON Schema, `fixtures/manifest.schema.json`.

use cxf_workspace_tests::manifest::{self, VALIDATION_NOW};
use cxf_workspace_tests::{fixtures_dir, read_json};
use serde_json::{Value, json};

const REFRESH: &str =
    "CXF_WRITE_MANIFEST=1 cargo test -p cxf-workspace-tests --test conformance_manifest";

fn schema() -> jsonschema::Validator {
    let schema = read_json(&fixtures_dir().join("manifest.schema.json"));
    jsonschema::draft202012::new(&schema).expect("the manifest schema compiles")
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .take(5)
        .map(|e| format!("{e} at '{}'", e.instance_path()))
        .collect()
}

#[test]
fn manifest_is_in_sync_with_the_fixture_tree() {
    let path = fixtures_dir().join("manifest.json");
    let fresh = manifest::render(&manifest::generate(&fixtures_dir()));
    if std::env::var_os("CXF_WRITE_MANIFEST").is_some_and(|v| v == "1") {
        std::fs::write(&path, &fresh).expect("write fixtures/manifest.json");
        eprintln!("wrote {}", path.display());
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if on_disk != fresh {
        let line = on_disk
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || on_disk.lines().count().min(fresh.lines().count()) + 1,
                |n| n + 1,
            );
        let show = |text: &str| text.lines().nth(line - 1).unwrap_or("(end)").to_owned();
        panic!(
            "fixtures/manifest.json is out of date with the fixture tree (first difference at \
             line {line}: on disk {:?}, generated {:?}).\nRefresh it with:\n  {REFRESH}",
            show(&on_disk),
            show(&fresh)
        );
    }
}

#[test]
fn manifest_matches_its_schema_and_the_tree() {
    let manifest = manifest::generate(&fixtures_dir());
    let validator = schema();
    let errs = errors(&validator, &manifest);
    assert!(errs.is_empty(), "manifest breaks its schema: {errs:#?}");

    let cases = manifest["cases"].as_array().unwrap();
    let count = |kind: &str| cases.iter().filter(|c| c["kind"] == kind).count();
    let fixtures = fixtures_dir().join("cxf");
    let files = |dir: &str| cxf_workspace_tests::fixture_files(&fixtures.join(dir)).len();
    assert_eq!(count("valid"), files("valid"));
    assert_eq!(count("quirk"), files("quirks"));
    assert_eq!(count("parse-invalid") + count("rule"), files("invalid"));
    assert!(
        count("rule") > 50 && count("parse-invalid") > 30,
        "{cases:?}"
    );
    assert_eq!(manifest["validationNow"], VALIDATION_NOW);

    for case in cases {
        let id = case["id"].as_str().unwrap();
        // Every path the manifest names exists.
        let p = case["path"].as_str().unwrap();
        assert!(fixtures_dir().join(p).is_file(), "{id}: {p} missing");
        if let Some(p) = case["expect"]["canonical"].as_str() {
            assert!(fixtures_dir().join(p).is_file(), "{id}: {p} missing");
        }
        // Rule cases: reject only when an error is expected (an error the reader repairs, as
        // for the quirks, is accepted); every rule has a clause.
        if case["kind"] == "rule" {
            let diags = case["expect"]["diagnostics"].as_array().unwrap();
            let any_error = diags.iter().any(|d| d["severity"] == "error");
            if case["expect"]["outcome"] == "reject" {
                assert!(any_error, "{id}");
            }
            assert!(
                case["section"].as_str().is_some_and(|s| !s.is_empty()),
                "{id}"
            );
        }
    }

    // Known entries, spelled out.
    let by_id = |id: &str| cases.iter().find(|c| c["id"] == id).unwrap();
    assert_eq!(
        by_id("invalid/item-missing-id")["expect"],
        json!({"outcome": "reject", "error": {"kind": "missing-member", "pointer": "/accounts/0/items/0/id"}})
    );
    let totp = by_id("invalid/rule-totp.digits--totp-digits-zero");
    assert_eq!(totp["kind"], "rule");
    assert_eq!(totp["section"], "§3.3.16, RFC 4226");
    assert_eq!(totp["expect"]["diagnostics"][0]["severity"], "error");
    let quirk = by_id("quirks/wd-exporter");
    assert_eq!(
        quirk["expect"]["canonical"],
        "cxf/quirks/wd-exporter.canonical.json"
    );
    assert_eq!(
        quirk["expect"]["notes"],
        json!([{"code": "wd-exporter", "pointer": "/exporter"}])
    );
    assert_eq!(
        by_id("quirks/bare-account-1password-shape")["expect"]["bareAccount"],
        true
    );
}

#[test]
fn schema_rejects_a_broken_manifest() {
    let validator = schema();
    let good = manifest::generate(&fixtures_dir());
    let mut bad = good.clone();
    // A valid case that expects a rejection.
    let valid = bad["cases"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["kind"] == "valid")
        .unwrap();
    valid["expect"]["outcome"] = "reject".into();
    assert!(!errors(&validator, &bad).is_empty());

    let mut bad = good.clone();
    let rule = bad["cases"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["kind"] == "rule")
        .unwrap();
    rule["expect"]["diagnostics"][0]["severity"] = "fatal".into();
    assert!(!errors(&validator, &bad).is_empty());

    let mut bad = good;
    bad["cases"][0]["kind"] = "maybe".into();
    assert!(!errors(&validator, &bad).is_empty());
}

/// Every parse note code the reader can emit has a case in the suite: the quirks carry 16 of
/// them in their sidecars, and two are rule cases (`member.null`, `document.byte-order-mark`).
#[test]
fn every_parse_note_code_has_a_case() {
    const CODES: &[&str] = cxf::ParseNote::CODES;
    let manifest = manifest::generate(&fixtures_dir());
    let mut seen = std::collections::BTreeMap::<String, String>::new();
    for case in manifest["cases"].as_array().unwrap() {
        let bytes = std::fs::read(fixtures_dir().join(case["path"].as_str().unwrap())).unwrap();
        if let Ok(parsed) = cxf::Document::parse(&bytes, &cxf::Limits::default()) {
            for note in &parsed.notes {
                seen.entry(note.code.to_owned())
                    .or_insert_with(|| case["id"].as_str().unwrap().to_owned());
            }
        }
    }
    let missing: Vec<&str> = CODES
        .iter()
        .copied()
        .filter(|c| !seen.contains_key(*c))
        .collect();
    assert!(missing.is_empty(), "note codes without a case: {missing:?}");
    let unknown: Vec<&String> = seen
        .keys()
        .filter(|c| !CODES.contains(&c.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "new note codes, add them here: {unknown:?}"
    );
}
