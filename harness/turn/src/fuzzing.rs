//! Fuzz target bodies, compiled always so that `cargo test` exercises them.
//!
//! * [`fuzz_channeldata`]: ChannelData parsing both ways, re-encoding, stream framing at any
//!   split, and the message rules.
//! * [`fuzz_server`]: a structured run of the TURN server: fuzz bytes become a script of
//!   datagrams from several client 5-tuples (UDP and TCP), well-authenticated requests built
//!   from fuzz data, peer datagrams, TCP events and time steps. Invariants: nothing panics;
//!   table sizes stay within the configured quotas; nothing is relayed to a peer without a
//!   live permission; no allocation is created by anything but a correctly authenticated
//!   request.
#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a fuzz body fails by panicking; indexes are into fixed tables"
)]

use core::time::Duration;
use std::net::SocketAddr;

use harness_core::endpoint::{Endpoint, Input, TcpEvent, Transport, TransportContext, drain};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;

use crate::channeldata::{self, ChannelData};
use crate::framing::StreamDecoder;
use crate::policy::PeerPolicy;
use crate::rules::check_message;
use crate::server::{ServerEvent, TurnServer, TurnServerConfig};
use crate::stun::{Class, MessageBuilder, attr, method};
use crate::testkit::Credentials;

/// ChannelData: parse, re-encode, frame, judge.
pub fn fuzz_channeldata(data: &[u8]) {
    for stream in [false, true] {
        if let Ok(cd) = ChannelData::parse(data, stream) {
            let again = channeldata::encode(cd.number, cd.data, stream);
            assert_eq!(
                again.get(..4 + cd.data.len()),
                data.get(..4 + cd.data.len())
            );
            if stream {
                assert_eq!(again.len(), data.len());
            }
        }
        let _ = check_message(
            data,
            if stream {
                Transport::Tcp
            } else {
                Transport::Udp
            },
        );
    }
    let split = data.first().map_or(1, |b| usize::from(*b % 7) + 1);
    let mut dec = StreamDecoder::new();
    let mut seen = 0usize;
    for chunk in data.chunks(split) {
        dec.push(chunk);
        while let Ok(Some((_, frame))) = dec.next_frame() {
            seen = seen.saturating_add(frame.len());
        }
        assert!(dec.buffered() <= crate::framing::MAX_FRAME + split);
    }
    assert!(seen <= data.len());
}

struct Script<'a> {
    data: &'a [u8],
}

impl Script<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(*b)
    }
    fn bytes(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.data.len());
        let (a, b) = self.data.split_at(n);
        self.data = b;
        a
    }
}

const PEERS: [&str; 8] = [
    "203.0.113.9:7000",
    "203.0.113.10:7001",
    "127.0.0.1:9",
    "[::ffff:127.0.0.1]:9",
    "224.0.0.1:9",
    "[2001:db8::9]:7000",
    "0.0.0.0:1",
    "198.51.100.77:0",
];

/// What a [`fuzz_server`] run did (for tests that a script reaches deep states).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Allocations created.
    pub allocations: usize,
    /// Datagrams relayed to peers.
    pub relayed: usize,
}

