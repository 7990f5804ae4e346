//! The harness's built-in ICE agent (RFC 8445, one component, one data stream): host,
//! server-reflexive and relayed gathering, paced connectivity checks with triggered checks,
//! regular or aggressive nomination, role-conflict repair, ICE-lite, restart and consent
//! freshness (RFC 7675). Deterministic: every random draw comes from the seeded stream.

use core::time::Duration;
use std::collections::VecDeque;
use std::net::SocketAddr;

use harness_core::endpoint::{Input, Output, Socket, Transport, TransportContext};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_turn::stun::{Class, Message, MessageBuilder, attr, looks_like_stun, method};
use rand_core::RngCore;

use super::relay::{AllocState, Allocation, Outbox, RelayEvent};
use super::{
    AgentConfig, AgentEvent, Candidate, IceAgent, IceState, RemoteParams, TransportTag,
    candidate_priority, local_preference, pair_priority,
};
use crate::schema::{CandidateType, Gathering, Implementation, Nomination};

const CHECK_RTO: Duration = Duration::from_millis(250);
const CHECK_SENDS: u32 = 5;
const STUN_SENDS: u32 = 5;
const CONSENT_TIMEOUT: Duration = Duration::from_secs(30);
/// Gathering ends at the latest this long after it starts, whatever is still pending.
const GATHER_TIMEOUT: Duration = Duration::from_secs(3);
const NOMINATION_GRACE: Duration = Duration::from_millis(500);
/// First UDP port of the agent's bases.
pub const BASE_PORT: u16 = 50_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    Base(usize),
    Relay(usize),
}

#[derive(Clone, Debug)]
struct Local {
    cand: Candidate,
    via: Via,
    pairable: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PairState {
    Waiting,
    InProgress,
    Succeeded,
    Failed,
}

#[derive(Clone, Debug)]
struct Pair {
    local: usize,
    remote: usize,
    priority: u64,
    state: PairState,
    remote_nominated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TxKind {
    Srflx,
    Check { pair: usize, nominate: bool },
    Consent,
}

#[derive(Clone, Debug)]
struct Tx {
    id: [u8; 12],
    bytes: Vec<u8>,
    via: Via,
    dest: SocketAddr,
    sends: u32,
    max: u32,
    next: Instant,
    kind: TxKind,
    cancelled: bool,
}

/// The reference agent.
#[derive(Debug)]
pub struct ReferenceAgent {
    cfg: AgentConfig,
    rng: SeededRng,
    controlling: bool,
    tie_breaker: u64,
    ufrag: String,
    pwd: String,
    remote: Option<RemoteParams>,
    bases: Vec<SocketAddr>,
    locals: Vec<Local>,
    remotes: Vec<Candidate>,
    pairs: Vec<Pair>,
    triggered: VecDeque<usize>,
    txs: Vec<Tx>,
    allocs: Vec<Allocation>,
    out: VecDeque<Output<AgentEvent>>,
    started: bool,
    state: IceState,
    selected: Option<usize>,
    next_check: Instant,
    first_success: Option<Instant>,
    gathering_pending: usize,
    gathering_done: bool,
    remote_done: bool,
    checking_since: Option<Instant>,
    consent_ok: Instant,
    next_consent: Option<Instant>,
    closed: bool,
    restarting: bool,
    gather_until: Instant,
    now: Instant,
}

fn random_string(rng: &mut SeededRng, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..len)
        .map(|_| {
            let i = usize::try_from(rng.below(64)).unwrap_or(0);
            char::from(ALPHABET.get(i).copied().unwrap_or(b'A'))
        })
        .collect()
}

impl ReferenceAgent {
    /// A new agent; nothing happens until the first input.
    #[must_use]
    pub fn new(cfg: AgentConfig, mut rng: SeededRng) -> Self {
        let tie_breaker = rng.next_u64();
        let ufrag = random_string(&mut rng, 8);
        let pwd = random_string(&mut rng, 24);
        let bases = cfg
            .host_addrs
            .iter()
            .enumerate()
            .map(|(i, ip)| SocketAddr::new(*ip, BASE_PORT + u16::try_from(i).unwrap_or(0) * 2))
            .collect();
        Self {
            controlling: cfg.controlling && !cfg.lite,
            cfg,
            rng,
            tie_breaker,
            ufrag,
            pwd,
            remote: None,
            bases,
            locals: Vec::new(),
            remotes: Vec::new(),
            pairs: Vec::new(),
            triggered: VecDeque::new(),
            txs: Vec::new(),
            allocs: Vec::new(),
            out: VecDeque::new(),
            started: false,
            state: IceState::New,
            selected: None,
            next_check: Instant::ZERO,
            first_success: None,
            gathering_pending: 0,
            gathering_done: false,
            remote_done: false,
            checking_since: None,
            consent_ok: Instant::ZERO,
            next_consent: None,
            closed: false,
            restarting: false,
            gather_until: Instant::ZERO,
            now: Instant::ZERO,
        }
    }

