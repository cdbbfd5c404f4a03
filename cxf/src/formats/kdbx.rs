//! KeePass 2 databases (`.kdbx`): the encrypted container around KeePass XML.
//!
//! This module only does the container; entries are mapped by the KeePass XML reader and
//! writer (`keepass_xml.rs`), so a database and an XML export of it convert alike (groups,
//! times, tags, TOTP `otp`, KeePassXC passkeys `KPEX_PASSKEY_*` and our `passkey.*`
//! attributes, custom fields, what is reported). The KDBX crypto is the `keepass` crate's.
//!
//! * **Reading**: KDBX 3.1 and KDBX 4 (AES-256, ChaCha20 or Twofish; AES-KDF, Argon2d or
//!   Argon2id), with a password and/or a key file. The database is decrypted into the
//!   `keepass` model (protected values unprotected), which is laid out as the `<KeePassFile>`
//!   tree the XML reader walks. Before any key derivation the header's KDF parameters are
//!   checked against [`MAX_ARGON2_MEMORY`], [`MAX_ARGON2_WORK`], [`MAX_ARGON2_PARALLELISM`] and
//!   [`MAX_AES_KDF_ROUNDS`], so a hostile file cannot ask for an hour of work or 100 GiB of
//!   memory. Every failure after that (wrong password or key file, damaged data) is the opaque
//!   [`ReadError::DecryptionFailed`].
//! * **Writing**: KDBX 4.1, AES-256 outer cipher, ChaCha20 inner stream, gzip, Argon2id with
//!   [`ARGON2_MEMORY`] (64 MiB), [`ARGON2_ITERATIONS`] (3) and [`ARGON2_PARALLELISM`] (2): the
//!   memory of KeePassXC's default and Bitwarden's Argon2id default, about 0.1 s on two cores
//!   (KeePassXC calibrates its iterations to one second on the machine that creates the
//!   database; open the database in KeePassXC and change "Decryption time" to raise it). The
//!   KeePass XML writer's output is parsed back into entries and groups and put into a
//!   `keepass` database, so protected attributes (passwords, TOTP, passkey keys, concealed
//!   custom fields) stay protected, and entry and group UUIDs are the XML writer's.
//!
//! Not carried by the container (reported by the XML mapping as for XML): attachments, entry
//! history and auto-type settings when reading. The gzip payload is inflated by the `keepass`
//! crate without a size cap, after the password has been checked.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::NaiveDateTime;
use keepass::config::{DatabaseConfig, KdfConfig};
use keepass::db::{EntryId, EntryRef, GroupId, GroupMut, GroupRef, Times, Value};
use keepass::{Database, DatabaseKey};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::Document;
use crate::formats::keepass_xml::{self, EPOCH_FROM_YEAR_1, Node};
use crate::formats::util::time;
use crate::formats::{Format, LossReport, ReadError, ReadOptions, WriteError, WriteOptions};

const F: Format = Format::Kdbx;

/// Argon2id memory of written databases, in bytes (64 MiB).
pub const ARGON2_MEMORY: u64 = 64 * 1024 * 1024;
/// Argon2id passes of written databases.
pub const ARGON2_ITERATIONS: u64 = 3;
/// Argon2id lanes of written databases.
pub const ARGON2_PARALLELISM: u32 = 2;

/// Largest Argon2 memory a database may ask for when read, in bytes (1 GiB).
pub const MAX_ARGON2_MEMORY: u64 = 1024 * 1024 * 1024;
/// Largest Argon2 work (memory in bytes × passes) a database may ask for when read: 16 GiB,
/// 256 passes over 64 MiB, some tens of seconds.
pub const MAX_ARGON2_WORK: u64 = 16 * 1024 * 1024 * 1024;
/// Largest Argon2 parallelism a database may ask for when read.
pub const MAX_ARGON2_PARALLELISM: u64 = 64;
/// Largest number of AES-KDF rounds (KDBX 3.1, and KDBX 4 with AES-KDF) a database may ask
/// for when read.
pub const MAX_AES_KDF_ROUNDS: u64 = 200_000_000;

