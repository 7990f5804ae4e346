//! The ICE agents a scenario drives, behind one object-safe trait.
//!
//! [`IceAgent`] is what the runner needs from an implementation: the sans-IO driving shape
//! of [`harness_core::endpoint::Endpoint`] plus the signaling hooks (credentials, remote
//! candidates, restart) and read-back of results. The built-in [`reference`] agent implements
//! it; other implementations (the webrtc crate's agent, in `harness-xcheck`) are injected
//! through an [`AgentFactory`], so this crate never depends on them.

pub mod reference;
mod relay;
pub mod shim;

use core::fmt;
use core::time::Duration;
use std::net::{IpAddr, SocketAddr};

use harness_core::endpoint::{Input, Output, Socket, Transport};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use serde::Serialize;

use crate::schema::{CandidateType, Gathering, Implementation, Nomination};

/// One ICE candidate (component 1, one data stream).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Candidate {
    /// Foundation.
    pub foundation: String,
    /// Priority (RFC 8445 §5.1.2).
    pub priority: u32,
    /// Transport address.
    pub addr: SocketAddr,
    /// Type.
    pub kind: CandidateType,
    /// Related address (base or mapped address).
    pub related: Option<SocketAddr>,
    /// The transport to the first hop: TCP for a relayed candidate reached over TURN-TCP.
    pub first_hop: TransportTag,
}

/// UDP or TCP, serialisable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum TransportTag {
    /// UDP.
    Udp,
    /// TCP.
    Tcp,
}

impl From<Transport> for TransportTag {
    fn from(t: Transport) -> Self {
        match t {
            Transport::Udp => Self::Udp,
            Transport::Tcp => Self::Tcp,
        }
    }
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.name(), self.addr)
    }
}

/// RFC 8445 §5.1.2.1 type preferences.
#[must_use]
pub const fn type_preference(kind: CandidateType) -> u32 {
    match kind {
        CandidateType::Host => 126,
        CandidateType::Prflx => 110,
        CandidateType::Srflx => 100,
        CandidateType::Relay => 0,
    }
}

/// Candidate priority (RFC 8445 §5.1.2.1), component 1.
#[must_use]
pub fn candidate_priority(kind: CandidateType, local_pref: u16) -> u32 {
    (type_preference(kind) << 24) | (u32::from(local_pref) << 8) | 255
}

/// Local preference: IPv6 above IPv4 (RFC 8421 §4 style), TCP-relayed below UDP.
#[must_use]
pub const fn local_preference(ip: IpAddr, first_hop: TransportTag) -> u16 {
    let base: u16 = if ip.is_ipv6() { 65_535 } else { 65_000 };
    match first_hop {
        TransportTag::Udp => base,
        TransportTag::Tcp => base - 1000,
    }
}

/// Pair priority (RFC 8445 §6.1.2.3): `g` is the controlling agent's candidate priority.
#[must_use]
pub fn pair_priority(g: u32, d: u32) -> u64 {
    let (g, d) = (u64::from(g), u64::from(d));
    (1 << 32) * g.min(d) + 2 * g.max(d) + u64::from(g > d)
}

/// An agent's ICE state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IceState {
    /// Gathering or waiting for the remote description.
    New,
    /// Checks running.
    Checking,
    /// A pair is selected.
    Connected,
    /// Every pair failed, or consent was lost.
    Failed,
    /// Closed by the application.
    Closed,
}

/// What an agent reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AgentEvent {
    /// A new local candidate (to signal).
    LocalCandidate(Candidate),
    /// Gathering is over.
    GatheringDone,
    /// The state changed.
    State(IceState),
    /// A pair was selected (or re-selected).
    Selected {
        /// Local candidate.
        local: Candidate,
        /// Remote candidate.
        remote: Candidate,
    },
    /// The role changed after a conflict (RFC 8445 §7.3.1.1); `true`: now controlling.
    RoleChanged(bool),
    /// Consent expired on the selected pair (RFC 7675 §5.1).
    ConsentLost,
    /// Application data arrived on the selected pair.
    Data(Vec<u8>),
}

