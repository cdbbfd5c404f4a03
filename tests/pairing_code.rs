//! The pairing code stays off the command line: a process of the same user that watches
//! `/proc/*/cmdline` for a `cxf send` must find no code to steal (and pair first with).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use cxf_workspace_tests::synthetic_vault_json;
use cxp::channel::{Address, ConnectOptions, PairingCode, connect};

const CXF: &str = env!("CARGO_BIN_EXE_cxf");

/// Items in the vault sent: enough that `cxf send` lives for a while (reading and parsing the
/// vault), so that the watcher sees its command line.
const ITEMS: usize = 20_000;

/// A running `cxf receive` and the code and address of its stable stderr lines.
struct Receiver {
    child: Child,
    code: String,
    address: String,
    /// Every stderr line read so far.
    lines: String,
    stderr: BufReader<std::process::ChildStderr>,
}

impl Receiver {
    fn start(runtime: &Path, out: &Path) -> Receiver {
        let mut child = Command::new(CXF)
            .arg("receive")
            .arg("-o")
            .arg(out)
            .env("XDG_RUNTIME_DIR", runtime)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start cxf receive");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let (mut code, mut address, mut lines) = (String::new(), String::new(), String::new());
        while !lines.contains("Waiting for the sender") {
            let mut line = String::new();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "receiver exited early: {lines}"
            );
            if let Some(c) = line.strip_prefix("Pairing code: ") {
                code = c.trim().to_owned();
            } else if let Some(a) = line.strip_prefix("Listening on: ") {
                address = a.trim().to_owned();
            }
            lines.push_str(&line);
        }
        assert!(!code.is_empty() && !address.is_empty(), "{lines}");
        Receiver {
            child,
            code,
            address,
            lines,
            stderr,
        }
    }

    fn finish(mut self) -> (Option<i32>, String) {
        self.stderr.read_to_string(&mut self.lines).unwrap();
        let status = self.child.wait().unwrap();
        (status.code(), self.lines)
    }
}

/// What the watcher saw.
#[derive(Default, Debug)]
struct Seen {
    /// Command lines of `cxf send` processes.
    send_cmdlines: Vec<String>,
    /// Whether any command line of any process held the code.
    code_seen: bool,
    /// Whether pairing with a stolen code succeeded.
    stolen_pairing: bool,
}

/// A process of the same user that scans every `/proc/PID/cmdline` for the code and, when it
/// finds it, pairs with the receiver before the real sender does.
struct Watcher {
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Seen>>,
    thread: JoinHandle<()>,
}

impl Watcher {
    fn start(code: &str, address: &str, steal: bool) -> Watcher {
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (code, address) = (code.to_owned(), address.to_owned());
        let thread = {
            let (stop, seen) = (stop.clone(), seen.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Ok(dir) = std::fs::read_dir("/proc") else {
                        return;
                    };
                    for entry in dir.flatten() {
                        let Ok(raw) = std::fs::read(entry.path().join("cmdline")) else {
                            continue;
                        };
                        let args: Vec<String> = raw
                            .split(|&b| b == 0)
                            .map(|a| String::from_utf8_lossy(a).into_owned())
                            .collect();
                        let mut seen = seen.lock().unwrap();
                        if args.first().is_some_and(|a| a.ends_with("/cxf"))
                            && args.get(1).is_some_and(|a| a == "send")
                        {
                            let line = args.join(" ");
                            if !seen.send_cmdlines.contains(&line) {
                                seen.send_cmdlines.push(line);
                            }
                        }
                        if args.iter().any(|a| a.contains(&code)) && !seen.code_seen {
                            seen.code_seen = true;
                            if steal {
                                let stolen: PairingCode = code.parse().unwrap();
                                let address: Address = address.parse().unwrap();
                                seen.stolen_pairing =
                                    connect(Some(&address), &stolen, &ConnectOptions::default())
                                        .is_ok();
                            }
                        }
                    }
                }
            })
        };
        Watcher { stop, seen, thread }
    }

    fn finish(self) -> Seen {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap();
        Arc::try_unwrap(self.seen).unwrap().into_inner().unwrap()
    }
}

fn private_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

fn parse(bytes: &[u8]) -> cxf::Document {
    cxf::Document::parse(bytes, &cxf::Limits::default())
        .expect("CXF")
        .document
}

