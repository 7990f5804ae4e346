//! The check list: forming, pruning and ordering pairs, and their states
//! (RFC 8445 §6.1.2).

use core::fmt;
use std::net::SocketAddr;

use crate::candidate::{Candidate, CandidateKind, pair_priority};
use crate::config::Role;

/// The state of one pair (RFC 8445 §6.1.2.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PairState {
    /// Not checked yet and not allowed to be until unfrozen.
    Frozen,
    /// To be checked when its turn comes.
    Waiting,
    /// A check is outstanding.
    InProgress,
    /// A check succeeded.
    Succeeded,
    /// The check failed (timeout, unrecoverable error, non-symmetric response).
    Failed,
}

impl PairState {
    /// Whether `self -> next` is a legal transition (RFC 8445 §6.1.2.6 figure 6, plus the
    /// restart of a failed pair by a triggered check, §7.3.1.4).
    #[must_use]
    pub const fn may_become(self, next: Self) -> bool {
        use PairState::*;
        matches!(
            (self, next),
            (Frozen, Waiting | InProgress | Failed)
                | (Waiting, InProgress | Failed | Frozen)
                | (InProgress, Succeeded | Failed | Waiting)
                | (Failed, Waiting | InProgress)
                | (Succeeded, InProgress | Waiting)
        )
    }
}

impl fmt::Display for PairState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Frozen => "frozen",
            Self::Waiting => "waiting",
            Self::InProgress => "in-progress",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        })
    }
}

/// One candidate pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    /// Index into the local candidates.
    pub local: usize,
    /// Index into the remote candidates.
    pub remote: usize,
    /// Where checks leave from (the local candidate's base).
    pub base: SocketAddr,
    /// Where checks go.
    pub remote_addr: SocketAddr,
    /// Pair priority for the current role.
    pub priority: u64,
    /// `local foundation:remote foundation`.
    pub foundation: String,
    /// State.
    pub state: PairState,
    /// In the valid list (RFC 8445 §7.2.5.3.2).
    pub valid: bool,
    /// Nominated (RFC 8445 §7.2.5.3.4, §7.3.1.5).
    pub nominated: bool,
    /// The controlled side saw USE-CANDIDATE for this pair before it succeeded.
    pub use_candidate_received: bool,
    /// No longer scheduled (pruned after nomination, RFC 8445 §8.1.2).
    pub removed: bool,
}

impl Pair {
    /// A new pair in the frozen state.
    #[must_use]
    pub fn new(
        local_index: usize,
        local: &Candidate,
        remote_index: usize,
        remote: &Candidate,
        role: Role,
    ) -> Self {
        Self {
            local: local_index,
            remote: remote_index,
            base: local.base,
            remote_addr: remote.addr,
            priority: priority_for(role, local, remote),
            foundation: format!("{}:{}", local.foundation, remote.foundation),
            state: PairState::Frozen,
            valid: false,
            nominated: false,
            use_candidate_received: false,
            removed: false,
        }
    }
}

/// The pair priority of `local`/`remote` when this agent has `role` (RFC 8445 §6.1.2.3).
#[must_use]
pub fn priority_for(role: Role, local: &Candidate, remote: &Candidate) -> u64 {
    match role {
        Role::Controlling => pair_priority(local.priority, remote.priority),
        Role::Controlled => pair_priority(remote.priority, local.priority),
    }
}

/// Whether two candidates may be paired (RFC 8445 §6.1.2.2): same component, same transport,
/// same address family, and link-local IPv6 only with link-local IPv6.
#[must_use]
pub fn compatible(local: &Candidate, remote: &Candidate) -> bool {
    let family = local.addr.is_ipv4() == remote.addr.is_ipv4();
    let link_local = |a: &SocketAddr| match a.ip() {
        std::net::IpAddr::V6(v6) => v6.segments().first().is_some_and(|s| s & 0xffc0 == 0xfe80),
        std::net::IpAddr::V4(_) => false,
    };
    local.component == remote.component
        && local.transport == remote.transport
        && family
        && link_local(&local.addr) == link_local(&remote.addr)
}

/// Forms the check list of `locals` × `remotes` (RFC 8445 §6.1.2.2–§6.1.2.6): pairs compatible
/// candidates, replaces server-reflexive local candidates by their base for pruning, drops
/// redundant pairs (same base and remote, keeping the higher priority), keeps the `limit`
/// highest-priority pairs, and sets the initial states (per foundation, the highest-priority
/// pair Waiting, the rest Frozen). The result is sorted by decreasing priority.
#[must_use]
pub fn form_check_list(
    locals: &[Candidate],
    remotes: &[Candidate],
    role: Role,
    limit: usize,
) -> Vec<Pair> {
    let mut pairs: Vec<Pair> = Vec::with_capacity(locals.len().saturating_mul(remotes.len()));
    for (li, l) in locals.iter().enumerate() {
        // Server-reflexive candidates are not paired themselves: their base is (§6.1.2.4).
        if l.kind == CandidateKind::ServerReflexive {
            continue;
        }
        for (ri, r) in remotes.iter().enumerate() {
            if compatible(l, r) {
                pairs.push(Pair::new(li, l, ri, r, role));
            }
        }
    }
    prune(&mut pairs, limit);
    set_initial_states(&mut pairs);
    pairs
}