/// A TURN server as a peer sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnServerRef {
    /// Address.
    pub addr: SocketAddr,
    /// Transport to it.
    pub transport: Transport,
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
}

/// How to build an agent.
#[derive(Clone, Debug)]
pub struct AgentConfig {
    /// Peer name.
    pub name: String,
    /// Controlling at the start.
    pub controlling: bool,
    /// The host's addresses (one UDP base each).
    pub host_addrs: Vec<IpAddr>,
    /// STUN servers.
    pub stun_servers: Vec<SocketAddr>,
    /// TURN servers.
    pub turn_servers: Vec<TurnServerRef>,
    /// Gathering policy.
    pub gathering: Gathering,
    /// Trickle.
    pub trickle: bool,
    /// ICE-lite.
    pub lite: bool,
    /// Nomination.
    pub nomination: Nomination,
    /// Check pacing.
    pub ta: Duration,
    /// Consent freshness.
    pub consent: bool,
}

/// The remote side's ICE parameters, from its description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteParams {
    /// ice-ufrag.
    pub ufrag: String,
    /// ice-pwd.
    pub pwd: String,
    /// ice-lite.
    pub lite: bool,
}

/// An ICE implementation driven by the scenario runner.
pub trait IceAgent {
    /// The implementation's name in reports.
    fn implementation(&self) -> Implementation;
    /// The current local ufrag and password.
    fn credentials(&self) -> (String, String);
    /// Whether the agent is controlling now.
    fn controlling(&self) -> bool;
    /// Datagrams, TCP events and timeouts, as [`harness_core::endpoint::Endpoint`].
    fn handle_input(&mut self, input: Input<'_>);
    /// Outputs, as [`harness_core::endpoint::Endpoint`]; drain until `Timeout` or `Idle`.
    fn poll_output(&mut self) -> Output<AgentEvent>;
    /// Local sockets.
    fn sockets(&self) -> Vec<Socket>;
    /// The remote description's ICE parameters (also after a remote restart).
    fn set_remote(&mut self, now: Instant, params: RemoteParams);
    /// A remote candidate (from the description or trickled).
    fn add_remote_candidate(&mut self, now: Instant, candidate: Candidate);
    /// The remote side has no more candidates.
    fn remote_gathering_done(&mut self, now: Instant);
    /// Starts an ICE restart: new credentials; the caller signals them.
    fn restart(&mut self, now: Instant);
    /// Stops sending and answering.
    fn close(&mut self, now: Instant);
    /// Sends application data on the selected pair; `false` when there is none.
    fn send(&mut self, now: Instant, payload: &[u8]) -> bool;
    /// The selected pair.
    fn selected(&self) -> Option<(Candidate, Candidate)>;
    /// Remote candidates known (signaled and peer-reflexive).
    fn remote_candidates(&self) -> Vec<Candidate>;
    /// Fields of this implementation's output that are not reproducible from the seed and
    /// must be masked in reports (e.g. `stun.transaction_id`).
    fn masked_fields(&self) -> Vec<&'static str> {
        Vec::new()
    }
}

/// Makes agents of one implementation; injected by the CLI for implementations that live in
/// other crates.
pub trait AgentFactory: Send + Sync {
    /// The implementation made.
    fn implementation(&self) -> Implementation;
    /// A new agent; `rng` is this peer's stream of the run seed.
    ///
    /// # Errors
    /// A message when the configuration is not supported.
    fn create(&self, config: &AgentConfig, rng: SeededRng) -> Result<Box<dyn IceAgent>, String>;
}

/// The built-in factory for [`Implementation::Reference`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ReferenceFactory;

impl AgentFactory for ReferenceFactory {
    fn implementation(&self) -> Implementation {
        Implementation::Reference
    }

    fn create(&self, config: &AgentConfig, rng: SeededRng) -> Result<Box<dyn IceAgent>, String> {
        Ok(Box::new(reference::ReferenceAgent::new(
            config.clone(),
            rng,
        )))
    }
}
