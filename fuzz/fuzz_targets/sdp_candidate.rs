//! ICE candidate parse + write + re-read; the body is `harness_sdp::fuzzing::fuzz_candidate`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness_sdp::fuzzing::fuzz_candidate(data));
