//! `cxf convert --encrypt`: CXF inside an age file that the real `age` tool opens (and an age
//! file `age` wrote that cxf reads), Bitwarden's password-protected export, refusals.
//!
//! The `age` tool (Debian package `age`) reads passphrases only from a terminal: the tests run
//! it under `script` (util-linux), which gives it one. Without `age` or `script` those tests
//! print SKIPPED, unless `CXF_REQUIRE_AGE=1` (set by `.ci/run`) makes that a failure.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use cxf_workspace_tests::{path_in as path, planted_vault as planted, run, stderr};

const PASSPHRASE: &str = "cli age passphrase";

fn cxf(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_cxf"), args)
}

fn passphrase_file(dir: &Path) -> String {
    let pw = path(dir, "pw.txt");
    std::fs::write(&pw, format!("{PASSPHRASE}\n")).unwrap();
    pw
}

/// `cxf convert PLANTED --to TO --encrypt -o OUT --password-file PW`.
fn encrypt_planted(to: &str, out: &str, pw: &str) -> Output {
    cxf(&[
        "convert",
        &planted(),
        "--to",
        to,
        "--encrypt",
        "-o",
        out,
        "--password-file",
        pw,
    ])
}

/// `cxf convert INPUT --to cxf -o OUT --password-file PW` (the input's format detected).
fn to_cxf(input: &str, out: &str, pw: &str) -> Output {
    cxf(&[
        "convert",
        input,
        "--to",
        "cxf",
        "-o",
        out,
        "--password-file",
        pw,
    ])
}

/// Whether `age` and `script` are installed; fails instead when `CXF_REQUIRE_AGE=1`.
fn age_available() -> bool {
    let found = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    let ok = found("age") && found("script");
    if !ok {
        assert!(
            std::env::var("CXF_REQUIRE_AGE").as_deref() != Ok("1"),
            "CXF_REQUIRE_AGE=1 but `age` or `script` is not installed (apt-get install age)"
        );
        eprintln!("SKIPPED: `age` or `script` not installed");
    }
    ok
}

/// Runs the `age` tool with `args` on a terminal (`script`), typing `passphrase` at each of
/// `prompts` passphrase prompts.
fn age_on_a_terminal(args: &str, passphrase: &str, prompts: usize) -> Output {
    let mut child = Command::new("script")
        .args(["-qec", &format!("age {args}"), "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run script");
    let mut stdin = child.stdin.take().unwrap();
    for _ in 0..prompts {
        // Typed after the prompt has switched the terminal's echo off.
        std::thread::sleep(Duration::from_millis(700));
        stdin
            .write_all(format!("{passphrase}\n").as_bytes())
            .unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn cxf_in_an_age_file_opens_with_the_age_tool_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let (pw, sealed, plain, opened) = (
        passphrase_file(dir.path()),
        path(dir.path(), "vault.cxf.age"),
        path(dir.path(), "vault.cxf.json"),
        path(dir.path(), "opened.cxf.json"),
    );
    let out = encrypt_planted("cxf", &sealed, &pw);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains(PASSPHRASE));
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n-> scrypt "));
    // No secret of the planted vault shows through.
    assert!(
        !bytes.windows(7).any(|w| w == b"pv0013q"),
        "plaintext in the age file"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&sealed).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let out = cxf(&["convert", &planted(), "--to", "cxf", "-o", &plain]);
    assert!(out.status.success(), "{}", stderr(&out));
    let expected = std::fs::read(&plain).unwrap();

    // cxf reads it back transparently: convert (content detected), inspect, validate.
    let back = path(dir.path(), "back.cxf.json");
    let out = to_cxf(&sealed, &back, &pw);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(&back).unwrap(), expected);
    let out = cxf(&["inspect", &sealed, "--password-file", &pw]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The age file is opened first: what it holds is inspected as the CXF it is.
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("format:      CXF 1.0") && !shown.contains("read as CXF for inspection"),
        "{shown}"
    );
    let out = cxf(&["validate", &sealed, "--password-file", &pw]);
    assert!(out.status.success(), "{}", stderr(&out));

    if !age_available() {
        return;
    }
    let out = age_on_a_terminal(&format!("-d -o {opened} {sealed}"), PASSPHRASE, 1);
    assert!(
        out.status.success(),
        "age -d: {}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(&opened).unwrap(),
        expected,
        "age decrypts our file to the CXF document"
    );
}

