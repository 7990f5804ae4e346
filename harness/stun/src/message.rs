//! The zero-copy message view.
//!
//! [`Message::new_checked`] checks once that the 20-byte header is there; after that no
//! accessor panics, whatever the rest of the bytes say. The view is lenient: a length that is
//! not a multiple of 4, a length that disagrees with the datagram, an attribute that overruns
//! the message, missing padding, a wrong magic cookie or set top bits are all represented and
//! reported through [`Message::problems`] and the attribute iterator, never refused. Only an
//! input too short to hold a header is a [`HeaderError`].

use core::fmt;

use crate::attributes::{Attributes, RawAttribute};
use crate::enums::{AttrType, Class, Method, split_type};

/// The fixed magic cookie, RFC 8489 §5.
pub const MAGIC_COOKIE: u32 = 0x2112_A442;
/// Size of the STUN header.
pub const HEADER_LEN: usize = 20;

/// A 96-bit transaction id (RFC 8489 §5).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TransactionId(pub [u8; 12]);

impl fmt::Debug for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TransactionId({self})")
    }
}

impl fmt::Display for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Why bytes cannot be viewed as a STUN message at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderError {
    /// Fewer than 20 bytes.
    Truncated {
        /// Bytes available.
        len: usize,
    },
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated { len } => {
                write!(f, "{len} bytes cannot hold the 20-byte STUN header")
            }
        }
    }
}

impl std::error::Error for HeaderError {}

/// Which generation of STUN a header looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generation {
    /// RFC 5389 / RFC 8489: the magic cookie is present.
    Modern,
    /// RFC 3489 "classic" STUN: no magic cookie (the 128-bit transaction id includes those bytes).
    Classic,
}

/// A zero-copy view of one STUN message.
///
/// `buf` is the whole datagram (or the whole TCP frame); the message may claim a different
/// length than the datagram has. The *body* is the bytes after the header that both the length
/// field and the datagram cover.
///
/// # Panics
/// No method panics once the view exists.
///
/// # Fuzzing
/// Integrity and fingerprint checks are separate functions ([`crate::integrity`]); the view
/// itself never checks them, so fuzzers reach every attribute path.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    buf: &'a [u8],
}

impl fmt::Debug for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("class", &self.class())
            .field("method", &self.method())
            .field("length", &self.length())
            .field("transaction_id", &self.transaction_id())
            .finish_non_exhaustive()
    }
}

/// Reads a big-endian u16 at `at`, or 0 when out of range.
pub(crate) fn be16(buf: &[u8], at: usize) -> u16 {
    match buf.get(at..at.saturating_add(2)) {
        Some(&[a, b]) => u16::from_be_bytes([a, b]),
        _ => 0,
    }
}

/// Reads a big-endian u32 at `at`, or 0 when out of range.
pub(crate) fn be32(buf: &[u8], at: usize) -> u32 {
    match buf.get(at..at.saturating_add(4)) {
        Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]),
        _ => 0,
    }
}

impl<'a> Message<'a> {
    /// Views `buf`, which must hold at least a header.
    ///
    /// # Errors
    /// [`HeaderError::Truncated`] when `buf` is shorter than 20 bytes.
    pub fn new_checked(buf: &'a [u8]) -> Result<Self, HeaderError> {
        if buf.len() < HEADER_LEN {
            return Err(HeaderError::Truncated { len: buf.len() });
        }
        Ok(Self { buf })
    }

    /// The bytes the view was made from (the whole datagram).
    #[must_use]
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// The raw 16-bit type field, including the two top bits.
    #[must_use]
    pub fn raw_type(&self) -> u16 {
        be16(self.buf, 0)
    }

    /// The two most significant bits of the message (RFC 8489 §5: must be zero).
    #[must_use]
    pub fn top_bits(&self) -> u8 {
        self.buf.first().map_or(0, |b| b >> 6)
    }

    /// The message class.
    #[must_use]
    pub fn class(&self) -> Class {
        split_type(self.raw_type()).0
    }

    /// The message method.
    #[must_use]
    pub fn method(&self) -> Method {
        split_type(self.raw_type()).1
    }

    /// The message length field (bytes after the header, as claimed).
    #[must_use]
    pub fn length(&self) -> u16 {
        be16(self.buf, 2)
    }

    /// The magic cookie field.
    #[must_use]
    pub fn cookie(&self) -> u32 {
        be32(self.buf, 4)
    }

    /// Modern (magic cookie present) or classic RFC 3489.
    #[must_use]
    pub fn generation(&self) -> Generation {
        if self.cookie() == MAGIC_COOKIE {
            Generation::Modern
        } else {
            Generation::Classic
        }
    }

    /// The 96-bit transaction id.
    #[must_use]
    pub fn transaction_id(&self) -> TransactionId {
        let mut id = [0u8; 12];
        if let Some(src) = self.buf.get(8..HEADER_LEN) {
            id.copy_from_slice(src);
        }
        TransactionId(id)
    }

    /// The 128-bit transaction id of RFC 3489 (cookie bytes included).
    #[must_use]
    pub fn classic_transaction_id(&self) -> [u8; 16] {
        let mut id = [0u8; 16];
        if let Some(src) = self.buf.get(4..HEADER_LEN) {
            id.copy_from_slice(src);
        }
        id
    }

    /// The offset just past the message as far as both the length field and the datagram go.
    #[must_use]
    pub fn body_end(&self) -> usize {
        HEADER_LEN
            .saturating_add(usize::from(self.length()))
            .min(self.buf.len())
    }

