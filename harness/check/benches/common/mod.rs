//! The real captures that the throughput benchmark and the `measure` example replicate, so
//! that both measure the same traffic.

use std::path::Path;

/// The captures replicated, relative to the repository root (absent files are skipped).
pub(crate) const SOURCES: &[&str] = &[
    "vectors/captures/zeek/webrtc-stun.pcap",
    "vectors/captures/str0m/vp8.pcap",
    "../shared/vectors/captures/ndpi/stun_google_meet.pcapng",
    "../shared/vectors/captures/ndpi/stun_dtls_rtp.pcapng",
    "../shared/vectors/captures/ndpi/stun_signal.pcapng",
    "../shared/vectors/captures/ndpi/teams.pcap",
];

/// The contents of the [`SOURCES`] that are present.
pub(crate) fn read_sources() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    SOURCES
        .iter()
        .filter_map(|p| std::fs::read(root.join(p)).ok())
        .collect()
}
