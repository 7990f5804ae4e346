//! The client against the reference server, through a loss-free in-memory wire.

use std::net::SocketAddr;

use harness_core::endpoint::{
    Endpoint, Input, Output, TcpCommand, TcpEvent, Transport, TransportContext,
};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;

use super::{TurnClient, TurnClientConfig, TurnError, TurnEvent};
use crate::policy::PeerPolicy;
use crate::server::{TurnServer, TurnServerConfig};
use crate::stun::method;

const SERVER: &str = "192.0.2.15:3478";
const PEER: &str = "203.0.113.9:7000";

fn flip(c: TransportContext) -> TransportContext {
    TransportContext {
        local: c.remote,
        remote: c.local,
        transport: c.transport,
    }
}

struct World {
    client: TurnClient,
    server: TurnServer,
    now: Instant,
    events: Vec<TurnEvent>,
    /// Datagrams the server sent to the peer.
    at_peer: Vec<(SocketAddr, Vec<u8>)>,
}

impl World {
    fn new(transport: Transport, password: &str, cfg: impl FnOnce(&mut TurnServerConfig)) -> Self {
        let mut sc = TurnServerConfig::new(
            SERVER.parse().unwrap(),
            "example.org",
            vec![("alice".into(), "secret".into())],
        );
        sc.peer_policy = PeerPolicy::default();
        cfg(&mut sc);
        let mut cc = TurnClientConfig::new(
            SERVER.parse().unwrap(),
            "198.51.100.2:50000".parse().unwrap(),
            "alice",
            password,
        );
        cc.transport = transport;
        Self {
            client: TurnClient::new(cc, SeededRng::from_u64(1)),
            server: TurnServer::new(sc, SeededRng::from_u64(2)),
            now: Instant::ZERO,
            events: Vec::new(),
            at_peer: Vec::new(),
        }
    }

    /// Moves packets until both sides are quiet.
    fn settle(&mut self) {
        for _ in 0..1000 {
            let mut moved = false;
            loop {
                match self.client.poll_output() {
                    Output::Transmit(t) => {
                        moved = true;
                        self.server.handle_input(Input::Datagram {
                            now: self.now,
                            context: flip(t.context),
                            payload: &t.payload,
                        });
                    }
                    Output::Event(e) => self.events.push(e),
                    Output::Tcp(TcpCommand::Connect(c)) => {
                        moved = true;
                        self.server.handle_input(Input::Tcp {
                            now: self.now,
                            context: flip(c),
                            event: TcpEvent::Accepted,
                        });
                        self.client.handle_input(Input::Tcp {
                            now: self.now,
                            context: c,
                            event: TcpEvent::Connected,
                        });
                    }
                    Output::Timeout(_) | Output::Idle => break,
                    _ => {}
                }
            }
            loop {
                match self.server.poll_output() {
                    Output::Transmit(t) => {
                        moved = true;
                        if t.context.remote.to_string() == PEER {
                            self.at_peer.push((t.context.local, t.payload));
                        } else {
                            self.client.handle_input(Input::Datagram {
                                now: self.now,
                                context: flip(t.context),
                                payload: &t.payload,
                            });
                        }
                    }
                    Output::Timeout(_) | Output::Idle => break,
                    _ => {}
                }
            }
            if !moved {
                return;
            }
        }
    }

    fn peer_sends(&mut self, data: &[u8]) {
        let relay = self.client.relayed()[0];
        let ctx = TransportContext {
            local: relay,
            remote: PEER.parse().unwrap(),
            transport: Transport::Udp,
        };
        self.server.handle_input(Input::Datagram {
            now: self.now,
            context: ctx,
            payload: data,
        });
        self.settle();
    }
}

