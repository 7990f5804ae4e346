//! Following a handshake across datagrams: reassembly per direction, the rules that need
//! more than one message, and what a capture reader wants to count.
//!
//! Sides are `0` and `1`, as the caller assigns them (for a capture: by 5-tuple direction).
//! Connection id lengths are learned from the connection_id extensions (RFC 9146 §3: the
//! cid an endpoint sends in the extension is the one it wants to receive), so records the
//! peer sends afterwards can be framed.

use std::collections::BTreeMap;

use harness_core::rules::{Finding, Location};

use crate::codes::{ExtensionType, HandshakeType};
use crate::datagram::dissect;
use crate::error::{DecodeError, RecordError};
use crate::fingerprint::matches_sdp_fingerprint;
use crate::messages::HandshakeBody;
use crate::messages::extensions::ExtensionBody;
use crate::reassembly::{FeedOutcome, Limits, Problem, Reassembler, Start};
use crate::record::RecordContext;
use crate::rules::{
    CERTIFICATE_FINGERPRINT, HANDSHAKE_LENGTH_CONSISTENT, HANDSHAKE_RETRANSMISSION_IDENTICAL,
    SERVER_HELLO_EXTENSION_OFFERED, USE_SRTP_SERVER_PROFILE_OFFERED, check_datagram, check_message,
};

/// A complete handshake message the observer saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedMessage {
    /// The side that sent it.
    pub side: usize,
    /// Frame of the datagram that completed it, when known.
    pub frame: Option<u64>,
    /// Type.
    pub msg_type: HandshakeType,
    /// message_seq.
    pub message_seq: u16,
    /// Body length.
    pub length: usize,
    /// Fragments that carried it.
    pub fragments: u32,
    /// Why the body did not parse, if it did not.
    pub parse_error: Option<DecodeError>,
    /// The body.
    pub body: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
struct Offered {
    extensions: Vec<ExtensionType>,
    srtp_profiles: Vec<u16>,
    /// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (0x00ff) among the cipher suites: RFC 5746 §3.6 lets
    /// the server answer it with a renegotiation_info extension.
    renegotiation_scsv: bool,
}

#[derive(Clone, Debug)]
struct SideState {
    reassembler: Reassembler,
    /// Length of the connection id on records this side sends.
    cid_len: Option<usize>,
}

/// Follows the two directions of one DTLS association.
#[derive(Clone, Debug)]
pub struct Observer {
    sides: [SideState; 2],
    offered: Option<Offered>,
    fingerprints: Vec<String>,
    /// Rule findings so far.
    pub findings: Vec<Finding>,
    /// Reassembly problems so far: `(side, frame, problem)`.
    pub problems: Vec<(usize, Option<u64>, Problem)>,
    /// Framing errors so far: `(side, frame, error)`.
    pub record_errors: Vec<(usize, Option<u64>, RecordError)>,
    /// Complete messages, in the order they completed.
    pub messages: Vec<ObservedMessage>,
    /// Plaintext handshake fragments seen, per type (retransmissions included).
    pub fragments_seen: BTreeMap<HandshakeType, usize>,
    /// Fragments recognised as retransmissions of delivered messages.
    pub retransmissions: usize,
    /// Records framed.
    pub records: usize,
}

impl Observer {
    /// An observer whose reassemblers use `limits` and start at the first message seen.
    #[must_use]
    pub fn new(limits: Limits) -> Self {
        let side = SideState {
            reassembler: Reassembler::with_start(limits, Start::FirstSeen),
            cid_len: None,
        };
        Self {
            sides: [side.clone(), side],
            offered: None,
            fingerprints: Vec::new(),
            findings: Vec::new(),
            problems: Vec::new(),
            record_errors: Vec::new(),
            messages: Vec::new(),
            fragments_seen: BTreeMap::new(),
            retransmissions: 0,
            records: 0,
        }
    }

    /// Adds an SDP fingerprint value (`sha-256 AB:...`) a certificate may match.
    pub fn expect_fingerprint(&mut self, value: impl Into<String>) {
        self.fingerprints.push(value.into());
    }

    /// Sets the connection id length of records `side` sends (when known from elsewhere).
    pub fn set_cid_len(&mut self, side: usize, len: Option<usize>) {
        if let Some(s) = self.sides.get_mut(side) {
            s.cid_len = len;
        }
    }

    /// Complete messages of type `t`.
    #[must_use]
    pub fn count(&self, t: HandshakeType) -> usize {
        self.messages.iter().filter(|m| m.msg_type == t).count()
    }

    /// Takes one datagram sent by `side` (0 or 1; anything else counts as 1).
    pub fn datagram(&mut self, side: usize, frame: Option<u64>, bytes: &[u8]) {
        let side = side.min(1);
        let cid_len = self.sides.get(side).and_then(|s| s.cid_len);
        let diss = dissect(bytes, RecordContext { cid_len });
        self.records = self.records.saturating_add(diss.records.len());
        if let Some(e) = diss.error {
            self.record_errors.push((side, frame, e));
        }
        let mut findings = check_datagram(&diss, false);
        for f in &mut findings {
            f.location.frame = frame;
        }
        self.findings.extend(findings);
        for (_, fv) in diss.fragments() {
            let frag = fv.fragment;
            let n = self.fragments_seen.entry(frag.msg_type).or_insert(0);
            *n = n.saturating_add(1);
            let Some(state) = self.sides.get_mut(side) else {
                continue;
            };
            match state.reassembler.feed(&frag) {
                FeedOutcome::Retransmission { .. } => {
                    self.retransmissions = self.retransmissions.saturating_add(1);
                }
                FeedOutcome::Problem(p) => {
                    let rule = match p {
                        Problem::LengthMismatch { .. } | Problem::TypeMismatch { .. } => {
                            Some(&HANDSHAKE_LENGTH_CONSISTENT)
                        }
                        Problem::OverlapDiffers { .. } | Problem::RetransmissionDiffers { .. } => {
                            Some(&HANDSHAKE_RETRANSMISSION_IDENTICAL)
                        }
                        _ => None,
                    };
                    if let Some(rule) = rule {
                        self.findings.push(Finding::new(
                            rule,
                            Location {
                                frame,
                                ..Location::whole()
                            },
                            p.to_string(),
                        ));
                    }
                    self.problems.push((side, frame, p));
                }
                FeedOutcome::Accepted { .. } => {}
            }
            while let Some(msg) = self
                .sides
                .get_mut(side)
                .and_then(|s| s.reassembler.next_ready())
            {
                self.message(side, frame, msg);
            }
        }
    }

