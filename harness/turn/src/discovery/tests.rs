//! Discovery against the RFC 5780 server through a small NAT model.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::{IpAddr, SocketAddr};

use harness_core::endpoint::{Endpoint, Input, Transport, TransportContext, drain};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;

use super::{Behaviour, Discovery, DiscoveryConfig, DiscoveryEvent, DiscoveryReport};
use crate::stun_server::{StunServer, StunServerConfig};

struct Nat {
    mapping: Behaviour,
    filtering: Behaviour,
    hairpin: bool,
    public: IpAddr,
    next_port: u16,
    map: HashMap<(SocketAddr, Option<SocketAddr>), u16>,
    back: HashMap<u16, SocketAddr>,
    seen: HashSet<(u16, SocketAddr)>,
}

impl Nat {
    fn key(&self, src: SocketAddr, dst: SocketAddr) -> (SocketAddr, Option<SocketAddr>) {
        match self.mapping {
            Behaviour::EndpointIndependent => (src, None),
            Behaviour::AddressDependent => (src, Some(SocketAddr::new(dst.ip(), 0))),
            Behaviour::AddressAndPortDependent => (src, Some(dst)),
        }
    }
    fn outbound(&mut self, src: SocketAddr, dst: SocketAddr) -> SocketAddr {
        let key = self.key(src, dst);
        let port = match self.map.get(&key) {
            Some(p) => *p,
            None => {
                self.next_port += 1;
                self.map.insert(key, self.next_port);
                self.back.insert(self.next_port, src);
                self.next_port
            }
        };
        self.seen.insert((port, dst));
        SocketAddr::new(self.public, port)
    }
    fn inbound(&self, from: SocketAddr, to: SocketAddr) -> Option<SocketAddr> {
        let inside = *self.back.get(&to.port())?;
        let ok = match self.filtering {
            Behaviour::EndpointIndependent => true,
            Behaviour::AddressDependent => self
                .seen
                .iter()
                .any(|(p, d)| *p == to.port() && d.ip() == from.ip()),
            Behaviour::AddressAndPortDependent => self.seen.contains(&(to.port(), from)),
        };
        ok.then_some(inside)
    }
}

fn run(
    mapping: Behaviour,
    filtering: Behaviour,
    hairpin: bool,
    behind_nat: bool,
) -> DiscoveryReport {
    let primary: SocketAddr = "192.0.2.1:3478".parse().unwrap();
    let mut server = StunServer::new(StunServerConfig {
        primary,
        alternate: Some("192.0.2.2:3479".parse().unwrap()),
        software: None,
    });
    let _ = drain(&mut server, 10);
    let (m, f): (SocketAddr, SocketAddr) = (
        "10.0.0.2:4000".parse().unwrap(),
        "10.0.0.2:4001".parse().unwrap(),
    );
    let mut cfg = DiscoveryConfig::new(primary, m, f);
    cfg.lifetime_probes = vec![core::time::Duration::from_secs(30)];
    let mut client = Discovery::new(cfg, SeededRng::from_u64(3));
    let mut nat = Nat {
        mapping,
        filtering,
        hairpin,
        public: "203.0.113.1".parse().unwrap(),
        next_port: 50000,
        map: HashMap::new(),
        back: HashMap::new(),
        seen: HashSet::new(),
    };
    let mut now = Instant::ZERO;
    client.handle_input(Input::Timeout { now });
    // (from, to, payload): addresses as on the wire at the sender's side.
    let mut wire: VecDeque<(SocketAddr, SocketAddr, Vec<u8>)> = VecDeque::new();
    for _ in 0..10_000 {
        let out = drain(&mut client, 100).unwrap();
        if let Some(DiscoveryEvent::Finished(r)) = out.events.into_iter().next() {
            return r;
        }
        for t in out.transmits {
            wire.push_back((t.context.local, t.context.remote, t.payload));
        }
        let sout = drain(&mut server, 100).unwrap();
        for t in sout.transmits {
            wire.push_back((t.context.local, t.context.remote, t.payload));
        }
        if let Some((from, to, payload)) = wire.pop_front() {
            let inside_src = from.ip() == IpAddr::from([10, 0, 0, 2]);
            if inside_src {
                if !behind_nat && to.ip() == from.ip() {
                    let ctx = TransportContext {
                        local: to,
                        remote: from,
                        transport: Transport::Udp,
                    };
                    client.handle_input(Input::Datagram {
                        now,
                        context: ctx,
                        payload: &payload,
                    });
                    continue;
                }
                let src = if behind_nat {
                    nat.outbound(from, to)
                } else {
                    from
                };
                if to.ip() == nat.public && behind_nat {
                    if !nat.hairpin {
                        continue;
                    }
                    if let Some(dst) = nat.inbound(src, to) {
                        let ctx = TransportContext {
                            local: dst,
                            remote: src,
                            transport: Transport::Udp,
                        };
                        client.handle_input(Input::Datagram {
                            now,
                            context: ctx,
                            payload: &payload,
                        });
                    }
                    continue;
                }
                let ctx = TransportContext {
                    local: to,
                    remote: src,
                    transport: Transport::Udp,
                };
                server.handle_input(Input::Datagram {
                    now,
                    context: ctx,
                    payload: &payload,
                });
            } else {
                let dst = if behind_nat {
                    nat.inbound(from, to)
                } else {
                    Some(to)
                };
                if let Some(dst) = dst {
                    let ctx = TransportContext {
                        local: dst,
                        remote: from,
                        transport: Transport::Udp,
                    };
                    client.handle_input(Input::Datagram {
                        now,
                        context: ctx,
                        payload: &payload,
                    });
                }
            }
            continue;
        }
        match out.deadline {
            Some(d) => {
                now = d.max(now);
                client.handle_input(Input::Timeout { now });
            }
            None => break,
        }
    }
    client.report().clone()
}

use Behaviour::{
    AddressAndPortDependent as Apd, AddressDependent as Ad, EndpointIndependent as Ei,
};

#[test]
fn no_nat_is_endpoint_independent_everything() {
    let r = run(Ei, Ei, true, false);
    assert_eq!(r.nat, Some(false));
    assert_eq!((r.mapping, r.filtering), (Some(Ei), Some(Ei)));
    assert_eq!(r.hairpinning, Some(true));
    assert_eq!(
        r.binding_lifetime,
        Some(core::time::Duration::from_secs(30))
    );
}

#[test]
fn classifies_every_mapping_and_filtering_combination() {
    for mapping in [Ei, Ad, Apd] {
        for filtering in [Ei, Ad, Apd] {
            let r = run(mapping, filtering, false, true);
            assert_eq!(r.error, None);
            assert_eq!(r.nat, Some(true));
            assert_eq!(
                r.mapping,
                Some(mapping),
                "mapping {mapping} filtering {filtering}"
            );
            assert_eq!(
                r.filtering,
                Some(filtering),
                "mapping {mapping} filtering {filtering}"
            );
            assert_eq!(r.hairpinning, Some(false));
        }
    }
}

#[test]
fn detects_hairpinning() {
    assert_eq!(run(Ei, Ei, true, true).hairpinning, Some(true));
    let json = run(Ei, Apd, false, true).to_json();
    assert!(
        json.contains("\"filtering\":\"address-and-port-dependent\""),
        "{json}"
    );
}
