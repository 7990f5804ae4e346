//! NAT behaviour per RFC 4787 (UDP) and RFC 5382 (TCP): the knobs.

use core::fmt;
use core::time::Duration;
use std::net::IpAddr;

/// Mapping or filtering dependence (RFC 4787 §4.1 and §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dependence {
    /// Endpoint-independent: one mapping per internal endpoint / any remote may send.
    EndpointIndependent,
    /// Address-dependent: per remote IP address.
    AddressDependent,
    /// Address-and-port-dependent: per remote IP address and port.
    AddressAndPortDependent,
}

impl Dependence {
    /// The three behaviours, least restrictive first.
    pub const ALL: [Self; 3] = [
        Self::EndpointIndependent,
        Self::AddressDependent,
        Self::AddressAndPortDependent,
    ];

    /// Short name as used in RFC 4787 (`EIM`-style without the last letter): `EI`, `AD`, `APD`.
    #[must_use]
    pub const fn short(self) -> &'static str {
        match self {
            Self::EndpointIndependent => "EI",
            Self::AddressDependent => "AD",
            Self::AddressAndPortDependent => "APD",
        }
    }
}

impl fmt::Display for Dependence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::EndpointIndependent => "endpoint-independent",
            Self::AddressDependent => "address-dependent",
            Self::AddressAndPortDependent => "address-and-port-dependent",
        })
    }
}

/// How a NAT picks the external port of a new mapping (RFC 4787 §4.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortAssignment {
    /// Keep the internal port when it is free; otherwise fall back to a random free port
    /// (no port overloading, REQ-3).
    Preserve,
    /// The next free port after the last one handed out.
    Sequential,
    /// A random free port.
    Random,
}

impl fmt::Display for PortAssignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Preserve => "preserving",
            Self::Sequential => "sequential",
            Self::Random => "random",
        })
    }
}

/// How a NAT with several external addresses picks one (RFC 4787 §4.1, REQ-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pooling {
    /// Every mapping of one internal address uses the same external address.
    Paired,
    /// Each new mapping picks any external address.
    Arbitrary,
}

/// Which traffic keeps a mapping alive (RFC 4787 §4.3, REQ-6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refresh {
    /// Only packets from inside to outside refresh.
    Outbound,
    /// Packets in both directions refresh.
    Bidirectional,
}

/// Hairpinning (RFC 4787 §6).
///
/// A hairpinned packet leaves through the sender's mapping (created per the mapping
/// behaviour, so with address-dependent mapping towards the NAT's own address it is a new
/// one) and is then filtered by the target mapping as if it had arrived from outside. With
/// dependent mapping *and* dependent filtering the RFC 5780 self-hairpin test therefore fails
/// even when hairpinning is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hairpinning {
    /// Packets from inside to one of the NAT's own external endpoints are dropped.
    Off,
    /// They are looped back inside; `source_translated` says whether their source becomes
    /// the sender's external mapping (REQ-9 b) or stays the internal address.
    On {
        /// Rewrite the source to the external mapping.
        source_translated: bool,
    },
}

/// The behaviour of one NAPT, per RFC 4787 and RFC 5382. The defaults follow the RFCs'
/// recommendations (endpoint-independent mapping and filtering, port preservation, paired
/// pooling, hairpinning with translated source, outbound refresh, 5 min UDP timeout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NatConfig {
    /// Mapping behaviour (§4.1).
    pub mapping: Dependence,
    /// Filtering behaviour (§5).
    pub filtering: Dependence,
    /// Port assignment (§4.2.1).
    pub port_assignment: PortAssignment,
    /// Keep the parity of the internal port (§4.2.2).
    pub port_parity: bool,
    /// External ports to use, inclusive.
    pub port_range: (u16, u16),
    /// Address pooling (§4.1).
    pub pooling: Pooling,
    /// Hairpinning (§6).
    pub hairpinning: Hairpinning,
    /// Mapping refresh direction (§4.3).
    pub refresh: Refresh,
    /// UDP mapping timeout (§4.3 REQ-5: at least 2 min, 5 min recommended).
    pub udp_timeout: Duration,
    /// TCP established-connection idle timeout (RFC 5382 REQ-5: at least 2 h 4 min).
    pub tcp_established_timeout: Duration,
    /// TCP transitory timeout (before the handshake completes, after FIN or RST; RFC 5382 §5: 4 min).
    pub tcp_transitory_timeout: Duration,
    /// Filter unsolicited inbound IPv6 (no translation) with [`NatConfig::filtering`].
    pub ipv6_stateful_filtering: bool,
    /// 1:1 static translations `(inside, outside)`; these addresses bypass NAPT and filtering.
    pub static_mappings: Vec<(IpAddr, IpAddr)>,
}

