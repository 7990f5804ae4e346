//! The builder: declare segments, hosts, routers and NATs, links and faults by name, then
//! [`NetworkBuilder::build`] resolves names and addresses and derives the routes.

use std::net::IpAddr;

use harness_core::rng::RunSeed;
use harness_core::time::Instant;

use crate::addr::Prefix;
use crate::fault::{Fault, LinkDirection};
use crate::firewall::FirewallState;
use crate::link::{LinkConfig, LinkState};
use crate::nat::NatState;
use crate::network::Network;
use crate::tcp::TcpStack;
use crate::topology::{
    BuildError, HostSpec, HostState, Iface, IfaceSpec, Node, Role, Route, RouterSpec, Segment,
};
use crate::trace::NodeId;
use harness_core::hash::FastMap;

#[derive(Clone, Debug)]
struct SegmentSpec {
    name: String,
    prefixes: Vec<String>,
    internet: bool,
}

#[derive(Clone, Debug)]
enum NodeSpec {
    Host(HostSpec),
    Router(RouterSpec),
}

/// Builds a [`Network`]. Every method takes and returns the builder, so a topology reads as
/// one expression; errors (unknown names, bad addresses) are reported by [`Self::build`].
#[derive(Clone, Debug)]
#[must_use]
pub struct NetworkBuilder {
    seed: RunSeed,
    segments: Vec<SegmentSpec>,
    nodes: Vec<(String, NodeSpec)>,
    links: Vec<(String, String, LinkDirection, LinkConfig)>,
    faults: Vec<(Instant, Fault)>,
    capture: bool,
    trace: bool,
}

impl NetworkBuilder {
    pub(crate) fn new(seed: RunSeed) -> Self {
        Self {
            seed,
            segments: Vec::new(),
            nodes: Vec::new(),
            links: Vec::new(),
            faults: Vec::new(),
            capture: false,
            trace: true,
        }
    }

    /// Declares the core internet: a segment on which every address is on-link, plus routes
    /// to the public prefixes behind plain routers.
    pub fn internet(mut self, name: &str) -> Self {
        self.segments.push(SegmentSpec {
            name: name.to_owned(),
            prefixes: Vec::new(),
            internet: true,
        });
        self
    }

    /// Declares a LAN with a prefix, or adds a prefix (e.g. IPv6 next to IPv4) to one.
    pub fn lan(mut self, name: &str, prefix: &str) -> Self {
        if let Some(s) = self.segments.iter_mut().find(|s| s.name == name) {
            s.prefixes.push(prefix.to_owned());
        } else {
            self.segments.push(SegmentSpec {
                name: name.to_owned(),
                prefixes: vec![prefix.to_owned()],
                internet: false,
            });
        }
        self
    }

    /// Adds a host.
    pub fn host(mut self, name: &str, spec: HostSpec) -> Self {
        self.nodes.push((name.to_owned(), NodeSpec::Host(spec)));
        self
    }

    /// Adds a router (plain, firewall or NAT).
    pub fn router(mut self, name: &str, spec: RouterSpec) -> Self {
        self.nodes.push((name.to_owned(), NodeSpec::Router(spec)));
        self
    }

    /// Adds a NAT: a router whose spec carries a [`crate::NatConfig`]
    /// (`RouterSpec::nat(config).inside(..).outside(..)`).
    pub fn nat(self, name: &str, spec: RouterSpec) -> Self {
        self.router(name, spec)
    }

    /// Impairs the link between `node` and `segment`, both directions (each with its own
    /// random stream).
    pub fn link(self, node: &str, segment: &str, config: LinkConfig) -> Self {
        self.link_oneway(node, segment, LinkDirection::Both, config)
    }

    /// Impairs one direction of the link between `node` and `segment`.
    pub fn link_oneway(
        mut self,
        node: &str,
        segment: &str,
        direction: LinkDirection,
        config: LinkConfig,
    ) -> Self {
        self.links
            .push((node.to_owned(), segment.to_owned(), direction, config));
        self
    }

    /// Schedules a fault.
    pub fn fault(mut self, at: Instant, fault: Fault) -> Self {
        self.faults.push((at, fault));
        self
    }

    /// Records pcapng (off by default).
    pub fn capture(mut self, on: bool) -> Self {
        self.capture = on;
        self
    }

    /// Records the packet trace (on by default; benchmarks turn it off).
    pub fn trace(mut self, on: bool) -> Self {
        self.trace = on;
        self
    }

