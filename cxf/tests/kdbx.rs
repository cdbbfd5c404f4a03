//! KeePass 2 databases (`kdbx`) against the real KeePassXC (`keepassxc-cli`, Debian package
//! `keepassxc`):
//!
//! * the planted document (every credential type, a passkey with extensions, TOTP, groups,
//!   tags) is written as a `.kdbx`, opened by `keepassxc-cli export -f xml` and `show`, and
//!   compared entry by entry with the source and with what we read back ourselves;
//! * a database created by `keepassxc-cli db-create` + `mkdir` + `add` (with a password, and
//!   with a password and a key file) is read;
//! * a KDBX 3.1 database (built here, AES-KDF + AES-256-CBC + hashed blocks, since
//!   `keepassxc-cli` 2.7 always creates KDBX 4) is read, and KeePassXC opens it too;
//! * wrong passwords and key files fail with the opaque `DecryptionFailed`.
//!
//! Tests that need `keepassxc-cli` print a SKIPPED line without it, unless
//! `CXF_REQUIRE_KEEPASSXC` is set (CI), where they fail.

mod keepassxc_cli;
use keepassxc_cli::*;

use cxf::formats::{self, Detection, Format, KeyFile, ReadError, ReadOptions, WriteOptions};
use cxf::{Credential, Document, Item};

fn with_password() -> ReadOptions {
    ReadOptions::default()
        .with_password(DB_PASSWORD)
        .with_timestamp(1)
}

#[test]
fn keepassxc_opens_the_planted_document_written_as_kdbx() {
    if !cli_available("keepassxc_opens_the_planted_document_written_as_kdbx") {
        return;
    }
    let doc = planted_doc();
    let options = WriteOptions::default().with_password(DB_PASSWORD);
    let (kdbx, loss) = formats::write_with(Format::Kdbx, &doc, &options).unwrap();
    for e in loss.entries() {
        assert_ne!(e.reason, formats::LossReason::NotReadBack, "{e:?}");
    }
    assert_eq!(formats::detect(&kdbx), Detection::Certain(Format::Kdbx));
    let dir = TempDir::new("planted");
    let db = dir.path("planted.kdbx");
    std::fs::write(&db, &kdbx[..]).unwrap();
    let stdin = format!("{DB_PASSWORD}\n");
    let exported = cli(&["export", "-q", "-f", "xml", &db], &stdin);
    let (theirs, _) =
        formats::read(Format::KeepassXml, &exported, &ReadOptions::default()).unwrap();
    // What the source holds that KeePass has a place for, KeePassXC has.
    let (want, got) = (kept_items(&doc), kept_items(&theirs));
    assert_eq!(got.len(), want.len(), "KeePassXC has every entry");
    for (w, g) in want.iter().zip(&got) {
        assert_eq!(g, w, "KeePassXC changed {:?}", w.title);
    }
    // KeePassXC sees exactly what we read back: notes, TOTP, custom and flattened fields,
    // groups, tags, times.
    let (ours, _) = formats::read(Format::Kdbx, &kdbx, &with_password()).unwrap();
    let (ours, theirs) = (entries(&ours), entries(&theirs));
    assert_eq!(ours.len(), theirs.len());
    for (o, t) in ours.iter().zip(&theirs) {
        assert_eq!(t, o, "KeePassXC reads {:?} differently", o.title);
    }
    let source = entries(&doc);
    for s in &source {
        let t = theirs.iter().find(|t| t.title == s.title).unwrap();
        assert_eq!(t.group, s.group, "group of {:?}", s.title);
        assert_eq!(t.times, s.times, "times of {:?}", s.title);
    }
    assert!(
        theirs.iter().any(|e| e
            .credentials
            .iter()
            .any(|c| c.contains("\"type\":\"totp\""))),
        "a TOTP reached KeePassXC"
    );
    // `show` reads attributes the way KeePassXC's browser integration and TOTP do.
    let with_totp = doc.accounts[0]
        .items
        .iter()
        .find(|i| {
            i.credentials
                .iter()
                .any(|c| matches!(c, Credential::Totp(_)))
                && i.credentials
                    .iter()
                    .any(|c| matches!(c, Credential::BasicAuth(_)))
        })
        .unwrap();
    let otp = cli(
        &[
            "show",
            "-q",
            "-s",
            "-a",
            "otp",
            &db,
            with_totp.title.as_str(),
        ],
        &stdin,
    );
    let otp = String::from_utf8(otp).unwrap();
    let Some(Credential::Totp(t)) = with_totp
        .credentials
        .iter()
        .find(|c| matches!(c, Credential::Totp(_)))
    else {
        unreachable!()
    };
    assert!(otp.trim().starts_with("otpauth://totp/"), "{otp}");
    assert!(
        otp.contains(&format!("secret={}", t.secret.expose())),
        "{otp}"
    );
    let totp = cli(&["show", "-q", "-t", &db, with_totp.title.as_str()], &stdin);
    let code = String::from_utf8(totp).unwrap();
    assert!(
        code.trim().len() as u64 == t.digits.unwrap_or(6)
            && code.trim().bytes().all(|b| b.is_ascii_digit()),
        "KeePassXC computes a TOTP code: {code:?}"
    );
    let with_passkey = want.iter().find(|k| !k.passkeys.is_empty()).unwrap();
    for (attribute, value) in [
        (
            "KPEX_PASSKEY_RELYING_PARTY",
            with_passkey.passkeys[0].rp_id.as_str().to_owned(),
        ),
        (
            "KPEX_PASSKEY_USERNAME",
            with_passkey.passkeys[0].username.as_str().to_owned(),
        ),
        (
            "KPEX_PASSKEY_CREDENTIAL_ID",
            with_passkey.passkeys[0].credential_id.as_str().to_owned(),
        ),
    ] {
        let shown = cli(
            &[
                "show",
                "-q",
                "-s",
                "-a",
                attribute,
                &db,
                &with_passkey.title,
            ],
            &stdin,
        );
        assert_eq!(String::from_utf8_lossy(&shown).trim(), value, "{attribute}");
    }
    let pem = cli(
        &[
            "show",
            "-q",
            "-s",
            "-a",
            "KPEX_PASSKEY_PRIVATE_KEY_PEM",
            &db,
            &with_passkey.title,
        ],
        &stdin,
    );
    assert!(String::from_utf8_lossy(&pem).starts_with("-----BEGIN PRIVATE KEY-----"));
    // Argon2id, as documented.
    let info = String::from_utf8(cli(&["db-info", "-q", &db], &stdin)).unwrap();
    assert!(info.contains("Argon2id"), "{info}");
}

