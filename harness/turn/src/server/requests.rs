//! Request and indication handling of the TURN server (RFC 8656 §5, §7–§12, RFC 8489 §9.2.4).

use core::time::Duration;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use harness_core::endpoint::{Output, Socket, Transport, TransportContext};
use harness_core::time::Instant;

use super::{Allocation, Binding, ServerEvent, TurnServer, relay_for};
use crate::codes::{self as code, reason};
use crate::stun::{Class, Message, MessageBuilder, attr, method};

/// How long a response is kept for retransmissions (RFC 8489 §6.2.1: Ti = 39.5 s on TCP, the
/// longest a client keeps retransmitting).
const CACHE_FOR: Duration = Duration::from_secs(40);

/// How long a port reserved by EVEN-PORT R=1 is held (RFC 8656 §7.2: at least 30 s).
const RESERVATION_FOR: Duration = Duration::from_secs(30);

/// Comprehension-required attributes the server understands.
pub(crate) const KNOWN: &[u16] = &[
    attr::MAPPED_ADDRESS,
    attr::USERNAME,
    attr::MESSAGE_INTEGRITY,
    attr::ERROR_CODE,
    attr::UNKNOWN_ATTRIBUTES,
    attr::CHANNEL_NUMBER,
    attr::LIFETIME,
    attr::XOR_PEER_ADDRESS,
    attr::DATA,
    attr::REALM,
    attr::NONCE,
    attr::XOR_RELAYED_ADDRESS,
    attr::REQUESTED_ADDRESS_FAMILY,
    attr::EVEN_PORT,
    attr::REQUESTED_TRANSPORT,
    attr::DONT_FRAGMENT,
    attr::XOR_MAPPED_ADDRESS,
    attr::RESERVATION_TOKEN,
    attr::PRIORITY,
    attr::USE_CANDIDATE,
    attr::PADDING,
    attr::RESPONSE_PORT,
    attr::CHANGE_REQUEST,
];

/// An error to answer with: code, reason, and whether authentication passed (then the
/// response carries MESSAGE-INTEGRITY).
struct Reply {
    code: u16,
    key: Option<[u8; 16]>,
    extra: Vec<(u16, Vec<u8>)>,
}

impl Reply {
    fn plain(code: u16) -> Self {
        Self {
            code,
            key: None,
            extra: Vec::new(),
        }
    }
    fn keyed(code: u16, key: [u8; 16]) -> Self {
        Self {
            code,
            key: Some(key),
            extra: Vec::new(),
        }
    }
}

impl TurnServer {
    fn finish(&self, b: MessageBuilder, key: Option<&[u8]>) -> Vec<u8> {
        let b = match &self.config.software {
            Some(s) => b.text(attr::SOFTWARE, s),
            None => b,
        };
        match key {
            Some(k) => b.integrity(k).fingerprint(),
            None => b.fingerprint(),
        }
    }

    fn error_bytes(&mut self, ctx: TransportContext, msg: &Message<'_>, r: Reply) -> Vec<u8> {
        let mut b = MessageBuilder::new(msg.method(), Class::Error, msg.transaction_id())
            .error(r.code, reason(r.code));
        for (t, v) in &r.extra {
            b = b.raw(*t, v);
        }
        if matches!(r.code, code::UNAUTHORIZED | code::STALE_NONCE) && r.key.is_none() {
            let nonce = self.mint.issue(self.now, ctx.remote);
            b = b
                .text(attr::REALM, &self.config.realm)
                .text(attr::NONCE, &nonce);
        }
        self.out.push_back(Output::Event(ServerEvent::Rejected {
            client: ctx,
            method: msg.method(),
            code: r.code,
        }));
        self.finish(b, r.key.as_ref().map(|k| k.as_slice()))
    }

    fn send_reply(&mut self, ctx: TransportContext, msg: &Message<'_>, r: Reply) {
        let keyed = r.key.is_some();
        let bytes = self.error_bytes(ctx, msg, r);
        if keyed {
            self.remember(ctx, msg, &bytes);
        }
        self.transmit(ctx, bytes);
    }

    fn remember(&mut self, ctx: TransportContext, msg: &Message<'_>, bytes: &[u8]) {
        let until = self.now.saturating_add(CACHE_FOR);
        self.cache
            .put(ctx, msg.transaction_id(), until, bytes.to_vec());
        self.schedule(until);
    }

    fn success(
        &mut self,
        ctx: TransportContext,
        msg: &Message<'_>,
        b: MessageBuilder,
        key: [u8; 16],
    ) {
        let bytes = self.finish(b, Some(&key));
        self.remember(ctx, msg, &bytes);
        self.transmit(ctx, bytes);
    }

