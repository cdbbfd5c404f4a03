//! Helpers shared by the workspace-level tests.

pub mod manifest;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The fixtures directory (`CXF_FIXTURES` overrides it, to try a corpus in progress).
pub fn fixtures_dir() -> PathBuf {
    std::env::var_os("CXF_FIXTURES").map_or_else(|| repo_root().join("fixtures"), PathBuf::from)
}

/// The shared sample exports, when `CXF_SHARED_SAMPLES` points at them.
pub fn shared_samples() -> Option<PathBuf> {
    std::env::var_os("CXF_SHARED_SAMPLES")
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
}

/// Fixture files (not sidecars) of a directory, sorted.
pub fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".json")
                && !name.ends_with(".expect.json")
                && !name.ends_with(".canonical.json")
        })
        .collect();
    files.sort();
    files
}

/// The sidecar `NAME.<suffix>` of fixture `NAME.json`.
pub fn sidecar(fixture: &Path, suffix: &str) -> PathBuf {
    let stem = fixture
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("fixture name");
    fixture.with_file_name(format!("{stem}.{suffix}"))
}

/// Reads a JSON file.
pub fn read_json(path: &Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A synthetic CXF 1.0 vault of `items` items (logins with URLs, every fifth a passkey), built
/// as text so that tests in debug builds make it quickly. Item titles are numbered.
pub fn synthetic_vault_json(items: usize) -> Vec<u8> {
    use std::fmt::Write;
    // A fixed P-256 PKCS#8 key (test data only).
    const KEY: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgeTP87qCi_LIs6S59cdzaRHKExE8WXw6dQdn84fO-7eKhRANCAARsYbFoXUM1wwfld1mUOZWkLIPIVhclLYmZEdXJ5JKwUTyJXWjl9fBVoQJpBeCJnQm-yYtO2CNw-u40QjttqFx8";
    let mut out = String::with_capacity(items * 420 + 256);
    out.push_str(r#"{"version":{"major":1,"minor":0},"exporterRpId":"synthetic.example","exporterDisplayName":"Synthetic","timestamp":1767225600,"accounts":[{"id":"QUNDT1VOVA","username":"","email":"user@example.com","collections":[],"items":["#);
    for n in 0..items {
        if n > 0 {
            out.push(',');
        }
        let id = format!("aXRlbS0{n:09}");
        let _ = write!(
            out,
            r#"{{"id":"{id}","creationAt":1700000000,"modifiedAt":1750000000,"title":"site {n}","scope":{{"urls":["https://site{n}.example.com/login"],"androidApps":[]}},"credentials":[{{"type":"basic-auth","username":{{"fieldType":"string","value":"user{n}@example.com"}},"password":{{"fieldType":"concealed-string","value":"pw-{n}-correct-horse"}}}}"#
        );
        if n % 5 == 0 {
            let _ = write!(
                out,
                r#",{{"type":"passkey","credentialId":"Y3JlZC0{n:09}","rpId":"site{n}.example.com","username":"user{n}","userDisplayName":"User {n}","userHandle":"dXNlci0{n:09}","key":"{KEY}"}}"#
            );
        }
        out.push_str("]}");
    }
    out.push_str("]}]}");
    out.into_bytes()
}

/// Runs `bin` with `args` and no standard input (never a terminal, so nothing prompts).
pub fn run(bin: &str, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .output()
        .expect("run the binary")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The vault with a distinct value planted in every free-text place of every credential type
/// (`fixtures/planted/every-field.cxf.json`), as a command-line argument.
pub fn planted_vault() -> String {
    fixtures_dir()
        .join("planted/every-field.cxf.json")
        .to_str()
        .expect("UTF-8 path")
        .to_owned()
}

/// `dir/name` as a command-line argument.
pub fn path_in(dir: &Path, name: &str) -> String {
    dir.join(name).to_str().expect("UTF-8 path").to_owned()
}