    /// The attribute bytes: after the header, up to the claimed length or the datagram's end.
    #[must_use]
    pub fn body(&self) -> &'a [u8] {
        self.buf.get(HEADER_LEN..self.body_end()).unwrap_or(&[])
    }

    /// Bytes of the datagram after the claimed end of the message (empty when none).
    #[must_use]
    pub fn trailing(&self) -> &'a [u8] {
        self.buf.get(self.body_end()..).unwrap_or(&[])
    }

    /// Walks the attributes in order (see [`Attributes`]).
    #[must_use]
    pub fn attributes(&self) -> Attributes<'a> {
        Attributes::new(self.body(), HEADER_LEN)
    }

    /// The first complete attribute of type `ty`.
    #[must_use]
    pub fn find(&self, ty: AttrType) -> Option<RawAttribute<'a>> {
        self.attributes()
            .filter_map(Result::ok)
            .find(|a| a.ty == ty && a.is_complete())
    }

    /// The first complete attribute of type `ty`, decoded (XOR addresses un-XORed).
    #[must_use]
    pub fn decode_first(
        &self,
        ty: AttrType,
    ) -> Option<Result<crate::attr::Attribute<'a>, crate::attr::AttrError>> {
        self.find(ty)
            .map(|raw| crate::attr::Attribute::decode(&raw, self.transaction_id()))
    }

    /// Every attribute the walk yields, with its decoded form (or why it did not decode).
    pub fn typed_attributes(
        &self,
    ) -> impl Iterator<
        Item = (
            RawAttribute<'a>,
            Result<crate::attr::Attribute<'a>, crate::attr::AttrError>,
        ),
    > + 'a {
        let txid = self.transaction_id();
        self.attributes()
            .filter_map(Result::ok)
            .map(move |raw| (raw, crate::attr::Attribute::decode(&raw, txid)))
    }

    /// Framing problems of the message as a whole (not its attributes).
    #[must_use]
    pub fn problems(&self) -> HeaderProblems {
        let claimed = HEADER_LEN.saturating_add(usize::from(self.length()));
        HeaderProblems {
            top_bits_set: self.top_bits() != 0,
            bad_cookie: self.cookie() != MAGIC_COOKIE,
            length_not_multiple_of_4: !self.length().is_multiple_of(4),
            length_exceeds_datagram: claimed > self.buf.len(),
            trailing_bytes: self.buf.len().saturating_sub(claimed),
        }
    }

    /// True when the framing is clean: top bits zero, cookie right, length a multiple of 4
    /// equal to the datagram's, and every attribute complete with its full padding.
    #[must_use]
    pub fn is_well_formed(&self) -> bool {
        self.problems().is_clean()
            && self
                .attributes()
                .all(|a| a.is_ok_and(|a| a.is_complete() && a.has_full_padding()))
    }
}

/// Framing problems of a message header, as [`Message::problems`] finds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct HeaderProblems {
    /// The two top bits are not zero.
    pub top_bits_set: bool,
    /// The cookie is not 0x2112A442.
    pub bad_cookie: bool,
    /// The length field is not a multiple of 4.
    pub length_not_multiple_of_4: bool,
    /// The length field claims more bytes than the datagram has.
    pub length_exceeds_datagram: bool,
    /// How many datagram bytes follow the claimed end of the message.
    pub trailing_bytes: usize,
}

impl HeaderProblems {
    /// No problem at all.
    #[must_use]
    pub const fn is_clean(&self) -> bool {
        !self.top_bits_set
            && !self.bad_cookie
            && !self.length_not_multiple_of_4
            && !self.length_exceeds_datagram
            && self.trailing_bytes == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_vectors::RFC5769_REQUEST;

    #[test]
    fn rejects_input_shorter_than_a_header() {
        assert_eq!(
            Message::new_checked(&[0; 19]),
            Err(HeaderError::Truncated { len: 19 })
        );
        assert!(Message::new_checked(&[]).is_err());
    }

    #[test]
    fn reads_the_rfc5769_request_header() {
        let m = Message::new_checked(RFC5769_REQUEST).unwrap();
        assert_eq!(m.class(), Class::Request);
        assert_eq!(m.method(), Method::BINDING);
        assert_eq!(m.length(), 88);
        assert_eq!(m.cookie(), MAGIC_COOKIE);
        assert_eq!(m.generation(), Generation::Modern);
        assert_eq!(m.transaction_id().to_string(), "b7e7a701bc34d686fa87dfae");
        assert!(m.problems().is_clean());
        assert!(m.is_well_formed());
        assert!(m.trailing().is_empty());
        assert_eq!(
            m.decode_first(AttrType::USERNAME),
            Some(Ok(crate::attr::Attribute::Username("evtj:h6vY")))
        );
        assert_eq!(m.typed_attributes().filter(|(_, t)| t.is_ok()).count(), 6);
    }

    #[test]
    fn represents_a_length_beyond_the_datagram() {
        let mut bytes = RFC5769_REQUEST.to_vec();
        bytes[3] = 200;
        let m = Message::new_checked(&bytes).unwrap();
        let p = m.problems();
        assert!(p.length_exceeds_datagram);
        assert_eq!(m.body().len(), 88);
        assert!(!m.is_well_formed());
    }

    #[test]
    fn reports_trailing_bytes_after_the_claimed_end() {
        let mut bytes = RFC5769_REQUEST.to_vec();
        bytes.extend_from_slice(&[1, 2, 3]);
        let m = Message::new_checked(&bytes).unwrap();
        assert_eq!(m.problems().trailing_bytes, 3);
        assert_eq!(m.trailing(), &[1, 2, 3]);
    }
}
