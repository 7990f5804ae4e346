//! The sans-IO TURN client (RFC 8656 §7–§12), over UDP or TCP to the server (§3.1); the
//! relayed transport is always UDP.
//!
//! Call [`TurnClient::allocate`], then [`TurnClient::create_permission`],
//! [`TurnClient::bind_channel`] and [`TurnClient::send_to`]; incoming data comes out as
//! [`TurnEvent::Data`]. The client answers 401 with the realm and nonce it was given, retries
//! on 438 with the new nonce, follows 300 ALTERNATE-SERVER once, refreshes the allocation a
//! minute before it expires (§8.1), permissions every 4 minutes (§9: they last 5) and channels
//! every 9 minutes (§12: they last 10), and deletes the allocation with a lifetime of 0.
//! Errors 403/437/440/441/442/443/486/508 come out typed ([`TurnError`]).

use core::fmt;
use core::time::Duration;
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};

use harness_core::endpoint::{
    Endpoint, Input, Output, Socket, TcpCommand, TcpEvent, Transmit, Transport, TransportContext,
};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use rand_core::RngCore;

use crate::channeldata::{self, ChannelData};
use crate::codes;
use crate::framing::StreamDecoder;
use crate::stun::{Class, Message, MessageBuilder, attr, method};
use crate::testkit::Credentials;
use crate::transaction::{ClientTransaction, TimerAction, TransactionConfig};

/// A failed TURN request, typed by its error code (RFC 8656 §19, RFC 8489 §14.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TurnError {
    /// 400.
    BadRequest,
    /// 401 even with credentials.
    Unauthorized,
    /// 403: the peer address is not allowed.
    Forbidden,
    /// 437: no allocation on this 5-tuple (or one already exists).
    AllocationMismatch,
    /// 440.
    AddressFamilyNotSupported,
    /// 441: another user's credentials.
    WrongCredentials,
    /// 442.
    UnsupportedTransport,
    /// 443.
    PeerAddressFamilyMismatch,
    /// 486.
    QuotaReached,
    /// 508.
    InsufficientCapacity,
    /// Another error code.
    Other(u16),
    /// No response within the transaction timeout.
    Timeout,
    /// The TCP connection to the server failed or closed.
    ConnectionLost,
}

impl TurnError {
    /// The error of an error code.
    #[must_use]
    pub fn from_code(code: u16) -> Self {
        match code {
            codes::BAD_REQUEST => Self::BadRequest,
            codes::UNAUTHORIZED => Self::Unauthorized,
            codes::FORBIDDEN => Self::Forbidden,
            codes::ALLOCATION_MISMATCH => Self::AllocationMismatch,
            codes::ADDRESS_FAMILY_NOT_SUPPORTED => Self::AddressFamilyNotSupported,
            codes::WRONG_CREDENTIALS => Self::WrongCredentials,
            codes::UNSUPPORTED_TRANSPORT => Self::UnsupportedTransport,
            codes::PEER_ADDRESS_FAMILY_MISMATCH => Self::PeerAddressFamilyMismatch,
            codes::ALLOCATION_QUOTA_REACHED => Self::QuotaReached,
            codes::INSUFFICIENT_CAPACITY => Self::InsufficientCapacity,
            other => Self::Other(other),
        }
    }
}

