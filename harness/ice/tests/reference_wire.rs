//! Two reference agents over the direct-delivery wire.

use core::time::Duration;

use harness_core::endpoint::{Transport, TransportContext};
use harness_core::rng::SeededRng;
use harness_core::rules::Finding;
use harness_core::time::Instant;
use harness_ice::rules::{ValidatorContext, validate};
use harness_ice::stunmsg::build_check;
use harness_ice::testkit::{Side, Verdict, Wire, addr};
use harness_ice::{
    Agent, AgentConfig, CandidateKind, ConnectionState, IceEventKind, Nomination, Role,
};
use harness_stun::{Attribute, Class, Key, MessageBuilder, Method, TransactionId};

fn config(role: Role, n: u8) -> AgentConfig {
    AgentConfig::new(role, vec![addr(n, 5000)])
}

fn wire(a: AgentConfig, b: AgentConfig, delay_ms: u64) -> Wire<Agent, Agent> {
    Wire::new(
        Agent::new(a, SeededRng::from_u64(1), Instant::ZERO),
        Agent::new(b, SeededRng::from_u64(2), Instant::ZERO),
        Duration::from_millis(delay_ms),
    )
}

fn signal(w: &mut Wire<Agent, Agent>) {
    let now = w.now;
    let (ca, cb) = (
        w.a.local_credentials().clone(),
        w.b.local_credentials().clone(),
    );
    let (la, lb) = (w.a.announced_candidates(), w.b.announced_candidates());
    w.a.set_remote_credentials(now, cb);
    w.b.set_remote_credentials(now, ca);
    for c in lb {
        w.a.add_remote_candidate(now, c);
    }
    for c in la {
        w.b.add_remote_candidate(now, c);
    }
    w.drain(Side::A);
    w.drain(Side::B);
}

/// Findings of MUST level about one side.
fn must_findings(w: &Wire<Agent, Agent>, side: Side) -> Vec<Finding> {
    let (me, peer) = match side {
        Side::A => (&w.a, &w.b),
        Side::B => (&w.b, &w.a),
    };
    let ctx = ValidatorContext {
        local: Some(me.local_credentials().clone()),
        remote: Some(peer.local_credentials().clone()),
        local_lite: me.is_lite(),
        remote_lite: peer.is_lite(),
        ..ValidatorContext::default()
    };
    validate(&w.observed(side), &ctx)
        .into_iter()
        .filter(|f| f.rule.level.severity() == harness_core::rules::Severity::Must)
        .collect()
}

fn connected_at(events: &[(Instant, harness_ice::IceEvent)]) -> Option<Instant> {
    events.iter().find_map(|(_, e)| match e.kind {
        IceEventKind::ConnectionState(ConnectionState::Connected) => Some(e.at),
        _ => None,
    })
}

#[test]
fn two_full_agents_connect_on_the_host_pair() {
    let mut w = wire(
        config(Role::Controlling, 1),
        config(Role::Controlled, 2),
        10,
    );
    signal(&mut w);
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.a.state(), ConnectionState::Completed);
    assert_eq!(w.b.state(), ConnectionState::Completed);
    let sa = w.a.selected_pair().unwrap();
    let sb = w.b.selected_pair().unwrap();
    assert_eq!(sa.kinds(), (CandidateKind::Host, CandidateKind::Host));
    assert_eq!(sa.remote.addr, sb.local.addr);
    assert!(connected_at(&w.events_a).unwrap() < Instant::from_millis(500));
    assert!(
        must_findings(&w, Side::A).is_empty(),
        "{:?}",
        must_findings(&w, Side::A)
    );
    assert!(
        must_findings(&w, Side::B).is_empty(),
        "{:?}",
        must_findings(&w, Side::B)
    );
}

