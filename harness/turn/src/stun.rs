//! The slice of STUN (RFC 8489) that TURN and RFC 5780 need: a zero-copy message view, a
//! builder with MESSAGE-INTEGRITY and FINGERPRINT, long-term credential keys, and the address
//! attributes.
//!
//! The view is lenient (it represents what is on the wire); judging is left to
//! [`crate::rules`] and to the server's policy.
//!
//! # Fuzzing
//!
//! Nothing here panics on any input; allocation is bounded by the input length (one entry per
//! four bytes at most).

use core::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha1::Sha1;

/// The magic cookie (RFC 8489 §5).
pub const MAGIC_COOKIE: u32 = 0x2112_A442;
/// Length of the STUN header.
pub const HEADER_LEN: usize = 20;

/// STUN methods used by TURN (RFC 8489 §18.2, RFC 8656 §17).
pub mod method {
    /// Binding.
    pub const BINDING: u16 = 0x001;
    /// Allocate.
    pub const ALLOCATE: u16 = 0x003;
    /// Refresh.
    pub const REFRESH: u16 = 0x004;
    /// Send (indication only).
    pub const SEND: u16 = 0x006;
    /// Data (indication only).
    pub const DATA: u16 = 0x007;
    /// CreatePermission.
    pub const CREATE_PERMISSION: u16 = 0x008;
    /// ChannelBind.
    pub const CHANNEL_BIND: u16 = 0x009;
}

/// Attribute types (RFC 8489 §18.3, RFC 8656 §18, RFC 5780 §7).
#[allow(missing_docs, reason = "the names are the IANA registry's")]
pub mod attr {
    pub const MAPPED_ADDRESS: u16 = 0x0001;
    pub const CHANGE_REQUEST: u16 = 0x0003;
    pub const USERNAME: u16 = 0x0006;
    pub const MESSAGE_INTEGRITY: u16 = 0x0008;
    pub const ERROR_CODE: u16 = 0x0009;
    pub const UNKNOWN_ATTRIBUTES: u16 = 0x000A;
    pub const CHANNEL_NUMBER: u16 = 0x000C;
    pub const LIFETIME: u16 = 0x000D;
    pub const XOR_PEER_ADDRESS: u16 = 0x0012;
    pub const DATA: u16 = 0x0013;
    pub const REALM: u16 = 0x0014;
    pub const NONCE: u16 = 0x0015;
    pub const XOR_RELAYED_ADDRESS: u16 = 0x0016;
    pub const REQUESTED_ADDRESS_FAMILY: u16 = 0x0017;
    pub const EVEN_PORT: u16 = 0x0018;
    pub const REQUESTED_TRANSPORT: u16 = 0x0019;
    pub const DONT_FRAGMENT: u16 = 0x001A;
    pub const MESSAGE_INTEGRITY_SHA256: u16 = 0x001C;
    pub const PASSWORD_ALGORITHM: u16 = 0x001D;
    pub const USERHASH: u16 = 0x001E;
    pub const XOR_MAPPED_ADDRESS: u16 = 0x0020;
    pub const RESERVATION_TOKEN: u16 = 0x0022;
    pub const PRIORITY: u16 = 0x0024;
    pub const USE_CANDIDATE: u16 = 0x0025;
    pub const PADDING: u16 = 0x0026;
    pub const RESPONSE_PORT: u16 = 0x0027;
    pub const ADDITIONAL_ADDRESS_FAMILY: u16 = 0x8000;
    pub const ADDRESS_ERROR_CODE: u16 = 0x8001;
    pub const PASSWORD_ALGORITHMS: u16 = 0x8002;
    pub const ALTERNATE_DOMAIN: u16 = 0x8003;
    pub const ICMP: u16 = 0x8004;
    pub const SOFTWARE: u16 = 0x8022;
    pub const ALTERNATE_SERVER: u16 = 0x8023;
    pub const FINGERPRINT: u16 = 0x8028;
    pub const ICE_CONTROLLED: u16 = 0x8029;
    pub const ICE_CONTROLLING: u16 = 0x802A;
    pub const RESPONSE_ORIGIN: u16 = 0x802B;
    pub const OTHER_ADDRESS: u16 = 0x802C;
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

/// A parsed STUN message (a view over the bytes).
#[derive(Clone, Debug)]
pub struct Message<'a> {
    bytes: &'a [u8],
    typ: u16,
    txid: [u8; 12],
    attrs: Vec<RawAttr<'a>>,
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([*s.first()?, *s.get(1)?]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(s);
    Some(u32::from_be_bytes(a))
}

/// True when `bytes` starts like a STUN message (leading bits 00, cookie present).
#[must_use]
pub fn looks_like_stun(bytes: &[u8]) -> bool {
    bytes.len() >= HEADER_LEN
        && bytes.first().is_some_and(|b| b & 0xC0 == 0)
        && be32(bytes, 4) == Some(MAGIC_COOKIE)
}

impl<'a> Message<'a> {
    /// Parses one message that fills `bytes` exactly.
    ///
    /// # Errors
    /// A [`StunError`] naming what is wrong.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, StunError> {
        if bytes.len() < HEADER_LEN {
            return Err(StunError::Truncated("header"));
        }
        let typ = be16(bytes, 0).ok_or(StunError::Truncated("header"))?;
        if typ & 0xC000 != 0 {
            return Err(StunError::NotStun);
        }
        let len = usize::from(be16(bytes, 2).ok_or(StunError::Truncated("header"))?);
        if be32(bytes, 4) != Some(MAGIC_COOKIE) {
            return Err(StunError::BadCookie);
        }
        if HEADER_LEN.checked_add(len) != Some(bytes.len()) || len % 4 != 0 {
            return Err(StunError::LengthMismatch);
        }
        let mut txid = [0u8; 12];
        txid.copy_from_slice(bytes.get(8..20).ok_or(StunError::Truncated("header"))?);
        let mut attrs = Vec::new();
        let mut at = HEADER_LEN;
        while at < bytes.len() {
            let t = be16(bytes, at).ok_or(StunError::AttributeOverrun)?;
            let l = usize::from(be16(bytes, at + 2).ok_or(StunError::AttributeOverrun)?);
            let start = at.checked_add(4).ok_or(StunError::AttributeOverrun)?;
            let end = start.checked_add(l).ok_or(StunError::AttributeOverrun)?;
            let value = bytes.get(start..end).ok_or(StunError::AttributeOverrun)?;
            attrs.push(RawAttr {
                typ: t,
                offset: at,
                value,
            });
            at = end
                .checked_add((4 - l % 4) % 4)
                .ok_or(StunError::AttributeOverrun)?;
        }
        if at != bytes.len() {
            return Err(StunError::AttributeOverrun);
        }
        Ok(Self {
            bytes,
            typ,
            txid,
            attrs,
        })
    }

