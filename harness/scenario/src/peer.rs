//! A peer on a simulated host: an [`IceAgent`] plus signaling (real SDP built and parsed with
//! harness-sdp), scheduled actions, DTLS over the selected pair, and a record of everything
//! seen on the wire for the report (checks for the ladder, rule findings).

use core::time::Duration;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;

use harness_core::endpoint::{Endpoint, Input, Output, Socket, Transmit};
use harness_core::time::Instant;
use harness_sdp::Setup;
use harness_sdp::model::{CandidateRepr, MediaDescription, SessionDescription, TransportParams};

use crate::agent::{AgentEvent, Candidate, IceAgent, IceState, RemoteParams, TransportTag};
use crate::dtls::{DtlsSession, DtlsState};
use crate::schema::{ActionKind, CandidateType};
use crate::signaling::{Body, Bus};
use crate::wire::{self, CheckRecord, FindingTally};

/// Everything a peer observed, read by the runner after (and during) the run.
#[derive(Debug, Default)]
pub struct PeerRecord {
    /// Timeline entries `(time, text)`.
    pub timeline: Vec<(Instant, String)>,
    /// Local candidates, in gathering order.
    pub local_candidates: Vec<Candidate>,
    /// Remote candidates signaled to this peer.
    pub signaled_remote: Vec<Candidate>,
    /// STUN Binding traffic (checks and responses) sent and received.
    pub checks: Vec<CheckRecord>,
    /// Rule findings, tallied.
    pub findings: FindingTally,
    /// First connection.
    pub connected_at: Option<Instant>,
    /// Failure.
    pub failed_at: Option<Instant>,
    /// Consent loss.
    pub consent_lost_at: Option<Instant>,
    /// Latest (re)connection after an action.
    pub reconnected_at: Option<Instant>,
    /// Selected pair, latest.
    pub selected: Option<(Candidate, Candidate)>,
    /// The local SDP (latest).
    pub local_sdp: Option<String>,
    /// The remote SDP (latest).
    pub remote_sdp: Option<String>,
    /// DTLS outcome.
    pub dtls: Option<DtlsState>,
    /// When DTLS completed.
    pub dtls_at: Option<Instant>,
    /// Role changes.
    pub role_changes: u32,
    /// Final controlling flag.
    pub controlling: bool,
    /// Masked report fields.
    pub masked: Vec<&'static str>,
}

/// How a peer is set up.
pub struct PeerSetup {
    /// 0 for the offerer, 1 for the answerer.
    pub index: usize,
    /// Name.
    pub name: String,
    /// The agent.
    pub agent: Box<dyn IceAgent>,
    /// The signaling channel.
    pub bus: Rc<RefCell<Bus>>,
    /// The record to fill.
    pub record: Rc<RefCell<PeerRecord>>,
    /// Trickle candidates.
    pub trickle: bool,
    /// ICE-lite (signaled as `a=ice-lite`).
    pub lite: bool,
    /// This peer's fingerprint for SDP.
    pub fingerprint: String,
    /// Actions for this peer, by time.
    pub actions: Vec<(Instant, ActionKind)>,
    /// Keep polling signaling until this time (covers remote restarts).
    pub poll_until: Instant,
    /// The signaling delay (the polling period).
    pub signaling_delay: Duration,
    /// A DTLS session to run once connected.
    pub dtls: Option<Box<dyn DtlsSession>>,
    /// Whether this side is the DTLS client.
    pub dtls_client: bool,
    /// ICE passwords known to the harness, for integrity rules: own first.
    pub keys: Rc<RefCell<Vec<String>>>,
}

/// The endpoint the network drives.
pub struct PeerHost {
    s: PeerSetup,
    now: Instant,
    started: bool,
    described: bool,
    remote_described: bool,
    remote_done: bool,
    gathering_done: bool,
    pending_answer: bool,
    dtls_started: bool,
    closed: bool,
    restart_pending: bool,
    remote_ufrag: Option<String>,
    session_version: u64,
    out: Vec<Output<String>>,
}

