//! `serve stun`: the RFC 5780 Binding server on real UDP sockets.

use std::io;
use std::net::SocketAddr;

use harness_turn::stun_server::{StunServer, StunServerConfig};
use tokio::net::UdpSocket;
use tokio::sync::oneshot;

use crate::Running;
use crate::driver::{self, Prebound};

/// Options of `webrtc-harness serve stun`.
#[derive(Clone, Debug)]
pub struct ServeStunOptions {
    /// Primary address A1:P1; port 0 picks one.
    pub listen: SocketAddr,
    /// Alternate address A2:P2 (RFC 5780); port 0 picks one. Without it the server is a plain
    /// Binding server (no OTHER-ADDRESS; CHANGE-REQUEST gets 420).
    pub alternate: Option<SocketAddr>,
}

async fn bind_four(listen: SocketAddr, alt: SocketAddr) -> io::Result<Vec<UdpSocket>> {
    let mut last = None;
    for _ in 0..20 {
        let a1p1 = UdpSocket::bind(listen).await?;
        let p1 = a1p1.local_addr()?.port();
        let a1p2 = match UdpSocket::bind(SocketAddr::new(listen.ip(), alt.port())).await {
            Ok(s) => s,
            Err(e) => {
                last = Some(e);
                continue;
            }
        };
        let p2 = a1p2.local_addr()?.port();
        let a2p1 = UdpSocket::bind(SocketAddr::new(alt.ip(), p1)).await;
        let a2p2 = UdpSocket::bind(SocketAddr::new(alt.ip(), p2)).await;
        match (a2p1, a2p2) {
            (Ok(x), Ok(y)) => return Ok(vec![a1p1, a1p2, x, y]),
            (Err(e), _) | (_, Err(e)) => {
                if listen.port() != 0 && alt.port() != 0 {
                    return Err(e);
                }
                last = Some(e);
            }
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no port pair free on both addresses")))
}

/// Starts the STUN server in the background.
///
/// # Errors
/// When the sockets cannot be bound.
pub async fn start_stun(opts: &ServeStunOptions) -> io::Result<Running> {
    let socks = match opts.alternate {
        Some(alt) => bind_four(opts.listen, alt).await?,
        None => vec![UdpSocket::bind(opts.listen).await?],
    };
    let primary = socks
        .first()
        .ok_or_else(|| io::Error::other("no socket"))?
        .local_addr()?;
    let alternate = match socks.get(3) {
        Some(s) => Some(s.local_addr()?),
        None => None,
    };
    let config = StunServerConfig {
        primary,
        alternate,
        software: Some(concat!("webrtc-harness ", env!("CARGO_PKG_VERSION")).to_owned()),
    };
    let sockets = config.sockets();
    let server = StunServer::new(config);
    let (stop_tx, stop_rx) = oneshot::channel();
    let prebound = socks.into_iter().map(Prebound::Udp).collect();
    let task = tokio::spawn(async move {
        driver::run(server, prebound, stop_rx, |_, _| {}, |_, _| {})
            .await
            .map(|_| ())
    });
    Ok(Running {
        seed: 0,
        sockets,
        stop: Some(stop_tx),
        task,
    })
}

/// Runs `serve stun` until interrupted, printing the bound addresses first.
///
/// # Errors
/// When the sockets cannot be bound.
pub async fn serve_stun(opts: ServeStunOptions) -> io::Result<()> {
    crate::until_interrupted(start_stun(&opts).await?).await
}
