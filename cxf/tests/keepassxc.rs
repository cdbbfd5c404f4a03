//! KeePassXC itself accepts the KeePass XML we write: the planted document (every credential
//! type, a passkey with PRF, largeBlob and a display name) is written as KeePass XML, imported
//! into a new `.kdbx` by `keepassxc-cli import`, exported again with `keepassxc-cli export`,
//! and what KeePassXC kept is compared with the source: titles, user names, passwords, URLs,
//! tags and the passkeys (the `KPEX_PASSKEY_*` attributes and our `passkey.*` ones) of every item.
//!
//! Needs `keepassxc-cli` (Debian package `keepassxc`); prints a SKIPPED line without it.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cxf::formats::{self, Format, ReadOptions};
use cxf::{Credential, Document, Item, Passkey};

const DB_PASSWORD: &str = "correct horse battery staple";

fn cli_available() -> bool {
    Command::new("keepassxc-cli")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `keepassxc-cli ARGS` with `stdin` fed to it; returns stdout, panics with stderr.
fn cli(args: &[&str], stdin: &str) -> Vec<u8> {
    let mut child = Command::new("keepassxc-cli")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("keepassxc-cli runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "keepassxc-cli {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("cxf-keepassxc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn planted_doc() -> Document {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/planted/every-field.cxf.json");
    Document::parse(&std::fs::read(path).unwrap(), &cxf::Limits::default())
        .unwrap()
        .document
}

/// What KeePassXC must keep of an item: title, first user name and password, URLs, passkeys.
#[derive(Debug, PartialEq)]
struct Kept {
    title: String,
    username: String,
    password: String,
    urls: Vec<String>,
    tags: Vec<String>,
    favorite: bool,
    passkeys: Vec<Passkey>,
}

fn kept(item: &Item) -> Kept {
    let auth = item.credentials.iter().find_map(|c| match c {
        Credential::BasicAuth(b) => Some(b),
        _ => None,
    });
    let value =
        |f: Option<&cxf::EditableField>| f.map_or(String::new(), |f| f.value.expose().to_owned());
    let passkeys: Vec<Passkey> = item
        .credentials
        .iter()
        .filter_map(|c| match c {
            Credential::Passkey(p) => Some((**p).clone()),
            _ => None,
        })
        .collect();
    // Without a basic-auth, the writer puts the passkey's user name in `UserName`.
    let username = match auth {
        Some(a) => value(a.username.as_ref()),
        None => passkeys
            .first()
            .map_or(String::new(), |p| p.username.as_str().to_owned()),
    };
    Kept {
        title: item.title.as_str().to_owned(),
        username,
        password: auth.map_or(String::new(), |a| value(a.password.as_ref())),
        urls: item
            .scope
            .iter()
            .flat_map(|s| &s.urls)
            .map(|u| u.as_str().to_owned())
            .collect(),
        tags: {
            // KeePassXC sorts tags.
            let mut t: Vec<String> = item.tags.iter().map(|t| t.as_str().to_owned()).collect();
            t.sort();
            t
        },
        favorite: item.favorite == Some(true),
        passkeys,
    }
}

fn kept_items(doc: &Document) -> Vec<Kept> {
    let mut v: Vec<Kept> = doc
        .accounts
        .iter()
        .flat_map(|a| &a.items)
        .map(kept)
        .collect();
    v.sort_by(|a, b| a.title.cmp(&b.title));
    v
}

#[test]
fn keepassxc_imports_our_xml() {
    if !cli_available() {
        // CI installs KeePassXC and sets CXF_REQUIRE_KEEPASSXC: there the test must run.
        assert!(
            std::env::var_os("CXF_REQUIRE_KEEPASSXC").is_none(),
            "keepassxc-cli is required (CXF_REQUIRE_KEEPASSXC is set) but not found"
        );
        println!(
            "SKIPPED keepassxc_imports_our_xml: keepassxc-cli not found (Debian package keepassxc)"
        );
        return;
    }
    let doc = planted_doc();
    let (xml, _) = formats::write(Format::KeepassXml, &doc).unwrap();
    let dir = TempDir::new();
    let xml_path = dir.0.join("ours.xml");
    let db_path = dir.0.join("imported.kdbx");
    std::fs::write(&xml_path, &xml[..]).unwrap();
    let (xml_arg, db_arg) = (xml_path.to_str().unwrap(), db_path.to_str().unwrap());
    // A short key derivation keeps the test fast; the password is asked twice.
    cli(
        &["import", "-q", "-p", "-t", "100", xml_arg, db_arg],
        &format!("{DB_PASSWORD}\n{DB_PASSWORD}\n"),
    );
    let exported = cli(
        &["export", "-q", "-f", "xml", db_arg],
        &format!("{DB_PASSWORD}\n"),
    );
    let (back, _) = formats::read(Format::KeepassXml, &exported, &ReadOptions::default()).unwrap();
    let (want, got) = (kept_items(&doc), kept_items(&back));
    assert_eq!(got.len(), want.len(), "KeePassXC kept every entry");
    for (w, g) in want.iter().zip(&got) {
        assert_eq!(g, w, "KeePassXC changed {:?}", w.title);
    }
    assert!(
        want.iter()
            .any(|k| k.passkeys.iter().any(|p| p.fido2_extensions.is_some())),
        "the source has a passkey with extensions"
    );
    // `show` reads the passkey attributes the way KeePassXC's browser integration does.
    let title = want
        .iter()
        .find(|k| !k.passkeys.is_empty())
        .map(|k| k.title.clone())
        .unwrap();
    let shown = cli(
        &[
            "show",
            "-q",
            "-s",
            "-a",
            "KPEX_PASSKEY_RELYING_PARTY",
            db_arg,
            &title,
        ],
        &format!("{DB_PASSWORD}\n"),
    );
    let want_rp = want
        .iter()
        .find(|k| k.title == title)
        .map(|k| k.passkeys[0].rp_id.as_str().to_owned())
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&shown).trim(), want_rp);
}
