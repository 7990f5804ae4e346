//! `nat-discovery`: the RFC 5780 client on real UDP sockets.

use core::time::Duration;
use std::io;
use std::net::{IpAddr, SocketAddr};

use harness_core::rng::RunSeed;
use harness_turn::discovery::{Discovery, DiscoveryConfig, DiscoveryEvent, DiscoveryReport};
use tokio::net::UdpSocket;
use tokio::sync::oneshot;

use crate::driver::{self, Prebound};

/// Options of `webrtc-harness nat-discovery`.
#[derive(Clone, Debug)]
pub struct NatDiscoveryOptions {
    /// The server's primary address.
    pub server: SocketAddr,
    /// Local IP to bind (default: the one the OS routes towards the server).
    pub local_ip: Option<IpAddr>,
    /// Waits to probe the binding lifetime with (empty: skip that test).
    pub lifetime_probes: Vec<Duration>,
    /// Seed for transaction ids.
    pub seed: Option<u64>,
}

impl NatDiscoveryOptions {
    /// Defaults for `server`.
    #[must_use]
    pub fn new(server: SocketAddr) -> Self {
        Self {
            server,
            local_ip: None,
            lifetime_probes: Vec::new(),
            seed: None,
        }
    }
}

/// Runs discovery against `opts.server` and returns the classification.
///
/// # Errors
/// When the local sockets cannot be bound.
pub async fn nat_discovery(opts: &NatDiscoveryOptions) -> io::Result<DiscoveryReport> {
    let ip = match opts.local_ip {
        Some(ip) => ip,
        None => {
            let probe = UdpSocket::bind(SocketAddr::new(
                if opts.server.is_ipv4() {
                    IpAddr::from([0, 0, 0, 0])
                } else {
                    IpAddr::from([0u16; 8])
                },
                0,
            ))
            .await?;
            probe.connect(opts.server).await?;
            probe.local_addr()?.ip()
        }
    };
    let a = UdpSocket::bind(SocketAddr::new(ip, 0)).await?;
    let b = UdpSocket::bind(SocketAddr::new(ip, 0)).await?;
    let mut cfg = DiscoveryConfig::new(opts.server, a.local_addr()?, b.local_addr()?);
    cfg.lifetime_probes.clone_from(&opts.lifetime_probes);
    let seed = opts.seed.unwrap_or_else(crate::os_seed);
    let client = Discovery::new(cfg, RunSeed(seed).stream("nat-discovery"));
    let (stop_tx, stop_rx) = oneshot::channel();
    let mut stop = Some(stop_tx);
    let mut result = None;
    let ep = driver::run(
        client,
        vec![Prebound::Udp(a), Prebound::Udp(b)],
        stop_rx,
        |_, _| {},
        |_, DiscoveryEvent::Finished(r)| {
            result = Some(r);
            if let Some(s) = stop.take() {
                let _ = s.send(());
            }
        },
    )
    .await?;
    Ok(result.unwrap_or_else(|| ep.report().clone()))
}
