//! The running network: the event queue, packet forwarding, NAT/firewall hooks, endpoint
//! driving, faults, trace and capture.

use core::cmp::Ordering;
use core::time::Duration;
use std::collections::{BinaryHeap, VecDeque};
use std::net::{IpAddr, SocketAddr};

use harness_core::endpoint::{
    Endpoint, Input, Output, TcpCommand, TcpEvent, Transmit, Transport, TransportContext,
};
use harness_core::rng::RunSeed;
use harness_core::time::Instant;

use crate::builder::{NetworkBuilder, find_link};
use crate::fault::{Fault, FaultAction, LinkDirection};
use crate::firewall::{Direction, FirewallVerdict};
use crate::hosted::HostedEndpoint;
use crate::link::{LinkConfig, LinkVerdict};
use crate::nat::{Mapping, NatVerdict};
use crate::packet::{DEFAULT_TTL, L4, Packet, TcpFlags, TcpHeader};
use crate::pcapng::PcapngWriter;
use crate::tcp::{ConnKey, TcpAction};
use crate::topology::{BuildError, Hosted, Node, Role, Segment};
use crate::trace::{DropReason, NodeId, Trace, TraceEvent, TraceKind};
use harness_core::hash::FastMap;

/// Identifies an endpoint attached to a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EndpointId {
    /// The host.
    pub node: NodeId,
    /// Index among the host's endpoints.
    pub index: u32,
}

/// An event an endpoint reported (`Output::Event`), formatted with `Debug`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointEvent {
    /// The `now` of the input that produced it.
    pub at: Instant,
    /// Which endpoint.
    pub endpoint: EndpointId,
    /// `format!("{event:?}")`.
    pub text: String,
}

/// Why a run stopped early.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunError {
    /// More than [`Limits::events_per_instant`] events at one instant: something loops
    /// without letting time advance.
    Livelock {
        /// The instant that never ended.
        at: Instant,
    },
    /// An endpoint produced more than [`Limits::outputs_per_drain`] outputs after one input.
    EndpointLivelock {
        /// Which one.
        endpoint: EndpointId,
        /// When.
        at: Instant,
    },
}

impl core::fmt::Display for RunError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Livelock { at } => write!(f, "livelock: time stopped advancing at {at}"),
            Self::EndpointLivelock { endpoint, at } => write!(
                f,
                "endpoint {}:{} never stopped producing output at {at}",
                endpoint.node.0, endpoint.index
            ),
        }
    }
}

impl std::error::Error for RunError {}

/// Bounds that catch livelock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Events (including endpoint inputs) processed at a single instant.
    pub events_per_instant: u64,
    /// Outputs drained from an endpoint after one input.
    pub outputs_per_drain: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            events_per_instant: 1_000_000,
            outputs_per_drain: 100_000,
        }
    }
}

/// Packet counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Packets sent by hosts.
    pub sent: u64,
    /// Packets delivered to a socket or TCP connection.
    pub delivered: u64,
    /// Packets dropped anywhere.
    pub dropped: u64,
}

#[derive(Clone, Copy, Debug)]
enum Hop {
    Segment {
        seg: u32,
        next_hop: IpAddr,
        from: NodeId,
    },
    Node {
        node: NodeId,
        iface: usize,
    },
}

#[derive(Debug)]
enum Event {
    Transit(Hop, Box<Packet>),
    Arrive(NodeId, usize, Box<Packet>),
    Originate(NodeId, Box<Packet>),
    EndpointTimer(EndpointId),
    TcpTimer(NodeId, ConnKey),
    Fault(Box<(usize, usize, LinkDirection, FaultAction)>),
}

#[derive(Debug)]
struct Scheduled {
    at: Instant,
    seq: u64,
    event: Event,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    /// Reversed, so that `BinaryHeap` pops the earliest (then the first scheduled).
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

#[derive(Debug)]
enum Delivery {
    Datagram(EndpointId, TransportContext, Vec<u8>),
    Tcp(EndpointId, TransportContext, TcpEvent),
    Timeout(EndpointId),
}

#[derive(Debug)]
struct Held {
    node: usize,
    iface: usize,
    egress: bool,
    hop: Hop,
    packet: Box<Packet>,
}

/// The simulated network. Build with [`Network::builder`]; see the crate documentation.
pub struct Network {
    seed: RunSeed,
    now: Instant,
    seq: u64,
    queue: BinaryHeap<Scheduled>,
    /// Events scheduled for the current instant, in scheduling order. Every event still in
    /// `queue` for the current instant was scheduled before time reached it, so it comes
    /// first; together the two give exactly the (time, sequence) order.
    current: VecDeque<Event>,
    nodes: Vec<Node>,
    segments: Vec<Segment>,
    names: FastMap<String, NodeId>,
    seg_index: FastMap<String, u32>,
    trace: Trace,
    trace_on: bool,
    log: Vec<EndpointEvent>,
    pcap: Option<PcapngWriter>,
    next_packet: u64,
    held: Vec<Held>,
    inbox: VecDeque<Delivery>,
    limits: Limits,
    instant_events: u64,
    error: Option<RunError>,
    stats: Stats,
}

impl core::fmt::Debug for Network {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Network")
            .field("seed", &self.seed)
            .field("now", &self.now)
            .field("nodes", &self.nodes.len())
            .field("queued", &(self.queue.len() + self.current.len()))
            .finish_non_exhaustive()
    }
}