/// `keepassxc-cli db-create`, `mkdir` and `add` (KeePassXC's defaults: KDBX 4, Argon2d),
/// optionally with a key file.
fn keepassxc_database(dir: &TempDir, key_file: Option<&str>) -> String {
    let db = dir.path("theirs.kdbx");
    let mut create = vec!["db-create", "-q", "-p", "-t", "100"];
    let mut open: Vec<&str> = Vec::new();
    if let Some(k) = key_file {
        create.extend(["--set-key-file", k]);
        open.extend(["-k", k]);
    }
    create.push(&db);
    cli(&create, &format!("{DB_PASSWORD}\n{DB_PASSWORD}\n"));
    let run = |args: &[&str], stdin: &str| {
        let mut all: Vec<&str> = vec![args[0], "-q"];
        all.extend(&open);
        all.extend(&args[1..]);
        cli(&all, stdin)
    };
    run(&["mkdir", &db, "Banking"], &format!("{DB_PASSWORD}\n"));
    run(
        &[
            "add",
            "-u",
            "alice@example.com",
            "--url",
            "https://bank.example/login",
            "--notes",
            "card in the drawer",
            "-p",
            &db,
            "Banking/Example Bank",
        ],
        &format!("{DB_PASSWORD}\nhunter2 bank\n"),
    );
    run(
        &["add", "-u", "bob", "-p", &db, "Mail"],
        &format!("{DB_PASSWORD}\nmail pw\n"),
    );
    db
}

fn basic_auth(item: &Item) -> (String, String) {
    item.credentials
        .iter()
        .find_map(|c| match c {
            Credential::BasicAuth(b) => Some((
                b.username
                    .as_ref()
                    .map_or(String::new(), |f| f.value.expose().to_owned()),
                b.password
                    .as_ref()
                    .map_or(String::new(), |f| f.value.expose().to_owned()),
            )),
            _ => None,
        })
        .unwrap()
}

