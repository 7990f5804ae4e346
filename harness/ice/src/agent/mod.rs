//! The reference ICE agent (RFC 8445 full and lite, RFC 8838 trickle, RFC 7675 consent).
//!
//! # Run loop
//!
//! The agent is an [`Endpoint`]: feed one [`Input`] (a datagram on one of its host sockets, or a
//! timeout), then drain [`Endpoint::poll_output`] until it returns a deadline or idles. The
//! signalling calls ([`Agent::set_remote_credentials`], [`Agent::add_remote_candidate`],
//! [`Agent::end_of_remote_candidates`], [`Agent::restart`], [`Agent::close`]) take `now` and
//! are followed by a drain too.
//!
//! # What it does
//!
//! * Gathering: host candidates on every configured socket (§5.1.1.1), server-reflexive ones
//!   from STUN servers (§5.1.1.2) with redundancy elimination (§5.1.3), priorities (§5.1.2)
//!   and foundations (§5.1.1.3); relayed ones through the TURN client of `harness-turn`
//!   (RFC 8656) over UDP, or TCP to the server when configured or when UDP gets no answer.
//!   The relay-only policy announces and pairs relayed candidates only.
//! * Application data: [`Agent::send`] on the selected pair (through the relay for a relayed
//!   local candidate); non-STUN datagrams of a valid pair come out as
//!   [`IceEventKind::Data`].
//! * Checks: the check list (§6.1.2), Ta pacing (§14.2), the triggered-check queue
//!   (§6.1.4.1, §7.3.1.4), retransmissions (§14.3 with RFC 8489 §6.2.1), peer-reflexive
//!   candidates from requests (§7.3.1.3) and responses (§7.2.5.3.1), the symmetric address
//!   check (§7.2.5.2.1), authentication of every request and response, 400/401/420/487
//!   answers, role conflicts resolved only after authentication (§7.3.1.1, §7.2.5.1).
//! * Nomination: regular or aggressive (§8.1.1); the controlled side nominates on
//!   USE-CANDIDATE (§7.3.1.5). Lite agents answer only (§7.3.2, §8.2).
//! * Consent freshness (RFC 7675 §5.1): a check on the selected pair every 4–6 s, consent lost
//!   after 30 s without an authenticated response, then the agent stops sending.

mod inbound;
mod outbound;
mod relay;

pub use relay::RelayState;

use core::time::Duration;
use std::collections::VecDeque;
use std::net::SocketAddr;

use harness_core::endpoint::{Endpoint, Input, Output, Socket, Transport};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_stun::{Key, TransactionId};
use rand_free::random_string;

use crate::candidate::{Candidate, CandidateKind, Foundations};
use crate::checklist::{Pair, PairState, compatible, priority_for};
use crate::config::{AgentConfig, GatherPolicy, IceCredentials, Role};
use crate::event::{ConnectionState, IceEvent, IceEventKind, SelectedPair};

/// Counters of what the agent did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// New connectivity-check transactions (retransmissions not counted).
    pub checks_sent: u64,
    /// Retransmissions of checks and gathering requests.
    pub retransmissions: u64,
    /// Authenticated Binding requests received.
    pub requests_received: u64,
    /// Authenticated responses to checks received.
    pub responses_received: u64,
    /// Datagrams dropped: not STUN, bad FINGERPRINT, unauthenticated response, unknown
    /// transaction.
    pub dropped: u64,
    /// 400 responses sent.
    pub sent_400: u64,
    /// 401 responses sent.
    pub sent_401: u64,
    /// 420 responses sent.
    pub sent_420: u64,
    /// 487 responses sent.
    pub sent_487: u64,
    /// 487 responses received (and acted on).
    pub received_487: u64,
    /// Consent checks sent.
    pub consent_sent: u64,
    /// Role switches.
    pub role_switches: u64,
    /// Application datagrams sent.
    pub data_sent: u64,
    /// Application datagrams received on a valid pair.
    pub data_received: u64,
}

/// What an outstanding STUN transaction is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TxKind {
    /// A connectivity check of a pair.
    Check {
        pair: usize,
        use_candidate: bool,
        priority: u32,
        role: Role,
    },
    /// A consent check of the selected pair (sent once).
    Consent { pair: usize },
    /// A Binding request to a STUN server for a server-reflexive candidate.
    Srflx { server: SocketAddr },
}

