//! The trace: every packet event (sent, dropped and why, translated, delivered), in order,
//! printable as a text table for snapshots.

use core::fmt;
use std::net::SocketAddr;

use harness_core::endpoint::Transport;
use harness_core::time::Instant;

use crate::packet::{L4, Packet};

/// Index of a node (host, router, NAT) in the network, in the order the builder added them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// Why a packet was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropReason {
    /// Random loss on a link.
    Loss,
    /// Larger than the link MTU.
    Mtu,
    /// The link's queue was full.
    QueueFull,
    /// A partition fault cut the link.
    Partition,
    /// No route to the destination.
    NoRoute,
    /// Hop limit reached zero.
    TtlExpired,
    /// Inbound at a NAT with no mapping for the destination.
    NatNoMapping,
    /// Inbound at a NAT whose filtering refused the source (RFC 4787 §5).
    NatFiltered,
    /// A hairpin packet at a NAT that does not hairpin (RFC 4787 §6).
    NatNoHairpin,
    /// The NAT had no free external port.
    NatPortsExhausted,
    /// A firewall rule denied or rejected it (`rule` is its index; `None` = default policy).
    Firewall {
        /// Index of the rule in the chain, or `None` for the chain's default policy.
        rule: Option<usize>,
    },
    /// Stateful filtering of IPv6 (no translation) refused an unsolicited packet.
    Ipv6Filtered,
    /// Nobody listens on the destination port.
    PortUnreachable,
    /// A TCP segment that belongs to no connection.
    NoConnection,
    /// A host received a packet for an address it does not own.
    NotForHost,
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Loss => f.write_str("loss"),
            Self::Mtu => f.write_str("mtu"),
            Self::QueueFull => f.write_str("queue-full"),
            Self::Partition => f.write_str("partition"),
            Self::NoRoute => f.write_str("no-route"),
            Self::TtlExpired => f.write_str("ttl-expired"),
            Self::NatNoMapping => f.write_str("nat-no-mapping"),
            Self::NatFiltered => f.write_str("nat-filtered"),
            Self::NatNoHairpin => f.write_str("nat-no-hairpin"),
            Self::NatPortsExhausted => f.write_str("nat-ports-exhausted"),
            Self::Firewall { rule: Some(i) } => write!(f, "firewall-rule-{i}"),
            Self::Firewall { rule: None } => f.write_str("firewall-policy"),
            Self::Ipv6Filtered => f.write_str("ipv6-filtered"),
            Self::PortUnreachable => f.write_str("port-unreachable"),
            Self::NoConnection => f.write_str("no-connection"),
            Self::NotForHost => f.write_str("not-for-host"),
        }
    }
}

/// What happened to a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TraceKind {
    /// A host sent it.
    Sent,
    /// It was dropped.
    Dropped(DropReason),
    /// A NAT rewrote its addresses; the event shows the new ones, these are the old.
    Translated {
        /// Source before translation.
        src: SocketAddr,
        /// Destination before translation.
        dst: SocketAddr,
    },
    /// A link duplicated it; the event's packet is the copy.
    Duplicated {
        /// The original packet.
        of: u64,
    },
    /// A hold fault is keeping it.
    Held,
    /// It reached the destination host (and its socket or TCP connection).
    Delivered,
}

/// One line of the trace.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TraceEvent {
    /// When.
    pub at: Instant,
    /// Where.
    pub node: NodeId,
    /// The packet's trace id.
    pub packet: u64,
    /// UDP or TCP, with TCP flags.
    pub l4: L4,
    /// Source address at this point.
    pub src: SocketAddr,
    /// Destination address at this point.
    pub dst: SocketAddr,
    /// Payload length.
    pub len: usize,
    /// What happened.
    pub kind: TraceKind,
}

impl TraceEvent {
    pub(crate) fn new(at: Instant, node: NodeId, p: &Packet, kind: TraceKind) -> Self {
        Self {
            at,
            node,
            packet: p.id,
            l4: p.l4,
            src: p.src,
            dst: p.dst,
            len: p.payload.len(),
            kind,
        }
    }
}

/// Every packet event of a run, with the node names needed to print it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    pub(crate) names: Vec<String>,
    pub(crate) events: Vec<TraceEvent>,
}

impl Trace {
    /// The events, in the order they happened.
    #[must_use]
    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    /// The name of a node.
    #[must_use]
    pub fn node_name(&self, node: NodeId) -> &str {
        self.names.get(node.0 as usize).map_or("?", String::as_str)
    }

    /// How many packets were dropped for `reason`.
    #[must_use]
    pub fn drops(&self, reason: DropReason) -> usize {
        self.events
            .iter()
            .filter(|e| e.kind == TraceKind::Dropped(reason))
            .count()
    }

    /// How many events of the given kind (ignoring drop reasons and translation details).
    #[must_use]
    pub fn count(&self, pred: impl Fn(&TraceKind) -> bool) -> usize {
        self.events.iter().filter(|e| pred(&e.kind)).count()
    }
}

impl fmt::Display for Trace {
    /// One line per event: `time  node  event  #id  proto  src -> dst  len  detail`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<14} {:<12} {:<10} {:>5} {:<12} {:<48} {:>5} detail",
            "time", "node", "event", "pkt", "proto", "src -> dst", "len"
        )?;
        for e in &self.events {
            let (event, detail) = match e.kind {
                TraceKind::Sent => ("sent", String::new()),
                TraceKind::Dropped(r) => ("dropped", r.to_string()),
                TraceKind::Translated { src, dst } => ("translated", format!("was {src} -> {dst}")),
                TraceKind::Duplicated { of } => ("duplicated", format!("copy of #{of}")),
                TraceKind::Held => ("held", String::new()),
                TraceKind::Delivered => ("delivered", String::new()),
            };
            let proto = match e.l4 {
                L4::Udp => Transport::Udp.to_string(),
                L4::Tcp(h) => format!("TCP {}", h.flags),
            };
            writeln!(
                f,
                "{:<14} {:<12} {:<10} {:>5} {:<12} {:<48} {:>5} {}",
                e.at.to_string(),
                self.node_name(e.node),
                event,
                format!("#{}", e.packet),
                proto,
                format!("{} -> {}", e.src, e.dst),
                e.len,
                detail
            )?;
        }
        Ok(())
    }
}
