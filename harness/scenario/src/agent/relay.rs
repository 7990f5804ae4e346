//! The reference agent's TURN client: one allocation per TURN server (RFC 8656 §7), over UDP
//! or TCP, with permissions (§9) and Send/Data indications (§11).

use core::time::Duration;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use harness_core::endpoint::{TcpCommand, TcpEvent, Transmit, Transport, TransportContext};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_turn::framing::StreamDecoder;
use harness_turn::stun::{Class, Message, MessageBuilder, attr, long_term_key, method};
use rand_core::RngCore;

use super::TurnServerRef;

/// Allocation state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AllocState {
    /// Not started.
    Idle,
    /// Waiting for the TCP connection.
    Connecting,
    /// Allocate in flight.
    Allocating,
    /// Relayed address known.
    Ready,
    /// Gave up.
    Failed,
}

#[derive(Clone, Debug)]
struct Request {
    id: [u8; 12],
    bytes: Vec<u8>,
    sends: u32,
    next: Instant,
    kind: RequestKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RequestKind {
    Allocate,
    Permission(IpAddr),
    Refresh,
}

/// What the allocation hands back to the agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RelayEvent {
    /// The allocation succeeded: relayed and mapped addresses.
    Allocated {
        relayed: SocketAddr,
        mapped: Option<SocketAddr>,
    },
    /// The allocation failed.
    Failed,
    /// Data from a peer through the relay.
    Data { peer: SocketAddr, data: Vec<u8> },
}

const RTO: Duration = Duration::from_millis(250);
const MAX_SENDS: u32 = 6;
const PERMISSION_REFRESH: Duration = Duration::from_secs(240);

/// One allocation.
#[derive(Debug)]
pub(crate) struct Allocation {
    pub(crate) server: TurnServerRef,
    pub(crate) local: SocketAddr,
    pub(crate) state: AllocState,
    pub(crate) relayed: Option<SocketAddr>,
    realm: Option<String>,
    nonce: Option<String>,
    key: Option<[u8; 16]>,
    requests: Vec<Request>,
    permissions: BTreeMap<IpAddr, Instant>,
    ports: BTreeMap<IpAddr, u16>,
    refresh_at: Option<Instant>,
    stream: StreamDecoder,
}

impl Allocation {
    pub(crate) fn new(server: TurnServerRef, local: SocketAddr) -> Self {
        Self {
            server,
            local,
            state: AllocState::Idle,
            relayed: None,
            realm: None,
            nonce: None,
            key: None,
            requests: Vec::new(),
            permissions: BTreeMap::new(),
            ports: BTreeMap::new(),
            refresh_at: None,
            stream: StreamDecoder::new(),
        }
    }

    pub(crate) fn context(&self) -> TransportContext {
        TransportContext {
            local: self.local,
            remote: self.server.addr,
            transport: self.server.transport,
        }
    }

    /// Whether an inbound datagram on `ctx` is for this allocation.
    pub(crate) fn owns(&self, ctx: &TransportContext) -> bool {
        ctx.remote == self.server.addr
            && ctx.local == self.local
            && ctx.transport == self.server.transport
    }

    pub(crate) fn start(&mut self, now: Instant, rng: &mut SeededRng, out: &mut Outbox) {
        match self.server.transport {
            Transport::Udp => self.allocate(now, rng, out),
            Transport::Tcp => {
                self.state = AllocState::Connecting;
                out.tcp.push(TcpCommand::Connect(self.context()));
            }
        }
    }

    pub(crate) fn on_tcp(
        &mut self,
        now: Instant,
        event: TcpEvent,
        rng: &mut SeededRng,
        out: &mut Outbox,
    ) -> Vec<RelayEvent> {
        match event {
            TcpEvent::Connected if self.state == AllocState::Connecting => {
                self.allocate(now, rng, out);
                Vec::new()
            }
            TcpEvent::ConnectFailed | TcpEvent::Reset | TcpEvent::Closed
                if self.state != AllocState::Failed =>
            {
                self.state = AllocState::Failed;
                vec![RelayEvent::Failed]
            }
            _ => Vec::new(),
        }
    }

    fn txid(rng: &mut SeededRng) -> [u8; 12] {
        let mut id = [0u8; 12];
        rng.fill_bytes(&mut id);
        id
    }

