//! Structured offer/answer pairs through the exchange rules; the body is
//! `harness_sdp::fuzzing::fuzz_offer_answer`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness_sdp::fuzzing::fuzz_offer_answer(data));
