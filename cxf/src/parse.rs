//! Parse results: the document, the shape it came in, and the notes about what was normalised.

use crate::limits::Limits;
use crate::model::Document;
use crate::pointer::Path;

/// A normalisation the parser applied while reading an older draft or an exporter quirk.
///
/// Notes are not errors: the data was understood and converted to CXF 1.0. A caller can show
/// them to a user ("this export uses the 2024 draft; converted") or log them. Messages name
/// members, never values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseNote {
    /// Stable code, e.g. `wd-version-integer` or `padded-base64url`. The full list is in the
    /// crate documentation.
    pub code: &'static str,
    /// RFC 6901 pointer into the *input* document.
    pub pointer: String,
    /// Human-readable explanation.
    pub message: String,
}

impl ParseNote {
    /// Every code the parser emits (the crate documentation's table, in its order).
    pub const CODES: &'static [&'static str] = &[
        "wd-version-integer",
        "wd-exporter",
        "wd-user-name",
        "wd-basic-auth-urls",
        "wd-bare-string-field",
        "wd-expiration-date",
        "wd-integration-hash",
        "rd-hash-algorithm",
        "ps-hmac-secret",
        "negative-timestamp",
        "fractional-timestamp",
        "padded-base64url",
        "base64-standard-alphabet",
        "empty-optional-array",
        "missing-required-array",
        "bare-account",
        "null-optional-member",
        "byte-order-mark",
    ];
}

/// Which top-level object the input was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Shape {
    /// A full CXF Header (`version`, `exporterRpId`, ..., `accounts`).
    Header,
    /// A bare CXF Account, as Apple's `ASImportableAccount` and Bitwarden's SDK exchange it.
    /// The parser wrapped it in a Header with empty exporter fields and timestamp 0.
    BareAccount,
}

/// The result of [`Document::parse`].
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The document, normalised to CXF 1.0.
    pub document: Document,
    /// What the parser normalised, in input order.
    pub notes: Vec<ParseNote>,
    /// The shape of the input.
    pub shape: Shape,
}

/// State shared by the whole parse: notes and document-wide counters.
pub(crate) struct Ctx {
    pub(crate) notes: Vec<ParseNote>,
    items: usize,
    max_items: usize,
}

impl Ctx {
    pub(crate) fn new(limits: &Limits) -> Self {
        Ctx {
            notes: Vec::new(),
            items: 0,
            max_items: limits.max_items,
        }
    }

    pub(crate) fn note(&mut self, code: &'static str, path: &Path<'_>, message: impl Into<String>) {
        self.notes.push(ParseNote {
            code,
            pointer: path.to_pointer(),
            message: message.into(),
        });
    }

    pub(crate) fn max_items(&self) -> usize {
        self.max_items
    }

    /// Counts one more item; `false` once the limit is passed.
    pub(crate) fn count_item(&mut self) -> bool {
        self.items += 1;
        self.items <= self.max_items
    }
}

#[cfg_attr(not(feature = "validate"), allow(dead_code))]
/// The head of a CXF input read a piece at a time ([`crate::json::split`]): the skeleton (the
/// document with its item arrays emptied) parsed, or `None` when items sit where the shape
/// does not hold them (an unknown root `items` in a Header, `accounts` in a bare Account) or
/// the input ends inside an item: such an input is read whole.
pub(crate) fn skeleton_head(
    sk: &crate::json::split::Skeleton,
    limits: &Limits,
) -> Result<Option<Parsed>, crate::ParseError> {
    if !sk.complete {
        return Ok(None);
    }
    let parsed = Document::parse(&sk.bytes, limits).map_err(|e| {
        let (line, column) = sk.input_position(e.line(), e.column());
        e.at(line, column)
    })?;
    let bare = parsed.shape == Shape::BareAccount;
    let fits = sk
        .owners
        .iter()
        .zip(&sk.counts)
        .all(|(owner, &n)| n == 0 || owner.is_none() == bare);
    Ok(fits.then_some(parsed))
}

#[cfg_attr(not(feature = "validate"), allow(dead_code))]
/// Parses one CXF item at its place in the input (`owner`: its account, `None` for the items of
/// a bare Account), with errors located in the whole input.
pub(crate) fn parse_item(
    e: &crate::json::split::Element<'_>,
    owner: Option<usize>,
    limits: &Limits,
    ctx: &mut Ctx,
) -> Result<crate::Item, crate::ParseError> {
    let root = Path::Root;
    let accounts = root.key("accounts");
    let account = accounts.index(owner.unwrap_or(0));
    let items = match owner {
        Some(_) => account.key("items"),
        None => root.key("items"),
    };
    let path = items.index(e.index);
    let text = std::str::from_utf8(e.bytes).map_err(|err| {
        crate::ParseError::new(
            crate::ParseErrorKind::Syntax(format!(
                "input is not UTF-8 (at byte {} of the item)",
                err.valid_up_to()
            )),
            path.to_pointer(),
            e.line,
            e.column,
        )
    })?;
    // The item sits below the root, `accounts`, its account and `items` (a bare Account: the
    // root and `items`), levels the document's depth limit counts.
    let above = if owner.is_some() { 4 } else { 2 };
    let mut r = crate::json::reader::Reader::nested(text, limits, above);
    <crate::Item as crate::model::codec::FromJson>::from_json(&mut r, ctx, &path)
        .and_then(|item| r.finish().map(|()| item))
        .map_err(|err| err.shifted(e.line, e.column))
}