/// A structured run of the TURN server (see the [module documentation](self)).
pub fn fuzz_server(data: &[u8]) -> RunStats {
    let mut stats = RunStats::default();
    let listen: SocketAddr = SocketAddr::from(([192, 0, 2, 15], 3478));
    let mut cfg = TurnServerConfig::new(
        listen,
        "example.org",
        vec![
            ("alice".into(), "secret".into()),
            ("bob".into(), "pw".into()),
        ],
    );
    cfg.max_allocations = 4;
    cfg.max_allocations_per_user = 3;
    cfg.max_permissions = 3;
    cfg.max_channels = 3;
    cfg.max_tcp_connections = 2;
    cfg.response_cache = 16;
    cfg.nonce_lifetime = Duration::from_secs(120);
    cfg.relay_ports = (50000, 50007);
    cfg.peer_policy = PeerPolicy::default();
    let limits = cfg.clone();
    let mut server = TurnServer::new(cfg, SeededRng::from_u64(1));
    let _ = drain(&mut server, 64);
    let clients: Vec<TransportContext> = (0u16..4)
        .map(|i| TransportContext {
            local: listen,
            remote: SocketAddr::from(([198, 51, 100, 2], 40000 + i)),
            transport: if i % 2 == 0 {
                Transport::Udp
            } else {
                Transport::Tcp
            },
        })
        .collect();
    let mut creds: Vec<Credentials> = clients
        .iter()
        .map(|_| Credentials::new("alice", "", "secret"))
        .collect();
    let mut relays: Vec<SocketAddr> = Vec::new();
    let mut now = Instant::ZERO;
    let mut s = Script { data };
    let mut n: u64 = 0;
    while let Some(op) = s.byte() {
        let who = usize::from(s.byte().unwrap_or(0)) % clients.len();
        let ctx = clients[who];
        let mut authenticated_op = false;
        match op % 6 {
            0 => {
                let len = usize::from(s.byte().unwrap_or(0));
                let payload = s.bytes(len).to_vec();
                server.handle_input(Input::Datagram {
                    now,
                    context: ctx,
                    payload: &payload,
                });
            }
            1 => {
                authenticated_op = true;
                n += 1;
                let mut txid = [0u8; 12];
                txid[4..].copy_from_slice(&n.to_be_bytes());
                let m = [
                    method::ALLOCATE,
                    method::REFRESH,
                    method::CREATE_PERMISSION,
                    method::CHANNEL_BIND,
                ][usize::from(s.byte().unwrap_or(0) % 4)];
                let flags = s.byte().unwrap_or(0);
                let mut b = MessageBuilder::new(m, Class::Request, txid);
                if flags & 1 != 0 {
                    b = b.u32(
                        attr::REQUESTED_TRANSPORT,
                        u32::from(s.byte().unwrap_or(17)) << 24,
                    );
                }
                if flags & 2 != 0 {
                    b = b.u32(attr::LIFETIME, u32::from(s.byte().unwrap_or(0)) * 60);
                }
                if flags & 4 != 0 {
                    let p: SocketAddr = PEERS[usize::from(s.byte().unwrap_or(0)) % PEERS.len()]
                        .parse()
                        .unwrap_or(listen);
                    b = b.xor_address(attr::XOR_PEER_ADDRESS, p);
                }
                if flags & 8 != 0 {
                    let hi = s.byte().unwrap_or(0x40);
                    b = b.raw(attr::CHANNEL_NUMBER, &[hi, s.byte().unwrap_or(0), 0, 0]);
                }
                if flags & 16 != 0 {
                    b = b.raw(attr::EVEN_PORT, &[s.byte().unwrap_or(0)]);
                }
                if flags & 32 != 0 {
                    creds[who] = Credentials {
                        nonce: creds[who].nonce.clone(),
                        ..Credentials::new("bob", "", "pw")
                    };
                }
                let bytes = creds[who].sign(b);
                let tcp = ctx.transport == Transport::Tcp;
                if tcp {
                    server.handle_input(Input::Tcp {
                        now,
                        context: ctx,
                        event: TcpEvent::Accepted,
                    });
                }
                server.handle_input(Input::Datagram {
                    now,
                    context: ctx,
                    payload: &bytes,
                });
            }
            2 => now += Duration::from_secs(u64::from(s.byte().unwrap_or(0)) * 4),
            3 => {
                if let Some(relay) = relays
                    .get(usize::from(s.byte().unwrap_or(0)) % relays.len().max(1))
                    .copied()
                {
                    let p: SocketAddr = PEERS[usize::from(s.byte().unwrap_or(0)) % PEERS.len()]
                        .parse()
                        .unwrap_or(listen);
                    let len = usize::from(s.byte().unwrap_or(0));
                    let payload = s.bytes(len).to_vec();
                    let pctx = TransportContext {
                        local: relay,
                        remote: p,
                        transport: Transport::Udp,
                    };
                    server.handle_input(Input::Datagram {
                        now,
                        context: pctx,
                        payload: &payload,
                    });
                }
            }
            4 => {
                let event = if s.byte().unwrap_or(0).is_multiple_of(2) {
                    TcpEvent::Accepted
                } else {
                    TcpEvent::Closed
                };
                server.handle_input(Input::Tcp {
                    now,
                    context: ctx,
                    event,
                });
            }
            _ => {
                let p: SocketAddr = PEERS[usize::from(s.byte().unwrap_or(0)) % PEERS.len()]
                    .parse()
                    .unwrap_or(listen);
                let len = usize::from(s.byte().unwrap_or(0));
                let data = s.bytes(len).to_vec();
                let bytes = if s.byte().unwrap_or(0).is_multiple_of(2) {
                    MessageBuilder::new(method::SEND, Class::Indication, [0; 12])
                        .xor_address(attr::XOR_PEER_ADDRESS, p)
                        .raw(attr::DATA, &data)
                        .build()
                } else {
                    channeldata::encode(
                        0x4000 | u16::from(s.byte().unwrap_or(0) % 4),
                        &data,
                        ctx.transport == Transport::Tcp,
                    )
                };
                server.handle_input(Input::Datagram {
                    now,
                    context: ctx,
                    payload: &bytes,
                });
            }
        }
        server.handle_input(Input::Timeout { now });
        let Some(out) = drain(&mut server, 10_000) else {
            panic!("server output does not stop");
        };
        for e in &out.events {
            if let ServerEvent::Allocated { relays: r, .. } = e {
                assert!(
                    authenticated_op,
                    "allocation without a correctly authenticated request"
                );
                stats.allocations += 1;
                relays.extend(r.iter().copied());
            }
        }
        for t in &out.transmits {
            if relays.contains(&t.context.local) {
                stats.relayed += 1;
                assert!(
                    server.permits(t.context.local, t.context.remote.ip(), now),
                    "relayed to {} without a permission",
                    t.context.remote
                );
            } else if t.context.local == listen {
                // Learn nonces the way a client does.
                creds[clients
                    .iter()
                    .position(|c| c.remote == t.context.remote)
                    .unwrap_or(0)]
                .learn(&t.payload);
            }
        }
        let sizes = server.table_sizes();
        assert!(sizes.allocations <= limits.max_allocations);
        assert!(sizes.permissions <= limits.max_allocations * limits.max_permissions);
        assert!(sizes.channels <= limits.max_allocations * limits.max_channels);
        assert!(sizes.tcp_connections <= limits.max_tcp_connections);
        assert!(sizes.cached_responses <= limits.response_cache);
        assert!(
            sizes.tcp_buffered <= limits.max_tcp_connections * (crate::framing::MAX_FRAME + 300)
        );
        relays.retain(|r| server.sockets().iter().any(|s| s.addr == *r));
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replays committed seeds and regressions through the fuzz bodies.
    #[test]
    fn committed_corpora_replay_without_panics() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz");
        for (dir, body) in [
            ("seeds/turn_channeldata", fuzz_channeldata as fn(&[u8])),
            ("regressions/turn_channeldata", fuzz_channeldata),
            ("seeds/turn_server", |b| {
                let _ = fuzz_server(b);
            }),
            ("regressions/turn_server", |b| {
                let _ = fuzz_server(b);
            }),
        ] {
            let Ok(entries) = std::fs::read_dir(format!("{root}/{dir}")) else {
                continue;
            };
            for e in entries.flatten() {
                if let Ok(bytes) = std::fs::read(e.path()) {
                    body(&bytes);
                }
            }
        }
    }

    #[test]
    fn pseudo_random_scripts_hold_the_invariants() {
        let mut rng = SeededRng::from_u64(42);
        for _ in 0..300 {
            let len = usize::try_from(rng.below(400)).unwrap_or(0);
            let bytes: Vec<u8> = (0..len)
                .map(|_| u8::try_from(rng.below(256)).unwrap_or(0))
                .collect();
            let _ = fuzz_server(&bytes);
            fuzz_channeldata(&bytes);
        }
    }

    #[test]
    fn a_scripted_allocation_relays_after_permission() {
        // op 1 (auth request) twice (401 then Allocate), CreatePermission, then peer data.
        let script = [
            1, 0, 0, 1, 17, // Allocate (learns nonce)
            1, 0, 0, 1, 17, // Allocate
            1, 0, 2, 4, 0, // CreatePermission 203.0.113.9
            3, 0, 0, 0, 3, b'a', b'b', b'c', // peer datagram
            5, 0, 0, 2, b'h', b'i', 0, // Send indication to 203.0.113.9
            5, 0, 2, 2, b'h', b'i', 0, // Send indication to 127.0.0.1: dropped
        ];
        let stats = fuzz_server(&script);
        assert_eq!(
            stats,
            RunStats {
                allocations: 1,
                relayed: 1
            }
        );
    }
}
