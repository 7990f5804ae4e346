//! The reference ICE agent against the webrtc crate's agent (rtc-ice 0.21.1), both roles, in
//! the simulated network (harness-netsim) with a STUN server and a TURN server of
//! harness-turn: open network, NATs, loss, delay, role conflict, restart, partition, forged
//! requests. Where rtc-ice departs from the RFCs, the tests assert that the validator reports
//! the departure with its rule id. Every run prints time to connected and the selected pair
//! types.

use core::time::Duration;
use std::collections::BTreeSet;
use std::net::SocketAddr;

use harness_core::endpoint::{Transmit, Transport, TransportContext};
use harness_core::rng::{RunSeed, SeededRng};
use harness_core::rules::Severity;
use harness_core::time::Instant;
use harness_ice::netkit::{IcePeer, Signalled, signalled_pair};
use harness_ice::rules::{ValidatorContext, validate};
use harness_ice::{Agent, AgentConfig, CandidateKind, ConnectionState, Role, TurnServer};
use harness_netsim::{
    EndpointId, Fault, HostSpec, LinkConfig, Loss, NatConfig, Network, RouterSpec,
};
use harness_turn::server::{TurnServer as TurnServerEndpoint, TurnServerConfig};
use harness_turn::stun::{Class, MessageBuilder, method};
use harness_turn::stun_server::{StunServer, StunServerConfig};
use harness_xcheck::ice::RtcIceEndpoint;

const STUN: &str = "198.51.100.1:3478";
const TURN: &str = "198.51.100.2:3478";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Front {
    Open,
    Eim,
    Symmetric,
}

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[allow(
    clippy::disallowed_methods,
    reason = "one real base instant for rtc-ice's clock"
)]
fn base() -> std::time::Instant {
    std::time::Instant::now()
}

