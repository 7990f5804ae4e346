//! The webrtc crate's ICE agent (rtc-ice 0.21.1) behind the harness's driving trait.
//!
//! [`RtcIceEndpoint`] wraps `ice::Agent` so the simulated network (or the test wire of
//! harness-ice) can drive it exactly as it drives the reference agent
//! ([`harness_ice::Agent`]): one input, then drain.
//!
//! * Time: `std::time::Instant`s are mapped from the run's virtual
//!   [`Instant`](harness_core::time::Instant) with one base chosen at construction.
//! * Randomness: a crypto provider whose `random()` draws from the run's
//!   [`SeededRng`](harness_core::rng::SeededRng) (ufrag, pwd, tie-breaker); the hashing and
//!   HMAC of the default ring provider are kept.
//! * mDNS is disabled.
//!
//! # Limitations (what the adapter cannot lift)
//!
//! * rtc-ice does not gather: the adapter adds host candidates for the configured sockets;
//!   server-reflexive and relayed candidates must be supplied by the caller
//!   ([`RtcIceEndpoint::add_local_candidate`]).
//! * STUN transaction ids and peer-reflexive candidate ids come from unseeded thread RNGs inside
//!   rtc-ice, so wire bytes differ between runs: compare structurally.
//! * Connectivity-check timing follows rtc-ice's own check interval, not Ta.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::BytesMut;
use harness_core::endpoint::{
    Endpoint, Input, Output, Socket, Transmit, Transport, TransportContext,
};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_ice::{Candidate, CandidateKind, ConnectionState, IceCredentials};
use ice::candidate::CandidateConfig;
use ice::candidate::candidate_host::CandidateHostConfig;
use ice::crypto::{CryptoError, RTCCrypto, RTCCryptoProvider, RTCRandom};
use rand_core::RngCore;
use sansio::Protocol;

/// Randomness from the run's seed.
struct SeededRandom(Mutex<SeededRng>);

impl RTCRandom for SeededRandom {
    fn fill(&self, output: &mut [u8]) -> Result<(), CryptoError> {
        if let Ok(mut r) = self.0.lock() {
            r.fill_bytes(output);
        }
        Ok(())
    }
}

/// The default provider's crypto with seeded randomness.
struct SeededProvider {
    inner: Arc<dyn RTCCryptoProvider>,
    random: SeededRandom,
}

impl RTCCryptoProvider for SeededProvider {
    fn name(&self) -> &'static str {
        "seeded"
    }
    fn crypto(&self) -> &dyn RTCCrypto {
        self.inner.crypto()
    }
    fn random(&self) -> &dyn RTCRandom {
        &self.random
    }
}

/// What the adapter reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RtcIceEvent {
    /// The agent's connection state, mapped to the reference's names.
    ConnectionState(ConnectionState),
    /// A pair was selected: local and remote address and type.
    SelectedPair {
        /// Local address.
        local: SocketAddr,
        /// Local type.
        local_kind: Option<CandidateKind>,
        /// Remote address.
        remote: SocketAddr,
        /// Remote type.
        remote_kind: Option<CandidateKind>,
    },
    /// The role changed after a conflict (true: controlling).
    RoleChange(bool),
}

/// rtc-ice 0.21.1 as an [`Endpoint`].
pub struct RtcIceEndpoint {
    agent: ice::Agent,
    base: std::time::Instant,
    sockets: Vec<Socket>,
    out: VecDeque<Output<RtcIceEvent>>,
    now: Instant,
    controlling: bool,
    next_id: u32,
    /// Errors rtc-ice returned while handling input (kept for reports).
    pub errors: Vec<String>,
}

impl core::fmt::Debug for RtcIceEndpoint {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RtcIceEndpoint")
            .field("sockets", &self.sockets)
            .field("now", &self.now)
            .finish()
    }
}

fn map_state(s: ice::state::ConnectionState) -> ConnectionState {
    use ice::state::ConnectionState as S;
    match s {
        S::Checking => ConnectionState::Checking,
        S::Connected => ConnectionState::Connected,
        S::Completed => ConnectionState::Completed,
        S::Failed => ConnectionState::Failed,
        S::Disconnected => ConnectionState::Disconnected,
        S::Closed => ConnectionState::Closed,
        _ => ConnectionState::New,
    }
}

