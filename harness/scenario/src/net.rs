//! Turning a scenario's topology into a netsim [`Network`], with STUN/TURN servers attached.

use core::time::Duration;
use std::net::{IpAddr, SocketAddr};

use harness_core::rng::RunSeed;
use harness_core::time::Instant;
use harness_netsim::{
    Fault, Firewall, HostSpec, LinkConfig, LinkDirection, Loss, NatConfig, Network, RouterSpec,
};
use harness_turn::server::{TurnServer, TurnServerConfig};

use crate::schema::{
    Dependence, EventDirection, FirewallPreset, FirewallSpec, FwAction, FwDirection, Hairpin,
    LinkSpec, NetEventKind, Pooling, PortAssignment, Refresh, Scenario, ServerKind, TransportName,
};

fn dep(d: Dependence) -> harness_netsim::Dependence {
    match d {
        Dependence::EndpointIndependent => harness_netsim::Dependence::EndpointIndependent,
        Dependence::AddressDependent => harness_netsim::Dependence::AddressDependent,
        Dependence::AddressAndPortDependent => harness_netsim::Dependence::AddressAndPortDependent,
    }
}

fn fw_action(a: FwAction) -> harness_netsim::Action {
    match a {
        FwAction::Allow => harness_netsim::Action::Allow,
        FwAction::Deny => harness_netsim::Action::Deny,
        FwAction::Reject => harness_netsim::Action::Reject,
    }
}

/// The netsim firewall for a spec.
#[must_use]
pub fn firewall(spec: &FirewallSpec) -> Firewall {
    let mut fw = match spec.preset {
        Some(FirewallPreset::UdpBlocked) => Firewall::udp_blocked(),
        Some(FirewallPreset::Tcp443Only) => Firewall::tcp_443_only(),
        Some(FirewallPreset::OutboundOnly) => Firewall::outbound_only(),
        Some(FirewallPreset::BlockAll) => Firewall::new(harness_netsim::Action::Deny),
        None => Firewall::new(harness_netsim::Action::Allow),
    };
    if let Some(d) = spec.default {
        fw.default = fw_action(d);
    }
    for r in &spec.rules {
        let mut rule = harness_netsim::Rule::new(fw_action(r.action));
        if let Some(d) = r.direction {
            rule = rule.direction(match d {
                FwDirection::Outbound => harness_netsim::Direction::Outbound,
                FwDirection::Inbound => harness_netsim::Direction::Inbound,
            });
        }
        if let Some(t) = r.transport {
            rule = rule.transport(transport(t));
        }
        if let Some(p) = r.src.as_deref().and_then(|p| p.parse().ok()) {
            rule = rule.src(p);
        }
        if let Some(p) = r.dst.as_deref().and_then(|p| p.parse().ok()) {
            rule = rule.dst(p);
        }
        if let Some((lo, hi)) = r.dst_ports {
            rule = rule.dst_ports(lo, hi);
        }
        fw = fw.rule(rule);
    }
    fw
}

/// Transport name to the core type.
#[must_use]
pub const fn transport(t: TransportName) -> harness_core::endpoint::Transport {
    match t {
        TransportName::Udp => harness_core::endpoint::Transport::Udp,
        TransportName::Tcp => harness_core::endpoint::Transport::Tcp,
    }
}

/// The netsim link for a spec.
#[must_use]
pub fn link(spec: &LinkSpec) -> LinkConfig {
    let mut l = LinkConfig::new();
    if let Some(d) = spec.delay {
        l = l.delay(d.0);
    }
    if let Some(j) = spec.jitter {
        l = l.jitter(j.0);
    }
    if let Some(p) = spec.loss
        && p > 0.0
    {
        l = l.loss(Loss::Bernoulli(p));
    }
    if let Some(p) = spec.duplicate {
        l = l.duplicate(p);
    }
    if let Some(p) = spec.reorder {
        l = l.reorder(p, Duration::from_millis(10));
    }
    if let Some(m) = spec.mtu {
        l = l.mtu(m);
    }
    l
}

/// The netsim NAT configuration for a NAT spec.
#[must_use]
pub fn nat_config(n: &crate::schema::Nat) -> NatConfig {
    let mut c = NatConfig::new(dep(n.mapping), dep(n.filtering));
    c.port_assignment = match n.port_assignment {
        PortAssignment::Preserve => harness_netsim::PortAssignment::Preserve,
        PortAssignment::Sequential => harness_netsim::PortAssignment::Sequential,
        PortAssignment::Random => harness_netsim::PortAssignment::Random,
    };
    c.port_parity = n.port_parity;
    if let Some(r) = n.port_range {
        c.port_range = r;
    }
    c.pooling = match n.pooling {
        Pooling::Paired => harness_netsim::Pooling::Paired,
        Pooling::Arbitrary => harness_netsim::Pooling::Arbitrary,
    };
    c.hairpinning = match n.hairpinning {
        Hairpin::On => harness_netsim::Hairpinning::On {
            source_translated: true,
        },
        Hairpin::OnUntranslated => harness_netsim::Hairpinning::On {
            source_translated: false,
        },
        Hairpin::Off => harness_netsim::Hairpinning::Off,
    };
    c.refresh = match n.refresh {
        Refresh::Outbound => harness_netsim::Refresh::Outbound,
        Refresh::Bidirectional => harness_netsim::Refresh::Bidirectional,
    };
    if let Some(d) = n.udp_timeout {
        c.udp_timeout = d.0;
    }
    if let Some(d) = n.tcp_established_timeout {
        c.tcp_established_timeout = d.0;
    }
    if let Some(d) = n.tcp_transitory_timeout {
        c.tcp_transitory_timeout = d.0;
    }
    c.ipv6_stateful_filtering = n.ipv6_stateful_filtering;
    for m in &n.static_mappings {
        if let (Ok(i), Ok(o)) = (m.inside.parse::<IpAddr>(), m.outside.parse::<IpAddr>()) {
            c = c.static_mapping(i, o);
        }
    }
    c
}

