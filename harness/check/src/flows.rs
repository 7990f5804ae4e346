//! Flows: the payloads of one 5-tuple, both directions together.

use harness_capture::hash::FastMap;
use std::net::SocketAddr;

use harness_capture::Transport;

use crate::classify::Kind;
use crate::dtls_state::DtlsFlow;

/// A 5-tuple with its endpoints in a canonical order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowKey {
    /// UDP or TCP.
    pub transport: Transport,
    /// The lower endpoint.
    pub lo: SocketAddr,
    /// The higher endpoint.
    pub hi: SocketAddr,
}

impl FlowKey {
    /// The key of `src -> dst`, and the side `src` is on (0: `lo`, 1: `hi`).
    #[must_use]
    pub fn of(transport: Transport, src: SocketAddr, dst: SocketAddr) -> (Self, usize) {
        if src <= dst {
            (
                Self {
                    transport,
                    lo: src,
                    hi: dst,
                },
                0,
            )
        } else {
            (
                Self {
                    transport,
                    lo: dst,
                    hi: src,
                },
                1,
            )
        }
    }
}

/// Counters and state of one flow.
#[derive(Debug)]
pub struct FlowState {
    /// 1-based, in order of first appearance.
    pub id: usize,
    /// The 5-tuple.
    pub key: FlowKey,
    /// Frame of the first payload.
    pub first_frame: u64,
    /// Payloads in each direction (`lo -> hi`, `hi -> lo`).
    pub packets: [u64; 2],
    /// Payload bytes.
    pub bytes: u64,
    /// Payloads per kind.
    pub kinds: [u64; KIND_COUNT],
    /// Seen a TURN method or a TURN port: ChannelData framing is meaningful here.
    pub turn: bool,
    /// The DTLS association, once DTLS is seen.
    pub dtls: Option<Box<DtlsFlow>>,
    /// RTP synchronisation sources seen (at most [`MAX_SSRCS`]).
    pub ssrcs: Vec<u32>,
}

/// Most RTP SSRCs remembered per flow.
pub const MAX_SSRCS: usize = 32;

impl FlowState {
    /// Notes an RTP SSRC.
    pub fn note_ssrc(&mut self, ssrc: u32) {
        if self.ssrcs.len() < MAX_SSRCS && !self.ssrcs.contains(&ssrc) {
            self.ssrcs.push(ssrc);
        }
    }
}

/// Number of [`Kind`]s.
pub const KIND_COUNT: usize = 8;

/// Index of a kind in [`FlowState::kinds`].
#[must_use]
pub const fn kind_index(kind: Kind) -> usize {
    match kind {
        Kind::Stun => 0,
        Kind::ClassicStun => 1,
        Kind::Zrtp => 2,
        Kind::Dtls => 3,
        Kind::ChannelData => 4,
        Kind::Rtp => 5,
        Kind::Rtcp => 6,
        Kind::Other => 7,
    }
}

/// Names of the kinds, in index order.
pub const KIND_NAMES: [&str; KIND_COUNT] = [
    "stun",
    "stun-classic",
    "zrtp",
    "dtls",
    "channeldata",
    "rtp",
    "rtcp",
    "other",
];

fn is_turn_port(port: u16) -> bool {
    matches!(port, 3478..=3481 | 5349)
}

/// Every flow of a capture, up to a bound.
#[derive(Debug, Default)]
pub struct Flows {
    index: FastMap<FlowKey, usize>,
    /// Flows in order of first appearance.
    pub list: Vec<FlowState>,
    /// Most flows followed; payloads of further flows are counted in `overflow`.
    pub max_flows: usize,
    /// Payloads of flows beyond the bound.
    pub overflow: u64,
}

impl Flows {
    /// A table of at most `max_flows` flows.
    #[must_use]
    pub fn new(max_flows: usize) -> Self {
        Self {
            max_flows,
            ..Self::default()
        }
    }

    /// The flow of `src -> dst`, created on first sight; `None` beyond the bound.
    pub fn get(
        &mut self,
        transport: Transport,
        src: SocketAddr,
        dst: SocketAddr,
        frame: u64,
    ) -> Option<(&mut FlowState, usize)> {
        let (key, side) = FlowKey::of(transport, src, dst);
        let position = if let Some(&i) = self.index.get(&key) {
            i
        } else {
            if self.list.len() >= self.max_flows {
                self.overflow = self.overflow.saturating_add(1);
                return None;
            }
            let i = self.list.len();
            self.list.push(FlowState {
                id: i.saturating_add(1),
                key,
                first_frame: frame,
                packets: [0; 2],
                bytes: 0,
                kinds: [0; KIND_COUNT],
                turn: is_turn_port(src.port()) || is_turn_port(dst.port()),
                dtls: None,
                ssrcs: Vec::new(),
            });
            self.index.insert(key, i);
            i
        };
        self.list.get_mut(position).map(|f| (f, side))
    }
}