impl Network {
    /// Starts describing a network whose randomness all derives from `seed`.
    pub fn builder(seed: RunSeed) -> NetworkBuilder {
        NetworkBuilder::new(seed)
    }

    pub(crate) fn from_parts(
        seed: RunSeed,
        nodes: Vec<Node>,
        segments: Vec<Segment>,
        names: FastMap<String, NodeId>,
        seg_index: FastMap<String, u32>,
        trace_on: bool,
    ) -> Self {
        let trace = Trace {
            names: nodes.iter().map(|n| n.name.clone()).collect(),
            events: Vec::new(),
        };
        Self {
            seed,
            now: Instant::ZERO,
            seq: 0,
            queue: BinaryHeap::new(),
            current: VecDeque::new(),
            nodes,
            segments,
            names,
            seg_index,
            trace,
            trace_on,
            log: Vec::new(),
            pcap: None,
            next_packet: 1,
            held: Vec::new(),
            inbox: VecDeque::new(),
            limits: Limits::default(),
            instant_events: 0,
            error: None,
            stats: Stats::default(),
        }
    }

    pub(crate) fn enable_capture(&mut self) {
        let mut w = PcapngWriter::new();
        for node in &mut self.nodes {
            for iface in &mut node.ifaces {
                iface.capture = Some(w.add_interface(&iface.name));
            }
        }
        self.pcap = Some(w);
    }

    // -- Inspection ----------------------------------------------------------------------

    /// The run seed.
    #[must_use]
    pub const fn seed(&self) -> RunSeed {
        self.seed
    }

    /// Current virtual time.
    #[must_use]
    pub const fn now(&self) -> Instant {
        self.now
    }

    /// The node called `name`.
    #[must_use]
    pub fn node(&self, name: &str) -> Option<NodeId> {
        self.names.get(name).copied()
    }

    /// The packet trace so far.
    #[must_use]
    pub const fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Events reported by endpoints, in order.
    #[must_use]
    pub fn events(&self) -> &[EndpointEvent] {
        &self.log
    }

    /// The pcapng capture so far (when enabled with [`NetworkBuilder::capture`]).
    #[must_use]
    pub fn pcapng(&self) -> Option<&[u8]> {
        self.pcap.as_ref().map(PcapngWriter::bytes)
    }

    /// Packet counters.
    #[must_use]
    pub const fn stats(&self) -> Stats {
        self.stats
    }

