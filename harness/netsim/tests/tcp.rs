//! TCP: handshake, ordered stream over a lossy link, close, reset, refusal, NAT and firewall
//! tracking.
mod support;

use core::time::Duration;

use harness_core::endpoint::{TcpEvent, Transport};
use harness_core::rng::RunSeed;
use harness_core::time::Instant;
use harness_netsim::{
    DropReason, Firewall, HostSpec, LinkConfig, Loss, NatConfig, Network, RouterSpec,
};
use support::Echo;

mod tcp_client {
    include!("support/tcp_client.rs");
}
use tcp_client::Client;

fn network(seed: u64, wan: LinkConfig, fw: Option<Firewall>) -> Network {
    let mut nat = RouterSpec::nat(NatConfig::port_restricted_cone())
        .inside("home", "192.168.1.1")
        .outside("internet", "203.0.113.1");
    if let Some(fw) = fw {
        nat = nat.firewall(fw);
    }
    Network::builder(RunSeed(seed))
        .internet("internet")
        .lan("home", "192.168.1.0/24")
        .host("alice", HostSpec::on("home", &["192.168.1.10"]))
        .nat("nat", nat)
        .host("server", HostSpec::on("internet", &["192.0.2.10"]))
        .link("nat", "internet", wan)
        .capture(true)
        .build()
        .unwrap()
}

fn payload(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn stream_arrives_in_order_through_a_nat_over_a_lossy_reordering_link() {
    let wan = LinkConfig::new()
        .delay(Duration::from_millis(20))
        .loss(Loss::Bernoulli(0.05))
        .reorder(0.05, Duration::from_millis(10));
    let mut net = network(1, wan, None);
    net.attach("server", Echo::tcp("192.0.2.10:443")).unwrap();
    let data = payload(50_000);
    let id = net
        .attach(
            "alice",
            Client::new("192.168.1.10:50000", "192.0.2.10:443", data.clone()),
        )
        .unwrap();
    net.run_until(Instant::from_secs(60)).unwrap();
    let c = net.endpoint::<Client>(id).unwrap();
    assert_eq!(
        c.events.first(),
        Some(&TcpEvent::Connected),
        "{}",
        net.trace()
    );
    assert_eq!(c.received.len(), data.len());
    assert_eq!(c.received, data);
    assert_eq!(c.events.last(), Some(&TcpEvent::Closed));
    let server_events: Vec<&str> = net.events().iter().map(|e| e.text.as_str()).collect();
    assert!(server_events.iter().any(|e| e.contains("Accepted")));
    assert!(server_events.iter().any(|e| e.contains("Closed")));
    let m = net.nat_mappings("nat");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].transport, Transport::Tcp);
}

#[test]
fn connecting_to_a_closed_port_fails_with_a_reset() {
    let mut net = network(2, LinkConfig::new(), None);
    let id = net
        .attach(
            "alice",
            Client::new("192.168.1.10:50000", "192.0.2.10:443", payload(10)),
        )
        .unwrap();
    net.run_until(Instant::from_secs(5)).unwrap();
    assert_eq!(
        net.endpoint::<Client>(id).unwrap().events,
        vec![TcpEvent::ConnectFailed]
    );
    assert_eq!(net.trace().drops(DropReason::NoConnection), 1);
}

