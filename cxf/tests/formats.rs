//! Conformance of `cxf::formats` against the fixtures in `fixtures/formats/` (one table-driven
//! test over every `NAME.expect.json`), round trips through the writers, and an optional pass
//! over the real sample exports named by `CXF_SHARED_SAMPLES`.

mod common;
use common::sample_format;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cxf::formats::{self, Detection, Format, LossReport, ReadOptions, WriteOptions};
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
    common::fixture_cases(&fixtures_dir())
}

fn options_for(expect: &Value) -> ReadOptions {
    let mut o = ReadOptions::default().with_timestamp(1_750_000_000);
    if let Some(p) = expect.get("password").and_then(Value::as_str) {
        o = o.with_password(p);
    }
    if let Some(c) = expect.get("columns").and_then(Value::as_str) {
        o = o.with_columns(c.parse().unwrap());
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
        if format == Format::GenericCsv {
            // Never detected: only read when named, with the sidecar's column map.
            if detected == Detection::Certain(format) {
                failures.push(format!("{name}: detected as {format}"));
            }
        } else if detected != Detection::Certain(format) {
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
        // Whatever was read passes the validator: no errors, and no warnings except an item with
        // a login but no URL (the source had none).
        let report = cxf::validate(&doc);
        for d in &report.diagnostics {
            if d.severity != cxf::Severity::Info && d.rule != "scope.missing" {
                failures.push(format!(
                    "{name}: validator {} {} at {}: {}",
                    d.severity.as_str(),
                    d.rule,
                    d.pointer,
                    d.message
                ));
            }
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

/// The public keys (SEC1 uncompressed) stored in the COSE keys of the Proton Pass passkey
/// fixture, as `fixtures/tools/make_format_fixtures.py` built them.
const PROTON_PUBLIC_KEYS: [&str; 2] = [
    "04937bef36c472f786e37fce03738a53718b3777127b50ac42a04f6aed4329bc32a76742957368743ce8dba788ed51f10e13ca8e4423984fa9125c6e5548434044",
    "044edd373e05206a259f44fb5bf5ae09f980b91a4ec119e4f849b38e584903d79b5d2e542370ac707d42667e3ac2a9051939bcb473d72be2e3dd2fff99c6a1abb4",
];

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn protonpass_passkeys_sign_with_the_key_proton_stored() {
    use base64::Engine as _;
    use p256::ecdsa::signature::{Signer as _, Verifier as _};
    use p256::pkcs8::DecodePrivateKey as _;
    let (doc, _) = read_fixture("protonpass-json/passkeys.json", Format::ProtonpassJson);
    let passkeys = |title: &str| -> Vec<cxf::Passkey> {
        doc.accounts[0]
            .items
            .iter()
            .find(|i| i.title == title)
            .unwrap()
            .credentials
            .iter()
            .filter_map(|c| match c {
                Credential::Passkey(p) => Some((**p).clone()),
                _ => None,
            })
            .collect()
    };
    let pks = passkeys("Passkey login");
    assert_eq!(pks.len(), 2);
    // As constructed: the current record (names and PRF seeds inside) and the oldest one
    // (names from the export's members).
    assert_eq!(pks[0].credential_id.as_str(), "AQIDBAUGBwgJCgsMDQ4PEA");
    assert_eq!(pks[0].rp_id, "webauthn.example");
    assert_eq!(pks[0].user_handle.as_str(), "dXNlci1oYW5kbGUtMDAwMQ");
    assert_eq!(pks[0].username, "alice");
    assert_eq!(pks[0].user_display_name, "Alice Doe");
    let prf = pks[0]
        .fido2_extensions
        .as_ref()
        .and_then(|x| x.hmac_credentials.as_ref())
        .expect("the hmac-secret seeds are carried");
    assert_eq!(prf.algorithm, "hmac-sha256");
    assert_eq!(
        prf.cred_with_uv.expose(),
        "ERERERERERERERERERERERERERERERERERERERERERE"
    );
    assert_eq!(
        prf.cred_without_uv.as_ref().map(|s| s.expose()),
        Some("IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI")
    );
    assert_eq!(pks[1].credential_id.as_str(), "cHAtY3JlZC10d28tMDAwMg");
    assert_eq!(pks[1].rp_id, "login.example");
    assert_eq!(pks[1].user_handle.as_str(), "dXNlci1oYW5kbGUtMDAwMg");
    assert_eq!(pks[1].username, "alice.old");
    assert_eq!(pks[1].user_display_name, "Alice (old)");
    assert!(pks[1].fido2_extensions.is_none());
    for (pk, public) in pks.iter().zip(PROTON_PUBLIC_KEYS) {
        let der = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(pk.key.expose())
            .unwrap();
        let signing = p256::ecdsa::SigningKey::from_pkcs8_der(&der).expect("PKCS#8 P-256 key");
        let verifying = p256::ecdsa::VerifyingKey::from_sec1_bytes(&hex(public)).unwrap();
        let message = b"authenticatorData || SHA-256(clientDataJSON)";
        let signature: p256::ecdsa::Signature = signing.sign(message);
        verifying
            .verify(message, &signature)
            .expect("the key read signs for the public key Proton stored");
        // The COSE public key a relying party holds is the same point.
        let cose = pk.public_key_cose().unwrap().cose_key;
        let point = hex(public);
        assert!(cose.windows(32).any(|w| w == &point[1..33]));
        assert!(cose.windows(32).any(|w| w == &point[33..]));
    }
    // The passkey whose counter is not carried is still read.
    let counted = passkeys("Passkey problems");
    assert_eq!(counted.len(), 1);
    assert_eq!(counted[0].rp_id, "problems.example");
}

#[test]
fn a_1pux_passkey_without_its_private_key_is_named_in_the_loss_report() {
    // 1PUX holds no passkey private key; a passkey record in an item is reported by name.
    let data = serde_json::json!({"accounts": [{"attrs": {"name": "A"}, "vaults": [{
        "attrs": {"uuid": "v1", "name": "Personal"},
        "items": [{
            "uuid": "i1", "favIndex": 0, "createdAt": 1, "updatedAt": 2, "state": "active",
            "categoryUuid": "001",
            "overview": {"title": "Site", "url": "https://site.example/"},
            "details": {
                "loginFields": [{"value": "alice", "designation": "username", "fieldType": "T"}],
                "passkey": {"credentialId": "AQID", "rpId": "site.example", "userHandle": "BAUG"}
            }
        }]
    }]}]});
    let (doc, loss) = formats::read(
        Format::OnePassword1pux,
        data.to_string().as_bytes(),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(credential_counts(&doc).get("passkey"), None);
    let entries: Vec<_> = loss
        .entries()
        .iter()
        .filter(|e| e.what.contains("passkey"))
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].what, "details.passkey");
    assert_eq!(entries[0].reason, formats::LossReason::NoEquivalent);
    assert!(entries[0].detail.contains("private key"));
}

/// Items each real sample holds, counted by hand from the files (skipped rows, trashed and
/// recycle-bin items excluded). `None`: the file cannot be opened (unknown password).
const SAMPLE_ITEMS: &[(&str, Option<usize>)] = &[
    ("1password-csv/bitwarden-jslib/creditCard.mac.csv", Some(1)),
    (
        "1password-csv/bitwarden-jslib/creditCard.windows.csv",
        Some(1),
    ),
    ("1password-csv/bitwarden-jslib/identity.mac.csv", Some(1)),
    (
        "1password-csv/bitwarden-jslib/identity.windows.csv",
        Some(1),
    ),
    (
        "1password-csv/bitwarden-jslib/multipleItems.mac.csv",
        Some(4),
    ),
    (
        "1password-csv/bitwarden-jslib/multipleItems.windows.csv",
        Some(4),
    ),
    (
        "1password-csv/saveoursecrets-sdk/1password-export.csv",
        Some(6),
    ),
    (
        "1password-1pux/bitwarden-jslib/APICredentials.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/BankAccount.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/CreditCard.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/Database.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/DriversLicense.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/EmailAccount.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/Emailfield.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/EmailfieldOnIdentity.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/EmailfieldOnIdentity_Prefilled.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/IdentityData.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/LoginData.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/MedicalRecord.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/Membership.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/Onepux_example.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/OutdoorLicense.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/Passport.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/Password.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/RewardsProgram.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/SSN.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/SanitizedExport.export.data.json",
        Some(27),
    ),
    (
        "1password-1pux/bitwarden-jslib/SecureNote.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/Server.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/SoftwareLicense.export.data.json",
        Some(1),
    ),
    (
        "1password-1pux/bitwarden-jslib/WirelessRouter.export.data.json",
        Some(1),
    ),
    ("1password-1pux/keepassxc/1PasswordExport.1pux", Some(9)),
    (
        "bitwarden-csv/saveoursecrets-sdk/bitwarden-export.csv",
        Some(2),
    ),
    (
        "bitwarden-json-encrypted/bitwarden-jslib/passwordProtected.json",
        None,
    ),
    (
        "bitwarden-json-encrypted/keepassxc/bitwarden_encrypted_argon2id_export.json",
        Some(1),
    ),
    (
        "bitwarden-json-encrypted/keepassxc/bitwarden_encrypted_export.json",
        Some(1),
    ),
    ("bitwarden-json/bitwarden-jslib/empty.json", Some(0)),
    (
        "bitwarden-json/bitwarden-sdk-internal/json_export.json",
        Some(5),
    ),
    ("bitwarden-json/buttercup-importer/bitwarden.json", Some(5)),
    ("bitwarden-json/keepassxc/bitwarden_export.json", Some(4)),
    (
        "bitwarden-json/keepassxc/bitwarden_export_ssh.json",
        Some(2),
    ),
    (
        "bitwarden-json/keepassxc/bitwarden_nested_export.json",
        Some(9),
    ),
    (
        "bitwarden-json/keepassxc/bitwarden_passkey_export.json",
        Some(2),
    ),
    (
        "bitwarden-json/keepassxc/bitwarden_timestamps_export.json",
        Some(1),
    ),
    ("chrome-csv/bitwarden-clients/note-data.csv", Some(1)),
    ("chrome-csv/buttercup-importer/chrome_pass.csv", Some(9)),
    ("chrome-csv/proton-webclients/chrome-windows.csv", Some(3)),
    ("chrome-csv/proton-webclients/chrome.csv", Some(4)),
    (
        "chrome-csv/saveoursecrets-sdk/chrome-export-note.csv",
        Some(1),
    ),
    ("chrome-csv/saveoursecrets-sdk/chrome-export.csv", Some(2)),
    ("cxf/bitwarden-sdk-internal/1p_export.json", Some(10)),
    ("cxf/bitwarden-sdk-internal/dashlane_export.json", Some(12)),
    (
        "cxf/fido-spec-appendix-a/cxf-appendix-a-example.json",
        Some(14),
    ),
    ("dashlane-csv/bitwarden-jslib/credentials.csv", Some(1)),
    ("dashlane-csv/bitwarden-jslib/id.csv", Some(5)),
    (
        "dashlane-csv/bitwarden-jslib/multiplePersonalInfo.csv",
        Some(6),
    ),
    ("dashlane-csv/bitwarden-jslib/payments.csv", Some(2)),
    ("dashlane-csv/bitwarden-jslib/personalInfo.csv", Some(5)),
    ("dashlane-csv/bitwarden-jslib/securenotes.csv", Some(1)),
    (
        "dashlane-csv/proton-webclients/dashlane-credentials.csv",
        Some(8),
    ),
    (
        "dashlane-csv/proton-webclients/dashlane-payments.csv",
        Some(3),
    ),
    (
        "dashlane-csv/proton-webclients/dashlane-personal-info.csv",
        Some(1),
    ),
    (
        "dashlane-csv/proton-webclients/dashlane-secure-notes.csv",
        Some(3),
    ),
    (
        "dashlane-csv/saveoursecrets-sdk/dashlane-export.zip",
        Some(15),
    ),
    (
        "firefox-csv/bitwarden-jslib/firefoxAccountsData.csv",
        Some(1),
    ),
    (
        "firefox-csv/bitwarden-jslib/simplePasswordData.csv",
        Some(1),
    ),
    ("firefox-csv/saveoursecrets-sdk/firefox-export.csv", Some(2)),
    ("firefox-csv/saveoursecrets-sdk/firefox-logins.csv", Some(3)),
    ("keepass2-xml/buttercup-importer/test.kdbx.xml", Some(1)),
    ("keepass2-xml/keepassxc/NewDatabase.xml", Some(3)),
    ("lastpass-csv/buttercup-importer/lastpass.csv", Some(4)),
    (
        "lastpass-csv/proton-webclients/lastpass.crcrlf.terminated.csv",
        Some(3),
    ),
    ("lastpass-csv/proton-webclients/lastpass.csv", Some(12)),
    ("protonpass-json/keepassxc/protonpass_export.json", Some(4)),
    // NordPass: one item per row, except folder rows (`type` folder, or in the files without a
    // `type` column a row holding only a name) and blank lines.
    ("nordpass-csv/bitwarden-jslib/nordpass.card.csv", Some(1)),
    (
        "nordpass-csv/bitwarden-jslib/nordpass.identity.csv",
        Some(1),
    ),
    ("nordpass-csv/bitwarden-jslib/nordpass.login.csv", Some(1)),
    // `notesFolder` (name only) is a folder; the note is the one item.
    (
        "nordpass-csv/bitwarden-jslib/nordpass.secureNote.csv",
        Some(1),
    ),
    // 10 data rows: 1 folder, 5 passwords (the `htts` one holds only its broken URL, still a
    // value), 2 notes, 1 card, 1 identity: 9 items.
    (
        "nordpass-csv/proton-webclients/nordpass-legacy.csv",
        Some(9),
    ),
    // 3 folder rows, 3 passwords, 1 blank line.
    ("nordpass-csv/proton-webclients/nordpass.csv", Some(3)),
    // One item per record (14, counted by their names: Example … Twitter); each holds a login,
    // a URL or a note.
    ("roboform-csv/proton-webclients/roboform.csv", Some(14)),
    // 15 records; "address item", "file attachment item" and "general item" hold only a title
    // (the CSV drops those record types' values) and are skipped: 12 items.
    ("keeper-csv/proton-webclients/keeper.csv", Some(12)),
    // Counted from the `type` column: note, login, alias, creditCard, identity, each with a
    // value (the card and identity in the JSON of the `note` cell).
    ("protonpass-csv/proton-webclients/protonpass.csv", Some(5)),
    // login, note, creditCard; the identity row has nothing but its name (its `note` cell,
    // where the content would be, is empty), so it is skipped.
    (
        "protonpass-csv/saveoursecrets-sdk/proton_pass_export_2024-08-18.csv",
        Some(3),
    ),
    (
        "protonpass-json/saveoursecrets-sdk/proton_pass_export_2024-08-18.zip",
        Some(4),
    ),
    (
        "safari-apple-passwords-csv/bitwarden-jslib/oldSimplePasswordData.csv",
        Some(1),
    ),
    (
        "safari-apple-passwords-csv/bitwarden-jslib/simplePasswordData.csv",
        Some(1),
    ),
    // keeper-json: counted the objects of `records` (one `"title"` each) and took away those
    // holding nothing but a title. 20 records, every one with a value (the photo and file
    // records have notes).
    ("keeper-json/bitwarden-clients/keeper.json", Some(20)),
    // 3 records, each a login.
    ("keeper-json/bitwarden-jslib/testData.json", Some(3)),
    // 3 records, each a login.
    ("keeper-json/buttercup-importer/keeper.json", Some(3)),
    // 17 records (uid 1..17); "a file" (uid 2) and "general item" (uid 6) hold only a title and
    // are skipped: 15.
    ("keeper-json/proton-webclients/keeper.json", Some(15)),
    // 1password-1pif: 6 records between the separators: 2 `system.folder.Regular` (collections),
    // logins "Test" and "Custom", the card "Custom card", and "OnlyAttachments" with an empty
    // `secureContents` (skipped): 3 items.
    ("1password-1pif/buttercup-importer/data.1pif", Some(3)),
    (
        "safari-apple-passwords-csv/saveoursecrets-sdk/macos-export.csv",
        Some(2),
    ),
    (
        "safari-apple-passwords-csv/saveoursecrets-sdk/macos-notes-export.csv",
        Some(1),
    ),
];

#[test]
fn real_samples_convert_without_panic() {
    let Some(root) = std::env::var_os("CXF_SHARED_SAMPLES") else {
        println!("SKIPPED real_samples_convert_without_panic: CXF_SHARED_SAMPLES is not set");
        return;
    };
    let root = PathBuf::from(root);
    let mut failures = Vec::new();
    let mut checked = 0usize;
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let dname = dir.file_name().unwrap().to_string_lossy().to_string();
        let Some(format) = sample_format(&dname) else {
            // Formats we do not read must not be claimed by detection either.
            for sub in std::fs::read_dir(&dir).unwrap() {
                for f in std::fs::read_dir(sub.unwrap().path()).unwrap() {
                    let f = f.unwrap().path();
                    let d = formats::detect(&std::fs::read(&f).unwrap());
                    if matches!(d, Detection::Certain(_) | Detection::Ambiguous(_)) {
                        failures.push(format!(
                            "{}: unsupported format detected as {d:?}",
                            f.display()
                        ));
                    }
                }
            }
            println!(
                "skipping {dname}: format not supported (detection claims no readable format)"
            );
            continue;
        };
        let mut files = Vec::new();
        for sub in std::fs::read_dir(&dir).unwrap() {
            let sub = sub.unwrap().path();
            for f in std::fs::read_dir(&sub).unwrap() {
                files.push(f.unwrap().path());
            }
        }
        files.sort();
        for f in files {
            let rel = f.strip_prefix(&root).unwrap().display().to_string();
            let bytes = std::fs::read(&f).unwrap();
            if formats::detect(&bytes) != Detection::Certain(format) {
                failures.push(format!(
                    "{rel}: detected as {:?}, want {format}",
                    formats::detect(&bytes)
                ));
            }
            let options = ReadOptions::default()
                .with_password("a")
                .with_timestamp(1_750_000_000);
            let want = SAMPLE_ITEMS
                .iter()
                .find(|(p, _)| *p == rel)
                .map(|(_, n)| *n);
            checked += 1;
            match (formats::read(format, &bytes, &options), want) {
                (Ok((doc, loss)), Some(Some(n))) if items(&doc) == n => {
                    println!("ok {rel}: {n} items, {} loss entries", loss.len());
                    check_round_trips(&rel, &doc, &mut failures);
                    // What a converter produces from another format is valid CXF.
                    if format != Format::Cxf {
                        for d in cxf::validate(&doc)
                            .diagnostics
                            .iter()
                            .filter(|d| d.severity == cxf::Severity::Error)
                        {
                            failures.push(format!(
                                "{rel}: validator error {} at {}: {}",
                                d.rule, d.pointer, d.message
                            ));
                        }
                    }
                }
                (Ok((doc, _)), want) => {
                    failures.push(format!("{rel}: {} items, want {want:?}", items(&doc)))
                }
                (Err(e), Some(None)) => println!("ok {rel}: refused as expected ({})", e.kind()),
                (Err(e), _) => failures.push(format!("{rel}: {e}")),
            }
        }
    }
    println!("{checked} sample files checked");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// What a target format carries, for comparing a document before and after a round trip.
#[derive(Clone, Copy)]
struct Carries {
    /// Item titles survive (Firefox derives them from the URL).
    title: bool,
    /// Every URL survives (else only the first).
    all_urls: bool,
    note: bool,
    totp: bool,
    passkey: bool,
    card: bool,
    ssh: bool,
    /// Only items with a login are written.
    logins_only: bool,
}

fn carries(format: Format) -> Carries {
    let all = Carries {
        title: true,
        all_urls: true,
        note: true,
        totp: true,
        passkey: true,
        card: true,
        ssh: true,
        logins_only: false,
    };
    match format {
        Format::ChromeCsv => Carries {
            all_urls: false,
            totp: false,
            passkey: false,
            card: false,
            ssh: false,
            logins_only: true,
            ..all
        },
        Format::AppleCsv | Format::OnePasswordCsv | Format::DashlaneCsv => Carries {
            all_urls: false,
            passkey: false,
            card: false,
            ssh: false,
            logins_only: true,
            ..all
        },
        Format::FirefoxCsv => Carries {
            title: false,
            all_urls: false,
            note: false,
            totp: false,
            passkey: false,
            card: false,
            ssh: false,
            logins_only: true,
        },
        Format::KeepassXml | Format::Kdbx => Carries {
            card: false,
            ssh: false,
            ..all
        },
        _ => all,
    }
}

/// A comparable summary of what `c` says the target holds: one line per fact.
fn digest(doc: &Document, c: Carries) -> Vec<String> {
    let mut out = Vec::new();
    for item in doc.accounts.iter().flat_map(|a| &a.items) {
        let login = item.credentials.iter().find_map(|cr| {
            if let Credential::BasicAuth(b) = cr {
                Some(b)
            } else {
                None
            }
        });
        if c.logins_only && login.is_none() {
            continue;
        }
        let urls: Vec<&str> = item
            .scope
            .as_ref()
            .map(|s| s.urls.iter().map(|u| u.as_str()).collect())
            .unwrap_or_default();
        let key = if c.title {
            item.title.to_string()
        } else {
            urls.first().copied().unwrap_or("").to_owned()
        };
        let v = |f: &Option<cxf::EditableField>| {
            f.as_ref()
                .map_or(String::new(), |f| f.value.expose().to_owned())
        };
        if let Some(b) = login {
            out.push(format!("login {key} {} {}", v(&b.username), v(&b.password)));
        }
        let shown: Vec<&str> = if c.all_urls {
            urls.clone()
        } else {
            urls.iter().take(1).copied().collect()
        };
        if !shown.is_empty() {
            out.push(format!("urls {key} {}", shown.join(" ")));
        }
        if c.note {
            let notes: Vec<&str> = item
                .credentials
                .iter()
                .filter_map(|cr| {
                    if let Credential::Note(n) = cr {
                        Some(n.content.value.expose())
                    } else {
                        None
                    }
                })
                .collect();
            if !notes.is_empty() {
                out.push(format!("note {key} {}", notes.join("\n\n")));
            }
        }
        if c.totp {
            if let Some(t) = item.credentials.iter().find_map(|cr| {
                if let Credential::Totp(t) = cr {
                    Some(t)
                } else {
                    None
                }
            }) {
                out.push(format!(
                    "totp {key} {} {:?} {:?} {:?}",
                    t.secret.expose(),
                    t.algorithm,
                    t.digits,
                    t.period
                ));
            }
        }
        for cr in &item.credentials {
            match cr {
                Credential::Passkey(p) if c.passkey => out.push(format!(
                    "passkey {key} {} {} {} {} {}",
                    p.credential_id.as_str(),
                    p.rp_id,
                    p.username,
                    p.user_handle.as_str(),
                    p.key.expose()
                )),
                Credential::SshKey(k) if c.ssh => out.push(format!(
                    "ssh {key} {} {}",
                    k.key_type,
                    k.private_key.expose()
                )),
                Credential::CreditCard(cc) if c.card => out.push(format!(
                    "card {key} {} {}",
                    v(&cc.number),
                    v(&cc.expiry_date)
                )),
                _ => {}
            }
        }
    }
    out.sort();
    out
}

/// The password of encrypted outputs (`kdbx`) in these tests.
const TEST_PASSWORD: &str = "formats test password";

fn test_password() -> WriteOptions {
    // Hundreds of databases are written here: the cheapest key derivation keeps it fast.
    WriteOptions::default()
        .with_password(TEST_PASSWORD)
        .dangerous_cheap_kdf()
}

/// Writes `doc` in every writable format, reads it back, and checks that what the target holds
/// came back and that everything else is in the loss report. Returns the number of targets.
fn check_round_trips(name: &str, doc: &Document, failures: &mut Vec<String>) -> usize {
    let mut pairs = 0;
    for target in Format::ALL.iter().copied().filter(|f| f.can_write()) {
        pairs += 1;
        // The password of encrypted targets (`kdbx`); the others ignore it.
        let (bytes, loss) = formats::write_with(target, doc, &test_password()).unwrap();
        let again = match formats::read(
            target,
            &bytes,
            &ReadOptions::default()
                .with_timestamp(1_750_000_000)
                .with_password(TEST_PASSWORD),
        ) {
            Ok((d, _)) => d,
            Err(e) => {
                failures.push(format!("{name} -> {target}: does not read back: {e}"));
                continue;
            }
        };
        if target == Format::Cxf {
            // The invariant is canonical-JSON equality (the model may keep a value's original
            // spelling in memory, e.g. padded base64, and canonicalise it on output).
            if *again.to_json_vec() != *doc.to_json_vec() {
                failures.push(format!("{name} -> cxf: document changed"));
            }
            continue;
        }
        let c = carries(target);
        let (before, after) = (digest(doc, c), digest(&again, c));
        // Everything the target holds must come back; what did not must be in the loss report.
        let missing: Vec<&String> = before.iter().filter(|l| !after.contains(l)).collect();
        let unexplained: Vec<&&String> = missing
            .iter()
            .filter(|l| {
                let kind = l.split(' ').next().unwrap_or("");
                let explains = |what: &str| match kind {
                    "urls" => what.starts_with("scope") || what == "item",
                    "login" => what == "item",
                    _ => {
                        what.starts_with("credentials[")
                            || what.starts_with("credential:")
                            || what == "item"
                    }
                };
                !loss.entries().iter().any(|e| explains(&e.what))
            })
            .collect();
        if !unexplained.is_empty() {
            failures.push(format!(
                "{name} -> {target}: lost without a report: {unexplained:?}"
            ));
        }
        // Items the target dropped are reported one by one.
        let dropped = items(doc) - items(&again);
        let reported = loss.entries().iter().filter(|e| e.what == "item").count();
        if dropped != reported {
            failures.push(format!(
                "{name} -> {target}: {dropped} items dropped, {reported} reported"
            ));
        }
    }
    pairs
}

#[test]
fn round_trips_keep_what_both_formats_hold() {
    let mut failures = Vec::new();
    let mut pairs = 0;
    for (path, expect) in cases() {
        if expect.get("error").is_some() {
            continue;
        }
        let name = path
            .strip_prefix(fixtures_dir())
            .unwrap()
            .display()
            .to_string();
        let source: Format = expect["format"].as_str().unwrap().parse().unwrap();
        let (doc, _) = formats::read(
            source,
            &std::fs::read(&path).unwrap(),
            &options_for(&expect),
        )
        .unwrap();
        pairs += check_round_trips(&name, &doc, &mut failures);
    }
    assert!(pairs >= 100, "only {pairs} round trips ran");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn format_names_parse_back_and_aliases_work() {
    for f in Format::ALL {
        assert_eq!(f.name().parse::<Format>().unwrap(), *f);
        assert_eq!(f.to_string(), f.name());
        assert!(!f.extensions().is_empty());
        assert!(f.can_read());
    }
    assert_eq!("1PUX".parse::<Format>().unwrap(), Format::OnePassword1pux);
    assert_eq!("safari-csv".parse::<Format>().unwrap(), Format::AppleCsv);
    let e = "safe-in-cloud-xml".parse::<Format>().unwrap_err();
    assert!(
        e.to_string().contains("known formats: cxf, bitwarden-json"),
        "{e}"
    );
    let writable: Vec<&str> = Format::ALL
        .iter()
        .filter(|f| f.can_write())
        .map(|f| f.name())
        .collect();
    assert_eq!(
        writable,
        [
            "cxf",
            "bitwarden-json",
            "1password-csv",
            "chrome-csv",
            "apple-csv",
            "firefox-csv",
            "dashlane-csv",
            "keepass-xml",
            "kdbx"
        ]
    );
    let e = formats::write(Format::LastpassCsv, &Document::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("writable formats: cxf, bitwarden-json"),
        "{e}"
    );
}

#[test]
fn detection_says_when_it_cannot_decide() {
    assert_eq!(formats::detect(b""), Detection::Unknown);
    assert_eq!(formats::detect(b"hello world\n"), Detection::Unknown);
    assert_eq!(formats::detect(b"{\"something\": 1}"), Detection::Unknown);
    // 1Password 8 CSV looks like Apple's but has more columns: it is 1Password's, not Apple's.
    assert_eq!(
        formats::detect(b"Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes\n"),
        Detection::Certain(Format::OnePasswordCsv)
    );
    // KeePassXC's CSV has Apple's columns and a group: it is KeePassXC's, not Apple's.
    assert_eq!(
        formats::detect(b"\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\"\n"),
        Detection::Certain(Format::KeepassxcCsv)
    );
    // LastPass's columns without `fav` and `totp` are still LastPass (not Chrome: `extra`).
    let lastpass = b"name,url,username,password,extra,grouping\n";
    assert_eq!(
        formats::detect(lastpass),
        Detection::Certain(Format::LastpassCsv)
    );
    let chrome_and_apple = b"name,title,url,username,password\n";
    assert_eq!(formats::detect(chrome_and_apple), Detection::Unknown);
    let lastpass_and_bitwarden =
        b"url,username,password,extra,name,grouping,fav,folder,type,login_uri\n";
    // Columns neither format writes rule both out.
    assert_eq!(formats::detect(lastpass_and_bitwarden), Detection::Unknown);
    assert_eq!(
        formats::detect(b"\xef\xbb\xbf<?xml version=\"1.0\"?><KeePassFile>"),
        Detection::Certain(Format::KeepassXml)
    );
}

#[test]
fn oversized_input_and_zip_bombs_stop_at_the_limit() {
    use std::io::Write as _;
    // 8 MiB of CSV that deflates to a few kilobytes.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("credentials.csv", opts).unwrap();
    zip.write_all(b"username,username2,username3,title,password,note,url,category,otpSecret\n")
        .unwrap();
    let row = b"u,,,t,p,,,,\n";
    for _ in 0..(8 << 20) / row.len() {
        zip.write_all(row).unwrap();
    }
    let bomb = zip.finish().unwrap().into_inner();
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    let mut limits = cxf::Limits::default();
    limits.max_document_bytes = 1 << 20;
    let e = formats::read(
        Format::DashlaneCsv,
        &bomb,
        &ReadOptions::default().with_limits(limits.clone()),
    )
    .unwrap_err();
    assert_eq!(e.kind(), "limit", "{e}");
    limits.max_document_bytes = 10;
    let e = formats::read(
        Format::ChromeCsv,
        b"name,url,username,password\n",
        &ReadOptions::default().with_limits(limits),
    )
    .unwrap_err();
    assert_eq!(e.kind(), "limit");
}

#[test]
fn malformed_inputs_are_errors_not_panics() {
    let cases: &[(Format, &[u8])] = &[
        (Format::ChromeCsv, b"not,a,chrome,header\n1,2,3,4\n"),
        (Format::ChromeCsv, b"\xff\xfe"),
        (Format::BitwardenJson, b"{\"items\": 3}"),
        (Format::BitwardenJson, b"{\"encrypted\":true,\"passwordProtected\":true,\"salt\":\"x\",\"kdfType\":0,\"kdfIterations\":999999999,\"data\":\"2.a|b|c\"}"),
        (Format::KeepassXml, b"<KeePassFile><Root><Group><Entry>"),
        (Format::KeepassXml, b"<KeePassFile><Root></Root></KeePassFile>"),
        (Format::OnePassword1pux, b"PK\x03\x04garbage"),
        (Format::ProtonpassJson, b"{\"encrypted\": true, \"vaults\": {}}"),
        (Format::DashlaneCsv, b"a,b,c\n"),
        (Format::Cxf, b"{}"),
    ];
    for (format, bytes) in cases {
        let r = formats::read(*format, bytes, &ReadOptions::default().with_password("x"));
        assert!(r.is_err(), "{format}: {:?}", String::from_utf8_lossy(bytes));
        let msg = r.unwrap_err().to_string();
        assert!(!msg.is_empty());
    }
}

#[test]
fn bitwarden_writer_keeps_passkeys_ssh_keys_and_folders() {
    let read = |rel: &str| {
        let bytes = std::fs::read(fixtures_dir().join(rel)).unwrap();
        formats::read(
            formats::detect_format(&bytes),
            &bytes,
            &ReadOptions::default(),
        )
        .unwrap()
        .0
    };
    let (out, loss) =
        formats::write(Format::BitwardenJson, &read("bitwarden-json/passkeys.json")).unwrap();
    assert!(loss.is_empty(), "{loss}");
    let v: Value = serde_json::from_slice(&out).unwrap();
    let fido = &v["items"][0]["login"]["fido2Credentials"][0];
    assert_eq!(fido["credentialId"], "996e72bd-33df-4b20-9805-cb09d95a684e");
    assert_eq!(fido["counter"], "0");
    // A 16-byte id is written in Bitwarden's UUID form (the `b64.` form is for other lengths).
    assert_eq!(
        v["items"][1]["login"]["fido2Credentials"][0]["credentialId"],
        "c965464c-a62e-2b88-ea36-6371a5b80b9e"
    );

    let (out, loss) = formats::write(
        Format::BitwardenJson,
        &read("bitwarden-json/personal-all-types.json"),
    )
    .unwrap();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let folders: Vec<&str> = v["folders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(folders, ["Work", "Work/Servers"]);
    let ssh = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["type"] == 5)
        .unwrap();
    assert!(
        ssh["sshKey"]["privateKey"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN OPENSSH PRIVATE KEY-----")
    );
    assert_eq!(
        ssh["sshKey"]["keyFingerprint"],
        "SHA256:zStGnDg4Kex1BUzsFU9yZC3Zwi2qTb2FAWTXGEBdBqM"
    );
    let identity = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["type"] == 4)
        .unwrap();
    assert_eq!(identity["identity"]["email"], "alice@example.com");
    assert_eq!(identity["identity"]["passportNumber"], "X1234567");
    // Nothing the Bitwarden source had is lost on the way back to Bitwarden.
    assert!(loss.is_empty(), "{loss}");
    let json = loss.to_json();
    assert_eq!(json["lost"].as_array().unwrap().len(), 0);
    assert_eq!(json["changed"].as_array().unwrap().len(), 0);
}

#[test]
fn csv_writers_report_what_they_cannot_hold() {
    let bytes = std::fs::read(fixtures_dir().join("cxf/header-all-kinds.json")).unwrap();
    let (doc, _) = formats::read(Format::Cxf, &bytes, &ReadOptions::default()).unwrap();
    let (out, loss) = formats::write(Format::ChromeCsv, &doc).unwrap();
    assert!(out.starts_with(b"name,url,username,password,note\r\n"));
    let (back, _) = formats::read(Format::ChromeCsv, &out, &ReadOptions::default()).unwrap();
    assert_eq!(items(&back), 1, "only the one login is written");
    let whats: Vec<(&str, &str)> = loss
        .entries()
        .iter()
        .map(|e| (e.what.as_str(), e.reason.code()))
        .collect();
    for expected in [
        ("credentials[1]:totp", "no-equivalent"),
        ("credentials[2]:passkey", "no-equivalent"),
        ("scope.urls", "no-equivalent"),
        ("favorite", "no-equivalent"),
        ("tags", "no-equivalent"),
        ("collections", "no-equivalent"),
        ("creationAt", "no-equivalent"),
        ("modifiedAt", "no-equivalent"),
        ("account.username", "no-equivalent"),
    ] {
        assert!(
            whats.contains(&expected),
            "{expected:?} missing from {whats:?}"
        );
    }
    // Six items without a login are skipped, each reported.
    assert_eq!(whats.iter().filter(|w| w.0 == "item").count(), 6);
    let json = loss.to_json();
    let totp = json["lost"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["what"] == "credentials[1]:totp")
        .unwrap();
    assert_eq!(totp["itemTitle"], "Example login");
    assert_eq!(totp["pointer"], "/accounts/0/items/0/credentials/1");
    // Nothing here is lost without the writer saying why.
    assert!(
        loss.entries()
            .iter()
            .all(|e| e.reason != formats::LossReason::NotReadBack),
        "{loss}"
    );
    assert!(!json.to_string().contains("cxf-pw-1"));
}

#[test]
fn lastpass_html_export_and_keepass_inner_stream_values() {
    let html = b"<html><body><pre>url,username,password,extra,name,grouping,fav\nhttps://a.example,al&amp;ice,p&lt;w,,A &amp; B,,0\n</pre></body></html>";
    assert_eq!(formats::detect(html), Detection::Unknown);
    let (doc, loss) = formats::read(Format::LastpassCsv, html, &ReadOptions::default()).unwrap();
    assert!(loss.is_empty());
    let item = &doc.accounts[0].items[0];
    assert_eq!(item.title, "A & B");
    let Credential::BasicAuth(b) = &item.credentials[0] else {
        panic!()
    };
    assert_eq!(b.username.as_ref().unwrap().value.expose(), "al&ice");
    assert_eq!(b.password.as_ref().unwrap().value.expose(), "p<w");

    // XML dumped from inside a KDBX has values encrypted with the inner stream: never read
    // them as plaintext, report them.
    let xml =
        br#"<KeePassFile><Root><Group><Name>R</Name><Entry><UUID>AAAAAAAAAAAAAAAAAAAAAA==</UUID>
        <Times><Expires>True</Expires><ExpiryTime>2030-01-01T00:00:00Z</ExpiryTime></Times>
        <String><Key>Title</Key><Value>T</Value></String>
        <String><Key>Password</Key><Value Protected="True">c2VjcmV0</Value></String>
        </Entry></Group></Root></KeePassFile>"#;
    let (doc, loss) = formats::read(Format::KeepassXml, xml, &ReadOptions::default()).unwrap();
    assert!(doc.accounts[0].items[0].credentials.is_empty());
    let whats: Vec<&str> = loss.entries().iter().map(|e| e.what.as_str()).collect();
    assert_eq!(whats, ["Times.ExpiryTime", "String:Password"]);
}

#[test]
fn onepassword_mac_csv_backslash_escapes_and_objc_tags() {
    let bytes =
        std::fs::read(fixtures_dir().join("1password-csv/mac-backslash-escapes.csv")).unwrap();
    let (doc, _) = formats::read(Format::OnePasswordCsv, &bytes, &ReadOptions::default()).unwrap();
    let item = &doc.accounts[0].items[0];
    assert_eq!(item.title, "Quoted \"login\"");
    assert_eq!(item.subtitle.as_deref(), Some("Login"));
    assert_eq!(item.creation_at, Some(1_606_923_754));
    let tags: Vec<&str> = item.tags.iter().map(|t| t.as_str()).collect();
    assert_eq!(tags, ["Starter Kit", "Work"]);
    let note = item
        .credentials
        .iter()
        .find_map(|c| {
            if let Credential::Note(n) = c {
                Some(n)
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(note.content.value.expose(), "He said \"hi\", then left");
    let bank = &doc.accounts[0].items[1];
    let Credential::CustomFields(cf) = &bank.credentials[0] else {
        panic!()
    };
    assert_eq!(cf.fields[0].label.as_deref(), Some("account number"));
    assert_eq!(cf.fields[0].field_type, cxf::FieldType::ConcealedString);
}

#[test]
fn truncated_and_corrupted_fixtures_never_panic() {
    let mut runs = 0;
    for (path, expect) in cases() {
        let format: Format = expect["format"].as_str().unwrap().parse().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let options = options_for(&expect);
        let n = bytes.len();
        let mut inputs: Vec<Vec<u8>> = [n / 7, n / 3, n / 2, 2 * n / 3, n.saturating_sub(1)]
            .iter()
            .map(|&c| bytes[..c].to_vec())
            .collect();
        for (i, flip) in [n / 5, n / 2, 4 * n / 5].into_iter().enumerate() {
            let mut corrupt = bytes.clone();
            if let Some(b) = corrupt.get_mut(flip) {
                *b = [b'"', b'\n', 0xff][i];
            }
            inputs.push(corrupt);
        }
        for input in inputs {
            let _ = formats::detect(&input);
            for target in [format, Format::Cxf, Format::ChromeCsv] {
                if let Ok((doc, _)) = formats::read(target, &input, &options) {
                    for w in Format::ALL.iter().filter(|f| f.can_write()) {
                        let _ = formats::write_with(*w, &doc, &test_password()).unwrap();
                    }
                }
                runs += 1;
            }
        }
    }
    assert!(runs > 500, "{runs}");
}

#[test]
fn chrome_android_realm_round_trips() {
    let bytes = std::fs::read(fixtures_dir().join("chrome-csv/note-crlf-android.csv")).unwrap();
    let (doc, _) = formats::read(Format::ChromeCsv, &bytes, &ReadOptions::default()).unwrap();
    let app = &doc.accounts[0].items[1]
        .scope
        .as_ref()
        .unwrap()
        .android_apps[0];
    assert_eq!(app.bundle_id, "com.example.app");
    assert_eq!(app.certificate.as_ref().unwrap().hash_alg, "sha256");
    let (out, loss) = formats::write(Format::ChromeCsv, &doc).unwrap();
    assert!(loss.is_empty(), "{loss}");
    assert_eq!(
        *out, *bytes,
        "Chrome CSV → CXF → Chrome CSV gives the same bytes"
    );
}

#[test]
fn convert_detects_reads_writes_and_merges_losses() {
    let bytes = std::fs::read(fixtures_dir().join("lastpass-csv/typed-notes.csv")).unwrap();
    let c = formats::convert(&bytes, None, Format::BitwardenJson, &ReadOptions::default()).unwrap();
    assert_eq!(c.from, Format::LastpassCsv);
    let v: Value = serde_json::from_slice(&c.output).unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 6);
    // The SSH key became a Bitwarden SSH item with an OpenSSH key.
    let ssh = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["type"] == 5)
        .unwrap();
    assert!(
        ssh["sshKey"]["publicKey"]
            .as_str()
            .unwrap()
            .starts_with("ssh-ed25519 ")
    );
    // Wi-Fi has no Bitwarden type: kept as fields, and reported.
    assert!(c.loss.entries().iter().any(|e| e.what.ends_with(":wifi")));

    let e =
        formats::convert(b"a,b\n1,2\n", None, Format::Cxf, &ReadOptions::default()).unwrap_err();
    // The library names no command-line flag (the CLI adds `--from`).
    assert!(
        e.to_string().contains("name its format") && !e.to_string().contains("--"),
        "{e}"
    );
    let e =
        formats::convert(&bytes, None, Format::LastpassCsv, &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, formats::ConvertError::Write(_)));
    let e = formats::convert(
        b"x",
        Some(Format::BitwardenJson),
        Format::Cxf,
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, formats::ConvertError::Read(_)));
}

/// The JSON readers name every source member with a value that they do not map: once per item
/// (several array elements count once), by name only, never with the value.
#[test]
fn json_readers_name_unmapped_members_once_without_values() {
    for (format, path, planted) in [
        (
            Format::ProtonpassJson,
            "protonpass-json/unknown-members.json",
            18,
        ),
        (
            Format::OnePassword1pux,
            "1password-1pux/unknown-members.json",
            14,
        ),
    ] {
        let bytes = std::fs::read(fixtures_dir().join(path)).unwrap();
        let (doc, loss) = formats::read(format, &bytes, &ReadOptions::default()).unwrap();
        let mut seen = BTreeMap::new();
        for e in loss.entries() {
            *seen
                .entry((e.item_title.clone(), e.what.clone()))
                .or_insert(0) += 1;
        }
        let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "{path}: named more than once: {twice:?}");
        // Every planted member (each holds a value starting `planted-value-`) is named, and no
        // value is in the report.
        let unmapped = loss
            .entries()
            .iter()
            .filter(|e| e.detail.contains("does not convert the member"))
            .count();
        assert_eq!(unmapped, planted, "{path}:\n{loss}");
        let text = format!("{loss}{}", loss.to_json());
        assert!(!text.contains("planted-value"), "{path}: value in report");
        for e in loss.entries() {
            assert!(!e.what.contains("planted"), "{path}: {}", e.what);
        }
        assert!(!format!("{doc:?}").contains("planted-value-password"));
    }
    // What has a CXF home is carried rather than reported: Proton's card type, 1Password's
    // section titles.
    let bytes = std::fs::read(fixtures_dir().join("protonpass-json/unknown-members.json")).unwrap();
    let (doc, _) = formats::read(Format::ProtonpassJson, &bytes, &ReadOptions::default()).unwrap();
    let card = doc.accounts[0]
        .items
        .iter()
        .flat_map(|i| &i.credentials)
        .find_map(|c| match c {
            Credential::CreditCard(cc) => Some(cc),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        card.card_type.as_ref().map(|f| f.value.expose().to_owned()),
        Some("Visa".to_owned())
    );
    // A full name beside a first name, with no document to hold it, is a custom field.
    assert!(
        doc.accounts[0]
            .items
            .iter()
            .flat_map(|i| &i.credentials)
            .any(|c| matches!(
                c,
                Credential::CustomFields(cf)
                    if cf.fields.iter().any(|f| f.label.as_deref() == Some("fullName"))
            ))
    );
    let bytes = std::fs::read(fixtures_dir().join("1password-1pux/unknown-members.json")).unwrap();
    let (doc, _) = formats::read(Format::OnePassword1pux, &bytes, &ReadOptions::default()).unwrap();
    let labels: Vec<_> = doc.accounts[0].items[0]
        .credentials
        .iter()
        .filter_map(|c| match c {
            Credential::CustomFields(cf) => Some(cf.label.as_deref()),
            _ => None,
        })
        .collect();
    assert_eq!(labels, [Some("Account")]);
}

/// The first credential of `kind` of the item titled `title`.
fn credential<'a>(doc: &'a Document, title: &str, kind: &str) -> &'a Credential {
    doc.accounts[0]
        .items
        .iter()
        .find(|i| i.title == title)
        .unwrap_or_else(|| panic!("no item {title:?}"))
        .credentials
        .iter()
        .find(|c| c.type_name() == kind)
        .unwrap_or_else(|| panic!("{title:?} has no {kind}"))
}

fn read_fixture(rel: &str, format: Format) -> (Document, LossReport) {
    let bytes = std::fs::read(fixtures_dir().join(rel)).unwrap();
    formats::read(
        format,
        &bytes,
        &ReadOptions::default().with_timestamp(1_750_000_000),
    )
    .unwrap()
}

#[test]
fn keepassxc_csv_groups_totp_settings_and_times() {
    let (doc, _) = read_fixture("keepassxc-csv/groups-totp-times.csv", Format::KeepassxcCsv);
    let cols = &doc.accounts[0].collections;
    // The root group is the database: `Root/Web/Mail` is `Web` > `Mail`.
    let titles: Vec<&str> = cols.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["Web", "Bank"]);
    assert_eq!(cols[0].sub_collections[0].title, "Mail");
    let mail = &doc.accounts[0].items[0];
    assert_eq!(mail.title, "Webmail");
    assert_eq!(cols[0].sub_collections[0].items[0].item, mail.id);
    assert_eq!(mail.modified_at, Some(1_709_528_767));
    assert_eq!(mail.creation_at, Some(1_672_628_645));
    let Credential::Note(n) = credential(&doc, "Webmail", "note") else {
        unreachable!()
    };
    assert_eq!(n.content.value.expose(), "two\nlines, with \"quotes\"");
    let Credential::Totp(t) = credential(&doc, "Forum", "totp") else {
        unreachable!()
    };
    assert_eq!((t.period, t.digits), (Some(60), Some(8)));
    assert_eq!(t.secret.expose(), "JBSWY3DPEHPK3PXP");
    // An entry with only a URL is titled by its host.
    assert!(
        doc.accounts[0]
            .items
            .iter()
            .any(|i| i.title == "bank.example")
    );
}

