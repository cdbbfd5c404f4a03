//! FIDO Credential Exchange Protocol (CXP).
//!
//! | to ... | use |
//! |---|---|
//! | read or write an export request, response or error response (any shape seen in the wild) | [`messages`] |
//! | run an import: make a request, open the one response | [`roles::Importer::new`] → [`roles::PendingImport::open`] |
//! | answer a request with an encrypted CXF export | [`roles::Exporter::respond`] / [`roles::Exporter::respond_document`] |
//! | hand an export to another importer without seeing it | [`roles::PendingImport::reencrypt`] |
//! | the HPKE envelope itself (keys, suites, packaging profiles) | [`cxf::envelope`] |
//! | carry CXP messages between two local processes of the same user | [`channel`] (Unix only) |
//!
//! CXP is a working draft (2024-10-03) whose crypto packaging is unsettled; see
//! [`cxf::envelope`] for the profiles implemented and why, and [`roles`] for what is and is not
//! authenticated.
//!
//! [`channel`] is the local secure channel that carries CXP messages between an importer and
//! an exporter of the same user on the same machine: a Unix socket in a private directory (or
//! explicit loopback TCP), a one-time pairing code, SPAKE2 pairing with key confirmation, and
//! ChaCha20-Poly1305 frames. Its module docs describe the protocol and the threat model.
//!
//! It re-exports the CXF crate it builds on.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use cxf;

#[cfg(unix)]
pub mod channel;
pub mod messages;
pub mod roles;
