//! The summary of a check (flows, messages by type, ICE sessions, TURN allocations, DTLS
//! handshakes, violations by rule) and its conversion into a report.

use core::fmt;

use harness_capture::{CaptureError, Stats};
use harness_core::rules::{Finding, Severity};
use harness_report::{Case, FindingRecord, Report, Status, Suite};

use crate::checker::Checker;
use crate::findings::RuleCount;
use crate::flows::KIND_NAMES;

/// One flow, for the summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowSummary {
    /// 1-based id.
    pub id: usize,
    /// `udp` or `tcp`.
    pub transport: &'static str,
    /// One endpoint.
    pub a: String,
    /// The other.
    pub b: String,
    /// Payloads `a -> b` and `b -> a`.
    pub packets: [u64; 2],
    /// Payload bytes.
    pub bytes: u64,
    /// First frame.
    pub first_frame: u64,
    /// Payload kinds with their counts.
    pub kinds: Vec<(&'static str, u64)>,
    /// RTP SSRCs seen.
    pub ssrcs: usize,
}

/// One ICE session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IceSummary {
    /// `ufragA:ufragB` (sorted).
    pub ufrags: String,
    /// New check transactions.
    pub checks: u64,
    /// Retransmitted checks.
    pub retransmissions: u64,
    /// Success responses.
    pub successes: u64,
    /// Error responses.
    pub errors: u64,
    /// Checks with USE-CANDIDATE.
    pub nominations: u64,
    /// Flows.
    pub flows: usize,
}

/// One TURN allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationSummary {
    /// `udp` or `tcp`.
    pub transport: &'static str,
    /// Client address.
    pub client: String,
    /// Server address.
    pub server: String,
    /// Relayed address, when the Allocate success was seen.
    pub relayed: Option<String>,
    /// The Allocate success was seen.
    pub observed_from_start: bool,
    /// Permissions installed.
    pub permissions: u64,
    /// Channels bound.
    pub channels: u64,
    /// Successful refreshes.
    pub refreshes: u64,
    /// Send indications, Data indications, ChannelData messages.
    pub traffic: [u64; 3],
    /// Deleted with LIFETIME 0.
    pub deleted: bool,
}

/// One DTLS association.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DtlsSummary {
    /// Flow id.
    pub flow: usize,
    /// Records seen.
    pub records: u64,
    /// Handshake flights (messages reassembled), `>` from the lower endpoint, `<` from the
    /// higher.
    pub flights: Vec<String>,
    /// Handshake fragments recognised as retransmissions.
    pub retransmissions: usize,
    /// `ok`, `fail` or `absent`.
    pub fingerprint: &'static str,
}

/// Everything a check found, in a form for people and snapshots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Frames read.
    pub frames: u64,
    /// Transport payloads judged.
    pub payloads: u64,
    /// Flows in order of first appearance.
    pub flows: Vec<FlowSummary>,
    /// Messages by type, in type order.
    pub messages: Vec<(String, u64)>,
    /// ICE sessions.
    pub ice_sessions: Vec<IceSummary>,
    /// TURN allocations.
    pub allocations: Vec<AllocationSummary>,
    /// DTLS associations.
    pub dtls: Vec<DtlsSummary>,
    /// Violations by rule: count and first frame.
    pub violations: Vec<RuleCount>,
    /// Responses whose request was not captured.
    pub unmatched_responses: u64,
    /// Why reading stopped early, if it did.
    pub capture_error: Option<String>,
}

