//! The outcome oracle: from the NAT, firewall and server model alone, which candidate pairs
//! can succeed, and which of them has the highest priority (RFC 8445 §6.1.2.3). A selected
//! pair outside that set is an error; a lower-priority one is a finding with its reason.

use std::net::IpAddr;

use harness_core::rules::{CaseResult, Expect, Finding, Location};
use serde::Serialize;

use crate::agent::{Candidate, TransportTag, pair_priority};
use crate::schema::{
    CandidateType, Dependence, FirewallPreset, FirewallSpec, FwAction, FwDirection, Hairpin,
    Scenario, TransportName,
};

harness_core::rules! {
    /// The scenario-level ICE outcome rules.
    pub RULES;
    /// RFC 8445 §8.1.1: the selected pair comes from the valid list, so it must be a pair the
    /// network lets succeed.
    SELECTED_FEASIBLE = ("ice.outcome.selected-feasible", 8445, "8.1.1", Must, Flow,
        "The selected pair is one that the NAT, firewall and server model lets succeed");
    /// RFC 8445 §8.1.1: the controlling agent MUST eventually pick a pair; when one can
    /// succeed, ICE connects.
    CONNECTS_WHEN_FEASIBLE = ("ice.outcome.connects-when-feasible", 8445, "8.1.1", Must, Flow,
        "When some candidate pair can succeed, the agents select one");
    /// RFC 8445 §8.1.1 and §6.1.2.3: nomination is local policy, but the pair of highest
    /// priority that can succeed is the expected choice.
    SELECTED_BEST = ("ice.outcome.selected-best", 8445, "8.1.1", Should, Flow,
        "The selected pair has the highest priority among the pairs that can succeed");
}

/// How a peer reaches the internet, reduced to what decides connectivity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PathModel {
    /// The host's segments.
    pub segments: Vec<String>,
    /// NAT names from the host outwards.
    pub nats: Vec<String>,
    /// Most dependent mapping along the chain (none without NAT).
    pub mapping: Option<Dependence>,
    /// Most dependent filtering along the chain (a stateful firewall counts as
    /// address-and-port-dependent).
    pub filtering: Option<Dependence>,
    /// Hairpinning at the outermost NAT.
    pub hairpin: bool,
    /// UDP may leave.
    pub udp_out: bool,
    /// TCP may leave (to any port, or to 443 only).
    pub tcp_out: bool,
    /// Only TCP to port 443 may leave.
    pub tcp_443_only: bool,
    /// Nothing passes.
    pub blocked: bool,
}

const fn rank(d: Dependence) -> u8 {
    match d {
        Dependence::EndpointIndependent => 0,
        Dependence::AddressDependent => 1,
        Dependence::AddressAndPortDependent => 2,
    }
}

fn worst(a: Option<Dependence>, b: Dependence) -> Option<Dependence> {
    Some(match a {
        Some(x) if rank(x) >= rank(b) => x,
        _ => b,
    })
}

fn apply_firewall(m: &mut PathModel, fw: &FirewallSpec) {
    match fw.preset {
        Some(FirewallPreset::UdpBlocked) => m.udp_out = false,
        Some(FirewallPreset::Tcp443Only) => {
            m.udp_out = false;
            m.tcp_443_only = true;
        }
        Some(FirewallPreset::OutboundOnly) => {
            m.filtering = worst(m.filtering, Dependence::AddressAndPortDependent);
        }
        Some(FirewallPreset::BlockAll) => m.blocked = true,
        None => {}
    }
    for r in &fw.rules {
        let outbound = r.direction.is_none_or(|d| d == FwDirection::Outbound);
        if r.action != FwAction::Allow && outbound && r.dst.is_none() && r.dst_ports.is_none() {
            match r.transport {
                Some(TransportName::Udp) => m.udp_out = false,
                Some(TransportName::Tcp) => m.tcp_out = false,
                None => m.blocked = true,
            }
        }
    }
    if fw.default.is_some_and(|d| d != FwAction::Allow)
        && fw.rules.is_empty()
        && fw.preset.is_none()
    {
        m.blocked = true;
    }
}

