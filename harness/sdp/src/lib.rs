//! SDP for webrtc-harness.
//!
//! * [`view`]: a lossless, zero-copy parser. [`Sdp::parse`] keeps every line as a byte span
//!   with its line number and terminator (CRLF, bare LF, none), never panics, and
//!   [`Sdp::emit`] gives back the input byte for byte. A parse allocates two vectors, however
//!   large the input.
//! * [`fields`], [`attr`], [`candidate`]: typed access to the fixed lines, to the WebRTC
//!   attributes and to ICE candidates (RFC 8839 §5.1), borrowing from the input.
//! * [`model`]: an owned model to build offers and answers, emitted with CRLF.
//! * [`rules`]: the catalogue of RFC requirements, [`validate`] for one description and
//!   [`check_offer_answer`] for an exchange.
//! * [`inspect`]: the `webrtc-harness inspect` front end ([`inspector`]).
//! * [`fuzzing`]: the bodies of the `sdp_*` fuzz targets.
//!
//! Syntax is kept apart from policy: the parser accepts anything that starts with `v=` and
//! describes it; only the rules judge.
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
pub mod fuzzing;
pub mod inspect;
pub mod model;
pub mod rules;
pub mod view;

pub use attr::{Attribute, Direction, Setup, Typed};
pub use candidate::Candidate;
pub use rules::{check, check_exchange, check_offer_answer, check_offer_answer_bytes, validate};
pub use view::{Line, LineEnding, Media, ParseError, Sdp};

/// The SDP rules and their coverage cases.
#[must_use]
pub fn catalogue() -> harness_core::rules::Catalogue {
    harness_core::rules::Catalogue {
        protocol: "sdp",
        rules: rules::RULES,
        cases: rules::cases,
    }
}

/// The SDP inspector for `webrtc-harness inspect`.
#[must_use]
pub fn inspector() -> &'static dyn harness_core::inspect::Inspector {
    &inspect::SdpInspector
}