impl Summary {
    /// Builds the summary of a finished check.
    #[must_use]
    pub fn of(checker: &Checker, stats: &Stats, error: Option<&CaptureError>) -> Self {
        let flows = checker
            .flows
            .list
            .iter()
            .map(|f| FlowSummary {
                id: f.id,
                transport: f.key.transport.name(),
                a: f.key.lo.to_string(),
                b: f.key.hi.to_string(),
                packets: f.packets,
                bytes: f.bytes,
                first_frame: f.first_frame,
                kinds: KIND_NAMES
                    .iter()
                    .zip(f.kinds.iter())
                    .filter(|(_, n)| **n > 0)
                    .map(|(k, n)| (*k, *n))
                    .collect(),
                ssrcs: f.ssrcs.len(),
            })
            .collect();
        let dtls = checker
            .flows
            .list
            .iter()
            .filter_map(|f| {
                let d = f.dtls.as_ref()?;
                Some(DtlsSummary {
                    flow: f.id,
                    records: d.records,
                    flights: d.flights(),
                    retransmissions: d.observer.retransmissions,
                    fingerprint: d.fingerprint_verdict,
                })
            })
            .collect();
        Self {
            frames: stats.frames,
            payloads: checker.payloads,
            flows,
            messages: checker
                .messages
                .iter()
                .map(|(t, n)| (t.name(), *n))
                .collect(),
            ice_sessions: checker
                .stun
                .sessions
                .iter()
                .map(|s| IceSummary {
                    ufrags: format!("{}:{}", s.ufrags.0, s.ufrags.1),
                    checks: s.checks,
                    retransmissions: s.retransmissions,
                    successes: s.successes,
                    errors: s.errors,
                    nominations: s.nominations,
                    flows: s.flows.len(),
                })
                .collect(),
            allocations: checker
                .turn
                .list
                .iter()
                .map(|a| AllocationSummary {
                    transport: a.transport.name(),
                    client: a.client.to_string(),
                    server: a.server.to_string(),
                    relayed: a.relayed.map(|r| r.to_string()),
                    observed_from_start: a.observed_from_start,
                    permissions: a.permissions_installed,
                    channels: a.channels_bound,
                    refreshes: a.refreshes,
                    traffic: [a.sends, a.data_indications, a.channel_data],
                    deleted: a.deleted,
                })
                .collect(),
            dtls,
            violations: checker.findings.counts.values().copied().collect(),
            unmatched_responses: checker.stun.unmatched_responses,
            capture_error: error.map(ToString::to_string),
        }
    }

    /// Count of findings of `rule_id`.
    #[must_use]
    pub fn violations_of(&self, rule_id: &str) -> u64 {
        self.violations
            .iter()
            .find(|v| v.rule.id == rule_id)
            .map_or(0, |v| v.count)
    }

    /// Messages of the type named `name`.
    #[must_use]
    pub fn messages_of(&self, name: &str) -> u64 {
        self.messages
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, c)| *c)
    }

    /// The most severe finding.
    #[must_use]
    pub fn worst(&self) -> Option<Severity> {
        self.violations
            .iter()
            .map(|v| v.rule.level.severity())
            .max()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "frames {}, payloads {}", self.frames, self.payloads)?;
        writeln!(f, "flows ({}):", self.flows.len())?;
        for fl in &self.flows {
            let mut kinds: Vec<String> = fl.kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
            if fl.ssrcs > 0 {
                kinds.push(format!("ssrcs {}", fl.ssrcs));
            }
            writeln!(
                f,
                "  #{} {} {} <-> {}  packets {}/{}  bytes {}  first frame {}  [{}]",
                fl.id,
                fl.transport,
                fl.a,
                fl.b,
                fl.packets[0],
                fl.packets[1],
                fl.bytes,
                fl.first_frame,
                kinds.join(", ")
            )?;
        }
        writeln!(f, "messages:")?;
        for (name, n) in &self.messages {
            writeln!(f, "  {name:<44} {n}")?;
        }
        if self.unmatched_responses > 0 {
            writeln!(
                f,
                "  (responses without a captured request: {})",
                self.unmatched_responses
            )?;
        }
        if !self.ice_sessions.is_empty() {
            writeln!(f, "ice sessions ({}):", self.ice_sessions.len())?;
            for s in &self.ice_sessions {
                writeln!(
                    f,
                    "  {}  checks {} (+{} retransmitted)  success {}  error {}  nominations {}  flows {}",
                    s.ufrags,
                    s.checks,
                    s.retransmissions,
                    s.successes,
                    s.errors,
                    s.nominations,
                    s.flows
                )?;
            }
        }
        if !self.allocations.is_empty() {
            writeln!(f, "turn allocations ({}):", self.allocations.len())?;
            for a in &self.allocations {
                writeln!(
                    f,
                    "  {} {} -> {}  relayed {}  permissions {}  channels {}  refreshes {}  send/data/channeldata {}/{}/{}{}{}",
                    a.transport,
                    a.client,
                    a.server,
                    a.relayed.as_deref().unwrap_or("-"),
                    a.permissions,
                    a.channels,
                    a.refreshes,
                    a.traffic[0],
                    a.traffic[1],
                    a.traffic[2],
                    if a.observed_from_start {
                        ""
                    } else {
                        "  (started before the capture)"
                    },
                    if a.deleted { "  deleted" } else { "" }
                )?;
            }
        }
        if !self.dtls.is_empty() {
            writeln!(f, "dtls ({}):", self.dtls.len())?;
            for d in &self.dtls {
                let mut shown: Vec<&str> = d.flights.iter().take(12).map(String::as_str).collect();
                if d.flights.len() > 12 {
                    shown.push("...");
                }
                writeln!(
                    f,
                    "  flow #{}  records {}  retransmitted fragments {}  fingerprint {}  flights [{}]",
                    d.flow,
                    d.records,
                    d.retransmissions,
                    d.fingerprint,
                    shown.join(" | ")
                )?;
            }
        }
        writeln!(f, "violations ({}):", self.violations.len())?;
        for v in &self.violations {
            writeln!(
                f,
                "  {:<44} {:<10} {:<16} count {:<5} first frame {}",
                v.rule.id,
                v.rule.level.keyword(),
                v.rule.citation(),
                v.count,
                v.first_frame
                    .map_or_else(|| "-".to_string(), |fr| fr.to_string())
            )?;
        }
        if let Some(e) = &self.capture_error {
            writeln!(f, "capture error: {e}")?;
        }
        Ok(())
    }
}