impl fmt::Display for TurnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Other(c) => write!(f, "error {c}"),
            Self::Timeout => f.write_str("transaction timed out"),
            Self::ConnectionLost => f.write_str("connection to the server lost"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Configuration of a [`TurnClient`].
#[derive(Clone, Debug)]
pub struct TurnClientConfig {
    /// The TURN server.
    pub server: SocketAddr,
    /// The local address (UDP socket, or TCP source; port 0 lets the driver pick for TCP).
    pub local: SocketAddr,
    /// UDP or TCP to the server.
    pub transport: Transport,
    /// USERNAME.
    pub username: String,
    /// Password.
    pub password: String,
    /// LIFETIME to ask for.
    pub lifetime: Option<u32>,
    /// REQUESTED-ADDRESS-FAMILY (0x01 IPv4, 0x02 IPv6).
    pub requested_family: Option<u8>,
    /// ADDITIONAL-ADDRESS-FAMILY IPv6 (a dual allocation).
    pub additional_ipv6: bool,
    /// EVEN-PORT (without reservation).
    pub even_port: bool,
    /// DONT-FRAGMENT.
    pub dont_fragment: bool,
    /// Retransmission parameters.
    pub transaction: TransactionConfig,
}

impl TurnClientConfig {
    /// A UDP client of `server` from `local`.
    #[must_use]
    pub fn new(server: SocketAddr, local: SocketAddr, username: &str, password: &str) -> Self {
        Self {
            server,
            local,
            transport: Transport::Udp,
            username: username.to_owned(),
            password: password.to_owned(),
            lifetime: None,
            requested_family: None,
            additional_ipv6: false,
            even_port: false,
            dont_fragment: false,
            transaction: TransactionConfig::default(),
        }
    }
}

/// What the client reports.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TurnEvent {
    /// The allocation exists.
    Allocated {
        /// Relayed transport addresses.
        relayed: Vec<SocketAddr>,
        /// The server-reflexive address.
        mapped: Option<SocketAddr>,
        /// Lifetime granted, seconds.
        lifetime: u32,
    },
    /// The allocation was refreshed.
    Refreshed {
        /// Lifetime granted, seconds.
        lifetime: u32,
    },
    /// The allocation is gone (deleted or expired).
    Deallocated,
    /// Permissions installed or refreshed.
    PermissionCreated(Vec<IpAddr>),
    /// A channel is bound.
    ChannelBound {
        /// Peer.
        peer: SocketAddr,
        /// Channel number.
        number: u16,
    },
    /// Data from a peer (Data indication or ChannelData).
    Data {
        /// Peer.
        peer: SocketAddr,
        /// Payload.
        data: Vec<u8>,
    },
    /// The server redirected us (300).
    Redirected(SocketAddr),
    /// A request failed.
    Failed {
        /// The method of the request.
        method: u16,
        /// Why.
        error: TurnError,
    },
}

#[derive(Clone, Debug)]
enum Kind {
    Allocate,
    Refresh(u32),
    CreatePermission(Vec<SocketAddr>),
    ChannelBind(u16, SocketAddr),
}

impl Kind {
    fn method(&self) -> u16 {
        match self {
            Self::Allocate => method::ALLOCATE,
            Self::Refresh(_) => method::REFRESH,
            Self::CreatePermission(_) => method::CREATE_PERMISSION,
            Self::ChannelBind(..) => method::CHANNEL_BIND,
        }
    }
}

#[derive(Debug)]
struct Pending {
    kind: Kind,
    tx: ClientTransaction,
    retries: u8,
}

#[derive(Clone, Copy, Debug)]
struct ChannelState {
    number: u16,
    confirmed: bool,
    refresh_at: Instant,
}

/// The TURN client. See the [module documentation](self).
#[derive(Debug)]
pub struct TurnClient {
    config: TurnClientConfig,
    rng: SeededRng,
    creds: Credentials,
    server: SocketAddr,
    redirected: bool,
    pending: HashMap<[u8; 12], Pending>,
    relayed: Vec<SocketAddr>,
    refresh_at: Option<Instant>,
    permissions: HashMap<IpAddr, (SocketAddr, Instant)>,
    channels: HashMap<SocketAddr, ChannelState>,
    by_number: HashMap<u16, SocketAddr>,
    next_channel: u16,
    tcp_state: TcpState,
    queued: Vec<Vec<u8>>,
    decoder: StreamDecoder,
    out: VecDeque<Output<TurnEvent>>,
    now: Instant,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TcpState {
    NotNeeded,
    Idle,
    Connecting,
    Connected,
}

/// Refresh margin before expiry (RFC 8656 §8.1 suggests a minute).
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// Permissions are refreshed this often (they last 300 s, RFC 8656 §9).
const PERMISSION_REFRESH: Duration = Duration::from_secs(240);
/// Channels are refreshed this often (they last 600 s, RFC 8656 §12).
const CHANNEL_REFRESH: Duration = Duration::from_secs(540);

impl TurnClient {
    /// A client with `config`; transaction ids come from `rng`.
    #[must_use]
    pub fn new(config: TurnClientConfig, rng: SeededRng) -> Self {
        let creds = Credentials::new(&config.username, "", &config.password);
        let mut out = VecDeque::new();
        let tcp_state = if config.transport == Transport::Udp {
            out.push_back(Output::Bind(Socket {
                addr: config.local,
                transport: Transport::Udp,
            }));
            TcpState::NotNeeded
        } else {
            TcpState::Idle
        };
        Self {
            server: config.server,
            config,
            rng,
            creds,
            redirected: false,
            pending: HashMap::new(),
            relayed: Vec::new(),
            refresh_at: None,
            permissions: HashMap::new(),
            channels: HashMap::new(),
            by_number: HashMap::new(),
            next_channel: channeldata::CHANNEL_MIN,
            tcp_state,
            queued: Vec::new(),
            decoder: StreamDecoder::new(),
            out,
            now: Instant::ZERO,
        }
    }