#[test]
fn keepass_csv_reads_backslash_escapes() {
    let (doc, _) = read_fixture("keepass-csv/backslash-escapes.csv", Format::KeepassCsv);
    let Credential::BasicAuth(b) = credential(&doc, "Mail \"work\"", "basic-auth") else {
        unreachable!()
    };
    assert_eq!(b.password.as_ref().unwrap().value.expose(), "kp-pw-1\\\"x");
    let Credential::Note(n) = credential(&doc, "Mail \"work\"", "note") else {
        unreachable!()
    };
    assert_eq!(n.content.value.expose(), "line one\nline two with C:\\path");
    let (doc, _) = read_fixture("keepass-csv/rfc4180-quotes.csv", Format::KeepassCsv);
    assert_eq!(doc.accounts[0].items[0].title, "Shop \"online\"");
}

#[test]
fn protonpass_csv_reads_the_json_content_of_cards_and_identities() {
    let (doc, _) = read_fixture("protonpass-csv/all-types-crlf.csv", Format::ProtonpassCsv);
    let mail = &doc.accounts[0].items[0];
    let urls: Vec<&str> = mail
        .scope
        .as_ref()
        .unwrap()
        .urls
        .iter()
        .map(|u| u.as_str())
        .collect();
    assert_eq!(urls, ["https://mail.example/", "https://webmail.example/"]);
    assert_eq!(
        (mail.creation_at, mail.modified_at),
        (Some(1_700_000_000), Some(1_700_000_100))
    );
    let Credential::BasicAuth(b) = credential(&doc, "Bare TOTP", "basic-auth") else {
        unreachable!()
    };
    // No username: the e-mail is the login.
    assert_eq!(
        b.username.as_ref().unwrap().value.expose(),
        "bob@example.com"
    );
    let Credential::CreditCard(c) = credential(&doc, "Visa", "credit-card") else {
        unreachable!()
    };
    assert_eq!(c.expiry_date.as_ref().unwrap().value.expose(), "2027-05");
    assert_eq!(c.card_type.as_ref().unwrap().value.expose(), "Visa");
    let Credential::Note(n) = credential(&doc, "Visa", "note") else {
        unreachable!()
    };
    assert_eq!(n.content.value.expose(), "card note");
    let Credential::PersonName(p) = credential(&doc, "Alice", "person-name") else {
        unreachable!()
    };
    assert_eq!(p.surname.as_ref().unwrap().value.expose(), "Doe");
    let Credential::BasicAuth(a) = credential(&doc, "Shopping alias", "basic-auth") else {
        unreachable!()
    };
    assert_eq!(
        a.username.as_ref().unwrap().value.expose(),
        "shop.alias@example.net"
    );
}