/// Builds the report: one suite for the capture, a case per flow with its findings, and a
/// `capture` case carrying the read error (status `error`) when reading stopped early.
#[must_use]
pub fn report(
    name: &str,
    summary: &Summary,
    findings: &[(usize, Finding)],
    error: Option<&CaptureError>,
) -> Report {
    let mut suite = Suite::new(name);
    let mut capture = Case::new(
        "capture",
        if error.is_some() {
            Status::Error
        } else {
            Status::Pass
        },
    );
    if let Some(e) = error {
        capture = capture.with_message(e.to_string());
    }
    capture.detail("frames", summary.frames);
    capture.detail("payloads", summary.payloads);
    capture.detail("flows", summary.flows.len());
    for (n, c) in &summary.messages {
        capture.detail(format!("messages: {n}"), c);
    }
    for s in &summary.ice_sessions {
        capture.detail(
            format!("ice session {}", s.ufrags),
            format!(
                "checks {} success {} error {} nominations {}",
                s.checks, s.successes, s.errors, s.nominations
            ),
        );
    }
    for a in &summary.allocations {
        capture.detail(
            format!(
                "turn allocation {} {} -> {}",
                a.transport, a.client, a.server
            ),
            format!(
                "relayed {} permissions {} channels {}",
                a.relayed.as_deref().unwrap_or("-"),
                a.permissions,
                a.channels
            ),
        );
    }
    for d in &summary.dtls {
        capture.detail(
            format!("dtls flow {}", d.flow),
            format!(
                "fingerprint {} flights [{}]",
                d.fingerprint,
                d.flights.join(" | ")
            ),
        );
    }
    for v in &summary.violations {
        capture.detail(
            format!("violations: {}", v.rule.id),
            format!(
                "{} (first frame {})",
                v.count,
                v.first_frame
                    .map_or_else(|| "-".to_string(), |f| f.to_string())
            ),
        );
    }
    capture.findings = findings
        .iter()
        .filter(|(flow, _)| *flow == 0)
        .map(|(_, f)| FindingRecord::from(f))
        .collect();
    suite.cases.push(capture);
    for fl in &summary.flows {
        let mut case = Case::new(
            format!("flow {} {} {} <-> {}", fl.id, fl.transport, fl.a, fl.b),
            Status::Pass,
        );
        case.detail("packets", format!("{}/{}", fl.packets[0], fl.packets[1]));
        case.detail("first frame", fl.first_frame);
        for (k, n) in &fl.kinds {
            case.detail(*k, n);
        }
        case.findings = findings
            .iter()
            .filter(|(flow, _)| *flow == fl.id)
            .map(|(_, f)| FindingRecord::from(f))
            .collect();
        suite.cases.push(case);
    }
    let mut report = Report::new("check");
    report.suites.push(suite);
    report
}
