//! FIDO Credential Exchange Format (CXF 1.0).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "formats")]
pub mod formats;
