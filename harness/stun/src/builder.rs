//! A builder that writes a message straight into a buffer and signs it on the way:
//!
//! ```
//! # use harness_stun::*;
//! # use harness_core::credentials::PasswordPrep;
//! let key = Key::short_term("secret", PasswordPrep::SaslPrep).unwrap();
//! let txid = TransactionId([7; 12]);
//! let bytes = MessageBuilder::new(Class::Request, Method::BINDING, txid)
//!     .attr(Attribute::Username("a:b"))
//!     .attr(Attribute::Priority(1))
//!     .message_integrity(&key)
//!     .fingerprint()
//!     .build()
//!     .unwrap();
//! let msg = Message::new_checked(&bytes).unwrap();
//! assert_eq!(integrity::check_integrity(&msg, &key), Check::Ok);
//! ```
//!
//! Each integrity attribute is computed when it is added, over the bytes written so far with
//! the length field then pointing at its end (RFC 8489 §14.5-§14.7), so the order of calls is
//! the order on the wire.

use crate::attr::Attribute;
use crate::attributes::padded_len;
use crate::enums::{AttrType, Class, Method, compose_type};
use crate::integrity::{
    compute_fingerprint, compute_message_integrity, compute_message_integrity_sha256,
};
use crate::keys::Key;
use crate::message::{HEADER_LEN, MAGIC_COOKIE, TransactionId};
use crate::repr::{MessageRepr, ReprError};

/// Builds a message (see the module docs).
#[derive(Clone, Debug)]
#[must_use]
pub struct MessageBuilder {
    buf: Vec<u8>,
    txid: TransactionId,
    error: Option<ReprError>,
}

impl MessageBuilder {
    /// A message of `class` and `method` with the magic cookie and `txid`.
    pub fn new(class: Class, method: Method, txid: TransactionId) -> Self {
        let mut buf = Vec::with_capacity(128);
        buf.extend_from_slice(&compose_type(class, method).to_be_bytes());
        buf.extend_from_slice(&[0, 0]);
        buf.extend_from_slice(&MAGIC_COOKIE.to_be_bytes());
        buf.extend_from_slice(&txid.0);
        Self {
            buf,
            txid,
            error: None,
        }
    }

    /// A response to `request`: same method and transaction id, class `class` (success or
    /// error response).
    pub fn reply(request: &crate::message::Message<'_>, class: Class) -> Self {
        Self::new(class, request.method(), request.transaction_id())
    }

    /// Starts from an owned message: its header and attributes, in order.
    pub fn from_repr(repr: &MessageRepr) -> Self {
        let mut b = Self::new(repr.class, repr.method, repr.transaction_id);
        if let Some(cookie) = b.buf.get_mut(4..8) {
            cookie.copy_from_slice(&repr.cookie.to_be_bytes());
        }
        for a in &repr.attributes {
            b = b.raw(a.ty, &a.value);
        }
        b
    }

    /// The transaction id (XOR address attributes use it).
    #[must_use]
    pub fn transaction_id(&self) -> TransactionId {
        self.txid
    }

    /// Appends a typed attribute.
    pub fn attr(mut self, attr: Attribute<'_>) -> Self {
        let start = self.begin(attr.ty());
        attr.encode_value(self.txid, &mut self.buf);
        self.finish(start, attr.ty());
        self
    }

    /// Appends an attribute of any type with the given value bytes (zero padding).
    pub fn raw(mut self, ty: AttrType, value: &[u8]) -> Self {
        let start = self.begin(ty);
        self.buf.extend_from_slice(value);
        self.finish(start, ty);
        self
    }

    /// Appends MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) over everything so far.
    pub fn message_integrity(mut self, key: &Key) -> Self {
        let offset = self.buf.len();
        self = self.raw(AttrType::MESSAGE_INTEGRITY, &[0; 20]);
        let mac = compute_message_integrity(&self.buf, offset, key);
        self.fill(offset, &mac);
        self
    }

    /// Appends a full 32-byte MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6).
    pub fn message_integrity_sha256(self, key: &Key) -> Self {
        self.message_integrity_sha256_truncated(key, 32)
    }

    /// Appends MESSAGE-INTEGRITY-SHA256 truncated to `len` bytes (RFC 8489 §14.6 allows 16 to 32,
    /// a multiple of 4, where the usage says so). Other lengths are written as asked, for tests of
    /// receivers.
    pub fn message_integrity_sha256_truncated(mut self, key: &Key, len: usize) -> Self {
        let len = len.min(32);
        let offset = self.buf.len();
        self = self.raw(
            AttrType::MESSAGE_INTEGRITY_SHA256,
            [0u8; 32].get(..len).unwrap_or(&[]),
        );
        let mac = compute_message_integrity_sha256(&self.buf, offset, len, key);
        self.fill(offset, mac.get(..len).unwrap_or(&[]));
        self
    }

    /// Appends FINGERPRINT (RFC 8489 §14.7) over everything so far.
    pub fn fingerprint(mut self) -> Self {
        let offset = self.buf.len();
        self = self.raw(AttrType::FINGERPRINT, &[0; 4]);
        let crc = compute_fingerprint(&self.buf, offset);
        self.fill(offset, &crc.to_be_bytes());
        self
    }