impl Default for NatConfig {
    fn default() -> Self {
        Self::new(
            Dependence::EndpointIndependent,
            Dependence::EndpointIndependent,
        )
    }
}

impl NatConfig {
    /// A NAT with the given mapping and filtering, everything else at the RFC 4787 defaults.
    #[must_use]
    pub const fn new(mapping: Dependence, filtering: Dependence) -> Self {
        Self {
            mapping,
            filtering,
            port_assignment: PortAssignment::Preserve,
            port_parity: false,
            port_range: (1024, 65535),
            pooling: Pooling::Paired,
            hairpinning: Hairpinning::On {
                source_translated: true,
            },
            refresh: Refresh::Outbound,
            udp_timeout: Duration::from_secs(300),
            tcp_established_timeout: Duration::from_secs(7440),
            tcp_transitory_timeout: Duration::from_secs(240),
            ipv6_stateful_filtering: true,
            static_mappings: Vec::new(),
        }
    }

    /// "Full cone": EIM + EIF.
    #[must_use]
    pub const fn full_cone() -> Self {
        Self::new(
            Dependence::EndpointIndependent,
            Dependence::EndpointIndependent,
        )
    }

    /// "Restricted cone": EIM + ADF.
    #[must_use]
    pub const fn restricted_cone() -> Self {
        Self::new(
            Dependence::EndpointIndependent,
            Dependence::AddressDependent,
        )
    }

    /// "Port-restricted cone": EIM + APDF (the RFC 4787 recommendation for security).
    #[must_use]
    pub const fn port_restricted_cone() -> Self {
        Self::new(
            Dependence::EndpointIndependent,
            Dependence::AddressAndPortDependent,
        )
    }

    /// "Symmetric": APDM + APDF with random ports.
    #[must_use]
    pub const fn symmetric() -> Self {
        let mut c = Self::new(
            Dependence::AddressAndPortDependent,
            Dependence::AddressAndPortDependent,
        );
        c.port_assignment = PortAssignment::Random;
        c
    }

    /// A carrier-grade NAT per RFC 6888: EIM, APDF, paired pooling, hairpinning, random ports.
    #[must_use]
    pub const fn carrier_grade() -> Self {
        let mut c = Self::port_restricted_cone();
        c.port_assignment = PortAssignment::Random;
        c
    }

    /// Sets the port assignment.
    #[must_use]
    pub const fn ports(mut self, assignment: PortAssignment) -> Self {
        self.port_assignment = assignment;
        self
    }

    /// Keeps port parity (§4.2.2).
    #[must_use]
    pub const fn parity(mut self, keep: bool) -> Self {
        self.port_parity = keep;
        self
    }

    /// Sets hairpinning.
    #[must_use]
    pub const fn hairpin(mut self, hairpinning: Hairpinning) -> Self {
        self.hairpinning = hairpinning;
        self
    }

    /// Sets the UDP mapping timeout.
    #[must_use]
    pub const fn udp_timeout(mut self, timeout: Duration) -> Self {
        self.udp_timeout = timeout;
        self
    }