fn full_exchange(transport: Transport) {
    let mut w = World::new(transport, "secret", |_| {});
    let peer: SocketAddr = PEER.parse().unwrap();
    w.client.allocate(w.now);
    w.settle();
    assert!(
        matches!(
            w.events.last(),
            Some(TurnEvent::Allocated { lifetime: 600, .. })
        ),
        "{:?}",
        w.events
    );
    w.client.create_permission(w.now, &[peer]);
    w.settle();
    assert_eq!(
        w.events.last(),
        Some(&TurnEvent::PermissionCreated(vec![peer.ip()]))
    );
    w.client.send_to(w.now, peer, b"via send");
    w.settle();
    assert_eq!(
        w.at_peer.last().map(|(_, d)| d.as_slice()),
        Some(&b"via send"[..])
    );
    w.peer_sends(b"via data");
    assert_eq!(
        w.events.last(),
        Some(&TurnEvent::Data {
            peer,
            data: b"via data".to_vec()
        })
    );
    let n = w.client.bind_channel(w.now, peer);
    w.settle();
    assert_eq!(
        w.events.last(),
        Some(&TurnEvent::ChannelBound { peer, number: n })
    );
    w.client.send_to(w.now, peer, b"via channel");
    w.settle();
    assert_eq!(
        w.at_peer.last().map(|(_, d)| d.as_slice()),
        Some(&b"via channel"[..])
    );
    w.peer_sends(b"back on channel");
    assert_eq!(
        w.events.last(),
        Some(&TurnEvent::Data {
            peer,
            data: b"back on channel".to_vec()
        })
    );
    // Refreshes keep everything alive for an hour.
    for _ in 0..60 {
        w.now += core::time::Duration::from_secs(60);
        w.client.handle_input(Input::Timeout { now: w.now });
        w.server.handle_input(Input::Timeout { now: w.now });
        w.settle();
    }
    w.peer_sends(b"still here");
    assert_eq!(
        w.events.last(),
        Some(&TurnEvent::Data {
            peer,
            data: b"still here".to_vec()
        })
    );
    w.client.deallocate(w.now);
    w.settle();
    assert_eq!(w.events.last(), Some(&TurnEvent::Deallocated));
    assert_eq!(w.server.allocation_count(), 0);
}

#[test]
fn allocates_permits_binds_and_relays_both_ways_over_udp() {
    full_exchange(Transport::Udp);
}

#[test]
fn allocates_permits_binds_and_relays_both_ways_over_tcp() {
    full_exchange(Transport::Tcp);
}

#[test]
fn wrong_password_surfaces_as_unauthorized() {
    let mut w = World::new(Transport::Udp, "wrong", |_| {});
    w.client.allocate(w.now);
    w.settle();
    assert_eq!(
        w.events.last(),
        Some(&TurnEvent::Failed {
            method: method::ALLOCATE,
            error: TurnError::Unauthorized
        })
    );
}

#[test]
fn forbidden_peer_surfaces_as_403() {
    let mut w = World::new(Transport::Udp, "secret", |_| {});
    w.client.allocate(w.now);
    w.settle();
    w.client
        .create_permission(w.now, &["127.0.0.1:5".parse().unwrap()]);
    w.settle();
    assert_eq!(
        w.events.last(),
        Some(&TurnEvent::Failed {
            method: method::CREATE_PERMISSION,
            error: TurnError::Forbidden
        })
    );
}

#[test]
fn stale_nonce_is_retried_transparently() {
    let mut w = World::new(Transport::Udp, "secret", |c| {
        c.nonce_lifetime = core::time::Duration::from_secs(10)
    });
    w.client.allocate(w.now);
    w.settle();
    w.now = Instant::from_secs(100);
    w.client.refresh(w.now, 600);
    w.settle();
    assert_eq!(
        w.events.last(),
        Some(&TurnEvent::Refreshed { lifetime: 600 })
    );
}

#[test]
fn quota_surfaces_as_486_and_retransmissions_time_out() {
    let mut w = World::new(Transport::Udp, "secret", |c| c.max_allocations_per_user = 0);
    w.client.allocate(w.now);
    w.settle();
    assert_eq!(
        w.events.last(),
        Some(&TurnEvent::Failed {
            method: method::ALLOCATE,
            error: TurnError::QuotaReached
        })
    );
    // A server that never answers: the transaction times out after 39.5 s.
    let mut c = TurnClient::new(
        TurnClientConfig::new(
            SERVER.parse().unwrap(),
            "198.51.100.2:50000".parse().unwrap(),
            "alice",
            "secret",
        ),
        SeededRng::from_u64(5),
    );
    c.allocate(Instant::ZERO);
    let mut sends = 0;
    let mut last = None;
    for _ in 0..100 {
        match c.poll_output() {
            Output::Transmit(_) => sends += 1,
            Output::Event(e) => last = Some(e),
            Output::Timeout(t) => c.handle_input(Input::Timeout { now: t }),
            Output::Idle => break,
            _ => {}
        }
    }
    assert_eq!(sends, 7);
    assert_eq!(
        last,
        Some(TurnEvent::Failed {
            method: method::ALLOCATE,
            error: TurnError::Timeout
        })
    );
}

#[test]
fn follows_alternate_server_once() {
    let mut w = World::new(Transport::Udp, "secret", |c| {
        c.alternate_server = Some("192.0.2.99:3478".parse().unwrap())
    });
    w.client.allocate(w.now);
    w.settle();
    assert!(
        w.events
            .contains(&TurnEvent::Redirected("192.0.2.99:3478".parse().unwrap()))
    );
    assert_eq!(
        w.client.server_context().remote,
        "192.0.2.99:3478".parse().unwrap()
    );
}