#[test]
fn filtered_syn_times_out_and_rejected_syn_is_reset() {
    // Only TCP/443 outbound: a connection to port 80 is silently dropped, then times out.
    let mut net = network(3, LinkConfig::new(), Some(Firewall::tcp_443_only()));
    net.attach("server", Echo::tcp("192.0.2.10:80")).unwrap();
    let id = net
        .attach(
            "alice",
            Client::new("192.168.1.10:50000", "192.0.2.10:80", payload(10)),
        )
        .unwrap();
    net.run_until(Instant::from_secs(30)).unwrap();
    assert_eq!(
        net.endpoint::<Client>(id).unwrap().events,
        vec![TcpEvent::ConnectFailed]
    );
    assert_eq!(net.trace().drops(DropReason::Firewall { rule: None }), 4);

    // A reject rule answers with a RST right away.
    use harness_netsim::{Action, Rule};
    let fw = Firewall::new(Action::Allow).rule(
        Rule::new(Action::Reject)
            .transport(Transport::Tcp)
            .dst_ports(80, 80),
    );
    let mut net = network(3, LinkConfig::new(), Some(fw));
    net.attach("server", Echo::tcp("192.0.2.10:80")).unwrap();
    let id = net
        .attach(
            "alice",
            Client::new("192.168.1.10:50000", "192.0.2.10:80", payload(10)),
        )
        .unwrap();
    net.run_until(Instant::from_millis(10)).unwrap();
    assert_eq!(
        net.endpoint::<Client>(id).unwrap().events,
        vec![TcpEvent::ConnectFailed]
    );

    // 443 passes, with its replies allowed as established.
    let mut net = network(3, LinkConfig::new(), Some(Firewall::tcp_443_only()));
    net.attach("server", Echo::tcp("192.0.2.10:443")).unwrap();
    let id = net
        .attach(
            "alice",
            Client::new("192.168.1.10:50000", "192.0.2.10:443", payload(3000)),
        )
        .unwrap();
    net.run_until(Instant::from_secs(5)).unwrap();
    assert_eq!(net.endpoint::<Client>(id).unwrap().received.len(), 3000);
}

#[test]
fn inbound_syn_without_mapping_is_dropped_by_the_nat() {
    let mut net = network(4, LinkConfig::new(), None);
    net.attach("alice", Echo::tcp("192.168.1.10:443")).unwrap();
    let id = net
        .attach(
            "server",
            Client::new("192.0.2.10:50000", "203.0.113.1:443", payload(10)),
        )
        .unwrap();
    net.run_until(Instant::from_secs(30)).unwrap();
    assert_eq!(
        net.endpoint::<Client>(id).unwrap().events,
        vec![TcpEvent::ConnectFailed]
    );
    assert!(net.trace().drops(DropReason::NatNoMapping) >= 1);
}

#[test]
fn simultaneous_open_through_two_nats_connects_both_sides() {
    let wan = LinkConfig::new().delay(Duration::from_millis(10));
    let mut net = Network::builder(RunSeed(5))
        .internet("internet")
        .lan("home", "192.168.1.0/24")
        .lan("office", "10.0.0.0/24")
        .host("alice", HostSpec::on("home", &["192.168.1.10"]))
        .host("bob", HostSpec::on("office", &["10.0.0.20"]))
        .nat(
            "home-nat",
            RouterSpec::nat(NatConfig::port_restricted_cone())
                .inside("home", "192.168.1.1")
                .outside("internet", "203.0.113.1"),
        )
        .nat(
            "office-nat",
            RouterSpec::nat(NatConfig::port_restricted_cone())
                .inside("office", "10.0.0.1")
                .outside("internet", "198.51.100.1"),
        )
        .link("home-nat", "internet", wan)
        .link("office-nat", "internet", wan)
        .capture(true)
        .build()
        .unwrap();
    let a_data = payload(4000);
    let b_data: Vec<u8> = a_data.iter().map(|b| b ^ 0xff).collect();
    let a = net
        .attach(
            "alice",
            Client::new("192.168.1.10:50000", "198.51.100.1:50001", a_data.clone()),
        )
        .unwrap();
    let b = net
        .attach(
            "bob",
            Client::new("10.0.0.20:50001", "203.0.113.1:50000", b_data.clone()),
        )
        .unwrap();
    net.run_until(Instant::from_secs(5)).unwrap();
    let (a, b) = (
        net.endpoint::<Client>(a).unwrap(),
        net.endpoint::<Client>(b).unwrap(),
    );
    assert_eq!(
        a.events.first(),
        Some(&TcpEvent::Connected),
        "{}",
        net.trace()
    );
    assert_eq!(b.events.first(), Some(&TcpEvent::Connected));
    assert_eq!(a.received, b_data);
    assert_eq!(b.received, a_data);
}
