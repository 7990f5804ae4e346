//! The owned representation: parse a well-formed [`Message`] into a [`MessageRepr`] and emit
//! it back byte for byte (padding bytes included), smoltcp-style (`buffer_len` + `emit`).

use core::fmt;

use crate::attr::{AttrError, Attribute};
use crate::attributes::{ATTR_HEADER_LEN, padded_len};
use crate::enums::{AttrType, Class, Method, compose_type};
use crate::message::{HEADER_LEN, MAGIC_COOKIE, Message, TransactionId};

/// Why a message cannot become, or be emitted from, a [`MessageRepr`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReprError {
    /// The message's framing is broken (what is wrong: see `Message::problems`).
    Malformed(&'static str),
    /// The message would be longer than the 16-bit length field allows.
    TooLong,
    /// An attribute value is longer than 65535 bytes.
    ValueTooLong(AttrType),
    /// The output buffer is not `buffer_len()` bytes.
    BufferLength {
        /// What `buffer_len()` says.
        expected: usize,
        /// What was given.
        got: usize,
    },
    /// A typed attribute did not decode.
    Attribute(AttrType, AttrError),
}

impl fmt::Display for ReprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(why) => write!(f, "malformed message: {why}"),
            Self::TooLong => f.write_str("message longer than 65535 bytes after the header"),
            Self::ValueTooLong(t) => write!(f, "{t} value longer than 65535 bytes"),
            Self::BufferLength { expected, got } => {
                write!(f, "buffer of {got} bytes, expected {expected}")
            }
            Self::Attribute(t, e) => write!(f, "{t}: {e}"),
        }
    }
}

impl std::error::Error for ReprError {}

/// One attribute, owned.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AttrRepr {
    /// The type.
    pub ty: AttrType,
    /// The value bytes.
    pub value: Vec<u8>,
    /// The padding bytes to emit (the first `padded_len(value.len()) - value.len()` are used).
    pub padding: [u8; 3],
}

impl AttrRepr {
    /// A raw attribute with zero padding.
    #[must_use]
    pub fn new(ty: AttrType, value: Vec<u8>) -> Self {
        Self {
            ty,
            value,
            padding: [0; 3],
        }
    }

    /// A typed attribute encoded for a message with transaction id `txid`.
    #[must_use]
    pub fn typed(attr: &Attribute<'_>, txid: TransactionId) -> Self {
        let mut value = Vec::new();
        attr.encode_value(txid, &mut value);
        Self::new(attr.ty(), value)
    }

    /// Decodes the value as its type.
    ///
    /// # Errors
    /// The value does not have the shape its type requires.
    pub fn decode(&self, txid: TransactionId) -> Result<Attribute<'_>, AttrError> {
        let raw = crate::attributes::RawAttribute {
            offset: 0,
            ty: self.ty,
            declared_len: u16::try_from(self.value.len()).unwrap_or(u16::MAX),
            value: &self.value,
            padding: &[],
        };
        Attribute::decode(&raw, txid)
    }

    /// Bytes on the wire: header, value, padding.
    #[must_use]
    pub fn wire_len(&self) -> usize {
        ATTR_HEADER_LEN.saturating_add(padded_len(self.value.len()))
    }

    fn padding_bytes(&self) -> &[u8] {
        let pad = padded_len(self.value.len()).saturating_sub(self.value.len());
        self.padding.get(..pad).unwrap_or(&[])
    }
}

/// An owned STUN message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MessageRepr {
    /// The class.
    pub class: Class,
    /// The method (12 bits).
    pub method: Method,
    /// The cookie field: [`MAGIC_COOKIE`], or part of a classic RFC 3489 transaction id.
    pub cookie: u32,
    /// The transaction id.
    pub transaction_id: TransactionId,
    /// The attributes, in order.
    pub attributes: Vec<AttrRepr>,
}

impl MessageRepr {
    /// An empty message with the magic cookie.
    #[must_use]
    pub fn new(class: Class, method: Method, transaction_id: TransactionId) -> Self {
        Self {
            class,
            method,
            cookie: MAGIC_COOKIE,
            transaction_id,
            attributes: Vec::new(),
        }
    }

