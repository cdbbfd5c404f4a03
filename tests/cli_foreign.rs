//! `cxf inspect` and `cxf validate` given another password manager's export: inspect reads it
//! through its format reader and says so; validate says it is not CXF and how to convert it.
//! Counts are cross-checked with the fixtures' `NAME.expect.json` sidecars.

use std::path::{Path, PathBuf};
use std::process::Output;

use cxf_workspace_tests::{fixtures_dir, read_json, run, sidecar, stderr, stdout};
use serde_json::Value;

fn cxf(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_cxf"), args)
}

fn format_fixture(path: &str) -> PathBuf {
    fixtures_dir().join("formats").join(path)
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 fixture path")
}

/// The sidecar of a format fixture (`NAME.expect.json` next to `NAME.EXT`).
fn expect(fixture: &Path) -> Value {
    read_json(&sidecar(fixture, "expect.json"))
}

const BITWARDEN: &str = "bitwarden-json/personal-all-types.json";
const ENCRYPTED: &str = "bitwarden-json/encrypted-pbkdf2.json";

/// Every secret value of a fixture, as its format reader gives them: concealed fields, TOTP
/// seeds, private keys, card numbers (values of four characters or more, so that a count or a
/// year in the output cannot match by chance).
fn secrets(fixture: &Path, password: Option<&str>) -> Vec<String> {
    let bytes = std::fs::read(fixture).unwrap();
    let format = match cxf::formats::detect(&bytes) {
        cxf::formats::Detection::Certain(f) => f,
        other => panic!("{}: detection {other:?}", fixture.display()),
    };
    let mut options = cxf::formats::ReadOptions::default();
    if let Some(p) = password {
        options = options.with_password(p);
    }
    let (doc, _) = cxf::formats::read(format, &bytes, &options).expect("fixture reads");
    let json: Value = serde_json::from_slice(&doc.to_json_vec()).unwrap();
    let mut out = Vec::new();
    collect_secrets(&json, &mut out);
    out.extend(password.map(str::to_owned));
    out.retain(|s| s.len() >= 4);
    out
}

fn collect_secrets(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if map.get("fieldType").and_then(Value::as_str) == Some("concealed-string") {
                if let Some(s) = map.get("value").and_then(Value::as_str) {
                    out.push(s.to_owned());
                }
            }
            for key in ["secret", "privateKey", "key"] {
                if let Some(s) = map.get(key).and_then(Value::as_str) {
                    out.push(s.to_owned());
                }
            }
            map.values().for_each(|v| collect_secrets(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_secrets(v, out)),
        _ => {}
    }
}

fn assert_no_secret(out: &Output, secrets: &[String]) {
    assert!(!secrets.is_empty(), "the fixture has secrets to look for");
    let text = format!("{}{}", stdout(out), stderr(out));
    for s in secrets {
        // Multi-line secrets (private keys): no line of them either.
        for line in s.lines().filter(|l| l.len() >= 8) {
            assert!(!text.contains(line), "secret {line:?} printed:\n{text}");
        }
        assert!(!text.contains(s.as_str()), "secret {s:?} printed:\n{text}");
    }
}

/// The password of an encrypted fixture, from its sidecar, in a file.
fn password_file(fixture: &Path) -> (tempfile::TempDir, PathBuf, String) {
    let password = expect(fixture)["password"].as_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pw.txt");
    std::fs::write(&file, format!("{password}\n")).unwrap();
    (dir, file, password)
}

