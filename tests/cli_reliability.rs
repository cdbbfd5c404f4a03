//! Reliability of the `cxf` binary when the world misbehaves: an output directory that is
//! read-only or full, and SIGINT in the middle of a conversion. In every case the command fails
//! (or succeeds) as a whole: no partial or temporary output is left, and the input is untouched.
//!
//! The read-only and full directories are real: a read-only bind mount and a tiny tmpfs, made
//! in a private mount namespace (`unshare -m`, available to root, which CI runs as). Where that
//! is not possible the test says SKIPPED (or, for a non-root user, uses `chmod 0555`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use cxf_workspace_tests::{fixture_files, fixtures_dir};

const CXF: &str = env!("CARGO_BIN_EXE_cxf");

/// A valid fixture with secrets, copied into `dir` (so the test can check it stays untouched).
fn input_in(dir: &Path) -> PathBuf {
    let src = fixture_files(&fixtures_dir().join("cxf/valid"))
        .into_iter()
        .find(|p| std::fs::read_to_string(p).unwrap().contains("\"passkey\""))
        .expect("a valid fixture with a passkey");
    let dst = dir.join("input.json");
    std::fs::copy(src, &dst).unwrap();
    dst
}

/// Bytes and modification time of a file, to check it was not touched.
fn snapshot(path: &Path) -> (Vec<u8>, std::time::SystemTime) {
    (
        std::fs::read(path).unwrap(),
        std::fs::metadata(path).unwrap().modified().unwrap(),
    )
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// Whether this process may make a private mount namespace and mount in it.
fn can_mount() -> bool {
    Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs -o size=4k tmpfs /mnt 2>/dev/null || mount -t tmpfs -o size=4k tmpfs \"$(mktemp -d)\""])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `sh -c script` in a private mount namespace with `args` as `$1`, `$2`, ...
fn in_namespace(script: &str, args: &[&str]) -> Output {
    Command::new("unshare")
        .args(["-m", "sh", "-c", script, "sh"])
        .args(args)
        .output()
        .expect("run unshare")
}

