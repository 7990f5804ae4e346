//! `serve turn`.

use std::io;
use std::net::{IpAddr, SocketAddr};

use harness_core::endpoint::{Socket, Transport};
use harness_core::rng::RunSeed;
use harness_turn::policy::{Cidr, PeerPolicy};
use harness_turn::server::{ServerEvent, TurnServer, TurnServerConfig};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::oneshot;

use crate::Running;
use crate::driver::{self, Prebound};

/// Options of `webrtc-harness serve turn`.
#[derive(Clone, Debug)]
pub struct ServeTurnOptions {
    /// Where to listen (UDP and TCP); port 0 picks one.
    pub listen: SocketAddr,
    /// `--user NAME:PASSWORD`, repeatable.
    pub users: Vec<(String, String)>,
    /// `--realm`.
    pub realm: String,
    /// `--allow-loopback-peers`.
    pub allow_loopback_peers: bool,
    /// `--allow-peer CIDR`, repeatable.
    pub allow_peers: Vec<Cidr>,
    /// `--deny-peer CIDR`, repeatable.
    pub deny_peers: Vec<Cidr>,
    /// Address to bind relays on (default: the listening IP).
    pub relay_ip: Option<IpAddr>,
    /// Redirect Allocate requests here with 300.
    pub alternate: Option<SocketAddr>,
    /// Seed of the server's randomness (relay ports, nonces); `None` draws one from the
    /// operating system (see [`Running::seed`](crate::Running)).
    pub seed: Option<u64>,
    /// Print allocation events on standard error.
    pub verbose: bool,
    /// Accept RFC 5766's channel range 0x4000–0x7FFE (coturn's clients use it); default on.
    pub rfc5766_channels: bool,
}

impl ServeTurnOptions {
    /// Options with defaults for `listen`, `users` and `realm`.
    #[must_use]
    pub fn new(listen: SocketAddr, users: Vec<(String, String)>, realm: &str) -> Self {
        Self {
            listen,
            users,
            realm: realm.to_owned(),
            allow_loopback_peers: false,
            allow_peers: Vec::new(),
            deny_peers: Vec::new(),
            relay_ip: None,
            alternate: None,
            seed: None,
            verbose: false,
            rfc5766_channels: true,
        }
    }
}

/// Binds UDP and TCP on the same port (retrying when port 0 picked one TCP cannot use).
pub(crate) async fn bind_pair(addr: SocketAddr) -> io::Result<(UdpSocket, TcpListener)> {
    let mut last = None;
    for _ in 0..20 {
        let udp = UdpSocket::bind(addr).await?;
        let port = udp.local_addr()?.port();
        match TcpListener::bind(SocketAddr::new(addr.ip(), port)).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) if addr.port() == 0 => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no port free for UDP and TCP")))
}

/// Starts the TURN server in the background.
///
/// # Errors
/// When the listening sockets cannot be bound.
pub async fn start_turn(opts: &ServeTurnOptions) -> io::Result<Running> {
    let (udp, tcp) = bind_pair(opts.listen).await?;
    let bound = udp.local_addr()?;
    let mut cfg = TurnServerConfig::new(bound, &opts.realm, opts.users.clone());
    if let Some(ip) = opts.relay_ip {
        match ip {
            IpAddr::V4(_) => cfg.relay_v4 = Some(ip),
            IpAddr::V6(_) => cfg.relay_v6 = Some(ip),
        }
    }
    cfg.peer_policy = PeerPolicy {
        allow_loopback: opts.allow_loopback_peers,
        allow: opts.allow_peers.clone(),
        deny: opts.deny_peers.clone(),
    };
    cfg.alternate_server = opts.alternate;
    cfg.rfc5766_channels = opts.rfc5766_channels;
    let seed = opts.seed.unwrap_or_else(crate::os_seed);
    let server = TurnServer::new(cfg, RunSeed(seed).stream("turn/server"));
    let sockets = vec![
        Socket {
            addr: bound,
            transport: Transport::Udp,
        },
        Socket {
            addr: bound,
            transport: Transport::Tcp,
        },
    ];
    let (stop_tx, stop_rx) = oneshot::channel();
    let verbose = opts.verbose;
    let task = tokio::spawn(async move {
        driver::run(
            server,
            vec![Prebound::Udp(udp), Prebound::Tcp(tcp)],
            stop_rx,
            |server: &mut TurnServer, socket| server.relay_unavailable(socket.addr),
            move |now, e: ServerEvent| {
                if verbose {
                    eprintln!("{now} {e:?}");
                }
            },
        )
        .await
        .map(|_| ())
    });
    Ok(Running {
        seed,
        sockets,
        stop: Some(stop_tx),
        task,
    })
}

/// Runs `serve turn` until interrupted, printing the bound addresses first.
///
/// # Errors
/// When the sockets cannot be bound.
pub async fn serve_turn(opts: ServeTurnOptions) -> io::Result<()> {
    crate::until_interrupted(start_turn(&opts).await?).await
}
