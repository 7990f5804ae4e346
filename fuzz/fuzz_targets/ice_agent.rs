//! The reference ICE agent under arbitrary datagrams, authenticated checks and responses, and
//! time steps; invariants are asserted inside `fuzz_agent`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| harness_ice::fuzzing::fuzz_agent(data));
