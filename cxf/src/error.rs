//! The error of [`Document::parse`](crate::Document::parse): what is wrong, and where.

use std::fmt;

/// What kind of problem stopped the parse. Each kind has a stable kebab-case code
/// ([`ParseErrorKind::code`]) used in fixtures and machine-readable output.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The input is not valid JSON (or not UTF-8).
    Syntax(String),
    /// The input exceeds one of the [`Limits`](crate::Limits); names the limit and its value.
    Limit {
        /// Name of the limit field, e.g. `max_depth`.
        limit: &'static str,
        /// The configured maximum.
        max: usize,
    },
    /// A required member is absent.
    MissingMember,
    /// A member has the wrong JSON type.
    WrongType {
        /// The JSON type the spec requires.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// A member name appears twice in one object.
    DuplicateMember,
    /// A value has the right JSON type but a value outside what the format allows.
    InvalidValue(String),
    /// The top-level value is neither a CXF Header nor a bare CXF Account.
    NotCxf(String),
}

impl ParseErrorKind {
    /// Stable code of this kind: `syntax`, `limit`, `missing-member`, `wrong-type`,
    /// `duplicate-member`, `invalid-value` or `not-cxf`.
    pub fn code(&self) -> &'static str {
        match self {
            ParseErrorKind::Syntax(_) => "syntax",
            ParseErrorKind::Limit { .. } => "limit",
            ParseErrorKind::MissingMember => "missing-member",
            ParseErrorKind::WrongType { .. } => "wrong-type",
            ParseErrorKind::DuplicateMember => "duplicate-member",
            ParseErrorKind::InvalidValue(_) => "invalid-value",
            ParseErrorKind::NotCxf(_) => "not-cxf",
        }
    }

    /// What the user can do about it, in one sentence (for a CLI or an importer's dialog).
    pub fn hint(&self) -> &'static str {
        match self {
            ParseErrorKind::Syntax(_) => {
                "the file is not complete JSON: check that it was not cut short or edited, or export it again"
            }
            ParseErrorKind::Limit { .. } => {
                "the input is larger or deeper than the default limits allow; if you trust it, raise the limit (cxf::Limits)"
            }
            ParseErrorKind::MissingMember
            | ParseErrorKind::WrongType { .. }
            | ParseErrorKind::InvalidValue(_) => {
                "the exporter does not follow CXF 1.0 here; export again with an up-to-date exporter, or report it to its makers"
            }
            ParseErrorKind::DuplicateMember => {
                "remove one of the two members: JSON readers disagree on which one counts"
            }
            ParseErrorKind::NotCxf(_) => {
                "if this is another password manager's export, convert it to CXF first (`cxf::formats::convert`)"
            }
        }
    }
}

/// A parse failure with the JSON Pointer of the offending member and the position in the input.
///
/// The message never contains values from the document (they may be secrets), only member
/// names, JSON types and positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    kind: ParseErrorKind,
    pointer: String,
    line: usize,
    column: usize,
}

impl ParseError {
    #[cfg_attr(not(feature = "validate"), allow(dead_code))]
    /// The error of a part of the input that starts at `line`, `column` of the whole input,
    /// located in the whole input.
    pub(crate) fn shifted(mut self, line: usize, column: usize) -> Self {
        if self.line == 1 {
            self.column += column - 1;
        }
        self.line += line - 1;
        self
    }

    #[cfg_attr(not(feature = "validate"), allow(dead_code))]
    /// The error at another line and column.
    pub(crate) fn at(mut self, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    pub(crate) fn new(kind: ParseErrorKind, pointer: String, line: usize, column: usize) -> Self {
        ParseError {
            kind,
            pointer,
            line,
            column,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }

    /// RFC 6901 JSON Pointer of the member at fault (`""` for the document root).
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// 1-based line of the input where the problem was detected.
    pub fn line(&self) -> usize {
        self.line
    }

    /// 1-based column (in bytes) of the input where the problem was detected.
    pub fn column(&self) -> usize {
        self.column
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "the document root"
        } else {
            &self.pointer
        };
        match &self.kind {
            ParseErrorKind::Syntax(msg) => write!(f, "invalid JSON at {at}: {msg}")?,
            ParseErrorKind::Limit { limit, max } => {
                write!(f, "input exceeds the limit {limit} = {max} at {at}")?
            }
            ParseErrorKind::MissingMember => write!(f, "required member {at} is missing")?,
            ParseErrorKind::WrongType { expected, found } => {
                write!(f, "{at} must be {expected}, found {found}")?
            }
            ParseErrorKind::DuplicateMember => write!(f, "member {at} appears more than once")?,
            ParseErrorKind::InvalidValue(msg) => write!(f, "invalid value at {at}: {msg}")?,
            ParseErrorKind::NotCxf(msg) => write!(f, "not a CXF document: {msg}")?,
        }
        write!(f, " (line {}, column {})", self.line, self.column)
    }
}

impl std::error::Error for ParseError {}
