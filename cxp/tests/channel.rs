//! End-to-end tests of `cxp::channel` over real sockets, threads and (where possible) two
//! processes. Every test uses its own private runtime directory and short timeouts.
#![cfg(unix)]

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::Duration;

use cxp::channel::{
    Address, Channel, ChannelError, ConnectOptions, Listener, ListenerOptions, PairingCode,
    Progress, Transport, connect,
};

/// Generous: pairing is slow in unoptimised builds on a loaded machine; tests that expect a
/// timeout set short ones explicitly.
const IO_TIMEOUT: Duration = Duration::from_secs(20);

struct Setup {
    _tmp: tempfile::TempDir,
    runtime: PathBuf,
    listen: ListenerOptions,
    connect: ConnectOptions,
    /// Timeout the receiver switches to once paired (short timeouts would also cut off the
    /// pairing, whose curve arithmetic is slow in unoptimised test builds).
    recv_timeout: Option<Duration>,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let runtime = tmp.path().join("cxf");
    let mut listen = ListenerOptions::default();
    listen.runtime_dir = Some(runtime.clone());
    listen.io_timeout = IO_TIMEOUT;
    listen.accept_timeout = Duration::from_secs(20);
    let mut connect = ConnectOptions::default();
    connect.runtime_dir = Some(runtime.clone());
    connect.io_timeout = IO_TIMEOUT;
    Setup {
        _tmp: tmp,
        runtime,
        listen,
        connect,
        recv_timeout: None,
    }
}

