//! Captures open in tshark with no malformed packets and no expert errors. The test fails
//! when tshark is missing and `CI` is set; elsewhere it skips with a message.
mod support;

use core::time::Duration;
use std::path::PathBuf;
use std::process::Command;

use harness_core::endpoint::Transport;
use harness_core::rng::RunSeed;
use harness_core::time::Instant;
use harness_netsim::{HostSpec, LinkConfig, NatConfig, Network, RouterSpec};
use support::{Echo, Pinger};

mod tcp_client {
    include!("support/tcp_client.rs");
}

fn capture() -> Vec<u8> {
    let mut net = Network::builder(RunSeed(1))
        .internet("internet")
        .lan("home", "192.168.1.0/24")
        .lan("home", "2001:db8:1::/64")
        .host(
            "alice",
            HostSpec::on("home", &["192.168.1.10", "2001:db8:1::10"]),
        )
        .nat(
            "nat",
            RouterSpec::nat(NatConfig::port_restricted_cone())
                .inside("home", "192.168.1.1")
                .inside("home", "2001:db8:1::1")
                .outside("internet", "203.0.113.1")
                .outside("internet", "2001:db8:ffff::1"),
        )
        .host(
            "server",
            HostSpec::on("internet", &["192.0.2.10", "2001:db8:2::10"]),
        )
        .link(
            "nat",
            "internet",
            LinkConfig::new().delay(Duration::from_millis(15)),
        )
        .capture(true)
        .build()
        .unwrap();
    net.attach("server", Echo::udp("192.0.2.10:3478")).unwrap();
    net.attach("server", Echo::udp("[2001:db8:2::10]:3478"))
        .unwrap();
    net.attach("server", Echo::tcp("192.0.2.10:443")).unwrap();
    net.attach("server", Echo::tcp("[2001:db8:2::10]:443"))
        .unwrap();
    net.attach(
        "alice",
        Pinger::new(
            "192.168.1.10:5000",
            "192.0.2.10:3478",
            5,
            Duration::from_millis(10),
        ),
    )
    .unwrap();
    net.attach(
        "alice",
        Pinger::new(
            "[2001:db8:1::10]:5000",
            "[2001:db8:2::10]:3478",
            5,
            Duration::from_millis(10),
        ),
    )
    .unwrap();
    let data: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
    let v4 = net
        .attach(
            "alice",
            tcp_client::Client::new("192.168.1.10:50000", "192.0.2.10:443", data.clone()),
        )
        .unwrap();
    let v6 = net
        .attach(
            "alice",
            tcp_client::Client::new(
                "[2001:db8:1::10]:50000",
                "[2001:db8:2::10]:443",
                data.clone(),
            ),
        )
        .unwrap();
    net.run_until(Instant::from_secs(10)).unwrap();
    for id in [v4, v6] {
        assert_eq!(
            net.endpoint::<tcp_client::Client>(id).unwrap().received,
            data,
            "{}",
            net.trace()
        );
    }
    let _ = Transport::Tcp;
    net.pcapng().unwrap().to_vec()
}

fn tshark_available() -> bool {
    Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn tshark_reads_captures_without_malformed_packets_or_expert_errors() {
    if !tshark_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "tshark is required in CI (apt-get install -y tshark)"
        );
        println!("skipping: tshark not installed (set CI to make this a failure)");
        return;
    }
    let bytes = capture();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("netsim-tshark.pcapng");
    std::fs::write(&path, &bytes).unwrap();
    let out = Command::new("tshark")
        .arg("-r")
        .arg(&path)
        .args([
            "-o",
            "tcp.check_checksum:TRUE",
            "-o",
            "udp.check_checksum:TRUE",
            "-o",
            "ip.check_checksum:TRUE",
        ])
        .args([
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "frame.interface_name",
            "-e",
            "_ws.col.protocol",
            "-e",
            "_ws.malformed",
            "-e",
            "_ws.expert.severity",
            "-e",
            "_ws.expert.message",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let frames: Vec<&str> = text.lines().collect();
    assert!(frames.len() > 100, "too few frames: {}", frames.len());
    let mut problems = Vec::new();
    for line in &frames {
        let cols: Vec<&str> = line.split('\t').collect();
        let malformed = cols.get(3).is_some_and(|c| !c.is_empty());
        // Expert severity: 0x00800000 = error (warnings and notes are allowed).
        let error = cols
            .get(4)
            .is_some_and(|c| c.split(',').any(|s| s.trim() == "8388608"));
        if malformed || error {
            problems.push(*line);
        }
    }
    assert!(
        problems.is_empty(),
        "tshark problems:\n{}",
        problems.join("\n")
    );
    // Every capture point is present: both host interfaces, both NAT interfaces.
    for name in [
        "alice/eth0",
        "server/eth0",
        "nat/inside-home",
        "nat/outside",
    ] {
        assert!(
            frames.iter().any(|l| l.contains(name)),
            "no frames on {name}"
        );
    }
    // tshark sees both directions of both TCP streams, and UDP over IPv4 and IPv6.
    let conv = Command::new("tshark")
        .arg("-r")
        .arg(&path)
        .args(["-q", "-z", "conv,tcp"])
        .output()
        .unwrap();
    let conv = String::from_utf8_lossy(&conv.stdout);
    assert!(
        conv.contains("192.0.2.10:443") || conv.contains("192.0.2.10:https"),
        "{conv}"
    );
}