#[test]
fn inspect_names_a_bitwarden_export_and_counts_what_it_read() {
    let file = format_fixture(BITWARDEN);
    let want = expect(&file);
    let out = cxf(&["inspect", arg(&file)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    // What the file is comes first, right after its name.
    assert_eq!(
        lines[1], "format:      a Bitwarden JSON export, read as CXF for inspection",
        "{text}"
    );
    let lost = want["loss"].as_array().unwrap().len();
    assert!(lost > 0, "the fixture loses something");
    assert_eq!(
        lines[2],
        format!("not carried: {lost} values could not be carried into CXF"),
        "{text}"
    );
    assert_eq!(
        lines[3],
        format!(
            "  to list them: cxf convert {} --to cxf -o {} --report not-carried.json",
            arg(&file),
            arg(&file.with_extension("cxf.json"))
        ),
        "{text}"
    );
    // The reader's made-up Header (converter identity, time of reading) is not shown.
    assert!(!text.contains("exporter:"), "{text}");
    assert!(!text.contains("exported:"), "{text}");
    assert!(
        lines.contains(&format!("items:       {}", want["items"]).as_str()),
        "{text}"
    );
    let by_type = want["credentials"].as_object().unwrap();
    let total: u64 = by_type.values().map(|n| n.as_u64().unwrap()).sum();
    assert!(
        lines.contains(&format!("credentials: {total}").as_str()),
        "{text}"
    );
    for (ty, n) in by_type {
        assert!(
            lines.iter().any(|l| {
                let mut words = l.split_whitespace();
                words.next() == Some(ty.as_str()) && words.next() == Some(&n.to_string())
            }),
            "{ty}: {n} not listed:\n{text}"
        );
    }
    let secrets = secrets(&file, None);
    // The collector finds what it should (a concealed password, a TOTP seed).
    assert!(secrets.iter().any(|s| s == "bw-pw-1"), "{secrets:?}");
    assert!(
        secrets.iter().any(|s| s == "JBSWY3DPEHPK3PXP"),
        "{secrets:?}"
    );
    assert_no_secret(&out, &secrets);
}

#[test]
fn inspect_json_of_a_bitwarden_export_names_the_format() {
    let file = format_fixture(BITWARDEN);
    let want = expect(&file);
    let out = cxf(&["inspect", "--format", "json", arg(&file)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(v["format"], "bitwarden-json");
    assert_eq!(v["formatName"], "Bitwarden JSON");
    assert_eq!(
        v["readAsCxf"],
        "a Bitwarden JSON export, read as CXF for inspection"
    );
    assert_eq!(v["notCarried"], want["loss"].as_array().unwrap().len());
    let hint = v["notCarriedHint"].as_str().unwrap();
    assert!(
        hint.contains(&format!("cxf convert {} --to cxf", arg(&file))) && hint.contains("--report"),
        "{hint}"
    );
    assert_eq!(v["items"], want["items"]);
    assert_eq!(v["credentialsByType"], want["credentials"]);
    let total: u64 = want["credentials"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(v["credentials"], total);
    assert_eq!(
        v["accounts"][0]["collections"], want["collections"],
        "{v:#}"
    );
    // No invented Header values.
    for key in ["shape", "exporterRpId", "exporterDisplayName", "timestamp"] {
        assert!(v[key].is_null(), "{key}: {}", v[key]);
    }
    assert_no_secret(&out, &secrets(&file, None));
}

#[test]
fn inspect_reads_chrome_csv_exports() {
    for name in ["legacy-bom-multi-url.csv", "note-crlf-android.csv"] {
        let file = format_fixture(&format!("chrome-csv/{name}"));
        let want = expect(&file);
        let out = cxf(&["inspect", "--format", "json", arg(&file)]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["format"], "chrome-csv", "{name}");
        assert_eq!(v["items"], want["items"], "{name}");
        assert_eq!(v["credentialsByType"], want["credentials"], "{name}");
        assert_eq!(
            v["notCarried"],
            want["loss"].as_array().unwrap().len(),
            "{name}"
        );
        // The human form names the format and, with nothing lost, says so.
        let human = cxf(&["inspect", arg(&file)]);
        assert_eq!(human.status.code(), Some(0), "{name}: {}", stderr(&human));
        let text = stdout(&human);
        assert!(
            text.contains(
                "format:      a Chrome / Google Password Manager CSV export, read as CXF for inspection"
            ),
            "{text}"
        );
        if want["loss"].as_array().unwrap().is_empty() {
            assert!(
                text.contains("not carried: nothing: every value read has a place in CXF"),
                "{text}"
            );
        }
        assert_no_secret(&human, &secrets(&file, None));
    }
}

#[test]
fn inspect_from_names_the_format_of_a_file() {
    let file = format_fixture("chrome-csv/note-crlf-android.csv");
    let out = cxf(&[
        "inspect",
        "--from",
        "chrome-csv",
        "--format",
        "json",
        arg(&file),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "chrome-csv");
    // A format that does not fit is the reader's error (exit 1); an unknown name is usage (2).
    let wrong = cxf(&["inspect", "--from", "bitwarden-json", arg(&file)]);
    assert_eq!(wrong.status.code(), Some(1), "{}", stderr(&wrong));
    assert!(
        stderr(&wrong).contains("cannot be read as bitwarden-json"),
        "{}",
        stderr(&wrong)
    );
    let unknown = cxf(&["inspect", "--from", "nope", arg(&file)]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("unknown format"));
}

#[test]
fn inspect_of_cxf_is_unchanged_and_says_cxf() {
    let file = fixtures_dir().join("cxf/valid/credential-basic-auth.json");
    let out = cxf(&["inspect", "--format", "json", arg(&file)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "cxf");
    assert_eq!(v["shape"], "header");
    assert_eq!(v["notCarried"], 0);
    assert!(v.get("readAsCxf").is_none());
    let human = stdout(&cxf(&["inspect", arg(&file)]));
    assert!(
        human
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("format:      CXF 1.")
    );
    assert!(!human.contains("read as CXF"), "{human}");
}

#[test]
fn inspect_of_an_encrypted_export_takes_a_password_file() {
    let file = format_fixture(ENCRYPTED);
    let want = expect(&file);
    let (_dir, pw, password) = password_file(&file);
    let out = cxf(&[
        "inspect",
        "--format",
        "json",
        "--password-file",
        arg(&pw),
        arg(&file),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "bitwarden-json");
    assert_eq!(v["items"], want["items"]);
    assert_eq!(v["credentialsByType"], want["credentials"]);
    let secrets = secrets(&file, Some(&password));
    assert_no_secret(&out, &secrets);
    let human = cxf(&["inspect", "--password-file", arg(&pw), arg(&file)]);
    assert_eq!(human.status.code(), Some(0), "{}", stderr(&human));
    assert!(stdout(&human).contains("a Bitwarden JSON export, read as CXF for inspection"));
    assert_no_secret(&human, &secrets);
}

#[test]
fn inspect_of_an_encrypted_export_without_a_password_fails_clearly() {
    let file = format_fixture(ENCRYPTED);
    // No terminal to ask on: refused, exit 1, saying what to pass.
    let out = cxf(&["inspect", arg(&file)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{} is password-protected", arg(&file)))
            && err.contains("--password-file FILE"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
    // A wrong password: refused too, without echoing it.
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("wrong.txt");
    std::fs::write(&pw, "not-the-password-4217\n").unwrap();
    let wrong = cxf(&["inspect", "--password-file", arg(&pw), arg(&file)]);
    assert_eq!(wrong.status.code(), Some(1), "{}", stderr(&wrong));
    assert!(stderr(&wrong).contains("could not be decrypted"));
    assert!(!stderr(&wrong).contains("not-the-password-4217"));
    // A password file that does not exist is an I/O error.
    let missing = cxf(&[
        "inspect",
        "--password-file",
        arg(&dir.path().join("absent.txt")),
        arg(&file),
    ]);
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
}

#[test]
fn validate_says_a_bitwarden_export_is_not_cxf_and_how_to_convert_it() {
    let file = format_fixture(BITWARDEN);
    let out = cxf(&["validate", arg(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "input.not-cxf at /: {} is a Bitwarden JSON export, not a CXF document",
            arg(&file)
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "hint: convert it first: cxf convert {} --to cxf -o {}",
            arg(&file),
            arg(&file.with_extension("cxf.json"))
        )),
        "{err}"
    );
    // Not the CXF parser's complaint about members a Bitwarden export never has.
    assert!(!err.contains("required member"), "{err}");
    assert!(!err.contains("parse."), "{err}");
    assert_no_secret(&out, &secrets(&file, None));
}

#[test]
fn validate_json_gives_a_foreign_export_one_not_cxf_finding() {
    let foreign = format_fixture("chrome-csv/note-crlf-android.csv");
    let cxf_file = fixtures_dir().join("cxf/valid/validation-clean.json");
    let out = cxf(&[
        "validate",
        "--format",
        "json",
        arg(&cxf_file),
        arg(&foreign),
    ]);
    // One bad file fails the run; the CXF file is still validated.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["valid"], true);
    let entry = &files[1];
    assert_eq!(entry["path"], arg(&foreign));
    assert_eq!(entry["valid"], false);
    let diags = entry["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{entry:#}");
    let d = &diags[0];
    assert_eq!(d["rule"], "input.not-cxf");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["pointer"], "");
    assert_eq!(
        d["message"],
        format!(
            "{} is a Chrome / Google Password Manager CSV export, not a CXF document",
            arg(&foreign)
        )
    );
    assert_eq!(
        d["hint"],
        format!(
            "convert it first: cxf convert {} --to cxf -o {}",
            arg(&foreign),
            arg(&foreign.with_extension("cxf.json"))
        )
    );
    assert_no_secret(&out, &secrets(&foreign, None));
}

#[test]
fn validate_of_an_encrypted_export_needs_no_password() {
    let file = format_fixture(ENCRYPTED);
    let out = cxf(&["validate", "--format", "json", arg(&file)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"][0]["diagnostics"][0]["rule"], "input.not-cxf");
}

#[test]
fn validate_of_an_unrecognised_file_keeps_the_parse_error_prefixed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cut-short.json");
    std::fs::write(&file, br#"{"version": {"major": 1, "#).unwrap();
    let out = cxf(&["validate", "--format", "json", arg(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(d["rule"], "parse.syntax");
    let message = d["message"].as_str().unwrap();
    assert!(
        message.starts_with("not a readable CXF document: "),
        "{message}"
    );
    assert!(d["hint"].as_str().unwrap().contains("not complete JSON"));
    // inspect says the same of it.
    let inspect = cxf(&["inspect", arg(&file)]);
    assert_eq!(inspect.status.code(), Some(1));
    assert!(
        stderr(&inspect).contains("is not a readable CXF document: invalid JSON"),
        "{}",
        stderr(&inspect)
    );
}

#[test]
fn terminal_escapes_in_a_file_name_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("evil\u{1b}[2Jname.csv");
    std::fs::copy(format_fixture("chrome-csv/note-crlf-android.csv"), &file).unwrap();
    for args in [vec!["validate"], vec!["inspect"]] {
        let mut args = args;
        args.push(arg(&file));
        let out = cxf(&args);
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!text.contains('\u{1b}'), "{args:?}: raw escape printed");
        assert!(text.contains("evil\\u{1b}[2Jname"), "{args:?}: {text}");
    }
    // Error messages too (here: a password-protected export and no password).
    let encrypted = dir.path().join("evil\u{1b}[2Jname.json");
    std::fs::copy(format_fixture(ENCRYPTED), &encrypted).unwrap();
    let out = cxf(&["inspect", arg(&encrypted)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr(&out).contains('\u{1b}'), "raw escape in the error");
    assert!(
        stderr(&out).contains("evil\\u{1b}[2Jname.json is password-protected"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn help_of_inspect_and_validate_shows_foreign_exports() {
    let inspect = stdout(&cxf(&["inspect", "--help"]));
    assert!(inspect.contains("Examples:"));
    assert!(inspect.contains("--password-file"), "{inspect}");
    assert!(inspect.contains("--from"), "{inspect}");
    assert!(
        inspect.contains("cxf inspect encrypted_export.json --password-file pw.txt"),
        "{inspect}"
    );
    let validate = stdout(&cxf(&["validate", "--help"]));
    assert!(validate.contains("input.not-cxf"), "{validate}");
}

/// An export we recognise but cannot read (KeePassX XML) is named by validate and inspect, with
/// exit 1, never misread or reported as a CXF parse error.
#[test]
fn validate_and_inspect_name_an_export_cxf_cannot_read_yet() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keepassx.xml");
    std::fs::write(
        &file,
        b"<?xml version=\"1.0\"?>\n<!DOCTYPE KEEPASSX_DATABASE>\n<database><group><title>Web</title><entry><title>Mail</title><password>keepassx-secret-1</password></entry></group></database>",
    )
    .unwrap();
    let v = cxf(&["validate", arg(&file)]);
    assert_eq!(v.status.code(), Some(1));
    let said = format!("{}{}", stdout(&v), stderr(&v));
    assert!(
        said.contains("input.not-cxf") && said.contains("a KeePassX XML export"),
        "{said}"
    );
    let i = cxf(&["inspect", arg(&file)]);
    assert_eq!(i.status.code(), Some(1));
    assert!(stderr(&i).contains("KeePassX XML export, which cxf cannot read yet"));
    for o in [&v, &i] {
        assert!(
            !stdout(o).contains("keepassx-secret-1") && !stderr(o).contains("keepassx-secret-1")
        );
    }
}