/// The KDBX signatures: `03 D9 A2 9A`, then `67 FB 4B B5` (KeePass 2; `66 FB 4B B5` in
/// pre-releases).
fn is_kdbx(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x03, 0xD9, 0xA2, 0x9A])
        && matches!(bytes.get(4..8), Some([0x67 | 0x66, 0xFB, 0x4B, 0xB5]))
}

fn key(
    password: Option<&crate::Secret>,
    key_file: Option<&super::KeyFile>,
) -> Result<DatabaseKey, std::io::Error> {
    let mut key = DatabaseKey::new();
    if let Some(p) = password {
        key = key.with_password(p.expose());
    }
    if let Some(k) = key_file {
        key = key.with_keyfile(&mut k.expose())?;
    }
    Ok(key)
}

/// Reads a KeePass 2 database.
pub(crate) fn read(
    bytes: &[u8],
    options: &ReadOptions,
    loss: &mut LossReport,
) -> Result<Document, ReadError> {
    if !is_kdbx(bytes) {
        return Err(ReadError::syntax(F, "no KeePass 2 database signature"));
    }
    check_kdf(bytes)?;
    if options.password.is_none() && options.key_file.is_none() {
        return Err(ReadError::PasswordRequired);
    }
    let key = key(options.password.as_ref(), options.key_file.as_ref())
        .map_err(|_| ReadError::DecryptionFailed)?;
    let db = Database::parse(bytes, key).map_err(|e| {
        use keepass::db::DatabaseOpenError as E;
        match e {
            E::UnsupportedVersion | E::VersionParse(_) => ReadError::Unsupported {
                format: F,
                message: "only KDBX 3.1 and KDBX 4 databases are read".into(),
            },
            E::UnexpectedEof => ReadError::syntax(F, "the database is truncated"),
            // Wrong key, damaged ciphertext, a payload that does not parse: not told apart.
            _ => ReadError::DecryptionFailed,
        }
    })?;
    let root = tree(&db);
    keepass_xml::read_tree(&root, F, options, loss)
}

// ------------------------------------------------------------------------------ KDF limits

/// Refuses databases whose key derivation costs more than the `MAX_*` constants.
fn check_kdf(bytes: &[u8]) -> Result<(), ReadError> {
    let too_costly = || ReadError::Unsupported {
        format: F,
        message: "key-derivation cost above the accepted maximum".into(),
    };
    let truncated = || ReadError::syntax(F, "the database header is truncated");
    let major = bytes
        .get(10..12)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .ok_or_else(truncated)?;
    let mut at = 12usize;
    loop {
        let id = *bytes.get(at).ok_or_else(truncated)?;
        let (len, head) = if major >= 4 {
            let b = bytes.get(at + 1..at + 5).ok_or_else(truncated)?;
            (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 5)
        } else {
            let b = bytes.get(at + 1..at + 3).ok_or_else(truncated)?;
            (usize::from(u16::from_le_bytes([b[0], b[1]])), 3)
        };
        let data = bytes
            .get(at + head..at + head + len)
            .ok_or_else(truncated)?;
        at += head + len;
        match id {
            0 => return Ok(()),
            // KDBX 3.1: TransformRounds (AES-KDF).
            6 if major < 4 && le_u64(data).is_none_or(|r| r > MAX_AES_KDF_ROUNDS) => {
                return Err(too_costly());
            }
            // KDBX 4: KdfParameters, a variant dictionary.
            11 if major >= 4 => {
                let params = variant_dictionary(data).ok_or_else(truncated)?;
                let get = |k: &str| {
                    params
                        .iter()
                        .find(|(name, _)| name == k)
                        .and_then(|(_, v)| le_u64(v))
                };
                if let Some(rounds) = get("R") {
                    if rounds > MAX_AES_KDF_ROUNDS {
                        return Err(too_costly());
                    }
                } else {
                    let memory = get("M").unwrap_or(0);
                    let passes = get("I").unwrap_or(0);
                    let lanes = get("P").unwrap_or(0);
                    if memory > MAX_ARGON2_MEMORY
                        || memory.saturating_mul(passes) > MAX_ARGON2_WORK
                        || lanes > MAX_ARGON2_PARALLELISM
                    {
                        return Err(too_costly());
                    }
                }
            }
            _ => {}
        }
    }
}

