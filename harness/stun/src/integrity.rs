//! MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5), MESSAGE-INTEGRITY-SHA256 (§14.6) and
//! FINGERPRINT (CRC-32 XOR 0x5354554E, §14.7): computed over exactly the bytes the RFC names,
//! with the header length adjusted to end at the attribute. Verification allocates nothing.

use core::fmt;

use hmac::Mac;

use crate::attributes::{ATTR_HEADER_LEN, RawAttribute};
use crate::enums::AttrType;
use crate::keys::{Key, feed_adjusted};
use crate::message::{HEADER_LEN, Message};

/// The value XORed into the CRC-32 of FINGERPRINT (RFC 8489 §14.7).
pub const FINGERPRINT_XOR: u32 = 0x5354_554E;

/// The outcome of one integrity or fingerprint check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// The attribute is not in the message.
    Absent,
    /// The attribute is present and its value is right.
    Ok,
    /// The attribute is present and its value is wrong.
    Fail,
    /// The attribute is present but cannot be checked (wrong length, overrunning the message).
    Malformed,
}

impl Check {
    /// `ok`, `fail`, `absent`, `malformed`: the verdict spelling of vector manifests.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Absent => "absent",
            Self::Ok => "ok",
            Self::Fail => "fail",
            Self::Malformed => "malformed",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The header length to use for a MAC or CRC that ends with `attr` (RFC 8489 §14.5-§14.7):
/// the attribute's end (including its declared value and padding) minus the header.
#[must_use]
pub fn adjusted_length(attr: &RawAttribute<'_>) -> u16 {
    let n = usize::from(attr.declared_len);
    let end = attr
        .offset
        .saturating_add(ATTR_HEADER_LEN)
        .saturating_add(crate::attributes::padded_len(n));
    u16::try_from(end.saturating_sub(HEADER_LEN)).unwrap_or(u16::MAX)
}

/// The first complete attribute of type `ty`, walking in order.
fn first_of<'a>(msg: &Message<'a>, ty: AttrType) -> Option<RawAttribute<'a>> {
    msg.attributes().map_while(Result::ok).find(|a| a.ty == ty)
}

/// The FINGERPRINT value for a message whose FINGERPRINT attribute starts at `fp_offset`:
/// CRC-32 of the bytes before it, the length field set to end after it, XOR 0x5354554E.
#[must_use]
pub fn compute_fingerprint(message: &[u8], fp_offset: usize) -> u32 {
    let length =
        u16::try_from(fp_offset.saturating_add(8).saturating_sub(HEADER_LEN)).unwrap_or(u16::MAX);
    let mut h = crc32fast::Hasher::new();
    h.update(message.get(..2).unwrap_or(&[]));
    h.update(&length.to_be_bytes());
    h.update(message.get(4..fp_offset).unwrap_or(&[]));
    h.finalize() ^ FINGERPRINT_XOR
}

fn fingerprint_attr(bytes: &[u8], fp: &RawAttribute<'_>) -> Check {
    match <[u8; 4]>::try_from(fp.value) {
        Ok(v) if u32::from_be_bytes(v) == compute_fingerprint(bytes, fp.offset) => Check::Ok,
        Ok(_) => Check::Fail,
        Err(_) => Check::Malformed,
    }
}

fn message_integrity_attr(bytes: &[u8], mi: &RawAttribute<'_>, key: &Key) -> Check {
    if mi.value.len() != 20 || !mi.is_complete() {
        return Check::Malformed;
    }
    let mut mac = key.hmac_sha1();
    feed_adjusted(&mut mac, bytes, mi.offset, adjusted_length(mi));
    if mac.verify_slice(mi.value).is_ok() {
        Check::Ok
    } else {
        Check::Fail
    }
}

fn message_integrity_sha256_attr(bytes: &[u8], mi: &RawAttribute<'_>, key: &Key) -> Check {
    let n = mi.value.len();
    if !mi.is_complete() || !(16..=32).contains(&n) || !n.is_multiple_of(4) {
        return Check::Malformed;
    }
    let mut mac = key.hmac_sha256();
    feed_adjusted(&mut mac, bytes, mi.offset, adjusted_length(mi));
    if mac.verify_truncated_left(mi.value).is_ok() {
        Check::Ok
    } else {
        Check::Fail
    }
}

/// Checks the first FINGERPRINT attribute of `msg`.
#[must_use]
pub fn check_fingerprint(msg: &Message<'_>) -> Check {
    first_of(msg, AttrType::FINGERPRINT)
        .map_or(Check::Absent, |fp| fingerprint_attr(msg.as_bytes(), &fp))
}