impl core::fmt::Debug for PeerHost {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PeerHost({})", self.s.name)
    }
}

/// The SDP value of a candidate (after `a=candidate:`).
#[must_use]
pub fn candidate_sdp(c: &Candidate) -> String {
    candidate_repr(c).to_string()
}

fn candidate_repr(c: &Candidate) -> CandidateRepr {
    let mut r = match c.related {
        Some(rel) => CandidateRepr::related(
            &c.foundation,
            1,
            c.kind.name(),
            (c.addr.ip(), c.addr.port()),
            (rel.ip(), rel.port()),
            c.priority,
        ),
        None => CandidateRepr::host(&c.foundation, 1, c.addr.ip(), c.addr.port(), c.priority),
    };
    r.kind = c.kind.name().to_owned();
    r
}

/// Parses an SDP candidate value (`candidate:` prefix optional); UDP, component 1 only.
#[must_use]
pub fn parse_candidate(value: &str) -> Option<Candidate> {
    let c = harness_sdp::Candidate::parse(value).ok()?;
    if !c.transport.eq_ignore_ascii_case("udp") || c.component != 1 {
        return None;
    }
    let ip: IpAddr = c.address.parse().ok()?;
    let kind = match c.kind {
        "host" => CandidateType::Host,
        "srflx" => CandidateType::Srflx,
        "prflx" => CandidateType::Prflx,
        "relay" => CandidateType::Relay,
        _ => return None,
    };
    let related = match (
        c.related_address.and_then(|a| a.parse::<IpAddr>().ok()),
        c.related_port,
    ) {
        (Some(a), Some(p)) => Some(SocketAddr::new(a, p)),
        _ => None,
    };
    Some(Candidate {
        foundation: c.foundation.to_owned(),
        priority: u32::try_from(c.priority).unwrap_or(u32::MAX),
        addr: SocketAddr::new(ip, c.port),
        kind,
        related,
        first_hop: TransportTag::Udp,
    })
}

impl PeerHost {
    /// A peer.
    #[must_use]
    pub fn new(setup: PeerSetup) -> Self {
        Self {
            s: setup,
            now: Instant::ZERO,
            started: false,
            described: false,
            remote_described: false,
            remote_done: false,
            gathering_done: false,
            pending_answer: false,
            dtls_started: false,
            closed: false,
            restart_pending: false,
            remote_ufrag: None,
            session_version: 1,
            out: Vec::new(),
        }
    }

    fn log(&self, text: impl Into<String>) {
        self.s
            .record
            .borrow_mut()
            .timeline
            .push((self.now, text.into()));
    }

    fn description(&mut self) -> String {
        let (ufrag, pwd) = self.s.agent.credentials();
        let rec = self.s.record.borrow();
        let transport = TransportParams {
            ufrag,
            pwd,
            fingerprint: ("sha-256".to_owned(), self.s.fingerprint.clone()),
            setup: if self.s.index == 0 {
                Setup::Actpass
            } else if self.s.dtls_client {
                Setup::Active
            } else {
                Setup::Passive
            },
            candidates: rec.local_candidates.iter().map(candidate_repr).collect(),
            end_of_candidates: self.gathering_done,
        };
        drop(rec);
        let mut media =
            MediaDescription::data_channel("0", 5000, 262_144).with_transport(&transport);
        if self.s.trickle {
            media = media.with_attribute(harness_sdp::model::AttributeLine::new(
                "ice-options",
                "trickle",
            ));
        }
        let session_id = 1000 + self.s.index as u64;
        let mut sdp = SessionDescription::new(session_id, self.session_version)
            .with_media(media)
            .bundled();
        if self.s.lite {
            sdp = sdp.with_attribute(harness_sdp::model::AttributeLine::flag("ice-lite"));
        }
        self.session_version += 1;
        sdp.to_string()
    }

