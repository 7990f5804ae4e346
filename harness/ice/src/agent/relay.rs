//! Relayed candidates (RFC 8445 §5.1.1.2) through the TURN client of `harness-turn`
//! (RFC 8656): one allocation per TURN server and host base of the same family, over UDP or
//! TCP to the server (TCP when the server is configured so, or after UDP got no answer).
//! Datagrams of a relayed candidate leave through the relay (a Send indication, or
//! ChannelData once the selected pair's channel is bound, RFC 8656 §11–§12) and come back as
//! Data indications or ChannelData. The client refreshes the allocation, permissions and
//! channels itself (§8, §9, §12).

use core::time::Duration;
use std::net::{IpAddr, SocketAddr};

use harness_core::endpoint::{Endpoint, Input, Output, Transport, TransportContext};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_turn::client::{TurnClient, TurnClientConfig, TurnError, TurnEvent};
use harness_turn::transaction::TransactionConfig;

use super::Agent;
use crate::candidate::{Candidate, CandidateKind, candidate_priority};
use crate::config::TurnServer;
use crate::event::IceEventKind;

/// Where an allocation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelayState {
    /// The Allocate request (or the TCP connection) is in flight.
    Allocating,
    /// The relayed address is known.
    Ready,
    /// The allocation failed or is gone.
    Failed,
}

/// One allocation of the agent.
#[derive(Debug)]
pub(crate) struct Relay {
    pub(crate) server: TurnServer,
    pub(crate) transport: Transport,
    pub(crate) host: SocketAddr,
    pub(crate) client: TurnClient,
    pub(crate) state: RelayState,
    pub(crate) relayed: Option<SocketAddr>,
    pub(crate) permitted: Vec<IpAddr>,
    pub(crate) channels: Vec<SocketAddr>,
    pub(crate) deadline: Option<Instant>,
}

/// Bounds what one allocation remembers (permissions requested, channels bound).
const MAX_PEERS_PER_RELAY: usize = 64;

impl Relay {
    fn new(server: TurnServer, transport: Transport, host: SocketAddr, rng: SeededRng) -> Self {
        let local = match transport {
            Transport::Udp => host,
            Transport::Tcp => SocketAddr::new(host.ip(), 0),
        };
        let mut cfg = TurnClientConfig::new(server.addr, local, &server.username, &server.password);
        cfg.transport = transport;
        if transport == Transport::Udp && server.tcp_fallback {
            // Give up on UDP after about 5.5 s (sends at 0, 0.5, 1.5, 3.5 s) and try TCP.
            cfg.transaction = TransactionConfig {
                rto: Duration::from_millis(500),
                rc: 4,
                rm: 4,
                ..TransactionConfig::default()
            };
        }
        Self {
            server,
            transport,
            host,
            client: TurnClient::new(cfg, rng),
            state: RelayState::Allocating,
            relayed: None,
            permitted: Vec::new(),
            channels: Vec::new(),
            deadline: None,
        }
    }

    /// Whether a datagram or TCP event on `ctx` is this allocation's traffic with its server.
    pub(crate) fn owns(&self, ctx: &TransportContext) -> bool {
        ctx.remote == self.server.addr
            && ctx.transport == self.transport
            && (self.transport == Transport::Tcp || ctx.local == self.host)
    }
}

impl Agent {
    /// Starts an allocation on every TURN server from every host base of its family.
    pub(crate) fn start_relays(&mut self, now: Instant) {
        if self.cfg.lite {
            return;
        }
        for server in self.cfg.turn_servers.clone() {
            for host in self.cfg.host_addrs.clone() {
                if host.is_ipv4() == server.addr.is_ipv4() {
                    self.start_relay(now, server.clone(), server.transport, host);
                }
            }
        }
    }

    fn start_relay(
        &mut self,
        now: Instant,
        server: TurnServer,
        transport: Transport,
        host: SocketAddr,
    ) {
        let rng = self.rng.fork();
        let mut relay = Relay::new(server, transport, host, rng);
        relay.client.allocate(now);
        self.relays.push(relay);
        let k = self.relays.len().saturating_sub(1);
        self.drain_relay(now, k);
    }

