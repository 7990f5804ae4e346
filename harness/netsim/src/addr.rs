//! Address prefixes and routing-table lookups.

use core::fmt;
use core::str::FromStr;
use std::net::IpAddr;

/// An IP prefix such as `192.168.1.0/24` or `2001:db8::/32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Prefix {
    addr: IpAddr,
    len: u8,
}

/// Why a prefix did not parse or was invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrefixError {
    /// The address part is not an IP address.
    BadAddress,
    /// The length is not a number or longer than the address.
    BadLength,
}

impl fmt::Display for PrefixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BadAddress => "prefix: bad address",
            Self::BadLength => "prefix: bad length",
        })
    }
}

impl std::error::Error for PrefixError {}

impl Prefix {
    /// A prefix of `len` bits; host bits of `addr` are cleared.
    pub fn new(addr: IpAddr, len: u8) -> Result<Self, PrefixError> {
        let max = if addr.is_ipv4() { 32 } else { 128 };
        if len > max {
            return Err(PrefixError::BadLength);
        }
        Ok(Self {
            addr: mask(addr, len),
            len,
        })
    }

    /// Every IPv4 address (`0.0.0.0/0`).
    pub const ANY_V4: Self = Self {
        addr: IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        len: 0,
    };

    /// Every IPv6 address (`::/0`).
    pub const ANY_V6: Self = Self {
        addr: IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
        len: 0,
    };

    /// The single address `addr` (`/32` or `/128`).
    #[must_use]
    pub fn host(addr: IpAddr) -> Self {
        Self {
            addr,
            len: if addr.is_ipv4() { 32 } else { 128 },
        }
    }

    /// The network address.
    #[must_use]
    pub const fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length in bits.
    #[must_use]
    pub const fn len(&self) -> u8 {
        self.len
    }

    /// True for `/0`.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `ip` lies inside the prefix (never across address families).
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        ip.is_ipv4() == self.addr.is_ipv4() && mask(ip, self.len) == self.addr
    }
}

fn mask(addr: IpAddr, len: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => {
            let bits = u32::from(a);
            let m = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(a) => {
            let bits = u128::from(a);
            let m = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            IpAddr::V6((bits & m).into())
        }
    }
}

impl FromStr for Prefix {
    type Err = PrefixError;
    fn from_str(s: &str) -> Result<Self, PrefixError> {
        let (addr, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| PrefixError::BadAddress)?;
        match len {
            Some(l) => Self::new(addr, l.parse().map_err(|_| PrefixError::BadLength)?),
            None => Ok(Self::host(addr)),
        }
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// Longest-prefix match over `(prefix, value)` pairs; the first of equal lengths wins.
pub(crate) fn longest_match<T>(table: &[(Prefix, T)], ip: IpAddr) -> Option<&T> {
    let mut best: Option<(u8, &T)> = None;
    for (p, v) in table {
        if p.contains(ip) && best.is_none_or(|(l, _)| p.len > l) {
            best = Some((p.len, v));
        }
    }
    best.map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_contains() {
        let p: Prefix = "192.168.1.77/24".parse().unwrap();
        assert_eq!(p.to_string(), "192.168.1.0/24");
        assert!(p.contains("192.168.1.200".parse().unwrap()));
        assert!(!p.contains("192.168.2.1".parse().unwrap()));
        assert!(!p.contains("::1".parse().unwrap()));
        assert!(Prefix::ANY_V6.contains("2001:db8::1".parse().unwrap()));
        assert_eq!("10.0.0.0/33".parse::<Prefix>(), Err(PrefixError::BadLength));
    }

    #[test]
    fn longest_match_prefers_the_most_specific() {
        let t = vec![
            (Prefix::ANY_V4, 0),
            ("10.0.0.0/8".parse().unwrap(), 1),
            ("10.1.0.0/16".parse().unwrap(), 2),
        ];
        assert_eq!(longest_match(&t, "10.1.2.3".parse().unwrap()), Some(&2));
        assert_eq!(longest_match(&t, "10.2.2.3".parse().unwrap()), Some(&1));
        assert_eq!(longest_match(&t, "8.8.8.8".parse().unwrap()), Some(&0));
        assert_eq!(longest_match(&t, "::1".parse().unwrap()), None);
    }
}
