//! JSON reading and writing tuned for CXF: located errors, limits, no secret copies.

pub(crate) mod reader;
pub(crate) mod split;
pub(crate) mod writer;