/// Peer `a` runs the reference, `b` rtc-ice; each is on the internet or behind its own NAT
/// (endpoint-independent: full cone; symmetric).
fn network(seed: u64, fronts: [Front; 2], link: LinkConfig) -> (Network, [SocketAddr; 2]) {
    let mut b = Network::builder(RunSeed(seed))
        .internet("internet")
        .host("stun", HostSpec::on("internet", &["198.51.100.1"]))
        .host("turn", HostSpec::on("internet", &["198.51.100.2"]));
    let mut hosts = [sa("0.0.0.0:0"); 2];
    for (i, (name, front)) in ["a", "b"].iter().zip(fronts).enumerate() {
        let n = i + 1;
        let seg = if front == Front::Open {
            let ip = format!("203.0.113.{}", 10 * n);
            b = b.host(name, HostSpec::on("internet", &[ip.as_str()]));
            hosts[i] = sa(&format!("{ip}:5000"));
            "internet".to_owned()
        } else {
            let lan = format!("lan-{name}");
            let ip = format!("192.168.{n}.10");
            let nat = if front == Front::Eim {
                NatConfig::full_cone()
            } else {
                NatConfig::symmetric()
            };
            b = b
                .lan(&lan, &format!("192.168.{n}.0/24"))
                .host(name, HostSpec::on(&lan, &[ip.as_str()]))
                .nat(
                    &format!("nat-{name}"),
                    RouterSpec::nat(nat)
                        .inside(&lan, &format!("192.168.{n}.1"))
                        .outside("internet", &format!("203.0.113.{}", 100 + n)),
                );
            hosts[i] = sa(&format!("{ip}:5000"));
            lan
        };
        b = b.link(name, &seg, link);
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

type Ref = Signalled<Agent>;
type Rtc = Signalled<RtcIceEndpoint>;

struct Mixed {
    net: Network,
    a: EndpointId,
    b: EndpointId,
    name: String,
}

struct Setup {
    reference: Role,
    rtc_controlling: bool,
    fronts: [Front; 2],
    link: LinkConfig,
}

impl Setup {
    fn new(reference: Role, fronts: [Front; 2]) -> Self {
        Self {
            reference,
            rtc_controlling: reference == Role::Controlled,
            fronts,
            link: LinkConfig::new().delay(Duration::from_millis(10)),
        }
    }
}

impl Mixed {
    fn new(seed: u64, name: &str, s: &Setup) -> Self {
        let (mut net, hosts) = network(seed, s.fronts, s.link);
        let mut cfg = AgentConfig::new(s.reference, vec![hosts[0]]);
        cfg.stun_servers = vec![sa(STUN)];
        cfg.turn_servers = vec![TurnServer::udp(sa(TURN), "user", "secret")];
        let a = Agent::new(cfg, RunSeed(seed).stream("ice/a"), Instant::ZERO);
        let mut b = RtcIceEndpoint::new(
            base(),
            Instant::ZERO,
            s.rtc_controlling,
            false,
            &[hosts[1]],
            SeededRng::from_u64(seed ^ 0xb),
        )
        .unwrap();
        b.gather(
            Instant::ZERO,
            &[sa(STUN)],
            &[TurnServer::udp(sa(TURN), "user", "secret")],
        );
        let (pa, pb) = signalled_pair(a, b, Duration::from_millis(50), Instant::ZERO);
        let a = net.attach("a", pa).unwrap();
        let b = net.attach("b", pb).unwrap();
        Self {
            net,
            a,
            b,
            name: format!(
                "{name}, reference {}",
                if s.reference == Role::Controlling {
                    "controlling"
                } else {
                    "controlled"
                }
            ),
        }
    }

    fn a(&self) -> &Ref {
        self.net.endpoint::<Ref>(self.a).unwrap()
    }

    fn b(&self) -> &Rtc {
        self.net.endpoint::<Rtc>(self.b).unwrap()
    }

    fn run_for(&mut self, secs: u64) {
        self.net.run_for(Duration::from_secs(secs)).unwrap();
    }

    fn report(&self) {
        let conn = |states: &[(Instant, ConnectionState)]| {
            states
                .iter()
                .find(|(_, s)| matches!(s, ConnectionState::Connected | ConnectionState::Completed))
                .map(|(t, _)| t.since_start().as_millis())
        };
        let kinds = |k: Option<(CandidateKind, CandidateKind)>| {
            k.map(|(l, r)| format!("{l}/{r}")).unwrap_or_default()
        };
        println!(
            "| reference<->rtc-ice | {} | reference {:?} ms, rtc-ice {:?} ms | reference {} rtc-ice {} |",
            self.name,
            conn(&self.a().states),
            conn(&self.b().states),
            kinds(self.a().inner.selected_kinds()),
            kinds(self.b().inner.selected_kinds()),
        );
    }

    fn assert_connected(&self) {
        let ok = |s: ConnectionState| {
            matches!(s, ConnectionState::Connected | ConnectionState::Completed)
        };
        assert!(
            ok(self.a().inner.state()),
            "reference {:?}: {:?}",
            self.a().inner.state(),
            self.a().states
        );
        assert!(
            ok(self.b().inner.state()),
            "rtc-ice {:?}: {:?}; errors {:?}",
            self.b().inner.state(),
            self.b().states,
            self.b().inner.errors
        );
        assert!(self.a().inner.selected_pair().is_some());
        assert!(self.b().inner.selected_pair().is_some());
    }

    /// Rule ids the validator reports about rtc-ice.
    fn rtc_departures(&self) -> BTreeSet<&'static str> {
        let ctx = ValidatorContext {
            local: Some(self.b().inner.local_credentials()),
            remote: Some(self.a().inner.local_credentials().clone()),
            ..ValidatorContext::default()
        };
        validate(&self.b().observed, &ctx)
            .iter()
            .map(|f| f.rule.id)
            .collect()
    }

    /// MUST-level findings about the reference.
    fn reference_findings(&self) -> Vec<String> {
        let ctx = ValidatorContext {
            local: Some(self.a().inner.local_credentials().clone()),
            remote: Some(self.b().inner.local_credentials()),
            ..ValidatorContext::default()
        };
        validate(&self.a().observed, &ctx)
            .iter()
            .filter(|f| f.rule.level.severity() == Severity::Must)
            .map(ToString::to_string)
            .collect()
    }
}

const ROLES: [Role; 2] = [Role::Controlling, Role::Controlled];

#[test]
fn open_network_against_rtc_ice_both_roles() {
    for (i, role) in ROLES.into_iter().enumerate() {
        let mut m = Mixed::new(
            20 + i as u64,
            "open",
            &Setup::new(role, [Front::Open, Front::Open]),
        );
        m.run_for(5);
        m.report();
        m.assert_connected();
        let sel = m.a().inner.selected_pair().unwrap();
        assert_eq!(sel.kinds(), (CandidateKind::Host, CandidateKind::Host));
        let (l, r) = m.b().inner.selected_pair().unwrap();
        assert_eq!((l.addr, r.addr), (sel.remote.addr, sel.local.addr));
        assert!(
            m.reference_findings().is_empty(),
            "{:?}",
            m.reference_findings()
        );
        let departures = m.rtc_departures();
        println!("departures of rtc-ice ({}): {departures:?}", m.name);
        // rtc-ice puts its candidate priority (host type preference) in PRIORITY instead of
        // a peer-reflexive one (RFC 8445 §7.1.1).
        assert!(departures.contains("ice.request.priority-prflx"));
    }
}

#[test]
fn nat_topologies_against_rtc_ice_both_roles() {
    let cases = [
        ("EIM <-> EIM", [Front::Eim, Front::Eim]),
        ("symmetric <-> EIM", [Front::Symmetric, Front::Eim]),
        ("EIM <-> symmetric", [Front::Eim, Front::Symmetric]),
        (
            "symmetric <-> symmetric",
            [Front::Symmetric, Front::Symmetric],
        ),
    ];
    for (k, (name, fronts)) in cases.into_iter().enumerate() {
        for (i, role) in ROLES.into_iter().enumerate() {
            let mut m = Mixed::new(
                40 + 2 * k as u64 + i as u64,
                name,
                &Setup::new(role, fronts),
            );
            m.run_for(15);
            m.report();
            m.assert_connected();
            let (l, r) = m.a().inner.selected_pair().unwrap().kinds();
            assert_ne!(r, CandidateKind::Host, "{name}");
            if fronts == [Front::Symmetric, Front::Symmetric] {
                assert!(
                    l == CandidateKind::Relayed || r == CandidateKind::Relayed,
                    "{name}: {l:?}/{r:?}"
                );
            } else {
                assert!(
                    l != CandidateKind::Relayed && r != CandidateKind::Relayed,
                    "{name}: {l:?}/{r:?}"
                );
            }
        }
    }
}

#[test]
fn lossy_and_slow_links_against_rtc_ice() {
    for (name, link) in [
        (
            "EIM <-> EIM, 10 % loss",
            LinkConfig::new()
                .delay(Duration::from_millis(10))
                .loss(Loss::Bernoulli(0.1)),
        ),
        (
            "open, 300 ms RTT",
            LinkConfig::new().delay(Duration::from_millis(75)),
        ),
    ] {
        for (i, role) in ROLES.into_iter().enumerate() {
            let fronts = if name.starts_with("EIM") {
                [Front::Eim, Front::Eim]
            } else {
                [Front::Open, Front::Open]
            };
            let mut s = Setup::new(role, fronts);
            s.link = link;
            let mut m = Mixed::new(60 + i as u64, name, &s);
            m.run_for(20);
            m.report();
            m.assert_connected();
        }
    }
}

#[test]
fn both_controlling_against_rtc_ice() {
    // The tie-breakers decide who sends the 487; over several seeds both happen.
    let mut reference_sent_487 = 0;
    for seed in 70..76 {
        let mut s = Setup::new(Role::Controlling, [Front::Open, Front::Open]);
        s.rtc_controlling = true;
        let mut m = Mixed::new(seed, "open, both controlling", &s);
        m.run_for(10);
        m.report();
        let a = &m.a().inner;
        let departures = m.rtc_departures();
        println!(
            "both controlling (seed {seed}): reference {:?} role {:?} 487 sent {} received {}; rtc-ice {:?} controlling {}; departures {departures:?}",
            a.state(),
            a.role(),
            a.counters().sent_487,
            a.counters().received_487,
            m.b().inner.state(),
            m.b().inner.is_controlling(),
        );
        assert_ne!(a.role() == Role::Controlling, m.b().inner.is_controlling());
        m.assert_connected();
        // A 487 is on the wire one way or the other.
        assert!(a.counters().sent_487 + a.counters().received_487 >= 1);
        if a.counters().sent_487 >= 1 {
            reference_sent_487 += 1;
            // rtc-ice keeps its tie-breaker after a 487 (RFC 8445 §7.2.5.1 requires a new
            // one).
            assert!(departures.contains("ice.role.new-tiebreaker-after-487"));
        }
    }
    assert!(reference_sent_487 >= 1);
}

#[test]
fn ice_restart_against_rtc_ice_both_roles() {
    for (i, role) in ROLES.into_iter().enumerate() {
        let mut m = Mixed::new(
            80 + i as u64,
            "EIM <-> EIM, restart",
            &Setup::new(role, [Front::Eim, Front::Eim]),
        );
        m.run_for(8);
        m.assert_connected();
        let before = m.a().inner.local_credentials().clone();
        let rtc_before = m.b().inner.local_credentials();
        m.net.endpoint_mut::<Ref>(m.a).unwrap().restart_at = Some(Instant::from_secs(9));
        m.run_for(10);
        let again = m
            .a()
            .states
            .iter()
            .find(|(t, s)| {
                *t >= Instant::from_secs(9)
                    && matches!(s, ConnectionState::Connected | ConnectionState::Completed)
            })
            .map(|(t, _)| t.since_start());
        println!(
            "restart at 9 s ({}): reference reconnected at {again:?}",
            m.name
        );
        m.report();
        assert_ne!(m.a().inner.local_credentials(), &before);
        assert_ne!(m.b().inner.local_credentials(), rtc_before);
        assert!(again.is_some(), "{:?}", m.a().states);
        m.assert_connected();
    }
}

#[test]
fn partition_against_rtc_ice_consent_lost_then_failed() {
    let mut m = Mixed::new(
        90,
        "open, partition",
        &Setup::new(Role::Controlling, [Front::Open, Front::Open]),
    );
    m.run_for(30);
    m.assert_connected();
    let quiet = m.rtc_departures();
    let cut = Instant::from_secs(31);
    m.net
        .schedule(cut, Fault::partition("b", "internet"))
        .unwrap();
    m.run_for(45);
    let (ra, rb) = (m.a().states.clone(), m.b().states.clone());
    println!(
        "after the partition at 31 s: reference {ra:?}; rtc-ice {rb:?}; departures while connected {quiet:?}"
    );
    let after = |v: &[(Instant, ConnectionState)], s: ConnectionState| {
        v.iter()
            .find(|(t, x)| *t >= cut && *x == s)
            .map(|(t, _)| *t)
    };
    // The reference: disconnected, then failed within 30 s of the last response (RFC 7675
    // §5.1), and it stops sending.
    let disc = after(&ra, ConnectionState::Disconnected).unwrap();
    let failed = after(&ra, ConnectionState::Failed).unwrap();
    assert!(disc < failed && failed <= cut + Duration::from_secs(31));
    // rtc-ice checks consent every 2 s (RFC 7675 §5.1 forbids less than 4 s) ...
    assert!(quiet.contains("ice.consent.interval-min"));
    // ... and fails within 30 s of the partition.
    let rtc_failed = after(&rb, ConnectionState::Failed).unwrap();
    assert!(rtc_failed <= cut + Duration::from_secs(31));
}

#[test]
fn forged_controlling_request_changes_nothing_in_either_agent() {
    let mut m = Mixed::new(
        95,
        "open, forged",
        &Setup::new(Role::Controlled, [Front::Open, Front::Open]),
    );
    m.run_for(5);
    m.assert_connected();
    let a_base = m.a().inner.selected_pair().unwrap().base;
    let b_addr = m.a().inner.selected_pair().unwrap().remote.addr;
    let (ca, cb) = (
        m.a().inner.local_credentials().clone(),
        m.b().inner.local_credentials(),
    );
    let (role_a, role_b) = (m.a().inner.role(), m.b().inner.is_controlling());
    let (sel_a, sel_b) = (m.a().inner.selected_pair(), m.b().inner.selected_pair());
    let bad = b"certainly the wrong password";
    // USERNAME 0x0006, PRIORITY 0x0024, USE-CANDIDATE 0x0025, ICE-CONTROLLING 0x802A.
    let forged = |to_ufrag: &str, from_ufrag: &str| {
        MessageBuilder::new(method::BINDING, Class::Request, [9; 12])
            .text(0x0006, &format!("{to_ufrag}:{from_ufrag}"))
            .u32(0x0024, 0x7eff_ffff)
            .raw(0x0025, &[])
            .raw(0x802A, &u64::MAX.to_be_bytes())
            .integrity(bad)
            .fingerprint()
    };
    // Spoofed: from each agent's peer address, with the right ufrags and a bad
    // MESSAGE-INTEGRITY; and unauthenticated from the STUN server host.
    for _ in 0..5 {
        m.net
            .send(
                "b",
                Transmit {
                    context: TransportContext {
                        local: b_addr,
                        remote: a_base,
                        transport: Transport::Udp,
                    },
                    payload: forged(&ca.ufrag, &cb.ufrag),
                },
            )
            .unwrap();
        m.net
            .send(
                "a",
                Transmit {
                    context: TransportContext {
                        local: a_base,
                        remote: b_addr,
                        transport: Transport::Udp,
                    },
                    payload: forged(&cb.ufrag, &ca.ufrag),
                },
            )
            .unwrap();
    }
    m.run_for(3);
    assert_eq!(m.a().inner.role(), role_a);
    assert_eq!(m.b().inner.is_controlling(), role_b);
    assert_eq!(m.a().inner.selected_pair(), sel_a);
    assert_eq!(m.b().inner.selected_pair(), sel_b);
    assert!(m.a().inner.counters().sent_401 >= 5);
    m.assert_connected();
}
