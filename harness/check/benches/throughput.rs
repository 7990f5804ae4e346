//! Throughput of `check` on a large capture built by replicating real traffic
//! (harness_check::replicate): the repository's STUN/DTLS and RTP captures, plus the nDPI
//! WebRTC captures from ../shared when present.
#![allow(missing_docs, reason = "criterion generates the entry point")]

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harness_check::{CheckOptions, check_reader, replicate::replicate};

fn throughput(c: &mut Criterion) {
    let inputs = common::read_sources();
    let refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
    let capture = replicate(&refs, 64 << 20);
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(capture.len() as u64));
    group.bench_function("replicated_64MiB", |b| {
        b.iter(|| {
            let outcome = check_reader(capture.as_slice(), &CheckOptions::default()).unwrap();
            assert!(outcome.capture_error.is_none());
            outcome.summary.payloads
        });
    });
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
