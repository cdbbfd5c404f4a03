//! `cxf::envelope::open` (every profile) and `open_detect` with a fixed importer key on a
//! fuzzed suite, `enc` and payload: never a panic, only the opaque errors, and never a
//! plaintext other than the one the seed was sealed with. See `cxf_fuzz::check_envelope_open`.
//! Seeds: `seed.sh` turns the response fixture into this target's input layout.
//!
//! seeds: cxf/src/envelope/testdata
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cxf_fuzz::check_envelope_open(data));
