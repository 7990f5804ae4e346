//! First-byte demultiplexing of the datagrams that share a WebRTC 5-tuple: RFC 7983 §7 as
//! updated by RFC 9443 §3.
//!
//! ```text
//!   [0..3]     STUN          [4..15]    drop
//!   [16..19]   ZRTP          [20..63]   DTLS
//!   [64..79]   TURN channel (from a TURN server), else QUIC
//!   [80..127]  QUIC          [128..191] RTP / RTCP      [192..255] QUIC
//! ```
//! RTP and RTCP multiplexed on one port are told apart by the second byte (RFC 5761 §4:
//! RTCP packet types 192..223 occupy the marker bit and payload type of RTP).
//!
//! [`classify`] returns the [`Class`] with minimal header views, enough to recognise and
//! not to decode: STUN's magic cookie and length, the ChannelData number and length, RTP's
//! version, payload type, sequence number and SSRC, RTCP's packet type, length and sender
//! SSRC. This crate checks STUN's first byte and magic cookie itself and depends on no
//! protocol crate.
//!
//! # Panics
//! Never, on any input.
#![forbid(unsafe_code)]
#![warn(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects
)]
#![cfg_attr(
    test,
    allow(clippy::panic, reason = "unit tests state expectations with panics")
)]

mod inspect;

pub use inspect::{DemuxInspector, inspector};

/// The STUN magic cookie (RFC 8489 §5).
pub const STUN_MAGIC_COOKIE: u32 = 0x2112_a442;

/// Whether the datagram came from the address and port of a responding TURN server, which
/// decides the 64..79 range (RFC 9443 §3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TurnSource {
    /// From a TURN server: 64..79 is TURN ChannelData.
    FromTurnServer,
    /// Not from a TURN server: 64..79 is QUIC.
    NotFromTurnServer,
    /// Unknown (a capture or a lone datagram): 64..79 is reported as ChannelData-or-QUIC.
    #[default]
    Unknown,
}

/// STUN header view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StunView {
    /// Message type (14 bits; the top two bits are zero in the STUN range).
    pub message_type: u16,
    /// Message length field.
    pub length: u16,
    /// True when bytes 4..8 hold the magic cookie (RFC 5389/8489); false for RFC 3489.
    pub magic_cookie: bool,
}

/// TURN ChannelData header view (RFC 8656 §12.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelDataView {
    /// Channel number.
    pub channel: u16,
    /// Length field.
    pub length: u16,
}

/// RTP fixed header view (RFC 3550 §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtpView {
    /// Version (2).
    pub version: u8,
    /// Marker bit.
    pub marker: bool,
    /// Payload type.
    pub payload_type: u8,
    /// Sequence number.
    pub sequence_number: u16,
    /// Timestamp.
    pub timestamp: u32,
    /// SSRC.
    pub ssrc: u32,
}

/// RTCP header view of the first packet of a compound (RFC 3550 §6.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtcpView {
    /// Version (2).
    pub version: u8,
    /// Packet type (192..223 when multiplexed).
    pub packet_type: u8,
    /// Length in 32-bit words minus one.
    pub length_words: u16,
    /// The sender's SSRC.
    pub ssrc: u32,
    /// Packets in the compound whose lengths tile the datagram exactly, or 0 if they do not.
    pub compound_packets: usize,
}

/// What a datagram is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// 0..3: STUN (the view when at least 20 bytes).
    Stun(Option<StunView>),
    /// 16..19: ZRTP.
    Zrtp,
    /// 20..63: DTLS.
    Dtls,
    /// 64..79 from a TURN server: ChannelData.
    TurnChannel(Option<ChannelDataView>),
    /// 64..79 when the source is not known: ChannelData if it came from a TURN server,
    /// QUIC otherwise.
    TurnChannelOrQuic(Option<ChannelDataView>),
    /// 80..127, 192..255, or 64..79 not from a TURN server.
    Quic,
    /// 128..191 with an RTP second byte.
    Rtp(Option<RtpView>),
    /// 128..191 with an RTCP packet type (192..223) in the second byte.
    Rtcp(Option<RtcpView>),
    /// 4..15 or an empty datagram: no known range, drop (RFC 9443 §3).
    Drop,
}

