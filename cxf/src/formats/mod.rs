//! Readers and writers of other password managers' export formats, with CXF as the hub.
//!
//! Every conversion goes through the CXF model: [`read()`] turns an export into a
//! [`Document`], [`write()`] turns a document into another format. Both return a
//! [`LossReport`] of what could not be carried (password history, URI match rules, passkeys in a
//! CSV...): nothing is dropped silently.
//!
//! # The loss report
//!
//! Each [`LossEntry`] is [`LossKind::Lost`] (not in the output) or [`LossKind::Changed`] (in
//! the output in another shape) and names the value by a JSON Pointer into the CXF form of the
//! input. Readers name every source column or member they do not map. A write is checked, not
//! trusted: [`write()`] reads its own output back with the same format's reader and compares
//! it with the document value by value, in one place for every writer, so the report is exact
//! even where a writer's own explanations are incomplete (those values are reported as
//! [`LossReason::NotReadBack`]). The read-back runs on every write; it costs one read of the
//! output. A CXF output is the document's own canonical form and needs no read-back.
//!
//! # Which API do I use?
//!
//! | to ... | use |
//! |---|---|
//! | guess the format of a file | [`detect`] → [`Detection`] |
//! | list formats and what they support | [`Format::ALL`], [`Format::can_read`], [`Format::can_write`], [`Format::reads`], [`Format::writes`] ([`Kind`]) |
//! | find the format of a password manager | [`MANAGERS`] |
//! | read an export | [`read()`] with [`ReadOptions`] (password for encrypted Bitwarden exports) |
//! | convert in one call (detect, read, write, one loss report) | [`convert()`] |
//! | write an export | [`write()`]; [`write_with()`] and [`WriteOptions`] for a password (`kdbx`) |
//! | convert a large file in bounded memory, with progress | [`stream::convert_stream`] (what `cxf convert` uses; see [`stream`] for what streams) |
//!
//! ```
//! use cxf::formats::{self, Detection, Format, ReadOptions};
//!
//! let csv = b"name,url,username,password,note\r\nexample.com,https://example.com/,alice,hunter2,\r\n";
//! assert_eq!(formats::detect(csv), Detection::Certain(Format::ChromeCsv));
//! let (doc, loss) = formats::read(Format::ChromeCsv, csv, &ReadOptions::default())?;
//! assert!(loss.is_empty());
//! assert_eq!(doc.accounts[0].items[0].title, "example.com");
//! let (firefox, loss) = formats::write(Format::FirefoxCsv, &doc)?;
//! assert!(loss.is_empty());
//! assert!(std::str::from_utf8(&firefox).unwrap().contains("\"https://example.com/\",\"alice\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Formats
//!
//! | name | read | write | notes |
//! |---|---|---|---|
//! | `cxf` | ✓ | ✓ | the hub; reading uses [`Document::parse`](crate::Document::parse); written in an age file with [`WriteOptions::with_encryption`] |
//! | `bitwarden-json` | ✓ | ✓ | plain, organisation and password-protected (PBKDF2, Argon2id) exports; passkeys; writes the password-protected export with [`WriteOptions::with_encryption`] |
//! | `bitwarden-csv` | ✓ | | logins and notes only (the format's limit) |
//! | `1password-1pux` | ✓ | | the zip, or its bare `export.data` JSON; no passkeys (1PUX holds no passkey private key) |
//! | `1password-csv` | ✓ | ✓ | 1Password 4, 6/7 (Windows; Mac with backslash escapes) and 8 layouts; writes logins with TOTP for 1Password's CSV importer |
//! | `chrome-csv` | ✓ | ✓ | Google Password Manager, Chrome, Edge, Brave, Opera, Vivaldi |
//! | `apple-csv` | ✓ | ✓ | Apple Passwords / Safari / iCloud Keychain |
//! | `firefox-csv` | ✓ | ✓ | also the Password Exporter add-on (format 1.1, unencrypted) and `ff-password-exporter` layouts |
//! | `dashlane-csv` | ✓ | ✓ | the zip of five CSVs, or one of its CSVs, or the older header-less single CSV; writes the credentials CSV (logins with TOTP) of Dashlane's import template |
//! | `lastpass-csv` | ✓ | | including typed secure notes (cards, addresses, SSH keys, Wi-Fi) |
//! | `keepass-xml` | ✓ | ✓ | KeePass 2 XML, with KeePassXC passkeys (`KPEX_PASSKEY_*`) and three TOTP conventions |
//! | `kdbx` | ✓ | ✓ | KeePass 2 database (KeePassXC, KeePassDX, Strongbox): reads KDBX 3.1 and 4, writes KDBX 4 with Argon2id ([`kdbx`]); password and/or key file; entries as in `keepass-xml` |
//! | `protonpass-json` | ✓ | | the JSON or the zip holding it (unencrypted); passkeys (Proton's MessagePack records, P-256 keys to PKCS#8) |
//! | `keepassxc-csv` | ✓ | | KeePassXC CSV: group paths, TOTP (URI or KeeOtp settings), times |
//! | `keepass-csv` | ✓ | | KeePass CSV (1.x layout, written by KeePass 1 and 2): logins only |
//! | `protonpass-csv` | ✓ | | logins, notes, aliases; cards and identities from the JSON in `note` |
//! | `nordpass-csv` | ✓ | | logins, notes, cards, identities, folder rows, JSON custom fields |
//! | `roboform-csv` | ✓ | | logins with form fields (`RfFieldsV2`, `Rf_fields`), LastPass typed notes |
//! | `keeper-csv` | ✓ | | header-less; logins, notes, custom-field pairs, `TFC:Keeper` TOTP, `\` folders |
//! | `keeper-json` | ✓ | | typed records (cards, addresses, names, passports, licences, SSH keys, Wi-Fi), `$oneTimeCode`, folders and shared folders |
//! | `1password-1pif` | ✓ | | 1Password 4–7 `data.1pif`: logins, cards, identities, passports, licences, SSNs, routers, section fields, folders |
//! | `enpass-json` | ✓ | | Enpass 6: logins, TOTP, cards, typed fields and sections, nested folders, archived and deleted fields |
//! | `dashlane-json` | ✓ | | Dashlane's legacy JSON: logins, cards, addresses, identities, notes; other kinds as custom fields |
//! | `enpass-csv` | ✓ | | title, label/value pairs and note; logins, TOTP and cards recognised by their labels |
//! | `generic-csv` | ✓ | | any CSV with a header, read with a [`ColumnMap`] (never detected); unmapped columns are reported |
//!
//! # Mapping choices
//!
//! * Any input may be an age file with a passphrase ([`is_age`]): [`read()`] and [`convert()`]
//!   open it with [`ReadOptions::password`] first.
//! * Folders, groups, vaults and categories become collections; `/` (Bitwarden), `\`
//!   (LastPass) and real trees (KeePass) become nested `subCollections`.
//! * Bare TOTP secrets become `totp` with the defaults SHA-1, 6 digits, 30 s.
//! * Item ids are the source's ids when they fit CXF's 64 bytes, else stable hashes of the
//!   position, so converting the same file twice gives the same document.
//! * Trashed and recycle-bin items are skipped and reported ([`LossReason::Skipped`]).
//! * Values with no typed CXF home (a Bitwarden identity's e-mail, a LastPass bank account,
//!   extra form fields) go to `custom-fields` rather than being dropped.
//!
//! # Security considerations
//!
//! Inputs are untrusted: sizes are bounded by [`ReadOptions::limits`], zip members are read with
//! a cap on their inflated size, KDF parameters of encrypted Bitwarden exports are capped
//! (a hostile file cannot ask for a 100 GiB Argon2 run), and every decryption failure is the
//! same opaque [`ReadError::DecryptionFailed`]. Values end up in the model's zeroizing
//! `Secret` type and writers return [`Zeroizing`] buffers, but the CSV, XML
//! and JSON parsers of other crates hold intermediate copies that are not wiped. Loss reports
//! and errors never contain secret values, only titles and member names. Nothing in these
//! formats is authenticated except the MAC of password-protected Bitwarden exports.

