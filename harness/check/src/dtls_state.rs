//! DTLS associations: the handshake observer of harness-dtls per flow, plus the record
//! sequence numbers per epoch and the cookie exchange.

use harness_core::rules::{Finding, Location};
use harness_dtls::HandshakeType;
use harness_dtls::fingerprint::matches_sdp_fingerprint;
use harness_dtls::messages::HandshakeBody;
use harness_dtls::observer::Observer;
use harness_dtls::reassembly::Limits;
use harness_dtls::rules::CERTIFICATE_FINGERPRINT;

use crate::rules::{DTLS_COOKIE_ECHO, DTLS_RECORD_REPLAY};

/// Sliding window of record sequence numbers of one side and epoch (RFC 6347 §4.1.2.6).
#[derive(Clone, Copy, Debug)]
struct Window {
    side: usize,
    epoch: u16,
    max: u64,
    seen: u64,
}

/// One DTLS association (the two directions of a flow).
#[derive(Debug)]
pub struct DtlsFlow {
    /// The handshake observer.
    pub observer: Observer,
    windows: Vec<Window>,
    findings_taken: usize,
    messages_taken: usize,
    expected_cookie: [Option<Vec<u8>>; 2],
    /// SDP fingerprints of the offerer (0) and the answerer (1).
    fingerprints: [Vec<String>; 2],
    /// `ok` (a certificate matched its side's fingerprint), `fail`, or `absent`.
    pub fingerprint_verdict: &'static str,
    /// Records of each content type (20..=26, 0 for unified headers).
    pub records: u64,
    /// Application-data records (not given to the observer).
    pub application_records: u64,
    /// Datagrams not given to the observer because its bounds were reached.
    pub unobserved: u64,
}

/// Most (side, epoch) windows per association.
const MAX_WINDOWS: usize = 16;
/// Handshake messages kept per association before the observer stops being fed (a capture
/// with a flood of ClientHellos on one 5-tuple must not grow memory without bound).
const MAX_OBSERVED_MESSAGES: usize = 512;
/// Findings or framing errors kept per association before the observer stops being fed.
const MAX_OBSERVED_FINDINGS: usize = 4096;

fn be16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([
        *data.get(at)?,
        *data.get(at.checked_add(1)?)?,
    ]))
}

fn be48(data: &[u8], at: usize) -> Option<u64> {
    let b = data.get(at..at.checked_add(6)?)?;
    Some(b.iter().fold(0u64, |acc, x| (acc << 8) | u64::from(*x)))
}

impl DtlsFlow {
    /// A new association; `fingerprints` are the SDP fingerprints of the offerer and the
    /// answerer, which their certificates must match.
    #[must_use]
    pub fn new(fingerprints: &[Vec<String>; 2]) -> Self {
        Self {
            observer: Observer::new(Limits::default()),
            fingerprints: fingerprints.clone(),
            fingerprint_verdict: "absent",
            windows: Vec::new(),
            findings_taken: 0,
            messages_taken: 0,
            expected_cookie: [None, None],
            records: 0,
            application_records: 0,
            unobserved: 0,
        }
    }

    fn sequence(&mut self, side: usize, epoch: u16, seq: u64, frame: u64, out: &mut Vec<Finding>) {
        let Some(index) = self
            .windows
            .iter()
            .position(|w| w.side == side && w.epoch == epoch)
        else {
            if self.windows.len() >= MAX_WINDOWS {
                self.windows.remove(0);
            }
            self.windows.push(Window {
                side,
                epoch,
                max: seq,
                seen: 1,
            });
            return;
        };
        let Some(w) = self.windows.get_mut(index) else {
            return;
        };
        if seq > w.max {
            let shift = seq.saturating_sub(w.max);
            w.seen = if shift >= 64 {
                1
            } else {
                (w.seen << shift) | 1
            };
            w.max = seq;
            return;
        }
        let back = w.max.saturating_sub(seq);
        if back >= 64 {
            return;
        }
        let bit = 1u64 << back;
        if w.seen & bit != 0 {
            out.push(Finding::new(
                &DTLS_RECORD_REPLAY,
                Location::frame(frame),
                format!("side {side} repeats epoch {epoch} sequence number {seq}"),
            ));
        }
        w.seen |= bit;
    }

    fn certificate(
        &mut self,
        leaf: &[u8],
        role: Option<usize>,
        frame: u64,
        out: &mut Vec<Finding>,
    ) {
        let candidates: Vec<&String> = match role {
            Some(r) => self
                .fingerprints
                .get(r)
                .map(|v| v.iter().collect())
                .unwrap_or_default(),
            None => self.fingerprints.iter().flatten().collect(),
        };
        let mut comparable = false;
        for fp in &candidates {
            match matches_sdp_fingerprint(leaf, fp) {
                Ok(true) => {
                    if self.fingerprint_verdict != "fail" {
                        self.fingerprint_verdict = "ok";
                    }
                    return;
                }
                Ok(false) => comparable = true,
                Err(_) => {}
            }
        }
        if comparable {
            self.fingerprint_verdict = "fail";
            let whose = match role {
                Some(0) => "the offer's",
                Some(_) => "the answer's",
                None => "any",
            };
            out.push(Finding::new(
                &CERTIFICATE_FINGERPRINT,
                Location::frame(frame),
                format!(
                    "the certificate matches none of {whose} {} a=fingerprint values",
                    candidates.len()
                ),
            ));
        }
    }

