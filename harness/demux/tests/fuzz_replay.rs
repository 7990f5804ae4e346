//! Replays the demux fuzz seeds and crash regressions through the fuzz body.

use std::path::PathBuf;

#[test]
fn demux_seeds_and_regressions_hold() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut n = 0;
    for kind in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(kind).join("demux")) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().is_file() {
                harness_demux::fuzzing::fuzz_demux(&std::fs::read(e.path()).unwrap());
                n += 1;
            }
        }
    }
    assert!(n > 0, "no demux seeds");
}
