//! Gathering and relaying for ICE engines that do neither (the webrtc crate's rtc-ice agent
//! does not gather): the shim owns the UDP bases, gathers server-reflexive and relayed
//! candidates with the harness's STUN and TURN client, hands them to the engine, and carries
//! the engine's traffic through the TURN allocations. The engine only runs checks.

use core::time::Duration;
use std::collections::VecDeque;
use std::net::SocketAddr;

use harness_core::endpoint::{Input, Output, Socket, Transmit, Transport, TransportContext};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_turn::stun::{Class, Message, MessageBuilder, attr, looks_like_stun, method};
use rand_core::RngCore;

use super::reference::BASE_PORT;
use super::relay::{AllocState, Allocation, Outbox, RelayEvent};
use super::{
    AgentConfig, AgentEvent, Candidate, IceAgent, IceState, RemoteParams, TransportTag,
    candidate_priority, local_preference,
};
use crate::schema::{CandidateType, Gathering, Implementation};

/// What a bare engine reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BareOutput {
    /// A datagram to send from `local` (a base or a relayed address) to `remote`.
    Transmit {
        /// Source.
        local: SocketAddr,
        /// Destination.
        remote: SocketAddr,
        /// Bytes.
        payload: Vec<u8>,
    },
    /// State change.
    State(IceState),
    /// Selected pair by addresses.
    Selected {
        /// Local address.
        local: SocketAddr,
        /// Remote address.
        remote: SocketAddr,
    },
    /// Role change (true: controlling).
    RoleChanged(bool),
}

/// An ICE engine that runs checks but does not gather.
pub trait BareAgent {
    /// Implementation name.
    fn implementation(&self) -> Implementation;
    /// Local ufrag and password.
    fn credentials(&self) -> (String, String);
    /// Controlling now.
    fn controlling(&self) -> bool;
    /// Adds a gathered local candidate (server-reflexive or relayed).
    ///
    /// # Errors
    /// The engine refuses it.
    fn add_local(&mut self, c: &Candidate) -> Result<(), String>;
    /// Adds a remote candidate.
    ///
    /// # Errors
    /// The engine refuses it.
    fn add_remote(&mut self, now: Instant, c: &Candidate) -> Result<(), String>;
    /// Starts checks with the remote credentials.
    ///
    /// # Errors
    /// The engine refuses.
    fn start(&mut self, now: Instant, ufrag: &str, pwd: &str) -> Result<(), String>;
    /// Restarts with fresh credentials.
    ///
    /// # Errors
    /// The engine refuses.
    fn restart(&mut self, now: Instant) -> Result<(), String>;
    /// A datagram arrived on `local` from `remote`.
    fn handle_datagram(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        payload: &[u8],
    );
    /// A timer fired.
    fn handle_timeout(&mut self, now: Instant);
    /// The next output.
    fn poll(&mut self) -> Option<BareOutput>;
    /// The next deadline.
    fn poll_timeout(&self) -> Option<Instant>;
    /// Fields that cannot be seeded.
    fn masked_fields(&self) -> Vec<&'static str>;
}

/// The UDP bases the shim binds for `cfg` (the engine must use the same ones).
#[must_use]
pub fn bases(cfg: &AgentConfig) -> Vec<SocketAddr> {
    cfg.host_addrs
        .iter()
        .enumerate()
        .map(|(i, ip)| SocketAddr::new(*ip, BASE_PORT + u16::try_from(i).unwrap_or(0) * 2))
        .collect()
}

const RTO: Duration = Duration::from_millis(250);

/// A Binding request to a STUN server: id, base index, server, bytes, sends, next time.
type SrflxTx = ([u8; 12], usize, SocketAddr, Vec<u8>, u32, Instant);
const GATHER_TIMEOUT: Duration = Duration::from_secs(3);