    /// Takes a message whose framing is clean: top bits zero, length a multiple of 4 and equal
    /// to the datagram's, every attribute complete with its padding. The cookie may be anything
    /// (classic messages round-trip too). Padding bytes are kept as they were.
    ///
    /// # Errors
    /// [`ReprError::Malformed`] naming the first framing problem.
    pub fn parse(msg: &Message<'_>) -> Result<Self, ReprError> {
        let p = msg.problems();
        if p.top_bits_set {
            return Err(ReprError::Malformed("top two bits set"));
        }
        if p.length_not_multiple_of_4 {
            return Err(ReprError::Malformed("length not a multiple of 4"));
        }
        if p.length_exceeds_datagram {
            return Err(ReprError::Malformed("length exceeds the datagram"));
        }
        if p.trailing_bytes != 0 {
            return Err(ReprError::Malformed("bytes after the message"));
        }
        let mut attributes = Vec::new();
        for item in msg.attributes() {
            let a = item.map_err(|_| ReprError::Malformed("truncated attribute header"))?;
            if !a.is_complete() {
                return Err(ReprError::Malformed("attribute overruns the message"));
            }
            if !a.has_full_padding() {
                return Err(ReprError::Malformed("attribute padding missing"));
            }
            let mut padding = [0u8; 3];
            for (dst, src) in padding.iter_mut().zip(a.padding) {
                *dst = *src;
            }
            attributes.push(AttrRepr {
                ty: a.ty,
                value: a.value.to_vec(),
                padding,
            });
        }
        Ok(Self {
            class: msg.class(),
            method: msg.method(),
            cookie: msg.cookie(),
            transaction_id: msg.transaction_id(),
            attributes,
        })
    }

    /// The first attribute of type `ty`.
    #[must_use]
    pub fn get(&self, ty: AttrType) -> Option<&AttrRepr> {
        self.attributes.iter().find(|a| a.ty == ty)
    }

    /// The length field this message emits.
    ///
    /// # Errors
    /// [`ReprError::TooLong`] past 65535.
    pub fn length(&self) -> Result<u16, ReprError> {
        let body = self
            .attributes
            .iter()
            .fold(0usize, |acc, a| acc.saturating_add(a.wire_len()));
        u16::try_from(body).map_err(|_| ReprError::TooLong)
    }

    /// Bytes [`Self::emit`] writes.
    #[must_use]
    pub fn buffer_len(&self) -> usize {
        self.attributes
            .iter()
            .fold(HEADER_LEN, |acc, a| acc.saturating_add(a.wire_len()))
    }

    /// Writes the message into `buf`, which must be exactly [`Self::buffer_len`] bytes.
    ///
    /// # Errors
    /// Wrong buffer length, a value or the message too long.
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), ReprError> {
        let expected = self.buffer_len();
        if buf.len() != expected {
            return Err(ReprError::BufferLength {
                expected,
                got: buf.len(),
            });
        }
        let length = self.length()?;
        let mut w = Writer { buf, pos: 0 };
        w.put(&compose_type(self.class, self.method).to_be_bytes());
        w.put(&length.to_be_bytes());
        w.put(&self.cookie.to_be_bytes());
        w.put(&self.transaction_id.0);
        for a in &self.attributes {
            let n = u16::try_from(a.value.len()).map_err(|_| ReprError::ValueTooLong(a.ty))?;
            w.put(&a.ty.0.to_be_bytes());
            w.put(&n.to_be_bytes());
            w.put(&a.value);
            w.put(a.padding_bytes());
        }
        Ok(())
    }

    /// Emits into a new vector.
    ///
    /// # Errors
    /// A value or the message too long.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ReprError> {
        let mut buf = vec![0u8; self.buffer_len()];
        self.emit(&mut buf)?;
        Ok(buf)
    }
}

/// A cursor over an output buffer whose size was checked beforehand.
struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.pos.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.pos..end) {
            dst.copy_from_slice(bytes);
        }
        self.pos = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_vectors::*;

    #[test]
    fn rfc_vectors_reemit_byte_identically() {
        for v in [
            RFC5769_REQUEST,
            RFC5769_IPV4_RESPONSE,
            RFC5769_IPV6_RESPONSE,
            RFC5769_LONG_TERM,
            RFC8489_B1_ERRATA,
        ] {
            let m = Message::new_checked(v).unwrap();
            let repr = MessageRepr::parse(&m).unwrap();
            assert_eq!(repr.to_bytes().unwrap(), v);
        }
    }

    #[test]
    fn keeps_non_zero_padding() {
        // RFC 5769 §2.2 pads SOFTWARE "test vector" with 0x20.
        let m = Message::new_checked(RFC5769_IPV4_RESPONSE).unwrap();
        let repr = MessageRepr::parse(&m).unwrap();
        let sw = repr.get(AttrType::SOFTWARE).unwrap();
        assert_eq!(sw.padding[0], 0x20);
    }

    #[test]
    fn refuses_broken_framing() {
        let m = Message::new_checked(RFC8489_B1_PUBLISHED).unwrap();
        assert_eq!(
            MessageRepr::parse(&m),
            Err(ReprError::Malformed("length exceeds the datagram"))
        );
    }

    #[test]
    fn emit_checks_the_buffer_length() {
        let repr = MessageRepr::new(Class::Request, Method::BINDING, TransactionId([0; 12]));
        let mut small = [0u8; 4];
        assert_eq!(
            repr.emit(&mut small),
            Err(ReprError::BufferLength {
                expected: 20,
                got: 4
            })
        );
    }
}
