#![no_main]
//! Arbitrary bytes as a pcap/pcapng capture: reading, decoding and checking never panic and
//! stay within the reader's bounds.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    harness_check::fuzzing::fuzz_pcap_ingest(data);
});
