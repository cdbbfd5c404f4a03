//! `cxf::validate` on every document the parser accepts: no panic, deterministic reports,
//! well-formed pointers, no secret in a message. See `cxf_fuzz::check_cxf_validate`.
//!
//! seeds: fixtures/cxf
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cxf_fuzz::check_cxf_validate(data));
