//! Which peer addresses a TURN server relays to (RFC 8656 §21.2.2, §21.3.2).
//!
//! By default the server refuses (403 Forbidden) peers in ranges that have no business being
//! reached through a public relay: loopback, unspecified, IPv4-mapped and IPv4-compatible IPv6,
//! multicast and broadcast, link-local, "this network" and the reserved class E range, deprecated
//! site-local IPv6. IPv4 addresses embedded in IPv6 by NAT64 (64:ff9b::/96) and 6to4
//! (2002::/16) are judged as the IPv4 address they carry, so a loopback address cannot slip
//! through in another spelling. Configurable allow lists override the defaults and deny lists;
//! deny lists add ranges.

use core::fmt;
use core::str::FromStr;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An address range, `ADDR/PREFIX` or a single address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cidr {
    /// The network address.
    pub addr: IpAddr,
    /// The prefix length.
    pub prefix: u8,
}

impl Cidr {
    /// A range; the prefix is clamped to the family's width.
    #[must_use]
    pub fn new(addr: IpAddr, prefix: u8) -> Self {
        let max = if addr.is_ipv4() { 32 } else { 128 };
        Self {
            addr,
            prefix: prefix.min(max),
        }
    }

    /// True when `ip` (same family) lies in the range.
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a.parse().map_err(|_| format!("`{s}`: not an IP address"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{s}`: prefix must be 0..={max}"))?,
            None => max,
        };
        Ok(Self::new(addr, prefix))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// Why a peer address is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// Loopback (127.0.0.0/8, ::1).
    Loopback,
    /// Unspecified (0.0.0.0, ::) or "this network" (0.0.0.0/8).
    Unspecified,
    /// IPv4-mapped (::ffff:0:0/96) or IPv4-compatible (::/96) IPv6.
    Ipv4InIpv6,
    /// Multicast or broadcast.
    Multicast,
    /// Link-local (169.254.0.0/16, fe80::/10) or site-local (fec0::/10).
    LinkLocal,
    /// Reserved (240.0.0.0/4), IETF protocol assignments (192.0.0.0/24).
    Reserved,
    /// In a configured deny list.
    Denied,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Loopback => "loopback",
            Self::Unspecified => "unspecified",
            Self::Ipv4InIpv6 => "IPv4 address in IPv6 spelling",
            Self::Multicast => "multicast or broadcast",
            Self::LinkLocal => "link-local",
            Self::Reserved => "reserved range",
            Self::Denied => "denied by configuration",
        })
    }
}

/// The peer-address policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeerPolicy {
    /// Allow loopback peers (and only loopback: mapped spellings stay refused). For tests on
    /// one machine.
    pub allow_loopback: bool,
    /// Ranges always allowed (override everything else).
    pub allow: Vec<Cidr>,
    /// Ranges refused in addition to the defaults.
    pub deny: Vec<Cidr>,
}

fn classify_v4(ip: Ipv4Addr) -> Option<Refusal> {
    let o = ip.octets();
    if ip.is_loopback() {
        Some(Refusal::Loopback)
    } else if o[0] == 0 {
        Some(Refusal::Unspecified)
    } else if ip.is_multicast() || ip.is_broadcast() {
        Some(Refusal::Multicast)
    } else if ip.is_link_local() {
        Some(Refusal::LinkLocal)
    } else if o[0] >= 240 || (o[0] == 192 && o[1] == 0 && o[2] == 0) {
        Some(Refusal::Reserved)
    } else {
        None
    }
}

/// The IPv4 address an IPv6 address carries, in the spellings that hide one: mapped,
/// compatible, NAT64 well-known prefix, 6to4.
#[must_use]
pub fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let o = ip.octets();
    let tail = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    if ip.is_loopback() || ip.is_unspecified() {
        return None;
    }
    if s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) {
        return Some(tail);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(tail);
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    None
}

/// The default verdict on `ip`, before allow and deny lists: which special range it is in.
#[must_use]
pub fn special_range(ip: IpAddr) -> Option<Refusal> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            if v6.is_loopback() {
                Some(Refusal::Loopback)
            } else if v6.is_unspecified() {
                Some(Refusal::Unspecified)
            } else if s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) {
                Some(Refusal::Ipv4InIpv6)
            } else if v6.is_multicast() {
                Some(Refusal::Multicast)
            } else if s[0] & 0xffc0 == 0xfe80 || s[0] & 0xffc0 == 0xfec0 {
                Some(Refusal::LinkLocal)
            } else if let Some(v4) = embedded_v4(v6) {
                classify_v4(v4)
            } else {
                None
            }
        }
    }
}

impl PeerPolicy {
    /// The default policy, optionally allowing loopback peers.
    #[must_use]
    pub fn new(allow_loopback: bool) -> Self {
        Self {
            allow_loopback,
            ..Self::default()
        }
    }

    /// Whether the server may relay to `ip`.
    ///
    /// # Errors
    /// The [`Refusal`] when it may not.
    pub fn check(&self, ip: IpAddr) -> Result<(), Refusal> {
        let alt = match ip {
            IpAddr::V6(v6) => embedded_v4(v6).map(IpAddr::V4),
            IpAddr::V4(_) => None,
        };
        if self.allow.iter().any(|c| c.contains(ip)) {
            return Ok(());
        }
        if self
            .deny
            .iter()
            .any(|c| c.contains(ip) || alt.is_some_and(|a| c.contains(a)))
        {
            return Err(Refusal::Denied);
        }
        match special_range(ip) {
            Some(Refusal::Loopback) if self.allow_loopback && alt.is_none() => Ok(()),
            Some(r) => Err(r),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(p: &PeerPolicy, s: &str) -> Option<Refusal> {
        p.check(s.parse().unwrap()).err()
    }

    #[test]
    fn default_policy_refuses_loopback_in_every_spelling() {
        let p = PeerPolicy::default();
        for s in [
            "127.0.0.1",
            "127.255.1.2",
            "::1",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::1",
        ] {
            assert!(refused(&p, s).is_some(), "{s} should be refused");
        }
    }

    #[test]
    fn default_policy_refuses_special_ranges() {
        let p = PeerPolicy::default();
        let cases = [
            ("0.0.0.0", Refusal::Unspecified),
            ("0.1.2.3", Refusal::Unspecified),
            ("::", Refusal::Unspecified),
            ("224.0.0.1", Refusal::Multicast),
            ("255.255.255.255", Refusal::Multicast),
            ("ff02::1", Refusal::Multicast),
            ("169.254.1.1", Refusal::LinkLocal),
            ("fe80::1", Refusal::LinkLocal),
            ("fec0::1", Refusal::LinkLocal),
            ("240.0.0.1", Refusal::Reserved),
            ("::ffff:192.0.2.1", Refusal::Ipv4InIpv6),
            ("64:ff9b::a9fe:101", Refusal::LinkLocal),
        ];
        for (s, r) in cases {
            assert_eq!(refused(&p, s), Some(r), "{s}");
        }
        for s in [
            "192.0.2.1",
            "198.51.100.7",
            "2001:db8::1",
            "10.1.2.3",
            "64:ff9b::c000:201",
        ] {
            assert_eq!(refused(&p, s), None, "{s}");
        }
    }

    #[test]
    fn allow_loopback_keeps_mapped_spellings_refused() {
        let p = PeerPolicy::new(true);
        assert_eq!(refused(&p, "127.0.0.2"), None);
        assert_eq!(refused(&p, "::1"), None);
        assert!(refused(&p, "::ffff:127.0.0.1").is_some());
        assert!(refused(&p, "64:ff9b::7f00:1").is_some());
    }

    #[test]
    fn allow_list_overrides_and_deny_list_adds() {
        let p = PeerPolicy {
            allow: vec!["127.0.0.0/24".parse().unwrap()],
            deny: vec![
                "198.51.100.0/24".parse().unwrap(),
                "10.0.0.0/8".parse().unwrap(),
            ],
            ..PeerPolicy::default()
        };
        assert_eq!(refused(&p, "127.0.0.9"), None);
        assert!(refused(&p, "127.0.1.9").is_some());
        assert_eq!(refused(&p, "198.51.100.9"), Some(Refusal::Denied));
        assert_eq!(refused(&p, "::ffff:10.0.0.1"), Some(Refusal::Denied));
        assert_eq!(refused(&p, "2002:0a00:0001::"), Some(Refusal::Denied));
        assert!("1.2.3.4/33".parse::<Cidr>().is_err());
        assert_eq!("::/0".parse::<Cidr>().unwrap().prefix, 0);
    }
}