    /// Changes the livelock bounds.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// The live mappings of the NAT called `name` (empty for other nodes).
    #[must_use]
    pub fn nat_mappings(&self, name: &str) -> Vec<Mapping> {
        self.names
            .get(name)
            .and_then(|id| self.nodes.get(id.0 as usize))
            .and_then(|n| match &n.role {
                Role::Router { nat: Some(nat) } => Some(nat.mappings().cloned().collect()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// How many mappings the NAT called `name` holds.
    #[must_use]
    pub fn nat_mapping_count(&self, name: &str) -> usize {
        self.names
            .get(name)
            .and_then(|id| self.nodes.get(id.0 as usize))
            .map_or(0, |n| match &n.role {
                Role::Router { nat: Some(nat) } => nat.len(),
                _ => 0,
            })
    }

    /// The endpoint `id`, if it is a `T`.
    #[must_use]
    pub fn endpoint<T: 'static>(&self, id: EndpointId) -> Option<&T> {
        match &self.nodes.get(id.node.0 as usize)?.role {
            Role::Host(h) => h
                .endpoints
                .get(id.index as usize)?
                .endpoint
                .as_any()
                .downcast_ref(),
            Role::Router { .. } => None,
        }
    }

    /// The endpoint `id`, mutably, if it is a `T`. Inputs given to it this way are not
    /// drained; prefer driving endpoints through the network.
    pub fn endpoint_mut<T: 'static>(&mut self, id: EndpointId) -> Option<&mut T> {
        match &mut self.nodes.get_mut(id.node.0 as usize)?.role {
            Role::Host(h) => h
                .endpoints
                .get_mut(id.index as usize)?
                .endpoint
                .as_any_mut()
                .downcast_mut(),
            Role::Router { .. } => None,
        }
    }

    // -- Setup ---------------------------------------------------------------------------

    /// Attaches an endpoint to the host called `host` and drains its first outputs
    /// (binds, first transmits, first deadline) at the current time. A livelock found while
    /// draining is reported by the next `run_*` or `step` call.
    ///
    /// # Errors
    /// Unknown host, or the node is not a host.
    pub fn attach<E>(&mut self, host: &str, endpoint: E) -> Result<EndpointId, BuildError>
    where
        E: Endpoint + 'static,
        E::Event: core::fmt::Debug,
    {
        self.attach_boxed(host, Box::new(endpoint))
    }

    /// [`Self::attach`] for an already boxed endpoint (e.g. built from a scenario file).
    ///
    /// # Errors
    /// Unknown host, or the node is not a host.
    pub fn attach_boxed(
        &mut self,
        host: &str,
        endpoint: Box<dyn HostedEndpoint>,
    ) -> Result<EndpointId, BuildError> {
        let node = self
            .node(host)
            .ok_or_else(|| BuildError::UnknownNode(host.to_owned()))?;
        let Some(Role::Host(h)) = self.nodes.get_mut(node.0 as usize).map(|n| &mut n.role) else {
            return Err(BuildError::NotAHost(host.to_owned()));
        };
        let index = u32::try_from(h.endpoints.len()).unwrap_or(u32::MAX);
        for s in endpoint.sockets() {
            h.sockets.insert((s.transport, s.addr), index as usize);
        }
        h.endpoints.push(Hosted {
            endpoint,
            deadline: None,
        });
        let id = EndpointId { node, index };
        self.drive(id);
        self.flush_inbox();
        Ok(id)
    }

    /// Schedules a fault.
    ///
    /// # Errors
    /// Unknown node or segment, or the node is not attached to the segment.
    pub fn schedule(&mut self, at: Instant, fault: Fault) -> Result<(), BuildError> {
        let (n, i) = find_link(
            &self.nodes,
            &self.names,
            &self.seg_index,
            &fault.node,
            &fault.segment,
        )?;
        self.push(
            at.max(self.now),
            Event::Fault(Box::new((n, i, fault.direction, fault.action))),
        );
        Ok(())
    }

    /// Changes a link's impairments now.
    ///
    /// # Errors
    /// Unknown node or segment, or the node is not attached to the segment.
    pub fn set_link(
        &mut self,
        node: &str,
        segment: &str,
        direction: LinkDirection,
        config: LinkConfig,
    ) -> Result<(), BuildError> {
        let (n, i) = find_link(&self.nodes, &self.names, &self.seg_index, node, segment)?;
        self.apply_fault(n, i, direction, FaultAction::Configure(config));
        Ok(())
    }

    /// Sends a datagram from host `host` as if an endpoint there had transmitted it (for
    /// tests and benchmarks that need no endpoint). UDP only.
    ///
    /// # Errors
    /// Unknown host, or the node is not a host.
    pub fn send(&mut self, host: &str, transmit: Transmit) -> Result<(), BuildError> {
        let node = self
            .node(host)
            .ok_or_else(|| BuildError::UnknownNode(host.to_owned()))?;
        if !matches!(
            self.nodes.get(node.0 as usize).map(|n| &n.role),
            Some(Role::Host(_))
        ) {
            return Err(BuildError::NotAHost(host.to_owned()));
        }
        let packet = self.new_packet(
            transmit.context.local,
            transmit.context.remote,
            L4::Udp,
            transmit.payload,
        );
        self.host_send(node, packet);
        Ok(())
    }

    /// Sends an arbitrary packet (any UDP or TCP header) from a host, bypassing its sockets
    /// and TCP stack; used by the fuzzing entry points.
    pub(crate) fn inject(
        &mut self,
        node: NodeId,
        src: SocketAddr,
        dst: SocketAddr,
        l4: L4,
        payload: Vec<u8>,
    ) {
        if self.is_host(node) {
            let p = self.new_packet(src, dst, l4, payload);
            self.host_send(node, p);
        }
    }

    // -- Running -------------------------------------------------------------------------

    /// When the next event happens, if any.
    #[must_use]
    pub fn next_event_time(&self) -> Option<Instant> {
        if self.current.is_empty() {
            self.queue.peek().map(|s| s.at)
        } else {
            Some(self.now)
        }
    }

    /// Processes the next event (jumping the clock to it). Returns `Ok(false)` when nothing is
    /// scheduled.
    ///
    /// # Errors
    /// Livelock (see [`Limits`]).
    pub fn step(&mut self) -> Result<bool, RunError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let due_now = self.queue.peek().is_some_and(|s| s.at <= self.now);
        let event = if due_now || self.current.is_empty() {
            let Some(s) = self.queue.pop() else {
                return Ok(false);
            };
            self.advance_to(s.at);
            s.event
        } else {
            match self.current.pop_front() {
                Some(e) => e,
                None => return Ok(false),
            }
        };
        self.count_event()?;
        self.dispatch(event);
        self.flush_inbox();
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(true),
        }
    }

