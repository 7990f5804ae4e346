//! The entries of vectors/captures/manifest.yaml, judged by the capture inspector as the
//! vectors runner will.

use std::collections::BTreeSet;
use std::path::Path;

use harness_core::inspect::InspectContext;
use harness_core::rules::Severity;
use harness_report::manifest::{Outcome, RuleMatch, load};

#[test]
fn capture_manifest_outcomes_hold() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors/captures/manifest.yaml");
    let vectors = load(&path).unwrap();
    assert!(vectors.len() >= 8);
    let mut judged = 0;
    for v in vectors {
        assert_eq!(v.entry.protocol, "capture");
        let Ok(bytes) = &v.bytes else {
            eprintln!("skipped {}: {:?}", v.entry.name(), v.bytes.err());
            continue;
        };
        let inspection = harness_check::inspector().inspect(bytes, &InspectContext::default());
        assert!(
            inspection.parsed,
            "{}: {:?}",
            v.entry.name(),
            inspection.error
        );
        let found: BTreeSet<&str> = inspection.findings.iter().map(|f| f.rule.id).collect();
        match v.entry.expect.outcome {
            Outcome::Valid => {
                let serious: Vec<_> = inspection
                    .findings
                    .iter()
                    .filter(|f| f.rule.level.severity() >= Severity::Should)
                    .map(|f| f.rule.id)
                    .collect();
                assert!(serious.is_empty(), "{}: {serious:?}", v.entry.name());
            }
            Outcome::Findings => {
                let wanted: BTreeSet<&str> =
                    v.entry.expect.rules.iter().map(String::as_str).collect();
                match v.entry.expect.rule_match {
                    RuleMatch::AtLeast => {
                        assert!(wanted.is_subset(&found), "{}: {found:?}", v.entry.name())
                    }
                    RuleMatch::Exactly => assert_eq!(wanted, found, "{}", v.entry.name()),
                }
            }
            Outcome::ParseError => assert!(!inspection.parsed),
        }
        judged += 1;
    }
    assert!(judged >= 3);
}

#[test]
fn the_inspector_claims_pcap_and_pcapng_only() {
    use harness_core::inspect::Confidence;
    let i = harness_check::inspector();
    assert_eq!(
        i.detect(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0]),
        Confidence::Certain
    );
    assert_eq!(i.detect(&[0x0a, 0x0d, 0x0d, 0x0a]), Confidence::Certain);
    assert_eq!(i.detect(b"v=0\r\n"), Confidence::No);
}
