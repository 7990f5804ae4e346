//! DTLS framing for webrtc-harness.
//!
//! The layers, each usable alone:
//!
//! * [`record`]: zero-copy framing of the records of one datagram, DTLS 1.2 (RFC 6347 §4.1)
//!   and DTLS 1.3 (RFC 9147 §4, unified header with C/S/L bits, connection ids, ACK).
//! * [`handshake`]: the DTLS handshake header (message_seq, fragment_offset,
//!   fragment_length) and the fragments of one record.
//! * [`reassembly`]: a reassembler with explicit bounds that reports, never panics on,
//!   inconsistent fragment streams and recognises retransmissions.
//! * [`messages`]: plaintext handshake messages (ClientHello, ServerHello and
//!   HelloRetryRequest, HelloVerifyRequest, Certificate, ...), extensions and alerts.
//! * [`fingerprint`]: certificate fingerprints in SDP `a=fingerprint` form.
//! * [`rules`]: the rule catalogue and the validators that judge what the parsers read.
//! * [`inspect`]: the inspector `webrtc-harness inspect` uses for DTLS datagrams.
//!
//! Parsers describe what is on the wire, including broken messages; only the rules judge.
#![forbid(unsafe_code)]
#![warn(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects
)]
#![cfg_attr(
    test,
    allow(
        clippy::panic,
        clippy::arithmetic_side_effects,
        reason = "unit tests state expectations with panics and literal arithmetic"
    )
)]

pub mod build;
pub mod codes;
pub mod datagram;
pub mod error;
pub mod fingerprint;
pub mod fuzzing;
pub mod handshake;
pub mod inspect;
pub mod messages;
pub mod observer;
mod reader;
pub mod reassembly;
pub mod record;
pub mod rules;

pub use codes::{ContentType, HandshakeType, ProtocolVersion};
pub use error::{DecodeError, RecordError};
pub use inspect::inspector;
pub use rules::catalogue;
