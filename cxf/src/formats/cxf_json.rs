//! CXF 1.0 JSON: reading is [`Document::parse`]; writing is the canonical pretty writer.

use crate::Document;
use crate::formats::{ReadError, ReadOptions};

/// Parses a CXF Header or bare Account with the options' limits.
pub(crate) fn read(bytes: &[u8], options: &ReadOptions) -> Result<Document, ReadError> {
    Document::parse(bytes, &options.limits)
        .map(|p| p.document)
        .map_err(ReadError::Cxf)
}
