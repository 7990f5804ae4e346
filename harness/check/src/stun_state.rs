//! STUN transactions across a capture: responses against requests, retransmission timing,
//! ICE sessions and pacing, and the TURN effects of each transaction.

use std::collections::BTreeSet;

use harness_capture::hash::FastMap;
use std::net::{IpAddr, SocketAddr};

use harness_capture::{Packet, Transport};
use harness_core::credentials::Credential;
use harness_core::rules::{Finding, Location};
use harness_stun::rules::{ValidationContext, keys_for, validate_into};
use harness_stun::{AttrType, Attribute, Class, Message, Method};

use crate::findings::Findings;
use crate::rules::{
    BACKOFF_MIN_RATIO, ICE_PACING, ICE_USERNAME, PACING_MIN_GAP_NS, RESPONSE_METHOD,
    RETRANSMIT_BACKOFF,
};
use crate::turn_state::TurnState;

/// What a request asked the TURN server to install.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TurnEffect {
    None,
    Allocate,
    Refresh { lifetime: Option<u32> },
    Permission(Vec<IpAddr>),
    Channel(u16, SocketAddr),
}

#[derive(Clone, Debug)]
struct Transaction {
    method: Method,
    transport: Transport,
    client: SocketAddr,
    server: SocketAddr,
    last_ns: u64,
    last_interval_ns: Option<u64>,
    sends: u32,
    username: Option<String>,
    ice_session: Option<usize>,
    effect: TurnEffect,
}

/// One ICE session: the connectivity checks between two ufrags.
#[derive(Clone, Debug, Default)]
pub struct IceSession {
    /// The two ufrags, in sorted order.
    pub ufrags: (String, String),
    /// Binding requests (new transactions).
    pub checks: u64,
    /// Retransmitted checks.
    pub retransmissions: u64,
    /// Success responses.
    pub successes: u64,
    /// Error responses.
    pub errors: u64,
    /// Checks carrying USE-CANDIDATE.
    pub nominations: u64,
    /// Flows (ids) the checks ran on.
    pub flows: BTreeSet<usize>,
    /// Frame of the first check.
    pub first_frame: u64,
}

/// Most transactions remembered; older ones are forgotten first.
const MAX_TRANSACTIONS: usize = 65_536;
/// Transactions older than this are forgotten when the table is full.
const TRANSACTION_MEMORY_NS: u64 = 60_000_000_000;
/// Most ICE sessions followed.
const MAX_SESSIONS: usize = 4096;

/// The STUN side of the checker.
#[derive(Debug, Default)]
pub struct StunState {
    transactions: FastMap<[u8; 12], Transaction>,
    last_check_from: FastMap<String, u64>,
    session_index: FastMap<(String, String), usize>,
    /// ICE sessions in order of first check.
    pub sessions: Vec<IceSession>,
    /// Responses whose request was not in the capture.
    pub unmatched_responses: u64,
    /// STUN payloads too short for a header.
    pub malformed: u64,
    /// Transactions forgotten because the table was full.
    pub forgotten: u64,
}

/// What the STUN handler needs from the checker.
pub struct StunContext<'a> {
    /// User credentials and those derived from the SDP.
    pub credentials: &'a [Credential],
    /// Usernames the SDP allows for checks, when an offer and answer were given.
    pub sdp_usernames: Option<&'a [String; 2]>,
    /// Allocations.
    pub turn: &'a mut TurnState,
    /// Where findings go.
    pub findings: &'a mut Findings,
    /// Endpoint roles learned from checks whose USERNAME the SDP names (0 offerer, 1 answerer).
    pub roles: &'a mut FastMap<SocketAddr, usize>,
}

fn peer_addresses(msg: &Message<'_>) -> Vec<SocketAddr> {
    let txid = msg.transaction_id();
    msg.attributes()
        .filter_map(Result::ok)
        .filter(|a| a.ty == AttrType::XOR_PEER_ADDRESS)
        .filter_map(|a| match Attribute::decode(&a, txid) {
            Ok(Attribute::XorPeerAddress(addr)) => Some(addr),
            _ => None,
        })
        .collect()
}