#[test]
fn an_age_file_written_by_the_age_tool_is_read() {
    if !age_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (pw, sealed, back) = (
        passphrase_file(dir.path()),
        path(dir.path(), "by-age.age"),
        path(dir.path(), "back.cxf.json"),
    );
    let out = age_on_a_terminal(&format!("-p -o {sealed} {}", planted()), PASSPHRASE, 2);
    assert!(out.status.success(), "age -p: {}", stderr(&out));
    let out = to_cxf(&sealed, &back, &pw);
    assert!(out.status.success(), "{}", stderr(&out));
    let items = |p: &str| {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        v["accounts"][0]["items"].as_array().unwrap().len()
    };
    assert_eq!(items(&back), items(&planted()));
}

#[test]
fn age_input_without_or_with_a_wrong_passphrase_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (pw, sealed) = (
        passphrase_file(dir.path()),
        path(dir.path(), "vault.cxf.age"),
    );
    let out = encrypt_planted("cxf", &sealed, &pw);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = cxf(&["convert", &sealed, "--to", "cxf"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("age-encrypted file: pass --password-file"),
        "{}",
        stderr(&out)
    );
    let wrong = path(dir.path(), "wrong.txt");
    std::fs::write(&wrong, "not it\n").unwrap();
    let out = cxf(&["convert", &sealed, "--to", "cxf", "--password-file", &wrong]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("passphrase is wrong"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bitwarden_json_encrypt_writes_a_password_protected_export() {
    let dir = tempfile::tempdir().unwrap();
    let (pw, out_path, back) = (
        passphrase_file(dir.path()),
        path(dir.path(), "bitwarden.json"),
        path(dir.path(), "back.cxf.json"),
    );
    let out = encrypt_planted("bitwarden-json", &out_path, &pw);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&out_path).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["encrypted"], true);
    assert_eq!(v["passwordProtected"], true);
    assert_eq!(v["kdfType"], 1, "Argon2id");
    assert_eq!(
        (&v["kdfIterations"], &v["kdfMemory"], &v["kdfParallelism"]),
        (&3.into(), &64.into(), &4.into())
    );
    assert!(v["data"].as_str().unwrap().starts_with("2."));
    assert!(!text.contains("pv0013q"), "plaintext in the export");
    // Detected as Bitwarden JSON and opened with the password; the same items as a plain
    // Bitwarden export.
    let out = to_cxf(&out_path, &back, &pw);
    assert!(out.status.success(), "{}", stderr(&out));
    let plain = path(dir.path(), "plain.json");
    let out = cxf(&[
        "convert",
        &planted(),
        "--to",
        "bitwarden-json",
        "-o",
        &plain,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let plain_back = path(dir.path(), "plain-back.cxf.json");
    let out = cxf(&["convert", &plain, "--to", "cxf", "-o", &plain_back]);
    assert!(out.status.success(), "{}", stderr(&out));
    let items = |p: &str| {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        v["accounts"][0]["items"].clone()
    };
    let (a, b) = (items(&back), items(&plain_back));
    assert!(a.as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(a, b, "the encrypted export holds what the plain one holds");
}

#[test]
fn encrypt_is_refused_where_the_target_has_no_encrypted_form_or_no_password() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = path(dir.path(), "out.csv");
    let pw = passphrase_file(dir.path());
    let out = encrypt_planted("chrome-csv", &out_path, &pw);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no encrypted form; formats that do: cxf, bitwarden-json, kdbx"),
        "{}",
        stderr(&out)
    );
    assert!(!Path::new(&out_path).exists());
    let sealed = path(dir.path(), "out.age");
    let out = cxf(&[
        "convert",
        &planted(),
        "--to",
        "cxf",
        "--encrypt",
        "-o",
        &sealed,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("needs a password: pass --password-file"),
        "{}",
        stderr(&out)
    );
    assert!(!Path::new(&sealed).exists());
}