/// The path model of `host`.
#[must_use]
pub fn path_model(s: &Scenario, host: &str) -> PathModel {
    let t = &s.topology;
    let mut m = PathModel {
        segments: Vec::new(),
        nats: Vec::new(),
        mapping: None,
        filtering: None,
        hairpin: true,
        udp_out: true,
        tcp_out: true,
        tcp_443_only: false,
        blocked: false,
    };
    let Some(h) = t.hosts.iter().find(|h| h.name == host) else {
        return m;
    };
    m.segments = h.interfaces.iter().map(|i| i.segment.clone()).collect();
    if let Some(fw) = &h.firewall {
        apply_firewall(&mut m, fw);
    }
    let mut seg = h
        .interfaces
        .iter()
        .find(|i| i.segment != t.internet)
        .map(|i| i.segment.clone());
    let mut hops = 0;
    while let Some(sg) = seg.take() {
        hops += 1;
        if hops > 8 {
            break;
        }
        if let Some(n) = t
            .nats
            .iter()
            .find(|n| n.inside.iter().any(|i| i.segment == sg))
        {
            m.nats.push(n.name.clone());
            m.mapping = worst(m.mapping, n.mapping);
            m.filtering = worst(m.filtering, n.filtering);
            m.hairpin = n.hairpinning != Hairpin::Off;
            if let Some(fw) = &n.firewall {
                apply_firewall(&mut m, fw);
            }
            if n.outside.segment != t.internet {
                seg = Some(n.outside.segment.clone());
            }
        } else if let Some(r) = t
            .routers
            .iter()
            .find(|r| r.inside.iter().any(|i| i.segment == sg))
        {
            if let Some(fw) = &r.firewall {
                apply_firewall(&mut m, fw);
            }
            if r.outside.segment != t.internet {
                seg = Some(r.outside.segment.clone());
            }
        }
    }
    m
}

/// One pair the oracle judged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JudgedPair {
    /// Local candidate (of the judged peer).
    pub local: String,
    /// Remote candidate.
    pub remote: String,
    /// Pair priority with the final roles.
    pub priority: u64,
    /// Whether the model lets it succeed.
    pub feasible: bool,
    /// Why (or why not).
    pub reason: String,
}

/// Whether a packet from `x` to `y`'s public mapping passes `y`'s filtering, given `y` has
/// already sent towards `x`'s advertised address.
fn passes(x: &PathModel, y: &PathModel) -> bool {
    match y.filtering {
        None | Some(Dependence::EndpointIndependent | Dependence::AddressDependent) => true,
        Some(Dependence::AddressAndPortDependent) => {
            matches!(x.mapping, None | Some(Dependence::EndpointIndependent))
        }
    }
}

fn public_host(c: &Candidate, p: &PathModel) -> bool {
    c.kind == CandidateType::Host && (p.nats.is_empty() || c.addr.ip().is_ipv6())
}

/// Whether a pair can succeed, with the reason.
#[must_use]
pub fn feasible(
    local: &Candidate,
    lp: &PathModel,
    remote: &Candidate,
    rp: &PathModel,
) -> (bool, String) {
    if lp.blocked || rp.blocked {
        return (false, "a firewall blocks everything".into());
    }
    if local.addr.is_ipv4() != remote.addr.is_ipv4() {
        return (false, "address families differ".into());
    }
    let turn_ok = |c: &Candidate, p: &PathModel| match c.first_hop {
        TransportTag::Udp => p.udp_out,
        TransportTag::Tcp => p.tcp_out,
    };
    let rkind = if remote.kind == CandidateType::Prflx {
        CandidateType::Srflx
    } else {
        remote.kind
    };
    match (local.kind, rkind) {
        (CandidateType::Relay, CandidateType::Relay) => {
            let ok = turn_ok(local, lp) && turn_ok(remote, rp);
            (
                ok,
                if ok {
                    "both reach the TURN server".into()
                } else {
                    "a side cannot reach its TURN server".into()
                },
            )
        }
        (CandidateType::Relay, _) | (_, CandidateType::Relay) => {
            let (relay, rpath, other, opath) = if local.kind == CandidateType::Relay {
                (local, lp, remote, rp)
            } else {
                (remote, rp, local, lp)
            };
            if !turn_ok(relay, rpath) {
                return (
                    false,
                    "the relaying side cannot reach its TURN server".into(),
                );
            }
            // A local host candidate is a base sending through its NAT (the relay answers the
            // mapping); only a remote private address is out of the relay's reach.
            let other_is_remote = local.kind == CandidateType::Relay;
            if other_is_remote && other.kind == CandidateType::Host && !public_host(other, opath) {
                return (false, "a relay cannot reach a private host address".into());
            }
            if !opath.udp_out {
                return (
                    false,
                    "UDP from the other side to the relay is blocked".into(),
                );
            }
            (
                true,
                "the relay is reachable over UDP from the other side".into(),
            )
        }
        (CandidateType::Host, CandidateType::Host)
            if lp.segments.iter().any(|s| rp.segments.contains(s)) || !public_host(remote, rp) =>
        {
            let same_lan = lp.segments.iter().any(|s| rp.segments.contains(s));
            let public = public_host(local, lp) && public_host(remote, rp);
            if (same_lan || public) && lp.udp_out && rp.udp_out {
                (
                    true,
                    if same_lan {
                        "same segment".into()
                    } else {
                        "both addresses are public".into()
                    },
                )
            } else if !(lp.udp_out && rp.udp_out) {
                (false, "UDP is blocked".into())
            } else {
                (false, "host addresses on different private networks".into())
            }
        }
        _ => {
            // Through NATs: host base to the remote's public mapping (or public host).
            if !(lp.udp_out && rp.udp_out) {
                return (false, "UDP is blocked".into());
            }
            if remote.kind == CandidateType::Host && !public_host(remote, rp) {
                return (false, "a private host address is unreachable".into());
            }
            let same_nat = !lp.nats.is_empty() && lp.nats.last() == rp.nats.last();
            if same_nat && !lp.hairpin {
                return (false, "both behind one NAT without hairpinning".into());
            }
            if passes(lp, rp) || passes(rp, lp) {
                (
                    true,
                    "filtering admits the first check in at least one direction".into(),
                )
            } else {
                (
                    false,
                    "address-and-port-dependent filtering against address-dependent mapping".into(),
                )
            }
        }
    }
}