    /// Resolves the topology.
    ///
    /// # Errors
    /// Unknown or duplicate names, unparsable addresses or prefixes, an address used twice on
    /// a segment, a NAT without an IPv4 outside address.
    #[allow(
        clippy::too_many_lines,
        reason = "one linear pass over the declarations reads best in one place"
    )]
    pub fn build(self) -> Result<Network, BuildError> {
        let seed = self.seed;
        let mut segments: Vec<Segment> = Vec::new();
        let mut seg_index: FastMap<String, u32> = FastMap::default();
        for s in &self.segments {
            if seg_index.contains_key(&s.name) {
                return Err(BuildError::DuplicateName(s.name.clone()));
            }
            let mut prefixes = Vec::new();
            for p in &s.prefixes {
                prefixes.push(
                    p.parse::<Prefix>()
                        .map_err(|_| BuildError::BadPrefix(p.clone()))?,
                );
            }
            seg_index.insert(s.name.clone(), u32::try_from(segments.len()).unwrap_or(0));
            segments.push(Segment {
                prefixes,
                internet: s.internet,
                owners: FastMap::default(),
                routes: Vec::new(),
            });
        }
        let seg_of = |name: &str| {
            seg_index
                .get(name)
                .copied()
                .ok_or_else(|| BuildError::UnknownSegment(name.to_owned()))
        };
        let parse_addrs = |spec: &IfaceSpec| -> Result<Vec<IpAddr>, BuildError> {
            spec.addrs
                .iter()
                .map(|a| a.parse().map_err(|_| BuildError::BadAddress(a.clone())))
                .collect()
        };

        let mut nodes: Vec<Node> = Vec::new();
        let mut names: FastMap<String, NodeId> = FastMap::default();
        for (name, spec) in &self.nodes {
            if names.contains_key(name) || seg_index.contains_key(name) {
                return Err(BuildError::DuplicateName(name.clone()));
            }
            let id = NodeId(u32::try_from(nodes.len()).unwrap_or(0));
            names.insert(name.clone(), id);
            let link = |iface: &str, dir: &str| {
                LinkState::new(
                    LinkConfig::new(),
                    seed.stream(&format!("link/{name}/{iface}/{dir}")),
                )
            };
            let mut ifaces = Vec::new();
            let mut make_iface = |spec: &IfaceSpec, outside: bool, label: String| {
                let segment = seg_of(&spec.segment)?;
                let addrs = parse_addrs(spec)?;
                ifaces.push(Iface {
                    name: label,
                    egress: link(&spec.segment, "up"),
                    ingress: link(&spec.segment, "down"),
                    segment,
                    addrs,
                    outside,
                    capture: None,
                });
                Ok::<(), BuildError>(())
            };
            let (role, firewall, nat_pool) = match spec {
                NodeSpec::Host(h) => {
                    for (i, f) in h.ifaces.iter().enumerate() {
                        make_iface(f, false, format!("{name}/eth{i}"))?;
                    }
                    let host = HostState {
                        endpoints: Vec::new(),
                        sockets: FastMap::default(),
                        tcp: TcpStack::new(seed.stream(&format!("tcp/{name}"))),
                    };
                    (Role::Host(host), h.firewall.clone(), None)
                }
                NodeSpec::Router(r) => {
                    for f in &r.inside {
                        make_iface(f, false, format!("{name}/inside-{}", f.segment))?;
                    }
                    if let Some(o) = &r.outside {
                        make_iface(o, true, format!("{name}/outside"))?;
                    }
                    (
                        Role::Router { nat: None },
                        r.firewall.clone(),
                        r.nat.clone(),
                    )
                }
            };
            let mut node = Node {
                name: name.clone(),
                ifaces,
                routes: Vec::new(),
                firewall: firewall.map(FirewallState::new),
                role,
            };
            if let Some(config) = nat_pool {
                let pool: Vec<IpAddr> = node
                    .ifaces
                    .iter()
                    .filter(|i| i.outside)
                    .flat_map(|i| i.addrs.iter().copied())
                    .filter(IpAddr::is_ipv4)
                    .filter(|a| !config.static_mappings.iter().any(|(_, o)| o == a))
                    .collect();
                if pool.is_empty() && config.static_mappings.is_empty() {
                    return Err(BuildError::NatWithoutOutside(name.clone()));
                }
                node.role = Role::Router {
                    nat: Some(NatState::new(
                        config,
                        pool,
                        seed.stream(&format!("nat/{name}")),
                    )),
                };
            }
            for (i, iface) in node.ifaces.iter().enumerate() {
                let seg = segments
                    .get_mut(iface.segment as usize)
                    .ok_or_else(|| BuildError::UnknownNode(name.clone()))?;
                for a in &iface.addrs {
                    if seg.owners.insert(*a, (id, i)).is_some() {
                        return Err(BuildError::AddressInUse(a.to_string()));
                    }
                }
            }
            nodes.push(node);
        }

        derive_routes(&mut nodes, &mut segments, &self.nodes)?;

        for (node, segment, direction, config) in &self.links {
            let (n, i) = find_link(&nodes, &names, &seg_index, node, segment)?;
            if let Some(iface) = nodes.get_mut(n).and_then(|n| n.ifaces.get_mut(i)) {
                if direction.egress() {
                    iface.egress.reconfigure(*config);
                }
                if direction.ingress() {
                    iface.ingress.reconfigure(*config);
                }
            }
        }

        let mut net = Network::from_parts(seed, nodes, segments, names, seg_index, self.trace);
        if self.capture {
            net.enable_capture();
        }
        for (at, fault) in self.faults {
            net.schedule(at, fault)?;
        }
        Ok(net)
    }
}