/// One outstanding transaction.
#[derive(Clone, Debug)]
pub(crate) struct Transaction {
    pub(crate) id: TransactionId,
    pub(crate) kind: TxKind,
    pub(crate) local: SocketAddr,
    pub(crate) remote: SocketAddr,
    pub(crate) bytes: Vec<u8>,
    pub(crate) sent: u32,
    pub(crate) rto: Duration,
    /// Next retransmission, or the final timeout once all transmissions are out.
    pub(crate) next: Instant,
    /// Cancelled by a triggered check (§7.3.1.4): no retransmission, no failure on timeout.
    pub(crate) cancelled: bool,
}

/// The consent state of the selected pair (RFC 7675).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Consent {
    pub(crate) last_response: Instant,
    pub(crate) next_check: Instant,
    pub(crate) lost: bool,
}

/// The reference ICE agent. See the [module documentation](self).
#[derive(Debug)]
pub struct Agent {
    pub(crate) cfg: AgentConfig,
    pub(crate) rng: SeededRng,
    pub(crate) role: Role,
    pub(crate) tie_breaker: u64,
    pub(crate) local_creds: IceCredentials,
    pub(crate) local_key: Key,
    pub(crate) remote_creds: Option<IceCredentials>,
    pub(crate) remote_key: Option<Key>,
    pub(crate) foundations: Foundations,
    pub(crate) locals: Vec<Candidate>,
    pub(crate) remotes: Vec<Candidate>,
    pub(crate) pairs: Vec<Pair>,
    pub(crate) triggered: VecDeque<usize>,
    pub(crate) txs: Vec<Transaction>,
    pub(crate) gather_jobs: VecDeque<(SocketAddr, SocketAddr)>,
    pub(crate) state: ConnectionState,
    pub(crate) selected: Option<usize>,
    pub(crate) nominating: Option<usize>,
    pub(crate) first_valid_at: Option<Instant>,
    pub(crate) remote_eoc: bool,
    pub(crate) gathering_done: bool,
    pub(crate) next_ta: Instant,
    /// The pacer found nothing to send at its last turn (cleared by the next input).
    pub(crate) pacer_idle: bool,
    pub(crate) consent: Option<Consent>,
    pub(crate) last_keepalive: Instant,
    pub(crate) prflx_count: u32,
    pub(crate) out: VecDeque<Output<IceEvent>>,
    pub(crate) sockets: Vec<Socket>,
    pub(crate) relays: Vec<relay::Relay>,
    pub(crate) counters: Counters,
    pub(crate) now: Instant,
}

mod rand_free {
    use harness_core::rng::SeededRng;

    /// `len` ice-chars (RFC 8445 §5.3: ALPHA / DIGIT / "+" / "/") from `rng`.
    pub(crate) fn random_string(rng: &mut SeededRng, len: usize) -> String {
        const ICE_CHARS: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..len)
            .map(|_| {
                let i = usize::try_from(rng.below(64)).unwrap_or(0);
                char::from(*ICE_CHARS.get(i).unwrap_or(&b'A'))
            })
            .collect()
    }
}

