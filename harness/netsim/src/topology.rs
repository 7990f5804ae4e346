//! Topology descriptions (what the builder takes) and the resolved runtime topology.

use core::fmt;
use std::net::IpAddr;

use crate::addr::{Prefix, longest_match};
use crate::firewall::{Firewall, FirewallState};
use crate::hosted::HostedEndpoint;
use crate::link::LinkState;
use crate::nat::{NatConfig, NatState};
use crate::tcp::TcpStack;
use crate::trace::NodeId;
use harness_core::hash::FastMap;

use harness_core::endpoint::Transport;
use harness_core::time::Instant;
use std::net::SocketAddr;

/// One interface of a host or router: the segment it attaches to and its addresses
/// (IPv4 and/or IPv6), written as text so scenario files can pass them through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfaceSpec {
    /// Name of the segment (LAN or internet).
    pub segment: String,
    /// Addresses, e.g. `"192.168.1.10"` or `"2001:db8::10"`.
    pub addrs: Vec<String>,
}

/// A host: interfaces and an optional host firewall.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostSpec {
    /// Interfaces, in order (`eth0`, `eth1`, ...).
    pub ifaces: Vec<IfaceSpec>,
    /// Host firewall (sent packets are outbound, received ones inbound).
    pub firewall: Option<Firewall>,
}

impl HostSpec {
    /// A host with no interfaces yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A host with one interface on `segment` with the given addresses.
    #[must_use]
    pub fn on(segment: &str, addrs: &[&str]) -> Self {
        Self::new().iface(segment, addrs)
    }

    /// Adds an interface.
    #[must_use]
    pub fn iface(mut self, segment: &str, addrs: &[&str]) -> Self {
        self.ifaces.push(IfaceSpec {
            segment: segment.to_owned(),
            addrs: addrs.iter().map(|a| (*a).to_owned()).collect(),
        });
        self
    }

    /// Sets the host firewall.
    #[must_use]
    pub fn firewall(mut self, firewall: Firewall) -> Self {
        self.firewall = Some(firewall);
        self
    }
}

/// A router: inside interfaces, at most one outside interface, and optionally NAT and a
/// firewall. A NAT is a router with a [`NatConfig`]; its outside addresses form its pool.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouterSpec {
    /// Interfaces towards the protected / private side.
    pub inside: Vec<IfaceSpec>,
    /// The interface towards the internet (or towards the next NAT of a cascade).
    pub outside: Option<IfaceSpec>,
    /// NAT behaviour; `None` for a plain router.
    pub nat: Option<NatConfig>,
    /// Firewall across inside → outside.
    pub firewall: Option<Firewall>,
    /// Extra routes: `(prefix, next hop)`.
    pub routes: Vec<(String, String)>,
}

impl RouterSpec {
    /// A plain router.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A NAT with this behaviour.
    #[must_use]
    pub fn nat(config: NatConfig) -> Self {
        Self {
            nat: Some(config),
            ..Self::default()
        }
    }

    /// Adds an inside interface.
    #[must_use]
    pub fn inside(mut self, segment: &str, addr: &str) -> Self {
        if let Some(i) = self.inside.iter_mut().find(|i| i.segment == segment) {
            i.addrs.push(addr.to_owned());
        } else {
            self.inside.push(IfaceSpec {
                segment: segment.to_owned(),
                addrs: vec![addr.to_owned()],
            });
        }
        self
    }

    /// Sets the outside interface, or adds an address to it (a NAT's pool).
    #[must_use]
    pub fn outside(mut self, segment: &str, addr: &str) -> Self {
        match &mut self.outside {
            Some(o) if o.segment == segment => o.addrs.push(addr.to_owned()),
            _ => {
                self.outside = Some(IfaceSpec {
                    segment: segment.to_owned(),
                    addrs: vec![addr.to_owned()],
                });
            }
        }
        self
    }

    /// Sets the firewall.
    #[must_use]
    pub fn firewall(mut self, firewall: Firewall) -> Self {
        self.firewall = Some(firewall);
        self
    }

    /// Adds a static route.
    #[must_use]
    pub fn route(mut self, prefix: &str, via: &str) -> Self {
        self.routes.push((prefix.to_owned(), via.to_owned()));
        self
    }
}