#[test]
fn nordpass_csv_maps_each_row_by_what_it_holds() {
    let (doc, _) = read_fixture("nordpass-csv/all-types-folders.csv", Format::NordpassCsv);
    let cols = &doc.accounts[0].collections;
    let titles: Vec<&str> = cols.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["Work", "Empty folder"]);
    assert_eq!(cols[0].sub_collections[0].title, "Mail");
    let mail = &doc.accounts[0].items[0];
    assert_eq!(cols[0].sub_collections[0].items[0].item, mail.id);
    assert_eq!(mail.scope.as_ref().unwrap().urls.len(), 3);
    let Credential::CustomFields(cf) = credential(&doc, "Webmail", "custom-fields") else {
        unreachable!()
    };
    let kinds: Vec<(&str, &str)> = cf
        .fields
        .iter()
        .map(|f| (f.label.as_deref().unwrap_or(""), f.field_type.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("Recovery", "concealed-string"),
            ("Since", "date"),
            ("Born", "string"),
            ("Plain", "string")
        ]
    );
    let Credential::CreditCard(c) = credential(&doc, "Visa", "credit-card") else {
        unreachable!()
    };
    assert_eq!(c.expiry_date.as_ref().unwrap().value.expose(), "2027-05");
    let Credential::Address(a) = credential(&doc, "Alice", "address") else {
        unreachable!()
    };
    assert_eq!(
        a.street_address.as_ref().unwrap().value.expose(),
        "1 Main St\nApt 2"
    );
    assert_eq!(a.territory.as_ref().unwrap().value.expose(), "US-CA");
    assert_eq!(a.country.as_ref().unwrap().value.expose(), "US");
}