mod age_file;
mod build;
mod detect;
mod flat;
mod loss;
mod managers;
mod readback;
pub mod stream;
mod util;

mod apple_csv;
mod bitwarden_csv;
mod bitwarden_json;
mod chrome_csv;
mod cxf_json;
mod dashlane_csv;
mod firefox_csv;
pub mod kdbx;
mod keepass_xml;
mod lastpass_csv;
mod onepassword_1pux;
mod onepassword_csv;
mod protonpass_json;

mod keepass_csv;
mod keepassxc_csv;
mod keeper_csv;
mod nordpass_csv;
mod protonpass_csv;
mod roboform_csv;

mod dashlane_json;
mod enpass_csv;
mod enpass_json;
mod keeper_json;
mod onepassword_1pif;

mod generic_csv;

use std::fmt;
use std::str::FromStr;

use zeroize::Zeroizing;

use crate::{Document, Limits, Secret};

pub use age_file::is_age;
pub use detect::{Detection, detect, detect_format};
pub use generic_csv::{ColumnMap, ColumnMapError, ColumnRole, csv_columns};
pub use loss::{LossEntry, LossKind, LossReason, LossReport};
pub use managers::{Kind, MANAGERS, Manager, managers_markdown};

/// An export format this module knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Format {
    /// CXF 1.0 JSON (a Header, or a bare Account when reading).
    Cxf,
    /// Bitwarden JSON export (plain, organisation, password-protected).
    BitwardenJson,
    /// Bitwarden CSV export (personal or organisation).
    BitwardenCsv,
    /// 1Password 1PUX export (zip), or its `export.data` member.
    OnePassword1pux,
    /// 1Password CSV export (1Password 4, 6/7 Windows and Mac, 8).
    OnePasswordCsv,
    /// Chrome / Chromium-family / Google Password Manager CSV.
    ChromeCsv,
    /// Apple Passwords / Safari CSV.
    AppleCsv,
    /// Firefox CSV (also the older Password Exporter add-on and `ff-password-exporter` files).
    FirefoxCsv,
    /// Dashlane CSV export (zip of CSVs) or one of its CSV files, or the older header-less CSV.
    DashlaneCsv,
    /// LastPass CSV export.
    LastpassCsv,
    /// KeePass 2 XML (as exported by KeePass 2 and KeePassXC).
    KeepassXml,
    /// KeePass 2 database (`.kdbx`: KeePass, KeePassXC, KeePassDX, Strongbox).
    Kdbx,
    /// Proton Pass JSON export (or the unencrypted zip holding it).
    ProtonpassJson,
    /// KeePassXC CSV export.
    KeepassxcCsv,
    /// KeePass CSV export (the 1.x layout KeePass 1 and 2 write).
    KeepassCsv,
    /// Proton Pass CSV export.
    ProtonpassCsv,
    /// NordPass CSV export.
    NordpassCsv,
    /// RoboForm CSV export.
    RoboformCsv,
    /// Keeper CSV export (no header row).
    KeeperCsv,
    /// Keeper JSON export.
    KeeperJson,
    /// 1Password Interchange Format (1Password 4–7).
    OnePassword1pif,
    /// Enpass 6 JSON export.
    EnpassJson,
    /// Dashlane's legacy JSON export.
    DashlaneJson,
    /// Enpass CSV export.
    EnpassCsv,
    /// Any CSV file with a header, read with a [`ColumnMap`] ([`ReadOptions::columns`]);
    /// never detected.
    GenericCsv,
}