/// Why a topology could not be built (or a fault scheduled).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// Two nodes or two segments share a name.
    DuplicateName(String),
    /// A segment that was never declared.
    UnknownSegment(String),
    /// A node that was never declared.
    UnknownNode(String),
    /// The node has no interface on that segment.
    NotAttached {
        /// Node name.
        node: String,
        /// Segment name.
        segment: String,
    },
    /// Text that is not an IP address.
    BadAddress(String),
    /// Text that is not a prefix.
    BadPrefix(String),
    /// An address used twice on one segment.
    AddressInUse(String),
    /// A NAT without an outside interface or without an IPv4 outside address.
    NatWithoutOutside(String),
    /// Endpoints attach to hosts only.
    NotAHost(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DuplicateName(n) => write!(f, "duplicate name `{n}`"),
            Self::UnknownSegment(n) => write!(f, "unknown segment `{n}`"),
            Self::UnknownNode(n) => write!(f, "unknown node `{n}`"),
            Self::NotAttached { node, segment } => {
                write!(f, "node `{node}` has no interface on segment `{segment}`")
            }
            Self::BadAddress(a) => write!(f, "`{a}` is not an IP address"),
            Self::BadPrefix(a) => write!(f, "`{a}` is not an IP prefix"),
            Self::AddressInUse(a) => write!(f, "address {a} is used twice on one segment"),
            Self::NatWithoutOutside(n) => {
                write!(
                    f,
                    "NAT `{n}` needs an outside interface with an IPv4 address"
                )
            }
            Self::NotAHost(n) => write!(f, "`{n}` is not a host"),
        }
    }
}

impl std::error::Error for BuildError {}

// ---------------------------------------------------------------------------------------
// Runtime topology.

/// Index of a segment.
pub(crate) type SegmentId = u32;

#[derive(Debug)]
pub(crate) struct Iface {
    pub(crate) name: String,
    pub(crate) segment: SegmentId,
    pub(crate) addrs: Vec<IpAddr>,
    pub(crate) outside: bool,
    pub(crate) egress: LinkState,
    pub(crate) ingress: LinkState,
    pub(crate) capture: Option<u32>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Route {
    pub(crate) iface: usize,
    pub(crate) via: Option<IpAddr>,
}

pub(crate) struct Hosted {
    pub(crate) endpoint: Box<dyn HostedEndpoint>,
    pub(crate) deadline: Option<Instant>,
}

impl fmt::Debug for Hosted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hosted(deadline {:?})", self.deadline)
    }
}

#[derive(Debug)]
pub(crate) struct HostState {
    pub(crate) endpoints: Vec<Hosted>,
    pub(crate) sockets: FastMap<(Transport, SocketAddr), usize>,
    pub(crate) tcp: TcpStack,
}

impl HostState {
    pub(crate) fn socket(&self, transport: Transport, addr: SocketAddr) -> Option<usize> {
        self.sockets.get(&(transport, addr)).copied().or_else(|| {
            let any: IpAddr = if addr.is_ipv4() {
                IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)
            } else {
                IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED)
            };
            self.sockets
                .get(&(transport, SocketAddr::new(any, addr.port())))
                .copied()
        })
    }
}

#[derive(Debug)]
pub(crate) enum Role {
    Host(HostState),
    Router { nat: Option<NatState> },
}

#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) ifaces: Vec<Iface>,
    pub(crate) routes: Vec<(Prefix, Route)>,
    pub(crate) firewall: Option<FirewallState>,
    pub(crate) role: Role,
}

impl Node {
    pub(crate) fn route(&self, dst: IpAddr) -> Option<Route> {
        longest_match(&self.routes, dst).copied()
    }

    pub(crate) fn owns(&self, ip: IpAddr) -> bool {
        self.ifaces.iter().any(|i| i.addrs.contains(&ip))
    }
}

#[derive(Debug)]
pub(crate) struct Segment {
    pub(crate) prefixes: Vec<Prefix>,
    pub(crate) internet: bool,
    pub(crate) owners: FastMap<IpAddr, (NodeId, usize)>,
    pub(crate) routes: Vec<(Prefix, IpAddr)>,
}

impl Segment {
    /// The attachment that takes packets for `next_hop` on this segment.
    pub(crate) fn resolve(&self, next_hop: IpAddr) -> Option<(NodeId, usize)> {
        if let Some(owner) = self.owners.get(&next_hop) {
            return Some(*owner);
        }
        let via = longest_match(&self.routes, next_hop)?;
        self.owners.get(via).copied()
    }
}