    fn send_description(&mut self) {
        let sdp = self.description();
        wire::judge_sdp(
            &sdp,
            self.now,
            "local description",
            &mut self.s.record.borrow_mut().findings,
        );
        let body = if self.s.index == 0 {
            Body::Offer(sdp.clone())
        } else {
            Body::Answer(sdp.clone())
        };
        let label = body.label();
        self.s.bus.borrow_mut().post(self.now, self.s.index, body);
        self.s.record.borrow_mut().local_sdp = Some(sdp);
        self.described = true;
        self.log(format!("signaling: sent {label}"));
        if self.gathering_done && self.s.trickle {
            self.s
                .bus
                .borrow_mut()
                .post(self.now, self.s.index, Body::EndOfCandidates);
        }
    }

    fn on_signal(&mut self, body: Body) {
        self.log(format!("signaling: received {}", body.label()));
        match body {
            Body::Offer(sdp) | Body::Answer(sdp) => {
                let is_offer = self.s.index == 1;
                {
                    let mut rec = self.s.record.borrow_mut();
                    wire::judge_sdp(&sdp, self.now, "remote description", &mut rec.findings);
                    if !is_offer && let Some(local) = &rec.local_sdp.clone() {
                        wire::judge_offer_answer(local, &sdp, self.now, &mut rec.findings);
                    }
                    rec.remote_sdp = Some(sdp.clone());
                }
                let Ok(view) = harness_sdp::Sdp::parse(sdp.as_bytes()) else {
                    self.log("signaling: remote description does not parse");
                    return;
                };
                let lite = view.attribute("ice-lite").is_some();
                let Some(m) = view.media().next() else { return };
                let ufrag = m
                    .attribute_value("ice-ufrag")
                    .unwrap_or_default()
                    .to_owned();
                let pwd = m.attribute_value("ice-pwd").unwrap_or_default().to_owned();
                let mut cands = Vec::new();
                for a in m.attributes() {
                    if a.name == "candidate"
                        && let Some(c) = a.value.and_then(parse_candidate)
                    {
                        cands.push(c);
                    }
                }
                let eoc = m.has("end-of-candidates");
                let changed = self.remote_ufrag.as_ref().is_some_and(|u| *u != ufrag);
                // A restart the remote started: restart too and answer (RFC 8445 §9).
                let respond = (is_offer && !changed) || (changed && !self.restart_pending);
                if changed && !self.restart_pending {
                    self.s.agent.restart(self.now);
                    let (_, p) = self.s.agent.credentials();
                    self.s.keys.borrow_mut().push(p);
                    self.log("ICE restart requested by the remote");
                }
                self.restart_pending = false;
                self.remote_ufrag = Some(ufrag.clone());
                self.remote_done = false;
                self.s.keys.borrow_mut().push(pwd.clone());
                self.s
                    .agent
                    .set_remote(self.now, RemoteParams { ufrag, pwd, lite });
                self.remote_described = true;
                for c in cands {
                    self.s.record.borrow_mut().signaled_remote.push(c.clone());
                    self.s.agent.add_remote_candidate(self.now, c);
                }
                if eoc {
                    self.remote_done = true;
                    self.s.agent.remote_gathering_done(self.now);
                }
                if respond {
                    if self.s.trickle || self.gathering_done {
                        self.send_description();
                    } else {
                        self.pending_answer = true;
                    }
                }
            }
            Body::Candidate(line) => {
                if let Some(c) = parse_candidate(&line) {
                    self.s.record.borrow_mut().signaled_remote.push(c.clone());
                    self.s.agent.add_remote_candidate(self.now, c);
                }
            }
            Body::EndOfCandidates => {
                self.remote_done = true;
                self.s.agent.remote_gathering_done(self.now);
            }
        }
    }

