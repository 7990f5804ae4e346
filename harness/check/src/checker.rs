//! The checker: one payload at a time, dispatched by kind to the protocol state.

use std::collections::BTreeMap;

use harness_capture::hash::FastMap;

use harness_capture::Packet;
use harness_core::credentials::Credential;
use harness_core::rules::{Finding, Location};
use harness_stun::{Class, Message};
use harness_turn::channeldata::ChannelData;

use crate::classify::{Kind, classify, frames_as_channel_data};
use crate::dtls_state::DtlsFlow;
use crate::findings::Findings;
use crate::flows::{Flows, kind_index};
use crate::rules::TURN_CHANNEL_NUMBER;
use crate::sdp::Session;
use crate::stun_state::{StunContext, StunState};
use crate::turn_state::TurnState;

/// What a message is, for the "messages by type" table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageType {
    /// A STUN message: method and class.
    Stun(u16, u8),
    /// A STUN payload too short for its header.
    StunMalformed,
    /// An RFC 3489 message.
    ClassicStun,
    /// A TURN ChannelData message.
    ChannelData,
    /// A ChannelData-framed payload on a reserved channel number.
    ChannelDataReserved,
    /// A DTLS datagram.
    DtlsDatagram,
    /// ZRTP.
    Zrtp,
    /// RTP.
    Rtp,
    /// RTP whose CSRC list or header extension runs past the packet.
    RtpBadHeader,
    /// RTCP, by the type of its first packet.
    Rtcp(&'static str),
    /// Anything else.
    Other,
}

impl MessageType {
    /// Display name (`stun Binding request`).
    #[must_use]
    pub fn name(self) -> String {
        match self {
            Self::Stun(method, class) => {
                let class = match class {
                    0 => "request",
                    1 => "indication",
                    2 => "success",
                    _ => "error",
                };
                let method = harness_stun::Method(method);
                match method.name() {
                    Some(m) => format!("stun {m} {class}"),
                    None => format!("stun method 0x{:03x} {class}", method.0),
                }
            }
            Self::StunMalformed => "stun (shorter than a header)".into(),
            Self::ClassicStun => "stun classic (RFC 3489)".into(),
            Self::ChannelData => "turn ChannelData".into(),
            Self::ChannelDataReserved => "turn ChannelData (reserved channel number)".into(),
            Self::DtlsDatagram => "dtls datagram".into(),
            Self::Zrtp => "zrtp".into(),
            Self::Rtp => "rtp".into(),
            Self::RtpBadHeader => "rtp (header longer than the packet)".into(),
            Self::Rtcp(name) => name.into(),
            Self::Other => "other".into(),
        }
    }
}

fn bump(messages: &mut BTreeMap<MessageType, u64>, t: MessageType) {
    let c = messages.entry(t).or_insert(0);
    *c = c.saturating_add(1);
}

/// Most DTLS associations followed with a handshake observer; DTLS datagrams of further
/// flows are counted only.
const MAX_DTLS_ASSOCIATIONS: usize = 4096;

fn class_code(class: Class) -> u8 {
    match class {
        Class::Request => 0,
        Class::Indication => 1,
        Class::Success => 2,
        Class::Error => 3,
    }
}

/// The state of one check.
#[derive(Debug)]
pub struct Checker {
    pub(crate) credentials: Vec<Credential>,
    sdp_usernames: Option<[String; 2]>,
    fingerprints: [Vec<String>; 2],
    /// Endpoints whose SDP role is known from their checks: 0 offerer, 1 answerer.
    pub roles: FastMap<std::net::SocketAddr, usize>,
    /// Flows.
    pub flows: Flows,
    /// STUN transactions and ICE sessions.
    pub stun: StunState,
    /// TURN allocations.
    pub turn: TurnState,
    /// Messages by type.
    pub messages: BTreeMap<MessageType, u64>,
    /// Findings.
    pub findings: Findings,
    /// Payloads handled.
    pub payloads: u64,
    /// DTLS associations followed.
    pub dtls_associations: usize,
}

impl Checker {
    /// A checker with user credentials and, optionally, the session's offer and answer.
    #[must_use]
    pub fn new(
        credentials: &[Credential],
        session: Option<&Session>,
        max_findings: usize,
        max_flows: usize,
    ) -> Self {
        let mut all = credentials.to_vec();
        if let Some(s) = session {
            all.extend(s.credentials());
        }
        Self {
            credentials: all,
            sdp_usernames: session.map(Session::usernames),
            fingerprints: session
                .map(|s| [s.offer.fingerprints.clone(), s.answer.fingerprints.clone()])
                .unwrap_or_default(),
            roles: FastMap::default(),
            flows: Flows::new(max_flows),
            stun: StunState::default(),
            turn: TurnState::default(),
            messages: BTreeMap::new(),
            findings: Findings::new(max_findings),
            payloads: 0,
            dtls_associations: 0,
        }
    }

    fn count(&mut self, t: MessageType) {
        bump(&mut self.messages, t);
    }

