//! The sans-IO reference TURN server (RFC 8656), hardened.
//!
//! * Long-term credentials with a realm and stateless nonces of configurable lifetime
//!   ([`auth`]); 438 when a nonce is stale.
//! * Allocations keyed by the client's 5-tuple, UDP or TCP towards the client, UDP relays;
//!   437 on mismatch, 441 when another user's credentials touch an allocation.
//! * Lifetimes clamped to a configurable maximum; permissions for 300 s, channels for 600 s.
//! * Relaying only to permitted peers; everything else is dropped silently.
//! * Quotas per user (486) and overall capacity (508); bounded permission, channel, TCP and
//!   response-cache tables, so memory is bounded by the configuration, not by the traffic.
//! * A peer-address policy ([`crate::policy`]) that refuses special ranges with 403.
//! * Relay ports drawn from the injected [`SeededRng`].
//! * Retransmitted requests get the same bytes back.
//!
//! Drive it through [`Endpoint`]: it binds its listening sockets first, then one UDP socket per
//! relayed address.

mod auth;
mod requests;
mod state;

use core::time::Duration;
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};

use harness_core::endpoint::{
    Endpoint, Input, Output, Socket, TcpCommand, TcpEvent, Transmit, Transport, TransportContext,
};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use rand_core::RngCore;

pub use auth::{NonceMint, NonceState};
pub(crate) use requests::KNOWN as KNOWN_ATTRIBUTES;
pub use state::{Allocation, Binding, ResponseCache};

use crate::channeldata::{self, ChannelData};
use crate::framing::{FrameKind, StreamDecoder};
use crate::policy::PeerPolicy;
use crate::stun::{self, Class, MessageBuilder, attr, method};

fn fill(rng: &mut SeededRng, out: &mut [u8]) {
    rng.fill_bytes(out);
}

/// Configuration of a [`TurnServer`].
#[derive(Clone, Debug)]
pub struct TurnServerConfig {
    /// Listening sockets (UDP and/or TCP) facing clients.
    pub listen: Vec<Socket>,
    /// The IPv4 address relays are bound on.
    pub relay_v4: Option<IpAddr>,
    /// The IPv6 address relays are bound on.
    pub relay_v6: Option<IpAddr>,
    /// Relay ports are drawn from this inclusive range.
    pub relay_ports: (u16, u16),
    /// The realm.
    pub realm: String,
    /// Users and passwords.
    pub users: Vec<(String, String)>,
    /// How long a nonce stays fresh.
    pub nonce_lifetime: Duration,
    /// Lifetime given when the client asks for none or for less (RFC 8656 §2: 10 minutes).
    pub default_lifetime: Duration,
    /// The most a client gets (RFC 8656 §7.2 recommends 3600 s).
    pub max_lifetime: Duration,
    /// Permission lifetime (RFC 8656 §9: 300 s).
    pub permission_lifetime: Duration,
    /// Channel lifetime (RFC 8656 §12: 600 s).
    pub channel_lifetime: Duration,
    /// Allocations in total (508 beyond).
    pub max_allocations: usize,
    /// Allocations per username (486 beyond).
    pub max_allocations_per_user: usize,
    /// Permissions per allocation (508 beyond).
    pub max_permissions: usize,
    /// Channels per allocation (508 beyond).
    pub max_channels: usize,
    /// TCP connections at once (further ones are aborted).
    pub max_tcp_connections: usize,
    /// Responses kept for retransmissions.
    pub response_cache: usize,
    /// Peer-address policy.
    pub peer_policy: PeerPolicy,
    /// SOFTWARE to put in responses.
    pub software: Option<String>,
    /// Redirect every Allocate to this server with 300 (RFC 8489 §10).
    pub alternate_server: Option<SocketAddr>,
    /// Accept channel numbers up to 0x7FFE as RFC 5766 §11.2 did (deployed clients such as
    /// coturn's pick from that range); RFC 8656 §12.2 allows only 0x4000–0x4FFF.
    pub rfc5766_channels: bool,
}