    pub(super) fn stun_message(&mut self, now: Instant, ctx: TransportContext, msg: &Message<'_>) {
        match msg.class() {
            Class::Request => {}
            Class::Indication => {
                if msg.method() == method::SEND {
                    self.send_indication(now, ctx, msg);
                }
                return;
            }
            Class::Success | Class::Error => return,
        }
        if let Some(cached) = self.cache.get(&ctx, &msg.transaction_id(), now) {
            let bytes = cached.to_vec();
            self.transmit(ctx, bytes);
            return;
        }
        let unknown = msg.unknown_required(KNOWN);
        if !unknown.is_empty() {
            let v: Vec<u8> = unknown.iter().flat_map(|t| t.to_be_bytes()).collect();
            let mut r = Reply::plain(code::UNKNOWN_ATTRIBUTE);
            r.extra.push((attr::UNKNOWN_ATTRIBUTES, v));
            self.send_reply(ctx, msg, r);
            return;
        }
        match msg.method() {
            method::BINDING => {
                let b = MessageBuilder::new(method::BINDING, Class::Success, msg.transaction_id())
                    .xor_address(attr::XOR_MAPPED_ADDRESS, ctx.remote);
                let bytes = self.finish(b, None);
                self.transmit(ctx, bytes);
            }
            method::ALLOCATE
            | method::REFRESH
            | method::CREATE_PERMISSION
            | method::CHANNEL_BIND => {
                let (user, key) = match self.authenticate(now, ctx, msg) {
                    Ok(v) => v,
                    Err(r) => {
                        self.send_reply(ctx, msg, r);
                        return;
                    }
                };
                let result = if msg.method() == method::ALLOCATE {
                    self.allocate(now, ctx, msg, user, key)
                } else {
                    self.on_allocation(now, ctx, msg, &user, key)
                };
                if let Err(r) = result {
                    self.send_reply(ctx, msg, r);
                }
            }
            _ => self.send_reply(ctx, msg, Reply::plain(code::BAD_REQUEST)),
        }
    }

    /// RFC 8489 §9.2.4: the long-term credential mechanism on the server.
    fn authenticate(
        &mut self,
        now: Instant,
        ctx: TransportContext,
        msg: &Message<'_>,
    ) -> Result<(String, [u8; 16]), Reply> {
        if !msg.has(attr::MESSAGE_INTEGRITY) {
            return Err(Reply::plain(code::UNAUTHORIZED));
        }
        let (Some(user), Some(realm), Some(nonce)) = (
            msg.text(attr::USERNAME),
            msg.text(attr::REALM),
            msg.text(attr::NONCE),
        ) else {
            return Err(Reply::plain(code::BAD_REQUEST));
        };
        let state = self.mint.check(nonce, now, ctx.remote);
        if state == super::NonceState::Invalid {
            return Err(Reply::plain(code::STALE_NONCE));
        }
        let Some(key) = self.keys.get(user).copied() else {
            return Err(Reply::plain(code::UNAUTHORIZED));
        };
        if realm != self.config.realm || msg.check_integrity(&key) != Some(true) {
            return Err(Reply::plain(code::UNAUTHORIZED));
        }
        if state == super::NonceState::Stale {
            return Err(Reply::plain(code::STALE_NONCE));
        }
        Ok((user.to_owned(), key))
    }

    fn lifetime(&self, requested: Option<u32>) -> Duration {
        let req = requested.map_or(self.config.default_lifetime, |s| {
            Duration::from_secs(u64::from(s))
        });
        req.min(self.config.max_lifetime)
            .max(self.config.default_lifetime.min(self.config.max_lifetime))
    }

    fn port_free(&self, addr: SocketAddr) -> bool {
        addr.port() != 0
            && !self.relays.contains_key(&addr)
            && !self.reservations.values().any(|(a, _)| *a == addr)
    }

    fn pick_port(&mut self, ip: IpAddr, even: bool, reserve_next: bool) -> Option<SocketAddr> {
        let (lo, hi) = self.config.relay_ports;
        let (lo, hi) = (lo.min(hi), lo.max(hi));
        let span = u64::from(hi - lo) + 1;
        for _ in 0..64 {
            let Ok(off) = u16::try_from(self.rng.below(span)) else {
                continue;
            };
            let mut port = lo.saturating_add(off);
            if even && port % 2 == 1 {
                port = if port < hi { port + 1 } else { port - 1 };
                if port < lo {
                    continue;
                }
            }
            let addr = SocketAddr::new(ip, port);
            if !self.port_free(addr) {
                continue;
            }
            if reserve_next {
                let Some(next) = port.checked_add(1).filter(|p| *p <= hi) else {
                    continue;
                };
                if !self.port_free(SocketAddr::new(ip, next)) {
                    continue;
                }
            }
            return Some(addr);
        }
        None
    }

