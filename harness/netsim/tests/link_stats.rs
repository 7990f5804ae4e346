//! Link impairments match their configuration over many packets (seeded, so exact runs are
//! reproducible; tolerances cover the sampling error).
mod support;

use core::time::Duration;

use harness_core::rng::RunSeed;
use harness_core::time::Instant;
use harness_netsim::{
    DropReason, Fault, HostSpec, LinkConfig, LinkDirection, Loss, Network, TraceKind,
};
use support::{Echo, Pinger};

const N: u32 = 20_000;

/// `a` sends N datagrams to `b`'s echo; the link a→segment carries `config` (one way only).
fn run(config: LinkConfig, seed: u64, count: u32) -> (Network, harness_netsim::EndpointId) {
    run_every(config, seed, count, Duration::from_millis(1))
}

fn run_every(
    config: LinkConfig,
    seed: u64,
    count: u32,
    interval: Duration,
) -> (Network, harness_netsim::EndpointId) {
    let mut net = Network::builder(RunSeed(seed))
        .internet("internet")
        .host("a", HostSpec::on("internet", &["192.0.2.1"]))
        .host("b", HostSpec::on("internet", &["192.0.2.2"]))
        .link_oneway("a", "internet", LinkDirection::Egress, config)
        .trace(true)
        .build()
        .unwrap();
    net.attach("b", Echo::udp("192.0.2.2:7")).unwrap();
    let id = net
        .attach(
            "a",
            Pinger::new("192.0.2.1:9", "192.0.2.2:7", count, interval),
        )
        .unwrap();
    let span = interval.saturating_mul(count) + Duration::from_secs(10);
    net.run_for(span).unwrap();
    (net, id)
}

fn within(value: f64, expected: f64, tolerance: f64) -> bool {
    (value - expected).abs() <= tolerance
}

#[test]
fn bernoulli_loss_rate_matches() {
    let (net, id) = run(LinkConfig::new().loss(Loss::Bernoulli(0.05)), 1, N);
    let lost = net.trace().drops(DropReason::Loss) as f64 / f64::from(N);
    assert!(within(lost, 0.05, 0.006), "loss {lost}");
    let got = net.endpoint::<Pinger>(id).unwrap().received.len() as f64;
    assert!(within(got / f64::from(N), 0.95, 0.006));
}

#[test]
fn gilbert_elliott_loss_rate_and_burstiness_match() {
    let loss = Loss::GilbertElliott {
        good_to_bad: 0.01,
        bad_to_good: 0.2,
        loss_good: 0.0,
        loss_bad: 0.5,
    };
    let (net, id) = run(LinkConfig::new().loss(loss), 2, N);
    let mut lost = vec![true; N as usize];
    for (n, _, _) in &net.endpoint::<Pinger>(id).unwrap().received {
        lost[*n as usize] = false;
    }
    let drops = lost.iter().filter(|l| **l).count();
    let rate = drops as f64 / f64::from(N);
    assert_eq!(drops, net.trace().drops(DropReason::Loss));
    assert!(
        within(rate, loss.mean_rate(), 0.01),
        "rate {rate} vs {}",
        loss.mean_rate()
    );
    // Bursty: consecutive losses far more often than independent loss would give.
    let adjacent = lost.windows(2).filter(|w| w[0] && w[1]).count() as f64;
    let conditional = adjacent / drops as f64;
    assert!(
        conditional > 3.0 * rate,
        "P(loss|loss) {conditional} vs rate {rate}"
    );
}

#[test]
fn delay_and_jitter_distribution_match() {
    let config = LinkConfig::new()
        .delay(Duration::from_millis(50))
        .jitter(Duration::from_millis(10))
        .reorder(0.0, Duration::ZERO);
    // Packets 25 ms apart never catch up with each other, so no in-order clamping.
    let (net, id) = run_every(config, 3, 5_000, Duration::from_millis(25));
    let p = net.endpoint::<Pinger>(id).unwrap();
    assert_eq!(p.received.len(), 5_000);
    let rtts: Vec<f64> = p
        .received
        .iter()
        .map(|(_, s, r)| (*r - *s).as_secs_f64() * 1000.0)
        .collect();
    let mean = rtts.iter().sum::<f64>() / rtts.len() as f64;
    let min = rtts.iter().copied().fold(f64::MAX, f64::min);
    let max = rtts.iter().copied().fold(0.0, f64::max);
    // Uniform in [40, 60] ms: mean 50, standard deviation 20/sqrt(12) = 5.77 ms.
    assert!(min >= 40.0 && max <= 60.0, "min {min} max {max}");
    assert!(within(mean, 50.0, 0.3), "mean {mean}");
    let var = rtts.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / rtts.len() as f64;
    assert!(within(var.sqrt(), 5.77, 0.3), "sd {}", var.sqrt());
    let low = rtts.iter().filter(|r| **r < 45.0).count() as f64 / rtts.len() as f64;
    assert!(within(low, 0.25, 0.03), "share below 45 ms {low}");
}

