//! Everything a peer sends or receives goes through the wire rules: STUN (with the ICE
//! passwords for MESSAGE-INTEGRITY), TURN indications unwrapped, DTLS records, and the SDP
//! descriptions at signaling. Binding traffic is also recorded for the check ladder.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use harness_core::endpoint::TransportContext;
use harness_core::inspect::InspectContext;
use harness_core::rules::{Finding, Level};
use harness_core::time::Instant;
use harness_stun::{Key, Message, rules::ValidationContext};
use serde::Serialize;

/// One STUN Binding message seen by a peer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckRecord {
    /// When.
    #[serde(serialize_with = "crate::wire::ser_instant")]
    pub at: Instant,
    /// Sent (true) or received.
    pub sent: bool,
    /// The peer's side of the path (its base or relayed address).
    pub local: SocketAddr,
    /// The other side.
    pub remote: SocketAddr,
    /// Carried inside TURN indications.
    pub relayed: bool,
    /// `request`, `success` or `error`.
    pub class: &'static str,
    /// USE-CANDIDATE present.
    pub use_candidate: bool,
    /// Transaction id (not printed in reports: it is masked for the webrtc crate).
    #[serde(skip)]
    pub txid: [u8; 12],
}

/// One tallied finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tallied {
    /// Rule id.
    pub rule: &'static str,
    /// Level keyword.
    pub level: &'static str,
    /// Whether it is a MUST/MUST NOT.
    #[serde(skip)]
    pub must: bool,
    /// RFC.
    pub rfc: u16,
    /// Section.
    pub section: &'static str,
    /// Message.
    pub message: String,
    /// Where first seen.
    pub subject: String,
    /// First time.
    #[serde(serialize_with = "crate::wire::ser_instant")]
    pub first: Instant,
    /// How often.
    pub count: u32,
}

/// Findings tallied by rule and message, so that a rule broken by every check is one line.
#[derive(Clone, Debug, Default)]
pub struct FindingTally {
    /// Entries keyed by (rule, message).
    pub entries: BTreeMap<(&'static str, String), Tallied>,
}

impl FindingTally {
    /// Adds findings seen at `now` about `subject`.
    pub fn add(&mut self, findings: &[Finding], now: Instant, subject: &str) {
        for f in findings {
            let key = (f.rule.id, f.message.to_string());
            self.entries
                .entry(key)
                .and_modify(|t| t.count = t.count.saturating_add(1))
                .or_insert_with(|| Tallied {
                    rule: f.rule.id,
                    level: f.rule.level.keyword(),
                    must: matches!(f.rule.level, Level::Must | Level::MustNot),
                    rfc: f.rule.rfc,
                    section: f.rule.section,
                    message: f.message.to_string(),
                    subject: subject.to_owned(),
                    first: now,
                    count: 1,
                });
        }
    }
}

const SEND: u16 = 0x006;
const DATA: u16 = 0x007;
const BINDING: u16 = 0x001;
const XOR_PEER_ADDRESS: u16 = 0x0012;
const DATA_ATTR: u16 = 0x0013;
const USE_CANDIDATE: u16 = 0x0025;

/// Judges and records one datagram a peer sent (`sent`) or received.
pub fn observe(
    ctx: &TransportContext,
    payload: &[u8],
    now: Instant,
    sent: bool,
    passwords: &[String],
    checks: &mut Vec<CheckRecord>,
    findings: &mut FindingTally,
) {
    observe_inner(
        ctx.local, ctx.remote, payload, now, sent, false, passwords, checks, findings,
    );
}

#[allow(
    clippy::too_many_arguments,
    reason = "an internal helper threading the record through"
)]
fn observe_inner(
    local: SocketAddr,
    remote: SocketAddr,
    payload: &[u8],
    now: Instant,
    sent: bool,
    relayed: bool,
    passwords: &[String],
    checks: &mut Vec<CheckRecord>,
    findings: &mut FindingTally,
) {
    let Some(first) = payload.first().copied() else {
        return;
    };
    let dir = if sent { "sent to" } else { "received from" };
    if first <= 3 {
        // TCP framing may carry several messages; judge the first one only.
        let Ok(msg) = Message::new_checked(payload) else {
            return;
        };
        let method = msg.method().0;
        let keys: Vec<Key> = if method == BINDING {
            passwords
                .iter()
                .map(|p| Key::from_bytes(p.as_bytes()))
                .collect()
        } else {
            Vec::new()
        };
        let class = msg.class();
        // Responses to checks are keyed by the password of the side that answered; a
        // message passes when any known password verifies it.
        let f = harness_stun::rules::validate(&msg, &ValidationContext::with_keys(&keys));
        findings.add(&f, now, &format!("STUN {dir} {remote}"));
        let cls = format!("{class:?}").to_ascii_lowercase();
        if method == BINDING
            && !passwords.is_empty()
            && msg.find(harness_stun::AttrType(0x0006)).is_some()
            || method == BINDING && cls != "request"
        {
            let class_name = match cls.as_str() {
                "request" => "request",
                "success" | "successresponse" => "success",
                "error" | "errorresponse" => "error",
                _ => "indication",
            };
            checks.push(CheckRecord {
                at: now,
                sent,
                local,
                remote,
                relayed,
                class: class_name,
                use_candidate: msg.find(harness_stun::AttrType(USE_CANDIDATE)).is_some(),
                txid: msg.transaction_id().0,
            });
        }
        if (method == SEND || method == DATA)
            && let Ok(t) = harness_turn::stun::Message::parse(payload)
            && let (Some(peer), Some(data)) = (t.xor_address(XOR_PEER_ADDRESS), t.get(DATA_ATTR))
        {
            observe_inner(
                local, peer, data, now, sent, true, passwords, checks, findings,
            );
        }
    } else if (20..=63).contains(&first) {
        judge_dtls(payload, now, dir, findings);
    }
}

/// Judges a DTLS datagram.
pub fn judge_dtls(payload: &[u8], now: Instant, dir: &str, findings: &mut FindingTally) {
    let ins = harness_dtls::inspect::inspector().inspect(payload, &InspectContext::default());
    findings.add(&ins.findings, now, &format!("DTLS {dir}"));
}

/// Judges one SDP description.
pub fn judge_sdp(sdp: &str, now: Instant, subject: &str, findings: &mut FindingTally) {
    if let Ok(view) = harness_sdp::Sdp::parse(sdp.as_bytes()) {
        findings.add(&harness_sdp::check(&view), now, &format!("SDP {subject}"))
    }
}

/// Judges an offer/answer exchange.
pub fn judge_offer_answer(offer: &str, answer: &str, now: Instant, findings: &mut FindingTally) {
    findings.add(
        &harness_sdp::check_offer_answer(offer, answer),
        now,
        "SDP offer/answer",
    );
}

/// Serialises a virtual instant as milliseconds with three decimals (`"1250.000ms"`).
///
/// # Errors
/// The serializer's.
pub fn ser_instant<S: serde::Serializer>(t: &Instant, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&fmt_ms(*t))
}

/// `1250.000ms`.
#[must_use]
pub fn fmt_ms(t: Instant) -> String {
    let ns = t.as_nanos();
    format!("{}.{:03}ms", ns / 1_000_000, (ns / 1000) % 1000)
}
