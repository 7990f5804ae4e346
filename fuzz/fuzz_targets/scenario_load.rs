//! Scenario loader invariants; the body is `harness_scenario::fuzzing::fuzz_load`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness_scenario::fuzzing::fuzz_load(data));
