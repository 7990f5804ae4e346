//! Structured TURN server run: scripted datagrams, authenticated requests, peer traffic, TCP
//! events and time steps, with invariants (body in `harness_turn::fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = harness_turn::fuzzing::fuzz_server(data);
});
