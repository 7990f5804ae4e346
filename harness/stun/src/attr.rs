//! Typed attributes: decode a [`RawAttribute`] into an [`Attribute`], and encode one back.
//!
//! Decoding is strict about the shape a value must have (length, address family, UTF-8) and
//! returns a typed [`AttrError`] otherwise; judging values against the RFC (ranges, sizes,
//! reserved bits) is the rules layer's job. Unknown types decode to [`Attribute::Unknown`].

use core::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::attributes::RawAttribute;
use crate::enums::{AttrType, ErrorCode, PasswordAlgorithm};
use crate::message::{MAGIC_COOKIE, TransactionId, be16, be32};

/// Address family byte of the address attributes (RFC 8489 §14.1).
pub const FAMILY_IPV4: u8 = 0x01;
/// Address family byte of the address attributes (RFC 8489 §14.1).
pub const FAMILY_IPV6: u8 = 0x02;

/// Why a value could not be decoded as its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttrError {
    /// The attribute overruns the message.
    Truncated,
    /// The value has the wrong length.
    BadLength {
        /// What the type requires.
        expected: &'static str,
        /// What the value has.
        got: usize,
    },
    /// An address family other than 0x01 and 0x02.
    BadFamily(u8),
    /// The address length does not fit the family.
    FamilyLengthMismatch {
        /// The family byte.
        family: u8,
        /// The value length.
        len: usize,
    },
    /// A text value is not UTF-8.
    InvalidUtf8,
}

impl fmt::Display for AttrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated => f.write_str("attribute overruns the message"),
            Self::BadLength { expected, got } => {
                write!(f, "value length {got}, expected {expected}")
            }
            Self::BadFamily(fam) => write!(f, "unknown address family 0x{fam:02x}"),
            Self::FamilyLengthMismatch { family, len } => {
                write!(f, "family 0x{family:02x} with a {len}-byte value")
            }
            Self::InvalidUtf8 => f.write_str("value is not UTF-8"),
        }
    }
}

impl std::error::Error for AttrError {}

/// ERROR-CODE or ADDRESS-ERROR-CODE contents (RFC 8489 §14.8, RFC 8656 §18.12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorValue<'a> {
    /// The Class field (3 bits): the hundreds digit.
    pub class: u8,
    /// The Number field (8 bits): the code modulo 100.
    pub number: u8,
    /// The reason phrase.
    pub reason: &'a str,
}

impl<'a> ErrorValue<'a> {
    /// The value for `code` (300 to 699) with `reason`; out-of-range codes are kept as given,
    /// class and number taken modulo 8 and 256, for tests of receivers.
    #[must_use]
    pub fn new(code: ErrorCode, reason: &'a str) -> Self {
        #[allow(clippy::cast_possible_truncation)] // reason: masked to the field widths
        Self {
            class: (code.class() & 0x07) as u8,
            number: (code.number() & 0xff) as u8,
            reason,
        }
    }

    /// `class * 100 + number`.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        ErrorCode(
            u16::from(self.class)
                .saturating_mul(100)
                .saturating_add(u16::from(self.number)),
        )
    }
}

/// A list of 16-bit values (UNKNOWN-ATTRIBUTES) as on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttrTypeList<'a>(pub &'a [u8]);

impl AttrTypeList<'_> {
    /// The attribute types listed.
    pub fn iter(&self) -> impl Iterator<Item = AttrType> + '_ {
        self.0.chunks_exact(2).map(|c| AttrType(be16(c, 0)))
    }
}

/// The PASSWORD-ALGORITHMS list as on the wire: (algorithm, parameters) records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlgorithmList<'a>(pub &'a [u8]);

