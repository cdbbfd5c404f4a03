//! `cxf validate` as a user runs it: exit codes, both output formats, --strict, no secrets.

use std::path::PathBuf;
use std::process::Output;

use cxf_workspace_tests::{fixtures_dir, run};
use serde_json::Value;

fn cxf(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_cxf"), args)
}

fn fixture(path: &str) -> String {
    let p: PathBuf = fixtures_dir().join("cxf").join(path);
    p.to_str().unwrap().to_owned()
}

#[test]
fn clean_file_is_valid_with_exit_0() {
    let out = cxf(&["validate", &fixture("valid/validation-clean.json")]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("valid (0 errors, 0 warnings"));
}

#[test]
fn an_error_fails_with_exit_1_and_names_rule_and_pointer() {
    let out = cxf(&[
        "validate",
        &fixture("invalid/rule-passkey.key-pkcs8--passkey-key-sec1.json"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("passkey.key-pkcs8"), "{err}");
    assert!(
        err.contains("/accounts/0/items/1/credentials/0/key"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
    assert!(
        err.contains("INVALID (1 error, 0 warnings, 0 notes)"),
        "{err}"
    );
}

#[test]
fn json_format_lists_files_and_strict_fails_on_warnings() {
    let warn = fixture("invalid/rule-totp.digits-unusual--totp-digits-four.json");
    let clean = fixture("valid/validation-clean.json");
    let out = cxf(&["validate", "--format", "json", &warn, &clean]);
    assert_eq!(out.status.code(), Some(0), "a warning alone does not fail");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["valid"], true);
    let d = &files[0]["diagnostics"][0];
    assert_eq!(d["rule"], "totp.digits-unusual");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["pointer"], "/accounts/0/items/0/credentials/1/digits");
    assert!(d["message"].is_string());
    assert_eq!(files[1]["diagnostics"].as_array().unwrap().len(), 0);

    let strict = cxf(&["validate", "--strict", "--format", "json", &warn]);
    assert_eq!(strict.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&strict.stdout).unwrap();
    assert_eq!(v["files"][0]["valid"], false);
}

#[test]
fn parse_failures_are_reported_as_parse_rules() {
    let out = cxf(&[
        "validate",
        "--format",
        "json",
        &fixture("invalid/syntax-trailing-data.json"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"][0]["diagnostics"][0]["rule"], "parse.syntax");
    let hint = v["files"][0]["diagnostics"][0]["hint"].as_str().unwrap();
    assert!(hint.contains("not complete JSON"), "{hint}");
    // The other commands that read CXF say what to do too.
    let inspect = cxf(&["inspect", &fixture("invalid/syntax-trailing-data.json")]);
    assert_eq!(inspect.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&inspect.stderr);
    assert!(
        stderr.contains("is not a readable CXF document"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: the file is not complete JSON"),
        "{stderr}"
    );
}

#[test]
fn secrets_are_not_printed() {
    // A password typed as boolean: the value must not be echoed in the finding.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leak.json");
    let doc = r#"{"version":{"major":1,"minor":0},"exporterRpId":"vault.example","exporterDisplayName":"Vault","timestamp":1767225600,"accounts":[{"id":"AAAAAAAAAAAAAAAAAAAAAA","username":"","email":"a@example.com","collections":[],"items":[{"id":"AQEBAQEBAQEBAQEBAQEBAQ","title":"t","scope":{"urls":["https://a.example"],"androidApps":[]},"credentials":[{"type":"basic-auth","password":{"fieldType":"boolean","value":"hunter2-secret"}}]}]}]}"#;
    std::fs::write(&path, doc).unwrap();
    let out = cxf(&["validate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("field.boolean") && all.contains("field.type-mismatch"),
        "{all}"
    );
    assert!(!all.contains("hunter2"), "{all}");
}

#[test]
fn missing_file_is_exit_2_and_help_has_examples() {
    assert_eq!(
        cxf(&["validate", "/nonexistent/x.json"]).status.code(),
        Some(2)
    );
    let help = cxf(&["validate", "--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("Examples:"));
}
