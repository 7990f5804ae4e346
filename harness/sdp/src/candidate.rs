//! The ICE `candidate` attribute (RFC 8839 §5.1).
//!
//! ```text
//! candidate-attribute = "candidate" ":" foundation SP component-id SP transport SP priority SP
//!                       connection-address SP port SP cand-type [SP rel-addr] [SP rel-port]
//!                       *(SP cand-extension)
//! ```
//!
//! [`Candidate::parse`] reads the grammar's shape (how many fields, which are numbers) and
//! keeps each field as written. Limits that the grammar states in prose (component 1–256,
//! priority 1–2^31-1, foundation of 1–32 ice-chars) are the rules' business.

use core::fmt;
use core::net::IpAddr;

use crate::fields::{FieldError, Fields, digits_u64, token};

/// What the connection-address of a candidate is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressKind {
    /// An IPv4 literal.
    Ipv4,
    /// An IPv6 literal.
    Ipv6,
    /// An mDNS name (`<uuid>.local`).
    Mdns,
    /// Any other name (an FQDN).
    Fqdn,
}

/// Classifies a connection-address.
#[must_use]
pub fn address_kind(address: &str) -> AddressKind {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => AddressKind::Ipv4,
        Ok(IpAddr::V6(_)) => AddressKind::Ipv6,
        Err(_) if has_suffix_ignore_case(address, ".local") => AddressKind::Mdns,
        Err(_) => AddressKind::Fqdn,
    }
}

fn has_suffix_ignore_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.get(s.len().saturating_sub(suffix.len())..)
            .is_some_and(|t| t.eq_ignore_ascii_case(suffix))
}

/// A candidate, fields as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate<'a> {
    /// Foundation (1–32 ice-chars).
    pub foundation: &'a str,
    /// Component id (1–256).
    pub component: u32,
    /// Transport (`UDP`, `TCP`; case-insensitive in practice).
    pub transport: &'a str,
    /// Priority (1–2^31-1).
    pub priority: u64,
    /// Connection address: IPv4, IPv6, or a name.
    pub address: &'a str,
    /// Port.
    pub port: u16,
    /// Type after `typ` (`host`, `srflx`, `prflx`, `relay`, or an extension token).
    pub kind: &'a str,
    /// `raddr`, when given.
    pub related_address: Option<&'a str>,
    /// `rport`, when given.
    pub related_port: Option<u16>,
    /// The extensions after the fixed fields, as written (`tcptype active generation 0`).
    pub extensions: &'a str,
}

fn number<T: TryFrom<u64>>(s: &str, what: &'static str) -> Result<T, FieldError> {
    digits_u64(s)
        .and_then(|n| T::try_from(n).ok())
        .ok_or(FieldError::BadNumber(what))
}

impl<'a> Candidate<'a> {
    /// Parses a candidate value (after `candidate:`). A leading `candidate:` is accepted too,
    /// as trickled candidates carry it.
    ///
    /// # Errors
    /// A [`FieldError`] naming the sub-field that breaks the grammar.
    pub fn parse(value: &'a str) -> Result<Self, FieldError> {
        let value = value.strip_prefix("a=").unwrap_or(value);
        let value = value.strip_prefix("candidate:").unwrap_or(value);
        let mut it = Fields::new(value);
        let foundation = token(&mut it, "foundation")?;
        let component = number(token(&mut it, "component-id")?, "component-id")?;
        let transport = token(&mut it, "transport")?;
        let priority = number(token(&mut it, "priority")?, "priority")?;
        let address = token(&mut it, "connection-address")?;
        let port = number(token(&mut it, "port")?, "port")?;
        if token(&mut it, "typ")? != "typ" {
            return Err(FieldError::Missing("typ"));
        }
        let kind = token(&mut it, "cand-type")?;
        // The rest is optional raddr/rport pairs followed by extension pairs.
        let mut related_address = None;
        let mut related_port = None;
        let mut extensions: Option<&'a str> = None;
        loop {
            let before = it.remainder();
            let Some(name) = it.next() else { break };
            if name.is_empty() {
                return Err(FieldError::Empty("cand-extension"));
            }
            let val = it
                .next()
                .ok_or(FieldError::Missing("extension-att-value"))?;
            match name {
                "raddr" if related_address.is_none() && extensions.is_none() => {
                    related_address = Some(val);
                }
                "rport" if related_port.is_none() && extensions.is_none() => {
                    related_port = Some(number(val, "rel-port")?);
                }
                _ => {
                    extensions.get_or_insert(before);
                }
            }
        }
        let extensions = extensions.unwrap_or("");
        Ok(Self {
            foundation,
            component,
            transport,
            priority,
            address,
            port,
            kind,
            related_address,
            related_port,
            extensions,
        })
    }

