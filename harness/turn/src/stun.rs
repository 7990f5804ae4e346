//! The slice of STUN (RFC 8489) that TURN and RFC 5780 need: a zero-copy message view, a
//! builder with MESSAGE-INTEGRITY and FINGERPRINT, long-term credential keys, and the address
//! attributes.
//!
//! This module adapts the project's STUN codec, [`harness_stun`], to the `u16`-typed interface
//! the TURN code was written against: header checks, the attribute walk, address encoding,
//! MESSAGE-INTEGRITY, FINGERPRINT and key derivation all happen in `harness_stun`. What stays
//! here is the strict acceptance ([`Message::parse`] refuses what `harness_stun` represents)
//! and the TURN view of which attributes count ([`Message::effective`]).
//!
//! The view is lenient about attribute contents (it represents what is on the wire); judging
//! is left to [`crate::rules`] and to the server's policy.
//!
//! # Fuzzing
//!
//! Nothing here panics on any input; allocation is bounded by the input length (one entry per
//! four bytes at most).

use core::fmt;
use std::net::SocketAddr;

use harness_core::credentials::PasswordPrep;
use harness_stun::integrity::{self, Check};
use harness_stun::{
    AttrError, AttrType, Attribute, ErrorValue, Key, Method, PasswordAlgorithm, RawAttribute,
    TransactionId,
};

pub use harness_stun::{HEADER_LEN, MAGIC_COOKIE};

/// STUN methods used by TURN (RFC 8489 §18.2, RFC 8656 §17), as `u16` ([`Method`] values).
pub mod method {
    use harness_stun::Method;

    /// Binding.
    pub const BINDING: u16 = Method::BINDING.0;
    /// Allocate.
    pub const ALLOCATE: u16 = Method::ALLOCATE.0;
    /// Refresh.
    pub const REFRESH: u16 = Method::REFRESH.0;
    /// Send (indication only).
    pub const SEND: u16 = Method::SEND.0;
    /// Data (indication only).
    pub const DATA: u16 = Method::DATA.0;
    /// CreatePermission.
    pub const CREATE_PERMISSION: u16 = Method::CREATE_PERMISSION.0;
    /// ChannelBind.
    pub const CHANNEL_BIND: u16 = Method::CHANNEL_BIND.0;
}

/// Attribute types (RFC 8489 §18.3, RFC 8656 §18, RFC 5780 §7), as `u16` ([`AttrType`] values).
#[allow(missing_docs, reason = "the names are the IANA registry's")]
pub mod attr {
    use harness_stun::AttrType;

