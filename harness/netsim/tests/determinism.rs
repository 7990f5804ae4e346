//! Same seed → identical trace and capture; another seed → differs where randomness matters.
mod support;

use core::time::Duration;

use harness_core::rng::RunSeed;
use harness_core::time::Instant;
use harness_netsim::{HostSpec, LinkConfig, Loss, NatConfig, Network, RouterSpec};
use support::{Echo, Pinger};

fn run(seed: u64) -> (String, Vec<u8>) {
    let wan = LinkConfig::new()
        .delay(Duration::from_millis(20))
        .jitter(Duration::from_millis(5))
        .loss(Loss::Bernoulli(0.1))
        .duplicate(0.05)
        .reorder(0.05, Duration::from_millis(15));
    let mut net = Network::builder(RunSeed(seed))
        .internet("internet")
        .lan("home", "192.168.1.0/24")
        .host("alice", HostSpec::on("home", &["192.168.1.10"]))
        .nat(
            "nat",
            RouterSpec::nat(NatConfig::symmetric())
                .inside("home", "192.168.1.1")
                .outside("internet", "203.0.113.1"),
        )
        .host("server", HostSpec::on("internet", &["192.0.2.10"]))
        .link("nat", "internet", wan)
        .capture(true)
        .build()
        .unwrap();
    net.attach("server", Echo::udp("192.0.2.10:7")).unwrap();
    net.attach(
        "alice",
        Pinger::new(
            "192.168.1.10:5000",
            "192.0.2.10:7",
            200,
            Duration::from_millis(10),
        ),
    )
    .unwrap();
    net.run_until(Instant::from_secs(5)).unwrap();
    (net.trace().to_string(), net.pcapng().unwrap().to_vec())
}

#[test]
fn same_seed_gives_identical_trace_and_capture() {
    let a = run(42);
    let b = run(42);
    assert_eq!(a.0, b.0);
    assert_eq!(a.1, b.1);
    assert!(a.0.lines().count() > 400);
}

#[test]
fn another_seed_changes_what_randomness_decides() {
    let a = run(42);
    let b = run(43);
    assert_ne!(a.0, b.0);
    assert_ne!(a.1, b.1);
}

#[test]
fn adding_a_node_does_not_change_other_streams() {
    // The NAT's random port for the first mapping depends only on its own stream.
    let port = |extra: bool| {
        let mut b = Network::builder(RunSeed(9))
            .internet("internet")
            .lan("home", "192.168.1.0/24")
            .host("alice", HostSpec::on("home", &["192.168.1.10"]))
            .nat(
                "nat",
                RouterSpec::nat(NatConfig::symmetric())
                    .inside("home", "192.168.1.1")
                    .outside("internet", "203.0.113.1"),
            )
            .host("server", HostSpec::on("internet", &["192.0.2.10"]));
        if extra {
            b = b.host("bystander", HostSpec::on("internet", &["192.0.2.99"]));
        }
        let mut net = b.build().unwrap();
        net.attach("server", Echo::udp("192.0.2.10:7")).unwrap();
        net.attach(
            "alice",
            Pinger::new(
                "192.168.1.10:5000",
                "192.0.2.10:7",
                1,
                Duration::from_millis(10),
            ),
        )
        .unwrap();
        net.run_until(Instant::from_secs(1)).unwrap();
        net.nat_mappings("nat")[0].external
    };
    assert_eq!(port(false), port(true));
}
