//! Reference agent against reference agent in the simulated network (harness-netsim), with a
//! STUN server and a TURN server of harness-turn on the public side: open network, NATs of
//! each kind, loss, delay, role conflict, restart, partition and forged requests. Every test
//! prints time to connected and the selected pair types.

use core::time::Duration;
use std::net::SocketAddr;

use harness_core::endpoint::{Transmit, Transport, TransportContext};
use harness_core::rng::RunSeed;
use harness_core::time::Instant;
use harness_ice::netkit::{Signalled, signalled_pair};
use harness_ice::{
    Agent, AgentConfig, CandidateKind, ConnectionState, GatherPolicy, Role, TurnServer,
};
use harness_netsim::{
    EndpointId, Fault, Firewall, HostSpec, LinkConfig, Loss, NatConfig, Network, RouterSpec,
};
use harness_stun::{AttrType, Attribute, Class, Key, MessageBuilder, Method, TransactionId};
use harness_turn::server::{TurnServer as TurnServerEndpoint, TurnServerConfig};
use harness_turn::stun_server::{StunServer, StunServerConfig};

const STUN: &str = "198.51.100.1:3478";
const TURN: &str = "198.51.100.2:3478";

/// What sits in front of a peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Front {
    Open,
    Eim,
    Symmetric,
    /// Behind a NAT whose firewall blocks all UDP: only TCP to the TURN server gets out.
    UdpBlocked,
}

struct Topo {
    fronts: [Front; 2],
    link: LinkConfig,
}

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Builds the network: peers `a` and `b`, each either on the internet or behind its NAT.
fn network(seed: u64, topo: &Topo) -> (Network, [SocketAddr; 2]) {
    let mut b = Network::builder(RunSeed(seed))
        .internet("internet")
        .host("stun", HostSpec::on("internet", &["198.51.100.1"]))
        .host("turn", HostSpec::on("internet", &["198.51.100.2"]));
    let mut hosts = [sa("0.0.0.0:0"); 2];
    for (i, (name, front)) in ["a", "b"].iter().zip(topo.fronts).enumerate() {
        let n = i + 1;
        let seg = match front {
            Front::Open => {
                let ip = format!("203.0.113.{}", 10 * n);
                b = b.host(name, HostSpec::on("internet", &[ip.as_str()]));
                "internet".to_owned()
            }
            Front::Eim | Front::Symmetric | Front::UdpBlocked => {
                let lan = format!("lan-{name}");
                let ip = format!("192.168.{n}.10");
                let nat = match front {
                    Front::Eim => NatConfig::full_cone(),
                    _ => NatConfig::symmetric(),
                };
                let mut router = RouterSpec::nat(nat);
                if front == Front::UdpBlocked {
                    router = router.firewall(Firewall::udp_blocked());
                }
                b = b
                    .lan(&lan, &format!("192.168.{n}.0/24"))
                    .host(name, HostSpec::on(&lan, &[ip.as_str()]))
                    .nat(
                        &format!("nat-{name}"),
                        router
                            .inside(&lan, &format!("192.168.{n}.1"))
                            .outside("internet", &format!("203.0.113.{}", 100 + n)),
                    );
                lan
            }
        };
        b = b.link(name, &seg, topo.link);
        hosts[i] = match front {
            Front::Open => sa(&format!("203.0.113.{}:5000", 10 * n)),
            _ => sa(&format!("192.168.{n}.10:5000")),
        };
    }
    let mut net = b.build().unwrap();
    net.attach(
        "stun",
        StunServer::new(StunServerConfig {
            primary: sa(STUN),
            alternate: None,
            software: None,
        }),
    )
    .unwrap();
    let turn = TurnServerConfig::new(
        sa(TURN),
        "harness",
        vec![("user".to_owned(), "secret".to_owned())],
    );
    net.attach(
        "turn",
        TurnServerEndpoint::new(turn, RunSeed(seed).stream("turn")),
    )
    .unwrap();
    (net, hosts)
}

fn config(role: Role, host: SocketAddr) -> AgentConfig {
    let mut c = AgentConfig::new(role, vec![host]);
    c.stun_servers = vec![sa(STUN)];
    c.turn_servers = vec![TurnServer::udp(sa(TURN), "user", "secret")];
    c.trickle = true;
    c
}

struct Run {
    net: Network,
    ids: [EndpointId; 2],
}

type Peer = Signalled<Agent>;

