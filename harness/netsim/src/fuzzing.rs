//! Fuzzing entry points. The shims in `fuzz/fuzz_targets/` call these; ordinary tests run
//! them too, so their bodies stay compiled and exercised.

use core::time::Duration;
use std::collections::VecDeque;
use std::net::SocketAddr;

use harness_core::endpoint::{
    Endpoint, Input, Output, Socket, TcpCommand, Transmit, Transport, TransportContext,
};
use harness_core::rng::RunSeed;

use crate::fault::{Fault, LinkDirection};
use crate::firewall::Firewall;
use crate::link::{LinkConfig, Loss};
use crate::nat::{Dependence, Hairpinning, NatConfig, PortAssignment};
use crate::network::{Limits, Network};
use crate::packet::{L4, TcpFlags, TcpHeader};
use crate::topology::{HostSpec, RouterSpec};

/// Interprets `data` as a topology choice followed by operations (raw UDP and TCP packets
/// with arbitrary headers, TCP connects and closes, time steps, faults), runs it twice and
/// checks that nothing panics and both runs give the same trace and capture.
///
/// # Panics
/// When the two runs differ (a determinism bug) — that is the invariant being fuzzed.
pub fn fuzz_network(data: &[u8]) {
    let first = run(data);
    let second = run(data);
    assert_eq!(
        first, second,
        "same input must give the same trace and capture"
    );
}

const HOSTS: [&str; 3] = ["alice", "bob", "server"];
const ADDRS: [&str; 6] = [
    "192.168.1.10",
    "192.168.1.20",
    "192.0.2.10",
    "203.0.113.1",
    "192.0.2.99",
    "10.9.9.9",
];

fn pick<T: Copy>(items: &[T], b: u8) -> Option<T> {
    items.get(usize::from(b) % items.len().max(1)).copied()
}

fn addr(ip_byte: u8, port_byte: u8) -> Option<SocketAddr> {
    let ip = pick(&ADDRS, ip_byte)?;
    let port = 3470 + u16::from(port_byte % 16);
    format!("{ip}:{port}").parse().ok()
}

fn run(data: &[u8]) -> Option<(String, Vec<u8>)> {
    let (head, ops) = data.split_first_chunk::<3>()?;
    let [nat_byte, fw_byte, link_byte] = *head;
    let mapping = pick(&Dependence::ALL, nat_byte)?;
    let filtering = pick(&Dependence::ALL, nat_byte >> 2)?;
    let ports = pick(
        &[
            PortAssignment::Preserve,
            PortAssignment::Sequential,
            PortAssignment::Random,
        ],
        nat_byte >> 4,
    )?;
    let mut nat = NatConfig::new(mapping, filtering)
        .ports(ports)
        .parity(nat_byte & 0x40 != 0);
    if nat_byte & 0x80 != 0 {
        nat = nat.hairpin(Hairpinning::Off);
    }
    let firewall = match fw_byte % 4 {
        0 => Firewall::default(),
        1 => Firewall::udp_blocked(),
        2 => Firewall::tcp_443_only(),
        _ => Firewall::outbound_only(),
    };
    let wan = LinkConfig::new()
        .delay(Duration::from_millis(u64::from(link_byte % 8)))
        .jitter(Duration::from_millis(u64::from(link_byte >> 6)))
        .loss(Loss::Bernoulli(f64::from(link_byte & 0x08) / 40.0))
        .duplicate(f64::from(link_byte & 0x10) / 80.0)
        .reorder(f64::from(link_byte & 0x20) / 80.0, Duration::from_millis(3))
        .mtu(1200);
    let mut net = Network::builder(RunSeed(u64::from(link_byte)))
        .internet("internet")
        .lan("home", "192.168.1.0/24")
        .host("alice", HostSpec::on("home", &["192.168.1.10"]))
        .host("bob", HostSpec::on("home", &["192.168.1.20"]))
        .nat(
            "nat",
            RouterSpec::nat(nat)
                .inside("home", "192.168.1.1")
                .outside("internet", "203.0.113.1")
                .firewall(firewall),
        )
        .host("server", HostSpec::on("internet", &["192.0.2.10"]))
        .link("nat", "internet", wan)
        .capture(true)
        .build()
        .ok()?;
    // Echo endpoints can talk to themselves or to each other with no delay: a livelock the
    // network must report, cheaply (the default budget would grow traces to gigabytes).
    net.set_limits(Limits {
        events_per_instant: 5_000,
        outputs_per_drain: 1_000,
    });
    for (host, ip) in [
        ("alice", "192.168.1.10"),
        ("bob", "192.168.1.20"),
        ("server", "192.0.2.10"),
    ] {
        for port in [3470u16, 3471] {
            for transport in [Transport::Udp, Transport::Tcp] {
                let addr = format!("{ip}:{port}").parse().ok()?;
                net.attach(host, FuzzEcho::new(addr, transport)).ok()?;
            }
        }
    }
    for op in ops.chunks(8) {
        let [kind, host, src_ip, src_port, dst_ip, dst_port, flags, len] = *op else {
            break;
        };
        let node = net.node(pick(&HOSTS, host)?)?;
        let (Some(src), Some(dst)) = (addr(src_ip, src_port), addr(dst_ip, dst_port)) else {
            continue;
        };
        let payload = vec![flags; usize::from(len) * 2];
        match kind % 5 {
            0 => net.inject(node, src, dst, L4::Udp, payload),
            1 => {
                let header = TcpHeader {
                    seq: u32::from(len).wrapping_mul(0x0101_0101),
                    ack: u32::from(flags).wrapping_mul(0x0100_0001),
                    flags: TcpFlags(flags & 0x1f),
                    window: 65_535,
                };
                net.inject(node, src, dst, L4::Tcp(header), payload);
            }
            2 => {
                let step = Duration::from_millis(u64::from(len));
                if net.run_for(step).is_err() {
                    break;
                }
            }
            3 => {
                let dir = pick(
                    &[
                        LinkDirection::Both,
                        LinkDirection::Egress,
                        LinkDirection::Ingress,
                    ],
                    flags,
                )?;
                let at = net.now() + Duration::from_millis(u64::from(len));
                let fault = match flags % 4 {
                    0 => Fault::partition_oneway("nat", "internet", dir),
                    1 => Fault::hold("nat", "internet"),
                    2 => Fault::release("nat", "internet"),
                    _ => Fault::heal("nat", "internet"),
                };
                net.schedule(at, fault).ok()?;
            }
            _ => {
                // An endpoint-driven TCP connect (or close) from the sockets the echo owns.
                let ctx = TransportContext {
                    local: src,
                    remote: dst,
                    transport: Transport::Tcp,
                };
                let cmd = if flags & 1 == 0 {
                    TcpCommand::Connect(ctx)
                } else {
                    TcpCommand::Close(ctx)
                };
                let echo = FuzzEcho::command(cmd);
                net.attach(pick(&HOSTS, host)?, echo).ok()?;
            }
        }
    }
    let _ = net.run_for(Duration::from_secs(30));
    Some((
        net.trace().to_string(),
        net.pcapng().unwrap_or_default().to_vec(),
    ))
}

