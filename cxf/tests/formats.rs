//! Conformance of `cxf::formats` against the fixtures in `fixtures/formats/` (one table-driven
//! test over every `NAME.expect.json`), round trips through the writers, and an optional pass
//! over the real sample exports named by `CXF_SHARED_SAMPLES`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cxf::formats::{self, Detection, Format, LossReport, ReadOptions};
use cxf::{Collection, Credential, Document};
use serde_json::Value;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/formats")
}

fn count_collections(cs: &[Collection]) -> usize {
    cs.iter()
        .map(|c| 1 + count_collections(&c.sub_collections))
        .sum()
}

fn credential_counts(doc: &Document) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for a in &doc.accounts {
        for i in &a.items {
            for c in &i.credentials {
                *m.entry(c.type_name().to_owned()).or_insert(0) += 1;
            }
        }
    }
    m
}

fn items(doc: &Document) -> usize {
    doc.accounts.iter().map(|a| a.items.len()).sum()
}

fn loss_keys(loss: &LossReport, with_title: &[bool]) -> Vec<(Option<String>, String, String)> {
    let mut v: Vec<_> = loss
        .entries()
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let title = if with_title.get(i).copied().unwrap_or(true) {
                e.item_title.clone()
            } else {
                None
            };
            (title, e.what.clone(), e.reason.code().to_owned())
        })
        .collect();
    v.sort();
    v
}

/// Every fixture beside its sidecar: (fixture path, sidecar JSON).
fn cases() -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(fixtures_dir()).unwrap() {
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

fn options_for(expect: &Value) -> ReadOptions {
    let mut o = ReadOptions::default().with_timestamp(1_700_000_000);
    if let Some(p) = expect.get("password").and_then(Value::as_str) {
        o = o.with_password(p);
    }
    o
}

#[test]
fn fixtures_read_as_their_sidecars_say() {
    let cases = cases();
    assert!(
        cases.len() >= 20,
        "expected the fixture tree, found {} cases",
        cases.len()
    );
    let mut failures = Vec::new();
    for (path, expect) in &cases {
        let name = path
            .strip_prefix(fixtures_dir())
            .unwrap()
            .display()
            .to_string();
        let format: Format = expect["format"].as_str().unwrap().parse().unwrap();
        let bytes = std::fs::read(path).unwrap();
        let detected = formats::detect(&bytes);
        if detected != Detection::Certain(format) {
            failures.push(format!("{name}: detect gave {detected:?}, want {format}"));
        }
        let result = formats::read(format, &bytes, &options_for(expect));
        if let Some(code) = expect.get("error").and_then(Value::as_str) {
            match result {
                Err(e) if e.kind() == code => {}
                Err(e) => failures.push(format!("{name}: error {} ({e}), want {code}", e.kind())),
                Ok(_) => failures.push(format!("{name}: read succeeded, want error {code}")),
            }
            continue;
        }
        let (doc, loss) = match result {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("{name}: read failed: {e}"));
                continue;
            }
        };
        let want_items = expect["items"].as_u64().unwrap() as usize;
        if items(&doc) != want_items {
            failures.push(format!("{name}: {} items, want {want_items}", items(&doc)));
        }
        let cols: usize = doc
            .accounts
            .iter()
            .map(|a| count_collections(&a.collections))
            .sum();
        if cols != expect["collections"].as_u64().unwrap() as usize {
            failures.push(format!(
                "{name}: {cols} collections, want {}",
                expect["collections"]
            ));
        }
        let want: BTreeMap<String, u64> = expect["credentials"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect();
        let got = credential_counts(&doc);
        if got != want {
            failures.push(format!("{name}: credentials {got:?}, want {want:?}"));
        }
        let want_loss: Vec<Value> = expect["loss"].as_array().unwrap().clone();
        let mut want_keys: Vec<(Option<String>, String, String)> = want_loss
            .iter()
            .map(|l| {
                (
                    l.get("item").and_then(Value::as_str).map(str::to_owned),
                    l["what"].as_str().unwrap().to_owned(),
                    l["reason"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        want_keys.sort();
        // Entries the sidecar names without a title are compared without one.
        let untitled: Vec<bool> = loss
            .entries()
            .iter()
            .map(|e| {
                want_loss
                    .iter()
                    .any(|l| l.get("item").is_some() && l["what"] == e.what.as_str())
            })
            .collect();
        let got_keys = loss_keys(&loss, &untitled);
        if got_keys != want_keys {
            failures.push(format!("{name}: loss {got_keys:?}, want {want_keys:?}"));
        }
        // Whatever was read is valid CXF that re-parses to the same document.
        let json = doc.to_json_vec();
        match cxf::Document::parse(&json, &cxf::Limits::default()) {
            Ok(p) if p.document == doc => {}
            Ok(_) => failures.push(format!(
                "{name}: CXF output re-parses to a different document"
            )),
            Err(e) => failures.push(format!("{name}: CXF output does not parse: {e}")),
        }
        // Secrets never appear in Debug output or in the loss report.
        let debug = format!("{doc:?}{loss}");
        for secret in [
            "bw-pw-1",
            "hunter2",
            "JBSWY3DPEHPK3PXP",
            "4111111111111111",
            "kp-pw-1",
            "lp-pw-1",
        ] {
            if debug.contains(secret) {
                failures.push(format!(
                    "{name}: secret {secret} visible in Debug or loss report"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn wrong_password_is_one_opaque_error() {
    let bytes = std::fs::read(fixtures_dir().join("bitwarden-json/encrypted-pbkdf2.json")).unwrap();
    let e = formats::read(
        Format::BitwardenJson,
        &bytes,
        &ReadOptions::default().with_password("wrong"),
    )
    .unwrap_err();
    assert_eq!(e.kind(), "decryption-failed");
    assert_eq!(e.to_string(), "decryption failed; check the password");
    let e = formats::read(Format::BitwardenJson, &bytes, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), "password-required");
}

#[test]
fn bitwarden_passkey_maps_to_cxf_fields() {
    let bytes = std::fs::read(fixtures_dir().join("bitwarden-json/passkeys.json")).unwrap();
    let (doc, _) = formats::read(Format::BitwardenJson, &bytes, &ReadOptions::default()).unwrap();
    let pks: Vec<&cxf::Passkey> = doc.accounts[0]
        .items
        .iter()
        .flat_map(|i| &i.credentials)
        .filter_map(|c| {
            if let Credential::Passkey(p) = c {
                Some(&**p)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(pks.len(), 2);
    // A UUID credential id is its 16 bytes; a `b64.` id is the bytes after the prefix.
    assert_eq!(pks[0].credential_id.as_str(), "mW5yvTPfSyCYBcsJ2VpoTg");
    assert_eq!(pks[1].credential_id.as_str(), "yWVGTKYuK4jqNmNxpbgLng");
    assert_eq!(pks[0].rp_id, "webauthn.example");
    assert_eq!(pks[0].user_handle.as_str(), "dXNlci1oYW5kbGUtMDAx");
    assert!(pks[0].key.expose().starts_with("MIGHAgEAMBMGByqGSM49AgEG"));
}