#[test]
fn roboform_csv_form_fields_and_formula_protection() {
    let (doc, _) = read_fixture("roboform-csv/fields-typed-notes.csv", Format::RoboformCsv);
    let Credential::BasicAuth(b) = credential(&doc, "Mail", "basic-auth") else {
        unreachable!()
    };
    // The `'` RoboForm puts before a value starting with `@` is not part of the password.
    assert_eq!(b.password.as_ref().unwrap().value.expose(), "@hunter2");
    let mail = &doc.accounts[0].items[0];
    assert_eq!(mail.scope.as_ref().unwrap().urls.len(), 2);
    let Credential::CustomFields(cf) = credential(&doc, "Mail", "custom-fields") else {
        unreachable!()
    };
    // The fields repeating the login and password are not copied; the PIN is.
    assert_eq!(cf.fields.len(), 1);
    assert_eq!(cf.fields[0].value.expose(), "12,34");
    assert_eq!(cf.fields[0].field_type.as_str(), "concealed-string");
    let Credential::BasicAuth(f) = credential(&doc, "Forum", "basic-auth") else {
        unreachable!()
    };
    assert_eq!(f.username.as_ref().unwrap().value.expose(), "'quoted");
    let Credential::CreditCard(c) = credential(&doc, "Card", "credit-card") else {
        unreachable!()
    };
    assert_eq!(c.expiry_date.as_ref().unwrap().value.expose(), "2027-01");
}

