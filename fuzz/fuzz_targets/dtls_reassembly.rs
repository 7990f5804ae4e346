//! DTLS handshake reassembly on structured fragment sequences: bounded memory, no panic,
//! completed messages equal the bytes their fragments carried.
#![no_main]
libfuzzer_sys::fuzz_target!(|input: harness_dtls::fuzzing::ReassemblyInput| {
    harness_dtls::fuzzing::fuzz_reassembly_input(&input);
});