fn le_u64(b: &[u8]) -> Option<u64> {
    match b.len() {
        4 => Some(u64::from(u32::from_le_bytes(b.try_into().ok()?))),
        8 => Some(u64::from_le_bytes(b.try_into().ok()?)),
        _ => None,
    }
}

/// The entries of a KDBX 4 variant dictionary: `u16` version, then (type `u8`, key length
/// `i32`, key, value length `i32`, value) until type 0.
fn variant_dictionary(data: &[u8]) -> Option<Vec<(String, &[u8])>> {
    let mut out = Vec::new();
    let mut at = 2usize;
    loop {
        let kind = *data.get(at)?;
        if kind == 0 {
            return Some(out);
        }
        let len = |at: usize| -> Option<usize> {
            let b = data.get(at..at + 4)?;
            usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok()
        };
        let klen = len(at + 1)?;
        let name = data.get(at + 5..at + 5 + klen)?;
        let vlen = len(at + 5 + klen)?;
        let value = data.get(at + 9 + klen..at + 9 + klen + vlen)?;
        out.push((String::from_utf8_lossy(name).into_owned(), value));
        at += 9 + klen + vlen;
    }
}

// ------------------------------------------------------------------- database → XML tree

fn node(name: &str) -> Node {
    Node {
        name: name.to_owned(),
        ..Node::default()
    }
}

fn leaf(name: &str, text: &str) -> Node {
    Node {
        name: name.to_owned(),
        text: Zeroizing::new(text.to_owned()),
        ..Node::default()
    }
}

/// Unix seconds of a KeePass time.
fn unix(t: &NaiveDateTime) -> i64 {
    t.and_utc().timestamp()
}

/// A KeePass time of Unix seconds (years 1970 to 9999).
fn naive(secs: u64) -> Option<NaiveDateTime> {
    let secs = i64::try_from(secs).ok().filter(|s| *s <= MAX_UNIX)?;
    chrono::DateTime::from_timestamp(secs, 0).map(|d| d.naive_utc())
}

/// 9999-12-31T23:59:59Z, the last second KeePass can store.
const MAX_UNIX: i64 = 253_402_300_799;

/// A time as KDBX 4 stores it: base64 of 8 little-endian bytes of seconds since 0001-01-01.
fn time_text(t: &NaiveDateTime) -> String {
    let secs = unix(t).saturating_add(EPOCH_FROM_YEAR_1).max(0);
    STANDARD.encode(secs.to_le_bytes())
}

fn times_node(t: &Times) -> Node {
    let mut n = node("Times");
    if let Some(c) = &t.creation {
        n.children.push(leaf("CreationTime", &time_text(c)));
    }
    if let Some(m) = &t.last_modification {
        n.children.push(leaf("LastModificationTime", &time_text(m)));
    }
    let expires = if t.expires == Some(true) {
        "True"
    } else {
        "False"
    };
    n.children.push(leaf("Expires", expires));
    n
}

fn uuid_text(u: &Uuid) -> String {
    STANDARD.encode(u.as_bytes())
}

