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
//! * rtc-ice does not gather: the adapter adds host candidates for the configured sockets and,
//!   with [`RtcIceEndpoint::gather`], gathers for it: server-reflexive candidates with plain
//!   STUN Binding requests (announced to the peer, not given to rtc-ice: RFC 8445 §6.1.2.4
//!   prunes them to their base anyway), relayed candidates with the TURN client of
//!   `harness-turn` (given to rtc-ice, whose writes from the relayed address the adapter sends
//!   through the relay; Data indications and ChannelData come back to rtc-ice on the relayed
//!   address). Priorities and foundations of these candidates are the reference's.
//! * STUN transaction ids and peer-reflexive candidate ids come from unseeded thread RNGs inside
//!   rtc-ice, so wire bytes differ between runs: compare structurally.
//! * Connectivity-check timing follows rtc-ice's own check interval, not Ta.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::BytesMut;
use harness_core::endpoint::{
    Endpoint, Input, Output, Socket, Transmit, Transport, TransportContext,
};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_ice::{Candidate, CandidateKind, ConnectionState, IceCredentials};
use harness_turn::client::{TurnClient, TurnClientConfig, TurnEvent};
use harness_turn::stun::{
    Class as TurnClass, Message as TurnMessage, MessageBuilder, attr as turn_attr,
    method as turn_method,
};
use ice::candidate::CandidateConfig;
use ice::candidate::candidate_host::CandidateHostConfig;