    /// The bytes of the whole message.
    #[must_use]
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The message type field.
    #[must_use]
    pub fn message_type(&self) -> u16 {
        self.typ
    }

    /// The method (12 bits).
    #[must_use]
    pub fn method(&self) -> u16 {
        (self.typ & 0x000F) | ((self.typ & 0x00E0) >> 1) | ((self.typ & 0x3E00) >> 2)
    }

    /// The class.
    #[must_use]
    pub fn class(&self) -> Class {
        match ((self.typ >> 4) & 1) | ((self.typ >> 7) & 2) {
            0 => Class::Request,
            1 => Class::Indication,
            2 => Class::Success,
            _ => Class::Error,
        }
    }

    /// The transaction id.
    #[must_use]
    pub fn transaction_id(&self) -> [u8; 12] {
        self.txid
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

    /// The value of the first effective attribute of type `typ`.
    #[must_use]
    pub fn get(&self, typ: u16) -> Option<&'a [u8]> {
        self.effective().find(|a| a.typ == typ).map(|a| a.value)
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
        let v = self.get(typ)?;
        if v.len() != 4 {
            return None;
        }
        be32(v, 0)
    }

    /// An XOR-encoded address attribute.
    #[must_use]
    pub fn xor_address(&self, typ: u16) -> Option<SocketAddr> {
        decode_xor_address(self.get(typ)?, &self.txid).ok()
    }

    /// A plain address attribute (MAPPED-ADDRESS, OTHER-ADDRESS, RESPONSE-ORIGIN).
    #[must_use]
    pub fn address(&self, typ: u16) -> Option<SocketAddr> {
        decode_address(self.get(typ)?).ok()
    }

    /// The error code of an error response (ERROR-CODE), with its reason phrase.
    #[must_use]
    pub fn error_code(&self) -> Option<(u16, &'a str)> {
        let v = self.get(attr::ERROR_CODE)?;
        let class = u16::from(*v.get(2)? & 0x07);
        let number = u16::from(*v.get(3)?);
        let reason = core::str::from_utf8(v.get(4..)?).unwrap_or("");
        Some((class.checked_mul(100)?.checked_add(number)?, reason))
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
        let mi = self
            .attrs
            .iter()
            .find(|a| a.typ == attr::MESSAGE_INTEGRITY)?;
        Some(integrity_matches(self.bytes, mi, key))
    }

