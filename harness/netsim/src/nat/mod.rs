//! Network address (and port) translation per RFC 4787 (UDP) and RFC 5382 (TCP), static 1:1
//! NAT, and stateful filtering of IPv6 without translation.
//!
//! The table keeps one [`Mapping`] per (transport, internal endpoint, destination key), where
//! the destination key is empty for endpoint-independent mapping, the remote address for
//! address-dependent mapping and the remote address and port for address-and-port-dependent
//! mapping. Each mapping records the remotes its internal endpoint has sent to; filtering
//! checks inbound sources against them. Payloads are never touched (no ALG).

mod config;

pub use config::{Dependence, Hairpinning, NatConfig, Pooling, PortAssignment, Refresh};

use core::time::Duration;
use std::net::{IpAddr, SocketAddr};

use harness_core::endpoint::Transport;
use harness_core::rng::SeededRng;
use harness_core::time::Instant;

use crate::packet::{L4, Packet, TcpFlags};
use crate::trace::DropReason;
use harness_core::hash::FastMap;

/// One NAT mapping (or, for IPv6, one filtering session where external = internal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// UDP or TCP.
    pub transport: Transport,
    /// The internal endpoint.
    pub internal: SocketAddr,
    /// The external endpoint the NAT gave it.
    pub external: SocketAddr,
    /// Destination the mapping depends on (`None` for endpoint-independent mapping; port 0
    /// for address-dependent).
    pub destination: Option<SocketAddr>,
    /// When the mapping expires unless refreshed.
    pub expires: Instant,
    /// Remotes the internal endpoint has sent to through this mapping (for filtering).
    pub permits: Vec<SocketAddr>,
    tcp: TcpTrack,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
struct TcpTrack {
    seen_inbound: bool,
    fin_out: bool,
    fin_in: bool,
    reset: bool,
}

type InternalKey = (Transport, SocketAddr, Option<SocketAddr>);
type ExternalKey = (Transport, SocketAddr);

/// What the NAT did with a packet.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NatVerdict {
    /// Nothing to translate; forward as is.
    Pass,
    /// Addresses rewritten; forward.
    Translated,
    /// Looped back towards the inside (hairpinning).
    Hairpinned,
    /// Dropped.
    Drop(DropReason),
}

/// The translation state of one NAT.
#[derive(Debug)]
pub(crate) struct NatState {
    pub(crate) config: NatConfig,
    pool: Vec<IpAddr>,
    rng: SeededRng,
    slots: Vec<Option<Mapping>>,
    free_slots: Vec<u32>,
    by_internal: FastMap<InternalKey, u32>,
    by_external: FastMap<ExternalKey, u32>,
    next_port: Vec<u16>,
    paired: FastMap<IpAddr, usize>,
    created_since_sweep: u32,
}

const SWEEP_EVERY: u32 = 4096;

impl NatState {
    /// `pool`: the NAT's external IPv4 addresses.
    pub(crate) fn new(config: NatConfig, pool: Vec<IpAddr>, rng: SeededRng) -> Self {
        let first = config.port_range.0;
        Self {
            next_port: vec![first; pool.len()],
            config,
            pool,
            rng,
            slots: Vec::new(),
            free_slots: Vec::new(),
            by_internal: FastMap::default(),
            by_external: FastMap::default(),
            paired: FastMap::default(),
            created_since_sweep: 0,
        }
    }

    /// Live (not yet expired or swept) mappings.
    pub(crate) fn len(&self) -> usize {
        self.by_external.len()
    }

    /// The mappings, in slot order.
    pub(crate) fn mappings(&self) -> impl Iterator<Item = &Mapping> {
        self.slots.iter().flatten()
    }

    fn is_external(&self, ip: IpAddr) -> bool {
        self.pool.contains(&ip)
    }

    fn remove(&mut self, slot: u32) {
        if let Some(m) = self.slots.get_mut(slot as usize).and_then(Option::take) {
            self.by_internal
                .remove(&(m.transport, m.internal, m.destination));
            self.by_external.remove(&(m.transport, m.external));
            self.free_slots.push(slot);
        }
    }