/// [`IceAgent`] over a [`BareAgent`].
pub struct Shim {
    cfg: AgentConfig,
    rng: SeededRng,
    bare: Box<dyn BareAgent>,
    bases: Vec<SocketAddr>,
    locals: Vec<Candidate>,
    remotes: Vec<Candidate>,
    srflx_txs: Vec<SrflxTx>,
    allocs: Vec<Allocation>,
    out: VecDeque<Output<AgentEvent>>,
    started: bool,
    checking: bool,
    pending: usize,
    gathering_done: bool,
    gather_until: Instant,
    remote: Option<RemoteParams>,
    selected: Option<(Candidate, Candidate)>,
    state: IceState,
    closed: bool,
    now: Instant,
}

impl core::fmt::Debug for Shim {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Shim({})", self.cfg.name)
    }
}

impl Shim {
    /// Wraps `bare`, which must have host candidates on [`bases`]`(&cfg)`.
    #[must_use]
    pub fn new(cfg: AgentConfig, rng: SeededRng, bare: Box<dyn BareAgent>) -> Self {
        let bases = bases(&cfg);
        Self {
            cfg,
            rng,
            bare,
            bases,
            locals: Vec::new(),
            remotes: Vec::new(),
            srflx_txs: Vec::new(),
            allocs: Vec::new(),
            out: VecDeque::new(),
            started: false,
            checking: false,
            pending: 0,
            gathering_done: false,
            gather_until: Instant::ZERO,
            remote: None,
            selected: None,
            state: IceState::New,
            closed: false,
            now: Instant::ZERO,
        }
    }

    fn flush(&mut self, ob: Outbox) {
        for t in ob.transmits {
            self.out.push_back(Output::Transmit(t));
        }
        for c in ob.tcp {
            self.out.push_back(Output::Tcp(c));
        }
    }

    fn udp(&mut self, local: SocketAddr, remote: SocketAddr, payload: Vec<u8>) {
        self.out.push_back(Output::Transmit(Transmit {
            context: TransportContext {
                local,
                remote,
                transport: Transport::Udp,
            },
            payload,
        }));
    }

    fn local(&mut self, c: Candidate, engine: bool) {
        if self.locals.iter().any(|l| l.addr == c.addr) {
            return;
        }
        // An engine that refuses a candidate just does not use it; the candidate is still
        // signaled so the remote's view matches what was gathered.
        if engine && self.bare.add_local(&c).is_err() {
            self.out
                .push_back(Output::Event(AgentEvent::State(self.state)));
        }
        let signal = self.cfg.gathering == Gathering::All || c.kind == CandidateType::Relay;
        self.locals.push(c.clone());
        if signal {
            self.out
                .push_back(Output::Event(AgentEvent::LocalCandidate(c)));
        }
    }

    fn done_one(&mut self) {
        self.pending = self.pending.saturating_sub(1);
        if self.pending == 0 && !self.gathering_done {
            self.gathering_done = true;
            self.out.push_back(Output::Event(AgentEvent::GatheringDone));
        }
    }

    fn start(&mut self) {
        self.started = true;
        self.gather_until = self.now + GATHER_TIMEOUT;
        for b in self.bases.clone() {
            self.out.push_back(Output::Bind(Socket {
                addr: b,
                transport: Transport::Udp,
            }));
            let lp = local_preference(b.ip(), TransportTag::Udp);
            let c = Candidate {
                foundation: format!("h{}", self.locals.len()),
                priority: candidate_priority(CandidateType::Host, lp),
                addr: b,
                kind: CandidateType::Host,
                related: None,
                first_hop: TransportTag::Udp,
            };
            self.local(c, false);
        }
        self.pending = 1;
        if self.cfg.gathering == Gathering::All && !self.cfg.lite {
            for server in self.cfg.stun_servers.clone() {
                for (i, b) in self.bases.clone().into_iter().enumerate() {
                    if b.is_ipv4() != server.is_ipv4() {
                        continue;
                    }
                    let mut id = [0u8; 12];
                    self.rng.fill_bytes(&mut id);
                    let bytes =
                        MessageBuilder::new(method::BINDING, Class::Request, id).fingerprint();
                    self.udp(b, server, bytes.clone());
                    self.srflx_txs
                        .push((id, i, server, bytes, 1, self.now + RTO));
                    self.pending += 1;
                }
            }
        }
        if !self.cfg.lite {
            for (k, server) in self.cfg.turn_servers.clone().into_iter().enumerate() {
                let Some(base) = self
                    .bases
                    .iter()
                    .find(|b| b.is_ipv4() == server.addr.is_ipv4())
                    .copied()
                else {
                    continue;
                };
                let local = match server.transport {
                    Transport::Udp => base,
                    Transport::Tcp => {
                        SocketAddr::new(base.ip(), 40_000 + u16::try_from(k).unwrap_or(0))
                    }
                };
                let mut a = Allocation::new(server, local);
                let mut ob = Outbox::default();
                a.start(self.now, &mut self.rng, &mut ob);
                self.flush(ob);
                self.allocs.push(a);
                self.pending += 1;
            }
        }
        self.done_one();
    }

