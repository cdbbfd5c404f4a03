//! FIDO Credential Exchange Protocol (CXP).
//!
//! This crate will hold the CXP messages (export request, export response, errors), suite
//! negotiation, the importer and exporter roles as consuming typestates, and the local secure
//! channel. It is filled by later work; today it only re-exports the CXF crate it builds on.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use cxf;

#[cfg(unix)]
pub mod channel;