    /// Checks FINGERPRINT: `None` when absent.
    #[must_use]
    pub fn check_fingerprint(&self) -> Option<bool> {
        let fp = self.attrs.iter().find(|a| a.typ == attr::FINGERPRINT)?;
        let covered = self.bytes.get(..fp.offset)?;
        let mut h = crc32fast::Hasher::new();
        // The length field covers up to and including FINGERPRINT.
        let len = u16::try_from(fp.offset.checked_add(8)?.checked_sub(HEADER_LEN)?).ok()?;
        h.update(covered.get(..2)?);
        h.update(&len.to_be_bytes());
        h.update(covered.get(4..)?);
        let want = h.finalize() ^ 0x5354_554E;
        Some(be32(fp.value, 0) == Some(want) && fp.value.len() == 4)
    }
}

fn integrity_matches(bytes: &[u8], mi: &RawAttr<'_>, key: &[u8]) -> bool {
    if mi.value.len() != 20 {
        return false;
    }
    let Some(covered) = bytes.get(..mi.offset) else {
        return false;
    };
    let Some(len) = mi
        .offset
        .checked_add(24)
        .and_then(|e| e.checked_sub(HEADER_LEN))
        .and_then(|l| u16::try_from(l).ok())
    else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(key) else {
        return false;
    };
    mac.update(covered.get(..2).unwrap_or_default());
    mac.update(&len.to_be_bytes());
    mac.update(covered.get(4..).unwrap_or_default());
    mac.verify_slice(mi.value).is_ok()
}

/// The long-term credential key: MD5(username ":" realm ":" password) (RFC 8489 §9.2.2).
/// Passwords are used as given (SASLprep and OpaqueString leave ASCII passwords unchanged).
#[must_use]
pub fn long_term_key(username: &str, realm: &str, password: &str) -> [u8; 16] {
    let mut h = Md5::new();
    h.update(username.as_bytes());
    h.update(b":");
    h.update(realm.as_bytes());
    h.update(b":");
    h.update(password.as_bytes());
    h.finalize().into()
}

/// Decodes an XOR-encoded address value (RFC 8489 §14.2).
///
/// # Errors
/// [`StunError::BadAttribute`] when the family or length is wrong.
pub fn decode_xor_address(v: &[u8], txid: &[u8; 12]) -> Result<SocketAddr, StunError> {
    let plain = decode_address(v).map_err(|_| StunError::BadAttribute("XOR address"))?;
    let port = plain.port() ^ 0x2112;
    let cookie = MAGIC_COOKIE.to_be_bytes();
    Ok(match plain.ip() {
        IpAddr::V4(ip) => {
            let x = u32::from(ip) ^ MAGIC_COOKIE;
            SocketAddr::new(IpAddr::V4(Ipv4Addr::from(x)), port)
        }
        IpAddr::V6(ip) => {
            let mut o = ip.octets();
            for (i, b) in o.iter_mut().enumerate() {
                let k = if i < 4 {
                    cookie.get(i)
                } else {
                    txid.get(i.wrapping_sub(4))
                };
                *b ^= k.copied().unwrap_or(0);
            }
            SocketAddr::new(IpAddr::V6(Ipv6Addr::from(o)), port)
        }
    })
}

/// Decodes a plain address value (MAPPED-ADDRESS layout).
///
/// # Errors
/// [`StunError::BadAttribute`] when the family or length is wrong.
pub fn decode_address(v: &[u8]) -> Result<SocketAddr, StunError> {
    let family = *v.get(1).ok_or(StunError::BadAttribute("address"))?;
    let port = be16(v, 2).ok_or(StunError::BadAttribute("address"))?;
    match (family, v.len()) {
        (0x01, 8) => {
            let ip = be32(v, 4).ok_or(StunError::BadAttribute("address"))?;
            Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::from(ip)), port))
        }
        (0x02, 20) => {
            let mut o = [0u8; 16];
            o.copy_from_slice(v.get(4..20).ok_or(StunError::BadAttribute("address"))?);
            Ok(SocketAddr::new(IpAddr::V6(Ipv6Addr::from(o)), port))
        }
        _ => Err(StunError::BadAttribute("address family or length")),
    }
}

/// Encodes a plain address value (MAPPED-ADDRESS layout).
#[must_use]
pub fn encode_address(addr: SocketAddr) -> Vec<u8> {
    let mut v = vec![0u8];
    match addr.ip() {
        IpAddr::V4(ip) => {
            v.push(0x01);
            v.extend_from_slice(&addr.port().to_be_bytes());
            v.extend_from_slice(&ip.octets());
        }
        IpAddr::V6(ip) => {
            v.push(0x02);
            v.extend_from_slice(&addr.port().to_be_bytes());
            v.extend_from_slice(&ip.octets());
        }
    }
    v
}