    /// Sets the refresh direction.
    #[must_use]
    pub const fn refresh(mut self, refresh: Refresh) -> Self {
        self.refresh = refresh;
        self
    }

    /// Sets the pooling behaviour.
    #[must_use]
    pub const fn pooling(mut self, pooling: Pooling) -> Self {
        self.pooling = pooling;
        self
    }

    /// Adds a static 1:1 translation.
    #[must_use]
    pub fn static_mapping(mut self, inside: IpAddr, outside: IpAddr) -> Self {
        self.static_mappings.push((inside, outside));
        self
    }
}

/// A NAT behaviour name that [`core::str::FromStr`] did not recognise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownName(pub &'static str);

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} name", self.0)
    }
}

impl std::error::Error for UnknownName {}

impl core::str::FromStr for Dependence {
    type Err = UnknownName;
    /// Accepts the RFC 4787 long names and the usual abbreviations, in any case:
    /// `endpoint-independent` / `ei` / `eim` / `eif`, `address-dependent` / `ad` / `adm` /
    /// `adf`, `address-and-port-dependent` / `apd` / `apdm` / `apdf`.
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        match s.to_ascii_lowercase().as_str() {
            "endpoint-independent" | "ei" | "eim" | "eif" => Ok(Self::EndpointIndependent),
            "address-dependent" | "ad" | "adm" | "adf" => Ok(Self::AddressDependent),
            "address-and-port-dependent" | "apd" | "apdm" | "apdf" => {
                Ok(Self::AddressAndPortDependent)
            }
            _ => Err(UnknownName("mapping/filtering behaviour")),
        }
    }
}

impl core::str::FromStr for PortAssignment {
    type Err = UnknownName;
    /// `preserve` (or `preserving`), `sequential`, `random`.
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        match s.to_ascii_lowercase().as_str() {
            "preserve" | "preserving" => Ok(Self::Preserve),
            "sequential" => Ok(Self::Sequential),
            "random" => Ok(Self::Random),
            _ => Err(UnknownName("port assignment")),
        }
    }
}

impl core::str::FromStr for Pooling {
    type Err = UnknownName;
    /// `paired` or `arbitrary`.
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        match s.to_ascii_lowercase().as_str() {
            "paired" => Ok(Self::Paired),
            "arbitrary" => Ok(Self::Arbitrary),
            _ => Err(UnknownName("pooling")),
        }
    }
}

impl core::str::FromStr for Refresh {
    type Err = UnknownName;
    /// `outbound` or `bidirectional` (also `both`).
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        match s.to_ascii_lowercase().as_str() {
            "outbound" => Ok(Self::Outbound),
            "bidirectional" | "both" => Ok(Self::Bidirectional),
            _ => Err(UnknownName("refresh direction")),
        }
    }
}

impl core::str::FromStr for Hairpinning {
    type Err = UnknownName;
    /// `off`, `on` (source translated), `on-untranslated` (source kept).
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        match s.to_ascii_lowercase().as_str() {
            "off" => Ok(Self::Off),
            "on" | "on-translated" => Ok(Self::On {
                source_translated: true,
            }),
            "on-untranslated" => Ok(Self::On {
                source_translated: false,
            }),
            _ => Err(UnknownName("hairpinning mode")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaviour_names_parse_in_long_and_short_forms() {
        assert_eq!("EIM".parse(), Ok(Dependence::EndpointIndependent));
        assert_eq!(
            "address-dependent".parse(),
            Ok(Dependence::AddressDependent)
        );
        assert_eq!("apdf".parse(), Ok(Dependence::AddressAndPortDependent));
        assert!("cone".parse::<Dependence>().is_err());
        assert_eq!("Random".parse(), Ok(PortAssignment::Random));
        assert_eq!("paired".parse(), Ok(Pooling::Paired));
        assert_eq!("both".parse(), Ok(Refresh::Bidirectional));
        assert_eq!(
            "on-untranslated".parse(),
            Ok(Hairpinning::On {
                source_translated: false
            })
        );
    }
}