fn check_keepassxc_entries(doc: &Document) {
    let items = &doc.accounts[0].items;
    assert_eq!(items.len(), 2, "{items:#?}");
    let bank = items
        .iter()
        .find(|i| i.title.as_str() == "Example Bank")
        .unwrap();
    assert_eq!(
        basic_auth(bank),
        ("alice@example.com".to_owned(), "hunter2 bank".to_owned())
    );
    let urls: Vec<&str> = bank
        .scope
        .iter()
        .flat_map(|s| &s.urls)
        .map(|u| u.as_str())
        .collect();
    assert_eq!(urls, ["https://bank.example/login"]);
    assert!(bank.credentials.iter().any(
        |c| matches!(c, Credential::Note(n) if n.content.value.expose() == "card in the drawer")
    ));
    assert!(bank.creation_at.is_some() && bank.modified_at.is_some());
    let mail = items.iter().find(|i| i.title.as_str() == "Mail").unwrap();
    assert_eq!(basic_auth(mail), ("bob".to_owned(), "mail pw".to_owned()));
    let banking = &doc.accounts[0].collections;
    assert_eq!(banking.len(), 1);
    assert_eq!(banking[0].title.as_str(), "Banking");
    assert_eq!(banking[0].items.len(), 1);
    assert_eq!(banking[0].items[0].item, bank.id);
}

#[test]
fn a_database_keepassxc_created_is_read() {
    if !cli_available("a_database_keepassxc_created_is_read") {
        return;
    }
    let dir = TempDir::new("theirs");
    let db = keepassxc_database(&dir, None);
    let bytes = std::fs::read(&db).unwrap();
    assert_eq!(formats::detect(&bytes), Detection::Certain(Format::Kdbx));
    let (doc, loss) = formats::read(Format::Kdbx, &bytes, &with_password()).unwrap();
    check_keepassxc_entries(&doc);
    assert!(loss.is_empty(), "{loss}");
    let wrong = ReadOptions::default().with_password("Correct horse battery staple");
    assert!(matches!(
        formats::read(Format::Kdbx, &bytes, &wrong),
        Err(ReadError::DecryptionFailed)
    ));
    assert!(matches!(
        formats::read(Format::Kdbx, &bytes, &ReadOptions::default()),
        Err(ReadError::PasswordRequired)
    ));
}

#[test]
fn a_database_keepassxc_created_with_a_key_file_is_read() {
    if !cli_available("a_database_keepassxc_created_with_a_key_file_is_read") {
        return;
    }
    let dir = TempDir::new("theirs-key");
    let key_path = dir.path("db.keyx");
    // KeePassXC creates the key file when it does not exist (an XML key file, version 2.0).
    let db = keepassxc_database(&dir, Some(&key_path));
    let bytes = std::fs::read(&db).unwrap();
    let key = KeyFile::new(std::fs::read(&key_path).unwrap());
    let options = with_password().with_key_file(key);
    let (doc, _) = formats::read(Format::Kdbx, &bytes, &options).unwrap();
    check_keepassxc_entries(&doc);
    assert!(matches!(
        formats::read(Format::Kdbx, &bytes, &with_password()),
        Err(ReadError::DecryptionFailed)
    ));
}

#[test]
fn keepassxc_opens_our_database_with_a_key_file() {
    if !cli_available("keepassxc_opens_our_database_with_a_key_file") {
        return;
    }
    let doc = planted_doc();
    let key = KeyFile::new(b"any file can be a key file\n".to_vec());
    let options = WriteOptions::default()
        .with_password(DB_PASSWORD)
        .with_key_file(key.clone());
    let (kdbx, _) = formats::write_with(Format::Kdbx, &doc, &options).unwrap();
    let dir = TempDir::new("ours-key");
    let (db, key_path) = (dir.path("ours.kdbx"), dir.path("key.bin"));
    std::fs::write(&db, &kdbx[..]).unwrap();
    std::fs::write(&key_path, key.expose()).unwrap();
    let listed = cli(
        &["ls", "-q", "-R", "-f", "-k", &key_path, &db],
        &format!("{DB_PASSWORD}\n"),
    );
    let listed = String::from_utf8(listed).unwrap();
    for item in &doc.accounts[0].items {
        assert!(listed.contains(item.title.as_str()), "{listed}");
    }
}

