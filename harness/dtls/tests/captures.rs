//! Real DTLS handshakes from the captures under ../shared/vectors (captures/ and dtls/),
//! read with pcap-parser, framed, reassembled and parsed in full.
//!
//! The per-type counts asserted here are the tshark 4.0.17 summaries of
//! ../shared/vectors/PROVENANCE.md ("Capture summaries"), an independent dissector; the
//! counts this test computes come from parsing each handshake message.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::Path;

use harness_dtls::HandshakeType;
use harness_dtls::observer::Observer;
use support::capture::{shared_vectors, udp_datagrams};

/// What one capture holds, as this crate reads it.
#[derive(Debug, Default)]
struct Tally {
    /// Plaintext handshake fragments (each record occurrence, retransmissions included).
    fragments: BTreeMap<HandshakeType, usize>,
    /// Complete messages after reassembly (retransmissions counted once).
    messages: BTreeMap<HandshakeType, usize>,
    parse_errors: Vec<String>,
    record_error_frames: Vec<u64>,
    records: usize,
    retransmissions: usize,
    reassembled_from_fragments: usize,
    hello_retry_requests: usize,
    findings: BTreeMap<&'static str, usize>,
}

fn tally(path: &Path) -> Tally {
    let datagrams = udp_datagrams(path).unwrap_or_else(|e| panic!("{e}"));
    let mut flows: HashMap<(SocketAddr, SocketAddr), (Observer, SocketAddr)> = HashMap::new();
    for d in &datagrams {
        // RFC 7983 §7: DTLS is 20..=63 in the first byte.
        if !d.payload.first().is_some_and(|b| (20..=63).contains(b)) {
            continue;
        }
        let key = if d.src < d.dst {
            (d.src, d.dst)
        } else {
            (d.dst, d.src)
        };
        let (obs, first_sender) = flows
            .entry(key)
            .or_insert_with(|| (Observer::default(), d.src));
        let side = usize::from(d.src != *first_sender);
        obs.datagram(side, Some(d.frame), &d.payload);
    }
    let mut t = Tally::default();
    for (obs, _) in flows.values() {
        for (ty, n) in &obs.fragments_seen {
            *t.fragments.entry(*ty).or_default() += n;
        }
        for m in &obs.messages {
            *t.messages.entry(m.msg_type).or_default() += 1;
            if m.fragments > 1 {
                t.reassembled_from_fragments += 1;
            }
            if let Some(e) = m.parse_error {
                t.parse_errors
                    .push(format!("frame {:?} {}: {e}", m.frame, m.msg_type));
            }
            if m.msg_type == HandshakeType::SERVER_HELLO
                && m.body.get(2..34)
                    == Some(&harness_dtls::messages::HELLO_RETRY_REQUEST_RANDOM[..])
            {
                t.hello_retry_requests += 1;
            }
        }
        for (_, frame, e) in &obs.record_errors {
            println!("  record error in frame {frame:?}: {e}");
            t.record_error_frames.push(frame.unwrap_or(0));
        }
        for f in &obs.findings {
            println!("    {f}");
            *t.findings.entry(f.rule.id).or_default() += 1;
        }
        t.records += obs.records;
        t.retransmissions += obs.retransmissions;
    }
    t
}

fn name(t: HandshakeType) -> &'static str {
    t.name().unwrap_or("unknown")
}

fn show(path: &str, t: &Tally) {
    let f: Vec<_> = t
        .fragments
        .iter()
        .map(|(k, v)| format!("{} x{v}", name(*k)))
        .collect();
    let m: Vec<_> = t
        .messages
        .iter()
        .map(|(k, v)| format!("{} x{v}", name(*k)))
        .collect();
    println!(
        "{path}: records {}, record errors {:?}, retransmissions {}, reassembled {}, HRR {}\n  fragments: {}\n  messages:  {}",
        t.records,
        t.record_error_frames,
        t.retransmissions,
        t.reassembled_from_fragments,
        t.hello_retry_requests,
        f.join(", "),
        m.join(", ")
    );
    if !t.findings.is_empty() {
        println!("  findings: {:?}", t.findings);
    }
}