impl TurnServerConfig {
    /// A configuration with the RFC's defaults, listening on UDP and TCP at `listen`, relaying
    /// on its IP.
    #[must_use]
    pub fn new(listen: SocketAddr, realm: &str, users: Vec<(String, String)>) -> Self {
        let (v4, v6) = match listen.ip() {
            ip @ IpAddr::V4(_) => (Some(ip), None),
            ip @ IpAddr::V6(_) => (None, Some(ip)),
        };
        Self {
            listen: vec![
                Socket {
                    addr: listen,
                    transport: Transport::Udp,
                },
                Socket {
                    addr: listen,
                    transport: Transport::Tcp,
                },
            ],
            relay_v4: v4,
            relay_v6: v6,
            relay_ports: (49152, 65535),
            realm: realm.to_owned(),
            users,
            nonce_lifetime: Duration::from_secs(600),
            default_lifetime: Duration::from_secs(600),
            max_lifetime: Duration::from_secs(3600),
            permission_lifetime: Duration::from_secs(300),
            channel_lifetime: Duration::from_secs(600),
            max_allocations: 1024,
            max_allocations_per_user: 64,
            max_permissions: 64,
            max_channels: 64,
            max_tcp_connections: 1024,
            response_cache: 4096,
            peer_policy: PeerPolicy::default(),
            software: Some(concat!("webrtc-harness ", env!("CARGO_PKG_VERSION")).to_owned()),
            alternate_server: None,
            rfc5766_channels: false,
        }
    }
}

/// What the server reports.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerEvent {
    /// An allocation was created.
    Allocated {
        /// The client's 5-tuple.
        client: TransportContext,
        /// Its relayed addresses.
        relays: Vec<SocketAddr>,
    },
    /// An allocation went away (expired, lifetime 0, TCP closed).
    Deallocated {
        /// The client's 5-tuple.
        client: TransportContext,
    },
    /// A request was answered with an error.
    Rejected {
        /// The client's 5-tuple.
        client: TransportContext,
        /// The method.
        method: u16,
        /// The error code.
        code: u16,
    },
}

/// The reference TURN server. See the [module documentation](self).
#[derive(Debug)]
pub struct TurnServer {
    config: TurnServerConfig,
    keys: HashMap<String, [u8; 16]>,
    rng: SeededRng,
    mint: NonceMint,
    allocations: HashMap<TransportContext, Allocation>,
    relays: HashMap<SocketAddr, TransportContext>,
    per_user: HashMap<String, usize>,
    tcp: HashMap<TransportContext, StreamDecoder>,
    cache: ResponseCache,
    /// Ports held for a later Allocate with RESERVATION-TOKEN (RFC 8656 §7.2), with expiry.
    reservations: HashMap<[u8; 8], (SocketAddr, Instant)>,
    out: VecDeque<Output<ServerEvent>>,
    now: Instant,
    next_sweep: Option<Instant>,
}