    /// Takes one datagram from `side`, whose sender has `role` in the SDP exchange (0 offerer,
    /// 1 answerer) when known; returns the findings it adds.
    pub fn datagram(
        &mut self,
        side: usize,
        role: Option<usize>,
        frame: u64,
        payload: &[u8],
    ) -> Vec<Finding> {
        let mut out = Vec::new();
        // Record headers with the DTLSPlaintext layout: content type, version, epoch, sequence.
        let mut at = 0usize;
        let mut application_only = true;
        let mut any = false;
        while let (Some(&ty), Some(0xfe)) = (payload.get(at), payload.get(at.saturating_add(1))) {
            let (Some(epoch), Some(seq), Some(len)) = (
                be16(payload, at.saturating_add(3)),
                be48(payload, at.saturating_add(5)),
                be16(payload, at.saturating_add(11)),
            ) else {
                break;
            };
            if !(20..=26).contains(&ty) {
                break;
            }
            any = true;
            self.records = self.records.saturating_add(1);
            if ty != 23 || epoch == 0 {
                application_only = false;
            } else {
                self.application_records = self.application_records.saturating_add(1);
            }
            self.sequence(side, epoch, seq, frame, &mut out);
            at = at.saturating_add(13).saturating_add(usize::from(len));
        }
        if any && application_only && at == payload.len() {
            return out;
        }
        if self.observer.messages.len() >= MAX_OBSERVED_MESSAGES
            || self.observer.findings.len() >= MAX_OBSERVED_FINDINGS
            || self.observer.record_errors.len() >= MAX_OBSERVED_FINDINGS
        {
            // Enough of this association's handshakes is kept; what follows only counts.
            self.unobserved = self.unobserved.saturating_add(1);
            return out;
        }
        self.observer.datagram(side, Some(frame), payload);
        let new_findings = self
            .observer
            .findings
            .get(self.findings_taken..)
            .unwrap_or(&[]);
        out.extend(new_findings.iter().cloned());
        self.findings_taken = self.observer.findings.len();
        let count = self.observer.messages.len();
        for index in self.messages_taken..count {
            let Some(m) = self.observer.messages.get(index) else {
                continue;
            };
            let parsed = HandshakeBody::parse(m.msg_type, &m.body);
            let message_frame = m.frame.unwrap_or(frame);
            let message_role = if m.side == side { role } else { None };
            match parsed {
                Ok(HandshakeBody::Certificate(cert)) => {
                    if let Some(leaf) = cert.leaf() {
                        let leaf = leaf.to_vec();
                        self.certificate(&leaf, message_role, message_frame, &mut out);
                    }
                }
                Ok(HandshakeBody::HelloVerifyRequest(hvr)) => {
                    if let Some(slot) = self
                        .expected_cookie
                        .get_mut(1usize.saturating_sub(m.side.min(1)))
                    {
                        *slot = Some(hvr.cookie.to_vec());
                    }
                }
                Ok(HandshakeBody::ClientHello(ch)) => {
                    if let Some(slot) = self.expected_cookie.get_mut(m.side.min(1))
                        && let Some(cookie) = slot.take()
                        && ch.cookie != cookie.as_slice()
                    {
                        out.push(Finding::new(
                            &DTLS_COOKIE_ECHO,
                            Location::frame(m.frame.unwrap_or(frame)),
                            format!(
                                "ClientHello after HelloVerifyRequest carries a {}-byte cookie, not the {}-byte cookie given",
                                ch.cookie.len(),
                                cookie.len()
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
        self.messages_taken = count;
        out
    }

    /// The handshake in flights: consecutive messages from one side form a flight, written
    /// `>` (from the lower endpoint of the flow) or `<` (from the higher), then the message
    /// names (`>client_hello`, `<server_hello certificate server_hello_done`).
    #[must_use]
    pub fn flights(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut current: Option<usize> = None;
        for m in &self.observer.messages {
            let name = name(m.msg_type);
            match (current, out.last_mut()) {
                (Some(side), Some(flight)) if side == m.side => {
                    flight.push(' ');
                    flight.push_str(&name);
                }
                _ => {
                    out.push(format!("{}{name}", if m.side == 0 { '>' } else { '<' }));
                    current = Some(m.side);
                }
            }
        }
        out
    }
}

/// The name of a handshake type.
#[must_use]
pub fn name(t: HandshakeType) -> String {
    t.to_string()
}

#[cfg(test)]
mod tests {
    use harness_dtls::build::{ClientHelloSpec, handshake_message, plaintext_record};
    use harness_dtls::{ContentType, HandshakeType};

    use super::*;

    #[test]
    fn a_flood_of_handshake_messages_on_one_flow_stays_bounded() {
        let mut flow = DtlsFlow::new(&[Vec::new(), Vec::new()]);
        let body = ClientHelloSpec::dtls12().encode();
        for seq in 0..2000u16 {
            let message = handshake_message(HandshakeType::CLIENT_HELLO, seq, &body);
            let record =
                plaintext_record(ContentType::HANDSHAKE, 0xfefd, 0, u64::from(seq), &message);
            let _ = flow.datagram(0, None, u64::from(seq) + 1, &record);
        }
        assert!(flow.observer.messages.len() <= MAX_OBSERVED_MESSAGES);
        assert!(flow.unobserved > 0);
        assert_eq!(flow.records, 2000);
    }
}
