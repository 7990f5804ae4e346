//! Every SDP under `../shared/vectors` (the reference corpus beside the repository): nothing
//! panics, emit reproduces each input, and the real browser and stack SDPs parse. Prints the
//! violation counts by rule. Skips, with a message, only when `../shared` is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use harness_core::inspect::InspectContext;
use harness_sdp::{Sdp, inspector, validate};

fn shared_vectors() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors");
    dir.is_dir().then_some(dir)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// SDP files: `.sdp` anywhere, and every file under an `sdp/` directory that is not JSON.
fn sdp_files(root: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    walk(root, &mut all);
    all.into_iter()
        .filter(|p| {
            let rel = p
                .strip_prefix(root)
                .unwrap_or(p)
                .to_string_lossy()
                .to_string();
            p.extension().is_some_and(|e| e == "sdp")
                || ((rel.starts_with("sdp/") || rel.starts_with("malformed/sdp/"))
                    && p.extension().is_none_or(|e| e != "json"))
        })
        .collect()
}

/// Complete descriptions from browsers and stacks. Excluded: `malformed/`, and the libwebrtc
/// fuzzer seeds `rfc4317-derived/*` and `unittest-*`, which PROVENANCE.md describes as
/// fragments cut from larger texts (several start at an `m=` line).
fn is_complete_real_sdp(rel: &str) -> bool {
    rel.starts_with("sdp/")
        && !rel.contains("/rfc4317-derived/")
        && !rel.contains("libwebrtc-sdp-corpus/unittest-")
}

#[test]
fn every_shared_sdp_is_handled_and_real_ones_parse() {
    let Some(root) = shared_vectors() else {
        eprintln!("../shared/vectors is absent: skipping the shared SDP corpus");
        return;
    };
    let files = sdp_files(&root);
    assert!(files.len() > 50, "only {} SDP files found", files.len());
    let mut by_rule: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut files_with: BTreeMap<&'static str, usize> = BTreeMap::new();
    let (mut parsed, mut failed, mut real_failed) = (0usize, Vec::new(), Vec::new());
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .to_string();
        match Sdp::parse(&bytes) {
            Ok(sdp) => {
                parsed += 1;
                assert_eq!(sdp.emit(), bytes, "{rel}: emit differs from input");
            }
            Err(e) => failed.push(format!("{rel}: {e}")),
        }
        let findings = validate(&bytes);
        let mut seen = Vec::new();
        for f in &findings {
            *by_rule.entry(f.rule.id).or_default() += 1;
            if !seen.contains(&f.rule.id) {
                seen.push(f.rule.id);
                *files_with.entry(f.rule.id).or_default() += 1;
            }
        }
        let _ = inspector().inspect(&bytes, &InspectContext::default());
        harness_sdp::fuzzing::fuzz_parse(&bytes);
        if is_complete_real_sdp(&rel) && Sdp::parse(&bytes).is_err() {
            real_failed.push(rel);
        }
    }
    println!(
        "shared SDP corpus: {} files, {} parsed, {} not SDP",
        files.len(),
        parsed,
        failed.len()
    );
    for f in &failed {
        println!("  not parsed: {f}");
    }
    assert!(
        real_failed.is_empty(),
        "real SDPs that did not parse: {real_failed:?}"
    );
    println!("violations by rule (findings / files):");
    for (rule, n) in &by_rule {
        println!("  {rule:<34} {n:>5} / {:>3}", files_with[rule]);
    }
}