impl Format {
    /// Every format, in the order `cxf formats` lists them.
    pub const ALL: &'static [Format] = &[
        Format::Cxf,
        Format::BitwardenJson,
        Format::BitwardenCsv,
        Format::OnePassword1pux,
        Format::OnePasswordCsv,
        Format::ChromeCsv,
        Format::AppleCsv,
        Format::FirefoxCsv,
        Format::DashlaneCsv,
        Format::LastpassCsv,
        Format::KeepassXml,
        Format::Kdbx,
        Format::ProtonpassJson,
        Format::KeepassxcCsv,
        Format::KeepassCsv,
        Format::ProtonpassCsv,
        Format::NordpassCsv,
        Format::RoboformCsv,
        Format::KeeperCsv,
        Format::KeeperJson,
        Format::OnePassword1pif,
        Format::EnpassJson,
        Format::DashlaneJson,
        Format::EnpassCsv,
        Format::GenericCsv,
    ];

    /// The stable name used on the command line (`--from`/`--to`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Cxf => "cxf",
            Format::BitwardenJson => "bitwarden-json",
            Format::BitwardenCsv => "bitwarden-csv",
            Format::OnePassword1pux => "1password-1pux",
            Format::OnePasswordCsv => "1password-csv",
            Format::ChromeCsv => "chrome-csv",
            Format::AppleCsv => "apple-csv",
            Format::FirefoxCsv => "firefox-csv",
            Format::DashlaneCsv => "dashlane-csv",
            Format::LastpassCsv => "lastpass-csv",
            Format::KeepassXml => "keepass-xml",
            Format::Kdbx => "kdbx",
            Format::ProtonpassJson => "protonpass-json",
            Format::KeepassxcCsv => "keepassxc-csv",
            Format::KeepassCsv => "keepass-csv",
            Format::ProtonpassCsv => "protonpass-csv",
            Format::NordpassCsv => "nordpass-csv",
            Format::RoboformCsv => "roboform-csv",
            Format::KeeperCsv => "keeper-csv",
            Format::KeeperJson => "keeper-json",
            Format::OnePassword1pif => "1password-1pif",
            Format::EnpassJson => "enpass-json",
            Format::DashlaneJson => "dashlane-json",
            Format::EnpassCsv => "enpass-csv",
            Format::GenericCsv => "generic-csv",
        }
    }

    /// A name for people.
    pub fn display_name(self) -> &'static str {
        match self {
            Format::Cxf => "CXF 1.0",
            Format::BitwardenJson => "Bitwarden JSON",
            Format::BitwardenCsv => "Bitwarden CSV",
            Format::OnePassword1pux => "1Password 1PUX",
            Format::OnePasswordCsv => "1Password CSV",
            Format::ChromeCsv => "Chrome / Google Password Manager CSV",
            Format::AppleCsv => "Apple Passwords CSV",
            Format::FirefoxCsv => "Firefox CSV",
            Format::DashlaneCsv => "Dashlane CSV",
            Format::LastpassCsv => "LastPass CSV",
            Format::KeepassXml => "KeePass 2 XML",
            Format::Kdbx => "KeePass 2 database (KDBX)",
            Format::ProtonpassJson => "Proton Pass JSON",
            Format::KeepassxcCsv => "KeePassXC CSV",
            Format::KeepassCsv => "KeePass CSV",
            Format::ProtonpassCsv => "Proton Pass CSV",
            Format::NordpassCsv => "NordPass CSV",
            Format::RoboformCsv => "RoboForm CSV",
            Format::KeeperCsv => "Keeper CSV",
            Format::KeeperJson => "Keeper JSON",
            Format::OnePassword1pif => "1Password 1PIF",
            Format::EnpassJson => "Enpass JSON",
            Format::DashlaneJson => "Dashlane JSON",
            Format::EnpassCsv => "Enpass CSV",
            Format::GenericCsv => "CSV with a column map",
        }
    }

    /// File name extensions the format uses (without the dot), the usual one first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Cxf | Format::BitwardenJson => &["json"],
            Format::OnePassword1pux => &["1pux", "json"],
            Format::ChromeCsv
            | Format::OnePasswordCsv
            | Format::AppleCsv
            | Format::FirefoxCsv
            | Format::LastpassCsv
            | Format::BitwardenCsv => &["csv"],
            Format::DashlaneCsv => &["zip", "csv"],
            Format::KeepassXml => &["xml"],
            Format::Kdbx => &["kdbx"],
            Format::ProtonpassJson => &["json", "zip"],
            Format::KeepassxcCsv
            | Format::KeepassCsv
            | Format::ProtonpassCsv
            | Format::NordpassCsv
            | Format::RoboformCsv
            | Format::KeeperCsv => &["csv"],
            Format::KeeperJson => &["json"],
            Format::OnePassword1pif => &["1pif"],
            Format::EnpassJson => &["json"],
            Format::DashlaneJson => &["json"],
            Format::EnpassCsv => &["csv"],
            Format::GenericCsv => &["csv"],
        }
    }

    /// Whether [`read()`] supports the format.
    pub fn can_read(self) -> bool {
        true
    }

    /// Whether [`write()`] supports the format.
    pub fn can_write(self) -> bool {
        matches!(
            self,
            Format::Cxf
                | Format::BitwardenJson
                | Format::OnePasswordCsv
                | Format::ChromeCsv
                | Format::AppleCsv
                | Format::FirefoxCsv
                | Format::DashlaneCsv
                | Format::KeepassXml
                | Format::Kdbx
        )
    }
}

