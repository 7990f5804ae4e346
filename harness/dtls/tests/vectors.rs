//! vectors/dtls/manifest.yaml checked against the inspector, as the vectors runner will do;
//! `shared:` entries run when ../shared/vectors is present. Also: the pion extension fuzz
//! corpora through the extension parsers, and the Zeek traces kept in this repository.

mod support;

use std::path::{Path, PathBuf};

use harness_core::inspect::InspectContext;
use harness_dtls::codes::{ExtensionType, HandshakeType};
use harness_dtls::messages::extensions::{Extension, parse_body};
use harness_dtls::observer::Observer;
use serde::Deserialize;
use support::capture::{shared_vectors, udp_datagrams};

#[derive(Debug, Deserialize)]
struct Manifest {
    vectors: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    file: Option<String>,
    shared: Option<String>,
    protocol: String,
    expect: Expect,
    #[allow(dead_code, reason = "provenance, read by people")]
    source: String,
}

#[derive(Debug, Deserialize)]
struct Expect {
    outcome: String,
    #[serde(default)]
    rules: Vec<String>,
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../vectors/dtls")
}

#[test]
fn manifest_outcomes_hold() {
    let text = std::fs::read_to_string(vectors_dir().join("manifest.yaml")).unwrap();
    let manifest: Manifest = serde_yaml::from_str(&text).unwrap();
    let shared = shared_vectors();
    let (mut ran, mut skipped) = (0, 0);
    for e in &manifest.vectors {
        assert_eq!(e.protocol, "dtls");
        let path = match (&e.file, &e.shared, &shared) {
            (Some(f), _, _) => vectors_dir().join(f),
            (None, Some(s), Some(root)) => root.join(s),
            (None, Some(_), None) => {
                skipped += 1;
                continue;
            }
            (None, None, _) => panic!("entry without file or shared: {e:?}"),
        };
        let bytes = std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let i = harness_dtls::inspector().inspect(&bytes, &InspectContext::default());
        let rules: Vec<&str> = i.findings.iter().map(|f| f.rule.id).collect();
        let name = path.display();
        match e.expect.outcome.as_str() {
            "valid" => assert!(
                i.parsed && rules.is_empty(),
                "{name}: {:?} {rules:?}",
                i.error
            ),
            "parse-error" => assert!(!i.parsed, "{name} parsed"),
            "findings" => {
                assert!(i.parsed, "{name}: {:?}", i.error);
                let mut want: Vec<&str> = e.expect.rules.iter().map(String::as_str).collect();
                let mut got = rules.clone();
                want.sort_unstable();
                got.sort_unstable();
                got.dedup();
                assert_eq!(got, want, "{name}");
            }
            other => panic!("unknown outcome {other}"),
        }
        ran += 1;
    }
    println!("dtls manifest: {ran} run, {skipped} skipped (../shared absent)");
    assert!(ran >= 130);
}

#[test]
fn pion_extension_corpora_never_panic_the_extension_parsers() {
    let dirs = [
        ("pion-FuzzALPNUnmarshal", ExtensionType::ALPN),
        (
            "pion-FuzzCertificateAuthUnmarshal",
            ExtensionType::CERTIFICATE_AUTHORITIES,
        ),
        ("pion-FuzzCookieExtUnmarshal", ExtensionType::COOKIE),
        (
            "pion-FuzzExtensionSupportedGroupsUnmarshal",
            ExtensionType::SUPPORTED_GROUPS,
        ),
        (
            "pion-FuzzExtensionSupportedPointFormatsUnmarshal",
            ExtensionType::EC_POINT_FORMATS,
        ),
        (
            "pion-FuzzExtensionUseSRTPUnmarshal",
            ExtensionType::USE_SRTP,
        ),
        (
            "pion-FuzzPskKeyExchangeModesUnmarshal",
            ExtensionType::PSK_KEY_EXCHANGE_MODES,
        ),
        (
            "pion-FuzzRenegotiationInfoUnmarshal",
            ExtensionType::RENEGOTIATION_INFO,
        ),
        ("pion-FuzzServerNameUnmarshal", ExtensionType::SERVER_NAME),
    ];
    let mut n = 0;
    for (dir, typ) in dirs {
        for entry in std::fs::read_dir(vectors_dir().join("pion").join(dir)).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            // pion's corpora hold the whole extension (type, length, data) for some parsers
            // and the data alone for others: try both readings, in both hello messages.
            let whole = bytes.get(4..).unwrap_or_default();
            for data in [&bytes[..], whole] {
                let ext = Extension {
                    offset: 0,
                    typ,
                    data,
                };
                for (m, retry) in [
                    (HandshakeType::CLIENT_HELLO, false),
                    (HandshakeType::SERVER_HELLO, false),
                    (HandshakeType::SERVER_HELLO, true),
                ] {
                    let _ = parse_body(&ext, m, retry);
                }
            }
            n += 1;
        }
    }
    assert_eq!(n, 12);
}

