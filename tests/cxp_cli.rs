//! The file-based CXP commands as a user runs them: `request`, `respond`, `open`, `reencrypt`.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cxf_workspace_tests::{fixture_files, fixtures_dir};

fn cxf(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cxf"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run cxf")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn export_fixture() -> PathBuf {
    fixture_files(&fixtures_dir().join("cxf/valid"))
        .into_iter()
        .find(|p| std::fs::read_to_string(p).unwrap().contains("\"passkey\""))
        .expect("a valid fixture with a passkey")
}

fn canonical(path: &Path) -> Vec<u8> {
    let parsed =
        cxf::Document::parse(&std::fs::read(path).unwrap(), &cxf::Limits::default()).unwrap();
    parsed.document.to_json_vec().to_vec()
}

#[test]
fn request_respond_open_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let export = export_fixture();
    let out = cxf(
        dir,
        &[
            "request",
            "-o",
            "request.json",
            "--key-out",
            "importer.key",
            "--importer",
            "vault.example",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mode = std::fs::metadata(dir.join("importer.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "key file mode {mode:o}");
    let request = std::fs::read_to_string(dir.join("request.json")).unwrap();
    assert!(request.contains("\"importer\":\"vault.example\""));
    assert!(
        !request.contains("\"d\""),
        "private key material in the request"
    );

    // Existing outputs are not overwritten.
    let again = cxf(
        dir,
        &["request", "-o", "request.json", "--key-out", "importer.key"],
    );
    assert_eq!(code(&again), 2, "{}", stderr(&again));
    assert!(stderr(&again).contains("--overwrite"));

    for profile in ["cxf-toolkit-v1", "bitwarden-2024", "raw-deflate"] {
        if profile != "cxf-toolkit-v1" {
            let out = cxf(
                dir,
                &[
                    "request",
                    "-o",
                    "request.json",
                    "--key-out",
                    "importer.key",
                    "--overwrite",
                ],
            );
            assert_eq!(code(&out), 0, "{}", stderr(&out));
        }
        let resp = cxf(
            dir,
            &[
                "respond",
                "--request",
                "request.json",
                export.to_str().unwrap(),
                "-o",
                "response.json",
                "--exporter",
                "old.example",
                "--profile",
                profile,
                "--overwrite",
            ],
        );
        assert_eq!(code(&resp), 0, "{}", stderr(&resp));
        let response = std::fs::read(dir.join("response.json")).unwrap();
        let original = std::fs::read(&export).unwrap();
        let secret = String::from_utf8_lossy(&original);
        assert!(!String::from_utf8_lossy(&response).contains(&secret[secret.len() / 2..][..40]));

        let open = cxf(
            dir,
            &[
                "open",
                "--response",
                "response.json",
                "--key",
                "importer.key",
                "-o",
                "opened.json",
                "--overwrite",
            ],
        );
        assert_eq!(code(&open), 0, "{profile}: {}", stderr(&open));
        assert_eq!(
            std::fs::read(dir.join("opened.json")).unwrap(),
            canonical(&export)
        );
        assert_eq!(
            std::fs::metadata(dir.join("opened.json"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
        // Single use: the key is gone.
        assert!(!dir.join("importer.key").exists());
        let replay = cxf(
            dir,
            &[
                "open",
                "--response",
                "response.json",
                "--key",
                "importer.key",
                "-o",
                "again.json",
            ],
        );
        assert_eq!(code(&replay), 2, "{}", stderr(&replay));
    }
}

#[test]
fn tampered_or_foreign_responses_are_refused_with_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let export = export_fixture();
    assert_eq!(
        code(&cxf(
            dir,
            &["request", "-o", "a.json", "--key-out", "a.key"]
        )),
        0
    );
    assert_eq!(
        code(&cxf(
            dir,
            &["request", "-o", "b.json", "--key-out", "b.key"]
        )),
        0
    );
    let resp = cxf(
        dir,
        &[
            "respond",
            "--request",
            "a.json",
            export.to_str().unwrap(),
            "-o",
            "resp.json",
        ],
    );
    assert_eq!(code(&resp), 0, "{}", stderr(&resp));

    // B's key cannot open A's response.
    let foreign = cxf(
        dir,
        &[
            "open",
            "--response",
            "resp.json",
            "--key",
            "b.key",
            "--keep-key",
            "-o",
            "x.json",
        ],
    );
    assert_eq!(code(&foreign), 1, "{}", stderr(&foreign));
    assert!(
        stderr(&foreign).contains("decryption failed"),
        "{}",
        stderr(&foreign)
    );
    assert!(!dir.join("x.json").exists());
    assert!(
        dir.join("b.key").exists(),
        "a failed open must not consume the key"
    );

    // One changed payload character.
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("resp.json")).unwrap()).unwrap();
    let payload = v["payload"].as_str().unwrap().to_owned();
    let mid = payload.len() / 2;
    let flipped = if &payload[mid..=mid] == "A" { "B" } else { "A" };
    v["payload"] = format!("{}{}{}", &payload[..mid], flipped, &payload[mid + 1..]).into();
    std::fs::write(dir.join("tampered.json"), v.to_string()).unwrap();
    let out = cxf(
        dir,
        &[
            "open",
            "--response",
            "tampered.json",
            "--key",
            "a.key",
            "--keep-key",
            "-o",
            "y.json",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(!dir.join("y.json").exists());
}

#[test]
fn unanswerable_requests_get_an_error_response() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let export = export_fixture();
    std::fs::write(
        dir.join("req.json"),
        r#"{"version":0,"hpke":[{"mode":"base","kem":33,"kdf":3,"aead":2}],"importer":"x"}"#,
    )
    .unwrap();
    let out = cxf(
        dir,
        &[
            "respond",
            "--request",
            "req.json",
            export.to_str().unwrap(),
            "-o",
            "resp.json",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("resp.json")).unwrap()).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"version": 0, "error": "incompatible-hpke-parameters"})
    );
    // The importer sees the refusal, not a crypto error.
    assert_eq!(
        code(&cxf(
            dir,
            &["request", "-o", "r.json", "--key-out", "k.key"]
        )),
        0
    );
    let open = cxf(
        dir,
        &[
            "open",
            "--response",
            "resp.json",
            "--key",
            "k.key",
            "-o",
            "o.json",
        ],
    );
    assert_eq!(code(&open), 1);
    assert!(
        stderr(&open).contains("incompatible-hpke-parameters"),
        "{}",
        stderr(&open)
    );
}

#[test]
fn reencrypt_moves_an_export_to_another_importer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let export = export_fixture();
    assert_eq!(
        code(&cxf(
            dir,
            &["request", "-o", "a.json", "--key-out", "a.key"]
        )),
        0
    );
    assert_eq!(
        code(&cxf(
            dir,
            &["request", "-o", "b.json", "--key-out", "b.key"]
        )),
        0
    );
    let resp = cxf(
        dir,
        &[
            "respond",
            "--request",
            "a.json",
            export.to_str().unwrap(),
            "-o",
            "resp-a.json",
            "--profile",
            "bitwarden-2024",
        ],
    );
    assert_eq!(code(&resp), 0, "{}", stderr(&resp));
    let re = cxf(
        dir,
        &[
            "reencrypt",
            "--response",
            "resp-a.json",
            "--key",
            "a.key",
            "--request",
            "b.json",
            "-o",
            "resp-b.json",
        ],
    );
    assert_eq!(code(&re), 0, "{}", stderr(&re));
    assert!(!dir.join("a.key").exists());
    let open = cxf(
        dir,
        &[
            "open",
            "--response",
            "resp-b.json",
            "--key",
            "b.key",
            "-o",
            "out.json",
        ],
    );
    assert_eq!(code(&open), 0, "{}", stderr(&open));
    assert_eq!(
        std::fs::read(dir.join("out.json")).unwrap(),
        canonical(&export)
    );
}

