//! TURN for webrtc-harness: sans-IO codecs, client, hardened reference server, RFC 5780 STUN
//! server and NAT behaviour discovery, and the TURN rules.
//!
//! * [`channeldata`]: the ChannelData message (RFC 8656 §12.4); [`framing`]: STUN and
//!   ChannelData on stream transports (§12.5).
//! * [`stun`]: the slice of STUN (RFC 8489) TURN needs: message view, builder, credentials,
//!   a `u16`-typed adapter over the project codec `harness_stun`.
//! * [`transaction`]: client transactions with RFC 8489 §6.2.1 retransmission.
//! * [`client`]: the TURN client (RFC 8656 §7–§12) over UDP or TCP.
//! * [`server`]: the reference TURN server; [`policy`]: which peers it relays to.
//! * [`stun_server`]: the RFC 5780 Binding server; [`discovery`]: the RFC 5780 client.
//! * [`rules`]: the TURN rule catalogue and a validator over captured exchanges.
//!
//! Everything is sans-IO: time is an argument, randomness a
//! [`SeededRng`](harness_core::rng::SeededRng), and every state machine implements
//! [`Endpoint`](harness_core::endpoint::Endpoint). Real sockets live in `harness-turn-net`.
#![forbid(unsafe_code)]
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod channeldata;
pub mod client;
pub mod codes;
pub mod discovery;
pub mod framing;
pub mod fuzzing;
pub mod inspect;
pub mod policy;
pub mod rules;
pub mod server;
pub mod stun;
pub mod stun_server;
pub mod testkit;
pub mod transaction;

pub use inspect::inspector;
pub use rules::catalogue;

#[cfg(test)]
mod catalogue_tests {
    #[test]
    fn every_rule_is_triggered_and_passed_by_a_case() {
        let cat = crate::catalogue();
        assert!(cat.rules.len() >= 40, "{} rules", cat.rules.len());
        let (table, unknown) = cat.coverage();
        assert!(unknown.is_empty(), "cases for unknown rules: {unknown:?}");
        let incomplete: Vec<_> = table
            .iter()
            .filter(|r| !r.complete())
            .map(|r| (r.rule.id, &r.triggered_by, &r.passed_by, &r.broken))
            .collect();
        assert!(incomplete.is_empty(), "{incomplete:#?}");
    }
}