impl Agent {
    /// A new agent at `now`: binds its host sockets, gathers host candidates at once and queues
    /// server-reflexive gathering. Credentials and the tie-breaker come from `rng` unless the
    /// configuration fixes the credentials.
    #[must_use]
    pub fn new(mut cfg: AgentConfig, mut rng: SeededRng, now: Instant) -> Self {
        if cfg.lite {
            cfg.role = Role::Controlled;
        } else if cfg.remote_lite {
            cfg.role = Role::Controlling;
        }
        let local_creds = cfg.credentials.clone().unwrap_or_else(|| IceCredentials {
            ufrag: random_string(&mut rng, 8),
            pwd: random_string(&mut rng, 24),
        });
        let tie_breaker = rng.next_u64_value();
        let local_key = key_of(&local_creds.pwd);
        let mut agent = Self {
            role: cfg.role,
            cfg,
            rng,
            tie_breaker,
            local_creds,
            local_key,
            remote_creds: None,
            remote_key: None,
            foundations: Foundations::default(),
            locals: Vec::new(),
            remotes: Vec::new(),
            pairs: Vec::new(),
            triggered: VecDeque::new(),
            txs: Vec::new(),
            gather_jobs: VecDeque::new(),
            state: ConnectionState::New,
            selected: None,
            nominating: None,
            first_valid_at: None,
            remote_eoc: false,
            gathering_done: false,
            next_ta: now,
            pacer_idle: false,
            consent: None,
            last_keepalive: now,
            prflx_count: 0,
            out: VecDeque::new(),
            sockets: Vec::new(),
            relays: Vec::new(),
            counters: Counters::default(),
            now,
        };
        agent.gather_hosts(now);
        agent.start_relays(now);
        agent.check_gathering_done(now);
        agent
    }

    fn gather_hosts(&mut self, now: Instant) {
        let hosts = self.cfg.host_addrs.clone();
        let count = hosts.len();
        for (i, addr) in hosts.into_iter().enumerate() {
            let socket = Socket {
                addr,
                transport: Transport::Udp,
            };
            if !self.sockets.contains(&socket) {
                self.sockets.push(socket);
                self.out.push_back(Output::Bind(socket));
            }
            // Local preference: 65535 for the first interface, lower for the next (§5.1.2.2).
            let pref = u16::try_from(65535usize.saturating_sub(i.saturating_mul(256)))
                .unwrap_or(0)
                .max(1);
            let foundation =
                self.foundations
                    .foundation(CandidateKind::Host, addr.ip(), None, Transport::Udp);
            let c = Candidate::host(addr, pref, foundation);
            self.locals.push(c.clone());
            if self.cfg.policy == GatherPolicy::All {
                self.emit(now, IceEventKind::CandidateGathered(c));
            }
            if !self.cfg.lite && self.cfg.policy == GatherPolicy::All {
                for server in self.cfg.stun_servers.clone() {
                    if server.is_ipv4() == addr.is_ipv4() {
                        self.gather_jobs.push_back((addr, server));
                    }
                }
            }
        }
        let _ = count;
    }

    pub(crate) fn check_gathering_done(&mut self, now: Instant) {
        let pending = !self.gather_jobs.is_empty()
            || self.relays_pending()
            || self
                .txs
                .iter()
                .any(|t| matches!(t.kind, TxKind::Srflx { .. }));
        if !pending && !self.gathering_done {
            self.gathering_done = true;
            self.emit(now, IceEventKind::GatheringComplete);
        }
    }

    /// The local credentials to signal to the peer.
    #[must_use]
    pub fn local_credentials(&self) -> &IceCredentials {
        &self.local_creds
    }

    /// The current role.
    #[must_use]
    pub fn role(&self) -> Role {
        self.role
    }

    /// The tie-breaker (RFC 8445 §7.1.3).
    #[must_use]
    pub fn tie_breaker(&self) -> u64 {
        self.tie_breaker
    }