#[test]
fn same_seed_gives_the_same_wire_bytes() {
    let run = || {
        let mut w = wire(
            config(Role::Controlling, 1),
            config(Role::Controlled, 2),
            10,
        );
        signal(&mut w);
        w.run_for(Duration::from_secs(20));
        w.log.iter().map(|d| d.payload.clone()).collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn consent_keeps_a_quiet_pair_alive_and_validator_is_silent() {
    let mut w = wire(
        config(Role::Controlling, 1),
        config(Role::Controlled, 2),
        10,
    );
    signal(&mut w);
    w.run_for(Duration::from_secs(60));
    assert_eq!(w.a.state(), ConnectionState::Completed);
    assert!(w.a.counters().consent_sent >= 9, "{:?}", w.a.counters());
    assert!(w.a.counters().consent_sent <= 15);
    assert!(
        must_findings(&w, Side::A).is_empty(),
        "{:?}",
        must_findings(&w, Side::A)
    );
    assert!(
        must_findings(&w, Side::B).is_empty(),
        "{:?}",
        must_findings(&w, Side::B)
    );
}

#[test]
fn partition_loses_consent_disconnects_then_fails_within_bounds() {
    let mut w = wire(
        config(Role::Controlling, 1),
        config(Role::Controlled, 2),
        10,
    );
    signal(&mut w);
    w.run_for(Duration::from_secs(2));
    let cut = w.now;
    w.set_filter(|_, _| Verdict::Drop);
    w.run_for(Duration::from_secs(40));
    let when = |state| {
        w.events_a.iter().find_map(|(_, e)| match e.kind {
            IceEventKind::ConnectionState(s) if s == state => Some(e.at),
            _ => None,
        })
    };
    let disconnected = when(ConnectionState::Disconnected).unwrap();
    let failed = when(ConnectionState::Failed).unwrap();
    assert!(disconnected < failed);
    // RFC 7675 §5.1: consent expires 30 s after the last response; the last one came
    // shortly before the cut.
    assert!(failed - cut <= Duration::from_secs(30));
    assert!(failed - cut >= Duration::from_secs(24));
    assert!(!w.a.can_send());
    // Nothing more leaves A after consent is lost.
    let last_sent = w
        .log
        .iter()
        .filter(|d| d.from_side == Side::A)
        .map(|d| d.sent_at)
        .max()
        .unwrap();
    assert!(last_sent <= failed);
    assert!(
        must_findings(&w, Side::A).is_empty(),
        "{:?}",
        must_findings(&w, Side::A)
    );
}

#[test]
fn both_controlling_resolves_the_conflict_with_487() {
    let mut w = wire(
        config(Role::Controlling, 1),
        config(Role::Controlling, 2),
        10,
    );
    signal(&mut w);
    w.run_for(Duration::from_secs(3));
    assert_ne!(w.a.role(), w.b.role());
    assert_eq!(w.a.state(), ConnectionState::Completed);
    assert_eq!(w.b.state(), ConnectionState::Completed);
    let sent = w.a.counters().sent_487 + w.b.counters().sent_487;
    let received = w.a.counters().received_487 + w.b.counters().received_487;
    assert!(sent >= 1 && received >= 1);
    assert!(
        must_findings(&w, Side::A).is_empty(),
        "{:?}",
        must_findings(&w, Side::A)
    );
    assert!(
        must_findings(&w, Side::B).is_empty(),
        "{:?}",
        must_findings(&w, Side::B)
    );
}

#[test]
fn both_controlled_resolves_the_conflict() {
    let mut w = wire(config(Role::Controlled, 1), config(Role::Controlled, 2), 10);
    signal(&mut w);
    w.run_for(Duration::from_secs(3));
    assert_ne!(w.a.role(), w.b.role());
    assert_eq!(w.a.state(), ConnectionState::Completed);
}

#[test]
fn ten_percent_loss_still_connects() {
    let mut w = wire(
        config(Role::Controlling, 1),
        config(Role::Controlled, 2),
        10,
    );
    let mut rng = SeededRng::from_u64(99);
    w.set_filter(move |_, _| {
        if rng.chance(0.1) {
            Verdict::Drop
        } else {
            Verdict::Deliver
        }
    });
    signal(&mut w);
    w.run_for(Duration::from_secs(10));
    assert_eq!(w.a.state(), ConnectionState::Completed);
    assert_eq!(w.b.state(), ConnectionState::Completed);
}

#[test]
fn three_hundred_ms_rtt_connects_after_a_few_round_trips() {
    let mut w = wire(
        config(Role::Controlling, 1),
        config(Role::Controlled, 2),
        150,
    );
    signal(&mut w);
    w.run_for(Duration::from_secs(5));
    assert_eq!(w.a.state(), ConnectionState::Completed);
    let t = connected_at(&w.events_a).unwrap();
    assert!(t >= Instant::from_millis(600), "{t}");
    assert!(t <= Instant::from_millis(1500), "{t}");
}

#[test]
fn restart_reconnects_with_new_credentials() {
    let mut w = wire(
        config(Role::Controlling, 1),
        config(Role::Controlled, 2),
        10,
    );
    signal(&mut w);
    w.run_for(Duration::from_secs(2));
    let old = w.a.local_credentials().clone();
    let now = w.now;
    w.a.restart(now);
    w.b.restart(now);
    assert!(harness_ice::rules::validate_restart(&old, w.a.local_credentials()).is_empty());
    signal(&mut w);
    assert_eq!(w.a.state(), ConnectionState::Checking);
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.a.state(), ConnectionState::Completed);
    assert_eq!(w.b.state(), ConnectionState::Completed);
}

#[test]
fn aggressive_nomination_connects_without_a_second_check() {
    let mut a = config(Role::Controlling, 1);
    a.nomination = Nomination::Aggressive;
    let mut w = wire(a, config(Role::Controlled, 2), 10);
    signal(&mut w);
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.a.state(), ConnectionState::Completed);
    assert_eq!(w.b.state(), ConnectionState::Completed);
}