/// Deterministic pseudo-random bytes (xorshift64).
fn payload(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn code_of(listener: &Listener) -> PairingCode {
    listener.pairing_code().expose().parse().unwrap()
}

fn other_code(code: &PairingCode) -> PairingCode {
    loop {
        let other = PairingCode::generate();
        if &other != code {
            return other;
        }
    }
}

fn unix_path(address: &Address) -> PathBuf {
    match address {
        Address::Unix(path) => path.clone(),
        other => panic!("expected a unix address, got {other}"),
    }
}

#[test]
fn multi_megabyte_messages_flow_both_ways_over_a_unix_socket() {
    let s = setup();
    let listener = Listener::bind(s.listen.clone()).unwrap();
    let code = code_of(&listener);
    let socket = unix_path(listener.address());
    let advert = listener.discovery_file().unwrap().to_path_buf();
    assert!(listener.address().to_string().starts_with("unix:/"));

    // Socket 0600 in a 0700 directory of its own.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&socket), 0o600);
    assert_eq!(mode(socket.parent().unwrap()), 0o700);
    assert_eq!(mode(&advert), 0o600);

    let big = payload(3 * 1024 * 1024 + 123, 1);
    let expected = big.clone();
    let receiver = thread::spawn(move || {
        let mut channel = listener.accept().unwrap();
        channel.send(b"request").unwrap();
        let mut seen: Vec<Progress> = Vec::new();
        let got = channel.recv_with_progress(|p| seen.push(p)).unwrap();
        (got, seen)
    });
    let mut channel = connect(Some(&unix_path_address(&socket)), &code, &s.connect).unwrap();
    assert_eq!(&channel.recv().unwrap()[..], b"request");
    channel.send(&big).unwrap();
    let (got, seen) = receiver.join().unwrap();
    assert!(got[..] == expected[..], "message corrupted");
    assert!(
        seen.len() > 1,
        "a multi-megabyte message travels in several frames"
    );
    assert!(seen.windows(2).all(|w| w[0].done < w[1].done));
    assert_eq!(
        seen.last().unwrap(),
        &Progress {
            done: big.len() as u64,
            total: big.len() as u64
        }
    );

    // Accepting removed the socket, its directory and the discovery file.
    assert!(!socket.exists());
    assert!(!socket.parent().unwrap().exists());
    assert!(!advert.exists());
}

fn unix_path_address(path: &Path) -> Address {
    format!("unix:{}", path.display()).parse().unwrap()
}

#[test]
fn loopback_tcp_fallback_carries_a_message_and_empty_messages() {
    let mut s = setup();
    s.listen.transport = Transport::LoopbackTcp;
    let listener = Listener::bind(s.listen.clone()).unwrap();
    let address = listener.address().clone();
    assert!(address.to_string().starts_with("tcp:127.0.0.1:"));
    let code = code_of(&listener);
    let receiver = thread::spawn(move || {
        let mut channel = listener.accept().unwrap();
        (channel.recv().unwrap(), channel.recv().unwrap())
    });
    let big = payload(2 * 1024 * 1024 + 1, 2);
    // Found through discovery, as the common case of `cxf send` without `--to`.
    let mut channel = connect(None, &code, &s.connect).unwrap();
    channel.send(&big).unwrap();
    channel.send(b"").unwrap();
    let (first, second) = receiver.join().unwrap();
    assert!(first[..] == big[..]);
    assert!(second.is_empty());
    // The port is closed.
    assert!(
        std::net::TcpStream::connect(match address {
            Address::Tcp(a) => a,
            _ => unreachable!(),
        })
        .is_err()
    );
}

#[test]
fn discovery_needs_exactly_one_waiting_receiver() {
    let s = setup();
    let code = PairingCode::generate();
    assert!(matches!(
        connect(None, &code, &s.connect),
        Err(ChannelError::NoReceiver { .. })
    ));
    let a = Listener::bind(s.listen.clone()).unwrap();
    let b = Listener::bind(s.listen.clone()).unwrap();
    assert!(matches!(
        connect(None, &code, &s.connect),
        Err(ChannelError::SeveralReceivers { count: 2, .. })
    ));
    drop(b);
    let code_a = code_of(&a);
    let receiver = thread::spawn(move || a.accept().unwrap().recv().unwrap());
    let mut channel = connect(None, &code_a, &s.connect).unwrap();
    channel.send(b"found you").unwrap();
    assert_eq!(&receiver.join().unwrap()[..], b"found you");
    assert!(
        std::fs::read_dir(&s.runtime).unwrap().next().is_none(),
        "runtime dir left empty"
    );
}

#[test]
fn wrong_code_fails_on_both_sides_and_closes_the_listener() {
    let s = setup();
    let listener = Listener::bind(s.listen.clone()).unwrap();
    let address = listener.address().clone();
    let right = code_of(&listener);
    let wrong = other_code(&right);
    let receiver = thread::spawn(move || listener.accept());
    let sender = connect(Some(&address), &wrong, &s.connect);
    assert!(matches!(sender, Err(ChannelError::WrongCode)), "{sender:?}");
    let accepted = receiver.join().unwrap();
    assert!(
        matches!(accepted, Err(ChannelError::WrongCode)),
        "{accepted:?}"
    );
    assert!(!unix_path(&address).exists());

    // The right code is now useless: the listener is gone.
    let retry = connect(Some(&address), &right, &s.connect);
    assert!(matches!(retry, Err(ChannelError::Io { .. })), "{retry:?}");
    assert!(matches!(
        connect(None, &right, &s.connect),
        Err(ChannelError::NoReceiver { .. })
    ));
}

#[test]
fn a_third_party_connecting_first_learns_nothing_and_closes_the_listener() {
    let s = setup();
    let listener = Listener::bind(s.listen.clone()).unwrap();
    let address = listener.address().clone();
    let right = code_of(&listener);
    let receiver = thread::spawn(move || {
        let mut channel = listener.accept()?;
        channel.send(b"secret export request")?;
        Ok::<Channel, ChannelError>(channel)
    });
    // The third party guesses a code.
    let guess = other_code(&right);
    let attacker = connect(Some(&address), &guess, &s.connect);
    assert!(
        matches!(attacker, Err(ChannelError::WrongCode)),
        "{attacker:?}"
    );
    assert!(matches!(
        receiver.join().unwrap(),
        Err(ChannelError::WrongCode)
    ));
    // The legitimate sender can no longer connect; the user has to start a new receive.
    assert!(connect(Some(&address), &right, &s.connect).is_err());
}

#[test]
fn a_raw_third_party_gets_no_bytes_at_all() {
    let s = setup();
    let listener = Listener::bind(s.listen.clone()).unwrap();
    let socket = unix_path(listener.address());
    let receiver = thread::spawn(move || listener.accept());
    let mut raw = UnixStream::connect(&socket).unwrap();
    raw.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    // Read until the receiver hangs up (end of stream, or a reset because our request was
    // left unread): not one byte may come back.
    let mut answer = [0u8; 256];
    let received = raw.read(&mut answer).unwrap_or(0);
    assert_eq!(received, 0, "the receiver answered a non-sender");
    assert!(matches!(
        receiver.join().unwrap(),
        Err(ChannelError::Protocol(_))
    ));
    assert!(UnixStream::connect(&socket).is_err());
}

#[test]
fn a_silent_connection_times_out_the_handshake_and_an_absent_one_the_accept() {
    let mut s = setup();
    s.listen.io_timeout = Duration::from_millis(300);
    let listener = Listener::bind(s.listen.clone()).unwrap();
    let socket = unix_path(listener.address());
    let receiver = thread::spawn(move || listener.accept());
    let _silent = UnixStream::connect(&socket).unwrap();
    assert!(matches!(
        receiver.join().unwrap(),
        Err(ChannelError::Timeout { .. })
    ));

    s.listen.accept_timeout = Duration::from_millis(200);
    let listener = Listener::bind(s.listen.clone()).unwrap();
    let socket = unix_path(listener.address());
    assert!(matches!(
        listener.accept(),
        Err(ChannelError::Timeout { .. })
    ));
    assert!(!socket.exists());
}

#[test]
fn a_message_larger_than_the_receiver_accepts_is_refused_before_sending() {
    let mut s = setup();
    s.listen.limits.max_message_len = 1000;
    s.listen.limits.max_frame_len = 1024;
    let listener = Listener::bind(s.listen.clone()).unwrap();
    let code = code_of(&listener);
    let address = listener.address().clone();
    let receiver = thread::spawn(move || listener.accept().unwrap().recv().unwrap());
    let mut channel = connect(Some(&address), &code, &s.connect).unwrap();
    assert_eq!(channel.peer_limits().max_message_len, 1000);
    let refused = channel.send(&[0u8; 1001]);
    assert!(matches!(
        refused,
        Err(ChannelError::FrameTooLarge {
            len: 1001,
            max: 1000
        })
    ));
    // Still usable, and chunked to the receiver's small frames.
    let fits = payload(1000, 3);
    channel.send(&fits).unwrap();
    assert!(receiver.join().unwrap()[..] == fits[..]);
}

// ---------------------------------------------------------------------------------------------
// A man in the middle: a proxy that forwards the receiver's bytes untouched and hands each
// sender→receiver frame (4-byte prefix included; index 0 and 1 are the handshake) to a closure.

enum Step {
    Write(Vec<u8>),
    WriteThenStall(Vec<u8>),
    Close,
}

fn spawn_proxy(
    dir: &Path,
    target: Address,
    mut mangle: impl FnMut(usize, Vec<u8>) -> Step + Send + 'static,
) -> Address {
    let path = dir.join("proxy.sock");
    let listener = UnixListener::bind(&path).unwrap();
    thread::spawn(move || {
        let (mut from_sender, _) = listener.accept().unwrap();
        let mut to_receiver = UnixStream::connect(unix_path(&target)).unwrap();
        let mut back_from = to_receiver.try_clone().unwrap();
        let mut back_to = from_sender.try_clone().unwrap();
        thread::spawn(move || {
            let _ = std::io::copy(&mut back_from, &mut back_to);
            let _ = back_to.shutdown(std::net::Shutdown::Both);
        });
        for index in 0.. {
            let mut prefix = [0u8; 4];
            if from_sender.read_exact(&mut prefix).is_err() {
                break;
            }
            let mut frame = prefix.to_vec();
            frame.resize(4 + u32::from_be_bytes(prefix) as usize, 0);
            if from_sender.read_exact(&mut frame[4..]).is_err() {
                break;
            }
            match mangle(index, frame) {
                Step::Write(bytes) => {
                    if to_receiver.write_all(&bytes).is_err() {
                        break;
                    }
                }
                Step::WriteThenStall(bytes) => {
                    let _ = to_receiver.write_all(&bytes);
                    thread::sleep(Duration::from_secs(3));
                    break;
                }
                Step::Close => break,
            }
        }
        let _ = to_receiver.shutdown(std::net::Shutdown::Both);
        let _ = from_sender.shutdown(std::net::Shutdown::Both);
    });
    format!("unix:{}", path.display()).parse().unwrap()
}

/// Sends `messages` through a mangling proxy; returns what the receiver's `recv` calls gave.
fn through_proxy(
    s: &Setup,
    messages: Vec<Vec<u8>>,
    mangle: impl FnMut(usize, Vec<u8>) -> Step + Send + 'static,
) -> Vec<Result<usize, ChannelError>> {
    // Small frames, so that modest messages span several of them.
    let mut listen = s.listen.clone();
    listen.limits.max_frame_len = 64 * 1024;
    let listener = Listener::bind(listen).unwrap();
    let code = code_of(&listener);
    let proxy = spawn_proxy(s._tmp.path(), listener.address().clone(), mangle);
    let count = messages.len();
    let recv_timeout = s.recv_timeout;
    let receiver = thread::spawn(move || {
        let mut channel = listener.accept().unwrap();
        if let Some(timeout) = recv_timeout {
            channel.set_io_timeout(timeout).unwrap();
        }
        // One result per message; after the first error, one more call shows the channel
        // refuses further use.
        let mut results = Vec::new();
        for _ in 0..count {
            let result = channel.recv().map(|m| m.len());
            let failed = result.is_err();
            results.push(result);
            if failed {
                results.push(channel.recv().map(|m| m.len()));
                break;
            }
        }
        results
    });
    let connect_options = s.connect.clone();
    let sender = thread::spawn(move || {
        let mut channel = connect(Some(&proxy), &code, &connect_options).unwrap();
        for m in &messages {
            if channel.send(m).is_err() {
                break;
            }
        }
        // Keep the connection open until the receiver is done with it.
        let mut sink = [0u8; 1];
        let _ = channel.recv_with_progress(|_| {}).map(|_| sink[0] = 1);
    });
    let results = receiver.join().unwrap();
    sender.join().unwrap();
    results
}

fn is_err(r: &Result<usize, ChannelError>, pred: impl Fn(&ChannelError) -> bool) -> bool {
    matches!(r, Err(e) if pred(e))
}

#[test]
fn the_proxy_itself_is_transparent() {
    let s = setup();
    let results = through_proxy(&s, vec![vec![1; 10], vec![2; 300_000]], |_, f| {
        Step::Write(f)
    });
    assert_eq!(results[0].as_ref().unwrap(), &10);
    assert_eq!(results[1].as_ref().unwrap(), &300_000);
}

#[test]
fn a_replayed_frame_fails_and_poisons_the_channel() {
    let s = setup();
    let results = through_proxy(&s, vec![vec![1; 10], vec![2; 10]], |i, f| {
        if i == 2 {
            Step::Write([f.clone(), f].concat())
        } else {
            Step::Write(f)
        }
    });
    assert_eq!(results[0].as_ref().unwrap(), &10);
    assert!(
        is_err(&results[1], |e| matches!(e, ChannelError::DecryptionFailed)),
        "{results:?}"
    );
    assert!(is_err(&results[2], |e| matches!(e, ChannelError::Poisoned)));
}

#[test]
fn reordered_frames_fail() {
    let s = setup();
    let mut held = None;
    let results = through_proxy(&s, vec![vec![1; 10], vec![2; 10]], move |i, f| match i {
        2 => {
            held = Some(f);
            Step::Write(Vec::new())
        }
        3 => Step::Write([f, held.take().unwrap()].concat()),
        _ => Step::Write(f),
    });
    assert!(
        is_err(&results[0], |e| matches!(e, ChannelError::DecryptionFailed)),
        "{results:?}"
    );
}

#[test]
fn reordered_chunks_inside_one_large_message_fail() {
    let s = setup();
    let mut held = None;
    let results = through_proxy(&s, vec![payload(300_000, 4)], move |i, f| match i {
        3 => {
            held = Some(f);
            Step::Write(Vec::new())
        }
        4 => Step::Write([f, held.take().unwrap()].concat()),
        _ => Step::Write(f),
    });
    assert!(
        is_err(&results[0], |e| matches!(e, ChannelError::DecryptionFailed)),
        "{results:?}"
    );
}

#[test]
fn a_tampered_frame_fails() {
    let s = setup();
    let results = through_proxy(&s, vec![vec![7; 100]], |i, mut f| {
        if i == 2 {
            f[20] ^= 0x40;
        }
        Step::Write(f)
    });
    assert!(
        is_err(&results[0], |e| matches!(e, ChannelError::DecryptionFailed)),
        "{results:?}"
    );
}

#[test]
fn a_dropped_frame_fails() {
    let s = setup();
    let results = through_proxy(&s, vec![payload(300_000, 5)], |i, f| {
        Step::Write(if i == 3 { Vec::new() } else { f })
    });
    assert!(
        is_err(&results[0], |e| matches!(e, ChannelError::DecryptionFailed)),
        "{results:?}"
    );
}

#[test]
fn an_oversized_frame_is_refused_before_it_is_read() {
    let s = setup();
    let results = through_proxy(&s, vec![vec![7; 100]], |i, mut f| {
        if i == 2 {
            f[..4].copy_from_slice(&0x7fff_ffffu32.to_be_bytes());
        }
        Step::Write(f)
    });
    assert!(
        is_err(&results[0], |e| matches!(
            e,
            ChannelError::FrameTooLarge {
                len: 0x7fff_ffff,
                ..
            }
        )),
        "{results:?}"
    );
}

#[test]
fn a_disconnect_mid_transfer_is_reported() {
    let s = setup();
    let results = through_proxy(&s, vec![payload(300_000, 6)], |i, f| {
        if i == 4 { Step::Close } else { Step::Write(f) }
    });
    assert!(
        is_err(
            &results[0],
            |e| matches!(e, ChannelError::Disconnected { during } if during.contains("middle"))
        ),
        "{results:?}"
    );
}

#[test]
fn a_stalled_peer_hits_the_timeout() {
    let mut s = setup();
    s.recv_timeout = Some(Duration::from_millis(300));
    let results = through_proxy(&s, vec![payload(300_000, 7)], |i, f| {
        if i == 3 {
            let half = f.len() / 2;
            Step::WriteThenStall(f[..half].to_vec())
        } else {
            Step::Write(f)
        }
    });
    assert!(
        is_err(&results[0], |e| matches!(e, ChannelError::Timeout { .. })),
        "{results:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Two processes: the test binary re-runs itself as the sender.

const CHILD_ENV: &str = "CXP_CHANNEL_TEST_CHILD";

/// Not a test of its own: the body of the child process (does nothing when run normally).
#[test]
fn child_process_entry() {
    let Ok(role) = std::env::var(CHILD_ENV) else {
        return;
    };
    let var = |k: &str| std::env::var(k).unwrap();
    let mut options = ConnectOptions::default();
    options.runtime_dir = Some(PathBuf::from(var("CXP_TEST_RUNTIME")));
    options.io_timeout = IO_TIMEOUT;
    let code: PairingCode = var("CXP_TEST_CODE").parse().unwrap();
    match role.as_str() {
        "send" => {
            let len: usize = var("CXP_TEST_LEN").parse().unwrap();
            let mut channel = connect(None, &code, &options).unwrap();
            channel.send(&payload(len, 42)).unwrap();
            assert_eq!(&channel.recv().unwrap()[..], b"thanks");
        }
        "listen" => {
            let mut listen = ListenerOptions::default();
            listen.runtime_dir = options.runtime_dir.clone();
            let listener = Listener::bind(listen).unwrap();
            println!("LISTENING {}", listener.address());
            std::io::stdout().flush().unwrap();
            // Wait to be killed.
            thread::sleep(Duration::from_secs(60));
        }
        "refused" => {
            let address: Address = var("CXP_TEST_ADDRESS").parse().unwrap();
            let result = connect(Some(&address), &code, &options);
            assert!(
                matches!(
                    result,
                    Err(ChannelError::PeerRefused(_) | ChannelError::Io { .. })
                ),
                "{result:?}"
            );
        }
        other => panic!("unknown child role {other}"),
    }
}

/// The arguments that make the test binary run only [`child_process_entry`].
const CHILD_ARGS: [&str; 4] = [
    "--exact",
    "child_process_entry",
    "--test-threads=1",
    "--nocapture",
];

fn child(role: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(CHILD_ARGS).env(CHILD_ENV, role);
    cmd
}

/// Fails with the child's output if it failed.
fn expect_child_success(output: std::process::Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn two_processes_transfer_through_discovery() {
    let s = setup();
    let listener = Listener::bind(s.listen.clone()).unwrap();
    let len = 3 * 1024 * 1024 + 7;
    let process = child("send")
        .env("CXP_TEST_RUNTIME", &s.runtime)
        .env("CXP_TEST_CODE", listener.pairing_code().expose().as_str())
        .env("CXP_TEST_LEN", len.to_string())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut channel = listener.accept().unwrap();
    let got = channel.recv().unwrap();
    assert!(got[..] == payload(len, 42)[..]);
    channel.send(b"thanks").unwrap();
    expect_child_success(process.wait_with_output().unwrap(), "the sending process");
}

#[test]
fn a_sending_process_killed_mid_transfer_is_reported_as_a_disconnect() {
    let mut s = setup();
    // Small frames: the message is many frames, far more than the socket buffers hold.
    s.listen.limits.max_frame_len = 16 * 1024;
    let listener = Listener::bind(s.listen.clone()).unwrap();
    let len = 8 * 1024 * 1024;
    let mut process = child("send")
        .env("CXP_TEST_RUNTIME", &s.runtime)
        .env("CXP_TEST_CODE", listener.pairing_code().expose().as_str())
        .env("CXP_TEST_LEN", len.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut channel = listener.accept().unwrap();
    let mut killed = false;
    let mut last = Progress { done: 0, total: 0 };
    let result = channel.recv_with_progress(|p| {
        last = p;
        if !killed {
            // Kill the sender (the child this test started) after its first frame arrived.
            process.kill().unwrap();
            killed = true;
        }
    });
    process.wait().unwrap();
    assert!(killed);
    assert!(
        last.done < last.total,
        "the whole message arrived before the kill"
    );
    assert!(
        matches!(result, Err(ChannelError::Disconnected { during }) if during.contains("middle")),
        "{result:?}"
    );
}

#[test]
fn a_killed_receiver_is_not_found_and_its_files_are_cleaned_up() {
    let s = setup();
    let mut process = child("listen")
        .env("CXP_TEST_RUNTIME", &s.runtime)
        .env("CXP_TEST_CODE", "000-000-000")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(process.stdout.take().unwrap());
    let mut line = String::new();
    // libtest may print "test child_process_entry ... " on the same line first.
    let address: Address = loop {
        line.clear();
        assert_ne!(std::io::BufRead::read_line(&mut out, &mut line).unwrap(), 0);
        if let Some(at) = line.find("LISTENING ") {
            break line[at + "LISTENING ".len()..].trim().parse().unwrap();
        }
    };
    let socket = unix_path(&address);
    // Killed like Ctrl-C would: no destructor runs, the files stay behind.
    process.kill().unwrap();
    process.wait().unwrap();
    assert!(socket.exists(), "the killed receiver left its socket file");

    let code = PairingCode::generate();
    let found = connect(None, &code, &s.connect);
    assert!(
        matches!(found, Err(ChannelError::NoReceiver { .. })),
        "{found:?}"
    );
    assert!(!socket.exists() && !socket.parent().unwrap().exists());
    assert_eq!(std::fs::read_dir(&s.runtime).unwrap().count(), 0);
}

/// Another user (run as `nobody` through `setpriv`; needs root, skipped otherwise) is refused
/// on loopback TCP by user id, and cannot even reach the Unix socket.
#[test]
fn another_user_is_refused() {
    let is_root = rustix_like_geteuid() == 0;
    let setpriv = Path::new("/usr/bin/setpriv");
    if !is_root || !setpriv.exists() {
        eprintln!("skipped: needs root and setpriv to run a process as another user");
        return;
    }
    // `nobody` must be able to run this test binary (its path may not be traversable).
    let probe = Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(std::env::current_exe().unwrap())
        .arg("--list")
        .output()
        .unwrap();
    if !probe.status.success() {
        eprintln!("skipped: user nobody cannot run the test binary from this directory");
        return;
    }
    for transport in [Transport::LoopbackTcp, Transport::Unix] {
        let mut s = setup();
        s.listen.transport = transport;
        let listener = Listener::bind(s.listen.clone()).unwrap();
        let address = listener.address().to_string();
        let code = listener.pairing_code().expose().to_string();
        let receiver = thread::spawn(move || listener.accept());
        let exe = std::env::current_exe().unwrap();
        let output = Command::new(setpriv)
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&exe)
            .args(CHILD_ARGS)
            .env(CHILD_ENV, "refused")
            .env("CXP_TEST_RUNTIME", "/nonexistent")
            .env("CXP_TEST_CODE", &code)
            .env("CXP_TEST_ADDRESS", &address)
            .output()
            .unwrap();
        expect_child_success(output, "the process running as nobody");
        match transport {
            Transport::LoopbackTcp => {
                let result = receiver.join().unwrap();
                assert!(
                    matches!(result, Err(ChannelError::PeerRefused(_))),
                    "{result:?}"
                );
            }
            _ => {
                // The Unix socket was unreachable: the listener is still waiting; connect as
                // ourselves to finish it.
                let address: Address = address.parse().unwrap();
                let code: PairingCode = code.parse().unwrap();
                let mut channel = connect(Some(&address), &code, &s.connect).unwrap();
                channel.send(b"ok").unwrap();
                assert!(receiver.join().unwrap().is_ok());
            }
        }
    }
}

fn rustix_like_geteuid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    // The owner of a file we just created is our effective uid.
    let tmp = tempfile::NamedTempFile::new().unwrap();
    tmp.as_file().metadata().unwrap().uid()
}

#[test]
fn a_sender_dripping_its_hello_hits_the_handshake_deadline() {
    let mut s = setup();
    s.listen.io_timeout = Duration::from_millis(400);
    let listener = Listener::bind(s.listen.clone()).unwrap();
    let socket = unix_path(listener.address());
    let receiver = thread::spawn(move || listener.accept());
    let mut raw = UnixStream::connect(&socket).unwrap();
    // One byte every 100 ms never trips the per-read timeout, only the overall deadline.
    // Without the deadline the 40 bytes would all arrive and the receiver would then see
    // the stream end (Disconnected), not a Timeout.
    let dripper = thread::spawn(move || {
        let mut hello = vec![0, 0, 0, 51];
        hello.extend_from_slice(b"CXPC\x01S");
        for byte in hello.iter().cycle().take(40) {
            if raw.write_all(&[*byte]).is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(100));
        }
    });
    let result = receiver.join().unwrap();
    assert!(
        matches!(result, Err(ChannelError::Timeout { .. })),
        "{result:?}"
    );
    dripper.join().unwrap();
}

/// Pairs, then has the receiver answer one request after `delay`; the sender waits with
/// `first` as its timeout, then with `second` if given.
fn slow_answer(
    delay: Duration,
    first: Duration,
    second: Option<Duration>,
) -> Result<(), ChannelError> {
    let s = setup();
    let listener = Listener::bind(s.listen.clone()).unwrap();
    let code = code_of(&listener);
    let receiver = thread::spawn(move || {
        let mut channel = listener.accept().unwrap();
        channel.recv().unwrap();
        thread::sleep(delay);
        let _ = channel.send(b"answer");
    });
    let mut channel = connect(None, &code, &s.connect).unwrap();
    channel.send(b"question").unwrap();
    channel.set_io_timeout(first).unwrap();
    if let Some(second) = second {
        channel.set_io_timeout(second).unwrap();
    }
    let answer = channel.recv();
    receiver.join().unwrap();
    assert_eq!(&answer?[..], b"answer");
    Ok(())
}

#[test]
fn the_io_timeout_can_be_changed_once_paired() {
    let short = Duration::from_millis(300);
    let delay = Duration::from_millis(900);
    // Lowered: the slow answer times out.
    let lowered = slow_answer(delay, short, None);
    assert!(
        matches!(lowered, Err(ChannelError::Timeout { .. })),
        "{lowered:?}"
    );
    // Raised again (e.g. while the user consents on the other side): the answer arrives.
    slow_answer(delay, short, Some(Duration::from_secs(10))).unwrap();
}

#[test]
fn the_code_is_never_written_to_disk_nor_shown_by_debug() {
    let s = setup();
    let listener = Listener::bind(s.listen.clone()).unwrap();
    let shown = listener.pairing_code().expose().to_string();
    let compact = shown.replace('-', "");
    let debug = format!("{listener:?}");
    assert!(
        !debug.contains(&shown) && !debug.contains(&compact),
        "{debug}"
    );
    let mut files = 0;
    for entry in std::fs::read_dir(&s.runtime).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            files += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(!text.contains(&shown) && !text.contains(&compact));
            assert_eq!(text.trim(), listener.address().to_string());
        }
    }
    assert_eq!(files, 1, "exactly the discovery file");
}

