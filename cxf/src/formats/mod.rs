//! Readers and writers of other password managers' export formats.
mod util;