impl TurnServer {
    /// A server with `config`, drawing relay ports, nonce secrets and nothing else from `rng`.
    #[must_use]
    pub fn new(config: TurnServerConfig, mut rng: SeededRng) -> Self {
        let keys = config
            .users
            .iter()
            .map(|(u, p)| (u.clone(), stun::long_term_key(u, &config.realm, p)))
            .collect();
        let mut secret = [0u8; 20];
        fill(&mut rng, &mut secret);
        let mint = NonceMint::new(secret, config.nonce_lifetime);
        let out = config.listen.iter().map(|s| Output::Bind(*s)).collect();
        let cache = ResponseCache::new(config.response_cache);
        Self {
            config,
            keys,
            rng,
            mint,
            allocations: HashMap::new(),
            relays: HashMap::new(),
            per_user: HashMap::new(),
            tcp: HashMap::new(),
            cache,
            reservations: HashMap::new(),
            out,
            now: Instant::ZERO,
            next_sweep: None,
        }
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &TurnServerConfig {
        &self.config
    }

    /// Live allocations.
    #[must_use]
    pub fn allocation_count(&self) -> usize {
        self.allocations.len()
    }

    /// The allocation of a client 5-tuple.
    #[must_use]
    pub fn allocation(&self, client: &TransportContext) -> Option<&Allocation> {
        self.allocations.get(client)
    }

    /// True when the relay `relay` has a live permission for `peer` (used by invariant checks).
    #[must_use]
    pub fn permits(&self, relay: SocketAddr, peer: IpAddr, now: Instant) -> bool {
        self.relays
            .get(&relay)
            .and_then(|c| self.allocations.get(c))
            .is_some_and(|a| a.permits(peer, now))
    }

    /// Entries in every table, for memory-bound checks: allocations, permissions, channels,
    /// TCP connections, cached responses, and bytes buffered on TCP.
    #[must_use]
    pub fn table_sizes(&self) -> TableSizes {
        TableSizes {
            allocations: self.allocations.len(),
            permissions: self.allocations.values().map(|a| a.permissions.len()).sum(),
            channels: self.allocations.values().map(|a| a.channels.len()).sum(),
            tcp_connections: self.tcp.len(),
            cached_responses: self.cache.len(),
            tcp_buffered: self.tcp.values().map(StreamDecoder::buffered).sum(),
        }
    }

    fn schedule(&mut self, at: Instant) {
        self.next_sweep = Some(self.next_sweep.map_or(at, |t| t.min(at)));
    }

    fn transmit(&mut self, context: TransportContext, payload: Vec<u8>) {
        self.out
            .push_back(Output::Transmit(Transmit { context, payload }));
    }

    fn sweep(&mut self, now: Instant) {
        let mut next: Option<Instant> = self.cache.sweep(now);
        self.reservations.retain(|_, (_, t)| *t > now);
        for (_, t) in self.reservations.values() {
            next = Some(next.map_or(*t, |n| n.min(*t)));
        }
        let expired: Vec<TransportContext> = self
            .allocations
            .iter()
            .filter(|(_, a)| a.expires <= now)
            .map(|(k, _)| *k)
            .collect();
        for k in expired {
            self.deallocate(&k);
        }
        for a in self.allocations.values_mut() {
            let t = a.sweep(now);
            next = Some(next.map_or(t, |n| n.min(t)));
        }
        self.next_sweep = next;
    }

    fn deallocate(&mut self, client: &TransportContext) {
        let Some(a) = self.allocations.remove(client) else {
            return;
        };
        for r in &a.relays {
            self.relays.remove(r);
            self.out.push_back(Output::Unbind(Socket {
                addr: *r,
                transport: Transport::Udp,
            }));
        }
        if let Some(n) = self.per_user.get_mut(&a.username) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.per_user.remove(&a.username);
            }
        }
        self.out
            .push_back(Output::Event(ServerEvent::Deallocated { client: *client }));
    }

    /// The driver could not bind relay `relay` (its port is taken outside the server): the
    /// allocation using it is deleted, so the client learns of it (437) on its next request.
    pub fn relay_unavailable(&mut self, relay: SocketAddr) {
        if let Some(client) = self.relays.get(&relay).copied() {
            self.deallocate(&client);
        }
    }

    /// True when `number` may be bound (RFC 8656 §12.2, or RFC 5766 §11.2 in legacy mode).
    #[must_use]
    pub fn channel_allowed(&self, number: u16) -> bool {
        let max = if self.config.rfc5766_channels {
            0x7FFE
        } else {
            channeldata::CHANNEL_MAX
        };
        (channeldata::CHANNEL_MIN..=max).contains(&number)
    }

    fn is_listen(&self, ctx: &TransportContext) -> bool {
        self.config
            .listen
            .iter()
            .any(|s| s.addr == ctx.local && s.transport == ctx.transport)
    }

    /// A datagram from a peer arrived on a relay (RFC 8656 §11.3, §12.7).
    fn peer_datagram(&mut self, now: Instant, ctx: TransportContext, payload: &[u8]) {
        let Some(client) = self.relays.get(&ctx.local).copied() else {
            return;
        };
        let Some(a) = self.allocations.get(&client) else {
            return;
        };
        if !a.permits(ctx.remote.ip(), now) {
            return;
        }
        let stream = client.transport == Transport::Tcp;
        let bytes = match a.channel_for(ctx.remote, now) {
            Some(n) => channeldata::encode(n, payload, stream),
            None => {
                let mut txid = [0u8; 12];
                fill(&mut self.rng, &mut txid);
                MessageBuilder::new(method::DATA, Class::Indication, txid)
                    .xor_address(attr::XOR_PEER_ADDRESS, ctx.remote)
                    .raw(attr::DATA, payload)
                    .build()
            }
        };
        self.transmit(client, bytes);
    }

    /// A ChannelData message from a client (RFC 8656 §12.6).
    fn channel_data(&mut self, now: Instant, client: TransportContext, frame: &[u8]) {
        let stream = client.transport == Transport::Tcp;
        let Ok(cd) = ChannelData::parse(frame, stream) else {
            return;
        };
        if !self.channel_allowed(cd.number) {
            return;
        }
        let Some(a) = self.allocations.get(&client) else {
            return;
        };
        let Some(peer) = a.peer_of(cd.number, now) else {
            return;
        };
        if !a.permits(peer.ip(), now) {
            return;
        }
        let Some(relay) = relay_for(a, peer) else {
            return;
        };
        let context = TransportContext {
            local: relay,
            remote: peer,
            transport: Transport::Udp,
        };
        self.transmit(context, cd.data.to_vec());
    }

    fn client_frame(&mut self, now: Instant, ctx: TransportContext, frame: &[u8]) {
        if channeldata::is_channel_data(frame) {
            self.channel_data(now, ctx, frame);
        } else if let Ok(msg) = stun::Message::parse(frame) {
            self.stun_message(now, ctx, &msg);
        }
    }

    fn tcp_bytes(&mut self, now: Instant, ctx: TransportContext, payload: &[u8]) {
        let Some(mut dec) = self.tcp.remove(&ctx) else {
            return;
        };
        dec.push(payload);
        loop {
            match dec.next_frame() {
                Ok(Some((kind, frame))) => {
                    let frame = frame.to_vec();
                    match kind {
                        FrameKind::ChannelData => self.channel_data(now, ctx, &frame),
                        FrameKind::Stun => self.client_frame(now, ctx, &frame),
                    }
                }
                Ok(None) => {
                    self.tcp.insert(ctx, dec);
                    return;
                }
                Err(_) => {
                    self.out.push_back(Output::Tcp(TcpCommand::Abort(ctx)));
                    self.deallocate(&ctx);
                    return;
                }
            }
        }
    }

    fn tcp_event(&mut self, ctx: TransportContext, event: TcpEvent) {
        match event {
            TcpEvent::Accepted => {
                if self.tcp.len() >= self.config.max_tcp_connections || !self.is_listen(&ctx) {
                    self.out.push_back(Output::Tcp(TcpCommand::Abort(ctx)));
                } else {
                    self.tcp.insert(ctx, StreamDecoder::new());
                }
            }
            TcpEvent::Closed | TcpEvent::Reset => {
                // RFC 8656 §3.1 / §5: an allocation over TCP lives as long as its connection.
                self.tcp.remove(&ctx);
                self.deallocate(&ctx);
            }
            _ => {}
        }
    }
}

