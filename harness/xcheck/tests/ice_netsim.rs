//! The reference ICE agent against the webrtc crate's agent (rtc-ice 0.21.1), both roles,
//! over harness-ice's direct-delivery wire. Where rtc-ice departs from the RFCs, the tests
//! assert that the validator reports the departure with its rule id.

use core::time::Duration;
use std::collections::BTreeSet;

use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_ice::rules::{ValidatorContext, validate};
use harness_ice::testkit::{Side, Verdict, Wire, addr};
use harness_ice::{Agent, AgentConfig, CandidateKind, ConnectionState, IceEventKind, Role};
use harness_xcheck::ice::{RtcIceEndpoint, RtcIceEvent};

type Mixed = Wire<Agent, RtcIceEndpoint>;

#[allow(
    clippy::disallowed_methods,
    reason = "one real base instant for rtc-ice's clock"
)]
fn base() -> std::time::Instant {
    std::time::Instant::now()
}

fn mixed(reference_role: Role, delay_ms: u64) -> Mixed {
    let a = Agent::new(
        AgentConfig::new(reference_role, vec![addr(1, 5000)]),
        SeededRng::from_u64(1),
        Instant::ZERO,
    );
    let b = RtcIceEndpoint::new(
        base(),
        Instant::ZERO,
        reference_role == Role::Controlled,
        false,
        &[addr(2, 5000)],
        SeededRng::from_u64(2),
    )
    .unwrap();
    Wire::new(a, b, Duration::from_millis(delay_ms))
}

fn signal(w: &mut Mixed) {
    let now = w.now;
    let (ca, cb) = (w.a.local_credentials().clone(), w.b.local_credentials());
    let (la, lb) = (w.a.announced_candidates(), w.b.local_candidates());
    w.a.set_remote_credentials(now, cb);
    for c in lb {
        w.a.add_remote_candidate(now, c);
    }
    for c in &la {
        w.b.add_remote_candidate(now, c).unwrap();
    }
    w.b.start(now, &ca).unwrap();
    w.drain(Side::A);
    w.drain(Side::B);
}

fn reference_connected_at(w: &Mixed) -> Option<Instant> {
    w.events_a.iter().find_map(|(_, e)| match e.kind {
        IceEventKind::ConnectionState(ConnectionState::Connected) => Some(e.at),
        _ => None,
    })
}

fn rtc_connected_at(w: &Mixed) -> Option<Instant> {
    w.events_b.iter().find_map(|(t, e)| match e {
        RtcIceEvent::ConnectionState(ConnectionState::Connected) => Some(*t),
        _ => None,
    })
}

/// Rule ids the validator reports about rtc-ice (side B).
fn rtc_departures(w: &Mixed) -> BTreeSet<&'static str> {
    let ctx = ValidatorContext {
        local: Some(w.b.local_credentials()),
        remote: Some(w.a.local_credentials().clone()),
        ..ValidatorContext::default()
    };
    validate(&w.observed(Side::B), &ctx)
        .iter()
        .map(|f| f.rule.id)
        .collect()
}

fn reference_findings(w: &Mixed) -> Vec<String> {
    let ctx = ValidatorContext {
        local: Some(w.a.local_credentials().clone()),
        remote: Some(w.b.local_credentials()),
        ..ValidatorContext::default()
    };
    validate(&w.observed(Side::A), &ctx)
        .iter()
        .filter(|f| f.rule.level.severity() == harness_core::rules::Severity::Must)
        .map(ToString::to_string)
        .collect()
}

#[test]
fn reference_controlling_connects_to_rtc_ice() {
    let mut w = mixed(Role::Controlling, 10);
    signal(&mut w);
    w.run_for(Duration::from_secs(3));
    assert_eq!(w.a.state(), ConnectionState::Completed);
    assert!(matches!(
        w.b.state(),
        ConnectionState::Connected | ConnectionState::Completed
    ));
    let sel = w.a.selected_pair().unwrap();
    assert_eq!(sel.kinds(), (CandidateKind::Host, CandidateKind::Host));
    let (l, r) = w.b.selected_pair().unwrap();
    assert_eq!((l.addr, r.addr), (sel.remote.addr, sel.local.addr));
    println!(
        "reference controlling: reference connected at {:?}, rtc-ice at {:?}; departures {:?}",
        reference_connected_at(&w),
        rtc_connected_at(&w),
        rtc_departures(&w)
    );
    assert!(
        reference_findings(&w).is_empty(),
        "{:?}",
        reference_findings(&w)
    );
    // rtc-ice puts its candidate priority (host type preference) in PRIORITY.
    assert!(rtc_departures(&w).contains("ice.request.priority-prflx"));
}

