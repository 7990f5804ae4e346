//! The checker on every real capture: summaries as snapshots, and the known non-conformant
//! packets of ../shared/vectors/PROVENANCE.md found.

use std::path::{Path, PathBuf};

use harness_check::{CheckOptions, CheckOutcome, Session, check_capture, check_reader};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shared() -> Option<PathBuf> {
    let dir = repo().join("../shared/vectors");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/vectors is absent");
        None
    }
}

fn pcaps_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            pcaps_under(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "pcap" || e == "pcapng")
        {
            out.push(path);
        }
    }
}

fn check(path: &Path) -> CheckOutcome {
    check_capture(path, &CheckOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn snapshot_name(prefix: &str, root: &Path, path: &Path) -> String {
    let rel = path
        .strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace(['/', '.'], "_");
    format!("{prefix}__{rel}")
}

#[test]
fn summaries_of_the_captures_in_vectors() {
    let root = repo().join("vectors");
    let mut files = Vec::new();
    pcaps_under(&root.join("captures"), &mut files);
    pcaps_under(&root.join("dtls"), &mut files);
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    for file in files {
        let outcome = check(&file);
        assert!(outcome.capture_error.is_none(), "{}", file.display());
        insta::assert_snapshot!(
            snapshot_name("vectors", &root, &file),
            outcome.summary.to_string()
        );
    }
}

#[test]
fn summaries_of_the_shared_captures() {
    let Some(root) = shared() else { return };
    let mut files = Vec::new();
    pcaps_under(&root.join("captures"), &mut files);
    pcaps_under(&root.join("dtls"), &mut files);
    pcaps_under(&root.join("malformed/stun"), &mut files);
    pcaps_under(&root.join("malformed/dtls"), &mut files);
    files.sort();
    assert!(files.len() >= 20, "{files:?}");
    for file in files {
        let outcome = check(&file);
        assert!(outcome.capture_error.is_none(), "{}", file.display());
        assert!(outcome.summary.payloads > 0, "{}", file.display());
        insta::assert_snapshot!(
            snapshot_name("shared", &root, &file),
            outcome.summary.to_string()
        );
    }
}

fn frames_of(outcome: &CheckOutcome, rule: &str) -> Vec<u64> {
    outcome
        .findings
        .iter()
        .filter(|(_, f)| f.rule.id == rule)
        .filter_map(|(_, f)| f.location.frame)
        .collect()
}

#[test]
fn the_wrong_fingerprint_in_ndpi_stun_frame_195_is_found() {
    let Some(root) = shared() else { return };
    let outcome = check(&root.join("captures/ndpi/stun.pcap"));
    assert_eq!(frames_of(&outcome, "stun.fingerprint.mismatch"), vec![195]);
}

#[test]
fn channel_data_on_channel_0xff10_in_teams_is_found() {
    let Some(root) = shared() else { return };
    let outcome = check(&root.join("captures/ndpi/teams.pcap"));
    let found: Vec<_> = outcome
        .findings
        .iter()
        .filter(|(_, f)| f.rule.id == "check.turn.channeldata.number")
        .collect();
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|(_, f)| f.message.contains("0xff10")));
    assert_eq!(
        outcome
            .summary
            .messages_of("turn ChannelData (reserved channel number)"),
        2
    );
}

#[test]
fn stun_lengths_not_a_multiple_of_4_in_teams_are_found() {
    let Some(root) = shared() else { return };
    let outcome = check(&root.join("captures/ndpi/teams.pcap"));
    // tshark flags 18 "Packet length is not multiple of 4 bytes".
    assert_eq!(
        outcome
            .summary
            .violations_of("stun.header.length-multiple-of-4"),
        18
    );
}

#[test]
fn the_attribute_claiming_length_0xffff_is_found() {
    let file = repo().join("vectors/captures/zeek-spicy-stun/stun-attribute-length-ffff.pcap");
    let outcome = check(&file);
    assert_eq!(frames_of(&outcome, "stun.attr.overrun"), vec![2]);
}

#[test]
fn comprehension_required_attribute_0x4000_over_ipv6_is_found() {
    let Some(root) = shared() else { return };
    let outcome = check(&root.join("captures/ndpi/lru_ipv6_caches.pcapng"));
    assert_eq!(
        outcome
            .summary
            .violations_of("stun.attr.unknown-comprehension-required"),
        5
    );
    assert!(outcome.summary.flows.iter().all(|f| f.a.starts_with('[')));
}