    pub const MAPPED_ADDRESS: u16 = AttrType::MAPPED_ADDRESS.0;
    pub const CHANGE_REQUEST: u16 = AttrType::CHANGE_REQUEST.0;
    pub const USERNAME: u16 = AttrType::USERNAME.0;
    pub const MESSAGE_INTEGRITY: u16 = AttrType::MESSAGE_INTEGRITY.0;
    pub const ERROR_CODE: u16 = AttrType::ERROR_CODE.0;
    pub const UNKNOWN_ATTRIBUTES: u16 = AttrType::UNKNOWN_ATTRIBUTES.0;
    pub const CHANNEL_NUMBER: u16 = AttrType::CHANNEL_NUMBER.0;
    pub const LIFETIME: u16 = AttrType::LIFETIME.0;
    pub const XOR_PEER_ADDRESS: u16 = AttrType::XOR_PEER_ADDRESS.0;
    pub const DATA: u16 = AttrType::DATA.0;
    pub const REALM: u16 = AttrType::REALM.0;
    pub const NONCE: u16 = AttrType::NONCE.0;
    pub const XOR_RELAYED_ADDRESS: u16 = AttrType::XOR_RELAYED_ADDRESS.0;
    pub const REQUESTED_ADDRESS_FAMILY: u16 = AttrType::REQUESTED_ADDRESS_FAMILY.0;
    pub const EVEN_PORT: u16 = AttrType::EVEN_PORT.0;
    pub const REQUESTED_TRANSPORT: u16 = AttrType::REQUESTED_TRANSPORT.0;
    pub const DONT_FRAGMENT: u16 = AttrType::DONT_FRAGMENT.0;
    pub const MESSAGE_INTEGRITY_SHA256: u16 = AttrType::MESSAGE_INTEGRITY_SHA256.0;
    pub const PASSWORD_ALGORITHM: u16 = AttrType::PASSWORD_ALGORITHM.0;
    pub const USERHASH: u16 = AttrType::USERHASH.0;
    pub const XOR_MAPPED_ADDRESS: u16 = AttrType::XOR_MAPPED_ADDRESS.0;
    pub const RESERVATION_TOKEN: u16 = AttrType::RESERVATION_TOKEN.0;
    pub const PRIORITY: u16 = AttrType::PRIORITY.0;
    pub const USE_CANDIDATE: u16 = AttrType::USE_CANDIDATE.0;
    pub const PADDING: u16 = AttrType::PADDING.0;
    pub const RESPONSE_PORT: u16 = AttrType::RESPONSE_PORT.0;
    pub const ADDITIONAL_ADDRESS_FAMILY: u16 = AttrType::ADDITIONAL_ADDRESS_FAMILY.0;
    pub const ADDRESS_ERROR_CODE: u16 = AttrType::ADDRESS_ERROR_CODE.0;
    pub const PASSWORD_ALGORITHMS: u16 = AttrType::PASSWORD_ALGORITHMS.0;
    pub const ALTERNATE_DOMAIN: u16 = AttrType::ALTERNATE_DOMAIN.0;
    pub const ICMP: u16 = AttrType::ICMP.0;
    pub const SOFTWARE: u16 = AttrType::SOFTWARE.0;
    pub const ALTERNATE_SERVER: u16 = AttrType::ALTERNATE_SERVER.0;
    pub const FINGERPRINT: u16 = AttrType::FINGERPRINT.0;
    pub const ICE_CONTROLLED: u16 = AttrType::ICE_CONTROLLED.0;
    pub const ICE_CONTROLLING: u16 = AttrType::ICE_CONTROLLING.0;
    pub const RESPONSE_ORIGIN: u16 = AttrType::RESPONSE_ORIGIN.0;
    pub const OTHER_ADDRESS: u16 = AttrType::OTHER_ADDRESS.0;
}

/// The class of a message (RFC 8489 §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// A request.
    Request,
    /// An indication.
    Indication,
    /// A success response.
    Success,
    /// An error response.
    Error,
}

impl Class {
    const fn to_stun(self) -> harness_stun::Class {
        match self {
            Self::Request => harness_stun::Class::Request,
            Self::Indication => harness_stun::Class::Indication,
            Self::Success => harness_stun::Class::Success,
            Self::Error => harness_stun::Class::Error,
        }
    }

    const fn from_stun(class: harness_stun::Class) -> Self {
        match class {
            harness_stun::Class::Request => Self::Request,
            harness_stun::Class::Indication => Self::Indication,
            harness_stun::Class::Success => Self::Success,
            harness_stun::Class::Error => Self::Error,
        }
    }
}

/// Why bytes are not a STUN message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StunError {
    /// Shorter than the 20-byte header.
    Truncated(&'static str),
    /// The two leading bits are not zero.
    NotStun,
    /// The magic cookie is wrong.
    BadCookie,
    /// The header length disagrees with the bytes present.
    LengthMismatch,
    /// An attribute runs past the end of the message.
    AttributeOverrun,
    /// An attribute value has the wrong size or content.
    BadAttribute(&'static str),
}

impl fmt::Display for StunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated(what) => write!(f, "truncated {what}"),
            Self::NotStun => f.write_str("leading bits are not 00"),
            Self::BadCookie => f.write_str("magic cookie is not 0x2112a442"),
            Self::LengthMismatch => f.write_str("header length disagrees with the message size"),
            Self::AttributeOverrun => f.write_str("attribute runs past the end of the message"),
            Self::BadAttribute(what) => write!(f, "malformed {what}"),
        }
    }
}

impl std::error::Error for StunError {}

/// One attribute: its type, offset of its header, and value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawAttr<'a> {
    /// Attribute type.
    pub typ: u16,
    /// Offset of the attribute header in the message.
    pub offset: usize,
    /// The value (without padding).
    pub value: &'a [u8],
}

