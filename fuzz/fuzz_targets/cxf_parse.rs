//! `cxf::Document::parse` on arbitrary bytes with small limits; accepted documents must
//! round-trip exactly and never show a secret in `Debug`. See `cxf_fuzz::check_cxf_parse`.
//!
//! seeds: fixtures/cxf
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cxf_fuzz::check_cxf_parse(data));
