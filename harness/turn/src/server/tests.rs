//! Server behaviour, driven through the Endpoint trait.

use core::time::Duration;
use std::net::SocketAddr;

use harness_core::endpoint::{Endpoint, Input, Transport, TransportContext, drain};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;

use super::{TurnServer, TurnServerConfig};
use crate::channeldata;
use crate::codes;
use crate::policy::PeerPolicy;
use crate::stun::{Class, Message, MessageBuilder, attr, method};
use crate::testkit::{Credentials, feed, txid};

const SERVER: &str = "192.0.2.15:3478";
const PEER: &str = "203.0.113.9:7000";

fn config() -> TurnServerConfig {
    TurnServerConfig::new(
        SERVER.parse().unwrap(),
        "example.org",
        vec![
            ("alice".into(), "secret".into()),
            ("bob".into(), "hunter2".into()),
        ],
    )
}

fn client(port: u16) -> TransportContext {
    TransportContext {
        local: SERVER.parse().unwrap(),
        remote: SocketAddr::new("198.51.100.2".parse().unwrap(), port),
        transport: Transport::Udp,
    }
}

struct Rig {
    server: TurnServer,
    creds: Credentials,
    ctx: TransportContext,
    next: u64,
    now: Instant,
}

impl Rig {
    fn new(cfg: TurnServerConfig) -> Self {
        let mut server = TurnServer::new(cfg, SeededRng::from_u64(7));
        let _ = drain(&mut server, 100);
        Self {
            server,
            creds: Credentials::new("alice", "", "secret"),
            ctx: client(50000),
            next: 1,
            now: Instant::from_secs(1),
        }
    }

    /// Sends a request (learning a nonce first if needed) and returns the response.
    fn request(&mut self, m: u16, add: impl Fn(MessageBuilder) -> MessageBuilder) -> Vec<u8> {
        for _ in 0..3 {
            self.next += 1;
            let b = add(MessageBuilder::new(m, Class::Request, txid(self.next)));
            let bytes = self.creds.sign(b);
            let out = feed(&mut self.server, self.now, self.ctx, &bytes);
            let resp = out
                .transmits
                .into_iter()
                .find(|t| t.context == self.ctx)
                .map(|t| t.payload)
                .unwrap_or_default();
            let code = Message::parse(&resp)
                .ok()
                .and_then(|m| m.error_code().map(|c| c.0));
            if matches!(code, Some(401 | 438)) && self.creds.nonce.is_none() || code == Some(438) {
                self.creds.learn(&resp);
                continue;
            }
            return resp;
        }
        Vec::new()
    }

    fn allocate(&mut self) -> SocketAddr {
        let r = self.request(method::ALLOCATE, |b| {
            b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
        });
        let m = Message::parse(&r).unwrap();
        assert_eq!(m.class(), Class::Success, "{:?}", m.error_code());
        m.xor_address(attr::XOR_RELAYED_ADDRESS).unwrap()
    }
}

fn code_of(resp: &[u8]) -> Option<u16> {
    Message::parse(resp).ok()?.error_code().map(|c| c.0)
}

#[test]
fn allocate_without_integrity_gets_401_with_realm_and_nonce() {
    let mut s = TurnServer::new(config(), SeededRng::from_u64(1));
    let req = MessageBuilder::new(method::ALLOCATE, Class::Request, txid(1))
        .u32(attr::REQUESTED_TRANSPORT, 17 << 24)
        .build();
    let out = feed(&mut s, Instant::ZERO, client(1), &req);
    let resp = out.transmits.last().unwrap();
    let m = Message::parse(&resp.payload).unwrap();
    assert_eq!(m.error_code().map(|c| c.0), Some(401));
    assert_eq!(m.text(attr::REALM), Some("example.org"));
    assert!(m.has(attr::NONCE));
    assert_eq!(s.allocation_count(), 0);
}

#[test]
fn authenticated_allocate_binds_a_relay_and_answers_with_integrity() {
    let mut rig = Rig::new(config());
    let relay = rig.allocate();
    assert_eq!(
        relay.ip(),
        "192.0.2.15".parse::<std::net::IpAddr>().unwrap()
    );
    assert!(relay.port() >= 49152);
    assert!(rig.server.sockets().iter().any(|s| s.addr == relay));
    assert_eq!(rig.server.allocation_count(), 1);
}

