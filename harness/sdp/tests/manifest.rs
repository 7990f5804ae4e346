//! `vectors/sdp/manifest.yaml`: every entry's outcome, checked against the inspector as the
//! `vectors` runner does. `shared:` entries are read from `../shared/vectors` and skipped, with
//! a message, only when that folder is absent.

use std::path::{Path, PathBuf};

use harness_core::inspect::InspectContext;
use serde::Deserialize;

#[derive(Deserialize)]
struct Manifest {
    vectors: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    file: Option<String>,
    shared: Option<String>,
    protocol: String,
    expect: Expected,
    source: String,
}

#[derive(Deserialize)]
struct Expected {
    outcome: String,
    #[serde(default)]
    rules: Vec<String>,
    #[serde(rename = "match", default)]
    match_: Option<String>,
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn manifest_outcomes_match_the_inspector() {
    let dir = repo().join("vectors/sdp");
    let text = std::fs::read_to_string(dir.join("manifest.yaml")).unwrap();
    let manifest: Manifest = serde_yaml::from_str(&text).unwrap();
    assert!(manifest.vectors.len() >= 100);
    let shared = repo().join("../shared/vectors");
    let (mut checked, mut skipped, mut wrong) = (0, 0, Vec::new());
    for e in &manifest.vectors {
        assert_eq!(e.protocol, "sdp");
        assert!(!e.source.is_empty());
        let path = match (&e.file, &e.shared) {
            (Some(f), None) => dir.join(f),
            (None, Some(s)) if shared.is_dir() => shared.join(s),
            (None, Some(s)) => {
                eprintln!("skipped (no ../shared): {s}");
                skipped += 1;
                continue;
            }
            _ => panic!("entry needs exactly one of file/shared"),
        };
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let r = harness_sdp::inspector().inspect(&bytes, &InspectContext::default());
        let mut ids: Vec<&str> = r.findings.iter().map(|f| f.rule.id).collect();
        ids.sort_unstable();
        ids.dedup();
        let ok = match e.expect.outcome.as_str() {
            "valid" => r.parsed && ids.is_empty(),
            "parse-error" => !r.parsed,
            "findings" => {
                let mut want: Vec<&str> = e.expect.rules.iter().map(String::as_str).collect();
                want.sort_unstable();
                match e.expect.match_.as_deref().unwrap_or("exactly") {
                    "at-least" => r.parsed && want.iter().all(|w| ids.contains(w)),
                    _ => r.parsed && want == ids,
                }
            }
            other => panic!("unknown outcome {other}"),
        };
        if !ok {
            wrong.push(format!(
                "{}: expected {} {:?}, got parsed={} {:?}",
                path.display(),
                e.expect.outcome,
                e.expect.rules,
                r.parsed,
                ids
            ));
        }
        checked += 1;
    }
    println!("sdp manifest: {checked} checked, {skipped} skipped");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