    fn txid(&mut self) -> [u8; 12] {
        let mut id = [0u8; 12];
        self.rng.fill_bytes(&mut id);
        id
    }

    fn flush(&mut self, ob: Outbox) {
        for t in ob.transmits {
            self.out.push_back(Output::Transmit(t));
        }
        for c in ob.tcp {
            self.out.push_back(Output::Tcp(c));
        }
    }

    fn event(&mut self, e: AgentEvent) {
        self.out.push_back(Output::Event(e));
    }

    fn set_state(&mut self, s: IceState) {
        if self.state != s {
            self.state = s;
            self.event(AgentEvent::State(s));
        }
    }

    fn add_local(&mut self, cand: Candidate, via: Via, pairable: bool, signal: bool) {
        if self
            .locals
            .iter()
            .any(|l| l.cand.addr == cand.addr && l.cand.kind == cand.kind)
        {
            return;
        }
        self.locals.push(Local {
            cand: cand.clone(),
            via,
            pairable,
        });
        if pairable {
            let li = self.locals.len() - 1;
            for ri in 0..self.remotes.len() {
                self.make_pair(li, ri);
            }
        }
        if signal {
            self.event(AgentEvent::LocalCandidate(cand));
        }
    }

    fn foundation(kind: CandidateType, ip: std::net::IpAddr, server: Option<SocketAddr>) -> String {
        let mut h: u32 = 2_166_136_261;
        for b in format!("{}{ip}{server:?}", kind.name()).bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(16_777_619);
        }
        (h % 1_000_000).to_string()
    }