impl Format {
    /// Whether [`write_with()`] can protect the output with a password
    /// ([`WriteOptions::with_encryption`]): `cxf` in an age file, `bitwarden-json` as
    /// Bitwarden's password-protected export; `kdbx` is always encrypted.
    pub fn can_encrypt(self) -> bool {
        matches!(self, Format::Cxf | Format::BitwardenJson | Format::Kdbx)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing a format name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        write!(
            f,
            "unknown format {:?}; known formats: {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// Parses a [`Format::name`], case-insensitively. A few aliases are accepted: `1pux`,
    /// `google-csv`, `edge-csv`, `brave-csv`, `safari-csv`, `keepassxc-xml`, `protonpass-zip`,
    /// `dashlane-zip`, `keepass-kdbx`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        if let Some(f) = Format::ALL.iter().find(|f| f.name() == lower) {
            return Ok(*f);
        }
        Ok(match lower.as_str() {
            "1pux" => Format::OnePassword1pux,
            "google-csv" | "edge-csv" | "brave-csv" | "chromium-csv" => Format::ChromeCsv,
            "safari-csv" => Format::AppleCsv,
            "keepassxc-xml" | "keepass2-xml" => Format::KeepassXml,
            "protonpass-zip" => Format::ProtonpassJson,
            "dashlane-zip" => Format::DashlaneCsv,
            "keepass-kdbx" | "keepassxc-kdbx" | "kdbx4" => Format::Kdbx,
            _ => return Err(UnknownFormat(s.to_owned())),
        })
    }
}

/// Options of [`read()`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Password of a password-protected export (Bitwarden, KeePass database).
    pub password: Option<Secret>,
    /// Key file of a KeePass database (with or instead of the password).
    pub key_file: Option<KeyFile>,
    /// Size limits for the input and for what it inflates to (zip members, JSON).
    pub limits: Limits,
    /// `exporterRpId` of the produced CXF header (default `cxf.invalid`: the converter has no
    /// RP ID of its own).
    pub exporter_rp_id: String,
    /// `timestamp` of the produced CXF header; `None` means now.
    pub timestamp: Option<u64>,
    /// Which column holds what, for [`Format::GenericCsv`] (required there; other formats
    /// ignore it).
    pub columns: Option<ColumnMap>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            password: None,
            key_file: None,
            limits: Limits::default(),
            exporter_rp_id: "cxf.invalid".to_owned(),
            timestamp: None,
            columns: None,
        }
    }
}

impl ReadOptions {
    /// Sets the password of a password-protected export.
    pub fn with_password(mut self, password: impl Into<Secret>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Sets the key file of a KeePass database.
    pub fn with_key_file(mut self, key_file: KeyFile) -> Self {
        self.key_file = Some(key_file);
        self
    }

    /// Sets the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the header timestamp (for reproducible output).
    pub fn with_timestamp(mut self, timestamp: u64) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// Sets the column map of a [`Format::GenericCsv`] input.
    pub fn with_columns(mut self, columns: ColumnMap) -> Self {
        self.columns = Some(columns);
        self
    }
}

/// The content of a KeePass key file (any file: KeePass XML key files, 32-byte binary and
/// 64-hex-digit key files are used as KeePass does, other files by their SHA-256). Wiped on
/// drop; `Debug` does not show it.
#[derive(Clone)]
pub struct KeyFile(Zeroizing<Vec<u8>>);

impl KeyFile {
    /// Wraps the bytes of a key file.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        KeyFile(Zeroizing::new(bytes.into()))
    }

    /// The bytes of the key file.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyFile(<redacted>)")
    }
}

/// Options of [`write_with()`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct WriteOptions {
    /// Password that protects the output (required for `kdbx`; other formats ignore it).
    pub password: Option<Secret>,
    /// Key file that protects the output together with the password (`kdbx`).
    pub key_file: Option<KeyFile>,
    /// Protect the output with [`WriteOptions::password`] ([`Format::can_encrypt`]).
    pub encrypt: bool,
    /// Test-only: the cheapest key derivation (see [`WriteOptions::dangerous_cheap_kdf`]).
    cheap_kdf: bool,
}