    /// The finished message.
    ///
    /// # Errors
    /// An attribute value or the whole message does not fit a 16-bit length.
    pub fn build(self) -> Result<Vec<u8>, ReprError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.buf),
        }
    }

    fn begin(&mut self, ty: AttrType) -> usize {
        self.buf.extend_from_slice(&ty.0.to_be_bytes());
        self.buf.extend_from_slice(&[0, 0]);
        self.buf.len()
    }

    fn finish(&mut self, value_start: usize, ty: AttrType) {
        let n = self.buf.len().saturating_sub(value_start);
        match u16::try_from(n) {
            Ok(n16) => {
                if let Some(len) = self.buf.get_mut(value_start.saturating_sub(2)..value_start) {
                    len.copy_from_slice(&n16.to_be_bytes());
                }
            }
            Err(_) => {
                self.error.get_or_insert(ReprError::ValueTooLong(ty));
            }
        }
        let pad = padded_len(n).saturating_sub(n);
        self.buf.extend(core::iter::repeat_n(0u8, pad));
        match u16::try_from(self.buf.len().saturating_sub(HEADER_LEN)) {
            Ok(len) => {
                if let Some(field) = self.buf.get_mut(2..4) {
                    field.copy_from_slice(&len.to_be_bytes());
                }
            }
            Err(_) => {
                self.error.get_or_insert(ReprError::TooLong);
            }
        }
    }

    fn fill(&mut self, attr_offset: usize, value: &[u8]) {
        let start = attr_offset.saturating_add(4);
        if let Some(dst) = self.buf.get_mut(start..start.saturating_add(value.len())) {
            dst.copy_from_slice(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrity::{Check, check_fingerprint, check_integrity};
    use crate::message::Message;
    use crate::test_vectors::*;
    use harness_core::credentials::PasswordPrep;

    #[test]
    fn rebuilding_the_rfc5769_request_reproduces_its_bytes() {
        // The RFC pads SOFTWARE with spaces; re-signing a repr with those pads reproduces it.
        let m = Message::new_checked(RFC5769_REQUEST).unwrap();
        let repr = MessageRepr::parse(&m).unwrap();
        let key = Key::short_term(RFC5769_PASSWORD, PasswordPrep::SaslPrep).unwrap();
        let mut body = repr.clone();
        body.attributes
            .retain(|a| a.ty != AttrType::MESSAGE_INTEGRITY && a.ty != AttrType::FINGERPRINT);
        let rebuilt = MessageBuilder::from_repr(&body)
            .message_integrity(&key)
            .fingerprint()
            .build()
            .unwrap();
        let again = Message::new_checked(&rebuilt).unwrap();
        assert_eq!(check_integrity(&again, &key), Check::Ok);
        assert_eq!(check_fingerprint(&again), Check::Ok);
        // Same length and same attributes; only the SOFTWARE padding bytes (0x20 vs 0) differ.
        assert_eq!(rebuilt.len(), RFC5769_REQUEST.len());
    }

    #[test]
    fn sha256_truncated_integrity_verifies() {
        let key = Key::from_bytes(b"k");
        for len in [16, 20, 24, 28, 32] {
            let bytes =
                MessageBuilder::new(Class::Request, Method::ALLOCATE, TransactionId([3; 12]))
                    .attr(Attribute::RequestedTransport(17))
                    .message_integrity_sha256_truncated(&key, len)
                    .fingerprint()
                    .build()
                    .unwrap();
            let m = Message::new_checked(&bytes).unwrap();
            assert_eq!(check_integrity(&m, &key), Check::Ok, "len {len}");
            assert_eq!(check_fingerprint(&m), Check::Ok);
        }
    }

    #[test]
    fn reply_copies_method_and_transaction_id() {
        let req = Message::new_checked(RFC5769_REQUEST).unwrap();
        let bytes = MessageBuilder::reply(&req, Class::Error)
            .attr(Attribute::ErrorCode(crate::attr::ErrorValue::new(
                crate::enums::ErrorCode::UNAUTHORIZED,
                "Unauthorized",
            )))
            .build()
            .unwrap();
        let resp = Message::new_checked(&bytes).unwrap();
        assert_eq!(resp.transaction_id(), req.transaction_id());
        assert_eq!(resp.method(), Method::BINDING);
        assert_eq!(resp.class(), Class::Error);
        let expected = Attribute::ErrorCode(crate::attr::ErrorValue {
            class: 4,
            number: 1,
            reason: "Unauthorized",
        });
        assert_eq!(resp.decode_first(AttrType::ERROR_CODE), Some(Ok(expected)));
        assert!(
            crate::rules::validate(&resp, &crate::rules::ValidationContext::default()).is_empty()
        );
    }

    #[test]
    fn oversized_value_is_an_error_not_a_panic() {
        let big = vec![0u8; 70_000];
        let r = MessageBuilder::new(Class::Indication, Method::SEND, TransactionId([0; 12]))
            .attr(Attribute::Data(&big))
            .build();
        assert_eq!(r, Err(ReprError::ValueTooLong(AttrType::DATA)));
    }
}
