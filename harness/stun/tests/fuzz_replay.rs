//! Replays the fuzz seeds and every committed crash input (`fuzz/regressions/stun_*`) through
//! the fuzz target bodies, so a fixed crash stays fixed.

use std::path::{Path, PathBuf};

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
        .collect();
    files.sort();
    files
}

fn replay(target: &str, body: fn(&[u8])) -> usize {
    let mut n = 0;
    for kind in ["seeds", "regressions"] {
        for file in inputs(kind, target) {
            let data = std::fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| body(&data));
            assert!(outcome.is_ok(), "{} panicked", file.display());
            n += 1;
        }
    }
    n
}

#[test]
fn stun_parse_seeds_and_regressions_replay_cleanly() {
    let n = replay("stun_parse", harness_stun::fuzzing::fuzz_parse);
    assert!(n >= 10, "only {n} inputs");
}

#[test]
fn stun_integrity_seeds_and_regressions_replay_cleanly() {
    let n = replay("stun_integrity", harness_stun::fuzzing::fuzz_integrity);
    assert!(n >= 5, "only {n} inputs");
}