#[test]
fn keeper_csv_pairs_totp_and_backslash_folders() {
    let (doc, _) = read_fixture("keeper-csv/folders-totp-fields.csv", Format::KeeperCsv);
    let cols = &doc.accounts[0].collections;
    let titles: Vec<&str> = cols.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["Work", "Dev", "Team Share"]);
    // `\\` is a literal backslash, `/` a literal slash.
    assert_eq!(cols[1].sub_collections[0].title, "Name/with\\both");
    // The shared folder holds the record too.
    assert_eq!(
        cols[2].items[0].item,
        cols[1].sub_collections[0].items[0].item
    );
    let Credential::Totp(t) = credential(&doc, "Webmail", "totp") else {
        unreachable!()
    };
    assert_eq!(t.period, Some(60));
    let mail = &doc.accounts[0].items[0];
    assert_eq!(mail.scope.as_ref().unwrap().urls.len(), 2);
    let Credential::CustomFields(cf) = credential(&doc, "Webmail", "custom-fields") else {
        unreachable!()
    };
    let kinds: Vec<(&str, &str)> = cf
        .fields
        .iter()
        .map(|f| (f.label.as_deref().unwrap_or(""), f.field_type.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("Hidden Field", "concealed-string"),
            ("Recovery phone", "string")
        ]
    );
    assert!(
        doc.accounts[0]
            .items
            .iter()
            .any(|i| i.title == "Repo, \"main\"")
    );
}

