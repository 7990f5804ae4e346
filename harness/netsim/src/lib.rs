//! A deterministic, discrete-event simulated packet network for webrtc-harness.
//!
//! The network is the stage every scenario plays on: hosts with IPv4 and/or IPv6 addresses on
//! LANs and on a core "internet", routers, NATs that behave as RFC 4787 and RFC 5382 describe,
//! firewalls with ordered rules, impaired links, UDP and a TCP connection model, a trace of
//! every packet event and a pcapng capture that Wireshark opens.
//!
//! # Building a topology
//!
//! Everything is declared by name with [`Network::builder`] (so a scenario file maps onto it
//! directly) and resolved by [`NetworkBuilder::build`]:
//!
//! ```
//! use core::time::Duration;
//! use harness_core::rng::RunSeed;
//! use harness_netsim::{HostSpec, LinkConfig, NatConfig, Network, RouterSpec};
//!
//! let net = Network::builder(RunSeed(7))
//!     .internet("internet")
//!     .lan("home", "192.168.1.0/24")
//!     .host("alice", HostSpec::on("home", &["192.168.1.10"]))
//!     .nat(
//!         "home-nat",
//!         RouterSpec::nat(NatConfig::symmetric())
//!             .inside("home", "192.168.1.1")
//!             .outside("internet", "203.0.113.1"),
//!     )
//!     .host("server", HostSpec::on("internet", &["198.51.100.1", "198.51.100.2"]))
//!     .link("alice", "home", LinkConfig::new().delay(Duration::from_millis(5)))
//!     .capture(true)
//!     .build()
//!     .expect("valid topology");
//! assert!(net.node("home-nat").is_some());
//! ```
//!
//! * **Segments**: [`NetworkBuilder::lan`] (a prefix, several calls add IPv6 next to IPv4) and
//!   [`NetworkBuilder::internet`] (every address on-link, plus routes to public prefixes that
//!   sit behind plain routers).
//! * **Nodes**: hosts ([`HostSpec`]: several interfaces, several addresses each, optional host
//!   firewall) and routers ([`RouterSpec`]: inside interfaces, one outside interface, optional
//!   [`NatConfig`] and [`Firewall`]). A segment's gateway is the first router with an inside
//!   address there; hosts route by longest prefix (connected prefixes, then a default route
//!   via the gateway); a NAT's default route points to the gateway of its outside segment, so
//!   cascades (home NAT behind a carrier-grade NAT) need no extra configuration.
//! * **Links**: [`NetworkBuilder::link`] impairs the attachment of a node to a segment
//!   ([`LinkConfig`]: delay, bounded jitter, Bernoulli or Gilbert-Elliott [`Loss`],
//!   duplication, reordering, MTU, rate and queue limit). Each direction has its own random
//!   stream.
//! * **Faults** ([`Fault`]): partition (both ways or one way), hold and release, heal, and
//!   reconfiguration, at scheduled virtual times.
//!
//! # Running
//!
//! Endpoints implementing [`harness_core::endpoint::Endpoint`] attach to hosts with
//! [`Network::attach`] (events are kept as `Debug` text; the endpoint can be read back with
//! [`Network::endpoint`]). The network delivers each datagram with its full
//! [`TransportContext`](harness_core::endpoint::TransportContext), turns TCP commands into
//! connections, and honours each endpoint's deadline. Time jumps from event to event (never
//! fixed ticks); events at the same instant run in the order they were scheduled (a stable
//! sequence number), so a run is a pure function of the seed and the inputs.
//! [`Network::run_until`], [`Network::run_for`], [`Network::run_until_idle`] and
//! [`Network::step`] drive it; [`Limits`] bound the work at one instant to catch livelock.
//!
//! # Determinism
//!
//! One [`RunSeed`](harness_core::rng::RunSeed) per run. Each component draws from its own
//! stream derived from a stable label (`nat/<name>`, `link/<node>/<segment>/up|down`,
//! `tcp/<host>`), so adding a node never changes another's numbers. Same seed, same inputs:
//! identical [`Trace`] and identical pcapng bytes.
//!
//! # NAT model
//!
//! See [`NatConfig`]: mapping and filtering (endpoint-independent, address-dependent,
//! address-and-port-dependent), port assignment (preserving with fallback, sequential,
//! random; optional parity), pooling (paired, arbitrary), hairpinning (off, on with or
//! without source translation), refresh direction, timeouts (UDP; TCP established and
//! transitory per RFC 5382), static 1:1 mappings, and stateful filtering of IPv6 without
//! translation. Payloads are never rewritten.
//!
//! # Observing
//!
//! [`Network::trace`] lists every packet event (sent, dropped with a [`DropReason`],
//! translated, duplicated, held, delivered) and prints as a fixed-width table for snapshots.
//! [`Network::pcapng`] returns a capture with one interface per host interface and per
//! router/NAT interface (inside and outside), with synthesised IP/UDP/TCP headers.
//!
//! # RFC 5780
//!
//! [`stun5780`] holds a small NAT behaviour discovery server and client (sans-IO endpoints)
//! that the tests run inside the simulator to classify each NAT configuration.
//!
//! # Fuzzing
//!
//! [`fuzzing::fuzz_network`] drives a NAT + firewall topology with arbitrary packets (any TCP
//! flags and sequence numbers), TCP commands, time steps and faults, and checks that two runs
//! of the same input produce the same trace and capture (`fuzz/fuzz_targets/netsim_ops.rs`).

pub mod addr;
mod builder;
pub mod fault;
pub mod firewall;
pub mod fuzzing;
mod hosted;
pub mod link;
pub mod nat;
mod network;
pub mod packet;
pub mod pcapng;
pub mod stun5780;
mod tcp;
mod topology;
pub mod trace;

pub use addr::Prefix;
pub use builder::NetworkBuilder;
pub use fault::{Fault, FaultAction, LinkDirection};
pub use firewall::{Action, Direction, Firewall, Rule};
pub use hosted::HostedEndpoint;
pub use link::{LinkConfig, Loss, RateLimit};
pub use nat::{Dependence, Hairpinning, Mapping, NatConfig, Pooling, PortAssignment, Refresh};
pub use network::{EndpointEvent, EndpointId, Limits, Network, RunError, Stats};
pub use topology::{BuildError, HostSpec, IfaceSpec, RouterSpec};
pub use trace::{DropReason, NodeId, Trace, TraceEvent, TraceKind};
