//! What an agent reports besides packets.

use core::fmt;
use std::net::SocketAddr;

use harness_core::endpoint::Transport;
use harness_core::time::Instant;

use crate::candidate::{Candidate, CandidateKind};
use crate::checklist::PairState;
use crate::config::Role;

/// The agent's overall state (RFC 8445 §6.1.3 plus the W3C `RTCIceConnectionState` names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// Nothing has happened yet.
    New,
    /// Checks are running.
    Checking,
    /// A pair is selected; more candidates may still come.
    Connected,
    /// A pair is selected and every check list is done.
    Completed,
    /// Consent responses are overdue (RFC 7675) but consent has not yet expired.
    Disconnected,
    /// No pair worked, or consent expired.
    Failed,
    /// Closed by the application.
    Closed,
}

impl ConnectionState {
    /// Lower-case name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Checking => "checking",
            Self::Connected => "connected",
            Self::Completed => "completed",
            Self::Disconnected => "disconnected",
            Self::Failed => "failed",
            Self::Closed => "closed",
        }
    }

    /// Whether `self -> next` is a transition the agent may make.
    #[must_use]
    pub const fn may_become(self, next: Self) -> bool {
        use ConnectionState::*;
        matches!(
            (self, next),
            (New, Checking | Failed | Closed)
                | (Checking, Connected | Failed | Closed | New)
                | (
                    Connected,
                    Completed | Disconnected | Failed | Closed | Checking
                )
                | (
                    Completed,
                    Disconnected | Failed | Closed | Checking | Connected
                )
                | (
                    Disconnected,
                    Connected | Completed | Failed | Closed | Checking
                )
                | (Failed, Checking | Closed)
        )
    }
}

impl fmt::Display for ConnectionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The pair in use: what it connects and over what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectedPair {
    /// Local candidate.
    pub local: Candidate,
    /// Remote candidate.
    pub remote: Candidate,
    /// Where datagrams leave from (the local candidate's base).
    pub base: SocketAddr,
    /// UDP or TCP.
    pub transport: Transport,
}

impl SelectedPair {
    /// `host/srflx` style: local type, remote type.
    #[must_use]
    pub fn kinds(&self) -> (CandidateKind, CandidateKind) {
        (self.local.kind, self.remote.kind)
    }
}

/// One event, stamped with the time of the input that caused it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IceEvent {
    /// When.
    pub at: Instant,
    /// What.
    pub kind: IceEventKind,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IceEventKind {
    /// A local candidate was gathered (to be signalled to the peer when trickling).
    CandidateGathered(Candidate),
    /// Gathering finished (signal end-of-candidates).
    GatheringComplete,
    /// A pair changed state.
    PairStateChanged {
        /// Pair index.
        pair: usize,
        /// Local address.
        local: SocketAddr,
        /// Remote address.
        remote: SocketAddr,
        /// Old state.
        from: PairState,
        /// New state.
        to: PairState,
    },
    /// A pair was selected (nominated and valid).
    SelectedPair(SelectedPair),
    /// The connection state changed.
    ConnectionState(ConnectionState),
    /// The role changed after a conflict (RFC 8445 §7.2.5.1, §7.3.1.1).
    RoleChanged(Role),
    /// An error response was sent (code) to this address.
    ErrorSent {
        /// Error code.
        code: u16,
        /// Destination.
        to: SocketAddr,
    },
    /// Consent on the selected pair expired (RFC 7675 §5.1): sending stops.
    ConsentLost,
    /// Application data (a non-STUN datagram) arrived on a valid pair.
    Data(Vec<u8>),
}