#[test]
fn a_watcher_finds_no_code_to_steal_when_it_comes_from_a_file() {
    let dir = private_dir();
    let input = dir.path().join("vault.json");
    let vault = synthetic_vault_json(ITEMS);
    std::fs::write(&input, &vault).unwrap();
    let out = dir.path().join("received.json");
    let receiver = Receiver::start(dir.path(), &out);
    // The receiver's hint is the safe form: no code on the suggested command line.
    assert!(
        receiver
            .lines
            .contains("Waiting for the sender: run `cxf send FILE` and type this code"),
        "{}",
        receiver.lines
    );
    assert!(!receiver.lines.contains("--code"), "{}", receiver.lines);
    let watcher = Watcher::start(&receiver.code, &receiver.address, true);
    std::thread::sleep(Duration::from_millis(50));

    let code_file = dir.path().join("code.txt");
    std::fs::write(&code_file, format!("{}\n", receiver.code)).unwrap();
    let sent = Command::new(CXF)
        .arg("send")
        .arg(&input)
        .arg("--code-file")
        .arg(&code_file)
        .env("XDG_RUNTIME_DIR", dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let seen = watcher.finish();
    let sent_err = String::from_utf8_lossy(&sent.stderr);
    assert!(sent.status.success(), "{sent_err}");
    assert!(!sent_err.contains("warning"), "{sent_err}");
    assert!(
        !sent_err.contains(&receiver.code),
        "the code is never logged: {sent_err}"
    );

    // The watcher did look at the sender, and found nothing to steal.
    assert!(
        !seen.send_cmdlines.is_empty(),
        "the watcher never saw `cxf send` running"
    );
    assert!(!seen.code_seen, "code visible in a command line: {seen:?}");
    assert!(!seen.stolen_pairing);

    let (code, stderr) = receiver.finish();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("received {ITEMS} items")),
        "{stderr}"
    );
    assert_eq!(parse(&std::fs::read(&out).unwrap()), parse(&vault));
}

#[test]
fn the_code_can_come_from_stdin() {
    let dir = private_dir();
    let input = dir.path().join("vault.json");
    let vault = synthetic_vault_json(3);
    std::fs::write(&input, &vault).unwrap();
    let out = dir.path().join("received.json");
    let receiver = Receiver::start(dir.path(), &out);
    let mut send = Command::new(CXF)
        .arg("send")
        .arg(&input)
        .args(["--code-file", "-", "--to", &receiver.address])
        .env("XDG_RUNTIME_DIR", dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(send.stdin.take().unwrap(), "{}", receiver.code).unwrap();
    let sent = send.wait_with_output().unwrap();
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let (code, stderr) = receiver.finish();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(parse(&std::fs::read(&out).unwrap()), parse(&vault));
}

#[test]
fn a_code_on_the_command_line_still_works_but_warns_and_is_visible() {
    let dir = private_dir();
    let input = dir.path().join("vault.json");
    let vault = synthetic_vault_json(ITEMS);
    std::fs::write(&input, &vault).unwrap();
    let out = dir.path().join("received.json");
    let receiver = Receiver::start(dir.path(), &out);
    // This watcher only looks: it shows the exposure the warning is about.
    let watcher = Watcher::start(&receiver.code, &receiver.address, false);
    std::thread::sleep(Duration::from_millis(50));
    let sent = Command::new(CXF)
        .arg("send")
        .arg(&input)
        .args(["--code", &receiver.code])
        .env("XDG_RUNTIME_DIR", dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let seen = watcher.finish();
    let sent_err = String::from_utf8_lossy(&sent.stderr);
    assert!(sent.status.success(), "{sent_err}");
    assert!(
        sent_err.contains(
            "warning: --code puts the pairing code on the command line, where any process on \
             this machine can read it (/proc/PID/cmdline) and pair first; type it at the prompt \
             or use --code-file FILE instead"
        ),
        "{sent_err}"
    );
    assert!(seen.code_seen, "{seen:?}");
    let (code, stderr) = receiver.finish();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(parse(&std::fs::read(&out).unwrap()), parse(&vault));
}

#[test]
fn without_a_terminal_or_code_file_send_is_a_usage_error() {
    let dir = private_dir();
    let input = dir.path().join("vault.json");
    std::fs::write(&input, synthetic_vault_json(1)).unwrap();
    let out = Command::new(CXF)
        .arg("send")
        .arg(&input)
        .env("XDG_RUNTIME_DIR", dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no pairing code"), "{err}");
    assert!(err.contains("--code-file FILE"), "{err}");
    // --code and --code-file together are a usage error too.
    let both = Command::new(CXF)
        .arg("send")
        .arg(&input)
        .args(["--code", "7KD-4QX-9MZ", "--code-file", "-"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn send_help_shows_the_safe_forms_first() {
    let out = Command::new(CXF).args(["send", "--help"]).output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("Examples:"), "{help}");
    assert!(help.contains("--code-file"), "{help}");
    let examples = help.split("Examples:").nth(1).unwrap();
    for line in examples
        .lines()
        .filter(|l| l.trim_start().starts_with("cxf "))
    {
        assert!(
            !line.contains("--code "),
            "an example with the code as argument: {line}"
        );
    }
}