/// Builds the network (servers attached); returns it with each server's listening address.
///
/// # Errors
/// A topology netsim refuses, as text.
pub fn build(s: &Scenario, seed: RunSeed) -> Result<(Network, Vec<(String, SocketAddr)>), String> {
    let t = &s.topology;
    let mut b = Network::builder(seed)
        .internet(&t.internet)
        .capture(true)
        .trace(false);
    for lan in &t.lans {
        for p in &lan.prefixes {
            b = b.lan(&lan.name, p);
        }
    }
    for h in &t.hosts {
        let mut spec = HostSpec::new();
        for i in &h.interfaces {
            let addrs: Vec<&str> = i.addresses.iter().map(String::as_str).collect();
            spec = spec.iface(&i.segment, &addrs);
        }
        if let Some(fw) = &h.firewall {
            spec = spec.firewall(firewall(fw));
        }
        b = b.host(&h.name, spec);
    }
    for n in &t.nats {
        let mut r = RouterSpec::nat(nat_config(n));
        for i in &n.inside {
            r = r.inside(&i.segment, &i.address);
        }
        r = r.outside(&n.outside.segment, &n.outside.address);
        if let Some(fw) = &n.firewall {
            r = r.firewall(firewall(fw));
        }
        b = b.nat(&n.name, r);
    }
    for rt in &t.routers {
        let mut r = RouterSpec::new();
        for i in &rt.inside {
            r = r.inside(&i.segment, &i.address);
        }
        r = r.outside(&rt.outside.segment, &rt.outside.address);
        if let Some(fw) = &rt.firewall {
            r = r.firewall(firewall(fw));
        }
        for route in &rt.routes {
            r = r.route(&route.prefix, &route.via);
        }
        b = b.router(&rt.name, r);
    }
    for sv in &t.servers {
        b = b.host(&sv.name, HostSpec::on(&sv.segment, &[sv.address.as_str()]));
    }
    // Links: the default applies to every host's attachments; overrides on top.
    let default = &s.links.default;
    for h in &t.hosts {
        for i in &h.interfaces {
            let ov = s
                .links
                .overrides
                .iter()
                .find(|o| o.node == h.name && o.segment == i.segment);
            let spec = ov.map_or_else(|| default.clone(), |o| o.over(default));
            let cfg = link(&spec);
            if !cfg.is_perfect() {
                b = b.link(&h.name, &i.segment, cfg);
            }
        }
    }
    for o in &s.links.overrides {
        if t.hosts.iter().any(|h| h.name == o.node) {
            continue;
        }
        b = b.link(&o.node, &o.segment, link(&o.over(&LinkSpec::default())));
    }
    for e in &s.events {
        let at = Instant::ZERO + e.at.0;
        let dir = match e.direction {
            EventDirection::Both => LinkDirection::Both,
            EventDirection::Egress => LinkDirection::Egress,
            EventDirection::Ingress => LinkDirection::Ingress,
        };
        let mut f = match e.kind {
            NetEventKind::Partition => Fault::partition(&e.node, &e.segment),
            NetEventKind::Heal => Fault::heal(&e.node, &e.segment),
            NetEventKind::Configure => Fault::configure(
                &e.node,
                &e.segment,
                link(e.link.as_ref().unwrap_or(&LinkSpec::default())),
            ),
        };
        f.direction = dir;
        b = b.fault(at, f);
    }
    let mut net = b.build().map_err(|e| format!("{e:?}"))?;
    let mut addrs = Vec::new();
    for (k, sv) in t.servers.iter().enumerate() {
        let ip: IpAddr = sv
            .address
            .parse()
            .map_err(|_| format!("bad address {}", sv.address))?;
        let listen = SocketAddr::new(ip, sv.port);
        let users = if sv.users.is_empty() {
            vec![("user".to_owned(), "pass".to_owned())]
        } else {
            sv.users
                .iter()
                .map(|u| (u.username.clone(), u.password.clone()))
                .collect()
        };
        let mut cfg = TurnServerConfig::new(listen, &sv.realm, users);
        if let Some(p) = sv.permission_lifetime {
            cfg.permission_lifetime = p.0;
        }
        if let Some(p) = sv.allocation_lifetime {
            cfg.default_lifetime = p.0;
        }
        cfg.software = None;
        if sv.kind == ServerKind::Stun {
            cfg.users = Vec::new();
        }
        let server = TurnServer::new(cfg, seed.stream(&format!("server/{k}/{}", sv.name)));
        net.attach(&sv.name, server).map_err(|e| format!("{e:?}"))?;
        addrs.push((sv.name.clone(), listen));
    }
    Ok((net, addrs))
}