use rand_core::RngCore;
use sansio::Protocol;

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
    gathering: Gathering,
    gather_rng: SeededRng,
    remote_creds: Option<IceCredentials>,
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
        let mut rng = rng;
        let gather_rng = rng.fork();
        let inner = ice::crypto::default_provider().map_err(|e| e.to_string())?;
        let provider = crate::seeded::seeded_provider(inner, rng);
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
            gathering: Gathering::default(),
            gather_rng,
            remote_creds: None,
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

    /// Moves rtc-ice's writes and events into the output queue; writes from a relayed address
    /// go through its TURN allocation.
    fn pump(&mut self) {
        while let Some(w) = self.agent.poll_write() {
            let (local, remote) = (w.transport.local_addr, w.transport.peer_addr);
            if let Some(k) = self.gathering.relay_of(local) {
                self.relay_send(k, remote, &w.message);
                continue;
            }
            self.out.push_back(Output::Transmit(Transmit {
                context: TransportContext {
                    local,
                    remote,
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
        if self.gathering_input(&input) {
            self.pump();
            return;
        }
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
        let rtc = self
            .agent
            .poll_timeout()
            // rtc-ice may report a deadline in the past: never hand back one before now.
            .map(|t| Instant::from_std(self.base, t).max(self.now));
        match [rtc, self.gathering.deadline()].into_iter().flatten().min() {
            Some(t) => Output::Timeout(t),
            None => Output::Idle,
        }
    }

    fn sockets(&self) -> Vec<Socket> {
        self.sockets.clone()
    }
}

/// A STUN Binding transaction for a server-reflexive candidate.
#[derive(Debug)]
struct SrflxQuery {
    txid: [u8; 12],
    host: SocketAddr,
    server: SocketAddr,
    bytes: Vec<u8>,
    sends: u32,
    next: Instant,
}

/// One TURN allocation made for rtc-ice.
#[derive(Debug)]
struct AdapterRelay {
    client: TurnClient,
    server: SocketAddr,
    host: SocketAddr,
    relayed: Option<SocketAddr>,
    failed: bool,
    permitted: Vec<std::net::IpAddr>,
    deadline: Option<Instant>,
}

/// What the adapter gathers for rtc-ice.
#[derive(Debug, Default)]
struct Gathering {
    queries: Vec<SrflxQuery>,
    relays: Vec<AdapterRelay>,
    /// Server-reflexive and relayed candidates, announced next to rtc-ice's host ones.
    extra: Vec<Candidate>,
    foundations: harness_ice::candidate::Foundations,
}

/// Sends of a Binding request before giving up (RFC 8489 §6.2.1 allows 7; fewer suffice here).
const SRFLX_SENDS: u32 = 5;

impl Gathering {
    fn relay_of(&self, addr: SocketAddr) -> Option<usize> {
        self.relays.iter().position(|r| r.relayed == Some(addr))
    }

    fn pending(&self) -> bool {
        !self.queries.is_empty() || self.relays.iter().any(|r| r.relayed.is_none() && !r.failed)
    }

    fn deadline(&self) -> Option<Instant> {
        self.queries
            .iter()
            .map(|q| q.next)
            .chain(self.relays.iter().filter_map(|r| r.deadline))
            .min()
    }
}

impl RtcIceEndpoint {
    /// Gathers server-reflexive candidates from `stun` servers and relayed ones from `turn`
    /// servers (UDP to the server) on every host socket of the same family. See the module
    /// documentation.
    pub fn gather(&mut self, now: Instant, stun: &[SocketAddr], turn: &[harness_ice::TurnServer]) {
        self.now = self.now.max(now);
        let hosts: Vec<SocketAddr> = self.sockets.iter().map(|s| s.addr).collect();
        for host in &hosts {
            for server in stun.iter().filter(|s| s.is_ipv4() == host.is_ipv4()) {
                let mut txid = [0u8; 12];
                self.rng_fill(&mut txid);
                let bytes = MessageBuilder::new(turn_method::BINDING, TurnClass::Request, txid)
                    .fingerprint();
                self.out.push_back(Output::Transmit(Transmit {
                    context: TransportContext {
                        local: *host,
                        remote: *server,
                        transport: Transport::Udp,
                    },
                    payload: bytes.clone(),
                }));
                self.gathering.queries.push(SrflxQuery {
                    txid,
                    host: *host,
                    server: *server,
                    bytes,
                    sends: 1,
                    next: self.now + core::time::Duration::from_millis(500),
                });
            }
            for t in turn.iter().filter(|t| t.addr.is_ipv4() == host.is_ipv4()) {
                let mut seed = [0u8; 8];
                self.rng_fill(&mut seed);
                let cfg = TurnClientConfig::new(t.addr, *host, &t.username, &t.password);
                let mut client =
                    TurnClient::new(cfg, SeededRng::from_u64(u64::from_le_bytes(seed)));
                client.allocate(self.now);
                self.gathering.relays.push(AdapterRelay {
                    client,
                    server: t.addr,
                    host: *host,
                    relayed: None,
                    failed: false,
                    permitted: Vec::new(),
                    deadline: None,
                });
                let k = self.gathering.relays.len().saturating_sub(1);
                self.drain_relay(k);
            }
        }
    }

    fn rng_fill(&mut self, out: &mut [u8]) {
        self.gather_rng.fill_bytes(out);
    }

    /// Whether gathering (server-reflexive and relayed) is over.
    #[must_use]
    pub fn gathering_complete(&self) -> bool {
        !self.gathering.pending()
    }

    /// Every candidate to announce: rtc-ice's local ones and the server-reflexive ones the
    /// adapter gathered.
    #[must_use]
    pub fn candidates_to_announce(&self) -> Vec<Candidate> {
        let mut all = self.local_candidates();
        for c in &self.gathering.extra {
            if !all.iter().any(|a| a.addr == c.addr) {
                all.push(c.clone());
            }
        }
        all
    }

    /// Handles gathering traffic and timers; true when `input` was the adapter's own.
    fn gathering_input(&mut self, input: &Input<'_>) -> bool {
        let now = self.now;
        match input {
            Input::Datagram {
                context, payload, ..
            } => {
                if let Some(k) = self
                    .gathering
                    .relays
                    .iter()
                    .position(|r| r.server == context.remote && r.host == context.local)
                {
                    if let Some(r) = self.gathering.relays.get_mut(k) {
                        r.client.handle_input(Input::Datagram {
                            now,
                            context: *context,
                            payload,
                        });
                    }
                    self.drain_relay(k);
                    return true;
                }
                let Ok(m) = TurnMessage::parse(payload) else {
                    return false;
                };
                let Some(q) = self
                    .gathering
                    .queries
                    .iter()
                    .position(|q| q.txid == m.transaction_id() && q.server == context.remote)
                else {
                    return false;
                };
                let q = self.gathering.queries.remove(q);
                if let Some(mapped) = m.xor_address(turn_attr::XOR_MAPPED_ADDRESS) {
                    self.add_srflx(q.host, mapped, q.server);
                }
                true
            }
            Input::Timeout { .. } => {
                let mut resend = Vec::new();
                self.gathering.queries.retain_mut(|q| {
                    if q.next > now {
                        return true;
                    }
                    if q.sends >= SRFLX_SENDS {
                        return false;
                    }
                    q.sends = q.sends.saturating_add(1);
                    q.next = now + core::time::Duration::from_millis(500u64 << q.sends.min(6));
                    resend.push((q.host, q.server, q.bytes.clone()));
                    true
                });
                for (local, remote, payload) in resend {
                    self.out.push_back(Output::Transmit(Transmit {
                        context: TransportContext {
                            local,
                            remote,
                            transport: Transport::Udp,
                        },
                        payload,
                    }));
                }
                for k in 0..self.gathering.relays.len() {
                    let due = self
                        .gathering
                        .relays
                        .get(k)
                        .is_some_and(|r| r.deadline.is_some_and(|d| d <= now));
                    if due {
                        if let Some(r) = self.gathering.relays.get_mut(k) {
                            r.client.handle_input(Input::Timeout { now });
                        }
                        self.drain_relay(k);
                    }
                }
                // rtc-ice's own timers run too.
                false
            }
            _ => false,
        }
    }

    fn add_srflx(&mut self, host: SocketAddr, mapped: SocketAddr, server: SocketAddr) {
        if mapped == host || self.gathering.extra.iter().any(|c| c.addr == mapped) {
            return;
        }
        let foundation = self.gathering.foundations.foundation(
            CandidateKind::ServerReflexive,
            host.ip(),
            Some(server.ip()),
            Transport::Udp,
        );
        self.gathering.extra.push(Candidate {
            kind: CandidateKind::ServerReflexive,
            transport: Transport::Udp,
            addr: mapped,
            base: host,
            priority: harness_ice::candidate::candidate_priority(
                CandidateKind::ServerReflexive,
                65535,
                1,
            ),
            foundation,
            component: 1,
            related: Some(host),
        });
    }

    fn drain_relay(&mut self, k: usize) {
        let mut events = Vec::new();
        let Some(r) = self.gathering.relays.get_mut(k) else {
            return;
        };
        loop {
            match r.client.poll_output() {
                Output::Transmit(t) => self.out.push_back(Output::Transmit(t)),
                Output::Event(e) => events.push(e),
                Output::Timeout(t) => {
                    r.deadline = Some(t);
                    break;
                }
                Output::Bind(_) | Output::Unbind(_) | Output::Tcp(_) => {}
                _ => {
                    r.deadline = None;
                    break;
                }
            }
        }
        for e in events {
            match e {
                TurnEvent::Allocated {
                    relayed, mapped, ..
                } => self.on_allocated(k, &relayed, mapped),
                TurnEvent::Failed { .. } | TurnEvent::Deallocated => {
                    if let Some(r) = self.gathering.relays.get_mut(k) {
                        r.failed = r.relayed.is_none();
                    }
                }
                TurnEvent::Data { peer, data } => {
                    let Some(relayed) = self.gathering.relays.get(k).and_then(|r| r.relayed) else {
                        continue;
                    };
                    let result = self.agent.handle_read(shared::TaggedBytesMut {
                        now: self.now.to_std(self.base),
                        transport: shared::TransportContext {
                            local_addr: relayed,
                            peer_addr: peer,
                            transport_protocol: shared::TransportProtocol::UDP,
                            ecn: None,
                        },
                        message: BytesMut::from(&data[..]),
                    });
                    if let Err(e) = result
                        && self.errors.len() < 1000
                    {
                        self.errors.push(e.to_string());
                    }
                }
                _ => {}
            }
        }
    }

    fn on_allocated(&mut self, k: usize, relayed: &[SocketAddr], mapped: Option<SocketAddr>) {
        let Some(r) = self.gathering.relays.get_mut(k) else {
            return;
        };
        let Some(addr) = relayed
            .iter()
            .find(|a| a.is_ipv4() == r.host.is_ipv4())
            .copied()
        else {
            r.failed = true;
            return;
        };
        r.relayed = Some(addr);
        let (host, server) = (r.host, r.server);
        let foundation = self.gathering.foundations.foundation(
            CandidateKind::Relayed,
            host.ip(),
            Some(server.ip()),
            Transport::Udp,
        );
        let c = Candidate {
            kind: CandidateKind::Relayed,
            transport: Transport::Udp,
            addr,
            base: addr,
            priority: harness_ice::candidate::candidate_priority(CandidateKind::Relayed, 65535, 1),
            foundation,
            component: 1,
            related: Some(mapped.unwrap_or(host)),
        };
        if let Err(e) = self.add_local_candidate(&c) {
            self.errors.push(e);
        }
        if let Some(m) = mapped {
            self.add_srflx(host, m, server);
        }
    }

    fn relay_send(&mut self, k: usize, peer: SocketAddr, payload: &[u8]) {
        let now = self.now;
        let Some(r) = self.gathering.relays.get_mut(k) else {
            return;
        };
        if !r.permitted.contains(&peer.ip()) && r.permitted.len() < 64 {
            r.permitted.push(peer.ip());
            r.client.create_permission(now, &[peer]);
        }
        r.client.send_to(now, peer, payload);
        self.drain_relay(k);
    }
}

impl harness_ice::netkit::IcePeer for RtcIceEndpoint {
    fn local_credentials(&self) -> IceCredentials {
        Self::local_credentials(self)
    }
    fn candidates_to_announce(&self) -> Vec<Candidate> {
        Self::candidates_to_announce(self)
    }
    fn gathering_done(&self) -> bool {
        self.gathering_complete()
    }
    fn set_remote_credentials(&mut self, now: Instant, creds: IceCredentials) {
        self.now = self.now.max(now);
        let result = if self.remote_creds.is_none() {
            self.start(now, &creds)
        } else {
            self.agent
                .set_remote_credentials(creds.ufrag.clone(), creds.pwd.clone())
                .map_err(|e| e.to_string())
        };
        if let Err(e) = result {
            self.errors.push(e);
        }
        self.remote_creds = Some(creds);
        self.pump();
    }
    fn add_remote_candidate(&mut self, now: Instant, c: Candidate) {
        if let Err(e) = Self::add_remote_candidate(self, now, &c) {
            self.errors.push(e);
        }
    }
    fn end_of_remote_candidates(&mut self, _now: Instant) {
        // rtc-ice has no end-of-candidates signal.
    }
    fn restart(&mut self, now: Instant) {
        if let Err(e) = Self::restart(self, now) {
            self.errors.push(e);
        }
    }
    fn connection_state(&self) -> ConnectionState {
        self.state()
    }
    fn selected_kinds(&self) -> Option<(CandidateKind, CandidateKind)> {
        self.selected_pair().map(|(l, r)| (l.kind, r.kind))
    }
}