/// Sorts by decreasing priority, removes redundant pairs (RFC 8445 §6.1.2.4) and keeps at most
/// `limit` (§6.1.2.5).
pub fn prune(pairs: &mut Vec<Pair>, limit: usize) {
    pairs.sort_by_key(|p| core::cmp::Reverse(p.priority));
    let mut kept: Vec<Pair> = Vec::with_capacity(pairs.len());
    let mut seen: std::collections::HashSet<(SocketAddr, SocketAddr)> =
        std::collections::HashSet::with_capacity(pairs.len());
    for p in pairs.drain(..) {
        if seen.insert((p.base, p.remote_addr)) {
            kept.push(p);
        }
    }
    kept.truncate(limit);
    *pairs = kept;
}

/// Initial states (RFC 8445 §6.1.2.6): for each foundation the highest-priority pair (the
/// lowest component, there being one) becomes Waiting; the others stay Frozen. `pairs` must
/// be sorted by decreasing priority.
pub fn set_initial_states(pairs: &mut [Pair]) {
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut states = Vec::with_capacity(pairs.len());
    for p in pairs.iter() {
        states.push(if seen.insert(p.foundation.as_str()) {
            PairState::Waiting
        } else {
            PairState::Frozen
        });
    }
    for (p, s) in pairs.iter_mut().zip(states) {
        p.state = s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::candidate::candidate_priority;
    use harness_core::endpoint::Transport;

    fn cand(kind: CandidateKind, addr: &str, base: &str, foundation: &str) -> Candidate {
        Candidate {
            kind,
            transport: Transport::Udp,
            addr: addr.parse().unwrap(),
            base: base.parse().unwrap(),
            priority: candidate_priority(kind, 65535, 1),
            foundation: foundation.into(),
            component: 1,
            related: None,
        }
    }

    #[test]
    fn server_reflexive_locals_are_replaced_by_their_base_and_pruned() {
        let locals = vec![
            cand(CandidateKind::Host, "10.0.0.1:5000", "10.0.0.1:5000", "1"),
            cand(
                CandidateKind::ServerReflexive,
                "203.0.113.1:6000",
                "10.0.0.1:5000",
                "2",
            ),
        ];
        let remotes = vec![cand(
            CandidateKind::Host,
            "10.0.0.2:5000",
            "10.0.0.2:5000",
            "1",
        )];
        let pairs = form_check_list(&locals, &remotes, Role::Controlling, 100);
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].local, 0);
    }

    #[test]
    fn families_are_not_mixed() {
        let locals = vec![cand(
            CandidateKind::Host,
            "10.0.0.1:5000",
            "10.0.0.1:5000",
            "1",
        )];
        let remotes = vec![cand(
            CandidateKind::Host,
            "[2001:db8::1]:5000",
            "[2001:db8::1]:5000",
            "1",
        )];
        assert!(form_check_list(&locals, &remotes, Role::Controlled, 100).is_empty());
    }

    #[test]
    fn one_pair_per_foundation_starts_waiting() {
        let locals = vec![cand(
            CandidateKind::Host,
            "10.0.0.1:5000",
            "10.0.0.1:5000",
            "1",
        )];
        let remotes = vec![
            cand(CandidateKind::Host, "10.0.0.2:5000", "10.0.0.2:5000", "1"),
            cand(CandidateKind::Host, "10.0.0.2:5001", "10.0.0.2:5001", "1"),
            cand(
                CandidateKind::Relayed,
                "10.0.0.9:5001",
                "10.0.0.9:5001",
                "7",
            ),
        ];
        let pairs = form_check_list(&locals, &remotes, Role::Controlling, 100);
        let waiting = pairs
            .iter()
            .filter(|p| p.state == PairState::Waiting)
            .count();
        assert_eq!(waiting, 2);
        assert!(pairs.windows(2).all(|w| w[0].priority >= w[1].priority));
    }

    #[test]
    fn the_limit_keeps_the_highest_priority_pairs() {
        let locals: Vec<_> = (0..10)
            .map(|i| {
                cand(
                    CandidateKind::Host,
                    &format!("10.0.0.1:{}", 5000 + i),
                    &format!("10.0.0.1:{}", 5000 + i),
                    "1",
                )
            })
            .collect();
        let remotes = locals.clone();
        let pairs = form_check_list(&locals, &remotes, Role::Controlling, 7);
        assert_eq!(pairs.len(), 7);
    }

    #[test]
    fn pair_state_transitions_follow_the_figure() {
        assert!(PairState::Frozen.may_become(PairState::Waiting));
        assert!(!PairState::Frozen.may_become(PairState::Succeeded));
        assert!(!PairState::Waiting.may_become(PairState::Succeeded));
        assert!(PairState::InProgress.may_become(PairState::Succeeded));
    }
}
