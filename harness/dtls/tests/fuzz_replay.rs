//! Replays the fuzz seeds and any crash regressions of the DTLS targets through the fuzz
//! bodies, so `cargo test` keeps them fixed.

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut out = Vec::new();
    for kind in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(kind).join(target)) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep") {
                out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

#[test]
fn dtls_record_seeds_and_regressions_hold() {
    let list = inputs("dtls_record");
    assert!(!list.is_empty(), "no dtls_record seeds");
    for (_, data) in list {
        harness_dtls::fuzzing::fuzz_record(&data);
    }
}

#[test]
fn dtls_reassembly_seeds_and_regressions_hold() {
    for (_, data) in inputs("dtls_reassembly") {
        harness_dtls::fuzzing::fuzz_reassembly(&data);
    }
}