    fn live(&mut self, now: Instant, slot: u32) -> Option<u32> {
        let expired = self
            .slots
            .get(slot as usize)
            .and_then(Option::as_ref)
            .is_none_or(|m| m.expires <= now);
        if expired {
            self.remove(slot);
            None
        } else {
            Some(slot)
        }
    }

    fn lookup_external(&mut self, now: Instant, key: ExternalKey) -> Option<u32> {
        let slot = *self.by_external.get(&key)?;
        self.live(now, slot)
    }

    fn destination_key(&self, remote: SocketAddr) -> Option<SocketAddr> {
        match self.config.mapping {
            Dependence::EndpointIndependent => None,
            Dependence::AddressDependent => Some(SocketAddr::new(remote.ip(), 0)),
            Dependence::AddressAndPortDependent => Some(remote),
        }
    }

    fn sweep(&mut self, now: Instant) {
        self.created_since_sweep = 0;
        for slot in 0..self.slots.len() {
            let slot = u32::try_from(slot).unwrap_or(u32::MAX);
            let _ = self.live(now, slot);
        }
    }

    /// Picks the external address for a new mapping of `internal`.
    fn pick_address(&mut self, internal: IpAddr) -> Option<usize> {
        if self.pool.is_empty() {
            return None;
        }
        let n = self.pool.len() as u64;
        match self.config.pooling {
            Pooling::Paired => {
                if let Some(i) = self.paired.get(&internal) {
                    return Some(*i);
                }
                let i = usize::try_from(self.rng.below(n)).unwrap_or(0);
                self.paired.insert(internal, i);
                Some(i)
            }
            Pooling::Arbitrary => Some(usize::try_from(self.rng.below(n)).unwrap_or(0)),
        }
    }

    fn port_free(&mut self, now: Instant, transport: Transport, addr: SocketAddr) -> bool {
        match self.by_external.get(&(transport, addr)) {
            None => true,
            Some(&slot) => self.live(now, slot).is_none(),
        }
    }

    fn allocate_port(
        &mut self,
        now: Instant,
        transport: Transport,
        ip_index: usize,
        internal_port: u16,
    ) -> Option<u16> {
        let ip = *self.pool.get(ip_index)?;
        let (lo, hi) = self.config.port_range;
        if lo > hi {
            return None;
        }
        let parity = self.config.port_parity;
        let fits = |p: u16| !parity || p % 2 == internal_port % 2;
        let span = u32::from(hi) - u32::from(lo) + 1;
        if self.config.port_assignment == PortAssignment::Preserve
            && (lo..=hi).contains(&internal_port)
            && self.port_free(now, transport, SocketAddr::new(ip, internal_port))
        {
            return Some(internal_port);
        }
        let start = match self.config.port_assignment {
            PortAssignment::Sequential => self.next_port.get(ip_index).copied().unwrap_or(lo),
            PortAssignment::Preserve | PortAssignment::Random => {
                let offset = u16::try_from(self.rng.below(u64::from(span))).unwrap_or(0);
                lo.saturating_add(offset)
            }
        };
        let mut port = start;
        for _ in 0..span {
            if fits(port) && self.port_free(now, transport, SocketAddr::new(ip, port)) {
                if let Some(next) = self.next_port.get_mut(ip_index) {
                    *next = if port >= hi { lo } else { port + 1 };
                }
                return Some(port);
            }
            port = if port >= hi { lo } else { port + 1 };
        }
        None
    }

    /// The mapping used for `internal` → `remote`, created if needed.
    fn outbound_mapping(
        &mut self,
        now: Instant,
        transport: Transport,
        internal: SocketAddr,
        remote: SocketAddr,
        may_create: bool,
    ) -> Result<u32, DropReason> {
        let destination = self.destination_key(remote);
        if let Some(&slot) = self.by_internal.get(&(transport, internal, destination))
            && let Some(slot) = self.live(now, slot)
        {
            return Ok(slot);
        }
        if !may_create {
            return Err(DropReason::NatNoMapping);
        }
        let ip_index = self
            .pick_address(internal.ip())
            .ok_or(DropReason::NoRoute)?;
        let port = self
            .allocate_port(now, transport, ip_index, internal.port())
            .ok_or(DropReason::NatPortsExhausted)?;
        let ip = self
            .pool
            .get(ip_index)
            .copied()
            .ok_or(DropReason::NoRoute)?;
        Ok(self.insert(Mapping {
            transport,
            internal,
            external: SocketAddr::new(ip, port),
            destination,
            expires: now,
            permits: Vec::new(),
            tcp: TcpTrack::default(),
        }))
    }