    fn start(&mut self) {
        self.started = true;
        let now = self.now;
        self.gather_until = now + GATHER_TIMEOUT;
        for b in self.bases.clone() {
            self.out.push_back(Output::Bind(Socket {
                addr: b,
                transport: Transport::Udp,
            }));
        }
        let relay_only = self.cfg.gathering == Gathering::Relay;
        for (i, b) in self.bases.clone().into_iter().enumerate() {
            let lp = local_preference(b.ip(), TransportTag::Udp);
            let cand = Candidate {
                foundation: Self::foundation(CandidateType::Host, b.ip(), None),
                priority: candidate_priority(CandidateType::Host, lp),
                addr: b,
                kind: CandidateType::Host,
                related: None,
                first_hop: TransportTag::Udp,
            };
            self.add_local(cand, Via::Base(i), !relay_only, !relay_only);
        }
        if self.cfg.lite {
            self.finish_gathering_if_done();
            return;
        }
        if !relay_only {
            for server in self.cfg.stun_servers.clone() {
                for (i, b) in self.bases.clone().into_iter().enumerate() {
                    if b.is_ipv4() != server.is_ipv4() {
                        continue;
                    }
                    let id = self.txid();
                    let bytes =
                        MessageBuilder::new(method::BINDING, Class::Request, id).fingerprint();
                    self.send_via(Via::Base(i), server, bytes.clone());
                    self.txs.push(Tx {
                        id,
                        bytes,
                        via: Via::Base(i),
                        dest: server,
                        sends: 1,
                        max: STUN_SENDS,
                        next: now + CHECK_RTO,
                        kind: TxKind::Srflx,
                        cancelled: false,
                    });
                    self.gathering_pending += 1;
                }
            }
        }
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
            a.start(now, &mut self.rng, &mut ob);
            self.flush(ob);
            self.allocs.push(a);
            self.gathering_pending += 1;
        }
        self.finish_gathering_if_done();
    }

    fn finish_gathering_if_done(&mut self) {
        if !self.gathering_done && self.gathering_pending == 0 {
            self.gathering_done = true;
            self.event(AgentEvent::GatheringDone);
        }
    }

    fn gathered_one(&mut self) {
        self.gathering_pending = self.gathering_pending.saturating_sub(1);
        self.finish_gathering_if_done();
    }

    fn send_via(&mut self, via: Via, dest: SocketAddr, bytes: Vec<u8>) {
        match via {
            Via::Base(i) => {
                if let Some(b) = self.bases.get(i).copied() {
                    self.out
                        .push_back(Output::Transmit(harness_core::endpoint::Transmit {
                            context: TransportContext {
                                local: b,
                                remote: dest,
                                transport: Transport::Udp,
                            },
                            payload: bytes,
                        }));
                }
            }
            Via::Relay(a) => {
                let mut ob = Outbox::default();
                if let Some(alloc) = self.allocs.get_mut(a) {
                    alloc.permit(self.now, dest, &mut self.rng, &mut ob);
                    alloc.send_to(dest, &bytes, &mut self.rng, &mut ob);
                }
                self.flush(ob);
            }
        }
    }

    fn prio_for_pair(&self, local: &Candidate, remote: &Candidate) -> u64 {
        if self.controlling {
            pair_priority(local.priority, remote.priority)
        } else {
            pair_priority(remote.priority, local.priority)
        }
    }

    fn make_pair(&mut self, li: usize, ri: usize) -> Option<usize> {
        let (l, r) = (self.locals.get(li)?, self.remotes.get(ri)?);
        if !l.pairable || l.cand.addr.is_ipv4() != r.addr.is_ipv4() {
            return None;
        }
        if let Some(p) = self
            .pairs
            .iter()
            .position(|p| p.local == li && p.remote == ri)
        {
            return Some(p);
        }
        let priority = self.prio_for_pair(&l.cand, r);
        self.pairs.push(Pair {
            local: li,
            remote: ri,
            priority,
            state: PairState::Waiting,
            remote_nominated: false,
        });
        Some(self.pairs.len() - 1)
    }

    fn reprioritise(&mut self) {
        for i in 0..self.pairs.len() {
            let Some(p) = self.pairs.get(i) else { continue };
            let (Some(l), Some(r)) = (self.locals.get(p.local), self.remotes.get(p.remote)) else {
                continue;
            };
            let prio = self.prio_for_pair(&l.cand, r);
            if let Some(p) = self.pairs.get_mut(i) {
                p.priority = prio;
            }
        }
    }

    fn check_request(&mut self, pair: usize, nominate: bool) -> Option<([u8; 12], Vec<u8>)> {
        let remote = self.remote.clone()?;
        let p = self.pairs.get(pair)?;
        let local = self.locals.get(p.local)?;
        let prflx_prio = candidate_priority(
            CandidateType::Prflx,
            local_preference(local.cand.addr.ip(), local.cand.first_hop),
        );
        let id = self.txid();
        let mut b = MessageBuilder::new(method::BINDING, Class::Request, id)
            .text(attr::USERNAME, &format!("{}:{}", remote.ufrag, self.ufrag))
            .u32(attr::PRIORITY, prflx_prio);
        let tb = self.tie_breaker.to_be_bytes();
        b = if self.controlling {
            b.raw(attr::ICE_CONTROLLING, &tb)
        } else {
            b.raw(attr::ICE_CONTROLLED, &tb)
        };
        if nominate {
            b = b.raw(attr::USE_CANDIDATE, &[]);
        }
        Some((id, b.integrity(remote.pwd.as_bytes()).fingerprint()))
    }

    fn send_check(&mut self, pair: usize, nominate: bool, kind: TxKind) {
        let Some((id, bytes)) = self.check_request(pair, nominate) else {
            return;
        };
        let Some(p) = self.pairs.get(pair) else {
            return;
        };
        let (Some(l), Some(r)) = (self.locals.get(p.local), self.remotes.get(p.remote)) else {
            return;
        };
        let (via, dest) = (l.via, r.addr);
        // A new check on a pair cancels the one in flight: no more retransmissions and no
        // failure on timeout, but its response still counts (RFC 8445 §7.3.1.4).
        if kind != TxKind::Consent {
            for t in &mut self.txs {
                if matches!(t.kind, TxKind::Check { pair: q, .. } if q == pair) {
                    t.cancelled = true;
                }
            }
        }
        self.send_via(via, dest, bytes.clone());
        self.txs.push(Tx {
            id,
            bytes,
            via,
            dest,
            sends: 1,
            max: if kind == TxKind::Consent {
                1
            } else {
                CHECK_SENDS
            },
            next: self.now + CHECK_RTO,
            kind,
            cancelled: false,
        });
        if let (TxKind::Check { .. }, Some(p)) = (kind, self.pairs.get_mut(pair))
            && p.state != PairState::Succeeded
        {
            p.state = PairState::InProgress;
        }
    }

    fn select(&mut self, pair: usize) {
        if self.state == IceState::Connected && !self.restarting {
            // Keep one selected pair; several nominations (aggressive nomination) resolve to
            // the highest priority (RFC 8445 §8.1.1).
            let current = self
                .selected
                .and_then(|s| self.pairs.get(s))
                .map_or(0, |p| p.priority);
            let new = self.pairs.get(pair).map_or(0, |p| p.priority);
            if self.selected == Some(pair) || new <= current {
                return;
            }
        }
        self.restarting = false;
        self.selected = Some(pair);
        self.consent_ok = self.now;
        if self.cfg.consent && !self.cfg.lite {
            self.schedule_consent();
        }
        let Some(p) = self.pairs.get(pair) else {
            return;
        };
        let (Some(l), Some(r)) = (self.locals.get(p.local), self.remotes.get(p.remote)) else {
            return;
        };
        let (local, remote) = (l.cand.clone(), r.clone());
        self.set_state(IceState::Connected);
        self.event(AgentEvent::Selected { local, remote });
    }

    fn schedule_consent(&mut self) {
        let jitter = self.rng.below(2000);
        self.next_consent = Some(self.now + Duration::from_millis(4000 + jitter));
    }

    fn on_timeout(&mut self) {
        let now = self.now;
        if self.closed {
            return;
        }
        // Retransmissions.
        let mut resend = Vec::new();
        let mut failed = Vec::new();
        self.txs.retain_mut(|t| {
            if t.next > now {
                return true;
            }
            if t.cancelled {
                return false;
            }
            if t.sends >= t.max {
                failed.push(t.kind);
                return false;
            }
            resend.push((t.via, t.dest, t.bytes.clone()));
            t.next = now + CHECK_RTO * (1 << t.sends.min(6));
            t.sends += 1;
            true
        });
        for (via, dest, bytes) in resend {
            self.send_via(via, dest, bytes);
        }
        for k in failed {
            match k {
                TxKind::Srflx => self.gathered_one(),
                TxKind::Check { pair, .. } => {
                    if let Some(p) = self.pairs.get_mut(pair)
                        && p.state == PairState::InProgress
                    {
                        p.state = PairState::Failed;
                    }
                }
                TxKind::Consent => {}
            }
        }
        // TURN.
        for a in 0..self.allocs.len() {
            let mut ob = Outbox::default();
            let evs = match self.allocs.get_mut(a) {
                Some(alloc) if alloc.deadline().is_some_and(|d| d <= now) => {
                    alloc.on_timeout(now, &mut self.rng, &mut ob)
                }
                _ => Vec::new(),
            };
            self.flush(ob);
            self.relay_events(a, evs);
        }
        self.gathering_deadline();
        self.pace_checks();
        self.consent_tick();
    }

    fn gathering_deadline(&mut self) {
        if !self.gathering_done && self.now >= self.gather_until {
            self.gathering_pending = 0;
            self.finish_gathering_if_done();
        }
    }

    fn pace_checks(&mut self) {
        let now = self.now;
        if self.cfg.lite || self.remote.is_none() || now < self.next_check {
            return;
        }
        if self.checking_since.is_none() {
            self.checking_since = Some(now);
            if self.state == IceState::New {
                self.set_state(IceState::Checking);
            }
        }
        let connected =
            self.state == IceState::Connected && self.selected.is_some() && !self.restarting;
        // Regular nomination: once the best pair succeeded, or after a grace period.
        if self.controlling
            && !connected
            && self.cfg.nomination == Nomination::Regular
            && let Some(best) = self.best_valid()
        {
            let best_prio = self.pairs.get(best).map_or(0, |p| p.priority);
            let pending_higher = self.pairs.iter().any(|p| {
                p.priority > best_prio
                    && matches!(p.state, PairState::Waiting | PairState::InProgress)
            });
            let grace = self
                .first_success
                .is_some_and(|t| now >= t + NOMINATION_GRACE);
            let nominating = self
                .txs
                .iter()
                .any(|t| matches!(t.kind, TxKind::Check { nominate: true, .. }));
            if (!pending_higher || grace) && !nominating {
                self.send_check(
                    best,
                    true,
                    TxKind::Check {
                        pair: best,
                        nominate: true,
                    },
                );
                self.next_check = now + self.cfg.ta;
                return;
            }
        }
        let next = self.triggered.pop_front().or_else(|| {
            if connected {
                return None;
            }
            self.pairs
                .iter()
                .enumerate()
                .filter(|(_, p)| p.state == PairState::Waiting)
                .max_by_key(|(i, p)| (p.priority, usize::MAX - i))
                .map(|(i, _)| i)
        });
        self.next_check = now + self.cfg.ta;
        if let Some(pair) = next {
            let nominate = self.controlling && self.cfg.nomination == Nomination::Aggressive;
            self.send_check(pair, nominate, TxKind::Check { pair, nominate });
            self.next_check = now + self.cfg.ta;
        }
        self.check_failed();
    }

    fn check_failed(&mut self) {
        if self.state == IceState::Connected || self.state == IceState::Failed {
            return;
        }
        let busy = self
            .pairs
            .iter()
            .any(|p| matches!(p.state, PairState::Waiting | PairState::InProgress))
            || !self.triggered.is_empty();
        let waited = self
            .checking_since
            .is_some_and(|t| self.now >= t + Duration::from_secs(8));
        if !busy
            && self.gathering_done
            && self.remote_done
            && waited
            && !self.pairs.iter().any(|p| p.state == PairState::Succeeded)
        {
            self.set_state(IceState::Failed);
        }
    }

    fn best_valid(&self) -> Option<usize> {
        self.pairs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.state == PairState::Succeeded)
            .max_by_key(|(i, p)| (p.priority, usize::MAX - i))
            .map(|(i, _)| i)
    }

    fn consent_tick(&mut self) {
        let now = self.now;
        if self.state != IceState::Connected {
            return;
        }
        let Some(sel) = self.selected else { return };
        if self.cfg.consent && !self.cfg.lite && now >= self.consent_ok + CONSENT_TIMEOUT {
            self.next_consent = None;
            self.event(AgentEvent::ConsentLost);
            self.set_state(IceState::Failed);
            return;
        }
        if self.next_consent.is_some_and(|t| t <= now) {
            self.send_check(sel, false, TxKind::Consent);
            self.schedule_consent();
        }
    }

    fn relay_events(&mut self, a: usize, evs: Vec<RelayEvent>) {
        for e in evs {
            match e {
                RelayEvent::Allocated { relayed, mapped } => {
                    let first_hop = self
                        .allocs
                        .get(a)
                        .map_or(TransportTag::Udp, |x| x.server.transport.into());
                    let server = self.allocs.get(a).map(|x| x.server.addr);
                    let lp = local_preference(relayed.ip(), first_hop);
                    let cand = Candidate {
                        foundation: Self::foundation(CandidateType::Relay, relayed.ip(), server),
                        priority: candidate_priority(CandidateType::Relay, lp),
                        addr: relayed,
                        kind: CandidateType::Relay,
                        related: mapped,
                        first_hop,
                    };
                    self.add_local(cand, Via::Relay(a), true, true);
                    for r in self.remotes.clone() {
                        let mut ob = Outbox::default();
                        if let Some(alloc) = self.allocs.get_mut(a) {
                            alloc.permit(self.now, r.addr, &mut self.rng, &mut ob);
                        }
                        self.flush(ob);
                    }
                    self.gathered_one();
                }
                RelayEvent::Failed => self.gathered_one(),
                RelayEvent::Data { peer, data } => {
                    let li = self.locals.iter().position(|l| l.via == Via::Relay(a));
                    if let Some(li) = li {
                        self.on_packet(li, peer, &data);
                    }
                }
            }
        }
    }

    fn on_datagram(&mut self, ctx: TransportContext, payload: &[u8]) {
        let srflx_response = ctx.transport == Transport::Udp
            && looks_like_stun(payload)
            && Message::parse(payload).is_ok_and(|m| {
                let id = m.transaction_id();
                self.txs
                    .iter()
                    .any(|t| t.id == id && t.kind == TxKind::Srflx)
            });
        if let (false, Some(a)) = (
            srflx_response,
            self.allocs.iter().position(|x| x.owns(&ctx)),
        ) {
            let mut ob = Outbox::default();
            let evs = self
                .allocs
                .get_mut(a)
                .map(|x| x.on_bytes(self.now, payload, &mut self.rng, &mut ob))
                .unwrap_or_default();
            self.flush(ob);
            self.relay_events(a, evs);
            return;
        }
        let Some(b) = self.bases.iter().position(|x| *x == ctx.local) else {
            return;
        };
        let li = self
            .locals
            .iter()
            .position(|l| l.via == Via::Base(b) && l.cand.kind == CandidateType::Host);
        // Server-reflexive responses.
        if looks_like_stun(payload)
            && let Ok(m) = Message::parse(payload)
        {
            let id = m.transaction_id();
            if let Some(pos) = self
                .txs
                .iter()
                .position(|t| t.id == id && t.kind == TxKind::Srflx)
            {
                self.txs.remove(pos);
                if let Some(mapped) = m.xor_address(attr::XOR_MAPPED_ADDRESS) {
                    let base = self.bases.get(b).copied();
                    if Some(mapped) != base {
                        let lp = local_preference(mapped.ip(), TransportTag::Udp);
                        let cand = Candidate {
                            foundation: Self::foundation(
                                CandidateType::Srflx,
                                mapped.ip(),
                                Some(ctx.remote),
                            ),
                            priority: candidate_priority(CandidateType::Srflx, lp),
                            addr: mapped,
                            kind: CandidateType::Srflx,
                            related: base,
                            first_hop: TransportTag::Udp,
                        };
                        self.add_local(cand, Via::Base(b), false, true);
                    }
                }
                self.gathered_one();
                return;
            }
        }
        if let Some(li) = li
            && self.locals.get(li).is_some_and(|l| l.pairable)
        {
            self.on_packet(li, ctx.remote, payload);
        }
    }

    /// A packet on local candidate `li` from `src` (direct or through the relay).
    fn on_packet(&mut self, li: usize, src: SocketAddr, payload: &[u8]) {
        if self.closed {
            return;
        }
        if !looks_like_stun(payload) {
            let on_selected = self
                .selected
                .and_then(|s| self.pairs.get(s))
                .is_some_and(|p| {
                    p.local == li && self.remotes.get(p.remote).is_some_and(|r| r.addr == src)
                });
            if on_selected {
                self.event(AgentEvent::Data(payload.to_vec()));
            }
            return;
        }
        let Ok(m) = Message::parse(payload) else {
            return;
        };
        if m.method() != method::BINDING {
            return;
        }
        match m.class() {
            Class::Request => self.on_request(li, src, &m),
            Class::Success | Class::Error => self.on_response(li, src, &m),
            Class::Indication => {}
        }
    }

    fn on_request(&mut self, li: usize, src: SocketAddr, m: &Message<'_>) {
        let Some(username) = m.text(attr::USERNAME) else {
            return;
        };
        if !username.starts_with(&format!("{}:", self.ufrag)) {
            return;
        }
        if m.check_integrity(self.pwd.as_bytes()) != Some(true) {
            return;
        }
        let id = m.transaction_id();
        let via = self.locals.get(li).map(|l| l.via);
        let Some(via) = via else { return };
        let theirs = |a| {
            m.get(a)
                .and_then(|v| <[u8; 8]>::try_from(v).ok())
                .map(u64::from_be_bytes)
        };
        // Role conflicts (RFC 8445 §7.3.1.1).
        if let Some(tb) = theirs(attr::ICE_CONTROLLING) {
            if self.controlling {
                if self.tie_breaker >= tb {
                    let resp = MessageBuilder::new(method::BINDING, Class::Error, id)
                        .error(487, "Role Conflict")
                        .integrity(self.pwd.as_bytes())
                        .fingerprint();
                    self.send_via(via, src, resp);
                    return;
                }
                self.controlling = false;
                self.reprioritise();
                self.event(AgentEvent::RoleChanged(false));
            }
        } else if let Some(tb) = theirs(attr::ICE_CONTROLLED)
            && !self.controlling
        {
            if self.tie_breaker >= tb && !self.cfg.lite {
                self.controlling = true;
                self.reprioritise();
                self.event(AgentEvent::RoleChanged(true));
            } else {
                let resp = MessageBuilder::new(method::BINDING, Class::Error, id)
                    .error(487, "Role Conflict")
                    .integrity(self.pwd.as_bytes())
                    .fingerprint();
                self.send_via(via, src, resp);
                return;
            }
        }
        let resp = MessageBuilder::new(method::BINDING, Class::Success, id)
            .xor_address(attr::XOR_MAPPED_ADDRESS, src)
            .integrity(self.pwd.as_bytes())
            .fingerprint();
        self.send_via(via, src, resp);
        // The remote candidate, learnt as peer reflexive when unknown (RFC 8445 §7.3.1.3).
        let ri = match self.remotes.iter().position(|r| r.addr == src) {
            Some(ri) => ri,
            None => {
                let prio = m.u32_attr(attr::PRIORITY).unwrap_or(0);
                self.remotes.push(Candidate {
                    foundation: format!("prflx{}", self.remotes.len()),
                    priority: prio,
                    addr: src,
                    kind: CandidateType::Prflx,
                    related: None,
                    first_hop: TransportTag::Udp,
                });
                self.remotes.len() - 1
            }
        };
        let Some(pi) = self.make_pair(li, ri) else {
            return;
        };
        let use_candidate = m.has(attr::USE_CANDIDATE);
        let state = self.pairs.get(pi).map(|p| p.state);
        if use_candidate && !self.controlling {
            if let Some(p) = self.pairs.get_mut(pi) {
                p.remote_nominated = true;
            }
            if state == Some(PairState::Succeeded) || self.cfg.lite {
                self.select(pi);
                return;
            }
        }
        if self.cfg.lite {
            return;
        }
        if state != Some(PairState::Succeeded) && !self.triggered.contains(&pi) {
            if let Some(p) = self.pairs.get_mut(pi) {
                p.state = PairState::Waiting;
            }
            self.triggered.push_back(pi);
        }
    }

    fn on_response(&mut self, li: usize, src: SocketAddr, m: &Message<'_>) {
        let id = m.transaction_id();
        let Some(pos) = self.txs.iter().position(|t| t.id == id) else {
            return;
        };
        let Some(tx) = self.txs.get(pos).cloned() else {
            return;
        };
        let Some(remote) = self.remote.clone() else {
            return;
        };
        if m.check_integrity(remote.pwd.as_bytes()) != Some(true) {
            return;
        }
        self.txs.remove(pos);
        if tx.kind == TxKind::Consent {
            if m.class() == Class::Success {
                self.consent_ok = self.now;
            }
            return;
        }
        let TxKind::Check { pair, nominate } = tx.kind else {
            return;
        };
        if m.class() == Class::Error {
            if m.error_code().map(|(c, _)| c) == Some(487) {
                self.controlling = !self.controlling;
                self.reprioritise();
                let c = self.controlling;
                self.event(AgentEvent::RoleChanged(c));
                if let Some(p) = self.pairs.get_mut(pair) {
                    p.state = PairState::Waiting;
                }
                self.triggered.push_back(pair);
            } else if let Some(p) = self.pairs.get_mut(pair) {
                p.state = PairState::Failed;
            }
            return;
        }
        // Symmetric addresses only (RFC 8445 §7.2.5.2.1).
        let ok = self.pairs.get(pair).is_some_and(|p| {
            p.local == li && self.remotes.get(p.remote).is_some_and(|r| r.addr == src)
        });
        if !ok {
            if let Some(p) = self.pairs.get_mut(pair) {
                p.state = PairState::Failed;
            }
            return;
        }
        let remote_nominated = match self.pairs.get_mut(pair) {
            Some(p) => {
                p.state = PairState::Succeeded;
                p.remote_nominated
            }
            None => false,
        };
        if self.first_success.is_none() {
            self.first_success = Some(self.now);
        }
        if (self.controlling && nominate) || (!self.controlling && remote_nominated) {
            self.select(pair);
        }
    }

    fn deadline(&self) -> Option<Instant> {
        if self.closed {
            return None;
        }
        let mut d: Vec<Instant> = self.txs.iter().map(|t| t.next).collect();
        d.extend(self.allocs.iter().filter_map(Allocation::deadline));
        if !self.cfg.lite && self.remote.is_some() {
            let connected = self.state == IceState::Connected && !self.restarting;
            let work = !self.triggered.is_empty()
                || (!connected
                    && (self.pairs.iter().any(|p| p.state == PairState::Waiting)
                        || (self.controlling && self.best_valid().is_some())));
            if work {
                d.push(self.next_check.max(self.now));
            }
            if !connected && self.state != IceState::Failed {
                match self.checking_since {
                    Some(t) if t + Duration::from_secs(8) > self.now => {
                        d.push(t + Duration::from_secs(8))
                    }
                    Some(_) => {}
                    None => d.push(self.now),
                }
            }
        }
        if !self.gathering_done {
            d.push(self.gather_until.max(self.now));
        }
        if self.state == IceState::Connected
            && let Some(t) = self.next_consent
        {
            d.push(t);
            d.push(self.consent_ok + CONSENT_TIMEOUT);
        }
        if let Some(t) = self.first_success
            && self.state != IceState::Connected
            && self.controlling
            && t + NOMINATION_GRACE > self.now
        {
            d.push(t + NOMINATION_GRACE);
        }
        d.into_iter().min()
    }
}