#[test]
fn open_require_binding_refuses_only_unbound_profiles() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let export = export_fixture();
    for (profile, bound) in [("cxf-toolkit-v1", true), ("bitwarden-2024", false)] {
        for require in [true, false] {
            let req = cxf(
                dir,
                &[
                    "request",
                    "-o",
                    "request.json",
                    "--key-out",
                    "importer.key",
                    "--overwrite",
                ],
            );
            assert_eq!(code(&req), 0, "{}", stderr(&req));
            let resp = cxf(
                dir,
                &[
                    "respond",
                    "--request",
                    "request.json",
                    export.to_str().unwrap(),
                    "-o",
                    "response.json",
                    "--profile",
                    profile,
                    "--overwrite",
                ],
            );
            assert_eq!(code(&resp), 0, "{}", stderr(&resp));
            let mut args = vec![
                "open",
                "--response",
                "response.json",
                "--key",
                "importer.key",
                "-o",
                "opened.json",
                "--overwrite",
                "--keep-key",
            ];
            if require {
                args.push("--require-binding");
            }
            let open = cxf(dir, &args);
            let label = format!("{profile} require={require}");
            if bound || !require {
                assert_eq!(code(&open), 0, "{label}: {}", stderr(&open));
                assert_eq!(
                    std::fs::read(dir.join("opened.json")).unwrap(),
                    canonical(&export),
                    "{label}"
                );
            } else {
                assert_eq!(code(&open), 1, "{label}: {}", stderr(&open));
                assert!(
                    stderr(&open).contains("does not bind the request")
                        && stderr(&open).contains("cxf-toolkit-v1"),
                    "{label}: {}",
                    stderr(&open)
                );
            }
            let _ = std::fs::remove_file(dir.join("opened.json"));
        }
    }
}

#[test]
fn help_has_examples() {
    let tmp = tempfile::tempdir().unwrap();
    for cmd in ["request", "respond", "open", "reencrypt"] {
        let out = cxf(tmp.path(), &[cmd, "--help"]);
        assert_eq!(code(&out), 0);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Examples:"),
            "{cmd}"
        );
    }
}
