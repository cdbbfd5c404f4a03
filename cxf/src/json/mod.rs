//! JSON reading and writing tuned for CXF: located errors, limits, no secret copies.

pub(crate) mod reader;
#[cfg_attr(not(feature = "validate"), allow(dead_code))]
pub(crate) mod split;
pub(crate) mod writer;
