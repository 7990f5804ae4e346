//! The RFC 5780 discovery client, running inside the simulator against a two-address
//! server, classifies every NAT configuration as configured.

use core::time::Duration;

use harness_core::rng::RunSeed;
use harness_core::time::Instant;
use harness_netsim::stun5780::{Classification, DiscoveryClient, Rfc5780Server};
use harness_netsim::{
    Dependence, Hairpinning, HostSpec, LinkConfig, NatConfig, Network, PortAssignment, RouterSpec,
};

const SERVER_A: &str = "192.0.2.1";
const SERVER_B: &str = "192.0.2.2";

fn server() -> Rfc5780Server {
    Rfc5780Server::new(
        SERVER_A.parse().unwrap(),
        SERVER_B.parse().unwrap(),
        3478,
        3479,
    )
}

fn client(net: &Network, seed: u64) -> DiscoveryClient {
    let _ = net;
    DiscoveryClient::new(
        "192.168.1.10".parse().unwrap(),
        40_000,
        format!("{SERVER_A}:3478").parse().unwrap(),
        RunSeed(seed).stream("client"),
    )
}

/// One NAT between a client LAN and the internet.
fn single_nat(seed: u64, nat: NatConfig) -> Network {
    Network::builder(RunSeed(seed))
        .internet("internet")
        .lan("home", "192.168.1.0/24")
        .host("client", HostSpec::on("home", &["192.168.1.10"]))
        .nat(
            "nat",
            RouterSpec::nat(nat)
                .inside("home", "192.168.1.1")
                .outside("internet", "203.0.113.1"),
        )
        .host("stun", HostSpec::on("internet", &[SERVER_A, SERVER_B]))
        .link(
            "nat",
            "internet",
            LinkConfig::new().delay(Duration::from_millis(10)),
        )
        .build()
        .unwrap()
}

/// Home NAT behind a carrier-grade NAT (RFC 6888).
fn cascade(seed: u64, home: NatConfig, cgn: NatConfig) -> Network {
    Network::builder(RunSeed(seed))
        .internet("internet")
        .lan("home", "192.168.1.0/24")
        .lan("isp", "100.64.0.0/10")
        .host("client", HostSpec::on("home", &["192.168.1.10"]))
        .nat(
            "home-nat",
            RouterSpec::nat(home)
                .inside("home", "192.168.1.1")
                .outside("isp", "100.64.0.2"),
        )
        .nat(
            "cgn",
            RouterSpec::nat(cgn)
                .inside("isp", "100.64.0.1")
                .outside("internet", "203.0.113.1"),
        )
        .host("stun", HostSpec::on("internet", &[SERVER_A, SERVER_B]))
        .build()
        .unwrap()
}

fn classify(mut net: Network, seed: u64) -> Classification {
    net.attach("stun", server()).unwrap();
    let c = client(&net, seed);
    let id = net.attach("client", c).unwrap();
    net.run_until(Instant::from_secs(30)).unwrap();
    net.endpoint::<DiscoveryClient>(id)
        .unwrap()
        .result()
        .unwrap_or_else(|| panic!("discovery did not finish\n{}", net.trace()))
}

#[test]
fn discovery_classifies_all_nine_mapping_and_filtering_combinations() {
    let mut table = String::new();
    for (i, mapping) in Dependence::ALL.into_iter().enumerate() {
        for (j, filtering) in Dependence::ALL.into_iter().enumerate() {
            let seed = 100 + (i * 3 + j) as u64;
            let got = classify(single_nat(seed, NatConfig::new(mapping, filtering)), seed);
            table.push_str(&format!(
                "{:<4} {:<4} -> {:?} {:?}\n",
                mapping.short(),
                filtering.short(),
                got.mapping,
                got.filtering
            ));
            assert_eq!(
                got.mapping,
                Some(mapping),
                "mapping of {mapping}/{filtering}: {got:?}"
            );
            assert_eq!(
                got.filtering,
                Some(filtering),
                "filtering of {mapping}/{filtering}: {got:?}"
            );
            assert_eq!(
                got.mapped.map(|m| m.ip()),
                Some("203.0.113.1".parse().unwrap())
            );
        }
    }
    println!("{table}");
}

#[test]
fn discovery_detects_hairpinning_and_source_translation() {
    let on = |t| {
        NatConfig::full_cone().hairpin(Hairpinning::On {
            source_translated: t,
        })
    };
    let got = classify(single_nat(7, on(true)), 7);
    assert_eq!(got.hairpinning, Some(true));
    assert_eq!(got.hairpin_source_translated, Some(true));
    let got = classify(single_nat(7, on(false)), 7);
    assert_eq!(got.hairpinning, Some(true));
    assert_eq!(got.hairpin_source_translated, Some(false));
    let got = classify(
        single_nat(7, NatConfig::full_cone().hairpin(Hairpinning::Off)),
        7,
    );
    assert_eq!(got.hairpinning, Some(false));
    assert_eq!(got.hairpin_source_translated, None);
}

#[test]
fn discovery_detects_port_assignment_modes_and_parity() {
    for assignment in [
        PortAssignment::Preserve,
        PortAssignment::Sequential,
        PortAssignment::Random,
    ] {
        for parity in [false, true] {
            let nat = NatConfig::port_restricted_cone()
                .ports(assignment)
                .parity(parity);
            let got = classify(single_nat(11, nat), 11);
            assert_eq!(
                got.port_assignment,
                Some(assignment),
                "{assignment} parity={parity}: {got:?}"
            );
            if parity || assignment == PortAssignment::Preserve {
                assert_eq!(got.port_parity, Some(true), "{assignment} parity={parity}");
            }
        }
    }
}

#[test]
fn cascaded_nats_classify_as_their_most_restrictive_behaviour() {
    use Dependence::{
        AddressAndPortDependent as Apd, AddressDependent as Ad, EndpointIndependent as Ei,
    };
    let cases = [
        ((Ei, Ei), (Ad, Ad), (Ad, Ad)),
        ((Ei, Apd), (Ad, Ei), (Ad, Apd)),
        ((Apd, Ei), (Ei, Ad), (Apd, Ad)),
        ((Ei, Ei), (Ei, Ei), (Ei, Ei)),
        ((Ad, Ad), (Apd, Ei), (Apd, Ad)),
    ];
    for (k, ((hm, hf), (cm, cf), (em, ef))) in cases.into_iter().enumerate() {
        let seed = 300 + k as u64;
        let got = classify(
            cascade(seed, NatConfig::new(hm, hf), NatConfig::new(cm, cf)),
            seed,
        );
        assert_eq!(
            (got.mapping, got.filtering),
            (Some(em), Some(ef)),
            "home {hm}/{hf} behind CGN {cm}/{cf}: {got:?}"
        );
    }
}

#[test]
fn discovery_reports_blocked_udp() {
    use harness_netsim::Firewall;
    let net = Network::builder(RunSeed(5))
        .internet("internet")
        .lan("home", "192.168.1.0/24")
        .host("client", HostSpec::on("home", &["192.168.1.10"]))
        .nat(
            "nat",
            RouterSpec::nat(NatConfig::full_cone())
                .inside("home", "192.168.1.1")
                .outside("internet", "203.0.113.1")
                .firewall(Firewall::udp_blocked()),
        )
        .host("stun", HostSpec::on("internet", &[SERVER_A, SERVER_B]))
        .build()
        .unwrap();
    let got = classify(net, 5);
    assert_eq!(got.mapped, None);
    assert!(got.error.is_some());
}