/// The relayed address of `a` in `peer`'s family.
fn relay_for(a: &Allocation, peer: SocketAddr) -> Option<SocketAddr> {
    a.relays
        .iter()
        .find(|r| r.is_ipv4() == peer.is_ipv4())
        .copied()
}

/// Sizes of the server's tables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableSizes {
    /// Allocations.
    pub allocations: usize,
    /// Permissions over all allocations.
    pub permissions: usize,
    /// Channels over all allocations.
    pub channels: usize,
    /// TCP connections.
    pub tcp_connections: usize,
    /// Cached responses.
    pub cached_responses: usize,
    /// Bytes buffered in TCP decoders.
    pub tcp_buffered: usize,
}

impl Endpoint for TurnServer {
    type Event = ServerEvent;

    fn handle_input(&mut self, input: Input<'_>) {
        let now = input.now().max(self.now);
        self.now = now;
        if self.next_sweep.is_some_and(|t| t <= now) {
            self.sweep(now);
        }
        match input {
            Input::Datagram {
                context, payload, ..
            } => match context.transport {
                Transport::Udp if self.relays.contains_key(&context.local) => {
                    self.peer_datagram(now, context, payload);
                }
                Transport::Udp if self.is_listen(&context) => {
                    self.client_frame(now, context, payload);
                }
                Transport::Tcp => self.tcp_bytes(now, context, payload),
                Transport::Udp => {}
            },
            Input::Tcp { context, event, .. } => self.tcp_event(context, event),
            Input::Timeout { .. } => {}
            _ => {}
        }
    }

    fn poll_output(&mut self) -> Output<ServerEvent> {
        if let Some(o) = self.out.pop_front() {
            return o;
        }
        match self.next_sweep {
            Some(t) => Output::Timeout(t),
            None => Output::Idle,
        }
    }

    fn sockets(&self) -> Vec<Socket> {
        let mut s = self.config.listen.clone();
        s.extend(self.relays.keys().map(|addr| Socket {
            addr: *addr,
            transport: Transport::Udp,
        }));
        s
    }
}

#[cfg(test)]
mod tests;