impl<'a> RawAttr<'a> {
    /// The same attribute as `harness_stun` walks it (complete, so the padding is not needed
    /// by any decoder).
    fn to_stun(self) -> RawAttribute<'a> {
        RawAttribute {
            offset: self.offset,
            ty: AttrType(self.typ),
            declared_len: u16::try_from(self.value.len()).unwrap_or(u16::MAX),
            value: self.value,
            padding: &[],
        }
    }
}

/// A parsed STUN message (a view over the bytes).
#[derive(Clone, Debug)]
pub struct Message<'a> {
    view: harness_stun::Message<'a>,
    attrs: Vec<RawAttr<'a>>,
}

/// True when `bytes` starts like a STUN message (leading bits 00, cookie present).
#[must_use]
pub fn looks_like_stun(bytes: &[u8]) -> bool {
    harness_stun::Message::new_checked(bytes)
        .is_ok_and(|m| m.top_bits() == 0 && m.cookie() == MAGIC_COOKIE)
}

impl<'a> Message<'a> {
    /// Parses one message that fills `bytes` exactly.
    ///
    /// # Errors
    /// A [`StunError`] naming what is wrong.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, StunError> {
        let view = harness_stun::Message::new_checked(bytes)
            .map_err(|_| StunError::Truncated("header"))?;
        let problems = view.problems();
        if problems.top_bits_set {
            return Err(StunError::NotStun);
        }
        if problems.bad_cookie {
            return Err(StunError::BadCookie);
        }
        if problems.length_not_multiple_of_4
            || problems.length_exceeds_datagram
            || problems.trailing_bytes != 0
        {
            return Err(StunError::LengthMismatch);
        }
        let mut attrs = Vec::new();
        for a in view.attributes() {
            let a = a.map_err(|_| StunError::AttributeOverrun)?;
            if !a.is_complete() {
                return Err(StunError::AttributeOverrun);
            }
            attrs.push(RawAttr {
                typ: a.ty.0,
                offset: a.offset,
                value: a.value,
            });
        }
        Ok(Self { view, attrs })
    }

    /// The bytes of the whole message.
    #[must_use]
    pub fn bytes(&self) -> &'a [u8] {
        self.view.as_bytes()
    }

    /// The message type field.
    #[must_use]
    pub fn message_type(&self) -> u16 {
        self.view.raw_type()
    }

    /// The method (12 bits).
    #[must_use]
    pub fn method(&self) -> u16 {
        self.view.method().0
    }

    /// The class.
    #[must_use]
    pub fn class(&self) -> Class {
        Class::from_stun(self.view.class())
    }

    /// The transaction id.
    #[must_use]
    pub fn transaction_id(&self) -> [u8; 12] {
        self.view.transaction_id().0
    }

    /// Every attribute, in order, including any after MESSAGE-INTEGRITY.
    #[must_use]
    pub fn attributes(&self) -> &[RawAttr<'a>] {
        &self.attrs
    }

    /// Attributes that count: those before MESSAGE-INTEGRITY(-SHA256), plus a FINGERPRINT
    /// (RFC 8489 §14.5: everything else after the integrity attribute is ignored).
    pub fn effective(&self) -> impl Iterator<Item = &RawAttr<'a>> {
        let mut seen_integrity = false;
        self.attrs.iter().filter(move |a| {
            let keep = !seen_integrity || a.typ == attr::FINGERPRINT;
            if matches!(
                a.typ,
                attr::MESSAGE_INTEGRITY | attr::MESSAGE_INTEGRITY_SHA256
            ) {
                let first = !seen_integrity;
                seen_integrity = true;
                return first;
            }
            keep
        })
    }

    fn effective_attr(&self, typ: u16) -> Option<&RawAttr<'a>> {
        self.effective().find(|a| a.typ == typ)
    }

    /// The value of the first effective attribute of type `typ`.
    #[must_use]
    pub fn get(&self, typ: u16) -> Option<&'a [u8]> {
        self.effective_attr(typ).map(|a| a.value)
    }

    /// True when an effective attribute of type `typ` is present.
    #[must_use]
    pub fn has(&self, typ: u16) -> bool {
        self.get(typ).is_some()
    }

    /// Every effective value of attribute `typ` (XOR-PEER-ADDRESS may repeat).
    pub fn all(&self, typ: u16) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.effective()
            .filter(move |a| a.typ == typ)
            .map(|a| a.value)
    }

    /// A UTF-8 attribute (USERNAME, REALM, NONCE, SOFTWARE).
    #[must_use]
    pub fn text(&self, typ: u16) -> Option<&'a str> {
        core::str::from_utf8(self.get(typ)?).ok()
    }

    /// A 32-bit attribute (LIFETIME).
    #[must_use]
    pub fn u32_attr(&self, typ: u16) -> Option<u32> {
        <[u8; 4]>::try_from(self.get(typ)?)
            .ok()
            .map(u32::from_be_bytes)
    }

    /// An XOR-encoded address attribute.
    #[must_use]
    pub fn xor_address(&self, typ: u16) -> Option<SocketAddr> {
        decode_xor_address(self.get(typ)?, &self.transaction_id()).ok()
    }

    /// A plain address attribute (MAPPED-ADDRESS, OTHER-ADDRESS, RESPONSE-ORIGIN).
    #[must_use]
    pub fn address(&self, typ: u16) -> Option<SocketAddr> {
        decode_address(self.get(typ)?).ok()
    }

    /// The error code of an error response (ERROR-CODE), with its reason phrase (empty when
    /// the phrase is not UTF-8).
    #[must_use]
    pub fn error_code(&self) -> Option<(u16, &'a str)> {
        let raw = self.effective_attr(attr::ERROR_CODE)?.to_stun();
        let txid = self.view.transaction_id();
        let e = match Attribute::decode(&raw, txid) {
            Ok(Attribute::ErrorCode(e)) => e,
            Err(AttrError::InvalidUtf8) => {
                // The code alone: the same value without its phrase.
                let code_only = RawAttribute {
                    value: raw.value.get(..4)?,
                    declared_len: 4,
                    ..raw
                };
                match Attribute::decode(&code_only, txid) {
                    Ok(Attribute::ErrorCode(e)) => e,
                    _ => return None,
                }
            }
            _ => return None,
        };
        let code = u16::from(e.class)
            .checked_mul(100)?
            .checked_add(u16::from(e.number))?;
        Some((code, e.reason))
    }

    /// The types of comprehension-required attributes (below 0x8000) not in `known`.
    #[must_use]
    pub fn unknown_required(&self, known: &[u16]) -> Vec<u16> {
        let mut out: Vec<u16> = self
            .effective()
            .map(|a| a.typ)
            .filter(|t| *t < 0x8000 && !known.contains(t))
            .collect();
        out.dedup();
        out
    }

    /// Checks MESSAGE-INTEGRITY (HMAC-SHA1) with `key`: `None` when absent.
    #[must_use]
    pub fn check_integrity(&self, key: &[u8]) -> Option<bool> {
        check_to_option(integrity::check_message_integrity(
            &self.view,
            &Key::from_bytes(key),
        ))
    }

    /// Checks FINGERPRINT: `None` when absent.
    #[must_use]
    pub fn check_fingerprint(&self) -> Option<bool> {
        check_to_option(integrity::check_fingerprint(&self.view))
    }
}

