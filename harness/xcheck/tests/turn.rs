//! rtc-turn 0.21.1's sans-IO client against the reference TURN server, in process: allocate,
//! create a permission, and relay data both ways (Send/Data indications, then ChannelData once
//! rtc-turn has bound a channel).

use std::net::SocketAddr;
use std::time::Duration;

use bytes::BytesMut;
use harness_core::endpoint::{Endpoint, Input, Output, Transport, TransportContext};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_turn::policy::PeerPolicy;
use harness_turn::server::{TurnServer, TurnServerConfig};
use sansio::Protocol;
use shared::{TaggedBytesMut, TransportContext as RtcContext, TransportProtocol};
use turn::client::{Client, ClientConfig, Event};

const SERVER: &str = "192.0.2.15:3478";
const CLIENT: &str = "198.51.100.2:50000";
const PEER: &str = "203.0.113.9:7000";

struct Pair {
    client: Client,
    server: TurnServer,
    base: std::time::Instant,
    now: Instant,
    events: Vec<Event>,
    at_peer: Vec<(SocketAddr, Vec<u8>)>,
}

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("address literal")
}

impl Pair {
    fn new() -> Self {
        let mut cfg = TurnServerConfig::new(
            addr(SERVER),
            "example.org",
            vec![("alice".into(), "secret".into())],
        );
        cfg.peer_policy = PeerPolicy::default();
        let provider = turn::crypto::default_provider().expect("crypto provider");
        let client = Client::new(
            ClientConfig {
                stun_serv_addr: String::new(),
                turn_serv_addr: SERVER.to_owned(),
                local_addr: addr(CLIENT),
                transport_protocol: TransportProtocol::UDP,
                username: "alice".to_owned(),
                password: "secret".to_owned(),
                realm: "example.org".to_owned(),
                software: "rtc-turn".to_owned(),
                rto_in_ms: 0,
                allocation_refresh_interval_cap: None,
            },
            provider,
        )
        .expect("client");
        #[allow(
            clippy::disallowed_methods,
            reason = "rtc-turn needs one real base instant"
        )]
        let base = std::time::Instant::now();
        Self {
            client,
            server: TurnServer::new(cfg, SeededRng::from_u64(3)),
            base,
            now: Instant::ZERO,
            events: Vec::new(),
            at_peer: Vec::new(),
        }
    }

    fn std_now(&self) -> std::time::Instant {
        self.now.to_std(self.base)
    }

    fn settle(&mut self) {
        for _ in 0..200 {
            let mut moved = false;
            while let Some(w) = self.client.poll_write() {
                moved = true;
                let context = TransportContext {
                    local: w.transport.peer_addr,
                    remote: w.transport.local_addr,
                    transport: Transport::Udp,
                };
                self.server.handle_input(Input::Datagram {
                    now: self.now,
                    context,
                    payload: &w.message,
                });
            }
            while let Some(e) = self.client.poll_event() {
                self.events.push(e);
            }
            loop {
                match self.server.poll_output() {
                    Output::Transmit(t) => {
                        moved = true;
                        if t.context.remote == addr(PEER) {
                            self.at_peer.push((t.context.local, t.payload));
                            continue;
                        }
                        let msg = TaggedBytesMut {
                            now: self.std_now(),
                            transport: RtcContext {
                                local_addr: t.context.remote,
                                peer_addr: t.context.local,
                                transport_protocol: TransportProtocol::UDP,
                                ecn: None,
                            },
                            message: BytesMut::from(&t.payload[..]),
                        };
                        self.client.handle_read(msg).expect("client reads");
                    }
                    Output::Timeout(_) | Output::Idle => break,
                    _ => {}
                }
            }
            while let Some(e) = self.client.poll_event() {
                self.events.push(e);
            }
            if !moved {
                return;
            }
        }
    }

    fn advance(&mut self, d: Duration) {
        self.now += d;
        let t = self.std_now();
        self.client.handle_timeout(t).expect("timeout");
        self.server.handle_input(Input::Timeout { now: self.now });
        self.settle();
    }
}

#[test]
fn rtc_turn_client_allocates_permits_and_relays_both_ways_through_the_reference_server() {
    let mut p = Pair::new();
    let now = p.std_now();
    p.client.allocate(now).expect("allocate");
    p.settle();
    let relayed = p
        .events
        .iter()
        .find_map(|e| match e {
            Event::AllocateResponse(_, r) => Some(*r),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no allocation: {:?}", p.events));
    assert_eq!(p.server.allocation_count(), 1);

    let now = p.std_now();
    p.client
        .relay(relayed)
        .expect("relay")
        .create_permission(now, addr(PEER))
        .expect("permission");
    p.settle();
    assert!(
        p.events
            .iter()
            .any(|e| matches!(e, Event::CreatePermissionResponse(..))),
        "{:?}",
        p.events
    );

    // Client to peer (a Send indication first; rtc-turn starts a ChannelBind alongside).
    let now = p.std_now();
    p.client
        .relay(relayed)
        .expect("relay")
        .send_to(now, b"up 1", addr(PEER))
        .expect("send");
    p.settle();
    assert_eq!(p.at_peer.last(), Some(&(relayed, b"up 1".to_vec())));

    // Peer to client.
    let ctx = TransportContext {
        local: relayed,
        remote: addr(PEER),
        transport: Transport::Udp,
    };
    p.server.handle_input(Input::Datagram {
        now: p.now,
        context: ctx,
        payload: b"down 1",
    });
    p.settle();
    let got: Vec<(Option<u16>, Vec<u8>)> = p
        .events
        .iter()
        .filter_map(|e| match e {
            Event::DataIndicationOrChannelData(n, from, data) if *from == addr(PEER) => {
                Some((n.map(|c| c.0), data.to_vec()))
            }
            _ => None,
        })
        .collect();
    assert!(got.iter().any(|(_, d)| d == b"down 1"), "{:?}", p.events);

    // After the channel is bound, traffic goes as ChannelData both ways.
    p.advance(Duration::from_secs(1));
    let now = p.std_now();
    p.client
        .relay(relayed)
        .expect("relay")
        .send_to(now, b"up 2", addr(PEER))
        .expect("send");
    p.settle();
    assert_eq!(p.at_peer.last(), Some(&(relayed, b"up 2".to_vec())));
    let bound = p.server.allocation(&TransportContext {
        local: addr(SERVER),
        remote: addr(CLIENT),
        transport: Transport::Udp,
    });
    assert!(
        bound.is_some_and(|a| !a.channels.is_empty()),
        "rtc-turn bound no channel"
    );
    p.server.handle_input(Input::Datagram {
        now: p.now,
        context: ctx,
        payload: b"down 2",
    });
    p.settle();
    let via_channel = p.events.iter().any(|e| {
        matches!(e, Event::DataIndicationOrChannelData(Some(_), from, data) if *from == addr(PEER) && &data[..] == b"down 2")
    });
    assert!(via_channel, "{:?}", p.events);
}
