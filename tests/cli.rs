//! Tests of the `cxf` binary as a user runs it: exit codes, messages, outputs on disk.

use std::path::{Path, PathBuf};
use std::process::Output;

use cxf_workspace_tests::{fixture_files, fixtures_dir, run, stderr, stdout};

fn cxf(args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_cxf"), args)
}

fn valid(name: &str) -> PathBuf {
    fixtures_dir().join("cxf/valid").join(name)
}

/// A valid fixture with a passkey and a password, for checks that secrets stay hidden.
fn fixture_with_secrets() -> PathBuf {
    let all = fixture_files(&fixtures_dir().join("cxf/valid"));
    all.into_iter()
        .find(|p| std::fs::read_to_string(p).unwrap().contains("\"passkey\""))
        .expect("a valid fixture with a passkey")
}

#[test]
fn inspect_summarises_without_printing_secrets() {
    let file = fixture_with_secrets();
    let out = cxf(&["inspect", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("passkeys by relying party:"), "{text}");
    let doc =
        cxf::Document::parse(&std::fs::read(&file).unwrap(), &cxf::Limits::default()).unwrap();
    for item in &doc.document.accounts[0].items {
        for c in &item.credentials {
            if let cxf::Credential::Passkey(p) = c {
                assert!(text.contains(p.rp_id.as_str()));
                assert!(!text.contains(p.key.expose()), "passkey key printed");
                // Per-passkey details: credential id, COSE algorithm and public key.
                assert!(text.contains(&format!("credential id:   {}", p.credential_id.as_str())));
                let public = p.public_key_cose().expect("fixture keys are valid");
                assert!(text.contains(&format!("algorithm:       {}", public.algorithm)));
                assert!(text.contains(&format!("COSE key (hex):  {}", hex(&public.cose_key))));
                assert!(text.contains(&format!(
                    "COSE key (b64u): {}",
                    cxf::B64::encode(&public.cose_key).as_str()
                )));
            }
        }
    }
}

#[test]
fn inspect_json_counts_credentials_by_type() {
    let file = fixture_with_secrets();
    let out = cxf(&["inspect", "--format", "json", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["credentialsByType"]["passkey"].as_u64().unwrap() >= 1);
    assert_eq!(v["shape"], "header");
    let doc =
        cxf::Document::parse(&std::fs::read(&file).unwrap(), &cxf::Limits::default()).unwrap();
    let expected: Vec<&cxf::Passkey> = doc.document.accounts[0]
        .items
        .iter()
        .flat_map(|i| i.credentials.iter())
        .filter_map(|c| match c {
            cxf::Credential::Passkey(p) => Some(&**p),
            _ => None,
        })
        .collect();
    let listed = v["passkeys"].as_array().expect("passkeys array");
    assert_eq!(listed.len(), expected.len());
    for (got, p) in listed.iter().zip(expected) {
        let public = p.public_key_cose().unwrap();
        assert_eq!(got["rpId"], p.rp_id.as_str());
        assert_eq!(got["username"], p.username.as_str());
        assert_eq!(got["credentialId"], p.credential_id.as_str());
        assert_eq!(got["algorithm"], public.algorithm.name());
        assert_eq!(got["coseAlgorithm"], public.algorithm.id());
        assert_eq!(got["publicKeyCose"]["hex"], hex(&public.cose_key));
        assert_eq!(
            got["publicKeyCose"]["base64url"],
            cxf::B64::encode(&public.cose_key).as_str()
        );
        assert!(
            !got.to_string().contains(p.key.expose()),
            "private key printed"
        );
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn inspect_reports_the_es256_cose_key_of_a_p256_passkey() {
    // The passkey of vault-every-type.json: its COSE x/y are the public key of its PKCS#8
    // (checked against `openssl pkey -pubout` when the fixture was made).
    let out = cxf(&[
        "inspect",
        "--format",
        "json",
        valid("vault-every-type.json").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = &v["passkeys"][0];
    assert_eq!(p["coseAlgorithm"], -7);
    assert_eq!(
        p["publicKeyCose"]["hex"],
        "a501020326200121582075ed5ebbe0bf86bad10a5a3f2818d0bc6a8ba4b6c704f92f24dea0cc34173581225820b6514cd4c27178375d17b48c7190c1c3cf65badf467a1f9a6b2aa9a553f48e2a"
    );
}

#[test]
fn inspect_rejects_malformed_input_with_exit_1_and_pointer() {
    let file = fixtures_dir().join("cxf/invalid/passkey-missing-key.json");
    let out = cxf(&["inspect", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("/credentials/0/key"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_file_is_an_io_error_with_exit_2() {
    let out = cxf(&["inspect", "/nonexistent/file.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot open"), "{}", stderr(&out));
}

#[test]
fn convert_writes_canonical_cxf_atomically_with_0600() {
    let dir = tempfile::tempdir().unwrap();
    let quirk = fixture_files(&fixtures_dir().join("cxf/quirks"))
        .into_iter()
        .find(|p| p.file_name().unwrap().to_str().unwrap().contains("version"))
        .expect("a quirk fixture about version");
    let out_path = dir.path().join("out.json");
    let report = dir.path().join("report.json");
    let out = cxf(&[
        "convert",
        quirk.to_str().unwrap(),
        "--to",
        "cxf",
        "-o",
        out_path.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_path).unwrap()).unwrap();
    assert_eq!(
        written["version"],
        serde_json::json!({"major": 1, "minor": 0})
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert!(
        report["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["code"] == "wd-version-integer")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // No temporary file is left next to the output.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");
}

#[test]
fn convert_refuses_to_overwrite_without_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out.json");
    std::fs::write(&out_path, b"keep me").unwrap();
    let input = fixture_with_secrets();
    let args = [
        "convert",
        input.to_str().unwrap(),
        "--to",
        "cxf",
        "-o",
        out_path.to_str().unwrap(),
    ];
    let out = cxf(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--overwrite"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&out_path).unwrap(), b"keep me");
    let mut with_flag = args.to_vec();
    with_flag.push("--overwrite");
    assert!(cxf(&with_flag).status.success());
    assert_ne!(std::fs::read(&out_path).unwrap(), b"keep me");
}

#[test]
fn convert_of_invalid_input_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out.json");
    let bad = fixtures_dir().join("cxf/invalid/passkey-missing-key.json");
    let out = cxf(&[
        "convert",
        bad.to_str().unwrap(),
        "--to",
        "cxf",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!Path::new(&out_path).exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn unknown_format_is_a_usage_error() {
    let input = valid("does-not-matter.json");
    let out = cxf(&["convert", input.to_str().unwrap(), "--to", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown format"), "{}", stderr(&out));
}

#[test]
fn help_has_examples() {
    for cmd in ["inspect", "convert", "schema"] {
        let out = cxf(&[cmd, "--help"]);
        assert!(out.status.success());
        assert!(stdout(&out).contains("Examples:"), "{cmd}");
    }
}

#[test]
fn schema_prints_the_cxf_json_schema() {
    let out = cxf(&["schema"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("schema is JSON");
    assert_eq!(
        v["$id"],
        "https://example.invalid/cxf-toolkit/schemas/cxf-1.0.schema.json"
    );
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    // The embedded copy is the committed schema, byte for byte.
    let on_disk =
        std::fs::read(cxf_workspace_tests::repo_root().join("schemas/cxf-1.0.schema.json"))
            .unwrap();
    assert_eq!(out.stdout, on_disk);
}

#[test]
fn formats_lists_readers_and_writers() {
    let out = cxf(&["formats"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for name in [
        "cxf",
        "bitwarden-json",
        "chrome-csv",
        "apple-csv",
        "keepass-xml",
        "firefox-csv",
        "1password-1pux",
        "lastpass-csv",
        "dashlane-csv",
        "protonpass-json",
        "keepassxc-csv",
        "keepass-csv",
        "protonpass-csv",
        "nordpass-csv",
        "roboform-csv",
        "keeper-csv",
        "keeper-json",
        "1password-1pif",
        "enpass-json",
        "dashlane-json",
        "enpass-csv",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(name)),
            "{name} missing:\n{text}"
        );
    }
    let keepass = text.lines().find(|l| l.starts_with("keepass-xml")).unwrap();
    assert!(keepass.contains("yes   yes"), "{keepass}");
    // --managers: the README's table, one line per manager and direction.
    let out = cxf(&["formats", "--managers"]);
    assert!(out.status.success());
    let table = stdout(&out);
    let row = table
        .lines()
        .find(|l| l.starts_with("| Bitwarden | to |"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        row.contains("--to bitwarden-json") && row.contains("passkeys"),
        "{row}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("| Apple Passwords / iCloud Keychain | from")),
        "{table}"
    );
}

#[test]
fn convert_detects_the_input_format_and_reports_losses() {
    let dir = tempfile::tempdir().unwrap();
    let chrome = fixtures_dir().join("formats/chrome-csv/note-crlf-android.csv");
    let cxf_out = dir.path().join("vault.cxf.json");
    let out = cxf(&[
        "convert",
        chrome.to_str().unwrap(),
        "--to",
        "cxf",
        "-o",
        cxf_out.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("from chrome-csv to cxf"),
        "{}",
        stderr(&out)
    );
    // CXF -> Chrome CSV cannot carry timestamps: the report says so.
    let csv_out = dir.path().join("vault.csv");
    let report = dir.path().join("report.json");
    let out = cxf(&[
        "convert",
        cxf_out.to_str().unwrap(),
        "--to",
        "chrome-csv",
        "-o",
        csv_out.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(report["from"], "cxf");
    assert_eq!(report["to"], "chrome-csv");
    assert!(report["itemsRead"].as_u64().unwrap() >= 1);
    assert!(
        std::fs::read_to_string(&csv_out)
            .unwrap()
            .starts_with("name,url,username,password")
    );
}

#[test]
fn convert_says_what_a_recognised_but_unreadable_export_is() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("export.json");
    std::fs::write(
        &input,
        b"<?xml version=\"1.0\"?>\n<!DOCTYPE KEEPASSX_DATABASE>\n<database><group><title>Web</title><entry><title>Mail</title><password>keepassx-secret-1</password></entry></group></database>",
    )
    .unwrap();
    let out = cxf(&["convert", input.to_str().unwrap(), "--to", "cxf"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "this looks like a KeePassX XML export, which cxf cannot read yet (see `cxf formats`)"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn convert_to_a_read_only_format_is_refused() {
    let input = fixture_with_secrets();
    let out = cxf(&["convert", input.to_str().unwrap(), "--to", "lastpass-csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("can be read but not written"),
        "{}",
        stderr(&out)
    );
}

/// Items the target's importer would refuse are not counted as written, in the summary line
/// and in the report.
#[test]
fn convert_counts_refused_items_as_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.json");
    std::fs::write(
        &input,
        br#"{"version":{"major":1,"minor":0},"exporterRpId":"t.example","exporterDisplayName":"t","timestamp":1,
          "accounts":[{"id":"QQ","username":"","email":"","items":[
            {"id":"AQ","title":"ok","scope":{"urls":["https://ok.example/"]},"credentials":[{"type":"basic-auth","username":{"fieldType":"string","value":"u1"},"password":{"fieldType":"concealed-string","value":"pw1"}}]},
            {"id":"Ag","title":"no url","credentials":[{"type":"basic-auth","username":{"fieldType":"string","value":"u2"},"password":{"fieldType":"concealed-string","value":"pw2"}}]}]}]}"#,
    )
    .unwrap();
    let out = dir.path().join("out.csv");
    let report = dir.path().join("report.json");
    let o = cxf(&[
        "convert",
        input.to_str().unwrap(),
        "--to",
        "chrome-csv",
        "-o",
        out.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("1 items written"), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["itemsRead"], 2);
    assert_eq!(r["itemsWritten"], 1);
    assert_eq!(r["lost"][0]["reason"], "target-refuses");
}

/// A long conversion shows a progress bar (items done of the total) on a terminal; `--quiet`
/// and a non-terminal stderr show none. Needs `script` (util-linux) for the terminal.
#[test]
fn convert_shows_progress_on_a_terminal_only() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: `script` (util-linux) not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("vault.cxf.json");
    std::fs::write(&input, cxf_workspace_tests::synthetic_vault_json(3000)).unwrap();
    let on_terminal = |extra: &str, out: &str| {
        let command = format!(
            "{} convert {} --to chrome-csv -o {} {extra}",
            env!("CARGO_BIN_EXE_cxf"),
            input.display(),
            dir.path().join(out).display()
        );
        let o = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let shown = on_terminal("", "a.csv");
    assert!(shown.contains("/3000 items"), "no progress bar:\n{shown}");
    assert!(shown.contains("converted 3000 items"), "{shown}");
    let quiet = on_terminal("--quiet", "b.csv");
    assert!(
        !quiet.contains("/3000 items"),
        "--quiet showed progress:\n{quiet}"
    );
    assert!(quiet.contains("converted 3000 items"), "{quiet}");
    let out = dir.path().join("c.csv");
    let piped = cxf(&[
        "convert",
        input.to_str().unwrap(),
        "--to",
        "chrome-csv",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(piped.status.success(), "{}", stderr(&piped));
    assert!(
        !stderr(&piped).contains("/3000 items"),
        "{}",
        stderr(&piped)
    );
}