    /// Whether an allocation is still being made (gathering is not over).
    pub(crate) fn relays_pending(&self) -> bool {
        self.relays
            .iter()
            .any(|r| r.state == RelayState::Allocating)
    }

    /// The allocation that owns traffic on `ctx`.
    pub(crate) fn relay_for(&self, ctx: &TransportContext) -> Option<usize> {
        self.relays.iter().position(|r| r.owns(ctx))
    }

    /// The allocation whose relayed address is `addr`.
    pub(crate) fn relay_of(&self, addr: SocketAddr) -> Option<usize> {
        self.relays
            .iter()
            .position(|r| r.state == RelayState::Ready && r.relayed == Some(addr))
    }

    /// Gives `input` to allocation `k` and handles what comes out.
    pub(crate) fn relay_input(&mut self, now: Instant, k: usize, input: Input<'_>) {
        if let Some(r) = self.relays.get_mut(k) {
            r.client.handle_input(input);
        }
        self.drain_relay(now, k);
    }

    /// Runs the timers of every allocation that is due.
    pub(crate) fn relay_timers(&mut self, now: Instant) {
        for k in 0..self.relays.len() {
            if self
                .relays
                .get(k)
                .is_some_and(|r| r.deadline.is_some_and(|d| d <= now))
            {
                self.relay_input(now, k, Input::Timeout { now });
            }
        }
    }

    /// The earliest timer of the allocations.
    pub(crate) fn relay_deadline(&self) -> Option<Instant> {
        self.relays.iter().filter_map(|r| r.deadline).min()
    }

    /// Moves the client's outputs into the agent's and acts on its events.
    fn drain_relay(&mut self, now: Instant, k: usize) {
        let mut events = Vec::new();
        let Some(r) = self.relays.get_mut(k) else {
            return;
        };
        loop {
            match r.client.poll_output() {
                Output::Transmit(t) => self.out.push_back(Output::Transmit(t)),
                Output::Tcp(c) => self.out.push_back(Output::Tcp(c)),
                Output::Event(e) => events.push(e),
                Output::Timeout(t) => {
                    r.deadline = Some(t);
                    break;
                }
                // The UDP socket is the host socket the agent bound already.
                Output::Bind(_) | Output::Unbind(_) => {}
                _ => {
                    r.deadline = None;
                    break;
                }
            }
        }
        for e in events {
            self.on_turn_event(now, k, e);
        }
    }

    fn on_turn_event(&mut self, now: Instant, k: usize, event: TurnEvent) {
        match event {
            TurnEvent::Allocated {
                relayed, mapped, ..
            } => self.on_allocated(now, k, &relayed, mapped),
            TurnEvent::Failed { method, error } => {
                let Some(r) = self.relays.get_mut(k) else {
                    return;
                };
                if method != harness_turn::stun::method::ALLOCATE
                    || r.state != RelayState::Allocating
                {
                    return;
                }
                r.state = RelayState::Failed;
                let fallback = r.transport == Transport::Udp
                    && r.server.tcp_fallback
                    && error == TurnError::Timeout;
                let (server, host) = (r.server.clone(), r.host);
                if fallback {
                    self.start_relay(now, server, Transport::Tcp, host);
                }
                self.check_gathering_done(now);
            }
            TurnEvent::Deallocated => {
                if let Some(r) = self.relays.get_mut(k) {
                    r.state = RelayState::Failed;
                }
                self.check_gathering_done(now);
            }
            TurnEvent::Data { peer, data } => {
                let Some(relayed) = self.relays.get(k).and_then(|r| r.relayed) else {
                    return;
                };
                let ctx = TransportContext {
                    local: relayed,
                    remote: peer,
                    transport: Transport::Udp,
                };
                self.on_datagram(now, ctx, &data);
            }
            _ => {}
        }
    }

