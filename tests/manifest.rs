//! The conformance manifest `fixtures/manifest.json`, generated from the fixture tree.
//!
//! One entry per case of `fixtures/cxf/{valid,quirks,invalid}`: its path, kind (`valid`,
//! `quirk`, `parse-invalid`, `rule`), the spec section where the rules document gives one, the
//! expected outcome and a one-line description. The sidecars are the source of truth; the
//! manifest only gathers them, with each rule's severity and clause from
//! `cxf/docs/validation-rules.md`, so that another implementation (or `cxf conformance`) needs
//! one file to know what every case expects. `tests/conformance_manifest.rs` keeps it in sync.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::{fixture_files, read_json, repo_root, sidecar};

/// "Now" for the validator's timestamp checks (2026-11-01): rule cases are judged as of this
/// time, so results do not depend on the clock.
pub const VALIDATION_NOW: u64 = 1_793_491_200;

/// The severity and clause of each rule, from the table of `cxf/docs/validation-rules.md`.
pub fn rule_table() -> BTreeMap<String, (String, String)> {
    let doc = std::fs::read_to_string(repo_root().join("cxf/docs/validation-rules.md"))
        .expect("cxf/docs/validation-rules.md");
    doc.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // | `rule` | severity | what | clause | pointer |
            if cells.len() < 6 {
                return None;
            }
            let rule = cells[1].strip_prefix('`')?.strip_suffix('`')?;
            let severity = cells[2];
            matches!(severity, "error" | "warning" | "info")
                .then(|| (rule.to_owned(), (severity.to_owned(), cells[4].to_owned())))
        })
        .collect()
}

/// The rule a parse note code is reported as by `cxf::validate::validate_parsed` (the list in
/// `cxf/docs/validation-rules.md`, "from parse notes").
fn rule_of_note(code: &str) -> Option<&'static str> {
    Some(match code {
        "empty-optional-array" => "array.empty-optional",
        "missing-required-array" => "array.missing-required",
        "padded-base64url" => "b64url.padded",
        "base64-standard-alphabet" => "b64url.non-canonical",
        "negative-timestamp" | "fractional-timestamp" => "timestamp.implausible",
        "wd-version-integer" => "version.unpublished",
        "ps-hmac-secret" => "passkey.legacy-extension",
        "bare-account" => "header.bare-account",
        "null-optional-member" => "member.null",
        "byte-order-mark" => "document.byte-order-mark",
        c if c.starts_with("wd-") || c.starts_with("rd-") => "draft.legacy-shape",
        _ => return None,
    })
}

/// Whether an error at `pointer` is one the parser repaired while reading: it names a member
/// the parser normalised (with a note), or a member inside it or around it. Such a document is
/// read like the quirks are (`fixtures/cxf/quirks`), so an importer accepts it.
pub fn repaired(pointer: &str, note_pointers: &[&str]) -> bool {
    note_pointers.iter().any(|n| {
        !n.is_empty()
            && (pointer == *n
                || pointer.strip_prefix(n).is_some_and(|r| r.starts_with('/'))
                || n.strip_prefix(pointer).is_some_and(|r| r.starts_with('/')))
    })
}

/// `credential-passkey-large-blob` → `credential passkey large blob`.
fn words(name: &str) -> String {
    name.replace(['-', '_'], " ")
}

