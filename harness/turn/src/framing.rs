//! Framing of STUN and ChannelData messages on a stream transport (RFC 8656 §12.5).
//!
//! Over TCP the first two bits of each frame say what it is: `00` a STUN message (20-byte
//! header, length in bytes 2–3, no padding beyond the attributes' own), `01` a ChannelData
//! message (4-byte header, length in bytes 2–3, padded to a multiple of four). Anything else
//! means the stream is out of step and cannot be recovered: the connection must be closed.
//!
//! [`StreamDecoder`] buffers at most one maximal frame (65535 + 20 bytes), so a peer cannot
//! make it grow without bound.

use core::fmt;

use crate::channeldata;
use crate::stun;

/// The largest frame a decoder ever buffers.
pub const MAX_FRAME: usize = 65_535 + stun::HEADER_LEN;

/// What kind of frame came out of the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    /// A STUN message.
    Stun,
    /// A ChannelData message (with its padding).
    ChannelData,
}

/// The stream cannot be framed any further.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FramingError {
    /// A frame starts with bits `10` or `11`.
    UnknownFrame(u8),
}

impl fmt::Display for FramingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownFrame(b) => write!(
                f,
                "frame starts with 0x{b:02x}: neither STUN nor ChannelData"
            ),
        }
    }
}

impl std::error::Error for FramingError {}

/// The size of the frame at the start of `buf`, once its header is in: `Ok(None)` when more
/// bytes are needed to tell.
///
/// # Errors
/// [`FramingError::UnknownFrame`] when the first byte is neither STUN nor ChannelData.
pub fn frame_len(buf: &[u8]) -> Result<Option<(FrameKind, usize)>, FramingError> {
    let Some(&first) = buf.first() else {
        return Ok(None);
    };
    let len_field = |b: &[u8]| match (b.get(2), b.get(3)) {
        (Some(h), Some(l)) => Some(usize::from(u16::from_be_bytes([*h, *l]))),
        _ => None,
    };
    match first & 0xC0 {
        0x00 => Ok(len_field(buf).map(|l| (FrameKind::Stun, stun::HEADER_LEN + l))),
        0x40 => Ok(len_field(buf).map(|l| (FrameKind::ChannelData, channeldata::padded_len(l)))),
        _ => Err(FramingError::UnknownFrame(first)),
    }
}

/// Splits a byte stream into STUN and ChannelData frames.
#[derive(Clone, Debug, Default)]
pub struct StreamDecoder {
    buf: Vec<u8>,
    start: usize,
    broken: bool,
}

impl StreamDecoder {
    /// An empty decoder.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends stream bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.broken {
            return;
        }
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes buffered and not yet returned.
    #[must_use]
    pub fn buffered(&self) -> usize {
        self.buf.len().saturating_sub(self.start)
    }

    /// The next complete frame, `Ok(None)` when more bytes are needed.
    ///
    /// # Errors
    /// [`FramingError`] once the stream is out of step; every later call returns it again.
    pub fn next_frame(&mut self) -> Result<Option<(FrameKind, &[u8])>, FramingError> {
        let rest = self.buf.get(self.start..).unwrap_or_default();
        match frame_len(rest) {
            Err(e) => {
                self.broken = true;
                Err(e)
            }
            Ok(None) => Ok(None),
            Ok(Some((kind, len))) => {
                if rest.len() < len {
                    return Ok(None);
                }
                let begin = self.start;
                self.start = self.start.saturating_add(len);
                Ok(self.buf.get(begin..self.start).map(|frame| (kind, frame)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stun::{Class, MessageBuilder, method};

    #[test]
    fn splits_interleaved_stun_and_channel_data_across_segments() {
        let s = MessageBuilder::new(method::BINDING, Class::Request, [3; 12]).build();
        let c = channeldata::encode(0x4000, b"abcde", true);
        let stream: Vec<u8> = [s.clone(), c.clone(), s.clone()].concat();
        let mut d = StreamDecoder::new();
        let mut frames = Vec::new();
        for chunk in stream.chunks(3) {
            d.push(chunk);
            while let Some((kind, f)) = d.next_frame().unwrap() {
                frames.push((kind, f.to_vec()));
            }
        }
        assert_eq!(
            frames,
            vec![
                (FrameKind::Stun, s.clone()),
                (FrameKind::ChannelData, c),
                (FrameKind::Stun, s)
            ]
        );
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn out_of_step_stream_stays_broken() {
        let mut d = StreamDecoder::new();
        d.push(&[0x80, 0, 0, 0]);
        assert_eq!(d.next_frame(), Err(FramingError::UnknownFrame(0x80)));
        d.push(&channeldata::encode(0x4000, b"", true));
        assert!(d.next_frame().is_err());
    }
}
