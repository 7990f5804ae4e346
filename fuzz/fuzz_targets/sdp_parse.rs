//! SDP view + emit + validator invariants; the body is `harness_sdp::fuzzing::fuzz_parse`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness_sdp::fuzzing::fuzz_parse(data));
