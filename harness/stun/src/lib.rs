//! The STUN reference codec of webrtc-harness (RFC 8489, compatible with RFC 5389; classic
//! RFC 3489 messages are recognised and reported).
//!
//! # Layers
//!
//! * [`Message`]: a zero-copy view over `&[u8]`. [`Message::new_checked`] fails only when the
//!   input cannot hold a header; after that no accessor panics. Broken framing (a length that
//!   is not a multiple of 4 or disagrees with the datagram, an attribute overrunning the
//!   message, missing padding) is represented, not refused: see [`Message::problems`] and
//!   [`Attributes`].
//! * [`Attribute`]: typed attribute values, decoded from a [`RawAttribute`] on demand
//!   ([`Attribute::decode`]) and encoded back ([`Attribute::encode_value`]).
//! * [`MessageRepr`] / [`MessageBuilder`]: owned messages that emit byte-exact output,
//!   including a parsed message re-emitted byte for byte (original padding kept), and
//!   MESSAGE-INTEGRITY / MESSAGE-INTEGRITY-SHA256 / FINGERPRINT computed on emit.
//! * [`integrity`]: checks that allocate nothing, with a [`Key`] whose HMAC states are keyed once.
//! * [`rules`]: the rule catalogue and the validator (`rules::validate`), separate from parsing.
//! * [`inspector()`]: the `harness_core::inspect::Inspector` for `webrtc-harness inspect`.
//!
//! # Recipes for protocol code (TURN, ICE)
//!
//! * Receive: `Message::new_checked(bytes)?`, then `msg.class()`, `msg.method()`,
//!   `msg.transaction_id()`, `msg.decode_first(AttrType::USERNAME)`, or walk
//!   `msg.typed_attributes()`. Check integrity with [`integrity::verify`]`(&msg, &key)` (one
//!   walk: MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT) or the single checks
//!   in [`integrity`]; [`Check::Ok`] is the only success.
//! * Keys: [`Key::short_term`] (ICE), [`Key::long_term`] (TURN; MD5 or SHA-256 per
//!   PASSWORD-ALGORITHM), [`Key::from_credential`]; build them once per credential and reuse.
//!   USERHASH: [`userhash`].
//! * Send: [`MessageBuilder::new`] or [`MessageBuilder::reply`], then `.attr(..)` in wire order,
//!   `.message_integrity(&key)` / `.message_integrity_sha256(&key)`, `.fingerprint()`,
//!   `.build()`. Error responses: `Attribute::ErrorCode(ErrorValue::new(ErrorCode::UNAUTHORIZED, "Unauthorized"))`.
//! * Judge: [`rules::validate`] (keys in [`rules::ValidationContext`]) or
//!   [`rules::validate_with_credentials`].
//!
//! # Example
//! ```
//! use harness_stun::{Attribute, Class, Message, MessageBuilder, Method, TransactionId};
//! let txid = TransactionId([1; 12]);
//! let bytes = MessageBuilder::new(Class::Request, Method::BINDING, txid)
//!     .attr(Attribute::Software("example"))
//!     .fingerprint()
//!     .build()
//!     .unwrap();
//! let msg = Message::new_checked(&bytes).unwrap();
//! assert_eq!(msg.method(), Method::BINDING);
//! assert_eq!(harness_stun::integrity::check_fingerprint(&msg), harness_stun::integrity::Check::Ok);
//! ```
#![forbid(unsafe_code)]
#![warn(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

mod attr;
mod attr_encode;
mod attributes;
mod builder;
mod enums;
pub mod fuzzing;
mod inspect;
pub mod integrity;
mod keys;
mod message;
mod repr;
pub mod rules;

#[cfg(test)]
mod test_vectors;

pub use attr::{
    AlgorithmList, AttrError, AttrTypeList, Attribute, ErrorValue, FAMILY_IPV4, FAMILY_IPV6,
    decode_address, xor_address,
};
pub use attr_encode::encode_address;
pub use attributes::{ATTR_HEADER_LEN, Attributes, RawAttribute, WalkError, padded_len};
pub use builder::MessageBuilder;
pub use enums::{AttrType, Class, ErrorCode, Method, PasswordAlgorithm, compose_type, split_type};
pub use inspect::{StunInspector, describe, inspector};
pub use integrity::Check;
pub use keys::{Key, PrepError, long_term_key_bytes, prepare, userhash};
pub use message::{
    Generation, HEADER_LEN, HeaderError, HeaderProblems, MAGIC_COOKIE, Message, TransactionId,
};
pub use repr::{AttrRepr, MessageRepr, ReprError};
pub use rules::catalogue;
