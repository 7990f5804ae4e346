//! The generated DTLS 1.3 vector: a ClientHello with an X25519MLKEM768 key share, too big
//! for a 1200-byte MTU, split into two handshake fragments (RFC 9147 §5.5).
//!
//! The committed files under vectors/dtls/generated/ must equal what the generator in
//! `harness_dtls::build` produces; set `HARNESS_WRITE_VECTORS=1` to rewrite them.

use std::path::PathBuf;

use harness_dtls::build::dtls13_post_quantum_client_hello_flight;
use harness_dtls::codes::{ExtensionType, NamedGroup};
use harness_dtls::messages::{ClientHello, HandshakeBody};
use harness_dtls::observer::Observer;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../vectors/dtls/generated")
}

const FILES: [&str; 2] = [
    "dtls13_clienthello_x25519mlkem768_fragment1of2.bin",
    "dtls13_clienthello_x25519mlkem768_fragment2of2.bin",
];

#[test]
fn committed_fragments_equal_the_generator_output() {
    let flight = dtls13_post_quantum_client_hello_flight();
    assert_eq!(flight.len(), FILES.len());
    for (bytes, name) in flight.iter().zip(FILES) {
        let path = dir().join(name);
        if std::env::var_os("HARNESS_WRITE_VECTORS").is_some() {
            std::fs::write(&path, bytes).unwrap();
        }
        let committed = std::fs::read(&path).unwrap();
        assert_eq!(&committed, bytes, "{name} differs from the generator");
    }
}

#[test]
fn the_two_fragments_fit_the_mtu_and_reassemble_into_a_valid_client_hello() {
    let flight = dtls13_post_quantum_client_hello_flight();
    assert!(flight.iter().all(|d| d.len() <= 1200));
    let mut obs = Observer::default();
    for (i, d) in flight.iter().enumerate() {
        obs.datagram(0, Some(i as u64 + 1), d);
    }
    assert!(obs.findings.is_empty(), "{:#?}", obs.findings);
    assert_eq!(obs.messages.len(), 1);
    let m = &obs.messages[0];
    assert_eq!(m.fragments, 2);
    assert!(m.length > 1200);
    let Ok(HandshakeBody::ClientHello(ch)) = HandshakeBody::parse(m.msg_type, &m.body) else {
        panic!("ClientHello expected")
    };
    assert!(ch.offers_dtls13());
    let shares = ch.key_shares();
    let pq = shares
        .iter()
        .find(|s| s.group == NamedGroup::X25519_MLKEM768)
        .unwrap();
    assert_eq!(pq.key_exchange.len(), 1216);
    assert!(ch.extension(ExtensionType::USE_SRTP).is_some());
    let _: &ClientHello<'_> = &ch;
}
