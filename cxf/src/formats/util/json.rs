//! Reading other managers' JSON exports: one parse with located errors, and folder trees.

use serde_json::Value;

use crate::formats::{Format, ReadError};

/// Parses a JSON export (a byte order mark is skipped); a syntax error names its line and column,
/// never the input.
pub(crate) fn parse(bytes: &[u8], format: Format) -> Result<Value, ReadError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| {
        ReadError::syntax(
            format,
            format!("invalid JSON at line {} column {}", e.line(), e.column()),
        )
    })
}

/// The collection path (outermost first) of the folder whose `uuid` is `uuid`, following each
/// folder's `parent` member up to the root; folder names are their `title`. A cycle in a
/// damaged file ends at 32 levels.
pub(crate) fn folder_path(folders: &[&Value], uuid: &str, parent: &str) -> Vec<String> {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let mut path = Vec::new();
    let mut cur = uuid.to_owned();
    for _ in 0..32 {
        let Some(f) = folders
            .iter()
            .find(|f| !cur.is_empty() && text(f, "uuid") == cur)
        else {
            break;
        };
        path.push(text(f, "title"));
        cur = text(f, parent);
    }
    path.reverse();
    path
}