    fn on_agent_event(&mut self, e: AgentEvent) {
        match e {
            AgentEvent::LocalCandidate(c) => {
                self.log(format!(
                    "gathered {} {} (priority {})",
                    c.kind.name(),
                    c.addr,
                    c.priority
                ));
                self.s.record.borrow_mut().local_candidates.push(c.clone());
                if self.described && self.s.trickle {
                    let line = format!("candidate:{}", candidate_repr(&c));
                    self.s
                        .bus
                        .borrow_mut()
                        .post(self.now, self.s.index, Body::Candidate(line));
                }
            }
            AgentEvent::GatheringDone => {
                self.gathering_done = true;
                self.log("gathering complete");
                if self.described && self.s.trickle {
                    self.s
                        .bus
                        .borrow_mut()
                        .post(self.now, self.s.index, Body::EndOfCandidates);
                }
                if !self.described && self.s.index == 0 && !self.s.trickle {
                    self.send_description();
                }
                if self.pending_answer {
                    self.pending_answer = false;
                    self.send_description();
                }
            }
            AgentEvent::State(st) => {
                self.log(format!("ICE state {st:?}"));
                let mut rec = self.s.record.borrow_mut();
                match st {
                    IceState::Connected => {
                        if rec.connected_at.is_none() {
                            rec.connected_at = Some(self.now);
                        }
                        rec.reconnected_at = Some(self.now);
                    }
                    IceState::Failed if rec.failed_at.is_none() => {
                        rec.failed_at = Some(self.now);
                    }
                    _ => {}
                }
            }
            AgentEvent::Selected { local, remote } => {
                self.log(format!(
                    "selected pair {} {} -> {} {}",
                    local.kind.name(),
                    local.addr,
                    remote.kind.name(),
                    remote.addr
                ));
                {
                    let mut rec = self.s.record.borrow_mut();
                    rec.selected = Some((local, remote));
                    rec.reconnected_at = Some(self.now);
                }
                self.start_dtls();
            }
            AgentEvent::RoleChanged(c) => {
                self.log(format!(
                    "role conflict: now {}",
                    if c { "controlling" } else { "controlled" }
                ));
                self.s.record.borrow_mut().role_changes += 1;
            }
            AgentEvent::ConsentLost => {
                self.log("consent lost");
                let mut rec = self.s.record.borrow_mut();
                if rec.consent_lost_at.is_none() {
                    rec.consent_lost_at = Some(self.now);
                }
            }
            AgentEvent::Data(d) => {
                wire::judge_dtls(
                    &d,
                    self.now,
                    "received",
                    &mut self.s.record.borrow_mut().findings,
                );
                if let Some(s) = self.s.dtls.as_mut() {
                    s.handle_datagram(self.now, &d);
                }
                self.pump_dtls();
            }
        }
    }

    fn start_dtls(&mut self) {
        if self.dtls_started || self.s.dtls.is_none() {
            return;
        }
        self.dtls_started = true;
        if self.s.dtls_client {
            self.log("DTLS: client starts handshake");
            if let Some(s) = self.s.dtls.as_mut() {
                s.start(self.now);
            }
        }
        self.pump_dtls();
    }

    fn pump_dtls(&mut self) {
        let Some(s) = self.s.dtls.as_mut() else {
            return;
        };
        let mut sends = Vec::new();
        while let Some(d) = s.poll_transmit() {
            sends.push(d);
        }
        let st = s.state();
        for d in sends {
            wire::judge_dtls(
                &d,
                self.now,
                "sent",
                &mut self.s.record.borrow_mut().findings,
            );
            let _ = self.s.agent.send(self.now, &d);
        }
        let mut rec = self.s.record.borrow_mut();
        if rec.dtls.as_ref() != Some(&st) && st != DtlsState::Handshaking {
            rec.timeline.push((self.now, format!("DTLS: {st:?}")));
            rec.dtls_at = Some(self.now);
        }
        rec.dtls = Some(st);
    }

    fn drain_agent(&mut self) {
        loop {
            match self.s.agent.poll_output() {
                Output::Transmit(t) => {
                    self.observe(&t, true);
                    self.out.push(Output::Transmit(t));
                }
                Output::Event(e) => self.on_agent_event(e),
                Output::Bind(s) => self.out.push(Output::Bind(s)),
                Output::Unbind(s) => self.out.push(Output::Unbind(s)),
                Output::Tcp(c) => self.out.push(Output::Tcp(c)),
                Output::Timeout(t) => {
                    self.out.push(Output::Timeout(t));
                    return;
                }
                _ => return,
            }
        }
    }

