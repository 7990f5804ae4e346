//! Encoding typed attributes into value bytes (the inverse of [`Attribute::decode`]).

use std::net::{IpAddr, SocketAddr};

use crate::attr::{Attribute, ErrorValue, FAMILY_IPV4, FAMILY_IPV6, xor_address};
use crate::message::TransactionId;

/// Appends a plain address value (RFC 8489 §14.1 layout).
pub fn encode_address(addr: SocketAddr, out: &mut Vec<u8>) {
    out.push(0);
    match addr.ip() {
        IpAddr::V4(v4) => {
            out.push(FAMILY_IPV4);
            out.extend_from_slice(&addr.port().to_be_bytes());
            out.extend_from_slice(&v4.octets());
        }
        IpAddr::V6(v6) => {
            out.push(FAMILY_IPV6);
            out.extend_from_slice(&addr.port().to_be_bytes());
            out.extend_from_slice(&v6.octets());
        }
    }
}

fn encode_error(e: &ErrorValue<'_>, first: u8, out: &mut Vec<u8>) {
    out.extend_from_slice(&[first, 0, e.class & 0x07, e.number]);
    out.extend_from_slice(e.reason.as_bytes());
}

impl Attribute<'_> {
    /// Appends the value bytes (no header, no padding) to `out`. XOR address types use `txid`.
    pub fn encode_value(&self, txid: TransactionId, out: &mut Vec<u8>) {
        match *self {
            Self::MappedAddress(a)
            | Self::AlternateServer(a)
            | Self::ResponseOrigin(a)
            | Self::OtherAddress(a) => encode_address(a, out),
            Self::XorMappedAddress(a) | Self::XorPeerAddress(a) | Self::XorRelayedAddress(a) => {
                encode_address(xor_address(a, txid), out);
            }
            Self::Username(s)
            | Self::Realm(s)
            | Self::Nonce(s)
            | Self::Software(s)
            | Self::AlternateDomain(s) => out.extend_from_slice(s.as_bytes()),
            Self::Userhash(h) => out.extend_from_slice(h),
            Self::MessageIntegrity(h) => out.extend_from_slice(h),
            Self::MessageIntegritySha256(h) | Self::Data(h) | Self::Padding(h) => {
                out.extend_from_slice(h);
            }
            Self::Fingerprint(v) | Self::Priority(v) | Self::Lifetime(v) => {
                out.extend_from_slice(&v.to_be_bytes());
            }
            Self::ErrorCode(ref e) => encode_error(e, 0, out),
            Self::PasswordAlgorithms(list) => out.extend_from_slice(list.0),
            Self::PasswordAlgorithm { algorithm, params } => {
                out.extend_from_slice(&algorithm.0.to_be_bytes());
                let n = u16::try_from(params.len()).unwrap_or(u16::MAX);
                out.extend_from_slice(&n.to_be_bytes());
                out.extend_from_slice(params.get(..usize::from(n)).unwrap_or(params));
                let pad =
                    crate::attributes::padded_len(usize::from(n)).saturating_sub(usize::from(n));
                out.extend(core::iter::repeat_n(0u8, pad));
            }
            Self::UnknownAttributes(list) => out.extend_from_slice(list.0),
            Self::UseCandidate | Self::DontFragment => {}
            Self::IceControlled(v) | Self::IceControlling(v) => {
                out.extend_from_slice(&v.to_be_bytes());
            }
            Self::ChannelNumber(c) => {
                out.extend_from_slice(&c.to_be_bytes());
                out.extend_from_slice(&[0, 0]);
            }
            Self::RequestedAddressFamily(f)
            | Self::AdditionalAddressFamily(f)
            | Self::RequestedTransport(f) => out.extend_from_slice(&[f, 0, 0, 0]),
            Self::EvenPort(r) => out.push(if r { 0x80 } else { 0 }),
            Self::ReservationToken(t) => out.extend_from_slice(t),
            Self::AddressErrorCode { family, ref error } => encode_error(error, family, out),
            Self::Icmp {
                icmp_type,
                icmp_code,
                error_data,
            } => {
                out.extend_from_slice(&[0, 0, icmp_type, icmp_code]);
                out.extend_from_slice(&error_data.to_be_bytes());
            }
            Self::ChangeRequest {
                change_ip,
                change_port,
            } => {
                let flags = if change_ip { 0x04 } else { 0 } | if change_port { 0x02 } else { 0 };
                out.extend_from_slice(&[0, 0, 0, flags]);
            }
            Self::ResponsePort(p) => {
                out.extend_from_slice(&p.to_be_bytes());
                out.extend_from_slice(&[0, 0]);
            }
            Self::Unknown(_, v) => out.extend_from_slice(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attributes::RawAttribute;
    use crate::enums::{AttrType, PasswordAlgorithm};

    fn round_trip(a: Attribute<'_>) {
        let txid = TransactionId([7; 12]);
        let mut v = Vec::new();
        a.encode_value(txid, &mut v);
        let raw = RawAttribute {
            offset: 20,
            ty: a.ty(),
            declared_len: u16::try_from(v.len()).unwrap(),
            value: &v,
            padding: &[],
        };
        assert_eq!(Attribute::decode(&raw, txid), Ok(a), "{a:?}");
    }

    #[test]
    fn typed_attributes_round_trip_through_their_value_bytes() {
        let v4: SocketAddr = "192.0.2.1:32853".parse().unwrap();
        let v6: SocketAddr = "[2001:db8:1234:5678:11:2233:4455:6677]:32853"
            .parse()
            .unwrap();
        for a in [
            Attribute::MappedAddress(v4),
            Attribute::XorMappedAddress(v6),
            Attribute::XorPeerAddress(v4),
            Attribute::XorRelayedAddress(v6),
            Attribute::AlternateServer(v6),
            Attribute::ResponseOrigin(v4),
            Attribute::OtherAddress(v4),
            Attribute::Username("evtj:h6vY"),
            Attribute::Userhash(&[3; 32]),
            Attribute::MessageIntegrity(&[1; 20]),
            Attribute::MessageIntegritySha256(&[2; 24]),
            Attribute::Fingerprint(0xdead_beef),
            Attribute::ErrorCode(ErrorValue {
                class: 4,
                number: 20,
                reason: "Unknown Attribute",
            }),
            Attribute::Realm("example.org"),
            Attribute::Nonce("n"),
            Attribute::PasswordAlgorithm {
                algorithm: PasswordAlgorithm::SHA256,
                params: &[],
            },
            Attribute::Software("x"),
            Attribute::AlternateDomain("example.net"),
            Attribute::Priority(0x6e00_01ff),
            Attribute::UseCandidate,
            Attribute::IceControlled(0x932f_f9b1_5126_3b36),
            Attribute::IceControlling(1),
            Attribute::ChannelNumber(0x4000),
            Attribute::Lifetime(600),
            Attribute::Data(b"hello"),
            Attribute::RequestedAddressFamily(FAMILY_IPV6),
            Attribute::EvenPort(true),
            Attribute::RequestedTransport(17),
            Attribute::DontFragment,
            Attribute::ReservationToken(&[9; 8]),
            Attribute::AdditionalAddressFamily(FAMILY_IPV6),
            Attribute::AddressErrorCode {
                family: FAMILY_IPV4,
                error: ErrorValue {
                    class: 4,
                    number: 40,
                    reason: "",
                },
            },
            Attribute::Icmp {
                icmp_type: 3,
                icmp_code: 1,
                error_data: 5,
            },
            Attribute::ChangeRequest {
                change_ip: true,
                change_port: false,
            },
            Attribute::ResponsePort(3478),
            Attribute::Padding(&[0; 7]),
            Attribute::Unknown(AttrType(0xC001), b"raw"),
        ] {
            round_trip(a);
        }
    }
}
