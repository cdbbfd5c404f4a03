//! The CXP channel's receive path on arbitrary bytes: `decode_frame`, `RecordHeader::parse`,
//! reassembly (`cxp::channel::fuzz::frames`) and both handshake roles
//! (`cxp::channel::fuzz::handshake`). See `cxf_fuzz::check_channel_frames`.
//!
//! seeds: fuzz/seeds/channel_frames
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cxf_fuzz::check_channel_frames(data));
