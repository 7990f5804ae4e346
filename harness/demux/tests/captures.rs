//! Demultiplexing the UDP datagrams of real captures, compared with tshark's protocol counts
//! in ../shared/vectors/PROVENANCE.md ("Capture summaries").

#[path = "../../dtls/tests/support/capture.rs"]
mod capture;

use std::collections::BTreeMap;

use harness_demux::{TurnSource, classify};

fn classes(file: &str) -> Option<BTreeMap<&'static str, usize>> {
    let root = capture::shared_vectors()?;
    let datagrams = capture::udp_datagrams(&root.join(file)).unwrap_or_else(|e| panic!("{e}"));
    let mut out = BTreeMap::new();
    for d in datagrams {
        *out.entry(classify(&d.payload, TurnSource::Unknown).name())
            .or_insert(0) += 1;
    }
    Some(out)
}

#[test]
fn google_meet_capture_splits_like_tshark() {
    let Some(c) = classes("captures/ndpi/stun_google_meet.pcapng") else {
        eprintln!("../shared/vectors is absent: real captures not checked");
        return;
    };
    println!("{c:?}");
    // tshark: 362 UDP frames, stun 87 (Binding req 44 + ok 43), dtls 55; its RTP/RTCP
    // heuristics find rtp 184 and rtcp 25 and leave 11 frames as bare UDP, where the first
    // byte puts all of them in 128..191 (SRTP/SRTCP).
    assert_eq!(c.get("stun"), Some(&87));
    assert_eq!(c.get("dtls"), Some(&55));
    let media = c.get("rtp").copied().unwrap_or(0) + c.get("rtcp").copied().unwrap_or(0);
    assert_eq!(media, 362 - 87 - 55);
    assert!(c.get("rtcp").is_some_and(|n| *n >= 25));
    assert_eq!(c.values().sum::<usize>(), 362);
}

#[test]
fn dtls_only_captures_are_all_dtls() {
    for file in [
        "dtls/zeek/dtls1_2.pcap",
        "dtls/ndpi/dtls_session_id_and_coockie_both.pcap",
    ] {
        let Some(c) = classes(file) else {
            eprintln!("../shared/vectors is absent: real captures not checked");
            return;
        };
        assert_eq!(
            c.keys().copied().collect::<Vec<_>>(),
            vec!["dtls"],
            "{file}"
        );
    }
}