#[test]
fn firefox_password_exporter_escapes_and_encrypted_files() {
    let (doc, _) = read_fixture(
        "firefox-csv/password-exporter-escapes.csv",
        Format::FirefoxCsv,
    );
    let items = &doc.accounts[0].items;
    // `%22` and `%26` are the add-on's `"` and `&`.
    let Some(Credential::BasicAuth(b)) = items[0].credentials.first() else {
        panic!("no login")
    };
    assert_eq!(
        b.password.as_ref().unwrap().value.expose(),
        "tulip\"seven&rose"
    );
    let fields = |i: usize| -> Vec<(String, String)> {
        items[i]
            .credentials
            .iter()
            .filter_map(|c| match c {
                Credential::CustomFields(cf) => Some(cf),
                _ => None,
            })
            .flat_map(|cf| &cf.fields)
            .map(|f| {
                (
                    f.label.as_deref().unwrap_or("").to_owned(),
                    f.value.expose().to_owned(),
                )
            })
            .collect()
    };
    assert!(
        fields(0).is_empty(),
        "a form action on the login's own site"
    );
    assert_eq!(
        fields(1),
        [("httpRealm".to_owned(), "NAS & backups".to_owned())]
    );
    assert_eq!(
        fields(2),
        [(
            "formActionOrigin".to_owned(),
            "https://login.books.example".to_owned()
        )]
    );

    let bytes =
        std::fs::read(fixtures_dir().join("firefox-csv/password-exporter-encrypted.csv")).unwrap();
    let err = formats::read(Format::FirefoxCsv, &bytes, &ReadOptions::default()).unwrap_err();
    assert_eq!(err.kind(), "unsupported");
    assert!(err.to_string().contains("export again without it"), "{err}");
}