    fn relay_events(&mut self, a: usize, evs: Vec<RelayEvent>) {
        for e in evs {
            match e {
                RelayEvent::Allocated { relayed, mapped } => {
                    let first_hop = self
                        .allocs
                        .get(a)
                        .map_or(TransportTag::Udp, |x| x.server.transport.into());
                    let lp = local_preference(relayed.ip(), first_hop);
                    let c = Candidate {
                        foundation: format!("r{a}"),
                        priority: candidate_priority(CandidateType::Relay, lp),
                        addr: relayed,
                        kind: CandidateType::Relay,
                        related: mapped,
                        first_hop,
                    };
                    self.local(c, true);
                    self.done_one();
                }
                RelayEvent::Failed => self.done_one(),
                RelayEvent::Data { peer, data } => {
                    if let Some(relayed) = self.allocs.get(a).and_then(|x| x.relayed) {
                        if !looks_like_stun(&data) {
                            if self
                                .selected
                                .as_ref()
                                .is_some_and(|(l, r)| l.addr == relayed && r.addr == peer)
                            {
                                self.out.push_back(Output::Event(AgentEvent::Data(data)));
                            }
                        } else if !self.closed {
                            self.bare.handle_datagram(self.now, relayed, peer, &data);
                        }
                    }
                }
            }
        }
    }

    fn candidate_at(list: &[Candidate], addr: SocketAddr, kind: CandidateType) -> Candidate {
        list.iter()
            .find(|c| c.addr == addr)
            .cloned()
            .unwrap_or(Candidate {
                foundation: "prflx".into(),
                priority: 0,
                addr,
                kind,
                related: None,
                first_hop: TransportTag::Udp,
            })
    }

    fn pump(&mut self) {
        while let Some(o) = self.bare.poll() {
            match o {
                BareOutput::Transmit {
                    local,
                    remote,
                    payload,
                } => {
                    if self.closed {
                        continue;
                    }
                    // An engine that sends "from" a server-reflexive address means its base.
                    let local = self
                        .locals
                        .iter()
                        .find(|c| c.addr == local && c.kind == CandidateType::Srflx)
                        .and_then(|c| c.related)
                        .unwrap_or(local);
                    if let Some(a) = self.allocs.iter().position(|x| x.relayed == Some(local)) {
                        let mut ob = Outbox::default();
                        if let Some(alloc) = self.allocs.get_mut(a) {
                            alloc.permit(self.now, remote, &mut self.rng, &mut ob);
                            alloc.send_to(remote, &payload, &mut self.rng, &mut ob);
                        }
                        self.flush(ob);
                    } else {
                        self.udp(local, remote, payload);
                    }
                }
                BareOutput::State(s) => {
                    if s == IceState::Failed && self.state == IceState::Connected {
                        self.out.push_back(Output::Event(AgentEvent::ConsentLost));
                    }
                    if s != self.state {
                        self.state = s;
                        self.out.push_back(Output::Event(AgentEvent::State(s)));
                    }
                }
                BareOutput::Selected { local, remote } => {
                    let l = Self::candidate_at(&self.locals, local, CandidateType::Prflx);
                    let r = Self::candidate_at(&self.remotes, remote, CandidateType::Prflx);
                    self.selected = Some((l.clone(), r.clone()));
                    self.out.push_back(Output::Event(AgentEvent::Selected {
                        local: l,
                        remote: r,
                    }));
                }
                BareOutput::RoleChanged(c) => self
                    .out
                    .push_back(Output::Event(AgentEvent::RoleChanged(c))),
            }
        }
    }