fn map_kind(t: ice::candidate::CandidateType) -> Option<CandidateKind> {
    use ice::candidate::CandidateType as T;
    match t {
        T::Host => Some(CandidateKind::Host),
        T::ServerReflexive => Some(CandidateKind::ServerReflexive),
        T::PeerReflexive => Some(CandidateKind::PeerReflexive),
        T::Relay => Some(CandidateKind::Relayed),
        _ => None,
    }
}

impl RtcIceEndpoint {
    /// A new agent at virtual `now` (mapped from `base`), with host candidates on `hosts`.
    ///
    /// # Errors
    /// rtc-ice refuses the configuration or a candidate.
    pub fn new(
        base: std::time::Instant,
        now: Instant,
        controlling: bool,
        lite: bool,
        hosts: &[SocketAddr],
        rng: SeededRng,
    ) -> Result<Self, String> {
        let inner = ice::crypto::default_provider().map_err(|e| e.to_string())?;
        let provider = Arc::new(SeededProvider {
            inner,
            random: SeededRandom(Mutex::new(rng)),
        });
        let config = ice::AgentConfig {
            is_controlling: controlling,
            lite,
            multicast_dns_mode: ice::mdns::MulticastDnsMode::Disabled,
            multicast_dns_local_name: "harness.local".into(),
            ..Default::default()
        };
        let agent = ice::Agent::new(now.to_std(base), Arc::new(config), provider)
            .map_err(|e| e.to_string())?;
        let mut me = Self {
            agent,
            base,
            sockets: Vec::new(),
            out: VecDeque::new(),
            now,
            controlling,
            next_id: 0,
            errors: Vec::new(),
        };
        for h in hosts {
            let c = CandidateHostConfig {
                base_config: CandidateConfig {
                    candidate_id: me.new_id(),
                    network: "udp".into(),
                    address: h.ip().to_string(),
                    port: h.port(),
                    component: 1,
                    ..Default::default()
                },
                ..Default::default()
            }
            .new_candidate_host()
            .map_err(|e| e.to_string())?;
            me.agent.add_local_candidate(c).map_err(|e| e.to_string())?;
            let s = Socket {
                addr: *h,
                transport: Transport::Udp,
            };
            me.sockets.push(s);
            me.out.push_back(Output::Bind(s));
        }
        Ok(me)
    }

    fn new_id(&mut self) -> String {
        self.next_id = self.next_id.saturating_add(1);
        format!("cand{}", self.next_id)
    }

    /// Local credentials.
    #[must_use]
    pub fn local_credentials(&self) -> IceCredentials {
        let c = self.agent.get_local_credentials();
        IceCredentials {
            ufrag: c.ufrag.clone(),
            pwd: c.pwd.clone(),
        }
    }

    /// Local candidates in the reference's model (via their SDP form).
    #[must_use]
    pub fn local_candidates(&self) -> Vec<Candidate> {
        self.agent
            .get_local_candidates()
            .iter()
            .filter_map(|c| Candidate::from_sdp(&c.marshal()).ok())
            .collect()
    }