fn decoded<'m>(msg: &Message<'m>, ty: AttrType) -> Option<Attribute<'m>> {
    let raw = msg.find(ty)?;
    Attribute::decode(&raw, msg.transaction_id()).ok()
}

fn turn_effect(msg: &Message<'_>) -> TurnEffect {
    match msg.method() {
        Method::ALLOCATE => TurnEffect::Allocate,
        Method::REFRESH => TurnEffect::Refresh {
            lifetime: match decoded(msg, AttrType::LIFETIME) {
                Some(Attribute::Lifetime(l)) => Some(l),
                _ => None,
            },
        },
        Method::CREATE_PERMISSION => {
            TurnEffect::Permission(peer_addresses(msg).iter().map(SocketAddr::ip).collect())
        }
        Method::CHANNEL_BIND => match (
            decoded(msg, AttrType::CHANNEL_NUMBER),
            peer_addresses(msg).first(),
        ) {
            (Some(Attribute::ChannelNumber(n)), Some(peer)) => TurnEffect::Channel(n, *peer),
            _ => TurnEffect::None,
        },
        _ => TurnEffect::None,
    }
}

fn is_turn_method(method: Method) -> bool {
    matches!(
        method,
        Method::ALLOCATE
            | Method::REFRESH
            | Method::SEND
            | Method::DATA
            | Method::CREATE_PERMISSION
            | Method::CHANNEL_BIND
    )
}

impl StunState {
    /// True when `method` is a TURN method (the flow carries TURN).
    #[must_use]
    pub fn is_turn(method: Method) -> bool {
        is_turn_method(method)
    }

    fn session(&mut self, username: &str, flow: usize, frame: u64) -> Option<usize> {
        let (a, b) = username.split_once(':')?;
        let key = if a <= b {
            (a.to_string(), b.to_string())
        } else {
            (b.to_string(), a.to_string())
        };
        let index = if let Some(&i) = self.session_index.get(&key) {
            i
        } else {
            if self.sessions.len() >= MAX_SESSIONS {
                return None;
            }
            let i = self.sessions.len();
            self.sessions.push(IceSession {
                ufrags: key.clone(),
                first_frame: frame,
                ..IceSession::default()
            });
            self.session_index.insert(key, i);
            i
        };
        if let Some(s) = self.sessions.get_mut(index) {
            s.flows.insert(flow);
        }
        Some(index)
    }

    fn remember(&mut self, txid: [u8; 12], t: Transaction, now: u64) {
        if self.transactions.len() >= MAX_TRANSACTIONS {
            let before = self.transactions.len();
            self.transactions
                .retain(|_, t| now.saturating_sub(t.last_ns) <= TRANSACTION_MEMORY_NS);
            if self.transactions.len() >= MAX_TRANSACTIONS {
                self.transactions.clear();
            }
            self.forgotten = self
                .forgotten
                .saturating_add(before.saturating_sub(self.transactions.len()) as u64);
        }
        self.transactions.insert(txid, t);
    }

