//! Firewalls: ordered rule chains with stateful allow-established, and presets.
//!
//! A firewall sits on a router (packets arriving on an inside interface are
//! [`Direction::Outbound`], on the outside one [`Direction::Inbound`]) or on a host (sent
//! packets are outbound, received ones inbound). Rules are evaluated in order; the first match
//! decides; otherwise the default policy does. With `allow_established`, a packet of a flow
//! that an allowed packet opened passes before any rule is consulted (both directions).

use core::time::Duration;
use std::net::SocketAddr;

use harness_core::endpoint::Transport;
use harness_core::time::Instant;

use crate::addr::Prefix;
use crate::packet::{L4, Packet, TcpFlags};
use harness_core::hash::FastMap;

/// Which way a packet crosses the firewall.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the protected side out.
    Outbound,
    /// From outside in.
    Inbound,
}

/// What a rule does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Let it through.
    Allow,
    /// Drop it silently.
    Deny,
    /// Drop it and tell the sender (a TCP RST for TCP; UDP is dropped like `Deny`, since
    /// ICMP is not modelled).
    Reject,
}

/// One rule. Unset fields match anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Direction.
    pub direction: Option<Direction>,
    /// Transport.
    pub transport: Option<Transport>,
    /// Source prefix.
    pub src: Option<Prefix>,
    /// Destination prefix.
    pub dst: Option<Prefix>,
    /// Source ports, inclusive.
    pub src_ports: Option<(u16, u16)>,
    /// Destination ports, inclusive.
    pub dst_ports: Option<(u16, u16)>,
    /// What to do on a match.
    pub action: Action,
}

impl Rule {
    /// A rule matching everything, with this action; narrow it with the setters.
    #[must_use]
    pub const fn new(action: Action) -> Self {
        Self {
            direction: None,
            transport: None,
            src: None,
            dst: None,
            src_ports: None,
            dst_ports: None,
            action,
        }
    }
    /// Matches one direction only.
    #[must_use]
    pub const fn direction(mut self, d: Direction) -> Self {
        self.direction = Some(d);
        self
    }
    /// Matches one transport only.
    #[must_use]
    pub const fn transport(mut self, t: Transport) -> Self {
        self.transport = Some(t);
        self
    }
    /// Matches sources in a prefix.
    #[must_use]
    pub const fn src(mut self, p: Prefix) -> Self {
        self.src = Some(p);
        self
    }
    /// Matches destinations in a prefix.
    #[must_use]
    pub const fn dst(mut self, p: Prefix) -> Self {
        self.dst = Some(p);
        self
    }
    /// Matches source ports in `lo..=hi`.
    #[must_use]
    pub const fn src_ports(mut self, lo: u16, hi: u16) -> Self {
        self.src_ports = Some((lo, hi));
        self
    }
    /// Matches destination ports in `lo..=hi`.
    #[must_use]
    pub const fn dst_ports(mut self, lo: u16, hi: u16) -> Self {
        self.dst_ports = Some((lo, hi));
        self
    }

    fn matches(&self, dir: Direction, p: &Packet) -> bool {
        let in_range =
            |r: Option<(u16, u16)>, port: u16| r.is_none_or(|(lo, hi)| (lo..=hi).contains(&port));
        self.direction.is_none_or(|d| d == dir)
            && self.transport.is_none_or(|t| t == p.l4.transport())
            && self.src.is_none_or(|s| s.contains(p.src.ip()))
            && self.dst.is_none_or(|s| s.contains(p.dst.ip()))
            && in_range(self.src_ports, p.src.port())
            && in_range(self.dst_ports, p.dst.port())
    }
}

/// A firewall configuration: ordered rules, a default policy, stateful allow-established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Firewall {
    /// Rules, first match wins.
    pub rules: Vec<Rule>,
    /// What happens when no rule matches.
    pub default: Action,
    /// Let packets of flows opened by an allowed packet through, both ways.
    pub allow_established: bool,
    /// Idle timeout of a tracked UDP flow.
    pub udp_timeout: Duration,
    /// Idle timeout of a tracked TCP flow.
    pub tcp_timeout: Duration,
}