/// The path of `file` relative to the fixtures directory, with `/` separators.
fn rel(fixtures: &Path, file: &Path) -> String {
    file.strip_prefix(fixtures)
        .expect("fixture under the fixtures directory")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn stem(file: &Path) -> String {
    file.file_stem()
        .and_then(|s| s.to_str())
        .expect("UTF-8 fixture name")
        .to_owned()
}

/// Builds the manifest of the fixture tree under `fixtures` (normally [`crate::fixtures_dir`]).
pub fn generate(fixtures: &Path) -> Value {
    let rules = rule_table();
    let mut cases = Vec::new();
    let cxf_dir = fixtures.join("cxf");

    for file in fixture_files(&cxf_dir.join("valid")) {
        let name = stem(&file);
        let path = rel(fixtures, &file);
        cases.push(json!({
            "id": format!("valid/{name}"),
            "path": path,
            "kind": "valid",
            "description": format!("{}: canonical CXF 1.0, written back unchanged", words(&name)),
            "expect": {"outcome": "accept", "canonical": path, "notes": []},
        }));
    }

    for file in fixture_files(&cxf_dir.join("quirks")) {
        let name = stem(&file);
        let expect = read_json(&sidecar(&file, "expect.json"));
        let notes: Vec<Value> = expect["notes"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: sidecar without notes", file.display()))
            .iter()
            .map(|n| json!({"code": n["code"], "pointer": n["pointer"]}))
            .collect();
        let codes: Vec<&str> = notes.iter().filter_map(|n| n["code"].as_str()).collect();
        let mut sections: Vec<&str> = Vec::new();
        for clause in codes
            .iter()
            .filter_map(|c| rule_of_note(c))
            .filter_map(|r| rules.get(r).map(|(_, clause)| clause.as_str()))
        {
            if !sections.contains(&clause) {
                sections.push(clause);
            }
        }
        let mut unique = codes.clone();
        unique.sort_unstable();
        unique.dedup();
        let mut case = json!({
            "id": format!("quirks/{name}"),
            "path": rel(fixtures, &file),
            "kind": "quirk",
            "description": format!(
                "{}: accepted and normalised to canonical CXF 1.0 (note {})",
                words(&name),
                unique.join(", ")
            ),
            "expect": {
                "outcome": "accept",
                "canonical": rel(fixtures, &sidecar(&file, "canonical.json")),
                "notes": notes,
            },
        });
        if !sections.is_empty() {
            case["section"] = sections.join("; ").into();
        }
        if codes.contains(&"bare-account") {
            case["expect"]["bareAccount"] = true.into();
        }
        cases.push(case);
    }

    for file in fixture_files(&cxf_dir.join("invalid")) {
        let name = stem(&file);
        let expect = read_json(&sidecar(&file, "expect.json"));
        let diagnostics = expect["diagnostics"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: sidecar without diagnostics", file.display()));
        let first = &diagnostics[0];
        let rule = first["rule"].as_str().expect("rule id");
        if let Some(kind) = rule.strip_prefix("parse.") {
            assert_eq!(diagnostics.len(), 1, "{}: one parse error", file.display());
            let pointer = first["pointer"].as_str().expect("pointer");
            cases.push(json!({
                "id": format!("invalid/{name}"),
                "path": rel(fixtures, &file),
                "kind": "parse-invalid",
                "description": format!(
                    "{}: rejected by the parser ({kind} at \"{pointer}\")",
                    words(&name)
                ),
                "expect": {"outcome": "reject", "error": {"kind": kind, "pointer": pointer}},
            }));
            continue;
        }
        // `rule-RULE--NAME`: a document that parses and breaks RULE.
        let short = name
            .strip_prefix("rule-")
            .and_then(|n| n.split_once("--"))
            .map_or(name.as_str(), |(_, n)| n);
        let bytes = std::fs::read(&file).expect("fixture");
        let parsed = cxf::Document::parse(&bytes, &cxf::Limits::default())
            .unwrap_or_else(|e| panic!("{}: rule fixture does not parse: {e}", file.display()));
        let note_pointers: Vec<&str> = parsed.notes.iter().map(|n| n.pointer.as_str()).collect();
        let mut clauses = Vec::new();
        let mut rejects = false;
        let diags: Vec<Value> = diagnostics
            .iter()
            .map(|d| {
                let id = d["rule"].as_str().expect("rule id");
                let pointer = d["pointer"].as_str().expect("pointer");
                let (severity, clause) = rules.get(id).unwrap_or_else(|| {
                    panic!(
                        "{}: rule {id} is not in cxf/docs/validation-rules.md",
                        file.display()
                    )
                });
                rejects |= severity == "error" && !repaired(pointer, &note_pointers);
                if !clauses.contains(clause) {
                    clauses.push(clause.clone());
                }
                json!({"rule": id, "severity": severity, "pointer": pointer})
            })
            .collect();
        let ids: Vec<String> = diags
            .iter()
            .map(|d| {
                format!(
                    "{} ({})",
                    d["rule"].as_str().unwrap(),
                    d["severity"].as_str().unwrap()
                )
            })
            .collect();
        let mut expect = json!({
            "outcome": if rejects { "reject" } else { "accept" },
            "diagnostics": diags,
        });
        if !rejects {
            // Only warnings, or errors the reader repairs: an importer accepts it. When our
            // writer gives the input back unchanged, the input is the expected output too.
            let out: Value = serde_json::from_slice(&parsed.document.to_json_vec()).unwrap();
            if serde_json::from_slice::<Value>(&bytes).ok() == Some(out) {
                expect["canonical"] = rel(fixtures, &file).into();
            }
        }
        cases.push(json!({
            "id": format!("invalid/{name}"),
            "path": rel(fixtures, &file),
            "kind": "rule",
            "section": clauses.join("; "),
            "description": format!("{}: parses, breaks {}", words(short), ids.join(", ")),
            "expect": expect,
        }));
    }

    json!({
        "$schema": "./manifest.schema.json",
        "suite": "CXF 1.0 conformance (fido-cxf fixtures)",
        "generatedBy": "cargo test -p cxf-workspace-tests --test conformance_manifest (CXF_WRITE_MANIFEST=1 rewrites it)",
        "validationNow": VALIDATION_NOW,
        "cases": cases,
    })
}

/// The manifest as written to disk: pretty JSON with a final newline.
pub fn render(manifest: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&sorted(manifest)).expect("JSON");
    text.push('\n');
    text
}

/// `value` with every object's members in sorted order, whether or not another crate of the
/// build enables serde_json's `preserve_order` (a whole-workspace build does; a build of this
/// crate alone does not), so the rendered manifest is the same in both.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}