    /// RFC 8656 §7.2.
    fn allocate(
        &mut self,
        now: Instant,
        ctx: TransportContext,
        msg: &Message<'_>,
        user: String,
        key: [u8; 16],
    ) -> Result<(), Reply> {
        let e = |c| Reply::keyed(c, key);
        if self.allocations.contains_key(&ctx) {
            return Err(e(code::ALLOCATION_MISMATCH));
        }
        if let Some(alt) = self.config.alternate_server {
            let mut r = e(code::TRY_ALTERNATE);
            r.extra
                .push((attr::ALTERNATE_SERVER, crate::stun::encode_address(alt)));
            return Err(r);
        }
        match msg.get(attr::REQUESTED_TRANSPORT) {
            Some([17, _, _, _]) => {}
            Some([_, _, _, _]) => return Err(e(code::UNSUPPORTED_TRANSPORT)),
            _ => return Err(e(code::BAD_REQUEST)),
        }
        let raf = msg.get(attr::REQUESTED_ADDRESS_FAMILY);
        let aaf = msg.get(attr::ADDITIONAL_ADDRESS_FAMILY);
        let even = msg.get(attr::EVEN_PORT);
        let mut reserved = None;
        if let Some(token) = msg.get(attr::RESERVATION_TOKEN) {
            if raf.is_some() || aaf.is_some() || even.is_some() {
                return Err(e(code::BAD_REQUEST));
            }
            let held = <[u8; 8]>::try_from(token)
                .ok()
                .and_then(|t| self.reservations.remove(&t))
                .filter(|(_, until)| *until > now);
            match held {
                Some((addr, _)) => reserved = Some(addr),
                None => return Err(e(code::INSUFFICIENT_CAPACITY)),
            }
        }
        if raf.is_some() && aaf.is_some() {
            return Err(e(code::BAD_REQUEST));
        }
        let family_ip = match raf.map(|v| v.first().copied()) {
            None => self
                .config
                .relay_v4
                .ok_or(e(code::ADDRESS_FAMILY_NOT_SUPPORTED))?,
            Some(Some(0x01)) => self
                .config
                .relay_v4
                .ok_or(e(code::ADDRESS_FAMILY_NOT_SUPPORTED))?,
            Some(Some(0x02)) => self
                .config
                .relay_v6
                .ok_or(e(code::ADDRESS_FAMILY_NOT_SUPPORTED))?,
            Some(_) => return Err(e(code::ADDRESS_FAMILY_NOT_SUPPORTED)),
        };
        let (even_port, reserve_next) = match even {
            None => (false, false),
            Some([flags, ..]) => {
                if flags & 0x80 != 0 && aaf.is_some() {
                    return Err(e(code::BAD_REQUEST));
                }
                (true, flags & 0x80 != 0)
            }
            Some([]) => return Err(e(code::BAD_REQUEST)),
        };
        let mut partial = None;
        let mut ips = vec![family_ip];
        match aaf.map(|v| v.first().copied()) {
            None => {}
            Some(Some(0x02)) => match self.config.relay_v6 {
                Some(v6) => ips.push(v6),
                None => partial = Some(code::ADDRESS_FAMILY_NOT_SUPPORTED),
            },
            Some(_) => return Err(e(code::BAD_REQUEST)),
        }
        if self.per_user.get(&user).copied().unwrap_or(0) >= self.config.max_allocations_per_user {
            return Err(e(code::ALLOCATION_QUOTA_REACHED));
        }
        if self.allocations.len() >= self.config.max_allocations {
            return Err(e(code::INSUFFICIENT_CAPACITY));
        }
        let mut relays = Vec::with_capacity(ips.len());
        if let Some(addr) = reserved {
            relays.push(addr);
        } else {
            for ip in ips {
                match self.pick_port(ip, even_port, reserve_next && relays.is_empty()) {
                    Some(a) => relays.push(a),
                    None => return Err(e(code::INSUFFICIENT_CAPACITY)),
                }
            }
        }
        let mut token = None;
        let next_port = relays
            .first()
            .and_then(|r| r.port().checked_add(1).map(|p| SocketAddr::new(r.ip(), p)));
        if let Some(next) = next_port.filter(|_| reserve_next && reserved.is_none()) {
            let mut t = [0u8; 8];
            super::fill(&mut self.rng, &mut t);
            let until = now.saturating_add(RESERVATION_FOR);
            if self.reservations.len() < self.config.max_allocations {
                self.reservations.insert(t, (next, until));
                self.schedule(until);
                token = Some(t);
            }
        }
        let lifetime = self.lifetime(msg.u32_attr(attr::LIFETIME));
        let expires = now.saturating_add(lifetime);
        for r in &relays {
            self.relays.insert(*r, ctx);
            self.out.push_back(Output::Bind(Socket {
                addr: *r,
                transport: Transport::Udp,
            }));
        }
        *self.per_user.entry(user.clone()).or_insert(0) += 1;
        self.allocations.insert(
            ctx,
            Allocation {
                five_tuple: ctx,
                relays: relays.clone(),
                username: user,
                key,
                expires,
                permissions: HashMap::new(),
                channels: HashMap::new(),
                by_peer: HashMap::new(),
            },
        );
        self.schedule(expires);
        self.out.push_back(Output::Event(ServerEvent::Allocated {
            client: ctx,
            relays: relays.clone(),
        }));
        let mut b = MessageBuilder::new(method::ALLOCATE, Class::Success, msg.transaction_id());
        for r in &relays {
            b = b.xor_address(attr::XOR_RELAYED_ADDRESS, *r);
        }
        b = b
            .u32(attr::LIFETIME, secs(lifetime))
            .xor_address(attr::XOR_MAPPED_ADDRESS, ctx.remote);
        if let Some(t) = token {
            b = b.raw(attr::RESERVATION_TOKEN, &t);
        }
        if let Some(c) = partial {
            let v = [
                0,
                0,
                u8::try_from(c / 100).unwrap_or(0),
                u8::try_from(c % 100).unwrap_or(0),
            ];
            b = b.raw(attr::ADDRESS_ERROR_CODE, &v);
        }
        self.success(ctx, msg, b, key);
        Ok(())
    }