#[test]
fn full_agent_controls_a_lite_agent_which_sends_no_checks() {
    let mut a = config(Role::Controlled, 1);
    a.remote_lite = true;
    let mut b = config(Role::Controlling, 2);
    b.lite = true;
    let mut w = wire(a, b, 10);
    signal(&mut w);
    w.run_for(Duration::from_secs(3));
    assert_eq!(w.a.role(), Role::Controlling);
    assert_eq!(w.a.state(), ConnectionState::Completed);
    assert!(w.b.selected_pair().is_some());
    assert_eq!(w.b.counters().checks_sent, 0);
    assert!(
        must_findings(&w, Side::B).is_empty(),
        "{:?}",
        must_findings(&w, Side::B)
    );
}

#[test]
fn trickled_candidates_connect_and_end_of_candidates_completes() {
    let mut a = config(Role::Controlling, 1);
    a.trickle = true;
    let mut b = config(Role::Controlled, 2);
    b.trickle = true;
    let mut w = wire(a, b, 10);
    let now = w.now;
    let (ca, cb) = (
        w.a.local_credentials().clone(),
        w.b.local_credentials().clone(),
    );
    w.a.set_remote_credentials(now, cb);
    w.b.set_remote_credentials(now, ca);
    // B's candidate arrives late; A's arrives never (B learns it as peer-reflexive).
    w.run_for(Duration::from_millis(300));
    assert_eq!(w.a.state(), ConnectionState::New);
    let lb = w.b.announced_candidates();
    let now = w.now;
    for c in lb {
        w.a.add_remote_candidate(now, harness_ice::Candidate::from_sdp(&c.to_sdp()).unwrap());
    }
    w.drain(Side::A);
    w.run_for(Duration::from_secs(1));
    assert_eq!(w.a.state(), ConnectionState::Connected);
    assert_eq!(
        w.b.selected_pair().unwrap().remote.kind,
        CandidateKind::PeerReflexive
    );
    let now = w.now;
    w.a.end_of_remote_candidates(now);
    w.b.end_of_remote_candidates(now);
    w.drain(Side::A);
    w.drain(Side::B);
    assert_eq!(w.a.state(), ConnectionState::Completed);
    assert_eq!(w.b.state(), ConnectionState::Completed);
}