#[test]
fn a_truncated_capture_is_judged_up_to_the_damaged_frame() {
    let Some(root) = shared() else { return };
    let bytes = std::fs::read(root.join("captures/ndpi/stun.pcap")).unwrap();
    let cut = &bytes[..bytes.len() - 100];
    let outcome = check_reader(cut, &CheckOptions::default()).unwrap();
    let err = outcome.capture_error.expect("the cut must be reported");
    assert_eq!(err.frame, Some(201));
    assert_eq!(frames_of(&outcome, "stun.fingerprint.mismatch"), vec![195]);
    assert!(
        outcome
            .summary
            .to_string()
            .contains("capture error: frame 201")
    );
    let report = outcome.report("stun.pcap");
    assert_eq!(
        report.suites[0].cases[0].status,
        harness_report::Status::Error
    );
}

fn aiortc_session(answer_edit: impl Fn(String) -> String) -> Option<(PathBuf, CheckOptions)> {
    let root = shared()?;
    let offer = std::fs::read_to_string(root.join("sdp/local-peers/aiortc-offer.sdp")).unwrap();
    let answer = std::fs::read_to_string(root.join("sdp/local-peers/aiortc-answer.sdp")).unwrap();
    let options = CheckOptions {
        session: Some(Session::parse(&offer, &answer_edit(answer)).unwrap()),
        ..CheckOptions::default()
    };
    Some((root.join("captures/local-peers/aiortc.pcap"), options))
}

#[test]
fn offer_and_answer_tie_credentials_and_fingerprint_to_the_aiortc_capture() {
    let Some((file, options)) = aiortc_session(|a| a) else {
        return;
    };
    let outcome = check_capture(&file, &options).unwrap();
    assert_eq!(outcome.summary.dtls[0].fingerprint, "ok");
    assert!(outcome.summary.violations.is_empty(), "{}", outcome.summary);
}

#[test]
fn a_fingerprint_that_does_not_match_the_certificate_is_a_finding() {
    // Every fingerprint line of the answer altered in its last hex digit.
    let alter = |a: String| {
        a.lines()
            .map(|l| {
                if l.starts_with("a=fingerprint:") {
                    let mut l = l.trim_end().to_string();
                    let last = if l.ends_with('0') { '1' } else { '0' };
                    l.pop();
                    l.push(last);
                    l
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\r\n")
    };
    let Some((file, options)) = aiortc_session(alter) else {
        return;
    };
    let outcome = check_capture(&file, &options).unwrap();
    assert_eq!(outcome.summary.dtls[0].fingerprint, "fail");
    assert!(
        outcome
            .summary
            .violations_of("dtls.certificate.fingerprint")
            >= 1
    );
}

#[test]
fn a_wrong_ice_password_fails_the_integrity_checks() {
    let Some((file, options)) = aiortc_session(|a| {
        let pwd = a
            .lines()
            .find(|l| l.starts_with("a=ice-pwd:"))
            .unwrap()
            .to_string();
        a.replace(&pwd, "a=ice-pwd:0123456789abcdefghijkl")
    }) else {
        return;
    };
    let outcome = check_capture(&file, &options).unwrap();
    let integrity: u64 = outcome
        .summary
        .violations
        .iter()
        .filter(|v| v.rule.id.contains("integrity"))
        .map(|v| v.count)
        .sum();
    assert!(integrity >= 1, "{}", outcome.summary);
}

#[test]
fn an_answer_from_another_session_breaks_the_username_rule() {
    let Some((file, options)) =
        aiortc_session(|a| a.replace("a=ice-ufrag:5Jgr", "a=ice-ufrag:XXXX"))
    else {
        return;
    };
    let outcome = check_capture(&file, &options).unwrap();
    assert!(outcome.summary.violations_of("check.ice.username") >= 1);
}

#[test]
fn the_report_has_a_case_per_flow_with_its_findings() {
    let file = repo().join("vectors/captures/zeek-spicy-stun/stun-attribute-length-ffff.pcap");
    let outcome = check(&file);
    let report = outcome.report("stun-attribute-length-ffff.pcap");
    let suite = &report.suites[0];
    assert_eq!(suite.cases.len(), 1 + outcome.summary.flows.len());
    assert_eq!(suite.cases[0].name, "capture");
    let flow = &suite.cases[1];
    assert!(flow.name.starts_with("flow 1 udp "));
    assert!(
        flow.findings
            .iter()
            .any(|f| f.rule == "stun.attr.overrun" && f.location.contains("frame 2"))
    );
    assert!(harness_report::render::json(&report).contains("stun.attr.overrun"));
}
