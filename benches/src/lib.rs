//! A synthetic vault generator for benchmarks: deterministic, realistic in shape and size.
//!
//! The mix per 100 items: 40 logins (basic-auth + 1-2 URLs, a quarter with TOTP), 20 passkeys
//! (each with its own real P-256 PKCS#8 key, derived from the item number so runs repeat),
//! 15 TOTP-only items, 15 notes, 10 items with custom fields.
//!
//! A second shape, [`Shape::Plain`] ([`vault_plain`]), is what a simpler exporter writes: plain
//! ASCII strings (alphanumeric passwords, nothing that needs a JSON escape), 45 logins with 1-2
//! URLs, 25 passkeys, 15 TOTP-only items and 15 single-line notes per 100 items. Parsing it as
//! `serde_json::Value` is cheaper than the mixed shape (no escapes to undo), so it is the harder
//! comparison for the typed parse.

use cxf::{
    Account, B64, BasicAuth, Credential, CredentialScope, CustomFields, Document, EditableField,
    FieldType, Item, Note, Passkey, SecretB64, Totp, TotpAlgorithm,
};
use p256::pkcs8::EncodePrivateKey;
use sha2::{Digest, Sha256};

/// SplitMix64: a tiny deterministic generator (not for secrets; the data is synthetic).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }

    fn word(&mut self) -> String {
        const SYL: [&str; 16] = [
            "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "an", "el", "or", "un", "ba", "de",
            "fi", "go",
        ];
        (0..2 + self.below(3))
            .map(|_| SYL[self.below(16) as usize])
            .collect()
    }
}

/// A P-256 private key in PKCS#8 DER, derived from `seed`.
pub fn p256_pkcs8(seed: u64) -> Vec<u8> {
    let mut counter = 0u64;
    loop {
        let digest = Sha256::digest([seed.to_le_bytes(), counter.to_le_bytes()].concat());
        if let Ok(key) = p256::SecretKey::from_slice(&digest) {
            return key
                .to_pkcs8_der()
                .expect("encode PKCS#8")
                .as_bytes()
                .to_vec();
        }
        counter += 1;
    }
}

fn field(ft: FieldType, value: impl Into<String>) -> Option<EditableField> {
    Some(EditableField::new(ft, value.into()))
}

/// The generator shapes (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// [`vault`]: logins, passkeys, TOTP, notes and custom fields, passwords with punctuation
    /// and notes with line breaks.
    Mixed,
    /// [`vault_plain`]: plain ASCII, no escapes, more passkeys, no custom fields.
    Plain,
}

impl Shape {
    /// Both shapes, in report order.
    pub const ALL: [Shape; 2] = [Shape::Mixed, Shape::Plain];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Mixed => "mixed",
            Shape::Plain => "plain",
        }
    }
}

/// Builds a vault of `items` items of the given shape.
pub fn vault_shaped(items: usize, shape: Shape) -> Document {
    match shape {
        Shape::Mixed => vault(items),
        Shape::Plain => vault_plain(items),
    }
}

/// The account of a synthetic vault.
fn bench_account(rng: &mut Rng, items: usize) -> Account {
    let mut account = Account {
        id: B64::encode(&rng.bytes(16)),
        username: "bench".into(),
        email: "bench@example.com".into(),
        ..Account::default()
    };
    account.items.reserve(items);
    account
}

/// A new item with its site and user name (the generators' common start).
fn bench_item(rng: &mut Rng) -> (Item, String, String) {
    let site = format!("{}.example.com", rng.word());
    let user = format!("{}@{}", rng.word(), "example.org");
    let created = 1_600_000_000 + rng.below(100_000_000);
    let item = Item {
        id: B64::encode(&rng.bytes(16)),
        creation_at: Some(created),
        modified_at: Some(created + rng.below(1_000_000)),
        title: site.clone().into(),
        ..Item::default()
    };
    (item, site, user)
}

/// One or two URLs of `site`.
fn bench_scope(rng: &mut Rng, site: &str) -> Option<CredentialScope> {
    let mut urls = cxf::thin_vec![format!("https://{site}/login").into()];
    if rng.below(2) == 0 {
        urls.push(format!("https://www.{site}").into());
    }
    Some(CredentialScope {
        urls,
        ..CredentialScope::default()
    })
}

fn bench_totp(rng: &mut Rng, site: &str, user: &str) -> Credential {
    let secret: String = (0..32)
        .map(|_| b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[rng.below(32) as usize] as char)
        .collect();
    Totp {
        secret: secret.into(),
        period: Some(30),
        digits: Some(6),
        algorithm: TotpAlgorithm::Sha1,
        issuer: Some(site.into()),
        username: Some(user.into()),
        ..Totp::default()
    }
    .into()
}

