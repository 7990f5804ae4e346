//! First-byte demultiplexing for captures: [`harness_demux::classify`] (RFC 7983 §7 as
//! updated by RFC 9443 §3) decides the range, and this module tightens it with the
//! structural checks a capture needs, since a random UDP payload is not necessarily WebRTC:
//!
//! * 0..=3 is only STUN when it carries the magic cookie, or [`Kind::ClassicStun`] when it
//!   frames exactly as an RFC 3489 message;
//! * 20..=31 is only DTLS with a DTLS version byte (0xfe) and a full record header;
//! * 64..=127 is TURN ChannelData when the length field frames the datagram, whatever the
//!   source (demux leaves 80..=127 to QUIC; a capture judges the framing instead);
//! * 128..=191 needs a full RTP (12 bytes) or RTCP (8 bytes) header.
//!
//! Anything else, including demux's `Drop` and `Quic`, is [`Kind::Other`].

use harness_demux::{Class, STUN_MAGIC_COOKIE, StunView, TurnSource};

/// What a payload is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// STUN (RFC 5389/8489, magic cookie present).
    Stun,
    /// A classic RFC 3489 STUN message (no magic cookie; frames exactly).
    ClassicStun,
    /// ZRTP (first byte 16..=19).
    Zrtp,
    /// DTLS (first byte 20..=63 with a DTLS record header).
    Dtls,
    /// TURN ChannelData (leading bits 01, length consistent with the datagram).
    ChannelData,
    /// RTP (first byte 128..=191, payload type outside 64..=95).
    Rtp,
    /// RTCP (first byte 128..=191, packet type 192..=223; RFC 5761 §4).
    Rtcp,
    /// None of the above.
    Other,
}

fn be16(data: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes([
        *data.get(at)?,
        *data.get(at.checked_add(1)?)?,
    ])))
}

/// Length in a ChannelData header matches the payload (with up to 3 bytes of padding).
#[must_use]
pub fn frames_as_channel_data(payload: &[u8]) -> bool {
    let Some(len) = be16(payload, 2) else {
        return false;
    };
    let body = payload.len().saturating_sub(4);
    payload.len() >= 4 && body >= len && body.saturating_sub(len) <= 3
}

/// Classifies one payload.
#[must_use]
pub fn classify(payload: &[u8]) -> Kind {
    match harness_demux::classify(payload, TurnSource::Unknown) {
        Class::Stun(view) => stun_kind(payload, view),
        Class::Zrtp => Kind::Zrtp,
        Class::Dtls => {
            // 001xxxxx is the DTLS 1.3 unified header; 20..=31 needs a record header.
            let unified = payload.first().is_some_and(|b| *b >= 32);
            if unified || (payload.get(1) == Some(&0xfe) && payload.len() >= 13) {
                Kind::Dtls
            } else {
                Kind::Other
            }
        }
        Class::TurnChannel(_) | Class::TurnChannelOrQuic(_) | Class::Quic
            if payload.first().is_some_and(|b| (64..=127).contains(b))
                && frames_as_channel_data(payload) =>
        {
            Kind::ChannelData
        }
        Class::Rtp(Some(_)) => Kind::Rtp,
        Class::Rtcp(_) if payload.len() >= 8 => Kind::Rtcp,
        Class::TurnChannel(_)
        | Class::TurnChannelOrQuic(_)
        | Class::Quic
        | Class::Rtp(None)
        | Class::Rtcp(_)
        | Class::Drop => Kind::Other,
    }
}

/// STUN with the magic cookie (even in a header cut short), or an exactly framed RFC 3489
/// Binding or Shared Secret request or response.
fn stun_kind(payload: &[u8], view: Option<StunView>) -> Kind {
    if payload.get(4..8) == Some(&STUN_MAGIC_COOKIE.to_be_bytes()[..]) {
        return Kind::Stun;
    }
    match view {
        Some(v)
            if usize::from(v.length).saturating_add(20) == payload.len()
                && v.length % 4 == 0
                && matches!(
                    v.message_type,
                    0x0001 | 0x0101 | 0x0111 | 0x0002 | 0x0102 | 0x0112
                ) =>
        {
            Kind::ClassicStun
        }
        _ => Kind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_byte_ranges_follow_rfc_9443() {
        let mut stun = vec![0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42];
        stun.extend_from_slice(&[0; 12]);
        assert_eq!(classify(&stun), Kind::Stun);
        assert_eq!(
            classify(&[22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
            Kind::Dtls
        );
        assert_eq!(
            classify(&[22, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
            Kind::Other
        );
        assert_eq!(classify(&[0x40, 0, 0, 2, 9, 9]), Kind::ChannelData);
        assert_eq!(classify(&[0x40, 0, 0, 9, 9, 9]), Kind::Other);
        assert_eq!(
            classify(&[0x80, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            Kind::Rtp
        );
        assert_eq!(classify(&[0x80, 0xc8, 0, 1, 0, 0, 0, 0]), Kind::Rtcp);
        assert_eq!(classify(&[0xff, 0x10]), Kind::Other);
        assert_eq!(classify(&[]), Kind::Other);
    }

    #[test]
    fn a_dns_query_is_not_stun() {
        let dns = [
            0x01, 0x02, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 3, b'w', b'w', b'w',
        ];
        assert_eq!(classify(&dns), Kind::Other);
    }

    #[test]
    fn capture_checks_tighten_the_demux_ranges() {
        // A STUN header cut short still counts as STUN when the cookie is there.
        assert_eq!(classify(&[0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42]), Kind::Stun);
        // RFC 3489 Binding request framing exactly, without the cookie.
        let mut classic = vec![0, 1, 0, 4];
        classic.extend_from_slice(&[7; 20]);
        assert_eq!(classify(&classic), Kind::ClassicStun);
        classic.push(0);
        assert_eq!(classify(&classic), Kind::Other);
        // DTLS 1.3 unified header needs no version byte.
        assert_eq!(classify(&[0x2f, 0, 0]), Kind::Dtls);
        // ChannelData framing in 80..=127 is judged by framing, not left to QUIC.
        assert_eq!(classify(&[0x60, 0, 0, 1, 9]), Kind::ChannelData);
        assert_eq!(classify(&[0xc0, 0, 0, 1, 9]), Kind::Other);
        // Short RTP and RTCP headers.
        assert_eq!(classify(&[0x80, 0x60, 0, 0]), Kind::Other);
        assert_eq!(classify(&[0x80, 0xc8, 0, 1]), Kind::Other);
        assert_eq!(classify(&[0x80, 0xc8, 0, 1, 0, 0, 0, 0, 9]), Kind::Rtcp);
        assert_eq!(classify(&[0x05, 0, 0, 0]), Kind::Other);
        assert_eq!(classify(&[0x11, 0, 0, 0]), Kind::Zrtp);
    }
}