/// The oracle's judgement for one peer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OracleVerdict {
    /// Every pair judged, best first.
    pub pairs: Vec<JudgedPair>,
    /// The best feasible pair.
    pub best: Option<JudgedPair>,
    /// Findings (as rule id and message).
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// Judges peer `local`'s pairs and its selected pair.
#[must_use]
pub fn judge(
    locals: &[Candidate],
    lp: &PathModel,
    remotes: &[Candidate],
    rp: &PathModel,
    controlling: bool,
    selected: Option<&(Candidate, Candidate)>,
) -> OracleVerdict {
    let mut v = OracleVerdict::default();
    for l in locals.iter().filter(|c| c.kind != CandidateType::Srflx) {
        for r in remotes {
            if l.addr.is_ipv4() != r.addr.is_ipv4() {
                continue;
            }
            let (ok, reason) = feasible(l, lp, r, rp);
            let priority = if controlling {
                pair_priority(l.priority, r.priority)
            } else {
                pair_priority(r.priority, l.priority)
            };
            v.pairs.push(JudgedPair {
                local: l.to_string(),
                remote: r.to_string(),
                priority,
                feasible: ok,
                reason,
            });
        }
    }
    v.pairs
        .sort_by(|a, b| b.priority.cmp(&a.priority).then(a.local.cmp(&b.local)));
    v.best = v.pairs.iter().find(|p| p.feasible).cloned();
    match (selected, &v.best) {
        (None, Some(best)) => v.findings.push(Finding::new(
            &CONNECTS_WHEN_FEASIBLE,
            Location::whole(),
            format!(
                "no pair selected although {} -> {} can succeed ({})",
                best.local, best.remote, best.reason
            ),
        )),
        (Some((l, r)), best) => {
            // The remote as the other side gathered it (its first hop is not in the SDP).
            let r = remotes
                .iter()
                .find(|c| c.addr == r.addr && r.kind != CandidateType::Prflx)
                .unwrap_or(r);
            let (ok, reason) = feasible(l, lp, r, rp);
            let prio = if controlling {
                pair_priority(l.priority, r.priority)
            } else {
                pair_priority(r.priority, l.priority)
            };
            if !ok {
                v.findings.push(Finding::new(
                    &SELECTED_FEASIBLE,
                    Location::whole(),
                    format!("selected {l} -> {r} should not work here: {reason}"),
                ));
            } else if let Some(best) = best
                && best.priority > prio
                && !(best.local == l.to_string() && best.remote == r.to_string())
            {
                v.findings.push(Finding::new(
                        &SELECTED_BEST,
                        Location::whole(),
                        format!(
                            "selected {l} -> {r} (priority {prio}) below {} -> {} (priority {}), which can succeed: {}",
                            best.local, best.remote, best.priority, best.reason
                        ),
                    ));
            }
        }
        (None, None) => {}
    }
    v
}