impl WriteOptions {
    /// Sets the password that protects the output.
    pub fn with_password(mut self, password: impl Into<Secret>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Protects the output with `password`: a `cxf` output becomes an age file (scrypt
    /// passphrase, 2^18), a `bitwarden-json` output Bitwarden's password-protected export
    /// (Argon2id, 64 MiB, 3 passes, 4 lanes); a `kdbx` output is protected anyway.
    pub fn with_encryption(mut self, password: impl Into<Secret>) -> Self {
        self.password = Some(password.into());
        self.encrypt = true;
        self
    }

    /// Sets the key file that protects the output.
    pub fn with_key_file(mut self, key_file: KeyFile) -> Self {
        self.key_file = Some(key_file);
        self
    }

    /// For tests that write many databases: derive the key of a `kdbx` output with Argon2id
    /// over 1 MiB, one pass, instead of the [`kdbx`] defaults (and the same for an encrypted
    /// `bitwarden-json`; scrypt 2^10 for an encrypted `cxf`). An output written so is cheap to
    /// attack by guessing its password; never use it for real data.
    #[doc(hidden)]
    pub fn dangerous_cheap_kdf(mut self) -> Self {
        self.cheap_kdf = true;
        self
    }
}

/// Why [`read()`] failed. Messages say what happened and what to try; they never include values
/// from the input.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReadError {
    /// The input is not well-formed for the format (bad CSV, JSON, XML or zip; missing header).
    Syntax {
        /// The format being read.
        format: Format,
        /// What is wrong (no input values).
        message: String,
    },
    /// The input is larger than a limit of [`ReadOptions::limits`].
    Limit {
        /// Which limit.
        limit: &'static str,
        /// Its value.
        max: usize,
    },
    /// The export is password-protected and no password was given.
    PasswordRequired,
    /// The password is wrong or the encrypted data is damaged (deliberately not told apart).
    DecryptionFailed,
    /// A Bitwarden "account restricted" export: encrypted with the account key, which only
    /// Bitwarden itself can open.
    AccountRestricted,
    /// The input uses a feature of the format this reader does not handle.
    Unsupported {
        /// The format being read.
        format: Format,
        /// What is not supported.
        message: String,
    },
    /// The CXF input did not parse.
    Cxf(crate::ParseError),
    /// The [`ColumnMap`] names a column the file's header does not have
    /// ([`Format::GenericCsv`]).
    ColumnMap {
        /// Which columns are missing, and the header's columns (names, no values).
        message: String,
    },
}

impl ReadError {
    /// Stable code: `syntax`, `limit`, `password-required`, `decryption-failed`,
    /// `account-restricted`, `unsupported`, `cxf` or `column-map`.
    pub fn kind(&self) -> &'static str {
        match self {
            ReadError::Syntax { .. } => "syntax",
            ReadError::Limit { .. } => "limit",
            ReadError::PasswordRequired => "password-required",
            ReadError::DecryptionFailed => "decryption-failed",
            ReadError::AccountRestricted => "account-restricted",
            ReadError::Unsupported { .. } => "unsupported",
            ReadError::Cxf(_) => "cxf",
            ReadError::ColumnMap { .. } => "column-map",
        }
    }

    pub(crate) fn syntax(format: Format, message: impl Into<String>) -> Self {
        ReadError::Syntax {
            format,
            message: message.into(),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Syntax { format, message } => write!(
                f,
                "not a valid {} file: {message}; check that the file is complete and that it is in this format",
                format.display_name()
            ),
            ReadError::Limit { limit, max } => {
                write!(f, "input exceeds the limit {limit} = {max}; raise the limit if the file is trusted")
            }
            ReadError::PasswordRequired => {
                f.write_str("the export is password-protected; give the password it was exported with")
            }
            ReadError::DecryptionFailed => f.write_str("decryption failed; check the password"),
            ReadError::AccountRestricted => f.write_str(
                "this Bitwarden export is encrypted with the account key and can only be imported into the same Bitwarden account; export again choosing \"Password protected\" or an unencrypted format",
            ),
            ReadError::Unsupported { format, message } => {
                write!(f, "{} feature not supported: {message}", format.display_name())
            }
            ReadError::Cxf(e) => write!(f, "invalid CXF: {e}"),
            ReadError::ColumnMap { message } => {
                write!(f, "the column map does not fit the file: {message}")
            }
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Cxf(e) => Some(e),
            _ => None,
        }
    }
}

/// Why [`write()`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteError {
    /// The format can be read but not written.
    NotWritable(Format),
    /// The written output did not read back with the format's own reader: a bug of this
    /// library, reported rather than handing over a file nobody can import.
    ReadBack {
        /// The format written.
        format: Format,
        /// What the reader said (no input values).
        message: String,
    },
    /// The format is encrypted (`kdbx`), or encryption was asked for, and
    /// [`WriteOptions::password`] is not set.
    PasswordRequired,
    /// Encryption was asked for and the format has no encrypted form
    /// ([`Format::can_encrypt`]).
    NotEncryptable(Format),
    /// The output could not be encrypted.
    Encrypt {
        /// The format written.
        format: Format,
        /// What failed (no input values).
        message: String,
    },
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::NotWritable(format) => {
                let writable: Vec<&str> = Format::ALL
                    .iter()
                    .filter(|f| f.can_write())
                    .map(|f| f.name())
                    .collect();
                write!(
                    f,
                    "{} cannot be written; writable formats: {}",
                    format.display_name(),
                    writable.join(", ")
                )
            }
            WriteError::NotEncryptable(format) => {
                let encryptable: Vec<&str> = Format::ALL
                    .iter()
                    .filter(|f| f.can_encrypt())
                    .map(|f| f.name())
                    .collect();
                write!(
                    f,
                    "{} has no encrypted form; formats that do: {}",
                    format.display_name(),
                    encryptable.join(", ")
                )
            }
            WriteError::PasswordRequired => f.write_str(
                "the output format is encrypted and needs a password; give the password to protect it with",
            ),
            WriteError::Encrypt { format, message } => {
                write!(f, "the {} output could not be encrypted: {message}", format.display_name())
            }
            WriteError::ReadBack { format, message } => write!(
                f,
                "the {} output does not read back ({message}); nothing was written. This is a bug: please report it with the input's `cxf inspect` summary",
                format.display_name()
            ),
        }
    }
}