#[test]
fn wrong_passwords_and_key_files_fail_opaquely() {
    let doc = planted_doc();
    let options = WriteOptions::default().with_password(DB_PASSWORD);
    let (kdbx, _) = formats::write_with(Format::Kdbx, &doc, &options).unwrap();
    let (back, _) = formats::read(Format::Kdbx, &kdbx, &with_password()).unwrap();
    assert_eq!(back.accounts[0].items.len(), doc.accounts[0].items.len());
    for wrong in [
        ReadOptions::default().with_password("correct horse battery stapl"),
        ReadOptions::default().with_password(""),
        with_password().with_key_file(KeyFile::new(b"not the key".to_vec())),
    ] {
        let err = formats::read(Format::Kdbx, &kdbx, &wrong).unwrap_err();
        assert!(matches!(err, ReadError::DecryptionFailed), "{err:?}");
        assert_eq!(err.to_string(), "decryption failed; check the password");
    }
    // Damaged ciphertext: the same error.
    let mut damaged = kdbx.to_vec();
    let last = damaged.len() - 40;
    damaged[last] ^= 1;
    let err = formats::read(Format::Kdbx, &damaged, &with_password()).unwrap_err();
    assert!(matches!(err, ReadError::DecryptionFailed), "{err:?}");
    // No password at all, for writing.
    assert_eq!(
        formats::write(Format::Kdbx, &doc).unwrap_err(),
        formats::WriteError::PasswordRequired
    );
}

/// A KDBX 3.1 database (what KeePass 2.x before 2.35 and KeePassXC with AES-KDF write), built
/// here since `keepassxc-cli` 2.7 only creates KDBX 4: AES-KDF, AES-256-CBC, hashed blocks, no
/// compression, Salsa20 inner stream (no value here is protected, so it is not used).
fn kdbx31(xml: &str, password: &str) -> Vec<u8> {
    use aes::cipher::{BlockCipherEncrypt as _, BlockModeEncrypt as _, KeyInit as _};
    use aes::cipher::{KeyIvInit as _, block_padding::Pkcs7};
    use sha2::{Digest as _, Sha256};

    let (master_seed, transform_seed, iv) = ([1u8; 32], [2u8; 32], [3u8; 16]);
    let (stream_key, start) = ([4u8; 32], [5u8; 32]);
    let rounds: u64 = 6000;
    let mut out = vec![
        0x03, 0xD9, 0xA2, 0x9A, 0x67, 0xFB, 0x4B, 0xB5, 0x01, 0x00, 0x03, 0x00,
    ];
    let mut field = |id: u8, data: &[u8]| {
        out.push(id);
        out.extend(u16::try_from(data.len()).unwrap().to_le_bytes());
        out.extend(data);
    };
    let aes_uuid = [
        0x31, 0xc1, 0xf2, 0xe6, 0xbf, 0x71, 0x43, 0x50, 0xbe, 0x58, 0x05, 0x21, 0x6a, 0xfc, 0x5a,
        0xff,
    ];
    field(2, &aes_uuid);
    field(3, &0u32.to_le_bytes());
    field(4, &master_seed);
    field(5, &transform_seed);
    field(6, &rounds.to_le_bytes());
    field(7, &iv);
    field(8, &stream_key);
    field(9, &start);
    field(10, &2u32.to_le_bytes());
    field(0, b"\r\n\r\n");
    let composite: [u8; 32] = Sha256::digest(Sha256::digest(password.as_bytes())).into();
    let aes = aes::Aes256::new(&transform_seed.into());
    let mut t = composite;
    for _ in 0..rounds {
        for half in t.chunks_mut(16) {
            let mut block = aes::Block::try_from(&*half).unwrap();
            aes.encrypt_block(&mut block);
            half.copy_from_slice(&block);
        }
    }
    let transformed = Sha256::digest(t);
    let mut k = Sha256::new();
    k.update(master_seed);
    k.update(transformed);
    let key: [u8; 32] = k.finalize().into();
    let mut plain = start.to_vec();
    plain.extend(0u32.to_le_bytes());
    plain.extend(Sha256::digest(xml.as_bytes()));
    plain.extend(u32::try_from(xml.len()).unwrap().to_le_bytes());
    plain.extend(xml.as_bytes());
    plain.extend(1u32.to_le_bytes());
    plain.extend([0u8; 32]);
    plain.extend(0u32.to_le_bytes());
    let ct = cbc::Encryptor::<aes::Aes256>::new(&key.into(), &iv.into())
        .encrypt_padded_vec::<Pkcs7>(&plain);
    out.extend(ct);
    out
}

