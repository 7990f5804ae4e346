//! `serve stun` (placeholder until the RFC 5780 server lands).

use std::io;
use std::net::SocketAddr;

use crate::Running;

/// Options of `webrtc-harness serve stun`.
#[derive(Clone, Debug)]
pub struct ServeStunOptions {
    /// Primary address; port 0 picks one.
    pub listen: SocketAddr,
    /// Alternate address (RFC 5780); port 0 picks one.
    pub alternate: Option<SocketAddr>,
}

/// Starts the STUN server in the background.
///
/// # Errors
/// Not yet implemented.
pub async fn start_stun(_opts: &ServeStunOptions) -> io::Result<Running> {
    Err(io::Error::other("not yet"))
}

/// Runs `serve stun` until interrupted.
///
/// # Errors
/// When the sockets cannot be bound.
pub async fn serve_stun(opts: ServeStunOptions) -> io::Result<()> {
    crate::until_interrupted(start_stun(&opts).await?).await
}
