//! Helpers shared by the workspace-level tests.

use std::path::{Path, PathBuf};

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
