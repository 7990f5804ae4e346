//! Real sockets (tokio) for the `webrtc-harness` CLI: `serve turn`, `serve stun` and
//! `nat-discovery` run the sans-IO endpoints of `harness-turn` over the operating system's
//! UDP and TCP. Protocol logic stays in `harness-turn`; this crate only moves bytes and time.
//!
//! A `listen` port of 0 binds an ephemeral port; the bound addresses are returned (and printed
//! by the `serve_*` functions), so parallel tests never collide.

mod discover;
pub mod driver;
mod stun_serve;
mod turn_serve;

pub use discover::{NatDiscoveryOptions, nat_discovery};
pub use harness_turn::discovery::{Behaviour, DiscoveryReport};
pub use stun_serve::{ServeStunOptions, serve_stun, start_stun};
pub use turn_serve::{ServeTurnOptions, serve_turn, start_turn};

use std::io;

use harness_core::endpoint::Socket;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A server running in the background.
#[derive(Debug)]
pub struct Running {
    /// The seed of the server's randomness (print it to reproduce a run).
    pub seed: u64,
    /// The sockets it listens on (ports resolved).
    pub sockets: Vec<Socket>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<io::Result<()>>,
}

impl Running {
    /// Stops the server and waits for it.
    ///
    /// # Errors
    /// What the server loop returned.
    pub async fn stop(mut self) -> io::Result<()> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        match (&mut self.task).await {
            Ok(r) => r,
            Err(e) => Err(io::Error::other(e)),
        }
    }

    /// Prints one `listening <transport> <addr>` line per socket on standard output.
    pub fn print_sockets(&self) {
        for s in &self.sockets {
            println!("listening {} {}", s.transport, s.addr);
        }
    }
}

/// A seed from the operating system's randomness (the std hasher's random keys), for shells
/// that were not given one.
#[must_use]
pub fn os_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(u64::from(std::process::id()));
    h.finish()
}

async fn until_interrupted(running: Running) -> io::Result<()> {
    println!("seed {}", running.seed);
    running.print_sockets();
    tokio::signal::ctrl_c().await?;
    running.stop().await
}