    /// The relayed addresses, once allocated.
    #[must_use]
    pub fn relayed(&self) -> &[SocketAddr] {
        &self.relayed
    }

    /// The 5-tuple towards the server.
    #[must_use]
    pub fn server_context(&self) -> TransportContext {
        TransportContext {
            local: self.config.local,
            remote: self.server,
            transport: self.config.transport,
        }
    }

    fn emit(&mut self, bytes: Vec<u8>) {
        match self.tcp_state {
            TcpState::NotNeeded | TcpState::Connected => {
                let context = self.server_context();
                self.out.push_back(Output::Transmit(Transmit {
                    context,
                    payload: bytes,
                }));
            }
            TcpState::Idle => {
                self.queued.push(bytes);
                self.tcp_state = TcpState::Connecting;
                self.out
                    .push_back(Output::Tcp(TcpCommand::Connect(self.server_context())));
            }
            TcpState::Connecting => self.queued.push(bytes),
        }
    }

    fn build(&mut self, kind: &Kind) -> Vec<u8> {
        let mut txid = [0u8; 12];
        self.rng.fill_bytes(&mut txid);
        let mut b = MessageBuilder::new(kind.method(), Class::Request, txid);
        match kind {
            Kind::Allocate => {
                b = b.u32(attr::REQUESTED_TRANSPORT, 17 << 24);
                if let Some(l) = self.config.lifetime {
                    b = b.u32(attr::LIFETIME, l);
                }
                if let Some(f) = self.config.requested_family {
                    b = b.u32(attr::REQUESTED_ADDRESS_FAMILY, u32::from(f) << 24);
                }
                if self.config.additional_ipv6 {
                    b = b.u32(attr::ADDITIONAL_ADDRESS_FAMILY, 0x02 << 24);
                }
                if self.config.even_port {
                    b = b.raw(attr::EVEN_PORT, &[0]);
                }
                if self.config.dont_fragment {
                    b = b.raw(attr::DONT_FRAGMENT, &[]);
                }
            }
            Kind::Refresh(l) => b = b.u32(attr::LIFETIME, *l),
            Kind::CreatePermission(peers) => {
                for p in peers {
                    b = b.xor_address(attr::XOR_PEER_ADDRESS, *p);
                }
            }
            Kind::ChannelBind(n, p) => {
                b = b
                    .u32(attr::CHANNEL_NUMBER, u32::from(*n) << 16)
                    .xor_address(attr::XOR_PEER_ADDRESS, *p);
            }
        }
        self.creds.sign(b)
    }

    fn start(&mut self, now: Instant, kind: Kind, retries: u8) {
        let bytes = self.build(&kind);
        let tx = ClientTransaction::new(
            bytes.clone(),
            self.config.transport,
            now,
            self.config.transaction,
        );
        self.pending
            .insert(tx.transaction_id(), Pending { kind, tx, retries });
        self.emit(bytes);
    }