    fn timers(&mut self) {
        let now = self.now;
        let mut resend = Vec::new();
        let mut gave_up = 0;
        self.srflx_txs.retain_mut(|t| {
            if t.5 > now {
                return true;
            }
            if t.4 >= 5 {
                gave_up += 1;
                return false;
            }
            resend.push((t.1, t.2, t.3.clone()));
            t.5 = now + RTO * (1 << t.4.min(6));
            t.4 += 1;
            true
        });
        for (b, s, bytes) in resend {
            if let Some(base) = self.bases.get(b).copied() {
                self.udp(base, s, bytes);
            }
        }
        for _ in 0..gave_up {
            self.done_one();
        }
        for a in 0..self.allocs.len() {
            let mut ob = Outbox::default();
            let evs = match self.allocs.get_mut(a) {
                Some(x) if x.deadline().is_some_and(|d| d <= now) => {
                    x.on_timeout(now, &mut self.rng, &mut ob)
                }
                _ => Vec::new(),
            };
            self.flush(ob);
            self.relay_events(a, evs);
        }
        if !self.gathering_done && now >= self.gather_until {
            self.pending = 1;
            self.done_one();
        }
    }
}

impl IceAgent for Shim {
    fn implementation(&self) -> Implementation {
        self.bare.implementation()
    }

    fn credentials(&self) -> (String, String) {
        self.bare.credentials()
    }

    fn controlling(&self) -> bool {
        self.bare.controlling()
    }

    fn handle_input(&mut self, input: Input<'_>) {
        self.now = self.now.max(input.now());
        if !self.started {
            self.start();
        }
        match input {
            Input::Datagram {
                context, payload, ..
            } => {
                let srflx = context.transport == Transport::Udp
                    && looks_like_stun(payload)
                    && Message::parse(payload)
                        .is_ok_and(|m| self.srflx_txs.iter().any(|t| t.0 == m.transaction_id()));
                if srflx {
                    if let Ok(m) = Message::parse(payload) {
                        let id = m.transaction_id();
                        if let Some(pos) = self.srflx_txs.iter().position(|t| t.0 == id) {
                            let (_, b, server, ..) = self.srflx_txs.remove(pos);
                            if let (Some(mapped), Some(base)) = (
                                m.xor_address(attr::XOR_MAPPED_ADDRESS),
                                self.bases.get(b).copied(),
                            ) && mapped != base
                            {
                                {
                                    let lp = local_preference(mapped.ip(), TransportTag::Udp);
                                    let c = Candidate {
                                        foundation: format!("s{b}{}", server.port()),
                                        priority: candidate_priority(CandidateType::Srflx, lp),
                                        addr: mapped,
                                        kind: CandidateType::Srflx,
                                        related: Some(base),
                                        first_hop: TransportTag::Udp,
                                    };
                                    self.local(c, true);
                                }
                            }
                            self.done_one();
                        }
                    }
                } else if let Some(a) = self.allocs.iter().position(|x| x.owns(&context)) {
                    let mut ob = Outbox::default();
                    let evs = self
                        .allocs
                        .get_mut(a)
                        .map(|x| x.on_bytes(self.now, payload, &mut self.rng, &mut ob))
                        .unwrap_or_default();
                    self.flush(ob);
                    self.relay_events(a, evs);
                } else if !looks_like_stun(payload) {
                    let on_selected = self.selected.as_ref().is_some_and(|(l, r)| {
                        r.addr == context.remote
                            && (l.addr == context.local || l.related == Some(context.local))
                    });
                    if on_selected && !self.closed {
                        self.out
                            .push_back(Output::Event(AgentEvent::Data(payload.to_vec())));
                    }
                } else if !self.closed && (self.cfg.gathering == Gathering::All || self.cfg.lite) {
                    self.bare
                        .handle_datagram(self.now, context.local, context.remote, payload);
                }
            }
            Input::Tcp { context, event, .. } => {
                if let Some(a) = self.allocs.iter().position(|x| x.context() == context) {
                    let mut ob = Outbox::default();
                    let evs = self
                        .allocs
                        .get_mut(a)
                        .map(|x| x.on_tcp(self.now, event, &mut self.rng, &mut ob))
                        .unwrap_or_default();
                    self.flush(ob);
                    self.relay_events(a, evs);
                }
            }
            _ => {
                if !self.closed {
                    self.bare.handle_timeout(self.now);
                }
            }
        }
        self.timers();
        self.pump();
    }