#[test]
fn retransmitted_allocate_gets_identical_bytes_and_new_transaction_gets_437() {
    let mut rig = Rig::new(config());
    let _ = rig.allocate();
    let b = MessageBuilder::new(method::ALLOCATE, Class::Request, txid(rig.next))
        .u32(attr::REQUESTED_TRANSPORT, 17 << 24);
    let again = rig.creds.sign(b);
    let first = feed(&mut rig.server, rig.now, rig.ctx, &again).transmits;
    let second = feed(&mut rig.server, rig.now, rig.ctx, &again).transmits;
    assert_eq!(first[0].payload, second[0].payload);
    assert_eq!(
        Message::parse(&first[0].payload).unwrap().class(),
        Class::Success
    );
    let r = rig.request(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
    });
    assert_eq!(code_of(&r), Some(codes::ALLOCATION_MISMATCH));
}

#[test]
fn requested_transport_missing_is_400_and_tcp_is_442() {
    let mut rig = Rig::new(config());
    let r = rig.request(method::ALLOCATE, |b| b);
    assert_eq!(code_of(&r), Some(codes::BAD_REQUEST));
    let r = rig.request(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 6 << 24)
    });
    assert_eq!(code_of(&r), Some(codes::UNSUPPORTED_TRANSPORT));
}

#[test]
fn stale_nonce_gets_438_and_a_fresh_nonce_works() {
    let mut cfg = config();
    cfg.nonce_lifetime = Duration::from_secs(30);
    let mut rig = Rig::new(cfg);
    let _ = rig.allocate();
    let old = rig.creds.nonce.clone();
    rig.now = Instant::from_secs(100);
    rig.next += 1;
    let b = MessageBuilder::new(method::REFRESH, Class::Request, txid(rig.next));
    let out = feed(&mut rig.server, rig.now, rig.ctx, &rig.creds.sign(b));
    assert_eq!(code_of(&out.transmits[0].payload), Some(codes::STALE_NONCE));
    let r = rig.request(method::REFRESH, |b| b);
    assert_eq!(Message::parse(&r).unwrap().class(), Class::Success);
    assert_ne!(rig.creds.nonce, old);
}

#[test]
fn another_users_request_on_an_allocation_is_441() {
    let mut rig = Rig::new(config());
    let _ = rig.allocate();
    rig.creds.username = "bob".into();
    rig.creds.password = "hunter2".into();
    let r = rig.request(method::REFRESH, |b| b);
    assert_eq!(code_of(&r), Some(codes::WRONG_CREDENTIALS));
}

#[test]
fn wrong_password_is_401_and_allocates_nothing() {
    let mut rig = Rig::new(config());
    rig.creds.password = "nope".into();
    let r = rig.request(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
    });
    assert_eq!(code_of(&r), Some(codes::UNAUTHORIZED));
    assert_eq!(rig.server.allocation_count(), 0);
}

#[test]
fn lifetime_is_clamped_to_the_maximum_and_zero_deletes() {
    let mut rig = Rig::new(config());
    let r = rig.request(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
            .u32(attr::LIFETIME, 999_999)
    });
    assert_eq!(
        Message::parse(&r).unwrap().u32_attr(attr::LIFETIME),
        Some(3600)
    );
    let r = rig.request(method::REFRESH, |b| b.u32(attr::LIFETIME, 1));
    assert_eq!(
        Message::parse(&r).unwrap().u32_attr(attr::LIFETIME),
        Some(600)
    );
    let r = rig.request(method::REFRESH, |b| b.u32(attr::LIFETIME, 0));
    assert_eq!(Message::parse(&r).unwrap().class(), Class::Success);
    assert_eq!(rig.server.allocation_count(), 0);
    let r = rig.request(method::REFRESH, |b| b);
    assert_eq!(code_of(&r), Some(codes::ALLOCATION_MISMATCH));
}

