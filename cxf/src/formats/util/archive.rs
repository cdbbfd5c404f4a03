//! Zip containers (1PUX, Dashlane, Proton Pass), read with limits on member count and on the
//! inflated size, so a zip bomb stops at the limit instead of filling memory.

use std::io::Read as _;

use zeroize::Zeroizing;

use crate::Limits;
use crate::formats::{Format, ReadError};

/// Maximum number of members read from one archive.
pub(crate) const MAX_ZIP_MEMBERS: usize = 100_000;

/// Whether the bytes start like a zip file.
pub(crate) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Names of the members (directories left out), without reading their contents.
pub(crate) fn names(bytes: &[u8]) -> Option<Vec<String>> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    Some(
        archive
            .file_names()
            .filter(|n| !n.ends_with('/'))
            .map(str::to_owned)
            .collect(),
    )
}

/// Archive members read into memory: name and (wiped on drop) contents.
pub(crate) type Members = Vec<(String, Zeroizing<Vec<u8>>)>;

/// Reads the members whose name `want` accepts, in archive order.
pub(crate) fn read_members(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
    want: impl Fn(&str) -> bool,
) -> Result<Members, ReadError> {
    let bad = |what: &str| ReadError::syntax(format, format!("damaged zip archive ({what})"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| bad("no central directory"))?;
    if archive.len() > MAX_ZIP_MEMBERS {
        return Err(ReadError::Limit {
            limit: "zip members",
            max: MAX_ZIP_MEMBERS,
        });
    }
    let mut budget = limits.max_document_bytes;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).map_err(|_| bad("unreadable member"))?;
        if member.is_dir() || !want(member.name()) {
            continue;
        }
        if member.encrypted() {
            return Err(ReadError::Unsupported {
                format,
                message: "encrypted zip members".into(),
            });
        }
        let name = member.name().to_owned();
        let mut data = Zeroizing::new(Vec::new());
        let cap = u64::try_from(budget).unwrap_or(u64::MAX).saturating_add(1);
        (&mut member)
            .take(cap)
            .read_to_end(&mut data)
            .map_err(|_| bad("corrupt member data"))?;
        if data.len() > budget {
            return Err(ReadError::Limit {
                limit: "max_document_bytes",
                max: limits.max_document_bytes,
            });
        }
        budget -= data.len();
        out.push((name, data));
    }
    Ok(out)
}
