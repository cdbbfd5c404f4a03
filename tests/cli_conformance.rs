//! `cxf conformance`: the suite runner, with our library in-process (must pass every case) and
//! with adapters that are wrong on purpose (must be caught).

use std::path::Path;
use std::process::Output;

use cxf_workspace_tests::{fixtures_dir, read_json, run, stderr, stdout};
use serde_json::Value;

fn cxf(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_cxf"), args)
}

fn manifest() -> String {
    fixtures_dir()
        .join("manifest.json")
        .to_str()
        .unwrap()
        .to_owned()
}

/// Runs the suite (with `extra` arguments), returning the output and the JSON report.
fn suite(extra: &[&str]) -> (Output, Value) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let manifest = manifest();
    let mut args = vec![
        "conformance",
        "--manifest",
        &manifest,
        "--report",
        report.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = cxf(&args);
    assert!(
        report.is_file(),
        "no report; exit {:?}: {}",
        out.status.code(),
        stderr(&out)
    );
    (out, read_json(&report))
}

/// The results of one kind: (cases, pass, fail, lossy).
fn row(report: &Value, kind: &str) -> (u64, u64, u64, u64) {
    let r = &report["summary"][kind];
    let n = |k: &str| r[k].as_u64().unwrap();
    (n("cases"), n("pass"), n("fail"), n("lossy"))
}

fn results<'a>(report: &'a Value, kind: &str) -> impl Iterator<Item = &'a Value> {
    let kind = kind.to_owned();
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(move |c| c["kind"] == kind.as_str())
}

#[test]
fn our_library_passes_every_case() {
    let (out, report) = suite(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cases = read_json(&fixtures_dir().join("manifest.json"))["cases"]
        .as_array()
        .unwrap()
        .len() as u64;
    assert_eq!(
        row(&report, "total"),
        (cases, cases, 0, 0),
        "{}",
        stderr(&out)
    );
    for kind in ["valid", "quirk", "parse-invalid", "rule"] {
        let (n, pass, ..) = row(&report, kind);
        assert!(n > 0 && n == pass, "{kind}: {:?}", row(&report, kind));
    }
    // The table on stdout says the same.
    let text = stdout(&out);
    assert!(text.contains("(in-process)"), "{text}");
    let total = text.lines().find(|l| l.starts_with("total")).unwrap();
    let numbers: Vec<&str> = total.split_whitespace().skip(1).collect();
    assert_eq!(numbers, [&cases.to_string(), &cases.to_string(), "0", "0"]);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn cat_as_an_adapter_fails_the_invalid_cases() {
    // `cat` accepts everything and writes the input back unchanged.
    let (out, report) = suite(&["--adapter", "cat {}"]);
    assert_eq!(out.status.code(), Some(1));
    let (n, pass, ..) = row(&report, "valid");
    assert_eq!(n, pass, "valid documents are canonical: cat passes them");
    let (n, _, fail, _) = row(&report, "parse-invalid");
    assert_eq!(n, fail, "every parse-invalid case must fail");
    for c in results(&report, "parse-invalid") {
        assert_eq!(c["result"], "fail");
        assert_eq!(c["detail"], "accepted, must be rejected", "{c}");
    }
    // Rule cases that must be rejected fail; quirks come back unnormalised: lossy.
    let totp = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "invalid/rule-totp.digits--totp-digits-zero")
        .unwrap();
    assert_eq!(totp["result"], "fail");
    let exporter = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "quirks/wd-exporter")
        .unwrap();
    assert_eq!(exporter["result"], "lossy");
    assert!(
        exporter["detail"]
            .as_str()
            .unwrap()
            .starts_with("output differs from cxf/quirks/wd-exporter.canonical.json at /exporter"),
        "{exporter}"
    );
    assert!(stderr(&out).contains("FAIL  invalid/item-missing-id: accepted, must be rejected"));
}

