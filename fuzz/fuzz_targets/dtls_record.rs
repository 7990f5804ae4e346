//! DTLS record layer: framing, dissection, validators and inspector on arbitrary datagrams.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| harness_dtls::fuzzing::fuzz_record(data));
