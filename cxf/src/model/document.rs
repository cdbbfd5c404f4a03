//! The Header (§3.1), the root of a CXF document, and Version (§3.1.1).

use crate::error::ParseErrorKind;
use crate::json::reader::{JsonType, Reader, Result};
use crate::json::writer::Writer;
use crate::limits::Limits;
use crate::model::codec::{FromJson, ToJson, read_array, read_timestamp, record, write_array};
use crate::model::{Account, Unknown};
use crate::parse::{Ctx, Parsed, Shape};
use crate::pointer::Path;
use crate::text::Text;
use zeroize::Zeroizing;

/// A `uint .size 1` (0..=255).
impl FromJson for u8 {
    fn from_json(r: &mut Reader<'_>, ctx: &mut Ctx, path: &Path<'_>) -> Result<Self> {
        let v = u64::from_json(r, ctx, path)?;
        u8::try_from(v).map_err(|_| {
            r.error(
                ParseErrorKind::InvalidValue("must be between 0 and 255".into()),
                path,
            )
        })
    }
}

impl ToJson for u8 {
    fn to_json(&self, w: &mut Writer) {
        w.u64(u64::from(*self));
    }
}

record! {
    /// The format level of a document. CXF 1.0 is `{1, 0}`.
    pub struct VersionObject {
        /// Incompatible changes.
        major: req u8 = "major",
        /// Additive changes.
        minor: req u8 = "minor",
    }
}

/// The format level of a document (`{major, minor}`).
pub type Version = VersionObject;

impl Version {
    /// CXF 1.0, the only published level.
    pub const fn v1_0() -> Self {
        VersionObject {
            major: 1,
            minor: 0,
            unknown: Unknown::empty(),
        }
    }
}

/// Reads `version`: an object, or the 2024 working draft's integer (normalised to 1.0).
fn read_version(r: &mut Reader<'_>, ctx: &mut Ctx, path: &Path<'_>) -> Result<Version> {
    if r.peek_type(path)? == JsonType::Number {
        let draft = u64::from_json(r, ctx, path)?;
        ctx.note(
            "wd-version-integer",
            path,
            format!("integer version {draft} (2024 working draft) read as CXF 1.0"),
        );
        return Ok(Version::v1_0());
    }
    Version::from_json(r, ctx, path)
}

/// A CXF document: the Header (§3.1) with the exported accounts.
///
/// Reach it through [`Document::parse`], which applies [`Limits`], or build one in code.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Format level of the payload.
    pub version: Version,
    /// The exporter's identity as a WebAuthn RP ID (self-asserted).
    pub exporter_rp_id: Text,
    /// The exporter's name for users.
    pub exporter_display_name: Text,
    /// When the export was made, UNIX seconds.
    pub timestamp: u64,
    /// The exported accounts.
    pub accounts: Vec<Account>,
    /// Members this version does not know.
    pub unknown: Unknown,
}

impl Default for Document {
    fn default() -> Self {
        Document {
            version: Version::v1_0(),
            exporter_rp_id: Text::default(),
            exporter_display_name: Text::default(),
            timestamp: 0,
            accounts: Vec::new(),
            unknown: Unknown::default(),
        }
    }
}

/// Members whose presence at the top level marks a Header.
const HEADER_MEMBERS: &[&str] = &[
    "version",
    "exporterRpId",
    "exporterDisplayName",
    "exporter",
    "accounts",
    "timestamp",
];
/// Members whose presence at the top level marks a bare Account.
const ACCOUNT_MEMBERS: &[&str] = &[
    "items",
    "collections",
    "username",
    "userName",
    "email",
    "fullName",
    "id",
];