/// `None` for an absent attribute, otherwise whether it checked out.
fn check_to_option(check: Check) -> Option<bool> {
    match check {
        Check::Absent => None,
        Check::Ok => Some(true),
        Check::Fail | Check::Malformed => Some(false),
    }
}

/// The long-term credential key: MD5(username ":" realm ":" password) (RFC 8489 §9.2.2).
/// Realm and password are used as given (no SASLprep or OpaqueString; both leave ASCII
/// unchanged); callers that need a preparation use [`harness_stun::Key::long_term`].
#[must_use]
pub fn long_term_key(username: &str, realm: &str, password: &str) -> [u8; 16] {
    // Without preparation and with MD5 the derivation cannot fail and yields 16 bytes.
    harness_stun::long_term_key_bytes(
        username,
        realm,
        password,
        PasswordPrep::None,
        PasswordAlgorithm::MD5,
    )
    .ok()
    .and_then(|k| <[u8; 16]>::try_from(k).ok())
    .unwrap_or_default()
}

/// Decodes an XOR-encoded address value (RFC 8489 §14.2).
///
/// # Errors
/// [`StunError::BadAttribute`] when the family or length is wrong.
pub fn decode_xor_address(v: &[u8], txid: &[u8; 12]) -> Result<SocketAddr, StunError> {
    let plain = decode_address(v).map_err(|_| StunError::BadAttribute("XOR address"))?;
    Ok(harness_stun::xor_address(plain, TransactionId(*txid)))
}