    /// Refresh, CreatePermission, ChannelBind: requests on an existing allocation.
    fn on_allocation(
        &mut self,
        now: Instant,
        ctx: TransportContext,
        msg: &Message<'_>,
        user: &str,
        key: [u8; 16],
    ) -> Result<(), Reply> {
        let e = |c| Reply::keyed(c, key);
        let Some(a) = self.allocations.get(&ctx) else {
            return Err(e(code::ALLOCATION_MISMATCH));
        };
        if a.username != user {
            return Err(e(code::WRONG_CREDENTIALS));
        }
        match msg.method() {
            method::REFRESH => self.refresh(now, ctx, msg, key),
            method::CREATE_PERMISSION => self.create_permission(now, ctx, msg, key),
            _ => self.channel_bind(now, ctx, msg, key),
        }
    }

    /// RFC 8656 §8.2.
    fn refresh(
        &mut self,
        now: Instant,
        ctx: TransportContext,
        msg: &Message<'_>,
        key: [u8; 16],
    ) -> Result<(), Reply> {
        let e = |c| Reply::keyed(c, key);
        if let Some(raf) = msg.get(attr::REQUESTED_ADDRESS_FAMILY) {
            let v6 = raf.first() == Some(&0x02);
            let matches = self
                .allocations
                .get(&ctx)
                .is_some_and(|a| a.relays.iter().any(|r| r.is_ipv6() == v6));
            if !matches {
                return Err(e(code::PEER_ADDRESS_FAMILY_MISMATCH));
            }
        }
        let requested = msg.u32_attr(attr::LIFETIME);
        let lifetime = if requested == Some(0) {
            Duration::ZERO
        } else {
            self.lifetime(requested)
        };
        if lifetime.is_zero() {
            self.deallocate(&ctx);
        } else if let Some(a) = self.allocations.get_mut(&ctx) {
            a.expires = now.saturating_add(lifetime);
            let t = a.expires;
            self.schedule(t);
        }
        let b = MessageBuilder::new(method::REFRESH, Class::Success, msg.transaction_id())
            .u32(attr::LIFETIME, secs(lifetime));
        self.success(ctx, msg, b, key);
        Ok(())
    }

    fn check_peer(&self, a: &Allocation, peer: SocketAddr, key: [u8; 16]) -> Result<(), Reply> {
        if relay_for(a, peer).is_none() {
            return Err(Reply::keyed(code::PEER_ADDRESS_FAMILY_MISMATCH, key));
        }
        if self.config.peer_policy.check(peer.ip()).is_err() || peer.port() == 0 {
            return Err(Reply::keyed(code::FORBIDDEN, key));
        }
        Ok(())
    }

