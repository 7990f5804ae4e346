//! A fast, deterministic hasher for the capture tables (5-tuples, transaction ids).
//!
//! The tables are bounded (see [`crate::Limits`]), so a crafted capture that makes keys
//! collide costs time within those bounds, not memory; in exchange, ordinary captures avoid
//! SipHash's cost on every packet. The hasher itself is [`harness_core::hash`].

pub use harness_core::hash::{FastMap, FxHasher};