    fn message(&mut self, side: usize, frame: Option<u64>, msg: crate::reassembly::Message) {
        let loc = Location {
            frame,
            ..Location::whole()
        };
        for mut f in check_message(msg.msg_type, msg.message_seq, &msg.body, 0) {
            if msg.fragments > 1 {
                f.location = loc.clone();
            } else {
                f.location.frame = frame;
            }
            self.findings.push(f);
        }
        let parsed = HandshakeBody::parse(msg.msg_type, &msg.body);
        let peer = 1usize.saturating_sub(side);
        match &parsed {
            Ok(HandshakeBody::ClientHello(ch)) => {
                let mut offered = Offered {
                    renegotiation_scsv: ch.cipher_suite_values().any(|s| s == 0x00ff),
                    ..Offered::default()
                };
                if let Some(exts) = ch.extensions {
                    offered.extensions =
                        exts.iter().filter_map(Result::ok).map(|e| e.typ).collect();
                }
                if let Some(Ok(ExtensionBody::UseSrtp { profiles, .. })) =
                    ch.extension(ExtensionType::USE_SRTP)
                {
                    offered.srtp_profiles = profiles.iter().collect();
                }
                if let Some(Ok(ExtensionBody::ConnectionId(cid))) =
                    ch.extension(ExtensionType::CONNECTION_ID)
                {
                    self.set_cid_len(peer, Some(cid.len()));
                }
                self.offered = Some(offered);
            }
            Ok(HandshakeBody::ServerHello(sh)) => {
                if let (Some(offered), Some(exts)) = (&self.offered, sh.extensions) {
                    for e in exts.iter().filter_map(Result::ok) {
                        let exempt = (sh.is_hello_retry_request()
                            && e.typ == ExtensionType::COOKIE)
                            || (offered.renegotiation_scsv
                                && e.typ == ExtensionType::RENEGOTIATION_INFO);
                        if !exempt && !offered.extensions.contains(&e.typ) {
                            self.findings.push(Finding::new(
                                &SERVER_HELLO_EXTENSION_OFFERED,
                                loc.clone(),
                                format!(
                                    "ServerHello carries {} the ClientHello did not offer",
                                    e.typ
                                ),
                            ));
                        }
                    }
                    if let Some(Ok(ExtensionBody::UseSrtp { profiles, .. })) =
                        sh.extension(ExtensionType::USE_SRTP)
                    {
                        for p in profiles.iter() {
                            if !offered.srtp_profiles.contains(&p) {
                                self.findings.push(Finding::new(
                                    &USE_SRTP_SERVER_PROFILE_OFFERED,
                                    loc.clone(),
                                    format!("server selects SRTP profile 0x{p:04x}, not offered"),
                                ));
                            }
                        }
                    }
                }
                if let Some(Ok(ExtensionBody::ConnectionId(cid))) =
                    sh.extension(ExtensionType::CONNECTION_ID)
                {
                    self.set_cid_len(peer, Some(cid.len()));
                }
            }
            Ok(HandshakeBody::Certificate(cert)) => {
                if let Some(leaf) = cert.leaf() {
                    let verdicts: Vec<_> = self
                        .fingerprints
                        .iter()
                        .filter_map(|fp| matches_sdp_fingerprint(leaf, fp).ok())
                        .collect();
                    if !verdicts.is_empty() && !verdicts.contains(&true) {
                        self.findings.push(Finding::new(
                            &CERTIFICATE_FINGERPRINT,
                            loc.clone(),
                            "leaf certificate matches no a=fingerprint of the session",
                        ));
                    }
                }
            }
            _ => {}
        }
        self.messages.push(ObservedMessage {
            side,
            frame,
            msg_type: msg.msg_type,
            message_seq: msg.message_seq,
            length: msg.body.len(),
            fragments: msg.fragments,
            parse_error: parsed.err(),
            body: msg.body,
        });
    }

    /// The verdict on the certificate fingerprint: `ok`, `fail`, or `absent` (no certificate
    /// or no comparable SDP fingerprint).
    #[must_use]
    pub fn fingerprint_verdict(&self) -> &'static str {
        let mut any = false;
        for m in self
            .messages
            .iter()
            .filter(|m| m.msg_type == HandshakeType::CERTIFICATE)
        {
            let Ok(HandshakeBody::Certificate(cert)) = HandshakeBody::parse(m.msg_type, &m.body)
            else {
                continue;
            };
            let Some(leaf) = cert.leaf() else { continue };
            for fp in &self.fingerprints {
                match matches_sdp_fingerprint(leaf, fp) {
                    Ok(true) => return "ok",
                    Ok(false) => any = true,
                    Err(_) => {}
                }
            }
        }
        if any { "fail" } else { "absent" }
    }
}

impl Default for Observer {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}