fn encode_xor_address(addr: SocketAddr, txid: &[u8; 12]) -> Vec<u8> {
    let mut key = [0u8; 16];
    key[..4].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
    key[4..].copy_from_slice(txid);
    let mut v = encode_address(addr);
    for (i, b) in v.iter_mut().enumerate().skip(2) {
        let k = if i < 4 {
            key.get(i - 2)
        } else {
            key.get(i - 4)
        };
        *b ^= k.copied().unwrap_or(0);
    }
    v
}

/// The type field for `method` and `class` (RFC 8489 §5).
#[must_use]
pub const fn message_type(method: u16, class: Class) -> u16 {
    let c = match class {
        Class::Request => 0,
        Class::Indication => 0x0010,
        Class::Success => 0x0100,
        Class::Error => 0x0110,
    };
    (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) | c
}

/// Builds a STUN message attribute by attribute.
#[derive(Clone, Debug)]
pub struct MessageBuilder {
    buf: Vec<u8>,
    txid: [u8; 12],
}

impl MessageBuilder {
    /// A message of `method` and `class` with transaction id `txid`.
    #[must_use]
    pub fn new(method: u16, class: Class, txid: [u8; 12]) -> Self {
        let mut buf = Vec::with_capacity(128);
        buf.extend_from_slice(&message_type(method, class).to_be_bytes());
        buf.extend_from_slice(&[0, 0]);
        buf.extend_from_slice(&MAGIC_COOKIE.to_be_bytes());
        buf.extend_from_slice(&txid);
        Self { buf, txid }
    }

    /// The transaction id.
    #[must_use]
    pub fn transaction_id(&self) -> [u8; 12] {
        self.txid
    }

    fn set_len(&mut self, body: usize) {
        let l = u16::try_from(body).unwrap_or(u16::MAX).to_be_bytes();
        if let Some(field) = self.buf.get_mut(2..4) {
            field.copy_from_slice(&l);
        }
    }

    /// Appends a raw attribute (padded to four bytes).
    #[must_use]
    pub fn raw(mut self, typ: u16, value: &[u8]) -> Self {
        self.buf.extend_from_slice(&typ.to_be_bytes());
        let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf
            .extend_from_slice(value.get(..usize::from(len)).unwrap_or(value));
        let pad = (4 - usize::from(len) % 4) % 4;
        self.buf.extend(core::iter::repeat_n(0u8, pad));
        let body = self.buf.len() - HEADER_LEN;
        self.set_len(body);
        self
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
        let v = encode_xor_address(addr, &self.txid);
        self.raw(typ, &v)
    }

    /// Appends a plain address attribute.
    #[must_use]
    pub fn address(self, typ: u16, addr: SocketAddr) -> Self {
        self.raw(typ, &encode_address(addr))
    }

    /// Appends ERROR-CODE.
    #[must_use]
    pub fn error(self, code: u16, reason: &str) -> Self {
        let mut v = vec![0, 0, u8::try_from(code / 100).unwrap_or(0) & 7];
        v.push(u8::try_from(code % 100).unwrap_or(0));
        v.extend_from_slice(reason.as_bytes());
        self.raw(attr::ERROR_CODE, &v)
    }

    /// Appends MESSAGE-INTEGRITY keyed with `key`.
    #[must_use]
    pub fn integrity(mut self, key: &[u8]) -> Self {
        let body = self.buf.len() + 24 - HEADER_LEN;
        self.set_len(body);
        let tag: [u8; 20] = match Hmac::<Sha1>::new_from_slice(key) {
            Ok(mut mac) => {
                mac.update(&self.buf);
                mac.finalize().into_bytes().into()
            }
            Err(_) => [0; 20],
        };
        self.raw(attr::MESSAGE_INTEGRITY, &tag)
    }

    /// Appends FINGERPRINT and returns the bytes.
    #[must_use]
    pub fn fingerprint(mut self) -> Vec<u8> {
        let body = self.buf.len() + 8 - HEADER_LEN;
        self.set_len(body);
        let crc = crc32fast::hash(&self.buf) ^ 0x5354_554E;
        self.raw(attr::FINGERPRINT, &crc.to_be_bytes()).buf
    }

    /// The bytes, without FINGERPRINT.
    #[must_use]
    pub fn build(self) -> Vec<u8> {
        self.buf
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