    fn on_allocated(
        &mut self,
        now: Instant,
        k: usize,
        relayed: &[SocketAddr],
        mapped: Option<SocketAddr>,
    ) {
        let Some(r) = self.relays.get_mut(k) else {
            return;
        };
        let Some(addr) = relayed
            .iter()
            .find(|a| a.is_ipv4() == r.host.is_ipv4())
            .or_else(|| relayed.first())
            .copied()
        else {
            r.state = RelayState::Failed;
            self.check_gathering_done(now);
            return;
        };
        r.state = RelayState::Ready;
        r.relayed = Some(addr);
        let (host, server, transport) = (r.host, r.server.addr, r.transport);
        // Local preference: TCP to the server ranks below UDP (RFC 8445 §5.1.2.1 leaves it to
        // the agent; a TCP first hop adds head-of-line blocking).
        let pref: u16 = match transport {
            Transport::Udp => 65535,
            Transport::Tcp => 64535,
        };
        let foundation = self.foundations.foundation(
            CandidateKind::Relayed,
            host.ip(),
            Some(server.ip()),
            transport,
        );
        let c = Candidate {
            kind: CandidateKind::Relayed,
            transport: Transport::Udp,
            addr,
            base: addr,
            priority: candidate_priority(CandidateKind::Relayed, pref, 1),
            foundation,
            component: 1,
            related: Some(mapped.unwrap_or(host)),
        };
        if !self.locals.iter().any(|l| l.addr == addr) {
            self.locals.push(c.clone());
            self.emit(now, IceEventKind::CandidateGathered(c));
            for ri in 0..self.remotes.len() {
                self.pair_remote(ri, now);
            }
        }
        if let Some(m) = mapped
            && self.cfg.policy == crate::config::GatherPolicy::All
            && transport == Transport::Udp
        {
            self.add_srflx(now, host, m, server);
        }
        self.check_gathering_done(now);
    }

    /// Sends `payload` from relayed address `k` to `peer`: installs the permission first
    /// (RFC 8656 §9) when none was asked for.
    pub(crate) fn relay_send(&mut self, now: Instant, k: usize, peer: SocketAddr, payload: &[u8]) {
        let Some(r) = self.relays.get_mut(k) else {
            return;
        };
        if !r.permitted.contains(&peer.ip()) {
            if r.permitted.len() >= MAX_PEERS_PER_RELAY {
                return;
            }
            r.permitted.push(peer.ip());
            r.client.create_permission(now, &[peer]);
        }
        r.client.send_to(now, peer, payload);
        self.drain_relay(now, k);
    }

    /// Binds a channel to `peer` on relayed address `k` (for the selected pair), so data goes
    /// as ChannelData (RFC 8656 §12).
    pub(crate) fn relay_bind_channel(&mut self, now: Instant, k: usize, peer: SocketAddr) {
        let Some(r) = self.relays.get_mut(k) else {
            return;
        };
        if r.channels.contains(&peer) || r.channels.len() >= MAX_PEERS_PER_RELAY {
            return;
        }
        r.channels.push(peer);
        let _ = r.client.bind_channel(now, peer);
        self.drain_relay(now, k);
    }

    /// Deletes every allocation (on close).
    pub(crate) fn release_relays(&mut self, now: Instant) {
        for k in 0..self.relays.len() {
            let ready = self
                .relays
                .get(k)
                .is_some_and(|r| r.state == RelayState::Ready);
            if let Some(r) = self.relays.get_mut(k).filter(|_| ready) {
                r.client.deallocate(now);
                r.state = RelayState::Failed;
                self.drain_relay(now, k);
            }
        }
    }

    /// The transport to the first hop of local candidate `c`: TCP for a relayed candidate
    /// allocated over TCP, else the candidate's own.
    #[must_use]
    pub fn first_hop(&self, c: &Candidate) -> Transport {
        self.relays
            .iter()
            .find(|r| r.relayed == Some(c.addr))
            .map_or(c.transport, |r| r.transport)
    }

    /// The state of each allocation: (server, transport to it, state, relayed address).
    #[must_use]
    pub fn relays(&self) -> Vec<(SocketAddr, Transport, RelayState, Option<SocketAddr>)> {
        self.relays
            .iter()
            .map(|r| (r.server.addr, r.transport, r.state, r.relayed))
            .collect()
    }
}