    /// Sends an Allocate request (RFC 8656 §7.1).
    pub fn allocate(&mut self, now: Instant) {
        self.now = now;
        self.start(now, Kind::Allocate, 0);
    }

    /// Refreshes the allocation with `lifetime` seconds (0 deletes it, §8.1).
    pub fn refresh(&mut self, now: Instant, lifetime: u32) {
        self.now = now;
        self.start(now, Kind::Refresh(lifetime), 0);
    }

    /// Deletes the allocation (Refresh with LIFETIME 0).
    pub fn deallocate(&mut self, now: Instant) {
        self.refresh(now, 0);
    }

    /// Installs permissions for `peers` (RFC 8656 §10.1).
    pub fn create_permission(&mut self, now: Instant, peers: &[SocketAddr]) {
        self.now = now;
        if !peers.is_empty() {
            self.start(now, Kind::CreatePermission(peers.to_vec()), 0);
        }
    }

    /// Binds a channel to `peer` (RFC 8656 §12.1) and returns its number.
    pub fn bind_channel(&mut self, now: Instant, peer: SocketAddr) -> u16 {
        self.now = now;
        let number = match self.channels.get(&peer) {
            Some(c) => c.number,
            None => {
                let n = self.next_channel;
                self.next_channel = if n >= channeldata::CHANNEL_MAX {
                    channeldata::CHANNEL_MIN
                } else {
                    n + 1
                };
                self.channels.insert(
                    peer,
                    ChannelState {
                        number: n,
                        confirmed: false,
                        refresh_at: Instant::MAX,
                    },
                );
                self.by_number.insert(n, peer);
                n
            }
        };
        self.start(now, Kind::ChannelBind(number, peer), 0);
        number
    }

    /// Sends `data` to `peer` through the relay: ChannelData when a channel is confirmed,
    /// otherwise a Send indication (RFC 8656 §11.1, §12.5).
    pub fn send_to(&mut self, now: Instant, peer: SocketAddr, data: &[u8]) {
        self.now = now;
        let bytes = match self.channels.get(&peer).filter(|c| c.confirmed) {
            Some(c) => channeldata::encode(c.number, data, self.config.transport == Transport::Tcp),
            None => {
                let mut txid = [0u8; 12];
                self.rng.fill_bytes(&mut txid);
                let mut b = MessageBuilder::new(method::SEND, Class::Indication, txid)
                    .xor_address(attr::XOR_PEER_ADDRESS, peer)
                    .raw(attr::DATA, data);
                if self.config.dont_fragment {
                    b = b.raw(attr::DONT_FRAGMENT, &[]);
                }
                b.build()
            }
        };
        self.emit(bytes);
    }

    fn fail(&mut self, method: u16, error: TurnError) {
        self.out
            .push_back(Output::Event(TurnEvent::Failed { method, error }));
    }