    fn authed(&self, b: MessageBuilder) -> Vec<u8> {
        let mut b = b;
        if let (Some(realm), Some(nonce), Some(key)) = (&self.realm, &self.nonce, &self.key) {
            b = b
                .text(attr::USERNAME, &self.server.username)
                .text(attr::REALM, realm)
                .text(attr::NONCE, nonce)
                .integrity(key);
        }
        b.fingerprint()
    }

    fn send_request(
        &mut self,
        now: Instant,
        id: [u8; 12],
        bytes: Vec<u8>,
        kind: RequestKind,
        out: &mut Outbox,
    ) {
        out.transmit(self.context(), bytes.clone());
        self.requests.retain(|r| r.kind != kind);
        self.requests.push(Request {
            id,
            bytes,
            sends: 1,
            next: now + RTO,
            kind,
        });
    }

    fn allocate(&mut self, now: Instant, rng: &mut SeededRng, out: &mut Outbox) {
        self.state = AllocState::Allocating;
        let id = Self::txid(rng);
        let b = MessageBuilder::new(method::ALLOCATE, Class::Request, id)
            .u32(attr::REQUESTED_TRANSPORT, 17 << 24);
        let bytes = self.authed(b);
        self.send_request(now, id, bytes, RequestKind::Allocate, out);
    }

    /// Makes sure a permission for `ip` exists (or is being created).
    pub(crate) fn permit(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        rng: &mut SeededRng,
        out: &mut Outbox,
    ) {
        let ip = peer.ip();
        if self.state != AllocState::Ready || self.permissions.contains_key(&ip) {
            return;
        }
        self.permissions.insert(ip, now + PERMISSION_REFRESH);
        self.ports.insert(ip, peer.port());
        self.create_permission(now, ip, rng, out);
    }

    fn create_permission(
        &mut self,
        now: Instant,
        ip: IpAddr,
        rng: &mut SeededRng,
        out: &mut Outbox,
    ) {
        let id = Self::txid(rng);
        let b = MessageBuilder::new(method::CREATE_PERMISSION, Class::Request, id)
            // The port is ignored (RFC 8656 §9.1); the peer's own port is sent because some
            // servers refuse port 0.
            .xor_address(
                attr::XOR_PEER_ADDRESS,
                SocketAddr::new(ip, self.ports.get(&ip).copied().unwrap_or(9)),
            );
        let bytes = self.authed(b);
        self.send_request(now, id, bytes, RequestKind::Permission(ip), out);
    }

    /// Relays `data` to `peer` in a Send indication.
    pub(crate) fn send_to(
        &mut self,
        peer: SocketAddr,
        data: &[u8],
        rng: &mut SeededRng,
        out: &mut Outbox,
    ) {
        if self.state != AllocState::Ready {
            return;
        }
        let b = MessageBuilder::new(method::SEND, Class::Indication, Self::txid(rng))
            .xor_address(attr::XOR_PEER_ADDRESS, peer)
            .raw(attr::DATA, data);
        out.transmit(self.context(), b.build());
    }

    pub(crate) fn deadline(&self) -> Option<Instant> {
        let r = self
            .requests
            .iter()
            .filter(|r| self.server.transport == Transport::Udp || r.sends == 0)
            .map(|r| r.next)
            .min();
        let p = self.permissions.values().min().copied();
        [r, p, self.refresh_at].into_iter().flatten().min()
    }

    pub(crate) fn on_timeout(
        &mut self,
        now: Instant,
        rng: &mut SeededRng,
        out: &mut Outbox,
    ) -> Vec<RelayEvent> {
        let mut events = Vec::new();
        if self.server.transport == Transport::Udp {
            let ctx = self.context();
            let mut failed_allocate = false;
            self.requests.retain_mut(|r| {
                if r.next > now {
                    return true;
                }
                if r.sends >= MAX_SENDS {
                    failed_allocate |= r.kind == RequestKind::Allocate;
                    return false;
                }
                out.transmit(ctx, r.bytes.clone());
                r.next = now + RTO * (1 << r.sends.min(6));
                r.sends += 1;
                true
            });
            if failed_allocate && self.state != AllocState::Failed {
                self.state = AllocState::Failed;
                events.push(RelayEvent::Failed);
            }
        }
        let due: Vec<IpAddr> = self
            .permissions
            .iter()
            .filter(|(_, t)| **t <= now)
            .map(|(ip, _)| *ip)
            .collect();
        for ip in due {
            self.permissions.insert(ip, now + PERMISSION_REFRESH);
            self.create_permission(now, ip, rng, out);
        }
        if self.refresh_at.is_some_and(|t| t <= now) {
            self.refresh_at = None;
            let id = Self::txid(rng);
            let b =
                MessageBuilder::new(method::REFRESH, Class::Request, id).u32(attr::LIFETIME, 600);
            let bytes = self.authed(b);
            self.send_request(now, id, bytes, RequestKind::Refresh, out);
        }
        events
    }

