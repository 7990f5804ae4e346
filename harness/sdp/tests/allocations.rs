//! Allocations per parse, counted with a counting global allocator. This binary holds a
//! single test so that no other test allocates while it counts.

use std::alloc::System;

use harness_sdp::Sdp;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const CHROME: &[u8] =
    include_bytes!("../../../vectors/sdp/str0m/str0m_chrome_simulcast_rid_video_offer_comment.sdp");

fn allocations_of(f: impl FnOnce()) -> usize {
    let region = Region::new(GLOBAL);
    f();
    region.change().allocations
}

#[test]
fn a_parse_allocates_at_most_ten_times_whatever_the_input() {
    let generated = harness_sdp::model::example_offer(100);
    assert!(generated.matches("a=candidate:").count() == 100);
    for (name, input) in [
        ("chrome offer", CHROME),
        ("100 candidates", generated.as_bytes()),
    ] {
        let mut lines = 0;
        let n = allocations_of(|| {
            let sdp = Sdp::parse(input).unwrap();
            // Walk every attribute and candidate through the typed accessors too.
            for m in sdp.media() {
                for a in m.attributes() {
                    let _ = std::hint::black_box(a.typed());
                }
            }
            lines = sdp.line_count();
        });
        println!(
            "{name}: {} bytes, {lines} lines, {n} allocations",
            input.len()
        );
        assert!(n <= 10, "{name}: {n} allocations");
    }
}
