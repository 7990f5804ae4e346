//! Replays the committed fuzz seeds and every crash reproducer of the SDP targets through the
//! same bodies the fuzz targets call, so ordinary `cargo test` keeps them fixed.

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) -> usize {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut n = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
            continue;
        };
        let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for f in files.iter().filter(|f| f.is_file()) {
            if f.file_name().is_some_and(|n| n == "README.md") {
                continue;
            }
            body(&std::fs::read(f).unwrap());
            n += 1;
        }
    }
    n
}

#[test]
fn sdp_parse_seeds_and_regressions_hold_the_invariants() {
    assert!(replay("sdp_parse", harness_sdp::fuzzing::fuzz_parse) >= 10);
}

#[test]
fn sdp_candidate_seeds_and_regressions_hold_the_invariants() {
    assert!(replay("sdp_candidate", harness_sdp::fuzzing::fuzz_candidate) >= 10);
}

#[test]
fn sdp_offer_answer_seeds_and_regressions_hold_the_invariants() {
    assert!(replay("sdp_offer_answer", harness_sdp::fuzzing::fuzz_offer_answer) >= 3);
}
