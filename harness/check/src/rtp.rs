//! RTP and RTCP headers (RFC 3550 §5.1 and §6.4; RFC 5761 §4 for telling them apart). Media
//! is usually SRTP/SRTCP: the fixed headers (and the first RTCP header) are in the clear, the
//! rest is not, so only those are read.

/// An RTP packet header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtpHeader {
    /// Payload type.
    pub payload_type: u8,
    /// Sequence number.
    pub sequence: u16,
    /// Synchronisation source.
    pub ssrc: u32,
    /// Bytes of header (fixed part, CSRCs and extension) when they fit in the packet.
    pub header_len: Option<usize>,
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([
        *data.get(at)?,
        *data.get(at.checked_add(1)?)?,
    ]))
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([
        *b.first()?,
        *b.get(1)?,
        *b.get(2)?,
        *b.get(3)?,
    ]))
}

/// Reads the header of an RTP packet (version already checked by the demultiplexer).
#[must_use]
pub fn rtp(packet: &[u8]) -> Option<RtpHeader> {
    let first = *packet.first()?;
    let csrcs = usize::from(first & 0x0f);
    let mut len = 12usize.checked_add(csrcs.checked_mul(4)?)?;
    let mut fits = packet.len() >= len;
    if fits && first & 0x10 != 0 {
        // Header extension: 16-bit profile, 16-bit length in 32-bit words (RFC 3550 §5.3.1).
        match be16(packet, len.checked_add(2)?) {
            Some(words) => {
                len = len
                    .checked_add(4)?
                    .checked_add(usize::from(words).checked_mul(4)?)?;
                fits = packet.len() >= len;
            }
            None => fits = false,
        }
    }
    Some(RtpHeader {
        payload_type: packet.get(1)? & 0x7f,
        sequence: be16(packet, 2)?,
        ssrc: be32(packet, 8)?,
        header_len: fits.then_some(len),
    })
}

/// The name of the first RTCP packet's type (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611).
#[must_use]
pub fn rtcp_type(packet: &[u8]) -> &'static str {
    match packet.get(1) {
        Some(200) => "rtcp SR",
        Some(201) => "rtcp RR",
        Some(202) => "rtcp SDES",
        Some(203) => "rtcp BYE",
        Some(204) => "rtcp APP",
        Some(205) => "rtcp RTPFB",
        Some(206) => "rtcp PSFB",
        Some(207) => "rtcp XR",
        _ => "rtcp other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtp_header_with_csrcs_and_extension_is_measured() {
        let mut p = vec![0x91, 0x60, 0, 7, 0, 0, 0, 0, 0, 0, 0, 9];
        p.extend_from_slice(&[0, 0, 0, 1]); // one CSRC
        p.extend_from_slice(&[0xbe, 0xde, 0, 1, 1, 2, 3, 4]); // extension of one word
        p.extend_from_slice(b"payload");
        let h = rtp(&p).unwrap();
        assert_eq!((h.payload_type, h.sequence, h.ssrc), (0x60, 7, 9));
        assert_eq!(h.header_len, Some(24));
        p.truncate(20);
        assert_eq!(rtp(&p).unwrap().header_len, None);
        assert_eq!(rtcp_type(&[0x80, 200]), "rtcp SR");
    }
}