    /// Bytes from the server (one datagram, or a piece of the TCP stream).
    pub(crate) fn on_bytes(
        &mut self,
        now: Instant,
        payload: &[u8],
        rng: &mut SeededRng,
        out: &mut Outbox,
    ) -> Vec<RelayEvent> {
        let mut events = Vec::new();
        if self.server.transport == Transport::Tcp {
            self.stream.push(payload);
            let mut frames = Vec::new();
            while let Ok(Some((_, f))) = self.stream.next_frame() {
                frames.push(f.to_vec());
            }
            for f in frames {
                self.on_message(now, &f, rng, out, &mut events);
            }
        } else {
            self.on_message(now, payload, rng, out, &mut events);
        }
        events
    }

    fn on_message(
        &mut self,
        now: Instant,
        bytes: &[u8],
        rng: &mut SeededRng,
        out: &mut Outbox,
        events: &mut Vec<RelayEvent>,
    ) {
        let Ok(msg) = Message::parse(bytes) else {
            return;
        };
        if msg.class() == Class::Indication && msg.method() == method::DATA {
            if let (Some(peer), Some(data)) =
                (msg.xor_address(attr::XOR_PEER_ADDRESS), msg.get(attr::DATA))
            {
                events.push(RelayEvent::Data {
                    peer,
                    data: data.to_vec(),
                });
            }
            return;
        }
        let id = msg.transaction_id();
        let Some(pos) = self.requests.iter().position(|r| r.id == id) else {
            return;
        };
        let req = self.requests.remove(pos);
        match (req.kind, msg.class()) {
            (RequestKind::Allocate, Class::Success) => {
                let Some(relayed) = msg.xor_address(attr::XOR_RELAYED_ADDRESS) else {
                    self.state = AllocState::Failed;
                    events.push(RelayEvent::Failed);
                    return;
                };
                self.relayed = Some(relayed);
                self.state = AllocState::Ready;
                let lifetime = msg.u32_attr(attr::LIFETIME).unwrap_or(600);
                self.refresh_at =
                    Some(now + Duration::from_secs(u64::from(lifetime.saturating_sub(60).max(30))));
                events.push(RelayEvent::Allocated {
                    relayed,
                    mapped: msg.xor_address(attr::XOR_MAPPED_ADDRESS),
                });
            }
            (kind, Class::Error) => {
                let code = msg.error_code().map_or(0, |(c, _)| c);
                let fresh_nonce = msg.text(attr::NONCE).map(str::to_owned);
                if (code == 401 && self.key.is_none()) || code == 438 {
                    if let Some(realm) = msg.text(attr::REALM) {
                        self.key = Some(long_term_key(
                            &self.server.username,
                            realm,
                            &self.server.password,
                        ));
                        self.realm = Some(realm.to_owned());
                    }
                    self.nonce = fresh_nonce;
                    match kind {
                        RequestKind::Allocate => self.allocate(now, rng, out),
                        RequestKind::Permission(ip) => self.create_permission(now, ip, rng, out),
                        RequestKind::Refresh => self.refresh_at = Some(now),
                    }
                } else if kind == RequestKind::Allocate {
                    self.state = AllocState::Failed;
                    events.push(RelayEvent::Failed);
                }
            }
            _ => {}
        }
    }
}

/// Transmits and TCP commands collected while handling one input.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    pub(crate) transmits: Vec<Transmit>,
    pub(crate) tcp: Vec<TcpCommand>,
}

impl Outbox {
    pub(crate) fn transmit(&mut self, context: TransportContext, payload: Vec<u8>) {
        self.transmits.push(Transmit { context, payload });
    }
}
