//! The webrtc crate's DTLS endpoint (rtc-dtls 0.21.1) as one side of a DTLS association over
//! an ICE-selected pair, for scenario runs.
//!
//! * Certificates: fixed test certificates (ECDSA P-256, PEM in `testdata/dtls-peer-{0,1}.pem`,
//!   made once with OpenSSL), so SDP fingerprints are the same in every run.
//! * Randomness: a crypto provider whose `random()` draws from the run's
//!   [`SeededRng`](harness_core::rng::SeededRng); hashing, HMAC, AEAD and signatures stay with
//!   the default ring provider.
//! * Time: virtual [`Instant`](harness_core::time::Instant)s mapped onto one real base.
//!
//! # What cannot be seeded
//!
//! ECDHE key shares and ECDSA signatures come from ring's own `SystemRandom`, and
//! `gmt_unix_time` in the hello randoms reads the wall clock; [`MASKED`] names these fields
//! so reports can say what differs between two runs.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::BytesMut;
use dtls::config::{ClientAuthType, ConfigBuilder, HandshakeConfig};
use dtls::crypto::Certificate;
use dtls::crypto_provider::RTCCryptoProvider;
use dtls::endpoint::{Endpoint, EndpointEvent};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_dtls::fingerprint::{FingerprintHash, fingerprint};

/// Report fields that rtc-dtls fills from randomness or clocks the run cannot seed.
pub const MASKED: [&str; 3] = [
    "dtls.ecdhe_public_key (ring SystemRandom)",
    "dtls.signature (ring SystemRandom)",
    "dtls.random.gmt_unix_time (wall clock)",
];

const PEER_CERTS: [&str; 2] = [
    include_str!("../testdata/dtls-peer-0.pem"),
    include_str!("../testdata/dtls-peer-1.pem"),
];

/// The SDP fingerprint value (colon-separated upper-case hex of SHA-256) of peer `index`'s
/// fixed test certificate.
///
/// # Errors
/// The certificate does not load.
pub fn peer_fingerprint(index: usize) -> Result<String, String> {
    let provider = dtls::crypto_provider::default_provider().map_err(|e| e.to_string())?;
    let pem = PEER_CERTS.get(index.min(1)).copied().unwrap_or_default();
    let cert = Certificate::from_pem(pem, provider.crypto()).map_err(|e| e.to_string())?;
    let der = cert.certificate.first().ok_or("no certificate")?;
    Ok(strip(&fingerprint(der.as_ref(), FingerprintHash::Sha256)))
}

fn strip(fp: &str) -> String {
    fp.split_once(' ').map_or(fp, |(_, v)| v).to_owned()
}

/// Where the association stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DtlsOutcome {
    /// Handshaking.
    Handshaking,
    /// Done; the fingerprint of the peer's certificate.
    Connected(String),
    /// Failed.
    Failed(String),
}

/// One side of a DTLS association driven in virtual time.
pub struct DtlsPeer {
    endpoint: Endpoint,
    config: Arc<HandshakeConfig>,
    client: bool,
    remote: SocketAddr,
    base: std::time::Instant,
    out: VecDeque<Vec<u8>>,
    outcome: DtlsOutcome,
}

impl core::fmt::Debug for DtlsPeer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "DtlsPeer(client: {}, {:?})", self.client, self.outcome)
    }
}

impl DtlsPeer {
    /// Peer `index` (its fixed certificate), client or server, records bounded by `mtu`.
    /// Addresses are nominal: the datagrams travel over the ICE pair, not a socket.
    ///
    /// # Errors
    /// The configuration or certificate is refused.
    pub fn new(
        index: usize,
        client: bool,
        mtu: usize,
        rng: SeededRng,
        base: std::time::Instant,
    ) -> Result<Self, String> {
        let inner = dtls::crypto_provider::default_provider().map_err(|e| e.to_string())?;
        let pem = PEER_CERTS.get(index.min(1)).copied().unwrap_or_default();
        let cert = Certificate::from_pem(pem, inner.crypto()).map_err(|e| e.to_string())?;
        let provider: Arc<dyn RTCCryptoProvider> = crate::seeded::seeded_provider(inner, rng);
        let local: SocketAddr = if client {
            "192.0.2.101:5000"
        } else {
            "192.0.2.102:5000"
        }
        .parse()
        .map_err(|_| "address")?;
        let remote: SocketAddr = if client {
            "192.0.2.102:5000"
        } else {
            "192.0.2.101:5000"
        }
        .parse()
        .map_err(|_| "address")?;
        let config = ConfigBuilder::default()
            .with_crypto_provider(provider)
            .with_certificates(vec![cert])
            .with_insecure_skip_verify(true)
            .with_client_auth(ClientAuthType::RequireAnyClientCert)
            .with_mtu(mtu.max(200))
            .build(client, Some(remote))
            .map_err(|e| e.to_string())?;
        let config = Arc::new(config);
        let endpoint = Endpoint::new(
            local,
            shared::TransportProtocol::UDP,
            if client {
                None
            } else {
                Some(Arc::clone(&config))
            },
        );
        Ok(Self {
            endpoint,
            config,
            client,
            remote,
            base,
            out: VecDeque::new(),
            outcome: DtlsOutcome::Handshaking,
        })
    }

