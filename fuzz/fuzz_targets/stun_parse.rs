//! STUN view + validate + re-emit invariants; the body is `harness_stun::fuzzing::fuzz_parse`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness_stun::fuzzing::fuzz_parse(data));
