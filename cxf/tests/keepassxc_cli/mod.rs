//! KeePassXC's command-line client and what it must keep of our items: shared by the tests
//! that hand our KeePass XML and `.kdbx` output to it. Each test uses a part of it.
#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cxf::{Credential, Document, Item, Passkey};

pub(crate) const DB_PASSWORD: &str = "correct horse battery staple";

pub(crate) fn cli_available(test: &str) -> bool {
    let found = Command::new("keepassxc-cli")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        // CI installs KeePassXC and sets CXF_REQUIRE_KEEPASSXC: there the test must run.
        assert!(
            std::env::var_os("CXF_REQUIRE_KEEPASSXC").is_none(),
            "keepassxc-cli is required (CXF_REQUIRE_KEEPASSXC is set) but not found"
        );
        println!("SKIPPED {test}: keepassxc-cli not found (Debian package keepassxc)");
    }
    found
}

/// Runs `keepassxc-cli ARGS` with `stdin` fed to it; returns stdout, panics with stderr.
pub(crate) fn cli(args: &[&str], stdin: &str) -> Vec<u8> {
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

pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("cxf-kdbx-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub(crate) fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn planted_doc() -> Document {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/planted/every-field.cxf.json");
    Document::parse(&std::fs::read(path).unwrap(), &cxf::Limits::default())
        .unwrap()
        .document
}

/// What KeePassXC must keep of an item: title, first user name and password, URLs, tags,
/// favourite mark, passkeys.
#[derive(Debug, PartialEq)]
pub(crate) struct Kept {
    pub(crate) title: String,
    pub(crate) username: String,
    pub(crate) password: String,
    pub(crate) urls: Vec<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) favorite: bool,
    pub(crate) passkeys: Vec<Passkey>,
}

pub(crate) fn kept(item: &Item) -> Kept {
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
    let mut tags: Vec<String> = item.tags.iter().map(|t| t.as_str().to_owned()).collect();
    tags.sort();
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
        tags,
        favorite: item.favorite == Some(true),
        passkeys,
    }
}

/// Everything of an item as our KeePass mapping reads it: the credentials as canonical JSON
/// (custom fields sorted: KeePassXC keeps attributes by name), the group path, the times.
#[derive(Debug, PartialEq)]
pub(crate) struct Entry {
    pub(crate) title: String,
    pub(crate) group: Vec<String>,
    pub(crate) credentials: Vec<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) times: (Option<u64>, Option<u64>),
}

pub(crate) fn group_paths(doc: &Document) -> Vec<(String, Vec<String>)> {
    fn walk(
        cs: &[cxf::Collection],
        path: &[String],
        doc: &Document,
        out: &mut Vec<(String, Vec<String>)>,
    ) {
        for c in cs {
            let mut p = path.to_vec();
            p.push(c.title.as_str().to_owned());
            for link in &c.items {
                let item = doc.accounts[0].items.iter().find(|i| i.id == link.item);
                if let Some(i) = item {
                    out.push((i.title.as_str().to_owned(), p.clone()));
                }
            }
            walk(&c.sub_collections, &p, doc, out);
        }
    }
    let mut out = Vec::new();
    walk(&doc.accounts[0].collections, &[], doc, &mut out);
    out
}

pub(crate) fn entries(doc: &Document) -> Vec<Entry> {
    let groups = group_paths(doc);
    let mut v: Vec<Entry> = doc.accounts[0]
        .items
        .iter()
        .map(|i| {
            let mut credentials: Vec<String> = i
                .credentials
                .iter()
                .map(|c| {
                    let mut json: serde_json::Value = serde_json::from_slice(
                        &cxf::Document {
                            accounts: vec![cxf::Account {
                                items: vec![Item {
                                    credentials: vec![c.clone()].into(),
                                    ..Item::default()
                                }]
                                .into(),
                                ..cxf::Account::default()
                            }],
                            ..Document::default()
                        }
                        .to_json_vec(),
                    )
                    .unwrap();
                    let mut cred = json["accounts"][0]["items"][0]["credentials"][0].take();
                    if let Some(fields) = cred.get_mut("fields").and_then(|f| f.as_array_mut()) {
                        for f in fields.iter_mut() {
                            f.as_object_mut().unwrap().remove("id");
                        }
                        fields.sort_by_key(|f| f["label"].as_str().unwrap_or("").to_owned());
                    }
                    cred.to_string()
                })
                .collect();
            credentials.sort();
            let mut tags: Vec<String> = i.tags.iter().map(|t| t.as_str().to_owned()).collect();
            tags.sort();
            Entry {
                title: i.title.as_str().to_owned(),
                group: groups
                    .iter()
                    .find(|(t, _)| t == i.title.as_str())
                    .map(|(_, g)| g.clone())
                    .unwrap_or_default(),
                credentials,
                tags,
                times: (i.creation_at, i.modified_at),
            }
        })
        .collect();
    v.sort_by(|a, b| a.title.cmp(&b.title));
    v
}

pub(crate) fn kept_items(doc: &Document) -> Vec<Kept> {
    let mut v: Vec<Kept> = doc
        .accounts
        .iter()
        .flat_map(|a| &a.items)
        .map(kept)
        .collect();
    v.sort_by(|a, b| a.title.cmp(&b.title));
    v
}