impl Default for Firewall {
    fn default() -> Self {
        Self::new(Action::Allow)
    }
}

impl Firewall {
    /// No rules, the given default policy, allow-established on.
    #[must_use]
    pub const fn new(default: Action) -> Self {
        Self {
            rules: Vec::new(),
            default,
            allow_established: true,
            udp_timeout: Duration::from_secs(300),
            tcp_timeout: Duration::from_secs(7440),
        }
    }

    /// Appends a rule.
    #[must_use]
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Preset: all UDP is blocked both ways; everything else allowed.
    #[must_use]
    pub fn udp_blocked() -> Self {
        Self::new(Action::Allow).rule(Rule::new(Action::Deny).transport(Transport::Udp))
    }

    /// Preset: only outbound TCP to port 443 (and its replies) gets through.
    #[must_use]
    pub fn tcp_443_only() -> Self {
        Self::new(Action::Deny).rule(
            Rule::new(Action::Allow)
                .direction(Direction::Outbound)
                .transport(Transport::Tcp)
                .dst_ports(443, 443),
        )
    }

    /// Preset: anything outbound, and inbound only as part of an outbound-initiated flow.
    #[must_use]
    pub fn outbound_only() -> Self {
        Self::new(Action::Deny).rule(Rule::new(Action::Allow).direction(Direction::Outbound))
    }
}

/// The verdict of a firewall on one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FirewallVerdict {
    Allow,
    /// Denied or rejected by `rule` (`None` = default policy); `reject` asks for a RST.
    Refuse {
        rule: Option<usize>,
        reject: bool,
    },
}

type FlowKey = (Transport, SocketAddr, SocketAddr);

/// A firewall with its connection-tracking table.
#[derive(Debug)]
pub(crate) struct FirewallState {
    pub(crate) config: Firewall,
    flows: FastMap<FlowKey, Instant>,
}

impl FirewallState {
    pub(crate) fn new(config: Firewall) -> Self {
        Self {
            config,
            flows: FastMap::default(),
        }
    }

    /// Judges a packet; `(inside, outside)` orientation comes from `dir`.
    pub(crate) fn check(&mut self, now: Instant, dir: Direction, p: &Packet) -> FirewallVerdict {
        let transport = p.l4.transport();
        let key = match dir {
            Direction::Outbound => (transport, p.src, p.dst),
            Direction::Inbound => (transport, p.dst, p.src),
        };
        let flags = match p.l4 {
            L4::Tcp(h) => h.flags,
            L4::Udp => TcpFlags::default(),
        };
        let timeout = match transport {
            Transport::Udp => self.config.udp_timeout,
            Transport::Tcp => self.config.tcp_timeout,
        };
        if self.config.allow_established
            && let Some(expires) = self.flows.get_mut(&key)
        {
            if *expires > now {
                *expires = now + timeout;
                if flags.contains(TcpFlags::RST) {
                    self.flows.remove(&key);
                }
                return FirewallVerdict::Allow;
            }
            self.flows.remove(&key);
        }
        let (rule, action) = self
            .config
            .rules
            .iter()
            .enumerate()
            .find(|(_, r)| r.matches(dir, p))
            .map_or((None, self.config.default), |(i, r)| (Some(i), r.action));
        match action {
            Action::Allow => {
                // A flow opens on any allowed UDP packet, or on a TCP SYN.
                let opens = transport == Transport::Udp || flags.contains(TcpFlags::SYN);
                if self.config.allow_established && opens {
                    self.flows.insert(key, now + timeout);
                }
                FirewallVerdict::Allow
            }
            Action::Deny => FirewallVerdict::Refuse {
                rule,
                reject: false,
            },
            Action::Reject => FirewallVerdict::Refuse { rule, reject: true },
        }
    }
}
