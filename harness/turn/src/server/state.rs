//! Server-side data: allocations with their permissions and channels, and the cache that
//! answers retransmitted requests with the same bytes.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};

use harness_core::endpoint::TransportContext;
use harness_core::time::Instant;

/// A channel binding (RFC 8656 §12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The peer the channel is bound to.
    pub peer: SocketAddr,
    /// When the binding lapses unless refreshed.
    pub expires: Instant,
}

/// One allocation (RFC 8656 §6).
#[derive(Clone, Debug)]
pub struct Allocation {
    /// The client's 5-tuple.
    pub five_tuple: TransportContext,
    /// Relayed transport addresses (one, or an IPv4 and an IPv6 one).
    pub relays: Vec<SocketAddr>,
    /// The username that created it.
    pub username: String,
    /// The long-term key of that username.
    pub key: [u8; 16],
    /// When it expires unless refreshed.
    pub expires: Instant,
    /// Permissions by peer IP, with their expiry.
    pub permissions: HashMap<IpAddr, Instant>,
    /// Channel bindings by number.
    pub channels: HashMap<u16, Binding>,
    /// Channel numbers by peer.
    pub by_peer: HashMap<SocketAddr, u16>,
}

impl Allocation {
    /// True when a live permission covers `ip`.
    #[must_use]
    pub fn permits(&self, ip: IpAddr, now: Instant) -> bool {
        self.permissions.get(&ip).is_some_and(|t| *t > now)
    }

    /// The live channel bound to `peer`.
    #[must_use]
    pub fn channel_for(&self, peer: SocketAddr, now: Instant) -> Option<u16> {
        let n = *self.by_peer.get(&peer)?;
        self.channels.get(&n).filter(|b| b.expires > now).map(|_| n)
    }

    /// The live peer of channel `number`.
    #[must_use]
    pub fn peer_of(&self, number: u16, now: Instant) -> Option<SocketAddr> {
        self.channels
            .get(&number)
            .filter(|b| b.expires > now)
            .map(|b| b.peer)
    }

    /// Drops expired permissions and channels; returns the earliest remaining deadline
    /// (including the allocation's own expiry).
    pub fn sweep(&mut self, now: Instant) -> Instant {
        self.permissions.retain(|_, t| *t > now);
        let expired: Vec<u16> = self
            .channels
            .iter()
            .filter(|(_, b)| b.expires <= now)
            .map(|(n, _)| *n)
            .collect();
        for n in expired {
            if let Some(b) = self.channels.remove(&n) {
                self.by_peer.remove(&b.peer);
            }
        }
        let mut next = self.expires;
        for t in self.permissions.values() {
            next = next.min(*t);
        }
        for b in self.channels.values() {
            next = next.min(b.expires);
        }
        next
    }
}

/// Responses to requests that passed authentication, kept so a retransmission gets the same
/// bytes (RFC 8489 §6.3.1 "stateless stack" aside, TURN's Allocate needs this: RFC 8656 §7.2).
/// Bounded: the oldest entry goes first.
#[derive(Clone, Debug, Default)]
pub struct ResponseCache {
    map: HashMap<(TransportContext, [u8; 12]), (Instant, Vec<u8>)>,
    order: VecDeque<(TransportContext, [u8; 12])>,
    capacity: usize,
}

impl ResponseCache {
    /// A cache of at most `capacity` responses.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            ..Self::default()
        }
    }

    /// The cached response to `txid` on `ctx`, if still fresh.
    #[must_use]
    pub fn get(&self, ctx: &TransportContext, txid: &[u8; 12], now: Instant) -> Option<&[u8]> {
        self.map
            .get(&(*ctx, *txid))
            .filter(|(t, _)| *t > now)
            .map(|(_, b)| b.as_slice())
    }

    /// Remembers a response until `until`.
    pub fn put(&mut self, ctx: TransportContext, txid: [u8; 12], until: Instant, bytes: Vec<u8>) {
        if self.capacity == 0 {
            return;
        }
        while self.map.len() >= self.capacity {
            match self.order.pop_front() {
                Some(k) => {
                    self.map.remove(&k);
                }
                None => break,
            }
        }
        if self.map.insert((ctx, txid), (until, bytes)).is_none() {
            self.order.push_back((ctx, txid));
        }
    }

    /// Drops stale entries; returns the earliest remaining expiry.
    pub fn sweep(&mut self, now: Instant) -> Option<Instant> {
        self.map.retain(|_, (t, _)| *t > now);
        let map = &self.map;
        self.order.retain(|k| map.contains_key(k));
        self.map.values().map(|(t, _)| *t).min()
    }

    /// Entries held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}