fn observe(path: &Path) -> Observer {
    let mut obs = Observer::default();
    let datagrams = udp_datagrams(path).unwrap();
    let first = datagrams.first().map(|d| d.src);
    for d in datagrams {
        // RFC 7983 §7: DTLS is 20..=63 in the first byte; STUN and SRTP share the 5-tuple.
        if d.payload.first().is_some_and(|b| (20..=63).contains(b)) {
            obs.datagram(usize::from(Some(d.src) != first), Some(d.frame), &d.payload);
        }
    }
    obs
}

#[test]
fn zeek_traces_in_the_repository_parse_fully() {
    let obs = observe(&vectors_dir().join("zeek/dtls1_2.pcap"));
    assert!(obs.record_errors.is_empty());
    assert!(obs.messages.iter().all(|m| m.parse_error.is_none()));
    assert_eq!(obs.count(HandshakeType::HELLO_VERIFY_REQUEST), 1);
    assert_eq!(obs.count(HandshakeType::CERTIFICATE), 1);
    let obs = observe(&vectors_dir().join("zeek/dtls13-cid.pcap"));
    assert!(obs.messages.iter().all(|m| m.parse_error.is_none()));
    // Every record framed once the client's connection id length was learned from its
    // connection_id extension; the server's id travels in EncryptedExtensions, so records
    // to the server with the C bit cannot be framed without keys.
    assert!(obs.records > 0);
}

#[test]
fn zeek_sequence_number_jumps_are_read_without_panicking() {
    let obs = observe(&vectors_dir().join("zeek/dtls-sequence-number-jumps.pcap"));
    println!("{:?}", obs.fragments_seen);
    assert!(obs.count(HandshakeType::CLIENT_HELLO) >= 1);
}

#[test]
fn chromium_dtls13_handshake_with_a_two_fragment_client_hello() {
    use harness_dtls::codes::NamedGroup;
    use harness_dtls::messages::HandshakeBody;
    let obs = observe(&vectors_dir().join("chromium/chromium156_dtls13_two_peers_loopback.pcap"));
    for m in &obs.messages {
        println!(
            "side {} frame {:?} {} seq {} len {} fragments {}",
            m.side, m.frame, m.msg_type, m.message_seq, m.length, m.fragments
        );
    }
    for f in &obs.findings {
        println!("{f}");
    }
    assert!(obs.record_errors.is_empty(), "{:?}", obs.record_errors);
    let ch = obs
        .messages
        .iter()
        .find(|m| m.msg_type == HandshakeType::CLIENT_HELLO)
        .unwrap();
    assert_eq!(ch.fragments, 2, "the ClientHello came in two fragments");
    let Ok(HandshakeBody::ClientHello(hello)) = HandshakeBody::parse(ch.msg_type, &ch.body) else {
        panic!("ClientHello")
    };
    assert!(hello.offers_dtls13());
    assert!(
        hello
            .key_shares()
            .iter()
            .any(|s| s.group == NamedGroup::X25519_MLKEM768 && s.key_exchange.len() == 1216)
    );
    let sh = obs
        .messages
        .iter()
        .find(|m| m.msg_type == HandshakeType::SERVER_HELLO)
        .unwrap();
    let Ok(HandshakeBody::ServerHello(sh)) = HandshakeBody::parse(sh.msg_type, &sh.body) else {
        panic!("ServerHello")
    };
    assert!(sh.selects_dtls13());
    assert!(obs.findings.is_empty());
}