impl Run {
    fn new(seed: u64, topo: &Topo, cfgs: [AgentConfig; 2]) -> Self {
        let (mut net, _) = network(seed, topo);
        let [ca, cb] = cfgs;
        let a = Agent::new(ca, RunSeed(seed).stream("ice/a"), Instant::ZERO);
        let b = Agent::new(cb, RunSeed(seed).stream("ice/b"), Instant::ZERO);
        let (pa, pb) = signalled_pair(a, b, Duration::from_millis(50), Instant::ZERO);
        let ia = net.attach("a", pa).unwrap();
        let ib = net.attach("b", pb).unwrap();
        Self { net, ids: [ia, ib] }
    }

    fn standard(seed: u64, topo: &Topo) -> Self {
        let (_, hosts) = network(seed, topo);
        Self::new(
            seed,
            topo,
            [
                config(Role::Controlling, hosts[0]),
                config(Role::Controlled, hosts[1]),
            ],
        )
    }

    fn peer(&self, i: usize) -> &Peer {
        self.net.endpoint::<Peer>(self.ids[i]).unwrap()
    }

    fn peer_mut(&mut self, i: usize) -> &mut Peer {
        self.net.endpoint_mut::<Peer>(self.ids[i]).unwrap()
    }

    fn run_for(&mut self, secs: u64) {
        self.net.run_for(Duration::from_secs(secs)).unwrap();
    }

