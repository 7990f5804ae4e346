//! NAT details beyond mapping and filtering: timeouts and refresh, pooling, static 1:1,
//! IPv6 stateful filtering, TCP mapping lifetimes (RFC 5382), hairpinning, port exhaustion.
mod support;

use core::time::Duration;

use harness_core::rng::RunSeed;
use harness_core::time::Instant;
use harness_netsim::{
    DropReason, Hairpinning, HostSpec, LinkConfig, NatConfig, Network, Pooling, Refresh,
    RouterSpec, TraceKind,
};
use support::{Echo, Sink, udp};

mod tcp_client {
    include!("support/tcp_client.rs");
}

fn home(seed: u64, nat: RouterSpec) -> Network {
    home_with(seed, nat, LinkConfig::new())
}

fn home_with(seed: u64, nat: RouterSpec, wan: LinkConfig) -> Network {
    Network::builder(RunSeed(seed))
        .internet("internet")
        .lan("home", "192.168.1.0/24")
        .lan("home", "2001:db8:1::/64")
        .host(
            "alice",
            HostSpec::on("home", &["192.168.1.10", "2001:db8:1::10"]),
        )
        .host("bob", HostSpec::on("home", &["192.168.1.20"]))
        .nat("nat", nat)
        .host(
            "server",
            HostSpec::on("internet", &["192.0.2.10", "2001:db8:2::10"]),
        )
        .link("nat", "internet", wan)
        .build()
        .unwrap()
}

fn nat(config: NatConfig) -> RouterSpec {
    RouterSpec::nat(config)
        .inside("home", "192.168.1.1")
        .inside("home", "2001:db8:1::1")
        .outside("internet", "203.0.113.1")
        .outside("internet", "2001:db8:ffff::1")
}

fn delivered_to_alice(refresh: Refresh) -> usize {
    let config = NatConfig::full_cone()
        .udp_timeout(Duration::from_secs(120))
        .refresh(refresh);
    let mut net = home(1, nat(config));
    let sink = net.attach("alice", Sink::udp("192.168.1.10:5000")).unwrap();
    net.send("alice", udp("192.168.1.10:5000", "192.0.2.10:9"))
        .unwrap();
    for at in [100, 130] {
        net.run_until(Instant::from_secs(at)).unwrap();
        net.send("server", udp("192.0.2.10:9", "203.0.113.1:5000"))
            .unwrap();
    }
    net.run_until(Instant::from_secs(200)).unwrap();
    net.endpoint::<Sink>(sink).unwrap().received.len()
}

#[test]
fn mapping_times_out_unless_refreshed_in_the_configured_direction() {
    // Outbound-only refresh: the inbound packet at 100 s does not extend the 120 s mapping.
    assert_eq!(delivered_to_alice(Refresh::Outbound), 1);
    // Bidirectional refresh: it does, so the packet at 130 s still gets in.
    assert_eq!(delivered_to_alice(Refresh::Bidirectional), 2);
}

#[test]
fn paired_pooling_keeps_one_address_per_host_and_arbitrary_spreads() {
    let pool = |pooling| {
        let spec = RouterSpec::nat(NatConfig::full_cone().pooling(pooling))
            .inside("home", "192.168.1.1")
            .outside("internet", "203.0.113.1")
            .outside("internet", "203.0.113.2")
            .outside("internet", "203.0.113.3")
            .outside("internet", "203.0.113.4");
        let mut net = home(2, spec);
        for port in 6000..6020 {
            let t = udp(&format!("192.168.1.10:{port}"), "192.0.2.10:9");
            net.send("alice", t).unwrap();
        }
        net.run_until(Instant::from_secs(1)).unwrap();
        let mut ips: Vec<_> = net
            .nat_mappings("nat")
            .iter()
            .map(|m| m.external.ip())
            .collect();
        ips.sort();
        ips.dedup();
        ips.len()
    };
    assert_eq!(pool(Pooling::Paired), 1);
    assert!(pool(Pooling::Arbitrary) > 1);
}

#[test]
fn static_one_to_one_translates_addresses_keeps_ports_and_admits_inbound() {
    let config = NatConfig::port_restricted_cone().static_mapping(
        "192.168.1.10".parse().unwrap(),
        "203.0.113.10".parse().unwrap(),
    );
    let spec = nat(config).outside("internet", "203.0.113.10");
    let mut net = home(3, spec);
    let alice = net.attach("alice", Sink::udp("192.168.1.10:7000")).unwrap();
    let server = net.attach("server", Sink::udp("192.0.2.10:9")).unwrap();
    net.send("server", udp("192.0.2.10:9", "203.0.113.10:7000"))
        .unwrap();
    net.send("alice", udp("192.168.1.10:7000", "192.0.2.10:9"))
        .unwrap();
    net.run_until(Instant::from_secs(1)).unwrap();
    assert_eq!(net.endpoint::<Sink>(alice).unwrap().received.len(), 1);
    let seen = &net.endpoint::<Sink>(server).unwrap().received;
    assert_eq!(seen[0].1, "203.0.113.10:7000".parse().unwrap());
    // Bob is not statically mapped: he still goes through the NAPT pool.
    net.send("bob", udp("192.168.1.20:7000", "192.0.2.10:9"))
        .unwrap();
    net.run_until(Instant::from_secs(2)).unwrap();
    let seen = &net.endpoint::<Sink>(server).unwrap().received;
    assert_eq!(
        seen[1].1.ip(),
        "203.0.113.1".parse::<std::net::IpAddr>().unwrap()
    );
}

