//! Candidates, their priorities and foundations, and pair priorities.
//!
//! * Candidate priority: RFC 8445 §5.1.2.1,
//!   `2^24 * type preference + 2^8 * local preference + (256 - component id)`.
//! * Type preferences: §5.1.2.2 recommends 126 host, 110 peer-reflexive, 100 server-reflexive,
//!   0 relayed.
//! * Foundations: §5.1.1.3, the same for candidates of the same type, base IP address, server
//!   and transport.
//! * Pair priority: §6.1.2.3, `2^32 * min(G, D) + 2 * max(G, D) + (G > D ? 1 : 0)`.

use core::fmt;
use std::net::{IpAddr, SocketAddr};

use harness_core::endpoint::Transport;

/// The type of a candidate (RFC 8445 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CandidateKind {
    /// An address on a local interface.
    Host,
    /// The address a STUN server saw (the NAT's public side).
    ServerReflexive,
    /// Learned from a connectivity check.
    PeerReflexive,
    /// An address on a TURN server.
    Relayed,
}

impl CandidateKind {
    /// The recommended type preference (RFC 8445 §5.1.2.2).
    #[must_use]
    pub const fn type_preference(self) -> u32 {
        match self {
            Self::Host => 126,
            Self::PeerReflexive => 110,
            Self::ServerReflexive => 100,
            Self::Relayed => 0,
        }
    }

    /// The SDP spelling (RFC 8839 §5.1): `host`, `srflx`, `prflx`, `relay`.
    #[must_use]
    pub const fn sdp_name(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::ServerReflexive => "srflx",
            Self::PeerReflexive => "prflx",
            Self::Relayed => "relay",
        }
    }

    /// Parses the SDP spelling.
    #[must_use]
    pub fn from_sdp_name(name: &str) -> Option<Self> {
        match name {
            "host" => Some(Self::Host),
            "srflx" => Some(Self::ServerReflexive),
            "prflx" => Some(Self::PeerReflexive),
            "relay" => Some(Self::Relayed),
            _ => None,
        }
    }
}

impl fmt::Display for CandidateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sdp_name())
    }
}

/// Candidate priority (RFC 8445 §5.1.2.1).
#[must_use]
pub fn candidate_priority(kind: CandidateKind, local_preference: u16, component: u16) -> u32 {
    let component = u32::from(component.clamp(1, 256));
    (kind.type_preference() << 24) | (u32::from(local_preference) << 8) | (256 - component)
}

/// Candidate pair priority (RFC 8445 §6.1.2.3): `controlling` is the priority of the
/// controlling agent's candidate, `controlled` that of the controlled agent's.
#[must_use]
pub fn pair_priority(controlling: u32, controlled: u32) -> u64 {
    let (g, d) = (u64::from(controlling), u64::from(controlled));
    (g.min(d) << 32) + 2 * g.max(d) + u64::from(g > d)
}

/// One candidate, local or remote.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// Its type.
    pub kind: CandidateKind,
    /// UDP or TCP.
    pub transport: Transport,
    /// The transport address.
    pub addr: SocketAddr,
    /// The base (RFC 8445 §4): where checks are sent from. For remote candidates, the
    /// related address when known, else the address itself.
    pub base: SocketAddr,
    /// The priority.
    pub priority: u32,
    /// The foundation (1–32 ice-chars).
    pub foundation: String,
    /// Component id (always 1 here: one data stream, RTCP multiplexed).
    pub component: u16,
    /// Related address (`raddr`/`rport`) for reflexive and relayed candidates.
    pub related: Option<SocketAddr>,
}

impl Candidate {
    /// A host candidate.
    #[must_use]
    pub fn host(addr: SocketAddr, local_preference: u16, foundation: String) -> Self {
        Self {
            kind: CandidateKind::Host,
            transport: Transport::Udp,
            addr,
            base: addr,
            priority: candidate_priority(CandidateKind::Host, local_preference, 1),
            foundation,
            component: 1,
            related: None,
        }
    }

    /// The candidate as an SDP `candidate` attribute value (RFC 8839 §5.1), without the
    /// `candidate:` prefix.
    #[must_use]
    pub fn to_sdp(&self) -> String {
        let transport = match self.transport {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        };
        let mut s = format!(
            "{} {} {} {} {} {} typ {}",
            self.foundation,
            self.component,
            transport,
            self.priority,
            self.addr.ip(),
            self.addr.port(),
            self.kind.sdp_name()
        );
        if let Some(r) = self.related {
            s.push_str(&format!(" raddr {} rport {}", r.ip(), r.port()));
        }
        s
    }