#[test]
fn dashlane_headerless_csv_is_read_by_position() {
    let (doc, loss) = read_fixture("dashlane-csv/legacy-headerless.csv", Format::DashlaneCsv);
    assert!(loss.is_empty(), "{loss}");
    let Credential::BasicAuth(b) = credential(&doc, "Book swap", "basic-auth") else {
        unreachable!()
    };
    assert_eq!(
        b.username.as_ref().unwrap().value.expose(),
        "ivy@mail.example"
    );
    assert_eq!(b.password.as_ref().unwrap().value.expose(), "page, 42");
    let Credential::Note(n) = credential(&doc, "Cabin wifi", "note") else {
        unreachable!()
    };
    assert_eq!(
        n.content.value.expose(),
        "Network \"Pinecone\"\npassphrase on the fridge"
    );
    let garden = &doc.accounts[0].items[0];
    assert_eq!(
        garden.scope.as_ref().unwrap().urls[0].as_str(),
        "https://garden.example/login"
    );
    // A record of another width is not the older layout: refused, not misread.
    let ragged = b"\"Mail\",\"https://mail.example.test/\",\"kim\",\"pw\",\"\"\n\"Bank\",\"\",\"kim\",\"pw\",\"\",\"x\"\n";
    let err = formats::read(Format::DashlaneCsv, ragged, &ReadOptions::default()).unwrap_err();
    assert_eq!(err.kind(), "syntax");
}

/// A small document for the exact-output tests of the login CSV writers: a login with a TOTP
/// and a note, a login without a username, and a note without a login.
fn small_login_doc() -> Document {
    let json = br#"{"version":{"major":1,"minor":0},"exporterRpId":"example.com","exporterDisplayName":"Example","timestamp":1750000000,
      "accounts":[{"id":"QUNDVA","username":"u","email":"u@example.com","items":[
        {"id":"SVRFTTE","title":"Mail, \"work\"","scope":{"urls":["https://mail.example.com/login"]},"credentials":[
          {"type":"basic-auth","username":{"fieldType":"string","value":"alice"},"password":{"fieldType":"concealed-string","value":"pa,ss"}},
          {"type":"totp","secret":"JBSWY3DPEHPK3PXP","period":30,"digits":6,"algorithm":"sha1","issuer":"Mail","username":"alice"},
          {"type":"note","content":{"fieldType":"string","value":"line 1\nline 2"}}]},
        {"id":"SVRFTTI","title":"Router","scope":{"urls":["http://192.168.1.1/"]},"credentials":[
          {"type":"basic-auth","password":{"fieldType":"concealed-string","value":"r0uter"}}]},
        {"id":"SVRFTTM","title":"Recipe","credentials":[
          {"type":"note","content":{"fieldType":"string","value":"flour"}}]}]}]}"#;
    Document::parse(json, &cxf::Limits::default())
        .unwrap()
        .document
}

#[test]
fn onepassword_csv_writer_exact_output() {
    let (out, loss) = formats::write(Format::OnePasswordCsv, &small_login_doc()).unwrap();
    let text = String::from_utf8(out.to_vec()).unwrap();
    assert_eq!(
        text,
        "Title,Website,Username,Password,One-time password,Notes\n\
         \"Mail, \"\"work\"\"\",https://mail.example.com/login,alice,\"pa,ss\",\
         otpauth://totp/Mail:alice?secret=JBSWY3DPEHPK3PXP&issuer=Mail&algorithm=SHA1&digits=6&period=30,\
         \"line 1\nline 2\"\n"
    );
    let whats: Vec<(&str, &str, Option<&str>)> = loss
        .entries()
        .iter()
        .map(|e| (e.what.as_str(), e.reason.code(), e.item_title.as_deref()))
        .collect();
    assert_eq!(
        whats,
        [
            ("account.username", "no-equivalent", None),
            ("account.email", "no-equivalent", None),
            ("item", "skipped", Some("Recipe")),
            ("item", "target-refuses", Some("Router")),
        ]
    );
}

#[test]
fn dashlane_csv_writer_exact_output() {
    let (out, loss) = formats::write(Format::DashlaneCsv, &small_login_doc()).unwrap();
    let text = String::from_utf8(out.to_vec()).unwrap();
    assert_eq!(
        text,
        "username,username2,username3,title,password,note,url,category,otpSecret\r\n\
         alice,,,\"Mail, \"\"work\"\"\",\"pa,ss\",\"line 1\nline 2\",https://mail.example.com/login,,\
         JBSWY3DPEHPK3PXP\r\n\
         ,,,Router,r0uter,,http://192.168.1.1/,,\r\n"
    );
    let whats: Vec<(&str, &str, Option<&str>)> = loss
        .entries()
        .iter()
        .map(|e| (e.what.as_str(), e.reason.code(), e.item_title.as_deref()))
        .collect();
    assert_eq!(
        whats,
        [
            ("account.username", "no-equivalent", None),
            ("account.email", "no-equivalent", None),
            ("item", "skipped", Some("Recipe")),
            (
                "credentials[1]:totp.issuer",
                "no-equivalent",
                Some("Mail, \"work\"")
            ),
        ]
    );
}

#[test]
fn generic_csv_puts_mapped_columns_in_their_cxf_places() {
    use cxf::formats::ColumnMap;
    let bytes = std::fs::read(fixtures_dir().join("generic-csv/mapped-columns.csv")).unwrap();
    let map: ColumnMap = "title=Name,username=Login,password=Pass,url=Site,url=Alt Site,notes=Comment,totp=OTP,folder=Group,tags=Labels,created=Made,modified=Changed"
        .parse()
        .unwrap();
    let options = ReadOptions::default().with_columns(map);
    let (doc, loss) = formats::read(Format::GenericCsv, &bytes, &options).unwrap();
    let account = &doc.accounts[0];
    let mail = &account.items[0];
    assert_eq!(mail.title, "Mail");
    let urls: Vec<&str> = mail
        .scope
        .as_ref()
        .unwrap()
        .urls
        .iter()
        .map(|u| u.as_str())
        .collect();
    assert_eq!(
        urls,
        [
            "https://mail.example.test/",
            "https://webmail.example.test/"
        ]
    );
    let Credential::BasicAuth(auth) = &mail.credentials[0] else {
        panic!("{:?}", mail.credentials[0])
    };
    assert_eq!(auth.username.as_ref().unwrap().value.expose(), "kim");
    assert_eq!(auth.password.as_ref().unwrap().value.expose(), "hunter2");
    let Credential::Totp(totp) = &mail.credentials[1] else {
        panic!()
    };
    assert_eq!(totp.secret.expose(), "JBSWY3DPEHPK3PXP");
    assert_eq!(totp.username.as_deref(), Some("kim"));
    let Credential::Note(note) = &mail.credentials[2] else {
        panic!()
    };
    assert_eq!(note.content.value.expose(), "first note");
    let tags: Vec<&str> = mail.tags.iter().map(|t| t.as_str()).collect();
    assert_eq!(tags, ["a", "b"]);
    assert_eq!(mail.creation_at, Some(1_704_164_645));
    assert_eq!(mail.modified_at, Some(1_704_164_645));
    let bank = &account.items[1];
    assert_eq!(
        bank.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        ["x", "y"]
    );
    assert_eq!(bank.modified_at, Some(1_704_164_645), "milliseconds");
    // Folders: Work/Mail nested, Money at the top.
    let names: Vec<&str> = account
        .collections
        .iter()
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(names, ["Work", "Money"]);
    let work = &account.collections[0];
    assert_eq!(work.sub_collections[0].title, "Mail");
    assert_eq!(work.sub_collections[0].items[0].item, mail.id);
    // The unmapped column with values is named; the empty one is not; no value is shown.
    let colour = loss.entries().iter().find(|e| e.what == "Colour").unwrap();
    assert!(colour.detail.contains("\"Colour\""), "{}", colour.detail);
    assert!(!loss.entries().iter().any(|e| e.what == "Spare"));
    let report = loss.to_string();
    for value in ["blue", "green", "hunter2", "not base32", "yesterday"] {
        assert!(!report.contains(value), "{value} in {report}");
    }
}