/// The HMAC-SHA1 of MESSAGE-INTEGRITY for an attribute at `mi_offset` (RFC 8489 §14.5).
#[must_use]
pub fn compute_message_integrity(message: &[u8], mi_offset: usize, key: &Key) -> [u8; 20] {
    let length =
        u16::try_from(mi_offset.saturating_add(24).saturating_sub(HEADER_LEN)).unwrap_or(u16::MAX);
    let mut mac = key.hmac_sha1();
    feed_adjusted(&mut mac, message, mi_offset, length);
    mac.finalize().into_bytes().into()
}

/// The full 32-byte HMAC-SHA256 of MESSAGE-INTEGRITY-SHA256 for an attribute at `offset`
/// whose value is `value_len` bytes (RFC 8489 §14.6); a truncated attribute carries the first
/// `value_len` bytes.
#[must_use]
pub fn compute_message_integrity_sha256(
    message: &[u8],
    offset: usize,
    value_len: usize,
    key: &Key,
) -> [u8; 32] {
    let end = offset
        .saturating_add(ATTR_HEADER_LEN)
        .saturating_add(crate::attributes::padded_len(value_len));
    let length = u16::try_from(end.saturating_sub(HEADER_LEN)).unwrap_or(u16::MAX);
    let mut mac = key.hmac_sha256();
    feed_adjusted(&mut mac, message, offset, length);
    mac.finalize().into_bytes().into()
}

/// Checks the first MESSAGE-INTEGRITY of `msg` with `key`.
#[must_use]
pub fn check_message_integrity(msg: &Message<'_>, key: &Key) -> Check {
    first_of(msg, AttrType::MESSAGE_INTEGRITY).map_or(Check::Absent, |mi| {
        message_integrity_attr(msg.as_bytes(), &mi, key)
    })
}

/// Checks the first MESSAGE-INTEGRITY-SHA256 of `msg` with `key`. A value of 16 to 32 bytes,
/// a multiple of 4, is compared with that many leading bytes of the HMAC (RFC 8489 §14.6);
/// any other length is [`Check::Malformed`].
#[must_use]
pub fn check_message_integrity_sha256(msg: &Message<'_>, key: &Key) -> Check {
    first_of(msg, AttrType::MESSAGE_INTEGRITY_SHA256).map_or(Check::Absent, |mi| {
        message_integrity_sha256_attr(msg.as_bytes(), &mi, key)
    })
}

/// The integrity verdict of a message: MESSAGE-INTEGRITY-SHA256 when present (RFC 8489 §9.1.3
/// prefers it), else MESSAGE-INTEGRITY, else [`Check::Absent`].
#[must_use]
pub fn check_integrity(msg: &Message<'_>, key: &Key) -> Check {
    match check_message_integrity_sha256(msg, key) {
        Check::Absent => check_message_integrity(msg, key),
        other => other,
    }
}

/// The three checks of a message, from one walk of its attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verification {
    /// MESSAGE-INTEGRITY.
    pub message_integrity: Check,
    /// MESSAGE-INTEGRITY-SHA256.
    pub message_integrity_sha256: Check,
    /// FINGERPRINT.
    pub fingerprint: Check,
}

impl Verification {
    /// The integrity verdict: MESSAGE-INTEGRITY-SHA256 when present, else MESSAGE-INTEGRITY
    /// (as [`check_integrity`]).
    #[must_use]
    pub fn integrity(&self) -> Check {
        match self.message_integrity_sha256 {
            Check::Absent => self.message_integrity,
            other => other,
        }
    }
}

