//! The reference ICE agent of webrtc-harness and the ICE rule catalogue.
//!
//! * [`Agent`]: a sans-IO ICE agent (RFC 8445 full and lite, RFC 8838 trickle, RFC 7675
//!   consent freshness) implementing [`harness_core::endpoint::Endpoint`]. Configure it with
//!   [`AgentConfig`]; signalling goes through its methods.
//! * [`checklist`]: forming, pruning and ordering the check list.
//! * [`rules`]: the ICE rules and a validator over observed datagrams (one endpoint's view of
//!   what it sent and received), usable on simulator traces and captures.
//!
//! # Limitations
//!
//! One component (RTCP multiplexed) and one data stream; UDP candidates only (a relayed
//! candidate may be reached over TCP to the TURN server).
#![forbid(unsafe_code)]
#![warn(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

pub mod agent;
pub mod candidate;
pub mod checklist;
pub mod config;
pub mod event;
pub mod fuzzing;
pub mod netkit;
pub mod rules;
pub mod stunmsg;
pub mod testkit;

pub use agent::{Agent, Counters};
pub use candidate::{Candidate, CandidateKind};
pub use config::{AgentConfig, GatherPolicy, IceCredentials, Nomination, Role, TurnServer};
pub use event::{ConnectionState, IceEvent, IceEventKind, SelectedPair};
pub use rules::{catalogue, inspector};