#[test]
fn read_only_output_directory_leaves_nothing_and_input_untouched() {
    let work = tempfile::tempdir().unwrap();
    let input = input_in(work.path());
    let before = snapshot(&input);
    let out_dir = work.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out_file = out_dir.join("export.json");
    let (i, d, o) = (
        input.to_str().unwrap(),
        out_dir.to_str().unwrap(),
        out_file.to_str().unwrap(),
    );
    let out = if can_mount() {
        in_namespace(
            r#"mount --bind -o ro "$2" "$2" && touch "$2/probe" 2>/dev/null && exit 99
               exec "$4" convert "$1" --to cxf -o "$3" --report "$2/report.json""#,
            &[i, d, o, CXF],
        )
    } else if !is_root() {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&out_dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        let report = out_dir.join("report.json");
        Command::new(CXF)
            .args([
                "convert",
                i,
                "--to",
                "cxf",
                "-o",
                o,
                "--report",
                report.to_str().unwrap(),
            ])
            .output()
            .unwrap()
    } else {
        eprintln!("SKIPPED: root without mount namespaces: a read-only directory cannot be made");
        return;
    };
    assert_ne!(
        out.status.code(),
        Some(99),
        "the bind mount is not read-only"
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "I/O error expected: {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("cannot"), "{}", stderr(&out));
    assert_eq!(
        names(&out_dir),
        Vec::<String>::new(),
        "output left in a read-only directory"
    );
    assert_eq!(snapshot(&input), before, "input changed");
}

#[test]
fn full_output_directory_leaves_nothing_and_input_untouched() {
    if !can_mount() {
        eprintln!("SKIPPED: no mount namespace: a full file system cannot be made");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let input = input_in(work.path());
    let before = snapshot(&input);
    let out_dir = work.path().join("full");
    std::fs::create_dir(&out_dir).unwrap();
    // A 64 KiB tmpfs filled to the last block; `cxf` runs there, then the script lists what is
    // left in the directory (the tmpfs disappears with the namespace).
    let script = r#"mount -t tmpfs -o size=64k tmpfs "$2" || exit 98
        dd if=/dev/zero of="$2/filler" bs=4096 2>/dev/null
        "$3" convert "$1" --to cxf -o "$2/export.json"
        rc=$?
        echo "rc=$rc"
        ls -A "$2"
        exit 0"#;
    let out = in_namespace(
        script,
        &[input.to_str().unwrap(), out_dir.to_str().unwrap(), CXF],
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("rc=2"),
        "I/O error expected\n{text}\n{}",
        stderr(&out)
    );
    let left: Vec<&str> = lines.collect();
    assert_eq!(
        left,
        ["filler"],
        "partial or temporary output left on a full disk"
    );
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
    assert_eq!(snapshot(&input), before, "input changed");
}

/// A conversion whose report cannot be written fails as a whole: no output either.
///
/// Regression (found by the reliability suite, fixed): `convert` writes (and renames) the output first and the report after it, so a
/// report that cannot be written gives exit 2 with the plaintext output left in place.
#[test]
fn failed_report_leaves_no_output() {
    if !can_mount() {
        eprintln!("SKIPPED: no mount namespace: a read-only directory cannot be made");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let input = input_in(work.path());
    let (out_dir, ro_dir) = (work.path().join("out"), work.path().join("ro"));
    std::fs::create_dir(&out_dir).unwrap();
    std::fs::create_dir(&ro_dir).unwrap();
    let out = in_namespace(
        r#"mount --bind -o ro "$3" "$3" || exit 98
           exec "$4" convert "$1" --to cxf -o "$2/export.json" --report "$3/report.json""#,
        &[
            input.to_str().unwrap(),
            out_dir.to_str().unwrap(),
            ro_dir.to_str().unwrap(),
            CXF,
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        names(&out_dir),
        Vec::<String>::new(),
        "output left although convert failed"
    );
}

/// A CXF vault of `items` logins (about 400 bytes each).
fn big_vault(items: usize) -> Vec<u8> {
    let mut s = String::with_capacity(items * 420 + 512);
    s.push_str(r#"{"version":{"major":1,"minor":0},"exporterRpId":"big.example","exporterDisplayName":"Big","timestamp":1700000000,"accounts":[{"id":"YWNjb3VudA","username":"u","email":"u@big.example","collections":[],"items":["#);
    for i in 0..items {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"{{"id":"aXRlbS0{i:08}","title":"Login {i}","scope":{{"urls":["https://site{i}.big.example/"],"androidApps":[]}},"credentials":[{{"type":"basic-auth","username":{{"fieldType":"string","value":"user{i}@big.example"}},"password":{{"fieldType":"concealed-string","value":"secret-password-{i}"}}}}]}}"#
        ));
    }
    s.push_str("]}]}");
    s.into_bytes()
}

fn sigint(pid: u32) {
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success(), "kill -INT failed");
}

/// SIGINT while `cxf convert` still reads its input (stdin kept open): nothing is written.
#[test]
fn sigint_while_reading_leaves_no_output() {
    let work = tempfile::tempdir().unwrap();
    let out_file = work.path().join("export.json");
    let mut child = Command::new(CXF)
        .args([
            "convert",
            "-",
            "--to",
            "cxf",
            "-o",
            out_file.to_str().unwrap(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let vault = big_vault(100);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&vault[..vault.len() / 2]).unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    sigint(child.id());
    let status = child.wait().unwrap();
    drop(stdin);
    assert!(!status.success(), "convert of a half-read input succeeded");
    assert_eq!(
        names(work.path()),
        Vec::<String>::new(),
        "output left after SIGINT"
    );
}

/// SIGINT at the worst moment: as soon as the temporary output file appears next to the target
/// (while the converted vault is being written and synced). Afterwards there must be either no
/// output at all or the complete output, never a temporary file with plaintext credentials.
///
/// Regression (found by the reliability suite, fixed): `cxf` does not handle SIGINT, so the default action kills it before the
/// `tempfile` destructor can remove `.cxf-*.tmp`, which is left holding the plaintext vault.
#[test]
fn sigint_during_write_leaves_no_partial_output() {
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("vault.json");
    std::fs::write(&input, big_vault(40_000)).unwrap();
    let before = snapshot(&input);
    let out_dir = work.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out_file = out_dir.join("export.json");
    let mut interrupted = 0;
    for attempt in 0..3 {
        let _ = std::fs::remove_file(&out_file);
        let mut child = Command::new(CXF)
            .args([
                "convert",
                input.to_str().unwrap(),
                "--to",
                "cxf",
                "-o",
                out_file.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Poll for the temporary file; bounded so a hung child cannot hang the test.
        let start = Instant::now();
        let mut sent = false;
        while start.elapsed() < Duration::from_secs(120) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if names(&out_dir).iter().any(|n| n.starts_with(".cxf-")) {
                sigint(child.id());
                sent = true;
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        if !sent {
            let _ = child.kill();
        }
        let status = child.wait().unwrap();
        interrupted += usize::from(sent);
        let left = names(&out_dir);
        let temps: Vec<_> = left.iter().filter(|n| n.starts_with(".cxf-")).collect();
        assert!(
            temps.is_empty(),
            "attempt {attempt}: temporary output left after SIGINT: {temps:?}"
        );
        if out_file.exists() {
            let written = std::fs::read(&out_file).unwrap();
            let parsed = cxf::Document::parse(&written, &cxf::Limits::default());
            assert!(
                parsed.is_ok(),
                "attempt {attempt}: partial output (status {status})"
            );
        }
    }
    assert!(
        interrupted > 0,
        "the temporary file was never seen: the test did not test anything"
    );
    assert_eq!(snapshot(&input), before, "input changed");
}

/// Runs `cxf args` with stdout (or stderr) connected to a pipe whose reader is already gone,
/// the way `cxf inspect FILE | head -0` ends. Returns (exit code, stderr or "").
fn with_closed(stream: &str, args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let mut cmd = Command::new(CXF);
    cmd.args(args).stdin(Stdio::null());
    let out = if stream == "stdout" {
        cmd.stdout(writer).stderr(Stdio::piped()).output().unwrap()
    } else {
        cmd.stderr(writer).stdout(Stdio::null()).output().unwrap()
    };
    (out.status.code(), stderr(&out))
}

/// A reader that goes away (`| head`) ends output quietly: no panic (exit 101), and the exit
/// code is still the command's verdict, so `cxf validate f | head; echo ${PIPESTATUS[0]}` works.
#[test]
fn closed_pipe_is_a_normal_end_of_output() {
    let valid = fixture_files(&fixtures_dir().join("cxf/valid"))[0].clone();
    let invalid = fixtures_dir().join("cxf/invalid/account-missing-email.json");
    let (valid, invalid) = (valid.to_str().unwrap(), invalid.to_str().unwrap());
    let cases: &[(&str, &[&str], i32)] = &[
        ("stdout", &["inspect", valid], 0),
        ("stdout", &["inspect", "--format", "json", valid], 0),
        ("stdout", &["validate", "--format", "json", invalid], 1),
        ("stdout", &["validate", "--format", "json", valid], 0),
        ("stderr", &["validate", invalid], 1),
        ("stderr", &["validate", valid], 0),
        ("stdout", &["schema"], 0),
        ("stdout", &["formats"], 0),
        ("stdout", &["convert", valid, "--to", "cxf"], 0),
        ("stderr", &["inspect", "/nonexistent/export.json"], 2),
    ];
    for (stream, args, want) in cases {
        let (code, err) = with_closed(stream, args);
        assert!(!err.contains("panicked"), "cxf {args:?} panicked: {err}");
        assert_eq!(
            code,
            Some(*want),
            "cxf {args:?} with {stream} closed: {err}"
        );
    }
}