#[test]
fn generic_csv_needs_a_map_that_fits_the_header() {
    use cxf::formats::ColumnMap;
    let bytes = b"Name,Login,Pass\r\nMail,kim,hunter2\r\n";
    let e = formats::read(Format::GenericCsv, bytes, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), "unsupported");
    let msg = e.to_string();
    assert!(msg.contains("give a column map"), "{msg}");
    assert!(
        msg.contains("the file's columns are \"Name\", \"Login\", \"Pass\""),
        "{msg}"
    );
    let map = ColumnMap::parse("title=name,username=Login,password=Passwort,url=Site").unwrap();
    let e = formats::read(
        Format::GenericCsv,
        bytes,
        &ReadOptions::default().with_columns(map),
    )
    .unwrap_err();
    assert_eq!(e.kind(), "column-map");
    assert_eq!(
        e.to_string(),
        "the column map does not fit the file: the header has no column for password=Passwort, url=Site; the file's columns are \"Name\", \"Login\", \"Pass\""
    );
    assert!(!e.to_string().contains("hunter2"));
    let e = ColumnMap::parse("title=Name,login=Login").unwrap_err();
    assert!(
        e.to_string().contains("unknown role \"login\"; roles: title, username, password, url, notes, totp, folder, tags, created, modified"),
        "{e}"
    );
    assert_eq!(
        formats::csv_columns(b"\xef\xbb\xbf Name ,Login\nx,y\n").unwrap(),
        ["Name", "Login"]
    );
    // A row holding only a title is skipped and reported.
    let map = ColumnMap::parse("title=Name,username=Login").unwrap();
    let (doc, loss) = formats::read(
        Format::GenericCsv,
        b"Name,Login\nA,kim\nB,\n",
        &ReadOptions::default().with_columns(map),
    )
    .unwrap();
    assert_eq!(doc.accounts[0].items.len(), 1);
    assert_eq!(loss.entries()[0].what, "item");
    assert_eq!(loss.entries()[0].item_title.as_deref(), Some("B"));
}

#[test]
fn encrypted_outputs_read_back_with_their_password_only() {
    let (doc, _) = formats::read(
        Format::Cxf,
        &std::fs::read(fixtures_dir().join("cxf/header-all-kinds.json")).unwrap(),
        &ReadOptions::default(),
    )
    .unwrap();
    let options = WriteOptions::default()
        .with_encryption("enc pw")
        .dangerous_cheap_kdf();
    let right = ReadOptions::default().with_password("enc pw");
    let wrong = ReadOptions::default().with_password("not it");
    for format in [Format::Cxf, Format::BitwardenJson] {
        let (plain, plain_loss) = formats::write(format, &doc).unwrap();
        let (sealed, loss) = formats::write_with(format, &doc, &options).unwrap();
        assert_eq!(loss.len(), plain_loss.len(), "{format}: the same report");
        assert_ne!(&sealed[..], &plain[..]);
        // Opened by read() (age transparently) and by convert() with detection.
        let (back, _) = formats::read(format, &sealed, &right).unwrap();
        let (plain_back, _) = formats::read(format, &plain, &ReadOptions::default()).unwrap();
        assert_eq!(back.accounts, plain_back.accounts, "{format}");
        let converted = formats::convert(&sealed, None, Format::Cxf, &right).unwrap();
        assert_eq!(converted.from, format);
        assert!(matches!(
            formats::read(format, &sealed, &wrong),
            Err(formats::ReadError::DecryptionFailed)
        ));
        assert!(matches!(
            formats::read(format, &sealed, &ReadOptions::default()),
            Err(formats::ReadError::PasswordRequired)
        ));
    }
    let (sealed, _) = formats::write_with(Format::Cxf, &doc, &options).unwrap();
    assert_eq!(formats::detect(&sealed), Detection::Age);
    assert!(matches!(
        formats::write_with(Format::ChromeCsv, &doc, &options),
        Err(formats::WriteError::NotEncryptable(Format::ChromeCsv))
    ));
    let mut no_password = WriteOptions::default().with_encryption("x");
    no_password.password = None;
    assert!(matches!(
        formats::write_with(Format::Cxf, &doc, &no_password),
        Err(formats::WriteError::PasswordRequired)
    ));
}

/// The kinds a document holds (folders when it has collections).
fn kinds_of(doc: &Document) -> std::collections::BTreeSet<formats::Kind> {
    let mut out: std::collections::BTreeSet<formats::Kind> = credential_counts(doc)
        .keys()
        .filter_map(|t| formats::Kind::of_credential_type(t))
        .collect();
    if doc.accounts.iter().any(|a| !a.collections.is_empty()) {
        out.insert(formats::Kind::Folders);
    }
    out
}

#[test]
fn what_each_format_reads_is_what_its_fixtures_show() {
    // `Format::reads` (the README's manager table) against the union of what every fixture of
    // the format gives: a kind is listed exactly when some fixture proves it.
    let mut seen: BTreeMap<Format, std::collections::BTreeSet<formats::Kind>> = BTreeMap::new();
    for (path, expect) in cases() {
        if expect.get("error").is_some() {
            continue;
        }
        let format: Format = expect["format"].as_str().unwrap().parse().unwrap();
        let (doc, _) = formats::read(
            format,
            &std::fs::read(&path).unwrap(),
            &options_for(&expect),
        )
        .unwrap();
        seen.entry(format).or_default().extend(kinds_of(&doc));
    }
    // kdbx has no fixture files (binary databases are written by the tests): its entries are
    // KeePass XML's.
    let keepass = seen[&Format::KeepassXml].clone();
    seen.insert(Format::Kdbx, keepass);
    let mut wrong = Vec::new();
    for &format in Format::ALL {
        let listed: std::collections::BTreeSet<formats::Kind> =
            format.reads().iter().copied().collect();
        let shown = seen.get(&format).cloned().unwrap_or_default();
        if listed != shown {
            wrong.push(format!(
                "{format}: reads() lists {listed:?}, fixtures show {shown:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn what_each_format_writes_is_what_reads_back() {
    // `Format::writes` against a vault holding every kind, written and read back by the same
    // format's reader.
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/planted/every-field.cxf.json");
    let doc = cxf::Document::parse(&std::fs::read(path).unwrap(), &cxf::Limits::default())
        .unwrap()
        .document;
    assert_eq!(
        kinds_of(&doc).len(),
        formats::Kind::ALL.len(),
        "the planted vault holds every kind"
    );
    let mut wrong = Vec::new();
    for &format in Format::ALL.iter().filter(|f| f.can_write()) {
        let options = test_password();
        let (bytes, _) = formats::write_with(format, &doc, &options).unwrap();
        let read = ReadOptions::default().with_password(TEST_PASSWORD);
        let (back, _) = formats::read(format, &bytes, &read).unwrap();
        let listed: std::collections::BTreeSet<formats::Kind> =
            format.writes().iter().copied().collect();
        let shown = kinds_of(&back);
        if listed != shown {
            wrong.push(format!(
                "{format}: writes() lists {listed:?}, read-back shows {shown:?}"
            ));
        }
    }
    for &format in Format::ALL.iter().filter(|f| !f.can_write()) {
        assert!(format.writes().is_empty(), "{format}");
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_readme_manager_table_is_generated_from_the_registry() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let (begin, end) = ("<!-- managers:begin -->\n", "<!-- managers:end -->");
    let start = readme.find(begin).expect("README has the managers markers") + begin.len();
    let stop = readme[start..].find(end).unwrap() + start;
    let table = formats::managers_markdown();
    assert!(
        readme[start..stop] == table,
        "README.md's manager table is out of date; replace it between the markers with:\n{table}"
    );
    // The six systems most users come from each have both directions.
    for name in [
        "Apple Passwords",
        "Google Password Manager",
        "1Password",
        "Microsoft Authenticator",
        "Dashlane",
        "Bitwarden",
    ] {
        let m = formats::MANAGERS
            .iter()
            .find(|m| m.name.contains(name))
            .unwrap();
        assert!(!m.exports.is_empty() && m.imports.is_some(), "{name}");
    }
}

/// `CXF_PRINT_MANAGERS=FILE cargo test -p fido-cxf --features formats --test formats print_managers`
/// writes the README table to FILE (the test above says when it is out of date).
#[test]
fn print_managers() {
    if let Ok(path) = std::env::var("CXF_PRINT_MANAGERS") {
        std::fs::write(path, formats::managers_markdown()).unwrap();
    }
}

#[test]
fn fuzz_seed_selectors_follow_format_all() {
    // fuzz/seeds/formats_read.sh prefixes each fixture with its format's index in Format::ALL:
    // a list out of order feeds every later fixture to the wrong reader.
    let script = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/formats_read.sh"),
    )
    .unwrap();
    let start = script.find("formats=(").unwrap() + "formats=(".len();
    let end = script[start..].find(')').unwrap() + start;
    let listed: Vec<&str> = script[start..end].split_whitespace().collect();
    let all: Vec<&str> = Format::ALL
        .iter()
        .filter(|f| f.can_read())
        .map(|f| f.name())
        .collect();
    assert_eq!(listed, all);
}