#[test]
fn ipv6_passes_untranslated_with_stateful_filtering() {
    let mut net = home(4, nat(NatConfig::port_restricted_cone()));
    let alice = net
        .attach("alice", Sink::udp("[2001:db8:1::10]:5000"))
        .unwrap();
    let server = net
        .attach("server", Sink::udp("[2001:db8:2::10]:9"))
        .unwrap();
    net.send("server", udp("[2001:db8:2::10]:9", "[2001:db8:1::10]:5000"))
        .unwrap();
    net.run_until(Instant::from_secs(1)).unwrap();
    assert_eq!(net.trace().drops(DropReason::Ipv6Filtered), 1);
    net.send("alice", udp("[2001:db8:1::10]:5000", "[2001:db8:2::10]:9"))
        .unwrap();
    net.run_until(Instant::from_secs(2)).unwrap();
    let seen = &net.endpoint::<Sink>(server).unwrap().received;
    assert_eq!(
        seen[0].1,
        "[2001:db8:1::10]:5000".parse().unwrap(),
        "not translated"
    );
    net.send("server", udp("[2001:db8:2::10]:9", "[2001:db8:1::10]:5000"))
        .unwrap();
    // Another port of the same server is still filtered (address-and-port-dependent).
    net.send(
        "server",
        udp("[2001:db8:2::10]:10", "[2001:db8:1::10]:5000"),
    )
    .unwrap();
    net.run_until(Instant::from_secs(3)).unwrap();
    assert_eq!(net.endpoint::<Sink>(alice).unwrap().received.len(), 1);
    assert_eq!(net.trace().drops(DropReason::Ipv6Filtered), 2);
    assert_eq!(
        net.trace()
            .count(|k| matches!(k, TraceKind::Translated { .. })),
        0
    );
}

#[test]
fn tcp_mapping_lives_for_the_established_timeout_then_the_transitory_one_after_close() {
    let wan = LinkConfig::new().delay(Duration::from_millis(10));
    let mut net = home_with(5, nat(NatConfig::port_restricted_cone()), wan);
    net.attach("server", Echo::tcp("192.0.2.10:443")).unwrap();
    let data = vec![1u8; 100];
    net.attach(
        "alice",
        tcp_client::Client::new("192.168.1.10:50000", "192.0.2.10:443", data),
    )
    .unwrap();
    let at = |ms: u64| Instant::from_millis(ms);
    // SYN sent, no answer yet: transitory (RFC 5382 §5: 4 minutes).
    net.run_until(at(5)).unwrap();
    assert_eq!(
        net.nat_mappings("nat")[0].expires,
        at(0) + Duration::from_secs(240)
    );
    // SYN-ACK seen, ACK sent at 20 ms: established (RFC 5382 REQ-5: at least 2 h 4 min).
    net.run_until(at(25)).unwrap();
    assert_eq!(
        net.nat_mappings("nat")[0].expires,
        at(20) + Duration::from_secs(7440)
    );
    // The client closed after the echo and the server closed back: transitory again.
    net.run_until(Instant::from_secs(10)).unwrap();
    let m = &net.nat_mappings("nat")[0];
    assert!(m.expires <= at(200) + Duration::from_secs(240), "{m:?}");
    assert!(m.expires >= at(40) + Duration::from_secs(240), "{m:?}");
}

#[test]
fn hairpinning_reaches_a_neighbour_through_its_external_mapping() {
    for (mode, expect) in [
        (
            Hairpinning::On {
                source_translated: true,
            },
            Some("203.0.113.1:7000"),
        ),
        (
            Hairpinning::On {
                source_translated: false,
            },
            Some("192.168.1.10:7000"),
        ),
        (Hairpinning::Off, None),
    ] {
        let mut net = home(6, nat(NatConfig::port_restricted_cone().hairpin(mode)));
        let bob = net.attach("bob", Sink::udp("192.168.1.20:8000")).unwrap();
        // Bob's mapping exists and permits alice's external endpoint (APDF needs that).
        net.send("alice", udp("192.168.1.10:7000", "192.0.2.10:9"))
            .unwrap();
        net.send("bob", udp("192.168.1.20:8000", "203.0.113.1:7000"))
            .unwrap();
        net.run_until(Instant::from_secs(1)).unwrap();
        net.send("alice", udp("192.168.1.10:7000", "203.0.113.1:8000"))
            .unwrap();
        net.run_until(Instant::from_secs(2)).unwrap();
        let got = net
            .endpoint::<Sink>(bob)
            .unwrap()
            .received
            .first()
            .map(|r| r.1.to_string());
        assert_eq!(got.as_deref(), expect, "{mode:?}\n{}", net.trace());
        if expect.is_none() {
            assert!(net.trace().drops(DropReason::NatNoHairpin) >= 1);
        }
    }
}

#[test]
fn port_exhaustion_drops_new_flows() {
    let mut config = NatConfig::symmetric();
    config.port_range = (5000, 5001);
    let mut net = home(7, nat(config));
    for port in [1, 2, 3] {
        net.send(
            "alice",
            udp("192.168.1.10:4000", &format!("192.0.2.10:{port}")),
        )
        .unwrap();
    }
    net.run_until(Instant::from_secs(1)).unwrap();
    assert_eq!(net.nat_mapping_count("nat"), 2);
    assert_eq!(net.trace().drops(DropReason::NatPortsExhausted), 1);
}