    /// Runs every event up to and including `until`, then sets the clock to `until`.
    ///
    /// # Errors
    /// Livelock (see [`Limits`]).
    pub fn run_until(&mut self, until: Instant) -> Result<(), RunError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        while self.next_event_time().is_some_and(|at| at <= until) {
            self.step()?;
        }
        self.advance_to(until);
        Ok(())
    }

    /// Moves the clock forward (never back); a new instant starts a new livelock budget.
    fn advance_to(&mut self, t: Instant) {
        if t > self.now {
            self.now = t;
            self.instant_events = 0;
        }
    }

    /// Runs for `d` of virtual time.
    ///
    /// # Errors
    /// Livelock (see [`Limits`]).
    pub fn run_for(&mut self, d: Duration) -> Result<(), RunError> {
        self.run_until(self.now + d)
    }

    /// Runs until nothing is scheduled or the next event is after `horizon`; returns the time
    /// of the last event processed.
    ///
    /// # Errors
    /// Livelock (see [`Limits`]).
    pub fn run_until_idle(&mut self, horizon: Instant) -> Result<Instant, RunError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        while self.next_event_time().is_some_and(|at| at <= horizon) {
            self.step()?;
        }
        Ok(self.now)
    }

    fn count_event(&mut self) -> Result<(), RunError> {
        self.instant_events += 1;
        if self.instant_events > self.limits.events_per_instant {
            return Err(RunError::Livelock { at: self.now });
        }
        Ok(())
    }

    fn push(&mut self, at: Instant, event: Event) {
        if at <= self.now {
            self.current.push_back(event);
            return;
        }
        self.seq += 1;
        self.queue.push(Scheduled {
            at,
            seq: self.seq,
            event,
        });
    }

    fn new_packet(&mut self, src: SocketAddr, dst: SocketAddr, l4: L4, payload: Vec<u8>) -> Packet {
        let id = self.next_packet;
        self.next_packet += 1;
        Packet {
            id,
            src,
            dst,
            ttl: DEFAULT_TTL,
            l4,
            payload,
        }
    }

    fn record(&mut self, node: NodeId, p: &Packet, kind: TraceKind) {
        if let TraceKind::Dropped(_) = kind {
            self.stats.dropped += 1;
        }
        if self.trace_on {
            self.trace
                .events
                .push(TraceEvent::new(self.now, node, p, kind));
        }
    }

    fn capture(&mut self, node: NodeId, iface: usize, p: &Packet) {
        if let Some(w) = &mut self.pcap
            && let Some(id) = self
                .nodes
                .get(node.0 as usize)
                .and_then(|n| n.ifaces.get(iface))
                .and_then(|i| i.capture)
        {
            w.write_packet(id, self.now, p);
        }
    }

    fn dispatch(&mut self, event: Event) {
        match event {
            Event::Transit(hop, p) => self.transit(hop, p),
            Event::Arrive(node, iface, p) => self.arrive(node, iface, p),
            Event::Originate(node, p) => self.originate(node, p),
            Event::EndpointTimer(id) => {
                let now = self.now;
                if let Some(h) = self.hosted_mut(id)
                    && h.deadline.is_some_and(|d| d <= now)
                {
                    h.deadline = None;
                    self.inbox.push_back(Delivery::Timeout(id));
                }
            }
            Event::TcpTimer(node, key) => {
                let now = self.now;
                let mut actions = Vec::new();
                if let Some(Role::Host(h)) =
                    self.nodes.get_mut(node.0 as usize).map(|n| &mut n.role)
                {
                    h.tcp.on_timer(now, key, &mut actions);
                }
                self.tcp_actions(node, actions);
            }
            Event::Fault(f) => {
                let (n, i, dir, action) = *f;
                self.apply_fault(n, i, dir, action);
            }
        }
    }

    fn apply_fault(&mut self, n: usize, i: usize, dir: LinkDirection, action: FaultAction) {
        let Some(iface) = self.nodes.get_mut(n).and_then(|n| n.ifaces.get_mut(i)) else {
            return;
        };
        let mut release = false;
        for (on, link) in [
            (dir.egress(), &mut iface.egress),
            (dir.ingress(), &mut iface.ingress),
        ] {
            if !on {
                continue;
            }
            match &action {
                FaultAction::Partition => link.partitioned = true,
                FaultAction::Hold => link.held = true,
                FaultAction::Release => {
                    link.held = false;
                    release = true;
                }
                FaultAction::Heal => {
                    link.partitioned = false;
                    link.held = false;
                    release = true;
                }
                FaultAction::Configure(c) => link.reconfigure(*c),
            }
        }
        if release {
            let now = self.now;
            let (go, keep): (Vec<Held>, Vec<Held>) =
                core::mem::take(&mut self.held).into_iter().partition(|h| {
                    h.node == n
                        && h.iface == i
                        && if h.egress {
                            dir.egress()
                        } else {
                            dir.ingress()
                        }
                });
            self.held = keep;
            for h in go {
                let event = match h.hop {
                    Hop::Node { node, iface } => Event::Arrive(node, iface, h.packet),
                    hop @ Hop::Segment { .. } => Event::Transit(hop, h.packet),
                };
                self.push(now, event);
            }
        }
    }

    // -- Forwarding ----------------------------------------------------------------------

    fn is_host(&self, node: NodeId) -> bool {
        matches!(
            self.nodes.get(node.0 as usize).map(|n| &n.role),
            Some(Role::Host(_))
        )
    }

    fn arrive(&mut self, node: NodeId, iface: usize, p: Box<Packet>) {
        self.capture(node, iface, &p);
        if self.is_host(node) {
            self.host_receive(node, *p);
        } else {
            self.transit(Hop::Node { node, iface }, p);
        }
    }

    /// Moves a packet along while no time passes; schedules it when a link delays it.
    fn transit(&mut self, mut hop: Hop, mut p: Box<Packet>) {
        loop {
            match hop {
                Hop::Segment {
                    seg,
                    next_hop,
                    from,
                } => {
                    let target = self
                        .segments
                        .get(seg as usize)
                        .and_then(|s| s.resolve(next_hop));
                    let Some((node, iface)) = target else {
                        self.record(from, &p, TraceKind::Dropped(DropReason::NoRoute));
                        return;
                    };
                    let next = Hop::Node { node, iface };
                    let Some(p2) = self.offer(node, iface, false, next, p) else {
                        return;
                    };
                    p = p2;
                    self.capture(node, iface, &p);
                    hop = next;
                }
                Hop::Node { node, iface } => {
                    let Some((out, next_hop)) = self.router_process(node, iface, &mut p) else {
                        return;
                    };
                    let Some(seg) = self
                        .nodes
                        .get(node.0 as usize)
                        .and_then(|n| n.ifaces.get(out))
                        .map(|i| i.segment)
                    else {
                        return;
                    };
                    self.capture(node, out, &p);
                    let next = Hop::Segment {
                        seg,
                        next_hop,
                        from: node,
                    };
                    let Some(p2) = self.offer(node, out, true, next, p) else {
                        return;
                    };
                    p = p2;
                    hop = next;
                }
            }
        }
    }

    /// Offers `p` to a link; returns it when it passes with no delay and may continue inline.
    fn offer(
        &mut self,
        node: NodeId,
        iface: usize,
        egress: bool,
        next: Hop,
        p: Box<Packet>,
    ) -> Option<Box<Packet>> {
        let now = self.now;
        let verdict = {
            let link = self
                .nodes
                .get_mut(node.0 as usize)
                .and_then(|n| n.ifaces.get_mut(iface))
                .map(|i| {
                    if egress {
                        &mut i.egress
                    } else {
                        &mut i.ingress
                    }
                })?;
            link.offer(now, &p)
        };
        match verdict {
            LinkVerdict::Drop(r) => {
                self.record(node, &p, TraceKind::Dropped(r));
                None
            }
            LinkVerdict::Held => {
                self.record(node, &p, TraceKind::Held);
                self.held.push(Held {
                    node: node.0 as usize,
                    iface,
                    egress,
                    hop: next,
                    packet: p,
                });
                None
            }
            LinkVerdict::Deliver { at, duplicate } => {
                if let Some(dup_at) = duplicate {
                    let mut copy = p.clone();
                    copy.id = self.next_packet;
                    self.next_packet += 1;
                    self.record(node, &copy, TraceKind::Duplicated { of: p.id });
                    let ev = self.hop_event(next, copy);
                    self.push(dup_at, ev);
                }
                let to_host = matches!(next, Hop::Node { node, .. } if self.is_host(node));
                if at == now && !to_host {
                    Some(p)
                } else {
                    let ev = self.hop_event(next, p);
                    self.push(at, ev);
                    None
                }
            }
        }
    }

    fn hop_event(&self, hop: Hop, p: Box<Packet>) -> Event {
        match hop {
            Hop::Node { node, iface } => Event::Arrive(node, iface, p),
            Hop::Segment { .. } => Event::Transit(hop, p),
        }
    }

    fn firewall(&mut self, node: NodeId, dir: Direction, p: &Packet) -> bool {
        let now = self.now;
        let verdict = match self
            .nodes
            .get_mut(node.0 as usize)
            .and_then(|n| n.firewall.as_mut())
        {
            Some(fw) => fw.check(now, dir, p),
            None => return true,
        };
        match verdict {
            FirewallVerdict::Allow => true,
            FirewallVerdict::Refuse { rule, reject } => {
                self.record(node, p, TraceKind::Dropped(DropReason::Firewall { rule }));
                if let (true, L4::Tcp(h)) = (reject, p.l4)
                    && !h.flags.contains(TcpFlags::RST)
                {
                    let syn_fin = u32::from(h.flags.contains(TcpFlags::SYN))
                        + u32::from(h.flags.contains(TcpFlags::FIN));
                    let len = u32::try_from(p.payload.len()).unwrap_or(0);
                    let rst = L4::Tcp(TcpHeader {
                        seq: if h.flags.contains(TcpFlags::ACK) {
                            h.ack
                        } else {
                            0
                        },
                        ack: h.seq.wrapping_add(len).wrapping_add(syn_fin),
                        flags: TcpFlags::RST.with(TcpFlags::ACK),
                        window: 0,
                    });
                    let reply = self.new_packet(p.dst, p.src, rst, Vec::new());
                    let now = self.now;
                    self.push(now, Event::Originate(node, Box::new(reply)));
                }
                false
            }
        }
    }

    /// NAT and firewall at a router, then the routing decision.
    fn router_process(
        &mut self,
        node: NodeId,
        in_iface: usize,
        p: &mut Packet,
    ) -> Option<(usize, IpAddr)> {
        let now = self.now;
        if p.ttl <= 1 {
            self.record(node, p, TraceKind::Dropped(DropReason::TtlExpired));
            return None;
        }
        p.ttl -= 1;
        let outside = self
            .nodes
            .get(node.0 as usize)
            .and_then(|n| n.ifaces.get(in_iface))
            .is_some_and(|i| i.outside);
        if !outside && !self.firewall(node, Direction::Outbound, p) {
            return None;
        }
        let before = (p.src, p.dst);
        let verdict = match self.nodes.get_mut(node.0 as usize).map(|n| &mut n.role) {
            Some(Role::Router { nat: Some(nat) }) => {
                if outside {
                    nat.inbound(now, p)
                } else {
                    nat.outbound(now, p)
                }
            }
            _ => NatVerdict::Pass,
        };
        match verdict {
            NatVerdict::Pass => {}
            NatVerdict::Translated | NatVerdict::Hairpinned => {
                let kind = TraceKind::Translated {
                    src: before.0,
                    dst: before.1,
                };
                self.record(node, p, kind);
            }
            NatVerdict::Drop(r) => {
                self.record(node, p, TraceKind::Dropped(r));
                return None;
            }
        }
        if outside && !self.firewall(node, Direction::Inbound, p) {
            return None;
        }
        let route = self
            .nodes
            .get(node.0 as usize)
            .and_then(|n| n.route(p.dst.ip()));
        let Some(route) = route else {
            self.record(node, p, TraceKind::Dropped(DropReason::NoRoute));
            return None;
        };
        Some((route.iface, route.via.unwrap_or(p.dst.ip())))
    }

    /// A packet a router itself emits (a firewall's RST).
    fn originate(&mut self, node: NodeId, p: Box<Packet>) {
        let route = self
            .nodes
            .get(node.0 as usize)
            .and_then(|n| n.route(p.dst.ip()));
        let Some(route) = route else {
            self.record(node, &p, TraceKind::Dropped(DropReason::NoRoute));
            return;
        };
        self.record(node, &p, TraceKind::Sent);
        self.egress_from(node, route.iface, route.via.unwrap_or(p.dst.ip()), *p);
    }

    fn egress_from(&mut self, node: NodeId, iface: usize, next_hop: IpAddr, p: Packet) {
        let Some(seg) = self
            .nodes
            .get(node.0 as usize)
            .and_then(|n| n.ifaces.get(iface))
            .map(|i| i.segment)
        else {
            return;
        };
        self.capture(node, iface, &p);
        let next = Hop::Segment {
            seg,
            next_hop,
            from: node,
        };
        if let Some(p) = self.offer(node, iface, true, next, Box::new(p)) {
            self.transit(next, p);
        }
    }

    fn host_send(&mut self, node: NodeId, mut p: Packet) {
        self.stats.sent += 1;
        let Some(n) = self.nodes.get(node.0 as usize) else {
            return;
        };
        let Some(route) = n.route(p.dst.ip()) else {
            self.record(node, &p, TraceKind::Sent);
            self.record(node, &p, TraceKind::Dropped(DropReason::NoRoute));
            return;
        };
        if p.src.ip().is_unspecified() {
            let fam = p.dst.is_ipv4();
            if let Some(a) = n
                .ifaces
                .get(route.iface)
                .and_then(|i| i.addrs.iter().find(|a| a.is_ipv4() == fam))
            {
                p.src.set_ip(*a);
            }
        }
        self.record(node, &p, TraceKind::Sent);
        if !self.firewall(node, Direction::Outbound, &p) {
            return;
        }
        self.egress_from(node, route.iface, route.via.unwrap_or(p.dst.ip()), p);
    }

    fn host_receive(&mut self, node: NodeId, p: Packet) {
        if !self.firewall(node, Direction::Inbound, &p) {
            return;
        }
        let now = self.now;
        let Some(n) = self.nodes.get_mut(node.0 as usize) else {
            return;
        };
        if !n.owns(p.dst.ip()) {
            self.record(node, &p, TraceKind::Dropped(DropReason::NotForHost));
            return;
        }
        let Role::Host(h) = &mut n.role else {
            return;
        };
        match p.l4 {
            L4::Udp => match h.socket(Transport::Udp, p.dst) {
                Some(index) => {
                    self.stats.delivered += 1;
                    self.record(node, &p, TraceKind::Delivered);
                    let context = TransportContext {
                        local: p.dst,
                        remote: p.src,
                        transport: Transport::Udp,
                    };
                    let id = EndpointId {
                        node,
                        index: u32::try_from(index).unwrap_or(u32::MAX),
                    };
                    self.inbox
                        .push_back(Delivery::Datagram(id, context, p.payload));
                }
                None => self.record(node, &p, TraceKind::Dropped(DropReason::PortUnreachable)),
            },
            L4::Tcp(_) => {
                let listener = h.socket(Transport::Tcp, p.dst);
                let mut actions = Vec::new();
                let ok = h.tcp.on_segment(now, &p, listener, &mut actions);
                if ok {
                    self.stats.delivered += 1;
                    self.record(node, &p, TraceKind::Delivered);
                } else {
                    self.record(node, &p, TraceKind::Dropped(DropReason::NoConnection));
                }
                self.tcp_actions(node, actions);
            }
        }
    }

    fn tcp_actions(&mut self, node: NodeId, actions: Vec<TcpAction>) {
        for a in actions {
            match a {
                TcpAction::Send(p) => {
                    let p = self.new_packet(p.src, p.dst, p.l4, p.payload);
                    self.host_send(node, p);
                }
                TcpAction::Event {
                    endpoint,
                    context,
                    event,
                } => {
                    let id = EndpointId {
                        node,
                        index: u32::try_from(endpoint).unwrap_or(u32::MAX),
                    };
                    self.inbox.push_back(Delivery::Tcp(id, context, event));
                }
                TcpAction::Data {
                    endpoint,
                    context,
                    bytes,
                } => {
                    let id = EndpointId {
                        node,
                        index: u32::try_from(endpoint).unwrap_or(u32::MAX),
                    };
                    self.inbox.push_back(Delivery::Datagram(id, context, bytes));
                }
                TcpAction::Timer { key, at } => self.push(at, Event::TcpTimer(node, key)),
            }
        }
    }

    // -- Endpoints -----------------------------------------------------------------------

    fn hosted_mut(&mut self, id: EndpointId) -> Option<&mut Hosted> {
        match &mut self.nodes.get_mut(id.node.0 as usize)?.role {
            Role::Host(h) => h.endpoints.get_mut(id.index as usize),
            Role::Router { .. } => None,
        }
    }

    fn flush_inbox(&mut self) {
        while let Some(d) = self.inbox.pop_front() {
            if self.error.is_some() {
                self.inbox.clear();
                return;
            }
            if let Err(e) = self.count_event() {
                self.error = Some(e);
                return;
            }
            let now = self.now;
            let id = match &d {
                Delivery::Datagram(id, ..) | Delivery::Tcp(id, ..) | Delivery::Timeout(id) => *id,
            };
            let Some(h) = self.hosted_mut(id) else {
                continue;
            };
            match d {
                Delivery::Datagram(_, context, payload) => {
                    h.endpoint.handle_input(Input::Datagram {
                        now,
                        context,
                        payload: &payload,
                    })
                }
                Delivery::Tcp(_, context, event) => {
                    h.endpoint.handle_input(Input::Tcp {
                        now,
                        context,
                        event,
                    });
                }
                Delivery::Timeout(_) => h.endpoint.handle_input(Input::Timeout { now }),
            }
            self.drive(id);
        }
    }

    /// Drains an endpoint after an input.
    fn drive(&mut self, id: EndpointId) {
        let node = id.node;
        let index = id.index as usize;
        for _ in 0..self.limits.outputs_per_drain {
            let now = self.now;
            let Some(h) = self.hosted_mut(id) else {
                return;
            };
            match h.endpoint.poll_output() {
                Output::Transmit(t) => self.endpoint_transmit(node, index, t),
                Output::Event(text) => self.log.push(EndpointEvent {
                    at: now,
                    endpoint: id,
                    text,
                }),
                Output::Bind(s) => {
                    if let Some(Role::Host(h)) =
                        self.nodes.get_mut(node.0 as usize).map(|n| &mut n.role)
                    {
                        h.sockets.insert((s.transport, s.addr), index);
                    }
                }
                Output::Unbind(s) => {
                    if let Some(Role::Host(h)) =
                        self.nodes.get_mut(node.0 as usize).map(|n| &mut n.role)
                        && h.sockets.get(&(s.transport, s.addr)) == Some(&index)
                    {
                        h.sockets.remove(&(s.transport, s.addr));
                    }
                }
                Output::Tcp(cmd) => {
                    let mut actions = Vec::new();
                    if let Some(Role::Host(h)) =
                        self.nodes.get_mut(node.0 as usize).map(|n| &mut n.role)
                    {
                        match cmd {
                            TcpCommand::Connect(ctx) => {
                                h.tcp.connect(now, index, ctx, &mut actions)
                            }
                            TcpCommand::Close(ctx) => {
                                h.tcp.close(now, (ctx.local, ctx.remote), &mut actions)
                            }
                            TcpCommand::Abort(ctx) => {
                                h.tcp.abort((ctx.local, ctx.remote), &mut actions)
                            }
                            _ => {}
                        }
                    }
                    self.tcp_actions(node, actions);
                }
                Output::Timeout(t) => {
                    if h.deadline != Some(t) {
                        h.deadline = Some(t);
                        self.push(t.max(now), Event::EndpointTimer(id));
                    }
                    return;
                }
                _ => {
                    h.deadline = None;
                    return;
                }
            }
        }
        self.error = Some(RunError::EndpointLivelock {
            endpoint: id,
            at: self.now,
        });
    }

    fn endpoint_transmit(&mut self, node: NodeId, index: usize, t: Transmit) {
        match t.context.transport {
            Transport::Udp => {
                let p = self.new_packet(t.context.local, t.context.remote, L4::Udp, t.payload);
                self.host_send(node, p);
            }
            Transport::Tcp => {
                let now = self.now;
                let mut actions = Vec::new();
                let sent = match self.nodes.get_mut(node.0 as usize).map(|n| &mut n.role) {
                    Some(Role::Host(h)) => h.tcp.send(
                        now,
                        (t.context.local, t.context.remote),
                        &t.payload,
                        &mut actions,
                    ),
                    _ => false,
                };
                if !sent {
                    let id = EndpointId {
                        node,
                        index: u32::try_from(index).unwrap_or(u32::MAX),
                    };
                    self.log.push(EndpointEvent {
                        at: now,
                        endpoint: id,
                        text: format!("netsim: TCP transmit on no connection {}", t.context),
                    });
                }
                self.tcp_actions(node, actions);
            }
        }
    }
}
