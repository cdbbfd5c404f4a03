//! FIDO Credential Exchange Protocol (CXP).
//!
//! | to ... | use |
//! |---|---|
//! | read or write an export request, response or error response (any shape seen in the wild) | [`messages`] |
//! | run an import: make a request, open the one response | [`roles::Importer::new`] → [`roles::PendingImport::open`] |
//! | answer a request with an encrypted CXF export | [`roles::Exporter::respond`] / [`roles::Exporter::respond_document`] |
//! | hand an export to another importer without seeing it | [`roles::PendingImport::reencrypt`] |
//! | the HPKE envelope itself (keys, suites, packaging profiles) | [`cxf::envelope`] |
//!
//! CXP is a working draft (2024-10-03) whose crypto packaging is unsettled; see
//! [`cxf::envelope`] for the profiles implemented and why, and [`roles`] for what is and is not
//! authenticated. The local secure channel is a separate module.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use cxf;

pub mod messages;
pub mod roles;
