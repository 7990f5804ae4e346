//! DTLS: record split + handshake parse of a real ClientHello flight (Zeek's webrtc-stun.pcap,
//! frame 9: one record, a 272-byte ClientHello with use_srtp), harness-dtls against rtc-dtls
//! 0.21.1.
//!
//! `harness-dtls/split+parse` frames the records, reads the handshake fragments, parses the
//! ClientHello and interprets every extension body. `rtc-dtls/split+unmarshal` splits by the
//! record length (as rtc-dtls's private `unpack_datagram` does) and runs
//! `RecordLayer::unmarshal`, which parses the ClientHello and its extensions.

use std::hint::black_box;
use std::io::Cursor;

use criterion::{Criterion, Throughput, criterion_main};
use harness_dtls::codes::HandshakeType;
use harness_dtls::handshake::fragments;
use harness_dtls::messages::ClientHello;
use harness_dtls::messages::extensions::parse_body;
use harness_dtls::record::{RecordContext, records};

const FLIGHT: &[u8] =
    include_bytes!("../../../vectors/dtls/zeek/webrtc-stun_frame9_clienthello.bin");

fn harness(datagram: &[u8]) -> usize {
    let mut n = 0;
    for record in records(datagram, RecordContext::default()).flatten() {
        let Some(hs) = record.plaintext_handshake() else {
            continue;
        };
        for frag in fragments(hs).flatten() {
            if frag.msg_type != HandshakeType::CLIENT_HELLO || !frag.is_whole_message() {
                continue;
            }
            let Ok(ch) = ClientHello::parse(frag.body) else {
                continue;
            };
            n += ch.cipher_suite_values().count();
            if let Some(exts) = ch.extensions {
                for e in exts.iter().flatten() {
                    n += usize::from(parse_body(&e, HandshakeType::CLIENT_HELLO, false).is_ok());
                }
            }
        }
    }
    n
}

fn rtc(datagram: &[u8]) -> usize {
    let mut n = 0;
    let mut offset = 0;
    while offset + 13 <= datagram.len() {
        let len = usize::from(u16::from_be_bytes([
            datagram[offset + 11],
            datagram[offset + 12],
        ]));
        let end = offset + 13 + len;
        if end > datagram.len() {
            break;
        }
        let slice = &datagram[offset..end];
        if let Ok(r) = dtls::record_layer::RecordLayer::unmarshal(&mut Cursor::new(slice)) {
            n += 1;
            black_box(&r);
        }
        offset = end;
    }
    n
}

fn bench(c: &mut Criterion) {
    assert!(
        harness(FLIGHT) > 0 && rtc(FLIGHT) == 1,
        "the flight parses on both sides"
    );
    let mut g = c.benchmark_group("dtls_client_hello_flight");
    g.throughput(Throughput::Bytes(FLIGHT.len() as u64));
    g.bench_function("harness-dtls/split+parse", |b| {
        b.iter(|| harness(black_box(FLIGHT)))
    });
    g.bench_function("rtc-dtls/split+unmarshal", |b| {
        b.iter(|| rtc(black_box(FLIGHT)))
    });
    g.finish();
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
}

criterion_main!(benches);