    fn connected_at(&self, i: usize) -> Option<Instant> {
        let p = self.peer(i);
        match (
            p.first(ConnectionState::Connected),
            p.first(ConnectionState::Completed),
        ) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn kinds(&self, i: usize) -> Option<(CandidateKind, CandidateKind)> {
        self.peer(i).inner.selected_pair().map(|p| p.kinds())
    }

    fn report(&self, name: &str) {
        let ms = |t: Option<Instant>| t.map(|t| t.since_start().as_millis());
        let kinds = |k: Option<(CandidateKind, CandidateKind)>| {
            k.map(|(l, r)| format!("{l}/{r}")).unwrap_or_default()
        };
        println!(
            "| reference<->reference | {name} | a {:?} ms, b {:?} ms | a {} b {} |",
            ms(self.connected_at(0)),
            ms(self.connected_at(1)),
            kinds(self.kinds(0)),
            kinds(self.kinds(1)),
        );
    }

    fn assert_connected(&self) {
        for i in 0..2 {
            let p = &self.peer(i).inner;
            assert!(
                matches!(
                    p.state(),
                    ConnectionState::Connected | ConnectionState::Completed
                ),
                "peer {i}: {:?}, states {:?}",
                p.state(),
                self.peer(i).states
            );
        }
        assert!(self.peer(0).inner.selected_pair().is_some());
        assert!(self.peer(1).inner.selected_pair().is_some());
    }
}

fn topo(a: Front, b: Front) -> Topo {
    Topo {
        fronts: [a, b],
        link: LinkConfig::new().delay(Duration::from_millis(10)),
    }
}

#[test]
fn open_network_selects_host_pair() {
    let mut r = Run::standard(1, &topo(Front::Open, Front::Open));
    r.run_for(5);
    r.report("open");
    r.assert_connected();
    assert_eq!(r.kinds(0), Some((CandidateKind::Host, CandidateKind::Host)));
}

#[test]
fn both_behind_endpoint_independent_nats_select_server_reflexive() {
    let mut r = Run::standard(2, &topo(Front::Eim, Front::Eim));
    r.run_for(10);
    r.report("EIM <-> EIM");
    r.assert_connected();
    let (l, rk) = r.kinds(0).unwrap();
    assert!(matches!(
        l,
        CandidateKind::Host | CandidateKind::ServerReflexive | CandidateKind::PeerReflexive
    ));
    assert!(matches!(
        rk,
        CandidateKind::ServerReflexive | CandidateKind::PeerReflexive
    ));
}

#[test]
fn symmetric_against_endpoint_independent_uses_reflexive_candidates() {
    let mut r = Run::standard(3, &topo(Front::Symmetric, Front::Eim));
    r.run_for(10);
    r.report("symmetric <-> EIM");
    r.assert_connected();
    // a's mapping towards b differs from its server-reflexive one: b learns a peer-reflexive
    // candidate, a reaches b's server-reflexive one; no relay is needed.
    assert_eq!(r.kinds(0).unwrap().1, CandidateKind::ServerReflexive);
    assert_eq!(r.kinds(1).unwrap().1, CandidateKind::PeerReflexive);
}

#[test]
fn symmetric_against_symmetric_needs_the_relay() {
    let mut r = Run::standard(4, &topo(Front::Symmetric, Front::Symmetric));
    r.run_for(15);
    r.report("symmetric <-> symmetric");
    r.assert_connected();
    let (l, rk) = r.kinds(0).unwrap();
    assert!(
        l == CandidateKind::Relayed || rk == CandidateKind::Relayed,
        "{l:?}/{rk:?}"
    );
    // Data flows through the relay both ways.
    let now = Instant::from_secs(15);
    assert!(r.peer_mut(0).inner.send(now, b"\x80hello"));
    assert!(r.peer_mut(1).inner.send(now, b"\x80world"));
    r.run_for(2);
    assert!(r.peer(0).inner.counters().data_received >= 1);
    assert!(r.peer(1).inner.counters().data_received >= 1);
}

#[test]
fn relay_only_policy_pairs_relayed_candidates_only() {
    let t = topo(Front::Open, Front::Open);
    let (_, hosts) = network(5, &t);
    let mut a = config(Role::Controlling, hosts[0]);
    a.policy = GatherPolicy::RelayOnly;
    let b = config(Role::Controlled, hosts[1]);
    let mut r = Run::new(5, &t, [a, b]);
    r.run_for(10);
    r.report("open, a relay-only");
    r.assert_connected();
    assert!(
        r.peer(0)
            .inner
            .announced_candidates()
            .iter()
            .all(|c| c.kind == CandidateKind::Relayed)
    );
    assert_eq!(r.kinds(0).unwrap().0, CandidateKind::Relayed);
}

#[test]
fn ten_percent_loss_still_connects() {
    let t = Topo {
        fronts: [Front::Eim, Front::Eim],
        link: LinkConfig::new()
            .delay(Duration::from_millis(10))
            .loss(Loss::Bernoulli(0.1)),
    };
    let mut r = Run::standard(6, &t);
    r.run_for(20);
    r.report("EIM <-> EIM, 10 % loss");
    r.assert_connected();
}

#[test]
fn three_hundred_ms_rtt_connects() {
    let t = Topo {
        fronts: [Front::Open, Front::Open],
        link: LinkConfig::new().delay(Duration::from_millis(75)),
    };
    let mut r = Run::standard(7, &t);
    r.run_for(10);
    r.report("open, 300 ms RTT");
    r.assert_connected();
}

#[test]
fn both_controlling_resolve_the_conflict_with_487() {
    let t = topo(Front::Open, Front::Open);
    let (_, hosts) = network(8, &t);
    let mut r = Run::new(
        8,
        &t,
        [
            config(Role::Controlling, hosts[0]),
            config(Role::Controlling, hosts[1]),
        ],
    );
    r.run_for(10);
    r.report("open, both controlling");
    r.assert_connected();
    assert_ne!(r.peer(0).inner.role(), r.peer(1).inner.role());
    let sent = r.peer(0).inner.counters().sent_487 + r.peer(1).inner.counters().sent_487;
    let received =
        r.peer(0).inner.counters().received_487 + r.peer(1).inner.counters().received_487;
    assert!(
        sent >= 1 && received >= 1,
        "487 sent {sent} received {received}"
    );
}

#[test]
fn ice_restart_reconnects_with_new_credentials() {
    let mut r = Run::standard(9, &topo(Front::Eim, Front::Eim));
    r.run_for(8);
    r.assert_connected();
    let before = r.peer(0).inner.local_credentials().clone();
    r.peer_mut(0).restart_at = Some(Instant::from_secs(9));
    r.run_for(10);
    r.report("EIM <-> EIM, after restart");
    assert_ne!(r.peer(0).inner.local_credentials(), &before);
    let again = r
        .peer(0)
        .first_after(ConnectionState::Connected, Instant::from_secs(9))
        .or_else(|| {
            r.peer(0)
                .first_after(ConnectionState::Completed, Instant::from_secs(9))
        });
    assert!(again.is_some(), "{:?}", r.peer(0).states);
    println!(
        "restart at 9 s: reconnected at {:?}",
        again.map(|t| t.since_start())
    );
    r.assert_connected();
}

#[test]
fn partition_loses_consent_disconnected_then_failed() {
    let mut r = Run::standard(10, &topo(Front::Open, Front::Open));
    r.run_for(5);
    r.assert_connected();
    let cut = Instant::from_secs(6);
    r.net
        .schedule(cut, Fault::partition("a", "internet"))
        .unwrap();
    r.run_for(40);
    let p = r.peer(0);
    let disc = p.first_after(ConnectionState::Disconnected, cut).unwrap();
    let failed = p.first_after(ConnectionState::Failed, cut).unwrap();
    println!(
        "partition at 6 s: disconnected at {:?}, failed at {:?}",
        disc.since_start(),
        failed.since_start()
    );
    assert!(disc < failed);
    // RFC 7675 §5.1: consent expires 30 s after the last response; the last one came at most
    // one consent interval (≤ 6 s) before the cut.
    assert!(failed <= cut + Duration::from_secs(31));
    assert!(failed >= cut + Duration::from_secs(24));
    // Sending stops.
    assert!(!r.peer_mut(0).inner.send(Instant::from_secs(46), b"\x80x"));
}

fn forged_check(
    creds: (&str, &str),
    key: &Key,
    tie_breaker: u64,
    extra: Option<AttrType>,
) -> Vec<u8> {
    let mut b = MessageBuilder::new(Class::Request, Method::BINDING, TransactionId([7; 12]))
        .attr(Attribute::Username(&format!("{}:{}", creds.0, creds.1)))
        .attr(Attribute::Priority(1 << 24))
        .attr(Attribute::IceControlling(tie_breaker));
    if let Some(t) = extra {
        b = b.raw(t, &[0, 0, 0, 0]);
    }
    b.message_integrity(key).fingerprint().build().unwrap()
}

#[test]
fn unknown_attribute_gets_420_and_forged_requests_change_nothing() {
    let mut r = Run::standard(11, &topo(Front::Open, Front::Open));
    r.run_for(5);
    r.assert_connected();
    let target = r.peer(1).inner.selected_pair().unwrap().base;
    let from = r.peer(0).inner.selected_pair().unwrap().base;
    let b_creds = r.peer(1).inner.local_credentials().clone();
    let a_creds = r.peer(0).inner.local_credentials().clone();
    let role_before = r.peer(1).inner.role();
    let selected_before = r.peer(1).inner.selected_pair();
    let ctx = TransportContext {
        local: from,
        remote: target,
        transport: Transport::Udp,
    };
    // Authenticated, with an unknown comprehension-required attribute: 420.
    let good_key = Key::from_bytes(b_creds.pwd.as_bytes());
    let unknown = forged_check(
        (&b_creds.ufrag, &a_creds.ufrag),
        &good_key,
        u64::MAX,
        Some(AttrType(0x0077)),
    );
    r.net
        .send(
            "a",
            Transmit {
                context: ctx,
                payload: unknown,
            },
        )
        .unwrap();
    // A forged ICE-CONTROLLING with the highest tie-breaker but a bad MESSAGE-INTEGRITY, from
    // the peer's own address (spoofed) and from elsewhere.
    let bad_key = Key::from_bytes(b"not the password at all!");
    for _ in 0..5 {
        let forged = forged_check((&b_creds.ufrag, &a_creds.ufrag), &bad_key, u64::MAX, None);
        r.net
            .send(
                "a",
                Transmit {
                    context: ctx,
                    payload: forged,
                },
            )
            .unwrap();
    }
    r.run_for(3);
    let p = &r.peer(1).inner;
    assert_eq!(p.counters().sent_420, 1);
    assert!(p.counters().sent_401 >= 5);
    assert_eq!(p.role(), role_before);
    assert_eq!(p.selected_pair(), selected_before);
    assert_eq!(p.counters().role_switches, 0);
    assert!(matches!(
        p.state(),
        ConnectionState::Connected | ConnectionState::Completed
    ));
}

#[test]
fn udp_blocked_falls_back_to_turn_over_tcp() {
    let mut r = Run::standard(12, &topo(Front::UdpBlocked, Front::Open));
    r.run_for(20);
    r.report("UDP blocked <-> open (TURN over TCP)");
    r.assert_connected();
    let a = &r.peer(0).inner;
    let sel = a.selected_pair().unwrap();
    assert_eq!(sel.local.kind, CandidateKind::Relayed);
    assert_eq!(a.first_hop(&sel.local), Transport::Tcp);
    // Application data both ways through the TCP-reached relay.
    let now = Instant::from_secs(20);
    assert!(r.peer_mut(0).inner.send(now, b"\x80ping"));
    assert!(r.peer_mut(1).inner.send(now, b"\x80pong"));
    r.run_for(2);
    assert!(r.peer(0).inner.counters().data_received >= 1);
    assert!(r.peer(1).inner.counters().data_received >= 1);
}
