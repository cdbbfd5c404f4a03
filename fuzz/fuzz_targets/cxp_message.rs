//! `cxp::messages::Message::from_json` on arbitrary bytes: well-formed errors, and an accepted
//! message re-serialises and re-parses to an equal message. See `cxf_fuzz::check_cxp_message`.
//!
//! seeds: cxp/src/testdata fixtures/cxp
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cxf_fuzz::check_cxp_message(data));
