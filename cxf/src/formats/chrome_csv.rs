//! chrome_csv (not yet implemented).
use crate::Document;
use crate::formats::{LossReport, ReadError, ReadOptions};

pub(crate) fn read(
    _bytes: &[u8],
    _options: &ReadOptions,
    _loss: &mut LossReport,
) -> Result<Document, ReadError> {
    Err(ReadError::Unsupported {
        format: crate::formats::Format::Cxf,
        message: "not yet".into(),
    })
}

#[allow(dead_code)]
pub(crate) fn write(_doc: &Document, _loss: &mut LossReport) -> zeroize::Zeroizing<Vec<u8>> {
    zeroize::Zeroizing::new(Vec::new())
}