    /// RFC 8656 §10.2.
    fn create_permission(
        &mut self,
        now: Instant,
        ctx: TransportContext,
        msg: &Message<'_>,
        key: [u8; 16],
    ) -> Result<(), Reply> {
        let e = |c| Reply::keyed(c, key);
        let txid = msg.transaction_id();
        let mut peers = Vec::new();
        for v in msg.all(attr::XOR_PEER_ADDRESS) {
            let p = crate::stun::decode_xor_address(v, &txid).map_err(|_| e(code::BAD_REQUEST))?;
            peers.push(p);
        }
        if peers.is_empty() {
            return Err(e(code::BAD_REQUEST));
        }
        let Some(a) = self.allocations.get(&ctx) else {
            return Err(e(code::ALLOCATION_MISMATCH));
        };
        for p in &peers {
            self.check_peer(a, *p, key)?;
        }
        let new = peers
            .iter()
            .filter(|p| !a.permissions.contains_key(&p.ip()))
            .map(|p| p.ip())
            .collect::<std::collections::HashSet<_>>()
            .len();
        if a.permissions.len().saturating_add(new) > self.config.max_permissions {
            return Err(e(code::INSUFFICIENT_CAPACITY));
        }
        let until = now.saturating_add(self.config.permission_lifetime);
        if let Some(a) = self.allocations.get_mut(&ctx) {
            for p in peers {
                a.permissions.insert(p.ip(), until);
            }
        }
        self.schedule(until);
        let b = MessageBuilder::new(method::CREATE_PERMISSION, Class::Success, txid);
        self.success(ctx, msg, b, key);
        Ok(())
    }

    /// RFC 8656 §12.2.
    fn channel_bind(
        &mut self,
        now: Instant,
        ctx: TransportContext,
        msg: &Message<'_>,
        key: [u8; 16],
    ) -> Result<(), Reply> {
        let e = |c| Reply::keyed(c, key);
        let number = match msg.get(attr::CHANNEL_NUMBER) {
            Some([h, l, _, _]) => u16::from_be_bytes([*h, *l]),
            _ => return Err(e(code::BAD_REQUEST)),
        };
        let Some(peer) = msg.xor_address(attr::XOR_PEER_ADDRESS) else {
            return Err(e(code::BAD_REQUEST));
        };
        if !self.channel_allowed(number) {
            return Err(e(code::BAD_REQUEST));
        }
        let Some(a) = self.allocations.get(&ctx) else {
            return Err(e(code::ALLOCATION_MISMATCH));
        };
        if a.peer_of(number, now).is_some_and(|p| p != peer)
            || a.channel_for(peer, now).is_some_and(|n| n != number)
        {
            return Err(e(code::BAD_REQUEST));
        }
        self.check_peer(a, peer, key)?;
        let fresh_channel = !a.channels.contains_key(&number);
        if fresh_channel && a.channels.len() >= self.config.max_channels {
            return Err(e(code::INSUFFICIENT_CAPACITY));
        }
        if !a.permissions.contains_key(&peer.ip())
            && a.permissions.len() >= self.config.max_permissions
        {
            return Err(e(code::INSUFFICIENT_CAPACITY));
        }
        let until = now.saturating_add(self.config.channel_lifetime);
        let perm_until = now.saturating_add(self.config.permission_lifetime);
        if let Some(a) = self.allocations.get_mut(&ctx) {
            if let Some(old) = a.channels.insert(
                number,
                Binding {
                    peer,
                    expires: until,
                },
            ) {
                a.by_peer.remove(&old.peer);
            }
            a.by_peer.insert(peer, number);
            a.permissions.insert(peer.ip(), perm_until);
        }
        self.schedule(perm_until.min(until));
        let b = MessageBuilder::new(method::CHANNEL_BIND, Class::Success, msg.transaction_id());
        self.success(ctx, msg, b, key);
        Ok(())
    }

    /// RFC 8656 §11.2.
    fn send_indication(&mut self, now: Instant, ctx: TransportContext, msg: &Message<'_>) {
        let (Some(peer), Some(data)) =
            (msg.xor_address(attr::XOR_PEER_ADDRESS), msg.get(attr::DATA))
        else {
            return;
        };
        let Some(a) = self.allocations.get(&ctx) else {
            return;
        };
        if !a.permits(peer.ip(), now) {
            return;
        }
        let Some(relay) = relay_for(a, peer) else {
            return;
        };
        self.transmit(
            TransportContext {
                local: relay,
                remote: peer,
                transport: Transport::Udp,
            },
            data.to_vec(),
        );
    }
}

fn secs(d: Duration) -> u32 {
    u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
}
