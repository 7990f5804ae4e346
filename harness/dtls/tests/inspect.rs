//! The inspector on real datagrams: fields, and the certificate fingerprint against an SDP
//! a=fingerprint. The expected fingerprint of the Zeek WebRTC certificate was computed with
//! `openssl x509 -fingerprint -sha256` on the DER that tshark extracts from the capture.

use harness_core::inspect::{Confidence, Field, InspectContext};

const SERVER_FLIGHT: &[u8] =
    include_bytes!("../../../vectors/dtls/zeek/webrtc-stun_frame11_server_flight.bin");
const CLIENT_HELLO: &[u8] =
    include_bytes!("../../../vectors/dtls/zeek/webrtc-stun_frame9_clienthello.bin");
const OPENSSL_SHA256: &str = "sha-256 96:81:26:88:2D:68:EB:80:B0:33:92:ED:B9:CC:E7:26:0E:EC:15:A0:4B:20:6D:DF:B5:23:14:49:B5:AA:AA:2F";

fn find<'a>(fields: &'a [Field], name: &str) -> Option<&'a Field> {
    fields.iter().find_map(|f| {
        if f.name == name {
            Some(f)
        } else {
            find(&f.children, name)
        }
    })
}

fn sdp(fingerprint: &str) -> InspectContext {
    InspectContext {
        offer: Some(format!(
            "v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=fingerprint:{fingerprint}\r\n"
        )),
        ..InspectContext::default()
    }
}

#[test]
fn prints_records_and_handshake_messages_as_fields() {
    let i = harness_dtls::inspector().inspect(CLIENT_HELLO, &InspectContext::default());
    assert!(i.parsed);
    assert_eq!(
        harness_dtls::inspector().detect(CLIENT_HELLO),
        Confidence::Certain
    );
    assert!(find(&i.fields, "record[0]").is_some());
    assert_eq!(
        find(&i.fields, "msg_type").map(|f| f.value.to_string()),
        Some("client_hello".into())
    );
    assert!(find(&i.fields, "use_srtp").is_some());
    assert_eq!(i.verdict("fingerprint"), Some("absent"));
}

#[test]
fn certificate_matches_the_openssl_fingerprint_given_in_the_sdp() {
    let i = harness_dtls::inspector().inspect(SERVER_FLIGHT, &sdp(OPENSSL_SHA256));
    assert_eq!(i.verdict("fingerprint"), Some("ok"));
    assert!(i.findings.is_empty(), "{:?}", i.findings);
    assert_eq!(
        find(&i.fields, "leaf_fingerprint").map(|f| f.value.to_string()),
        Some(OPENSSL_SHA256.to_string())
    );
}

#[test]
fn a_different_fingerprint_in_the_sdp_is_a_finding() {
    let wrong = OPENSSL_SHA256.replace("96:81", "96:82");
    let i = harness_dtls::inspector().inspect(SERVER_FLIGHT, &sdp(&wrong));
    assert_eq!(i.verdict("fingerprint"), Some("fail"));
    assert!(
        i.findings
            .iter()
            .any(|f| f.rule.id == "dtls.certificate.fingerprint")
    );
}
