//! `cxf::formats::detect` chooses a format only on that format's own markers: every real sample
//! export named by `CXF_SHARED_SAMPLES` is detected as its folder says (or, for exports this
//! crate cannot read, never claimed by a readable format), hand-written look-alikes are refused,
//! and a minimal input carrying each signature is recognised.

mod common;
use common::sample_format;

use std::path::{Path, PathBuf};

use cxf::formats::{self, ConvertError, Detection, Format, ReadOptions};

/// Sample folders of exports we recognise but cannot read → what detection calls them.
fn sample_unsupported(dir: &str) -> Option<&'static str> {
    Some(match dir {
        "apple-keychain-txt" => "macOS keychain dump",
        _ => return None,
    })
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn unsupported(name: &'static str) -> Detection {
    Detection::Unsupported { name }
}

#[test]
fn every_real_sample_is_detected_by_its_own_signature() {
    let Some(root) = std::env::var_os("CXF_SHARED_SAMPLES") else {
        println!(
            "SKIPPED every_real_sample_is_detected_by_its_own_signature: CXF_SHARED_SAMPLES is not set"
        );
        return;
    };
    let root = PathBuf::from(root);
    let mut files = Vec::new();
    files_under(&root, &mut files);
    files.sort();
    let mut failures = Vec::new();
    let (mut readable, mut recognised, mut other) = (0usize, 0usize, 0usize);
    for path in &files {
        let rel = path.strip_prefix(&root).unwrap();
        let mut parts = rel.components();
        let dir = parts.next().unwrap().as_os_str().to_string_lossy();
        if parts.next().is_none() {
            // A file at the top (SOURCES.md) belongs to no format folder.
            continue;
        }
        let got = formats::detect(&std::fs::read(path).unwrap());
        let rel = rel.display();
        if let Some(format) = sample_format(&dir) {
            readable += 1;
            if got != Detection::Certain(format) {
                failures.push(format!(
                    "{rel}: detected as {got:?}, want Certain({format})"
                ));
            }
        } else if let Some(name) = sample_unsupported(&dir) {
            recognised += 1;
            if got != unsupported(name) {
                failures.push(format!(
                    "{rel}: detected as {got:?}, want Unsupported({name})"
                ));
            }
        } else {
            other += 1;
            if let Detection::Certain(f) = got {
                failures.push(format!("{rel}: a format we cannot read detected as {f}"));
            }
        }
    }
    println!(
        "{readable} readable, {recognised} recognised-unsupported and {other} other sample files checked"
    );
    assert!(readable >= 50, "expected the sample tree, found {readable}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A small deterministic pseudo-random byte string (xorshift), not a format of anyone's.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn look_alikes_are_not_claimed() {
    // An Enpass 6 JSON export: `folders` and `items` like Bitwarden's, but Enpass's own items
    // (read as Enpass, never as Bitwarden).
    let enpass = br#"{
      "folders": [{"uuid": "f-1", "title": "Work", "icon": "folder", "parent_uuid": "", "updated_at": 1700000000}],
      "items": [{
        "uuid": "i-1", "title": "Mail", "subtitle": "kim", "note": "", "category": "login",
        "template_type": "login.default", "folders": ["f-1"], "favorite": 0, "auto_submit": 1,
        "updated_at": 1700000000,
        "fields": [
          {"label": "Username", "type": "username", "value": "kim", "sensitive": 0, "order": 1, "uid": 0, "deleted": 0},
          {"label": "Password", "type": "password", "value": "pw", "sensitive": 1, "order": 2, "uid": 1, "deleted": 0}
        ]
      }]
    }"#;
    assert_eq!(
        formats::detect(enpass),
        Detection::Certain(Format::EnpassJson)
    );

    let refused: &[(&str, &[u8])] = &[
        ("items of empty objects", br#"{"items":[{}]}"#),
        (
            "items and folders, nothing else",
            br#"{"items":[],"folders":[]}"#,
        ),
        (
            "Bitwarden-like item with a string type",
            br#"{"encrypted":false,"folders":[],"items":[{"type":"login","name":"a"}]}"#,
        ),
        (
            "Bitwarden-like item with an unknown type code",
            br#"{"encrypted":false,"folders":[],"items":[{"type":9,"name":"a"}]}"#,
        ),
        (
            "`encrypted` not a boolean",
            br#"{"encrypted":"no","folders":[],"items":[{"type":1,"name":"a"}]}"#,
        ),
        (
            "Bitwarden items without folders or `encrypted`",
            br#"{"items":[{"type":1,"name":"a"}]}"#,
        ),
        (
            "encrypted without Bitwarden's validation string",
            br#"{"encrypted":true,"data":"x"}"#,
        ),
        (
            "accounts that are neither CXF's nor 1Password's",
            br#"{"accounts":[{"name":"x"}]}"#,
        ),
        ("vaults without Proton's members", br#"{"vaults":{"a":{}}}"#),
        (
            "Chrome's columns plus one Chrome never writes",
            b"name,url,username,password,note,totp\nexample,https://example.test/,kim,pw,,\n",
        ),
        (
            "Apple's columns plus a group",
            b"Title,URL,Username,Password,Notes,OTPAuth,Group\n",
        ),
        (
            "LastPass's columns plus Bitwarden's",
            b"url,username,password,extra,name,grouping,fav,folder,type,login_uri\n",
        ),
        (
            "1Password 8's columns plus an extra one",
            b"Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes,Vault\n",
        ),
        (
            "Firefox's columns without guid",
            b"url,username,password,httpRealm,formActionOrigin\n",
        ),
        ("a lone title column", b"title\nhello\n"),
        ("prose", b"hello world, this is not an export\n"),
        ("an empty file", b""),
        ("only whitespace", b" \r\n\t\n"),
        (
            "an XML file of someone else",
            b"<?xml version=\"1.0\"?><vault><entry/></vault>",
        ),
        (
            "an empty zip",
            b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        ),
        (
            "KDBX-like magic with a wrong second signature",
            b"\x03\xd9\xa2\x9a\x00\x00\x00\x00rest",
        ),
    ];
    // Any CSV could be read as generic-csv: it is only ever chosen by name.
    let generic: &[&[u8]] = &[
        b"Name,Login,Pass,Site\nMail,kim,pw,https://mail.example.test/\n",
        b"title,username,password,url,notes,totp,folder,tags\n",
        include_bytes!("../../fixtures/formats/generic-csv/mapped-columns.csv"),
    ];
    for input in generic {
        let got = formats::detect(input);
        assert!(
            !matches!(got, Detection::Certain(Format::GenericCsv))
                && !matches!(&got, Detection::Ambiguous(c) if c.contains(&Format::GenericCsv)),
            "detected as {got:?}"
        );
    }
    for (what, input) in refused {
        let got = formats::detect(input);
        assert!(
            !matches!(got, Detection::Certain(_)),
            "{what}: detected as {got:?}"
        );
    }
    let random = noise(4096);
    assert_eq!(formats::detect(&random), Detection::Unknown);
    let mut random_json_start = b"{".to_vec();
    random_json_start.extend(noise(512));
    assert_eq!(formats::detect(&random_json_start), Detection::Unknown);

    // KeePassXC's CSV has Apple's and 1Password's columns and more: it is none of them, only
    // KeePassXC's.
    let keepassxc = b"\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\",\"TOTP\",\"Icon\",\"Last Modified\",\"Created\"\n\"Root/Web\",\"Mail\",\"kim\",\"pw\",\"https://mail.example.test/\",\"\",\"\",\"0\",\"2024-01-02T03:04:05Z\",\"2024-01-02T03:04:05Z\"\n";
    assert_eq!(
        formats::detect(keepassxc),
        Detection::Certain(Format::KeepassxcCsv)
    );
    let near_misses: &[(&str, &[u8])] = &[
        (
            "KeePassXC's columns plus a tag column",
            b"\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\",\"Tags\"\n",
        ),
        (
            "KeePassXC's columns without Group",
            b"\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\",\"TOTP\"\n",
        ),
        (
            "KeePass's columns plus a group",
            b"\"Account\",\"Login Name\",\"Password\",\"Web Site\",\"Comments\",\"Group\"\n",
        ),
        (
            "KeePass's columns without comments",
            b"\"Account\",\"Login Name\",\"Password\",\"Web Site\"\n",
        ),
    ];
    let keeper_like: &[(&str, &[u8])] = &[
        (
            "header-less quoted rows of six cells",
            b"\"\",\"Mail\",\"kim\",\"pw\",\"https://mail.example.test/\",\"\"\n",
        ),
        (
            "a record without a title",
            b"\"Web\",\"\",\"kim\",\"pw\",\"https://mail.example.test/\",\"\",\"\"\n",
        ),
        (
            "unquoted header-less rows",
            b"Web,Mail,kim,pw,https://mail.example.test/,,\n",
        ),
    ];
    let dashlane_like: &[(&str, &[u8])] = &[
        (
            "header-less quoted rows of five cells with prose where the URL goes",
            b"\"Mail\",\"my mail\",\"kim\",\"pw\",\"\"\n",
        ),
        (
            "a five-column header",
            b"\"Title\",\"URL\",\"Login\",\"Password\",\"Note\"\n\"Mail\",\"https://mail.example.test/\",\"kim\",\"pw\",\"\"\n",
        ),
        (
            "unquoted header-less rows of five cells",
            b"Mail,https://mail.example.test/,kim,pw,\n",
        ),
        (
            "header-less quoted rows of five and six cells",
            b"\"Mail\",\"https://mail.example.test/\",\"kim\",\"pw\",\"\"\n\"Bank\",\"https://bank.example.test/\",\"kim\",\"pw\",\"\",\"\"\n",
        ),
        (
            "header-less quoted rows of five cells without any URL",
            b"\"Mail\",\"\",\"kim\",\"pw\",\"\"\n",
        ),
    ];
    for (what, input) in dashlane_like {
        let got = formats::detect(input);
        assert_ne!(got, Detection::Certain(Format::DashlaneCsv), "{what}");
    }
    for (what, input) in keeper_like {
        let got = formats::detect(input);
        assert_ne!(got, Detection::Certain(Format::KeeperCsv), "{what}");
    }
    for (what, input) in near_misses {
        let got = formats::detect(input);
        assert!(
            !matches!(
                got,
                Detection::Certain(Format::KeepassxcCsv | Format::KeepassCsv)
            ),
            "{what}: detected as {got:?}"
        );
    }
}

#[test]
fn each_readable_signature_is_recognised() {
    let cases: &[(&str, &[u8], Format)] = &[
        (
            "CXF header",
            br#"{"version":{"major":1,"minor":0},"exporterRpId":"example.test","exporterDisplayName":"E","timestamp":1,"accounts":[]}"#,
            Format::Cxf,
        ),
        (
            "CXF header of the 2024 draft",
            br#"{"version":0,"exporter":"example.test","timestamp":1,"accounts":[{"id":"AA","userName":"kim","email":"k@example.test","items":[]}]}"#,
            Format::Cxf,
        ),
        (
            "bare CXF Account",
            br#"{"id":"AA","username":"kim","email":"k@example.test","collections":[],"items":[{"id":"AQ","title":"t","credentials":[]}]}"#,
            Format::Cxf,
        ),
        (
            "empty bare CXF Account",
            br#"{"id":"AA","username":"kim","email":"k@example.test","collections":[],"items":[]}"#,
            Format::Cxf,
        ),
        (
            "Bitwarden personal export",
            br#"{"encrypted":false,"folders":[{"id":"f","name":"Work"}],"items":[{"id":"i","type":1,"name":"Mail","login":{"username":"kim"}}]}"#,
            Format::BitwardenJson,
        ),
        (
            "empty Bitwarden export",
            br#"{"encrypted":false,"folders":[],"items":[]}"#,
            Format::BitwardenJson,
        ),
        (
            "Bitwarden organisation export",
            br#"{"encrypted":false,"collections":[{"id":"c","organizationId":"o","name":"Team","externalId":null}],"items":[{"type":2,"name":"Note","secureNote":{"type":0},"collectionIds":["c"]}]}"#,
            Format::BitwardenJson,
        ),
        (
            "Bitwarden export without `encrypted` nor `type`",
            br#"{"folders":[{"id":"f","name":"Work"}],"items":[{"folderId":null,"name":"Bare"}]}"#,
            Format::BitwardenJson,
        ),
        (
            "password-protected Bitwarden export",
            br#"{"encrypted":true,"passwordProtected":true,"salt":"c2FsdA==","kdfType":0,"kdfIterations":600000,"encKeyValidation_DO_NOT_EDIT":"2.x|y|z","data":"2.x|y|z"}"#,
            Format::BitwardenJson,
        ),
        (
            "account-restricted Bitwarden export",
            br#"{"encrypted":true,"encKeyValidation_DO_NOT_EDIT":"2.x|y|z","folders":[],"items":[{"type":1,"name":"2.x|y|z"}]}"#,
            Format::BitwardenJson,
        ),
        (
            "1PUX export.data",
            br#"{"accounts":[{"attrs":{"accountName":"Kim"},"vaults":[{"attrs":{"name":"Private"},"items":[]}]}]}"#,
            Format::OnePassword1pux,
        ),
        (
            "Proton Pass JSON",
            br#"{"version":"1.21.2","userId":"u","encrypted":false,"vaults":{"s":{"name":"Personal","items":[]}}}"#,
            Format::ProtonpassJson,
        ),
        (
            "KeePass 2 XML",
            b"<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\n<!-- made by hand -->\n<KeePassFile><Meta/><Root/></KeePassFile>",
            Format::KeepassXml,
        ),
        (
            "Chrome CSV",
            b"name,url,username,password,note\r\n",
            Format::ChromeCsv,
        ),
        (
            "old Chrome CSV with a trailing comma",
            b"name,url,username,password,\n",
            Format::ChromeCsv,
        ),
        (
            "Apple Passwords CSV",
            b"Title,URL,Username,Password,Notes,OTPAuth\n",
            Format::AppleCsv,
        ),
        (
            "Firefox CSV",
            b"\"url\",\"username\",\"password\",\"httpRealm\",\"formActionOrigin\",\"guid\",\"timeCreated\",\"timeLastUsed\",\"timePasswordChanged\"\r\n",
            Format::FirefoxCsv,
        ),
        (
            "Firefox Password Exporter CSV",
            b"# Generated by Password Exporter; Export format 1.1; Encrypted: false\r\n\"hostname\",\"username\",\"password\",\"formSubmitURL\",\"httpRealm\",\"usernameField\",\"passwordField\"\r\n",
            Format::FirefoxCsv,
        ),
        (
            "Firefox Password Exporter CSV without its comment line",
            b"\"hostname\",\"username\",\"password\",\"formSubmitURL\",\"httpRealm\",\"usernameField\",\"passwordField\"\n",
            Format::FirefoxCsv,
        ),
        (
            "ff-password-exporter CSV",
            b"hostname,username,password,timeCreated,timeLastUsed,timePasswordChanged,timesUsed\r\n",
            Format::FirefoxCsv,
        ),
        (
            "1Password 4 CSV",
            b"title,notes,username,password,url\n",
            Format::OnePasswordCsv,
        ),
        (
            "older header-less Dashlane CSV",
            b"\"Mail\",\"https://mail.example.test/\",\"kim\",\"pw\",\"\"\n\"Door\",\"\",\"\",\"\",\"1234\"\n",
            Format::DashlaneCsv,
        ),
        (
            "LastPass CSV",
            b"url,username,password,totp,extra,name,grouping,fav\n",
            Format::LastpassCsv,
        ),
        (
            "Bitwarden CSV",
            b"folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\r\n",
            Format::BitwardenCsv,
        ),
        (
            "Bitwarden organisation CSV",
            b"collections,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\r\n",
            Format::BitwardenCsv,
        ),
        (
            "1Password 8 CSV",
            b"Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes\n",
            Format::OnePasswordCsv,
        ),
        (
            "1Password 6/7 Windows CSV",
            b"\"UUID\",\"TITLE\",\"SCOPE\",\"AUTOSUBMIT\",\"SECTION 1: WORK\",\"WORK 1: DESK\"\n",
            Format::OnePasswordCsv,
        ),
        (
            "1Password 6/7 Mac CSV",
            b"\"desk(desk)\",\"Created Date\",\"Modified Date\",\"Notes\",\"Title\",\"Type\"\n",
            Format::OnePasswordCsv,
        ),
        (
            "Dashlane credentials CSV",
            b"username,username2,username3,title,password,note,url,category,otpSecret\r\n",
            Format::DashlaneCsv,
        ),
        (
            "Dashlane ids CSV",
            b"type,number,name,issue_date,expiration_date,place_of_issue,state\r\n",
            Format::DashlaneCsv,
        ),
        ("Dashlane secure notes CSV", b"title,note\r\n", Format::DashlaneCsv),
        (
            "KeePassXC CSV",
            b"\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\",\"TOTP\",\"Icon\",\"Last Modified\",\"Created\"\n",
            Format::KeepassxcCsv,
        ),
        (
            "KeePassXC CSV before 2.6",
            b"\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\"\n",
            Format::KeepassxcCsv,
        ),
        (
            "KeePass CSV",
            b"\"Account\",\"Login Name\",\"Password\",\"Web Site\",\"Comments\"\n",
            Format::KeepassCsv,
        ),
        (
            "Proton Pass CSV",
            b"type,name,url,email,username,password,note,totp,createTime,modifyTime,vault\r\n",
            Format::ProtonpassCsv,
        ),
        (
            "old Proton Pass CSV",
            b"type,name,url,username,password,note,totp,createTime,modifyTime\r\n",
            Format::ProtonpassCsv,
        ),
        (
            "NordPass CSV",
            b"name,url,additional_urls,username,password,note,cardholdername,cardnumber,cvc,pin,expirydate,zipcode,folder,full_name,phone_number,email,address1,address2,city,country,state,type,custom_fields\n",
            Format::NordpassCsv,
        ),
        (
            "NordPass CSV without type",
            b"name,url,username,password,note,cardholdername,cardnumber,cvc,expirydate,zipcode,folder,full_name,phone_number,email,address1,address2,city,country,state\n",
            Format::NordpassCsv,
        ),
        (
            "RoboForm CSV",
            b"Name,Url,MatchUrl,Login,Pwd,Note,Folder,RfFieldsV2\n",
            Format::RoboformCsv,
        ),
        (
            "older RoboForm CSV",
            b"Name,Url,MatchUrl,Login,Pwd,Note,Folder,Rf_fields\n",
            Format::RoboformCsv,
        ),
        (
            "Keeper CSV",
            b"\"Web\",\"Mail\",\"kim\",\"pw\",\"https://mail.example.test/\",\"\",\"\"\n\"\",\"Bank\",\"kim\",\"pw2\",\"\",\"\",\"\",\"TFC:Keeper\",\"otpauth://totp/x?secret=AAAA\"\n",
            Format::KeeperCsv,
        ),
        (
            "Keeper JSON",
            br#"{"shared_folders":[],"records":[{"uid":"r1","title":"Mail","$type":"login","login":"kim"}]}"#,
            Format::KeeperJson,
        ),
        (
            "1Password 1PIF",
            b"{\"uuid\":\"A1\",\"typeName\":\"webforms.WebForm\",\"title\":\"Mail\"}\r\n***5642bee8-a5ff-11dc-8314-0800200c9a66***\r\n",
            Format::OnePassword1pif,
        ),
        (
            "Dashlane JSON",
            br#"{"AUTHENTIFIANT":[{"domain":"example.test","login":"kim","title":"Mail"}],"SECURENOTE":[]}"#,
            Format::DashlaneJson,
        ),
        (
            "Enpass CSV",
            b"\"Title\",\"Field\",\"Value\",\"Field\",\"Value\",\"Note\"\n\"Mail\",\"Username\",\"kim\",\"Password\",\"pw\",\"\"\n",
            Format::EnpassCsv,
        ),
    ];
    for (what, input, want) in cases {
        assert_eq!(formats::detect(input), Detection::Certain(*want), "{what}");
        // A byte order mark and leading blank lines change nothing.
        let mut with_bom = b"\xef\xbb\xbf\r\n".to_vec();
        with_bom.extend_from_slice(input);
        assert_eq!(
            formats::detect(&with_bom),
            Detection::Certain(*want),
            "{what} (with a BOM)"
        );
    }
}

/// A stored (uncompressed) zip holding empty members with these names.
fn zip_of(names: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for name in names {
        let offset = out.len() as u32;
        let n = name.len() as u16;
        out.extend_from_slice(b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0");
        out.extend_from_slice(&[0; 12]); // crc, sizes
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        central.extend_from_slice(b"PK\x01\x02\x14\0\x14\0\0\0\0\0\0\0\0\0");
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&n.to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let start = out.len() as u32;
    let count = names.len() as u16;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&start.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

#[test]
fn zip_signatures_are_member_names() {
    let cases: &[(&[&str], Detection)] = &[
        (
            &["export.attributes", "export.data", "files/a__b.txt"],
            Detection::Certain(Format::OnePassword1pux),
        ),
        (
            &["export.data"],
            Detection::Certain(Format::OnePassword1pux),
        ),
        (
            &["Proton Pass/data.json"],
            Detection::Certain(Format::ProtonpassJson),
        ),
        (
            &["credentials.csv", "securenotes.csv", "personalInfo.csv"],
            Detection::Certain(Format::DashlaneCsv),
        ),
        (
            &["Proton Pass/data.pgp"],
            unsupported("Proton Pass encrypted (PGP) export"),
        ),
        // Look-alikes: a Dashlane name among other files, `export.data` beside strangers.
        (&["credentials.csv", "readme.txt"], Detection::Unknown),
        (&["export.data", "notes.txt"], Detection::Unknown),
        (&["data.json"], Detection::Unknown),
    ];
    for (names, want) in cases {
        assert_eq!(&formats::detect(&zip_of(names)), want, "{names:?}");
    }
}

#[test]
fn recognised_exports_we_cannot_read_say_what_they_are() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"\x03\xd9\xa2\x9a\x65\xfb\x4b\xb5\x00\x00\x00\x00",
            "KeePass 1 database (KDB)",
        ),
        (
            b"<?xml version=\"1.0\"?>\n<!DOCTYPE KEEPASSX_DATABASE>\n<database><group><title>Web</title></group></database>",
            "KeePassX XML export",
        ),
        (
            b"keychain: \"/Users/kim/Library/Keychains/login.keychain-db\"\nversion: 512\nclass: \"genp\"\n",
            "macOS keychain dump",
        ),
    ];
    for (input, name) in cases {
        assert_eq!(
            formats::detect(input),
            Detection::Unsupported { name },
            "{name}"
        );
    }
}

#[test]
fn age_files_are_told_apart_from_formats() {
    for input in [
        &b"age-encryption.org/v1\n-> X25519 abc\nxyz\n--- mac\n\x01\x02"[..],
        b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n",
    ] {
        assert_eq!(formats::detect(input), Detection::Age);
    }
}

#[test]
fn apple_and_1password_4_are_told_apart_by_column_order() {
    // 1Password 4's header holds only names Apple's CSV also writes, in another order: Apple
    // always starts `Title,URL,Username,Password`.
    assert_eq!(
        formats::detect(b"title,notes,username,password,url\n"),
        Detection::Certain(Format::OnePasswordCsv)
    );
    for apple in [
        &b"Title,URL,Username,Password,Notes,OTPAuth\n"[..],
        b"Title,Url,Username,Password,OTPAuth,Notes\n",
        b"Title,Url,Username,Password\n",
    ] {
        assert_eq!(
            formats::detect(apple),
            Detection::Certain(Format::AppleCsv),
            "{}",
            String::from_utf8_lossy(apple)
        );
    }
    // Apple's names in an order Apple never writes are neither format.
    assert_eq!(
        formats::detect(b"Username,Password,Title,URL,Notes\n"),
        Detection::Unknown
    );
}

#[test]
fn convert_tells_what_an_unreadable_export_is() {
    let keepassx = b"<?xml version=\"1.0\"?>\n<!DOCTYPE KEEPASSX_DATABASE>\n<database><group><title>Web</title></group></database>";
    let err = formats::convert(keepassx, None, Format::Cxf, &ReadOptions::default()).unwrap_err();
    assert!(matches!(
        err,
        ConvertError::Detection(Detection::Unsupported {
            name: "KeePassX XML export"
        })
    ));
    assert_eq!(
        err.to_string(),
        "this looks like a KeePassX XML export, which cannot be read yet"
    );
    // KeePass 2 databases are read (`kdbx`), in both signature variants.
    for kdbx in [
        b"\x03\xd9\xa2\x9a\x67\xfb\x4b\xb5\x01\x00\x04\x00",
        b"\x03\xd9\xa2\x9a\x66\xfb\x4b\xb5\x01\x00\x04\x00",
    ] {
        assert_eq!(formats::detect(kdbx), Detection::Certain(Format::Kdbx));
    }
}

#[test]
fn every_valid_and_quirky_cxf_fixture_is_cxf() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/cxf");
    let mut checked = 0usize;
    for dir in ["valid", "quirks"] {
        let mut files = Vec::new();
        files_under(&root.join(dir), &mut files);
        for path in files {
            let name = path.file_name().unwrap().to_string_lossy();
            if !name.ends_with(".json") || name.ends_with(".expect.json") {
                continue;
            }
            checked += 1;
            assert_eq!(
                formats::detect(&std::fs::read(&path).unwrap()),
                Detection::Certain(Format::Cxf),
                "{}",
                path.display()
            );
        }
    }
    assert!(
        checked >= 100,
        "expected the CXF fixture tree, found {checked}"
    );
}