/// Decodes a plain address value (MAPPED-ADDRESS layout).
///
/// # Errors
/// [`StunError::BadAttribute`] when the family or length is wrong.
pub fn decode_address(v: &[u8]) -> Result<SocketAddr, StunError> {
    if v.len() < 4 {
        return Err(StunError::BadAttribute("address"));
    }
    harness_stun::decode_address(v).map_err(|_| StunError::BadAttribute("address family or length"))
}

/// Encodes a plain address value (MAPPED-ADDRESS layout).
#[must_use]
pub fn encode_address(addr: SocketAddr) -> Vec<u8> {
    let mut v = Vec::with_capacity(20);
    harness_stun::encode_address(addr, &mut v);
    v
}

/// The type field for `method` and `class` (RFC 8489 §5).
#[must_use]
pub const fn message_type(method: u16, class: Class) -> u16 {
    harness_stun::compose_type(class.to_stun(), Method(method))
}

/// Longest attribute value the length field can carry; longer values are cut to it.
const MAX_VALUE_LEN: usize = u16::MAX as usize;

/// Builds a STUN message attribute by attribute.
///
/// A message whose body outgrows the 16-bit length field cannot be encoded: [`Self::build`]
/// and [`Self::fingerprint`] then return no bytes.
#[derive(Clone, Debug)]
pub struct MessageBuilder {
    inner: harness_stun::MessageBuilder,
}

impl MessageBuilder {
    /// A message of `method` and `class` with transaction id `txid`.
    #[must_use]
    pub fn new(method: u16, class: Class, txid: [u8; 12]) -> Self {
        Self {
            inner: harness_stun::MessageBuilder::new(
                class.to_stun(),
                Method(method),
                TransactionId(txid),
            ),
        }
    }

    /// The transaction id.
    #[must_use]
    pub fn transaction_id(&self) -> [u8; 12] {
        self.inner.transaction_id().0
    }

    /// Appends a raw attribute (padded to four bytes; values are cut to 65535 bytes).
    #[must_use]
    pub fn raw(self, typ: u16, value: &[u8]) -> Self {
        let value = value.get(..MAX_VALUE_LEN).unwrap_or(value);
        Self {
            inner: self.inner.raw(AttrType(typ), value),
        }
    }

    /// Appends a text attribute.
    #[must_use]
    pub fn text(self, typ: u16, value: &str) -> Self {
        self.raw(typ, value.as_bytes())
    }

    /// Appends a 32-bit attribute.
    #[must_use]
    pub fn u32(self, typ: u16, value: u32) -> Self {
        self.raw(typ, &value.to_be_bytes())
    }

    /// Appends an XOR-encoded address attribute.
    #[must_use]
    pub fn xor_address(self, typ: u16, addr: SocketAddr) -> Self {
        // XOR is its own inverse: the encoded value is the plain layout of the XORed address.
        let xored = harness_stun::xor_address(addr, self.inner.transaction_id());
        self.address(typ, xored)
    }

    /// Appends a plain address attribute.
    #[must_use]
    pub fn address(self, typ: u16, addr: SocketAddr) -> Self {
        self.raw(typ, &encode_address(addr))
    }

    /// Appends ERROR-CODE.
    #[must_use]
    pub fn error(self, code: u16, reason: &str) -> Self {
        let value = Attribute::ErrorCode(ErrorValue {
            class: u8::try_from(code / 100).unwrap_or(0) & 7,
            number: u8::try_from(code % 100).unwrap_or(0),
            reason,
        });
        Self {
            inner: self.inner.attr(value),
        }
    }

    /// Appends MESSAGE-INTEGRITY keyed with `key`.
    #[must_use]
    pub fn integrity(self, key: &[u8]) -> Self {
        Self {
            inner: self.inner.message_integrity(&Key::from_bytes(key)),
        }
    }

