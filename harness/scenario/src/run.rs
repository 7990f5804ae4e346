//! Running one scenario in virtual time and judging its expectations.

use core::time::Duration;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;

use harness_core::rng::RunSeed;
use harness_core::time::Instant;
use serde::Serialize;

use crate::agent::{AgentConfig, AgentFactory, Candidate, ReferenceFactory, TurnServerRef};
use crate::dtls::{DtlsFactory, DtlsState, placeholder_fingerprint};
use crate::oracle::{self, OracleVerdict};
use crate::peer::{PeerHost, PeerRecord, PeerSetup};
use crate::schema::{
    ActionKind, IceRole, Implementation, Outcome, Scenario, ServerKind, TransportName,
};
use crate::signaling::{self, Bus};
use crate::wire::{CheckRecord, Tallied, fmt_ms};

/// Implementations and DTLS injected by the caller.
#[derive(Clone, Default)]
pub struct Injected {
    /// Agent factories besides the built-in reference.
    pub agents: Vec<Arc<dyn AgentFactory>>,
    /// DTLS over the selected pair.
    pub dtls: Option<Arc<dyn DtlsFactory>>,
}

impl Injected {
    fn factory(&self, imp: Implementation) -> Option<Arc<dyn AgentFactory>> {
        if imp == Implementation::Reference {
            return Some(Arc::new(ReferenceFactory));
        }
        self.agents
            .iter()
            .find(|f| f.implementation() == imp)
            .cloned()
    }

    /// Whether `imp` can run.
    #[must_use]
    pub fn has(&self, imp: Implementation) -> bool {
        self.factory(imp).is_some()
    }
}

/// One expectation's verdict.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ExpectResult {
    /// What was expected.
    pub expectation: String,
    /// Whether it held.
    pub passed: bool,
    /// What happened.
    pub observed: String,
}

/// One peer's results.
#[derive(Clone, Debug, Serialize)]
pub struct PeerResult {
    /// Name.
    pub name: String,
    /// Implementation.
    pub implementation: &'static str,
    /// Controlling at the end.
    pub controlling: bool,
    /// Local candidates.
    pub candidates: Vec<Candidate>,
    /// Selected pair.
    pub selected: Option<(Candidate, Candidate)>,
    /// Connected at.
    pub connected_at: Option<String>,
    /// Failed at.
    pub failed_at: Option<String>,
    /// Consent lost at.
    pub consent_lost_at: Option<String>,
    /// Checks sent (Binding requests).
    pub checks_sent: usize,
    /// DTLS outcome.
    pub dtls: Option<String>,
    /// Oracle.
    pub oracle: OracleVerdict,
}

/// A scenario's result.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioResult {
    /// Scenario name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Seed used.
    pub seed: u64,
    /// Implementations of the two peers.
    pub implementations: [&'static str; 2],
    /// Passed.
    pub passed: bool,
    /// Skipped (an implementation is not available), with the reason.
    pub skipped: Option<String>,
    /// Outcome summary.
    pub outcome: String,
    /// Time to connect (both peers).
    pub time_to_connect: Option<String>,
    /// Expectations.
    pub expectations: Vec<ExpectResult>,
    /// Peers.
    pub peers: Vec<PeerResult>,
    /// Violations (both peers, tallied, with the peer name).
    pub violations: Vec<(String, Tallied)>,
    /// Timeline.
    pub timeline: Vec<(String, String, String)>,
    /// Signaling messages (without bodies).
    pub signaling: Vec<(String, String, String)>,
    /// Binding traffic for the ladder: (peer index, record).
    #[serde(skip)]
    pub checks: Vec<(usize, CheckRecord)>,
    /// Report fields masked because an implementation cannot seed them.
    pub masked: Vec<String>,
    /// Virtual time at which the run stopped.
    pub ended_at: String,
    /// The capture.
    #[serde(skip)]
    pub pcapng: Vec<u8>,
}

