//! UDP through LANs, routers and NATs.
mod support;

use core::time::Duration;

use harness_core::rng::RunSeed;
use harness_core::time::Instant;
use harness_netsim::{DropReason, HostSpec, LinkConfig, NatConfig, Network, RouterSpec, TraceKind};
use support::{Echo, Pinger};

fn two_nats(seed: u64) -> Network {
    Network::builder(RunSeed(seed))
        .internet("internet")
        .lan("home", "192.168.1.0/24")
        .lan("office", "10.0.0.0/24")
        .host("alice", HostSpec::on("home", &["192.168.1.10"]))
        .host("bob", HostSpec::on("office", &["10.0.0.20"]))
        .nat(
            "home-nat",
            RouterSpec::nat(NatConfig::full_cone())
                .inside("home", "192.168.1.1")
                .outside("internet", "203.0.113.1"),
        )
        .nat(
            "office-nat",
            RouterSpec::nat(NatConfig::full_cone())
                .inside("office", "10.0.0.1")
                .outside("internet", "198.51.100.1"),
        )
        .host("server", HostSpec::on("internet", &["192.0.2.10"]))
        .link(
            "alice",
            "home",
            LinkConfig::new().delay(Duration::from_millis(5)),
        )
        .capture(true)
        .build()
        .unwrap()
}

#[test]
fn udp_reaches_a_public_server_through_a_nat_and_back() {
    let mut net = two_nats(1);
    net.attach("server", Echo::udp("192.0.2.10:3478")).unwrap();
    let ping = net
        .attach(
            "alice",
            Pinger::new(
                "192.168.1.10:5000",
                "192.0.2.10:3478",
                3,
                Duration::from_millis(20),
            ),
        )
        .unwrap();
    net.run_until(Instant::from_secs(1)).unwrap();
    let p = net.endpoint::<Pinger>(ping).unwrap();
    assert_eq!(p.received.len(), 3, "{}", net.trace());
    // One 5 ms link traversal each way (alice <-> home segment).
    assert_eq!(p.received[0].2 - p.received[0].1, Duration::from_millis(10));
    let m = net.nat_mappings("home-nat");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].external, "203.0.113.1:5000".parse().unwrap());
    assert!(
        net.trace()
            .count(|k| matches!(k, TraceKind::Translated { .. }))
            >= 6
    );
}

#[test]
fn unsolicited_inbound_is_dropped_without_a_mapping() {
    let mut net = two_nats(1);
    net.attach("alice", Echo::udp("192.168.1.10:5000")).unwrap();
    net.attach(
        "server",
        Pinger::new(
            "192.0.2.10:3478",
            "203.0.113.1:5000",
            1,
            Duration::from_millis(20),
        ),
    )
    .unwrap();
    net.run_until(Instant::from_secs(1)).unwrap();
    assert_eq!(
        net.trace().drops(DropReason::NatNoMapping),
        1,
        "{}",
        net.trace()
    );
}

#[test]
fn a_multi_homed_host_picks_the_interface_and_source_address_by_route() {
    use harness_core::endpoint::{Transmit, Transport, TransportContext};
    use support::Sink;
    let mut net = Network::builder(RunSeed(3))
        .internet("internet")
        .lan("home", "192.168.1.0/24")
        .host("alice", HostSpec::on("home", &["192.168.1.10"]))
        .host(
            "multi",
            HostSpec::new()
                .iface("home", &["192.168.1.30"])
                .iface("internet", &["192.0.2.30"]),
        )
        .nat(
            "nat",
            RouterSpec::nat(NatConfig::full_cone())
                .inside("home", "192.168.1.1")
                .outside("internet", "203.0.113.1"),
        )
        .host("server", HostSpec::on("internet", &["192.0.2.10"]))
        .capture(true)
        .build()
        .unwrap();
    let server = net.attach("server", Sink::udp("192.0.2.10:9")).unwrap();
    let alice = net.attach("alice", Sink::udp("192.168.1.10:9")).unwrap();
    let from_any = |remote: &str| Transmit {
        context: TransportContext {
            local: "0.0.0.0:4000".parse().unwrap(),
            remote: remote.parse().unwrap(),
            transport: Transport::Udp,
        },
        payload: b"x".to_vec(),
    };
    net.send("multi", from_any("192.0.2.10:9")).unwrap();
    net.send("multi", from_any("192.168.1.10:9")).unwrap();
    net.run_until(Instant::from_secs(1)).unwrap();
    let s = &net.endpoint::<Sink>(server).unwrap().received;
    assert_eq!(
        s[0].1,
        "192.0.2.30:4000".parse().unwrap(),
        "direct, not through the NAT"
    );
    let a = &net.endpoint::<Sink>(alice).unwrap().received;
    assert_eq!(a[0].1, "192.168.1.30:4000".parse().unwrap());
    assert_eq!(net.nat_mapping_count("nat"), 0);
    // Each interface is its own capture point.
    let pcap = net.pcapng().unwrap();
    let names = ["multi/eth0", "multi/eth1"];
    for n in names {
        assert!(pcap.windows(n.len()).any(|w| w == n.as_bytes()), "{n}");
    }
}
