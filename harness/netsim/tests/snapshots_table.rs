//! Snapshots: the classification table the RFC 5780 client produces inside the simulator for
//! every NAT configuration, and the packet trace of a short seeded run.
mod support;

use core::fmt::Write as _;
use core::time::Duration;

use harness_core::rng::RunSeed;
use harness_core::time::Instant;
use harness_netsim::stun5780::{Classification, DiscoveryClient, Rfc5780Server};
use harness_netsim::{
    Dependence, Hairpinning, HostSpec, LinkConfig, Loss, NatConfig, Network, PortAssignment,
    RouterSpec,
};
use support::{Echo, Pinger};

fn classify(nat: NatConfig, seed: u64) -> Classification {
    let mut net = Network::builder(RunSeed(seed))
        .internet("internet")
        .lan("home", "192.168.1.0/24")
        .host("client", HostSpec::on("home", &["192.168.1.10"]))
        .nat(
            "nat",
            RouterSpec::nat(nat)
                .inside("home", "192.168.1.1")
                .outside("internet", "203.0.113.1"),
        )
        .host(
            "stun",
            HostSpec::on("internet", &["192.0.2.1", "192.0.2.2"]),
        )
        .link(
            "nat",
            "internet",
            LinkConfig::new().delay(Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    let server = Rfc5780Server::new(
        "192.0.2.1".parse().unwrap(),
        "192.0.2.2".parse().unwrap(),
        3478,
        3479,
    );
    net.attach("stun", server).unwrap();
    let client = DiscoveryClient::new(
        "192.168.1.10".parse().unwrap(),
        40_000,
        "192.0.2.1:3478".parse().unwrap(),
        RunSeed(seed).stream("client"),
    );
    let id = net.attach("client", client).unwrap();
    net.run_until(Instant::from_secs(30)).unwrap();
    net.endpoint::<DiscoveryClient>(id)
        .unwrap()
        .result()
        .unwrap()
}

fn opt<T: core::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn row(table: &mut String, configured: &str, got: &Classification) {
    let _ = writeln!(
        table,
        "| {configured:<44} | {:<26} | {:<26} | {:<7} | {:<10} | {:<10} | {:<6} |",
        opt(got.mapping),
        opt(got.filtering),
        opt(got.hairpinning),
        opt(got.hairpin_source_translated),
        opt(got.port_assignment),
        opt(got.port_parity),
    );
}

#[test]
fn classification_table() {
    let mut table = String::from(
        "| configured NAT                               | mapping found              | filtering found            | hairpin | hp src xlt | ports      | parity |\n",
    );
    let mut seed = 1;
    for mapping in Dependence::ALL {
        for filtering in Dependence::ALL {
            let got = classify(NatConfig::new(mapping, filtering), seed);
            assert_eq!(
                (got.mapping, got.filtering),
                (Some(mapping), Some(filtering))
            );
            row(
                &mut table,
                &format!(
                    "{} mapping, {} filtering",
                    mapping.short(),
                    filtering.short()
                ),
                &got,
            );
            seed += 1;
        }
    }
    for (name, mode) in [
        (
            "EI/EI, hairpinning on, source translated",
            Hairpinning::On {
                source_translated: true,
            },
        ),
        (
            "EI/EI, hairpinning on, source kept",
            Hairpinning::On {
                source_translated: false,
            },
        ),
        ("EI/EI, hairpinning off", Hairpinning::Off),
    ] {
        let got = classify(NatConfig::full_cone().hairpin(mode), seed);
        assert_eq!(got.hairpinning, Some(mode != Hairpinning::Off));
        row(&mut table, name, &got);
        seed += 1;
    }
    for assignment in [
        PortAssignment::Preserve,
        PortAssignment::Sequential,
        PortAssignment::Random,
    ] {
        for parity in [false, true] {
            let got = classify(
                NatConfig::port_restricted_cone()
                    .ports(assignment)
                    .parity(parity),
                seed,
            );
            assert_eq!(got.port_assignment, Some(assignment));
            row(
                &mut table,
                &format!("EI/APD, {assignment} ports, parity {parity}"),
                &got,
            );
            seed += 1;
        }
    }
    println!("{table}");
    insta::assert_snapshot!(table);
}

#[test]
fn trace_of_a_short_lossy_run() {
    let mut net = Network::builder(RunSeed(3))
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
        .link(
            "nat",
            "internet",
            LinkConfig::new()
                .delay(Duration::from_millis(20))
                .jitter(Duration::from_millis(2))
                .loss(Loss::Bernoulli(0.2))
                .duplicate(0.1),
        )
        .build()
        .unwrap();
    net.attach("server", Echo::udp("192.0.2.10:7")).unwrap();
    net.attach(
        "alice",
        Pinger::new(
            "192.168.1.10:5000",
            "192.0.2.10:7",
            4,
            Duration::from_millis(30),
        ),
    )
    .unwrap();
    net.send("server", support::udp("192.0.2.10:7", "203.0.113.1:9999"))
        .unwrap();
    net.run_until(Instant::from_secs(1)).unwrap();
    insta::assert_snapshot!(net.trace().to_string());
}