const KDBX31_XML: &str = r#"<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<KeePassFile>
	<Meta><Generator>KeePass</Generator><DatabaseName>Old vault</DatabaseName></Meta>
	<Root>
		<Group>
			<UUID>AAAAAAAAAAAAAAAAAAAAAQ==</UUID>
			<Name>Old vault</Name>
			<Group>
				<UUID>AAAAAAAAAAAAAAAAAAAAAg==</UUID>
				<Name>Email</Name>
				<Times><CreationTime>2016-03-01T10:00:00Z</CreationTime><LastModificationTime>2016-03-02T10:00:00Z</LastModificationTime><Expires>False</Expires></Times>
				<Entry>
					<UUID>AAAAAAAAAAAAAAAAAAAAAw==</UUID>
					<Tags>mail;old</Tags>
					<Times><CreationTime>2016-03-01T10:00:00Z</CreationTime><LastModificationTime>2017-05-06T07:08:09Z</LastModificationTime><Expires>False</Expires></Times>
					<String><Key>Title</Key><Value>Old Mail</Value></String>
					<String><Key>UserName</Key><Value>carol</Value></String>
					<String><Key>Password</Key><Value>kdbx 3.1 password</Value></String>
					<String><Key>URL</Key><Value>https://mail.example/</Value></String>
					<String><Key>Notes</Key><Value>from 2016</Value></String>
					<String><Key>otp</Key><Value>otpauth://totp/Mail:carol?secret=JBSWY3DPEHPK3PXP&amp;period=30&amp;digits=6&amp;issuer=Mail</Value></String>
					<String><Key>Recovery code</Key><Value>1234-5678</Value></String>
				</Entry>
			</Group>
		</Group>
	</Root>
</KeePassFile>
"#;

#[test]
fn a_kdbx_3_1_database_is_read() {
    let bytes = kdbx31(KDBX31_XML, DB_PASSWORD);
    assert_eq!(formats::detect(&bytes), Detection::Certain(Format::Kdbx));
    let (doc, loss) = formats::read(Format::Kdbx, &bytes, &with_password()).unwrap();
    assert!(loss.is_empty(), "{loss}");
    let account = &doc.accounts[0];
    assert_eq!(account.username.as_str(), "Old vault");
    let item = &account.items[0];
    assert_eq!(item.title.as_str(), "Old Mail");
    assert_eq!(
        basic_auth(item),
        ("carol".to_owned(), "kdbx 3.1 password".to_owned())
    );
    assert_eq!(item.creation_at, Some(1_456_826_400));
    assert_eq!(item.modified_at, Some(1_494_054_489));
    let tags: Vec<&str> = item.tags.iter().map(|t| t.as_str()).collect();
    assert_eq!(tags, ["mail", "old"]);
    assert!(
        item.credentials
            .iter()
            .any(|c| matches!(c, Credential::Totp(t) if t.secret.expose() == "JBSWY3DPEHPK3PXP"))
    );
    assert!(
        item.credentials
            .iter()
            .any(|c| matches!(c, Credential::CustomFields(f)
        if f.fields.iter().any(|f| f.label.as_deref() == Some("Recovery code")
            && f.value.expose() == "1234-5678")))
    );
    assert_eq!(account.collections[0].title.as_str(), "Email");
    assert_eq!(account.collections[0].items[0].item, item.id);
    let wrong = ReadOptions::default().with_password("wrong");
    assert!(matches!(
        formats::read(Format::Kdbx, &bytes, &wrong),
        Err(ReadError::DecryptionFailed)
    ));
    // The file is a real KDBX 3.1 database: KeePassXC opens it too.
    if !cli_available("a_kdbx_3_1_database_is_read (KeePassXC part)") {
        return;
    }
    let dir = TempDir::new("kdbx31");
    let db = dir.path("old.kdbx");
    std::fs::write(&db, &bytes).unwrap();
    let shown = cli(
        &["show", "-q", "-s", "-a", "Password", &db, "Email/Old Mail"],
        &format!("{DB_PASSWORD}\n"),
    );
    assert_eq!(String::from_utf8_lossy(&shown).trim(), "kdbx 3.1 password");
    let info =
        String::from_utf8(cli(&["db-info", "-q", &db], &format!("{DB_PASSWORD}\n"))).unwrap();
    assert!(info.contains("KDF: AES (6000 rounds)"), "{info}");
}