    /// Judges one payload.
    pub fn packet(&mut self, packet: &Packet<'_>) {
        self.payloads = self.payloads.saturating_add(1);
        let kind = classify(packet.payload);
        let Some((flow, side)) =
            self.flows
                .get(packet.transport, packet.src, packet.dst, packet.frame)
        else {
            return;
        };
        let flow_id = flow.id;
        if let Some(p) = flow.packets.get_mut(side) {
            *p = p.saturating_add(1);
        }
        flow.bytes = flow.bytes.saturating_add(packet.payload.len() as u64);
        // A first byte of 001xxxxx is a DTLS 1.3 unified header only inside an association.
        let kind = if kind == Kind::Dtls
            && flow.dtls.is_none()
            && packet.payload.first().is_some_and(|b| *b >= 32)
        {
            Kind::Other
        } else {
            kind
        };
        if let Some(k) = flow.kinds.get_mut(kind_index(kind)) {
            *k = k.saturating_add(1);
        }
        match kind {
            Kind::Stun => {
                let Ok(msg) = Message::new_checked(packet.payload) else {
                    self.stun.malformed = self.stun.malformed.saturating_add(1);
                    self.count(MessageType::StunMalformed);
                    return;
                };
                if StunState::is_turn(msg.method()) {
                    flow.turn = true;
                }
                self.count(MessageType::Stun(msg.method().0, class_code(msg.class())));
                let mut cx = StunContext {
                    credentials: &self.credentials,
                    sdp_usernames: self.sdp_usernames.as_ref(),
                    turn: &mut self.turn,
                    findings: &mut self.findings,
                    roles: &mut self.roles,
                };
                self.stun.message(packet, flow_id, &msg, &mut cx);
            }
            Kind::ClassicStun => self.count(MessageType::ClassicStun),
            Kind::Dtls => {
                bump(&mut self.messages, MessageType::DtlsDatagram);
                if flow.dtls.is_none() {
                    if self.dtls_associations >= MAX_DTLS_ASSOCIATIONS {
                        return;
                    }
                    self.dtls_associations = self.dtls_associations.saturating_add(1);
                    flow.dtls = Some(Box::new(DtlsFlow::new(&self.fingerprints)));
                }
                let Some(dtls) = flow.dtls.as_mut() else {
                    return;
                };
                let role = self.roles.get(&packet.src).copied();
                let found = dtls.datagram(side, role, packet.frame, packet.payload);
                self.findings.extend_in(flow_id, packet.frame, found);
            }
            Kind::ChannelData => {
                // TCP framing has already taken the padding off (RFC 8656 §12.5).
                let Ok(cd) = ChannelData::parse(packet.payload, false) else {
                    self.count(MessageType::Other);
                    return;
                };
                self.count(MessageType::ChannelData);
                let mut found: Vec<Finding> = Vec::new();
                // 0x5000-0x7FFF were channel numbers under RFC 5766 §11; the ChannelBind
                // that bound one is judged by the STUN rules. Only numbers no TURN version ever
                // allowed are judged here.
                if cd.number > 0x7fff {
                    found.push(Finding::new(
                        &TURN_CHANNEL_NUMBER,
                        Location::bytes(0, 2).in_frame(packet.frame),
                        format!("ChannelData on reserved channel number 0x{:04x}", cd.number),
                    ));
                }
                if let Some(a) = self.turn.allocation(
                    packet.transport,
                    packet.src,
                    packet.dst,
                    packet.frame,
                    false,
                ) && let Some(f) = a.client_channel_data(cd.number, packet.time_ns, packet.frame)
                {
                    found.push(f);
                } else if let Some(a) = self.turn.allocation(
                    packet.transport,
                    packet.dst,
                    packet.src,
                    packet.frame,
                    false,
                ) {
                    a.channel_data = a.channel_data.saturating_add(1);
                }
                self.findings.extend_in(flow_id, packet.frame, found);
            }
            Kind::Other
                if flow.turn
                    && packet.payload.first().is_some_and(|b| *b >= 0x80)
                    && frames_as_channel_data(packet.payload) =>
            {
                // The ChannelData framing with a first byte outside every RFC 9443 range:
                // a channel number in the reserved 0x5000-0xFFFF space.
                self.count(MessageType::ChannelDataReserved);
                let number = packet.payload.get(..2).map_or(0, |b| {
                    u16::from_be_bytes([
                        b.first().copied().unwrap_or(0),
                        b.get(1).copied().unwrap_or(0),
                    ])
                });
                self.findings.extend_in(
                    flow_id,
                    packet.frame,
                    [Finding::new(
                        &TURN_CHANNEL_NUMBER,
                        Location::bytes(0, 2).in_frame(packet.frame),
                        format!("ChannelData on reserved channel number 0x{number:04x}"),
                    )],
                );
            }
            Kind::Zrtp => self.count(MessageType::Zrtp),
            Kind::Rtp => match crate::rtp::rtp(packet.payload) {
                Some(h) if h.header_len.is_some() => {
                    flow.note_ssrc(h.ssrc);
                    self.count(MessageType::Rtp);
                }
                _ => self.count(MessageType::RtpBadHeader),
            },
            Kind::Rtcp => self.count(MessageType::Rtcp(crate::rtp::rtcp_type(packet.payload))),
            Kind::Other => self.count(MessageType::Other),
        }
    }
}