impl<'a> AlgorithmList<'a> {
    /// The (algorithm, parameters) records; a truncated last record is skipped.
    pub fn iter(&self) -> impl Iterator<Item = (PasswordAlgorithm, &'a [u8])> + 'a {
        let mut rest = self.0;
        core::iter::from_fn(move || {
            let (alg, params, consumed) = read_algorithm(rest)?;
            rest = rest.get(consumed..).unwrap_or(&[]);
            Some((alg, params))
        })
    }

    /// True when the records tile the value exactly.
    #[must_use]
    pub fn is_well_formed(&self) -> bool {
        let mut rest = self.0;
        while !rest.is_empty() {
            let Some((_, _, consumed)) = read_algorithm(rest) else {
                return false;
            };
            rest = rest.get(consumed..).unwrap_or(&[]);
        }
        true
    }
}

/// Reads one (algorithm, params) record; returns it and the bytes consumed (with padding).
fn read_algorithm(buf: &[u8]) -> Option<(PasswordAlgorithm, &[u8], usize)> {
    if buf.len() < 4 {
        return None;
    }
    let alg = PasswordAlgorithm(be16(buf, 0));
    let n = usize::from(be16(buf, 2));
    let params = buf.get(4..4usize.saturating_add(n))?;
    let consumed = 4usize
        .saturating_add(crate::attributes::padded_len(n))
        .min(buf.len());
    Some((alg, params, consumed))
}

/// A decoded attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Attribute<'a> {
    /// RFC 8489 §14.1.
    MappedAddress(SocketAddr),
    /// RFC 8489 §14.2 (already un-XORed).
    XorMappedAddress(SocketAddr),
    /// RFC 8489 §14.3.
    Username(&'a str),
    /// RFC 8489 §14.4.
    Userhash(&'a [u8; 32]),
    /// RFC 8489 §14.5.
    MessageIntegrity(&'a [u8; 20]),
    /// RFC 8489 §14.6 (16 to 32 bytes).
    MessageIntegritySha256(&'a [u8]),
    /// RFC 8489 §14.7.
    Fingerprint(u32),
    /// RFC 8489 §14.8.
    ErrorCode(ErrorValue<'a>),
    /// RFC 8489 §14.9.
    Realm(&'a str),
    /// RFC 8489 §14.10.
    Nonce(&'a str),
    /// RFC 8489 §14.11.
    PasswordAlgorithms(AlgorithmList<'a>),
    /// RFC 8489 §14.12.
    PasswordAlgorithm {
        /// The algorithm.
        algorithm: PasswordAlgorithm,
        /// Its parameters.
        params: &'a [u8],
    },
    /// RFC 8489 §14.13.
    UnknownAttributes(AttrTypeList<'a>),
    /// RFC 8489 §14.14.
    Software(&'a str),
    /// RFC 8489 §14.15.
    AlternateServer(SocketAddr),
    /// RFC 8489 §14.16.
    AlternateDomain(&'a str),
    /// RFC 8445 §16.1.
    Priority(u32),
    /// RFC 8445 §16.1.
    UseCandidate,
    /// RFC 8445 §16.1: the tie-breaker.
    IceControlled(u64),
    /// RFC 8445 §16.1: the tie-breaker.
    IceControlling(u64),
    /// RFC 8656 §18.1: the channel number (the RFFU half is ignored).
    ChannelNumber(u16),
    /// RFC 8656 §18.2: seconds.
    Lifetime(u32),
    /// RFC 8656 §18.3 (already un-XORed).
    XorPeerAddress(SocketAddr),
    /// RFC 8656 §18.4.
    Data(&'a [u8]),
    /// RFC 8656 §18.5 (already un-XORed).
    XorRelayedAddress(SocketAddr),
    /// RFC 8656 §18.6: the family byte.
    RequestedAddressFamily(u8),
    /// RFC 8656 §18.7: the R bit.
    EvenPort(bool),
    /// RFC 8656 §18.8: the IP protocol number (17 = UDP).
    RequestedTransport(u8),
    /// RFC 8656 §18.9.
    DontFragment,
    /// RFC 8656 §18.10.
    ReservationToken(&'a [u8; 8]),
    /// RFC 8656 §18.11: the family byte.
    AdditionalAddressFamily(u8),
    /// RFC 8656 §18.12.
    AddressErrorCode {
        /// The family byte.
        family: u8,
        /// The error.
        error: ErrorValue<'a>,
    },
    /// RFC 8656 §18.13.
    Icmp {
        /// ICMP type.
        icmp_type: u8,
        /// ICMP code.
        icmp_code: u8,
        /// Error data.
        error_data: u32,
    },
    /// RFC 5780 §7.2.
    ChangeRequest {
        /// The "A" flag: change the IP address.
        change_ip: bool,
        /// The "B" flag: change the port.
        change_port: bool,
    },
    /// RFC 5780 §7.5.
    ResponsePort(u16),
    /// RFC 5780 §7.6.
    Padding(&'a [u8]),
    /// RFC 5780 §7.3.
    ResponseOrigin(SocketAddr),
    /// RFC 5780 §7.4.
    OtherAddress(SocketAddr),
    /// A type this crate does not decode, kept raw.
    Unknown(AttrType, &'a [u8]),
}

fn fixed<'a, const N: usize>(
    v: &'a [u8],
    expected: &'static str,
) -> Result<&'a [u8; N], AttrError> {
    v.try_into().map_err(|_| AttrError::BadLength {
        expected,
        got: v.len(),
    })
}

fn text(v: &[u8]) -> Result<&str, AttrError> {
    core::str::from_utf8(v).map_err(|_| AttrError::InvalidUtf8)
}

fn error_value(v: &[u8]) -> Result<ErrorValue<'_>, AttrError> {
    if v.len() < 4 {
        return Err(AttrError::BadLength {
            expected: "at least 4",
            got: v.len(),
        });
    }
    Ok(ErrorValue {
        class: v.get(2).map_or(0, |b| b & 0x07),
        number: v.get(3).copied().unwrap_or(0),
        reason: text(v.get(4..).unwrap_or(&[]))?,
    })
}

/// Decodes a plain address value (MAPPED-ADDRESS layout, RFC 8489 §14.1).
///
/// # Errors
/// Wrong length or family.
pub fn decode_address(v: &[u8]) -> Result<SocketAddr, AttrError> {
    let family = v.get(1).copied().ok_or(AttrError::BadLength {
        expected: "8 or 20",
        got: v.len(),
    })?;
    let port = be16(v, 2);
    let addr = v.get(4..).unwrap_or(&[]);
    let ip = match family {
        FAMILY_IPV4 => {
            let a: [u8; 4] = addr
                .try_into()
                .map_err(|_| AttrError::FamilyLengthMismatch {
                    family,
                    len: v.len(),
                })?;
            IpAddr::V4(Ipv4Addr::from(a))
        }
        FAMILY_IPV6 => {
            let a: [u8; 16] = addr
                .try_into()
                .map_err(|_| AttrError::FamilyLengthMismatch {
                    family,
                    len: v.len(),
                })?;
            IpAddr::V6(Ipv6Addr::from(a))
        }
        other => return Err(AttrError::BadFamily(other)),
    };
    Ok(SocketAddr::new(ip, port))
}

/// The 16-byte XOR mask: magic cookie then transaction id (RFC 8489 §14.2).
fn xor_mask(txid: TransactionId) -> [u8; 16] {
    let mut mask = [0u8; 16];
    let (cookie, id) = mask.split_at_mut(4);
    cookie.copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
    id.copy_from_slice(&txid.0);
    mask
}

/// XORs (or un-XORs) an address with the cookie and transaction id (RFC 8489 §14.2).
#[must_use]
pub fn xor_address(addr: SocketAddr, txid: TransactionId) -> SocketAddr {
    let mask = xor_mask(txid);
    #[allow(clippy::cast_possible_truncation)] // reason: the top half of the cookie is 16 bits
    let port = addr.port() ^ ((MAGIC_COOKIE >> 16) as u16);
    let ip = match addr.ip() {
        IpAddr::V4(v4) => {
            let mut o = v4.octets();
            for (b, m) in o.iter_mut().zip(mask) {
                *b ^= m;
            }
            IpAddr::V4(Ipv4Addr::from(o))
        }
        IpAddr::V6(v6) => {
            let mut o = v6.octets();
            for (b, m) in o.iter_mut().zip(mask) {
                *b ^= m;
            }
            IpAddr::V6(Ipv6Addr::from(o))
        }
    };
    SocketAddr::new(ip, port)
}

fn family_byte(v: &[u8]) -> Result<u8, AttrError> {
    fixed::<4>(v, "4").map(|a| a[0])
}

impl<'a> Attribute<'a> {
    /// Decodes `raw`; XOR address types need the message's transaction id.
    ///
    /// # Errors
    /// The value does not have the shape its type requires, or the attribute overruns the message.
    pub fn decode(raw: &RawAttribute<'a>, txid: TransactionId) -> Result<Self, AttrError> {
        if !raw.is_complete() {
            return Err(AttrError::Truncated);
        }
        let v = raw.value;
        Ok(match raw.ty {
            AttrType::MAPPED_ADDRESS => Self::MappedAddress(decode_address(v)?),
            AttrType::XOR_MAPPED_ADDRESS => {
                Self::XorMappedAddress(xor_address(decode_address(v)?, txid))
            }
            AttrType::USERNAME => Self::Username(text(v)?),
            AttrType::USERHASH => Self::Userhash(fixed(v, "32")?),
            AttrType::MESSAGE_INTEGRITY => Self::MessageIntegrity(fixed(v, "20")?),
            AttrType::MESSAGE_INTEGRITY_SHA256 => {
                if !(16..=32).contains(&v.len()) || !v.len().is_multiple_of(4) {
                    return Err(AttrError::BadLength {
                        expected: "16 to 32, a multiple of 4",
                        got: v.len(),
                    });
                }
                Self::MessageIntegritySha256(v)
            }
            AttrType::FINGERPRINT => Self::Fingerprint(u32::from_be_bytes(*fixed(v, "4")?)),
            AttrType::ERROR_CODE => Self::ErrorCode(error_value(v)?),
            AttrType::REALM => Self::Realm(text(v)?),
            AttrType::NONCE => Self::Nonce(text(v)?),
            AttrType::PASSWORD_ALGORITHMS => Self::PasswordAlgorithms(AlgorithmList(v)),
            AttrType::PASSWORD_ALGORITHM => {
                let (algorithm, params, _) = read_algorithm(v).ok_or(AttrError::BadLength {
                    expected: "4 plus the parameter length",
                    got: v.len(),
                })?;
                Self::PasswordAlgorithm { algorithm, params }
            }
            AttrType::UNKNOWN_ATTRIBUTES => {
                if !v.len().is_multiple_of(2) {
                    return Err(AttrError::BadLength {
                        expected: "a multiple of 2",
                        got: v.len(),
                    });
                }
                Self::UnknownAttributes(AttrTypeList(v))
            }
            AttrType::SOFTWARE => Self::Software(text(v)?),
            AttrType::ALTERNATE_SERVER => Self::AlternateServer(decode_address(v)?),
            AttrType::ALTERNATE_DOMAIN => Self::AlternateDomain(text(v)?),
            AttrType::PRIORITY => Self::Priority(u32::from_be_bytes(*fixed(v, "4")?)),
            AttrType::USE_CANDIDATE => {
                fixed::<0>(v, "0")?;
                Self::UseCandidate
            }
            AttrType::ICE_CONTROLLED => Self::IceControlled(u64::from_be_bytes(*fixed(v, "8")?)),
            AttrType::ICE_CONTROLLING => Self::IceControlling(u64::from_be_bytes(*fixed(v, "8")?)),
            AttrType::CHANNEL_NUMBER => Self::ChannelNumber(be16(fixed::<4>(v, "4")?, 0)),
            AttrType::LIFETIME => Self::Lifetime(u32::from_be_bytes(*fixed(v, "4")?)),
            AttrType::XOR_PEER_ADDRESS => {
                Self::XorPeerAddress(xor_address(decode_address(v)?, txid))
            }
            AttrType::DATA => Self::Data(v),
            AttrType::XOR_RELAYED_ADDRESS => {
                Self::XorRelayedAddress(xor_address(decode_address(v)?, txid))
            }
            AttrType::REQUESTED_ADDRESS_FAMILY => Self::RequestedAddressFamily(family_byte(v)?),
            AttrType::EVEN_PORT => Self::EvenPort(fixed::<1>(v, "1")?[0] & 0x80 != 0),
            AttrType::REQUESTED_TRANSPORT => Self::RequestedTransport(family_byte(v)?),
            AttrType::DONT_FRAGMENT => {
                fixed::<0>(v, "0")?;
                Self::DontFragment
            }
            AttrType::RESERVATION_TOKEN => Self::ReservationToken(fixed(v, "8")?),
            AttrType::ADDITIONAL_ADDRESS_FAMILY => Self::AdditionalAddressFamily(family_byte(v)?),
            AttrType::ADDRESS_ERROR_CODE => Self::AddressErrorCode {
                family: v.first().copied().unwrap_or(0),
                error: error_value(v)?,
            },
            AttrType::ICMP => {
                let a = fixed::<8>(v, "8")?;
                Self::Icmp {
                    icmp_type: a[2],
                    icmp_code: a[3],
                    error_data: be32(a, 4),
                }
            }
            AttrType::CHANGE_REQUEST => {
                let a = fixed::<4>(v, "4")?;
                Self::ChangeRequest {
                    change_ip: a[3] & 0x04 != 0,
                    change_port: a[3] & 0x02 != 0,
                }
            }
            AttrType::RESPONSE_PORT => Self::ResponsePort(be16(fixed::<4>(v, "4")?, 0)),
            AttrType::PADDING => Self::Padding(v),
            AttrType::RESPONSE_ORIGIN => Self::ResponseOrigin(decode_address(v)?),
            AttrType::OTHER_ADDRESS => Self::OtherAddress(decode_address(v)?),
            other => Self::Unknown(other, v),
        })
    }

    /// The attribute type.
    #[must_use]
    pub fn ty(&self) -> AttrType {
        match self {
            Self::MappedAddress(_) => AttrType::MAPPED_ADDRESS,
            Self::XorMappedAddress(_) => AttrType::XOR_MAPPED_ADDRESS,
            Self::Username(_) => AttrType::USERNAME,
            Self::Userhash(_) => AttrType::USERHASH,
            Self::MessageIntegrity(_) => AttrType::MESSAGE_INTEGRITY,
            Self::MessageIntegritySha256(_) => AttrType::MESSAGE_INTEGRITY_SHA256,
            Self::Fingerprint(_) => AttrType::FINGERPRINT,
            Self::ErrorCode(_) => AttrType::ERROR_CODE,
            Self::Realm(_) => AttrType::REALM,
            Self::Nonce(_) => AttrType::NONCE,
            Self::PasswordAlgorithms(_) => AttrType::PASSWORD_ALGORITHMS,
            Self::PasswordAlgorithm { .. } => AttrType::PASSWORD_ALGORITHM,
            Self::UnknownAttributes(_) => AttrType::UNKNOWN_ATTRIBUTES,
            Self::Software(_) => AttrType::SOFTWARE,
            Self::AlternateServer(_) => AttrType::ALTERNATE_SERVER,
            Self::AlternateDomain(_) => AttrType::ALTERNATE_DOMAIN,
            Self::Priority(_) => AttrType::PRIORITY,
            Self::UseCandidate => AttrType::USE_CANDIDATE,
            Self::IceControlled(_) => AttrType::ICE_CONTROLLED,
            Self::IceControlling(_) => AttrType::ICE_CONTROLLING,
            Self::ChannelNumber(_) => AttrType::CHANNEL_NUMBER,
            Self::Lifetime(_) => AttrType::LIFETIME,
            Self::XorPeerAddress(_) => AttrType::XOR_PEER_ADDRESS,
            Self::Data(_) => AttrType::DATA,
            Self::XorRelayedAddress(_) => AttrType::XOR_RELAYED_ADDRESS,
            Self::RequestedAddressFamily(_) => AttrType::REQUESTED_ADDRESS_FAMILY,
            Self::EvenPort(_) => AttrType::EVEN_PORT,
            Self::RequestedTransport(_) => AttrType::REQUESTED_TRANSPORT,
            Self::DontFragment => AttrType::DONT_FRAGMENT,
            Self::ReservationToken(_) => AttrType::RESERVATION_TOKEN,
            Self::AdditionalAddressFamily(_) => AttrType::ADDITIONAL_ADDRESS_FAMILY,
            Self::AddressErrorCode { .. } => AttrType::ADDRESS_ERROR_CODE,
            Self::Icmp { .. } => AttrType::ICMP,
            Self::ChangeRequest { .. } => AttrType::CHANGE_REQUEST,
            Self::ResponsePort(_) => AttrType::RESPONSE_PORT,
            Self::Padding(_) => AttrType::PADDING,
            Self::ResponseOrigin(_) => AttrType::RESPONSE_ORIGIN,
            Self::OtherAddress(_) => AttrType::OTHER_ADDRESS,
            Self::Unknown(t, _) => *t,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;
    use crate::test_vectors::*;

    fn raw(ty: AttrType, value: &[u8]) -> RawAttribute<'_> {
        RawAttribute {
            offset: 20,
            ty,
            declared_len: u16::try_from(value.len()).unwrap(),
            value,
            padding: &[],
        }
    }

    #[test]
    fn decodes_the_rfc5769_xor_mapped_addresses() {
        let v4 = Message::new_checked(RFC5769_IPV4_RESPONSE).unwrap();
        assert_eq!(
            v4.decode_first(AttrType::XOR_MAPPED_ADDRESS),
            Some(Ok(Attribute::XorMappedAddress(
                "192.0.2.1:32853".parse().unwrap()
            )))
        );
        let v6 = Message::new_checked(RFC5769_IPV6_RESPONSE).unwrap();
        assert_eq!(
            v6.decode_first(AttrType::XOR_MAPPED_ADDRESS),
            Some(Ok(Attribute::XorMappedAddress(
                "[2001:db8:1234:5678:11:2233:4455:6677]:32853"
                    .parse()
                    .unwrap()
            )))
        );
    }

    #[test]
    fn decodes_the_rfc5769_request_attributes() {
        let m = Message::new_checked(RFC5769_REQUEST).unwrap();
        let typed: Vec<_> = m.typed_attributes().map(|(_, t)| t.unwrap()).collect();
        assert_eq!(typed[0], Attribute::Software("STUN test client"));
        assert_eq!(typed[1], Attribute::Priority(0x6e00_01ff));
        assert_eq!(typed[2], Attribute::IceControlled(0x932f_f9b1_5126_3b36));
        assert_eq!(typed[3], Attribute::Username("evtj:h6vY"));
        assert!(matches!(typed[4], Attribute::MessageIntegrity(_)));
        assert_eq!(typed[5], Attribute::Fingerprint(0xe57a_3bcf));
    }

    #[test]
    fn decodes_the_rfc8489_b1_userhash_and_password_algorithm() {
        let m = Message::new_checked(RFC8489_B1_ERRATA).unwrap();
        assert_eq!(
            m.decode_first(AttrType::PASSWORD_ALGORITHM),
            Some(Ok(Attribute::PasswordAlgorithm {
                algorithm: PasswordAlgorithm::SHA256,
                params: &[]
            }))
        );
        assert!(matches!(
            m.decode_first(AttrType::USERHASH),
            Some(Ok(Attribute::Userhash(h))) if h[0] == 0x4a && h[31] == 0x04
        ));
    }

    #[test]
    fn rejects_unknown_address_family() {
        assert_eq!(
            Attribute::decode(
                &raw(AttrType::MAPPED_ADDRESS, &[0, 3, 0, 1, 1, 2, 3, 4]),
                TransactionId::default()
            ),
            Err(AttrError::BadFamily(3))
        );
    }

    #[test]
    fn rejects_ipv4_family_with_ipv6_length() {
        let v = [0u8, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            Attribute::decode(
                &raw(AttrType::XOR_MAPPED_ADDRESS, &v),
                TransactionId::default()
            ),
            Err(AttrError::FamilyLengthMismatch { family: 1, len: 20 })
        );
    }

    #[test]
    fn rejects_wrong_fixed_lengths_and_bad_utf8() {
        let t = TransactionId::default();
        assert_eq!(
            Attribute::decode(&raw(AttrType::FINGERPRINT, &[1, 2]), t),
            Err(AttrError::BadLength {
                expected: "4",
                got: 2
            })
        );
        assert_eq!(
            Attribute::decode(&raw(AttrType::MESSAGE_INTEGRITY_SHA256, &[0; 18]), t),
            Err(AttrError::BadLength {
                expected: "16 to 32, a multiple of 4",
                got: 18
            })
        );
        assert_eq!(
            Attribute::decode(&raw(AttrType::USERNAME, &[0xc3, 0x28]), t),
            Err(AttrError::InvalidUtf8)
        );
        assert_eq!(
            Attribute::decode(&raw(AttrType::UNKNOWN_ATTRIBUTES, &[0, 1, 0]), t),
            Err(AttrError::BadLength {
                expected: "a multiple of 2",
                got: 3
            })
        );
    }

    #[test]
    fn rejects_truncated_attributes() {
        let a = RawAttribute {
            offset: 20,
            ty: AttrType::SOFTWARE,
            declared_len: 10,
            value: b"abc",
            padding: &[],
        };
        assert_eq!(
            Attribute::decode(&a, TransactionId::default()),
            Err(AttrError::Truncated)
        );
    }

    #[test]
    fn keeps_unknown_types_raw_and_lists_password_algorithms() {
        let t = TransactionId::default();
        assert_eq!(
            Attribute::decode(&raw(AttrType(0xC0DE), b"xyz"), t),
            Ok(Attribute::Unknown(AttrType(0xC0DE), b"xyz"))
        );
        let list = [0, 1, 0, 0, 0, 2, 0, 0];
        let Ok(Attribute::PasswordAlgorithms(algs)) =
            Attribute::decode(&raw(AttrType::PASSWORD_ALGORITHMS, &list), t)
        else {
            unreachable!("PASSWORD-ALGORITHMS did not decode");
        };
        let ids: Vec<_> = algs.iter().map(|(a, _)| a).collect();
        assert_eq!(ids, [PasswordAlgorithm::MD5, PasswordAlgorithm::SHA256]);
        assert!(algs.is_well_formed());
        assert!(!AlgorithmList(&[0, 1, 0, 9]).is_well_formed());
    }
}
