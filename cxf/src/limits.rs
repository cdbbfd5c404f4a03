//! Resource limits applied while parsing untrusted input.
//!
//! Every dimension of an input that can make the parser use memory or time is bounded. The
//! defaults let a real vault of a million items through while an input built to exhaust memory
//! is refused early with an error naming the limit.

/// Default maximum document size in bytes (1 GiB).
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 1 << 30;
/// Default maximum nesting depth of JSON objects and arrays. CXF itself needs about 12 levels
/// (plus one per sub-collection level); the rest is room for unknown extensions.
pub const DEFAULT_MAX_DEPTH: usize = 64;
/// Default maximum number of items across all accounts of a document.
pub const DEFAULT_MAX_ITEMS: usize = 4_000_000;
/// Default maximum length of one JSON string in bytes (16 MiB).
pub const DEFAULT_MAX_STRING_BYTES: usize = 16 << 20;
/// Default maximum number of JSON values (objects, arrays, strings, numbers, literals) in a
/// document. Bounds the memory of values kept as unknown members.
pub const DEFAULT_MAX_VALUES: usize = 200_000_000;

/// Limits for [`Document::parse`](crate::Document::parse). Construct with
/// `Limits::default()` and adjust fields as needed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Maximum size of the input in bytes.
    pub max_document_bytes: usize,
    /// Maximum nesting depth of objects and arrays.
    pub max_depth: usize,
    /// Maximum number of items across all accounts.
    pub max_items: usize,
    /// Maximum length of a single string in bytes (after unescaping).
    pub max_string_bytes: usize,
    /// Maximum number of JSON values in the document.
    pub max_values: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            max_depth: DEFAULT_MAX_DEPTH,
            max_items: DEFAULT_MAX_ITEMS,
            max_string_bytes: DEFAULT_MAX_STRING_BYTES,
            max_values: DEFAULT_MAX_VALUES,
        }
    }
}