    /// Whether this is a lite agent.
    #[must_use]
    pub fn is_lite(&self) -> bool {
        self.cfg.lite
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &AgentConfig {
        &self.cfg
    }

    /// The connection state.
    #[must_use]
    pub fn state(&self) -> ConnectionState {
        self.state
    }

    /// Counters.
    #[must_use]
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// Local candidates gathered so far (including peer-reflexive ones learned from responses).
    /// Under the relay-only policy host candidates are kept as bases but not announced.
    #[must_use]
    pub fn local_candidates(&self) -> &[Candidate] {
        &self.locals
    }

    /// The candidates to announce to the peer (what [`IceEventKind::CandidateGathered`] gave).
    #[must_use]
    pub fn announced_candidates(&self) -> Vec<Candidate> {
        self.locals
            .iter()
            .filter(|c| c.kind != CandidateKind::PeerReflexive)
            .filter(|c| self.cfg.policy == GatherPolicy::All || c.kind == CandidateKind::Relayed)
            .cloned()
            .collect()
    }

    /// Remote candidates, including peer-reflexive ones.
    #[must_use]
    pub fn remote_candidates(&self) -> &[Candidate] {
        &self.remotes
    }

    /// The check list (stable indexes; pairs are never removed, only marked).
    #[must_use]
    pub fn pairs(&self) -> &[Pair] {
        &self.pairs
    }

    /// Whether gathering has finished.
    #[must_use]
    pub fn gathering_complete(&self) -> bool {
        self.gathering_done
    }

    /// Whether the agent may send application data now: a pair is selected and consent has
    /// not been lost (RFC 7675 §5.1).
    #[must_use]
    pub fn can_send(&self) -> bool {
        self.selected.is_some() && !self.consent.is_some_and(|c| c.lost)
    }

    /// The selected pair, if any.
    #[must_use]
    pub fn selected_pair(&self) -> Option<SelectedPair> {
        let p = self.pairs.get(self.selected?)?;
        let local = self.locals.get(p.local)?.clone();
        let remote = self.remotes.get(p.remote)?.clone();
        Some(SelectedPair {
            transport: local.transport,
            base: p.base,
            local,
            remote,
        })
    }

    /// The implementation's name in reports.
    #[must_use]
    pub const fn implementation(&self) -> &'static str {
        "reference"
    }

    /// Whether the agent is controlling now.
    #[must_use]
    pub fn controlling(&self) -> bool {
        self.role == Role::Controlling
    }

