//! Helpers shared by the `cxf` integration tests.

use std::path::{Path, PathBuf};

use cxf::formats::Format;
use serde_json::Value;

/// Sample folder name (in `CXF_SHARED_SAMPLES`) → the format its files are read as; folders of
/// formats we cannot read are absent.
pub(crate) fn sample_format(dir: &str) -> Option<Format> {
    Some(match dir {
        "1password-1pux" => Format::OnePassword1pux,
        "1password-csv" => Format::OnePasswordCsv,
        "bitwarden-csv" => Format::BitwardenCsv,
        "bitwarden-json" | "bitwarden-json-encrypted" => Format::BitwardenJson,
        "chrome-csv" => Format::ChromeCsv,
        "cxf" => Format::Cxf,
        "dashlane-csv" => Format::DashlaneCsv,
        "firefox-csv" => Format::FirefoxCsv,
        "keepass2-xml" => Format::KeepassXml,
        "lastpass-csv" => Format::LastpassCsv,
        "protonpass-json" => Format::ProtonpassJson,
        "protonpass-csv" => Format::ProtonpassCsv,
        "nordpass-csv" => Format::NordpassCsv,
        "roboform-csv" => Format::RoboformCsv,
        "keeper-csv" => Format::KeeperCsv,
        "safari-apple-passwords-csv" => Format::AppleCsv,
        "keeper-json" => Format::KeeperJson,
        "1password-1pif" => Format::OnePassword1pif,
        _ => return None,
    })
}

/// Every fixture beside its sidecar: (fixture path, sidecar JSON).
#[allow(dead_code)] // not every test crate that includes `common` uses it
pub(crate) fn fixture_cases(root: &Path) -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            let Some(stem) = name.strip_suffix(".expect.json") else {
                continue;
            };
            let fixture = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| {
                    let n = p.file_name().unwrap().to_string_lossy();
                    !n.ends_with(".expect.json")
                        && n.rsplit_once('.').is_some_and(|(s, _)| s == stem)
                })
                .unwrap_or_else(|| panic!("no fixture for {}", f.display()));
            let expect: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
            out.push((fixture, expect));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}