    fn response(&mut self, now: Instant, msg: &Message<'_>) {
        let Some(p) = self.pending.remove(&msg.transaction_id()) else {
            return;
        };
        let method = p.kind.method();
        if msg.class() == Class::Error {
            let code = msg.error_code().map_or(0, |c| c.0);
            let retry_auth =
                matches!(code, codes::UNAUTHORIZED | codes::STALE_NONCE) && p.retries < 3;
            if retry_auth && self.creds.learn(msg.bytes()) {
                return self.start(now, p.kind, p.retries.saturating_add(1));
            }
            let alternate = msg.address(attr::ALTERNATE_SERVER);
            if let Some(alt) = alternate.filter(|_| {
                code == codes::TRY_ALTERNATE && matches!(p.kind, Kind::Allocate) && !self.redirected
            }) {
                self.redirected = true;
                self.server = alt;
                self.creds.nonce = None;
                self.out
                    .push_back(Output::Event(TurnEvent::Redirected(alt)));
                return self.start(now, Kind::Allocate, 0);
            }
            if code == codes::ALLOCATION_MISMATCH && matches!(p.kind, Kind::Refresh(0)) {
                // RFC 8656 §8.3: 437 to a deleting Refresh means the allocation is gone.
                return self.gone();
            }
            if let Kind::ChannelBind(n, peer) = p.kind {
                self.channels.remove(&peer);
                self.by_number.remove(&n);
            }
            return self.fail(method, TurnError::from_code(code));
        }
        if msg.class() != Class::Success {
            return;
        }
        if msg.check_integrity(&self.creds.key()) == Some(false) {
            // RFC 8489 §9.2.5: a response failing integrity is discarded.
            self.pending.insert(msg.transaction_id(), p);
            return;
        }
        match p.kind {
            Kind::Allocate => {
                let txid = msg.transaction_id();
                self.relayed = msg
                    .all(attr::XOR_RELAYED_ADDRESS)
                    .filter_map(|v| crate::stun::decode_xor_address(v, &txid).ok())
                    .collect();
                let lifetime = msg.u32_attr(attr::LIFETIME).unwrap_or(600);
                self.schedule_refresh(now, lifetime);
                self.out.push_back(Output::Event(TurnEvent::Allocated {
                    relayed: self.relayed.clone(),
                    mapped: msg.xor_address(attr::XOR_MAPPED_ADDRESS),
                    lifetime,
                }));
            }
            Kind::Refresh(0) => self.gone(),
            Kind::Refresh(_) => {
                let lifetime = msg.u32_attr(attr::LIFETIME).unwrap_or(0);
                self.schedule_refresh(now, lifetime);
                self.out
                    .push_back(Output::Event(TurnEvent::Refreshed { lifetime }));
            }
            Kind::CreatePermission(peers) => {
                let at = now.saturating_add(PERMISSION_REFRESH);
                for p in &peers {
                    self.permissions.insert(p.ip(), (*p, at));
                }
                self.out
                    .push_back(Output::Event(TurnEvent::PermissionCreated(
                        peers.iter().map(SocketAddr::ip).collect(),
                    )));
            }
            Kind::ChannelBind(number, peer) => {
                if let Some(c) = self.channels.get_mut(&peer) {
                    c.confirmed = true;
                    c.refresh_at = now.saturating_add(CHANNEL_REFRESH);
                }
                let at = now.saturating_add(PERMISSION_REFRESH);
                self.permissions.insert(peer.ip(), (peer, at));
                self.out
                    .push_back(Output::Event(TurnEvent::ChannelBound { peer, number }));
            }
        }
    }

    fn schedule_refresh(&mut self, now: Instant, lifetime: u32) {
        let l = Duration::from_secs(u64::from(lifetime));
        let lead = if l > REFRESH_MARGIN.saturating_mul(2) {
            l.saturating_sub(REFRESH_MARGIN)
        } else {
            l / 2
        };
        self.refresh_at = Some(now.saturating_add(lead));
    }

    fn gone(&mut self) {
        self.relayed.clear();
        self.refresh_at = None;
        self.permissions.clear();
        self.channels.clear();
        self.by_number.clear();
        self.out.push_back(Output::Event(TurnEvent::Deallocated));
    }

    fn frame(&mut self, now: Instant, frame: &[u8]) {
        if channeldata::is_channel_data(frame) {
            let stream = self.config.transport == Transport::Tcp;
            if let Ok(cd) = ChannelData::parse(frame, stream)
                && let Some(peer) = self.by_number.get(&cd.number).copied()
            {
                self.out.push_back(Output::Event(TurnEvent::Data {
                    peer,
                    data: cd.data.to_vec(),
                }));
            }
            return;
        }
        let Ok(msg) = Message::parse(frame) else {
            return;
        };
        match msg.class() {
            Class::Indication if msg.method() == method::DATA => {
                if let (Some(peer), Some(data)) =
                    (msg.xor_address(attr::XOR_PEER_ADDRESS), msg.get(attr::DATA))
                {
                    self.out.push_back(Output::Event(TurnEvent::Data {
                        peer,
                        data: data.to_vec(),
                    }));
                }
            }
            Class::Success | Class::Error => self.response(now, &msg),
            _ => {}
        }
    }

