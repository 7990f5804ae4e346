//! STUN integrity with an arbitrary key and message; the body is
//! `harness_stun::fuzzing::fuzz_integrity`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness_stun::fuzzing::fuzz_integrity(data));