/// Echoes UDP datagrams and TCP stream bytes; optionally issues one TCP command first.
struct FuzzEcho {
    socket: Option<Socket>,
    out: VecDeque<Output<()>>,
}

impl FuzzEcho {
    fn new(addr: SocketAddr, transport: Transport) -> Self {
        let socket = Socket { addr, transport };
        Self {
            socket: Some(socket),
            out: VecDeque::from([Output::Bind(socket)]),
        }
    }

    fn command(cmd: TcpCommand) -> Self {
        Self {
            socket: None,
            out: VecDeque::from([Output::Tcp(cmd)]),
        }
    }
}

impl Endpoint for FuzzEcho {
    type Event = ();
    fn handle_input(&mut self, input: Input<'_>) {
        if let Input::Datagram {
            context, payload, ..
        } = input
        {
            self.out.push_back(Output::Transmit(Transmit {
                context,
                payload: payload.to_vec(),
            }));
        }
    }
    fn poll_output(&mut self) -> Output<()> {
        self.out.pop_front().unwrap_or(Output::Idle)
    }
    fn sockets(&self) -> Vec<Socket> {
        self.socket.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<Vec<u8>> {
        let mut inputs = vec![
            vec![],
            vec![0, 0, 0],
            // UDP out and back, TCP SYN, time, fault, connect.
            vec![
                0x15, 0, 0x3f, 0, 0, 0, 0, 2, 0, 0, 4, //
                1, 0, 0, 1, 2, 0, 0x02, 3, //
                2, 0, 0, 0, 0, 0, 0, 50, //
                3, 0, 0, 0, 0, 0, 1, 10, //
                4, 0, 0, 0, 2, 0, 0, 0, //
                2, 0, 0, 0, 0, 0, 0, 200,
            ],
        ];
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
        for sub in ["seeds/netsim_ops", "regressions/netsim_ops"] {
            if let Ok(entries) = std::fs::read_dir(dir.join(sub)) {
                let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
                files.sort();
                inputs.extend(files.iter().filter_map(|f| std::fs::read(f).ok()));
            }
        }
        inputs
    }

    #[test]
    fn fuzz_body_runs_the_corpus_deterministically() {
        for input in corpus() {
            fuzz_network(&input);
        }
    }

    #[test]
    fn fuzz_body_survives_pseudo_random_inputs() {
        let mut rng = harness_core::rng::SeededRng::from_u64(5);
        for len in [3usize, 11, 27, 64, 200] {
            let input: Vec<u8> = (0..len).map(|_| rng.below(256) as u8).collect();
            fuzz_network(&input);
        }
    }
}
