//! End-to-end live transfers: `cxf receive` and `cxf send` as two real processes (and a test
//! process playing a hostile peer with the `cxp` library).

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cxf_workspace_tests::synthetic_vault_json;
use cxp::channel::{Address, ConnectOptions, PairingCode, connect};

const CXF: &str = env!("CARGO_BIN_EXE_cxf");

/// A running `cxf receive` with its pairing code and address read from its stable stderr lines.
struct Receiver {
    child: Child,
    code: String,
    address: String,
    stderr: BufReader<std::process::ChildStderr>,
}

impl Receiver {
    fn start(runtime: &Path, out: &Path, extra: &[&str]) -> Receiver {
        let mut child = Command::new(CXF)
            .arg("receive")
            .arg("-o")
            .arg(out)
            .args(extra)
            .env("XDG_RUNTIME_DIR", runtime)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start cxf receive");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let (mut code, mut address) = (String::new(), String::new());
        let mut line = String::new();
        while code.is_empty() || address.is_empty() {
            line.clear();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "receiver exited early"
            );
            if let Some(c) = line.strip_prefix("Pairing code: ") {
                code = c.trim().to_owned();
            } else if let Some(a) = line.strip_prefix("Listening on: ") {
                address = a.trim().to_owned();
            }
        }
        Receiver {
            child,
            code,
            address,
            stderr,
        }
    }

    /// Waits for the receiver; its exit code and the rest of its stderr.
    fn finish(mut self) -> (Option<i32>, String) {
        let mut rest = String::new();
        self.stderr.read_to_string(&mut rest).unwrap();
        let status = self.child.wait().unwrap();
        (status.code(), rest)
    }
}

fn send(runtime: &Path, input: &Path, code: &str, to: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(CXF);
    cmd.arg("send")
        .arg(input)
        .args(["--code", code])
        .env("XDG_RUNTIME_DIR", runtime);
    if let Some(to) = to {
        cmd.args(["--to", to]);
    }
    cmd.stdin(Stdio::null()).output().expect("run cxf send")
}

fn private_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    dir
}

fn parse(bytes: &[u8]) -> cxf::Document {
    cxf::Document::parse(bytes, &cxf::Limits::default())
        .expect("CXF")
        .document
}

#[test]
fn a_100k_item_vault_arrives_intact_through_discovery() {
    let dir = private_dir();
    let input = dir.path().join("vault.json");
    let vault = synthetic_vault_json(100_000);
    std::fs::write(&input, &vault).unwrap();
    let out = dir.path().join("received.json");
    let receiver = Receiver::start(dir.path(), &out, &[]);
    assert!(!out.exists(), "nothing is written before the transfer");
    // No --to: the single waiting receiver is found in the runtime directory.
    let sent = send(dir.path(), &input, &receiver.code, None);
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let (code, stderr) = receiver.finish();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("received 100000 items"), "{stderr}");
    assert_eq!(parse(&std::fs::read(&out).unwrap()), parse(&vault));
}

#[test]
fn a_wrong_code_fails_on_both_sides_and_writes_nothing() {
    let dir = private_dir();
    let input = dir.path().join("vault.json");
    std::fs::write(&input, synthetic_vault_json(3)).unwrap();
    let out = dir.path().join("received.json");
    let receiver = Receiver::start(dir.path(), &out, &[]);
    let wrong = PairingCode::generate();
    let wrong = wrong.expose();
    assert_ne!(wrong.as_str(), receiver.code);
    let sent = send(dir.path(), &input, &wrong, Some(&receiver.address));
    assert_eq!(sent.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&sent.stderr).contains("pairing failed"));
    let (code, stderr) = receiver.finish();
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("pairing failed"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn a_third_process_connecting_first_is_refused_and_closes_the_receiver() {
    let dir = private_dir();
    let input = dir.path().join("vault.json");
    std::fs::write(&input, synthetic_vault_json(3)).unwrap();
    let out = dir.path().join("received.json");
    let receiver = Receiver::start(dir.path(), &out, &[]);
    // The intruder guesses a code; it learns nothing and ends the receiver's single attempt.
    let guess = PairingCode::generate();
    let intruder = send(dir.path(), &input, &guess.expose(), Some(&receiver.address));
    assert_eq!(intruder.status.code(), Some(1));
    assert!(intruder.stdout.is_empty());
    // The legitimate sender, with the right code, now finds nobody.
    let late = send(
        dir.path(),
        &input,
        &receiver.code.clone(),
        Some(&receiver.address),
    );
    assert_ne!(late.status.code(), Some(0));
    let (code, _) = receiver.finish();
    assert_eq!(code, Some(1));
    assert!(!out.exists());
}

/// Plays the sender with the library: pairs, reads the request, then does `act`.
fn hostile_sender(receiver: &Receiver, act: impl FnOnce(&mut cxp::channel::Channel)) {
    let address: Address = receiver.address.parse().unwrap();
    let code: PairingCode = receiver.code.parse().unwrap();
    let mut channel = connect(Some(&address), &code, &ConnectOptions::default()).expect("pair");
    let _request = channel.recv().expect("request");
    act(&mut channel);
}

#[test]
fn a_replayed_response_from_another_request_is_refused() {
    let dir = private_dir();
    let p = |name: &str| dir.path().join(name);
    std::fs::write(p("vault.json"), synthetic_vault_json(3)).unwrap();
    // An old response, made for another request (file-based CXP).
    let run = |args: &[&str]| {
        let o = Command::new(CXF).args(args).output().unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    let s = |name: &str| p(name).to_str().unwrap().to_owned();
    run(&[
        "request",
        "-o",
        &s("old-request.json"),
        "--key-out",
        &s("old.key"),
    ]);
    run(&[
        "respond",
        "--request",
        &s("old-request.json"),
        &s("vault.json"),
        "-o",
        &s("old-response.json"),
    ]);
    let old = std::fs::read(p("old-response.json")).unwrap();

    let out = p("received.json");
    let receiver = Receiver::start(dir.path(), &out, &[]);
    hostile_sender(&receiver, |channel| channel.send(&old).unwrap());
    let (code, stderr) = receiver.finish();
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot open the sender's response"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn a_sender_that_disconnects_leaves_no_output() {
    let dir = private_dir();
    let out = dir.path().join("received.json");
    let receiver = Receiver::start(dir.path(), &out, &[]);
    hostile_sender(&receiver, |_channel| {});
    let (code, stderr) = receiver.finish();
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.to_lowercase().contains("closed") || stderr.contains("disconnect"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn a_stalled_sender_times_out_and_leaves_no_output() {
    let dir = private_dir();
    let out = dir.path().join("received.json");
    let receiver = Receiver::start(dir.path(), &out, &["--io-timeout", "1"]);
    hostile_sender(&receiver, |_channel| {
        std::thread::sleep(Duration::from_secs(3))
    });
    let (code, stderr) = receiver.finish();
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("timed out"), "{stderr}");
    assert!(!out.exists());
}