/// Whether an IP is private (RFC 1918 / ULA) — used in candidate tables.
#[must_use]
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}

/// Coverage cases for [`RULES`].
#[must_use]
pub fn cases() -> Vec<CaseResult> {
    let open = PathModel {
        segments: vec!["internet".into()],
        nats: Vec::new(),
        mapping: None,
        filtering: None,
        hairpin: true,
        udp_out: true,
        tcp_out: true,
        tcp_443_only: false,
        blocked: false,
    };
    let symmetric = PathModel {
        segments: vec!["lan".into()],
        nats: vec!["nat".into()],
        mapping: Some(Dependence::AddressAndPortDependent),
        filtering: Some(Dependence::AddressAndPortDependent),
        ..open.clone()
    };
    let cand = |kind, addr: &str, prio| Candidate {
        foundation: "1".into(),
        priority: prio,
        addr: addr
            .parse()
            .unwrap_or_else(|_| std::net::SocketAddr::from(([0, 0, 0, 0], 0))),
        kind,
        related: None,
        first_hop: TransportTag::Udp,
    };
    let host_a = cand(CandidateType::Host, "192.168.1.10:50000", 2_130_706_431);
    let srflx_b = cand(CandidateType::Srflx, "203.0.113.2:50000", 1_694_498_815);
    let relay_b = cand(CandidateType::Relay, "198.51.100.9:49152", 16_777_215);
    let host_pub = cand(CandidateType::Host, "198.51.100.20:50000", 2_130_706_431);
    let sym_pair = (host_a.clone(), srflx_b.clone());
    let relay_pair = (host_a.clone(), relay_b.clone());
    let pub_pair = (host_pub.clone(), srflx_b.clone());
    let run = |locals: &[Candidate],
               lp: &PathModel,
               remotes: &[Candidate],
               rp: &PathModel,
               sel: Option<&(Candidate, Candidate)>| {
        judge(locals, lp, remotes, rp, true, sel).findings
    };
    let f1 = run(
        std::slice::from_ref(&host_a),
        &symmetric,
        &[srflx_b.clone(), relay_b.clone()],
        &symmetric,
        Some(&sym_pair),
    );
    let f2 = run(
        std::slice::from_ref(&host_a),
        &symmetric,
        &[srflx_b.clone(), relay_b.clone()],
        &symmetric,
        Some(&relay_pair),
    );
    let f3 = run(
        std::slice::from_ref(&host_a),
        &symmetric,
        std::slice::from_ref(&relay_b),
        &symmetric,
        None,
    );
    let f4 = run(
        std::slice::from_ref(&host_pub),
        &open,
        &[srflx_b.clone(), relay_b.clone()],
        &open,
        Some(&(host_pub.clone(), relay_b.clone())),
    );
    let f5 = run(
        std::slice::from_ref(&host_pub),
        &open,
        &[srflx_b, relay_b],
        &open,
        Some(&pub_pair),
    );
    vec![
        CaseResult::judge(
            SELECTED_FEASIBLE.id,
            "symmetric-both-sides-srflx-selected",
            Expect::Triggers,
            &f1,
        ),
        CaseResult::judge(
            SELECTED_FEASIBLE.id,
            "symmetric-both-sides-relay-selected",
            Expect::Passes,
            &f2,
        ),
        CaseResult::judge(
            CONNECTS_WHEN_FEASIBLE.id,
            "relay-feasible-nothing-selected",
            Expect::Triggers,
            &f3,
        ),
        CaseResult::judge(
            CONNECTS_WHEN_FEASIBLE.id,
            "relay-feasible-relay-selected",
            Expect::Passes,
            &f2,
        ),
        CaseResult::judge(
            SELECTED_BEST.id,
            "open-relay-selected-over-srflx",
            Expect::Triggers,
            &f4,
        ),
        CaseResult::judge(
            SELECTED_BEST.id,
            "open-best-pair-selected",
            Expect::Passes,
            &f5,
        ),
    ]
}

/// The scenario rule catalogue.
#[must_use]
pub fn catalogue() -> harness_core::rules::Catalogue {
    harness_core::rules::Catalogue {
        protocol: "scenario",
        rules: RULES,
        cases,
    }
}