    /// Reads a candidate from an SDP `candidate` attribute value (with or without the
    /// `candidate:` / `a=candidate:` prefix). Names (mDNS, FQDN) are not resolved.
    ///
    /// # Errors
    /// A static description of what is wrong.
    pub fn from_sdp(value: &str) -> Result<Self, &'static str> {
        let c = harness_sdp::Candidate::parse(value.trim()).map_err(|_| "candidate grammar")?;
        let ip: IpAddr = c
            .address
            .parse()
            .map_err(|_| "address is not an IP literal")?;
        let transport = if c.transport.eq_ignore_ascii_case("udp") {
            Transport::Udp
        } else if c.transport.eq_ignore_ascii_case("tcp") {
            Transport::Tcp
        } else {
            return Err("unknown transport");
        };
        let kind = CandidateKind::from_sdp_name(c.kind).ok_or("unknown candidate type")?;
        let component = u16::try_from(c.component).map_err(|_| "component out of range")?;
        let priority = u32::try_from(c.priority).map_err(|_| "priority out of range")?;
        let related = match (c.related_address, c.related_port) {
            (Some(a), Some(p)) => a.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, p)),
            _ => None,
        };
        let addr = SocketAddr::new(ip, c.port);
        Ok(Self {
            kind,
            transport,
            addr,
            base: addr,
            priority,
            foundation: c.foundation.to_string(),
            component,
            related,
        })
    }
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.kind, self.transport, self.addr)
    }
}

/// Assigns foundations (RFC 8445 §5.1.1.3): one per (type, base IP, server IP, transport).
#[derive(Clone, Debug, Default)]
pub struct Foundations {
    seen: Vec<(CandidateKind, IpAddr, Option<IpAddr>, Transport)>,
}

impl Foundations {
    /// The foundation for a candidate of `kind` whose base has IP `base`, learned from
    /// `server` (none for host and peer-reflexive candidates), over `transport`.
    pub fn foundation(
        &mut self,
        kind: CandidateKind,
        base: IpAddr,
        server: Option<IpAddr>,
        transport: Transport,
    ) -> String {
        let key = (kind, base, server, transport);
        let index = match self.seen.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                self.seen.push(key);
                self.seen.len().saturating_sub(1)
            }
        };
        (index.saturating_add(1)).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_priority_follows_the_recommended_formula() {
        assert_eq!(
            candidate_priority(CandidateKind::Host, 65535, 1),
            (126 << 24) + (65535 << 8) + 255
        );
        assert_eq!(candidate_priority(CandidateKind::Relayed, 0, 1), 255);
    }

    #[test]
    fn pair_priority_breaks_ties_towards_the_controlling_side() {
        assert_eq!(pair_priority(5, 3), (3 << 32) + 10 + 1);
        assert_eq!(pair_priority(3, 5), (3 << 32) + 10);
        assert!(pair_priority(5, 3) > pair_priority(3, 5));
    }

    #[test]
    fn foundations_are_shared_by_type_base_and_server_only() {
        let mut f = Foundations::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let a = f.foundation(CandidateKind::Host, ip, None, Transport::Udp);
        let b = f.foundation(CandidateKind::Host, ip, None, Transport::Udp);
        let c = f.foundation(CandidateKind::Host, other, None, Transport::Udp);
        let d = f.foundation(
            CandidateKind::ServerReflexive,
            ip,
            Some(other),
            Transport::Udp,
        );
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn sdp_round_trip_keeps_every_field() {
        let c = Candidate {
            kind: CandidateKind::ServerReflexive,
            transport: Transport::Udp,
            addr: "203.0.113.1:4000".parse().unwrap(),
            base: "203.0.113.1:4000".parse().unwrap(),
            priority: 1_694_498_815,
            foundation: "3".into(),
            component: 1,
            related: Some("192.168.1.10:5000".parse().unwrap()),
        };
        let back = Candidate::from_sdp(&format!("candidate:{}", c.to_sdp())).unwrap();
        assert_eq!(back, c);
        assert!(Candidate::from_sdp("1 1 udp 1 host.local 9 typ host").is_err());
    }
}