#[test]
fn an_adapter_that_rejects_everything_fails_the_valid_cases() {
    // Exits 1 and names a pointer that no case expects.
    let (out, report) = suite(&["--adapter", "sh -c 'echo /nowhere; exit 1' sh {}"]);
    assert_eq!(out.status.code(), Some(1));
    let (n, _, fail, _) = row(&report, "valid");
    assert_eq!(n, fail);
    for c in results(&report, "parse-invalid") {
        assert_eq!(c["result"], "fail", "{c}");
        assert!(
            c["detail"]
                .as_str()
                .unwrap()
                .starts_with("rejected at \"/nowhere\", expected"),
            "{c}"
        );
    }
    // Without a pointer, a rejection of an invalid document passes.
    let (_, report) = suite(&["--adapter", "false"]);
    let (n, pass, ..) = row(&report, "parse-invalid");
    assert_eq!(n, pass);
    let (n, _, fail, _) = row(&report, "valid");
    assert_eq!(n, fail);
}

#[test]
fn our_cli_as_an_adapter_reads_and_rejects_like_the_library() {
    // `cxf convert --from cxf --to cxf` reads (and normalises) without validating: it passes
    // every valid and parse-invalid case; only the rule cases that must be rejected fail.
    let adapter = format!(
        "{} convert {{}} --from cxf --to cxf",
        env!("CARGO_BIN_EXE_cxf")
    );
    let (out, report) = suite(&["--adapter", &adapter]);
    assert_eq!(out.status.code(), Some(1));
    for kind in ["valid", "parse-invalid"] {
        let (n, pass, ..) = row(&report, kind);
        assert_eq!(n, pass, "{kind}: {}", stderr(&out));
    }
    for c in results(&report, "rule").filter(|c| c["result"] != "pass") {
        assert_eq!(c["detail"], "accepted, must be rejected", "{c}");
    }
}

#[test]
fn a_slow_adapter_times_out() {
    // A suite of one case, in a directory of its own.
    let dir = tempfile::tempdir().unwrap();
    let src = fixtures_dir().join("cxf/valid/header-minimal.json");
    std::fs::create_dir_all(dir.path().join("cxf/valid")).unwrap();
    std::fs::copy(&src, dir.path().join("cxf/valid/header-minimal.json")).unwrap();
    let manifest = serde_json::json!({
        "suite": "one case", "validationNow": 0,
        "cases": [{
            "id": "valid/header-minimal", "path": "cxf/valid/header-minimal.json",
            "kind": "valid", "description": "x",
            "expect": {"outcome": "accept", "canonical": "cxf/valid/header-minimal.json", "notes": []}
        }]
    });
    let path = dir.path().join("manifest.json");
    std::fs::write(&path, manifest.to_string()).unwrap();
    let start = std::time::Instant::now();
    let out = cxf(&[
        "conformance",
        "--manifest",
        path.to_str().unwrap(),
        "--adapter",
        "sh -c 'exec sleep 30' sh {}",
        "--timeout",
        "1",
    ]);
    assert!(start.elapsed().as_secs() < 20);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("timed out after 1 s"),
        "{}",
        stderr(&out)
    );
    // The same suite with our library passes.
    let out = cxf(&["conformance", "--manifest", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let missing = cxf(&["conformance", "--manifest", "/nonexistent/manifest.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("--manifest"),
        "{}",
        stderr(&missing)
    );
    let manifest = manifest();
    let absent = cxf(&[
        "conformance",
        "--manifest",
        &manifest,
        "--adapter",
        "/nonexistent/adapter {}",
    ]);
    assert_eq!(absent.status.code(), Some(2));
    assert!(stderr(&absent).contains("cannot start the adapter"));
    let quote = cxf(&[
        "conformance",
        "--manifest",
        &manifest,
        "--adapter",
        "a 'b {}",
    ]);
    assert_eq!(quote.status.code(), Some(2));
    assert!(stderr(&quote).contains("unterminated"));
    assert!(!Path::new("/nonexistent").exists());
}

#[test]
fn help_has_examples() {
    let out = cxf(&["conformance", "--help"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for needle in [
        "--adapter './my-adapter {}'",
        "Exit codes: 0",
        "lossy",
        "--report",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    // The top-level help lists the command.
    assert!(stdout(&cxf(&["--help"])).contains("conformance"));
}
