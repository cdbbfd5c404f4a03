//! FIDO Credential Exchange Protocol (CXP).
//!
//! This crate will hold the CXP messages (export request, export response, errors), suite
//! negotiation and the importer and exporter roles as consuming typestates. Today it holds:
//!
//! * [`channel`] (Unix only): the local secure channel that carries CXP messages between an
//!   importer and an exporter of the same user on the same machine — a Unix socket in a
//!   private directory (or explicit loopback TCP), a one-time pairing code, SPAKE2 pairing
//!   with key confirmation, and ChaCha20-Poly1305 frames. Its module docs describe the
//!   protocol and the threat model.
//!
//! It re-exports the CXF crate it builds on.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use cxf;

#[cfg(unix)]
pub mod channel;