impl Document {
    /// Parses a CXF document: a full Header, or a bare Account (wrapped in a Header with empty
    /// exporter fields and timestamp 0). Older drafts and known exporter quirks are normalised
    /// to CXF 1.0 and reported in [`Parsed::notes`].
    ///
    /// # Errors
    /// A [`ParseError`](crate::ParseError) with the JSON Pointer of the first problem: invalid
    /// JSON, a limit exceeded, a required member missing or of the wrong type, a duplicate
    /// member, or a top-level value that is not CXF.
    pub fn parse(input: &[u8], limits: &Limits) -> std::result::Result<Parsed, crate::ParseError> {
        let root = Path::Root;
        let fail = |kind| crate::ParseError::new(kind, String::new(), 1, 1);
        if input.len() > limits.max_document_bytes {
            return Err(fail(ParseErrorKind::Limit {
                limit: "max_document_bytes",
                max: limits.max_document_bytes,
            }));
        }
        let mut ctx = Ctx::new(limits);
        let input = match input.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => {
                ctx.note("byte-order-mark", &root, "UTF-8 byte order mark ignored");
                rest
            }
            None => input,
        };
        let src = std::str::from_utf8(input).map_err(|e| {
            fail(ParseErrorKind::Syntax(format!(
                "input is not UTF-8 (at byte {})",
                e.valid_up_to()
            )))
        })?;
        let mut r = Reader::new(src, limits);
        if r.peek_type(&root)? != JsonType::Object {
            return Err(r.error(
                ParseErrorKind::NotCxf("the top-level value is not a JSON object".into()),
                &root,
            ));
        }
        let shape = detect_shape(&mut r)?;
        let document = match shape {
            Shape::Header => read_header(&mut r, &mut ctx)?,
            _ => {
                let account = Account::from_json(&mut r, &mut ctx, &root)?;
                ctx.note(
                    "bare-account",
                    &root,
                    "the input is a bare Account without a Header; wrapped in a CXF 1.0 Header \
                     with empty exporter fields",
                );
                Document {
                    accounts: vec![account],
                    ..Document::default()
                }
            }
        };
        r.finish()?;
        Ok(Parsed {
            document,
            notes: ctx.notes,
            shape,
        })
    }

    /// Canonical CXF 1.0 JSON (compact), in a buffer wiped on drop.
    pub fn to_json_vec(&self) -> Zeroizing<Vec<u8>> {
        self.write(false)
    }

    /// Canonical CXF 1.0 JSON, indented with two spaces.
    pub fn to_json_vec_pretty(&self) -> Zeroizing<Vec<u8>> {
        self.write(true)
    }

    fn write(&self, pretty: bool) -> Zeroizing<Vec<u8>> {
        let items: usize = self.accounts.iter().map(|a| a.items.len()).sum();
        let mut w = Writer::new(1024 + items * 640, pretty);
        self.to_json(&mut w);
        w.finish()
    }
}

impl Account {
    /// Canonical JSON of this account alone (the bare-Account granularity of Apple's and
    /// Bitwarden's APIs).
    pub fn to_json_vec(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::new(1024 + self.items.len() * 640, false);
        self.to_json(&mut w);
        w.finish()
    }
}

/// Tells a Header from a bare Account by its first member, looking further only when the first
/// member is one neither has.
fn detect_shape(r: &mut Reader<'_>) -> Result<Shape> {
    let names = {
        let root = Path::Root;
        let cp = r.checkpoint();
        let mut cur = r.begin_object(&root)?;
        let first = r.next_key(&mut cur, &root)?.map(|k| k.into_owned());
        r.restore(cp);
        match first {
            Some(k) if HEADER_MEMBERS.contains(&k.as_str()) => return Ok(Shape::Header),
            Some(k) if ACCOUNT_MEMBERS.contains(&k.as_str()) => return Ok(Shape::BareAccount),
            _ => r.member_names(&root)?,
        }
    };
    if names.iter().any(|n| HEADER_MEMBERS.contains(&n.as_ref())) {
        Ok(Shape::Header)
    } else if names.iter().any(|n| ACCOUNT_MEMBERS.contains(&n.as_ref())) {
        Ok(Shape::BareAccount)
    } else {
        Err(r.error(
            ParseErrorKind::NotCxf(
                "the object has neither Header members (version, exporterRpId, accounts) nor \
                 Account members (id, username, items)"
                    .into(),
            ),
            &Path::Root,
        ))
    }
}

