//! `cxf convert` to and from KeePass 2 databases (`kdbx`): the password comes from
//! `--password-file` (never the command line) or a terminal prompt; without either the command
//! refuses with exit code 2 and writes nothing; the output is 0600; `--key-file` works both ways;
//! a wrong password is exit code 1. When `keepassxc-cli` is installed, it opens what we wrote.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use cxf_workspace_tests::{path_in as path, planted_vault as planted, run, stderr};

const PASSWORD: &str = "cli kdbx password";

fn cxf(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_cxf"), args)
}

fn items(cxf_json: &str) -> usize {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(cxf_json).unwrap()).unwrap();
    v["accounts"][0]["items"].as_array().unwrap().len()
}

#[test]
fn convert_to_kdbx_and_back_with_a_password_file() {
    let dir = tempfile::tempdir().unwrap();
    let (pw, db, back) = (
        path(dir.path(), "pw.txt"),
        path(dir.path(), "vault.kdbx"),
        path(dir.path(), "back.cxf.json"),
    );
    std::fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    let out = cxf(&[
        "convert",
        &planted(),
        "--to",
        "kdbx",
        "-o",
        &db,
        "--password-file",
        &pw,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains(PASSWORD));
    let bytes = std::fs::read(&db).unwrap();
    assert_eq!(&bytes[..8], b"\x03\xd9\xa2\x9a\x67\xfb\x4b\xb5");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&db).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    // Detected as kdbx, read with the same password.
    let out = cxf(&[
        "convert",
        &db,
        "--to",
        "cxf",
        "-o",
        &back,
        "--password-file",
        &pw,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("from kdbx to cxf"),
        "{}",
        stderr(&out)
    );
    assert_eq!(items(&back), items(&planted()));
    // A wrong password: exit 1, nothing written.
    let wrong = path(dir.path(), "wrong.txt");
    std::fs::write(&wrong, "not it\n").unwrap();
    let other = path(dir.path(), "other.cxf.json");
    let out = cxf(&[
        "convert",
        &db,
        "--to",
        "cxf",
        "-o",
        &other,
        "--password-file",
        &wrong,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("could not be decrypted"),
        "{}",
        stderr(&out)
    );
    assert!(!Path::new(&other).exists());
    // No password and no terminal: exit 1 with what to do.
    let out = cxf(&["convert", &db, "--to", "cxf", "-o", &other]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("--password-file"), "{}", stderr(&out));
    // `inspect` reads it too.
    let out = cxf(&["inspect", &db, "--password-file", &pw]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn convert_to_kdbx_without_a_password_refuses_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = path(dir.path(), "vault.kdbx");
    let out = cxf(&["convert", &planted(), "--to", "kdbx", "-o", &db]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("--password-file"), "{err}");
    assert!(err.contains("never taken on the command line"), "{err}");
    assert!(!Path::new(&db).exists());
    // There is no option that takes the password itself.
    let out = cxf(&[
        "convert",
        &planted(),
        "--to",
        "kdbx",
        "-o",
        &db,
        "--password",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!Path::new(&db).exists());
}

#[test]
fn key_files_protect_kdbx_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let (pw, key, db, back) = (
        path(dir.path(), "pw.txt"),
        path(dir.path(), "vault.key"),
        path(dir.path(), "vault.kdbx"),
        path(dir.path(), "back.cxf.json"),
    );
    std::fs::write(&pw, PASSWORD).unwrap();
    std::fs::write(&key, b"a key file: any file will do\n").unwrap();
    let with_key = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--password-file", &pw, "--key-file", &key]);
        cxf(&all)
    };
    let out = with_key(&["convert", &planted(), "--to", "kdbx", "-o", &db]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = cxf(&[
        "convert",
        &db,
        "--to",
        "cxf",
        "-o",
        &back,
        "--password-file",
        &pw,
    ]);
    assert_eq!(out.status.code(), Some(1), "the key file is needed");
    assert!(stderr(&out).contains("key file"), "{}", stderr(&out));
    let out = with_key(&["convert", &db, "--to", "cxf", "-o", &back]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(items(&back), items(&planted()));
    // KeePassXC opens it with the same password and key file.
    let found = Command::new("keepassxc-cli")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var_os("CXF_REQUIRE_KEEPASSXC").is_none(),
            "keepassxc-cli is required (CXF_REQUIRE_KEEPASSXC is set) but not found"
        );
        println!("SKIPPED key_files_protect_kdbx_both_ways (KeePassXC part): no keepassxc-cli");
        return;
    }
    let mut child = Command::new("keepassxc-cli")
        .args(["ls", "-q", "-R", "-f", "-k", &key, &db])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{PASSWORD}").unwrap();
    }
    let listed = child.wait_with_output().unwrap();
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert_eq!(
        listed.lines().filter(|l| !l.ends_with('/')).count(),
        items(&planted()),
        "{listed}"
    );
}

#[test]
fn formats_lists_kdbx_as_read_and_write() {
    let out = cxf(&["formats"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("kdbx")).unwrap();
    assert!(line.contains("yes   yes"), "{line}");
}
