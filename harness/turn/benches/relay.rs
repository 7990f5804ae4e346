//! TURN benchmarks: ChannelData relayed through the reference server (both directions), the
//! cost of setting up an allocation (401 exchange excluded: one authenticated Allocate), and
//! the ChannelData codec against rtc-turn 0.21.1's, measured in the same run.

#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]

use std::hint::black_box;
use std::net::SocketAddr;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use harness_core::endpoint::{Endpoint, Input, Output, Transport, TransportContext, drain};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_turn::channeldata::{self, ChannelData};
use harness_turn::server::{TurnServer, TurnServerConfig};
use harness_turn::stun::{Class, MessageBuilder, attr, method};
use harness_turn::testkit::{Credentials, feed, txid};

const PAYLOAD: usize = 160; // a 20 ms Opus frame with RTP header, roughly

fn ctx(port: u16) -> TransportContext {
    TransportContext {
        local: SocketAddr::from(([192, 0, 2, 15], 3478)),
        remote: SocketAddr::from(([198, 51, 100, 2], port)),
        transport: Transport::Udp,
    }
}

fn peer() -> SocketAddr {
    SocketAddr::from(([203, 0, 113, 9], 7000))
}

fn server() -> TurnServer {
    let mut cfg = TurnServerConfig::new(
        SocketAddr::from(([192, 0, 2, 15], 3478)),
        "example.org",
        vec![("alice".into(), "secret".into())],
    );
    cfg.max_allocations = 1 << 20;
    cfg.max_allocations_per_user = 1 << 20;
    let mut s = TurnServer::new(cfg, SeededRng::from_u64(1));
    let _ = drain(&mut s, 16);
    s
}

/// A server with one allocation on `ctx(40000)`, a channel 0x4000 to the peer, and the relay.
fn relaying() -> (TurnServer, SocketAddr) {
    let mut s = server();
    let mut creds = Credentials::new("alice", "", "secret");
    let c = ctx(40000);
    let first = MessageBuilder::new(method::ALLOCATE, Class::Request, txid(1)).build();
    let out = feed(&mut s, Instant::ZERO, c, &first);
    creds.learn(&out.transmits[0].payload);
    let req = creds.sign(
        MessageBuilder::new(method::ALLOCATE, Class::Request, txid(2))
            .u32(attr::REQUESTED_TRANSPORT, 17 << 24),
    );
    let out = feed(&mut s, Instant::ZERO, c, &req);
    let relay = harness_turn::stun::Message::parse(&out.transmits[0].payload)
        .ok()
        .and_then(|m| m.xor_address(attr::XOR_RELAYED_ADDRESS))
        .expect("relay");
    let bind = creds.sign(
        MessageBuilder::new(method::CHANNEL_BIND, Class::Request, txid(3))
            .u32(attr::CHANNEL_NUMBER, 0x4000 << 16)
            .xor_address(attr::XOR_PEER_ADDRESS, peer()),
    );
    let _ = feed(&mut s, Instant::ZERO, c, &bind);
    (s, relay)
}

fn relay_one(s: &mut TurnServer, context: TransportContext, payload: &[u8]) -> usize {
    s.handle_input(Input::Datagram {
        now: Instant::from_secs(1),
        context,
        payload,
    });
    let mut n = 0;
    loop {
        match s.poll_output() {
            Output::Transmit(t) => n += t.payload.len(),
            Output::Timeout(_) | Output::Idle => return n,
            _ => {}
        }
    }
}

fn benches(c: &mut Criterion) {
    let data = vec![0xabu8; PAYLOAD];
    let mut g = c.benchmark_group("turn_relay");
    g.throughput(Throughput::Elements(1));
    let (mut s, relay) = relaying();
    let up = channeldata::encode(0x4000, &data, false);
    g.bench_function("channeldata_client_to_peer", |b| {
        b.iter(|| black_box(relay_one(&mut s, ctx(40000), black_box(&up))));
    });
    let from_peer = TransportContext {
        local: relay,
        remote: peer(),
        transport: Transport::Udp,
    };
    g.bench_function("peer_to_client_as_channeldata", |b| {
        b.iter(|| black_box(relay_one(&mut s, from_peer, black_box(&data))));
    });
    g.finish();

    let mut g = c.benchmark_group("turn_allocate");
    g.throughput(Throughput::Elements(1));
    g.bench_function("authenticated_allocate", |b| {
        b.iter_batched(
            || {
                let mut s = server();
                let mut creds = Credentials::new("alice", "", "secret");
                let out = feed(
                    &mut s,
                    Instant::ZERO,
                    ctx(1),
                    &MessageBuilder::new(method::ALLOCATE, Class::Request, txid(1)).build(),
                );
                creds.learn(&out.transmits[0].payload);
                let req = creds.sign(
                    MessageBuilder::new(method::ALLOCATE, Class::Request, txid(2))
                        .u32(attr::REQUESTED_TRANSPORT, 17 << 24),
                );
                (s, req)
            },
            |(mut s, req)| black_box(relay_one(&mut s, ctx(1), &req)),
            BatchSize::SmallInput,
        );
    });
    g.finish();

    let mut g = c.benchmark_group("channeldata_codec");
    g.throughput(Throughput::Elements(1));
    let wire = channeldata::encode(0x4001, &data, true);
    let mut out = Vec::new();
    g.bench_function("harness_decode_encode", |b| {
        b.iter(|| {
            let cd = ChannelData::parse(black_box(&wire), true).expect("valid");
            channeldata::emit(cd.number, cd.data, true, &mut out);
            black_box(out.len())
        });
    });
    g.bench_function("rtc_turn_decode_encode", |b| {
        b.iter(|| {
            let mut cd = turn::proto::chandata::ChannelData {
                raw: black_box(&wire).clone(),
                ..Default::default()
            };
            cd.decode().expect("valid");
            let mut again = turn::proto::chandata::ChannelData {
                data: cd.data,
                number: cd.number,
                ..Default::default()
            };
            again.encode();
            black_box(again.raw.len())
        });
    });
    g.finish();
}

criterion_group!(turn, benches);
criterion_main!(turn);
