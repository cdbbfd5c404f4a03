//! Format-independent helpers shared by the readers and writers.

pub(crate) mod archive;
pub(crate) mod bwcrypto;
pub(crate) mod iso;
pub(crate) mod json;
pub(crate) mod keys;
pub(crate) mod members;
pub(crate) mod otp;
pub(crate) mod tabular;
pub(crate) mod time;
