//! Checks every TURN vector of vectors/turn/manifest.yaml against the TURN inspector.

use std::path::Path;

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
    #[serde(default)]
    encoding: Option<String>,
    expect: Expect,
}

#[derive(Deserialize)]
struct Expect {
    outcome: String,
    #[serde(default)]
    rules: Vec<String>,
}

fn unhex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(|l| l.bytes())
        .filter(u8::is_ascii_hexdigit)
        .collect();
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

#[test]
fn every_turn_vector_has_its_expected_outcome() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors/turn");
    let text = std::fs::read_to_string(dir.join("manifest.yaml")).expect("manifest");
    let manifest: Manifest = serde_yaml::from_str(&text).expect("manifest parses");
    let mut checked = 0;
    for e in manifest.vectors.iter().filter(|e| e.protocol == "turn") {
        let path = match (&e.file, &e.shared) {
            (Some(f), _) => dir.join(f),
            (None, Some(s)) => Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/vectors")
                .join(s),
            _ => panic!("entry without a file"),
        };
        let raw = std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let bytes = if e.encoding.as_deref() == Some("hex") {
            unhex(&String::from_utf8_lossy(&raw))
        } else {
            raw
        };
        let r = harness_turn::inspector().inspect(&bytes, &InspectContext::default());
        let ids: Vec<&str> = r.findings.iter().map(|f| f.rule.id).collect();
        let name = path.display();
        match e.expect.outcome.as_str() {
            "valid" => assert!(r.parsed && ids.is_empty(), "{name}: {:?} {ids:?}", r.error),
            "parse-error" => assert!(!r.parsed, "{name}: parsed"),
            "findings" => {
                assert!(r.parsed, "{name}: {:?}", r.error);
                let mut want: Vec<&str> = e.expect.rules.iter().map(String::as_str).collect();
                let mut got = ids.clone();
                want.sort_unstable();
                got.sort_unstable();
                got.dedup();
                assert_eq!(got, want, "{name}");
            }
            other => panic!("{name}: unknown outcome {other}"),
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} vectors");
}