/// FINGERPRINT, MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256 in one walk: the same results
/// as [`check_fingerprint`], [`check_message_integrity`] and [`check_message_integrity_sha256`].
/// Allocates nothing.
#[must_use]
pub fn verify(msg: &Message<'_>, key: &Key) -> Verification {
    let mut mi = None;
    let mut mi256 = None;
    let mut fp = None;
    for a in msg.attributes().map_while(Result::ok) {
        match a.ty {
            AttrType::MESSAGE_INTEGRITY if mi.is_none() => mi = Some(a),
            AttrType::MESSAGE_INTEGRITY_SHA256 if mi256.is_none() => mi256 = Some(a),
            AttrType::FINGERPRINT if fp.is_none() => fp = Some(a),
            _ => {}
        }
    }
    let bytes = msg.as_bytes();
    Verification {
        message_integrity: mi.map_or(Check::Absent, |a| message_integrity_attr(bytes, &a, key)),
        message_integrity_sha256: mi256.map_or(Check::Absent, |a| {
            message_integrity_sha256_attr(bytes, &a, key)
        }),
        fingerprint: fp.map_or(Check::Absent, |a| fingerprint_attr(bytes, &a)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_vectors::*;
    use harness_core::credentials::PasswordPrep;

    fn short_term() -> Key {
        Key::short_term(RFC5769_PASSWORD, PasswordPrep::SaslPrep).unwrap()
    }

    #[test]
    fn rfc5769_short_term_vectors_verify() {
        for v in [
            RFC5769_REQUEST,
            RFC5769_IPV4_RESPONSE,
            RFC5769_IPV6_RESPONSE,
        ] {
            let m = Message::new_checked(v).unwrap();
            assert_eq!(check_fingerprint(&m), Check::Ok);
            assert_eq!(check_message_integrity(&m, &short_term()), Check::Ok);
            assert_eq!(check_integrity(&m, &short_term()), Check::Ok);
        }
    }

    #[test]
    fn rfc5769_long_term_vector_verifies_with_the_saslprep_md5_key() {
        let key = Key::long_term(
            RFC5769_LT_USERNAME,
            "example.org",
            RFC5769_LT_PASSWORD,
            PasswordPrep::SaslPrep,
            crate::enums::PasswordAlgorithm::MD5,
        )
        .unwrap();
        let m = Message::new_checked(RFC5769_LONG_TERM).unwrap();
        assert_eq!(check_message_integrity(&m, &key), Check::Ok);
        assert_eq!(check_fingerprint(&m), Check::Absent);
    }

    #[test]
    fn rfc8489_b1_errata_vector_verifies_with_the_sha256_key() {
        let key = Key::long_term(
            RFC5769_LT_USERNAME,
            "example.org",
            "TheMatrIX",
            PasswordPrep::OpaqueString,
            crate::enums::PasswordAlgorithm::SHA256,
        )
        .unwrap();
        let m = Message::new_checked(RFC8489_B1_ERRATA).unwrap();
        assert_eq!(check_message_integrity_sha256(&m, &key), Check::Ok);
        let md5 = Key::long_term(
            RFC5769_LT_USERNAME,
            "example.org",
            "TheMatrIX",
            PasswordPrep::OpaqueString,
            crate::enums::PasswordAlgorithm::MD5,
        )
        .unwrap();
        assert_eq!(check_message_integrity_sha256(&m, &md5), Check::Fail);
    }

    #[test]
    fn rfc8489_b1_as_published_does_not_verify() {
        let key = Key::long_term(
            RFC5769_LT_USERNAME,
            "example.org",
            "TheMatrIX",
            PasswordPrep::OpaqueString,
            crate::enums::PasswordAlgorithm::SHA256,
        )
        .unwrap();
        let m = Message::new_checked(RFC8489_B1_PUBLISHED).unwrap();
        assert!(m.problems().length_exceeds_datagram);
        assert_eq!(check_message_integrity_sha256(&m, &key), Check::Fail);
    }

    #[test]
    fn one_walk_verification_agrees_with_the_separate_checks() {
        let key = short_term();
        let mut flipped = RFC5769_REQUEST.to_vec();
        flipped[30] ^= 1;
        for v in [
            RFC5769_REQUEST,
            RFC5769_IPV4_RESPONSE,
            RFC5769_LONG_TERM,
            RFC8489_B1_ERRATA,
            &flipped,
        ] {
            let m = Message::new_checked(v).unwrap();
            let all = verify(&m, &key);
            assert_eq!(all.fingerprint, check_fingerprint(&m));
            assert_eq!(all.message_integrity, check_message_integrity(&m, &key));
            assert_eq!(
                all.message_integrity_sha256,
                check_message_integrity_sha256(&m, &key)
            );
            assert_eq!(all.integrity(), check_integrity(&m, &key));
        }
    }

    #[test]
    fn a_flipped_bit_fails_integrity_and_fingerprint() {
        let mut bytes = RFC5769_REQUEST.to_vec();
        bytes[30] ^= 1;
        let m = Message::new_checked(&bytes).unwrap();
        assert_eq!(check_fingerprint(&m), Check::Fail);
        assert_eq!(check_message_integrity(&m, &short_term()), Check::Fail);
        let wrong = Key::short_term("wrong", PasswordPrep::None).unwrap();
        let m = Message::new_checked(RFC5769_REQUEST).unwrap();
        assert_eq!(check_message_integrity(&m, &wrong), Check::Fail);
    }
}