/// tshark's "DTLS handshake" column of PROVENANCE.md, per file: handshake messages per
/// record occurrence (fragments and retransmissions each count).
const TSHARK: &[(&str, &[(&str, usize)])] = &[
    (
        "captures/ndpi/stun.pcap",
        &[
            ("client_hello", 2),
            ("certificate", 2),
            ("server_hello", 1),
            ("server_key_exchange", 1),
            ("certificate_request", 1),
            ("server_hello_done", 1),
            ("client_key_exchange", 1),
            ("certificate_verify", 1),
            ("new_session_ticket", 1),
        ],
    ),
    (
        "captures/ndpi/stun_dtls_rtp.pcapng",
        &[
            ("certificate", 3),
            ("client_key_exchange", 2),
            ("certificate_verify", 2),
            ("new_session_ticket", 2),
            ("client_hello", 1),
            ("server_hello", 1),
            ("server_key_exchange", 1),
            ("certificate_request", 1),
            ("server_hello_done", 1),
        ],
    ),
    (
        "captures/ndpi/stun_google_meet.pcapng",
        &[
            ("certificate", 4),
            ("client_hello", 2),
            ("server_hello", 2),
            ("server_key_exchange", 2),
            ("certificate_request", 2),
            ("server_hello_done", 2),
            ("client_key_exchange", 2),
            ("certificate_verify", 2),
            ("new_session_ticket", 2),
        ],
    ),
    (
        "captures/ndpi/stun_dtls_unidirectional_client.pcap",
        &[
            ("certificate", 2),
            ("client_hello", 1),
            ("client_key_exchange", 1),
            ("certificate_verify", 1),
        ],
    ),
    (
        "captures/zeek/webrtc-stun.pcap",
        &[
            ("certificate", 2),
            ("client_hello", 1),
            ("server_hello", 1),
            ("server_key_exchange", 1),
            ("certificate_request", 1),
            ("server_hello_done", 1),
            ("client_key_exchange", 1),
            ("certificate_verify", 1),
        ],
    ),
    (
        "dtls/ndpi/dtls.pcap",
        &[("client_hello", 7), ("server_hello", 2)],
    ),
    (
        "dtls/ndpi/dtls_certificate_fragments.pcap",
        &[
            ("certificate", 11),
            ("client_hello", 4),
            ("new_session_ticket", 3),
            ("server_key_exchange", 3),
            ("server_hello", 2),
            ("server_hello_done", 2),
            ("client_key_exchange", 2),
            ("hello_verify_request", 1),
            ("certificate_request", 1),
            ("certificate_verify", 1),
        ],
    ),
    (
        "dtls/ndpi/dtls_session_id_and_coockie_both.pcap",
        &[
            ("client_hello", 2),
            ("hello_verify_request", 1),
            ("server_hello", 1),
        ],
    ),
    ("dtls/ndpi/dtls_mid_sessions.pcapng", &[]),
    (
        "dtls/zeek/dtls1_2.pcap",
        &[
            ("certificate", 5),
            ("client_hello", 4),
            ("server_key_exchange", 3),
            ("hello_verify_request", 1),
            ("server_hello", 1),
            ("server_hello_done", 1),
            ("client_key_exchange", 1),
            ("new_session_ticket", 1),
        ],
    ),
    (
        "dtls/zeek/dtls13-cid.pcap",
        &[("client_hello", 14), ("server_hello", 4)],
    ),
];

/// Datagrams in the DTLS first-byte range that are not DTLS (tshark shows them as data):
/// frame 196 of stun.pcap goes to UDP port 8801 with a DTLS-looking first record followed
/// by a byte 0x00 where the next record should start.
const NOT_DTLS: &[(&str, u64)] = &[("captures/ndpi/stun.pcap", 196)];

/// Captures of real stacks on loopback (PROVENANCE.md "local-peers"): each holds one full
/// DTLS 1.2 handshake with mutual certificates, as DTLS-SRTP requires.
const LOCAL_PEERS: &[&str] = &[
    "captures/local-peers/aiortc.pcap",
    "captures/local-peers/werift.pcap",
    "captures/local-peers/libdatachannel.pcap",
];

fn by_name(map: &BTreeMap<HandshakeType, usize>) -> BTreeMap<&'static str, usize> {
    map.iter().map(|(k, v)| (name(*k), *v)).collect()
}

#[test]
fn real_handshakes_parse_fully_and_match_the_tshark_counts() {
    let Some(root) = shared_vectors() else {
        eprintln!("../shared/vectors is absent: real captures not checked");
        return;
    };
    let mut total: BTreeMap<HandshakeType, usize> = BTreeMap::new();
    let mut total_fragments: BTreeMap<HandshakeType, usize> = BTreeMap::new();
    let files = TSHARK
        .iter()
        .map(|(f, _)| *f)
        .chain(LOCAL_PEERS.iter().copied());
    for file in files {
        let t = tally(&root.join(file));
        show(file, &t);
        assert!(t.parse_errors.is_empty(), "{file}: {:?}", t.parse_errors);
        let expected_errors: Vec<u64> = NOT_DTLS
            .iter()
            .filter(|(f, _)| *f == file)
            .map(|(_, frame)| *frame)
            .collect();
        assert_eq!(
            t.record_error_frames, expected_errors,
            "{file}: records that do not frame"
        );
        if let Some((_, expected)) = TSHARK.iter().find(|(f, _)| *f == file) {
            let expected: BTreeMap<&str, usize> = expected.iter().copied().collect();
            assert_eq!(
                by_name(&t.fragments),
                expected,
                "{file}: per-type counts differ from tshark"
            );
        } else {
            for needed in [
                "client_hello",
                "server_hello",
                "server_key_exchange",
                "server_hello_done",
                "client_key_exchange",
                "certificate_verify",
            ] {
                assert!(
                    by_name(&t.messages).get(needed).is_some_and(|n| *n >= 1),
                    "{file}: no {needed}"
                );
            }
            assert!(
                by_name(&t.messages)
                    .get("certificate")
                    .is_some_and(|n| *n >= 2),
                "{file}: certificates of both peers"
            );
        }
        for (k, v) in &t.messages {
            *total.entry(*k).or_default() += v;
        }
        for (k, v) in &t.fragments {
            *total_fragments.entry(*k).or_default() += v;
        }
    }
    let m: Vec<_> = total
        .iter()
        .map(|(k, v)| format!("{} x{v}", name(*k)))
        .collect();
    let f: Vec<_> = total_fragments
        .iter()
        .map(|(k, v)| format!("{} x{v}", name(*k)))
        .collect();
    println!(
        "ALL messages: {}\nALL fragments: {}",
        m.join(", "),
        f.join(", ")
    );
    // Fragmented messages were really reassembled (Certificate flights of several records).
    assert!(
        total.get(&HandshakeType::CERTIFICATE) < total_fragments.get(&HandshakeType::CERTIFICATE)
    );
}

#[test]
fn dtls13_capture_holds_hello_retry_requests_and_unified_headers() {
    let Some(root) = shared_vectors() else {
        eprintln!("../shared/vectors is absent: real captures not checked");
        return;
    };
    let t = tally(&root.join("dtls/zeek/dtls13-cid.pcap"));
    assert_eq!(t.hello_retry_requests, 2);
    assert!(
        t.retransmissions > 0,
        "retransmitted ClientHellos are recognised"
    );
}