#[test]
fn allocation_expires_on_timeout_and_unbinds_its_relay() {
    let mut rig = Rig::new(config());
    let relay = rig.allocate();
    rig.server.handle_input(Input::Timeout {
        now: Instant::from_secs(700),
    });
    let out = drain(&mut rig.server, 100).unwrap();
    assert!(
        out.sockets
            .iter()
            .any(|(bound, s)| !bound && s.addr == relay)
    );
    assert_eq!(rig.server.allocation_count(), 0);
}

fn peer_ctx(relay: SocketAddr, peer: &str) -> TransportContext {
    TransportContext {
        local: relay,
        remote: peer.parse().unwrap(),
        transport: Transport::Udp,
    }
}

#[test]
fn peer_data_is_dropped_without_permission_and_relayed_with_one() {
    let mut rig = Rig::new(config());
    let relay = rig.allocate();
    let peer: SocketAddr = PEER.parse().unwrap();
    let out = feed(&mut rig.server, rig.now, peer_ctx(relay, PEER), b"early");
    assert!(out.transmits.is_empty());
    let send = MessageBuilder::new(method::SEND, Class::Indication, txid(99))
        .xor_address(attr::XOR_PEER_ADDRESS, peer)
        .raw(attr::DATA, b"x")
        .build();
    assert!(
        feed(&mut rig.server, rig.now, rig.ctx, &send)
            .transmits
            .is_empty()
    );
    let r = rig.request(method::CREATE_PERMISSION, |b| {
        b.xor_address(attr::XOR_PEER_ADDRESS, peer)
    });
    assert_eq!(Message::parse(&r).unwrap().class(), Class::Success);
    let out = feed(&mut rig.server, rig.now, peer_ctx(relay, PEER), b"hello");
    let m = Message::parse(&out.transmits[0].payload).unwrap();
    assert_eq!(m.method(), method::DATA);
    assert_eq!(m.get(attr::DATA), Some(&b"hello"[..]));
    assert_eq!(m.xor_address(attr::XOR_PEER_ADDRESS), Some(peer));
    let out = feed(&mut rig.server, rig.now, rig.ctx, &send);
    assert_eq!(out.transmits[0].context.remote, peer);
    assert_eq!(out.transmits[0].context.local, relay);
    // Permissions last 300 s.
    rig.now = Instant::from_secs(302);
    assert!(
        feed(&mut rig.server, rig.now, rig.ctx, &send)
            .transmits
            .is_empty()
    );
}

#[test]
fn channel_bind_checks_range_and_uniqueness_and_relays_channel_data() {
    let mut rig = Rig::new(config());
    let relay = rig.allocate();
    let peer: SocketAddr = PEER.parse().unwrap();
    let other: SocketAddr = "203.0.113.10:7000".parse().unwrap();
    let bind = |n: u16, p: SocketAddr| {
        move |b: MessageBuilder| {
            b.u32(attr::CHANNEL_NUMBER, u32::from(n) << 16)
                .xor_address(attr::XOR_PEER_ADDRESS, p)
        }
    };
    assert_eq!(
        code_of(&rig.request(method::CHANNEL_BIND, bind(0x3FFF, peer))),
        Some(400)
    );
    assert_eq!(
        code_of(&rig.request(method::CHANNEL_BIND, bind(0x5000, peer))),
        Some(400)
    );
    assert_eq!(
        code_of(&rig.request(method::CHANNEL_BIND, bind(0x4001, peer))),
        None
    );
    assert_eq!(
        code_of(&rig.request(method::CHANNEL_BIND, bind(0x4001, other))),
        Some(400)
    );
    assert_eq!(
        code_of(&rig.request(method::CHANNEL_BIND, bind(0x4002, peer))),
        Some(400)
    );
    assert_eq!(
        code_of(&rig.request(method::CHANNEL_BIND, bind(0x4001, peer))),
        None
    );
    let out = feed(&mut rig.server, rig.now, peer_ctx(relay, PEER), b"abc");
    assert_eq!(
        out.transmits[0].payload,
        channeldata::encode(0x4001, b"abc", false)
    );
    let out = feed(
        &mut rig.server,
        rig.now,
        rig.ctx,
        &channeldata::encode(0x4001, b"up", true),
    );
    assert_eq!(out.transmits[0].payload, b"up");
    assert_eq!(out.transmits[0].context.remote, peer);
    let out = feed(
        &mut rig.server,
        rig.now,
        rig.ctx,
        &channeldata::encode(0x4003, b"up", true),
    );
    assert!(out.transmits.is_empty());
}

