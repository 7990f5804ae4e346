//! Agent configuration.

use core::time::Duration;
use std::net::SocketAddr;

use harness_core::endpoint::Transport;

/// The ICE role (RFC 8445 §6.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Nominates pairs.
    Controlling,
    /// Accepts nominations.
    Controlled,
}

impl Role {
    /// The other role.
    #[must_use]
    pub const fn flipped(self) -> Self {
        match self {
            Self::Controlling => Self::Controlled,
            Self::Controlled => Self::Controlling,
        }
    }
}

/// How the controlling agent nominates (RFC 8445 §8.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Nomination {
    /// Check first, then repeat the check of the chosen valid pair with USE-CANDIDATE.
    Regular,
    /// USE-CANDIDATE on every check (RFC 5245 §8.1.1.2; for legacy peers).
    Aggressive,
}

/// Which candidates to gather (and to pair).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GatherPolicy {
    /// Host, server-reflexive and relayed candidates.
    All,
    /// Relayed candidates only (`iceTransportPolicy: relay`).
    RelayOnly,
}

/// ICE credentials (RFC 8445 §5.3; RFC 8839 §5.4: ufrag of at least 4 and pwd of at least 22
/// ice-chars).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IceCredentials {
    /// Username fragment.
    pub ufrag: String,
    /// Password.
    pub pwd: String,
}

impl core::fmt::Debug for IceCredentials {
    /// The password is never printed.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IceCredentials")
            .field("ufrag", &self.ufrag)
            .field("pwd", &"<redacted>")
            .finish()
    }
}

/// A TURN server to allocate a relayed candidate on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnServer {
    /// Server address.
    pub addr: SocketAddr,
    /// Long-term username.
    pub username: String,
    /// Long-term password.
    pub password: String,
    /// Transport to the server (RFC 8656 §3.1). The relayed transport is UDP either way.
    pub transport: Transport,
    /// When an allocation over UDP gets no answer (UDP blocked), try again over TCP.
    pub tcp_fallback: bool,
}

impl TurnServer {
    /// A server reached over UDP, falling back to TCP when UDP gets no answer.
    #[must_use]
    pub fn udp(addr: SocketAddr, username: &str, password: &str) -> Self {
        Self {
            addr,
            username: username.to_owned(),
            password: password.to_owned(),
            transport: Transport::Udp,
            tcp_fallback: true,
        }
    }

    /// A server reached over TCP.
    #[must_use]
    pub fn tcp(addr: SocketAddr, username: &str, password: &str) -> Self {
        Self {
            transport: Transport::Tcp,
            tcp_fallback: false,
            ..Self::udp(addr, username, password)
        }
    }
}

/// Everything that shapes an agent. Build with [`AgentConfig::new`] and adjust fields.
#[derive(Clone, Debug)]
pub struct AgentConfig {
    /// Initial role. A lite agent is always controlled.
    pub role: Role,
    /// Local credentials; `None` draws them from the agent's random stream.
    pub credentials: Option<IceCredentials>,
    /// ICE-lite (RFC 8445 §2.5): host candidates only, no checks, answers checks.
    pub lite: bool,
    /// The peer is lite: a full agent then takes the controlling role (RFC 8445 §6.1.1).
    pub remote_lite: bool,
    /// Nomination mode of the controlling agent.
    pub nomination: Nomination,
    /// Pacing interval for new STUN transactions (RFC 8445 §14.2; 50 ms by default).
    pub ta: Duration,
    /// Gathering policy.
    pub policy: GatherPolicy,
    /// Local host sockets (one base each), in order of preference.
    pub host_addrs: Vec<SocketAddr>,
    /// STUN servers for server-reflexive candidates.
    pub stun_servers: Vec<SocketAddr>,
    /// TURN servers for relayed candidates.
    pub turn_servers: Vec<TurnServer>,
    /// Trickle ICE (RFC 8838): candidates are announced one by one and pairs formed as they
    /// come; the check list may only fail after end-of-candidates.
    pub trickle: bool,
    /// Consent freshness (RFC 7675) on the selected pair.
    pub consent: bool,
    /// The basic consent interval (randomised 0.8–1.2×; RFC 7675 §5.1 recommends 5 s).
    pub consent_interval: Duration,
    /// Consent expiry (RFC 7675 §5.1: 30 s).
    pub consent_timeout: Duration,
    /// No consent response for this long reports `Disconnected`.
    pub disconnected_timeout: Duration,
    /// Keepalive interval when consent is off (RFC 8445 §11: 15 s default).
    pub keepalive_interval: Duration,
    /// Transmissions of one check before it times out (RFC 8489 §6.2.1 Rc; 7).
    pub max_transmissions: u32,
    /// Minimum RTO (RFC 8445 §14.3: 500 ms).
    pub rto_min: Duration,
    /// Regular nomination: how long the controlling agent waits for higher-priority checks after
    /// the first valid pair before nominating.
    pub nomination_delay: Duration,
    /// Upper bound on candidate pairs (RFC 8445 §6.1.2.5 suggests 100; also bounds memory).
    pub max_pairs: usize,
    /// Upper bound on remote candidates, including peer-reflexive ones.
    pub max_remote_candidates: usize,
}

impl AgentConfig {
    /// Defaults of RFC 8445 / RFC 7675 for a full agent on the given host sockets.
    #[must_use]
    pub fn new(role: Role, host_addrs: Vec<SocketAddr>) -> Self {
        Self {
            role,
            credentials: None,
            lite: false,
            remote_lite: false,
            nomination: Nomination::Regular,
            ta: Duration::from_millis(50),
            policy: GatherPolicy::All,
            host_addrs,
            stun_servers: Vec::new(),
            turn_servers: Vec::new(),
            trickle: false,
            consent: true,
            consent_interval: Duration::from_secs(5),
            consent_timeout: Duration::from_secs(30),
            disconnected_timeout: Duration::from_secs(10),
            keepalive_interval: Duration::from_secs(15),
            max_transmissions: 7,
            rto_min: Duration::from_millis(500),
            nomination_delay: Duration::from_millis(200),
            max_pairs: 100,
            max_remote_candidates: 64,
        }
    }
}