    fn timers(&mut self, now: Instant) {
        let mut resend = Vec::new();
        let mut failed = Vec::new();
        for (id, p) in &mut self.pending {
            match p.tx.on_timer(now) {
                TimerAction::Retransmit(b) => resend.push(b.to_vec()),
                TimerAction::TimedOut => failed.push((*id, p.kind.method())),
                TimerAction::Wait => {}
            }
        }
        for b in resend {
            self.emit(b);
        }
        for (id, m) in failed {
            self.pending.remove(&id);
            self.fail(m, TurnError::Timeout);
        }
        if self.refresh_at.is_some_and(|t| t <= now) {
            self.refresh_at = None;
            let l = self.config.lifetime.unwrap_or(600).max(1);
            self.start(now, Kind::Refresh(l), 0);
        }
        let due: Vec<SocketAddr> = self
            .permissions
            .values()
            .filter(|(_, t)| *t <= now)
            .map(|(p, _)| *p)
            .collect();
        if !due.is_empty() {
            for p in &due {
                if let Some(e) = self.permissions.get_mut(&p.ip()) {
                    e.1 = Instant::MAX;
                }
            }
            self.start(now, Kind::CreatePermission(due), 0);
        }
        let due: Vec<(u16, SocketAddr)> = self
            .channels
            .iter()
            .filter(|(_, c)| c.confirmed && c.refresh_at <= now)
            .map(|(p, c)| (c.number, *p))
            .collect();
        for (n, p) in due {
            if let Some(c) = self.channels.get_mut(&p) {
                c.refresh_at = Instant::MAX;
            }
            self.start(now, Kind::ChannelBind(n, p), 0);
        }
    }

    fn deadline(&self) -> Option<Instant> {
        let mut d = self.refresh_at;
        let mut take = |t: Instant| d = Some(d.map_or(t, |x| x.min(t)));
        for p in self.pending.values() {
            if let Some(t) = p.tx.deadline() {
                take(t);
            }
        }
        for (_, t) in self.permissions.values() {
            if *t != Instant::MAX {
                take(*t);
            }
        }
        for c in self.channels.values() {
            if c.confirmed && c.refresh_at != Instant::MAX {
                take(c.refresh_at);
            }
        }
        d
    }
}

impl Endpoint for TurnClient {
    type Event = TurnEvent;

    fn handle_input(&mut self, input: Input<'_>) {
        let now = input.now().max(self.now);
        self.now = now;
        match input {
            Input::Datagram {
                context, payload, ..
            } => {
                if context.remote != self.server {
                    return;
                }
                if context.transport == Transport::Tcp {
                    self.decoder.push(payload);
                    let mut frames = Vec::new();
                    while let Ok(Some((_, f))) = self.decoder.next_frame() {
                        frames.push(f.to_vec());
                    }
                    for f in frames {
                        self.frame(now, &f);
                    }
                } else {
                    self.frame(now, payload);
                }
            }
            Input::Tcp { event, context, .. } => match event {
                TcpEvent::Connected => {
                    self.tcp_state = TcpState::Connected;
                    self.config.local = context.local;
                    for b in core::mem::take(&mut self.queued) {
                        self.emit(b);
                    }
                }
                TcpEvent::ConnectFailed | TcpEvent::Closed | TcpEvent::Reset => {
                    self.tcp_state = TcpState::Idle;
                    self.queued.clear();
                    let methods: Vec<u16> =
                        self.pending.values().map(|p| p.kind.method()).collect();
                    self.pending.clear();
                    for m in methods {
                        self.fail(m, TurnError::ConnectionLost);
                    }
                    if !self.relayed.is_empty() {
                        self.gone();
                    }
                }
                _ => {}
            },
            Input::Timeout { .. } => self.timers(now),
            _ => {}
        }
    }

    fn poll_output(&mut self) -> Output<TurnEvent> {
        if let Some(o) = self.out.pop_front() {
            return o;
        }
        match self.deadline() {
            Some(t) => Output::Timeout(t),
            None => Output::Idle,
        }
    }

    fn sockets(&self) -> Vec<Socket> {
        if self.config.transport == Transport::Udp {
            vec![Socket {
                addr: self.config.local,
                transport: Transport::Udp,
            }]
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests;