    /// Extension name/value pairs (`generation 0`, `tcptype active`, `network-id 1`).
    pub fn extension_pairs(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let mut it = self.extensions.split(' ').filter(|s| !s.is_empty());
        core::iter::from_fn(move || Some((it.next()?, it.next().unwrap_or(""))))
    }

    /// The value of extension `name`.
    #[must_use]
    pub fn extension(&self, name: &str) -> Option<&'a str> {
        self.extension_pairs()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// `tcptype` (RFC 6544): `active`, `passive`, `so`.
    #[must_use]
    pub fn tcp_type(&self) -> Option<&'a str> {
        self.extension("tcptype")
    }

    /// `generation` (libwebrtc).
    #[must_use]
    pub fn generation(&self) -> Option<u64> {
        self.extension("generation").and_then(digits_u64)
    }

    /// `ufrag` (libwebrtc).
    #[must_use]
    pub fn ufrag(&self) -> Option<&'a str> {
        self.extension("ufrag")
    }

    /// `network-id` (libwebrtc).
    #[must_use]
    pub fn network_id(&self) -> Option<u64> {
        self.extension("network-id").and_then(digits_u64)
    }

    /// `network-cost` (libwebrtc).
    #[must_use]
    pub fn network_cost(&self) -> Option<u64> {
        self.extension("network-cost").and_then(digits_u64)
    }

    /// What the address is.
    #[must_use]
    pub fn address_kind(&self) -> AddressKind {
        address_kind(self.address)
    }

    /// True for a TCP candidate.
    #[must_use]
    pub fn is_tcp(&self) -> bool {
        self.transport.eq_ignore_ascii_case("tcp")
    }
}

impl fmt::Display for Candidate<'_> {
    /// Writes the value as it goes after `a=candidate:`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {} typ {}",
            self.foundation,
            self.component,
            self.transport,
            self.priority,
            self.address,
            self.port,
            self.kind
        )?;
        if let Some(a) = self.related_address {
            write!(f, " raddr {a}")?;
        }
        if let Some(p) = self.related_port {
            write!(f, " rport {p}")?;
        }
        if !self.extensions.is_empty() {
            write!(f, " {}", self.extensions)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_srflx_candidate_with_extensions() {
        let c = Candidate::parse(
            "842163049 1 udp 1677729535 203.0.113.7 55235 typ srflx raddr 10.0.0.2 rport 55235 generation 0 ufrag abcd network-id 1 network-cost 10",
        )
        .unwrap();
        assert_eq!(c.component, 1);
        assert_eq!(c.kind, "srflx");
        assert_eq!(c.related_address, Some("10.0.0.2"));
        assert_eq!(c.related_port, Some(55235));
        assert_eq!(c.generation(), Some(0));
        assert_eq!(c.ufrag(), Some("abcd"));
        assert_eq!(c.network_cost(), Some(10));
        assert_eq!(c.address_kind(), AddressKind::Ipv4);
    }

    #[test]
    fn parses_tcp_and_mdns_candidates() {
        let c = Candidate::parse(
            "candidate:1 1 TCP 1518280447 4e4d9f30-8c1b-4a3a-9c7b-7b3c1d1e2f3a.local 9 typ host tcptype active",
        )
        .unwrap();
        assert!(c.is_tcp());
        assert_eq!(c.tcp_type(), Some("active"));
        assert_eq!(c.address_kind(), AddressKind::Mdns);
        assert_eq!(address_kind("2001:db8::1"), AddressKind::Ipv6);
    }

    #[test]
    fn rejects_broken_candidates() {
        assert_eq!(
            Candidate::parse("1 1 udp 5 1.2.3.4 9 host"),
            Err(FieldError::Missing("typ"))
        );
        assert_eq!(
            Candidate::parse("1 x udp 5 1.2.3.4 9 typ host"),
            Err(FieldError::BadNumber("component-id"))
        );
        assert_eq!(
            Candidate::parse("1 1 udp 5 1.2.3.4 9 typ host generation"),
            Err(FieldError::Missing("extension-att-value"))
        );
    }

    #[test]
    fn display_writes_the_value_back() {
        let text = "1 1 UDP 2130706431 192.0.2.1 5000 typ host generation 0";
        assert_eq!(Candidate::parse(text).unwrap().to_string(), text);
    }
}
