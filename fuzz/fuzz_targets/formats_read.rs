//! `cxf::formats::read` of every readable format (first byte picks it) with small limits, and
//! `cxf::formats::detect`; an accepted export must write canonical CXF that re-parses to an
//! equal document. See `cxf_fuzz::check_formats_read`.
//!
//! seeds: fixtures/formats
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cxf_fuzz::check_formats_read(data));