/// The decrypted database as the `<KeePassFile>` tree of its XML form (what
/// `keepass_xml::read_tree` looks at).
fn tree(db: &Database) -> Node {
    let mut file = node("KeePassFile");
    let mut meta = node("Meta");
    if let Some(name) = &db.meta.database_name {
        meta.children.push(leaf("DatabaseName", name));
    }
    if let Some(enabled) = db.meta.recyclebin_enabled {
        let text = if enabled { "True" } else { "False" };
        meta.children.push(leaf("RecycleBinEnabled", text));
    }
    if let Some(bin) = &db.meta.recyclebin_uuid {
        meta.children.push(leaf("RecycleBinUUID", &uuid_text(bin)));
    }
    file.children.push(meta);
    let mut root = node("Root");
    root.children.push(group_node(&db.root(), 0));
    file.children.push(root);
    file
}

/// Groups nested deeper than this are not followed (the XML reader has the same kind of cap).
const MAX_GROUP_DEPTH: usize = 256;

fn group_node(g: &GroupRef<'_>, depth: usize) -> Node {
    let mut n = node("Group");
    n.children.push(leaf("UUID", &uuid_text(&g.id().uuid())));
    n.children.push(leaf("Name", &g.name));
    if let Some(notes) = &g.notes {
        n.children.push(leaf("Notes", notes));
    }
    n.children.push(times_node(&g.times));
    for e in g.entries() {
        n.children.push(entry_node(&e));
    }
    if depth < MAX_GROUP_DEPTH {
        for sub in g.groups() {
            n.children.push(group_node(&sub, depth + 1));
        }
    }
    n
}

/// The standard attributes first, in KeePass's order, then the others by name (as KeePassXC
/// keeps them).
const STANDARD_KEYS: [&str; 5] = ["Title", "UserName", "Password", "URL", "Notes"];

fn entry_node(e: &EntryRef<'_>) -> Node {
    let mut n = node("Entry");
    n.children.push(leaf("UUID", &uuid_text(&e.id().uuid())));
    if !e.tags.is_empty() {
        n.children.push(leaf("Tags", &e.tags.join(";")));
    }
    n.children.push(times_node(&e.times));
    let mut keys: Vec<&String> = e.fields.keys().collect();
    keys.sort_by_key(|k| {
        (
            STANDARD_KEYS
                .iter()
                .position(|s| s == k)
                .unwrap_or(STANDARD_KEYS.len()),
            k.as_str(),
        )
    });
    for k in keys {
        let Some(v) = e.fields.get(k) else { continue };
        let mut value = leaf("Value", v.get());
        if v.is_protected() {
            value
                .attrs
                .push(("ProtectInMemory".to_owned(), "True".to_owned()));
        }
        let mut s = node("String");
        s.children.push(leaf("Key", k));
        s.children.push(value);
        n.children.push(s);
    }
    for (name, _) in e.attachments_named() {
        let mut b = node("Binary");
        b.children.push(leaf("Key", name));
        n.children.push(b);
    }
    if let Some(h) = e.history.as_ref().filter(|h| !h.get_entries().is_empty()) {
        let mut history = node("History");
        history
            .children
            .extend(h.get_entries().iter().map(|_| node("Entry")));
        n.children.push(history);
    }
    if let Some(a) = &e.autotype {
        let mut at = node("AutoType");
        if let Some(seq) = a.default_sequence.as_deref().filter(|s| !s.is_empty()) {
            at.children.push(leaf("DefaultSequence", seq));
        }
        at.children
            .extend(a.associations.iter().map(|_| node("Association")));
        n.children.push(at);
    }
    n
}

// --------------------------------------------------------------------------------- writer

/// The key derivation of written databases: Argon2id with [`ARGON2_MEMORY`],
/// [`ARGON2_ITERATIONS`] and [`ARGON2_PARALLELISM`], Argon2 version 1.3.
/// `cheap` (tests only, [`WriteOptions::dangerous_cheap_kdf`]): 1 MiB, one pass, one lane.
fn kdf(cheap: bool) -> KdfConfig {
    let (memory, iterations, parallelism) = if cheap {
        (1024 * 1024, 1, 1)
    } else {
        (ARGON2_MEMORY, ARGON2_ITERATIONS, ARGON2_PARALLELISM)
    };
    // The version comes from the crate's default configuration (Argon2 1.3), so that its
    // Argon2 implementation need not be named here.
    match DatabaseConfig::default().kdf_config {
        KdfConfig::Argon2 { version, .. } | KdfConfig::Argon2id { version, .. } => {
            KdfConfig::Argon2id {
                iterations,
                memory,
                parallelism,
                version,
            }
        }
        other => other,
    }
}

