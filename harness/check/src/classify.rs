//! First-byte demultiplexing (RFC 7983 §7 as updated by RFC 9443 §3), tightened with the
//! structural checks a capture needs: a random UDP payload whose first byte is 0..=3 is only
//! STUN when it carries the magic cookie (or frames exactly as an RFC 3489 message).

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

const COOKIE: [u8; 4] = [0x21, 0x12, 0xa4, 0x42];

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
    let Some(&first) = payload.first() else {
        return Kind::Other;
    };
    match first {
        0..=3 => {
            if payload.get(4..8) == Some(&COOKIE[..]) {
                Kind::Stun
            } else if payload.len() >= 20
                && be16(payload, 2)
                    .is_some_and(|l| l.saturating_add(20) == payload.len() && l % 4 == 0)
                && matches!(
                    be16(payload, 0),
                    Some(0x0001 | 0x0101 | 0x0111 | 0x0002 | 0x0102 | 0x0112)
                )
            {
                Kind::ClassicStun
            } else {
                Kind::Other
            }
        }
        16..=19 => Kind::Zrtp,
        20..=31 => {
            if payload.get(1) == Some(&0xfe) && payload.len() >= 13 {
                Kind::Dtls
            } else {
                Kind::Other
            }
        }
        // DTLS 1.3 unified header (001xxxxx).
        32..=63 => Kind::Dtls,
        64..=127 => {
            if frames_as_channel_data(payload) {
                Kind::ChannelData
            } else {
                Kind::Other
            }
        }
        128..=191 => match payload.get(1) {
            Some(192..=223) if payload.len() >= 8 => Kind::Rtcp,
            Some(_) if payload.len() >= 12 => Kind::Rtp,
            _ => Kind::Other,
        },
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
}
