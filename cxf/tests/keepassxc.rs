//! KeePassXC itself accepts the KeePass XML we write: the planted document (every credential
//! type, a passkey with PRF, largeBlob and a display name) is written as KeePass XML, imported
//! into a new `.kdbx` by `keepassxc-cli import`, exported again with `keepassxc-cli export`,
//! and what KeePassXC kept is compared with the source: titles, user names, passwords, URLs,
//! tags and the passkeys (the `KPEX_PASSKEY_*` attributes and our `passkey.*` ones) of every item.
//!
//! Needs `keepassxc-cli` (Debian package `keepassxc`); prints a SKIPPED line without it.

mod keepassxc_cli;
use keepassxc_cli::*;

use cxf::formats::{self, Format, ReadOptions};

#[test]
fn keepassxc_imports_our_xml() {
    if !cli_available("keepassxc_imports_our_xml") {
        return;
    }
    let doc = planted_doc();
    let (xml, _) = formats::write(Format::KeepassXml, &doc).unwrap();
    let dir = TempDir::new("xml");
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