pub(crate) fn find_link(
    nodes: &[Node],
    names: &FastMap<String, NodeId>,
    seg_index: &FastMap<String, u32>,
    node: &str,
    segment: &str,
) -> Result<(usize, usize), BuildError> {
    let n = names
        .get(node)
        .ok_or_else(|| BuildError::UnknownNode(node.to_owned()))?
        .0 as usize;
    let s = *seg_index
        .get(segment)
        .ok_or_else(|| BuildError::UnknownSegment(segment.to_owned()))?;
    let i = nodes
        .get(n)
        .and_then(|nd| nd.ifaces.iter().position(|i| i.segment == s))
        .ok_or_else(|| BuildError::NotAttached {
            node: node.to_owned(),
            segment: segment.to_owned(),
        })?;
    Ok((n, i))
}

/// Connected routes, default routes via each segment's gateway, static routes, and the
/// internet's routes to public prefixes behind plain routers.
fn derive_routes(
    nodes: &mut [Node],
    segments: &mut [Segment],
    specs: &[(String, NodeSpec)],
) -> Result<(), BuildError> {
    // Gateway of a segment per family: the first router with a non-outside address there.
    let mut gateways: Vec<[Option<IpAddr>; 2]> = vec![[None, None]; segments.len()];
    for node in nodes.iter() {
        if !matches!(node.role, Role::Router { .. }) {
            continue;
        }
        for iface in node.ifaces.iter().filter(|i| !i.outside) {
            for a in &iface.addrs {
                let fam = usize::from(a.is_ipv6());
                if let Some(slot) = gateways
                    .get_mut(iface.segment as usize)
                    .and_then(|g| g.get_mut(fam))
                {
                    slot.get_or_insert(*a);
                }
            }
        }
    }
    for (node, (_, spec)) in nodes.iter_mut().zip(specs) {
        let mut routes = Vec::new();
        for (i, iface) in node.ifaces.iter().enumerate() {
            let Some(seg) = segments.get(iface.segment as usize) else {
                continue;
            };
            let on_link = Route {
                iface: i,
                via: None,
            };
            if seg.internet {
                routes.push((Prefix::ANY_V4, on_link));
                routes.push((Prefix::ANY_V6, on_link));
            } else {
                routes.extend(seg.prefixes.iter().map(|p| (*p, on_link)));
            }
        }
        if let NodeSpec::Router(r) = spec {
            for (prefix, via) in &r.routes {
                let prefix: Prefix = prefix
                    .parse()
                    .map_err(|_| BuildError::BadPrefix(prefix.clone()))?;
                let via: IpAddr = via
                    .parse()
                    .map_err(|_| BuildError::BadAddress(via.clone()))?;
                if let Some(iface) = routes
                    .iter()
                    .find(|(p, r)| r.via.is_none() && p.contains(via))
                    .map(|(_, r)| r.iface)
                {
                    routes.push((
                        prefix,
                        Route {
                            iface,
                            via: Some(via),
                        },
                    ));
                }
            }
        }
        // Default routes: routers via their outside segment, hosts via their first segment
        // with a gateway of the family.
        let is_router = matches!(node.role, Role::Router { .. });
        for (fam, any) in [(0usize, Prefix::ANY_V4), (1usize, Prefix::ANY_V6)] {
            if routes.iter().any(|(p, _)| *p == any) {
                continue;
            }
            let candidate = node.ifaces.iter().enumerate().find_map(|(i, iface)| {
                if is_router && !iface.outside {
                    return None;
                }
                let gw = gateways
                    .get(iface.segment as usize)?
                    .get(fam)
                    .copied()
                    .flatten()?;
                (!iface.addrs.contains(&gw)).then_some((i, gw))
            });
            if let Some((i, gw)) = candidate {
                routes.push((
                    any,
                    Route {
                        iface: i,
                        via: Some(gw),
                    },
                ));
            }
        }
        node.routes = routes;
    }
    // Public prefixes behind routers become routes of the segment on their outside.
    for node in nodes.iter() {
        let Role::Router { nat } = &node.role else {
            continue;
        };
        let Some(out) = node.ifaces.iter().find(|i| i.outside) else {
            continue;
        };
        let mut add = Vec::new();
        for iface in node.ifaces.iter().filter(|i| !i.outside) {
            let Some(seg) = segments.get(iface.segment as usize) else {
                continue;
            };
            for p in &seg.prefixes {
                let hidden = nat.is_some() && p.addr().is_ipv4();
                if hidden {
                    continue;
                }
                if let Some(via) = out.addrs.iter().find(|a| a.is_ipv4() == p.addr().is_ipv4()) {
                    add.push((*p, *via));
                }
            }
        }
        if let Some(seg) = segments.get_mut(out.segment as usize) {
            seg.routes.extend(add);
        }
    }
    Ok(())
}
