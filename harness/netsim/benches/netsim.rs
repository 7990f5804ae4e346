//! Throughput of the simulated network (packets delivered per second through two NATs) and
//! the memory one NAT mapping costs.
//!
//! Run with `cargo bench -p harness-netsim`. The memory figure is printed before the
//! criterion groups run.

use core::time::Duration;
use std::hint::black_box;

use criterion::{Criterion, Throughput};
use harness_core::endpoint::{
    Endpoint, Input, Output, Socket, Transmit, Transport, TransportContext,
};
use harness_core::rng::RunSeed;
use harness_core::time::Instant;
use harness_netsim::{HostSpec, LinkConfig, NatConfig, Network, RouterSpec};

/// Counts datagrams.
struct Counter {
    socket: Socket,
    bound: bool,
    count: u64,
}

impl Endpoint for Counter {
    type Event = ();
    fn handle_input(&mut self, input: Input<'_>) {
        if let Input::Datagram { .. } = input {
            self.count += 1;
        }
    }
    fn poll_output(&mut self) -> Output<()> {
        if !self.bound {
            self.bound = true;
            return Output::Bind(self.socket);
        }
        Output::Idle
    }
    fn sockets(&self) -> Vec<Socket> {
        vec![self.socket]
    }
}

fn transmit(local: &str, remote: &str, size: usize) -> Transmit {
    Transmit {
        context: TransportContext {
            local: local.parse().unwrap_or_else(|_| unreachable!()),
            remote: remote.parse().unwrap_or_else(|_| unreachable!()),
            transport: Transport::Udp,
        },
        payload: vec![0u8; size],
    }
}

/// alice (home LAN) → home NAT → internet → office NAT → bob, both NATs port-restricted.
fn two_nat_path(wan: LinkConfig) -> Network {
    let mut net = Network::builder(RunSeed(1))
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
        .trace(false)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let counter = Counter {
        socket: Socket {
            addr: "10.0.0.20:6000".parse().unwrap_or_else(|_| unreachable!()),
            transport: Transport::Udp,
        },
        bound: false,
        count: 0,
    };
    net.attach("bob", counter).unwrap_or_else(|e| panic!("{e}"));
    // Hole punching: each side sends first so both NATs hold a permitting mapping.
    let _ = net.send(
        "alice",
        transmit("192.168.1.10:5000", "198.51.100.1:6000", 8),
    );
    let _ = net.send("bob", transmit("10.0.0.20:6000", "203.0.113.1:5000", 8));
    let _ = net.run_until(Instant::from_secs(1));
    net
}

const BATCH: u64 = 10_000;

fn throughput(c: &mut Criterion) {
    let mut g = c.benchmark_group("netsim");
    g.throughput(Throughput::Elements(BATCH));
    for (name, wan) in [
        ("two_nats_udp_100B", LinkConfig::new()),
        (
            "two_nats_udp_100B_20ms_link",
            LinkConfig::new().delay(Duration::from_millis(20)),
        ),
    ] {
        let mut net = two_nat_path(wan);
        let before = net.stats();
        let template = transmit("192.168.1.10:5000", "198.51.100.1:6000", 100);
        g.bench_function(name, |b| {
            b.iter(|| {
                for _ in 0..BATCH {
                    let _ = net.send("alice", template.clone());
                }
                // Advance a millisecond per batch so every batch starts a new instant.
                let until = net.now() + Duration::from_millis(1);
                black_box(net.run_until(until).is_ok());
            });
        });
        // Everything sent must have arrived (the 20 ms case: all but the last batches).
        let _ = net.run_until(net.now() + Duration::from_secs(1));
        let stats = net.stats();
        assert_eq!(stats.dropped, before.dropped, "{stats:?}");
        assert_eq!(
            stats.delivered - before.delivered,
            stats.sent - before.sent,
            "{stats:?}"
        );
    }
    g.finish();
}

/// CPU time of this thread (user + system), from `/proc/thread-self/stat`, in seconds.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the command name: state is field 3, utime 14, stime 15 (1-based in proc(5)).
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Packets delivered per CPU-second of this thread: immune to other processes competing
/// for the cores (wall-clock figures from criterion are not, on a shared machine).
fn cpu_throughput() {
    for (name, wan) in [
        ("two_nats_udp_100B", LinkConfig::new()),
        (
            "two_nats_udp_100B_20ms_link",
            LinkConfig::new().delay(Duration::from_millis(20)),
        ),
    ] {
        let mut net = two_nat_path(wan);
        let template = transmit("192.168.1.10:5000", "198.51.100.1:6000", 100);
        let before = net.stats().delivered;
        let start = thread_cpu_seconds();
        for _ in 0..300 {
            for _ in 0..BATCH {
                let _ = net.send("alice", template.clone());
            }
            let until = net.now() + Duration::from_millis(1);
            let _ = net.run_until(until);
        }
        let _ = net.run_until(net.now() + Duration::from_secs(1));
        let end = thread_cpu_seconds();
        let delivered = net.stats().delivered - before;
        if let (Some(a), Some(b)) = (start, end) {
            let cpu = b - a;
            println!(
                "netsim/{name}/cpu: {delivered} packets in {cpu:.2} s of CPU = {:.0} packets per CPU-second ({:.0} ns/packet)",
                delivered as f64 / cpu,
                cpu * 1e9 / delivered as f64
            );
        }
    }
}

fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Creates `n` mappings (address-and-port-dependent mapping, one per destination) and reports
/// the growth of resident memory per mapping.
fn memory_per_mapping() {
    const N: u32 = 60_000;
    let mut net = Network::builder(RunSeed(2))
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
        .trace(false)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let before = resident_bytes();
    for port in 1..=N {
        let t = transmit("192.168.1.10:5000", &format!("192.0.2.10:{port}"), 0);
        let _ = net.send("alice", t);
        if port % 1000 == 0 {
            let _ = net.run_until_idle(Instant::MAX);
        }
    }
    let _ = net.run_until_idle(Instant::MAX);
    let after = resident_bytes();
    let count = net.nat_mapping_count("nat");
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "netsim/memory_per_nat_mapping: {count} mappings, {} bytes resident growth, {} bytes/mapping",
            a.saturating_sub(b),
            a.saturating_sub(b) / count.max(1) as u64
        );
    }
    println!(
        "netsim/size_of_mapping: {} bytes inline (+ one 32-byte permit and two hash-table entries)",
        size_of::<harness_netsim::Mapping>()
    );
    black_box(net);
}

fn main() {
    memory_per_mapping();
    cpu_throughput();
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    throughput(&mut c);
    c.final_summary();
}
