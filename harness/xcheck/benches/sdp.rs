//! SDP parsing: harness-sdp's zero-copy view against rtc-sdp 0.21.1, on a real Chrome offer
//! (3,931 bytes) and on a generated offer with 100 candidates.
//!
//! `harness-sdp/parse` is `Sdp::parse` (lines as spans); `harness-sdp/parse+typed` also reads
//! every media attribute by its grammar (candidates included), which is closer to the work
//! rtc-sdp does (it builds owned strings for every attribute); `harness-sdp/validate` runs
//! every rule. `rtc-sdp/unmarshal` is `SessionDescription::unmarshal`.

use std::hint::black_box;
use std::io::Cursor;

use criterion::{Criterion, Throughput, criterion_main};

const CHROME: &[u8] =
    include_bytes!("../../../vectors/sdp/str0m/str0m_chrome_simulcast_rid_video_offer_comment.sdp");

fn typed_walk(input: &[u8]) -> usize {
    let Ok(sdp) = harness_sdp::Sdp::parse(input) else {
        return 0;
    };
    let mut n = 0;
    for m in sdp.media() {
        for a in m.attributes() {
            if a.typed().is_ok() {
                n += 1;
            }
        }
    }
    n
}

fn bench_input(c: &mut Criterion, name: &str, input: &[u8]) {
    let mut g = c.benchmark_group(format!("sdp/{name}"));
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_function("harness-sdp/parse", |b| {
        b.iter(|| harness_sdp::Sdp::parse(black_box(input)).map(|s| s.line_count()));
    });
    g.bench_function("harness-sdp/parse+typed", |b| {
        b.iter(|| typed_walk(black_box(input)));
    });
    g.bench_function("harness-sdp/validate", |b| {
        b.iter(|| harness_sdp::validate(black_box(input)).len());
    });
    g.bench_function("rtc-sdp/unmarshal", |b| {
        b.iter(|| {
            sdp::SessionDescription::unmarshal(&mut Cursor::new(black_box(input)))
                .map(|s| s.media_descriptions.len())
        });
    });
    g.finish();
}

fn parse(c: &mut Criterion) {
    bench_input(c, "chrome-offer-3931B", CHROME);
    let generated = harness_sdp::model::example_offer(100);
    bench_input(c, "100-candidates", generated.as_bytes());
}

/// The group lives in a private module so that its generated function is not exported.
mod group {
    criterion::criterion_group!(benches, super::parse);
}

criterion_main!(group::benches);