#[test]
fn duplication_and_reordering_rates_match() {
    let config = LinkConfig::new()
        .delay(Duration::from_millis(5))
        .duplicate(0.02)
        .reorder(0.03, Duration::from_millis(20));
    let (net, id) = run(config, 4, N);
    let dups = net
        .trace()
        .count(|k| matches!(k, TraceKind::Duplicated { .. })) as f64;
    assert!(within(dups / f64::from(N), 0.02, 0.004), "dups {dups}");
    let p = net.endpoint::<Pinger>(id).unwrap();
    let reordered = p.received.windows(2).filter(|w| w[1].0 < w[0].0).count() as f64;
    assert!(
        within(reordered / f64::from(N), 0.03, 0.006),
        "reordered {reordered}"
    );
}

#[test]
fn mtu_drops_oversized_packets() {
    let (net, _) = run(LinkConfig::new().mtu(40), 5, 10);
    // 32-byte payload + 28 bytes of headers = 60 > 40.
    assert_eq!(net.trace().drops(DropReason::Mtu), 10);
}

#[test]
fn rate_limit_paces_and_queue_limit_drops() {
    // 1 Mbit/s, 32+28 = 60-byte packets every 1 ms = 480 kbit/s: fits, paced 0.48 ms each.
    let (net, id) = run(LinkConfig::new().rate(1_000_000, 1500), 6, 1_000);
    assert_eq!(net.endpoint::<Pinger>(id).unwrap().received.len(), 1_000);
    // 100 kbit/s cannot carry 480 kbit/s: the small queue overflows.
    let (net, _) = run(LinkConfig::new().rate(100_000, 600), 6, 1_000);
    let drops = net.trace().drops(DropReason::QueueFull);
    assert!((700..=850).contains(&drops), "queue drops {drops}");
}

#[test]
fn partition_hold_release_and_heal_act_at_their_times() {
    let mut net = Network::builder(RunSeed(8))
        .internet("internet")
        .host("a", HostSpec::on("internet", &["192.0.2.1"]))
        .host("b", HostSpec::on("internet", &["192.0.2.2"]))
        .fault(Instant::from_millis(100), Fault::partition("b", "internet"))
        .fault(Instant::from_millis(200), Fault::heal("b", "internet"))
        .fault(
            Instant::from_millis(300),
            Fault::partition_oneway("b", "internet", LinkDirection::Egress),
        )
        .fault(Instant::from_millis(400), Fault::heal("b", "internet"))
        .fault(Instant::from_millis(500), Fault::hold("b", "internet"))
        .fault(Instant::from_millis(600), Fault::release("b", "internet"))
        .build()
        .unwrap();
    net.attach("b", Echo::udp("192.0.2.2:7")).unwrap();
    let id = net
        .attach(
            "a",
            Pinger::new("192.0.2.1:9", "192.0.2.2:7", 700, Duration::from_millis(1)),
        )
        .unwrap();
    net.run_until(Instant::from_secs(2)).unwrap();
    let p = net.endpoint::<Pinger>(id).unwrap();
    let answered = |n: u32| p.received.iter().find(|r| r.0 == n);
    assert!(answered(50).is_some());
    assert!(answered(150).is_none(), "partitioned both ways");
    assert!(answered(250).is_some());
    assert!(answered(350).is_none(), "one-way partition drops the echo");
    assert_eq!(net.trace().drops(DropReason::Partition), 200);
    // Held packets arrive at the release time, in order.
    let held = answered(550).unwrap();
    assert_eq!(held.2, Instant::from_millis(600));
    let order: Vec<u32> = p
        .received
        .iter()
        .map(|r| r.0)
        .filter(|n| (500..600).contains(n))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]));
}