fn bench_login(user: &str, password: String) -> Credential {
    BasicAuth {
        username: field(FieldType::String, user),
        password: field(FieldType::ConcealedString, password),
        ..BasicAuth::default()
    }
    .into()
}

/// A passkey with its own real P-256 key (derived from `n`).
fn bench_passkey(rng: &mut Rng, site: &str, user: &str, n: usize) -> Credential {
    Passkey {
        credential_id: B64::encode(&rng.bytes(16)),
        rp_id: site.into(),
        username: user.into(),
        user_display_name: rng.word().into(),
        user_handle: B64::encode(&rng.bytes(32)),
        key: SecretB64::encode(&p256_pkcs8(n as u64)),
        ..Passkey::default()
    }
    .into()
}

fn bench_note(text: String) -> Credential {
    Note {
        content: EditableField::new(FieldType::String, text),
        ..Note::default()
    }
    .into()
}

/// The header around the account.
fn bench_document(account: Account) -> Document {
    Document {
        exporter_rp_id: "bench.example.com".into(),
        exporter_display_name: "Synthetic vault".into(),
        timestamp: 1_767_225_600,
        accounts: vec![account],
        ..Document::default()
    }
}

/// Builds a vault of `items` items.
pub fn vault(items: usize) -> Document {
    let mut rng = Rng(0x00C0_FFEE);
    let mut account = bench_account(&mut rng, items);
    for n in 0..items {
        let (mut item, site, user) = bench_item(&mut rng);
        let kind = n % 100;
        match kind {
            0..40 => {
                item.scope = bench_scope(&mut rng, &site);
                let password: String = (0..20)
                    .map(|_| (33 + rng.below(94)) as u8 as char)
                    .collect();
                item.credentials.push(bench_login(&user, password));
                if kind % 4 == 0 {
                    item.credentials.push(bench_totp(&mut rng, &site, &user));
                }
            }
            40..60 => {
                item.scope = bench_scope(&mut rng, &site);
                item.credentials
                    .push(bench_passkey(&mut rng, &site, &user, n));
            }
            60..75 => item.credentials.push(bench_totp(&mut rng, &site, &user)),
            75..90 => {
                let len = 100 + rng.below(400) as usize;
                let mut text = String::with_capacity(len + 8);
                while text.len() < len {
                    text.push_str(&rng.word());
                    text.push(if rng.below(8) == 0 { '\n' } else { ' ' });
                }
                item.credentials.push(bench_note(text));
            }
            _ => {
                let fields = (0..3 + rng.below(4))
                    .map(|i| {
                        let (ft, value) = match i % 4 {
                            0 => (FieldType::String, rng.word()),
                            1 => (FieldType::ConcealedString, format!("{:x}", rng.next())),
                            2 => (FieldType::Number, rng.below(10_000).to_string()),
                            _ => (FieldType::Boolean, "true".to_owned()),
                        };
                        EditableField {
                            label: Some(rng.word().into()),
                            ..EditableField::new(ft, value)
                        }
                    })
                    .collect();
                item.credentials.push(
                    CustomFields {
                        fields,
                        ..CustomFields::default()
                    }
                    .into(),
                );
            }
        }
        account.items.push(item);
    }
    bench_document(account)
}

/// Builds a vault of `items` items of the plain shape: per 100 items 45 logins with 1-2 URLs,
/// 25 passkeys (each with its own real P-256 key), 15 TOTP-only items and 15 notes, all strings
/// plain ASCII with nothing to escape in JSON.
pub fn vault_plain(items: usize) -> Document {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = Rng(0x0BAD_5EED);
    let mut account = bench_account(&mut rng, items);
    for n in 0..items {
        let (mut item, site, user) = bench_item(&mut rng);
        match n % 100 {
            0..45 => {
                item.scope = bench_scope(&mut rng, &site);
                let password: String = (0..16 + rng.below(9))
                    .map(|_| ALNUM[rng.below(ALNUM.len() as u64) as usize] as char)
                    .collect();
                item.credentials.push(bench_login(&user, password));
            }
            45..70 => {
                item.scope = bench_scope(&mut rng, &site);
                item.credentials
                    .push(bench_passkey(&mut rng, &site, &user, n));
            }
            70..85 => item.credentials.push(bench_totp(&mut rng, &site, &user)),
            _ => {
                let len = 100 + rng.below(400) as usize;
                let mut text = String::with_capacity(len + 8);
                while text.len() < len {
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(&rng.word());
                }
                item.credentials.push(bench_note(text));
            }
        }
        account.items.push(item);
    }
    bench_document(account)
}

/// The fastest of `runs` timings of `f` (the least disturbed by other work on the machine).
pub fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> std::time::Duration {
    (0..runs)
        .map(|_| {
            let start = std::time::Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .min()
        .expect("at least one run")
}

/// Peak resident memory of this process so far, in bytes (Linux `VmHWM`).
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