    fn drain(&mut self) {
        while let Some(t) = self.endpoint.poll_transmit() {
            self.out.push_back(t.message.to_vec());
        }
    }

    fn fail(&mut self, e: impl ToString) {
        if self.outcome == DtlsOutcome::Handshaking {
            self.outcome = DtlsOutcome::Failed(e.to_string());
        }
    }

    fn check_done(&mut self, events: &[EndpointEvent]) {
        if events
            .iter()
            .any(|e| matches!(e, EndpointEvent::HandshakeComplete))
        {
            let fp = self
                .endpoint
                .get_connection_state(self.remote)
                .and_then(|s| s.peer_certificates.first().cloned())
                .map(|der| strip(&fingerprint(&der, FingerprintHash::Sha256)))
                .unwrap_or_default();
            self.outcome = DtlsOutcome::Connected(fp);
        }
    }

    /// Starts the handshake (client only).
    pub fn start(&mut self, now: Instant) {
        if self.client {
            if let Err(e) = self.endpoint.connect(
                now.to_std(self.base),
                self.remote,
                Arc::clone(&self.config),
                None,
            ) {
                self.fail(e);
            }
            self.drain();
        }
    }

    /// A datagram from the peer.
    pub fn handle_datagram(&mut self, now: Instant, datagram: &[u8]) {
        match self.endpoint.read(
            now.to_std(self.base),
            self.remote,
            None,
            BytesMut::from(datagram),
        ) {
            Ok(ev) => self.check_done(&ev),
            Err(e) => self.fail(e),
        }
        self.drain();
    }

    /// A timer fired.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Err(e) = self
            .endpoint
            .handle_timeout(self.remote, now.to_std(self.base))
        {
            self.fail(e);
        }
        self.drain();
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.out.pop_front()
    }

    /// The next deadline.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.outcome != DtlsOutcome::Handshaking {
            return None;
        }
        self.endpoint
            .poll_timeout(&self.remote)
            .map(|t| Instant::from_std(self.base, t))
    }

    /// The outcome so far.
    #[must_use]
    pub fn outcome(&self) -> DtlsOutcome {
        self.outcome.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(
        clippy::disallowed_methods,
        reason = "one real base for rtc-dtls's std instants"
    )]
    fn pair(mtu: usize) -> (DtlsPeer, DtlsPeer, Instant) {
        let base = std::time::Instant::now();
        let c = DtlsPeer::new(1, true, mtu, SeededRng::from_u64(1), base).unwrap();
        let s = DtlsPeer::new(0, false, mtu, SeededRng::from_u64(2), base).unwrap();
        (c, s, Instant::ZERO)
    }

    fn run(mut c: DtlsPeer, mut s: DtlsPeer, mut now: Instant) -> (DtlsPeer, DtlsPeer, usize) {
        c.start(now);
        let mut datagrams = 0;
        for _ in 0..200 {
            now += core::time::Duration::from_millis(10);
            while let Some(d) = c.poll_transmit() {
                datagrams += 1;
                s.handle_datagram(now, &d);
            }
            while let Some(d) = s.poll_transmit() {
                datagrams += 1;
                c.handle_datagram(now, &d);
            }
            if c.poll_timeout().is_some_and(|t| t <= now) {
                c.handle_timeout(now);
            }
            if s.poll_timeout().is_some_and(|t| t <= now) {
                s.handle_timeout(now);
            }
            if c.outcome() != DtlsOutcome::Handshaking && s.outcome() != DtlsOutcome::Handshaking {
                break;
            }
        }
        (c, s, datagrams)
    }

    #[test]
    fn handshake_completes_and_fingerprints_match_the_fixed_certificates() {
        let (c, s, now) = pair(1200);
        let (c, s, _) = run(c, s, now);
        assert_eq!(
            c.outcome(),
            DtlsOutcome::Connected(peer_fingerprint(0).unwrap())
        );
        assert_eq!(
            s.outcome(),
            DtlsOutcome::Connected(peer_fingerprint(1).unwrap())
        );
    }

    #[test]
    fn small_mtu_fragments_flights_and_still_completes() {
        let (c, s, now) = pair(1200);
        let (_, _, big) = run(c, s, now);
        let (c, s, now) = pair(250);
        let (c, _, small) = run(c, s, now);
        assert!(
            matches!(c.outcome(), DtlsOutcome::Connected(_)),
            "{:?}",
            c.outcome()
        );
        assert!(small > big, "{small} datagrams at MTU 250 vs {big} at 1200");
    }
}
