//! DTLS over the selected pair, reached through an injected [`DtlsFactory`] so that this crate
//! does not depend on the implementation (the webrtc crate's rtc-dtls endpoint lives in
//! `harness-xcheck`).

use harness_core::rng::SeededRng;
use harness_core::time::Instant;

/// Where a handshake stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DtlsState {
    /// Flights in progress.
    Handshaking,
    /// Done; the peer's certificate fingerprint (`sha-256`, colon-separated upper-case hex).
    Connected {
        /// Fingerprint of the certificate the peer presented.
        peer_fingerprint: String,
    },
    /// Failed.
    Failed(String),
}

/// One side of a DTLS association, sans-IO.
pub trait DtlsSession {
    /// Starts the handshake (the client sends its first flight).
    fn start(&mut self, now: Instant);
    /// A datagram from the peer.
    fn handle_datagram(&mut self, now: Instant, datagram: &[u8]);
    /// A timer fired.
    fn handle_timeout(&mut self, now: Instant);
    /// The next datagram to send.
    fn poll_transmit(&mut self) -> Option<Vec<u8>>;
    /// The next deadline.
    fn poll_timeout(&self) -> Option<Instant>;
    /// State.
    fn state(&self) -> DtlsState;
}

/// Makes DTLS sessions with fixed test certificates and seeded randomness.
pub trait DtlsFactory: Send + Sync {
    /// The implementation's name in reports.
    fn name(&self) -> &'static str;
    /// The `a=fingerprint` value (`sha-256`, colon hex) of the certificate of peer `index`.
    fn fingerprint(&self, index: usize) -> String;
    /// A session for peer `index`; `client` per the SDP `setup` roles; `mtu` bounds records.
    ///
    /// # Errors
    /// A message when the session cannot be made.
    fn create(
        &self,
        index: usize,
        client: bool,
        mtu: usize,
        rng: SeededRng,
    ) -> Result<Box<dyn DtlsSession>, String>;
    /// Report fields that are not reproducible from the seed (e.g. ECDHE shares).
    fn masked_fields(&self) -> Vec<&'static str>;
}

/// The fingerprint used in SDP when no DTLS implementation is injected: a fixed value per
/// peer, so descriptions stay well-formed and reports stable.
#[must_use]
pub fn placeholder_fingerprint(index: usize) -> String {
    let byte = if index == 0 { "A0" } else { "B1" };
    vec![byte; 32].join(":")
}