fn uuid_of(text: &str) -> Option<Uuid> {
    let bytes = STANDARD.decode(text.trim()).ok()?;
    Uuid::from_slice(&bytes).ok()
}

fn times_of(n: Option<&Node>, times: &mut Times) {
    let at = |name: &str| {
        n.map(|n| n.text_of(name))
            .and_then(time::parse_rfc3339)
            .and_then(naive)
    };
    if let Some(c) = at("CreationTime") {
        times.creation = Some(c);
    }
    if let Some(m) = at("LastModificationTime") {
        times.last_modification = Some(m);
    }
}

fn fill_group(g: &mut GroupMut<'_>, n: &Node) {
    g.name = n.text_of("Name").to_owned();
    let notes = n.text_of("Notes");
    if !notes.is_empty() {
        g.notes = Some(notes.to_owned());
    }
    times_of(n.child("Times"), &mut g.times);
    for e in n.children("Entry") {
        let id = uuid_of(e.text_of("UUID"))
            .map(EntryId::from_uuid)
            .filter(|id| g.database_mut().entry(*id).is_none())
            .unwrap_or_else(EntryId::new);
        let Ok(mut entry) = g.add_entry_with_id(id) else {
            continue;
        };
        let tags = e.text_of("Tags");
        entry.tags = tags
            .split(';')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        times_of(e.child("Times"), &mut entry.times);
        for s in e.children("String") {
            let v = s.child("Value");
            let text = v.map_or("", |v| v.text.as_str());
            let value = if v
                .and_then(|v| v.attr("ProtectInMemory"))
                .is_some_and(|p| p.eq_ignore_ascii_case("true"))
            {
                Value::protected(text)
            } else {
                Value::unprotected(text)
            };
            entry.set(s.text_of("Key"), value);
        }
    }
    for sub in n.children("Group") {
        let id = uuid_of(sub.text_of("UUID"))
            .map(GroupId::from_uuid)
            .filter(|id| g.database_mut().group(*id).is_none())
            .unwrap_or_else(GroupId::new);
        if let Ok(mut child) = g.add_group_with_id(id) {
            fill_group(&mut child, sub);
        }
    }
}

