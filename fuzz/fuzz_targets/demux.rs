//! RFC 7983 / RFC 9443 demultiplexing of arbitrary datagrams.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| harness_demux::fuzzing::fuzz_demux(data));