    fn poll_output(&mut self) -> Output<AgentEvent> {
        if !self.started {
            self.start();
            self.pump();
        }
        if let Some(o) = self.out.pop_front() {
            return o;
        }
        let mut d: Vec<Instant> = self.srflx_txs.iter().map(|t| t.5).collect();
        d.extend(self.allocs.iter().filter_map(Allocation::deadline));
        if !self.gathering_done {
            d.push(self.gather_until);
        }
        if !self.closed {
            d.extend(self.bare.poll_timeout());
        }
        match d.into_iter().min() {
            Some(t) => Output::Timeout(t.max(self.now)),
            None => Output::Idle,
        }
    }

    fn sockets(&self) -> Vec<Socket> {
        self.bases
            .iter()
            .map(|b| Socket {
                addr: *b,
                transport: Transport::Udp,
            })
            .collect()
    }

    fn set_remote(&mut self, now: Instant, params: RemoteParams) {
        self.now = self.now.max(now);
        if !self.checking {
            self.checking = true;
            let _ = self.bare.start(self.now, &params.ufrag, &params.pwd);
        }
        self.remote = Some(params);
        self.pump();
    }

    fn add_remote_candidate(&mut self, now: Instant, candidate: Candidate) {
        self.now = self.now.max(now);
        for a in 0..self.allocs.len() {
            let mut ob = Outbox::default();
            if let Some(x) = self.allocs.get_mut(a)
                && x.state == AllocState::Ready
            {
                x.permit(self.now, candidate.addr, &mut self.rng, &mut ob);
            }
            self.flush(ob);
        }
        let _ = self.bare.add_remote(self.now, &candidate);
        self.remotes.push(candidate);
        self.pump();
    }

    fn remote_gathering_done(&mut self, now: Instant) {
        self.now = self.now.max(now);
    }

    fn restart(&mut self, now: Instant) {
        self.now = self.now.max(now);
        let _ = self.bare.restart(self.now);
        self.checking = false;
        self.remotes.clear();
        self.pump();
    }

    fn close(&mut self, now: Instant) {
        self.now = self.now.max(now);
        self.closed = true;
        self.out.clear();
        self.state = IceState::Closed;
        self.out
            .push_back(Output::Event(AgentEvent::State(IceState::Closed)));
    }

    fn send(&mut self, now: Instant, payload: &[u8]) -> bool {
        self.now = self.now.max(now);
        let Some((l, r)) = self.selected.clone() else {
            return false;
        };
        if let Some(a) = self.allocs.iter().position(|x| x.relayed == Some(l.addr)) {
            let mut ob = Outbox::default();
            if let Some(x) = self.allocs.get_mut(a) {
                x.send_to(r.addr, payload, &mut self.rng, &mut ob);
            }
            self.flush(ob);
        } else {
            self.udp(l.addr, r.addr, payload.to_vec());
        }
        true
    }

    fn selected(&self) -> Option<(Candidate, Candidate)> {
        self.selected.clone()
    }

    fn remote_candidates(&self) -> Vec<Candidate> {
        self.remotes.clone()
    }

    fn masked_fields(&self) -> Vec<&'static str> {
        self.bare.masked_fields()
    }
}
