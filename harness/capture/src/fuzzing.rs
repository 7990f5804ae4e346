//! Fuzz bodies, built by ordinary `cargo test` and called by the `fuzz/` shims.

use crate::decode::Capture;
use crate::reader::Limits;

/// Limits small enough that the fuzzer finds the bounds quickly.
#[must_use]
pub fn fuzz_limits() -> Limits {
    Limits {
        read_buffer: 4096,
        max_block: 1 << 16,
        max_interfaces: 8,
        max_fragment_sets: 8,
        max_datagram: 65_535,
        max_tcp_streams: 16,
        max_tcp_buffer: 8192,
    }
}

/// Reads arbitrary bytes as a capture. Never panics; memory stays within [`fuzz_limits`].
///
/// Returns the number of payloads handed out.
pub fn fuzz_pcap_ingest(data: &[u8]) -> u64 {
    let limits = fuzz_limits();
    let Ok(mut capture) = Capture::new(data, limits) else {
        return 0;
    };
    let mut payloads = 0u64;
    let mut held_max = 0usize;
    let result = capture.for_each_packet(|packet| {
        payloads = payloads.saturating_add(1);
        held_max = held_max.max(packet.payload.len());
    });
    let _ = result;
    assert!(capture.buffer_capacity() <= limits.max_block);
    payloads
}