impl Class {
    /// Short lower-case name.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Stun(_) => "stun",
            Self::Zrtp => "zrtp",
            Self::Dtls => "dtls",
            Self::TurnChannel(_) => "turn-channel",
            Self::TurnChannelOrQuic(_) => "turn-channel-or-quic",
            Self::Quic => "quic",
            Self::Rtp(_) => "rtp",
            Self::Rtcp(_) => "rtcp",
            Self::Drop => "drop",
        }
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    let end = at.checked_add(2)?;
    let s = b.get(at..end)?;
    Some(u16::from_be_bytes([*s.first()?, *s.get(1)?]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let end = at.checked_add(4)?;
    let s: [u8; 4] = b.get(at..end)?.try_into().ok()?;
    Some(u32::from_be_bytes(s))
}

/// Classifies one datagram by its first byte (RFC 9443 §3) and, for 128..191, its second
/// (RFC 5761 §4).
#[must_use]
pub fn classify(datagram: &[u8], source: TurnSource) -> Class {
    let Some(&first) = datagram.first() else {
        return Class::Drop;
    };
    match first {
        0..=3 => Class::Stun(stun_view(datagram)),
        4..=15 => Class::Drop,
        16..=19 => Class::Zrtp,
        20..=63 => Class::Dtls,
        64..=79 => {
            let view = channel_view(datagram);
            match source {
                TurnSource::FromTurnServer => Class::TurnChannel(view),
                TurnSource::NotFromTurnServer => Class::Quic,
                TurnSource::Unknown => Class::TurnChannelOrQuic(view),
            }
        }
        128..=191 => match datagram.get(1) {
            Some(192..=223) => Class::Rtcp(rtcp_view(datagram)),
            _ => Class::Rtp(rtp_view(datagram)),
        },
        _ => Class::Quic,
    }
}

fn stun_view(d: &[u8]) -> Option<StunView> {
    if d.len() < 20 {
        return None;
    }
    Some(StunView {
        message_type: be16(d, 0)?,
        length: be16(d, 2)?,
        magic_cookie: be32(d, 4)? == STUN_MAGIC_COOKIE,
    })
}

fn channel_view(d: &[u8]) -> Option<ChannelDataView> {
    Some(ChannelDataView {
        channel: be16(d, 0)?,
        length: be16(d, 2)?,
    })
}

fn rtp_view(d: &[u8]) -> Option<RtpView> {
    let b0 = *d.first()?;
    let b1 = *d.get(1)?;
    Some(RtpView {
        version: b0 >> 6,
        marker: b1 & 0x80 != 0,
        payload_type: b1 & 0x7f,
        sequence_number: be16(d, 2)?,
        timestamp: be32(d, 4)?,
        ssrc: be32(d, 8)?,
    })
}

fn rtcp_view(d: &[u8]) -> Option<RtcpView> {
    let b0 = *d.first()?;
    let length_words = be16(d, 2)?;
    let mut at = 0usize;
    let mut packets = 0usize;
    while at < d.len() {
        let words = usize::from(be16(d, at.checked_add(2)?)?);
        at = at.checked_add(words.checked_add(1)?.checked_mul(4)?)?;
        packets = packets.checked_add(1)?;
    }
    Some(RtcpView {
        version: b0 >> 6,
        packet_type: *d.get(1)?,
        length_words,
        ssrc: be32(d, 4)?,
        compound_packets: if at == d.len() { packets } else { 0 },
    })
}

/// Fuzzing entry points (see `fuzz/fuzz_targets/demux.rs`).
pub mod fuzzing {
    use super::{Class, TurnSource, classify};

    /// Classifies `data` under each TURN source assumption and checks the invariants: the
    /// class depends only on the first byte (and the second for 128..191), and the 64..79
    /// range follows the source.
    pub fn fuzz_demux(data: &[u8]) {
        let unknown = classify(data, TurnSource::Unknown);
        let from = classify(data, TurnSource::FromTurnServer);
        let not = classify(data, TurnSource::NotFromTurnServer);
        if let Class::TurnChannelOrQuic(v) = unknown {
            assert_eq!(from, Class::TurnChannel(v));
            assert_eq!(not, Class::Quic);
        } else {
            assert_eq!(unknown, from);
            assert_eq!(unknown, not);
        }
        let _ = crate::inspector().inspect(data, &harness_core::inspect::InspectContext::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_first_byte_lands_in_the_rfc_9443_range() {
        for b in 0..=255u8 {
            let d = [b, 0, 0, 0];
            let name = classify(&d, TurnSource::FromTurnServer).name();
            let expected = match b {
                0..=3 => "stun",
                4..=15 => "drop",
                16..=19 => "zrtp",
                20..=63 => "dtls",
                64..=79 => "turn-channel",
                128..=191 => "rtp",
                _ => "quic",
            };
            assert_eq!(name, expected, "first byte {b}");
        }
        assert_eq!(classify(&[], TurnSource::Unknown), Class::Drop);
        assert_eq!(
            classify(&[0x40, 1], TurnSource::NotFromTurnServer),
            Class::Quic
        );
    }

    #[test]
    fn reads_the_stun_cookie_and_tells_rfc3489_apart() {
        let mut m = [0u8; 20];
        m[1] = 1;
        m[4..8].copy_from_slice(&STUN_MAGIC_COOKIE.to_be_bytes());
        assert!(
            matches!(classify(&m, TurnSource::Unknown), Class::Stun(Some(v)) if v.magic_cookie && v.message_type == 1)
        );
        m[4] = 0;
        assert!(
            matches!(classify(&m, TurnSource::Unknown), Class::Stun(Some(v)) if !v.magic_cookie)
        );
    }

    #[test]
    fn splits_rtp_and_rtcp_by_the_second_byte() {
        let rtp = [0x80, 0xe0, 0, 7, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef];
        let Class::Rtp(Some(v)) = classify(&rtp, TurnSource::Unknown) else {
            panic!("rtp expected")
        };
        assert_eq!(
            (v.marker, v.payload_type, v.sequence_number, v.ssrc),
            (true, 96, 7, 0xdead_beef)
        );
        // RR (201) with no report blocks, then SDES (202) of two words: a compound of two.
        let rtcp = [0x80, 201, 0, 1, 0, 0, 0, 9, 0x81, 202, 0, 1, 0, 0, 0, 9];
        let Class::Rtcp(Some(v)) = classify(&rtcp, TurnSource::Unknown) else {
            panic!("rtcp expected")
        };
        assert_eq!((v.packet_type, v.ssrc, v.compound_packets), (201, 9, 2));
        let Class::Rtcp(Some(v)) = classify(&rtcp[..14], TurnSource::Unknown) else {
            panic!("rtcp expected")
        };
        assert_eq!(v.compound_packets, 0);
    }

    #[test]
    fn fuzz_body_holds_on_edge_inputs() {
        for d in [
            &[][..],
            &[0x40],
            &[0x80, 0xc8],
            &[0x16, 0xfe, 0xfd],
            &[0xff; 30],
        ] {
            fuzzing::fuzz_demux(d);
        }
    }
}
