//! Shared interfaces of webrtc-harness.
//!
//! Every other crate of the harness depends on this one and on nothing heavier:
//!
//! * [`time`]: the virtual clock ([`time::Instant`] starts at zero; no clock is ever read).
//! * [`rng`]: seeded randomness ([`rng::RunSeed`] derives an independent stream per component).
//! * [`endpoint`]: the sans-IO driving trait ([`endpoint::Endpoint`]) that every STUN/TURN
//!   client and server, ICE agent and adapter implements.
//! * [`rules`]: the rule model ([`rules::Rule`]), findings ([`rules::Finding`]) and the
//!   coverage cases that prove each rule can both trigger and pass.
//! * [`inspect`]: the protocol-neutral field tree and the [`inspect::Inspector`] trait that
//!   `webrtc-harness inspect` dispatches to.
//! * [`credentials`]: STUN credentials and password preparation, shared by the CLI and codecs.
//! * [`divergence`]: the cross-check model (reference versus the webrtc crate or another stack).
//! * [`hash`]: a fixed Fx hasher and [`hash::FastMap`] for bounded lookup tables.
//! * [`wire_enum`]: the [`open_enum!`] macro for open wire code points (unknown values
//!   round-trip and print in hex), shared by the protocol codecs.
//!
//! See `docs/ARCHITECTURE.md` for how the pieces fit.
#![forbid(unsafe_code)]

pub mod credentials;
pub mod divergence;
pub mod endpoint;
pub mod hash;
pub mod inspect;
pub mod rng;
pub mod rules;
pub mod time;
pub mod wire_enum;