/// Writes a KeePass 2 database (KDBX 4): the KeePass XML writer's entries and groups, encrypted
/// with `options`' password (required) and key file.
pub(crate) fn write(
    doc: &Document,
    options: &WriteOptions,
    loss: &mut LossReport,
) -> Result<Zeroizing<Vec<u8>>, WriteError> {
    let password = options
        .password
        .as_ref()
        .ok_or(WriteError::PasswordRequired)?;
    let bug = |message: String| WriteError::ReadBack { format: F, message };
    let xml = keepass_xml::write(doc, loss);
    let text = std::str::from_utf8(&xml).map_err(|_| bug("KeePass XML is not UTF-8".into()))?;
    // Our own output: no limits beyond what the document already passed.
    let limits = crate::Limits {
        max_values: usize::MAX,
        max_depth: usize::MAX / 8,
        ..crate::Limits::default()
    };
    let file = keepass_xml::parse_xml(text, &ReadOptions::default().with_limits(limits))
        .map_err(|e| bug(e.to_string()))?;
    let top = file
        .child("Root")
        .and_then(|r| r.child("Group"))
        .ok_or_else(|| bug("no root group".into()))?;
    let root_id = uuid_of(top.text_of("UUID")).map_or_else(GroupId::new, GroupId::from_uuid);
    let mut db = Database::new_with_root_id(root_id);
    db.config.kdf_config = kdf(options.cheap_kdf);
    db.meta.generator = Some("cxf".to_owned());
    let name = file.child("Meta").map_or("", |m| m.text_of("DatabaseName"));
    if !name.is_empty() {
        db.meta.database_name = Some(name.to_owned());
    }
    fill_group(&mut db.root_mut(), top);
    let key = key(Some(password), options.key_file.as_ref()).map_err(|_| WriteError::Encrypt {
        format: F,
        message: "the key file could not be read".into(),
    })?;
    let mut out = Zeroizing::new(Vec::new());
    db.save(&mut *out, key).map_err(|e| WriteError::Encrypt {
        format: F,
        message: e.to_string(),
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `$UUID` of Argon2id in a KDBX 4 header.
    const ARGON2ID: [u8; 16] = [
        0x9E, 0x29, 0x8B, 0x19, 0x56, 0xDB, 0x47, 0x73, 0xB2, 0x3D, 0xFC, 0x3E, 0xC6, 0xF0, 0xA1,
        0xE6,
    ];

    fn kdf_params(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut at = 12usize;
        loop {
            let id = bytes[at];
            let len = u32::from_le_bytes(bytes[at + 1..at + 5].try_into().unwrap()) as usize;
            let data = &bytes[at + 5..at + 5 + len];
            if id == 11 {
                return variant_dictionary(data)
                    .unwrap()
                    .into_iter()
                    .map(|(k, v)| (k, v.to_vec()))
                    .collect();
            }
            assert_ne!(id, 0, "no KdfParameters");
            at += 5 + len;
        }
    }

    #[test]
    fn written_databases_use_argon2id_with_the_documented_parameters() {
        let doc = Document::default();
        let options = WriteOptions::default().with_password("pw");
        let (bytes, _) = crate::formats::write_with(F, &doc, &options).unwrap();
        assert_eq!(&bytes[..4], &[0x03, 0xD9, 0xA2, 0x9A]);
        // KDBX 4.x
        assert_eq!(u16::from_le_bytes([bytes[10], bytes[11]]), 4);
        let params = kdf_params(&bytes);
        let get = |k: &str| params.iter().find(|(n, _)| n == k).unwrap().1.clone();
        assert_eq!(get("$UUID"), ARGON2ID);
        assert_eq!(le_u64(&get("M")), Some(ARGON2_MEMORY));
        assert_eq!(le_u64(&get("I")), Some(ARGON2_ITERATIONS));
        assert_eq!(le_u64(&get("P")), Some(u64::from(ARGON2_PARALLELISM)));
        check_kdf(&bytes).unwrap();
    }

    #[test]
    fn costly_key_derivations_are_refused_before_deriving() {
        let doc = Document::default();
        let options = WriteOptions::default().with_password("pw");
        let (bytes, _) = crate::formats::write_with(F, &doc, &options).unwrap();
        // Raise the memory parameter to 2 GiB in place.
        let mut hostile = bytes.to_vec();
        let pos = hostile
            .windows(6)
            .position(|w| w == [1, 0, 0, 0, b'M', 8])
            .unwrap();
        hostile[pos + 9..pos + 17].copy_from_slice(&(2u64 << 30).to_le_bytes());
        let err = crate::formats::read(F, &hostile, &ReadOptions::default().with_password("pw"))
            .unwrap_err();
        assert_eq!(err.kind(), "unsupported", "{err}");
    }

    #[test]
    fn a_database_without_a_password_is_refused_both_ways() {
        let doc = Document::default();
        assert_eq!(
            crate::formats::write(F, &doc).unwrap_err(),
            WriteError::PasswordRequired
        );
        let options = WriteOptions::default().with_password("pw");
        let (bytes, _) = crate::formats::write_with(F, &doc, &options).unwrap();
        let err = crate::formats::read(F, &bytes, &ReadOptions::default()).unwrap_err();
        assert_eq!(err.kind(), "password-required");
    }
}
