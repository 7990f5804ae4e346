//! Fuzz bodies, built by ordinary `cargo test` and called by the `fuzz/` shims.

use crate::{CheckOptions, check_reader};

/// Checks arbitrary bytes as a capture, with the small bounds of
/// [`harness_capture::fuzzing::fuzz_limits`]. Never panics; memory stays bounded.
pub fn fuzz_pcap_ingest(data: &[u8]) {
    harness_capture::fuzzing::fuzz_pcap_ingest(data);
    let options = CheckOptions {
        limits: harness_capture::fuzzing::fuzz_limits(),
        max_findings: 64,
        max_flows: 64,
        ..CheckOptions::default()
    };
    if let Ok(outcome) = check_reader(data, &options) {
        let _ = outcome.summary.to_string();
        assert!(outcome.findings.len() <= 64);
    }
}