/// Reads the Header by hand: the 2024 draft's `exporter` stands for both exporter members.
fn read_header(r: &mut Reader<'_>, ctx: &mut Ctx) -> Result<Document> {
    let root = Path::Root;
    let mut cur = r.begin_object(&root)?;
    let mut version = None;
    let mut rp_id: Option<Text> = None;
    let mut display_name: Option<Text> = None;
    let mut exporter: Option<Text> = None;
    let mut timestamp: Option<Option<u64>> = None;
    let mut accounts = None;
    let mut unknown = Unknown::default();
    while let Some(key) = r.next_key(&mut cur, &root)? {
        let kpath = root.key(&key);
        let dup = match key.as_ref() {
            "version" => version.is_some(),
            "exporterRpId" => rp_id.is_some(),
            "exporterDisplayName" => display_name.is_some(),
            "exporter" => exporter.is_some(),
            "timestamp" => timestamp.is_some(),
            "accounts" => accounts.is_some(),
            _ => false,
        };
        if dup {
            return Err(r.error(ParseErrorKind::DuplicateMember, &kpath));
        }
        match key.as_ref() {
            "version" => version = Some(read_version(r, ctx, &kpath)?),
            "exporterRpId" => rp_id = Some(Text::from_json(r, ctx, &kpath)?),
            "exporterDisplayName" => display_name = Some(Text::from_json(r, ctx, &kpath)?),
            "exporter" => exporter = Some(Text::from_json(r, ctx, &kpath)?),
            "timestamp" => timestamp = Some(read_timestamp(r, ctx, &kpath)?),
            "accounts" => accounts = Some(read_array::<Account, Vec<Account>>(r, ctx, &kpath)?),
            _ => unknown.read_member(r, &key, &kpath)?,
        }
    }
    let missing =
        |r: &Reader<'_>, name: &str| r.error(ParseErrorKind::MissingMember, &root.key(name));
    let (rp_id, display_name) = match (rp_id, display_name, exporter) {
        (Some(id), Some(name), old) => {
            if let Some(old) = old {
                // Both shapes present: the 1.0 members win, the old one is kept as unknown.
                unknown.insert("exporter", serde_json::Value::String(old.to_string()));
            }
            (id, name)
        }
        (id, name, Some(old)) => {
            ctx.note(
                "wd-exporter",
                &root.key("exporter"),
                "`exporter` (2024 draft) read as `exporterRpId` and `exporterDisplayName`",
            );
            (id.unwrap_or_else(|| old.clone()), name.unwrap_or(old))
        }
        (None, _, None) => return Err(missing(r, "exporterRpId")),
        (Some(_), None, None) => return Err(missing(r, "exporterDisplayName")),
    };
    finish_header(
        r,
        version,
        rp_id,
        display_name,
        timestamp,
        accounts,
        unknown,
    )
}

fn finish_header(
    r: &Reader<'_>,
    version: Option<Version>,
    exporter_rp_id: Text,
    exporter_display_name: Text,
    timestamp: Option<Option<u64>>,
    accounts: Option<Vec<Account>>,
    unknown: Unknown,
) -> Result<Document> {
    let root = Path::Root;
    let missing = |name: &str| r.error(ParseErrorKind::MissingMember, &root.key(name));
    Ok(Document {
        version: version.ok_or_else(|| missing("version"))?,
        exporter_rp_id,
        exporter_display_name,
        timestamp: timestamp.ok_or_else(|| missing("timestamp"))?.unwrap_or(0),
        accounts: accounts.ok_or_else(|| missing("accounts"))?,
        unknown,
    })
}

impl Document {
    /// Writes the members before `accounts` in canonical order (the streamed CXF output).
    pub(crate) fn write_header_members(&self, w: &mut Writer) {
        w.key("version");
        self.version.to_json(w);
        w.key("exporterRpId");
        w.string(&self.exporter_rp_id);
        w.key("exporterDisplayName");
        w.string(&self.exporter_display_name);
        w.key("timestamp");
        w.u64(self.timestamp);
    }
}

impl ToJson for Document {
    fn to_json(&self, w: &mut Writer) {
        w.begin_object();
        self.write_header_members(w);
        w.key("accounts");
        write_array(&self.accounts, w);
        self.unknown.write_members(w);
        w.end_object();
    }
}
