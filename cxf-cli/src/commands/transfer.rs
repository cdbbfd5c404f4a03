//! Helpers shared by the file-based CXP commands (`request`, `respond`, `open`, `reencrypt`).

use std::path::Path;

use anyhow::Result;
use cxf::envelope::Profile;
use cxp::messages::{
    ErrorResponse, ExportRequest, ExportResponse, MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES, Message,
};
use cxp::roles::{MAX_KEY_FILE_BYTES, PendingImport};

use crate::output::{Invalid, read_input, safe};

/// Default RP id written when none is given.
pub(crate) const DEFAULT_RP_ID: &str = "localhost";

/// Packaging profile names for `--profile`.
pub(crate) fn profile(name: &str) -> Result<Profile> {
    Profile::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
        anyhow::anyhow!(
            "--profile {name}: unknown profile; known: {}",
            known.join(", ")
        )
    })
}

pub(crate) fn read_request(path: &Path) -> Result<ExportRequest> {
    let bytes = read_input(path, MAX_REQUEST_BYTES)?;
    ExportRequest::from_json(&bytes).map_err(|e| {
        Invalid(format!(
            "{} is not a readable CXP export request: {e}",
            path.display()
        ))
        .into()
    })
}

/// Reads a response; an `ErrorResponse` is reported as the exporter's refusal.
pub(crate) fn read_response(path: &Path) -> Result<ExportResponse> {
    let bytes = read_input(path, MAX_RESPONSE_BYTES)?;
    match Message::from_json(&bytes) {
        Ok(Message::Response(r)) => Ok(r),
        Ok(Message::Error(ErrorResponse { error, .. })) => Err(Invalid(format!(
            "{}: the exporter refused the request with \"{}\"",
            path.display(),
            safe(error.as_str())
        ))
        .into()),
        Ok(Message::Request(_)) => Err(Invalid(format!(
            "{} is an export request, not a response: pass the exporter's answer",
            path.display()
        ))
        .into()),
        Err(e) => Err(Invalid(format!(
            "{} is not a readable CXP export response: {e}",
            path.display()
        ))
        .into()),
    }
}

pub(crate) fn read_key(path: &Path) -> Result<PendingImport> {
    let bytes = read_input(path, MAX_KEY_FILE_BYTES)?;
    PendingImport::from_key_file(&bytes).map_err(|e| {
        Invalid(format!(
            "{} is not an importer key written by `cxf request`: {e}",
            path.display()
        ))
        .into()
    })
}