impl std::error::Error for WriteError {}

/// Reads an export of `format` into a CXF document, with a report of what did not fit.
///
/// # Errors
/// [`ReadError`]: malformed input, limits, a missing or wrong password, an account-restricted
/// Bitwarden export, an unsupported feature.
pub fn read(
    format: Format,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<(Document, LossReport), ReadError> {
    if bytes.len() > options.limits.max_document_bytes {
        return Err(ReadError::Limit {
            limit: "max_document_bytes",
            max: options.limits.max_document_bytes,
        });
    }
    if age_file::is_age(bytes) {
        let plain = age_file::open(
            bytes,
            options.password.as_ref(),
            options.limits.max_document_bytes,
        )?;
        if age_file::is_age(&plain) {
            return Err(ReadError::Unsupported {
                format,
                message: "an age file inside an age file; decrypt the outer one first".into(),
            });
        }
        return read(format, &plain, options);
    }
    let mut loss = LossReport::new();
    let doc = match format {
        Format::Cxf => cxf_json::read(bytes, options)?,
        Format::BitwardenJson => bitwarden_json::read(bytes, options, &mut loss)?,
        Format::BitwardenCsv => bitwarden_csv::read(bytes, options, &mut loss)?,
        Format::OnePassword1pux => onepassword_1pux::read(bytes, options, &mut loss)?,
        Format::OnePasswordCsv => onepassword_csv::read(bytes, options, &mut loss)?,
        Format::ChromeCsv => chrome_csv::read(bytes, options, &mut loss)?,
        Format::AppleCsv => apple_csv::read(bytes, options, &mut loss)?,
        Format::FirefoxCsv => firefox_csv::read(bytes, options, &mut loss)?,
        Format::DashlaneCsv => dashlane_csv::read(bytes, options, &mut loss)?,
        Format::LastpassCsv => lastpass_csv::read(bytes, options, &mut loss)?,
        Format::KeepassXml => keepass_xml::read(bytes, options, &mut loss)?,
        Format::Kdbx => kdbx::read(bytes, options, &mut loss)?,
        Format::ProtonpassJson => protonpass_json::read(bytes, options, &mut loss)?,
        Format::KeepassxcCsv => keepassxc_csv::read(bytes, options, &mut loss)?,
        Format::KeepassCsv => keepass_csv::read(bytes, options, &mut loss)?,
        Format::ProtonpassCsv => protonpass_csv::read(bytes, options, &mut loss)?,
        Format::NordpassCsv => nordpass_csv::read(bytes, options, &mut loss)?,
        Format::RoboformCsv => roboform_csv::read(bytes, options, &mut loss)?,
        Format::KeeperCsv => keeper_csv::read(bytes, options, &mut loss)?,
        Format::KeeperJson => keeper_json::read(bytes, options, &mut loss)?,
        Format::OnePassword1pif => onepassword_1pif::read(bytes, options, &mut loss)?,
        Format::EnpassJson => enpass_json::read(bytes, options, &mut loss)?,
        Format::DashlaneJson => dashlane_json::read(bytes, options, &mut loss)?,
        Format::EnpassCsv => enpass_csv::read(bytes, options, &mut loss)?,
        Format::GenericCsv => generic_csv::read(bytes, options, &mut loss)?,
    };
    let items: usize = doc.accounts.iter().map(|a| a.items.len()).sum();
    if items > options.limits.max_items {
        return Err(ReadError::Limit {
            limit: "max_items",
            max: options.limits.max_items,
        });
    }
    // A record that gave an item with no value at all was not understood: the file is likely
    // another format with similar markers (an Enpass export read as Bitwarden). Refuse rather
    // than hand over empty items.
    let empty = doc
        .accounts
        .iter()
        .flat_map(|a| a.items.iter())
        .filter(|i| build::holds_no_value(i))
        .count();
    loss.resolve_items(&doc);
    if empty > 0 && format != Format::Cxf {
        return Err(ReadError::syntax(
            format,
            format!(
                "{empty} of {items} records hold no value this reader knows; the file is probably not a {} export",
                format.display_name()
            ),
        ));
    }
    Ok((doc, loss))
}

/// Opens an age file ([`is_age`]) with its passphrase: the content, at most
/// `limits.max_document_bytes` long. [`read()`] and [`convert()`] do this themselves; use it to
/// see what a file holds before choosing how to read it.
///
/// # Errors
/// [`ReadError::DecryptionFailed`] for a wrong passphrase or a damaged file;
/// [`ReadError::Unsupported`] for a file encrypted to a key rather than a passphrase, or with a
/// scrypt cost above 2^20; [`ReadError::Limit`] for content over the limit.
pub fn open_age(
    bytes: &[u8],
    password: &Secret,
    limits: &Limits,
) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    age_file::open(bytes, Some(password), limits.max_document_bytes)
}