    /// Appends FINGERPRINT and returns the bytes.
    #[must_use]
    pub fn fingerprint(self) -> Vec<u8> {
        Self {
            inner: self.inner.fingerprint(),
        }
        .build()
    }

    /// The bytes, without FINGERPRINT.
    #[must_use]
    pub fn build(self) -> Vec<u8> {
        self.inner.build().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_message_parses_and_verifies() {
        let key = long_term_key("alice", "example.org", "secret");
        let peer: SocketAddr = "[2001:db8::1]:5000".parse().unwrap();
        let bytes = MessageBuilder::new(method::ALLOCATE, Class::Request, [7; 12])
            .u32(attr::REQUESTED_TRANSPORT, 17 << 24)
            .xor_address(attr::XOR_PEER_ADDRESS, peer)
            .text(attr::USERNAME, "alice")
            .integrity(&key)
            .fingerprint();
        let m = Message::parse(&bytes).unwrap();
        assert_eq!(m.method(), method::ALLOCATE);
        assert_eq!(m.class(), Class::Request);
        assert_eq!(m.check_integrity(&key), Some(true));
        assert_eq!(m.check_integrity(b"wrong"), Some(false));
        assert_eq!(m.check_fingerprint(), Some(true));
        assert_eq!(m.xor_address(attr::XOR_PEER_ADDRESS), Some(peer));
        assert_eq!(m.text(attr::USERNAME), Some("alice"));
    }

    #[test]
    fn attributes_after_integrity_are_ignored() {
        let bytes = MessageBuilder::new(method::BINDING, Class::Request, [1; 12])
            .integrity(b"k")
            .text(attr::USERNAME, "late")
            .build();
        let m = Message::parse(&bytes).unwrap();
        assert!(!m.has(attr::USERNAME));
        assert_eq!(m.attributes().len(), 2);
    }

    #[test]
    fn rejects_overrunning_attribute_and_bad_cookie() {
        let mut bytes = MessageBuilder::new(method::BINDING, Class::Request, [1; 12])
            .text(attr::SOFTWARE, "abcd")
            .build();
        bytes[22] = 0;
        bytes[23] = 9;
        assert_eq!(
            Message::parse(&bytes).err(),
            Some(StunError::AttributeOverrun)
        );
        bytes[4] = 0;
        assert_eq!(Message::parse(&bytes).err(), Some(StunError::BadCookie));
        assert!(Message::parse(&bytes[..10]).is_err());
    }

    /// RFC 5769 §2.3 Sample IPv6 Response (short-term password "VOkJxbRl1RmTxUk/WvJxBt").
    const RFC5769_IPV6_RESPONSE: &[u8] =
        include_bytes!("../../../vectors/stun/rfc/rfc5769_2.3_sample_ipv6_response.bin");
    /// RFC 5769 §2.4 Sample Request with Long-Term Authentication.
    const RFC5769_LONG_TERM: &[u8] =
        include_bytes!("../../../vectors/stun/rfc/rfc5769_2.4_sample_request_long_term_auth.bin");

    #[test]
    fn rfc5769_ipv6_response_decodes_and_verifies() {
        let m = Message::parse(RFC5769_IPV6_RESPONSE).unwrap();
        assert_eq!(m.method(), method::BINDING);
        assert_eq!(m.class(), Class::Success);
        let mapped: SocketAddr = "[2001:db8:1234:5678:11:2233:4455:6677]:32853"
            .parse()
            .unwrap();
        assert_eq!(m.xor_address(attr::XOR_MAPPED_ADDRESS), Some(mapped));
        assert_eq!(m.check_integrity(b"VOkJxbRl1RmTxUk/WvJxBt"), Some(true));
        assert_eq!(m.check_fingerprint(), Some(true));
    }

    #[test]
    fn rfc5769_long_term_request_verifies_with_the_long_term_key() {
        // §2.4: the password "The<U+00AD>M<U+00AA>tr<U+2168>" is "TheMatrIX" after SASLprep.
        let username = "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}";
        let m = Message::parse(RFC5769_LONG_TERM).unwrap();
        assert_eq!(m.text(attr::USERNAME), Some(username));
        assert_eq!(m.text(attr::REALM), Some("example.org"));
        let key = long_term_key(username, "example.org", "TheMatrIX");
        assert_eq!(m.check_integrity(&key), Some(true));
        let wrong = long_term_key(username, "example.org", "thematrix");
        assert_eq!(m.check_integrity(&wrong), Some(false));
    }

    #[test]
    fn error_code_with_a_non_utf8_reason_keeps_the_code() {
        let bytes = MessageBuilder::new(method::ALLOCATE, Class::Error, [2; 12])
            .raw(attr::ERROR_CODE, &[0, 0, 4, 1, 0xFF, 0xFE])
            .build();
        let m = Message::parse(&bytes).unwrap();
        assert_eq!(m.error_code(), Some((401, "")));
        let short = MessageBuilder::new(method::ALLOCATE, Class::Error, [2; 12])
            .raw(attr::ERROR_CODE, &[0, 0, 4])
            .build();
        assert_eq!(Message::parse(&short).unwrap().error_code(), None);
    }

    #[test]
    fn header_errors_are_named_in_order() {
        let good = MessageBuilder::new(method::BINDING, Class::Request, [1; 12])
            .text(attr::SOFTWARE, "abcd")
            .build();
        assert_eq!(
            Message::parse(&good[..19]).err(),
            Some(StunError::Truncated("header"))
        );
        let mut not_stun = good.clone();
        not_stun[0] |= 0x80;
        not_stun[4] = 0;
        assert_eq!(Message::parse(&not_stun).err(), Some(StunError::NotStun));
        assert!(!looks_like_stun(&not_stun));
        let mut trailing = good.clone();
        trailing.extend_from_slice(&[0; 4]);
        assert_eq!(
            Message::parse(&trailing).err(),
            Some(StunError::LengthMismatch)
        );
        let mut odd_length = good.clone();
        odd_length[3] = 7;
        odd_length.truncate(27);
        assert_eq!(
            Message::parse(&odd_length).err(),
            Some(StunError::LengthMismatch)
        );
        assert!(looks_like_stun(&good));
    }

    #[test]
    fn address_values_round_trip_and_reject_bad_lengths() {
        let v4: SocketAddr = "192.0.2.1:32853".parse().unwrap();
        assert_eq!(decode_address(&encode_address(v4)), Ok(v4));
        let txid = [9; 12];
        let bytes = MessageBuilder::new(method::BINDING, Class::Success, txid)
            .xor_address(attr::XOR_MAPPED_ADDRESS, v4)
            .address(attr::OTHER_ADDRESS, v4)
            .build();
        let m = Message::parse(&bytes).unwrap();
        assert_eq!(m.xor_address(attr::XOR_MAPPED_ADDRESS), Some(v4));
        assert_eq!(m.address(attr::OTHER_ADDRESS), Some(v4));
        let xored = m.get(attr::XOR_MAPPED_ADDRESS).unwrap();
        assert_ne!(xored, encode_address(v4).as_slice());
        assert_eq!(decode_xor_address(xored, &txid), Ok(v4));
        assert_eq!(
            decode_address(&[0, 1, 0]),
            Err(StunError::BadAttribute("address"))
        );
        assert_eq!(
            decode_address(&[0, 2, 0, 1, 1, 2, 3, 4]),
            Err(StunError::BadAttribute("address family or length"))
        );
        assert_eq!(
            decode_xor_address(&[0, 3, 0, 1, 1, 2, 3, 4], &txid),
            Err(StunError::BadAttribute("XOR address"))
        );
    }

    #[test]
    fn message_too_long_for_the_length_field_builds_no_bytes() {
        let big = vec![0u8; 40_000];
        let b = MessageBuilder::new(method::SEND, Class::Indication, [0; 12])
            .raw(attr::DATA, &big)
            .raw(attr::DATA, &big);
        assert!(b.build().is_empty());
    }

    #[test]
    fn error_response_round_trips_code() {
        let bytes = MessageBuilder::new(method::ALLOCATE, Class::Error, [2; 12])
            .error(438, "Stale Nonce")
            .build();
        let m = Message::parse(&bytes).unwrap();
        assert_eq!(m.class(), Class::Error);
        assert_eq!(m.error_code(), Some((438, "Stale Nonce")));
    }
}
