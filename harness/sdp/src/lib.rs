//! SDP for webrtc-harness.
//!
//! * [`view`]: a lossless, zero-copy parser. [`Sdp::parse`] keeps every line as a byte span
//!   with its line number and terminator (CRLF, bare LF, none), never panics, and
//!   [`Sdp::emit`] gives back the input byte for byte. A parse allocates two vectors.
//! * [`fields`], [`attr`], [`candidate`]: typed access to the fixed lines, to the WebRTC
//!   attributes and to ICE candidates (RFC 8839 §5.1), borrowing from the input.
#![warn(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

pub mod attr;
pub mod candidate;
pub mod fields;
pub mod model;
pub mod view;

pub use attr::{Attribute, Direction, Setup, Typed};
pub use candidate::Candidate;
pub use view::{Line, LineEnding, Media, ParseError, Sdp};