#[test]
fn rtc_ice_controlling_connects_to_the_reference() {
    let mut w = mixed(Role::Controlled, 10);
    signal(&mut w);
    w.run_for(Duration::from_secs(3));
    assert!(matches!(
        w.a.state(),
        ConnectionState::Completed | ConnectionState::Connected
    ));
    assert!(w.a.selected_pair().is_some());
    println!(
        "rtc-ice controlling: reference connected at {:?}, rtc-ice at {:?}; departures {:?}",
        reference_connected_at(&w),
        rtc_connected_at(&w),
        rtc_departures(&w)
    );
    assert!(
        reference_findings(&w).is_empty(),
        "{:?}",
        reference_findings(&w)
    );
}

#[test]
fn both_controlling_against_rtc_ice() {
    let mut w = mixed(Role::Controlling, 10);
    // rtc-ice also controlling.
    w.b = RtcIceEndpoint::new(
        base(),
        Instant::ZERO,
        true,
        false,
        &[addr(2, 5000)],
        SeededRng::from_u64(2),
    )
    .unwrap();
    w.drain(Side::B);
    signal(&mut w);
    w.run_for(Duration::from_secs(5));
    println!(
        "both controlling: reference {:?} role {:?} 487 sent {} received {}; rtc-ice {:?} controlling {}; departures {:?}",
        w.a.state(),
        w.a.role(),
        w.a.counters().sent_487,
        w.a.counters().received_487,
        w.b.state(),
        w.b.is_controlling(),
        rtc_departures(&w)
    );
    assert_ne!(w.a.role() == Role::Controlling, w.b.is_controlling());
    assert_eq!(w.a.state(), ConnectionState::Completed);
    // rtc-ice keeps its tie-breaker after a 487 (RFC 8445 §7.2.5.1 requires a new one).
    assert!(rtc_departures(&w).contains("ice.role.new-tiebreaker-after-487"));
}

#[test]
fn lossy_and_slow_links_against_rtc_ice() {
    for (delay, loss) in [(10u64, 0.1f64), (150, 0.0)] {
        for role in [Role::Controlling, Role::Controlled] {
            let mut w = mixed(role, delay);
            let mut rng = SeededRng::from_u64(5);
            w.set_filter(move |_, _| {
                if rng.chance(loss) {
                    Verdict::Drop
                } else {
                    Verdict::Deliver
                }
            });
            signal(&mut w);
            w.run_for(Duration::from_secs(10));
            println!(
                "delay {delay} loss {loss} reference {role:?}: reference {:?} at {:?}, rtc-ice {:?} at {:?}",
                w.a.state(),
                reference_connected_at(&w),
                w.b.state(),
                rtc_connected_at(&w)
            );
            assert!(w.a.selected_pair().is_some());
        }
    }
}

#[test]
fn consent_and_partition_against_rtc_ice() {
    let mut w = mixed(Role::Controlling, 10);
    signal(&mut w);
    w.run_for(Duration::from_secs(40));
    let quiet = rtc_departures(&w);
    w.set_filter(|_, _| Verdict::Drop);
    w.run_for(Duration::from_secs(45));
    let states: Vec<_> = w
        .events_b
        .iter()
        .filter_map(|(t, e)| match e {
            RtcIceEvent::ConnectionState(s) => Some((*t, *s)),
            _ => None,
        })
        .collect();
    println!(
        "rtc-ice states {states:?}; departures while connected {quiet:?}; reference {:?}",
        w.a.state()
    );
    assert_eq!(w.a.state(), ConnectionState::Failed);
    // rtc-ice checks consent every 2 s (RFC 7675 §5.1 forbids less than 4 s) ...
    assert!(quiet.contains("ice.consent.interval-min"));
    // ... and fails within 30 s of the partition.
    let failed = states
        .iter()
        .find(|(_, s)| *s == ConnectionState::Failed)
        .unwrap()
        .0;
    assert!(failed <= Instant::from_secs(70));
}
