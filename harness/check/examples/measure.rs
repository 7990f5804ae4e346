//! Measures `check` on a large replicated capture: MB/s and peak resident memory.
//!
//! `cargo run --release -p harness-check --example measure -- generate OUT.pcap MIB`
//! writes the capture; `... --example measure -- check OUT.pcap` checks it in a fresh process
//! and prints throughput and the process's peak RSS (VmHWM), which is what the checker needs
//! beyond the file itself (the file is streamed, not loaded).
#![allow(
    clippy::disallowed_methods,
    reason = "a measurement reads the wall clock"
)]

use std::path::Path;

#[path = "../benches/common/mod.rs"]
mod common;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") => {
            let mib: usize = args.get(2).and_then(|m| m.parse().ok()).unwrap_or(256);
            let inputs = common::read_sources();
            let refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
            let capture = harness_check::replicate::replicate(&refs, mib << 20);
            std::fs::write(&args[1], &capture).expect("write");
            println!("wrote {} bytes from {} captures", capture.len(), refs.len());
        }
        Some("check") => {
            let path = Path::new(&args[1]);
            let size = std::fs::metadata(path).expect("metadata").len();
            let start = std::time::Instant::now();
            let outcome =
                harness_check::check_capture(path, &harness_check::CheckOptions::default())
                    .expect("check");
            let secs = start.elapsed().as_secs_f64();
            #[allow(clippy::cast_precision_loss, reason = "for display")]
            let mbps = size as f64 / 1e6 / secs;
            println!(
                "{} bytes, {} frames, {} payloads, {} flows in {:.3} s: {:.1} MB/s; peak RSS {} KiB",
                size,
                outcome.summary.frames,
                outcome.summary.payloads,
                outcome.summary.flows.len(),
                secs,
                mbps,
                peak_rss_kib()
            );
            for v in &outcome.summary.violations {
                println!("  {} {}", v.rule.id, v.count);
            }
        }
        _ => eprintln!("usage: measure generate OUT.pcap MIB | measure check FILE.pcap"),
    }
}