#[test]
fn tcp_is_used_only_as_the_explicit_fallback() {
    // A runtime directory so deep that no Unix socket path fits in it (sun_path is ~108 bytes).
    let mut s = setup();
    let deep = s._tmp.path().join("d".repeat(120));
    std::fs::create_dir(&deep).unwrap();
    s.listen.runtime_dir = Some(deep.join("cxf"));
    s.connect.runtime_dir = s.listen.runtime_dir.clone();

    let unix_only = Listener::bind(s.listen.clone());
    assert!(
        matches!(unix_only, Err(ChannelError::Io { .. })),
        "{unix_only:?}"
    );
    let leftovers = std::fs::read_dir(deep.join("cxf")).unwrap().count();
    assert_eq!(
        leftovers, 0,
        "a failed bind left its private directory behind"
    );

    s.listen.transport = Transport::UnixThenLoopbackTcp;
    let listener = Listener::bind(s.listen.clone()).unwrap();
    assert!(matches!(listener.address(), Address::Tcp(a) if a.ip().is_loopback()));
    let code = code_of(&listener);
    let receiver = thread::spawn(move || listener.accept().unwrap().recv().unwrap());
    let mut channel = connect(None, &code, &s.connect).unwrap();
    channel.send(b"over tcp").unwrap();
    assert_eq!(&receiver.join().unwrap()[..], b"over tcp");
}