#[test]
fn loopback_and_mapped_peers_are_forbidden_by_default() {
    let mut rig = Rig::new(config());
    let _ = rig.allocate();
    for p in [
        "127.0.0.1:9",
        "[::ffff:127.0.0.1]:9",
        "224.0.0.1:9",
        "169.254.0.1:9",
        "0.0.0.0:9",
    ] {
        let peer: SocketAddr = p.parse().unwrap();
        let r = rig.request(method::CREATE_PERMISSION, |b| {
            b.xor_address(attr::XOR_PEER_ADDRESS, peer)
        });
        let c = code_of(&r);
        assert!(
            c == Some(codes::FORBIDDEN) || c == Some(codes::PEER_ADDRESS_FAMILY_MISMATCH),
            "{p}: {c:?}"
        );
    }
    let mut cfg = config();
    cfg.peer_policy = PeerPolicy::new(true);
    let mut rig = Rig::new(cfg);
    let _ = rig.allocate();
    let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let r = rig.request(method::CREATE_PERMISSION, |b| {
        b.xor_address(attr::XOR_PEER_ADDRESS, peer)
    });
    assert_eq!(code_of(&r), None);
}

#[test]
fn quota_per_user_is_486_and_capacity_is_508() {
    let mut cfg = config();
    cfg.max_allocations_per_user = 1;
    cfg.max_allocations = 2;
    let mut rig = Rig::new(cfg);
    let _ = rig.allocate();
    rig.ctx = client(50001);
    let r = rig.request(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
    });
    assert_eq!(code_of(&r), Some(codes::ALLOCATION_QUOTA_REACHED));
    rig.creds = Credentials::new("bob", "", "hunter2");
    let _ = rig.allocate();
    rig.ctx = client(50002);
    rig.creds = Credentials::new("bob", "", "hunter2");
    let r = rig.request(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
    });
    assert!(matches!(code_of(&r), Some(486 | 508)));
}

#[test]
fn relay_ports_come_from_the_seeded_rng() {
    let port = |seed| {
        let mut s = TurnServer::new(config(), SeededRng::from_u64(seed));
        let _ = drain(&mut s, 10);
        let mut rig = Rig {
            server: s,
            creds: Credentials::new("alice", "", "secret"),
            ctx: client(1),
            next: 1,
            now: Instant::ZERO,
        };
        rig.allocate().port()
    };
    assert_eq!(port(1), port(1));
    assert_ne!(port(1), port(2));
}

#[test]
fn alternate_server_redirects_allocate_with_300() {
    let mut cfg = config();
    cfg.alternate_server = Some("192.0.2.99:3478".parse().unwrap());
    let mut rig = Rig::new(cfg);
    let r = rig.request(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
    });
    let m = Message::parse(&r).unwrap();
    assert_eq!(m.error_code().map(|c| c.0), Some(300));
    assert_eq!(
        m.address(attr::ALTERNATE_SERVER),
        Some("192.0.2.99:3478".parse().unwrap())
    );
}

#[test]
fn unknown_comprehension_required_attribute_is_420() {
    let mut rig = Rig::new(config());
    let r = rig.request(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24).raw(0x0077, b"x")
    });
    let m = Message::parse(&r).unwrap();
    assert_eq!(m.error_code().map(|c| c.0), Some(420));
    assert_eq!(m.get(attr::UNKNOWN_ATTRIBUTES), Some(&[0x00, 0x77][..]));
}