/// Writes a CXF document as `format`, with an exact report of what the output does not hold
/// as it was: every value of `doc` that is not in the output (`lost`) or is there in another
/// shape (`changed`), by JSON Pointer.
///
/// The report is checked, not trusted: the output is read back with the format's own reader and
/// compared with `doc` value by value (see the module docs, "The loss report").
///
/// Encrypted formats (`kdbx`) need a password: use [`write_with()`].
///
/// # Errors
/// [`WriteError::NotWritable`] for formats that can only be read;
/// [`WriteError::PasswordRequired`] for `kdbx`; [`WriteError::ReadBack`] if the output does not
/// read back (a bug).
pub fn write(
    format: Format,
    doc: &Document,
) -> Result<(Zeroizing<Vec<u8>>, LossReport), WriteError> {
    write_with(format, doc, &WriteOptions::default())
}

/// [`write()`] with options: the password (and key file) that protect an encrypted output
/// (`kdbx`). The read-back that makes the loss report exact opens the output with the same
/// password and key file.
///
/// ```
/// use cxf::formats::{self, Format, ReadOptions, WriteOptions};
///
/// let csv = b"name,url,username,password,note\r\nexample.com,https://example.com/,alice,hunter2,\r\n";
/// let (doc, _) = formats::read(Format::ChromeCsv, csv, &ReadOptions::default())?;
/// let options = WriteOptions::default().with_password("correct horse battery staple");
/// let (kdbx, loss) = formats::write_with(Format::Kdbx, &doc, &options)?;
/// assert!(loss.is_empty());
/// let read = ReadOptions::default().with_password("correct horse battery staple");
/// let (back, _) = formats::read(Format::Kdbx, &kdbx, &read)?;
/// assert_eq!(back.accounts[0].items[0].title, "example.com");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`write()`]; [`WriteError::PasswordRequired`] when `kdbx` has no password;
/// [`WriteError::Encrypt`] when encryption fails.
pub fn write_with(
    format: Format,
    doc: &Document,
    write_options: &WriteOptions,
) -> Result<(Zeroizing<Vec<u8>>, LossReport), WriteError> {
    let (bytes, explained, check) = write_unchecked(format, doc, write_options)?;
    if !check {
        return Ok((bytes, explained));
    }
    let loss = check_written(format, doc, &bytes, explained, write_options)?;
    Ok((bytes, loss))
}

/// The writer's output and its own report, and whether the output needs the read-back check
/// ([`check_written`]): every format but CXF (the document's own canonical form, plain or in
/// an age file).
pub(crate) fn write_unchecked(
    format: Format,
    doc: &Document,
    write_options: &WriteOptions,
) -> Result<(Zeroizing<Vec<u8>>, LossReport, bool), WriteError> {
    if write_options.encrypt && !format.can_encrypt() {
        return Err(WriteError::NotEncryptable(format));
    }
    let encrypt_with = || {
        write_options
            .encrypt
            .then(|| {
                write_options
                    .password
                    .as_ref()
                    .ok_or(WriteError::PasswordRequired)
            })
            .transpose()
    };
    let mut explained = LossReport::new();
    let bytes = match format {
        Format::Cxf => {
            let plain = doc.to_json_vec_pretty();
            if let Some(password) = encrypt_with()? {
                let work_factor = if write_options.cheap_kdf {
                    age_file::CHEAP_WORK_FACTOR
                } else {
                    age_file::WORK_FACTOR
                };
                // The age file holds the canonical form: nothing to read back.
                let sealed = age_file::seal(&plain, password, work_factor, format)?;
                return Ok((sealed, explained, false));
            }
            plain
        }
        Format::BitwardenJson => {
            let plain = bitwarden_json::write(doc, &mut explained);
            match encrypt_with()? {
                Some(password) => {
                    let kdf = if write_options.cheap_kdf {
                        bitwarden_json::CHEAP_KDF
                    } else {
                        bitwarden_json::PROTECT_KDF
                    };
                    bitwarden_json::protect(&plain, password, kdf)?
                }
                None => plain,
            }
        }
        Format::OnePasswordCsv => onepassword_csv::write(doc, &mut explained),
        Format::ChromeCsv => chrome_csv::write(doc, &mut explained),
        Format::AppleCsv => apple_csv::write(doc, &mut explained),
        Format::FirefoxCsv => firefox_csv::write(doc, &mut explained),
        Format::DashlaneCsv => dashlane_csv::write(doc, &mut explained),
        Format::KeepassXml => keepass_xml::write(doc, &mut explained),
        Format::Kdbx => kdbx::write(doc, write_options, &mut explained)?,
        other => return Err(WriteError::NotWritable(other)),
    };
    // CXF is the document's own canonical form: it parses back to the same document (the
    // fixture and fuzz round trips check that), so there is nothing to compare.
    Ok((bytes, explained, format != Format::Cxf))
}

/// The read-back check of [`write_with`]: `bytes` (what `format`'s writer made of `doc`) read
/// back with the same format's reader and compared with `doc` value by value, reconciled with
/// the writer's own report `explained`.
pub(crate) fn check_written(
    format: Format,
    doc: &Document,
    bytes: &[u8],
    explained: LossReport,
    write_options: &WriteOptions,
) -> Result<LossReport, WriteError> {
    let read_back_error = |message: String| WriteError::ReadBack { format, message };
    let mut options = ReadOptions::default().with_timestamp(doc.timestamp);
    options.password.clone_from(&write_options.password);
    options.key_file.clone_from(&write_options.key_file);
    options.limits.max_document_bytes = options.limits.max_document_bytes.max(bytes.len());
    let (back, _) = read(format, bytes, &options).map_err(|e| read_back_error(e.to_string()))?;
    readback::reconcile(doc, &back, explained).map_err(read_back_error)
}