    fn insert(&mut self, m: Mapping) -> u32 {
        self.created_since_sweep += 1;
        let keys = (
            (m.transport, m.internal, m.destination),
            (m.transport, m.external),
        );
        let slot = match self.free_slots.pop() {
            Some(s) => {
                if let Some(place) = self.slots.get_mut(s as usize) {
                    *place = Some(m);
                }
                s
            }
            None => {
                self.slots.push(Some(m));
                u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX)
            }
        };
        self.by_internal.insert(keys.0, slot);
        self.by_external.insert(keys.1, slot);
        slot
    }

    /// Records an outbound packet on a mapping: permit, TCP state, refresh.
    fn touch_outbound(&mut self, now: Instant, slot: u32, remote: SocketAddr, flags: TcpFlags) {
        let Some(m) = self.slots.get_mut(slot as usize).and_then(Option::as_mut) else {
            return;
        };
        if !m.permits.contains(&remote) {
            m.permits.push(remote);
        }
        if flags.contains(TcpFlags::FIN) {
            m.tcp.fin_out = true;
        }
        if flags.contains(TcpFlags::RST) {
            m.tcp.reset = true;
        }
        m.expires = now + timeout(&self.config, m);
    }

    fn permitted(&self, slot: u32, src: SocketAddr) -> bool {
        let Some(m) = self.slots.get(slot as usize).and_then(Option::as_ref) else {
            return false;
        };
        match self.config.filtering {
            Dependence::EndpointIndependent => true,
            Dependence::AddressDependent => m.permits.iter().any(|p| p.ip() == src.ip()),
            Dependence::AddressAndPortDependent => m.permits.contains(&src),
        }
    }

    fn touch_inbound(&mut self, now: Instant, slot: u32, flags: TcpFlags) {
        let refresh = self.config.refresh == Refresh::Bidirectional;
        let Some(m) = self.slots.get_mut(slot as usize).and_then(Option::as_mut) else {
            return;
        };
        m.tcp.seen_inbound = true;
        if flags.contains(TcpFlags::FIN) {
            m.tcp.fin_in = true;
        }
        let closing = flags.contains(TcpFlags::FIN) || flags.contains(TcpFlags::RST);
        if flags.contains(TcpFlags::RST) {
            m.tcp.reset = true;
        }
        if refresh || (m.transport == Transport::Tcp && closing) {
            let until = now + timeout(&self.config, m);
            m.expires = if refresh { until } else { m.expires.min(until) };
        }
    }

    /// A packet from inside going out (or hairpinning).
    pub(crate) fn outbound(&mut self, now: Instant, p: &mut Packet) -> NatVerdict {
        if self.created_since_sweep >= SWEEP_EVERY {
            self.sweep(now);
        }
        let transport = p.l4.transport();
        let flags = tcp_flags(p);
        if p.src.is_ipv6() {
            if !self.config.ipv6_stateful_filtering {
                return NatVerdict::Pass;
            }
            // Stateful filtering without translation: a session whose external is internal.
            let destination = self.destination_key(p.dst);
            let key = (transport, p.src, destination);
            let existing = self.by_internal.get(&key).copied();
            let slot = match existing.and_then(|s| self.live(now, s)) {
                Some(s) => s,
                None => self.insert(Mapping {
                    transport,
                    internal: p.src,
                    external: p.src,
                    destination: None,
                    expires: now,
                    permits: Vec::new(),
                    tcp: TcpTrack::default(),
                }),
            };
            self.touch_outbound(now, slot, p.dst, flags);
            return NatVerdict::Pass;
        }
        if let Some(&(_, outside)) = self
            .config
            .static_mappings
            .iter()
            .find(|(inside, _)| *inside == p.src.ip())
        {
            p.src.set_ip(outside);
            return NatVerdict::Translated;
        }
        let hairpin = self.is_external(p.dst.ip());
        let creates = transport == Transport::Udp
            || (flags.contains(TcpFlags::SYN) && !flags.contains(TcpFlags::ACK))
            || hairpin;
        let own = match self.outbound_mapping(now, transport, p.src, p.dst, creates) {
            Ok(slot) => slot,
            Err(reason) => return NatVerdict::Drop(reason),
        };
        self.touch_outbound(now, own, p.dst, flags);
        let own_external = match self.slots.get(own as usize).and_then(Option::as_ref) {
            Some(m) => m.external,
            None => return NatVerdict::Drop(DropReason::NatNoMapping),
        };
        if !hairpin {
            p.src = own_external;
            return NatVerdict::Translated;
        }
        let Hairpinning::On { source_translated } = self.config.hairpinning else {
            return NatVerdict::Drop(DropReason::NatNoHairpin);
        };
        let Some(target) = self.lookup_external(now, (transport, p.dst)) else {
            return NatVerdict::Drop(DropReason::NatNoMapping);
        };
        if !self.permitted(target, own_external) {
            return NatVerdict::Drop(DropReason::NatFiltered);
        }
        self.touch_inbound(now, target, flags);
        let Some(internal) = self
            .slots
            .get(target as usize)
            .and_then(Option::as_ref)
            .map(|m| m.internal)
        else {
            return NatVerdict::Drop(DropReason::NatNoMapping);
        };
        p.dst = internal;
        if source_translated {
            p.src = own_external;
        }
        NatVerdict::Hairpinned
    }

    /// A packet from outside coming in.
    pub(crate) fn inbound(&mut self, now: Instant, p: &mut Packet) -> NatVerdict {
        let transport = p.l4.transport();
        let flags = tcp_flags(p);
        if p.dst.is_ipv6() {
            if !self.config.ipv6_stateful_filtering {
                return NatVerdict::Pass;
            }
            let Some(slot) = self.lookup_external(now, (transport, p.dst)) else {
                return NatVerdict::Drop(DropReason::Ipv6Filtered);
            };
            if !self.permitted(slot, p.src) {
                return NatVerdict::Drop(DropReason::Ipv6Filtered);
            }
            self.touch_inbound(now, slot, flags);
            return NatVerdict::Pass;
        }
        if let Some(&(inside, _)) = self
            .config
            .static_mappings
            .iter()
            .find(|(_, outside)| *outside == p.dst.ip())
        {
            p.dst.set_ip(inside);
            return NatVerdict::Translated;
        }
        if !self.is_external(p.dst.ip()) {
            return NatVerdict::Pass;
        }
        let Some(slot) = self.lookup_external(now, (transport, p.dst)) else {
            return NatVerdict::Drop(DropReason::NatNoMapping);
        };
        if !self.permitted(slot, p.src) {
            return NatVerdict::Drop(DropReason::NatFiltered);
        }
        self.touch_inbound(now, slot, flags);
        match self.slots.get(slot as usize).and_then(Option::as_ref) {
            Some(m) => {
                p.dst = m.internal;
                NatVerdict::Translated
            }
            None => NatVerdict::Drop(DropReason::NatNoMapping),
        }
    }
}

fn timeout(config: &NatConfig, m: &Mapping) -> Duration {
    match m.transport {
        Transport::Udp => config.udp_timeout,
        Transport::Tcp => {
            let t = m.tcp;
            if t.reset || (t.fin_in && t.fin_out) || !t.seen_inbound {
                config.tcp_transitory_timeout
            } else {
                config.tcp_established_timeout
            }
        }
    }
}

fn tcp_flags(p: &Packet) -> TcpFlags {
    match p.l4 {
        L4::Tcp(h) => h.flags,
        L4::Udp => TcpFlags::default(),
    }
}