fn spoof(txid: u8, username: &str, key: Option<&Key>, extra: &[Attribute<'_>]) -> Vec<u8> {
    let mut b = MessageBuilder::new(Class::Request, Method::BINDING, TransactionId([txid; 12]))
        .attr(Attribute::Username(username))
        .attr(Attribute::Priority(0x6e00_00ff))
        .attr(Attribute::IceControlling(u64::MAX));
    for a in extra {
        b = b.attr(*a);
    }
    if let Some(k) = key {
        b = b.message_integrity(k);
    }
    b.fingerprint().build().unwrap()
}

#[test]
fn spoofed_and_unauthenticated_requests_change_nothing() {
    let mut w = wire(
        config(Role::Controlling, 1),
        config(Role::Controlled, 2),
        10,
    );
    signal(&mut w);
    w.run_for(Duration::from_secs(2));
    let before = (
        w.b.role(),
        w.b.selected_pair(),
        w.b.remote_candidates().len(),
    );
    let attacker = TransportContext {
        local: addr(2, 5000),
        remote: addr(66, 6666),
        transport: Transport::Udp,
    };
    let ufrag = format!("{}:x", w.b.local_credentials().ufrag);
    let wrong = Key::from_bytes(b"not-the-password-at-all");
    // No MESSAGE-INTEGRITY: 400. A forged ICE-CONTROLLING with a bad MESSAGE-INTEGRITY: 401.
    // A wrong ufrag: 401. A bad FINGERPRINT: silently dropped.
    w.inject(Side::B, attacker, spoof(1, &ufrag, None, &[]));
    w.inject(
        Side::B,
        attacker,
        spoof(2, &ufrag, Some(&wrong), &[Attribute::UseCandidate]),
    );
    w.inject(Side::B, attacker, spoof(3, "nope:x", Some(&wrong), &[]));
    let mut bad_fp = spoof(4, &ufrag, Some(&wrong), &[]);
    if let Some(b) = bad_fp.last_mut() {
        *b ^= 1;
    }
    w.inject(Side::B, attacker, bad_fp);
    w.run_for(Duration::from_secs(1));
    let after = (
        w.b.role(),
        w.b.selected_pair(),
        w.b.remote_candidates().len(),
    );
    assert_eq!(before, after);
    assert_eq!(w.b.counters().sent_400, 1);
    assert_eq!(w.b.counters().sent_401, 2);
    assert_eq!(w.b.counters().sent_487, 0);
    assert_eq!(w.b.state(), ConnectionState::Completed);
    assert!(
        must_findings(&w, Side::B).is_empty(),
        "{:?}",
        must_findings(&w, Side::B)
    );
}

#[test]
fn unknown_comprehension_required_attribute_gets_420_listing_it() {
    let mut w = wire(
        config(Role::Controlling, 1),
        config(Role::Controlled, 2),
        10,
    );
    signal(&mut w);
    w.run_for(Duration::from_secs(1));
    let key = Key::from_bytes(w.b.local_credentials().pwd.as_bytes());
    let username = format!(
        "{}:{}",
        w.b.local_credentials().ufrag,
        w.a.local_credentials().ufrag
    );
    let request = spoof(
        9,
        &username,
        Some(&key),
        &[Attribute::Unknown(harness_stun::AttrType(0x7ff0), b"zz")],
    );
    let ctx = TransportContext {
        local: addr(2, 5000),
        remote: addr(1, 5000),
        transport: Transport::Udp,
    };
    w.inject(Side::B, ctx, request);
    w.run_for(Duration::from_millis(100));
    assert_eq!(w.b.counters().sent_420, 1);
    let reply = w
        .log
        .iter()
        .rev()
        .find(|d| d.from_side == Side::B && d.payload.get(..2) == Some(&[0x01, 0x11]))
        .unwrap();
    let m = harness_stun::Message::new_checked(&reply.payload).unwrap();
    let attrs = harness_ice::stunmsg::read_attrs(&m);
    assert_eq!(attrs.error, Some(420));
    assert_eq!(attrs.unknown_listed, vec![0x7ff0]);
    let _ = build_check;
}