/// What [`read_input`] read.
#[derive(Debug)]
#[non_exhaustive]
pub struct Input {
    /// The format the input was read as (given or detected).
    pub format: Format,
    /// The document.
    pub document: Document,
    /// What the CXF parser normalised (CXF inputs only).
    pub notes: Vec<crate::ParseNote>,
    /// What reading could not carry into CXF (other formats only).
    pub loss: LossReport,
}

/// Reads any input the way [`convert()`] does: an age file is opened with
/// [`ReadOptions::password`] first, the format is detected when `from` is `None`, and a CXF
/// input keeps its parse notes. The one reading path of `convert`, the FFI and the WASM
/// package.
///
/// # Errors
/// [`ConvertError::Detection`] when `from` is `None` and detection is not certain;
/// [`ConvertError::Read`] when reading (or opening the age file) fails.
pub fn read_input(
    bytes: &[u8],
    from: Option<Format>,
    options: &ReadOptions,
) -> Result<Input, ConvertError> {
    let opened;
    let bytes = if age_file::is_age(bytes) {
        opened = age_file::open(
            bytes,
            options.password.as_ref(),
            options.limits.max_document_bytes,
        )
        .map_err(ConvertError::Read)?;
        &opened[..]
    } else {
        bytes
    };
    let format = match from {
        Some(f) => f,
        None => match detect(bytes) {
            Detection::Certain(f) => f,
            other => return Err(ConvertError::Detection(other)),
        },
    };
    if format == Format::Cxf {
        let parsed = Document::parse(bytes, &options.limits)
            .map_err(|e| ConvertError::Read(ReadError::Cxf(e)))?;
        return Ok(Input {
            format,
            document: parsed.document,
            notes: parsed.notes,
            loss: LossReport::new(),
        });
    }
    let (document, loss) = read(format, bytes, options).map_err(ConvertError::Read)?;
    Ok(Input {
        format,
        document,
        notes: Vec::new(),
        loss,
    })
}

/// The result of [`convert()`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Conversion {
    /// The format the input was read as (given or detected).
    pub from: Format,
    /// The output bytes.
    pub output: Zeroizing<Vec<u8>>,
    /// What reading could not carry into CXF and what writing could not carry out of it (per
    /// chunk of items: the read entries, then the write entries).
    pub loss: LossReport,
}

/// Why [`convert()`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConvertError {
    /// No format was given and detection was not certain.
    Detection(Detection),
    /// Reading the input failed.
    Read(ReadError),
    /// The target cannot be written.
    Write(WriteError),
    /// Reading the input or writing the output failed ([`stream::convert_stream`]).
    Io(std::io::Error),
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConvertError::Detection(Detection::Ambiguous(candidates)) => {
                let names: Vec<&str> = candidates.iter().map(|c| c.name()).collect();
                write!(
                    f,
                    "the input could be any of {}; name its format",
                    names.join(", ")
                )
            }
            ConvertError::Detection(Detection::Unsupported { name }) => {
                let article =
                    if name.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
                        "an"
                    } else {
                        "a"
                    };
                write!(
                    f,
                    "this looks like {article} {name}, which cannot be read yet"
                )
            }
            ConvertError::Detection(_) => {
                f.write_str("the input's format was not recognised; name its format")
            }
            ConvertError::Read(e) => e.fmt(f),
            ConvertError::Write(e) => e.fmt(f),
            ConvertError::Io(e) => write!(f, "input or output failed: {e}"),
        }
    }
}

impl std::error::Error for ConvertError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConvertError::Read(e) => Some(e),
            ConvertError::Write(e) => Some(e),
            ConvertError::Io(e) => Some(e),
            ConvertError::Detection(_) => None,
        }
    }
}

/// Converts an export to another format through CXF: detects the input format when `from` is
/// `None`, reads, writes, and returns one loss report. It runs the streaming spine
/// ([`stream::convert_stream`]) over the bytes. The password and key
/// file of `options` open an encrypted input and protect an encrypted output (`kdbx`).
///
/// # Errors
/// [`ConvertError`]: detection not certain, reading failed, or the target is not writable.
pub fn convert(
    bytes: &[u8],
    from: Option<Format>,
    to: Format,
    options: &ReadOptions,
) -> Result<Conversion, ConvertError> {
    let write_options = WriteOptions {
        password: options.password.clone(),
        key_file: options.key_file.clone(),
        encrypt: false,
        cheap_kdf: false,
    };
    // The streaming spine over the bytes: one path for every conversion. The buffer is sized
    // for the output up front, so that growing it leaves few unwiped copies behind.
    let mut output = Zeroizing::new(Vec::with_capacity(bytes.len() + bytes.len() / 2 + 4096));
    let streamed = stream::convert_stream(
        std::io::Cursor::new(bytes),
        from,
        to,
        options,
        &write_options,
        &stream::StreamOptions::default(),
        &mut *output,
        &mut |_| {},
    )?;
    Ok(Conversion {
        from: streamed.from,
        output,
        loss: streamed.loss,
    })
}