    /// Adds a local candidate gathered elsewhere (server-reflexive, relayed), via its SDP form.
    ///
    /// # Errors
    /// rtc-ice refuses it.
    pub fn add_local_candidate(&mut self, c: &Candidate) -> Result<(), String> {
        let parsed = ice::candidate::unmarshal_candidate(&c.to_sdp()).map_err(|e| e.to_string())?;
        self.agent
            .add_local_candidate(parsed)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Adds a remote candidate (via its SDP form).
    ///
    /// # Errors
    /// rtc-ice refuses it.
    pub fn add_remote_candidate(&mut self, now: Instant, c: &Candidate) -> Result<(), String> {
        self.now = self.now.max(now);
        let parsed = ice::candidate::unmarshal_candidate(&c.to_sdp()).map_err(|e| e.to_string())?;
        self.agent
            .add_remote_candidate(parsed)
            .map(|_| ())
            .map_err(|e| e.to_string())?;
        self.pump();
        Ok(())
    }

    /// Starts connectivity checks with the peer's credentials.
    ///
    /// # Errors
    /// rtc-ice refuses the credentials.
    pub fn start(&mut self, now: Instant, remote: &IceCredentials) -> Result<(), String> {
        self.now = self.now.max(now);
        self.agent
            .start_connectivity_checks(
                self.now.to_std(self.base),
                self.controlling,
                remote.ufrag.clone(),
                remote.pwd.clone(),
            )
            .map_err(|e| e.to_string())?;
        self.pump();
        Ok(())
    }

    /// ICE restart with fresh (seeded) credentials, keeping local candidates.
    ///
    /// # Errors
    /// rtc-ice refuses.
    pub fn restart(&mut self, now: Instant) -> Result<(), String> {
        self.now = self.now.max(now);
        self.agent
            .restart(
                self.now.to_std(self.base),
                String::new(),
                String::new(),
                true,
            )
            .map_err(|e| e.to_string())?;
        self.pump();
        Ok(())
    }

    /// Connection state (reference names).
    #[must_use]
    pub fn state(&self) -> ConnectionState {
        map_state(self.agent.state())
    }

    /// Whether the agent is controlling now.
    #[must_use]
    pub fn is_controlling(&self) -> bool {
        self.agent.role()
    }

    /// The selected pair: local and remote candidates in the reference's model.
    #[must_use]
    pub fn selected_pair(&self) -> Option<(Candidate, Candidate)> {
        let (l, r) = self.agent.get_selected_candidate_pair()?;
        Some((
            Candidate::from_sdp(&l.marshal()).ok()?,
            Candidate::from_sdp(&r.marshal()).ok()?,
        ))
    }

    /// Moves rtc-ice's writes and events into the output queue.
    fn pump(&mut self) {
        while let Some(w) = self.agent.poll_write() {
            self.out.push_back(Output::Transmit(Transmit {
                context: TransportContext {
                    local: w.transport.local_addr,
                    remote: w.transport.peer_addr,
                    transport: Transport::Udp,
                },
                payload: w.message.to_vec(),
            }));
        }
        while let Some(e) = self.agent.poll_event() {
            let ev = match e.event {
                ice::Event::ConnectionStateChange(s) => RtcIceEvent::ConnectionState(map_state(s)),
                ice::Event::SelectedCandidatePairChange(l, r) => RtcIceEvent::SelectedPair {
                    local: l.addr(),
                    local_kind: map_kind(l.candidate_type()),
                    remote: r.addr(),
                    remote_kind: map_kind(r.candidate_type()),
                },
                ice::Event::RoleChange(c) => RtcIceEvent::RoleChange(c),
                _ => continue,
            };
            self.out.push_back(Output::Event(ev));
        }
    }
}

impl Endpoint for RtcIceEndpoint {
    type Event = RtcIceEvent;

    fn handle_input(&mut self, input: Input<'_>) {
        self.now = self.now.max(input.now());
        let now = self.now.to_std(self.base);
        let result = match input {
            Input::Datagram {
                context, payload, ..
            } => self.agent.handle_read(shared::TaggedBytesMut {
                now,
                transport: shared::TransportContext {
                    local_addr: context.local,
                    peer_addr: context.remote,
                    transport_protocol: shared::TransportProtocol::UDP,
                    ecn: None,
                },
                message: BytesMut::from(payload),
            }),
            _ => self.agent.handle_timeout(now),
        };
        if let Err(e) = result
            && self.errors.len() < 1000
        {
            self.errors.push(e.to_string());
        }
        self.pump();
    }

    fn poll_output(&mut self) -> Output<RtcIceEvent> {
        if let Some(o) = self.out.pop_front() {
            return o;
        }
        match self.agent.poll_timeout() {
            // rtc-ice may report a deadline in the past: never hand back one before now.
            Some(t) => Output::Timeout(Instant::from_std(self.base, t).max(self.now)),
            None => Output::Idle,
        }
    }

    fn sockets(&self) -> Vec<Socket> {
        self.sockets.clone()
    }
}