    fn observe(&mut self, t: &Transmit, sent: bool) {
        let keys = self.s.keys.borrow();
        let mut rec = self.s.record.borrow_mut();
        let rec = &mut *rec;
        wire::observe(
            &t.context,
            &t.payload,
            self.now,
            sent,
            &keys,
            &mut rec.checks,
            &mut rec.findings,
        );
    }

    fn due_actions(&mut self) {
        let now = self.now;
        let due: Vec<ActionKind> = self
            .s
            .actions
            .iter()
            .filter(|(t, _)| *t <= now)
            .map(|(_, a)| *a)
            .collect();
        self.s.actions.retain(|(t, _)| *t > now);
        for a in due {
            match a {
                ActionKind::IceRestart | ActionKind::InterfaceAdded => {
                    self.log(format!("action: {a:?}"));
                    self.s.agent.restart(now);
                    let (_, p) = self.s.agent.credentials();
                    self.s.keys.borrow_mut().push(p);
                    self.restart_pending = true;
                    self.send_description();
                }
                ActionKind::InterfaceRemoved => self.log("action: interface removed"),
                ActionKind::Close => {
                    self.log("action: close");
                    self.closed = true;
                    self.s.agent.close(now);
                }
            }
        }
    }

    fn step(&mut self) {
        if self.closed {
            return;
        }
        let msgs = self.s.bus.borrow_mut().take_due(self.s.index, self.now);
        for m in msgs {
            self.on_signal(m.body);
        }
        self.due_actions();
        if let Some(s) = self.s.dtls.as_mut()
            && self.dtls_started
            && s.poll_timeout().is_some_and(|t| t <= self.now)
        {
            s.handle_timeout(self.now);
        }
        if self.dtls_started {
            self.pump_dtls();
        }
        self.drain_agent();
        if !self.described && self.s.index == 0 && (self.s.trickle || self.gathering_done) {
            self.send_description();
            self.drain_agent();
        }
        let rec_ctrl = self.s.agent.controlling();
        self.s.record.borrow_mut().controlling = rec_ctrl;
    }

    fn deadline(&self, agent: Option<Instant>) -> Option<Instant> {
        let mut d: Vec<Instant> = agent.into_iter().collect();
        if self.closed {
            return None;
        }
        d.extend(self.s.bus.borrow().next_for(self.s.index));
        d.extend(self.s.actions.iter().map(|(t, _)| *t));
        if let Some(s) = &self.s.dtls
            && self.dtls_started
        {
            d.extend(s.poll_timeout());
        }
        let expecting =
            !(self.remote_described && self.remote_done) || self.now < self.s.poll_until;
        if expecting {
            d.push(self.now + self.s.signaling_delay.max(Duration::from_millis(1)));
        }
        d.into_iter().min()
    }
}

impl Endpoint for PeerHost {
    type Event = String;

    fn handle_input(&mut self, input: Input<'_>) {
        self.now = self.now.max(input.now());
        if let Input::Datagram {
            context, payload, ..
        } = input
            && !self.closed
        {
            let t = Transmit {
                context,
                payload: payload.to_vec(),
            };
            self.observe(&t, false);
        }
        if !self.closed {
            self.s.agent.handle_input(input);
        }
        self.step();
    }

    fn poll_output(&mut self) -> Output<String> {
        if !self.started {
            self.started = true;
            self.step();
        }
        if !self.out.is_empty() {
            let o = self.out.remove(0);
            if let Output::Timeout(t) = o {
                // Only the last deadline matters; merge with ours.
                if self.out.is_empty() {
                    return match self.deadline(Some(t)) {
                        Some(d) => Output::Timeout(d.max(self.now)),
                        None => Output::Idle,
                    };
                }
                return self.poll_output();
            }
            return o;
        }
        match self.deadline(None) {
            Some(d) => Output::Timeout(d.max(self.now)),
            None => Output::Idle,
        }
    }

    fn sockets(&self) -> Vec<Socket> {
        self.s.agent.sockets()
    }
}

/// Peer results keyed by name, for the runner.
pub type Records = BTreeMap<String, Rc<RefCell<PeerRecord>>>;
