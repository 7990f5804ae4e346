//! Firewall presets and rule chains; routing through plain routers; livelock detection.
mod support;

use harness_core::endpoint::{Endpoint, Input, Output, Socket};
use harness_core::rng::RunSeed;
use harness_core::time::Instant;
use harness_netsim::{
    Action, Direction, DropReason, Firewall, HostSpec, Network, Prefix, RouterSpec, Rule, RunError,
};
use support::{Sink, udp};

fn guarded(fw: Firewall) -> Network {
    Network::builder(RunSeed(1))
        .internet("internet")
        .lan("dmz", "198.51.100.0/24")
        .host("inside", HostSpec::on("dmz", &["198.51.100.10"]))
        .router(
            "fw",
            RouterSpec::new()
                .inside("dmz", "198.51.100.1")
                .outside("internet", "203.0.113.1")
                .firewall(fw),
        )
        .host("outside", HostSpec::on("internet", &["192.0.2.10"]))
        .build()
        .unwrap()
}

#[test]
fn a_plain_router_routes_its_public_prefix_from_the_internet() {
    let mut net = guarded(Firewall::default());
    let sink = net.attach("inside", Sink::udp("198.51.100.10:9")).unwrap();
    net.send("outside", udp("192.0.2.10:1", "198.51.100.10:9"))
        .unwrap();
    net.run_until(Instant::from_secs(1)).unwrap();
    let got = &net.endpoint::<Sink>(sink).unwrap().received;
    assert_eq!(got.len(), 1, "{}", net.trace());
    assert_eq!(got[0].1, "192.0.2.10:1".parse().unwrap());
    // Nothing routes 10.0.0.0/8 on the internet.
    net.send("outside", udp("192.0.2.10:1", "10.1.2.3:9"))
        .unwrap();
    net.run_until(Instant::from_secs(2)).unwrap();
    assert_eq!(net.trace().drops(DropReason::NoRoute), 1);
}

#[test]
fn outbound_only_admits_replies_but_not_unsolicited_packets() {
    let mut net = guarded(Firewall::outbound_only());
    let inside = net.attach("inside", Sink::udp("198.51.100.10:9")).unwrap();
    let outside = net.attach("outside", Sink::udp("192.0.2.10:1")).unwrap();
    net.send("outside", udp("192.0.2.10:1", "198.51.100.10:9"))
        .unwrap();
    net.run_until(Instant::from_secs(1)).unwrap();
    assert_eq!(net.endpoint::<Sink>(inside).unwrap().received.len(), 0);
    net.send("inside", udp("198.51.100.10:9", "192.0.2.10:1"))
        .unwrap();
    net.run_until(Instant::from_secs(2)).unwrap();
    net.send("outside", udp("192.0.2.10:1", "198.51.100.10:9"))
        .unwrap();
    net.run_until(Instant::from_secs(3)).unwrap();
    assert_eq!(net.endpoint::<Sink>(outside).unwrap().received.len(), 1);
    assert_eq!(net.endpoint::<Sink>(inside).unwrap().received.len(), 1);
    assert_eq!(net.trace().drops(DropReason::Firewall { rule: None }), 1);
}

#[test]
fn udp_blocked_preset_drops_udp_both_ways() {
    let mut net = guarded(Firewall::udp_blocked());
    net.attach("outside", Sink::udp("192.0.2.10:1")).unwrap();
    net.send("inside", udp("198.51.100.10:9", "192.0.2.10:1"))
        .unwrap();
    net.run_until(Instant::from_secs(1)).unwrap();
    assert_eq!(net.trace().drops(DropReason::Firewall { rule: Some(0) }), 1);
}

#[test]
fn rules_match_in_order_on_prefix_port_and_direction() {
    let fw = Firewall::new(Action::Deny)
        .rule(
            Rule::new(Action::Deny)
                .direction(Direction::Inbound)
                .src("192.0.2.0/28".parse::<Prefix>().unwrap())
                .dst_ports(9, 9),
        )
        .rule(
            Rule::new(Action::Allow)
                .direction(Direction::Inbound)
                .dst_ports(1, 100),
        );
    let mut net = guarded(fw);
    let sink = net.attach("inside", Sink::udp("198.51.100.10:9")).unwrap();
    net.attach("inside", Sink::udp("198.51.100.10:10")).unwrap();
    net.send("outside", udp("192.0.2.10:1", "198.51.100.10:9"))
        .unwrap();
    net.send("outside", udp("192.0.2.10:1", "198.51.100.10:10"))
        .unwrap();
    net.run_until(Instant::from_secs(1)).unwrap();
    assert_eq!(net.trace().drops(DropReason::Firewall { rule: Some(0) }), 1);
    assert_eq!(net.endpoint::<Sink>(sink).unwrap().received.len(), 0);
    assert_eq!(net.stats().delivered, 1);
}

/// Asks to be woken at the current time, forever.
struct Spinner;
impl Endpoint for Spinner {
    type Event = ();
    fn handle_input(&mut self, _: Input<'_>) {}
    fn poll_output(&mut self) -> Output<()> {
        Output::Timeout(Instant::ZERO)
    }
    fn sockets(&self) -> Vec<Socket> {
        Vec::new()
    }
}

/// Never stops reporting events.
struct Chatty;
impl Endpoint for Chatty {
    type Event = ();
    fn handle_input(&mut self, _: Input<'_>) {}
    fn poll_output(&mut self) -> Output<()> {
        Output::Event(())
    }
    fn sockets(&self) -> Vec<Socket> {
        Vec::new()
    }
}

#[test]
fn livelock_is_reported_instead_of_hanging() {
    let mut net = guarded(Firewall::default());
    net.attach("inside", Spinner).unwrap();
    let err = net.run_until(Instant::from_secs(1)).unwrap_err();
    assert!(matches!(err, RunError::Livelock { .. }), "{err}");

    let mut net = guarded(Firewall::default());
    net.attach("inside", Chatty).unwrap();
    let err = net.run_until(Instant::from_secs(1)).unwrap_err();
    assert!(matches!(err, RunError::EndpointLivelock { .. }), "{err}");
}

#[test]
fn the_livelock_budget_is_per_instant() {
    use harness_netsim::Limits;
    let mut net = guarded(Firewall::default());
    net.set_limits(Limits {
        // Each packet costs two events here: its arrival and its delivery to the endpoint.
        events_per_instant: 50,
        outputs_per_drain: 100,
    });
    let sink = net.attach("inside", Sink::udp("198.51.100.10:9")).unwrap();
    for ms in 1..=10u64 {
        for _ in 0..20 {
            net.send("outside", udp("192.0.2.10:1", "198.51.100.10:9"))
                .unwrap();
        }
        net.run_until(Instant::from_millis(ms)).unwrap();
    }
    assert_eq!(net.endpoint::<Sink>(sink).unwrap().received.len(), 200);
}