#[test]
fn tcp_allocation_frames_stream_and_dies_with_the_connection() {
    let mut rig = Rig::new(config());
    rig.ctx.transport = Transport::Tcp;
    rig.server.handle_input(Input::Tcp {
        now: rig.now,
        context: rig.ctx,
        event: harness_core::endpoint::TcpEvent::Accepted,
    });
    let _ = drain(&mut rig.server, 10);
    let relay = rig.allocate();
    let peer: SocketAddr = PEER.parse().unwrap();
    let r = rig.request(method::CHANNEL_BIND, |b| {
        b.u32(attr::CHANNEL_NUMBER, 0x4000 << 16)
            .xor_address(attr::XOR_PEER_ADDRESS, peer)
    });
    assert_eq!(code_of(&r), None);
    let out = feed(&mut rig.server, rig.now, peer_ctx(relay, PEER), b"abcde");
    assert_eq!(
        out.transmits[0].payload,
        channeldata::encode(0x4000, b"abcde", true)
    );
    // Two ChannelData frames in one segment, the second split.
    let frame = channeldata::encode(0x4000, b"xyz", true);
    let mut seg = frame.clone();
    seg.extend_from_slice(&frame[..2]);
    let out = feed(&mut rig.server, rig.now, rig.ctx, &seg);
    assert_eq!(out.transmits.len(), 1);
    let out = feed(&mut rig.server, rig.now, rig.ctx, &frame[2..]);
    assert_eq!(out.transmits.len(), 1);
    rig.server.handle_input(Input::Tcp {
        now: rig.now,
        context: rig.ctx,
        event: harness_core::endpoint::TcpEvent::Closed,
    });
    let _ = drain(&mut rig.server, 10);
    assert_eq!(rig.server.allocation_count(), 0);
}

#[test]
fn ipv6_relay_on_request_and_440_when_unconfigured() {
    let mut rig = Rig::new(config());
    let r = rig.request(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
            .u32(attr::REQUESTED_ADDRESS_FAMILY, 0x02 << 24)
    });
    assert_eq!(code_of(&r), Some(codes::ADDRESS_FAMILY_NOT_SUPPORTED));
    let mut cfg = config();
    cfg.relay_v6 = Some("2001:db8::15".parse().unwrap());
    let mut rig = Rig::new(cfg);
    let r = rig.request(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
            .u32(attr::ADDITIONAL_ADDRESS_FAMILY, 0x02 << 24)
    });
    let m = Message::parse(&r).unwrap();
    let relays: Vec<_> = m
        .all(attr::XOR_RELAYED_ADDRESS)
        .map(|v| crate::stun::decode_xor_address(v, &m.transaction_id()).unwrap())
        .collect();
    assert_eq!(relays.len(), 2);
    assert!(relays[1].is_ipv6());
}

#[test]
fn even_port_with_reservation_bit_allocates_an_even_port() {
    let mut rig = Rig::new(config());
    let r = rig.request(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
            .u32(attr::LIFETIME, 777)
            .raw(attr::EVEN_PORT, &[0x80])
    });
    let m = Message::parse(&r).unwrap();
    assert_eq!(m.error_code(), None);
    assert_eq!(
        m.xor_address(attr::XOR_RELAYED_ADDRESS).unwrap().port() % 2,
        0
    );
}

#[test]
fn reservation_token_gives_the_next_port_to_a_later_allocation() {
    let mut rig = Rig::new(config());
    let r = rig.request(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
            .raw(attr::EVEN_PORT, &[0x80])
    });
    let m = Message::parse(&r).unwrap();
    let first = m.xor_address(attr::XOR_RELAYED_ADDRESS).unwrap();
    let token = m.get(attr::RESERVATION_TOKEN).unwrap().to_vec();
    rig.ctx = client(50001);
    let r = rig.request(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
            .raw(attr::RESERVATION_TOKEN, &token)
    });
    let second = Message::parse(&r)
        .unwrap()
        .xor_address(attr::XOR_RELAYED_ADDRESS)
        .unwrap();
    assert_eq!(second.port(), first.port() + 1);
    rig.ctx = client(50002);
    let r = rig.request(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
            .raw(attr::RESERVATION_TOKEN, &token)
    });
    assert_eq!(code_of(&r), Some(codes::INSUFFICIENT_CAPACITY));
}