    /// Fields of this agent's output that are not reproducible from the seed: none (every
    /// transaction id, credential and tie-breaker comes from the seeded stream).
    #[must_use]
    pub fn masked_fields(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// Sends application data on the selected pair (through the relay for a relayed local
    /// candidate). Returns false when no pair is selected or consent is lost (RFC 7675 §5.1).
    pub fn send(&mut self, now: Instant, payload: &[u8]) -> bool {
        self.now = self.now.max(now);
        if !self.can_send() || self.state == ConnectionState::Closed {
            return false;
        }
        let Some(p) = self.selected.and_then(|s| self.pairs.get(s)) else {
            return false;
        };
        let (base, remote) = (p.base, p.remote_addr);
        self.counters.data_sent = self.counters.data_sent.saturating_add(1);
        self.transmit_from(base, remote, payload.to_vec());
        true
    }

    /// Whether `payload` is a STUN response to one of the agent's own transactions (a
    /// server-reflexive request to a server that is also a TURN server of the agent).
    fn is_own_transaction(&self, payload: &[u8]) -> bool {
        harness_stun::Message::new_checked(payload)
            .is_ok_and(|m| self.txs.iter().any(|t| t.id == m.transaction_id()))
    }

    /// Sends `payload` from local address `local` (a host base, or a relayed address) to
    /// `remote`.
    pub(crate) fn transmit_from(
        &mut self,
        local: SocketAddr,
        remote: SocketAddr,
        payload: Vec<u8>,
    ) {
        if let Some(k) = self.relay_of(local) {
            let now = self.now;
            self.relay_send(now, k, remote, &payload);
            return;
        }
        self.out
            .push_back(Output::Transmit(harness_core::endpoint::Transmit {
                context: harness_core::endpoint::TransportContext {
                    local,
                    remote,
                    transport: Transport::Udp,
                },
                payload,
            }));
    }

    /// Sets (or changes) the peer's credentials. Checks can start once they are known. New
    /// credentials for a peer that had others mean the peer restarted (RFC 8445 §9): its
    /// candidates and the check list are dropped.
    pub fn set_remote_credentials(&mut self, now: Instant, creds: IceCredentials) {
        self.now = self.now.max(now);
        if self.remote_creds.as_ref().is_some_and(|c| *c != creds) {
            self.reset_remote(now);
        }
        self.remote_key = Some(key_of(&creds.pwd));
        self.remote_creds = Some(creds);
        self.work(now);
    }

    /// Adds a remote candidate (from the SDP or trickled, RFC 8838 §8). Pairs are formed at
    /// once with every compatible local candidate. Returns false when it was ignored (a
    /// duplicate, incompatible, or over the configured bound).
    pub fn add_remote_candidate(&mut self, now: Instant, candidate: Candidate) -> bool {
        self.now = self.now.max(now);
        if let Some(existing) = self
            .remotes
            .iter_mut()
            .find(|r| r.addr == candidate.addr && r.transport == candidate.transport)
        {
            // A signalled candidate replaces a peer-reflexive one learned earlier (§7.3.1.3).
            if existing.kind == CandidateKind::PeerReflexive
                && candidate.kind != CandidateKind::PeerReflexive
            {
                *existing = candidate;
            }
            return false;
        }
        if self.remotes.len() >= self.cfg.max_remote_candidates {
            return false;
        }
        self.remotes.push(candidate);
        let ri = self.remotes.len().saturating_sub(1);
        self.pair_remote(ri, now);
        self.work(now);
        true
    }

    /// The remote description's ICE parameters: credentials and whether the peer is lite. A
    /// full agent facing a lite peer takes the controlling role (RFC 8445 §6.1.1).
    pub fn set_remote_params(&mut self, now: Instant, creds: IceCredentials, lite: bool) {
        self.cfg.remote_lite = lite;
        if lite && !self.cfg.lite {
            self.switch_role(now, Role::Controlling);
        }
        self.set_remote_credentials(now, creds);
    }

    /// The peer signalled end-of-candidates (RFC 8838 §13).
    pub fn end_of_remote_candidates(&mut self, now: Instant) {
        self.remote_eoc = true;
        self.work(now);
    }

    /// ICE restart (RFC 8445 §9): new local credentials, remote state dropped; the peer's new
    /// credentials and candidates are to be signalled again. The role and the tie-breaker stay.
    pub fn restart(&mut self, now: Instant) {
        self.now = self.now.max(now);
        self.local_creds = IceCredentials {
            ufrag: random_string(&mut self.rng, 8),
            pwd: random_string(&mut self.rng, 24),
        };
        self.local_key = key_of(&self.local_creds.pwd);
        self.remote_creds = None;
        self.remote_key = None;
        self.reset_remote(now);
        // Re-announce what we have (§9: candidates may be reused).
        self.gathering_done = false;
        for c in self.announced_candidates() {
            self.emit(now, IceEventKind::CandidateGathered(c));
        }
        self.check_gathering_done(now);
        self.set_state(now, ConnectionState::Checking);
    }

    fn reset_remote(&mut self, _now: Instant) {
        self.remotes.clear();
        self.pairs.clear();
        self.triggered.clear();
        self.txs.retain(|t| matches!(t.kind, TxKind::Srflx { .. }));
        self.locals
            .retain(|c| c.kind != CandidateKind::PeerReflexive);
        self.selected = None;
        self.nominating = None;
        self.first_valid_at = None;
        self.remote_eoc = false;
        self.consent = None;
    }

    /// Closes the agent: nothing more is sent; every socket is released.
    pub fn close(&mut self, now: Instant) {
        self.release_relays(now);
        self.txs.clear();
        self.triggered.clear();
        self.gather_jobs.clear();
        self.consent = None;
        for s in core::mem::take(&mut self.sockets) {
            self.out.push_back(Output::Unbind(s));
        }
        self.set_state(now, ConnectionState::Closed);
    }

    pub(crate) fn emit(&mut self, at: Instant, kind: IceEventKind) {
        self.out.push_back(Output::Event(IceEvent { at, kind }));
    }

    pub(crate) fn set_state(&mut self, now: Instant, next: ConnectionState) {
        if self.state != next {
            self.state = next;
            self.emit(now, IceEventKind::ConnectionState(next));
        }
    }

    pub(crate) fn set_pair_state(&mut self, now: Instant, index: usize, to: PairState) {
        let Some(p) = self.pairs.get_mut(index) else {
            return;
        };
        if p.state == to {
            return;
        }
        let from = p.state;
        p.state = to;
        let (local, remote) = (p.base, p.remote_addr);
        self.emit(
            now,
            IceEventKind::PairStateChanged {
                pair: index,
                local,
                remote,
                from,
                to,
            },
        );
    }

    /// Pairs remote candidate `ri` with every compatible local candidate (trickle: RFC 8838
    /// §10; the new pair is Waiting unless its foundation already has a pair being checked).
    pub(crate) fn pair_remote(&mut self, ri: usize, now: Instant) -> Vec<usize> {
        let mut made = Vec::new();
        let Some(remote) = self.remotes.get(ri).cloned() else {
            return made;
        };
        for li in 0..self.locals.len() {
            let Some(local) = self.locals.get(li) else {
                continue;
            };
            if local.kind == CandidateKind::ServerReflexive
                || local.kind == CandidateKind::PeerReflexive
                || (self.cfg.policy == GatherPolicy::RelayOnly
                    && local.kind != CandidateKind::Relayed)
                || !compatible(local, &remote)
            {
                continue;
            }
            if self
                .pairs
                .iter()
                .any(|p| p.base == local.base && p.remote_addr == remote.addr)
            {
                continue;
            }
            if self.pairs.len() >= self.cfg.max_pairs {
                break;
            }
            let mut pair = Pair::new(li, local, ri, &remote, self.role);
            let busy = self.pairs.iter().any(|p| {
                p.foundation == pair.foundation
                    && matches!(p.state, PairState::Waiting | PairState::InProgress)
            });
            pair.state = if busy {
                PairState::Frozen
            } else {
                PairState::Waiting
            };
            let (local_addr, remote_addr, to) = (pair.base, pair.remote_addr, pair.state);
            self.pairs.push(pair);
            let index = self.pairs.len().saturating_sub(1);
            self.emit(
                now,
                IceEventKind::PairStateChanged {
                    pair: index,
                    local: local_addr,
                    remote: remote_addr,
                    from: PairState::Frozen,
                    to,
                },
            );
            made.push(index);
        }
        made
    }

    /// Recomputes pair priorities after a role change (§7.2.5.1, §7.3.1.1).
    pub(crate) fn switch_role(&mut self, now: Instant, to: Role) {
        if self.role == to {
            return;
        }
        self.role = to;
        self.counters.role_switches = self.counters.role_switches.saturating_add(1);
        for p in &mut self.pairs {
            if let (Some(l), Some(r)) = (self.locals.get(p.local), self.remotes.get(p.remote)) {
                p.priority = priority_for(to, l, r);
            }
        }
        self.emit(now, IceEventKind::RoleChanged(to));
    }

    /// The next transaction id.
    pub(crate) fn new_txid(&mut self) -> TransactionId {
        let mut id = [0u8; 12];
        for chunk in id.chunks_mut(8) {
            let bytes = self.rng.next_u64_value().to_le_bytes();
            for (d, s) in chunk.iter_mut().zip(bytes) {
                *d = s;
            }
        }
        TransactionId(id)
    }
}

trait NextU64 {
    fn next_u64_value(&mut self) -> u64;
}

impl NextU64 for SeededRng {
    fn next_u64_value(&mut self) -> u64 {
        self.below(u64::MAX)
    }
}

/// The short-term key of an ICE password (RFC 8489 §9.1.1; ICE passwords are ice-chars, so no
/// preparation changes them).
pub(crate) fn key_of(pwd: &str) -> Key {
    Key::from_bytes(pwd.as_bytes())
}

impl Endpoint for Agent {
    type Event = IceEvent;

    fn handle_input(&mut self, input: Input<'_>) {
        let now = input.now().max(self.now);
        self.now = now;
        if self.state == ConnectionState::Closed {
            return;
        }
        match input {
            Input::Datagram {
                context, payload, ..
            } => match self.relay_for(&context) {
                Some(k) if !self.is_own_transaction(payload) => {
                    self.relay_input(now, k, input);
                }
                _ => self.on_datagram(now, context, payload),
            },
            Input::Tcp { context, .. } => {
                if let Some(k) = self.relay_for(&context) {
                    self.relay_input(now, k, input);
                }
            }
            _ => {}
        }
        self.relay_timers(now);
        self.work(now);
    }

    fn poll_output(&mut self) -> Output<IceEvent> {
        if let Some(o) = self.out.pop_front() {
            return o;
        }
        match self.deadline() {
            Some(t) => Output::Timeout(t),
            None => Output::Idle,
        }
    }

    fn sockets(&self) -> Vec<Socket> {
        self.sockets.clone()
    }
}