    /// Handles one STUN message of flow `flow`.
    pub fn message(
        &mut self,
        packet: &Packet<'_>,
        flow: usize,
        msg: &Message<'_>,
        cx: &mut StunContext<'_>,
    ) {
        let txid = msg.transaction_id().0;
        let now = packet.time_ns;
        let frame = packet.frame;
        let method = msg.method();
        let mut local: Vec<Finding> = Vec::new();
        let username = msg
            .find(AttrType::USERNAME)
            .and_then(|a| core::str::from_utf8(a.value).ok())
            .map(str::to_string);
        let mut key_username = username.clone();
        match msg.class() {
            Class::Request => {
                let retransmission = self.transactions.get_mut(&txid).filter(|t| {
                    t.client == packet.src && t.server == packet.dst && t.method == method
                });
                if let Some(t) = retransmission {
                    let interval = now.saturating_sub(t.last_ns);
                    if t.transport == Transport::Udp
                        && let Some(previous) = t.last_interval_ns
                    {
                        #[allow(clippy::cast_precision_loss, reason = "ratio of two intervals")]
                        let ratio = interval as f64 / previous.max(1) as f64;
                        if ratio < BACKOFF_MIN_RATIO {
                            local.push(Finding::new(
                                &RETRANSMIT_BACKOFF,
                                Location::frame(frame),
                                format!(
                                    "retransmission {} after {:.1} ms; the previous interval was {:.1} ms",
                                    t.sends.saturating_add(1),
                                    interval as f64 / 1e6,
                                    previous as f64 / 1e6
                                ),
                            ));
                        }
                    }
                    t.last_interval_ns = Some(interval);
                    t.last_ns = now;
                    t.sends = t.sends.saturating_add(1);
                    if let Some(s) = t.ice_session.and_then(|i| self.sessions.get_mut(i)) {
                        s.retransmissions = s.retransmissions.saturating_add(1);
                    }
                } else {
                    let ice = method == Method::BINDING
                        && msg.find(AttrType::PRIORITY).is_some()
                        && username.as_deref().is_some_and(|u| u.contains(':'));
                    if ice
                        && packet.transport == Transport::Udp
                        && let Some((_, sender)) =
                            username.as_deref().and_then(|u| u.split_once(':'))
                    {
                        if let Some(&last) = self.last_check_from.get(sender) {
                            let gap = now.saturating_sub(last);
                            if gap < PACING_MIN_GAP_NS {
                                #[allow(clippy::cast_precision_loss, reason = "for display")]
                                local.push(Finding::new(
                                    &ICE_PACING,
                                    Location::frame(frame),
                                    format!(
                                        "agent `{sender}` starts a check {:.2} ms after its previous one",
                                        gap as f64 / 1e6
                                    ),
                                ));
                            }
                        }
                        if self.last_check_from.len() < MAX_SESSIONS
                            || self.last_check_from.contains_key(sender)
                        {
                            self.last_check_from.insert(sender.to_string(), now);
                        }
                    }
                    let ice_session = if ice {
                        let session = username
                            .as_deref()
                            .and_then(|u| self.session(u, flow, frame));
                        if let Some(s) = session.and_then(|i| self.sessions.get_mut(i)) {
                            s.checks = s.checks.saturating_add(1);
                            if msg.find(AttrType::USE_CANDIDATE).is_some() {
                                s.nominations = s.nominations.saturating_add(1);
                            }
                        }
                        if let (Some(allowed), Some(u)) = (cx.sdp_usernames, username.as_deref())
                            && let Some(role) = allowed.iter().position(|a| a == u)
                            && cx.roles.len() < MAX_SESSIONS
                        {
                            // "answer:offer" is sent by the offerer (RFC 8445 §7.2.2).
                            cx.roles.insert(packet.src, role);
                            cx.roles.insert(packet.dst, 1 - role);
                        }
                        if let (Some(allowed), Some(u)) = (cx.sdp_usernames, username.as_deref())
                            && !allowed.iter().any(|a| a == u)
                        {
                            local.push(Finding::new(
                                &ICE_USERNAME,
                                Location::frame(frame),
                                format!(
                                    "check USERNAME `{u}` is neither `{}` nor `{}`",
                                    allowed[0], allowed[1]
                                ),
                            ));
                        }
                        session
                    } else {
                        None
                    };
                    let effect = turn_effect(msg);
                    if let TurnEffect::Channel(n, peer) = &effect
                        && let Some(a) = cx.turn.allocation(
                            packet.transport,
                            packet.src,
                            packet.dst,
                            frame,
                            true,
                        )
                    {
                        a.pending_channels.insert(*n, *peer);
                    } else if is_turn_method(method) {
                        let _ = cx.turn.allocation(
                            packet.transport,
                            packet.src,
                            packet.dst,
                            frame,
                            true,
                        );
                    }
                    self.remember(
                        txid,
                        Transaction {
                            method,
                            transport: packet.transport,
                            client: packet.src,
                            server: packet.dst,
                            last_ns: now,
                            last_interval_ns: None,
                            sends: 1,
                            username: username.clone(),
                            ice_session,
                            effect,
                        },
                        now,
                    );
                }
            }
            class @ (Class::Success | Class::Error) => {
                if let Some(t) = self.transactions.get(&txid) {
                    key_username = t.username.clone();
                    if t.method != method {
                        local.push(Finding::new(
                            &RESPONSE_METHOD,
                            Location::frame(frame),
                            format!(
                                "{} response to a {} request",
                                method.name().unwrap_or("unknown"),
                                t.method.name().unwrap_or("unknown")
                            ),
                        ));
                    }
                    if let Some(s) = t.ice_session.and_then(|i| self.sessions.get_mut(i)) {
                        if class == Class::Success {
                            s.successes = s.successes.saturating_add(1);
                        } else {
                            s.errors = s.errors.saturating_add(1);
                        }
                    }
                    if class == Class::Success && t.method == method {
                        Self::apply_success(t, msg, now, frame, cx.turn);
                    }
                } else {
                    self.unmatched_responses = self.unmatched_responses.saturating_add(1);
                }
            }
            Class::Indication => {
                let peer = peer_addresses(msg).first().copied();
                if method == Method::SEND {
                    if let Some(a) =
                        cx.turn
                            .allocation(packet.transport, packet.src, packet.dst, frame, false)
                        && let Some(f) = a.send_indication(peer, now, frame)
                    {
                        local.push(f);
                    }
                } else if method == Method::DATA {
                    let icmp = msg.find(AttrType::ICMP).is_some();
                    if let Some(a) =
                        cx.turn
                            .allocation(packet.transport, packet.dst, packet.src, frame, false)
                        && let Some(f) = a.data_indication(peer, icmp, now, frame)
                    {
                        local.push(f);
                    }
                }
            }
        }
        // Per-message rules of the STUN crate, with the keys that belong to this message.
        let credentials: Vec<Credential> = match key_username.as_deref() {
            Some(u) => cx
                .credentials
                .iter()
                .filter(|c| c.username == u)
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        let keys = if credentials.is_empty() {
            Vec::new()
        } else {
            keys_for(msg, &credentials)
        };
        let ctx = ValidationContext::with_keys(&keys);
        validate_into(msg, &ctx, &mut local);
        cx.findings.extend_in(flow, frame, local);
    }

    fn apply_success(
        t: &Transaction,
        msg: &Message<'_>,
        now: u64,
        frame: u64,
        turn: &mut TurnState,
    ) {
        let Some(a) = turn.allocation(
            t.transport,
            t.client,
            t.server,
            frame,
            t.effect != TurnEffect::None,
        ) else {
            return;
        };
        match &t.effect {
            TurnEffect::None => {}
            TurnEffect::Allocate => {
                let relayed = match decoded(msg, AttrType::XOR_RELAYED_ADDRESS) {
                    Some(Attribute::XorRelayedAddress(addr)) => Some(addr),
                    _ => None,
                };
                a.allocated(relayed);
            }
            TurnEffect::Refresh { lifetime } => {
                a.refreshes = a.refreshes.saturating_add(1);
                let granted = match decoded(msg, AttrType::LIFETIME) {
                    Some(Attribute::Lifetime(l)) => Some(l),
                    _ => *lifetime,
                };
                if granted == Some(0) {
                    a.deleted = true;
                }
            }
            TurnEffect::Permission(peers) => {
                for peer in peers {
                    a.permit(*peer, now);
                }
            }
            TurnEffect::Channel(n, peer) => a.bind(*n, *peer, now),
        }
    }
}
