//! Allocations per SDP parse, harness-sdp against rtc-sdp 0.21.1, counted with a counting
//! global allocator (one test in this binary, so nothing else allocates meanwhile).

use std::alloc::System;
use std::io::Cursor;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const CHROME: &[u8] =
    include_bytes!("../../../vectors/sdp/str0m/str0m_chrome_simulcast_rid_video_offer_comment.sdp");

fn allocations_of<T>(f: impl FnOnce() -> T) -> usize {
    let region = Region::new(GLOBAL);
    let out = f();
    let n = region.change().allocations;
    drop(out);
    n
}

#[test]
fn harness_sdp_allocates_far_less_than_rtc_sdp() {
    let generated = harness_sdp::model::example_offer(100);
    for (name, input) in [
        ("chrome offer", CHROME),
        ("100 candidates", generated.as_bytes()),
    ] {
        let mine = allocations_of(|| harness_sdp::Sdp::parse(input).map(|s| s.line_count()));
        let theirs = allocations_of(|| {
            sdp::SessionDescription::unmarshal(&mut Cursor::new(input)).map(|s| s.attributes.len())
        });
        println!("{name}: harness-sdp {mine} allocations, rtc-sdp {theirs}");
        assert!(mine <= 10, "{name}: {mine}");
        assert!(mine < theirs, "{name}: {mine} vs {theirs}");
    }
}