fn skipped(s: &Scenario, seed: u64, imps: [Implementation; 2], why: String) -> ScenarioResult {
    ScenarioResult {
        name: s.name.clone(),
        description: s.description.clone(),
        seed,
        implementations: [imps[0].name(), imps[1].name()],
        passed: true,
        skipped: Some(why),
        outcome: "skipped".into(),
        time_to_connect: None,
        expectations: Vec::new(),
        peers: Vec::new(),
        violations: Vec::new(),
        timeline: Vec::new(),
        signaling: Vec::new(),
        checks: Vec::new(),
        masked: Vec::new(),
        ended_at: fmt_ms(Instant::ZERO),
        pcapng: Vec::new(),
    }
}

/// Runs `s` with peer implementations `imps` (normally those in the file) and `seed`.
#[must_use]
#[allow(clippy::too_many_lines, reason = "setup, loop and read-out in order")]
pub fn run_scenario(
    s: &Scenario,
    seed: u64,
    imps: [Implementation; 2],
    inj: &Injected,
) -> ScenarioResult {
    let run_seed = RunSeed(seed);
    let (mut net, server_addrs) = match crate::net::build(s, run_seed) {
        Ok(x) => x,
        Err(e) => {
            let mut r = skipped(s, seed, imps, String::new());
            r.skipped = None;
            r.passed = false;
            r.outcome = format!("topology error: {e}");
            return r;
        }
    };
    let bus = Rc::new(RefCell::new(Bus::new(
        s.signaling.delay.0,
        s.signaling.jitter.0,
        run_seed.stream("signaling"),
    )));
    let last_action = s.actions.iter().map(|a| a.at.0).max().unwrap_or_default();
    let poll_until = Instant::ZERO
        + if s.actions.is_empty() {
            Duration::ZERO
        } else {
            last_action + Duration::from_secs(10)
        };
    let mut records: Vec<Rc<RefCell<PeerRecord>>> = Vec::new();
    let mut masked: Vec<String> = Vec::new();
    for (i, p) in s.peers.iter().enumerate() {
        let imp = imps.get(i).copied().unwrap_or(Implementation::Reference);
        let Some(factory) = inj.factory(imp) else {
            return skipped(
                s,
                seed,
                imps,
                format!(
                    "implementation `{}` is not available in this build",
                    imp.name()
                ),
            );
        };
        let host = s.topology.hosts.iter().find(|h| h.name == p.node);
        let host_addrs = host
            .map(|h| {
                h.interfaces
                    .iter()
                    .flat_map(|i| i.addresses.iter())
                    .filter_map(|a| a.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        let mut stun_servers = Vec::new();
        let mut turn_servers = Vec::new();
        for is in &p.ice_servers {
            let Some(sv) = s.topology.servers.iter().find(|x| x.name == is.server) else {
                continue;
            };
            let Some(addr) = server_addrs
                .iter()
                .find(|(n, _)| *n == sv.name)
                .map(|(_, a)| *a)
            else {
                continue;
            };
            if sv.kind == ServerKind::Stun {
                stun_servers.push(addr);
            } else {
                let user = sv.users.first();
                turn_servers.push(TurnServerRef {
                    addr,
                    transport: crate::net::transport(is.transport),
                    username: is
                        .username
                        .clone()
                        .or_else(|| user.map(|u| u.username.clone()))
                        .unwrap_or_else(|| "user".into()),
                    password: is
                        .password
                        .clone()
                        .or_else(|| user.map(|u| u.password.clone()))
                        .unwrap_or_else(|| "pass".into()),
                });
                if is.transport == TransportName::Udp {
                    stun_servers.push(addr);
                }
            }
        }
        stun_servers.dedup();
        let controlling = match p.role {
            Some(IceRole::Controlling) => true,
            Some(IceRole::Controlled) => false,
            None => i == 0,
        };
        let cfg = AgentConfig {
            name: p.name.clone(),
            controlling,
            host_addrs,
            stun_servers,
            turn_servers,
            gathering: p.gathering,
            trickle: p.trickle,
            lite: p.lite,
            nomination: p.nomination,
            ta: p.ta.map_or(Duration::from_millis(50), |d| d.0),
            consent: p.consent,
        };
        let agent = match factory.create(&cfg, run_seed.stream(&format!("peer/{i}/{}", p.name))) {
            Ok(a) => a,
            Err(e) => return skipped(s, seed, imps, format!("{}: {e}", imp.name())),
        };
        masked.extend(
            agent
                .masked_fields()
                .into_iter()
                .map(|m| format!("{}: {m}", p.name)),
        );
        let record = Rc::new(RefCell::new(PeerRecord::default()));
        let mtu = s.links.default.mtu.unwrap_or(1200).min(1200);
        let dtls_client = i == 1;
        let (dtls, fingerprint) = match &inj.dtls {
            Some(f) => (
                f.create(
                    i,
                    dtls_client,
                    mtu.saturating_sub(48),
                    run_seed.stream(&format!("dtls/{i}")),
                )
                .ok(),
                f.fingerprint(i),
            ),
            None => (None, placeholder_fingerprint(i)),
        };
        if let Some(f) = &inj.dtls
            && i == 0
        {
            masked.extend(f.masked_fields().into_iter().map(|m| format!("dtls: {m}")));
        }
        let actions = s
            .actions
            .iter()
            .filter(|a| a.peer == p.name)
            .map(|a| (Instant::ZERO + a.at.0, a.kind))
            .collect();
        for a in s.actions.iter().filter(|a| a.peer == p.name) {
            if let (Some(seg), ActionKind::InterfaceRemoved | ActionKind::InterfaceAdded) =
                (&a.segment, a.kind)
            {
                let f = if a.kind == ActionKind::InterfaceRemoved {
                    harness_netsim::Fault::partition(&p.node, seg)
                } else {
                    harness_netsim::Fault::heal(&p.node, seg)
                };
                let _ = net.schedule(Instant::ZERO + a.at.0, f);
            }
        }
        let keys = Rc::new(RefCell::new(vec![agent.credentials().1]));
        let setup = PeerSetup {
            index: i,
            name: p.name.clone(),
            agent,
            bus: Rc::clone(&bus),
            record: Rc::clone(&record),
            trickle: p.trickle,
            lite: p.lite,
            fingerprint,
            actions,
            poll_until,
            signaling_delay: s.signaling.delay.0,
            dtls,
            dtls_client,
            keys,
        };
        if let Err(e) = net.attach(&p.node, PeerHost::new(setup)) {
            let mut r = skipped(s, seed, imps, String::new());
            r.skipped = None;
            r.passed = false;
            r.outcome = format!("cannot attach peer: {e:?}");
            return r;
        }
        records.push(record);
    }
    // Share the passwords between the peers' integrity checks.
    let limit = Instant::ZERO + s.time_limit.0;
    let needs_full = !s.actions.is_empty()
        || !s.events.is_empty()
        || s.expect.consent_lost_within.is_some()
        || s.expect.reconnected_by.is_some();
    let mut t = Instant::ZERO;
    let mut ended = limit;
    while t < limit {
        t = (t + Duration::from_millis(100)).min(limit);
        if let Err(e) = net.run_until(t) {
            let mut r = skipped(s, seed, imps, String::new());
            r.skipped = None;
            r.passed = false;
            r.outcome = format!("simulation error: {e}");
            return r;
        }
        if !needs_full {
            let recs: Vec<_> = records.iter().map(|r| r.borrow()).collect();
            let all_connected = recs.iter().all(|r| r.connected_at.is_some());
            let dtls_done = inj.dtls.is_none()
                || recs
                    .iter()
                    .all(|r| !matches!(r.dtls, Some(DtlsState::Handshaking) | None));
            let any_failed = recs
                .iter()
                .all(|r| r.failed_at.is_some() || r.connected_at.is_none())
                && recs.iter().any(|r| r.failed_at.is_some());
            let settle = Duration::from_secs(1);
            if all_connected && dtls_done {
                let last = recs
                    .iter()
                    .filter_map(|r| r.connected_at)
                    .max()
                    .unwrap_or_default();
                if t >= last + settle {
                    ended = t;
                    break;
                }
            }
            if any_failed
                && s.expect.outcome == Outcome::Failed
                && recs.iter().all(|r| r.failed_at.is_some())
            {
                ended = t;
                break;
            }
        }
    }
    let pcapng = net.pcapng().map(<[u8]>::to_vec).unwrap_or_default();
    let server_nodes: Vec<_> = s
        .topology
        .servers
        .iter()
        .filter_map(|sv| net.node(&sv.name).map(|n| (n, sv.name.clone())))
        .collect();
    let server_events: Vec<(Instant, String, String)> = net
        .events()
        .iter()
        .filter_map(|e| {
            server_nodes
                .iter()
                .find(|(n, _)| *n == e.endpoint.node)
                .map(|(_, name)| (e.at, name.clone(), e.text.clone()))
        })
        .collect();
    let mut r = finish(
        s,
        seed,
        imps,
        &records,
        &bus.borrow(),
        masked,
        ended,
        pcapng,
        inj.dtls.is_some(),
    );
    for (at, name, text) in server_events {
        r.timeline.push((fmt_ms(at), name, text));
    }
    r.timeline
        .sort_by(|a, b| a.0.len().cmp(&b.0.len()).then(a.0.cmp(&b.0)));
    r
}

#[allow(
    clippy::too_many_arguments,
    clippy::too_many_lines,
    reason = "read-out of one run"
)]
fn finish(
    s: &Scenario,
    seed: u64,
    imps: [Implementation; 2],
    records: &[Rc<RefCell<PeerRecord>>],
    bus: &Bus,
    masked: Vec<String>,
    ended: Instant,
    pcapng: Vec<u8>,
    dtls_on: bool,
) -> ScenarioResult {
    let recs: Vec<std::cell::Ref<'_, PeerRecord>> = records.iter().map(|r| r.borrow()).collect();
    let mut peers = Vec::new();
    let mut violations = Vec::new();
    let mut timeline = Vec::new();
    let mut checks = Vec::new();
    let models: Vec<_> = s
        .peers
        .iter()
        .map(|p| oracle::path_model(s, &p.node))
        .collect();
    for (i, (p, r)) in s.peers.iter().zip(recs.iter()).enumerate() {
        let other = 1 - i;
        let remote_cands: Vec<Candidate> = recs
            .get(other)
            .map(|o| o.local_candidates.clone())
            .unwrap_or_default();
        let verdict = oracle::judge(
            &r.local_candidates,
            models.get(i).unwrap_or(&models[0]),
            &remote_cands,
            models.get(other).unwrap_or(&models[0]),
            r.controlling,
            r.selected.as_ref(),
        );
        let mut tally = r.findings.clone();
        tally.add(&verdict.findings, r.connected_at.unwrap_or(ended), "oracle");
        for t in tally.entries.values() {
            violations.push((p.name.clone(), t.clone()));
        }
        for (at, text) in &r.timeline {
            timeline.push((fmt_ms(*at), p.name.clone(), text.clone()));
        }
        for c in &r.checks {
            checks.push((i, c.clone()));
        }
        peers.push(PeerResult {
            name: p.name.clone(),
            implementation: imps.get(i).map_or("reference", |x| x.name()),
            controlling: r.controlling,
            candidates: r.local_candidates.clone(),
            selected: r.selected.clone(),
            connected_at: r.connected_at.map(fmt_ms),
            failed_at: r.failed_at.map(fmt_ms),
            consent_lost_at: r.consent_lost_at.map(fmt_ms),
            checks_sent: r
                .checks
                .iter()
                .filter(|c| c.sent && c.class == "request")
                .count(),
            dtls: r.dtls.as_ref().map(|d| format!("{d:?}")),
            oracle: verdict,
        });
    }
    timeline.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then(a.0.cmp(&b.0)));
    checks.sort_by_key(|(i, c)| (c.at, *i));
    // Expectations.
    let e = &s.expect;
    let within = Instant::ZERO + e.within.0;
    let mut ex = Vec::new();
    let connected_all = recs
        .iter()
        .all(|r| r.connected_at.is_some_and(|t| t <= within));
    let ttc = recs
        .iter()
        .map(|r| r.connected_at)
        .collect::<Option<Vec<_>>>()
        .and_then(|v| v.into_iter().max());
    match e.outcome {
        Outcome::Connected => ex.push(ExpectResult {
            expectation: format!("connected within {}", e.within),
            passed: connected_all,
            observed: match ttc {
                Some(t) => format!("connected at {}", fmt_ms(t)),
                None => "not connected".into(),
            },
        }),
        Outcome::Failed => {
            let failed = recs.iter().all(|r| r.connected_at.is_none())
                && recs
                    .iter()
                    .any(|r| r.failed_at.is_some_and(|t| t <= within));
            ex.push(ExpectResult {
                expectation: format!("failed within {}", e.within),
                passed: failed,
                observed: recs
                    .iter()
                    .zip(&s.peers)
                    .map(|(r, p)| {
                        format!(
                            "{}: {}",
                            p.name,
                            r.failed_at.map_or_else(
                                || if r.connected_at.is_some() {
                                    "connected".into()
                                } else {
                                    "undecided".into()
                                },
                                |t| format!("failed at {}", fmt_ms(t))
                            )
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    for (name, pe) in &e.selected {
        let idx = s.peers.iter().position(|p| &p.name == name);
        let sel = idx
            .and_then(|i| recs.get(i))
            .and_then(|r| r.selected.clone());
        let ok = sel.as_ref().is_some_and(|(l, r)| {
            pe.local.is_none_or(|k| k == l.kind)
                && pe.remote.is_none_or(|k| {
                    k == r.kind
                        || (k == crate::schema::CandidateType::Srflx
                            && r.kind == crate::schema::CandidateType::Prflx)
                })
                && pe.transport.is_none_or(|t| {
                    crate::agent::TransportTag::from(crate::net::transport(t)) == l.first_hop
                })
        });
        let want = format!(
            "{name} selects {} -> {}{}",
            pe.local.map_or("any", |k| k.name()),
            pe.remote.map_or("any", |k| k.name()),
            pe.transport
                .map_or(String::new(), |t| format!(" over {t:?}").to_lowercase())
        );
        ex.push(ExpectResult {
            expectation: want,
            passed: ok,
            observed: sel.map_or("no pair".into(), |(l, r)| {
                format!("{} -> {} ({:?} first hop)", l, r, l.first_hop).to_lowercase()
            }),
        });
    }
    if let Some(max) = e.max_checks {
        let n: usize = peers.iter().map(|p| p.checks_sent).sum();
        ex.push(ExpectResult {
            expectation: format!("at most {max} checks"),
            passed: n <= max as usize,
            observed: format!("{n} checks"),
        });
    }
    if let Some(d) = e.max_time_to_connect {
        ex.push(ExpectResult {
            expectation: format!("connected in at most {d}"),
            passed: ttc.is_some_and(|t| t <= Instant::ZERO + d.0),
            observed: ttc.map_or("not connected".into(), fmt_ms),
        });
    }
    let expected_rules: Vec<&str> = e.rules.iter().map(String::as_str).collect();
    if e.no_must_violations {
        let musts: Vec<String> = violations
            .iter()
            .filter(|(_, t)| t.must && !expected_rules.contains(&t.rule))
            .map(|(p, t)| format!("{p}: {}", t.rule))
            .collect();
        ex.push(ExpectResult {
            expectation: "no MUST violations".into(),
            passed: musts.is_empty(),
            observed: if musts.is_empty() {
                "none".into()
            } else {
                musts.join(", ")
            },
        });
    }
    for rule in &e.rules {
        let seen = violations.iter().any(|(_, t)| t.rule == rule.as_str());
        ex.push(ExpectResult {
            expectation: format!("rule {rule} reported"),
            passed: seen,
            observed: if seen {
                "reported".into()
            } else {
                "not reported".into()
            },
        });
    }
    if let Some(d) = e.consent_lost_within {
        let at = recs.iter().filter_map(|r| r.consent_lost_at).min();
        ex.push(ExpectResult {
            expectation: format!("consent loss detected within {d}"),
            passed: at.is_some_and(|t| t <= Instant::ZERO + d.0),
            observed: at.map_or("not detected".into(), |t| {
                format!("detected at {}", fmt_ms(t))
            }),
        });
    }
    if let Some(d) = e.reconnected_by {
        let last_action = s
            .actions
            .iter()
            .map(|a| a.at.0)
            .chain(s.events.iter().map(|e| e.at.0))
            .max()
            .unwrap_or_default();
        let since = Instant::ZERO + last_action;
        let ok = recs.iter().all(|r| {
            r.reconnected_at
                .is_some_and(|t| t >= since && t <= Instant::ZERO + d.0)
        }) || recs.iter().all(|r| {
            r.connected_at.is_some() && r.failed_at.is_none() && r.consent_lost_at.is_none()
        });
        ex.push(ExpectResult {
            expectation: format!("connection up again by {d}"),
            passed: ok,
            observed: recs
                .iter()
                .map(|r| r.reconnected_at.map_or("-".into(), fmt_ms))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    if dtls_on && e.outcome == Outcome::Connected {
        let mut ok = true;
        let mut obs = Vec::new();
        for (i, r) in recs.iter().enumerate() {
            let other_fp = recs
                .get(1 - i)
                .and_then(|o| o.local_sdp.as_ref())
                .and_then(|sdp| {
                    sdp.lines().find_map(|l| {
                        l.trim()
                            .strip_prefix("a=fingerprint:sha-256 ")
                            .map(str::to_owned)
                    })
                });
            match &r.dtls {
                Some(DtlsState::Connected { peer_fingerprint }) => {
                    let matches = other_fp.as_deref() == Some(peer_fingerprint.as_str());
                    ok &= matches;
                    obs.push(if matches {
                        "fingerprint matches SDP".to_owned()
                    } else {
                        "fingerprint differs from SDP".to_owned()
                    });
                }
                other => {
                    ok = false;
                    obs.push(format!("{other:?}"));
                }
            }
        }
        ex.push(ExpectResult {
            expectation: "DTLS handshake over the selected pair, fingerprints match SDP".into(),
            passed: ok,
            observed: obs.join("; "),
        });
    }
    let passed = ex.iter().all(|x| x.passed);
    let outcome = if connected_all {
        "connected".to_owned()
    } else if recs.iter().all(|r| r.connected_at.is_none()) {
        "failed".to_owned()
    } else {
        "partial".to_owned()
    };
    let signaling = bus
        .log
        .iter()
        .map(|m: &signaling::Message| {
            (
                fmt_ms(m.sent),
                s.peers
                    .get(m.from)
                    .map_or(String::new(), |p| p.name.clone()),
                m.body.label(),
            )
        })
        .collect();
    ScenarioResult {
        name: s.name.clone(),
        description: s.description.clone(),
        seed,
        implementations: [imps[0].name(), imps[1].name()],
        passed,
        skipped: None,
        outcome,
        time_to_connect: ttc.map(fmt_ms),
        expectations: ex,
        peers,
        violations,
        timeline,
        signaling,
        checks,
        masked,
        ended_at: fmt_ms(ended),
        pcapng,
    }
}

/// The address a candidate reaches, for tables.
#[must_use]
pub fn show(addr: SocketAddr) -> String {
    addr.to_string()
}

/// Peer results by name (for compare).
#[must_use]
pub fn by_name(r: &ScenarioResult) -> BTreeMap<&str, &PeerResult> {
    r.peers.iter().map(|p| (p.name.as_str(), p)).collect()
}