impl IceAgent for ReferenceAgent {
    fn implementation(&self) -> Implementation {
        Implementation::Reference
    }

    fn credentials(&self) -> (String, String) {
        (self.ufrag.clone(), self.pwd.clone())
    }

    fn controlling(&self) -> bool {
        self.controlling
    }

    fn handle_input(&mut self, input: Input<'_>) {
        self.now = self.now.max(input.now());
        if !self.started {
            self.start();
        }
        match input {
            Input::Datagram {
                context, payload, ..
            } => self.on_datagram(context, payload),
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
            _ => {}
        }
        self.on_timeout();
    }

    fn poll_output(&mut self) -> Output<AgentEvent> {
        if !self.started {
            self.start();
        }
        if let Some(o) = self.out.pop_front() {
            return o;
        }
        match self.deadline() {
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
        self.remote = Some(params);
        if self.state == IceState::New {
            self.set_state(IceState::Checking);
        }
        self.checking_since = Some(self.now);
    }

    fn add_remote_candidate(&mut self, now: Instant, candidate: Candidate) {
        self.now = self.now.max(now);
        if let Some(r) = self.remotes.iter_mut().find(|r| r.addr == candidate.addr) {
            // A signaled candidate replaces the peer-reflexive one learnt earlier.
            if r.kind == CandidateType::Prflx {
                *r = candidate;
                self.reprioritise();
            }
            return;
        }
        for a in 0..self.allocs.len() {
            let mut ob = Outbox::default();
            if let Some(alloc) = self.allocs.get_mut(a)
                && alloc.state == AllocState::Ready
                && alloc
                    .relayed
                    .is_some_and(|r| r.is_ipv4() == candidate.addr.is_ipv4())
            {
                alloc.permit(self.now, candidate.addr, &mut self.rng, &mut ob);
            }
            self.flush(ob);
        }
        self.remotes.push(candidate);
        let ri = self.remotes.len() - 1;
        for li in 0..self.locals.len() {
            self.make_pair(li, ri);
        }
    }

    fn remote_gathering_done(&mut self, now: Instant) {
        self.now = self.now.max(now);
        self.remote_done = true;
    }

    fn restart(&mut self, now: Instant) {
        self.now = self.now.max(now);
        self.new_generation();
    }

    fn close(&mut self, now: Instant) {
        self.now = self.now.max(now);
        self.closed = true;
        self.out.clear();
        self.set_state(IceState::Closed);
    }

    fn send(&mut self, now: Instant, payload: &[u8]) -> bool {
        self.now = self.now.max(now);
        let Some(p) = self.selected.and_then(|s| self.pairs.get(s)) else {
            return false;
        };
        let (Some(l), Some(r)) = (self.locals.get(p.local), self.remotes.get(p.remote)) else {
            return false;
        };
        let (via, dest) = (l.via, r.addr);
        self.send_via(via, dest, payload.to_vec());
        true
    }

    fn selected(&self) -> Option<(Candidate, Candidate)> {
        let p = self.pairs.get(self.selected?)?;
        Some((
            self.locals.get(p.local)?.cand.clone(),
            self.remotes.get(p.remote)?.clone(),
        ))
    }

    fn remote_candidates(&self) -> Vec<Candidate> {
        self.remotes.clone()
    }
}

impl ReferenceAgent {
    fn new_generation(&mut self) {
        self.ufrag = random_string(&mut self.rng, 8);
        self.pwd = random_string(&mut self.rng, 24);
        self.remote = None;
        // Keep the selected pair's candidates usable until a new pair is chosen: the old
        // pair list goes, so the selection is remembered as candidates.
        let keep = self.selected();
        self.remotes.clear();
        self.pairs.clear();
        self.triggered.clear();
        self.txs.retain(|t| t.kind == TxKind::Srflx);
        self.first_success = None;
        self.remote_done = false;
        self.selected = None;
        if let Some((l, r)) = keep {
            self.remotes.push(r);
            if let Some(li) = self.locals.iter().position(|x| x.cand == l)
                && let Some(pi) = self.make_pair(li, 0)
            {
                if let Some(p) = self.pairs.get_mut(pi) {
                    p.state = PairState::Succeeded;
                }
                self.selected = Some(pi);
            }
        }
        self.checking_since = None;
        self.restarting = self.state == IceState::Connected;
        if self.state != IceState::Connected {
            self.state = IceState::New;
        }
    }
}
